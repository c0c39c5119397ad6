/*
 * csvrec.h - the one CSV splitter (RFC 4180, read leniently) under every
 * table darkfleet reads: AIS tables (csv.c), sanctions lists (the list
 * loaders) and port lists (geo.c).  Every byte of those files comes from
 * strangers, so there is one splitter, bounded and fuzzed
 * (tests/fuzz/fuzz_csvrec.c), not three.
 *
 * A record ends at an unquoted '\n' or at the end of the text; a '\r'
 * before that '\n' is not part of the last field.  A field that starts
 * with '"' is quoted: commas and line breaks inside it are text, "" is a
 * quote.  Unquoted fields point into the text; quoted ones are unescaped
 * into the caller's scratch buffer.  What a strict reader would refuse is
 * read all the same and flagged, so each caller decides what to drop:
 *   DF__CSV_JUNK   text between a closing quote and the next ',' (kept)
 *   DF__CSV_OPEN   a quote never closed: the field runs to the end
 *   DF__CSV_TRUNC  quoted text beyond the scratch buffer (cut off)
 *   DF__CSV_MANY   more fields than the caller's array (the rest skipped)
 */
#ifndef DF_UTIL_CSVREC_H
#define DF_UTIL_CSVREC_H

#include <stddef.h>

#define DF__CSV_JUNK 1u
#define DF__CSV_OPEN 2u
#define DF__CSV_TRUNC 4u
#define DF__CSV_MANY 8u

struct df__csvf {
    const char *s;
    size_t n;
};

/* A cursor over CSV text.  Set s, len (pos 0), scratch and cap; the rest
 * is the splitter's. */
struct df__csv {
    const char *s;
    size_t len;
    size_t pos;                /* where the next field starts */
    char *scratch;             /* unescaped quoted text of the record */
    size_t cap;
    size_t used;               /* scratch bytes taken by this record */
    unsigned flags;            /* DF__CSV_* seen in this record */
    int oneline;               /* a line break ends a quoted field too
                                * (DF__CSV_OPEN): for files of one record
                                * a line, so that a stray quote cannot
                                * swallow the rest of the file */
};

/*
 * Reads the field at c->pos into *f and moves past it.  Returns 1 when
 * another field of the same record follows (a ',' was read), 0 when the
 * record ended (its '\n' was read, or the text ended).  Quoted text is
 * appended to c->scratch at c->used: reset c->used (and c->flags) to
 * start a record.
 */
int df__csv_field(struct df__csv *c, struct df__csvf *f);

/*
 * Reads the next record into f[0..max) and returns its field count (more
 * than max when fields were skipped: DF__CSV_MANY is set), or 0 at the
 * end of the text.  Resets c->used and c->flags first.
 */
size_t df__csv_record(struct df__csv *c, struct df__csvf *f, size_t max);

/* The index of the first ',' in s[pos, len), or len: eight bytes at a
 * time where the byte order allows.  For a caller that splits a line
 * without quotes or line breaks inline (csv.c's row loop). */
size_t df__csv_comma(const char *s, size_t pos, size_t len);

/*
 * A header cell as a column key: its ASCII letters and digits, lower
 * case, everything else dropped ("Base Date_Time" -> "basedatetime",
 * "radius_km" -> "radiuskm").  Writes a NUL-terminated key into out and
 * returns its length, or -1 (out = "") when it does not fit in cap.
 */
int df__csv_colkey(const char *s, size_t n, char *out, size_t cap);

#endif
