#!/usr/bin/env bash
# Checks (default) or applies the project's formatting: `swift format` (shipped with the
# toolchain) with the repository's `.swift-format` over every Swift file git tracks.
#
#   Scripts/format.sh          lint, strict: any finding fails (what CI runs)
#   Scripts/format.sh fix      rewrite the files in place, then lint
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-lint}"
case "$mode" in
lint) ;;
fix) git ls-files -z '*.swift' | xargs -0 swift format format --in-place --parallel ;;
*)
    echo "usage: Scripts/format.sh [lint|fix]" >&2
    exit 2
    ;;
esac
git ls-files -z '*.swift' | xargs -0 swift format lint --strict --parallel
