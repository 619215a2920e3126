/*
 * report.c - the statistics of a synthesis (DESIGN §6) and the aggregates
 * a report is drafted from.
 *
 * grille_report_build reads the project once: codes in codebook order,
 * documents by name with their attributes, then every coding ordered by
 * segment.  For each segment it rolls codings up into parent codes and
 * counts, per code and document, coded segments and hits, the segments
 * coded with each pair of codes (co-occurrence on segments), the words
 * that triggered each code, and keeps the segment with the most hits of
 * each code in each document as the cell's representative quote.  Every
 * other figure (shares, rates, Jaccard, lift, specificities by group) is
 * derived from these counts without reading the project again.
 *
 * Lafon's specificity is computed from the hypergeometric tail in log
 * space: log P(X = f) from lgamma once, then the tail summed by the ratio
 * of consecutive terms until the terms no longer change the sum, so that
 * it neither underflows nor takes long on a million segments.
 */
#include "analyser.h"
#include "stats.h"
#include "store.h"
#include "thread.h"

#include <math.h>
#include <pthread.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ statistics */

static double lchoose(double n, double k)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

double grille_stat_specificity(uint64_t f, uint64_t F, uint64_t t, uint64_t T)
{
    if (T == 0 || t == 0 || F == 0 || t > T || F > T || f > F || f > t)
        return 0.0;
    double dF = (double)F, dt = (double)t, dT = (double)T, df = (double)f;
    uint64_t lo = t > T - F ? t - (T - F) : 0;
    uint64_t hi = F < t ? F : t;
    if (f < lo)
        return 0.0;
    double lp = lchoose(dF, df) + lchoose(dT - dF, dt - df) - lchoose(dT, dt);
    double mode = floor((dt + 1) * (dF + 1) / (dT + 2));
    double acc = 1.0, term = 1.0;
    bool upper = df * dT >= dF * dt; /* f >= F t / T, without rounding */
    if (upper) {
        for (uint64_t k = f; k < hi; k++) {
            double dk = (double)k;
            term *= (dF - dk) * (dt - dk) / ((dk + 1) * (dT - dF - dt + dk + 1));
            acc += term;
            if (dk >= mode && term < acc * 1e-17)
                break;
        }
    } else {
        for (uint64_t k = f; k > lo; k--) {
            double dk = (double)k;
            term *= dk * (dT - dF - dt + dk) / ((dF - dk + 1) * (dt - dk + 1));
            acc += term;
            if (dk <= mode && term < acc * 1e-17)
                break;
        }
    }
    double lpt = lp + log(acc);
    if (lpt > 0)
        lpt = 0; /* a probability: rounding may push it a hair above 1 */
    double score = (upper ? -lpt : lpt) / log(10.0);
    return score == 0 ? 0.0 : score; /* no -0 */
}

void grille_stat_association(uint64_t both, uint64_t na, uint64_t nb,
                             uint64_t n, double *jaccard, double *lift)
{
    if (both > na || both > nb || na > n || nb > n || na + nb - both > n) {
        *jaccard = *lift = 0.0; /* counts no units can have */
        return;
    }
    double a = (double)both;
    double u = (double)na + (double)nb - a;
    *jaccard = u > 0 ? a / u : 0.0;
    *lift = na && nb ? a * (double)n / ((double)na * (double)nb) : 0.0;
}

/* ------------------------------------------------------------ the report */

/* A spelling of a counted term, as written (capitals and accents kept,
 * apostrophes straight, spaces squeezed): its hits and its earliest
 * coding. */
typedef struct term_form {
    char *display;
    char *lower; /* display lowercased: spellings that differ by case only
                    are one */
    size_t count;
    int64_t seg, coding; /* the earliest coding: by segment, then id */
} term_form;

typedef struct term_count {
    char *term;    /* folded: the key words are counted by */
    const char *display; /* the form shown (term_show): the commonest
                            spelling, the earliest of those as common */
    size_t count;
    uint64_t hash; /* of term */
    term_form *forms; /* its spellings ("réouverture", "reouverture") */
    size_t nforms, forms_cap;
} term_count;

/* A map from folded term to count, per code: the entries in the order
 * they came, and an open-addressing index of them (slot: entry + 1). */
typedef struct term_map {
    size_t *slots;
    size_t nslots;
    term_count *v;
    size_t n, cap;
} term_map;

typedef struct priv {
    grille_report_code *codes;
    grille_report_doc *docs;
    grille_attr_info *attrs;
    size_t nattrs;
    /* attrs[i]'s value numbered among its key's distinct values, in the
     * order they were read (NULL when the values were not numbered: every
     * key read, or a project of schema 5 or before read as it is); a
     * value equal to another of its key is then the same string */
    uint32_t *attr_no;
    uint32_t attr_nvalues; /* the most distinct values of a key */
    char **strings; /* chunks of KEEP_CHUNK bytes, or one long string */
    size_t nstrings, cap;
    char *at;       /* the free part of the current chunk */
    size_t room;
    size_t *cell_segments, *cell_hits, *pairs;
    grille_report_quote *best;
    bool best_sparse; /* best from grille__lazy_calloc, not big_calloc */
    bool from_codings; /* counted from the codings: doc_stats not all
                          there, or damaged, and not read for quotes */
    grille_report_rank *rank;
    size_t ncells; /* of cell_segments, cell_hits, best, rank: docs x codes */
    size_t ncodes;
    int64_t *code_index; /* codes.id -> report index (-1), to max_code */
    int64_t max_code;
    int64_t *code_ids;   /* report index -> codes.id, for the quotes */
    term_map *terms;
} priv;

/* The report's strings (names, attributes, quotes) are copied into chunks
 * rather than allocated one by one: 18,000 documents bring 150,000 of
 * them, and malloc and free were a fifth of a report. */
#define KEEP_CHUNK (64u * 1024)

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *keep(priv *p, const char *s, size_t n)
{
    if (n >= p->room) {
        if (GROW(p->strings, p->cap, p->nstrings + 1) < 0)
            return NULL;
        bool own = n + 1 > KEEP_CHUNK / 4;
        char *c = malloc(own ? n + 1 : KEEP_CHUNK);
        if (!c)
            return NULL;
        p->strings[p->nstrings++] = c;
        if (own) {
            memcpy(c, s, n);
            c[n] = '\0';
            return c;
        }
        p->at = c;
        p->room = KEEP_CHUNK;
    }
    char *d = p->at;
    memcpy(d, s, n);
    d[n] = '\0';
    p->at += n + 1;
    p->room -= n + 1;
    return d;
}

