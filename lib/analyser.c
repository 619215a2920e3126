/*
 * analyser.c - the per-thread analyser: it owns the stemmer and its cache
 * and the buffers of one run, and chains the text layer (segments and
 * tokens) with the matcher (codings).
 */
#include "analyser.h"

#include <stdlib.h>
#include <string.h>

int grille_analyser_new(grille_analyser **out, grille_error *err)
{
    grille_analyser *a = grille__calloc_lines(sizeof(*a)); /* per thread */
    *out = NULL;
    if (!a)
        return grille__nomem(err);
    int rc = grille_stem__init(a, err);
    if (rc < 0) {
        free(a);
        return rc;
    }
    /* The test of the fast paths runs the same input through the plain
     * ones and compares: they are chosen here, once. */
    const char *ref = getenv("GRILLE_REFERENCE");
    a->reference = ref && *ref && strcmp(ref, "0") != 0;
    *out = a;
    return 0;
}

void grille_analyser_free(grille_analyser *a)
{
    if (!a)
        return;
    grille_stem__free(a);
    grille_match__free(a);
    gbuf_free(&a->scratch);
    gbuf_free(&a->scratch2);
    free(a->segs);
    free(a->toks);
    free(a->tok_entry);
    free(a->codings);
    free(a);
}

int grille_analyser_run(grille_analyser *a, const char *text, size_t len,
                        size_t body, grille_unit unit,
                        const grille_codebook *cb, const char *name,
                        grille_error *err)
{
    return grille_analyser_run_range(a, text, body, len, 0, unit, cb, name,
                                     err);
}

/* The arguments of a run: a text (NULL with no bytes is an empty one), a
 * range in it that starts on a character, a unit. */
static int check_range(const char **text, size_t start, size_t end,
                       grille_unit unit, const char *name, bool bytes,
                       grille_error *err)
{
    if (!*text && end == 0) /* (NULL, 0): an empty text */
        *text = "";
    const char *why =
        !*text        ? _("no text given")
        : start > end ? _("the range (or the body) starts past the end of "
                          "the text")
        : start < end && ((unsigned char)(*text)[start] & 0xC0) == 0x80
            ? _("the range (or the body) starts inside a character (on a "
                "UTF-8 continuation byte)")
        : unit != GRILLE_UNIT_PARAGRAPH && unit != GRILLE_UNIT_SENTENCE
            ? _("no such unit")
            : NULL;
    if (why)
        return grille__error(err, GRILLE_EINVALID, name, 0, 0, "%s", why);
    if (!bytes) /* a decoded text's: UTF-8 already */
        return 0;
    /* UTF-8 throughout: a byte that is not would be read as the start of
     * a character and take the bytes after it (grille_text_decode makes
     * any text UTF-8) */
    size_t bad = start + utf8_check(*text + start, end - start);
    if (bad < end) {
        unsigned line, col;
        grille__line_col(*text, 0, bad, &line, &col);
        int rc = grille__error(err, GRILLE_EENCODING, name, line, col,
                               _("invalid UTF-8 at byte %zu (0x%02X): the "
                                 "text must be UTF-8 (grille_text_decode "
                                 "converts it), and the range must end "
                                 "after a whole character"),
                               bad, (unsigned char)(*text)[bad]);
        if (err)
            err->offset = bad;
        return rc;
    }
    return 0;
}

/* Returns rc after dropping the results of the last run: a failed run
 * leaves none, not the previous run's (whose offsets are another
 * text's) nor a part of its own. */
static int forget(grille_analyser *a, int rc)
{
    a->nsegs = a->ntoks = a->ncodings = a->words = 0;
    return rc;
}

/* A run on text[start, end), its arguments checked. */
static int run(grille_analyser *a, const char *text, size_t start, size_t end,
               unsigned line, grille_unit unit, const grille_codebook *cb,
               const char *name, bool bytes, grille_error *err)
{
    int rc = check_range(&text, start, end, unit, name, bytes, err);
    if (rc < 0)
        return forget(a, rc);
    size_t len = end, body = start;
    rc = grille_text__segment(a, text, len, body, line, unit, err);
    if (rc == 0 && cb)
        rc = grille_match__begin(a, cb, err);
    for (size_t si = 0; si < a->nsegs && rc == 0; si++) {
        /* Without kept tokens, memory stays that of one segment. */
        if (a->drop_tokens)
            a->ntoks = 0;
        rc = grille_text__tokenise(a, text, si, err);
        if (rc == 0 && cb)
            rc = grille_match__segment(a, cb, text, si, name, err);
    }
    return rc < 0 ? forget(a, rc) : rc;
}

int grille_analyser_run_range(grille_analyser *a, const char *text,
                              size_t start, size_t end, unsigned line,
                              grille_unit unit, const grille_codebook *cb,
                              const char *name, grille_error *err)
{
    return run(a, text, start, end, line, unit, cb, name, true, err);
}

int grille_analyser_run_text(grille_analyser *a, const grille_text *text,
                             size_t start, size_t end, unsigned line,
                             grille_unit unit, const grille_codebook *cb,
                             const char *name, grille_error *err)
{
    size_t len = 0;
    const char *s = text ? grille_text_data(text, &len) : NULL;
    /* the bytes were checked when the text was decoded: the range is
     * still to be, and its end, which the check of the bytes found when
     * it cut a character */
    if (s && end <= len && end > start &&
        ((unsigned char)s[end] & 0xC0) == 0x80) {
        int rc = grille__error(err, GRILLE_EINVALID, name, 0, 0, "%s",
                               _("the range ends inside a character (before "
                                 "a UTF-8 continuation byte)"));
        if (err)
            err->offset = end;
        return forget(a, rc);
    }
    if (s && end > len)
        return forget(a, grille__error(err, GRILLE_EINVALID, name, 0, 0, "%s",
                                       _("the range ends past the end of "
                                         "the text")));
    return run(a, s, start, end, line, unit, cb, name, false, err);
}

int grille_analyser_segment_range(grille_analyser *a, const char *text,
                                  size_t start, size_t end, unsigned line,
                                  grille_unit unit, grille_error *err)
{
    int rc = check_range(&text, start, end, unit, NULL, true, err);
    if (rc == 0)
        rc = grille_text__segment(a, text, end, start, line, unit, err);
    return rc < 0 ? forget(a, rc) : rc;
}

void grille_analyser_keep_tokens(grille_analyser *a, bool keep)
{
    a->drop_tokens = !keep;
}

size_t grille_analyser_segments(const grille_analyser *a,
                                const grille_segment **out)
{
    *out = a->segs;
    return a->nsegs;
}

size_t grille_analyser_tokens(const grille_analyser *a,
                              const grille_token **out)
{
    *out = a->toks;
    return a->ntoks;
}

size_t grille_analyser_token_stem2(const grille_analyser *a, size_t i,
                                   const char **out)
{
    const stem_entry *e = i < a->ntoks ? a->tok_entry[i] : NULL;
    *out = e && e->stem2 ? e->stem2 : NULL;
    return *out ? e->stem2_len : 0;
}

size_t grille_analyser_codings(const grille_analyser *a,
                               const grille_coding **out)
{
    *out = a->codings;
    return a->ncodings;
}

size_t grille_analyser_words(const grille_analyser *a)
{
    return a->words;
}
