// guard=sites twin of tests/seeds/04_nanos_bug.c, which is pinned to
// guard=off because the seed's write-up follows the poison path (the freed
// metadata's watchers pointer is poison, its dereference a stale-pointer).
// Under the default guard=sites the metadata block is guarded, so the first
// read of it after the free, in fs_file_is_busy, faults at the instruction.
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-KIND: ref-freed-while-held
// EXPECT-FUNCTION: p9_unlink
// EXPECT-OBJECT: fsfile_md#1
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: p9_fsf_free
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "fs_file_is_busy" and (.line == 62 or .line == 63))) and (.stacks.access | any(.function == "p9_close")) and (.stacks.free | any(.function == "p9_unlink" and .line == 122)) and .block.size == 40
// EXPECT-NO-KIND: stale-pointer
#include "../../../examples/seeds/04_nanos_unlink_close.c"