static char *keep_col(priv *p, sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return keep(p, t ? t : "", t ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

void grille_report_free(grille_report *r)
{
    if (!r)
        return;
    priv *p = r->priv;
    if (p) {
        for (size_t i = 0; i < p->nstrings; i++)
            free(p->strings[i]);
        for (size_t c = 0; p->terms && c < r->ncodes; c++) {
            for (size_t k = 0; k < p->terms[c].n; k++) {
                term_count *t = &p->terms[c].v[k];
                free(t->term);
                for (size_t f = 0; f < t->nforms; f++) {
                    free(t->forms[f].display);
                    free(t->forms[f].lower);
                }
                free(t->forms);
            }
            free(p->terms[c].v);
            free(p->terms[c].slots);
        }
        free(p->terms);
        free(p->code_index);
        free(p->code_ids);
        free(p->strings);
        free(p->codes);
        free(p->docs);
        free(p->attrs);
        free(p->attr_no);
        grille__big_free(p->cell_segments, p->ncells, sizeof(size_t));
        grille__big_free(p->cell_hits, p->ncells, sizeof(size_t));
        free(p->pairs);
        if (p->best_sparse)
            grille__lazy_free(p->best, p->ncells,
                              sizeof(grille_report_quote));
        else
            grille__big_free(p->best, p->ncells, sizeof(grille_report_quote));
        grille__big_free(p->rank, p->ncells, sizeof(grille_report_rank));
        free(p);
    }
    free(r);
}

/* Document d's attribute `key` (a key as grille__attr_known gives it)
 * with a value, or NULL: an empty value ("type:" in a front matter) is
 * none, no group with a blank name.  Inlined: called once per document
 * and key grouped, a call cost the report a millisecond. */
static inline __attribute__((always_inline)) const grille_attr_info *
doc_attr(const grille_report_doc *d, const char *key)
{
    /* keys mostly differ in their first byte: a call to strcmp for the
     * key looked for, not for each of the document's */
    for (size_t i = 0; i < d->nattrs; i++)
        if (d->attrs[i].key[0] == key[0] && strcmp(d->attrs[i].key, key) == 0)
            return d->attrs[i].value[0] ? &d->attrs[i] : NULL;
    return NULL;
}

const char *grille_report_attr(const grille_report *r, size_t doc,
                               const char *key)
{
    if (!r || doc >= r->ndocs || !key)
        return NULL;
    const grille_attr_info *a = doc_attr(&r->docs[doc],
                                         grille__attr_known(key));
    return a ? a->value : NULL;
}

/* FNV-1a of a folded term. */
static uint64_t term_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* term[0..len) into *out (a string), apostrophes made straight and
 * spaces squeezed, lowercased when `lower` (accents kept): a top term's
 * spelling. */
static int display_form(const char *term, size_t len, bool lower, char **out)
{
    gbuf b = {0};
    if ((lower ? grille__lower_str(&b, term, len, false)
               : grille__straight_str(&b, term, len)) < 0 ||
        (grille__squeeze(&b, 0), gbuf_put(&b, "", 0)) < 0) {
        gbuf_free(&b);
        return GRILLE_ENOMEM;
    }
    *out = b.data;
    return 0;
}

/* Adds `hits` of spelling `term` (raw, as coded; earliest coding (seg,
 * coding)) to t's forms. */
static int add_form(term_count *t, const char *term, size_t len, size_t hits,
                    int64_t seg, int64_t coding)
{
    char *d, *low;
    if (display_form(term, len, false, &d) < 0)
        return GRILLE_ENOMEM;
    for (size_t f = 0; f < t->nforms; f++) {
        term_form *x = &t->forms[f];
        if (strcmp(x->display, d) == 0) {
            free(d);
            x->count += hits;
            if (seg < x->seg || (seg == x->seg && coding < x->coding)) {
                x->seg = seg;
                x->coding = coding;
            }
            return 0;
        }
    }
    if (display_form(term, len, true, &low) < 0) {
        free(d);
        return GRILLE_ENOMEM;
    }
    if (GROW(t->forms, t->forms_cap, t->nforms + 1) < 0) {
        free(d);
        free(low);
        return GRILLE_ENOMEM;
    }
    t->forms[t->nforms++] = (term_form){d, low, hits, seg, coding};
    return 0;
}

static bool form_earlier(const term_form *x, const term_form *y)
{
    return x->seg < y->seg || (x->seg == y->seg && x->coding < y->coding);
}

/* The length of s's first character, UTF-8. */
static size_t first_char(const char *s)
{
    size_t n = 1;
    while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* Whether x is its lowercase but for its first letter ("Santé"). */
static bool initial_capital(const term_form *x)
{
    return strcmp(x->display + first_char(x->display),
                  x->lower + first_char(x->lower)) == 0;
}

/*
 * The spelling t shows.  Its spellings that differ by case only are one:
 * the commonest of those, the earliest coded of those as common
 * ("réouverture" 3 times and "reouverture" once shows réouverture,
 * whichever note was added first).  Then its case: the commonest, a
 * capital at the start only counted as lowercase when the word is written
 * in lowercase at least half as often ("Santé" at two lines' starts and
 * "santé" once: santé; "EHPAD" 17 times and "ehpad" once: EHPAD; "Teams"
 * 4 times and "teams" once: Teams; "Rouen": Rouen).
 */
static void term_show(term_count *t)
{
    size_t best = 0, best_count = 0;
    term_form best_at = {0};
    if (!t->nforms) {
        t->display = "";
        return;
    }
    for (size_t f = 0; f < t->nforms; f++) {
        const term_form *x = &t->forms[f];
        bool seen = false;
        for (size_t g = 0; g < f && !seen; g++)
            seen = strcmp(t->forms[g].lower, x->lower) == 0;
        if (seen) /* its case's group, counted at its first */
            continue;
        size_t count = 0;
        term_form at = *x;
        for (size_t g = f; g < t->nforms; g++)
            if (strcmp(t->forms[g].lower, x->lower) == 0) {
                count += t->forms[g].count;
                if (form_earlier(&t->forms[g], &at))
                    at = t->forms[g];
            }
        if (f == 0 || count > best_count ||
            (count == best_count && form_earlier(&at, &best_at))) {
            best = f;
            best_count = count;
            best_at = at;
        }
    }
    const char *low = t->forms[best].lower;
    /* written in lowercase, and capitalised at the start only: those are
     * one spelling when the lowercase is at least half as common (a
     * line's start), not for one typo of a name ("Teams" 4 times and
     * "teams" once: Teams) */
    size_t lower_count = 0, initial_count = 0;
    for (size_t g = best; g < t->nforms; g++) {
        const term_form *x = &t->forms[g];
        if (strcmp(x->lower, low) != 0)
            continue;
        if (strcmp(x->display, low) == 0)
            lower_count += x->count;
        else if (initial_capital(x))
            initial_count += x->count;
    }
    bool lowercase = lower_count && 2 * lower_count >= initial_count;
    /* the lowercase spelling's votes, theirs and those capitalised at
     * their start; and the earliest of those */
    size_t low_count = 0;
    const term_form *low_at = NULL, *cased = NULL;
    for (size_t g = best; g < t->nforms; g++) {
        const term_form *x = &t->forms[g];
        if (strcmp(x->lower, low) != 0)
            continue;
        if (lowercase && (strcmp(x->display, low) == 0 || initial_capital(x))) {
            low_count += x->count;
            if (!low_at || form_earlier(x, low_at))
                low_at = x;
        } else if (!cased || x->count > cased->count ||
                   (x->count == cased->count && form_earlier(x, cased))) {
            cased = x;
        }
    }
    t->display = !cased || (low_at && (low_count > cased->count ||
                                       (low_count == cased->count &&
                                        form_earlier(low_at, cased))))
                     ? low
                     : cased->display;
}

/* Counts `term` (raw, as coded), whose earliest coding is
 * (seg, coding), in m: `hits` times; its folded form is folded[0..flen)
 * with hash h. */
static int count_term(term_map *m, const char *folded, size_t flen,
                      uint64_t h, const char *term, size_t len,
                      size_t hits, int64_t seg, int64_t coding)
{
    if (grille__slots_fit(&m->slots, &m->nslots, m->n, m->v,
                          sizeof(*m->v), offsetof(term_count, hash),
                          16) < 0)
        return GRILLE_ENOMEM;
    size_t j = h & (m->nslots - 1);
    for (; m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
        term_count *t = &m->v[m->slots[j] - 1];
        if (t->hash == h && strcmp(t->term, folded) == 0) {
            t->count += hits;
            return add_form(t, term, len, hits, seg, coding);
        }
    }
    char *key = grille__strndup(folded, flen);
    if (!key || GROW(m->v, m->cap, m->n + 1) < 0) {
        free(key);
        return GRILLE_ENOMEM;
    }
    term_count *t = &m->v[m->n];
    *t = (term_count){key, NULL, hits, h, NULL, 0, 0};
    m->slots[j] = ++m->n;
    return add_form(t, term, len, hits, seg, coding);
}

static int by_count(const void *a, const void *b)
{
    const term_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->term, y->term);
}

/* Segment state while streaming the codings of one segment. */
typedef struct seg_state {
    int64_t segment;
    size_t doc;
    size_t len;        /* bytes of the segment's text */
    size_t *hits;      /* per code, children rolled up */
    size_t *touched;   /* codes with hits > 0 */
    size_t ntouched;
} seg_state;


/* A count as a rank keeps it, 32 bits. */
static uint32_t clamp32(uint64_t x)
{
    return x < UINT32_MAX ? (uint32_t)x : UINT32_MAX;
}

static void set_rank(grille_report_rank *q, int64_t segment, uint64_t hits,
                     uint64_t len)
{
    q->segment_id = segment;
    q->hits = clamp32(hits);
    q->len = clamp32(len);
}

/* A lazy quote whose segment is gone: empty, and no longer ranked. */
static void quote_gone(grille_report_quote *q, grille_report_rank *rk)
{
    memset(q, 0, sizeof(*q));
    memset(rk, 0, sizeof(*rk));
}

static void flush(grille_report *r, priv *p, seg_state *g)
{
    size_t nc = r->ncodes;
    if (g->segment < 0)
        return;
    if (g->ntouched)
        r->coded_segments++;
    for (size_t i = 0; i < g->ntouched; i++) {
        size_t c = g->touched[i];
        size_t cell = g->doc * nc + c;
        p->cell_segments[cell]++;
        p->cell_hits[cell] += g->hits[c];
        p->codes[c].segments++;
        p->codes[c].hits += g->hits[c];
        size_t score = grille_quote_score(g->hits[c], g->len);
        grille_report_rank *q = &p->rank[cell];
        if (score > grille_quote_score(q->hits, q->len))
            set_rank(q, g->segment, g->hits[c], g->len);
        for (size_t j = 0; j < g->ntouched; j++)
            p->pairs[c * nc + g->touched[j]]++;
    }
    for (size_t i = 0; i < g->ntouched; i++)
        g->hits[g->touched[i]] = 0;
    g->ntouched = 0;
}

/* Skips n numbers of a blob (n >= 1); false at its end or on a
 * malformed one.  A cell's last three (where its best quote is, read again
 * for the quotes shown) are skipped as one: their ends are the bytes
 * without the high bit among the next eight. */
static inline bool skip_uv(const unsigned char **at, const unsigned char *end,
                           size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - *at >= 8) {
        uint64_t w;
        memcpy(&w, *at, 8);
        uint64_t stops = ~w & UINT64_C(0x8080808080808080);
        for (size_t i = 1; i < n && stops; i++)
            stops &= stops - 1; /* the first n - 1 ends */
        if (stops) {
            *at += (__builtin_ctzll(stops) >> 3) + 1;
            return true;
        }
    }
#endif
    uint64_t v;
    for (size_t i = 0; i < n; i++)
        if (!grille__stats_uv(at, end, &v))
            return false;
    return true;
}

/* The fields of a cell that from_stats uses: code, segments, hits, and
 * its best quote's rank (segment, hits, length). */
#define CELL_FIELDS_USED 6

/* The cells and pairs of every document from its doc_stats row, instead
 * of a pass over the codings. */
static int from_stats(sqlite3 *db, grille_report *r, priv *p,
                      const int64_t *code_index, int64_t max_code,
                      const int64_t *doc_index, int64_t max_doc, size_t nf)
{
    sqlite3_stmt *st;
    size_t nc = r->ncodes;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT document, cells, pairs, words, "
                                "segments, coded FROM doc_stats",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    size_t found = 0;
    bool cut = false; /* a row's numbers end short: counted from codings */
    /* the pairs of codes with small ids (those of most codebooks), added
     * up by their ids as they come, and into the report's codes once at
     * the end: a pair then costs an add, not two lookups and two adds */
    size_t w = max_code >= 0 && max_code < 256 ? (size_t)max_code + 1 : 0;
    uint64_t *raw = w ? calloc(w * w, sizeof(*raw)) : NULL;
#define CODE(v) ((v) <= (uint64_t)max_code ? code_index[v] : -1)
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id < 0 || id > max_doc || doc_index[id] < 0)
            continue; /* the row of no document */
        size_t d = (size_t)doc_index[id];
        grille_report_doc *doc = &p->docs[d];
        int64_t words = sqlite3_column_int64(st, 3);
        int64_t segments = sqlite3_column_int64(st, 4);
        int64_t coded = sqlite3_column_int64(st, 5);
        /* numbers no add writes (a row edited by hand): the codings
         * counted instead, as for a row cut short */
        if (words < 0 || segments < 0 || coded < 0 || coded > segments ||
            segments > ((int64_t)1 << 32) || words > ((int64_t)1 << 40))
            cut = true;
        doc->words = (size_t)words;
        doc->segments = (size_t)segments;
        doc->coded_segments = (size_t)coded;
        r->words += doc->words;
        r->segments += doc->segments;
        found++; /* document is doc_stats' key: once each */
        const unsigned char *at = sqlite3_column_blob(st, 1);
        const unsigned char *end = at + sqlite3_column_bytes(st, 1);
        uint64_t n = 0, v[GRILLE_CELL_FIELDS];
        if (at < end && !grille__stats_uv(&at, end, &n))
            cut = true;
        for (uint64_t i = 0; i < n; i++) {
            /* a code, its segments and hits: most often one byte each
             * (the numbers past the sixth are the quotes') */
            size_t k = 0;
            if (end - at >= 3 && !((at[0] | at[1] | at[2]) & 0x80)) {
                v[0] = at[0];
                v[1] = at[1];
                v[2] = at[2];
                at += 3;
                k = 3;
            }
            size_t used = nf < CELL_FIELDS_USED ? nf : CELL_FIELDS_USED;
            while (k < used && grille__stats_uv(&at, end, &v[k]))
                k++;
            if (k < used || (nf > used && !skip_uv(&at, end, nf - used))) {
                cut = true;
                break;
            }
            /* a theme in more segments than the document has coded */
            if (v[1] > (uint64_t)coded || v[2] > ((uint64_t)1 << 40)) {
                cut = true;
                break;
            }
            int64_t c = CODE(v[0]);
            if (c < 0) { /* a code gone from the project: the codings say */
                cut = true;
                break;
            }
            size_t cell = d * nc + (size_t)c;
            /* the documents of each code, counted here rather than in a
             * pass over every cell */
            p->codes[c].documents += (size_t)(v[1] != 0) -
                                     (size_t)(p->cell_segments[cell] != 0);
            p->cell_segments[cell] = v[1];
            p->cell_hits[cell] = v[2];
            p->codes[c].segments += v[1];
            p->codes[c].hits += v[2];
            if (p->rank)
                set_rank(&p->rank[cell], (int64_t)v[3], v[4], v[5]);
        }
        cut |= at != end;
        at = sqlite3_column_blob(st, 2);
        end = at + sqlite3_column_bytes(st, 2);
        n = 0;
        if (at < end && !grille__stats_uv(&at, end, &n))
            cut = true;
        for (uint64_t i = 0; i < n; i++) {
            /* most pairs are three numbers of one byte each, read at
             * once: 2.5 MB of pairs for 100 MB of notes */
            if (end - at >= 3 && !((at[0] | at[1] | at[2]) & 0x80)) {
                size_t y = (size_t)at[0] + at[1];
                if (raw && y < w) {
                    raw[(size_t)at[0] * w + y] += at[2];
                    at += 3;
                    continue;
                }
                v[0] = at[0];
                v[1] = at[1];
                v[2] = at[2];
                at += 3;
            } else {
                size_t k = 0;
                while (k < 3 && grille__stats_uv(&at, end, &v[k]))
                    k++;
                if (k < 3) {
                    cut = true;
                    break;
                }
            }
            int64_t a = CODE(v[0]), b = CODE(v[0] + v[1]);
            if (a < 0 || b < 0)
                continue;
            p->pairs[(size_t)a * nc + (size_t)b] += v[2];
            p->pairs[(size_t)b * nc + (size_t)a] += v[2];
        }
        cut |= at != end;
    }
