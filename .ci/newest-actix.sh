#!/usr/bin/env bash
# The crates against the newest actix-web 4.x the registry has, before users meet it: the door
# learns routes through actix-web's `experimental-introspection` feature, which may change in
# any 4.x release. In a scratch copy of the workspace (the repository's Cargo.lock untouched),
# `cargo update -p actix-web`, then the crates' own tests and the integration tests (not the
# browser suite: about 7 minutes on 2 cores when a newer actix-web is found). When the lockfile
# already has the newest 4.x that resolves, the main test run has tested it: said, and nothing
# more is run (seconds).
#
#   bash .ci/newest-actix.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scratch=$(mktemp -d /tmp/cors-newest-actix.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# The sources as they are in the work tree (no build outputs).
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch"
cd "$scratch"

locked=$(cargo pkgid actix-web | sed 's/.*[@#]//')
# `--verbose` also names a newer release that cannot be resolved (`available: ...`), say one
# whose own dependencies the registry does not have yet: shown, as users would meet it.
cargo update -p actix-web --verbose 2>&1 | grep -E " actix-web v|Locking"
newest=$(cargo pkgid actix-web | sed 's/.*[@#]//')
if [ "$locked" = "$newest" ]; then
  echo "actix-web $locked is the newest 4.x that resolves: the main test run has tested it"
  exit 0
fi
echo "actix-web $locked (Cargo.lock) -> $newest (the newest 4.x that resolves): testing"
# Shares the repository's target directory: dependencies that did not change are not rebuilt.
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
  cargo test -p cors-actix -p cors-actix-test -p tests
