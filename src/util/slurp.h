/*
 * slurp.h - reads a whole file into memory, bounded: for the inputs read
 * at start-up (sanctions lists, zone and port files), never for AIS.
 */
#ifndef DF_UTIL_SLURP_H
#define DF_UTIL_SLURP_H

#include <stddef.h>

#include "darkfleet.h"

/*
 * Reads path into *out (df__malloc'd, NUL-terminated; the caller frees it
 * with df__free) and its length into *len.  On failure *out is NULL, and
 * a message naming the path goes into err (which may be NULL): DF_IO when
 * it cannot be opened (the system's reason) or read, DF_LIMIT when it is
 * larger than max bytes, DF_NOMEM.
 */
enum df_err df__slurp(const char *path, size_t max, char **out, size_t *len,
                      char *err, size_t errlen);

#endif
