#!/usr/bin/env bash
# Load comparison: the same actix-web app with no CORS, with the CORS headers written by hand
# (the floor), with actix-cors, and with cors-actix,
# measured alternately (A/B/C in every round) under wrk on loopback, for an allowed simple GET,
# a preflight and a refused origin, with one request per write and with 16 pipelined requests.
# The server runs on core 0 and wrk on core 1. Prints median requests/s, server CPU time per
# request, and the ratios.
#
# Usage: bash bench/run.sh            (ROUNDS=5 DURATION=5 CONNECTIONS=32 by default)
#        MODES="actix-cors cors-actix" SCENARIOS=allowed DEPTHS=16 ROUNDS=15 bash bench/run.sh
#        ROUTES=1000 SCENARIOS="no-origin preflight" bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
SCENARIOS=${SCENARIOS:-"no-origin allowed preflight refused"}
DEPTHS=${DEPTHS:-"1 16"}
MODES=${MODES:-"none floor actix-cors cors-actix"}
# The app's number of routes (the measured one last: bench/src/apps.rs).
ROUTES=${ROUTES:-1}

command -v wrk >/dev/null || { echo "wrk is required: apt-get install -y wrk" >&2; exit 1; }
cargo build --release -p bench --quiet
server=target/release/bench-server
tick=$(getconf CLK_TCK)
results=$(mktemp)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

port=8091
declare -A PORT PID
for mode in $MODES; do
  taskset -c 0 "$server" "$mode" "$port" "$ROUTES" >/dev/null &
  PID[$mode]=$!
  pids+=("$!")
  PORT[$mode]=$port
  port=$((port + 1))
done
for mode in $MODES; do
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:${PORT[$mode]}/api/items" && break
    sleep 0.1
  done
done

# What each mode answers, for the record.
for mode in $MODES; do
  a=$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: https://app.example.com' "http://127.0.0.1:${PORT[$mode]}/api/items")
  p=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization,content-type,x-request-id' "http://127.0.0.1:${PORT[$mode]}/api/items")
  r=$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: https://evil.example.com' "http://127.0.0.1:${PORT[$mode]}/api/items")
  echo "status codes  $mode: allowed=$a preflight=$p refused=$r"
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for round in $(seq "$ROUNDS"); do
  for depth in $DEPTHS; do
    for scenario in $SCENARIOS; do
      # Forward in odd rounds, backward in even ones: no mode always runs right after another.
      order=$MODES
      if [ $((round % 2)) = 0 ]; then order=$(tr ' ' '\n' <<<"$MODES" | tac | tr '\n' ' '); fi
      for mode in $order; do
        url="http://127.0.0.1:${PORT[$mode]}"
        # Warm-up, then the measured run.
        SCENARIO=$scenario DEPTH=$depth taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d1s -s bench/pipeline.lua "$url" >/dev/null
        before=$(cpu_ticks "${PID[$mode]}")
        out=$(SCENARIO=$scenario DEPTH=$depth taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s bench/pipeline.lua "$url")
        after=$(cpu_ticks "${PID[$mode]}")
        rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        total=$(awk '/requests in/ {print $1}' <<<"$out")
        errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
        echo "$round $depth $scenario $mode $rps $total $((after - before)) ${errors:-0}" >>"$results"
        printf 'round %s depth %-2s %-9s %-10s %10s req/s\n' "$round" "$depth" "$scenario" "$mode" "$rps"
      done
    done
  done
done

python3 - "$results" "$tick" "$MODES" <<'PY'
import statistics, sys
from collections import defaultdict
path, tick, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
# The floor the other modes are compared with: the per-route one if it ran, else the first.
floor = next((m for m in ["route-floor", "floor", "single-floor"] if m in modes), None)
# rps[(depth, scenario, mode)][round]; the ratios are medians of per-round ratios: the modes of
# one round ran within seconds of each other, so a drift of the shared machine between rounds
# cancels out of them (it does not out of a ratio of medians).
rps, cpu = defaultdict(dict), defaultdict(list)
for line in open(path):
    rnd, depth, scen, mode, r, total, ticks, _ = line.split()
    rps[(depth, scen, mode)][rnd] = float(r)
    cpu[(depth, scen, mode)].append(int(ticks) / tick / int(total) * 1e6)
med = statistics.median
SCENARIO_ORDER = ["no-origin", "allowed", "preflight", "refused", "refused-browser"]
def ratio(key, base):
    xs, bs = rps.get(key), rps.get(base)
    if not xs or not bs:
        return ""
    return f"{med(xs[r] / bs[r] for r in xs if r in bs):.2f}x"
print()
print("Ratios: median over rounds of the ratio within each round.")
print()
print(f"| shape | scenario | mode | req/s (median) | server CPU us/req (median) | vs no CORS | vs {floor or 'floor'} | vs actix-cors |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for depth in sorted({k[0] for k in rps}, key=int):
    shape = "1 per write" if depth == "1" else f"{depth} pipelined"
    for scen in sorted({k[1] for k in rps}, key=lambda s: (s not in SCENARIO_ORDER, SCENARIO_ORDER.index(s) if s in SCENARIO_ORDER else s)):
        for mode in modes:
            key = (depth, scen, mode)
            if key not in rps:
                continue
            cols = [ratio(key, (depth, scen, m)) for m in ["none", floor, "actix-cors"]]
            print(f"| {shape} | {scen} | {mode} | {med(rps[key].values()):,.0f} | {med(cpu[key]):.2f} | " + " | ".join(cols) + " |")
PY
