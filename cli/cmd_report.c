/*
 * cmd_report.c - the synthesis reports: `grille report` (the theme report),
 * `grille cooc` (theme x theme) and `grille compare --by ATTRIBUTE`
 * (themes x groups with Lafon's specificities), in text, Markdown, CSV,
 * JSON (DESIGN §5) and self-contained HTML.
 */
#include "synth.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALL_FORMATS                                                          \
    (1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV | 1u << FMT_MD |        \
     1u << FMT_HTML)

/* The common options of the three commands. */
typedef struct ropts {
    const char *db, *out, *codes, *by;
    int format;
    bool documents, all;
    bool by_given; /* --by on the command line, not the default */
    size_t quotes;
    size_t rows; /* of the matrix and the grid in a report; 0: all */
} ropts;

/* v rounded half up to d decimals, as the tables write their figures
 * (0.0625 as 0.063, 1.125 as 1.13, -0.25 as -0.2, as the percentages
 * are): printf rounds a tie to even. */
static double half_up(double v, int d)
{
    double scale = d == 0 ? 1 : d == 1 ? 10 : d == 2 ? 100 : 1000;
    return floor(v * scale + 0.5) / scale;
}

/* num / den rounded half up to d decimals (0 to 6), from the integers: a
 * double rounds a tie the way its binary form falls (23/40 is 0.575, the
 * double 0.57499..., which half_up writes 0.57), and printf to even
 * (5391/3200, 1.6846875, as 1.684687 with "%.6f").  0 when den is. */
static double ratio_half_up(uint64_t num, uint64_t den, int d)
{
    static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    uint64_t scale = pow10[d < 0 ? 0 : d > 6 ? 6 : d];
    if (d > 3) { /* (half_up's scale stops at 3 decimals) */
        if (!den)
            return 0;
        if (num > (UINT64_MAX / 2 - den) / scale / 2 || den > UINT64_MAX / 4)
            return (double)num / (double)den;
        return (double)((2 * scale * num + den) / (2 * den)) / (double)scale;
    }
    if (!den)
        return 0;
    if (num > (UINT64_MAX / 2 - den) / scale / 2 || den > UINT64_MAX / 4)
        return half_up((double)num / (double)den, d); /* beyond any count */
    uint64_t q = (2 * scale * num + den) / (2 * den);
    return (double)q / (double)scale;
}

/* Jaccard and lift of a pair as the tables show them, rounded half up
 * from the counts to d decimals (CSV's six too). */
static double shown_jaccard(double v, uint64_t both, uint64_t na,
                            uint64_t nb, int d)
{
    if (v == 0)
        return v;
    return ratio_half_up(both, na + nb - both, d);
}

static double shown_lift(double v, uint64_t both, uint64_t na, uint64_t nb,
                         uint64_t n, int d)
{
    if (v == 0 || (na && nb > UINT64_MAX / na) ||
        (both && n > UINT64_MAX / both))
        return d > 3 ? v : half_up(v, d);
    return ratio_half_up(both * n, na * nb, d);
}


static void json_num(FILE *f, double x)
{
    if (!isfinite(x))
        fputs("null", f);
    else
        fprintf(f, "%.12g", x);
}

/* -------------------------------------------------------------- cooc */

static const char *code_id(const grille_report *r, size_t c)
{
    return r->codes[c].id;
}

static void cooc_json(FILE *f, const grille_report *r, const cooc *c)
{
    fprintf(f, "{\"level\": \"%s\", \"codes\": [",
            c->documents ? "document" : "segment");
    for (size_t i = 0; i < c->k; i++) {
        fputs(i ? ", " : "", f);
        json_cstr(f, code_id(r, c->codes[i]));
    }
    fprintf(f, "], \"n\": %zu, \"count\": [", c->n);
    for (size_t i = 0; i < c->k; i++) {
        fputs(i ? ", [" : "[", f);
        for (size_t j = 0; j < c->k; j++)
            fprintf(f, "%s%zu", j ? ", " : "", c->count[i * c->k + j]);
        fputc(']', f);
    }
    const char *names[] = {"jaccard", "lift"};
    const double *m[] = {c->jaccard, c->lift};
    for (int x = 0; x < 2; x++) {
        fprintf(f, "], \"%s\": [", names[x]);
        for (size_t i = 0; i < c->k; i++) {
            fputs(i ? ", [" : "[", f);
            for (size_t j = 0; j < c->k; j++) {
                fputs(j ? ", " : "", f);
                json_num(f, m[x][i * c->k + j]);
            }
            fputc(']', f);
        }
    }
    fputs("]}", f);
}

typedef struct pair {
    size_t i, j, count;
    double jaccard;
} pair;

/* Strongest first: by Jaccard (both / either), then by count. */
static int by_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->jaccard != y->jaccard)
        return x->jaccard > y->jaccard ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->i != y->i ? (x->i < y->i ? -1 : 1) : (x->j < y->j ? -1 : 1);
}

/* Whether code a is an ancestor of code b, or b of a: a theme and its
 * own sub-theme meet wherever the sub-theme is coded (children count for
 * their parents), and their pair says nothing of how themes go
 * together. */
static bool same_lineage(const grille_report *r, size_t a, size_t b)
{
    for (long p = r->codes[b].parent; p >= 0; p = r->codes[p].parent)
        if ((size_t)p == a)
            return true;
    for (long p = r->codes[a].parent; p >= 0; p = r->codes[p].parent)
        if ((size_t)p == b)
            return true;
    return false;
}

/* The pairs of distinct codes, strongest first; `all` keeps pairs that
 * never meet (CSV: every pair).  With `r`, a theme and its own
 * sub-themes are left out of the ranking (what the human formats show),
 * their number in *lineage. */
static pair *cooc_pairs(const cooc *c, size_t *n, bool all,
                        const grille_report *r, size_t *lineage)
{
    pair *v = calloc(c->k * c->k + 1, sizeof(*v));
    *n = 0;
    if (lineage)
        *lineage = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < c->k; i++)
        for (size_t j = i + 1; j < c->k; j++) {
            if (!all && !c->count[i * c->k + j])
                continue;
            if (r && same_lineage(r, c->codes[i], c->codes[j])) {
                if (lineage)
                    (*lineage)++;
                continue;
            }
            v[(*n)++] = (pair){i, j, c->count[i * c->k + j],
                               c->jaccard[i * c->k + j]};
        }
    if (*n > 1)
        qsort(v, *n, sizeof(*v), by_pair);
    return v;
}

/* The pairs table: A, B, count, Jaccard, lift, P(B|A), P(A|B). */
static void pairs_table(table *t, const grille_report *r, const cooc *c,
                        const pair *p, size_t n, bool csv)
{
    table_init(t, 7);
    table_head(t, 0, _("theme A"), false);
    table_head(t, 1, _("theme B"), false);
    table_head(t, 2, c->documents ? _("documents") : _("segments"), true);
    table_head(t, 3, "Jaccard", true);
    table_head(t, 4, _("lift"), true);
    table_head(t, 5, "P(B|A)", true);
    table_head(t, 6, "P(A|B)", true);
    t->first_max = 24;
    for (size_t x = 0; x < n; x++) {
        size_t i = p[x].i, j = p[x].j, k = c->k;
        size_t row = table_row(t);
        table_set(t, row, 0, "%s", code_id(r, c->codes[i]));
        table_set(t, row, 1, "%s", code_id(r, c->codes[j]));
        table_set(t, row, 2, "%zu", c->count[i * k + j]);
        const char *fmt = csv ? "%.6f" : "%.3f";
        size_t both = c->count[i * k + j], na = c->units[i],
               nb = c->units[j];
        table_set(t, row, 3, fmt,
                  shown_jaccard(c->jaccard[i * k + j], both, na, nb,
                                csv ? 6 : 3));
        table_set(t, row, 4, csv ? "%.6f" : "%.2f",
                  shown_lift(c->lift[i * k + j], both, na, nb, c->n,
                             csv ? 6 : 2));
        table_set(t, row, 5, fmt, ratio_half_up(both, na, csv ? 6 : 3));
        table_set(t, row, 6, fmt, ratio_half_up(both, nb, csv ? 6 : 3));
    }
}

/* A matrix of the selected codes with heat colours; numbered columns in
 * text and Markdown (the legend names them). */
