/*
 * nats.h - libnats (the NATS C client, 3.4) for darkfleet's cluster
 * transport (js.c), through a table of its functions: loaded with
 * dlopen() the first time a JetStream connection is opened (nats.c), so
 * that the library, its OpenSSL and the protobuf-c it brings are not
 * loaded by every other command; or linked, with -DDF_NATS_LINKED=ON, to
 * compare.  Built only when libnats' header was found (DF_HAVE_NATS).
 */
#ifndef DF_CLI_NATS_H
#define DF_CLI_NATS_H

#ifdef DF_HAVE_NATS
#include <stdbool.h>
#include <stdint.h>
#include <nats/nats.h>

/* The functions js.c (and the cluster test) call. */
#define NATS_FUNCS(X)                                                      \
    X(natsStatus_GetText)                                                  \
    X(nats_GetLastError)                                                   \
    X(natsOptions_Create)                                                  \
    X(natsOptions_SetServers)                                              \
    X(natsOptions_SetName)                                                 \
    X(natsOptions_SetTimeout)                                              \
    X(natsOptions_SetMaxReconnect)                                         \
    X(natsOptions_SetReconnectWait)                                        \
    X(natsOptions_SetReconnectJitter)                                      \
    X(natsOptions_SetReconnectBufSize)                                     \
    X(natsOptions_Destroy)                                                 \
    X(natsConnection_Connect)                                              \
    X(natsConnection_Destroy)                                              \
    X(natsConnection_JetStream)                                            \
    X(jsCtx_Destroy)                                                       \
    X(jsOptions_Init)                                                      \
    X(jsStreamConfig_Init)                                                 \
    X(js_AddStream)                                                        \
    X(js_DeleteStream)                                                     \
    X(js_GetStreamInfo)                                                    \
    X(jsStreamInfo_Destroy)                                                \
    X(natsMsg_Create)                                                      \
    X(natsMsg_Destroy)                                                     \
    X(natsMsg_GetData)                                                     \
    X(natsMsg_GetDataLength)                                               \
    X(natsMsgHeader_Get)                                                   \
    X(natsMsgList_Destroy)                                                 \
    X(jsPubOptions_Init)                                                   \
    X(js_PublishMsg)                                                       \
    X(jsPubAck_Destroy)                                                    \
    X(js_PublishMsgAsync)                                                  \
    X(js_PublishAsyncComplete)                                             \
    X(js_PublishAsyncGetPendingList)                                       \
    X(jsSubOptions_Init)                                                   \
    X(js_PullSubscribe)                                                    \
    X(js_DeleteConsumer)                                                   \
    X(natsSubscription_Fetch)                                              \
    X(natsSubscription_Destroy)                                            \
    X(natsMsg_GetMetaData)                                                 \
    X(jsMsgMetaData_Destroy)                                               \
    X(natsMsg_Ack)                                                         \
    X(natsMsg_AckSync)                                                     \
    X(natsMsg_Nak)                                                         \
    X(kvConfig_Init)                                                       \
    X(js_CreateKeyValue)                                                   \
    X(js_KeyValue)                                                         \
    X(kvStore_Destroy)                                                     \
    X(kvStore_Put)                                                         \
    X(js_GetLastMsg)                                                       \
    X(js_GetConsumerInfo)                                                  \
    X(jsConsumerInfo_Destroy)

struct cli_nats_funcs {
#define X(f) __typeof__(f) *f;
    NATS_FUNCS(X)
#undef X
};
/* Filled by cli_nats_load(). */
extern struct cli_nats_funcs cli_nats;

/* Loads libnats (once): NULL when it is usable, else why not (a static
 * string). */
const char *cli_nats_load(void);
#endif

#endif
