/*
 * bench_csv.c - throughput of the CSV table path: df_input (decompression)
 * plus df_csv_line() into struct df_rec, the work `darkfleet decode` does
 * on a MarineCadastre or DMA table before any output.
 *
 * Usage: bench_csv FILE [RUNS]
 * Reads FILE RUNS times (default 3) and reports the fastest run (zstd's
 * CONTRIBUTING: the most stable figure): rows, seconds, MB/s of
 * decompressed CSV and rows/s.  Nothing else is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "darkfleet.h"

#define BENCH_BLOCK (4u << 20)   /* decompressed bytes per df_input_read */
#define BENCH_LINE_MAX (1u << 20) /* longest line carried between blocks */

struct run {
    uint64_t rows, records, bytes;
    double secs;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over path; returns 0, or -1 after printing why. */
static int one(const char *path, char *buf, struct run *r)
{
    char err[512];
    struct df_input *in;
    struct df_csv *c;
    struct df_rec rec;
    size_t have = 0;
    long n;
    uint64_t sum = 0;
    double t0 = now();

    memset(r, 0, sizeof(*r));
    if (df_input_open(&in, path, err, sizeof(err)) != DF_OK) {
        fprintf(stderr, "bench_csv: %s\n", err);
        return -1;
    }
    c = df_csv_new();
    if (c == NULL) {
        df_input_free(in);
        return -1;
    }
    for (;;) {
        char *p, *end, *nl;

        n = df_input_read(in, buf + have, BENCH_BLOCK);
        if (n < 0) {
            fprintf(stderr, "bench_csv: %s\n", df_input_error(in));
            break;
        }
        if (n == 0 && have == 0)
            break;
        r->bytes += (uint64_t)n;
        p = buf;
        end = buf + have + (size_t)n;
        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            int k = df_csv_line(c, p, (size_t)(nl - p), &rec);

            if (k < 0) {
                fprintf(stderr, "bench_csv: %s\n", df_csv_error(c));
                goto done;
            }
            r->rows++;
            if (k > 0) {
                r->records++;
                sum += rec.mmsi; /* keep the parse from being elided */
            }
            p = nl + 1;
        }
        have = (size_t)(end - p);
        if (n == 0) { /* a last line without '\n' */
            if (df_csv_line(c, p, have, &rec) > 0)
                r->records++;
            r->rows++;
            break;
        }
        if (have > BENCH_LINE_MAX)
            have = 0; /* absurd line: drop it */
        memmove(buf, p, have);
    }
done:
    r->secs = now() - t0;
    if (sum == 1)
        fprintf(stderr, "\n");
    df_csv_free(c);
    df_input_free(in);
    return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct run best, r;
    char *buf;
    int runs = 3, i;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_csv FILE [RUNS]\n");
        return 2;
    }
    if (argc == 3)
        runs = atoi(argv[2]);
    if (runs < 1)
        runs = 1;
    buf = malloc(BENCH_BLOCK + BENCH_LINE_MAX);
    if (buf == NULL)
        return 1;
    memset(&best, 0, sizeof(best));
    for (i = 0; i < runs; i++) {
        if (one(argv[1], buf, &r) != 0) {
            free(buf);
            return 1;
        }
        if (i == 0 || r.secs < best.secs)
            best = r;
    }
    free(buf);
    printf("%s: %llu lines, %llu records, %.3f s, %.1f MB/s, "
           "%.0f rows/s (best of %d)\n",
           argv[1], (unsigned long long)best.rows,
           (unsigned long long)best.records, best.secs,
           (double)best.bytes / best.secs / 1e6,
           (double)best.records / best.secs, runs);
    return 0;
}
