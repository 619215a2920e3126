/*
 * match.c - coding a tokenised document with a compiled codebook.
 *
 * Segment by segment: each token is looked up once in the codebook's
 * indexes (its stem, its elision key, its surface form, and the globs), and
 * every sequence whose first element it meets is followed over the next
 * tokens: compound parts are stepped over, an elision in the text is
 * transparent unless the term asks for one, and punctuation (the BREAK
 * flag) ends a phrase.  Regex rules run on the segment's text.  A
 * proximity rule pairs an occurrence of its left side with the nearest
 * occurrence of its right side at most N words away.  Exclusions mask the
 * spans they match for their theme and its sub-themes; a hit touching a
 * masked span is dropped.  Finally, within one code, overlapping hits
 * collapse to the longest.  Codings come out ordered by segment, start,
 * code.
 */
#include "analyser.h"
#include "codebook.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* segment's starts pass reads an entry's mcb and ncands as one word */
_Static_assert(offsetof(stem_entry, ncands) ==
                   offsetof(stem_entry, mcb) + sizeof(uint32_t),
               "stem_entry: ncands right after mcb");

typedef struct occ {
    size_t seq;
    size_t start, end;
    uint32_t pos_first, pos_last;
} occ;

typedef struct hit {
    size_t code, rule, start, end;
    /* a proximity's: the words between its A and its B, [gap0, gap1),
     * which an exclusion may touch without masking it (its sides only
     * are its words); gap0 == gap1 for the other hits */
    size_t gap0, gap1;
} hit;

/* Kept hits of one code in one segment compared pair by pair, up to this
 * many. */
#define MAP_PAST 8

typedef struct mask {
    size_t code, start, end;
} mask;

/* An occurrence of a proximity's B: its rule, its first word, its index
 * in occs. */
typedef struct nearb {
    size_t rule;
    uint32_t pos_first, k;
} nearb;

/* A sub-theme's kept coding, as its theme sees it. */
typedef struct span {
    size_t start, end;
    size_t next; /* SIZE_MAX: the last */
} span;

struct match_state {
    pcre2_match_data *md;
    unsigned char *taken; /* bytes of the segment taken by a kept hit */
    size_t taken_cap;
    mask *masks;          /* sorted by code, then start */
    size_t nmasks, masks_cap;
    uint32_t *mask_occ;   /* the exclusions' occurrences in occs */
    size_t nmask_occ, mask_occ_cap;
    unsigned char *occ_masked; /* per occurrence: 0 not known yet, 1 an
                                  exclusion masks it, 2 none does */
    size_t occ_masked_cap;
    size_t *maxend;       /* running maximum of the masks' ends */
    size_t maxend_cap;
    size_t *mgroups; /* where each code's masks start in masks, then nmasks */
    size_t nmgroups, mgroups_cap;
    nearb *nearbs; /* the proximities' B occurrences (pair_near) */
    size_t nearbs_cap;
    uint32_t *cands;
    size_t cands_cap;
    uint32_t *starts; /* the tokens of a segment that may start a match */
    size_t starts_cap;
    occ *occs;
    size_t nocc, occ_cap;
    hit *hits;
    size_t nhits, hits_cap;
    gbuf label; /* a turn's speaker, folded */
    /* a theme's hits within its sub-themes' codings (nested_*): per code,
     * the stamp of the last segment it had hits in, and the first of the
     * spans its sub-themes kept there (a list through span.next) */
    uint32_t *code_seg;
    size_t *code_spans;
    size_t code_seg_cap, code_spans_cap;
    uint32_t seg_serial;
    span *spans;
    size_t nspans, spans_cap;
    span *within; /* one code's, sorted by start */
    size_t within_cap;
};

void grille_match__free(grille_analyser *a)
{
    struct match_state *m = a->match;
    if (!m)
        return;
    if (m->md)
        pcre2_match_data_free(m->md);
    free(m->occs);
    free(m->hits);
    free(m->cands);
    free(m->starts);
    free(m->taken);
    free(m->label.data);
    free(m->masks);
    free(m->maxend);
    free(m->mask_occ);
    free(m->occ_masked);
    free(m->mgroups);
    free(m->nearbs);
    free(m->code_seg);
    free(m->code_spans);
    free(m->spans);
    free(m->within);
    free(m);
    a->match = NULL;
}

static bool same_stem(const char *a, size_t an, uint64_t ah, const char *b,
                      size_t bn, uint64_t bh)
{
    return a && b && ah == bh && an == bn && memcmp(a, b, an) == 0;
}

static bool starts_with(const char *s, size_t n, const char *p, size_t pn)
{
    return pn <= n && memcmp(s, p, pn) == 0;
}

/*
 * A term's word e and a text's word en, one of them written without its
 * accents, the other's stem without them shorter than its own
 * (stem1_short, stem2_short): "acces" meets the term "accès" (acces, and
 * acce without its accent) for its key starts with acces, and "associes"
 * meets "associé" (associ, assoc); "commune" (commun) does not meet
 * "communiqué" (communiqu, commun), nor "accent" "accès", nor two words
 * both written with their accents ("délais", del, and "delà", delà and
 * del without it).  Out of line: few words have such a stem.
 */
static bool word_match_short(const cb_elem *e, const stem_entry *en)
{
    /* the term's shorter stem, the text's word without accents that
     * starts as the term's stem */
    if (e->stem1_short && !en->accented &&
        same_stem(e->stem[1], e->stem_len[1], e->stem_hash[1], en->stem,
                  en->stem_len, en->stem_hash) &&
        starts_with(en->key, en->key_len, e->stem[0], e->stem_len[0]))
        return true;
    /* the word's shorter stem, the term typed without accents that
     * starts as the word's stem */
    return en->stem2_short && e->unaccented && e->text &&
           same_stem(e->stem[0], e->stem_len[0], e->stem_hash[0], en->stem2,
                     en->stem2_len, en->stem2_hash) &&
           starts_with(e->text, e->text_len, en->stem, en->stem_len);
}

/* Whether a term's word e meets the text's word of entry en (its stems
 * are the token's). */
static inline __attribute__((always_inline)) bool
word_match(const cb_elem *e, const stem_entry *en)
{
    /* either stem of the term's word, either of the text's (each with
     * and without accents; a shorter one without them on a condition) */
    for (int k = 0; k < 2; k++)
        if (e->stem[k] && !(k && e->stem1_short) &&
            ((e->stem_hash[k] == en->stem_hash &&
              e->stem_len[k] == en->stem_len &&
              memcmp(e->stem[k], en->stem, en->stem_len) == 0) ||
             (en->stem2 && !en->stem2_short &&
              e->stem_hash[k] == en->stem2_hash &&
              e->stem_len[k] == en->stem2_len &&
              memcmp(e->stem[k], en->stem2, en->stem2_len) == 0)))
            return true;
    return (e->stem1_short || en->stem2_short) && word_match_short(e, en);
}

/* Inlined in follow_rest's loop over the elements, its one hot caller:
 * the call and the switch's frame were a third of its cost. */
