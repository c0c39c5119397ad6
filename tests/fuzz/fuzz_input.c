/*
 * fuzz_input.c - df_input: the input is written to a temporary file and
 * read back through df_input_open()/df_input_read() to the end (plain
 * bytes, gzip, zstd, xz, bzip2, lz4, zip, ... detected from magic bytes).
 * Small inputs are also read through a pipe with df_input_open_fd().
 *
 * Properties checked (abort() on failure):
 *  - df_input_read() never returns more than asked; 0 stays 0; after -1,
 *    df_input_error() is one non-empty line naming the input;
 *  - plain (uncompressed) input comes back byte for byte;
 *  - a pipe gives the same bytes and the same outcome as a file.
 * Decompressed output is cut at OUT_CAP bytes so that a small bomb stays
 * fast.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkfleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP (1u << 20)  /* decompressed bytes read at most */
#define PIPE_MAX 16384      /* inputs that also go through a pipe */

static char tmp_path[64];
static int tmp_fd = -1;

static void cleanup(void)
{
    if (tmp_fd >= 0) {
        close(tmp_fd);
        unlink(tmp_path);
    }
}

static void tmp_init(void)
{
    if (tmp_fd >= 0)
        return;
    snprintf(tmp_path, sizeof tmp_path, "/tmp/df_fuzz_input_XXXXXX");
    tmp_fd = mkstemp(tmp_path);
    if (tmp_fd < 0)
        abort();
    atexit(cleanup);
}

/* Does data start with a magic that df_input hands to libarchive? */
static int packed(const uint8_t *p, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
    } tab[] = {
        {"\x1f\x8b", 2},         {"\x28\xb5\x2f\xfd", 4},
        {"\xfd" "7zXZ\x00", 6},  {"BZh", 3},
        {"\x04\x22\x4d\x18", 4}, {"LZIP", 4},
        {"\x1f\x9d", 2},         {"\x5d\x00\x00", 3},
        {"PK\x03\x04", 4},       {"PK\x05\x06", 4},
    };
    size_t i;

    for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (n >= tab[i].len && memcmp(p, tab[i].magic, tab[i].len) == 0)
            return 1;
    return 0;
}

struct result {
    char *out;
    size_t len;
    int failed;
};

/* Reads in to the end (or OUT_CAP) in pieces of bufsize bytes. */
static void drain(struct df_input *in, size_t bufsize, struct result *r)
{
    char *buf = malloc(bufsize);
    size_t cap = bufsize < 64 ? 65536 : OUT_CAP;
    long n;

    if (!buf)
        abort();
    r->len = 0;
    r->failed = 0;
    r->out = malloc(OUT_CAP);
    if (!r->out)
        abort();
    for (;;) {
        size_t want = bufsize;
        if (want > cap - r->len)
            want = cap - r->len;
        if (want == 0)
            break;
        n = df_input_read(in, buf, want);
        if (n < 0) {
            const char *e = df_input_error(in);
            if (e == NULL || e[0] == '\0' || strchr(e, '\n') != NULL)
                abort();
            if (df_input_read(in, buf, want) != -1)
                abort();    /* a failed input stays failed */
            r->failed = 1;
            break;
        }
        if ((size_t)n > want)
            abort();
        if (n == 0) {
            if (df_input_read(in, buf, want) != 0)
                abort();    /* the end stays the end */
            break;
        }
        memcpy(r->out + r->len, buf, (size_t)n);
        r->len += (size_t)n;
    }
    if (df_input_size(in) != 0 && df_input_pos(in) > df_input_size(in))
        abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t bufsizes[] = {1 << 16, 4096, 1 << 20, 7};
    struct df_input *in = NULL;
    struct result file, pipe_r;
    char err[256];
    size_t bufsize;
    enum df_err e;

    if (size > (1u << 20))
        return 0;
    bufsize = bufsizes[size ? data[size - 1] % 4 : 0];
    if (bufsize < 64 && size > 8192)
        bufsize = 4096;     /* one byte at a time only for small inputs */

    tmp_init();
    if (ftruncate(tmp_fd, 0) != 0 || pwrite(tmp_fd, data, size, 0) !=
        (ssize_t)size)
        abort();

    memset(&file, 0, sizeof file);
    memset(&pipe_r, 0, sizeof pipe_r);
    err[0] = '\0';
    e = df_input_open(&in, tmp_path, err, sizeof err);
    if (e != DF_OK) {
        if (in != NULL || err[0] == '\0' || strchr(err, '\n') ||
            !strstr(err, tmp_path))
            abort();
        file.failed = 2;
    } else {
        drain(in, bufsize, &file);
        df_input_free(in);
    }
    /* Plain bytes pass through untouched. */
    if (!packed(data, size) &&
        (e != DF_OK || file.failed || file.len != size ||
         (size && memcmp(file.out, data, size) != 0)))
        abort();

    if (size <= PIPE_MAX) {
        int fds[2];
        if (pipe(fds) != 0)
            abort();
        if (write(fds[1], data, size) != (ssize_t)size)
            abort();
        close(fds[1]);
        in = NULL;
        e = df_input_open_fd(&in, fds[0], "fuzz-pipe", err, sizeof err);
        if (e != DF_OK) {
            if (in != NULL || !strstr(err, "fuzz-pipe"))
                abort();
            pipe_r.failed = 2;
        } else {
            drain(in, bufsize, &pipe_r);
            df_input_free(in);
        }
        close(fds[0]);
        if (pipe_r.failed != file.failed || pipe_r.len != file.len ||
            (file.len && memcmp(pipe_r.out, file.out, file.len) != 0))
            abort();        /* a pipe and a file disagree */
    }
    free(file.out);
    free(pipe_r.out);
    return 0;
}
