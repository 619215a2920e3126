/*
 * terms.c - the project's term counts (table term_stats), so that the
 * report's top terms read a row per code and term rather than every
 * coding (1.6 million codings, under 1,000 distinct terms, for 100 MB of
 * notes).
 *
 * A row holds a code (the one coded, not its ancestors: the report rolls
 * them up with the hierarchy it reads), a term exactly as coded, the
 * number of codings with both, and the earliest of these codings in the
 * report's order: by segment id, then coding id.  The report shows, for
 * each folded term, the form of its earliest coding.
 *
 * The writers (add, recode, remove, import) note every coding they write
 * or are about to delete in a map held for the transaction; the commit
 * flushes it: counts are added to the stored ones, a row falls at zero,
 * and the earliest coding is the stored one or an added one, whichever
 * comes first.  When the stored earliest was deleted, one pass over the
 * codings in order finds the new earliest of every such row at once, and
 * stops when it has found them all.  A flush is all or nothing: inside a
 * savepoint, and the map is forgotten only once it is written.
 */
#include "terms.h"

#include "codebook.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    int64_t code;
    char *term;
    size_t len;
    uint64_t hash;
    int64_t delta;       /* added minus deleted */
    int64_t seg, coding; /* the earliest added (INT64_MAX: none) */
    bool removed;        /* codings deleted: the stored earliest may be */
    /* a flush's results, kept apart until it succeeds: a failed flush
     * leaves the changes as they were, to be flushed again */
    int64_t hits, first_seg, first_coding;
    bool recount; /* the flush looks for the earliest in the codings */
} entry;

struct grille_terms {
    entry *v;
    size_t n, cap;
    size_t *slots; /* entry + 1, 0 for free */
    size_t nslots;
};

int grille__terms_new(grille_terms **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? SQLITE_OK : SQLITE_NOMEM;
}

void grille__terms_clear(grille_terms *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].term);
    t->n = 0;
    if (t->slots)
        memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

void grille__terms_free(grille_terms *t)
{
    if (!t)
        return;
    grille__terms_clear(t);
    free(t->v);
    free(t->slots);
    free(t);
}

bool grille__terms_pending(const grille_terms *t)
{
    return t && t->n > 0;
}

static uint64_t key_hash(int64_t code, const char *term, size_t len)
{
    return grille__hash(term, len) ^
           ((uint64_t)code * 0x9E3779B97F4A7C15ULL);
}

static bool earlier(int64_t seg, int64_t coding, int64_t seg2,
                    int64_t coding2)
{
    return seg < seg2 || (seg == seg2 && coding < coding2);
}

/* The entry of (code, term), or NULL when there is none and !create. */
static entry *lookup(grille_terms *t, int64_t code, const char *term,
                     size_t len, bool create, int *rc)
{
    *rc = SQLITE_OK;
    uint64_t h = key_hash(code, term, len);
    if (t->nslots) {
        size_t mask = t->nslots - 1;
        for (size_t j = h & mask; t->slots[j]; j = (j + 1) & mask) {
            entry *e = &t->v[t->slots[j] - 1];
            if (e->hash == h && e->code == code && e->len == len &&
                memcmp(e->term, term, len) == 0)
                return e;
        }
    }
    if (!create)
        return NULL;
    if (grille__slots_fit(&t->slots, &t->nslots, t->n, t->v, sizeof(*t->v),
                          offsetof(entry, hash), 64) < 0) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    char *copy = grille__strndup(term, len);
    if (!copy || GROW(t->v, t->cap, t->n + 1) < 0) {
        free(copy);
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    entry *e = &t->v[t->n];
    memset(e, 0, sizeof(*e));
    e->code = code;
    e->term = copy;
    e->len = len;
    e->hash = h;
    e->seg = e->coding = INT64_MAX;
    size_t j = h & (t->nslots - 1);
    while (t->slots[j])
        j = (j + 1) & (t->nslots - 1);
    t->slots[j] = ++t->n;
    return e;
}

int grille__terms_added(grille_terms *t, int64_t code, const char *term,
                        size_t len, int64_t segment, int64_t coding)
{
    int rc;
    entry *e = lookup(t, code, term, len, true, &rc);
    if (!e)
        return rc;
    e->delta++;
    if (earlier(segment, coding, e->seg, e->coding)) {
        e->seg = segment;
        e->coding = coding;
    }
    return SQLITE_OK;
}

int grille__terms_removing(grille_terms *t, sqlite3_stmt *select)
{
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(select, 1);
        size_t len = (size_t)sqlite3_column_bytes(select, 1);
        entry *e = lookup(t, sqlite3_column_int64(select, 0),
                          term ? term : "", term ? len : 0, true, &rc);
        if (!e)
            break;
        e->delta--;
        e->removed = true;
    }
    sqlite3_reset(select);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Binds (code, term) of e to parameters 1 and 2 of st. */
static void bind_key(sqlite3_stmt *st, const entry *e)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, e->code);
    sqlite3_bind_text(st, 2, e->term, (int)e->len, SQLITE_STATIC);
}

/* Whether the stored earliest coding (seg, coding) of e is still there:
 * ids can be used again, so its segment, code and term must be too. */
