/*
 * cmd_list.c - `grille list`: the project's documents with their
 * attributes (and where each value came from) and coded-segment counts.
 */
#include "cli.h"
#include "render.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: grille list [-d DB] [-f text|csv|json]\n"
    "List the documents of the project: words, segments and coded segments\n"
    "(and codings, in CSV and JSON), and their attributes with where each\n"
    "value came from (front matter, command line, cases file).\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -f, --format FORMAT  text (default), csv or json\n"
    "  -h, --help           show this help\n";

/*
 * The documents are printed as they are read, each with its attributes,
 * in one snapshot of the project: a listing's memory does not grow with
 * the project (it held every row, 314 MB for 187,725 documents).  The
 * text's first line gives the totals, and the CSV's the union of the
 * attribute keys: their rows wait until every document is read, in
 * memory up to LIST_IN_MEMORY bytes, past that in a temporary file
 * (cli_temp_file: $TMPDIR, else /tmp), or in memory still when no such
 * file can be made.
 */
#define LIST_IN_MEMORY (8u << 20)

/* One document's attributes: their strings in buf, NUL-ended, at
 * off[i][0..2] (key, value, origin). */
typedef struct row_attrs {
    char *buf;
    size_t len, cap;
    size_t (*off)[3];
    size_t n, noff;
} row_attrs;

typedef struct lister {
    grille_store *s;
    const char *db;
    int fmt;
    FILE *out;
    size_t n, words, segs, coded;
    row_attrs at;
    obuf row;    /* the row being rendered (text, CSV) */
    obuf rows;   /* the rows that wait (text, CSV); rows.spill once in a
                    temporary file */
    bool spill_tried;
    int spill_errno; /* the temporary file could not be written */
    strindex keys;   /* CSV: the attribute keys, numbered as first seen */
    bool nomem;
    grille_error err;
} lister;

/* Room for `need` entries of `size` bytes at *p; false when out of
 * memory (then *p is as it was). */
