/*
 * scan_state.c - scan's saved state: a scan into a store goes on where
 * the last one stopped (see scan_int.h for who runs what where).
 *
 * What is saved, at each checkpoint (every --checkpoint seconds of wall
 * clock, and at the end of the input), in one transaction with the events
 * found so far: the reorder buffer (the records it holds and the order so
 * far), the scan (every vessel's track, identities and detector state,
 * the encounter and loitering detectors, learned anchorages, the last
 * fixes of silent vessels), the ties (encounters remembered for "met a
 * listed vessel"), and for each input file how many records were read
 * from it and whether to its end, keyed by its real path and known by
 * size, modification time and a hash of its first 64 KiB.
 *
 * The next scan into the store loads all of it and goes on: an input read
 * to its end before is skipped, one read in part is read again and its
 * first records (as many as were read) are skipped, a changed file is
 * read again whole, and input older than the state is dropped with a
 * count.  A scan killed at any moment leaves the state and events of its
 * last checkpoint, so running the same command again finishes the job
 * with the same events.
 *
 * At the end of its input a scan saves its state first, then closes
 * everything still open (encounters going on, vessels not yet silent) as
 * a scan always has, marking the events this writes provisional.  The
 * next scan drops them before it goes on, and reports them again once
 * they are final: the store always holds what one scan over all the input
 * so far would have found.
 */
#include "scan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The settings the state is valid under. */
static void fingerprint(const struct scan_run *r, char *out, size_t n)
{
    snprintf(out, n,
             "state 1 config %016llx geo %016llx reorder %lld jobs %u%s",
             (unsigned long long)df_config_fingerprint(r->cfg),
             (unsigned long long)df_geo_fingerprint(r->geo),
             (long long)r->reorder_ms, r->jobs,
             r->parts ? " partitions" : "");
}

unsigned scan_state_jobs(struct scan_run *r, int fresh)
{
    char saved[128];
    const char *p;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    /* Reading and decompressing take a core each: on 2 cores, 2 jobs were
     * slower than one (bench/jobs.sh). */
    unsigned cores = n <= 2 ? 1 : n > 66 ? 64 : (unsigned)n - 2;

    if (!r->store || fresh || df_store_state_saved(r->store) != 1 ||
        df_store_meta_get(r->store, "state_fingerprint", saved,
                          sizeof saved) != 1 ||
        !(p = strstr(saved, " jobs ")))
        return cores;
    n = strtol(p + 6, NULL, 10);
    return n >= 1 && n <= 256 ? (unsigned)n : cores;
}

/* ---- opening --------------------------------------------------------- */

static int load(struct scan_run *r, const char *db)
{
    struct df_state_in *in;
    enum df_err e;
    char saved[sizeof r->fingerprint];
    int has;

    has = df_store_state_saved(r->store);
    if (has < 0) {
        cli_err("%s", df_store_error(r->store));
        return 1;
    }
    if (!has)
        return 0;
    if (df_store_meta_get(r->store, "state_fingerprint", saved,
                          sizeof saved) < 0) {
        cli_err("%s", df_store_error(r->store));
        return 1;
    }
    if (strcmp(saved, r->fingerprint) != 0) {
        cli_err("scan: %s holds the state of a scan with other settings "
                "(thresholds, zones, ports, --no-dprk, --no-places, "
                "--reorder-window or --jobs): give the same ones, or "
                "--fresh to start over (its events are kept)",
                db);
        return 1;
    }
    if (df_store_drop_provisional(r->store, &r->provisional_dropped) !=
        DF_OK) {
        cli_err("%s", df_store_error(r->store));
        return 1;
    }
    /* Two streams: the reorder buffer's (one chunk, as the reader thread
     * saved it), then the scan's and the ties'. */
    in = df_state_in_new(df_store_state_read, r->store);
    if (!in) {
        cli_err("out of memory");
        return 1;
    }
    e = df_reorder_load(r->reorder, in);
    df_state_in_free(in);
    if (e == DF_OK) {
        in = df_state_in_new(df_store_state_read, r->store);
        if (!in) {
            cli_err("out of memory");
            return 1;
        }
        e = df_scan_load(r->scan, in);
        if (e == DF_OK)
            e = df_ties_load(r->ties, in);
        df_state_in_free(in);
    }
    df_store_state_read_end(r->store);
    if (e == DF_IO) {
        cli_err("%s", df_store_error(r->store));
        return 1;
    }
    if (e != DF_OK) {
        cli_err("scan: %s: the saved state cannot be read (%s; saved by "
                "another version of darkfleet?): --fresh starts over, "
                "keeping the events",
                db, df_strerror(e));
        return 1;
    }
    r->loaded = 1;
    r->state_ms = df_reorder_released_ms(r->reorder);
    return 0;
}

