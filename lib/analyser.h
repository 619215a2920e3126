/*
 * analyser.h - the per-thread state shared by the text, stem and match
 * modules: the Snowball stemmer and its cache, and the segments, tokens and
 * codings of the last run.  Never installed.
 */
#ifndef GRILLE_ANALYSER_H
#define GRILLE_ANALYSER_H

#include "common.h"

#include <string.h>

struct sb_stemmer;

/* A chunk of the arena that holds the cache's strings; chunks never move,
 * so the key and stem pointers handed out in tokens stay valid. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    char data[];
} arena_chunk;

/* One cached word: its lowercased form (accents kept), match key and
 * folded stem, and, once the matcher has seen it with codebook `mcb`, the
 * sequences whose first element it meets (so that each distinct word is
 * matched against the codebook's indexes and globs once per run). */
/* A sequence whose first element a word meets, with what its second
 * element wants (read without going through the codebook: most
 * candidates stop there). */
typedef struct stem_cand {
    uint32_t seq;
    uint32_t next; /* the kind of the second element; NEXT_NONE for a
                      sequence of one element */
    uint32_t hash[2]; /* the top halves of a word element's stems' hashes
                         (the first twice when it has one stem): a
                         filter, the stems are compared after it */
} stem_cand;
#define NEXT_NONE UINT32_MAX
/* A sequence of one element that only a compound token meets (a phrase's
 * hyphenated spelling, cb_elem.compound_only). */
#define NEXT_COMPOUND (UINT32_MAX - 1)
/* The bit of a stem hash's top half in a 64-bit filter. */
#define STEM_BIT(hi) ((uint64_t)1 << ((hi) >> 26))

/* The head of an entry, what every lookup and every token reads, is one
 * cache line (entries are aligned on 64 bytes): a large vocabulary's
 * lookups wait on memory, one line per entry instead of three. */
#define STEM_HEAD 16 /* bytes of the word kept in the entry itself */
typedef struct stem_entry {
    /* read by every lookup */
    uint32_t hash;      /* the low half of the word's hash */
    /* the word's length, and its kind in the top bit (STEM_KIND: 0, a
     * word to stem; 1, kept as is: numbers, URLs): one test for both */
    uint32_t len_kind;
    uint64_t head[STEM_HEAD / 8]; /* the word's first bytes, zero-padded */
    /* read by every token */
    const char *key, *stem;
    uint32_t key_len, stem_len;
    uint32_t mcb; /* the serial of the codebook of cands; 0: none yet */
    uint32_t ncands;
    /* the top half of stem_hash, for the matcher's filters on the word
     * after a candidate's first: its entry's first line is in the cache,
     * the second seldom */
    uint32_t stem_hi;
    /* the same for the stem of the word without its accents (stem2
     * below), the word after a candidate's first read as often */
    uint32_t stem2_hi;
    /* what the matcher reads for some tokens only */
    const char *lower; /* the whole word, zero-padded */
    stem_cand *cands;
    uint32_t nword; /* candidates whose second element is a word */
    uint64_t bloom; /* their stems' hashes, a bit each (STEM_BIT) */
    uint64_t stem_hash; /* grille__hash of stem, as the codebook's */
    /* the stem of the word without its accents (its key), when it is
     * another: "sécurité" is secur, and securit as "securite" is, so that
     * a term typed without accents meets it; NULL otherwise, and then
     * stem2_hi is stem_hi */
    const char *stem2;
    uint32_t stem2_len;
    /* stem2 is shorter than stem ("accès" is acces, but acce as "acces"
     * is): it counts only against a term typed without accents that
     * starts as this word's stem ("acces", not "accent"), so that
     * "communiqué" (communiqu, and commun without its accent) does not
     * meet "commune" (commun) */
    uint8_t stem2_short;
    /* the word has accents or a ligature (its key is not the word) */
    uint8_t accented;
    uint64_t stem2_hash;
} stem_entry;
#define STEM_KIND(len, kind) ((uint32_t)(len) | (uint32_t)(kind) << 31)

