/* cli_main.c — the `lifeguard` command: dispatch to run / symbolize, and
 * --help (the runtime options listed from the core's option table) and
 * --version. */
#include "cli.h"
#include "../core/lg_core.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "lifeguard " LG_VERSION " - a lifetime checker for C programs\n"
    "\n"
    "usage:\n"
    "  lifeguard run [--json FILE] [--sarif FILE] [--html FILE] [--gen-suppressions]\n"
    "                [--srcroot DIR] [--log FILE] [-o KEY=VALUE]... [--options \"K=V:K=V\"]\n"
    "                [--lib PATH] [--count-errors all|top] -- PROGRAM [ARGS...]\n"
    "      Run PROGRAM with the lifeguard runtime preloaded.  Its report is printed,\n"
    "      symbolized, on stderr (or in --log FILE); --json FILE receives the JSON\n"
    "      report, symbolized (FILE.PID: those of processes the program started).\n"
    "  lifeguard symbolize [FILE|-]\n"
    "      Print a text or JSON report (stdin by default) with every frame\n"
    "      symbolized: function, file:line and inlined calls, from DWARF.\n"
    "  lifeguard report [--format text|json|sarif|html|suppressions] [--srcroot DIR]\n"
    "                   [--full-stacks] [--baseline OLD.json] [-o FILE] REPORT.json\n"
    "      Render a JSON report in another format; with --baseline, only the findings\n"
    "      OLD.json did not have (by kind and culprit frames), exit 1 when there are any.\n"
    "  lifeguard --help | -h | help\n"
    "  lifeguard --version\n"
    "\n"
    "run arguments:\n"
    "  --json FILE         write the JSON report to FILE (%p: one per process; -: stdout)\n"
    "  --sarif FILE        write the findings as SARIF 2.1.0 to FILE\n"
    "  --html FILE         write the findings as one self-contained HTML page to FILE\n"
    "  --gen-suppressions  print a suppression rule for each finding at the end\n"
    "  --srcroot DIR       SARIF's %SRCROOT% and the HTML's source files (default: .)\n"
    "  --log FILE          write the text report to FILE instead of stderr (%p: one per\n"
    "                      process; stdout, stderr: those streams)\n"
    "  --count-errors all|top  whose errors set the exit status: every process's\n"
    "                      (default) or the program's own only\n"
    "  -o KEY=VALUE        set one runtime option (repeatable)\n"
    "  --options K=V:K=V   set runtime options, as in LIFEGUARD_OPTIONS\n"
    "  --lib PATH          the runtime library (default: $LIFEGUARD_LIB, else\n"
    "                      ../lib/liblifeguard.so beside the lifeguard executable)\n"
    "  Options apply in this order, a later value winning: LIFEGUARD_OPTIONS,\n"
    "  --options, each -o.  Each process writes its reports in the run's directory\n"
    "  (lifeguard sets log_path and json_path; yours name where the reports go),\n"
    "  and under guard=sites a guard_sites_file shared by the run's processes.\n"
    "\n"
    "exit status of run:\n"
    "  the program's own, or 128+N when it was killed by signal N; `exitcode`\n"
    "  (default 1) when errors were found in any of its processes; 2 when lifeguard\n"
    "  refused the command line or the program cannot be checked (it is then not\n"
    "  started), or the program exited 0 but was not checked or its JSON report\n"
    "  could not be written.\n"
    "\n"
    "environment:\n"
    "  LIFEGUARD_OPTIONS     runtime options, KEY=VALUE:KEY=VALUE\n"
    "  LIFEGUARD_LIB         the runtime library, when --lib is not given\n"
    "  LIFEGUARD_DEBUGINFOD  1: let symbolization use debuginfod (DEBUGINFOD_URLS)\n"
    "\n"
    "runtime options (also read by LD_PRELOAD=liblifeguard.so from LIFEGUARD_OPTIONS;\n"
    "bool is 0|1, also true|false, yes|no):\n"
    "  NAME                   TYPE  DEFAULT  DESCRIPTION\n";

static void print_option(const char *name, const char *type, const char *def, const char *help, void *ctx)
{
    FILE *out = ctx;
    const char *t = strcmp(type, "UINT") == 0 ? "uint" : strcmp(type, "BOOL") == 0 ? "bool" : "text";
    fprintf(out, "  %-22s %-5s %-8s %s\n", name, t, def, help);
}

static void print_help(FILE *out)
{
    fputs(usage_text, out);
    lg_options_each(print_option, out);
}

/* Descriptors 0-2 must be open, or the log pipe could take one of their
 * numbers and be mistaken for a standard stream. */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0) continue;
        int nul = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (nul >= 0 && nul != fd) {
            dup2(nul, fd);
            close(nul);
        }
    }
}

int main(int argc, char **argv)
{
    ensure_std_fds();
    if (argc < 2) cli_die("no command given: lifeguard run|symbolize|report|--help|--version");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_help(stdout);
        return fflush(stdout) == 0 ? 0 : CLI_EXIT_USAGE;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        puts("lifeguard " LG_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return cli_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "symbolize") == 0) return cli_cmd_symbolize(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return cli_cmd_report(argc - 1, argv + 1);
    cli_die("unknown command '%s' (see lifeguard --help)", cmd);
}
