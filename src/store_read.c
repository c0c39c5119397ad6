/*
 * store_read.c - reading the store back: the df_store_each_* readers,
 * which hand vessels (with their identities), risk reasons, events and
 * track points to a callback in the orders darkfleet.h documents, and the
 * lookups of one vessel's history (`darkfleet vessel`): vessels by MMSI,
 * IMO or name, one vessel, its distinct identities, its encounter
 * partners.  They read a store opened by df_store_open_ro (the report,
 * the export, vessel) or one being written, which commits first, so that
 * what is read is everything written.
 *
 * Every query of a lookup is answered from an index of the schema
 * (EXPLAIN QUERY PLAN: vessels' and risk's primary keys; identities_imo,
 * identities_name and identities' UNIQUE key, which starts with mmsi;
 * events_key, whose (type, vessel1) prefix finds a vessel's encounters,
 * and events_vessel2), so that a lookup costs the same in a store of a
 * day or of a year.
 *
 * Values come back in the units they were written from: degrees to wire
 * units (1/10000 min), knots and degrees to tenths, ISO times to ms since
 * the epoch (store.c has the stored units).  A version 1 store, which has
 * no risk tables, reads as one with no risk: every score 0, no reasons.
 */
#include "store_int.h"
#include "util/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the readers' shared pieces (store_int.h) ------------------------ */

int32_t df__store_col_coord(sqlite3_stmt *s, int i, int32_t na)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return na;
    return (int32_t)llround(sqlite3_column_double(s, i) * 600000.0);
}

void df__store_col_str(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

int df__store_prepare_read(struct df_store *st, const char *sql,
                           sqlite3_stmt **s, const char *what)
{
    *s = NULL;
    if (!st->readonly && df_store_commit(st) != DF_OK)
        return -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
        df__store_set_err(st, "reading %s", what);
        return -1;
    }
    return 0;
}

int df__store_end_read(struct df_store *st, sqlite3_stmt *s, int rc,
                       int step, const char *what)
{
    if (rc == 0 && step != SQLITE_DONE) {
        df__store_set_err(st, "reading %s", what);
        rc = -1;
    }
    sqlite3_finalize(s);
    return rc;
}

int df__store_read_identities(struct df_store *st, sqlite3_stmt *s,
                              struct df_vessel *v)
{
    int step;
    unsigned n = 0;

    sqlite3_bind_int64(s, 1, v->mmsi);
    while ((step = sqlite3_step(s)) == SQLITE_ROW && n < DF_MAX_IDENTITIES) {
        struct df_identity *id = &v->identities[n++];

        id->first_ms = df__store_parse_iso(sqlite3_column_text(s, 0));
        id->last_ms = df__store_parse_iso(sqlite3_column_text(s, 1));
        id->imo = (uint32_t)sqlite3_column_int64(s, 2);
        df__store_col_str(s, 3, id->shipname, sizeof id->shipname);
        df__store_col_str(s, 4, id->callsign, sizeof id->callsign);
        df__store_col_str(s, 5, id->destination, sizeof id->destination);
        id->shiptype = (uint8_t)sqlite3_column_int(s, 6);
        id->length_m = (uint16_t)sqlite3_column_int(s, 7);
        id->width_m = (uint16_t)sqlite3_column_int(s, 8);
        id->draught = (uint8_t)llround(sqlite3_column_double(s, 9) * 10.0);
    }
    sqlite3_reset(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        df__store_set_err(st, "reading identities");
        return -1;
    }
    /* Selected newest first (the newest DF_MAX_IDENTITIES); handed out
     * oldest first, as the tracker keeps them. */
    v->nidentities = n;
    for (unsigned i = 0; i < n / 2; i++) {
        struct df_identity tmp = v->identities[i];
        v->identities[i] = v->identities[n - 1 - i];
        v->identities[n - 1 - i] = tmp;
    }
    return 0;
}

void df__store_read_vessel(sqlite3_stmt *s, struct df_vessel *v)
{
    memset(v, 0, sizeof *v);
    v->mmsi = (uint32_t)sqlite3_column_int64(s, 0);
    v->mid = (uint16_t)sqlite3_column_int(s, 1);
    df__store_col_str(s, 2, v->flag, sizeof v->flag);
    v->first_ms = df__store_parse_iso(sqlite3_column_text(s, 3));
    v->last_ms = df__store_parse_iso(sqlite3_column_text(s, 4));
    v->positions = (uint64_t)sqlite3_column_int64(s, 5);
    v->last_lat = df__store_col_coord(s, 6, DF_LAT_NA);
    v->last_lon = df__store_col_coord(s, 7, DF_LON_NA);
}

