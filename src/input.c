/*
 * input.c - byte streams from files, standard input and descriptors, with
 * transparent decompression (the "Inputs" section of darkfleet.h).
 *
 * Compression is detected from magic bytes, never from the file name:
 *  - PK\3\4 (or the empty-archive PK\5\6) is a zip archive: libarchive's
 *    zip reader walks the members in order and their bytes are
 *    concatenated, with a '\n' added after a member that does not end in
 *    one, so that the last line of a member never merges with the first
 *    line of the next;
 *  - gzip, zstd, xz, lzma, bzip2, lz4, lzip and compress(.Z) magics go to
 *    libarchive with every filter enabled and the "raw" format (one
 *    pseudo-entry holding the decompressed stream);
 *  - anything else is plain bytes and is read straight from the descriptor
 *    into the caller's buffer (no libarchive, no extra copy).
 * libarchive cannot mix the raw and zip formats in one reader (raw claims
 * everything), hence the peek.
 *
 * Damage (a truncated or corrupt stream) is reported after the good bytes:
 * df_input_read() hands out every block libarchive decoded, then returns -1
 * and df_input_error() says "name: truncated gzip stream" or similar.
 * libarchive's filters may drop the partial output block they were filling
 * when the damage was found (at most one block, 64-128 KiB).
 *
 * libarchive is loaded with dlopen() the first time a compressed input is
 * opened, not linked: it brings libxml2, ICU and libstdc++ with it, whose
 * loading and relocation took 4.3 ms at the start of every run, a few
 * percent of decoding a 25 MB file.  (-DDF_LIBARCHIVE_LINKED links it
 * instead: the default where shared objects are not ELF, as on macOS.)
 */
/* realpath(3) is XSI: POSIX.1-2008 with the X/Open extension. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "darkfleet.h"
#include "util/alloc.h"
#include "util/hash.h"

/* ---- libarchive, loaded on first use ---------------------------------- */

/* Each function input.c calls, as a pointer of its own declared type. */
#define LA_FUNCS(X)                                                        \
    X(archive_read_new)                                                   \
    X(archive_read_support_format_zip)                                    \
    X(archive_read_support_format_empty)                                  \
    X(archive_read_support_format_raw)                                    \
    X(archive_read_support_filter_all)                                    \
    X(archive_read_open)                                                  \
    X(archive_read_next_header)                                           \
    X(archive_read_data_block)                                            \
    X(archive_read_free)                                                  \
    X(archive_error_string)                                               \
    X(archive_filter_name)                                                \
    X(archive_set_error)                                                  \
    X(archive_entry_filetype)

#ifdef DF_LIBARCHIVE_LINKED
#define LA(f) f
static const char *la_load(void) { return NULL; }
#else
#include <dlfcn.h>
#include <pthread.h>

/* The name the dynamic linker knows it by, read off the library at
 * configure time (CMakeLists.txt); Debian 12's as a default. */
#ifndef DF_LIBARCHIVE_SONAME
#define DF_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

#define LA(f) la_.f
static struct {
#define X(f) __typeof__(f) *f;
    LA_FUNCS(X)
#undef X
} la_;
static const char *la_err_;   /* NULL once every function resolved */
static pthread_once_t la_once_ = PTHREAD_ONCE_INIT;

/* Keeps "cannot read compressed input: <why>" as la_err_. */
static void la_fail(const char *why)
{
    static char msg[300];

    snprintf(msg, sizeof(msg), "cannot read compressed input: %s",
             why ? why : DF_LIBARCHIVE_SONAME " did not load");
    la_err_ = msg;
}

