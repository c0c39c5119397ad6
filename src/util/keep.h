/*
 * keep.h - DF__KEEP, for code that runs a chain of calls that may each
 * stop the run (an emit callback's non-zero return) and must run them all
 * the same: the first non-zero return is the one kept.
 */
#ifndef DF_UTIL_KEEP_H
#define DF_UTIL_KEEP_H

#define DF__KEEP(rc, expr)                                                   \
    do {                                                                     \
        int r_ = (expr);                                                     \
        if ((rc) == 0)                                                       \
            (rc) = r_;                                                       \
    } while (0)

#endif
