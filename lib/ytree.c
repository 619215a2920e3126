/*
 * ytree.c - builds a ynode tree from libyaml's event stream.  The event
 * API is used rather than libyaml's document API so that aliases can be
 * refused before anything is expanded, and so that depth and node count
 * are checked as the tree grows.
 */
#include "ytree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

void grille_ytree__free(ynode *n)
{
    if (n)
        grille__chunks_free(n->chunks);
}

bool grille_ytree__null(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
                       memcmp(s, "NULL", 4) == 0));
}

ynode *grille_ytree__get(const ynode *m, const char *k)
{
    if (!m || m->type != Y_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2)
        if (m->items[i]->type == Y_SCALAR && strcmp(m->items[i]->str, k) == 0)
            return m->items[i + 1];
    return NULL;
}

static int add_child(grille_chunk **list, ynode *p, ynode *c)
{
    if (p->n == p->cap) { /* a list that grows leaves its last in place */
        size_t cap = p->cap ? 2 * p->cap : 4;
        ynode **items = cap < SIZE_MAX / sizeof(*items)
                            ? grille__chunk_alloc(list, cap * sizeof(*items),
                                                  sizeof(void *))
                            : NULL;
        if (!items)
            return GRILLE_ENOMEM;
        if (p->n)
            memcpy(items, p->items, p->n * sizeof(*items));
        p->items = items;
        p->cap = cap;
    }
    p->items[p->n++] = c;
    return 0;
}

/* The line and column (in code points) of byte `at` of s, from 1; lines
 * end at '\n', as mark_byte counts them. */
