#!/usr/bin/env bash
# Chromium for the console's browser tests: Debian's package (no browser download: the machines
# reach only npm and Debian's archive). Installed only when missing, so repeated runs cost nothing.
set -euo pipefail
chromium_bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_bin" ]; then
  exit 0
fi
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
"$chromium_bin" --version
