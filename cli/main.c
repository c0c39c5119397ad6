/*
 * main.c - the darkfleet command: dispatch to a subcommand.
 *
 * Data goes to standard output, diagnostics to standard error; an input
 * that cannot be used at all gets one error line and a non-zero exit
 * (1 for bad input, 2 for a bad command line).
 */
#include "cli.h"

#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: darkfleet COMMAND [OPTIONS] [INPUT...]\n"
          "INPUT: a file, - for standard input, tcp://HOST:PORT or "
          "udp://[HOST]:PORT\n"
          "\n"
          "Turns raw AIS into ranked, explainable leads for sanctions "
          "investigations.\n"
          "\n"
          "commands:\n"
          "  decode    one JSON object per AIS message, with gpsd's keys\n"
          "  listen    the same from live feeds (tcp://, udp://), "
          "reconnecting\n"
          "  scan      tracks and detectors: encounters, dark periods, "
          "spoofing, ...\n"
          "            events as JSON lines and a SQLite store\n"
          "  watch     the scan, live, with alerts (a command, a URL)\n"
          "  simulate  synthetic traffic with planted behaviours and "
          "ground truth\n"
          "  report    an offline HTML report with a map, from the store\n"
          "  export    events and tracks as GeoJSON, GeoJSONSeq, KML or "
          "CSV\n"
          "  vessel    a vessel's history from the store, by MMSI, IMO or "
          "name\n"
          "  serve     the workspace in a browser, live, and a JSON API, "
          "from the store\n"
          "  worker    a worker of a scan over a cluster (scan --nats)\n"
          "  version   print the version\n"
          "\n"
          "Run 'darkfleet COMMAND --help' for a command's options.\n",
          f);
}

/* The commands, by name; each gets argv from its own name on. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} cmds[] = {
    {"decode", cmd_decode},     {"listen", cmd_listen},
    {"scan", cmd_scan},         {"simulate", cmd_simulate},
    {"report", cmd_report},     {"export", cmd_export},
    {"vessel", cmd_vessel},     {"watch", cmd_watch},
    {"serve", cmd_serve},       {"worker", cmd_worker},
};

int main(int argc, char **argv)
{
    const char *cmd;
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    cmd = argv[1];
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmd, cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("darkfleet %s\n", DF_VERSION_STRING);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    cli_err("unknown command '%s' (see darkfleet --help)", cmd);
    return 2;
}
