/*
 * synth.h - the figures of the synthesis commands (report, cooc, compare),
 * derived from a grille_report: code selection, co-occurrence matrices and
 * comparisons of groups of documents.
 */
#ifndef GRILLE_SYNTH_H
#define GRILLE_SYNTH_H

#include "render.h"

/* Opens the project read-only and builds its report; prints errors. */
int synth_load(const char *db, grille_store **s, grille_report **r,
               const grille_report_want *want);

/* A warning when no document has attribute `by` (a typo, most often). */
/* Whether a document of r has a value for attribute `by` (or r has no
 * document). */
bool synth_known_by(const grille_report *r, const char *by);
/* The project's attribute key nearest to `by` (a typo: "tpye", "rol"),
 * copied to buf; NULL for none near enough. */
const char *synth_near_key(grille_store *s, const char *by, char *buf,
                           size_t cap);
void synth_warn_unknown_by(grille_store *s, const grille_report *r,
                           const char *by);

/* The code `name` designates: its id, else the one code whose id or
 * label it is without case nor accents; r->ncodes for none, and for
 * several, when *several (if given) is then the second's index. */
size_t synth_find_code(const grille_report *r, const char *name,
                       size_t *several);
/* Codes to show: `list` ("a,b,c": ids, or labels as synth_find_code
 * takes them) or, when NULL, every theme (depth 0) or every code (`all`).
 * Returns the count, indices in *out (free it), or -1 after printing an
 * error for an unknown id. */
long synth_codes(const grille_report *r, const char *list, bool all,
                 size_t **out);

/* Co-occurrence of the selected codes at the segment or document level. */
typedef struct cooc {
    bool documents;
    size_t n;       /* units */
    size_t k;       /* codes */
    size_t *codes;  /* report indices */
    size_t *units;  /* per code: units coded */
    size_t *count;  /* k x k: units coded with both */
    double *jaccard, *lift;
    size_t nowhere; /* themes asked for and coded nowhere, left out */
} cooc;

int cooc_compute(cooc *c, const grille_report *r, const size_t *codes,
                 size_t k, bool documents);
void cooc_free(cooc *c);

/* Groups of documents by the value of an attribute. */
typedef struct group {
    char *value;       /* "(none)" for documents without the attribute */
    bool none;
    size_t documents, segments, words;
} group;

typedef struct compare {
    const char *by;
    size_t ngroups;
    group *groups;
    size_t *doc_group; /* per document */
    size_t k;
    size_t *codes;
    /* k x ngroups */
    size_t *docs, *segs, *hits;
    double *share, *rate, *spec;
} compare;

/* Values of `by` that make groups of their own though a reader would
 * call them one ("Commune" and "commune", "Claire  Besson"): said once,
 * with what to do, for the values[0..n) (NULL ones skipped), or for the
 * groups of m. */
/* The label of the documents without the attribute, beside its n values:
 * "(none)", or another label when a document has that very value (it
 * would show as the same row or column). */
const char *synth_none_label(const char *const *values, size_t n);
void synth_warn_spellings(const char *const *values, size_t n,
                          const char *by);
void synth_warn_variants(const compare *m, const char *by);

/* Says that no code of report r is `name` (a sub-theme named by its last
 * part: its path). */
void synth_no_code(const grille_report *r, const char *name);

int compare_compute(compare *m, const grille_report *r, const char *by,
                    const size_t *codes, size_t k);
void compare_free(compare *m);

/* "Montpellier, commune, DGS" from the attributes collectivite, type and
 * role of document d (the names of those present). */
char *synth_source(const grille_report *r, size_t d);

#endif
