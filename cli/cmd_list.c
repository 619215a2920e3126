/*
 * cmd_list.c - `grille list`: the project's documents with their
 * attributes (and where each value came from) and coded-segment counts.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: grille list [-d DB] [-f text|csv|json]\n"
    "List the documents of the project: words, segments, coded segments and\n"
    "codings, and their attributes with where each value came from (front\n"
    "matter, command line, cases file).\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -f, --format FORMAT  text (default), csv or json\n"
    "  -h, --help           show this help\n";

typedef struct doc_row {
    grille_doc_info info;
    char *strs[6];
    char **keys, **values, **origins;
    size_t nattrs, cap;
} doc_row;

typedef struct listing {
    grille_store *s;
    doc_row *rows;
    size_t n, cap;
    grille_error err;
} listing;

static int on_attr(const grille_attr_info *a, void *payload)
{
    doc_row *r = payload;
    if (r->nattrs == r->cap) {
        size_t c = r->cap ? r->cap * 2 : 8;
        char **k = realloc(r->keys, c * sizeof(char *));
        if (!k)
            return -1;
        r->keys = k;
        char **v = realloc(r->values, c * sizeof(char *));
        if (!v)
            return -1;
        r->values = v;
        char **o = realloc(r->origins, c * sizeof(char *));
        if (!o)
            return -1;
        r->origins = o;
        r->cap = c;
    }
    r->keys[r->nattrs] = strdup(a->key);
    r->values[r->nattrs] = strdup(a->value);
    r->origins[r->nattrs] = strdup(a->origin);
    r->nattrs++;
    return 0;
}

static int on_doc(const grille_doc_info *d, void *payload)
{
    listing *l = payload;
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 64;
        doc_row *v = realloc(l->rows, c * sizeof(*v));
        if (!v)
            return -1;
        l->rows = v;
        l->cap = c;
    }
    doc_row *r = &l->rows[l->n++];
    memset(r, 0, sizeof(*r));
    r->info = *d;
    const char *src[6] = {d->name, d->path, d->sha256, d->encoding,
                          d->added_at, ""};
    for (int i = 0; i < 5; i++)
        r->strs[i] = strdup(src[i]);
    r->info.name = r->strs[0];
    r->info.path = r->strs[1];
    r->info.sha256 = r->strs[2];
    r->info.encoding = r->strs[3];
    r->info.added_at = r->strs[4];
    return 0;
}

static void free_listing(listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        doc_row *r = &l->rows[i];
        for (int k = 0; k < 6; k++)
            free(r->strs[k]);
        for (size_t k = 0; k < r->nattrs; k++) {
            free(r->keys[k]);
            free(r->values[k]);
            free(r->origins[k]);
        }
        free(r->keys);
        free(r->values);
        free(r->origins);
    }
    free(l->rows);
}

static void write_text(const char *db, listing *l)
{
    size_t words = 0, segs = 0, coded = 0;
    for (size_t i = 0; i < l->n; i++) {
        words += l->rows[i].info.words;
        segs += l->rows[i].info.segments;
        coded += l->rows[i].info.coded_segments;
    }
    printf(_("%s: %zu documents, %zu words, %zu segments (%zu coded)\n"), db,
           l->n, words, segs, coded);
    for (size_t i = 0; i < l->n; i++) {
        const doc_row *r = &l->rows[i];
        char id[24];
        int idw = snprintf(id, sizeof(id), "#%lld ", (long long)r->info.id);
        printf("\n%s%s", id, r->info.name);
        int w = 44 - idw - (int)text_width(r->info.name, strlen(r->info.name));
        printf(_("%*s %6zu words %4zu segments %4zu coded\n"), w > 0 ? w : 1,
               "", r->info.words, r->info.segments, r->info.coded_segments);
        if (strcmp(r->info.path, r->info.name) != 0)
            printf(_("    from %s\n"), r->info.path);
        for (size_t k = 0; k < r->nattrs; k++) {
            int kw = 34 - (int)text_width(r->keys[k], strlen(r->keys[k])) -
                     (int)text_width(r->values[k], strlen(r->values[k]));
            printf("    %s = %s%*s (%s)\n", r->keys[k], r->values[k],
                   kw > 0 ? kw : 1, "", r->origins[k]);
        }
    }
}

static void write_csv(listing *l, FILE *f)
{
    /* the union of attribute keys, sorted, as columns */
    char **keys = NULL;
    size_t nk = 0;
    for (size_t i = 0; i < l->n; i++) {
        for (size_t k = 0; k < l->rows[i].nattrs; k++) {
            bool seen = false;
            for (size_t j = 0; j < nk && !seen; j++)
                seen = strcmp(keys[j], l->rows[i].keys[k]) == 0;
            if (seen)
                continue;
            char **v = realloc(keys, (nk + 1) * sizeof(*v));
            if (!v)
                break;
            keys = v;
            keys[nk++] = l->rows[i].keys[k];
        }
    }
    if (nk)
        qsort(keys, nk, sizeof(*keys), cli_cmp_str);
    fputs("id,name,path,encoding,bytes,words,segments,coded_segments,codings,"
          "added_at",
          f);
    for (size_t j = 0; j < nk; j++) {
        fputc(',', f);
        csv_ccell(f, keys[j], true);
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < l->n; i++) {
        const doc_row *r = &l->rows[i];
        fprintf(f, "%lld,", (long long)r->info.id);
        csv_ccell(f, r->info.name, true);
        fputc(',', f);
        csv_ccell(f, r->info.path, true);
        fprintf(f, ",%s,%zu,%zu,%zu,%zu,%zu,%s", r->info.encoding, r->info.bytes,
               r->info.words, r->info.segments, r->info.coded_segments,
               r->info.codings, r->info.added_at);
        for (size_t j = 0; j < nk; j++) {
            fputc(',', f);
            for (size_t k = 0; k < r->nattrs; k++)
                if (strcmp(r->keys[k], keys[j]) == 0)
                    csv_ccell(f, r->values[k], true);
        }
        fputs("\r\n", f);
    }
    free(keys);
}