static inline __attribute__((always_inline)) bool
elem_match(const cb_elem *e, const grille_token *t, const stem_entry *en,
           const char *text)
{
    switch (e->kind) {
    case ELEM_WORD:
        return t->kind != GRILLE_TOK_ELISION && word_match(e, en);
    case ELEM_ELISION:
        return t->kind == GRILLE_TOK_ELISION && e->text_len == t->key_len &&
               memcmp(e->text, t->key, t->key_len) == 0;
    case ELEM_GLOB:
        return t->kind != GRILLE_TOK_ELISION &&
               grille__glob(e->text, e->text_len, t->key, t->key_len);
    case ELEM_EXACT:
        return e->text_len == t->end - t->start &&
               memcmp(e->text, text + t->start, e->text_len) == 0;
    case ELEM_KEY:
        return t->kind != GRILLE_TOK_ELISION && e->text_len == t->key_len &&
               (!e->compound_only ||
                (t->flags & (GRILLE_TOKF_COMPOUND | GRILLE_TOKF_NAME))) &&
               memcmp(e->text, t->key, t->key_len) == 0;
    }
    return false;
}

/* The next token after i that is not a compound part, or n. */
static size_t next_main(const grille_token *tk, size_t n, size_t i)
{
    i++;
    while (i < n && (tk[i].flags & GRILLE_TOKF_PART))
        i++;
    return i;
}

/* Follows sequence s on from its element e, token j having matched the
 * one before it; returns the index of its last token, or SIZE_MAX. */
static inline __attribute__((always_inline)) size_t
follow_on(const cb_seq *s, const grille_token *tk, stem_entry *const *ent,
          size_t n, size_t j, size_t e, const char *text)
{
    for (; e < s->n; e++) {
        size_t k = next_main(tk, n, j);
        if (k < n && tk[k].kind == GRILLE_TOK_ELISION &&
            s->elems[e].kind != ELEM_ELISION &&
            !(tk[k].flags & GRILLE_TOKF_BREAK))
            k = next_main(tk, n, k);
        if (k >= n || (tk[k].flags & GRILLE_TOKF_BREAK) ||
            !elem_match(&s->elems[e], &tk[k], ent[k], text))
            return SIZE_MAX;
        j = k;
    }
    return j;
}

/* Follows sequence s from token i, whose first element is known to match;
 * returns the index of its last token, or SIZE_MAX when it does not match
 * there. */
static size_t follow_rest(const cb_seq *s, const grille_token *tk,
                          stem_entry *const *ent, size_t n, size_t i,
                          const char *text)
{
    if (s->n == 1)
        return i;
    if (tk[i].flags & GRILLE_TOKF_PART)
        return SIZE_MAX;
    return follow_on(s, tk, ent, n, i, 1, text);
}

/* follow_rest from the second element, whose token k try_cands found
 * (the next main token, or the one after an elision there, as the
 * element's kind asks) and tested: within the segment, no break.  Its
 * first token is no compound's part, and the sequence has two elements
 * at least. */
static size_t follow_second(const cb_seq *s, const grille_token *tk,
                            stem_entry *const *ent, size_t n, size_t k,
                            const char *text)
{
    if (!elem_match(&s->elems[1], &tk[k], ent[k], text))
        return SIZE_MAX;
    return follow_on(s, tk, ent, n, k, 2, text);
}

static size_t follow(const cb_seq *s, const grille_token *tk,
                     stem_entry *const *ent, size_t n, size_t i,
                     const char *text)
{
    if (!elem_match(&s->elems[0], &tk[i], ent[i], text))
        return SIZE_MAX;
    return follow_rest(s, tk, ent, n, i, text);
}

/* Inlined: called for every occurrence (a third of a million on 2,000
 * notes), the call and its frame cost more than the stores. */
static inline __attribute__((always_inline)) int
add_occ(struct match_state *m, size_t seq, const grille_token *a,
        const grille_token *b)
{
    if (GROW(m->occs, m->occ_cap, m->nocc + 1) < 0)
        return GRILLE_ENOMEM;
    occ *o = &m->occs[m->nocc++];
    o->seq = seq;
    o->start = a->start;
    o->end = b->end;
    o->pos_first = a->pos;
    o->pos_last = b->pos;
    return 0;
}

/*
 * Follows the sequences whose first element token i meets (its entry's
 * candidates).  The token that a second element must match is the same
 * for every candidate (the next main token, or the one after an elision
 * there), so a word element is checked on its stems' hashes before the
 * sequence is followed: most candidates of a frequent first word ("à",
 * "de") stop there.  Inlined in segment's loop over the starts, which
 * has n, tk, ent and text in registers already: called, it spilled them
 * (26 M instructions more on 2,000 notes).
 */
static inline __attribute__((always_inline)) int
try_cands(struct match_state *m, const grille_codebook *cb, const stem_entry *e,
          const grille_token *tk, stem_entry *const *ent, size_t n, size_t i,
          const char *text)
{
    size_t k1 = next_main(tk, n, i), k1e = k1;
    if (k1 < n && tk[k1].kind == GRILLE_TOK_ELISION &&
        !(tk[k1].flags & GRILLE_TOKF_BREAK))
        k1e = next_main(tk, n, k1);
    bool part = tk[i].flags & GRILLE_TOKF_PART;
    /* whether the next word may be the second word of any candidate: a
     * bit per stem hash, so that "a" or "service", the first words of
     * many phrases, are mostly passed with one test */
    bool word_ok = !part && k1e < n && !(tk[k1e].flags & GRILLE_TOKF_BREAK) &&
                   (e->bloom & (STEM_BIT(ent[k1e]->stem_hi) |
                                STEM_BIT(ent[k1e]->stem2_hi)));
    if (!word_ok && e->nword == e->ncands)
        return 0;
    for (uint32_t c = 0; c < e->ncands; c++) {
        const stem_cand *x = &e->cands[c];
        size_t j = i;
        if (__builtin_expect(x->next == NEXT_COMPOUND, 0)) {
            /* a hyphenated word: a compound, or a name ("Gestes-Barrières") */
            if (!(tk[i].flags & (GRILLE_TOKF_COMPOUND | GRILLE_TOKF_NAME)))
                continue;
        } else if (x->next != NEXT_NONE) {
            if (part || (x->next == ELEM_WORD && !word_ok))
                continue;
            size_t k = x->next == ELEM_ELISION ? k1 : k1e;
            if (k >= n || (tk[k].flags & GRILLE_TOKF_BREAK) ||
                (x->next == ELEM_WORD && ent[k]->stem_hi != x->hash[0] &&
                 ent[k]->stem_hi != x->hash[1] &&
                 ent[k]->stem2_hi != x->hash[0] &&
                 ent[k]->stem2_hi != x->hash[1]))
                continue;
            /* the second element's token found above, not again */
            j = follow_second(&cb->seqs[x->seq], tk, ent, n, k, text);
            if (j == SIZE_MAX)
                continue;
        }
        if (add_occ(m, x->seq, &tk[i], &tk[j]) < 0)
            return GRILLE_ENOMEM;
    }
    return 0;
}

