/*
 * store.c - the project store: one SQLite file per project.
 *
 * Schema (version 7; PRAGMA application_id = 0x47524C45, "GRLE"; PRAGMA
 * user_version = 7), every table STRICT:
 *
 *   meta        key TEXT PRIMARY KEY, value TEXT
 *               schema_version, grille_version, stemmer, unit, created_at
 *   codebook    one row (id = 1): name, source, sha256, yaml, updated_at
 *   documents   id, name UNIQUE, path, sha256 UNIQUE (of the decoded
 *               text), encoding, text (decoded UTF-8, front matter
 *               included), body (offset after the front matter), bytes,
 *               words, added_at, file (the path from / of the file added,
 *               links resolved, since version 7: NULL when unknown)
 *   attributes  (document, key) PRIMARY KEY, value, origin ("front
 *               matter", "command line", "cases.csv"...)
 *   segments    id, document, idx (0-based, as in `grille tag`), kind,
 *               start, end, line, speaker, words
 *   codes       id, code UNIQUE (slash path), label, description, color,
 *               parent (codes.id), depth, position (order in the current
 *               codebook, NULL when not in it), in_codebook
 *   codings     id (segment << 28, plus its number in the segment: see
 *               CODING_SHIFT), segment, code, start, end (bytes into the
 *               document's text), term, rule, origin ("automatic" or
 *               "manual"), coder
 *   doc_stats   document PRIMARY KEY, segments, coded, words, cells and
 *               pairs (blobs): each document's counts and best quotes
 *               (where each is, since version 5), written with its
 *               codings, read by cooc, compare and report (stats.c)
 *   term_stats  (code, term) PRIMARY KEY, hits, first_segment,
 *               first_coding: the codings of each code and term, and the
 *               earliest of them, kept by every write, read by the
 *               report's top terms (terms.c)
 *
 * A worked example: adding "itw-millau.md" whose front matter says
 * "type: commune" and whose line 12 reads "- masques et gel" stores one
 * documents row, an attributes row (type, commune, front matter), a
 * segments row (idx 2, kind bullet, line 12, start 410...) and two codings
 * rows pointing at that segment and at the code "sante/protection", with
 * the byte spans of "masques" and "gel" and origin "automatic".
 * Documents, attributes, segments, codings and doc_stats rows are
 * deleted together by grille_store_remove (the schema says ON DELETE
 * CASCADE for other tools; grille does not enforce foreign keys).  Every
 * write happens inside BEGIN IMMEDIATE ... COMMIT run by the caller, with
 * WAL (a first import into an empty project: a rollback journal, see
 * bulk_begin) and a busy timeout, so two writers queue instead of failing
 * and an interrupted command leaves the file as it was.  Statements are
 * prepared once and bound, never built by printf.
 */
#include "analyser.h"
#include "codebook.h"
#include "heap.h"
#include "stats.h"
#include "store.h"
#include "terms.h"
#include "thread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define APPLICATION_ID 0x47524C45
#define SCHEMA_VERSION 8

void grille_free(void *p)
{
    free(p);
}

enum {
    Q_ADD_DOC,
    Q_FIND_HASH,
    Q_FIND_NAME,
    Q_FIND_FILE,
    Q_SET_ATTR,
    Q_UPSERT_CODE,
    Q_CODE_ID,
    Q_DOC_TERMS,
    Q_DOC_AUTO_TERMS,
    Q_NEXT_SEG,
    Q_MAX_CODING,
    Q_DOC_ATTRS,
    Q_SEG_SPEAKER,
    Q_COUNT
};

static const char *const queries[Q_COUNT] = {
    [Q_ADD_DOC] =
        "INSERT INTO documents (name, path, sha256, encoding, text, body, "
        "bytes, words, added_at, file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?9)",
    [Q_FIND_HASH] = "SELECT id, name FROM documents WHERE sha256 = ?1",
    [Q_FIND_NAME] = "SELECT id FROM documents WHERE name = ?1",
    /* prepared once: parsing it for each document was a twentieth of
     * add's writing thread */
    [Q_FIND_FILE] = "SELECT id, name FROM documents WHERE file = ?1 "
                    "ORDER BY id LIMIT 1",
    [Q_SET_ATTR] =
        "INSERT INTO attributes (document, key, value, origin) VALUES "
        "(?1, ?2, ?3, ?4) ON CONFLICT (document, key) DO UPDATE SET "
        "value = excluded.value, origin = excluded.origin",
    [Q_UPSERT_CODE] =
        "INSERT INTO codes (code, label, description, color, parent, depth, "
        "position, in_codebook) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1) "
        "ON CONFLICT (code) DO UPDATE SET label = excluded.label, "
        "description = excluded.description, color = excluded.color, "
        "parent = excluded.parent, depth = excluded.depth, "
        "position = excluded.position, in_codebook = 1",
    [Q_CODE_ID] = "SELECT id FROM codes WHERE code = ?1",
    /* the codings a remove or a recode is about to delete */
    [Q_DOC_TERMS] = "SELECT code, term FROM codings WHERE "
                    SQL_DOCUMENT_CODINGS("codings.", "?1"),
    [Q_DOC_AUTO_TERMS] = "SELECT code, term FROM codings WHERE origin = "
                         "'automatic' AND "
                         SQL_DOCUMENT_CODINGS("codings.", "?1"),
    /* the largest ids: new rows are given the next ones, as SQLite would */
    [Q_NEXT_SEG] = "SELECT max(id) FROM segments",
    [Q_MAX_CODING] = "SELECT coalesce(max(id), -1) FROM codings",
    /* a document's attributes: prepared once, for a list of 200,000 */
    [Q_DOC_ATTRS] = "SELECT key, value, origin FROM attributes WHERE "
                    "document = ?1 ORDER BY key",
    /* a quote's speaker: prepared once, for the hundreds a report shows */
    [Q_SEG_SPEAKER] = "SELECT speaker FROM segments WHERE id = ?1",
};

/*
 * A document's segments and codings are inserted BATCH rows per statement:
 * a statement's own cost (its reset, bindings and end) was most of an
 * add's time in SQLite when paid for every row.  The segments' ids are
 * SQLite's own (a NULL id: the largest + 1 and on, with no check that a
 * given id is free), known beforehand for their codings and checked after
 * each statement (ids_as_expected); the codings' ids are their segment's
 * (CODING_SHIFT), given.
 */
#define BATCH 16
enum { B_SEG, B_CODING, B_KINDS };
static const char *const batch_head[B_KINDS] = {
    "INSERT OR FAIL INTO segments (id, document, idx, kind, start, \"end\", "
    "line, speaker, words) VALUES ",
    "INSERT OR FAIL INTO codings (id, segment, code, start, \"end\", term, "
    "rule, origin) VALUES "};
static const char *const batch_row[B_KINDS] = {
    "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "(?, ?, ?, ?, ?, ?, ?, 'automatic')"};
enum { SEG_COLS = 9, CODING_COLS = 7 };

struct grille_store {
    sqlite3 *db;
    char *path;
    /* the project's file, links resolved (NULL: path): SQLite keeps its
     * -wal, -shm and -journal beside it, not beside a link to it */
    char *file;
    grille_unit unit;
    bool in_tx;
    /* the document an add refused as an older version of the note (its
     * file's, or its path's, with another text): what a replace removes */
    int64_t edited_id;
    bool in_read; /* grille_store_read_begin */
    bool small_cache; /* grille_store__small_cache */
    bool immutable; /* opened immutable: the -wal and -shm not read */
    bool bulk;      /* in a first import, under a rollback journal */
    int busy_ms;    /* the busy timeout */
    int wait_ms;    /* this wait's limit: busy_ms, or less (busy_wait) */
    bool beginning; /* in grille_store_begin: an interrupt stops the wait */
    void (*on_wait)(const char *path, void *payload); /* after a second */
    void *wait_payload;
    bool wait_said; /* on_wait called in this wait */
    bool wal_known; /* wal_before holds the WAL index header from before
                       the read snapshot began */
    unsigned char wal_before[GRILLE_WAL_HEADER];
    int64_t version; /* of the schema, as the file was opened */
    char sha256[65];  /* of the project's codebook */
    char *cb_name;    /* its name */
    char *cb_source;  /* the file it was read from, or "bundled" */
    /* the names and sources the codebook had before: a pointer the
     * caller holds stays valid until the store is closed */
    char **retired;
    size_t nretired, retired_cap;
    sqlite3_stmt *q[Q_COUNT];
    sqlite3_stmt *batch[B_KINDS][BATCH]; /* [k][n - 1]: n rows of kind k */
    /* codebook code index -> codes.id, for the codebook last synced */
    const grille_codebook *synced;
    int64_t *code_ids;
    size_t ncode_ids;
    /* rule index -> its text's length (a strlen for each coding was a
     * share of add's writing thread) */
    int *rule_len;
    /* the builder of doc_stats rows; its codes' parents are read again
     * when codes change */
    grille_stats *stats;
    bool stats_stale;
    /* the term_stats changes of the transaction, flushed by the commit */
    grille_terms *terms;
    /* writing back a large transaction as it goes (see writeback_tick):
     * the bytes of text added since the last hint, and the descriptor
     * hinted: the WAL's, opened here, or in a first import SQLite's own
     * of the project file (fd + 1; 0: none yet) */
    size_t wb_pending;
    int wb_fd;
    bool wb_own; /* opened here (the WAL's), to close */
};

static const char schema_v1[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
    "CREATE TABLE codebook (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " name TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " yaml TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;"
    "CREATE TABLE documents (id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE, path TEXT NOT NULL,"
    " sha256 TEXT NOT NULL UNIQUE, encoding TEXT NOT NULL,"
    " text TEXT NOT NULL, body INTEGER NOT NULL, bytes INTEGER NOT NULL,"
    " words INTEGER NOT NULL, added_at TEXT NOT NULL) STRICT;"
    "CREATE TABLE attributes (document INTEGER NOT NULL"
    " REFERENCES documents (id) ON DELETE CASCADE, key TEXT NOT NULL,"
    " value TEXT NOT NULL, origin TEXT NOT NULL,"
    " PRIMARY KEY (document, key)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE segments (id INTEGER PRIMARY KEY, document INTEGER NOT NULL"
    " REFERENCES documents (id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
    " kind TEXT NOT NULL, start INTEGER NOT NULL, \"end\" INTEGER NOT NULL,"
    " line INTEGER NOT NULL, speaker TEXT, words INTEGER NOT NULL,"
    " UNIQUE (document, idx)) STRICT;"
    "CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
    " label TEXT NOT NULL, description TEXT NOT NULL, color TEXT NOT NULL,"
    " parent INTEGER REFERENCES codes (id), depth INTEGER NOT NULL,"
    " position INTEGER, in_codebook INTEGER NOT NULL) STRICT;"
    "CREATE TABLE codings (id INTEGER PRIMARY KEY, segment INTEGER NOT NULL"
    " REFERENCES segments (id) ON DELETE CASCADE, code INTEGER NOT NULL"
    " REFERENCES codes (id), start INTEGER NOT NULL, \"end\" INTEGER NOT NULL,"
    " term TEXT NOT NULL, rule TEXT NOT NULL, origin TEXT NOT NULL"
    " CHECK (origin IN ('automatic', 'manual')), coder TEXT) STRICT;"
    "CREATE INDEX codings_segment ON codings (segment);";

/* Migrations: migrations[v] takes a project from version v to v + 1.  The
 * first (from an empty file) is the whole schema. */
/* Version 2: each document's aggregates (stats.c), so that cooc and
 * compare read a row per document rather than every coding.  Filled for
 * the documents already there by migrate(). */
static const char schema_v2[] =
    "CREATE TABLE doc_stats (document INTEGER PRIMARY KEY"
    " REFERENCES documents (id) ON DELETE CASCADE,"
    " segments INTEGER NOT NULL, coded INTEGER NOT NULL,"
    " words INTEGER NOT NULL, cells BLOB NOT NULL, pairs BLOB NOT NULL)"
    " STRICT;";

/* Version 3: each code's terms (terms.c), so that the report's top terms
 * read a row per code and term rather than every coding, filled for the
 * codings already there by migrate(); attributes indexed by key. */
static const char schema_v3[] =
    "CREATE TABLE term_stats (code INTEGER NOT NULL REFERENCES codes (id),"
    " term TEXT NOT NULL, hits INTEGER NOT NULL,"
    " first_segment INTEGER NOT NULL, first_coding INTEGER NOT NULL,"
    " PRIMARY KEY (code, term)) STRICT, WITHOUT ROWID;"
    /* the report reads 4 attributes of each document, not all of them */
    "CREATE INDEX attributes_key ON attributes (key, document, value,"
    " origin);";

/* Version 4: a coding's id says its segment, segment * 2^28 + n
 * (CODING_SHIFT), so that the codings of a segment or of a document (whose
 * segments' ids follow each other) are a range of the table's rowids, and
 * the index on codings (segment) goes: keeping it up to date was a tenth
 * of an add.  The ids are renumbered, in their order within each segment,
 * and term_stats follows. */
static const char schema_v4[] =
    "CREATE TABLE codings_v4 (id INTEGER PRIMARY KEY, segment INTEGER NOT NULL"
    " REFERENCES segments (id) ON DELETE CASCADE, code INTEGER NOT NULL"
    " REFERENCES codes (id), start INTEGER NOT NULL, \"end\" INTEGER NOT NULL,"
    " term TEXT NOT NULL, rule TEXT NOT NULL, origin TEXT NOT NULL"
    " CHECK (origin IN ('automatic', 'manual')), coder TEXT,"
    " CHECK (id >> 28 = segment)) STRICT;"
    /* term_stats' earliest codings first, while the old ids are there;
     * then the codings in their new order, appended */
    "UPDATE term_stats SET first_coding = (SELECT (c.segment << 28) +"
    " (SELECT count(*) FROM codings o WHERE o.segment = c.segment AND"
    " o.id < c.id) FROM codings c WHERE c.id = first_coding)"
    " WHERE first_coding IN (SELECT id FROM codings);"
    "INSERT INTO codings_v4 SELECT (segment << 28) + row_number() OVER"
    " (PARTITION BY segment ORDER BY id) - 1, segment, code, start, \"end\","
    " term, rule, origin, coder FROM codings ORDER BY segment, id;"
    "DROP TABLE codings;"
    "ALTER TABLE codings_v4 RENAME TO codings;";

/* Version 5: each cell of doc_stats says where its best quote is (the
 * segment's start and line, its first coding of the code): the report
 * reads a quote's text without its segment and codings.  The rows are
 * computed again by migrate(); no table changes. */
static const char schema_v5[] = "";

/* Version 6: attribute keys and values as set_attr stores them since:
 * trimmed of every space, decomposed accents composed, and the seven keys
 * the reports read in one spelling ("Rôle": role).  The rows are cleaned
 * by attrs_clean_all(); no table changes. */
static const char schema_v6[] = "";

/* Version 7: where each document was read from, as the path from / with
 * links resolved: an edited note added again by another path
 * ("./notes/a.md", its full path, from another folder) is the same file
 * (add refuses it rather than count the interview twice).  Attributes
 * are cleaned again (control characters, since version 6's cleaning). */
static const char schema_v7[] =
    "ALTER TABLE documents ADD COLUMN file TEXT;"
    "CREATE INDEX documents_file ON documents (file) WHERE file IS NOT NULL;";

/* Version 8: the interviewer's other names (Enquêtrice, interviewer...)
 * are the key enqueteur (grille_attr_key): a project that stored them as
 * written has them cleaned by attrs_clean_all(), so that --by enqueteur,
 * and the report's interviewers, find them.  No table changes. */
static const char schema_v8[] = "";

static const char *const migrations[SCHEMA_VERSION] = {
    schema_v1, schema_v2, schema_v3, schema_v4,
    schema_v5, schema_v6, schema_v7, schema_v8};

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

static size_t col_size(sqlite3_stmt *st, int i)
{
    sqlite3_int64 v = sqlite3_column_int64(st, i);
    return v < 0 ? 0 : (size_t)v;
}

/* ---------------------------------------------------------------- errors */

int grille_store__bad_body(const grille_store *s, grille_error *err,
                           int64_t id, const char *name, int64_t body,
                           size_t len)
{
    if (body >= 0 && (uint64_t)body <= len)
        return 0;
    return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                         _("the project file is damaged: document '%s' "
                           "(#%lld) has its body at byte %lld, outside its "
                           "text of %zu"),
                         name ? name : "", (long long)id, (long long)body,
                         len);
}

int grille_store__bad_text(const grille_store *s, grille_error *err,
                           int64_t id, const char *name, const char *text,
                           size_t len, size_t at)
{
    size_t k = len ? grille__utf8_text(text, len) : 0;
    if (k == len)
        return 0;
    if (!text[k])
        return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                             _("the project file is damaged: the text of "
                               "document '%s' (#%lld) has a NUL byte at byte "
                               "%zu"),
                             name ? name : "", (long long)id, at + k);
    return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                         _("the project file is damaged: the text of "
                           "document '%s' (#%lld) is not UTF-8 at byte %zu "
                           "(0x%02X)"),
                         name ? name : "", (long long)id, at + k,
                         (unsigned)(unsigned char)text[k]);
}

int grille_store__cut_char(const grille_store *s, grille_error *err,
                           int64_t seg, const void *text, size_t len,
                           const void *after, int64_t start)
{
    const unsigned char *t = text, *a = after;
    bool first = len && (t[0] & 0xC0) == 0x80;
    if (!first && !(a && (a[0] & 0xC0) == 0x80))
        return 0;
    return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                         _("the project file is damaged: segment #%lld %s "
                           "inside a character (byte %lld)"),
                         (long long)seg, first ? _("starts") : _("ends"),
                         (long long)(first ? start : start + (int64_t)len));
}

int grille_store__bad_span(const grille_store *s, grille_error *err,
                           bool coding, int64_t seg, int64_t start,
                           int64_t end, int64_t line, int64_t size)
{
    if (start >= 0 && end >= start && line >= 0 && line <= UINT_MAX &&
        (size < 0 || end <= size))
        return 0;
    char what[64];
    snprintf(what, sizeof(what),
             coding ? _("a coding of segment #%lld") : _("segment #%lld"),
             (long long)seg);
    if (size >= 0)
        return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                             _("the project file is damaged: %s spans bytes "
                               "%lld to %lld (line %lld) of a text of %lld"),
                             what, (long long)start, (long long)end,
                             (long long)line, (long long)size);
    return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                         _("the project file is damaged: %s spans bytes "
                           "%lld to %lld (line %lld)"),
                         what, (long long)start, (long long)end,
                         (long long)line);
}

static int store_error(grille_store *s, grille_error *err, int rc,
                       const char *doing)
{
    const char *path = s ? s->path : NULL;
    /* the connection's message when it is this error's: a finalize or a
     * reset since may have left "not an error" there */
    const char *msg = s && s->db && (sqlite3_extended_errcode(s->db) & 0xFF) ==
                                        (rc & 0xFF)
                          ? sqlite3_errmsg(s->db)
                          : sqlite3_errstr(rc);
    int code = GRILLE_ESTORE;
    int r;
    if (rc == LIMIT_CODINGS || rc == LIMIT_SEGMENTS) {
        if (rc == LIMIT_CODINGS)
            r = grille__error(err, code, path, 0, 0,
                              _("cannot %s: a segment's codings would be "
                                "numbered past %lld (a coding's id holds "
                                "its segment's); nothing was written"),
                              doing, (long long)CODING_MAX_IN_SEGMENT);
        else
            r = grille__error(err, code, path, 0, 0,
                              _("cannot %s: segment ids would go past %lld "
                                "(a coding's id holds its segment's); "
                                "nothing was written"),
                              doing, (long long)SEGMENT_ID_LIMIT - 1);
        if (err)
            err->detail = rc;
        return r;
    }
    /* `doing` is what was being done, as a verb: "add the document" */
    switch (rc & 0xFF) {
    case SQLITE_NOMEM:
        return grille__nomem(err);
    case SQLITE_FULL:
        r = grille__error(err, code, path, 0, 0,
                          _("cannot %s: the disk is full; nothing was "
                            "written"),
                          doing);
        break;
    case SQLITE_READONLY:
        if (rc == SQLITE_READONLY_ROLLBACK)
            /* a hot journal, that a connection which may not write
             * cannot roll back (see bulk_begin) */
            r = grille__error(
                err, code, path, 0, 0, "%s",
                _("an add into this project was interrupted, and its "
                  "journal (the -journal file beside it) must be rolled "
                  "back: run any grille command on the project as a user "
                  "who may write it"));
        else
            r = grille__error(err, code, path, 0, 0, "%s",
                              _("the project is read-only: nothing can be "
                                "written to it"));
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        r = grille__error(err, code, path, 0, 0,
                          _("cannot %s: the project is busy (another grille "
                            "is writing it); try again"),
                          doing);
        break;
    case SQLITE_CORRUPT:
        r = grille__error(err, code, path, 0, 0,
                          _("cannot %s: the project file is damaged (%s)"),
                          doing, msg);
        break;
    case SQLITE_NOTADB:
        r = grille__error(err, GRILLE_ENOTPROJECT, path, 0, 0, "%s",
                          _("not a grille project (not a SQLite database)"));
        break;
    case SQLITE_CANTOPEN:
        r = grille__error(err, code, path, 0, 0,
                          _("cannot %s: %s (is the project's folder "
                            "writable?)"),
                          doing, msg);
        break;
    case SQLITE_IOERR: {
        int e = s && s->db ? sqlite3_system_errno(s->db) : 0;
        /* SQLite reports ENOSPC as FULL, but a file size limit (EFBIG) or
         * a quota as a failed write, and may have lost the errno by then */
        if (e == EFBIG || e == ENOSPC || e == EDQUOT ||
            rc == SQLITE_IOERR_WRITE) {
            r = grille__error(err, code, path, 0, 0,
                              _("cannot %s: the disk is full (or the file "
                                "size limit is reached); nothing was "
                                "written"),
                              doing);
            break;
        }
        r = grille__error(err, code, path, 0, 0, _("cannot %s: %s"), doing,
                          e ? strerror(e) : msg);
        break;
    }
    default:
        r = grille__error(err, code, path, 0, 0, _("cannot %s: %s"), doing,
                          msg);
    }
    if (err)
        err->detail = rc;
    return r;
}

sqlite3 *grille_store__db(grille_store *s)
{
    return s->db;
}

const char *grille_store__path(const grille_store *s)
{
    return s->path;
}

bool grille_store__wal_header(sqlite3 *db, unsigned char *h)
{
    /* Read where SQLite maps it, through the connection's own file
     * (xShmMap of region 0, which opens nothing when it is mapped
     * already): opening and closing the -shm here would drop every POSIX
     * lock the process holds on it, the read marks of open snapshots
     * included. */
    /* Only in WAL mode: mapped for a connection under a rollback journal
     * (a first import, bulk_begin), the -shm would be made, and its
     * memory never freed. */
    sqlite3_stmt *jm;
    bool wal = false;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &jm, NULL) ==
        SQLITE_OK) {
        const char *m = sqlite3_step(jm) == SQLITE_ROW
                            ? (const char *)sqlite3_column_text(jm, 0)
                            : NULL;
        wal = m && strcmp(m, "wal") == 0;
        sqlite3_finalize(jm);
    }
    if (!wal)
        return false;
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) !=
            SQLITE_OK ||
        !f || !f->pMethods || f->pMethods->iVersion < 2 ||
        !f->pMethods->xShmMap)
        return false;
    volatile void *map = NULL;
    if (f->pMethods->xShmMap(f, 0, 32768, 0, &map) != SQLITE_OK || !map)
        return false;
    const volatile unsigned char *m = map;
    for (size_t i = 0; i < GRILLE_WAL_HEADER; i++)
        h[i] = m[i];
    return h[12] == 1 /* isInit */ &&
           memcmp(h, h + GRILLE_WAL_HEADER / 2, GRILLE_WAL_HEADER / 2) == 0;
}

bool grille_store__snapshot_header(grille_store *s, unsigned char *h)
{
    /* an immutable open reads the file alone, whatever the -shm says */
    if (s->in_tx || s->immutable)
        return false;
    if (s->in_read) {
        if (s->wal_known)
            memcpy(h, s->wal_before, GRILLE_WAL_HEADER);
        return s->wal_known;
    }
    return grille_store__wal_header(s->db, h);
}

int grille_store__missing_text(grille_store *s, grille_error *err,
                               int64_t doc)
{
    return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                         _("the project file is damaged: the text of "
                           "document #%lld is missing"),
                         (long long)doc);
}

int grille_store__error(grille_store *s, grille_error *err, int rc,
                        const char *doing)
{
    return store_error(s, err, rc, doing);
}

static int exec(grille_store *s, const char *sql, const char *doing,
                grille_error *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_error(s, err, rc, doing);
}

