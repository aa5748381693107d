#!/usr/bin/env bash
# run.sh — real programs we did not write, under the runtime: each must
# print exactly what it prints without lifeguard, exit the same way, and
# produce no error finding.
# usage: run.sh BUILD_DIR [CC]
set -u
build=$(cd "$1" && pwd)
lifeguard="$build/bin/lifeguard"
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-real.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# Inputs the programs work on.
cat >"$work/script.py" <<'PY'
import json, re, collections, hashlib, sqlite3, threading
words = collections.Counter(re.findall(r"\w+", "the quick brown fox jumps over the lazy dog the end " * 200))
db = sqlite3.connect(":memory:")
db.execute("create table w(word text, n int)")
db.executemany("insert into w values (?, ?)", words.items())
out = []
def work(k):
    out.append(hashlib.sha256(str(k).encode() * 1000).hexdigest()[:8])
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
print(json.dumps(sorted(db.execute("select word, n from w order by n desc limit 3").fetchall())), len(out))
print(sum(len(str(i)) for i in range(200000)))
PY
cat >"$work/script.sql" <<'SQL'
create table t(id integer primary key, name text, score real);
with recursive c(x) as (select 1 union all select x+1 from c where x < 20000)
insert into t(name, score) select 'name' || x, x * 1.5 from c;
create index t_score on t(score);
select count(*), sum(score), max(name) from t where score > 100;
select name from t order by score desc limit 3;
SQL
cat >"$work/script.lua" <<'LUA'
local t = {}
for i = 1, 200000 do t[i] = tostring(i) .. "x" end
local s = table.concat(t, ",", 1, 1000)
local counts = {}
for w in s:gmatch("%d+") do counts[#w] = (counts[#w] or 0) + 1 end
collectgarbage()
print(#t, #s, counts[1], counts[3])
LUA
mkdir -p "$work/proj" && cat >"$work/proj/Makefile" <<'MK'
all: hello
	./hello
hello: hello.o
	$(CC) -o $@ $^
hello.o: hello.c
	$(CC) -O2 -c $<
MK
printf '#include <stdio.h>\nint main(void){puts("hello from make");return 0;}\n' >"$work/proj/hello.c"
git -C "$work" init -q repo && git -C "$work/repo" -c user.email=a@b -c user.name=n commit -q --allow-empty -m first

lg_args=()
check() { # check NAME COMMAND...  (lg_args: extra lifeguard run arguments)
    local name=$1
    shift
    local expect_out expect_status got_out got_status
    expect_out=$("$@" 2>&1)
    expect_status=$?
    [ "$name" = make ] && make -s -C "$work/proj" clean >/dev/null 2>&1; rm -f "$work/proj/hello" "$work/proj/hello.o"
    # --count-errors top: the program under test is judged by its own report;
    # what it runs (python3's bash, make's cc) is other programs, with their
    # own leaks at exit.
    got_out=$("$lifeguard" run --count-errors top "${lg_args[@]}" --json "$work/$name.json" --log "$work/$name.log" -- "$@" 2>&1)
    got_status=$?
    local why=""
    [ "$got_status" = "$expect_status" ] || why="exit status $got_status, expected $expect_status"
    [ "$got_out" = "$expect_out" ] || why="${why:+$why; }output differs"
    local errors
    errors=$(jq '.summary.errors' "$work/$name.json" 2>/dev/null || echo "no-report")
    [ "$errors" = 0 ] || why="${why:+$why; }errors in report: $errors $(jq -c '[.findings[] | .kind + ": " + .message]' "$work/$name.json" 2>/dev/null | head -c 600)"
    if [ -z "$why" ]; then
        echo "PASS real/$name"
        passed=$((passed + 1))
    else
        echo "FAIL real/$name: $why"
        diff <(echo "$expect_out") <(echo "$got_out") | head -10
        head -40 "$work/$name.log"
        failed=$((failed + 1))
    fi
}

# The interpreter itself, not a version manager's shell shim in front of it
# (pyenv's is a bash script, whose own exit-time leaks are bash's).
if command -v python3 >/dev/null; then
    python=$(python3 -c 'import sys; print(sys.executable)')
    check python3 "$python" "$work/script.py"
fi
command -v sqlite3 >/dev/null && check sqlite3 sqlite3 :memory: ".read $work/script.sql"
command -v lua5.4 >/dev/null && check lua lua5.4 "$work/script.lua"
check git git -C "$work/repo" log --format=%s
check git-status git -C "$work/repo" status --short
# The GNU toolchain leaks by design (it exits instead of freeing; Valgrind
# finds the same blocks "definitely lost"): those leaks are real, so they are
# suppressed here, by the test, not by lifeguard's defaults.
lg_args=(-o "suppressions=$(cd "$(dirname "$0")" && pwd)/toolchain.supp")
check make make -s -C "$work/proj" CC=gcc
check gcc gcc -O2 -c -o "$work/x.o" "$work/proj/hello.c"
lg_args=()
check ls ls -la /usr/include/linux/ --color=never
# node starts its helper threads on small stacks: with the runtime's state in
# static TLS, one of them was refused (EINVAL) and node said so on stderr.
command -v node >/dev/null && check node node -e 'let a = []; for (let i = 0; i < 100000; i++) a.push({i, s: String(i)}); console.log(a.length, JSON.stringify(a.slice(0, 2)))'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
