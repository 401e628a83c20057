#!/usr/bin/env bash
# Data-parallel scaling on this machine: the same global batches with 1 and 2
# processes at 1 thread each, side by side (trainers/DISTRIBUTED.md has the figures).
#
#   bazel run //tools:scaling_benchmark                      # rnnsearch and rnnencdec, small
#   bazel run //tools:scaling_benchmark -- paper 3           # another size, 3 timed steps
#
# mpirun runs on loopback alone (shared memory between the ranks), with --bind-to core
# so that the two ranks do not share a core.
set -euo pipefail
config=${1:-small}
steps=${2:-10}
bench="$0.runfiles/nmt/tools/data_parallel_bench"
[[ -x $bench ]] || bench="$(dirname "$0")/data_parallel_bench"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" <<<"$2"; }
printf '%-10s %-6s %5s %7s %10s %12s %9s %13s\n' model config ranks threads ms/step tgt_tok/s speedup allreduce_ms
for model in rnnsearch rnnencdec; do
  base=""
  for ranks in 1 2; do
    line=$(mpirun -np $ranks --bind-to core --mca btl self,vader --mca oob_tcp_if_include lo \
      "$bench" --model=$model --config="$config" --threads=1 --steps="$steps")
    rate=$(field target_tokens_per_s "$line")
    [[ -n $base ]] || base=$rate
    printf '%-10s %-6s %5s %7s %10s %12s %9s %13s\n' $model "$config" $ranks 1 "$(field ms_per_step "$line")" \
      "$rate" "$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')" "$(field allreduce_ms "$line")"
  done
done
