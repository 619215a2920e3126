/*
 * codebook.c - loading, validating and compiling a thematic codebook.
 *
 * The YAML (see docs/codebook.md) is read into a tree with line and column
 * marks, walked once to build the codes (depth first, parents before
 * children) and their rules, and each rule is compiled:
 *
 *   "santé"               word: one element, the folded Snowball stem "sant"
 *   "reprise d'activité"  phrase: "repris", elision "d'", "activ"
 *   "visio*"              glob on the folded key
 *   "=ARS"                exact surface form, case-sensitive
 *   regex: ['\bréunions? (à|a) distance\b']   pcre2, UTF|UCP|CASELESS, JIT
 *   near: ["réunion* ~5 distance"]            two sequences, 5 words apart
 *   exclude: [à plusieurs reprises]            a sequence that masks
 *
 * Every sequence is indexed by its first element (stem, elision key or
 * surface form in hash maps; globs in a list), so that matching a token is
 * one hash lookup rather than a loop over rules.  The loaded codebook is
 * immutable: any number of threads may match with it.
 */
#include "codebook.h"
#include "analyser.h"
#include "ytree.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CODES 100000
#define MAX_RULES 1000000
#define MAX_NEAR 1000

extern const unsigned char grille__bundled_codebook[];
extern const size_t grille__bundled_codebook_len;
extern const char grille__bundled_codebook_sha256[];

const char *grille_rule_kind_name(grille_rule_kind kind)
{
    switch (kind) {
    case GRILLE_RULE_WORD: return "word";
    case GRILLE_RULE_PHRASE: return "phrase";
    case GRILLE_RULE_GLOB: return "glob";
    case GRILLE_RULE_EXACT: return "exact";
    case GRILLE_RULE_REGEX: return "regex";
    case GRILLE_RULE_NEAR: return "near";
    case GRILLE_RULE_EXCLUDE: return "exclude";
    }
    return "?";
}

/* ----------------------------------------------------------- string maps */

uint64_t grille__hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