static bool room(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 8;
    while (c < need && c <= SIZE_MAX / 2 / size)
        c *= 2;
    if (c < need)
        return false;
    void *q = realloc(*p, c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static const char *at_str(const row_attrs *r, size_t i, int part)
{
    return r->buf + r->off[i][part];
}

static int on_attr(const grille_attr_info *a, void *payload)
{
    lister *l = payload;
    row_attrs *r = &l->at;
    void *off = r->off;
    if (!room(&off, &r->noff, r->n + 1, sizeof(*r->off)))
        goto nomem;
    r->off = off;
    const char *src[3] = {a->key, a->value, a->origin};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(src[k]) + 1;
        void *buf = r->buf;
        if (!room(&buf, &r->cap, r->len + n, 1))
            goto nomem;
        r->buf = buf;
        memcpy(r->buf + r->len, src[k], n);
        r->off[r->n][k] = r->len;
        r->len += n;
    }
    r->n++;
    return 0;
nomem:
    l->nomem = true;
    return -1;
}

static void text_row(obuf *b, const grille_doc_info *d, const row_attrs *r)
{
    char id[24];
    int idw = snprintf(id, sizeof(id), "#%lld ", (long long)d->id);
    ob_printf(b, "\n%s", id);
    ob_safe_line(b, d->name, strlen(d->name));
    int w = 44 - idw - (int)text_width(d->name, strlen(d->name));
    /* "1 segment " keeps the columns of "2 segments" */
    ob_printf(b, _("%*s %6zu word%-1s %4zu segment%-1s %4zu coded\n"),
              w > 0 ? w : 1, "", d->words, cli_s(d->words), d->segments,
              cli_s(d->segments), d->coded_segments);
    if (strcmp(d->path, d->name) != 0) {
        ob_cstr(b, _("    from "));
        ob_safe_line(b, d->path, strlen(d->path));
        ob_putc(b, '\n');
    }
    /* the origins in one column for the document: after its widest
     * "key = value" (34 columns at least, 64 at most) */
    int col = 34;
    for (size_t k = 0; k < r->n; k++) {
        const char *key = at_str(r, k, 0), *value = at_str(r, k, 1);
        int kv = (int)text_width(key, strlen(key)) +
                 (int)text_width(value, strlen(value)) + 1;
        if (kv > col)
            col = kv < 64 ? kv : 64;
    }
    for (size_t k = 0; k < r->n; k++) {
        const char *key = at_str(r, k, 0), *value = at_str(r, k, 1);
        int kw = col - (int)text_width(key, strlen(key)) -
                 (int)text_width(value, strlen(value));
        ob_cstr(b, "    ");
        ob_safe_line(b, key, strlen(key));
        ob_cstr(b, " = ");
        ob_safe_line(b, value, strlen(value));
        ob_printf(b, "%*s (", kw > 0 ? kw : 1, "");
        ob_safe_line(b, at_str(r, k, 2), strlen(at_str(r, k, 2)));
        ob_cstr(b, ")\n");
    }
}

/* A document as JSON, into the row that waits: the listing is printed
 * once every row has been read, as text's and CSV's are, so that a
 * damaged row stops it before anything is printed (not half an array). */
static void json_row(lister *l, const grille_doc_info *d)
{
    const row_attrs *r = &l->at;
    obuf *b = &l->row;
    ob_printf(b, "%s\n {\"id\": %lld, \"name\": ", l->n ? "," : "",
              (long long)d->id);
    ob_json_text(b, d->name, strlen(d->name));
    ob_cstr(b, ", \"path\": ");
    ob_json_text(b, d->path, strlen(d->path));
    /* (the project's strings, escaped: a file edited by hand may hold
     * anything there) */
    ob_cstr(b, ", \"sha256\": ");
    ob_json_text(b, d->sha256, strlen(d->sha256));
    ob_cstr(b, ", \"encoding\": ");
    ob_json_text(b, d->encoding, strlen(d->encoding));
    ob_printf(b,
              ", \"bytes\": %zu, \"words\": %zu, \"segments\": %zu, "
              "\"coded_segments\": %zu, \"codings\": %zu, \"added_at\": ",
              d->bytes, d->words, d->segments, d->coded_segments, d->codings);
    ob_json_text(b, d->added_at, strlen(d->added_at));
    ob_cstr(b, ", \"attributes\": {");
    for (int part = 1; part <= 2; part++) {
        if (part == 2)
            ob_cstr(b, "}, \"origins\": {");
        for (size_t k = 0; k < r->n; k++) {
            const char *key = at_str(r, k, 0), *v = at_str(r, k, part);
            ob_cstr(b, k ? ", " : "");
            ob_json_text(b, key, strlen(key));
            ob_cstr(b, ": ");
            ob_json_text(b, v, strlen(v));
        }
    }
    ob_cstr(b, "}}");
}

/* A CSV row's record: the length and text of its cells up to added_at,
 * then its number of attributes and, for each, its key's number (in
 * l->keys) and the length and text of its cell. */
static void put_len(obuf *b, size_t v)
{
    ob_put(b, (const char *)&v, sizeof(v));
}

static void csv_row(lister *l, const grille_doc_info *d)
{
    const row_attrs *r = &l->at;
    obuf *b = &l->row;
    put_len(b, 0); /* the prefix's length, set below */
    ob_printf(b, "%lld,", (long long)d->id);
    ob_csv_cell(b, d->name, strlen(d->name), true);
    ob_putc(b, ',');
    ob_csv_cell(b, d->path, strlen(d->path), true);
    ob_putc(b, ',');
    ob_csv_cell(b, d->encoding, strlen(d->encoding), true);
    size_t v[5] = {d->bytes, d->words, d->segments, d->coded_segments,
                   d->codings};
    for (int k = 0; k < 5; k++) {
        ob_putc(b, ',');
        ob_size(b, v[k]);
    }
    ob_putc(b, ',');
    ob_csv_cell(b, d->added_at, strlen(d->added_at), true);
    size_t prefix = b->len - sizeof(size_t);
    memcpy(b->p, &prefix, sizeof(prefix));
    put_len(b, r->n);
    for (size_t k = 0; k < r->n; k++) {
        const char *key = at_str(r, k, 0);
        size_t before = l->keys.n, j = strindex_get(&l->keys, key);
        if (l->keys.n > before) { /* a new key: kept, the row's is not */
            char *copy = strdup(key);
            if (!copy)
                cli_nomem();
            l->keys.keys[j] = copy;
        }
        put_len(b, j);
        size_t at = b->len;
        put_len(b, 0);
        const char *value = at_str(r, k, 1);
        ob_csv_cell(b, value, strlen(value), true);
        size_t cell = b->len - at - sizeof(size_t);
        memcpy(b->p + at, &cell, sizeof(cell));
    }
}

/* The row just rendered joins those that wait; they go to a temporary
 * file once they take LIST_IN_MEMORY bytes. */
static void keep_row(lister *l)
{
    ob_put(&l->rows, l->row.p, l->row.len);
    l->row.len = 0;
    if (!l->rows.spill && !l->spill_tried && l->rows.len >= LIST_IN_MEMORY) {
        l->spill_tried = true;
        l->rows.spill = cli_temp_file(); /* else they stay in memory */
    }
    if (l->rows.spill && l->rows.len >= OBUF_SPILL) {
        ob_flush(&l->rows);
        if (ferror(l->rows.spill) && !l->spill_errno)
            l->spill_errno = errno ? errno : EIO;
    }
}

static int on_doc(const grille_doc_info *d, void *payload)
{
    lister *l = payload;
    l->at.n = l->at.len = 0;
    int rc = grille_store_foreach_attr(l->s, d->id, on_attr, l, &l->err);
    if (rc != 0)
        return -1;
    if (l->fmt == FMT_JSON)
        json_row(l, d);
    else if (l->fmt == FMT_CSV)
        csv_row(l, d);
    else
        text_row(&l->row, d, &l->at);
    keep_row(l);
    if (l->spill_errno)
        return -1;
    l->n++;
    l->words += d->words;
    l->segs += d->segments;
    l->coded += d->coded_segments;
    return 0;
}

/* Where the rows that wait are read back from: the temporary file,
 * rewound, or the memory they are in.  NULL (errno set) when it cannot. */
static FILE *rows_back(lister *l)
{
    if (!l->rows.spill)
        return l->rows.len ? fmemopen(l->rows.p, l->rows.len, "r") : NULL;
    ob_flush(&l->rows);
    errno = 0;
    if (fflush(l->rows.spill) != 0 || ferror(l->rows.spill) ||
        fseek(l->rows.spill, 0, SEEK_SET) != 0) {
        if (!errno)
            errno = EIO;
        return NULL;
    }
    return l->rows.spill;
}

static bool read_len(FILE *f, size_t *v)
{
    return fread(v, sizeof(*v), 1, f) == 1;
}

/* The CSV: its header, then the rows that waited, with a cell for each
 * key, sorted.  -1 when out of memory, -2 when the rows cannot be read
 * back. */
static int write_csv(lister *l, FILE *f)
{
    size_t nk = l->keys.n;
    size_t *order = malloc((nk + 1) * sizeof(*order));
    size_t *col = malloc((nk + 1) * sizeof(*col));
    /* a row's cells by column: where each starts in the record, and its
     * length (0 for none) */
    size_t *cell_at = calloc(nk + 1, sizeof(*cell_at));
    size_t *cell_len = calloc(nk + 1, sizeof(*cell_len));
    int rc = order && col && cell_at && cell_len ? 0 : -1;
    if (rc == 0) {
        /* the keys sorted, through their numbers: order[j] is the key of
         * column j, col[k] the column of key k */
        const char **sorted = malloc((nk + 1) * sizeof(*sorted));
        if (!sorted) {
            rc = -1;
        } else {
            for (size_t k = 0; k < nk; k++)
                sorted[k] = l->keys.keys[k];
            if (nk)
                qsort(sorted, nk, sizeof(*sorted), cli_cmp_str);
            for (size_t j = 0; j < nk; j++) {
                order[j] = strindex_get(&l->keys, sorted[j]);
                col[order[j]] = j;
            }
            free(sorted);
        }
    }
    if (rc == 0) {
        static const char *const fixed[] = {
            "id",       "name",           "path",    "encoding", "bytes",
            "words",    "segments",       "coded_segments", "codings",
            "added_at"};
        enum { NFIXED = sizeof(fixed) / sizeof(fixed[0]) };
        for (size_t j = 0; j < NFIXED; j++)
            fprintf(f, "%s%s", j ? "," : "", fixed[j]);
        for (size_t j = 0; j < nk; j++) {
            const char *key = l->keys.keys[order[j]];
            /* an attribute 'name' or 'id', or one whose key starts so
             * ('attr.name', which 'name' would otherwise be listed as):
             * one column name per key, read back as that key */
            bool taken = strncmp(key, "attr.", 5) == 0;
            for (size_t k = 0; k < NFIXED && !taken; k++)
                taken = strcmp(key, fixed[k]) == 0;
            fputc(',', f);
            if (taken) {
                char *head = NULL;
                if (asprintf(&head, "attr.%s", key) < 0)
                    cli_nomem();
                csv_ccell(f, head, true);
                free(head);
            } else {
                csv_ccell(f, key, true);
            }
        }
        fputs("\r\n", f);
    }
    FILE *in = rc == 0 && l->n ? rows_back(l) : NULL;
    if (rc == 0 && l->n && !in)
        rc = -2;
    obuf *b = &l->row;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        size_t prefix, n;
        b->len = 0;
        bool ok = read_len(in, &prefix);
        if (ok) {
            ob_grow(b, prefix);
            ok = fread(b->p, 1, prefix, in) == prefix;
            b->len = prefix;
        }
        ok = ok && read_len(in, &n);
        for (size_t j = 0; j < nk; j++)
            cell_at[j] = cell_len[j] = 0;
        for (size_t k = 0; ok && k < n; k++) {
            size_t key, len;
            ok = read_len(in, &key) && read_len(in, &len) && key < nk;
            if (ok) {
                ob_grow(b, len);
                ok = fread(b->p + b->len, 1, len, in) == len;
                cell_at[col[key]] = b->len;
                cell_len[col[key]] = len;
                b->len += len;
            }
        }
        if (!ok) {
            if (!errno)
                errno = EIO;
            rc = -2;
            break;
        }
        fwrite(b->p, 1, prefix, f);
        for (size_t j = 0; j < nk; j++) {
            fputc(',', f);
            fwrite(b->p + cell_at[j], 1, cell_len[j], f);
        }
        fputs("\r\n", f);
    }
    if (in && in != l->rows.spill)
        fclose(in);
    free(order);
    free(col);
    free(cell_at);
    free(cell_len);
    return rc;
}

