/*
 * list_load.c - the sanctions list loaders: the CSV records of a list
 * file, its format told from the content (never from the name), and the
 * rows read into watchlist entries (watchlist.h).
 *
 * Lists read:
 *  - OFAC's legacy SDN CSV (treasury.gov "sdn.csv"): no header, twelve
 *    columns ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
 *    Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" (often
 *    "-0- ") is null; the file is Latin-1 (in practice Windows-1252) and
 *    ends with a DOS ^Z.  Only SDN_Type "vessel" rows are kept.  Remarks
 *    are ';'-separated clauses: "Vessel Registration Identification IMO
 *    9187629", "MMSI 572469210", "f.k.a. 'ALPHA'", "a.k.a. '...'", "Linked
 *    To: ..." (METHODS.md section 2).  An alt.csv beside it (ent_num,
 *    alt_num, alt_type, alt_name, alt_remarks) adds aliases and former
 *    names of the vessel entries.
 *  - OpenSanctions' maritime.csv (FollowTheMoney Vessel): header type,
 *    name (or caption), imo, risk, countries, flag, mmsi, id, url,
 *    datasets, aliases; aliases and other multi-valued cells use ';'.
 *  - OpenSanctions' un_1718_vessels transcription of the UN 1718 Committee
 *    vessel list: header vessel_name, imo_number, mmsi, flag, call_sign,
 *    type, other_information, date_of_designation, designated_owner;
 *    multi-valued cells read "1: ... 2: ...".
 *  - Any CSV whose header names a name (name, vessel_name, ship_name) and
 *    at least one of imo, mmsi, call sign; optional aliases, program, flag
 *    and id columns.
 * Column names are matched with case, spaces, '_' and '-' ignored.  Text
 * that is not valid UTF-8 is taken as Windows-1252 and converted (names.c,
 * through df__wl_str()).
 *
 * Rows are attacker-controlled: malformed rows are counted (struct
 * df__wl_stats) and skipped, never fatal.
 */
#include "watchlist.h"
#include "util/alloc.h"
#include "util/csvrec.h"
#include "util/slurp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELDS 64          /* fields kept per record */
#define CSV_MAX_RECORD (1u << 20)  /* bytes of one record, unquoted */

/* ------------------------------------------------------------------ */
/* CSV records (RFC 4180, lenient)                                     */
/* ------------------------------------------------------------------ */

struct csv {
    struct df__csv cur;        /* the splitter, over the whole file */
    struct df__csvf f[CSV_MAX_FIELDS];
    size_t nf;                 /* fields in f */
    int too_many;              /* more than CSV_MAX_FIELDS fields */
    int bad;                   /* unterminated quote or record too long */
};

/* Starts reading buf (a whole file); returns -1 when out of memory. */
static int csv_open(struct csv *c, const char *buf, size_t len)
{
    memset(c, 0, sizeof(*c));
    c->cur.s = buf;
    c->cur.len = len;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        c->cur.pos = 3;
    c->cur.cap = CSV_MAX_RECORD;
    c->cur.scratch = df__malloc(CSV_MAX_RECORD);
    return c->cur.scratch == NULL ? -1 : 0;
}

static void csv_close(struct csv *c)
{
    df__free(c->cur.scratch);
    c->cur.scratch = NULL;
}

/*
 * Reads the next record into c->f.  Returns 1 for a record (check c->bad),
 * 0 at the end of the input.  Blank lines and a DOS end-of-file (^Z) are
 * skipped.
 */
static int csv_next(struct csv *c)
{
    for (;;) {
        size_t start = c->cur.pos;
        size_t nf = df__csv_record(&c->cur, c->f, CSV_MAX_FIELDS);

        if (nf == 0)
            return 0;
        c->nf = nf < CSV_MAX_FIELDS ? nf : CSV_MAX_FIELDS;
        c->too_many = (c->cur.flags & DF__CSV_MANY) != 0;
        c->bad = (c->cur.flags & (DF__CSV_OPEN | DF__CSV_TRUNC)) != 0 ||
                 c->cur.pos - start > CSV_MAX_RECORD;
        if (c->nf == 1) {
            const char *fs = c->f[0].s;
            size_t n = c->f[0].n;

            df__trim(&fs, &n);
            if (n == 0 || (n == 1 && fs[0] == '\x1a'))
                continue;
        }
        return 1;
    }
}

