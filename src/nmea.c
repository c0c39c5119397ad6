/*
 * nmea.c - framing of AIS sentences as real receivers and archives deliver
 * them (NMEA 0183 / IEC 61162-1 !xxVDM and !xxVDO, NMEA 4.10 tag blocks).
 *
 * One line in, at most one message out.  The framer
 *  - skips and counts what is not AIS: blank lines, comments, GPS and other
 *    '$' sentences, alarms, receiver chatter;
 *  - finds the receive time wherever a source puts it: a tag block "c:"
 *    (seconds or milliseconds), a "<unix time> " or "[time]" or ISO 8601
 *    line prefix, a USCG-style trailing ",<unix time>" field, or a Gatehouse
 *    "$PGHP" header line that dates the sentence after it;
 *  - verifies the checksum and the sentence's shape, applies fill bits;
 *  - reassembles multipart messages keyed by (source, channel, sequence id),
 *    or by tag block group, in a table of fixed size: a partial message
 *    that is never completed is evicted and counted, never kept forever.
 *
 * Nothing here allocates after df_nmea_new().
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/hash.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sixbit.h"
#include "util/timeutil.h"

/* Word-at-a-time (SWAR) loops read bytes in little-endian order. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NMEA_SWAR 1
#else
#define NMEA_SWAR 0
#endif

/* SSE2 is part of x86-64: no runtime dispatch is needed. */
#if defined(__SSE2__) && defined(__x86_64__) && NMEA_SWAR
#include <emmintrin.h>
#define NMEA_SSE2 1
/* Sixteen bytes from first_k + 16 - k: k of 0xff, then zeros. */
static const unsigned char first_k[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#else
#define NMEA_SSE2 0
#endif

#define PENDING_CHARS 360   /* armored characters of one multipart message */
#define BITS_BYTES 272      /* bytes of de-armored payload (2176 bits) */

struct pending {
    uint32_t src;           /* hash of the tag block source, or 0 */
    uint32_t id;            /* sequence id, or tag block group id */
    uint8_t by_group;       /* id is a tag block group id */
    char channel;
    uint8_t total, next;    /* fragment count and next fragment expected */
    uint8_t used;
    int64_t rx_ms;          /* receive time of the first fragment */
    uint64_t born;          /* line number of the first fragment */
    uint16_t nchars;
    char chars[PENDING_CHARS];
};

/* One remembered payload for de-duplication. */
struct seen {
    uint64_t hash;          /* FNV-1a of the armored payload and fill */
    uint64_t seq;           /* message number when seen (0 = empty) */
    int64_t rx_ms;
};

#define SEEN_WAYS 4         /* entries per bucket; the oldest is replaced */

struct df_nmea {
    struct df_nmea_opts o;
    struct seen *seen;      /* dedup_cap entries in buckets of SEEN_WAYS */
    uint64_t seen_mask;     /* bucket count - 1 */
    uint64_t seq;
    struct df_stats st;
    struct pending *pend;
    unsigned npend;         /* entries of pend[] in use */
    uint64_t lineno;
    int64_t next_rx_ms;     /* from a $PGHP header, for the next sentence */
    char *carry;            /* partial line between df_nmea_feed() calls */
    size_t ncarry;
    int overlong;           /* discarding the rest of an overlong line */
    size_t dirty;           /* bytes of bits[] that may be non-zero */
    uint8_t bits[BITS_BYTES + DF_BITS_PAD];
};

/* What a tag block and the line around the sentence tell about it. */
struct meta {
    int64_t rx_ms;
    uint32_t src;
    uint32_t group_id;
    uint8_t group_num, group_total;
};

struct df_nmea *df_nmea_new(const struct df_nmea_opts *opts)
{
    struct df_nmea *nm = df__calloc(1, sizeof *nm);

    if (!nm)
        return NULL;
    if (opts)
        nm->o = *opts;
    if (nm->o.max_pending == 0)
        nm->o.max_pending = 64;
    if (nm->o.fragment_ttl_ms == 0)
        nm->o.fragment_ttl_ms = 60000;
    if (nm->o.max_line == 0)
        nm->o.max_line = 4096;
    if (nm->o.dedup_cap == 0)
        nm->o.dedup_cap = 16384;
    if (nm->o.dedup_window_ms > 0) {
        uint64_t buckets = 1;
        while (buckets * SEEN_WAYS < nm->o.dedup_cap)
            buckets *= 2;
        nm->seen = df__calloc(buckets * SEEN_WAYS, sizeof *nm->seen);
        nm->seen_mask = buckets - 1;
        if (!nm->seen) {
            df_nmea_free(nm);
            return NULL;
        }
    }
    nm->pend = df__calloc(nm->o.max_pending, sizeof *nm->pend);
    nm->carry = df__malloc(nm->o.max_line + 1);
    if (!nm->pend || !nm->carry) {
        df_nmea_free(nm);
        return NULL;
    }
    nm->next_rx_ms = DF_TIME_NONE;
    return nm;
}

void df_nmea_free(struct df_nmea *nm)
{
    if (!nm)
        return;
    df__free(nm->pend);
    df__free(nm->carry);
    df__free(nm->seen);
    df__free(nm);
}

const struct df_stats *df_nmea_stats(const struct df_nmea *nm)
{
    return &nm->st;
}

/* ---- small bounded parsers over [p, end) -------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parses an unsigned decimal of at most 18 digits; returns the number of
 * characters used (0 if none). */
static size_t parse_u64(const char *p, const char *end, uint64_t *v)
{
    size_t n = 0;
    uint64_t x = 0;

    while (p + n < end && n < 18 && p[n] >= '0' && p[n] <= '9') {
        x = x * 10 + (uint64_t)(p[n] - '0');
        n++;
    }
    *v = x;
    return n;
}

/* Parses an epoch time "1452468552", "1452468552.938" or milliseconds
 * "1327992119173" that fills [p, end) exactly.  Returns DF_TIME_NONE if it
 * is not one.  Values under 10^9 are not taken for times. */
static int64_t parse_epoch(const char *p, const char *end)
{
    uint64_t s, frac = 0;
    size_t n = parse_u64(p, end, &s), k;
    int64_t ms;

    if (n < 9 || n > 13)
        return DF_TIME_NONE;
    p += n;
    if (n <= 11) {                 /* seconds */
        ms = (int64_t)s * 1000;
        if (p < end && *p == '.') {
            p++;
            k = parse_u64(p, end, &frac);
            if (k == 0)
                return DF_TIME_NONE;
            p += k;
            while (k > 3) {
                frac /= 10;
                k--;
            }
            while (k < 3) {
                frac *= 10;
                k++;
            }
            ms += (int64_t)frac;
        }
    } else {                       /* milliseconds */
        ms = (int64_t)s;
    }
    if (p != end || s < 1000000000ULL)
        return DF_TIME_NONE;
    return ms;
}

/* Parses "YYYY-MM-DD[T ]HH:MM:SS[.fff][Z]" filling [p, end), or returns
 * DF_TIME_NONE. */
static int64_t parse_iso(const char *p, const char *end)
{
    int parts;
    int64_t ms = df__time_parse(p, (size_t)(end - p), &parts);

    return parts == 6 ? ms : DF_TIME_NONE;
}

/* FNV-1a of a tag block source name. */
static uint32_t hash_src(const char *p, const char *end)
{
    uint32_t h = 2166136261u;

    while (p < end)
        h = (h ^ (unsigned char)*p++) * 16777619u;
    return h ? h : 1;
}

/*
 * Parses one tag block starting at p (which points at the opening
 * backslash).  Returns the position after the closing backslash, or NULL
 * if there is none.  A bad checksum or a field that cannot be read is
 * counted; the fields that can be read are used all the same, since the
 * sentence has its own checksum.
 */
static const char *parse_tag_block(struct df_nmea *nm, const char *p,
                                   const char *end, struct meta *m)
{
    const char *q = p + 1, *close, *star = NULL, *f;
    unsigned sum = 0;
    int bad = 0;

    close = memchr(q, '\\', (size_t)(end - q));
    if (!close)
        return NULL;
    for (f = q; f < close; f++) {
        if (*f == '*') {
            star = f;
            break;
        }
        sum ^= (unsigned char)*f;
    }
    if (!star || close - star != 3 || hexval(star[1]) < 0 ||
        hexval(star[2]) < 0 ||
        (unsigned)(hexval(star[1]) << 4 | hexval(star[2])) != sum)
        bad = 1;
    if (!star)
        star = close;
    /* Fields: "x:value" separated by commas (AisLib #103: split on the
     * first colon only). */
    for (f = q; f < star;) {
        const char *fe = memchr(f, ',', (size_t)(star - f));
        const char *val;
        if (!fe)
            fe = star;
        if (fe - f >= 2 && f[1] == ':') {
            val = f + 2;
            switch (f[0]) {
            case 'c': {
                uint64_t t;
                size_t n = parse_u64(val, fe, &t);
                if (n == 0 || val + n != fe)
                    bad = 1;
                else if (t >= 100000000000ULL)   /* milliseconds */
                    m->rx_ms = (int64_t)t;
                else
                    m->rx_ms = (int64_t)t * 1000;
                break;
            }
            case 's':
                m->src = hash_src(val, fe);
                break;
            case 'g': {   /* g:<num>-<total>-<group id> */
                uint64_t a, b, c;
                size_t n1 = parse_u64(val, fe, &a), n2, n3;
                if (n1 && val + n1 < fe && val[n1] == '-') {
                    n2 = parse_u64(val + n1 + 1, fe, &b);
                    if (n2 && val + n1 + 1 + n2 < fe &&
                        val[n1 + 1 + n2] == '-') {
                        n3 = parse_u64(val + n1 + 2 + n2, fe, &c);
                        if (n3 && a >= 1 && a <= b && b <= 9) {
                            m->group_num = (uint8_t)a;
                            m->group_total = (uint8_t)b;
                            m->group_id = (uint32_t)c;
                            break;
                        }
                    }
                }
                bad = 1;
                break;
            }
            default:
                break;
            }
        }
        f = fe + 1;
    }
    if (bad)
        nm->st.drop_tag_block++;
    return close + 1;
}

/* "$PGHP,1,yyyy,mm,dd,hh,mi,ss,ms,..." dates the next sentence. */
static void parse_pghp(struct df_nmea *nm, const char *p, const char *end)
{
    int v[7], i;
    const char *f = p + 8;          /* after "$PGHP,1," */

    if (end - p < 8 || p[6] != '1' || p[7] != ',')
        return;
    for (i = 0; i < 7; i++) {
        uint64_t x;
        size_t n = parse_u64(f, end, &x);
        if (n == 0 || n > 4 || f + n >= end || f[n] != ',')
            return;
        v[i] = (int)x;
        f += n + 1;
    }
    nm->next_rx_ms = df__utc_ms(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/* ---- multipart reassembly ------------------------------------------- */

static void pend_take(struct df_nmea *nm, struct pending *pe)
{
    assert(!pe->used && nm->npend < nm->o.max_pending);
    pe->used = 1;
    nm->npend++;
}

static void pend_drop(struct df_nmea *nm, struct pending *pe)
{
    assert(pe->used && nm->npend > 0);
    pe->used = 0;
    nm->npend--;
}

/* The loops below stop once they have seen every entry in use: a new
 * one takes the lowest free slot, so those are few and at the front (an
 * entry is a few hundred bytes; scanning all 64 was most of the cost of
 * a multipart sentence). */
static struct pending *find_pending(struct df_nmea *nm, const struct meta *m,
                                    uint32_t seqid, char channel)
{
    unsigned i, left = nm->npend;

    for (i = 0; left > 0; i++) {
        struct pending *pe = &nm->pend[i];
        if (!pe->used)
            continue;
        left--;
        if (m->group_total) {
            if (pe->by_group && pe->id == m->group_id)
                return pe;
        } else if (!pe->by_group && pe->id == seqid &&
                   pe->channel == channel && pe->src == m->src) {
            return pe;
        }
    }
    return NULL;
}

/* Finds a free slot for a new multipart message, evicting partial
 * messages that have outlived the time to live, or else the oldest. */
static struct pending *new_pending(struct df_nmea *nm, int64_t rx_ms)
{
    struct pending *free_slot = NULL, *oldest = NULL;
    unsigned i, left = nm->npend;

    for (i = 0; i < nm->o.max_pending && (left > 0 || !free_slot); i++) {
        struct pending *pe = &nm->pend[i];
        if (pe->used) {
            left--;
            if (rx_ms != DF_TIME_NONE && pe->rx_ms != DF_TIME_NONE &&
                rx_ms - pe->rx_ms > nm->o.fragment_ttl_ms) {
                pend_drop(nm, pe);
                nm->st.drop_fragment_orphan += pe->next - 1;
            } else if (!oldest || pe->born < oldest->born) {
                oldest = pe;
            }
        }
        if (!pe->used && !free_slot)
            free_slot = pe;
    }
    if (free_slot)
        return free_slot;
    nm->st.drop_fragment_orphan += oldest->next - 1;
    pend_drop(nm, oldest);
    return oldest;
}

/*
 * De-armors n payload characters into nm->bits: sixteen characters
 * (twelve bytes) at a time with SSE2, eight (six bytes) where the byte
 * order allows, then four (three bytes).  avail >= n bytes at s may be
 * read: where sixteen are, the last few characters are taken sixteen at a
 * time too, the bytes past the payload read as '0' (zero bits).  Returns
 * the number of bits, -1 if a character is not a payload character, -2 if
 * the payload is too long.  Every byte of nm->bits past the payload is
 * zero afterwards, fill bits included: only the bytes dirtied since the
 * last message (nm->dirty, kept even when a payload is refused half-way)
 * are cleared.
 */
/* Bytes past o that dearmor() may have written: the word loop stores
 * eight bytes and keeps six.  Counted as written (and so cleared later);
 * BITS_BYTES + DEARMOR_SLOP stays inside the pad. */
#define DEARMOR_SLOP 2
/* A last group of four characters writes up to 3 bytes past the payload's
 * whole bytes; with the slop that must fit in the pad. */
_Static_assert(3 + DEARMOR_SLOP <= DF_BITS_PAD, "nm->bits pad too small");
/* The sixteen-character loop may take a last, partial group: it stores
 * 12 + DEARMOR_SLOP bytes from 12 bytes per group before it. */
_Static_assert(12 * ((BITS_BYTES * 8 / 6 - 1) / 16) + 12 + DEARMOR_SLOP <=
                   BITS_BYTES + DF_BITS_PAD,
               "nm->bits pad too small for a partial group");

static long dearmor(struct df_nmea *nm, const char *s, size_t n,
                    size_t avail, unsigned fill)
{
    const unsigned char *u = (const unsigned char *)s;
    const int8_t *t = df__armor_tab;
    uint8_t *o = nm->bits;
    size_t i = 0, nbits, nbytes, written;
    int bad = 0;

    if (n * 6 > BITS_BYTES * 8)
        return -2;
    if (fill > n * 6)
        return -1;
#if NMEA_SSE2
    /* Sixteen characters at a time: the same range check with byte
     * compares (a byte >= 0x80 is negative, so below '0'), then the six
     * bits of each character gathered pairwise in 16-, 32- and 64-bit
     * lanes into two 48-bit groups, stored big-endian as the word loop
     * below stores one.  About 2.5 instructions a character. */
    for (; i + 16 <= n || (i < n && i + 16 <= avail); i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
        __m128i ge30, ge58, ge60, ge78, x;
        uint64_t r0, r1;

        if (i + 16 > n) {       /* the last few: the rest reads as '0' */
            const __m128i keep = _mm_loadu_si128(
                (const __m128i *)(const void *)(first_k + 16 - (n - i)));
            v = _mm_or_si128(_mm_and_si128(keep, v),
                             _mm_andnot_si128(keep, _mm_set1_epi8('0')));
        }
        ge30 = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x2F));
        ge58 = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x57));
        ge60 = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x5F));
        ge78 = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x77));

        /* '0'-'W' or '`'-'w': >= '0', not >= 'x', not in 'X'-'_'. */
        if (_mm_movemask_epi8(_mm_andnot_si128(
                _mm_or_si128(ge78, _mm_andnot_si128(ge60, ge58)), ge30)) !=
            0xFFFF)
            goto refuse;
        x = _mm_sub_epi8(_mm_sub_epi8(v, _mm_set1_epi8(0x30)),
                         _mm_and_si128(ge60, _mm_set1_epi8(8)));
        x = _mm_or_si128(
            _mm_slli_epi16(_mm_and_si128(x, _mm_set1_epi16(0xFF)), 6),
            _mm_srli_epi16(x, 8));
        x = _mm_or_si128(
            _mm_slli_epi32(_mm_and_si128(x, _mm_set1_epi32(0xFFFF)), 12),
            _mm_srli_epi32(x, 16));
        x = _mm_or_si128(
            _mm_slli_epi64(_mm_and_si128(x, _mm_set_epi32(0, -1, 0, -1)), 24),
            _mm_srli_epi64(x, 32));
        r0 = (uint64_t)_mm_cvtsi128_si64(x);
        r1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
        r0 = __builtin_bswap64(r0 << 16);
        r1 = __builtin_bswap64(r1 << 16);
        memcpy(o, &r0, 8);
        memcpy(o + 6, &r1, 8);  /* 12 bytes count; the pad takes 2 more */
        o += 12;
    }