#undef CODE
    sqlite3_finalize(st);
    for (size_t x = 0; raw && x < w; x++)
        for (size_t y = x; y < w; y++) {
            uint64_t k = raw[x * w + y];
            int64_t a = code_index[x], b = code_index[y];
            if (!k || a < 0 || b < 0)
                continue;
            p->pairs[(size_t)a * nc + (size_t)b] += k;
            p->pairs[(size_t)b * nc + (size_t)a] += k;
        }
    free(raw);
    if (rc != SQLITE_DONE)
        return rc;
    if (found != r->ndocs || cut)
        return SQLITE_NOTFOUND; /* a document without its row, or a row
                                   damaged: the codings have it all */
    for (size_t c = 0; c < nc; c++) {
        p->pairs[c * nc + c] = p->codes[c].segments;
        if (p->codes[c].parent < 0)
            r->hits += p->codes[c].hits;
    }
    for (size_t d = 0; d < r->ndocs; d++)
        r->coded_segments += p->docs[d].coded_segments;
    return SQLITE_DONE;
}

/* The top terms alone (the counts come from doc_stats), from term_stats:
 * each code's terms as coded, with their counts and earliest coding,
 * folded and counted for the code and each ancestor.  A project of schema
 * 2 read as it is has no term_stats: the same from every coding (of a
 * segment that is there).  0 or an SQLite error. */
static int count_terms(sqlite3 *db, bool table, priv *p,
                       const int64_t *code_index, int64_t max_code,
                       gbuf *fold)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        db,
        table ? "SELECT code, term, hits, first_segment, first_coding FROM "
                "term_stats"
              : "SELECT c.code, c.term, 1, c.segment, c.id FROM codings c "
                "JOIN segments g ON g.id = c.segment",
        -1, &st, NULL);
    /* term_stats' hits of each code, its own (not its sub-themes') */
    size_t nc = p->ncodes;
    uint64_t *own = table ? calloc(nc + 1, sizeof(*own)) : NULL;
    if (table && !own)
        rc = SQLITE_NOMEM;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        int64_t code = sqlite3_column_int64(st, 0);
        int64_t hits = sqlite3_column_int64(st, 2);
        const char *term = (const char *)sqlite3_column_text(st, 1);
        size_t tl = (size_t)sqlite3_column_bytes(st, 1);
        if (code < 0 || code > max_code || code_index[code] < 0 || !term ||
            hits <= 0 || (table && !tl)) {
            if (table) { /* a row no add writes */
                rc = SQLITE_NOTFOUND;
                break;
            }
            continue;
        }
        if (table)
            own[code_index[code]] += (uint64_t)hits;
        fold->len = 0;
        if (grille__fold(fold, term, tl) < 0 ||
            (grille__squeeze(fold, 0), gbuf_put(fold, "", 0)) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        uint64_t th = term_hash(fold->data, fold->len);
        for (long c = (long)code_index[code]; c >= 0 && rc == SQLITE_OK;
             c = p->codes[c].parent)
            if (count_term(&p->terms[c], fold->data, fold->len, th, term, tl,
                           (size_t)hits, sqlite3_column_int64(st, 3),
                           sqlite3_column_int64(st, 4)) < 0)
                rc = SQLITE_NOMEM;
    }
    sqlite3_finalize(st);
    /* each code's hits (doc_stats', its sub-themes' included) less its
     * sub-themes': the hits of its own terms, unless term_stats lost or
     * changed a row (by hand) */
    for (size_t c = 0; own && rc == SQLITE_DONE && c < nc; c++)
        if (p->codes[c].parent >= 0)
            own[p->codes[c].parent] += p->codes[c].hits;
    for (size_t c = 0; own && rc == SQLITE_DONE && c < nc; c++)
        if (own[c] != p->codes[c].hits)
            rc = SQLITE_NOTFOUND;
    free(own);
    return rc == SQLITE_DONE ? 0 : rc;
}

/* The quotes' texts (and lines and offsets) of best[cells[0..n)], or of
 * every best[0..n) when cells is NULL, by incremental blob I/O: a quote
 * reads its segment's bytes, not the whole document (a note of 100 MB
 * has quotes too); in cell order, that is document by document, so one
 * blob handle per document, moved from row to row.  0, or the error
 * (said in err while SQLite's message is there). */