const smap_entry *grille__smap_get(const smap *m, const char *key, size_t len,
                                   uint64_t hash)
{
    if (!m->nslots)
        return NULL;
    size_t mask = m->nslots - 1;
    for (size_t j = hash & mask; m->slots[j].key; j = (j + 1) & mask) {
        const smap_entry *e = &m->slots[j];
        if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
    return NULL;
}

static int smap_add(smap *m, const char *key, size_t len, size_t seq)
{
    if (len > UINT32_MAX) /* a word of 4 GB: no codebook is that long */
        return GRILLE_ENOMEM;
    if ((m->count + 1) * 2 > m->nslots) {
        size_t n = m->nslots ? m->nslots * 2 : 64;
        smap_entry *slots = calloc(n, sizeof(*slots));
        if (!slots)
            return GRILLE_ENOMEM;
        for (size_t i = 0; i < m->nslots; i++) {
            if (!m->slots[i].key)
                continue;
            size_t j = m->slots[i].hash & (n - 1);
            while (slots[j].key)
                j = (j + 1) & (n - 1);
            slots[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = slots;
        m->nslots = n;
    }
    uint64_t h = grille__hash(key, len);
    size_t mask = m->nslots - 1;
    size_t j = h & mask;
    while (m->slots[j].key) {
        smap_entry *e = &m->slots[j];
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
            break;
        j = (j + 1) & mask;
    }
    smap_entry *e = &m->slots[j];
    if (!e->key) {
        e->key = key;
        e->len = (uint32_t)len;
        e->hash = h;
        m->count++;
    }
    for (size_t k = 0; k < e->n; k++)
        if (e->seqs[k] == seq)
            return 0;
    if (e->n == UINT32_MAX)
        return GRILLE_ENOMEM;
    if (e->n == 0 || (e->n >= 2 && (e->n & (e->n - 1)) == 0)) {
        size_t *q = realloc(e->seqs,
                            (e->n ? 2 * (size_t)e->n : 2) * sizeof(*q));
        if (!q)
            return GRILLE_ENOMEM;
        e->seqs = q;
    }
    e->seqs[e->n++] = seq;
    return 0;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->nslots; i++)
        free(m->slots[i].seqs);
    free(m->slots);
}

/* ------------------------------------------------------------------ globs */

bool grille__glob(const char *pat, size_t plen, const char *key, size_t klen)
{
    size_t p = 0, k = 0, star_p = SIZE_MAX, star_k = 0;
    while (k < klen) {
        if (p < plen && pat[p] == '*') {
            star_p = ++p;
            star_k = k;
            continue;
        }
        if (p < plen && pat[p] == '?') {
            size_t n;
            utf8_get(key, klen, k, &n);
            p++;
            k += n;
            continue;
        }
        if (p < plen && pat[p] == key[k]) {
            p++;
            k++;
            continue;
        }
        if (star_p == SIZE_MAX)
            return false;
        /* backtrack: let the last star eat one more code point */
        size_t n;
        utf8_get(key, klen, star_k, &n);
        star_k += n;
        k = star_k;
        p = star_p;
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

/* ------------------------------------------------------------- building */

typedef struct builder {
    grille_codebook *cb;
    grille_analyser *an;
    const char *file;
    grille_error *err;
    pcre2_match_context *mctx;
    smap ids; /* the codes by full id, for duplicates */
    bool pattern; /* grille_codebook_from_pattern's */
    const char *src; /* the YAML text, for what its tree does not keep */
    size_t srclen;
} builder;

static int fail(builder *b, const ynode *n, int code, const char *fmt, ...)
    GRILLE_PRINTF(4, 5);

static int fail(builder *b, const ynode *n, int code, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return grille__error(b->err, code, b->file, n ? n->line : 0,
                         n ? n->col : 0, "%s", msg);
}

static const char *q(char *buf, size_t size, const char *s)
{
    return grille__quote(buf, size, s, strlen(s));
}

/* A copy of s[0, n) and a NUL in the codebook's strings (NULL: no
 * memory), freed with it: the texts of its elements and rules. */
static char *cb_keep(grille_codebook *cb, const char *s, size_t n)
{
    return grille__chunk_strndup(&cb->strings, s, n);
}

void grille_codebook_free(grille_codebook *cb)
{
    if (!cb)
        return;
    for (size_t i = 0; i < cb->ncodes; i++) {
        free(cb->codes[i].id);
        free(cb->codes[i].label);
        free(cb->codes[i].description);
        free(cb->codes[i].color);
    }
    for (size_t i = 0; i < cb->nrules; i++)
        if (cb->rules[i].re)
            pcre2_code_free(cb->rules[i].re);
    for (size_t i = 0; i < cb->nseqs; i++)
        free(cb->seqs[i].elems);
    grille__chunks_free(cb->strings);
    for (size_t i = 0; i < cb->nskip; i++) {
        free(cb->skip[i]);
        free(cb->skip_keys[i]);
    }
    free(cb->skip);
    free(cb->skip_keys);
    smap_free(&cb->skip_index);
    free(cb->skip_prefix);
    smap_free(&cb->by_stem);
    smap_free(&cb->by_key);
    smap_free(&cb->by_surface);
    smap_free(&cb->by_wkey);
    if (cb->mctx)
        pcre2_match_context_free(cb->mctx);
    free(cb->globs);
    free(cb->glob_first);
    free(cb->regexes);
    free(cb->codes);
    free(cb->rules);
    free(cb->seqs);
    free(cb->name);
    free(cb->source);
    free(cb);
}

static bool has_glob(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?')
            return true;
    return false;
}

/* A symbol of meaning that a text's words leave out: currencies (€, $,
 * £, ₽...), the degree and the section signs, per mille (‰, ‱), and
 * superscript and subscript letters and digits (1ᵉʳ, Mᵐᵉ, m², CO₂: the
 * term "m²" was the word m, which coded every "2 m."); and the signs of
 * sums, comparisons, fractions, arrows, marks and pictures (C++, ≥ 50,
 * ½ journée, ★★★, ©, 😷: "C++" was the word C, which coded the C of
 * "catégorie C", and "masques 😷" every "masques"). */
static bool meaning_symbol(uint32_t cp)
{
    return cp == '$' || cp == '+' || cp == '<' || cp == '>' || cp == 0xA2 || cp == 0xA3 ||
           cp == 0xA4 || cp == 0xA5 || cp == 0xA7 || cp == 0xA9 ||
           cp == 0xAE || cp == 0xB0 || cp == 0xB1 || cp == 0xB2 ||
           cp == 0xB3 || cp == 0xB9 || (cp >= 0xBC && cp <= 0xBE) ||
           cp == 0xD7 || cp == 0xF7 || cp == 0x2030 || cp == 0x2031 ||
           (cp >= 0x2B0 && cp <= 0x2FF && !grille__is_apostrophe(cp) &&
            cp != 0x2BB && cp != 0x2BD) ||
           (cp >= 0x1D2C && cp <= 0x1D6A) || (cp >= 0x2070 && cp <= 0x209F) ||
           (cp >= 0x20A0 && cp <= 0x20CF) || cp == 0x2122 ||
           (cp >= 0x2150 && cp <= 0x23FF) || (cp >= 0x25A0 && cp <= 0x27BF) ||
           (cp >= 0x1F000 && cp <= 0x1FAFF);
}

/* The first such symbol of the word w[0..wl) that none of the analyser's
 * tokens (of w) covers, its offset in *at; 0 when there is none. */
static uint32_t dropped_symbol(const grille_analyser *an, const char *w,
                               size_t wl, size_t *at)
{
    size_t n;
    for (size_t i = 0; i < wl; i += n) {
        uint32_t cp = utf8_get(w, wl, i, &n);
        /* '#' after a letter or a digit (C#, F#) names something else
         * than the word before it; before a word (#covid) it tags it */
        unsigned char before = i ? (unsigned char)w[i - 1] : ' ';
        bool sharp = cp == '#' && ((unsigned)((before | 0x20) - 'a') < 26u ||
                                   (unsigned)(before - '0') < 10u ||
                                   before >= 0x80);
        if (!sharp && !meaning_symbol(cp))
            continue;
        bool covered = false;
        for (size_t k = 0; k < an->ntoks && !covered; k++)
            covered = an->toks[k].start <= i && i < an->toks[k].end;
        if (!covered) {
            *at = i;
            return cp;
        }
    }
    return 0;
}

/* The error of a term whose sign at `at` (its bytes to `end`) the
 * words of a text leave out. */
static int symbol_error(builder *b, const ynode *n, size_t code,
                        const char *term, size_t term_len, const char *at,
                        size_t left)
{
    char buf[200], sb[16];
    size_t sn;
    utf8_get(at, left, 0, &sn);
    return fail(b, n, GRILLE_EINVALID,
                _("term '%s' in theme '%s': '%s' is no part of the words of "
                  "a text, which leave it out ('3 M\u20ac' is the words 3 "
                  "and M): the term would not find it; a regex (under "
                  "'regex:') matches it as written"),
                grille__quote(buf, sizeof(buf), term, term_len),
                b->cb->codes[code].id, grille__quote(sb, sizeof(sb), at, sn));
}

/* What a glob is made of: letters, digits and its wildcards (the rest
 * at its ends is punctuation). */
static bool glob_char(uint32_t cp)
{
    return cp == '*' || cp == '?' || (cp >= '0' && cp <= '9') ||
           grille__is_letter(cp);
}

static int push_elem(cb_elem **els, size_t *n, size_t *cap, cb_elem e)
{
    if (GROW_FROM(*els, *cap, *n + 1, 2) < 0)
        return GRILLE_ENOMEM;
    (*els)[(*n)++] = e;
    return 0;
}

/* The folded stems of a lowercased word: Snowball's stem of the accented
 * word, and of the word without accents when it differs (so that a term
 * written "santé" also meets a note that wrote "SANTE"), or, for a word
 * typed without them that ends in "ee", of the word with "ée" ("fermee"
 * meets "fermé"). */
static int word_elem(builder *b, const grille_token *t, const stem_entry *en,
                     cb_elem *e)
{
    memset(e, 0, sizeof(*e));
    e->kind = ELEM_WORD;
    e->stem[0] = cb_keep(b->cb, t->stem, t->stem_len);
    e->stem_len[0] = t->stem_len;
    if (!e->stem[0])
        return GRILLE_ENOMEM;
    e->stem_hash[0] = grille__hash(t->stem, t->stem_len);
    if (t->kind != GRILLE_TOK_WORD)
        return 0;
    e->text = cb_keep(b->cb, t->key, t->key_len);
    e->text_len = t->key_len;
    if (!e->text)
        return GRILLE_ENOMEM;
    const char *st;
    size_t sl;
    if (grille_analyser_stem(b->an, t->key, t->key_len, &st, &sl) < 0)
        return GRILLE_ENOMEM;
    /* as a note's words (grille_stem__lookup), a shorter one apart */
    e->unaccented = !en->accented;
    bool restored = !en->accented && en->stem2;
    if (restored) {
        /* "fermee": the stem of "fermée" too (restored_stem, stem.c),
         * the word's own, not a shorter one kept apart */
        st = en->stem2;
        sl = en->stem2_len;
    }
    if (sl != t->stem_len || memcmp(st, t->stem, sl)) {
        e->stem[1] = cb_keep(b->cb, st, sl);
        e->stem_len[1] = sl;
        if (!e->stem[1])
            return GRILLE_ENOMEM;
        e->stem_hash[1] = grille__hash(st, sl);
        e->stem1_short = !restored && sl < t->stem_len;
    }
    return 0;
}

/*
 * A number in a term that goes on past a space, as the tokeniser reads it
 * in a text: "1 000" (groups of three digits), "10,5 %", "(50 %)".
 * w[i, j) is a word of the term; when it ends in a digit, the words after
 * it that start with a digit or '%' (and hold no glob) are taken with it,
 * and the tokeniser then cuts the whole as it cuts a text.  Returns the
 * end of what is taken.
 */
static size_t number_words(const char *w, size_t len, size_t i, size_t j)
{
    if (j == i || !(w[j - 1] >= '0' && w[j - 1] <= '9'))
        return j;
    for (;;) {
        size_t a = j;
        while (a < len && (w[a] == ' ' || w[a] == '\t'))
            a++;
        if (a == j || a == len ||
            !((w[a] >= '0' && w[a] <= '9') || w[a] == '%'))
            return j;
        size_t b = a;
        while (b < len && w[b] != ' ' && w[b] != '\t')
            b++;
        if (memchr(w + a, '*', b - a) || memchr(w + a, '?', b - a))
            return j;
        j = b;
        if (!(w[j - 1] >= '0' && w[j - 1] <= '9'))
            return j; /* "50 %": nothing more after the sign */
    }
}

/* Whether plain scalar n goes on on its next line, and that line starts
 * with "- " (a list's item indented further than the one above it, read
 * by YAML as the same text). */
static bool continued_item(const builder *b, const ynode *n)
{
    if (!n->plain || !b->src)
        return false;
    size_t i = 0;
    for (unsigned line = 1; i < b->srclen && line <= n->line; i++)
        if (b->src[i] == '\n')
            line++;
    while (i < b->srclen && (b->src[i] == ' ' || b->src[i] == '\t'))
        i++;
    if (!(i + 1 < b->srclen && b->src[i] == '-' && b->src[i + 1] == ' '))
        return false;
    /* the text ends with that line's ("tt - visio*" and "- visio*"): the
     * scalar runs onto it ("covid - 19" above "- masque" does not) */
    size_t from = i + 2, to = from;
    while (to < b->srclen && b->src[to] != '\n' && b->src[to] != '\r')
        to++;
    while (to > from && (b->src[to - 1] == ' ' || b->src[to - 1] == '\t'))
        to--;
    size_t sl = strlen(n->str), tl = to - from;
    return tl && sl > tl + 3 && memcmp(n->str + sl - tl, b->src + from, tl) == 0 &&
           memcmp(n->str + sl - tl - 3, " - ", 3) == 0;
}

/*
 * Compiles a term ("santé", "reprise d'activité", "visio*", "=ARS",
 * "réunion* à distance") into a sequence of elements.  *kind receives the
 * rule kind it amounts to.
 */
/*
 * A phrase s with a punctuation mark between two of its words ("santé,
 * masques, gel", "reprise ; activité", "santé (ARS)", "Q/R"): in a text,
 * punctuation ends a phrase, so the term would never match the words as
 * they are written (and would match them without it).  Most often the
 * brackets of a list were forgotten.  The term is read as a text is,
 * its wildcards as letters.
 */
/* Whether s holds only letters, wildcards, spaces, and apostrophes
 * between two letters: no punctuation, no list's mark, no turn's colon,
 * that punct_between would find (most phrases: "reprise d'activité",
 * "gestes barrières"), without reading it as a text.  Not a tab ("o" and
 * a tab is a bullet pasted from Word), nor a combining mark but after a
 * letter (at a word's start, a text skips it and breaks the phrase). */
static bool letters_only(const char *s, size_t len)
{
    bool after_letter = false;
    for (size_t i = 0, cn; i < len; i += cn) {
        uint32_t c = utf8_get(s, len, i, &cn);
        bool letter = grille__is_letter(c) &&
                      (after_letter || !grille__is_combining(c));
        if (!letter && c != ' ' && c != '*' && c != '?') {
            size_t nn;
            if (!grille__is_apostrophe(c) || !after_letter || i + cn >= len ||
                !grille__is_letter(utf8_get(s, len, i + cn, &nn)))
                return false;
        }
        after_letter = letter;
    }
    return true;
}

static int punct_between(builder *b, const ynode *n, size_t code,
                         const char *s, size_t len)
{
    if (letters_only(s, len))
        return 0;
    gbuf t = {0};
    if (gbuf_put(&t, s, len) < 0 || gbuf_put(&t, "", 0) < 0) {
        gbuf_free(&t);
        return grille__nomem(b->err);
    }
    for (size_t i = 0; i < len; i++)
        if (t.data[i] == '*' || t.data[i] == '?')
            t.data[i] = 'x';
    grille_analyser *a = b->an;
    int rc = grille_text__analyse(a, t.data, len, 0, GRILLE_UNIT_PARAGRAPH,
                                  NULL);
    /* "1. gel", "- masques", "DGS : réunion": read as a text is, its
     * start is a list's item or a speaker's turn, no words of the text
     * (a term that never matched as written, "1 gel" only) */
    size_t lead = 0;
    while (lead < len && (s[lead] == ' ' || s[lead] == '\t'))
        lead++;
    /* a bullet's mark alone ("— gestes barrières", "• masques") holds
     * no word, and is punctuation at the term's start */
    bool word_before = false;
    for (size_t i = lead, cn; rc == 0 && a->nsegs && i < a->segs[0].start &&
                              i < len && !word_before;
         i += cn) {
        uint32_t c = utf8_get(s, len, i, &cn);
        word_before = (c >= '0' && c <= '9') || grille__is_letter(c);
    }
    if (word_before) {
        size_t mark = a->segs[0].start; /* after the item's mark, or the
                                           turn's colon */
        while (mark > lead && (s[mark - 1] == ' ' || s[mark - 1] == '\t'))
            mark--;
        char buf[200], mk[80];
        gbuf_free(&t);
        return fail(b, n, GRILLE_EINVALID,
                    _("term '%s' in theme '%s' starts as a list's item or "
                      "a speaker's turn does ('%s'), which is no part of the "
                      "words of a text: the term would never match as "
                      "written; leave it out"),
                    grille__quote(buf, sizeof(buf), s, len),
                    b->cb->codes[code].id,
                    grille__quote(mk, sizeof(mk), s + lead, mark - lead));
    }
    size_t prev_start = 0, prev_end = SIZE_MAX, at = 0, seg = 0;
    size_t w0 = 0, w1 = 0, v0 = 0, v1 = 0; /* the words on either side */
    bool found = false;
    for (size_t k = 0; k < a->ntoks && rc == 0 && !found; k++) {
        const grille_token *tk = &a->toks[k];
        while (seg + 1 < a->nsegs && k >= a->segs[seg + 1].first_token)
            seg++;
        if (tk->flags & GRILLE_TOKF_PART)
            continue;
        if (prev_end != SIZE_MAX &&
            ((tk->flags & GRILLE_TOKF_BREAK) || k == a->segs[seg].first_token)) {
            /* the first mark between them, an apostrophe last (l'« :
             * the guillemet) */
            size_t cn = 1, apo = SIZE_MAX;
            for (at = prev_end; at < tk->start; at += cn) {
                uint32_t c = utf8_get(t.data, len, at, &cn);
                if (grille__is_space(c) || c == '\n' || c == '\r')
                    continue;
                if (!grille__is_apostrophe(c))
                    break;
                if (apo == SIZE_MAX)
                    apo = at;
            }
            if (at >= tk->start)
                at = apo;
            found = at < tk->start;
            w0 = prev_start, w1 = prev_end, v0 = tk->start, v1 = tk->end;
        }
        prev_start = tk->start;
        prev_end = tk->end;
    }
    gbuf_free(&t);
    if (rc < 0)
        return grille__nomem(b->err);
    if (!found)
        return 0;
    size_t cl = 1;
    while (at + cl < len && ((unsigned char)s[at + cl] & 0xC0) == 0x80)
        cl++;
    char buf[200], wa[80], wb[80];
    if (s[at] == '-' && continued_item(b, n))
        /* "- tt" then "     - visio*" indented further: one plain text
         * to YAML, "tt - visio*" */
        return fail(b, n, GRILLE_ESYNTAX,
                    _("term '%s' in theme '%s' runs onto line %u, whose '- ' "
                      "is indented further than this item's: YAML reads the "
                      "two as one text; put each '- ' of the list at the "
                      "same indent"),
                    grille__quote(buf, sizeof(buf), s, len),
                    b->cb->codes[code].id, n->line + 1);
    return fail(b, n, GRILLE_EINVALID,
                _("term '%s' in theme '%s' has '%.*s' between '%s' and "
                  "'%s': a character that is not part of a word ends a "
                  "phrase in a text, so the term would never match the "
                  "words as written%s"),
                grille__quote(buf, sizeof(buf), s, len),
                b->cb->codes[code].id, (int)cl, s + at,
                grille__quote(wa, sizeof(wa), s + w0, w1 - w0),
                grille__quote(wb, sizeof(wb), s + v0, v1 - v0),
                b->pattern && (s[at] == ',' || s[at] == ';')
                    ? _("; for any of several words, a regex between "
                        "slashes: /santé|masques/")
                : b->pattern
                    ? _("; a regex between slashes matches the characters "
                        "as written")
                : s[at] == ',' || s[at] == ';'
                    ? _("; to give several terms, list them: [santé, "
                        "masques], or one per line after '- '")
                    : _("; a regex (under 'regex:') matches the characters "
                        "as written"));
}

static int compile_term(builder *b, const ynode *n, size_t code,
                        const char *s, size_t len, cb_seq *out,
                        grille_rule_kind *kind)
{
    cb_elem *els = NULL;
    size_t ne = 0, cap = 0;
    bool exact = false, glob = false;
    char buf[200];
    int rc = 0;
    memset(out, 0, sizeof(*out));
    while (len && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    /* "santé ?", "fermeture !": a French question or exclamation mark,
     * after its space, ends the term as any punctuation at its end does;
     * a '?' alone was a wildcard of its own, "no letter: every word" */
    size_t marks = 0; /* "?", "!", "?!", "!!" */
    while (marks < len && marks < 3 &&
           (s[len - 1 - marks] == '?' || s[len - 1 - marks] == '!'))
        marks++;
    if (marks && len > marks + 1 &&
        (s[len - 1 - marks] == ' ' || s[len - 1 - marks] == '\t')) {
        len -= marks;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
    }
    const char *term = s; /* as written, for the messages */
    size_t term_len = len;
    if (len && s[0] == '=') {
        exact = true;
        s++;
        len--;
    }
    /* "l'", "de l'", "qu’": an elision is a token only before its word,
     * and a term ending with one would be the word "l", in no text */
    size_t last = len;
    while (last && ((unsigned char)s[last - 1] & 0xC0) == 0x80)
        last--;
    size_t cn = 0;
    bool apo = last && grille__is_apostrophe(utf8_get(s, len, last - 1, &cn));
    /* the word before it: an elision's letters (l, qu, jusqu...), not
     * "parents’" */
    char elw[8];
    size_t w0 = last ? last - 1 : 0, en = 0;
    while (w0 && s[w0 - 1] != ' ' && s[w0 - 1] != '\t')
        w0--;
    for (size_t k = w0; k + 1 < last && en < sizeof(elw); k++)
        elw[en++] = (char)((s[k] >= 'A' && s[k] <= 'Z') ? s[k] + 32 : s[k]);
    if (!exact && apo && last >= 2 && last - 1 - w0 == en &&
        grille_text__is_elision(elw, en))
        return fail(b, n, GRILLE_EINVALID,
                    _("term '%s' in theme '%s' ends with an elision, which "
                      "a text joins to the word after it: give that word "
                      "too (l'\u00e9cole), or leave the elision out"),
                    grille__quote(buf, sizeof(buf), s, len),
                    b->cb->codes[code].id);
    size_t i = 0;
    while (i < len && rc == 0) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ' && s[j] != '\t')
            j++;
        if (j == i)
            break;
        j = number_words(s, len, i, j); /* "1 000": one word of a text */
        const char *w = s + i;
        size_t wl = j - i;
        i = j;
        if (exact && w[0] == '=') { /* "=ARS =DGS" */
            free(els);
            return fail(b, n, GRILLE_EINVALID,
                        _("exact form '%s' in theme '%s' has a second '=': "
                          "one at its start makes every word exact ('=ARS "
                          "DGS'); for either word alone, give two terms"),
                        grille__quote(buf, sizeof(buf), term, term_len),
                        b->cb->codes[code].id);
        }
        if (exact) {
            /* compared with one word of the text as it is written (a
             * token's surface): it must be one word as the text is cut,
             * or it never matches; a wildcard is a character there, and
             * an elision a word of its own (l'ARS is l' and ARS) */
            rc = grille_text__analyse(b->an, w, wl, 0, GRILLE_UNIT_PARAGRAPH,
                                      NULL);
            size_t words = 0;
            bool elision = false, whole = false;
            for (size_t k = 0; k < b->an->ntoks && rc == 0; k++) {
                const grille_token *t = &b->an->toks[k];
                if (t->flags & GRILLE_TOKF_PART)
                    continue;
                words++;
                elision |= t->kind == GRILLE_TOK_ELISION;
                whole = t->start == 0 && t->end == wl;
            }
            size_t wild = strcspn(w, "*?");
            if (rc == 0 && (words != 1 || !whole)) {
                free(els);
                char wb[100];
                grille__quote(wb, sizeof(wb), w, wl);
                /* the form itself, not the whole rule (santé ~3 =VPN*) */
                if (wild < wl)
                    return fail(b, n, GRILLE_EINVALID,
                                _("exact form '=%s' in theme '%s' holds a "
                                  "'%c': an exact form takes no wildcard "
                                  "(write each form: =VPN, =VPNs)"),
                                wb, b->cb->codes[code].id, w[wild]);
                if (elision)
                    return fail(b, n, GRILLE_EINVALID,
                                _("exact form '=%s' in theme '%s' holds an "
                                  "elision, a word of its own in a text: "
                                  "=ARS finds the ARS of l'ARS"),
                                wb, b->cb->codes[code].id);
                return fail(b, n, GRILLE_EINVALID,
                            _("exact form '=%s' in theme '%s' is not one "
                              "word as a text is cut into words (a "
                              "punctuation mark?)"),
                            wb, b->cb->codes[code].id);
            }
            if (rc < 0)
                break;
            cb_elem e = {.kind = ELEM_EXACT, .text = cb_keep(b->cb, w, wl),
                      .text_len = wl};
            rc = e.text ? push_elem(&els, &ne, &cap, e) : GRILLE_ENOMEM;
            continue;
        }
        if (has_glob(w, wl)) {
            gbuf f = {0}, raw = {0};
            glob = true;
            /* punctuation at its ends, as at a word's ("visio*,",
             * "(visio*)"), and invisible characters (a soft hyphen
             * pasted from Word) are no part of it */
            size_t a0 = 0, a1 = wl, gn;
            while (a0 < a1 && !glob_char(utf8_get(w, wl, a0, &gn)))
                a0 += gn;
            while (a1 > a0) {
                size_t k = a1 - 1;
                while (k > a0 && ((unsigned char)w[k] & 0xC0) == 0x80)
                    k--;
                if (glob_char(utf8_get(w, wl, k, &gn)))
                    break;
                a1 = k;
            }
            /* but a sign of meaning (M*€) is refused, as in a word */
            for (size_t k = 0; k < wl; k += gn) {
                uint32_t cp = utf8_get(w, wl, k, &gn);
                if ((k < a0 || k >= a1) && meaning_symbol(cp)) {
                    free(els);
                    return symbol_error(b, n, code, term, term_len, w + k,
                                        wl - k);
                }
            }
            for (size_t k = a0; k < a1 && rc == 0; k += gn)
                if (!grille__is_invisible(utf8_get(w, a1, k, &gn)))
                    rc = gbuf_put(&raw, w + k, gn);
            if (rc < 0 || grille__fold(&f, raw.data ? raw.data : "", raw.len) < 0 ||
                gbuf_put(&f, "", 0) < 0) {
                gbuf_free(&raw);
                gbuf_free(&f);
                rc = GRILLE_ENOMEM;
                break;
            }
            gbuf_free(&raw);
            /* l'accueil* : the elision is its own element */
            char *ap = strchr(f.data, '\'');
            if (ap && ap > f.data && ap[1] && ap < f.data + f.len &&
                grille_text__is_elision(f.data, (size_t)(ap - f.data))) {
                size_t el = (size_t)(ap - f.data) + 1;
                cb_elem x = {.kind = ELEM_ELISION,
                          .text = cb_keep(b->cb, f.data, el),
                          .text_len = el};
                rc = x.text ? push_elem(&els, &ne, &cap, x) : GRILLE_ENOMEM;
                memmove(f.data, f.data + el, f.len - el + 1);
                f.len -= el;
            }
            if (rc == 0) {
                /* a hyphenated word's key is joined (saint-denis and
                 * Saint-Denis: saintdenis), so is the glob: saint-* */
                size_t o = 0;
                for (size_t k = 0; k < f.len; k++)
                    if (f.data[k] != '-')
                        f.data[o++] = f.data[k];
                f.len = o;
                f.data[o] = '\0';
                /* no letter: "*", "**", "?*" match (nearly) every word */
                if (strspn(f.data, "*?") == f.len) {
                    gbuf_free(&f);
                    free(els);
                    if (wl == len)
                        return fail(b, n, GRILLE_EINVALID,
                                    _("glob '%s' in theme '%s' has no "
                                      "letter: it matches every word"),
                                    grille__quote(buf, sizeof(buf), s, len),
                                    b->cb->codes[code].id);
                    char wb[100];
                    return fail(b, n, GRILLE_EINVALID,
                                _("'%s' in '%s' of theme '%s' has no "
                                  "letter: it matches every word; give it "
                                  "one, or use a proximity rule"),
                                grille__quote(wb, sizeof(wb), w, wl),
                                grille__quote(buf, sizeof(buf), s, len),
                                b->cb->codes[code].id);
                }
                cb_elem e = {.kind = ELEM_GLOB,
                             .text = cb_keep(b->cb, f.data, f.len),
                             .text_len = f.len};
                rc = e.text ? push_elem(&els, &ne, &cap, e) : GRILLE_ENOMEM;
            }
            gbuf_free(&f);
            continue;
        }
        rc = grille_text__analyse(b->an, w, wl, 0, GRILLE_UNIT_PARAGRAPH,
                                  NULL);
        size_t sym_at;
        if (rc == 0 && dropped_symbol(b->an, w, wl, &sym_at)) {
            free(els);
            return symbol_error(b, n, code, term, term_len, w + sym_at,
                                wl - sym_at);
        }
        for (size_t k = 0; k < b->an->ntoks && rc == 0; k++) {
            const grille_token *t = &b->an->toks[k];
            if (t->flags & GRILLE_TOKF_PART)
                continue;
            cb_elem e;
            if (t->kind == GRILLE_TOK_ELISION) {
                memset(&e, 0, sizeof(e));
                e.kind = ELEM_ELISION;
                e.text = cb_keep(b->cb, t->key, t->key_len);
                e.text_len = t->key_len;
                rc = e.text ? 0 : GRILLE_ENOMEM;
            } else {
                rc = word_elem(b, t, b->an->tok_entry[k], &e);
            }
            if (rc == 0)
                rc = push_elem(&els, &ne, &cap, e);
        }
    }
    if (rc < 0) {
        free(els);
        return rc == GRILLE_ENOMEM ? grille__nomem(b->err) : rc;
    }
    if (ne == 0) {
        free(els);
        return fail(b, n, GRILLE_EINVALID,
                    term_len ? _("term '%s' in theme '%s' has no word to match")
                             : _("term '%s' in theme '%s' is blank: no word to "
                                 "match"),
                    term_len ? grille__quote(buf, sizeof(buf), term, term_len)
                             : grille__quote(buf, sizeof(buf), n->str, n->len),
                    b->cb->codes[code].id);
    }
    /* a glob is one element however it is written: "r.union*" or
     * "[ée]lus*" are two words of a text, which it never matches */
    if (!exact && (ne > 1 || glob)) {
        rc = punct_between(b, n, code, s, len);
        if (rc < 0) {
            free(els);
            return rc;
        }
    }
    out->elems = els;
    out->n = ne;
    if (exact)
        *kind = GRILLE_RULE_EXACT;
    else if (ne > 1)
        *kind = GRILLE_RULE_PHRASE;
    else
        *kind = glob ? GRILLE_RULE_GLOB : GRILLE_RULE_WORD;
    return 0;
}

static int add_rule(builder *b, const ynode *n, grille_rule_kind kind,
                    size_t code, size_t *out)
{
    grille_codebook *cb = b->cb;
    if (cb->nrules >= MAX_RULES)
        return fail(b, n, GRILLE_ELIMIT, _("more than %d patterns"),
                    MAX_RULES);
    if (GROW(cb->rules, cb->rules_cap, cb->nrules + 1) < 0)
        return grille__nomem(b->err);
    cb_rule *r = &cb->rules[cb->nrules];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->code = code;
    r->line = n->line;
    r->col = n->col;
    r->text = cb_keep(cb, n->str, n->len);
    if (!r->text)
        return grille__nomem(b->err);
    *out = cb->nrules++;
    return 0;
}

/* Adds a sequence and indexes it by its first element; its elements are
 * the codebook's from then on, or freed when it cannot be added. */
static int add_seq(builder *b, cb_seq *s, size_t rule, seq_role role)
{
    grille_codebook *cb = b->cb;
    s->rule = rule;
    s->role = role;
    if (GROW(cb->seqs, cb->seqs_cap, cb->nseqs + 1) < 0) {
        free(s->elems); /* the codebook's once added: freed with it */
        return grille__nomem(b->err);
    }
    size_t id = cb->nseqs;
    cb->seqs[cb->nseqs++] = *s;
    const cb_elem *e = &s->elems[0];
    int rc = 0;
    switch (e->kind) {
    case ELEM_WORD:
        rc = smap_add(&cb->by_stem, e->stem[0], e->stem_len[0], id);
        if (rc == 0 && e->stem[1])
            rc = smap_add(&cb->by_stem, e->stem[1], e->stem_len[1], id);
        break;
    case ELEM_ELISION:
        rc = smap_add(&cb->by_key, e->text, e->text_len, id);
        break;
    case ELEM_EXACT: {
        unsigned char first = (unsigned char)e->text[0];
        cb->exact_first[first] = 1;
        cb->exact_lens |= e->text_len < 63 ? (uint64_t)1 << e->text_len
                                           : (uint64_t)1 << 63;
        rc = smap_add(&cb->by_surface, e->text, e->text_len, id);
        break;
    }
    case ELEM_KEY:
        rc = smap_add(&cb->by_wkey, e->text, e->text_len, id);
        break;
    case ELEM_GLOB:
        rc = GROW(cb->globs, cb->globs_cap, cb->nglobs + 1);
        if (rc == 0)
            rc = GROW(cb->glob_first, cb->glob_first_cap, cb->nglobs + 1);
        if (rc == 0) {
            cb->glob_first[cb->nglobs] =
                e->text_len ? (unsigned char)e->text[0] : '*';
            cb->globs[cb->nglobs++] = id;
        }
        break;
    }
    if (role == ROLE_MASK)
        cb->has_masks = true;
    return rc < 0 ? grille__nomem(b->err) : 0;
}

/* Whether text has a '~': a proximity rule, or a mistyped one (no word
 * has a tilde: a term with one would never match). */
static bool has_proximity(const char *t, size_t n)
{
    return memchr(t, '~', n) != NULL;
}

/*
 * A phrase's other spelling, as a second sequence of its rule: plain words
 * also match them hyphenated ("gestes barrières" the word
 * "gestes-barrières", whose parts a phrase does not follow).  The
 * hyphenated word is known by its key (folded, without its hyphens), not
 * its stem: the stem of "formé-à" is that of "forme".  A phrase with an
 * elision, a glob, an exact form or a number first has none; nor has a
 * hyphenated term the phrase of its parts, which would be other words
 * ("peut-être" and "il peut être là").
 */
static int other_spelling_of(builder *b, const char *t, size_t len,
                             seq_role role, size_t r)
{
    while (len && (*t == ' ' || *t == '\t')) {
        t++;
        len--;
    }
    while (len && (t[len - 1] == ' ' || t[len - 1] == '\t'))
        len--;
    unsigned char first = len ? (unsigned char)t[0] : 0;
    if (!((first & 0x80) || ((first | 32) >= 'a' && (first | 32) <= 'z')))
        return 0; /* "=ARS", "1 000", "*": none */
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ' ')
            space = true;
        else if (!(c & 0x80) && !((c | 32) >= 'a' && (c | 32) <= 'z') &&
                 !(c >= '0' && c <= '9'))
            return 0; /* a glob, an apostrophe, a hyphen, punctuation */
    }
    if (!space)
        return 0; /* one word */
    gbuf f = {0};
    if (grille__fold(&f, t, len) < 0 || gbuf_put(&f, "", 0) < 0) {
        gbuf_free(&f);
        return grille__nomem(b->err);
    }
    size_t k = 0;
    for (size_t i = 0; i < f.len; i++)
        if (f.data[i] != ' ' && f.data[i] != '-')
            f.data[k++] = f.data[i];
    f.data[k] = '\0';
    cb_elem *e = malloc(sizeof(*e));
    char *key = cb_keep(b->cb, f.data, k);
    gbuf_free(&f);
    if (!e || !key) {
        free(e);
        return grille__nomem(b->err);
    }
    *e = (cb_elem){.kind = ELEM_KEY, .text = key, .text_len = k,
                   .compound_only = true};
    cb_seq s2 = {.elems = e, .n = 1};
    return add_seq(b, &s2, r, role);
}

static int other_spelling(builder *b, const ynode *n, seq_role role, size_t r)
{
    return other_spelling_of(b, n->str, n->len, role, r);
}

static int term_rule_as(builder *b, const ynode *n, size_t code,
                        seq_role role)
{
    cb_seq s;
    grille_rule_kind kind;
    size_t r;
    char buf[200];
    const char *where = role == ROLE_MASK ? "exclude" : "terms";
    /* the other kinds' forms, which kwic reads, would never match here */
    if (n->type == Y_SCALAR && n->len >= 2 && n->str[0] == '/' &&
        n->str[n->len - 1] == '/')
        return fail(b, n, GRILLE_EINVALID,
                    role == ROLE_MASK
                        ? _("'%s' under '%s' of theme '%s' is written as a "
                            "regex, which cannot be excluded: exclude a "
                            "word, a phrase, a glob or an exact form")
                        : _("'%s' under '%s' of theme '%s' is written as a "
                            "regex: put it under 'regex:', without its "
                            "slashes"),
                    q(buf, sizeof(buf), n->str), where,
                    b->cb->codes[code].id);
    if (n->type == Y_SCALAR && has_proximity(n->str, n->len))
        return fail(b, n, GRILLE_EINVALID,
                    role == ROLE_MASK
                        ? _("'%s' under '%s' of theme '%s' is a proximity "
                            "rule, which cannot be excluded: exclude a "
                            "word, a phrase, a glob or an exact form")
                        : _("'%s' under '%s' of theme '%s' is a proximity "
                            "rule: put it under 'near:'"),
                    q(buf, sizeof(buf), n->str), where,
                    b->cb->codes[code].id);
    int rc = compile_term(b, n, code, n->str, n->len, &s, &kind);
    if (rc < 0)
        return rc;
    rc = add_rule(b, n, role == ROLE_MASK ? GRILLE_RULE_EXCLUDE : kind, code,
                  &r);
    if (rc == 0)
        rc = add_seq(b, &s, r, role);
    else {
        free(s.elems);
        return rc;
    }
    if (rc == 0 && n->type == Y_SCALAR)
        rc = other_spelling(b, n, role, r);
    return rc;
}

/* The end of the group that opens at p[i] ('('), past its ')': escapes
 * and character classes skipped; 0 when it does not close. */
static size_t group_end(const char *p, size_t n, size_t i)
{
    size_t depth = 0;
    bool cls = false;
    for (; i < n; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (cls) {
            cls = p[i] != ']';
        } else if (p[i] == '[') {
            cls = true;
            if (i + 1 < n && p[i + 1] == ']')
                i++; /* []...]: a ']' first is one of the class */
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')' && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

/* Whether a regex, or one of its branches, is assertions alone
 * ('(?=santé)', '\\b(?!x)', '(?:(?=a))', 'a|(?=b)'): it has matches that
 * are empty, which PCRE2's minimum length (of the text a match needs)
 * does not tell.  Such a branch is a run of anchors, \\b and the like,
 * lookarounds, and groups with such a branch. */
static bool only_assertions(const char *p, size_t n)
{
    size_t i = 0;
    bool ok = true, any = false; /* this branch so far; one item seen */
    while (i <= n) {
        if (i == n || p[i] == '|') {
            if (ok && any)
                return true;
            ok = true;
            any = false;
            i++;
        } else if (p[i] == '^' || p[i] == '$') {
            i++;
            any = true;
        } else if (p[i] == '\\' && i + 1 < n && strchr("bBAzZG", p[i + 1])) {
            i += 2;
            any = true;
        } else if (p[i] == '(') {
            size_t e = group_end(p, n, i);
            if (!e)
                return false;
            bool look = e - i > 3 && p[i + 1] == '?' &&
                        (p[i + 2] == '=' || p[i + 2] == '!' ||
                         (p[i + 2] == '<' &&
                          (p[i + 3] == '=' || p[i + 3] == '!')));
            size_t in = i + 1; /* a group: one of its branches */
            if (!look && p[i + 1] == '?' &&
                (p[i + 2] == ':' || p[i + 2] == '>'))
                in = i + 3;
            else if (!look && p[i + 1] == '?')
                ok = false; /* (?i), named groups...: not followed */
            if (!look && ok && !only_assertions(p + in, e - 1 - in))
                ok = false;
            i = e;
            any = true;
        } else {
            ok = false;
            i++;
            if (p[i - 1] == '\\' && i < n)
                i++; /* an escaped character */
            else if (p[i - 1] == '[' && i < n) {
                /* a class: up to its ']' */
                if (p[i] == '^')
                    i++;
                if (i < n && p[i] == ']')
                    i++;
                while (i < n && p[i] != ']')
                    i += p[i] == '\\' ? 2 : 1;
                i++;
            }
        }
    }
    return false;
}

/* Whether a regex (one that compiles) uses \\K, outside \\Q...\\E,
 * classes and comments (?#...): it moves the start of what a match
 * reports, so that a match may report empty text ('a\\K') or only its
 * end ('sant\\Ké').  A class is skipped before a comment is looked for:
 * '[(?#]' is a class, '(?#[)' a comment.  (PCRE2 refuses \\K in a class
 * and in a lookaround; a \\K in an (?x) comment is refused too, wrongly
 * but plainly.) */
static bool resets_start(const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (p[i] == '\\' && i + 1 < n) {
            if (p[i + 1] == 'K')
                return true;
            if (p[i + 1] == 'Q') { /* quoted up to \E */
                for (i += 2; i < n && !(p[i] == '\\' && i + 1 < n &&
                                        p[i + 1] == 'E');)
                    i++;
            } else if (p[i + 1] == 'c') { /* \cX: a control character */
                i++;
            }
            i += 2;
        } else if (p[i] == '[') { /* a class: up to its ']' */
            i++;
            if (i < n && p[i] == '^')
                i++;
            if (i < n && p[i] == ']') /* a first ']' is one */
                i++;
            while (i < n && p[i] != ']') {
                if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
                    /* [:alpha:], its ']' not the class's */
                    const char *e = strstr(p + i + 2, ":]");
                    i = e && (size_t)(e - p) < n ? (size_t)(e - p) + 2 : i + 1;
                    continue;
                }
                i += p[i] == '\\' ? 2 : 1;
            }
            i++;
        } else if (p[i] == '(' && i + 2 < n && p[i + 1] == '?' &&
                   p[i + 2] == '#') { /* a comment, up to its ')' */
            while (i < n && p[i] != ')')
                i++;
        } else {
            i++;
        }
    }
    return false;
}

/* Whether a text written as a pattern could be one: no space (a word, a
 * glob), or a wildcard. */
static bool pattern_like(const ynode *v)
{
    return !memchr(v->str, ' ', v->len) || memchr(v->str, '*', v->len);
}

/* Whether top-level key k with value v is one of a codebook's texts,
 * not a theme of a plain dictionary: a name, a language, prose for a
 * description, a person's name (or a list of them) for an author, a
 * version number.  A dictionary may have themes 'version: versi*' or
 * 'description: descri*'. */
static bool codebook_text(const ynode *k, const ynode *v)
{
    if (strcmp(k->str, "author") == 0 && v->type == Y_SEQ && v->n) {
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i]->type != Y_SCALAR || pattern_like(v->items[i]))
                return false;
        return true; /* [Claire Martin, Karim Haddad] */
    }
    if (v->type != Y_SCALAR)
        return false;
    if (strcmp(k->str, "name") == 0 || strcmp(k->str, "language") == 0)
        return true;
    if (strcmp(k->str, "description") == 0 || strcmp(k->str, "author") == 0)
        return !pattern_like(v);
    return strcmp(k->str, "version") == 0 &&
           (v->len == 0 || (v->str[0] >= '0' && v->str[0] <= '9') ||
            ((v->str[0] == 'v' || v->str[0] == 'V') && v->str[1] >= '0' &&
             v->str[1] <= '9'));
}

/*
 * A literal that every match of regex p[0, n) holds, into out (at most 31
 * bytes, lowercase): the longest run of plain ASCII characters outside
 * any group, less a character a quantifier makes optional ("collectes?":
 * collecte; "\b11/0?5": 11/).  0 when there is none of 3 or more, or
 * when the pattern has what this reading does not follow: an
 * alternative, a class it cannot close, \Q, options set inline ((?x)
 * would make spaces no part of it), a verb.  k and s end a run: caseless
 * matching takes the Kelvin sign and the long s for them.
 */
static size_t required_literal(const char *p, size_t n, char out[32])
{
    if (memchr(p, '|', n))
        return 0;
    char run[32];
    size_t rl = 0, best = 0;
    int depth = 0;
#define END_RUN()                                                            \
    do {                                                                     \
        if (rl > best) {                                                     \
            best = rl;                                                       \
            memcpy(out, run, rl);                                            \
        }                                                                    \
        rl = 0;                                                              \
    } while (0)
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\\') {
            if (i + 1 >= n || p[i + 1] == 'Q')
                return 0;
            END_RUN();
            char e = p[i + 1];
            i += 2;
            if (strchr("pPxNgkoc", e) && i < n &&
                strchr("{<'", p[i]) != NULL && p[i])
                return 0; /* \p{L}, \x{e9}, \g{1}: not followed */
            /* an escape with an argument of its own, of a length not
             * followed here (\pL, \x45, \105, \g1, \cJ, \0): no text
             * after it is read as a literal ("\pLlus" needs no "llus",
             * "\x45lus" no "45lus"); the runs before it stand */
            if (strchr("pPxgcNo0123456789", e))
                break;
            continue;
        }
        if (c == '(') {
            if (i + 1 < n && (p[i + 1] == '*' ||
                              (p[i + 1] == '?' && i + 2 < n &&
                               !strchr("=!<:>", p[i + 2]))))
                return 0; /* (*VERB), (?i), (?x), (?|...) */
            END_RUN();
            depth++;
            i++;
            continue;
        }
        if (c == ')') {
            END_RUN();
            depth--;
            i++;
            continue;
        }
        if (c == '[') {
            END_RUN();
            size_t j = i + 1;
            if (j < n && p[j] == '^')
                j++;
            if (j < n && p[j] == ']')
                j++;
            while (j < n && p[j] != ']') {
                if (p[j] == '\\')
                    j++;
                else if (p[j] == '[' && j + 1 < n && p[j + 1] == ':')
                    return 0; /* [[:alpha:]] */
                j++;
            }
            if (j >= n)
                return 0;
            i = j + 1;
            continue;
        }
        if (c == '?' || c == '*' || c == '{') {
            if (rl)
                rl--; /* the character before may be absent */
            END_RUN();
            if (c == '{') {
                while (i < n && p[i] != '}')
                    i++;
            }
            i++;
            if (i < n && (p[i] == '?' || p[i] == '+'))
                i++; /* lazy, possessive */
            continue;
        }
        if (c == '+') {
            END_RUN();
            i++;
            if (i < n && (p[i] == '?' || p[i] == '+'))
                i++;
            continue;
        }
        bool plain = c >= 0x20 && c < 0x7F && !strchr(".^$]}", c) &&
                     (c | 0x20) != 'k' && (c | 0x20) != 's';
        if (!plain || depth != 0) {
            END_RUN();
            i++;
            continue;
        }
        /* a plain character, but one a quantifier may follow: taken, and
         * given back above if one does */
        if (rl == sizeof(run) - 1)
            END_RUN();
        run[rl++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        i++;
    }
    END_RUN();
#undef END_RUN
    return best >= 3 ? best : 0;
}