#endif
#if NMEA_SWAR
    /* Eight characters at a time in a 64-bit word (SWAR), about 5
     * instructions a character against 8 for the table.  Every byte must
     * be '0'-'W' (0x30-0x57) or '`'-'w' (0x60-0x77): with the high bits
     * clear, c + k sets a byte's high bit exactly when c >= 0x80 - k, and
     * no byte carries into the next. */
    for (; i + 8 <= n; i += 8) {
        const uint64_t H = 0x8080808080808080ULL, L = 0x0101010101010101ULL;
        uint64_t w, ge30, ge58, ge60, ge78, x, t2, t4, r;

        memcpy(&w, u + i, 8);
        if (w & H)
            goto refuse;
        ge30 = (w + L * 0x50) & H;
        ge58 = (w + L * 0x28) & H;
        ge60 = (w + L * 0x20) & H;
        ge78 = (w + L * 0x08) & H;
        if ((ge30 & ~ge78 & ~(ge58 & ~ge60)) != H)
            goto refuse;
        /* The six-bit values, the first character in the low byte. */
        x = w - L * 0x30 - (ge60 >> 4);
        /* Pack pairs, quads, then all eight, first character highest. */
        t2 = (x & 0x003F003F003F003FULL) << 6 |
             (x >> 8 & 0x003F003F003F003FULL);
        t4 = (t2 & 0x00000FFF00000FFFULL) << 12 |
             (t2 >> 16 & 0x00000FFF00000FFFULL);
        r = (t4 & 0xFFFFFF) << 24 | (t4 >> 32 & 0xFFFFFF);
        r = __builtin_bswap64(r << 16);
        memcpy(o, &r, 8);       /* 6 bytes count; the pad takes 2 more */
        o += 6;
    }
