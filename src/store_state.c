/*
 * store_state.c - what lets a scan go on in a later run (schema 4, see
 * store.c): the saved state in chunks (scan_state), the inputs it has
 * read (scan_inputs), the provisional events of a scan's end, and the
 * meta table's values.  Every write joins the store's open transaction,
 * so the state commits together with the events it led to.
 *
 * Statements are prepared on first use (a store that never saves a state
 * never prepares them) and finalized by df__store_state_fini().
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

static const char sql_state_ins[] =
    "INSERT INTO scan_state(seq, data) VALUES(?1, ?2)";
static const char sql_state_rd[] =
    "SELECT data FROM scan_state ORDER BY seq";
static const char sql_input_put[] =
    "INSERT INTO scan_inputs(path, size, mtime_ns, head_hash, records, done,"
    " scanned_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
    " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
    " ON CONFLICT(path) DO UPDATE SET size = excluded.size,"
    " mtime_ns = excluded.mtime_ns, head_hash = excluded.head_hash,"
    " records = excluded.records, done = excluded.done,"
    " scanned_at = excluded.scanned_at";
static const char sql_input_get[] =
    "SELECT size, mtime_ns, head_hash, records, done FROM scan_inputs"
    " WHERE path = ?1";

void df__store_state_fini(struct df_store *st)
{
    sqlite3_finalize(st->state_ins);
    sqlite3_finalize(st->state_rd);
    sqlite3_finalize(st->input_put);
    sqlite3_finalize(st->input_get);
    st->state_ins = st->state_rd = st->input_put = st->input_get = NULL;
}

/* The statement *s, prepared from sql if it is not yet.  0, or -1 with
 * the message set. */
static int prepared(struct df_store *st, sqlite3_stmt **s, const char *sql)
{
    if (*s)
        return 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
        df__store_set_err(st, "preparing the saved state's statements");
        *s = NULL;
        return -1;
    }
    return 0;
}

/* Runs SQL with no parameters inside the open transaction. */
static enum df_err run_sql(struct df_store *st, const char *sql,
                           const char *what)
{
    enum df_err e;

    if (!st || st->readonly)
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
        return e;
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        df__store_set_err(st, "%s", what);
        return DF_DB;
    }
    return DF_OK;
}

/* ---- provisional events --------------------------------------------- */

void df_store_set_provisional(struct df_store *st, int on)
{
    if (st)
        st->provisional = on != 0;
}

enum df_err df_store_drop_provisional(struct df_store *st, uint64_t *n)
{
    sqlite3_stmt *s = NULL;
    enum df_err e;
    int step;

    if (n)
        *n = 0;
    if (!st || st->readonly)
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
        return e;
    /* The vessels whose reasons go, to score again once they are gone. */
    e = run_sql(st,
                "CREATE TEMP TABLE IF NOT EXISTS df_rescore(mmsi INTEGER"
                " PRIMARY KEY);"
                "DELETE FROM df_rescore;"
                "INSERT OR IGNORE INTO df_rescore SELECT mmsi FROM reasons"
                " WHERE event_id IN (SELECT id FROM events"
                " WHERE provisional != 0);"
                "DELETE FROM reasons WHERE event_id IN (SELECT id FROM events"
                " WHERE provisional != 0);",
                "dropping the provisional events' reasons");
    if (e != DF_OK)
        return e;
    if (sqlite3_exec(st->db, "DELETE FROM events WHERE provisional != 0",
                     NULL, NULL, NULL) != SQLITE_OK) {
        df__store_set_err(st, "dropping the provisional events");
        return DF_DB;
    }
    if (n)
        *n = (uint64_t)sqlite3_changes(st->db);
    if (sqlite3_prepare_v2(st->db, "SELECT mmsi FROM df_rescore", -1, &s,
                           NULL) != SQLITE_OK) {
        df__store_set_err(st, "rescoring");
        return DF_DB;
    }
    while (e == DF_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        e = df__store_rescore(st, (uint32_t)sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    if (e != DF_OK)
        return e;
    /* A vessel left with no reason has no score, as one never given
     * any. */
    return run_sql(st,
                   "DELETE FROM risk WHERE mmsi IN (SELECT mmsi FROM"
                   " df_rescore) AND NOT EXISTS (SELECT 1 FROM reasons"
                   " WHERE reasons.mmsi = risk.mmsi);"
                   "DELETE FROM df_rescore",
                   "rescoring");
}

/* ---- the state's chunks ------------------------------------------------ */

enum df_err df_store_state_clear(struct df_store *st)
{
    enum df_err e = run_sql(st, "DELETE FROM scan_state",
                            "clearing the saved state");

    if (e == DF_OK)
        st->state_seq = 0;
    return e;
}

int df_store_state_chunk(const void *data, size_t len, void *ud)
{
    struct df_store *st = ud;
    sqlite3_stmt *s;

    if (!st || st->readonly || len > 0x7fffffff)
        return -1;
    if (df__store_begin(st) != DF_OK ||
        prepared(st, &st->state_ins, sql_state_ins) != 0)
        return -1;
    s = st->state_ins;
    sqlite3_bind_int64(s, 1, st->state_seq);
    sqlite3_bind_blob(s, 2, data, (int)len, SQLITE_STATIC);
    if (df__store_run(s) != SQLITE_DONE) {
        df__store_set_err(st, "saving the scan's state");
        return -1;
    }
    st->state_seq++;
    return 0;
}

int df_store_state_read(const void **data, size_t *len, void *ud)
{
    struct df_store *st = ud;
    int step;

    if (!st || prepared(st, &st->state_rd, sql_state_rd) != 0)
        return -1;
    step = sqlite3_step(st->state_rd);
    if (step == SQLITE_ROW) {
        *data = sqlite3_column_blob(st->state_rd, 0);
        *len = (size_t)sqlite3_column_bytes(st->state_rd, 0);
        if (*len > 0 && !*data) {
            sqlite3_reset(st->state_rd);
            df__store_set_err(st, "reading the saved state");
            return -1;
        }
        return 1;
    }
    sqlite3_reset(st->state_rd);
    if (step != SQLITE_DONE) {
        df__store_set_err(st, "reading the saved state");
        return -1;
    }
    return 0;
}

void df_store_state_read_end(struct df_store *st)
{
    if (st && st->state_rd)
        sqlite3_reset(st->state_rd);
}

int df_store_state_saved(struct df_store *st)
{
    sqlite3_stmt *s = NULL;
    int rc;

    if (!st)
        return -1;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM scan_state", -1, &s,
                           NULL) != SQLITE_OK) {
        df__store_set_err(st, "reading the saved state");
        return -1;
    }
    rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) > 0 : -1;
    sqlite3_finalize(s);
    return rc;
}

