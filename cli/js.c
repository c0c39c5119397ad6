/*
 * js.c - the JetStream transport (js.h) over libnats 3.4's functions
 * (nats.h), for nats-server 2.9 (JetStream's JSON API: the ADRs of
 * nats-io/nats-architecture-and-design, and libnats' header).  What this
 * file adds is retrying through leader elections, bounded by deadlines.
 * Seen with 2.9.10 and libnats 3.4.1 (tests/cluster/transport.sh):
 *
 *  - Only a stream's leader listens on its subjects, so while there is
 *    none a publish gets "no responders" at once (libnats reports it as
 *    NATS_NO_RESPONDERS with JetStream error 10076, "not enabled"); a
 *    publish in flight when the leader died times out.  The election
 *    takes 4-9 s.  Both are retried, after a pause growing to 400 ms.
 *    So is a 503 / "temporarily unavailable" answer of the API.
 *  - A connection to a killed server is re-made to another one by
 *    libnats' reconnect thread; meanwhile calls fail with "disconnected"
 *    or time out, and are retried too.
 *  - A publish retried after a lost ack keeps its Nats-Msg-Id, so the
 *    stream's duplicate window drops the second copy.
 *  - "No responders" is also the answer for a subject no stream captures:
 *    that too is retried until the deadline.
 */
#include "js.h"

#ifdef DF_HAVE_NATS
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nats.h"

#define N cli_nats                 /* the table of libnats' functions */

#define MAX_URLS 16                /* servers in cli_js_open()'s list */
#define MAX_SUBJECTS 16            /* subjects of one stream */
#define ASYNC_INFLIGHT 4096        /* async publishes awaiting an ack */
#define ASYNC_FAILED_MAX 16384     /* failed ones kept to be resent */
#define KEEP_MAX 65536             /* fetched, unacked messages */
#define RECONNECT_WAIT_MS 250
#define PAUSE_MIN_MS 50            /* between retries, doubling ... */
#define PAUSE_MAX_MS 400           /* ... up to this */

struct cli_js {
    natsConnection *nc;
    jsCtx *jc;
    int timeout_ms;                /* one request */
    int retry_ms;                  /* retries of calls with no deadline */
    int async_used;                /* libnats 3.4.1's pending list exists
                                    * (GetPendingList crashes before) */
    /* Filled by on_async_ack() on libnats' thread, under mu. */
    pthread_mutex_t mu;
    natsMsg **failed;              /* async publishes to send again */
    size_t nfailed, capfailed;
    uint64_t async_dups;           /* acked as duplicates */
    char async_why[160];           /* the last async failure */
};

struct kept {                      /* a fetched, unacked message */
    natsMsg *msg;
    uint64_t seq;                  /* its stream sequence */
};

struct cli_js_sub {
    struct cli_js *js;
    natsSubscription *sub;
    struct kept *kept;             /* in the order fetched */
    size_t nkept, capkept;
    uint64_t maxkept;              /* the highest seq in kept */
    /* What makes the consumer anew (cli_js_sub_rewind). */
    char *stream, *durable, *subject;
    int ack_wait_ms;
    uint64_t remake_at;            /* a rewind cut short: its start */
    /* Tests: about one message fetched in `lose` is dropped, as if its
     * answer had been lost on the way (DF_JS_TEST_LOSE, js.h). */
    unsigned long lose, fetched;
};

struct cli_js_kv {
    struct cli_js *js;
    kvStore *kv;
    char stream[128];              /* KV_<bucket> */
    char prefix[128];              /* $KV.<bucket>. */
};

/* ---- time and errors ---------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Writes "what: libnats' reason" into err and returns -1.  libnats keeps
 * its last error's text per thread; its status text stands in when the
 * last error is another call's. */
static int fail(char *err, size_t errlen, natsStatus s, int jerr,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, natsStatus s, int jerr,
                const char *fmt, ...)
{
    char what[200];
    const char *why = NULL;
    natsStatus last = NATS_OK;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (s != NATS_OK) {
        why = N.nats_GetLastError(&last);
        if (!why || !*why || last != s)
            why = N.natsStatus_GetText(s);
        else if (*why == '(' && strstr(why, "): "))
            why = strstr(why, "): ") + 3;    /* "(jsm.c:1033): " */
    }
    if (!err || !errlen)
        return -1;
    if (!why)
        snprintf(err, errlen, "%s", what);
    else if (jerr)
        snprintf(err, errlen, "%s: %s (JetStream error %d)", what, why, jerr);
    else
        snprintf(err, errlen, "%s: %s", what, why);
    return -1;
}

/* True for the failures a leader election or a reconnect causes, which
 * pass; false for the ones that will not (bad config, bad argument). */
