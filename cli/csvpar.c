/*
 * csvpar.c - a CSV table parsed on several threads (scan --jobs): the
 * rows of a table are independent, so the text is cut into chunks of whole
 * lines, each chunk parsed by whichever thread is free (each with a
 * df_csv of its own, given the table's header first), and the records
 * handed to the sink chunk by chunk, in the order of the text: the sink
 * sees exactly what cli_csv_feed() on one thread would give it.
 *
 * Lines longer than 64 KiB are counted and dropped, as on one thread.
 * Bounds: CHUNK bytes a chunk, SLOTS chunks in flight.
 */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 21)
#define SLOTS 16
#define MAX_LINE 65536

enum { FREE, QUEUED, PARSING, PARSED };

struct slot {
    char *text;
    size_t len, cap;
    struct df_rec *recs;
    size_t nrecs, caprecs;
    int state;
};

struct cli_csvpar {
    unsigned nw;                /* parsers */
    unsigned nth;               /* threads started, to join */
    pthread_t *th;
    struct df_csv **parsers;    /* one per thread */
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    struct slot slots[SLOTS];
    unsigned head, count;       /* slots in flight, from head, in order */
    int quit, oom;

    /* The producer's: the chunk being filled (slot head + count), and a
     * line longer than the cap being skipped. */
    int skipping;
    uint64_t too_long;
    uint64_t emitted;           /* records handed to the sink */
};

/* Out of memory on the reading thread (the workers' flag is under mu). */
static void set_oom(struct cli_csvpar *cp)
{
    pthread_mutex_lock(&cp->mu);
    cp->oom = 1;
    pthread_mutex_unlock(&cp->mu);
}

/* Parses a slot's text into its records with parser c. */
static void parse(struct df_csv *c, struct slot *s, int *oom)
{
    const char *p = s->text, *end = s->text + s->len;

    s->nrecs = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct df_rec rec;

        if (n > MAX_LINE) {
            ((struct df_stats *)df_csv_stats(c))->drop_line_too_long++;
        } else if (df_csv_line(c, p, n, &rec) == 1) {
            if (s->nrecs == s->caprecs) {
                size_t cap = s->caprecs ? s->caprecs * 2 : 4096;
                struct df_rec *r = realloc(s->recs, cap * sizeof *r);

                if (!r) {
                    *oom = 1;
                    break;
                }
                s->recs = r;
                s->caprecs = cap;
            }
            s->recs[s->nrecs++] = rec;
        }
        p = nl ? nl + 1 : end;
    }
}

struct worker {
    struct cli_csvpar *cp;
    unsigned k;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct cli_csvpar *cp = w->cp;
    int oom = 0;

    pthread_mutex_lock(&cp->mu);
    for (;;) {
        struct slot *s = NULL;
        unsigned i;

        for (i = 0; i < cp->count && !s; i++)
            if (cp->slots[(cp->head + i) % SLOTS].state == QUEUED)
                s = &cp->slots[(cp->head + i) % SLOTS];
        if (!s) {
            if (cp->quit)
                break;
            pthread_cond_wait(&cp->cv_work, &cp->mu);
            continue;
        }
        s->state = PARSING;
        pthread_mutex_unlock(&cp->mu);
        parse(cp->parsers[w->k], s, &oom);
        pthread_mutex_lock(&cp->mu);
        if (oom)
            cp->oom = 1;
        s->state = PARSED;
        pthread_cond_broadcast(&cp->cv_done);
    }
    pthread_mutex_unlock(&cp->mu);
    free(w);
    return NULL;
}

struct cli_csvpar *cli_csvpar_new(unsigned nw, const char *header,
                                  size_t len)
{
    struct cli_csvpar *cp = calloc(1, sizeof *cp);
    unsigned i;

    if (!cp)
        return NULL;
    cp->nw = nw;
    cp->th = calloc(nw, sizeof *cp->th);
    cp->parsers = calloc(nw, sizeof *cp->parsers);
    pthread_mutex_init(&cp->mu, NULL);
    pthread_cond_init(&cp->cv_work, NULL);
    pthread_cond_init(&cp->cv_done, NULL);
    if (!cp->th || !cp->parsers)
        goto fail;
    for (i = 0; i < nw; i++) {
        struct df_rec rec;

        if (!(cp->parsers[i] = df_csv_new()))
            goto fail;
        df_csv_line(cp->parsers[i], header, len, &rec);
        /* The header is counted once, by the reading thread's parser. */
        memset((struct df_stats *)df_csv_stats(cp->parsers[i]), 0,
               sizeof(struct df_stats));
    }
    for (i = 0; i < nw; i++) {
        struct worker *w = malloc(sizeof *w);

        if (!w)
            break;
        w->cp = cp;
        w->k = i;
        if (pthread_create(&cp->th[i], NULL, work, w) != 0) {
            free(w);
            break;
        }
    }
    cp->nth = i;
    if (i < nw) {
        cli_csvpar_free(cp, NULL);
        return NULL;
    }
    return cp;
fail:
    cli_csvpar_free(cp, NULL);
    return NULL;
}

/* Hands the oldest chunk's records to the sink once parsed; 1 when the
 * sink asked to stop. */
