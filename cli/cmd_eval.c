/*
 * cmd_eval.c - `grille eval`: scores a codebook against a gold standard
 * coded by hand.
 *
 * The gold is a TSV file: a header "file<TAB>line<TAB>code..." and one row
 * per line of a note, with 1 (the line is about the code), 0 (it is not) or
 * ? (borderline, ignored) per code.  Each note is coded with the codebook; a
 * line counts as coded with X when a hit of X or of a child of X overlaps
 * it.  Per code: true and false positives and negatives, precision, recall,
 * F1 and Cohen's kappa over lines, then micro (pooled) and macro (mean)
 * averages.  --show-errors lists every false positive (with the words that
 * fired) and every false negative, so a codebook author sees what to fix.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "Usage: grille eval --gold GOLD.tsv [--root DIR] [-c CODEBOOK]\n"
    "                   [-f text|json|csv] [--show-errors]\n"
    "   or: grille eval --gold-project FILE.qdpx [-c CODEBOOK]\n"
    "                   [-f text|json|csv]\n"
    "Score a codebook against a gold standard coded by hand, line by line:\n"
    "precision, recall, F1 and Cohen's kappa per code, micro and macro\n"
    "averages.\n\n"
    "  -g, --gold FILE      the gold standard: a TSV with a header\n"
    "                       'file  line  CODE...' and cells 1, 0 or ?\n"
    "                       (a line that starts with # is a comment)\n"
    "  -G, --gold-project FILE\n"
    "                       the gold standard: the codings made by hand in a\n"
    "                       REFI-QDA project (NVivo, ATLAS.ti, MAXQDA,\n"
    "                       QualCoder), scored segment by segment\n"
    "  -r, --root DIR       folder the gold's file paths are relative to\n"
    "                       (default: the gold file's own folder)\n"
    "  -c, --codebook FILE  the codebook (default: the bundled one)\n"
    "  -f, --format FORMAT  text (default), json or csv\n"
    "  -e, --show-errors    list each false positive and false negative\n"
    "                       (text and json)\n"
    "  -h, --help           show this help\n\n"
    "A line counts as coded with a code when a hit of that code or of one of\n"
    "its children overlaps it.  A code that neither the gold nor the codebook\n"
    "gives to any line has no score ('-', null in JSON, empty in CSV) and is\n"
    "left out of the averages.  With --gold-project, the units are the\n"
    "segments of the texts that have a coding by hand (the others were not\n"
    "coded by a person), and the codes scored those coded by hand somewhere\n"
    "(a segment coded by hand with a child counts for its parents too).\n"
    "Exit status: 0 when the scores were computed,\n"
    "1 for an unreadable gold, note or codebook, 2 for a usage error.\n";

typedef struct row {
    size_t file;     /* index into files */
    unsigned line;   /* 1-based */
    size_t tsv_line; /* where the row is in the gold */
    char *cells;     /* one of '1', '0', '?' per gold code */
} row;

typedef struct gold {
    const char *path;
    char **codes;
    size_t ncodes;
    char **files;
    size_t nfiles;
    row *rows;
    size_t nrows, cap;
    size_t header_line;
} gold;

static void gold_free(gold *g)
{
    for (size_t i = 0; i < g->ncodes; i++)
        free(g->codes[i]);
    for (size_t i = 0; i < g->nfiles; i++)
        free(g->files[i]);
    for (size_t i = 0; i < g->nrows; i++)
        free(g->rows[i].cells);
    free(g->codes);
    free(g->files);
    free(g->rows);
}

/* Splits `line` on tabs in place; returns the number of fields. */
/* Splits line at its tabs, each field without the spaces around it (a
 * spreadsheet's "sante " or " 1" is sante or 1, as " 5" was 5). */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *tab = strchr(p, '\t');
        if (tab)
            *tab = '\0';
        while (*p == ' ')
            p++;
        size_t l = strlen(p);
        while (l && p[l - 1] == ' ')
            p[--l] = '\0';
        fields[n++] = p;
        if (!tab)
            break;
        p = tab + 1;
    }
    return n;
}

static int gold_error(const gold *g, size_t line, size_t col, const char *msg,
                      const char *value)
{
    if (value)
        cli_error("%s:%zu:%zu: %s '%s'", g->path, line, col, msg, value);
    else
        cli_error("%s:%zu:%zu: %s", g->path, line, col, msg);
    return -1;
}

static size_t file_index(gold *g, const char *name)
{
    while (name[0] == '.' && name[1] == '/') /* ./note.md is note.md */
        for (name += 2; *name == '/';)
            name++;
    for (size_t i = 0; i < g->nfiles; i++)
        if (strcmp(g->files[i], name) == 0)
            return i;
    char **f = realloc(g->files, (g->nfiles + 1) * sizeof(*f));
    if (!f)
        return SIZE_MAX;
    g->files = f;
    g->files[g->nfiles] = strdup(name);
    if (!g->files[g->nfiles])
        return SIZE_MAX;
    return g->nfiles++;
}

static int by_file_line(const void *pa, const void *pb)
{
    const row *a = *(const row *const *)pa, *b = *(const row *const *)pb;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->tsv_line < b->tsv_line ? -1 : a->tsv_line > b->tsv_line;
}

/* A line of a note given twice: its two rows would both be scored (and
 * may disagree). */
