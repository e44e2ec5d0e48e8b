# Shared by deploy.sh, backup.sh, status.sh and logs.sh: settings and small helpers.
# Sourced, never run. `npm run admin` pipes lib.sh + the script over ssh (`bash -s`), so the Pi
# always runs the scripts of the checkout you deploy from; on the Pi you can also run them by hand.
ROLLCALL_LIB_LOADED=1

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'rollcall: %s\n' "$*" >&2; exit 1; }

# Reads $ROOT/deploy.conf (shell assignments) over the defaults below. ROOT comes from --root or
# ROLLCALL_ROOT, else /opt/rollcall.
load_conf() {
  ROOT="${ROOT:-${ROLLCALL_ROOT:-/opt/rollcall}}"
  [ -d "$ROOT" ] || die "$ROOT does not exist (run deploy/setup-pi.sh on the Pi first, or pass --root)"
  ROOT="$(cd "$ROOT" && pwd -P)"
  SERVICE=rollcall
  REPO_URL=""
  DEFAULT_REF=main
  DATABASE_PATH="$ROOT/data/rollcall.sqlite"
  BOT_URL="http://127.0.0.1:8787"
  NODE=node
  INSTALL_CMD="npm ci --no-audit --no-fund"
  BUILD_CMD="npm run build"
  RESTART_CMD=""
  STOP_CMD=""
  LOGS_CMD=""
  HEALTH_TIMEOUT=90
  KEEP_RELEASES=3
  KEEP_BACKUPS=14
  if [ -f "$ROOT/deploy.conf" ]; then
    # shellcheck disable=SC1091
    . "$ROOT/deploy.conf"
  fi
  RESTART_CMD="${RESTART_CMD:-sudo -n systemctl restart $SERVICE}"
  STOP_CMD="${STOP_CMD:-sudo -n systemctl stop $SERVICE}"
  LOGS_CMD="${LOGS_CMD:-journalctl -u $SERVICE --no-pager -o short-iso}"
  export DATABASE_PATH
}

# The admin tool of the release `current` points at (built JavaScript, no tsx needed).
admin_js() {
  local release="${1:-$ROOT/current}"
  [ -f "$release/dist/src/cli/admin.js" ] || die "no built release at $release (deploy one first)"
  printf '%s' "$release/dist/src/cli/admin.js"
}

# Polls $BOT_URL/healthz until it answers 200 with revision $1 (any revision if empty), or fails
# after HEALTH_TIMEOUT seconds. Uses node's fetch so the Pi needs no curl.
wait_healthy() {
  "$NODE" -e '
    const [url, want, seconds] = process.argv.slice(1);
    const deadline = Date.now() + Number(seconds) * 1000;
    let last = "no answer";
    const tick = async () => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
        const body = await res.json().catch(() => ({}));
        if (res.status === 200 && (!want || body.revision === want)) { console.error(`healthy: ${url} revision ${body.revision}`); process.exit(0); }
        last = res.status === 200 ? `still revision ${body.revision}` : `HTTP ${res.status}`;
      } catch (e) { last = e.cause?.code ?? e.message; }
      if (Date.now() > deadline) { console.error(`not healthy after ${seconds} s: ${last}`); process.exit(1); }
      setTimeout(tick, 1000);
    };
    tick();
  ' "$BOT_URL/healthz" "${1:-}" "$HEALTH_TIMEOUT"
}
