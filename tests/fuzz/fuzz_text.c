/*
 * fuzz_text.c - libFuzzer target: the decoder, front matter, segmenter and
 * tokeniser on arbitrary bytes, in both units.  Checks the invariants
 * every caller relies on: segments and tokens within the text, in order,
 * on code point boundaries; and no byte read past the text's length.
 */
#include "grille.h"

#include <stdlib.h>
#include <string.h>

static grille_analyser *an;

static int boundary(const char *s, size_t len, size_t i)
{
    return i == len || ((unsigned char)s[i] & 0xC0) != 0x80;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!an && grille_analyser_new(&an, NULL) < 0)
        abort();
    grille_text *t = NULL;
    if (grille_text_decode(&t, (const char *)data, size, "fuzz", NULL) < 0)
        return 0;
    size_t len, body = 0;
    const char *decoded = grille_text_data(t, &len);
    /* in a buffer of the text's size, without the NUL after it: the
     * library reads text[0, len) only (a byte past it is ASan's) */
    char *s = malloc(len ? len : 1);
    if (!s)
        abort();
    memcpy(s, decoded, len);
    grille_attrs *attrs = NULL;
    if (grille_attrs_parse(&attrs, &body, s, len, "fuzz", NULL) < 0)
        body = 0;
    grille_attrs_free(attrs);
    for (int unit = 0; unit < 2; unit++) {
        if (grille_analyser_run(an, s, len, body, (grille_unit)unit, NULL,
                                "fuzz", NULL) < 0)
            abort();
        const grille_segment *segs;
        const grille_token *toks;
        size_t ns = grille_analyser_segments(an, &segs);
        size_t nt = grille_analyser_tokens(an, &toks);
        size_t prev = body;
        for (size_t i = 0; i < ns; i++) {
            if (segs[i].start < prev || segs[i].end <= segs[i].start ||
                segs[i].end > len || !boundary(s, len, segs[i].start) ||
                !boundary(s, len, segs[i].end) ||
                segs[i].first_token + segs[i].ntokens > nt)
                abort();
            prev = segs[i].end;
            for (size_t k = 0; k < segs[i].ntokens; k++) {
                const grille_token *x = &toks[segs[i].first_token + k];
                if (x->start < segs[i].start || x->end > segs[i].end ||
                    x->end <= x->start || !boundary(s, len, x->start) ||
                    !boundary(s, len, x->end) || !x->key || !x->stem)
                    abort();
            }
        }
    }
    free(s);
    grille_text_free(t);
    return 0;
}
