/*
 * darkfleet.h - the only public header of libdarkfleet.
 *
 * libdarkfleet turns raw AIS (ITU-R M.1371-5 carried in NMEA 0183 / IEC
 * 61162-1 sentences, or decoded CSV tables) into typed messages, tracks,
 * events and ranked vessels.  The library never prints, never exits,
 * never opens a socket and never allocates per message on the hot path: the
 * CLI in cli/ does all of that.
 *
 * The sections follow the pipeline of DESIGN.md, left to right, after the
 * infrastructure every stage uses:
 *
 *   1  Errors                       enum df_err, df_strerror()
 *   2  Statistics                   struct df_stats: what each stage dropped
 *   3  Output buffer                struct df_buf and its escaping writers
 *   4  Time                         ms since the epoch <-> ISO 8601
 *   5  Inputs                       files, stdin, compression; format guess
 *   6  Framing                      NMEA lines -> messages (struct df_nmea)
 *   7  Decode                       struct df_msg; as JSON, back to NMEA
 *   8  Records                      struct df_rec from messages and CSV
 *   9  Reorder                      records back in time order
 *  10  Configuration                every threshold and risk weight
 *  11  Vessels                      identity history, track points, MID
 *  12  Events                       what the detectors report
 *  13  Geography                    land, shore, zones, ports, distance
 *  14  Scan                         tracks and detectors over records
 *  15  Screening                    sanctions lists: load and match
 *  16  Risk                         points and reasons behind a score
 *  17  Store                        SQLite: write, read back, query
 *  18  Exports                      GeoJSON, GeoJSONSeq, KML, CSV
 *  19  Report                       the offline HTML report; web files
 *  20  Simulator                    synthetic traffic (outside the pipeline)
 *
 * Conventions that hold for the whole API:
 *  - Values stay in AIS wire units (lon/lat in 1/10000 minute, speed in
 *    1/10 knot, course in 1/10 degree) until output.  The not-available
 *    sentinels (lon 181 deg, lat 91 deg, speed 1023, course 3600, heading 511)
 *    are kept as they arrive; DF_*_NA below name them.
 *  - Functions that can fail return enum df_err; DF_OK is 0.  Those that
 *    take (err, errlen) write a one-line message there on failure.
 *  - Bad input is data, not failure: it bumps a counter in struct df_stats.
 *  - Pointers passed in are borrowed for the duration of the call unless a
 *    comment says otherwise; pointers handed out are owned by the library
 *    object that produced them and stay valid until the next call on it.
 *    A pointer a callback receives is valid during that call only.
 *  - Heap objects come in _new/_free (or _open/_close) pairs; _free(NULL)
 *    and _close(NULL) are no-ops.
 *  - Callbacks that return int return 0 to go on; a non-zero return stops
 *    the work and is handed back to the caller, unless a comment says
 *    otherwise (the scan, the simulator).
 */
#ifndef DARKFLEET_H
#define DARKFLEET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DF_VERSION_MAJOR 0
#define DF_VERSION_MINOR 1
#define DF_VERSION_PATCH 0
#define DF_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------ */
/* 1. Errors                                                          */
/* ------------------------------------------------------------------ */

/* One table for codes and messages (libuv's UV_ERRNO_MAP). */
#define DF_ERR_MAP(XX)                                                   \
    XX(OK, "success")                                                    \
    XX(NOMEM, "out of memory")                                           \
    XX(IO, "input/output error")                                         \
    XX(INVAL, "invalid argument")                                        \
    XX(FORMAT, "unknown or unusable input format")                       \
    XX(CORRUPT, "input is truncated or corrupt")                         \
    XX(LIMIT, "a configured limit was reached")                          \
    XX(DB, "database error")

enum df_err {
#define XX(code, msg) DF_##code,
    DF_ERR_MAP(XX)
#undef XX
    DF_ERR_COUNT
};

/* Returns a static string describing err ("unknown error" for a value
 * outside the table); never NULL. */
const char *df_strerror(enum df_err err);

/* ------------------------------------------------------------------ */
/* 2. Statistics                                                      */
/* ------------------------------------------------------------------ */

/*
 * Every counter the readers keep, with its label.  Drop reasons are
 * counters whose name starts with "drop_" or "skip_"; the CLI prints all
 * non-zero counters for --stats.
 */
#define DF_STATS_MAP(XX)                                                   \
    XX(lines, "lines read")                                                \
    XX(bytes, "bytes read")                                                \
    XX(sentences, "AIS sentences framed")                                  \
    XX(messages, "AIS messages decoded")                                   \
    XX(records, "records produced")                                        \
    XX(skip_blank, "blank lines")                                          \
    XX(skip_comment, "comment lines")                                      \
    XX(skip_not_ais, "non-AIS sentences (GPS, $PGHP, alarms, ...)")        \
    XX(drop_line_too_long, "lines longer than the line cap")               \
    XX(drop_checksum, "sentences with a bad checksum")                     \
    XX(drop_no_checksum, "sentences without a checksum")                   \
    XX(drop_malformed, "malformed sentences (fields, counts, armoring)")   \
    XX(drop_tag_block, "malformed tag blocks (sentence kept)")             \
    XX(drop_fragment_orphan, "fragments evicted without their message")    \
    XX(drop_fragment_order, "fragments out of sequence")                   \
    XX(drop_fragment_overflow, "multipart messages too long")              \
    XX(drop_empty_payload, "sentences with an empty payload")              \
    XX(drop_bad_type, "messages of unknown type (0, 28-63)")               \
    XX(drop_short, "messages shorter than their type requires")            \
    XX(drop_long, "messages longer than their type allows")                \
    XX(drop_type24_part, "type 24 with an unknown part number")            \
    XX(drop_duplicate, "duplicates heard by several stations")             \
    XX(drop_out_of_order, "records older than the reorder window")         \
    XX(drop_csv_row, "CSV rows that could not be parsed")                  \
    XX(drop_csv_field, "CSV fields with unusable values (row kept)")       \
    XX(drop_feed_overflow, "bytes dropped from a flooding feed")           \
    XX(skip_berth, "vessel pairs at berths, not encounters")              \
    XX(skip_fast_encounter, "close pairs over the median speed limit")     \
    XX(drop_meet_pairs, "vessel pairs over the encounter pair cap")        \
    XX(drop_meet_vessels, "vessels over the encounter detector's cap")     \
    XX(drop_meet_events, "loitering events lost to out of memory")         \
    XX(skip_no_position, "positions unusable for tracks (n/a, range, 0,0)")\
    XX(skip_late_position, "late reports of an earlier place (not jumps)") \
    XX(drop_track_evicted, "vessels flushed early at track_max_vessels")  \
    XX(drop_ghost_evicted, "last fixes of silent vessels evicted (cap)")  \
    XX(drop_older_than_state, "records older than the saved state")       \
    XX(skip_input_done, "inputs already scanned into the store, skipped") \
    XX(skip_input_resumed, "records of a resumed input scanned before")

struct df_stats {
#define XX(name, label) uint64_t name;
    DF_STATS_MAP(XX)
#undef XX
};

/* Calls fn(name, label, value, ud) for each counter in table order, zero
 * or not; name and label are static strings. */
void df_stats_each(const struct df_stats *s,
                   void (*fn)(const char *name, const char *label,
                              uint64_t value, void *ud),
                   void *ud);

/* Adds every counter of src into dst (to sum the stages of a run). */
void df_stats_add(struct df_stats *dst, const struct df_stats *src);

/* ------------------------------------------------------------------ */
/* 3. Output buffer: every text writer renders into one               */
/* ------------------------------------------------------------------ */

/*
 * A growable byte buffer; data is owned by the buffer.  Zero-initialise,
 * then df_buf_free() when done.  The caller may read data[0..len) and
 * empty the buffer (len = 0) at any time.  An append that cannot grow the
 * buffer sets oom and every later append does nothing, so a writer checks
 * oom once at the end; the df_buf_* appends keep data NUL-terminated.
 */
struct df_buf {
    char *data;
    size_t len, cap;
    int oom;               /* set once an append failed; appends then no-op */
};

/* Frees data and resets *b to the zero state (oom cleared); b itself is
 * the caller's.  The buffer can be used again. */
void df_buf_free(struct df_buf *b);
/* Makes room for extra more bytes plus a NUL.  Returns 0, or -1 (and sets
 * b->oom) when out of memory or after an earlier failure. */
