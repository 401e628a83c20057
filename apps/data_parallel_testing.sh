# Sourced by the data-parallel tests: the programs, mpirun on loopback, a tiny corpus
# and config like resume_test.sh's.
train="$TEST_SRCDIR/nmt/apps/train"
info="$TEST_SRCDIR/nmt/tools/checkpoint_info"
compare="$TEST_SRCDIR/nmt/tools/compare_checkpoints"
source "$TEST_SRCDIR/nmt/trainers/mpirun_loopback.sh"

# make_corpus DIR TRAIN_PAIRS: numbered sentences with a word-order change.
make_corpus() {
  local dir=$1 pairs=$2 split n i a b c
  local words=(house water light earth day night king city gold bread)
  local palabras=(casa agua luz tierra día noche rey ciudad oro pan)
  mkdir -p "$dir"
  for split in train dev test; do
    n=$([[ $split == train ]] && echo "$pairs" || echo 20)
    : >"$dir/$split.en"
    : >"$dir/$split.es"
    for ((i = 0; i < n; i++)); do
      a=$((i % 10)); b=$(((i / 10 + i) % 10)); c=$(((i * 7) % 10))
      echo "the ${words[a]} and the ${words[b]} of the ${words[c]} ." >>"$dir/$split.en"
      echo "la ${palabras[c]} , el ${palabras[a]} y el ${palabras[b]} ." >>"$dir/$split.es"
    done
  done
}

# make_config FILE MAX_STEPS
make_config() {
  cat >"$1" <<CONFIG
data { vocabulary: WORDS src_vocab_size: 100 tgt_vocab_size: 100 batch_size: 8 batches_per_chunk: 4 }
model { m: 16 n: 24 n_align: 16 l: 8 }
max_steps: $2
max_minutes: 0
validate_every: 20
checkpoint_every: 1
checkpoint_minutes: 0
threads: 1
CONFIG
}

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