#endif
    for (; i + 4 <= n; i += 4) {
        int a = t[u[i]], b = t[u[i + 1]], c = t[u[i + 2]], d = t[u[i + 3]];
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 |
                     (uint32_t)c << 6 | (uint32_t)d;
        bad |= a | b | c | d;
        o[0] = (uint8_t)(v >> 16);
        o[1] = (uint8_t)(v >> 8);
        o[2] = (uint8_t)v;
        o += 3;
    }
    if (i < n) {
        uint32_t v = 0;
        unsigned k;
        for (k = 0; k < 4; k++) {
            int x = i + k < n ? t[u[i + k]] : 0;
            bad |= x;
            v = v << 6 | (uint32_t)(x & 63);
        }
        o[0] = (uint8_t)(v >> 16);
        o[1] = (uint8_t)(v >> 8);
        o[2] = (uint8_t)v;
        o += 3;
    }
    if (bad < 0)
        goto refuse;
    /* Clear the fill bits, then whatever the last message left beyond. */
    nbits = n * 6 - fill;
    nbytes = (nbits + 7) / 8;
    if (nbits % 8)
        nm->bits[nbits / 8] &= (uint8_t)(0xFF00 >> (nbits % 8));
    {
        size_t top;

        written = (size_t)(o - nm->bits) + DEARMOR_SLOP;
        top = written > nm->dirty ? written : nm->dirty;
        if (top > nbytes) {
            /* Usually a few bytes: a fixed 16 is two stores, no call. */
            if (top - nbytes <= 16 && nbytes + 16 <= sizeof nm->bits)
                memset(nm->bits + nbytes, 0, 16);
            else
                memset(nm->bits + nbytes, 0, top - nbytes);
        }
        nm->dirty = nbytes;
    }
    return (long)nbits;

