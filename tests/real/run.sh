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
cat >"$work/script.pl" <<'PL'
use strict; use warnings;
my %h; $h{$_ % 1000} .= "x$_" for 1..200000;
my @s = sort { length($h{$b}) <=> length($h{$a}) || $a <=> $b } keys %h;
my $n = 0; $n++ while $h{7} =~ /x(\d+)/g;
eval { die { code => 3 } }; print "died $@->{code}\n";
print scalar(@s), " $s[0] $n\n";
PL
# The JVM handles SIGSEGV itself (implicit null checks: a thousand NPEs
# here) and keeps malloc'd blocks only in JIT-compiled code.
mkdir -p "$work/java" && cat >"$work/java/Hello.java" <<'JAVA'
import java.util.*;
public class Hello {
  public static void main(String[] a) throws Exception {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < 200000; i++) m.merge("k" + (i % 1000), 1, Integer::sum);
    Object o = null; int npe = 0;
    for (int i = 0; i < 1000; i++) try { o.hashCode(); } catch (NullPointerException e) { npe++; }
    Thread[] ts = new Thread[4];
    for (int i = 0; i < 4; i++) { ts[i] = new Thread(() -> { StringBuilder sb = new StringBuilder(); for (int j = 0; j < 100000; j++) sb.append(j); }); ts[i].start(); }
    for (Thread t : ts) t.join();
    System.out.println(m.size() + " " + m.get("k7") + " npe=" + npe);
    System.exit(3);
  }
}
JAVA
cat >"$work/throw.cpp" <<'CXX'
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
static int depth(int n) { std::vector<std::string> v(4, std::string(50, 'x')); if (!n) throw std::runtime_error("deep"); return depth(n - 1) + 1; }
int main() {
  std::vector<std::thread> ts;
  std::vector<int> counts(4);
  for (int t = 0; t < 4; t++) ts.emplace_back([t, &counts] { for (int i = 0; i < 500; i++) try { depth(20); } catch (const std::exception &) { counts[t]++; } });
  for (auto &t : ts) t.join();
  std::map<std::string, std::unique_ptr<int>> m;
  for (int i = 0; i < 1000; i++) m[std::to_string(i)] = std::make_unique<int>(i);
  printf("caught %d, map %zu\n", counts[0] + counts[1] + counts[2] + counts[3], m.size());
  try { m.at("nope"); } catch (const std::out_of_range &) { return 9; }
}
CXX
cat >"$work/prog.f90" <<'F90'
program p
  real, allocatable :: a(:)
  character(len=:), allocatable :: s
  allocate(a(100000))
  a = [(sqrt(real(i)), i = 1, size(a))]
  s = 'hello'
  s = s // ' fortran'
  print '(A, F12.1)', s, sum(a)
  deallocate(a)
  stop 5
end program
F90
mkdir -p "$work/crate/src" && printf '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n' >"$work/crate/Cargo.toml"
cat >"$work/crate/src/main.rs" <<'RS'
fn main() {
    let h: Vec<_> = (0..4u64).map(|t| std::thread::spawn(move || (0..10000u64).map(|x| x * t).sum::<u64>())).collect();
    println!("{}", h.into_iter().map(|j| j.join().unwrap()).sum::<u64>());
}
RS
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
    [ "$name" = cargo ] && rm -rf "$work/crate/target"
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

# Perl frees its interpreter at exit only at PERL_DESTRUCT_LEVEL=2 (at 0,
# its default, Valgrind finds the same 50 blocks definitely lost).
PERL_DESTRUCT_LEVEL=2 check perl perl "$work/script.pl"
lg_args=(-o "suppressions=$(cd "$(dirname "$0")" && pwd)/jvm.supp")
if command -v javac >/dev/null && command -v java >/dev/null; then
    check javac javac -d "$work/java" "$work/java/Hello.java"
    check java java -cp "$work/java" Hello
fi
lg_args=(-o "suppressions=$(cd "$(dirname "$0")" && pwd)/toolchain.supp")
if command -v g++ >/dev/null; then
    check g++ g++ -O2 -pthread -o "$work/throw" "$work/throw.cpp"
    lg_args=()
    check c++-throw "$work/throw"
    lg_args=(-o "suppressions=$(cd "$(dirname "$0")" && pwd)/toolchain.supp")
fi
if command -v gfortran >/dev/null; then
    check gfortran gfortran -O2 -o "$work/fprog" "$work/prog.f90"
    lg_args=()
    check fortran "$work/fprog"
    lg_args=(-o "suppressions=$(cd "$(dirname "$0")" && pwd)/toolchain.supp")
fi
# cargo runs rustc, which links with cc, and rust-lld deletes what
# libLLVM.so's own operator new allocated (a module with its own C++ runtime).
if command -v cargo >/dev/null; then
    CARGO_TARGET_DIR=$work/crate/target check cargo cargo build --offline -q --manifest-path "$work/crate/Cargo.toml"
    rm -rf "$work/crate/target"
fi
lg_args=()

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
