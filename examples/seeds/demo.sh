#!/usr/bin/env bash
# demo.sh BUILD_DIR — run the five seed-bug models under `lifeguard run`:
# each buggy variant with its report, then each fixed variant, which must
# come out clean.  Exit status 0 when every bug was reported as expected
# (finding kind and culprit function, checked in the JSON report) and every
# fixed variant had no finding at all; 1 otherwise; 2 on bad arguments.
set -uo pipefail

die() { echo "demo.sh: $*" >&2; exit 2; }
[ $# -eq 1 ] || die "usage: demo.sh BUILD_DIR (a lifeguard build tree, e.g. build)"
build=${1%/}
lifeguard=$build/bin/lifeguard
models=$build/examples/seeds
[ -d "$build" ] || die "$build: no such directory"
[ -x "$lifeguard" ] || die "$lifeguard: not found; build first (cmake --build $build)"
[ -d "$models" ] || die "$models: not found; build the seed models first (cmake --build $build)"
command -v jq >/dev/null || die "jq is required (./dev.sh deps installs it)"

src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lifeguard-demo.XXXXXX") || die "cannot create a temp dir"
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work # model 1 creates its image there

if [ -t 1 ]; then bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' off=$'\e[0m'; else bold="" green="" red="" off=""; fi

# The seeds: model, buggy arguments, title (empty: a rerun of the seed
# above), the findings expected (kind:function, all required; the function
# may be in any stack of one finding of that kind, holders' included), and
# what the bug is.
seeds=(
01_serenity_loop_unmount "--bug" "SerenityOS: a FAT32 image mounted through a loop device blocks shutdown"
"still-alive:disk_cache_create ref-cycle:disk_cache_create"
"The unmount path of FATFS never calls remove_disk_cache_before_last_unmount(). The DiskCache
holds a reference to its file system, so the FATFS survives the unmount, and with it the open
description of loop0, the loop device and the image's inode: at shutdown the root context
refuses to unref a file system with in-use inodes."

02_asterinas_task_leak "--bug" "Asterinas: no task is ever freed"
"ref-growth:park_current ref-leak:park_current ref-leak:do_exit ref-leak:procfs_lookup checkpoint-leak:do_fork"
"Three leaks, all switched on here: park_current() takes a reference to the current task and
never drops it (the idle task's count grows with every park); process exit yields for the last
time without dropping its frame's strong reference to the process, which holds its task; and
building a /proc inode (at fork, and for ls /proc) takes an extra reference to the process."

03_openzfs_dio_double_release "--bug" "OpenZFS: \"BUG: Bad page state\" on the direct-I/O write path"
"ref-put-unheld:zfs_dio_write ref-put-unheld:zfs_write"
"A direct-I/O write pins the user's pages and releases them in zfs_uio_free_dio_pages(). When
the write fails its checksum verify and is retried buffered, the error path releases the pages
and so does the write's common exit: the zero page's count drops to 0 and it is \"freed\"."

04_nanos_unlink_close "--bug" "Nanos (9P/VirtFS): open(O_CREAT), unlink, close kills the kernel"
"ref-freed-while-held:p9_unlink use-after-free:p9_fsf_free"
"unlink frees the file's metadata as soon as its last link is gone, though a descriptor still
uses it; close, in p9_fsf_free(), asks whether the file is watched and reads the freed
metadata (\"cannot get from unknown value\"). The block is guarded (the first blocks of every
allocation stack are): the read faults and is reported at that line."

05_tilck_free_order "--bug" "Tilck: kfree of the poison value 0xfaabcafefaabcafe"
"use-after-free:free_process_int"
"free_process_int() frees the block holding the task and the process, then reads
pi->debug_cmdline out of it to free the command line. With free-memory poisoning the pointer
read is poison. On i386 small blocks were never poisoned, which hid it: the second run below
uses a 48-byte block. Both blocks are guarded here: the read of pi->debug_cmdline itself
faults and is reported at its line (with guard=off the poison names the block at the kfree)."

05_tilck_free_order "--bug --small" ""
"use-after-free:free_process_int"
"(the same, with a 48-byte task_and_process block)"
)

# shellcheck source=examples/seeds/report_trim.sh
. "$(dirname "$0")/report_trim.sh"
trim() { report_trim "$src" "$build"; }

# has JSON KIND FUNCTION: a KIND finding with FUNCTION in one of its stacks.
has() {
    jq -e --arg k "$2" --arg f "$3" \
        '[.findings[] | select(.kind == $k) | [((.stacks // {}) | .[][]), ((.holders // [])[] | .stacks[][])]
          | map(select(.function == $f)) | length > 0] | any' "$1" >/dev/null 2>&1
}

failed=0 n=0
echo "${bold}lifeguard: the five seed bugs (docs/seeds.md)${off}"
echo "Each model runs its buggy variant under \`$lifeguard run\`; lifeguard's report follows"
echo "the model's own output (paths shortened, frames below main left out)."
for ((i = 0; i < ${#seeds[@]}; i += 5)); do
    model=${seeds[i]} args=${seeds[i + 1]} title=${seeds[i + 2]} expect=${seeds[i + 3]} bug=${seeds[i + 4]}
    n=$((n + 1))
    bin=$models/$model
    [ -x "$bin" ] || { echo "${red}missing model $bin${off}"; failed=1; continue; }
    echo
    if [ -n "$title" ]; then
        echo "${bold}════ Seed ${model%%_*}: $title${off}"
        echo "$bug"
    else
        echo "${bold}──── $bug${off}"
    fi
    echo "${bold}\$ lifeguard run -- ${model} $args${off}"
    # shellcheck disable=SC2086
    "$lifeguard" run --json "$work/$n.json" --log "$work/$n.log" -- "$bin" $args >"$work/$n.out" 2>&1
    status=$?
    sed 's/^/  | /' "$work/$n.out"
    trim <"$work/$n.log"
    missing=()
    [ -n "$expect" ] || missing+=("an expectation (demo.sh lists none)")
    [ -f "$work/$n.json" ] || missing+=("a JSON report")
    [ "$status" = 1 ] || missing+=("exit status 1 (got $status)")
    for e in $expect; do
        has "$work/$n.json" "${e%%:*}" "${e#*:}" || missing+=("${e%%:*} in ${e#*:}")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "${green}✓ reported as expected:${off} $(sed 's/:/ in /g; s/ \([a-z-]* in\)/, \1/g' <<<"$expect")"
    else
        echo "${red}✗ expected, not found: $(printf '%s; ' "${missing[@]}" | sed 's/; $//')${off}"
        failed=1
    fi
done

echo
echo "${bold}════ The fixed variants (the default): no finding at all${off}"
for model in 01_serenity_loop_unmount 02_asterinas_task_leak 03_openzfs_dio_double_release \
    04_nanos_unlink_close "05_tilck_free_order" "05_tilck_free_order --small"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    "$lifeguard" run --json "$work/$n.json" --log "$work/$n.log" -- "$models/"$model >"$work/$n.out" 2>&1
    status=$?
    count=$(jq '.findings | length' "$work/$n.json" 2>/dev/null || echo "no report")
    if [ "$status" = 0 ] && [ "$count" = 0 ]; then
        printf '%s✓ %-38s clean%s   (%s)\n' "$green" "$model" "$off" "$(tail -1 "$work/$n.out")"
    else
        printf '%s✗ %-38s exit %s, findings: %s%s\n' "$red" "$model" "$status" "$count" "$off"
        trim <"$work/$n.log" | sed 's/^/  | /'
        failed=1
    fi
done

echo
if [ "$failed" = 0 ]; then
    echo "${green}${bold}demo: every seed bug was found and named, every fix comes out clean${off}"
else
    echo "${red}${bold}demo: some seed was not reported as expected (see ✗ above)${off}"
fi
exit "$failed"