static int try_seqs(struct match_state *m, const grille_codebook *cb,
                    const smap_entry *e, const grille_token *tk,
                    stem_entry *const *ent, size_t n, size_t i,
                    const char *text)
{
    if (!e)
        return 0;
    for (size_t k = 0; k < e->n; k++) {
        size_t j = follow(&cb->seqs[e->seqs[k]], tk, ent, n, i, text);
        if (j != SIZE_MAX && add_occ(m, e->seqs[k], &tk[i], &tk[j]) < 0)
            return GRILLE_ENOMEM;
    }
    return 0;
}

/* try_seqs of the sequences that index `map` gives for key s[0, len). */
static int try_map(struct match_state *m, const grille_codebook *cb,
                   const smap *map, const char *s, size_t len,
                   const grille_token *tk, stem_entry *const *ent, size_t n,
                   size_t i, const char *text)
{
    return try_seqs(m, cb, grille__smap_get(map, s, len, grille__hash(s, len)),
                    tk, ent, n, i, text);
}

/* try_map of by_stem for the stem without accents of token i, but the
 * sequences its stem gave already (try_map above). */
static int try_map_new(struct match_state *m, const grille_codebook *cb,
                       const char *s, size_t len, const grille_token *t,
                       const grille_token *tk, stem_entry *const *ent,
                       size_t n, size_t i, const char *text)
{
    const smap_entry *e = grille__smap_get(&cb->by_stem, s, len,
                                           grille__hash(s, len));
    const smap_entry *had = grille__smap_get(
        &cb->by_stem, t->stem, t->stem_len, grille__hash(t->stem, t->stem_len));
    for (size_t k = 0; e && k < e->n; k++) {
        bool seen = false;
        for (size_t q = 0; had && q < had->n && !seen; q++)
            seen = had->seqs[q] == e->seqs[k];
        if (seen)
            continue;
        size_t j = follow(&cb->seqs[e->seqs[k]], tk, ent, n, i, text);
        if (j != SIZE_MAX && add_occ(m, e->seqs[k], &tk[i], &tk[j]) < 0)
            return GRILLE_ENOMEM;
    }
    return 0;
}

/*
 * The sequences whose first element a word meets, computed once per
 * distinct word (cache entry) and codebook: the stem (or elision key) in
 * the hash index, then every glob against the word's key.  Exact forms
 * depend on the surface, not on the entry, and are looked up per token.
 */
static int entry_cands(grille_analyser *a, const grille_codebook *cb,
                       stem_entry *e, bool elision)
{
    struct match_state *m = a->match;
    size_t n = 0;
    const smap_entry *idx =
        elision ? (cb->by_key.count
                       ? grille__smap_get(&cb->by_key, e->key, e->key_len,
                                          grille__hash(e->key, e->key_len))
                       : NULL)
                : grille__smap_get(&cb->by_stem, e->stem, e->stem_len,
                                   grille__hash(e->stem, e->stem_len));
    /* a hyphenated word of the codebook, by its key */
    const smap_entry *wk =
        !elision && cb->by_wkey.count
            ? grille__smap_get(&cb->by_wkey, e->key, e->key_len,
                               grille__hash(e->key, e->key_len))
            : NULL;
    /* the word's stem without its accents: the terms typed without them
     * ("securite" for sécurité), those its first stem did not give */
    const smap_entry *idx2 =
        !elision && e->stem2
            ? grille__smap_get(&cb->by_stem, e->stem2, e->stem2_len,
                               grille__hash(e->stem2, e->stem2_len))
            : NULL;
    size_t need = (idx ? idx->n : 0) + (idx2 ? idx2->n : 0) +
                  (wk ? wk->n : 0) + (elision ? 0 : cb->nglobs);
    if (GROW(m->cands, m->cands_cap, need + 1) < 0)
        return GRILLE_ENOMEM;
    /* the index holds the terms' shorter stems too (stem1_short), and
     * a word's shorter stem meets a term on a condition: checked here
     * once for the entry */
    for (size_t k = 0; idx && k < idx->n; k++)
        if (elision || word_match(&cb->seqs[idx->seqs[k]].elems[0], e))
            m->cands[n++] = (uint32_t)idx->seqs[k];
    for (size_t k = 0; idx2 && k < idx2->n; k++) {
        bool had = false;
        for (size_t q = 0; idx && q < idx->n && !had; q++)
            had = idx->seqs[q] == idx2->seqs[k];
        if (!had && word_match(&cb->seqs[idx2->seqs[k]].elems[0], e))
            m->cands[n++] = (uint32_t)idx2->seqs[k];
    }
    for (size_t k = 0; wk && k < wk->n; k++)
        m->cands[n++] = (uint32_t)wk->seqs[k];
    /* a glob that starts with a letter matches only keys that start
     * with it: most globs, for most words, at one comparison of a byte
     * of glob_first (a key's first byte is never 0) */
    unsigned char k0 = e->key_len ? (unsigned char)e->key[0] : 0;
    for (size_t g = 0; !elision && g < cb->nglobs; g++) {
        unsigned char first = cb->glob_first[g];
        if (first != k0 && first != '*' && first != '?')
            continue;
        const cb_elem *x = &cb->seqs[cb->globs[g]].elems[0];
        if (grille__glob(x->text, x->text_len, e->key, e->key_len))
            m->cands[n++] = (uint32_t)cb->globs[g];
    }
    e->nword = 0;
    e->bloom = 0;
    e->cands = n ? grille_stem__alloc(a, n * sizeof(stem_cand)) : NULL;
    if (n && !e->cands)
        return GRILLE_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        const cb_seq *s = &cb->seqs[m->cands[k]];
        stem_cand *x = &e->cands[k];
        x->seq = m->cands[k];
        x->next = s->n > 1                       ? (uint32_t)s->elems[1].kind
                  : s->elems[0].compound_only ? NEXT_COMPOUND
                                              : NEXT_NONE;
        x->hash[0] = x->hash[1] = 0;
        if (x->next == ELEM_WORD) {
            x->hash[0] = (uint32_t)(s->elems[1].stem_hash[0] >> 32);
            /* its stem without accents, a shorter one too: the filter
             * lets through what elem_match then checks */
            x->hash[1] = s->elems[1].stem[1]
                             ? (uint32_t)(s->elems[1].stem_hash[1] >> 32)
                             : x->hash[0];
            e->nword++;
            e->bloom |= STEM_BIT(x->hash[0]) | STEM_BIT(x->hash[1]);
        }
    }
    e->ncands = (uint32_t)n;
    e->mcb = cb->serial;
    return 0;
}


static int add_hit(struct match_state *m, size_t code, size_t rule,
                   size_t start, size_t end)
{
    if (GROW(m->hits, m->hits_cap, m->nhits + 1) < 0)
        return GRILLE_ENOMEM;
    m->hits[m->nhits++] = (hit){code, rule, start, end, 0, 0};
    return 0;
}

/* A proximity's hit: occurrence a of its A and b of its B, from the
 * first's start to the other's end, the words between them its gap. */
