#!/usr/bin/env bash
# guard_real.sh — guard=sites against guard=off on real programs (those of
# tests/real), interleaved run by run on the same machine load: median wall
# time of each and the ratio.  docs/PERFORMANCE.md records its output.
# usage: bench/guard_real.sh [BUILD_DIR] [RUNS]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build} runs=${2:-7}
lib=$build/lib/liblifeguard.so
[ -f "$lib" ] || { echo "guard_real.sh: no $lib (build first)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-guard-real.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/script.py" <<'PY'
import json, re, collections, sqlite3
words = collections.Counter(re.findall(r"\w+", "the quick brown fox jumps over the lazy dog " * 2000))
db = sqlite3.connect(":memory:")
db.execute("create table w(word text, n int)")
db.executemany("insert into w values (?, ?)", words.items())
print(json.dumps(db.execute("select word, n from w order by n desc limit 3").fetchall()))
print(sum(len(str(i)) for i in range(300000)), len({str(i): i for i in range(100000)}))
PY
cat >"$work/script.sql" <<'SQL'
create table t(id integer primary key, name text, score real);
with recursive c(x) as (select 1 union all select x+1 from c where x < 50000)
insert into t(name, score) select 'name' || x, x * 1.5 from c;
create index t_score on t(score);
select count(*), sum(score), max(name) from t where score > 100;
SQL
cat >"$work/script.lua" <<'LUA'
local t = {}
for i = 1, 300000 do t[i] = tostring(i) .. "x" end
local counts = {}
for _, v in ipairs(t) do local k = #v; counts[k] = (counts[k] or 0) + 1 end
print(#t, counts[7])
LUA
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
wall() { # options, command...
    local opts=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    LD_PRELOAD=$lib LIFEGUARD_OPTIONS="leaks=0:$opts" "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
echo "| program | guard=off (s) | guard=sites (s) | × |"
echo "| --- | ---: | ---: | ---: |"
while read -r name cmd; do
    # shellcheck disable=SC2086
    command -v ${cmd%% *} >/dev/null || continue
    : >"$work/off" && : >"$work/sites"
    for ((i = 0; i < runs; i++)); do
        # shellcheck disable=SC2086
        wall guard=off $cmd >>"$work/off"
        # shellcheck disable=SC2086
        wall guard=sites $cmd >>"$work/sites"
    done
    off=$(median <"$work/off") sites=$(median <"$work/sites")
    echo "| $name | $off | $sites | $(awk -v a="$sites" -v b="$off" 'BEGIN { printf "%.3f", a / b }') |"
done <<EOF2
python3 python3 $work/script.py
sqlite3 sqlite3 :memory: .read $work/script.sql
lua lua5.4 $work/script.lua
git git -C $root log --oneline -200
EOF2
