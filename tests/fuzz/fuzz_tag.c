/*
 * fuzz_tag.c - libFuzzer target: the whole tag path on arbitrary text with
 * the bundled codebook: decode, front matter, segment, tokenise, match.
 * Every coding must lie within its segment, on code point boundaries.
 */
#include "grille.h"

#include <stdlib.h>

static grille_analyser *an;
static grille_codebook *cb;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!cb && (grille_codebook_load_bundled(&cb, NULL) < 0 ||
                grille_analyser_new(&an, NULL) < 0))
        abort();
    grille_text *t = NULL;
    if (grille_text_decode(&t, (const char *)data, size, "fuzz", NULL) < 0)
        return 0;
    size_t len, body = 0;
    const char *s = grille_text_data(t, &len);
    grille_attrs *attrs = NULL;
    if (grille_attrs_parse(&attrs, &body, s, len, "fuzz", NULL) < 0)
        body = 0;
    grille_attrs_free(attrs);
    if (grille_analyser_run(an, s, len, body, GRILLE_UNIT_PARAGRAPH, cb,
                            "fuzz", NULL) < 0)
        abort();
    const grille_segment *segs;
    const grille_coding *c;
    size_t ns = grille_analyser_segments(an, &segs);
    size_t n = grille_analyser_codings(an, &c);
    for (size_t i = 0; i < n; i++) {
        if (c[i].segment >= ns)
            abort();
        const grille_segment *g = &segs[c[i].segment];
        if (c[i].start < g->start || c[i].end > g->end ||
            c[i].start >= c[i].end ||
            ((unsigned char)s[c[i].start] & 0xC0) == 0x80 ||
            (c[i].end < len && ((unsigned char)s[c[i].end] & 0xC0) == 0x80))
            abort();
    }
    grille_text_free(t);
    return 0;
}
