#!/usr/bin/env bash
# Faults with 2 ranks. SIGKILL one rank's process mid-run (rank 1, later rank 0): mpirun
# must notice, name the rank and end the job with a non-zero status within seconds,
# leaving no rank behind; the last checkpoint, which rank 0 writes atomically, stays
# readable; and the same command then resumes and ends with the same parameters,
# optimizer slots and data position, bit for bit, as an uninterrupted 2-rank run.
set -euo pipefail
source "$TEST_SRCDIR/nmt/apps/data_parallel_testing.sh"
work="$TEST_TMPDIR/data_parallel_resume"
rm -rf "$work" && mkdir -p "$work"
make_corpus "$work/corpus" 300
make_config "$work/config.textproto" 150
command=("${MPIRUN_LOOPBACK[@]}" -np 2 "$train" --config="$work/config.textproto" --corpus_dir="$work/corpus"
  --skip_eval --threads=1)
digest() { "$info" --checkpoint="$1/checkpoint.ckpt" --digest_only; }

"${command[@]}" --run_dir="$work/straight" >"$work/straight.log" 2>&1
expected=$(digest "$work/straight")

mkdir -p "$work/killed"
for kill in "1 30" "0 90"; do
  read -r victim target <<<"$kill"
  "${command[@]}" --run_dir="$work/killed" >"$work/killed.log" 2>&1 &
  mpirun=$!
  # Both ranks' PIDs once mpirun has started them, then the kill once the checkpoints
  # reach the target step (mid-run: the run goes on to 150).
  until [[ -n $(rank_pid "$mpirun" 0) && -n $(rank_pid "$mpirun" 1) ]]; do sleep 0.05; done
  ranks="$(rank_pid "$mpirun" 0) $(rank_pid "$mpirun" 1)"
  pid=$(rank_pid "$mpirun" "$victim")
  until [[ $(step_of "$work/killed/checkpoint.ckpt") -ge $target ]] 2>/dev/null; do
    [[ -d /proc/$pid ]] || break
    sleep 0.02
  done
  # A watchdog: mpirun gets 10 s to end the job.
  (sleep 10 && kill -9 "$mpirun" $ranks 2>/dev/null) &
  watchdog=$!
  start=${EPOCHREALTIME/./}
  kill -9 "$pid"
  status=0
  wait "$mpirun" || status=$?
  micros=$((${EPOCHREALTIME/./} - start))
  seconds=$((micros / 1000000)).$(printf %03d $((micros / 1000 % 1000)))
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  step=$(step_of "$work/killed/checkpoint.ckpt")
  echo "SIGKILL to rank $victim (pid $pid) at checkpoint step $step: mpirun exited with status $status after ${seconds}s:"
  grep -a "exited on signal" "$work/killed.log"
  grep -a -q "process rank $victim with PID .* exited on signal 9" "$work/killed.log"
  [[ $status -ne 0 ]]
  ((micros < 5000000))
  for rank in $ranks; do
    if kill -0 "$rank" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$rank/stat" 2>/dev/null) != Z ]]; then
      echo "rank process $rank outlived mpirun" >&2
      exit 1
    fi
  done
  ((step < 150))
done

"${command[@]}" --run_dir="$work/killed" >"$work/resumed.log" 2>&1
grep -a "resuming from" "$work/resumed.log"
[[ $(grep -a -c "resuming from" "$work/resumed.log") == 1 ]]
actual=$(digest "$work/killed")
echo "uninterrupted: $expected"
echo "resumed:       $actual"
[[ "$expected" == "$actual" ]]
