/*
 * vessel.c - `darkfleet vessel [--db FILE] [--json] QUERY`: a vessel's
 * history across every scan stored in the database: who it said it was
 * and when, why it scores what it scores, what it did, and whom it met.
 *
 * QUERY is an MMSI (nine digits), an IMO number (seven digits with a
 * valid check digit) or a name: any name a vessel ever gave, whole, or
 * failing that its start (df_store_find_vessels; AIS names are upper
 * case, so the query is looked up as typed and in upper case).  Several
 * operands are one name ("darkfleet vessel SEA VENUS").  An IMO given by
 * several MMSIs (a flag hop, a laundered identity) shows each of them in
 * turn; a name that fits more than MAX_MATCHES vessels lists them
 * instead, ranked by score, to pick one by MMSI.
 *
 * Text is for a terminal: names, call signs, destinations, reasons and
 * evidence are whatever a transponder or a store says, so every string
 * goes through df_buf_term_str (control characters become '?').  --json
 * writes one object per vessel, one a line, strings escaped by
 * df_buf_json_utf8_str and the evidence checked by
 * df_event_evidence_json.
 *
 * Exit status: 0; 1 when the database cannot be read (it is opened
 * read-only: a missing file is not created), nothing matches, or the
 * output cannot be written; 2 for a bad command line.  Each failure
 * prints one line on standard error.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "darkfleet.db"
#define MAX_MATCHES 10          /* a name matching more lists them */
#define MAX_LISTED 100          /* matches listed, the best first */

int cmd_vessel(int argc, char **argv);

static void usage(FILE *f)
{
    fprintf(f,
            "usage: darkfleet vessel [--db FILE] [--json] QUERY\n"
            "  A vessel's history from the store, across every scan in "
            "it: its identities\n"
            "  over time, the reasons for its risk score, its events and "
            "the vessels it met.\n"
            "\n"
            "  QUERY  an MMSI (9 digits), an IMO number (7 digits, valid "
            "check digit), or\n"
            "         a name any vessel gave (whole, else its start; "
            "case-insensitive for\n"
            "         ASCII).  An IMO given by several MMSIs shows each "
            "of them; a name\n"
            "         that fits more than %d vessels lists them to choose "
            "from.\n"
            "\n"
            "options:\n"
            "  --db FILE    the store to read (default %s)\n"
            "  --json       one JSON object per vessel, one a line\n"
            "  -h, --help   this help\n",
            MAX_MATCHES, DEFAULT_DB);
}

enum { OPT_DB = CLI_OPT_OWN, OPT_JSON };

static const struct cli_opt opts[] = {
    {OPT_DB, "--db", NULL, 1},
    {OPT_JSON, "--json", NULL, 0},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

/* A growable array of n items of size bytes each. */
struct list {
    void *p;
    size_t n, cap;
};

/* Room for one more item: its address, or NULL when out of memory. */
static void *list_add(struct list *l, size_t size)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *p = realloc(l->p, cap * size);

        if (!p)
            return NULL;
        l->p = p;
        l->cap = cap;
    }
    return (char *)l->p + l->n++ * size;
}

static int add_mmsi(uint32_t mmsi, void *ud)
{
    uint32_t *m = list_add(ud, sizeof *m);

    if (!m)
        return 1;
    *m = mmsi;
    return 0;
}

static int add_identity(const struct df_identity *id, void *ud)
{
    struct df_identity *p = list_add(ud, sizeof *p);

    if (!p)
        return 1;
    *p = *id;
    return 0;
}

static int add_partner(const struct df_partner *pa, void *ud)
{
    struct df_partner *p = list_add(ud, sizeof *p);

    if (!p)
        return 1;
    *p = *pa;
    return 0;
}

/* What one run prints from. */
struct run {
    struct df_store *st;
    const char *db;
    int json;
    struct df_buf out;
    struct list partners;       /* struct df_partner: the vessel's */
    struct df_buf tmp;          /* scratch: an event's summary */
    int oom;                    /* memory ran out: say so, stop */
    int werr;                   /* writing failed, already reported */
};

