# Sourced by the data-parallel tests: the programs, mpirun on loopback, a tiny corpus
# and config (tiny_run_testing.sh).
train="$TEST_SRCDIR/nmt/apps/train"
info="$TEST_SRCDIR/nmt/tools/checkpoint_info"
compare="$TEST_SRCDIR/nmt/tools/compare_checkpoints"
source "$TEST_SRCDIR/nmt/trainers/mpirun_loopback.sh"

# make_corpus and make_config.
source "$TEST_SRCDIR/nmt/apps/tiny_run_testing.sh"

# The child processes of PID, from /proc with shell builtins alone (procps may be
# missing, and a process per entry would be slow).
children_of() {
  local stat fields
  for stat in /proc/[0-9]*/stat; do
    { fields=$(<"$stat"); } 2>/dev/null || continue
    fields=${fields##*) }  # after "pid (comm) ": state ppid ...
    read -r _ ppid _ <<<"$fields"
    if [[ $ppid == "$1" ]]; then
      stat=${stat%/stat}
      echo "${stat#/proc/}"
    fi
  done
}

# The PID of rank RANK among the children of mpirun's PID, once it has started.
rank_pid() {
  local pid
  for pid in $(children_of "$1"); do
    if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then echo "$pid"; fi
  done
}

# The step of a checkpoint, or nothing while there is none.
step_of() {
  "$info" --checkpoint="$1" 2>/dev/null | sed -n 's/.*, step \([0-9]*\),.*/\1/p'
}
