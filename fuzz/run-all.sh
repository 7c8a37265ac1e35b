#!/usr/bin/env bash
# File: fuzz/run-all.sh
# Runs libFuzzer targets one after the other (one core) for SECONDS each, from the seeds written by
# fuzz/make-seeds.sh, keeping each target's corpus, log and crash/leak/timeout/oom artifacts under
# the build folder, and prints one markdown table row per target (docs/fuzzing.md has the table of
# the last run): target, seconds, executions, final cov/ft, and the artifact when one was written.
# usage: fuzz/run-all.sh SECONDS [TARGET...]   (default: every build-fuzz/bin/fuzz_* binary)
set -uo pipefail
secs=${1:?usage: fuzz/run-all.sh SECONDS [TARGET...]}; shift
build=${IOTCOP_FUZZ_BUILD:-build-fuzz}
# The handler targets extract every accepted input into a scratch folder under TMPDIR: keep that in
# memory when /dev/shm is there (the disk's metadata work would otherwise bound the exec rate).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
[ -d "$build/seeds" ] || fuzz/make-seeds.sh "$build/seeds" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for b in "$build"/bin/fuzz_*; do targets+=("${b##*/fuzz_}"); done
fi
echo "| target | seconds | execs | cov | ft | result |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t" art="$build/artifacts/$t/" log="$build/logs/$t.log"
  mkdir -p "$corpus" "$art" "$build/logs" "$build/seeds/$t"
  start=$(date +%s)
  "$build/bin/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$art" "$corpus" "$build/seeds/$t" >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if [ $rc -ne 0 ]; then
    what=$(grep -oE 'ERROR: [A-Za-z]+: [a-z-]+|runtime error: .*' "$log" | head -1 | head -c 80)
    result="rc $rc: $what $(grep -oE "$art[^ ]+" "$log" | head -1)"
  fi
  echo "| $t | $took | ${execs:-?} | ${cov:-?} | ${ft:-?} | $result |"
done