static int gold_twice(gold *g)
{
    const row **v = malloc(g->nrows * sizeof(*v));
    if (!v) {
        cli_error("%s", _("out of memory"));
        return -1;
    }
    for (size_t i = 0; i < g->nrows; i++)
        v[i] = &g->rows[i];
    qsort(v, g->nrows, sizeof(*v), by_file_line);
    int rc = 0;
    for (size_t i = 1; i < g->nrows && rc == 0; i++)
        if (v[i]->file == v[i - 1]->file && v[i]->line == v[i - 1]->line) {
            cli_error(_("%s:%zu:1: line %u of '%s' is given twice (first "
                        "on line %zu)"),
                      g->path, v[i]->tsv_line, v[i]->line,
                      g->files[v[i]->file], v[i - 1]->tsv_line);
            rc = -1;
        }
    free(v);
    return rc;
}

static int gold_read(gold *g, const char *path)
{
    grille_text *t = NULL;
    grille_error err = {0};
    memset(g, 0, sizeof(*g));
    g->path = path;
    if (grille_text_read_file(&t, path, &err) < 0) {
        cli_lib_error(&err);
        return -1;
    }
    size_t len;
    char *data = strdup(grille_text_data(t, &len));
    grille_text_free(t);
    if (!data) {
        cli_error("%s", _("out of memory"));
        return -1;
    }
    int rc = 0;
    size_t lineno = 0;
    size_t maxf = 0;
    char **fields = NULL;
    char *p = data, *endp = data + len;
    while (p < endp && rc == 0) {
        char *line = p;
        char *nl = memchr(p, '\n', (size_t)(endp - p));
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p = endp;
        }
        lineno++;
        line[strcspn(line, "\r")] = '\0';
        if (line[strspn(line, " ")] == '\0' || line[0] == '#')
            continue; /* empty, spaces only, or a comment */
        if (!g->codes) {
            /* as many fields as the header has, and one more: a row
             * with more is told, not cut */
            maxf = 2;
            for (const char *q = line; (q = strchr(q, '\t')); q++)
                maxf++;
            fields = calloc(maxf, sizeof(*fields));
            size_t n = fields ? split_tabs(line, fields, maxf) : 0;
            if (n < 3 || strcmp(fields[0], "file") || strcmp(fields[1], "line")) {
                rc = gold_error(g, lineno, 1,
                                _("the header must be 'file<TAB>line<TAB>"
                                  "CODE...' with at least one code"),
                                NULL);
                break;
            }
            g->ncodes = n - 2;
            g->header_line = lineno;
            maxf = n + 1;
            g->codes = calloc(g->ncodes, sizeof(*g->codes));
            for (size_t i = 0; g->codes && i < g->ncodes; i++)
                g->codes[i] = strdup(fields[i + 2]);
            continue;
        }
        size_t n = split_tabs(line, fields, maxf);
        if (n != g->ncodes + 2) {
            rc = gold_error(g, lineno, 1,
                            _("wrong number of fields (want file, line and "
                              "one cell per code)"),
                            NULL);
            break;
        }
        char *end;
        long ln = strtol(fields[1], &end, 10);
        if (*end || ln < 1 || ln > INT32_MAX) {
            rc = gold_error(g, lineno, (size_t)(fields[1] - line) + 1,
                            _("bad line number"), fields[1]);
            break;
        }
        if (g->nrows == g->cap) {
            size_t c = g->cap ? g->cap * 2 : 256;
            row *r = realloc(g->rows, c * sizeof(*r));
            if (!r) {
                rc = -1;
                break;
            }
            g->rows = r;
            g->cap = c;
        }
        row *r = &g->rows[g->nrows];
        r->file = file_index(g, fields[0]);
        r->line = (unsigned)ln;
        r->tsv_line = lineno;
        r->cells = malloc(g->ncodes);
        if (r->file == SIZE_MAX || !r->cells) {
            free(r->cells);
            rc = -1;
            break;
        }
        for (size_t i = 0; i < g->ncodes && rc == 0; i++) {
            const char *v = fields[i + 2];
            if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "?")) {
                free(r->cells);
                rc = gold_error(g, lineno, (size_t)(v - line) + 1,
                                _("a cell must be 1, 0 or ?, not"), v);
                break;
            }
            r->cells[i] = v[0];
        }
        if (rc == 0)
            g->nrows++;
    }
    free(fields);
    free(data);
    if (rc == 0 && !g->codes)
        rc = gold_error(g, 1, 1, _("empty gold standard: no header"), NULL);
    if (rc == 0 && !g->nrows)
        rc = gold_error(g, g->header_line, 1,
                        _("no line to score: the gold standard has its "
                          "header only"),
                        NULL);
    for (size_t i = 0; rc == 0 && i < g->ncodes; i++)
        for (size_t j = 0; rc == 0 && j < i; j++)
            if (strcmp(g->codes[i], g->codes[j]) == 0)
                rc = gold_error(g, g->header_line, 1,
                                _("a code given twice in the header:"),
                                g->codes[i]);
    if (rc == 0 && g->nrows > 1)
        rc = gold_twice(g);
    return rc;
}

