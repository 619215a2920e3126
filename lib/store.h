/*
 * store.h - what other modules of the library may use of a store: its
 * SQLite connection and its error mapping.  Never installed.
 */
#ifndef GRILLE_STORE_H
#define GRILLE_STORE_H

#include "common.h"

#include <sqlite3.h>

GRILLE_HIDDEN sqlite3 *grille_store__db(grille_store *s);
/* 0 when cb is the project's codebook; else GRILLE_EINVALID, said. */
GRILLE_HIDDEN int grille_store__own_codebook(grille_store *s,
                                             const grille_codebook *cb,
                                             grille_error *err);
/* The project file's path, as given to open or create. */
GRILLE_HIDDEN const char *grille_store__path(const grille_store *s);
/* 0 when the bytes [start, end) and line of segment `seg` (of one of its
 * codings when `coding`), as read from the project, are numbers add
 * writes: offsets from 0, start <= end, within a text of `size` bytes
 * (-1: not known here), a line from 0 (an import's) to UINT_MAX; else
 * the error of a damaged project, naming them. */
GRILLE_HIDDEN int grille_store__bad_span(const grille_store *s,
                                         grille_error *err, bool coding,
                                         int64_t seg, int64_t start,
                                         int64_t end, int64_t line,
                                         int64_t size);
/* 0 when document `id`'s body (the offset after its front matter), as
 * read, is within its text of `len` bytes; else the error of a damaged
 * project, naming it. */
GRILLE_HIDDEN int grille_store__bad_body(const grille_store *s,
                                         grille_error *err, int64_t id,
                                         const char *name, int64_t body,
                                         size_t len);
/* 0 when text[0, len), document `id`'s text (or a part of it), is UTF-8
 * without a NUL, as add stores it; else the error of a damaged project,
 * naming the document and the byte (`at`: the part's offset). */
GRILLE_HIDDEN int grille_store__bad_text(const grille_store *s,
                                         grille_error *err, int64_t id,
                                         const char *name, const char *text,
                                         size_t len, size_t at);
/* 0 unless segment `seg`'s text, text[0, len) from byte `start`, starts
 * or ends (its next byte: after[0], NULL at the text's end) inside a
 * UTF-8 character: the error of a damaged project. */
GRILLE_HIDDEN int grille_store__cut_char(const grille_store *s,
                                         grille_error *err, int64_t seg,
                                         const void *text, size_t len,
                                         const void *after, int64_t start);
/* grille_add_prepare of a text without a front matter (a REFI-QDA
 * source), for the project's unit; `name` names it in errors. */
GRILLE_HIDDEN int grille_store__prepare_plain(grille_prepared **out,
                                              grille_store *s,
                                              grille_analyser *a,
                                              const grille_codebook *cb,
                                              const char *name,
                                              const grille_text *text,
                                              grille_error *err);
/* The two copies of the WAL index header (the -shm file): its iChange
 * counts the commits, so that two equal headers read at two moments mean
 * that no commit came in between. */
#define GRILLE_WAL_HEADER 96
/* Reads the header of the project that `db` has open, from the memory
 * SQLite maps it in; false when there is none (not mapped yet, not WAL),
 * or while it is being written (its copies differ). */
GRILLE_HIDDEN bool grille_store__wal_header(sqlite3 *db, unsigned char *h);
/* The header as it was when the state that `s` reads now began (before its
 * read snapshot, or now when it has none); false when unknown (a write
 * transaction, no -shm). */
GRILLE_HIDDEN bool grille_store__snapshot_header(grille_store *s,
                                                 unsigned char *h);
/* Makes sure the codes table holds every code of `cb` (inside the
 * caller's transaction). */
GRILLE_HIDDEN int grille_store__sync_codes(grille_store *s,
                                           const grille_codebook *cb,
                                           grille_error *err);
/* Computes document `doc`'s doc_stats row again from its stored codings
 * (after codings were added to it). */
GRILLE_HIDDEN int grille_store__stats_refresh(grille_store *s, int64_t doc,
                                              grille_error *err);
/* A coding was written by another module (an import): its term is
 * counted in term_stats. */
GRILLE_HIDDEN int grille_store__term_added(grille_store *s, int64_t code,
                                           const char *term, size_t len,
                                           int64_t segment, int64_t coding,
                                           grille_error *err);
/* Runs write(s) in the caller's transaction, or in one of its own when
 * there is none (*own): all or nothing, ended by grille_store__own_end
 * (commit, or rollback when r < 0; returns r or the commit's error). */
GRILLE_HIDDEN int grille_store__own_begin(grille_store *s, bool *own,
                                          grille_error *err);
