#!/usr/bin/env bash
# The bleu command line: the score line and signature, --score_only, --paired_bootstrap
# (a system against itself is never better; one better on every line always is), and
# its refusals (line counts, --bootstrap_samples).
set -uo pipefail
bleu="$TEST_SRCDIR/nmt/tools/bleu"
work="$TEST_TMPDIR/bleu"
mkdir -p "$work"
failures=0
check() {  # check NAME STATUS_WANTED STATUS_GOT OUTPUT_FILE PATTERN
  if [[ $3 -ne $2 ]] || ! grep -q -- "$5" "$4"; then
    echo "FAILED: $1 -> status $3 (want $2), output: $(cat "$4")"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}
for i in $(seq 1 40); do echo "the cat number $i sat on the mat today"; done >"$work/ref"
for i in $(seq 1 40); do echo "the cat number $i sat on a mat"; done >"$work/good"
for i in $(seq 1 40); do echo "a dog $i sat"; done >"$work/bad"
head -5 "$work/bad" >"$work/short"

"$bleu" --ref="$work/ref" --hyp="$work/bad" >"$work/out" 2>&1
check "score line" 0 $? "$work/out" "^BLEU = "
"$bleu" --ref="$work/ref" --hyp="$work/bad" --paired_bootstrap="$work/good" --bootstrap_samples=200 >"$work/out" 2>&1
check "better on every line" 0 $? "$work/out" "paired bootstrap, 200 resamplings: .*good - .*bad = +[0-9.]* BLEU, 95% interval \[+[0-9.]*, +[0-9.]*\]; .*good not better in 0.0% of them"
"$bleu" --ref="$work/ref" --hyp="$work/good" --paired_bootstrap="$work/good" >"$work/out" 2>&1
check "against itself" 0 $? "$work/out" "1000 resamplings: .* = +0.00 BLEU, 95% interval \[+0.00, +0.00\]; .*not better in 100.0% of them"
"$bleu" --ref="$work/ref" --hyp="$work/good" --paired_bootstrap="$work/short" >"$work/out" 2>&1
check "line counts" 1 $? "$work/out" "line counts differ: .*short has 5 lines"
"$bleu" --ref="$work/ref" --hyp="$work/good" --paired_bootstrap="$work/bad" --bootstrap_samples=0 >"$work/out" 2>&1
check "samples" 2 $? "$work/out" "usage error: --bootstrap_samples=0: must be > 0"
exit $((failures > 0))