/*
 * The default VFS, except that it creates no file.  A reader who may not
 * write the project reads the changes waiting in its -wal through it (see
 * store_connect): SQLite would otherwise make the -wal (and the -shm)
 * again, as that reader's own files, if the owner's last connection
 * removed them just before, and the owner's next write would then fail
 * ("read-only") until someone removed them.  The -shm is SQLite's
 * `readonly_shm`: opened read-only, never made.
 */
#define NOCREATE_VFS "grille-nocreate"
static sqlite3_vfs nocreate_vfs, *nocreate_base;

static int nocreate_open(sqlite3_vfs *vfs, const char *name,
                         sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    return nocreate_base->xOpen(nocreate_base, name, file,
                                flags & ~SQLITE_OPEN_CREATE, out_flags);
}

/* A copy of the default VFS (its pAppData too, which its other methods
 * read through the copy) with xOpen wrapped. */
static void nocreate_register(void)
{
    sqlite3_vfs *base = sqlite3_vfs_find(NULL);
    if (!base)
        return;
    nocreate_base = base;
    nocreate_vfs = *base;
    nocreate_vfs.pNext = NULL;
    nocreate_vfs.zName = NOCREATE_VFS;
    nocreate_vfs.xOpen = nocreate_open;
    sqlite3_vfs_register(&nocreate_vfs, 0);
}

/* Before SQLite's first use in the process: no memory statistics (a
 * global lock and counters for every allocation, 7% of an add).  Without
 * effect when the application has used SQLite already. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    nocreate_register();
}

static sqlite3_stmt *stmt(grille_store *s, int q, int *rc)
{
    if (!s->q[q]) {
        *rc = sqlite3_prepare_v3(s->db, queries[q], -1,
                                 SQLITE_PREPARE_PERSISTENT, &s->q[q], NULL);
        if (*rc != SQLITE_OK)
            return NULL;
    }
    sqlite3_reset(s->q[q]);
    sqlite3_clear_bindings(s->q[q]);
    *rc = SQLITE_OK;
    return s->q[q];
}

/* The statement that inserts n rows (1 to BATCH) of kind k, reset and
 * without bindings. */
static sqlite3_stmt *batch_stmt(grille_store *s, int k, size_t n, int *rc)
{
    sqlite3_stmt **st = &s->batch[k][n - 1];
    if (!*st) {
        gbuf sql = {0};
        *rc = gbuf_puts(&sql, batch_head[k]) < 0 ? SQLITE_NOMEM : SQLITE_OK;
        for (size_t i = 0; i < n && *rc == SQLITE_OK; i++)
            if ((i && gbuf_puts(&sql, ", ") < 0) ||
                gbuf_puts(&sql, batch_row[k]) < 0)
                *rc = SQLITE_NOMEM;
        if (*rc == SQLITE_OK)
            *rc = sqlite3_prepare_v3(s->db, sql.data, -1,
                                     SQLITE_PREPARE_PERSISTENT, st, NULL);
        gbuf_free(&sql);
        if (*rc != SQLITE_OK)
            return NULL;
    }
    /* no sqlite3_clear_bindings: every parameter but the id (never
     * bound: NULL) is bound again for each row */
    sqlite3_reset(*st);
    *rc = SQLITE_OK;
    return *st;
}

/* The id SQLite would give the next row of a table (query q: its largest
 * id), for n rows in a row. */
static int next_id(grille_store *s, int q, size_t n, int64_t *out)
{
    int rc;
    sqlite3_stmt *st = stmt(s, q, &rc);
    if (!st)
        return rc;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
    int64_t max = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    /* past the limit, the codings' ids would not fit (SQLite would pick
     * ids at random well after) */
    if (max < 0 || max > SEGMENT_ID_LIMIT - 1 - (int64_t)n)
        return LIMIT_SEGMENTS;
    *out = max + 1;
    return SQLITE_OK;
}

static int prepare(grille_store *s, const char *sql, sqlite3_stmt **st,
                   grille_error *err)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : store_error(s, err, rc, "read the project");
}

/* Reads one integer from a query without parameters. */
static int scalar(grille_store *s, const char *sql, int64_t *out,
                  grille_error *err)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(s, err, rc, "open the project");
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(s, err, rc, "open the project");
    return 0;
}

/* ------------------------------------------------------- open and close */

/* The schema_version of table meta, which every schema has and each
 * upgrade since schema 3 sets with PRAGMA user_version; 0 when it cannot
 * be read. */
static int64_t meta_version(grille_store *s)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT value FROM meta WHERE key = "
                           "'schema_version'",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        char *end;
        long long n = t ? strtoll(t, &end, 10) : 0;
        v = t && *t && !*end ? n : 0;
    }
    sqlite3_finalize(st);
    return v;
}

/* Whether a header's schema version v and table meta's m disagree as no
 * grille leaves them: meta ahead of the header, or a header past this
 * grille's schemas with meta within them.  Each upgrade sets both in one
 * transaction, but the one to schema 2 left meta at 1: a header ahead of
 * meta may be sound. */
static bool versions_clash(int64_t v, int64_t m)
{
    return m > 0 && (m > v || (v > SCHEMA_VERSION && m <= SCHEMA_VERSION));
}

/* Whether the header's version (*version) and meta's (*meta) clash.  Read
 * apart, the two could straddle another grille's upgrade: a clash is read
 * again, both in one snapshot, before it counts (*version with it). */
static bool versions_disagree(grille_store *s, int64_t *version,
                              int64_t *meta)
{
    *meta = meta_version(s);
    if (!versions_clash(*version, *meta))
        return false;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return true;
    int64_t v = 0;
    bool read = scalar(s, "PRAGMA user_version", &v, NULL) == 0;
    if (read)
        *meta = meta_version(s);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (!read)
        return true;
    *version = v;
    return versions_clash(v, *meta);
}

static void writeback_end(grille_store *s);
static void bulk_end(grille_store *s);
static bool journal_mode(grille_store *s, const char *mode, int wait_ms);

void grille_store_close(grille_store *s)
{
    if (!s)
        return;
    writeback_end(s);
    if (s->in_tx || s->in_read)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    bulk_end(s);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->q[i]);
    for (int k = 0; k < B_KINDS; k++)
        for (int n = 0; n < BATCH; n++)
            sqlite3_finalize(s->batch[k][n]);
    grille__stats_free(s->stats);
    grille__terms_free(s->terms);
    free(s->cb_name);
    free(s->cb_source);
    for (size_t i = 0; i < s->nretired; i++)
        free(s->retired[i]);
    free(s->retired);
    sqlite3_close(s->db);
    free(s->code_ids);
    free(s->rule_len);
    free(s->path);
    free(s->file);
    free(s);
}

void grille_store_busy_timeout(grille_store *s, int ms)
{
    s->busy_ms = s->wait_ms = ms;
}

void grille_store_on_wait(grille_store *s,
                          void (*cb)(const char *path, void *payload),
                          void *payload)
{
    s->on_wait = cb;
    s->wait_payload = payload;
}

/*
 * SQLite's busy timeout (the same delays, up to s->wait_ms), except that
 * a command waiting for the write lock stops at once when the flag of
 * grille_set_interrupt is raised: a Ctrl-C while another command holds
 * the project, which used to kill the program at once, ends the wait,
 * and the command says that it stopped (the signal handler is in place
 * before the transaction begins, so that none can come in between).
 */
static int busy_wait(void *arg, int count)
{
    static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    static const int totals[] = {0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178,
                                 228};
    enum { NDELAYS = sizeof(delays) / sizeof(delays[0]) };
    grille_store *s = arg;
    if (s->beginning && grille__interrupted())
        return 0;
    int delay, prior;
    if (count < NDELAYS) {
        delay = delays[count];
        prior = totals[count];
    } else {
        delay = delays[NDELAYS - 1];
        prior = totals[NDELAYS - 1] + delay * (count - (NDELAYS - 1));
    }
    if (prior + delay > s->wait_ms) {
        delay = s->wait_ms - prior;
        if (delay <= 0)
            return 0;
    }
    if (count == 0)
        s->wait_said = false;
    if (s->on_wait && !s->wait_said && prior + delay >= 1000) {
        s->wait_said = true;
        s->on_wait(s->path, s->wait_payload);
    }
    sqlite3_sleep(delay);
    return !(s->beginning && grille__interrupted());
}

/* The page cache, in KiB: an add's, and a report's (small_cache) */
#define CACHE_KIB "65536"
#define SMALL_CACHE_KIB "2048"

/* How every connection works, set as it is opened (before any
 * transaction: a reader may begin one at once, see store_connect).
 * Foreign keys are not enforced: the store writes only rows whose parents
 * it has just written or looked up, and removes a document's rows itself
 * (grille_store_remove).  Enforcing them cost a quarter of an add: two
 * lookups per coding.  Nor are the schema's CHECKs (a coding's origin,
 * its id holding its segment's): the store writes origins as literals and
 * numbers codings itself, checking each number against the segment's
 * last (LIMIT_CODINGS, here and in the REFI-QDA import); testing them
 * again for each row was 6% of add's writing thread.  They stay in the
 * schema for the other tools' connections.  The tests run PRAGMA
 * foreign_key_check, and integrity_check on connections of their own (on
 * one with ignore_check_constraints, it would not test the CHECKs), after
 * the writes that number codings: add, recode, the REFI-QDA import. */
static const char connection_pragmas[] =
    "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON; "
    "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -" CACHE_KIB "; "
    "PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 0";

/* A connection to `file` (a path, or a URI with SQLITE_OPEN_URI), the
 * project `path` in messages. */
/* SQL's grille_fold(x): grille_fold of a text, NULL of NULL. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (!t) {
        sqlite3_result_null(ctx);
        return;
    }
    char *f = grille_fold(t);
    if (!f) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, f, -1, free);
}

/* A flag of connect_as's, not SQLite's: the connection in exclusive
 * locking mode from its first read (a WAL index in memory, no -shm). */
#define OPEN_EXCLUSIVE 0x40000000

static int connect_as(grille_store **out, const char *file, const char *path,
                      int flags, grille_error *err)
{
    bool exclusive = flags & OPEN_EXCLUSIVE;
    flags &= ~OPEN_EXCLUSIVE;
    grille_store *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s)
        return grille__nomem(err);
    s->path = strdup(path);
    if (!s->path) {
        free(s);
        return grille__nomem(err);
    }
    pthread_once(&sqlite_once, sqlite_setup);
    int rc = sqlite3_open_v2(file, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int r = store_error(s, err, rc, "open the project");
        grille_store_close(s);
        return r;
    }
    sqlite3_extended_result_codes(s->db, 1);
    /* before any statement that reads the schema (the pragmas below do) */
    if (exclusive)
        sqlite3_exec(s->db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL,
                     NULL);
    /* a term as grille compares words: without case nor accents (SQL's
     * lower() knows only ASCII: "Élus" and "élus" were two terms) */
    sqlite3_create_function(s->db, "grille_fold", 1,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_fold, NULL, NULL);
    s->busy_ms = s->wait_ms = 600000;
    sqlite3_busy_handler(s->db, busy_wait, s);
    /* none of them reads the file, so none fails on a file that is no
     * project: that shows at its first read */
    sqlite3_exec(s->db, connection_pragmas, NULL, NULL, NULL);
    *out = s;
    return 0;
}

/* Puts aside a codebook name or source that a newer one replaces (see
 * retired); freed at once only when memory runs out. */
static int retire_room(grille_store *s, size_t n)
{
    return GROW(s->retired, s->retired_cap, s->nretired + n);
}

static void retire(grille_store *s, char *p)
{
    /* out of memory (its callers reserve room first: retire_room): p is
     * left to the process rather than freed, since a caller may hold it
     * (grille_store_codebook_name's promise) */
    if (p && GROW(s->retired, s->retired_cap, s->nretired + 1) < 0)
        return;
    if (p)
        s->retired[s->nretired++] = p;
}

/* The ids of documents and codes index arrays as large as the largest
 * (report, compare, quotes): one below 1, or far past the rows there
 * are, is a file edited by hand or damaged.  grille numbers both from 1,
 * each new row the largest so far plus one, so that a project's largest
 * id is at most the rows it ever had: past 67 million more than 64 per
 * row it has, none had them (and the arrays would take gigabytes).  The
 * smallest and largest ids cost two descents of the table; its rows are
 * counted (a pass over an index) only for an id past 67 million. */
static int check_ids(grille_store *s, grille_error *err)
{
    static const char *const sql[2][3] = {
        /* one aggregate a query: SQLite's descent for min() or max()
         * (two in one query scanned an index) */
        {"SELECT (SELECT min(id) FROM documents), (SELECT max(id) FROM "
         "documents)",
         "SELECT count(*) FROM documents", "documents"},
        {"SELECT (SELECT min(id) FROM codes), (SELECT max(id) FROM codes)",
         "SELECT count(*) FROM codes", "codes"}};
    for (int k = 0; k < 2; k++) {
        int64_t range[2] = {0, 0}, n = 0;
        sqlite3_stmt *st;
        int r = prepare(s, sql[k][0], &st, err);
        if (r < 0)
            return r;
        int rc = sqlite3_step(st);
        bool any = rc == SQLITE_ROW &&
                   sqlite3_column_type(st, 0) != SQLITE_NULL;
        range[0] = sqlite3_column_int64(st, 0);
        range[1] = sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return store_error(s, err, rc, "read the project");
        if (any && range[0] < 1)
            return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                                 _("the project file is damaged: table %s "
                                   "has the id %lld, where grille's ids "
                                   "start at 1"),
                                 sql[k][2], (long long)range[0]);
        /* the rows counted only then (a pass over an index) */
        if (!any || range[1] <= (1 << 26))
            continue;
        if ((r = scalar(s, sql[k][1], &n, err)) < 0)
            return r;
        if (range[1] > 64 * n + (1 << 26))
            return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                                 _("the project file is damaged: table %s "
                                   "has the id %lld, far past its %lld "
                                   "rows"),
                                 sql[k][2], (long long)range[1], (long long)n);
    }
    return 0;
}

static int load_meta(grille_store *s, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT value FROM meta WHERE key = 'unit'", &st, err);
    if (r < 0)
        return r;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int u = grille_unit_parse(name);
        if (u < 0) {
            /* coding by another unit than the documents were would
             * mix two kinds of segments without a word */
            r = name ? grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                                     _("the project file is damaged: its "
                                       "unit (table meta) is '%s', not "
                                       "paragraph or sentence"),
                                     name)
                     : grille__error(err, GRILLE_ESTORE, s->path, 0, 0, "%s",
                                     _("the project file is damaged: its "
                                       "unit (table meta) has no value"));
            sqlite3_finalize(st);
            return r;
        }
        s->unit = (grille_unit)u;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) /* every project has it, from its init */
        return grille__error(err, GRILLE_ESTORE, s->path, 0, 0, "%s",
                             _("the project file is damaged: its unit "
                               "(table meta) has no value"));
    if (rc != SQLITE_ROW)
        return store_error(s, err, rc, "read the project");
    r = prepare(s, "SELECT sha256, name, source FROM codebook WHERE id = 1",
                &st, err);
    if (r < 0)
        return r;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 0);
        snprintf(s->sha256, sizeof(s->sha256), "%s", h ? h : "");
        const char *name = col_text(st, 1);
        /* the same name keeps its string: a pointer from
         * grille_store_codebook_name lives on while it does not change */
        /* out of memory, an empty name rather than the one before (a
         * codebook a rollback just undid); room to keep the old ones
         * first, so that no string handed out is freed */
        bool nomem = retire_room(s, 2) < 0;
        if (!nomem && (!s->cb_name || strcmp(s->cb_name, name) != 0)) {
            char *copy = grille__strndup(name, strlen(name));
            nomem |= !copy;
            retire(s, s->cb_name);
            s->cb_name = copy;
        }
        const char *source = col_text(st, 2);
        if (!nomem && (!s->cb_source || strcmp(s->cb_source, source) != 0)) {
            char *copy = grille__strndup(source, strlen(source));
            nomem |= !copy;
            retire(s, s->cb_source);
            s->cb_source = copy;
        }
        if (nomem) {
            sqlite3_finalize(st);
            return grille__nomem(err);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(s, err, rc, "read the project");
    return check_ids(s, err);
}

/* The statements that make the triggers and indexes another tool added
 * on table codings (its name in any case, as SQLite keeps it as written;
 * not grille's own index, which schema 4 drops), each ended by ";", into
 * b. */
static int codings_extras(grille_store *s, gbuf *b, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s,
                    "SELECT sql FROM sqlite_master WHERE type IN ('trigger', "
                    "'index') AND lower(tbl_name) = 'codings' AND sql IS NOT "
                    "NULL AND name != 'codings_segment' ORDER BY type = "
                    "'trigger'",
                    &st, err);
    if (r < 0)
        return r;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (gbuf_put(b, col_text(st, 0), strlen(col_text(st, 0))) < 0 ||
            gbuf_put(b, ";\n", 2) < 0) {
            sqlite3_finalize(st);
            return grille__nomem(err);
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(s, err, rc,
                                               "upgrade the project");
}

/* Schema 6: every attribute as set_attr would store it now.  A document
 * with two spellings of one key keeps the value of the one already in
 * the right spelling ("region" rather than "Région"), else of the first
 * in byte order ("REGION" rather than "Région"), as a project of schema 5
 * is read (read_attrs). */
static int attrs_clean_all(grille_store *s, grille_error *err)
{
    typedef struct change {
        int64_t doc;
        char *key, *k, *v;
    } change;
    change *ch = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT document, key, value FROM attributes", &st,
                    err);
    if (r < 0)
        return r;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = col_text(st, 1), *value = col_text(st, 2);
        char *k = grille_attr_key(key),
             *v = grille__attr_clean(value), *kk = strdup(key);
        bool nomem = !k || !v || !kk;
        /* as it is, or a key of spaces only (kept: a key may not be
         * empty) */
        bool keep = !nomem && ((strcmp(k, key) == 0 &&
                                strcmp(v, value) == 0) ||
                               !*k);
        if (!nomem && !keep && GROW(ch, cap, n + 1) < 0)
            nomem = true;
        if (nomem || keep) {
            free(k);
            free(v);
            free(kk);
            if (nomem) {
                r = grille__nomem(err);
                break;
            }
            continue;
        }
        ch[n++] = (change){sqlite3_column_int64(st, 0), kk, k, v};
    }
    sqlite3_finalize(st);
    if (r == 0 && rc != SQLITE_DONE)
        r = store_error(s, err, rc, "upgrade the project");
    /* a row whose new key a row of its document already has gives way
     * (its value is dropped) */
    sqlite3_stmt *up = NULL, *del = NULL;
    if (r == 0 && n)
        r = prepare(s,
                    "UPDATE OR IGNORE attributes SET key = ?3, value = ?4 "
                    "WHERE document = ?1 AND key = ?2",
                    &up, err);
    if (r == 0 && n)
        r = prepare(s,
                    "DELETE FROM attributes WHERE document = ?1 AND key = ?2 "
                    "AND key != ?3",
                    &del, err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        for (int q = 0; q < 2 && r == 0; q++) {
            sqlite3_stmt *x = q ? del : up;
            sqlite3_bind_int64(x, 1, ch[i].doc);
            sqlite3_bind_text(x, 2, ch[i].key, -1, SQLITE_STATIC);
            sqlite3_bind_text(x, 3, ch[i].k, -1, SQLITE_STATIC);
            if (!q)
                sqlite3_bind_text(x, 4, ch[i].v, -1, SQLITE_STATIC);
            rc = sqlite3_step(x);
            sqlite3_reset(x);
            if (rc != SQLITE_DONE)
                r = store_error(s, err, rc, "upgrade the project");
        }
    }
    sqlite3_finalize(up);
    sqlite3_finalize(del);
    for (size_t i = 0; i < n; i++) {
        free(ch[i].key);
        free(ch[i].k);
        free(ch[i].v);
    }
    free(ch);
    return r;
}

