/*
 * bench_decode.c - in-memory throughput of the NMEA path: framing
 * (df_nmea_feed: line cutting, checksum, tag blocks, multipart assembly,
 * de-armoring) and six-bit decoding into struct df_msg, with no output.
 * With --json every message is also rendered by df_msg_json() into a
 * df_buf reset per message: the in-memory cost of `darkfleet decode`
 * without stdio and the kernel.
 *
 * Usage: bench_decode [--json] [--unscaled] [--repeat N] FILE [RUNS]
 * FILE is read into memory once (plain NMEA; no decompression) and
 * repeated in memory N times, or by default as many times as it takes to
 * reach about 500,000 lines.  Each of RUNS passes (default 5) creates a
 * framer, feeds the whole buffer in one call and flushes; the fastest pass
 * is reported (zstd CONTRIBUTING: the most stable figure).  MB are 10^6
 * bytes of NMEA input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "darkfleet.h"

#define BENCH_TARGET_LINES 500000u

struct count {
    uint64_t msgs;
    uint64_t sum;            /* touched fields, so nothing is elided */
    uint64_t json_bytes;
    struct df_buf out;
    unsigned flags;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_msg(const struct df_msg *m, void *ud)
{
    struct count *c = ud;

    c->msgs++;
    c->sum += m->mmsi;
    return 0;
}

static int on_msg_json(const struct df_msg *m, void *ud)
{
    struct count *c = ud;

    c->msgs++;
    c->out.len = 0;
    df_msg_json(&c->out, m, c->flags);
    c->json_bytes += c->out.len;
    c->sum += (unsigned char)c->out.data[c->out.len - 1];
    return 0;
}

/* Reads all of path into a malloc'd buffer; returns NULL after printing
 * why. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        perror(path);
        return NULL;
    }
    for (;;) {
        size_t got;

        if (cap - n < 65536) {
            char *p;

            cap = cap ? cap * 2 : 1u << 20;
            p = realloc(buf, cap);
            if (!p) {
                fprintf(stderr, "bench_decode: out of memory\n");
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        perror(path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static uint64_t count_lines(const char *p, size_t n)
{
    const char *end = p + n;
    uint64_t k = 0;

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_decode [--json] [--unscaled] "
                    "[--repeat N] FILE [RUNS]\n");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    char *one, *buf;
    size_t len1, len;
    uint64_t lines1, lines, best_msgs = 0, best_json = 0, sentences = 0;
    uint64_t sum = 0;
    double best = 0, median, *times;
    long repeat = 0;
    int runs = 5, json = 0, i, nargs = 0;
    unsigned flags = DF_JSON_SCALED;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--unscaled") == 0) {
            flags &= ~(unsigned)DF_JSON_SCALED;
        } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atol(argv[++i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            usage();
            return 2;
        } else if (nargs == 0) {
            path = argv[i];
            nargs++;
        } else if (nargs == 1) {
            runs = atoi(argv[i]);
            nargs++;
        } else {
            usage();
            return 2;
        }
    }
    if (path == NULL) {
        usage();
        return 2;
    }
    if (runs < 1)
        runs = 1;
    one = slurp(path, &len1);
    if (one == NULL)
        return 1;
    if (len1 && one[len1 - 1] != '\n') { /* so copies do not run together */
        char *p = realloc(one, len1 + 1);
        if (!p) {
            free(one);
            return 1;
        }
        one = p;
        one[len1++] = '\n';
    }
    lines1 = count_lines(one, len1);
    if (repeat < 1) {
        repeat = 1;
        if (lines1 > 0)
            while ((uint64_t)repeat * lines1 < BENCH_TARGET_LINES)
                repeat++;
    }
    len = len1 * (size_t)repeat;
    buf = malloc(len ? len : 1);
    if (!buf) {
        fprintf(stderr, "bench_decode: out of memory\n");
        free(one);
        return 1;
    }
    for (i = 0; i < repeat; i++)
        memcpy(buf + (size_t)i * len1, one, len1);
    free(one);
    lines = lines1 * (uint64_t)repeat;

    times = malloc((size_t)runs * sizeof *times);
    if (!times) {
        fprintf(stderr, "bench_decode: out of memory\n");
        free(buf);
        return 1;
    }
    for (i = 0; i < runs; i++) {
        struct count c;
        struct df_nmea *nm;
        double t0, t;

        memset(&c, 0, sizeof c);
        c.flags = flags;
        if (json && df_buf_reserve(&c.out, 4096) != 0) {
            free(buf);
            return 1;
        }
        t0 = now();
        nm = df_nmea_new(NULL);
        if (!nm) {
            fprintf(stderr, "bench_decode: out of memory\n");
            df_buf_free(&c.out);
            free(buf);
            return 1;
        }
        df_nmea_feed(nm, buf, len, json ? on_msg_json : on_msg, &c);
        df_nmea_flush(nm, json ? on_msg_json : on_msg, &c);
        t = now() - t0;
        sentences = df_nmea_stats(nm)->sentences;
        df_nmea_free(nm);
        if (c.out.oom) {
            fprintf(stderr, "bench_decode: out of memory\n");
            df_buf_free(&c.out);
            free(buf);
            return 1;
        }
        df_buf_free(&c.out);
        sum += c.sum;
        times[i] = t;
        if (i == 0 || t < best) {
            best = t;
            best_msgs = c.msgs;
            best_json = c.json_bytes;
        }
    }
    free(buf);
    /* The median too: on a shared virtual machine a core runs at one
     * speed for a while, then another; the best shows the code, the
     * median the machine. */
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    median = times[runs / 2];
    free(times);
    if (best <= 0)
        best = 1e-9;
    printf("%s%s: %llu bytes (x%ld), %llu lines, %llu sentences, "
           "%llu messages, %.4f s, %.1f MB/s, %.0f msgs/s",
           json ? "json " : "", path, (unsigned long long)len, repeat,
           (unsigned long long)lines, (unsigned long long)sentences,
           (unsigned long long)best_msgs, best, (double)len / best / 1e6,
           (double)best_msgs / best);
    if (json)
        printf(", %llu JSON bytes, %.1f MB/s out",
               (unsigned long long)best_json,
               (double)best_json / best / 1e6);
    printf(" (best of %d; median %.4f s, %.1f MB/s)\n", runs, median,
           (double)len / median / 1e6);
    if (sum == 1) /* never true in practice; keeps sum live */
        fprintf(stderr, "\n");
    return 0;
}
