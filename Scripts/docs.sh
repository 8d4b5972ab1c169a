#!/usr/bin/env bash
# Builds the DocC documentation of every library module that has a catalog
# (Sources/MODULE/MODULE.docc) and fails on any warning: a broken symbol link (``Foo/bar``),
# a missing article (<doc:Name>) or heading (<doc:Name#Heading>), a missing image, a
# parameter left out of a `- Parameters:` list.
#
#   Scripts/docs.sh                  every module with a catalog
#   Scripts/docs.sh TensorCore NN    only these
#
# Each module is built on its own, as `swift package generate-documentation --target
# MODULE` builds it (a link into another module does not resolve there: write other
# modules' symbols in code voice, `TensorError`, not ``TensorError``). The archives are in
# .build/plugins/Swift-DocC/outputs/MODULE.doccarchive; `swift package --disable-sandbox
# preview-documentation --target MODULE` serves one in a browser. The full output of each
# build is in .build/docs-logs/MODULE.log. A public symbol that no topic group of the
# module's landing page lists is named in a note (it still builds): add it to a `### Group`
# under `## Topics` in Sources/MODULE/MODULE.docc/MODULE.md.
# Exit status: 0 when every module built without a warning, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
    modules=("$@")
else
    modules=()
    for catalog in Sources/*/*.docc; do
        module="$(basename "$catalog" .docc)"
        [ "$catalog" = "Sources/$module/$module.docc" ] && modules+=("$module")
    done
fi
# A Swift module without a catalog still gets documentation from its doc comments, but no
# landing page or topic groups; say so, so that a new module gets one.
for folder in Sources/*/; do
    module="$(basename "$folder")"
    if [ ! -d "$folder$module.docc" ] && compgen -G "$folder*.swift" >/dev/null; then
        echo "note: $module has no catalog (Sources/$module/$module.docc); it is not built here"
    fi
done

# Links DocC does not check: a Markdown file's GitHub-style link (`[x](Method.md#nets)`,
# `[x](#nets)`) or image (`![x](images/a.png)`) builds without a warning and is broken in
# the documentation. Inside a catalog: [x](doc:Method#Nets), ![x](a); across catalogs:
# [x](../fcdd/method#Nets).
stale="$(grep -nE '\]\([^)]*\.md(#[^)]*)?\)|\]\(#|!\[[^]]*\]\(images/' Sources/*/*.docc/*.md || true)"
if [ -n "$stale" ]; then
    echo "links in GitHub's form in the catalogs (write them as DocC links):"
    echo "$stale"
    exit 1
fi

logs=.build/docs-logs
mkdir -p "$logs"
failed=()
for module in "${modules[@]}"; do
    log="$logs/$module.log"
    start=$SECONDS
    status=0
    swift package generate-documentation --target "$module" --warnings-as-errors >"$log" 2>&1 || status=$?
    warnings="$(grep -cE '^(warning|error): ' "$log" || true)"
    if [ "$status" -ne 0 ] || [ "$warnings" -ne 0 ]; then
        echo "$module: FAILED after $((SECONDS - start)) s (exit $status); its diagnostics:"
        grep -E -A8 '^(warning|error): ' "$log" || tail -30 "$log"
        failed+=("$module")
    else
        echo "$module: no warnings ($((SECONDS - start)) s)"
        # Public symbols that no topic group of the landing page lists land in DocC's
        # automatic groups (Structures, Classes, …): name them, so that they get a group.
        python3 - "$module" <<'PYTHON'
import json, sys
module = sys.argv[1]
page = json.load(open(f".build/plugins/Swift-DocC/outputs/{module}.doccarchive/data/documentation/{module.lower()}.json"))
loose = [identifier.rsplit("/", 1)[-1] for section in page.get("topicSections", []) if section.get("generated")
         for identifier in section["identifiers"]]
if loose:
    print(f"note: {module}: not in a topic group of Sources/{module}/{module}.docc/{module}.md: {', '.join(loose)}")
PYTHON
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "documentation with warnings or errors: ${failed[*]} (full output in $logs/)"
    exit 1
fi
echo "documentation of ${#modules[@]} modules built without warnings"
