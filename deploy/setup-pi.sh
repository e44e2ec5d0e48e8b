#!/usr/bin/env bash
# First-time setup of a Raspberry Pi (Raspberry Pi OS / Debian 12+) for rollcall. Run once, as root,
# from a checkout of rollcall on the Pi:
#   sudo bash deploy/setup-pi.sh --user "$USER" --repo https://github.com/you/rollcall.git
# (a private repository: --repo git@github.com:you/rollcall.git, after the deploy key and
# known_hosts steps of docs/raspberry-pi.md)
# It creates the `rollcall` system user and /opt/rollcall, installs the systemd units, the sudoers
# rule for deploys, Caddy's config and the nightly backup timer. It never overwrites deploy.conf,
# the environment file or an existing Caddyfile without keeping a copy. Safe to run again.
set -euo pipefail
say() { printf '==> %s\n' "$*"; }
die() { printf 'setup-pi: %s\n' "$*" >&2; exit 1; }

DEPLOY_USER="" REPO_URL="" ROOT=/opt/rollcall SITE="http://:8080"
while [ $# -gt 0 ]; do
  case "$1" in
    --user) DEPLOY_USER="$2"; shift 2 ;;
    --repo) REPO_URL="$2"; shift 2 ;;
    --site) SITE="$2"; shift 2 ;;
    *) die "unknown argument $1 (see the top of this file)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "run it with sudo"
[ -n "$DEPLOY_USER" ] || die "--user is required: the account you ssh in with to deploy (e.g. pi)"
id "$DEPLOY_USER" >/dev/null 2>&1 || die "user $DEPLOY_USER does not exist"
[ -n "$REPO_URL" ] || die "--repo is required: the git URL the Pi fetches releases from"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say "system packages (git, caddy, sqlite3, build tools for better-sqlite3)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git caddy sqlite3 ca-certificates python3 make g++ >/dev/null

