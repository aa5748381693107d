// Twin of the use-after-free cases: the same calls on live buffers.
// EXPECT-CLEAN
// EXPECT-STDOUT: a line
// NO-RUNTIME-RUN
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char out[64];
    char *msg = malloc(32);
    strcpy(msg, "hello");
    memcpy(out, msg, 32);
    char *line = strdup("a line");
    puts(line);
    fwrite(line, 1, strlen(line), stdout);
    memmove(msg + 1, msg, 31);
    strcat(strcpy(msg, "ab"), "cd");
    int same = strcmp(msg, "abcd") == 0 && memcmp(msg, "abcd", 4) == 0 && strncmp(msg, "abzz", 2) == 0;
    free(line);
    free(msg);
    return same ? 0 : 1;
}
