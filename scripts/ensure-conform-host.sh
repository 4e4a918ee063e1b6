#!/usr/bin/env bash
# Makes sure the host tier of `pinlab conform` can build its C programs: gcc,
# liburing (io_uring) and libibverbs (RDMA, for programs the guests run).
# Idempotent: does nothing when they are there. Installs Debian's packages.
set -euo pipefail

have() {
  command -v gcc >/dev/null 2>&1 &&
    [ -e /usr/include/liburing.h ] &&
    [ -e /usr/include/infiniband/verbs.h ]
}

if have; then
  echo "conform host tier: gcc, liburing and libibverbs present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "conform host tier: gcc, liburing-dev or libibverbs-dev is missing." >&2
  echo "  install them as root:  sudo bash scripts/ensure-conform-host.sh" >&2
  echo "  (or by hand:          sudo apt-get install -y gcc liburing-dev libibverbs-dev)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends gcc libc6-dev liburing-dev libibverbs-dev
have || { echo "conform host tier: the packages installed but a header is still missing" >&2; exit 1; }
echo "conform host tier: installed gcc, liburing-dev, libibverbs-dev"
