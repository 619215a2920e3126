/*
 * stats.c - the per-document aggregates of a project (table doc_stats),
 * written with the codings so that the synthesis commands (cooc, compare)
 * read one small row per document instead of every coding.
 *
 * A document's row holds its segments, coded segments and words, and two
 * blobs of unsigned LEB128 numbers:
 *
 *   cells  n, then n times: code id, segments, hits, best segment id,
 *          hits of the best segment, its length in bytes, and (schema 5)
 *          its start (a byte offset in the document's text), its line,
 *          and where in it the first coding of the code (or of one under
 *          it) starts, from the segment's start
 *          (sorted by code id; the counts of a code include its children
 *          as the report counts them: each coded segment once per code
 *          or ancestor, each coding once per code or ancestor)
 *   pairs  n, then n times: code a, b - a, segments coded with both
 *          (a < b, sorted)
 *
 * The best segment is the report's quote: the most hits, then a readable
 * length, the first such in the document's order.  Its start, line and
 * first coding spare the report three seeks per quote it shows (its
 * segment, its codings) of the four it took.  One builder computes
 * both from a stream of codings in segment order, fed from memory by an
 * add or from the project's rows after a recode, an import or an upgrade,
 * so the two cannot disagree.
 */
#include "stats.h"
#include "store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Codes (ids) up to which a document's pairs are counted in a square
 * table rather than listed and sorted: the sort was a tenth of the work
 * of add's writing thread. */
#define PAIRS_DENSE 256

size_t grille_quote_score(size_t hits, size_t len)
{
    if (!hits)
        return 0;
    /* past SIZE_MAX / 1000 hits (no segment holds as many), the most */
    if (hits > (SIZE_MAX - 750) / 1000)
        return SIZE_MAX;
    return hits * 1000 + (len >= 40 ? 500 : 0) + (len < 250 ? len : 250);
}

typedef struct cell {
    size_t segments, hits;
    int64_t best;
    size_t best_hits, best_len;
    size_t best_start, best_line, best_hit;
} cell;

typedef struct pair {
    int64_t a, b;
} pair;

struct grille_stats {
    sqlite3 *db;
    sqlite3_stmt *q_counts, *q_codings, *q_store;
    int64_t *parent; /* code id -> parent id, -1 for none */
    size_t nparent;
    /* the current segment */
    int64_t seg;
    size_t seg_start, seg_len, seg_line;
    size_t *hits;    /* per code id */
    size_t *first;   /* per code id: its first coding's start, or SIZE_MAX */
    int64_t *touched;
    size_t ntouched;
    /* the current document */
    cell *cells;     /* per code id */
    int64_t *used;   /* code ids with a cell */
    size_t nused;
    pair *pairs;
    size_t npairs, cap_pairs;
    /* with PAIRS_DENSE codes or fewer, the pairs are counted in place:
     * [a * nparent + b], zero again once written out */
    uint32_t *pair_count;
    bool pairs_dirty; /* counts not written out (a document not ended) */
    size_t coded;
    gbuf out_cells, out_pairs;
};

void grille__stats_free(grille_stats *b)
{
    if (!b)
        return;
    sqlite3_finalize(b->q_counts);
    sqlite3_finalize(b->q_codings);
    sqlite3_finalize(b->q_store);
    free(b->parent);
    free(b->hits);
    free(b->first);
    free(b->touched);
    free(b->cells);
    free(b->used);
    free(b->pairs);
    free(b->pair_count);
    gbuf_free(&b->out_cells);
    gbuf_free(&b->out_pairs);
    free(b);
}

/* The parent of every code, read again: codes come with a codebook or an
 * import. */
int grille__id_count(sqlite3 *db, const char *table, size_t *count)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT max(id) FROM %s", table);
    sqlite3_stmt *st = NULL;
    int64_t max = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        max = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    *count = (size_t)(max < 0 ? 0 : max) + 1;
    return rc;
}

int grille__parents(sqlite3 *db, int64_t **out, size_t *count)
{
    sqlite3_stmt *st = NULL;
    size_t n;
    int rc = grille__id_count(db, "codes", &n);
    if (rc != SQLITE_OK)
        return rc;
    int64_t *parent = malloc(n * sizeof(*parent));
    if (!parent)
        return SQLITE_NOMEM;
    for (size_t i = 0; i < n; i++)
        parent[i] = -1;
    rc = sqlite3_prepare_v2(db, "SELECT id, parent FROM codes", -1, &st,
                            NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t p = sqlite3_column_type(st, 1) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(st, 1);
        if (id >= 0 && (size_t)id < n && p >= 0 && (size_t)p < n && p != id)
            parent[id] = p;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        free(parent);
        return rc;
    }
    *out = parent;
    *count = n;
    return SQLITE_OK;
}

