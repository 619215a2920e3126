/*
 * cmd_quotes.c - reading the coded text: `grille quotes CODE` (the most
 * representative verbatims of a theme, from different documents first,
 * optionally per group) and `grille kwic PATTERN` (a concordance of any
 * pattern kind of the codebook over the project's documents).
 */
#include "heap.h"
#include "synth.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_FORMATS                                                        \
    (1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV | 1u << FMT_MD |        \
     1u << FMT_HTML)

static const char quotes_help[] =
    "Usage: grille quotes [-d DB] CODE [-n N] [--by ATTRIBUTE] [-f FORMAT]\n"
    "                     [-o FILE]\n"
    "The verbatims of a theme (children included), the most representative\n"
    "first (most hits, then a readable length, then most distinct words),\n"
    "one per document before a second from the same document, with their\n"
    "source and attributes.\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -n, --number N       how many (default 5; per group with --by)\n"
    "  -b, --by ATTRIBUTE   N verbatims for each value of ATTRIBUTE\n"
    "  -f, --format FORMAT  text (default), md, html, json or csv\n"
    "  -o, --output FILE    write there (created readable by you only); its\n"
    "                       extension picks the format when -f does not\n"
    "  -h, --help           show this help\n";

static const char kwic_help[] =
    "Usage: grille kwic [-d DB] PATTERN [-w WIDTH] [-f FORMAT] [-o FILE]\n"
    "A concordance of PATTERN in the project's documents: each match with\n"
    "its left and right context, aligned, with the document and line.\n"
    "PATTERN is any pattern of a codebook: a word (matched on its stem), a\n"
    "phrase, a glob (visio*), an exact form (=ARS), a proximity rule\n"
    "('réunion* ~5 distance'), or a regex between slashes (/r[ée]union/).\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -w, --width N        characters of context on each side, 5 to 500\n"
    "                       (default 30; the tables mark a cut context\n"
    "                       with …, and the text table cuts them to fit\n"
    "                       100 columns; CSV and JSON give them as they are)\n"
    "  -f, --format FORMAT  text (default), md, html, json or csv\n"
    "  -o, --output FILE    write there (created readable by you only); its\n"
    "                       extension picks the format when -f does not\n"
    "  -h, --help           show this help\n";

typedef struct qitem {
    int64_t document;
    const char *document_name; /* the report's */
    int64_t segment_id;
    size_t segment;
    unsigned line;
    size_t start, end;
    char *text; /* read once it is shown */
    char *speaker; /* a turn's, read with its text; NULL otherwise */
    char *attrs; /* with -f json: its document's, as JSON members */
    size_t len, hits, terms;
    size_t hit; /* bytes from its start to the first coding */
    size_t doc_rank; /* 0 for a document's best quote, 1 for its second... */
    size_t group;
} qitem;

typedef struct docix {
    int64_t id;
    size_t index;
} docix;

static int by_id(const void *a, const void *b)
{
    const docix *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* The report index of a document id (ix: the report's documents sorted
 * by id); ndocs when it is not there. */
static size_t doc_of(const docix *ix, size_t n, int64_t id)
{
    docix key = {id, 0};
    const docix *hit = bsearch(&key, ix, n, sizeof(docix), by_id);
    return hit ? hit->index : n;
}

/* The order in which quotes are shown: group by group, a document's
 * best before its second, then grille_quote_score and terms. */
static int by_rank(const void *a, const void *b)
{
    const qitem *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->doc_rank != y->doc_rank)
        return x->doc_rank < y->doc_rank ? -1 : 1;
    size_t sx = grille_quote_score(x->hits, x->end - x->start),
           sy = grille_quote_score(y->hits, y->end - y->start);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    if (x->terms != y->terms)
        return x->terms > y->terms ? -1 : 1;
    int c = strcmp(x->document_name, y->document_name);
    if (c)
        return c;
    if (x->segment != y->segment)
        return x->segment < y->segment ? -1 : 1;
    /* two documents of one name: only in a file edited by hand */
    return (x->document > y->document) - (x->document < y->document);
}

