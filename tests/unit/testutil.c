/* testutil.c - helpers shared by the unit tests (see testutil.h). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *tu_data_path(const char *rel)
{
    size_t n = strlen(DF_DATA_DIR) + strlen(rel) + 2;
    char *p = malloc(n);
    struct stat st;

    if (!p)
        return NULL;
    snprintf(p, n, "%s/%s", DF_DATA_DIR, rel);
    if (stat(p, &st) != 0) {
        fprintf(stderr, "skip: %s is absent (../shared/data not here)\n", p);
        free(p);
        return NULL;
    }
    return p;
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;

    if (!f)
        return NULL;
    do {
        if (cap - n < 65536) {
            char *nb = realloc(buf, cap * 2 + 65536 + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = cap * 2 + 65536;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