refuse:
    /* What was written before the bad character is cleared next time. */
    written = (size_t)(o - nm->bits) + DEARMOR_SLOP;
    if (written > nm->dirty)
        nm->dirty = written;
    return -1;
}

/*
 * De-duplication: the same sentence heard by several stations (or relayed
 * twice) carries the same payload.  A payload is a duplicate if it was
 * seen within dedup_window_ms of receive time, or, when times are unknown,
 * within the last dedup_cap messages.  Memory is a fixed table of buckets
 * of SEEN_WAYS entries (the oldest in a bucket is replaced), so a duplicate
 * may rarely be missed under heavy load but memory never grows.
 */
static int is_duplicate(struct df_nmea *nm, const char *s, size_t n,
                        unsigned fill, int64_t rx_ms)
{
    uint64_t h = df__fnv1a64(DF__FNV64_INIT, s, n);
    struct seen *b, *victim;
    size_t i;

    h = (h ^ fill) * 1099511628211ULL;
    nm->seq++;
    b = &nm->seen[(h & nm->seen_mask) * SEEN_WAYS];
    victim = &b[0];
    for (i = 0; i < SEEN_WAYS; i++) {
        struct seen *e = &b[i];
        if (e->seq && e->hash == h) {
            int dup;
            if (rx_ms != DF_TIME_NONE && e->rx_ms != DF_TIME_NONE)
                dup = rx_ms - e->rx_ms <= nm->o.dedup_window_ms &&
                      e->rx_ms - rx_ms <= nm->o.dedup_window_ms;
            else
                dup = nm->seq - e->seq <= nm->o.dedup_cap;
            if (dup)
                return 1;
            victim = e;         /* refresh the stale entry */
            break;
        }
        if (e->seq < victim->seq)
            victim = e;
    }
    victim->hash = h;
    victim->seq = nm->seq;
    victim->rx_ms = rx_ms;
    return 0;
}

