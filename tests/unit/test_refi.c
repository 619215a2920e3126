/*
 * test_refi.c - unit tests of lib/refi.c, the REFI-QDA export.  The files
 * written are read back here with libxml2's parser and libzip, on their
 * own terms: the codebook's tree of <Code>s with names, colours and
 * descriptions; GUIDs unique, shaped as UUIDs and the same from one export
 * to the next; in a project, every <PlainTextSelection> cut out of its
 * source text by code points gives back the coded term (accents before
 * the term, a Windows note's CR LF), the front matter is not in the source
 * but in the case's variables; a target in a missing folder fails with its
 * name in the message and leaves nothing behind.
 */
#include "grille.h"

#include <check.h>
#include <ftw.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "check_main.h"

static const char yaml[] =
    "name: Test refi\n"
    "themes:\n"
    "  sante:\n"
    "    label: Santé\n"
    "    color: '#d62728'\n"
    "    description: La santé & les soins <publics>.\n"
    "    terms: [santé]\n"
    "    children:\n"
    "      protection: {terms: [masques, gel]}\n"
    "  teletravail: {terms: [télétravail, visio*]}\n";

static const char millau[] = "---\r\n"
                             "collectivite: Millau\r\n"
                             "habitants: 22000\r\n"
                             "---\r\n"
                             "Été : la santé d'abord.\r\n"
                             "\r\n"
                             "Des masques, du gel ; télétravail.\r\n";

static const char albi[] = "Les masques sont arrivés.\n\nvisio chaque lundi\n";

static char dir[64];

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/grille-test-refi-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static grille_codebook *load_cb(void)
{
    grille_codebook *cb = NULL;
    grille_error err = {0};
    int rc = grille_codebook_load(&cb, yaml, strlen(yaml), "t.yaml", &err);
    ck_assert_msg(rc == 0, "%s", err.message);
    return cb;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *b = malloc(1 << 20);
    *len = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* Files a and b hold the same bytes. */
static void assert_same_file(const char *a, const char *b)
{
    size_t l1, l2;
    char *b1 = slurp(a, &l1), *b2 = slurp(b, &l2);
    ck_assert_uint_eq(l1, l2);
    ck_assert_msg(memcmp(b1, b2, l1) == 0, "%s and %s differ", a, b);
    free(b1);
    free(b2);
}

/* The elements named `name` under `n`, depth first. */
static void collect(xmlNode *n, const char *name, xmlNode **out, size_t *k,
                    size_t max)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE &&
            strcmp((const char *)n->name, name) == 0 && *k < max)
            out[(*k)++] = n;
        collect(n->children, name, out, k, max);
    }
}

static char *prop(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, BAD_CAST name);
}

static bool uuid_shaped(const char *g)
{
    if (strlen(g) != 36 || g[14] != '5')
        return false;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? g[i] != '-'
                                                       : !strchr("0123456789abcdef", g[i]))
            return false;
    return true;
}

