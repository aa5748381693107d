// Blocks released by the wrong family: each an alloc-dealloc-mismatch at the
// release, with the allocation's stack; the block is freed all the same.
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_with_free
// EXPECT-LINE: 38
// EXPECT-MESSAGE: free() of the 24-byte block
// EXPECT-JQ: .message | contains("allocated by operator new")
// EXPECT-JQ: (.stacks.alloc | map(select(.function == "main")) | length) > 0
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_with_delete
// EXPECT-LINE: 44
// EXPECT-MESSAGE: operator delete of the 16-byte block
// EXPECT-JQ: .message | contains("allocated by malloc()")
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_array_with_delete
// EXPECT-LINE: 50
// EXPECT-MESSAGE: allocated by operator new[]
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_one_with_delete_array
// EXPECT-LINE: 56
// EXPECT-MESSAGE: operator delete[] of the 24-byte block
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_aligned_unaligned
// EXPECT-LINE: 62
// EXPECT-MESSAGE: allocated by an aligned operator new
// EXPECT-SUMMARY: .frees >= 5
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <cstdlib>
#include <new>

struct Item { long a, b, c; };
struct alignas(64) Wide { char bytes[64]; };
static void *volatile sink;

__attribute__((noinline)) static void release_with_free(Item *p)
{
    free(p);
    sink = p;
}

__attribute__((noinline)) static void release_with_delete(Item *p)
{
    delete p;
    sink = p;
}

__attribute__((noinline)) static void release_array_with_delete(int *p)
{
    delete p;
    sink = p;
}

__attribute__((noinline)) static void release_one_with_delete_array(Item *p)
{
    delete[] p;
    sink = p;
}

__attribute__((noinline)) static void release_aligned_unaligned(Wide *p)
{
    ::operator delete(static_cast<void *>(p));
    sink = p;
}

int main()
{
    Item *a = new Item();
    sink = a;
    release_with_free(a);
    Item *b = static_cast<Item *>(malloc(16));
    sink = b;
    release_with_delete(b);
    int *c = new int[10];
    sink = c;
    release_array_with_delete(c);
    Item *d = new Item();
    sink = d;
    release_one_with_delete_array(d);
    Wide *w = new Wide();
    sink = w;
    release_aligned_unaligned(w);
    return 0;
}
