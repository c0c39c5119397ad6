/*
 * fuzz_nmea.c - NMEA 0183 framing and everything after it: df_nmea_feed()
 * over the input in arbitrary chunk splits, df_nmea_flush(), then
 * df_msg_json() (scaled and unscaled, with and without DF_JSON_TEXT) and
 * df_rec_json() of every message completed.
 *
 * Properties checked (abort() on failure, so libFuzzer reports a crash):
 *  - every JSON object is well formed as far as braces, brackets and
 *    quotes go, and holds no raw control characters;
 *  - framing does not depend on how the input is split into buffers: the
 *    same bytes fed whole or in random chunks give the same messages (the
 *    same JSON) and the same counters.
 * A third pass uses tiny limits (max_line, max_pending, fragment TTL) and
 * skip_checksum to reach the eviction and overlong-line paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"

#include "checkjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
    struct df_buf all;      /* every message's JSON, for comparison */
    uint64_t count;
};

static int on_msg(const struct df_msg *m, void *ud)
{
    static const unsigned flags[] = {DF_JSON_SCALED | DF_JSON_TEXT, 0,
                                     DF_JSON_SCALED, DF_JSON_TEXT};
    struct run *r = ud;
    struct df_buf b;
    struct df_rec rec;
    size_t i;

    memset(&b, 0, sizeof b);
    r->count++;
    if (m->type < 1 || m->type > 27)
        abort();
    for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        b.len = 0;
        df_msg_json(&b, m, flags[i]);
        if (b.oom)
            abort();
        check_json(b.data, b.len);
        if (i == 0)
            df_buf_append(&r->all, b.data, b.len);
    }
    if (m->type == 24 && m->u.s24.partno == 1) {
        b.len = 0;
        df_msg_json(&b, m, DF_JSON_S24_JOINED | DF_JSON_TEXT);
        check_json(b.data, b.len);
    }
    memset(&rec, 0, sizeof rec);
    if (df_rec_from_msg(m, &rec)) {
        b.len = 0;
        df_rec_json(&b, &rec, DF_JSON_SCALED);
        check_json(b.data, b.len);
        b.len = 0;
        df_rec_json(&b, &rec, 0);
        check_json(b.data, b.len);
    }
    df_buf_append(&r->all, "\n", 1);
    df_buf_free(&b);
    return 0;
}

/* A small deterministic generator for the chunk sizes. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Frames data with opts; chunked: in random pieces (seeded by *seed),
 * else in one call.  Leaves the JSON in r and the counters in st. */
static void frame(const uint8_t *data, size_t size,
                  const struct df_nmea_opts *opts, uint64_t *seed,
                  struct run *r, struct df_stats *st)
{
    struct df_nmea *nm = df_nmea_new(opts);
    size_t off = 0;

    if (!nm)
        abort();
    memset(r, 0, sizeof *r);
    if (!seed) {
        df_nmea_feed(nm, (const char *)data, size, on_msg, r);
    } else {
        while (off < size) {
            uint64_t x = next_rand(seed);
            size_t n;
            /* Mostly small pieces, sometimes one byte, sometimes big. */
            switch (x & 3) {
            case 0:
                n = 1;
                break;
            case 1:
                n = (size_t)(x >> 8) % 16 + 1;
                break;
            case 2:
                n = (size_t)(x >> 8) % 200 + 1;
                break;
            default:
                n = (size_t)(x >> 8) % 5000 + 1;
                break;
            }
            if (n > size - off)
                n = size - off;
            /* Copy into an exact-size heap block so ASan sees over-reads. */
            {
                char *piece = malloc(n);
                if (!piece)
                    abort();
                memcpy(piece, data + off, n);
                df_nmea_feed(nm, piece, n, on_msg, r);
                free(piece);
            }
            off += n;
        }
    }
    df_nmea_flush(nm, on_msg, r);
    *st = *df_nmea_stats(nm);
    df_nmea_free(nm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct df_nmea_opts small;
    struct run whole, chunked, tiny;
    struct df_stats st_whole, st_chunked, st_tiny;
    uint64_t h = 1469598103934665603ull, seed;
    size_t i;
    char *copy;

    if (size > (1u << 20))
        return 0;
    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    seed = h | 1;

    /* The whole input in one exact-size heap block. */
    copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    frame((const uint8_t *)copy, size, NULL, NULL, &whole, &st_whole);
    free(copy);

    frame(data, size, NULL, &seed, &chunked, &st_chunked);
    if (whole.count != chunked.count || whole.all.len != chunked.all.len ||
        (whole.all.len &&
         memcmp(whole.all.data, chunked.all.data, whole.all.len) != 0))
        abort();            /* messages depend on the buffer split */
    if (memcmp(&st_whole, &st_chunked, sizeof st_whole) != 0)
        abort();            /* counters depend on the buffer split */
    if (st_whole.messages != whole.count)
        abort();

    memset(&small, 0, sizeof small);
    small.skip_checksum = (int)(h >> 8) & 1;
    small.max_pending = 1 + (unsigned)((h >> 9) % 4);
    small.fragment_ttl_ms = 1 + (int64_t)((h >> 12) % 5000);
    small.max_line = 16 + (unsigned)((h >> 20) % 300);
    frame(data, size, &small, &seed, &tiny, &st_tiny);

    df_buf_free(&whole.all);
    df_buf_free(&chunked.all);
    df_buf_free(&tiny.all);
    return 0;
}
