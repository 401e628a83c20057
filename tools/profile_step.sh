#!/usr/bin/env bash
# Where a training step's (or a beam search's) time goes, on the CPU backend: every oneDNN
# primitive our bench runs, timed by oneDNN itself (ONEDNN_VERBOSE=1), summed by kind and
# by matrix-product shape, beside the bench's own wall time per step; then the page
# faults of the same run (perf stat, when perf is installed). tools/PROFILE.md reads it.
#
#   bazel run //tools:profile_step                                # rnnsearch, small, 2 threads
#   bazel run //tools:profile_step -- --model=rnnencdec --config=paper --threads=1
#   bazel run //tools:profile_step -- --decode=beam5              # a beam search instead
#
# Flags: --model (rnnsearch), --config (small), --threads (2), --steps (3 timed steps after
# 2 untimed ones), --decode (none: training; beamK: K-best decoding of 32 sentences),
# --precision (f32). The figures are for one machine; the CPU is printed with them.
set -euo pipefail

model=rnnsearch
config=small
threads=2
steps=3
decode=none
precision=f32
for arg in "$@"; do
  case $arg in
    --model=*) model=${arg#*=} ;;
    --config=*) config=${arg#*=} ;;
    --threads=*) threads=${arg#*=} ;;
    --steps=*) steps=${arg#*=} ;;
    --decode=*) decode=${arg#*=} ;;
    --precision=*) precision=${arg#*=} ;;
    *) echo "usage error: unknown flag $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done
bench=$(dirname "$(readlink -f "$0")")/bench
[[ -x $bench ]] || bench="${RUNFILES_DIR:-$0.runfiles}/nmt/tools/bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $decode == none ]]; then
  run=(--steps="$steps" --warmup=2 --decode=none)
  per="step"
  count=$((steps + 2))  # oneDNN times the untimed steps too
else
  run=(--steps=0 --warmup=0 --decode="$decode" --decode_sentences=32)
  per="search of 32 sentences"
  count=1
fi
# --peak_gflops given: the bench would otherwise time a 2048^3 product for fraction_of_peak,
# which oneDNN's log would count as the step's.
common=(--model="$model" --config="$config" --threads="$threads" --adapt_threads=false --precision="$precision"
        --optimizer=adam --peak_gflops=1)

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), flags:" \
  "$(grep -o -w 'avx512f\|avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "bench ${common[*]} ${run[*]}"
ONEDNN_VERBOSE=1 DNNL_VERBOSE=1 "$bench" "${common[@]}" "${run[@]}" >"$work/out" 2>&1
json=$(grep '^{' "$work/out" | tail -1)
if [[ $decode == none ]]; then
  wall=$(sed 's/.*"ms_per_step": \([0-9.]*\).*/\1/' <<<"$json")
  echo "wall time: $wall ms per timed step (verbose logging included)"
else
  rate=$(sed 's/.*"decode_sentences_per_s": \([0-9.]*\).*/\1/' <<<"$json")
  wall=$(awk -v r="$rate" 'BEGIN { printf "%.1f", 32000 / r }')
  echo "wall time: $wall ms for 32 sentences ($rate sentences/s)"
fi

grep '^onednn_verbose,\(exec\|[0-9.]*,exec\)' "$work/out" | awk -F, -v n="$count" -v wall="$wall" -v per="$per" '
  { kind = $4; if ($2 != "exec") kind = $5
    ms = $NF; total += ms; by_kind[kind] += ms
    if (kind == "matmul") { shape = $(NF - 1); by_shape[shape] += ms; calls[shape]++ } }
  END {
    printf "\noneDNN primitives, ms per %s (%% of the wall time):\n", per
    for (k in by_kind) printf "  %-12s %9.1f  %5.1f%%\n", k, by_kind[k] / n, 100 * by_kind[k] / n / wall
    printf "  %-12s %9.1f  %5.1f%%   the rest is our own kernels and the framework\n", "all", total / n,
           100 * total / n / wall
    printf "\nmatrix products by shape (batch x M x K : K x N), ms and calls per %s:\n", per
    for (s in by_shape) printf "  %9.1f %6d  %s\n", by_shape[s] / n, calls[s] / n, s | "sort -rn | head -16"
  }'

if command -v perf >/dev/null; then
  echo
  perf stat -e page-faults,task-clock -- "$bench" "${common[@]}" "${run[@]}" 2>&1 >/dev/null |
    grep -E 'page-faults|task-clock|seconds (user|sys)' | sed 's/^ */  /'
fi