static int regex_rule(builder *b, const ynode *n, size_t code)
{
    int errcode;
    PCRE2_SIZE erroff;
    char buf[200];
    if (n->type == Y_SCALAR && n->len == 0)
        return fail(b, n, GRILLE_EINVALID, _("empty regex in theme '%s'"),
                    b->cb->codes[code].id);
    /* "\bmot\b" in double quotes: YAML reads \b as a backspace, and the
     * regex never matches */
    for (size_t i = 0; n->type == Y_SCALAR && i < n->len; i++) {
        unsigned char c = (unsigned char)n->str[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return fail(b, n, GRILLE_EINVALID,
                        _("regex '%s' in theme '%s' holds the control "
                          "character U+%04X at byte %zu: in double quotes, "
                          "YAML reads \\b as a backspace; write the regex "
                          "in single quotes ('\\bmot\\b')"),
                        q(buf, sizeof(buf), n->str), b->cb->codes[code].id,
                        c, i);
    }
    if (n->type == Y_SCALAR && n->len > 2 && n->str[0] == '/' &&
        n->str[n->len - 1] == '/') {
        /* kwic's way of writing a regex: here the slashes would be
         * matched */
        char bare[200];
        grille__quote(bare, sizeof(bare), n->str + 1, n->len - 2);
        return fail(b, n, GRILLE_EINVALID,
                    _("regex '%s' in theme '%s' is written between slashes, "
                      "which it would look for in the text: write it "
                      "without them ('%s')"),
                    q(buf, sizeof(buf), n->str), b->cb->codes[code].id,
                    bare);
    }
    /* \C (one byte) would end a match inside a character: a coding that
     * cuts one, and an offset the next match may not start from */
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)n->str, n->len,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS |
                                       PCRE2_NEVER_BACKSLASH_C,
                                   &errcode, &erroff, NULL);
    uint32_t minlen = 1;
    const char *useless = NULL; /* why a regex that compiles codes nothing */
    if (re && ((pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &minlen) == 0 &&
                minlen == 0) ||
               only_assertions(n->str, n->len)))
        /* '^', '\b', 'x*', 'x|': an empty match codes nothing, and a
         * regex that may match empty text is one mistyped */
        useless = _("regex '%s' in theme '%s' can match empty text (an "
                    "empty match codes nothing): make it need a character "
                    "('a+' rather than 'a*'; no lone '^', '\\b' or "
                    "lookaround '(?=...)')");
    else if (re && resets_start(n->str, n->len))
        useless = _("regex '%s' in theme '%s' uses \\K, which moves the "
                    "start of a match: it would code only the text after "
                    "\\K, or nothing; match what comes before with a "
                    "lookbehind '(?<=...)'");
    if (useless) {
        pcre2_code_free(re);
        return fail(b, n, GRILLE_EINVALID, useless,
                    q(buf, sizeof(buf), n->str), b->cb->codes[code].id);
    }
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        /* "\u2019", as JavaScript and Python write a character: PCRE2
         * writes it \x{2019} */
        bool u = errcode == PCRE2_ERROR_UNSUPPORTED_ESCAPE_SEQUENCE &&
                 erroff >= 2 && erroff <= n->len &&
                 n->str[erroff - 1] == 'u' && n->str[erroff - 2] == '\\';
        int rc = fail(b, n, GRILLE_EINVALID,
                      u ? _("bad regex '%s' in theme '%s': %s at offset %zu "
                            "(a character by its code is written \\x{2019} "
                            "here, not \\u2019)")
                        : _("bad regex '%s' in theme '%s': %s at offset %zu"),
                      q(buf, sizeof(buf), n->str),
                      b->cb->codes[code].id, (const char *)msg,
                      (size_t)erroff);
        if (b->err)
            b->err->detail = errcode;
        return rc;
    }
    /* The JIT is an optimisation: a machine without it still matches. */
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    size_t r;
    int rc = add_rule(b, n, GRILLE_RULE_REGEX, code, &r);
    if (rc < 0) {
        pcre2_code_free(re);
        return rc;
    }
    b->cb->rules[r].re = re;
    b->cb->rules[r].lit_len =
        (unsigned char)required_literal(n->str, n->len, b->cb->rules[r].lit);
    if (GROW(b->cb->regexes, b->cb->regexes_cap, b->cb->nregexes + 1) < 0)
        return grille__nomem(b->err);
    b->cb->regexes[b->cb->nregexes++] = r;
    return 0;
}

