#!/usr/bin/env bash
# Instructions per request, counted by callgrind: deterministic, unaffected by machine load.
# For each mode and scenario, runs bench-inproc with N1 and N2 requests and prints
# (instructions(N2) - instructions(N1)) / (N2 - N1), i.e. the cost of one request through
# routing, middleware and handler (no sockets, no HTTP parsing).
#
# Usage: bash bench/callgrind.sh        (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-2000}
N2=${N2:-12000}
SCENARIOS=${SCENARIOS:-"allowed preflight refused"}
command -v valgrind >/dev/null || { echo "valgrind is required: apt-get install -y valgrind" >&2; exit 1; }
cargo build --release -p bench --quiet
bin=target/release/bench-inproc
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 \
    | awk '/Collected :/ {print $4}'
}
printf '| scenario | mode | instructions/request | added vs no CORS |\n|---|---|---:|---:|\n'
for scenario in $SCENARIOS; do
  base=""
  for mode in none floor actix-cors cors-actix; do
    a=$(count "$mode" "$scenario" "$N1")
    b=$(count "$mode" "$scenario" "$N2")
    per=$(( (b - a) / (N2 - N1) ))
    [ -z "$base" ] && base=$per
    printf '| %s | %s | %d | %+d |\n' "$scenario" "$mode" "$per" "$((per - base))"
  done
done
