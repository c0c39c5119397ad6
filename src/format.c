/*
 * format.c - guesses what a stream holds from its first bytes (the
 * "Format detection" part of darkfleet.h).
 *
 * Looked at, line by line, over at most DETECT_MAX bytes:
 *  - NMEA 0183 (IEC 61162-1): a line starting with '!' or '$', an IEC
 *    61162-450 tag block "\s:...*hh\", a "[timestamp]" prefix, or a
 *    receiver prefix (a unix time, an ISO date) before "!xxVDM"/"!xxVDO";
 *    '#' comment lines and blank lines before it are skipped, as in the
 *    sample logs of gpsd, pyais and AISHub;
 *  - CSV tables: the first meaningful line is handed to the CSV reader
 *    (csv.c), which knows the MarineCadastre and DMA header names.
 * A DMA table's header starts with "# Timestamp", so it is tried as a CSV
 * header before '#' lines are taken as comments.
 */
#include <string.h>

#include "darkfleet.h"

#define DETECT_MAX 8192       /* bytes looked at */
#define DETECT_LINES 32       /* meaningful lines looked at */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int upper_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Does the line hold "!ccVDM," or "!ccVDO," (any talker) anywhere? */
static int has_vdm(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 7 <= n; i++) {
        if (p[i] != '!' || !upper_alpha(p[i + 1]) || !upper_alpha(p[i + 2]))
            continue;
        if (p[i + 3] == 'V' && p[i + 4] == 'D' &&
            (p[i + 5] == 'M' || p[i + 5] == 'O') && p[i + 6] == ',')
            return 1;
    }
    return 0;
}

/* Is the line NMEA, possibly behind a prefix? */
static int nmea_line(const char *p, size_t n)
{
    size_t i;

    if (n == 0)
        return 0;
    if (p[0] == '!' || p[0] == '$' || p[0] == '\\')
        return 1;
    if (p[0] == '[') {
        for (i = 1; i < n && p[i] != ']'; i++)
            ;
        for (i++; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
            ;
        if (i < n && (p[i] == '!' || p[i] == '$' || p[i] == '\\'))
            return 1;
    }
    /* A receive-time prefix: digits first, then a sentence. */
    if (p[0] >= '0' && p[0] <= '9')
        return has_vdm(p, n);
    return 0;
}

/* Is this a DMA header line ("# Timestamp,...")?  Checked before '#'
 * lines are skipped as comments. */
static int dma_header(const char *p, size_t n)
{
    static const char want[] = "timestamp";
    size_t i = 1, k;

    if (n == 0 || p[0] != '#')
        return 0;
    while (i < n && p[i] == ' ')
        i++;
    for (k = 0; want[k] != '\0'; k++, i++)
        if (i >= n || lower((unsigned char)p[i]) != want[k])
            return 0;
    return i < n && (p[i] == ',' || p[i] == ' ');
}

/* Asks the CSV reader whether the line is a header it knows. */
static enum df_format csv_header(const char *p, size_t n)
{
    struct df_csv *c = df_csv_new();
    struct df_rec rec;
    enum df_format f = DF_FMT_UNKNOWN;

    if (c == NULL)
        return DF_FMT_UNKNOWN;
    if (df_csv_line(c, p, n, &rec) == 0)
        f = df_csv_dialect(c);
    df_csv_free(c);
    return f;
}

enum df_format df_detect_format(const char *buf, size_t len)
{
    size_t off = 0;
    int lines = 0;

    if (buf == NULL)
        return DF_FMT_UNKNOWN;
    if (len > DETECT_MAX)
        len = DETECT_MAX;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        off = 3; /* UTF-8 byte order mark */
    while (off < len && lines < DETECT_LINES) {
        const char *p = buf + off;
        const char *nl = memchr(p, '\n', len - off);
        size_t n = nl ? (size_t)(nl - p) : len - off;

        off += n + 1;
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
            p++;
            n--;
        }
        if (n == 0)
            continue;
        if (dma_header(p, n))
            return csv_header(p, n) == DF_FMT_CSV_DMA ? DF_FMT_CSV_DMA
                                                      : DF_FMT_UNKNOWN;
        if (p[0] == '#')
            continue;
        lines++;
        if (nmea_line(p, n))
            return DF_FMT_NMEA;
        if (lines == 1 && memchr(p, ',', n) != NULL) {
            enum df_format f = csv_header(p, n);

            if (f != DF_FMT_UNKNOWN)
                return f;
        }
        /* Some logs interleave other lines; a later line may tell. */
    }
    return DF_FMT_UNKNOWN;
}

const char *df_format_name(enum df_format f)
{
    switch (f) {
    case DF_FMT_NMEA:
        return "nmea";
    case DF_FMT_CSV_MC:
        return "marinecadastre";
    case DF_FMT_CSV_DMA:
        return "dma";
    case DF_FMT_UNKNOWN:
        break;
    }
    return "unknown";
}
