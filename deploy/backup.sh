#!/usr/bin/env bash
# Online backup of the live database (the bot keeps running), checked with PRAGMA integrity_check.
#   backup.sh [--root DIR] [--out FILE] [--keep N]
# Without --out it writes $ROOT/backups/rollcall-<UTC time>.sqlite and keeps the newest N of those
# (KEEP_BACKUPS in deploy.conf, default 14); the nightly systemd timer runs exactly this.
# The last line on stdout is the admin tool's JSON report (path, bytes, sha256, tables).
set -euo pipefail
if [ -z "${ROLLCALL_LIB_LOADED:-}" ]; then . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"; fi

main() {
  exec </dev/null
  local out="" keep=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) ROOT="$2"; shift 2 ;;
      --out) out="$2"; shift 2 ;;
      --keep) keep="$2"; shift 2 ;;
      *) die "backup.sh: unknown argument $1" ;;
    esac
  done
  load_conf
  keep="${keep:-$KEEP_BACKUPS}"
  local rotate=""
  if [ -z "$out" ]; then
    mkdir -p "$ROOT/backups"
    out="$ROOT/backups/rollcall-$(date -u +%Y%m%dT%H%M%S.%3NZ).sqlite"
    rotate=1
  fi
  "$NODE" "$(admin_js)" backup --database "$DATABASE_PATH" --out "$out" --json
  if [ -n "$rotate" ] && [ "$keep" -gt 0 ]; then
    # Names sort by time; drop all but the newest $keep.
    find "$ROOT/backups" -maxdepth 1 -name 'rollcall-*.sqlite' -printf '%f\n' | sort -r | tail -n +"$((keep + 1))" |
      while read -r old; do rm -f -- "$ROOT/backups/$old"; say "rotated out $old"; done
  fi
}
main "$@"