/* A slot of the table: its entry's address, with the top 16 bits of the
 * word's hash in the address's unused top bits where there are such
 * (64-bit machines: user addresses fit in 48 bits).  Another word's entry
 * is seldom read to be told apart, and the table stays 8 bytes a slot:
 * with -j, two threads' tables share a core's caches. */
typedef uintptr_t stem_slot;

typedef struct stem_cache {
    stem_slot *slots; /* entries live in the arena: they never move */
    uintptr_t addr; /* the address bits of a slot (all of them when an
                       entry's address uses the top ones); 0 before the
                       first slot */
    size_t nslots, count;
    arena_chunk *chunks;
    size_t bytes;
} stem_cache;

static inline uint64_t grille_stem__load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The cache's hash of a word: eight bytes at a time (words are short:
 * one or two rounds).  With `padded`, s has zero bytes after n up to a
 * multiple of eight, and its last bytes are read as one word; the hash
 * is the same either way. */
static inline uint64_t grille_stem__hash(const char *s, size_t n, int kind,
                                         bool padded)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)n << 8) ^ (uint64_t)kind;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = (h ^ grille_stem__load64(s + i)) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    if (padded && i < n)
        w = grille_stem__load64(s + i);
    else if (!padded)
        memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

/* The tag of hash h in a slot (its top 16 bits, where addresses leave
 * room for them). */
static inline uintptr_t grille_stem__slot_tag(const stem_cache *c, uint64_t h)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    return ((uintptr_t)(h >> 48) << 48) & ~c->addr;
#else
    (void)c;
    (void)h;
    return 0;
#endif
}

static inline stem_entry *grille_stem__slot_entry(const stem_cache *c,
                                                  stem_slot s)
{
    return (stem_entry *)(s & c->addr);
}

struct match_state; /* match.c */

struct grille_analyser {
    struct sb_stemmer *stemmer;
    stem_cache cache;
    gbuf scratch, scratch2;

    grille_segment *segs;
    size_t nsegs, segs_cap;
    grille_token *toks;
    size_t ntoks, toks_cap;
    stem_entry **tok_entry; /* the cache entry of each token */
    size_t tok_entry_cap;
    grille_coding *codings;
    size_t ncodings, codings_cap;
    size_t words;
    /* the text of the last grille_text__segment has an '@' (an e-mail
     * address): tokenise looks for one in each segment only then */
    bool text_at;
    bool drop_tokens; /* keep only the current segment's tokens */
    bool reference;   /* GRILLE_REFERENCE set: the plain, slow paths that
                         the fast ones must agree with */

    struct match_state *match;
};

/* stem.c */
GRILLE_HIDDEN int grille_stem__init(grille_analyser *a, grille_error *err);
GRILLE_HIDDEN void grille_stem__free(grille_analyser *a);
/* Looks `lower` (a lowercased word, accents kept) up in the cache, stemming
 * it on a miss; kind 1 stores it unstemmed.  Returns the entry, or NULL
 * when out of memory. */
GRILLE_HIDDEN stem_entry *grille_stem__lookup(grille_analyser *a,
                                                    const char *lower,
                                                    size_t len, int kind);
/* The same for a word whose buffer has zero bytes after len up to a
 * multiple of eight: hashed and compared eight bytes at a time. */
GRILLE_HIDDEN stem_entry *grille_stem__lookup_padded(grille_analyser *a,
                                                     const char *lower,
                                                     size_t len, int kind);
/* grille_stem__lookup_padded of a word of n bytes (up to 16) given as
 * two words: w0 its first eight bytes, w1 the next, both
 * zero-padded (w1 zero when n <= 8).  Inline: most words of a text are
 * such, and their lookup is a few instructions when the word is in the
 * cache. */