/* Takes the schema from version `from` to SCHEMA_VERSION. */
static int migrate(grille_store *s, int64_t from, grille_error *err)
{
    /* from 0: a new project's schema */
    const char *what = from < 1 ? "create the project" : "upgrade the project";
    int r = exec(s, "BEGIN IMMEDIATE", what, err);
    if (r < 0)
        return r;
    /* another grille may have upgraded it while this one waited for the
     * lock: from where it is now */
    int64_t now = from;
    r = scalar(s, "PRAGMA user_version", &now, err);
    if (r == 0 && now > from)
        from = now;
    if (r == 0 && from >= SCHEMA_VERSION)
        return exec(s, "COMMIT", what, err);
    if (r < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    gbuf extras = {0};
    bool v4 = from >= 1 && from < 4;
    if (v4) {
        /* the codings' new ids must fit (schema_v4) */
        int64_t max = 0;
        r = scalar(s, "SELECT coalesce(max(id), 0) FROM segments", &max, err);
        if (r == 0 && max >= SEGMENT_ID_LIMIT)
            r = grille__error(err, GRILLE_EINVALID, s->path, 0, 0,
                              _("cannot upgrade the project: segment id "
                                "%lld is past %lld (a coding's id holds its "
                                "segment's)"),
                              (long long)max, (long long)SEGMENT_ID_LIMIT - 1);
        /* schema_v4 makes table codings anew: the triggers and indexes
         * of other tools on it are made again after, and their views on
         * it are left as they are (the legacy rename does not check
         * them) */
        if (r == 0)
            r = codings_extras(s, &extras, err);
        if (r == 0)
            r = exec(s, "PRAGMA legacy_alter_table = ON",
                     what, err);
        /* the renumbering tested against the new table's CHECKs, which
         * grille's connections otherwise leave to the store's own code */
        if (r == 0)
            r = exec(s, "PRAGMA ignore_check_constraints = OFF", what, err);
    }
    for (int64_t v = from; v < SCHEMA_VERSION && r == 0; v++)
        r = exec(s, migrations[v], what, err);
    if (v4) {
        sqlite3_exec(s->db,
                     "PRAGMA legacy_alter_table = OFF; "
                     "PRAGMA ignore_check_constraints = ON",
                     NULL, NULL, NULL);
        if (r == 0 && extras.len && gbuf_put(&extras, "", 1) < 0)
            r = grille__nomem(err);
        if (r == 0 && extras.len)
            r = exec(s, extras.data, what, err);
    }
    free(extras.data);
    if (r == 0 && from >= 1 && from < 5) {
        int rc = grille__stats_refresh_all(s->db);
        if (rc != SQLITE_OK)
            r = store_error(s, err, rc, what);
    }
    if (r == 0 && from >= 1 && from < 8)
        r = attrs_clean_all(s, err);
    if (r == 0 && from >= 1 && from < 3) {
        int rc = grille__terms_rebuild(s->db);
        if (rc != SQLITE_OK)
            r = store_error(s, err, rc, what);
    }
    if (r == 0 && from >= 1) {
        char sql[128];
        snprintf(sql, sizeof(sql),
                 "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
                 SCHEMA_VERSION);
        r = exec(s, sql, what, err);
    }
    if (r == 0) {
        char sql[128];
        snprintf(sql, sizeof(sql),
                 "PRAGMA application_id = %d; PRAGMA user_version = %d",
                 APPLICATION_ID, SCHEMA_VERSION);
        r = exec(s, sql, what, err);
    }
    if (r == 0)
        r = exec(s, "COMMIT", what, err);
    if (r < 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

/* Whether the folder of file `path` may be written (and entered): the
 * folder of the file it names, through links, where SQLite puts its
 * -wal and -shm.  1 or 0; -1 out of memory. */
static int folder_writable(const char *path)
{
    char *real = realpath(path, NULL);
    const char *p = real ? real : path;
    const char *slash = strrchr(p, '/');
    int ok;
    if (!slash) {
        ok = access(".", W_OK | X_OK) == 0;
    } else if (slash == p) {
        ok = access("/", W_OK | X_OK) == 0;
    } else {
        char *dir = grille__strndup(p, (size_t)(slash - p));
        ok = !dir ? -1 : access(dir, W_OK | X_OK) == 0;
        free(dir);
    }
    free(real);
    return ok;
}

/* Whether `path`-wal holds changes (a writer at work, or one that
 * stopped before its checkpoint). */
/* Whether the file of the project's path plus `suffix` ("-wal",
 * "-journal") is there and not empty. */
static bool pending(const char *path, const char *suffix)
{
    char f[4096];
    struct stat st;
    int n = snprintf(f, sizeof(f), "%s%s", path, suffix);
    return n > 0 && (size_t)n < sizeof(f) && stat(f, &st) == 0 &&
           st.st_size > 0;
}

/* The project opened read-only through a URI: `file:` and its path,
 * then `query` ("immutable=1"). */
static int connect_uri(grille_store **out, const char *file,
                       const char *path, const char *query, grille_error *err)
{
    gbuf u = {0};
    int r = gbuf_puts(&u, "file:");
    for (const char *p = file; *p && r == 0; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%' || c == '?' || c == '#' || c < 0x21)
            r = gbuf_printf(&u, "%%%02X", c);
        else
            r = gbuf_putc(&u, (char)c);
    }
    if (r == 0)
        r = gbuf_printf(&u, "?%s", query);
    if (r < 0) {
        gbuf_free(&u);
        return grille__nomem(err);
    }
    r = connect_as(out, u.data, path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                   err);
    gbuf_free(&u);
    return r;
}

/* Whether the file of the project's path plus `suffix` is there. */
static bool exists(const char *path, const char *suffix)
{
    char f[4096];
    struct stat st;
    int n = snprintf(f, sizeof(f), "%s%s", path, suffix);
    return n > 0 && (size_t)n < sizeof(f) && stat(f, &st) == 0;
}

/* The project opened immutable: read alone, whatever the -wal says. */
static int connect_immutable(grille_store **out, const char *file,
                             const char *path, grille_error *err)
{
    int r = connect_uri(out, file, path, "immutable=1", err);
    if (r == 0)
        (*out)->immutable = true;
    return r;
}

/* The connection store_open reads and writes the project through. */
static int store_connect(grille_store **out, const char *path,
                         const char *file, int readonly, bool writable,
                         grille_error *err)
{
    *out = NULL;
    int naps = 0;
    for (bool again = false;;) {
        bool journal = pending(file, "-journal");
        grille_store *s;
        int r;
        if (readonly && writable && journal) {
            /* A first import (see bulk_begin) killed after it wrote into
             * the file leaves a hot rollback journal, which a read-only
             * connection cannot roll back (it fails): a connection that
             * may write does so as it reads.  (Killed earlier, the
             * journal is not hot, and SQLite leaves it to the next
             * write.)  A grille project is then in WAL mode again. */
            r = connect_as(&s, file, path, SQLITE_OPEN_READWRITE, err);
            int64_t app = 0;
            if (r == 0)
                r = scalar(s, "PRAGMA application_id", &app, err);
            if (r == 0 && app == APPLICATION_ID)
                journal_mode(s, "wal", 0);
            grille_store_close(s);
            if (r < 0)
                return r;
        }
        if (readonly && !writable && (pending(file, "-wal") || journal)) {
            /* Changes wait in the -wal: an immutable open would not see
             * them (it reads the file alone), and a plain one needs the
             * -shm.  Or a first import runs, or was killed, under a
             * rollback journal: an immutable open would read its pages
             * half written, a plain one waits for its commit (or says
             * that it must be rolled back). */
            r = connect_uri(&s, file, path,
                            "readonly_shm=1&vfs=" NOCREATE_VFS, err);
            if (r < 0)
                return r;
            /* That import puts the project in WAL mode as it ends, and
             * this reader cannot make the -wal and -shm: read in one
             * snapshot, held until the store is closed (or the caller's
             * grille_store_read_end), which keeps the mode as it is
             * meanwhile; and when the import has ended before it began,
             * opened again, immutable. */
            int rc = sqlite3_exec(s->db,
                                  "BEGIN; SELECT count(*) FROM sqlite_schema",
                                  NULL, NULL, NULL);
            if (rc != SQLITE_OK)
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            if (rc != SQLITE_OK && (rc & 0xFF) == SQLITE_CANTOPEN &&
                pending(file, "-wal") && !exists(file, "-shm")) {
                /* The -wal is there without its -shm, which this reader
                 * does not make (see nocreate_vfs): its writer is
                 * closing (it removes the -shm, then the -wal), or was
                 * killed and its -shm removed since. */
                grille_store_close(s);
                if (naps++ < 100) {
                    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
                    continue;
                }
                struct statvfs fs;
                if (statvfs(file, &fs) == 0 && (fs.f_flag & ST_RDONLY))
                    /* no user may write there, the owner neither */
                    return grille__error(
                        err, GRILLE_ESTORE, path, 0, 0, "%s",
                        _("changes wait in its -wal, without the -shm that "
                          "goes with it, on a file system mounted "
                          "read-only, where no one can make that file: "
                          "copy the project and its -wal together where "
                          "you may write, and run any grille command on "
                          "the copy"));
                return grille__error(
                    err, GRILLE_ESTORE, path, 0, 0, "%s",
                    access(path, W_OK) == 0
                        ? _("changes wait in its -wal, without the -shm "
                            "that goes with it, and its folder may not be "
                            "written to, where SQLite makes that file: give "
                            "write access to the folder, then run any "
                            "grille command on the project")
                        : _("changes wait in its -wal, without the -shm "
                            "that goes with it: only a user who may write "
                            "the project can read them back (run any "
                            "grille command on it as its owner)"));
            }
            if (rc != SQLITE_OK && !again &&
                ((rc & 0xFF) == SQLITE_READONLY ||
                 (rc & 0xFF) == SQLITE_CANTOPEN) &&
                !pending(file, "-wal") && !pending(file, "-journal")) {
                grille_store_close(s);
                again = true;
                continue;
            }
            s->in_read = rc == SQLITE_OK;
            *out = s;
            return 0;
        }
        if (readonly && !writable)
            /* Reading a project we may not write: opened immutable,
             * SQLite leaves no file beside it. */
            return connect_immutable(out, file, path, err);
        r = connect_as(out, file, path,
                       readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                       err);
        if (r < 0 || !readonly || pending(file, "-wal"))
            return r;
        /* A reader on a full disk cannot make the -shm, and failed (a
         * full disk kept even an export to another disk from saving the
         * project): with no change waiting in a -wal, read in SQLite's
         * exclusive locking mode, whose WAL index is in memory (no
         * -shm), holding the file so that no writer changes it under the
         * read (immutable, a writer of another user, or one a quota
         * leaves room to, could) */
        int rc = sqlite3_exec((*out)->db, "SELECT count(*) FROM sqlite_schema",
                              NULL, NULL, NULL);
        int e = sqlite3_system_errno((*out)->db);
        if (rc == SQLITE_OK || !((rc & 0xFF) == SQLITE_FULL ||
                                 ((rc & 0xFF) == SQLITE_IOERR &&
                                  (e == ENOSPC || e == EDQUOT || e == EFBIG))))
            return 0;
        grille_store_close(*out);
        *out = NULL;
        r = connect_as(out, file, path,
                       SQLITE_OPEN_READWRITE | OPEN_EXCLUSIVE, err);
        if (r < 0)
            return r;
        rc = sqlite3_exec((*out)->db, "SELECT count(*) FROM sqlite_schema",
                          NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            r = store_error(*out, err, rc, "open the project");
            grille_store_close(*out);
            *out = NULL;
        } else {
            /* no second connection may read it meanwhile (a report's
             * attribute thread would wait for this one's lock): read as
             * an immutable one is, on this connection alone */
            (*out)->immutable = true;
        }
        return r;
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/*
 * Whether file's -journal, a hot rollback journal SQLite would play back
 * at the first read, is another state's than the file's: the copy of
 * page 1 it keeps has a change counter that is neither the file's nor
 * one less (a transaction adds one, once).  A project put back from a
 * copy beside the journal of a killed first import, or another project's
 * journal, would have been rolled back to that older state, silently.
 * False when it cannot tell (no page 1 in its first records).
 */
static bool foreign_journal(const char *file)
{
    char jp[4096];
    int n = snprintf(jp, sizeof(jp), "%s-journal", file);
    if (n <= 0 || (size_t)n >= sizeof(jp))
        return false;
    int jfd = open(jp, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (jfd < 0)
        return false;
    int dfd = open(file, O_RDONLY | O_CLOEXEC);
    static const unsigned char magic[8] = {0xd9, 0xd5, 0x05, 0xf9,
                                           0x20, 0xa1, 0x63, 0xd7};
    unsigned char h[28], db[100], rec[4 + 28];
    struct stat st;
    bool foreign = false;
    if (dfd >= 0 && fstat(jfd, &st) == 0 && S_ISREG(st.st_mode) &&
        pread(jfd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
        memcmp(h, magic, 8) == 0 &&
        pread(dfd, db, sizeof(db), 0) == (ssize_t)sizeof(db) &&
        memcmp(db, "SQLite format 3", 16) == 0) {
        uint32_t sector = be32(h + 20), psize = be32(h + 24);
        uint32_t counter = be32(db + 24);
        /* page 1 among the first records (SQLite journals it early) */
        off_t at = sector;
        for (int r = 0; r < 4096 && sector >= 28 && sector <= 65536 &&
                        psize >= 512 && psize <= 65536 &&
                        at + 4 + 28 <= st.st_size;
             r++, at += (off_t)psize + 8) {
            if (pread(jfd, rec, sizeof(rec), at) != (ssize_t)sizeof(rec))
                break;
            if (be32(rec) != 1)
                continue;
            uint32_t was = be32(rec + 4 + 24);
            foreign = counter != was && counter != was + 1;
            break;
        }
    }
    if (dfd >= 0)
        close(dfd);
    close(jfd);
    return foreign;
}

static int store_open(grille_store **out, const char *path, int readonly,
                      grille_upgrade_cb on_upgrade, void *payload,
                      grille_error *err)
{
    struct stat st;
    *out = NULL;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return grille__error(err, GRILLE_ENOTFOUND, path, 0, 0, "%s",
                                 _("no project here (create one with "
                                   "'grille init')"));
        return grille__error(err, GRILLE_EIO, path, 0, 0, "%s",
                             strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return grille__error(err, GRILLE_ENOTPROJECT, path, 0, 0, "%s",
                             _("is a folder, not a grille project"));
    if (!S_ISREG(st.st_mode))
        return grille__error(err, GRILLE_ENOTPROJECT, path, 0, 0, "%s",
                             S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)
                                 ? _("is a pipe, not a grille project (a "
                                     "project is a file)")
                                 : _("is a device, not a grille project (a "
                                     "project is a file)"));
    /* Refuse to write before SQLite creates its -wal and -shm files: made
     * with the project's mode, they would keep a read-only project
     * read-only after its owner gives write access back.  Those files go
     * beside the project: a folder we may not write makes it read-only
     * too. */
    if (access(path, R_OK) != 0)
        return grille__error(err, GRILLE_EIO, path, 0, 0,
                             _("cannot read the project: %s"),
                             strerror(errno));
    bool file_writable = access(path, W_OK) == 0;
    int folder = file_writable ? folder_writable(path) : 0;
    if (folder < 0)
        return grille__nomem(err);
    bool writable = folder == 1;
    if (!readonly && !writable)
        return grille__error(err, GRILLE_ESTORE, path, 0, 0, "%s",
                             file_writable
                                 ? _("the project is read-only: its folder "
                                     "cannot be written to, and SQLite "
                                     "writes its journal there")
                                 : _("the project is read-only: nothing can "
                                     "be written to it"));
    grille_store *s;
    /* through a link, the files beside the project are the target's */
    char *real = realpath(path, NULL);
    /* a pipe, a folder or a device in the place of one of them: SQLite
     * waited forever on a pipe, and named others as a full disk or a
     * read-only project */
    static const char *const side[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
        char f[4096];
        struct stat sst;
        int n = snprintf(f, sizeof(f), "%s%s", real ? real : path, side[i]);
        if (n > 0 && (size_t)n < sizeof(f) && lstat(f, &sst) == 0 &&
            !S_ISREG(sst.st_mode)) {
            free(real);
            return grille__error(
                err, GRILLE_ESTORE, path, 0, 0,
                _("%s is in the way: SQLite keeps the project's %s file "
                  "there, and it is %s, not a file; move it away"),
                f, side[i],
                S_ISDIR(sst.st_mode)    ? _("a folder")
                : S_ISLNK(sst.st_mode)  ? _("a symbolic link")
                : S_ISFIFO(sst.st_mode) ? _("a pipe")
                                        : _("a device or a socket"));
        }
    }
    if (pending(real ? real : path, "-journal") &&
        foreign_journal(real ? real : path)) {
        free(real);
        return grille__error(
            err, GRILLE_ESTORE, path, 0, 0, "%s",
            _("the -journal beside it is not this project's (another "
              "project's, or left by an import killed before this file was "
              "put back): SQLite would roll the project back to another "
              "state with it; nothing was changed; move the -journal away "
              "to open the project as it is"));
    }
    int r = store_connect(&s, path, real ? real : path, readonly, writable,
                          err);
    if (r < 0) {
        free(real);
        return r;
    }
    s->file = real;
    int64_t app = 0, version = 0, tables = 0, meta = 0;
    r = scalar(s, "PRAGMA application_id", &app, err);
    if (r == 0)
        r = scalar(s, "PRAGMA user_version", &version, err);
    if (r == 0)
        r = scalar(s, "SELECT count(*) FROM sqlite_schema", &tables, err);
    if (r == 0 && app != APPLICATION_ID) {
        r = grille__error(err, GRILLE_ENOTPROJECT, path, 0, 0, "%s",
                          tables ? _("a SQLite database, but not a grille "
                                     "project")
                                 : _("an empty file, not a grille project"));
    } else if (r == 0 && version < 1) {
        /* grille's, with its tables, and no version: not one grille
         * writes (init sets it with the tables), so changed since */
        r = grille__error(err, GRILLE_ESTORE, path, 0, 0,
                          _("a grille project whose schema version is %lld "
                            "(PRAGMA user_version): damaged, or changed by "
                            "another tool; its schema_version in table meta "
                            "says which it is"),
                          (long long)version);
    } else if (r == 0 && versions_disagree(s, &version, &meta)) {
        /* a byte of the header changed: said so, rather than "upgrade
         * grille", or an upgrade that fails half-way with "table
         * doc_stats already exists".  Each upgrade sets both, in one
         * transaction, but the one to schema 2 left meta at 1: a header
         * ahead of meta may be sound, not one behind it */
        r = grille__error(err, GRILLE_ESTORE, path, 0, 0,
                          _("the project file is damaged: its schema "
                            "version is %lld in its header (PRAGMA "
                            "user_version) and %lld in table meta; if the "
                            "rest is sound, set user_version to %lld"),
                          (long long)version, (long long)meta,
                          (long long)meta);
    } else if (r == 0 && version > SCHEMA_VERSION) {
        r = grille__error(err, GRILLE_EVERSION, path, 0, 0,
                          _("made by a newer grille (project schema %lld, "
                            "this grille knows up to %d): upgrade grille"),
                          (long long)version, SCHEMA_VERSION);
    } else if (r == 0 && version < SCHEMA_VERSION) {
        if (readonly && writable) {
            /* upgraded by a writer first (a transaction: all or nothing),
             * then opened again for reading */
            grille_store_close(s);
            r = store_open(&s, path, 0, on_upgrade, payload, err);
            grille_store_close(s);
            return r < 0 ? r
                         : store_open(out, path, readonly, NULL, NULL, err);
        }
        if (readonly && version < 2)
            r = grille__error(err, GRILLE_ESTORE, path, 0, 0, "%s",
                              _("made by an older grille, and read-only: "
                                "it cannot be upgraded"));
        else if (!readonly) {
            if (on_upgrade && version >= 1)
                on_upgrade(path, (int)version, SCHEMA_VERSION, payload);
            r = migrate(s, version, err);
        }
        /* else: a project of schema 2 that may not be written is read as
         * it is, its top terms counted from the codings */
    }
    if (r == 0)
        s->version = readonly ? version : SCHEMA_VERSION;
    if (r == 0 && !readonly) {
        /* Another command's first import may hold the project under a
         * rollback journal (bulk_begin): SQLite then refuses the change at
         * once rather than wait, and this command works under that
         * journal too (with synchronous = FULL, below), and puts WAL
         * back when it can (bulk_end), as that import does. */
        int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL,
                              NULL);
        if (rc == SQLITE_BUSY)
            s->bulk = true;
        else if (rc != SQLITE_OK)
            r = store_error(s, err, rc, "open the project");
    }
    if (r == 0 && s->bulk) /* under a rollback journal (bulk_begin) */
        r = exec(s, "PRAGMA synchronous = FULL", "open the project", err);
    if (r == 0)
        r = load_meta(s, err);
    if (r < 0) {
        grille_store_close(s);
        return r;
    }
    *out = s;
    return 0;
}

int grille_store_open(grille_store **out, const char *path, int readonly,
                      grille_error *err)
{
    return store_open(out, path, readonly, NULL, NULL, err);
}

int grille_store_open_upgrading(grille_store **out, const char *path,
                                int readonly, grille_upgrade_cb on_upgrade,
                                void *payload, grille_error *err)
{
    return store_open(out, path, readonly, on_upgrade, payload, err);
}

static int set_meta(grille_store *s, const char *key, const char *value,
                    grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, "
                       "?2)",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(s, err, rc, "write to the project");
}

static int set_codebook(grille_store *s, const grille_codebook *cb,
                        const char *yaml, size_t len, const char *source,
                        grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s,
                    "INSERT OR REPLACE INTO codebook (id, name, source, "
                    "sha256, yaml, updated_at) VALUES (1, ?1, ?2, ?3, ?4, "
                    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, grille_codebook_name(cb), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, grille_codebook_sha256(cb), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, yaml, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(s, err, rc, "store the codebook");
    snprintf(s->sha256, sizeof(s->sha256), "%s", grille_codebook_sha256(cb));
    const char *name = grille_codebook_name(cb);
    char *copy = retire_room(s, 2) < 0 ? NULL
                                       : grille__strndup(name, strlen(name));
    if (!copy)
        return grille__nomem(err);
    retire(s, s->cb_name);
    s->cb_name = copy;
    copy = grille__strndup(source, strlen(source));
    if (!copy)
        return grille__nomem(err);
    retire(s, s->cb_source);
    s->cb_source = copy;
    return 0;
}

static int sync_codes(grille_store *s, const grille_codebook *cb,
                      grille_error *err);

/* Gives file tmp the name path, unless a file has it: a hard link, which
 * fails on a name taken, then tmp unlinked; on a file system without
 * links, a rename after a last look. */
static int publish(const char *tmp, const char *path, grille_error *err)
{
    int e = 0;
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    e = errno;
    if (e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS) {
        struct stat sb;
        if (lstat(path, &sb) == 0)
            e = EEXIST;
        else if (rename(tmp, path) == 0)
            return 0;
        else
            e = errno;
    }
    if (e == EEXIST)
        return grille__error(err, GRILLE_EEXISTS, path, 0, 0, "%s",
                             _("already exists; grille init makes a new "
                               "project only"));
    int r = grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
    if (err)
        err->detail = e;
    return r;
}

/* Removes the database file named by f and its -wal and -shm, if any. */
static void remove_db_files(gbuf *f)
{
    size_t n = f->len;
    unlink(f->data);
    static const char *const ext[] = {"-wal", "-shm", "-journal"};
    /* on the stack when it fits: this runs after a failure, which may
     * be memory running out */
    char name[PATH_MAX + 16];
    for (size_t k = 0; k < 3; k++) {
        f->len = n;
        size_t e = strlen(ext[k]);
        if (n + e < sizeof(name)) {
            memcpy(name, f->data, n);
            memcpy(name + n, ext[k], e + 1);
            unlink(name);
        } else if (gbuf_puts(f, ext[k]) == 0 && gbuf_put(f, "", 0) == 0) {
            unlink(f->data);
        }
    }
    f->len = n;
    if (f->data)
        f->data[n] = '\0';
}

int grille_store__own_codebook(grille_store *s, const grille_codebook *cb,
                               grille_error *err)
{
    if (!cb)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("no codebook given (the project's, "
                               "grille_store_codebook)"));
    if (strcmp(grille_codebook_sha256(cb), s->sha256) != 0)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("this codebook is not the project's: change "
                               "the project's codebook with 'grille recode "
                               "-c FILE' first"));
    return 0;
}

int grille_store_create(grille_store **out, const char *path,
                        const char *yaml, size_t len, const char *source,
                        grille_unit unit, grille_error *err)
{
    grille_codebook *cb = NULL;
    *out = NULL;
    if (unit != GRILLE_UNIT_PARAGRAPH && unit != GRILLE_UNIT_SENTENCE)
        return grille__error(err, GRILLE_EINVALID, path, 0, 0,
                             _("unknown unit %d"), (int)unit);
    if (len > INT32_MAX)
        return grille__error(err, GRILLE_ELIMIT, source, 0, 0, "%s",
                             _("codebook too large"));
    int r = grille_codebook_load(&cb, yaml, len, source, err);
    if (r < 0)
        return r;
    /* Made whole under a name of its own, then given its name, which no
     * other file may have taken meanwhile: an init stopped halfway (Ctrl-C,
     * a full disk) leaves no half-made project at `path` that a new init
     * would refuse and the other commands would misread.  Interview notes
     * are personal data: the project is its owner's (mkostemp: 0600). */
    struct stat sb, target;
    if (lstat(path, &sb) == 0) {
        grille_codebook_free(cb);
        if (S_ISLNK(sb.st_mode) && stat(path, &target) != 0 &&
            errno == ENOENT)
            return grille__error(err, GRILLE_EEXISTS, path, 0, 0, "%s",
                                 _("is a link to a file that does not "
                                   "exist; grille init makes a new file "
                                   "only, and does not follow links: give "
                                   "the path the link points to, or "
                                   "remove the link"));
        return grille__error(err, GRILLE_EEXISTS, path, 0, 0, "%s",
                             _("already exists; grille init makes a new "
                               "project only"));
    }
    gbuf tmp = {0};
    int fd = grille__tmp_beside(&tmp, path, err);
    if (fd < 0) {
        grille_codebook_free(cb);
        gbuf_free(&tmp);
        return fd;
    }
    close(fd);
    grille_store *s;
    /* its messages name the project, not the file it is made in */
    r = connect_as(&s, tmp.data, path, SQLITE_OPEN_READWRITE, err);
    if (r == 0)
        /* 64 KiB pages, the largest: a note's text fits in one page
         * rather than a chain of overflow pages, and an add of 100 MB of
         * notes writes a sixth fewer pages (3.2 s -> 2.65 s) */
        r = exec(s, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL",
                 "create the project", err);
    if (r == 0)
        r = migrate(s, 0, err);
    if (r == 0)
        r = exec(s, "BEGIN IMMEDIATE", "create the project", err);
    char ver[64];
    snprintf(ver, sizeof(ver), "%d", SCHEMA_VERSION);
    if (r == 0)
        r = set_meta(s, "schema_version", ver, err);
    if (r == 0)
        r = set_meta(s, "grille_version", GRILLE_VERSION_STRING, err);
    if (r == 0)
        r = set_meta(s, "stemmer", "snowball french (libstemmer)", err);
    if (r == 0)
        r = set_meta(s, "unit", grille_unit_name(unit), err);
    if (r == 0) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ver, sizeof(ver), "%Y-%m-%dT%H:%M:%SZ", &tm);
        r = set_meta(s, "created_at", ver, err);
    }
    if (r == 0)
        r = set_codebook(s, cb, yaml, len, source, err);
    /* its codes too: a new project knows its themes before any document
     * (quotes, report --codes) */
    if (r == 0)
        r = sync_codes(s, cb, err);
    if (s)
        s->synced = NULL; /* cb is freed below */
    if (r == 0)
        r = exec(s, "COMMIT", "create the project", err);
    if (r == 0) {
        /* its WAL written into it, checked: the close below would do it
         * too, but says nothing when it fails (a full disk), and the
         * file would get its name without what its WAL held */
        int nlog = 0, ndone = 0;
        int rc = sqlite3_wal_checkpoint_v2(
            s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &nlog, &ndone);
        if (rc == SQLITE_OK && nlog != ndone)
            rc = SQLITE_BUSY;
        if (rc != SQLITE_OK)
            r = store_error(s, err, rc, "create the project");
    }
    grille_codebook_free(cb);
    grille_store_close(s); /* and its WAL gone */
    if (r == 0 && grille__interrupted())
        r = grille__interrupt(err, path);
    if (r == 0)
        r = publish(tmp.data, path, err);
    if (r < 0) {
        remove_db_files(&tmp);
        gbuf_free(&tmp);
        return r;
    }
    r = grille_store_open(out, path, 0, err);
    if (r < 0) {
        /* made just now, and not opened again (a full disk has no room
         * for its -shm): gone, as the error says nothing was written */
        tmp.len = 0;
        if (gbuf_puts(&tmp, path) == 0)
            remove_db_files(&tmp);
    }
    gbuf_free(&tmp);
    return r;
}

grille_unit grille_store_unit(const grille_store *s)
{
    return s->unit;
}

const char *grille_store_codebook_name(const grille_store *s)
{
    return s->cb_name ? s->cb_name : "";
}

const char *grille_store_codebook_sha256(const grille_store *s)
{
    return s->sha256;
}

const char *grille_store_codebook_source(const grille_store *s)
{
    return s->cb_source ? s->cb_source : "";
}

/* PRAGMA journal_mode = `mode`, waiting at most `wait_ms` for the other
 * connections' locks: whether the project is in that mode after it. */
static bool journal_mode(grille_store *s, const char *mode, int wait_ms)
{
    char sql[40];
    snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
    s->wait_ms = wait_ms < s->busy_ms ? wait_ms : s->busy_ms;
    sqlite3_stmt *st;
    bool ok = false;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *m = (const char *)sqlite3_column_text(st, 0);
            ok = m && strcmp(m, mode) == 0;
        }
        sqlite3_finalize(st);
    }
    s->wait_ms = s->busy_ms;
    return ok;
}

