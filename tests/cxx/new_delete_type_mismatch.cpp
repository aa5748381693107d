// A sized delete whose size is not what new was given, and an aligned delete
// of a block without that alignment: new-delete-type-mismatch at the delete.
// EXPECT-KIND: new-delete-type-mismatch
// EXPECT-FUNCTION: release_sized
// EXPECT-LINE: 20
// EXPECT-MESSAGE: sized operator delete says 16 bytes; the block
// EXPECT-JQ: .block.size == 40
// EXPECT-JQ: .stacks.alloc | length > 0
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

int main()
{
    void *p = ::operator new(40);
    sink = p;
    release_sized(p);
    std::puts("done");
    return 0;
}
