#!/usr/bin/env bash
# Our training-step and beam-search speed beside the PyTorch reference's, in one run on
# one machine: each engine in both of its modes (ours --precision=f32 and, where the CPU has
# AVX512-BF16 or AMX, --precision=bf16; the reference f32 and --autocast bf16, PyTorch's own
# mixed precision), and the ratio of our faster mode to the reference's FASTER mode.
#
#   bazel run //tools:bench_vs_reference                          # both models, small and paper
#   bazel run //tools:bench_vs_reference -- --configs=small --steps=5 --threads=1
#   bazel run //tools:bench_vs_reference -- --ours_flags="--noadapt_threads"
#   bazel run //tools:bench_vs_reference -- --device=cuda         # on a GPU machine
#   bazel run //tools:bench_vs_reference -- --busy_check --configs=small --decode_sentences=0
#   bazel run //tools:bench_vs_reference -- --isa=avx2            # both engines as on an AVX2-only CPU
#
# Flags: --models (default "rnnsearch rnnencdec"), --configs ("small paper"), --threads (2),
# --steps (10 timed training steps), --warmup (3), --decode_sentences (50 sentences of beam 5
# at `small`; 0 skips decoding), --device (cpu), --ours_flags (extra flags for our bench),
# --reference (path of torch_rnnsearch.py; default ../shared/reference/ beside the clone),
# --python (/usr/bin/python3: Debian's python3-torch), --busy_check (then also train each
# engine beside one CPU-bound process, ours with and without --adapt_threads, and print the
# share of its idle throughput each keeps), --isa=avx2 (cap both engines' kernels at AVX2, the
# ISA of this project's AMD EPYC machines, on a CPU that has more: oneDNN through
# ONEDNN_MAX_CPU_ISA (ours, and PyTorch's oneDNN ops), PyTorch's own kernels through
# ATEN_CPU_CAPABILITY and OpenBLAS's through OPENBLAS_CORETYPE=Haswell. Our own kernels are
# built for x86-64-v3, AVX2, on every machine. An emulation: same cores, clocks and caches).
#
# PyTorch's f32 products go through OpenBLAS (Debian's python3-torch), which picks its
# kernels from the CPU model: on a virtual CPU it does not know ("Intel(R) Xeon(R)
# Processor") it falls back to its Prescott (SSE3) kernels and runs 2.4x slower (RNNsearch
# small: 552 against 1,349 tok/s with SkylakeX's). So that the reference runs at its best,
# OPENBLAS_CORETYPE is set from the CPU's flags (SkylakeX with AVX-512, Haswell with AVX2),
# even where the environment already sets it (one AMD EPYC of this kind, with AVX-512, came
# with OPENBLAS_CORETYPE=Haswell, which cost the reference's f32 15-45%); the core is
# printed. --openblas_coretype=NAME forces a core.
#
# Nothing else should run meanwhile: with 2 OpenMP threads any busy process slows both
# engines many times over (README.md). The CPU model and its bf16 features are printed
# beside the figures, since machines of this kind differ.
set -euo pipefail

models="rnnsearch rnnencdec"
configs="small paper"
threads=2
steps=10
warmup=3
decode_sentences=50
device=cpu
ours_flags=""
root=${BUILD_WORKSPACE_DIRECTORY:-$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)}
reference="$root/../shared/reference/torch_rnnsearch.py"
python=/usr/bin/python3
busy_check=0
isa=""
openblas_coretype=""
for arg in "$@"; do
  case $arg in
    --models=*) models=${arg#*=} ;;
    --configs=*) configs=${arg#*=} ;;
    --threads=*) threads=${arg#*=} ;;
    --steps=*) steps=${arg#*=} ;;
    --warmup=*) warmup=${arg#*=} ;;
    --decode_sentences=*) decode_sentences=${arg#*=} ;;
    --device=*) device=${arg#*=} ;;
    --ours_flags=*) ours_flags=${arg#*=} ;;
    --reference=*) reference=${arg#*=} ;;
    --python=*) python=${arg#*=} ;;
    --busy_check) busy_check=1 ;;
    --isa=avx2) isa=avx2 ;;
    --openblas_coretype=*) openblas_coretype=${arg#*=} ;;
    *) echo "bench_vs_reference: unknown argument $arg (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

bench="$0.runfiles/nmt/tools/bench"
[[ -x $bench ]] || bench="$(dirname "$0")/bench"
[[ -x $bench ]] || { echo "bench_vs_reference: our bench is not at $bench; run it with bazel run" >&2; exit 1; }
[[ -f $reference ]] || { echo "bench_vs_reference: no reference at $reference (--reference=PATH)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null || {
  echo "bench_vs_reference: $python cannot import torch (apt-get install python3-torch libopenblas0-openmp)" >&2
  exit 1
}

if [[ $isa == avx2 ]]; then
  export ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell
elif [[ -n $openblas_coretype ]]; then
  export OPENBLAS_CORETYPE=$openblas_coretype
elif grep -q -w avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX
elif grep -q -w avx2 /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=Haswell
fi