START_TEST(test_qdc_tree)
{
    grille_codebook *cb = load_cb();
    char path[128];
    grille_error err = {0};
    snprintf(path, sizeof(path), "%s/c.qdc", dir);
    ck_assert_int_eq(grille_refi_export_qdc(cb, path, &err), 0);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "CodeBook");
    ck_assert_str_eq((const char *)root->ns->href, "urn:QDA-XML:codebook:1.0");
    xmlNode *codes[8];
    size_t n = 0;
    collect(root, "Code", codes, &n, 8);
    ck_assert_uint_eq(n, 3);
    char *name = prop(codes[0], "name"), *color = prop(codes[0], "color");
    ck_assert_str_eq(name, "Santé");
    ck_assert_str_eq(color, "#d62728");
    xmlFree(name);
    xmlFree(color);
    /* protection is nested in sante, teletravail is not */
    ck_assert_ptr_eq(codes[1]->parent, codes[0]);
    ck_assert_ptr_eq(codes[2]->parent, codes[0]->parent);
    xmlNode *desc[2];
    size_t nd = 0;
    collect(codes[0]->children, "Description", desc, &nd, 2);
    ck_assert_uint_eq(nd, 1);
    xmlChar *d = xmlNodeGetContent(desc[0]);
    ck_assert_str_eq((const char *)d, "La santé & les soins <publics>.");
    xmlFree(d);
    char *g[3];
    for (int i = 0; i < 3; i++) {
        g[i] = prop(codes[i], "guid");
        ck_assert_msg(uuid_shaped(g[i]), "guid %s", g[i]);
    }
    ck_assert_str_ne(g[0], g[1]);
    ck_assert_str_ne(g[1], g[2]);
    for (int i = 0; i < 3; i++)
        xmlFree(g[i]);
    xmlFreeDoc(doc);

    /* a second export: the same bytes */
    char path2[128];
    snprintf(path2, sizeof(path2), "%s/c2.qdc", dir);
    ck_assert_int_eq(grille_refi_export_qdc(cb, path2, &err), 0);
    assert_same_file(path, path2);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_qdc_missing_folder)
{
    grille_codebook *cb = load_cb();
    char path[128];
    grille_error err = {0};
    snprintf(path, sizeof(path), "%s/no/c.qdc", dir);
    ck_assert_int_eq(grille_refi_export_qdc(cb, path, &err), GRILLE_EIO);
    ck_assert_msg(strstr(err.message, path), "%s", err.message);
    ck_assert_int_eq(err.detail, ENOENT); /* errno, as other file errors */
    ck_assert_int_eq(access(path, F_OK), -1);
    grille_codebook_free(cb);
}
END_TEST

static void add(grille_store *s, grille_analyser *a, grille_codebook *cb,
                const char *name, const char *content)
{
    grille_text *t = NULL;
    grille_error err = {0};
    int64_t id;
    ck_assert_int_eq(grille_text_decode(&t, content, strlen(content), name,
                                        &err),
                     0);
    int rc = grille_store_add(s, a, cb, name, name, t, &id, &err);
    ck_assert_msg(rc == 0, "%s", err.message);
    grille_text_free(t);
}

/* A new project in the test's folder, with `yaml`. */
static grille_store *new_store(void)
{
    grille_store *s = NULL;
    grille_error err = {0};
    char db[128];
    snprintf(db, sizeof(db), "%s/p.db", dir);
    int rc = grille_store_create(&s, db, yaml, strlen(yaml), "t.yaml",
                                 GRILLE_UNIT_PARAGRAPH, &err);
    ck_assert_msg(rc == 0, "%s", err.message);
    return s;
}

/* The code points [start, end) of UTF-8 `s` as a new string. */
static char *cp_slice(const char *s, size_t len, long start, long end)
{
    long cp = 0;
    size_t b0 = len, b1 = len;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (cp == start)
            b0 = i;
        if (cp == end) {
            b1 = i;
            break;
        }
        cp++;
    }
    ck_assert(b0 <= b1 && b1 <= len);
    char *r = malloc(b1 - b0 + 1);
    memcpy(r, s + b0, b1 - b0);
    r[b1 - b0] = 0;
    return r;
}

static char *zip_text(zip_t *z, const char *name, size_t *len)
{
    zip_stat_t st;
    ck_assert_msg(zip_stat(z, name, 0, &st) == 0, "no %s", name);
    zip_file_t *f = zip_fopen(z, name, 0);
    ck_assert_ptr_nonnull(f);
    char *b = malloc(st.size + 1);
    ck_assert_int_eq(zip_fread(f, b, st.size), (zip_int64_t)st.size);
    b[st.size] = 0;
    zip_fclose(f);
    *len = st.size;
    return b;
}

