#include <cstdio>
#include <new>
#include <chrono>
static void *volatile sink;
int main() {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000000; i++) {
        void *p = ::operator new(64, std::align_val_t(64));
        sink = p;
        ::operator delete(p, std::align_val_t(64));
    }
    auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000000; i++) {
        void *p = ::operator new(64);
        sink = p;
        ::operator delete(p);
    }
    auto t2 = std::chrono::steady_clock::now();
    std::printf("aligned %.0f ns/pair, plain %.0f ns/pair\n",
        std::chrono::duration<double, std::nano>(t1 - t0).count() / 1e6,
        std::chrono::duration<double, std::nano>(t2 - t1).count() / 1e6);
}
