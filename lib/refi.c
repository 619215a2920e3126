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
 * BOM, with LF line ends (a Windows note's CR LF counts as one character
 * in some tools and two in others: LF alone is read the same by all).
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#define NS_CODEBOOK "urn:QDA-XML:codebook:1.0"
#define NS_PROJECT "urn:QDA-XML:project:1.0"

/* A version-5-shaped UUID from SHA-256 of "grille:" + kind + key. */
static void guid(char out[37], const char *kind, const char *key)
{
    gbuf b = {0};
    char hex[65];
    if (gbuf_printf(&b, "grille:%s:%s", kind, key) < 0) {
        snprintf(out, 37, "00000000-0000-5000-8000-000000000000");
        return;
    }
    grille__sha256_hex(b.data, b.len, hex);
    gbuf_free(&b);
    hex[12] = '5';                                 /* version 5 */
    hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

/* xmlTextWriter returns -1 on error: every call goes through this. */
#define W(call)                                                              \
    do {                                                                     \
        if ((call) < 0)                                                      \
            goto xmlfail;                                                    \
    } while (0)

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
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST name));
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

/* The project's codes, in codebook order (then those kept by manual
 * codings). */
static int load_codes(grille_store *s, rcodes *out, grille_error *err)
{
    sqlite3 *db = grille_store__db(s);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db,
        "SELECT id, code, label, description, color, parent FROM codes "
        "WHERE in_codebook OR EXISTS (SELECT 1 FROM codings c WHERE c.code "
        "= codes.id) ORDER BY position IS NULL, position, code",
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
        guid(c->guid, "code", c->code);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0
                             : grille_store__error(s, err, rc, "read the codes");
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
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "color",
                                          BAD_CAST k->color));
        if (k->description[0])
            W(xmlTextWriterWriteElement(w, BAD_CAST "Description",
                                        BAD_CAST k->description));
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
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "color",
                                          BAD_CAST k.color));
        if (k.description[0])
            W(xmlTextWriterWriteElement(w, BAD_CAST "Description",
                                        BAD_CAST k.description));
        if (write_cb_codes(w, cb, (long)i) < 0)
            return -1;
        W(xmlTextWriterEndElement(w));
    }
    return 0;
xmlfail:
    return -1;
}

/* Writes `data` to `path`, readable by its owner only: to a temporary
 * file beside it first, renamed over it once complete. */