/*
 * The first import into a project, under a rollback journal.  In WAL
 * mode each page a transaction writes is written twice: into the WAL,
 * then into the project by the checkpoint of the commit, and the WAL,
 * as large as what was added, is then deleted.  Under a rollback journal
 * a page the transaction adds to the file is written once, into the
 * file: only the pages that were there before are copied to the
 * journal, and an empty project has a handful.  An add of 105 MB of
 * notes into a new project took 1.52 s in WAL mode and 1.25 s so.
 *
 * Only into a project without documents, whose readers have nothing to
 * wait for (under a rollback journal they wait for the commit instead of
 * reading the state before it), and only when no other connection has
 * the project open: SQLite refuses the change then, and it is asked
 * without waiting.  The commit (or the rollback, or the close) puts WAL
 * back; if another connection opened the project meanwhile, that one or
 * the next command that opens it for writing does (a writer that opens
 * it under a rollback journal works under it too, and puts WAL back in
 * the same way).  synchronous = FULL meanwhile: under a
 * rollback journal, NORMAL leaves a small risk on a power cut.  A kill in
 * the course of it leaves a hot journal, which the next connection that
 * may write rolls back (store_open does so for a reading command too).
 */
static void bulk_begin(grille_store *s)
{
    int64_t any = 1;
    if (s->immutable || s->bulk ||
        scalar(s, "SELECT EXISTS (SELECT 1 FROM documents)", &any, NULL) < 0 ||
        any)
        return;
    if (journal_mode(s, "delete", 0)) {
        s->bulk = true;
        sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    }
}

/* WAL again.  The change needs the project to itself for a moment: it
 * waits for the readers that hold it (new ones wait meanwhile), up to
 * BULK_END_WAIT_MS; a reader that holds it longer (an export) leaves the
 * connection as it is (synchronous = FULL), to try again at its next
 * commit or its close.  Without the wait, a reader that happened to be
 * reading as the import ended, a `grille list` of a few milliseconds,
 * left the project under a rollback journal for the next writer to
 * change back. */
#define BULK_END_WAIT_MS 2000
static void bulk_end(grille_store *s)
{
    if (!s->bulk || !journal_mode(s, "wal", BULK_END_WAIT_MS))
        return;
    s->bulk = false;
    sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
}

int grille_store_begin(grille_store *s, grille_error *err)
{
    if (s->in_tx || s->in_read)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             s->in_tx ? _("a write transaction is open "
                                          "already (grille_store_begin "
                                          "twice)")
                                      : _("a read snapshot is open "
                                          "(grille_store_read_end first)"));
    if (sqlite3_db_readonly(s->db, "main") == 1)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("the project was opened read-only"));
    bulk_begin(s);
    s->beginning = true;
    int r = exec(s, "BEGIN IMMEDIATE", "start writing to the project", err);
    s->beginning = false;
    if (r < 0 && grille__interrupted())
        r = grille__interrupt(err, s->path);
    if (r < 0) {
        bulk_end(s);
        return r;
    }
    s->in_tx = true;
    /* Another connection may have changed the codebook since we looked:
     * read it again now that we hold the write lock. */
    s->synced = NULL;
    r = load_meta(s, err);
    if (r < 0)
        grille_store_rollback(s);
    return r;
}

int grille_store_read_begin(grille_store *s, grille_error *err)
{
    if (s->in_tx || s->in_read)
        return 0; /* already in one snapshot */
    /* BEGIN then a read: the snapshot starts now, not at the first read
     * of the caller; the WAL index header just before, for a report that
     * reads on a second connection (grille_store__snapshot_header) */
    s->wal_known = grille_store__wal_header(s->db, s->wal_before);
    int r = exec(s, "BEGIN; SELECT count(*) FROM meta",
                 "read the project", err);
    if (r == 0)
        s->in_read = true;
    return r;
}

void grille_store_read_end(grille_store *s)
{
    if (s->in_read)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    s->in_read = false;
}

/*
 * Writing back a large transaction while it is written.  The COMMIT of an
 * add of 105 MB waits for the disk as its checkpoint runs: the fdatasync
 * of the WAL took 0.09 s of the 1.6 s of the add.  Linux can start that
 * writing earlier, without waiting for it and without changing what is
 * durable when (sync_file_range with SYNC_FILE_RANGE_WRITE): the WAL is
 * hinted so every WRITEBACK_BYTES of text added, through a descriptor of
 * its own (SQLite locks the database and the -shm, never the WAL: closing
 * a descriptor of a file drops every POSIX lock the process holds on it,
 * so the database itself is left alone).  A first import into an empty
 * project (bulk_begin) writes the project file itself, whose COMMIT
 * waited 0.12 s of a 1.9 s add for the pages its cache had spilled: that
 * file is hinted the same way, through SQLite's own descriptor of it
 * (project_fd), which is never closed here.  Anything that fails here
 * (another system, a path that is not a file) only leaves the writing to
 * the fdatasync, as before.
 */
#define WRITEBACK_BYTES (8u << 20)

static void writeback(int fd)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
}

#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
/* A descriptor SQLite holds on the project file (the process's first by
 * its device and inode: with one connection to the file, this one's own;
 * any of them hints the same file), -1 when none is.  It is never closed
 * here: closing any descriptor of the file would drop SQLite's locks on
 * it. */
static int project_fd(const grille_store *s)
{
    struct stat want;
    DIR *d = stat(s->path, &want) == 0 ? opendir("/proc/self/fd") : NULL;
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct stat st;
        if (end != e->d_name && !*end && fd >= 0 && fd <= INT_MAX &&
            fd != dirfd(d) && fstat((int)fd, &st) == 0 &&
            S_ISREG(st.st_mode) && st.st_dev == want.st_dev &&
            st.st_ino == want.st_ino)
            found = (int)fd;
    }
    closedir(d);
    return found;
}
#endif

static void writeback_tick(grille_store *s, size_t bytes)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    s->wb_pending += bytes;
    if (s->wb_pending < WRITEBACK_BYTES)
        return;
    s->wb_pending = 0;
    if (!s->wb_fd && s->bulk) {
        /* a first import writes the project file itself, as SQLite's
         * cache spills: SQLite's descriptor of it is hinted */
        s->wb_fd = project_fd(s) + 1;
        s->wb_own = false;
    } else if (!s->wb_fd) {
        const char *file = s->file ? s->file : s->path;
        size_t n = strlen(file);
        char *wal = malloc(n + 5);
        if (!wal)
            return;
        memcpy(wal, file, n);
        memcpy(wal + n, "-wal", 5);
        int fd = open(wal, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        free(wal);
        struct stat st;
        if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(fd);
            fd = -1;
        }
        s->wb_fd = fd + 1;
        s->wb_own = true;
    }
    if (s->wb_fd)
        writeback(s->wb_fd - 1);
#else
    (void)s;
    (void)bytes;
#endif
}

int grille_store__hinted_fd(const grille_store *s)
{
    return s->wb_fd - 1;
}

/* The end of a transaction: the WAL of its hints closed. */
static void writeback_end(grille_store *s)
{
    if (s->wb_fd && s->wb_own)
        close(s->wb_fd - 1);
    s->wb_fd = 0;
    s->wb_pending = 0;
}

/* COMMIT; after a large transaction, with what is left of the WAL hinted
 * first. */
static int commit(grille_store *s, grille_error *err)
{
    if (s->wb_fd)
        writeback(s->wb_fd - 1);
    int r = exec(s, "COMMIT", "commit the changes", err);
    writeback_end(s);
    return r;
}

int grille_store_commit(grille_store *s, grille_error *err)
{
    if (!s->in_tx)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("no write transaction to commit "
                               "(grille_store_begin first)"));
    int rc = grille__terms_flush(s->terms, s->db);
    if (rc != SQLITE_OK) {
        int r = store_error(s, err, rc, "count the terms");
        grille_store_rollback(s);
        return r;
    }
    int r = commit(s, err);
    if (r < 0) {
        grille_store_rollback(s);
        return r;
    }
    s->in_tx = false;
    bulk_end(s);
    return 0;
}

int grille_store_checkpoint(grille_store *s, grille_error *err)
{
    if (!s || !s->db || s->in_tx || sqlite3_db_readonly(s->db, "main") == 1)
        return 0;
    int nlog = 0, ndone = 0;
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                       &nlog, &ndone);
    /* busy or locked: another connection is at it; not in WAL mode: no
     * -wal to write back */
    if (rc == SQLITE_OK || (rc & 0xFF) == SQLITE_BUSY ||
        (rc & 0xFF) == SQLITE_LOCKED)
        return 0;
    int e = sqlite3_system_errno(s->db);
    return grille__error(
        err, GRILLE_ESTORE, s->path, 0, 0,
        _("the changes are saved, but in its -wal beside it: they could "
          "not be written into the project (%s); keep the two files "
          "together (copy both) until a command that writes the project "
          "runs with room on the disk"),
        (rc & 0xFF) == SQLITE_FULL || e == ENOSPC || e == EDQUOT
            ? _("the disk is full")
            : e ? strerror(e) : sqlite3_errstr(rc));
}

void grille_store_rollback(grille_store *s)
{
    writeback_end(s);
    if (s->in_tx)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = false;
    bulk_end(s);
    grille__terms_clear(s->terms);
    /* the code ids and codebook hash may be those of the rolled back
     * transaction */
    s->synced = NULL;
    load_meta(s, NULL);
}

int grille_store_codebook_text(grille_store *s, char **yaml, size_t *len,
                               char **source, grille_error *err)
{
    sqlite3_stmt *st;
    char *unused = NULL;
    if (!source) /* the caller does not want it */
        source = &unused;
    *yaml = *source = NULL;
    int r = prepare(s, "SELECT yaml, source FROM codebook WHERE id = 1", &st,
                    err);
    if (r < 0)
        return r;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *yaml = grille__strndup(col_text(st, 0), *len);
        *source = strdup(col_text(st, 1));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return grille__error(err, GRILLE_ESTORE, s->path, 0, 0, "%s",
                             _("the project has no codebook"));
    if (rc != SQLITE_ROW)
        return store_error(s, err, rc, "read the codebook");
    if (!*yaml || !*source) {
        free(*yaml);
        free(*source);
        *yaml = *source = NULL;
        return grille__nomem(err);
    }
    free(unused);
    return 0;
}

int grille_store_codebook(grille_store *s, grille_codebook **out,
                          grille_error *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    int r = prepare(s, "SELECT yaml, source FROM codebook WHERE id = 1", &st,
                    err);
    if (r < 0)
        return r;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return grille__error(err, GRILLE_ESTORE, s->path, 0, 0, "%s",
                                 _("the project has no codebook"));
        return store_error(s, err, rc, "read the codebook");
    }
    const char *yaml = (const char *)sqlite3_column_text(st, 0);
    int len = sqlite3_column_bytes(st, 0);
    const char *src = (const char *)sqlite3_column_text(st, 1);
    char name[512];
    snprintf(name, sizeof(name), "%s (in %s)", src ? src : "codebook",
             s->path);
    r = grille_codebook__load_from(out, yaml ? yaml : "", (size_t)len, name,
                                   src ? src : "codebook", err);
    sqlite3_finalize(st);
    if (r < 0 && r != GRILLE_ENOMEM && err) {
        /* a codebook this grille refuses (a check newer than the
         * project): the way out, said */
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof(err->message) - used, "%s",
                 _(" (the project's codebook: correct it, then give it to "
                   "the project with 'grille recode -c FILE')"));
    }
    return r;
}

/* ----------------------------------------------------------- documents */

/* Makes sure the codes table holds every code of `cb`, in its order, and
 * caches their ids. */
static int sync_codes(grille_store *s, const grille_codebook *cb,
                      grille_error *err)
{
    if (s->synced == cb)
        return 0;
    size_t n = grille_codebook_count(cb);
    int64_t *ids = calloc(n + 1, sizeof(*ids));
    if (!ids)
        return grille__nomem(err);
    int r = exec(s, "UPDATE codes SET position = NULL, in_codebook = 0",
                 "update the codes", err);
    for (size_t i = 0; i < n && r == 0; i++) {
        grille_code_info ci;
        grille_codebook_code(cb, i, &ci);
        int rc;
        sqlite3_stmt *st = stmt(s, Q_UPSERT_CODE, &rc);
        if (!st) {
            r = store_error(s, err, rc, "update the codes");
            break;
        }
        sqlite3_bind_text(st, 1, ci.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ci.label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ci.description, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ci.color, -1, SQLITE_STATIC);
        if (ci.parent >= 0)
            sqlite3_bind_int64(st, 5, ids[ci.parent]);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_int(st, 6, (int)ci.depth);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)i);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            r = store_error(s, err, rc, "update the codes");
            break;
        }
        st = stmt(s, Q_CODE_ID, &rc);
        if (!st) {
            r = store_error(s, err, rc, "update the codes");
            break;
        }
        sqlite3_bind_text(st, 1, ci.id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            r = store_error(s, err, rc, "update the codes");
            break;
        }
        ids[i] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    size_t nrules = grille_codebook_rule_count(cb);
    int *rule_len = r < 0 ? NULL : malloc((nrules + 1) * sizeof(*rule_len));
    if (r == 0 && !rule_len)
        r = grille__nomem(err);
    if (r < 0) {
        free(ids);
        free(rule_len);
        return r;
    }
    for (size_t i = 0; i < nrules; i++) {
        grille_rule_info ri;
        grille_codebook_rule(cb, i, &ri);
        size_t len = strlen(ri.text);
        rule_len[i] = len > INT_MAX ? INT_MAX : (int)len;
    }
    free(s->code_ids);
    free(s->rule_len);
    s->code_ids = ids;
    s->ncode_ids = n;
    s->rule_len = rule_len;
    s->synced = cb;
    s->stats_stale = true;
    return 0;
}

int grille_store__sync_codes(grille_store *s, const grille_codebook *cb,
                             grille_error *err)
{
    return sync_codes(s, cb, err);
}

static bool name_taken(grille_store *s, const char *name, int *rc)
{
    sqlite3_stmt *st = stmt(s, Q_FIND_NAME, rc);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    *rc = r == SQLITE_ROW || r == SQLITE_DONE ? SQLITE_OK : r;
    return r == SQLITE_ROW;
}

/* Inserts the segments (when `segments`) and the codings of the
 * analyser's last run on `text` for document `doc`; without `segments`, the
 * stored segments are looked up and must be as many. */
/* The builder of doc_stats rows, with the codes' parents up to date. */
static grille_stats *store_stats(grille_store *s, int *rc)
{
    *rc = SQLITE_OK;
    if (!s->stats)
        *rc = grille__stats_new(&s->stats, s->db);
    else if (s->stats_stale)
        *rc = grille__stats_codes(s->stats);
    s->stats_stale = *rc != SQLITE_OK;
    return *rc == SQLITE_OK ? s->stats : NULL;
}

int grille_store__stats_refresh(grille_store *s, int64_t doc,
                                grille_error *err)
{
    int rc;
    grille_stats *b = store_stats(s, &rc);
    if (b)
        rc = grille__stats_refresh(b, doc);
    return rc == SQLITE_OK ? 0
                           : store_error(s, err, rc, "count the codings");
}

void grille_store__codes_changed(grille_store *s)
{
    s->stats_stale = true;
}

void grille_store__small_cache(grille_store *s, bool on)
{
    if (on == s->small_cache || (on && s->in_tx))
        return;
    /* a cache that could not be changed (an interrupted call) is left as
     * it is, and said so to the next call */
    if (sqlite3_exec(s->db,
                     on ? "PRAGMA cache_size = -" SMALL_CACHE_KIB
                        : "PRAGMA cache_size = -" CACHE_KIB,
                     NULL, NULL, NULL) == SQLITE_OK)
        s->small_cache = on;
}

/* The row ids of document `doc`'s ns segments, in order. */
static int segment_ids(grille_store *s, int64_t doc, size_t ns,
                       int64_t *segid, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT id FROM segments WHERE document = ?1 "
                       "ORDER BY idx",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, doc);
    size_t k = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k < ns)
            segid[k] = sqlite3_column_int64(st, 0);
        k++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(s, err, rc, "read the segments");
    if (k != ns)
        return grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                             _("document #%lld has %zu segments stored "
                               "but %zu now: remove it and add it "
                               "again"),
                             (long long)doc, k, ns);
    return 0;
}

/* The term_stats changes of the transaction. */
static grille_terms *store_terms(grille_store *s, int *rc)
{
    *rc = SQLITE_OK;
    if (!s->terms)
        *rc = grille__terms_new(&s->terms);
    return s->terms;
}

/* A write outside grille_store_begin ... commit gets a transaction of its
 * own: all or nothing, with its term counts.  *own says whether to end it
 * with own_end. */
static int own_begin(grille_store *s, bool *own, grille_error *err)
{
    *own = !s->in_tx;
    if (*own && s->in_read)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("a write cannot run inside a read snapshot: "
                               "end it with grille_store_read_end first"));
    return *own ? grille_store_begin(s, err) : 0;
}

static int own_end(grille_store *s, bool own, int r, grille_error *err)
{
    if (!own)
        return r;
    if (r < 0) {
        grille_store_rollback(s);
        return r;
    }
    return grille_store_commit(s, err);
}

int grille_store__own_begin(grille_store *s, bool *own, grille_error *err)
{
    return own_begin(s, own, err);
}


int grille_store__own_end(grille_store *s, bool own, int r, grille_error *err)
{
    return own_end(s, own, r, err);
}

int grille_store__terms_sync(grille_store *s, grille_error *err)
{
    int rc = s->in_tx ? grille__terms_flush(s->terms, s->db) : SQLITE_OK;
    return rc == SQLITE_OK ? 0 : store_error(s, err, rc, "count the terms");
}

bool grille_store__coding_ranges(const grille_store *s)
{
    return s->version >= 4;
}

bool grille_store__has_term_stats(const grille_store *s)
{
    return s->version >= 3;
}

bool grille_store__attr_spellings(const grille_store *s)
{
    return s->version < 6;
}

size_t grille_store__cell_fields(const grille_store *s)
{
    return s->version >= 5 ? GRILLE_CELL_FIELDS : GRILLE_CELL_FIELDS_V4;
}

int grille_store__term_added(grille_store *s, int64_t code, const char *term,
                             size_t len, int64_t segment, int64_t coding,
                             grille_error *err)
{
    int rc;
    grille_terms *t = store_terms(s, &rc);
    if (t)
        rc = grille__terms_added(t, code, term, len, segment, coding);
    return rc == SQLITE_OK ? 0 : store_error(s, err, rc, "count the terms");
}

/* Notes the terms of the codings that statement q (Q_DOC_TERMS or
 * Q_DOC_AUTO_TERMS) finds in document `doc`, about to be deleted. */
static int removing_terms(grille_store *s, int q, int64_t doc)
{
    int rc;
    grille_terms *t = store_terms(s, &rc);
    sqlite3_stmt *st = t ? stmt(s, q, &rc) : NULL;
    if (!st)
        return rc;
    sqlite3_bind_int64(st, 1, doc);
    return grille__terms_removing(t, st);
}

/* Inserts a document's automatic codings (segid: its segments' row
 * ids); an SQLite result code. */
/* Runs a batch whose rows take SQLite's next ids (a NULL id: no check
 * that the id is free, which a given one costs), and checks that they are
 * the ones expected: the largest + 1 and on, as no one else writes during
 * the transaction; the last must be `last`.  SQLITE_OK or an error. */
static int ids_as_expected(grille_store *s, sqlite3_stmt *st, int64_t last)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        return rc;
    return sqlite3_last_insert_rowid(s->db) == last ? SQLITE_OK
                                                     : SQLITE_INTERNAL;
}

/* For a new document's codings (sorted by segment) when codings left by
 * another tool without their segment hold ids in its segments' ranges:
 * per segment index, the number after the largest there, in *out. */
static int numbers_after_strays(grille_store *s, const int64_t *segid,
                                const grille_coding *cod, size_t nc,
                                int64_t **out)
{
    size_t ns = cod[nc - 1].segment + 1;
    int64_t *after = calloc(ns + 1, sizeof(*after));
    sqlite3_stmt *q = NULL;
    int rc = after ? sqlite3_prepare_v2(s->db,
                                        "SELECT max(id) FROM codings WHERE "
                                        "id BETWEEN ?1 << 28 AND (?1 << 28) "
                                        "+ 268435455",
                                        -1, &q, NULL)
                   : SQLITE_NOMEM;
    for (size_t i = 0; i < nc && rc == SQLITE_OK; i++) {
        if (i && cod[i].segment == cod[i - 1].segment)
            continue;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, segid[cod[i].segment]);
        if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            rc = SQLITE_OK;
            if (sqlite3_column_type(q, 0) != SQLITE_NULL)
                after[cod[i].segment] =
                    (sqlite3_column_int64(q, 0) & CODING_MAX_IN_SEGMENT) + 1;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK) {
        free(after);
        after = NULL;
    }
    *out = after;
    return rc;
}

/* Stores a document's codings (sorted by segment), numbered in each
 * segment from first[its index] (past the manual codings a recode keeps),
 * or from 0 when first is NULL.  With `last`
 * (a new document: its segments, and so its codings, have the largest
 * ids), only the first coding of a segment is given its id: the next ones
 * are SQLite's next rowid, the same number, without the search for an id
 * already there that a given id costs (8% of an add when for each).  That
 * holds when no coding has a larger id (rows another tool left without
 * their segment may): looked at first, else every id is given. */
static int insert_codings(grille_store *s, const int64_t *segid,
                          const grille_coding *cod, size_t nc,
                          const char *text, const int64_t *first, bool last)
{
    int rc;
    grille_terms *t = store_terms(s, &rc);
    int64_t *ids = rc == SQLITE_OK ? malloc((nc + 1) * sizeof(*ids)) : NULL;
    if (!ids)
        return rc == SQLITE_OK ? SQLITE_NOMEM : rc;
    int64_t *after = NULL; /* numbers past the stray codings' */
    if (last && nc) {
        sqlite3_stmt *q = stmt(s, Q_MAX_CODING, &rc);
        if (q && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            last = sqlite3_column_int64(q, 0) <
                   segid[cod[0].segment] << CODING_SHIFT;
            rc = SQLITE_OK;
        }
        if (q)
            sqlite3_reset(q);
        /* codings whose segment is gone hold ids of the new segments:
         * each segment's codings numbered after them */
        if (rc == SQLITE_OK && !last && !first)
            rc = numbers_after_strays(s, segid, cod, nc, &after);
        if (rc != SQLITE_OK) {
            free(ids);
            return rc;
        }
        first = after;
    }
    for (size_t i = 0, n = 0; i < nc; i++, n++) {
        if (i && cod[i].segment != cod[i - 1].segment)
            n = 0;
        int64_t j = (first ? first[cod[i].segment] : 0) + (int64_t)n;
        if (j > CODING_MAX_IN_SEGMENT) {
            free(ids);
            free(after);
            return LIMIT_CODINGS; /* 268 million codings in a segment */
        }
        ids[i] = (segid[cod[i].segment] << CODING_SHIFT) + j;
    }
    free(after);
    for (size_t i = 0; i < nc && rc == SQLITE_OK;) {
        size_t n = nc - i < BATCH ? nc - i : BATCH;
        sqlite3_stmt *st = batch_stmt(s, B_CODING, n, &rc);
        if (!st)
            break;
        for (size_t r = 0; r < n; r++) {
            const grille_coding *c = &cod[i + r];
            int p = (int)r * CODING_COLS;
            grille_rule_info ri;
            grille_codebook_rule(s->synced, c->rule, &ri);
            if (last && i + r > 0 && c->segment == cod[i + r - 1].segment)
                sqlite3_bind_null(st, p + 1);
            else
                sqlite3_bind_int64(st, p + 1, ids[i + r]);
            sqlite3_bind_int64(st, p + 2, segid[c->segment]);
            sqlite3_bind_int64(st, p + 3, s->code_ids[c->code]);
            sqlite3_bind_int64(st, p + 4, (sqlite3_int64)c->start);
            sqlite3_bind_int64(st, p + 5, (sqlite3_int64)c->end);
            sqlite3_bind_text(st, p + 6, text + c->start,
                              (int)(c->end - c->start), SQLITE_STATIC);
            sqlite3_bind_text(st, p + 7, ri.text, s->rule_len[c->rule],
                              SQLITE_STATIC);
        }
        rc = ids_as_expected(s, st, ids[i + n - 1]);
        for (size_t r = 0; r < n && rc == SQLITE_OK; r++) {
            const grille_coding *c = &cod[i + r];
            rc = grille__terms_added(t, s->code_ids[c->code],
                                     text + c->start, c->end - c->start,
                                     segid[c->segment], ids[i + r]);
        }
        i += n;
    }
    free(ids);
    return rc;
}

/* Stores a new document's segments and codings, then its doc_stats row,
 * computed from memory. */