static void cooc_matrix(doc *d, const grille_report *r, const cooc *c,
                        int which)
{
    table t;
    size_t k = c->k;
    table_init(&t, k + 1);
    table_head(&t, 0, _("theme"), false);
    t.first_max = 22;
    t.klass = "matrix";
    double max = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double v = which == 0 ? (double)c->count[i * k + j]
                       : which == 1 ? c->jaccard[i * k + j]
                                    : c->lift[i * k + j];
            if (i != j && v > max)
                max = v;
        }
    for (size_t j = 0; j < k; j++) {
        char h[32];
        if (d->fmt == FMT_HTML) {
            table_head(&t, j + 1, code_id(r, c->codes[j]), true);
        } else {
            snprintf(h, sizeof(h), "%zu", j + 1);
            table_head(&t, j + 1, h, true);
        }
    }
    for (size_t i = 0; i < k; i++) {
        size_t row = table_row(&t);
        if (d->fmt == FMT_HTML)
            table_set(&t, row, 0, "%s", code_id(r, c->codes[i]));
        else
            table_set(&t, row, 0, "%zu %s", i + 1, code_id(r, c->codes[i]));
        for (size_t j = 0; j < k; j++) {
            double v = which == 0 ? (double)c->count[i * k + j]
                       : which == 1 ? c->jaccard[i * k + j]
                                    : c->lift[i * k + j];
            if (which == 0)
                table_set(&t, row, j + 1, "%zu", c->count[i * k + j]);
            else if (i == j)
                table_set(&t, row, j + 1, "%s", "\xe2\x80\x94");
            else if (which == 1)
                table_set(&t, row, j + 1, "%.2f",
                          shown_jaccard(v, c->count[i * k + j],
                                        c->units[i], c->units[j], 2));
            else
                table_set(&t, row, j + 1, "%.1f",
                          shown_lift(v, c->count[i * k + j],
                                     c->units[i], c->units[j], c->n, 1));
            if (i != j) {
                char col[8];
                heat_color(max > 0 ? v / max : 0, col);
                table_bg(&t, row, j + 1, col);
            }
        }
    }
    doc_table(d, &t);
    table_free(&t);
}

/* What the pairs' table says when it has no row. */
static const char *no_pairs(const cooc *c, size_t lineage)
{
    return c->k < 2 ? _("Pairs need two themes at least: name two or more "
                        "with --codes.")
           : lineage ? _("No two themes co-occur but a theme and its own "
                         "sub-theme, which meet wherever the sub-theme is "
                         "coded ('grille cooc' keeps them in its matrices "
                         "and its -f csv).")
                     : _("No two themes co-occur.");
}

/* Says that the pairs of a theme and its own sub-themes are left out,
 * under a table that has rows. */
static void lineage_note(doc *d, size_t n, size_t lineage)
{
    if (n && lineage)
        doc_para(d,
                 _("Left out: %zu pair%s of a theme and its own sub-theme, "
                   "which meet wherever the sub-theme is coded ('grille "
                   "cooc' keeps them in its matrices and its -f csv)."),
                 lineage, cli_s(lineage));
}

static void cooc_human(doc *d, const grille_report *r, const cooc *c)
{
    char title[256];
    snprintf(title, sizeof(title), _("Co-occurrence of themes (%s level)"),
             c->documents ? _("document") : _("segment"));
    doc_begin(d, title);
    doc_para(d,
             _("%zu %s. Two themes co-occur in a %s coded with both (children "
               "count for their parents). Jaccard = both / either (ATLAS.ti's "
               "c-coefficient); lift = observed / expected if independent "
               "(1 = no link, above 1 = attract); P(B|A) = share of A's %s "
               "that also have B."),
             c->n,
             c->documents ? (c->n == 1 ? _("document") : _("documents"))
                          : (c->n == 1 ? _("segment") : _("segments")),
             c->documents ? _("document") : _("segment"),
             c->documents ? _("documents") : _("segments"));
    size_t n, lineage;
    pair *p = cooc_pairs(c, &n, false, r, &lineage);
    table t;
    doc_h2(d, _("Pairs, strongest first (by Jaccard)"));
    pairs_table(&t, r, c, p, n, false);
    if (n)
        doc_table(d, &t);
    else if (c->nowhere && c->k < 2)
        /* the themes asked for were many, and are coded nowhere but one
         * at most: no --codes to give */
        doc_para(d,
                 _("No pair: %zu of the themes are coded nowhere, and %zu "
                   "coded."),
                 c->nowhere, c->k);
    else
        doc_para(d, "%s", no_pairs(c, lineage));
    lineage_note(d, n, lineage);
    table_free(&t);
    free(p);
    if (c->nowhere)
        doc_para(d,
                 _("Left out of the matrices: %zu theme%s coded nowhere "
                   "('grille cooc -f json' or -f csv keeps them)."),
                 c->nowhere, cli_s(c->nowhere));
    if (!c->k) { /* no matrix of no theme */
        doc_end(d);
        return;
    }
    doc_h2(d, c->documents ? _("Documents coded with both")
                           : _("Segments coded with both"));
    cooc_matrix(d, r, c, 0);
    doc_h2(d, "Jaccard");
    cooc_matrix(d, r, c, 1);
    doc_h2(d, _("Lift"));
    cooc_matrix(d, r, c, 2);
    doc_end(d);
}

static int run_cooc(const ropts *o)
{
    grille_store *s;
    grille_report *r;
    /* counts only: no terms, quotes nor attributes */
    static const char *const none[] = {NULL};
    const grille_report_want want = {false, false, none, false};
    /* as the report's: 1 MB of heap for cooc, 2 for compare, on the
     * benchmark's project of 270 MB */
    cli_large_heap(true, cli_heap_share(cli_db_path(o->db), 256, 2u << 20));
    if (synth_load(cli_db_path(o->db), &s, &r, &want) < 0)
        return EXIT_RUNTIME;
    size_t *codes;
    long k = synth_codes(r, o->codes, o->all, &codes);
    int status = EXIT_RUNTIME;
    cooc c = {0};
    FILE *f = NULL;
    /* The human formats' matrices leave out the themes coded nowhere
     * (rows and columns of zeros), when they are many: a codebook of
     * 10,000 themes made matrices of 100 million cells for a note; JSON
     * and CSV keep every theme asked for, as data. */
    size_t nowhere = 0;
    if (k > 50 && o->format != FMT_JSON && o->format != FMT_CSV) {
        size_t w = 0;
        for (size_t i = 0; i < (size_t)k; i++)
            if (r->codes[codes[i]].segments)
                codes[w++] = codes[i];
        nowhere = (size_t)k - w;
        k = (long)w;
    }
    if (k < 0 || cooc_compute(&c, r, codes, (size_t)k, o->documents) < 0)
        goto done;
    c.nowhere = nowhere;
    if (!(f = out_open(o->out, cli_db_path(o->db), s)))
        goto done;
    if (o->format == FMT_JSON) {
        cooc_json(f, r, &c);
        fputc('\n', f);
    } else if (o->format == FMT_CSV) {
        size_t n;
        pair *p = cooc_pairs(&c, &n, true, NULL, NULL);
        table t;
        pairs_table(&t, r, &c, p, n, true);
        table_csv(f, &t);
        table_free(&t);
        free(p);
    } else {
        doc d = {f, o->format};
        cooc_human(&d, r, &c);
    }
    status = out_close(f, o->out) < 0 ? EXIT_RUNTIME : EXIT_OK;
done:
    cooc_free(&c);
    free(codes);
    grille_report_free(r);
    grille_store_close(s);
    return status;
}

/* ------------------------------------------------------------- compare */

/* A specificity at the four decimals JSON and CSV give it, without a
 * "-0" for a tiny negative one (log10 of a tail just under 1), and cut
 * toward zero where rounding would reach ±2, the threshold of a specific
 * theme: 1.99998 is 1.9999, not 2 (as the tables' +1.99). */
static double spec_round4(double spec)
{
    double r = round(spec * 10000) / 10000;
    if (fabs(spec) < 2 && fabs(r) >= 2)
        r = spec > 0 ? 1.9999 : -1.9999;
    return r == 0 ? 0 : r;
}

/* The share num of den in percent as the tables write it: rounded half
 * up from the counts (23 of 40 is 58), never "0" for a share above
 * nothing, nor "100" for one below all (<1, 99); 0 when den is. */
static void pct_text(uint64_t num, uint64_t den, char out[8])
{
    long whole = (long)ratio_half_up(100 * num, den, 0);
    if (num > 0 && den && whole == 0)
        snprintf(out, 8, "%s", "<1");
    else if (num < den && whole == 100)
        snprintf(out, 8, "%s", "99");
    else
        snprintf(out, 8, "%ld", whole);
}