/* Start offsets of every line of text (lines[0] = line 1); CRLF, CR, LF. */
static size_t *line_starts(const char *s, size_t len, size_t *n)
{
    size_t cap = 64, k = 0;
    size_t *v = malloc(cap * sizeof(*v));
    if (!v)
        return NULL;
    v[k++] = 0;
    for (size_t i = 0; i < len; i++) {
        bool eol = s[i] == '\n' || (s[i] == '\r' && !(i + 1 < len &&
                                                      s[i + 1] == '\n'));
        /* the end of the last line starts no line of its own: "a\nb\n"
         * has two, as an editor shows */
        if (!eol || i + 1 == len)
            continue;
        if (k == cap) {
            cap *= 2;
            size_t *w = realloc(v, cap * sizeof(*v));
            if (!w) {
                free(v);
                return NULL;
            }
            v = w;
        }
        v[k++] = i + 1;
    }
    *n = k;
    return v;
}

/* 0-based index of the line holding byte `off`. */
static size_t line_index(const size_t *starts, size_t n, size_t off)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool is_under(const grille_codebook *cb, size_t c, size_t anc)
{
    grille_code_info info;
    for (long k = (long)c; k >= 0; k = info.parent) {
        if ((size_t)k == anc)
            return true;
        grille_codebook_code(cb, (size_t)k, &info);
    }
    return false;
}

typedef struct evalrun {
    gold g;
    const grille_codebook *cb;
    size_t *cbcode;          /* gold code -> codebook code */
    grille_confusion *conf;  /* per gold code */
    FILE **errs;             /* per gold code, with --show-errors */
    char **errbuf;
    size_t *errlen;
    bool show;
    bool project; /* units are segments of a REFI-QDA project */
    int format;
} evalrun;

static void put_line(FILE *f, const char *s, size_t a, size_t b, bool json)
{
    while (b > a && (s[b - 1] == '\n' || s[b - 1] == '\r'))
        b--;
    if (json)
        json_str(f, s + a, b - a);
    else
        put_flat(f, s + a, b - a);
}

/* One file named by two paths (a.md, /dir/a.md, x/../a.md, relative to
 * `root`): its rows go to the first, so that a line given by both is
 * refused as given twice. */
static int gold_same_files(gold *g, const char *root)
{
    size_t real_n = g->nfiles;
    char **real = calloc(real_n + 1, sizeof(*real));
    size_t *to = calloc(real_n + 1, sizeof(*to));
    bool merged = false;
    int rc = 0;
    if (!real || !to) {
        cli_error("%s", _("out of memory"));
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < g->nfiles; i++) {
        char *path = NULL;
        const char *name = g->files[i];
        if (name[0] != '/' && asprintf(&path, "%s/%s", root, name) < 0)
            path = NULL;
        real[i] = realpath(path ? path : name, NULL); /* NULL: not there */
        free(path);
        to[i] = i;
        for (size_t j = 0; real[i] && j < i; j++)
            if (real[j] && strcmp(real[i], real[j]) == 0) {
                to[i] = to[j];
                merged = true;
                break;
            }
    }
    if (rc == 0 && merged) {
        /* the files that stay, renumbered */
        size_t kept = 0, *at = to; /* at[i]: the new number of file i */
        for (size_t i = 0; i < g->nfiles; i++) {
            if (to[i] == i) {
                g->files[kept] = g->files[i];
                at[i] = kept++;
            } else {
                free(g->files[i]);
                at[i] = at[to[i]];
            }
        }
        g->nfiles = kept;
        for (size_t k = 0; k < g->nrows; k++)
            g->rows[k].file = at[g->rows[k].file];
        if (g->nrows > 1)
            rc = gold_twice(g);
    }
    for (size_t i = 0; real && real_n && i < real_n; i++)
        free(real[i]);
    free(real);
    free(to);
    return rc;
}

