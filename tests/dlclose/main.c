/* main.c LIBRARY [leak]: dlopens LIBRARY, has it allocate (and leak with
 * "leak"), dlcloses it, exits. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return 3;
    }
    void (*work)(int) = (void (*)(int))dlsym(h, "lib_work");
    if (!work) return 3;
    work(argc > 2 && strcmp(argv[2], "leak") == 0);
    if (dlclose(h) != 0) return 3;
    printf("closed\n");
    return 0;
}
