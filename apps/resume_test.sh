#!/usr/bin/env bash
# Exact resume: a training run killed with SIGKILL at an arbitrary moment and then
# resumed ends with the same parameters, optimizer slots and data position, bit for
# bit, as an uninterrupted run of the same number of steps; with a learning-rate schedule
# (warmup, inverse square root, plateau decays) and keep-best by dev BLEU on, whose state
# must survive the kills too.
set -euo pipefail
train="$TEST_SRCDIR/nmt/apps/train"
info="$TEST_SRCDIR/nmt/tools/checkpoint_info"
work="$TEST_TMPDIR/resume"
rm -rf "$work" && mkdir -p "$work/corpus"

source "$TEST_SRCDIR/nmt/apps/tiny_run_testing.sh"
make_corpus "$work/corpus" 300
make_config "$work/config.textproto" 300
cat >>"$work/config.textproto" <<'CONFIG'
lr_warmup_steps: 30
lr_decay_inv_sqrt_steps: 60
lr_plateau_factor: 0.7
lr_plateau_validations: 1
valid_metric: BLEU
dev_bleu_sentences: 20
CONFIG
train_args() { echo --config="$work/config.textproto" --corpus_dir="$work/corpus" --skip_eval --run_dir="$1"; }
run() { "$train" $(train_args "$1") >"$1.log" 2>&1; }

run "$work/straight"
expected=$("$info" --checkpoint="$work/straight/checkpoint.ckpt" --digest_only)

# Kill the second run with SIGKILL once its checkpoints reach a step (twice), then let
# it finish. Each kill must land mid-run, not after the end.
step_of() {
  "$info" --checkpoint="$work/killed/checkpoint.ckpt" 2>/dev/null | sed -n 's/.*, step \([0-9]*\),.*/\1/p'
}
mkdir -p "$work/killed"
for target in 40 150; do
  # The binary itself in the background (not a function: $! would be a subshell, and
  # SIGKILL would orphan the trainer, which would go on writing checkpoints).
  "$train" $(train_args "$work/killed") >"$work/killed.log" 2>&1 &
  pid=$!
  until [[ $(step_of) -ge $target ]] 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  step=$(step_of)
  echo "SIGKILL at checkpoint step $step"
  if [[ $step -ge 300 ]]; then
    echo "the run finished before it could be killed" >&2
    exit 1
  fi
done
run "$work/killed"
grep -a "resuming from" "$work/killed.log"
if pgrep -f -- "--run_dir=$work/killed" >/dev/null; then
  echo "a killed trainer is still running" >&2
  exit 1
fi
actual=$("$info" --checkpoint="$work/killed/checkpoint.ckpt" --digest_only)
echo "uninterrupted: $expected"
echo "resumed:       $actual"
[[ "$expected" == "$actual" ]]
# The same keep-best, patience and schedule state.
state() { "$info" --checkpoint="$1/checkpoint.ckpt" | grep "^best dev"; }
echo "uninterrupted: $(state "$work/straight")"
echo "resumed:       $(state "$work/killed")"
[[ "$(state "$work/straight")" == "$(state "$work/killed")" ]]
# The validations logged dev BLEU (column 7) and the scheduled rate (column 8).
awk -F, '$1 == "validation" && ($7 == "" || $8 == "") { bad = 1 } END { exit bad }' "$work/killed/train_log.csv"
