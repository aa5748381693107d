// The clean twin of fork_child_writes_freed: a parent with live and freed
// blocks forks children that allocate, free and leave by exit(); nothing is
// reported, in the children or in the parent.
// EXPECT-CLEAN
// EXPECT-STDOUT: children ok
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *live[1000];

int main(void)
{
    for (int i = 0; i < 1000; i++) {
        live[i] = malloc(32 + i);
        memset(live[i], 'a', 32 + i);
        free(malloc(64 + i));
    }
    int ok = 1;
    for (int c = 0; c < 5; c++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            char *mine = malloc(100);
            memcpy(mine, live[c], 32);
            live[c][0] = 'b'; /* the child writes the parent's block: its copy of the page */
            free(mine);
            exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    for (int i = 0; i < 1000; i++) free(live[i]);
    puts(ok ? "children ok" : "a child failed");
    return 0;
}
