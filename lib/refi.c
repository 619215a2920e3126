/*
 * refi.c - export to REFI-QDA, the exchange standard of NVivo, ATLAS.ti,
 * MAXQDA and QualCoder: the codebook as a .qdc file (namespace
 * urn:QDA-XML:codebook:1.0) and the project as a .qdpx ZIP holding
 * project.qde (urn:QDA-XML:project:1.0) and sources/<GUID>.txt.
 *
 * Export is strict: the XML is written by libxml2's text writer, valid
 * against the standard's XSDs (tests/e2e/refi.py checks it with xmllint),
 * and the container by libzip.  Every GUID is derived from a stable key
 * (a code's id, a document's content hash, a coding's span and code) with
 * SHA-256, in the form of a version-5 UUID, and every file of the ZIP
 * carries the same fixed date: two exports of the same project are the
 * same bytes.  Positions are Unicode code points of the exported text,
 * the first being 0, end exclusive; the exported text is the document's
 * body (its front matter becomes the case's variables) in UTF-8 without a
 * BOM (but one before a body's own U+FEFF), with LF line ends (a Windows note's CR LF counts as one character
 * in some tools and two in others: LF alone is read the same by all).
 */
#include "store.h"
#define GRILLE_LAZY_REDIRECT
#include "lazy.h"
#include "stale.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#define NS_CODEBOOK "urn:QDA-XML:codebook:1.0"
#define NS_PROJECT "urn:QDA-XML:project:1.0"

/* v in decimal at p (at most 20 bytes); returns the end. */
static char *put_dec(char *p, uint64_t v)
{
    char t[20];
    size_t n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *p++ = t[--n];
    return p;
}

/* A version-5-shaped UUID from SHA-256 of "grille:" + kind + ":" + key.
 * Put together by hand: an export makes two for each coding, and
 * printf's formatting was most of their cost. */
static void guid(char out[37], const char *kind, const char *key)
{
    if (!key) /* a column read without memory: as printf said it */
        key = "(null)";
    size_t kl = strlen(kind), yl = strlen(key), n = 8 + kl + yl;
    char stack[256], hex[65];
    char *b = n <= sizeof(stack) ? stack : malloc(n);
    if (!b) {
        memcpy(out, "00000000-0000-5000-8000-000000000000", 37);
        return;
    }
    memcpy(b, "grille:", 7);
    memcpy(b + 7, kind, kl);
    b[7 + kl] = ':';
    memcpy(b + 8 + kl, key, yl);
    grille__sha256_hex(b, n, hex);
    if (b != stack)
        free(b);
    hex[12] = '5';                                 /* version 5 */
    hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
    /* 8-4-4-4-12 */
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = 0;
}

/* A color of the standard, #RRGGBB or #RGB (may be NULL), as #RRGGBB
 * into out; "" when it is none. */
static const char *color_of(const char *c, char out[8])
{
    size_t n = c ? strlen(c) : 0;
    out[0] = '\0';
    if ((n != 7 && n != 4) || c[0] != '#')
        return out;
    for (size_t i = 1; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF", c[i]))
            return out;
    out[0] = '#';
    for (size_t i = 1; i < 7; i++)
        out[i] = n == 7 ? c[i] : c[(i + 1) / 2];
    out[7] = '\0';
    return out;
}

/* xmlTextWriter returns -1 on error: every call goes through this. */
#define W(call)                                                              \
    do {                                                                     \
        errno = 0; /* the call's own reason, if it fails */                  \
        if ((call) < 0)                                                      \
            goto xmlfail;                                                    \
    } while (0)

/* Appends s to b as text XML 1.0 allows: invalid UTF-8 becomes U+FFFD,
 * control characters (but tab, line feed, carriage return) and U+FFFE,
 * U+FFFF a space.  Names of files and values typed by people can hold
 * anything. */
static int xml_clean(gbuf *b, const char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t ok = i + utf8_check(s + i, len - i);
        while (i < ok) {
            size_t n;
            uint32_t cp = utf8_get(s, ok, i, &n);
            bool bad = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
                       cp == 0xFFFE || cp == 0xFFFF;
            if (bad ? gbuf_putc(b, ' ') < 0 : gbuf_put(b, s + i, n) < 0)
                return -1;
            i += n;
        }
        if (i < len) {
            if (gbuf_puts(b, "\xEF\xBF\xBD") < 0)
                return -1;
            i++;
        }
    }
    return gbuf_putc(b, 0);
}

/* An attribute (or, with `elem`, a text element) whose value comes from
 * data, cleaned first. */
static int put_clean(xmlTextWriterPtr w, bool elem, const char *name,
                     const char *value)
{
    gbuf b = {0};
    int rc = xml_clean(&b, value) < 0 ? -1
             : elem ? xmlTextWriterWriteElement(w, BAD_CAST name,
                                                BAD_CAST b.data)
                    : xmlTextWriterWriteAttribute(w, BAD_CAST name,
                                                  BAD_CAST b.data);
    gbuf_free(&b);
    return rc;
}

static int put_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return put_clean(w, false, name, value);
}

static int put_elem(xmlTextWriterPtr w, const char *name, const char *value)
{
    return put_clean(w, true, name, value);
}

/* An empty element <name targetGUID="guid"/>: VariableRef, SourceRef,
 * CodeRef. */
static int ref_element(xmlTextWriterPtr w, const char *name, const char *g)
{
    W(xmlTextWriterStartElement(w, BAD_CAST name));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "targetGUID", BAD_CAST g));
    W(xmlTextWriterEndElement(w));
    return 0;
xmlfail:
    return -1;
}

/* Opens <elem guid="g" name="name">. */
static int start_named(xmlTextWriterPtr w, const char *elem, const char *g,
                       const char *name)
{
    W(xmlTextWriterStartElement(w, BAD_CAST elem));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "guid", BAD_CAST g));
    W(put_attr(w, "name", name));
    return 0;
xmlfail:
    return -1;
}

typedef struct rcode {
    int64_t id;
    char *code, *label, *description, *color;
    int64_t parent;
    char guid[37];
} rcode;

typedef struct rcodes {
    rcode *v;
    size_t n, cap;
} rcodes;

static void rcodes_free(rcodes *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].code);
        free(c->v[i].label);
        free(c->v[i].description);
        free(c->v[i].color);
    }
    free(c->v);
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return strdup(t ? t : "");
}

typedef struct id_at {
    int64_t id;
    size_t at;
} id_at;

static int cmp_id_at(const void *a, const void *b)
{
    int64_t x = ((const id_at *)a)->id, y = ((const id_at *)b)->id;
    return (x > y) - (x < y);
}

/* The project's codes, in codebook order, then those kept by manual
 * codings, with their parents (so that the tree reaches them). */
static int load_codes(grille_store *s, rcodes *out, grille_error *err)
{
    sqlite3 *db = grille_store__db(s);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db,
        "WITH RECURSIVE kept(id) AS (SELECT id FROM codes WHERE in_codebook "
        "OR EXISTS (SELECT 1 FROM codings c WHERE c.code = codes.id) "
        "UNION SELECT k.parent FROM codes k JOIN kept ON k.id = kept.id "
        "WHERE k.parent IS NOT NULL) "
        "SELECT id, code, label, description, color, parent FROM codes "
        "WHERE id IN kept ORDER BY position IS NULL, position, code",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return grille_store__error(s, err, rc, "read the codes");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(out->v, out->cap, out->n + 1) < 0) {
            sqlite3_finalize(st);
            return grille__nomem(err);
        }
        rcode *c = &out->v[out->n++];
        c->id = sqlite3_column_int64(st, 0);
        c->code = dup_col(st, 1);
        c->label = dup_col(st, 2);
        c->description = dup_col(st, 3);
        c->color = dup_col(st, 4);
        c->parent = sqlite3_column_type(st, 5) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(st, 5);
        if (!c->code || !c->label || !c->description || !c->color) {
            sqlite3_finalize(st);
            return grille__nomem(err);
        }
        if (!grille__color_ok(c->color)) {
            sqlite3_finalize(st);
            return grille__bad_color(err, grille_store__path(s), c->code,
                                     c->color);
        }
        guid(c->guid, "code", c->code);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return grille_store__error(s, err, rc, "read the codes");
    /* each code under its parent in the archive: a parent not in the
     * table, or a cycle of parents (by hand), would leave codes out of
     * it while codings point to them */
    size_t n = out->n;
    id_at *ids = malloc((n + 1) * sizeof(*ids));
    size_t *up = malloc((n + 1) * sizeof(*up)); /* parent's index, or n */
    if (!ids || !up) {
        free(ids);
        free(up);
        return grille__nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = (id_at){out->v[i].id, i};
    qsort(ids, n, sizeof(*ids), cmp_id_at);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        id_at key = {out->v[i].parent, 0};
        up[i] = n;
        if (key.id < 0)
            continue;
        const id_at *found = bsearch(&key, ids, n, sizeof(*ids), cmp_id_at);
        if (!found)
            r = grille__error(err, GRILLE_ESTORE, grille_store__path(s), 0, 0,
                              _("the project file is damaged: code '%s' has "
                                "the parent #%lld, which is not in the "
                                "project"),
                              out->v[i].code, (long long)key.id);
        else
            up[i] = found->at;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        size_t steps = 0;
        for (size_t k = up[i]; k < n && steps <= n; k = up[k])
            steps++;
        if (steps > n)
            r = grille__error(err, GRILLE_ESTORE, grille_store__path(s), 0, 0,
                              _("the project file is damaged: the parents of "
                                "code '%s' make a cycle"),
                              out->v[i].code);
    }
    free(ids);
    free(up);
    return r;
}

/* Writes the <Code> elements of parent `parent` (-1: the themes), nested. */
static int write_codes(xmlTextWriterPtr w, const rcodes *c, int64_t parent,
                       int depth)
{
    if (depth > 64)
        return 0;
    for (size_t i = 0; i < c->n; i++) {
        const rcode *k = &c->v[i];
        if (k->parent != parent)
            continue;
        W(start_named(w, "Code", k->guid, k->label[0] ? k->label : k->code));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "isCodable",
                                      BAD_CAST "true"));
        if (k->color[0])
            W(put_attr(w, "color", k->color));
        if (k->description[0])
            W(put_elem(w, "Description", k->description));
        if (write_codes(w, c, k->id, depth + 1) < 0)
            return -1;
        W(xmlTextWriterEndElement(w));
    }
    return 0;
xmlfail:
    return -1;
}

/* The same from a loaded codebook (export -f qdc without a project). */
static int write_cb_codes(xmlTextWriterPtr w, const grille_codebook *cb,
                          long parent)
{
    for (size_t i = 0; i < grille_codebook_count(cb); i++) {
        grille_code_info k;
        grille_codebook_code(cb, i, &k);
        if (k.parent != parent)
            continue;
        char g[37];
        guid(g, "code", k.id);
        W(start_named(w, "Code", g, k.label));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "isCodable",
                                      BAD_CAST "true"));
        if (k.color[0])
            W(put_attr(w, "color", k.color));
        if (k.description[0])
            W(put_elem(w, "Description", k.description));
        if (write_cb_codes(w, cb, (long)i) < 0)
            return -1;
        W(xmlTextWriterEndElement(w));
    }
    return 0;
xmlfail:
    return -1;
}

/* GRILLE_EIO for file `path`, with errno e in the message and in detail,
 * as the other file errors have it. */
static int io_error(grille_error *err, const char *path, int e)
{
    int rc = grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
    if (err)
        err->detail = e;
    return rc;
}

/* Writes `data` to `path`, readable by its owner only: to a temporary
 * file beside it first, renamed over it once complete. */
static int write_file(const char *path, const void *data, size_t len,
                      grille_error *err)
{
    gbuf tmp = {0};
    /* a new file of a name no one could plant (a link there would have
     * been written through), 0600 */
    int fd = grille__tmp_beside(&tmp, path, err);
    int e = 0;
    if (fd < 0) {
        gbuf_free(&tmp);
        return fd;
    }
    const char *p = data;
    while (len && !e) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && grille__interrupted())
        e = -1;
    else if (!e && rename(tmp.data, path) != 0)
        e = errno;
    if (e)
        unlink(tmp.data);
    gbuf_free(&tmp);
    if (e == -1)
        return grille__interrupt(err, path);
    if (e)
        return io_error(err, path, e);
    return 0;
}

int grille_refi_export_qdc(const grille_codebook *cb, const char *path,
                           grille_error *err)
{
    int lz = grille__lazy_load(err);
    if (lz < 0)
        return lz;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    int rc = 0;
    if (!w) {
        if (buf)
            xmlBufferFree(buf);
        return grille__nomem(err);
    }
    xmlTextWriterSetIndent(w, 1);
    W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", "yes"));
    W(xmlTextWriterStartElement(w, BAD_CAST "CodeBook"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_CODEBOOK));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "origin",
                                  BAD_CAST "grille " GRILLE_VERSION_STRING));
    W(xmlTextWriterStartElement(w, BAD_CAST "Codes"));
    W(write_cb_codes(w, cb, -1));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndDocument(w));
    xmlFreeTextWriter(w);
    w = NULL;
    rc = write_file(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf),
                    err);
    xmlBufferFree(buf);
    return rc;
xmlfail:
    xmlFreeTextWriter(w);
    xmlBufferFree(buf);
    return grille__error(err, GRILLE_ENOMEM, path, 0, 0, "%s",
                         _("cannot write the XML"));
}

/* ------------------------------------------------------------- projects */

/* Code points in s[0, n) of the exported text, where CR LF is LF: a CR
 * followed by LF (before `end`) does not count. */
static size_t cps(const char *s, size_t n, const char *end)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 &&
            !(s[i] == '\r' && s + i + 1 < end && s[i + 1] == '\n'))
            c++;
    return c;
}

/* The size of lf_text(s, n). */
static size_t lf_size(const char *s, size_t n)
{
    size_t size = n;
    for (const char *p = s; (p = memchr(p, '\r', n - (size_t)(p - s)));
         p++)
        size -= p + 1 < s + n && p[1] == '\n';
    return size;
}

/* A copy of s[0, n) with LF line ends: CR LF made LF, and a CR alone
 * (an old Mac file's line end) LF, one code point for one. */
static char *lf_text(const char *s, size_t n, size_t *len)
{
    char *t = malloc(n + 1), *o = t;
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r')
            *o++ = s[i];
        else if (!(i + 1 < n && s[i + 1] == '\n'))
            *o++ = '\n';
    *o = 0;
    *len = (size_t)(o - t);
    return t;
}

/* The document whose name (or, failing that, stored path) is `name`: the
 * one an add under that name clashed with; 0 for none.  By name only,
 * not as grille_store_find reads "#ID" or a file of that name here. */
static int64_t named_doc(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM documents WHERE name = ?1 OR "
                           "path = ?1 ORDER BY name = ?1 DESC LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/* A body that starts with U+FEFF (a note pasted after its front matter
 * with its mark) is exported after a byte order mark of its own: every
 * reader takes the first for a mark and drops it, and would have dropped
 * the body's own, every position then landing a character off. */
static bool starts_with_mark(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
}

/* The exported text of a body: LF line ends (lf_text), and a mark before
 * the body's own U+FEFF (starts_with_mark). */
static char *export_text(const char *s, size_t n, size_t *len)
{
    if (!starts_with_mark(s, n))
        return lf_text(s, n, len);
    char *t = lf_text(s, n, len), *m = t ? malloc(*len + 4) : NULL;
    if (m) {
        memcpy(m, "\xEF\xBB\xBF", 3);
        memcpy(m + 3, t, *len + 1);
        *len += 3;
    }
    free(t);
    return m;
}

/* The size of export_text(s, n). */
static size_t export_size(const char *s, size_t n)
{
    return lf_size(s, n) + (starts_with_mark(s, n) ? 3 : 0);
}

/* A document's text as a ZIP entry, read from the project only when
 * libzip compresses it (at zip_close, one entry after the other): the
 * export holds one text at a time, not the whole corpus. */
/* A text the export could not read from the project: SQLite's code
 * (SQLITE_DONE: its row is gone) and the document. */
typedef struct text_failure {
    int rc;
    int64_t doc;
} text_failure;

typedef struct text_source {
    sqlite3_stmt *q; /* SELECT text, body FROM documents WHERE id = ?1 */
    int64_t doc;
    text_failure *failed; /* set when the text cannot be read */
    int fd; /* >= 0: else this file's bytes (project.qde), read with
             * pread from off */
    size_t size; /* known beforehand: with it the entry needs no ZIP64
                  * field, and the archive is the same as from memory */
    char *data;
    size_t len, off;
    zip_error_t error;
} text_source;