/* "A ~N B": A and B terms, N a number of words. */
static int near_rule_as(builder *b, const ynode *n, size_t code)
{
    char buf[200];
    const char *s = n->str;
    const char *id = b->cb->codes[code].id;
    size_t lead = strspn(s, " \t");
    const char *tilde = strstr(s, "~");
    char *endp;
    if (!tilde || tilde[1] < '0' || tilde[1] > '9' ||
        (tilde > s + lead && tilde[-1] != ' ' && tilde[-1] != '\t'))
        goto bad;
    unsigned long dist = strtoul(tilde + 1, &endp, 10);
    if (*endp != ' ' && *endp != '\t' && *endp)
        goto bad;
    if (tilde == s + lead) /* "~5 b": the term before ~N is missing */
        return fail(b, n, GRILLE_ESYNTAX,
                    _("bad proximity rule '%s' in theme '%s': its A, the "
                      "term before '~%lu', is missing (expected 'A ~N B', "
                      "e.g. 'réunion* ~5 distance')"),
                    q(buf, sizeof(buf), s), id, dist);
    size_t la = (size_t)(tilde - s);
    const char *bs = endp;
    while (*bs == ' ' || *bs == '\t')
        bs++;
    if (!*bs) /* "a ~5": the term after ~N is missing */
        return fail(b, n, GRILLE_ESYNTAX,
                    _("bad proximity rule '%s' in theme '%s': its B, the "
                      "term after '~%lu', is missing (expected 'A ~N B', "
                      "e.g. 'réunion* ~5 distance')"),
                    q(buf, sizeof(buf), s), id, dist);
    if (strchr(bs, '~'))
        goto bad;
    if (dist < 1 || dist > MAX_NEAR)
        return fail(b, n, GRILLE_EINVALID,
                    _("bad proximity rule '%s' in theme '%s': the distance "
                      "must be from 1 to %d words"),
                    q(buf, sizeof(buf), s), id, MAX_NEAR);
    /* A and B are terms: a regex between slashes would lose its slashes
     * and be matched as words or globs */
    size_t ta = la, tb = strlen(bs);
    while (ta && (s[ta - 1] == ' ' || s[ta - 1] == '\t'))
        ta--;
    while (tb && (bs[tb - 1] == ' ' || bs[tb - 1] == '\t'))
        tb--;
    if ((ta >= 2 && s[0] == '/' && s[ta - 1] == '/') ||
        (tb >= 2 && bs[0] == '/' && bs[tb - 1] == '/'))
        return fail(b, n, GRILLE_EINVALID,
                    _("bad proximity rule '%s' in theme '%s': its sides are "
                      "terms (words, phrases, globs, exact forms), not "
                      "regexes between slashes"),
                    q(buf, sizeof(buf), s), id);
    cb_seq sa, sb;
    grille_rule_kind ka, kb;
    int rc = compile_term(b, n, code, s, la, &sa, &ka);
    if (rc < 0)
        return rc;
    rc = compile_term(b, n, code, bs, strlen(bs), &sb, &kb);
    if (rc < 0) {
        free(sa.elems);
        return rc;
    }
    size_t r;
    rc = add_rule(b, n, GRILLE_RULE_NEAR, code, &r);
    if (rc == 0) {
        b->cb->rules[r].dist = (unsigned)dist;
        rc = add_seq(b, &sa, r, ROLE_NEAR_A);
        if (rc == 0)
            rc = add_seq(b, &sb, r, ROLE_NEAR_B);
        else
            free(sb.elems);
        /* a phrase's hyphenated spelling, as a term's (term_rule) */
        if (rc == 0)
            rc = other_spelling_of(b, s, ta, ROLE_NEAR_A, r);
        if (rc == 0)
            rc = other_spelling_of(b, bs, tb, ROLE_NEAR_B, r);
        return rc;
    }
    free(sa.elems);
    free(sb.elems);
    return rc;
bad:
    return fail(b, n, GRILLE_ESYNTAX,
                _("bad proximity rule '%s' in theme '%s': expected 'A ~N "
                  "B', e.g. 'réunion* ~5 distance'"),
                q(buf, sizeof(buf), s), b->cb->codes[code].id);
}

