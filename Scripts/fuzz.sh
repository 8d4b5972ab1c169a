#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzzing/ with AddressSanitizer and runs them.
#
#   Scripts/fuzz.sh TARGET SECONDS     fuzz one reader for SECONDS seconds
#   Scripts/fuzz.sh all SECONDS        every target in turn, SECONDS each
#   Scripts/fuzz.sh build              only build
#   Scripts/fuzz.sh replay             run every target once over its seeds (findings stay
#                                      seeds), no mutation: what CI runs
#   Scripts/fuzz.sh TARGET FILE...     run the target once on each FILE (reproduce a finding)
#
# TARGET: png jpeg gzip-idx cifar safetensors model (see Sources/FCDD/FCDD.docc/Reliability.md).
#
# Each run starts from the seeds in Fuzzing/Corpus/TARGET and keeps what it learns in
# Fuzzing/.build/fuzz/corpus/TARGET (reused by the next run); a crash, sanitizer report,
# leak, out-of-memory (over 2 GB) or timeout (an input taking over 10 s) is written to
# Fuzzing/.build/fuzz/findings/TARGET/ and counted as a finding. The whole libFuzzer output
# is in Fuzzing/.build/fuzz/logs/TARGET.log. One fuzzer process runs at a time.
# Extra libFuzzer options go in FUZZ_ARGS (for example FUZZ_ARGS="-seed=1 -max_len=8192").
# Exit status: 0 when no target found anything, 1 when one did, 2 for a usage error.
#
# The sanitizer flags are passed here, not in Fuzzing/Package.swift (the project keeps
# unsafeFlags out of manifests). --sanitize=fuzzer --sanitize=address instruments the C
# targets and links libFuzzer and ASan; for Swift the last -sanitize flag wins, so the
# combined -sanitize=fuzzer,address is added after them (with only the two --sanitize
# options, Swift code would get ASan but no coverage instrumentation).
set -euo pipefail
cd "$(dirname "$0")/.."
# Swift's own backtracer reads the crashed process's memory in a way ASan reports as a
# stack-buffer-underflow of its own; libFuzzer's and ASan's reports are the ones wanted.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
# Leaks inside the toolchain's libraries are not findings (each is named, with its reason, in
# the file): the model target reads each input back with Data(contentsOf:), which loses 4 KiB
# on an empty file.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/Scripts/lsan-suppressions.txt}"

TARGETS=(png jpeg gzip-idx cifar safetensors model)
WORK=Fuzzing/.build/fuzz

executable() {
    case "$1" in
        png) echo FuzzPNG ;;
        jpeg) echo FuzzJPEG ;;
        gzip-idx) echo FuzzGzipIDX ;;
        cifar) echo FuzzCIFAR ;;
        safetensors) echo FuzzSafeTensors ;;
        model) echo FuzzModelFile ;;
        *) return 1 ;;
    esac
}

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

build() {
    echo "== building the fuzz targets (release, libFuzzer + AddressSanitizer)"
    swift build -c release --package-path Fuzzing -j "${FUZZ_BUILD_JOBS:-2}" \
        --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address 2>&1 \
        | grep -v "Cannot export local symbol '__asan_extra_spill_area'" || true
    local bin
    bin="$(swift build -c release --package-path Fuzzing --show-bin-path)"
    for target in "${TARGETS[@]}"; do
        [ -x "$bin/$(executable "$target")" ] || { echo "build failed: $bin/$(executable "$target") is missing" >&2; exit 1; }
    done
    BIN="$bin"
}

# fuzz TARGET SECONDS: one run; prints a summary line and returns 1 when it found something.
fuzz() {
    local target="$1" seconds="$2"
    local corpus="$WORK/corpus/$target" findings="$WORK/findings/$target" log="$WORK/logs/$target.log"
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    echo "== fuzzing $target for ${seconds}s (log: $log)"
    local status=0
    # shellcheck disable=SC2086
    "$BIN/$(executable "$target")" "$corpus" "Fuzzing/Corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
    local runs rate units peak found
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    units="$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)"
    peak="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
    found="$(find "$findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)"
    local cov
    cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)"
    printf '%-12s %6ss  executions %-10s exec/s %-7s new units %-5s %-18s peak RSS %s MB  findings %s  (libFuzzer exit %s)\n' \
        "$target" "$seconds" "${runs:-?}" "${rate:-?}" "${units:-?}" "${cov:-cov: ?}" "${peak:-?}" "$found" "$status"
    if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:|artifact_prefix|Test unit written)' "$log" | head -5 || true
        ls "$findings" 2>/dev/null | sed 's/^/   finding: /'
        return 1
    fi
}

# replay TARGET: every seed of TARGET once (every finding is kept as a seed), no mutation;
# deterministic, so it can gate CI. Returns 1 when an input crashes, leaks or times out.
replay() {
    local target="$1" log="$WORK/logs/$target-replay.log"
    mkdir -p "$(dirname "$log")"
    local status=0
    "$BIN/$(executable "$target")" "Fuzzing/Corpus/$target" -runs=0 -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1 || status=$?
    local count
    count="$(find "Fuzzing/Corpus/$target" -type f | wc -l)"
    printf '%-12s replayed %3s inputs  (libFuzzer exit %s, log: %s)\n' "$target" "$count" "$status" "$log"
    if [ "$status" -ne 0 ]; then
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:)' "$log" | head -5 || true
        return 1
    fi
}

[ $# -ge 1 ] || usage
case "$1" in
    build)
        build
        ;;
    replay)
        [ $# -eq 1 ] || usage
        build
        failed=0
        for target in "${TARGETS[@]}"; do replay "$target" || failed=1; done
        exit "$failed"
        ;;
    all)
        [ $# -eq 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || usage
        build
        failed=0
        for target in "${TARGETS[@]}"; do fuzz "$target" "$2" || failed=1; done
        exit "$failed"
        ;;
    *)
        executable "$1" >/dev/null || usage
        [ $# -ge 2 ] || usage
        build
        if [ $# -eq 2 ] && [[ "$2" =~ ^[0-9]+$ ]]; then
            fuzz "$1" "$2"
        else
            target="$1"; shift
            "$BIN/$(executable "$target")" "$@"
        fi
        ;;
esac
