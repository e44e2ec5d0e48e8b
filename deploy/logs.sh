#!/usr/bin/env bash
# The bot's log from journald (LOGS_CMD in deploy.conf overrides the command).
#   logs.sh [--root DIR] [--lines N] [--follow]
set -euo pipefail
if [ -z "${ROLLCALL_LIB_LOADED:-}" ]; then . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"; fi

main() {
  exec </dev/null
  local lines=100 follow=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) ROOT="$2"; shift 2 ;;
      --lines) lines="$2"; shift 2 ;;
      --follow) follow=1; shift ;;
      *) die "logs.sh: unknown argument $1" ;;
    esac
  done
  [[ "$lines" =~ ^[0-9]+$ ]] || die "--lines must be a number"
  load_conf
  if [ -n "$follow" ]; then eval "$LOGS_CMD -n $lines -f"; else eval "$LOGS_CMD -n $lines"; fi
}
main "$@"