static int read_quotes(grille_store *s, priv *p, const size_t *cells,
                       size_t n, grille_error *err)
{
    sqlite3 *db = grille_store__db(s);
    sqlite3_stmt *st = NULL, *hits = NULL, *cells_st = NULL;
    sqlite3_blob *blob = NULL;
    /* schema 5: where each quote is, from its document's doc_stats row
     * (a row read for all its quotes) rather than its segment's and
     * codings' */
    bool placed_by_stats = grille_store__cell_fields(s) ==
                               GRILLE_CELL_FIELDS &&
                           p->code_ids && !p->from_codings;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT g.line, g.start, g.\"end\", "
                                "g.document FROM segments g WHERE g.id = ?1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && placed_by_stats)
        rc = sqlite3_prepare_v2(db,
                                "SELECT cells FROM doc_stats WHERE document "
                                "= ?1",
                                -1, &cells_st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(
            db,
            grille_store__coding_ranges(s)
                ? "SELECT code, start FROM codings WHERE " SQL_SEGMENT_CODINGS(
                      "codings.", "?1")
                : "SELECT code, start FROM codings WHERE segment = ?1",
            -1, &hits, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        sqlite3_finalize(cells_st);
        return grille_store__error(s, err, rc, "read the quotes");
    }
    int64_t blob_doc = -1, cells_doc = -1, missing = -1;
    int bad = 0; /* a damaged segment's error */
    const unsigned char *cells_at = NULL, *cells_end = NULL;
    char *buf = NULL;
    size_t bufcap = 0;
    size_t nc = p->ncodes;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        size_t cell = cells ? cells[i] : i;
        grille_report_quote *q = &p->best[cell];
        grille_report_rank *rk = &p->rank[cell];
        if (!rk->segment_id || q->text)
            continue;
        q->segment_id = rk->segment_id;
        q->hits = rk->hits;
        q->len = rk->len;
        int64_t doc = -1;
        uint64_t v[GRILLE_CELL_FIELDS];
        bool placed = false;
        if (placed_by_stats) {
            int64_t id = p->docs[cell / nc].id;
            if (id != cells_doc) {
                sqlite3_reset(cells_st);
                sqlite3_bind_int64(cells_st, 1, id);
                cells_at = cells_end = NULL;
                if ((rc = sqlite3_step(cells_st)) == SQLITE_ROW) {
                    cells_at = sqlite3_column_blob(cells_st, 0);
                    cells_end = cells_at + sqlite3_column_bytes(cells_st, 0);
                } else if (rc != SQLITE_DONE) {
                    break;
                }
                rc = SQLITE_OK;
                cells_doc = id;
            }
            /* the cell's code among the document's (its best segment, as
             * ranked: the same row) */
            const unsigned char *at = cells_at;
            uint64_t codes = 0, code = (uint64_t)p->code_ids[cell % nc];
            grille__stats_uv(&at, cells_end, &codes);
            for (uint64_t c = 0; c < codes && !placed; c++) {
                size_t k = 0;
                while (k < GRILLE_CELL_FIELDS &&
                       grille__stats_uv(&at, cells_end, &v[k]))
                    k++;
                if (k < GRILLE_CELL_FIELDS)
                    break;
                placed = v[0] == code && (int64_t)v[3] == q->segment_id;
            }
        }
        /* the same numbers, another segment: the document was removed
         * since the report was built, and its numbers used again by an
         * add; gone */
        if (placed && (clamp32(v[4]) != rk->hits || clamp32(v[5]) != rk->len)) {
            quote_gone(q, rk);
            continue;
        }
        int64_t g0, g1, line; /* as read: checked below */
        if (placed) {
            q->start = (size_t)v[6];
            q->end = (size_t)(v[6] + v[5]);
            q->line = v[7] < UINT_MAX ? (unsigned)v[7] : UINT_MAX;
            g0 = v[6] <= INT64_MAX ? (int64_t)v[6] : -1;
            g1 = v[5] <= INT64_MAX - (uint64_t)(g0 < 0 ? 0 : g0)
                     ? g0 + (int64_t)v[5]
                     : -1;
            line = v[7] <= INT64_MAX ? (int64_t)v[7] : -1;
            doc = p->docs[cell / nc].id;
        } else {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, q->segment_id);
            rc = sqlite3_step(st);
            /* not there (a row written by hand), or another document's
             * now (removed since the report was built, its number used
             * again by an add): gone */
            if (rc == SQLITE_DONE ||
                (rc == SQLITE_ROW &&
                 sqlite3_column_int64(st, 3) != p->docs[cell / nc].id)) {
                quote_gone(q, rk);
                rc = SQLITE_OK;
                continue;
            }
            if (rc != SQLITE_ROW)
                break;
            rc = SQLITE_OK;
            line = sqlite3_column_int64(st, 0);
            g0 = sqlite3_column_int64(st, 1);
            g1 = sqlite3_column_int64(st, 2);
            q->line = (unsigned)line;
            q->start = (size_t)g0;
            q->end = (size_t)g1;
            doc = sqlite3_column_int64(st, 3);
            if (clamp32(q->end > q->start ? q->end - q->start : 0) !=
                rk->len) { /* another segment under the same number */
                quote_gone(q, rk);
                continue;
            }
        }
        if (doc != blob_doc) {
            rc = blob ? sqlite3_blob_reopen(blob, doc)
                      : sqlite3_blob_open(db, "main", "documents", "text",
                                          doc, 0, &blob);
            if (rc == SQLITE_ERROR) { /* "no such rowid" */
                missing = doc;
                break;
            }
            if (rc != SQLITE_OK)
                break;
            blob_doc = doc;
        }
        size_t size = (size_t)sqlite3_blob_bytes(blob);
        /* offsets no add wrote (a file edited by hand): said, not a
         * quote cut from elsewhere in the text */
        if ((bad = grille_store__bad_span(s, err, false, q->segment_id, g0,
                                          g1, line, (int64_t)size)) < 0)
            break;
        size_t a = q->start;
        q->len = q->end - a;
        /* and the byte after it, to see that it ends a character */
        size_t more = q->end < size;
        if (q->len + more + 1 > bufcap) {
            char *nb = realloc(buf, q->len + more + 1);
            if (!nb) {
                rc = SQLITE_NOMEM;
                break;
            }
            buf = nb;
            bufcap = q->len + more + 1;
        }
        if (q->len + more &&
            (rc = sqlite3_blob_read(blob, buf, (int)(q->len + more),
                                    (int)a)) != SQLITE_OK)
            break;
        if ((bad = grille_store__cut_char(s, err, q->segment_id, buf, q->len,
                                          more ? buf + q->len : NULL, g0)) <
                0 ||
            (bad = grille_store__bad_text(s, err, doc,
                                          p->docs[cell / nc].name, buf,
                                          q->len, q->start)) < 0)
            break;
        q->text = keep(p, buf, q->len);
        if (!q->text)
            rc = SQLITE_NOMEM;
        if (placed) { /* doc_stats computed it as below */
            q->hit = v[8] < UINT_MAX ? (unsigned)v[8] : 0;
            continue;
        }
        /* the first coding of the cell's code, or of one under it */
        size_t first = SIZE_MAX;
        sqlite3_reset(hits);
        sqlite3_bind_int64(hits, 1, q->segment_id);
        int h;
        while (rc == SQLITE_OK && nc &&
               (h = sqlite3_step(hits)) != SQLITE_DONE) {
            if (h != SQLITE_ROW) {
                rc = h;
                break;
            }
            int64_t code = sqlite3_column_int64(hits, 0);
            size_t at = (size_t)sqlite3_column_int64(hits, 1);
            long c = code >= 0 && code <= p->max_code
                         ? (long)p->code_index[code]
                         : -1;
            /* up the hierarchy (at most its depth: a cycle written by
             * hand in the codes ends here) */
            for (size_t up = 0; c >= 0 && (size_t)c != cell % nc; up++)
                c = up < nc ? p->codes[c].parent : -1;
            if (c >= 0 && at >= q->start && at < first)
                first = at;
        }
        q->hit = first != SIZE_MAX && first - q->start < UINT_MAX
                     ? (unsigned)(first - q->start)
                     : 0;
    }
    int ret = bad < 0              ? bad
              : rc == SQLITE_OK      ? 0
              : rc == SQLITE_NOMEM ? grille__nomem(err)
              : missing >= 0
                  ? grille_store__missing_text(s, err, missing)
                  : grille_store__error(s, err, rc, "read the quotes");
    free(buf);
    sqlite3_blob_close(blob);
    sqlite3_finalize(st);
    sqlite3_finalize(hits);
    sqlite3_finalize(cells_st);
    return ret;
}

static int by_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int grille_report_load_quotes(grille_report *r, grille_store *s,
                              const size_t *cells, size_t n,
                              grille_error *err)
{
    priv *p = r->priv;
    if (!p->best)
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             _("the report was built without quotes "
                               "(grille_report_want.quotes): no quote to "
                               "read"));
    for (size_t i = 0; i < n; i++)
        if (cells[i] >= r->ndocs * r->ncodes)
            return grille__error(err, GRILLE_EINVALID, NULL, 0, 0,
                                 _("no cell %zu in the report: a cell is "
                                   "doc * ncodes + code, below %zu"),
                                 cells[i], r->ndocs * r->ncodes);
    if (!n)
        return 0;
    size_t *sorted = malloc(n * sizeof(*sorted));
    if (!sorted)
        return grille__nomem(err);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        sorted[k++] = cells[i];
    qsort(sorted, k, sizeof(*sorted), by_size);
    sqlite3 *db = grille_store__db(s);
    grille_store__small_cache(s, true);
    sqlite3_exec(db, "SAVEPOINT quotes", NULL, NULL, NULL);
    int ret = read_quotes(s, p, sorted, k, err);
    free(sorted);
    sqlite3_exec(db, "RELEASE quotes", NULL, NULL, NULL);
    grille_store__small_cache(s, false);
    return ret;
}

int grille_report_build(grille_report **out, grille_store *s,
                        grille_error *err)
{
    static const grille_report_want all = {true, true, NULL, false};
    return grille_report_build_some(out, s, &all, err);
}

/* read_attrs' spellings of the keys wanted, and their names. */
static void free_spellings(char **stored, char **canon, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(stored[i]);
        free(canon[i]);
    }
    free(stored);
    free(canon);
}

