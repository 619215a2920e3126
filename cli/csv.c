/*
 * csv.c - a reader for RFC 4180 CSV (quoted fields, doubled quotes, CRLF or
 * LF, line breaks inside quotes), with ',' or ';' as separator: French
 * spreadsheets export with ';'.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool csv_blank_char(char c)
{
    return c == ',' || c == ';' || c == '"' || c == ' ' || c == '\t' ||
           c == '\r';
}

char csv_guess_separator(const char *s, size_t len)
{
    /* the first line with something else than separators and spaces: a
     * spreadsheet's empty first row (";;" or ",,") says nothing */
    size_t commas = 0, semis = 0;
    bool quoted = false, content = false;
    char first = 0; /* the first line's, when no line has more */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' && !quoted) {
            if (content)
                break;
            if (!first)
                first = semis > commas ? ';' : ',';
            commas = semis = 0;
            continue;
        }
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted && s[i] == ',')
            commas++;
        else if (!quoted && s[i] == ';')
            semis++;
        if (!csv_blank_char(s[i]))
            content = true;
    }
    if (!content && first)
        return first;
    return semis > commas ? ';' : ',';
}

size_t csv_sep_line(const char *s, size_t len, char *sep)
{
    if (len < 5 || strncasecmp(s, "sep=", 4) != 0 ||
        (s[4] != ';' && s[4] != ','))
        return 0;
    size_t n = 5;
    if (n < len && s[n] == '\r')
        n++;
    if (n < len && s[n] != '\n')
        return 0;
    *sep = s[4];
    return n < len ? n + 1 : n;
}

void csv_row_free(csv_row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->fields[i]);
    free(r->fields);
    memset(r, 0, sizeof(*r));
}

static int add_field(csv_row *r, const char *s, size_t n)
{
    if (r->n == r->cap) {
        size_t c = r->cap ? r->cap * 2 : 8;
        char **v = realloc(r->fields, c * sizeof(*v));
        if (!v)
            return -1;
        r->fields = v;
        r->cap = c;
    }
    char *f = malloc(n + 1);
    if (!f)
        return -1;
    memcpy(f, s, n);
    f[n] = '\0';
    r->fields[r->n++] = f;
    return 0;
}

int csv_next(const char *s, size_t len, size_t *pos, char sep, csv_row *row,
             size_t *line, const char **why)
{
    size_t i = *pos;
    csv_row_free(row);
    *why = NULL;
    if (i >= len)
        return 0;
    row->line = *line;
    char *buf = malloc(len - i + 1);
    if (!buf)
        return -1;
    for (;;) {
        size_t n = 0;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    free(buf);
                    *why = "a quoted field is not closed";
                    return -1;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        buf[n++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (s[i] == '\n')
                    (*line)++;
                buf[n++] = s[i++];
            }
            if (i < len && s[i] != sep && s[i] != '\n' && s[i] != '\r') {
                free(buf);
                *why = "text after a closing quote";
                return -1;
            }
        } else {
            while (i < len && s[i] != sep && s[i] != '\n' && s[i] != '\r')
                buf[n++] = s[i++];
        }
        if (add_field(row, buf, n) < 0) {
            free(buf);
            return -1;
        }
        if (i < len && s[i] == sep) {
            i++;
            continue;
        }
        if (i < len && s[i] == '\r')
            i++;
        if (i < len && s[i] == '\n')
            i++;
        (*line)++;
        break;
    }
    free(buf);
    *pos = i;
    return 1;
}
