#!/usr/bin/env bash
# run_case.sh — one end-to-end case: compile a C (or C++: CASE.cpp) program, run it under
# `lifeguard run`, check the JSON report against the expectations written in
# the program's own comments:
#
#   // RUN: ARGS...            arguments for the program (default: none)
#   // OPTIONS: k=v:k=v        runtime options
#   // CFLAGS: ...             extra compiler flags (default: -O1 -g -fno-builtin)
#   // EXPECT-KIND: KIND       a finding of this kind is reported ...
#   // EXPECT-FUNCTION: NAME   ... with this function in one of its stacks ...
#   // EXPECT-LINE: N          ... at this line of the case file
#   // EXPECT-MESSAGE: TEXT    ... whose message contains TEXT
#   // EXPECT-NO-KIND: KIND    no finding of this kind
#   // EXPECT-CLEAN            no error finding at all, and the program's own exit status
#   // EXPECT-EXIT: N          the exit status (default: 1 with findings, 0 clean)
#   // EXPECT-STDOUT: TEXT     the program's stdout contains TEXT
#   // NO-RUNTIME-RUN          also run without the runtime: must exit 0
#   // SUPPRESSIONS: RULE      a line of a suppressions file given to the run
#   // EXPECT-OBJECT: Task#3   ... whose "object" is this one (type#id)
#   // EXPECT-JQ: EXPR         ... for which the jq expression EXPR is true (repeatable;
#                              $cflags: this run's compiler flags, for a VARIANT's -D)
#   // EXPECT-COUNT: N         exactly N findings of the KIND above
#   // EXPECT-TEXT: TEXT       the text report (stderr) contains TEXT
#   // EXPECT-NO-TEXT: TEXT    ... does not contain TEXT
#   // EXPECT-SUMMARY: EXPR    the jq expression EXPR is true of .summary (repeatable)
#   // EXPECT-BINARY-LACKS: S  the compiled program does not contain the string S
#   // VARIANT: CFLAGS...      also compile with these CFLAGS and check it all again
#   // NO-GEN-SUPPRESSIONS: WHY  skip the round trip below (say why)
#   // NO-SUMMARY: WHY        the run ends without the SUMMARY line (_exit: say why)
#
# Every case also checks the renderers: the report as SARIF (validated
# against the SARIF 2.1.0 schema), HTML and text carries every field of
# every finding (check_renderers.py); and the suppressions that
# `report --gen-suppressions` writes for the findings silence them all in a
# second run (rounds more when suppressing a fatal one reveals others).
#
# Several EXPECT-KIND blocks may follow each other; FUNCTION/LINE/MESSAGE
# apply to the KIND above them.
#
# usage: run_case.sh CASE.c|CASE.cpp BUILD_DIR CC [WORK_DIR]
# (LG_CASE_KEEP=1 keeps the work directory of a passing case.)
set -u
case_file=$1 build=$2 cc=$3 cc_given=$3
name=$(basename "$case_file")
name=${name%.*}
# A .cpp case is built by the C++ compiler of the same family: gcc -> g++,
# clang -> clang++ (LG_CXX overrides).
lang_flags=""
if [ "${case_file##*.}" = cpp ]; then
    case "$cc" in
    *gcc*) cxx=${cc%gcc*}g++${cc##*gcc} ;;
    *clang*) cxx=${cc%clang*}clang++${cc##*clang} ;;
    *) cxx=c++ ;;
    esac
    cc=${LG_CXX:-$cxx}
    lang_flags="-std=gnu++17 -fsized-deallocation -Wno-mismatched-new-delete -Wno-unknown-warning-option"
