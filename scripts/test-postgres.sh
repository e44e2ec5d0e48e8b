#!/usr/bin/env bash
# `npm run test:postgres`: the suite (vitest.postgres.config.ts: every file but those about SQLite
# itself) against a real PostgreSQL server — a throw-away cluster on 127.0.0.1
# (scripts/postgres-cluster.sh), stopped and removed at the end.
# Needs Debian's postgresql (apt-get install postgresql); extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/rollcall-pg-XXXXXX")
trap 'bash scripts/postgres-cluster.sh stop "$dir"' EXIT
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url=$(bash scripts/postgres-cluster.sh start "$dir" "$port")
echo "test-postgres: PostgreSQL at $url"
TEST_DB=postgres TEST_DATABASE_URL="$url" npx vitest run -c vitest.postgres.config.ts "$@"
