/*
 * store_query.c - the queries of a workspace over the store (`darkfleet
 * serve`, darkfleet.h section 17): reads from one snapshot under a time
 * limit, vessels searched and ranked, events in a box and a time, a
 * vessel's track in a time thinned to a scale, and what the store holds.
 *
 * Every query is answered from an index (checked with EXPLAIN QUERY PLAN
 * on the real day's store and on one grown to a month; bench/serve.sh):
 *
 *   vessel search    vessels' primary key (an MMSI, its first digits),
 *                    identities_imo (an IMO), vessel_search (any three
 *                    characters of a name or call sign: FTS5 trigrams,
 *                    schema 5) or identities_name (a name's start); the
 *                    matches ranked through risk's primary key
 *   every vessel     risk_score, whose entries are (score DESC, mmsi), for
 *                    the scored ones, then vessels' primary key
 *   events           events_rtree (schema 5) for a box or a time, the
 *                    events' own columns checked after it (its bounds are
 *                    32-bit floats rounded outwards); events_vessel1 and
 *                    events_vessel2 for a vessel; events_start otherwise
 *   track            track_points' primary key (mmsi, t)
 *   days             events_start, read in order and grouped here
 *
 * The SQL of a query is put together from constant pieces, chosen by
 * which filters are set; every value from the caller is a bound
 * parameter.  A store of schema 4 or older has neither the R*Tree nor the
 * trigram index: names are then matched by their start and a box is
 * checked event by event.
 *
 * Reads between df_store_read_begin() and df_store_read_end() run in one
 * read transaction: in WAL mode it sees the last commit before its first
 * read and nothing after, and holds no writer up.  The time limit is a
 * progress handler that interrupts a statement once the transaction is
 * older than the limit.
 */
#include "store_int.h"
#include "util/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PROGRESS_OPS 2000   /* VM steps between looks at the clock */

/* Positionless events sit at (1000, 1000) in the R*Tree, outside every
 * box; a box this large is cheaper to check event by event. */
#define WIDE_LON (90 * 600000)
#define WIDE_LAT (45 * 600000)

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- snapshots and the time limit --------------------------------------- */

static int on_progress(void *ud)
{
    struct df_store *st = ud;

    if (mono_ms() - st->read_t0 <= (int64_t)st->limit_ms)
        return 0;
    st->interrupted = 1;
    return 1;
}

enum df_err df_store_read_begin(struct df_store *st)
{
    if (!st)
        return DF_INVAL;
    df_store_read_end(st);
    st->interrupted = 0;
    st->read_t0 = mono_ms();
    if (st->limit_ms)
        sqlite3_progress_handler(st->db, PROGRESS_OPS, on_progress, st);
    if (!st->readonly)
        return df_store_commit(st);
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        df__store_set_err(st, "starting a read");
        sqlite3_progress_handler(st->db, 0, NULL, NULL);
        return DF_DB;
    }
    st->in_read = 1;
    return DF_OK;
}

void df_store_read_end(struct df_store *st)
{
    if (!st)
        return;
    sqlite3_progress_handler(st->db, 0, NULL, NULL);
    if (!st->in_read)
        return;
    st->in_read = 0;
    /* A read transaction commits unless a statement is still stepping;
     * every reader finalizes its own, so ROLLBACK is for the odd case. */
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void df_store_set_time_limit(struct df_store *st, unsigned ms)
{
    if (st)
        st->limit_ms = ms;
}

int df_store_interrupted(const struct df_store *st)
{
    return st ? st->interrupted : 0;
}

void df_store_set_cache(struct df_store *st, unsigned mib)
{
    char sql[64];

    if (!st || mib == 0)
        return;
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%u",
             mib > 65536 ? 65536u * 1024 : mib * 1024);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

int df_store_schema_version(const struct df_store *st)
{
    return st ? st->version : 0;
}

int64_t df_store_data_version(struct df_store *st)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -1;

    if (!st)
        return -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else
        df__store_set_err(st, "reading the data version");
    sqlite3_finalize(s);
    return v;
}

/* ---- shared pieces ------------------------------------------------------ */

/* Prepares the SQL put together in b (the store's readers' way), or sets
 * the error: out of memory when b ran out. */
static int prepare_buf(struct df_store *st, struct df_buf *b,
                       sqlite3_stmt **s, const char *what)
{
    *s = NULL;
    if (b->oom || !b->data) {
        snprintf(st->err, sizeof st->err, "reading %s: out of memory",
                 what);
        return -1;
    }
    return df__store_prepare_read(st, b->data, s, what);
}