/* The distinct values of a key as they are read: each kept once, and
 * numbered in the order they come (an open-addressing index of them,
 * slot: entry + 1). */
typedef struct value_seen {
    const char *s;
    size_t len;
    uint64_t hash;
} value_seen;

typedef struct value_index {
    size_t *slots;
    size_t nslots;
    value_seen *v;
    size_t n, cap;
} value_index;

/* The kept string equal to t[0..len), and its number in *no; kept (in p;
 * p NULL: t itself, which outlives x) and numbered now when it is new.
 * NULL when out of memory. */
static const char *value_number(value_index *x, priv *p, const char *t,
                                size_t len, uint32_t *no)
{
    uint64_t h = grille_stem__hash(t, len, 0, false);
    if (x->n >= UINT32_MAX ||
        grille__slots_fit(&x->slots, &x->nslots, x->n, x->v, sizeof(*x->v),
                          offsetof(value_seen, hash), 64) < 0)
        return NULL;
    size_t j = h & (x->nslots - 1);
    for (; x->slots[j]; j = (j + 1) & (x->nslots - 1)) {
        const value_seen *e = &x->v[x->slots[j] - 1];
        if (e->hash == h && e->len == len && memcmp(e->s, t, len) == 0) {
            *no = (uint32_t)(x->slots[j] - 1);
            return e->s;
        }
    }
    const char *kept = p ? keep(p, t, len) : t;
    if (!kept || GROW(x->v, x->cap, x->n + 1) < 0)
        return NULL;
    x->v[x->n] = (value_seen){kept, len, h};
    *no = (uint32_t)x->n;
    x->slots[j] = ++x->n;
    return kept;
}

/* Empties x for the next key. */
static void value_index_clear(value_index *x)
{
    if (x->slots)
        memset(x->slots, 0, x->nslots * sizeof(*x->slots));
    x->n = 0;
}

int grille_report_attr_values(const grille_report *r, const char *key,
                              const char ***values, size_t *nvalues,
                              size_t **of, grille_error *err)
{
    *values = NULL;
    *nvalues = 0;
    *of = NULL;
    if (!r || !key)
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             _("grille_report_attr_values: no report or "
                               "no key"));
    const priv *p = r->priv;
    key = grille__attr_known(key);
    size_t nd = r->ndocs, n = 0;
    size_t *o = malloc((nd + 1) * sizeof(*o));
    const char **v = malloc((nd + 1) * sizeof(*v));
    /* numbered when read: a number's group, in the documents' order */
    size_t *group = p->attr_no ? malloc(((size_t)p->attr_nvalues + 1) *
                                        sizeof(*group))
                               : NULL;
    value_index vx = {0};
    if (!o || !v || (p->attr_no && !group))
        goto nomem;
    for (size_t i = 0; group && i < p->attr_nvalues; i++)
        group[i] = SIZE_MAX;
    for (size_t d = 0; d < nd; d++) {
        const grille_attr_info *a = doc_attr(&r->docs[d], key);
        o[d] = SIZE_MAX; /* none, as grille_report_attr says */
        if (!a)
            continue;
        if (group) {
            size_t *g = &group[p->attr_no[a - p->attrs]];
            if (*g == SIZE_MAX) {
                v[n] = a->value;
                *g = n++;
            }
            o[d] = *g;
            continue;
        }
        uint32_t no;
        if (!value_number(&vx, NULL, a->value, strlen(a->value), &no))
            goto nomem;
        if (no == n)
            v[n++] = a->value;
        o[d] = no;
    }
    free(group);
    free(vx.slots);
    free(vx.v);
    *values = v;
    *nvalues = n;
    *of = o;
    return 0;
nomem:
    free(o);
    free(v);
    free(group);
    free(vx.slots);
    free(vx.v);
    return grille__nomem(err);
}

/* The attributes of the report's documents: all, or the keys wanted
 * (the human report reads 4 of 7), a key at a time by the index on their
 * keys, so that a row brings its document, value and origin alone.  Into
 * *out (with each one's document in *doc, report index), strings kept in
 * p.  SQLITE_DONE, SQLITE_NOMEM or an SQLite error. */
static int read_attrs(sqlite3 *db, priv *p, const grille_report_want *want,
                      bool spellings, const int64_t *doc_index,
                      int64_t max_doc, grille_attr_info **out, size_t **doc,
                      uint32_t **no, uint32_t *nvalues, size_t *n)
{
    size_t nkeys = 0, cap = 0, cap2 = 0;
    while (want->attrs && want->attrs[nkeys])
        nkeys++;
    const char **keys = want->attrs ? malloc((nkeys + 1) * sizeof(*keys))
                                    : NULL;
    if (want->attrs && !keys)
        return SQLITE_NOMEM;
    for (size_t k = 0; k < nkeys; k++)
        keys[k] = grille__attr_known(want->attrs[k]); /* "Rôle": role */
    if (nkeys > 1)
        qsort(keys, nkeys, sizeof(*keys), by_string);
    /* Each key wanted as stored, and its name.  In a project of schema 5
     * or before read as it is (`spellings`), a key may be stored in
     * several spellings ("Région", "region", "REGION"): each is read under
     * its one name, the one already in that name first (as the upgrade
     * keeps it), then in byte order. */
    char **stored = NULL, **canon = NULL;
    size_t nstored = 0, scap = 0;
    int krc = SQLITE_OK;
    sqlite3_stmt *ks = NULL;
    if (want->attrs && spellings)
        krc = sqlite3_prepare_v2(db, "SELECT DISTINCT key FROM attributes",
                                 -1, &ks, NULL);
    for (size_t k = 0; want->attrs && krc == SQLITE_OK; k++) {
        const char *t;
        char *c;
        if (spellings) {
            if (sqlite3_step(ks) != SQLITE_ROW)
                break;
            if (!(t = (const char *)sqlite3_column_text(ks, 0)))
                continue;
            c = grille_attr_key(t);
        } else {
            if (k >= nkeys)
                break;
            if (k && strcmp(keys[k], keys[k - 1]) == 0)
                continue; /* asked twice */
            t = keys[k];
            c = strdup(t);
        }
        bool asked = false;
        for (size_t j = 0; c && j < nkeys && !asked; j++)
            asked = strcmp(keys[j], c) == 0;
        char *tt = c && asked ? strdup(t) : NULL;
        char **more = NULL;
        if (tt && GROW(stored, scap, nstored + 1) == 0)
            more = realloc(canon, scap * sizeof(*canon));
        if (more)
            canon = more;
        if (!more) {
            free(tt);
            free(c);
            if (!c || asked)
                krc = SQLITE_NOMEM;
            continue;
        }
        stored[nstored] = tt;
        canon[nstored++] = c;
    }
    sqlite3_finalize(ks);
    if (krc != SQLITE_OK) {
        free_spellings(stored, canon, nstored);
        free(keys);
        return krc;
    }
    /* the spellings already right first, the others after in their order */
    for (size_t i = 0, w = 0; i < nstored; i++)
        if (strcmp(stored[i], canon[i]) == 0) {
            char *x = stored[i], *y = canon[i];
            memmove(stored + w + 1, stored + w, (i - w) * sizeof(*stored));
            memmove(canon + w + 1, canon + w, (i - w) * sizeof(*canon));
            stored[w] = x;
            canon[w++] = y;
        }
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db,
        want->attrs ? "SELECT document, value, origin, ?1 FROM attributes "
                      "WHERE key = ?1 ORDER BY document"
                    : "SELECT document, value, origin, key FROM attributes "
                      "ORDER BY document, key",
        -1, &st, NULL);
    if (rc != SQLITE_OK) {
        free_spellings(stored, canon, nstored);
        free(keys);
        return rc;
    }
    /* keys and origins repeat from document to document: kept once */
    const char *seen[32];
    const char *key = NULL, *origin = NULL;
    size_t nseen = 0, cap3 = 0;
    /* the values of a key wanted, kept once each and numbered (for
     * grille_report_attr_values) */
    bool numbered = want->attrs && !spellings;
    value_index vx = {0};
    *nvalues = 0;
    rc = SQLITE_DONE; /* no key asked for: no row */
    for (size_t k = 0; k < (want->attrs ? nstored : 1) && rc == SQLITE_DONE;
         k++) {
        if (want->attrs) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, stored[k], -1, SQLITE_STATIC);
            value_index_clear(&vx);
            if (!(key = keep(p, canon[k], strlen(canon[k])))) {
                rc = SQLITE_NOMEM;
                break;
            }
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            if (id < 0 || (doc_index && (id > max_doc || doc_index[id] < 0)))
                continue; /* an orphan (a file written by another tool) */
            if (GROW(*out, cap, *n + 1) < 0 || GROW(*doc, cap2, *n + 1) < 0 ||
                (numbered && GROW(*no, cap3, *n + 1) < 0))
                break;
            grille_attr_info *a = &(*out)[*n];
            (*doc)[*n] = doc_index ? (size_t)doc_index[id] : (size_t)id;
            if (spellings && want->attrs) { /* stored before schema 6 */
                char *v = grille__attr_clean(
                    (const char *)sqlite3_column_text(st, 1)
                        ? (const char *)sqlite3_column_text(st, 1)
                        : "");
                a->value = v ? keep(p, v, strlen(v)) : NULL;
                free(v);
            } else if (numbered) {
                /* as a C string, as the values are compared (a NUL
                 * inside one, written by another tool, ends it) */
                const char *t = (const char *)sqlite3_column_text(st, 1);
                a->value = value_number(&vx, p, t ? t : "", t ? strlen(t) : 0,
                                        &(*no)[*n]);
                if (vx.n > *nvalues)
                    *nvalues = (uint32_t)vx.n;
            } else {
                a->value = keep_col(p, st, 1);
            }
            for (int col = want->attrs ? 2 : 3; col >= 2; col--) {
                const char *t = (const char *)sqlite3_column_text(st, col);
                const char *prev = col == 2 ? origin : key;
                if (!t)
                    t = "";
                /* the previous row's first, then those seen */
                const char *kept = prev && strcmp(prev, t) == 0 ? prev : NULL;
                for (size_t i = 0; i < nseen && !kept; i++)
                    if (strcmp(seen[i], t) == 0)
                        kept = seen[i];
                if (!kept && (kept = keep(p, t, strlen(t))) &&
                    nseen < sizeof(seen) / sizeof(seen[0]))
                    seen[nseen++] = kept;
                if (col == 2)
                    origin = kept;
                else
                    key = kept;
            }
            a->key = key;
            a->origin = origin;
            if (!a->key || !a->value || !a->origin)
                break;
            (*n)++;
        }
        if (rc == SQLITE_ROW)
            rc = SQLITE_NOMEM;
    }
    free_spellings(stored, canon, nstored);
    free(keys);
    free(vx.slots);
    free(vx.v);
    sqlite3_finalize(st);
    return rc;
}

