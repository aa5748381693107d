// Blocks released by the wrong family: each an alloc-dealloc-mismatch at the
// release, with the allocation's stack (a live block has no free yet); the
// block is freed all the same.  Released again by the wrong family once freed:
// the mismatch carries the third stack, the block's first free, and the
// double-free follows.
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_with_free
// EXPECT-LINE: 57
// EXPECT-MESSAGE: free() of the 24-byte block
// EXPECT-JQ: .message | contains("allocated by operator new")
// EXPECT-JQ: (.stacks.alloc | map(select(.function == "main")) | length) > 0
// EXPECT-JQ: (.stacks | keys) == ["access", "alloc"] and .threads.access > 0 and .threads.alloc > 0
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_with_delete
// EXPECT-LINE: 63
// EXPECT-MESSAGE: operator delete of the 16-byte block
// EXPECT-JQ: .message | contains("allocated by malloc()")
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_array_with_delete
// EXPECT-LINE: 69
// EXPECT-MESSAGE: allocated by operator new[]
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_one_with_delete_array
// EXPECT-LINE: 75
// EXPECT-MESSAGE: operator delete[] of the 24-byte block
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_aligned_unaligned
// EXPECT-LINE: 81
// EXPECT-MESSAGE: operator delete of the 64-byte block
// EXPECT-JQ: .message | contains("allocated by an aligned operator new")
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_unaligned_aligned
// EXPECT-LINE: 87
// EXPECT-MESSAGE: an aligned operator delete of the 40-byte block
// EXPECT-JQ: .message | contains("allocated by operator new")
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_freed_with_free
// EXPECT-LINE: 93
// EXPECT-MESSAGE: free() of the freed 24-byte block
// EXPECT-JQ: (.stacks | keys) == ["access", "alloc", "free"]
// EXPECT-JQ: (.stacks.free // []) | map(select(.function == "main" and .line == 119)) | length > 0
// EXPECT-KIND: double-free
// EXPECT-FUNCTION: release_freed_with_free
// EXPECT-LINE: 93
// EXPECT-SUMMARY: .frees >= 7
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

__attribute__((noinline)) static void release_unaligned_aligned(void *p)
{
    ::operator delete(p, std::align_val_t(64));
    sink = p;
}

__attribute__((noinline)) static void release_freed_with_free(Item *p)
{
    free(p);
    sink = &p->b; /* not release_with_free's body: -O2 would fold the two */
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
    void *v = ::operator new(40);
    sink = v;
    release_unaligned_aligned(v);
    Item *e = new Item();
    sink = e;
    delete e;
    release_freed_with_free(e);
    return 0;
}