/* Writes the output once it has grown past CLI_OUT_CHUNK (all of it when
 * force).  Returns 0, or 1 (and sets werr) when writing failed. */
static int flush(struct run *r, int force)
{
    if (r->werr || cli_out_flush(&r->out, force) != 0)
        r->werr = 1;
    return r->werr;
}

/* After a reader returned rc != 0, says why on standard error (a write
 * failure has been); returns 1. */
static int failed(struct run *r, int rc)
{
    if (rc < 0)
        cli_err("vessel: %s: %s", r->db, df_store_error(r->st));
    else if (!r->werr)
        cli_err("vessel: out of memory");
    return 1;
}

/* ---- text --------------------------------------------------------------- */

/* Appends s (a fixed-size field: up to cap bytes or a NUL) for a
 * terminal, padded with spaces to width characters. */
static void cell(struct df_buf *b, const char *s, size_t cap, int width)
{
    size_t start = b->len, i;
    int chars = 0;

    df_buf_term_str(b, s, strnlen(s, cap));
    for (i = start; i < b->len; i++)
        if (((unsigned char)b->data[i] & 0xC0) != 0x80)
            chars++;
    for (; chars < width; chars++)
        df_buf_append(b, " ", 1);
}

#define CELL(b, field, width) cell((b), (field), sizeof(field), (width))

/* A time as ISO 8601 into out (>= 32 bytes); "-" when unknown. */
static const char *iso(int64_t ms, char *out)
{
    if (ms == DF_TIME_NONE)
        return strcpy(out, "-");
    df_time_iso(ms, out);
    return out;
}

/* The latest identity that gives a field (has(id) true), by last seen
 * (the later in the list of equals); NULL if none does. */
static const struct df_identity *
latest(const struct df_identity *ids, size_t n,
       int (*has)(const struct df_identity *id))
{
    const struct df_identity *best = NULL;
    size_t i;

    for (i = 0; i < n; i++)
        if (has(&ids[i]) && (!best || ids[i].last_ms >= best->last_ms))
            best = &ids[i];
    return best;
}

static int has_name(const struct df_identity *id)
{
    return id->shipname[0] != '\0';
}

static int has_imo(const struct df_identity *id)
{
    return id->imo != 0;
}

static int has_callsign(const struct df_identity *id)
{
    return id->callsign[0] != '\0';
}

static int has_type(const struct df_identity *id)
{
    return id->shiptype != 0;
}

static int has_length(const struct df_identity *id)
{
    return id->length_m != 0;
}

/* The name a vessel gave last, into out (21 bytes): from the vessel's
 * encounter partners when it is one, else looked up; "" if none. */
static const char *partner_name(struct run *r, uint32_t mmsi, char *out)
{
    const struct df_partner *p = r->partners.p;
    const struct df_identity *id;
    struct df_vessel *v;
    size_t i;

    out[0] = '\0';
    for (i = 0; i < r->partners.n; i++)
        if (p[i].mmsi == mmsi) {
            memcpy(out, p[i].name, sizeof p[i].name);
            return out;
        }
    v = malloc(sizeof *v);
    if (!v) {
        r->oom = 1;
        return out;
    }
    if (df_store_get_vessel(r->st, mmsi, v, NULL) == 1 &&
        (id = latest(v->identities, v->nidentities, has_name)) != NULL)
        memcpy(out, id->shipname, sizeof id->shipname);
    free(v);
    return out;
}

/* The vessel mmsi's other vessel in an event, or 0. */
static uint32_t other_of(const struct df_event *ev, uint32_t mmsi)
{
    if (ev->nvessels < 2)
        return 0;
    return ev->vessels[0] == mmsi ? ev->vessels[1] : ev->vessels[0];
}

