/*
 * attrs.c - document attributes from a YAML front matter block:
 *
 *     ---
 *     collectivite: Millau
 *     type: commune
 *     population: 22000
 *     ---
 *
 * A flat mapping of keys to scalars; a list of scalars is joined with
 * ", ".  Lines and columns in messages are those of the document.
 */
#include "common.h"
#include "ytree.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One allocation holds the lot: the header, items[0..cap) and, after
 * them, the keys and values they point to ("key\0value\0" each).  A note
 * of seven attributes cost fourteen strings, each a malloc and a free, as
 * much as coding the note; it is one of each now.  Attributes are only
 * ever added: a key given twice is an error (or libyaml's to read). */
struct grille_attrs {
    size_t n;
    grille_attr items[];
};

/* A block for `cap` attributes whose strings take `bytes` at most; *strs
 * receives where they go.  NULL when out of memory. */
static grille_attrs *attrs_new(size_t cap, size_t bytes, char **strs)
{
    if (bytes > SIZE_MAX - sizeof(grille_attrs) ||
        cap > (SIZE_MAX - sizeof(grille_attrs) - bytes) / sizeof(grille_attr))
        return NULL;
    grille_attrs *a =
        malloc(sizeof(grille_attrs) + cap * sizeof(grille_attr) + bytes);
    if (!a)
        return NULL;
    a->n = 0;
    *strs = (char *)(a->items + cap);
    return a;
}

size_t grille_attrs_count(const grille_attrs *attrs)
{
    return attrs ? attrs->n : 0;
}

const grille_attr *grille_attrs_get(const grille_attrs *attrs, size_t i)
{
    return attrs && i < attrs->n ? &attrs->items[i] : NULL;
}

static bool same_key(const char *a, const char *b);

const char *grille_attrs_find(const grille_attrs *attrs, const char *key)
{
    if (!attrs || !key)
        return NULL;
    for (size_t i = 0; i < attrs->n; i++)
        if (strcmp(attrs->items[i].key, key) == 0)
            return attrs->items[i].value;
    /* then as the project stores them: a front matter's keys are
     * distinct that way too */
    for (size_t i = 0; i < attrs->n; i++)
        if (same_key(attrs->items[i].key, key))
            return attrs->items[i].value;
    return NULL;
}

void grille_attrs_free(grille_attrs *attrs)
{
    free(attrs); /* its strings with it */
}

/* Whether value v[0..n) is a YAML plain scalar that reads as itself: no
 * indicator first, no ':' nor '#' inside, no space at its ends, and only
 * characters YAML prints and does not take for a line break. */
static bool plain_value(const unsigned char *v, size_t n)
{
    static const char indicators[] = "-?:,[]{}#&*!|>'\"%@`. ";
    if (n == 0 || memchr(indicators, v[0], sizeof(indicators) - 1) ||
        v[n - 1] == ' ')
        return false;
    const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
    for (size_t i = 0; i < n; i++) {
        /* eight bytes of ASCII at a time when none is a control, DEL,
         * ':' or '#' (the tests of bytes below 0x20 and of equal bytes
         * hold for bytes below 0x80; 0x7F + 1 is the one to reach 0x80) */
        for (uint64_t w; i + 8 <= n; i += 8) {
            memcpy(&w, v + i, 8);
            uint64_t colon = w ^ (ones * ':'), hash = w ^ (ones * '#');
            if ((w & high) || (((w - ones * 0x20) | (colon - ones) |
                                (hash - ones) | (w + ones)) &
                               high))
                break;
        }
        if (i >= n)
            break;
        unsigned char c = v[i];
        if (c < 0x20 || c == 0x7F || c == ':' || c == '#')
            return false;
        if (c == 0xC2 && i + 1 < n && v[i + 1] < 0xA0)
            return false; /* C1 controls, NEL among them */
        if (c == 0xE2 && i + 2 < n && v[i + 1] == 0x80 &&
            (v[i + 2] == 0xA8 || v[i + 2] == 0xA9))
            return false; /* line and paragraph separators */
        if (c == 0xEF && i + 2 < n &&
            ((v[i + 1] == 0xBB && v[i + 2] == 0xBF) ||
             (v[i + 1] == 0xBF && v[i + 2] >= 0xBE)))
            return false; /* a BOM, U+FFFE, U+FFFF */
    }
    return true;
}

bool grille__attrs_plain_only; /* tests: the plain path or nothing */
bool grille__attrs_yaml_only;  /* tests: always libyaml */

/* Whether two keys are stored as one (set_attr: trimmed, accents
 * composed, the report's keys in one spelling). */
static bool plain_key(const char *k)
{
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
              *k == '_' || *k == '-'))
            return false;
    return true;
}