/* Decodes the de-armored bits of one message into *out. */
static int decode_bits(struct df_nmea *nm, long nbits, int64_t rx_ms,
                       char channel, struct df_msg *out)
{
    if (!df_ais_decode(nm->bits, (size_t)nbits, out, &nm->st))
        return 0;
    out->rx_ms = rx_ms;
    out->channel = channel;
    nm->st.messages++;
    return 1;
}

static int decode_payload(struct df_nmea *nm, const char *s, size_t n,
                          size_t avail, unsigned fill, int64_t rx_ms,
                          char channel, struct df_msg *out)
{
    long nbits;

    if (nm->seen && is_duplicate(nm, s, n, fill, rx_ms)) {
        nm->st.drop_duplicate++;
        return 0;
    }
    nbits = dearmor(nm, s, n, avail, fill);

    if (nbits == -2) {
        nm->st.drop_fragment_overflow++;
        return 0;
    }
    if (nbits < 0) {
        nm->st.drop_malformed++;
        return 0;
    }
    return decode_bits(nm, nbits, rx_ms, channel, out);
}

/* ---- one sentence ---------------------------------------------------- */

/* XOR of n bytes, eight at a time (XOR is associative, so the bytes of
 * the folded word are XORed together at the end); the last one to seven
 * bytes are the top of the word that ends with them. */