static void text_header(struct run *r, const struct df_vessel *v,
                        double score, const struct df_identity *ids,
                        size_t n)
{
    struct df_buf *b = &r->out;
    const struct df_identity *id;
    char t[32];

    df_buf_printf(b, "MMSI        %lu\nflag        ", (unsigned long)v->mmsi);
    if (v->flag[0]) {
        CELL(b, v->flag, 0);
        df_buf_printf(b, " (MID %u)", v->mid);
    } else {
        df_buf_puts(b, v->mid ? "none (MID unallocated)" : "-");
    }
    df_buf_puts(b, "\nname        ");
    if ((id = latest(ids, n, has_name)) != NULL)
        CELL(b, id->shipname, 0);
    else
        df_buf_puts(b, "-");
    df_buf_puts(b, "\nIMO         ");
    if ((id = latest(ids, n, has_imo)) != NULL)
        df_buf_printf(b, "%lu%s", (unsigned long)id->imo,
                      df_imo_valid(id->imo) ? "" : " (invalid)");
    else
        df_buf_puts(b, "-");
    df_buf_puts(b, "\ncall sign   ");
    if ((id = latest(ids, n, has_callsign)) != NULL)
        CELL(b, id->callsign, 0);
    else
        df_buf_puts(b, "-");
    df_buf_puts(b, "\ntype        ");
    if ((id = latest(ids, n, has_type)) != NULL)
        df_buf_printf(b, "%u (%s)", id->shiptype,
                      df_shiptype_text(id->shiptype));
    else
        df_buf_puts(b, "-");
    if ((id = latest(ids, n, has_length)) != NULL)
        df_buf_printf(b, "\nlength      %u m", id->length_m);
    df_buf_printf(b, "\nfirst seen  %s\n", iso(v->first_ms, t));
    df_buf_printf(b, "last seen   %s\n", iso(v->last_ms, t));
    df_buf_printf(b, "positions   %llu\n", (unsigned long long)v->positions);
    df_buf_printf(b, "risk score  %.1f\n", isfinite(score) ? score : 0.0);
}

static void text_identities(struct run *r, const struct df_identity *ids,
                            size_t n)
{
    struct df_buf *b = &r->out;
    char t1[32], t2[32];
    size_t i;

    df_buf_printf(b, "\nidentities (%zu, oldest first)\n", n);
    if (n == 0)
        return;
    df_buf_puts(b, "  first seen            last seen             name"
                   "                  call sign  IMO      type  length"
                   "  destination\n");
    for (i = 0; i < n; i++) {
        const struct df_identity *id = &ids[i];

        df_buf_printf(b, "  %-20s  %-20s  ", iso(id->first_ms, t1),
                      iso(id->last_ms, t2));
        CELL(b, id->shipname, 20);
        df_buf_puts(b, "  ");
        CELL(b, id->callsign, 9);
        if (id->imo)
            df_buf_printf(b, "  %-7lu", (unsigned long)id->imo);
        else
            df_buf_puts(b, "  -      ");
        if (id->shiptype)
            df_buf_printf(b, "  %4u", id->shiptype);
        else
            df_buf_puts(b, "     -");
        if (id->length_m)
            df_buf_printf(b, "  %4u m", id->length_m);
        else
            df_buf_puts(b, "       -");
        if (id->destination[0]) {
            df_buf_puts(b, "  ");
            CELL(b, id->destination, 0);
        }
        df_buf_puts(b, "\n");
    }
}

static int count_reason(const struct df_reason *re, void *ud)
{
    (void)re;
    ++*(size_t *)ud;
    return 0;
}

static int count_event(int64_t id, const struct df_event *ev, void *ud)
{
    (void)id;
    (void)ev;
    ++*(size_t *)ud;
    return 0;
}

/* What the readers' callbacks of one vessel need. */
struct ctx {
    struct run *r;
    uint32_t mmsi;
    size_t n;                   /* items written so far (JSON's commas) */
};

static int text_reason(const struct df_reason *re, void *ud)
{
    struct ctx *c = ud;
    struct df_buf *b = &c->r->out;

    df_buf_printf(b, "  %6.1f  %5.1f  ", re->points, re->contribution);
    CELL(b, re->text, 0);
    df_buf_puts(b, "\n");
    return flush(c->r, 0);
}

