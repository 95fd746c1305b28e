#!/usr/bin/env bash
# Measures what `#[cors]` costs a build: a crate with N handlers under `#[cors(...)]` against the
# same crate with plain handlers, both rebuilt after a touch (dependencies already built), and
# checks that the public suffix list (psl) is not linked into a server built with the macros.
#
# Usage: scripts/measure-macro-cost.sh [N=50] [RUNS=3]
# Uses $CARGO_TARGET_DIR (default: target/) so that dependencies are shared with the workspace.
# Needs `nm` (binutils) for the last check.
set -euo pipefail

N=${1:-50}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/macro-cost
mkdir -p "$WORK"

gen() { # name, with_cors (0/1)
    local dir=$WORK/$1
    mkdir -p "$dir/src"
    cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
cors-actix = { path = "$ROOT/cors-actix" }
actix-web = { version = "4.18" }

[workspace]
TOML
    {
        echo 'use actix_web::{get, post, web, App, HttpServer, Responder};'
        if [ "$2" = 1 ]; then echo "use cors_actix::{cors, Cors};"; else echo "use cors_actix::Cors;"; fi
        for i in $(seq 1 "$N"); do
            if [ "$2" = 1 ]; then
                case $((i % 5)) in
                0) echo "#[cors(origins = [\"https://app.example.com\", \"https://*.preview.example.com\"], credentials, headers = [\"Authorization\", \"X-Request-Id\"], expose = [\"X-Total-Count\"], max_age = 600)]" ;;
                1) echo "#[cors(origins = \"*\")]" ;;
                2) echo "#[cors(origins = [regex(r\"^https://[a-z0-9-]+\\.partner$i\\.example\$\"), \"http://localhost:*\"], credentials)]" ;;
                3) echo "#[cors(origins = [\"https://a$i.example.com\", \"https://b$i.example.com\", \"https://*.c$i.example.co.uk\"], headers = [\"Content-Type\"])]" ;;
                4) echo "#[cors(origins = [\"https://app.example.com\"], private_network)]" ;;
                esac
            fi
            if [ $((i % 2)) = 0 ]; then m=get; else m=post; fi
            echo "#[$m(\"/r$i/{id}\")]"
            echo "async fn h$i(id: web::Path<u32>) -> impl Responder { id.to_string() }"
        done
        echo '#[actix_web::main]'
        echo 'async fn main() -> std::io::Result<()> {'
        echo '    if std::env::args().count() > 1 { return Ok(()); }'
        echo '    HttpServer::new(|| {'
        echo '        App::new()'
        for i in $(seq 1 "$N"); do echo "            .service(h$i)"; done
        echo '            .wrap(Cors::new())'
        echo '    })'
        echo '    .bind(("127.0.0.1", 0))?'
        echo '    .run()'
        echo '    .await'
        echo '}'
    } >"$dir/src/main.rs"
}

gen macro_cost_cors 1
gen macro_cost_plain 0

measure() { # name, cargo subcommand
    local dir=$WORK/$1 times=()
    (cd "$dir" && CARGO_TARGET_DIR=$TARGET cargo "$2" -j 2 -q)  # warm: dependencies
    for _ in $(seq 1 "$RUNS"); do
        touch "$dir/src/main.rs"
        local start end
        start=$(date +%s.%N)
        (cd "$dir" && CARGO_TARGET_DIR=$TARGET cargo "$2" -j 2 -q)
        end=$(date +%s.%N)
        times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

echo "handlers: $N, runs: $RUNS (median, seconds, dependencies already built)"
for sub in check build; do
    with=$(measure macro_cost_cors "$sub")
    plain=$(measure macro_cost_plain "$sub")
    echo "cargo $sub: with #[cors] ${with}s, plain ${plain}s, difference $(awk -v a="$plain" -v b="$with" 'BEGIN { printf "%.3f", b - a }')s"
done

bin=$TARGET/debug/macro_cost_cors
psl_symbols=$(nm -C "$bin" 2>/dev/null | grep -c 'psl::' || true)
echo "psl symbols linked into the #[cors] server binary: $psl_symbols (expected 0: the list is only read at compile time)"
