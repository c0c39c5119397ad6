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

/* An option's value: "--opt VALUE" or "--opt=VALUE". */
static const char *value(int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];

    if (strncmp(a, opt, n) == 0 && a[n] == '=')
        return a + n + 1;
    if (strcmp(a, opt) != 0)
        return NULL;
    if (*i + 1 >= argc) {
        cli_err("report: %s needs a value", opt);
        return "";
    }
    return argv[++*i];
}

int cmd_report(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *dir = NULL, *v;
    struct df_report_opts opts;
    struct df_store *st = NULL;
    char err[512];
    enum df_err rc;
    int i;

    df_report_opts_init(&opts);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if ((v = value(argc, argv, &i, "--db")) != NULL) {
            if (!*v)
                return 2;
            db = v;
        } else if ((v = value(argc, argv, &i, "-o")) != NULL ||
                   (v = value(argc, argv, &i, "--out")) != NULL) {
            if (!*v)
                return 2;
            dir = v;
        } else if ((v = value(argc, argv, &i, "--top")) != NULL) {
            char *end;
            unsigned long n;
            if (!*v)
                return 2;
            errno = 0;
            n = strtoul(v, &end, 10);
            if (errno || *end || end == v || v[0] == '-' || n > 1000000) {
                cli_err("report: --top wants a number from 0 to 1000000, "
                        "not '%s'", v);
                return 2;
            }
            opts.top = (unsigned)n;
        } else {
            cli_err("report: unknown option '%s' (see darkfleet report "
                    "--help)", a);
            return 2;
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
    rc = df_report_write_opts(st, dir, &opts, err, sizeof err);
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
