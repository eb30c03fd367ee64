#!/usr/bin/env bash
# Runs the fuzz targets longer than the build does (200 tries each there):
#   FrameCodecFuzzTest, ControlMessageFuzzTest (shared) and VisitorHeadFuzzIT (relay-lite, a real relay on port 0).
#
#   bench/fuzz.sh [TRIES]
#
#   TRIES  tries per property (default 5000). Passed as -Djqwik.tries.default, which wins over the 200 of the
#          modules' junit-platform.properties. The visitor property is the slow one: a socket per try, and one in
#          eight of its heads waits for the relay's 1 s header timeout.
#
# A failure prints jqwik's report with the shrunk sample and its seed; the full log's path is printed at the start.
# jqwik keeps failed samples in <module>/target/jqwik-database and tries them first on the next run. Exits 1 on any
# failure.
set -euo pipefail
cd "$(dirname "$0")/.."
tries=${1:-5000}
case $tries in ''|*[!0-9]*) echo "fuzz: TRIES must be a number, not '$tries'" >&2; exit 2 ;; esac
log=$(mktemp /tmp/portway-fuzz-XXXXXX.log)
echo "fuzz: $tries tries per property (log: $log)"
if mvn -B -pl relay-lite -am verify -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
     -Dit.test='*FuzzIT' -Dfailsafe.failIfNoSpecifiedTests=false -Djqwik.tries.default="$tries" >"$log" 2>&1; then
  grep -E "Tests run:.*Fuzz|tries += |visitor head fuzz:" "$log" || true
  echo "fuzz: passed"
else
  grep -E "Tests run:.*Fuzz|<<< (FAIL|ERROR)|Shrunk Sample|Original Sample|seed += |visitor head fuzz:" "$log" | head -40 \
    || tail -n 40 "$log"
  echo "fuzz: FAILED — see $log" >&2
  exit 1
fi
