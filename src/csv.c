/*
 * csv.c - decoded AIS tables (CSV) into struct df_rec (the "CSV tables"
 * part of darkfleet.h).
 *
 * Dialects, told apart by the header line (RFC 4180 quoting throughout):
 *  - MarineCadastre (NOAA/BOEM, marinecadastre.gov/ais): 2015-2024 columns
 *    MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,
 *    VesselType,Status,Length,Width,Draft,Cargo,TranscieverClass (also
 *    spelt TransceiverClass), and the 2025 snake_case names (mmsi,
 *    base_date_time, latitude, longitude, vessel_name, call_sign, ...).
 *    Values are numbers in degrees, knots and metres; "NA" or empty means
 *    not available; IMO is written "IMO9464417".
 *  - DMA (Danish Maritime Authority, web.ais.dk/aisdata): 26 columns from
 *    "# Timestamp" (dd/mm/yyyy HH:MM:SS), "Type of mobile" ("Class A"),
 *    text navigational status and ship type, "Unknown" for missing, and the
 *    antenna offsets A, B, C, D in metres.
 * Columns are found by name (case, spaces and '_' ignored), in any order;
 * unknown columns are skipped.
 *
 * Values become AIS wire units with the sentinels of ITU-R M.1371-5:
 * degrees -> 1/10000 minute, knots -> 1/10 kn, COG -> 1/10 degree.
 * MarineCadastre writes COG as a signed 12-bit number: -204.8..-0.1 stand
 * for the wire values 2048..4095 (checked on the New York harbour file:
 * with 409.6 added, 337 of 353 negative courses of moving vessels agree with
 * their heading, against 16 with 360 added), so a negative course c maps to
 * 4096 + 10c and 3600 and above mean not available.
 *
 * Numbers are parsed by hand into fixed point (no strtod, no locale) and
 * rounded half away from zero.  Nothing is allocated per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"
#include "util/alloc.h"
#include "util/csvrec.h"
#include "util/timeutil.h"

#define CSV_MAX_COLS 64        /* columns mapped; later ones are ignored */
#define CSV_MAX_LINE 65536     /* longer lines are dropped */
#define CSV_MAX_QUOTED 256     /* a quoted field is cut to this many bytes */
#define CSV_MAX_NAME 40        /* header names compared up to this length */

enum col {
    C_NONE = 0,
    C_MMSI,
    C_TIME,
    C_LAT,
    C_LON,
    C_SOG,
    C_COG,
    C_HEADING,
    C_NAME,
    C_IMO,
    C_CALLSIGN,
    C_TYPE,
    C_STATUS,
    C_LENGTH,
    C_WIDTH,
    C_DRAFT,
    C_CLASS,
    C_DEST,
    C_A,
    C_B,
    C_C,
    C_D,
    C_COUNT
};

/* Header names as df__csv_colkey() writes them. */
static const struct {
    const char *name;
    enum col col;
} names[] = {
    {"mmsi", C_MMSI},
    {"basedatetime", C_TIME},
    {"timestamp", C_TIME},
    {"lat", C_LAT},
    {"latitude", C_LAT},
    {"lon", C_LON},
    {"longitude", C_LON},
    {"sog", C_SOG},
    {"cog", C_COG},
    {"heading", C_HEADING},
    {"vesselname", C_NAME},
    {"name", C_NAME},
    {"imo", C_IMO},
    {"callsign", C_CALLSIGN},
    {"vesseltype", C_TYPE},
    {"shiptype", C_TYPE},
    {"status", C_STATUS},
    {"navigationalstatus", C_STATUS},
    {"length", C_LENGTH},
    {"width", C_WIDTH},
    {"draft", C_DRAFT},
    {"draught", C_DRAFT},
    {"transcieverclass", C_CLASS},
    {"transceiverclass", C_CLASS},
    {"transceiver", C_CLASS},
    {"typeofmobile", C_CLASS},
    {"destination", C_DEST},
    {"a", C_A},
    {"b", C_B},
    {"c", C_C},
    {"d", C_D},
};

struct df_csv {
    int state;                 /* 0 before the header, 1 rows, -1 failed */
    enum df_format dialect;
    int ncols;                 /* fields in the header */
    uint8_t map[CSV_MAX_COLS]; /* enum col of each column */
    struct df_stats st;
    char quoted[CSV_MAX_QUOTED]; /* the unescaped quoted field */
    char date[10];             /* cache: the last date text seen ... */
    int64_t date_ms;           /* ... and its midnight in ms */
    char err[256];
};

