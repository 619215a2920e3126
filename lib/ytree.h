/*
 * ytree.h - a small YAML tree built from libyaml's events, with the line
 * and column of every node.  Aliases are refused (an alias bomb cannot
 * grow it) and depth and size are bounded.  Never installed.
 */
#ifndef GRILLE_YTREE_H
#define GRILLE_YTREE_H

#include "common.h"

typedef enum ynode_type { Y_SCALAR, Y_SEQ, Y_MAP } ynode_type;

typedef struct ynode {
    ynode_type type;
    unsigned line, col; /* 1-based */
    bool plain;         /* a plain (unquoted) scalar */
    char *str;          /* Y_SCALAR: the value, NUL terminated */
    size_t len;
    struct ynode **items; /* Y_SEQ: values; Y_MAP: key, value, key, ... */
    size_t n, cap;
    /* the root's: the chunks that hold every node, string and list of
     * the tree, freed with it (a malloc each were a tenth of loading a
     * codebook, and freeing them as much again) */
    grille_chunk *chunks;
} ynode;

/* Limits of a tree. */
#define YTREE_MAX_DEPTH 64
#define YTREE_MAX_NODES 2000000

/*
 * Parses `len` bytes of YAML (one document) into *out; line numbers are
 * shifted by `line0` (0 for a whole file) so that a front matter reports
 * lines of its document.  An empty document gives *out == NULL.
 * Errors: GRILLE_ESYNTAX (YAML syntax, alias, more than one document),
 * GRILLE_ELIMIT (too deep, too large), GRILLE_EENCODING (not UTF-8).
 */
GRILLE_HIDDEN int grille_ytree__parse(ynode **out, const char *s, size_t len,
                                      const char *name, unsigned line0,
                                      grille_error *err);
GRILLE_HIDDEN void grille_ytree__free(ynode *n);
/* Whether s[0, n), a plain scalar, is YAML's null: nothing, ~ or null
 * (also Null and NULL). */
GRILLE_HIDDEN bool grille_ytree__null(const char *s, size_t n);
/* The value of key `k` in map `m`, or NULL. */
GRILLE_HIDDEN ynode *grille_ytree__get(const ynode *m, const char *k);

#endif
