#!/usr/bin/env bash
# tests/report/run.sh BINARY_DIR CC — `lifeguard report` and run's --sarif,
# --html, --gen-suppressions: baselines (new findings only, matched across
# runs, rebuilds and moved lines), SARIF relative to --srcroot and valid
# against the schema, the HTML loaded in headless Chromium (its DOM and a
# screenshot, kept as BINARY_DIR/report-screenshot.png), the plain list
# without Graphviz, generated suppressions that silence a run, and every
# bad input as one line with exit status 2.
set -uo pipefail
bin=$(cd "$1" && pwd) cc=${2:-cc}
here=$(cd "$(dirname "$0")" && pwd)
LG=$bin/bin/lifeguard
python=/usr/bin/python3
[ -x "$python" ] || python=python3
schema=${LG_SARIF_SCHEMA:-$here/../../../shared/schemas/sarif-schema-2.1.0.json}
if [ ! -f "$schema" ] && common=$(git -C "$here" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
    schema=$(dirname "$(dirname "$common")")/shared/schemas/sarif-schema-2.1.0.json
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lgreport-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
. "$here/../harness.sh"
check() { # check NAME COMMAND...: ok when the command succeeds
    local name=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name"; fi
}

cp "$here/bugs.c" .
"$cc" -g -O0 -I"$here/../../include" -o bugs bugs.c || exit 1
# The same program with its lines moved and rebuilt.
mkdir moved && { printf '/* moved */\n/* down */\n/* by */\n/* four */\n'; cat bugs.c; } >moved/bugs.c
"$cc" -g -O0 -I"$here/../../include" -o moved/bugs moved/bugs.c || exit 1

# ---- baselines ---------------------------------------------------------------
"$LG" run --json old.json -- ./bugs dfree 2>/dev/null
"$LG" run --json new.json -- ./bugs dfree leak 2>/dev/null
"$LG" run --json moved.json -- ./moved/bugs dfree 2>/dev/null
"$LG" report --baseline old.json new.json >base.txt 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'ERROR: lifeguard: leak: 48 bytes in 1 block leaked' base.txt && ! grep -q double-free base.txt &&
    grep -q 'make_leak' base.txt && grep -q '^lifeguard: 1 finding not in the baseline old.json' base.txt; then
    ok "report --baseline prints only the new finding and exits 1"
else
    bad "report --baseline prints only the new finding and exits 1" "exit $rc" "$(cat base.txt)"
fi
"$LG" report --baseline new.json new.json >same.txt 2>&1
rc=$?
if [ $rc = 0 ] && grep -q '^lifeguard: 0 findings not in the baseline' same.txt && ! grep -q ERROR same.txt; then
    ok "report --baseline of a report against itself: nothing new, exit 0"
else
    bad "report --baseline of a report against itself: nothing new, exit 0" "exit $rc" "$(cat same.txt)"
fi
"$LG" report --baseline old.json moved.json >moved.txt 2>&1
rc=$?
if [ $rc = 0 ] && [ "$(jq '.findings[0].stacks.access[0].line' old.json)" != "$(jq '.findings[0].stacks.access[0].line' moved.json)" ]; then
    ok "report --baseline matches a finding whose lines moved in a rebuilt program"
else
    bad "report --baseline matches a finding whose lines moved in a rebuilt program" "exit $rc" "$(cat moved.txt)"
fi
"$LG" report --baseline new.json old.json >/dev/null 2>&1
check "report --baseline: a finding fixed since the baseline is not new (exit 0)" test $? = 0
"$LG" report --format json --baseline old.json new.json >base.json 2>/dev/null
check "report --baseline --format json keeps only the new finding" \
    jq -e '[.findings[].kind] == ["leak"]' base.json

# ---- run --sarif --html --gen-suppressions -------------------------------------
"$LG" run --sarif out.sarif --html out.html --gen-suppressions --srcroot "$work" -- ./bugs dfree leak cycle 2>run.txt
rc=$?
if [ $rc = 1 ] && [ -s out.sarif ] && [ -s out.html ]; then ok "run --sarif --html write their files without --json"; else
    bad "run --sarif --html write their files without --json" "exit $rc" "$(cat run.txt)"; fi
# Each stack's heading is the runtime's wording for the finding (stack_titles),
# in every format; a report without it gets a heading per stack name.
"$LG" report new.json >titles.txt 2>&1
jq 'del(.findings[].stack_titles)' new.json >untitled.json && "$LG" report untitled.json >untitled.txt 2>&1
if grep -q '^  this free, by thread [0-9]*:$' titles.txt && grep -q '^  first freed here, by thread' titles.txt &&
    grep -q 'this free, by thread' out.html && [ "$(jq '[.runs[0].results[].stacks[].message.text] | index("this free")' out.sarif)" != null ] &&
    grep -q '^  the bad operation, by thread' untitled.txt && ! grep -q 'this free' untitled.txt; then
    ok "stack headings: the runtime's words in report text, HTML and SARIF; a heading per name without them"
else
    bad "stack headings: the runtime's words in report text, HTML and SARIF; a heading per name without them" "$(cat titles.txt untitled.txt)"
fi
if [ -f "$schema" ] && "$python" - "$schema" out.sarif <<'PY'
import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
then ok "run --sarif: valid SARIF 2.1.0"; else bad "run --sarif: valid SARIF 2.1.0 (schema: $schema)"; fi
kinds=$(sed -n 's/^ *X([A-Z_]*, "\([a-z-]*\)").*/\1/p' "$here/../../src/core/lg_report.h" | wc -l)
check "SARIF: one rule per kind, a result per finding, URIs relative to --srcroot" jq -e --argjson kinds "$kinds" '
    .runs[0] as $r | ($r.tool.driver.rules | length) == $kinds and ($r.results | length) == 3 and
    ([$r.results[].ruleId] | sort) == ["double-free", "leak", "ref-cycle"] and
    ($r.results[] | select(.ruleId == "double-free") | .locations[0].physicalLocation.artifactLocation) ==
        {"uri": "bugs.c", "uriBaseId": "%SRCROOT%"} and
    ($r.results[] | select(.ruleId == "double-free") | .locations[0].logicalLocations[0].name) == "free_twice" and
    $r.originalUriBaseIds["%SRCROOT%"].uri == "file://'"$work"'/"' out.sarif
sed -n '/^lifeguard: suppressions for these findings/,$p' run.txt | tail -n +2 >gen.supp
if grep -q '^double-free:free_twice$' gen.supp && grep -q '^leak:make_leak$' gen.supp && grep -q '^ref-cycle:' gen.supp; then
    ok "run --gen-suppressions prints a rule per finding"
else
    bad "run --gen-suppressions prints a rule per finding" "$(cat run.txt)"
fi
"$LG" run --json again.json -o suppressions=gen.supp -- ./bugs dfree leak cycle 2>again.txt
rc=$?
if [ $rc = 0 ] && jq -e '.findings == [] and .summary.suppressed == 3' again.json >/dev/null; then
    ok "the generated rules silence every finding of a rerun"
else
    bad "the generated rules silence every finding of a rerun" "exit $rc" "$(jq -c .summary again.json)"
fi

# ---- HTML in a browser ------------------------------------------------------------
chromium_run() {
    local profile
    profile=$(mktemp -d "$work/chromium.XXXXXX")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>>chromium.log
}
if command -v chromium >/dev/null; then
    chromium_run --dump-dom "file://$work/out.html" >dom.html
    sections=$(grep -o '<section class="finding' dom.html | wc -l)
    if [ "$sections" = 3 ] && grep -q '<svg' dom.html && grep -q 'free_twice' dom.html &&
        grep -q 'class="hit"' dom.html && ! grep -qi '<script' out.html && ! grep -Eq '(src|href)="https?:' out.html; then
        ok "HTML: Chromium loads it: 3 findings, the holder graph as SVG, source lines; no script, no network"
    else
        bad "HTML: Chromium loads it: 3 findings, the holder graph as SVG, source lines; no script, no network" \
            "sections: $sections" "$(tail -5 chromium.log)"
    fi
    chromium_run --window-size=1200,1600 --screenshot="$work/shot.png" "file://$work/out.html" >/dev/null
    size=$(stat -c %s shot.png 2>/dev/null || echo 0)
    cp shot.png "$bin/report-screenshot.png" 2>/dev/null
    if [ "$size" -gt 20000 ]; then ok "HTML: a screenshot ($size bytes, $bin/report-screenshot.png)"; else
        bad "HTML: a screenshot" "size $size" "$(tail -5 chromium.log)"; fi
else
    bad "HTML in a browser: chromium is not installed (./dev.sh deps)"
fi
"$LG" run --json all.json -- ./bugs dfree leak cycle 2>all.run
PATH=/nonexistent "$LG" report --format html all.json >nodot.html 2>nodot.err
if ! grep -q '<svg' nodot.html && grep -q "install Graphviz" nodot.html &&
    grep -q 'Process#1 &rarr; Task#1 (cycle)' nodot.html && [ ! -s nodot.err ]; then
    ok "HTML without dot: the holder graph as a plain list"
else
    bad "HTML without dot: the holder graph as a plain list" "$(cat nodot.err)"
fi
"$LG" report all.json >all.txt
check "report --format text ends with the SUMMARY line the run printed" \
    diff <(grep '^SUMMARY: ' all.run) <(tail -1 all.txt)
check "the SUMMARY line counts each kind" \
    grep -qx 'SUMMARY: lifeguard: 3 errors (3 kinds: double-free 1, leak 1, ref-cycle 1)' <(tail -1 all.txt)

# ---- C++: demangled names, and suppressions by the mangled symbol ---------------------
if command -v "${CXX:-g++}" >/dev/null; then
    cat >cxx.cc <<'CC'
#include <cstdlib>
namespace N1 { namespace N2 {
__attribute__((noinline)) void release(char *p) { free(p); free(p); }
struct Owner { __attribute__((noinline)) static void drop(char *p) { release(p); } };
} }
int main() { N1::N2::Owner::drop(static_cast<char *>(malloc(8))); return 0; }
CC
    "${CXX:-g++}" -g -O1 -o cxx cxx.cc || exit 1
    "$LG" run --json cxx.json -- ./cxx 2>cxx.txt
    if grep -q ' in N1::N2::release(char\*) .*cxx.cc:3 ' cxx.txt && grep -q ' in N1::N2::Owner::drop(char\*) ' cxx.txt &&
        jq -e '.findings[0].stacks.access[0] | .function == "N1::N2::release(char*)" and .symbol == "_ZN2N12N27releaseEPc"' cxx.json >/dev/null; then
        ok "C++ frames demangled (N1::N2::release(char*)) in the text and the JSON, the mangled symbol kept"
    else
        bad "C++ frames demangled (N1::N2::release(char*)) in the text and the JSON, the mangled symbol kept" "$(head -8 cxx.txt)"
    fi
    "$LG" report --gen-suppressions cxx.json >cxx.supp
    "$LG" run --json cxx2.json -o suppressions=cxx.supp -- ./cxx 2>/dev/null
    if grep -qx 'double-free:_ZN2N12N27releaseEPc' cxx.supp && jq -e '.findings == [] and .summary.suppressed == 1' cxx2.json >/dev/null; then
        ok "C++: the generated rule names the mangled symbol, which silences the finding"
    else
        bad "C++: the generated rule names the mangled symbol, which silences the finding" "$(cat cxx.supp)"
    fi
else
    bad "C++: no C++ compiler (g++)"
fi

# ---- bad input -----------------------------------------------------------------------
echo 'not json' >garbage.json
echo '{"tool": "other", "findings": []}' >other.json
expect_error() { # expect_error NAME PATTERN COMMAND...
    local name=$1 pattern=$2
    shift 2
    "$@" >err.out 2>err.txt
    local rc=$?
    if [ $rc = 2 ] && [ "$(wc -l <err.txt)" = 1 ] && grep -q -- "$pattern" err.txt; then ok "$name"; else
        bad "$name" "exit $rc" "$(cat err.txt)"; fi
}
expect_error "report: a missing file" "report: cannot open report 'nope.json': No such file" "$LG" report nope.json
expect_error "report: not JSON" "'garbage.json' is not a JSON report" "$LG" report garbage.json
expect_error "report: JSON of another tool" "'other.json' is not a lifeguard report" "$LG" report other.json
expect_error "report: an unknown format" "unknown format 'pdf'" "$LG" report --format pdf new.json
expect_error "report: a missing --srcroot" "source root 'nodir'" "$LG" report --format sarif --srcroot nodir new.json
expect_error "report: a missing baseline" "cannot open report 'gone.json'" "$LG" report --baseline gone.json new.json
expect_error "report: no report named" "no REPORT.json given" "$LG" report --format sarif
expect_error "run --sarif into a missing directory, before the program starts" \
    "run: --sarif 'nodir/x.sarif': directory 'nodir' does not exist" "$LG" run --sarif nodir/x.sarif -- ./bugs dfree
expect_error "run --html into a missing directory" "run: --html 'nodir/x.html'" "$LG" run --html nodir/x.html -- ./bugs
expect_error "report -o into a missing directory" "cannot write 'nodir/x'" "$LG" report -o nodir/x new.json

harness_finish