/* ------------------------------------------------------------------ */
/* Format detection                                                    */
/* ------------------------------------------------------------------ */

enum col {
    COL_NAME, COL_VESSEL_NAME, COL_IMO, COL_IMO_NUMBER, COL_MMSI,
    COL_CALLSIGN, COL_ALIASES, COL_PROGRAM, COL_FLAG, COL_ID, COL_TYPE,
    COL_RISK, COL_DATASETS, COL_OTHER_INFO, COL_VESSEL_TYPE, COL_GRT,
    COL_DWT, COL_BUILD_YEAR, COL_COUNT
};

/* Header names of each column, as df__csv_colkey() writes them. */
static const char *const col_names[COL_COUNT][5] = {
    [COL_NAME] = {"name", "caption", "shipname", "vessel", NULL},
    [COL_VESSEL_NAME] = {"vesselname", NULL},
    [COL_IMO] = {"imo", NULL},
    [COL_IMO_NUMBER] = {"imonumber", NULL},
    [COL_MMSI] = {"mmsi", NULL},
    [COL_CALLSIGN] = {"callsign", NULL},
    [COL_ALIASES] = {"aliases", "alias", "othernames", "formernames",
                     "previousname"},
    [COL_PROGRAM] = {"program", "programs", "programme", "list", NULL},
    [COL_FLAG] = {"flag", NULL},
    [COL_ID] = {"id", "entnum", NULL},
    [COL_TYPE] = {"type", "schema", NULL},
    [COL_RISK] = {"risk", NULL},
    [COL_DATASETS] = {"datasets", NULL},
    [COL_OTHER_INFO] = {"otherinformation", NULL},
    [COL_VESSEL_TYPE] = {"vesseltype", "shiptype", NULL},
    [COL_GRT] = {"grossregisteredtonnage", "grosstonnage", "grt", "gt",
                 NULL},
    [COL_DWT] = {"deadweighttonnage", "deadweight", "dwt", NULL},
    [COL_BUILD_YEAR] = {"builddate", "buildyear", "yearbuilt", NULL},
};

enum list_format { FMT_UNKNOWN, FMT_OFAC, FMT_OPENSANCTIONS, FMT_UN1718,
                   FMT_PLAIN };

/* Maps header cells to columns: col[k] is the field index or -1.  Returns
 * the number of cells recognized. */
static int map_header(const struct csv *c, int col[COL_COUNT])
{
    size_t i, k, a;
    int known = 0;

    for (k = 0; k < COL_COUNT; k++)
        col[k] = -1;
    for (i = 0; i < c->nf; i++) {
        char key[32];

        df__csv_colkey(c->f[i].s, c->f[i].n, key, sizeof(key));
        for (k = 0; k < COL_COUNT; k++) {
            for (a = 0; a < 5 && col_names[k][a] != NULL; a++) {
                if (strcmp(key, col_names[k][a]) == 0 && col[k] < 0) {
                    col[k] = (int)i;
                    known++;
                }
            }
        }
    }
    return known;
}