static bool same_key(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    if (plain_key(a) && plain_key(b))
        /* the common case: stored as they are, but the interviewer's
         * other names ("enquetrice": enqueteur) */
        return strcmp(grille__attr_known(a), grille__attr_known(b)) == 0;
    char *x = grille_attr_key(a), *y = grille_attr_key(b);
    bool same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* The front matter y[0..n) when every line is "key: value" with a simple
 * key and a plain value, read without libyaml (it took 4% of tag, for
 * notes whose front matter is nearly always like this); NULL when it is
 * not that simple, or out of memory (libyaml will say so). */
/* The most keys a front matter may have: a note's have a dozen, and a
 * key is checked against the ones before it. */
#define ATTRS_MAX 1000

static grille_attrs *parse_plain(const char *y, size_t n)
{
    const char *end = y + n;
    /* an attribute per line at most, and a line "key: value\n" stored as
     * "key\0value\0" takes no more room than it did: n bytes in all */
    size_t lines = 1;
    for (const char *p = y; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    char *o;
    grille_attrs *a = attrs_new(lines, n, &o);
    if (!a)
        return NULL;
    bool upper = false; /* a key with capitals: "TYPE" is "type" */
    while (y < end) {
        const char *nl = memchr(y, '\n', (size_t)(end - y));
        const char *le = nl ? nl : end;
        const char *k = y;
        for (; k < le; k++) {
            unsigned char c = (unsigned char)*k;
            if ((unsigned char)((c | 0x20) - 'a') < 26)
                upper |= c <= 'Z';
            else if (!(c == '_' ||
                       (k > y && (c == '-' || (c >= '0' && c <= '9')))))
                break;
        }
        if (k == y || le - k < 3 || k[0] != ':' || k[1] != ' ' ||
            !plain_value((const unsigned char *)k + 2, (size_t)(le - k - 2)))
            goto not_plain;
        if (a->n == ATTRS_MAX)
            goto not_plain; /* libyaml's reading says it */
        size_t kn = (size_t)(k - y);
        /* "enqueteur" and "enquetrice" (the interviewer's other names,
         * of nine letters or more): one key */
        upper |= kn >= 9 && (y[0] == 'e' || y[0] == 'i');
        char *key = o;
        memcpy(key, y, kn);
        key[kn] = '\0';
        char *value = key + kn + 1;
        size_t vn = (size_t)(le - k - 2);
        /* YAML's null (~, null) is no value, as an empty one */
        if (grille_ytree__null(k + 2, vn))
            vn = 0;
        memcpy(value, k + 2, vn);
        value[vn] = '\0';
        o = value + vn + 1;
        assert(o <= (char *)(a->items + lines) + n);
        /* a key twice: as libyaml reads it (a value follows its key: the
         * key's length is the gap between them) */
        for (size_t i = 0; i < a->n; i++)
            if (((size_t)(a->items[i].value - a->items[i].key) == kn + 1 &&
                 memcmp(a->items[i].key, key, kn) == 0) ||
                (upper && same_key(a->items[i].key, key)))
                goto not_plain;
        assert(a->n < lines);
        a->items[a->n].key = key;
        a->items[a->n].value = value;
        a->n++;
        y = nl ? nl + 1 : end;
    }
    return a;
not_plain:
    free(a);
    return NULL;
}

/* Attributes read by libyaml go through `strs` ("key\0value\0" each,
 * at offs[2i] and offs[2i + 1]) into one block. */
static grille_attrs *pack(const gbuf *strs, const size_t *offs, size_t n)
{
    char *o;
    grille_attrs *a = attrs_new(n, strs->len, &o);
    if (!a)
        return NULL;
    if (strs->len)
        memcpy(o, strs->data, strs->len);
    for (size_t i = 0; i < n; i++) {
        a->items[i].key = o + offs[2 * i];
        a->items[i].value = o + offs[2 * i + 1];
    }
    a->n = n;
    return a;
}

/* An empty list into *out: 0, or GRILLE_ENOMEM. */
static int empty(grille_attrs **out, grille_error *err)
{
    char *o;
    if (!(*out = attrs_new(0, 0, &o)))
        return grille__nomem(err);
    return 0;
}

/* Whether key (as written) is one of the seven the reports read, in any
 * of the spellings the project stores as it (Rôle, role, ROLE). */
static bool known_key(const char *key)
{
    static const char *const seven[] = {"collectivite", "type", "region",
                                        "population",   "role", "date",
                                        "enqueteur",    NULL};
    if (grille__attr_known(key) != key)
        return true;
    for (size_t i = 0; seven[i]; i++)
        if (strcmp(key, seven[i]) == 0)
            return true;
    return false;
}

/* After blank lines (see grille_text_front_matter), a block that names
 * none of the attributes the reports read (collectivite, type, role...)
 * is notes written as "Masques: reçus fin mars" lines between two rules,
 * not a front matter: *out emptied and *body 0. */
static int after_blank(grille_attrs **out, size_t *body, const char *s,
                       size_t len, grille_error *err)
{
    if (!len || s[0] == '-')
        return 0;
    for (size_t i = 0; i < grille_attrs_count(*out); i++)
        if (known_key(grille_attrs_get(*out, i)->key))
            return 0;
    grille_attrs_free(*out);
    *body = 0;
    return empty(out, err);
}

int grille_attrs_parse(grille_attrs **out, size_t *body, const char *s,
                       size_t len, const char *name, grille_error *err)
{
    size_t ys, ye;
    ynode *root = NULL;
    gbuf strs = {0};
    size_t *offs = NULL, n = 0;
    size_t no_body;
    if (!body) /* the caller does not want it */
        body = &no_body;
    *out = NULL;
    *body = 0;
    /* a warning is a message with code 0: one left by the last note's
     * parse in the same err was this note's too */
    if (err)
        memset(err, 0, sizeof(*err));
    int rc = grille_text_front_matter(s, len, &ys, &ye, body, err);
    if (rc < 0) {
        if (err && name) {
            grille_error e = *err;
            grille__error(err, rc, name, e.line, e.column, "%s",
                          _("front matter opened with '---' on line 1 is "
                            "never closed (a line '---' must end it)"));
        }
        return rc;
    }
    if (rc == 0)
        return empty(out, err);
    /* raw bytes from a program (a note is decoded first): refused by the
     * YAML reader, which says where, rather than kept by the plain one */
    bool raw = utf8_check(s + ys, ye - ys) < ye - ys;
    if (!grille__attrs_yaml_only && !raw) {
        if ((*out = parse_plain(s + ys, ye - ys)))
            return after_blank(out, body, s, len, err);
        if (grille__attrs_plain_only)
            return empty(out, err);
    }
    /* its lines numbered as the file's: after the '---' line, and any
     * blank lines before it */
    rc = grille_ytree__parse(&root, s + ys, ye - ys, name,
                             grille_text_count_lines(s, 0, ys), err);
    if (rc == GRILLE_EENCODING && err)
        err->offset += ys; /* in the note, not in its block */
    if (rc < 0)
        goto done;
    if (root && root->type != Y_MAP) {
        rc = grille__error(err, GRILLE_ESYNTAX, name, root->line, root->col,
                           "%s",
                           _("front matter must be a mapping of key: value "
                             "lines"));
        goto done;
    }
    if (root && root->n / 2 > ATTRS_MAX) {
        const ynode *k = root->items[2 * ATTRS_MAX];
        rc = grille__error(err, GRILLE_ESYNTAX, name, k->line, k->col,
                           _("front matter of more than %d keys: a note's "
                             "attributes are a few lines (is the front "
                             "matter a table or a list?)"),
                           ATTRS_MAX);
        goto done;
    }
    /* two offsets (key, value) per pair of nodes */
    if (root && !(offs = malloc((root->n + 1) * sizeof(*offs)))) {
        rc = grille__nomem(err);
        goto done;
    }
    for (size_t i = 0; root && i + 1 < root->n; i += 2) {
        const ynode *k = root->items[i], *v = root->items[i + 1];
        if (k->type != Y_SCALAR || k->len == 0) {
            rc = grille__error(err, GRILLE_ESYNTAX, name, k->line, k->col,
                               "%s",
                               k->type == Y_SCALAR
                                   ? _("an empty front matter key (\"\"): "
                                       "an attribute needs a name")
                                   : _("front matter keys must be strings"));
            goto done;
        }
        /* a key of spaces only (quoted): no attribute can be named so */
        if (!plain_key(k->str)) {
            char *x = grille_attr_key(k->str);
            bool blank = x && !*x;
            free(x);
            if (blank) {
                rc = grille__error(err, GRILLE_ESYNTAX, name, k->line, k->col,
                                   "%s",
                                   _("a front matter key of spaces only: an "
                                     "attribute needs a name"));
                goto done;
            }
        }
        /* YAML forbids it, and one of the two values would be lost; so
         * would one of two keys stored alike ("type" and "TYPE", "type"
         * and "type" with a no-break space) */
        for (size_t j = 0; j < i; j += 2)
            if (same_key(root->items[j]->str, k->str)) {
                bool spelt = strcmp(root->items[j]->str, k->str) != 0;
                char b1[120], b2[120];
                rc = grille__error(
                    err, GRILLE_ESYNTAX, name, k->line, k->col,
                    spelt ? _("key '%s' given twice in the front matter "
                              "(first on line %u, as '%s')")
                          : _("key '%s' given twice in the front matter "
                              "(first on line %u)%s"),
                    grille__quote(b1, sizeof(b1), k->str, k->len),
                    root->items[j]->line,
                    spelt ? grille__quote(b2, sizeof(b2),
                                          root->items[j]->str,
                                          root->items[j]->len)
                          : "");
                goto done;
            }
        offs[2 * n] = strs.len;
        if (gbuf_put(&strs, k->str, k->len) < 0 ||
            gbuf_putc(&strs, '\0') < 0) {
            rc = grille__nomem(err);
            goto done;
        }
        offs[2 * n + 1] = strs.len;
        if (v->type == Y_SCALAR) {
            /* YAML's null (~, null) is no value, as an empty one */
            if (!v->plain || !grille_ytree__null(v->str, v->len))
                rc = gbuf_put(&strs, v->str, v->len);
        } else if (v->type == Y_SEQ) {
            bool first = true;
            for (size_t j = 0; j < v->n && rc == 0; j++) {
                if (v->items[j]->type != Y_SCALAR) {
                    rc = grille__error(err, GRILLE_ESYNTAX, name,
                                       v->items[j]->line, v->items[j]->col,
                                       _("front matter value of '%s' must be "
                                         "a string or a list of strings"),
                                       k->str);
                    goto done;
                }
                if (v->items[j]->plain &&
                    grille_ytree__null(v->items[j]->str, v->items[j]->len))
                    continue; /* [Lyon, ~]: Lyon */
                if (!first)
                    rc = gbuf_puts(&strs, ", ");
                first = false;
                if (rc == 0)
                    rc = gbuf_put(&strs, v->items[j]->str, v->items[j]->len);
            }
        } else {
            rc = grille__error(err, GRILLE_ESYNTAX, name, v->line, v->col,
                               _("front matter value of '%s' must be a "
                                 "string or a list of strings"),
                               k->str);
            goto done;
        }
        if (rc == 0)
            rc = gbuf_putc(&strs, '\0');
        if (rc < 0) {
            rc = grille__nomem(err);
            goto done;
        }
        n++;
    }
    if (!(*out = pack(&strs, offs, n)))
        rc = grille__nomem(err);
    else
        rc = after_blank(out, body, s, len, err);
done:
    grille_ytree__free(root);
    gbuf_free(&strs);
    free(offs);
    if (rc < 0 && rc != GRILLE_ENOMEM && len && s[0] != '-') {
        /* after blank lines (see grille_text_front_matter), a block that
         * is no YAML mapping of strings is text: a rule, lines, a rule;
         * its error stays in err, with code 0, for a warning */
        *body = 0;
        if (err)
            err->code = 0;
        return empty(out, err);
    }
    return rc < 0 ? rc : 0;
}
