/*
 * fuzz_worker.c - the messages of a scan over a cluster (src/dist.c) come
 * from the network: a worker (df_worker_msg) and the coordinator (a
 * report, through df_scan_new_cluster) must take any bytes, refusing what
 * is not a message of theirs, never reading past one.  The first byte
 * picks the side; the rest is messages, each a 4-byte little-endian
 * length and that many bytes (cut at the end of the input), each copied
 * into an exact-size heap block so that ASan catches a read past it.
 *
 * Worker: partition 0 of 2 takes the messages in turn until one is
 * refused.  Coordinator: a scan of 2 partitions is fed a few records that
 * make barriers; every report it waits for is the next message (none
 * left: the transport fails), every message it sends is dropped.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct msgs {
    const uint8_t *p;
    size_t n;
    void *last;                 /* the block handed out last */
};

/* The next message as an exact-size heap block, or NULL at the end. */
static void *next_msg(struct msgs *m, size_t *len)
{
    uint32_t n;
    void *b;

    if (m->n < 4)
        return NULL;
    n = (uint32_t)m->p[0] | (uint32_t)m->p[1] << 8 |
        (uint32_t)m->p[2] << 16 | (uint32_t)m->p[3] << 24;
    m->p += 4;
    m->n -= 4;
    if (n > m->n)
        n = (uint32_t)m->n;
    b = malloc(n ? n : 1);
    if (!b)
        return NULL;
    memcpy(b, m->p, n);
    m->p += n;
    m->n -= n;
    *len = n;
    return b;
}

static int io_send(unsigned p, const void *msg, size_t len, void *ud)
{
    (void)p;
    (void)msg;
    (void)len;
    (void)ud;
    return 0;
}

static int io_report(unsigned p, uint64_t k, const void **msg, size_t *len,
                     void *ud)
{
    struct msgs *m = ud;

    (void)p;
    (void)k;
    free(m->last);
    m->last = next_msg(m, len);
    *msg = m->last;
    return m->last ? 0 : -1;
}

static int on_event(const struct df_event *ev, void *ud)
{
    struct df_buf *b = ud;

    b->len = 0;
    df_event_json(b, ev);
    return 0;
}

static int on_vessel(const struct df_vessel *v, void *ud)
{
    struct df_buf *b = ud;
    unsigned i;

    b->len = 0;
    for (i = 0; i < v->nidentities; i++)
        df_buf_json_str(b, v->identities[i].shipname,
                        strlen(v->identities[i].shipname));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct df_config cfg;
    struct msgs m;
    struct df_buf b = {0};

    if (size < 1)
        return 0;
    df_config_defaults(&cfg);
    m.p = data + 1;
    m.n = size - 1;
    m.last = NULL;
    if (data[0] & 1) {
        struct df_scan_cbs cbs = {on_event, on_vessel, NULL, &b};
        struct df_cluster_io io = {io_send, io_report, &m};
        struct df_scan *s = df_scan_new_cluster(&cfg, NULL, &cbs, 2, &io);
        struct df_rec r;
        int i;

        if (!s)
            return 0;
        memset(&r, 0, sizeof r);
        r.has = DF_REC_POS;
        r.msgtype = 1;
        r.cls = 'A';
        for (i = 0; i < 4; i++) {
            r.mmsi = 211000000u + (uint32_t)i;
            r.t_ms = 1740787200000LL + (int64_t)i * 3600000;
            r.lon = 124 * 600000 + i * 100;
            r.lat = 37 * 600000;
            df_scan_rec(s, &r);
        }
        df_scan_finish(s);
        df_scan_free(s);
    } else {
        struct df_worker *w = df_worker_new(&cfg, NULL, 2, 0);
        void *msg;
        size_t len;

        if (!w)
            return 0;
        while ((msg = next_msg(&m, &len)) != NULL) {
            int r = df_worker_msg(w, msg, len, &b);

            free(msg);
            if (r < 0)
                break;
        }
        df_worker_free(w);
    }
    free(m.last);
    df_buf_free(&b);
    return 0;
}
