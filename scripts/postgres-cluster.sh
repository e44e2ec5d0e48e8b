#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests (Debian's `postgresql` package; nothing is installed here):
#   postgres-cluster.sh start DIR PORT   initdb into DIR, listen on 127.0.0.1:PORT only, print its URL
#   postgres-cluster.sh stop DIR         stop it at once and remove DIR
# initdb refuses to run as root: as root, the cluster runs as the `postgres` user the package made.
# Trust authentication on loopback and no fsync: a test cluster, never a place for data.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  initdb=$(command -v initdb || true)
  [ -n "$initdb" ] || { echo "postgres-cluster: initdb not found (apt-get install postgresql)" >&2; exit 1; }
  bin=$(dirname "$(readlink -f "$initdb")")
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U rollcall -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=200" start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://rollcall@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "postgres-cluster: start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
