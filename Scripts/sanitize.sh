#!/usr/bin/env bash
# Runs the test suite, or the tests a filter selects, under a sanitizer.
#
#   Scripts/sanitize.sh address [FILTER]    AddressSanitizer (and LeakSanitizer)
#   Scripts/sanitize.sh thread [FILTER]     ThreadSanitizer
#
# FILTER is passed to `swift test --filter` (a regular expression over
# Module.Type/test names), for example:
#
#   Scripts/sanitize.sh address DatasetsTests
#   Scripts/sanitize.sh address NNTests
#   Scripts/sanitize.sh thread "DataLoader|ComputeSettings|ConvolutionAlgorithm|BufferCache|DecodedImageCache"
#
# Each sanitizer builds into its own folder (.build-asan, .build-tsan) so that the normal
# debug build is kept. A sanitizer report fails the run (halt_on_error): the exit status is
# swift test's. Extra `swift test` options go in SANITIZE_ARGS (for example "--no-parallel").
# Sources/FCDD/FCDD.docc/Reliability.md lists the runs and what they found.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
sanitizer="$1"
filter=(); [ $# -eq 2 ] && filter=(--filter "$2")

case "$sanitizer" in
    address)
        scratch=.build-asan
        # Leaks are reported at exit and make the process fail; the suppressions name leaks
        # in the toolchain's libraries (Foundation, libcurl, XCTest), each with its reason.
        export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
        export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/Scripts/lsan-suppressions.txt:print_suppressions=1}"
        ;;
    thread)
        scratch=.build-tsan
        export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
        ;;
    *)
        echo "unknown sanitizer \"$sanitizer\"; expected address or thread" >&2
        exit 2
        ;;
esac
# Swift's backtracer and the sanitizers both want the crash; let the sanitizer report it.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

echo "== swift test --sanitize=$sanitizer ${filter[*]:-} (scratch $scratch)"
start=$(date +%s)
status=0
# shellcheck disable=SC2086
swift test --scratch-path "$scratch" --sanitize="$sanitizer" -j "${SANITIZE_BUILD_JOBS:-2}" "${filter[@]}" ${SANITIZE_ARGS:-} || status=$?
echo "== $sanitizer: exit $status after $(( $(date +%s) - start ))s"
exit "$status"