/* ------------------------------------------------------------------ */
/* Numbers                                                            */
/* ------------------------------------------------------------------ */

/* A decimal number as read: value = mant / 10^nfrac, negated when neg. */
struct dec {
    int64_t mant;
    int nfrac;
    int neg;
};

static const int64_t p10[] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
    1000000000, 10000000000, 100000000000, 1000000000000,
};

/*
 * Reads [+-]digits[.digits] from s[0..n).  At most 12 integer digits, and
 * 13 digits in all, of which 9 in the fraction, count (further fraction
 * digits are ignored), so that mant * 10^6 cannot overflow.  Returns 0, or
 * -1 when the text is not such a number.
 */
static int dec_parse(const char *s, size_t n, struct dec *d)
{
    const char *p = s, *end = s + n, *q;
    uint64_t m = 0;             /* wraps harmlessly before a -1 below */
    size_t idig, fall = 0, fdig = 0;

    d->neg = 0;
    if (p < end && (*p == '-' || *p == '+')) {
        d->neg = *p == '-';
        p++;
    }
    for (q = p; p < end && (unsigned)(*p - '0') < 10; p++)
        m = m * 10 + (unsigned)(*p - '0');
    idig = (size_t)(p - q);
    if (idig > 12)
        return -1;
    if (p < end && *p == '.') {
        /* Fraction digits count up to 9, and 13 digits in all. */
        size_t keep = 13 - idig < 9 ? 13 - idig : 9;
        for (q = ++p; p < end && (unsigned)(*p - '0') < 10; p++)
            if ((size_t)(p - q) < keep)
                m = m * 10 + (unsigned)(*p - '0');
        fall = (size_t)(p - q);
        fdig = fall < keep ? fall : keep;
    }
    if (p != end || idig + fall == 0)
        return -1;
    d->mant = (int64_t)m;
    d->nfrac = (int)fdig;
    return 0;
}

/* Divides by 10^k (k <= 9), rounding half up; constant divisors let the
 * compiler use a multiply instead of a slow 64-bit division. */
static int64_t div10(int64_t v, int k)
{
    switch (k) {
    case 0: return v;
    case 1: return (v + 5) / 10;
    case 2: return (v + 50) / 100;
    case 3: return (v + 500) / 1000;
    case 4: return (v + 5000) / 10000;
    case 5: return (v + 50000) / 100000;
    case 6: return (v + 500000) / 1000000;
    case 7: return (v + 5000000) / 10000000;
    case 8: return (v + 50000000) / 100000000;
    default: return (v + 500000000) / 1000000000;
    }
}

/*
 * Returns value * m * 10^e rounded half away from zero (m * 10^e <= 10^6):
 * an exact product when the number has at most e decimals, the common
 * case for every column of the tables.
 */
static int64_t dec_scale(const struct dec *d, int64_t m, int e)
{
    int64_t v;

    if (d->nfrac <= e)
        v = d->mant * m * p10[e - d->nfrac];
    else
        v = div10(d->mant * m, d->nfrac - e);
    return d->neg ? -v : v;
}

/* Reads an unsigned integer of at most maxdig digits (no sign, no dot). */
static int uint_parse(const char *s, size_t n, int maxdig, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;

    if (n == 0 || n > (size_t)maxdig)
        return -1;
    for (i = 0; i < n; i++) {
        unsigned c = (unsigned)(s[i] - '0');

        if (c > 9)
            return -1;
        v = v * 10 + c;
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Times                                                              */
/* ------------------------------------------------------------------ */

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        unsigned c = (unsigned)(s[i] - '0');

        if (c > 9)
            return -1;
        v = v * 10 + (int)c;
    }
    return v;
}

/* "HH:MM:SS[.fff]" plus an optional 'Z' into ms, or -1. */
static int64_t clock_ms(const char *s, size_t n)
{
    int h, mi, se, ms = 0;
    size_t i;

    if (n < 8 || s[2] != ':' || s[5] != ':')
        return -1;
    h = digits(s, 2);
    mi = digits(s + 3, 2);
    se = digits(s + 6, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return -1;
    i = 8;
    if (i < n && s[i] == '.') {
        int scale = 100;

        for (i++; i < n && (unsigned)(s[i] - '0') < 10; i++) {
            ms += (s[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i < n && s[i] == 'Z')
        i++;
    if (i != n)
        return -1;
    return ((int64_t)h * 3600 + mi * 60 + se) * 1000 + ms;
}

/* Midnight of y-m-d in ms, or -1 when the date is impossible. */
static int64_t date_ms(int y, int m, int d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};

    if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1])
        return -1;
    if (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))
        return -1;
    return df__days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000;
}

