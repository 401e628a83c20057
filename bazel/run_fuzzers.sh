#!/usr/bin/env bash
# Builds every fuzz target (bazel/fuzz.bzl) with clang, libFuzzer, ASan and UBSan
# (--config=fuzz in .bazelrc) and runs each for SECONDS, or for RUNS executions:
#
#   bazel/run_fuzzers.sh 60                           every target for a minute
#   bazel/run_fuzzers.sh 60 //datasets:tokenizer_fuzzer
#   FUZZ_RUNS=1000000 bazel/run_fuzzers.sh 600        a million executions each (600 s at most)
#
# Each target starts from its committed seeds (<package>/testdata/fuzz/<target>/) plus
# what earlier runs found, kept in $FUZZ_WORK/<target>/corpus (default /tmp/nmt-fuzz);
# crashes, leaks, timeouts and OOMs go to $FUZZ_WORK/<target>/artifacts (only those of
# this run are counted). At the end one line per target gives its executions and
# findings; the exit status is 1 if any target found something. A fix comes with a
# regression input: copy the artifact into the target's seed directory, where
# //<package>:<target>_seeds replays it in every test run.
#
# Running a fuzz binary by hand: libFuzzer writes new inputs into the first directory it
# is given, so name a scratch directory first and the seed directory after it.
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# < 1)) || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [//package:target ...]" >&2
  exit 2
fi
seconds=$1
shift
work=${FUZZ_WORK:-/tmp/nmt-fuzz}
runs=${FUZZ_RUNS:--1}

if (($#)); then
  targets=("$@")
else
  mapfile -t targets < <(bazel query --noshow_progress 'attr(tags, "\bfuzz_target\b", //...)' | sort)
fi
((${#targets[@]})) || { echo "no fuzz targets found" >&2; exit 2; }

bazel build --config=fuzz --noshow_progress "${targets[@]}"
bin=$(bazel info --config=fuzz bazel-bin 2>/dev/null)

summary=()
found=0
for target in "${targets[@]}"; do
  package=${target#//}
  package=${package%%:*}
  name=${target##*:}
  seeds="$package/testdata/fuzz/$name"
  dir="$work/$name"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  log="$dir/fuzz.log"
  echo "=== $target: ${seconds}s, log $log" >&2
  stamp="$dir/started"
  touch "$stamp"
  status=0
  # -rss_limit_mb and -malloc_limit_mb make a hostile size field that allocates gigabytes
  # a finding (oom-*) rather than a stalled machine; -timeout makes a hang one (timeout-*).
  "$bin/$package/$name" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" "$seeds" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ -z $executions ]]; then
    # A crash ends the run before the final stats; the last status line has the count.
    executions=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  artifacts=$(find "$dir/artifacts" -type f -newer "$stamp" | wc -l)
  if ((status != 0 || artifacts > 0)); then
    found=1
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|check failed|SUMMARY' "$log" >&2 || true
  fi
  summary+=("$(printf '%-36s %12s executions  exit %-3s %s finding(s) in %s' "$target" "${executions:-?}" \
    "$status" "$artifacts" "$dir/artifacts")")
done

printf '%s\n' "${summary[@]}"
exit $found
