#!/usr/bin/env bash
# The published library crates' public API against a baseline revision, with cargo-semver-checks:
# a removed or renamed item, a changed signature, a lost auto trait, a new variant of an
# exhaustive enum ... fails unless declared (.ci/semver-baseline, CONTRIBUTING.md "Releases
# and breaking changes"). The readable name lists of api/*.txt (scripts/public-api.py) stay
# beside it: they show what changed; this says whether it breaks users.
#
#   bash .ci/semver.sh            # installs cargo-semver-checks if missing, then checks
#
# A crate the baseline does not have yet is reported and skipped: nothing to compare.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version that works with this toolchain (rustc 1.95's rustdoc JSON); installed from the
# registry with its own lockfile.
version=0.51.0
if ! cargo semver-checks --version 2>/dev/null | grep -qx "cargo-semver-checks $version"; then
  cargo install cargo-semver-checks --locked --version "$version"
fi
cargo semver-checks --version

baseline=$(sed -n 's/^baseline=//p' .ci/semver-baseline)
release=$(sed -n 's/^release=//p' .ci/semver-baseline)
case "$release" in minor | major) ;; *)
  echo "error: .ci/semver-baseline: release must be minor or major, not '$release'" >&2
  exit 1
  ;;
esac
if ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
  echo "error: the baseline revision $baseline is not in this clone's history" >&2
  exit 1
fi
echo "baseline $baseline ($(git log -1 --format='%cs %s' "$baseline" | cut -c1-80)), declared release: $release"

# Every published crate of the workspace (`publish` not false), found in its metadata, so that
# a new crate is checked without editing this script. cargo-semver-checks reads a library's
# rustdoc JSON: a proc-macro crate has none (its macros are listed in api/*.txt, what they
# accept is pinned by the compile tests).
packages=()
while read -r name dir kind; do
  if [ "$kind" = proc-macro ]; then
    echo "$name: a proc-macro crate, which cargo-semver-checks cannot read (its macros are listed" \
      "in api/$name.txt, what they accept is pinned by the compile tests)"
  elif git cat-file -e "$baseline:$dir/Cargo.toml" 2>/dev/null; then
    packages+=(-p "$name")
  else
    echo "$name: not in the baseline (a new crate): nothing to compare with yet"
  fi
done < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
root = meta["workspace_root"]
for p in meta["packages"]:
    if p.get("publish") == []:
        continue
    kinds = {k for t in p["targets"] for k in t["kind"]}
    kind = "proc-macro" if "proc-macro" in kinds else "lib"
    print(p["name"], os.path.relpath(os.path.dirname(p["manifest_path"]), root), kind)
')
cargo semver-checks check-release --baseline-rev "$baseline" --release-type "$release" "${packages[@]}"