const char df__store_sql_ids[] =
    "SELECT first_seen, last_seen, imo, name, callsign, destination,"
    " shiptype, length_m, width_m, draught_m FROM identities"
    " WHERE mmsi = ?1 ORDER BY first_seen DESC, rowid DESC LIMIT 16";

/* ---- the readers ------------------------------------------------------ */

/*
 * Vessels by score (descending), then MMSI.  Each comes with its
 * identities, oldest first (by first seen; the newest DF_MAX_IDENTITIES
 * when more are stored).  A version 1 store has no risk: every score 0.
 */
int df_store_each_vessel(struct df_store *st,
                         int (*fn)(const struct df_vessel *v, double score,
                                   void *ud),
                         void *ud)
{
    static const char sql_v2[] = SQL_VESSEL_V2 " ORDER BY 9 DESC, v.mmsi";
    static const char sql_v1[] = SQL_VESSEL_V1 " ORDER BY mmsi";
    sqlite3_stmt *s, *ids = NULL;
    struct df_vessel *v;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (df__store_prepare_read(st, st->version >= 2 ? sql_v2 : sql_v1, &s,
                               "vessels") != 0)
        return -1;
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
        df__store_read_vessel(s, v);
        if (df__store_read_identities(st, ids, v) != 0) {
            rc = -1;
            break;
        }
        rc = fn(v, sqlite3_column_double(s, 8), ud);
    }
    df__free(v);
    sqlite3_finalize(ids);
    return df__store_end_read(st, s, rc, step, "vessels");
}

/* Reasons by points (descending), then in the order they were added. */
int df_store_each_reason(struct df_store *st, uint32_t mmsi,
                         int (*fn)(const struct df_reason *r, void *ud),
                         void *ud)
{
    sqlite3_stmt *s;
    struct df_reason r;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (st->version < 2)
        return 0;   /* a version 1 store: no risk yet */
    if (df__store_prepare_read(st,
                               st->version >= 3
                                   ? "SELECT points, text, event_type,"
                                     " event_id, contribution FROM reasons"
                                     " WHERE mmsi = ?1 ORDER BY"
                                     " contribution DESC, points DESC, id"
                                   : "SELECT points, text, event_type,"
                                     " event_id, points FROM reasons"
                                     " WHERE mmsi = ?1"
                                     " ORDER BY points DESC, id",
                               &s, "reasons") != 0)
        return -1;
    sqlite3_bind_int64(s, 1, mmsi);
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        r.points = sqlite3_column_double(s, 0);
        df__store_col_str(s, 1, r.text, sizeof r.text);
        df__store_col_str(s, 2, r.event_type, sizeof r.event_type);
        r.event_id = sqlite3_column_int64(s, 3);
        r.contribution = sqlite3_column_double(s, 4);
        rc = fn(&r, ud);
    }
    return df__store_end_read(st, s, rc, step, "reasons");
}

int df__store_event_cols(sqlite3_stmt *s, struct df_event *ev)
{
    int type = df_event_type_from_name(
        (const char *)sqlite3_column_text(s, 1));

    if (type < 0)
        return 0;
    memset(ev, 0, sizeof *ev);
    ev->type = (enum df_event_type)type;
    ev->vessels[0] = (uint32_t)sqlite3_column_int64(s, 2);
    ev->nvessels = 1;
    if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
        ev->vessels[1] = (uint32_t)sqlite3_column_int64(s, 3);
        ev->nvessels = 2;
    }
    ev->start_ms = df__store_parse_iso(sqlite3_column_text(s, 4));
    ev->end_ms = df__store_parse_iso(sqlite3_column_text(s, 5));
    ev->lat = df__store_col_coord(s, 6, DF_LAT_NA);
    ev->lon = df__store_col_coord(s, 7, DF_LON_NA);
    ev->score = sqlite3_column_type(s, 8) == SQLITE_NULL
                    ? NAN
                    : sqlite3_column_double(s, 8);
    if (sqlite3_column_bytes(s, 9) >= (int)sizeof ev->evidence)
        snprintf(ev->evidence, sizeof ev->evidence, "{\"truncated\":true}");
    else
        df__store_col_str(s, 9, ev->evidence, sizeof ev->evidence);
    return 1;
}