static void write_json(const char *db, listing *l)
{
    fputs("{\"project\": ", stdout);
    json_cstr(stdout, db);
    fputs(", \"documents\": [", stdout);
    for (size_t i = 0; i < l->n; i++) {
        const doc_row *r = &l->rows[i];
        printf("%s\n {\"id\": %lld, \"name\": ", i ? "," : "",
               (long long)r->info.id);
        json_cstr(stdout, r->info.name);
        fputs(", \"path\": ", stdout);
        json_cstr(stdout, r->info.path);
        printf(", \"sha256\": \"%s\", \"encoding\": \"%s\", \"bytes\": %zu, "
               "\"words\": %zu, \"segments\": %zu, \"coded_segments\": %zu, "
               "\"codings\": %zu, \"added_at\": \"%s\", \"attributes\": {",
               r->info.sha256, r->info.encoding, r->info.bytes, r->info.words,
               r->info.segments, r->info.coded_segments, r->info.codings,
               r->info.added_at);
        for (size_t k = 0; k < r->nattrs; k++) {
            fputs(k ? ", " : "", stdout);
            json_cstr(stdout, r->keys[k]);
            fputs(": ", stdout);
            json_cstr(stdout, r->values[k]);
        }
        fputs("}, \"origins\": {", stdout);
        for (size_t k = 0; k < r->nattrs; k++) {
            fputs(k ? ", " : "", stdout);
            json_cstr(stdout, r->keys[k]);
            fputs(": ", stdout);
            json_cstr(stdout, r->origins[k]);
        }
        fputs("}}", stdout);
    }
    fputs("]}\n", stdout);
}

/* Reads every document and its attributes; prints the error. */
static int load_listing(listing *l)
{
    int rc = grille_store_foreach_doc(l->s, on_doc, l, &l->err);
    for (size_t i = 0; i < l->n && rc == 0; i++)
        rc = grille_store_foreach_attr(l->s, l->rows[i].info.id, on_attr,
                                       &l->rows[i], &l->err);
    if (rc != 0) {
        if (rc < 0 && l->err.message[0])
            cli_lib_error(&l->err);
        else
            cli_error("%s", _("out of memory"));
        return -1;
    }
    return 0;
}

int list_write_csv(grille_store *s, FILE *f)
{
    listing l = {0};
    l.s = s;
    int rc = load_listing(&l);
    if (rc == 0)
        write_csv(&l, f);
    free_listing(&l);
    return rc;
}

int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL;
    int fmt = FMT_TEXT, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
            fmt = parse_format(optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
                                           1u << FMT_CSV);
            if (fmt < 0)
                return cli_usage("list",
                                 _("unknown format '%s' (text, csv or json)"),
                                 optarg);
            break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("list");
        }
    }
    if (optind < argc)
        return cli_usage("list", _("unexpected argument '%s'"), argv[optind]);
    db = cli_db_path(db);
    listing l = {0};
    if (cli_open_store(&l.s, db, true) < 0)
        return EXIT_RUNTIME;
    int rc = load_listing(&l);
    if (rc != 0) {
        /* printed */
    } else if (fmt == FMT_JSON) {
        write_json(db, &l);
    } else if (fmt == FMT_CSV) {
        write_csv(&l, stdout);
    } else {
        write_text(db, &l);
    }
    free_listing(&l);
    grille_store_close(l.s);
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
