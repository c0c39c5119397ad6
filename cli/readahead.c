/*
 * readahead.c - decompression on its own thread.  A zstd or gzip day
 * costs about a fifth of a scan's reading in the decompressor; with a
 * thread reading ahead into a small ring of blocks, it overlaps the
 * parsing.  Memory: NBLOCKS blocks of the caller's size.
 */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NBLOCKS 4

struct block {
    char *data;
    long n;                     /* bytes, 0 at the end, -1 on error */
    uint64_t pos;               /* input position after the block */
};

struct cli_readahead {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* a block was filled or emptied, or stop */
    struct df_input *in;
    size_t size;
    struct block blocks[NBLOCKS];
    unsigned head, count;       /* filled blocks, in ring order */
    int held;                   /* the consumer holds blocks[head] */
    int stop;                   /* the consumer is done */
};

static void *reader_main(void *arg)
{
    struct cli_readahead *ra = arg;

    for (;;) {
        struct block *b;
        long n;

        pthread_mutex_lock(&ra->mu);
        while (ra->count == NBLOCKS && !ra->stop)
            pthread_cond_wait(&ra->cv, &ra->mu);
        if (ra->stop) {
            pthread_mutex_unlock(&ra->mu);
            break;
        }
        b = &ra->blocks[(ra->head + ra->count) % NBLOCKS];
        pthread_mutex_unlock(&ra->mu);

        n = df_input_read(ra->in, b->data, ra->size);
        b->n = n;
        b->pos = df_input_pos(ra->in);

        pthread_mutex_lock(&ra->mu);
        ra->count++;
        pthread_cond_broadcast(&ra->cv);
        pthread_mutex_unlock(&ra->mu);
        if (n <= 0)
            break;
    }
    return NULL;
}

struct cli_readahead *cli_readahead_start(struct df_input *in, size_t size)
{
    struct cli_readahead *ra = calloc(1, sizeof *ra);
    unsigned i;

    if (!ra)
        return NULL;
    ra->in = in;
    ra->size = size;
    /* Page-aligned for the kernel's copy (see cli_read_inputs). */
    for (i = 0; i < NBLOCKS; i++)
        if (!(ra->blocks[i].data = aligned_alloc(4096, size)))
            goto fail;
    if (pthread_mutex_init(&ra->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&ra->cv, NULL) != 0) {
        pthread_mutex_destroy(&ra->mu);
        goto fail;
    }
    if (pthread_create(&ra->th, NULL, reader_main, ra) != 0) {
        pthread_cond_destroy(&ra->cv);
        pthread_mutex_destroy(&ra->mu);
        goto fail;
    }
    return ra;
fail:
    for (i = 0; i < NBLOCKS; i++)
        free(ra->blocks[i].data);
    free(ra);
    return NULL;
}

long cli_readahead_next(struct cli_readahead *ra, const char **data,
                        uint64_t *pos)
{
    struct block *b;

    pthread_mutex_lock(&ra->mu);
    if (ra->held) {
        /* The block handed out last time is free again. */
        ra->held = 0;
        ra->head = (ra->head + 1) % NBLOCKS;
        ra->count--;
        pthread_cond_broadcast(&ra->cv);
    }
    while (ra->count == 0)
        pthread_cond_wait(&ra->cv, &ra->mu);
    b = &ra->blocks[ra->head];
    if (b->n > 0)
        ra->held = 1;           /* the end stays at the head */
    pthread_mutex_unlock(&ra->mu);
    *data = b->data;
    *pos = b->pos;
    return b->n;
}

void cli_readahead_stop(struct cli_readahead *ra)
{
    unsigned i;

    if (!ra)
        return;
    pthread_mutex_lock(&ra->mu);
    ra->stop = 1;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->th, NULL);
    pthread_cond_destroy(&ra->cv);
    pthread_mutex_destroy(&ra->mu);
    for (i = 0; i < NBLOCKS; i++)
        free(ra->blocks[i].data);
    free(ra);
}
