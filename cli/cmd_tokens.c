/*
 * cmd_tokens.c - `grille tokens`: shows how grille reads a file, segment by
 * segment and token by token, with match keys, stems and byte offsets, so
 * that a codebook author can see why a word did or did not match.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char help[] =
    "Usage: grille tokens [-u UNIT] [-f text|json] FILE|-\n"
    "Show the segments and tokens of FILE (or standard input): each token\n"
    "with its byte span, kind, match key and stem (in brackets, its stem\n"
    "without accents when it is another).\n\n"
    "  -u, --unit UNIT      paragraph (default) or sentence\n"
    "  -f, --format FORMAT  text (default) or json\n"
    "  -h, --help           show this help\n";

/* A token's text on one line: a word hyphenated at a line's end holds
 * the line end and the next line's indent, written as one space.
 * Returns its width. */
static size_t put_token(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        size_t k = i;
        while (k < len && s[k] != '\n' && s[k] != '\r')
            k++;
        size_t e = k; /* the spaces before the line end: none */
        while (e > i && k < len && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        fwrite(s + i, 1, e - i, stdout);
        w += text_width(s + i, e - i);
        if (k == len)
            break;
        while (k < len &&
               (s[k] == '\n' || s[k] == '\r' || s[k] == ' ' || s[k] == '\t'))
            k++;
        putchar(' ');
        w++;
        i = k;
    }
    return w;
}

static void flags_text(FILE *f, unsigned flags)
{
    static const char *const names[] = {"acronym", "compound", "part", "name",
                                        "break"};
    for (int k = 0; k < 5; k++)
        if (flags & (1u << k))
            fprintf(f, " %s", names[k]);
}

static void show_text(const cli_doc *d, grille_analyser *a)
{
    const grille_segment *segs;
    const grille_token *toks;
    size_t ns = grille_analyser_segments(a, &segs);
    grille_analyser_tokens(a, &toks);
    cli_printf(_("%s: %s, %zu bytes of UTF-8"), d->name,
           grille_encoding_name(grille_text_encoding(d->text)), d->len);
    if (d->body)
        printf(_(", front matter up to byte %zu"), d->body);
    size_t nw = grille_analyser_words(a);
    printf(_(", %zu segment%s, %zu word%s\n"), ns, cli_s(ns), nw, cli_s(nw));
    for (size_t i = 0; i < ns; i++) {
        const grille_segment *s = &segs[i];
        printf("\n#%zu %s line %u [%zu,%zu)", i,
               grille_segment_kind_name(s->kind), s->line, s->start, s->end);
        if (s->label_end > s->label_start) {
            /* the note's own bytes: its controls as U+FFFD */
            fputs(" speaker \"", stdout);
            put_safe(stdout, d->data + s->label_start,
                     s->label_end - s->label_start);
            putchar('"');
        }
        fputs("\n  ", stdout);
        put_flat(stdout, d->data + s->start, s->end - s->start);
        putchar('\n');
        for (size_t k = 0; k < s->ntokens; k++) {
            const grille_token *t = &toks[s->first_token + k];
            bool part = t->flags & GRILLE_TOKF_PART;
            printf("  %6zu %6zu  %s%-8s ", t->start, t->end, part ? "  " : "",
                   grille_token_kind_name(t->kind));
            size_t w = put_token(d->data + t->start, t->end - t->start);
            for (size_t p = w; p < 18; p++)
                putchar(' ');
            printf(" key=%.*s stem=%.*s", (int)t->key_len, t->key,
                   (int)t->stem_len, t->stem);
            const char *s2;
            size_t n2 = grille_analyser_token_stem2(a, s->first_token + k,
                                                    &s2);
            if (n2) /* the stem without accents: "secur (securit)" */
                printf(" (%.*s)", (int)n2, s2);
            flags_text(stdout, t->flags);
            putchar('\n');
        }
    }
}