static int store_codings(grille_store *s, const grille_segment *segs,
                         size_t ns, const grille_coding *cod, size_t nc,
                         int64_t doc, const char *text, size_t words,
                         grille_error *err)
{
    int64_t *segid = malloc((ns + 1) * sizeof(*segid));
    int rc = SQLITE_OK;
    if (!segid)
        return grille__nomem(err);
    int64_t id = 0;
    if (ns)
        rc = next_id(s, Q_NEXT_SEG, ns, &id);
    for (size_t i = 0; i < ns && rc == SQLITE_OK;) {
        size_t n = ns - i < BATCH ? ns - i : BATCH;
        sqlite3_stmt *st = batch_stmt(s, B_SEG, n, &rc);
        if (!st)
            break;
        for (size_t r = 0; r < n; r++) {
            const grille_segment *g = &segs[i + r];
            int p = (int)r * SEG_COLS;
            segid[i + r] = id + (int64_t)(i + r); /* p + 1: NULL, the same */
            sqlite3_bind_int64(st, p + 2, doc);
            sqlite3_bind_int64(st, p + 3, (sqlite3_int64)(i + r));
            sqlite3_bind_text(st, p + 4, grille_segment_kind_name(g->kind),
                              -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, p + 5, (sqlite3_int64)g->start);
            sqlite3_bind_int64(st, p + 6, (sqlite3_int64)g->end);
            sqlite3_bind_int64(st, p + 7, g->line);
            if (g->label_end > g->label_start)
                sqlite3_bind_text(st, p + 8, text + g->label_start,
                                  (int)(g->label_end - g->label_start),
                                  SQLITE_STATIC);
            else
                sqlite3_bind_null(st, p + 8);
            sqlite3_bind_int64(st, p + 9, (sqlite3_int64)g->words);
        }
        rc = ids_as_expected(s, st, id + (int64_t)(i + n) - 1);
        i += n;
    }
    if (rc == SQLITE_OK)
        rc = insert_codings(s, segid, cod, nc, text, NULL, true);
    grille_stats *b = rc == SQLITE_OK ? store_stats(s, &rc) : NULL;
    if (b) {
        grille__stats_begin(b);
        for (size_t i = 0; i < nc && rc == SQLITE_OK; i++) {
            const grille_segment *g = &segs[cod[i].segment];
            rc = grille__stats_coding(b, segid[cod[i].segment], g->start,
                                      g->end - g->start, g->line,
                                      s->code_ids[cod[i].code], cod[i].start);
        }
        if (rc == SQLITE_OK)
            rc = grille__stats_store(b, doc, ns, words);
    }
    free(segid);
    if (rc != SQLITE_OK)
        return store_error(s, err, rc, "store the codings");
    return 0;
}

/* Stores an attribute cleaned as set_attr cleans it. */
static int put_attr(grille_store *s, int64_t id, const char *k, const char *v,
                    const char *origin, grille_error *err)
{
    int rc;
    if (!*k) /* a key of spaces only */
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("an attribute needs a name"));
    sqlite3_stmt *st = stmt(s, Q_SET_ATTR, &rc);
    if (!st)
        return store_error(s, err, rc, "set an attribute");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, origin, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store_error(s, err, rc, "set an attribute");
}

static int set_attr(grille_store *s, int64_t id, const char *key,
                    const char *value, const char *origin, grille_error *err)
{
    /* "commune " and "commune", a decomposed "département" and a typed
     * one: one value, one group */
    char *k = grille_attr_key(key),
         *v = grille__attr_clean(value);
    int r = k && v ? put_attr(s, id, k, v, origin, err) : grille__nomem(err);
    free(k);
    free(v);
    return r;
}

/* What an add does before it needs the project; see grille_add_prepare. */
struct grille_prepared {
    const grille_codebook *cb;
    grille_unit unit; /* it was segmented with */
    const grille_text *text;
    char hash[65];
    grille_attrs *attrs;
    /* its attributes cleaned as set_attr cleans them, on the preparing
     * thread rather than the writing one: key, value, key, value...
     * (NULL: left to set_attr) */
    char **clean;
    size_t body, words;
    grille_segment *segs; /* copied from the analyser */
    grille_coding *cods;
    size_t nsegs, ncods;
    int rc; /* the document's own error, reported by the add */
    grille_error err;
};

static int prepare_text(grille_prepared **out, grille_analyser *a,
                        const grille_codebook *cb, grille_unit unit,
                        const char *path, const grille_text *text,
                        bool front_matter, grille_error *err);

int grille_add_prepare(grille_prepared **out, grille_analyser *a,
                       const grille_codebook *cb, grille_unit unit,
                       const char *path, const grille_text *text,
                       grille_error *err)
{
    return prepare_text(out, a, cb, unit, path, text, true, err);
}

/* A text added as it is, without looking for a front matter in it: a
 * REFI-QDA source (grille exports a note's body, and another tool's text
 * that starts with "---" is text). */
int grille_store__prepare_plain(grille_prepared **out, grille_store *s,
                                grille_analyser *a,
                                const grille_codebook *cb, const char *name,
                                const grille_text *text, grille_error *err)
{
    return prepare_text(out, a, cb, s->unit, name, text, false, err);
}

static void free_clean(grille_prepared *p)
{
    for (size_t i = 0; p->clean && i < 2 * grille_attrs_count(p->attrs); i++)
        free(p->clean[i]);
    free(p->clean);
    p->clean = NULL;
}

/* p->clean from p->attrs; left NULL when memory runs short (set_attr
 * then cleans them, and says so). */
static void clean_attrs(grille_prepared *p)
{
    size_t n = grille_attrs_count(p->attrs);
    if (!n || !(p->clean = calloc(2 * n, sizeof(*p->clean))))
        return;
    for (size_t i = 0; i < n; i++) {
        const grille_attr *at = grille_attrs_get(p->attrs, i);
        p->clean[2 * i] = grille_attr_key(at->key);
        p->clean[2 * i + 1] = grille__attr_clean(at->value);
        if (!p->clean[2 * i] || !p->clean[2 * i + 1]) {
            free_clean(p);
            return;
        }
    }
}

static int prepare_text(grille_prepared **out, grille_analyser *a,
                        const grille_codebook *cb, grille_unit unit,
                        const char *path, const grille_text *text,
                        bool front_matter, grille_error *err)
{
    *out = NULL;
    if (!cb || !text || !a)
        return grille__error(err, GRILLE_EINVALID, path, 0, 0, "%s",
                             !cb ? _("no codebook given (the project's, "
                                     "grille_store_codebook)")
                                 : !text ? _("no text given")
                                         : _("no analyser given"));
    if (unit != GRILLE_UNIT_PARAGRAPH && unit != GRILLE_UNIT_SENTENCE)
        return grille__error(err, GRILLE_EINVALID, path, 0, 0,
                             _("unknown unit %d"), (int)unit);
    size_t len;
    const char *data = grille_text_data(text, &len);
    grille_prepared *p = calloc(1, sizeof(*p));
    if (!p)
        return grille__nomem(err);
    p->cb = cb;
    p->unit = unit;
    p->text = text;
    (void)grille__text_file(text); /* on this thread, not the writer's */
    *out = p;
    if (len > INT32_MAX) {
        p->rc = grille__error(&p->err, GRILLE_ELIMIT, path, 0, 0, "%s",
                              _("document too large for a project (2 GiB "
                                "at most)"));
        return 0;
    }
    grille__sha256_hex(data, len, p->hash);
    if (front_matter) {
        p->rc = grille_attrs_parse(&p->attrs, &p->body, data, len, path,
                                   &p->err);
        if (p->rc < 0)
            return 0;
        clean_attrs(p);
    }
    bool empty = true;
    for (size_t i = p->body; i < len && empty;) {
        size_t n;
        uint32_t cp = utf8_get(data, len, i, &n);
        empty = grille__is_space(cp) || cp == '\n' || cp == '\r';
        i += n;
    }
    if (empty) {
        p->rc = grille__error(&p->err, GRILLE_EINVALID, path, 0, 0, "%s",
                              !len ? _("no text to code (empty file)")
                              : p->body
                                  ? _("no text to code (only white space "
                                      "after the front matter)")
                                  : _("no text to code (only white space)"));
        return 0;
    }
    p->rc = grille_analyser_run_text(a, text, p->body, len, 0, unit, cb,
                                     path, &p->err);
    if (p->rc < 0)
        return 0;
    const grille_segment *segs;
    const grille_coding *cod;
    p->nsegs = grille_analyser_segments(a, &segs);
    p->ncods = grille_analyser_codings(a, &cod);
    p->words = grille_analyser_words(a);
    p->segs = malloc((p->nsegs + 1) * sizeof(*segs));
    p->cods = malloc((p->ncods + 1) * sizeof(*cod));
    if (!p->segs || !p->cods) {
        grille_prepared_free(p);
        *out = NULL;
        return grille__nomem(err);
    }
    if (p->nsegs)
        memcpy(p->segs, segs, p->nsegs * sizeof(*segs));
    if (p->ncods)
        memcpy(p->cods, cod, p->ncods * sizeof(*cod));
    return 0;
}

const grille_attrs *grille_prepared_attrs(const grille_prepared *p)
{
    return p ? p->attrs : NULL;
}

void grille_prepared_free(grille_prepared *p)
{
    if (!p)
        return;
    free_clean(p);
    grille_attrs_free(p->attrs);
    free(p->segs);
    free(p->cods);
    free(p);
}

static void normal_path(const char *p, char *out);

/* Whether a document stored with path `stored` and file `file` (NULL
 * before schema 7) came from the file an add names by `path`, `real` its
 * file (NULL when none is there): the same file, links resolved; for a
 * document of an older project, the path written alike (in
 * normal_path's form), or an absolute one that is the file. */
static bool same_file(const char *stored, const char *file, const char *path,
                      const char *real)
{
    if (file && *file)
        return real && strcmp(file, real) == 0;
    if (!stored || !*stored)
        return false;
    if (strcmp(stored, path) == 0)
        return true;
    char *a = malloc(strlen(stored) + 2), *b = malloc(strlen(path) + 2);
    bool same = false;
    if (a && b) {
        normal_path(stored, a);
        normal_path(path, b);
        same = strcmp(a, b) == 0;
    }
    free(a);
    free(b);
    char *sr = !same && real && stored[0] == '/' ? realpath(stored, NULL)
                                                 : NULL;
    same = same || (sr && strcmp(sr, real) == 0);
    free(sr);
    return same;
}

/* The next byte of s[0, n) from *i, a line end (CR LF, or a CR alone)
 * read as LF; -1 at the end. */
static int lf_next(const char *s, size_t n, size_t *i)
{
    if (*i >= n)
        return -1;
    unsigned char c = (unsigned char)s[(*i)++];
    if (c == '\r') {
        if (*i < n && s[*i] == '\n')
            (*i)++;
        return '\n';
    }
    return c;
}

/* Whether a[0, an) and b[0, bn) are the same text, CR LF and a CR alone
 * read as LF. */
static bool lf_same(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    int x, y;
    do {
        x = lf_next(a, an, &i);
        y = lf_next(b, bn, &j);
    } while (x == y && x >= 0);
    return x == y;
}

/* Whether document `name` (its id in *id) is the note p of text
 * data[0, len) come back another way: the same text (CR LF and a CR
 * alone read as LF); the body alone of a document kept with its front
 * matter; or, for a document stored without a front matter
 * nor a file (imported from an export, whose sources keep the body
 * alone; a note added from a file is found again by it), the same
 * body, not blank, with no attribute of p's front matter at another value
 * (two notes of a template's body told apart by their front matters are
 * two interviews). */
static bool same_note(grille_store *s, const char *name,
                      const grille_prepared *p, const char *data, size_t len,
                      int64_t *id, int *rc)
{
    *rc = SQLITE_OK;
    size_t body = p->body <= len ? p->body : len;
    sqlite3_stmt *q = NULL;
    bool same = false, bare = false;
    *rc = sqlite3_prepare_v2(s->db,
                             "SELECT id, text, body, file IS NULL FROM "
                             "documents WHERE name = ?1",
                             -1, &q, NULL);
    if (*rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        *rc = sqlite3_step(q);
        if (*rc == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(q, 1);
            size_t tn = (size_t)sqlite3_column_bytes(q, 1);
            sqlite3_int64 tb = sqlite3_column_int64(q, 2);
            /* no front matter and no file: an import's */
            bare = tb == 0 && sqlite3_column_int64(q, 3) != 0;
            *id = sqlite3_column_int64(q, 0);
            *rc = SQLITE_OK;
            if (t && bare) {
                if (data[body + strspn(data + body, " \t\r\n")])
                    same = lf_same(t, tn, data + body, len - body);
            } else if (t && body == 0 && tb > 0 && (size_t)tb <= tn &&
                       data[strspn(data, " \t\r\n")]) {
                /* the body alone of a note kept with its front matter
                 * (an export's source, saved as a file) */
                same = lf_same(t + tb, tn - (size_t)tb, data, len);
            } else if (t) {
                same = lf_same(t, tn, data, len);
            }
        } else if (*rc == SQLITE_DONE) {
            *rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    /* an import's values came from the note's front matter: none of
     * them differs (a note edited since; another interview of one body) */
    size_t na = grille_attrs_count(p->attrs);
    if (same && bare && na && *rc == SQLITE_OK &&
        (*rc = sqlite3_prepare_v2(s->db,
                                  "SELECT value FROM attributes WHERE "
                                  "document = ?1 AND key = ?2",
                                  -1, &q, NULL)) == SQLITE_OK) {
        for (size_t i = 0; i < na && same; i++) {
            const grille_attr *at = grille_attrs_get(p->attrs, i);
            char *k = p->clean ? NULL : grille_attr_key(at->key),
                 *v = p->clean ? NULL : grille__attr_clean(at->value);
            const char *key = p->clean ? p->clean[2 * i] : k,
                       *value = p->clean ? p->clean[2 * i + 1] : v;
            if (key && value) {
                sqlite3_bind_int64(q, 1, *id);
                sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
                if (sqlite3_step(q) == SQLITE_ROW)
                    same = strcmp((const char *)sqlite3_column_text(q, 0),
                                  value) == 0;
                sqlite3_reset(q);
            } else {
                same = false; /* out of memory: the add will say so */
            }
            free(k);
            free(v);
        }
    }
    sqlite3_finalize(q);
    return same;
}

/* An add refused: the file of document `old` (#id), edited since; or,
 * for a document that keeps no file (an older project), one added by
 * this path as written (`by_path`). */
static int edited_error(grille_error *err, const char *path, const char *old,
                        int64_t id, bool by_path)
{
    return grille__error(
        err, GRILLE_EEXISTS, path, 0, 0,
        by_path ? _("the project has a document added by this path, as "
                    "'%s' (#%lld), with another text: nothing added; if "
                    "this is a new version of it, remove that one first "
                    "(grille rm '%s'), then add the file again (it keeps "
                    "no file, so --replace cannot tell it is this note's); "
                    "if it is another file, add it by a path that tells it "
                    "apart")
                : _("the project has a document added from this file, as "
                    "'%s' (#%lld), with another text: nothing added; if "
                    "this is a new version of it, add it again with "
                    "--replace, which keeps its attributes set by hand (or "
                    "remove it first: grille rm '%s'); if it is another "
                    "file, add it by a path that tells it apart"),
        old, (long long)id, old);
}

/* An add of a text that document *id has (`same`: Q_FIND_HASH's row,
 * `r` its error), read from the file `real`: when that file is another
 * document's, edited since into a copy of document *id, refused with
 * neither id (*id 0: not there already, and not replaced). */
static int copied_over(grille_store *s, const char *real, int64_t *id,
                       sqlite3_stmt *same, const char *path, int r,
                       grille_error *err)
{
    int rc;
    sqlite3_stmt *q = stmt(s, Q_FIND_FILE, &rc);
    if (!q)
        return store_error(s, err, rc, "look for the document");
    sqlite3_bind_text(q, 1, real, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_int64(q, 0) != *id) {
        const char *old = col_text(q, 1);
        r = grille__error(
            err, GRILLE_EEXISTS, path, 0, 0,
            _("the project has a document added from this file, as '%s' "
              "(#%lld), with another text, and its text now is that of "
              "'%s' (#%lld), in the project too: nothing added nor "
              "replaced; if '%s' is now a copy of it, remove its old "
              "version (grille rm '%s')"),
            old, (long long)sqlite3_column_int64(q, 0),
            (const char *)sqlite3_column_text(same, 1), (long long)*id, old,
            old);
        *id = 0;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        r = store_error(s, err, rc, "look for the document");
        *id = 0;
    }
    sqlite3_reset(q);
    return r;
}

static int add_doc(grille_store *s, grille_prepared *p, const char *name,
                   const char *path, const char *real, int64_t *id,
                   grille_error *err)
{
    size_t len;
    const char *data = grille_text_data(p->text, &len);
    int rc, r;
    *id = 0;
    s->edited_id = 0;
    /* a name of spaces alone would be one no list shows nor user types */
    bool blank = name && !name[strspn(name, " \t")];
    if (!name || blank || !path || !*path)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             !name || blank
                                 ? _("a document needs a name (not empty, "
                                     "nor spaces alone)")
                                 : _("a document needs a path (the name "
                                     "again for a text from memory)"));
    if (p->unit != s->unit)
        return grille__error(err, GRILLE_EINVALID, path, 0, 0,
                             _("prepared by %s, and the project's unit is "
                               "%s (grille_store_unit)"),
                             grille_unit_name(p->unit),
                             grille_unit_name(s->unit));
    if ((rc = grille_store__own_codebook(s, p->cb, err)) < 0)
        return rc;
    if (p->rc < 0 && !p->hash[0]) { /* too large: not even hashed */
        if (err)
            *err = p->err;
        return p->rc;
    }
    sqlite3_stmt *st = stmt(s, Q_FIND_HASH, &rc);
    if (!st)
        return store_error(s, err, rc, "look for the document");
    sqlite3_bind_text(st, 1, p->hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        r = grille__error(err, GRILLE_EEXISTS, path, 0, 0,
                          _("already in the project as '%s' (same content); "
                            "nothing added"),
                          (const char *)sqlite3_column_text(st, 1));
        /* the file of another document, edited since into a copy of this
         * one: not "already there" (that document would stay as it was
         * without a word), nor replaced (two documents of one text) */
        if (real)
            r = copied_over(s, real, id, st, path, r, err);
        sqlite3_reset(st);
        return r;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_error(s, err, rc, "look for the document");
    /* of the name of a document, and the same note: the interview
     * imported from an export, or saved with other line ends; before the
     * edited file's tests (an imported document's path is its name) */
    bool taken = name_taken(s, name, &rc);
    int64_t twin = 0;
    if (rc != SQLITE_OK)
        return store_error(s, err, rc, "look for the document");
    if (taken && same_note(s, name, p, data, len, &twin, &rc)) {
        *id = twin;
        return grille__error(err, GRILLE_EEXISTS, path, 0, 0,
                             _("already in the project as '%s' (the same "
                               "text, but for its front matter or its line "
                               "ends); nothing added"),
                             name);
    }
    if (rc != SQLITE_OK)
        return store_error(s, err, rc, "look for the document");
    /* read from the file of a document, with another text: most often
     * the note edited since, which added again would be a second copy of
     * the interview in every figure (whatever path or link names it) */
    if (real) {
        sqlite3_stmt *q = stmt(s, Q_FIND_FILE, &rc);
        if (!q)
            return store_error(s, err, rc, "look for the document");
        sqlite3_bind_text(q, 1, real, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            s->edited_id = sqlite3_column_int64(q, 0);
            r = edited_error(err, path, col_text(q, 1), s->edited_id, false);
            sqlite3_reset(q);
            return r;
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return store_error(s, err, rc, "look for the document");
        rc = SQLITE_OK;
    }
    const char *use = name;
    if (taken) {
        use = path;
        /* added by this path before, with another text: most often the
         * file edited since, which stored under its path would be a
         * second copy of the interview in every figure (looked for when
         * the name is taken only: no index on paths) */
        sqlite3_stmt *q = NULL;
        if (rc == SQLITE_OK &&
            (rc = sqlite3_prepare_v2(s->db,
                                     "SELECT id, name, path, file FROM "
                                     "documents WHERE name = ?1 OR "
                                     "name = ?2 OR path = ?2 OR file = ?3 "
                                     "ORDER BY id",
                                     -1, &q, NULL)) == SQLITE_OK) {
            sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, real, -1, SQLITE_STATIC);
            /* this path written another way ("./notes/a.md", the path
             * from /, from another folder) is the same file too */
            while ((rc = sqlite3_step(q)) == SQLITE_ROW &&
                   !same_file(col_text(q, 2),
                              (const char *)sqlite3_column_text(q, 3), path,
                              real))
                ;
            if (rc == SQLITE_ROW) {
                /* replaceable (add --replace) when the document keeps
                 * its file: one that keeps none (imported, or added
                 * before grille kept files) may be another note of the
                 * same name, whose attributes the new one would take */
                bool no_file = sqlite3_column_type(q, 3) == SQLITE_NULL;
                int64_t old = sqlite3_column_int64(q, 0);
                s->edited_id = no_file ? 0 : old;
                r = edited_error(err, path, col_text(q, 1), old, no_file);
                sqlite3_finalize(q);
                return r;
            }
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        sqlite3_finalize(q);
    }
    if (rc == SQLITE_OK && use == path && name_taken(s, path, &rc))
        return grille__error(err, GRILLE_EEXISTS, path, 0, 0,
                             _("the name '%s' and this path are taken by "
                               "other documents of the project: nothing "
                               "added (rename the file, or add it by a path "
                               "that tells it apart)"),
                             name);
    if (rc != SQLITE_OK)
        return store_error(s, err, rc, "look for the document");
    if (p->rc < 0) {
        if (err)
            *err = p->err;
        return p->rc;
    }
    r = sync_codes(s, p->cb, err);
    if (r < 0)
        return r;
    st = stmt(s, Q_ADD_DOC, &rc);
    if (!st)
        return store_error(s, err, rc, "add the document");
    sqlite3_bind_text(st, 1, use, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4,
                      grille_encoding_name(grille_text_encoding(p->text)), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 5, data, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)p->body);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)len);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)p->words);
    sqlite3_bind_text(st, 9, real, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_error(s, err, rc, "add the document");
    int64_t doc = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < grille_attrs_count(p->attrs) && r == 0; i++) {
        const grille_attr *at = grille_attrs_get(p->attrs, i);
        r = p->clean ? put_attr(s, doc, p->clean[2 * i], p->clean[2 * i + 1],
                                "front matter", err)
                     : set_attr(s, doc, at->key, at->value, "front matter",
                                err);
    }
    if (r == 0)
        r = store_codings(s, p->segs, p->nsegs, p->cods, p->ncods, doc, data,
                          p->words, err);
    if (r == 0) {
        *id = doc;
        writeback_tick(s, len);
    }
    return r;
}

/* add_doc, with `real`: the file the text was read from, from / and with
 * its links resolved (NULL for a text from memory: an import's, say). */
static int add_prepared(grille_store *s, grille_prepared *p,
                        const char *name, const char *path, int64_t *id,
                        grille_error *err)
{
    return add_doc(s, p, name, path, grille__text_file(p->text), id, err);
}

static int remove_doc(grille_store *s, int64_t id, grille_error *err);

/* 1 when document `id` has attribute `key` (from its front matter, just
 * added), 0 when not, or the error. */
static int new_attr_given(grille_store *s, int64_t id, const char *key,
                          grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s,
                    "SELECT 1 FROM attributes WHERE document = ?1 AND key = ?2",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0
                             : store_error(s, err, rc, "replace the document");
}

/* Replaces document `old`, an older version of prepared note p, by p:
 * in a savepoint, so that nothing is lost if the add fails after the
 * removal.  The old version's attributes that its front matter did not
 * give (attr set, attr import, add -a, an import's) are set again on the
 * new one, for the keys its front matter does not give. */
