/*
 * analyser.h - the per-thread state shared by the text, stem and match
 * modules: the Snowball stemmer and its cache, and the segments, tokens and
 * codings of the last run.  Never installed.
 */
#ifndef GRILLE_ANALYSER_H
#define GRILLE_ANALYSER_H

#include "common.h"

struct sb_stemmer;

/* A chunk of the arena that holds the cache's strings; chunks never move,
 * so the key and stem pointers handed out in tokens stay valid. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    char data[];
} arena_chunk;

/* One cached word: its lowercased form (accents kept), match key and
 * folded stem. */
typedef struct stem_entry {
    uint64_t hash;
    const char *lower, *key, *stem;
    uint32_t lower_len, key_len, stem_len;
    uint32_t kind; /* 0: a word to stem; 1: kept as is (numbers, URLs) */
} stem_entry;

typedef struct stem_cache {
    stem_entry *slots;
    size_t nslots, count;
    arena_chunk *chunks;
    size_t bytes;
} stem_cache;

struct match_state; /* match.c */

struct grille_analyser {
    struct sb_stemmer *stemmer;
    stem_cache cache;
    gbuf scratch, scratch2;

    grille_segment *segs;
    size_t nsegs, segs_cap;
    grille_token *toks;
    size_t ntoks, toks_cap;
    grille_coding *codings;
    size_t ncodings, codings_cap;
    size_t words;

    struct match_state *match;
};

/* stem.c */
GRILLE_HIDDEN int grille_stem__init(grille_analyser *a, grille_error *err);
GRILLE_HIDDEN void grille_stem__free(grille_analyser *a);
/* Looks `lower` (a lowercased word, accents kept) up in the cache, stemming
 * it on a miss; kind 1 stores it unstemmed.  Returns the entry, or NULL
 * when out of memory. */
GRILLE_HIDDEN const stem_entry *grille_stem__lookup(grille_analyser *a,
                                                    const char *lower,
                                                    size_t len, int kind);
/* Drops the cache when it has grown past its budget; only between runs. */
GRILLE_HIDDEN void grille_stem__trim(grille_analyser *a);

/* text.c: segments and tokens of text[body, len) into the analyser. */
GRILLE_HIDDEN int grille_text__analyse(grille_analyser *a, const char *text,
                                       size_t len, size_t body,
                                       grille_unit unit, grille_error *err);

/* match.c */
GRILLE_HIDDEN int grille_match__run(grille_analyser *a,
                                    const grille_codebook *cb,
                                    const char *text, size_t len,
                                    const char *name, grille_error *err);
GRILLE_HIDDEN void grille_match__free(grille_analyser *a);

#endif