/* 1 if (s, n) holds 1 to 10 digits and nothing else (white space aside). */
static int all_digits(const char *s, size_t n)
{
    size_t i;

    df__trim(&s, &n);
    if (n == 0 || n > 10)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Tells the format from the first record (in c) and the first bytes. */
static enum list_format detect(const struct csv *c, const char *buf,
                               size_t len, int col[COL_COUNT])
{
    int has_name;
    size_t scan = len < 65536 ? len : 65536, i;

    map_header(c, col);
    has_name = col[COL_NAME] >= 0 || col[COL_VESSEL_NAME] >= 0;
    if (col[COL_VESSEL_NAME] >= 0 && col[COL_IMO_NUMBER] >= 0)
        return FMT_UN1718;
    if (has_name && (col[COL_IMO] >= 0 || col[COL_IMO_NUMBER] >= 0 ||
                     col[COL_MMSI] >= 0 || col[COL_CALLSIGN] >= 0)) {
        if (col[COL_NAME] >= 0 && col[COL_IMO] >= 0 &&
            (col[COL_RISK] >= 0 || col[COL_DATASETS] >= 0))
            return FMT_OPENSANCTIONS;
        return FMT_PLAIN;
    }
    if (c->nf == 12 && all_digits(c->f[0].s, c->f[0].n)) {
        for (i = 0; i + 3 <= scan; i++)
            if (memcmp(buf + i, "-0-", 3) == 0)
                return FMT_OFAC;
    }
    return FMT_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* Cells and free text                                                 */
/* ------------------------------------------------------------------ */

/* A null cell of the OFAC file. */
static int is_ofac_null(const char *s, size_t n)
{
    df__trim(&s, &n);
    return n == 0 || (n == 3 && memcmp(s, "-0-", 3) == 0);
}

/* The first run of exactly want digits in (s, n), or 0. */
static uint32_t digit_run(const char *s, size_t n, size_t want)
{
    size_t i = 0, j;

    while (i < n) {
        if (s[i] < '0' || s[i] > '9') {
            i++;
            continue;
        }
        for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++)
            ;
        if (j - i == want) {
            uint32_t v = 0;

            for (; i < j; i++)
                v = v * 10 + (uint32_t)(s[i] - '0');
            if (v != 0)
                return v;
        }
        i = j;
    }
    return 0;
}

/* The cell of column k in the current record, or an empty one. */
static struct df__csvf cell(const struct csv *c, const int col[COL_COUNT],
                         int k)
{
    struct df__csvf f = {"", 0};

    if (col[k] >= 0 && (size_t)col[k] < c->nf)
        f = c->f[col[k]];
    df__trim(&f.s, &f.n);
    return f;
}

/* True if (s, n) starts with the NUL-terminated p. */
static int starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);

    return n >= k && memcmp(s, p, k) == 0;
}

/* Text of a name in a clause: between the first and last single quote if
 * there are two, else the whole rest with a final '.' dropped. */
static struct df__csvf quoted_name(const char *s, size_t n)
{
    struct df__csvf f;
    const char *q1 = memchr(s, '\'', n), *q2 = NULL;
    size_t i;

    for (i = n; i > 0; i--) {
        if (s[i - 1] == '\'') {
            q2 = s + i - 1;
            break;
        }
    }
    if (q1 != NULL && q2 != NULL && q2 > q1) {
        f.s = q1 + 1;
        f.n = (size_t)(q2 - q1 - 1);
    } else {
        f.s = s;
        f.n = n;
        df__trim(&f.s, &f.n);
        if (f.n > 0 && f.s[f.n - 1] == '.')
            f.n--;
    }
    df__trim(&f.s, &f.n);
    return f;
}

/* The last c in (s, n), or NULL (memrchr is a GNU extension). */
static const char *memrchr_(const char *s, char c, size_t n)
{
    while (n > 0) {
        if (s[--n] == c)
            return s + n;
    }
    return NULL;
}

/*
 * Reads the identifiers and names out of OFAC Remarks (or free text such
 * as the 1718 list's other information): IMO, MMSI, a.k.a./f.k.a./n.k.a.
 * names and "Former Vessel Name" clauses.  Returns -1 when out of memory.
 */
