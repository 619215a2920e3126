/*
 * stem.c - the Snowball French stemmer behind a cache.
 *
 * The vocabulary of a corpus is Zipfian: a few thousand words make most of
 * its tokens, so each distinct lowercased word is stemmed once per
 * analyser and kept in an open-addressing hash table.  An entry holds the
 * word's match key (lowercased, accents folded) and its stem (Snowball's
 * stem of the lowercased, accented word, then accent-folded): "Santés" is
 * looked up as "santés", key "santes", stem "sant".  Strings live in an
 * arena of chunks that never move, so tokens can point into it; the cache
 * is dropped between runs once it grows past its budget, which keeps the
 * memory of a long run bounded.
 */
#include "analyser.h"
#include "codebook.h"

#include <libstemmer.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define CACHE_BUDGET (32u * 1024 * 1024)
/* Words longer than this are not stemmed (their key is their stem). */
#define MAX_STEM_INPUT 96

/* What every lookup and every token reads is on the entry's first cache
 * line (entries are aligned on 64 bytes). */
_Static_assert(offsetof(stem_entry, stem2_hi) + 4 <= 64,
               "the head of a stem entry spills out of its cache line");

int grille_stem__init(grille_analyser *a, grille_error *err)
{
    a->stemmer = sb_stemmer_new("french", "UTF_8");
    if (!a->stemmer)
        return grille__error(err, GRILLE_ENOMEM, NULL, 0, 0, "%s",
                             _("cannot create the Snowball French stemmer"));
    return 0;
}

static void cache_clear(stem_cache *c)
{
    arena_chunk *k = c->chunks;
    while (k) {
        arena_chunk *next = k->next;
        free(k);
        k = next;
    }
    free(c->slots);
    memset(c, 0, sizeof(*c));
}

void grille_stem__free(grille_analyser *a)
{
    cache_clear(&a->cache);
    if (a->stemmer)
        sb_stemmer_delete(a->stemmer);
    a->stemmer = NULL;
}

void grille_stem__trim(grille_analyser *a)
{
    if (a->cache.bytes > CACHE_BUDGET)
        cache_clear(&a->cache);
}

/* n bytes aligned on `align` (8 or 64, a cache line) from the arena. */
static char *arena_alloc_aligned(stem_cache *c, size_t n, size_t align)
{
    n = (n + 7) & ~(size_t)7; /* keep every block aligned */
    arena_chunk *k = c->chunks;
    size_t pad = 0;
    if (k)
        pad = -(uintptr_t)(k->data + k->used) & (align - 1);
    if (!k || k->size - k->used < n + pad) {
        size_t size = n + align > CHUNK_SIZE ? n + align : CHUNK_SIZE;
        k = malloc(sizeof(*k) + size);
        if (!k)
            return NULL;
        k->size = size;
        k->used = 0;
        k->next = c->chunks;
        c->chunks = k;
        c->bytes += size;
        pad = -(uintptr_t)k->data & (align - 1);
    }
    char *p = k->data + k->used + pad;
    k->used += pad + n;
    return p;
}

static char *arena_alloc(stem_cache *c, size_t n)
{
    return arena_alloc_aligned(c, n, 8);
}

/* A copy of s, padded with zeros to its block's end (a multiple of
 * eight), so that it can be compared eight bytes at a time. */
static char *arena_copy(stem_cache *c, const char *s, size_t n)
{
    char *p = arena_alloc(c, n + 1);
    if (p) {
        memcpy(p, s, n);
        memset(p + n, 0, ((n + 8) & ~(size_t)7) - n);
    }
    return p;
}