int scan_state_open(struct scan_run *r, char **inputs, int ninputs,
                    int fresh, const char *db)
{
    int i;

    r->cur = -1;
    r->state_ms = DF_TIME_NONE;
    r->last_ckpt_ms = cli_now_ms();
    if (!r->store)
        return 0;
    if (r->no_state)            /* as --fresh, and nothing saved after */
        return df_store_state_clear(r->store) != DF_OK ||
                       df_store_inputs_clear(r->store) != DF_OK ||
                       df_store_drop_provisional(r->store,
                                                 &r->provisional_dropped) !=
                           DF_OK
                   ? (cli_err("%s", df_store_error(r->store)), 1)
                   : 0;
    fingerprint(r, r->fingerprint, sizeof r->fingerprint);
    r->prog = calloc((size_t)(ninputs > 0 ? ninputs : 1), sizeof *r->prog);
    if (!r->prog) {
        cli_err("out of memory");
        return 1;
    }
    r->nprog = ninputs;
    for (i = 0; i < ninputs; i++) {
        struct input_prog *p = &r->prog[i];
        int got;

        if (cli_net_kind(inputs[i]) != CLI_NET_NONE ||
            strcmp(inputs[i], "-") == 0 ||
            df_input_mark_read(inputs[i], &p->m) != DF_OK)
            continue;
        p->known = 1;
        if (fresh)
            continue;
        got = df_store_input_get(r->store, p->m.path, &p->saved);
        if (got < 0) {
            cli_err("%s", df_store_error(r->store));
            return 1;
        }
        p->has_saved = got == 1;
    }
    if (fresh) {
        if (df_store_state_clear(r->store) != DF_OK ||
            df_store_inputs_clear(r->store) != DF_OK ||
            df_store_drop_provisional(r->store, &r->provisional_dropped) !=
                DF_OK) {
            cli_err("%s", df_store_error(r->store));
            return 1;
        }
        return 0;
    }
    return load(r, db);
}

/* ---- the reader's side ------------------------------------------------ */

int scan_state_begin(void *ud, int index, const char *input)
{
    struct scan_run *r = ud;
    struct input_prog *p;

    (void)input;
    r->cur = -1;
    r->skip = 0;
    if (index < 0 || index >= r->nprog || !r->prog[index].known)
        return 0;
    p = &r->prog[index];
    p->begun = 1;
    p->m.records = 0;
    p->m.done = 0;
    if (p->has_saved && df_input_mark_same(&p->saved, &p->m)) {
        if (p->saved.done) {
            p->m.records = p->saved.records;
            p->m.done = 1;
            r->rst.skip_input_done++;
            return 1;
        }
        r->skip = p->saved.records;
    } else if (p->has_saved && df_input_mark_grown(&p->saved, &p->m)) {
        /* Appended to since (a log a receiver writes): what was read of
         * it is skipped, the rest read. */
        r->skip = p->saved.records;
    }
    /* m.records is what the state holds of the file, from the start: a
     * checkpoint while it is skipped, or a stop before the skip is over,
     * must not make the next scan feed those records to the state again. */
    p->m.records = r->skip;
    r->cur = index;
    return 0;
}

void scan_state_end(void *ud, int index, const char *input, int complete)
{
    struct scan_run *r = ud;

    (void)input;
    if (r->cur == index && index >= 0 && index < r->nprog)
        /* A file shorter than what was read of it before is not done. */
        r->prog[index].m.done = complete && r->skip == 0;
    r->cur = -1;
    r->skip = 0;
}

int scan_state_rec(struct scan_run *r, const struct df_rec *rec)
{
    if (r->cur >= 0) {
        if (r->skip > 0) {
            r->skip--;
            r->rst.skip_input_resumed++;
            return 1;
        }
        r->prog[r->cur].m.records++;
    }
    if (r->state_ms != DF_TIME_NONE && rec->t_ms != DF_TIME_NONE &&
        rec->t_ms < r->state_ms) {
        r->rst.drop_older_than_state++;
        return 1;
    }
    return 0;
}

static int ckpt_sink(const void *p, size_t n, void *ud)
{
    struct ckpt *ck = ud;

    if (ck->nro + n > ck->capro) {
        size_t cap = (ck->nro + n) * 2;
        unsigned char *q = realloc(ck->ro, cap);

        if (!q)
            return -1;
        ck->ro = q;
        ck->capro = cap;
    }
    memcpy(ck->ro + ck->nro, p, n);
    ck->nro += n;
    return 0;
}