START_TEST(test_qdpx_selections)
{
    grille_codebook *cb = load_cb();
    grille_analyser *a = NULL;
    grille_store *s = new_store();
    grille_error err = {0};
    char path[128], path2[128];
    snprintf(path, sizeof(path), "%s/p.qdpx", dir);
    snprintf(path2, sizeof(path2), "%s/p2.qdpx", dir);
    ck_assert_int_eq(grille_analyser_new(&a, &err), 0);
    ck_assert_int_eq(grille_store_begin(s, &err), 0);
    add(s, a, cb, "millau.md", millau);
    add(s, a, cb, "albi.md", albi);
    ck_assert_int_eq(grille_store_commit(s, &err), 0);
    int rc = grille_refi_export_qdpx(s, path, &err);
    ck_assert_msg(rc == 0, "%s", err.message);
    ck_assert_int_eq(grille_refi_export_qdpx(s, path2, &err), 0);
    assert_same_file(path, path2);
    /* selections of no kind: refused, no file written */
    char path3[128];
    snprintf(path3, sizeof(path3), "%s/p3.qdpx", dir);
    ck_assert_int_eq(grille_refi_export_qdpx_as(s, path3,
                                                (grille_selections)9, &err),
                     GRILLE_EINVALID);
    ck_assert_int_ne(access(path3, F_OK), 0);

    int zerr;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    ck_assert_ptr_nonnull(z);
    ck_assert_int_eq(zip_get_num_entries(z, 0), 3);
    size_t qlen;
    char *qde = zip_text(z, "project.qde", &qlen);
    xmlDoc *doc = xmlReadMemory(qde, (int)qlen, "project.qde", NULL,
                                XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *srcs[4], *sels[32], *vars[8], *cases[4];
    size_t ns = 0, nv = 0, nc = 0;
    collect(root, "TextSource", srcs, &ns, 4);
    collect(root, "Variable", vars, &nv, 8);
    collect(root, "Case", cases, &nc, 4);
    ck_assert_uint_eq(ns, 2);
    ck_assert_uint_eq(nc, 2);
    ck_assert_uint_eq(nv, 2); /* collectivite, habitants */
    char *vt = prop(vars[1], "typeOfVariable");
    ck_assert_str_eq(vt, "Integer");
    xmlFree(vt);
    const char *want[2][5] = {{"masques", "visio", NULL},
                              {"santé", "masques", "gel", "télétravail", NULL}};
    for (size_t i = 0; i < ns; i++) {
        char *name = prop(srcs[i], "name"), *ref = prop(srcs[i], "plainTextPath");
        int w = strcmp(name, "albi.md") == 0 ? 0 : 1;
        ck_assert_str_eq(name, w ? "millau.md" : "albi.md");
        ck_assert(strncmp(ref, "internal://", 11) == 0);
        char inner[96];
        snprintf(inner, sizeof(inner), "sources/%s", ref + 11);
        size_t tlen;
        char *text = zip_text(z, inner, &tlen);
        ck_assert_ptr_null(strchr(text, '\r'));
        ck_assert_ptr_null(strstr(text, "collectivite"));
        size_t nsel = 0;
        collect(srcs[i]->children, "PlainTextSelection", sels, &nsel, 32);
        size_t k = 0;
        for (; want[w][k]; k++) {
            ck_assert_msg(k < nsel, "%s: %zu selections", name, nsel);
            char *s0 = prop(sels[k], "startPosition");
            char *s1 = prop(sels[k], "endPosition");
            char *got = cp_slice(text, tlen, atol(s0), atol(s1));
            ck_assert_str_eq(got, want[w][k]);
            free(got);
            xmlFree(s0);
            xmlFree(s1);
        }
        ck_assert_uint_eq(nsel, k);
        free(text);
        xmlFree(name);
        xmlFree(ref);
    }
    xmlFreeDoc(doc);
    free(qde);
    zip_close(z);
    grille_store_close(s);
    grille_analyser_free(a);
    grille_codebook_free(cb);
}
END_TEST

/* Adds albi.md and exports the project to `path` in a transaction, then
 * rolls it back. */
static void export_albi_rolled_back(grille_store *s, grille_analyser *a,
                                    grille_codebook *cb, const char *path)
{
    grille_error err = {0};
    ck_assert_int_eq(grille_store_begin(s, &err), 0);
    add(s, a, cb, "albi.md", albi);
    ck_assert_int_eq(grille_refi_export_qdpx(s, path, &err), 0);
    grille_store_rollback(s);
}

/* An export inside the caller's transaction leaves it open: a rollback
 * after it still undoes what came before. */
START_TEST(test_qdpx_keeps_transaction)
{
    grille_codebook *cb = load_cb();
    grille_analyser *a = NULL;
    grille_store *s = new_store();
    grille_error err = {0};
    char path[128];
    snprintf(path, sizeof(path), "%s/p.qdpx", dir);
    ck_assert_int_eq(grille_analyser_new(&a, &err), 0);
    export_albi_rolled_back(s, a, cb, path);
    int64_t id;
    ck_assert_int_eq(grille_store_find(s, "albi.md", &id, &err),
                     GRILLE_ENOTFOUND);
    grille_store_close(s);
    grille_analyser_free(a);
    grille_codebook_free(cb);
}
END_TEST

/* An import with another codebook than the project's, or without an
 * analyser, is refused: not taken for sources without text, each skipped,
 * and nothing imported with a success. */
START_TEST(test_qdpx_import_needs_its_codebook)
{
    grille_codebook *cb = load_cb(), *other = NULL;
    grille_analyser *a = NULL;
    grille_store *s = new_store();
    grille_error err = {0};
    char path[128];
    snprintf(path, sizeof(path), "%s/p.qdpx", dir);
    ck_assert_int_eq(grille_analyser_new(&a, &err), 0);
    export_albi_rolled_back(s, a, cb, path);
    const char *y2 = "themes:\n  autre: {terms: [mairie]}\n";
    ck_assert_int_eq(grille_codebook_load(&other, y2, strlen(y2), "o.yaml",
                                          &err),
                     0);
    grille_refi_import_stats st;
    const grille_codebook *cbs[] = {other, NULL, cb};
    grille_analyser *as[] = {a, a, NULL};
    const char *says[] = {"not the project's", "no codebook given",
                          "no analyser given"};
    for (size_t k = 0; k < 3; k++) {
        memset(&err, 0, sizeof(err));
        ck_assert_int_eq(grille_store_begin(s, &err), 0);
        ck_assert_int_eq(
            grille_refi_import_qdpx(s, as[k], cbs[k], path, &st, &err),
            GRILLE_EINVALID);
        grille_store_rollback(s);
        ck_assert_msg(strstr(err.message, says[k]), "%zu: %s", k,
                      err.message);
    }
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_begin(s, &err), 0);
    ck_assert_int_eq(grille_refi_import_qdpx(s, a, cb, path, &st, &err), 0);
    ck_assert_int_eq(grille_store_commit(s, &err), 0);
    ck_assert_int_eq(st.documents, 1);
    ck_assert_int_eq(st.sources_skipped, 0);
    grille_codebook_free(other);
    grille_store_close(s);
    grille_analyser_free(a);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_qdpx_missing_folder)
{
    grille_codebook *cb = load_cb();
    grille_store *s = new_store();
    grille_error err = {0};
    char path[128];
    snprintf(path, sizeof(path), "%s/no/p.qdpx", dir);
    ck_assert_int_eq(grille_refi_export_qdpx(s, path, &err), GRILLE_EIO);
    ck_assert_msg(strstr(err.message, path), "%s", err.message);
    ck_assert_int_eq(err.detail, ENOENT);
    ck_assert_int_eq(access(path, F_OK), -1);
    /* and the import of a file that is not there */
    grille_analyser *a = NULL;
    ck_assert_int_eq(grille_analyser_new(&a, &err), 0);
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_begin(s, &err), 0);
    ck_assert_int_eq(grille_refi_import_qdpx(s, a, cb, path, NULL, &err),
                     GRILLE_EIO);
    grille_store_rollback(s);
    ck_assert_msg(strstr(err.message, path), "%s", err.message);
    ck_assert_int_eq(err.detail, ENOENT);
    grille_analyser_free(a);
    grille_store_close(s);
    grille_codebook_free(cb);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refi");
    TCase *tc = tcase_create("qdc");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_qdc_tree);
    tcase_add_test(tc, test_qdc_missing_folder);
    suite_add_tcase(s, tc);
    tc = tcase_create("qdpx");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_qdpx_selections);
    tcase_add_test(tc, test_qdpx_missing_folder);
    tcase_add_test(tc, test_qdpx_import_needs_its_codebook);
    tcase_add_test(tc, test_qdpx_keeps_transaction);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
