#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and benchmarks (make test-distributed, scale-out-bench.sh):
#   postgres-temp.sh start DIR PORT   → initdb in DIR/pgdata, start on 127.0.0.1:PORT, print the URL
#   postgres-temp.sh stop DIR         → stop it (DIR is left for the caller to delete)
# Installs Debian's `postgresql` when missing (CI starts bare). The server never runs as root
# (PostgreSQL refuses to): as root it runs as the `postgres` user the package creates.
set -euo pipefail
cmd=${1:?usage: postgres-temp.sh start DIR PORT | stop DIR}
dir=${2:?data directory}
here=$(cd "$(dirname "$0")" && pwd)

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] || { echo "postgres-temp: no /usr/lib/postgresql/*/bin after installing postgresql" >&2; exit 1; }
  echo "$d"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:?port}
    bash "$here/install-deps.sh" postgresql
    bin=$(bindir)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    # Password authentication (SCRAM) even on loopback, so the client's password path is exercised.
    password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$password" > "$dir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pwfile"
    as_owner "$bin/initdb" -D "$dir/pgdata" -U sonoqc --auth=scram-sha-256 --pwfile="$dir/pwfile" -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    as_owner "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://sonoqc:$password@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
  stop)
    [ -d "$dir/pgdata" ] || exit 0
    as_owner "$(bindir)/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: postgres-temp.sh start DIR PORT | stop DIR" >&2; exit 64 ;;
esac