if [[ "$REPO_URL" == git@* || "$REPO_URL" == ssh://* ]]; then
  # deploy.sh fetches as $DEPLOY_USER, without a terminal to answer ssh's unknown-host question.
  host="${REPO_URL#ssh://}"; host="${host#*@}"; host="${host%%[:/]*}"
  home="$(getent passwd "$DEPLOY_USER" | cut -d: -f6)"
  if ! sudo -u "$DEPLOY_USER" ssh-keygen -F "$host" -f "$home/.ssh/known_hosts" >/dev/null 2>&1; then
    die "$host is not in $home/.ssh/known_hosts yet: as $DEPLOY_USER run  ssh-keyscan -t ed25519 $host >> ~/.ssh/known_hosts  (compare the fingerprint with your git host's published one), and set up the deploy key (docs/raspberry-pi.md, step 3), then run this again"
  fi
fi

# package.json's engines: 22.12 or newer (@discordjs/voice's DAVE needs it); 24 LTS recommended.
NODE_OK="$(node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.stdout.write(a > 22 || (a === 22 && b >= 12) ? "yes" : "no")' 2>/dev/null || echo no)"
if [ "$NODE_OK" != yes ] || [ ! -x /usr/bin/node ]; then
  die "Node.js 22.12 or newer is needed at /usr/bin/node (found: $(node --version 2>/dev/null || echo none)). Install Node 24 LTS from NodeSource (docs/raspberry-pi.md, step 2), then run this again."
fi

say "user rollcall and group membership for $DEPLOY_USER"
id rollcall >/dev/null 2>&1 || useradd --system --home-dir "$ROOT" --no-create-home --shell /usr/sbin/nologin rollcall
usermod -a -G rollcall "$DEPLOY_USER"
getent group systemd-journal >/dev/null && usermod -a -G systemd-journal "$DEPLOY_USER"

say "folders under $ROOT"
install -d -o "$DEPLOY_USER" -g rollcall -m 0755 "$ROOT" "$ROOT/releases"
# setgid: files created inside stay in group rollcall, so the deploy user can back up and migrate.
install -d -o rollcall -g rollcall -m 2770 "$ROOT/data" "$ROOT/backups"
# A database an earlier deploy left 0640 (owned by the deploy user): the service could not write it.
for f in "$ROOT/data"/rollcall.sqlite "$ROOT/data"/rollcall.sqlite-wal "$ROOT/data"/rollcall.sqlite-shm; do
  if [ -f "$f" ]; then chgrp rollcall "$f" && chmod g+rw "$f"; fi
done
install -d -o root -g rollcall -m 0750 "$ROOT/shared"

if [ ! -f "$ROOT/deploy.conf" ]; then
  say "writing $ROOT/deploy.conf"
  cat >"$ROOT/deploy.conf" <<CONF
# Read by deploy/deploy.sh, backup.sh, status.sh, logs.sh (shell syntax). See docs/operations.md.
REPO_URL=$REPO_URL
DEFAULT_REF=main
DATABASE_PATH=$ROOT/data/rollcall.sqlite
BOT_URL=http://127.0.0.1:8787
KEEP_RELEASES=3
KEEP_BACKUPS=14
HEALTH_TIMEOUT=90
CONF
  chown "$DEPLOY_USER:rollcall" "$ROOT/deploy.conf"
fi

ENV_FILE="$ROOT/shared/rollcall.env"
if [ ! -f "$ENV_FILE" ]; then
  say "writing $ENV_FILE (fill in the three Discord values with: sudoedit $ENV_FILE)"
  cat >"$ENV_FILE" <<ENV
DISCORD_APPLICATION_ID=
DISCORD_PUBLIC_KEY=
DISCORD_TOKEN=
DATABASE_PATH=$ROOT/data/rollcall.sqlite
HTTP_HOST=127.0.0.1
HTTP_PORT=8787
LOG_LEVEL=info
ENV
fi
chown rollcall:rollcall "$ENV_FILE"
chmod 0600 "$ENV_FILE"

say "systemd units"
# One process (rollcall.service) runs the webhook and the gateway. An earlier guide offered two
# (rollcall-http + rollcall-gateway); those units are retired: a deploy's stop, restore and health
# check, and the sudoers rule, are for rollcall.service alone.
for old in rollcall-http.service rollcall-gateway.service; do
  if [ -f "/etc/systemd/system/$old" ]; then
    say "retiring $old (rollcall.service runs both halves)"
    systemctl disable --now --quiet "$old" 2>/dev/null || true
    rm -f "/etc/systemd/system/$old"
  fi
done
install -m 0644 "$HERE/systemd/rollcall.service" "$HERE/systemd/rollcall-backup.service" "$HERE/systemd/rollcall-backup.timer" /etc/systemd/system/
install -d /etc/systemd/system/caddy.service.d
if [ ! -f /etc/systemd/system/caddy.service.d/rollcall.conf ]; then
  sed "s|^Environment=ROLLCALL_SITE=http://:8080|Environment=ROLLCALL_SITE=$SITE|" "$HERE/systemd/caddy-rollcall.conf" >/etc/systemd/system/caddy.service.d/rollcall.conf
fi

say "sudoers rule: $DEPLOY_USER may restart/stop/start rollcall without a password"
sed "s/^DEPLOY_USER /$DEPLOY_USER /" "$HERE/sudoers.d/rollcall" >/etc/sudoers.d/rollcall.new
chmod 0440 /etc/sudoers.d/rollcall.new
visudo -cf /etc/sudoers.d/rollcall.new >/dev/null || { rm -f /etc/sudoers.d/rollcall.new; die "the sudoers rule did not validate"; }
mv /etc/sudoers.d/rollcall.new /etc/sudoers.d/rollcall

say "Caddy"
if [ -f /etc/caddy/Caddyfile ] && ! cmp -s /etc/caddy/Caddyfile "$HERE/../Caddyfile"; then
  cp /etc/caddy/Caddyfile "/etc/caddy/Caddyfile.before-rollcall.$(date +%s)"
fi
install -m 0644 "$HERE/../Caddyfile" /etc/caddy/Caddyfile

systemctl daemon-reload
systemctl enable --quiet rollcall.service rollcall-backup.timer
systemctl start rollcall-backup.timer
systemctl restart caddy

cat <<NEXT

Done. Next:
  1. sudoedit $ENV_FILE          # the three DISCORD_ values
  2. log out and in again              # so $DEPLOY_USER is in the rollcall group
  3. from your computer:  npm run admin -- deploy --host $DEPLOY_USER@$(hostname).local
  4. set up the tunnel (docs/raspberry-pi.md, step 5) and paste https://<name>/interactions into
     the Discord developer portal.
NEXT