static int cache_resize(stem_cache *c)
{
    size_t n = c->nslots ? c->nslots * 2 : 1024;
    stem_slot *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return GRILLE_ENOMEM;
    if (!c->addr) {
#if UINTPTR_MAX > 0xFFFFFFFFu
        c->addr = ((uintptr_t)1 << 48) - 1;
#else
        c->addr = UINTPTR_MAX;
#endif
    }
    for (size_t i = 0; i < c->nslots; i++) {
        if (!c->slots[i])
            continue;
        /* the low half of the hash, in the entry, places it */
        size_t j = grille_stem__slot_entry(c, c->slots[i])->hash & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = slots;
    c->nslots = n;
    c->bytes += n * sizeof(*slots) / 2;
    return 0;
}

/* Stores entry e in free slot j. */
static void slot_set(stem_cache *c, size_t j, stem_entry *e, uint64_t h)
{
    if ((uintptr_t)e & ~c->addr) {
        /* an address with its top bits set: no more tags */
        for (size_t i = 0; i < c->nslots; i++)
            c->slots[i] &= c->addr;
        c->addr = UINTPTR_MAX;
    }
    c->slots[j] = (uintptr_t)e | grille_stem__slot_tag(c, h);
}

/* Folds `s` into the arena (lowercase input: only accents and ligatures
 * change). */
static char *fold_copy(grille_analyser *a, const char *s, size_t n,
                       uint32_t *out_len)
{
    gbuf *b = &a->scratch2;
    b->len = 0;
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = false;
    if (ascii) {
        *out_len = (uint32_t)n;
        return arena_copy(&a->cache, s, n);
    }
    if (grille__fold(b, s, n) < 0 || gbuf_put(b, "", 0) < 0)
        return NULL;
    *out_len = (uint32_t)b->len;
    return arena_copy(&a->cache, b->data, b->len);
}

void *grille_stem__alloc(grille_analyser *a, size_t n)
{
    return arena_alloc(&a->cache, (n + 7) & ~(size_t)7);
}

/* Whether entry e is the word `lower` of len bytes, padded with zeros to
 * a multiple of eight.  The entry's strings are padded too: whole words
 * compare, the first ones in the entry's head. */
static inline bool same_word(const stem_entry *e, const char *lower,
                             size_t len, int kind)
{
    if (e->len_kind != STEM_KIND(len, kind))
        return false;
    size_t k = 0;
    for (; k < len && k < STEM_HEAD; k += 8)
        if (e->head[k / 8] != grille_stem__load64(lower + k))
            return false;
    for (; k < len; k += 8)
        if (grille_stem__load64(e->lower + k) != grille_stem__load64(lower + k))
            return false;
    return true;
}

/* Entry e's second stem (stem_entry.stem2), `s` in the cache's arena. */
static void set_stem2(stem_entry *e, const char *s, uint32_t n, bool shorter)
{
    e->stem2 = s;
    e->stem2_len = n;
    e->stem2_short = shorter;
    e->stem2_hash = grille__hash(s, n);
    e->stem2_hi = (uint32_t)(e->stem2_hash >> 32);
}

/*
 * A word written without its accents whose end is a past participle's
 * feminine, "fermee", "fermees", "creee": Snowball stems it as another
 * word (ferme, where "fermée" and "fermé" are ferm), so that the term
 * "fermé" missed "la mairie fermee".  In French a word's final "ee" is
 * "ée" (année, idée, entrée), "eee" "éée" (créée): the stem of the word
 * so written is its second stem, as a word's without its accents is
 * (e->stem2, not a shorter one kept apart: it is the word's own).  0, or
 * GRILLE_ENOMEM.
 */
static int restored_stem(grille_analyser *a, const char *lower, size_t len,
                         stem_entry *e)
{
    size_t end = len && lower[len - 1] == 's' ? len - 1 : len;
    size_t run = 0;
    while (run < end && run < 4 && lower[end - 1 - run] == 'e')
        run++;
    if (run < 2 || run > 3 || end - run == 0)
        return 0;
    /* each e of the run but the last as é (two bytes) */
    char word[MAX_STEM_INPUT + 4];
    size_t at = end - run, n = at;
    memcpy(word, lower, at);
    for (size_t k = 0; k + 1 < run; k++) {
        word[n++] = (char)0xc3;
        word[n++] = (char)0xa9;
    }
    word[n++] = 'e';
    if (end < len)
        word[n++] = 's';
    const sb_symbol *st =
        sb_stemmer_stem(a->stemmer, (const sb_symbol *)word, (int)n);
    if (!st)
        return GRILLE_ENOMEM;
    uint32_t sl;
    char *folded =
        fold_copy(a, (const char *)st, (size_t)sb_stemmer_length(a->stemmer),
                  &sl);
    if (!folded)
        return GRILLE_ENOMEM;
    if (sl != e->stem_len || memcmp(folded, e->stem, sl))
        set_stem2(e, folded, sl, false);
    return 0;
}

stem_entry *grille_stem__lookup(grille_analyser *a, const char *lower,
                                size_t len, int kind)
{
    stem_cache *c = &a->cache;
    if (len > UINT32_MAX / 2)
        len = UINT32_MAX / 2;
    uint64_t h = grille_stem__hash(lower, len, kind, false);
    if ((c->count + 1) * 2 > c->nslots && cache_resize(c) < 0)
        return NULL;
    size_t mask = c->nslots - 1;
    size_t j = h & mask;
    for (; c->slots[j]; j = (j + 1) & mask) {
        stem_entry *e = grille_stem__slot_entry(c, c->slots[j]);
        if (e->hash == (uint32_t)h && e->len_kind == STEM_KIND(len, kind) &&
            memcmp(e->lower, lower, len) == 0)
            return e;
    }
    /* the entry's head on a cache line of its own, its word after it */
    stem_entry *stored =
        (stem_entry *)(void *)arena_alloc_aligned(c, sizeof(stem_entry), 64);
    if (!stored)
        return NULL;
    stem_entry e = {0};
    e.hash = (uint32_t)h;
    e.len_kind = STEM_KIND(len, kind);
    e.lower = arena_copy(c, lower, len);
    if (!e.lower)
        return NULL;
    memcpy(e.head, e.lower, len < STEM_HEAD ? ((len + 7) & ~(size_t)7)
                                            : STEM_HEAD);
    e.key = fold_copy(a, lower, len, &e.key_len);
    if (!e.key)
        return NULL;
    if (kind == 0 && len <= MAX_STEM_INPUT) {
        const sb_symbol *st =
            sb_stemmer_stem(a->stemmer, (const sb_symbol *)lower, (int)len);
        if (!st)
            return NULL;
        int n = sb_stemmer_length(a->stemmer);
        e.stem = fold_copy(a, (const char *)st, (size_t)n, &e.stem_len);
        if (!e.stem)
            return NULL;
    } else {
        e.stem = e.key;
        e.stem_len = e.key_len;
    }
    e.stem_hash = grille__hash(e.stem, e.stem_len);
    e.stem_hi = (uint32_t)(e.stem_hash >> 32);
    e.stem2_hi = e.stem_hi;
    e.accented = e.key_len != len || memcmp(e.key, lower, len) != 0;
    if (kind == 0 && len <= MAX_STEM_INPUT && e.accented) {
        /* accents or a ligature: the stem of the word without them too */
        const sb_symbol *st = sb_stemmer_stem(
            a->stemmer, (const sb_symbol *)e.key, (int)e.key_len);
        if (!st)
            return NULL;
        size_t n = (size_t)sb_stemmer_length(a->stemmer);
        /* a shorter one is kept apart: Snowball cuts some words further
         * without their accents (communiqué, communiqu, but communique,
         * commun, the stem of commune), and "commune" would code
         * communiqué (stem2_short, match.c) */
        if (n != e.stem_len || memcmp(st, e.stem, n)) {
            char *s2 = arena_copy(c, (const char *)st, n);
            if (!s2)
                return NULL;
            set_stem2(&e, s2, (uint32_t)n, n < e.stem_len);
        }
    }
    if (kind == 0 && !e.accented && len <= MAX_STEM_INPUT &&
        restored_stem(a, lower, len, &e) < 0)
        return NULL;
    *stored = e;
    slot_set(c, j, stored, h);
    c->count++;
    return stored;
}

stem_entry *grille_stem__lookup_padded(grille_analyser *a, const char *lower,
                                       size_t len, int kind)
{
    stem_cache *c = &a->cache;
    uint64_t h = grille_stem__hash(lower, len, kind, true);
    if (c->nslots) {
        size_t mask = c->nslots - 1;
        uintptr_t tag = grille_stem__slot_tag(c, h);
        for (size_t j = h & mask; c->slots[j]; j = (j + 1) & mask) {
            stem_entry *e = grille_stem__slot_entry(c, c->slots[j]);
            if ((c->slots[j] & ~c->addr) == tag && e->hash == (uint32_t)h &&
                same_word(e, lower, len, kind))
                return e;
        }
    }
    return grille_stem__lookup(a, lower, len, kind);
}

int grille_analyser_stem(grille_analyser *a, const char *word, size_t len,
                         const char **out, size_t *out_len)
{
    gbuf *b = &a->scratch;
    b->len = 0;
    if (grille__lower_str(b, word, len, false) < 0 || gbuf_put(b, "", 0) < 0)
        return GRILLE_ENOMEM;
    const stem_entry *e = grille_stem__lookup(a, b->data, b->len, 0);
    if (!e)
        return GRILLE_ENOMEM;
    *out = e->stem;
    *out_len = e->stem_len;
    return 0;
}

int grille_analyser_snowball(grille_analyser *a, const char *word, size_t len,
                             const char **out, size_t *out_len)
{
    const sb_symbol *st =
        sb_stemmer_stem(a->stemmer, (const sb_symbol *)word, (int)len);
    if (!st)
        return GRILLE_ENOMEM;
    *out = (const char *)st;
    *out_len = (size_t)sb_stemmer_length(a->stemmer);
    return 0;
}