/* Steps a statement that gives one integer; -1 (error set) on failure. */
static int64_t one_int(struct df_store *st, sqlite3_stmt *s,
                       const char *what)
{
    int64_t v = -1;

    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else
        df__store_set_err(st, "counting %s", what);
    sqlite3_finalize(s);
    return v;
}

/* Binds LIMIT (?lo, -1 for none) and OFFSET (?lo + 1). */
static void bind_page(sqlite3_stmt *s, int lo, unsigned limit,
                      uint64_t offset)
{
    sqlite3_bind_int64(s, lo, limit ? (int64_t)limit : -1);
    sqlite3_bind_int64(s, lo + 1,
                       offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
}

/* ---- vessels ------------------------------------------------------------ */

/* Hands the vessels of s (rows of SQL_VESSEL_*) to fn, each with its
 * identities; finalizes s. */
static int hand_vessels(struct df_store *st, sqlite3_stmt *s,
                        int (*fn)(const struct df_vessel *v, double score,
                                  void *ud),
                        void *ud, int *handed)
{
    sqlite3_stmt *ids = NULL;
    struct df_vessel *v;
    int rc = 0, step = SQLITE_DONE;

    if (sqlite3_prepare_v2(st->db, df__store_sql_ids, -1, &ids, NULL) !=
        SQLITE_OK) {
        df__store_set_err(st, "reading identities");
        sqlite3_finalize(s);
        return -1;
    }
    v = df__malloc(sizeof *v);
    if (!v) {
        snprintf(st->err, sizeof st->err, "reading vessels: out of memory");
        sqlite3_finalize(ids);
        sqlite3_finalize(s);
        return -1;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        double score = sqlite3_column_double(s, 8);

        df__store_read_vessel(s, v);
        if (df__store_read_identities(st, ids, v) != 0) {
            rc = -1;
            break;
        }
        if (handed)
            ++*handed;
        rc = fn(v, isfinite(score) ? score : 0, ud);
    }
    df__free(v);
    sqlite3_finalize(ids);
    return df__store_end_read(st, s, rc, step, "vessels");
}

/* Every vessel by rank: those scored above 0 from risk_score (whose
 * entries are (score DESC, mmsi) already), then the rest by MMSI. */
static int ranked_all(struct df_store *st, uint64_t offset, unsigned limit,
                      uint64_t *total,
                      int (*fn)(const struct df_vessel *v, double score,
                                void *ud),
                      void *ud)
{
    static const char sql_scored[] =
        "SELECT count(*) FROM risk r JOIN vessels v ON v.mmsi = r.mmsi"
        " WHERE r.score > 0";
    static const char sql_a[] =
        "SELECT v.mmsi, v.mid, v.flag, v.first_seen, v.last_seen,"
        " v.positions, v.last_lat, v.last_lon, r.score"
        " FROM risk r JOIN vessels v ON v.mmsi = r.mmsi"
        " WHERE r.score > 0 ORDER BY r.score DESC, r.mmsi"
        " LIMIT ?1 OFFSET ?2";
    static const char sql_b[] = SQL_VESSEL_V2
        " WHERE coalesce(r.score, 0) <= 0 ORDER BY v.mmsi"
        " LIMIT ?1 OFFSET ?2";
    static const char sql_v1[] = SQL_VESSEL_V1
        " ORDER BY mmsi LIMIT ?1 OFFSET ?2";
    sqlite3_stmt *s;
    int64_t scored = 0;
    int rc, handed = 0;

    if (total) {
        if (df__store_prepare_read(st, "SELECT count(*) FROM vessels", &s,
                                   "vessels") != 0)
            return -1;
        if ((*total = (uint64_t)one_int(st, s, "vessels")) ==
            (uint64_t)-1)
            return -1;
    }
    if (st->version < 2) {
        if (df__store_prepare_read(st, sql_v1, &s, "vessels") != 0)
            return -1;
        bind_page(s, 1, limit, offset);
        return hand_vessels(st, s, fn, ud, NULL);
    }
    if (df__store_prepare_read(st, sql_scored, &s, "vessels") != 0 ||
        (scored = one_int(st, s, "scored vessels")) < 0)
        return -1;
    if (offset < (uint64_t)scored) {
        if (df__store_prepare_read(st, sql_a, &s, "vessels") != 0)
            return -1;
        bind_page(s, 1, limit, offset);
        rc = hand_vessels(st, s, fn, ud, &handed);
        if (rc != 0)
            return rc;
        if (limit && (unsigned)handed >= limit)
            return 0;
        if (limit)
            limit -= (unsigned)handed;
        offset = 0;
    } else {
        offset -= (uint64_t)scored;
    }
    if (df__store_prepare_read(st, sql_b, &s, "vessels") != 0)
        return -1;
    bind_page(s, 1, limit, offset);
    return hand_vessels(st, s, fn, ud, NULL);
}

/* q as an FTS5 phrase: quoted, its quotes doubled.  A new string or
 * NULL. */
static char *fts_phrase(const char *q, size_t n)
{
    char *p = df__malloc(2 * n + 3), *o = p;
    size_t i;

    if (!p)
        return NULL;
    *o++ = '"';
    for (i = 0; i < n; i++) {
        if (q[i] == '"')
            *o++ = '"';
        *o++ = q[i];
    }
    *o++ = '"';
    *o = '\0';
    return p;
}

/* UTF-8 characters in q (bytes that do not continue one). */
static size_t utf8_chars(const char *q, size_t n)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++)
        c += ((unsigned char)q[i] & 0xC0) != 0x80;
    return c;
}