field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2fx", a / b }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || a + 0 >= b + 0) print a; else print b }'; }

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(nproc) cores;" \
  "bf16 features: $(grep -o -w 'avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "reference's OpenBLAS kernels: $(OPENBLAS_VERBOSE=2 "$python" -c 'import torch; torch.ones(2, 2) @ torch.ones(2, 2)' 2>&1 | sed -n 's/^Core: //p' | head -1) (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
[[ -z $isa ]] || echo "isa: capped at AVX2 for both engines (ONEDNN_MAX_CPU_ISA, ATEN_CPU_CAPABILITY, OPENBLAS_CORETYPE)"
[[ $device == cpu ]] || echo "device: $device ($(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1))"
echo "threads $threads, $steps timed steps after $warmup untimed; target tokens/s (higher is better)"
printf '%-10s %-6s %12s %12s %12s %12s %14s\n' model config ours_f32 ours_bf16 torch_f32 torch_bf16 "best/best"
common=(--threads="$threads" --steps="$steps" --warmup="$warmup")
ours_device=()  # our bench's default is the CPU
[[ $device == cpu ]] || ours_device=(--device="$device")
for config in $configs; do
  for model in $models; do
    ours=("$bench" --model="$model" --config="$config" "${ours_device[@]}" "${common[@]}")
    # shellcheck disable=SC2086  # ours_flags is a list of flags
    ours_f32=$(field target_tokens_per_s "$("${ours[@]}" --precision=f32 $ours_flags)")
    # Our bench refuses bf16 where oneDNN has no native bf16 products (and on CUDA): "-".
    # shellcheck disable=SC2086
    ours_bf16=$(field target_tokens_per_s "$("${ours[@]}" --precision=bf16 $ours_flags 2>/dev/null || true)")
    ref=("$python" "$reference" bench --model "$model" --config "$config" --device "$device" --threads "$threads"
      --steps "$steps" --warmup "$warmup")
    f32=$(field target_tokens_per_s "$("${ref[@]}" --autocast none)")
    bf16=$(field target_tokens_per_s "$("${ref[@]}" --autocast bf16 2>/dev/null || true)")
    printf '%-10s %-6s %12s %12s %12s %12s %14s\n' "$model" "$config" "$ours_f32" "${ours_bf16:--}" "$f32" \
      "${bf16:--}" "$(ratio "$(best "$ours_f32" "$ours_bf16")" "$(best "$f32" "$bf16")")"
  done
done

if ((decode_sentences > 0)); then
  echo "beam 5 with length normalisation, $decode_sentences sentences at small; sentences/s"
  printf '%-10s %-6s %12s %12s %14s\n' model config ours torch_f32 "ours/torch"
  for model in $models; do
    dec=(--model="$model" --config=small "${ours_device[@]}" --threads="$threads" --steps=0 --decode=beam5
      --decode_sentences="$decode_sentences" --length_norm)
    # shellcheck disable=SC2086
    ours=$(field decode_sentences_per_s "$("$bench" "${dec[@]}" $ours_flags)")
    ref=$(field decode_sentences_per_s "$("$python" "$reference" bench --model "$model" --config small \
      --device "$device" --threads "$threads" --steps 0 --decode beam5 --decode-sentences "$decode_sentences" \
      --length-norm)")
    printf '%-10s %-6s %12s %12s %14s\n' "$model" small "$ours" "$ref" "$(ratio "$ours" "$ref")"
  done
fi

if ((busy_check)); then
  # One CPU-bound process beside each measurement: a shell loop, so it needs nothing else.
  busy_pid=""
  start_busy() { (while :; do :; done) & busy_pid=$!; }
  stop_busy() { kill "$busy_pid" 2>/dev/null || true; wait "$busy_pid" 2>/dev/null || true; }
  trap stop_busy EXIT
  echo "training beside one CPU-bound process; target tokens/s idle -> busy (share kept)"
  printf '%-10s %-6s %26s %26s %26s\n' model config "ours (adapt_threads)" "ours (--noadapt_threads)" torch_f32
  kept() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == 0) print "-"; else printf "%.0f%%", 100 * b / a }'; }
  for config in $configs; do
    for model in $models; do
      ref=("$python" "$reference" bench --model "$model" --config "$config" --device cpu --threads "$threads"
        --steps "$steps" --warmup "$warmup" --autocast none)
      row=()
      for engine in adapt noadapt torch; do
        for load in idle busy; do
          [[ $load == busy ]] && start_busy
          case $engine in
            # shellcheck disable=SC2086
            adapt) out=$("$bench" --model="$model" --config="$config" "${common[@]}" --adapt_threads $ours_flags) ;;
            # shellcheck disable=SC2086
            noadapt) out=$("$bench" --model="$model" --config="$config" "${common[@]}" --noadapt_threads $ours_flags) ;;
            torch) out=$("${ref[@]}") ;;
          esac
          [[ $load == busy ]] && stop_busy
          rate=$(field target_tokens_per_s "$out")
          if [[ $load == idle ]]; then idle=$rate; else busy=$rate; fi
        done
        row+=("$(printf '%s -> %s (%s)' "$idle" "$busy" "$(kept "$idle" "$busy")")")
      done
      printf '%-10s %-6s %26s %26s %26s\n' "$model" "$config" "${row[@]}"
    done
  done
fi
