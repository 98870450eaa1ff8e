#!/usr/bin/env bash
# Debian's Chromium (and a font) for the widget's browser tests; `make test` runs this when
# /usr/bin/chromium is missing. Test tools cannot download their own browser on these machines.
set -euo pipefail
packages=(chromium fonts-dejavu-core fonts-liberation)
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" > /dev/null
/usr/bin/chromium --version