/* A search's text, cleaned, and what it is matched as. */
struct search {
    char *given, *upper;        /* as given; with ASCII in upper case */
    char *phrase;               /* an FTS5 phrase, when trigram */
    size_t n;
    int64_t num;                /* its value when all digits, else -1 */
    int trigram;                /* names and call signs by trigrams */
};

/* The matching MMSIs as a common table m, each part from an index. */
static void search_cte(const struct search *k, struct df_buf *b)
{
    df_buf_puts(b, "WITH m(mmsi) AS (SELECT mmsi FROM vessels"
                   " WHERE mmsi = ?1");
    if (k->num >= 0 && k->n < 9)
        df_buf_puts(b, " UNION SELECT mmsi FROM vessels"
                       " WHERE mmsi >= ?2 AND mmsi < ?3");
    if (k->num > 0)
        df_buf_puts(b, " UNION SELECT mmsi FROM identities"
                       " WHERE imo = ?1 AND imo != 0");
    if (k->trigram)
        df_buf_puts(b, " UNION SELECT mmsi FROM vessel_search"
                       " WHERE vessel_search MATCH ?4");
    else
        df_buf_puts(b, " UNION SELECT mmsi FROM identities"
                       " WHERE (name >= ?5 AND name < ?7)"
                       " OR (name >= ?6 AND name < ?8)");
    df_buf_puts(b, ") ");
}

/* Binds the search's values to a statement of search_cte's SQL.
 * Returns 0, or -1 when out of memory. */
static int search_bind(const struct search *k, sqlite3_stmt *s)
{
    char *g, *u;

    if (k->num >= 0) {
        int64_t scale = 1;
        size_t i;

        sqlite3_bind_int64(s, 1, k->num);
        for (i = k->n; i < 9; i++)
            scale *= 10;
        sqlite3_bind_int64(s, 2, k->num * scale);
        sqlite3_bind_int64(s, 3, (k->num + 1) * scale);
    }
    if (k->trigram) {
        sqlite3_bind_text(s, 4, k->phrase, -1, SQLITE_STATIC);
        return 0;
    }
    /* df__store_bind_prefix changes the bytes it is given. */
    g = df__malloc(k->n + 1);
    u = df__malloc(k->n + 1);
    if (g && u) {
        memcpy(g, k->given, k->n + 1);
        memcpy(u, k->upper, k->n + 1);
        df__store_bind_prefix(s, 5, g, k->n);
        df__store_bind_prefix(s, 6, u, k->n);
    }
    df__free(g);
    df__free(u);
    return g && u ? 0 : -1;
}

/* Cleans q into k: its blanks around cut, its length and characters
 * checked.  0; -1 with the error set; 1 when it is empty. */
static int search_init(struct df_store *st, const char *q,
                       struct search *k)
{
    const char *end;
    size_t i, n;

