#!/usr/bin/env bash
# Minimum supported Rust version (MSRV) check.
#
# The MSRV is the workspace's `rust-version` (Cargo.toml). CI has a single, newer toolchain and
# cannot install another one, so this script cannot build with the MSRV compiler. It checks
# what can be checked honestly with the toolchain at hand:
#
#   1. every workspace crate declares the same `rust-version`;
#   2. every package of the resolved dependency graph (Cargo.lock, this platform, dev-
#      dependencies included) declares a `rust-version` no newer than ours: a dependency that
#      needs a newer compiler would make the MSRV a lie;
#   3. clippy's `incompatible_msrv` lint (warn by default, so denied by `-D warnings`) flags any
#      use of a standard-library API stabilized after our `rust-version`: a self-test proves
#      that this toolchain's clippy honors `rust-version`, nothing in the tree silences the
#      lint, and the workspace is linted.
#
# Not covered (needs the old compiler): language features and syntax newer than the MSRV,
# compiler bugs or inference changes between versions, and Cargo.toml features newer than
# the MSRV's cargo. See "Minimum supported Rust version" in cors-actix's docs.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
metadata=$(mktemp)
trap 'rm -f "$metadata"; rm -rf "${selftest:-}"' EXIT
cargo metadata --format-version 1 --locked --filter-platform "$host" >"$metadata"

echo "== MSRV: declared versions (workspace and dependencies)"
python3 - "$metadata" <<'PY'
import json, sys

meta = json.load(open(sys.argv[1]))
members = set(meta["workspace_members"])

def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

ours = {p["name"]: p.get("rust_version") for p in meta["packages"] if p["id"] in members}
missing = sorted(name for name, v in ours.items() if not v)
if missing:
    sys.exit(f"error: no rust-version in: {', '.join(missing)}")
declared = set(ours.values())
if len(declared) != 1:
    sys.exit(f"error: workspace crates declare different rust-versions: {ours}")
msrv = declared.pop()
print(f"workspace rust-version (MSRV): {msrv}")

too_new, unknown, checked = [], [], 0
for p in meta["packages"]:
    if p["id"] in members:
        continue
    v = p.get("rust_version")
    if v is None:
        unknown.append(f"{p['name']} {p['version']}")
        continue
    checked += 1
    if version(v) > version(msrv):
        too_new.append(f"{p['name']} {p['version']} needs Rust {v}")

newest = max(
    ((version(p["rust_version"]), p["name"], p["version"], p["rust_version"])
     for p in meta["packages"] if p["id"] not in members and p.get("rust_version")),
    default=None,
)
print(f"{checked} dependencies declare a rust-version; {len(unknown)} declare none (not checkable)")
if newest:
    print(f"newest requirement: {newest[1]} {newest[2]} needs Rust {newest[3]}")
if too_new:
    print("error: dependencies newer than the MSRV " + msrv + ":")
    for line in sorted(too_new):
        print("  - " + line)
    sys.exit(1)
print("ok: no dependency needs a newer compiler than " + msrv)
PY

echo "== MSRV: clippy's incompatible_msrv lint honors rust-version (self-test)"
# A throwaway crate using `Option::is_some_and` (stable since 1.70): it must be rejected with
# rust-version 1.69 and accepted with 1.70, or the lint below proves nothing.
selftest=$(mktemp -d)
mkdir -p "$selftest/src"
printf 'pub fn f(x: Option<u8>) -> bool {\n    x.is_some_and(|v| v > 1)\n}\n' >"$selftest/src/lib.rs"
selftest_lint() {
    printf '[package]\nname = "msrv-selftest"\nversion = "0.0.0"\nedition = "2021"\nrust-version = "%s"\npublish = false\n\n[workspace]\n' "$1" >"$selftest/Cargo.toml"
    CARGO_TARGET_DIR="$selftest/target" cargo clippy --quiet --offline \
        --manifest-path "$selftest/Cargo.toml" -- -D warnings 2>"$selftest/clippy.log"
}
if selftest_lint 1.69; then
    echo "error: clippy accepted an API newer than rust-version: the MSRV lint is not working"
    exit 1
fi
if ! grep -q "incompatible_msrv" "$selftest/clippy.log"; then
    cat "$selftest/clippy.log"
    echo "error: clippy failed for another reason than incompatible_msrv"
    exit 1
fi
if ! selftest_lint 1.70; then
    cat "$selftest/clippy.log"
    echo "error: clippy rejected an API available at rust-version"
    exit 1
fi
echo "ok: clippy flags APIs newer than rust-version"

echo "== MSRV: nothing silences the lint"
if grep -rnE --include='*.rs' 'incompatible_msrv' cors-core cors-macros cors-actix examples tests; then
    echo "error: incompatible_msrv is allowed somewhere: remove it, or raise rust-version"
    exit 1
fi
clippy_configs=$(find . -path ./target -prune -o \( -name clippy.toml -o -name .clippy.toml \) -print)
if [ -n "$clippy_configs" ] && grep -nE '^\s*msrv\s*=' $clippy_configs; then
    echo "error: a clippy.toml sets its own msrv: the workspace rust-version is the only MSRV"
    exit 1
fi
echo "ok"

echo "== MSRV: clippy over the workspace (same invocation as the lint step: a cache hit there)"
cargo clippy --workspace --all-targets -- -D warnings

echo "== MSRV checks passed"