int grille__stats_codes(grille_stats *b)
{
    int64_t *parent;
    size_t n;
    int rc = grille__parents(b->db, &parent, &n);
    if (rc != SQLITE_OK)
        return rc;
    if (n > b->nparent) {
        size_t *hits = calloc(n, sizeof(*hits));
        size_t *first = malloc(n * sizeof(*first));
        int64_t *touched = malloc(n * sizeof(*touched));
        cell *cells = calloc(n, sizeof(*cells));
        int64_t *used = malloc(n * sizeof(*used));
        if (!hits || !first || !touched || !cells || !used) {
            free(parent);
            free(hits);
            free(first);
            free(touched);
            free(cells);
            free(used);
            return SQLITE_NOMEM;
        }
        for (size_t i = 0; i < n; i++)
            first[i] = SIZE_MAX;
        free(b->hits);
        free(b->first);
        free(b->touched);
        free(b->cells);
        free(b->used);
        b->hits = hits;
        b->first = first;
        b->touched = touched;
        b->cells = cells;
        b->used = used;
        b->nparent = n;
        b->nused = b->ntouched = 0;
    }
    /* without room for the table, the pairs are listed and sorted */
    free(b->pair_count);
    b->pair_count = b->nparent <= PAIRS_DENSE
                        ? calloc(b->nparent * b->nparent + 1, sizeof(uint32_t))
                        : NULL;
    b->pairs_dirty = false;
    /* the arrays keep their larger size; the ids past n have no parent */
    free(b->parent);
    b->parent = realloc(parent, b->nparent * sizeof(*parent));
    if (!b->parent) {
        b->parent = parent;
        b->nparent = n;
        return SQLITE_OK;
    }
    for (size_t i = n; i < b->nparent; i++)
        b->parent[i] = -1;
    return SQLITE_OK;
}

