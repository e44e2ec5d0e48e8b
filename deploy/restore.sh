#!/usr/bin/env bash
# Puts a backup back into the live database: stop the bot, restore, start it, wait for /healthz.
#   restore.sh [--root DIR] --from FILE
# The backup is written *into* the database file with SQLite's backup API (the admin tool's
# `restore`), so the file keeps its owner, group and mode and the service can write it after; what
# the database held before is kept as data/rollcall.sqlite.before-restore-<UTC time>. A backup
# older than the release is migrated forward when the bot starts; one newer than it is refused:
# deploy the matching release first. The last line on stdout is the JSON report.
set -euo pipefail
if [ -z "${ROLLCALL_LIB_LOADED:-}" ]; then . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"; fi

main() {
  exec </dev/null
  local from=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) ROOT="$2"; shift 2 ;;
      --from) from="$2"; shift 2 ;;
      *) die "restore.sh: unknown argument $1" ;;
    esac
  done
  load_conf
  [ -n "$from" ] || die "restore.sh: --from FILE is required"
  [ -f "$from" ] || die "no backup at $from"
  local tool
  tool="$(admin_js)"
  exec 9>"$ROOT/.deploy.lock"
  flock -n 9 || die "a deploy is running on this machine; try again when it is done"
  say "stopping the bot: $STOP_CMD"
  eval "$STOP_CMD" 9>&-
  local report status=0
  report="$(umask 0007 && "$NODE" "$tool" restore --from "$from" --database "$DATABASE_PATH" \
    --keep "$DATABASE_PATH.before-restore-$(date -u +%Y%m%dT%H%M%SZ)" --json)" || status=$?
  say "starting the bot: $RESTART_CMD"
  eval "$RESTART_CMD" 9>&-
  [ "$status" -eq 0 ] || die "the restore failed (see above); the bot was started again on the database as it was"
  local verdict="$ROOT/.health-verdict"
  rm -f "$verdict"
  HEALTH_VERDICT_FILE="$verdict" wait_healthy "" ||
    die "restored, but the bot does not come up: $(bot_said) $(cat "$verdict" 2>/dev/null || true)"
  printf '%s\n' "$report"
}
main "$@"