typedef struct qlist {
    grille__heap *heaps; /* per group: its first n, as they come */
    size_t ngroups, n, keep;
    const grille_report *r;
    const docix *ix;
    const size_t *doc_group; /* per report document, NULL without --by */
    size_t *doc_rank; /* per report document: the quotes seen so far */
} qlist;

/* The id of the code `name` designates (synth_find_code); NULL, said,
 * when several are or none is (a code a recode left without codings is
 * no code of the report, as for report --codes). */
static const char *resolve_code(const grille_report *r, const char *name)
{
    size_t k = synth_find_code(r, name, NULL);
    if (k < r->ncodes)
        return r->codes[k].id;
    synth_no_code(r, name);
    return NULL;
}

static int on_quote(const grille_quote_info *q, void *payload)
{
    qlist *l = payload;
    size_t dd = doc_of(l->ix, l->r->ndocs, q->document);
    if (dd == l->r->ndocs)
        return 0; /* not in the report's snapshot: cannot be */
    size_t g = l->doc_group ? l->doc_group[dd] : 0;
    qitem item, *x = &item;
    memset(x, 0, sizeof(*x));
    x->document = q->document;
    x->document_name = l->r->docs[dd].name;
    x->segment = q->segment;
    x->line = q->line;
    x->start = q->start;
    x->end = q->end;
    x->segment_id = q->segment_id;
    x->hits = q->hits;
    x->terms = q->terms;
    x->hit = q->hit;
    /* its rank in its document: 0 for the first that came (the best) */
    x->doc_rank = l->doc_rank[dd]++;
    x->group = g;
    /* a quote after n others of its group is never shown */
    return grille__heap_offer(&l->heaps[g], l->keep, sizeof(*x), x, by_rank);
}

static int on_json_attr(const grille_attr_info *a, void *payload)
{
    FILE *f = payload;
    if (ftell(f) > 0)
        fputs(", ", f);
    json_cstr(f, a->key);
    fputs(": ", f);
    json_cstr(f, a->value);
    return 0;
}

/* The attributes of q's document as JSON members ("key": "value", ...),
 * by key, into q->attrs; prints the error. */
static int json_attrs(grille_store *s, qitem *q)
{
    grille_error err = {0};
    size_t size;
    FILE *f = open_memstream(&q->attrs, &size);
    if (!f) {
        cli_error("%s", _("out of memory"));
        return -1;
    }
    int rc = grille_store_foreach_attr(s, q->document, on_json_attr, f, &err);
    if (fclose(f) != 0 && rc == 0) {
        cli_error("%s", _("out of memory"));
        return -1;
    }
    if (rc != 0)
        cli_lib_error(&err);
    return rc != 0 ? -1 : 0;
}

