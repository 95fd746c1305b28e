#!/usr/bin/env bash
# Bounded load run on loopback: starts cors-load-server on 127.0.0.1, drives it with
# cors-load-client (a mix of allowed, refused and malformed CORS requests over many keep-alive
# connections) and then with wrk, and reports status counts, server errors and the server's
# RSS before and after. Every phase is bounded in request count and/or time; the server is
# stopped at the end.
#
# Usage: tests/loadtest.sh [REQUESTS] [CONCURRENCY] [MAX_SECONDS] [WRK_SECONDS]
# Defaults: 300000 requests, 64 clients, 120 s cap; wrk 30 s with 64 connections.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-300000}
CONCURRENCY=${2:-64}
MAX_SECONDS=${3:-120}
WRK_SECONDS=${4:-30}
PORT=${PORT:-18080}
TARGET=${CARGO_TARGET_DIR:-target}

cargo build --release -p tests --bin cors-load-server --bin cors-load-client -j 2 >/dev/null
"$TARGET/release/cors-load-server" "$PORT" 2 >/dev/null &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
  sleep 0.1
done
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER/status"; }

echo "RSS at start:            $(rss)"
"$TARGET/release/cors-load-client" "$PORT" 20000 "$CONCURRENCY" 30 >/dev/null
echo "RSS after 20k warm-up:   $(rss)"
"$TARGET/release/cors-load-client" "$PORT" "$REQUESTS" "$CONCURRENCY" "$MAX_SECONDS"
echo "RSS after client run:    $(rss)"
SECOND=$("$TARGET/release/cors-load-client" "$PORT" "$REQUESTS" "$CONCURRENCY" "$MAX_SECONDS")
echo "$SECOND" | head -1
echo "$SECOND" | grep "server errors"
echo "RSS after second run:    $(rss)"
if command -v wrk >/dev/null; then
  WRK=$(wrk -t 2 -c "$CONCURRENCY" -d "${WRK_SECONDS}s" --timeout 10s -s tests/loadtest.lua "http://127.0.0.1:$PORT/")
  echo "$WRK"
  echo "RSS after wrk:           $(rss)"
  echo "$WRK" | grep -q ", 5xx 0;" || { echo "wrk saw server errors" >&2; exit 1; }
fi
