#!/usr/bin/env bash
# Deploys a git ref of rollcall on this machine and rolls back if it does not come up.
#   deploy.sh [--root DIR] [--force] [REF]        (REF defaults to DEFAULT_REF, usually main)
#
# Layout under ROOT (default /opt/rollcall, settings in ROOT/deploy.conf):
#   repo.git/            bare mirror of REPO_URL
#   releases/<sha>/      one immutable build per commit (REVISION file, node_modules, dist)
#   current -> releases/<sha>   what the service runs; `previous` names the one before
#   data/                the SQLite database (DATABASE_PATH), shared by all releases
#   backups/             nightly backups and pre-deploy-*.sqlite snapshots
#
# Steps: fetch → build the release in a temporary folder (INSTALL_CMD, or hard links to the previous
# release's node_modules when package-lock.json and Node's module ABI are unchanged; BUILD_CMD),
# renamed into releases/<sha> when done → snapshot the database → migrate → switch `current` →
# RESTART_CMD → wait until /healthz reports the new revision *and* the gateway READY. If it does not
# within HEALTH_TIMEOUT seconds (or the service exits, e.g. Discord refused the token): switch back,
# restore the snapshot into the database file if migrations ran (the old code refuses a database
# migrated past it; the file keeps its owner and mode), restart, and exit 1 saying why.
# --force rebuilds the release from scratch (a fresh INSTALL_CMD: native modules compiled for the
# Node that runs now); a release built for another Node ABI (.node-abi) is rebuilt the same way.
set -euo pipefail
if [ -z "${ROLLCALL_LIB_LOADED:-}" ]; then . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"; fi

main() {
  exec </dev/null # when piped over ssh, nothing below may eat the rest of the script
  local ref="" force=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) ROOT="$2"; shift 2 ;;
      --force) force=1; shift ;;
      -*) die "deploy.sh: unknown option $1" ;;
      *) ref="$1"; shift ;;
    esac
  done
  load_conf
  ref="${ref:-$DEFAULT_REF}"
  [ -n "$REPO_URL" ] || die "REPO_URL is not set in $ROOT/deploy.conf"
  cd "$ROOT"
  mkdir -p releases backups "$(dirname "$DATABASE_PATH")"
  exec 9>"$ROOT/.deploy.lock"
  flock -n 9 || die "another deploy is running on this machine"
  local abi
  abi="$(node_abi)" || die "cannot run $NODE (NODE in deploy.conf)"

  say "fetching $ref from $REPO_URL"
  if [ ! -d repo.git ]; then git clone --quiet --bare "$REPO_URL" repo.git; fi
  git -C repo.git fetch --quiet --force --prune "$REPO_URL" '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
  local sha
  sha="$(git -C repo.git rev-parse --verify --quiet "$ref^{commit}")" || die "ref '$ref' was not found in $REPO_URL"
  local previous=""
  [ -L current ] && previous="$(basename "$(readlink current)")"
  local release="$ROOT/releases/$sha"
  local rebuild="$force"
  if [ -f "$release/.complete" ] && [ "$(cat "$release/.node-abi" 2>/dev/null)" != "$abi" ]; then
    say "release ${sha:0:12} was built for Node module ABI $(cat "$release/.node-abi" 2>/dev/null || echo unknown), this Node ($("$NODE" --version)) has $abi: rebuilding it"
    rebuild=1
  fi
  if [ "$sha" = "$previous" ] && [ -z "$rebuild" ]; then
    # Also what a rerun finds after a dropped connection: say whether it is actually up.
    if HEALTH_TIMEOUT=10 wait_healthy "$sha"; then
      say "$sha is already the current release (use --force to redeploy it)"
      exit 0
    fi
    die "${sha:0:12} is the current release but it is not healthy; see the logs, or redeploy it with --force"
  fi

  if [ ! -f "$release/.complete" ] || [ -n "$rebuild" ]; then
    build_release "$sha" "$previous" "$abi" "$rebuild"
  else
    say "release ${sha:0:12} is already built"
  fi

  local snapshot=""
  if [ -f "$DATABASE_PATH" ]; then
    snapshot="$ROOT/backups/pre-deploy-$(date -u +%Y%m%dT%H%M%SZ)-${sha:0:12}.sqlite"
    say "snapshot of the database before migrating: $snapshot"
    (umask 0007 && "$NODE" "$release/dist/src/cli/admin.js" backup --database "$DATABASE_PATH" --out "$snapshot" --quiet) ||
      die "could not back up $DATABASE_PATH; nothing was changed"
  fi
  say "migrating $DATABASE_PATH"
  local migrated applied="" status=0
  # The migration creates the database on a first deploy: 0660 (src/shared/db/database.ts), group
  # rollcall from the setgid data/ folder, so the service user can write what the deploy user made.
  migrated="$(umask 0007 && "$NODE" "$release/dist/src/cli/migrate.js" 2>&1)" || status=$?
  printf '%s\n' "$migrated" >&2
  # (An older release words it as kysely does: "previously executed migration … is missing".)
  if [ "$status" -ne 0 ] && grep -qE 'migrated by a newer release|previously executed migration .* is missing' <<<"$migrated" && [ -n "$previous" ] && [ "$previous" != "$sha" ]; then
    # Going back to an older release across a migration: its code refuses the database the newer
    # one migrated. Put back the snapshot taken just before that newer release migrated it.
    back_to_snapshot "$sha" "$previous" "$release" "$snapshot"
    applied=1 # from here a failed start puts $snapshot (the database as it was a minute ago) back
  elif [ "$status" -ne 0 ]; then
    die "migration failed; the running release is untouched"
  fi
  grep -q '^applied ' <<<"$migrated" && applied=1

  switch_to "$sha"
  say "restarting: $RESTART_CMD"
  local verdict="$ROOT/.health-verdict"
  rm -f "$verdict"
  # 9>&-: whatever the restart starts must not inherit (and keep holding) the deploy lock.
  if eval "$RESTART_CMD" 9>&- && HEALTH_VERDICT_FILE="$verdict" wait_healthy "$sha"; then
    if [ -n "$previous" ] && [ "$previous" != "$sha" ]; then printf '%s\n' "$previous" >previous; fi
    rm -rf releases/.old-* 2>/dev/null || true
    prune "$sha" "$previous"
    say "deployed ${sha:0:12} ($ref)"
    printf 'deployed %s\n' "$sha"
    exit 0
  fi

  # Why: when the bot stopped, in its own words if it said something (e.g. the token Discord
  # refused); else (or while it still runs) what the health check saw last.
  local why="" seen
  seen="$(sed 's/^not healthy: //' "$verdict" 2>/dev/null || true)"
  if [[ "$seen" == "the service is not running"* ]]; then why="$(bot_said)"; fi
  why="${why:-${seen:-it did not answer}}"
  say "release ${sha:0:12} did not come up: $why"
  if [ -z "$previous" ]; then
    die "deploy of ${sha:0:12} failed: $why; there is no previous release to roll back to (see the logs)"
  fi
  if [ "$previous" = "$sha" ]; then
    die "redeploy of ${sha:0:12} failed: $why; it was already the current release, so nothing was rolled back (see the logs)"
  fi
  rollback "$previous" "$applied" "$snapshot" "$release"
  die "deploy of ${sha:0:12} failed its health check ($why); rolled back to ${previous:0:12}"
}

