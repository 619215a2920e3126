/*
 * render.h - writing reports in the human formats (text, Markdown, HTML)
 * and CSV from one description: titles, paragraphs, quotes and tables
 * whose cells may carry a heat colour (used by HTML only).
 */
#ifndef GRILLE_RENDER_H
#define GRILLE_RENDER_H

#include "cli.h"

#include <stdio.h>

/* Opens -o FILE (created readable by its owner only) or stdout ("-",
 * NULL, /dev/stdout).  A regular file (or one not there yet) is written
 * beside it under a temporary name and renamed by out_close, so that an
 * error or Ctrl-C leaves it as it was; a device, a pipe, a descriptor, a
 * link to a file not there yet, a file with other names or another owner
 * or in a folder we may not write is written as it is.  `db`, when not
 * NULL, is the project: FILE may not be it, nor, when `s` (the project
 * open) is given, one of its notes.  NULL after printing the error. */
FILE *out_open(const char *path, const char *db, grille_store *s);
/* Flushes and closes (and renames); returns 0, or -1 after printing the
 * error, FILE then as it was. */
int out_close(FILE *f, const char *path);
/* The error of a write to the output that failed before out_close, for a
 * caller that knows it (stdio keeps the flag, not the errno): out_close
 * says it when its own flush gives none. */
extern int out_errno;

typedef struct tcell {
    char *text;
    char *bg; /* HTML background colour, or NULL */
} tcell;

typedef struct table {
    size_t ncols, nrows, cap;
    char **head;
    bool *right;
    bool *loose; /* text cut to fit, though right-aligned */
    bool *list;  /* cells are lists ("a 3, b 2"): cut after a whole item */
    tcell *cells;
    size_t first_max; /* widest the first column may be in text (0: 40) */
    const char *klass; /* HTML class of the table, or NULL */
    bool number_heads; /* text: heads cut to fit become column numbers,
                          named in a legend below (groups of compare) */
} table;

void table_init(table *t, size_t ncols);
void table_head(table *t, size_t col, const char *name, bool right);
/* Text output: the cells of a right-aligned column are numbers, never
 * cut to fit the width (the table is printed in parts instead), unless
 * the column is loose: text aligned right (a left context). */
void table_loose(table *t, size_t col);
/* Text output: the cells of the column are lists ("télétravail 25, à
 * distance 19"), cut to fit after a whole item rather than in a word. */
void table_list(table *t, size_t col);
size_t table_row(table *t);
void table_set(table *t, size_t row, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void table_text(table *t, size_t row, size_t col, const char *s, size_t len);
void table_bg(table *t, size_t row, size_t col, const char *color);
void table_free(table *t);

typedef struct doc {
    FILE *f;
    int fmt; /* FMT_TEXT, FMT_MD, FMT_HTML */
} doc;

void doc_begin(doc *d, const char *title);
void doc_end(doc *d);
void doc_h2(doc *d, const char *title);
void doc_h3(doc *d, const char *title);
void doc_para(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A verbatim: the text (flattened, cut at `max` characters around byte
 * `hit`, its first coded word: cut_around) and its source line. */
void doc_quote(doc *d, const char *text, size_t len, size_t max, size_t hit,
               const char *source);
/* text[0, len) on one line, cut to `width` code points around byte `hit`
 * (the first coded word): from the start when it fits there, else a
 * third of the width before it, after "…". */
char *cut_around(const char *text, size_t len, size_t hit, size_t width);
void doc_table(doc *d, table *t);
/* Writes raw HTML (only in HTML). */
void doc_html(doc *d, const char *html);

/* CSV of a table (RFC 4180, spreadsheet-safe). */
void table_csv(FILE *f, table *t);

/* HTML escaping of text. */
void html_escape(FILE *f, const char *s, size_t len);

/* Colours for heatmaps: x in [0, 1] from white to blue; a specificity from
 * red (under-represented) through white to green (over-represented). */
void heat_color(double x, char out[8]);
void diverging_color(double score, char out[8]);

/* Writes name s in exactly w columns of a text table: padded, or cut in
 * its middle ("solidarite/…ves_locales"), its end kept. */
void put_name(FILE *f, const char *s, size_t w);
/* Copies s flattened to one line and cut at `max` code points (with "…"). */
char *flat_cut(const char *s, size_t len, size_t max);
/* flat_cut, with the "…" of a cut only when mark (data for JSON and CSV
 * has none) */
char *flat_cut_mark(const char *s, size_t len, size_t max, bool mark);

#endif