/* Codes one note and scores its rows. */
static int eval_file(evalrun *e, size_t fi, const char *root,
                     grille_analyser *a)
{
    gold *g = &e->g;
    char *path = NULL;
    const char *name = g->files[fi];
    if (name[0] == '/' ||
        asprintf(&path, "%s/%s", root, name) < 0)
        path = strdup(name);
    if (!path)
        return -1;
    cli_doc d;
    int rc = cli_doc_read(&d, path);
    bool missing = rc < 0 && access(path, F_OK) != 0;
    free(path);
    if (rc < 0) {
        size_t at = 0;
        for (size_t i = 0; i < g->nrows && !at; i++)
            if (g->rows[i].file == fi)
                at = g->rows[i].tsv_line;
        if (missing)
            cli_error(_("%s:%zu:1: the note '%s' it names is not there (the "
                        "gold's paths are relative to %s; --root DIR names "
                        "another folder)"),
                      g->path, at, name, root);
        else
            cli_error(_("%s:%zu:1: the note '%s' it names is refused "
                        "(above)"),
                      g->path, at, name);
        return -1;
    }
    grille_error err = {0};
    rc = grille_analyser_run(a, d.data, d.len, d.body, GRILLE_UNIT_PARAGRAPH,
                             e->cb, d.name, &err);
    if (rc < 0) {
        cli_lib_error(&err);
        cli_doc_free(&d);
        return -1;
    }
    size_t nl;
    size_t *starts = line_starts(d.data, d.len, &nl);
    const grille_coding *cod;
    size_t nc = grille_analyser_codings(a, &cod);
    size_t ngc = g->ncodes;
    /* hit[line * ngc + k]: a coding under gold code k overlaps the line */
    unsigned char *hit = starts ? calloc(nl * ngc + 1, 1) : NULL;
    if (!hit) {
        free(starts);
        cli_doc_free(&d);
        cli_error("%s", _("out of memory"));
        return -1;
    }
    for (size_t i = 0; i < nc; i++) {
        size_t l0 = line_index(starts, nl, cod[i].start);
        size_t l1 = line_index(starts, nl, cod[i].end - 1);
        for (size_t k = 0; k < ngc; k++) {
            if (!is_under(e->cb, cod[i].code, e->cbcode[k]))
                continue;
            for (size_t l = l0; l <= l1; l++)
                hit[l * ngc + k] = 1;
        }
    }
    for (size_t r = 0; r < g->nrows; r++) {
        const row *w = &g->rows[r];
        if (w->file != fi)
            continue;
        if (w->line > nl) {
            cli_error(_("%s:%zu:1: line %u is past the end of %s (%zu "
                        "lines)"),
                      g->path, w->tsv_line, w->line, g->files[fi], nl);
            rc = -1;
            break;
        }
        size_t li = w->line - 1;
        size_t a0 = starts[li], a1 = li + 1 < nl ? starts[li + 1] : d.len;
        if (a1 <= d.body) {
            /* no segment there: the row would count as a miss for ever */
            cli_error(_("%s:%zu:1: line %u of %s is in its front matter "
                        "(lines 1 to %zu), which is not coded"),
                      g->path, w->tsv_line, w->line, g->files[fi],
                      line_index(starts, nl, d.body ? d.body - 1 : 0) + 1);
            rc = -1;
            break;
        }
        bool blank = true; /* no segment either: a 1 a miss for ever */
        for (size_t i = a0; i < a1 && blank; i++)
            blank = d.data[i] == ' ' || d.data[i] == '\t' ||
                    d.data[i] == '\r' || d.data[i] == '\n';
        for (size_t k = 0; k < ngc && blank; k++)
            if (w->cells[k] == '1') {
                cli_error(_("%s:%zu:1: line %u of %s is blank, which no "
                            "code can be found on: its '%s' would count "
                            "as a miss (the line of the text it means?)"),
                          g->path, w->tsv_line, w->line, g->files[fi],
                          g->codes[k]);
                rc = -1;
                break;
            }
        if (rc < 0)
            break;
        for (size_t k = 0; k < ngc; k++) {
            char cell = w->cells[k];
            if (cell == '?')
                continue;
            bool pred = hit[li * ngc + k], truth = cell == '1';
            grille_confusion *c = &e->conf[k];
            if (pred && truth)
                c->tp++;
            else if (pred)
                c->fp++;
            else if (truth)
                c->fn++;
            else
                c->tn++;
            if (!e->show || pred == truth)
                continue;
            FILE *f = e->errs[k];
            bool json = e->format == FMT_JSON;
            if (json) {
                fprintf(f, "%s{\"code\": ", ftell(f) ? ", " : "");
                json_cstr(f, g->codes[k]);
                fprintf(f, ", \"kind\": \"%s\", \"file\": ",
                        pred ? "false_positive" : "false_negative");
                json_cstr(f, name);
                fprintf(f, ", \"line\": %u, \"text\": ", w->line);
                put_line(f, d.data, a0, a1, true);
                fputs(", \"terms\": [", f);
            } else {
                fprintf(f, "  %s %s:%u  ", pred ? "FP" : "FN", name,
                        w->line);
                put_line(f, d.data, a0, a1, false);
            }
            bool first = true;
            for (size_t i = 0; pred && i < nc; i++) {
                if (cod[i].start >= a1 || cod[i].end <= a0 ||
                    !is_under(e->cb, cod[i].code, e->cbcode[k]))
                    continue;
                if (json) {
                    fputs(first ? "" : ", ", f);
                    json_str(f, d.data + cod[i].start,
                             cod[i].end - cod[i].start);
                } else {
                    fputs(first ? "  <- " : ", ", f);
                    fputs("\xc2\xab", f);
                    put_flat(f, d.data + cod[i].start,
                             cod[i].end - cod[i].start);
                    fputs("\xc2\xbb", f);
                }
                first = false;
            }
            fputs(json ? "]}" : "\n", f);
        }
    }
    free(hit);
    free(starts);
    cli_doc_free(&d);
    return rc;
}

/* Whether a code has scores: a line coded with it by the gold or by the
 * codebook.  Without one, precision and recall divide zero by zero. */
static bool scored(const grille_confusion *c)
{
    return c->tp + c->fp + c->fn > 0;
}

/* s's scores, or null for a code without (s NULL) */
static void json_scores(FILE *f, const grille_confusion *c,
                        const grille_scores *s)
{
    if (c)
        fprintf(f, "\"tp\": %zu, \"fp\": %zu, \"fn\": %zu, \"tn\": %zu, ",
                c->tp, c->fp, c->fn, c->tn);
    if (!s)
        fputs("\"precision\": null, \"recall\": null, \"f1\": null, "
              "\"kappa\": null",
              f);
    else
        fprintf(f,
                "\"precision\": %.6f, \"recall\": %.6f, \"f1\": %.6f, "
                "\"kappa\": %.6f",
                s->precision, s->recall, s->f1, s->kappa);
}

static void csv_scores(FILE *f, const grille_scores *s)
{
    if (!s)
        fputs(",,,\r\n", f);
    else
        fprintf(f, "%.4f,%.4f,%.4f,%.4f\r\n", s->precision, s->recall,
                s->f1, s->kappa);
}

static void text_scores(const grille_scores *s)
{
    if (!s)
        printf(" %9s %7s %6s %6s\n", "-", "-", "-", "-");
    else
        printf(" %9.3f %7.3f %6.3f %6.3f\n", s->precision, s->recall, s->f1,
               s->kappa);
}