int grille__stats_new(grille_stats **out, sqlite3 *db)
{
    grille_stats *b = calloc(1, sizeof(*b));
    *out = NULL;
    if (!b)
        return SQLITE_NOMEM;
    b->db = db;
    b->seg = -1;
    int rc = sqlite3_prepare_v3(
        db,
        "SELECT (SELECT count(*) FROM segments WHERE document = ?1), "
        "(SELECT words FROM documents WHERE id = ?1)",
        -1, SQLITE_PREPARE_PERSISTENT, &b->q_counts, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(db,
                                /* by id: by segment (CODING_SHIFT) */
                                "SELECT c.segment, g.start, g.\"end\" - "
                                "g.start, g.line, c.code, c.start FROM "
                                "codings c JOIN segments g ON "
                                "g.id = c.segment WHERE "
                                SQL_DOCUMENT_CODINGS("c.", "?1")
                                " ORDER BY c.id",
                                -1, SQLITE_PREPARE_PERSISTENT, &b->q_codings,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(db,
                                "INSERT OR REPLACE INTO doc_stats (document, "
                                "segments, coded, words, cells, pairs) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                -1, SQLITE_PREPARE_PERSISTENT, &b->q_store,
                                NULL);
    if (rc == SQLITE_OK)
        rc = grille__stats_codes(b);
    if (rc != SQLITE_OK) {
        grille__stats_free(b);
        return rc;
    }
    *out = b;
    return SQLITE_OK;
}

void grille__stats_begin(grille_stats *b)
{
    /* the pairs counted have both codes among the cells' */
    for (size_t i = 0; b->pairs_dirty && i < b->nused; i++)
        for (size_t j = 0; j < b->nused; j++)
            b->pair_count[(size_t)b->used[i] * b->nparent +
                          (size_t)b->used[j]] = 0;
    b->pairs_dirty = false;
    for (size_t i = 0; i < b->nused; i++)
        memset(&b->cells[b->used[i]], 0, sizeof(cell));
    /* a segment left unflushed (a document given up) */
    for (size_t i = 0; i < b->ntouched; i++) {
        b->hits[b->touched[i]] = 0;
        b->first[b->touched[i]] = SIZE_MAX;
    }
    b->ntouched = 0;
    b->nused = 0;
    b->npairs = 0;
    b->coded = 0;
    b->seg = -1;
}

static int by_pair(const void *x, const void *y)
{
    const pair *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static int by_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The segment's codes into the document's cells and pairs. */
static int flush(grille_stats *b)
{
    if (b->seg < 0 || !b->ntouched)
        return 0;
    b->coded++;
    for (size_t i = 0; i < b->ntouched; i++) {
        int64_t c = b->touched[i];
        cell *k = &b->cells[c];
        if (!k->segments && !k->hits)
            b->used[b->nused++] = c;
        size_t h = b->hits[c];
        k->segments++;
        k->hits += h;
        if (grille_quote_score(h, b->seg_len) >
            grille_quote_score(k->best_hits, k->best_len)) {
            size_t at = b->first[c] - b->seg_start; /* first >= start */
            k->best = b->seg;
            k->best_hits = h;
            k->best_len = b->seg_len;
            k->best_start = b->seg_start;
            k->best_line = b->seg_line;
            k->best_hit = b->first[c] != SIZE_MAX && at < UINT_MAX ? at : 0;
        }
    }
    for (size_t i = 0; i < b->ntouched; i++)
        b->first[b->touched[i]] = SIZE_MAX;
    if (b->pair_count) {
        for (size_t i = 0; i < b->ntouched; i++)
            for (size_t j = 0; j < b->ntouched; j++)
                if (b->touched[i] < b->touched[j])
                    b->pair_count[(size_t)b->touched[i] * b->nparent +
                                  (size_t)b->touched[j]]++;
        b->pairs_dirty = true;
        for (size_t i = 0; i < b->ntouched; i++)
            b->hits[b->touched[i]] = 0;
        b->ntouched = 0;
        return 0;
    }
    size_t n = b->ntouched * (b->ntouched - 1) / 2;
    if (b->npairs + n > b->cap_pairs) {
        size_t cap = b->cap_pairs ? b->cap_pairs : 256;
        while (cap < b->npairs + n)
            cap *= 2;
        pair *v = realloc(b->pairs, cap * sizeof(*v));
        if (!v)
            return SQLITE_NOMEM;
        b->pairs = v;
        b->cap_pairs = cap;
    }
    for (size_t i = 0; i < b->ntouched; i++)
        for (size_t j = 0; j < b->ntouched; j++)
            if (b->touched[i] < b->touched[j])
                b->pairs[b->npairs++] =
                    (pair){b->touched[i], b->touched[j]};
    for (size_t i = 0; i < b->ntouched; i++)
        b->hits[b->touched[i]] = 0;
    b->ntouched = 0;
    return 0;
}

int grille__stats_coding(grille_stats *b, int64_t segment, size_t seg_start,
                         size_t seg_len, size_t seg_line, int64_t code,
                         size_t start)
{
    if (segment != b->seg) {
        int rc = flush(b);
        if (rc)
            return rc;
        b->seg = segment;
        b->seg_start = seg_start;
        b->seg_len = seg_len;
        b->seg_line = seg_line;
    }
    /* a code the codes table does not know counts for nothing, as in
     * the report; a coding before its segment's start (written by hand)
     * is no first coding, as the report's quotes had it */
    bool in = start >= seg_start;
    size_t guard = 0;
    for (int64_t c = code; c >= 0 && (size_t)c < b->nparent &&
                           guard <= b->nparent;
         c = b->parent[c], guard++) {
        if (b->hits[c]++ == 0)
            b->touched[b->ntouched++] = c;
        if (in && start < b->first[c])
            b->first[c] = start;
    }
    return 0;
}

static int put_uv(gbuf *g, uint64_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        unsigned char byte = v & 0x7F;
        v >>= 7;
        tmp[n++] = (char)(byte | (v ? 0x80 : 0));
    } while (v);
    return gbuf_put(g, tmp, n);
}

/* The pairs blob from the square table: every pair of codes with a cell,
 * in order (the cells' codes are sorted), each count zeroed once read. */
static int dense_pairs(grille_stats *b, gbuf *p, int bad, const void **cells,
                       size_t *ncells, const void **pairs, size_t *npairs,
                       size_t *coded)
{
    size_t distinct = 0, np = b->nparent;
    for (size_t i = 0; i < b->nused; i++)
        for (size_t j = i + 1; j < b->nused; j++)
            distinct += b->pair_count[(size_t)b->used[i] * np +
                                      (size_t)b->used[j]] != 0;
    bad = bad || put_uv(p, distinct);
    for (size_t i = 0; i < b->nused; i++) {
        for (size_t j = i + 1; j < b->nused; j++) {
            uint32_t *k = &b->pair_count[(size_t)b->used[i] * np +
                                         (size_t)b->used[j]];
            if (!*k)
                continue;
            bad = bad || put_uv(p, (uint64_t)b->used[i]) ||
                  put_uv(p, (uint64_t)(b->used[j] - b->used[i])) ||
                  put_uv(p, *k);
            *k = 0;
        }
    }
    b->pairs_dirty = false;
    if (bad)
        return SQLITE_NOMEM;
    gbuf *c = &b->out_cells;
    *cells = c->data ? c->data : "";
    *ncells = c->len;
    *pairs = p->data ? p->data : "";
    *npairs = p->len;
    *coded = b->coded;
    return 0;
}

/* The blobs of the document fed since begin (valid until the next
 * begin). */
static int stats_end(grille_stats *b, const void **cells, size_t *ncells,
                      const void **pairs, size_t *npairs, size_t *coded)
{
    if (flush(b))
        return SQLITE_NOMEM;
    b->seg = -1;
    gbuf *c = &b->out_cells, *p = &b->out_pairs;
    c->len = p->len = 0;
    if (b->nused > 16) {
        qsort(b->used, b->nused, sizeof(*b->used), by_id);
    } else {
        for (size_t i = 1; i < b->nused; i++) {
            int64_t v = b->used[i];
            size_t j = i;
            for (; j > 0 && b->used[j - 1] > v; j--)
                b->used[j] = b->used[j - 1];
            b->used[j] = v;
        }
    }
    int bad = put_uv(c, b->nused);
    for (size_t i = 0; i < b->nused && !bad; i++) {
        const cell *k = &b->cells[b->used[i]];
        bad = put_uv(c, (uint64_t)b->used[i]) || put_uv(c, k->segments) ||
              put_uv(c, k->hits) || put_uv(c, (uint64_t)k->best) ||
              put_uv(c, k->best_hits) || put_uv(c, k->best_len) ||
              put_uv(c, k->best_start) || put_uv(c, k->best_line) ||
              put_uv(c, k->best_hit);
    }
    if (b->pair_count)
        return dense_pairs(b, p, bad, cells, ncells, pairs, npairs, coded);
    if (b->npairs)
        qsort(b->pairs, b->npairs, sizeof(pair), by_pair);
    size_t distinct = 0;
    for (size_t i = 0; i < b->npairs; i++)
        distinct += i == 0 || by_pair(&b->pairs[i], &b->pairs[i - 1]) != 0;
    bad = bad || put_uv(p, distinct);
    for (size_t i = 0; i < b->npairs && !bad;) {
        size_t j = i;
        while (j < b->npairs && by_pair(&b->pairs[j], &b->pairs[i]) == 0)
            j++;
        bad = put_uv(p, (uint64_t)b->pairs[i].a) ||
              put_uv(p, (uint64_t)(b->pairs[i].b - b->pairs[i].a)) ||
              put_uv(p, j - i);
        i = j;
    }
    if (bad)
        return SQLITE_NOMEM;
    *cells = c->data ? c->data : "";
    *ncells = c->len;
    *pairs = p->data ? p->data : "";
    *npairs = p->len;
    *coded = b->coded;
    return 0;
}

/* --------------------------------------------------------------- reading */

/* ------------------------------------------------ from the project's rows */

int grille__stats_refresh(grille_stats *b, int64_t doc)
{
    sqlite3_stmt *st = b->q_counts;
    int64_t segs = 0, words = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, doc);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        segs = sqlite3_column_int64(st, 0);
        words = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_OK)
        return rc;
    grille__stats_begin(b);
    st = b->q_codings;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, doc);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 v[6];
        for (int i = 0; i < 6; i++) {
            v[i] = sqlite3_column_int64(st, i);
            if (v[i] < 0 && i != 4)
                v[i] = 0;
        }
        rc = grille__stats_coding(b, v[0], (size_t)v[1], (size_t)v[2],
                                  (size_t)v[3], v[4], (size_t)v[5]);
        if (rc)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rc ? rc : SQLITE_ERROR;
    return grille__stats_store(b, doc, segs < 0 ? 0 : (size_t)segs,
                               words < 0 ? 0 : (size_t)words);
}

int grille__stats_store(grille_stats *b, int64_t doc, size_t segments,
                        size_t words)
{
    const void *cells, *pairs;
    size_t nc, np, coded;
    int rc = stats_end(b, &cells, &nc, &pairs, &np, &coded);
    if (rc)
        return rc;
    sqlite3_stmt *st = b->q_store;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)segments);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)coded);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)words);
    sqlite3_bind_blob(st, 5, cells, (int)nc, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, pairs, (int)np, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int grille__stats_refresh_all(sqlite3 *db)
{
    grille_stats *b;
    int rc = grille__stats_new(&b, db);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(db, "SELECT id FROM documents ORDER BY id", -1,
                            &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        rc = grille__stats_refresh(b, sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    grille__stats_free(b);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