/* Events by start (unknown starts first), then id; rows of a type this
 * darkfleet does not know are skipped. */
int df_store_each_event(struct df_store *st, uint32_t mmsi,
                        int (*fn)(int64_t id, const struct df_event *ev,
                                  void *ud),
                        void *ud)
{
    static const char sql_all[] =
        "SELECT id, type, vessel1, vessel2, start, end, lat, lon, score,"
        " evidence FROM events ORDER BY start, id";
    static const char sql_one[] =
        "SELECT id, type, vessel1, vessel2, start, end, lat, lon, score,"
        " evidence FROM events WHERE vessel1 = ?1 OR vessel2 = ?1"
        " ORDER BY start, id";
    sqlite3_stmt *s;
    struct df_event *ev;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (df__store_prepare_read(st, mmsi ? sql_one : sql_all, &s,
                               "events") != 0)
        return -1;
    if (mmsi)
        sqlite3_bind_int64(s, 1, mmsi);
    ev = df__malloc(sizeof *ev);
    if (!ev) {
        snprintf(st->err, sizeof st->err, "reading events: out of memory");
        sqlite3_finalize(s);
        return -1;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        if (!df__store_event_cols(s, ev))
            continue;
        rc = fn(sqlite3_column_int64(s, 0), ev, ud);
    }
    df__free(ev);
    return df__store_end_read(st, s, rc, step, "events");
}

/* Points by MMSI, then time. */
int df_store_each_point(struct df_store *st, uint32_t mmsi,
                        int (*fn)(uint32_t mmsi, const struct df_point *p,
                                  void *ud),
                        void *ud)
{
    static const char sql_all[] =
        "SELECT mmsi, t, lat, lon, speed, course FROM track_points"
        " ORDER BY mmsi, t";
    static const char sql_one[] =
        "SELECT mmsi, t, lat, lon, speed, course FROM track_points"
        " WHERE mmsi = ?1 ORDER BY t";
    sqlite3_stmt *s;
    struct df_point p;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (df__store_prepare_read(st, mmsi ? sql_one : sql_all, &s,
                               "track points") != 0)
        return -1;
    if (mmsi)
        sqlite3_bind_int64(s, 1, mmsi);
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&p, 0, sizeof p);
        p.t_ms = df__store_parse_iso(sqlite3_column_text(s, 1));
        p.lat = df__store_col_coord(s, 2, DF_LAT_NA);
        p.lon = df__store_col_coord(s, 3, DF_LON_NA);
        p.speed = sqlite3_column_type(s, 4) == SQLITE_NULL
                      ? DF_SPEED_NA
                      : (uint16_t)llround(sqlite3_column_double(s, 4) * 10);
        p.course = sqlite3_column_type(s, 5) == SQLITE_NULL
                       ? DF_COURSE_NA
                       : (uint16_t)llround(sqlite3_column_double(s, 5) * 10);
        rc = fn((uint32_t)sqlite3_column_int64(s, 0), &p, ud);
    }
    return df__store_end_read(st, s, rc, step, "track points");
}

/* ---- one vessel's history ----------------------------------------------- */

int64_t df__store_parse_digits(const char *value)
{
    int64_t n = 0;
    size_t i;

    for (i = 0; value[i]; i++) {
        if (value[i] < '0' || value[i] > '9' || i >= 10)
            return -1;
        n = n * 10 + (value[i] - '0');
    }
    return i == 0 || n > UINT32_MAX ? -1 : n;
}

void df__store_bind_prefix(sqlite3_stmt *s, int lo, char *p, size_t n)
{
    size_t k = n;

    sqlite3_bind_text(s, lo, p, (int)n, SQLITE_TRANSIENT);
    while (k > 0 && (unsigned char)p[k - 1] == 0xFF)
        k--;
    if (k == 0) {
        sqlite3_bind_null(s, lo);
        sqlite3_bind_null(s, lo + 2);
        return;
    }
    p[k - 1] = (char)((unsigned char)p[k - 1] + 1);
    sqlite3_bind_text(s, lo + 2, p, (int)k, SQLITE_TRANSIENT);
}

