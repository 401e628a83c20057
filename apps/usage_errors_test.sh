#!/usr/bin/env bash
# The main binary refuses bad flags and config values with one line and exit status 2, and
# a missing corpus with exit status 1, before it trains or builds anything.
set -uo pipefail
train="$TEST_SRCDIR/nmt/apps/train"
work="$TEST_TMPDIR/usage"
mkdir -p "$work"
failures=0
expect() {  # expect STATUS PATTERN ARGS...
  local status=$1 pattern=$2
  shift 2
  "$train" --run_dir="$work/run" --corpus_dir="$work/none" "$@" >"$work/out" 2>&1
  local got=$?
  if [[ $got -ne $status ]] || ! grep -q -- "$pattern" "$work/out"; then
    echo "FAILED: $* -> status $got (want $status), output: $(cat "$work/out")"
    failures=$((failures + 1))
  else
    echo "ok: $* -> $status: $(tail -1 "$work/out")"
  fi
}
config() { echo "$1" >"$work/c.textproto"; echo "--config=$work/c.textproto"; }

expect 2 "data.batch_size = -3: must be > 0" --batch_size=-3
expect 2 "Adam: invalid options lr=-1" --lr=-1
expect 2 "unknown flag --batchsize" --batchsize=3
# --help is Abseil's: it lists the flags of train_main.cc and exits with Abseil's status 1.
expect 1 "--max_steps (" --help
expect 2 "Illegal value 'abc'" --batch_size=abc
expect 2 "expected one of rnnsearch" --model=transformer
expect 2 'device = "tpu": must be cpu or cuda' --device=tpu
# --device=cuda: a build without the CUDA backend refuses it as a usage error; with the
# backend the run goes on to the missing corpus (or a missing GPU): a runtime error, 1.
"$train" --run_dir="$work/run" --corpus_dir="$work/none" --device=cuda >"$work/out" 2>&1
got=$?
if [[ $got -eq 2 ]] && grep -q "usage error: device = cuda: this build has no CUDA backend" "$work/out"; then
  echo "ok: --device=cuda -> 2: $(tail -1 "$work/out")"
elif [[ $got -eq 1 ]]; then
  echo "ok: --device=cuda -> 1: $(tail -1 "$work/out")"
else
  echo "FAILED: --device=cuda -> status $got, output: $(cat "$work/out")"
  failures=$((failures + 1))
fi
expect 2 "model.dropout = 1: must be in \[0, 1)" --dropout=1
expect 2 "model.dropout_rnn = -0.1: must be in \[0, 1)" --dropout_rnn=-0.1
expect 2 "model.dropout_src = 1.5: must be in \[0, 1)" --dropout_src=1.5
expect 2 "model.dropout_tgt = 2: must be in \[0, 1)" --dropout_tgt=2
expect 2 "label_smoothing = 1: must be in \[0, 1)" --label_smoothing=1
expect 2 "Illegal value 'lots'" --dropout=lots
expect 2 "model.dropout_rnn = 1: must be in \[0, 1)" "$(config 'model { dropout_rnn: 1 }')"
expect 2 "max_grad_norm = -1: must be >= 0" "$(config 'max_grad_norm: -1')"
expect 2 "patience = -1" "$(config 'patience: -1')"
expect 2 "c.textproto:1:10: .*max_stepz" "$(config 'max_stepz: 3')"
expect 2 "no such file\|cannot open\|No such file" --config="$work/missing.textproto"
expect 2 "expected loss or bleu" --valid_metric=ppl
expect 2 "precision \"fp8\": expected f32, bf16 or auto" --precision=fp8
expect 2 "lr_plateau_factor = 2: must be in (0, 1)" --lr_plateau_factor=2 --lr_plateau_validations=1
expect 2 "lr_plateau_validations = 0: must be > 0" --lr_plateau_factor=0.5
expect 2 "lr_warmup_steps = -5: must be >= 0" --lr_warmup_steps=-5
expect 2 "lr_decay_linear_steps = 5000: must be at most max_steps (1800)" --lr_decay_linear_steps=5000
expect 2 "dev_bleu_sentences = 0: must be > 0 with valid_metric BLEU" --valid_metric=bleu --dev_bleu_sentences=0
expect 2 "length_penalty = -1" --length_penalty=-1
expect 2 "length_penalty = 0.6: replaces length_norm" "$(config 'length_penalty: 0.6')"
expect 2 "max_len_factor = 0: must be > 0" --max_len_factor=0
expect 1 "no corpus in $work/none" "$(config 'max_grad_norm: 0')"
# Valid schedule, validation and decoding flags pass (--length_penalty turns length_norm off).
expect 1 "no corpus in $work/none" --lr_warmup_steps=100 --lr_decay_inv_sqrt_steps=100 --lr_plateau_factor=0.5 \
  --lr_plateau_validations=2 --valid_metric=bleu --dev_bleu_sentences=50 --dev_bleu_beam=2 --patience=3 \
  --length_penalty=0.6 --coverage_penalty=0.2
[[ ! -e "$work/none" && ! -e "$work/run" ]] || { echo "FAILED: something was created"; failures=$((failures + 1)); }
((failures == 0))
