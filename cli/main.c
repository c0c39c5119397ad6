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
          "  simulate  synthetic traffic with planted behaviours and "
          "ground truth\n"
          "  report    an offline HTML report with a map, from the store\n"
          "  export    events and tracks as GeoJSON, GeoJSONSeq, KML or "
          "CSV\n"
          "  version   print the version\n"
          "\n"
          "Run 'darkfleet COMMAND --help' for a command's options.\n",
          f);
}

int main(int argc, char **argv)
{
    const char *cmd;

    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    cmd = argv[1];
    if (strcmp(cmd, "decode") == 0)
        return cmd_decode(argc - 1, argv + 1);
    if (strcmp(cmd, "listen") == 0)
        return cmd_listen(argc - 1, argv + 1);
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "simulate") == 0)
        return cmd_simulate(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc - 1, argv + 1);
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
