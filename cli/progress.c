/*
 * progress.c - a progress meter for long runs, on standard error and only
 * when standard error is a terminal: records read, their rate, the input
 * read so far and the time left when the input's size is known.  Redrawn
 * at most four times a second on one line; erased at the end.
 */
#include "cli.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p, int force)
{
    memset(p, 0, sizeof *p);
    p->on = force || isatty(STDERR_FILENO);
    p->start = p->last = now_s();
}

/* Formats n with a k/M/G suffix into out (16 bytes). */
static void human(double n, char *out)
{
    if (n >= 1e9)
        snprintf(out, 16, "%.1fG", n / 1e9);
    else if (n >= 1e6)
        snprintf(out, 16, "%.1fM", n / 1e6);
    else if (n >= 1e3)
        snprintf(out, 16, "%.1fk", n / 1e3);
    else
        snprintf(out, 16, "%.0f", n);
}

void cli_progress_update(struct cli_progress *p, uint64_t records,
                         uint64_t pos, uint64_t size)
{
    double t, el;
    char r[16], rate[16];

    if (!p->on)
        return;
    t = now_s();
    if (t - p->last < 0.25)
        return;
    p->last = t;
    el = t - p->start;
    human((double)records, r);
    human(el > 0 ? records / el : 0, rate);
    if (size > 0 && pos > 0 && pos <= size) {
        double left = el * (double)(size - pos) / (double)pos;
        fprintf(stderr, "\r\033[K%s records  %s/s  %3.0f%%  %02d:%02d left",
                r, rate, 100.0 * (double)pos / (double)size,
                (int)(left / 60), (int)left % 60);
    } else {
        fprintf(stderr, "\r\033[K%s records  %s/s  %02d:%02d", r, rate,
                (int)(el / 60), (int)el % 60);
    }
    fflush(stderr);
    p->drawn = 1;
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->on && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