static void report(evalrun *e)
{
    gold *g = &e->g;
    size_t n = g->ncodes;
    grille_confusion micro = {0};
    grille_scores macro = {0}, ms, *sc = calloc(n, sizeof(*sc));
    if (!sc)
        return;
    /* the macro average is over the codes with scores */
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        m += scored(&e->conf[k]);
    for (size_t k = 0; k < n; k++) {
        grille_scores_compute(&e->conf[k], &sc[k]);
        if (!scored(&e->conf[k])) {
            /* out of both averages: its true negatives alone moved the
             * micro kappa (a column of 0s, never coded, raised it) */
            if (e->format != FMT_TEXT) /* text says it under its table */
                cli_warning(e->conf[k].tn
                                ? _("code '%s': no line is coded with it, by "
                                    "the gold or by the codebook: no score, "
                                    "and left out of the averages")
                                : _("code '%s': no line of the gold scores "
                                    "it (all '?'): no score, and left out "
                                    "of the averages"),
                            g->codes[k]);
            continue;
        }
        micro.tp += e->conf[k].tp;
        micro.fp += e->conf[k].fp;
        micro.fn += e->conf[k].fn;
        micro.tn += e->conf[k].tn;
        macro.precision += sc[k].precision / (double)m;
        macro.recall += sc[k].recall / (double)m;
        macro.f1 += sc[k].f1 / (double)m;
        macro.kappa += sc[k].kappa / (double)m;
    }
    grille_scores_compute(&micro, &ms);
    const grille_scores *msp = scored(&micro) ? &ms : NULL;
    const grille_scores *macp = m ? &macro : NULL;
    FILE *f = stdout;
    if (e->format == FMT_JSON) {
        fputs("{\"codes\": [", f);
        for (size_t k = 0; k < n; k++) {
            fprintf(f, "%s{\"code\": ", k ? ", " : "");
            json_cstr(f, g->codes[k]);
            fputs(", ", f);
            json_scores(f, &e->conf[k],
                        scored(&e->conf[k]) ? &sc[k] : NULL);
            putc('}', f);
        }
        fputs("], \"micro\": {", f);
        json_scores(f, &micro, msp);
        fprintf(f, "}, \"macro\": {\"codes\": %zu, ", m);
        json_scores(f, NULL, macp);
        putc('}', f);
        if (e->show) {
            fputs(", \"errors\": [", f);
            bool any = false;
            for (size_t k = 0; k < n; k++) {
                fflush(e->errs[k]);
                if (!e->errlen[k])
                    continue;
                fputs(any ? ", " : "", f);
                fwrite(e->errbuf[k], 1, e->errlen[k], f);
                any = true;
            }
            putc(']', f);
        }
        fputs(", \"codebook\": {\"name\": ", f);
        json_cstr(f, grille_codebook_name(e->cb));
        fputs(", \"source\": ", f);
        json_cstr(f, grille_codebook_source(e->cb));
        fputs(", \"sha256\": ", f);
        json_cstr(f, grille_codebook_sha256(e->cb));
        fputs("}}\n", f);
    } else if (e->format == FMT_CSV) {
        fputs("code,tp,fp,fn,tn,precision,recall,f1,kappa\r\n", f);
        for (size_t k = 0; k < n; k++) {
            csv_ccell(f, g->codes[k], true);
            fprintf(f, ",%zu,%zu,%zu,%zu,", e->conf[k].tp, e->conf[k].fp,
                    e->conf[k].fn, e->conf[k].tn);
            csv_scores(f, scored(&e->conf[k]) ? &sc[k] : NULL);
        }
        fprintf(f, "micro,%zu,%zu,%zu,%zu,", micro.tp, micro.fp, micro.fn,
                micro.tn);
        csv_scores(f, msp);
        fputs("macro,,,,,", f);
        csv_scores(f, macp);
    } else {
        /* which codebook, exactly: its name may be the same for each
         * version of it, and without -c the bundled one is scored */
        cli_printf(e->project ? _("%zu segment%s of %zu document%s, "
                                  "codebook %s (%s, sha256 %.12s)\n\n")
                              : _("%zu line%s of %zu file%s, codebook %s "
                                  "(%s, sha256 %.12s)\n\n"),
                   g->nrows, cli_s(g->nrows), g->nfiles, cli_s(g->nfiles),
                   grille_codebook_name(e->cb), grille_codebook_source(e->cb),
                   grille_codebook_sha256(e->cb));
        printf("%-20s %5s %5s %5s %5s %9s %7s %6s %6s\n", _("code"), "tp",
               "fp", "fn", "tn", _("precision"), _("recall"), "F1",
               _("kappa"));
        for (size_t k = 0; k < n; k++) {
            int w = 20 - (int)text_width(g->codes[k], strlen(g->codes[k]));
            cli_printf("%s%*s %5zu %5zu %5zu %5zu", g->codes[k],
                       w > 0 ? w : 0, "", e->conf[k].tp, e->conf[k].fp,
                       e->conf[k].fn, e->conf[k].tn);
            text_scores(scored(&e->conf[k]) ? &sc[k] : NULL);
        }
        printf("%-20s %5zu %5zu %5zu %5zu", _("micro"), micro.tp, micro.fp,
               micro.fn, micro.tn);
        text_scores(msp);
        printf("%-20s %5s %5s %5s %5s", _("macro"), "", "", "", "");
        text_scores(macp);
        if (m == 0)
            printf("\n%s\n", _("-: no line coded with it, by the gold or "
                               "by the codebook (or none scored: all '?'); "
                               "no code has a score, nor have the "
                               "averages."));
        else if (m < n)
            printf(_("\n-: no line coded with it, by the gold or by the "
                     "codebook (or none scored: all '?'); the averages are "
                     "over the %zu other code%s.\n"),
                   m, cli_s(m));
        if (e->show) {
            for (size_t k = 0; k < n; k++) {
                fflush(e->errs[k]);
                if (!e->errlen[k])
                    continue;
                printf(_("\n%s: false positives (FP) and negatives (FN)\n"),
                       g->codes[k]);
                fwrite(e->errbuf[k], 1, e->errlen[k], stdout);
            }
        }
    }
    free(sc);
}