static int text_event(int64_t id, const struct df_event *ev, void *ud)
{
    struct ctx *c = ud;
    struct run *r = c->r;
    struct df_buf *b = &r->out;
    uint32_t other = other_of(ev, c->mmsi);
    char t1[32], t2[32], name[21];

    (void)id;
    df_buf_printf(b, "  %-20s  %-20s  %-16s ", iso(ev->start_ms, t1),
                  iso(ev->end_ms, t2), df_event_name(ev->type));
    if (isfinite(ev->score))
        df_buf_printf(b, "%5.2f", ev->score);
    else
        df_buf_puts(b, "    -");
    r->tmp.len = 0;
    df_event_summary(&r->tmp, ev);
    if (other || r->tmp.len)
        df_buf_puts(b, "  ");
    if (other) {
        df_buf_printf(b, "with %lu", (unsigned long)other);
        if (partner_name(r, other, name)[0]) {
            df_buf_puts(b, " ");
            CELL(b, name, 0);
        }
        if (r->tmp.len)
            df_buf_puts(b, ": ");
    }
    df_buf_term_str(b, r->tmp.data, r->tmp.len);
    df_buf_puts(b, "\n");
    if (r->tmp.oom)
        r->oom = 1;
    return r->oom || flush(r, 0);
}

static void text_partners(struct run *r)
{
    const struct df_partner *p = r->partners.p;
    struct df_buf *b = &r->out;
    char t[32];
    size_t i;

    df_buf_printf(b, "\nencounter partners (%zu)\n", r->partners.n);
    if (r->partners.n == 0)
        return;
    df_buf_puts(b, "  MMSI       name                  encounters"
                   "  last met\n");
    for (i = 0; i < r->partners.n; i++) {
        df_buf_printf(b, "  %-9lu  ", (unsigned long)p[i].mmsi);
        CELL(b, p[i].name, 20);
        df_buf_printf(b, "  %10u  %s\n", p[i].encounters,
                      iso(p[i].last_ms, t));
    }
}

/* ---- JSON --------------------------------------------------------------- */

/* Each helper writes ,"key": and a value: an object opens with a key of
 * its own ("{\"mmsi\":..."), the helpers add the rest. */

/* A string field (up to cap bytes or a NUL). */
static void jstr(struct df_buf *b, const char *key, const char *s,
                 size_t cap)
{
    df_buf_printf(b, ",\"%s\":", key);
    df_buf_json_utf8_str(b, s, strnlen(s, cap));
}

#define JSTR(b, key, field) jstr((b), (key), (field), sizeof(field))

/* A number that reads back as the same double; null when not finite. */
static void jnum(struct df_buf *b, const char *key, double x)
{
    char s[40];

    df_buf_printf(b, ",\"%s\":", key);
    if (!isfinite(x)) {
        df_buf_puts(b, "null");
        return;
    }
    snprintf(s, sizeof s, "%.15g", x == 0 ? 0.0 : x);
    if (strtod(s, NULL) != x)
        snprintf(s, sizeof s, "%.17g", x);
    df_buf_puts(b, s);
}

/* A time, or null. */
static void jtime(struct df_buf *b, const char *key, int64_t ms)
{
    char t[32];

    df_buf_printf(b, ",\"%s\":", key);
    if (ms == DF_TIME_NONE)
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "\"%s\"", iso(ms, t));
}

/* A wire coordinate (1/10000 min) in degrees, or null. */
static void jcoord(struct df_buf *b, const char *key, int32_t v, int32_t na,
                   int32_t max)
{
    df_buf_printf(b, ",\"%s\":", key);
    if (v == na || v > max || v < -max)
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "%.5f", v / 600000.0);
}

/* An unsigned number, or null when has is 0. */
static void juint(struct df_buf *b, const char *key, int has,
                  unsigned long v)
{
    if (has)
        df_buf_printf(b, ",\"%s\":%lu", key, v);
    else
        df_buf_printf(b, ",\"%s\":null", key);
}