static zip_int64_t text_read(void *payload, void *data, zip_uint64_t len,
                             zip_source_cmd_t cmd)
{
    text_source *t = payload;
    switch (cmd) {
    case ZIP_SOURCE_OPEN: {
        if (t->fd >= 0) {
            t->off = 0;
            return 0;
        }
        sqlite3_reset(t->q);
        sqlite3_bind_int64(t->q, 1, t->doc);
        int r = sqlite3_step(t->q);
        if (r != SQLITE_ROW) {
            /* the project's fault, not the archive's: said as such */
            t->failed->rc = r;
            t->failed->doc = t->doc;
            sqlite3_reset(t->q);
            zip_error_set(&t->error, ZIP_ER_READ, EIO);
            return -1;
        }
        const char *text = (const char *)sqlite3_column_text(t->q, 0);
        size_t n = (size_t)sqlite3_column_bytes(t->q, 0);
        size_t body = (size_t)sqlite3_column_int64(t->q, 1);
        if (body > n)
            body = n;
        free(t->data);
        t->data = export_text(text ? text + body : "",
                              text ? n - body : 0, &t->len);
        sqlite3_reset(t->q);
        if (!t->data) {
            t->failed->rc = SQLITE_NOMEM; /* said as out of memory */
            t->failed->doc = t->doc;
            zip_error_set(&t->error, ZIP_ER_MEMORY, 0);
            return -1;
        }
        t->off = 0;
        if (t->len != t->size) { /* changed since the XML was written */
            zip_error_set(&t->error, ZIP_ER_INCONS, 0);
            return -1;
        }
        return 0;
    }
    case ZIP_SOURCE_READ: {
        if (t->fd >= 0) {
            size_t want = t->size - t->off < len ? t->size - t->off
                                                 : (size_t)len;
            ssize_t n;
            do
                n = pread(t->fd, data, want, (off_t)t->off);
            while (n < 0 && errno == EINTR);
            if (n < 0) {
                zip_error_set(&t->error, ZIP_ER_READ, errno);
                return -1;
            }
            t->off += (size_t)n;
            return (zip_int64_t)n;
        }
        size_t n = t->len - t->off;
        if (n > len)
            n = (size_t)len;
        memcpy(data, t->data + t->off, n);
        t->off += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE:
        free(t->data);
        t->data = NULL;
        return 0;
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t))
            return -1;
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = t->size;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&t->error, data, len);
    case ZIP_SOURCE_FREE:
        free(t->data);
        free(t);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(
            ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
        zip_error_set(&t->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

/* libxml2 reports some errors (encodings, I/O) on stderr whatever the
 * parser's options; grille reports them itself, from xmlGetLastError.  The
 * handlers are libxml2's per-thread settings: they are replaced for the
 * time of one parse and put back. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static void quiet_structured(void *ctx, const xmlError *e)
{
    (void)ctx, (void)e;
}

typedef struct xml_handlers {
    xmlGenericErrorFunc generic;
    void *generic_ctx;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
} xml_handlers;

static void xml_quiet(xml_handlers *h)
{
    h->generic = xmlGenericError;
    h->generic_ctx = xmlGenericErrorContext;
    h->structured = xmlStructuredError;
    h->structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)quiet_structured);
}

static void xml_restore(const xml_handlers *h)
{
    xmlSetGenericErrorFunc(h->generic_ctx, h->generic);
    xmlSetStructuredErrorFunc(h->structured_ctx, h->structured);
}

/* libzip's cancel callback: Ctrl-C stops zip_close. */
static int zip_cancelled(zip_t *z, void *payload)
{
    (void)z, (void)payload;
    return grille__interrupted();
}

/* A ZIP source of document `doc`'s text (q: its query), or of the file
 * open as fd (>= 0, not closed); NULL when out of memory. */
static zip_source_t *new_source(zip_t *z, sqlite3_stmt *q, int64_t doc,
                                text_failure *failed, int fd, size_t size)
{
    text_source *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->q = q;
    t->doc = doc;
    t->failed = failed;
    t->fd = fd;
    t->size = size;
    zip_error_init(&t->error);
    zip_source_t *src = zip_source_function(z, text_read, t);
    if (!src)
        free(t);
    return src;
}

/* Whether v is a calendar date YYYY-MM-DD (xs:date without a zone). */
static bool is_date(const char *v)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
            return false;
    int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
           d <= (m == 2 && !leap ? 28 : days[m - 1]);
}

/* The type of a variable from its values (empty ones left out): Integer,
 * Float, Date or Text; *r: SQLite's code, SQLITE_DONE when its values were
 * read. */
static const char *var_type(sqlite3 *db, const char *key, int *r)
{
    sqlite3_stmt *st;
    bool integer = true, number = true, date = true, any = false;
    if ((*r = sqlite3_prepare_v2(db,
                                 "SELECT value FROM attributes WHERE key = "
                                 "?1",
                                 -1, &st, NULL)) != SQLITE_OK)
        return "Text";
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    while ((*r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (!v || !*v)
            continue; /* no value (population: ), which types nothing */
        any = true;
        size_t n = strlen(v);
        bool digits = n > 0 && n <= 18, dot = false;
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '-' && i == 0 && n > 1)
                continue;
            if (v[i] == '.' && !dot && i > 0 && i + 1 < n) {
                dot = true;
                continue;
            }
            if (v[i] < '0' || v[i] > '9')
                digits = false;
        }
        /* a number whose text another tool would not give back (a
         * postcode 01000, a département 05, -0, 1.50) stays text: read
         * as a number, its zeros would go */
        const char *u = v + (v[0] == '-');
        bool zeros = (u[0] == '0' && u[1] >= '0' && u[1] <= '9') ||
                     (v[0] == '-' && strspn(u, "0.") == strlen(u)) ||
                     (dot && v[n - 1] == '0');
        if (!digits || dot || zeros)
            integer = false;
        if (!digits || zeros)
            number = false;
        if (!is_date(v))
            date = false;
    }
    sqlite3_finalize(st);
    if (!any)
        return "Text";
    return integer ? "Integer" : number ? "Float" : date ? "Date" : "Text";
}

static const char *value_element(const char *type)
{
    return strcmp(type, "Integer") == 0   ? "IntegerValue"
           : strcmp(type, "Float") == 0   ? "FloatValue"
           : strcmp(type, "Date") == 0    ? "DateValue"
                                          : "TextValue";
}

typedef struct rvar {
    char *key;
    const char *type;
    char guid[37];
} rvar;

int grille_refi_export_qdpx(grille_store *s, const char *path,
                            grille_error *err)
{
    return grille_refi_export_qdpx_as(s, path, GRILLE_SELECT_HITS, err);
}

int grille_refi_export_qdpx_as(grille_store *s, const char *path,
                               grille_selections as, grille_error *err)
{
    if (as != GRILLE_SELECT_HITS && as != GRILLE_SELECT_SEGMENTS)
        return grille__error(err, GRILLE_EINVALID, path, 0, 0,
                             _("no such selections: %d (GRILLE_SELECT_HITS "
                               "or GRILLE_SELECT_SEGMENTS)"),
                             (int)as);
    int lz = grille__lazy_load(err);
    if (lz < 0)
        return lz;
    sqlite3 *db = grille_store__db(s);
    rcodes codes = {0};
    rvar *vars = NULL;
    size_t nvars = 0, vcap = 0;
    xmlTextWriterPtr w = NULL;
    sqlite3_stmt *docs = NULL, *cod = NULL, *att = NULL, *st = NULL;
    sqlite3_stmt *q_text = NULL;
    zip_t *z = NULL;
    /* the sources: their GUIDs and document ids, the texts stay in the
     * project until the ZIP is written */
    struct source_ref {
        char guid[37];
        int64_t doc;
        size_t size; /* of the text with LF line ends */
    } *texts = NULL;
    size_t ntexts = 0, tcap = 0;
    char tmp[4200], xml[4200]; /* the stem below, and its suffixes */
    int rc = 0, zerr = 0, xml_fd = -1;
    text_failure failed = {0, 0};
    xml_handlers quiet_xml;
    xml_quiet(&quiet_xml); /* libxml2 would print "I/O error" lines */
    char user[37];
    guid(user, "user", "grille");
    /* named after the target, or after its name cut when that is too
     * long for the suffixes */
    size_t stem = grille__temp_stem(path);
    char tbase[4096];
    snprintf(tbase, sizeof(tbase), "%.*s%s", (int)stem, path,
             path[stem] ? "~" : "");
    grille__remove_stale(tbase);
    snprintf(tmp, sizeof(tmp), "%s.tmp-%d", tbase, (int)getpid());
    /* project.qde is written to a file beside the target, not to memory
     * (on 100 MB of notes it is 640 MB); the file is unlinked as soon as
     * it is open, so that nothing is left behind, even by a kill */
    snprintf(xml, sizeof(xml), "%s.tmp-%d.qde", tbase, (int)getpid());

    /* a consistent snapshot of the whole project */
    /* inside the caller's transaction, if any: a savepoint, not BEGIN */
    sqlite3_exec(db, "SAVEPOINT refi_export", NULL, NULL, NULL);
    if ((rc = load_codes(s, &codes, err)) < 0)
        goto done;
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT key FROM attributes ORDER BY key",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = grille_store__error(s, err, sqlite3_errcode(db), "export");
        goto done;
    }
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        if (GROW(vars, vcap, nvars + 1) < 0) {
            rc = grille__nomem(err);
            goto done;
        }
        if (!(vars[nvars].key = dup_col(st, 0))) {
            rc = grille__nomem(err);
            goto done;
        }
        nvars++;
        vars[nvars - 1].type = var_type(db, vars[nvars - 1].key, &sr);
        if (sr != SQLITE_DONE)
            break;
        guid(vars[nvars - 1].guid, "variable", vars[nvars - 1].key);
    }
    if (sr != SQLITE_DONE) {
        rc = grille_store__error(s, err, sr, "export");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;

    unlink(xml);
    xml_fd = open(xml, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int open_errno = errno; /* the reason when the open failed */
    if (xml_fd >= 0)
        unlink(xml);
    xmlOutputBufferPtr out =
        xml_fd >= 0 ? xmlOutputBufferCreateFd(xml_fd, NULL) : NULL;
    w = out ? xmlNewTextWriter(out) : NULL;
    if (!w) {
        int e = xml_fd < 0 ? open_errno : ENOMEM;
        if (out)
            xmlOutputBufferClose(out);
        rc = grille__error(err, GRILLE_EIO, path, 0, 0,
                           _("cannot create a temporary file beside it: %s"),
                           strerror(e));
        if (err)
            err->detail = e;
        goto done;
    }
    xmlTextWriterSetIndent(w, 1);
    W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", "yes"));
    W(xmlTextWriterStartElement(w, BAD_CAST "Project"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_PROJECT));
    const char *base = strrchr(grille_store__path(s), '/');
    W(put_attr(w, "name", base ? base + 1 : grille_store__path(s)));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "origin",
                                  BAD_CAST "grille " GRILLE_VERSION_STRING));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "creatingUserGUID",
                                  BAD_CAST user));
    W(xmlTextWriterStartElement(w, BAD_CAST "Users"));
    W(start_named(w, "User", user, "grille"));
    W(xmlTextWriterEndElement(w));
    /* the people who coded by hand, each a user of their own */
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT coalesce(coder, '') FROM codings "
                           "WHERE origin = 'manual' ORDER BY 1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = grille_store__error(s, err, sqlite3_errcode(db), "export");
        goto done;
    }
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *who = (const char *)sqlite3_column_text(st, 0);
        char ug[37];
        guid(ug, "coder", who ? who : "");
        W(start_named(w, "User", ug, who && *who ? who : "manual"));
        W(xmlTextWriterEndElement(w));
    }
    if (sr != SQLITE_DONE) {
        rc = grille_store__error(s, err, sr, "export");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    W(xmlTextWriterEndElement(w));
    if (codes.n) {
        W(xmlTextWriterStartElement(w, BAD_CAST "CodeBook"));
        W(xmlTextWriterStartElement(w, BAD_CAST "Codes"));
        W(write_codes(w, &codes, -1, 0));
        W(xmlTextWriterEndElement(w));
        W(xmlTextWriterEndElement(w));
    }
    if (nvars) {
        W(xmlTextWriterStartElement(w, BAD_CAST "Variables"));
        for (size_t i = 0; i < nvars; i++) {
            W(start_named(w, "Variable", vars[i].guid, vars[i].key));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "typeOfVariable",
                                          BAD_CAST vars[i].type));
            W(xmlTextWriterEndElement(w));
        }
        W(xmlTextWriterEndElement(w));
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT id, name, sha256, text, body FROM "
                           "documents ORDER BY name",
                           -1, &docs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT key, value FROM attributes WHERE "
                           "document = ?1 ORDER BY key",
                           -1, &att, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            as == GRILLE_SELECT_SEGMENTS
                /* a segment once per code of the codebook's codings, the
                 * lowest coding's id in the GUIDs' key; the hand ones as
                 * they are */
                ? "SELECT g.start, g.\"end\", c.code, 'automatic', '', "
                  "min(c.id) FROM codings c JOIN segments g ON g.id = "
                  "c.segment WHERE g.document = ?1 AND c.origin != 'manual' "
                  "GROUP BY g.id, c.code UNION ALL SELECT c.start, "
                  "c.\"end\", c.code, c.origin, coalesce(c.coder, ''), c.id "
                  "FROM codings c JOIN segments g ON g.id = c.segment WHERE "
                  "g.document = ?1 AND c.origin = 'manual' ORDER BY 1, 2, 3, 6"
            : grille_store__coding_ranges(s)
                ? "SELECT c.start, c.\"end\", c.code, c.origin, "
                  "coalesce(c.coder, ''), c.id FROM codings c WHERE "
                  SQL_DOCUMENT_CODINGS("c.", "?1")
                  " ORDER BY c.start, c.\"end\", c.code, c.id"
                : "SELECT c.start, c.\"end\", c.code, c.origin, "
                  "coalesce(c.coder, ''), c.id FROM codings c JOIN segments g "
                  "ON g.id = c.segment WHERE g.document = ?1 ORDER BY "
                  "c.start, c.\"end\", c.code, c.id",
            -1, &cod, NULL) != SQLITE_OK) {
        rc = grille_store__error(s, err, sqlite3_errcode(db), "export");
        goto done;
    }
    /* Cases: one per document, with its attributes as variables. */
    bool cases = false;
    while ((sr = sqlite3_step(docs)) == SQLITE_ROW) {
        if (grille__interrupted())
            goto xmlfail;
        const char *name = (const char *)sqlite3_column_text(docs, 1);
        const char *sha = (const char *)sqlite3_column_text(docs, 2);
        if (!name || !sha || sqlite3_column_type(docs, 3) == SQLITE_NULL) {
            rc = grille__error(err, GRILLE_ESTORE, grille_store__path(s), 0,
                               0,
                               _("the project file is damaged: document "
                                 "#%lld has no %s"),
                               (long long)sqlite3_column_int64(docs, 0),
                               !name ? "name" : !sha ? "sha256" : "text");
            goto done;
        }
        char cg[37], sg[37];
        guid(cg, "case", sha);
        guid(sg, "source", sha);
        if (!cases) {
            W(xmlTextWriterStartElement(w, BAD_CAST "Cases"));
            cases = true;
        }
        W(start_named(w, "Case", cg, name));
        sqlite3_reset(att);
        sqlite3_bind_int64(att, 1, sqlite3_column_int64(docs, 0));
        while ((sr = sqlite3_step(att)) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(att, 0);
            const char *v = (const char *)sqlite3_column_text(att, 1);
            const rvar *var = NULL;
            for (size_t i = 0; i < nvars && !var && k; i++)
                if (strcmp(vars[i].key, k) == 0)
                    var = &vars[i];
            /* an empty value is none, as the reports read it: of a typed
             * variable, the case has no value (an empty IntegerValue is
             * none); of a Text one, an empty text, which an import
             * gives back as the key without a value */
            if (!var || ((!v || !*v) && strcmp(var->type, "Text") != 0))
                continue;
            W(xmlTextWriterStartElement(w, BAD_CAST "VariableValue"));
            W(ref_element(w, "VariableRef", var->guid));
            W(put_elem(w, value_element(var->type), v ? v : ""));
            W(xmlTextWriterEndElement(w));
        }
        if (sr != SQLITE_DONE)
            break;
        W(ref_element(w, "SourceRef", sg));
        W(xmlTextWriterEndElement(w));
    }
    if (sr != SQLITE_DONE) {
        rc = grille_store__error(s, err, sr, "export");
        goto done;
    }
    if (cases)
        W(xmlTextWriterEndElement(w));
    /* Sources, their selections and codings; the texts go to the ZIP. */
    sqlite3_reset(docs);
    bool sources = false;
    while ((sr = sqlite3_step(docs)) == SQLITE_ROW) {
        if (grille__interrupted())
            goto xmlfail;
        int64_t id = sqlite3_column_int64(docs, 0);
        const char *name = (const char *)sqlite3_column_text(docs, 1);
        const char *sha = (const char *)sqlite3_column_text(docs, 2);
        const char *text = (const char *)sqlite3_column_text(docs, 3);
        size_t len = (size_t)sqlite3_column_bytes(docs, 3);
        size_t body = (size_t)sqlite3_column_int64(docs, 4);
        if ((rc = grille_store__bad_body(s, err, id, name,
                                         sqlite3_column_int64(docs, 4),
                                         len)) < 0 ||
            (rc = grille_store__bad_text(s, err, id, name, text, len, 0)) < 0)
            goto done;
        char sg[37], ref[64];
        guid(sg, "source", sha);
        snprintf(ref, sizeof(ref), "internal://%s.txt", sg);
        if (!sources) {
            W(xmlTextWriterStartElement(w, BAD_CAST "Sources"));
            sources = true;
        }
        W(start_named(w, "TextSource", sg, name));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "plainTextPath",
                                      BAD_CAST ref));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "creatingUser",
                                      BAD_CAST user));
        /* byte offsets to code points of the body, walking forward */
        size_t at = body, cp = 0, selections = 0;
        sqlite3_reset(cod);
        sqlite3_bind_int64(cod, 1, id);
        while ((sr = sqlite3_step(cod)) == SQLITE_ROW) {
            int64_t r0 = sqlite3_column_int64(cod, 0);
            int64_t r1 = sqlite3_column_int64(cod, 1);
            int64_t code = sqlite3_column_int64(cod, 2);
            if (r0 < 0 || r1 < r0 || (uint64_t)r1 > len) {
                /* offsets no add wrote: said, not left out of the
                 * archive silently */
                rc = grille__error(err, GRILLE_ESTORE, grille_store__path(s),
                                   0, 0,
                                   _("the project file is damaged: a coding "
                                     "of document '%s' (#%lld) spans bytes "
                                     "%lld to %lld of a text of %zu"),
                                   name, (long long)id, (long long)r0,
                                   (long long)r1, len);
                goto done;
            }
            size_t b0 = (size_t)r0, b1 = (size_t)r1;
            if (b0 < body)
                continue;
            if (b0 >= at) {
                cp += cps(text + at, b0 - at, text + len);
            } else {
                cp = cps(text + body, b0 - body, text + len);
            }
            at = b0;
            size_t c1 = cp + cps(text + b0, b1 - b0, text + len);
            const rcode *k = NULL;
            for (size_t i = 0; i < codes.n && !k; i++)
                if (codes.v[i].id == code)
                    k = &codes.v[i];
            if (!k) { /* a code not in the table (by hand): not left out */
                rc = grille__error(err, GRILLE_ESTORE, grille_store__path(s),
                                   0, 0,
                                   _("the project file is damaged: a coding "
                                     "of document '%s' (#%lld) has the code "
                                     "#%lld, which is not in the project"),
                                   name, (long long)id, (long long)code);
                goto done;
            }
            /* sel: 387 bytes at most (offsets below 2^31, SQLite's
             * longest text); the first selection's newline, 388 */
            char pg[37], kg[37], who[37], sel[448];
            gbuf key = {0};
            const char *origin = (const char *)sqlite3_column_text(cod, 3);
            if (origin && strcmp(origin, "manual") == 0)
                guid(who, "coder",
                     (const char *)sqlite3_column_text(cod, 4));
            else
                memcpy(who, user, sizeof(who));
            /* sha:b0:b1:code:id, as "%s:%zu:%zu:%s:%lld" */
            char nums[48], *e = nums;
            int64_t cid = sqlite3_column_int64(cod, 5);
            *e++ = ':';
            e = put_dec(e, b0);
            *e++ = ':';
            e = put_dec(e, b1);
            *e++ = ':';
            char idn[24], *ie = idn;
            if (cid < 0)
                *ie++ = '-';
            ie = put_dec(ie, cid < 0 ? 0 - (uint64_t)cid : (uint64_t)cid);
            if (gbuf_puts(&key, sha ? sha : "(null)") < 0 ||
                gbuf_put(&key, nums, (size_t)(e - nums)) < 0 ||
                gbuf_puts(&key, k->code) < 0 || gbuf_putc(&key, ':') < 0 ||
                gbuf_put(&key, idn, (size_t)(ie - idn)) < 0) {
                gbuf_free(&key);
                rc = grille__nomem(err);
                goto done;
            }
            guid(pg, "selection", key.data);
            guid(kg, "coding", key.data);
            gbuf_free(&key);
            /* The selection, its coding and its code's reference, as
             * the indenting writer puts them three levels down (Project,
             * Sources, TextSource; its indent is libxml2's default, one
             * space, set on above), written whole (GUIDs and numbers:
             * nothing to escape); the writer's eleven calls were a fifth
             * of an export.  The first one ends the line of the source's
             * start tag, which the writer closes. */
            char *o = sel;
            if (!selections++)
                *o++ = '\n';
#define PUT(lit) (memcpy(o, lit, sizeof(lit) - 1), o += sizeof(lit) - 1)
            PUT("   <PlainTextSelection guid=\"");
            memcpy(o, pg, 36), o += 36;
            PUT("\" startPosition=\"");
            o = put_dec(o, cp);
            PUT("\" endPosition=\"");
            o = put_dec(o, c1);
            PUT("\" creatingUser=\"");
            memcpy(o, who, 36), o += 36;
            PUT("\">\n    <Coding guid=\"");
            memcpy(o, kg, 36), o += 36;
            PUT("\" creatingUser=\"");
            memcpy(o, who, 36), o += 36;
            PUT("\">\n     <CodeRef targetGUID=\"");
            memcpy(o, k->guid, 36), o += 36;
            PUT("\"/>\n    </Coding>\n   </PlainTextSelection>\n");
#undef PUT
            W(xmlTextWriterWriteRawLen(w, BAD_CAST sel, (int)(o - sel)));
        }
        if (sr != SQLITE_DONE)
            break;
        /* after raw text the writer does not indent the end tag */
        if (selections)
            W(xmlTextWriterWriteRaw(w, BAD_CAST "  "));
        W(xmlTextWriterEndElement(w));
        /* the body, as sources/<GUID>.txt */
        if (GROW(texts, tcap, ntexts + 1) < 0) {
            rc = grille__nomem(err);
            goto done;
        }
        memcpy(texts[ntexts].guid, sg, sizeof(sg));
        texts[ntexts].doc = id;
        texts[ntexts++].size = export_size(text + body, len - body);
    }
    if (sr != SQLITE_DONE) {
        rc = grille_store__error(s, err, sr, "export");
        goto done;
    }
    if (sources)
        W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndDocument(w));
    /* a full disk shows at the last flush */
    int flushed = xmlTextWriterFlush(w);
    xmlFreeTextWriter(w);
    w = NULL;
    struct stat xs;
    if (flushed < 0 || fstat(xml_fd, &xs) != 0)
        goto xmlfail;
    if (sqlite3_prepare_v2(db,
                           "SELECT text, body FROM documents WHERE id = ?1",
                           -1, &q_text, NULL) != SQLITE_OK) {
        rc = grille_store__error(s, err, sqlite3_errcode(db), "export");
        goto done;
    }

    /* The container, written beside the target and renamed at the end. */
    unlink(tmp);
    z = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!z) {
        rc = grille__error(err, GRILLE_EIO, path, 0, 0,
                           _("cannot create the ZIP (libzip error %d)"),
                           zerr);
        goto done;
    }
    /* Ctrl-C stops the compression too */
    zip_register_cancel_callback_with_state(z, zip_cancelled, NULL, NULL);
    time_t when = 1577836800; /* 2020-01-01: the same bytes every time */
    zip_source_t *src =
        new_source(z, NULL, 0, &failed, xml_fd, (size_t)xs.st_size);
    if (!src) {
        rc = grille__nomem(err);
        goto discard;
    }
    zip_int64_t ix = zip_file_add(z, "project.qde", src, ZIP_FL_ENC_UTF_8);
    if (ix < 0)
        zip_source_free(src);
    /* deflate's fastest level: on 100 MB of notes the default took 1.7
     * times as long (19 s, not 11 s) for an archive 13% smaller */
    if (ix < 0 || zip_file_set_mtime(z, (zip_uint64_t)ix, when, 0) < 0 ||
        zip_set_file_compression(z, (zip_uint64_t)ix, ZIP_CM_DEFLATE, 1) < 0)
        goto zipfail;
    for (size_t i = 0; i < ntexts; i++) {
        char name[64];
        snprintf(name, sizeof(name), "sources/%s.txt", texts[i].guid);
        src = new_source(z, q_text, texts[i].doc, &failed, -1,
                         texts[i].size);
        if (!src) {
            rc = grille__nomem(err);
            goto discard;
        }
        ix = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
        if (ix < 0)
            zip_source_free(src);
        if (ix < 0 || zip_file_set_mtime(z, (zip_uint64_t)ix, when, 0) < 0 ||
            zip_set_file_compression(z, (zip_uint64_t)ix, ZIP_CM_DEFLATE,
                                     1) < 0)
            goto zipfail;
    }
    if (zip_close(z) < 0)
        goto zipfail;
    z = NULL;
    chmod(tmp, 0600);
    if (grille__interrupted()) { /* the last chance: FILE is untouched */
        rc = grille__interrupt(err, path);
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = io_error(err, path, errno);
        unlink(tmp);
    }
    goto done;
