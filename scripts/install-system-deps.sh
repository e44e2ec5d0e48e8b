#!/usr/bin/env bash
# Installs what rollcall needs from Debian that npm cannot ship: Chromium (and an emoji font, so
# reactions render) for the sandbox page's end-to-end tests, Caddy for serving, and an ssh server for
# the admin tool's remote-action tests, PostgreSQL for the tests on a real server (a throw-away cluster
# per run, scripts/postgres-cluster.sh; PGlite from npm needs nothing). (The voice greeting needs nothing here: its speech and Opus
# encoding come from npm, as WebAssembly.) Needs root (or sudo).
set -euo pipefail
PACKAGES=(chromium fonts-noto-color-emoji caddy openssh-server openssh-client sqlite3 sudo postgresql)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "system packages ready: ${PACKAGES[*]}"