/* n's text with each space of another kind (a no-break space, as Word
 * puts before '?' and inside « », a thin space) as ' ', in a copy of n
 * that *out holds (its str to free); false when it has none. */
static bool plain_spaces(const ynode *n, ynode *out, int *rc)
{
    *rc = 0;
    bool any = false;
    for (size_t i = 0, cn; n->type == Y_SCALAR && i < n->len && !any;
         i += cn) {
        uint32_t cp = utf8_get(n->str, n->len, i, &cn);
        any = cp >= 0x80 && grille__is_space(cp);
    }
    if (!any)
        return false;
    char *c = malloc(n->len + 1);
    if (!c) {
        *rc = GRILLE_ENOMEM;
        return false;
    }
    size_t o = 0;
    for (size_t i = 0, cn; i < n->len; i += cn) {
        uint32_t cp = utf8_get(n->str, n->len, i, &cn);
        if (cp >= 0x80 && grille__is_space(cp)) {
            c[o++] = ' ';
        } else {
            memcpy(c + o, n->str + i, cn);
            o += cn;
        }
    }
    c[o] = '\0';
    *out = *n;
    out->str = c;
    out->len = o;
    return true;
}

/* A term, or a proximity rule, with its spaces made plain: "santé\u00a0?"
 * was one word holding '?', a glob that matched nothing. */
static int term_rule(builder *b, const ynode *n, size_t code, seq_role role)
{
    ynode copy;
    int rc;
    if (!plain_spaces(n, &copy, &rc))
        return rc < 0 ? grille__nomem(b->err) : term_rule_as(b, n, code, role);
    rc = term_rule_as(b, &copy, code, role);
    free(copy.str);
    return rc;
}

static int near_rule(builder *b, const ynode *n, size_t code)
{
    ynode copy;
    int rc;
    if (!plain_spaces(n, &copy, &rc))
        return rc < 0 ? grille__nomem(b->err) : near_rule_as(b, n, code);
    rc = near_rule_as(b, &copy, code);
    free(copy.str);
    return rc;
}