zipfail:
    rc = grille__interrupted() ? grille__interrupt(err, path)
         : failed.rc == SQLITE_DONE
             ? grille_store__missing_text(s, err, failed.doc)
         : failed.rc ? grille_store__error(s, err, failed.rc, "export")
         : zip_error_code_zip(zip_get_error(z)) == ZIP_ER_MEMORY
             ? grille__nomem(err)
             : grille__error(err, GRILLE_EIO, path, 0, 0,
                             _("cannot write the ZIP: %s"), zip_strerror(z));
discard:
    zip_discard(z);
    z = NULL;
    unlink(tmp);
    goto done;
xmlfail:
    /* libxml2's writer failing to write, or memory that ran out (errno
     * ENOMEM from malloc, here or in libxml2) */
    rc = grille__interrupted() ? grille__interrupt(err, path)
         : errno == ENOMEM
             ? grille__error(err, GRILLE_ENOMEM, path, 0, 0, "%s",
                             _("out of memory while writing the XML"))
             : grille__error(err, GRILLE_EIO, path, 0, 0,
                             _("cannot write the XML: %s"),
                             strerror(errno ? errno : EIO));
done:
    if (w)
        xmlFreeTextWriter(w);
    if (xml_fd >= 0)
        close(xml_fd);
    xml_restore(&quiet_xml);
    sqlite3_exec(db, "RELEASE refi_export", NULL, NULL, NULL);
    sqlite3_finalize(q_text);
    sqlite3_finalize(st);
    sqlite3_finalize(docs);
    sqlite3_finalize(att);
    sqlite3_finalize(cod);
    free(texts);
    for (size_t i = 0; i < nvars; i++)
        free(vars[i].key);
    free(vars);
    rcodes_free(&codes);
    return rc;
}

/* --------------------------------------------------------------- import */

/*
 * Import is tolerant, for the files real tools write (see the pitfalls in
 * docs/project.md): the .qde may have any name (but two are refused,
 * not chosen between), the sources folder any case, the texts a BOM and
 * CR LF line ends (positions are then counted on the text with LF line
 * ends, as ATLAS.ti and grille's export do), cases no name; an empty or
 * impossible selection, or one that falls outside every segment, is
 * counted as dropped rather than refused.  Selections
 * created by grille's own user are its automatic codings: the project's
 * codebook finds them again when the text is added, so they are skipped.
 */

/* libxml2's first error of a parse (its last may be a consequence: an
 * unescaped '<' reported as a tag mismatch thirty lines further). */
typedef struct first_error {
    bool set;
    unsigned line;
    char message[200];
} first_error;

static void keep_first(void *ctx, const xmlError *e)
{
    first_error *f = ctx;
    if (f->set || !e || e->level < XML_ERR_FATAL)
        return; /* a namespace's error, say, that the parse goes past */
    f->set = true;
    f->line = e->line > 0 ? (unsigned)e->line : 0;
    snprintf(f->message, sizeof(f->message), "%s",
             e->message ? e->message : "");
}

/* Parses XML from memory, quietly, without network or entities; on an
 * error, fills err with the file (`name`), the line and libxml2's reason
 * (its first) on one line.  `utf8`: data is UTF-8 whatever its
 * declaration says (a file grille decoded already). */
static xmlDoc *parse_xml(const char *data, size_t len, const char *name,
                         bool utf8, grille_error *err)
{
    if (len > INT32_MAX) {
        grille__error(err, GRILLE_ELIMIT, name, 0, 0, "%s",
                      _("too large for an XML file"));
        return NULL;
    }
    if (len == 0) {
        grille__error(err, GRILLE_ESYNTAX, name, 0, 0, "%s",
                      _("an empty file, not XML"));
        return NULL;
    }
    xml_handlers h;
    xml_quiet(&h);
    first_error first = {false, 0, ""};
    xmlSetStructuredErrorFunc(&first, (xmlStructuredErrorFunc)keep_first);
    xmlResetLastError();
    /* pushed a megabyte at a time: a project's XML of a hundred
     * megabytes takes seconds, and Ctrl-C is seen between the pieces.
     * Its first bytes go with the parser's start, which finds the
     * encoding there (a BOM, UTF-16). */
    xmlDoc *doc = NULL;
    bool stopped = false, failed = false;
    char *open = NULL; /* the element a file cut short ends inside */
    size_t head = len < 4 ? len : 4;
    xmlParserCtxt *ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, name);
    if (!ctxt || xmlCtxtResetPush(ctxt, data, (int)head, name,
                                  utf8 ? "UTF-8" : NULL) != 0) {
        if (ctxt)
            xmlFreeParserCtxt(ctxt);
        xml_restore(&h);
        grille__nomem(err);
        return NULL;
    }
    /* a text decoded already: its declaration (ISO-8859-1) is no longer
     * true */
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                (utf8 ? XML_PARSE_IGNORE_ENC : 0));
    /* a fatal error, or one that stops the parser short of it (a text
     * node past libxml2's 10 MB): not a namespace's error, which it goes
     * past (and xmlParseChunk returns) */
    const size_t piece = (size_t)1 << 20;
    for (size_t at = head; at < len && !stopped && !failed; at += piece) {
        size_t n = len - at < piece ? len - at : piece;
        stopped = grille__interrupted();
        if (!stopped) {
            xmlParseChunk(ctxt, data + at, (int)n, 0);
            failed = !ctxt->wellFormed || ctxt->disableSAX;
        }
    }
    if (!stopped && !failed) {
        if (ctxt->nameNr > 0 && ctxt->name)
            open = strdup((const char *)ctxt->name);
        xmlParseChunk(ctxt, NULL, 0, 1);
        failed = !ctxt->wellFormed || ctxt->disableSAX;
        if (failed && open) {
            /* libxml2's push parser says "Extra content at the end of
             * the document" of a file cut short */
            first.set = true;
            first.line = (unsigned)xmlSAX2GetLineNumber(ctxt);
            snprintf(first.message, sizeof(first.message),
                     _("the file ends inside <%s> (cut short?)"), open);
        }
    }
    free(open);
    doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    if (doc && (stopped || failed)) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    xml_restore(&h);
    if (stopped) {
        grille__interrupt(err, name);
        return NULL;
    }
    /* Entities are not substituted while parsing, but the functions that
     * read a text or an attribute later expand them, outside libxml2's
     * limits: one entity of 100 KB used 20,000 times made 6 GB of a file
     * of 538 bytes.  No tool writes a REFI-QDA file with a DTD that
     * declares entities: it is refused. */
    xmlDtd *dtd = doc ? doc->intSubset : NULL;
    if (dtd && ((dtd->entities && xmlHashSize(dtd->entities) > 0) ||
                (dtd->pentities && xmlHashSize(dtd->pentities) > 0))) {
        xmlFreeDoc(doc);
        grille__error(err, GRILLE_EINVALID, name, 0, 0, "%s",
                      _("the XML declares entities (<!ENTITY ...> in its "
                        "DOCTYPE), which no REFI-QDA file has: refused"));
        return NULL;
    }
    if (!doc) {
        const xmlError *x = xmlGetLastError();
        if (!first.set && x) {
            first.line = x->line > 0 ? (unsigned)x->line : 0;
            snprintf(first.message, sizeof(first.message), "%s",
                     x->message ? x->message : "");
        }
        grille__error(err, GRILLE_ESYNTAX, name, first.line, 0,
                      _("not well-formed XML: %s"),
                      first.message[0] ? first.message : "?");
        for (char *m = err->message; *m; m++)
            if (*m == '\n' || *m == '\r')
                *m = ' ';
        size_t ml = strlen(err->message);
        while (ml && err->message[ml - 1] == ' ')
            err->message[--ml] = 0;
    }
    return doc;
}

/* Strings to numbers, by hash: the codes taken, and the next suffix to
 * try for a key (a_2, a_3...), so that thousands of codes of one name take
 * linear time. */
typedef struct strmap {
    char **keys;
    size_t *vals;
    size_t cap, n; /* cap: a power of two, or 0 */
} strmap;

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

/* The value of key k, added (0) with `add`; NULL when absent, or out of
 * memory when adding. */