static inline uint64_t grille_stem__hash16(uint64_t w0, uint64_t w1, size_t n,
                                           int kind)
{
    /* grille_stem__hash, unrolled for two words (a unit test checks that
     * they agree) */
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)n << 8) ^ (uint64_t)kind,
             last = w0;
    if (n >= 8) {
        h = (h ^ w0) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        last = w1;
        if (n >= 16) {
            h = (h ^ w1) * 0xff51afd7ed558ccdULL;
            h ^= h >> 32;
            last = 0;
        }
    }
    h = (h ^ last) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static inline stem_entry *grille_stem__lookup16(grille_analyser *a,
                                                uint64_t w0, uint64_t w1,
                                                size_t n, int kind)
{
    uint64_t h = grille_stem__hash16(w0, w1, n, kind);
    const stem_cache *c = &a->cache;
    if (c->nslots) {
        size_t mask = c->nslots - 1;
        uintptr_t tag = grille_stem__slot_tag(c, h);
        for (size_t j = h & mask; c->slots[j]; j = (j + 1) & mask) {
            stem_slot s = c->slots[j];
            if ((s & ~c->addr) != tag)
                continue;
            stem_entry *e = grille_stem__slot_entry(c, s);
            if (e->hash == (uint32_t)h && e->len_kind == STEM_KIND(n, kind) &&
                e->head[0] == w0 && e->head[1] == w1)
                return e;
        }
    }
    uint64_t wb[2] = {w0, w1};
    return grille_stem__lookup(a, (const char *)wb, n, kind);
}

/* Allocates n bytes that live as long as the cache. */
GRILLE_HIDDEN void *grille_stem__alloc(grille_analyser *a, size_t n);
/* Drops the cache when it has grown past its budget; only between runs. */
GRILLE_HIDDEN void grille_stem__trim(grille_analyser *a);

/* text.c: the segments of text[body, len) into the analyser (tokens and
 * codings emptied); `line` is the line of `body`, 0 to count it. */
GRILLE_HIDDEN int grille_text__segment(grille_analyser *a, const char *text,
                                       size_t len, size_t body, unsigned line,
                                       grille_unit unit, grille_error *err);
/* Line ends in s[from, to) ("\r\n" once). */
GRILLE_HIDDEN unsigned grille_text__count_lines(const char *s, size_t from,
                                                size_t to);
/* Appends the tokens of segment si. */
GRILLE_HIDDEN int grille_text__tokenise(grille_analyser *a, const char *text,
                                        size_t si, grille_error *err);
/* Whether `label` (trimmed, as a codebook's skip_speakers writes it,
 * compared without case) can be the label of a turn ("Q", "Enquêtrice",
 * "Mme Lefèvre", "q" as "Q :", "sophie" as "SOPHIE :"): "Q/R" never is,
 * nor "Sophie", written in both cases, for "Sophie :" is no turn. */
GRILLE_HIDDEN bool grille_text__speaker_label(const char *label, size_t n);
/* Whether a lowercased word (without its apostrophe) is elided in French:
 * l d j m n s t c qu jusqu lorsqu puisqu quoiqu. */
GRILLE_HIDDEN bool grille_text__is_elision(const char *lower, size_t n);
/* Both, keeping every token. */
GRILLE_HIDDEN int grille_text__analyse(grille_analyser *a, const char *text,
                                       size_t len, size_t body,
                                       grille_unit unit, grille_error *err);

/* match.c: prepares a run with codebook cb, then codes segment si (whose
 * tokens are the analyser's from seg->first_token). */
GRILLE_HIDDEN int grille_match__begin(grille_analyser *a,
                                      const grille_codebook *cb,
                                      grille_error *err);
GRILLE_HIDDEN int grille_match__segment(grille_analyser *a,
                                        const grille_codebook *cb,
                                        const char *text, size_t si,
                                        const char *name, grille_error *err);
GRILLE_HIDDEN void grille_match__free(grille_analyser *a);

#endif