/* A list of patterns (or a single scalar) under key `what`. */
static int patterns(builder *b, const ynode *v, size_t code, const char *what,
                    int (*one)(builder *, const ynode *, size_t, int))
{
    if (v->type == Y_SCALAR &&
        (v->len == 0 ||
         (v->plain && grille_ytree__null(v->str, v->len)))) /* nothing */
        return fail(b, v, GRILLE_ESYNTAX,
                    _("'%s' of theme '%s' is empty: give it a list of "
                      "patterns, or leave the key out"),
                    what, b->cb->codes[code].id);
    if (v->type == Y_SCALAR)
        return one(b, v, code, 0);
    if (v->type != Y_SEQ)
        return fail(b, v, GRILLE_ESYNTAX,
                    _("'%s' of theme '%s' must be a list of patterns"), what,
                    b->cb->codes[code].id);
    for (size_t i = 0; i < v->n; i++) {
        const ynode *p = v->items[i];
        if (p->type == Y_MAP && p->n == 2 && p->items[0]->type == Y_SCALAR &&
            p->items[1]->type == Y_SCALAR) {
            /* [Covid : masques], "- note: masques": YAML's key and value */
            char kb[100], vb[100];
            return fail(b, p, GRILLE_ESYNTAX,
                        _("an item of '%s' of theme '%s', '%s: %s', is read "
                          "by YAML as a key and its value (a ': ' in it): "
                          "put the pattern in quotes"),
                        what, b->cb->codes[code].id,
                        q(kb, sizeof(kb), p->items[0]->str),
                        q(vb, sizeof(vb), p->items[1]->str));
        }
        if (p->type != Y_SCALAR)
            return fail(b, p, GRILLE_ESYNTAX,
                        _("'%s' of theme '%s' must be a list of patterns"),
                        what, b->cb->codes[code].id);
        if (p->plain && grille_ytree__null(p->str, p->len))
            return fail(b, p, GRILLE_ESYNTAX,
                        _("an item of '%s' of theme '%s' is empty (YAML "
                          "reads '-' alone, ~ and null as nothing): give it "
                          "a pattern, or remove it"),
                        what, b->cb->codes[code].id);
        int rc = one(b, p, code, 0);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int one_term(builder *b, const ynode *n, size_t code, int unused)
{
    (void)unused;
    return term_rule(b, n, code, ROLE_HIT);
}

static int one_exclude(builder *b, const ynode *n, size_t code, int unused)
{
    (void)unused;
    return term_rule(b, n, code, ROLE_MASK);
}

static int one_regex(builder *b, const ynode *n, size_t code, int unused)
{
    (void)unused;
    return regex_rule(b, n, code);
}

static int one_near(builder *b, const ynode *n, size_t code, int unused)
{
    (void)unused;
    return near_rule(b, n, code);
}

static bool valid_color(const char *s)
{
    size_t n = strlen(s);
    if ((n != 7 && n != 4) || s[0] != '#')
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* "#abc" -> "#aabbcc", lowercase. */
static char *norm_color(const char *s)
{
    char out[8];
    static const char hex[] = "0123456789abcdef";
    out[0] = '#';
    for (int i = 0; i < 6; i++) {
        char c = strlen(s) == 4 ? s[1 + i / 2] : s[1 + i];
        c = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
        out[1 + i] = c;
    }
    out[7] = '\0';
    (void)hex;
    return grille__strndup(out, 7);
}

/* a theme's keys, then skip_speakers */
const char *const grille__reserved_ids[] = {
    "label", "description", "color",    "terms",         "regex",
    "exclude", "near",      "children", "skip_speakers", NULL};

static bool is_theme_key(const char *k)
{
    for (size_t i = 0; grille__reserved_ids[i]; i++)
        if (strcmp(k, grille__reserved_ids[i]) == 0)
            return strcmp(k, "skip_speakers") != 0;
    return false;
}

/* Whether theme mapping v has a key that gives it patterns or children:
 * one that has none, followed by a theme's key ("label:" then "terms:" one
 * level too far left), had its key misplaced. */
static bool has_rule_key(const ynode *v)
{
    static const char *const rules[] = {"terms", "regex", "near", "children",
                                        NULL};
    for (size_t i = 0; i + 1 < v->n; i += 2)
        for (size_t k = 0; rules[k]; k++)
            if (v->items[i]->type == Y_SCALAR &&
                strcmp(v->items[i]->str, rules[k]) == 0)
                return true;
    return false;
}

/* Whether k is "children" with a letter missing, extra, changed or two
 * swapped ("chidren", "childs", "chlidren"): its typo, not a sub-theme. */
static bool near_children(const char *k)
{
    static const char w[] = "children";
    size_t n = strlen(k), m = sizeof(w) - 1;
    if (n + 1 < m || n > m + 1)
        return false;
    size_t i = 0;
    while (i < n && i < m && k[i] == w[i])
        i++;
    size_t a = n, c = m;
    while (a > i && c > i && k[a - 1] == w[c - 1]) {
        a--;
        c--;
    }
    /* what differs, after the common start and end: one letter at most
     * on each side, or two swapped */
    return (a - i <= 1 && c - i <= 1) ||
           (a - i == 2 && c - i == 2 && k[i] == w[i + 1] && k[i + 1] == w[i]);
}

static int check_id(builder *b, const ynode *k, bool dict)
{
    char buf[200];
    if (k->type != Y_SCALAR)
        return fail(b, k, GRILLE_ESYNTAX, "%s",
                    _("a theme id must be a plain string"));
    if (k->len == 0)
        return fail(b, k, GRILLE_EINVALID, "%s", _("empty theme id"));
    if (k->plain && grille_ytree__null(k->str, k->len))
        /* "~: [x]", "null: [x]": YAML's nothing, read as a theme "~" */
        return fail(b, k, GRILLE_EINVALID,
                    _("theme id '%s' is YAML's nothing (null): give the "
                      "theme a name, or quote it (\"%s\")"),
                    k->str, k->str);
    if (strcmp(k->str, "skip_speakers") == 0)
        /* indented under themes (or a theme): it would code the words of
         * its labels */
        return fail(b, k, GRILLE_ESYNTAX, "%s",
                    _("'skip_speakers' is not a theme: it goes at the top of "
                      "the codebook, not indented"));
    if (!dict && is_theme_key(k->str))
        /* a theme's key one level too far left: it would be a theme of
         * its own, and a label a theme coding its words */
        return fail(b, k, GRILLE_ESYNTAX,
                    _("'%s' is a key of a theme, not a theme id: indent it "
                      "under its theme's id"),
                    k->str);
    for (size_t i = 0; i < k->len; i++) {
        unsigned char c = (unsigned char)k->str[i];
        /* C0, DEL and C1 (U+0080..U+009F) */
        if (c == '/' || c < 0x20 || c == 0x7F ||
            (c == 0xC2 && i + 1 < k->len &&
             (unsigned char)k->str[i + 1] >= 0x80 &&
             (unsigned char)k->str[i + 1] <= 0x9F))
            return fail(b, k, GRILLE_EINVALID,
                        _("bad theme id '%s': it may not contain '/' or "
                          "control characters"),
                        q(buf, sizeof(buf), k->str));
    }
    /* "sante\u200B" or "sante\u00A0" beside "sante": two ids that
     * print alike in every table.  Refused: a character that prints as
     * nothing (a zero-width space, a direction mark), anywhere, and a
     * space of another kind at an end; inside, a no-break space (French
     * typography: « aller vers ») and a joiner (emoji) are the id's. */
    for (size_t i = 0, n; i < k->len; i += n) {
        uint32_t cp = utf8_get(k->str, k->len, i, &n);
        bool end = i == 0 || i + n == k->len;
        if (cp >= 0x80 &&
            (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD ||
             cp == 0x200E || cp == 0x200F || cp == 0x061C ||
             (cp >= 0x202A && cp <= 0x202E) ||
             (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
             cp == 0x2029 || cp == 0x85 ||
             (end && (grille__is_space(cp) || cp == 0x200C ||
                      cp == 0x200D))))
            return fail(b, k, GRILLE_EINVALID,
                        _("bad theme id '%s': it holds U+%04X at byte %zu, "
                          "which prints as nothing or as a space (an id "
                          "reading like another's): write it with letters, "
                          "digits and ordinary spaces"),
                        q(buf, sizeof(buf), k->str), (unsigned)cp, i);
    }
    /* "sante " beside "sante": two ids that read as one, in every table
     * and in a gold standard, whose cells are trimmed */
    if (k->str[0] == ' ' || k->str[k->len - 1] == ' ')
        return fail(b, k, GRILLE_EINVALID,
                    _("bad theme id '%s': it starts or ends with a space"),
                    q(buf, sizeof(buf), k->str));
    return 0;
}

static int add_code(builder *b, const ynode *k, long parent, size_t *out)
{
    grille_codebook *cb = b->cb;
    char buf[200];
    if (cb->ncodes >= MAX_CODES)
        return fail(b, k, GRILLE_ELIMIT, _("more than %d themes"), MAX_CODES);
    gbuf id = {0};
    if ((parent >= 0 && (gbuf_puts(&id, cb->codes[parent].id) < 0 ||
                         gbuf_putc(&id, '/') < 0)) ||
        gbuf_put(&id, k->str, k->len) < 0) {
        gbuf_free(&id);
        return grille__nomem(b->err);
    }
    /* a duplicate full path can only come from the same map (a key
     * given twice), found by a hash: 100,000 themes compared pairwise
     * took seconds */
    if (grille__smap_get(&b->ids, id.data, id.len,
                         grille__hash(id.data, id.len))) {
        int rc = fail(b, k, GRILLE_EINVALID, _("duplicate id '%s'"),
                      q(buf, sizeof(buf), id.data));
        gbuf_free(&id);
        return rc;
    }
    if (GROW(cb->codes, cb->codes_cap, cb->ncodes + 1) < 0) {
        gbuf_free(&id);
        return grille__nomem(b->err);
    }
    cb_code *c = &cb->codes[cb->ncodes];
    memset(c, 0, sizeof(*c));
    c->id = id.data;
    c->parent = parent;
    c->depth = parent >= 0 ? cb->codes[parent].depth + 1 : 0;
    c->line = k->line;
    *out = cb->ncodes++;
    return smap_add(&b->ids, c->id, id.len, *out) < 0 ? grille__nomem(b->err)
                                                      : 0;
}

static int theme(builder *b, const ynode *k, const ynode *v, long parent,
                 bool dict);

/* A map of id -> theme. */
/* s[0, n) with its runs of white space (no-break ones too) made one
 * space and none around it, in place; returns the new length. */
static size_t one_spaces(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        uint32_t c = utf8_get(s, n, i, &k);
        if (grille__is_space(c)) {
            if (o && s[o - 1] != ' ')
                s[o++] = ' ';
        } else {
            memmove(s + o, s + i, k);
            o += k;
        }
        i += k;
    }
    while (o && s[o - 1] == ' ')
        o--;
    return o;
}

int grille__speaker_key(gbuf *out, const char *s, size_t len)
{
    out->len = 0;
    if (grille__fold(out, s, len) < 0)
        return GRILLE_ENOMEM;
    out->len = one_spaces(out->data, out->len);
    /* a letter and its dot, "R." as a transcript's turns "R. Nous
     * avons…" write it: the letter those turns are labelled with (R), so
     * that skip_speakers: [R.] skips them (it skipped none) */
    if (out->len == 2 && out->data[1] == '.' &&
        (unsigned)((out->data[0] | 0x20) - 'a') < 26u)
        out->len = 1;
    return gbuf_put(out, "", 0) < 0 ? GRILLE_ENOMEM : 0;
}

bool grille__skip_speaker(const grille_codebook *cb, const char *key,
                          size_t len)
{
    if (grille__smap_get(&cb->skip_index, key, len, grille__hash(key, len)))
        return true;
    for (size_t i = 0; i < cb->nskip_prefix; i++) {
        const char *k = cb->skip_keys[cb->skip_prefix[i]];
        size_t n = strlen(k); /* its '*' last */
        if (len >= n - 1 && memcmp(k, key, n - 1) == 0)
            return true;
        /* "R.*": the turns "R. Nous avons…", whose key is the letter
         * (grille__speaker_key drops its dot), start with "R." too */
        if (n == 3 && k[1] == '.' && len == 1 && key[0] == k[0])
            return true;
    }
    return false;
}

/* Whether a label of skip_speakers can be a turn's: tried as text.md
 * reads one, once trimmed, its decomposed accents composed and its runs
 * of spaces made one (as the comparison does). */
static bool could_be_label(const char *label)
{
    char *c = grille__attr_clean(label);
    if (!c)
        return true; /* out of memory: not this check's to say */
    bool ok = grille_text__speaker_label(c, one_spaces(c, strlen(c)));
    free(c);
    return ok;
}

/* Whether two labels of one key differ by a letter's dot only (R and
 * R.): grille__speaker_key makes them one speaker. */
static bool ends_in_dot(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n && s[n - 1] == '.';
}

static bool dot_twins(const char *a, const char *b)
{
    return ends_in_dot(a) != ends_in_dot(b);
}

/* skip_speakers: the labels of the turns that are not coded (the
 * interviewer's), as written and as compared (folded). */
static int skip_speakers(builder *b, const ynode *v)
{
    grille_codebook *cb = b->cb;
    char buf[200];
    if (v->type != Y_SEQ)
        return fail(b, v, GRILLE_ESYNTAX, "%s",
                    _("'skip_speakers' must be a list of speaker labels, "
                      "as in skip_speakers: [Q, Enquêtrice]"));
    if (cb->skip)
        return fail(b, v, GRILLE_ESYNTAX, "%s",
                    _("'skip_speakers' given twice"));
    cb->skip = calloc(v->n + 1, sizeof(*cb->skip));
    cb->skip_keys = calloc(v->n + 1, sizeof(*cb->skip_keys));
    cb->skip_prefix = calloc(v->n + 1, sizeof(*cb->skip_prefix));
    if (!cb->skip || !cb->skip_keys || !cb->skip_prefix)
        return grille__nomem(b->err);
    gbuf key = {0};
    int rc = 0;
    for (size_t i = 0; i < v->n && rc == 0; i++) {
        const ynode *x = v->items[i];
        if (x->type != Y_SCALAR) {
            /* "- Q :" is read by YAML as a mapping */
            rc = fail(b, x, GRILLE_ESYNTAX, "%s",
                      x->type == Y_MAP
                          ? _("a speaker label in 'skip_speakers' must be a "
                              "string: write it without its colon (Q, not "
                              "Q :)")
                          : _("a speaker label in 'skip_speakers' must be a "
                              "string"));
            break;
        }
        bool control = false;
        for (size_t j = 0; j < x->len; j++)
            control |= (unsigned char)x->str[j] < 0x20 ||
                       (unsigned char)x->str[j] == 0x7F;
        if (grille__speaker_key(&key, x->str, strlen(x->str)) < 0) {
            rc = grille__nomem(b->err);
            break;
        }
        size_t n = strlen(key.data);
        const char *bad = NULL;
        if (n == 0 || strcmp(key.data, "*") == 0)
            bad = _("empty speaker label '%s' in 'skip_speakers'");
        else if (control || strlen(x->str) != x->len)
            bad = _("speaker label '%s' in 'skip_speakers' holds a line end "
                    "or a control character: a turn's label never does");
        else if (n - (key.data[n - 1] == '*') > GRILLE_SPEAKER_MAX)
            bad = _("speaker label '%s' in 'skip_speakers' is longer than "
                    "any label a turn can have");
        else if (memchr(key.data, '*', n - 1) || strchr(key.data, ':'))
            bad = _("speaker label '%s' in 'skip_speakers': write the label "
                    "without its colon; '*' may only end it (Enquêteur*)");
        if (!bad && key.data[n - 1] != '*' && !could_be_label(x->str))
            bad = _("speaker label '%s' in 'skip_speakers' never starts a "
                    "turn: a turn's label is a role word (Enquêtrice, Maire), "
                    "letters in capitals (Q, DGS, MARIE), a civility and a "
                    "name (Mme Lefèvre) or two or three capitalised words "
                    "(Jean Dupont), a role in brackets after it (Mme Roux "
                    "(DRH)), not one capitalised word (Marie :); see "
                    "text.md");
        if (bad) {
            rc = fail(b, x, GRILLE_EINVALID, bad,
                      grille__quote(buf, sizeof(buf), x->str, x->len));
            break;
        }
        const smap_entry *twin = grille__smap_get(
            &cb->skip_index, key.data, n, grille__hash(key.data, n));
        if (twin && dot_twins(x->str, cb->skip[twin->seqs[0]]))
            continue; /* [R, R.]: one speaker, as an older grille read
                       * them as two; nothing to add */
        if (twin) {
            rc = fail(b, x, GRILLE_EINVALID,
                      _("speaker label '%s' given twice in "
                        "'skip_speakers'"),
                      q(buf, sizeof(buf), x->str));
            break;
        }
        cb->skip[cb->nskip] = strdup(x->str);
        cb->skip_keys[cb->nskip] = strdup(key.data);
        if (!cb->skip[cb->nskip] || !cb->skip_keys[cb->nskip] ||
            smap_add(&cb->skip_index, cb->skip_keys[cb->nskip], n,
                     cb->nskip) < 0) {
            free(cb->skip[cb->nskip]);
            free(cb->skip_keys[cb->nskip]);
            cb->skip[cb->nskip] = cb->skip_keys[cb->nskip] = NULL;
            rc = grille__nomem(b->err);
            break;
        }
        if (key.data[n - 1] == '*')
            cb->skip_prefix[cb->nskip_prefix++] = cb->nskip;
        cb->nskip++;
    }
    free(key.data);
    return rc;
}

static int themes(builder *b, const ynode *m, long parent, bool dict)
{
    if (m->type != Y_MAP && parent >= 0) /* under 'children' */
        return fail(b, m, GRILLE_ESYNTAX,
                    m->type == Y_SCALAR && m->len == 0
                        ? _("'children' of theme '%s' is empty: give it "
                            "themes (id: theme), or leave the key out")
                        : _("'children' of theme '%s' must be themes, each "
                            "an id and a colon (not a list or a text)"),
                    b->cb->codes[parent].id);
    if (m->type != Y_MAP)
        return fail(b, m, GRILLE_ESYNTAX, "%s",
                    _("themes must be a mapping of id: theme"));
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const ynode *k = m->items[i];
        if (dict && parent < 0 && k->type == Y_SCALAR &&
            strcmp(k->str, "skip_speakers") == 0) {
            /* a dictionary's skip_speakers is the codebook's, not a
             * theme */
            int rc = skip_speakers(b, m->items[i + 1]);
            if (rc < 0)
                return rc;
            continue;
        }
        int rc = check_id(b, k, dict);
        if (rc < 0)
            return rc;
        /* a theme with nothing under it (or a label alone), then a
         * theme's key: the keys of this theme indented one level too
         * little ("ecole:", then "label:" under it at its own indent, or
         * "terms:" after its label), said at that key rather than as a
         * theme with neither patterns nor children */
        const ynode *v = m->items[i + 1], *next = i + 3 < m->n ? m->items[i + 2]
                                                              : NULL;
        if (!dict && next && next->type == Y_SCALAR &&
            is_theme_key(next->str) &&
            ((v->type == Y_SCALAR && v->len == 0) ||
             (v->type == Y_MAP && !has_rule_key(v))))
            return fail(b, next, GRILLE_ESYNTAX,
                        _("'%s' is a key of a theme, not a theme id: indent "
                          "it under its theme's id ('%s', above it)"),
                        next->str, k->str);
        rc = theme(b, m->items[i], m->items[i + 1], parent, dict);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Whether a colour read as a comment follows the place of node n on its
 * line (an empty value: "color: #1f77b4" unquoted). */
static bool comment_at(const builder *b, const ynode *n)
{
    size_t i = 0;
    for (unsigned line = 1; i < b->srclen && line < n->line; i++)
        if (b->src[i] == '\n')
            line++;
    /* columns count characters: past the first col - 1 of them */
    for (unsigned c = 1; i < b->srclen && c < n->col && b->src[i] != '\n';
         c++) {
        i++;
        while (i < b->srclen && ((unsigned char)b->src[i] & 0xC0) == 0x80)
            i++;
    }
    while (i < b->srclen && (b->src[i] == ' ' || b->src[i] == '\t'))
        i++;
    if (i >= b->srclen || b->src[i] != '#')
        return false;
    /* a colour's digits ("# à faire" is a comment meant as one) */
    size_t h = 0;
    while (i + 1 + h < b->srclen && isxdigit((unsigned char)b->src[i + 1 + h]))
        h++;
    char after = i + 1 + h < b->srclen ? b->src[i + 1 + h] : '\n';
    return (h == 3 || h == 6) && (after == '\n' || after == '\r' ||
                                  after == ' ' || after == '\t' ||
                                  after == ',' || after == '}');
}

static int set_string(builder *b, const ynode *v, char **dst,
                      const char *key, const char *id)
{
    if (v->type != Y_SCALAR)
        return fail(b, v, GRILLE_ESYNTAX,
                    _("'%s' of theme '%s' must be a string"), key, id);
    free(*dst);
    *dst = NULL;
    /* label: ~ (or null, or nothing) is no label, as an empty list of
     * terms is none: the default, not the label "~" */
    if (v->plain && grille_ytree__null(v->str, v->len))
        return 0;
    /* label: "" too: a theme that printed as nothing in every table */
    if (v->len == 0 && strcmp(key, "color") != 0)
        return 0;
    *dst = grille__strndup(v->str, v->len);
    return *dst ? 0 : grille__nomem(b->err);
}

static int theme(builder *b, const ynode *k, const ynode *v, long parent,
                 bool dict)
{
    grille_codebook *cb = b->cb;
    size_t ci = 0;
    char buf[200], buf2[200];
    int rc = add_code(b, k, parent, &ci);
    if (rc < 0)
        return rc;
    size_t nrules0 = cb->nrules;
    bool has_children = false, empty_terms = false;
    if (v->type == Y_SCALAR && v->len > 0) {
        /* a theme written as one text: most often a key whose colon was
         * forgotten ("terms [santé]"), which would make a phrase */
        size_t w = strcspn(v->str, " [");
        char word[16];
        snprintf(word, sizeof(word), "%.*s", (int)(w < 15 ? w : 15), v->str);
        if (!dict && w < 15 && is_theme_key(word))
            return fail(b, v, GRILLE_ESYNTAX,
                        _("theme '%s' is the text '%s': a ':' is missing "
                          "after '%s'"),
                        cb->codes[ci].id, q(buf, sizeof(buf), v->str), word);
        if (dict) /* a dictionary's leaf of one pattern (version: versi*) */
            rc = patterns(b, v, ci, "terms", one_term);
        else if (v->len == 0 || (v->plain && grille_ytree__null(v->str,
                                                                  v->len)))
            /* "sante: ~", "sante:" */
            return fail(b, v, GRILLE_EINVALID,
                        _("theme '%s' is empty: give it its terms (%s: "
                          "[santé, masques]) or its keys under it"),
                        cb->codes[ci].id, cb->codes[ci].id);
        else
            return fail(b, v, GRILLE_ESYNTAX,
                        _("theme '%s' is the text '%s': write its keys under "
                          "it (terms: [...]), or its terms as a list ([%s])"),
                        cb->codes[ci].id, q(buf, sizeof(buf), v->str),
                        q(buf2, sizeof(buf2), v->str));
    } else if (v->type == Y_SEQ) {
        /* a bare list of terms: the dictionary style */
        rc = patterns(b, v, ci, "terms", one_term);
    } else if (v->type == Y_MAP) {
        bool is_theme = !dict;
        for (size_t i = 0; i + 1 < v->n && !is_theme; i += 2)
            if (v->items[i]->type == Y_SCALAR &&
                is_theme_key(v->items[i]->str))
                is_theme = true;
        if (!is_theme) {
            has_children = v->n > 0;
            rc = themes(b, v, (long)ci, dict);
        }
        for (size_t i = 0; is_theme && i + 1 < v->n && rc == 0; i += 2) {
            const ynode *key = v->items[i], *val = v->items[i + 1];
            const char *kk = key->type == Y_SCALAR ? key->str : "";
            const char *id = cb->codes[ci].id;
            /* duplicate keys in one theme */
            for (size_t j = 0; j < i; j += 2)
                if (v->items[j]->type == Y_SCALAR &&
                    strcmp(v->items[j]->str, kk) == 0)
                    return fail(b, key, GRILLE_ESYNTAX,
                                _("key '%s' given twice in theme '%s'"), kk,
                                id);
            if (strcmp(kk, "label") == 0)
                rc = set_string(b, val, &cb->codes[ci].label, kk, id);
            else if (strcmp(kk, "description") == 0)
                rc = set_string(b, val, &cb->codes[ci].description, kk, id);
            else if (strcmp(kk, "color") == 0) {
                /* color: #1f77b4, unquoted, is "color:" and a comment
                 * (color: alone is no colour, as a template leaves it) */
                if (val->type == Y_SCALAR && val->plain && val->len == 0 &&
                    comment_at(b, val))
                    return fail(b, val, GRILLE_EINVALID,
                                _("no color in theme '%s': a color is "
                                  "written in quotes (color: \"#1f77b4\"), "
                                  "for YAML reads what follows an unquoted "
                                  "'#' as a comment; no color is written "
                                  "color: ~, or left out"),
                                id);
                rc = set_string(b, val, &cb->codes[ci].color, kk, id);
                if (rc == 0 && cb->codes[ci].color &&
                    !valid_color(cb->codes[ci].color))
                    rc = fail(b, val, GRILLE_EINVALID,
                              _("bad color '%s' in theme '%s': expected "
                                "\"#rrggbb\" (quoted in YAML)"),
                              q(buf, sizeof(buf), cb->codes[ci].color), id);
                if (rc == 0 && cb->codes[ci].color) {
                    char *c = norm_color(cb->codes[ci].color);
                    if (!c)
                        return grille__nomem(b->err);
                    free(cb->codes[ci].color);
                    cb->codes[ci].color = c;
                }
            } else if (strcmp(kk, "terms") == 0) {
                rc = patterns(b, val, ci, kk, one_term);
                /* "terms: []": said as such below if nothing else is */
                empty_terms = val->type == Y_SEQ && val->n == 0;
            }
            else if (strcmp(kk, "regex") == 0)
                rc = patterns(b, val, ci, kk, one_regex);
            else if (strcmp(kk, "exclude") == 0)
                rc = patterns(b, val, ci, kk, one_exclude);
            else if (strcmp(kk, "near") == 0)
                rc = patterns(b, val, ci, kk, one_near);
            else if (strcmp(kk, "children") == 0) {
                if (val->type == Y_MAP && val->n > 0)
                    has_children = true;
                rc = themes(b, val, (long)ci, dict);
            } else if (val->type == Y_MAP && !near_children(kk))
                /* "cantine:" with terms under it, in "ecole": a sub-theme
                 * written without its 'children:' (a list may be a key's
                 * typo, "termz: [x]"; "chidren:" is children's) */
                rc = fail(b, key, GRILLE_ESYNTAX,
                          _("unknown key '%s' in theme '%s' (expected label, "
                            "description, color, terms, regex, exclude, "
                            "near or children): a sub-theme goes under "
                            "'children:' (children:, then '%s:' indented "
                            "under it)"),
                          q(buf, sizeof(buf), kk), id,
                          q(buf, sizeof(buf), kk));
            else
                rc = fail(b, key, GRILLE_ESYNTAX,
                          _("unknown key '%s' in theme '%s' (expected label, "
                            "description, color, terms, regex, exclude, "
                            "near or children)"),
                          q(buf, sizeof(buf), kk), id);
        }
    } else if (!(v->type == Y_SCALAR && v->len == 0)) {
        rc = fail(b, v, GRILLE_ESYNTAX,
                  _("theme '%s' must be a mapping or a list of terms"),
                  cb->codes[ci].id);
    }
    if (rc < 0)
        return rc;
    cb_code *c = &cb->codes[ci];
    for (size_t r = nrules0; r < cb->nrules; r++) {
        if (cb->rules[r].code != ci)
            continue;
        if (cb->rules[r].kind == GRILLE_RULE_EXCLUDE)
            c->nexclusions++;
        else
            c->npatterns++;
    }
    if (c->npatterns == 0 && !has_children)
        return fail(b, k, GRILLE_EINVALID,
                    empty_terms ? _("theme '%s' has neither patterns nor "
                                    "children: its 'terms' list is empty")
                                : _("theme '%s' has neither patterns nor "
                                    "children"),
                    c->id);
    if (!c->label) {
        const char *slash = strrchr(c->id, '/');
        c->label = strdup(slash ? slash + 1 : c->id);
    }
    if (!c->description)
        c->description = strdup("");
    if (!c->color)
        c->color = strdup("");
    if (!c->label || !c->description || !c->color)
        return grille__nomem(b->err);
    return 0;
}

static const char *const top_keys[] = {
    "name", "language", "description", "version", "author", "skip_speakers",
    "themes", NULL};

/* Whether k is one of the keys at the top of a codebook. */
static bool top_key(const ynode *k)
{
    for (size_t j = 0; top_keys[j]; j++)
        if (k->type == Y_SCALAR && strcmp(k->str, top_keys[j]) == 0)
            return true;
    return false;
}

/* The list item past the MAX_RULES-th under n (patterns are list items),
 * or NULL: a codebook over the limit is refused before its patterns are
 * compiled (a million of them took 1.6 GB to be refused). */
static const ynode *past_rules(const ynode *n, size_t *count)
{
    for (size_t i = 0; n->type != Y_SCALAR && i < n->n; i++) {
        const ynode *c = n->items[i];
        if (n->type == Y_MAP && i % 2 == 0)
            continue; /* a key */
        if (n->type == Y_MAP && c->type == Y_SEQ &&
            n->items[i - 1]->type == Y_SCALAR &&
            strcmp(n->items[i - 1]->str, "skip_speakers") == 0)
            continue; /* a dictionary's labels */
        if (n->type == Y_SEQ && c->type == Y_SCALAR && ++*count > MAX_RULES)
            return c;
        const ynode *past = past_rules(c, count);
        if (past)
            return past;
    }
    return NULL;
}

/* Whether the top-level key k, over a mapping of themes (no theme's own
 * keys), is 'themes' miswritten: in another case or with its accent
 * (Themes, THEMES, thèmes), in the singular, a letter dropped or two
 * swapped (thems, themse). */
static bool themes_miswritten(const ynode *k, const ynode *v)
{
    if (k->type != Y_SCALAR || v->type != Y_MAP || k->len > 32)
        return false;
    /* a theme of its own has a theme's keys (label, terms...): "thèses:"
     * with its terms is a dictionary's theme, not one of all the others */
    for (size_t i = 0; i + 1 < v->n; i += 2)
        if (v->items[i]->type == Y_SCALAR && is_theme_key(v->items[i]->str))
            return false;
    gbuf f = {0};
    if (grille__fold(&f, k->str, k->len) < 0 || gbuf_put(&f, "", 1) < 0) {
        gbuf_free(&f);
        return false;
    }
    const char *w = f.data;
    size_t n = strlen(w);
    static const char t[] = "themes";
    bool near = false;
    /* Themes, THEMES, thèmes, theme; themse, thems, tehmes: one letter
     * dropped or two swapped (not one changed or added: thèses, thymes,
     * Thames, thermes are words) */
    if (n == 5) {
        size_t i = 0;
        while (i < 5 && w[i] == t[i])
            i++;
        near = strcmp(w + i, t + i + 1) == 0;
    } else if (n == 6) {
        size_t i = 0;
        while (i < 6 && w[i] == t[i])
            i++;
        near = i == 6 || (i + 1 < 6 && w[i] == t[i + 1] &&
                          w[i + 1] == t[i] &&
                          strcmp(w + i + 2, t + i + 2) == 0);
    }
    gbuf_free(&f);
    return near;
}

static int build(builder *b, const ynode *root)
{
    grille_codebook *cb = b->cb;
    char buf[200];
    if (!root)
        return fail(b, NULL, GRILLE_EINVALID, "%s",
                    _("empty codebook: no themes"));
    if (root->type != Y_MAP)
        return fail(b, root, GRILLE_ESYNTAX, "%s",
                    _("a codebook must be a mapping (with 'themes', or a "
                      "dictionary of key: [patterns])"));
    const ynode *th = grille_ytree__get(root, "themes");
    size_t count = 0;
    const ynode *past = past_rules(th ? th : root, &count);
    if (past)
        return fail(b, past, GRILLE_ELIMIT, _("more than %d patterns"),
                    MAX_RULES);
    /* a rule and a sequence per pattern, most often: their arrays at
     * that size at once, not copied from 16, 32, ... 1,024 slots of 88
     * bytes into fresh pages (a 1 KB note's tag loads the codebook) */
    if (count && (GROW(cb->rules, cb->rules_cap, count) < 0 ||
                  GROW(cb->seqs, cb->seqs_cap, count) < 0))
        return grille__nomem(b->err);
    if (!th) {
        /* A plain dictionary, unless the codebook's own keys hold a
         * string ('name', 'language', 'description', 'author', a
         * 'version' number): then 'themes' is missing or misspelt, and
         * that file would be read as themes named 'description' and
         * 'themse', coding the words of its description.  (A dictionary
         * may have a theme 'version' of one pattern: versi*.) */
        const ynode *meta = NULL, *other = NULL, *miswritten = NULL;
        for (size_t i = 0; i + 1 < root->n; i += 2) {
            const ynode *k = root->items[i], *v = root->items[i + 1];
            if (!miswritten && themes_miswritten(k, v))
                miswritten = k;
            bool known = top_key(k);
            if (k->type == Y_SCALAR && !meta && codebook_text(k, v))
                meta = k;
            else if (!known && !other)
                other = k;
        }
        if (meta && other)
            return fail(b, other, GRILLE_ESYNTAX,
                        _("unknown key '%s' at the top of the codebook "
                          "(expected name, language, description, version, "
                          "author, skip_speakers or themes): its themes go "
                          "under 'themes:' (the file is a codebook: it has "
                          "'%s')"),
                        other->type == Y_SCALAR
                            ? q(buf, sizeof(buf), other->str)
                            : "?",
                        meta->str);
        if (meta)
            return fail(b, meta, GRILLE_EINVALID, "%s",
                        _("no 'themes' in this codebook: its themes go "
                          "under 'themes:'"));
        /* "thèmes:" or "Themes:" over the themes: read as a dictionary,
         * the whole codebook was one theme of that name */
        if (miswritten)
            return fail(b, miswritten, GRILLE_ESYNTAX,
                        _("'%s' at the top of the codebook would make one "
                          "theme of all the others: the key is 'themes' (in "
                          "English, in small letters, without an accent)"),
                        q(buf, sizeof(buf), miswritten->str));
        int rc = themes(b, root, -1, true); /* a plain dictionary */
        if (rc == 0 && cb->ncodes == 0)
            return fail(b, root, GRILLE_EINVALID, "%s",
                        _("empty codebook: no themes"));
        return rc;
    }
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const ynode *k = root->items[i], *v = root->items[i + 1];
        bool known = top_key(k);
        for (size_t j = 0; known && j < i; j += 2)
            if (strcmp(root->items[j]->str, k->str) == 0)
                return fail(b, k, GRILLE_ESYNTAX,
                            _("key '%s' given twice at the top of the "
                              "codebook"),
                            k->str);
        if (!known)
            return fail(b, k, GRILLE_ESYNTAX,
                        _("unknown key '%s' at the top of the codebook "
                          "(expected name, language, description, version, "
                          "author, skip_speakers or themes)"),
                        k->type == Y_SCALAR ? q(buf, sizeof(buf), k->str)
                                            : "?");
        if (strcmp(k->str, "name") == 0) {
            if (v->type != Y_SCALAR)
                return fail(b, v, GRILLE_ESYNTAX, "%s",
                            _("'name' must be a string"));
            free(cb->name);
            cb->name = NULL;
            /* name: "" or ~: the file's name, as with no name */
            if (v->len == 0 ||
                (v->plain && grille_ytree__null(v->str, v->len)))
                continue;
            cb->name = strdup(v->str);
            if (!cb->name)
                return grille__nomem(b->err);
        } else if (strcmp(k->str, "description") == 0 ||
                   strcmp(k->str, "version") == 0 ||
                   strcmp(k->str, "author") == 0) {
            /* texts for the people who read the codebook (authors may
             * be a list of them); a mapping there is most often themes
             * or keys misplaced */
            bool list = v->type == Y_SEQ && strcmp(k->str, "author") == 0;
            for (size_t j = 0; list && j < v->n; j++)
                list = v->items[j]->type == Y_SCALAR;
            if (v->type != Y_SCALAR && !list)
                return fail(b, v, GRILLE_ESYNTAX,
                            strcmp(k->str, "author") == 0
                                ? _("'%s' must be a string, or a list of "
                                    "strings")
                                : _("'%s' must be a string"),
                            k->str);
        } else if (strcmp(k->str, "skip_speakers") == 0) {
            int rc = skip_speakers(b, v);
            if (rc < 0)
                return rc;
        } else if (strcmp(k->str, "language") == 0 && v->type == Y_SCALAR &&
                   (v->len == 0 ||
                    (v->plain && grille_ytree__null(v->str, v->len)))) {
            continue; /* language: ~ or nothing: the default, as name's */
        } else if (strcmp(k->str, "language") == 0) {
            /* French, FR, français: whatever their case (strcasecmp
             * folds ASCII only: ç and Ç each) */
            static const char *const french[] = {
                "french", "fr", "francais", "fran\xc3\xa7" "ais",
                "fran\xc3\x87" "ais"};
            bool fr = false;
            for (size_t j = 0; v->type == Y_SCALAR && !fr &&
                               j < sizeof(french) / sizeof(french[0]);
                 j++)
                fr = strcasecmp(v->str, french[j]) == 0;
            if (!fr)
                return fail(b, v, GRILLE_EINVALID,
                            v->type == Y_SCALAR
                                ? _("unsupported language '%s': grille codes "
                                    "French (language: french)")
                                : _("'language' must be a text%s: grille "
                                    "codes French (language: french)"),
                            v->type == Y_SCALAR ? q(buf, sizeof(buf), v->str)
                            : v->type == Y_SEQ  ? _(", not a list")
                                                : _(", not a mapping"));
        }
    }
    if (th->type != Y_MAP || th->n == 0)
        return fail(b, th, GRILLE_EINVALID, "%s",
                    _("'themes' must be a non-empty mapping of id: theme"));
    return themes(b, th, -1, false);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int load(grille_codebook **out, const char *yaml, size_t len,
                const char *name, const char *name_from, bool pattern,
                grille_error *err);

int grille_codebook_load(grille_codebook **out, const char *yaml, size_t len,
                         const char *name, grille_error *err)
{
    return load(out, yaml, len, name, NULL, false, err);
}

int grille_codebook__load_from(grille_codebook **out, const char *yaml,
                               size_t len, const char *name,
                               const char *file, grille_error *err)
{
    return load(out, yaml, len, name, file, false, err);
}

/* `pattern`: the codebook of one pattern (grille_codebook_from_pattern),
 * whose messages speak of a pattern, not of a codebook's theme. */
static int load(grille_codebook **out, const char *yaml, size_t len,
                const char *name, const char *name_from, bool pattern,
                grille_error *err)
{
    builder b = {0};
    b.pattern = pattern;
    ynode *root = NULL;
    if (!yaml && len == 0) /* (NULL, 0): an empty text */
        yaml = "";
    *out = NULL;
    if (!name)
        name = "<codebook>";
    b.file = name;
    b.err = err;
    b.src = yaml;
    b.srclen = len;
    /* cache lines of its own: every thread reads the codebook at every
     * token (its serial, its filters), and an object another thread
     * wrote on one of its lines made tag -j 2 a fifth slower */
    b.cb = grille__calloc_lines(sizeof(*b.cb));
    if (!b.cb)
        return grille__nomem(err);
    b.cb->from_pattern = pattern;
    static uint32_t serials;
    do
        b.cb->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
    while (!b.cb->serial);
    int rc = 0;
    /* files given for a codebook by mistake, or saved another way */
    if (len >= 16 && memcmp(yaml, "SQLite format 3", 16) == 0)
        rc = grille__error(err, GRILLE_EENCODING, name, 0, 0, "%s",
                           _("a SQLite file (a project?), not a codebook: "
                             "a codebook is a YAML text file; a project is "
                             "given with -d"));
    else if (len >= 2 && (((unsigned char)yaml[0] == 0xFF &&
                            (unsigned char)yaml[1] == 0xFE) ||
                           ((unsigned char)yaml[0] == 0xFE &&
                            (unsigned char)yaml[1] == 0xFF)))
        rc = grille__error(err, GRILLE_EENCODING, name, 1, 1, "%s",
                           _("UTF-16 (its byte order mark says so): a "
                             "codebook must be UTF-8; save it with the "
                             "encoding UTF-8"));
    else if (len >= 5 && (memcmp(yaml, "<?xml", 5) == 0 ||
                          (len >= 8 && memcmp(yaml, "\xEF\xBB\xBF<?xml", 8) == 0)))
        /* a REFI-QDA codebook (.qdc), or another XML file */
        rc = grille__error(err, GRILLE_ESYNTAX, name, 1, 1, "%s",
                           _("an XML file (a REFI-QDA codebook, .qdc?), not "
                             "a grille codebook: make one from it with "
                             "'grille import FILE.qdc -o grid.yaml'"));
    else if (memchr(yaml, 0xCC, len) || memchr(yaml, 0xCD, len)) {
        /* decomposed accents (a file saved on macOS): composed, as notes'
         * words are, or its terms, exact forms, regexes and exclusions
         * would never meet a note's "é" (the sha256 stays the file's) */
        char *composed = malloc(len + 1);
        if (!composed) {
            rc = grille__nomem(err);
            goto done;
        }
        size_t n = grille__compose(composed, yaml, len);
        rc = grille_ytree__parse(&root, composed, n, name, 0, err);
        free(composed);
    } else {
        rc = grille_ytree__parse(&root, yaml, len, name, 0, err);
    }
    if (rc < 0)
        goto done;
    rc = grille_analyser_new(&b.an, err);
    if (rc < 0)
        goto done;
    b.cb->source = strdup(name);
    b.cb->mctx = pcre2_match_context_create(NULL);
    if (!b.cb->source || !b.cb->mctx) {
        rc = grille__nomem(err);
        goto done;
    }
    pcre2_set_match_limit(b.cb->mctx, 1000000);
    pcre2_set_depth_limit(b.cb->mctx, 10000);
    pcre2_set_heap_limit(b.cb->mctx, 20000); /* KiB */
    rc = build(&b, root);
    if (rc < 0)
        goto done;
    for (size_t i = 0; i < b.cb->ncodes && !b.cb->nested_hits; i++)
        for (long k = b.cb->codes[i].parent;
             b.cb->codes[i].npatterns && k >= 0; k = b.cb->codes[k].parent)
            if (b.cb->codes[k].npatterns) {
                b.cb->nested_hits = true;
                break;
            }
    if (!b.cb->name) {
        b.cb->name = strdup(base_name(name_from ? name_from : name));
        if (!b.cb->name) {
            rc = grille__nomem(err);
            goto done;
        }
    }
    /* the bundled codebook's was computed when it was embedded: a tenth
     * of the instructions of tagging a 1 KB note */
    if (yaml == (const char *)grille__bundled_codebook &&
        len == grille__bundled_codebook_len)
        memcpy(b.cb->sha256, grille__bundled_codebook_sha256, 65);
    else
        grille__sha256_hex(yaml, len, b.cb->sha256);
done:
    smap_free(&b.ids);
    grille_analyser_free(b.an);
    grille_ytree__free(root);
    if (rc < 0) {
        grille_codebook_free(b.cb);
        return rc;
    }
    *out = b.cb;
    return 0;
}

int grille_codebook_load_file(grille_codebook **out, const char *path,
                              grille_error *err)
{
    *out = NULL;
    if (!path)
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             _("no codebook file given"));
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        int rc = grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
        if (err)
            err->detail = e;
        return rc;
    }
    gbuf buf = {0};
    char chunk[65536];
    size_t n;
    /* a device or a pipe may never end (/dev/zero): a NUL byte, which no
     * codebook holds, ends the reading (and is refused below), and
     * Ctrl-C is heard between reads */
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (gbuf_put(&buf, chunk, n) < 0) {
            size_t got = buf.len;
            fclose(f);
            gbuf_free(&buf);
            return grille__error(err, GRILLE_ENOMEM, path, 0, 0,
                                 _("out of memory after reading %zu MB of "
                                   "it"),
                                 got >> 20);
        }
        if (memchr(chunk, 0, n))
            break;
        if (grille__interrupted()) {
            fclose(f);
            gbuf_free(&buf);
            return grille__interrupt(err, path);
        }
    }
    int bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        gbuf_free(&buf);
        int rc = grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
        if (err)
            err->detail = e;
        return rc;
    }
    int rc = grille_codebook_load(out, buf.data ? buf.data : "", buf.len,
                                  path, err);
    gbuf_free(&buf);
    return rc;
}

