/*
 * test_input.c - df_input: plain files, standard input, descriptors, gzip,
 * zstd, xz, bzip2 and multi-member zip detected by content; missing files;
 * truncated and corrupt streams (good bytes first, then -1 and a message).
 * Compressed files are made by the gzip/zstd/xz/bzip2 tools and by
 * libarchive's writer (zip) in a mkdtemp() directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkfleet.h"
#include "testutil.h"

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/dftest_inputXXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *tpath(const char *name)
{
    static char p[4][256];
    static int k;

    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
    return p[k];
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Some text: numbered CSV-like lines, n bytes or a little more. */
static char *make_text(size_t n, size_t *len)
{
    char *s = malloc(n + 64);
    size_t k = 0;
    unsigned i = 0;

    assert_non_null(s);
    while (k < n)
        k += (size_t)sprintf(s + k, "%u,2020-01-01T00:00:00,%u.%u\n",
                             200000000 + i, i % 90, (i * 7919) % 100000),
            i++;
    *len = k;
    return s;
}

/* Reads a whole input in odd-sized chunks; *rc gets the last return. */
static char *slurp(struct df_input *in, size_t *len, long *rc)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    long r;

    assert_non_null(buf);
    for (;;) {
        if (cap - n < 40000) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        r = df_input_read(in, buf + n, 39999);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    *len = n;
    *rc = r;
    return buf;
}

static char *slurp_path(const char *path, size_t *len, long *rc,
                        char *msg, size_t msglen)
{
    struct df_input *in;
    char err[512];
    char *buf;

    assert_int_equal(df_input_open(&in, path, err, sizeof(err)), DF_OK);
    buf = slurp(in, len, rc);
    if (msg != NULL)
        snprintf(msg, msglen, "%s",
                 df_input_error(in) ? df_input_error(in) : "");
    df_input_free(in);
    return buf;
}

static int run(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void test_missing(void **state)
{
    struct df_input *in = (struct df_input *)1;
    char err[512];
    const char *p = tpath("no-such-file.csv");

    (void)state;
    assert_int_equal(df_input_open(&in, p, err, sizeof(err)), DF_IO);
    assert_null(in);
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, ": No such file or directory"));
}

