#!/usr/bin/env bash
# Health, version, uptime and gateway state of the bot on this machine.
#   status.sh [--root DIR] [--json]
set -euo pipefail
if [ -z "${ROLLCALL_LIB_LOADED:-}" ]; then . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"; fi

main() {
  exec </dev/null
  local extra=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) ROOT="$2"; shift 2 ;;
      --json) extra+=(--json); shift ;;
      *) die "status.sh: unknown argument $1" ;;
    esac
  done
  load_conf
  local current=""
  [ -L "$ROOT/current" ] && current="$(basename "$(readlink "$ROOT/current")")"
  "$NODE" "$(admin_js)" status --url "$BOT_URL" --release "${current:-none}" "${extra[@]}"
}
main "$@"