static inline unsigned xor_bytes(const char *p, size_t n)
{
    uint64_t acc = 0, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        acc ^= w;
    }
#if NMEA_SWAR
    if (i < n && n >= 8) {
        memcpy(&w, p + n - 8, 8);
        acc ^= w >> (8 * (8 - (n - i)));
        i = n;
    }
#endif
    acc ^= acc >> 32;
    acc ^= acc >> 16;
    acc ^= acc >> 8;
    {
        unsigned x = (unsigned)(acc & 0xff);
        for (; i < n; i++)
            x ^= (unsigned char)p[i];
        return x;
    }
}

/*
 * The common sentence, nine in ten of real traffic: one part, no sequence
 * id, a one-character channel and nothing after the checksum,
 *     !xxVDM,1,1,,c,<payload>,f*hh
 * Its fields are at fixed places from either end, so no field is searched
 * for.  It is taken only when everything about it is right, the payload's
 * characters included (dearmor checks them, and none of ',' or '*' is
 * one): then the general framer below would have found the same fields
 * and done the same.  Anything else returns -1, and the general framer
 * starts over and counts what was wrong.  The de-duplicating framer
 * always takes the general path.
 */
static int frame_single(struct df_nmea *nm, const char *p, const char *end,
                        struct meta *m, struct df_msg *out)
{
    const char *pay = p + 14, *star = end - 3;
    unsigned fill;
    long nbits;

    if (end - p < 20 || nm->seen || memcmp(p + 7, "1,1,,", 5) != 0 ||
        p[13] != ',' || p[12] == ',' || p[12] == '*' || p[1] == '*' ||
        p[2] == '*' || star[0] != '*' || star[-2] != ',' ||
        star[-1] < '0' || star[-1] > '6' || hexval(star[1]) < 0 ||
        hexval(star[2]) < 0)
        return -1;
    if ((unsigned)(hexval(star[1]) << 4 | hexval(star[2])) !=
            xor_bytes(p + 1, (size_t)(star - p - 1)) &&
        !nm->o.skip_checksum)
        return -1;
    fill = (unsigned)(star[-1] - '0');
    nbits = dearmor(nm, pay, (size_t)(star - 2 - pay), (size_t)(end - pay),
                    fill);
    if (nbits < 0)
        return -1;
    nm->st.sentences++;
    if (m->rx_ms == DF_TIME_NONE)
        m->rx_ms = nm->next_rx_ms;
    nm->next_rx_ms = DF_TIME_NONE;
    return decode_bits(nm, nbits, m->rx_ms, p[12], out);
}

/*
 * Frames the sentence at [p, end) that starts with '!'.  m carries what
 * the tag block and prefix said.  Returns 1 with *out filled when a message
 * is complete.
 */
static int frame_sentence(struct df_nmea *nm, const char *p, const char *end,
                          struct meta *m, struct df_msg *out)
{
    const char *f[7], *star = NULL, *q;
    unsigned sum = 0, nf = 0;
    uint64_t total, num, seqid = 0, fill;
    char channel;
    size_t plen;

