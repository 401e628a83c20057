#!/usr/bin/env bash
# Data parallelism end to end (trainers/DISTRIBUTED.md): mpirun -np 2 and -np 3 on
# loopback train the same parameters as one process with the same global batches.
#
# Tolerance: max |a - b| / max |a| over every parameter <= 1e-5 after 60 Adam steps.
# The ranks' gradients are summed in another order than one process adds the rows'
# (each shard is its own smaller matrix product, and the shares are added by MPI), so
# the runs agree to float rounding, not bit for bit; training then carries those
# differences along. Measured here: about 4e-8 after 1 step, 2e-6 after 40, 1.3e-6
# after 60. A wrong share of the gradient (a rank counted twice, an empty shard not
# zero) moves parameters by ~1e-3 in a step. The batches are 8 rows and an epoch of
# 297 pairs ends in a batch of 1 (step 38), which leaves rank 0 of 2 with an empty shard.
#
# Also: rank 0 alone writes the log, and a rank that cannot see rank 0's run directory
# ends the whole job (MPI_Abort) with a message that names it.
set -euo pipefail
source "$TEST_SRCDIR/nmt/apps/data_parallel_testing.sh"
work="$TEST_TMPDIR/data_parallel"
rm -rf "$work" && mkdir -p "$work"
make_corpus "$work/corpus" 297
make_config "$work/config.textproto" 60
args=(--config="$work/config.textproto" --corpus_dir="$work/corpus" --skip_eval --threads=1)

"$train" "${args[@]}" --run_dir="$work/one" >"$work/one.log" 2>&1
for ranks in 2 3; do
  mpirun_loopback -np $ranks "$train" "${args[@]}" --run_dir="$work/np$ranks" >"$work/np$ranks.log" 2>&1 || {
    cat "$work/np$ranks.log"
    exit 1
  }
  echo "1 process vs $ranks: $("$compare" --a="$work/one/checkpoint.ckpt" --b="$work/np$ranks/checkpoint.ckpt" --quiet)"
  "$compare" --a="$work/one/checkpoint.ckpt" --b="$work/np$ranks/checkpoint.ckpt" --max_relative=1e-5 >/dev/null
  # The same steps, tokens and validations as one process, logged once.
  [[ $(step_of "$work/np$ranks/checkpoint.ckpt") == 60 ]]
  [[ $(grep -c '^validation,' "$work/np$ranks/train_log.csv") == 3 ]]
  [[ $(grep -a -c 'trained 60 steps' "$work/np$ranks.log") == 1 ]]
done
# Same tokens seen: the progress lines of the checkpoints agree.
[[ $("$info" --checkpoint="$work/one/checkpoint.ckpt" | head -1) == $("$info" --checkpoint="$work/np2/checkpoint.ckpt" | head -1) ]]

# Rank 1 gets a run directory rank 0 never writes (as if it were not shared): rank 1
# fails to read the codecs, and MPI_Abort ends rank 0 too, which waits in a collective.
start=$SECONDS
status=0
mpirun_loopback -np 1 "$train" "${args[@]}" --run_dir="$work/shared" : \
  -np 1 "$train" "${args[@]}" --run_dir="$work/elsewhere" >"$work/unshared.log" 2>&1 || status=$?
elapsed=$((SECONDS - start))
# Our line, not OpenMPI's MPI_ABORT banner: mpirun sometimes loses that one
# ("ORTE_ERROR_LOG: Data unpack would read past end of buffer ... show_help.c").
grep -a "error on rank 1 of 2" "$work/unshared.log" | cut -c1-100
grep -a -q "must be on a file system every rank sees" "$work/unshared.log"
echo "unshared run directory: mpirun exited with status $status after ${elapsed}s"
[[ $status -ne 0 && $elapsed -le 20 ]]