GRILLE_HIDDEN int grille_store__own_end(grille_store *s, bool own, int r,
                                        grille_error *err);
/* The descriptor the transaction's write-back hints go to (see
 * writeback_tick), -1 when none yet: for the tests. */
GRILLE_HIDDEN int grille_store__hinted_fd(const grille_store *s);
/* Writes the term counts of the writes so far in the transaction, for a
 * report read inside it. */
GRILLE_HIDDEN int grille_store__terms_sync(grille_store *s, grille_error *err);
/* A coding's id (schema 4): its segment's id shifted by CODING_SHIFT,
 * plus its number within the segment; the codings of a segment, and those
 * of a document (whose segments' ids follow each other), are a range of
 * rowids.  The SQL below writes the same numbers. */
#define CODING_SHIFT 28
#define CODING_MAX_IN_SEGMENT ((INT64_C(1) << CODING_SHIFT) - 1)
/* Segment ids stay below this, so that their codings' ids fit. */
#define SEGMENT_ID_LIMIT (INT64_C(1) << (62 - CODING_SHIFT))
/* Results of our own, beside SQLite's, for grille_store__error: past the
 * numbers a coding's id or a segment's can hold. */
#define LIMIT_CODINGS (SQLITE_FULL | (200 << 8))
#define LIMIT_SEGMENTS (SQLITE_FULL | (201 << 8))
/* SQL: the codings of segment `seg`, of document `doc` (a parameter: the
 * subqueries are then run once); `c` is how the codings table is named,
 * with its dot ("c.", "codings.").  A document's codings' ids lie between
 * its first segment's and its last one's (CODING_SHIFT); when its
 * segments' ids follow each other, as grille numbers them, no other
 * document's segment is between, else each coding's segment is looked
 * up. */
#define SQL_SEGMENT_CODINGS(c, seg)                                          \
    c "id BETWEEN (" seg ") << 28 AND ((" seg ") << 28) + 268435455 AND " c  \
    "segment = " seg
#define SQL_DOCUMENT_CODINGS(c, doc)                                         \
    c "id BETWEEN (SELECT min(id) FROM segments WHERE document = " doc       \
    ") << 28 AND ((SELECT max(id) FROM segments WHERE document = " doc       \
    ") << 28) + 268435455 AND ((SELECT max(id) - min(id) + 1 = count(*) "    \
    "FROM segments WHERE document = " doc ") OR (SELECT s_.document FROM "  \
    "segments s_ WHERE s_.id = " c "segment) = " doc ")"
/* Whether the codings' ids say their segments (schema 4; a project of an
 * older schema opened read-only has its codings indexed by segment). */
GRILLE_HIDDEN bool grille_store__coding_ranges(const grille_store *s);
/* Whether the project has term_stats (a project of schema 2 opened
 * read-only has not). */
GRILLE_HIDDEN bool grille_store__has_term_stats(const grille_store *s);
/* The numbers per code of doc_stats' cells as the project has them
 * (GRILLE_CELL_FIELDS, or GRILLE_CELL_FIELDS_V4 before schema 5). */
GRILLE_HIDDEN size_t grille_store__cell_fields(const grille_store *s);
/* Whether the project may hold several spellings of an attribute key, and
 * values untrimmed (schema 5 and before, read without an upgrade). */
GRILLE_HIDDEN bool grille_store__attr_spellings(const grille_store *s);
/* While a report reads (on, then off): a small page cache, 2 MiB (32
 * pages), rather than the 64 MiB an add writes through.  A report reads
 * each page of doc_stats once, and a page of text per quote shown: in a
 * large cache each page copied in takes memory never touched before (16
 * page faults for a 64 KiB page, 13 us each on the benchmark's machine),
 * in a small one the same few buffers are used again.  Reads are copies
 * (pread; every connection has mmap_size 0), not a mapping of the file: touching a mapped page costs a
 * fault too, and unmapping 256 MiB at the end 2 ms.  Left as it is
 * inside a write transaction, whose dirty pages it would spill. */
GRILLE_HIDDEN void grille_store__small_cache(grille_store *s, bool on);
/* Codes were added or moved: their parents are read again. */
GRILLE_HIDDEN void grille_store__codes_changed(grille_store *s);
/* Fills err from SQLite's result code `rc` while `doing` something. */
GRILLE_HIDDEN int grille_store__error(grille_store *s, grille_error *err,
                                      int rc, const char *doing);
/* Fills err: the project is damaged, the text of document `doc` is not
 * in it (its row gone from under an index). */
GRILLE_HIDDEN int grille_store__missing_text(grille_store *s,
                                             grille_error *err, int64_t doc);

#endif