# Builds releases/<sha> in releases/.build-<sha> and renames it into place when complete, so a
# rebuild of the release that runs now (--force, a new Node) never leaves it half-replaced.
build_release() {
  local sha="$1" previous="$2" abi="$3" rebuild="$4"
  local release="$ROOT/releases/$sha" tmp="$ROOT/releases/.build-$sha"
  say "${rebuild:+re}building release ${sha:0:12}${rebuild:+ (fresh install: native modules compiled for Node ABI $abi)}"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  git -C repo.git archive "$sha" | tar -x -C "$tmp"
  printf '%s\n' "$sha" >"$tmp/REVISION"
  if [ -z "$rebuild" ] && [ -n "$previous" ] && [ -d "releases/$previous/node_modules" ] &&
    [ "$(cat "releases/$previous/.node-abi" 2>/dev/null)" = "$abi" ] &&
    cmp -s "releases/$previous/package-lock.json" "$tmp/package-lock.json"; then
    # Same lockfile, same Node ABI: the same packages. Hard links cost no space and skip a rebuild of native modules.
    say "package-lock.json unchanged: reusing node_modules of ${previous:0:12}"
    cp -al "releases/$previous/node_modules" "$tmp/node_modules"
  else
    (cd "$tmp" && say "install: $INSTALL_CMD" && eval "$INSTALL_CMD" >&2) || { rm -rf "$tmp"; die "install failed for ${sha:0:12}; the running release is untouched"; }
  fi
  (cd "$tmp" && say "build: $BUILD_CMD" && eval "$BUILD_CMD" >&2) || { rm -rf "$tmp"; die "build failed for ${sha:0:12}; the running release is untouched"; }
  printf '%s\n' "$abi" >"$tmp/.node-abi"
  touch "$tmp/.complete"
  if [ -d "$release" ]; then
    # The running process keeps its files (it holds them open); the restart below uses the new ones.
    rm -rf "$ROOT/releases/.old-$sha"
    mv -T "$release" "$ROOT/releases/.old-$sha"
  fi
  mv -T "$tmp" "$release"
}

