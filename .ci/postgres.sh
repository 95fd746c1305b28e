#!/usr/bin/env bash
# Starts (`start DIR PORT`) or stops (`stop DIR`) a throwaway PostgreSQL cluster in DIR, on
# 127.0.0.1:PORT, trusting local connections, for the fleet test of the dynamic-origins example
# (examples/tests/origin_stores.rs reads CORS_TEST_POSTGRES_URL). Debian's `postgresql` package
# provides the binaries; the server runs as the `postgres` user (it refuses to run as root).
# Bounded in time: 60 s to start, a fast shutdown to stop.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$1" in
start)
    dir=$2 port=$3
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >/dev/null
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start
    ;;
stop)
    dir=$2
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
