/*
 * df.c - library-wide tables: error strings and the statistics counters.
 * Both come from the X-macro tables in darkfleet.h so that a code or a
 * counter is added in one place (libuv's UV_ERRNO_MAP).
 */
#include "darkfleet.h"

const char *df_strerror(enum df_err err)
{
    static const char *const msgs[] = {
#define XX(code, msg) msg,
        DF_ERR_MAP(XX)
#undef XX
    };
    if ((unsigned)err >= DF_ERR_COUNT)
        return "unknown error";
    return msgs[err];
}

void df_stats_each(const struct df_stats *s,
                   void (*fn)(const char *name, const char *label,
                              uint64_t value, void *ud),
                   void *ud)
{
#define XX(name, label) fn(#name, label, s->name, ud);
    DF_STATS_MAP(XX)
#undef XX
}

void df_stats_add(struct df_stats *dst, const struct df_stats *src)
{
#define XX(name, label) dst->name += src->name;
    DF_STATS_MAP(XX)
#undef XX
}