# back_to_snapshot SHA CURRENT RELEASE SNAPSHOT: the database has migrations release SHA does not know,
# applied when CURRENT was deployed. Restores the newest backups/pre-deploy-*-CURRENT.sqlite into the
# database file (the service stopped; owner and mode kept; the newer database stays next to it as
# rollcall.sqlite.before-rollback-<time>) and migrates it forward to SHA. When there is no such
# snapshot, or SHA does not accept it either, the database is put back as it was and the deploy stops.
back_to_snapshot() {
  local sha="$1" current="$2" release="$3" snapshot="$4"
  local older
  older="$(find backups -maxdepth 1 -name "pre-deploy-*-${current:0:12}.sqlite" -printf '%f\n' | sort | tail -n 1)"
  [ -n "$older" ] || die "the database was migrated by ${current:0:12} and there is no backups/pre-deploy-*-${current:0:12}.sqlite to go back to (docs/operations.md, \"Rolling back by hand\"); the running release is untouched"
  say "the database was migrated by ${current:0:12}: restoring backups/$older, taken just before that deploy (the database as it is now stays in $DATABASE_PATH.before-rollback-*)"
  eval "$STOP_CMD" 9>&- || true
  local kept
  kept="$DATABASE_PATH.before-rollback-$(date -u +%Y%m%dT%H%M%SZ)"
  restore_database "$ROOT/backups/$older" "$kept" "$release" || { eval "$RESTART_CMD" 9>&- || true; die "could not restore backups/$older; ${current:0:12} was started again on the database as it was"; }
  local again
  if ! again="$(umask 0007 && "$NODE" "$release/dist/src/cli/migrate.js" 2>&1)"; then
    printf '%s\n' "$again" >&2
    restore_database "$snapshot" "$DATABASE_PATH.refused-$(date -u +%Y%m%dT%H%M%SZ)" "$release" || true
    eval "$RESTART_CMD" 9>&- || true
    die "${sha:0:12} does not accept backups/$older either (a release in between migrated it too); the database and ${current:0:12} are as they were (docs/operations.md, \"Rolling back by hand\")"
  fi
  printf '%s\n' "$again" >&2
}

switch_to() {
  ln -sfn "releases/$1" current.tmp
  mv -T current.tmp current
}

# Switches back to $1 and restarts it; when migrations ran, first puts the pre-deploy snapshot back.
# The snapshot is copied *into* the database file (SQLite's backup API, with the service stopped), so
# the file keeps its owner, group and mode (rollcall:rollcall 0660, or whoever made it) and the
# service can write it after; the failed database is kept next to it for a post-mortem.
rollback() {
  local previous="$1" applied="$2" snapshot="$3" release="$4"
  say "rolling back to ${previous:0:12}"
  if [ "$(cat "releases/$previous/.node-abi" 2>/dev/null)" != "$(node_abi)" ]; then
    say "${previous:0:12} was built for another Node (module ABI $(cat "releases/$previous/.node-abi" 2>/dev/null || echo unknown)); if it does not start, redeploy it with --force"
  fi
  switch_to "$previous"
  if [ -n "$applied" ] && [ -n "$snapshot" ]; then
    say "migrations ran; restoring $snapshot (stop: $STOP_CMD)"
    eval "$STOP_CMD" 9>&- || true
    restore_database "$snapshot" "$DATABASE_PATH.failed-deploy-$(date -u +%Y%m%dT%H%M%SZ)" "$release" ||
      say "could not restore $snapshot; restore it by hand (docs/operations.md, \"Rolling back by hand\")"
  fi
  eval "$RESTART_CMD" 9>&- || true
  local verdict="$ROOT/.health-verdict"
  rm -f "$verdict"
  HEALTH_VERDICT_FILE="$verdict" wait_healthy "$previous" ||
    say "the previous release is not healthy either: $(bot_said || true) $(cat "$verdict" 2>/dev/null || true); see the logs"
}

# restore_database SNAPSHOT KEEP [RELEASE]: the admin tool's `restore` (of RELEASE, else current).
restore_database() {
  local snapshot="$1" keep="$2" release="${3:-$ROOT/current}"
  local tool="$release/dist/src/cli/admin.js"
  [ -f "$tool" ] || tool="$ROOT/current/dist/src/cli/admin.js"
  if (umask 0007 && "$NODE" "$tool" restore --from "$snapshot" --database "$DATABASE_PATH" --keep "$keep" --quiet); then return 0; fi
  # A release without `restore`: the service is stopped, so a plain copy *into* the file (not a new
  # file in its place) does the same and keeps its owner and mode.
  say "copying $snapshot into $DATABASE_PATH instead"
  cp "$DATABASE_PATH" "$keep" 2>/dev/null || true
  rm -f "$DATABASE_PATH-wal" "$DATABASE_PATH-shm"
  cp "$snapshot" "$DATABASE_PATH"
}

# Keeps the newest KEEP_RELEASES releases plus the current and previous ones, and 3 snapshots.
prune() {
  local keep_a="$1" keep_b="$2" n=0 dir
  for dir in $(ls -1t releases || true); do
    n=$((n + 1))
    if [ "$n" -gt "$KEEP_RELEASES" ] && [ "$dir" != "$keep_a" ] && [ "$dir" != "$keep_b" ]; then
      say "removing old release ${dir:0:12}"
      rm -rf "releases/$dir"
    fi
  done
  find backups -maxdepth 1 -name 'pre-deploy-*.sqlite' -printf '%f\n' | sort -r | tail -n +4 |
    while read -r old; do rm -f -- "backups/$old"; done
}

main "$@"