static int add_near_hit(struct match_state *m, size_t code, size_t rule,
                        const occ *a, const occ *b)
{
    const occ *x = a->start < b->start ? a : b, *y = x == a ? b : a;
    if (GROW(m->hits, m->hits_cap, m->nhits + 1) < 0)
        return GRILLE_ENOMEM;
    size_t end = a->end > b->end ? a->end : b->end;
    m->hits[m->nhits++] = (hit){code, rule, x->start, end,
                                x->end < y->start ? x->end : 0,
                                x->end < y->start ? y->start : 0};
    return 0;
}

/* Whether bytes [s, e) touch hit x's words: its whole span, or a
 * proximity's sides without the words between them. */
static inline bool touches_hit(const hit *x, size_t s, size_t e)
{
    if (x->gap0 < x->gap1)
        return (s < x->gap0 && x->start < e) || (s < x->end && x->gap1 < e);
    return s < x->end && x->start < e;
}

/* Whether r's literal is at p, ASCII letters in either case. */
static inline bool literal_at(const unsigned char *p, const cb_rule *r)
{
    const unsigned char *lit = (const unsigned char *)r->lit;
    for (size_t k = 0; k < r->lit_len; k++)
        if (p[k] != lit[k] &&
            !(lit[k] >= 'a' && lit[k] <= 'z' && p[k] == lit[k] - 32))
            return false;
    return true;
}

/* Whether s[0, len) holds r's literal, ASCII letters in either case: its
 * first and last bytes looked for together, sixteen starts at a time
 * (each byte with bit 0x20 set, which lowercases a capital and makes
 * some other bytes candidates that literal_at then turns down), the
 * candidates checked whole. */
static bool has_literal(const unsigned char *s, size_t len, const cb_rule *r)
{
    size_t n = r->lit_len;
    if (len < n)
        return false;
    size_t last = len - n; /* the last start */
    size_t i = 0;
#ifdef __SSE2__
    const __m128i bit = _mm_set1_epi8(0x20);
    const __m128i first = _mm_set1_epi8((char)(r->lit[0] | 0x20));
    const __m128i end = _mm_set1_epi8((char)(r->lit[n - 1] | 0x20));
    for (; i + 16 <= last + 1; i += 16) {
        __m128i a = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(s + i)), bit);
        __m128i b = _mm_or_si128(
            _mm_loadu_si128((const __m128i *)(const void *)(s + i + n - 1)),
            bit);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, end)));
        while (m) {
            if (literal_at(s + i + (size_t)__builtin_ctz(m), r))
                return true;
            m &= m - 1;
        }
    }
#endif
    for (; i <= last; i++)
        if (literal_at(s + i, r))
            return true;
    return false;
}