/* ---- inputs ------------------------------------------------------------ */

enum df_err df_store_input_put(struct df_store *st,
                               const struct df_input_mark *m)
{
    sqlite3_stmt *s;
    enum df_err e;

    if (!st || !m || st->readonly)
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
        return e;
    if (prepared(st, &st->input_put, sql_input_put) != 0)
        return DF_DB;
    s = st->input_put;
    sqlite3_bind_text(s, 1, m->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, m->size);
    sqlite3_bind_int64(s, 3, m->mtime_ns);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)m->head_hash);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)m->records);
    sqlite3_bind_int(s, 6, m->done != 0);
    if (df__store_run(s) != SQLITE_DONE) {
        df__store_set_err(st, "recording input %s", m->path);
        return DF_DB;
    }
    return DF_OK;
}

int df_store_input_get(struct df_store *st, const char *path,
                       struct df_input_mark *m)
{
    sqlite3_stmt *s;
    int step;

    if (!st || !path || !m ||
        prepared(st, &st->input_get, sql_input_get) != 0)
        return -1;
    s = st->input_get;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        memset(m, 0, sizeof *m);
        snprintf(m->path, sizeof m->path, "%s", path);
        m->size = sqlite3_column_int64(s, 0);
        m->mtime_ns = sqlite3_column_int64(s, 1);
        m->head_hash = (uint64_t)sqlite3_column_int64(s, 2);
        m->records = (uint64_t)sqlite3_column_int64(s, 3);
        m->done = sqlite3_column_int(s, 4) != 0;
    }
    sqlite3_reset(s);
    if (step == SQLITE_ROW)
        return 1;
    if (step == SQLITE_DONE)
        return 0;
    df__store_set_err(st, "reading input %s", path);
    return -1;
}

enum df_err df_store_inputs_clear(struct df_store *st)
{
    return run_sql(st, "DELETE FROM scan_inputs", "forgetting the inputs");
}

/* ---- meta -------------------------------------------------------------- */

int df_store_meta_get(struct df_store *st, const char *key, char *out,
                      size_t outlen)
{
    sqlite3_stmt *s = NULL;
    int step;

    if (!st || !key || !out || outlen == 0)
        return -1;
    out[0] = '\0';
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1",
                           -1, &s, NULL) != SQLITE_OK) {
        df__store_set_err(st, "reading meta '%s'", key);
        return -1;
    }
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(s, 0);

        snprintf(out, outlen, "%s", v ? (const char *)v : "");
    }
    sqlite3_finalize(s);
    if (step == SQLITE_ROW)
        return 1;
    if (step == SQLITE_DONE)
        return 0;
    df__store_set_err(st, "reading meta '%s'", key);
    return -1;
}

enum df_err df_store_meta_set(struct df_store *st, const char *key,
                              const char *value)
{
    enum df_err e;

    if (!st || !key || !value || st->readonly)
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
        return e;
    sqlite3_bind_text(st->meta, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st->meta, 2, value, -1, SQLITE_STATIC);
    if (df__store_run(st->meta) != SQLITE_DONE) {
        df__store_set_err(st, "writing meta '%s'", key);
        return DF_DB;
    }
    return DF_OK;
}
