#!/usr/bin/env bash
# Is the suite green every time? Clones a ref of this repository fresh N times, one after another, runs CI in each
# clone and prints a table: pass/fail per run, its time, and the tests that failed (from the clone's surefire and
# failsafe reports). Exits 1 if any run failed.
#
#   bench/ci-repeat.sh [--quick] [--ref REF] [--keep] N
#
#   N         how many fresh clones and runs (1..100)
#   --ref     what to clone: a branch, tag or commit of this repository (default: main, or HEAD if there is no
#             main). Committed work only: the clones do not see uncommitted changes.
#   --quick   run `mvn -B -o -pl shared verify` instead of `bash .ci/run` (a minute, not most of an hour: for
#             trying this script itself; needs the Maven repository filled by an earlier build, as it is offline)
#   --keep    keep the clones (default: each is deleted after its run; logs and test reports are kept)
#
# The full run is what CI does (`CI=true bash .ci/run`: installs packages, every test, then the .deb test as
# root), so N full runs take N times that. Output goes to a folder printed at the start: run-I.log and
# run-I-reports/ (the TEST-*.xml files) for each run.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
quick=false keep=false ref="" n=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=true ;;
    --keep) keep=true ;;
    --ref) [ $# -ge 2 ] || usage; ref=$2; shift ;;
    -h|--help) usage ;;
    *) [ -z "$n" ] || usage; n=$1 ;;
  esac
  shift
done
case $n in ''|*[!0-9]*) echo "ci-repeat: say how many runs, e.g. bench/ci-repeat.sh --quick 2" >&2; exit 2 ;; esac
[ "$n" -ge 1 ] && [ "$n" -le 100 ] || { echo "ci-repeat: N must be 1..100, not $n" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)
if [ -z "$ref" ]; then
  if git -C "$repo" rev-parse --verify -q main >/dev/null; then ref=main; else ref=HEAD; fi
fi
commit=$(git -C "$repo" rev-parse --verify -q "$ref^{commit}") \
  || { echo "ci-repeat: '$ref' is no branch, tag or commit of $repo" >&2; exit 2; }

out=$(mktemp -d /tmp/portway-ci-repeat-XXXXXX)
if $quick; then what="mvn -B -o -pl shared verify"; else what="CI=true bash .ci/run"; fi
echo "ci-repeat: $n fresh clone(s) of $ref ($(git -C "$repo" log -1 --format='%h %s' "$commit" | cut -c1-70)), each: $what"
echo "ci-repeat: logs and reports in $out"

# The failing tests of one run: every testcase with a <failure> or <error> in its reports, as Class.method.
failing_tests() {
  local reports=$1
  find "$reports" -name 'TEST-*.xml' -print0 2>/dev/null | xargs -0 -r awk '
    /<testcase[ >]/ {
      cls = name = ""
      if (match($0, /classname="[^"]*"/)) cls = substr($0, RSTART + 11, RLENGTH - 12)
      if (match($0, / name="[^"]*"/)) name = substr($0, RSTART + 7, RLENGTH - 8)
    }
    /<(failure|error)[ >\/]/ && cls != "" { print cls "." name; cls = "" }
  ' | sort -u
}

results=() failed_runs=0
for i in $(seq 1 "$n"); do
  clone="$out/clone-$i"
  log="$out/run-$i.log"
  git clone --quiet --no-checkout "$repo" "$clone"
  git -C "$clone" checkout --quiet --detach "$commit"
  printf 'ci-repeat: run %d/%d in %s ... ' "$i" "$n" "$clone"
  start=$SECONDS
  rc=0
  if $quick; then
    (cd "$clone" && mvn -B -o -pl shared verify) >"$log" 2>&1 || rc=$?
  else
    (cd "$clone" && CI=true bash .ci/run </dev/null) >"$log" 2>&1 || rc=$?
  fi
  took=$((SECONDS - start))
  mkdir -p "$out/run-$i-reports"
  find "$clone" \( -path '*/target/surefire-reports/TEST-*.xml' -o -path '*/target/failsafe-reports/TEST-*.xml' \) \
    -exec cp {} "$out/run-$i-reports/" \;
  tests=$(failing_tests "$out/run-$i-reports" | paste -sd ' ' -)
  ran=$(find "$out/run-$i-reports" -name 'TEST-*.xml' | wc -l)
  if [ "$rc" = 0 ]; then
    result=pass
    [ -n "$tests" ] && { result=FAIL; rc=1; }   # a report with a failure is a failure, whatever the exit code
  else
    result=FAIL
    # No failing testcase in the reports: the build broke elsewhere (compile error, crashed fork, the .deb test).
    [ -n "$tests" ] || tests="(no failing test in $ran reports; last error: $(grep -E '^\[ERROR\]|FAILED|rror:' "$log" \
      | grep -v '^\[ERROR\] *$' | head -1 | cut -c1-100))"
  fi
  [ "$result" = pass ] || failed_runs=$((failed_runs + 1))
  echo "$result in ${took} s"
  results+=("$(printf '%-4s %-5s %6s s  %s' "$i" "$result" "$took" "${tests:--}")")
  $keep || rm -rf "$clone"
done

echo
printf '%-4s %-5s %8s  %s\n' run result time "failing tests"
printf '%s\n' "${results[@]}"
echo
echo "ci-repeat: $((n - failed_runs)) of $n runs passed ($ref at ${commit:0:12}); logs in $out"
[ "$failed_runs" = 0 ]
