// Seed 1, SerenityOS: FATFS unmount never removes its DiskCache, whose
// reference keeps the file system, loop0 and the image's inode alive, so
// shutdown refuses to unref the root file system.
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-STDOUT: VFSRootContext: Refuse to unref filesystem with in-use inodes
// EXPECT-KIND: still-alive
// EXPECT-FUNCTION: disk_cache_create
// EXPECT-OBJECT: FATFS#1
// EXPECT-JQ: [.holders[] | select(.holder_type == "DiskCache") | .stacks[][] | select(.function == "disk_cache_create" and .line == 116 and (.file | endswith("01_serenity_loop_unmount.c")))] | length > 0
// EXPECT-KIND: ref-cycle
// EXPECT-FUNCTION: disk_cache_create
// EXPECT-JQ: [.cycle[].type] == ["FATFS", "DiskCache"]
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: VFSRootContext#1
#include "../../examples/seeds/01_serenity_loop_unmount.c"