static void json_header(struct run *r, const struct df_vessel *v,
                        double score, const struct df_identity *ids,
                        size_t n, const char *matched_by)
{
    struct df_buf *b = &r->out;
    const struct df_identity *id;

    df_buf_printf(b, "{\"mmsi\":%lu,\"matched_by\":\"%s\",\"mid\":%u",
                  (unsigned long)v->mmsi, matched_by, v->mid);
    JSTR(b, "flag", v->flag);
    if ((id = latest(ids, n, has_name)) != NULL)
        JSTR(b, "name", id->shipname);
    else
        df_buf_puts(b, ",\"name\":null");
    id = latest(ids, n, has_imo);
    juint(b, "imo", id != NULL, id ? id->imo : 0);
    if ((id = latest(ids, n, has_callsign)) != NULL)
        JSTR(b, "callsign", id->callsign);
    else
        df_buf_puts(b, ",\"callsign\":null");
    id = latest(ids, n, has_type);
    juint(b, "shiptype", id != NULL, id ? id->shiptype : 0);
    if (id)
        df_buf_printf(b, ",\"shiptype_text\":\"%s\"",
                      df_shiptype_text(id->shiptype));
    else
        df_buf_puts(b, ",\"shiptype_text\":null");
    id = latest(ids, n, has_length);
    juint(b, "length_m", id != NULL, id ? id->length_m : 0);
    jtime(b, "first_seen", v->first_ms);
    jtime(b, "last_seen", v->last_ms);
    df_buf_printf(b, ",\"positions\":%llu",
                  (unsigned long long)v->positions);
    jcoord(b, "last_lat", v->last_lat, DF_LAT_NA, 90 * 600000);
    jcoord(b, "last_lon", v->last_lon, DF_LON_NA, 180 * 600000);
    jnum(b, "score", score);
}

static void json_identities(struct run *r, const struct df_identity *ids,
                            size_t n)
{
    struct df_buf *b = &r->out;
    size_t i;

    df_buf_puts(b, ",\"identities\":[");
    for (i = 0; i < n; i++) {
        const struct df_identity *id = &ids[i];

        df_buf_printf(b, "%s{\"imo\":%lu", i ? "," : "",
                      (unsigned long)id->imo);
        JSTR(b, "name", id->shipname);
        JSTR(b, "callsign", id->callsign);
        df_buf_printf(b, ",\"shiptype\":%u,\"length_m\":%u,\"width_m\":%u",
                      id->shiptype, id->length_m, id->width_m);
        jnum(b, "draught_m", id->draught / 10.0);
        JSTR(b, "destination", id->destination);
        jtime(b, "first_seen", id->first_ms);
        jtime(b, "last_seen", id->last_ms);
        df_buf_puts(b, "}");
    }
    df_buf_puts(b, "]");
}

static int json_reason(const struct df_reason *re, void *ud)
{
    struct ctx *c = ud;
    struct df_buf *b = &c->r->out;

    df_buf_printf(b, "%s{\"event_id\":%lld", c->n++ ? "," : "",
                  (long long)re->event_id);
    JSTR(b, "event_type", re->event_type);
    jnum(b, "points", re->points);
    jnum(b, "contribution", re->contribution);
    JSTR(b, "text", re->text);
    df_buf_puts(b, "}");
    return flush(c->r, 0);
}

static int json_event(int64_t id, const struct df_event *ev, void *ud)
{
    struct ctx *c = ud;
    struct run *r = c->r;
    struct df_buf *b = &r->out;
    uint32_t other = other_of(ev, c->mmsi);
    char name[21];

    df_buf_printf(b, "%s{\"id\":%lld,\"type\":\"%s\",\"vessels\":[%lu",
                  c->n++ ? "," : "", (long long)id, df_event_name(ev->type),
                  (unsigned long)ev->vessels[0]);
    if (ev->nvessels > 1)
        df_buf_printf(b, ",%lu", (unsigned long)ev->vessels[1]);
    df_buf_puts(b, "]");
    jtime(b, "start", ev->start_ms);
    jtime(b, "end", ev->end_ms);
    jcoord(b, "lat", ev->lat, DF_LAT_NA, 90 * 600000);
    jcoord(b, "lon", ev->lon, DF_LON_NA, 180 * 600000);
    jnum(b, "score", ev->score);
    juint(b, "partner", other != 0, other);
    if (other) {
        partner_name(r, other, name);
        JSTR(b, "partner_name", name);
    } else {
        df_buf_puts(b, ",\"partner_name\":null");
    }
    r->tmp.len = 0;
    df_event_summary(&r->tmp, ev);
    df_buf_puts(b, ",\"summary\":");
    df_buf_json_utf8_str(b, r->tmp.data ? r->tmp.data : "", r->tmp.len);
    df_buf_puts(b, ",\"evidence\":");
    df_event_evidence_json(b, ev);
    df_buf_puts(b, "}");
    if (r->tmp.oom)
        r->oom = 1;
    return r->oom || flush(r, 0);
}