static int transient(natsStatus s, jsErrCode jerr)
{
    switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
    case NATS_IO_ERROR:
    case NATS_NO_SERVER:
    case NATS_STALE_CONNECTION:
    case NATS_SLOW_CONSUMER:
    case NATS_MISSED_HEARTBEAT:
        return 1;
    case NATS_ERR:
        switch ((int)jerr) {
        case JSClusterIncompleteErr:
        case JSClusterNotAvailErr:
        case JSClusterNotLeaderErr:
        case JSRaftGeneralErr:
        case JSStreamStoreFailedErr:
        case JSClusterNoPeersErr:         /* a peer is down and back soon */
        case JSInsufficientResourcesErr:  /* idem, while placing replicas */
            return 1;
        default:
            return 0;
        }
    default:
        return 0;
    }
}

/* A pause that grows with each retry, cut short by the deadline. */
static void pause_before_retry(int *pause, int64_t end)
{
    int64_t left = end - now_ms();

    if (left <= 0)
        return;
    sleep_ms(*pause < left ? *pause : left);
    *pause = *pause * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS : *pause * 2;
}

/* Splits a comma list into at most max pointers into buf (cut there). */
static int split(char *buf, const char **out, int max)
{
    int n = 0;
    char *p = buf;

    while (*p) {
        char *c = strchr(p, ',');

        if (c)
            *c = '\0';
        if (*p) {
            if (n == max)
                return -1;
            out[n++] = p;
        }
        if (!c)
            break;
        p = c + 1;
    }
    return n;
}

/* ---- the connection ------------------------------------------------ */

/* Called by libnats on its thread for each async publish's ack, error or
 * timeout; msg is ours.  A failed one is kept to be sent again. */
static void on_async_ack(jsCtx *jc, natsMsg *msg, jsPubAck *pa,
                         jsPubAckErr *pae, void *closure)
{
    struct cli_js *js = closure;

    (void)jc;
    pthread_mutex_lock(&js->mu);
    if (pa) {
        js->async_dups += pa->Duplicate;
        pthread_mutex_unlock(&js->mu);
        N.natsMsg_Destroy(msg);
        return;
    }
    if (pae)
        snprintf(js->async_why, sizeof js->async_why, "%s",
                 pae->ErrText && *pae->ErrText
                     ? pae->ErrText
                     : N.natsStatus_GetText(pae->Err));
    if (js->nfailed == js->capfailed) {
        size_t cap = js->capfailed ? js->capfailed * 2 : 256;
        natsMsg **p = realloc(js->failed, cap * sizeof *p);

        if (!p) {
            /* Lost: publish_wait counts it as not acked. */
            pthread_mutex_unlock(&js->mu);
            N.natsMsg_Destroy(msg);
            return;
        }
        js->failed = p;
        js->capfailed = cap;
    }
    js->failed[js->nfailed++] = msg;
    pthread_mutex_unlock(&js->mu);
}

