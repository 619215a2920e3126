/*
 * fuzz_qdc.c - libFuzzer target: a REFI-QDA codebook (.qdc) made into the
 * YAML of a grille codebook.  Whatever the input, a conversion that
 * succeeds must give YAML that grille loads as a codebook.
 */
#include "grille.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[64];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof(path), "/tmp/grille-fuzz-qdc-%d.qdc",
                 (int)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    char *yaml = NULL;
    size_t len;
    grille_error err = {0};
    if (grille_refi_qdc_to_yaml(path, &yaml, &len, &err) == 0) {
        grille_codebook *cb = NULL;
        if (grille_codebook_load(&cb, yaml, len, "qdc.yaml", &err) < 0) {
            fprintf(stderr, "the YAML does not load: %s\n%s\n", err.message,
                    yaml);
            abort();
        }
        grille_codebook_free(cb);
    }
    grille_free(yaml);
    return 0;
}
