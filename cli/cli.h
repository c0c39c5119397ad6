/*
 * cli.h - shared pieces of the darkfleet command line: output buffering,
 * error reporting and the reader that turns every input (files, standard
 * input, compressed streams, archives) into messages or records.
 * Only cli/ prints, exits or opens sockets.
 */
#ifndef DF_CLI_H
#define DF_CLI_H

#include <stdio.h>

#include "darkfleet.h"

/* Prints "darkfleet: <msg>" on standard error. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Output: a buffer flushed to standard output when it grows past a
 * threshold and at the end.  Returns -1 if writing failed. */
int cli_out_flush(struct df_buf *b, int force);

/* What a reader hands to its consumer, one call per item. */
struct cli_sink {
    /* A decoded NMEA message; return non-zero to stop. */
    int (*msg)(const struct df_msg *m, void *ud);
    /* A table row (CSV); return non-zero to stop. */
    int (*rec)(const struct df_rec *r, void *ud);
    void *ud;
};

struct cli_reader_opts {
    int skip_checksum;
};

/*
 * Reads every input in turn ("-" or none: standard input), detecting the
 * format of each from its content, and calls the sink.  Adds the readers'
 * counters to *st.  Returns 0, or 1 after printing one error line for an
 * input that could not be used (missing, unknown format, damaged).
 */
int cli_read_inputs(char **inputs, int ninputs,
                    const struct cli_reader_opts *opts,
                    const struct cli_sink *sink, struct df_stats *st);

/* Prints every non-zero counter of st on standard error. */
void cli_print_stats(const struct df_stats *st);

int cmd_decode(int argc, char **argv);

#endif
