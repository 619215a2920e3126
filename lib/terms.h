/*
 * terms.h - the project's term counts (table term_stats): how many
 * codings of each code have each term, and the earliest such coding, kept
 * as the codings are written so that the report reads a few hundred rows
 * instead of every coding.  Functions return SQLite result codes.  Never
 * installed.
 */
#ifndef GRILLE_TERMS_H
#define GRILLE_TERMS_H

#include "common.h"

#include <sqlite3.h>

/* The changes of one transaction, applied to term_stats by a flush. */
typedef struct grille_terms grille_terms;

GRILLE_HIDDEN int grille__terms_new(grille_terms **out);
GRILLE_HIDDEN void grille__terms_free(grille_terms *t);
/* Forgets the changes (a rollback). */
GRILLE_HIDDEN void grille__terms_clear(grille_terms *t);
/* Whether there are changes to flush. */
GRILLE_HIDDEN bool grille__terms_pending(const grille_terms *t);

/* Coding `coding` of code `code`, in segment `segment`, with term
 * term[0..len), was written. */
GRILLE_HIDDEN int grille__terms_added(grille_terms *t, int64_t code,
                                      const char *term, size_t len,
                                      int64_t segment, int64_t coding);
/* The codings that `select` (bound, not stepped; columns: code, term)
 * returns are about to be deleted.  Resets it. */
GRILLE_HIDDEN int grille__terms_removing(grille_terms *t,
                                         sqlite3_stmt *select);

/* Applies the changes to term_stats (inside the writer's transaction),
 * then forgets them. */
GRILLE_HIDDEN int grille__terms_flush(grille_terms *t, sqlite3 *db);
/* Fills term_stats again from every coding (an upgrade). */
GRILLE_HIDDEN int grille__terms_rebuild(sqlite3 *db);

#endif