int cmd_quotes(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"number", required_argument, 0, 'n'},
        {"by", required_argument, 0, 'b'},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL, *by = NULL, *out = NULL;
    long n = 5;
    int fmt = FMT_TEXT, c;
    bool format_given = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:n:b:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'b':
            if (!*optarg) /* as compare says it */
                return cli_usage("quotes", "%s",
                                 _("--by takes the name of an attribute "
                                   "(see 'grille list')"));
            by = optarg;
            break;
        case 'o':
            if (!*optarg)
                return cli_usage("quotes", "%s", _(CLI_NO_OUTPUT));
            out = optarg;
            break;
        case 'n': {
            char *end;
            n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 100000)
                return cli_usage("quotes", _("-n takes a number from 1 to "
                                             "100000, not '%s'"),
                                 optarg);
            break;
        }
        case 'f':
            format_given = true;
            fmt = parse_format(optarg, QUOTE_FORMATS);
            if (fmt < 0)
                return cli_usage("quotes",
                                 _("unknown format '%s' (text, md, html, "
                                   "json or csv)"),
                                 optarg);
            break;
        case 'h': fputs(_(quotes_help), stdout); return EXIT_OK;
        default: return cli_bad_option("quotes");
        }
    }
    fmt = output_format(out, QUOTE_FORMATS, fmt, format_given); /* x.html */
    if (optind != argc - 1) {
        char see[512];
        snprintf(see, sizeof(see),
                 _("name one CODE (see 'grille codebook show -d %s')"),
                 cli_db_path(db));
        return cli_unexpected("quotes", argv + optind, argc - optind, see,
                              false);
    }
    const char *code = argv[optind];
    grille_store *s;
    grille_report *r;
    /* the documents and their attributes; no terms nor best quotes */
    /* the attributes that name a source or a group, not all of every
     * document (a third of the memory at 1 GB): JSON's, for the
     * documents shown only, are read with their quotes' texts */
    const char *keys[] = {"collectivite", "type", "role", by, NULL};
    const grille_report_want want = {false, false, keys, false};
    if (synth_load(cli_db_path(db), &s, &r, &want) < 0)
        return EXIT_RUNTIME;
    qlist l = {0};
    grille_error err = {0};
    int status = EXIT_RUNTIME;
    compare groups = {0};
    FILE *f = NULL;
    qitem *items = NULL;
    docix *ix = malloc((r->ndocs + 1) * sizeof(*ix));
    l.r = r;
    l.ix = ix;
    l.doc_rank = calloc(r->ndocs + 1, sizeof(*l.doc_rank));
    if (!ix || !l.doc_rank)
        goto done;
    for (size_t d = 0; d < r->ndocs; d++)
        ix[d] = (docix){r->docs[d].id, d};
    qsort(ix, r->ndocs, sizeof(docix), by_id);
    /* a code named by its label, or its id in another case ("SANTE",
     * "Santé et crise sanitaire"), as an import names codes: the one
     * whose id or label it folds to */
    code = resolve_code(r, code);
    if (!code)
        goto done;
    size_t ng = 1;
    if (by) {
        synth_warn_unknown_by(s, r, by);
        if (compare_compute(&groups, r, by, NULL, 0) < 0)
            goto done;
        /* "CCAS" and "ccas": two groups, as compare says */
        synth_warn_variants(&groups, by);
        ng = groups.ngroups;
        l.doc_group = groups.doc_group;
    }
    l.keep = (size_t)n;
    if (!(l.heaps = calloc(ng + 1, sizeof(*l.heaps))))
        goto done;
    l.ngroups = ng;
    /* ranked without their texts: a theme of a large project has
     * millions of segments, and -n of them are shown.  A quote comes
     * after every better one of its document (by_rank), so one that is
     * not among its document's best n is never among the first n of its
     * group: the store keeps the best n of each document only, and here
     * each group keeps its first n as they come. */
    size_t total = 0;
    int rc = grille_store_foreach_best_quote(s, code, (size_t)n, on_quote,
                                             &l, &total, &err);
    if (rc != 0) {
        if (rc < 0 && err.message[0])
            cli_lib_error(&err);
        else
            cli_error("%s", _("out of memory")); /* on_quote's */
        goto done;
    }
    for (size_t g = 0; g < ng; g++)
        l.n += l.heaps[g].n;
    if (!(items = malloc((l.n + 1) * sizeof(*items))))
        goto done;
    for (size_t g = 0, k = 0; g < ng; g++)
        for (size_t i = 0; i < l.heaps[g].n; i++)
            memcpy(&items[k++], l.heaps[g].v + i * sizeof(qitem),
                   sizeof(qitem));
    if (l.n > 1)
        qsort(items, l.n, sizeof(*items), by_rank);
    /* the texts of the quotes shown, before the output is opened (an
     * error then leaves -o FILE as it was); the quotes come group by
     * group (by_rank), so one pass finds each group's first n */
    for (size_t g = 0, pos = 0; g < ng; g++) {
        size_t shown = 0;
        for (; pos < l.n && items[pos].group == g; pos++) {
            qitem *q = &items[pos];
            if (shown++ >= (size_t)n)
                continue;
            if (grille_store_segment_text(s, q->segment_id, &q->text,
                                          &q->len, &err) < 0 ||
                grille_store_segment_speaker(s, q->segment_id, &q->speaker,
                                             &err) < 0) {
                cli_lib_error(&err);
                goto done;
            }
            if (fmt == FMT_JSON && json_attrs(s, q) < 0)
                goto done;
        }
    }
    if (!(f = out_open(out, cli_db_path(db), s)))
        goto done;
    const grille_report_code *rc_code = NULL;
    for (size_t k = 0; k < r->ncodes; k++)
        if (strcmp(r->codes[k].id, code) == 0)
            rc_code = &r->codes[k];
    if (fmt == FMT_CSV)
        fputs("group,rank,document,line,start,end,hits,terms,text,speaker"
              "\r\n",
              f);
    if (fmt == FMT_JSON) {
        fputs("{\"code\": ", f);
        json_cstr(f, code);
        fputs(", \"by\": ", f);
        if (by)
            json_attr_key(f, by);
        else
            fputs("null", f);
        fputs(", \"quotes\": [", f);
    }
    doc d = {f, fmt};
    if (fmt != FMT_JSON && fmt != FMT_CSV) {
        char title[512];
        snprintf(title, sizeof(title), _("Verbatims: %s (%s)"),
                 rc_code ? rc_code->label : code, code);
        doc_begin(&d, title);
        size_t ndocs = rc_code ? rc_code->documents : 0;
        doc_para(&d, _("%zu coded segment%s in %zu document%s."), total,
                 cli_s(total), ndocs, cli_s(ndocs));
    }
    bool first = true;
    for (size_t g = 0, pos = 0; g < ng; g++) {
        if (by && fmt != FMT_JSON && fmt != FMT_CSV) {
            doc_h2(&d, groups.groups[g].value);
            if (pos >= l.n || items[pos].group != g) /* as the report says */
                doc_para(&d, "%s", _("No coded segment."));
        }
        size_t shown = 0;
        for (; pos < l.n && items[pos].group == g; pos++) {
            qitem *q = &items[pos];
            if (shown++ >= (size_t)n)
                continue;
            size_t dd = doc_of(ix, r->ndocs, q->document);
            if (fmt == FMT_JSON) {
                fputs(first ? "{\"document\": " : ", {\"document\": ", f);
                json_cstr(f, q->document_name);
                fputs(", \"group\": ", f);
                if (by && !groups.groups[g].none)
                    json_cstr(f, groups.groups[g].value);
                else
                    fputs("null", f);
                fprintf(f, ", \"line\": %u, \"start\": %zu, \"end\": %zu, "
                           "\"hits\": %zu, \"text\": ",
                        q->line, q->start, q->end, q->hits);
                json_str(f, q->text, q->len);
                fputs(", \"speaker\": ", f);
                if (q->speaker)
                    json_cstr(f, q->speaker);
                else
                    fputs("null", f);
                fputs(", \"attributes\": {", f);
                fputs(q->attrs, f);
                fputs("}}", f);
                first = false;
            } else if (fmt == FMT_CSV) {
                /* the group of no value is an empty cell, as compare
                 * writes it: "(none)" may be a value */
                csv_ccell(f,
                          by && !groups.groups[g].none ? groups.groups[g].value
                                                       : "",
                          true);
                fprintf(f, ",%zu,", shown);
                csv_ccell(f, q->document_name, true);
                fprintf(f, ",%u,%zu,%zu,%zu,%zu,", q->line, q->start, q->end,
                        q->hits, q->terms);
                csv_cell(f, q->text, q->len, true);
                fputc(',', f);
                csv_ccell(f, q->speaker ? q->speaker : "", true);
                fputs("\r\n", f);
            } else {
                char *src = synth_source(r, dd);
                char *line = NULL;
                /* the interviewer's question shows as such */
                if ((q->speaker ? asprintf(&line, _("%s, l.%u, turn of %s"),
                                           src, q->line, q->speaker)
                                : asprintf(&line, "%s, l.%u", src,
                                           q->line)) < 0)
                    cli_nomem();
                doc_quote(&d, q->text, q->len, 600, q->hit, line);
                free(line);
                free(src);
            }
        }
    }
    if (fmt == FMT_JSON)
        fputs("]}\n", f);
    else if (fmt != FMT_CSV)
        doc_end(&d);
    status = out_close(f, out) < 0 ? EXIT_RUNTIME : EXIT_OK;