/*
 * "YYYY-MM-DDTHH:MM:SS" (MarineCadastre; ' ' also accepted for 'T') or
 * "dd/mm/yyyy HH:MM:SS" (DMA) into ms since the epoch, or -1.
 */
static int64_t time_parse(struct df_csv *c, const char *s, size_t n)
{
    int64_t day, t;

    if (n < 19 || (s[10] != 'T' && s[10] != ' '))
        return -1;
    if (memcmp(s, c->date, 10) == 0) {
        day = c->date_ms;
    } else {
        if (s[4] == '-' && s[7] == '-')
            day = date_ms(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2));
        else if (s[2] == '/' && s[5] == '/')
            day = date_ms(digits(s + 6, 4), digits(s + 3, 2), digits(s, 2));
        else
            return -1;
        if (day < 0)
            return -1;
        memcpy(c->date, s, 10);
        c->date_ms = day;
    }
    t = clock_ms(s + 11, n - 11);
    return t < 0 ? -1 : day + t;
}

/* ------------------------------------------------------------------ */
/* Fields                                                             */
/* ------------------------------------------------------------------ */

static int is_word(const char *s, size_t n, const char *w)
{
    size_t i;

    for (i = 0; i < n && w[i] != '\0'; i++) {
        int a = (unsigned char)s[i];

        if (a >= 'A' && a <= 'Z')
            a += 'a' - 'A';
        if (a != w[i])
            return 0;
    }
    return i == n && w[i] == '\0';
}

/* Is the value missing ("", "NA"; in DMA tables also "Unknown",
 * "Undefined")? */
static int missing(const struct df_csv *c, const char *s, size_t n)
{
    if (n == 0)
        return 1;
    if (n == 2 && s[0] == 'N' && s[1] == 'A')
        return 1;
    if (c->dialect == DF_FMT_CSV_DMA && n >= 7 && (s[0] == 'U' || s[0] == 'u'))
        return is_word(s, n, "unknown") || is_word(s, n, "undefined") ||
               is_word(s, n, "unknown value");
    return 0;
}