static void json_partners(struct run *r)
{
    const struct df_partner *p = r->partners.p;
    struct df_buf *b = &r->out;
    size_t i;

    df_buf_puts(b, ",\"partners\":[");
    for (i = 0; i < r->partners.n; i++) {
        df_buf_printf(b, "%s{\"mmsi\":%lu", i ? "," : "",
                      (unsigned long)p[i].mmsi);
        JSTR(b, "name", p[i].name);
        df_buf_printf(b, ",\"encounters\":%u", p[i].encounters);
        jtime(b, "first_met", p[i].first_ms);
        jtime(b, "last_met", p[i].last_ms);
        df_buf_puts(b, "}");
    }
    df_buf_puts(b, "]");
}

/* ---- one vessel --------------------------------------------------------- */

/* The sections after the header, as text.  Returns a reader's non-zero
 * return, or 0. */
static int text_rest(struct run *r, struct ctx *c)
{
    size_t nreasons = 0, nevents = 0;
    int rc;

    if ((rc = df_store_each_reason(r->st, c->mmsi, count_reason,
                                   &nreasons)) != 0 ||
        (rc = df_store_each_event(r->st, c->mmsi, count_event,
                                  &nevents)) != 0)
        return rc;
    df_buf_printf(&r->out, "\nrisk reasons (%zu)\n", nreasons);
    if (nreasons)
        df_buf_puts(&r->out, "  points  share  reason\n");
    if ((rc = df_store_each_reason(r->st, c->mmsi, text_reason, c)) != 0)
        return rc;
    df_buf_printf(&r->out, "\nevents (%zu)\n", nevents);
    if (nevents)
        df_buf_puts(&r->out, "  start                 end               "
                             "    type             score\n");
    if ((rc = df_store_each_event(r->st, c->mmsi, text_event, c)) != 0)
        return rc;
    text_partners(r);
    return 0;
}

/* The sections after the header, as JSON, and the end of the object. */
static int json_rest(struct run *r, struct ctx *c)
{
    int rc;

    df_buf_puts(&r->out, ",\"reasons\":[");
    if ((rc = df_store_each_reason(r->st, c->mmsi, json_reason, c)) != 0)
        return rc;
    df_buf_puts(&r->out, "],\"events\":[");
    c->n = 0;
    if ((rc = df_store_each_event(r->st, c->mmsi, json_event, c)) != 0)
        return rc;
    df_buf_puts(&r->out, "]");
    json_partners(r);
    df_buf_puts(&r->out, "}\n");
    return 0;
}

/* Prints the vessel mmsi in full.  Returns 0, or 1 after saying why. */
static int show(struct run *r, uint32_t mmsi, const char *matched_by)
{
    struct df_vessel *v = malloc(sizeof *v);
    struct list ids = {0};
    struct ctx c = {r, mmsi, 0};
    double score = 0;
    int rc;

    r->partners.n = 0;
    if (!v) {
        r->oom = 1;
        return failed(r, 1);
    }
    rc = df_store_get_vessel(r->st, mmsi, v, &score);
    if (rc == 1) {
        if ((rc = df_store_each_identity(r->st, mmsi, add_identity,
                                         &ids)) == 0 &&
            (rc = df_store_each_partner(r->st, mmsi, add_partner,
                                        &r->partners)) == 0) {
            if (r->json) {
                json_header(r, v, score, ids.p, ids.n, matched_by);
                json_identities(r, ids.p, ids.n);
                rc = json_rest(r, &c);
            } else {
                text_header(r, v, score, ids.p, ids.n);
                text_identities(r, ids.p, ids.n);
                rc = text_rest(r, &c);
            }
        }
    }
    /* rc 0: shown, or gone since it was found (a scan writing). */
    free(v);
    free(ids.p);
    if (rc != 0)
        return failed(r, rc);
    return flush(r, 0);
}