/* The rows that waited, copied to f; false when they cannot be read
 * back. */
static bool copy_rows(lister *l, FILE *f)
{
    if (!l->rows.spill) {
        if (l->rows.len)
            fwrite(l->rows.p, 1, l->rows.len, f);
        return true;
    }
    FILE *in = rows_back(l);
    if (!in)
        return false;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, f);
    if (ferror(in) && !errno)
        errno = EIO;
    return !ferror(in);
}

/* The text: the totals, then the rows that waited. */
static bool write_text(lister *l, FILE *f)
{
    put_safe_str(f, l->db); /* the path as typed: its controls U+FFFD */
    fprintf(f, _(": %zu document%s, %zu word%s, %zu segment%s (%zu coded)\n"),
            l->n, cli_s(l->n), l->words, cli_s(l->words), l->segs,
            cli_s(l->segs), l->coded);
    return copy_rows(l, f);
}

/* JSON: the project, then the rows that waited, in an array. */
static bool write_json(lister *l, FILE *f)
{
    fputs("{\"project\": ", f);
    json_cstr(f, l->db);
    fputs(", \"documents\": [", f);
    if (!copy_rows(l, f))
        return false;
    fputs("]}\n", f);
    return true;
}

/* Lists every document of the store in format fmt to f, in one snapshot
 * of the project (which the caller begins); prints the error. */
