// Every new and delete, each paired right (plain, array, nothrow, sized,
// aligned), the standard containers, and exceptions thrown across frames in
// four threads at once: nothing to report, and the program runs as before.
// EXPECT-CLEAN
// EXPECT-NO-KIND: alloc-dealloc-mismatch
// EXPECT-NO-KIND: new-delete-type-mismatch
// EXPECT-STDOUT: caught 4000 exceptions, map 1000, text 3890
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <cstdio>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct alignas(64) Wide { char bytes[64]; };
struct Node { std::string name; std::vector<int> values; };

__attribute__((noinline)) static void deep(int depth, int id)
{
    std::vector<std::string> locals(3, std::string(40, 'x')); /* destroyed while unwinding */
    if (depth == 0) throw std::runtime_error("thread " + std::to_string(id) + " failed");
    deep(depth - 1, id);
}

static void worker(int id, int *caught)
{
    for (int i = 0; i < 1000; i++) {
        try {
            deep(5 + i % 4, id);
        } catch (const std::runtime_error &e) {
            if (e.what()[0] == 't') (*caught)++;
        }
    }
}

int main()
{
    int caught[4] = {0, 0, 0, 0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++) threads.emplace_back(worker, t, &caught[t]);
    for (auto &t : threads) t.join();

    Node *n = new Node{"node", {1, 2, 3}};
    delete n;
    int *arr = new int[100];
    delete[] arr;
    Wide *w = new Wide;
    delete w;
    Wide *ws = new Wide[3];
    delete[] ws;
    int *nt = new (std::nothrow) int(5);
    delete nt;
    void *raw = ::operator new(48);
    ::operator delete(raw, static_cast<std::size_t>(48));
    void *al = ::operator new(128, std::align_val_t(256));
    ::operator delete(al, std::align_val_t(256));
    /* The alignment its new was given, whatever the pointer happens to have. */
    for (int i = 0; i < 8; i++) {
        void *a32 = ::operator new(64, std::align_val_t(32));
        ::operator delete(a32, static_cast<std::size_t>(64), std::align_val_t(32));
        void *a64 = ::operator new[](96, std::align_val_t(64));
        ::operator delete[](a64, std::align_val_t(64));
    }
    auto shared = std::make_shared<Node>();
    auto unique = std::make_unique<Wide[]>(2);

    std::map<int, std::string> m;
    std::string text;
    for (int i = 0; i < 1000; i++) {
        m[i] = std::to_string(i);
        text += std::to_string(i) + ",";
    }
    std::printf("caught %d exceptions, map %zu, text %zu\n", caught[0] + caught[1] + caught[2] + caught[3], m.size(),
                text.size());
    return 0;
}