/* ------------------------------------------------ --gold-project */

/* The codings of a scratch project, per unit (a segment). */
typedef struct units {
    const grille_codebook *cb;
    int64_t *doc_ids;
    size_t *doc_base; /* first unit of each document */
    size_t ndocs, cap, nunits;
    unsigned char *gold, *pred; /* [unit * ncodes + code] */
    size_t ncodes;
    size_t foreign; /* manual codings of codes not in the codebook */
    char *foreign_ids; /* those codes, ", " between them */
    bool *by_hand; /* per document: some coding by hand (it was coded) */
} units;

static int on_unit_doc(const grille_doc_info *d, void *payload)
{
    units *u = payload;
    if (u->ndocs == u->cap) {
        size_t c = u->cap ? u->cap * 2 : 16;
        int64_t *a = realloc(u->doc_ids, c * sizeof(*a));
        if (!a)
            return 1;
        u->doc_ids = a;
        size_t *b = realloc(u->doc_base, c * sizeof(*b));
        if (!b)
            return 1;
        u->doc_base = b;
        u->cap = c;
    }
    u->doc_ids[u->ndocs] = d->id;
    u->doc_base[u->ndocs++] = u->nunits;
    u->nunits += d->segments;
    return 0;
}

/* Marks the coding's code and its ancestors in its unit: manual codings
 * in the gold, automatic ones in the prediction. */
static int on_unit_coding(const grille_coding_info *c, void *payload)
{
    units *u = payload;
    size_t d = 0;
    while (d < u->ndocs && u->doc_ids[d] != c->document)
        d++;
    if (d == u->ndocs)
        return 0;
    size_t unit = u->doc_base[d] + c->segment;
    bool manual = strcmp(c->origin, "manual") == 0;
    if (manual)
        u->by_hand[d] = true;
    long k = grille_codebook_find(u->cb, c->code);
    /* a code by hand under one of the codebook's (sante/penurie, made by
     * the import): it counts for its nearest ancestor in the codebook */
    char *id = k < 0 ? strdup(c->code) : NULL;
    for (char *slash; k < 0 && id && (slash = strrchr(id, '/'));) {
        *slash = '\0';
        k = grille_codebook_find(u->cb, id);
    }
    free(id);
    if (k < 0) {
        if (!manual)
            return 0;
        u->foreign++;
        /* named in the warning, each once */
        size_t cl = strlen(c->code);
        const char *f = u->foreign_ids;
        bool seen = false;
        while (f && *f && !seen) {
            const char *end = strstr(f, ", ");
            size_t fl = end ? (size_t)(end - f) : strlen(f);
            seen = fl == cl && memcmp(f, c->code, cl) == 0;
            f = end ? end + 2 : NULL;
        }
        char *more = NULL;
        if (!seen && asprintf(&more, "%s%s%s",
                              u->foreign_ids ? u->foreign_ids : "",
                              u->foreign_ids ? ", " : "", c->code) >= 0) {
            free(u->foreign_ids);
            u->foreign_ids = more;
        }
        return 0;
    }
    unsigned char *v = manual ? u->gold : u->pred;
    grille_code_info info;
    for (; k >= 0; k = info.parent) {
        v[unit * u->ncodes + (size_t)k] = 1;
        grille_codebook_code(u->cb, (size_t)k, &info);
    }
    return 0;
}

/* Imports `qdpx` into a scratch project coded with `cb` and fills `e`
 * with the codes coded by hand there and their confusion over segments. */