done:
    for (size_t i = 0; items && i < l.n; i++) {
        grille_free(items[i].text);
        grille_free(items[i].speaker);
        free(items[i].attrs);
    }
    for (size_t g = 0; g < l.ngroups; g++)
        free(l.heaps[g].v);
    free(l.heaps);
    free(items);
    free(l.doc_rank);
    free(ix);
    compare_free(&groups);
    grille_report_free(r);
    grille_store_close(s);
    return status;
}

/* ------------------------------------------------------------------ kwic */

/* The context left of `at` (or right from it), `width` code points at most,
 * flattened; never across the segment's bounds.  When mark (the tables), a
 * context that the width cut starts (left) or ends (right) with "…". */
static char *context(const char *text, size_t from, size_t to, size_t width,
                     bool left, bool mark)
{
    if (!left)
        return flat_cut_mark(text + from, to - from, width, mark);
    size_t b = to, cols = 0, w;
    while (from < b && cols < width) {
        b--;
        while (b > from && ((unsigned char)text[b] & 0xC0) == 0x80)
            b--;
        cols++;
    }
    /* not from a combining mark: it goes with the letter before, cut */
    while (b < to && text_step(text, to, b, &w) && w == 0)
        b += text_step(text, to, b, &w);
    char *s = flat_cut_mark(text + b, to - b, width, false);
    /* cut, unless only white space is left before */
    bool cut = false;
    for (size_t i = from; i < b && !cut; i++)
        cut = !strchr(" \t\n\r\f\v", text[i]);
    if (!mark || !cut || !*s)
        return s;
    char *m = NULL;
    if (asprintf(&m, "\xe2\x80\xa6%s", s) < 0)
        cli_nomem();
    free(s);
    return m;
}