    /* "!" talker(2) "VDM" or "VDO" "," */
    if (end - p < 7 || p[3] != 'V' || p[4] != 'D' ||
        (p[5] != 'M' && p[5] != 'O') || p[6] != ',') {
        nm->st.skip_not_ais++;
        return 0;
    }
    {
        int rc = frame_single(nm, p, end, m, out);
        if (rc >= 0)
            return rc;
    }
    /* The checksum covers everything between '!' and '*'. */
    star = memchr(p + 1, '*', (size_t)(end - p - 1));
    if (!star || end - star < 3 || hexval(star[1]) < 0 ||
        hexval(star[2]) < 0) {
        nm->st.drop_no_checksum++;
        return 0;
    }
    sum = xor_bytes(p + 1, (size_t)(star - p - 1));
    if ((unsigned)(hexval(star[1]) << 4 | hexval(star[2])) != sum &&
        !nm->o.skip_checksum) {
        nm->st.drop_checksum++;
        return 0;
    }
    /* Six fields after "!xxVDM,": exactly five more commas before '*'.
     * The first four fields are a few characters each: a plain loop beats
     * memchr there; the payload's comma is found with memchr. */
    f[0] = p + 7;
    for (nf = 1, q = p + 7; nf < 7; nf++) {
        if (nf == 5) {
            q = memchr(q, ',', (size_t)(star - q));
            if (!q)
                break;
        } else {
            while (q < star && *q != ',')
                q++;
            if (q == star)
                break;
        }
        f[nf] = ++q;
    }
    if (nf != 6) {          /* too few fields, or a seventh */
        nm->st.drop_malformed++;
        return 0;
    }
    /* A trailing ",<unix time>" after the checksum (USCG, AMSA, pyais
     * #139): the first field that is a bare epoch time. */
    if (m->rx_ms == DF_TIME_NONE && end - star > 3 && star[3] == ',') {
        const char *t = star + 4;
        while (t < end) {
            const char *te = memchr(t, ',', (size_t)(end - t));
            int64_t ms;
            if (!te)
                te = end;
            ms = parse_epoch(t, te);
            if (ms != DF_TIME_NONE) {
                m->rx_ms = ms;
                break;
            }
            t = te + 1;
        }
    }
    /* f[0] total, f[1] number, f[2] sequence id, f[3] channel,
     * f[4] payload, f[5] fill bits; each field ends at the next comma. */
    if (parse_u64(f[0], f[1] - 1, &total) != (size_t)(f[1] - 1 - f[0]) ||
        parse_u64(f[1], f[2] - 1, &num) != (size_t)(f[2] - 1 - f[1]) ||
        total < 1 || total > 9 || num < 1 || num > total) {
        nm->st.drop_malformed++;
        return 0;
    }
    if (f[3] - 1 > f[2] &&
        parse_u64(f[2], f[3] - 1, &seqid) != (size_t)(f[3] - 1 - f[2])) {
        nm->st.drop_malformed++;
        return 0;
    }
    channel = f[4] - 1 > f[3] ? *f[3] : 0;
    plen = (size_t)(f[5] - 1 - f[4]);
    /* Fill bits are 0-5; gpsd also takes 6 (a whole spare character),
     * which some base stations send. */
    if (star - f[5] != 1 || f[5][0] < '0' || f[5][0] > '6') {
        /* A missing fill field is common on the last fragment of
         * hand-written logs; anything else is malformed. */
        if (star != f[5]) {
            nm->st.drop_malformed++;
            return 0;
        }
        fill = 0;
    } else {
        fill = (uint64_t)(f[5][0] - '0');
    }
    nm->st.sentences++;
    if (m->rx_ms == DF_TIME_NONE)
        m->rx_ms = nm->next_rx_ms;
    nm->next_rx_ms = DF_TIME_NONE;

    if (total == 1) {
        if (plen == 0) {
            nm->st.drop_empty_payload++;
            return 0;
        }
        return decode_payload(nm, f[4], plen, (size_t)(end - f[4]),
                              (unsigned)fill, m->rx_ms, channel, out);
    }

    /* Multipart. */
    if (m->group_total && m->group_num != num)
        m->group_total = 0;         /* inconsistent group: key by seqid */
    {
        struct pending *pe = find_pending(nm, m, (uint32_t)seqid, channel);
        if (num == 1) {
            if (pe) {               /* a restart: the old one is orphaned */
                nm->st.drop_fragment_orphan += pe->next - 1;
                pend_drop(nm, pe);
            }
            pe = new_pending(nm, m->rx_ms);
            pend_take(nm, pe);
            pe->src = m->src;
            pe->by_group = m->group_total != 0;
            pe->id = pe->by_group ? m->group_id : (uint32_t)seqid;
            pe->channel = channel;
            pe->total = (uint8_t)total;
            pe->next = 1;
            pe->rx_ms = m->rx_ms;
            pe->born = nm->lineno;
            pe->nchars = 0;
        } else if (!pe || pe->next != num || pe->total != total) {
            if (pe) {
                nm->st.drop_fragment_orphan += pe->next - 1;
                pend_drop(nm, pe);
            }
            nm->st.drop_fragment_order++;
            return 0;
        }
        if (pe->nchars + plen > PENDING_CHARS) {
            nm->st.drop_fragment_overflow++;
            pend_drop(nm, pe);
            return 0;
        }
        memcpy(pe->chars + pe->nchars, f[4], plen);
        pe->nchars = (uint16_t)(pe->nchars + plen);
        pe->next++;
        if (num < total)
            return 0;
        pend_drop(nm, pe);
        if (pe->nchars == 0) {
            nm->st.drop_empty_payload++;
            return 0;
        }
        return decode_payload(nm, pe->chars, pe->nchars, sizeof pe->chars,
                              (unsigned)fill, pe->rx_ms, pe->channel, out);
    }
}

