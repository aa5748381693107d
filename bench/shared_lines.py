#!/usr/bin/python3
"""shared_lines.py — the cache lines that two threads of refs_bench both
write, from a Valgrind lackey trace of its untimed mode:

  REFS_BENCH_MARK=1 LIFEGUARD_OPTIONS=leaks=0 LD_PRELOAD=LIB/liblifeguard.so \\
    valgrind --tool=lackey --trace-mem=yes --log-fd=2 ./refs_bench --fixed 2000 2 [own] \\
    2>&1 >/dev/null | bench/shared_lines.py [--min K]

Lackey names no thread, so a write is charged to the thread whose stack
(from the REFS_BENCH_MARK lines) took the last write to a stack: Valgrind
runs one thread at a time and switches between blocks, and a thread's first
block after a switch that writes anything but its stack before its first
push is charged to the other thread.  Those few writes are far below the
per-call counts this is for: a line written once per call by both threads
shows as the calls' count in both columns.  The threads' stacks, and what
the main thread writes, are left out.

Prints each line written by both at least K times each (default 100), most
written first, with the writes of thread 0 and 1, then how many there are."""
import re
import sys

STACK_BELOW = 1 << 20  # a marked frame's stack extends this far down ...
STACK_ABOVE = 1 << 16  # ... and this far up (the thread's first frames)


def main(argv):
    least = 100
    if len(argv) == 3 and argv[1] == "--min":
        least = int(argv[2])
    elif len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    mark = re.compile(r"refs_bench: thread (\d+|main) stack (0x[0-9a-f]+)")
    stacks = {}
    writes = {}
    current = None
    for line in sys.stdin:
        if line.startswith("refs_bench:"):
            m = mark.match(line)
            if m:
                stacks[m.group(1)] = int(m.group(2), 16)
            continue
        if len(stacks) < 3 or len(line) < 4 or line[0] != " " or line[1] not in "SM":
            continue
        addr = int(line[3:].split(",", 1)[0], 16)
        on_stack = None
        for t, top in stacks.items():
            if top - STACK_BELOW <= addr <= top + STACK_ABOVE:
                on_stack = t
        if on_stack is not None:
            current = on_stack
            continue
        if current not in ("0", "1"):
            continue
        counts = writes.setdefault(addr >> 6, [0, 0])
        counts[int(current)] += 1
    if len(stacks) < 3:
        sys.stderr.write("shared_lines.py: no REFS_BENCH_MARK lines for main and two threads in the input\n")
        return 1
    both = sorted(((min(c), line, c) for line, c in writes.items() if min(c) >= least), reverse=True)
    for _, line, c in both:
        print(f"{line << 6:#x} thread0={c[0]} thread1={c[1]}")
    print(f"lines written: {len(writes)}; by both threads at least {least} times each: {len(both)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