int grille_codebook_from_pattern(grille_codebook **out, const char *pattern,
                                 grille_error *err)
{
    size_t n = strlen(pattern);
    size_t bad = utf8_check(pattern, n);
    if (bad < n) { /* said at its byte in the pattern, not in the YAML */
        char q[200];
        int rc = grille__error(err, GRILLE_EENCODING, NULL, 0, 0,
                               _("pattern '%s': invalid UTF-8 at byte %zu "
                                 "(0x%02X): a pattern must be UTF-8"),
                               grille__quote(q, sizeof(q), pattern, n), bad,
                               (unsigned char)pattern[bad]);
        if (err)
            err->offset = bad;
        *out = NULL;
        return rc;
    }
    const char *key = "terms";
    const char *body = pattern;
    size_t blen = n;
    if (n >= 2 && pattern[0] == '/' && pattern[n - 1] == '/') {
        key = "regex";
        body = pattern + 1;
        blen = n - 2;
    } else if (has_proximity(pattern, n)) {
        key = "near"; /* its parser says what is wrong with a bad one */
    }
    gbuf y = {0};
    int rc = gbuf_printf(&y, "themes:\n  pattern:\n    %s: [\"", key);
    for (size_t i = 0; i < blen && rc == 0; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == '"' || c == '\\')
            rc = gbuf_printf(&y, "\\%c", c);
        else if (c < 0x20)
            rc = gbuf_printf(&y, "\\x%02x", c);
        else
            rc = gbuf_putc(&y, (char)c);
    }
    if (rc == 0)
        rc = gbuf_puts(&y, "\"]\n");
    if (rc < 0) {
        gbuf_free(&y);
        return grille__nomem(err);
    }
    char name[300];
    char q[200];
    snprintf(name, sizeof(name), "pattern '%s'",
             grille__quote(q, sizeof(q), pattern, n));
    grille_error e = {0};
    rc = load(out, y.data, y.len, name, NULL, true, &e);
    gbuf_free(&y);
    if (rc == 0) {
        /* its name is the pattern, not what follows its last '/' (a
         * regex between slashes gave "'") */
        char *nm = strdup(name);
        if (!nm) {
            grille_codebook_free(*out);
            *out = NULL;
            return grille__nomem(err);
        }
        free((*out)->name);
        (*out)->name = nm;
    }
    if (rc < 0) {
        /* the location is that of a generated text: leave it out */
        size_t nl = strlen(name);
        const char *msg = strncmp(e.message, name, nl) == 0
                              ? strstr(e.message + nl, ": ")
                              : NULL;
        /* and the generated theme's name, which means nothing here */
        char clean[sizeof(e.message)];
        snprintf(clean, sizeof(clean), "%s", msg ? msg + 2 : e.message);
        static const char *const theme[] = {" in theme 'pattern'",
                                            " of theme 'pattern'"};
        for (size_t t = 0; t < 2; t++) {
            char *at = strstr(clean, theme[t]);
            if (at)
                memmove(at, at + strlen(theme[t]),
                        strlen(at + strlen(theme[t])) + 1);
        }
        rc = grille__error(err, rc, name, 0, 0, "%s", clean);
        if (err)
            err->detail = e.detail; /* PCRE2's code, for a regex */
        return rc;
    }
    return 0;
}