static int list_docs(grille_store *s, const char *db, int fmt, FILE *f)
{
    lister l = {.s = s, .db = db, .fmt = fmt, .out = f};
    int rc = grille_store_foreach_doc(s, on_doc, &l, &l.err);
    int ret = 0;
    if (rc != 0) {
        if (l.spill_errno)
            cli_error(_("cannot write the listing's rows to a temporary "
                        "file in %s: %s (TMPDIR chooses another folder)"),
                      cli_temp_dir(), strerror(l.spill_errno));
        else if (l.nomem || !l.err.message[0])
            cli_error("%s", _("out of memory"));
        else
            cli_lib_error(&l.err);
        ret = -1;
    } else {
        errno = 0;
        int r = fmt == FMT_CSV                     ? write_csv(&l, f)
                : (fmt == FMT_JSON ? write_json(&l, f)
                                   : write_text(&l, f)) ? 0
                                                        : -2;
        if (r == -1)
            cli_error("%s", _("out of memory"));
        else if (r < 0)
            cli_error(_("cannot read back the listing's rows from their "
                        "temporary file in %s: %s"),
                      cli_temp_dir(), strerror(errno ? errno : EIO));
        ret = r < 0 ? -1 : 0;
    }
    if (l.rows.spill)
        fclose(l.rows.spill);
    free(l.rows.p);
    free(l.row.p);
    free(l.at.buf);
    free(l.at.off);
    for (size_t k = 0; k < l.keys.n; k++)
        free((char *)l.keys.keys[k]);
    strindex_free(&l.keys);
    return ret;
}

int list_write_csv(grille_store *s, FILE *f)
{
    return list_docs(s, NULL, FMT_CSV, f);
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
        return cli_unexpected("list", argv + optind, argc - optind,
                              _("unexpected argument '%s'"), true);
    db = cli_db_path(db);
    grille_store *s;
    if (cli_open_store(&s, db, true) < 0)
        return EXIT_RUNTIME;
    grille_error err = {0};
    int rc = grille_store_read_begin(s, &err);
    if (rc < 0)
        cli_lib_error(&err);
    else
        rc = list_docs(s, db, fmt, stdout);
    if (ferror(stdout)) /* the errno of its last write, said below */
        out_errno = errno;
    grille_store_read_end(s);
    grille_store_close(s);
    if (rc == 0 && out_close(stdout, NULL) < 0)
        rc = -1;
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