static int parse_remarks(struct df_watchlist *wl, struct df__wl_entry *e,
                         const char *s, size_t n)
{
    static const char *const name_tags[] = {
        "f.k.a.", "a.k.a.", "n.k.a.", "Former Vessel Name(s)",
        "Former Vessel Name", "Former Name", "formerly known as",
    };
    size_t i = 0;

    while (i < n) {
        const char *cl = s + i;
        const char *semi = memchr(cl, ';', n - i);
        size_t cn = semi ? (size_t)(semi - cl) : n - i;
        size_t t;

        i += cn + 1;
        df__trim(&cl, &cn);
        if (starts(cl, cn, "alt. ")) {
            cl += 5;
            cn -= 5;
            df__trim(&cl, &cn);
        }
        if (starts(cl, cn, "MMSI") && e->pub.mmsi == 0) {
            e->pub.mmsi = digit_run(cl, cn, 9);
            continue;
        }
        if (starts(cl, cn, "Vessel Year of Build")) {
            uint32_t y = digit_run(cl, cn, 4);

            if (y >= 1850 && y <= 2100)
                e->pub.build_year = (uint16_t)y;
            continue;
        }
        for (t = 0; t < sizeof(name_tags) / sizeof(name_tags[0]); t++) {
            if (starts(cl, cn, name_tags[t])) {
                size_t k = strlen(name_tags[t]);
                struct df__csvf f;

                /* A quoted name holding ';' ("a.k.a. 'A;B'"): take the
                 * clause up to the closing quote. */
                while (memchr(cl, '\'', cn) != NULL &&
                       memchr(cl, '\'', cn) == memrchr_(cl, '\'', cn) &&
                       i < n) {
                    semi = memchr(s + i, ';', n - i);
                    cn = (size_t)((semi ? semi : s + n) - cl);
                    i = (size_t)(cl + cn - s) + 1;
                }
                df__trim(&cl, &cn);
                f = quoted_name(cl + k, cn - k);

                if (f.n > 0 && df__wl_alias(wl, e, f.s, f.n) < 0)
                    return -1;
                break;
            }
        }
        if (t < sizeof(name_tags) / sizeof(name_tags[0]))
            continue;
        if (e->pub.imo == 0) {
            const char *p = cl, *end = cl + cn;

            while ((p = memchr(p, 'I', (size_t)(end - p))) != NULL) {
                if (end - p >= 4 && memcmp(p, "IMO", 3) == 0) {
                    const char *d = p + 3;

                    while (d < end && (*d == ' ' || *d == ':'))
                        d++;
                    if (end - d >= 7) {
                        uint32_t imo = digit_run(d, 7, 7);

                        if (imo != 0 &&
                            (end - d == 7 || d[7] < '0' || d[7] > '9')) {
                            e->pub.imo = imo;
                            break;
                        }
                    }
                }
                p++;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* OFAC's sdn.csv and alt.csv                                          */
/* ------------------------------------------------------------------ */

/* OFAC's "DPRK] [DPRK2" program cells as "DPRK; DPRK2". */
static const char *ofac_program(struct df_watchlist *wl, const char *s,
                                size_t n)
{
    char buf[DF__WL_MAX_SHORT];
    size_t i, o = 0;

    for (i = 0; i < n && o + 2 < sizeof(buf); i++) {
        if (n - i >= 3 && memcmp(s + i, "] [", 3) == 0) {
            buf[o++] = ';';
            buf[o++] = ' ';
            i += 2;
        } else {
            buf[o++] = s[i];
        }
    }
    return df__wl_str(wl, buf, o, DF__WL_MAX_SHORT);
}

/* Stores an OFAC cell, "" when it is null; NULL when out of memory. */
static const char *ofac_str(struct df_watchlist *wl, const struct df__csvf *f,
                            size_t cap)
{
    return is_ofac_null(f->s, f->n) ? "" : df__wl_str(wl, f->s, f->n, cap);
}

static int cmp_entnum(const void *pa, const void *pb)
{
    const struct df__wl_entry *a = *(struct df__wl_entry *const *)pa;
    const struct df__wl_entry *b = *(struct df__wl_entry *const *)pb;

    return a->ent_num < b->ent_num ? -1 : a->ent_num > b->ent_num;
}

/* Adds the aliases of alt.csv (next to path) to entries [first, wl->n). */
static enum df_err load_ofac_alt(struct df_watchlist *wl, const char *path,
                                 size_t first, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0, nv, lo, hi;
    char *altpath, *buf = NULL, tmp[256];
    struct df__wl_entry **byent;
    struct csv c;
    size_t len;
    enum df_err rc;
    FILE *probe;

    if (wl->n == first)
        return DF_OK;
    altpath = df__malloc(dirlen + sizeof("alt.csv"));
    if (altpath == NULL)
        goto nomem;
    memcpy(altpath, path, dirlen);
    memcpy(altpath + dirlen, "alt.csv", sizeof("alt.csv"));
    if (strcmp(altpath, path) == 0 || (probe = fopen(altpath, "rb")) == NULL) {
        df__free(altpath);
        return DF_OK;
    }
    fclose(probe);
    rc = df__slurp(altpath, DF__WL_MAX_FILE, &buf, &len, tmp, sizeof(tmp));
    df__free(altpath);
    if (rc != DF_OK) {
        snprintf(err, errlen, "%s", tmp);
        return rc;
    }
    nv = wl->n - first;
    byent = csv_open(&c, buf, len) == 0
                ? df__malloc(nv * sizeof(*byent))
                : NULL;
    if (byent == NULL) {
        df__free(byent);
        csv_close(&c);
        df__free(buf);
        goto nomem;
    }
    memcpy(byent, wl->ents + first, nv * sizeof(*byent));
    if (nv > 0)
        qsort(byent, nv, sizeof(*byent), cmp_entnum);
    rc = DF_OK;
    while (csv_next(&c)) {
        uint32_t ent;
        size_t i;

        wl->st.alt_rows++;
        if (c.bad || c.nf < 4 || !all_digits(c.f[0].s, c.f[0].n) ||
            is_ofac_null(c.f[3].s, c.f[3].n))
            continue;
        for (ent = 0, i = 0; i < c.f[0].n; i++)
            if (c.f[0].s[i] >= '0' && c.f[0].s[i] <= '9')
                ent = ent * 10 + (uint32_t)(c.f[0].s[i] - '0');
        lo = 0;
        hi = nv;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (byent[mid]->ent_num < ent)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < nv && byent[lo]->ent_num == ent; lo++) {
            if (df__wl_alias(wl, byent[lo], c.f[3].s, c.f[3].n) < 0) {
                rc = DF_NOMEM;
                break;
            }
        }
        if (rc != DF_OK)
            break;
    }
    df__free(byent);
    csv_close(&c);
    df__free(buf);
    if (rc == DF_OK)
        return DF_OK;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    return DF_NOMEM;
}

/* Loads the rows of an OFAC sdn.csv; c holds the first record. */
/* A tonnage as OFAC writes it ("56,068"), or 0. */
static uint32_t tonnage(const struct df__csvf *f)
{
    uint32_t v = 0;
    size_t i;

    for (i = 0; i < f->n; i++) {
        if (f->s[i] >= '0' && f->s[i] <= '9') {
            if (v > 100000000u)
                return 0;
            v = v * 10 + (uint32_t)(f->s[i] - '0');
        } else if (f->s[i] != ',' && f->s[i] != ' ') {
            break;
        }
    }
    return v;
}

static enum df_err load_ofac(struct df_watchlist *wl, struct csv *c,
                             const char *list, const char *path, char *err,
                             size_t errlen)
{
    size_t first = wl->n;
    enum df_err rc = DF_OK;

    do {
        const struct df__csvf *f = c->f;
        struct df__wl_entry *e;
        const char *t;
        size_t tn;

        wl->st.rows++;
        if (c->bad || c->too_many || c->nf != 12 ||
            !all_digits(f[0].s, f[0].n) || is_ofac_null(f[1].s, f[1].n)) {
            wl->st.malformed++;
            continue;
        }
        t = f[2].s;
        tn = f[2].n;
        df__trim(&t, &tn);
        if (!(tn == 6 && memcmp(t, "vessel", 6) == 0)) {
            wl->st.not_vessel++;
            continue;
        }
        e = df__wl_entry_new(wl, list, &rc);
        if (e == NULL && rc == DF_LIMIT)
            continue;
        if (e == NULL)
            break;
        e->pub.id = df__wl_str(wl, f[0].s, f[0].n, DF__WL_MAX_ID);
        e->ent_num = (uint32_t)strtoul(e->pub.id ? e->pub.id : "0", NULL,
                                       10);
        e->pub.name = df__wl_str(wl, f[1].s, f[1].n, DF__WL_MAX_NAME);
        e->pub.program = is_ofac_null(f[3].s, f[3].n)
                             ? "" : ofac_program(wl, f[3].s, f[3].n);
        e->pub.flag = ofac_str(wl, &f[9], DF__WL_MAX_SHORT);
        e->pub.vessel_type = ofac_str(wl, &f[6], DF__WL_MAX_SHORT);
        e->pub.deadweight = tonnage(&f[7]);
        e->pub.gross_tonnage = tonnage(&f[8]);
        if (!e->pub.id || !e->pub.name || !e->pub.program || !e->pub.flag ||
            !e->pub.vessel_type ||
            (!is_ofac_null(f[5].s, f[5].n) &&
             df__wl_callsign(wl, e, f[5].s, f[5].n) < 0) ||
            (!is_ofac_null(f[11].s, f[11].n) &&
             parse_remarks(wl, e, f[11].s, f[11].n) < 0)) {
            rc = DF_NOMEM;
            break;
        }
    } while (csv_next(c));
    if (rc == DF_NOMEM) {
        snprintf(err, errlen, "%s: out of memory", path);
        return rc;
    }
    if (rc == DF_LIMIT) {
        snprintf(err, errlen, "%s: more than %u vessel entries, the rest "
                 "skipped", path, DF__WL_MAX_ENTRIES);
    }
    {
        enum df_err arc = load_ofac_alt(wl, path, first, err, errlen);

        if (arc != DF_OK)
            return arc;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Lists with a header                                                 */
/* ------------------------------------------------------------------ */

/*
 * Splits a multi-valued cell into items: "1: A 2: B" (the 1718 list) when
 * it starts with "1:", else on sep (0 for none).  Calls fn for each
 * non-empty item; stops at the first non-zero return and returns it.
 */
static int split_values(const char *s, size_t n, char sep,
                        int (*fn)(const char *s, size_t n, void *ud),
                        void *ud)
{
    size_t i = 0, start;
    unsigned next = 2;
    int r;

    df__trim(&s, &n);
    if (n >= 2 && s[0] == '1' && s[1] == ':') {
        start = 2;
        for (i = 2; i <= n; i++) {
            int cut = (i == n);

            if (!cut && (i == 0 || df__is_space((unsigned char)s[i - 1]))) {
                char num[12];
                int k = snprintf(num, sizeof(num), "%u:", next);

                if (k > 0 && n - i >= (size_t)k &&
                    memcmp(s + i, num, (size_t)k) == 0)
                    cut = k;
            }
            if (cut) {
                const char *is = s + start;
                size_t in = i - start;

                df__trim(&is, &in);
                if (in > 0 && (r = fn(is, in, ud)) != 0)
                    return r;
                if (i == n)
                    break;
                start = i + (size_t)cut;
                i = start - 1;
                next++;
            }
        }
        return 0;
    }
    start = 0;
    for (i = 0; i <= n; i++) {
        if (i == n || (sep != 0 && s[i] == sep)) {
            const char *is = s + start;
            size_t in = i - start;

            df__trim(&is, &in);
            if (in > 0 && (r = fn(is, in, ud)) != 0)
                return r;
            start = i + 1;
        }
    }
    return 0;
}

/* split_values() callbacks. */
struct first_item {
    const char *s;
    size_t n;
};
static int take_first(const char *s, size_t n, void *ud)
{
    struct first_item *f = ud;

    f->s = s;
    f->n = n;
    return 1;
}
struct alias_ctx {
    struct df_watchlist *wl;
    struct df__wl_entry *e;
    int skip_first;            /* the first item is the name itself */
};
static int add_alias_item(const char *s, size_t n, void *ud)
{
    struct alias_ctx *a = ud;

    if (a->skip_first) {
        a->skip_first = 0;
        return 0;
    }
    return df__wl_alias(a->wl, a->e, s, n) < 0 ? -1 : 0;
}
struct num_ctx {
    size_t digits;
    uint32_t v;
};
static int take_number(const char *s, size_t n, void *ud)
{
    struct num_ctx *c = ud;

    c->v = digit_run(s, n, c->digits);
    return c->v != 0;
}

/* The first item of a multi-valued cell. */
static struct df__csvf first_value(struct df__csvf f, char sep)
{
    struct first_item it = {"", 0};

    split_values(f.s, f.n, sep, take_first, &it);
    f.s = it.s;
    f.n = it.n;
    return f;
}

/* The first number of want digits among the items of a cell, or 0. */
static uint32_t first_number(struct df__csvf f, char sep, size_t want)
{
    struct num_ctx nc = {want, 0};

    split_values(f.s, f.n, sep, take_number, &nc);
    return nc.v;
}

/* Loads a list with a header (OpenSanctions, UN 1718, plain CSV); c holds
 * the header. */
static enum df_err load_table(struct df_watchlist *wl, struct csv *c,
                              enum list_format fmt, const int col[COL_COUNT],
                              const char *list, const char *path, char *err,
                              size_t errlen)
{
    enum df_err rc = DF_OK;
    int name_col = col[COL_VESSEL_NAME] >= 0 ? COL_VESSEL_NAME : COL_NAME;
    int imo_col = col[COL_IMO_NUMBER] >= 0 ? COL_IMO_NUMBER : COL_IMO;
    char sep = fmt == FMT_UN1718 ? 0 : ';';
    uint64_t row = 0;

    while (csv_next(c)) {
        struct df__csvf name, f;
        struct df__wl_entry *e;
        struct alias_ctx ac;
        char idbuf[24];

        row++;
        wl->st.rows++;
        if (c->bad) {
            wl->st.malformed++;
            continue;
        }
        if (fmt == FMT_OPENSANCTIONS) {
            f = cell(c, col, COL_TYPE);
            if (f.n > 0 && !(f.n == 6 && (f.s[0] == 'V' || f.s[0] == 'v') &&
                             memcmp(f.s + 1, "essel", 5) == 0)) {
                wl->st.not_vessel++;
                continue;
            }
        }
        name = first_value(cell(c, col, name_col), 0);
        if (name.n == 0) {
            wl->st.malformed++;
            continue;
        }
        e = df__wl_entry_new(wl, list, &rc);
        if (e == NULL && rc == DF_LIMIT)
            continue;
        if (e == NULL)
            break;
        e->pub.name = df__wl_str(wl, name.s, name.n, DF__WL_MAX_NAME);
        e->pub.imo = first_number(cell(c, col, imo_col), ';', 7);
        e->pub.mmsi = first_number(cell(c, col, COL_MMSI), ';', 9);
        f = cell(c, col, COL_ID);
        if (f.n == 0) {
            snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)row);
            f.s = idbuf;
            f.n = strlen(idbuf);
        }
        e->pub.id = df__wl_str(wl, f.s, f.n, DF__WL_MAX_ID);
        f = first_value(cell(c, col, COL_FLAG), sep);
        e->pub.flag = df__wl_str(wl, f.s, f.n, DF__WL_MAX_SHORT);
        /* The 1718 list's "type" is the vessel's; elsewhere it is the
         * FollowTheMoney schema ("Vessel"), and vessel_type its own. */
        f = first_value(cell(c, col, fmt == FMT_UN1718 ? COL_TYPE
                                                       : COL_VESSEL_TYPE),
                        sep);
        e->pub.vessel_type = df__wl_str(wl, f.s, f.n, DF__WL_MAX_SHORT);
        f = cell(c, col, COL_GRT);
        e->pub.gross_tonnage = tonnage(&f);
        f = cell(c, col, COL_DWT);
        e->pub.deadweight = tonnage(&f);
        f = cell(c, col, COL_BUILD_YEAR);
        if (f.n >= 4 && (f.s[0] == '1' || f.s[0] == '2')) {
            uint32_t y = digit_run(f.s, 4, 4);

            if (y >= 1850 && y <= 2100)
                e->pub.build_year = (uint16_t)y;
        }
        if (fmt == FMT_UN1718) {
            e->pub.program = "UN 1718";
        } else {
            f = cell(c, col, fmt == FMT_OPENSANCTIONS ? COL_DATASETS
                                                       : COL_PROGRAM);
            if (f.n == 0)
                f = cell(c, col, COL_PROGRAM);
            e->pub.program = df__wl_str(wl, f.s, f.n, DF__WL_MAX_SHORT);
        }
        if (!e->pub.name || !e->pub.id || !e->pub.flag || !e->pub.program ||
            !e->pub.vessel_type) {
            rc = DF_NOMEM;
            break;
        }
        f = first_value(cell(c, col, COL_CALLSIGN), sep);
        if (f.n > 0 && df__wl_callsign(wl, e, f.s, f.n) < 0) {
            rc = DF_NOMEM;
            break;
        }
        /* Further names in the name cell ("1: A 2: B"), then aliases. */
        ac.wl = wl;
        ac.e = e;
        ac.skip_first = 1;
        f = cell(c, col, name_col);
        if (split_values(f.s, f.n, 0, add_alias_item, &ac) < 0) {
            rc = DF_NOMEM;
            break;
        }
        ac.skip_first = 0;
        f = cell(c, col, COL_ALIASES);
        if (split_values(f.s, f.n,
                         fmt == FMT_PLAIN && memchr(f.s, '|', f.n) ? '|'
                                                                   : ';',
                         add_alias_item, &ac) < 0) {
            rc = DF_NOMEM;
            break;
        }
        f = cell(c, col, COL_OTHER_INFO);
        if (f.n > 0 && parse_remarks(wl, e, f.s, f.n) < 0) {
            rc = DF_NOMEM;
            break;
        }
    }
    if (rc == DF_NOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (rc == DF_LIMIT)
        snprintf(err, errlen, "%s: more than %u vessel entries, the rest "
                 "skipped", path, DF__WL_MAX_ENTRIES);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

enum df_err df__list_load(struct df_watchlist *wl, const char *buf,
                          size_t len, const char *list, const char *path,
                          char *err, size_t errlen, int *opened)
{
    struct csv c;
    int col[COL_COUNT];
    enum list_format fmt;
    enum df_err rc;

    *opened = 0;
    if (csv_open(&c, buf, len) != 0) {
        csv_close(&c);
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    *opened = 1;
    fmt = csv_next(&c) && !c.bad ? detect(&c, buf, len, col) : FMT_UNKNOWN;
    switch (fmt) {
    case FMT_OFAC:
        rc = load_ofac(wl, &c, list, path, err, errlen);
        break;
    case FMT_OPENSANCTIONS:
    case FMT_UN1718:
    case FMT_PLAIN:
        rc = load_table(wl, &c, fmt, col, list, path, err, errlen);
        break;
    default:
        snprintf(err, errlen, "%s: unknown list format (want OFAC sdn.csv, "
                 "OpenSanctions maritime.csv, UN 1718 vessels CSV, or a "
                 "CSV header naming name and imo, mmsi or call sign)",
                 path);
        rc = DF_FORMAT;
    }
    csv_close(&c);
    return rc;
}
