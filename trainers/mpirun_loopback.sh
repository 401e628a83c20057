# Sourced by the multi-process tests: mpirun on this machine over loopback alone
# (shared memory between the ranks, lo for mpirun's out-of-band traffic; no other
# address is contacted), as root too (CI runs as root), with more ranks than cores
# allowed and no binding (the tests oversubscribe a 2-core machine).
#
#   mpirun_loopback -np 2 BINARY ARGS...
#   "${MPIRUN_LOOPBACK[@]}" -np 2 BINARY ARGS... &     # in the background: $! is mpirun's PID
#
# Shared memory copies through its own buffers, not Linux's cross-memory attach (CMA):
# in a container without ptrace rights CMA fails ("Read -1, expected ..., errno = 1",
# open-mpi/ompi#4948), and the tests' messages are small.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Under --config=asan, LeakSanitizer would fail every MPI program at exit on OpenMPI's own
# allocations, which its components keep past MPI_Finalize and dlclose (frames in an
# unknown module, so no suppression can name them). Leak checking is off for these
# processes only; AddressSanitizer's memory-error checks stay on.
if [[ -n ${ASAN_OPTIONS:-} ]]; then export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"; fi
MPIRUN_LOOPBACK=(mpirun --oversubscribe --bind-to none --mca btl self,vader --mca btl_vader_single_copy_mechanism none
  --mca oob_tcp_if_include lo)
mpirun_loopback() { "${MPIRUN_LOOPBACK[@]}" "$@"; }