/* A pass of kwic over the documents. */
typedef struct kwic {
    grille_analyser *a;
    const grille_codebook *cb;
    grille_unit unit;
    FILE *f;
    int fmt;
    size_t width;
    table *t;
    size_t total, matched_docs, ndocs;
    grille_error err;
} kwic;

/* One document: its matches, printed (JSON) or put in the table. */
static int on_ktext(const grille_text_info *d, void *payload)
{
    kwic *k = payload;
    const char *text = d->text;
    k->ndocs++;
    if (grille_analyser_run(k->a, text, d->len, d->body, k->unit, k->cb,
                            d->name, &k->err) < 0)
        return -1;
    const grille_segment *segs;
    const grille_coding *cod;
    grille_analyser_segments(k->a, &segs);
    size_t nc = grille_analyser_codings(k->a, &cod);
    if (nc)
        k->matched_docs++;
    for (size_t i = 0; i < nc; i++) {
        const grille_segment *g = &segs[cod[i].segment];
        /* the line of the match, not of its segment */
        unsigned line = g->line + grille_text_count_lines(text, g->start,
                                                          cod[i].start);
        bool mark = k->fmt != FMT_JSON && k->fmt != FMT_CSV;
        char *left =
            context(text, g->start, cod[i].start, k->width, true, mark);
        /* the whole match in data, a table's 200 characters on screen */
        char *match = flat_cut_mark(text + cod[i].start,
                                    cod[i].end - cod[i].start,
                                    mark ? 200 : SIZE_MAX, mark);
        char *right =
            context(text, cod[i].end, g->end, k->width, false, mark);
        if (k->fmt == FMT_JSON) {
            FILE *f = k->f;
            fputs(k->total ? ", {\"document\": " : "{\"document\": ", f);
            json_cstr(f, d->name);
            fprintf(f, ", \"line\": %u, \"start\": %zu, \"end\": %zu, "
                       "\"left\": ",
                    line, cod[i].start, cod[i].end);
            json_cstr(f, left);
            fputs(", \"match\": ", f);
            json_cstr(f, match);
            fputs(", \"right\": ", f);
            json_cstr(f, right);
            fputc('}', f);
        } else if (k->fmt == FMT_CSV) {
            /* as table_csv would (the header is out): a row at a time,
             * not a table of every match */
            char num[16];
            snprintf(num, sizeof(num), "%u", line);
            const char *cells[5] = {d->name, num, left, match, right};
            for (size_t c = 0; c < 5; c++) {
                if (c)
                    fputc(',', k->f);
                csv_ccell(k->f, cells[c],
                          !k->t->right[c] || k->t->loose[c]);
            }
            fputs("\r\n", k->f);
        } else {
            size_t row = table_row(k->t);
            table_set(k->t, row, 0, "%s", d->name);
            table_set(k->t, row, 1, "%u", line);
            table_set(k->t, row, 2, "%s", left);
            table_set(k->t, row, 3, "%s", match);
            table_set(k->t, row, 4, "%s", right);
        }
        k->total++;
        free(left);
        free(match);
        free(right);
    }
    return 0;
}

