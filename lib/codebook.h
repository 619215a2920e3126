/*
 * codebook.h - the loaded codebook as the matcher sees it: codes, rules
 * and the compiled sequences that rules are made of.  Never installed.
 */
#ifndef GRILLE_CODEBOOK_H
#define GRILLE_CODEBOOK_H

#include "common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* One element of a sequence: how one token must look. */
typedef enum elem_kind {
    ELEM_WORD,    /* stem equals one of stem[0], stem[1] */
    ELEM_ELISION, /* key equals text ("l'") */
    ELEM_GLOB,    /* key matches the glob text */
    ELEM_EXACT,   /* surface bytes equal text, case-sensitive */
    ELEM_KEY      /* a word's key equals text: a hyphenated word by its
                     key ("gestesbarrieres"), whose stem may be a word's */
} elem_kind;

typedef struct cb_elem {
    elem_kind kind;
    char *text;    /* the glob, exact form or elision key; a word's key
                      (folded) */
    char *stem[2]; /* ELEM_WORD: folded stems (second may be NULL) */
    size_t stem_len[2];
    uint64_t stem_hash[2]; /* grille__hash of each stem: most tokens that
                              do not match differ here, without a memcmp */
    size_t text_len;
    /* ELEM_WORD: stem[1], the stem without accents, is shorter than
     * stem[0]: it meets only a text's word written without accents that
     * starts as stem[0] (stem_entry.stem2_short) */
    bool stem1_short;
    bool unaccented; /* ELEM_WORD: typed without accents */
    /* ELEM_KEY: a phrase's hyphenated spelling ("gestes barrières" as
     * gestes-barrières), which only a compound of the text is: "à venir"
     * is no "avenir" */
    bool compound_only;
} cb_elem;

/* What a sequence is for. */
typedef enum seq_role {
    ROLE_HIT,    /* a term: each match is a coding */
    ROLE_NEAR_A, /* left side of a proximity rule */
    ROLE_NEAR_B, /* right side */
    ROLE_MASK    /* an exclusion */
} seq_role;

typedef struct cb_seq {
    cb_elem *elems;
    size_t n;
    size_t rule;
    seq_role role;
} cb_seq;

typedef struct cb_rule {
    grille_rule_kind kind;
    size_t code;
    char *text;
    unsigned line, col;
    unsigned dist;   /* NEAR: at most this many words apart */
    pcre2_code *re;  /* REGEX */
    /* REGEX: a run of ASCII every match holds, lowercase (caseless), or
     * lit_len 0: a segment without it is not searched */
    char lit[32];
    unsigned char lit_len;
} cb_rule;

typedef struct cb_code {
    char *id, *label, *description, *color;
    long parent;
    unsigned depth;
    unsigned line;
    size_t npatterns, nexclusions;
} cb_code;

/* An index from a string (a stem, a key, a surface form) to the sequences
 * whose first element wants it. */
typedef struct smap_entry {
    const char *key;
    uint64_t hash;
    size_t *seqs;
    uint32_t len;
    /* the sequences: room for two, then for the next power of two (32
     * bytes an entry, where sizes and a capacity made 48: the bundled
     * codebook's tables are 2,700 entries at half load) */
    uint32_t n;
} smap_entry;

typedef struct smap {
    smap_entry *slots;
    size_t nslots, count;
} smap;

struct grille_codebook {
    char *name, *source;
    /* the texts of its elements and rules (6,000 for the bundled
     * codebook), freed with it */
    grille_chunk *strings;
    char sha256[65];
    cb_code *codes;
    size_t ncodes, codes_cap;
    cb_rule *rules;
    size_t nrules, rules_cap;
    cb_seq *seqs;
    size_t nseqs, seqs_cap;

    smap by_stem;    /* ELEM_WORD first elements, by stem */
    smap by_key;     /* ELEM_ELISION first elements, by key */
    smap by_surface; /* ELEM_EXACT first elements */
    smap by_wkey;    /* ELEM_KEY first elements, by key */
    size_t *globs;   /* sequences whose first element is a glob */
    size_t nglobs, globs_cap;
    /* the first byte of each glob ('*' for an empty one), side by side:
     * the matcher tries a new word against the globs that start with
     * its first letter (or a wildcard) without reading each glob */
    unsigned char *glob_first;
    size_t glob_first_cap;
    size_t *regexes; /* REGEX rules */
    size_t nregexes, regexes_cap;
    bool has_masks;
    /* a code with patterns under another with patterns: their hits may
     * overlap, and the sub-theme's then stands for both (match.c) */
    bool nested_hits;
    bool from_pattern; /* grille_codebook_from_pattern's: one pattern */
    /* unique among the codebooks of the process, never 0: a stem cache
     * entry keeps the serial of the codebook its candidates are for (an
     * address could be that of a codebook freed since) */
    uint32_t serial;
    /* a cheap filter before looking a surface form up in by_surface: the
     * first bytes (1 for those an exact form starts with: one load, where
     * a bit of a 256-bit set took six instructions for every token) and
     * the lengths (up to 63) of the exact forms; all 0 without them */
    unsigned char exact_first[256];
    uint64_t exact_lens;
    pcre2_match_context *mctx; /* limits shared by every match */
    /* skip_speakers: the labels as written, and folded (grille__speaker_key;
     * a final '*' for a prefix) */
    char **skip, **skip_keys;
    size_t nskip;
    /* skip_keys by key (each one's index), and the indices of those that
     * end with '*', tried one by one: a list of 160,000 labels was
     * compared pairwise at load, and with each turn */
    smap skip_index;
    size_t *skip_prefix, nskip_prefix;
};

/* A speaker label folded for comparison: lowercase, accents removed,
 * white space in single spaces, trimmed; NUL terminated. */
GRILLE_HIDDEN int grille__speaker_key(gbuf *out, const char *s, size_t len);
/* grille_codebook_load, its messages naming `name` ("a.yaml (in p.db)"),
 * and a codebook without a name of its own named after `file` ("a.yaml"),
 * not after `name`. */
GRILLE_HIDDEN int grille_codebook__load_from(grille_codebook **out,
                                             const char *yaml, size_t len,
                                             const char *name,
                                             const char *file,
                                             grille_error *err);
/* Whether the turns of speaker `key` (from grille__speaker_key) are not
 * coded. */
GRILLE_HIDDEN bool grille__skip_speaker(const grille_codebook *cb,
                                        const char *key, size_t len);

GRILLE_HIDDEN uint64_t grille__hash(const char *s, size_t n);

/* Whether surface s may be an exact form of cb: a 256-bit filter on the
 * first byte and a mask of the lengths, before a lookup in by_surface. */
static inline bool grille__maybe_exact(const grille_codebook *cb,
                                       const char *s, size_t len)
{
    unsigned char first = (unsigned char)s[0];
    if (!cb->exact_first[first])
        return false;
    return cb->exact_lens &
           (len < 63 ? (uint64_t)1 << len : (uint64_t)1 << 63);
}
GRILLE_HIDDEN const smap_entry *grille__smap_get(const smap *m, const char *key,
                                                 size_t len, uint64_t hash);
/* Whether `key` (UTF-8) matches glob `pat` ('*' and '?'). */
GRILLE_HIDDEN bool grille__glob(const char *pat, size_t plen, const char *key,
                                size_t klen);

#endif
