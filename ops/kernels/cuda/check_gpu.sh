#!/usr/bin/env bash
# Checks the CUDA backend on a machine with an NVIDIA GPU, from binaries built on a
# machine without one (make_gpu_bundle.sh packs them with their libraries). Runs the
# CUDA tests (every kernel against its CPU twin, the context and allocator) and a
# short `bench --device=cuda` next to `bench --device=cpu`, then prints a summary.
# A few minutes on an H100/H200. Exit status 0 only if every test passed and none was
# skipped (a skip here means the GPU was not found, which is a failure of the check).
#
#   ./check_gpu.sh                 # from the unpacked bundle
#                                  # logs go to ./logs
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/lib"
logs="$here/logs"
mkdir -p "$logs"
loader="$(ls "$lib"/ld-linux-x86-64.so.* 2>/dev/null | head -1)"
# Binaries run through the bundled loader and libraries; libcuda.so.1 (the driver) is
# found where the machine keeps it. LD_LIBRARY_PATH is for processes a test starts by
# executing its binary again (GoogleTest's threadsafe death tests), which the system's
# loader runs: on a machine whose glibc is older than Debian 12's (2.36) that one death
# test may fail while everything else runs.
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
run() {
  local binary="$1"
  shift
  if [[ -n "$loader" ]]; then
    "$loader" --library-path "$lib" "$here/bin/$binary" "$@"
  else
    "$here/bin/$binary" "$@"
  fi
}

echo "== GPU"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found"
fi

status=0
summary=()
for test in cuda_context_test broadcast_plan_test cuda_backend_test backend_ops_test; do
  [[ -x "$here/bin/$test" ]] || continue
  echo "== $test"
  run "$test" > "$logs/$test.log" 2>&1
  rc=$?
  # GoogleTest's closing lines: "[  PASSED  ] 12 tests.", "[  SKIPPED ] 3 tests, listed below:", ...
  count() { sed -n "s/^\[  $1 *\] \([0-9][0-9]*\) tests\{0,1\}[.,].*/\1/p" "$logs/$test.log" | tail -1; }
  passed=$(count PASSED)
  failed=$(count FAILED)
  skipped=$(count SKIPPED)
  passed=${passed:-0} failed=${failed:-0} skipped=${skipped:-0}
  [[ -n "$(count PASSED)" ]] || status=1  # no summary: the binary did not finish
  [[ $rc -ne 0 || $failed -ne 0 || $skipped -ne 0 ]] && status=1
  grep -E '^\[  (FAILED|SKIPPED) \] [A-Z]|Failure|check failed' "$logs/$test.log" | head -40
  summary+=("$test: exit $rc, $passed passed, $failed failed, $skipped skipped")
done

for device in cuda cpu; do
  echo "== bench --device=$device (RNNsearch small, 20 steps)"
  if run bench --device="$device" --config=small --steps=20 --warmup=5 > "$logs/bench_$device.json" 2> "$logs/bench_$device.err"; then
    cat "$logs/bench_$device.json"
    summary+=("bench --device=$device: $(grep -o '"target_tokens_per_s"[^,}]*' "$logs/bench_$device.json" | head -1)")
  elif grep -q "unknown flag --device" "$logs/bench_$device.err"; then
    summary+=("bench: this build's bench has no --device flag, not run")
    break
  else
    tail -20 "$logs/bench_$device.err"
    summary+=("bench --device=$device: FAILED (logs/bench_$device.err)")
    [[ $device == cuda ]] && status=1
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
echo "(logs in $logs)"
echo "overall: $([[ $status -eq 0 ]] && echo PASS || echo FAIL)"
exit $status
