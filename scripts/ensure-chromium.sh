#!/usr/bin/env bash
# Makes sure a Chromium for the HTML report's browser test is at /usr/bin/chromium.
# Idempotent: does nothing when it is already there. Installs Debian's package
# (the test drives it with playwright-core, which downloads no browser itself).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present) at $CHROMIUM"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: $CHROMIUM is missing." >&2
  echo "  install it as root:  sudo bash scripts/ensure-chromium.sh" >&2
  echo "  (or by hand:         sudo apt-get update && sudo apt-get install -y chromium)" >&2
  echo "  or skip the browser test: PINLAB_SKIP_BROWSER=1 npm test" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $CHROMIUM is missing and this system has no apt-get;" >&2
  echo "  install Chromium with your package manager so that $CHROMIUM exists," >&2
  echo "  or skip the browser test: PINLAB_SKIP_BROWSER=1 npm test" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# DejaVu gives the report its symbols (✓ ✗ ◆) in screenshots.
apt-get install -y --no-install-recommends chromium fonts-dejavu-core

if [ ! -x "$CHROMIUM" ]; then
  echo "chromium: the package installed but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo installed) at $CHROMIUM"
