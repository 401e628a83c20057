#!/usr/bin/env bash
# Every C++ and CUDA source follows .clang-format (fix with: clang-format-14 -i FILE).
set -euo pipefail
cd "$TEST_SRCDIR/nmt"
mapfile -t files < <(find . -path ./external -prune -o \( -name '*.h' -o -name '*.cc' -o -name '*.cu' -o -name '*.cuh' \) -print | sort)
((${#files[@]} > 100)) || { echo "only ${#files[@]} sources found" >&2; exit 1; }
clang-format-14 --style=file --dry-run -Werror "${files[@]}"
echo "${#files[@]} files follow .clang-format"
