#!/usr/bin/env bash
# Times SPIN on the Promela twin of a pinlab scenario (core.pml beside this
# script): for each policy, pan built with -O2 twice, with SPIN's default
# partial-order reduction and with -DNOREDUCE, each run as an exhaustive
# safety search. Prints one line per run, "spin <scenario> <policy> <por|noreduce>:"
# then key=value figures parsed from pan's report:
#   states        states stored
#   transitions   pan's "transitions (= stored+matched)": edges + 1 (the initial state)
#   depth         deepest DFS stack
#   errors        assertion violations and invalid end states found (pan -c0 keeps going)
#   violated      the properties those errors violate: foreign-dma, stale-exposure
#                 (assertions), truncate-hang (invalid end state); or none
#   search_s      pan's own elapsed time (its clock ticks in hundredths of a second)
#   wall_ms       the whole pan process, best of $SPIN_BENCH_REPS runs (default 5)
#   memory_mb     pan's "total actual memory usage" (mostly its default 2^24-slot hash table)
#   fit_w, fit_wall_ms, fit_memory_mb
#                 the same search with a hash table sized to the states found (pan -w<fit_w>):
#                 zeroing the default 128 MB table is most of wall_ms on spaces this small
#   compile_ms    spin -a plus gcc -O2 for this build
#   vector_bytes  SPIN's state vector
#
# Usage: run.sh [core|no-cancel] [wait|unsafe|revoke]...   (default: core wait unsafe revoke)
# Needs only spin and gcc; without spin it says so and exits 0 (the benchmark is optional).
# Works in a temporary directory; writes nothing beside this script.
set -euo pipefail

case "${BASH_SOURCE[0]}" in
  */*) here="${BASH_SOURCE[0]%/*}" ;;
  *) here=. ;;
esac
here="$(cd "$here" && pwd)"
model="$here/core.pml"

if ! command -v spin >/dev/null 2>&1; then
  echo "spin twin: skipped, spin is not installed (Debian/Ubuntu: apt-get install spin)"
  exit 0
fi
cc="${CC:-gcc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "spin twin: skipped, no C compiler ($cc) to build pan"
  exit 0
fi

scenario=core
case "${1:-}" in
  core | no-cancel) scenario="$1"; shift ;;
esac
policies=("$@")
[ ${#policies[@]} -gt 0 ] || policies=(wait unsafe revoke)
reps="${SPIN_BENCH_REPS:-5}"

scenario_flags=()
[ "$scenario" = no-cancel ] && scenario_flags=(-DNOCANCEL)

# microseconds since the epoch; without a fork where bash has EPOCHREALTIME (bash 5)
now_us() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo "$((10#$t))"
  else
    echo "$(($(date +%s%N) / 1000))"
  fi
}
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

# Best wall time of $reps runs of pan with the given flags, in microseconds; pan's report of the last run in pan.out.
time_pan() {
  local best="" i a z
  for ((i = 0; i < reps; i++)); do
    if [ -n "${EPOCHREALTIME:-}" ]; then
      a="${EPOCHREALTIME/[.,]/}"
      ./pan "$@" >pan.out 2>&1 || true
      z="${EPOCHREALTIME/[.,]/}"
      a=$((10#$a)) z=$((10#$z))
    else
      a="$(now_us)"
      ./pan "$@" >pan.out 2>&1 || true
      z="$(now_us)"
    fi
    if [ -z "$best" ] || [ $((z - a)) -lt "$best" ]; then best=$((z - a)); fi
  done
  echo "$best"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/pinlab-spin.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "# SPIN twin of scenarios/$scenario.pin: $(spin -V 2>&1 | head -n 1); $("$cc" --version | head -n 1)"
echo "# pan -m100000 -c0: exhaustive DFS for assertion violations and invalid end states, not stopping at the first"

for policy in "${policies[@]}"; do
  case "$policy" in
    wait) flag=P_WAIT ;;
    unsafe) flag=P_UNSAFE ;;
    revoke) flag=P_REVOKE ;;
    *)
      echo "run.sh: unknown policy '$policy' (the twin models wait, unsafe, revoke)" >&2
      exit 2
      ;;
  esac
  for reduction in por noreduce; do
    dir="$work/$scenario-$policy-$reduction"
    mkdir -p "$dir"
    cp "$model" "$dir/core.pml"
    ccflags=(-O2)
    [ "$reduction" = noreduce ] && ccflags+=(-DNOREDUCE)
    t0="$(now_us)"
    cd "$dir"
    spin "${scenario_flags[@]}" -DPOLICY="$flag" -a core.pml >spin.log 2>&1 || {
      cat spin.log >&2
      exit 1
    }
    "$cc" "${ccflags[@]}" -o pan pan.c 2>cc.log || {
      cat cc.log >&2
      exit 1
    }
    t1="$(now_us)"
    compile_ms="$(ms $((t1 - t0)))"
    wall_us="$(time_pan -m100000 -c0)"
    out="$dir/pan.out"
    if ! grep -q "states, stored" "$out"; then
      echo "run.sh: pan did not finish for $scenario/$policy/$reduction:" >&2
      cat "$out" >&2
      exit 1
    fi
    states="$(awk '/states, stored/ { print $1; exit }' "$out")"
    transitions="$(awk '/transitions \(= stored\+matched\)/ { print $1; exit }' "$out")"
    depth="$(sed -n 's/.*depth reached \([0-9]*\),.*/\1/p' "$out" | head -n 1)"
    errors="$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$out" | head -n 1)"
    vector="$(sed -n 's/^State-vector \([0-9]*\) byte.*/\1/p' "$out" | head -n 1)"
    search_s="$(sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds.*/\1/p' "$out" | head -n 1)"
    memory="$(awk '/total actual memory usage/ { print $1; exit }' "$out")"
    # pan prints every error whose message differs from the previous one: each kind shows
    violated=""
    grep -q "^pan:[0-9]*: assertion violated no_foreign_dma" "$out" && violated+=",foreign-dma"
    grep -q "^pan:[0-9]*: assertion violated no_stale_exposure" "$out" && violated+=",stale-exposure"
    grep -q "^pan:[0-9]*: invalid end state" "$out" && violated+=",truncate-hang"
    violated="${violated#,}"
    # The default hash table (-w24, 2^24 slots, 128 MB) costs ~0.1 s of page zeroing on
    # spaces this small: run again with a table sized to the states found (-w: log2 slots).
    fit_w=10
    while [ $((1 << fit_w)) -lt $((2 * states)) ]; do fit_w=$((fit_w + 1)); done
    fit_us="$(time_pan -m100000 -c0 -w"$fit_w")"
    fit_memory="$(awk '/total actual memory usage/ { print $1; exit }' pan.out)"
    cd "$work"
    echo "spin $scenario $policy $reduction: states=$states transitions=$transitions depth=$depth errors=$errors violated=${violated:-none} search_s=${search_s:-?} wall_ms=$(ms "$wall_us") memory_mb=$memory fit_w=$fit_w fit_wall_ms=$(ms "$fit_us") fit_memory_mb=$fit_memory compile_ms=$compile_ms vector_bytes=$vector"
  done
done