int cli_js_open(struct cli_js **out, const char *urls, int timeout_ms,
                int retry_ms, char *err, size_t errlen)
{
    const char *why, *list[MAX_URLS];
    char *buf;
    natsOptions *o = NULL;
    natsStatus s;
    struct cli_js *js;
    jsOptions jo;
    int n, pause = PAUSE_MIN_MS;
    int64_t end;

    *out = NULL;
    if ((why = cli_nats_load()) != NULL) {
        snprintf(err, errlen, "libnats: %s", why);
        return -1;
    }
    if (timeout_ms <= 0 || retry_ms < 0) {
        snprintf(err, errlen, "bad timeout %d ms or retry %d ms", timeout_ms,
                 retry_ms);
        return -1;
    }
    if (!(buf = strdup(urls))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if ((n = split(buf, list, MAX_URLS)) <= 0) {
        snprintf(err, errlen, "%s: want 1 to %d comma-separated URLs",
                 urls, MAX_URLS);
        free(buf);
        return -1;
    }
    if (!(js = calloc(1, sizeof *js))) {
        free(buf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    js->timeout_ms = timeout_ms;
    js->retry_ms = retry_ms;
    pthread_mutex_init(&js->mu, NULL);
    s = N.natsOptions_Create(&o);
    if (s == NATS_OK)
        s = N.natsOptions_SetServers(o, list, n);
    if (s == NATS_OK)
        s = N.natsOptions_SetName(o, "darkfleet");
    if (s == NATS_OK)
        s = N.natsOptions_SetTimeout(o, timeout_ms);
    if (s == NATS_OK)
        s = N.natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK)
        s = N.natsOptions_SetReconnectWait(o, RECONNECT_WAIT_MS);
    if (s == NATS_OK)
        s = N.natsOptions_SetReconnectJitter(o, 50, 500);
    /* Publishes made while reconnecting are buffered, up to 32 MiB. */
    if (s == NATS_OK)
        s = N.natsOptions_SetReconnectBufSize(o, 32 << 20);
    free(buf);
    if (s != NATS_OK) {
        fail(err, errlen, s, 0, "nats options");
        goto bad;
    }
    end = now_ms() + retry_ms;
    while ((s = N.natsConnection_Connect(&js->nc, o)) != NATS_OK &&
           transient(s, 0) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK) {
        fail(err, errlen, s, 0, "connect to %s", urls);
        goto bad;
    }
    N.jsOptions_Init(&jo);
    jo.Wait = timeout_ms;
    jo.PublishAsync.MaxPending = ASYNC_INFLIGHT;
    jo.PublishAsync.AckHandler = on_async_ack;
    jo.PublishAsync.AckHandlerClosure = js;
    jo.PublishAsync.StallWait = timeout_ms;
    if ((s = N.natsConnection_JetStream(&js->jc, js->nc, &jo)) != NATS_OK) {
        fail(err, errlen, s, 0, "JetStream context");
        goto bad;
    }
    N.natsOptions_Destroy(o);
    *out = js;
    return 0;
bad:
    N.natsOptions_Destroy(o);
    cli_js_close(js);
    return -1;
}

void cli_js_close(struct cli_js *js)
{
    natsMsgList pending;
    size_t i;

    if (!js)
        return;
    /* Taking back the unacked publishes stops libnats calling
     * on_async_ack() for them once js is gone. */
    if (js->async_used &&
        N.js_PublishAsyncGetPendingList(&pending, js->jc) == NATS_OK)
        N.natsMsgList_Destroy(&pending);
    pthread_mutex_lock(&js->mu);
    for (i = 0; i < js->nfailed; i++)
        N.natsMsg_Destroy(js->failed[i]);
    js->nfailed = 0;
    pthread_mutex_unlock(&js->mu);
    if (js->jc)
        N.jsCtx_Destroy(js->jc);
    if (js->nc)
        N.natsConnection_Destroy(js->nc);
    pthread_mutex_destroy(&js->mu);
    free(js->failed);
    free(js);
}

/* ---- streams ------------------------------------------------------- */

int cli_js_stream(struct cli_js *js, const char *name, const char *subjects,
                  int replicas, int64_t dup_window_ms, char *err,
                  size_t errlen)
{
    const char *subj[MAX_SUBJECTS];
    char *buf;
    jsStreamConfig sc;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s;
    int n, pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + js->retry_ms;

    if (replicas < 1 || replicas > 5 || dup_window_ms < 0) {
        snprintf(err, errlen, "stream %s: replicas %d (want 1..5) or "
                 "duplicate window %lld ms", name, replicas,
                 (long long)dup_window_ms);
        return -1;
    }
    if (!(buf = strdup(subjects))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if ((n = split(buf, subj, MAX_SUBJECTS)) <= 0) {
        free(buf);
        snprintf(err, errlen, "stream %s: want 1 to %d subjects, not \"%s\"",
                 name, MAX_SUBJECTS, subjects);
        return -1;
    }
    N.jsStreamConfig_Init(&sc);
    sc.Name = name;
    sc.Subjects = subj;
    sc.SubjectsLen = n;
    sc.Retention = js_LimitsPolicy;
    sc.Storage = js_FileStorage;
    sc.Replicas = replicas;
    sc.Duplicates = dup_window_ms * 1000000;     /* nanoseconds */
    for (;;) {
        s = N.js_AddStream(&si, js->jc, &sc, NULL, &jerr);
        N.jsStreamInfo_Destroy(si);
        si = NULL;
        if (s == NATS_OK || !transient(s, jerr) || now_ms() >= end)
            break;
        pause_before_retry(&pause, end);
    }
    free(buf);
    if (s == NATS_OK)
        return 0;
    if (jerr == JSStreamNameExistErr)
        return fail(err, errlen, NATS_OK, 0, "stream %s exists with "
                    "another configuration", name);
    return fail(err, errlen, s, jerr, "create stream %s", name);
}

int cli_js_stream_delete(struct cli_js *js, const char *name, char *err,
                         size_t errlen)
{
    jsErrCode jerr = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + js->retry_ms;

    while ((s = N.js_DeleteStream(js->jc, name, NULL, &jerr)) != NATS_OK &&
           transient(s, jerr) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s == NATS_OK || jerr == JSStreamNotFoundErr)
        return 0;
    return fail(err, errlen, s, jerr, "delete stream %s", name);
}

int cli_js_stream_msgs(struct cli_js *js, const char *name, uint64_t *msgs,
                       char *err, size_t errlen)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + js->retry_ms;

    while ((s = N.js_GetStreamInfo(&si, js->jc, name, NULL, &jerr)) !=
               NATS_OK &&
           transient(s, jerr) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK)
        return fail(err, errlen, s, jerr, "stream %s", name);
    *msgs = si->State.Msgs;
    N.jsStreamInfo_Destroy(si);
    return 0;
}

/* ---- publishing ---------------------------------------------------- */

int cli_js_publish(struct cli_js *js, const char *subject, const char *msgid,
                   const void *data, size_t len, int deadline_ms, int *dup,
                   char *err, size_t errlen)
{
    natsMsg *m = NULL;
    jsPubAck *pa = NULL;
    jsPubOptions po;
    jsErrCode jerr = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t left, end = now_ms() + deadline_ms;

    if (dup)
        *dup = 0;
    if (len > INT32_MAX)
        return fail(err, errlen, NATS_OK, 0, "publish %s: %zu bytes",
                    subject, len);
    s = N.natsMsg_Create(&m, subject, NULL, data, (int)len);
    if (s != NATS_OK)
        return fail(err, errlen, s, 0, "publish %s", subject);
    N.jsPubOptions_Init(&po);
    po.MsgId = msgid;
    for (;;) {
        left = end - now_ms();
        po.MaxWait = left < js->timeout_ms ? left : js->timeout_ms;
        if (po.MaxWait < 1)
            po.MaxWait = 1;
        s = N.js_PublishMsg(&pa, js->jc, m, &po, &jerr);
        if (s == NATS_OK || !transient(s, jerr) || now_ms() >= end)
            break;
        /* A timeout has waited already; "no responders" comes at once. */
        if (s != NATS_TIMEOUT)
            pause_before_retry(&pause, end);
    }
    N.natsMsg_Destroy(m);
    if (s != NATS_OK)
        return fail(err, errlen, s, jerr, "publish %s id %s", subject,
                    msgid ? msgid : "-");
    if (dup)
        *dup = pa->Duplicate;
    N.jsPubAck_Destroy(pa);
    return 0;
}

/* Sends msg asynchronously; on failure it is kept to be sent again (the
 * msgid header stays on it).  Returns the send's status. */
static natsStatus send_async(struct cli_js *js, natsMsg *msg)
{
    jsPubOptions po;
    natsStatus s;

    N.jsPubOptions_Init(&po);
    po.MaxWait = js->timeout_ms;   /* then on_async_ack() gets a timeout */
    s = N.js_PublishMsgAsync(js->jc, &msg, &po);
    if (s != NATS_OK)
        on_async_ack(js->jc, msg, NULL, NULL, js);
    return s;
}

/* Waits for every async publish's ack, sending the failed ones again,
 * for up to deadline_ms; then drops what is left and fails. */
static int wait_acks(struct cli_js *js, int deadline_ms, char *err,
                     size_t errlen)
{
    jsPubOptions po;
    natsMsgList pending;
    natsMsg **batch;
    natsStatus s;
    size_t n, i, lost;
    int pause = PAUSE_MIN_MS;
    int64_t left, end = now_ms() + deadline_ms;

    for (;;) {
        left = end - now_ms();
        N.jsPubOptions_Init(&po);
        po.MaxWait = left < js->timeout_ms ? left : js->timeout_ms;
        if (po.MaxWait < 1)
            po.MaxWait = 1;
        s = N.js_PublishAsyncComplete(js->jc, &po);
        pthread_mutex_lock(&js->mu);
        batch = js->failed;
        n = js->nfailed;
        js->failed = NULL;
        js->nfailed = js->capfailed = 0;
        pthread_mutex_unlock(&js->mu);
        if (s == NATS_OK && n == 0) {
            free(batch);
            return 0;
        }
        if (now_ms() >= end)
            break;
        if (n == 0)
            continue;                  /* still in flight: wait again */
        /* Failures that came back at once (no leader yet) would come back
         * at once again: pause before sending them again. */
        pause_before_retry(&pause, end);
        for (i = 0; i < n; i++) {
            if (now_ms() < end)
                send_async(js, batch[i]);  /* may wait StallWait */
            else
                on_async_ack(js->jc, batch[i], NULL, NULL, js);
        }
        free(batch);
    }
    /* Give up: take back what is still in flight, too. */
    lost = n;
    if (js->async_used &&
        N.js_PublishAsyncGetPendingList(&pending, js->jc) == NATS_OK) {
        lost += (size_t)pending.Count;
        N.natsMsgList_Destroy(&pending);
    }
    for (i = 0; i < n; i++)
        N.natsMsg_Destroy(batch[i]);
    free(batch);
    pthread_mutex_lock(&js->mu);
    snprintf(err, errlen, "%zu publishes not acked in %d ms: %s", lost,
             deadline_ms, js->async_why[0] ? js->async_why : "timeout");
    pthread_mutex_unlock(&js->mu);
    return -1;
}

int cli_js_publish_async(struct cli_js *js, const char *subject,
                         const char *msgid, const void *data, size_t len,
                         char *err, size_t errlen)
{
    natsMsg *m = NULL;
    jsPubOptions po;
    natsStatus s;
    size_t nfailed;

    pthread_mutex_lock(&js->mu);
    nfailed = js->nfailed;
    pthread_mutex_unlock(&js->mu);
    if (nfailed >= ASYNC_FAILED_MAX &&
        wait_acks(js, js->retry_ms, err, errlen) != 0)
        return -1;
    if (len > INT32_MAX)
        return fail(err, errlen, NATS_OK, 0, "publish %s: %zu bytes",
                    subject, len);
    s = N.natsMsg_Create(&m, subject, NULL, data, (int)len);
    if (s != NATS_OK)
        return fail(err, errlen, s, 0, "publish %s", subject);
    N.jsPubOptions_Init(&po);
    po.MsgId = msgid;
    po.MaxWait = js->timeout_ms;   /* then on_async_ack() gets a timeout */
    js->async_used = 1;
    /* Stalled (4,096 in flight for timeout_ms) or disconnected: the
     * message has its msgid header by now; keep it to send again. */
    if (N.js_PublishMsgAsync(js->jc, &m, &po) != NATS_OK)
        on_async_ack(js->jc, m, NULL, NULL, js);
    return 0;
}

int cli_js_publish_wait(struct cli_js *js, int deadline_ms, uint64_t *dups,
                        char *err, size_t errlen)
{
    int rc = wait_acks(js, deadline_ms, err, errlen);

    pthread_mutex_lock(&js->mu);
    if (dups)
        *dups = js->async_dups;
    js->async_dups = 0;
    pthread_mutex_unlock(&js->mu);
    return rc;
}

/* ---- pull consumers ------------------------------------------------ */

/* Makes sub's consumer deliver from stream sequence start_seq on (0: an
 * existing durable as it is, or a new one from the first message):
 * deleted first and made again when start_seq > 0. */
static int subscribe_at(struct cli_js_sub *sub, uint64_t start_seq,
                        char *err, size_t errlen)
{
    struct cli_js *js = sub->js;
    jsSubOptions so;
    jsErrCode jerr = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + js->retry_ms;

    if (start_seq > 0) {
        while ((s = N.js_DeleteConsumer(js->jc, sub->stream, sub->durable,
                                        NULL, &jerr)) != NATS_OK &&
               jerr != JSConsumerNotFoundErr && transient(s, jerr) &&
               now_ms() < end)
            pause_before_retry(&pause, end);
        if (s != NATS_OK && jerr != JSConsumerNotFoundErr)
            return fail(err, errlen, s, jerr, "delete consumer %s on %s",
                        sub->durable, sub->stream);
    }
    N.jsSubOptions_Init(&so);
    so.Stream = sub->stream;
    so.Config.Durable = sub->durable;
    so.Config.FilterSubject = sub->subject;
    /* Deliver policy left unset (-1) when attaching: libnats then takes
     * an existing durable's, whatever it is, or the server's default,
     * deliver all, for a new one. */
    if (start_seq > 0) {
        so.Config.DeliverPolicy = js_DeliverByStartSequence;
        so.Config.OptStartSeq = start_seq;
    }
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.AckWait = (int64_t)sub->ack_wait_ms * 1000000; /* ns */
    so.Config.MaxAckPending = KEEP_MAX;
    /* libnats looks the durable up and binds to it, or creates it; it
     * deletes it only on Unsubscribe/Drain, which we never call. */
    pause = PAUSE_MIN_MS;
    jerr = 0;
    while ((s = N.js_PullSubscribe(&sub->sub, js->jc, sub->subject,
                                   sub->durable, NULL, &so, &jerr)) !=
               NATS_OK &&
           transient(s, jerr) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK) {
        sub->sub = NULL;
        return fail(err, errlen, s, jerr, "pull consumer %s on %s",
                    sub->durable, sub->stream);
    }
    return 0;
}

int cli_js_pull_from(struct cli_js *js, const char *stream,
                     const char *durable, const char *subject,
                     int ack_wait_ms, uint64_t start_seq,
                     struct cli_js_sub **out, char *err, size_t errlen)
{
    struct cli_js_sub *sub;
    const char *lose = getenv("DF_JS_TEST_LOSE");
    char name[160];

    *out = NULL;
    snprintf(name, sizeof name, "DF_JS_TEST_LOSE_%s", durable);
    if (getenv(name))
        lose = getenv(name);
    if (!(sub = calloc(1, sizeof *sub)) || !(sub->stream = strdup(stream)) ||
        !(sub->durable = strdup(durable)) ||
        !(sub->subject = strdup(subject))) {
        cli_js_sub_free(sub);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sub->js = js;
    sub->ack_wait_ms = ack_wait_ms > 0 ? ack_wait_ms : 30000;
    if (lose && *lose)
        sub->lose = strtoul(lose, NULL, 10);
    if (subscribe_at(sub, start_seq, err, errlen) != 0) {
        cli_js_sub_free(sub);
        return -1;
    }
    *out = sub;
    return 0;
}

int cli_js_pull(struct cli_js *js, const char *stream, const char *durable,
                const char *subject, int ack_wait_ms,
                struct cli_js_sub **out, char *err, size_t errlen)
{
    return cli_js_pull_from(js, stream, durable, subject, ack_wait_ms, 0, out,
                            err, errlen);
}

/* The server's view of sub's consumer. */
static int consumer_info(struct cli_js_sub *sub, uint64_t *floor,
                         int64_t *lost, uint64_t *delivered, char *err,
                         size_t errlen)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + sub->js->retry_ms;

    while ((s = N.js_GetConsumerInfo(&ci, sub->js->jc, sub->stream,
                                     sub->durable, NULL, &jerr)) !=
               NATS_OK &&
           transient(s, jerr) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK)
        return fail(err, errlen, s, jerr, "consumer %s on %s", sub->durable,
                    sub->stream);
    if (floor)
        *floor = ci->AckFloor.Stream;
    if (lost)
        *lost = ci->NumAckPending - (int64_t)sub->nkept;
    if (delivered)
        *delivered = ci->Delivered.Consumer;
    N.jsConsumerInfo_Destroy(ci);
    return 0;
}

int cli_js_sub_state(struct cli_js_sub *sub, uint64_t *floor, int64_t *lost,
                     char *err, size_t errlen)
{
    return consumer_info(sub, floor, lost, NULL, err, errlen);
}

/* Drops the messages sub holds, unacked. */
static void drop_kept(struct cli_js_sub *sub)
{
    size_t i;

    for (i = 0; i < sub->nkept; i++)
        N.natsMsg_Destroy(sub->kept[i].msg);
    sub->nkept = 0;
    sub->maxkept = 0;
}

/* Makes sub's consumer anew at start_seq; when that fails, the next
 * cli_js_fetch() tries again. */
static int remake(struct cli_js_sub *sub, uint64_t start_seq, char *err,
                  size_t errlen)
{
    drop_kept(sub);
    if (sub->sub)
        N.natsSubscription_Destroy(sub->sub);
    sub->sub = NULL;
    sub->remake_at = start_seq;
    if (subscribe_at(sub, start_seq, err, errlen) != 0)
        return -1;
    sub->remake_at = 0;
    return 0;
}

int cli_js_sub_rewind(struct cli_js_sub *sub, char *err, size_t errlen)
{
    uint64_t floor;

    if (cli_js_sub_state(sub, &floor, NULL, err, errlen) != 0)
        return -1;
    return remake(sub, floor + 1, err, errlen);
}

int cli_js_pull_resume(struct cli_js *js, const char *stream,
                       const char *durable, const char *subject,
                       int ack_wait_ms, uint64_t at_most,
                       struct cli_js_sub **out, char *err, size_t errlen)
{
    uint64_t floor, delivered;

    if (cli_js_pull(js, stream, durable, subject, ack_wait_ms, out, err,
                    errlen) != 0)
        return -1;
    if (consumer_info(*out, &floor, NULL, &delivered, err, errlen) != 0)
        goto fail;
    if (delivered == 0 && floor == 0)
        return 0;               /* new, or never delivered: from the start */
    if (remake(*out, (floor < at_most ? floor : at_most) + 1, err,
               errlen) != 0)
        goto fail;
    return 0;
fail:
    cli_js_sub_free(*out);
    *out = NULL;
    return -1;
}

/* Tests: one fetched message in about every n is "lost", picked by a
 * hash of its count (not every n-th: a rewind of a multiple of n messages
 * would lose the same one each time). */
static int lose_this(unsigned long *count, unsigned long n)
{
    uint64_t x = ++*count;

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x % n == 0;
}

int cli_js_fetch(struct cli_js_sub *sub, int max, int timeout_ms,
                 int (*fn)(const void *data, size_t len, uint64_t stream_seq,
                           const char *msgid, void *ud),
                 void *ud, char *err, size_t errlen)
{
    natsMsgList list;
    jsErrCode jerr = 0;
    natsStatus s, last = NATS_OK;
    jsErrCode lastjerr = 0;
    int pause = PAUSE_MIN_MS, i, n, got = -1;
    int64_t left, end = now_ms() + timeout_ms;

    if (max <= 0) {
        snprintf(err, errlen, "fetch of %d messages", max);
        return -1;
    }
    if (!sub->sub && remake(sub, sub->remake_at, err, errlen) != 0)
        return -1;
    if ((size_t)max > KEEP_MAX - sub->nkept)
        max = (int)(KEEP_MAX - sub->nkept);
    if (max == 0) {
        snprintf(err, errlen, "%zu messages fetched and not acked",
                 sub->nkept);
        return -1;
    }
    if (sub->nkept + (size_t)max > sub->capkept) {
        size_t cap = sub->capkept ? sub->capkept : 256;
        struct kept *p;

        while (cap < sub->nkept + (size_t)max)
            cap *= 2;
        if (cap > KEEP_MAX)
            cap = KEEP_MAX;
        if (!(p = realloc(sub->kept, cap * sizeof *p))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        sub->kept = p;
        sub->capkept = cap;
    }
    for (;;) {
        left = end - now_ms();
        if (left <= 0) {
            if (last == NATS_OK || last == NATS_TIMEOUT)
                return 0;
            return fail(err, errlen, last, lastjerr, "fetch");
        }
        s = N.natsSubscription_Fetch(&list, sub->sub, max, left, &jerr);
        if (s == NATS_OK)
            break;
        if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND)
            return 0;
        if (!transient(s, jerr))
            return fail(err, errlen, s, jerr, "fetch");
        last = s;
        lastjerr = jerr;
        pause_before_retry(&pause, end);
    }
    for (i = 0; i < list.Count; i++) {
        natsMsg *m = list.Msgs[i];
        jsMsgMetaData *meta = NULL;
        const char *id = NULL;
        uint64_t seq = 0;

        if (sub->lose && got < 0 && lose_this(&sub->fetched, sub->lose)) {
            N.natsMsg_Destroy(m);      /* "lost on the way" (tests) */
            list.Msgs[i] = NULL;
            continue;
        }
        if (got < 0 && N.natsMsg_GetMetaData(&meta, m) == NATS_OK) {
            seq = meta->Sequence.Stream;
            N.jsMsgMetaData_Destroy(meta);
        }
        if (got >= 0 || seq == 0) {
            /* After a refusal, or not a JetStream message: give it back. */
            N.natsMsg_Nak(m, NULL);
            continue;
        }
        if (N.natsMsgHeader_Get(m, "Nats-Msg-Id", &id) != NATS_OK)
            id = NULL;
        if (fn((const void *)N.natsMsg_GetData(m),
               (size_t)N.natsMsg_GetDataLength(m), seq, id, ud) != 0) {
            got = i;
            N.natsMsg_Nak(m, NULL);
            continue;
        }
        list.Msgs[i] = NULL;           /* kept: not destroyed below */
        if (seq <= sub->maxkept) {
            /* Sent again (the ack wait passed): this delivery, not the
             * old one, is the one to ack, and it is held once. */
            size_t j;

            for (j = 0; j < sub->nkept && sub->kept[j].seq != seq; j++)
                ;
            if (j < sub->nkept) {
                N.natsMsg_Destroy(sub->kept[j].msg);
                sub->kept[j].msg = m;
                continue;
            }
        }
        sub->kept[sub->nkept].msg = m;
        sub->kept[sub->nkept].seq = seq;
        sub->nkept++;
        if (seq > sub->maxkept)
            sub->maxkept = seq;
    }
    n = list.Count;
    N.natsMsgList_Destroy(&list);  /* zeroes list */
    if (got >= 0) {
        snprintf(err, errlen, "the callback refused message %d of %d", got + 1,
                 n);
        return -1;
    }
    return n;
}

int cli_js_ack_upto(struct cli_js_sub *sub, uint64_t stream_seq, char *err,
                    size_t errlen)
{
    jsErrCode jerr = 0;
    natsStatus s = NATS_OK;
    size_t i, j, lastidx = SIZE_MAX;
    int pause = PAUSE_MIN_MS;
    int64_t end;

    for (i = 0; i < sub->nkept; i++)
        if (sub->kept[i].seq <= stream_seq)
            lastidx = i;
    if (lastidx == SIZE_MAX)
        return 0;
    /* natsMsg_Ack() marks a message acked once sent: a retry after an
     * error sends only the ones not sent yet. */
    for (i = 0; i < lastidx && s == NATS_OK; i++)
        if (sub->kept[i].seq <= stream_seq)
            s = N.natsMsg_Ack(sub->kept[i].msg, NULL);
    if (s != NATS_OK)
        return fail(err, errlen, s, 0, "ack");
    end = now_ms() + sub->js->retry_ms;
    while ((s = N.natsMsg_AckSync(sub->kept[lastidx].msg, NULL, &jerr)) !=
               NATS_OK &&
           transient(s, jerr) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK)
        return fail(err, errlen, s, jerr, "ack %llu",
                    (unsigned long long)sub->kept[lastidx].seq);
    sub->maxkept = 0;
    for (i = j = 0; i < sub->nkept; i++) {
        if (sub->kept[i].seq <= stream_seq) {
            N.natsMsg_Destroy(sub->kept[i].msg);
        } else {
            if (sub->kept[i].seq > sub->maxkept)
                sub->maxkept = sub->kept[i].seq;
            sub->kept[j++] = sub->kept[i];
        }
    }
    sub->nkept = j;
    return 0;
}

void cli_js_sub_free(struct cli_js_sub *sub)
{
    if (!sub)
        return;
    drop_kept(sub);
    free(sub->kept);
    if (sub->sub)
        N.natsSubscription_Destroy(sub->sub);
    free(sub->stream);
    free(sub->durable);
    free(sub->subject);
    free(sub);
}

/* ---- key-value ----------------------------------------------------- */

static void kv_names(struct cli_js_kv *kv, const char *bucket)
{
    snprintf(kv->stream, sizeof kv->stream, "KV_%s", bucket);
    snprintf(kv->prefix, sizeof kv->prefix, "$KV.%s.", bucket);
}

int cli_js_kv(struct cli_js *js, const char *bucket, int replicas,
              struct cli_js_kv **out, char *err, size_t errlen)
{
    struct cli_js_kv *kv;
    kvConfig cfg;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + js->retry_ms;

    *out = NULL;
    if (replicas < 1 || replicas > 5) {
        snprintf(err, errlen, "bucket %s: replicas %d, want 1..5", bucket,
                 replicas);
        return -1;
    }
    if (!(kv = calloc(1, sizeof *kv))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    kv->js = js;
    kv_names(kv, bucket);
    N.kvConfig_Init(&cfg);
    cfg.Bucket = bucket;
    cfg.History = 1;
    cfg.StorageType = js_FileStorage;
    cfg.Replicas = replicas;
    /* libnats creates the bucket's stream, or checks an existing one has
     * the same configuration and binds to it. */
    while ((s = N.js_CreateKeyValue(&kv->kv, js->jc, &cfg)) != NATS_OK &&
           transient(s, 0) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK) {
        free(kv);
        return fail(err, errlen, s, 0, "bucket %s", bucket);
    }
    *out = kv;
    return 0;
}

int cli_js_kv_bind(struct cli_js *js, const char *bucket,
                   struct cli_js_kv **out, char *err, size_t errlen)
{
    struct cli_js_kv *kv;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + js->retry_ms;

    *out = NULL;
    if (!(kv = calloc(1, sizeof *kv))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    kv->js = js;
    kv_names(kv, bucket);
    while ((s = N.js_KeyValue(&kv->kv, js->jc, bucket)) != NATS_OK &&
           transient(s, 0) && now_ms() < end)
        pause_before_retry(&pause, end);
    if (s != NATS_OK) {
        free(kv);
        return fail(err, errlen, s, 0, "bucket %s", bucket);
    }
    *out = kv;
    return 0;
}

int cli_js_kv_put(struct cli_js_kv *kv, const char *key, const void *data,
                  size_t len, char *err, size_t errlen)
{
    uint64_t rev = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + kv->js->retry_ms;

    if (len > INT32_MAX)
        return fail(err, errlen, NATS_OK, 0, "put %s: %zu bytes", key, len);
    /* A put retried after a lost ack may store the value twice: the
     * bucket keeps one value a key, so that is harmless. */
    while ((s = N.kvStore_Put(&rev, kv->kv, key, data, (int)len)) !=
               NATS_OK &&
           transient(s, 0) && now_ms() < end) {
        if (s != NATS_TIMEOUT)
            pause_before_retry(&pause, end);
    }
    if (s != NATS_OK)
        return fail(err, errlen, s, 0, "put %s", key);
    return 0;
}

int cli_js_kv_get(struct cli_js_kv *kv, const char *key, void **data,
                  size_t *len, int *found, char *err, size_t errlen)
{
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    natsStatus s;
    int pause = PAUSE_MIN_MS;
    int64_t end = now_ms() + kv->js->retry_ms;
    const char *op = NULL;
    char subj[256];
    size_t n;
    char *copy;

    *data = NULL;
    *len = 0;
    *found = 0;
    if (snprintf(subj, sizeof subj, "%s%s", kv->prefix, key) >=
        (int)sizeof subj)
        return fail(err, errlen, NATS_OK, 0, "get %s: a long key", key);
    /* Not kvStore_Get(): libnats makes buckets with direct gets allowed
     * and then reads through them, which any replica answers, one that
     * lags behind included.  A stream's leader answers this one: the last
     * value put. */
    while ((s = N.js_GetLastMsg(&m, kv->js->jc, kv->stream, subj, NULL,
                                &jerr)) != NATS_OK &&
           s != NATS_NOT_FOUND && jerr != JSNoMessageFoundErr &&
           transient(s, jerr) && now_ms() < end) {
        jerr = 0;
        if (s != NATS_TIMEOUT)
            pause_before_retry(&pause, end);
    }
    if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr)
        return 0;
    if (s != NATS_OK)
        return fail(err, errlen, s, jerr, "get %s", key);
    /* A deleted or purged key leaves a marker without a value. */
    if (N.natsMsgHeader_Get(m, "KV-Operation", &op) == NATS_OK && op &&
        (strcmp(op, "DEL") == 0 || strcmp(op, "PURGE") == 0)) {
        N.natsMsg_Destroy(m);
        return 0;
    }
    n = (size_t)N.natsMsg_GetDataLength(m);
    if (!(copy = malloc(n + 1))) {
        N.natsMsg_Destroy(m);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (n)
        memcpy(copy, N.natsMsg_GetData(m), n);
    copy[n] = '\0';
    N.natsMsg_Destroy(m);
    *data = copy;
    *len = n;
    *found = 1;
    return 0;
}

void cli_js_kv_free(struct cli_js_kv *kv)
{
    if (!kv)
        return;
    N.kvStore_Destroy(kv->kv);
    free(kv);
}
#else
/* Built without libnats' header: cluster mode says so when asked for. */
typedef int cli_js_unused;
#endif