static int emit_oldest(struct cli_csvpar *cp, const struct cli_sink *sink)
{
    struct slot *s = &cp->slots[cp->head];
    size_t i;
    int stop = 0;

    pthread_mutex_lock(&cp->mu);
    while (s->state != PARSED)
        pthread_cond_wait(&cp->cv_done, &cp->mu);
    pthread_mutex_unlock(&cp->mu);
    for (i = 0; i < s->nrecs && !stop; i++)
        stop = sink->rec && sink->rec(&s->recs[i], sink->ud) != 0;
    cp->emitted += i;
    pthread_mutex_lock(&cp->mu);
    s->state = FREE;
    s->len = 0;
    cp->head = (cp->head + 1) % SLOTS;
    cp->count--;
    pthread_mutex_unlock(&cp->mu);
    return stop;
}

/* The chunk being filled: the slot after those in flight. */
static struct slot *filling(struct cli_csvpar *cp)
{
    return &cp->slots[(cp->head + cp->count) % SLOTS];
}

/* Queues the chunk being filled up to its cut (its text past it goes to
 * the next chunk), making room first.  1 when the sink stopped. */
static int queue_chunk(struct cli_csvpar *cp, size_t cut,
                       const struct cli_sink *sink)
{
    struct slot *s, *next;
    size_t rest;

    if (cp->count + 2 > SLOTS && emit_oldest(cp, sink))
        return 1;
    s = filling(cp);
    next = &cp->slots[(cp->head + cp->count + 1) % SLOTS];
    rest = s->len - cut;
    /* What follows the cut goes to the next chunk before this one is
     * handed over (its thread reads up to len from then on). */
    next->len = 0;
    if (rest > 0) {
        if (next->cap < rest + CHUNK) {
            char *t = realloc(next->text, rest + CHUNK);

            if (!t) {
                set_oom(cp);
                return 1;
            }
            next->text = t;
            next->cap = rest + CHUNK;
        }
        memcpy(next->text, s->text + cut, rest);
        next->len = rest;
    }
    s->len = cut;
    pthread_mutex_lock(&cp->mu);
    s->state = QUEUED;
    cp->count++;
    pthread_cond_signal(&cp->cv_work);
    pthread_mutex_unlock(&cp->mu);
    return 0;
}

int cli_csvpar_feed(struct cli_csvpar *cp, const char *buf, size_t len,
                    int final, const struct cli_sink *sink)
{
    while (len > 0) {
        struct slot *s = filling(cp);
        size_t k;

        if (cp->skipping) {
            const char *nl = memchr(buf, '\n', len);

            if (!nl)
                return 0;
            cp->skipping = 0;
            len -= (size_t)(nl + 1 - buf);
            buf = nl + 1;
            continue;
        }
        if (s->cap < CHUNK + MAX_LINE) {
            char *t = realloc(s->text, CHUNK + MAX_LINE);

            if (!t) {
                set_oom(cp);
                return 1;
            }
            s->text = t;
            s->cap = CHUNK + MAX_LINE;
        }
        k = s->cap - s->len < len ? s->cap - s->len : len;
        memcpy(s->text + s->len, buf, k);
        s->len += k;
        buf += k;
        len -= k;
        if (s->len >= CHUNK) {
            const char *nl = NULL;
            size_t i;

            for (i = s->len; i > 0; i--)
                if (s->text[i - 1] == '\n') {
                    nl = s->text + i - 1;
                    break;
                }
            if (!nl) {
                /* One line over the cap: dropped, as on one thread. */
                cp->too_long++;
                s->len = 0;
                cp->skipping = 1;
                continue;
            }
            if (queue_chunk(cp, (size_t)(nl + 1 - s->text), sink))
                return 1;
        }
    }
    if (final) {
        if (filling(cp)->len > 0 &&
            queue_chunk(cp, filling(cp)->len, sink))
            return 1;
        while (cp->count > 0)
            if (emit_oldest(cp, sink))
                return 1;
    }
    return 0;
}

void cli_csvpar_free(struct cli_csvpar *cp, struct df_stats *st)
{
    unsigned i;

    if (!cp)
        return;
    pthread_mutex_lock(&cp->mu);
    cp->quit = 1;
    pthread_cond_broadcast(&cp->cv_work);
    pthread_mutex_unlock(&cp->mu);
    for (i = 0; i < cp->nth; i++)
        pthread_join(cp->th[i], NULL);
    for (i = 0; cp->parsers && i < cp->nw; i++) {
        if (cp->parsers[i] && st)
            df_stats_add(st, df_csv_stats(cp->parsers[i]));
        df_csv_free(cp->parsers[i]);
    }
    if (st)
        st->drop_line_too_long += cp->too_long;
    for (i = 0; i < SLOTS; i++) {
        free(cp->slots[i].text);
        free(cp->slots[i].recs);
    }
    pthread_cond_destroy(&cp->cv_done);
    pthread_cond_destroy(&cp->cv_work);
    pthread_mutex_destroy(&cp->mu);
    free(cp->th);
    free(cp->parsers);
    free(cp);
}

int cli_csvpar_oom(struct cli_csvpar *cp)
{
    int oom;

    pthread_mutex_lock(&cp->mu);
    oom = cp->oom;
    pthread_mutex_unlock(&cp->mu);
    return oom;
}

uint64_t cli_csvpar_records(const struct cli_csvpar *cp)
{
    return cp->emitted;
}