int df_buf_reserve(struct df_buf *b, size_t extra);
/* Appends n bytes of s (which may hold NULs). */
void df_buf_append(struct df_buf *b, const char *s, size_t n);
/* Appends the NUL-terminated s. */
void df_buf_puts(struct df_buf *b, const char *s);
/* Appends printf-formatted text (nothing if vsnprintf fails). */
void df_buf_printf(struct df_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * Escaping writers: each appends n bytes of s, escaped for one format.
 * Strings from AIS, lists and the store are attacker-controlled; they
 * reach a document only through one of these.
 */
/* Appends s as a JSON string literal (RFC 8259): quoted; '"', '\\' and
 * control characters escaped; bytes >= 0x80 copied as they are (the
 * caller hands in UTF-8). */
void df_buf_json_str(struct df_buf *b, const char *s, size_t n);
/* Appends s as df_buf_json_str() does, for text that may not be UTF-8
 * (read back from a store): a byte that is not part of valid UTF-8 is
 * written as U+FFFD, DEL and the C1 controls U+0080-U+009F as \u
 * escapes, so that the literal is valid UTF-8 and inert on a terminal. */
void df_buf_json_utf8_str(struct df_buf *b, const char *s, size_t n);
/* Appends s as plain text for a terminal: the C0 controls (< 0x20, tab
 * and newline too), DEL, the C1 controls U+0080-U+009F and every byte
 * that is not part of valid UTF-8 become '?', so that no escape sequence
 * gets through. */
void df_buf_term_str(struct df_buf *b, const char *s, size_t n);
/* Appends s as a JSON string literal that is also safe inside an HTML
 * <script> element: as df_buf_json_str(), with every '<' written as
 * \u003c and U+2028, U+2029 as \u2028, \u2029. */
void df_buf_json_script_str(struct df_buf *b, const char *s, size_t n);
/* Appends s as HTML text or attribute value (& < > " ' escaped); NUL
 * bytes are dropped. */
void df_buf_html_str(struct df_buf *b, const char *s, size_t n);
/* Appends s as XML 1.0 text for KML (& < > " ' escaped; control
 * characters other than tab and newline dropped). */
void df_buf_xml_str(struct df_buf *b, const char *s, size_t n);
/* Appends s as one CSV field (RFC 4180: quoted when it holds a comma,
 * quote, CR or LF; and a leading = + - @ prefixed with ' against formula
 * injection in spreadsheets). */
void df_buf_csv_str(struct df_buf *b, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* 4. Time: ms since the epoch, UTC                                   */
/* ------------------------------------------------------------------ */

#define DF_TIME_NONE INT64_MIN /* receive time unknown */

/* Formats ms since the epoch as UTC ISO 8601 with 'Z', with milliseconds
 * only when non-zero ("2025-03-01T05:30:00Z", "...:00.250Z"), into out (at
 * least 32 bytes; NUL-terminated).  Returns the length. */
size_t df_time_iso(int64_t ms, char *out);
/* Parses UTC ISO 8601 as written by df_time_iso() and by people:
 * "YYYY-MM-DD", then optionally 'T' (or ' ') "HH:MM", ":SS", ".fff",
 * and 'Z'; n bytes exactly.  Returns ms since the epoch, or DF_TIME_NONE
 * for NULL, anything else or an impossible date (years 1900-9999). */
int64_t df_time_parse(const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* 5. Inputs (the sources): files, stdin, compression, format guess   */
/* ------------------------------------------------------------------ */

/*
 * An input is a stream of decompressed bytes.  Compression is detected
 * from magic bytes, never from the name: gzip, zstd, xz, bzip2, and zip
 * archives with one or more members (read in order, each member ending
 * with a line break).  Plain bytes pass through.
 */
struct df_input;

/* Opens path, or standard input for "-", and reads its first bytes to
 * detect compression.  On success *out is a new input to free with
 * df_input_free().  On failure *out is NULL and returns DF_IO (open or
 * read failed), DF_FORMAT (compressed, but the decompressor could not be
 * loaded), DF_CORRUPT, DF_NOMEM or DF_INVAL, with a one-line message
 * (naming the path) in err. */
enum df_err df_input_open(struct df_input **out, const char *path, char *err,
                          size_t errlen);
/* As df_input_open() for an open descriptor (a pipe, a socket); name is
 * used in messages.  The descriptor stays the caller's. */
enum df_err df_input_open_fd(struct df_input **out, int fd, const char *name,
                             char *err, size_t errlen);
/*
 * Reads up to len decompressed bytes into buf.  Returns the count, 0 at the
 * end of the input, or -1 when the input is damaged or unreadable: the bytes
 * returned before stay good, and df_input_error() says what went wrong.
 * After -1, every later call returns -1.
 */
long df_input_read(struct df_input *in, char *buf, size_t len);
/* What went wrong ("name: truncated gzip stream"...), or NULL if nothing
 * did.  Owned by in; valid until df_input_free(). */
const char *df_input_error(const struct df_input *in);
/* Compressed bytes consumed so far, and the compressed size when the input
 * is a regular file (else 0), for progress meters. */
uint64_t df_input_pos(const struct df_input *in);
uint64_t df_input_size(const struct df_input *in);
/* Frees the input and closes the file df_input_open() opened (never
 * standard input, nor a descriptor given to df_input_open_fd()); NULL is
 * a no-op. */
void df_input_free(struct df_input *in);

/* An input file as a scan knows it again in a later run: its real path,
 * size, modification time and a hash of its first 64 KiB, with how far
 * the scan read it (the store keeps these: df_store_input_put). */
struct df_input_mark {
    char path[1024];
    int64_t size;
    int64_t mtime_ns;
    uint64_t head_hash;
    uint64_t records;          /* records read from it into the state */
    int done;                  /* read to its end */
};
/* Fills the identity of the file at path into *m (records and done 0).
 * DF_IO when it is not a regular file that can be read (standard input,
 * a pipe, a missing file), DF_INVAL for a path too long. */
enum df_err df_input_mark_read(const char *path, struct df_input_mark *m);
/* 1 if a and b are the same file content as far as their marks tell
 * (size, modification time, hash of the head), else 0. */
int df_input_mark_same(const struct df_input_mark *a,
                       const struct df_input_mark *b);
/* 1 if the file of now (read by df_input_mark_read) is the file of old
 * with more appended: larger, and its first bytes (as many as old hashed)
 * the same; else 0.  Reads the file. */
int df_input_mark_grown(const struct df_input_mark *old,
                        const struct df_input_mark *now);

enum df_format {
    DF_FMT_UNKNOWN = 0,
    DF_FMT_NMEA,           /* NMEA 0183 with or without tag blocks, prefixes */
    DF_FMT_CSV_MC,         /* MarineCadastre CSV (2015-2024 or 2025 names) */
    DF_FMT_CSV_DMA,        /* Danish Maritime Authority CSV */
};

/* Guesses the format of a stream from its first decompressed bytes (up to
 * 8 KiB and 32 lines are looked at; more is ignored).  Never reads past
 * len.  DF_FMT_UNKNOWN when no line tells. */
enum df_format df_detect_format(const char *buf, size_t len);
/* A static name for f: "nmea", "marinecadastre", "dma" or "unknown". */
const char *df_format_name(enum df_format f);

/* ------------------------------------------------------------------ */
/* 6. Framing: NMEA 0183 sentences to messages                        */
/* ------------------------------------------------------------------ */

struct df_msg; /* a decoded message: section 7 */

/* The framer's options.  Zero-initialise: a field left 0 takes its
 * default. */
struct df_nmea_opts {
    int skip_checksum;       /* accept sentences whose checksum fails */
    unsigned max_pending;    /* multipart messages in flight (default 64) */
    int64_t fragment_ttl_ms; /* evict partial messages older than this, by
                              * receive time, when known (default 60000) */
    unsigned max_line;       /* longest line df_nmea_feed() accepts
                              * (default 4096) */
    int64_t dedup_window_ms; /* drop a payload seen again within this time
                              * (the same sentence heard by several
                              * stations); 0 turns de-duplication off */
    unsigned dedup_cap;      /* payloads remembered (default 16384); when
                              * receive times are unknown the window is
                              * the last dedup_cap messages */
};

/*
 * The framer: finds the receive time (tag block, line prefix, trailing
 * field, $PGHP header), checks the checksum, reassembles multipart
 * messages in a table of max_pending entries, drops duplicates (when
 * dedup_window_ms is set), and decodes each complete payload
 * (df_ais_decode()).  It allocates only in df_nmea_new().
 */
struct df_nmea;

/* Creates a framer; opts (copied) may be NULL for the defaults.  Returns
 * NULL when out of memory.  Free with df_nmea_free(). */
struct df_nmea *df_nmea_new(const struct df_nmea_opts *opts);
/* Frees the framer, partial messages included; NULL is a no-op. */
void df_nmea_free(struct df_nmea *nm);

/*
 * Frames one line (without its line terminator; a trailing '\r' is
 * ignored).  Returns 1 and fills *out when the line completes a message, 0
 * otherwise.  Anything wrong with the line is counted, never fatal.  The
 * line need not be NUL-terminated and is not kept after the call.
 */
int df_nmea_line(struct df_nmea *nm, const char *line, size_t len,
                 struct df_msg *out);

/*
 * Frames a buffer of any size holding any number of lines, calling
 * fn(msg, ud) for each message completed.  A line split across calls is
 * carried over (up to max_line bytes; a longer line is counted and
 * skipped).  If fn returns non-zero, framing stops and that value is
 * returned (the rest of buf is not framed); otherwise 0.  msg is valid
 * during the call only.
 */
int df_nmea_feed(struct df_nmea *nm, const char *buf, size_t len,
                 int (*fn)(const struct df_msg *msg, void *ud), void *ud);
/* Ends the input: frames a last line that had no terminator (calling fn
 * for its message, whose return is returned), then drops every partial
 * multipart message still held, counting its fragments in
 * drop_fragment_orphan. */
int df_nmea_flush(struct df_nmea *nm,
                  int (*fn)(const struct df_msg *msg, void *ud), void *ud);

/* The framer's counters (framing and decoding), live: owned by nm, valid
 * until df_nmea_free(). */
const struct df_stats *df_nmea_stats(const struct df_nmea *nm);

/* ------------------------------------------------------------------ */
/* 7. Decode: AIS messages (ITU-R M.1371-5), wire units               */
/* ------------------------------------------------------------------ */

#define DF_LON_NA (181 * 600000)  /* 1/10000 min */
#define DF_LAT_NA (91 * 600000)
#define DF_SPEED_NA 1023          /* 1/10 kn */
#define DF_COURSE_NA 3600         /* 1/10 deg */
#define DF_HEADING_NA 511
#define DF_MAX_PAYLOAD_BITS 1008  /* 5 slots; longest legal message */

/* Six-bit text fields, NUL-terminated, trimmed as gpsd trims them:
 * cut at the first '@', then trailing spaces and '@' removed. */

struct df_pos {            /* types 1, 2, 3: Class A position report */
    uint8_t status;        /* navigational status 0-15 */
    int8_t turn;           /* rate of turn, ROT_AIS -128..127 */
    uint16_t speed;        /* 1/10 kn, 1023 = n/a */
    uint8_t accuracy;
    int32_t lon;           /* 1/10000 min */
    int32_t lat;
    uint16_t course;       /* 1/10 deg, 3600 = n/a */
    uint16_t heading;      /* deg, 511 = n/a */
    uint8_t second;
    uint8_t maneuver;
    uint8_t raim;
    uint32_t radio;
};

struct df_base {           /* types 4, 11: base station / UTC report */
    uint16_t year;
    uint8_t month, day, hour, minute, second;
    uint8_t accuracy;
    int32_t lon, lat;      /* 1/10000 min */
    uint8_t epfd;
    uint8_t raim;
    uint32_t radio;
};

struct df_static {         /* type 5: static and voyage related data */
    uint8_t ais_version;
    uint32_t imo;
    char callsign[8];
    char shipname[21];
    uint8_t shiptype;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    uint8_t epfd;
    uint8_t month, day, hour, minute; /* ETA */
    uint8_t draught;       /* 1/10 m */
    char destination[21];
    uint8_t dte;
};

/* Types 6, 8, 17, 25, 26: binary payloads.  The application data stays
 * as bits; df_app_* helpers interpret known DAC/FI pairs at output. */
struct df_binary {
    uint8_t seqno;         /* 6 */
    uint32_t dest_mmsi;    /* 6, 25, 26 */
    uint8_t retransmit;    /* 6 */
    uint16_t dac;          /* 6, 8 */
    uint8_t fid;           /* 6, 8 */
    uint8_t addressed;     /* 25, 26 */
    uint8_t structured;    /* 25, 26 */
    uint16_t app_id;       /* 25, 26: dac << 6 | fid when structured */
    int32_t lon, lat;      /* 17: 1/10 min */
    uint32_t radio;        /* 26 */
    uint16_t bitcount;     /* bits in data */
    uint8_t data[128];     /* MSB first */
};

struct df_ack {            /* types 7, 13 */
    uint32_t mmsi[4];
    uint8_t seqno[4];
    uint8_t count;         /* acknowledged stations present, 1-4 */
};

struct df_sar {            /* type 9: SAR aircraft position */
    uint16_t alt;          /* m, 4095 = n/a */
    uint16_t speed;        /* kn, 1023 = n/a */
    uint8_t accuracy;
    int32_t lon, lat;
    uint16_t course;
    uint8_t second;
    uint8_t regional;
    uint8_t dte;
    uint8_t assigned;
    uint8_t raim;
    uint32_t radio;
};

struct df_text {           /* types 10 (no text), 12, 14 */
    uint8_t seqno;
    uint32_t dest_mmsi;
    uint8_t retransmit;
    char text[158];        /* up to 156 six-bit characters */
};

struct df_interrogation {  /* type 15 */
    uint32_t mmsi1;
    uint8_t type1_1;
    uint16_t offset1_1;
    uint8_t type1_2;
    uint16_t offset1_2;
    uint32_t mmsi2;
    uint8_t type2_1;
    uint16_t offset2_1;
};

struct df_assign {         /* type 16 */
    uint32_t mmsi1;
    uint16_t offset1, increment1;
    uint32_t mmsi2;
    uint16_t offset2, increment2;
};

struct df_classb {         /* types 18, 19 */
    uint8_t reserved;
    uint16_t speed;
    uint8_t accuracy;
    int32_t lon, lat;
    uint16_t course;
    uint16_t heading;
    uint8_t second;
    uint8_t regional;
    uint8_t cs, display, dsc, band, msg22; /* 18 */
    uint8_t assigned;
    uint8_t raim;
    uint32_t radio;        /* 18 */
    char shipname[21];     /* 19 */
    uint8_t shiptype;      /* 19 */
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    uint8_t epfd;          /* 19 */
    uint8_t dte;           /* 19 */
};

struct df_slots {          /* type 20: data link management */
    struct {
        uint16_t offset;
        uint8_t number;
        uint8_t timeout;
        uint16_t increment;
    } slot[4];
};

struct df_aton {           /* type 21: aid to navigation */
    uint8_t aid_type;
    char name[35];         /* 20 characters plus up to 14 extension */
    uint8_t accuracy;
    int32_t lon, lat;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    uint8_t epfd;
    uint8_t second;
    uint8_t off_position;
    uint8_t regional;
    uint8_t raim;
    uint8_t virtual_aid;
    uint8_t assigned;
};

struct df_chanmgmt {       /* type 22: channel management */
    uint16_t channel_a, channel_b;
    uint8_t txrx;
    uint8_t power;
    int32_t ne_lon, ne_lat, sw_lon, sw_lat; /* 1/10 min, when !addressed */
    uint32_t dest1, dest2;                  /* when addressed */
    uint8_t addressed;
    uint8_t band_a, band_b;
    uint8_t zonesize;
};

struct df_groupassign {    /* type 23: group assignment */
    int32_t ne_lon, ne_lat, sw_lon, sw_lat; /* 1/10 min */
    uint8_t stationtype;
    uint8_t shiptype;
    uint8_t txrx;
    uint8_t interval;
    uint8_t quiet;
};

struct df_static24 {       /* type 24: static data report, part A or B */
    uint8_t partno;        /* 0 = A (name), 1 = B (the rest) */
    char shipname[21];     /* A */
    uint8_t shiptype;      /* B */
    char vendorid[8];      /* B: 3 chars (+ model/serial) or 7 chars */
    uint8_t model;
    uint32_t serial;
    char callsign[8];
    uint16_t to_bow, to_stern;       /* B, ship */
    uint8_t to_port, to_starboard;
    uint32_t mothership_mmsi;        /* B, auxiliary craft (MMSI 98...) */
};

struct df_longrange {      /* type 27: long-range position report */
    uint8_t accuracy;
    uint8_t raim;
    uint8_t status;
    int32_t lon, lat;      /* 1/10 min */
    uint16_t speed;        /* kn, 63 = n/a */
    uint16_t course;       /* deg, 511 = n/a */
    uint8_t gnss;
};

/*
 * One decoded message.  The decoder fills every field of the member of u
 * that its type selects and leaves the others untouched.
 */
struct df_msg {
    int64_t rx_ms;         /* receive time, ms since the epoch, or
                            * DF_TIME_NONE */
    uint32_t mmsi;
    uint8_t type;          /* 1-27 */
    uint8_t repeat;
    char channel;          /* radio channel as framed ('A', 'B', ...), or 0 */
    uint16_t nbits;        /* payload length in bits */
    union {
        struct df_pos pos;               /* 1, 2, 3 */
        struct df_base base;             /* 4, 11 */
        struct df_static stat;           /* 5 */
        struct df_binary bin;            /* 6, 8, 17, 25, 26 */
        struct df_ack ack;               /* 7, 13 */
        struct df_sar sar;               /* 9 */
        struct df_text text;             /* 10, 12, 14 */
        struct df_interrogation inter;   /* 15 */
        struct df_assign assign;         /* 16 */
        struct df_classb cb;             /* 18, 19 */
        struct df_slots slots;           /* 20 */
        struct df_aton aton;             /* 21 */
        struct df_chanmgmt chan;         /* 22 */
        struct df_groupassign group;     /* 23 */
        struct df_static24 s24;          /* 24 */
        struct df_longrange lr;          /* 27 */
    } u;
};

/*
 * Decodes one de-armored payload: bits holds nbits bits, MSB first, packed
 * into bytes.  The buffer must be readable, and zero, for 16 bytes past
 * the payload: a field that starts inside a short payload but runs past
 * its end (types 7, 13, 15, 20) reads its missing bits as zeros, as gpsd
 * does.  Fills *out except out->rx_ms and out->channel.  Returns 1 on
 * success; 0 if the payload cannot be a message, after bumping the counter
 * in *st that says why (*out may then be partly written).  Never
 * allocates.
 */
int df_ais_decode(const uint8_t *bits, size_t nbits, struct df_msg *out,
                  struct df_stats *st);

/* ---- Messages out: gpsd's JSON, and NMEA again ---- */

#define DF_JSON_SCALED 1   /* gpsdecode -j; without: gpsdecode -u -j */
#define DF_JSON_TEXT 2     /* add gpsd's *_text labels */
#define DF_JSON_S24_JOINED 4 /* a type 24 part B whose s24.shipname was
                              * filled from its part A: printed as gpsd
                              * prints the pair (no "partno") */

/* Appends one JSON object for msg (no newline) in gpsd's key order, with a
 * "time" key when msg->rx_ms is known; flags are DF_JSON_*. */
void df_msg_json(struct df_buf *b, const struct df_msg *msg, unsigned flags);

/* Encodes a message back into !AIVDM sentences (with a tag block carrying
 * the receive time when rx_ms is known) appended to b, one per line.
 * Supports the types the simulator sends: 1-3, 5, 18, 19, 24, 27; for any
 * other type appends nothing.  seqid (modulo 10) is the sequential message
 * id of a multipart message. */
void df_msg_nmea(struct df_buf *b, const struct df_msg *m, unsigned seqid);

/* ------------------------------------------------------------------ */
/* 8. Records: one shape for every source                             */
/* ------------------------------------------------------------------ */

/* Which groups of fields a record carries. */
#define DF_REC_POS 0x01     /* lon, lat, speed, course, heading, status */
#define DF_REC_STATIC 0x02  /* any of the identity/voyage fields below */

/*
 * A position or identity record, as every source yields it: an AIS
 * message of type 1-3, 5, 18, 19, 24 or 27, or a row of a CSV table.
 * Units are AIS wire units; a field whose value is not available holds the
 * AIS sentinel (DF_LON_NA, DF_SPEED_NA, ...; 0 or "" for the static fields).
 */
struct df_rec {
    int64_t t_ms;          /* receive time, ms since epoch, or DF_TIME_NONE */
    uint32_t mmsi;
    uint8_t msgtype;       /* AIS message type, or 0 for a table row */
    uint8_t has;           /* DF_REC_* */
    char cls;              /* transceiver class 'A' or 'B', 0 if unknown */
    uint8_t status;        /* navigational status, 15 = not defined */
    int32_t lon, lat;      /* 1/10000 min */
    uint16_t speed;        /* 1/10 kn */
    uint16_t course;       /* 1/10 deg */
    uint16_t heading;      /* deg */
    uint32_t imo;
    char callsign[8];
    char shipname[21];
    char destination[21];
    uint8_t shiptype;
    uint16_t to_bow, to_stern;
    uint8_t to_port, to_starboard;
    uint16_t length_dm, width_dm; /* from tables that give only overall size,
                                   * 0 if unknown */
    uint8_t draught;       /* 1/10 m, 0 = n/a */
};

/* Fills *rec from a decoded message.  Returns 1 if the message carries a
 * position or identity (types 1-3, 5, 18, 19, 24, 27), else 0 and leaves
 * *rec untouched. */
int df_rec_from_msg(const struct df_msg *msg, struct df_rec *rec);

/* Appends one JSON object for a record (no newline) with gpsd's key names
 * ("mmsi", "lat", "lon", "speed", "course", "heading", "status",
 * "shipname", ...) and a "time" key; flags as for df_msg_json().  Appends
 * nothing when b or rec is NULL. */
void df_rec_json(struct df_buf *b, const struct df_rec *rec, unsigned flags);

/* ---- CSV tables: rows straight to records (no framing, no decode) ---- */

/* A CSV table reader: the column map from the header, and counters. */
struct df_csv;

/* Creates a reader that takes its column map from the table's header line.
 * Returns NULL when out of memory.  Free with df_csv_free(). */
struct df_csv *df_csv_new(void);
/* Frees the reader; NULL is a no-op. */
void df_csv_free(struct df_csv *c);

/*
 * Reads one line (without terminator; a trailing '\r' is ignored).  The
 * first non-blank line must be the header.  Returns 1 and fills *rec for a
 * data row, 0 for the header, a blank line or a dropped row (counted), and
 * -1 if the header lacks a column darkfleet needs (MMSI, time, latitude,
 * longitude): df_csv_error() then says which, and every later call
 * returns -1.
 */
int df_csv_line(struct df_csv *c, const char *line, size_t len,
                struct df_rec *rec);
/* Why the header was refused, or NULL.  Owned by c; valid until
 * df_csv_free(). */
const char *df_csv_error(const struct df_csv *c);
/* The dialect the header showed (DF_FMT_CSV_MC or DF_FMT_CSV_DMA), or
 * DF_FMT_UNKNOWN before a header was read. */
enum df_format df_csv_dialect(const struct df_csv *c);
/* The reader's counters, live: owned by c, valid until df_csv_free(). */
const struct df_stats *df_csv_stats(const struct df_csv *c);

/* ------------------------------------------------------------------ */
/* 9. Reorder: records back in time order                             */
/* ------------------------------------------------------------------ */

struct df_reorder;

/*
 * Buffers records and hands them out in time order, holding each for up to
 * window_ms of input time (a negative window counts as 0); cap bounds the
 * records held (the oldest is released early when full; 0 means 65536).
 * Records older than the last one released are stragglers: counted in
 * drop_out_of_order and dropped.  Records without a time pass straight
 * through.  Equal times keep their arrival order.  Allocates everything
 * here; returns NULL when out of memory.  Free with df_reorder_free().
 */
struct df_reorder *df_reorder_new(int64_t window_ms, size_t cap);
/* Frees r; records still held are dropped (df_reorder_flush() first to
 * have them).  NULL is a no-op. */
void df_reorder_free(struct df_reorder *r);

/* Adds a copy of rec; calls fn for every record that is now ready, in time
 * order (the pointer fn gets is valid during the call only).  Returns fn's
 * first non-zero value, else 0; rec is kept even when fn stops early. */
int df_reorder_push(struct df_reorder *r, const struct df_rec *rec,
                    int (*fn)(const struct df_rec *rec, void *ud), void *ud);

/* Releases everything held, in order, at the end of the input.  Returns
 * fn's first non-zero value (the records after it stay held), else 0. */
int df_reorder_flush(struct df_reorder *r,
                     int (*fn)(const struct df_rec *rec, void *ud), void *ud);

/* The stage's counters (drop_out_of_order), live: owned by r, valid until
 * df_reorder_free(). */
const struct df_stats *df_reorder_stats(const struct df_reorder *r);

/* Writes the records held and the order so far to w (section 14, Saved
 * state); df_reorder_load() brings them back into a new reorder buffer
 * made with the same window and cap (DF_FORMAT otherwise, or for a stream
 * that is not one), replacing what it held.  The counters are not
 * saved. */
struct df_state_out;
struct df_state_in;
enum df_err df_reorder_save(const struct df_reorder *r,
                            struct df_state_out *w);
enum df_err df_reorder_load(struct df_reorder *r, struct df_state_in *in);
/* The time of the last record handed out, or DF_TIME_NONE: input older
 * than this can no longer be put in order. */
int64_t df_reorder_released_ms(const struct df_reorder *r);
/* The latest time pushed, or DF_TIME_NONE. */
int64_t df_reorder_newest_ms(const struct df_reorder *r);

/* ------------------------------------------------------------------ */
/* 10. Configuration: every threshold, with published defaults        */
/* ------------------------------------------------------------------ */

/*
 * One table for every option: name (as written in a --config file or on
 * the command line as --set name=value), C field, default, and the source
 * of the default (METHODS.md).  Units are in the names.
 */
#define DF_CONFIG_MAP(XX)                                                    \
    XX(encounter_max_distance_m, 500.0, "GFW encounters: within 500 m")      \
    XX(encounter_min_hours, 2.0, "GFW encounters: at least 2 h")             \
    XX(encounter_max_median_speed_kn, 2.0, "GFW: median speed under 2 kn")  \
    XX(encounter_min_anchorage_km, 10.0, "GFW: 10 km from an anchorage")     \
    XX(encounter_resample_min, 10.0, "GFW: positions resampled to 10 min")  \
    XX(encounter_max_interp_hours, 1.0, "GFW: interpolate gaps under 1 h")   \
    XX(encounter_merge_hours, 4.0, "GFW: merge events under 4 h apart")      \
    XX(berth_max_shore_km, 3.0, "a stop this close to shore is a berth")     \
    XX(loitering_max_speed_kn, 2.0, "GFW loitering: hourly mean < 2 kn")     \
    XX(loitering_min_hours, 4.0, "GFW carrier loitering: at least 4 h")      \
    XX(loitering_min_shore_nm, 20.0, "GFW loitering: 20 nm offshore")        \
    XX(gap_min_hours, 12.0, "Welch et al. 2022: gaps of 12 h or more")       \
    XX(gap_min_shore_nm, 50.0, "Welch et al. 2022: 50 nm from shore")        \
    XX(gap_zone_min_hours, 6.0, "candidate gap (GFW, Skylight): 6 h")        \
    XX(gap_zone_km, 100.0, "lower threshold within this of a zone")          \
    XX(gap_max_days, 30.0, "a flushed vessel's last fix kept this long")     \
    XX(spoof_max_speed_kn, 50.0, "AISdb: implied speed over 50 kn")          \
    XX(spoof_min_inland_km, 50.0, "on land this far in (rivers are land)")   \
    XX(collision_min_km, 50.0, "one MMSI at two places this far apart")     \
    XX(draught_min_change_m, 1.0, "draught change across a gap (PurpleTRAC)")\
    XX(port_entry_km, 3.0, "GFW port visits: entry within 3 km")             \
    XX(port_exit_km, 4.0, "GFW port visits: exit beyond 4 km")               \
    XX(anchorage_min_vessels, 20.0, "GFW anchorages: 20 vessels stayed")     \
    XX(anchorage_min_stay_hours, 12.0, "GFW anchorages: for 12 h")           \
    XX(track_silence_hours, 24.0, "a vessel silent this long is flushed")    \
    XX(track_max_vessels, 500000.0, "vessels held at once (memory cap)")     \
    XX(track_point_min, 10.0, "stored track resolution for display")        \
    XX(watch_min_name_score, 0.95, "Jaro-Winkler floor for a name match")    \
    XX(risk_encounter, 30.0, "risk points: encounter at open sea")           \
    XX(risk_encounter_anchorage, 10.0, "risk points: encounter, anchorage")  \
    XX(risk_loitering, 10.0, "risk points: loitering offshore")              \
    XX(risk_gap, 20.0, "risk points: dark period at sea")                    \
    XX(risk_draught_change, 15.0, "risk points: draught changed")            \
    XX(risk_spoofing, 25.0, "risk points: impossible positions")             \
    XX(risk_mmsi_collision, 20.0, "risk points: MMSI shared by two ships")   \
    XX(risk_identity_change, 10.0, "risk points: name/IMO/flag change")      \
    XX(risk_invalid_identity, 10.0, "risk points: invalid MMSI or IMO")      \
    XX(risk_zone_entry, 15.0, "risk points: entered a zone of interest")     \
    XX(risk_port_call, 5.0, "risk points: a port call")                      \
    XX(risk_dprk_port_call, 60.0, "risk points: call at a DPRK port")        \
    XX(risk_dprk_flag, 40.0, "risk points: flagged to DPRK (MID 445)")       \
    XX(risk_watchlist_imo, 100.0, "risk points: listed (IMO/MMSI match)")    \
    XX(risk_watchlist_name, 40.0, "risk points: listed (name match only)")   \
    XX(risk_met_listed, 60.0, "risk points: met a listed or DPRK vessel")   \
    XX(risk_flag_of_concern, 15.0, "risk points: a flag with false flags")  \
    XX(risk_no_imo, 10.0, "risk points: tanker or cargo ship with no IMO")  \
    XX(risk_decay, 0.5, "each further reason of a kind: this share")

struct df_config {
#define XX(name, def, doc) double name;
    DF_CONFIG_MAP(XX)
#undef XX
};

/* Fills cfg with the published defaults. */
void df_config_defaults(struct df_config *cfg);
/* Sets one option by name.  Returns DF_INVAL (cfg unchanged) for an
 * unknown name, a NULL argument, or a value that is not a finite decimal
 * number (blanks around it allowed; "500m", "0x10", "inf" refused). */
enum df_err df_config_set(struct df_config *cfg, const char *name,
                          const char *value);
/* Reads "name = value" lines ('#' comments) into cfg; cfg changes only if
 * the whole file is good.  On failure returns DF_IO (cannot open or read)
 * or DF_INVAL (a bad line, an unknown option, a bad number) and writes
 * "path:line: message" into err. */
enum df_err df_config_load(struct df_config *cfg, const char *path,
                           char *err, size_t errlen);
/* Calls fn for every option in table order with its current value, its
 * default and its documentation (for --help and docs). */
void df_config_each(const struct df_config *cfg,
                    void (*fn)(const char *name, double value,
                               double def, const char *doc, void *ud),
                    void *ud);
/* A hash of the thresholds that shape what the detectors hold (every
 * option but the risk_* weights and watch_* list settings): a saved scan
 * state is kept with it. */
uint64_t df_config_fingerprint(const struct df_config *cfg);

/* ------------------------------------------------------------------ */
/* 11. Vessels: identity history and track points                     */
/* ------------------------------------------------------------------ */

/* One identity a vessel broadcast, with when it was first and last seen. */
struct df_identity {
    int64_t first_ms, last_ms;
    uint32_t imo;
    char shipname[21];
    char callsign[8];
    char destination[21];
    uint8_t shiptype;
    uint16_t length_m, width_m;
    uint8_t draught;           /* 1/10 m, 0 = n/a */
};

#define DF_MAX_IDENTITIES 16   /* per vessel; the oldest are merged */

/* A vessel as the store and reports see it. */
struct df_vessel {
    uint32_t mmsi;
    uint16_t mid;              /* maritime identification digits, or 0 */
    char flag[3];              /* ISO 3166 alpha-2 of the MID, or "" */
    int64_t first_ms, last_ms;
    uint64_t positions;
    int32_t last_lon, last_lat;
    unsigned nidentities;
    struct df_identity identities[DF_MAX_IDENTITIES];
};

/* A track point kept for display (downsampled). */
struct df_point {
    int64_t t_ms;
    int32_t lon, lat;
    uint16_t speed, course;
};

/* The country (ISO 3166 alpha-2, a static string) of a maritime
 * identification digits number (ITU RR Appendix 43), or NULL if
 * unallocated. */
const char *df_mid_country(unsigned mid);
/* The MID of a ship station MMSI (MIDxxxxxx), or 0 if it is not one. */
unsigned df_mmsi_mid(uint32_t mmsi);
/* 1 if imo is a seven-digit IMO number whose check digit is right, else
 * 0. */
int df_imo_valid(uint32_t imo);
/* What an AIS ship and cargo type means, from ITU-R M.1371-5
 * table 53 ("Tanker, hazardous category A"...), a static string. */
const char *df_shiptype_text(unsigned shiptype);

/* ------------------------------------------------------------------ */
/* 12. Events: what the detectors report                              */
/* ------------------------------------------------------------------ */

#define DF_EVENT_MAP(XX)                                                     \
    XX(ENCOUNTER, "encounter")                                               \
    XX(LOITERING, "loitering")                                               \
    XX(GAP, "gap")                                                           \
    XX(DRAUGHT_CHANGE, "draught_change")                                     \
    XX(SPOOFING, "spoofing")                                                 \
    XX(MMSI_COLLISION, "mmsi_collision")                                     \
    XX(IDENTITY_CHANGE, "identity_change")                                   \
    XX(INVALID_IDENTITY, "invalid_identity")                                 \
    XX(ZONE_ENTRY, "zone_entry")                                             \
    XX(PORT_CALL, "port_call")                                               \
    XX(WATCHLIST_MATCH, "watchlist_match")

enum df_event_type {
#define XX(code, name) DF_EV_##code,
    DF_EVENT_MAP(XX)
#undef XX
    DF_EV_COUNT
};

/* The event type's name as written in events ("encounter"...), a static
 * string; "unknown" for a value outside the table. */
const char *df_event_name(enum df_event_type t);
/* Returns the type named name, or -1 (also for NULL). */
int df_event_type_from_name(const char *name);

#define DF_EVIDENCE_MAX 1024

/*
 * One event, in DESIGN.md's format.  evidence holds a JSON object ("{...}")
 * with the measurements and thresholds behind the event; strings in it are
 * already escaped.
 */
struct df_event {
    enum df_event_type type;
    uint8_t nvessels;          /* 1 or 2 */
    uint32_t vessels[2];       /* the subject first */
    int64_t start_ms, end_ms;
    int32_t lon, lat;          /* 1/10000 min: a representative position */
    double score;              /* 0-1, the event's weight in ranking */
    char evidence[DF_EVIDENCE_MAX];
};

/* Appends one event as a JSON object (no newline):
 * {"type":..,"vessels":[..],"start":..,"end":..,"lat":..,"lon":..,
 *  "score":..,"evidence":{..}}.  Degrees with five decimals; null for an
 * unknown time or position or a non-finite score; evidence pasted as it
 * is, or {} when empty. */
void df_event_json(struct df_buf *b, const struct df_event *ev);
/* Appends ev's evidence, read back from a store, as one JSON object on one
 * line: as it is when it is one (RFC 8259, UTF-8), with white space
 * between tokens as spaces and DEL and C1 controls in strings as \u
 * escapes; {"unparsed":"..."} around anything else; {} when empty. */
void df_event_evidence_json(struct df_buf *b, const struct df_event *ev);
/* Appends a few words from ev's evidence, for a person: an encounter's
 * hours, distance apart, relevance_reason and anchorage ("4.2 h, 101 m
 * apart, two tankers"), a gap's hours dark, what an identity_change
 * changed ("name SEA VENUS -> ROYAL LUCKY"), and so on for every type.
 * Nothing when the evidence is not a JSON object.  Strings come from the
 * evidence as they are: escape the text for its output
 * (df_buf_term_str). */
void df_event_summary(struct df_buf *b, const struct df_event *ev);

/* ------------------------------------------------------------------ */
/* 13. Geography: land, shore, zones and ports                        */
/* ------------------------------------------------------------------ */

/* Land polygons (Natural Earth, built into the binary from npm world-atlas
 * at build time) with a grid index, for on-land tests and distance to
 * shore.  Read-only after load; shared by every stage. */
struct df_land;

/* The land built into the library, or NULL if the build had none (then
 * callers treat every position as at sea, far from shore).  Owned by the
 * library; never freed. */
const struct df_land *df_land_default(void);
/* 1 if the position (1/10000 min) is on land; 0 at sea, for a position out
 * of range, or when land is NULL. */
int df_land_contains(const struct df_land *land, int32_t lon, int32_t lat);
/* Distance in km from the position to the nearest coastline, searched up
 * to max_km (returns max_km when none is nearer, when land is NULL or the
 * position is out of range). */
double df_land_shore_km(const struct df_land *land, int32_t lon, int32_t lat,
                        double max_km);

/*
 * Zones (polygons from GeoJSON) and ports or anchorages (points with a
 * radius, from CSV or GeoJSON).  Every container has a cap; a load that
 * would pass one fails with DF_LIMIT.  Whatever a load added before it
 * failed stays.  Names returned are owned by the df_geo and stay valid
 * until the next load or df_geo_add_port() on it, or df_geo_free().
 */
struct df_geo;

/* Creates an empty set; NULL when out of memory. */
struct df_geo *df_geo_new(void);
/* Frees g and everything loaded into it; NULL is a no-op. */
void df_geo_free(struct df_geo *g);
/* Adds the Polygon and MultiPolygon features of a GeoJSON file; a
 * feature's "name" property names the zone ("zone N" without one),
 * "interest": true (default) marks a zone of interest for the gap rule.
 * Point features with a "radius_km" property are added as ports.  Returns
 * DF_FORMAT when the file does not parse ("path:line:col: message") or
 * holds nothing usable; DF_IO, DF_LIMIT, DF_NOMEM, DF_INVAL. */
enum df_err df_geo_load_zones(struct df_geo *g, const char *path, char *err,
                              size_t errlen);
/* Adds ports or anchorages from a CSV with a header naming at least
 * latitude/lat and longitude/lon/lng, and optionally name/label,
 * country/iso3, kind ("port" or "anchorage"), radius_km.  Bad rows are
 * skipped: on success err may hold a note of how many.  DF_FORMAT when the
 * header lacks the position columns or no row is usable; DF_IO,
 * DF_LIMIT, DF_NOMEM, DF_INVAL. */
enum df_err df_geo_load_ports(struct df_geo *g, const char *path, char *err,
                              size_t errlen);
/* Adds the zone and ports of North Korea that ship with darkfleet
 * (data/zones/dprk.geojson, compiled in).  DF_NOMEM or DF_LIMIT on
 * failure, with no message. */
enum df_err df_geo_load_builtin_dprk(struct df_geo *g);
/*
 * Adds the reference places that ship with darkfleet (data/places/
 * places.csv, compiled in, derived by tools/mkplaces.py from Global
 * Fishing Watch's named anchorages and the World Port Index): about 3,000
 * harbours and 11,000 anchorages, each with its own radius.  They tell
 * berths and anchorages apart in the encounter and loitering detectors;
 * they are never ports to call at (df_geo_port_near does not see them).
 * DF_NOMEM or DF_LIMIT on failure, with no message.
 */
enum df_err df_geo_load_builtin_places(struct df_geo *g);

/* The first zone (in load order) containing the position: its index, or
 * -1. */
int df_geo_zone_at(const struct df_geo *g, int32_t lon, int32_t lat);
/* Every zone containing the position, in load order: the first max
 * indices go to out; returns how many contain it (may exceed max).  A
 * user's zone inside the built-in North Korean waters is a zone of its
 * own, found beside them. */
int df_geo_zones_at(const struct df_geo *g, int32_t lon, int32_t lat,
                    int *out, int max);
/* A hash of every zone and port loaded, in order: two geographies with
 * the same fingerprint are the same to the detectors (a saved scan state
 * is kept with it). */
uint64_t df_geo_fingerprint(const struct df_geo *g);
/* The zone's name, or NULL for an index out of range. */
const char *df_geo_zone_name(const struct df_geo *g, int zone);
/* Distance in km to the nearest zone of interest (0 inside), or max_km
 * when none is nearer. */
double df_geo_zone_km(const struct df_geo *g, int32_t lon, int32_t lat,
                      double max_km);
/* The nearest port or anchorage within max_km: its index (the lowest of
 * equals), or -1; *km (when km is not NULL) gets the distance, or max_km
 * when none is found. */
int df_geo_port_near(const struct df_geo *g, int32_t lon, int32_t lat,
                     double max_km, double *km);
/* A port's name and country (ISO 3166 alpha-2, or as given when it is
 * neither alpha-2 nor alpha-3; "" if none), or NULL for an index out of
 * range. */
const char *df_geo_port_name(const struct df_geo *g, int port);
const char *df_geo_port_country(const struct df_geo *g, int port);
/* 1 if the port is an anchorage; 0 for a port or an index out of range. */
int df_geo_port_is_anchorage(const struct df_geo *g, int port);
/* Adds a learned anchorage or a port (from where many vessels stop): name
 * and country are copied (up to 255 bytes); a radius_km that is not
 * positive and finite gives the default (3 km for a port, 2 km for an
 * anchorage).  Returns its index, or -1 when out of memory, at the cap, or
 * for a position out of range. */
int df_geo_add_port(struct df_geo *g, const char *name, const char *country,
                    int32_t lon, int32_t lat, double radius_km,
                    int anchorage);

/* Great-circle distance in metres between two positions in 1/10000 min
 * (haversine, IUGG mean Earth radius). */
double df_distance_m(int32_t lon1, int32_t lat1, int32_t lon2, int32_t lat2);

/* ------------------------------------------------------------------ */
/* 14. Scan: tracks and detectors over a stream of records            */
/* ------------------------------------------------------------------ */

/*
 * What a scan reports.  Every callback may be NULL.  A non-zero return
 * does not cut a record short (the other callbacks still run); the first
 * one is returned by df_scan_rec() or df_scan_finish(), and the caller
 * stops feeding.  The pointers passed are valid during the call only.
 */
struct df_scan_cbs {
    /* An event, as the detectors find it. */
    int (*event)(const struct df_event *ev, void *ud);
    /* A vessel's state, when it falls silent (track_silence_hours), when
     * it is flushed at track_max_vessels, and at the end. */
    int (*vessel)(const struct df_vessel *v, void *ud);
    /* A point of a vessel's downsampled track. */
    int (*point)(uint32_t mmsi, const struct df_point *p, void *ud);
    void *ud;
};

/* The tracks of every vessel seen (bounded by track_max_vessels) and the
 * detectors that run over them. */
struct df_scan;

/* Creates a scan.  cfg is copied; geo is borrowed (may be NULL) and must
 * outlive the scan; cbs is copied (may be NULL).  Uses df_land_default().
 * Returns NULL when out of memory.  Free with df_scan_free(). */
struct df_scan *df_scan_new(const struct df_config *cfg,
                            const struct df_geo *geo,
                            const struct df_scan_cbs *cbs);
/*
 * As df_scan_new(), with the work split by MMSI over jobs threads (1 or 0:
 * df_scan_new()).  The events are those of one scan, whatever jobs is;
 * some come out in another order.  Every callback runs on the thread that
 * calls df_scan_rec(), df_scan_sync(), df_scan_finish() and df_scan_save()
 * (which first waits for the threads and hands on what they hold: a save
 * runs callbacks).  A saved state
 * loads only into a scan of the same jobs (DF_FORMAT otherwise).
 */
struct df_scan *df_scan_new_jobs(const struct df_config *cfg,
                                 const struct df_geo *geo,
                                 const struct df_scan_cbs *cbs,
                                 unsigned jobs);
/*
 * As df_scan_new(), split as a cluster splits it (src/dist.h): parts
 * partitions that hold their vessels and share nothing but messages with
 * a coordinator that runs the encounter detector, all on the caller's
 * thread.  Slower than one scan; for checking that a cluster's split
 * finds one scan's events.  A saved state loads only into a scan of the
 * same parts.
 */
struct df_scan *df_scan_new_parts(const struct df_config *cfg,
                                  const struct df_geo *geo,
                                  const struct df_scan_cbs *cbs,
                                  unsigned parts);

/*
 * A scan over a cluster (src/dist.c; cli/cluster.c runs it on NATS
 * JetStream): parts partitions, each run by a worker (struct df_worker)
 * that holds the vessels whose partition it is, and a coordinator (this
 * scan) that numbers the records, runs the encounter detector and hands
 * every output on through cbs, on the caller's thread.  Each partition
 * has a stream of messages in order (records, barriers, answers) that
 * io->send appends to; the worker answers each barrier with a report
 * that io->report waits for.  One barrier falls at each tick of the
 * encounter detector (every encounter_resample_min of data time) and one
 * at the end.  The events are one scan's, whatever parts; some come out
 * in another order.  Not saved (df_scan_save returns DF_INVAL): a run of
 * a cluster starts from nothing.
 */
struct df_cluster_io {
    /* Appends msg to partition p's stream.  0, or non-zero to stop (the
     * scan's error becomes DF_IO). */
    int (*send)(unsigned p, const void *msg, size_t len, void *ud);
    /* Waits for report k (0, 1, ...) of partition p: its bytes in *msg
     * and *len, valid until the next call.  0, or non-zero to stop. */
    int (*report)(unsigned p, uint64_t k, const void **msg, size_t *len,
                  void *ud);
    void *ud;
};
struct df_scan *df_scan_new_cluster(const struct df_config *cfg,
                                    const struct df_geo *geo,
                                    const struct df_scan_cbs *cbs,
                                    unsigned parts,
                                    const struct df_cluster_io *io);

/* One partition of a scan over a cluster, as a worker runs it: the same
 * configuration and geography as the coordinator's (the run checks
 * df_config_fingerprint and df_geo_fingerprint).  NULL when out of
 * memory. */
struct df_worker;
struct df_worker *df_worker_new(const struct df_config *cfg,
                                const struct df_geo *geo, unsigned parts,
                                unsigned index);
void df_worker_free(struct df_worker *w);
/* The next message of the partition's stream.  Returns 1 when report
 * holds a report to publish (number df_worker_reports(w) - 1), 0 when
 * not, -1 for a message that is not the next one of this partition
 * (another build, run or partition): stop there. */
int df_worker_msg(struct df_worker *w, const void *msg, size_t len,
                  struct df_buf *report);
/* Reports made so far. */
uint64_t df_worker_reports(const struct df_worker *w);
/* 1 once the last report (after the end) is made. */
int df_worker_done(const struct df_worker *w);
/* DF_NOMEM when something was lost to a failed allocation, else DF_OK. */
enum df_err df_worker_error(const struct df_worker *w);
/* The worker's whole state, between any two messages: a worker loaded
 * from it goes on from the message after the last one it had taken. */
enum df_err df_worker_save(const struct df_worker *w, struct df_state_out *out);
enum df_err df_worker_load(struct df_worker *w, struct df_state_in *in);
/* Frees the scan without flushing (call df_scan_finish() first to have
 * the open events and vessels reported); NULL is a no-op. */
void df_scan_free(struct df_scan *s);
/* Feeds one record, in time order.  A record without a time, or older
 * than its vessel's last one (counted in drop_out_of_order), gives
 * identity only: its position is not used.  Returns the first non-zero
 * callback value, else 0. */
int df_scan_rec(struct df_scan *s, const struct df_rec *rec);
/* Hands on, through the callbacks, everything the records fed so far have
 * produced.  A scan split over jobs holds its shards' output until the
 * next encounter tick; a live caller (watch) calls this when its input
 * pauses so that events are not held back.  Changes no result.  Returns
 * the first non-zero callback value, else 0. */
int df_scan_sync(struct df_scan *s);
/*
 * A hint, for callers that hold records in batches: rec will be fed soon.
 * Stage 0, some records ahead, starts fetching the vessel's hash slots
 * into the cache; stage 1, a few records later, its state.  A vessel's
 * state is a cache miss per record otherwise (a day holds thousands of
 * vessels, interleaved).  Changes nothing; calls may be skipped.
 */
void df_scan_prefetch(const struct df_scan *s, const struct df_rec *rec,
                      int stage);
/* Ends the input: closes open encounters, gaps and visits, flushes every
 * vessel.  Returns the first non-zero callback value, else 0. */
int df_scan_finish(struct df_scan *s);
/* DF_NOMEM once an allocation failed during the scan and something (a
 * record, a vessel's state, a pair under watch) was lost to it; the scan
 * goes on with what it has, so check this at the end.  DF_OK otherwise. */
enum df_err df_scan_error(const struct df_scan *s);
/* The scan's counters (tracks and detectors), summed afresh on each call
 * into storage owned by s: valid until the next df_scan_stats() or
 * df_scan_free(). */
const struct df_stats *df_scan_stats(const struct df_scan *s);
/* The latest input time the scan has seen, or DF_TIME_NONE. */
int64_t df_scan_now_ms(const struct df_scan *s);

/*
 * Saved state.  A scan that goes on in a later run (scan --db saves its
 * state in the store) writes everything its detectors hold as a stream of
 * bytes: df_scan_save() for the tracks and detectors, df_reorder_save()
 * and df_ties_save() for the stages around it, and any bytes of the
 * caller's own (df_state_put).  The stream goes out in chunks through
 * sink (0 on success; a non-zero return fails the save with DF_IO), and
 * comes back through source, which hands out the same chunks in order (1
 * with a chunk, 0 at the end, -1 on an error) and must keep each valid
 * until the next call.  Reading the parts in the order they were written
 * gives back objects that go on exactly as the saved ones would have.
 *
 * The format is this build's memory image with a header: a state saved by
 * another version of darkfleet, or cut short, is refused with DF_FORMAT,
 * never misread.  Saving changes nothing in the objects saved.
 */
typedef int (*df_state_sink)(const void *data, size_t len, void *ud);
typedef int (*df_state_source)(const void **data, size_t *len, void *ud);

/* A new stream to sink (the header is its first bytes); NULL when out of
 * memory.  Free with df_state_out_free() after df_state_out_end(). */
struct df_state_out *df_state_out_new(df_state_sink sink, void *ud);
/* Hands the last chunk to the sink.  Returns the first error of the
 * stream's life (DF_NOMEM, DF_IO), else DF_OK. */
enum df_err df_state_out_end(struct df_state_out *w);
/* Bytes written so far. */
uint64_t df_state_out_bytes(const struct df_state_out *w);
void df_state_out_free(struct df_state_out *w);
/* A stream from source; NULL when out of memory.  The header is checked
 * on the first read. */
struct df_state_in *df_state_in_new(df_state_source source, void *ud);
/* DF_FORMAT when the stream was not a state of this build, was cut short
 * or held an impossible value; DF_IO when the source failed; DF_NOMEM;
 * else DF_OK. */
enum df_err df_state_in_error(const struct df_state_in *in);
void df_state_in_free(struct df_state_in *in);
/* The caller's own bytes, written and read back as they are: n bytes
 * from p; df_state_get returns 0, or -1 (see df_state_in_error). */
void df_state_put(struct df_state_out *w, const void *p, size_t n);
int df_state_get(struct df_state_in *in, void *p, size_t n);

/* Writes the scan's tracks, detectors and input time to w (the counters
 * are not saved).  Returns df_state_out_end's kind of error so far. */
enum df_err df_scan_save(const struct df_scan *s, struct df_state_out *w);
/* Loads a saved scan into s, a new scan (nothing fed yet) made with the
 * same configuration and geography: DF_FORMAT otherwise, or for a bad
 * stream; DF_NOMEM.  On failure free s (it may hold part of the state). */
enum df_err df_scan_load(struct df_scan *s, struct df_state_in *in);

/* ------------------------------------------------------------------ */
/* 15. Screening: sanctions lists                                     */
/* ------------------------------------------------------------------ */

/* One vessel entry of a list, normalized. */
struct df_list_entry {
    const char *list;          /* the list's name (file base name) */
    const char *id;            /* the entry's id in its list (ent_num...) */
    const char *name;          /* as listed */
    const char *const *aliases;/* former names and aliases; naliases */
    unsigned naliases;
    uint32_t imo;              /* 0 if not listed */
    uint32_t mmsi;             /* 0 if not listed */
    const char *callsign;      /* "" if not listed */
    const char *flag;          /* as listed, "" if not */
    const char *program;       /* e.g. "DPRK", "" if not listed */
    const char *vessel_type;   /* as listed ("Crude Oil Tanker"), "" */
    uint32_t gross_tonnage;    /* GRT or GT, 0 if not listed */
    uint32_t deadweight;       /* DWT (OFAC's Tonnage), 0 if not listed */
    uint16_t build_year;       /* 0 if not listed */
};

/* The lists loaded, their entries, and an index over IMO, MMSI, call
 * sign and normalized names. */
struct df_watchlist;

/* Creates an empty set of lists; NULL when out of memory. */
struct df_watchlist *df_watchlist_new(void);
/* Frees wl and every entry (the pointers df_watchlist_entry() and
 * df_watchlist_screen() handed out); NULL is a no-op. */
void df_watchlist_free(struct df_watchlist *wl);
/*
 * Loads a list, its format detected from its content: OFAC's SDN CSV (no
 * header, "-0-" nulls, Latin-1; IMO, MMSI and former names in Remarks;
 * an alt.csv of aliases beside it is read too), OpenSanctions' maritime
 * CSV, the UN 1718 vessels CSV, or a plain CSV with a header naming name
 * and imo, mmsi or call sign.  Only vessels are kept; malformed rows are
 * counted and skipped.  The list is named after the file's base name.
 * On failure (DF_IO, DF_FORMAT for an unknown format, DF_LIMIT past the
 * entry cap, DF_NOMEM, DF_INVAL) writes a one-line message into err; the
 * entries read before stay.
 */
enum df_err df_watchlist_load(struct df_watchlist *wl, const char *path,
                              char *err, size_t errlen);
/* The number of entries over all lists loaded. */
size_t df_watchlist_count(const struct df_watchlist *wl);
/* Entry i (in load order), or NULL when i is out of range.  Entries never
 * move: a pointer stays valid until df_watchlist_free(), across later
 * loads. */
const struct df_list_entry *df_watchlist_entry(const struct df_watchlist *wl,
                                               size_t i);

/* How a vessel matched an entry. */
enum df_match_by { DF_MATCH_IMO, DF_MATCH_MMSI, DF_MATCH_CALLSIGN,
                   DF_MATCH_NAME };

struct df_match {
    const struct df_list_entry *entry;
    enum df_match_by by;
    double score;              /* 0-1: IMO 1.0, MMSI 0.95, call sign 0.8,
                                * name: Jaro-Winkler scaled below 0.75 */
    char matched[64];          /* the vessel's value that matched */
    const char *listed;        /* the list's name or alias that matched
                                * (name matches), else "" */
    int fit;                   /* name and call sign matches: how many of
                                * the vessel's type and size agree with
                                * the entry's (1 or 2); 0 for IMO, MMSI */
    char fit_why[96];          /* what agreed, e.g. "AIS type 80 is a
                                * tanker, as listed (Crude Oil Tanker)" */
};

/*
 * Screens a vessel (every identity in its history, so earlier names count)
 * against the lists: IMO (check digit validated), MMSI, call sign, and the
 * normalized name (case, punctuation, prefixes such as M/V, MT) against
 * every name and alias with Jaro-Winkler >= min_name_score (names are not
 * compared when it is above 1 or NaN).  Writes up to max best matches (one
 * per entry) into out, best first (score, then IMO, MMSI, call sign, name);
 * returns how many.  out[i].entry and out[i].listed belong to wl: valid
 * until df_watchlist_free().
 */
size_t df_watchlist_screen(const struct df_watchlist *wl,
                           const struct df_vessel *v, double min_name_score,
                           struct df_match *out, size_t max);

/* Jaro-Winkler similarity (0-1) of two strings as given; normalize with
 * df_name_normalize() first.  At most 255 bytes of each are compared; 0
 * if either is NULL. */
double df_jaro_winkler(const char *a, const char *b);
/* Normalizes a vessel name for matching into out (outlen >= 64):
 * uppercase ASCII, punctuation to spaces, prefixes removed, spaces
 * collapsed.  A NULL name gives "". */
void df_name_normalize(const char *name, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* 16. Risk: the scoring policy (weights in struct df_config)         */
/* ------------------------------------------------------------------ */

/* One reason behind a vessel's risk score. */
struct df_reason {
    double points;             /* what the reason is worth alone (0-100):
                                * its risk_* weight times the event's
                                * relevance */
    double contribution;       /* its share of the vessel's score, after
                                * the saturation of df_risk_combine() */
    char text[160];            /* plain text, e.g. "encounter with 445000002
                                * on 2025-03-01 (open sea, 3.7 h)" */
    char event_type[24];       /* its kind: df_event_name() of the cause,
                                * or "met_listed", "flag", "identity" */
    int64_t event_id;          /* the stored event behind it, or 0 */
};

#define DF_RISK_MAX 2          /* reasons one event can give */

/* A reason and the vessel it is for. */
struct df_risk {
    uint32_t mmsi;
    struct df_reason r;
};

/*
 * The reasons an event gives, with points from cfg's risk_* weights:
 * one for each vessel of an encounter, one for the subject (vessels[0])
 * of every other event.  event_id is the stored event (0 if unknown).
 * Writes up to DF_RISK_MAX into out; returns how many (0 for an event
 * that gives none).
 */
size_t df_risk_event(const struct df_config *cfg, const struct df_event *ev,
                      int64_t event_id, struct df_risk *out);

#define DF_RISK_VESSEL_MAX 3   /* reasons df_risk_vessel() can give */

/*
 * What a vessel's own identity says, as reasons: flagged to North Korea
 * (MID 445, kind "flag", risk_dprk_flag), or to a registry with a record
 * of false and fraudulent flags (METHODS.md row 11: Fiji, Cambodia, Tonga,
 * Cook Islands, Palau, Tanzania, Sierra Leone, Mongolia; kind "flag",
 * risk_flag_of_concern, weighed by the vessel's kind: relevance.h); a
 * tanker or cargo ship of 50 m or more that broadcasts no IMO number
 * (kind "identity", risk_no_imo).  Writes up to
 * DF_RISK_VESSEL_MAX into out; returns how many.
 */
size_t df_risk_vessel(const struct df_config *cfg, const struct df_vessel *v,
                      struct df_reason *out);

/*
 * The score (0-100) of a vessel with reasons r[0..n): evidence of one kind
 * has diminishing returns, kinds combine as independent probabilities.
 * Within a kind, reasons count from the strongest down, each at
 * risk_decay times the weight of the one before (30 routine encounters
 * add up to less than twice the strongest one); the kinds' sums S (each at
 * most 100) combine as 100 (1 - prod(1 - S/100)).  Sets each reason's
 * contribution so that they add up to the score; r may be reordered.
 */
double df_risk_combine(const struct df_config *cfg, struct df_reason *r,
                       size_t n);

/*
 * The watchlist_match event of a vessel screened with n > 0 matches: the
 * best match (highest score, the first of equals) in the evidence ("list",
 * "entry_id", "entry_name", "matched_by", "matched_value", "score",
 * "program", "entry_imo", "entry_mmsi"), the others summed up under
 * "also" (as many as fit).  One event per vessel and span, since the store
 * keys events by type, vessel and start.  Fills all of *ev; returns the
 * index of the best match (0 when n is 0, with evidence {}).
 */
size_t df_risk_match_event(const struct df_vessel *v,
                            const struct df_match *m, size_t n,
                            struct df_event *ev);

/*
 * Ties: a vessel that met a listed or DPRK-flagged vessel gets
 * risk_met_listed for it, once per encounter, whichever is known first:
 * the encounter, or that its partner is listed (known only when the
 * partner is screened, as it is flushed).  The last max_pairs encounters
 * and up to max_marked marked vessels are remembered; beyond that the
 * oldest encounters are forgotten and new marks are not kept (their
 * remembered encounters are still credited).
 */
struct df_ties;

/* Creates the memory of encounters and marks (a cap of 0 counts as 1).
 * Returns NULL when out of memory (nothing is allocated before use). */
struct df_ties *df_ties_new(size_t max_pairs, size_t max_marked);
/* Frees t; NULL is a no-op. */
void df_ties_free(struct df_ties *t);
/* Writes the encounters and marks remembered to w (section 14, Saved
 * state); df_ties_load() brings them back into new ties made with the
 * same caps (DF_FORMAT otherwise). */
enum df_err df_ties_save(const struct df_ties *t, struct df_state_out *w);
enum df_err df_ties_load(struct df_ties *t, struct df_state_in *in);

/* An encounter (other events are ignored): credits each side whose
 * partner is already marked, then remembers the pair.  fn gets each
 * reason; its first non-zero return is returned.  Returns -1 when out of
 * memory (the encounter is then not remembered). */
int df_ties_encounter(struct df_ties *t, const struct df_config *cfg,
                       const struct df_event *ev, int64_t event_id,
                       int (*fn)(uint32_t mmsi, const struct df_reason *r,
                                 void *ud),
                       void *ud);

/* A vessel screened: best is its best match or NULL.  If it is listed or
 * flagged to North Korea, marks it and credits the partners of its
 * remembered encounters.  Returns fn's first non-zero value, else 0. */
int df_ties_vessel(struct df_ties *t, const struct df_config *cfg,
                    uint32_t mmsi, const struct df_match *best,
                    int (*fn)(uint32_t mmsi, const struct df_reason *r,
                              void *ud),
                    void *ud);

/* ------------------------------------------------------------------ */
/* 17. Store: SQLite                                                  */
/* ------------------------------------------------------------------ */

/*
 * The store: vessels with their identity history, events, downsampled
 * tracks, and risk reasons with each vessel's score, in one SQLite file
 * (WAL mode) that sqlite3, QGIS or pandas open.  Writes go into
 * transactions of up to 50000 writes; other readers see them once
 * committed.  Every write is an upsert, so scanning the same input again
 * changes nothing.  A write fails with DF_DB (df_store_error() says why)
 * or DF_INVAL (NULL arguments, a store opened read-only).
 */
struct df_store;

/* Opens the database at path for writing, creating it, or migrating an
 * older schema in place.  On success *out is a new store to close with
 * df_store_close().  On failure *out is NULL and returns DF_DB (cannot
 * open or write it, not a darkfleet database, a newer schema), DF_NOMEM or
 * DF_INVAL, with a one-line message in err. */
enum df_err df_store_open(struct df_store **out, const char *path,
                          char *err, size_t errlen);
/* Opens an existing database read-only (report, export); an older schema
 * is read as it is, never migrated (a version 1 store has no risk: every
 * score 0, no reasons).  DF_IO with a one-line message when it does not
 * exist, cannot be read, is not a darkfleet store or has a newer schema;
 * DF_NOMEM, DF_INVAL. */
enum df_err df_store_open_ro(struct df_store **out, const char *path,
                             char *err, size_t errlen);

/* Writes an event.  Upsert keyed by (type, vessels, start): the same
 * event written again keeps its id and row, and takes the new end,
 * position, score and evidence.  Unknown times and positions are stored
 * as NULL; an empty evidence as {}. */
enum df_err df_store_event(struct df_store *st, const struct df_event *ev);
/* The id (events.id) of the event the last df_store_event() wrote,
 * inserted or updated (the same event keeps its id); 0 if none or if
 * that write failed. */
int64_t df_store_last_event_id(const struct df_store *st);
/*
 * Writes a vessel and its identities.  Upsert keyed by MMSI: an existing
 * vessel widens its first/last seen to cover both; its positions are
 * added when the spans do not overlap (a vessel flushed when it fell
 * silent, seen again) and the larger count kept when they do (the same
 * input scanned twice); its last position is replaced when the new last
 * seen is not earlier; its MID and flag are kept when v has none.  Each
 * identity is keyed by all its fields (IMO, name, call sign, destination,
 * type, size, draught): a known one widens its first/last seen, a new one
 * is added; none is ever removed.
 */
enum df_err df_store_vessel(struct df_store *st, const struct df_vessel *v);
/* Queues a track point.  Points are held in memory and written in batches
 * sorted by key (on a thread of the store's own when it could start one),
 * so a failure may show at a later df_store_point(), df_store_commit() or
 * df_store_close().  Upsert keyed by (mmsi, time): a point at a stored
 * time replaces its position, speed and course.  A point without a time
 * is ignored (DF_OK). */
enum df_err df_store_point(struct df_store *st, uint32_t mmsi,
                           const struct df_point *p);
/* Adds risk points with a reason to a vessel, and makes its score again:
 * its reasons combined by df_risk_combine() under the store's policy
 * (df_store_set_config), each reason's share stored beside it.  Upsert: a
 * reason already stored (same mmsi, event_type, event_id, text) is not
 * added again, only its points are updated, so the score does not grow;
 * at most 64 are kept, the highest points (the oldest among equals).
 * DF_INVAL when r->points is NaN. */
/* The risk policy (risk_decay) scores are made with: a copy of cfg.  The
 * default is df_config_defaults(). */
void df_store_set_config(struct df_store *st, const struct df_config *cfg);
enum df_err df_store_risk_add(struct df_store *st, uint32_t mmsi,
                              const struct df_reason *r);
/* Writes the queued points and commits, so that every write so far is
 * visible to readers.  DF_OK on a read-only store. */
enum df_err df_store_commit(struct df_store *st);
/* The message of the last failure ("no error" if none; "no store" for
 * NULL).  Owned by st: valid until df_store_close(); the next failure
 * rewrites it. */
const char *df_store_error(const struct df_store *st);
/* Records the scan's time (meta last_scan), commits, and frees st, even
 * when that fails: then returns DF_DB, and the message is lost (call
 * df_store_commit() first to read it).  A read-only store is just freed.
 * NULL is a no-op. */
enum df_err df_store_close(struct df_store *st);

/*
 * A scan's saved state, kept with the events it led to (schema 4), so that
 * the next scan into the same store goes on where this one stopped.  The
 * scan writes its state (section 14, Saved state) through
 * df_store_state_chunk() between df_store_state_clear() and a commit, and
 * the inputs it read with df_store_input_put(); all of it lands in the
 * same transaction as the events, so that a scan killed at any moment
 * leaves the state of its last commit with exactly the events before it.
 * Events written while provisional is on (those a scan reports at its end
 * that a later scan may still extend: an encounter going on, a vessel not
 * yet silent) are marked; the next scan drops them first
 * (df_store_drop_provisional) and reports them again when they are final.
 */
/* Marks the events written from now on as provisional (on) or final. */
void df_store_set_provisional(struct df_store *st, int on);
/* Deletes the provisional events and the reasons given for them, and
 * makes the scores of their vessels again; *n (if not NULL) gets how many
 * events went. */
enum df_err df_store_drop_provisional(struct df_store *st, uint64_t *n);
/* Deletes the saved state (the chunks only: inputs are kept). */
enum df_err df_store_state_clear(struct df_store *st);
/* Appends a chunk of the saved state (a df_state_sink: st as ud; 0, or
 * -1 with df_store_error() set). */
int df_store_state_chunk(const void *data, size_t len, void *st);
/* The saved state's chunks in order, as a df_state_source (st as ud):
 * 1 with a chunk, valid until the next call; 0 at the end (and the next
 * call starts again from the first); -1 on a database error. */
int df_store_state_read(const void **data, size_t *len, void *st);
/* Ends a read of the saved state before its end, so that the next
 * df_store_state_read() starts from the first chunk and the read no longer
 * holds a snapshot of the database (which would keep the write-ahead log
 * from being reset while this connection writes). */
void df_store_state_read_end(struct df_store *st);
/* 1 if a state is saved, 0 if not, -1 on a database error. */
int df_store_state_saved(struct df_store *st);

/* Upserts the mark of m->path. */
enum df_err df_store_input_put(struct df_store *st,
                               const struct df_input_mark *m);
/* The mark of path into *m: 1, 0 when there is none, -1 on an error. */
int df_store_input_get(struct df_store *st, const char *path,
                       struct df_input_mark *m);
/* Forgets every input (scan --fresh). */
enum df_err df_store_inputs_clear(struct df_store *st);
/* A value of the meta table (key, value) into out (cut to outlen): 1, 0
 * when the key is absent, -1 on an error. */
int df_store_meta_get(struct df_store *st, const char *key, char *out,
                      size_t outlen);
enum df_err df_store_meta_set(struct df_store *st, const char *key,
                              const char *value);

/*
 * Reading back, from a store opened either way (one being written commits
 * first, so that everything written is read).  Each reader calls fn for
 * each row and returns fn's first non-zero value (stopping there), 0 at
 * the end, or -1 on a database error (df_store_error() says which) or
 * when st or fn is NULL.  What fn gets is valid during the call only.
 */
/* Vessels in rank order (risk score descending, then MMSI), each with its
 * identities (oldest first; the newest DF_MAX_IDENTITIES when more are
 * stored) and its score. */
int df_store_each_vessel(struct df_store *st,
                         int (*fn)(const struct df_vessel *v, double score,
                                   void *ud),
                         void *ud);
/* The reasons behind one vessel's score, highest points first, then in
 * the order they were added. */
int df_store_each_reason(struct df_store *st, uint32_t mmsi,
                         int (*fn)(const struct df_reason *r, void *ud),
                         void *ud);
/* Events, all (mmsi 0) or those involving one vessel, by start time
 * (unknown first), then id; the event's stored id is passed along.  Rows
 * of a type this darkfleet does not know are skipped; evidence too long
 * for struct df_event reads as {"truncated":true}. */
int df_store_each_event(struct df_store *st, uint32_t mmsi,
                        int (*fn)(int64_t id, const struct df_event *ev,
                                  void *ud),
                        void *ud);
/* One vessel's stored track (all vessels, by MMSI, when mmsi is 0), by
 * time. */
int df_store_each_point(struct df_store *st, uint32_t mmsi,
                        int (*fn)(uint32_t mmsi, const struct df_point *p,
                                  void *ud),
                        void *ud);

/*
 * One vessel's history, across every scan stored (`darkfleet vessel`).
 * Every lookup goes through an index of the schema; names are compared
 * byte for byte, as given and with ASCII letters in upper case (AIS sends
 * upper case only), so "sea venus" finds "SEA VENUS" but not "Sea Venus".
 */
/* What df_store_find_vessels() matches a query against. */
enum df_vessel_key {
    DF_VKEY_MMSI,               /* the vessel's MMSI (decimal digits) */
    DF_VKEY_IMO,                /* an IMO number any identity gave */
    DF_VKEY_NAME,               /* a name any identity gave, whole */
    DF_VKEY_NAME_PREFIX         /* a name any identity gave, its start */
};
/* The stored vessels value matches by key, each MMSI once, in the order
 * they began to use it (first seen of the matching identities), then by
 * MMSI.  -1 as for a database error also for an empty value, and for an
 * MMSI or IMO that is not a number of up to 10 digits. */
int df_store_find_vessels(struct df_store *st, enum df_vessel_key key,
                          const char *value,
                          int (*fn)(uint32_t mmsi, void *ud), void *ud);
/* Fills *v (identities as df_store_each_vessel gives them) and *score
 * (when not NULL) with the stored vessel mmsi: returns 1, or 0 when the
 * store has no such vessel, -1 on a database error. */
int df_store_get_vessel(struct df_store *st, uint32_t mmsi,
                        struct df_vessel *v, double *score);
/* Every distinct identity a vessel gave, all of them, oldest first: rows
 * that differ only in width or draught are one, seen from the first's
 * first to the last's last, with the largest width and draught. */
int df_store_each_identity(struct df_store *st, uint32_t mmsi,
                           int (*fn)(const struct df_identity *id,
                                     void *ud),
                           void *ud);

/* The risk score of mmsi as the store has it now (also while a scan
 * writes it, without committing): 1 with *score, 0 when it has none (then
 * *score is 0), -1 on a database error. */
int df_store_risk_score(struct df_store *st, uint32_t mmsi, double *score);

/* A vessel met in encounters, summed up (df_store_each_partner). */
struct df_partner {
    uint32_t mmsi;
    unsigned encounters;
    int64_t first_ms, last_ms;  /* start of the first and last encounter */
    char name[21];              /* the name it gave last, "" if none */
};
/* The vessels mmsi met in encounters: most encounters first, then the
 * latest met, then by MMSI. */
int df_store_each_partner(struct df_store *st, uint32_t mmsi,
                          int (*fn)(const struct df_partner *p, void *ud),
                          void *ud);

/*
 * A workspace over the store (`darkfleet serve`): several reads from one
 * snapshot, a time limit on them, vessels searched and ranked, events in
 * a box and a time, a vessel's track in a time at a scale, and what the
 * store holds.  Each answers from an index: schema 5's R*Tree of events
 * (events_rtree) and trigram index of names and call signs
 * (vessel_search), or the indexes of older schemas.  A store of schema 4
 * or older, opened read-only and so never migrated, is read with what it
 * has: names and call signs by their start only, events by time or type
 * (a box is then checked event by event).
 */

/* Opens a read transaction: every read until df_store_read_end() sees
 * the store as it was at the first of them, whatever a writer commits
 * meanwhile (WAL: the writer is never held up by it), and the time limit
 * (df_store_set_time_limit) counts from here.  DF_DB when it cannot
 * (df_store_error says why), DF_INVAL for NULL.  On a store opened for
 * writing it only commits what is pending (its own writes are the
 * snapshot). */
enum df_err df_store_read_begin(struct df_store *st);
/* Ends the read transaction of df_store_read_begin(), if one is open. */
void df_store_read_end(struct df_store *st);
/* Bounds every read between df_store_read_begin() and _end() to ms
 * milliseconds of work (0, the default: no bound).  A read over it stops
 * with -1, df_store_error() says so, and df_store_interrupted() is 1
 * until the next df_store_read_begin(). */
void df_store_set_time_limit(struct df_store *st, unsigned ms);
int df_store_interrupted(const struct df_store *st);
/* Lets the store keep up to mib MiB of its pages in memory (SQLite's
 * page cache, filled as pages are read; 2 MiB unless set): a server
 * answering many reads keeps what they share instead of reading it
 * again from the file for each. */
void df_store_set_cache(struct df_store *st, unsigned mib);
/* The schema version of the file (5 for a store this darkfleet wrote). */
int df_store_schema_version(const struct df_store *st);
/* A number that changes when another connection commits a change to the
 * store (PRAGMA data_version); -1 on an error.  Compare values from one
 * store object only. */
int64_t df_store_data_version(struct df_store *st);

#define DF_SEARCH_MAX 256       /* bytes of a search's text */

/*
 * Vessels matching q, ranked as df_store_each_vessel() ranks them (risk
 * score descending, then MMSI), from the offset-th match on, at most
 * limit: fn gets each vessel with its identities and score.  *total (if
 * not NULL) gets the number of matches.  q matches, any of:
 *  - digits: the vessel with that MMSI, those whose MMSI starts with them
 *    (fewer than 9 digits), the vessels that gave that IMO number;
 *  - any name or call sign a vessel ever gave: containing q (three
 *    characters or more; case-insensitive, also beyond ASCII), or
 *    starting with q (shorter ones, and every length on a store of
 *    schema 4 or older; as given and in ASCII upper case).
 * q NULL, empty or only blanks matches every vessel.  Leading and
 * trailing blanks are ignored.  -1 (with df_store_error) on a database
 * error, and for a q longer than DF_SEARCH_MAX or holding control
 * characters.
 */
int df_store_search_vessels(struct df_store *st, const char *q,
                            uint64_t offset, unsigned limit,
                            uint64_t *total,
                            int (*fn)(const struct df_vessel *v,
                                      double score, void *ud),
                            void *ud);

/* Which events df_store_query_events() hands out, and in what order. */
struct df_event_query {
    int64_t id;                 /* this event only; 0: any */
    uint32_t types;             /* bit (1 << type) of each type; 0: all */
    uint32_t mmsi;              /* events with this vessel; 0: any */
    int64_t from_ms, to_ms;     /* events whose [start, end] meets
                                 * [from, to] (an unknown end is the
                                 * start); DF_TIME_NONE: open */
    int box;                    /* 1: events placed inside the box */
    int32_t minlon, minlat, maxlon, maxlat; /* 1/10000 min, edges in; a
                                 * minlon east of maxlon crosses 180 */
    double min_score;           /* score at least this; NaN: any */
    int by_score;               /* 0: by start (unknown first), then id;
                                 * 1: by score descending, then id */
    int brief;                  /* 1: the evidence is not read (empty) */
    uint64_t offset;
    unsigned limit;             /* 0: no limit */
};
/* Fills q with "every event, by start". */
void df_event_query_init(struct df_event_query *q);
/* One event as df_store_query_events() hands it out. */
struct df_event_row {
    int64_t id;
    int provisional;            /* still open at a scan's end */
    struct df_event ev;
};
/* The events q asks for, in its order, from its offset on: fn gets each.
 * *total (if not NULL) gets how many match, offset and limit aside.  Rows
 * of an unknown type are skipped (a foreign writer's; *total counts
 * them); evidence too long reads as {"truncated":true}.  -1 on a
 * database error, also for a box whose latitudes are upside down or out
 * of range. */
int df_store_query_events(struct df_store *st,
                          const struct df_event_query *q, uint64_t *total,
                          int (*fn)(const struct df_event_row *r, void *ud),
                          void *ud);

/* One vessel's stored track between from_ms and to_ms (DF_TIME_NONE:
 * open), by time, thinned for display: at most max_points (0: no bound;
 * every k-th point when there are more), and, when cell (1/10000 min) is
 * not 0, without the points that stay in the grid cell of the last one
 * kept (a map's pixel at the zoom shown).  The first and the last point
 * are always kept.  *total (if not NULL) gets the points in the range
 * before thinning. */
int df_store_track(struct df_store *st, uint32_t mmsi, int64_t from_ms,
                   int64_t to_ms, int32_t cell, unsigned max_points,
                   uint64_t *total,
                   int (*fn)(uint32_t mmsi, const struct df_point *p,
                             void *ud),
                   void *ud);

/* What a store holds (df_store_summary). */
struct df_store_summary {
    int schema_version;
    uint64_t vessels;           /* vessels stored */
    uint64_t scored;            /* of them, with a risk score above 0 */
    uint64_t positions;         /* positions received, over all vessels */
    uint64_t events;            /* events of known types */
    uint64_t provisional;       /* of them, still open at a scan's end */
    uint64_t by_type[DF_EV_COUNT];
    int64_t first_ms, last_ms;  /* the first and last position's times */
    int64_t created_ms;         /* when the store was made */
    int64_t last_scan_ms;       /* when a scan last closed it */
};
/* Fills *s: 0, or -1 on a database error.  Unknown times are
 * DF_TIME_NONE. */
int df_store_summary(struct df_store *st, struct df_store_summary *s);
/* The UTC days on which events start, in order, each with how many:
 * day_ms is the day's midnight. */
int df_store_each_day(struct df_store *st,
                      int (*fn)(int64_t day_ms, uint64_t events, void *ud),
                      void *ud);

/* ------------------------------------------------------------------ */
/* 18. Exports: GeoJSON, GeoJSONSeq, KML, CSV                         */
/* ------------------------------------------------------------------ */

enum df_export_format {
    DF_EXPORT_GEOJSON,      /* one RFC 7946 FeatureCollection */
    DF_EXPORT_GEOJSONSEQ,   /* RFC 8142: RS, one Feature, LF; repeated */
    DF_EXPORT_KML,          /* KML 2.2: Folders "Events" and "Tracks" */
    DF_EXPORT_CSV_EVENTS,   /* one row per event */
    DF_EXPORT_CSV_TRACKS    /* one row per track point (MarineCadastre) */
};

/* What a document holds (KML writes an empty folder for a section that
 * is asked for but has nothing). */
#define DF_EXPORT_EVENTS 1u
#define DF_EXPORT_TRACKS 2u

struct df_export_opts {
    enum df_export_format format;
    unsigned what;              /* DF_EXPORT_EVENTS | DF_EXPORT_TRACKS */
    /* Points a track feature holds before it is written and continued
     * in a new feature (property "part" 2, 3, ...); 0 means 1000000.
     * This bounds the writer's memory whatever the store holds. */
    size_t max_track_points;
    /* Optional: the current name of a vessel (for event features), or
     * NULL / "" when unknown.  The string is copied before the next
     * call. */
    const char *(*vessel_name)(uint32_t mmsi, void *ud);
    void *ud;
};

struct df_export;

/*
 * Creates a writer; opts is copied.  Returns NULL when out of memory or
 * when opts is NULL or opts->format is unknown.  Free with
 * df_export_free().
 *
 * Every call renders into b, which the caller owns and may empty (write
 * out and set len to 0) between any two calls: the writer keeps no
 * pointer into it.  Call order: begin, all events, then every track
 * (track_begin, its points in time order, track_end), then end.  A call
 * out of order, or an event to a tracks-only format (or a track to
 * DF_EXPORT_CSV_EVENTS), returns DF_INVAL and writes nothing.  DF_NOMEM
 * when b (b->oom) or the writer ran out of memory.
 *
 * Strings from the store (names, call signs, evidence) are
 * attacker-controlled: each is escaped for its format, invalid UTF-8 is
 * replaced with U+FFFD, and an evidence text that is not a JSON object
 * is wrapped as {"unparsed": "..."}.
 */
struct df_export *df_export_new(const struct df_export_opts *opts);
/* Frees the writer; NULL is a no-op. */
void df_export_free(struct df_export *x);

/* Writes what opens the document (a header row, the collection or KML
 * document). */
enum df_err df_export_begin(struct df_export *x, struct df_buf *b);
/* One event with its stored id (0 if none). */
enum df_err df_export_event(struct df_export *x, struct df_buf *b,
                            int64_t id, const struct df_event *ev);
/* Starts a vessel's track; v (copied) and its risk score describe it. */
enum df_err df_export_track_begin(struct df_export *x, struct df_buf *b,
                                  const struct df_vessel *v, double score);
/* One point of the track begun.  A point without a position (or, for
 * KML, a time) is skipped with DF_OK; a CSV row is written at once, other
 * formats hold up to max_track_points before writing a part. */
enum df_err df_export_track_point(struct df_export *x, struct df_buf *b,
                                  const struct df_point *p);
/* Ends the track begun, writing what it holds. */
enum df_err df_export_track_end(struct df_export *x, struct df_buf *b);
/* Writes what closes the document; no call but df_export_free() may
 * follow. */
enum df_err df_export_end(struct df_export *x, struct df_buf *b);

/* ------------------------------------------------------------------ */
/* 19. Report: the offline HTML report, and the web files           */
/* ------------------------------------------------------------------ */

#define DF_REPORT_TOP_DEFAULT 2000     /* vessels that get a page */
#define DF_REPORT_TRACK_MAX 2000       /* points per track on a page */
#define DF_REPORT_LIST_MAX 100000      /* vessels listed in index.html */
#define DF_REPORT_EVENTS_MAX 100000    /* events on the overview map */

/* What a report holds; zero-initialise, then df_report_opts_init(). */
struct df_report_opts {
    unsigned top;           /* vessels (by rank) that get a page of their
                             * own; the rest are listed without one */
    unsigned track_max;     /* points kept per track (evenly downsampled,
                             * first and last kept) */
    unsigned list_max;      /* vessels listed on the index page */
    unsigned events_max;    /* events on the overview map */
};

/* Fills opts with the defaults above. */
void df_report_opts_init(struct df_report_opts *opts);

/*
 * Writes a static report of the store into dir, which is created (with
 * dir/v/ and dir/assets/) if needed; files already there are overwritten.
 * It opens from disk with no network: dir/index.html (ranked vessels with
 * their reasons; every event on a map), dir/data.js, dir/assets/ (the
 * scripts, styles and Natural Earth land built into the library), and for
 * each of the top vessels v/<mmsi>.html and v/<mmsi>.js (track, identity
 * history, events).  Every string from the store reaches the pages as a
 * JSON string literal that cannot end a script (df_buf_json_script_str)
 * and is put into the page with DOM text APIs.  opts may be NULL for the
 * defaults (top is capped at list_max, track_max raised to 2).  On failure
 * returns DF_IO (a file could not be written), DF_NOMEM, DF_DB, or
 * DF_INVAL (no store or directory), with a one-line message in err.
 */
enum df_err df_report_write_opts(struct df_store *st, const char *dir,
                                 const struct df_report_opts *opts,
                                 char *err, size_t errlen);

/*
 * The web files built into the library (web/, MapLibre GL and Natural
 * Earth land by tools/mkassets.mjs): the report's ("index.html", the
 * vessel page template "vessel.html", "assets/app.js", ...) and the
 * workspace's that `darkfleet serve` serves ("serve.html",
 * "assets/serve.js"), which share "assets/common.js" and the rest of
 * assets/.  Returns the bytes of the file called exactly name, with its
 * length in *len, or NULL when there is none.  The bytes are the
 * library's and never change.
 */
const unsigned char *df_web_asset(const char *name, size_t *len);
/* The name of the i-th file, in name order; NULL past the last. */
const char *df_web_asset_name(size_t i);

/* ------------------------------------------------------------------ */
/* 20. Simulator: synthetic traffic with planted behaviours           */
/* ------------------------------------------------------------------ */

#define DF_SIM_SCENARIOS(XX)                                                 \
    XX(ENCOUNTER, "encounter")                                               \
    XX(ANCHORAGE_ENCOUNTER, "anchorage_encounter")                           \
    XX(LOITERING, "loitering")                                               \
    XX(GAP, "gap")                                                           \
    XX(DRAUGHT_CHANGE, "draught_change")                                     \
    XX(SPOOFING, "spoofing")                                                 \
    XX(MMSI_COLLISION, "mmsi_collision")                                     \
    XX(IDENTITY_CHANGE, "identity_change")                                   \
    XX(INVALID_IDENTITY, "invalid_identity")                                 \
    XX(ZONE_ENTRY, "zone_entry")                                             \
    XX(PORT_CALL, "port_call")                                               \
    XX(DECOY_PASSING, "decoy_passing")                                       \
    XX(DECOY_BERTH, "decoy_berth")                                           \
    XX(DECOY_SHORT_GAP, "decoy_short_gap")                                   \
    XX(DECOY_FISHING, "decoy_fishing")

enum df_sim_scenario {
#define XX(code, name) DF_SIM_##code,
    DF_SIM_SCENARIOS(XX)
#undef XX
    DF_SIM_COUNT
};

/* A scenario's static name ("encounter"...), "unknown" out of range. */
const char *df_sim_scenario_name(enum df_sim_scenario s);
/* The scenario named name (not NULL), or -1. */
int df_sim_scenario_from_name(const char *name);

struct df_sim_opts {
    uint64_t seed;
    double hours;              /* simulated time span, > 0 */
    unsigned vessels;          /* background vessels on shipping lanes */
    int64_t start_ms;          /* simulated start time; 0 for
                                * 2025-03-01T00:00:00Z */
    uint32_t scenarios;        /* bit (1 << scenario) for each planted one */
};

/* What a simulation hands out; either callback may be NULL.  A non-zero
 * return ends the run. */
struct df_sim_cbs {
    /* One AIS message as it would be received, in time order. */
    int (*msg)(const struct df_msg *m, void *ud);
    /* One planted event, in the event format (ground truth).  Decoys come
     * with ev->score < 0 and say what must NOT be reported. */
    int (*truth)(const struct df_event *ev, void *ud);
    void *ud;
};

/* Runs the simulation, calling cbs as it goes; write the messages out
 * with df_msg_nmea().  Deterministic for a seed.  Returns DF_OK (also when
 * a callback ended the run), DF_INVAL (NULL arguments, hours not in
 * (0, 87840], more than 900000 vessels) or DF_NOMEM. */
enum df_err df_sim_run(const struct df_sim_opts *opts,
                       const struct df_sim_cbs *cbs);

#ifdef __cplusplus
}
#endif
#endif /* DARKFLEET_H */