static int replace_doc(grille_store *s, grille_prepared *p, const char *name,
                       const char *path, int64_t old, int64_t *id,
                       grille_replaced *rep, grille_error *err)
{
    if (p->rc < 0) { /* the new version's own problem: said first */
        if (err)
            *err = p->err;
        return p->rc;
    }
    typedef struct kept {
        char *key, *value, *origin;
    } kept;
    kept *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    int r = prepare(s,
                    "SELECT key, value, origin FROM attributes WHERE "
                    "document = ?1 AND origin <> 'front matter' ORDER BY key",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, old);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(v, cap, n + 1) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        v[n] = (kept){strdup(col_text(st, 0)), strdup(col_text(st, 1)),
                      strdup(col_text(st, 2))};
        if (!v[n].key || !v[n].value || !v[n].origin) {
            free(v[n].key);
            free(v[n].value);
            free(v[n].origin);
            rc = SQLITE_NOMEM;
            break;
        }
        n++;
    }
    sqlite3_finalize(st);
    r = rc == SQLITE_DONE ? 0 : store_error(s, err, rc, "replace the document");
    if (r == 0 &&
        (r = prepare(s,
                     "SELECT count(*) FROM codings WHERE "
                     SQL_DOCUMENT_CODINGS("codings.", "?1")
                     " AND origin = 'manual'",
                     &st, err)) == 0) {
        sqlite3_bind_int64(st, 1, old);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW)
            rep->manual_dropped = (size_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            r = store_error(s, err, rc, "replace the document");
    }
    if (r == 0 && (rc = sqlite3_exec(s->db, "SAVEPOINT replace", NULL, NULL,
                                     NULL)) != SQLITE_OK)
        r = store_error(s, err, rc, "replace the document");
    if (r == 0) {
        r = remove_doc(s, old, err);
        if (r == 0)
            r = add_prepared(s, p, name, path, id, err);
        /* set again for the keys the new front matter does not give:
         * those it gives are its author's word, newer than the hand's */
        for (size_t k = 0; k < n && r == 0; k++) {
            int given = new_attr_given(s, *id, v[k].key, err);
            if (given < 0)
                r = given;
            else if (given)
                rep->attrs_superseded++;
            else if ((r = set_attr(s, *id, v[k].key, v[k].value,
                                   v[k].origin, err)) == 0)
                rep->attrs_kept++;
        }
        if (r < 0)
            sqlite3_exec(s->db, "ROLLBACK TO replace", NULL, NULL, NULL);
        rc = sqlite3_exec(s->db, "RELEASE replace", NULL, NULL, NULL);
        if (r == 0 && rc != SQLITE_OK)
            r = store_error(s, err, rc, "replace the document");
    }
    if (r == 0) {
        rep->old_id = old;
    } else {
        rep->manual_dropped = rep->attrs_kept = rep->attrs_superseded = 0;
    }
    for (size_t k = 0; k < n; k++) {
        free(v[k].key);
        free(v[k].value);
        free(v[k].origin);
    }
    free(v);
    return r;
}

/* grille_store_add_prepared, and with rep (not NULL) its replacing
 * kind. */
static int store_prepared(grille_store *s, grille_prepared *p,
                          const char *name, const char *path, int64_t *id,
                          grille_replaced *rep, grille_error *err)
{
    bool own;
    int64_t unused;
    if (!id) /* the caller does not want it */
        id = &unused;
    *id = 0;
    if (rep)
        *rep = (grille_replaced){0, 0, 0, 0};
    if (!p)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("no prepared document (grille_add_prepare "
                               "failed?)"));
    int r = own_begin(s, &own, err);
    if (r == 0)
        r = add_prepared(s, p, name, path, id, err);
    if (r == GRILLE_EEXISTS && rep && *id == 0 && s->edited_id > 0)
        r = replace_doc(s, p, name, path, s->edited_id, id, rep, err);
    r = own_end(s, own, r, err);
    if (r < 0 && r != GRILLE_EEXISTS)
        *id = 0;
    if (r < 0 && rep)
        *rep = (grille_replaced){0, 0, 0, 0};
    return r;
}

int grille_store_add_prepared(grille_store *s, grille_prepared *p,
                              const char *name, const char *path,
                              int64_t *id, grille_error *err)
{
    return store_prepared(s, p, name, path, id, NULL, err);
}

int grille_store_replace_prepared(grille_store *s, grille_prepared *p,
                                  const char *name, const char *path,
                                  int64_t *id, grille_replaced *rep,
                                  grille_error *err)
{
    grille_replaced none;
    return store_prepared(s, p, name, path, id, rep ? rep : &none, err);
}

int grille_store_add(grille_store *s, grille_analyser *a,
                     const grille_codebook *cb, const char *name,
                     const char *path, const grille_text *text, int64_t *id,
                     grille_error *err)
{
    grille_prepared *p;
    if (id)
        *id = 0;
    int r = grille_add_prepare(&p, a, cb, s->unit, path, text, err);
    if (r < 0)
        return r;
    r = grille_store_add_prepared(s, p, name, path, id, err);
    grille_prepared_free(p);
    return r;
}

/* Path p in a lexical normal form: no "." step, no empty step.  ".."
 * stays: "x/.." is not "." when x is a link.  Written to out (as long as
 * p, plus one). */
static void normal_path(const char *p, char *out)
{
    size_t n = 0;
    if (*p == '/')
        out[n++] = '/';
    size_t root = n;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - p);
        if (len && !(len == 1 && p[0] == '.')) {
            if (n > root)
                out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        p = e;
    }
    if (n == 0)
        out[n++] = '.';
    out[n] = '\0';
}

/* The document whose text is the file `path`'s (read and decoded as add
 * does): 0 and *id when there is one, 1 when not. */
static int find_by_content(grille_store *s, const char *path, int64_t *id,
                           grille_error *err)
{
    grille_text *t = NULL;
    grille_error ignored = {0};
    if (grille_text_read_file(&t, path, &ignored) < 0)
        return 1; /* not a note grille can read: not one it added */
    size_t len;
    const char *data = grille_text_data(t, &len);
    char hash[65];
    grille__sha256_hex(data, len, hash);
    grille_text_free(t);
    int rc;
    sqlite3_stmt *st = stmt(s, Q_FIND_HASH, &rc);
    if (!st)
        return store_error(s, err, rc, "look for the document");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(s, err, rc, "look for the document");
    return rc == SQLITE_ROW ? 0 : 1;
}

/* A document added from the file `doc` names, written another way: 0 and
 * *id when found, 1 when not.  A file that is there is found by its text
 * (whatever folder it is named from, even moved), else, edited since, as
 * the same file as an absolute stored path (a relative one is relative
 * to the folder of the add, which is not known).  Else the path is
 * compared in a lexical normal form ("./notes/a.md" is "notes/a.md"). */
static int find_same_file(grille_store *s, const char *doc, int64_t *id,
                          grille_error *err)
{
    struct stat sb;
    bool file = stat(doc, &sb) == 0 && S_ISREG(sb.st_mode);
    if (file) {
        int r = find_by_content(s, doc, id, err);
        if (r <= 0)
            return r;
    }
    if (file && s->version >= 7) {
        /* edited since: the file it was read from (schema 7) */
        char *real = realpath(doc, NULL);
        sqlite3_stmt *st = NULL;
        int r = real ? prepare(s, "SELECT id FROM documents WHERE file = ?1 "
                                  "ORDER BY id LIMIT 1",
                               &st, err)
                     : 1;
        if (r == 0) {
            sqlite3_bind_text(st, 1, real, -1, SQLITE_STATIC);
            int rc = sqlite3_step(st);
            if (rc == SQLITE_ROW)
                *id = sqlite3_column_int64(st, 0);
            else if (rc == SQLITE_DONE)
                r = 1;
            else
                r = store_error(s, err, rc, "look for the document");
            sqlite3_finalize(st);
        }
        free(real);
        if (r <= 0)
            return r;
    }
    if (!strchr(doc, '/'))
        return 1; /* a name, not a path (a collectivite in a cases file) */
    char *want = malloc(strlen(doc) + 2);
    sqlite3_stmt *st = NULL;
    int r = want ? prepare(s, "SELECT id, path FROM documents WHERE path "
                              "IS NOT NULL ORDER BY id",
                           &st, err)
                 : grille__nomem(err);
    if (r == 0)
        normal_path(doc, want);
    int rc = SQLITE_DONE;
    char *norm = NULL;
    size_t cap = 0;
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *path = col_text(st, 1);
        if (GROW(norm, cap, strlen(path) + 2) < 0) {
            r = grille__nomem(err);
            break;
        }
        normal_path(path, norm);
        /* a note edited since: the same file, if the stored path is
         * absolute (a relative one depends on the folder of the add) */
        struct stat ob;
        if (strcmp(norm, want) == 0 ||
            (file && path[0] == '/' && stat(path, &ob) == 0 &&
             ob.st_dev == sb.st_dev && ob.st_ino == sb.st_ino)) {
            *id = sqlite3_column_int64(st, 0);
            break;
        }
    }
    if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = store_error(s, err, rc, "look for the document");
    else if (r == 0 && rc == SQLITE_DONE)
        r = 1;
    sqlite3_finalize(st);
    free(norm);
    free(want);
    return r;
}

static int find_doc(grille_store *s, const char *doc, int64_t *id,
                    grille_error *err);

int grille_store_find(grille_store *s, const char *doc, int64_t *id,
                      grille_error *err)
{
    int rc = find_doc(s, doc, id, err);
    if (rc < 0)
        *id = 0; /* none found: not the one of two that a name meant */
    return rc;
}

static int find_doc(grille_store *s, const char *doc, int64_t *id,
                    grille_error *err)
{
    sqlite3_stmt *st;
    *id = 0;
    int r = prepare(s,
                    "SELECT id FROM documents WHERE name = ?1 OR path = ?1 "
                    "OR (substr(?1, 1, 1) = '#' AND length(?1) > 1 AND "
                    "NOT substr(?1, 2) GLOB '*[^0-9]*' AND id = "
                    "CAST(substr(?1, 2) AS INTEGER)) ORDER BY name = ?1 DESC "
                    "LIMIT 1",
                    &st, err);
    if (r < 0)
        return r;
    /* "./a.md" is the name "a.md" when no such file is here (a file
     * there is found below, by its text or as the file of a document) */
    const char *bare = doc;
    while (bare[0] == '.' && bare[1] == '/') {
        bare += 2;
        while (*bare == '/')
            bare++;
    }
    sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    struct stat here;
    if (rc == SQLITE_DONE && bare != doc && *bare && lstat(doc, &here) != 0) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, bare, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(s, err, rc, "look for the document");
    if (rc == SQLITE_ROW && doc[0] == '#' && doc[1] &&
        strspn(doc + 1, "0123456789") == strlen(doc + 1)) {
        /* "#1", the name of a document, and document #1 another: say so
         * rather than pick one (rm deletes) */
        r = prepare(s, "SELECT name FROM documents WHERE id = ?1 AND "
                       "id <> ?2", &st, err);
        if (r < 0)
            return r;
        sqlite3_bind_int64(st, 1, strtoll(doc + 1, NULL, 10));
        sqlite3_bind_int64(st, 2, *id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            r = grille__error(
                err, GRILLE_EINVALID, s->path, 0, 0,
                _("'%s' is both document %s ('%s') and the name of document "
                  "#%lld: name the first by its name, the second by the "
                  "path of its file"),
                doc, doc, (const char *)sqlite3_column_text(st, 0),
                (long long)*id);
            sqlite3_finalize(st);
            return r;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return store_error(s, err, rc, "look for the document");
        rc = SQLITE_ROW;
    }
    struct stat sb;
    if (rc == SQLITE_ROW && doc[0] != '#' && stat(doc, &sb) == 0 &&
        S_ISREG(sb.st_mode)) {
        /* a name (or a stored path) that is also a file here: if the file
         * is another document, say so rather than pick one (rm deletes) */
        int64_t other = 0;
        r = find_by_content(s, doc, &other, err);
        if (r < 0)
            return r;
        if (r == 0 && other != *id)
            return grille__error(
                err, GRILLE_EINVALID, s->path, 0, 0,
                _("'%s' names document #%lld, but the file '%s' here is "
                  "document #%lld: say which with #ID"),
                doc, (long long)*id, doc, (long long)other);
    }
    if (rc == SQLITE_ROW)
        return 0;
    r = find_same_file(s, doc, id, err);
    if (r <= 0)
        return r;
    if (stat(doc, &sb) == 0 && S_ISREG(sb.st_mode))
        return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                             _("no document has the text of '%s' (edited "
                               "since it was added?): name it as 'grille "
                               "list' does, or by #ID"),
                             doc);
    /* the name without its extension ("07-gard-dgs" for
     * "07-gard-dgs.md"): the one meant, when one (a range of the names'
     * index, not a scan) */
    sqlite3_stmt *st2;
    char *meant = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name FROM documents WHERE name > ?1 || "
                           "'.' AND name < ?1 || '/' AND instr(substr(name, "
                           "length(?1) + 2), '/') = 0 LIMIT 2",
                           -1, &st2, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st2, 1, *bare ? bare : doc, -1, SQLITE_STATIC);
        if (sqlite3_step(st2) == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(st2, 0);
            meant = n ? strdup(n) : NULL;
            if (sqlite3_step(st2) == SQLITE_ROW) { /* two: none meant */
                free(meant);
                meant = NULL;
            }
        }
        sqlite3_finalize(st2);
    }
    if (meant) {
        r = grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                          _("no document '%s' in the project: did you mean "
                            "'%s'? (see 'grille list')"),
                          doc, meant);
        free(meant);
        return r;
    }
    return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                         _("no document '%s' in the project (see 'grille "
                           "list')"),
                         doc);
}

static int remove_doc(grille_store *s, int64_t id, grille_error *err)
{
    /* the children first (foreign keys are not enforced, so nothing
     * cascades), the document last */
    static const char *const del[] = {
        "DELETE FROM codings WHERE " SQL_DOCUMENT_CODINGS("codings.", "?1"),
        "DELETE FROM segments WHERE document = ?1",
        "DELETE FROM attributes WHERE document = ?1",
        "DELETE FROM doc_stats WHERE document = ?1",
        "DELETE FROM documents WHERE id = ?1",
    };
    int changed = 0;
    int e = removing_terms(s, Q_DOC_TERMS, id);
    if (e != SQLITE_OK)
        return store_error(s, err, e, "remove the document");
    for (size_t k = 0; k < sizeof(del) / sizeof(del[0]); k++) {
        sqlite3_stmt *st;
        int r = prepare(s, del[k], &st, err);
        if (r < 0)
            return r;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        changed = sqlite3_changes(s->db);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return store_error(s, err, rc, "remove the document");
    }
    if (!changed)
        return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                             _("no document #%lld"), (long long)id);
    return 0;
}

int grille_store_remove(grille_store *s, int64_t id, grille_error *err)
{
    bool own;
    int r = own_begin(s, &own, err);
    if (r == 0)
        r = remove_doc(s, id, err);
    return own_end(s, own, r, err);
}

/* 0 when document #id is there; GRILLE_ENOTFOUND, that names it, when it
 * is not (no foreign key refuses an orphan row, nor says a read of an
 * unknown id is not an empty one). */
static int doc_exists(grille_store *s, int64_t id, const char *doing,
                      grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT 1 FROM documents WHERE id = ?1", &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                             _("no document #%lld"), (long long)id);
    return rc == SQLITE_ROW ? 0 : store_error(s, err, rc, doing);
}

int grille_store_set_attr(grille_store *s, int64_t id, const char *key,
                          const char *value, const char *origin,
                          grille_error *err)
{
    if (!key || !value || !origin)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             !key     ? _("an attribute needs a name")
                             : !value ? _("an attribute needs a value")
                                      : _("an attribute needs an origin "
                                          "(where its value comes from)"));
    if (!*key)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("an attribute needs a name"));
    /* the project's texts are UTF-8, as the exports and reports write
     * them (a byte of Latin-1 came out as U+FFFD in an export) */
    size_t kl = strlen(key), vl = strlen(value);
    if (utf8_check(key, kl) < kl || utf8_check(value, vl) < vl)
        return grille__error(err, GRILLE_EENCODING, s->path, 0, 0,
                             _("attribute '%s': its %s is not UTF-8"),
                             utf8_check(key, kl) < kl ? "?" : key,
                             utf8_check(key, kl) < kl ? _("name")
                                                      : _("value"));
    /* in a transaction of its own, as add and remove: a read-only
     * project is refused alike */
    bool own;
    int r = own_begin(s, &own, err);
    if (r == 0)
        r = doc_exists(s, id, "set an attribute", err);
    if (r == 0)
        r = set_attr(s, id, key, value, origin, err);
    return own_end(s, own, r, err);
}

int grille_store_unset_attr(grille_store *s, int64_t id, const char *key,
                            grille_error *err)
{
    if (!key || !*key)
        return grille__error(err, GRILLE_EINVALID, s->path, 0, 0, "%s",
                             _("an attribute needs a name"));
    /* the key as set_attr stores it: "Rôle" removes role */
    char *k = grille_attr_key(key);
    if (!k)
        return grille__nomem(err);
    bool own;
    int r = own_begin(s, &own, err);
    if (r == 0)
        r = doc_exists(s, id, "remove an attribute", err);
    sqlite3_stmt *st = NULL;
    if (r == 0)
        r = prepare(s, "DELETE FROM attributes WHERE document = ?1 AND "
                       "key = ?2",
                    &st, err);
    /* the key as given first, as a project may hold it from before it
     * was read as another ("interviewer", stored so until it was the
     * key enqueteur), then as it is stored now */
    for (int pass = 0; r == 0 && pass < 2; pass++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, pass ? k : key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            r = store_error(s, err, rc, "remove an attribute");
        else if (sqlite3_changes(s->db) > 0)
            break;
        else if (pass >= 1 || strcmp(key, k) == 0)
            r = grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                              _("document #%lld has no attribute '%s'"),
                              (long long)id, key);
    }
    sqlite3_finalize(st);
    free(k);
    return own_end(s, own, r, err);
}

/* ------------------------------------------------------------- reading */

/* The documents with their counts from subqueries: an older project read
 * as it is, or segments that are not ranges of their own. */
static int docs_counted(grille_store *s, sqlite3_stmt **st, grille_error *err)
{
    /* each document's codings: a range of ids (see SQL_DOCUMENT_CODINGS:
     * here with its segments' range a row of r), or (an older project
     * read as it is) by the index of their segments */
#define DOCS(with, join, segments, codings_of)                               \
    with "SELECT d.id, d.name, d.path, d.sha256, d.encoding, d.added_at, "  \
    "d.bytes, d.words, " segments ", "                                       \
    "(SELECT count(DISTINCT c.segment) FROM codings c WHERE " codings_of    \
    "), (SELECT count(*) FROM codings c WHERE " codings_of ") "             \
    "FROM documents d " join "ORDER BY d.name"
#define IN_RANGE                                                             \
    "c.id BETWEEN r.lo << 28 AND (r.hi << 28) + 268435455 AND (r.hi - r.lo " \
    "+ 1 = r.n OR (SELECT s_.document FROM segments s_ WHERE s_.id = "      \
    "c.segment) = d.id)"
    return prepare(
        s,
        grille_store__coding_ranges(s)
            ? DOCS("WITH r AS (SELECT document, min(id) AS lo, max(id) AS hi, "
                   "count(*) AS n FROM segments GROUP BY document) ",
                   "LEFT JOIN r ON r.document = d.id ", "coalesce(r.n, 0)",
                   IN_RANGE)
            : DOCS("", "",
                   "(SELECT count(*) FROM segments g WHERE g.document = d.id)",
                   "c.segment IN (SELECT id FROM segments WHERE document = "
                   "d.id)"),
        st, err);
#undef IN_RANGE
#undef DOCS
}

/* A document's segments: a range of ids. */
typedef struct seg_range {
    int64_t lo, hi, doc;
} seg_range;

/*
 * Each document's segments, coded segments and codings (indexed by
 * document id, nids of them), in one pass over the codings' ids: since
 * schema 4 a coding's id is its segment's shifted, so in id order they
 * come segment by segment, and the documents' segments are ranges of
 * ids, walked along.  The subqueries of foreach_doc read every coding
 * twice and sorted each document's segments (most of `grille list` at 1
 * GB).  *ok is false, with nothing counted, when some document's
 * segments are not one range of their own (a file edited by hand): the
 * subqueries then count.
 */
static int count_codings(grille_store *s, size_t nids, size_t *segs,
                         size_t *coded, size_t *codings, bool *ok)
{
    sqlite3_stmt *st;
    seg_range *v = NULL;
    size_t n = 0, cap = 0;
    *ok = true;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT document, min(id), max(id), count(*) "
                                "FROM segments GROUP BY document ORDER BY 2",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        seg_range x = {sqlite3_column_int64(st, 1),
                       sqlite3_column_int64(st, 2),
                       sqlite3_column_int64(st, 0)};
        int64_t count = sqlite3_column_int64(st, 3);
        /* sorted by lo, ranges of count ids with no id twice do not
         * overlap */
        if (x.doc < 0 || (size_t)x.doc >= nids || x.hi - x.lo + 1 != count ||
            x.lo < 0 || x.hi > (INT64_MAX >> CODING_SHIFT)) {
            *ok = false; /* not ranges of their own */
            break;
        }
        if (GROW(v, cap, n + 1) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        v[n++] = x;
        segs[x.doc] = (size_t)count;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        rc = SQLITE_DONE; /* stopped early: *ok says why, or NOMEM */
    if (rc == SQLITE_DONE && *ok)
        rc = sqlite3_prepare_v2(s->db, "SELECT id FROM codings ORDER BY id",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && *ok) {
        size_t k = 0;
        int64_t last = -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t seg = sqlite3_column_int64(st, 0) >> CODING_SHIFT;
            while (k < n && v[k].hi < seg)
                k++;
            if (k == n)
                break; /* past every document's segments */
            if (seg < v[k].lo)
                continue; /* a coding without its segment */
            codings[v[k].doc]++;
            coded[v[k].doc] += seg != last;
            last = seg;
        }
        if (rc == SQLITE_ROW)
            rc = SQLITE_DONE;
        sqlite3_finalize(st);
    }
    free(v);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* How many documents, and one past their largest id. */
static int doc_id_span(sqlite3 *db, size_t *ndocs, size_t *nids)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db, "SELECT count(*), coalesce(max(id), 0) FROM documents", -1, &st,
        NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t n = sqlite3_column_int64(st, 0),
                max = sqlite3_column_int64(st, 1);
        *ndocs = (size_t)(n < 0 ? 0 : n);
        *nids = max < 0 || (uint64_t)max >= SIZE_MAX / 4 ? SIZE_MAX / 4
                                                         : (size_t)max + 1;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int grille_store_foreach_doc(grille_store *s, grille_doc_cb cb, void *payload,
                             grille_error *err)
{
    sqlite3_stmt *st = NULL;
    /* The counts and the documents from one snapshot: a savepoint (unless
     * the caller's transaction is one already) until the documents'
     * statement has its first row; that statement keeps its snapshot to
     * its end, and the callbacks run outside any transaction of ours:
     * they may begin one, as under a plain statement. */
    bool own = sqlite3_get_autocommit(s->db) != 0;
    int rc = own ? sqlite3_exec(s->db, "SAVEPOINT docs", NULL, NULL, NULL)
                 : SQLITE_OK;
    if (rc != SQLITE_OK)
        return store_error(s, err, rc, "list documents");
    size_t ndocs = 0, nids = 0, *counts = NULL;
    bool counted = false;
    int r = 0;
    if (grille_store__coding_ranges(s)) {
        rc = doc_id_span(s->db, &ndocs, &nids);
        /* counts by document id, when the ids are about as many as the
         * documents (ids set by hand may be anything) */
        if (rc == SQLITE_OK && nids <= 4 * ndocs + 4096) {
            if (!(counts = calloc(3 * nids + 1, sizeof(*counts))))
                rc = SQLITE_NOMEM;
            else
                rc = count_codings(s, nids, counts, counts + nids,
                                   counts + 2 * nids, &counted);
        }
        if (rc != SQLITE_OK)
            r = store_error(s, err, rc, "list documents");
    }
    if (r == 0)
        r = counted ? prepare(s,
                              "SELECT id, name, path, sha256, encoding, "
                              "added_at, bytes, words FROM documents "
                              "ORDER BY name",
                              &st, err)
                    : docs_counted(s, &st, err);
    rc = r == 0 ? sqlite3_step(st) : SQLITE_DONE;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) /* before the release */
        r = store_error(s, err, rc, "list documents");
    if (own)
        sqlite3_exec(s->db, "RELEASE docs", NULL, NULL, NULL);
    int stop = 0;
    while (r == 0 && !stop && rc == SQLITE_ROW) {
        /* a word takes a byte at least: more words than bytes, or a
         * count below 0, is a row no add wrote */
        int64_t bytes = sqlite3_column_int64(st, 6);
        int64_t words = sqlite3_column_int64(st, 7);
        if (bytes < 0 || words < 0 || words > bytes) {
            r = grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                              _("the project file is damaged: document "
                                "'%s' (#%lld) has %lld words in %lld bytes"),
                              col_text(st, 1),
                              (long long)sqlite3_column_int64(st, 0),
                              (long long)words, (long long)bytes);
            break;
        }
        grille_doc_info d = {
            .id = sqlite3_column_int64(st, 0),
            .name = col_text(st, 1),
            .path = col_text(st, 2),
            .sha256 = col_text(st, 3),
            .encoding = col_text(st, 4),
            .added_at = col_text(st, 5),
            .bytes = col_size(st, 6),
            .words = col_size(st, 7),
        };
        if (!counted) {
            d.segments = col_size(st, 8);
            d.coded_segments = col_size(st, 9);
            d.codings = col_size(st, 10);
        } else if (d.id >= 0 && (size_t)d.id < nids) {
            d.segments = counts[d.id];
            d.coded_segments = counts[nids + (size_t)d.id];
            d.codings = counts[2 * nids + (size_t)d.id];
        }
        if (!(stop = cb(&d, payload)) &&
            (rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE)
            r = store_error(s, err, rc, "list documents");
    }
    sqlite3_finalize(st);
    free(counts);
    return stop ? stop : r;
}