    memset(k, 0, sizeof *k);
    if (!q)
        return 1;
    while (*q == ' ' || *q == '\t')
        q++;
    n = strlen(q);
    for (end = q + n; n > 0 && (end[-1] == ' ' || end[-1] == '\t'); end--)
        n--;
    if (n == 0)
        return 1;
    if (n > DF_SEARCH_MAX) {
        snprintf(st->err, sizeof st->err,
                 "searching vessels: a query longer than %d bytes",
                 DF_SEARCH_MAX);
        return -1;
    }
    for (i = 0; i < n; i++)
        if ((unsigned char)q[i] < 0x20 || q[i] == 0x7F) {
            snprintf(st->err, sizeof st->err,
                     "searching vessels: a control character in the "
                     "query");
            return -1;
        }
    k->n = n;
    k->given = df__malloc(n + 1);
    k->upper = df__malloc(n + 1);
    if (!k->given || !k->upper)
        goto oom;
    for (i = 0; i < n; i++) {
        k->given[i] = q[i];
        k->upper[i] = q[i] >= 'a' && q[i] <= 'z'
                          ? (char)(q[i] - 'a' + 'A') : q[i];
    }
    k->given[n] = k->upper[n] = '\0';
    k->num = df__store_parse_digits(k->given);
    k->trigram = st->version >= 5 && utf8_chars(k->given, n) >= 3;
    if (k->trigram && !(k->phrase = fts_phrase(k->given, n)))
        goto oom;
    return 0;
oom:
    snprintf(st->err, sizeof st->err, "searching vessels: out of memory");
    return -1;
}

static void search_fini(struct search *k)
{
    df__free(k->given);
    df__free(k->upper);
    df__free(k->phrase);
}

int df_store_search_vessels(struct df_store *st, const char *q,
                            uint64_t offset, unsigned limit,
                            uint64_t *total,
                            int (*fn)(const struct df_vessel *v,
                                      double score, void *ud),
                            void *ud)
{
    struct df_buf b = {0};
    struct search k;
    sqlite3_stmt *s = NULL;
    int64_t count;
    size_t cte;
    int rc;

    if (!st || !fn)
        return -1;
    if (total)
        *total = 0;
    rc = search_init(st, q, &k);
    if (rc != 0) {
        search_fini(&k);
        return rc < 0 ? -1 : ranked_all(st, offset, limit, total, fn, ud);
    }
    rc = -1;
    search_cte(&k, &b);
    cte = b.len;
    if (total) {
        df_buf_puts(&b, "SELECT count(*) FROM m JOIN vessels v"
                        " ON v.mmsi = m.mmsi");
        if (prepare_buf(st, &b, &s, "vessels") != 0)
            goto out;
        if (search_bind(&k, s) != 0)
            goto oom;
        count = one_int(st, s, "vessels");
        s = NULL;
        if (count < 0)
            goto out;
        *total = (uint64_t)count;
        b.len = cte;
    }
    if (st->version >= 2)
        df_buf_puts(&b, "SELECT v.mmsi, v.mid, v.flag, v.first_seen,"
                        " v.last_seen, v.positions, v.last_lat,"
                        " v.last_lon, coalesce(r.score, 0)"
                        " FROM m JOIN vessels v ON v.mmsi = m.mmsi"
                        " LEFT JOIN risk r ON r.mmsi = v.mmsi"
                        " ORDER BY 9 DESC, v.mmsi LIMIT ?9 OFFSET ?10");
    else
        df_buf_puts(&b, "SELECT v.mmsi, v.mid, v.flag, v.first_seen,"
                        " v.last_seen, v.positions, v.last_lat,"
                        " v.last_lon, 0.0"
                        " FROM m JOIN vessels v ON v.mmsi = m.mmsi"
                        " ORDER BY v.mmsi LIMIT ?9 OFFSET ?10");
    if (prepare_buf(st, &b, &s, "vessels") != 0)
        goto out;
    if (search_bind(&k, s) != 0)
        goto oom;
    bind_page(s, 9, limit, offset);
    rc = hand_vessels(st, s, fn, ud, NULL);
    s = NULL;
    goto out;
oom:
    snprintf(st->err, sizeof st->err, "searching vessels: out of memory");
out:
    sqlite3_finalize(s);
    df_buf_free(&b);
    search_fini(&k);
    return rc;
}

/* ---- events ------------------------------------------------------------- */

void df_event_query_init(struct df_event_query *q)
{
    memset(q, 0, sizeof *q);
    q->from_ms = q->to_ms = DF_TIME_NONE;
    q->min_score = NAN;
}