static void test_plain_and_empty(void **state)
{
    size_t n, got;
    long rc;
    char *text = make_text(300000, &n), *back;
    struct df_input *in;
    char err[256];

    (void)state;
    write_file(tpath("plain.csv"), text, n);
    back = slurp_path(tpath("plain.csv"), &got, &rc, NULL, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(got, n);
    assert_memory_equal(back, text, n);
    free(back);

    write_file(tpath("empty"), "", 0);
    assert_int_equal(df_input_open(&in, tpath("empty"), err, sizeof(err)),
                     DF_OK);
    assert_int_equal(df_input_read(in, err, sizeof(err)), 0);
    assert_int_equal(df_input_size(in), 0);
    assert_null(df_input_error(in));
    df_input_free(in);

    /* Two bytes: shorter than any magic. */
    write_file(tpath("tiny"), "!A", 2);
    back = slurp_path(tpath("tiny"), &got, &rc, NULL, 0);
    assert_int_equal(got, 2);
    assert_memory_equal(back, "!A", 2);
    free(back);
    free(text);
}

static const char *const tools[] = {"gzip", "zstd -q", "xz", "bzip2"};
static const char *const kinds[] = {"gzip", "zstd", "xz", "bzip2"};

static void test_compressed(void **state)
{
    size_t n, got;
    long rc;
    char *text = make_text(2000000, &n), *back;
    unsigned i;

    (void)state;
    write_file(tpath("src.csv"), text, n);
    for (i = 0; i < 4; i++) {
        char name[32];
        struct df_input *in;
        char err[256];

        /* A misleading name: detection must go by content. */
        snprintf(name, sizeof(name), "c%u.txt", i);
        assert_int_equal(run("%s -c '%s' > '%s'", tools[i],
                             tpath("src.csv"), tpath(name)), 0);
        back = slurp_path(tpath(name), &got, &rc, NULL, 0);
        assert_int_equal(rc, 0);
        assert_int_equal(got, n);
        assert_memory_equal(back, text, n);
        free(back);

        assert_int_equal(df_input_open(&in, tpath(name), err, sizeof(err)),
                         DF_OK);
        back = slurp(in, &got, &rc);
        assert_true(df_input_size(in) > 0);
        assert_int_equal(df_input_pos(in), df_input_size(in));
        assert_true(df_input_size(in) < n / 2);
        df_input_free(in);
        free(back);
    }
    free(text);
}

/* Truncated streams: a prefix of the text, then -1 and a message. */
static void test_truncated(void **state)
{
    size_t n, got, csize;
    long rc;
    char *text = make_text(3000000, &n), *back, *comp;
    char msg[512], want[128];
    unsigned i;

    (void)state;
    write_file(tpath("src.csv"), text, n);
    for (i = 0; i < 4; i++) {
        assert_int_equal(run("%s -c '%s' > '%s'", tools[i],
                             tpath("src.csv"), tpath("full")), 0);
        comp = tu_read_file(tpath("full"), &csize);
        assert_non_null(comp);
        write_file(tpath("cut"), comp, csize / 2);
        back = slurp_path(tpath("cut"), &got, &rc, msg, sizeof(msg));
        assert_int_equal(rc, -1);
        assert_true(got > 0);      /* the good bytes came first */
        assert_true(got < n);
        assert_memory_equal(back, text, got);
        snprintf(want, sizeof(want), "%s: truncated %s stream", tpath("cut"),
                 kinds[i]);
        assert_string_equal(msg, want);
        free(back);

        /* Corrupt: 0xff over the middle of the stream.  libarchive 3.6
         * does not check gzip's CRC-32, so damage inside a gzip stream
         * is found only when inflate happens to fail: not tested. */
        if (i == 0) {
            free(comp);
            continue;
        }
        memset(comp + csize / 2, 0xff, 4096);
        write_file(tpath("bad"), comp, csize);
        back = slurp_path(tpath("bad"), &got, &rc, msg, sizeof(msg));
        if (rc != -1)
            print_error("corrupt %s stream read as good\n", kinds[i]);
        assert_int_equal(rc, -1);
        /* Bytes decoded before a block check fails may be garbage; the
         * start of the stream, far from the damage, is good. */
        assert_true(got > 100000);
        assert_memory_equal(back, text, 100000);
        assert_non_null(strstr(msg, tpath("bad")));
        assert_non_null(strstr(msg, kinds[i]));
        assert_null(strchr(msg, '\n'));
        free(back);
        free(comp);
    }
    free(text);
}

/* Writes a zip with libarchive: members in order, a directory among them. */
static void write_zip(const char *path, const char *const *names,
                      const char *const *data, unsigned count)
{
    struct archive *a = archive_write_new();
    struct archive_entry *e;
    unsigned i;

    assert_non_null(a);
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (i = 0; i < count; i++) {
        e = archive_entry_new();
        archive_entry_set_pathname(e, names[i]);
        if (data[i] == NULL) {
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, (la_int64_t)strlen(data[i]));
        }
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (data[i] != NULL && data[i][0] != '\0')
            assert_int_equal(archive_write_data(a, data[i], strlen(data[i])),
                             (la_ssize_t)strlen(data[i]));
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static void test_zip_members(void **state)
{
    static const char *const names[] = {"a.csv", "dir/", "dir/b.csv",
                                        "empty.csv", "c.csv"};
    static const char *const data[] = {"l1\nl2", NULL, "l3\n", "", "l4"};
    size_t got;
    long rc;
    char *back;

    (void)state;
    write_zip(tpath("m.zip"), names, data, 5);
    back = slurp_path(tpath("m.zip"), &got, &rc, NULL, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(got, 12);
    assert_memory_equal(back, "l1\nl2\nl3\nl4\n", 12);
    free(back);
}

static void test_zip_big_and_truncated(void **state)
{
    size_t n, got, zsize;
    long rc;
    char *text = make_text(1500000, &n), *back, *z, msg[512];
    const char *names[2] = {"one.csv", "two.csv"};
    const char *data[2];

    (void)state;
    data[0] = text;
    data[1] = text;
    write_zip(tpath("big.zip"), names, data, 2);
    back = slurp_path(tpath("big.zip"), &got, &rc, NULL, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(got, 2 * n);
    assert_memory_equal(back, text, n);
    assert_memory_equal(back + n, text, n);
    free(back);

    z = tu_read_file(tpath("big.zip"), &zsize);
    assert_non_null(z);
    write_file(tpath("cut.zip"), z, zsize / 4);
    back = slurp_path(tpath("cut.zip"), &got, &rc, msg, sizeof(msg));
    assert_int_equal(rc, -1);
    assert_true(got > 0);
    assert_memory_equal(back, text, got);
    assert_non_null(strstr(msg, "cut.zip: "));
    assert_non_null(strstr(msg, "zip"));
    free(back);
    free(z);
    free(text);
}

static void test_fd_and_stdin(void **state)
{
    size_t n, got;
    long rc;
    char *text = make_text(100000, &n), *back, err[256];
    struct df_input *in;
    int fd, saved;

    (void)state;
    write_file(tpath("s.csv"), text, n);
    assert_int_equal(run("gzip -c '%s' > '%s'", tpath("s.csv"),
                         tpath("s.gz")), 0);

    fd = open(tpath("s.gz"), O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(df_input_open_fd(&in, fd, "feed", err, sizeof(err)),
                     DF_OK);
    back = slurp(in, &got, &rc);
    df_input_free(in);
    assert_int_equal(got, n);
    assert_memory_equal(back, text, n);
    free(back);
    /* df_input_free() left the descriptor open. */
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    close(fd);

    fd = open(tpath("s.gz"), O_RDONLY);
    assert_true(fd >= 0);
    saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    assert_int_equal(df_input_open(&in, "-", err, sizeof(err)), DF_OK);
    back = slurp(in, &got, &rc);
    df_input_free(in);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    assert_int_equal(got, n);
    assert_memory_equal(back, text, n);
    free(back);
    free(text);
}

/* The real zstd day: the first blocks decode, positions advance. */
static void test_real_zstd(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_2020-01-01/"
                           "AIS_2020_01_01_named_vessels.csv.zst");
    struct df_input *in;
    char err[512];
    static char buf[1 << 20];
    long n;

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    assert_int_equal(df_input_open(&in, p, err, sizeof(err)), DF_OK);
    assert_int_equal(df_input_size(in), 82111313);
    n = df_input_read(in, buf, sizeof(buf));
    assert_int_equal(n, sizeof(buf));
    assert_memory_equal(buf, "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,"
                             "VesselName,IMO,CallSign,VesselType\n", 77);
    assert_true(df_input_pos(in) > 0);
    assert_true(df_input_pos(in) < df_input_size(in));
    df_input_free(in);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_plain_and_empty),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_zip_members),
        cmocka_unit_test(test_zip_big_and_truncated),
        cmocka_unit_test(test_fd_and_stdin),
        cmocka_unit_test(test_real_zstd),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