/* Copies text into a fixed field of cap bytes (with NUL), trimmed. */
static void text_copy(char *dst, size_t cap, const char *s, size_t n)
{
    while (n > 0 && s[0] == ' ') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* DMA's navigational status text into the AIS code (15 if unknown). */
static int dma_status(const char *s, size_t n, int *ok)
{
    static const struct {
        const char *text;
        int code;
    } tab[] = {
        {"under way using engine", 0},
        {"at anchor", 1},
        {"not under command", 2},
        {"restricted manoeuverability", 3},
        {"restricted maneuverability", 3},
        {"restricted manoeuvrability", 3},
        {"constrained by her draught", 4},
        {"moored", 5},
        {"aground", 6},
        {"engaged in fishing", 7},
        {"under way sailing", 8},
        {"reserved for future amendment [hsc]", 9},
        {"reserved for future amendment [wig]", 10},
        {"power-driven vessel towing astern", 11},
        {"power-driven vessel pushing ahead or towing alongside", 12},
        {"reserved for future use", 13},
        {"ais-sart", 14},
        {"unknown value", 15},
        {"unknown", 15},
    };
    size_t i;

    *ok = 1;
    for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (is_word(s, n, tab[i].text))
            return tab[i].code;
    *ok = 0;
    return 15;
}

/* DMA's ship type text into the AIS ship type code (0 if unknown). */
static int dma_shiptype(const char *s, size_t n, int *ok)
{
    static const struct {
        const char *text;
        int code;
    } tab[] = {
        {"wig", 20},          {"fishing", 30},
        {"towing", 31},       {"towing long/wide", 32},
        {"dredging", 33},     {"diving", 34},
        {"military", 35},     {"sailing", 36},
        {"pleasure", 37},     {"hsc", 40},
        {"pilot", 50},        {"sar", 51},
        {"tug", 52},          {"port tender", 53},
        {"anti-pollution", 54}, {"law enforcement", 55},
        {"spare 1", 56},      {"spare 2", 57},
        {"medical", 58},      {"not party to conflict", 59},
        {"passenger", 60},    {"cargo", 70},
        {"tanker", 80},       {"other", 90},
        {"reserved", 0},      {"undefined", 0},
    };
    size_t i;

    *ok = 1;
    for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (is_word(s, n, tab[i].text))
            return tab[i].code;
    *ok = 0;
    return 0;
}

/* Reads a number times m * 10^e into *out when it lies in [lo, hi];
 * returns 0, or -1 if bad. */
static int scaled(const char *s, size_t n, int64_t m, int e, int64_t lo,
                  int64_t hi, int64_t *out)
{
    struct dec d;
    int64_t v;

    if (dec_parse(s, n, &d) != 0)
        return -1;
    v = dec_scale(&d, m, e);
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/*
 * Stores one field of a row into rec.  Returns 0, 1 when the field was
 * unusable (counted by the caller, field left n/a), or -1 when the row
 * cannot be used (bad MMSI or time).
 */
static int field(struct df_csv *c, enum col col, const char *s, size_t n,
                 struct df_rec *rec)
{
    int64_t v;
    uint32_t u;
    int ok;

    if (col != C_NAME && col != C_DEST && col != C_CALLSIGN)
        while (n > 0 && s[n - 1] == ' ')
            n--;
    switch (col) {
    case C_MMSI:
        /* 30 bits on the air; tables carry 10-digit garbage too. */
        if (uint_parse(s, n, 10, &u) != 0 || u > 1073741823u)
            return -1;
        rec->mmsi = u;
        return 0;
    case C_TIME:
        rec->t_ms = time_parse(c, s, n);
        return rec->t_ms < 0 ? -1 : 0;
    default:
        break;
    }
    if (missing(c, s, n))
        return 0;
    switch (col) {
    case C_LAT:
        if (scaled(s, n, 6, 5, -90 * 600000, 91 * 600000, &v) != 0 ||
            (v > 90 * 600000 && v != DF_LAT_NA))
            return 1;
        rec->lat = (int32_t)v;
        break;
    case C_LON:
        if (scaled(s, n, 6, 5, -180 * 600000, 181 * 600000, &v) != 0 ||
            (v > 180 * 600000 && v != DF_LON_NA))
            return 1;
        rec->lon = (int32_t)v;
        break;
    case C_SOG:
        if (scaled(s, n, 1, 1, 0, DF_SPEED_NA, &v) != 0)
            return 1;
        rec->speed = (uint16_t)v;
        break;
    case C_COG:
        if (scaled(s, n, 1, 1, -2048, 3600, &v) != 0)
            return 1;
        if (v < 0)
            v += 4096; /* signed 12-bit image of 2048..4095 */
        if (v > 3600)
            return 1;
        rec->course = (uint16_t)v;
        break;
    case C_HEADING:
        if (scaled(s, n, 1, 0, 0, 511, &v) != 0 ||
            (v > 359 && v != DF_HEADING_NA))
            return 1;
        rec->heading = (uint16_t)v;
        break;
    case C_STATUS:
        if (c->dialect == DF_FMT_CSV_DMA) {
            rec->status = (uint8_t)dma_status(s, n, &ok);
            return !ok;
        }
        if (scaled(s, n, 1, 0, 0, 15, &v) != 0)
            return 1;
        rec->status = (uint8_t)v;
        break;
    case C_NAME:
        text_copy(rec->shipname, sizeof(rec->shipname), s, n);
        break;
    case C_CALLSIGN:
        text_copy(rec->callsign, sizeof(rec->callsign), s, n);
        break;
    case C_DEST:
        text_copy(rec->destination, sizeof(rec->destination), s, n);
        break;
    case C_IMO:
        if (n > 3 && (s[0] == 'I' || s[0] == 'i') &&
            (s[1] == 'M' || s[1] == 'm') && (s[2] == 'O' || s[2] == 'o')) {
            s += 3;
            n -= 3;
        }
        if (uint_parse(s, n, 10, &u) != 0 || u > 1073741823u)
            return 1;
        rec->imo = u;
        break;
    case C_TYPE:
        if (c->dialect == DF_FMT_CSV_DMA) {
            rec->shiptype = (uint8_t)dma_shiptype(s, n, &ok);
            return !ok;
        }
        if (scaled(s, n, 1, 0, 0, 255, &v) != 0)
            return 1;
        rec->shiptype = (uint8_t)v;
        break;
    case C_LENGTH:
        if (scaled(s, n, 1, 1, 0, 65535, &v) != 0)
            return 1;
        rec->length_dm = (uint16_t)v;
        break;
    case C_WIDTH:
        if (scaled(s, n, 1, 1, 0, 65535, &v) != 0)
            return 1;
        rec->width_dm = (uint16_t)v;
        break;
    case C_DRAFT:
        if (scaled(s, n, 1, 1, 0, 255, &v) != 0)
            return 1;
        rec->draught = (uint8_t)v;
        break;
    case C_CLASS:
        /* "A", "B" (MarineCadastre) or "Class A", "Class B" (DMA). */
        if (n >= 1 && (s[n - 1] == 'A' || s[n - 1] == 'B') &&
            (n == 1 || (n == 7 && is_word(s, 6, "class "))))
            rec->cls = s[n - 1];
        break;
    case C_A:
    case C_B:
        if (scaled(s, n, 1, 0, 0, 511, &v) != 0)
            return 1;
        if (col == C_A)
            rec->to_bow = (uint16_t)v;
        else
            rec->to_stern = (uint16_t)v;
        break;
    case C_C:
    case C_D:
        if (scaled(s, n, 1, 0, 0, 63, &v) != 0)
            return 1;
        if (col == C_C)
            rec->to_port = (uint8_t)v;
        else
            rec->to_starboard = (uint8_t)v;
        break;
    default:
        break;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Rows                                                               */
/* ------------------------------------------------------------------ */

/*
 * Reads the quoted field at *pos of the line (unescaped into c->quoted,
 * cut at CSV_MAX_QUOTED bytes) and moves *pos past its ','.  Returns 1 if
 * a ',' followed (more fields), 0 at the end of the line, -1 if the quote
 * is not closed or is followed by other text (the row is dropped).
 */
static int quoted_field(struct df_csv *c, const char *line, size_t len,
                        size_t *pos, const char **fs, size_t *fn)
{
    struct df__csv cur = {line, len, *pos, c->quoted, sizeof(c->quoted),
                          0, 0, 1};
    struct df__csvf f;
    int more = df__csv_field(&cur, &f);

    if (cur.flags & (DF__CSV_OPEN | DF__CSV_JUNK))
        return -1;
    *fs = f.s;
    *fn = f.n;
    *pos = cur.pos;
    return more;
}

/* The field at *pos (see quoted_field()); an unquoted one, the common
 * case, inline. */
static inline int next_field(struct df_csv *c, const char *line,
                             size_t len, size_t *pos, const char **fs,
                             size_t *fn)
{
    size_t i;

    if (*pos < len && line[*pos] == '"')
        return quoted_field(c, line, len, pos, fs, fn);
    i = df__csv_comma(line, *pos, len);
    *fs = line + *pos;
    *fn = i - *pos;
    *pos = i + 1;
    return i < len;
}

/* A record with nothing available; copied over *rec before each row (a
 * struct copy: faster than memset plus stores for small structs). */
static const struct df_rec rec_empty = {
    .t_ms = DF_TIME_NONE,
    .status = 15,
    .lon = DF_LON_NA,
    .lat = DF_LAT_NA,
    .speed = DF_SPEED_NA,
    .course = DF_COURSE_NA,
    .heading = DF_HEADING_NA,
};

/* Parses a data row into rec; returns 1, or 0 after counting a drop. */
static int row(struct df_csv *c, const char *line, size_t len,
               struct df_rec *rec)
{
    size_t pos = 0;
    int col = 0, more = 1, bad_fields = 0;

    *rec = rec_empty;
    while (more) {
        const char *fs;
        size_t fn;
        int r;

        more = next_field(c, line, len, &pos, &fs, &fn);
        if (more < 0) {
            c->st.drop_csv_row++;
            return 0;
        }
        if (col < CSV_MAX_COLS && c->map[col] != C_NONE) {
            r = field(c, (enum col)c->map[col], fs, fn, rec);
            if (r < 0) {
                c->st.drop_csv_row++;
                return 0;
            }
            bad_fields += r;
        }
        col++;
    }
    if (col != c->ncols || rec->t_ms == DF_TIME_NONE) {
        c->st.drop_csv_row++;
        return 0;
    }
    c->st.drop_csv_field += (uint64_t)bad_fields;
    if (rec->lat != DF_LAT_NA && rec->lon != DF_LON_NA)
        rec->has |= DF_REC_POS;
    if (rec->imo != 0 || rec->callsign[0] != '\0' ||
        rec->shipname[0] != '\0' || rec->destination[0] != '\0' ||
        rec->shiptype != 0 || rec->to_bow != 0 || rec->to_stern != 0 ||
        rec->to_port != 0 || rec->to_starboard != 0 ||
        rec->length_dm != 0 || rec->width_dm != 0 || rec->draught != 0)
        rec->has |= DF_REC_STATIC;
    c->st.records++;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Header                                                             */
/* ------------------------------------------------------------------ */

static enum col col_of(const char *s, size_t n)
{
    char key[CSV_MAX_NAME + 1];
    size_t i;

    if (df__csv_colkey(s, n, key, sizeof(key)) <= 0)
        return C_NONE; /* empty, or too long to be a name we know */
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(key, names[i].name) == 0)
            return names[i].col;
    return C_NONE;
}

static const char need_msg[] =
    "MMSI, BaseDateTime/base_date_time, LAT, LON (MarineCadastre) or "
    "# Timestamp, MMSI, Latitude, Longitude (DMA)";

/* Maps the header's columns; returns 0, or -1 with c->err set. */
static int header(struct df_csv *c, const char *line, size_t len)
{
    size_t pos = 0;
    int more = 1, col = 0, have[C_COUNT] = {0};
    int dma = 0;

    memset(c->map, 0, sizeof(c->map));
    while (more) {
        const char *fs;
        size_t fn;
        enum col k;

        more = next_field(c, line, len, &pos, &fs, &fn);
        if (more < 0)
            break;
        while (fn > 0 && fs[0] == ' ') {
            fs++;
            fn--;
        }
        k = col_of(fs, fn);
        if (k == C_TIME && fn > 0 && (fs[0] == '#' || fs[0] == 'T' ||
                                      fs[0] == 't'))
            dma = 1;
        if (k != C_NONE && col < CSV_MAX_COLS && !have[k]) {
            c->map[col] = (uint8_t)k;
            have[k] = 1;
        }
        col++;
    }
    c->ncols = col;
    /* The antenna offsets A-D are DMA's; "a" in another table is not. */
    if (!dma) {
        int i;

        for (i = 0; i < CSV_MAX_COLS; i++)
            if (c->map[i] >= C_A && c->map[i] <= C_D)
                c->map[i] = C_NONE;
    }
    if (!have[C_MMSI] && !have[C_TIME] && !have[C_LAT] && !have[C_LON]) {
        snprintf(c->err, sizeof(c->err), "CSV header names none of %s",
                 need_msg);
        return -1;
    }
    if (!have[C_MMSI] || !have[C_TIME] || !have[C_LAT] || !have[C_LON]) {
        snprintf(c->err, sizeof(c->err),
                 "CSV header lacks%s%s%s%s; darkfleet needs %s",
                 have[C_MMSI] ? "" : " MMSI",
                 have[C_TIME] ? "" : (dma ? " # Timestamp" : " BaseDateTime"),
                 have[C_LAT] ? "" : " LAT",
                 have[C_LON] ? "" : " LON", need_msg);
        return -1;
    }
    c->dialect = dma ? DF_FMT_CSV_DMA : DF_FMT_CSV_MC;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Public                                                             */
/* ------------------------------------------------------------------ */

struct df_csv *df_csv_new(void)
{
    struct df_csv *c = df__calloc(1, sizeof(*c));

    return c;
}

void df_csv_free(struct df_csv *c)
{
    df__free(c);
}

int df_csv_line(struct df_csv *c, const char *line, size_t len,
                struct df_rec *rec)
{
    if (c == NULL || (line == NULL && len > 0) || rec == NULL)
        return -1;
    if (c->state < 0)
        return -1;
    c->st.lines++;
    c->st.bytes += len + 1;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > CSV_MAX_LINE) {
        c->st.drop_line_too_long++;
        return 0;
    }
    if (len == 0) {
        c->st.skip_blank++;
        return 0;
    }
    if (c->state == 0) {
        if (header(c, line, len) != 0) {
            c->state = -1;
            return -1;
        }
        c->state = 1;
        return 0;
    }
    return row(c, line, len, rec);
}

const char *df_csv_error(const struct df_csv *c)
{
    if (c == NULL || c->err[0] == '\0')
        return NULL;
    return c->err;
}

enum df_format df_csv_dialect(const struct df_csv *c)
{
    return c ? c->dialect : DF_FMT_UNKNOWN;
}

const struct df_stats *df_csv_stats(const struct df_csv *c)
{
    return c ? &c->st : NULL;
}