/* Parameters of the events query, by number. */
enum {
    P_ID = 1, P_MMSI, P_MINLON, P_MINLAT, P_MAXLON, P_MAXLAT,
    P_FROM_S, P_TO_S, P_FROM, P_TO, P_SCORE, P_LIMIT, P_OFFSET,
    P_TYPES                     /* and one more per type */
};

/* FROM and WHERE of q, into b: through the R*Tree for a box (not a
 * wide one) or a time, unless an id or a vessel narrows it more. */
static void events_where(const struct df_store *st,
                         const struct df_event_query *q, struct df_buf *b)
{
    int has_from = q->from_ms != DF_TIME_NONE;
    int has_to = q->to_ms != DF_TIME_NONE;
    int cross = q->box && q->minlon > q->maxlon;
    int wide = q->box && (cross ? 360 * 600000 - (q->minlon - q->maxlon)
                                : q->maxlon - q->minlon) >= WIDE_LON &&
               q->maxlat - q->minlat >= WIDE_LAT;
    int rtree = st->version >= 5 && !q->id && !q->mmsi &&
                ((q->box && !wide) || has_from || has_to);
    unsigned t, k = 0;

    if (rtree)
        df_buf_puts(b, " FROM events_rtree r CROSS JOIN events e"
                       " ON e.id = r.id WHERE 1");
    else
        df_buf_puts(b, " FROM events e WHERE 1");
    if (q->id)
        df_buf_puts(b, " AND e.id = ?1");
    if (q->mmsi)
        df_buf_puts(b, " AND (e.vessel1 = ?2 OR e.vessel2 = ?2)");
    if (q->box) {
        if (rtree) {
            df_buf_puts(b, " AND r.minlat <= ?6 AND r.maxlat >= ?4");
            if (!cross)
                df_buf_puts(b, " AND r.minlon <= ?5 AND r.maxlon >= ?3");
        }
        df_buf_puts(b, " AND e.lat BETWEEN ?4 AND ?6");
        df_buf_puts(b, cross ? " AND (e.lon >= ?3 OR e.lon <= ?5)"
                             : " AND e.lon BETWEEN ?3 AND ?5");
    }
    if (has_from) {
        if (rtree)
            df_buf_puts(b, " AND r.maxt >= ?7");
        df_buf_puts(b, " AND coalesce(e.end, e.start) >= ?9");
    }
    if (has_to) {
        if (rtree)
            df_buf_puts(b, " AND r.mint <= ?8");
        df_buf_puts(b, " AND coalesce(e.start, e.end) <= ?10");
    }
    if (!isnan(q->min_score))
        df_buf_puts(b, " AND e.score >= ?11");
    if (q->types) {
        df_buf_puts(b, " AND e.type IN (");
        for (t = 0; t < DF_EV_COUNT; t++)
            if (q->types & (1u << t))
                df_buf_printf(b, "%s?%u", k++ ? ", " : "", P_TYPES + t);
        df_buf_puts(b, ")");
    }
}

/* Binds q's values to s (a statement of events_where's SQL). */
static void events_bind(sqlite3_stmt *s, const struct df_event_query *q,
                        char *from_iso, char *to_iso)
{
    unsigned t;

    sqlite3_bind_int64(s, P_ID, q->id);
    sqlite3_bind_int64(s, P_MMSI, q->mmsi);
    sqlite3_bind_double(s, P_MINLON, q->minlon / 600000.0);
    sqlite3_bind_double(s, P_MINLAT, q->minlat / 600000.0);
    sqlite3_bind_double(s, P_MAXLON, q->maxlon / 600000.0);
    sqlite3_bind_double(s, P_MAXLAT, q->maxlat / 600000.0);
    if (q->from_ms != DF_TIME_NONE) {
        /* Seconds for the R*Tree (its bounds are rounded outwards, so
         * rounding these outwards keeps every candidate); ISO text, as
         * stored, for the events' own columns. */
        sqlite3_bind_int64(s, P_FROM_S,
                           q->from_ms >= 0 ? q->from_ms / 1000
                                           : -((-q->from_ms + 999) / 1000));
        if (df__store_iso_ms(q->from_ms, from_iso) > 0)
            sqlite3_bind_text(s, P_FROM, from_iso, -1, SQLITE_STATIC);
        else
            sqlite3_bind_text(s, P_FROM, q->from_ms < 0 ? "" : "~", -1,
                              SQLITE_STATIC);
    }
    if (q->to_ms != DF_TIME_NONE) {
        sqlite3_bind_int64(s, P_TO_S,
                           q->to_ms >= 0 ? (q->to_ms + 999) / 1000
                                         : -(-q->to_ms / 1000));
        if (df__store_iso_ms(q->to_ms, to_iso) > 0)
            sqlite3_bind_text(s, P_TO, to_iso, -1, SQLITE_STATIC);
        else
            sqlite3_bind_text(s, P_TO, q->to_ms < 0 ? "" : "~", -1,
                              SQLITE_STATIC);
    }
    if (!isnan(q->min_score))
        sqlite3_bind_double(s, P_SCORE, q->min_score);
    for (t = 0; t < DF_EV_COUNT; t++)
        if (q->types & (1u << t))
            sqlite3_bind_text(s, P_TYPES + (int)t,
                              df_event_name((enum df_event_type)t), -1,
                              SQLITE_STATIC);
}

