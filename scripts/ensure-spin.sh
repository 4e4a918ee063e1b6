#!/usr/bin/env bash
# Makes sure SPIN (and gcc, to build pan) are installed for `npm run bench:spin`
# (bench/spin/). Idempotent: does nothing when they are there. Installs
# Debian's spin package as root; otherwise says plainly what is missing.
set -euo pipefail

# pan.c needs a C compiler that can build a program (gcc without libc6-dev cannot)
cc_works() {
  command -v "${CC:-gcc}" >/dev/null 2>&1 || return 1
  local d
  d="$(mktemp -d)"
  printf '#include <stdio.h>\nint main(void) { return 0; }\n' >"$d/t.c"
  "${CC:-gcc}" -o "$d/t" "$d/t.c" >/dev/null 2>&1
  local rc=$?
  rm -rf "$d"
  return $rc
}

if command -v spin >/dev/null 2>&1 && cc_works; then
  echo "spin: $(spin -V 2>&1 | head -n 1) at $(command -v spin)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "spin: SPIN or gcc is missing: the SPIN half of bench:spin will be skipped." >&2
  echo "  install it as root:  sudo bash scripts/ensure-spin.sh" >&2
  echo "  (or by hand:         sudo apt-get install -y spin gcc)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "spin: SPIN or gcc is missing and this system has no apt-get;" >&2
  echo "  install SPIN 6 (https://spinroot.com) and a C compiler so that spin and gcc are on PATH" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends spin gcc libc6-dev

if ! command -v spin >/dev/null 2>&1 || ! cc_works; then
  echo "spin: the packages installed but spin or a working C compiler is still missing" >&2
  exit 1
fi
echo "spin: $(spin -V 2>&1 | head -n 1) at $(command -v spin)"
