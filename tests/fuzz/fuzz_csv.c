/*
 * fuzz_csv.c - the CSV table reader: df_detect_format() on the input, then
 * df_csv_new() and df_csv_line() over its lines (each copied into an
 * exact-size heap block without a terminator, so ASan catches any read
 * past len), then df_rec_json() of every row.
 *
 * Properties checked (abort() on failure):
 *  - a record's values are in range or the AIS sentinel: |lon| <= 180 deg
 *    or DF_LON_NA, |lat| <= 90 deg or DF_LAT_NA, speed <= 1023, course <=
 *    4095, heading <= 511 (or 0-359), text fields NUL-terminated;
 *  - once the header is refused, every later line is refused too, and
 *    df_csv_error() says why;
 *  - the JSON is balanced and holds no control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"

#include "checkjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rec(const struct df_rec *r)
{
    if (r->lon != DF_LON_NA && (r->lon < -180 * 600000 || r->lon > 180 * 600000))
        abort();
    if (r->lat != DF_LAT_NA && (r->lat < -90 * 600000 || r->lat > 90 * 600000))
        abort();
    if (r->speed > DF_SPEED_NA || r->course > 4095 ||
        r->heading > DF_HEADING_NA)
        abort();
    if (!memchr(r->callsign, 0, sizeof r->callsign) ||
        !memchr(r->shipname, 0, sizeof r->shipname) ||
        !memchr(r->destination, 0, sizeof r->destination))
        abort();
    if (r->msgtype != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct df_csv *c;
    struct df_buf b;
    int refused = 0;
    char *copy;

    if (size > (1u << 20))
        return 0;
    copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    (void)df_format_name(df_detect_format(copy, size));
    free(copy);

    c = df_csv_new();
    if (!c)
        abort();
    memset(&b, 0, sizeof b);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct df_rec rec;
        char *line = malloc(n ? n : 1);
        int rc;

        if (!line)
            abort();
        memcpy(line, p, n);
        memset(&rec, 0xa5, sizeof rec);
        rc = df_csv_line(c, line, n, &rec);
        free(line);
        p = nl ? nl + 1 : end;
        if (refused && rc != -1)
            abort();
        if (rc < 0) {
            refused = 1;
            if (df_csv_error(c) == NULL)
                abort();
            (void)strlen(df_csv_error(c));
            continue;
        }
        if (rc == 1) {
            check_rec(&rec);
            b.len = 0;
            df_rec_json(&b, &rec, DF_JSON_SCALED);
            check_json(b.data, b.len);
            b.len = 0;
            df_rec_json(&b, &rec, 0);
            check_json(b.data, b.len);
            b.len = 0;
            df_rec_json(&b, &rec, DF_JSON_SCALED | DF_JSON_TEXT);
            check_json(b.data, b.len);
        }
    }
    (void)df_csv_dialect(c);
    (void)df_csv_stats(c)->records;
    df_csv_free(c);
    df_buf_free(&b);
    return 0;
}