static int write_file(const char *path, const void *data, size_t len,
                      grille_error *err)
{
    gbuf tmp = {0};
    if (gbuf_printf(&tmp, "%s.tmp-%d", path, (int)getpid()) < 0)
        return grille__nomem(err);
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int e = 0;
    if (fd < 0) {
        e = errno;
        gbuf_free(&tmp);
        return grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
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
    if (!e && rename(tmp.data, path) != 0)
        e = errno;
    if (e)
        unlink(tmp.data);
    gbuf_free(&tmp);
    if (e)
        return grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
    return 0;
}

int grille_refi_export_qdc(const grille_codebook *cb, const char *path,
                           grille_error *err)
{
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

/* A copy of s[0, n) with every CR LF made LF. */
static char *lf_text(const char *s, size_t n)
{
    char *t = malloc(n + 1), *o = t;
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
            *o++ = s[i];
    *o = 0;
    return t;
}

/* The type of a variable from its values: Integer, Float, Date or Text. */
static const char *var_type(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st;
    bool integer = true, number = true, date = true, any = false;
    if (sqlite3_prepare_v2(db,
                           "SELECT value FROM attributes WHERE key = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return "Text";
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (!v)
            continue;
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
        if (!digits || dot)
            integer = false;
        if (!digits)
            number = false;
        if (!(n == 10 && v[4] == '-' && v[7] == '-'))
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
    sqlite3 *db = grille_store__db(s);
    rcodes codes = {0};
    rvar *vars = NULL;
    size_t nvars = 0, vcap = 0;
    xmlBufferPtr buf = NULL;
    xmlTextWriterPtr w = NULL;
    sqlite3_stmt *docs = NULL, *cod = NULL, *att = NULL, *st = NULL;
    zip_t *z = NULL;
    char **texts = NULL;
    size_t ntexts = 0, tcap = 0;
    char tmp[4096];
    int rc = 0, zerr = 0;
    char user[37];
    guid(user, "user", "grille");
    snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid());

    /* a consistent snapshot of the whole project */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if ((rc = load_codes(s, &codes, err)) < 0)
        goto done;
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT key FROM attributes ORDER BY key",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = grille_store__error(s, err, sqlite3_errcode(db), "export");
        goto done;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (GROW(vars, vcap, nvars + 1) < 0) {
            rc = grille__nomem(err);
            goto done;
        }
        vars[nvars].key = dup_col(st, 0);
        vars[nvars].type = var_type(db, vars[nvars].key);
        guid(vars[nvars].guid, "variable", vars[nvars].key);
        nvars++;
    }
    sqlite3_finalize(st);
    st = NULL;

    buf = xmlBufferCreate();
    w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        rc = grille__nomem(err);
        goto done;
    }
    xmlTextWriterSetIndent(w, 1);
    W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", "yes"));
    W(xmlTextWriterStartElement(w, BAD_CAST "Project"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_PROJECT));
    const char *base = strrchr(grille_store__path(s), '/');
    W(xmlTextWriterWriteAttribute(
        w, BAD_CAST "name",
        BAD_CAST(base ? base + 1 : grille_store__path(s))));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "origin",
                                  BAD_CAST "grille " GRILLE_VERSION_STRING));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "creatingUserGUID",
                                  BAD_CAST user));
    W(xmlTextWriterStartElement(w, BAD_CAST "Users"));
    W(start_named(w, "User", user, "grille"));
    W(xmlTextWriterEndElement(w));
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
            "SELECT c.start, c.\"end\", c.code, c.origin, coalesce(c.coder, "
            "''), c.id FROM codings c JOIN segments g ON g.id = c.segment "
            "WHERE g.document = ?1 ORDER BY c.start, c.\"end\", c.code, c.id",
            -1, &cod, NULL) != SQLITE_OK) {
        rc = grille_store__error(s, err, sqlite3_errcode(db), "export");
        goto done;
    }
    /* Cases: one per document, with its attributes as variables. */
    bool cases = false;
    while (sqlite3_step(docs) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(docs, 1);
        const char *sha = (const char *)sqlite3_column_text(docs, 2);
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
        while (sqlite3_step(att) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(att, 0);
            const char *v = (const char *)sqlite3_column_text(att, 1);
            const rvar *var = NULL;
            for (size_t i = 0; i < nvars && !var; i++)
                if (strcmp(vars[i].key, k) == 0)
                    var = &vars[i];
            if (!var)
                continue;
            W(xmlTextWriterStartElement(w, BAD_CAST "VariableValue"));
            W(ref_element(w, "VariableRef", var->guid));
            W(xmlTextWriterWriteElement(w, BAD_CAST value_element(var->type),
                                        BAD_CAST(v ? v : "")));
            W(xmlTextWriterEndElement(w));
        }
        W(ref_element(w, "SourceRef", sg));
        W(xmlTextWriterEndElement(w));
    }
    if (cases)
        W(xmlTextWriterEndElement(w));
    /* Sources, their selections and codings; the texts go to the ZIP. */
    sqlite3_reset(docs);
    bool sources = false;
    while (sqlite3_step(docs) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(docs, 0);
        const char *name = (const char *)sqlite3_column_text(docs, 1);
        const char *sha = (const char *)sqlite3_column_text(docs, 2);
        const char *text = (const char *)sqlite3_column_text(docs, 3);
        size_t len = (size_t)sqlite3_column_bytes(docs, 3);
        size_t body = (size_t)sqlite3_column_int64(docs, 4);
        if (body > len)
            body = len;
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
        size_t at = body, cp = 0;
        sqlite3_reset(cod);
        sqlite3_bind_int64(cod, 1, id);
        while (sqlite3_step(cod) == SQLITE_ROW) {
            size_t b0 = (size_t)sqlite3_column_int64(cod, 0);
            size_t b1 = (size_t)sqlite3_column_int64(cod, 1);
            int64_t code = sqlite3_column_int64(cod, 2);
            if (b0 < body || b1 > len || b1 < b0)
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
            if (!k)
                continue;
            char key[256], pg[37], kg[37], pos[32];
            snprintf(key, sizeof(key), "%s:%zu:%zu:%s:%lld", sha, b0, b1,
                     k->code, (long long)sqlite3_column_int64(cod, 5));
            guid(pg, "selection", key);
            guid(kg, "coding", key);
            W(xmlTextWriterStartElement(w, BAD_CAST "PlainTextSelection"));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "guid", BAD_CAST pg));
            snprintf(pos, sizeof(pos), "%zu", cp);
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "startPosition",
                                          BAD_CAST pos));
            snprintf(pos, sizeof(pos), "%zu", c1);
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "endPosition",
                                          BAD_CAST pos));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "creatingUser",
                                          BAD_CAST user));
            W(xmlTextWriterStartElement(w, BAD_CAST "Coding"));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "guid", BAD_CAST kg));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "creatingUser",
                                          BAD_CAST user));
            W(ref_element(w, "CodeRef", k->guid));
            W(xmlTextWriterEndElement(w));
            W(xmlTextWriterEndElement(w));
        }
        W(xmlTextWriterEndElement(w));
        /* the body, as sources/<GUID>.txt */
        if (GROW(texts, tcap, ntexts + 2) < 0) {
            rc = grille__nomem(err);
            goto done;
        }
        texts[ntexts] = grille__strndup(sg, 36);
        texts[ntexts + 1] = lf_text(text + body, len - body);
        if (!texts[ntexts] || !texts[ntexts + 1]) {
            rc = grille__nomem(err);
            goto done;
        }
        ntexts += 2;
    }
    if (sources)
        W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndDocument(w));
    xmlFreeTextWriter(w);
    w = NULL;

    /* The container, written beside the target and renamed at the end. */
    unlink(tmp);
    z = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!z) {
        rc = grille__error(err, GRILLE_EIO, path, 0, 0,
                           _("cannot create the ZIP (libzip error %d)"),
                           zerr);
        goto done;
    }
    time_t when = 1577836800; /* 2020-01-01: the same bytes every time */
    zip_source_t *src = zip_source_buffer(z, xmlBufferContent(buf),
                                          (zip_uint64_t)xmlBufferLength(buf),
                                          0);
    zip_int64_t ix = src ? zip_file_add(z, "project.qde", src,
                                        ZIP_FL_ENC_UTF_8)
                         : -1;
    if (ix < 0 || zip_file_set_mtime(z, (zip_uint64_t)ix, when, 0) < 0)
        goto zipfail;
    for (size_t i = 0; i < ntexts; i += 2) {
        char name[64];
        snprintf(name, sizeof(name), "sources/%s.txt", texts[i]);
        src = zip_source_buffer(z, texts[i + 1], strlen(texts[i + 1]), 0);
        ix = src ? zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) : -1;
        if (ix < 0 || zip_file_set_mtime(z, (zip_uint64_t)ix, when, 0) < 0)
            goto zipfail;
    }
    if (zip_close(z) < 0)
        goto zipfail;
    z = NULL;
    chmod(tmp, 0600);
    if (rename(tmp, path) != 0) {
        rc = grille__error(err, GRILLE_EIO, path, 0, 0, "%s",
                           strerror(errno));
        unlink(tmp);
    }
    goto done;
zipfail:
    rc = grille__error(err, GRILLE_EIO, path, 0, 0, _("cannot write the ZIP: %s"),
                       zip_strerror(z));
    zip_discard(z);
    z = NULL;
    unlink(tmp);
    goto done;
xmlfail:
    rc = grille__error(err, GRILLE_ENOMEM, path, 0, 0, "%s",
                       _("cannot write the XML"));
done:
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (w)
        xmlFreeTextWriter(w);
    if (buf)
        xmlBufferFree(buf);
    sqlite3_finalize(st);
    sqlite3_finalize(docs);
    sqlite3_finalize(att);
    sqlite3_finalize(cod);
    for (size_t i = 0; i < ntexts; i++)
        free(texts[i]);
    free(texts);
    for (size_t i = 0; i < nvars; i++)
        free(vars[i].key);
    free(vars);
    rcodes_free(&codes);
    return rc;
}
