/*
 * js.h - darkfleet's JetStream transport for cluster mode: a small API
 * over libnats (loaded with dlopen() through nats.h) for streams of AIS
 * messages, durable pull consumers and a key-value bucket.
 *
 * Every call returns 0 on success, or non-zero with a one-line reason in
 * the caller's err[errlen]; nothing here prints, exits or aborts.
 * Calls that talk to the cluster ride through the election of a new
 * leader (JetStream answers "no responders", 503 or nothing meanwhile:
 * 4 to 9 s with nats-server 2.9, its Raft election timeout, measured
 * 5-8 s here): they retry until their deadline, the explicit one or the
 * retry_ms given to cli_js_open(), which should be 20 s or more.
 *
 * A struct cli_js and everything made from it is used by one thread at a
 * time.  Built only with libnats' header (DF_HAVE_NATS); the library is
 * loaded by the first cli_js_open().
 */
#ifndef DF_CLI_JS_H
#define DF_CLI_JS_H

#ifdef DF_HAVE_NATS
#include <stddef.h>
#include <stdint.h>

/* A connection to the cluster and its JetStream context. */
struct cli_js;

/* Connects to any of urls, a comma list ("nats://127.0.0.1:4222,
 * nats://127.0.0.1:4223", up to 16), trying again for up to retry_ms when
 * none answers.  Once connected, the connection reconnects forever to any
 * of them (and to the servers the cluster announces), every 250 ms.
 * timeout_ms bounds each request (a publish's ack, an API call, a
 * connect); retry_ms bounds the retries of the calls below that take no
 * deadline.  On success *out is the caller's, freed with cli_js_close(). */
int cli_js_open(struct cli_js **out, const char *urls, int timeout_ms,
                int retry_ms, char *err, size_t errlen);

/* Closes the connection and frees js (NULL is a no-op).  Asynchronous
 * publishes not yet acked are dropped: call cli_js_publish_wait() first. */
void cli_js_close(struct cli_js *js);

/* Creates stream `name` over subjects, a comma list ("ais.>"), stored in
 * files on `replicas` servers (1..5), with limits retention (messages are
 * kept after they are consumed, so several consumers can read it and a
 * republish is still checked against it) and no limit but the server's;
 * a message whose Nats-Msg-Id was seen in the last dup_window_ms is
 * dropped as a duplicate.  A stream that exists with the same
 * configuration is left as it is; one with another is an error. */
int cli_js_stream(struct cli_js *js, const char *name, const char *subjects,
                  int replicas, int64_t dup_window_ms, char *err,
                  size_t errlen);

/* Deletes stream `name`, with its messages and consumers; a stream that
 * does not exist is not an error. */
int cli_js_stream_delete(struct cli_js *js, const char *name, char *err,
                         size_t errlen);

/* Sets *msgs to the number of messages stream `name` holds. */
int cli_js_stream_msgs(struct cli_js *js, const char *name, uint64_t *msgs,
                       char *err, size_t errlen);

/* Publishes data[len] to subject with header Nats-Msg-Id = msgid and
 * waits for the stream's ack.  On a timeout, a lost connection or a
 * leader being elected it publishes again, with the same msgid, until
 * deadline_ms have passed: a message stored by an attempt whose ack was
 * lost is then acked as a duplicate, not stored twice.  *dup (may be
 * NULL) is set to 1 when the server said duplicate, else 0. */
int cli_js_publish(struct cli_js *js, const char *subject, const char *msgid,
                   const void *data, size_t len, int deadline_ms, int *dup,
                   char *err, size_t errlen);

/* Publishes like cli_js_publish() but does not wait for the ack (data is
 * copied).  At most 4,096 publishes are in flight: beyond that this call
 * waits for acks.  A publish that fails or is not acked within timeout_ms
 * is kept and sent again, same msgid, by cli_js_publish_wait(); when
 * 16,384 are kept this call first runs cli_js_publish_wait(retry_ms).
 * The order of the messages in the stream may then differ from the
 * order of the calls. */
int cli_js_publish_async(struct cli_js *js, const char *subject,
                         const char *msgid, const void *data, size_t len,
                         char *err, size_t errlen);

/* Waits until every asynchronous publish is acked, republishing the
 * failed ones, for up to deadline_ms; the failure after that names how
 * many were not acked (they are dropped).  *dups (may be NULL) is set to
 * the number of publishes acked as duplicates since the last call. */
int cli_js_publish_wait(struct cli_js *js, int deadline_ms, uint64_t *dups,
                        char *err, size_t errlen);

/* A durable pull consumer and the messages fetched but not yet acked. */
struct cli_js_sub;

/* Attaches to durable pull consumer `durable` of stream `stream`, first
 * creating it when it does not exist: filtered to subject (wildcards
 * allowed), from the stream's first message, explicit acks, up to 65,536
 * messages delivered and unacked, each redelivered when not acked within
 * ack_wait_ms (0: 30 s).  A worker that starts again with the same
 * durable resumes after the last message it acked: what it fetched and
 * did not ack comes again once ack_wait_ms has passed, after newer
 * messages.  Each durable has one worker.  On success *out is the
 * caller's, freed with cli_js_sub_free(). */