int df_nmea_line(struct df_nmea *nm, const char *line, size_t len,
                 struct df_msg *out)
{
    const char *p = line, *end = line + len, *s;
    struct meta m;

    nm->lineno++;
    nm->st.lines++;
    nm->st.bytes += len + 1;
    while (end > p && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end) {
        nm->st.skip_blank++;
        return 0;
    }
    m.rx_ms = DF_TIME_NONE;
    m.src = 0;
    m.group_total = 0;
    m.group_num = 0;
    m.group_id = 0;
    if (*p == '!') {    /* the common case: a bare sentence */
        return frame_sentence(nm, p, end, &m, out);
    }
    if (*p == '#') {
        nm->st.skip_comment++;
        return 0;
    }
    /* A line prefix before the sentence or tag block: a receive time. */
    s = p;
    while (s < end && *s != '!' && *s != '\\' && *s != '$')
        s++;
    if (s == end) {
        nm->st.skip_not_ais++;
        return 0;
    }
    if (s > p) {
        const char *pe = s;
        const char *pb = p;
        while (pe > pb && (pe[-1] == ' ' || pe[-1] == '\t' || pe[-1] == ','))
            pe--;
        if (*pb == '[' && pe > pb && pe[-1] == ']') {
            pb++;
            pe--;
        }
        m.rx_ms = parse_epoch(pb, pe);
        if (m.rx_ms == DF_TIME_NONE)
            m.rx_ms = parse_iso(pb, pe);
    }
    p = s;
    while (p < end && *p == '\\') {
        const char *after = parse_tag_block(nm, p, end, &m);
        if (!after) {
            nm->st.drop_tag_block++;
            nm->st.drop_malformed++;
            return 0;
        }
        p = after;
        /* Tolerate a doubled backslash (libais #235). */
        if (p < end && *p == '\\' && p + 1 < end && p[1] == '!')
            p++;
    }
    if (p == end) {
        nm->st.skip_not_ais++;
        return 0;
    }
    if (*p == '$') {
        if (end - p >= 6 && memcmp(p, "$PGHP,", 6) == 0)
            parse_pghp(nm, p, end);
        nm->st.skip_not_ais++;
        return 0;
    }
    if (*p != '!') {
        nm->st.skip_not_ais++;
        return 0;
    }
    return frame_sentence(nm, p, end, &m, out);
}

/* ---- buffers of lines ----------------------------------------------- */

int df_nmea_feed(struct df_nmea *nm, const char *buf, size_t len,
                 int (*fn)(const struct df_msg *msg, void *ud), void *ud)
{
    const char *p = buf, *end = buf + len;
    struct df_msg msg;
    int rc;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (nm->overlong) {         /* skipping the tail of a long line */
            if (nl)
                nm->overlong = 0;
            p = nl ? nl + 1 : end;
            continue;
        }
        if (!nl) {                  /* keep a partial line for later */
            if (nm->ncarry + n > nm->o.max_line) {
                nm->st.drop_line_too_long++;
                nm->st.lines++;
                nm->ncarry = 0;
                nm->overlong = 1;
            } else {
                memcpy(nm->carry + nm->ncarry, p, n);
                nm->ncarry += n;
            }
            break;
        }
        if (nm->ncarry) {
            if (nm->ncarry + n > nm->o.max_line) {
                nm->st.drop_line_too_long++;
                nm->st.lines++;
                nm->ncarry = 0;
                p = nl + 1;
                continue;
            }
            memcpy(nm->carry + nm->ncarry, p, n);
            n += nm->ncarry;
            nm->ncarry = 0;
            rc = df_nmea_line(nm, nm->carry, n, &msg);
        } else if (n > nm->o.max_line) {
            nm->st.drop_line_too_long++;
            nm->st.lines++;
            rc = 0;
        } else {
            rc = df_nmea_line(nm, p, n, &msg);
        }
        p = nl + 1;
        if (rc == 1 && (rc = fn(&msg, ud)) != 0)
            return rc;
    }
    return 0;
}

int df_nmea_flush(struct df_nmea *nm,
                  int (*fn)(const struct df_msg *msg, void *ud), void *ud)
{
    struct df_msg msg;
    unsigned i;
    int rc = 0;

    if (nm->ncarry && !nm->overlong) {
        size_t n = nm->ncarry;
        nm->ncarry = 0;
        if (df_nmea_line(nm, nm->carry, n, &msg) == 1)
            rc = fn(&msg, ud);
    }
    nm->ncarry = 0;
    nm->overlong = 0;
    /* Partial messages left at the end of input are orphans. */
    for (i = 0; i < nm->o.max_pending; i++) {
        if (nm->pend[i].used) {
            nm->st.drop_fragment_orphan += nm->pend[i].next - 1;
            pend_drop(nm, &nm->pend[i]);
        }
    }
    return rc;
}
