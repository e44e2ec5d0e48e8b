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
# Steps: fetch → build the release (INSTALL_CMD, or hard links to the previous release's
# node_modules when package-lock.json is unchanged; BUILD_CMD) → snapshot the database → migrate →
# switch `current` → RESTART_CMD → wait for /healthz to report the new revision. If it does not
# within HEALTH_TIMEOUT seconds: switch back, restore the snapshot if migrations ran (the old code
# refuses a database migrated past it), restart, and exit 1.
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

  say "fetching $ref from $REPO_URL"
  if [ ! -d repo.git ]; then git clone --quiet --bare "$REPO_URL" repo.git; fi
  git -C repo.git fetch --quiet --force --prune "$REPO_URL" '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
  local sha
  sha="$(git -C repo.git rev-parse --verify --quiet "$ref^{commit}")" || die "ref '$ref' was not found in $REPO_URL"
  local previous=""
  [ -L current ] && previous="$(basename "$(readlink current)")"
  if [ "$sha" = "$previous" ] && [ -z "$force" ]; then
    # Also what a rerun finds after a dropped connection: say whether it is actually up.
    if HEALTH_TIMEOUT=10 wait_healthy "$sha"; then
      say "$sha is already the current release (use --force to redeploy it)"
      exit 0
    fi
    die "${sha:0:12} is the current release but it is not healthy; see the logs, or redeploy it with --force"
  fi

  local release="$ROOT/releases/$sha"
  if [ ! -f "$release/.complete" ]; then
    say "building release ${sha:0:12}"
    rm -rf "$release"
    mkdir -p "$release"
    git -C repo.git archive "$sha" | tar -x -C "$release"
    printf '%s\n' "$sha" >"$release/REVISION"
    if [ -n "$previous" ] && [ -d "releases/$previous/node_modules" ] && cmp -s "releases/$previous/package-lock.json" "$release/package-lock.json"; then
      # Same lockfile: the same packages. Hard links cost no space and skip a rebuild of native modules.
      say "package-lock.json unchanged: reusing node_modules of ${previous:0:12}"
      cp -al "releases/$previous/node_modules" "$release/node_modules"
    else
      (cd "$release" && say "install: $INSTALL_CMD" && eval "$INSTALL_CMD" >&2) || die "install failed for ${sha:0:12}; the running release is untouched"
    fi
    (cd "$release" && say "build: $BUILD_CMD" && eval "$BUILD_CMD" >&2) || die "build failed for ${sha:0:12}; the running release is untouched"
    touch "$release/.complete"
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
  local migrated
  # umask 0007: a database created here stays writable for the service user (same group).
  migrated="$(umask 0007 && "$NODE" "$release/dist/src/cli/migrate.js")" || die "migration failed; the running release is untouched"
  printf '%s\n' "$migrated" >&2
  local applied=""
  grep -q '^applied ' <<<"$migrated" && applied=1

  switch_to "$sha"
  say "restarting: $RESTART_CMD"
  # 9>&-: whatever the restart starts must not inherit (and keep holding) the deploy lock.
  if eval "$RESTART_CMD" 9>&- && wait_healthy "$sha"; then
    if [ -n "$previous" ]; then printf '%s\n' "$previous" >previous; fi
    prune "$sha" "$previous"
    say "deployed ${sha:0:12} ($ref)"
    printf 'deployed %s\n' "$sha"
    exit 0
  fi

  say "release ${sha:0:12} did not become healthy"
  [ -n "$previous" ] || die "first deploy failed and there is no previous release to roll back to; see the logs"
  rollback "$previous" "$applied" "$snapshot"
  die "deploy of ${sha:0:12} failed its health check; rolled back to ${previous:0:12}"
}

switch_to() {
  ln -sfn "releases/$1" current.tmp
  mv -T current.tmp current
}

rollback() {
  local previous="$1" applied="$2" snapshot="$3"
  say "rolling back to ${previous:0:12}"
  switch_to "$previous"
  if [ -n "$applied" ] && [ -n "$snapshot" ]; then
    say "migrations ran; restoring $snapshot (stop: $STOP_CMD)"
    eval "$STOP_CMD" 9>&- || true
    mv -f "$DATABASE_PATH" "$DATABASE_PATH.failed-deploy-$(date -u +%Y%m%dT%H%M%SZ)"
    rm -f "$DATABASE_PATH-wal" "$DATABASE_PATH-shm"
    cp "$snapshot" "$DATABASE_PATH.restoring"
    mv -f "$DATABASE_PATH.restoring" "$DATABASE_PATH"
  fi
  eval "$RESTART_CMD" 9>&- || true
  wait_healthy "$previous" || say "the previous release is not healthy either; see the logs"
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
