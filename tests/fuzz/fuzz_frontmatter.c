/*
 * fuzz_frontmatter.c - libFuzzer target: a YAML front matter block made of
 * arbitrary bytes after a "---" line.
 */
#include "grille.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 16);
    if (!s)
        return 0;
    memcpy(s, "---\n", 4);
    memcpy(s + 4, data, size);
    size_t len = size + 4;
    grille_attrs *a = NULL;
    size_t body = 0;
    grille_error err;
    memset(&err, 0, sizeof(err));
    if (grille_attrs_parse(&a, &body, s, len, "fuzz.md", &err) == 0) {
        if (body > len)
            abort();
        for (size_t i = 0; i < grille_attrs_count(a); i++) {
            const grille_attr *x = grille_attrs_get(a, i);
            if (!x->key || !x->value)
                abort();
        }
        grille_attrs_free(a);
    } else if (!err.message[0] || a) {
        abort();
    }
    free(s);
    return 0;
}