fi
work=${4:-$(mktemp -d "${TMPDIR:-/tmp}/lg-case.XXXXXX")}
mkdir -p "$work"
lifeguard="$build/bin/lifeguard"
here=$(cd "$(dirname "$0")" && pwd)
# The SARIF schema: ../shared beside the checkout (CI), or beside the main
# checkout of a git worktree.
schema=${LG_SARIF_SCHEMA:-$here/../../shared/schemas/sarif-schema-2.1.0.json}
if [ ! -f "$schema" ] && common=$(git -C "$here" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
    schema=$(dirname "$(dirname "$common")")/shared/schemas/sarif-schema-2.1.0.json
fi
python=/usr/bin/python3
[ -x "$python" ] || python=python3
fail() { echo "FAIL $name: $*"; [ -f "$work/report.txt" ] && sed 's/^/  | /' "$work/report.txt" | head -60; exit 1; }

directive() { sed -n "s|^// $1: *||p" "$case_file"; }
has_directive() { grep -q "^// $1\$" "$case_file"; }

args=$(directive RUN | head -1)
options=$(directive OPTIONS | head -1)
cflags=$(directive CFLAGS | head -1)
[ -n "$cflags" ] || cflags="-O1 -g -fno-builtin"
[ -n "${LG_CASE_CFLAGS:-}" ] && cflags=$LG_CASE_CFLAGS

# shellcheck disable=SC2086
"$cc" $cflags $lang_flags -Wno-unused-result -Wno-free-nonheap-object -Wno-use-after-free \
    -I"$(dirname "$0")/../include" -o "$work/$name" "$case_file" -lpthread \
    2>"$work/cc.txt" || { cat "$work/cc.txt"; fail "does not compile"; }

while IFS= read -r text; do
    ! grep -aqF -- "$text" "$work/$name" || fail "the program contains '$text' (cflags: $cflags)"
done < <(directive EXPECT-BINARY-LACKS)

# // SUPPRESSIONS: RULE    lines of a suppressions file given to the run
if grep -q '^// SUPPRESSIONS: ' "$case_file"; then
    directive SUPPRESSIONS >"$work/suppressions.txt"
    options="${options:+$options:}suppressions=suppressions.txt"
fi

cmd=("$lifeguard" run --json report.json)
[ -n "$options" ] && cmd+=(--options "$options")
read -ra argv <<<"$args"
cmd+=(-- "./$name" "${argv[@]}")
(cd "$work" && "${cmd[@]}") >"$work/stdout.txt" 2>"$work/report.txt"
status=$?
[ -f "$work/report.json" ] || fail "no JSON report written (exit $status)"
jq -e . "$work/report.json" >/dev/null 2>&1 || fail "the JSON report does not parse"

errors=$(jq '.summary.errors' "$work/report.json")
if has_directive EXPECT-CLEAN; then
    [ "$errors" = 0 ] || fail "expected no error finding, got $errors: $(jq -c '[.findings[].kind]' "$work/report.json")"
fi

while IFS= read -r expr; do
    jq -e ".summary | $expr" "$work/report.json" >/dev/null ||
        fail "summary fails '$expr': $(jq -c .summary "$work/report.json")"
done < <(directive EXPECT-SUMMARY)

expect_exit=$(directive EXPECT-EXIT | head -1)
if [ -z "$expect_exit" ]; then
    if [ "$errors" = 0 ]; then expect_exit=0; else expect_exit=1; fi
fi
[ "$status" = "$expect_exit" ] || fail "exit status $status, expected $expect_exit"

while IFS= read -r text; do
    grep -qF -- "$text" "$work/stdout.txt" || fail "stdout lacks '$text'"
done < <(directive EXPECT-STDOUT)

while IFS= read -r text; do
    grep -qF -- "$text" "$work/report.txt" || fail "the text report lacks '$text'"
done < <(directive EXPECT-TEXT)

while IFS= read -r text; do
    grep -qF -- "$text" "$work/report.txt" && fail "the text report shows '$text'"
done < <(directive EXPECT-NO-TEXT)

while IFS= read -r kind; do
    n=$(jq --arg k "$kind" '[.findings[] | select(.kind == $k)] | length' "$work/report.json")
    [ "$n" = 0 ] || fail "unexpected $kind finding"
done < <(directive EXPECT-NO-KIND)

# Walk the EXPECT-KIND blocks in order.
kind=""
check_block() {
    local kind=$1 fn=$2 line=$3 msg=$4 obj=${5:-} expr=${6:-} count=${7:-}
    [ -n "$kind" ] || return 0
    local sel='.findings[] | select(.kind == $k)'
    [ "$(jq --arg k "$kind" "[$sel] | length" "$work/report.json")" != 0 ] ||
        fail "no $kind finding; got $(jq -c '[.findings[].kind]' "$work/report.json")"
    if [ -n "$count" ]; then
        local got
        got=$(jq --arg k "$kind" "[$sel] | length" "$work/report.json")
        [ "$got" = "$count" ] || fail "$got $kind findings, expected $count"
    fi
    if [ -n "$obj" ]; then
        jq -e --arg k "$kind" --arg o "$obj" \
            "[$sel | select(.object != null and (.object.type + \"#\" + (.object.id | tostring)) == \$o)] | length > 0" \
            "$work/report.json" >/dev/null || fail "no $kind finding about object $obj"
    fi
    local e
    while IFS= read -r e; do
        [ -n "$e" ] || continue
        jq -e --arg k "$kind" --arg cflags "$cflags" "[$sel | select($e)] | length > 0" "$work/report.json" >/dev/null ||
            fail "no $kind finding for which '$e'"
    done <<<"$expr"
    if [ -n "$msg" ]; then
        jq -e --arg k "$kind" --arg m "$msg" "[$sel | select(.message | contains(\$m))] | length > 0" \
            "$work/report.json" >/dev/null || fail "no $kind finding whose message contains '$msg'"
    fi
    if [ -n "$fn" ]; then
        # A C++ frame may be named with its parameters: "f(int*)" matches f.
        local fn_match='(.function == $f or ((.function // "") | startswith($f + "(")))'
        # Every frame of the finding: its stacks, and its holders' stacks.
        local frames="[$sel | ((.stacks // {}) | .[][]), ((.holders // [])[] | .stacks[][])]"
        jq -e --arg k "$kind" --arg f "$fn" "$frames | map(select($fn_match)) | length > 0" \
            "$work/report.json" >/dev/null || fail "$kind finding has no frame in $fn"
        if [ -n "$line" ]; then
            jq -e --arg k "$kind" --arg f "$fn" --argjson l "$line" --arg file "$(basename "$case_file")" \
                "$frames | map(select($fn_match and .line == \$l and (.file // \"\" | endswith(\$file)))) | length > 0" \
                "$work/report.json" >/dev/null || fail "$kind finding has no frame at $fn $(basename "$case_file"):$line"
        fi
    fi
}
fn="" line="" msg="" obj="" expr="" count=""
while IFS= read -r l; do
    case "$l" in
    "// EXPECT-KIND: "*)
        check_block "$kind" "$fn" "$line" "$msg" "$obj" "$expr" "$count"
        kind=${l#// EXPECT-KIND: } fn="" line="" msg="" obj="" expr="" count="" ;;
    "// EXPECT-FUNCTION: "*) fn=${l#// EXPECT-FUNCTION: } ;;
    "// EXPECT-LINE: "*) line=${l#// EXPECT-LINE: } ;;
    "// EXPECT-MESSAGE: "*) msg=${l#// EXPECT-MESSAGE: } ;;
    "// EXPECT-OBJECT: "*) obj=${l#// EXPECT-OBJECT: } ;;
    "// EXPECT-JQ: "*) expr+=${l#// EXPECT-JQ: }$'\n' ;;
    "// EXPECT-COUNT: "*) count=${l#// EXPECT-COUNT: } ;;
    esac
done <"$case_file"
check_block "$kind" "$fn" "$line" "$msg" "$obj" "$expr" "$count"

# The renderers, from the same JSON.
[ -f "$schema" ] || fail "the SARIF schema is not at $schema (set LG_SARIF_SCHEMA)"
for fmt in sarif html text; do
    (cd "$work" && "$lifeguard" report --format $fmt -o report.$fmt report.json) 2>"$work/render.txt" ||
        { cat "$work/render.txt"; fail "report --format $fmt fails"; }
done
LG_EXPECT_SUMMARY=$(grep -q '^// NO-SUMMARY: ' "$case_file" && echo 0 || echo 1) \
    "$python" "$here/check_renderers.py" "$schema" "$work/report.json" "$work/report.sarif" "$work/report.html" \
    "$work/report.text" "$work/report.txt" || fail "a renderer lost a field"

# The suppressions generated for the findings silence them all.  A fatal
# finding (a fault at a guarded block) stops the first run; suppressed, it
# lets the program go on to findings that run never reached, so the rules
# generated for those are added too, round by round while rounds add rules.
if [ "$(jq '.findings | length' "$work/report.json")" != 0 ] && ! grep -q '^// NO-GEN-SUPPRESSIONS: ' "$case_file"; then
    : >"$work/generated.supp"
    [ -f "$work/suppressions.txt" ] && cat "$work/suppressions.txt" >>"$work/generated.supp"
    gen_options=$(directive OPTIONS | head -1)
    gen_options="${gen_options:+$gen_options:}suppressions=generated.supp"
    gen_cmd=("$lifeguard" run --json again.json --options "$gen_options" -- "./$name" "${argv[@]}")
    from=$work/report.json
    rounds=0
    while [ $rounds -lt 10 ]; do
        rounds=$((rounds + 1))
        before=$(grep -vc '^#' "$work/generated.supp")
        "$lifeguard" report --gen-suppressions "$from" >>"$work/generated.supp" || fail "--gen-suppressions fails"
        [ "$(grep -vc '^#' "$work/generated.supp")" = "$before" ] && [ $rounds -gt 1 ] && break # no new rule
        (cd "$work" && "${gen_cmd[@]}") >/dev/null 2>"$work/again.txt"
        left=$(jq -c '[.findings[] | .kind + " " + .message]' "$work/again.json" 2>/dev/null)
        [ "$left" = "[]" ] && break
        cp "$work/again.json" "$work/again.$rounds.json"
        from=$work/again.$rounds.json
    done
    [ "$left" = "[]" ] || { sed 's/^/  rules| /' "$work/generated.supp"; fail "the generated suppressions leave $left after $rounds rounds"; }
fi

if has_directive NO-RUNTIME-RUN; then
    (cd "$work" && "./$name" "${argv[@]}") >/dev/null 2>&1 || fail "fails without the runtime"
fi

if [ -z "${LG_CASE_CFLAGS:-}" ]; then
    while IFS= read -r v; do
        LG_CASE_CFLAGS="$v" "$0" "$case_file" "$build" "$cc_given" >"$work/variant.txt" 2>&1 ||
            { cat "$work/variant.txt"; fail "variant '$v' fails"; }
    done < <(directive VARIANT)
fi

[ -n "${LG_CASE_KEEP:-}" ] || rm -rf "$work"
echo "PASS $name${LG_CASE_CFLAGS:+ ($LG_CASE_CFLAGS)}"