int grille_store_foreach_attr(grille_store *s, int64_t id, grille_attr_cb cb,
                              void *payload, grille_error *err)
{
    int rc;
    sqlite3_stmt *st;
    /* the store's statement, or one of its own when called from the
     * callback of another foreach_attr, which still steps that one */
    bool own = s->q[Q_DOC_ATTRS] && sqlite3_stmt_busy(s->q[Q_DOC_ATTRS]);
    if (own) {
        int r = prepare(s, queries[Q_DOC_ATTRS], &st, err);
        if (r < 0)
            return r;
    } else if (!(st = stmt(s, Q_DOC_ATTRS, &rc))) {
        return store_error(s, err, rc, "read attributes");
    }
    sqlite3_bind_int64(st, 1, id);
    int stop = 0;
    size_t rows = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        grille_attr_info a = {col_text(st, 0), col_text(st, 1),
                              col_text(st, 2)};
        rows++;
        stop = cb(&a, payload);
    }
    if (own)
        sqlite3_finalize(st);
    else
        sqlite3_reset(st); /* ends its read */
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return store_error(s, err, rc, "read attributes");
    /* none: a document without attributes, or no such document */
    return rows ? 0 : doc_exists(s, id, "read attributes", err);
}

int grille_store_foreach_attr_key(grille_store *s, grille_key_cb cb,
                                  void *payload, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT DISTINCT key FROM attributes ORDER BY key",
                    &st, err);
    if (r < 0)
        return r;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = cb(col_text(st, 0), payload);
    sqlite3_finalize(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : store_error(s, err, rc, "read attributes");
}

int grille_store_foreach_coding(grille_store *s, int64_t id,
                                grille_coding_cb cb, void *payload,
                                grille_error *err)
{
    sqlite3_stmt *st;
    /* one document: a range of ids, or found by the index of its
     * segments (an OR with the case of all documents made SQLite scan
     * every coding) */
#define CODINGS_OF(where)                                                    \
    "SELECT g.document, d.name, g.idx, g.line, k.code, c.start, "           \
    "c.\"end\", c.term, c.rule, c.origin, c.segment, c.code "              \
    "FROM codings c "                                                       \
    "JOIN segments g ON g.id = c.segment "                                  \
    "JOIN documents d ON d.id = g.document "                                \
    "LEFT JOIN codes k ON k.id = c.code " where                             \
    "ORDER BY d.name, g.idx, c.start, coalesce(k.position, 1e9), "          \
    "k.code, c.\"end\""
    int r = prepare(s,
                    !id ? CODINGS_OF("WHERE ?1 = 0 ")
                    : grille_store__coding_ranges(s)
                        ? CODINGS_OF("WHERE g.document = ?1 AND "
                                     SQL_DOCUMENT_CODINGS("c.", "?1") " ")
                        : CODINGS_OF("WHERE g.document = ?1 "),
                    &st, err);
#undef CODINGS_OF
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    size_t rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rows++;
        if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
            /* a coding whose code is not in the table (by hand) */
            r = grille__error(err, GRILLE_ESTORE, s->path, 0, 0,
                              _("the project file is damaged: a coding of "
                                "segment #%lld has the code #%lld, which "
                                "is not in the project"),
                              (long long)sqlite3_column_int64(st, 10),
                              (long long)sqlite3_column_int64(st, 11));
            sqlite3_finalize(st);
            return r;
        }
        if ((r = grille_store__bad_span(s, err, true,
                                        sqlite3_column_int64(st, 10),
                                        sqlite3_column_int64(st, 5),
                                        sqlite3_column_int64(st, 6),
                                        sqlite3_column_int64(st, 3), -1)) < 0) {
            sqlite3_finalize(st);
            return r;
        }
        grille_coding_info c = {
            .document = sqlite3_column_int64(st, 0),
            .document_name = col_text(st, 1),
            .segment = col_size(st, 2),
            .line = (unsigned)sqlite3_column_int(st, 3),
            .code = col_text(st, 4),
            .start = col_size(st, 5),
            .end = col_size(st, 6),
            .term = col_text(st, 7),
            .rule = col_text(st, 8),
            .origin = col_text(st, 9),
        };
        int stop = cb(&c, payload);
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error(s, err, rc, "read codings");
    /* none: a document without codings, or no such document */
    return rows || !id ? 0 : doc_exists(s, id, "read codings", err);
}

int grille_store_text(grille_store *s, int64_t id, char **text, size_t *len,
                      size_t *body, grille_error *err)
{
    sqlite3_stmt *st;
    *text = NULL;
    int r = prepare(s, "SELECT text, body, name FROM documents WHERE id = ?1",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *text = grille__strndup(col_text(st, 0), *len);
        *body = col_size(st, 1);
        r = grille_store__bad_body(s, err, id, col_text(st, 2),
                                   sqlite3_column_int64(st, 1), *len);
    }
    sqlite3_finalize(st);
    if (r < 0) {
        free(*text);
        *text = NULL;
        return r;
    }
    if (rc == SQLITE_DONE)
        return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                             _("no document #%lld"), (long long)id);
    if (rc != SQLITE_ROW)
        return store_error(s, err, rc, "read the document");
    return *text ? 0 : grille__nomem(err);
}

int grille_store_foreach_text(grille_store *s, grille_text_cb cb,
                              void *payload, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s,
                    "SELECT id, name, text, body FROM documents ORDER BY name",
                    &st, err);
    if (r < 0)
        return r;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        grille_text_info d = {
            .id = sqlite3_column_int64(st, 0),
            .name = col_text(st, 1),
            .body = col_size(st, 3),
        };
        d.text = col_text(st, 2); /* the text, then its length */
        d.len = (size_t)sqlite3_column_bytes(st, 2);
        if ((r = grille_store__bad_body(s, err, d.id, d.name,
                                        sqlite3_column_int64(st, 3), d.len)) <
                0 ||
            (r = grille_store__bad_text(s, err, d.id, d.name, d.text, d.len,
                                        0)) < 0) {
            sqlite3_finalize(st);
            return r;
        }
        stop = cb(&d, payload);
    }
    sqlite3_finalize(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : store_error(s, err, rc, "read the texts");
}

/* --------------------------------------------------------------- recode */

/* Segments coded by each code, children rolled up into their parents, into
 * temp table `table`. */
/* A recode goes document by document: it analyses the text again and
 * compares the new automatic codings with the stored ones, in the order
 * they were stored.  A document whose codings are the same is not written
 * (an edit of a codebook changes few documents, and their codings keep
 * their row ids, hence their GUIDs in an export); one that changed has
 * all its automatic codings replaced, in the order an add would write
 * them.  The changes per code are counted on (code, segment) pairs, each
 * code standing for its ancestors too: before with the old hierarchy,
 * after with the new one. */
typedef struct old_coding {
    int64_t id, segment, code, start, end;
    size_t rule; /* offset of its rule text in rules */
    bool automatic;
} old_coding;

typedef struct code_seg {
    int64_t code, segment;
} code_seg;

#define RC_COUNTS 6

typedef struct recoder {
    int64_t *old_parent, *new_parent;
    size_t nold, nnew;
    size_t *count; /* RC_COUNTS per code id: segments before, after,
                      gained, lost; codings before, after */
    old_coding *old;
    size_t nold_cod, cap_old;
    gbuf rules;
    code_seg *before, *after, *tmp; /* tmp: room to sort them */
    size_t nbefore, nafter, cap_before, cap_after, cap_tmp;
    int64_t *segid;
    size_t cap_segid;
    int64_t *first; /* per segment, the number of its first new coding */
    size_t cap_first;
    int64_t *was_in; /* the ids of the codes in the codebook before the
                        recode, sorted */
    size_t nwas, capwas;
} recoder;

/* Which codes (by id) the project's codebook has, before it changes. */
static int read_was_in(grille_store *s, recoder *rc, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT id FROM codes WHERE in_codebook ORDER BY id",
                    &st, err);
    if (r < 0)
        return r;
    int e;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(rc->was_in, rc->capwas, rc->nwas + 1) < 0) {
            sqlite3_finalize(st);
            return grille__nomem(err);
        }
        rc->was_in[rc->nwas++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return e == SQLITE_DONE ? 0 : store_error(s, err, e, "read the codes");
}

static void recoder_free(recoder *rc)
{
    free(rc->old_parent);
    free(rc->new_parent);
    free(rc->count);
    free(rc->old);
    gbuf_free(&rc->rules);
    free(rc->before);
    free(rc->after);
    free(rc->tmp);
    free(rc->segid);
    free(rc->first);
    free(rc->was_in);
}

static int by_code_seg(const void *a, const void *b)
{
    const code_seg *x = a, *y = b;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return (x->segment > y->segment) - (x->segment < y->segment);
}

/* Adds (code and each of its ancestors, segment) to a list. */
static int add_pairs(code_seg **v, size_t *n, size_t *cap,
                     const int64_t *parent, size_t nparent, int64_t code,
                     int64_t segment)
{
    for (size_t guard = 0; code >= 0 && guard <= nparent; guard++) {
        if (GROW(*v, *cap, *n + 1) < 0)
            return GRILLE_ENOMEM;
        (*v)[(*n)++] = (code_seg){code, segment};
        code = (size_t)code < nparent ? parent[code] : -1;
    }
    return 0;
}

static inline bool code_seg_before(const code_seg *x, const code_seg *y)
{
    return x->code < y->code ||
           (x->code == y->code && x->segment < y->segment);
}

/* Sorts v[0..n) by code then segment, with tmp[0..n) as room, and keeps
 * one of each pair: runs of 16 by insertion, then merged two by two,
 * inline (qsort's calls through a comparison function were a tenth of a
 * recode's writing thread). */
static size_t sort_unique(code_seg *v, code_seg *tmp, size_t n)
{
    if (n < 2)
        return n;
    enum { RUN = 16 };
    for (size_t a = 0; a < n; a += RUN) {
        size_t b = a + RUN < n ? a + RUN : n;
        for (size_t i = a + 1; i < b; i++) {
            code_seg x = v[i];
            size_t j = i;
            for (; j > a && code_seg_before(&x, &v[j - 1]); j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
    }
    code_seg *from = v, *to = tmp;
    for (size_t w = RUN; w < n; w *= 2) {
        for (size_t a = 0; a < n; a += 2 * w) {
            size_t m = a + w < n ? a + w : n, b = a + 2 * w < n ? a + 2 * w : n;
            size_t i = a, j = m, k = a;
            while (i < m && j < b)
                to[k++] = code_seg_before(&from[j], &from[i]) ? from[j++]
                                                               : from[i++];
            while (i < m)
                to[k++] = from[i++];
            while (j < b)
                to[k++] = from[j++];
        }
        code_seg *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof(*v));
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i].code != v[k - 1].code || v[i].segment != v[k - 1].segment)
            v[k++] = v[i];
    return k;
}

/* Adds one to count `at` (4: codings before, 5: after) of `code` and of
 * each of its ancestors. */
static void count_coding(recoder *rc, const int64_t *parent, size_t nparent,
                         int64_t code, int at)
{
    for (size_t guard = 0; code >= 0 && guard <= nparent; guard++) {
        if ((size_t)code < rc->nnew)
            rc->count[RC_COUNTS * (size_t)code + (size_t)at]++;
        code = (size_t)code < nparent ? parent[code] : -1;
    }
}

/* Counts one document's pairs before and after into rc->count, and its
 * codings (a code's count holds its children's). */
static int count_changes(recoder *rc, const grille_coding *cod, size_t nc,
                         const int64_t *code_ids)
{
    rc->nbefore = rc->nafter = 0;
    for (size_t i = 0; i < rc->nold_cod; i++) {
        const old_coding *o = &rc->old[i];
        count_coding(rc, rc->old_parent, rc->nold, o->code, 4);
        if (!o->automatic)
            count_coding(rc, rc->new_parent, rc->nnew, o->code, 5);
    }
    for (size_t i = 0; i < nc; i++)
        count_coding(rc, rc->new_parent, rc->nnew, code_ids[cod[i].code], 5);
    for (size_t i = 0; i < rc->nold_cod; i++) {
        const old_coding *o = &rc->old[i];
        if (add_pairs(&rc->before, &rc->nbefore, &rc->cap_before,
                      rc->old_parent, rc->nold, o->code, o->segment) < 0 ||
            (!o->automatic &&
             add_pairs(&rc->after, &rc->nafter, &rc->cap_after,
                       rc->new_parent, rc->nnew, o->code, o->segment) < 0))
            return GRILLE_ENOMEM;
    }
    for (size_t i = 0; i < nc; i++)
        if (add_pairs(&rc->after, &rc->nafter, &rc->cap_after,
                      rc->new_parent, rc->nnew, code_ids[cod[i].code],
                      rc->segid[cod[i].segment]) < 0)
            return GRILLE_ENOMEM;
    size_t most = rc->nbefore > rc->nafter ? rc->nbefore : rc->nafter;
    if (GROW(rc->tmp, rc->cap_tmp, most + 1) < 0)
        return GRILLE_ENOMEM;
    size_t nb = sort_unique(rc->before, rc->tmp, rc->nbefore);
    size_t na = sort_unique(rc->after, rc->tmp, rc->nafter);
    size_t i = 0, j = 0;
    while (i < nb || j < na) {
        int c = i == nb   ? 1
                : j == na ? -1
                          : by_code_seg(&rc->before[i], &rc->after[j]);
        int64_t code = c <= 0 ? rc->before[i].code : rc->after[j].code;
        size_t *k =
            (size_t)code < rc->nnew ? &rc->count[RC_COUNTS * code] : NULL;
        if (c <= 0 && k)
            k[0]++;
        if (c >= 0 && k)
            k[1]++;
        if (c > 0 && k)
            k[2]++;
        if (c < 0 && k)
            k[3]++;
        i += c <= 0;
        j += c >= 0;
    }
    return 0;
}

/* Reads document `doc`'s stored codings, in the order they were stored. */
static int read_old(sqlite3_stmt *st, recoder *rc, int64_t doc)
{
    rc->nold_cod = 0;
    rc->rules.len = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, doc);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(rc->old, rc->cap_old, rc->nold_cod + 1) < 0)
            return SQLITE_NOMEM;
        old_coding *o = &rc->old[rc->nold_cod++];
        o->segment = sqlite3_column_int64(st, 0);
        o->code = sqlite3_column_int64(st, 1);
        o->start = sqlite3_column_int64(st, 2);
        o->end = sqlite3_column_int64(st, 3);
        o->automatic = sqlite3_column_int(st, 5) != 0;
        o->id = sqlite3_column_int64(st, 6);
        o->rule = rc->rules.len;
        const char *rule = col_text(st, 4);
        if (gbuf_put(&rc->rules, rule, strlen(rule) + 1) < 0)
            return SQLITE_NOMEM;
    }
    return r == SQLITE_DONE ? SQLITE_OK : r;
}

/* Whether the new codings are the stored automatic ones, in order. */
static bool same_codings(grille_store *s, const recoder *rc,
                         const grille_coding *cod, size_t nc)
{
    size_t k = 0;
    for (size_t i = 0; i < rc->nold_cod; i++) {
        const old_coding *o = &rc->old[i];
        if (!o->automatic)
            continue;
        if (k == nc)
            return false;
        const grille_coding *c = &cod[k++];
        grille_rule_info ri;
        grille_codebook_rule(s->synced, c->rule, &ri);
        if (o->segment != rc->segid[c->segment] ||
            o->code != s->code_ids[c->code] ||
            o->start != (int64_t)c->start || o->end != (int64_t)c->end ||
            strcmp(rc->rules.data + o->rule, ri.text) != 0)
            return false;
    }
    return k == nc;
}

/* Applies a document's new analysis: compares, writes what changed,
 * counts the changes. */
static int recode_document(grille_store *s, recoder *rc,
                           sqlite3_stmt *q_old, sqlite3_stmt *q_del,
                           bool hierarchy, bool count, int64_t id,
                           const char *text, size_t ns,
                           const grille_coding *cod, size_t nc,
                           grille_error *err)
{
    if (GROW(rc->segid, rc->cap_segid, ns + 1) < 0)
        return grille__nomem(err);
    int r = segment_ids(s, id, ns, rc->segid, err);
    if (r < 0)
        return r;
    int e = read_old(q_old, rc, id);
    if (e != SQLITE_OK)
        return store_error(s, err, e, "read the codings");
    if (count && count_changes(rc, cod, nc, s->code_ids) < 0)
        return grille__nomem(err);
    bool same = same_codings(s, rc, cod, nc);
    if (!same) {
        e = removing_terms(s, Q_DOC_AUTO_TERMS, id);
        if (e != SQLITE_OK)
            return store_error(s, err, e, "read the codings");
        /* the new codings of a segment are numbered after the manual ones
         * it keeps (both lists in the order of the segments' ids) */
        if (GROW(rc->first, rc->cap_first, ns + 1) < 0)
            return grille__nomem(err);
        memset(rc->first, 0, (ns + 1) * sizeof(*rc->first));
        bool ordered = true;
        int64_t most = 0;
        for (size_t k = 1; k < ns; k++)
            ordered &= rc->segid[k - 1] < rc->segid[k];
        for (size_t i = 0; i < rc->nold_cod; i++)
            if (!rc->old[i].automatic &&
                (rc->old[i].id & CODING_MAX_IN_SEGMENT) >= most)
                most = (rc->old[i].id & CODING_MAX_IN_SEGMENT) + 1;
        /* segments numbered by another tool out of order: after the
         * document's largest */
        for (size_t k = 0; !ordered && k < ns; k++)
            rc->first[k] = most;
        for (size_t i = 0, k = 0; ordered && i < rc->nold_cod; i++) {
            const old_coding *o = &rc->old[i];
            while (k < ns && rc->segid[k] < o->segment)
                k++;
            if (k < ns && rc->segid[k] == o->segment && !o->automatic &&
                (o->id & CODING_MAX_IN_SEGMENT) >= rc->first[k])
                rc->first[k] = (o->id & CODING_MAX_IN_SEGMENT) + 1;
        }
        sqlite3_reset(q_del);
        sqlite3_bind_int64(q_del, 1, id);
        e = sqlite3_step(q_del);
        e = e == SQLITE_DONE
                ? insert_codings(s, rc->segid, cod, nc, text, rc->first, false)
                : e;
        if (e != SQLITE_OK)
            return store_error(s, err, e, "store the codings");
    }
    if (!same || hierarchy) {
        grille_stats *b = store_stats(s, &e);
        if (b)
            e = grille__stats_refresh(b, id);
        if (e != SQLITE_OK)
            return store_error(s, err, e, "count the codings");
    }
    return 0;
}

/* The documents of a recode go through a ring of slots: this thread reads
 * them from the project (a connection is used by one thread), any thread
 * analyses them, and this thread applies them in order, so the project
 * and the counts do not depend on the number of threads.  This thread
 * analyses too when the next document to apply is not ready. */
enum { SLOT_EMPTY, SLOT_READ, SLOT_TAKEN, SLOT_READY };

typedef struct rslot {
    int64_t id;
    char *name, *text;
    size_t len, body;
    grille_segment *segs;
    grille_coding *cods;
    size_t nsegs, ncods, cap_segs, cap_cods;
    int rc;
    grille_error err;
    int state;
} rslot;

typedef struct rring {
    grille_store *s;
    const grille_codebook *cb;
    rslot *slots;
    size_t nslots;
    size_t nread, ntaken, napplied;
    size_t inflight; /* bytes of text read and not yet applied */
    bool stop;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} rring;

typedef struct rworker {
    rring *ring;
    grille_analyser *a;
    pthread_t tid;
} rworker;

/* Text read ahead at most (a corpus of large notes stays bounded); one
 * document always goes, however large. */
#define RECODE_AHEAD_BYTES (64u * 1024 * 1024)

static void analyse_slot(rring *g, rslot *sl, grille_analyser *a)
{
    if (sl->rc < 0) /* read_slot found it damaged */
        return;
    sl->rc = grille_analyser_run(a, sl->text, sl->len, sl->body, g->s->unit,
                                 g->cb, sl->name, &sl->err);
    if (sl->rc < 0)
        return;
    const grille_segment *segs;
    const grille_coding *cod;
    size_t ns = grille_analyser_segments(a, &segs);
    size_t nc = grille_analyser_codings(a, &cod);
    if (GROW(sl->segs, sl->cap_segs, ns + 1) < 0 ||
        GROW(sl->cods, sl->cap_cods, nc + 1) < 0) {
        sl->rc = grille__nomem(&sl->err);
        return;
    }
    if (ns) /* an empty list may be NULL */
        memcpy(sl->segs, segs, ns * sizeof(*segs));
    if (nc)
        memcpy(sl->cods, cod, nc * sizeof(*cod));
    sl->nsegs = ns;
    sl->ncods = nc;
}

