#!/usr/bin/env bash
# The include layering over every package's sources (bazel/check_layering.py says the
# rule), after checking that the checker catches a planted violation.
set -euo pipefail
checker="$TEST_SRCDIR/nmt/bazel/check_layering.py"
python3 "$checker" --self_test
python3 "$checker" "$TEST_SRCDIR/nmt"
