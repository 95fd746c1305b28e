#!/usr/bin/env bash
# Instructions per request, counted by callgrind: unaffected by machine load.
#
# 1. In process (exactly reproducible): for each mode and scenario, runs bench-inproc with N1
#    and N2 requests and prints (instructions(N2) - instructions(N1)) / (N2 - N1), i.e. the cost
#    of one request through routing, middleware and handler (no sockets, no HTTP parsing).
# 2. Real server (reproducible to about 1%): runs bench-server under callgrind twice, loaded by
#    wrk (16 pipelined requests per write) for SHORT and LONG seconds, and prints the difference
#    of instructions divided by the difference of requests served: HTTP parsing, encoding and
#    the user-space side of the socket calls included, start-up and shutdown cancelled out.
#
# Each measurement is taken for apps of ROUTE_COUNTS routes (the measured one registered last,
# after ROUTES - 1 others under the same first segment: bench/src/apps.rs). Modes: none, floor,
# door-floor, single-floor (a hand-written single-policy door), route-floor (a hand-written door
# with a policy per route: bench/src/route_floor.rs), checked-floor (the same door doing also
# what cors-actix promises beyond CORS: same file), actix-cors, cors-actix, cors-actix-declared
# (every filler its own #[cors]: bench/build.rs), cors-actix-lookup / cors-actix-live (the
# origin from a cached OriginLookup / a LivePolicy), cors-actix-named (a fixed named policy
# listing the origin) and cors-actix-set (the same policy, the origin from an OriginSet of
# SET_ORIGINS others, default 10,000: bench/src/apps.rs). Scenarios: no-origin, allowed, preflight,
# refused, refused-browser (a refused request with the headers Chromium sends).
#
# Usage: bash bench/callgrind.sh        (needs valgrind; the server part needs wrk and curl)
#        SERVER=0 bash bench/callgrind.sh   (in-process table only)
#        INPROC=0 bash bench/callgrind.sh   (server table only)
#        ROUTE_COUNTS="10 1000" SCENARIOS=preflight bash bench/callgrind.sh
#        BENCH_LOG=info bash bench/callgrind.sh   (a tracing subscriber at info, writing nowhere:
#                                                  refusals go through the warn ledger)
#        FEATURES=metrics BENCH_METRICS=1 bash bench/callgrind.sh   (the door's counters, into a
#                                                  Prometheus recorder: bench/src/observe.rs)
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-2000}
N2=${N2:-12000}
SCENARIOS=${SCENARIOS:-"no-origin allowed preflight refused"}
ROUTE_COUNTS=${ROUTE_COUNTS:-"10 100 1000"}
MODES=${MODES:-"none floor actix-cors cors-actix"}
command -v valgrind >/dev/null || { echo "valgrind is required: apt-get install -y valgrind" >&2; exit 1; }
cargo build --release -p bench --quiet ${FEATURES:+--features "$FEATURES"}
bin=target/release/bench-inproc
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" "$4" 2>&1 \
    | awk '/Collected :/ {print $4}'
}
[ "${INPROC:-1}" = 1 ] && printf '| routes | scenario | mode | instructions/request | added vs no CORS |\n|---:|---|---|---:|---:|\n'
[ "${INPROC:-1}" = 1 ] && for routes in $ROUTE_COUNTS; do
  for scenario in $SCENARIOS; do
    base=""
    for mode in $MODES; do
      a=$(count "$mode" "$scenario" "$N1" "$routes")
      b=$(count "$mode" "$scenario" "$N2" "$routes")
      per=$(( (b - a) / (N2 - N1) ))
      [ -z "$base" ] && base=$per
      printf '| %s | %s | %s | %d | %+d |\n' "$routes" "$scenario" "$mode" "$per" "$((per - base))"
    done
  done
done

[ "${SERVER:-1}" = 1 ] || exit 0
command -v wrk >/dev/null || { echo "wrk is required for the server table: apt-get install -y wrk" >&2; exit 1; }
SHORT=${SHORT:-3}
LONG=${LONG:-9}
server=target/release/bench-server
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One run: prints "requests instructions".
serve() {
  local mode=$1 scenario=$2 seconds=$3 port=$4 routes=$5
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$server" "$mode" "$port" "$routes" >/dev/null 2>"$tmp/err" &
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/items" && break; sleep 0.2; done
  local out
  out=$(SCENARIO=$scenario DEPTH=16 wrk -t1 -c4 -d"${seconds}s" -s bench/pipeline.lua "http://127.0.0.1:$port")
  kill -INT "$pid"
  wait "$pid" || true
  echo "$(awk '/requests in/ {print $1}' <<<"$out") $(awk '/Collected :/ {print $4}' "$tmp/err")"
}
printf '\n| routes | scenario | mode | instructions/request (server) | added vs no CORS |\n|---:|---|---|---:|---:|\n'
port=8190
for routes in $ROUTE_COUNTS; do
  for scenario in $SCENARIOS; do
    base=""
    for mode in $MODES; do
      read -r r1 i1 < <(serve "$mode" "$scenario" "$SHORT" $((port += 1)) "$routes")
      read -r r2 i2 < <(serve "$mode" "$scenario" "$LONG" $((port += 1)) "$routes")
      per=$(( (i2 - i1) / (r2 - r1) ))
      [ -z "$base" ] && base=$per
      printf '| %s | %s | %s | %d | %+d |\n' "$routes" "$scenario" "$mode" "$per" "$((per - base))"
    done
  done
done
