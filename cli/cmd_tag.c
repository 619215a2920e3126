/*
 * cmd_tag.c - `grille tag`: codes one or more notes with a codebook and
 * writes, per document, its coded segments (text, for people), one JSON
 * object per line (json, the contract of DESIGN §5) or one CSV row per
 * coding (csv).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: grille tag [OPTION]... FILE...|-\n"
    "Code interview notes with a codebook and show which themes each segment\n"
    "touches, and why.\n\n"
    "  -c, --codebook FILE  the codebook (default: the bundled riposte.yaml)\n"
    "  -u, --unit UNIT      paragraph (default) or sentence\n"
    "  -f, --format FORMAT  text (default), json (JSON Lines) or csv\n"
    "      --coded-only     list only the segments that are coded (json)\n"
    "      --color WHEN     highlight matched words: auto (default), always,\n"
    "                       never\n"
    "  -h, --help           show this help\n\n"
    "Exit status: 0 when every file was coded, 1 when one failed (the others\n"
    "are still coded), 2 for a usage error.\n";

typedef struct tag_opts {
    int format;
    grille_unit unit;
    bool coded_only;
    bool color;
} tag_opts;

/* Per-document counts, parents included. */
typedef struct summary {
    size_t *segs, *hits, *last;
    size_t ncodes;
} summary;

static int summary_init(summary *s, size_t n)
{
    s->ncodes = n;
    s->segs = calloc(n + 1, sizeof(size_t));
    s->hits = calloc(n + 1, sizeof(size_t));
    s->last = calloc(n + 1, sizeof(size_t));
    return s->segs && s->hits && s->last ? 0 : -1;
}

static void summary_free(summary *s)
{
    free(s->segs);
    free(s->hits);
    free(s->last);
}

static void summarise(summary *s, const grille_codebook *cb,
                      const grille_coding *cod, size_t nc)
{
    memset(s->segs, 0, s->ncodes * sizeof(size_t));
    memset(s->hits, 0, s->ncodes * sizeof(size_t));
    for (size_t i = 0; i < s->ncodes; i++)
        s->last[i] = SIZE_MAX;
    for (size_t i = 0; i < nc; i++) {
        grille_code_info info;
        for (long c = (long)cod[i].code; c >= 0; c = info.parent) {
            grille_codebook_code(cb, (size_t)c, &info);
            s->hits[c]++;
            if (s->last[c] != cod[i].segment) {
                s->last[c] = cod[i].segment;
                s->segs[c]++;
            }
        }
    }
}

static const char *code_id(const grille_codebook *cb, size_t c)
{
    grille_code_info info;
    grille_codebook_code(cb, c, &info);
    return info.id;
}

static const char *rule_text(const grille_codebook *cb, size_t r)
{
    grille_rule_info info;
    grille_codebook_rule(cb, r, &info);
    return info.text;
}

static void write_attrs_json(FILE *f, const grille_attrs *attrs)
{
    putc('{', f);
    for (size_t i = 0; i < grille_attrs_count(attrs); i++) {
        const grille_attr *a = grille_attrs_get(attrs, i);
        if (i)
            fputs(", ", f);
        json_cstr(f, a->key);
        fputs(": ", f);
        json_cstr(f, a->value);
    }
    putc('}', f);
}