static void compare_json(FILE *f, const grille_report *r, const compare *m)
{
    fputs("{\"by\": ", f);
    json_attr_key(f, m->by);
    fputs(", \"groups\": [", f);
    for (size_t g = 0; g < m->ngroups; g++) {
        const group *gr = &m->groups[g];
        fputs(g ? ", {\"value\": " : "{\"value\": ", f);
        if (gr->none)
            fputs("null", f);
        else
            json_cstr(f, gr->value);
        fprintf(f, ", \"documents\": %zu, \"segments\": %zu, \"words\": %zu}",
                gr->documents, gr->segments, gr->words);
    }
    fputs("], \"themes\": [", f);
    for (size_t i = 0; i < m->k; i++) {
        fputs(i ? ", {\"code\": " : "{\"code\": ", f);
        json_cstr(f, code_id(r, m->codes[i]));
        fputs(", \"cells\": [", f);
        for (size_t g = 0; g < m->ngroups; g++) {
            size_t x = i * m->ngroups + g;
            fprintf(f, "%s{\"documents\": %zu, \"segments\": %zu, \"share\": ",
                    g ? ", " : "", m->docs[x], m->segs[x]);
            json_num(f, m->share[x]);
            fputs(", \"per_1000_words\": ", f);
            json_num(f, m->rate[x]);
            fputs(", \"specificity\": ", f);
            json_num(f, spec_round4(m->spec[x]));
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("]}", f);
}

/* The marker of a specific cell: ▲ over-represented, ▼ under. */
static const char *mark(double spec)
{
    return spec >= 2 ? " \xe2\x96\xb2" : spec <= -2 ? " \xe2\x96\xbc" : "";
}

/* A specificity with one decimal and its marker; one that would read 2.0
 * without being 2 (1.9934, no marker, beside a 2.0278 marked) gets a
 * second decimal, cut toward zero: +1.99. */
static void spec_text(double spec, char out[24])
{
    /* a score that reads 0.0 is written +0.0, as 0 is, never -0.0 */
    double shown = half_up(spec, 1);
    snprintf(out, 24, "%+.1f", shown == 0 ? 0.0 : shown);
    if (fabs(spec) < 2 && fabs(atof(out)) >= 2)
        snprintf(out, 24, "%+.2f", trunc(spec * 100) / 100);
    strcat(out, mark(spec));
}

/* A table of themes (rows) by groups (columns), its heads set. */
static void theme_by_group_table(table *t, const compare *m)
{
    table_init(t, m->ngroups + 1);
    table_head(t, 0, _("theme"), false);
    t->first_max = 20;
    t->number_heads = true;
    for (size_t g = 0; g < m->ngroups; g++)
        table_head(t, g + 1, m->groups[g].value, true);
}

static void compare_human(doc *d, const grille_report *r, const compare *m)
{
    char title[256];
    /* the key as the project stores it: "--by Enquêtrice" is enqueteur */
    char *by = grille_attr_key(m->by);
    if (!by)
        cli_nomem();
    snprintf(title, sizeof(title), _("Themes by %s"), by);
    doc_begin(d, title);
    doc_para(d,
             _("Each cell: the theme's coded segments in the group, their share "
               "of the group's segments, and Lafon's specificity: positive "
               "when the theme is more frequent in the group than chance "
               "would have it, negative when less; |score| >= 2 (odds of "
               "1 in 100) is marked %s or %s. Children count for their "
               "parents."),
             "\xe2\x96\xb2", "\xe2\x96\xbc");
    table t;
    size_t G = m->ngroups;
    doc_h2(d, _("Groups"));
    table_init(&t, 4);
    table_head(&t, 0, by, false);
    table_head(&t, 1, _("documents"), true);
    table_head(&t, 2, _("segments"), true);
    table_head(&t, 3, _("words"), true);
    for (size_t g = 0; g < G; g++) {
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s", m->groups[g].value);
        table_set(&t, row, 1, "%zu", m->groups[g].documents);
        table_set(&t, row, 2, "%zu", m->groups[g].segments);
        table_set(&t, row, 3, "%zu", m->groups[g].words);
    }
    doc_table(d, &t);
    table_free(&t);
    doc_h2(d, _("Coded segments, share and specificity"));
    theme_by_group_table(&t, m);
    for (size_t i = 0; i < m->k; i++) {
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s", code_id(r, m->codes[i]));
        for (size_t g = 0; g < G; g++) {
            size_t x = i * G + g;
            char sp[24], pct[8];
            spec_text(m->spec[x], sp);
            pct_text(m->segs[x], m->groups[g].segments, pct);
            table_set(&t, row, g + 1, "%zu %s%% %s", m->segs[x], pct, sp);
            char col[8];
            diverging_color(m->spec[x], col);
            table_bg(&t, row, g + 1, col);
        }
    }
    doc_table(d, &t);
    table_free(&t);
    if (d->fmt == FMT_HTML)
        doc_html(d, "<p class=\"legend\">specificity: <span style=\""
                    "background:#d73027\"></span>-6 <span style=\"background:"
                    "#f2b6b3\"></span>-2 <span style=\"background:#fff\">"
                    "</span>0 <span style=\"background:#a9d6b8\"></span>+2 "
                    "<span style=\"background:#1a9850\"></span>+6</p>\n");
    doc_h2(d, _("Rate per 1,000 words and documents"));
    theme_by_group_table(&t, m);
    for (size_t i = 0; i < m->k; i++) {
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s", code_id(r, m->codes[i]));
        for (size_t g = 0; g < G; g++) {
            size_t x = i * G + g;
            table_set(&t, row, g + 1, "%.1f (%zu/%zu doc.)",
                      ratio_half_up(1000 * (uint64_t)m->hits[x],
                                    m->groups[g].words, 1),
                      m->docs[x], m->groups[g].documents);
        }
    }
    doc_table(d, &t);
    table_free(&t);
    /* the specific cells in words */
    doc_h2(d, _("Specific themes"));
    bool any = false;
    for (size_t g = 0; g < G; g++) {
        for (size_t i = 0; i < m->k; i++) {
            size_t x = i * G + g;
            if (fabs(m->spec[x]) < 2)
                continue;
            char in[8], all[8];
            pct_text(m->segs[x], m->groups[g].segments, in);
            pct_text(r->codes[m->codes[i]].segments, r->segments, all);
            doc_para(d, _("%s: %s is %s (%+.2f; %zu of %zu segments, %s%% "
                          "against %s%% of all segments)"),
                     m->groups[g].value, code_id(r, m->codes[i]),
                     m->spec[x] > 0 ? _("over-represented")
                                    : _("under-represented"),
                     m->spec[x], m->segs[x], m->groups[g].segments, in, all);
            any = true;
        }
    }
    if (!any)
        doc_para(d, "%s", _("No theme is specific to a group (every |score| "
                            "< 2)."));
    doc_end(d);
    free(by);
}

static void compare_csv(FILE *f, const grille_report *r, const compare *m)
{
    fputs("code,group,documents,segments,group_documents,group_segments,"
          "group_words,share,per_1000_words,specificity\r\n",
          f);
    for (size_t i = 0; i < m->k; i++) {
        for (size_t g = 0; g < m->ngroups; g++) {
            size_t x = i * m->ngroups + g;
            csv_ccell(f, code_id(r, m->codes[i]), true);
            fputc(',', f);
            csv_ccell(f, m->groups[g].none ? "" : m->groups[g].value, true);
            /* (share and rate rounded half up from their counts, as
             * the tables round theirs) */
            fprintf(f, ",%zu,%zu,%zu,%zu,%zu,%.6f,%.6f,%.4f\r\n", m->docs[x],
                    m->segs[x], m->groups[g].documents,
                    m->groups[g].segments, m->groups[g].words,
                    ratio_half_up(m->segs[x], m->groups[g].segments, 6),
                    ratio_half_up(1000 * (uint64_t)m->hits[x],
                                  m->groups[g].words, 6),
                    spec_round4(m->spec[x]));
        }
    }
}

static int run_compare(const ropts *o)
{
    grille_store *s;
    grille_report *r;
    /* counts and the one attribute that makes the groups */
    const char *const keys[] = {o->by, NULL};
    const grille_report_want want = {false, false, keys, false};
    /* as the report's: 1 MB of heap for cooc, 2 for compare, on the
     * benchmark's project of 270 MB */
    cli_large_heap(true, cli_heap_share(cli_db_path(o->db), 256, 2u << 20));
    if (synth_load(cli_db_path(o->db), &s, &r, &want) < 0)
        return EXIT_RUNTIME;
    size_t *codes;
    long k = synth_codes(r, o->codes, o->all, &codes);
    int status = EXIT_RUNTIME;
    compare m = {0};
    FILE *f = NULL;
    if (k < 0 || compare_compute(&m, r, o->by, codes, (size_t)k) < 0)
        goto done;
    if (!r->ndocs) {
        cli_error(_("%s has no documents: nothing to compare (add notes "
                    "with 'grille add')"),
                  cli_db_path(o->db));
        goto done;
    }
    if (!synth_known_by(r, o->by)) {
        /* one group, (none): nothing to compare, most often a typo */
        char buf[128];
        const char *near = synth_near_key(s, o->by, buf, sizeof(buf));
        if (near)
            cli_error(_("no document has a value for the attribute '%s': "
                        "nothing to compare by; did you mean '%s'? (see "
                        "'grille list' for the documents' attributes)"),
                      o->by, near);
        else
            cli_error(_("no document has a value for the attribute '%s': "
                        "nothing to compare by (see 'grille list' for the "
                        "documents' attributes)"),
                      o->by);
        goto done;
    }
    synth_warn_variants(&m, o->by);
    if (!(f = out_open(o->out, cli_db_path(o->db), s)))
        goto done;
    if (o->format == FMT_JSON) {
        compare_json(f, r, &m);
        fputc('\n', f);
    } else if (o->format == FMT_CSV) {
        compare_csv(f, r, &m);
    } else {
        doc d = {f, o->format};
        compare_human(&d, r, &m);
    }
    status = out_close(f, o->out) < 0 ? EXIT_RUNTIME : EXIT_OK;
done:
    compare_free(&m);
    free(codes);
    grille_report_free(r);
    grille_store_close(s);
    return status;
}

/* -------------------------------------------------------------- report */

/* Distinct values of an attribute with their document counts. */
typedef struct weighed {
    size_t weight, i;
} weighed;

/* Whether x goes before y: heavier, or as heavy and first. */
static bool heavier(weighed x, weighed y)
{
    return x.weight > y.weight || (x.weight == y.weight && x.i < y.i);
}

static int heavier_first(const void *a, const void *b)
{
    const weighed *x = a, *y = b;
    return heavier(*x, *y) ? -1 : heavier(*y, *x);
}

/* The distinct values of an attribute, numbered in the order they come,
 * with their document counts, and the documents without it. */
typedef struct valcount {
    const char **keys; /* the values */
    size_t n;
    size_t *counts;
    size_t none;
} valcount;

/* The documents' value numbers of `key` (grille_report_attr_values),
 * into *keys and *n; aborts when out of memory, as the tables do. */
static size_t *attr_values(const grille_report *r, const char *key,
                           const char ***keys, size_t *n)
{
    size_t *of;
    grille_error err = {0};
    if (grille_report_attr_values(r, key, keys, n, &of, &err) < 0) {
        cli_lib_error(&err);
        cli_die(NULL, 0);
    }
    return of;
}

static void count_attr(valcount *c, const grille_report *r, const char *key)
{
    memset(c, 0, sizeof(*c));
    size_t *of = attr_values(r, key, &c->keys, &c->n);
    if (!(c->counts = calloc(c->n + 1, sizeof(size_t))))
        cli_nomem();
    for (size_t i = 0; i < r->ndocs; i++) {
        if (of[i] != SIZE_MAX)
            c->counts[of[i]]++;
        else
            c->none++;
    }
    free(of);
}

static void valcount_free(valcount *c)
{
    free(c->keys);
    free(c->counts);
}

static void warn_spellings(const valcount *c, const char *key)
{
    synth_warn_spellings(c->keys, c->n, key);
}

/* The table of the values counted in c, the most frequent first (then in
 * the order they come); past `limit` rows (0: no limit), the others are
 * added up in one row. */
static void attr_table(doc *d, const valcount *c, const char *head,
                       size_t limit)
{
    size_t n = c->n;
    weighed *order = malloc((n + 1) * sizeof(*order));
    if (!order)
        cli_nomem();
    for (size_t k = 0; k < n; k++)
        order[k] = (weighed){c->counts[k], k};
    qsort(order, n, sizeof(*order), heavier_first);
    size_t shown = limit && n > limit ? limit : n, rest = 0;
    for (size_t k = shown; k < n; k++)
        rest += order[k].weight;
    table t;
    table_init(&t, 2);
    table_head(&t, 0, head, false);
    table_head(&t, 1, _("documents"), true);
    for (size_t k = 0; k < shown; k++) {
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s", c->keys[order[k].i]);
        table_set(&t, row, 1, "%zu", order[k].weight);
    }
    if (shown < n) {
        size_t row = table_row(&t);
        if (n - shown == 1)
            table_set(&t, row, 0, "%s", _("(1 other value)"));
        else
            table_set(&t, row, 0, _("(%zu other values)"), n - shown);
        table_set(&t, row, 1, "%zu", rest);
    }
    if (c->none) {
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s",
                  synth_none_label(c->keys, n));
        table_set(&t, row, 1, "%zu", c->none);
    }
    if (n)
        doc_table(d, &t);
    table_free(&t);
    free(order);
}

/* How many distinct values attribute `key` takes. */
static size_t count_values(const grille_report *r, const char *key)
{
    const char **keys;
    size_t n;
    free(attr_values(r, key, &keys, &n));
    free(keys);
    return n;
}

static char *top_terms(const grille_report_code *c, size_t max)
{
    size_t cap = 16;
    for (size_t i = 0; i < c->ntop && i < max; i++)
        cap += strlen(c->top_terms[i]) + 24;
    char *s = malloc(cap);
    if (!s)
        cli_nomem();
    size_t o = 0;
    s[0] = '\0';
    for (size_t i = 0; i < c->ntop && i < max; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%s %zu", i ? ", " : "",
                              c->top_terms[i], c->top_counts[i]);
    return s;
}

static void themes_table(table *t, const grille_report *r, bool labels,
                         bool csv)
{
    table_init(t, labels ? 8 : 7);
    size_t c0 = 0;
    table_head(t, c0++, _("theme"), false);
    if (labels)
        table_head(t, c0++, _("label"), false);
    table_head(t, c0++, _("documents"), true);
    table_head(t, c0++, "%", true);
    table_head(t, c0++, _("segments"), true);
    table_head(t, c0++, _("hits"), true);
    table_head(t, c0++, _("/1000 words"), true);
    table_list(t, c0);
    table_head(t, c0++, _("top terms"), false);
    t->first_max = 24;
    for (size_t c = 0; c < r->ncodes; c++) {
        const grille_report_code *k = &r->codes[c];
        size_t row = table_row(t), col = 0;
        if (csv)
            table_set(t, row, col++, "%s", k->id);
        else
            table_set(t, row, col++, "%*s%s", 2 * (int)k->depth, "",
                      strrchr(k->id, '/') ? strrchr(k->id, '/') + 1 : k->id);
        if (labels)
            table_set(t, row, col++, "%s", k->label);
        table_set(t, row, col++, "%zu", k->documents);
        char ptext[8];
        pct_text(k->documents, r->ndocs, ptext);
        if (csv)
            table_set(t, row, col++, "%.2f",
                      ratio_half_up(100 * (uint64_t)k->documents, r->ndocs, 2));
        else
            table_set(t, row, col++, "%s", ptext);
        table_set(t, row, col++, "%zu", k->segments);
        table_set(t, row, col++, "%zu", k->hits);
        table_set(t, row, col++, csv ? "%.4f" : "%.1f",
                  ratio_half_up(1000 * (uint64_t)k->hits, r->words,
                                csv ? 4 : 1));
        char *tt = top_terms(k, csv ? 8 : 4);
        table_set(t, row, col++, "%s", tt);
        free(tt);
    }
}

/* An SVG bar chart of the share of documents per theme. */
static void themes_chart(doc *d, const grille_report *r, const size_t *codes,
                         size_t k)
{
    if (d->fmt != FMT_HTML || !k)
        return;
    FILE *f = d->f;
    int bar = 18, left = 290, width = 420;
    fprintf(f,
            "<svg role=\"img\" aria-label=\"%s\" width=\"%d\" height=\"%d\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n",
            _("share of documents per theme"), left + width + 60,
            (int)k * (bar + 4) + 10);
    for (size_t i = 0; i < k; i++) {
        const grille_report_code *c = &r->codes[codes[i]];
        double x = r->ndocs ? (double)c->documents / (double)r->ndocs : 0;
        int y = (int)i * (bar + 4) + 4;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6,
                y + bar - 5);
        html_escape(f, c->label, strlen(c->label));
        char pct[8]; /* as the table beside it rounds it (12.5: 13) */
        pct_text(c->documents, r->ndocs, pct);
        fprintf(f,
                "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s%%</text>\n",
                left, y, (int)(x * width + 0.5), bar,
                c->color[0] ? c->color : "#4682b4",
                left + (int)(x * width) + 4, y + bar - 5, pct);
    }
    fputs("</svg>\n", f);
}