static size_t *strmap_at(strmap *m, const char *k, bool add)
{
    if (add && 2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        char **keys = calloc(cap, sizeof(*keys));
        size_t *vals = calloc(cap, sizeof(*vals));
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t j = str_hash(m->keys[i]) & (cap - 1);
            while (keys[j])
                j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    if (!m->cap)
        return NULL;
    size_t j = str_hash(k) & (m->cap - 1);
    for (; m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (strcmp(m->keys[j], k) == 0)
            return &m->vals[j];
    if (!add || !(m->keys[j] = strdup(k)))
        return NULL;
    m->vals[j] = 0;
    m->n++;
    return &m->vals[j];
}

static void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* A key unique in `taken` (and added to it): base, else base_N from the
 * next N tried for base (kept in `next`).  NULL when out of memory. */
static char *unique_key(strmap *taken, strmap *next, const char *base)
{
    size_t *n = strmap_at(next, base, true);
    if (!n)
        return NULL;
    size_t l = strlen(base) + 24;
    char *key = malloc(l);
    if (!key)
        return NULL;
    for (;;) {
        if (*n < 2) {
            *n = 2;
            snprintf(key, l, "%s", base);
        } else {
            snprintf(key, l, "%s_%zu", base, (*n)++);
        }
        if (!strmap_at(taken, key, false))
            break;
    }
    if (!strmap_at(taken, key, true)) {
        free(key);
        return NULL;
    }
    return key;
}

typedef struct imp_code {
    char *guid;
    int64_t id; /* in the project */
} imp_code;

/* A GUID as compared (guid_key) -> a name (users, variables); or, for
 * the holders of values, a source's GUID -> a node whose VariableValue
 * children are values of that source (a Case that refers to it, or the
 * TextSource itself).  Sorted by GUID, then order. */
typedef struct imp_pair {
    char *a;
    union {
        char *b;
        const xmlNode *n;
    };
    size_t order; /* of insertion: the first of equal GUIDs wins */
} imp_pair;

typedef struct importer {
    grille_store *s;
    sqlite3 *db;
    const char *path;   /* the .qdpx */
    const char *origin; /* its base name, the attributes' origin */
    zip_t *z;
    char user[37];      /* grille's own user GUID */
    imp_code *codes;
    size_t ncodes, ccap;
    imp_pair *users, *vars;
    imp_pair *holders;
    size_t nholders, hcap;
    size_t nsources;
    struct known_code *known;
    size_t nknown, kcap;
    strmap taken, next; /* the codes' ids; the next suffix of a key */
    zip_uint64_t read; /* bytes uncompressed so far */
    bool known_loaded;
    size_t nusers, ucap, nvars, vcap;
    grille_refi_import_stats *st;
    grille_error *err;
    int64_t *added; /* the documents its sources landed on */
    size_t nadded, addcap;
    /* the GUID each document of the project has as a source of grille's
     * exports, sorted: read when a source first needs it */
    struct own_source *own;
    size_t nown;
    bool own_loaded;
    /* the manual codings of the segments add_manual touched, "segment:
     * code:start:end:coder", and those segments: a coding imported
     * before is found by a hash, not by reading every coding of its
     * segment (20,000 in one paragraph took 11 s); the statements
     * prepared once for the import */
    strmap manual, manual_segs;
    sqlite3_stmt *m_seg, *m_load, *m_next, *m_ins;
    /* the segments of the document of the last manual coding, by start,
     * with the running maximum of their ends: the ones a coding overlaps
     * found by a binary search, not by reading them all for each (40,000
     * codings over as many paragraphs took 3.7 s) */
    int64_t seg_doc;
    struct man_seg {
        int64_t id;
        size_t start, end, reach;
    } *segs;
    size_t nsegs, segs_cap;
    /* the codings grille made in the archive on the source being read:
     * their number and the sum of their coding_mix, to tell whether the
     * project's codebook makes them again */
    size_t own_n;
    uint64_t own_sum;
} importer;

static bool is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* An attribute's value, "" when absent; free with xmlFree.  NULL only
 * when libxml2 is out of memory. */
static char *attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    return v ? (char *)v : (char *)xmlStrdup(BAD_CAST "");
}

/* A GUID as compared (malloc'd; NULL when out of memory): the schema
 * lets a tool write them in either case, with or without braces ({...}). */
static char *guid_key(const char *g)
{
    if (*g == '{')
        g++;
    size_t n = strcspn(g, "}");
    char *k = malloc(n + 1);
    if (!k)
        return NULL;
    for (size_t i = 0; i < n; i++)
        k[i] = g[i] >= 'A' && g[i] <= 'Z' ? (char)(g[i] + 32) : g[i];
    k[n] = '\0';
    return k;
}

/* Whether two GUIDs are the same (see guid_key). */
static bool guid_eq(const char *a, const char *b)
{
    if (*a == '{')
        a++;
    if (*b == '{')
        b++;
    for (; *a && *a != '}' && *b && *b != '}'; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return (!*a || *a == '}') && (!*b || *b == '}');
}

/* Adds GUID g -> name b; sort_pairs then makes them found by find_pair. */
static int add_pair(imp_pair **v, size_t *n, size_t *cap, const char *g,
                    const char *b)
{
    if (GROW(*v, *cap, *n + 1) < 0)
        return -1;
    imp_pair *p = &(*v)[*n];
    p->a = guid_key(g);
    p->b = strdup(b);
    p->order = *n;
    if (!p->a || !p->b) {
        free(p->a);
        free(p->b);
        return -1;
    }
    (*n)++;
    return 0;
}

static int by_pair_guid(const void *x, const void *y)
{
    const imp_pair *p = x, *q = y;
    int c = strcmp(p->a, q->a);
    return c ? c : (p->order > q->order) - (p->order < q->order);
}

static void sort_pairs(imp_pair *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), by_pair_guid);
}

/* The first of the sorted v[0, n) whose GUID (a key) is k: n when none. */
static size_t first_of(const imp_pair *v, size_t n, const char *k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(v[mid].a, k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The name paired with GUID a (users, variables), in sorted pairs, in
 * *out: the first given; NULL when none.  -1 when out of memory (a value
 * or a coder then lost unsaid was how it failed). */
static int find_pair(const imp_pair *v, size_t n, const char *a,
                     const char **out)
{
    *out = NULL;
    char small[128], *k = small;
    if (strlen(a) < sizeof(small)) { /* a GUID: no allocation */
        if (*a == '{')
            a++;
        size_t m = strcspn(a, "}");
        for (size_t i = 0; i < m; i++)
            small[i] = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        small[m] = '\0';
    } else if (!(k = guid_key(a))) {
        return -1;
    }
    size_t i = first_of(v, n, k);
    *out = i < n && strcmp(v[i].a, k) == 0 ? v[i].b : NULL;
    if (k != small)
        free(k);
    return 0;
}

/* Node n (a Case, a TextSource) holds values of the source whose GUID is
 * attribute `key` of node `ref`; -1 when out of memory.  A case of many
 * sources is kept once: its values are read for each source as it is
 * imported (a copy of each value per source was memory that grew as
 * their product). */
static int hold_values(importer *im, const xmlNode *n, const xmlNode *ref,
                       const char *key)
{
    if (!child(n, "VariableValue"))
        return 0;
    char *sg = attr(ref, key);
    char *k = sg ? guid_key(sg) : NULL;
    xmlFree(sg);
    if (!k || GROW(im->holders, im->hcap, im->nholders + 1) < 0) {
        free(k);
        return -1;
    }
    im->holders[im->nholders].a = k;
    im->holders[im->nholders].n = n;
    im->holders[im->nholders].order = im->nholders;
    im->nholders++;
    return 0;
}

static void free_pairs(imp_pair *v, size_t n);

/* An xs:integer's or xs:decimal's text in its canonical form, in place
 * ("+1200" is 1200, " 007 " 7, "3.50" 3.5, "-0" 0), as grille's exports
 * write such values and read them back as numbers (a "+1200" stayed
 * text, and the variable's type with it); a text that is no such number
 * ("douze") is left as it is. */
static xmlChar *canon_number(xmlChar *xv, bool integer)
{
    char *v = (char *)xv, *p = v;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-')
        p++;
    size_t n = strspn(p, "0123456789"), f = 0;
    if (!integer && p[n] == '.')
        f = strspn(p + n + 1, "0123456789");
    const char *tail = p + n + (f || (!integer && p[n] == '.') ? 1 + f : 0);
    tail += strspn(tail, " \t\n\r");
    if ((!n && !f) || *tail)
        return xv; /* not a number: as it is */
    char *d = p;
    while (n > 1 && *d == '0') { /* leading zeros, one kept before '.' */
        d++;
        n--;
    }
    while (f && d[n + f] == '0') /* trailing zeros of the fraction */
        f--;
    bool zero = strspn(d, "0") >= n && f == 0;
    /* written aside: ".5" grows by its 0 */
    char *out = malloc(n + f + 4);
    if (!out)
        return xv; /* as it is */
    size_t o = 0;
    if (neg && !zero)
        out[o++] = '-';
    if (n) {
        memcpy(out + o, d, n);
        o += n;
    } else {
        out[o++] = '0'; /* ".5" is 0.5 */
    }
    if (f) {
        out[o++] = '.';
        memcpy(out + o, d + n + 1, f);
        o += f;
    }
    out[o] = '\0';
    xmlChar *c = xmlStrdup(BAD_CAST out);
    free(out);
    if (!c)
        return xv;
    xmlFree(xv);
    return c;
}

/* A GUID of the archive and the element that has it, for the check that
 * no two elements share one. */
typedef struct guid_at {
    char *key; /* guid_key's */
    const xmlNode *n;
} guid_at;

static int by_guid_at(const void *x, const void *y)
{
    const guid_at *p = x, *q = y;
    int c = strcmp(p->key, q->key);
    if (c)
        return c;
    long a = xmlGetLineNo(p->n), b = xmlGetLineNo(q->n);
    return (a > b) - (a < b);
}

static int collect_guids(const xmlNode *n, guid_at **v, size_t *len,
                         size_t *cap)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *g = xmlGetProp(n, BAD_CAST "guid");
        if (g) {
            char *k = guid_key((const char *)g);
            xmlFree(g);
            if (!k || GROW(*v, *cap, *len + 1) < 0) {
                free(k);
                return -1;
            }
            (*v)[(*len)++] = (guid_at){k, n};
        }
        if (collect_guids(n->children, v, len, cap) < 0)
            return -1;
    }
    return 0;
}

/* GRILLE_EINVALID, naming both, when two elements of the document share
 * a GUID (two users, two sources, a code and a source): a GUID names one
 * element, and which of the two a reference meant cannot be told (the
 * first was taken, unsaid). */
static int unique_guids(const xmlNode *root, const char *file,
                        grille_error *err)
{
    guid_at *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (collect_guids(root, &v, &n, &cap) < 0)
        rc = grille__nomem(err);
    if (rc == 0 && n > 1)
        qsort(v, n, sizeof(*v), by_guid_at);
    for (size_t i = 1; rc == 0 && i < n; i++)
        if (strcmp(v[i - 1].key, v[i].key) == 0)
            rc = grille__error(
                err, GRILLE_EINVALID, file, (unsigned)xmlGetLineNo(v[i].n), 0,
                _("GUID '%s' is given to two elements, <%s> on line %ld and "
                  "<%s> on line %ld: a GUID names one element (the tool "
                  "that wrote the file must give each its own); nothing "
                  "imported"),
                v[i].key, (const char *)v[i - 1].n->name,
                xmlGetLineNo(v[i - 1].n), (const char *)v[i].n->name,
                xmlGetLineNo(v[i].n));
    for (size_t i = 0; i < n; i++)
        free(v[i].key);
    free(v);
    return rc;
}

/* Counts in im->st the references of cases and values to nothing in the
 * archive (a SourceRef to no source, a VariableRef to no variable), whose
 * values were left out unsaid. */
static int unknown_refs(importer *im, const xmlNode *root)
{
    imp_pair *srcs = NULL;
    size_t ns = 0, cap = 0;
    for (xmlNode *src = child(root, "Sources"); src; src = NULL)
        for (xmlNode *o = src->children; o; o = o->next)
            if (o->type == XML_ELEMENT_NODE) {
                char *g = attr(o, "guid");
                int r = add_pair(&srcs, &ns, &cap, g, "");
                xmlFree(g);
                if (r < 0) {
                    free_pairs(srcs, ns);
                    return grille__nomem(im->err);
                }
            }
    sort_pairs(srcs, ns);
    grille_refi_import_stats *st = im->st;
    for (int pass = 0; pass < 2; pass++) {
        /* the cases, then the sources' own values */
        const xmlNode *list = pass == 0 ? child(root, "Cases")
                                        : child(root, "Sources");
        for (const xmlNode *c = list ? list->children : NULL; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            for (const xmlNode *e = c->children; e; e = e->next) {
                const xmlNode *ref = NULL;
                bool source = false;
                if (pass == 0 && is(e, "SourceRef")) {
                    ref = e;
                    source = true;
                } else if (is(e, "VariableValue")) {
                    ref = child(e, "VariableRef");
                }
                if (!ref)
                    continue;
                char *g = attr(ref, "targetGUID");
                const char *found;
                if (!g || find_pair(source ? srcs : im->vars,
                                    source ? ns : im->nvars, g, &found) < 0) {
                    xmlFree(g);
                    free_pairs(srcs, ns);
                    return grille__nomem(im->err);
                }
                if (!found) {
                    if (!st->unknown_refs++) {
                        char *name = attr(c, "name");
                        snprintf(st->first_unknown_ref,
                                 sizeof(st->first_unknown_ref),
                                 source ? _("line %ld, <%s> '%s': its "
                                            "SourceRef '%s' names no source")
                                        : _("line %ld, <%s> '%s': its "
                                            "VariableRef '%s' names no "
                                            "variable"),
                                 xmlGetLineNo((xmlNode *)ref),
                                 (const char *)c->name, name, g);
                        xmlFree(name);
                    }
                }
                xmlFree(g);
            }
        }
    }
    free_pairs(srcs, ns);
    return 0;
}

static void free_pairs(imp_pair *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].a);
        free(v[i].b);
    }
    free(v);
}

/* Folded (lowercase, no accents) copy of s; NULL when out of memory. */
static char *folded(const char *s)
{
    gbuf b = {0};
    if (grille__fold(&b, s, strlen(s)) < 0 || gbuf_putc(&b, 0) < 0) {
        gbuf_free(&b);
        return NULL;
    }
    return b.data;
}

/* The id of a code from its name: folded (lowercase, no accents),
 * letters and digits kept, every run of anything else one '_', 64 bytes at
 * most; "code" when nothing is left. */
static char *code_key(const char *name)
{
    char *f = folded(name);
    if (!f)
        return NULL;
    size_t len = strlen(f), o = 0;
    bool sep = true;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = utf8_get(f, len, i, &n);
        bool ok = grille__is_letter(cp) || (cp >= '0' && cp <= '9');
        if (ok && o + n > 64)
            break;
        if (ok) {
            memmove(f + o, f + i, n);
            o += n;
        } else if (!sep) {
            f[o++] = '_';
        }
        sep = !ok;
        i += n;
    }
    while (o && f[o - 1] == '_')
        o--;
    f[o] = 0;
    if (!o) {
        free(f);
        return strdup("code");
    }
    return f;
}

/* The project's codes, loaded once per import, with their folded label
 * and last id part: matching a name is then a scan in memory. */
typedef struct known_code {
    int64_t id, parent;
    int depth;
    char *code, *flabel, *flast;
    bool made; /* by this import: its id was made from its name, and
                * another code's name may look like it (Projet, Projet !,
                * projet_2) */
} known_code;

static void known_free(importer *im)
{
    for (size_t i = 0; i < im->nknown; i++) {
        free(im->known[i].code);
        free(im->known[i].flabel);
        free(im->known[i].flast);
    }
    free(im->known);
    strmap_free(&im->taken);
    strmap_free(&im->next);
    strmap_free(&im->manual);
    strmap_free(&im->manual_segs);
    free(im->segs);
    im->segs = NULL;
    im->nsegs = im->segs_cap = 0;
    sqlite3_finalize(im->m_seg);
    sqlite3_finalize(im->m_load);
    sqlite3_finalize(im->m_next);
    sqlite3_finalize(im->m_ins);
    im->m_seg = im->m_load = im->m_next = im->m_ins = NULL;
}

static int known_add(importer *im, int64_t id, int64_t parent, int depth,
                     const char *code, const char *label)
{
    if (GROW(im->known, im->kcap, im->nknown + 1) < 0)
        return -1;
    known_code *k = &im->known[im->nknown];
    const char *last = strrchr(code, '/');
    k->id = id;
    k->parent = parent;
    k->depth = depth;
    k->made = false;
    k->code = strdup(code);
    k->flabel = folded(label);
    k->flast = folded(last ? last + 1 : code);
    if (!k->code || !k->flabel || !k->flast ||
        !strmap_at(&im->taken, code, true)) {
        free(k->code);
        free(k->flabel);
        free(k->flast);
        return -1;
    }
    im->nknown++;
    return 0;
}

static int load_known(importer *im)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(im->db,
                           "SELECT id, coalesce(parent, -1), depth, code, "
                           "label, in_codebook FROM codes ORDER BY position "
                           "IS NULL, position, code",
                           -1, &q, NULL) != SQLITE_OK)
        return grille_store__error(im->s, im->err, sqlite3_errcode(im->db),
                                   "read the codes");
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        if (known_add(im, sqlite3_column_int64(q, 0),
                      sqlite3_column_int64(q, 1), sqlite3_column_int(q, 2),
                      (const char *)sqlite3_column_text(q, 3),
                      (const char *)sqlite3_column_text(q, 4)) < 0) {
            sqlite3_finalize(q);
            return grille__nomem(im->err);
        }
        /* a code an import made (or one the codebook no longer has):
         * its id may have been made from another code's name */
        im->known[im->nknown - 1].made = sqlite3_column_int(q, 5) == 0;
    }
    sqlite3_finalize(q);
    if (r != SQLITE_DONE)
        return grille_store__error(im->s, im->err, r, "read the codes");
    im->known_loaded = true;
    return 0;
}

