/*
 * report.c - `darkfleet report [--db FILE] -o DIR [--top N]`: the static
 * HTML report of a store (DESIGN.md, "Command line"; src/report.c).  The
 * store is opened read-only, so a report can be made while a scan writes.
 * Prints where to open it on standard output.  Exit status: 0; 1 when the
 * database cannot be used or the report cannot be written; 2 for a bad
 * command line.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "darkfleet.db"

int cmd_report(int argc, char **argv);

static void usage(FILE *f)
{
    fprintf(f,
            "usage: darkfleet report [--db FILE] -o DIR [--top N]\n"
            "  Writes a static HTML report of the store into DIR: ranked "
            "vessels with the\n"
            "  reasons for their scores, every event on a map, and a page "
            "per vessel with\n"
            "  its track, identity history and events.  It opens from disk "
            "with no network.\n"
            "\n"
            "options:\n"
            "  --db FILE    the store to read (default %s)\n"
            "  -o DIR       where to write the report (created if needed)\n"
            "  --top N      vessels, by rank, that get a page (default %u)\n"
            "  -h, --help   this help\n",
            DEFAULT_DB, (unsigned)DF_REPORT_TOP_DEFAULT);
}

enum { OPT_DB = CLI_OPT_OWN, OPT_OUT, OPT_TOP };

static const struct cli_opt opts[] = {
    {OPT_DB, "--db", NULL, 1},
    {OPT_OUT, "--out", "-o", 1},
    {OPT_TOP, "--top", NULL, 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

int cmd_report(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *dir = NULL, *v;
    struct df_report_opts ro;
    struct cli_args args;
    struct df_store *st = NULL;
    char err[512];
    enum df_err rc;
    int id;

    df_report_opts_init(&ro);
    cli_args_init(&args, "report", argc, argv);
    while ((id = cli_args_next(&args, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_OPT_HELP:
            usage(stdout);
            return 0;
        case OPT_DB:
            db = v;
            break;
        case OPT_OUT:
            dir = v;
            break;
        case OPT_TOP: {
            char *end;
            unsigned long n;
            errno = 0;
            n = strtoul(v, &end, 10);
            if (errno || *end || end == v || v[0] == '-' || n > 1000000) {
                cli_err("report: --top wants a number from 0 to 1000000, "
                        "not '%s'", v);
                return 2;
            }
            ro.top = (unsigned)n;
            break;
        }
        default:
            return cli_args_bad(&args, id, v);
        }
    }
    if (!dir) {
        cli_err("report: -o DIR is required (see darkfleet report --help)");
        return 2;
    }

    rc = df_store_open_ro(&st, db, err, sizeof err);
    if (rc != DF_OK) {
        cli_err("%s", err[0] ? err : df_strerror(rc));
        return 1;
    }
    rc = df_report_write_opts(st, dir, &ro, err, sizeof err);
    df_store_close(st);
    if (rc != DF_OK) {
        cli_err("report: %s", err[0] ? err : df_strerror(rc));
        return 1;
    }
    printf("open %s/index.html\n", dir);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 1;
    return 0;
}
