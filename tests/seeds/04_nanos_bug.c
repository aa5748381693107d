// Seed 4, Nanos: unlink frees the metadata of a file that is still open;
// close then reads the freed metadata in p9_fsf_free.
// OPTIONS: guard=off
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-STDOUT: cannot get from unknown value
// EXPECT-KIND: ref-freed-while-held
// EXPECT-FUNCTION: p9_unlink
// EXPECT-OBJECT: fsfile_md#1
// EXPECT-JQ: (.stacks.last_put | any(.function == "p9_unlink")) and (.holders | any(.holder_type == "p9_fsf" and (.stacks[][] | .function == "p9_open")))
// EXPECT-KIND: stale-pointer
// EXPECT-FUNCTION: p9_fsf_free
// EXPECT-JQ: (.stacks.access | any(.function == "p9_fsf_free" and .line == 73)) and (.stacks.access | any(.function == "p9_close")) and (.stacks.free | any(.function == "p9_unlink" and .line == 122)) and .block.size == 40
#include "../../examples/seeds/04_nanos_unlink_close.c"