static int still_there(sqlite3_stmt *st, const entry *e, int64_t seg,
                       int64_t coding, bool *there)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, coding);
    sqlite3_bind_int64(st, 2, seg);
    sqlite3_bind_int64(st, 3, e->code);
    sqlite3_bind_text(st, 4, e->term, (int)e->len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *there = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The earliest coding of every entry marked recount, by one pass over the
 * codings in the report's order; an entry with none is left at
 * INT64_MAX. */
static int find_earliest(grille_terms *t, sqlite3 *db, size_t wanted)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
                                /* by segment, then id: by id
                                 * (CODING_SHIFT) */
                                "SELECT segment, id, code, term FROM codings "
                                "ORDER BY id",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && wanted && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *term = (const char *)sqlite3_column_text(st, 3);
        entry *e = lookup(t, sqlite3_column_int64(st, 2), term ? term : "",
                          term ? (size_t)sqlite3_column_bytes(st, 3) : 0,
                          false, &rc);
        if (e && e->recount && e->first_seg == INT64_MAX) {
            e->first_seg = sqlite3_column_int64(st, 0);
            e->first_coding = sqlite3_column_int64(st, 1);
            wanted--;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int grille__terms_flush(grille_terms *t, sqlite3 *db)
{
    if (!grille__terms_pending(t))
        return SQLITE_OK;
    static const char *const sql[] = {
        "SELECT hits, first_segment, first_coding FROM term_stats WHERE "
        "code = ?1 AND term = ?2",
        "SELECT 1 FROM codings WHERE id = ?1 AND segment = ?2 AND code = ?3 "
        "AND term = ?4",
        "INSERT OR REPLACE INTO term_stats (code, term, hits, first_segment, "
        "first_coding) VALUES (?1, ?2, ?3, ?4, ?5)",
        "DELETE FROM term_stats WHERE code = ?1 AND term = ?2"};
    sqlite3_stmt *q[4] = {NULL, NULL, NULL, NULL};
    int rc = sqlite3_exec(db, "SAVEPOINT terms", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    for (size_t i = 0; i < 4 && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v2(db, sql[i], -1, &q[i], NULL);
    sqlite3_stmt *get = q[0], *there = q[1], *put = q[2], *del = q[3];
    size_t recount = 0;
    for (size_t i = 0; i < t->n && rc == SQLITE_OK; i++) {
        entry *e = &t->v[i];
        bind_key(get, e);
        rc = sqlite3_step(get);
        bool stored = rc == SQLITE_ROW;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            break;
        rc = SQLITE_OK;
        int64_t seg = INT64_MAX, coding = INT64_MAX;
        e->hits = e->delta;
        if (stored) {
            e->hits += sqlite3_column_int64(get, 0);
            seg = sqlite3_column_int64(get, 1);
            coding = sqlite3_column_int64(get, 2);
        }
        sqlite3_reset(get);
        e->first_seg = e->seg;
        e->first_coding = e->coding;
        e->recount = false;
        if (e->hits <= 0)
            continue; /* the row goes */
        bool valid = stored;
        if (stored && e->removed)
            rc = still_there(there, e, seg, coding, &valid);
        if (valid) {
            if (earlier(seg, coding, e->seg, e->coding)) {
                e->first_seg = seg;
                e->first_coding = coding;
            }
        } else if (stored || e->removed || e->seg == INT64_MAX) {
            /* the earliest is gone, or the row was not as counted: the
             * codings say which is the earliest now */
            e->recount = true;
            e->first_seg = e->first_coding = INT64_MAX;
            recount++;
        }
    }
    if (rc == SQLITE_OK && recount)
        rc = find_earliest(t, db, recount);
    for (size_t i = 0; i < t->n && rc == SQLITE_OK; i++) {
        entry *e = &t->v[i];
        /* no coding has it: none left, or none found after all */
        if (e->hits <= 0 || e->first_seg == INT64_MAX) {
            bind_key(del, e);
            rc = sqlite3_step(del);
        } else {
            bind_key(put, e);
            sqlite3_bind_int64(put, 3, e->hits);
            sqlite3_bind_int64(put, 4, e->first_seg);
            sqlite3_bind_int64(put, 5, e->first_coding);
            rc = sqlite3_step(put);
        }
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    for (size_t i = 0; i < 4; i++)
        sqlite3_finalize(q[i]);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "RELEASE terms", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        grille__terms_clear(t);
        return SQLITE_OK;
    }
    sqlite3_exec(db, "ROLLBACK TO terms; RELEASE terms", NULL, NULL, NULL);
    return rc;
}

int grille__terms_rebuild(sqlite3 *db)
{
    grille_terms *t;
    sqlite3_stmt *st = NULL;
    int rc = grille__terms_new(&t);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "DELETE FROM term_stats", NULL, NULL, NULL);
    /* the codings of segments that are there, as the report counted them
     * before term_stats */
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "SELECT c.segment, c.id, c.code, c.term FROM "
                                "codings c JOIN segments g ON g.id = "
                                "c.segment",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(st, 3);
        rc = grille__terms_added(
            t, sqlite3_column_int64(st, 2), term ? term : "",
            term ? (size_t)sqlite3_column_bytes(st, 3) : 0,
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        rc = grille__terms_flush(t, db);
    grille__terms_free(t);
    return rc;
}