/*
 * The attributes read on a second connection, on a thread of their own,
 * while the report's connection reads doc_stats (each took a third of a
 * report).  Only when the two connections are known to read the same
 * state: the header of the WAL index (the -shm file; its iChange counts
 * the commits, and every commit changes it) is the same before the
 * report's snapshot began and once the second connection's has begun.
 * Otherwise (a write in between, no -shm, a report inside the caller's
 * snapshot) the report's connection reads them itself.
 */

/* Below this many documents (the largest id, known before they are
 * read: the thread starts first), a thread and a connection cost more
 * than they save. */
#define PARALLEL_DOCS 1000

typedef struct attr_job {
    const char *path;
    bool spellings; /* see read_attrs */
    const grille_report_want *want;
    /* set (under lock) once the documents are read: the thread reads the
     * attributes by document id, then puts them in the documents' order
     * (attr_order); `known` also when the report gave up */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool known;
    const int64_t *doc_index;
    int64_t max_doc;
    grille_report_doc *docs;
    size_t ndocs;
    unsigned char before[GRILLE_WAL_HEADER];
    priv strings; /* its own chunks of kept strings */
    grille_attr_info *attrs;
    size_t *doc, n;
    uint32_t *no, nvalues; /* see priv.attr_no */
    int rc; /* SQLITE_DONE when done */
} attr_job;

/*
 * Attributes read in id order (or key order) into the documents' (name)
 * order, each one's kept: docs[d].attrs and nattrs point into the array
 * returned (NULL when out of memory; `attrs` and `no` are then left as
 * they are).  doc[i] is attrs[i]'s document; their value numbers no[i]
 * (NULL: none) are put in the same order, in place.
 */
static grille_attr_info *attr_order(const grille_attr_info *attrs,
                                    const size_t *doc, uint32_t *no,
                                    size_t n, grille_report_doc *docs,
                                    size_t ndocs)
{
    grille_attr_info *sorted = malloc((n + 1) * sizeof(*sorted));
    size_t *at = calloc(ndocs + 1, sizeof(*at));
    uint32_t *no_sorted = no ? malloc((n + 1) * sizeof(*no_sorted)) : NULL;
    if (!sorted || !at || (no && !no_sorted)) {
        free(sorted);
        free(at);
        free(no_sorted);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        at[doc[i] + 1]++;
    for (size_t d = 0; d < ndocs; d++) {
        docs[d].attrs = sorted + at[d];
        docs[d].nattrs = at[d + 1];
        at[d + 1] += at[d];
    }
    for (size_t i = 0; i < n; i++) {
        if (no)
            no_sorted[at[doc[i]]] = no[i];
        sorted[at[doc[i]]++] = attrs[i];
    }
    if (no)
        memcpy(no, no_sorted, n * sizeof(*no));
    free(no_sorted);
    free(at);
    return sorted;
}

/* Tells the thread the documents (doc_index NULL: the report gave up). */
static void attr_documents(attr_job *j, const int64_t *doc_index,
                           int64_t max_doc, grille_report_doc *docs,
                           size_t ndocs)
{
    pthread_mutex_lock(&j->lock);
    if (!j->known) {
        j->doc_index = doc_index;
        j->max_doc = max_doc;
        j->docs = docs;
        j->ndocs = ndocs;
        j->known = true;
        pthread_cond_signal(&j->cond);
    }
    pthread_mutex_unlock(&j->lock);
}

static void *attr_thread(void *arg)
{
    attr_job *j = arg;
    sqlite3 *db = NULL;
    unsigned char after[GRILLE_WAL_HEADER];
    j->rc = sqlite3_open_v2(j->path, &db,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (j->rc == SQLITE_OK)
        j->rc = sqlite3_exec(db,
                             "PRAGMA mmap_size = 0; BEGIN; "
                             "SELECT count(*) FROM sqlite_schema",
                             NULL, NULL, NULL);
    if (j->rc == SQLITE_OK && (!grille_store__wal_header(db, after) ||
                               memcmp(j->before, after, GRILLE_WAL_HEADER) != 0))
        j->rc = SQLITE_ABORT; /* not the same state: not used */
    if (j->rc == SQLITE_OK)
        j->rc = read_attrs(db, &j->strings, j->want, j->spellings, NULL, 0,
                           &j->attrs, &j->doc, &j->no, &j->nvalues, &j->n);
    sqlite3_close(db); /* ends its read transaction */
    /* by the documents' indexes, orphans left out, then in their order:
     * off the report's thread, whose doc_stats take longer */
    pthread_mutex_lock(&j->lock);
    while (!j->known)
        pthread_cond_wait(&j->cond, &j->lock);
    pthread_mutex_unlock(&j->lock);
    if (j->rc != SQLITE_DONE || !j->doc_index)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < j->n; i++) {
        size_t id = j->doc[i];
        if (id > (size_t)j->max_doc || j->doc_index[id] < 0)
            continue;
        j->attrs[n] = j->attrs[i];
        if (j->no)
            j->no[n] = j->no[i];
        j->doc[n++] = (size_t)j->doc_index[id];
    }
    j->n = n;
    grille_attr_info *sorted =
        n ? attr_order(j->attrs, j->doc, j->no, n, j->docs, j->ndocs) : NULL;
    if (n && !sorted) {
        j->rc = SQLITE_NOMEM;
        return NULL;
    }
    free(j->attrs);
    j->attrs = sorted;
    return NULL;
}

/* Takes the job's attributes (in the documents' order, theirs set) and
 * strings into the report; false, having freed them and cleared the
 * documents' attributes, when the job failed. */
static bool attr_adopt(attr_job *j, priv *p)
{
    bool ok = j->rc == SQLITE_DONE && j->doc_index &&
              GROW(p->strings, p->cap, p->nstrings + j->strings.nstrings) ==
                  0;
    if (ok) {
        for (size_t i = 0; i < j->strings.nstrings; i++)
            p->strings[p->nstrings++] = j->strings.strings[i];
        p->attrs = j->attrs;
        p->nattrs = j->n;
        p->attr_no = j->no;
        p->attr_nvalues = j->nvalues;
    } else {
        for (size_t i = 0; i < j->strings.nstrings; i++)
            free(j->strings.strings[i]);
        free(j->attrs);
        free(j->no);
        for (size_t d = 0; j->docs && d < j->ndocs; d++) {
            j->docs[d].attrs = NULL;
            j->docs[d].nattrs = 0;
        }
    }
    free(j->doc);
    free(j->strings.strings);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->cond);
    return ok;
}

/* Puts the n codes read (codes, their ids and their parents' ids, all
 * in the codebook's order, then the codes kept by manual codings) in the
 * order of the tree: each code's children right after it, in the order
 * read.  A code kept by a manual coding whose parent is still in the
 * codebook (teletravail/outils after outils moved under numerique)
 * then comes under that parent, not at the end, where its indent made
 * it a child of the last theme.  Codes no root reaches (a parent not
 * read, a cycle: a damaged project, said by the caller) stay at the end,
 * in their order. */
