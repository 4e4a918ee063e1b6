#!/usr/bin/env bash
# Submits a sharded pinlab job to Slurm: a job array of N shards
# (shard.sbatch), then the merge (merge.sbatch) once every shard has ended.
# The merge runs after any ending (afterany): a shard whose expectations
# failed (exit 1) still wrote its document, and merge itself refuses a split
# with a shard missing, naming it.
#
#   deploy/slurm/submit.sh N compare [scenario...] [options] [-- merge options]
#   deploy/slurm/submit.sh N simulate FILE [options]      [-- merge options]
#
# Prints the merge job's id. Environment: PINLAB_SHARDS (shared directory,
# default ./pinlab-shards; it is emptied of old shard-*.json first), PINLAB
# (the pinlab command), SBATCH_ARGS (extra sbatch options, e.g. a partition).
set -euo pipefail

case "${BASH_SOURCE[0]}" in
  */*) here="${BASH_SOURCE[0]%/*}" ;;
  *) here=. ;;
esac
here="$(cd "$here" && pwd)"
n="${1:?usage: submit.sh N compare|simulate [args...] [-- merge args...]}"
shift
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a whole number >= 1 (got '$n')" >&2; exit 2; }
args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
shards="${PINLAB_SHARDS:-pinlab-shards}"
mkdir -p "$shards"
rm -f "$shards"/shard-*.json "$shards"/merged.txt
export PINLAB_SHARDS="$(cd "$shards" && pwd)"
# shellcheck disable=SC2086
array="$(sbatch --parsable --export=ALL ${SBATCH_ARGS:-} --array=1-"$n" "$here/shard.sbatch" "${args[@]}")"
array="${array%%;*}"
# shellcheck disable=SC2086
sbatch --parsable --export=ALL ${SBATCH_ARGS:-} --dependency=afterany:"$array" "$here/merge.sbatch" "$@"
