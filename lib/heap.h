/*
 * heap.h - the first k of a stream of records, in an order, kept as they
 * come: a heap of at most k records, the last of them on top, so that a
 * record after all k is dropped at one comparison.  Header only: the
 * library (each document's best quotes) and the command line (each
 * group's first quotes) use it.  Never installed.
 */
#ifndef GRILLE_HEAP_H
#define GRILLE_HEAP_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Records of one size, in memory of their own (malloc's); grown by
 * doubling up to k, as most heaps keep a few. */
typedef struct grille__heap {
    unsigned char *v;
    size_t n, cap;
} grille__heap;

typedef int (*grille__heap_cmp)(const void *a, const void *b);

static inline void grille__heap_swap(unsigned char *a, unsigned char *b,
                                     size_t size)
{
    unsigned char t[64];
    while (size) {
        size_t m = size < sizeof(t) ? size : sizeof(t);
        memcpy(t, a, m);
        memcpy(a, b, m);
        memcpy(b, t, m);
        a += m;
        b += m;
        size -= m;
    }
}

/* Offers record x (size bytes) to h, which keeps the first k by cmp (k >=
 * 1); equal to the last kept, x is dropped.  Returns -1 when out of
 * memory (h is as it was). */
static inline int grille__heap_offer(grille__heap *h, size_t k, size_t size,
                                     const void *x, grille__heap_cmp cmp)
{
    unsigned char *v = h->v;
    size_t i;
    if (h->n == k) {
        if (cmp(x, v) >= 0)
            return 0;
        memcpy(v, x, size);
        for (i = 0;;) {
            size_t w = i, l = 2 * i + 1, r = l + 1;
            if (l < h->n && cmp(v + l * size, v + w * size) > 0)
                w = l;
            if (r < h->n && cmp(v + r * size, v + w * size) > 0)
                w = r;
            if (w == i)
                return 0;
            grille__heap_swap(v + i * size, v + w * size, size);
            i = w;
        }
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 4;
        cap = cap < k ? cap : k;
        if (!(v = realloc(h->v, cap * size)))
            return -1;
        h->v = v;
        h->cap = cap;
    }
    i = h->n++;
    memcpy(v + i * size, x, size);
    for (; i && cmp(v + (i - 1) / 2 * size, v + i * size) < 0; i = (i - 1) / 2)
        grille__heap_swap(v + (i - 1) / 2 * size, v + i * size, size);
    return 0;
}

#endif
