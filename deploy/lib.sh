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
  ACTIVE_CMD=""
  LOGS_CMD=""
  REBUILD_INSTALL_CMD=""
  HEALTH_TIMEOUT=90
  KEEP_RELEASES=3
  KEEP_BACKUPS=14
  if [ -f "$ROOT/deploy.conf" ]; then
    # shellcheck disable=SC1091
    . "$ROOT/deploy.conf"
  fi
  RESTART_CMD="${RESTART_CMD:-sudo -n systemctl restart $SERVICE}"
  STOP_CMD="${STOP_CMD:-sudo -n systemctl stop $SERVICE}"
  # Whether the service still runs (a deploy stops waiting when it does not); needs no sudo.
  ACTIVE_CMD="${ACTIVE_CMD:-systemctl is-active --quiet $SERVICE}"
  LOGS_CMD="${LOGS_CMD:-journalctl -u $SERVICE --no-pager -o short-iso}"
  export DATABASE_PATH
}

# The admin tool of the release `current` points at (built JavaScript, no tsx needed).
admin_js() {
  local release="${1:-$ROOT/current}"
  [ -f "$release/dist/src/cli/admin.js" ] || die "no built release at $release (deploy one first)"
  printf '%s' "$release/dist/src/cli/admin.js"
}

# Polls $BOT_URL/healthz until the release is really up: 200, revision $1 (any revision if empty)
# and the gateway READY at least once since the process started (/healthz answers 200 during its
# grace period whether the gateway ever connects or not; a release older than that field counts
# "connected"; a webhook-only process needs only its database). Fails after HEALTH_TIMEOUT
# seconds, or as soon as ACTIVE_CMD says twice in a row that the service is not running (it
# exited: a crash, or Discord refused the token). The last line it prints says why; it is also
# written to $HEALTH_VERDICT_FILE when set. Uses node's fetch so the Pi needs no curl.
wait_healthy() {
  ROLLCALL_ACTIVE_CMD="$ACTIVE_CMD" ROLLCALL_VERDICT_FILE="${HEALTH_VERDICT_FILE:-}" "$NODE" -e '
    const { spawnSync } = require("node:child_process");
    const { writeFileSync } = require("node:fs");
    const [url, want, seconds] = process.argv.slice(1);
    const active = process.env.ROLLCALL_ACTIVE_CMD;
    const deadline = Date.now() + Number(seconds) * 1000;
    let last = "no answer";
    let down = 0;
    const end = (code, line) => {
      console.error(line);
      if (process.env.ROLLCALL_VERDICT_FILE) writeFileSync(process.env.ROLLCALL_VERDICT_FILE, line + "\n");
      process.exit(code);
    };
    const tick = async () => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
        const body = await res.json().catch(() => ({}));
        const g = body.gateway ?? {};
        const ready = g.inProcess === false || (g.readyOnce ?? g.connected) === true;
        if (res.status === 200 && (!want || body.revision === want) && ready) end(0, `healthy: ${url} revision ${body.revision}, gateway ready`);
        last = res.status !== 200 ? `HTTP ${res.status}${body.problems?.length ? ` (${body.problems.join("; ")})` : ""}`
          : want && body.revision !== want ? `still revision ${body.revision}`
          : `the gateway has not been READY yet (state: ${g.state ?? "unknown"})`;
      } catch (e) { last = e.cause?.code ?? e.message; }
      if (active && spawnSync("bash", ["-c", active], { stdio: "ignore" }).status !== 0) {
        if (++down >= 2) end(2, `not healthy: the service is not running (${last})`);
      } else down = 0;
      if (Date.now() > deadline) end(1, `not healthy after ${seconds} s: ${last}`);
      setTimeout(tick, 1000);
    };
    tick();
  ' "$BOT_URL/healthz" "${1:-}" "$HEALTH_TIMEOUT"
}

# The bot's own last word from its log: its one `rollcall: …` line (a configuration error such as a
# token Discord refused), else the last `…Error: …` line of a crash; empty when there is none.
bot_said() {
  { eval "$LOGS_CMD -n 60" 2>/dev/null || true; } | grep -oE '(rollcall: |[A-Za-z]*Error: ).*' | tail -n 1 | sed 's/^rollcall: //'
}

# The ABI of $NODE's native modules (process.versions.modules): a Node major upgrade changes it,
# and better-sqlite3 built for another one does not load.
node_abi() {
  "$NODE" -p 'process.versions.modules'
}