static int eval_project(evalrun *e, const char *qdpx, const char *text,
                        size_t len, grille_codebook *cb)
{
    grille_error err = {0};
    grille_store *s = NULL;
    grille_analyser *a = NULL;
    units u = {0};
    int rc = -1;
    char dir[] = "/tmp/grille-eval-XXXXXX", db[4096];
    const char *tmp = getenv("TMPDIR");
    char *tdir = NULL;
    if (tmp && *tmp && asprintf(&tdir, "%s/grille-eval-XXXXXX", tmp) < 0)
        tdir = NULL;
    char *made = mkdtemp(tdir ? tdir : dir);
    if (!made) {
        cli_error(_("cannot make a scratch folder: %s"), strerror(errno));
        free(tdir);
        return -1;
    }
    snprintf(db, sizeof(db), "%s/p.db", made);
    if (grille_store_create(&s, db, text, len, grille_codebook_source(cb),
                            GRILLE_UNIT_PARAGRAPH, &err) < 0 ||
        cli_analyser(&a, &err) < 0 || grille_store_begin(s, &err) < 0)
        goto fail;
    grille_refi_import_stats st;
    if (grille_refi_import_qdpx(s, a, cb, qdpx, &st, &err) < 0 ||
        grille_store_commit(s, &err) < 0)
        goto fail;
    u.cb = cb;
    u.ncodes = grille_codebook_count(cb);
    if (grille_store_foreach_doc(s, on_unit_doc, &u, &err) != 0)
        goto fail;
    u.gold = calloc(u.nunits * u.ncodes + 1, 1);
    u.pred = calloc(u.nunits * u.ncodes + 1, 1);
    u.by_hand = calloc(u.ndocs + 1, sizeof(*u.by_hand));
    if (!u.gold || !u.pred || !u.by_hand) {
        cli_error("%s", _("out of memory"));
        goto done;
    }
    if (grille_store_foreach_coding(s, 0, on_unit_coding, &u, &err) != 0)
        goto fail;
    if (u.foreign)
        cli_warning(_("%s: %zu coding%s by hand of codes that are not in "
                      "the codebook, not scored: %s"),
                    qdpx, u.foreign, cli_s(u.foreign),
                    u.foreign_ids ? u.foreign_ids : "?");
    /* the units are the segments of the documents someone coded by hand:
     * the others were not read by a coder, and their segments are no
     * "not about it" */
    size_t nunits = 0, ndocs = 0;
    unsigned char *scored = calloc(u.nunits + 1, 1);
    if (!scored) {
        cli_error("%s", _("out of memory"));
        goto done;
    }
    size_t unread = 0; /* texts with no coding by hand: left out */
    for (size_t d = 0; d < u.ndocs; d++) {
        if (!u.by_hand[d]) {
            unread++;
            continue;
        }
        ndocs++;
        size_t end = d + 1 < u.ndocs ? u.doc_base[d + 1] : u.nunits;
        for (size_t i = u.doc_base[d]; i < end; i++, nunits++)
            scored[i] = 1;
    }
    if (unread)
        cli_warning(_("%s: %zu text%s with no coding by hand, not scored "
                      "(not read by the coder, it is taken; code one "
                      "segment by hand to have a text scored)"),
                    qdpx, unread, cli_s(unread));
    /* the codes coded by hand somewhere are the gold's codes */
    gold *g = &e->g;
    g->path = qdpx;
    g->nrows = nunits;
    g->nfiles = ndocs;
    g->codes = calloc(u.ncodes + 1, sizeof(*g->codes));
    e->conf = calloc(u.ncodes + 1, sizeof(*e->conf));
    if (!g->codes || !e->conf) {
        free(scored);
        cli_error("%s", _("out of memory"));
        goto done;
    }
    for (size_t k = 0; k < u.ncodes; k++) {
        bool any = false;
        for (size_t i = 0; i < u.nunits && !any; i++)
            any = u.gold[i * u.ncodes + k];
        if (!any)
            continue;
        grille_code_info info;
        grille_codebook_code(cb, k, &info);
        grille_confusion *c = &e->conf[g->ncodes];
        if (!(g->codes[g->ncodes++] = strdup(info.id))) {
            free(scored);
            cli_error("%s", _("out of memory"));
            goto done;
        }
        for (size_t i = 0; i < u.nunits; i++) {
            if (!scored[i])
                continue;
            bool gd = u.gold[i * u.ncodes + k], pr = u.pred[i * u.ncodes + k];
            c->tp += gd && pr;
            c->fp += !gd && pr;
            c->fn += gd && !pr;
            c->tn += !gd && !pr;
        }
    }
    free(scored);
    if (!g->ncodes) {
        cli_error(_("%s: no coding made by hand of a code of the codebook: "
                    "nothing to score"),
                  qdpx);
        goto done;
    }
    rc = 0;
    goto done;
fail:
    cli_lib_error(&err);
done:
    grille_store_close(s);
    grille_analyser_free(a);
    free(u.doc_ids);
    free(u.doc_base);
    free(u.gold);
    free(u.pred);
    free(u.by_hand);
    free(u.foreign_ids);
    char path[4096];
    static const char *const parts[] = {"p.db", "p.db-wal", "p.db-shm",
                                        "p.db-journal"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", made, parts[i]);
        unlink(path);
    }
    rmdir(made);
    free(tdir);
    return rc;
}

/* The codebook's code nearest to a gold's column that none has (a typo:
 * "enfnce", "snte"): two edits for an id of six letters or more, one
 * for a shorter one, as for a front matter's keys; NULL for none. */
