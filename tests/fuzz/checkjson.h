/*
 * checkjson.h - the shape check every fuzz harness applies to darkfleet's
 * JSON output: one object, braces and brackets balanced, strings closed,
 * escapes complete, no raw control bytes, nothing after the object.
 * Aborts (a crash for libFuzzer) on any violation.
 */
#ifndef DF_CHECKJSON_H
#define DF_CHECKJSON_H

#include <stddef.h>
#include <stdlib.h>

static void check_json(const char *s, size_t n)
{
    int depth = 0, in_str = 0;
    size_t i;

    if (n < 2 || s[0] != '{' || s[n - 1] != '}')
        abort();
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            abort();
        if (in_str) {
            if (c == '\\') {
                if (i + 1 >= n)
                    abort();
                i++;
                if (s[i] == 'u' && i + 4 >= n)
                    abort();
            } else if (c == '"') {
                in_str = 0;
            }
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth < 0)
                abort();
            if (depth == 0 && i != n - 1)
                abort();        /* text after the object */
        }
    }
    if (in_str || depth != 0)
        abort();
}

#endif
