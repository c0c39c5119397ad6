/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef DF_TESTUTIL_H
#define DF_TESTUTIL_H

#include <stddef.h>

/* Returns a malloc'd path DF_DATA_DIR "/" rel, or NULL (after printing a
 * skip message) when the shared data folder or the file is absent. */
char *tu_data_path(const char *rel);

/* Reads a whole file into a malloc'd NUL-terminated buffer; *len gets its
 * size.  Returns NULL if it cannot be read. */
char *tu_read_file(const char *path, size_t *len);

#endif
