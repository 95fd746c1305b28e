#!/usr/bin/env bash
# A short real fuzzing run of every target (for CI; the 10-minute runs are in
# docs/security-testing.md). Needs cargo-fuzz; runs on the stable toolchain with
# RUSTC_BOOTSTRAP=1 and no sanitizer (see docs/security-testing.md for why).
#
# Usage: fuzz/smoke.sh [SECONDS_PER_TARGET]   (default 30)
# New inputs go to a temporary directory: the committed corpora are only read.
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-30}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
export RUSTC_BOOTSTRAP=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in origin request_headers decision http; do
  mkdir -p "$work/$t"
  echo "== fuzz $t for ${SECS}s"
  if ! cargo fuzz run -s none -a "$t" "$work/$t" "corpus/$t" -- \
      -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$work/$t.log" 2>&1; then
    tail -60 "$work/$t.log"
    echo "fuzz target $t failed (reproducer under fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec)" "$work/$t.log"
done
echo "fuzz smoke: all targets ran ${SECS}s without a crash"
