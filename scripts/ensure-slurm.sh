#!/usr/bin/env bash
# Makes sure Slurm (slurmctld, slurmd, sbatch) and MUNGE are installed, for
# the test that runs deploy/slurm/ on a single-node cluster on localhost
# (scripts/slurm-localhost.sh). Idempotent: does nothing when they are there.
# Installs Debian's slurm-wlm and munge as root.
set -euo pipefail

have() { command -v sbatch >/dev/null 2>&1 && command -v slurmctld >/dev/null 2>&1 &&
  command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1; }

if have; then
  echo "slurm: $(sbatch --version 2>/dev/null || echo present), $(munged --version 2>/dev/null | head -n 1 || echo munge)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm: slurm-wlm and munge are missing." >&2
  echo "  install them as root:  sudo bash scripts/ensure-slurm.sh" >&2
  echo "  (or by hand:           sudo apt-get install -y slurm-wlm munge)" >&2
  echo "  the Slurm test is skipped without them (PINLAB_SKIP_SLURM=1 skips it always)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "slurm: slurm-wlm and munge are missing and this system has no apt-get;" >&2
  echo "  install Slurm and MUNGE with your package manager, or skip the test: PINLAB_SKIP_SLURM=1" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# --no-install-recommends: no mail server, no database; the test's cluster needs neither.
apt-get install -y --no-install-recommends slurm-wlm munge

if ! have; then
  echo "slurm: the packages installed but sbatch, slurmctld, slurmd or munged is still missing" >&2
  exit 1
fi
echo "slurm: $(sbatch --version 2>/dev/null || echo installed)"