int cli_js_pull(struct cli_js *js, const char *stream, const char *durable,
                const char *subject, int ack_wait_ms,
                struct cli_js_sub **out, char *err, size_t errlen);

/* Like cli_js_pull(), for a worker restarting from a checkpoint of its
 * own: the consumer delivers from stream sequence start_seq (>= 1) on.
 * An existing durable of that name is deleted first and made again, so
 * that its position is start_seq whatever it had acked; start_seq 0 is
 * cli_js_pull(). */
int cli_js_pull_from(struct cli_js *js, const char *stream,
                     const char *durable, const char *subject,
                     int ack_wait_ms, uint64_t start_seq,
                     struct cli_js_sub **out, char *err, size_t errlen);

/* Like cli_js_pull(), then, when the durable existed and delivered, makes
 * it anew from the message after its ack floor, or after stream sequence
 * at_most if that is lower: what an earlier holder of the durable fetched
 * and did not ack comes first and at once, not after ack_wait_ms and
 * newer messages.  (at_most: what the caller knows it holds; UINT64_MAX
 * for the floor alone.) */
int cli_js_pull_resume(struct cli_js *js, const char *stream,
                       const char *durable, const char *subject,
                       int ack_wait_ms, uint64_t at_most,
                       struct cli_js_sub **out, char *err, size_t errlen);

/* What the server keeps of sub's consumer: *floor, the stream sequence up
 * to which it has every message acked; *lost, the messages it delivered
 * and has no ack for that sub does not hold.  Those are fetches' answers
 * lost on the way (a server died while they were in flight), or acks lost
 * so: they come again only after ack_wait_ms.  Either may be NULL. */
int cli_js_sub_state(struct cli_js_sub *sub, uint64_t *floor, int64_t *lost,
                     char *err, size_t errlen);

/* Makes sub's consumer anew from the message after its ack floor, so that
 * every message it has no ack for comes again at once, in stream order
 * (some it had acks for too, after a hole).  The messages sub holds are
 * dropped unacked: they come again.  When making it anew fails, the next
 * cli_js_fetch() tries again. */
int cli_js_sub_rewind(struct cli_js_sub *sub, char *err, size_t errlen);

/* Fetches up to max messages, waiting at most timeout_ms for the first,
 * and calls fn(data, len, stream_seq, msgid, ud) on each in order: data
 * and msgid (NULL when the message has none) are valid during the call.
 * Returns the number fetched, 0 when none came in timeout_ms, or -1 with
 * err set: an error that lasted timeout_ms, or fn returning non-zero (the
 * messages from that one on are given back, to be redelivered soon).
 * Messages are not acked here; at most 65,536 are kept unacked, a message
 * sent again (its ack wait passed) held once, as its latest delivery. */
int cli_js_fetch(struct cli_js_sub *sub, int max, int timeout_ms,
                 int (*fn)(const void *data, size_t len, uint64_t stream_seq,
                           const char *msgid, void *ud),
                 void *ud, char *err, size_t errlen);

/* Acks every fetched message whose stream sequence is at most stream_seq:
 * all but the last fetched of them without waiting, the last one waiting
 * for the server's reply (retried for retry_ms), which the server sends
 * after it has handled the ones before (should the consumer's leader
 * change in between, those may be lost and come again after ack_wait_ms:
 * delivery is at least once). */
int cli_js_ack_upto(struct cli_js_sub *sub, uint64_t stream_seq, char *err,
                    size_t errlen);

/* Tests: DF_JS_TEST_LOSE=n in the environment of cli_js_pull*() drops
 * about one message fetched in n (picked by a hash of its count) before fn
 * sees it, unacked, as a server that dies mid-delivery does;
 * DF_JS_TEST_LOSE_<durable>=n sets it for one durable. */

/* Frees sub and its unacked messages (redelivered after ack_wait_ms);
 * the durable consumer stays on the server.  NULL is a no-op. */
void cli_js_sub_free(struct cli_js_sub *sub);

/* A JetStream key-value bucket. */
struct cli_js_kv;

/* Opens bucket `bucket`, creating it on `replicas` servers (1..5), with
 * one value a key and file storage, when it does not exist.  On success
 * *out is the caller's, freed with cli_js_kv_free(). */
int cli_js_kv(struct cli_js *js, const char *bucket, int replicas,
              struct cli_js_kv **out, char *err, size_t errlen);

/* Opens bucket `bucket`, which must exist (made by someone else, with
 * their replicas). */
int cli_js_kv_bind(struct cli_js *js, const char *bucket,
                   struct cli_js_kv **out, char *err, size_t errlen);

/* Stores data[len] as the value of key (letters, digits and "-_=./"). */
int cli_js_kv_put(struct cli_js_kv *kv, const char *key, const void *data,
                  size_t len, char *err, size_t errlen);

/* Reads the value of key: *found 0 when the key has none (still success),
 * else *found 1 and *data a malloc'd copy of *len bytes, NUL-terminated
 * for convenience, that the caller frees with free(). */
int cli_js_kv_get(struct cli_js_kv *kv, const char *key, void **data,
                  size_t *len, int *found, char *err, size_t errlen);

/* Frees kv; the bucket stays on the server.  NULL is a no-op. */
void cli_js_kv_free(struct cli_js_kv *kv);
#endif

#endif