static int by_index(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return (*x > *y) - (*x < *y);
}

/* The rows a human report shows, of n whose weights are w[0..n): every
 * one, or the `limit` heaviest (the first of equal ones), in their own
 * order.  Their indices go to keep[0..returned).  A few heaviest are kept
 * in order as the rows go by (most are lighter than the last kept); many
 * are taken from all the rows sorted. */
static size_t heaviest(const size_t *w, size_t n, size_t limit, size_t *keep)
{
    if (!limit || n <= limit) {
        for (size_t i = 0; i < n; i++)
            keep[i] = i;
        return n;
    }
    bool few = limit <= 256;
    weighed *v = malloc((few ? limit : n) * sizeof(*v));
    if (!v)
        cli_nomem();
    size_t k = 0;
    for (size_t i = 0; i < n && !few; i++)
        v[i] = (weighed){w[i], i};
    if (!few)
        qsort(v, n, sizeof(*v), heavier_first);
    for (size_t i = 0; i < n && few; i++) {
        weighed x = {w[i], i};
        if (k == limit && !heavier(x, v[k - 1]))
            continue;
        size_t j = k < limit ? k++ : k - 1;
        for (; j > 0 && heavier(x, v[j - 1]); j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    for (size_t i = 0; i < limit; i++)
        keep[i] = v[i].i;
    free(v);
    qsort(keep, limit, sizeof(*keep), by_index);
    return limit;
}

/* Says which rows a table cut to the heaviest shows: `what` names them
 * (one, many), `order` says in which order they come, `rest` where to see
 * them all. */
static void rows_note(doc *d, size_t shown, size_t total,
                      const char *const what[2], const char *order,
                      const char *rest)
{
    if (shown >= total)
        return;
    char head[256];
    if (shown == 1)
        snprintf(head, sizeof(head), _("The %s"), what[0]);
    else
        snprintf(head, sizeof(head), _("The %zu %s"), shown, what[1]);
    doc_para(d,
             _("%s with the most coded segments (added up over these "
               "themes), of %zu, %s (%s)."),
             head, total, order, rest);
}

/* The document x theme matrix of coded segments: every document, or the
 * `limit` with the most coded segments, added up over these themes. */
static void doc_matrix(doc *d, const grille_report *r, const size_t *codes,
                       size_t k, size_t limit)
{
    table t;
    table_init(&t, k + 1);
    table_head(&t, 0, _("document"), false);
    t.first_max = 30;
    t.klass = "matrix";
    size_t *w = calloc(r->ndocs + 1, sizeof(*w));
    size_t *keep = malloc((r->ndocs + 1) * sizeof(*keep));
    if (!w || !keep)
        cli_nomem();
    for (size_t i = 0; i < r->ndocs; i++)
        for (size_t j = 0; j < k; j++)
            w[i] += r->cell_segments[i * r->ncodes + codes[j]];
    size_t shown = heaviest(w, r->ndocs, limit, keep);
    free(w);
    const char *const what[2] = {_("document"), _("documents")};
    rows_note(d, shown, r->ndocs, what, _("in name order"),
              _("--rows all shows every one; -f json gives them all as "
                "data"));
    size_t max = 0;
    for (size_t x = 0; x < shown; x++)
        for (size_t j = 0; j < k; j++)
            if (r->cell_segments[keep[x] * r->ncodes + codes[j]] > max)
                max = r->cell_segments[keep[x] * r->ncodes + codes[j]];
    for (size_t j = 0; j < k; j++) {
        char h[32];
        snprintf(h, sizeof(h), "%zu", j + 1);
        table_head(&t, j + 1, d->fmt == FMT_HTML ? code_id(r, codes[j]) : h,
                   true);
    }
    for (size_t x = 0; x < shown; x++) {
        size_t i = keep[x];
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s", r->docs[i].name);
        for (size_t j = 0; j < k; j++) {
            size_t v = r->cell_segments[i * r->ncodes + codes[j]];
            table_set(&t, row, j + 1, "%zu", v);
            char col[8];
            heat_color(max ? (double)v / (double)max : 0, col);
            table_bg(&t, row, j + 1, col);
        }
    }
    free(keep);
    doc_table(d, &t);
    table_free(&t);
}

static void legend(doc *d, const grille_report *r, const size_t *codes,
                   size_t k)
{
    if (d->fmt == FMT_HTML)
        return;
    size_t cap = 64;
    for (size_t j = 0; j < k; j++)
        cap += strlen(code_id(r, codes[j])) + 8;
    char *s = malloc(cap);
    if (!s)
        cli_nomem();
    size_t o = (size_t)snprintf(s, cap, "%s ", _("Columns:"));
    for (size_t j = 0; j < k; j++)
        o += (size_t)snprintf(s + o, cap - o, "%zu %s%s", j + 1,
                              code_id(r, codes[j]), j + 1 < k ? ", " : ".");
    doc_para(d, "%s", s);
    free(s);
}

/* Rows of the synthesis grid: the values of `by` (documents when no
 * document has it). */
typedef struct gridrow {
    const char *name;
    size_t *docs; /* in the block of every row's documents */
    size_t ndocs;
} gridrow;

/* The rows a grid shows, of `total`; and the verbatims of the themes
 * chosen with the quotes they show (per each, in picks[i * per ..], got[i]
 * of them), for the report to print without choosing them again. */
struct qpick;
typedef struct grid {
    gridrow *rows;
    size_t n, total;
    size_t valued; /* distinct values of the attribute, among the rows */
    struct qpick *picks;
    size_t *got, per;
} grid;

/* rows[0, n); rows[n].docs is the block of every row's documents */
static void grid_free(gridrow *rows, size_t n)
{
    if (rows) {
        free(rows[n].docs);
        free((char *)rows[n].name); /* the block of the keys */
    }
    free(rows);
}

/* The documents grouped by their value of `by` (their name without it),
 * rows in the order of their first document.  When
 * there are more than `limit` (0: no limit), the `limit` with the most
 * coded segments of themes codes[0..k) are kept; *total says how many
 * there were. */
static gridrow *grid_rows(const grille_report *r, const char *by,
                          const size_t *codes, size_t k, size_t limit,
                          size_t *n, size_t *total, size_t *valued)
{
    size_t nd = r->ndocs, nvals;
    const char **vals;
    /* the values numbered by the report (grille_report_attr_values) */
    size_t *of = attr_values(r, by, &vals, &nvals);
    size_t *row_of = malloc((nvals + 1) * sizeof(*row_of));
    /* each row's coded segments of the themes, for the heaviest: added
     * up here, the documents in their order (the cells in memory's) */
    size_t *w = limit ? calloc(nd + 1, sizeof(*w)) : NULL;
    if (!row_of || (limit && !w))
        cli_nomem();
    for (size_t i = 0; i < nvals; i++)
        row_of[i] = SIZE_MAX;
    /* a row per value and per document without one, in the order of
     * their first document; of[d] becomes d's row */
    size_t ng = 0, nameless = 0, room = 0;
    const char *mark = _(" (document)");
    size_t mark_len = strlen(mark);
    for (size_t d = 0; d < nd; d++) {
        if (of[d] == SIZE_MAX) {
            nameless++;
            room += strlen(r->docs[d].name) + mark_len + 1;
            of[d] = ng++;
            continue;
        }
        size_t *g = &row_of[of[d]];
        if (*g == SIZE_MAX)
            *g = ng++;
        of[d] = *g;
    }
    *valued = nvals;
    for (size_t d = 0; w && d < nd; d++) {
        const size_t *cells = r->cell_segments + d * r->ncodes;
        for (size_t j = 0; j < k; j++)
            w[of[d]] += cells[codes[j]];
    }
    /* every row's documents, in their order, in one block (a row's own
     * allocation was a third of the grid's time, for 11,816 rows of
     * 18,771 notes): counted, then placed */
    gridrow *rows = calloc(ng + 1, sizeof(*rows));
    size_t *block = malloc((nd + 1) * sizeof(*block));
    /* the names of the documents' own rows in one block, freed with the
     * rows: a document's row headed as a value's would be ("ccas" without
     * a type, beside the type ccas) is marked */
    char *keys = malloc(room + 1), *kp = keys;
    const char **named = nameless && nvals ? malloc(nvals * sizeof(*named))
                                           : NULL;
    if (!rows || !block || !keys || (nameless && nvals && !named))
        cli_nomem();
    if (named) { /* sorted only when a document has a row of its own */
        memcpy(named, vals, nvals * sizeof(*named));
        if (nvals > 1)
            qsort(named, nvals, sizeof(*named), cli_cmp_str);
    }
    for (size_t i = 0; i < nvals; i++)
        rows[row_of[i]].name = vals[i];
    for (size_t d = 0; d < nd; d++) {
        gridrow *g = &rows[of[d]];
        if (!g->name) { /* the document's own row */
            const char *name = r->docs[d].name;
            size_t len = strlen(name);
            memcpy(kp, name, len + 1);
            if (named &&
                bsearch(&name, named, nvals, sizeof(*named), cli_cmp_str))
                memcpy(kp + len, mark, mark_len + 1);
            g->name = kp;
            kp += strlen(kp) + 1;
        }
        g->ndocs++;
    }
    free(named);
    free(row_of);
    free(vals);
    size_t at = 0;
    rows[ng].name = keys; /* freed by grid_free */
    for (size_t g = 0; g < ng; g++) {
        rows[g].docs = block + at;
        at += rows[g].ndocs;
        rows[g].ndocs = 0;
    }
    for (size_t d = 0; d < nd; d++) {
        gridrow *g = &rows[of[d]];
        g->docs[g->ndocs++] = d;
    }
    rows[ng].docs = block;
    free(of);
    *n = *total = ng;
    if (!limit || ng <= limit) {
        free(w);
        return rows;
    }
    size_t *keep = malloc(ng * sizeof(*keep));
    gridrow *kept = calloc(limit + 1, sizeof(*kept));
    if (!keep || !kept)
        cli_nomem();
    size_t shown = heaviest(w, ng, limit, keep);
    for (size_t i = 0; i < shown; i++)
        kept[i] = rows[keep[i]];
    kept[shown].docs = block;
    kept[shown].name = keys;
    free(rows);
    free(w);
    free(keep);
    *n = shown;
    return kept;
}

/* The best quote of code c over the documents of a grid row. */
static const grille_report_quote *row_quote(const grille_report *r,
                                            const gridrow *g, size_t c,
                                            size_t *segs)
{
    size_t best = 0, at = 0;
    *segs = 0;
    for (size_t i = 0; i < g->ndocs; i++) {
        size_t cell = g->docs[i] * r->ncodes + c;
        *segs += r->cell_segments[cell];
        const grille_report_rank *q = &r->rank[cell];
        size_t score = q->segment_id ? grille_quote_score(q->hits, q->len) : 0;
        if (score > best) {
            best = score;
            at = cell;
        }
    }
    return best ? &r->best[at] : NULL;
}

/* A grid cell's excerpt of quote q, `width` code points: from its start,
 * or, when the theme's first hit comes later than a third of the width,
 * from a little before it (after "…"), so that the cell shows what the
 * theme was found on. */
static char *cell_cut(const grille_report_quote *q, size_t width)
{
    return cut_around(q->text, q->len, q->hit, width);
}

static void synthesis_grid(doc *d, const grille_report *r, const char *by,
                           const size_t *codes, size_t k, const grid *gr)
{
    gridrow *rows = gr->rows;
    size_t n = gr->n;
    char one[160], many[160];
    snprintf(one, sizeof(one), _("value of %s"), by);
    snprintf(many, sizeof(many), _("values of %s"), by);
    const char *const what[2] = {one, many};
    rows_note(d, n, gr->total, what, _("in the order of their first document"),
              _("--rows all shows every one"));
    if (d->fmt == FMT_TEXT) {
        /* the counts' column as wide as the widest (3 at least) */
        size_t most = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < k; j++) {
                size_t segs;
                row_quote(r, &rows[i], codes[j], &segs);
                most = segs > most ? segs : most;
            }
        int width = 1;
        for (; most >= 10; most /= 10)
            width++;
        width = width < 3 ? 3 : width;
        /* the codes' ids: 16 columns, up to 24 for longer ones, cut in
         * their middle past it (a sub-theme's id ends with its name) */
        size_t idw = 16;
        for (size_t j = 0; j < k; j++) {
            const char *id = code_id(r, codes[j]);
            size_t iw = text_width(id, strlen(id));
            idw = iw > idw ? (iw < 24 ? iw : 24) : idw;
        }
        for (size_t i = 0; i < n; i++) {
            doc_h3(d, rows[i].name);
            bool any = false;
            for (size_t j = 0; j < k; j++) {
                size_t segs;
                const grille_report_quote *q =
                    row_quote(r, &rows[i], codes[j], &segs);
                if (!q)
                    continue;
                any = true;
                char *cut = cell_cut(q, 64);
                fputs("  ", d->f);
                put_name(d->f, code_id(r, codes[j]), idw);
                fprintf(d->f, " %*zu  \xc2\xab ", width, segs);
                put_safe_str(d->f, cut);
                fputs(" \xc2\xbb\n", d->f);
                free(cut);
            }
            /* a value none of whose documents has a coded segment */
            if (!any)
                fprintf(d->f, "  %s\n", _("(no coded segment)"));
            fputc('\n', d->f);
        }
        return;
    }
    table t;
    table_init(&t, k + 1);
    table_head(&t, 0, by, false);
    size_t max = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            size_t segs;
            row_quote(r, &rows[i], codes[j], &segs);
            if (segs > max)
                max = segs;
        }
    for (size_t j = 0; j < k; j++)
        table_head(&t, j + 1, code_id(r, codes[j]), false);
    for (size_t i = 0; i < n; i++) {
        size_t row = table_row(&t);
        table_set(&t, row, 0, "%s", rows[i].name);
        for (size_t j = 0; j < k; j++) {
            size_t segs;
            const grille_report_quote *q =
                row_quote(r, &rows[i], codes[j], &segs);
            if (!q)
                continue;
            char *cut = cell_cut(q, d->fmt == FMT_HTML ? 110 : 60);
            table_set(&t, row, j + 1, "%zu \xe2\x80\x94 \xc2\xab %s \xc2\xbb",
                      segs, cut);
            free(cut);
            char col[8];
            heat_color(max ? 0.6 * (double)segs / (double)max : 0, col);
            table_bg(&t, row, j + 1, col);
        }
    }
    if (d->fmt == FMT_HTML)
        doc_html(d, "<div class=\"grid\">\n");
    doc_table(d, &t);
    if (d->fmt == FMT_HTML)
        doc_html(d, "</div>\n");
    table_free(&t);
}