int df_store_find_vessels(struct df_store *st, enum df_vessel_key key,
                          const char *value,
                          int (*fn)(uint32_t mmsi, void *ud), void *ud)
{
    /* identities_imo is partial (imo != 0): the query repeats its WHERE
     * for SQLite to use it.  The join drops identities whose vessel row
     * is missing (a foreign writer's). */
#define SQL_FIND(where)                                                    \
    "SELECT i.mmsi FROM identities i JOIN vessels v ON v.mmsi = i.mmsi"    \
    " WHERE " where " GROUP BY i.mmsi ORDER BY min(i.first_seen), i.mmsi"
    static const char *const sql[] = {
        [DF_VKEY_MMSI] = "SELECT mmsi FROM vessels WHERE mmsi = ?1",
        [DF_VKEY_IMO] = SQL_FIND("i.imo = ?1 AND i.imo != 0"),
        [DF_VKEY_NAME] = SQL_FIND("i.name IN (?1, ?2)"),
        [DF_VKEY_NAME_PREFIX] =
            SQL_FIND("(i.name >= ?1 AND i.name < ?3)"
                     " OR (i.name >= ?2 AND i.name < ?4)"),
    };
#undef SQL_FIND
    sqlite3_stmt *s;
    size_t n, i;
    char *given = NULL, *upper = NULL;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn || !value || (unsigned)key > DF_VKEY_NAME_PREFIX)
        return -1;
    n = strlen(value);
    if (n == 0 || n > INT32_MAX) {
        snprintf(st->err, sizeof st->err,
                 "finding vessels: an empty or overlong query");
        return -1;
    }
    if (key <= DF_VKEY_IMO && df__store_parse_digits(value) < 0) {
        snprintf(st->err, sizeof st->err,
                 "finding vessels: not an MMSI or IMO number");
        return -1;
    }
    if (df__store_prepare_read(st, sql[key], &s, "vessels") != 0)
        return -1;
    if (key <= DF_VKEY_IMO) {
        sqlite3_bind_int64(s, 1, df__store_parse_digits(value));
    } else {
        given = df__malloc(n + 1);
        upper = df__malloc(n + 1);
        if (!given || !upper) {
            snprintf(st->err, sizeof st->err,
                     "finding vessels: out of memory");
            df__free(given);
            df__free(upper);
            sqlite3_finalize(s);
            return -1;
        }
        for (i = 0; i <= n; i++) {
            given[i] = value[i];
            upper[i] = value[i] >= 'a' && value[i] <= 'z'
                           ? (char)(value[i] - 'a' + 'A') : value[i];
        }
        if (key == DF_VKEY_NAME) {
            sqlite3_bind_text(s, 1, given, (int)n, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, upper, (int)n, SQLITE_STATIC);
        } else {
            df__store_bind_prefix(s, 1, given, n);
            df__store_bind_prefix(s, 2, upper, n);
        }
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = fn((uint32_t)sqlite3_column_int64(s, 0), ud);
    rc = df__store_end_read(st, s, rc, step, "vessels");
    df__free(given);
    df__free(upper);
    return rc;
}

int df_store_get_vessel(struct df_store *st, uint32_t mmsi,
                        struct df_vessel *v, double *score)
{
    static const char sql_v2[] = SQL_VESSEL_V2 " WHERE v.mmsi = ?1";
    static const char sql_v1[] = SQL_VESSEL_V1 " WHERE mmsi = ?1";
    sqlite3_stmt *s, *ids = NULL;
    int step, found = 0;

    if (!st || !v)
        return -1;
    if (df__store_prepare_read(st, st->version >= 2 ? sql_v2 : sql_v1, &s,
                               "vessels") != 0)
        return -1;
    sqlite3_bind_int64(s, 1, mmsi);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        df__store_read_vessel(s, v);
        if (score)
            *score = sqlite3_column_double(s, 8);
        if (sqlite3_prepare_v2(st->db, df__store_sql_ids, -1, &ids, NULL) !=
            SQLITE_OK) {
            df__store_set_err(st, "reading identities");
            sqlite3_finalize(s);
            return -1;
        }
        found = df__store_read_identities(st, ids, v) == 0 ? 1 : -1;
        sqlite3_finalize(ids);
    } else if (step != SQLITE_DONE) {
        df__store_set_err(st, "reading vessels");
        found = -1;
    }
    sqlite3_finalize(s);
    return found;
}