/* A row of the events query into r; 0 when its type is unknown. */
static int read_event_row(sqlite3_stmt *s, struct df_event_row *r)
{
    memset(r, 0, sizeof *r);
    if (!df__store_event_cols(s, &r->ev))
        return 0;
    r->id = sqlite3_column_int64(s, 0);
    r->provisional = sqlite3_column_int(s, 10) != 0;
    return 1;
}

int df_store_query_events(struct df_store *st,
                          const struct df_event_query *q, uint64_t *total,
                          int (*fn)(const struct df_event_row *r, void *ud),
                          void *ud)
{
    struct df_buf b = {0};
    sqlite3_stmt *s = NULL;
    struct df_event_row *row = NULL;
    char from_iso[32], to_iso[32];
    int rc = 0, step = SQLITE_DONE;

    if (!st || !q || !fn)
        return -1;
    if (total)
        *total = 0;
    if (q->box && (q->minlat > q->maxlat || q->minlat < -90 * 600000 ||
                   q->maxlat > 90 * 600000 || q->minlon < -180 * 600000 ||
                   q->maxlon > 180 * 600000)) {
        snprintf(st->err, sizeof st->err,
                 "reading events: a box out of range or upside down");
        return -1;
    }
    if (total) {
        df_buf_puts(&b, "SELECT count(*)");
        events_where(st, q, &b);
        if (prepare_buf(st, &b, &s, "events") != 0) {
            df_buf_free(&b);
            return -1;
        }
        events_bind(s, q, from_iso, to_iso);
        if ((*total = (uint64_t)one_int(st, s, "events")) ==
            (uint64_t)-1) {
            df_buf_free(&b);
            return -1;
        }
        b.len = 0;
    }
    df_buf_puts(&b, "SELECT e.id, e.type, e.vessel1, e.vessel2, e.start,"
                    " e.end, e.lat, e.lon, e.score, ");
    df_buf_puts(&b, q->brief ? "'', " : "e.evidence, ");
    df_buf_puts(&b, st->version >= 4 ? "e.provisional" : "0");
    events_where(st, q, &b);
    df_buf_puts(&b, q->by_score ? " ORDER BY e.score DESC, e.id"
                                : " ORDER BY e.start, e.id");
    df_buf_puts(&b, " LIMIT ?12 OFFSET ?13");
    if (prepare_buf(st, &b, &s, "events") != 0) {
        df_buf_free(&b);
        return -1;
    }
    df_buf_free(&b);
    events_bind(s, q, from_iso, to_iso);
    bind_page(s, P_LIMIT, q->limit, q->offset);
    row = df__malloc(sizeof *row);
    if (!row) {
        snprintf(st->err, sizeof st->err, "reading events: out of memory");
        sqlite3_finalize(s);
        return -1;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW)
        if (read_event_row(s, row))
            rc = fn(row, ud);
    df__free(row);
    return df__store_end_read(st, s, rc, step, "events");
}

/* ---- tracks ------------------------------------------------------------- */

/* The track points' WHERE for a vessel and a time range. */
static void track_where(struct df_buf *b, int64_t from_ms, int64_t to_ms)
{
    df_buf_puts(b, " FROM track_points WHERE mmsi = ?1");
    if (from_ms != DF_TIME_NONE)
        df_buf_puts(b, " AND t >= ?2");
    if (to_ms != DF_TIME_NONE)
        df_buf_puts(b, " AND t <= ?3");
}

