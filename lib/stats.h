/*
 * stats.h - the per-document aggregates of a project (table doc_stats):
 * a builder fed with a document's codings in segment order.  Functions
 * return SQLite result codes.  Never installed.
 */
#ifndef GRILLE_STATS_H
#define GRILLE_STATS_H

#include "common.h"

#include <sqlite3.h>

typedef struct grille_stats grille_stats;


/* One more than the largest id of `table` (1 when it is empty): the size
 * of an array indexed by its ids. */
GRILLE_HIDDEN int grille__id_count(sqlite3 *db, const char *table,
                                   size_t *count);

/* The codes' parents: parent[id] is the parent's id, -1 for none, for
 * every id up to the largest (count entries). */
GRILLE_HIDDEN int grille__parents(sqlite3 *db, int64_t **parent,
                                  size_t *count);

/* A builder for connection `db`, with the codes' parents read. */
GRILLE_HIDDEN int grille__stats_new(grille_stats **out, sqlite3 *db);
GRILLE_HIDDEN void grille__stats_free(grille_stats *b);
/* Reads the codes' parents again (after codes were added). */
GRILLE_HIDDEN int grille__stats_codes(grille_stats *b);

/* A document: begin, one call per coding in segment order (segment row
 * id, its start, length in bytes and line; the coding's code row id and
 * start), then store its row. */
GRILLE_HIDDEN void grille__stats_begin(grille_stats *b);
GRILLE_HIDDEN int grille__stats_coding(grille_stats *b, int64_t segment,
                                       size_t seg_start, size_t seg_len,
                                       size_t seg_line, int64_t code,
                                       size_t start);
GRILLE_HIDDEN int grille__stats_store(grille_stats *b, int64_t doc,
                                      size_t segments, size_t words);

/* The row of document `doc` computed again from its stored codings. */
GRILLE_HIDDEN int grille__stats_refresh(grille_stats *b, int64_t doc);
/* Every document's row (an upgrade). */
GRILLE_HIDDEN int grille__stats_refresh_all(sqlite3 *db);

/* The numbers of a code in the cells blob: code id, segments, hits, best
 * segment, its hits, length, start, line and first coding; before schema
 * 5, the first six. */
#define GRILLE_CELL_FIELDS 9
#define GRILLE_CELL_FIELDS_V4 6

/* Reads one number of a blob; false at its end or on a malformed one
 * (inline: the reports read millions of them). */
static inline bool grille__stats_uv(const unsigned char **at,
                                    const unsigned char *end, uint64_t *v)
{
    if (*at < end && !(**at & 0x80)) { /* most numbers: one byte */
        *v = *(*at)++;
        return true;
    }
    uint64_t x = 0;
    for (unsigned shift = 0; *at < end && shift < 64; shift += 7) {
        unsigned char byte = *(*at)++;
        x |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

#endif