/* The project's code under `parent` (-1: a theme) whose label, or last id
 * part, is `name` (ignoring case and accents); else a new code, kept by
 * manual codings only.  *id receives it. */
static int map_code(importer *im, int64_t parent, const char *name,
                    const char *description, const char *color, int64_t *id)
{
    int rc = 0;
    if (!im->known_loaded && (rc = load_known(im)) < 0)
        return rc;
    char *want = folded(name);
    if (!want)
        return grille__nomem(im->err);
    *id = -1;
    const known_code *up = NULL;
    int64_t by_id = -1;
    /* by label first, then by the last part of an id of the codebook's
     * (not one an import made from another code's name) */
    for (size_t i = 0; i < im->nknown; i++) {
        const known_code *k = &im->known[i];
        if (k->id == parent)
            up = k;
        if (k->parent != parent)
            continue;
        if (*id < 0 && strcmp(k->flabel, want) == 0)
            *id = k->id;
        if (by_id < 0 && !k->made && strcmp(k->flast, want) == 0)
            by_id = k->id;
    }
    if (*id < 0)
        *id = by_id;
    if (*id >= 0) {
        free(want);
        return 0;
    }
    /* a new code: its id is the parent's plus a key made of its name */
    gbuf code = {0};
    sqlite3_stmt *q = NULL;
    char *key = code_key(name), *id_text = NULL;
    if (!key || (up && (gbuf_puts(&code, up->code) < 0 ||
                        gbuf_putc(&code, '/') < 0)) ||
        gbuf_puts(&code, key) < 0 || gbuf_putc(&code, 0) < 0 ||
        !(id_text = unique_key(&im->taken, &im->next, code.data))) {
        free(key);
        goto nomem;
    }
    free(key);
    code.len = 0;
    if (gbuf_puts(&code, id_text) < 0 || gbuf_putc(&code, 0) < 0) {
        free(id_text);
        goto nomem;
    }
    free(id_text);
    if (sqlite3_prepare_v2(im->db,
                           "INSERT INTO codes (code, label, description, "
                           "color, parent, depth, position, in_codebook) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, 0)",
                           -1, &q, NULL) != SQLITE_OK)
        goto sqlfail;
    int depth = up ? up->depth + 1 : 0;
    sqlite3_bind_text(q, 1, code.data, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, description, -1, SQLITE_STATIC);
    char hex[8];
    sqlite3_bind_text(q, 4, color_of(color, hex), -1, SQLITE_STATIC);
    if (parent >= 0)
        sqlite3_bind_int64(q, 5, parent);
    sqlite3_bind_int(q, 6, depth);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto sqlfail;
    *id = sqlite3_last_insert_rowid(im->db);
    im->st->codes_created++;
    if (known_add(im, *id, parent, depth, code.data, name) < 0)
        goto nomem;
    im->known[im->nknown - 1].made = true;
    goto done;
nomem:
    rc = grille__nomem(im->err);
    goto done;
sqlfail:
    rc = grille_store__error(im->s, im->err, sqlite3_errcode(im->db),
                             "import the codes");
done:
    sqlite3_finalize(q);
    gbuf_free(&code);
    free(want);
    return rc;
}

static int import_codes(importer *im, const xmlNode *codes, int64_t parent,
                        int depth)
{
    if (depth > 64)
        return grille__error(im->err, GRILLE_ELIMIT, im->path, 0, 0, "%s",
                             _("codes nested more than 64 deep"));
    for (xmlNode *c = codes ? codes->children : NULL; c; c = c->next) {
        if (!is(c, "Code"))
            continue;
        char *g = attr(c, "guid"), *name = attr(c, "name"),
             *color = attr(c, "color");
        xmlNode *d = child(c, "Description");
        xmlChar *desc = d ? xmlNodeGetContent(d) : NULL;
        int64_t id = -1;
        int rc = map_code(im, parent, name[0] ? name : g,
                          desc ? (const char *)desc : "", color, &id);
        if (rc == 0) {
            if (GROW(im->codes, im->ccap, im->ncodes + 1) < 0 ||
                !(im->codes[im->ncodes].guid = strdup(g)))
                rc = grille__nomem(im->err);
            else
                im->codes[im->ncodes++].id = id;
        }
        xmlFree(g);
        xmlFree(name);
        xmlFree(color);
        xmlFree(desc);
        if (rc < 0 || (rc = import_codes(im, c, id, depth + 1)) < 0)
            return rc;
    }
    return 0;
}

/* The whole entry `ix` of the ZIP, NUL-terminated; NULL on an error. */
static char *zip_read_all(importer *im, zip_int64_t ix, size_t *len)
{
    zip_stat_t st;
    if (zip_stat_index(im->z, (zip_uint64_t)ix, 0, &st) < 0 ||
        !(st.valid & ZIP_STAT_SIZE) || st.size > (zip_uint64_t)1 << 30) {
        grille__error(im->err, GRILLE_ELIMIT, im->path, 0, 0,
                      _("%s: too large or unreadable"), zip_get_name(im->z, (zip_uint64_t)ix, 0));
        return NULL;
    }
    /* a zip bomb: text compresses a few times, not a hundred */
    if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > ((zip_uint64_t)64 << 20) &&
        st.size / (st.comp_size ? st.comp_size : 1) > 100) {
        grille__error(im->err, GRILLE_ELIMIT, im->path, 0, 0,
                      _("%s: %llu bytes compressed a hundred times or more; "
                        "refused as a zip bomb"),
                      zip_get_name(im->z, (zip_uint64_t)ix, 0),
                      (unsigned long long)st.size);
        return NULL;
    }
    if (st.size > ((zip_uint64_t)2 << 30) - im->read) {
        grille__error(im->err, GRILLE_ELIMIT, im->path, 0, 0, "%s",
                      _("more than 2 GiB of text once uncompressed"));
        return NULL;
    }
    im->read += st.size;
    zip_file_t *f = zip_fopen_index(im->z, (zip_uint64_t)ix, 0);
    char *b = f ? malloc(st.size + 1) : NULL;
    char extra;
    /* 4 MB at a time, Ctrl-C looked at between them: a project's XML of
     * a hundred megabytes takes a second to inflate */
    zip_uint64_t got = 0;
    bool stopped = false;
    while (b && got < st.size && !(stopped = grille__interrupted())) {
        zip_uint64_t want = st.size - got < ((zip_uint64_t)4 << 20)
                                ? st.size - got
                                : (zip_uint64_t)4 << 20;
        zip_int64_t n = zip_fread(f, b + got, want);
        if (n <= 0)
            break;
        got += (zip_uint64_t)n;
    }
    if (stopped) {
        grille__interrupt(im->err, im->path);
        free(b);
        zip_fclose(f);
        return NULL;
    }
    /* reading past the end is what makes libzip check the CRC */
    if (!b || got != st.size || zip_fread(f, &extra, 1) != 0) {
        /* a read that came short (or long) without an error: the sizes
         * the archive gives do not match its data ("No error") */
        bool sized = b && f && zip_error_code_zip(zip_file_get_error(f)) ==
                                   ZIP_ER_OK;
        grille__error(im->err, b ? GRILLE_EIO : GRILLE_ENOMEM, im->path, 0,
                      0, _("cannot read %s: %s"),
                      zip_get_name(im->z, (zip_uint64_t)ix, 0),
                      sized ? _("its data is not the size the archive "
                                "says (a damaged archive)")
                      : f   ? zip_file_strerror(f)
                            : zip_strerror(im->z));
        free(b);
        b = NULL;
    } else {
        b[st.size] = 0;
        *len = (size_t)st.size;
    }
    if (f)
        zip_fclose(f);
    return b;
}

/* The entry "sources/<file>" in any case of the folder's name. */
static zip_int64_t find_source(importer *im, const char *file)
{
    zip_int64_t n = zip_get_num_entries(im->z, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *e = zip_get_name(im->z, (zip_uint64_t)i, 0);
        if (e && strncasecmp(e, "sources/", 8) == 0 &&
            strcmp(e + 8, file) == 0)
            return i;
    }
    return -1;
}

/* Byte offset in `t` of code point `cp` of its text with LF line ends (a
 * CR before LF does not count); (size_t)-1 beyond the end. */
/* Whether byte i of t counts as no position of its own: a continuation
 * byte, or the CR of a CRLF (REFI-QDA counts a line end as one). */
static bool cp_skip(const char *t, size_t len, size_t i)
{
    return ((unsigned char)t[i] & 0xC0) == 0x80 ||
           (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n');
}

/* The byte offset of every CP_STEP-th position of a text, made once per
 * source: each selection is then found from the last one before it, not
 * from the start (a transcript of a megabyte and thousands of
 * selections took minutes). */
enum { CP_STEP = 64 };
typedef struct cp_index {
    size_t *at;     /* at[k]: the byte of position k * CP_STEP */
    size_t n, total; /* checkpoints; positions in all */
} cp_index;

static int cp_index_build(cp_index *x, const char *t, size_t len)
{
    size_t c = 0, cap = len / CP_STEP + 2;
    x->at = malloc(cap * sizeof(*x->at));
    if (!x->at)
        return GRILLE_ENOMEM;
    x->n = 0;
    for (size_t i = 0; i < len; i++) {
        if (cp_skip(t, len, i))
            continue;
        if (c % CP_STEP == 0)
            x->at[x->n++] = i;
        c++;
    }
    x->total = c;
    return 0;
}

/* Whether document name `have` is `name`, or `name (N)`: the name an
 * import gives the second source of a name in its archive. */
static bool same_name(const char *have, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(have, name, n) != 0)
        return false;
    have += n;
    if (!*have)
        return true;
    if (have[0] != ' ' || have[1] != '(' || !(have[2] >= '0' && have[2] <= '9'))
        return false;
    have += 2;
    while (*have >= '0' && *have <= '9')
        have++;
    return have[0] == ')' && !have[1];
}

/* The value of a selection's position, an xsd:integer as the schema
 * allows it: decimal digits after an optional '+', between XML white
 * space (the type collapses it: " 8 " is 8).  A value of more digits than
 * a size_t holds is SIZE_MAX, past the end of any text.  False for an
 * empty value, a sign '-' (no position is negative) or any other
 * character: strtoull took a '-' (a wrapped, huge value) and white space
 * before the digits, not after them. */
static bool position(const char *s, size_t *out)
{
    static const char xml_space[] = " \t\r\n";
    s += strspn(s, xml_space);
    if (*s == '+')
        s++;
    size_t n = strspn(s, "0123456789");
    if (!n || s[n + strspn(s + n, xml_space)])
        return false;
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = (size_t)(s[i] - '0');
        v = v > (SIZE_MAX - d) / 10 ? SIZE_MAX : v * 10 + d;
    }
    *out = v;
    return true;
}

/* The byte where position cp starts (len at the end), or SIZE_MAX past
 * it. */
static size_t cp_to_byte(const cp_index *x, const char *t, size_t len,
                         size_t cp)
{
    if (cp > x->total)
        return (size_t)-1;
    if (cp == x->total)
        return len;
    size_t k = cp / CP_STEP, c = k * CP_STEP;
    for (size_t i = x->at[k]; i < len; i++) {
        if (cp_skip(t, len, i))
            continue;
        if (c == cp) /* a CRLF line end starts at its CR */
            return t[i] == '\n' && i > 0 && t[i - 1] == '\r' ? i - 1 : i;
        c++;
    }
    return (size_t)-1; /* not reached: cp < total */
}

/* One manual coding [b0, b1) of code `code` in document `doc`, cut at the
 * segments it overlaps; an identical one already there is not repeated. */
/* The key of a manual coding in importer.manual, the coder's name
 * whole however long (malloc'd; NULL when out of memory). */
static char *manual_key(int64_t sid, int64_t code, size_t c0, size_t c1,
                        const char *coder)
{
    char *k = NULL;
    if (asprintf(&k, "%lld:%lld:%zu:%zu:%s", (long long)sid,
                 (long long)code, c0, c1, coder ? coder : "") < 0)
        return NULL;
    return k;
}

/* The manual codings of segment sid, read into im->manual once. */
static int manual_load(importer *im, int64_t sid)
{
    char k[32];
    snprintf(k, sizeof(k), "%lld", (long long)sid);
    if (strmap_at(&im->manual_segs, k, false))
        return 0;
    if (!strmap_at(&im->manual_segs, k, true))
        return GRILLE_ENOMEM;
    sqlite3_reset(im->m_load);
    sqlite3_bind_int64(im->m_load, 1, sid);
    int r;
    while ((r = sqlite3_step(im->m_load)) == SQLITE_ROW) {
        char *key =
            manual_key(sid, sqlite3_column_int64(im->m_load, 0),
                       (size_t)sqlite3_column_int64(im->m_load, 1),
                       (size_t)sqlite3_column_int64(im->m_load, 2),
                       (const char *)sqlite3_column_text(im->m_load, 3));
        bool ok = key && strmap_at(&im->manual, key, true);
        free(key);
        if (!ok)
            return GRILLE_ENOMEM;
    }
    return r == SQLITE_DONE ? 0 : GRILLE_ESTORE;
}

static int add_manual(importer *im, int64_t doc, const char *text,
                      size_t b0, size_t b1, int64_t code, const char *coder)
{
    int rc = 0;
    size_t added = 0, present = 0;
    if (!im->m_seg &&
        (sqlite3_prepare_v2(im->db,
                            "SELECT id, start, \"end\" FROM segments WHERE "
                            "document = ?1 ORDER BY start, idx",
                            -1, &im->m_seg, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(im->db,
                            "SELECT code, start, \"end\", coder FROM "
                            "codings WHERE "
                            SQL_SEGMENT_CODINGS("codings.", "?1")
                            " AND origin = 'manual'",
                            -1, &im->m_load, NULL) != SQLITE_OK ||
         /* the segment's next id (CODING_SHIFT); past the last, refused
          * below (grille's connections do not test the schema's CHECK) */
         sqlite3_prepare_v2(im->db,
                            "SELECT coalesce(max(id) + 1, ?1 << 28) FROM "
                            "codings WHERE "
                            SQL_SEGMENT_CODINGS("codings.", "?1"),
                            -1, &im->m_next, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(im->db,
                            "INSERT INTO codings (id, segment, code, start, "
                            "\"end\", term, rule, origin, coder) VALUES (?7, "
                            "?1, ?2, ?3, ?4, ?5, 'REFI-QDA', 'manual', ?6)",
                            -1, &im->m_ins, NULL) != SQLITE_OK))
        goto sqlfail;
    sqlite3_stmt *seg = im->m_seg, *next = im->m_next, *ins = im->m_ins;
    if (!im->segs || im->seg_doc != doc) {
        sqlite3_reset(seg);
        sqlite3_bind_int64(seg, 1, doc);
        im->nsegs = 0;
        int sr;
        while ((sr = sqlite3_step(seg)) == SQLITE_ROW) {
            if (GROW(im->segs, im->segs_cap, im->nsegs + 1) < 0) {
                rc = grille__nomem(im->err);
                goto done;
            }
            struct man_seg *g = &im->segs[im->nsegs];
            g->id = sqlite3_column_int64(seg, 0);
            g->start = (size_t)sqlite3_column_int64(seg, 1);
            g->end = (size_t)sqlite3_column_int64(seg, 2);
            g->reach = im->nsegs && im->segs[im->nsegs - 1].reach > g->end
                           ? im->segs[im->nsegs - 1].reach
                           : g->end;
            im->nsegs++;
        }
        if (sr != SQLITE_DONE)
            goto sqlfail;
        if (!im->segs && GROW(im->segs, im->segs_cap, 1) < 0) {
            rc = grille__nomem(im->err);
            goto done;
        }
        im->seg_doc = doc;
    }
    const char *who = coder && *coder ? coder : NULL;
    /* the first segment that reaches past b0; then each that starts
     * before b1 and ends past b0, by start */
    size_t lo = 0, hi = im->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->segs[mid].reach > b0)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (size_t g = lo; g < im->nsegs && im->segs[g].start < b1; g++) {
        if (im->segs[g].end <= b0)
            continue;
        int64_t sid = im->segs[g].id;
        size_t s0 = im->segs[g].start, s1 = im->segs[g].end;
        size_t c0 = b0 > s0 ? b0 : s0, c1 = b1 < s1 ? b1 : s1;
        if ((rc = manual_load(im, sid)) < 0) {
            if (rc == GRILLE_ENOMEM) {
                rc = grille__nomem(im->err);
                goto done;
            }
            goto sqlfail;
        }
        /* the same span and code by another coder is another coding (two
         * coders to compare), by the same one a coding imported before;
         * before 2026-11-29 a position at a CRLF line end was its LF: a
         * coding imported then is the same one, a byte further */
        size_t a0[2] = {c0, c0 + (text[c0] == '\r')};
        size_t a1[2] = {c1, c1 + (text[c1] == '\r')};
        bool seen = false;
        for (int x = 0; x < 2 && !seen; x++)
            for (int y = 0; y < 2 && !seen; y++) {
                char *key = manual_key(sid, code, a0[x], a1[y], who);
                if (!key) {
                    rc = grille__nomem(im->err);
                    goto done;
                }
                seen = strmap_at(&im->manual, key, false) != NULL;
                free(key);
            }
        if (seen) {
            present++; /* imported before: not counted again */
            continue;
        }
        sqlite3_reset(next);
        sqlite3_bind_int64(next, 1, sid);
        if (sqlite3_step(next) != SQLITE_ROW)
            goto sqlfail;
        int64_t id = sqlite3_column_int64(next, 0);
        sqlite3_reset(next);
        if (id >> CODING_SHIFT != sid) { /* the segment's numbers used up */
            rc = grille_store__error(im->s, im->err, LIMIT_CODINGS,
                                     "import a coding");
            goto done;
        }
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 7, id);
        sqlite3_bind_int64(ins, 1, sid);
        sqlite3_bind_int64(ins, 2, code);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)c0);
        sqlite3_bind_int64(ins, 4, (sqlite3_int64)c1);
        sqlite3_bind_text(ins, 5, text + c0, (int)(c1 - c0), SQLITE_STATIC);
        if (who)
            sqlite3_bind_text(ins, 6, who, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 6);
        if (sqlite3_step(ins) != SQLITE_DONE)
            goto sqlfail;
        char *key = manual_key(sid, code, c0, c1, who);
        bool kept = key && strmap_at(&im->manual, key, true);
        free(key);
        if (!kept) {
            rc = grille__nomem(im->err);
            goto done;
        }
        if ((rc = grille_store__term_added(im->s, code, text + c0, c1 - c0,
                                           sid, id, im->err)) < 0)
            goto done;
        added++;
    }
    if (added)
        im->st->codings++;
    else if (!present)
        rc = 1; /* in no segment: the caller counts it and says why */
    goto done;