static void write_json(FILE *f, const cli_doc *d, const grille_codebook *cb,
                       grille_analyser *a, const tag_opts *o, summary *sum)
{
    const grille_segment *segs;
    const grille_coding *cod;
    size_t ns = grille_analyser_segments(a, &segs);
    size_t nc = grille_analyser_codings(a, &cod);
    fputs("{\"document\": {\"name\": ", f);
    json_cstr(f, d->name);
    fprintf(f, ", \"bytes\": %zu, \"words\": %zu, \"attributes\": ", d->len,
            grille_analyser_words(a));
    write_attrs_json(f, d->attrs);
    fputs("}, \"codebook\": {\"name\": ", f);
    json_cstr(f, grille_codebook_name(cb));
    fprintf(f, ", \"sha256\": \"%s\"}, \"unit\": \"%s\", \"segments\": [",
            grille_codebook_sha256(cb), grille_unit_name(o->unit));
    size_t k = 0;
    bool first = true;
    for (size_t i = 0; i < ns; i++) {
        size_t k0 = k;
        while (k < nc && cod[k].segment == i)
            k++;
        if (o->coded_only && k == k0)
            continue;
        const grille_segment *s = &segs[i];
        fprintf(f, "%s{\"index\": %zu, \"start\": %zu, \"end\": %zu, "
                   "\"line\": %u, \"text\": ",
                first ? "" : ", ", i, s->start, s->end, s->line);
        first = false;
        json_str(f, d->data + s->start, s->end - s->start);
        fputs(", \"codes\": [", f);
        /* distinct leaf codes in codebook order */
        size_t prev = SIZE_MAX;
        bool firstc = true;
        for (;;) {
            size_t best = SIZE_MAX;
            for (size_t j = k0; j < k; j++)
                if (cod[j].code < best &&
                    (prev == SIZE_MAX || cod[j].code > prev))
                    best = cod[j].code;
            if (best == SIZE_MAX)
                break;
            if (!firstc)
                fputs(", ", f);
            json_cstr(f, code_id(cb, best));
            firstc = false;
            prev = best;
        }
        fputs("]}", f);
    }
    fputs("], \"codings\": [", f);
    for (size_t i = 0; i < nc; i++) {
        fprintf(f, "%s{\"segment\": %zu, \"code\": ", i ? ", " : "",
                cod[i].segment);
        json_cstr(f, code_id(cb, cod[i].code));
        fprintf(f, ", \"start\": %zu, \"end\": %zu, \"term\": ", cod[i].start,
                cod[i].end);
        json_str(f, d->data + cod[i].start, cod[i].end - cod[i].start);
        fputs(", \"rule\": ", f);
        json_cstr(f, rule_text(cb, cod[i].rule));
        putc('}', f);
    }
    fputs("], \"summary\": {", f);
    summarise(sum, cb, cod, nc);
    first = true;
    for (size_t c = 0; c < sum->ncodes; c++) {
        if (!sum->hits[c])
            continue;
        if (!first)
            fputs(", ", f);
        first = false;
        json_cstr(f, code_id(cb, c));
        fprintf(f, ": {\"segments\": %zu, \"hits\": %zu}", sum->segs[c],
                sum->hits[c]);
    }
    fputs("}}\n", f);
}

static void write_csv(FILE *f, const cli_doc *d, const grille_codebook *cb,
                      grille_analyser *a)
{
    const grille_segment *segs;
    const grille_coding *cod;
    grille_analyser_segments(a, &segs);
    size_t nc = grille_analyser_codings(a, &cod);
    for (size_t i = 0; i < nc; i++) {
        csv_ccell(f, d->name, true);
        fprintf(f, ",%zu,%u,", cod[i].segment, segs[cod[i].segment].line);
        csv_ccell(f, code_id(cb, cod[i].code), true);
        fprintf(f, ",%zu,%zu,", cod[i].start, cod[i].end);
        csv_cell(f, d->data + cod[i].start, cod[i].end - cod[i].start, true);
        putc(',', f);
        csv_ccell(f, rule_text(cb, cod[i].rule), true);
        fputs("\r\n", f);
    }
}

/* The segment's text on one line, matched spans in bold when `color`. */
static void put_highlighted(FILE *f, const cli_doc *d,
                            const grille_segment *s, const grille_coding *cod,
                            size_t n, bool color)
{
    if (!color) {
        put_flat(f, d->data + s->start, s->end - s->start);
        return;
    }
    size_t at = s->start;
    for (size_t j = 0; j < n; j++) {
        size_t st = cod[j].start > at ? cod[j].start : at;
        size_t en = cod[j].end;
        /* merge spans that overlap this one */
        while (j + 1 < n && cod[j + 1].start < en) {
            if (cod[j + 1].end > en)
                en = cod[j + 1].end;
            j++;
        }
        if (en <= st)
            continue;
        put_flat(f, d->data + at, st - at);
        fputs("\033[1;33m", f);
        put_flat(f, d->data + st, en - st);
        fputs("\033[0m", f);
        at = en;
    }
    put_flat(f, d->data + at, s->end - at);
}

