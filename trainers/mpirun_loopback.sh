# Sourced by the multi-process tests: mpirun_loopback ARGS... runs `mpirun ARGS...`
# on this machine over loopback alone (shared memory between ranks, lo for mpirun's
# out-of-band traffic; no other address is contacted), as root too (CI runs as root),
# with more ranks than cores allowed.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No hwloc binding: the tests oversubscribe a 2-core machine.
mpirun_loopback() {
  mpirun --oversubscribe --bind-to none --mca btl self,vader --mca oob_tcp_if_include lo "$@"
}