int cmd_kwic(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"width", required_argument, 0, 'w'},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL, *out = NULL;
    long width = 30;
    int fmt = FMT_TEXT, c;
    bool format_given = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:w:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o':
            if (!*optarg)
                return cli_usage("kwic", "%s", _(CLI_NO_OUTPUT));
            out = optarg;
            break;
        case 'w': {
            char *end;
            width = strtol(optarg, &end, 10);
            if (*end || width < 5 || width > 500)
                return cli_usage("kwic",
                                 _("-w takes a number from 5 to 500, not "
                                   "'%s'"),
                                 optarg);
            break;
        }
        case 'f':
            format_given = true;
            fmt = parse_format(optarg, QUOTE_FORMATS);
            if (fmt < 0)
                return cli_usage("kwic",
                                 _("unknown format '%s' (text, md, html, "
                                   "json or csv)"),
                                 optarg);
            break;
        case 'h': fputs(_(kwic_help), stdout); return EXIT_OK;
        default: return cli_bad_option("kwic");
        }
    }
    fmt = output_format(out, QUOTE_FORMATS, fmt, format_given); /* x.csv */
    if (optind != argc - 1)
        return cli_unexpected("kwic", argv + optind, argc - optind,
                              _("give one PATTERN"), false);
    const char *pattern = argv[optind];
    grille_error err = {0};
    grille_codebook *cb = NULL;
    if (grille_codebook_from_pattern(&cb, pattern, &err) < 0) {
        cli_lib_error(&err);
        return EXIT_RUNTIME;
    }
    grille_store *s = NULL;
    grille_analyser *a = NULL;
    FILE *f = NULL;
    int status = EXIT_RUNTIME;
    table t;
    table_init(&t, 5);
    table_head(&t, 0, _("document"), false);
    table_head(&t, 1, _("line"), true);
    table_head(&t, 2, _("left"), true);
    table_loose(&t, 2);
    table_head(&t, 3, _("match"), false);
    table_head(&t, 4, _("right"), false);
    t.first_max = 16;
    if (cli_open_store(&s, cli_db_path(db), true) < 0)
        goto done;
    if (cli_analyser(&a, &err) < 0) {
        cli_lib_error(&err);
        goto done;
    }
    if (!(f = out_open(out, cli_db_path(db), s)))
        goto done;
    if (fmt == FMT_JSON) {
        fputs("{\"pattern\": ", f);
        json_cstr(f, pattern);
        fputs(", \"matches\": [", f);
    } else if (fmt == FMT_CSV) {
        table_csv(f, &t); /* no row yet: the header */
    }
    /* the texts in one pass, borrowed from the project's pages */
    kwic k = {a, cb, grille_store_unit(s), f, fmt, (size_t)width, &t,
              0, 0, 0, {0}};
    int rc = grille_store_foreach_text(s, on_ktext, &k, &err);
    if (rc != 0) {
        cli_lib_error(err.message[0] ? &err : &k.err);
        goto done;
    }
    size_t total = k.total, matched_docs = k.matched_docs;
    if (fmt == FMT_JSON) {
        fputs("]}\n", f);
    } else if (fmt != FMT_CSV) {
        doc d = {f, fmt};
        char title[512];
        snprintf(title, sizeof(title), _("Concordance: %s"), pattern);
        doc_begin(&d, title);
        doc_para(&d, _("%zu %s in %zu of %zu document%s."), total,
                 total == 1 ? _("match") : _("matches"), matched_docs,
                 k.ndocs, cli_s(k.ndocs));
        if (total)
            doc_table(&d, &t);
        doc_end(&d);
    }
    status = out_close(f, out) < 0 ? EXIT_RUNTIME : EXIT_OK;
done:
    table_free(&t);
    grille_analyser_free(a);
    grille_codebook_free(cb);
    grille_store_close(s);
    return status;
}