static int run_regex(grille_analyser *a, const grille_codebook *cb,
                     const cb_rule *r, size_t ri, const char *text,
                     const grille_segment *seg, const char *name,
                     grille_error *err)
{
    struct match_state *m = a->match;
    const unsigned char *subj = (const unsigned char *)text + seg->start;
    size_t len = seg->end - seg->start;
    size_t off = 0;
    /* a segment without the literal every match holds is not searched
     * (the reference searches them all) */
    if (r->lit_len && !a->reference && !has_literal(subj, len, r))
        return 0;
    while (off <= len) {
        /* the text is UTF-8, which the analyser checked (a decoded text
         * is): not again for each regex and segment (the check at each
         * match made a line of a million words take seconds a match;
         * once a segment, it was still a pass over it per regex) */
        int rc = pcre2_match(r->re, subj, len, off, PCRE2_NO_UTF_CHECK, m->md,
                             cb->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            return 0;
        if (rc < 0 && rc != 0) {
            char msg[256], buf[200];
            pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof(msg));
            int code = (rc == PCRE2_ERROR_MATCHLIMIT ||
                        rc == PCRE2_ERROR_DEPTHLIMIT ||
                        rc == PCRE2_ERROR_HEAPLIMIT ||
                        rc == PCRE2_ERROR_JIT_STACKLIMIT)
                           ? GRILLE_ELIMIT
                           : GRILLE_EINVALID;
            if (cb->from_pattern)
                grille__error(err, code, name, seg->line, 0,
                              _("the regex /%s/ stopped: %s; simplify it"),
                              grille__quote(buf, sizeof(buf), r->text,
                                            strlen(r->text)),
                              msg);
            else
                grille__error(err, code, name, seg->line, 0,
                              _("regex rule '%s' of theme '%s' (line %u of "
                                "codebook %s) stopped: %s; simplify the "
                                "regex"),
                              grille__quote(buf, sizeof(buf), r->text,
                                            strlen(r->text)),
                              cb->codes[r->code].id, r->line,
                              cb->source ? cb->source : "?", msg);
            if (err)
                err->detail = rc;
            return code;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        size_t s = ov[0], e = ov[1];
        if (e > s) {
            if (add_hit(m, r->code, ri, seg->start + s, seg->start + e) < 0)
                return grille__nomem(err);
            off = e;
        } else {
            /* an empty match: step one code point */
            off = e + 1;
            while (off < len && (subj[off] & 0xC0) == 0x80)
                off++;
        }
    }
    return 0;
}

/* Whether code c is `anc` or below it. */
static bool under(const grille_codebook *cb, size_t c, size_t anc)
{
    for (long k = (long)c; k >= 0; k = cb->codes[k].parent)
        if ((size_t)k == anc)
            return true;
    return false;
}

/* Whether an exclusion of `code` or of one of its ancestors overlaps
 * occurrence p. */
static bool masked_occ(const struct match_state *m, const grille_codebook *cb,
                       const occ *p, size_t code)
{
    for (size_t k = 0; k < m->nmask_occ; k++) {
        const occ *o = &m->occs[m->mask_occ[k]];
        const cb_seq *sq = &cb->seqs[o->seq];
        if (o->start < p->end && p->start < o->end &&
            under(cb, code, cb->rules[sq->rule].code))
            return true;
    }
    return false;
}

/* Hits by code, the longest first, then by start and rule. */
static inline bool hit_before(const hit *x, const hit *y)
{
    if (x->code != y->code)
        return x->code < y->code;
    size_t lx = x->end - x->start, ly = y->end - y->start;
    if (lx != ly)
        return lx > ly;
    if (x->start != y->start)
        return x->start < y->start;
    return x->rule < y->rule;
}

static int cmp_hit_len(const void *pa, const void *pb)
{
    const hit *x = pa, *y = pb;
    return hit_before(x, y) ? -1 : hit_before(y, x);
}


/* Sorts a few elements by insertion, inline, more with qsort: a segment
 * has a handful of hits, and a generic sort through a comparison
 * function cost a twelfth of tag's time for them (mispredicted calls).
 * The orders sorted here are total, so the result is qsort's. */
#define SORT_FEW(arr, n, cmp, before)                                      \
    do {                                                                   \
        if ((n) > 16) {                                                    \
            qsort((arr), (n), sizeof(*(arr)), (cmp));                      \
            break;                                                         \
        }                                                                  \
        for (size_t i_ = 1; i_ < (n); i_++) {                              \
            size_t j_ = i_;                                                \
            __typeof__(*(arr)) t_ = (arr)[i_];                             \
            for (; j_ > 0 && before(&t_, &(arr)[j_ - 1]); j_--)            \
                (arr)[j_] = (arr)[j_ - 1];                                 \
            (arr)[j_] = t_;                                                \
        }                                                                  \
    } while (0)

static int cmp_mask(const void *pa, const void *pb)
{
    const mask *x = pa, *y = pb;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The segment's masks (the occurrences listed in mask_occ), each once
 * with its code: sorted by code, then start, with the running maximum of
 * their ends within each code's (maxend), and where each code's start
 * (mgroups). */
static int build_masks(struct match_state *m, const grille_codebook *cb)
{
    m->nmasks = m->nmgroups = 0;
    if (!m->nmask_occ)
        return 0;
    if (GROW(m->masks, m->masks_cap, m->nmask_occ) < 0 ||
        GROW(m->maxend, m->maxend_cap, m->nmask_occ) < 0 ||
        GROW(m->mgroups, m->mgroups_cap, m->nmask_occ + 1) < 0)
        return GRILLE_ENOMEM;
    for (size_t k = 0; k < m->nmask_occ; k++) {
        const occ *o = &m->occs[m->mask_occ[k]];
        m->masks[m->nmasks++] =
            (mask){cb->rules[cb->seqs[o->seq].rule].code, o->start, o->end};
    }
    if (m->nmasks > 1)
        qsort(m->masks, m->nmasks, sizeof(mask), cmp_mask);
    for (size_t g = 0; g < m->nmasks;) {
        /* the masks of code mc: [g, ge) */
        size_t mc = m->masks[g].code, ge = g;
        for (; ge < m->nmasks && m->masks[ge].code == mc; ge++)
            m->maxend[ge] = ge > g && m->maxend[ge - 1] > m->masks[ge].end
                                ? m->maxend[ge - 1]
                                : m->masks[ge].end;
        m->mgroups[m->nmgroups++] = g;
        g = ge;
    }
    m->mgroups[m->nmgroups] = m->nmasks;
    return 0;
}

/* Whether a mask of code, or of one of its ancestors, touches [start,
 * end): a binary search in each masking code's masks. */
static bool masked_span(const struct match_state *m, const grille_codebook *cb,
                        size_t code, size_t start, size_t end)
{
    for (size_t gi = 0; gi < m->nmgroups; gi++) {
        size_t g = m->mgroups[gi], ge = m->mgroups[gi + 1];
        if (!under(cb, code, m->masks[g].code))
            continue;
        /* masks that start before the span ends... */
        size_t lo = g, hi = ge;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (m->masks[mid].start < end)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* ...and one of them ends after it starts */
        if (lo > g && m->maxend[lo - 1] > start)
            return true;
    }
    return false;
}

/* Drops the hits masked by an exclusion of their code or of an ancestor
 * (the masks built by build_masks). */
static void drop_masked(struct match_state *m, const grille_codebook *cb)
{
    if (!m->nmasks)
        return;
    size_t w = 0;
    for (size_t h = 0; h < m->nhits; h++) {
        const hit *x = &m->hits[h];
        bool masked = x->gap0 < x->gap1
                          ? masked_span(m, cb, x->code, x->start, x->gap0) ||
                                masked_span(m, cb, x->code, x->gap1, x->end)
                          : masked_span(m, cb, x->code, x->start, x->end);
        if (!masked)
            m->hits[w++] = *x;
    }
    m->nhits = w;
}

/*
 * A theme's hit that lies within a coding of one of its sub-themes is
 * dropped: the sub-theme's coding counts for the theme already (a hit on
 * a child counts for its parents), and "masques FFP2", coded by sante
 * (masques) and by sante/ffp2 (masques ffp2), was two hits of sante.  A
 * hit that reaches past the sub-theme's (a longer phrase, a proximity) is
 * kept, so that no word it codes is left uncoded.
 *
 * The codes are collapsed from the last to the first, so a code's
 * sub-themes (whose ids come after their theme's) are done before it: it
 * drops its hits within their codings before its own collapse (done
 * after, the collapse could give its words to a longer hit the drop then
 * takes away).  Each coding a code keeps is noted for each ancestor with
 * hits in the segment; an ancestor sorts its spans by start with the
 * running maximum of their ends, and tests each hit by a binary search:
 * no loop over every other coding.
 */

/* A new segment: the codes that have hits in it get this stamp. */
static int nested_begin(struct match_state *m, const grille_codebook *cb)
{
    size_t had = m->code_seg_cap;
    if (GROW(m->code_seg, m->code_seg_cap, cb->ncodes) < 0 ||
        GROW(m->code_spans, m->code_spans_cap, cb->ncodes) < 0)
        return GRILLE_ENOMEM;
    if (m->code_seg_cap > had)
        memset(m->code_seg + had, 0,
               (m->code_seg_cap - had) * sizeof(*m->code_seg));
    if (++m->seg_serial == 0) { /* stamps used up: anew */
        memset(m->code_seg, 0, m->code_seg_cap * sizeof(*m->code_seg));
        m->seg_serial = 1;
    }
    for (size_t h = 0; h < m->nhits; h++) {
        m->code_seg[m->hits[h].code] = m->seg_serial;
        m->code_spans[m->hits[h].code] = SIZE_MAX;
    }
    m->nspans = 0;
    return 0;
}

/* Code `code` kept [start, end): noted for its ancestors with hits. */
static int nested_kept(struct match_state *m, const grille_codebook *cb,
                       size_t code, size_t start, size_t end)
{
    for (long p = cb->codes[code].parent; p >= 0; p = cb->codes[p].parent) {
        if (m->code_seg[p] != m->seg_serial)
            continue;
        if (GROW(m->spans, m->spans_cap, m->nspans + 1) < 0)
            return GRILLE_ENOMEM;
        m->spans[m->nspans] = (span){start, end, m->code_spans[p]};
        m->code_spans[p] = m->nspans++;
    }
    return 0;
}

static int cmp_span(const void *pa, const void *pb)
{
    const span *x = pa, *y = pb;
    return x->start < y->start ? -1 : x->start > y->start;
}

static bool span_before(const span *x, const span *y)
{
    return x->start < y->start;
}

/* Drops the hits [h0, h1) of one code that lie within a span its
 * sub-themes kept; the others move up.  Returns the new end. */
static size_t nested_drop(struct match_state *m, size_t h0, size_t h1,
                          int *rc)
{
    size_t code = m->hits[h0].code, n = 0;
    for (size_t k = m->code_spans[code]; k != SIZE_MAX; k = m->spans[k].next)
        n++;
    if (!n)
        return h1;
    if (GROW(m->within, m->within_cap, n) < 0) {
        *rc = GRILLE_ENOMEM;
        return h1;
    }
    n = 0;
    for (size_t k = m->code_spans[code]; k != SIZE_MAX; k = m->spans[k].next)
        m->within[n++] = m->spans[k];
    SORT_FEW(m->within, n, cmp_span, span_before);
    for (size_t k = 1; k < n; k++) /* ends: their running maximum */
        if (m->within[k].end < m->within[k - 1].end)
            m->within[k].end = m->within[k - 1].end;
    size_t w = h0;
    for (size_t h = h0; h < h1; h++) {
        const hit *x = &m->hits[h];
        /* the spans that start at or before it... */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (m->within[mid].start <= x->start)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* ...and one of them ends at or after its end */
        if (!(lo > 0 && m->within[lo - 1].end >= x->end))
            m->hits[w++] = *x;
    }
    return w;
}

static int cmp_coding(const void *pa, const void *pb)
{
    const grille_coding *x = pa, *y = pb;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static bool coding_before(const grille_coding *x, const grille_coding *y)
{
    return cmp_coding(x, y) < 0;
}

/* Token i's matches through its entry's candidates (computed first
 * when they are not yet for this codebook, of serial `serial`). */
static inline __attribute__((always_inline)) int
try_entry(grille_analyser *a, struct match_state *m, const grille_codebook *cb,
          uint32_t serial, stem_entry *e, const grille_token *tk,
          stem_entry *const *ent, size_t n, size_t i, const char *text)
{
    int rc = 0;
    if (e->mcb != serial)
        rc = entry_cands(a, cb, e, tk[i].kind == GRILLE_TOK_ELISION);
    if (rc == 0 && e->ncands)
        rc = try_cands(m, cb, e, tk, ent, n, i, text);
    return rc;
}

/* Token i's matches as an exact form: its surface looked up. */
static int try_exact(struct match_state *m, const grille_codebook *cb,
                     const grille_token *tk, stem_entry *const *ent, size_t n,
                     size_t i, const char *text)
{
    const char *sf = text + tk[i].start;
    size_t sl = tk[i].end - tk[i].start;
    return try_seqs(m, cb,
                    grille__smap_get(&cb->by_surface, sf, sl,
                                     grille__hash(sf, sl)),
                    tk, ent, n, i, text);
}

/* Whether the text between two occurrences holds a mark that ends a
 * statement or a clause: . , ; : ! ?, a bracket, a slash, a dash (a
 * hyphen with a space beside it, – or —) or an ellipsis (…).  Not a
 * compound's hyphen, nor quotes or emphasis, which break no phrase. */
static bool punct_between(const char *text, const occ *x, const occ *y)
{
    size_t from = x->end < y->start ? x->end : y->end;
    size_t to = x->end < y->start ? y->start : x->start;
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c && strchr(".,;:!?()[]{}/", c))
            return true;
        if (c == '-' && ((i > from && text[i - 1] == ' ') ||
                         (i + 1 < to && text[i + 1] == ' ')))
            return true;
        if (c == 0xE2 && i + 2 < to && (unsigned char)text[i + 1] == 0x80 &&
            ((unsigned char)text[i + 2] == 0x93 ||
             (unsigned char)text[i + 2] == 0x94 ||
             (unsigned char)text[i + 2] == 0xA6))
            return true;
    }
    return false;
}

static int cmp_nearb(const void *pa, const void *pb)
{
    const nearb *x = pa, *y = pb;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->pos_first != y->pos_first)
        return x->pos_first < y->pos_first ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

/* The words between occurrences o and p, before or after it (1 for
 * neighbours); 0 when they share a word. */
static inline uint32_t word_gap(const occ *o, const occ *p)
{
    return p->pos_first > o->pos_last   ? p->pos_first - o->pos_last
           : o->pos_first > p->pos_last ? o->pos_first - p->pos_last
                                        : 0;
}

/* The B an A is paired with so far (pair_near), and how it was chosen. */
typedef struct near_best {
    const occ *best;
    uint32_t d; /* its distance in words */
    bool punct; /* punctuation between it and A */
    uint32_t k; /* its index in occs */
} near_best;

/* How far a B may be and still be chosen. */
static inline uint64_t near_limit(const near_best *w, const cb_rule *r)
{
    return w->best ? w->d : r->dist;
}

/* B occurrence e for A occurrence o of rule r: chosen over w's when
 * nearer, or as near with no punctuation where w's has some, or as near
 * and alike but found first in occs (as the plain loop would). */
static void near_consider(struct match_state *m, const grille_codebook *cb,
                          const char *text, const occ *o, const cb_rule *r,
                          const nearb *e, near_best *w)
{
    const occ *p = &m->occs[e->k];
    uint32_t d = word_gap(o, p);
    if (!d) /* the same words: not a proximity */
        return;
    if (d > r->dist || (w->best && d > w->d))
        return;
    if (m->nmasks) {
        /* looked at once per B (each B has one rule, one code) */
        if (!m->occ_masked[e->k])
            m->occ_masked[e->k] =
                masked_span(m, cb, r->code, p->start, p->end) ? 1 : 2;
        if (m->occ_masked[e->k] == 1)
            return;
    }
    bool punct = punct_between(text, o, p);
    if (!w->best || d < w->d ||
        (punct != w->punct ? !punct : e->k < w->k))
        *w = (near_best){p, d, punct, e->k};
}

/*
 * Each occurrence of a proximity's A with the nearest B of its rule,
 * before or after it, that no exclusion of the theme masks (the masks
 * built): the B at the fewest words; of two as near, the one with no
 * punctuation between it and A; of two alike, the first found.  The B's
 * are sorted by rule and first word, and each A looks from where it
 * stands, outwards, only as far as the best B so far: pairing each A
 * with every B took 9 s on a note of 80,000 "mairie fermée".  The
 * reference (segment) pairs them the plain way, with the same result.
 */
static int pair_near(struct match_state *m, const grille_codebook *cb,
                     const char *text)
{
    size_t nb = 0;
    uint32_t wide = 0; /* the most words a B spans, less one */
    if (GROW(m->nearbs, m->nearbs_cap, m->nocc + 1) < 0)
        return GRILLE_ENOMEM;
    for (size_t k = 0; k < m->nocc; k++) {
        const occ *p = &m->occs[k];
        const cb_seq *ps = &cb->seqs[p->seq];
        if (ps->role != ROLE_NEAR_B)
            continue;
        m->nearbs[nb++] = (nearb){ps->rule, p->pos_first, (uint32_t)k};
        if (p->pos_last - p->pos_first > wide)
            wide = p->pos_last - p->pos_first;
    }
    if (nb > 1)
        qsort(m->nearbs, nb, sizeof(nearb), cmp_nearb);
    const nearb *b = m->nearbs;
    for (size_t k = 0; k < m->nocc; k++) {
        const occ *o = &m->occs[k];
        const cb_seq *s = &cb->seqs[o->seq];
        if (s->role != ROLE_NEAR_A)
            continue;
        const cb_rule *r = &cb->rules[s->rule];
        /* split: the first B of the rule that starts after A */
        size_t lo = 0, hi = nb;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (b[mid].rule < s->rule ||
                (b[mid].rule == s->rule && b[mid].pos_first <= o->pos_last))
                lo = mid + 1;
            else
                hi = mid;
        }
        near_best best_so_far = {NULL, 0, false, 0}, *w = &best_so_far;
        /* the B's after A, the nearest first */
        for (size_t x = lo; x < nb && b[x].rule == s->rule; x++) {
            if (b[x].pos_first - o->pos_last > near_limit(w, r))
                break;
            near_consider(m, cb, text, o, r, &b[x], w);
        }
        /* then those before it, from the one that starts last: one that
         * spans more words may end nearer, up to `wide` more */
        for (size_t x = lo; x-- > 0 && b[x].rule == s->rule;) {
            uint64_t reach = (uint64_t)b[x].pos_first + wide;
            if (o->pos_first > reach &&
                o->pos_first - reach > near_limit(w, r))
                break;
            near_consider(m, cb, text, o, r, &b[x], w);
        }
        const occ *best = w->best;
        if (best && add_near_hit(m, r->code, s->rule, o, best) < 0)
            return GRILLE_ENOMEM;
    }
    return 0;
}