int df_store_each_identity(struct df_store *st, uint32_t mmsi,
                           int (*fn)(const struct df_identity *id,
                                     void *ud),
                           void *ud)
{
    /* The GROUP BY walks identities' UNIQUE key (mmsi, imo, name,
     * callsign, destination, shiptype, length_m, ...) in order. */
    static const char sql[] =
        "SELECT min(first_seen), max(last_seen), imo, name, callsign,"
        " destination, shiptype, length_m, max(width_m), max(draught_m)"
        " FROM identities WHERE mmsi = ?1"
        " GROUP BY imo, name, callsign, destination, shiptype, length_m"
        " ORDER BY 1, min(rowid)";
    sqlite3_stmt *s;
    struct df_identity id;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (df__store_prepare_read(st, sql, &s, "identities") != 0)
        return -1;
    sqlite3_bind_int64(s, 1, mmsi);
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&id, 0, sizeof id);
        id.first_ms = df__store_parse_iso(sqlite3_column_text(s, 0));
        id.last_ms = df__store_parse_iso(sqlite3_column_text(s, 1));
        id.imo = (uint32_t)sqlite3_column_int64(s, 2);
        df__store_col_str(s, 3, id.shipname, sizeof id.shipname);
        df__store_col_str(s, 4, id.callsign, sizeof id.callsign);
        df__store_col_str(s, 5, id.destination, sizeof id.destination);
        id.shiptype = (uint8_t)sqlite3_column_int(s, 6);
        id.length_m = (uint16_t)sqlite3_column_int(s, 7);
        id.width_m = (uint16_t)sqlite3_column_int(s, 8);
        id.draught = (uint8_t)llround(sqlite3_column_double(s, 9) * 10.0);
        rc = fn(&id, ud);
    }
    return df__store_end_read(st, s, rc, step, "identities");
}

int df_store_each_partner(struct df_store *st, uint32_t mmsi,
                          int (*fn)(const struct df_partner *p, void *ud),
                          void *ud)
{
    /* A vessel's encounters as vessel1 through events_key (type,
     * vessel1, ...), as vessel2 through events_vessel2; a partner's name
     * through identities' UNIQUE key (mmsi, ...). */
    static const char sql[] =
        "SELECT p, count(*), min(s), max(s),"
        " (SELECT name FROM identities WHERE mmsi = p AND name != ''"
        "  ORDER BY last_seen DESC, rowid DESC LIMIT 1)"
        " FROM (SELECT vessel2 AS p, start AS s FROM events"
        "  WHERE type = 'encounter' AND vessel1 = ?1"
        "  AND vessel2 IS NOT NULL"
        "  UNION ALL SELECT vessel1, start FROM events"
        "  WHERE vessel2 = ?1 AND type = 'encounter' AND vessel1 != ?1)"
        " GROUP BY p ORDER BY 2 DESC, 4 DESC, 1";
    sqlite3_stmt *s;
    struct df_partner p;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (df__store_prepare_read(st, sql, &s, "encounter partners") != 0)
        return -1;
    sqlite3_bind_int64(s, 1, mmsi);
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&p, 0, sizeof p);
        p.mmsi = (uint32_t)sqlite3_column_int64(s, 0);
        p.encounters = (unsigned)sqlite3_column_int64(s, 1);
        p.first_ms = df__store_parse_iso(sqlite3_column_text(s, 2));
        p.last_ms = df__store_parse_iso(sqlite3_column_text(s, 3));
        df__store_col_str(s, 4, p.name, sizeof p.name);
        rc = fn(&p, ud);
    }
    return df__store_end_read(st, s, rc, step, "encounter partners");
}

int df_store_risk_score(struct df_store *st, uint32_t mmsi, double *score)
{
    sqlite3_stmt *s = NULL;
    int step;

    *score = 0;
    if (!st)
        return -1;
    /* No commit first (unlike the readers above): one connection reads
     * its own writes, and this runs per event while a scan writes. */
    if (sqlite3_prepare_v2(st->db, "SELECT score FROM risk WHERE mmsi = ?1",
                           -1, &s, NULL) != SQLITE_OK) {
        df__store_set_err(st, "reading a risk score");
        return -1;
    }
    sqlite3_bind_int64(s, 1, mmsi);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        *score = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    if (step == SQLITE_ROW)
        return 1;
    if (step == SQLITE_DONE)
        return 0;
    df__store_set_err(st, "reading a risk score");
    return -1;
}
