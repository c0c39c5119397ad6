/*
 * decode.c - `darkfleet decode`: one JSON object per AIS message (or per
 * table row), in input order, with gpsd's keys and values.
 *
 * gpsd joins the two parts of a type 24 static report: it prints nothing
 * for part A and one object for a part B whose part A it has seen.  So that
 * `decode --unscaled` diffs cleanly against `gpsdecode -u -j`, a part B is
 * printed with its part A's name when one was seen (a small ring per MMSI,
 * as gpsd keeps, but longer, since
 * aggregated feeds interleave many vessels); each part is also printed on its own with a "partno" key,
 * which gpsd leaves out.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define S24_RING 1024

struct decode {
    struct df_buf out;
    unsigned flags;
    int failed;
    struct {
        uint32_t mmsi;
        int used;
        char name[21];
    } s24[S24_RING];
    unsigned s24_next;
};

/* Ends an object's line, and writes the output once a chunk is full (the
 * checks inline: one call each per message was 3% of decoding). */
static int end_line(struct decode *d)
{
    struct df_buf *b = &d->out;

    if (!b->oom && b->cap - b->len > 1) {
        b->data[b->len++] = '\n';
        b->data[b->len] = '\0';
    } else {
        df_buf_append(b, "\n", 1);
    }
    if (!b->oom && b->len < CLI_OUT_CHUNK)
        return 0;
    if (cli_out_flush(b, 0) != 0) {
        d->failed = 1;
        return 1;
    }
    return 0;
}

static int on_msg(const struct df_msg *m, void *ud)
{
    struct decode *d = ud;

    if (m->type == 24) {
        unsigned i;
        if (m->u.s24.partno == 0) {
            d->s24[d->s24_next].mmsi = m->mmsi;
            d->s24[d->s24_next].used = 1;
            memcpy(d->s24[d->s24_next].name, m->u.s24.shipname, 21);
            d->s24_next = (d->s24_next + 1) % S24_RING;
        } else {
            for (i = 0; i < S24_RING; i++) {
                /* The newest part A of this MMSI; it stays for later
                 * part Bs (the same report heard by several stations). */
                unsigned k = (d->s24_next + S24_RING - 1 - i) % S24_RING;
                if (d->s24[k].used && d->s24[k].mmsi == m->mmsi) {
                    struct df_msg joined = *m;
                    memcpy(joined.u.s24.shipname, d->s24[k].name, 21);
                    df_msg_json(&d->out, &joined,
                                d->flags | DF_JSON_S24_JOINED);
                    return end_line(d);
                }
            }
        }
    }
    df_msg_json(&d->out, m, d->flags);
    return end_line(d);
}

static int on_rec(const struct df_rec *r, void *ud)
{
    struct decode *d = ud;

    df_rec_json(&d->out, r, d->flags);
    return end_line(d);
}

static void usage(FILE *f)
{
    fputs("usage: darkfleet decode [--unscaled] [--text] [--stats] "
          "[--no-checksum] [INPUT...]\n"
          "  One JSON object per AIS message with gpsd's keys, as "
          "gpsdecode -j prints\n"
          "  (--unscaled: as gpsdecode -u -j).  INPUT is a file (NMEA, "
          "MarineCadastre or\n"
          "  DMA CSV; plain, .gz, .zst, .xz, .bz2 or .zip) or - for "
          "standard input.\n"
          "  --text         add gpsd's *_text labels\n"
          "  --stats        print counts of what was read and dropped on "
          "standard error\n"
          "  --no-checksum  accept sentences whose checksum fails\n"
          "  --dedup SECONDS  print a sentence heard again by another "
          "station within\n"
          "                 SECONDS once (counted as drop_duplicate)\n",
          f);
}

enum { OPT_DEDUP = CLI_OPT_OWN };

static const struct cli_opt opts[] = {
    CLI_OPTS_JSON,
    CLI_OPTS_READ,
    {OPT_DEDUP, "--dedup", NULL, 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

int cmd_decode(int argc, char **argv)
{
    struct decode *d = calloc(1, sizeof *d);
    struct cli_reader_opts ro;
    struct cli_sink sink;
    struct df_stats st;
    struct cli_args args;
    const char *val;
    char **inputs;
    int id, n = 0, stats = 0, rc;

    if (!d) {
        cli_err("out of memory");
        return 1;
    }
    inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!inputs) {
        free(d);
        cli_err("out of memory");
        return 1;
    }
    memset(&ro, 0, sizeof ro);
    memset(&st, 0, sizeof st);
    d->flags = DF_JSON_SCALED;
    cli_args_init(&args, "decode", argc, argv);
    while ((id = cli_args_next(&args, opts, &val)) != CLI_END) {
        if (cli_read_opt(id, &ro, &stats))
            continue;
        switch (id) {
        case CLI_OPT_UNSCALED:
            d->flags &= ~(unsigned)DF_JSON_SCALED;
            break;
        case CLI_OPT_TEXT:
            d->flags |= DF_JSON_TEXT;
            break;
        case OPT_DEDUP: {
            char *end;
            double sec = strtod(val, &end);
            if (*end != '\0' || !(sec >= 0 && sec <= 86400)) {
                cli_err("decode: --dedup takes seconds (0-86400), not '%s'",
                        val);
                rc = 2;
                goto out;
            }
            ro.dedup_ms = (int64_t)(sec * 1000);
            break;
        }
        case CLI_OPT_HELP:
            usage(stdout);
            rc = 0;
            goto out;
        case CLI_OPERAND:
            inputs[n++] = (char *)val;
            break;
        default:
            rc = cli_args_bad(&args, id, val);
            goto out;
        }
    }
    sink.msg = on_msg;
    sink.rec = on_rec;
    sink.ud = d;
    rc = cli_read_inputs(inputs, n, &ro, &sink, &st);
    if (cli_out_flush(&d->out, 1) != 0 || d->failed)
        rc = 1;
    if (stats)
        cli_print_stats(&st);
out:
    df_buf_free(&d->out);
    free(inputs);
    free(d);
    return rc;
}