sqlfail:
    rc = grille_store__error(im->s, im->err, sqlite3_errcode(im->db),
                             "import a coding");
done:
    if (im->m_seg)
        sqlite3_reset(im->m_seg);
    if (im->m_ins)
        sqlite3_clear_bindings(im->m_ins); /* no text of `text` kept */
    return rc;
}

typedef struct own_source {
    char guid[37];
    int64_t id;
} own_source;

static int by_own_guid(const void *a, const void *b)
{
    return strcmp(((const own_source *)a)->guid,
                  ((const own_source *)b)->guid);
}

/* The document of the project that grille's export gave source GUID g
 * (0: none; -1: out of memory or a read error, said in im->err).  Its
 * own export's names may not come back as they were (a tab is a space
 * in XML, a byte that is not UTF-8 is U+FFFD), its GUIDs do. */
static int64_t own_source_doc(importer *im, const char *g)
{
    if (!im->own_loaded) {
        sqlite3_stmt *q = NULL;
        size_t cap = 0;
        int rc = sqlite3_prepare_v2(im->db,
                                    "SELECT id, sha256 FROM documents", -1,
                                    &q, NULL);
        while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (GROW(im->own, cap, im->nown + 1) < 0) {
                sqlite3_finalize(q);
                grille__nomem(im->err);
                return -1;
            }
            own_source *o = &im->own[im->nown++];
            o->id = sqlite3_column_int64(q, 0);
            guid(o->guid, "source", (const char *)sqlite3_column_text(q, 1));
            rc = SQLITE_OK;
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            grille_store__error(im->s, im->err, rc, "read the documents");
            return -1;
        }
        if (im->nown > 1)
            qsort(im->own, im->nown, sizeof(*im->own), by_own_guid);
        im->own_loaded = true;
    }
    own_source key = {{0}, 0};
    const char *p = g + (*g == '{');
    size_t n = 0;
    for (; n < 36 && p[n] && p[n] != '}'; n++)
        key.guid[n] = p[n] >= 'A' && p[n] <= 'Z' ? (char)(p[n] + 32) : p[n];
    if (n != 36)
        return 0;
    const own_source *o =
        im->nown ? bsearch(&key, im->own, im->nown, sizeof(*im->own),
                           by_own_guid)
                 : NULL;
    return o ? o->id : 0;
}

/* A value one source was given, as stored (key, value), with the
 * variable that gave it and whether the source gave it itself. */
typedef struct given {
    char *key, *value;
    const char *var;
    bool mine; /* the source's own, not one of its cases' */
} given;

/* Disagreeing values kept together at most (then "…"): a source in
 * thousands of cases made an attribute of 170 KB. */
enum { MAX_JOINED = 8 };

/* Values by key, then in the order of the file (their place in one
 * array). */
static int by_key_then_order(const void *pa, const void *pb)
{
    const given *x = *(const given *const *)pa, *y = *(const given *const *)pb;
    int c = strcmp(x->key, y->key);
    return c ? c : (x > y) - (x < y);
}

/* A key given blank values only (`e`, the first): stored with no value
 * when document id has none of that key, as add stores "role:" alone;
 * *q, prepared on first use, finalized by the caller. */
static int blank_attr(importer *im, sqlite3_stmt **q, int64_t id,
                      const given *e)
{
    if (!*q && sqlite3_prepare_v2(im->db,
                                  "SELECT 1 FROM attributes WHERE "
                                  "document = ?1 AND key = ?2",
                                  -1, q, NULL) != SQLITE_OK)
        return grille_store__error(im->s, im->err, sqlite3_errcode(im->db),
                                   "import the attributes");
    sqlite3_bind_int64(*q, 1, id);
    sqlite3_bind_text(*q, 2, e->key, -1, SQLITE_STATIC);
    bool has = sqlite3_step(*q) == SQLITE_ROW;
    sqlite3_reset(*q);
    if (has)
        return 0;
    int rc = grille_store_set_attr(im->s, id, e->var, "", im->origin,
                                   im->err);
    if (rc == 0)
        im->st->attributes++;
    return rc;
}

/*
 * The values the cases of a source (and the source itself) give it,
 * settled key by key before anything is written: the source's own
 * values stand over its cases'; values that disagree at one level (a
 * focus group in the cases of its participants, P1 femme and P2 homme;
 * variables 'Région' and 'region') are kept together, "femme / homme",
 * in the order of the file, rather than the last one only.  A value the
 * document has already keeps its origin; an empty or blank one is none.
 */
static int source_values(importer *im, const char *g, int64_t id)
{
    char *k = guid_key(g);
    if (!k)
        return grille__nomem(im->err);
    size_t h = first_of(im->holders, im->nholders, k);
    sqlite3_stmt *q = NULL, *q0 = NULL;
    given *gv = NULL;
    size_t ngv = 0, gvcap = 0;
    gbuf joined = {0};
    int rc = 0;
    for (; rc == 0 && h < im->nholders && strcmp(im->holders[h].a, k) == 0;
         h++) {
        bool mine = is(im->holders[h].n, "TextSource");
        for (xmlNode *vv = im->holders[h].n->children; vv && rc == 0;
             vv = vv->next) {
            if (!is(vv, "VariableValue"))
                continue;
            xmlNode *vr = child(vv, "VariableRef");
            char *vg = vr ? attr(vr, "targetGUID") : NULL;
            const char *name = NULL;
            if ((vr && !vg) ||
                (vg && find_pair(im->vars, im->nvars, vg, &name) < 0))
                rc = grille__nomem(im->err);
            xmlChar *val = NULL;
            for (xmlNode *e = vv->children; e && !val; e = e->next)
                if (e->type == XML_ELEMENT_NODE && !is(e, "VariableRef")) {
                    val = xmlNodeGetContent(e);
                    if (val && (is(e, "IntegerValue") || is(e, "FloatValue")))
                        val = canon_number(val, is(e, "IntegerValue"));
                }
            if (name && *name && val) {
                char *ck = grille_attr_key(name);
                char *cv = ck ? grille__attr_clean((const char *)val) : NULL;
                if (!ck || !cv || GROW(gv, gvcap, ngv + 1) < 0) {
                    free(ck);
                    free(cv);
                    rc = grille__nomem(im->err);
                } else if (!*ck) {
                    /* a variable named with spaces only */
                    free(ck);
                    free(cv);
                } else {
                    /* a blank value is kept too, as add keeps "role:"
                     * with nothing after it: set below only when the
                     * document has no value of that key */
                    gv[ngv++] = (given){ck, cv, name, mine};
                }
            }
            xmlFree(vg);
            xmlFree(val);
        }
    }
    if (rc == 0 && ngv &&
        sqlite3_prepare_v2(im->db,
                           "SELECT 1 FROM attributes WHERE document = ?1 "
                           "AND key = ?2 AND value = ?3",
                           -1, &q, NULL) != SQLITE_OK)
        rc = grille_store__error(im->s, im->err, sqlite3_errcode(im->db),
                                 "import the attributes");
    /* key by key, each key's values in the order of the file */
    given **by = rc == 0 && ngv ? malloc(ngv * sizeof(*by)) : NULL;
    if (rc == 0 && ngv && !by)
        rc = grille__nomem(im->err);
    for (size_t x = 0; by && x < ngv; x++)
        by[x] = &gv[x];
    if (by)
        qsort(by, ngv, sizeof(*by), by_key_then_order);
    for (size_t a = 0, b; rc == 0 && a < ngv; a = b) {
        bool mine = false, any = false;
        for (b = a; b < ngv && strcmp(by[b]->key, by[a]->key) == 0; b++) {
            any |= *by[b]->value != 0;
            mine |= *by[b]->value && by[b]->mine;
        }
        if (!any) {
            /* only blank values: the key with no value, unless the
             * document has one (a blank never wipes a value) */
            rc = blank_attr(im, &q0, id, by[a]);
            continue;
        }
        /* the values of the level that stands, each once (told apart as
         * words are: Bretagne and bretagne are one), the first
         * MAX_JOINED of them */
        char *kept[MAX_JOINED]; /* folded */
        size_t nkept = 0;
        bool more = false;
        joined.len = 0;
        for (size_t x = a; x < b && rc == 0; x++) {
            const given *e = by[x];
            if (e->mine != mine || !*e->value)
                continue;
            char *f = grille_fold(e->value);
            if (!f) {
                rc = grille__nomem(im->err);
                break;
            }
            bool seen = false;
            for (size_t y = 0; y < nkept && !seen; y++)
                seen = strcmp(f, kept[y]) == 0;
            if (seen || nkept == MAX_JOINED) {
                more |= !seen;
                free(f);
                continue;
            }
            kept[nkept++] = f;
            if ((joined.len && gbuf_puts(&joined, " / ") < 0) ||
                gbuf_puts(&joined, e->value) < 0)
                rc = grille__nomem(im->err);
        }
        while (nkept)
            free(kept[--nkept]);
        if (rc == 0 && ((more && gbuf_puts(&joined, " / \u2026") < 0) ||
                        gbuf_putc(&joined, 0) < 0))
            rc = grille__nomem(im->err);
        if (rc < 0)
            break;
        const given *first = by[a];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_text(q, 2, first->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, joined.data, -1, SQLITE_STATIC);
        bool same = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_reset(q);
        if (!same && (rc = grille_store_set_attr(im->s, id, first->var,
                                                 joined.data, im->origin,
                                                 im->err)) == 0)
            im->st->attributes++;
    }
    free(by);
    sqlite3_finalize(q);
    sqlite3_finalize(q0);
    for (size_t i = 0; i < ngv; i++) {
        free(gv[i].key);
        free(gv[i].value);
    }
    free(gv);
    gbuf_free(&joined);
    free(k);
    return rc;
}

/* The document a source's codings go to: its id, its name (for the
 * warnings), its text and where the source's text starts in it. */
typedef struct coded_doc {
    int64_t id;
    const char *name, *text;
    size_t off;
} coded_doc;

/* What a <Coding> codes: a selection, its positions as written, its user
 * (the coding's when it names none), and its bytes [b0, b1) in the
 * source's text ((size_t)-1 past its end) when `valid` (numbers, end
 * after start); or, start and end NULL, the source's whole text. */
typedef struct span {
    const char *start, *end, *user;
    size_t b0, b1;
    bool valid;
    const char *guid; /* the selection's, to find it in the other tool */
} span;

/* A coding (its code's id in the project, its bytes in the document's
 * text) as a number whose sum over a document's codings stands for them
 * in any order. */
static uint64_t coding_mix(int64_t code, size_t start, size_t end)
{
    uint64_t h = (uint64_t)code * 0x9E3779B97F4A7C15ULL ^
                 (uint64_t)start * 0xC2B2AE3D27D4EB4FULL ^
                 (uint64_t)end * 0x165667B19E3779F9ULL;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 29);
}

/* Whether the project's codebook made on document `doc`, just added, the
 * codings grille made on its source in the archive (im->own_n,
 * im->own_sum): its automatic codings one for one (an export's hits), or
 * each segment once per code (--selections segments).  When not, the
 * archive was coded with another codebook, whose codings the project's
 * codebook replaced: counted in `recoded`. */
static int same_own_codings(importer *im, int64_t doc)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(
        im->db,
        "SELECT s.id, s.start, s.\"end\", c.code, c.start, c.\"end\" "
        "FROM segments s JOIN codings c ON c.id BETWEEN s.id << 28 AND "
        "(s.id << 28) + 268435455 WHERE s.document = ?1 AND c.origin = "
        "'automatic' ORDER BY s.id, c.code",
        -1, &q, NULL);
    size_t n = 0, nseg = 0;
    uint64_t sum = 0, segsum = 0;
    int64_t last_seg = -1, last_code = -1;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, doc);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t seg = sqlite3_column_int64(q, 0),
                    code = sqlite3_column_int64(q, 3);
            n++;
            sum += coding_mix(code, (size_t)sqlite3_column_int64(q, 4),
                              (size_t)sqlite3_column_int64(q, 5));
            if (seg != last_seg || code != last_code) {
                nseg++;
                segsum += coding_mix(code, (size_t)sqlite3_column_int64(q, 1),
                                     (size_t)sqlite3_column_int64(q, 2));
            }
            last_seg = seg;
            last_code = code;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return grille__error(im->err, rc == SQLITE_NOMEM ? GRILLE_ENOMEM
                                                         : GRILLE_ESTORE,
                             im->path, 0, 0, "%s",
                             _("cannot read the codings just made"));
    if (!(n == im->own_n && sum == im->own_sum) &&
        !(nseg == im->own_n && segsum == im->own_sum))
        im->st->recoded++;
    return 0;
}

/* Counts a coding dropped, and says why when it is the first: `why`
 * after the source and the selection (or "its coding of the whole
 * text"). */
static void dropped(importer *im, const coded_doc *d, const span *sp,
                    const char *why)
{
    if (im->st->dropped++)
        return;
    if (!sp->start) {
        snprintf(im->st->first_dropped, sizeof(im->st->first_dropped),
                 _("source '%s', its coding of the whole text: %s"), d->name,
                 why);
        return;
    }
    char v0[40], v1[40];
    grille__quote(v0, sizeof(v0), sp->start, strlen(sp->start));
    grille__quote(v1, sizeof(v1), sp->end, strlen(sp->end));
    char g[48] = "";
    if (sp->guid && *sp->guid)
        grille__quote(g, sizeof(g), sp->guid, strlen(sp->guid));
    snprintf(im->st->first_dropped, sizeof(im->st->first_dropped),
             g[0] ? _("source '%s', selection '%s' to '%s' (GUID %s): %s")
                  : _("source '%s', selection '%s' to '%s'%s: %s"),
             d->name, v0, v1, g, why);
}

/* One <Coding> `c` of span `sp` of a source: a manual coding of document
 * d, left to the codebook when grille's own user made it, else counted
 * as dropped (see `dropped`) when it cannot be placed. */
static int import_coding(importer *im, const coded_doc *d, const span *sp,
                         const xmlNode *c)
{
    char *cu = attr(c, "creatingUser");
    xmlNode *cr = child(c, "CodeRef");
    char *target = cr ? attr(cr, "targetGUID") : NULL;
    if (!cu || (cr && !target)) { /* libxml2 out of memory */
        xmlFree(cu);
        xmlFree(target);
        return grille__nomem(im->err);
    }
    const char *who = cu[0] ? cu : sp->user;
    int64_t code = -1;
    int rc = 0;
    const char *coder = NULL;
    for (size_t i = 0; target && i < im->ncodes && code < 0; i++)
        if (guid_eq(im->codes[i].guid, target))
            code = im->codes[i].id;
    if (guid_eq(who, im->user)) {
        im->st->automatic++;
        if (d->id > 0 && sp->valid && sp->b0 != (size_t)-1 &&
            sp->b1 != (size_t)-1) {
            im->own_n++;
            im->own_sum += coding_mix(code, d->off + sp->b0, d->off + sp->b1);
        }
    } else if (!sp->valid) {
        dropped(im, d, sp,
                _("not a selection (empty, reversed, or not numbers)"));
    } else if (sp->b0 == (size_t)-1 || sp->b1 == (size_t)-1) {
        dropped(im, d, sp, _("past the end of the text"));
    } else if (code < 0) {
        char tg[60], why[100];
        grille__quote(tg, sizeof(tg), target ? target : "",
                      target ? strlen(target) : 0);
        if (target && *target)
            snprintf(why, sizeof(why), _("code '%s' is in no <Codes>"), tg);
        else
            snprintf(why, sizeof(why), "%s",
                     _("its coding names no code (no <CodeRef>)"));
        dropped(im, d, sp, why);
    } else if ((rc = find_pair(im->users, im->nusers, who, &coder)) < 0) {
        rc = grille__nomem(im->err);
    } else if ((rc = add_manual(im, d->id, d->text, d->off + sp->b0,
                                d->off + sp->b1, code, coder)) > 0) {
        rc = 0;
        dropped(im, d, sp,
                _("in no segment (blank lines, or a front matter)"));
    }
    xmlFree(cu);
    xmlFree(target);
    return rc;
}