static int segment(grille_analyser *a, const grille_codebook *cb,
                   const char *text, size_t si, const char *name,
                   grille_error *err)
{
    struct match_state *m = a->match;
    const grille_segment *seg = &a->segs[si];
    /* no tokens yet in a new analyser (a first segment without a word):
     * no offset on NULL */
    const grille_token *tk = a->toks ? a->toks + seg->first_token : NULL;
    size_t n = seg->ntokens;
    m->nocc = m->nhits = 0;
    if (cb->nskip && seg->label_end > seg->label_start) {
        /* a turn of the interviewer's (skip_speakers): not coded */
        if (grille__speaker_key(&m->label, text + seg->label_start,
                                seg->label_end - seg->label_start) < 0)
            return grille__nomem(err);
        if (grille__skip_speaker(cb, m->label.data, m->label.len))
            return 0;
    }
    stem_entry *const *ent =
        a->tok_entry ? a->tok_entry + seg->first_token : NULL;
    /* The tokens that may start a match, listed without a branch: most
     * have nothing to look for, and testing each in the loop below
     * cost a mispredicted branch every few tokens.  Each is listed as
     * its index times two, plus one when its surface may be an exact
     * form: the filter is not computed again for the starts. */
    if (!a->reference && n <= UINT32_MAX / 2) {
        if (GROW(m->starts, m->starts_cap, n + 1) < 0)
            return grille__nomem(err);
        uint32_t *starts = m->starts;
        size_t nstarts = 0;
        /* in locals: the stores below could alias them */
        const uint32_t serial = cb->serial;
        const unsigned char *exact_first = cb->exact_first;
        const uint64_t exact_lens = cb->exact_lens;
        /* an entry with no candidates for this codebook, its mcb and
         * ncands read as one word: the serial, then 0 */
        const uint32_t none_pair[2] = {serial, 0};
        uint64_t none;
        memcpy(&none, none_pair, sizeof(none));
        for (size_t i = 0; i < n; i++) {
            const stem_entry *e = ent[i];
            const grille_token *t = &tk[i];
            unsigned char first = (unsigned char)text[t->start];
            size_t len = t->end - t->start;
            /* (no exact forms: exact_first is all zeros) */
            uint32_t exact = exact_first[first] &&
                             ((exact_lens >> (len < 63 ? len : 63)) & 1);
            starts[nstarts] = (uint32_t)i << 1 | exact;
            /* candidates not computed yet for this codebook, or some:
             * one load and one comparison */
            uint64_t pair;
            memcpy(&pair, &e->mcb, sizeof(pair));
            nstarts += (pair != none) | exact;
        }
        for (size_t q = 0; q < nstarts; q++) {
            size_t i = starts[q] >> 1;
            int rc = try_entry(a, m, cb, serial, ent[i], tk, ent, n, i, text);
            if (rc == 0 && (starts[q] & 1))
                rc = try_exact(m, cb, tk, ent, n, i, text);
            if (rc < 0)
                return grille__nomem(err);
        }
    } else {
        /* the reference, or a segment too long to list: every token */
        for (size_t i = 0; i < n; i++) {
            const grille_token *t = &tk[i];
            stem_entry *e = ent[i];
            int rc = 0;
            if (a->reference) {
                /* the plain way: every index and every glob, for every token */
                bool elision = t->kind == GRILLE_TOK_ELISION;
                rc = elision ? try_map(m, cb, &cb->by_key, t->key, t->key_len,
                                       tk, ent, n, i, text)
                             : try_map(m, cb, &cb->by_stem, t->stem,
                                       t->stem_len, tk, ent, n, i, text);
                if (rc == 0 && !elision && e->stem2)
                    rc = try_map_new(m, cb, e->stem2, e->stem2_len, t, tk, ent,
                                     n, i, text);
                if (rc == 0 && !elision)
                    rc = try_map(m, cb, &cb->by_wkey, t->key, t->key_len, tk,
                                 ent, n, i, text);
                for (size_t g = 0;
                     g < cb->nglobs && rc == 0 && t->kind != GRILLE_TOK_ELISION;
                     g++) {
                    size_t j =
                        follow(&cb->seqs[cb->globs[g]], tk, ent, n, i, text);
                    if (j != SIZE_MAX)
                        rc = add_occ(m, cb->globs[g], &tk[i], &tk[j]);
                }
            } else {
                rc = try_entry(a, m, cb, cb->serial, e, tk, ent, n, i, text);
            }
            if (rc == 0 && cb->by_surface.count &&
                (a->reference ||
                 grille__maybe_exact(cb, text + t->start, t->end - t->start)))
                rc = try_exact(m, cb, tk, ent, n, i, text);
            if (rc < 0)
                return grille__nomem(err);
        }
    }
    /* Terms are hits, in one pass over the occurrences that also lists
     * the exclusions' own and sees whether a proximity's A occurred;
     * only then are the sides paired, in a second pass, the exclusions
     * known: a B they mask is no partner.  Most segments have neither,
     * and nothing more is looked at.  The order of the hits does not
     * matter: they are sorted below on a total order, and two hits it
     * ties are the same. */
    size_t nmasks = 0;
    bool near = false;
    for (size_t k = 0; k < m->nocc; k++) {
        const occ *o = &m->occs[k];
        const cb_seq *s = &cb->seqs[o->seq];
        if (s->role == ROLE_HIT) {
            if (add_hit(m, cb->rules[s->rule].code, s->rule, o->start,
                        o->end) < 0)
                return grille__nomem(err);
        } else if (s->role == ROLE_MASK) {
            if (GROW(m->mask_occ, m->mask_occ_cap, nmasks + 1) < 0)
                return grille__nomem(err);
            m->mask_occ[nmasks++] = (uint32_t)k;
        } else {
            near |= s->role == ROLE_NEAR_A;
        }
    }
    m->nmask_occ = nmasks;
    if (nmasks) {
        if (GROW(m->occ_masked, m->occ_masked_cap, m->nocc + 1) < 0)
            return grille__nomem(err);
        memset(m->occ_masked, 0, m->nocc);
    }
    if (!a->reference && build_masks(m, cb) < 0)
        return grille__nomem(err);
    if (near && !a->reference && pair_near(m, cb, text) < 0)
        return grille__nomem(err);
    /* the plain way: each A against every B */
    for (size_t k = 0; near && a->reference && k < m->nocc; k++) {
        const occ *o = &m->occs[k];
        const cb_seq *s = &cb->seqs[o->seq];
        const cb_rule *r = &cb->rules[s->rule];
        if (s->role == ROLE_NEAR_A) {
            /* each occurrence of A with the nearest B, before or after
             * it (pairing B's too joined the A of one statement to the B
             * of the next, and the longest span then hid both pairs) */
            const seq_role other = ROLE_NEAR_B;
            const occ *best = NULL;
            uint32_t best_d = UINT32_MAX;
            for (size_t j = 0; j < m->nocc; j++) {
                const occ *p = &m->occs[j];
                const cb_seq *ps = &cb->seqs[p->seq];
                if (ps->rule != s->rule || ps->role != other)
                    continue;
                /* a B an exclusion of the theme masks pairs with no A: the
                 * pair would be masked, and a B further away that is not
                 * would be lost */
                if (nmasks) {
                    /* looked at once per B (each B has one rule, one
                     * code): not again for each A */
                    if (!m->occ_masked[j])
                        m->occ_masked[j] =
                            masked_occ(m, cb, p, r->code) ? 1 : 2;
                    if (m->occ_masked[j] == 1)
                        continue;
                }
                uint32_t d = word_gap(o, p);
                if (!d)
                    continue; /* the same words: not a proximity */
                /* at the same distance, the B of A's own statement: no
                 * punctuation between them ("Réunion à distance, puis
                 * réunions à distance": the second réunions with the
                 * distance after it, not the one before the comma) */
                if (d <= r->dist &&
                    (d < best_d ||
                     (d == best_d && punct_between(text, o, best) &&
                      !punct_between(text, o, p)))) {
                    best = p;
                    best_d = d;
                }
            }
            if (best && add_near_hit(m, r->code, s->rule, o, best) < 0)
                return grille__nomem(err);
        }
    }
    for (size_t k = 0; k < cb->nregexes; k++) {
        size_t ri = cb->regexes[k];
        int rc = run_regex(a, cb, &cb->rules[ri], ri, text, seg, name, err);
        if (rc < 0)
            return rc;
    }
    if (m->nhits == 0)
        return 0;
    /* Exclusions mask their theme and its sub-themes: per masking code,
     * the masks sorted by start with the running maximum of their ends,
     * so that a hit is checked by a binary search, not a loop. */
    if (cb->has_masks && a->reference) {
        /* the plain way: every hit against every exclusion */
        size_t w = 0;
        for (size_t h = 0; h < m->nhits; h++) {
            const hit *x = &m->hits[h];
            bool masked = false;
            for (size_t k = 0; k < m->nocc && !masked; k++) {
                const occ *o = &m->occs[k];
                const cb_seq *sq = &cb->seqs[o->seq];
                masked = sq->role == ROLE_MASK &&
                         touches_hit(x, o->start, o->end) &&
                         under(cb, x->code, cb->rules[sq->rule].code);
            }
            if (!masked)
                m->hits[w++] = *x;
        }
        m->nhits = w;
    } else if (cb->has_masks) {
        drop_masked(m, cb);
    }
    /* Within a code, overlapping hits collapse to the longest: the longest
     * first, each kept unless it touches a kept one.  A code keeps a few
     * hits in a segment, compared pair by pair; past MAP_PAST of them, the
     * bytes they take go into a map of the segment instead (a line of a
     * million coded words). */
    SORT_FEW(m->hits, m->nhits, cmp_hit_len, hit_before);
    size_t first = a->ncodings;
    size_t seglen = seg->end - seg->start;
    size_t had = m->taken_cap;
    if (GROW(m->taken, m->taken_cap, seglen + 1) < 0)
        return grille__nomem(err);
    if (m->taken_cap > had) /* the map starts, and stays, all zeros */
        memset(m->taken + had, 0, m->taken_cap - had);
    /* a theme after its sub-themes (see nested_drop): the codes from the
     * last to the first */
    bool nested = cb->nested_hits && m->nhits > 1;
    if (nested && nested_begin(m, cb) < 0)
        return grille__nomem(err);
    for (size_t g1 = m->nhits; g1 > 0;) {
        size_t code = m->hits[g1 - 1].code, g0 = g1, kept0 = a->ncodings;
        while (g0 > 0 && m->hits[g0 - 1].code == code)
            g0--;
        size_t end = g1;
        int rc = 0;
        if (nested && cb->codes[code].npatterns &&
            (end = nested_drop(m, g0, g1, &rc), rc < 0))
            return grille__nomem(err);
        g1 = g0;
        bool map = false;
        for (size_t h = g0; h < end; h++) {
            const hit *x = &m->hits[h];
            size_t s0 = x->start - seg->start, s1 = x->end - seg->start;
            bool overlap = false;
            if (map) {
                overlap = memchr(m->taken + s0, 1, s1 - s0) != NULL;
            } else {
                for (size_t k = kept0; k < a->ncodings && !overlap; k++) {
                    const grille_coding *c = &a->codings[k];
                    overlap = c->start < x->end && x->start < c->end;
                }
            }
            if (overlap)
                continue;
            if (!map && !a->reference && a->ncodings - kept0 >= MAP_PAST) {
                map = true;
                for (size_t k = kept0; k < a->ncodings; k++)
                    memset(m->taken + (a->codings[k].start - seg->start), 1,
                           a->codings[k].end - a->codings[k].start);
            }
            if (map)
                memset(m->taken + s0, 1, s1 - s0);
            if (GROW(a->codings, a->codings_cap, a->ncodings + 1) < 0 ||
                (nested && nested_kept(m, cb, code, x->start, x->end) < 0))
                return grille__nomem(err);
            a->codings[a->ncodings++] =
                (grille_coding){si, x->code, x->rule, x->start, x->end};
        }
        /* clear what this code took, for the next code */
        for (size_t k = kept0; map && k < a->ncodings; k++)
            memset(m->taken + (a->codings[k].start - seg->start), 0,
                   a->codings[k].end - a->codings[k].start);
    }
    if (a->ncodings - first > 1)
        SORT_FEW(a->codings + first, a->ncodings - first, cmp_coding,
                 coding_before);
    return 0;
}

int grille_match__begin(grille_analyser *a, const grille_codebook *cb,
                        grille_error *err)
{
    if (!a->match) {
        a->match = grille__calloc_lines(sizeof(*a->match));
        if (!a->match)
            return grille__nomem(err);
    }
    if (cb->nregexes && !a->match->md) {
        a->match->md = pcre2_match_data_create(1, NULL);
        if (!a->match->md)
            return grille__nomem(err);
    }
    a->ncodings = 0;
    return 0;
}

int grille_match__segment(grille_analyser *a, const grille_codebook *cb,
                          const char *text, size_t si, const char *name,
                          grille_error *err)
{
    return segment(a, cb, text, si, name, err);
}