static int tree_order(grille_report_code *codes, int64_t *ids,
                      int64_t *parents, size_t n, int64_t max_id)
{
    if (n < 2)
        return 0;
    size_t *slot = malloc((size_t)(max_id + 1) * sizeof(*slot));
    size_t *first = malloc(n * sizeof(*first)); /* first child */
    size_t *next = malloc(n * sizeof(*next));   /* next sibling */
    size_t *order = malloc(n * sizeof(*order));
    size_t *stack = malloc(n * sizeof(*stack));
    bool *done = calloc(n, sizeof(*done));
    grille_report_code *c2 = malloc(n * sizeof(*c2));
    int64_t *i2 = malloc(n * sizeof(*i2)), *p2 = malloc(n * sizeof(*p2));
    int ret = -1;
    if (!slot || !first || !next || !order || !stack || !done || !c2 ||
        !i2 || !p2)
        goto out;
    const size_t none = (size_t)-1;
    for (int64_t i = 0; i <= max_id; i++)
        slot[i] = none;
    for (size_t i = 0; i < n; i++) {
        slot[ids[i]] = i;
        first[i] = next[i] = none;
    }
    /* children lists in the order read: built from the last */
    for (size_t i = n; i-- > 0;) {
        int64_t pr = parents[i];
        size_t up = pr >= 0 && pr <= max_id ? slot[pr] : none;
        if (pr >= 0 && up != none) {
            next[i] = first[up];
            first[up] = i;
        }
    }
    size_t k = 0;
    for (size_t root = 0; root < n; root++) {
        if (parents[root] >= 0)
            continue;
        size_t sp = 0;
        stack[sp++] = root;
        while (sp > 0) {
            size_t c = stack[--sp];
            if (done[c])
                continue;
            done[c] = true;
            order[k++] = c;
            /* children pushed last first, so that they come out in order */
            size_t m = 0;
            for (size_t ch = first[c]; ch != none; ch = next[ch])
                m++;
            size_t at = sp + m;
            for (size_t ch = first[c]; ch != none; ch = next[ch])
                stack[--at] = ch;
            sp += m;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!done[i])
            order[k++] = i;
    for (size_t i = 0; i < n; i++) {
        c2[i] = codes[order[i]];
        i2[i] = ids[order[i]];
        p2[i] = parents[order[i]];
    }
    memcpy(codes, c2, n * sizeof(*codes));
    memcpy(ids, i2, n * sizeof(*ids));
    memcpy(parents, p2, n * sizeof(*parents));
    ret = 0;
out:
    free(slot);
    free(first);
    free(next);
    free(order);
    free(stack);
    free(done);
    free(c2);
    free(i2);
    free(p2);
    return ret;
}

/* What build() returns when a document has no doc_stats row: the report
 * is made again from the codings. */
#define FROM_CODINGS INT_MIN

static int build(grille_report **out, grille_store *s,
                 const grille_report_want *want, bool codings,
                 grille_error *err)
{
    sqlite3 *db = grille_store__db(s);
    sqlite3_stmt *st = NULL;
    sqlite3_blob *blob = NULL;
    grille_report *r = calloc(1, sizeof(*r));
    priv *p = calloc(1, sizeof(*p));
    int64_t *code_index = NULL, *doc_index = NULL;
    int64_t *ids = NULL, *parents = NULL;
    size_t *attr_doc = NULL;
    size_t cap = 0, cap2 = 0;
    int64_t max_code = 0, max_doc = 0;
    seg_state g = {.segment = -1};
    gbuf fold = {0}; /* the folded term of the coding at hand */
    attr_job job = {0};
    pthread_t reader;
    bool reading = false, have_attrs = false;
    int rc, ret = 0;
    *out = NULL;
    if (p)
        p->from_codings = codings;
    if (!r || !p) {
        free(r);
        free(p);
        return grille__nomem(err);
    }
    r->priv = p;
    /* inside a write transaction, the term counts of its writes first */
    if ((ret = grille_store__terms_sync(s, err)) < 0) {
        free(r);
        free(p);
        return ret;
    }
    /* A consistent snapshot of the project for the whole report (a
     * savepoint: inside the caller's grille_store_read_begin, if any) */
    grille_store__small_cache(s, true);
    bool have_before = grille_store__snapshot_header(s, job.before);
    rc = sqlite3_exec(db, "SAVEPOINT report", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;

    /* the attributes: on a thread and a connection of their own when
     * that is safe (see attr_job), from now on, by document id; else
     * below */
    if (have_before && (!want->attrs || want->attrs[0]) &&
        sqlite3_threadsafe()) {
        int64_t most = 0;
        rc = sqlite3_prepare_v2(db, "SELECT max(id) FROM documents", -1, &st,
                                NULL);
        if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            most = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        st = NULL;
        if (rc != SQLITE_OK)
            goto sqlfail;
        if (most >= PARALLEL_DOCS) {
            job.path = grille_store__path(s);
            job.spellings = grille_store__attr_spellings(s);
            job.want = want;
            job.rc = SQLITE_ERROR;
            pthread_mutex_init(&job.lock, NULL);
            pthread_cond_init(&job.cond, NULL);
            reading = grille__thread_create(&reader, attr_thread, &job) == 0;
            if (!reading) {
                pthread_mutex_destroy(&job.lock);
                pthread_cond_destroy(&job.cond);
            }
        }
    }

    /* codes: the codebook's in order, then those kept by manual codings
     * and their ancestors (a coding counts for every ancestor, as in
     * doc_stats, even one with no coding of its own) */
    rc = sqlite3_prepare_v2(
        db,
        "WITH RECURSIVE kept(id) AS (SELECT id FROM codes WHERE in_codebook "
        "OR EXISTS (SELECT 1 FROM codings c WHERE c.code = codes.id) UNION "
        "SELECT k.parent FROM codes k JOIN kept ON k.id = kept.id WHERE "
        "k.parent IS NOT NULL) "
        "SELECT id, code, label, description, color, parent, depth, "
        "in_codebook FROM codes WHERE id IN kept ORDER BY position IS NULL, "
        "position, code",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(p->codes, cap, r->ncodes + 1) < 0 ||
            GROW(ids, cap2, r->ncodes + 1) < 0)
            goto nomem;
        int64_t *more = realloc(parents, cap2 * sizeof(*parents));
        if (!more)
            goto nomem; /* parents, still there, freed below */
        parents = more;
        grille_report_code *c = &p->codes[r->ncodes];
        memset(c, 0, sizeof(*c));
        ids[r->ncodes] = sqlite3_column_int64(st, 0);
        c->id = keep_col(p, st, 1);
        c->label = keep_col(p, st, 2);
        c->description = keep_col(p, st, 3);
        c->color = keep_col(p, st, 4);
        parents[r->ncodes] = sqlite3_column_type(st, 5) == SQLITE_NULL
                                 ? -1
                                 : sqlite3_column_int64(st, 5);
        c->depth = (unsigned)sqlite3_column_int(st, 6);
        c->in_codebook = sqlite3_column_int(st, 7) != 0;
        if (!c->id || !c->label || !c->description || !c->color)
            goto nomem;
        /* shown in HTML as it is: a colour and nothing else */
        if (!grille__color_ok(c->color)) {
            ret = grille__bad_color(err, grille_store__path(s), c->id,
                                    c->color);
            goto fail;
        }
        if (ids[r->ncodes] > max_code)
            max_code = ids[r->ncodes];
        r->ncodes++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
        goto sqlfail;
    if (tree_order(p->codes, ids, parents, r->ncodes, max_code) < 0)
        goto nomem;
    code_index = malloc((size_t)(max_code + 1) * sizeof(*code_index));
    p->code_index = code_index; /* kept for the quotes read later */
    p->max_code = max_code;
    if (!code_index)
        goto nomem;
    for (int64_t i = 0; i <= max_code; i++)
        code_index[i] = -1;
    for (size_t i = 0; i < r->ncodes; i++)
        code_index[ids[i]] = (int64_t)i;
    for (size_t i = 0; i < r->ncodes; i++) {
        int64_t pr = parents[i];
        p->codes[i].parent =
            pr >= 0 && pr <= max_code ? (long)code_index[pr] : -1;
        /* every ancestor of a code read is read: one not there is not
         * in the table (by hand), and the code is no theme */
        if (pr >= 0 && p->codes[i].parent < 0) {
            ret = grille__error(err, GRILLE_ESTORE, grille_store__path(s), 0,
                                0,
                                _("the project file is damaged: code '%s' "
                                  "has the parent #%lld, which is not in "
                                  "the project"),
                                p->codes[i].id, (long long)pr);
            goto fail;
        }
    }
    /* a cycle of parents (a project edited by another tool) would send
     * the roll-ups below round for ever: a damaged project */
    for (size_t i = 0; i < r->ncodes; i++) {
        size_t up = 0;
        for (long c = p->codes[i].parent; c >= 0 && up <= r->ncodes; up++)
            c = p->codes[c].parent;
        if (up > r->ncodes) {
            ret = grille__error(err, GRILLE_ESTORE, grille_store__path(s), 0,
                                0,
                                _("the project file is damaged: the parents "
                                  "of code '%s' make a cycle"),
                                p->codes[i].id);
            goto fail;
        }
    }
    p->code_ids = ids; /* kept for the quotes read later */
    free(parents);
    ids = parents = NULL;

    /* documents: their figures from doc_stats when every document has its
     * row there (always, but for a project written by hand), read with
     * the counts below in doc_stats' order */
    bool stats = !codings;
    size_t cap_docs = 0;
    rc = sqlite3_prepare_v2(
        db,
        stats ? "SELECT id, name, 0, 0, 0 FROM documents ORDER BY name"
              : "SELECT d.id, d.name, d.words, (SELECT count(*) FROM "
                "segments g WHERE g.document = d.id), 0 FROM documents d "
                "ORDER BY d.name",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(p->docs, cap_docs, r->ndocs + 1) < 0)
            goto nomem;
        grille_report_doc *d = &p->docs[r->ndocs];
        memset(d, 0, sizeof(*d));
        d->id = sqlite3_column_int64(st, 0);
        d->name = keep_col(p, st, 1);
        d->words = (size_t)sqlite3_column_int64(st, 2);
        d->segments = (size_t)sqlite3_column_int64(st, 3);
        d->coded_segments = (size_t)sqlite3_column_int64(st, 4);
        if (!d->name)
            goto nomem;
        if (d->id > max_doc)
            max_doc = d->id;
        r->words += d->words;
        r->segments += d->segments;
        r->ndocs++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
        goto sqlfail;
    doc_index = malloc((size_t)(max_doc + 1) * sizeof(*doc_index));
    if (!doc_index)
        goto nomem;
    for (int64_t i = 0; i <= max_doc; i++)
        doc_index[i] = -1;
    for (size_t i = 0; i < r->ndocs; i++)
        doc_index[p->docs[i].id] = (int64_t)i;

    if (reading)
        attr_documents(&job, doc_index, max_doc, p->docs, r->ndocs);

    size_t nc = r->ncodes, nd = r->ndocs;
    p->ncells = nd * nc + 1;
    p->ncodes = nc;
    p->cell_segments = grille__big_calloc(p->ncells, sizeof(size_t));
    p->cell_hits = grille__big_calloc(p->ncells, sizeof(size_t));
    p->pairs = calloc(nc * nc + 1, sizeof(size_t));
    /* the best quotes: kept by the pass over the codings, read from
     * doc_stats only when wanted */
    /* counts and best quotes from doc_stats when every document has its
     * row; the top terms then need only the codes and terms of the
     * codings, without the join to their segments */
    bool fast = stats;
    if (want->quotes || !fast)
        p->rank = grille__big_calloc(p->ncells, sizeof(grille_report_rank));
    /* with lazy quotes, only the pages of the quotes read are touched:
     * not made present (grille__big_calloc) as the counts are */
    p->best_sparse = want->quotes && want->lazy_quotes;
    if (want->quotes)
        p->best = p->best_sparse
                      ? grille__lazy_calloc(p->ncells,
                                            sizeof(grille_report_quote))
                      : grille__big_calloc(p->ncells,
                                           sizeof(grille_report_quote));
    p->terms = calloc(nc + 1, sizeof(term_map));
    g.hits = calloc(nc + 1, sizeof(size_t));
    g.touched = calloc(nc + 1, sizeof(size_t));
    if (!p->cell_segments || !p->cell_hits || !p->pairs ||
        (!p->rank && (want->quotes || !fast)) ||
        (!p->best && want->quotes) ||
        !p->terms || !g.hits || !g.touched)
        goto nomem;

    if (fast) {
        rc = from_stats(db, r, p, code_index, max_code, doc_index, max_doc,
                        grille_store__cell_fields(s));
        if (rc == SQLITE_NOTFOUND) {
            ret = FROM_CODINGS;
            goto fail;
        }
        if (rc != SQLITE_DONE)
            goto sqlfail;
        if (want->terms &&
            (rc = count_terms(db, grille_store__has_term_stats(s), p,
                              code_index, max_code, &fold)) != 0) {
            if (rc == SQLITE_NOMEM)
                goto nomem;
            if (rc == SQLITE_NOTFOUND) { /* term_stats damaged */
                ret = FROM_CODINGS;
                goto fail;
            }
            goto sqlfail;
        }
        goto counted;
    }
    /* one pass over the codings */
    /* by segment: by id where ids hold their segment (no sort) */
    rc = sqlite3_prepare_v2(db,
                            grille_store__coding_ranges(s)
                                ? "SELECT g.document, c.segment, c.code, "
                                  "c.term, g.\"end\" - g.start, c.id FROM "
                                  "codings c JOIN segments g ON g.id = "
                                  "c.segment ORDER BY c.id"
                                : "SELECT g.document, c.segment, c.code, "
                                  "c.term, g.\"end\" - g.start, c.id FROM "
                                  "codings c JOIN segments g ON g.id = "
                                  "c.segment ORDER BY c.segment",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seg = sqlite3_column_int64(st, 1);
        int64_t code = sqlite3_column_int64(st, 2);
        if (seg != g.segment) {
            flush(r, p, &g);
            int64_t doc = sqlite3_column_int64(st, 0);
            if (doc < 0 || doc > max_doc || doc_index[doc] < 0) {
                ret = grille__error(
                    err, GRILLE_ESTORE, grille_store__path(s), 0, 0,
                    _("the project file is damaged: segment #%lld has "
                      "codings, and its document (#%lld) is not in the "
                      "project"),
                    (long long)seg, (long long)doc);
                goto fail;
            }
            g.segment = seg;
            g.doc = (size_t)doc_index[doc];
            g.len = (size_t)sqlite3_column_int64(st, 4);
        }
        if (code < 0 || code > max_code || code_index[code] < 0) {
            /* every code of a coding is read: this one is not in the
             * table (gone by hand, or never there) */
            ret = grille__error(err, GRILLE_ESTORE, grille_store__path(s), 0,
                                0,
                                _("the project file is damaged: a coding of "
                                  "segment #%lld has the code #%lld, which "
                                  "is not in the project"),
                                (long long)seg, (long long)code);
            goto fail;
        }
        const char *term = (const char *)sqlite3_column_text(st, 3);
        size_t tl = (size_t)sqlite3_column_bytes(st, 3);
        r->hits++;
        uint64_t th = 0;
        if (term) { /* folded once for the code and its ancestors */
            fold.len = 0;
            if (grille__fold(&fold, term, tl) < 0 ||
                (grille__squeeze(&fold, 0), gbuf_put(&fold, "", 0)) < 0)
                goto nomem;
            th = term_hash(fold.data, fold.len);
        }
        for (long c = (long)code_index[code]; c >= 0; c = p->codes[c].parent) {
            if (g.hits[c]++ == 0)
                g.touched[g.ntouched++] = (size_t)c;
            if (term && count_term(&p->terms[c], fold.data, fold.len, th,
                                   term, tl, 1, seg,
                                   sqlite3_column_int64(st, 5)) < 0)
                goto nomem;
        }
    }
    flush(r, p, &g);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
        goto sqlfail;

counted:
    if (reading) {
        pthread_join(reader, NULL);
        reading = false;
        have_attrs = attr_adopt(&job, p);
    }
    if (!have_attrs) {
        rc = read_attrs(db, p, want, grille_store__attr_spellings(s),
                        doc_index, max_doc, &p->attrs, &attr_doc,
                        &p->attr_no, &p->attr_nvalues, &p->nattrs);
        if (rc == SQLITE_NOMEM)
            goto nomem;
        if (rc != SQLITE_DONE)
            goto sqlfail;
        /* read in id order (or key order), keys sorted in each document;
         * put in the documents' (name) order, keeping each one's */
        if (p->nattrs) {
            grille_attr_info *sorted =
                attr_order(p->attrs, attr_doc, p->attr_no, p->nattrs,
                           p->docs, r->ndocs);
            if (!sorted)
                goto nomem;
            free(p->attrs);
            p->attrs = sorted;
        }
    }

    if (!stats) /* from_stats counted them */
        for (size_t d = 0; d < nd; d++)
            for (size_t c = 0; c < nc; c++)
                if (p->cell_segments[d * nc + c])
                    p->codes[c].documents++;
    for (size_t c = 0; c < nc; c++) {
        grille_report_code *k = &p->codes[c];
        term_map *m = &p->terms[c];
        for (size_t i = 0; i < m->n; i++)
            term_show(&m->v[i]);
        if (m->n)
            qsort(m->v, m->n, sizeof(term_count), by_count);
        for (size_t i = 0; i < m->n && i < 8; i++) {
            k->top_terms[i] = m->v[i].display;
            k->top_counts[i] = m->v[i].count;
            k->ntop++;
        }
    }

    if (stats)
        goto coded;
    /* per document coded segments, and the text of each best quote */
    rc = sqlite3_prepare_v2(db,
                            "SELECT g.document, count(DISTINCT c.segment) "
                            "FROM codings c JOIN segments g ON g.id = "
                            "c.segment GROUP BY g.document",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto sqlfail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id >= 0 && id <= max_doc && doc_index[id] >= 0)
            p->docs[doc_index[id]].coded_segments =
                (size_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
        goto sqlfail;
coded:
    if (!want->quotes) {
        grille__big_free(p->rank, p->ncells, sizeof(grille_report_rank));
        p->rank = NULL;
        goto quoted;
    }
    if (!want->lazy_quotes && (ret = read_quotes(s, p, NULL, nd * nc, err)))
        goto fail;
quoted:
    sqlite3_exec(db, "RELEASE report", NULL, NULL, NULL);
    r->codes = p->codes;
    r->docs = p->docs;
    r->cell_segments = p->cell_segments;
    r->cell_hits = p->cell_hits;
    r->pair_segments = p->pairs;
    r->best = p->best;
    r->rank = p->rank;
    goto done;
nomem:
    ret = grille__nomem(err);
    goto fail;
sqlfail:
    ret = grille_store__error(s, err, rc, "build the report");
fail:
    sqlite3_blob_close(blob);
    sqlite3_finalize(st);
    sqlite3_exec(db, "ROLLBACK TO report; RELEASE report", NULL, NULL, NULL);
done:
    if (reading) { /* left on an error */
        attr_documents(&job, NULL, 0, NULL, 0);
        pthread_join(reader, NULL);
        attr_adopt(&job, p);
    }
    grille_store__small_cache(s, false);
    free(ids);
    free(parents);
    free(attr_doc);
    free(doc_index);
    free(g.hits);
    free(g.touched);
    gbuf_free(&fold);
    if (ret < 0) {
        grille_report_free(r);
        return ret;
    }
    *out = r;
    return 0;
}

int grille_report_build_some(grille_report **out, grille_store *s,
                             const grille_report_want *want,
                             grille_error *err)
{
    static const grille_report_want all = {true, true, NULL, false};
    if (!want) /* everything, as grille_report_build */
        want = &all;
    int rc = build(out, s, want, false, err);
    return rc == FROM_CODINGS ? build(out, s, want, true, err) : rc;
}