/* Counts in im->st an irregularity of the archive read as best it could
 * be, said when it is the first. */
static void irregular(importer *im, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void irregular(importer *im, const char *fmt, ...)
{
    if (im->st->irregular++)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->st->first_irregular, sizeof(im->st->first_irregular), fmt,
              ap);
    va_end(ap);
}

static int import_source(importer *im, grille_analyser *a,
                         const grille_codebook *cb, const xmlNode *src)
{
    char *g = attr(src, "guid"), *name = attr(src, "name"),
         *ref = attr(src, "plainTextPath");
    char *bytes = NULL, *lf = NULL, *stored = NULL;
    gbuf nm = {0}, label = {0};
    cp_index cpx = {0};
    grille_prepared *prep = NULL;
    size_t len = 0;
    grille_text *text = NULL;
    int rc = 0;
    xmlNode *inline_text = child(src, "PlainTextContent");
    if (strncmp(ref, "internal://", 11) == 0) {
        /* the archive's file is the text; a path out of the archive is
         * not read, so the inline text is taken then, unsaid */
        if (inline_text)
            irregular(im,
                      _("source '%s' has its text both inline "
                        "(PlainTextContent) and in a file of the archive "
                        "(plainTextPath): the file's taken"),
                      name);
        zip_int64_t ix = find_source(im, ref + 11);
        if (ix < 0) {
            rc = grille__error(im->err, GRILLE_ENOTFOUND, im->path, 0, 0,
                               _("source '%s': no sources/%s in the archive"),
                               name, ref + 11);
            goto done;
        }
        if (!(bytes = zip_read_all(im, ix, &len))) {
            rc = im->err->code;
            goto done;
        }
    } else if (inline_text) {
        bytes = (char *)xmlNodeGetContent(inline_text);
        len = bytes ? strlen(bytes) : 0;
    } else {
        /* relative:// and absolute:// point outside the archive: a file
         * of someone else's disk is not read */
        im->st->sources_skipped++;
        goto done;
    }
    /* a name of spaces alone is none either */
    bool named = name[strspn(name, " \t\r\n")] != 0;
    /* the source in messages: the archive as the user typed it (not its
     * base name, which names no file from another folder), then the
     * source */
    if (gbuf_puts(&label, im->path) < 0 || gbuf_putc(&label, ':') < 0 ||
        gbuf_puts(&label, named ? name : g) < 0 || gbuf_putc(&label, 0) < 0) {
        rc = grille__nomem(im->err);
        goto done;
    }
    rc = grille_text_decode(&text, bytes, len, label.data, im->err);
    if (rc < 0)
        goto done;
    /* converted to UTF-8: said, as add says it, and kept as the
     * document's encoding (the text decoded again below is UTF-8) */
    grille_encoding enc = grille_text_encoding(text);
    if (enc != GRILLE_ENC_UTF8 && enc != GRILLE_ENC_UTF8_BOM &&
        !im->st->converted++) {
        char q[160];
        const char *shown = named ? name : g;
        snprintf(im->st->first_converted, sizeof(im->st->first_converted),
                 _("'%s', from %s"),
                 grille__quote(q, sizeof(q), shown, strlen(shown)),
                 grille_encoding_name(enc));
    }
    size_t tlen;
    const char *t = grille_text_data(text, &tlen);
    size_t lf_len;
    if (!(lf = lf_text(t, tlen, &lf_len))) {
        rc = grille__nomem(im->err);
        goto done;
    }
    grille_text_free(text);
    text = NULL;
    tlen = strlen(lf);
    /* U+FEFF at its start (after the byte order mark, gone already):
     * decoded again, it would be taken for a mark and dropped, and
     * every position would land a character off, inside a letter; a
     * mark of our own in front keeps it */
    if (tlen >= 3 && memcmp(lf, "\xEF\xBB\xBF", 3) == 0) {
        char *marked = malloc(tlen + 4);
        if (!marked) {
            rc = grille__nomem(im->err);
            goto done;
        }
        memcpy(marked, "\xEF\xBB\xBF", 3);
        memcpy(marked + 3, lf, tlen + 1);
        rc = grille_text_decode(&text, marked, tlen + 3, label.data,
                                im->err);
        free(marked);
    } else {
        rc = grille_text_decode(&text, lf, tlen, label.data, im->err);
    }
    if (rc < 0)
        goto done;
    grille__text_set_encoding(text, enc);
    int64_t id = -1;
    /* a name people can read and type: cleaned of controls and invalid
     * UTF-8; "source N" when the file gives neither name nor GUID */
    im->nsources++;
    if ((named || g[0] ? xml_clean(&nm, named ? name : g)
                         : gbuf_printf(&nm, "source %zu", im->nsources)) < 0 ||
        (nm.data[nm.len - 1] != 0 && gbuf_putc(&nm, 0) < 0)) {
        gbuf_free(&nm);
        rc = grille__nomem(im->err);
        goto done;
    }
    for (char *p = nm.data; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    const char *doc_name = nm.data;
    /* where positions land: the text as added, or the body of a note
     * of the same name whose text it is (exported by grille: the front
     * matter and CR LF are not in the source) */
    const char *full = lf, *base = lf;
    size_t base_len = tlen, off = 0;
    /* a source of grille's own export of this project, by its GUID: the
     * document it came from when its text is still that document's body,
     * whatever became of its name */
    bool own = false;
    int64_t mine = g[0] ? own_source_doc(im, g) : 0;
    if (mine < 0) {
        rc = im->err->code;
        goto done;
    }
    if (mine > 0) {
        size_t slen, body;
        char *same = NULL;
        if (grille_store_text(im->s, mine, &stored, &slen, &body, im->err) <
            0) {
            rc = im->err->code;
            goto done;
        }
        if (!(same = lf_text(stored + body, slen - body, &lf_len))) {
            rc = grille__nomem(im->err);
            goto done;
        }
        own = strcmp(same, lf) == 0;
        free(same);
        if (own) {
            id = mine;
            full = stored;
            off = body;
            base = stored + body;
            base_len = slen - body;
            rc = GRILLE_EEXISTS;
        } else {
            grille_free(stored);
            stored = NULL;
        }
    }
    /* analysed once, added under this name or, below, another */
    if (!own)
        rc = grille_store__prepare_plain(&prep, im->s, a, cb, label.data,
                                         text, im->err);
    if (rc == 0)
        rc = grille_store_add_prepared(im->s, prep, doc_name, doc_name, &id,
                                       im->err);
    if (rc == GRILLE_EEXISTS && id <= 0) { /* a name, not a text */
        size_t slen, body;
        char *same = NULL;
        int64_t clash = 0;
        int tr = 0;
        if ((id = clash = named_doc(im->db, doc_name)) > 0 &&
            (tr = grille_store_text(im->s, id, &stored, &slen, &body,
                                    im->err)) == 0 &&
            (same = lf_text(stored + body, slen - body, &lf_len)) &&
            strcmp(same, lf) == 0) {
            full = stored;
            off = body;
            base = stored + body;
            base_len = slen - body;
        } else if (tr < 0) { /* the stored document damaged: said */
            rc = tr;
            goto done;
        } else {
            id = -1;
        }
        free(same);
        /* two sources of one name in the archive (two folders of NVivo):
         * the later ones are named "name (2)", "name (3)" */
        bool ours = false;
        for (size_t i = 0; id < 0 && clash > 0 && !ours && i < im->nadded;
             i++)
            ours = im->added[i] == clash;
        char *first = ours ? strdup(doc_name) : NULL;
        if (ours && !first) {
            rc = grille__nomem(im->err);
            goto done;
        }
        for (int k = 2; ours && k < 1000; k++) {
            memset(im->err, 0, sizeof(*im->err));
            nm.len = 0;
            if (gbuf_printf(&nm, "%s (%d)", first, k) < 0 ||
                gbuf_putc(&nm, 0) < 0) {
                free(first);
                rc = grille__nomem(im->err);
                goto done;
            }
            doc_name = nm.data;
            rc = grille_store_add_prepared(im->s, prep, doc_name, doc_name,
                                           &id, im->err);
            if (!(rc == GRILLE_EEXISTS && id <= 0))
                break;
            id = -1;
        }
        if (ours && rc == 0)
            irregular(im,
                      _("source '%s' named '%s': another source of the "
                        "archive has its name"),
                      first, doc_name);
        free(first);
        if (id < 0 && !ours) {
            rc = grille__error(im->err, GRILLE_EEXISTS, im->path, 0, 0,
                               _("source '%s': a different document has "
                                 "this name in the project"),
                               doc_name);
            goto done;
        }
        if (id < 0) {
            rc = grille__error(im->err, GRILLE_EEXISTS, im->path, 0, 0,
                               _("source '%s': too many sources of this "
                                 "name in the archive"),
                               name);
            goto done;
        }
    }
    /* the text of a document of another name (sources that only their
     * front matters told apart, in the project they come from): its
     * codings go to that document, its case's variables would overwrite
     * that document's and are left out */
    bool merged = false, added = false;
    if (rc == GRILLE_EEXISTS) {
        /* by its name alone (not '#N', a path, nor a file here) */
        sqlite3_stmt *q = NULL;
        merged = !own; /* its own document, by its GUID, is not merged */
        if (!own &&
            sqlite3_prepare_v2(im->db,
                               "SELECT name FROM documents WHERE id = ?1",
                               -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, id);
            const char *have = sqlite3_step(q) == SQLITE_ROW
                                   ? (const char *)sqlite3_column_text(q, 0)
                                   : NULL;
            merged = !have || !same_name(have, doc_name);
        }
        sqlite3_finalize(q);
        im->st->existing++;
        im->st->merged += merged;
        memset(im->err, 0, sizeof(*im->err));
        rc = 0;
    } else if (rc == GRILLE_EINVALID) { /* no text: nothing to code */
        im->st->sources_skipped++;
        memset(im->err, 0, sizeof(*im->err));
        rc = 0;
        goto done;
    } else if (rc < 0) {
        goto done;
    } else {
        im->st->documents++;
        added = true;
    }
    if (!merged && (rc = source_values(im, g, id)) < 0)
        goto done;
    /* the document this source landed on (added, there already, or of
     * another name): a later source of the same name is another one */
    if (id > 0) {
        if (GROW(im->added, im->addcap, im->nadded + 1) < 0) {
            rc = grille__nomem(im->err);
            goto done;
        }
        im->added[im->nadded++] = id;
    }
    /* the selections and their codings, and the source's own codings */
    const coded_doc cd = {id, doc_name, full, off};
    im->own_n = 0;
    im->own_sum = 0;
    for (xmlNode *sel = src->children; sel; sel = sel->next) {
        if (is(sel, "Coding")) {
            /* a coding of the source itself, which the schema allows
             * beside its selections: of its whole text, cut at the
             * segments as a selection over the whole text is.  Its user
             * is its own only: the source's is whoever added the text */
            const span whole = {NULL, NULL, "", 0, base_len, true, NULL};
            if ((rc = import_coding(im, &cd, &whole, sel)) < 0)
                goto done;
            continue;
        }
        if (!is(sel, "PlainTextSelection"))
            continue;
        if (!cpx.at && (rc = cp_index_build(&cpx, base, base_len)) < 0) {
            rc = grille__nomem(im->err);
            goto done;
        }
        char *s0 = attr(sel, "startPosition"), *s1 = attr(sel, "endPosition"),
             *su = attr(sel, "creatingUser"), *sg = attr(sel, "guid");
        span sp = {s0, s1, su, (size_t)-1, (size_t)-1, false, sg};
        size_t p0 = 0, p1 = 0;
        sp.valid = position(s0, &p0) && position(s1, &p1) && p1 > p0;
        if (sp.valid) {
            sp.b0 = cp_to_byte(&cpx, base, base_len, p0);
            sp.b1 = cp_to_byte(&cpx, base, base_len, p1);
        }
        for (xmlNode *c = sel->children; c && rc == 0; c = c->next)
            if (is(c, "Coding"))
                rc = import_coding(im, &cd, &sp, c);
        xmlFree(s0);
        xmlFree(s1);
        xmlFree(su);
        xmlFree(sg);
        if (rc < 0)
            goto done;
    }
    /* a document added: its codings made by the project's codebook, the
     * archive's grille codings or another codebook's */
    if (added && rc == 0)
        rc = same_own_codings(im, id);
    /* the document's aggregates, with its manual codings */
    if (id > 0 && rc == 0)
        rc = grille_store__stats_refresh(im->s, id, im->err);
done:
    grille_prepared_free(prep);
    free(cpx.at);
    gbuf_free(&nm);
    gbuf_free(&label);
    grille_text_free(text);
    free(lf);
    grille_free(stored);
    if (inline_text && bytes && strncmp(ref, "internal://", 11) != 0)
        xmlFree(bytes);
    else
        free(bytes);
    xmlFree(g);
    xmlFree(name);
    xmlFree(ref);
    return rc;
}

/* Whether element n holds text but white space. */
static bool has_text(const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    bool any = false;
    for (const xmlChar *p = t; p && *p && !any; p++)
        any = !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r');
    xmlFree(t);
    return any;
}

/* Counts, under n and its next siblings, what an import leaves out (see
 * grille_refi_import_stats). */
static void count_left_out(const xmlNode *n, grille_refi_import_stats *st)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "Description")) {
            if (!is(n->parent, "Code") && has_text(n))
                st->memos++;
            continue;
        }
        size_t *whole = is(n, "Note")    ? &st->notes
                        : is(n, "Set")   ? &st->sets
                        : is(n, "Graph") ? &st->graphs
                        : is(n, "Link")  ? &st->links
                                         : NULL;
        if (whole) {
            (*whole)++;
            continue;
        }
        if (is(n, "Code")) {
            char *c = attr(n, "isCodable");
            st->not_codable += strcmp(c, "false") == 0 || strcmp(c, "0") == 0;
            xmlFree(c);
        }
        count_left_out(n->children, st);
    }
}