/* A quote chosen by its rank; q is where its text is read to. */
typedef struct qpick {
    size_t doc;
    size_t score; /* grille_quote_score */
    const grille_report_quote *q;
    char *speaker; /* a turn's (grille_free), read with the texts */
} qpick;

static int by_score(const void *a, const void *b)
{
    const qpick *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* The n best quotes of each of the k codes codes[0..k) (every code when
 * codes is NULL), each from a different document, best first (by
 * grille_quote_score, then the first document): those of codes[i] in
 * out[i * n ..], got[i] of them.  One pass over the documents, whose
 * cells lie together, each kept in order as it goes by: n is small and
 * the documents can be millions.  out holds k * n + 1, got k + 1; the caller frees them. */
static void pick_all(const grille_report *r, const size_t *codes, size_t k,
                     size_t n, qpick **out, size_t **got)
{
    *out = calloc(k * n + 1, sizeof(**out));
    *got = calloc(k + 1, sizeof(**got));
    if (!*out || !*got)
        cli_nomem();
    for (size_t d = 0; d < r->ndocs && n; d++) {
        const grille_report_rank *row = &r->rank[d * r->ncodes];
        for (size_t i = 0; i < k; i++) {
            size_t c = codes ? codes[i] : i;
            if (!row[c].segment_id)
                continue;
            qpick x = {d, grille_quote_score(row[c].hits, row[c].len),
                       &r->best[d * r->ncodes + c], NULL},
                  *v = *out + i * n;
            size_t *m = *got + i;
            if (*m == n && by_score(&x, &v[n - 1]) >= 0)
                continue;
            size_t j = *m < n ? (*m)++ : n - 1;
            for (; j > 0 && by_score(&x, &v[j - 1]) < 0; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
    }
}

/* Reads the texts of the quotes the report shows, and those only: the
 * best of each grid row and theme and the verbatims of each theme (in
 * JSON, of every code).  A quote whose segment turns out to be gone is
 * emptied, and the choice made again without it, as when all the texts
 * were read first. */
static int load_shown_quotes(grille_report *r, grille_store *s,
                             const ropts *o, const size_t *themes, size_t k,
                             grid *gr)
{
    size_t nrows = gr->n;
    gridrow *rows = gr->rows;
    bool json = o->format == FMT_JSON;
    /* JSON gives every code's verbatims, or --codes's */
    bool every = json && !o->codes;
    size_t ncodes = every ? r->ncodes : k;
    size_t per = o->quotes < r->ndocs ? o->quotes : r->ndocs;
    size_t *cells = malloc((ncodes * per + nrows * k + 1) * sizeof(*cells));
    int rc = !cells ? -1 : 0;
    if (rc < 0)
        cli_error(_("out of memory"));
    bool again = rc == 0;
    while (again) {
        size_t n = 0, *got;
        qpick *picks;
        pick_all(r, every ? NULL : themes, ncodes, per, &picks, &got);
        for (size_t i = 0; i < ncodes; i++) {
            size_t code = every ? i : themes[i];
            for (size_t q = 0; q < got[i]; q++)
                cells[n++] = picks[i * per + q].doc * r->ncodes + code;
        }
        free(gr->picks);
        free(gr->got);
        gr->picks = json ? NULL : picks;
        gr->got = json ? NULL : got;
        gr->per = per;
        if (json) {
            free(picks);
            free(got);
        }
        for (size_t i = 0; i < nrows; i++)
            for (size_t j = 0; j < k; j++) {
                size_t segs;
                const grille_report_quote *q =
                    row_quote(r, &rows[i], themes[j], &segs);
                if (q)
                    cells[n++] = (size_t)(q - r->best);
            }
        grille_error err = {0};
        if (grille_report_load_quotes(r, s, cells, n, &err) < 0) {
            cli_lib_error(&err);
            rc = -1;
            break;
        }
        again = false;
        for (size_t i = 0; i < n && !again; i++)
            again = !r->rank[cells[i]].segment_id;
    }
    free(cells);
    /* the verbatims' speakers, named as grille quotes names them */
    for (size_t i = 0; rc == 0 && gr->picks && i < ncodes; i++)
        for (size_t q = 0; rc == 0 && q < gr->got[i]; q++) {
            qpick *x = &gr->picks[i * per + q];
            grille_error err = {0};
            if (grille_store_segment_speaker(s, x->q->segment_id,
                                             &x->speaker, &err) < 0) {
                /* the doc_stats row placed a verbatim in a segment the
                 * project no longer has: its doing, not the caller's */
                if (err.code == GRILLE_ENOTFOUND)
                    cli_error(_("%s: the project file is damaged: a "
                                "document's aggregates (doc_stats) name "
                                "segment #%lld as a verbatim, which is not "
                                "in the project"),
                              o->db ? o->db : cli_db_path(NULL),
                              (long long)x->q->segment_id);
                else
                    cli_lib_error(&err);
                rc = -1;
            }
        }
    return rc;
}

/* codes[0..ncodes_given): the codes whose verbatims it gives (NULL:
 * every one). */
static void report_json(FILE *f, const grille_store *s,
                        const grille_report *r, const cooc *c, size_t nquotes,
                        const char *by, const size_t *codes,
                        size_t ncodes_given)
{
    /* the codebook that made the codings, so that a report read later
     * says which version of it it counts */
    fputs("{\"codebook\": {\"name\": ", f);
    json_cstr(f, grille_store_codebook_name(s));
    fputs(", \"source\": ", f);
    json_cstr(f, grille_store_codebook_source(s));
    fputs(", \"sha256\": ", f);
    json_cstr(f, grille_store_codebook_sha256(s));
    fprintf(f,
            "}, \"documents\": %zu, \"segments\": %zu, \"coded_segments\": %zu, "
            "\"words\": %zu, \"hits\": %zu, \"themes\": [",
            r->ndocs, r->segments, r->coded_segments, r->words, r->hits);
    for (size_t i = 0; i < r->ncodes; i++) {
        const grille_report_code *k = &r->codes[i];
        fputs(i ? ", {\"code\": " : "{\"code\": ", f);
        json_cstr(f, k->id);
        fputs(", \"label\": ", f);
        json_cstr(f, k->label);
        fputs(", \"parent\": ", f);
        if (k->parent >= 0)
            json_cstr(f, r->codes[k->parent].id);
        else
            fputs("null", f);
        fprintf(f, ", \"documents\": %zu, \"segments\": %zu, \"hits\": %zu, "
                   "\"per_1000_words\": ",
                k->documents, k->segments, k->hits);
        json_num(f, r->words ? 1000.0 * (double)k->hits / (double)r->words
                             : 0);
        fputs(", \"top_terms\": [", f);
        for (size_t t = 0; t < k->ntop; t++) {
            fputs(t ? ", {\"term\": " : "{\"term\": ", f);
            json_cstr(f, k->top_terms[t]);
            fprintf(f, ", \"count\": %zu}", k->top_counts[t]);
        }
        fputs("]}", f);
    }
    fputs("], \"by_document\": [", f);
    for (size_t d = 0; d < r->ndocs; d++) {
        const grille_report_doc *x = &r->docs[d];
        fputs(d ? ", {\"document\": " : "{\"document\": ", f);
        json_cstr(f, x->name);
        fprintf(f, ", \"words\": %zu, \"segments\": %zu, \"attributes\": {",
                x->words, x->segments);
        for (size_t a = 0; a < x->nattrs; a++) {
            fputs(a ? ", " : "", f);
            json_cstr(f, x->attrs[a].key);
            fputs(": ", f);
            json_cstr(f, x->attrs[a].value);
        }
        fputs("}, \"codes\": {", f);
        bool first = true;
        for (size_t i = 0; i < r->ncodes; i++) {
            size_t v = r->cell_segments[d * r->ncodes + i];
            if (!v)
                continue;
            fputs(first ? "" : ", ", f);
            json_cstr(f, r->codes[i].id);
            fprintf(f, ": %zu", v);
            first = false;
        }
        fputs("}}", f);
    }
    fputs("], \"cooccurrence\": ", f);
    cooc_json(f, r, c);
    fputs(", \"quotes\": {", f);
    size_t *got;
    qpick *all;
    size_t ncodes = codes ? ncodes_given : r->ncodes;
    pick_all(r, codes, ncodes, nquotes, &all, &got);
    for (size_t i = 0; i < ncodes; i++) {
        size_t n = got[i];
        const qpick *picks = all + i * nquotes;
        fputs(i ? ", " : "", f);
        json_cstr(f, r->codes[codes ? codes[i] : i].id);
        fputs(": [", f);
        for (size_t q = 0; q < n; q++) {
            fputs(q ? ", {\"document\": " : "{\"document\": ", f);
            json_cstr(f, r->docs[picks[q].doc].name);
            fputs(", \"text\": ", f);
            json_str(f, picks[q].q->text, picks[q].q->len);
            fprintf(f, ", \"start\": %zu, \"end\": %zu, \"line\": %u}",
                    picks[q].q->start, picks[q].q->end, picks[q].q->line);
        }
        fputc(']', f);
    }
    free(all);
    free(got);
    fputs("}, \"grid\": {\"by\": ", f);
    json_attr_key(f, by);
    fputs("}}\n", f);
}

static void report_human(doc *d, const grille_report *r, const cooc *c,
                         const size_t *themes, size_t k, const ropts *o,
                         const grid *gr, const char *db,
                         const grille_store *s)
{
    const char *cbname = grille_store_codebook_name(s);
    size_t nquotes = o->quotes;
    const char *by = o->by;
    char title[512];
    snprintf(title, sizeof(title), _("Theme report: %s"), cbname);
    doc_begin(d, title);
    /* the interviewers counted once for the sentence and the table; the
     * collectivités by the grid when it is by them */
    valcount enq, c2;
    count_attr(&enq, r, "enqueteur");
    /* the values the tables and the grid group by, spelt two ways
     * (Commune, commune): rows of their own, said as compare says them;
     * the grid's when it has rows a reader goes through (a thousand at
     * most: a national consultation's 18,000 collectivités would cost the
     * report a tenth of its time, and compare --by says them) */
    warn_spellings(&enq, "enqueteur");
    if (strcmp(by, "type") && strcmp(by, "role") && strcmp(by, "enqueteur") &&
        gr->total <= 1000) {
        count_attr(&c2, r, by);
        warn_spellings(&c2, by);
        valcount_free(&c2);
    }
    size_t ncoll = strcmp(by, "collectivite") == 0
                       ? gr->valued
                       : count_values(r, "collectivite");
    doc_para(d,
             _("Project %s: %zu document%s, %zu segment%s (%zu coded), %zu "
               "word%s, %zu interviewer%s, %zu collectivité%s."),
             db, r->ndocs, cli_s(r->ndocs), r->segments, cli_s(r->segments),
             r->coded_segments, r->words, cli_s(r->words), enq.n,
             cli_s(enq.n), ncoll, cli_s(ncoll));
    doc_para(d, _("Coded with %s (sha256 %.12s)."),
             grille_store_codebook_source(s), grille_store_codebook_sha256(s));

    doc_h2(d, _("The corpus at a glance"));
    count_attr(&c2, r, "type");
    warn_spellings(&c2, "type");
    attr_table(d, &c2, _("collectivités by type"), o->rows);
    valcount_free(&c2);
    count_attr(&c2, r, "role");
    warn_spellings(&c2, "role");
    attr_table(d, &c2, _("people interviewed"), o->rows);
    valcount_free(&c2);
    attr_table(d, &enq, _("interviewers"), o->rows);
    valcount_free(&enq);

    doc_h2(d, _("Themes"));
    doc_para(d, "%s",
             _("Documents that mention each theme, its coded segments and "
               "hits (children count for their parents), hits per 1,000 "
               "words of the corpus, and the words it rests on."));
    themes_chart(d, r, themes, k);
    table t;
    themes_table(&t, r, d->fmt != FMT_TEXT, false);
    doc_table(d, &t);
    table_free(&t);

    doc_h2(d, _("Themes by document"));
    doc_para(d, "%s", _("Coded segments of each theme in each document."));
    legend(d, r, themes, k);
    doc_matrix(d, r, themes, k, o->rows);

    doc_h2(d, _("Themes that go together"));
    doc_para(d,
             _("The ten strongest pairs (by Jaccard) over %zu segment%s; "
               "see 'grille cooc' for the whole matrices."),
             c->n, cli_s(c->n));
    size_t np, lineage;
    pair *p = cooc_pairs(c, &np, false, r, &lineage);
    if (np > 10)
        np = 10;
    pairs_table(&t, r, c, p, np, false);
    if (np)
        doc_table(d, &t);
    else
        doc_para(d, "%s", no_pairs(c, lineage));
    lineage_note(d, np, lineage);
    table_free(&t);
    free(p);

    char h[256];
    snprintf(h, sizeof(h), _("Synthesis grid (%s x theme)"), by);
    doc_h2(d, h);
    doc_para(d, "%s",
             _("Each cell: the theme's coded segments and its most "
               "representative quote (the segment with the most hits)."));
    synthesis_grid(d, r, by, themes, k, gr);

    if (!nquotes) { /* -n 0: none asked */
        doc_end(d);
        return;
    }
    doc_h2(d, _("Verbatims"));
    /* chosen when their texts were read */
    const size_t *got = gr->got, per = gr->per;
    const qpick *all = gr->picks;
    for (size_t i = 0; i < k; i++) {
        const grille_report_code *code = &r->codes[themes[i]];
        snprintf(h, sizeof(h), "%s (%s)", code->label, code->id);
        doc_h3(d, h);
        size_t n = got[i];
        const qpick *picks = all + i * per;
        if (!n)
            doc_para(d, "%s", _("No coded segment."));
        for (size_t q = 0; q < n; q++) {
            char *src = synth_source(r, picks[q].doc);
            char *line = NULL;
            if ((picks[q].speaker
                     ? asprintf(&line, _("%s, l.%u, turn of %s"), src,
                                picks[q].q->line, picks[q].speaker)
                     : asprintf(&line, "%s, l.%u", src, picks[q].q->line)) <
                0)
                cli_nomem();
            doc_quote(d, picks[q].q->text, picks[q].q->len, 400,
                      picks[q].q->hit, line);
            free(line);
            free(src);
        }
    }
    doc_end(d);
}

static int run_report(const ropts *o)
{
    grille_store *s;
    grille_report *r;
    const char *db = cli_db_path(o->db);
    /* CSV is the themes table alone: no quotes, no attributes (but the
     * one --by names, to say when no document has it) */
    const char *const keys[] = {o->by_given ? o->by : NULL, NULL};
    const grille_report_want themes_only = {true, false, keys, false};
    /* the others read only the texts of the quotes they show; JSON gives
     * every attribute, the human formats show these */
    const grille_report_want shown = {true, true, NULL, true};
    const char *const human_keys[] = {"collectivite", "type", "role",
                                      "enqueteur", o->by, NULL};
    const grille_report_want human = {true, true, human_keys, true};
    /* 7 to 13 MB of heap on the benchmark's project of 270 MB */
    cli_large_heap(true, cli_heap_share(db, 32, 16u << 20));
    if (synth_load(db, &s, &r,
                   o->format == FMT_CSV    ? &themes_only
                   : o->format == FMT_JSON ? &shown
                                           : &human) < 0)
        return EXIT_RUNTIME;
    size_t *themes;
    long k = synth_codes(r, o->codes, o->all, &themes);
    int status = EXIT_RUNTIME;
    cooc c = {0};
    FILE *f = NULL;
    grid gr = {0};
    if (k < 0 || cooc_compute(&c, r, themes, (size_t)k, false) < 0)
        goto done;
    /* the grid's rows, chosen once for its quotes and for its table */
    if (o->format != FMT_CSV && o->format != FMT_JSON &&
        !(gr.rows = grid_rows(r, o->by, themes, (size_t)k, o->rows, &gr.n,
                              &gr.total, &gr.valued))) {
        cli_error(_("out of memory"));
        goto done;
    }
    if (o->format != FMT_CSV &&
        load_shown_quotes(r, s, o, themes, (size_t)k, &gr) < 0)
        goto done;
    if (o->by_given)
        synth_warn_unknown_by(s, r, o->by);
    if (!(f = out_open(o->out, cli_db_path(o->db), s)))
        goto done;
    if (o->format == FMT_JSON) {
        report_json(f, s, r, &c, o->quotes, o->by, o->codes ? themes : NULL,
                    (size_t)k);
    } else if (o->format == FMT_CSV) {
        table t;
        themes_table(&t, r, true, true);
        table_csv(f, &t);
        table_free(&t);
    } else {
        doc d = {f, o->format};
        report_human(&d, r, &c, themes, (size_t)k, o, &gr, db, s);
    }
    status = out_close(f, o->out) < 0 ? EXIT_RUNTIME : EXIT_OK;
done:
    if (gr.rows)
        grid_free(gr.rows, gr.n);
    for (size_t i = 0; gr.picks && gr.got && k > 0 && i < (size_t)k; i++)
        for (size_t q = 0; q < gr.got[i]; q++)
            grille_free(gr.picks[i * gr.per + q].speaker);
    free(gr.picks);
    free(gr.got);
    cooc_free(&c);
    free(themes);
    grille_report_free(r);
    grille_store_close(s);
    return status;
}

/* ------------------------------------------------------------- options */

static const char report_help[] =
    "Usage: grille report [-d DB] [-f FORMAT] [-o FILE] [-n QUOTES]\n"
    "                     [--by ATTRIBUTE] [--codes A,B,...] [--all]\n"
    "                     [--rows N]\n"
    "The theme report of the project: the corpus at a glance, each theme's\n"
    "documents, segments, hits, rate per 1,000 words and top terms, the\n"
    "theme x document matrix, the strongest co-occurrences, the synthesis\n"
    "grid (collectivités x themes with their most representative quote)\n"
    "and verbatims from different documents for each theme.\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -f, --format FORMAT  text (default), md, html, json or csv (the themes\n"
    "                       table)\n"
    "  -o, --output FILE    write there (created readable by you only); its\n"
    "                       extension picks the format when -f does not\n"
    "  -n, --quotes N       verbatims per theme (default 3)\n"
    "  -b, --by ATTRIBUTE   rows of the synthesis grid (default collectivite;\n"
    "                       documents without it are rows of their own)\n"
    "      --codes A,B,...  the themes of the matrix, grid and verbatims\n"
    "                       (default: every top-level theme; the verbatims\n"
    "                       of json: every code's)\n"
    "      --all            every code, sub-themes included\n"
    "      --rows N|all     rows of the tables in text, md and html: the\n"
    "                       matrix and the grid keep the N with the most coded\n"
    "                       segments, added up over the themes shown, the\n"
    "                       corpus tables the N most frequent values (default\n"
    "                       50), or all\n"
    "  -h, --help           show this help\n";

static const char cooc_help[] =
    "Usage: grille cooc [-d DB] [--level segment|document] [--codes A,B,...]\n"
    "                   [--all] [-f FORMAT] [-o FILE]\n"
    "Theme x theme co-occurrence: the units (segments, or documents) coded\n"
    "with both themes, Jaccard (ATLAS.ti's c-coefficient), lift, and in\n"
    "every format but JSON P(B|A) and P(A|B).  Children count for their\n"
    "parents.\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -l, --level LEVEL    segment (default) or document\n"
    "      --codes A,B,...  the codes (default: every top-level theme)\n"
    "      --all            every code, sub-themes included\n"
    "  -f, --format FORMAT  text (default), md, html, json or csv (the pairs)\n"
    "  -o, --output FILE    write there (created readable by you only); its\n"
    "                       extension picks the format when -f does not\n"
    "  -h, --help           show this help\n";

static const char compare_help[] =
    "Usage: grille compare --by ATTRIBUTE [-d DB] [--codes A,B,...] [--all]\n"
    "                      [-f FORMAT] [-o FILE]\n"
    "Themes x groups of documents (by the value of ATTRIBUTE: type, region,\n"
    "...): documents, coded segments, share of the group's segments, hits\n"
    "per 1,000 words, and Lafon's specificity, marked \xe2\x96\xb2 or \xe2\x96\xbc when |score| >= 2.\n"
    "Documents without the attribute form their own group.\n\n"
    "  -b, --by ATTRIBUTE   the attribute that makes the groups (required)\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "      --codes A,B,...  the codes (default: every top-level theme)\n"
    "      --all            every code, sub-themes included\n"
    "  -f, --format FORMAT  text (default), md, html, json or csv\n"
    "  -o, --output FILE    write there (created readable by you only); its\n"
    "                       extension picks the format when -f does not\n"
    "  -h, --help           show this help\n";

/* The options of report, cooc and compare: each command accepts those
 * whose letter is in its `allowed` string, and nothing else. */
static int parse(int argc, char **argv, const char *cmd, const char *help,
                 const char *allowed, ropts *o)
{
    static const struct option all[] = {
        {"db", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"quotes", required_argument, 0, 'n'},
        {"by", required_argument, 0, 'b'},
        {"codes", required_argument, 0, 'C'},
        {"all", no_argument, 0, 'A'},
        {"level", required_argument, 0, 'l'},
        {"rows", required_argument, 0, 'R'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct option opts[sizeof(all) / sizeof(all[0])];
    char shorts[32];
    size_t n = 0, k = 0;
    for (size_t i = 0; all[i].name; i++) {
        if (!strchr(allowed, all[i].val))
            continue;
        opts[n++] = all[i];
        /* C, A and R are long options only */
        if (all[i].val != 'C' && all[i].val != 'A' && all[i].val != 'R') {
            shorts[k++] = (char)all[i].val;
            if (all[i].has_arg)
                shorts[k++] = ':';
        }
    }
    opts[n] = (struct option){0, 0, 0, 0};
    shorts[k] = '\0';
    int c;
    bool format_given = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'o':
            if (!*optarg)
                return cli_usage(cmd, "%s", _(CLI_NO_OUTPUT));
            o->out = optarg;
            break;
        case 'f':
            format_given = true;
            o->format = parse_format(optarg, ALL_FORMATS);
            if (o->format < 0)
                return cli_usage(cmd,
                                 _("unknown format '%s' (text, md, html, "
                                   "json or csv)"),
                                 optarg);
            break;
        case 'n': {
            char *end;
            long q = strtol(optarg, &end, 10);
            if (end == optarg || *end || q < 0 || q > 1000)
                return cli_usage(cmd, _("-n takes a number from 0 to 1000, "
                                        "not '%s'"),
                                 optarg);
            o->quotes = (size_t)q;
            break;
        }
        case 'b':
            if (!*optarg)
                return cli_usage(cmd, "%s",
                                 _("--by takes the name of an attribute "
                                   "(see 'grille list')"));
            o->by = optarg;
            o->by_given = true;
            break;
        case 'R': {
            char *end;
            long q = strcmp(optarg, "all") == 0 ? 0 : strtol(optarg, &end, 10);
            if (strcmp(optarg, "all") != 0 &&
                (end == optarg || *end || q < 1 || q > 1000000))
                return cli_usage(cmd,
                                 _("--rows takes a number from 1 to "
                                   "1000000, or 'all', not '%s'"),
                                 optarg);
            o->rows = (size_t)q;
            break;
        }
        case 'C': o->codes = optarg; break;
        case 'A': o->all = true; break;
        case 'l':
            if (strcmp(optarg, "segment") == 0)
                o->documents = false;
            else if (strcmp(optarg, "document") == 0)
                o->documents = true;
            else
                return cli_usage(cmd,
                                 _("unknown level '%s' (segment or document)"),
                                 optarg);
            break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option(cmd);
        }
    }
    if (optind < argc)
        return cli_unexpected(cmd, argv + optind, argc - optind,
                              _("unexpected argument '%s'"), true);
    o->format = output_format(o->out, ALL_FORMATS, o->format,
                              format_given); /* -o x.html */
    if (o->all && o->codes)
        return cli_usage(cmd, "%s",
                         _("--codes names the codes, --all takes every one: "
                           "give one of them"));
    return -1;
}

int cmd_report(int argc, char **argv)
{
    ropts o = {.format = FMT_TEXT, .quotes = 3, .by = "collectivite",
               .rows = 50};
    int st = parse(argc, argv, "report", report_help, "dfonbCARh", &o);
    if (st >= 0)
        return st;
    return run_report(&o);
}

int cmd_cooc(int argc, char **argv)
{
    ropts o = {.format = FMT_TEXT};
    int st = parse(argc, argv, "cooc", cooc_help, "dfoCAlh", &o);
    if (st >= 0)
        return st;
    return run_cooc(&o);
}

int cmd_compare(int argc, char **argv)
{
    ropts o = {.format = FMT_TEXT};
    int st = parse(argc, argv, "compare", compare_help, "dfobCAh", &o);
    if (st >= 0)
        return st;
    if (!o.by)
        return cli_usage("compare", "%s",
                         _("say which attribute makes the groups: --by "
                           "ATTRIBUTE (e.g. --by type)"));
    return run_compare(&o);
}
