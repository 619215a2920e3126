/*
 * synth.c - figures derived from a grille_report for the synthesis
 * commands: which codes to show, co-occurrence matrices (count, Jaccard,
 * lift) at the segment or document level, and comparisons of groups of
 * documents with Lafon's specificities (DESIGN §6).
 */
#include "synth.h"

#include <stdlib.h>
#include <string.h>

/* The project synth_load read, for the hints of errors. */
static const char *loaded_db = "grille.db";

int synth_load(const char *db, grille_store **s, grille_report **r,
               const grille_report_want *want)
{
    loaded_db = db;
    static const grille_report_want all = {true, true, NULL, false};
    grille_error err = {0};
    *r = NULL;
    if (cli_open_store(s, db, true) < 0)
        return -1;
    /* one snapshot for the report and what the command reads after it
     * (quote texts): an add or rm meanwhile is not half seen; it ends
     * when the store is closed */
    if (grille_store_read_begin(*s, &err) < 0 ||
        grille_report_build_some(r, *s, want ? want : &all, &err) < 0) {
        cli_lib_error(&err);
        grille_store_close(*s);
        *s = NULL;
        return -1;
    }
    return 0;
}

typedef struct folded_value {
    char *f;  /* the value folded */
    size_t i; /* its index */
} folded_value;