static int import_qdpx(grille_store *s, grille_analyser *a,
                       const grille_codebook *cb, const char *path,
                       grille_refi_import_stats *stats, grille_error *err)
{
    importer im = {0};
    grille_refi_import_stats dummy;
    xmlDoc *doc = NULL;
    char *qde = NULL;
    size_t qlen = 0;
    int rc = 0, zerr = 0;
    im.s = s;
    im.db = grille_store__db(s);
    im.path = path;
    im.origin = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    im.st = stats ? stats : &dummy;
    im.err = err ? err : &(grille_error){0};
    memset(im.st, 0, sizeof(*im.st));
    guid(im.user, "user", "grille");
    /* what each source needs: said here, not taken for a source without
     * text, each one skipped */
    if ((rc = grille_store__own_codebook(s, cb, im.err)) < 0)
        return rc;
    if (!a)
        return grille__error(im.err, GRILLE_EINVALID, path, 0, 0, "%s",
                             _("no analyser given"));

    struct stat ps;
    if (stat(path, &ps) == 0 && S_ISDIR(ps.st_mode))
        return grille__error(im.err, GRILLE_EINVALID, path, 0, 0, "%s",
                             _("a folder, not a REFI-QDA project (.qdpx) "
                               "nor a codebook (.qdc)"));
    if (!(im.z = zip_open(path, ZIP_RDONLY, &zerr))) {
        int se = errno; /* zip_open's own open() or read() */
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        bool io = zerr == ZIP_ER_NOENT || zerr == ZIP_ER_OPEN ||
                  zerr == ZIP_ER_READ;
        rc = grille__error(im.err, io ? GRILLE_EIO : GRILLE_EINVALID, path, 0,
                           0,
                           io ? _("cannot open: %s")
                              : _("not a REFI-QDA project (not a ZIP "
                                  "archive): %s"),
                           zip_error_strerror(&ze));
        if (im.err && io)
            im.err->detail = zerr == ZIP_ER_NOENT ? ENOENT : se ? se : EIO;
        zip_error_fini(&ze);
        return rc;
    }
    /* the project: the one .qde at the top, project.qde or of another
     * name.  Two are refused: the archive does not say which one is the
     * project, and importing one of them without a word could bring the
     * wrong one (an older copy left beside it) */
    zip_int64_t ix = -1, other = -1;
    for (zip_int64_t i = 0, n = zip_get_num_entries(im.z, 0);
         other < 0 && i < n; i++) {
        const char *e = zip_get_name(im.z, (zip_uint64_t)i, 0);
        size_t el = e ? strlen(e) : 0;
        if (el > 4 && !strchr(e, '/') && strcasecmp(e + el - 4, ".qde") == 0)
            *(ix < 0 ? &ix : &other) = i;
    }
    if (other >= 0) {
        const char *one = zip_get_name(im.z, (zip_uint64_t)ix, 0);
        const char *two = zip_get_name(im.z, (zip_uint64_t)other, 0);
        char q1[80], q2[80];
        rc = grille__error(im.err, GRILLE_EINVALID, path, 0, 0,
                           _("two projects (.qde files) inside, '%s' and "
                             "'%s': which one to import is not known; "
                             "refused (leave one in the archive)"),
                           grille__quote(q1, sizeof(q1), one, strlen(one)),
                           grille__quote(q2, sizeof(q2), two, strlen(two)));
        goto done;
    }
    if (ix < 0) {
        rc = grille__error(im.err, GRILLE_EINVALID, path, 0, 0, "%s",
                           _("not a REFI-QDA project: no .qde file inside"));
        goto done;
    }
    if (!(qde = zip_read_all(&im, ix, &qlen))) {
        rc = im.err->code;
        goto done;
    }
    {
        gbuf where = {0};
        if (gbuf_printf(&where, "%s/%s", path,
                        zip_get_name(im.z, (zip_uint64_t)ix, 0)) < 0) {
            rc = grille__nomem(im.err);
            goto done;
        }
        doc = parse_xml(qde, qlen, where.data, false, im.err);
        gbuf_free(&where);
        if (!doc) {
            rc = im.err->code;
            goto done;
        }
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!is(root, "Project")) {
        rc = grille__error(im.err, GRILLE_EINVALID, path, 0, 0, "%s",
                           _("not a REFI-QDA project: its root is not "
                             "<Project>"));
        goto done;
    }
    {
        gbuf where = {0};
        if (gbuf_printf(&where, "%s/%s", path,
                        zip_get_name(im.z, (zip_uint64_t)ix, 0)) < 0) {
            rc = grille__nomem(im.err);
            goto done;
        }
        rc = unique_guids(root, where.data, im.err);
        gbuf_free(&where);
        if (rc < 0)
            goto done;
    }
    if (!root->ns || !root->ns->href ||
        strcmp((const char *)root->ns->href, "urn:QDA-XML:project:1.0") != 0)
        irregular(&im,
                  _("<Project> is in the namespace '%s', not "
                    "urn:QDA-XML:project:1.0"),
                  root->ns && root->ns->href ? (const char *)root->ns->href
                                             : "");
    /* the user grille exports the codings without a coder under ("manual")
     * brings them back without one */
    char nobody[37];
    guid(nobody, "coder", "");
    for (xmlNode *u = child(child(root, "Users"), "User"); u; u = u->next)
        if (is(u, "User")) {
            char *g = attr(u, "guid"), *n = attr(u, "name");
            int r = add_pair(&im.users, &im.nusers, &im.ucap, g,
                             guid_eq(g, nobody) ? "" : n);
            xmlFree(g);
            xmlFree(n);
            if (r < 0) {
                rc = grille__nomem(im.err);
                goto done;
            }
        }
    for (xmlNode *v = child(child(root, "Variables"), "Variable"); v;
         v = v->next)
        if (is(v, "Variable")) {
            char *g = attr(v, "guid"), *n = attr(v, "name");
            int r = add_pair(&im.vars, &im.nvars, &im.vcap, g, n);
            xmlFree(g);
            xmlFree(n);
            if (r < 0) {
                rc = grille__nomem(im.err);
                goto done;
            }
        }
    sort_pairs(im.users, im.nusers);
    sort_pairs(im.vars, im.nvars);
    if ((rc = unknown_refs(&im, root)) < 0)
        goto done;
    /* cases: each value goes to every source the case refers to */
    for (xmlNode *c = child(child(root, "Cases"), "Case"); c; c = c->next) {
        if (!is(c, "Case"))
            continue;
        for (xmlNode *sr = c->children; sr; sr = sr->next)
            if (is(sr, "SourceRef") &&
                hold_values(&im, c, sr, "targetGUID") < 0) {
                rc = grille__nomem(im.err);
                goto done;
            }
    }
    /* a source's own values (QualCoder writes a file's attributes so),
     * after its cases' */
    for (xmlNode *src = child(child(root, "Sources"), "TextSource"); src;
         src = src->next)
        if (is(src, "TextSource") && hold_values(&im, src, src, "guid") < 0) {
            rc = grille__nomem(im.err);
            goto done;
        }
    sort_pairs(im.holders, im.nholders);
    if ((rc = grille_store__sync_codes(s, cb, im.err)) < 0 ||
        (rc = import_codes(&im, child(child(root, "CodeBook"), "Codes"), -1,
                           0)) < 0)
        goto done;
    grille_store__codes_changed(s);
    for (xmlNode *src = child(child(root, "Sources"), "TextSource"); src;
         src = src->next) {
        if (grille__interrupted()) { /* Ctrl-C: the caller rolls back */
            rc = grille__interrupt(im.err, path);
            goto done;
        }
        if (is(src, "TextSource") &&
            (rc = import_source(&im, a, cb, src)) < 0)
            goto done;
    }
    for (xmlNode *src = child(root, "Sources"); src; src = NULL)
        for (xmlNode *o = src->children; o; o = o->next)
            if (o->type == XML_ELEMENT_NODE && !is(o, "TextSource"))
                im.st->sources_skipped++;
    count_left_out(root->children, im.st);
done:
    xmlFreeDoc(doc);
    free(qde);
    if (im.z)
        zip_discard(im.z);
    for (size_t i = 0; i < im.ncodes; i++)
        free(im.codes[i].guid);
    free(im.codes);
    free_pairs(im.users, im.nusers);
    free_pairs(im.vars, im.nvars);
    for (size_t i = 0; i < im.nholders; i++)
        free(im.holders[i].a);
    free(im.holders);
    free(im.added);
    free(im.own);
    known_free(&im);
    return rc;
}

int grille_refi_import_qdpx(grille_store *s, grille_analyser *a,
                            const grille_codebook *cb, const char *path,
                            grille_refi_import_stats *stats,
                            grille_error *err)
{
    int lz = grille__lazy_load(err);
    if (lz < 0)
        return lz;
    /* all or nothing, in the caller's transaction or one of its own */
    bool own;
    int r = grille_store__own_begin(s, &own, err);
    if (r == 0)
        r = import_qdpx(s, a, cb, path, stats, err);
    return grille_store__own_end(s, own, r, err);
}

/* ------------------------------------------------------- qdc to a codebook */

/* A YAML double-quoted scalar; what YAML does not allow in a stream (C0
 * and C1 controls but tab and line feed, the line separators U+2028 and
 * U+2029, U+FFFE, U+FFFF) becomes a space. */
static int yaml_str(gbuf *b, const char *s)
{
    size_t len = strlen(s);
    if (gbuf_putc(b, '"') < 0)
        return -1;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = utf8_get(s, len, i, &n);
        int r = cp == '"'    ? gbuf_puts(b, "\\\"")
                : cp == '\\' ? gbuf_puts(b, "\\\\")
                : cp == '\n' ? gbuf_puts(b, "\\n")
                : cp == '\t' ? gbuf_puts(b, "\\t")
                : cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 ||
                        cp == 0x2029 || cp == 0xFFFE || cp == 0xFFFF
                    ? gbuf_putc(b, ' ')
                    : gbuf_put(b, s + i, n);
        if (r < 0)
            return -1;
        i += n;
    }
    return gbuf_putc(b, '"');
}


/* A term from a code's name: its words (letters, digits, inner hyphens
 * and apostrophes) separated by single spaces, so that no character of the
 * name reads as pattern syntax (=, *, ~, /...), in *out; NULL when none
 * is left.  -1 when out of memory. */
static int name_term(const char *name, char **out)
{
    size_t len = strlen(name), o = 0;
    char *t = malloc(len + 1);
    *out = NULL;
    if (!t)
        return -1;
    bool space = false, after_letter = false;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = utf8_get(name, len, i, &n);
        bool word = grille__is_letter(cp) || (cp >= '0' && cp <= '9');
        /* a hyphen after a letter and before a letter or a digit
         * (Covid-19, mi-2020), an apostrophe between two letters, as a
         * text's words hold them: "d' activité" would be a word, a mark
         * and a word, and "2020-2021", "2-roues" or "d'1" numbers a
         * text cuts at the mark, phrases that never match (the
         * codebook refuses them) */
        size_t m = 0;
        uint32_t next = i + n < len ? utf8_get(name, len, i + n, &m) : 0;
        bool inner = o > 0 && !space && m && after_letter &&
                     ((cp == '-' && (grille__is_letter(next) ||
                                     (next >= '0' && next <= '9'))) ||
                      (grille__is_apostrophe(cp) && grille__is_letter(next)));
        after_letter = grille__is_letter(cp);
        if (word || inner) {
            if (space && o)
                t[o++] = ' ';
            space = false;
            memcpy(t + o, name + i, n);
            o += n;
        } else {
            space = true;
        }
        i += n;
    }
    /* no hyphen or apostrophe at the end */
    while (o && (t[o - 1] == '-' || t[o - 1] == '\''))
        o--;
    t[o] = 0;
    if (!o)
        free(t);
    else
        *out = t;
    return 0;
}


/* Levels of codes below the top ones that a .qdc may nest: as many as a
 * codebook holds (a code and its children take two of the 64 levels its
 * YAML may nest), so that every codebook exported as a .qdc imports back. */
#define QDC_DEPTH_MAX 30

static int qdc_codes(gbuf *b, const xmlNode *codes, int depth,
                     const char *path, grille_error *err)
{
    if (depth > QDC_DEPTH_MAX) /* said at the first code too deep */
        return grille__error(err, GRILLE_ELIMIT, path,
                             (unsigned)xmlGetLineNo(child(codes, "Code")), 0,
                             _("codes nested more than %d deep below the "
                               "top ones (a codebook holds %d levels)"),
                             QDC_DEPTH_MAX, QDC_DEPTH_MAX + 1);
    char **keys = NULL, **bases = NULL;
    size_t nkeys = 0, cap = 0, bcap = 0;
    strmap taken = {0}, next = {0}; /* the siblings' keys */
    int rc = 0;
    int ind = 2 + 4 * depth;
    /* a code named Description or Label: description_2, not a theme's
     * key that the codebook would refuse as an id */
    for (size_t i = 0; grille__reserved_ids[i] && rc == 0; i++)
        if (!strmap_at(&taken, grille__reserved_ids[i], true))
            rc = grille__nomem(err);
    for (xmlNode *c = codes->children; c && rc == 0; c = c->next) {
        if (!is(c, "Code"))
            continue;
        char *name = attr(c, "name"), *color = attr(c, "color");
        xmlNode *d = child(c, "Description");
        xmlChar *desc = d ? xmlNodeGetContent(d) : NULL;
        char *base = code_key(name[0] ? name : "code"), *key = NULL;
        bool kids = child(c, "Code") != NULL;
        /* a key unique among its siblings: base, base_2, base_3...,
         * by hash (linear in a codebook of thousands of codes of one
         * name) */
        if (base)
            key = unique_key(&taken, &next, base);
        if (!key || GROW(keys, cap, nkeys + 1) < 0 ||
            GROW(bases, bcap, nkeys + 1) < 0) {
            free(key);
            free(base);
            rc = grille__nomem(err);
        } else {
            bases[nkeys] = base;
            keys[nkeys++] = key;
            if (gbuf_printf(b, "%*s", ind, "") < 0 || yaml_str(b, key) < 0 ||
                gbuf_printf(b, ":\n%*slabel: ", ind + 2, "") < 0 ||
                yaml_str(b, name[0] ? name : key) < 0 ||
                gbuf_putc(b, '\n') < 0)
                rc = grille__nomem(err);
            if (rc == 0 && desc && *desc &&
                (gbuf_printf(b, "%*sdescription: ", ind + 2, "") < 0 ||
                 yaml_str(b, (const char *)desc) < 0 || gbuf_putc(b, '\n') < 0))
                rc = grille__nomem(err);
            char hex[8];
            if (rc == 0 && *color_of(color, hex) &&
                gbuf_printf(b, "%*scolor: \"%s\"\n", ind + 2, "", hex) < 0)
                rc = grille__nomem(err);
            /* a starting point: the words of the code's name (or of its
             * key) as its only term; none for a folder of codes that is
             * not a code itself (isCodable="false"), which groups its
             * children as a theme does, and whose name ("Dossier",
             * "Divers") is no word to find */
            char *codable = attr(c, "isCodable");
            if (!codable)
                rc = grille__nomem(err);
            bool folder = kids && codable &&
                          (strcmp(codable, "false") == 0 ||
                           strcmp(codable, "0") == 0);
            xmlFree(codable);
            char *term = NULL;
            if (rc == 0 && !folder && name_term(name, &term) < 0)
                rc = grille__nomem(err);
            /* a name with no word in it ("😷", "***"): its key is "code",
             * which as a term coded the word "code"; no term then, and a
             * pattern that matches nothing for a code with no children
             * (a theme needs one), said in a comment */
            bool wordless = !folder && !term && strncmp(key, "code", 4) == 0 &&
                            strspn(key + 4, "_0123456789") == strlen(key + 4);
            if (folder) {
                if (gbuf_printf(b, "%*s# a folder in the tool it comes "
                                   "from: no term of its own\n",
                                ind + 2, "") < 0)
                    rc = grille__nomem(err);
            } else if (wordless) {
                if (gbuf_printf(b, "%*s# its name has no word to start its "
                                   "terms with: write them%s\n",
                                ind + 2, "",
                                kids ? "" : " (the regex below matches "
                                            "nothing)") < 0 ||
                    (!kids && gbuf_printf(b, "%*sregex: ['[^\\s\\S]']\n",
                                          ind + 2, "") < 0))
                    rc = grille__nomem(err);
            } else if (!term && rc == 0) {
                term = strdup(key);
                for (char *p = term; p && *p; p++)
                    if (*p == '_')
                        *p = ' ';
            }
            if (rc == 0 && !folder && !wordless &&
                (!term || gbuf_printf(b, "%*sterms: [", ind + 2, "") < 0 ||
                 yaml_str(b, term) < 0 || gbuf_puts(b, "]\n") < 0))
                rc = grille__nomem(err);
            free(term);
            if (rc == 0 && kids) {
                if (gbuf_printf(b, "%*schildren:\n", ind + 2, "") < 0)
                    rc = grille__nomem(err);
                else
                    rc = qdc_codes(b, c, depth + 1, path, err);
            }
        }
        xmlFree(name);
        xmlFree(color);
        xmlFree(desc);
    }
    for (size_t i = 0; i < nkeys; i++) {
        free(keys[i]);
        free(bases[i]);
    }
    free(keys);
    free(bases);
    strmap_free(&taken);
    strmap_free(&next);
    return rc;
}

int grille_refi_qdc_to_yaml(const char *path, char **yaml, size_t *len,
                            grille_error *err)
{
    int lz = grille__lazy_load(err);
    if (lz < 0)
        return lz;
    grille_error dummy;
    if (!err)
        err = &dummy;
    *yaml = NULL;
    grille_text *file = NULL;
    int rc = grille_text_read_file(&file, path, err);
    if (rc < 0)
        return rc;
    size_t flen;
    const char *fdata = grille_text_data(file, &flen);
    /* decoded by grille_text_read_file: its declaration (ISO-8859-1,
     * UTF-16) is no longer true */
    xmlDoc *doc = parse_xml(fdata, flen, path, true, err);
    grille_text_free(file);
    if (!doc)
        return err->code;
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *codes = child(root, "Codes");
    gbuf b = {0}, label = {0};
    if (!is(root, "CodeBook") || !codes || !child(codes, "Code")) {
        rc = grille__error(err, GRILLE_EINVALID, path, 0, 0, "%s",
                           !is(root, "CodeBook")
                               ? _("not a REFI-QDA codebook: its root is not "
                                   "<CodeBook>")
                               : _("the codebook has no code"));
        goto done;
    }
    if ((rc = unique_guids(root, path, err)) < 0)
        goto done;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (xml_clean(&label, base) < 0 ||
        gbuf_puts(&b, "# Made by 'grille import' from a REFI-QDA codebook: "
                      "each code\n# starts with the words of its name as "
                      "its only term; add the\n# words, phrases and rules "
                      "that code it (docs/codebook.md).\nname: ") < 0 ||
        yaml_str(&b, label.data) < 0 || gbuf_puts(&b, "\nthemes:\n") < 0) {
        rc = grille__nomem(err);
        goto done;
    }
    if ((rc = qdc_codes(&b, codes, 0, path, err)) < 0)
        goto done;
    if (gbuf_putc(&b, 0) < 0) {
        rc = grille__nomem(err);
        goto done;
    }
    *yaml = b.data;
    *len = b.len - 1;
    b.data = NULL;
done:
    gbuf_free(&b);
    gbuf_free(&label);
    xmlFreeDoc(doc);
    return rc;
}
