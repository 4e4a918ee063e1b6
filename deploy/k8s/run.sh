#!/usr/bin/env bash
# Runs a sharded pinlab job on Kubernetes: the volume, the Indexed Job of
# shards, a wait for it, then the merge, and prints the merged result.
#
#   deploy/k8s/run.sh compare      # deploy/k8s/compare-shards.yaml
#   deploy/k8s/run.sh simulate     # deploy/k8s/simulate-shards.yaml
#
# Needs kubectl and the image pinlab:local (deploy/Dockerfile) where the
# cluster can pull it. Edit completions and PINLAB_SHARD_COUNT together.
set -euo pipefail
case "${BASH_SOURCE[0]}" in
  */*) here="${BASH_SOURCE[0]%/*}" ;;
  *) here=. ;;
esac
kind="${1:-compare}"
case "$kind" in
  compare | simulate) ;;
  *) echo "run.sh: compare or simulate (got '$kind')" >&2; exit 2 ;;
esac
job="pinlab-$kind-shards"
kubectl apply -f "$here/shards-pvc.yaml"
kubectl delete job "$job" pinlab-merge --ignore-not-found
kubectl apply -f "$here/$kind-shards.yaml"
# Complete, or Failed (an index gave up): merge then names the missing shard.
kubectl wait --for=condition=complete --timeout=24h "job/$job" ||
  echo "run.sh: $job did not complete; merging what is there" >&2
kubectl apply -f "$here/merge.yaml"
kubectl wait --for=condition=complete --timeout=1h job/pinlab-merge || true
kubectl logs job/pinlab-merge