/* A checkpoint of the reader's half: the reorder buffer and the inputs. */
static struct ckpt *ckpt_make(struct scan_run *r, int final)
{
    struct ckpt *ck = calloc(1, sizeof *ck);
    struct df_state_out *w;
    int i;

    if (!ck)
        return NULL;
    ck->final = final;
    w = df_state_out_new(ckpt_sink, ck);
    if (!w || df_reorder_save(r->reorder, w) != DF_OK ||
        df_state_out_end(w) != DF_OK)
        ck->err = 1;
    df_state_out_free(w);
    ck->marks = calloc((size_t)(r->nprog > 0 ? r->nprog : 1),
                       sizeof *ck->marks);
    if (!ck->marks)
        ck->err = 1;
    for (i = 0; ck->marks && i < r->nprog; i++)
        if (r->prog[i].begun)
            ck->marks[ck->nmarks++] = r->prog[i].m;
    ck->next = r->ckpts;
    r->ckpts = ck;
    return ck;
}

int scan_state_maybe(struct scan_run *r, int final)
{
    struct ckpt *ck;
    int64_t now;

    if (!r->store || r->no_state)
        return 0;
    now = cli_now_ms();
    if (!final && now - r->last_ckpt_ms < r->ckpt_every_ms)
        return 0;
    /* While the reader skips what the state holds, the state is the one
     * loaded: saving it again is only work. */
    if (!final && r->skip > 0)
        return 0;
    r->last_ckpt_ms = now;
    ck = ckpt_make(r, final);
    if (!ck) {
        cli_err("out of memory");
        return 1;
    }
    if (r->pipe)
        return cli_pipe_mark(r->pipe, ck);
    return scan_state_save(ck, r);
}

/* ---- the consumer's side ---------------------------------------------- */

int scan_state_save(void *mark, void *ud)
{
    struct scan_run *r = ud;
    struct ckpt *ck = mark;
    struct df_state_out *w = NULL;
    char when[32] = "";
    enum df_err e;
    size_t i;

    if (r->failed || !r->store)
        return 1;
    if (ck->err) {
        cli_err("out of memory saving the scan's state");
        r->failed = 1;
        return 1;
    }
    e = df_store_state_clear(r->store);
    if (e == DF_OK &&
        df_store_state_chunk(ck->ro, ck->nro, r->store) != 0)
        e = DF_DB;
    if (e == DF_OK) {
        w = df_state_out_new(df_store_state_chunk, r->store);
        if (!w) {
            cli_err("out of memory");
            r->failed = 1;
            return 1;
        }
        df_scan_save(r->scan, w);
        df_ties_save(r->ties, w);
        e = df_state_out_end(w);
        r->state_bytes = ck->nro + df_state_out_bytes(w);
        df_state_out_free(w);
    }
    for (i = 0; e == DF_OK && i < ck->nmarks; i++)
        e = df_store_input_put(r->store, &ck->marks[i]);
    if (e == DF_OK)
        e = df_store_meta_set(r->store, "state_fingerprint",
                              r->fingerprint);
    if (e == DF_OK) {
        int64_t now = df_scan_now_ms(r->scan);

        if (now != DF_TIME_NONE)
            df_time_iso(now, when);
        e = df_store_meta_set(r->store, "state_input_time", when);
    }
    if (e == DF_OK)
        e = df_store_commit(r->store);
    /* The buffers go now; the checkpoint itself at the end of the run. */
    free(ck->ro);
    free(ck->marks);
    ck->ro = NULL;
    ck->marks = NULL;
    if (e != DF_OK) {
        cli_err("%s", df_store_error(r->store));
        r->failed = 1;
        return 1;
    }
    r->saves++;
    if (ck->final) {
        df_store_set_provisional(r->store, 1);
        r->provisional = 1;
    }
    return 0;
}

/* ---- the end ------------------------------------------------------------ */

int scan_state_interrupted(const struct scan_run *r)
{
    int i;

    for (i = 0; i < r->nprog; i++)
        if (r->prog[i].known && !r->prog[i].m.done)
            return 1;
    return 0;
}

void scan_state_free(struct scan_run *r)
{
    while (r->ckpts) {
        struct ckpt *ck = r->ckpts;

        r->ckpts = ck->next;
        free(ck->ro);
        free(ck->marks);
        free(ck);
    }
    free(r->prog);
    r->prog = NULL;
}
