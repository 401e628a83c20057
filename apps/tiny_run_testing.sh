# Sourced by the training tests of apps/: a tiny synthetic corpus and config that train
# in seconds.

# make_corpus DIR TRAIN_PAIRS [HELD_OUT_PAIRS]: numbered sentences with a word-order
# change, in DIR/{train,dev,test}.{en,es}; dev and test get HELD_OUT_PAIRS (20) each.
make_corpus() {
  local dir=$1 pairs=$2 held_out=${3:-20} split n i a b c
  local words=(house water light earth day night king city gold bread)
  local palabras=(casa agua luz tierra día noche rey ciudad oro pan)
  mkdir -p "$dir"
  for split in train dev test; do
    n=$([[ $split == train ]] && echo "$pairs" || echo "$held_out")
    : >"$dir/$split.en"
    : >"$dir/$split.es"
    for ((i = 0; i < n; i++)); do
      a=$((i % 10)); b=$(((i / 10 + i) % 10)); c=$(((i * 7) % 10))
      echo "the ${words[a]} and the ${words[b]} of the ${words[c]} ." >>"$dir/$split.en"
      echo "la ${palabras[c]} , el ${palabras[a]} y el ${palabras[b]} ." >>"$dir/$split.es"
    done
  done
}

# make_config FILE MAX_STEPS [MODEL_FIELDS]: a TrainConfig that checkpoints every step,
# with every dropout and label smoothing on, so that exact resume is tested with them.
make_config() {
  cat >"$1" <<CONFIG
data { vocabulary: WORDS src_vocab_size: 100 tgt_vocab_size: 100 batch_size: 8 batches_per_chunk: 4 }
model { ${3:-m: 16 n: 24 n_align: 16 l: 8} dropout: 0.2 dropout_rnn: 0.2 dropout_src: 0.1 dropout_tgt: 0.1 }
label_smoothing: 0.1
max_steps: $2
max_minutes: 0
validate_every: 20
checkpoint_every: 1
checkpoint_minutes: 0
threads: 1
CONFIG
}
