#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the fleet tests: initdb in a temporary directory owned by the
# postgres user, pg_ctl on a free loopback port, trust authentication on loopback only.
#
#   bash tests/fleet/pg.sh start DIR   # writes DIR/pg.url (postgresql://postgres@127.0.0.1:PORT/postgres)
#   bash tests/fleet/pg.sh stop DIR    # stops it and removes the data directory
#
# The tests make one database each (tests/fleet/lib.sh: pg_new_db). CI runs as root; the
# server process runs as the postgres user because PostgreSQL refuses to run as root.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() { printf 'pg.sh: error: %s\n' "$*" >&2; exit 1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb not found (Debian: apt-get install postgresql)"
    mkdir -p "$dir"
    stop_quietly
    # the data directory lives under /tmp: the postgres user must reach every parent of it,
    # which a build tree under a private home directory does not allow
    data=$(mktemp -d /tmp/drydock-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    chmod 700 "$data"
    echo "$data" >"$dir/pg.datadir"
    as_postgres "$PG_BIN/initdb" -D "$data/db" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_postgres "$PG_BIN/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=300 -c fsync=on" \
            >/dev/null 2>&1; then
            echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/pg.url"
            echo "pg.sh: PostgreSQL on 127.0.0.1:$port (data $data)" >&2
            return 0
        fi
        tail -5 "$data/server.log" >&2 || true
    done
    die "pg_ctl could not start PostgreSQL (see $data/server.log)"
}

stop_quietly() {
    [ -f "$dir/pg.datadir" ] || return 0
    data=$(cat "$dir/pg.datadir")
    if [ -d "$data/db" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$data" in /tmp/drydock-pg.*) rm -rf "$data" ;; esac
    rm -f "$dir/pg.datadir" "$dir/pg.url"
}

case "$cmd" in
start) start ;;
stop) stop_quietly ;;
*) die "unknown command $cmd (start or stop)" ;;
esac
