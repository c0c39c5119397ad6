/*
 * hmap.c - see hmap.h.
 */
#include "util/hmap.h"

#include <assert.h>
#include <string.h>

#include "util/alloc.h"
#include "util/ser.h"

#define FIRST_CAP 64

static int resize(struct df__hmap *m, size_t cap)
{
    struct df__hslot *sl;
    size_t i, mask = cap - 1;

    assert(cap >= FIRST_CAP && (cap & mask) == 0 && cap >= 2 * m->n);
    if (cap > SIZE_MAX / sizeof(*sl))
        return -1;
    sl = df__malloc(cap * sizeof(*sl));
    if (sl == NULL)
        return -1;
    /* Zeroed, padding too: a saved state holds the slots as they are, and
     * the same table must save as the same bytes. */
    memset(sl, 0, cap * sizeof(*sl));
    for (i = 0; i < cap; i++)
        sl[i].val = DF__HMAP_NONE;
    for (i = 0; i < m->cap; i++) {
        size_t j;

        if (m->slots[i].val == DF__HMAP_NONE)
            continue;
        for (j = df__mix64(m->slots[i].key) & mask;
             sl[j].val != DF__HMAP_NONE; j = (j + 1) & mask)
            ;
        sl[j] = m->slots[i];
    }
    df__free(m->slots);
    m->slots = sl;
    m->cap = cap;
    return 0;
}

int df__hmap_reserve(struct df__hmap *m, size_t n)
{
    size_t cap = m->cap ? m->cap : FIRST_CAP;

    while (cap / 2 < n) {
        if (cap > SIZE_MAX / 4)
            return -1;
        cap *= 2;
    }
    return cap == m->cap ? 0 : resize(m, cap);
}

int df__hmap_put(struct df__hmap *m, uint64_t key, uint32_t val)
{
    struct df__hslot *s;
    size_t mask, j;

    assert(val != DF__HMAP_NONE);
    if ((s = df__hmap_find(m, key)) != NULL) {
        s->val = val;
        return 0;
    }
    if ((m->n + 1) * 2 > m->cap && df__hmap_reserve(m, m->n + 1) != 0)
        return -1;
    mask = m->cap - 1;
    for (j = df__mix64(key) & mask; m->slots[j].val != DF__HMAP_NONE;
         j = (j + 1) & mask)
        ;
    m->slots[j].key = key;
    m->slots[j].val = val;
    m->n++;
    return 0;
}

void df__hmap_del(struct df__hmap *m, uint64_t key)
{
    struct df__hslot *s = df__hmap_find(m, key);
    size_t mask, i, j;

    if (s == NULL)
        return;
    mask = m->cap - 1;
    i = (size_t)(s - m->slots);
    /* Backward shift: move later members of the cluster into the hole
     * unless their home slot lies cyclically in (i, j]. */
    for (j = (i + 1) & mask; m->slots[j].val != DF__HMAP_NONE;
         j = (j + 1) & mask) {
        size_t home = df__mix64(m->slots[j].key) & mask;

        if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
        m->slots[i] = m->slots[j];
        i = j;
    }
    m->slots[i].val = DF__HMAP_NONE;
    assert(m->n > 0);
    m->n--;
}

void df__hmap_clear(struct df__hmap *m)
{
    size_t i;

    for (i = 0; i < m->cap; i++)
        m->slots[i].val = DF__HMAP_NONE;
    m->n = 0;
}

void df__hmap_fini(struct df__hmap *m)
{
    df__free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* ---- saved state ------------------------------------------------------ */

void df__hmap_save(const struct df__hmap *m, struct df_state_out *w)
{
    df__so_tag(w, DF__TAG('H', 'M', 'A', 'P'));
    df__so_u64(w, m->n);
    df__so_arr(w, m->slots, sizeof(*m->slots), m->cap);
}

int df__hmap_load(struct df__hmap *m, struct df_state_in *r, size_t limit)
{
    uint64_t n;
    size_t cap, i, used = 0;
    struct df__hslot *slots;

    if (df__si_tag(r, DF__TAG('H', 'M', 'A', 'P')) != 0 ||
        df__si_u64(r, &n) != 0 ||
        df__si_arr(r, sizeof(*m->slots), (size_t)1 << 40, 0,
                   (void **)&slots, &cap) != 0)
        return -1;
    /* A table as hmap.c keeps it: a power of two, at most half full, each
     * value an index into the caller's array. */
    for (i = 0; i < cap; i++)
        if (slots[i].val != DF__HMAP_NONE) {
            used++;
            if (slots[i].val >= limit)
                break;
        }
    if (i < cap || (cap != 0 && (cap < FIRST_CAP || (cap & (cap - 1)) != 0)) ||
        used != n || 2 * n > cap) {
        df__free(slots);
        return df__si_bad(r);
    }
    df__free(m->slots);
    m->slots = slots;
    m->cap = cap;
    m->n = (size_t)n;
    return 0;
}
