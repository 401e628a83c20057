#!/usr/bin/env bash
# The regularisation flags reach the run's config, a flag beats the corpus rule, and
# with no flag a small corpus gets the rule's recipe, printed at start-up.
set -uo pipefail
train="$TEST_SRCDIR/nmt/apps/train"
work="$TEST_TMPDIR/regularisation"
rm -rf "$work" && mkdir -p "$work/corpus"
source "$TEST_SRCDIR/nmt/apps/tiny_run_testing.sh"
make_corpus "$work/corpus" 40
cat >"$work/config.textproto" <<CONFIG
data { vocabulary: WORDS batch_size: 8 batches_per_chunk: 2 }
model { m: 8 n: 8 n_align: 8 l: 4 }
max_steps: 2
validate_every: 0
threads: 1
CONFIG
failures=0
check() {  # check FILE PATTERN
  if grep -q -- "$2" "$1"; then echo "ok: $2"; else
    echo "FAILED: no '$2' in $1:"; cat "$1"; failures=$((failures + 1))
  fi
}
run() {  # run DIR FLAGS...
  local dir=$1
  shift
  "$train" --config="$work/config.textproto" --corpus_dir="$work/corpus" --skip_eval --run_dir="$dir" "$@" \
    >"$dir.log" 2>&1 || { echo "FAILED: $* -> $?"; cat "$dir.log"; failures=$((failures + 1)); }
}

run "$work/flags" --dropout=0.25 --dropout_rnn=0.15 --dropout_src=0.05 --dropout_tgt=0 --label_smoothing=0.2 \
  --src_vocab=30
check "$work/flags/config.textproto" "dropout: 0.25"
check "$work/flags/config.textproto" "dropout_rnn: 0.15"
check "$work/flags/config.textproto" "dropout_src: 0.05"
check "$work/flags/config.textproto" "dropout_tgt: 0$"
check "$work/flags/config.textproto" "label_smoothing: 0.2"
check "$work/flags/config.textproto" "src_vocab_size: 30"
check "$work/flags.log" "recipe: 40 training pairs, a small corpus"
check "$work/flags.log" "30 (given) / 1000 ("
check "$work/flags.log" "dropout 0.25, dropout_rnn 0.15, dropout_src 0.05, dropout_tgt 0, label_smoothing 0.2 (given)"

run "$work/rule"
check "$work/rule/config.textproto" "dropout: 0.3"
check "$work/rule/config.textproto" "dropout_rnn: 0.2"
check "$work/rule/config.textproto" "label_smoothing: 0.1"
check "$work/rule.log" "dropout 0.3, dropout_rnn 0.2, dropout_src 0.1, dropout_tgt 0.1, label_smoothing 0.1 (by corpus size)"
((failures == 0))
