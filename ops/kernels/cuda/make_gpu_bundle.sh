#!/usr/bin/env bash
# Builds the CUDA checks on a machine WITHOUT a GPU and packs them, with every shared
# library they load, into one directory (and a .tar.gz) that runs on a GPU machine with
# nothing installed but the NVIDIA driver: no Bazel, no Debian packages, no CUDA toolkit.
#
#   ops/kernels/cuda/make_gpu_bundle.sh [OUT_DIR]      # default: /tmp/nmt-gpu-check
#   scp /tmp/nmt-gpu-check.tar.gz gpu-host: && ssh gpu-host 'tar xzf nmt-gpu-check.tar.gz && nmt-gpu-check/check_gpu.sh'
#
# The binaries are linked statically against the project's own libraries
# (--dynamic_mode=off); the system and CUDA libraries they need (ldd's list: Abseil,
# protobuf, oneDNN, GoogleTest, libgomp, cudart, cuBLAS, cuBLASLt, ... and glibc with its
# loader) are copied into lib/. check_gpu.sh starts every binary through the bundled
# loader with --library-path lib, so the GPU machine's own glibc and CUDA versions do not
# matter. Only libcuda.so.1, the driver's library, comes from the GPU machine.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out="${1:-/tmp/nmt-gpu-check}"
targets=(//ops:cuda_backend_test //ops/kernels/cuda:cuda_context_test //ops/kernels/cuda:broadcast_plan_test //tools:bench)
# The all-backends op suite (ops/backend_ops_test.cc), where this checkout has it.
[[ -f ops/backend_ops_test.cc ]] && targets+=(//ops:backend_ops_test)
./bazelw build --dynamic_mode=off "${targets[@]}"
rm -rf "$out" && mkdir -p "$out/bin" "$out/lib"
for target in "${targets[@]}"; do
  path="bazel-bin/$(echo "${target#//}" | tr : /)"
  cp -L "$path" "$out/bin/"
done
# Every library the binaries load, glibc included; never the driver (libcuda).
for binary in "$out"/bin/*; do
  ldd "$binary" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }'
done | sort -u | grep -v 'libcuda\.so' | while read -r lib; do cp -L "$lib" "$out/lib/"; done
cp ops/kernels/cuda/check_gpu.sh "$out/"
tar czf "$out.tar.gz" -C "$(dirname "$out")" "$(basename "$out")"
echo "bundle: $out ($(du -sh "$out" | cut -f1)), archive: $out.tar.gz"
echo "on the GPU machine: $(basename "$out")/check_gpu.sh"
