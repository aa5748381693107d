// new of an impossible size: an allocation-failure warning, then the
// program's new_handler, then std::bad_alloc as without lifeguard; nothrow
// new returns nullptr.
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: ask_huge
// EXPECT-LINE: 23
// EXPECT-MESSAGE: operator new[]
// EXPECT-SUMMARY: .errors == 0
// EXPECT-EXIT: 0
// EXPECT-STDOUT: bad_alloc after 1 handler call; nothrow gave nullptr
// NO-RUNTIME-RUN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <cstdio>
#include <new>

static volatile std::size_t huge = static_cast<std::size_t>(-1) / 2;
static int handler_calls;
static char *volatile sink;

__attribute__((noinline)) static char *ask_huge()
{
    char *p = new char[huge];
    sink = p; /* not a tail call: this frame stays */
    return p;
}

static void handler()
{
    handler_calls++;
    std::set_new_handler(nullptr); /* nothing to free: give up */
}

int main()
{
    std::set_new_handler(handler);
    try {
        char *p = ask_huge();
        std::printf("no exception %p\n", static_cast<void *>(p));
        return 1;
    } catch (const std::bad_alloc &) {
        std::printf("bad_alloc after %d handler call; ", handler_calls);
    }
    sink = new (std::nothrow) char[huge]; /* escapes: clang -O2 cannot elide it */
    std::printf("nothrow gave %s\n", sink ? "memory" : "nullptr");
    return sink ? 1 : 0;
}