const char *grille_codebook_bundled_text(size_t *len)
{
    if (len)
        *len = grille__bundled_codebook_len;
    return (const char *)grille__bundled_codebook;
}

int grille_codebook_load_bundled(grille_codebook **out, grille_error *err)
{
    /* its source is riposte.yaml, as a project made with it keeps it:
     * one name in check, show, eval and the reports */
    return grille_codebook_load(out, (const char *)grille__bundled_codebook,
                                grille__bundled_codebook_len, "riposte.yaml",
                                err);
}

const char *grille_codebook_skip_speaker(const grille_codebook *cb, size_t i)
{
    return cb && i < cb->nskip ? cb->skip[i] : NULL;
}

const char *grille_codebook_name(const grille_codebook *cb)
{
    return cb->name;
}

const char *grille_codebook_source(const grille_codebook *cb)
{
    return cb->source;
}

const char *grille_codebook_sha256(const grille_codebook *cb)
{
    return cb->sha256;
}

size_t grille_codebook_count(const grille_codebook *cb)
{
    return cb->ncodes;
}

int grille_codebook_code(const grille_codebook *cb, size_t i,
                         grille_code_info *info)
{
    if (i >= cb->ncodes)
        return GRILLE_ENOTFOUND;
    const cb_code *c = &cb->codes[i];
    info->id = c->id;
    info->label = c->label;
    info->description = c->description;
    info->color = c->color;
    info->parent = c->parent;
    info->depth = c->depth;
    info->npatterns = c->npatterns;
    info->nexclusions = c->nexclusions;
    info->line = c->line;
    return 0;
}

long grille_codebook_find(const grille_codebook *cb, const char *id)
{
    for (size_t i = 0; i < cb->ncodes; i++)
        if (strcmp(cb->codes[i].id, id) == 0)
            return (long)i;
    return -1;
}

size_t grille_codebook_rule_count(const grille_codebook *cb)
{
    return cb->nrules;
}

int grille_codebook_rule(const grille_codebook *cb, size_t i,
                         grille_rule_info *info)
{
    if (i >= cb->nrules)
        return GRILLE_ENOTFOUND;
    const cb_rule *r = &cb->rules[i];
    info->text = r->text;
    info->kind = r->kind;
    info->code = r->code;
    info->line = r->line;
    info->column = r->col;
    return 0;
}
