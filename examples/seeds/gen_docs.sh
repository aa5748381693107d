#!/usr/bin/env bash
# gen_docs.sh BUILD_DIR [DOC] — rewrites the report excerpts of docs/seeds.md
# (or DOC) from real runs of the seed models under BUILD_DIR/bin/lifeguard.
#
# Each excerpt sits between two markers:
#   <!-- report: [-o KEY=VALUE]... MODEL ARGS | SPEC -->  ...  <!-- /report -->
# The model runs with ARGS, lifeguard with the options given; the excerpt shows the command, the model's
# output and lifeguard's report (shortened as in demo.sh), in which the
# findings SPEC names are given whole and the others by their first line.
# SPEC: space-separated KIND or KIND~REGEX (the first KIND finding whose
# text matches REGEX), each used once.
set -uo pipefail

die() { echo "gen_docs.sh: $*" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: gen_docs.sh BUILD_DIR [DOC] (DOC: docs/seeds.md)"; fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1%/}
doc=${2:-$src/docs/seeds.md}
lifeguard=$build/bin/lifeguard
[ -x "$lifeguard" ] || die "$lifeguard: not found; build first"
[ -d "$build/examples/seeds" ] || die "$build/examples/seeds: not found; build the seed models first"
[ -f "$doc" ] || die "$doc: no such file"

# shellcheck source=examples/seeds/report_trim.sh
. "$(dirname "$0")/report_trim.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/lifeguard-docs.XXXXXX") || die "cannot create a temp dir"
trap 'rm -rf "$work"' EXIT

# excerpt "OPTIONS" MODEL "ARGS" "SPEC"
excerpt() {
    local opts=$1 model=$2 args=$3 spec=$4 status
    [ -x "$build/examples/seeds/$model" ] || die "no model $model in $build/examples/seeds"
    # shellcheck disable=SC2086
    TMPDIR=$work "$lifeguard" run $opts --log "$work/log" -- "$build/examples/seeds/$model" $args >"$work/out" 2>&1
    status=$?
    [ -s "$work/log" ] || die "$model $args: lifeguard reported nothing (exit $status)"
    echo "\$ lifeguard run ${opts:+$opts }-- build/examples/seeds/$model $args"
    sed -E "s#$work#/tmp#g" "$work/out"
    report_trim "$src" "$build" <"$work/log" | awk -v spec="$spec" '
        BEGIN { RS = ""; n = split(spec, want, " ") }
        {
            kind = $0; sub(/^[^:]*: lifeguard: /, "", kind); sub(/:.*/, "", kind)
            whole = 0
            for (i = 1; i <= n && !whole; i++) {
                if (want[i] == "") continue
                k = want[i]; re = ""
                if (index(k, "~")) { re = substr(k, index(k, "~") + 1); k = substr(k, 1, index(k, "~") - 1) }
                if (k == kind && (re == "" || $0 ~ re)) { whole = 1; want[i] = "" }
            }
            if (whole || $0 !~ /lifeguard: [a-z-]+: /) { printf "%s%s\n", (NR > 1 ? "\n" : ""), $0; brief = 0 }
            else { split($0, line, "\n"); printf "%s%s\n", (brief || NR == 1 ? "" : "\n"), line[1]; brief = 1 }
        }'
    echo "\$ echo \$?"
    echo "$status"
}

out=$work/doc.md
skipping=0 count=0
while IFS= read -r line; do
    if [[ $line =~ ^\<!--\ report:\ ((-o [^ ]+ )*)([^ ]+)\ ?([^|]*)\|\ ?(.*)\ --\>$ ]]; then
        opts=${BASH_REMATCH[1]% } model=${BASH_REMATCH[3]} args=${BASH_REMATCH[4]% } spec=${BASH_REMATCH[5]}
        printf '%s\n```text\n' "$line"
        excerpt "$opts" "$model" "$args" "$spec" || exit 2
        printf '```\n'
        skipping=1
        count=$((count + 1))
    elif [[ $line == '<!-- /report -->' ]]; then
        skipping=0
        echo "$line"
    elif [ $skipping = 0 ]; then
        echo "$line"
    fi
done <"$doc" >"$out"
[ $skipping = 0 ] || die "$doc: a report marker is not closed by <!-- /report -->"
cp "$out" "$doc"
echo "gen_docs.sh: $count excerpts written to $doc"