static void track_bind(sqlite3_stmt *s, uint32_t mmsi, int64_t from_ms,
                       int64_t to_ms, char *from_iso, char *to_iso)
{
    sqlite3_bind_int64(s, 1, mmsi);
    if (from_ms != DF_TIME_NONE) {
        if (df__store_iso_ms(from_ms, from_iso) == 0)
            strcpy(from_iso, from_ms < 0 ? "" : "~");
        sqlite3_bind_text(s, 2, from_iso, -1, SQLITE_STATIC);
    }
    if (to_ms != DF_TIME_NONE) {
        if (df__store_iso_ms(to_ms, to_iso) == 0)
            strcpy(to_iso, to_ms < 0 ? "" : "~");
        sqlite3_bind_text(s, 3, to_iso, -1, SQLITE_STATIC);
    }
}

static void read_point(sqlite3_stmt *s, struct df_point *p)
{
    memset(p, 0, sizeof *p);
    p->t_ms = df__store_parse_iso(sqlite3_column_text(s, 0));
    p->lat = df__store_col_coord(s, 1, DF_LAT_NA);
    p->lon = df__store_col_coord(s, 2, DF_LON_NA);
    p->speed = sqlite3_column_type(s, 3) == SQLITE_NULL
                   ? DF_SPEED_NA
                   : (uint16_t)llround(sqlite3_column_double(s, 3) * 10);
    p->course = sqlite3_column_type(s, 4) == SQLITE_NULL
                    ? DF_COURSE_NA
                    : (uint16_t)llround(sqlite3_column_double(s, 4) * 10);
}

/* The grid cell of a point: its position divided by cell, floored. */
static int64_t cell_of(const struct df_point *p, int32_t cell)
{
    int64_t x, y;

    if (p->lon == DF_LON_NA || p->lat == DF_LAT_NA)
        return INT64_MIN;
    x = p->lon >= 0 ? p->lon / cell : -((-(int64_t)p->lon + cell - 1) / cell);
    y = p->lat >= 0 ? p->lat / cell : -((-(int64_t)p->lat + cell - 1) / cell);
    return x * 4000000 + y;
}

int df_store_track(struct df_store *st, uint32_t mmsi, int64_t from_ms,
                   int64_t to_ms, int32_t cell, unsigned max_points,
                   uint64_t *total,
                   int (*fn)(uint32_t mmsi, const struct df_point *p,
                             void *ud),
                   void *ud)
{
    struct df_buf b = {0};
    sqlite3_stmt *s = NULL;
    struct df_point p, held;
    char from_iso[32], to_iso[32];
    int64_t n = 0, i = 0, stride = 1, last_cell = 0;
    int rc = 0, step = SQLITE_DONE, have_held = 0, kept_any = 0;

    if (!st || !fn)
        return -1;
    if (total)
        *total = 0;
    if (cell < 0)
        cell = 0;
    /* How many, for the stride: a count over the primary key's range. */
    df_buf_puts(&b, "SELECT count(*)");
    track_where(&b, from_ms, to_ms);
    if (prepare_buf(st, &b, &s, "track points") != 0) {
        df_buf_free(&b);
        return -1;
    }
    track_bind(s, mmsi, from_ms, to_ms, from_iso, to_iso);
    if ((n = one_int(st, s, "track points")) < 0) {
        df_buf_free(&b);
        return -1;
    }
    if (total)
        *total = (uint64_t)n;
    /* Every stride-th point and the last: at most max_points. */
    if (max_points && max_points < 2)
        max_points = 2;
    if (max_points && n > (int64_t)max_points)
        stride = (n - 1 + max_points - 2) / (max_points - 1);
    b.len = 0;
    df_buf_puts(&b, "SELECT t, lat, lon, speed, course");
    track_where(&b, from_ms, to_ms);
    df_buf_puts(&b, " ORDER BY t");
    if (prepare_buf(st, &b, &s, "track points") != 0) {
        df_buf_free(&b);
        return -1;
    }
    df_buf_free(&b);
    track_bind(s, mmsi, from_ms, to_ms, from_iso, to_iso);
    /* Each point read is held until the next comes, so that the last
     * one is always handed out, whatever the stride and the cells. */
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        read_point(s, &p);
        if (have_held) {
            int64_t c = cell ? cell_of(&held, cell) : 0;
            int keep = !kept_any ||
                       ((i - 1) % stride == 0 && (!cell || c != last_cell));

            if (keep) {
                rc = fn(mmsi, &held, ud);
                kept_any = 1;
                last_cell = c;
            }
        }
        held = p;
        have_held = 1;
        i++;
    }
    if (rc == 0 && have_held && (step == SQLITE_DONE))
        rc = fn(mmsi, &held, ud);
    return df__store_end_read(st, s, rc, step, "track points");
}

