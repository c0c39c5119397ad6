/*
 * fuzz_ais.c - df_ais_decode() on raw bit buffers, then df_msg_json() and
 * df_rec_json() of what it decodes.
 *
 * Input: byte 0 trims 0-7 bits off the end; the rest are the payload bits,
 * MSB first.  The payload is copied into an exact-size heap block with 16
 * bytes of padding (df_ais_decode may read up to 8 bytes past the last
 * payload byte), so ASan catches any read further out.
 *
 * Properties checked (abort() on failure):
 *  - determinism: decoding the same payload twice, from two buffers,
 *    gives the same result, the same JSON and the same counters;
 *  - with -DDF_FUZZ_STRICT_TAIL, also what darkfleet.h promises ("bits
 *    past nbits are ignored"): the second buffer has its tail bits and
 *    padding set to buf_b.  Off by default: ais.c reads bits past nbits as
 *    the buf_a that sixbit.h requires there (types 7, 13, 15 and 20 cut
 *    short, found by this harness; see corpus/fuzz_ais/tail_*).
 *  - a refusal bumps exactly one counter in struct df_stats;
 *  - the JSON is balanced and holds no control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"

#include "checkjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAD 16

static uint64_t stats_sum(const struct df_stats *s)
{
    const uint64_t *p = (const uint64_t *)(const void *)s;
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < sizeof *s / sizeof *p; i++)
        sum += p[i];
    return sum;
}

/* Decodes bits (nbytes + PAD bytes) and renders every JSON variant of the
 * result into out.  Returns df_ais_decode's result. */
static int decode_all(const uint8_t *bits, size_t nbits, struct df_buf *out,
                      struct df_stats *st)
{
    static const unsigned flags[] = {
        0, DF_JSON_SCALED, DF_JSON_TEXT, DF_JSON_SCALED | DF_JSON_TEXT,
        DF_JSON_S24_JOINED | DF_JSON_TEXT};
    struct df_msg m;
    struct df_rec rec;
    struct df_buf b;
    size_t i;
    int ok;

    memset(&m, 0, sizeof m);
    memset(st, 0, sizeof *st);
    ok = df_ais_decode(bits, nbits, &m, st);
    if (!ok) {
        if (stats_sum(st) != 1)
            abort();        /* a refusal names exactly one reason */
        return 0;
    }
    if (stats_sum(st) != 0)
        abort();
    if (m.type < 1 || m.type > 27 || m.nbits != nbits)
        abort();
    memset(&b, 0, sizeof b);
    m.rx_ms = (int64_t)nbits * 1000; /* exercise the "time" key */
    for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (i == 1)
            m.rx_ms = DF_TIME_NONE;
        b.len = 0;
        df_msg_json(&b, &m, flags[i]);
        if (b.oom)
            abort();
        check_json(b.data, b.len);
        df_buf_append(out, b.data, b.len);
    }
    memset(&rec, 0, sizeof rec);
    if (df_rec_from_msg(&m, &rec)) {
        b.len = 0;
        df_rec_json(&b, &rec, DF_JSON_SCALED);
        check_json(b.data, b.len);
        df_buf_append(out, b.data, b.len);
        b.len = 0;
        df_rec_json(&b, &rec, 0);
        check_json(b.data, b.len);
    }
    df_buf_free(&b);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct df_buf a, b;
    struct df_stats sa, sb;
    size_t nbytes, nbits;
    uint8_t *buf_a, *buf_b;
    int ra, rb;

    if (size < 1 || size > 4096)
        return 0;
    nbytes = size - 1;
    nbits = nbytes * 8;
    nbits = nbits >= (size_t)(data[0] & 7) ? nbits - (data[0] & 7) : 0;

    buf_a = malloc(nbytes + PAD);
    buf_b = malloc(nbytes + PAD);
    if (!buf_a || !buf_b)
        abort();
    memcpy(buf_a, data + 1, nbytes);
    memset(buf_a + nbytes, 0, PAD);
    memcpy(buf_b, data + 1, nbytes);
#ifdef DF_FUZZ_STRICT_TAIL
    memset(buf_b + nbytes, 0xff, PAD);
    if (nbits % 8) {                 /* the partial last byte's tail */
        uint8_t keep = (uint8_t)(0xff00u >> (nbits % 8));
        buf_a[nbits / 8] &= keep;
        buf_b[nbits / 8] |= (uint8_t)~keep;
    }
#else
    memset(buf_b + nbytes, 0, PAD);
#endif

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ra = decode_all(buf_a, nbits, &a, &sa);
    rb = decode_all(buf_b, nbits, &b, &sb);
    if (ra != rb || a.len != b.len ||
        (a.len && memcmp(a.data, b.data, a.len) != 0) ||
        memcmp(&sa, &sb, sizeof sa) != 0)
        abort();            /* the result depends on more than the bits */

    df_buf_free(&a);
    df_buf_free(&b);
    free(buf_a);
    free(buf_b);
    return 0;
}