static const char *near_code(const grille_codebook *cb, const char *name)
{
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; i < grille_codebook_count(cb); i++) {
        grille_code_info c;
        if (grille_codebook_code(cb, i, &c) < 0)
            continue;
        size_t len = strlen(c.id), d = cli_typo_distance(name, c.id);
        if (d < bd && d <= (len > 5 ? 2u : 1u)) {
            bd = d;
            best = c.id;
        }
    }
    return best;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"gold", required_argument, 0, 'g'},
        {"gold-project", required_argument, 0, 'G'},
        {"root", required_argument, 0, 'r'},
        {"codebook", required_argument, 0, 'c'},
        {"format", required_argument, 0, 'f'},
        {"show-errors", no_argument, 0, 'e'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *goldpath = NULL, *root = NULL, *cbpath = NULL,
               *goldproject = NULL;
    evalrun e;
    memset(&e, 0, sizeof(e));
    e.format = FMT_TEXT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "g:G:r:c:f:eh", opts, NULL)) != -1) {
        switch (c) {
        case 'g': goldpath = optarg; break;
        case 'G': goldproject = optarg; break;
        case 'r': root = optarg; break;
        case 'c': cbpath = optarg; break;
        case 'f':
            e.format = parse_format(optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
                                                1u << FMT_CSV);
            if (e.format < 0)
                return cli_usage("eval",
                                 _("unknown format '%s' (text, json or csv)"),
                                 optarg);
            break;
        case 'e': e.show = true; break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("eval");
        }
    }
    if (goldpath && goldproject)
        return cli_usage("eval", "%s",
                         _("--gold or --gold-project, not both"));
    if (goldproject && (root || e.show))
        return cli_usage("eval", "%s",
                         _("--root and --show-errors go with --gold"));
    if (e.show && e.format == FMT_CSV)
        return cli_usage("eval", "%s",
                         _("--show-errors goes with the text or json "
                           "format (a CSV holds the scores only)"));
    if (!goldpath && !goldproject)
        return cli_usage("eval", "%s",
                         _("give the gold standard with --gold or "
                           "--gold-project"));
    if (optind < argc)
        return cli_unexpected("eval", argv + optind, argc - optind,
                              _("unexpected argument '%s'"), true);
    if (goldproject) {
        grille_codebook *pcb = NULL;
        int st = EXIT_RUNTIME;
        e.project = true;
        /* its text read once (standard input can be), for the codebook
         * and for the scratch project */
        grille_text *cbtext = NULL;
        grille_error cerr = {0};
        const char *yaml = NULL;
        size_t ylen = 0;
        if (!cbpath)
            yaml = grille_codebook_bundled_text(&ylen);
        else if (cli_read_codebook(&cbtext, cbpath, &cerr) == 0)
            yaml = grille_text_data(cbtext, &ylen);
        if (!yaml)
            cli_lib_error(&cerr);
        else if (!cbpath)
            cli_load_codebook(&pcb, NULL);
        else if (grille_codebook_load(&pcb, yaml, ylen,
                                      strcmp(cbpath, "-") == 0 ? "<stdin>"
                                                               : cbpath,
                                      &cerr) < 0)
            cli_lib_error(&cerr);
        if (pcb) {
            e.cb = pcb;
            if (eval_project(&e, goldproject, yaml, ylen, pcb) == 0) {
                report(&e);
                st = EXIT_OK;
            }
        }
        grille_text_free(cbtext);
        free(e.conf);
        grille_codebook_free(pcb);
        e.g.nfiles = e.g.nrows = 0; /* counts only: no files, no rows */
        gold_free(&e.g);
        return st;
    }
    if (gold_read(&e.g, goldpath) < 0) {
        gold_free(&e.g);
        return EXIT_RUNTIME;
    }
    char *dir = NULL;
    if (!root) {
        const char *slash = strrchr(goldpath, '/');
        dir = slash ? strndup(goldpath, (size_t)(slash - goldpath))
                    : strdup(".");
        root = dir;
    }
    grille_codebook *cb = NULL;
    grille_analyser *a = NULL;
    grille_error err = {0};
    int status = EXIT_RUNTIME;
    size_t n = e.g.ncodes;
    if (!root || gold_same_files(&e.g, root) < 0 ||
        cli_load_codebook(&cb, cbpath) < 0)
        goto done;
    e.cb = cb;
    e.cbcode = calloc(n, sizeof(*e.cbcode));
    e.conf = calloc(n, sizeof(*e.conf));
    e.errs = calloc(n, sizeof(*e.errs));
    e.errbuf = calloc(n, sizeof(*e.errbuf));
    e.errlen = calloc(n, sizeof(*e.errlen));
    if (!e.cbcode || !e.conf || !e.errs || !e.errbuf || !e.errlen)
        goto done;
    for (size_t k = 0; k < n; k++) {
        long ci = grille_codebook_find(cb, e.g.codes[k]);
        const char *near = ci < 0 ? near_code(cb, e.g.codes[k]) : NULL;
        if (near) {
            cli_error(_("%s:1: code '%s' of the gold is not in the codebook "
                        "%s: did you mean '%s'?"),
                      goldpath, e.g.codes[k], grille_codebook_name(cb), near);
            goto done;
        }
        if (ci < 0) {
            cli_error(_("%s:1: code '%s' of the gold is not in the codebook "
                        "%s (renamed or moved? write its id in the gold's "
                        "header as the codebook has it now, the full path of "
                        "a child: theme/child)"),
                      goldpath, e.g.codes[k], grille_codebook_name(cb));
            goto done;
        }
        e.cbcode[k] = (size_t)ci;
        if (e.show) {
            e.errs[k] = open_memstream(&e.errbuf[k], &e.errlen[k]);
            if (!e.errs[k])
                goto done;
        }
    }
    if (cli_analyser(&a, &err) < 0) {
        cli_lib_error(&err);
        goto done;
    }
    for (size_t fi = 0; fi < e.g.nfiles; fi++)
        if (eval_file(&e, fi, root, a) < 0)
            goto done;
    report(&e);
    status = EXIT_OK;
done:
    for (size_t k = 0; e.errs && k < n; k++) {
        if (e.errs[k])
            fclose(e.errs[k]);
        free(e.errbuf[k]);
    }
    free(e.errs);
    free(e.errbuf);
    free(e.errlen);
    free(e.cbcode);
    free(e.conf);
    grille_analyser_free(a);
    grille_codebook_free(cb);
    gold_free(&e.g);
    free(dir);
    return status;
}
