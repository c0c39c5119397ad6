/*
 * jsonfmt.h - the number writers of the JSON output (src/json.c), shared
 * with the other JSON writers (src/rec_json.c) so that a number is
 * formatted one way everywhere.  All append to a struct df_buf.
 */
#ifndef DF_JSONFMT_H
#define DF_JSONFMT_H

#include "darkfleet.h"

/* ,"k": (k needs no escaping: a key of ours). */
void df__put_key(struct df_buf *b, const char *k);
/* The decimal digits of v. */
void df__put_u(struct df_buf *b, uint64_t v);
void df__put_i(struct df_buf *b, int64_t v);
/* v / 10^dec with exactly dec (<= 7) decimals: "%.<dec>f" of an exact
 * value, without printf. */
void df__put_fixed(struct df_buf *b, int64_t v, unsigned dec);

#endif