static void line_col(const char *s, size_t at, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

/* The byte of s at libyaml's mark (line and column from 0, the column
 * in characters: its `index` counts characters too, not bytes). */
static size_t mark_byte(const char *s, size_t len, size_t line, size_t col)
{
    size_t i = 0;
    for (; i < len && line; i++)
        if (s[i] == '\n')
            line--;
    for (; i < len && col; col--) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* Whether line `line` of s holds `what`. */
static bool line_has(const char *s, size_t len, size_t line, const char *what)
{
    size_t i = mark_byte(s, len, line, 0), n = strlen(what);
    for (; i + n <= len && s[i] != '\n'; i++)
        if (memcmp(s + i, what, n) == 0)
            return true;
    return false;
}

/* Whether line `line` of s holds a single-quoted text that an apostrophe
 * ends early: a quote opened after a space, '[', ',', ':' or '-' whose
 * closing quote has a letter right after it ('\bl'accueil\b',
 * 'L'accueil'), where YAML wants it written twice. */

/* n, or at most max bytes of s[0, n) cut at a character's start. */
static size_t cut_at(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Where on line `line` of s a key is written against its value, with no
 * space after its colon ("role:DGS", "label:École"): the colon's byte, or
 * len for none.  A key is letters, digits, '_' and '-' (and any byte of
 * a non-ASCII letter) after the indent and a list's "- ". */
static size_t glued_colon(const char *s, size_t len, size_t line)
{
    size_t i = mark_byte(s, len, line, 0);
    while (i < len && s[i] == ' ')
        i++;
    if (i + 1 < len && s[i] == '-' && s[i + 1] == ' ')
        for (i += 2; i < len && s[i] == ' '; i++)
            ;
    size_t k = i;
    bool letter = false; /* "10:30" is a time, no key */
    while (k < len && (((unsigned char)s[k] >= 0x80) ||
                       (s[k] >= 'a' && s[k] <= 'z') ||
                       (s[k] >= 'A' && s[k] <= 'Z') ||
                       (s[k] >= '0' && s[k] <= '9') || s[k] == '_' ||
                       s[k] == '-')) {
        letter |= (unsigned char)s[k] >= 0x80 || (s[k] | 0x20) >= 'a';
        k++;
    }
    if (k == i || !letter || k + 1 >= len || s[k] != ':' || s[k + 1] == ' ' ||
        s[k + 1] == '\t' || s[k + 1] == '\n' || s[k + 1] == '\r' ||
        s[k + 1] == '/') /* "http://": a value's, not a key's */
        return len;
    return k;
}

/* Whether s[0, n) is one of YAML's spellings of null (empty, ~, null). */
static bool null_spelling(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (memcmp(s, "null", 4) == 0 ||
                       memcmp(s, "Null", 4) == 0 ||
                       memcmp(s, "NULL", 4) == 0));
}

/* Whether line `line` (0-based) is indented further than the last line
 * above it with text, and that line is a key with its value: a key one
 * level too far right, which YAML reads as going on with that value. */
static bool indented_further(const char *s, size_t len, size_t line)
{
    size_t at = mark_byte(s, len, line, 0), ind = 0;
    while (at + ind < len && s[at + ind] == ' ')
        ind++;
    /* the lines above, last first, each read once */
    size_t end = at;
    while (end > 0) {
        size_t start = end - 1; /* the '\n' that ends the line above */
        while (start > 0 && s[start - 1] != '\n')
            start--;
        size_t k = 0;
        while (start + k < end - 1 && s[start + k] == ' ')
            k++;
        char c = start + k < end - 1 ? s[start + k] : '\n';
        if (c != '\n' && c != '\r' && c != '#') { /* not blank, no comment */
            /* and that line a key with its value ("collectivite: X"):
             * under "ecole" without its ':', a key indented further is
             * right, and the ':' is what is missing */
            const char *colon = memchr(s + start + k, ':', end - 1 - start - k);
            size_t after = colon ? (size_t)(colon - s) + 1 : end;
            while (after < end - 1 && (s[after] == ' ' || s[after] == '\t'))
                after++;
            bool valued = colon && after < end - 1 && s[after] != '\r' &&
                          s[after] != '#' && (colon[1] == ' ' || colon[1] == '\t');
            return valued && ind > k;
        }
        end = start;
    }
    return false;
}

static bool inner_apostrophe(const char *s, size_t len, size_t line)
{
    size_t i = mark_byte(s, len, line, 0);
    bool open = false;
    for (size_t k = i; k < len && s[k] != '\n'; k++) {
        if (s[k] != '\'')
            continue;
        if (!open) {
            char before = k > i ? s[k - 1] : ' ';
            open = before == ' ' || before == '[' || before == ',' ||
                   before == ':' || before == '-' || before == '\t';
            continue;
        }
        if (k + 1 < len && s[k + 1] == '\'') { /* '' written twice */
            k++;
            continue;
        }
        unsigned char next = k + 1 < len ? (unsigned char)s[k + 1] : ' ';
        if (next >= 0x80 || (unsigned)((next | 0x20) - 'a') < 26u ||
            next == '\\')
            return true;
        open = false;
    }
    return false;
}

int grille_ytree__parse(ynode **out, const char *s, size_t len,
                        const char *name, unsigned line0, grille_error *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    ynode *stack[YTREE_MAX_DEPTH + 1];
    size_t depth = 0, nodes = 0, docs = 0;
    ynode *root = NULL;
    grille_chunk *chunks = NULL; /* the tree's memory */
    int rc = 0;
    *out = NULL;
    /* a UTF-8 BOM (Notepad's "UTF-8"): read as a character, it put the
     * first key in column 2, and the codebook failed to load */
    size_t bom = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
        bom = 3;
    }
    size_t bad = utf8_check(s, len);
    unsigned bl, bc; /* where a bad byte is */
    if (bad < len) {
        line_col(s, bad, &bl, &bc);
        /* a codebook is a file of its own (line0 0); a front matter is
         * the lines after a note's '---' (grille_attrs_parse, given raw
         * bytes by a program) */
        int e = grille__error(err, GRILLE_EENCODING, name, bl + line0, bc,
                              line0 ? _("invalid UTF-8 at byte %zu of the "
                                        "front matter (0x%02X): a note must "
                                        "be UTF-8, or decoded first "
                                        "(grille_text_decode; 0x%02X may be "
                                        "Windows-1252 or Latin-1)")
                                    : _("invalid UTF-8 at byte %zu (0x%02X): a "
                                        "codebook must be UTF-8; save it with "
                                        "the encoding UTF-8 (0x%02X may be "
                                        "Windows-1252 or Latin-1)"),
                              bom + bad, (unsigned char)s[bad],
                              (unsigned char)s[bad]);
        if (err)
            err->offset = bom + bad; /* the byte the message names */
        return e;
    }
    if (!yaml_parser_initialize(&p))
        return grille__nomem(err);
    yaml_parser_set_input_string(&p, (const unsigned char *)s, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            const char *what = p.problem ? p.problem : "syntax error";
            /* libyaml's words, with what a hand edit most often did */
            char hint[160] = "";
            size_t at = mark_byte(s, len, p.problem_mark.line,
                                  p.problem_mark.column);
            /* "role:DGS": a key YAML reads as text to the line's end,
             * then wants its ':' on the next line (or, indented, reads
             * the next line as more of that text, and finds its ': '),
             * where it says the error is: the line and the key said
             * instead */
            size_t glued = len, gline = 0, gcol = 0;
            if (strstr(what, "could not find expected ':'") && p.context &&
                strstr(p.context, "simple key")) {
                gline = p.context_mark.line;
                gcol = p.context_mark.column;
                glued = glued_colon(s, len, gline);
            } else if (strstr(what, "mapping values are not allowed") &&
                       p.problem_mark.line > 0) {
                gline = p.problem_mark.line - 1;
                glued = glued_colon(s, len, gline);
                size_t ls = mark_byte(s, len, gline, 0);
                while (ls + gcol < glued && s[ls + gcol] == ' ')
                    gcol++;
            }
            if (glued < len) {
                size_t ls = mark_byte(s, len, gline, 0), le = ls;
                while (le < len && s[le] != '\n' && s[le] != '\r')
                    le++;
                while (ls < glued && s[ls] == ' ')
                    ls++;
                size_t n1 = cut_at(s + ls, le - ls, 60),
                       n2 = cut_at(s + glued + 1, le - glued - 1, 40);
                rc = grille__error(
                    err, GRILLE_ESYNTAX, name, (unsigned)gline + 1 + line0,
                    (unsigned)gcol + 1,
                    _("YAML: '%.*s%s' needs a space after its ':' to be a "
                      "key and its value (%.*s %.*s%s)"),
                    (int)n1, s + ls, n1 < le - ls ? "\u2026" : "",
                    (int)(glued + 1 - ls), s + ls, (int)n2, s + glued + 1,
                    n2 < le - glued - 1 ? "\u2026" : "");
                break;
            }
            if (at < len && s[at] == '\t')
                snprintf(hint, sizeof(hint), "%s",
                         _(" (a tab: YAML indents with spaces)"));
            else if (p.context && strstr(p.context, "flow sequence") &&
                     line_has(s, len, p.context_mark.line, " #"))
                snprintf(hint, sizeof(hint), "%s",
                         _(" (a '#' after a space starts a YAML comment, "
                           "which ends the line: put the text in quotes, "
                           "\"#covid\")"));
            else if (inner_apostrophe(s, len, p.problem_mark.line) ||
                     (p.context &&
                      inner_apostrophe(s, len, p.context_mark.line)))
                snprintf(hint, sizeof(hint), "%s",
                         _(" (an apostrophe ends a text in single quotes: "
                           "write it twice, 'l''accueil', or put the text "
                           "in double quotes)"));
            else if (strstr(what, "unknown escape"))
                snprintf(hint, sizeof(hint), "%s",
                         _(" (in double quotes a backslash starts an "
                           "escape: write a regex in single quotes)"));
            else if (strstr(what, "end of stream") && p.context &&
                     strstr(p.context, "quoted"))
                snprintf(hint, sizeof(hint),
                         _(" (the quote opened on line %u, column %u is "
                           "never closed)"),
                         (unsigned)p.context_mark.line + 1 + line0,
                         (unsigned)p.context_mark.column + 1);
            else if (p.context && (strstr(p.context, "flow sequence") ||
                                   strstr(p.context, "flow mapping")))
                /* an unclosed [ or { shows a line or more further */
                snprintf(hint, sizeof(hint),
                         _(" (the '%c' opened on line %u, column %u is not "
                           "closed: its '%c' is missing, or a ',' between "
                           "two items)"),
                         strstr(p.context, "sequence") ? '[' : '{',
                         (unsigned)p.context_mark.line + 1 + line0,
                         (unsigned)p.context_mark.column + 1,
                         strstr(p.context, "sequence") ? ']' : '}');
            else if (strstr(what, "mapping values are not allowed") &&
                     indented_further(s, len, p.problem_mark.line))
                snprintf(hint, sizeof(hint), "%s",
                         _(" (this line is indented further than the one "
                           "above it, and YAML reads it as going on with "
                           "that line's value: line its key up with the "
                           "keys above)"));
            else if (strstr(what, "mapping values are not allowed"))
                snprintf(hint, sizeof(hint), "%s",
                         _(" (a line above without its ':', or a value "
                           "holding ': ' that wants quotes)"));
            else if (strstr(what, "cannot start any token") ||
                     (p.context && (strstr(p.context, "an alias") ||
                                    strstr(p.context, "an anchor") ||
                                    strstr(p.context, "a tag"))))
                /* @mention, %taux, `x`, *conf*, &co, !x: YAML's signs */
                snprintf(hint, sizeof(hint), "%s",
                         _(" (a value that starts with @, %, `, *, & or ! "
                           "goes in quotes: \"*tion\")"));
            else if (strstr(what, "did not find expected key"))
                snprintf(hint, sizeof(hint), "%s",
                         _(" (a line indented unlike the keys above "
                           "it?)"));
            if (p.error == YAML_READER_ERROR && p.problem_offset < len) {
                /* a character YAML refuses (a control): libyaml gives its
                 * byte, not its line */
                line_col(s, p.problem_offset, &bl, &bc);
                rc = grille__error(err, GRILLE_ESYNTAX, name, bl + line0, bc,
                                   _("YAML: %s (U+%04X)"), what,
                                   (unsigned)p.problem_value);
                if (err && !line0) /* a file of its own: its byte */
                    err->offset = bom + p.problem_offset;
                break;
            }
            rc = grille__error(err, GRILLE_ESYNTAX, name,
                               (unsigned)p.problem_mark.line + 1 + line0,
                               (unsigned)p.problem_mark.column + 1,
                               _("YAML: %s%s%s%s"), what,
                               p.context ? " " : "",
                               p.context ? p.context : "", hint);
            break;
        }
        yaml_event_type_t type = ev.type;
        unsigned line = (unsigned)ev.start_mark.line + 1 + line0;
        unsigned col = (unsigned)ev.start_mark.column + 1;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            rc = grille__error(err, GRILLE_ESYNTAX, name, line, col, "%s",
                               _("more than one YAML document"));
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_ALIAS_EVENT) {
            rc = grille__error(err, GRILLE_ESYNTAX, name, line, col,
                               _("YAML aliases are not allowed ('*%s'); a "
                                 "value that starts with '*' goes in "
                                 "quotes: \"*%s\""),
                               (const char *)ev.data.alias.anchor,
                               (const char *)ev.data.alias.anchor);
            yaml_event_delete(&ev);
            break;
        }
        /* an anchor (&co) or a tag of one's own (!important): YAML reads
         * them off the value, which was most often a pattern or a word
         * that starts with & or ! and wanted quotes (the value left is
         * empty, or the word after it); YAML's own tags (!!str) are
         * fine */
        const unsigned char *anchor =
            type == YAML_SCALAR_EVENT           ? ev.data.scalar.anchor
            : type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
            : type == YAML_MAPPING_START_EVENT  ? ev.data.mapping_start.anchor
                                                : NULL;
        const unsigned char *tag =
            type == YAML_SCALAR_EVENT           ? ev.data.scalar.tag
            : type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.tag
            : type == YAML_MAPPING_START_EVENT  ? ev.data.mapping_start.tag
                                                : NULL;
        if (anchor) {
            rc = grille__error(err, GRILLE_ESYNTAX, name, line, col,
                               _("YAML anchors are not allowed ('&%s'); a "
                                 "value that starts with '&' goes in "
                                 "quotes: \"&%s\""),
                               (const char *)anchor, (const char *)anchor);
            yaml_event_delete(&ev);
            break;
        }
        if (tag && strncmp((const char *)tag, "tag:yaml.org,2002:", 18) != 0) {
            rc = grille__error(err, GRILLE_ESYNTAX, name, line, col,
                               _("YAML tags are not allowed ('%s'); a value "
                                 "that starts with '!' goes in quotes: "
                                 "\"%s\""),
                               (const char *)tag, (const char *)tag);
            yaml_event_delete(&ev);
            break;
        }
        /* YAML's own tags that would change a value grille reads as
         * its text: !!binary's base64 ("c2FudMOp" for santé), a !!null
         * with a value ("!!null commune") */
        if (tag && type == YAML_SCALAR_EVENT &&
            (strcmp((const char *)tag, "tag:yaml.org,2002:binary") == 0 ||
             (strcmp((const char *)tag, "tag:yaml.org,2002:null") == 0 &&
              !null_spelling((const char *)ev.data.scalar.value,
                             ev.data.scalar.length)))) {
            rc = grille__error(err, GRILLE_ESYNTAX, name, line, col,
                               _("YAML tag '!!%s' is not read here: write "
                                 "the value as text, without it"),
                               (const char *)tag + 18);
            yaml_event_delete(&ev);
            break;
        }
        ynode *node = NULL;
        if (type == YAML_SCALAR_EVENT &&
            memchr(ev.data.scalar.value, 0, ev.data.scalar.length)) {
            /* "\0" in double quotes: every string of grille ends there,
             * and the rest would be dropped without a word */
            rc = grille__error(err, GRILLE_ESYNTAX, name, line, col, "%s",
                               _("a YAML string holds a NUL character "
                                 "(\\0 or \\u0000)"));
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT ||
            type == YAML_MAPPING_START_EVENT) {
            if (++nodes > YTREE_MAX_NODES) {
                rc = grille__error(err, GRILLE_ELIMIT, name, line, col,
                                   _("YAML document too large (more than "
                                     "%d nodes)"),
                                   YTREE_MAX_NODES);
                yaml_event_delete(&ev);
                break;
            }
            node = grille__chunk_alloc(&chunks, sizeof(*node), 16);
            if (node)
                memset(node, 0, sizeof(*node));
            if (!node) {
                rc = grille__nomem(err);
                yaml_event_delete(&ev);
                break;
            }
            node->line = line;
            node->col = col;
            if (type == YAML_SCALAR_EVENT) {
                node->type = Y_SCALAR;
                node->len = ev.data.scalar.length;
                node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                /* a block scalar (| or >) ends with its last line's
                 * break, which no codebook's or front matter's value
                 * means: a regex written so looked for it ("masques\n"
                 * coded only a line's last word), a label printed it */
                if (ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                    ev.data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
                    while (node->len &&
                           ev.data.scalar.value[node->len - 1] == '\n')
                        node->len--;
                node->str = grille__chunk_alloc(&chunks, node->len + 1, 1);
                if (node->str) {
                    memcpy(node->str, ev.data.scalar.value, node->len);
                    node->str[node->len] = '\0';
                } else {
                    rc = grille__nomem(err);
                    yaml_event_delete(&ev);
                    break;
                }
            } else {
                node->type = type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
            }
            if (depth == 0) {
                root = node;
            } else if (add_child(&chunks, stack[depth - 1], node) < 0) {
                rc = grille__nomem(err);
                yaml_event_delete(&ev);
                break;
            }
            if (node->type != Y_SCALAR) {
                if (depth >= YTREE_MAX_DEPTH) {
                    rc = grille__error(err, GRILLE_ELIMIT, name, line, col,
                                       _("YAML nesting deeper than %d levels"),
                                       YTREE_MAX_DEPTH);
                    yaml_event_delete(&ev);
                    break;
                }
                stack[depth++] = node;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT ||
                   type == YAML_MAPPING_END_EVENT) {
            if (depth > 0)
                depth--;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (rc < 0 || !root) {
        grille__chunks_free(chunks);
        return rc < 0 ? rc : 0;
    }
    root->chunks = chunks;
    *out = root;
    return 0;
}