static int by_fold(const void *a, const void *b)
{
    const folded_value *x = a, *y = b;
    int c = strcmp(x->f, y->f);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int by_pair(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* grille_fold(v), without its cost for the common values: ASCII and the
 * letters of U+00C0..U+00FF (Saint-Félix), folded as grille_fold does;
 * any other character goes to grille_fold. */
static char *quick_fold(const char *v)
{
    static const char *const latin1[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i",
        "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u",
        "u", "u", "u", "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae",
        "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o",
        "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y"};
    size_t n = strlen(v), o = 0;
    char *f = malloc(2 * n + 1);
    bool space = false;
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        const char *r = NULL;
        if (c == 0xC3 && ((unsigned char)v[i + 1] & 0xC0) == 0x80)
            r = latin1[(unsigned char)v[++i] & 0x3F];
        if (c >= 0x80 && !r) {
            free(f);
            return grille_fold(v);
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
            c == '\f') {
            space = o > 0;
            continue;
        }
        if (space)
            f[o++] = ' ';
        space = false;
        if (r) {
            while (*r)
                f[o++] = *r++;
        } else {
            f[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    }
    f[o] = '\0';
    return f;
}

/* s with the spaces a reader cannot tell from a space, and line ends,
 * spelt out: 'Saint<U+00A0>Denis' beside 'Saint Denis' (malloc'd). */
static char *visible(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *v = malloc(8 * n + 1); /* a byte may become 8 */
    if (!v)
        return NULL;
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)s + i;
        unsigned cp = 0, len = 1;
        if (u[0] == 0xC2 && i + 1 < n && (u[1] == 0xA0 || u[1] == 0x85))
            cp = u[1], len = 2;
        else if (u[0] == 0xE2 && i + 2 < n && u[1] == 0x80 &&
                 ((u[2] >= 0x80 && u[2] <= 0x8B) || u[2] == 0xAF))
            cp = 0x2000 + (u[2] - 0x80), len = 3;
        else if (u[0] == '\n' || u[0] == '\r' || u[0] == '\t')
            cp = u[0];
        if (!cp) {
            v[o++] = s[i++];
            continue;
        }
        o += (size_t)sprintf(v + o, "<U+%04X>", cp);
        i += len;
    }
    v[o] = 0;
    return v;
}

static bool taken(const char *const *values, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (values[i] && strcmp(values[i], label) == 0)
            return true;
    return false;
}

const char *synth_none_label(const char *const *values, size_t n)
{
    const char *labels[] = {_("(none)"), _("(no value)"), _("(missing)")};
    for (size_t k = 0; k < sizeof(labels) / sizeof(*labels); k++)
        if (!taken(values, n, labels[k]))
            return labels[k];
    /* every one a value of some document: "(no value 2)"... */
    static char more[64];
    for (unsigned k = 2;; k++) {
        snprintf(more, sizeof(more), _("(no value %u)"), k);
        if (!taken(values, n, more))
            return more;
    }
}

void synth_warn_spellings(const char *const *values, size_t n,
                          const char *by)
{
    /* the values sorted by their fold: the spellings of one value are
     * neighbours (a pass over every pair took 0.7 s for 18,000
     * collectivités) */
    folded_value *v = calloc(n + 1, sizeof(*v));
    size_t nv = 0, npairs = 0, cap = 0, *pairs = NULL;
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        if (values[i] && (v[nv].f = quick_fold(values[i])))
            v[nv++].i = i;
    if (nv > 1)
        qsort(v, nv, sizeof(*v), by_fold);
    for (size_t a = 0, b; a < nv; a = b) {
        for (b = a + 1; b < nv && strcmp(v[a].f, v[b].f) == 0; b++)
            ;
        /* a value's spellings sorted by index: its first five pairs, in
         * the values' order, are all the warning can name of it (the
         * pairs of thousands of spellings would be millions) */
        size_t kept = 0;
        for (size_t x = a; x < b && kept < 5; x++)
            for (size_t y = x + 1; y < b && kept < 5; y++, kept++) {
                if (npairs == cap) {
                    size_t *more = realloc(pairs, (cap = 2 * cap + 8) * 2 *
                                                      sizeof(*pairs));
                    if (!more)
                        goto out;
                    pairs = more;
                }
                pairs[2 * npairs] = v[x].i;
                pairs[2 * npairs + 1] = v[y].i;
                npairs++;
            }
    }
    /* the first five pairs in the values' order */
    if (npairs > 1)
        qsort(pairs, npairs, 2 * sizeof(*pairs), by_pair);
    char *said = NULL;
    for (size_t k = 0; k < npairs && k < 5; k++) {
        char *more = NULL, *a = visible(values[pairs[2 * k]]),
             *b = visible(values[pairs[2 * k + 1]]);
        int w = a && b ? asprintf(&more, "%s%s'%s' and '%s'",
                                  said ? said : "", said ? ", " : "", a, b)
                       : -1;
        free(a);
        free(b);
        if (w < 0)
            break;
        free(said);
        said = more;
    }
    if (said)
        cli_warning(_("values of '%s' that differ only by case, accents, "
                      "apostrophes or spaces are separate groups: %s; give "
                      "them one "
                      "spelling (grille attr set, or a cases file) to group "
                      "them"),
                    by, said);
    free(said);
out:
    free(pairs);
    for (size_t i = 0; i < nv; i++)
        free(v[i].f);
    free(v);
}

void synth_warn_variants(const compare *m, const char *by)
{
    const char **values = calloc(m->ngroups + 1, sizeof(*values));
    if (!values)
        return;
    for (size_t i = 0; i < m->ngroups; i++)
        values[i] = m->groups[i].none ? NULL : m->groups[i].value;
    synth_warn_spellings(values, m->ngroups, by);
    free(values);
}

bool synth_known_by(const grille_report *r, const char *by)
{
    bool known = !r->ndocs;
    for (size_t d = 0; d < r->ndocs && !known; d++)
        known = grille_report_attr(r, d, by) != NULL;
    return known;
}

/* The nearest of the project's attribute keys to a --by that none has. */
typedef struct near_key {
    char *want; /* folded */
    char best[128];
    size_t d;
} near_key;

static int near_key_cb(const char *key, void *payload)
{
    near_key *n = payload;
    char *f = grille_fold(key);
    if (!f)
        return 0;
    size_t len = strlen(f), d = cli_typo_distance(n->want, f);
    /* as for a front matter's keys: two edits for a long key, one for a
     * short one ("tpye", "rol") */
    if (d < n->d && d <= (len > 5 ? 2u : 1u) && strlen(key) < sizeof(n->best)) {
        n->d = d;
        strcpy(n->best, key);
    }
    grille_free(f);
    return 0;
}

const char *synth_near_key(grille_store *s, const char *by, char *buf,
                           size_t cap)
{
    near_key n = {grille_fold(by), "", 3};
    grille_error err = {0};
    if (n.want && n.want[0])
        grille_store_foreach_attr_key(s, near_key_cb, &n, &err);
    grille_free(n.want);
    if (!n.best[0] || strlen(n.best) >= cap)
        return NULL;
    strcpy(buf, n.best);
    return buf;
}

void synth_warn_unknown_by(grille_store *s, const grille_report *r,
                           const char *by)
{
    if (synth_known_by(r, by))
        return;
    char buf[128];
    const char *near = synth_near_key(s, by, buf, sizeof(buf));
    if (near)
        cli_warning(_("no document has a value for the attribute '%s': did "
                      "you mean '%s'? (see 'grille list')"),
                    by, near);
    else
        cli_warning(_("no document has a value for the attribute '%s' "
                      "(see 'grille list')"),
                    by);
}

size_t synth_find_code(const grille_report *r, const char *name,
                       size_t *several)
{
    if (several)
        *several = r->ncodes;
    for (size_t k = 0; k < r->ncodes; k++)
        if (strcmp(r->codes[k].id, name) == 0)
            return k;
    char *want = grille_fold(name);
    if (!want)
        cli_nomem();
    size_t found = r->ncodes;
    for (size_t k = 0; k < r->ncodes; k++) {
        char *id = grille_fold(r->codes[k].id);
        char *label = grille_fold(r->codes[k].label);
        if (!id || !label)
            cli_nomem();
        bool same = strcmp(id, want) == 0 || strcmp(label, want) == 0;
        grille_free(id);
        grille_free(label);
        if (!same)
            continue;
        if (found < r->ncodes) {
            if (several)
                *several = k;
            grille_free(want);
            return r->ncodes;
        }
        found = k;
    }
    grille_free(want);
    return found;
}

void synth_no_code(const grille_report *r, const char *name)
{
    size_t several;
    if (synth_find_code(r, name, &several) == r->ncodes &&
        several < r->ncodes) {
        size_t first = synth_find_code(r, r->codes[several].id, NULL);
        char *want = grille_fold(name);
        for (size_t k = 0; want && k < several; k++) {
            char *id = grille_fold(r->codes[k].id);
            char *label = grille_fold(r->codes[k].label);
            if (id && label &&
                (strcmp(id, want) == 0 || strcmp(label, want) == 0))
                first = k;
            grille_free(id);
            grille_free(label);
            if (first == k)
                break;
        }
        grille_free(want);
        cli_error(_("'%s' names several codes (%s, %s): give its id"), name,
                  r->codes[first].id, r->codes[several].id);
        return;
    }
    /* a sub-theme named by its last part: "protection" */
    size_t tl = strlen(name), near = r->ncodes;
    for (size_t k = 0; k < r->ncodes && near == r->ncodes; k++) {
        size_t il = strlen(r->codes[k].id);
        if (il > tl && r->codes[k].id[il - tl - 1] == '/' &&
            strcmp(r->codes[k].id + il - tl, name) == 0)
            near = k;
    }
    if (near < r->ncodes) {
        cli_error(_("no code '%s' in the project: a sub-theme is named by "
                    "its path, '%s'"),
                  name, r->codes[near].id);
        return;
    }
    /* a typo: the code whose id (or its last part) or label, folded, is
     * nearest, two edits away at most ("sanet", "telettravail") */
    char *want = grille_fold(name);
    size_t best = 3, typo = r->ncodes;
    for (size_t k = 0; want && k < r->ncodes; k++) {
        const char *id = r->codes[k].id, *slash = strrchr(id, '/');
        char *f[3] = {grille_fold(id), grille_fold(r->codes[k].label),
                      slash ? grille_fold(slash + 1) : NULL};
        for (int x = 0; x < 3; x++) {
            size_t d = f[x] ? cli_typo_distance(want, f[x]) : 3;
            /* one edit for a word of five letters or less: "elu" is no
             * "eau" */
            if (d < best && (d < 2 || strlen(want) > 5)) {
                best = d;
                typo = k;
            }
            grille_free(f[x]);
        }
    }
    grille_free(want);
    if (typo < r->ncodes && best == 0) /* "Protection": its last part */
        cli_error(_("no code '%s' in the project: a sub-theme is named by "
                    "its path, '%s'"),
                  name, r->codes[typo].id);
    else if (typo < r->ncodes)
        cli_error(_("no code '%s' in the project: did you mean '%s'?"), name,
                  r->codes[typo].id);
    else
        cli_error(_("no code '%s' in the project (see 'grille codebook "
                    "show -d %s')"),
                  name, loaded_db);
}

long synth_codes(const grille_report *r, const char *list, bool all,
                 size_t **out)
{
    size_t *v = calloc(r->ncodes + 1, sizeof(*v));
    size_t n = 0;
    *out = v;
    if (!v)
        return -1;
    if (!list) {
        for (size_t c = 0; c < r->ncodes; c++)
            if (all || r->codes[c].parent < 0)
                v[n++] = c;
        return (long)n;
    }
    /* ids are separated by commas, and an id may hold one ("c,d"): at
     * each place the longest run of pieces that is an id is taken */
    char *copy = strdup(list);
    if (!copy)
        return -1;
    for (char *tok = copy; tok;) {
        while (*tok == ' ')
            tok++;
        if (*tok == ',') { /* an empty piece: "a,,b", "a," */
            tok++;
            continue;
        }
        if (!*tok)
            break;
        size_t c = r->ncodes;
        char *end = tok + strlen(tok), *next = NULL;
        for (;;) {
            char keep = *end;
            *end = '\0';
            /* an id, or a code's id or label in other case or accents
             * ("Santé", "RH et dialogue social"), as quotes takes it */
            c = synth_find_code(r, tok, NULL);
            *end = keep;
            if (c < r->ncodes) {
                next = *end ? end + 1 : NULL;
                break;
            }
            char *comma = end > tok ? memrchr(tok, ',', (size_t)(end - tok))
                                    : NULL;
            if (!comma)
                break;
            end = comma;
        }
        if (c == r->ncodes) {
            char *comma = strchr(tok, ',');
            if (comma)
                *comma = '\0';
            synth_no_code(r, tok);
            free(copy);
            return -1;
        }
        tok = next;
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= v[i] == c;
        if (!dup && n < r->ncodes)
            v[n++] = c;
    }
    free(copy);
    if (!n) {
        cli_error(_("--codes names no code: give code ids separated by "
                    "commas (see 'grille codebook show -d %s')"),
                  loaded_db);
        return -1;
    }
    return (long)n;
}

int cooc_compute(cooc *c, const grille_report *r, const size_t *codes,
                 size_t k, bool documents)
{
    memset(c, 0, sizeof(*c));
    c->documents = documents;
    c->k = k;
    c->n = documents ? r->ndocs : r->segments;
    c->codes = malloc((k + 1) * sizeof(size_t));
    c->units = calloc(k + 1, sizeof(size_t));
    c->count = calloc(k * k + 1, sizeof(size_t));
    c->jaccard = calloc(k * k + 1, sizeof(double));
    c->lift = calloc(k * k + 1, sizeof(double));
    if (!c->codes || !c->units || !c->count || !c->jaccard || !c->lift)
        return -1;
    if (k)
        memcpy(c->codes, codes, k * sizeof(size_t));
    size_t nc = r->ncodes;
    for (size_t i = 0; i < k; i++) {
        size_t a = codes[i];
        c->units[i] = documents ? r->codes[a].documents : r->codes[a].segments;
    }
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++) {
            size_t a = codes[i], b = codes[j];
            size_t both = 0;
            if (documents) {
                for (size_t d = 0; d < r->ndocs; d++)
                    if (r->cell_segments[d * nc + a] &&
                        r->cell_segments[d * nc + b])
                        both++;
            } else {
                both = r->pair_segments[a * nc + b];
            }
            c->count[i * k + j] = both;
            grille_stat_association(both, c->units[i], c->units[j], c->n,
                                    &c->jaccard[i * k + j],
                                    &c->lift[i * k + j]);
        }
    }
    return 0;
}

