#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, for the test of deploy/slurm/:
# its own MUNGE daemon (own socket), slurmctld and slurmd, all in one
# directory, on ports of its own; nothing in /etc is changed.
#
#   scripts/slurm-localhost.sh start DIR   # prints SLURM_CONF=DIR/slurm.conf once the node is idle
#   scripts/slurm-localhost.sh stop DIR    # stops the three daemons started in DIR
#
# Clients (sbatch, squeue, scontrol) find the cluster through SLURM_CONF.
# Needs root (slurmd runs jobs as their user) and scripts/ensure-slurm.sh's
# packages. PINLAB_SLURM_PORT sets slurmctld's port (slurmd's is the next one).
set -euo pipefail

cmd="${1:?usage: slurm-localhost.sh start|stop DIR}"
dir="${2:?usage: slurm-localhost.sh start|stop DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/slurm.conf"

stop_pid() { # the daemon whose pid file is in DIR, if it still runs
  local f="$dir/$1.pid"
  [ -f "$f" ] || return 0
  local pid
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

if [ "$cmd" = stop ]; then
  stop_pid slurmd
  stop_pid slurmctld
  stop_pid munged
  exit 0
fi
[ "$cmd" = start ] || { echo "slurm-localhost.sh: start or stop (got '$cmd')" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-localhost.sh: needs root (slurmd starts jobs as their user)" >&2
  exit 1
fi
for x in munged slurmctld slurmd sbatch; do
  command -v "$x" >/dev/null 2>&1 || { echo "slurm-localhost.sh: $x is missing (scripts/ensure-slurm.sh)" >&2; exit 1; }
done

port="${PINLAB_SLURM_PORT:-16817}"
cpus="$(nproc)"
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"

# MUNGE: a key of this cluster's own, a daemon on a socket of its own.
key="$dir/munge/munge.key"
[ -f "$key" ] || { dd if=/dev/urandom of="$key" bs=1024 count=1 status=none; chmod 400 "$key"; }
sock="$dir/munge/munge.sock"
munged --force --key-file="$key" --socket="$sock" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"

cat >"$conf" <<CONF
# written by scripts/slurm-localhost.sh: one node, this machine
ClusterName=pinlab
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
NodeName=pinlab1 NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=pinlab1 Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF="$conf"
slurmctld -f "$conf" -i
slurmd -f "$conf" -N pinlab1

# Up when the node is idle (or mixed/allocated: it takes jobs).
for _ in $(seq 150); do
  state="$(sinfo -h -n pinlab1 -o %T 2>/dev/null || true)"
  case "$state" in
    idle* | mixed* | allocated*)
      echo "SLURM_CONF=$conf"
      exit 0
      ;;
  esac
  sleep 0.2
done
echo "slurm-localhost.sh: the node did not come up (state '${state:-none}'); logs in $dir:" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/munged.log" >&2 2>/dev/null || true
exit 1
