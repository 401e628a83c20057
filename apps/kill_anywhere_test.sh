#!/usr/bin/env bash
# Kill anywhere: a training run is killed with SIGKILL at 20 pseudo-random moments
# (startup, between steps, while a checkpoint's temporary file is being written, right
# after a checkpoint's rename) and resumed after each. Checks:
#   (a) after every kill, every checkpoint in the run directory (checkpoint.ckpt,
#       checkpoint.prev.ckpt, best.ckpt, best.prev.ckpt: those that exist) is readable;
#   (b) the run finally resumed to its end is bit-identical (checkpoint_info's digest)
#       to an uninterrupted run of the same steps;
#   (c) no temporary file (*.tmp.*, *.link) is left in the run directory at the end.
# The moments come from a seeded generator, so the schedule is reproducible (another
# seed: --test_env=KILL_ANYWHERE_SEED=N); where a kill lands within a step still
# depends on the machine, and the last lines count where they landed.
set -euo pipefail
train="$TEST_SRCDIR/nmt/apps/train"
info="$TEST_SRCDIR/nmt/tools/checkpoint_info"
work="$TEST_TMPDIR/kill_anywhere"
rm -rf "$work" && mkdir -p "$work/corpus"

kills=20
max_steps=240
seed=${KILL_ANYWHERE_SEED:-20240611}
echo "seed $seed, $kills kills over $max_steps steps"

source "$TEST_SRCDIR/nmt/apps/tiny_run_testing.sh"
make_corpus "$work/corpus" 200 16
make_config "$work/config.textproto" "$max_steps" "m: 12 n: 16 n_align: 12 l: 6"
train_args() { echo --config="$work/config.textproto" --corpus_dir="$work/corpus" --skip_eval --run_dir="$1"; }

"$train" $(train_args "$work/straight") >"$work/straight.log" 2>&1
expected=$("$info" --checkpoint="$work/straight/checkpoint.ckpt" --digest_only)

# The seeded generator: a 31-bit LCG, the same on every bash.
state=$seed
random_below() {  # sets r to a number in [0, $1)
  state=$(((state * 1103515245 + 12345) & 0x7fffffff))
  r=$(((state >> 8) % $1))
}
# Sleeping without a fork (a subprocess per poll would compete with the trainer for
# the two cores): read from a FIFO that nothing writes, with a timeout.
mkfifo "$work/never"
exec {never}<>"$work/never"
pause() { read -r -t "$1" -u "$never" || true; }

dir="$work/killed"
mkdir -p "$dir"
step_of() {  # the step of checkpoint.ckpt, or -1 when there is none
  local s
  s=$("$info" --checkpoint="$dir/checkpoint.ckpt" 2>/dev/null | sed -n 's/.*, step \([0-9]*\),.*/\1/p')
  echo "${s:--1}"
}
shopt -s nullglob
temporaries() {  # the names of the temporary files in the run directory
  local files=("$dir"/*.tmp.* "$dir"/*.link)
  files=("${files[@]##*/}")
  echo "${files[*]}"
}

# Where each kill landed, judged from the run directory afterwards.
declare -A landed=()
for ((k = 1; k <= kills; k++)); do
  step_before=$(step_of)
  temporaries_before=" $(temporaries) "
  # The binary itself in the background (not a function: $! would be a subshell, and
  # SIGKILL would orphan the trainer, which would go on writing checkpoints).
  "$train" $(train_args "$dir") >>"$work/killed.log" 2>&1 &
  pid=$!
  # Kill k takes the four kinds of moment in turn, at a random step of the k-th of
  # `kills` stretches over the first three quarters of the run.
  moments=(tmp startup delay mtime)
  moment=${moments[k % 4]}
  stretch=$((max_steps * 3 / (4 * kills)))
  random_below "$stretch"
  target=$(((k - 1) * stretch + r + 1))
  case $moment in
    startup)  # a random delay after the start: codecs, model, resume, the first steps
      random_below $((k == 1 ? 100 : 150))
      pause "$(printf '0.%03d' "$r")"
      ;;
    *)
      while (($(step_of) < target)); do
        kill -0 "$pid" 2>/dev/null || break
        pause 0.02
      done
      case $moment in
        delay)  # a random moment within the next step or two
          random_below 30
          pause "$(printf '0.%03d' "$r")"
          ;;
        tmp)  # while the next checkpoint is written to its temporary file
          until compgen -G "$dir/checkpoint.ckpt.tmp.*" >/dev/null; do
            kill -0 "$pid" 2>/dev/null || break
            pause 0.001
          done
          ;;
        mtime)  # the moment the next checkpoint has been renamed into place
          touch -r "$dir/checkpoint.ckpt" "$work/mtime" 2>/dev/null || touch -d @0 "$work/mtime"
          until [[ $dir/checkpoint.ckpt -nt $work/mtime ]]; do
            kill -0 "$pid" 2>/dev/null || break
            pause 0.001
          done
          ;;
      esac
      ;;
  esac
  kill -9 "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  if ((rc != 128 + 9)); then
    echo "kill $k ($moment): the run ended (exit status $rc) before the kill" >&2
    exit 1
  fi
  step=$(step_of)
  if ((step >= max_steps)); then
    echo "kill $k ($moment): the run finished before it could be killed" >&2
    exit 1
  fi
  left=$(temporaries)
  new=()
  for name in $left; do [[ $temporaries_before == *" $name "* ]] || new+=("$name"); done
  if ((step < 0)); then
    where="before the first checkpoint"
  elif ((${#new[@]})); then
    where="during a checkpoint write (its temporary file left behind)"
  elif ((step == step_before)); then
    where="while starting or resuming, before this run's first checkpoint"
  elif [[ $moment == mtime ]]; then
    where="right after a checkpoint's rename"
  else
    where="between checkpoint writes"
  fi
  landed[$where]=$((${landed[$where]:-0} + 1))
  echo "kill $k/$kills ($moment, aimed at step $target): landed $where; checkpoint step $step${new:+; left ${new[*]}}"
  # (a) every checkpoint that exists is readable.
  for name in checkpoint.ckpt checkpoint.prev.ckpt best.ckpt best.prev.ckpt; do
    [[ -e $dir/$name ]] || continue
    if ! "$info" --checkpoint="$dir/$name" --digest_only >/dev/null; then
      echo "kill $k ($moment): $name is unreadable" >&2
      exit 1
    fi
  done
done
echo "$kills kills survived:"
for where in "${!landed[@]}"; do echo "  ${landed[$where]} $where"; done | sort -k2
if [[ -z ${landed["during a checkpoint write (its temporary file left behind)"]:-} ]]; then
  echo "no kill landed during a checkpoint write" >&2
  exit 1
fi

"$train" $(train_args "$dir") >"$work/final.log" 2>&1
grep -a "^removed \|^resuming from" "$work/final.log" || true
if pgrep -f -- "--run_dir=$dir" >/dev/null; then
  echo "a killed trainer is still running" >&2
  exit 1
fi
# (b) bit-identical to the uninterrupted run.
actual=$("$info" --checkpoint="$dir/checkpoint.ckpt" --digest_only)
echo "uninterrupted: $expected"
echo "resumed:       $actual"
[[ "$expected" == "$actual" ]]
# (c) no temporaries left behind.
left=$(temporaries)
if [[ -n $left ]]; then
  echo "temporary files left in the run directory: $left" >&2
  exit 1
fi
echo "no temporary files left in $dir"