/* ---- many matches ------------------------------------------------------- */

/* A vessel among the matches of a name. */
struct candidate {
    uint32_t mmsi;
    double score;
    int64_t last_ms;
    char flag[3];
    char name[21];
};

static int by_rank(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

/* Lists the n vessels a name matched, the best MAX_LISTED by score, to
 * choose one from.  Returns the exit status. */
static int candidates(struct run *r, const char *query, const uint32_t *m,
                      size_t n)
{
    struct candidate *cs = calloc(n, sizeof *cs);
    struct df_vessel *v = malloc(sizeof *v);
    struct df_buf *b = &r->out;
    size_t i, k = 0, shown;
    char t[32];
    int rc = 0;

    if (!cs || !v) {
        free(cs);
        free(v);
        r->oom = 1;
        return failed(r, 1);
    }
    for (i = 0; i < n && rc >= 0; i++) {
        const struct df_identity *id;
        struct candidate *c = &cs[k];

        if ((rc = df_store_get_vessel(r->st, m[i], v, &c->score)) != 1)
            continue;
        c->mmsi = v->mmsi;
        c->last_ms = v->last_ms;
        memcpy(c->flag, v->flag, sizeof c->flag);
        if ((id = latest(v->identities, v->nidentities, has_name)) != NULL)
            memcpy(c->name, id->shipname, sizeof c->name);
        if (!isfinite(c->score))
            c->score = 0;
        k++;
    }
    free(v);
    if (rc < 0) {
        free(cs);
        return failed(r, rc);
    }
    qsort(cs, k, sizeof *cs, by_rank);
    shown = k < MAX_LISTED ? k : MAX_LISTED;
    if (r->json) {
        df_buf_puts(b, "{\"query\":");
        df_buf_json_utf8_str(b, query, strlen(query));
        df_buf_printf(b, ",\"matches\":%zu,\"candidates\":[", k);
        for (i = 0; i < shown; i++) {
            df_buf_printf(b, "%s{\"mmsi\":%lu", i ? "," : "",
                          (unsigned long)cs[i].mmsi);
            JSTR(b, "name", cs[i].name);
            JSTR(b, "flag", cs[i].flag);
            jtime(b, "last_seen", cs[i].last_ms);
            jnum(b, "score", cs[i].score);
            df_buf_puts(b, "}");
        }
        df_buf_puts(b, "]}\n");
    } else {
        df_buf_puts(b, "'");
        df_buf_term_str(b, query, strlen(query));
        df_buf_printf(b, "' matches %zu vessels; give an MMSI, an IMO or "
                         "more of the name.\n", k);
        if (shown < k)
            df_buf_printf(b, "The %zu with the highest scores:\n", shown);
        df_buf_puts(b, "  MMSI       name                  flag  last seen"
                       "              score\n");
        for (i = 0; i < shown; i++) {
            df_buf_printf(b, "  %-9lu  ", (unsigned long)cs[i].mmsi);
            CELL(b, cs[i].name, 20);
            df_buf_puts(b, "  ");
            CELL(b, cs[i].flag, 4);
            df_buf_printf(b, "  %-20s  %5.1f\n", iso(cs[i].last_ms, t),
                          cs[i].score);
        }
    }
    free(cs);
    return flush(r, 0);
}

/* ---- the command -------------------------------------------------------- */

/* The operands joined by spaces, trimmed: a new string, or NULL when out
 * of memory. */
static char *join(char **words, int n)
{
    size_t len = 1, at = 0;
    char *q, *s, *e;
    int i;

    for (i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    q = malloc(len);
    if (!q)
        return NULL;
    for (i = 0; i < n; i++) {
        size_t k = strlen(words[i]);

        if (i)
            q[at++] = ' ';
        memcpy(q + at, words[i], k);
        at += k;
    }
    q[at] = '\0';
    for (s = q; *s == ' ' || *s == '\t'; s++)
        ;
    for (e = q + at; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
        ;
    memmove(q, s, (size_t)(e - s));
    q[e - s] = '\0';
    return q;
}

/* What a query is: nine digits an MMSI, seven with a valid check digit
 * an IMO, anything else a name. */
static enum df_vessel_key classify(const char *q)
{
    size_t n = strspn(q, "0123456789");

    if (q[n] == '\0' && n == 9)
        return DF_VKEY_MMSI;
    if (q[n] == '\0' && n == 7 && df_imo_valid((uint32_t)strtoul(q, NULL,
                                                                 10)))
        return DF_VKEY_IMO;
    return DF_VKEY_NAME;
}

int cmd_vessel(int argc, char **argv)
{
    static const char *const keys[] = {"mmsi", "imo", "name", "name_prefix"};
    const char *db = DEFAULT_DB, *v;
    char **words = NULL, *query = NULL, err[512];
    struct cli_args args;
    struct run r;
    struct list found = {0};
    enum df_vessel_key key;
    int id, nwords = 0, rc = 1;
    size_t i;

    memset(&r, 0, sizeof r);
    words = malloc((size_t)argc * sizeof *words);
    if (!words) {
        cli_err("vessel: out of memory");
        return 1;
    }
    cli_args_init(&args, "vessel", argc, argv);
    while ((id = cli_args_next(&args, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_OPT_HELP:
            usage(stdout);
            free(words);
            return 0;
        case OPT_DB:
            db = v;
            break;
        case OPT_JSON:
            r.json = 1;
            break;
        case CLI_OPERAND:
            words[nwords++] = (char *)v;
            break;
        default:
            free(words);
            return cli_args_bad(&args, id, v);
        }
    }
    query = join(words, nwords);
    free(words);
    if (!query) {
        cli_err("vessel: out of memory");
        return 1;
    }
    if (query[0] == '\0') {
        cli_err("vessel: give an MMSI, an IMO number or a name "
                "(see darkfleet vessel --help)");
        free(query);
        return 2;
    }

    if (df_store_open_ro(&r.st, db, err, sizeof err) != DF_OK) {
        cli_err("%s", err[0] ? err : "vessel: cannot open the database");
        free(query);
        return 1;
    }
    r.db = db;
    key = classify(query);
    id = df_store_find_vessels(r.st, key, query, add_mmsi, &found);
    if (id == 0 && found.n == 0 && key == DF_VKEY_NAME) {
        key = DF_VKEY_NAME_PREFIX;
        id = df_store_find_vessels(r.st, key, query, add_mmsi, &found);
    }
    if (id != 0) {
        r.oom = id > 0;
        failed(&r, id);
    } else if (found.n == 0) {
        struct df_buf q = {0};

        df_buf_term_str(&q, query, strlen(query));
        cli_err("vessel: no vessel in %s matches '%s'", db,
                q.data && !q.oom ? q.data : "");
        df_buf_free(&q);
    } else if (key >= DF_VKEY_NAME && found.n > MAX_MATCHES) {
        rc = candidates(&r, query, found.p, found.n);
    } else {
        const uint32_t *m = found.p;

        rc = 0;
        if (!r.json && found.n > 1) {
            df_buf_puts(&r.out, "'");
            df_buf_term_str(&r.out, query, strlen(query));
            df_buf_printf(&r.out, "' (%s) matches %zu vessels:",
                          keys[key], found.n);
            for (i = 0; i < found.n; i++)
                df_buf_printf(&r.out, " %lu", (unsigned long)m[i]);
            df_buf_puts(&r.out, "\n");
        }
        for (i = 0; i < found.n && rc == 0; i++) {
            if (!r.json && found.n > 1)
                df_buf_printf(&r.out, "\n== %zu of %zu ===================="
                                      "================================="
                                      "=========\n",
                              i + 1, found.n);
            rc = show(&r, m[i], keys[key]);
        }
    }
    if (rc == 0 && flush(&r, 1) != 0)
        rc = 1;
    free(found.p);
    free(r.partners.p);
    df_buf_free(&r.tmp);
    df_buf_free(&r.out);
    df_store_close(r.st);
    free(query);
    return rc;
}