static void la_open(void)
{
    void *h = dlopen(DF_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (h == NULL) {        /* "libarchive.so.13: cannot open shared ..." */
        la_fail(dlerror());
        return;
    }
    /* ISO C has no function-pointer cast from void *; dlsym's POSIX
     * contract makes the copy through memcpy well defined. */
#define X(f)                                                               \
    {                                                                      \
        void *sym = dlsym(h, #f);                                          \
        if (sym == NULL) {                                                 \
            la_fail(DF_LIBARCHIVE_SONAME " lacks " #f);                    \
            dlclose(h);                                                    \
            return;                                                        \
        }                                                                  \
        memcpy(&la_.f, &sym, sizeof(sym));                                 \
    }
    LA_FUNCS(X)
#undef X
}

/* Loads libarchive once per process.  NULL when it is usable, else why
 * not. */
static const char *la_load(void)
{
    pthread_once(&la_once_, la_open);
    return la_err_;
}
#endif

#define IN_BLOCK (1u << 20)   /* compressed bytes read per read(2) */
#define IN_PEEK 16            /* magic bytes looked at */
#define IN_NAME_MAX 200       /* longest name kept for messages */

struct df_input {
    int fd;
    int own_fd;               /* close fd in df_input_free() */
    char name[IN_NAME_MAX + 1];
    struct archive *a;        /* NULL for plain pass-through */
    int zip;                  /* reading zip members */
    unsigned char *raw;       /* compressed block buffer (libarchive) */
    unsigned char peek[IN_PEEK];
    size_t peek_len, peek_off;/* peeked bytes not yet handed on */
    int peek_given;           /* libarchive got the peek bytes */
    const char *blk;          /* decoded block not yet copied out */
    size_t blk_len;
    int in_member;            /* an entry is open */
    char last;                /* last byte of the open member */
    int done;                 /* end reached (or failed) */
    int failed;
    uint64_t pos, size;
    char err[IN_NAME_MAX + 300];
};

/* Keeps a one-line message naming the input. */
static void set_err(struct df_input *in, const char *what)
{
    char *c;

    snprintf(in->err, sizeof(in->err), "%s: %s", in->name, what);
    /* One line: libarchive's messages may end in a newline. */
    for (c = in->err; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    while (c > in->err && c[-1] == ' ')
        *--c = '\0';
}

/* read(2) that retries on EINTR.  Returns the count, 0 at EOF, -1 with
 * errno set on failure. */
static ssize_t read_fd(int fd, void *buf, size_t len)
{
    ssize_t n;

    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n;
}

/* libarchive read callback: the peeked bytes first, then big blocks. */
static la_ssize_t cb_read(struct archive *a, void *ud, const void **buf)
{
    struct df_input *in = ud;
    ssize_t n;

    if (!in->peek_given) {
        in->peek_given = 1;
        if (in->peek_len > 0) {
            *buf = in->peek;
            return (la_ssize_t)in->peek_len;
        }
    }
    n = read_fd(in->fd, in->raw, IN_BLOCK);
    if (n < 0) {
        LA(archive_set_error)(a, errno, "%s", strerror(errno));
        return -1;
    }
    in->pos += (uint64_t)n;
    *buf = in->raw;
    return n;
}

/* Does the peek start with the magic of a compression libarchive reads? */
static int compressed(const unsigned char *p, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
    } tab[] = {
        {"\x1f\x8b", 2},                   /* gzip */
        {"\x28\xb5\x2f\xfd", 4},           /* zstd */
        {"\xfd" "7zXZ\x00", 6},            /* xz */
        {"BZh", 3},                        /* bzip2 */
        {"\x04\x22\x4d\x18", 4},           /* lz4 */
        {"LZIP", 4},                       /* lzip */
        {"\x1f\x9d", 2},                   /* compress (.Z) */
        {"\x5d\x00\x00", 3},               /* lzma alone */
    };
    size_t i;

    for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (n >= tab[i].len && memcmp(p, tab[i].magic, tab[i].len) == 0)
            return 1;
    return 0;
}

static int is_zip(const unsigned char *p, size_t n)
{
    return n >= 4 && p[0] == 'P' && p[1] == 'K' &&
           ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* Reads the magic bytes, then sets up libarchive or plain pass-through. */
static enum df_err start(struct df_input *in)
{
    ssize_t n;
    struct stat sb;

    if (fstat(in->fd, &sb) == 0 && S_ISREG(sb.st_mode))
        in->size = (uint64_t)sb.st_size;
    while (in->peek_len < IN_PEEK) {
        n = read_fd(in->fd, in->peek + in->peek_len,
                    IN_PEEK - in->peek_len);
        if (n < 0) {
            set_err(in, strerror(errno));
            return DF_IO;
        }
        if (n == 0)
            break;
        in->peek_len += (size_t)n;
        in->pos += (uint64_t)n;
    }
    in->zip = is_zip(in->peek, in->peek_len);
    if (!in->zip && !compressed(in->peek, in->peek_len))
        return DF_OK; /* plain bytes */

    {
        const char *why = la_load();
        if (why != NULL) {
            set_err(in, why);
            return DF_FORMAT;
        }
    }
    in->raw = df__aligned_alloc(4096, IN_BLOCK);    /* a faster read(2) */
    in->a = LA(archive_read_new)();
    if (in->raw == NULL || in->a == NULL) {
        set_err(in, "out of memory");
        return DF_NOMEM;
    }
    if (in->zip) {
        LA(archive_read_support_format_zip)(in->a);
        LA(archive_read_support_format_empty)(in->a);
    } else {
        LA(archive_read_support_filter_all)(in->a);
        LA(archive_read_support_format_raw)(in->a);
        LA(archive_read_support_format_empty)(in->a);
    }
    if (LA(archive_read_open)(in->a, in, NULL, cb_read, NULL) != ARCHIVE_OK) {
        const char *m = LA(archive_error_string)(in->a);
        char what[256];

        snprintf(what, sizeof(what), "cannot read %s input: %s",
                 in->zip ? "zip" : "compressed", m ? m : "unknown error");
        set_err(in, what);
        return DF_CORRUPT;
    }
    return DF_OK;
}

static enum df_err make(struct df_input **out, int fd, int own_fd,
                        const char *name, char *err, size_t errlen)
{
    struct df_input *in;
    enum df_err e;

    *out = NULL;
    in = df__calloc(1, sizeof(*in));
    if (in == NULL) {
        if (own_fd)
            close(fd);
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: out of memory", name);
        return DF_NOMEM;
    }
    in->fd = fd;
    in->own_fd = own_fd;
    snprintf(in->name, sizeof(in->name), "%s", name);
    e = start(in);
    if (e != DF_OK) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s", in->err);
        df_input_free(in);
        return e;
    }
    *out = in;
    return DF_OK;
}

enum df_err df_input_open(struct df_input **out, const char *path, char *err,
                          size_t errlen)
{
    int fd;

    if (out == NULL || path == NULL)
        return DF_INVAL;
    if (strcmp(path, "-") == 0)
        return make(out, 0, 0, "-", err, errlen);
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        *out = NULL;
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return DF_IO;
    }
    return make(out, fd, 1, path, err, errlen);
}

enum df_err df_input_open_fd(struct df_input **out, int fd, const char *name,
                             char *err, size_t errlen)
{
    if (out == NULL || fd < 0)
        return DF_INVAL;
    return make(out, fd, 0, name ? name : "(fd)", err, errlen);
}

/* Records a libarchive failure as a one-line message and ends the input. */
static void fail(struct df_input *in)
{
    const char *m = LA(archive_error_string)(in->a);
    const char *kind = in->zip ? "zip" : LA(archive_filter_name)(in->a, 0);
    char what[256];

    if (kind == NULL || strcmp(kind, "none") == 0)
        kind = "compressed";
    if (m != NULL && strstr(m, "runcat") != NULL)
        snprintf(what, sizeof(what), "truncated %s stream", kind);
    else if (m != NULL && (strstr(m, "remature end") != NULL ||
                           strstr(m, "No progress") != NULL))
        snprintf(what, sizeof(what), "truncated %s stream", kind);
    else
        snprintf(what, sizeof(what), "corrupt %s stream (%s)", kind,
                 m ? m : "unknown error");
    set_err(in, what);
    in->failed = 1;
    in->done = 1;
}

/* Plain pass-through: the peeked bytes, then read(2) into the caller's
 * buffer. */
static long read_plain(struct df_input *in, char *buf, size_t len)
{
    size_t k;
    ssize_t n;

    if (in->peek_off < in->peek_len) {
        k = in->peek_len - in->peek_off;
        if (k > len)
            k = len;
        memcpy(buf, in->peek + in->peek_off, k);
        in->peek_off += k;
        return (long)k;
    }
    n = read_fd(in->fd, buf, len);
    if (n < 0) {
        set_err(in, strerror(errno));
        in->failed = 1;
        in->done = 1;
        return -1;
    }
    if (n == 0)
        in->done = 1;
    in->pos += (uint64_t)n;
    return (long)n;
}

/* Opens the next entry; returns 1, 0 at the end, -1 on damage. */
static int next_entry(struct df_input *in)
{
    struct archive_entry *e;
    int r;

    for (;;) {
        r = LA(archive_read_next_header)(in->a, &e);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN)
            return -1;
        if (in->zip && LA(archive_entry_filetype)(e) == AE_IFDIR)
            continue;
        in->in_member = 1;
        in->last = '\n';
        return 1;
    }
}

long df_input_read(struct df_input *in, char *buf, size_t len)
{
    size_t got = 0;

    if (in == NULL || buf == NULL)
        return -1;
    if (in->failed)
        return -1;
    if (len == 0 || in->done)
        return 0;
    if (in->a == NULL)
        return read_plain(in, buf, len);
    if (len > (size_t)1 << 30)
        len = (size_t)1 << 30;
    while (got < len) {
        const void *p;
        size_t n;
        la_int64_t off;
        int r;

        if (in->blk_len > 0) {
            n = in->blk_len < len - got ? in->blk_len : len - got;
            memcpy(buf + got, in->blk, n);
            in->blk += n;
            in->blk_len -= n;
            got += n;
            continue;
        }
        if (!in->in_member) {
            r = next_entry(in);
            if (r == 0) {
                in->done = 1;
                break;
            }
            if (r < 0) {
                fail(in);
                break;
            }
        }
        /* Return what we have rather than block on a slow pipe. */
        if (got > 0 && in->size == 0)
            break;
        r = LA(archive_read_data_block)(in->a, &p, &n, &off);
        if (r == ARCHIVE_EOF) {
            in->in_member = 0;
            if (in->zip && in->last != '\n') {
                buf[got++] = '\n';
                in->last = '\n';
            }
            continue;
        }
        if (r < ARCHIVE_WARN || (r < ARCHIVE_OK && n == 0)) {
            fail(in);
            break;
        }
        (void)off;
        if (n > 0) {
            in->blk = p;
            in->blk_len = n;
            in->last = ((const char *)p)[n - 1];
        }
    }
    /* Good bytes first: a failure found during this call shows on the
     * next one. */
    if (got == 0 && in->failed)
        return -1;
    return (long)got;
}

const char *df_input_error(const struct df_input *in)
{
    if (in == NULL || in->err[0] == '\0')
        return NULL;
    return in->err;
}

uint64_t df_input_pos(const struct df_input *in)
{
    return in ? in->pos : 0;
}

uint64_t df_input_size(const struct df_input *in)
{
    return in ? in->size : 0;
}

void df_input_free(struct df_input *in)
{
    if (in == NULL)
        return;
    if (in->a != NULL)
        LA(archive_read_free)(in->a);
    if (in->own_fd && in->fd >= 0)
        close(in->fd);
    df__free(in->raw);
    df__free(in);
}

/* ---- knowing a file again ------------------------------------------- */

#define MARK_HEAD 65536         /* bytes hashed */

/* Reads up to want bytes from the start of fd; how many it got. */
static size_t read_head(int fd, unsigned char *buf, size_t want)
{
    size_t have = 0;

    while (have < want) {
        ssize_t got = read(fd, buf + have, want - have);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        have += (size_t)got;
    }
    return have;
}

enum df_err df_input_mark_read(const char *path, struct df_input_mark *m)
{
    char *real;
    unsigned char *head;
    struct stat sb;
    size_t have;
    int fd;

    if (!path || !m)
        return DF_INVAL;
    memset(m, 0, sizeof *m);
    real = realpath(path, NULL);
    if (!real)
        return DF_IO;
    if (strlen(real) >= sizeof m->path) {
        free(real);
        return DF_INVAL;
    }
    snprintf(m->path, sizeof m->path, "%s", real);
    free(real);
    do
        fd = open(m->path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return DF_IO;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        !(head = df__malloc(MARK_HEAD))) {
        close(fd);
        return DF_IO;
    }
    have = read_head(fd, head, MARK_HEAD);
    close(fd);
    m->size = (int64_t)sb.st_size;
    m->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
                  (int64_t)sb.st_mtim.tv_nsec;
    m->head_hash = df__fnv1a64(DF__FNV64_INIT, head, have);
    df__free(head);
    return DF_OK;
}

int df_input_mark_grown(const struct df_input_mark *old,
                        const struct df_input_mark *now)
{
    unsigned char *head;
    size_t want, have;
    int fd, same;

    if (!old || !now || now->size <= old->size || old->size < 0)
        return 0;
    want = old->size < MARK_HEAD ? (size_t)old->size : MARK_HEAD;
    do
        fd = open(now->path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return 0;
    if (!(head = df__malloc(MARK_HEAD))) {
        close(fd);
        return 0;
    }
    have = read_head(fd, head, want);
    close(fd);
    same = have == want &&
           df__fnv1a64(DF__FNV64_INIT, head, have) == old->head_hash;
    df__free(head);
    return same;
}

int df_input_mark_same(const struct df_input_mark *a,
                       const struct df_input_mark *b)
{
    return a && b && a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->head_hash == b->head_hash;
}
