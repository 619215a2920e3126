/*
 * fuzz_codebook.c - libFuzzer target: codebook parsing and compiling from
 * arbitrary YAML, then coding a fixed note with what loaded.  Every error
 * must come back as an error with a message, never a crash or a hang.
 */
#include "grille.h"

#include <stdlib.h>
#include <string.h>

static grille_analyser *an;
static const char note[] =
    "- Le télétravail des agents, réunions à distance avec l’ARS.\n"
    "- à plusieurs reprises : reprise d'activité le 11 mai, élus présents.\n";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!an && grille_analyser_new(&an, NULL) < 0)
        abort();
    grille_codebook *cb = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    if (grille_codebook_load(&cb, (const char *)data, size, "fuzz.yaml",
                             &err) < 0) {
        if (!err.message[0] || cb)
            abort();
        return 0;
    }
    int rc = grille_analyser_run(an, note, sizeof(note) - 1, 0,
                                 GRILLE_UNIT_PARAGRAPH, cb, "note", &err);
    if (rc < 0 && rc != GRILLE_ELIMIT)
        abort();
    const grille_coding *c;
    size_t n = grille_analyser_codings(an, &c);
    for (size_t i = 0; i < n; i++)
        if (c[i].code >= grille_codebook_count(cb) ||
            c[i].rule >= grille_codebook_rule_count(cb) ||
            c[i].end > sizeof(note) - 1 || c[i].start >= c[i].end)
            abort();
    grille_codebook_free(cb);
    return 0;
}
