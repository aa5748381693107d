#!/usr/bin/env bash
# tests/docs/run.sh BINARY_DIR — the docs keep up with the code: every
# runtime option is in the README's table, every finding kind in
# docs/REPORT.md, and the README starts with its two commands.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$1
fail=0
options=$("$bin/bin/lifeguard" --help | awk '/^  NAME +TYPE/ {on=1; next} on && NF {print $1}')
[ -n "$options" ] || { echo "FAIL no options in lifeguard --help"; exit 1; }
for o in $options; do
    grep -q "^| \`$o\` |" "$root/README.md" || { echo "FAIL README.md does not document option $o"; fail=1; }
done
kinds=$(sed -n 's/^ *X([A-Z_]*, "\([a-z-]*\)").*/\1/p' "$root/src/core/lg_report.h")
for k in $kinds; do
    grep -q "^| \`$k\` |" "$root/docs/REPORT.md" || { echo "FAIL docs/REPORT.md does not document kind $k"; fail=1; }
done
first=$(grep -m2 '^\./dev.sh' "$root/README.md" | awk '{print $2}' | tr '\n' ' ')
[ "$first" = "demo test " ] || { echo "FAIL README.md must start with ./dev.sh demo and ./dev.sh test"; fail=1; }
[ $fail -eq 0 ] && echo "ok   $(wc -w <<<"$options") options and $(wc -w <<<"$kinds") kinds documented"
exit $fail
