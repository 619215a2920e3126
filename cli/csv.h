/*
 * csv.h - reading CSV files (RFC 4180, ',' or ';').
 */
#ifndef GRILLE_CSV_H
#define GRILLE_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct csv_row {
    char **fields;
    size_t n, cap;
    size_t line; /* 1-based line where the row starts */
} csv_row;

/* Whether c is of a row with nothing in it (",,", ";;", "";"", spaces):
 * a spreadsheet's empty row, in any separator. */
bool csv_blank_char(char c);
/* ';' when the first line with something else than such characters (or
 * the first line, when none has) has more semicolons than commas, else
 * ','. */
char csv_guess_separator(const char *s, size_t len);
/* The bytes of a first line "sep=;" (or "sep=,"), which Excel writes to
 * name the separator, then in *sep; 0 when there is none. */
size_t csv_sep_line(const char *s, size_t len, char *sep);

/* Reads the row at *pos into `row` (replacing its fields); returns 1 for a
 * row, 0 at the end, -1 on an error (*why says which, NULL when out of
 * memory).  *line counts lines (start it at 1). */
int csv_next(const char *s, size_t len, size_t *pos, char sep, csv_row *row,
             size_t *line, const char **why);
void csv_row_free(csv_row *r);

#endif