static void show_json(const cli_doc *d, grille_analyser *a)
{
    const grille_segment *segs;
    const grille_token *toks;
    size_t ns = grille_analyser_segments(a, &segs);
    grille_analyser_tokens(a, &toks);
    fputs("{\"document\": ", stdout);
    json_cstr(stdout, d->name);
    printf(", \"encoding\": \"%s\", \"bytes\": %zu, \"body\": %zu, "
           "\"words\": %zu, \"segments\": [",
           grille_encoding_name(grille_text_encoding(d->text)), d->len,
           d->body, grille_analyser_words(a));
    for (size_t i = 0; i < ns; i++) {
        const grille_segment *s = &segs[i];
        printf("%s\n {\"index\": %zu, \"kind\": \"%s\", \"line\": %u, "
               "\"start\": %zu, \"end\": %zu, \"speaker\": ",
               i ? "," : "", i, grille_segment_kind_name(s->kind), s->line,
               s->start, s->end);
        if (s->label_end > s->label_start)
            json_str(stdout, d->data + s->label_start,
                     s->label_end - s->label_start);
        else
            fputs("null", stdout);
        fputs(", \"text\": ", stdout);
        json_str(stdout, d->data + s->start, s->end - s->start);
        fputs(", \"tokens\": [", stdout);
        for (size_t k = 0; k < s->ntokens; k++) {
            const grille_token *t = &toks[s->first_token + k];
            printf("%s{\"start\": %zu, \"end\": %zu, \"kind\": \"%s\", "
                   "\"text\": ",
                   k ? ", " : "", t->start, t->end,
                   grille_token_kind_name(t->kind));
            json_str(stdout, d->data + t->start, t->end - t->start);
            fputs(", \"key\": ", stdout);
            json_str(stdout, t->key, t->key_len);
            fputs(", \"stem\": ", stdout);
            json_str(stdout, t->stem, t->stem_len);
            const char *s2;
            size_t n2 = grille_analyser_token_stem2(a, s->first_token + k,
                                                    &s2);
            fputs(", \"stem2\": ", stdout);
            if (n2)
                json_str(stdout, s2, n2);
            else
                fputs("null", stdout);
            printf(", \"pos\": %u, \"flags\": [", t->pos);
            static const char *const names[] = {"acronym", "compound", "part",
                                                "name", "break"};
            bool first = true;
            for (int b = 0; b < 5; b++) {
                if (t->flags & (1u << b)) {
                    printf("%s\"%s\"", first ? "" : ", ", names[b]);
                    first = false;
                }
            }
            fputs("]}", stdout);
        }
        fputs("]}", stdout);
    }
    fputs("]}\n", stdout);
}

int cmd_tokens(int argc, char **argv)
{
    static const struct option opts[] = {{"unit", required_argument, 0, 'u'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int unit = GRILLE_UNIT_PARAGRAPH, fmt = FMT_TEXT, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "u:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            unit = grille_unit_parse(optarg);
            if (unit < 0)
                return cli_usage("tokens",
                                 _("unknown unit '%s' (paragraph or "
                                   "sentence)"),
                                 optarg);
            break;
        case 'f':
            fmt = parse_format(optarg, 1u << FMT_TEXT | 1u << FMT_JSON);
            if (fmt < 0)
                return cli_usage("tokens",
                                 _("unknown format '%s' (text or json)"),
                                 optarg);
            break;
        case 'h':
            fputs(_(help), stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("tokens");
        }
    }
    if (optind != argc - 1)
        return cli_usage("tokens", "%s", _("give one FILE, or - for stdin"));
    cli_doc d;
    if (cli_doc_read(&d, argv[optind]) < 0)
        return EXIT_RUNTIME;
    grille_analyser *a = NULL;
    grille_error err = {0};
    int rc = grille_analyser_new(&a, &err);
    if (rc == 0)
        rc = grille_analyser_run(a, d.data, d.len, d.body, (grille_unit)unit,
                                 NULL, d.name, &err);
    if (rc < 0) {
        cli_lib_error(&err);
    } else if (fmt == FMT_JSON) {
        show_json(&d, a);
    } else {
        show_text(&d, a);
    }
    grille_analyser_free(a);
    cli_doc_free(&d);
    return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
}