static void *analysing(void *arg)
{
    rworker *w = arg;
    rring *g = w->ring;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (!g->stop && g->ntaken >= g->nread)
            pthread_cond_wait(&g->cond, &g->lock);
        if (g->stop)
            break;
        rslot *sl = &g->slots[g->ntaken++ % g->nslots];
        sl->state = SLOT_TAKEN;
        pthread_mutex_unlock(&g->lock);
        analyse_slot(g, sl, w->a);
        pthread_mutex_lock(&g->lock);
        sl->state = SLOT_READY;
        pthread_cond_broadcast(&g->cond);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* Reads the next document into its slot; false at the end (or on an
 * error, left in *e). */
static bool read_slot(rring *g, sqlite3_stmt *st, int *e)
{
    *e = sqlite3_step(st);
    if (*e != SQLITE_ROW)
        return false;
    rslot *sl = &g->slots[g->nread % g->nslots];
    const char *name = col_text(st, 1), *text = col_text(st, 2);
    size_t len = (size_t)sqlite3_column_bytes(st, 2);
    free(sl->name);
    free(sl->text);
    sl->name = grille__strndup(name, strlen(name));
    sl->text = malloc(len + 1);
    if (!sl->name || !sl->text) {
        *e = SQLITE_NOMEM;
        return false;
    }
    memcpy(sl->text, text, len);
    sl->text[len] = '\0';
    sl->id = sqlite3_column_int64(st, 0);
    sl->len = len;
    sl->body = col_size(st, 3);
    sl->rc = 0;
    memset(&sl->err, 0, sizeof(sl->err));
    /* the project's fault, not the note's: said so, and not coded */
    if (sqlite3_column_type(st, 2) == SQLITE_NULL)
        sl->rc = grille__error(&sl->err, GRILLE_ESTORE, g->s->path, 0, 0,
                               _("the project file is damaged: document "
                                 "'%s' (#%lld) has no text"),
                               sl->name, (long long)sl->id);
    else if ((sl->rc = grille_store__bad_body(g->s, &sl->err, sl->id,
                                              sl->name,
                                              sqlite3_column_int64(st, 3),
                                              len)) == 0)
        sl->rc = grille_store__bad_text(g->s, &sl->err, sl->id, sl->name,
                                        sl->text, len, 0);
    return true;
}

static void free_slots(rring *g)
{
    for (size_t i = 0; i < g->nslots; i++) {
        rslot *sl = &g->slots[i];
        free(sl->name);
        free(sl->text);
        free(sl->segs);
        free(sl->cods);
    }
    free(g->slots);
}

/* Whether code `id` was in the codebook before the recode. */
static bool was_in(const recoder *rc, int64_t id)
{
    size_t lo = 0, hi = rc->nwas;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rc->was_in[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < rc->nwas && rc->was_in[lo] == id;
}

/* Sends the counted changes, per code, in codebook order. */
static int send_changes(grille_store *s, const recoder *rc,
                        grille_recode_cb changes, void *payload,
                        grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s,
                    "SELECT id, code, in_codebook FROM codes ORDER BY "
                    "position IS NULL, position, code",
                    &st, err);
    if (r < 0)
        return r;
    int e;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const size_t *k =
            id >= 0 && (size_t)id < rc->nnew ? &rc->count[RC_COUNTS * id]
                                             : NULL;
        if (!sqlite3_column_int(st, 2) && (!k || (!k[0] && !k[1])))
            continue;
        grille_recode_change c = {col_text(st, 1),
                                  k ? k[0] : 0,
                                  k ? k[1] : 0,
                                  k ? k[2] : 0,
                                  k ? k[3] : 0,
                                  k ? k[4] : 0,
                                  k ? k[5] : 0,
                                  sqlite3_column_int(st, 2) != 0,
                                  was_in(rc, id)};
        int stop = changes(&c, payload);
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    return e == SQLITE_DONE ? 0 : store_error(s, err, e, "compare the codings");
}

int grille_store_recode(grille_store *s, grille_analyser *a,
                        const grille_codebook *cb, const char *yaml,
                        size_t len, const char *source,
                        void (*progress)(size_t, size_t, void *),
                        grille_recode_cb changes, void *payload,
                        grille_error *err)
{
    return grille_store_recode_jobs(s, &a, 1, cb, yaml, len, source,
                                    progress, changes, payload, err);
}

static int recode_jobs(grille_store *s, grille_analyser *const *a,
                       size_t nanalysers, const grille_codebook *cb,
                       const char *yaml, size_t len, const char *source,
                       void (*progress)(size_t, size_t, void *),
                       grille_recode_cb changes, void *payload,
                       grille_error *err)
{
    recoder rc = {0};
    sqlite3_stmt *st = NULL, *q_old = NULL, *q_del = NULL;
    if (nanalysers < 1)
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             _("a recode needs an analyser"));
    int r = 0, e = grille__parents(s->db, &rc.old_parent, &rc.nold);
    if (e != SQLITE_OK)
        r = store_error(s, err, e, "read the codes");
    if (r == 0 && len > INT32_MAX)
        r = grille__error(err, GRILLE_ELIMIT, source, 0, 0, "%s",
                          _("codebook too large"));
    if (r == 0)
        r = read_was_in(s, &rc, err);
    if (r == 0)
        r = set_codebook(s, cb, yaml, len, source, err);
    s->synced = NULL;
    if (r == 0)
        r = sync_codes(s, cb, err);
    if (r == 0 &&
        (e = grille__parents(s->db, &rc.new_parent, &rc.nnew)) != SQLITE_OK)
        r = store_error(s, err, e, "read the codes");
    if (r == 0 && changes &&
        !(rc.count = calloc(RC_COUNTS * rc.nnew, sizeof(*rc.count))))
        r = grille__nomem(err);
    /* ids only grow: an old id keeps its place in the new map */
    bool hierarchy = false;
    for (size_t i = 0; r == 0 && i < rc.nold; i++)
        hierarchy |= i >= rc.nnew || rc.old_parent[i] != rc.new_parent[i];
    int64_t total = 0;
    if (r == 0)
        r = scalar(s, "SELECT count(*) FROM documents", &total, err);
    if (r == 0)
        r = prepare(s,
                    "SELECT c.segment, c.code, c.start, c.\"end\", c.rule, "
                    "c.origin = 'automatic', c.id FROM codings c WHERE "
                    SQL_DOCUMENT_CODINGS("c.", "?1") " ORDER BY c.id",
                    &q_old, err);
    if (r == 0)
        r = prepare(s,
                    "DELETE FROM codings WHERE origin = 'automatic' AND "
                    SQL_DOCUMENT_CODINGS("codings.", "?1"),
                    &q_del, err);
    if (r == 0)
        r = prepare(s,
                    "SELECT id, name, text, body FROM documents ORDER BY id",
                    &st, err);

    rring g = {.s = s, .cb = cb, .nslots = 2 * nanalysers + 2};
    rworker *workers = NULL;
    size_t nworkers = 0;
    bool started = false; /* the lock and condition are initialised */
    if (r == 0) {
        g.slots = calloc(g.nslots, sizeof(*g.slots));
        workers = calloc(nanalysers, sizeof(*workers));
        if (!g.slots || !workers)
            r = grille__nomem(err);
    }
    if (r == 0 && pthread_mutex_init(&g.lock, NULL) != 0)
        r = grille__nomem(err);
    if (r == 0 && pthread_cond_init(&g.cond, NULL) != 0) {
        pthread_mutex_destroy(&g.lock);
        r = grille__nomem(err);
    }
    if (r == 0) {
        started = true;
        for (size_t i = 1; i < nanalysers; i++) {
            workers[nworkers].ring = &g;
            workers[nworkers].a = a[i];
            if (grille__thread_create(&workers[nworkers].tid, analysing,
                                      &workers[nworkers]) != 0)
                break; /* fewer threads: the same result */
            nworkers++;
        }
    }
    bool more = r == 0;
    e = SQLITE_DONE;
    while (r == 0) {
        if (grille__interrupted()) {
            r = grille__interrupt(err, s->path);
            break;
        }
        /* read ahead while there is room */
        while (more && g.nread < g.napplied + g.nslots &&
               (g.nread == g.napplied ||
                g.inflight < RECODE_AHEAD_BYTES)) {
            more = read_slot(&g, st, &e);
            if (!more)
                break;
            pthread_mutex_lock(&g.lock);
            rslot *sl = &g.slots[g.nread % g.nslots];
            sl->state = SLOT_READ;
            g.inflight += sl->len;
            g.nread++;
            pthread_cond_broadcast(&g.cond);
            pthread_mutex_unlock(&g.lock);
        }
        if (e != SQLITE_DONE && e != SQLITE_ROW) {
            r = store_error(s, err, e, "recode");
            break;
        }
        if (g.napplied == g.nread)
            break; /* all done */
        rslot *sl = &g.slots[g.napplied % g.nslots];
        pthread_mutex_lock(&g.lock);
        while (sl->state != SLOT_READY) {
            if (g.ntaken < g.nread) { /* analyse one while waiting */
                rslot *t = &g.slots[g.ntaken++ % g.nslots];
                t->state = SLOT_TAKEN;
                pthread_mutex_unlock(&g.lock);
                analyse_slot(&g, t, a[0]);
                pthread_mutex_lock(&g.lock);
                t->state = SLOT_READY;
            } else {
                pthread_cond_wait(&g.cond, &g.lock);
            }
        }
        pthread_mutex_unlock(&g.lock);
        if (sl->rc < 0) {
            r = sl->rc;
            if (err)
                *err = sl->err;
        } else {
            r = recode_document(s, &rc, q_old, q_del, hierarchy,
                                changes != NULL, sl->id, sl->text,
                                sl->nsegs, sl->cods, sl->ncods, err);
        }
        pthread_mutex_lock(&g.lock);
        sl->state = SLOT_EMPTY;
        g.inflight -= sl->len;
        g.napplied++;
        pthread_mutex_unlock(&g.lock);
        if (progress)
            progress(g.napplied, (size_t)total, payload);
    }
    if (started) {
        pthread_mutex_lock(&g.lock);
        g.stop = true;
        pthread_cond_broadcast(&g.cond);
        pthread_mutex_unlock(&g.lock);
        for (size_t i = 0; i < nworkers; i++)
            pthread_join(workers[i].tid, NULL);
        pthread_mutex_destroy(&g.lock);
        pthread_cond_destroy(&g.cond);
    }
    if (g.slots)
        free_slots(&g);
    free(workers);
    sqlite3_finalize(st);
    sqlite3_finalize(q_old);
    sqlite3_finalize(q_del);
    if (r == 0 && changes)
        r = send_changes(s, &rc, changes, payload, err);
    recoder_free(&rc);
    return r;
}

int grille_store_recode_jobs(grille_store *s, grille_analyser *const *a,
                             size_t nanalysers, const grille_codebook *cb,
                             const char *yaml, size_t len,
                             const char *source,
                             void (*progress)(size_t, size_t, void *),
                             grille_recode_cb changes, void *payload,
                             grille_error *err)
{
    /* the text stored must be the codebook's own: another would be read
     * back as the project's codebook, its codings made by cb */
    char sha[65];
    grille__sha256_hex(yaml ? yaml : "", yaml ? len : 0, sha);
    if (strcmp(sha, grille_codebook_sha256(cb)) != 0)
        return grille__error(err, GRILLE_EINVALID, source, 0, 0, "%s",
                             _("the YAML text given is not the text of "
                               "the codebook given (their SHA-256 differ): "
                               "nothing recoded"));
    bool own;
    int r = own_begin(s, &own, err);
    if (r == 0)
        r = recode_jobs(s, a, nanalysers, cb, yaml, len, source, progress,
                        changes, payload, err);
    return own_end(s, own, r, err);
}

/* --------------------------------------------------------------- quotes */

/* The subtree of a code, and its coded segments: see foreach_quote. */
#define QUOTE_SUB_CTE                                                        \
    "WITH RECURSIVE sub(id) AS (SELECT id FROM codes WHERE code = ?1 "      \
    "UNION SELECT k.id FROM codes k JOIN sub ON k.parent = sub.id)"
#define QUOTE_CODINGS(order)                                                 \
    QUOTE_SUB_CTE                                                            \
    " SELECT c.segment, grille_fold(c.term), g.document, g.idx, g.line, "   \
    "g.start, g.\"end\", c.start FROM codings c CROSS JOIN segments g ON "  \
    "g.id = c.segment "                                                      \
    "WHERE c.code IN (SELECT id FROM sub) " order
#define QUOTE_HITS                                                           \
    QUOTE_SUB_CTE ", "                                                       \
    "hit AS (SELECT c.segment, count(*) AS hits, "                          \
    "count(DISTINCT grille_fold(c.term)) AS terms, min(c.start) AS first "  \
    "FROM codings c "                                                        \
    "WHERE c.code IN (SELECT id FROM sub) GROUP BY c.segment) "

typedef struct ranked {
    int64_t document, segment_id;
    const char *name;
    size_t idx, start, end, hits, terms;
    size_t first; /* the start of its first coding of the code */
    unsigned line;
} ranked;

/* The order of the quotes, as the SQL of foreach_quote with its texts:
 * most hits, a readable length (40 bytes or more, then longer up to
 * 250), most distinct terms, then the document's name and the position. */
static int by_quote_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->hits != y->hits)
        return x->hits > y->hits ? -1 : 1;
    size_t lx = x->end > x->start ? x->end - x->start : 0;
    size_t ly = y->end > y->start ? y->end - y->start : 0;
    if ((lx >= 40) != (ly >= 40))
        return lx >= 40 ? -1 : 1;
    lx = lx < 250 ? lx : 250;
    ly = ly < 250 ? ly : 250;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    if (x->terms != y->terms)
        return x->terms > y->terms ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    if (x->idx != y->idx)
        return x->idx < y->idx ? -1 : 1;
    /* two documents of one name: only in a file edited by hand */
    return (x->document > y->document) - (x->document < y->document);
}

/* The codings of one segment while they are read: their count, and
 * their terms (folded: grille_fold in SQL) to count the distinct
 * ones when the segment is complete. */
typedef struct term_span {
    size_t off, len;
    const char *p; /* set once the segment is complete */
} term_span;

typedef struct seg_run {
    ranked x;
    gbuf terms;
    term_span *spans;
    size_t nspans, spans_cap;
} seg_run;

static int run_term(seg_run *run, const char *t, size_t len)
{
    if (!t)
        return 0; /* a hit; count(DISTINCT) leaves NULLs out */
    if (GROW(run->spans, run->spans_cap, run->nspans + 1) < 0 ||
        gbuf_put(&run->terms, t, len) < 0)
        return GRILLE_ENOMEM;
    run->spans[run->nspans++] = (term_span){run->terms.len - len, len, NULL};
    return 0;
}

static int cmp_span(const term_span *x, const term_span *y)
{
    size_t m = x->len < y->len ? x->len : y->len;
    int c = m ? memcmp(x->p, y->p, m) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int by_span(const void *a, const void *b)
{
    return cmp_span(a, b);
}

/* Counts the distinct terms of the segment read into x.terms. */
static void run_end(seg_run *run)
{
    size_t n = run->nspans, distinct = 0;
    term_span *v = run->spans;
    for (size_t i = 0; i < n; i++)
        v[i].p = run->terms.data + v[i].off;
    if (n <= 16) {
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < i && cmp_span(&v[j], &v[i]))
                j++;
            distinct += j == i;
        }
    } else {
        /* a segment of many codings (a line of a thousand coded words) */
        qsort(v, n, sizeof(*v), by_span);
        for (size_t i = 0; i < n; i++)
            distinct += !i || cmp_span(&v[i - 1], &v[i]) != 0;
    }
    run->x.terms = distinct;
}

/* foreach_quote without the texts, ranked here rather than by SQLite: its
 * ORDER BY joined every coded segment to its document's row for the
 * name, and sorted them on it (most of 13 s for a theme of 2.3 million
 * segments at 1 GB).  The names are read once from their index.  With
 * `keep`, only the best `keep` of each document are kept as the rows
 * come: the memory grows with the documents, not with the segments. */
static int foreach_ranked(grille_store *s, const char *code, size_t keep,
                          grille_quote_cb cb, void *payload, size_t *total,
                          grille_error *err)
{
    sqlite3_stmt *st;
    size_t nids;
    /* the names and the segments from one snapshot */
    int rc = sqlite3_exec(s->db, "SAVEPOINT ranked", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = grille__id_count(s->db, "documents", &nids);
    if (rc != SQLITE_OK) {
        sqlite3_exec(s->db, "RELEASE ranked", NULL, NULL, NULL);
        return store_error(s, err, rc, "read quotes");
    }
    char **names = calloc(nids + 1, sizeof(*names));
    /* with keep: a document's best while they are read */
    grille__heap *best = keep ? calloc(nids + 1, sizeof(*best)) : NULL;
    ranked *v = NULL;
    size_t n = 0, cap = 0, seen = 0;
    int r = names && (best || !keep)
                ? prepare(s, "SELECT id, name FROM documents", &st, err)
                : grille__nomem(err);
    if (r == 0) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            const char *name = col_text(st, 1);
            if (id >= 0 && (size_t)id < nids &&
                !(names[id] = grille__strndup(name, strlen(name)))) {
                rc = SQLITE_NOMEM;
                break;
            }
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            r = store_error(s, err, rc, "read quotes");
    }
    /* Every coding of the code's subtree with its segment, in the order
     * of their ids: a coding's id is its segment's shifted (the CHECK of
     * the table, since schema 4), so each segment's codings come together
     * and are
     * counted here, in one pass, with no sort nor temporary table (the
     * GROUP BY of foreach_quote kept them all in memory: 170 MB of 400
     * for a theme of 2.3 million segments). */
    if (r == 0)
        r = prepare(s,
                    grille_store__coding_ranges(s)
                        ? QUOTE_CODINGS("ORDER BY c.id")
                        /* an older project read as it is: its codings
                         * numbered in the order they came, sorted */
                        : QUOTE_CODINGS("ORDER BY c.segment, c.id"),
                    &st, err);
    if (r == 0) {
        seg_run run = {0};
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        for (;;) {
            rc = sqlite3_step(st);
            int64_t sid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
            if (run.x.hits && (rc != SQLITE_ROW || sid != run.x.segment_id)) {
                /* the segment before is complete */
                run_end(&run);
                seen++;
                if (keep ? grille__heap_offer(&best[run.x.document], keep,
                                              sizeof(run.x), &run.x,
                                              by_quote_rank) < 0
                         : GROW(v, cap, n + 1) < 0) {
                    r = grille__nomem(err);
                    break;
                }
                if (!keep)
                    v[n++] = run.x;
                run.x.hits = 0;
            }
            if (rc != SQLITE_ROW)
                break;
            int64_t doc = sqlite3_column_int64(st, 2);
            if (doc < 0 || (size_t)doc >= nids || !names[doc])
                continue; /* a segment without its document (by hand) */
            if (!run.x.hits &&
                (r = grille_store__bad_span(s, err, false, sid,
                                            sqlite3_column_int64(st, 5),
                                            sqlite3_column_int64(st, 6),
                                            sqlite3_column_int64(st, 4), -1)) <
                    0)
                break;
            if (!run.x.hits) {
                run.x = (ranked){
                    .document = doc,
                    .segment_id = sid,
                    .name = names[doc],
                    .idx = col_size(st, 3),
                    .line = (unsigned)sqlite3_column_int(st, 4),
                    .start = col_size(st, 5),
                    .end = col_size(st, 6),
                    .first = SIZE_MAX,
                };
                run.terms.len = run.nspans = 0;
            }
            run.x.hits++;
            size_t cs = col_size(st, 7);
            if (cs < run.x.first)
                run.x.first = cs;
            if (run_term(&run, (const char *)sqlite3_column_text(st, 1),
                         (size_t)sqlite3_column_bytes(st, 1)) < 0) {
                r = grille__nomem(err);
                break;
            }
        }
        free(run.terms.data);
        free(run.spans);
        sqlite3_finalize(st);
        if (r == 0 && rc != SQLITE_DONE)
            r = store_error(s, err, rc, "read quotes");
    }
    sqlite3_exec(s->db, "RELEASE ranked", NULL, NULL, NULL);
    if (best) {
        /* the documents' best, together */
        size_t all = 0;
        for (size_t d = 0; d < nids; d++)
            all += best[d].n;
        if (r == 0 && !(v = malloc((all + 1) * sizeof(*v))))
            r = grille__nomem(err);
        for (size_t d = 0; d < nids; d++) {
            if (r == 0 && best[d].n)
                memcpy(v + n, best[d].v, best[d].n * sizeof(*v));
            n += r == 0 ? best[d].n : 0;
            free(best[d].v);
        }
        free(best);
    }
    if (total)
        *total = seen;
    if (r == 0 && n > 1)
        qsort(v, n, sizeof(*v), by_quote_rank);
    for (size_t i = 0; r == 0 && i < n; i++) {
        grille_quote_info q = {
            .document = v[i].document,
            .document_name = v[i].name,
            .segment_id = v[i].segment_id,
            .segment = v[i].idx,
            .line = v[i].line,
            .start = v[i].start,
            .end = v[i].end,
            .len = v[i].end > v[i].start ? v[i].end - v[i].start : 0,
            .hits = v[i].hits,
            .terms = v[i].terms,
            .hit = v[i].first >= v[i].start && v[i].first <= v[i].end
                       ? v[i].first - v[i].start
                       : 0,
        };
        r = cb(&q, payload);
    }
    free(v);
    for (size_t i = 0; names && i < nids; i++)
        free(names[i]);
    free(names);
    return r;
}

/* The length of document id's text, for a message; -1 when unknown. */
static int64_t text_size(grille_store *s, int64_t id)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT length(CAST(text AS BLOB)) FROM documents "
                           "WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int foreach_quote(grille_store *s, const char *code, bool texts,
                         size_t keep, grille_quote_cb cb, void *payload,
                         size_t *total, grille_error *err)
{
    sqlite3_stmt *st;
    int r = prepare(s, "SELECT id FROM codes WHERE code = ?1", &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        /* a sub-theme named by its last part: "protection" */
        char near[256] = "";
        if (prepare(s,
                    "SELECT code FROM codes WHERE substr(code, -length(?1) - "
                    "1) = '/' || ?1 ORDER BY length(code), code LIMIT 1",
                    &st, NULL) == 0) {
            sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                snprintf(near, sizeof(near), "%s",
                         (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
        if (*near)
            return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                                 _("no code '%s' in the project: a "
                                   "sub-theme is named by its path, '%s'"),
                                 code, near);
        return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                             _("no code '%s' in the project"), code);
    }
    if (rc != SQLITE_ROW)
        return store_error(s, err, rc, "read the codes");
    if (!texts)
        return foreach_ranked(s, code, keep, cb, payload, total, err);
    r = prepare(
        s,
        QUOTE_HITS
        "SELECT g.document, d.name, g.id, g.idx, g.line, g.start, g.\"end\", "
        "substr(CAST(d.text AS BLOB), g.start + 1, g.\"end\" - g.start + 1), "
        "hit.hits, hit.terms, hit.first FROM hit JOIN segments g ON "
        "g.id = hit.segment "
        "JOIN documents d ON d.id = g.document "
        "ORDER BY hit.hits DESC, g.\"end\" - g.start >= 40 DESC, "
        "min(g.\"end\" - g.start, 250) DESC, hit.terms DESC, d.name, g.idx",
        &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* the segment's bytes and the one after them: fewer when the
         * text ends before the segment (checked as segment_text does) */
        int64_t g0 = sqlite3_column_int64(st, 5), g1 = sqlite3_column_int64(st, 6);
        const char *b = sqlite3_column_blob(st, 7);
        size_t got = (size_t)sqlite3_column_bytes(st, 7);
        size_t n = g1 >= g0 ? (size_t)(g1 - g0) : 0;
        if ((r = grille_store__bad_span(
                 s, err, false, sqlite3_column_int64(st, 2), g0, g1,
                 sqlite3_column_int64(st, 4),
                 g1 >= g0 && got < n
                     ? text_size(s, sqlite3_column_int64(st, 0))
                     : -1)) < 0 ||
            (r = grille_store__cut_char(s, err, sqlite3_column_int64(st, 2),
                                        b, n, got > n ? b + n : NULL, g0)) <
                0 ||
            (r = grille_store__bad_text(s, err, sqlite3_column_int64(st, 0),
                                        col_text(st, 1), b, n, (size_t)g0)) <
                0) {
            sqlite3_finalize(st);
            return r;
        }
        grille_quote_info q = {
            .document = sqlite3_column_int64(st, 0),
            .document_name = col_text(st, 1),
            .segment_id = sqlite3_column_int64(st, 2),
            .segment = col_size(st, 3),
            .line = (unsigned)sqlite3_column_int(st, 4),
            .start = col_size(st, 5),
            .end = col_size(st, 6),
            .text = b,
            .len = n,
            .hits = col_size(st, 8),
            .terms = col_size(st, 9),
        };
        size_t first = col_size(st, 10);
        q.hit = first >= q.start && first <= q.end ? first - q.start : 0;
        if (!q.text)
            q.text = "";
        int stop = cb(&q, payload);
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_error(s, err, rc, "read quotes");
}

int grille_store_foreach_quote(grille_store *s, const char *code,
                               grille_quote_cb cb, void *payload,
                               grille_error *err)
{
    return foreach_quote(s, code, true, 0, cb, payload, NULL, err);
}

int grille_store_foreach_quote_ranked(grille_store *s, const char *code,
                                      grille_quote_cb cb, void *payload,
                                      grille_error *err)
{
    return foreach_quote(s, code, false, 0, cb, payload, NULL, err);
}

int grille_store_foreach_best_quote(grille_store *s, const char *code,
                                    size_t per_document, grille_quote_cb cb,
                                    void *payload, size_t *total,
                                    grille_error *err)
{
    return foreach_quote(s, code, false, per_document, cb, payload, total,
                         err);
}

/* What the step of a query on segment `id` says: 0 for its row. */
static int segment_step(grille_store *s, int rc, int64_t id,
                        grille_error *err)
{
    if (rc == SQLITE_DONE)
        return grille__error(err, GRILLE_ENOTFOUND, s->path, 0, 0,
                             _("no segment #%lld in the project"),
                             (long long)id);
    return rc == SQLITE_ROW ? 0 : store_error(s, err, rc, "read a segment");
}

int grille_store_segment_speaker(grille_store *s, int64_t segment_id,
                                 char **speaker, grille_error *err)
{
    sqlite3_stmt *st;
    *speaker = NULL;
    if (!s)
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             _("no project"));
    int rc;
    if (!(st = stmt(s, Q_SEG_SPEAKER, &rc)))
        return store_error(s, err, rc, "read a segment");
    sqlite3_bind_int64(st, 1, segment_id);
    rc = sqlite3_step(st);
    bool nomem = false;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && *t && !(*speaker = strdup(t)))
            nomem = true;
    }
    sqlite3_reset(st);
    int r = segment_step(s, rc, segment_id, err);
    return r < 0 ? r : nomem ? grille__nomem(err) : 0;
}

int grille_store_segment_text(grille_store *s, int64_t segment_id,
                              char **text, size_t *len, grille_error *err)
{
    sqlite3_stmt *st;
    *text = NULL;
    *len = 0;
    /* the segment's bytes and the one after them (to see that it ends a
     * character), in one read of the text */
    int r = prepare(s,
                    "SELECT substr(CAST(d.text AS BLOB), g.start + 1, "
                    "g.\"end\" - g.start + 1), g.start, g.\"end\", g.line, "
                    "d.id, d.name FROM segments g JOIN documents d ON d.id = "
                    "g.document WHERE g.id = ?1",
                    &st, err);
    if (r < 0)
        return r;
    sqlite3_bind_int64(st, 1, segment_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(st, 0);
        size_t got = (size_t)sqlite3_column_bytes(st, 0);
        int64_t g0 = sqlite3_column_int64(st, 1), g1 = sqlite3_column_int64(st, 2);
        int64_t doc = sqlite3_column_int64(st, 4);
        r = grille_store__bad_span(s, err, false, segment_id, g0, g1,
                                   sqlite3_column_int64(st, 3), -1);
        size_t n = r == 0 ? (size_t)(g1 - g0) : 0;
        if (r == 0 && got < n) /* the text ends before the segment */
            r = grille_store__bad_span(s, err, false, segment_id, g0, g1,
                                       sqlite3_column_int64(st, 3),
                                       text_size(s, doc));
        if (r == 0)
            r = grille_store__cut_char(s, err, segment_id, b, n,
                                       got > n ? b + n : NULL, g0);
        if (r == 0)
            r = grille_store__bad_text(s, err, doc, col_text(st, 5),
                                       (const char *)b, n, (size_t)g0);
        if (r == 0 && (*text = malloc(n + 1))) {
            if (n)
                memcpy(*text, b, n);
            (*text)[n] = '\0';
            *len = n;
        }
        if (r < 0) {
            sqlite3_finalize(st);
            return r;
        }
    }
    sqlite3_finalize(st);
    r = segment_step(s, rc, segment_id, err);
    return r < 0 ? r : *text ? 0 : grille__nomem(err);
}
