/*
 * pipe.c - reading on a second thread.  A scan spends about a third of its
 * time decompressing and parsing, and the rest in the detectors; on two
 * cores the two halves overlap.  The reader thread fills batches of
 * records; the calling thread takes them in order and runs the consumer,
 * so everything downstream (detectors, store, output) stays on one thread
 * and sees exactly the order it would see without the pipe.
 *
 * Memory is bounded: NSLOTS batches of BATCH records.  A consumer that
 * asks to stop (non-zero return) makes the next cli_pipe_put() return 1,
 * so the reader stops as it would with a direct sink.
 */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 512
#define NSLOTS 64
#define PF_FAR 16               /* prefetch stage 0 this far ahead */
#define PF_NEAR 4               /* ... stage 1 */

struct slot {
    struct df_rec recs[BATCH];
    size_t n;
    void *mark;                 /* cli_pipe_mark: after the records */
};

struct cli_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv_full;     /* a slot was filled, or the reader ended */
    pthread_cond_t cv_free;     /* a slot was emptied, or the consumer
                                 * stopped */
    struct slot *slots;
    unsigned head, count;       /* the filled slots, in ring order */
    unsigned fill;              /* the slot the reader fills now */
    int done, stop;

    /* Without a thread (pthread_create failed): consume directly. */
    int inline_mode;
    const struct cli_consumer *c;

    int (*produce)(struct cli_pipe *p, void *ud);
    void *pud;
    int prc;                    /* produce's return */
};

/* Hands the reader's current slot to the consumer; waits for a free one.
 * Returns 1 when the consumer has stopped. */
static int hand_over(struct cli_pipe *p)
{
    int stop;

    pthread_mutex_lock(&p->mu);
    if ((p->slots[p->fill].n > 0 || p->slots[p->fill].mark) && !p->stop) {
        p->count++;
        pthread_cond_signal(&p->cv_full);
        while (p->count == NSLOTS && !p->stop)
            pthread_cond_wait(&p->cv_free, &p->mu);
        p->fill = (p->head + p->count) % NSLOTS;
    }
    p->slots[p->fill].n = 0;
    p->slots[p->fill].mark = NULL;
    stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

int cli_pipe_put(struct cli_pipe *p, const struct df_rec *r)
{
    struct slot *s;

    if (p->inline_mode)
        return p->c->consume(r, p->c->ud) != 0;
    s = &p->slots[p->fill];
    s->recs[s->n++] = *r;
    if (s->n == BATCH)
        return hand_over(p);
    return 0;
}

int cli_pipe_flush(struct cli_pipe *p)
{
    if (p->inline_mode)
        return 0;
    return hand_over(p);        /* also says whether the consumer stopped */
}

int cli_pipe_mark(struct cli_pipe *p, void *mark)
{
    if (p->inline_mode)
        return p->c->mark ? p->c->mark(mark, p->c->ud) != 0 : 0;
    p->slots[p->fill].mark = mark;
    return hand_over(p);
}

static void *reader_main(void *arg)
{
    struct cli_pipe *p = arg;

    p->prc = p->produce(p, p->pud);
    hand_over(p);               /* the last, partial batch */
    pthread_mutex_lock(&p->mu);
    p->done = 1;
    pthread_cond_signal(&p->cv_full);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Runs the consumer over one batch, with the prefetch hints ahead of it.
 * Returns 1 if it asked to stop. */
static int consume_batch(const struct cli_consumer *c, const struct slot *s)
{
    size_t i, n = s->n;

    if (c->prefetch) {
        for (i = 0; i < n && i < PF_FAR; i++)
            c->prefetch(&s->recs[i], 0, c->ud);
        for (i = 0; i < n && i < PF_NEAR; i++)
            c->prefetch(&s->recs[i], 1, c->ud);
    }
    for (i = 0; i < n; i++) {
        if (c->prefetch) {
            if (i + PF_FAR < n)
                c->prefetch(&s->recs[i + PF_FAR], 0, c->ud);
            if (i + PF_NEAR < n)
                c->prefetch(&s->recs[i + PF_NEAR], 1, c->ud);
        }
        if (c->consume(&s->recs[i], c->ud) != 0)
            return 1;
    }
    if (s->mark && c->mark && c->mark(s->mark, c->ud) != 0)
        return 1;
    return 0;
}

int cli_pipe_run(int (*produce)(struct cli_pipe *p, void *ud), void *pud,
                 const struct cli_consumer *c)
{
    struct cli_pipe p;
    pthread_t th;
    int started = 0;

    memset(&p, 0, sizeof p);
    p.c = c;
    p.produce = produce;
    p.pud = pud;
    p.slots = malloc(NSLOTS * sizeof *p.slots);
    if (p.slots && pthread_mutex_init(&p.mu, NULL) == 0) {
        if (pthread_cond_init(&p.cv_full, NULL) == 0) {
            if (pthread_cond_init(&p.cv_free, NULL) == 0) {
                p.slots[0].n = 0;
                p.slots[0].mark = NULL;
                started = pthread_create(&th, NULL, reader_main, &p) == 0;
                if (!started)
                    pthread_cond_destroy(&p.cv_free);
            }
            if (!started)
                pthread_cond_destroy(&p.cv_full);
        }
        if (!started)
            pthread_mutex_destroy(&p.mu);
    }
    if (!started) {
        /* No thread: the same work, one record at a time. */
        free(p.slots);
        p.inline_mode = 1;
        return produce(&p, pud);
    }

    pthread_mutex_lock(&p.mu);
    for (;;) {
        struct slot *s;
        int stop;

        while (p.count == 0 && !p.done)
            pthread_cond_wait(&p.cv_full, &p.mu);
        if (p.count == 0)
            break;              /* done, and everything consumed */
        s = &p.slots[p.head];
        pthread_mutex_unlock(&p.mu);
        stop = consume_batch(c, s);
        pthread_mutex_lock(&p.mu);
        p.head = (p.head + 1) % NSLOTS;
        p.count--;
        if (stop)
            p.stop = 1;
        pthread_cond_signal(&p.cv_free);
        if (stop)
            break;
    }
    pthread_mutex_unlock(&p.mu);
    pthread_join(th, NULL);
    pthread_cond_destroy(&p.cv_free);
    pthread_cond_destroy(&p.cv_full);
    pthread_mutex_destroy(&p.mu);
    free(p.slots);
    return p.prc;
}