/* ---- what the store holds ----------------------------------------------- */

/* A meta value as ms since the epoch, or DF_TIME_NONE. */
static int64_t meta_time(struct df_store *st, const char *key)
{
    char v[64];

    if (df_store_meta_get(st, key, v, sizeof v) != 1)
        return DF_TIME_NONE;
    return df__store_parse_iso((const unsigned char *)v);
}

int df_store_summary(struct df_store *st, struct df_store_summary *sum)
{
    sqlite3_stmt *s;
    int step, t;
    int64_t v;

    if (!st || !sum)
        return -1;
    memset(sum, 0, sizeof *sum);
    sum->schema_version = st->version;
    sum->first_ms = sum->last_ms = DF_TIME_NONE;
    if (df__store_prepare_read(st,
                               "SELECT count(*), coalesce(sum(positions),"
                               " 0), min(first_seen), max(last_seen)"
                               " FROM vessels",
                               &s, "vessels") != 0)
        return -1;
    if ((step = sqlite3_step(s)) == SQLITE_ROW) {
        sum->vessels = (uint64_t)sqlite3_column_int64(s, 0);
        sum->positions = (uint64_t)sqlite3_column_int64(s, 1);
        sum->first_ms = df__store_parse_iso(sqlite3_column_text(s, 2));
        sum->last_ms = df__store_parse_iso(sqlite3_column_text(s, 3));
        step = SQLITE_DONE;
    }
    if (df__store_end_read(st, s, 0, step, "vessels") != 0)
        return -1;
    if (st->version >= 2) {
        if (df__store_prepare_read(st,
                                   "SELECT count(*) FROM risk"
                                   " WHERE score > 0",
                                   &s, "risk") != 0 ||
            (v = one_int(st, s, "scored vessels")) < 0)
            return -1;
        sum->scored = (uint64_t)v;
    }
    if (df__store_prepare_read(st,
                               "SELECT type, count(*) FROM events"
                               " GROUP BY type",
                               &s, "events") != 0)
        return -1;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        t = df_event_type_from_name((const char *)sqlite3_column_text(s, 0));
        if (t < 0)
            continue;
        sum->by_type[t] = (uint64_t)sqlite3_column_int64(s, 1);
        sum->events += sum->by_type[t];
    }
    if (df__store_end_read(st, s, 0, step, "events") != 0)
        return -1;
    if (st->version >= 4) {
        if (df__store_prepare_read(st,
                                   "SELECT count(*) FROM events"
                                   " WHERE provisional != 0",
                                   &s, "events") != 0 ||
            (v = one_int(st, s, "provisional events")) < 0)
            return -1;
        sum->provisional = (uint64_t)v;
    }
    sum->created_ms = meta_time(st, "created");
    sum->last_scan_ms = meta_time(st, "last_scan");
    return 0;
}

int df_store_each_day(struct df_store *st,
                      int (*fn)(int64_t day_ms, uint64_t events, void *ud),
                      void *ud)
{
    sqlite3_stmt *s;
    char day[11] = "", cur[11];
    uint64_t count = 0;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    /* events_start in order, grouped here: no sort, no temporary. */
    if (df__store_prepare_read(st,
                               "SELECT start FROM events"
                               " WHERE start IS NOT NULL ORDER BY start",
                               &s, "events") != 0)
        return -1;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);

        if (!t || sqlite3_column_bytes(s, 0) < 10)
            continue;
        memcpy(cur, t, 10);
        cur[10] = '\0';
        if (df_time_parse(cur, 10) == DF_TIME_NONE)
            continue;
        if (count && strcmp(cur, day) != 0) {
            rc = fn(df_time_parse(day, 10), count, ud);
            count = 0;
        }
        memcpy(day, cur, sizeof day);
        count++;
    }
    if (rc == 0 && step == SQLITE_DONE && count)
        rc = fn(df_time_parse(day, 10), count, ud);
    return df__store_end_read(st, s, rc, step, "events");
}
