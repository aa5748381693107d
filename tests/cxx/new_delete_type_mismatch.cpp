// A sized delete whose size is not what new was given, and aligned deletes
// whose alignment is not the one new was given (either way: the pointer
// having the delete's alignment does not make it right):
// new-delete-type-mismatch at the delete, with the allocation's stack.
// EXPECT-KIND: new-delete-type-mismatch
// EXPECT-FUNCTION: release_sized
// EXPECT-LINE: 33
// EXPECT-MESSAGE: sized operator delete says 16 bytes; the block
// EXPECT-JQ: .block.size == 40
// EXPECT-JQ: .stacks.alloc | length > 0
// EXPECT-KIND: new-delete-type-mismatch
// EXPECT-FUNCTION: release_aligned
// EXPECT-LINE: 39
// EXPECT-MESSAGE: an aligned operator delete with alignment 32 of the block at
// EXPECT-JQ: .message | endswith("allocated with alignment 128")
// EXPECT-JQ: (.stacks.alloc | map(select(.function == "main" and .line == 49)) | length) > 0
// EXPECT-KIND: new-delete-type-mismatch
// EXPECT-FUNCTION: release_aligned
// EXPECT-LINE: 39
// EXPECT-MESSAGE: an aligned operator delete with alignment 256 of the block at
// EXPECT-JQ: .message | endswith("allocated with alignment 32")
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <cstddef>
#include <cstdio>
#include <new>

static void *volatile sink;

__attribute__((noinline)) static void release_sized(void *p)
{
    /* the caller believes it holds a 16-byte object */
    ::operator delete(p, static_cast<std::size_t>(16));
    sink = p;
}

__attribute__((noinline)) static void release_aligned(void *p, std::size_t align)
{
    ::operator delete(p, std::align_val_t(align));
    sink = p;
}

int main()
{
    void *p = ::operator new(40);
    sink = p;
    release_sized(p);
    /* more aligned than the delete says: still not what new was given */
    void *wide = ::operator new(64, std::align_val_t(128));
    sink = wide;
    release_aligned(wide, 32);
    void *narrow = ::operator new(64, std::align_val_t(32));
    sink = narrow;
    release_aligned(narrow, 256);
    std::puts("done");
    return 0;
}