void cooc_free(cooc *c)
{
    free(c->codes);
    free(c->units);
    free(c->count);
    free(c->jaccard);
    free(c->lift);
    memset(c, 0, sizeof(*c));
}

int compare_compute(compare *m, const grille_report *r, const char *by,
                    const size_t *codes, size_t k)
{
    memset(m, 0, sizeof(*m));
    m->by = by;
    m->k = k;
    m->doc_group = calloc(r->ndocs + 1, sizeof(size_t));
    m->groups = calloc(r->ndocs + 1, sizeof(group));
    m->codes = malloc((k + 1) * sizeof(size_t));
    if (!m->doc_group || !m->groups || !m->codes)
        return -1;
    if (k)
        memcpy(m->codes, codes, k * sizeof(size_t));
    /* the distinct values (numbered by the report), sorted, "(none)"
     * last */
    const char **vals;
    size_t nv, *of;
    grille_error err = {0};
    if (grille_report_attr_values(r, by, &vals, &nv, &of, &err) < 0)
        return -1;
    const char **sorted = malloc((nv + 1) * sizeof(*sorted));
    size_t *group_of = malloc((nv + 1) * sizeof(*group_of));
    bool none = false;
    int rc = sorted && group_of ? 0 : -1;
    if (rc == 0 && nv) {
        memcpy(sorted, vals, nv * sizeof(*sorted));
        qsort(sorted, nv, sizeof(*sorted), cli_cmp_str);
    }
    for (size_t d = 0; rc == 0 && d < r->ndocs; d++)
        none |= of[d] == SIZE_MAX;
    const char *none_label = rc == 0 ? synth_none_label(sorted, nv) : NULL;
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        if (!(m->groups[i].value = strdup(sorted[i])))
            rc = -1;
        else
            m->ngroups++;
    }
    for (size_t i = 0; rc == 0 && i < nv; i++) /* value i's group */
        group_of[i] = (size_t)((const char **)bsearch(&vals[i], sorted, nv,
                                                      sizeof(*sorted),
                                                      cli_cmp_str) -
                               sorted);
    if (rc == 0 && none) {
        group *g = &m->groups[m->ngroups];
        if (!(g->value = strdup(none_label)))
            rc = -1;
        else {
            g->none = true;
            m->ngroups++;
        }
    }
    size_t G = m->ngroups, nc = r->ncodes;
    for (size_t d = 0; rc == 0 && d < r->ndocs; d++) {
        size_t g = of[d] == SIZE_MAX ? G - 1 : group_of[of[d]];
        m->doc_group[d] = g;
        m->groups[g].documents++;
        m->groups[g].segments += r->docs[d].segments;
        m->groups[g].words += r->docs[d].words;
    }
    free(sorted);
    free(group_of);
    free(vals);
    free(of);
    if (rc < 0)
        return -1;
    m->docs = calloc(k * G + 1, sizeof(size_t));
    m->segs = calloc(k * G + 1, sizeof(size_t));
    m->hits = calloc(k * G + 1, sizeof(size_t));
    m->share = calloc(k * G + 1, sizeof(double));
    m->rate = calloc(k * G + 1, sizeof(double));
    m->spec = calloc(k * G + 1, sizeof(double));
    if (!m->docs || !m->segs || !m->hits || !m->share || !m->rate || !m->spec)
        return -1;
    for (size_t i = 0; i < k; i++) {
        size_t c = codes[i];
        for (size_t d = 0; d < r->ndocs; d++) {
            size_t cell = i * G + m->doc_group[d];
            size_t s = r->cell_segments[d * nc + c];
            m->segs[cell] += s;
            m->hits[cell] += r->cell_hits[d * nc + c];
            if (s)
                m->docs[cell]++;
        }
        for (size_t g = 0; g < G; g++) {
            size_t cell = i * G + g;
            const group *gr = &m->groups[g];
            m->share[cell] = gr->segments ? (double)m->segs[cell] /
                                                (double)gr->segments
                                          : 0;
            m->rate[cell] = gr->words ? 1000.0 * (double)m->hits[cell] /
                                            (double)gr->words
                                      : 0;
            m->spec[cell] = grille_stat_specificity(
                m->segs[cell], r->codes[c].segments, gr->segments,
                r->segments);
        }
    }
    return 0;
}

void compare_free(compare *m)
{
    for (size_t g = 0; g < m->ngroups; g++)
        free(m->groups[g].value);
    free(m->groups);
    free(m->doc_group);
    free(m->codes);
    free(m->docs);
    free(m->segs);
    free(m->hits);
    free(m->share);
    free(m->rate);
    free(m->spec);
    memset(m, 0, sizeof(*m));
}

char *synth_source(const grille_report *r, size_t d)
{
    static const char *const keys[] = {"collectivite", "type", "role"};
    size_t cap = strlen(r->docs[d].name) + 16;
    for (int k = 0; k < 3; k++) {
        const char *v = grille_report_attr(r, d, keys[k]);
        if (v)
            cap += strlen(v) + 2;
    }
    char *s = malloc(cap);
    if (!s)
        cli_nomem();
    size_t o = (size_t)snprintf(s, cap, "%s", r->docs[d].name);
    bool first = true;
    for (int k = 0; k < 3; k++) {
        const char *v = grille_report_attr(r, d, keys[k]);
        if (!v)
            continue;
        o += (size_t)snprintf(s + o, cap - o, "%s%s", first ? " (" : ", ", v);
        first = false;
    }
    if (!first)
        snprintf(s + o, cap - o, ")");
    return s;
}
