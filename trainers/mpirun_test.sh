#!/usr/bin/env bash
# Runs a test binary under mpirun with $NMT_TEST_RANKS ranks (default 2) on this
# machine, over loopback alone: shared memory (vader) between the ranks, lo for
# mpirun's own traffic. Root (CI) and more ranks than cores are allowed.
#
#   sh_test(srcs = ["mpirun_test.sh"], args = ["$(location :some_test)"], data = [":some_test"])
#
# The binary's rank 0 writes the target's test.xml; when any rank fails, the XML is
# removed, so that Bazel writes one that records the failure.
set -uo pipefail
source "$(dirname "$0")/mpirun_loopback.sh"
binary="$1"
shift
mpirun_loopback -np "${NMT_TEST_RANKS:-2}" "$binary" "$@"
status=$?
if ((status != 0)); then
  echo "mpirun exited with status $status" >&2
  [[ -n ${XML_OUTPUT_FILE:-} ]] && rm -f "$XML_OUTPUT_FILE"
fi
exit $status