static void write_text(FILE *f, const cli_doc *d, const grille_codebook *cb,
                       grille_analyser *a, const tag_opts *o, summary *sum)
{
    const grille_segment *segs;
    const grille_coding *cod;
    size_t ns = grille_analyser_segments(a, &segs);
    size_t nc = grille_analyser_codings(a, &cod);
    size_t coded = 0;
    for (size_t i = 0; i < nc; i++)
        if (i == 0 || cod[i].segment != cod[i - 1].segment)
            coded++;
    fprintf(f, o->color ? "\033[1m== %s\033[0m" : "== %s", d->name);
    fprintf(f, _(" (%zu segments, %zu words, %zu coded)\n"), ns,
            grille_analyser_words(a), coded);
    for (size_t k = 0; k < nc;) {
        size_t si = cod[k].segment, k0 = k;
        while (k < nc && cod[k].segment == si)
            k++;
        const grille_segment *s = &segs[si];
        fprintf(f, "\nl.%-4u ", s->line);
        put_highlighted(f, d, s, cod + k0, k - k0, o->color);
        putc('\n', f);
        /* per code: its terms */
        for (size_t j = k0; j < k; j++) {
            bool seen = false;
            for (size_t p = k0; p < j; p++)
                if (cod[p].code == cod[j].code)
                    seen = true;
            if (seen)
                continue;
            fprintf(f, o->color ? "       \033[36m%s\033[0m:" : "       %s:",
                    code_id(cb, cod[j].code));
            for (size_t p = j; p < k; p++) {
                if (cod[p].code != cod[j].code)
                    continue;
                fputs(" \xc2\xab", f);
                put_flat(f, d->data + cod[p].start, cod[p].end - cod[p].start);
                fputs("\xc2\xbb", f);
            }
            putc('\n', f);
        }
    }
    summarise(sum, cb, cod, nc);
    fprintf(f, _("\n%-34s %8s %6s\n"), _("theme"), _("segments"), _("hits"));
    for (size_t c = 0; c < sum->ncodes; c++) {
        if (!sum->hits[c])
            continue;
        grille_code_info info;
        grille_codebook_code(cb, c, &info);
        int pad = 2 * (int)info.depth;
        const char *shown = info.id;
        const char *slash = strrchr(info.id, '/');
        if (slash)
            shown = slash + 1;
        int w = 34 - pad - (int)text_width(shown, strlen(shown));
        fprintf(f, "%*s%s%*s %8zu %6zu\n", pad, "", shown, w > 0 ? w : 0, "",
                sum->segs[c], sum->hits[c]);
    }
    fputs("\n", f);
}

int cmd_tag(int argc, char **argv)
{
    static const struct option opts[] = {
        {"codebook", required_argument, 0, 'c'},
        {"unit", required_argument, 0, 'u'},
        {"format", required_argument, 0, 'f'},
        {"coded-only", no_argument, 0, 'C'},
        {"color", required_argument, 0, 'K'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    tag_opts o = {FMT_TEXT, GRILLE_UNIT_PARAGRAPH, false, false};
    const char *cbpath = NULL, *color = "auto";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:u:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cbpath = optarg; break;
        case 'u': {
            int u = grille_unit_parse(optarg);
            if (u < 0)
                return cli_usage("tag",
                                 _("unknown unit '%s' (paragraph or "
                                   "sentence)"),
                                 optarg);
            o.unit = (grille_unit)u;
            break;
        }
        case 'f':
            o.format = parse_format(optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
                                                1u << FMT_CSV);
            if (o.format < 0)
                return cli_usage("tag",
                                 _("unknown format '%s' (text, json or csv)"),
                                 optarg);
            break;
        case 'C': o.coded_only = true; break;
        case 'K':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
                strcmp(optarg, "never"))
                return cli_usage("tag",
                                 _("--color takes auto, always or never, not "
                                   "'%s'"),
                                 optarg);
            color = optarg;
            break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("tag");
        }
    }
    if (optind >= argc)
        return cli_usage("tag", "%s",
                         _("no file to tag (give FILE..., or - for stdin)"));
    o.color = o.format == FMT_TEXT &&
              (strcmp(color, "always") == 0 ||
               (strcmp(color, "auto") == 0 && cli_color(1)));
    grille_codebook *cb = NULL;
    if (cli_load_codebook(&cb, cbpath) < 0)
        return EXIT_RUNTIME;
    grille_analyser *a = NULL;
    grille_error err = {0};
    summary sum = {0};
    int status = EXIT_OK;
    if (cli_analyser(&a, &err) < 0 ||
        summary_init(&sum, grille_codebook_count(cb)) < 0) {
        cli_lib_error(&err);
        status = EXIT_RUNTIME;
        goto done;
    }
    if (o.format == FMT_CSV)
        fputs("document,segment,line,code,start,end,term,rule\r\n", stdout);
    for (int i = optind; i < argc; i++) {
        cli_doc d;
        if (cli_doc_read(&d, argv[i]) < 0) {
            status = EXIT_RUNTIME;
            continue;
        }
        int rc = grille_analyser_run(a, d.data, d.len, d.body, o.unit, cb,
                                     d.name, &err);
        if (rc < 0) {
            cli_lib_error(&err);
            status = EXIT_RUNTIME;
        } else if (o.format == FMT_JSON) {
            write_json(stdout, &d, cb, a, &o, &sum);
        } else if (o.format == FMT_CSV) {
            write_csv(stdout, &d, cb, a);
        } else {
            write_text(stdout, &d, cb, a, &o, &sum);
        }
        cli_doc_free(&d);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("%s", _("cannot write the output"));
        status = EXIT_RUNTIME;
    }
done:
    summary_free(&sum);
    grille_analyser_free(a);
    grille_codebook_free(cb);
    return status;
}
