/*
 * hint.h - hints to the compiler and the CPU, with portable fallbacks.
 */
#ifndef DF_UTIL_HINT_H
#define DF_UTIL_HINT_H

/* Start fetching the cache line at p: a hint, never a fault. */
#if defined(__GNUC__) || defined(__clang__)
#define DF__PREFETCH(p) __builtin_prefetch(p)
#else
#define DF__PREFETCH(p) ((void)(p))
#endif

/* Inline even where the compiler's size heuristics would not: for small
 * writers called a dozen times on one hot path. */
#if defined(__GNUC__) || defined(__clang__)
#define DF__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define DF__ALWAYS_INLINE inline
#endif

#endif
