/*
 * test_store.c - unit tests of lib/store.c, the project store: one SQLite
 * file per project.  Each test runs in its own fresh folder under /tmp
 * (made by mkdtemp in the fixture, removed with everything in it in the
 * teardown).  They check that a project is created private (mode 0600),
 * marked as grille's (application_id, user_version), with STRICT tables and
 * its meta rows, and never over an existing file nor left behind when the
 * codebook is bad; that opening tells a missing file, a text file, another
 * application's database and a newer project apart, and that a read-only
 * project refuses writes; that adding small French notes with a YAML front
 * matter stores exactly what grille_analyser_run() finds in them with the
 * same codebook (documents, segments, words, codings with their term, rule
 * and line, the front matter's attributes), refuses the same content twice
 * and a codebook that is not the project's, and falls back on the path
 * when a name is taken; that transactions keep all or nothing; finding,
 * removing (with the rows that depend on a document) and setting
 * attributes; recoding with a second codebook, whose per-code changes are
 * recomputed here independently from the analyser, which keeps manual
 * codings and reports its progress; the stored text; and two handles on
 * one file, the second finding the project busy while the first writes.
 * The file is also inspected with SQLite directly, beside the library.
 */
#include "grille.h"
#include "heap.h"
#include "store.h"
#include "thread.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"

/* ------------------------------------------------------------- fixtures */

static const char yaml1[] = "name: Test store\n"
                            "themes:\n"
                            "  sante:\n"
                            "    terms: [santé]\n"
                            "    children:\n"
                            "      protection: {terms: [masques, gel]}\n"
                            "  teletravail: {terms: [télétravail, visio*]}\n";

/* The first codebook plus one term, "blouses", for sante/protection. */
static const char yaml2[] =
    "name: Test store\n"
    "themes:\n"
    "  sante:\n"
    "    terms: [santé]\n"
    "    children:\n"
    "      protection: {terms: [masques, gel, blouses]}\n"
    "  teletravail: {terms: [télétravail, visio*]}\n";

/* The first codebook without the theme teletravail. */
static const char yaml3[] = "name: Test store\n"
                            "themes:\n"
                            "  sante:\n"
                            "    terms: [santé]\n"
                            "    children:\n"
                            "      protection: {terms: [masques, gel]}\n";

/* The first codebook plus a theme, equipement. */
static const char yaml4[] =
    "name: Test store\n"
    "themes:\n"
    "  sante:\n"
    "    terms: [santé]\n"
    "    children:\n"
    "      protection: {terms: [masques, gel]}\n"
    "  teletravail: {terms: [télétravail, visio*]}\n"
    "  equipement: {terms: [ordinateur portable, blouses]}\n";

static const char millau[] =
    "---\n"
    "collectivite: Millau\n"
    "type: commune\n"
    "---\n"
    "# Entretien avec la DGS\n"
    "\n"
    "Q : Comment la santé des agents a-t-elle été suivie ?\n"
    "\n"
    "DGS : Nous avons distribué des masques et du gel dès le 16 mars. La "
    "santé mentale des équipes a été suivie par la médecine du travail.\n"
    "\n"
    "- télétravail généralisé pour les services administratifs\n"
    "- réunions en visio chaque lundi\n"
    "- blouses pour les aides à domicile\n";

static const char rodez[] =
    "---\n"
    "collectivite: Rodez\n"
    "type: agglomération\n"
    "---\n"
    "Le télétravail a posé des difficultés aux agents sans ordinateur "
    "portable.\n"
    "\n"
    "Les blouses ont manqué en avril ; la santé des aides à domicile "
    "inquiétait la direction.\n";

/* A third note, without front matter. */
static const char albi[] = "Les masques sont arrivés le 2 avril.\n"
                           "\n"
                           "Point santé chaque lundi en visioconférence.\n";

/* Every test's folder is made in `root`, which main() removes at the end:
 * a test that fails in a forked child leaves without its teardown. */
static char root[64];
static char dir[96];
static char proj[128];
static grille_analyser *an;  /* the one the store uses */
static grille_analyser *ref; /* the one that computes expectations */
static grille_store *st, *st2;
static grille_codebook *cb, *cb2;

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes `path` with everything in it. */
static void remove_tree(const char *path)
{
    if (path[0])
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    snprintf(dir, sizeof(dir), "%s/test-XXXXXX", root);
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
    snprintf(proj, sizeof(proj), "%s/projet.grille", dir);
    st = st2 = NULL;
    cb = cb2 = NULL;
    int rc = grille_analyser_new(&an, &err);
    ck_assert_msg(rc == 0, "analyser: %s", err.message);
    rc = grille_analyser_new(&ref, &err);
    ck_assert_msg(rc == 0, "analyser: %s", err.message);
}

static void teardown(void)
{
    grille_store_close(st);
    grille_store_close(st2);
    grille_codebook_free(cb);
    grille_codebook_free(cb2);
    grille_analyser_free(an);
    grille_analyser_free(ref);
    st = st2 = NULL;
    cb = cb2 = NULL;
    an = ref = NULL;
    remove_tree(dir);
    dir[0] = '\0';
}

/* ------------------------------------------------------------- helpers */

/* `name` in the test's folder, in a static buffer (one of four). */
static const char *in_dir(const char *name)
{
    static char bufs[4][192];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
    return b;
}

static void write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    size_t n = strlen(content);
    size_t w = fwrite(content, 1, n, f);
    int c = fclose(f);
    ck_assert_msg(w == n && c == 0, "cannot write %s", path);
}

/* The whole file at `path` into buf (NUL terminated); its length. */
static size_t read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s: %s", path, strerror(errno));
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n;
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Creates the test's project with `yaml`; st holds it. */
static void create(const char *yaml, grille_unit unit)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_create(&st, proj, yaml, strlen(yaml), "test.yaml",
                                 unit, &err);
    ck_assert_msg(rc == 0 && st != NULL, "create %s failed (%d): %s", proj, rc,
                  err.message);
}

/* Loads the project's own codebook into cb. */
static void project_codebook(void)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_codebook_free(cb);
    cb = NULL;
    int rc = grille_store_codebook(st, &cb, &err);
    ck_assert_msg(rc == 0 && cb != NULL, "project codebook (%d): %s", rc,
                  err.message);
}

/* A new project with yaml1 and its codebook in cb. */
static void fresh(void)
{
    create(yaml1, GRILLE_UNIT_PARAGRAPH);
    project_codebook();
}

static grille_codebook *load_cb(const char *yaml)
{
    grille_codebook *c = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_codebook_load(&c, yaml, strlen(yaml), "other.yaml", &err);
    ck_assert_msg(rc == 0, "codebook does not load: %s\n--- yaml:\n%s",
                  err.message, yaml);
    return c;
}

static void begin(grille_store *s)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_begin(s, &err);
    ck_assert_msg(rc == 0, "begin failed (%d): %s", rc, err.message);
}

static void commit(grille_store *s)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_commit(s, &err);
    ck_assert_msg(rc == 0, "commit failed (%d): %s", rc, err.message);
}

/* Adds `content` as `name` from `path` with codebook `c`; returns the code
 * and fills *id and err. */
static int try_add(const grille_codebook *c, const char *name, const char *path,
                   const char *content, int64_t *id, grille_error *err)
{
    grille_text *t = NULL;
    memset(err, 0, sizeof(*err));
    int rc = grille_text_decode(&t, content, strlen(content), path, err);
    ck_assert_msg(rc == 0, "test bug: text does not decode: %s", err->message);
    rc = grille_store_add(st, an, c, name, path, t, id, err);
    grille_text_free(t);
    return rc;
}

/* Adds a document with the project's codebook, inside the caller's
 * transaction; returns its id. */
static int64_t add(const char *name, const char *path, const char *content)
{
    grille_error err;
    int64_t id = -1;
    int rc = try_add(cb, name, path, content, &id, &err);
    ck_assert_msg(rc == 0, "adding %s failed (%d): %s", name, rc, err.message);
    ck_assert_msg(id > 0, "adding %s gave id %lld", name, (long long)id);
    return id;
}

/* The same in a transaction of its own. */
static int64_t add_tx(const char *name, const char *path, const char *content)
{
    begin(st);
    int64_t id = add(name, path, content);
    commit(st);
    return id;
}

/* --------------------------------------------------- SQLite on its own */

static sqlite3 *raw_open(const char *path, int flags)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        ck_abort_msg("sqlite3 cannot open %s: %s", path, sqlite3_errstr(rc));
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* Runs statements on the project file with SQLite itself. */
static void raw_exec_at(const char *path, const char *sql)
{
    sqlite3 *db = raw_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    char *msg = NULL;
    char buf[512] = "";
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        snprintf(buf, sizeof(buf), "%s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(db);
    ck_assert_msg(rc == SQLITE_OK, "sqlite3 '%s' failed: %s", sql, buf);
}

static void raw_exec(const char *sql)
{
    raw_exec_at(proj, sql);
}

/* The first column of the first row of `sql` as text (into buf) or as an
 * integer (returned); fails when there is no row. */
static int64_t raw_query_at(const char *path, const char *sql, char *buf,
                            size_t size)
{
    sqlite3 *db = raw_open(path, SQLITE_OPEN_READONLY);
    sqlite3_stmt *q = NULL;
    char msg[512] = "";
    int64_t v = 0;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            v = sqlite3_column_int64(q, 0);
            if (buf) {
                const unsigned char *t = sqlite3_column_text(q, 0);
                snprintf(buf, size, "%s", t ? (const char *)t : "");
            }
        } else {
            snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
        }
    } else {
        snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    ck_assert_msg(rc == SQLITE_ROW, "sqlite3 '%s' gave no row: %s", sql, msg);
    return v;
}

static int64_t raw_int(const char *sql)
{
    return raw_query_at(proj, sql, NULL, 0);
}

static const char *raw_text(const char *sql)
{
    static char buf[1024];
    raw_query_at(proj, sql, buf, sizeof(buf));
    return buf;
}

/* ------------------------------------------------------------ listings */

typedef struct doc_rec {
    int64_t id;
    char name[96], path[192], sha256[80], encoding[32];
    size_t bytes, words, segments, coded_segments, codings;
} doc_rec;

typedef struct docs {
    doc_rec d[8];
    size_t n;
} docs;

static int on_doc(const grille_doc_info *d, void *payload)
{
    docs *l = payload;
    ck_assert_msg(l->n < 8, "more than 8 documents listed");
    doc_rec *r = &l->d[l->n++];
    r->id = d->id;
    snprintf(r->name, sizeof(r->name), "%s", d->name);
    snprintf(r->path, sizeof(r->path), "%s", d->path);
    snprintf(r->sha256, sizeof(r->sha256), "%s", d->sha256);
    snprintf(r->encoding, sizeof(r->encoding), "%s", d->encoding);
    r->bytes = d->bytes;
    r->words = d->words;
    r->segments = d->segments;
    r->coded_segments = d->coded_segments;
    r->codings = d->codings;
    return 0;
}

static void list_docs(grille_store *s, docs *l)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    memset(l, 0, sizeof(*l));
    int rc = grille_store_foreach_doc(s, on_doc, l, &err);
    ck_assert_msg(rc == 0, "foreach_doc failed (%d): %s", rc, err.message);
}

static size_t count_docs(grille_store *s)
{
    docs l;
    list_docs(s, &l);
    return l.n;
}

/* The listed document named `name`, or NULL. */
static const doc_rec *doc_named(const docs *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->d[i].name, name) == 0)
            return &l->d[i];
    return NULL;
}

typedef struct attr_rec {
    char key[64], value[128], origin[64];
} attr_rec;

typedef struct attrs_list {
    attr_rec a[8];
    size_t n;
} attrs_list;

static int on_attr(const grille_attr_info *a, void *payload)
{
    attrs_list *l = payload;
    ck_assert_msg(l->n < 8, "more than 8 attributes listed");
    attr_rec *r = &l->a[l->n++];
    snprintf(r->key, sizeof(r->key), "%s", a->key);
    snprintf(r->value, sizeof(r->value), "%s", a->value);
    snprintf(r->origin, sizeof(r->origin), "%s", a->origin);
    return 0;
}

static void list_attrs(int64_t id, attrs_list *l)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    memset(l, 0, sizeof(*l));
    int rc = grille_store_foreach_attr(st, id, on_attr, l, &err);
    ck_assert_msg(rc == 0, "foreach_attr failed (%d): %s", rc, err.message);
}

static void expect_attr(const attrs_list *l, const char *key, const char *value,
                        const char *origin)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->a[i].key, key) != 0)
            continue;
        ck_assert_msg(strcmp(l->a[i].value, value) == 0,
                      "attribute %s is '%s', expected '%s'", key, l->a[i].value,
                      value);
        ck_assert_msg(strcmp(l->a[i].origin, origin) == 0,
                      "attribute %s comes from '%s', expected '%s'", key,
                      l->a[i].origin, origin);
        return;
    }
    ck_abort_msg("no attribute '%s' (expected '%s' from %s)", key, value,
                 origin);
}

typedef struct coding_rec {
    int64_t doc;
    size_t segment, start, end;
    unsigned line;
    char code[64], term[128], rule[64], origin[16];
} coding_rec;

typedef struct codings_list {
    coding_rec c[64];
    size_t n;
} codings_list;

static int on_coding(const grille_coding_info *c, void *payload)
{
    codings_list *l = payload;
    ck_assert_msg(l->n < 64, "more than 64 codings listed");
    coding_rec *r = &l->c[l->n++];
    r->doc = c->document;
    r->segment = c->segment;
    r->start = c->start;
    r->end = c->end;
    r->line = c->line;
    snprintf(r->code, sizeof(r->code), "%s", c->code);
    snprintf(r->term, sizeof(r->term), "%s", c->term);
    snprintf(r->rule, sizeof(r->rule), "%s", c->rule);
    snprintf(r->origin, sizeof(r->origin), "%s", c->origin);
    return 0;
}

static void list_codings(int64_t id, codings_list *l)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    memset(l, 0, sizeof(*l));
    int rc = grille_store_foreach_coding(st, id, on_coding, l, &err);
    ck_assert_msg(rc == 0, "foreach_coding failed (%d): %s", rc, err.message);
}

/* ---------------------------------------------------------- expectations */

/* Runs the reference analyser on `text` (front matter skipped) with
 * codebook `c`; returns where the body starts. */
static size_t analyse(const grille_codebook *c, const char *text)
{
    grille_error err;
    size_t ys = 0, ye = 0, body = 0;
    memset(&err, 0, sizeof(err));
    int fm =
        grille_text_front_matter(text, strlen(text), &ys, &ye, &body, &err);
    ck_assert_msg(fm >= 0, "test bug: front matter: %s", err.message);
    int rc = grille_analyser_run(ref, text, strlen(text), body,
                                 GRILLE_UNIT_PARAGRAPH, c, "ref.md", &err);
    ck_assert_msg(rc == 0, "reference analysis failed: %s", err.message);
    return body;
}

/* Asserts that `got` holds exactly the codings the analyser finds in
 * `text` with codebook `c`, in the same order, all automatic. */
static void expect_as_analysed(const codings_list *got, const char *text,
                               const grille_codebook *c, const char *what)
{
    const grille_segment *segs;
    const grille_coding *cod;
    analyse(c, text);
    size_t nseg = grille_analyser_segments(ref, &segs);
    size_t n = grille_analyser_codings(ref, &cod);
    ck_assert_msg(n > 0, "test bug: %s has no coding", what);
    ck_assert_msg(got->n == n,
                  "%s: %zu codings stored, the analyser finds "
                  "%zu",
                  what, got->n, n);
    for (size_t k = 0; k < n; k++) {
        const coding_rec *r = &got->c[k];
        grille_code_info ci;
        grille_rule_info ri;
        ck_assert_int_eq(grille_codebook_code(c, cod[k].code, &ci), 0);
        ck_assert_int_eq(grille_codebook_rule(c, cod[k].rule, &ri), 0);
        ck_assert_msg(cod[k].segment < nseg, "test bug: segment");
        int tl = (int)(cod[k].end - cod[k].start);
        ck_assert_msg(strcmp(r->code, ci.id) == 0,
                      "%s: coding %zu is '%s', the analyser says '%s'", what, k,
                      r->code, ci.id);
        ck_assert_msg(r->start == cod[k].start && r->end == cod[k].end,
                      "%s: coding %zu (%s) spans %zu-%zu, the analyser "
                      "%zu-%zu",
                      what, k, ci.id, r->start, r->end, cod[k].start,
                      cod[k].end);
        ck_assert_msg(r->segment == cod[k].segment,
                      "%s: coding %zu is in segment %zu, the analyser %zu",
                      what, k, r->segment, cod[k].segment);
        ck_assert_msg(r->line == segs[cod[k].segment].line,
                      "%s: coding %zu is on line %u, its segment on %u", what,
                      k, r->line, segs[cod[k].segment].line);
        ck_assert_msg(strlen(r->term) == (size_t)tl &&
                          memcmp(r->term, text + cod[k].start, (size_t)tl) == 0,
                      "%s: coding %zu has term '%s', the text '%.*s'", what, k,
                      r->term, tl, text + cod[k].start);
        ck_assert_msg(strcmp(r->rule, ri.text) == 0,
                      "%s: coding %zu has rule '%s', the codebook '%s'", what,
                      k, r->rule, ri.text);
        ck_assert_msg(strcmp(r->origin, "automatic") == 0,
                      "%s: coding %zu has origin '%s', not automatic", what, k,
                      r->origin);
    }
}

/* Segments of `text` coded by code `id` or one of its descendants with
 * codebook `c`, as a bit set (0 when `c` has no such code). */
/* Whether code x of codebook c is code `want` or one of its children. */
static bool under_code(const grille_codebook *c, long x, long want)
{
    while (x >= 0 && x != want) {
        grille_code_info ci;
        ck_assert_int_eq(grille_codebook_code(c, (size_t)x, &ci), 0);
        x = ci.parent;
    }
    return x == want;
}

static uint64_t coded_by(const grille_codebook *c, const char *id,
                         const char *text)
{
    const grille_coding *cod;
    long want = grille_codebook_find(c, id);
    uint64_t set = 0;
    if (want < 0)
        return 0;
    analyse(c, text);
    size_t n = grille_analyser_codings(ref, &cod);
    for (size_t k = 0; k < n; k++) {
        if (under_code(c, (long)cod[k].code, want)) {
            ck_assert_msg(cod[k].segment < 64, "test bug: segment %zu",
                          cod[k].segment);
            set |= UINT64_C(1) << cod[k].segment;
        }
    }
    return set;
}

/* How many codings of code `id` or of its children codebook `c` makes on
 * `text`. */
static size_t codings_by(const grille_codebook *c, const char *id,
                         const char *text)
{
    const grille_coding *cod;
    long want = grille_codebook_find(c, id);
    size_t count = 0;
    if (want < 0)
        return 0;
    analyse(c, text);
    size_t n = grille_analyser_codings(ref, &cod);
    for (size_t k = 0; k < n; k++)
        count += under_code(c, (long)cod[k].code, want);
    return count;
}

static size_t popcount(uint64_t x)
{
    size_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

typedef struct change_rec {
    char code[64];
    size_t before, after, gained, lost, codings_before, codings_after;
} change_rec;

typedef struct changes_list {
    change_rec c[16];
    size_t n;
    size_t progress_calls;
    size_t done[16], total[16];
} changes_list;

static int on_change(const grille_recode_change *c, void *payload)
{
    changes_list *l = payload;
    ck_assert_msg(l->n < 16, "more than 16 changes reported");
    change_rec *r = &l->c[l->n++];
    snprintf(r->code, sizeof(r->code), "%s", c->code);
    r->before = c->before;
    r->after = c->after;
    r->gained = c->gained;
    r->lost = c->lost;
    r->codings_before = c->codings_before;
    r->codings_after = c->codings_after;
    return 0;
}

static void on_progress(size_t done, size_t total, void *payload)
{
    changes_list *l = payload;
    ck_assert_msg(l->progress_calls < 16, "more than 16 progress calls");
    l->done[l->progress_calls] = done;
    l->total[l->progress_calls] = total;
    l->progress_calls++;
}

/* Recodes the project with `c` made from `yaml`, inside the caller's
 * transaction. */
static void recode(const grille_codebook *c, const char *yaml, changes_list *l)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    memset(l, 0, sizeof(*l));
    int rc = grille_store_recode(st, an, c, yaml, strlen(yaml), "new.yaml",
                                 on_progress, on_change, l, &err);
    ck_assert_msg(rc == 0, "recode failed (%d): %s", rc, err.message);
}

/* The two notes with front matter, added with yaml1. */
static void two_notes(int64_t *m, int64_t *r)
{
    fresh();
    begin(st);
    *m = add("itw-millau.md", "notes/itw-millau.md", millau);
    *r = add("itw-rodez.md", "notes/itw-rodez.md", rodez);
    commit(st);
}

/* --------------------------------------------------------------- create */

START_TEST(test_create_mode_0600)
{
    struct stat sb;
    create(yaml1, GRILLE_UNIT_PARAGRAPH);
    ck_assert_msg(stat(proj, &sb) == 0, "no file %s after create", proj);
    ck_assert_msg(S_ISREG(sb.st_mode), "%s is not a regular file", proj);
    ck_assert_msg((sb.st_mode & 07777) == 0600,
                  "project mode is %04o, expected 0600 (personal data)",
                  (unsigned)(sb.st_mode & 07777));
    /* the write-ahead log, while the project is open, is as private */
    char wal[200];
    snprintf(wal, sizeof(wal), "%s-wal", proj);
    if (stat(wal, &sb) == 0)
        ck_assert_msg((sb.st_mode & 077) == 0, "%s has mode %04o", wal,
                      (unsigned)(sb.st_mode & 07777));
}
END_TEST

START_TEST(test_create_application_id_and_version)
{
    create(yaml1, GRILLE_UNIT_PARAGRAPH);
    grille_store_close(st);
    st = NULL;
    int64_t app = raw_int("PRAGMA application_id");
    int64_t ver = raw_int("PRAGMA user_version");
    ck_assert_msg(app == 0x47524C45,
                  "application_id is 0x%llX, expected 0x47524C45 (GRLE)",
                  (unsigned long long)app);
    ck_assert_msg(ver == 8, "user_version is %lld, expected 8", (long long)ver);
    const char *mode = raw_text("PRAGMA journal_mode");
    ck_assert_msg(strcmp(mode, "wal") == 0, "journal_mode is '%s', not wal",
                  mode);
}
END_TEST

START_TEST(test_create_tables_strict)
{
    create(yaml1, GRILLE_UNIT_PARAGRAPH);
    int64_t tables = raw_int("SELECT count(*) FROM sqlite_schema WHERE type "
                             "= 'table' AND name NOT LIKE 'sqlite_%'");
    ck_assert_msg(tables == 9,
                  "%lld tables, expected 9 (meta, codebook, documents, "
                  "attributes, segments, codes, codings, doc_stats, "
                  "term_stats)",
                  (long long)tables);
    const char *lax = raw_text(
        "SELECT coalesce(group_concat(name, ', '), '') FROM sqlite_schema "
        "WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE "
        "'%STRICT%'");
    ck_assert_msg(*lax == '\0', "tables not STRICT: %s", lax);
}
END_TEST

START_TEST(test_create_meta)
{
    create(yaml1, GRILLE_UNIT_SENTENCE);
    ck_assert_msg(grille_store_unit(st) == GRILLE_UNIT_SENTENCE,
                  "unit after create is %s, expected sentence",
                  grille_unit_name(grille_store_unit(st)));
    const char *v =
        raw_text("SELECT value FROM meta WHERE key = 'schema_version'");
    ck_assert_msg(strcmp(v, "8") == 0, "meta schema_version is '%s'", v);
    v = raw_text("SELECT value FROM meta WHERE key = 'unit'");
    ck_assert_msg(strcmp(v, "sentence") == 0, "meta unit is '%s'", v);
    v = raw_text("SELECT value FROM meta WHERE key = 'stemmer'");
    ck_assert_msg(strstr(v, "french") != NULL,
                  "meta stemmer '%s' does not name French", v);
    /* the unit survives a reopen */
    grille_store_close(st);
    st = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == 0, "reopen failed (%d): %s", rc, err.message);
    ck_assert_msg(grille_store_unit(st) == GRILLE_UNIT_SENTENCE,
                  "unit after reopen is %s, expected sentence",
                  grille_unit_name(grille_store_unit(st)));
}
END_TEST

START_TEST(test_create_keeps_codebook)
{
    char *yaml = NULL, *source = NULL;
    size_t len = 0;
    grille_error err;
    memset(&err, 0, sizeof(err));
    create(yaml1, GRILLE_UNIT_PARAGRAPH);
    int rc = grille_store_codebook_text(st, &yaml, &len, &source, &err);
    ck_assert_msg(rc == 0, "codebook_text failed (%d): %s", rc, err.message);
    int same = len == strlen(yaml1) && memcmp(yaml, yaml1, len) == 0;
    int named = strcmp(source, "test.yaml") == 0;
    char got[64];
    snprintf(got, sizeof(got), "%s", source);
    grille_free(yaml);
    grille_free(source);
    ck_assert_msg(same, "the stored codebook is not the YAML given");
    ck_assert_msg(named, "codebook source is '%s', expected test.yaml", got);
    /* the source is optional */
    ck_assert_int_eq(grille_store_codebook_text(st, &yaml, &len, NULL, &err),
                     0);
    ck_assert_uint_eq(len, strlen(yaml1));
    grille_free(yaml);
    /* and it loads as the same codebook (same hash) */
    project_codebook();
    cb2 = load_cb(yaml1);
    ck_assert_str_eq(grille_codebook_sha256(cb), grille_codebook_sha256(cb2));
}
END_TEST

START_TEST(test_create_over_existing_file)
{
    static const char content[] = "ne pas toucher\n";
    char buf[64];
    grille_error err;
    memset(&err, 0, sizeof(err));
    write_file(proj, content);
    grille_store *out = (grille_store *)&err; /* must be reset to NULL */
    int rc = grille_store_create(&out, proj, yaml1, strlen(yaml1), "t.yaml",
                                 GRILLE_UNIT_PARAGRAPH, &err);
    ck_assert_msg(rc == GRILLE_EEXISTS,
                  "create over a file gave %d (%s), "
                  "expected GRILLE_EEXISTS",
                  rc, err.message);
    ck_assert_msg(out == NULL, "*out not NULL after a failed create");
    ck_assert_msg(strstr(err.message, proj) != NULL,
                  "message does not name the path: %s", err.message);
    size_t n = read_file(proj, buf, sizeof(buf));
    ck_assert_msg(n == strlen(content) && strcmp(buf, content) == 0,
                  "the existing file was changed: '%s'", buf);
}
END_TEST

START_TEST(test_create_over_existing_project)
{
    fresh();
    add_tx("itw-millau.md", "itw-millau.md", millau);
    grille_store *other = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_create(&other, proj, yaml2, strlen(yaml2), "t.yaml",
                                 GRILLE_UNIT_SENTENCE, &err);
    grille_store_close(other);
    ck_assert_msg(rc == GRILLE_EEXISTS,
                  "create over a project gave %d, "
                  "expected GRILLE_EEXISTS",
                  rc);
    ck_assert_msg(count_docs(st) == 1, "the existing project lost its "
                                       "document");
}
END_TEST

START_TEST(test_create_bad_codebook_no_file)
{
    static const char bad[] = "themes:\n  sante: [santé\n";
    grille_codebook *c = NULL;
    grille_error want, err;
    memset(&want, 0, sizeof(want));
    memset(&err, 0, sizeof(err));
    int expected =
        grille_codebook_load(&c, bad, strlen(bad), "bad.yaml", &want);
    grille_codebook_free(c);
    ck_assert_msg(expected < 0, "test bug: the bad codebook loads");
    int rc = grille_store_create(&st, proj, bad, strlen(bad), "bad.yaml",
                                 GRILLE_UNIT_PARAGRAPH, &err);
    ck_assert_msg(rc == expected,
                  "create gave %d (%s), the codebook's error "
                  "is %d (%s)",
                  rc, err.message, expected, want.message);
    ck_assert_msg(strcmp(err.message, want.message) == 0,
                  "message '%s', the codebook's '%s'", err.message,
                  want.message);
    ck_assert_msg(st == NULL, "*out not NULL after a failed create");
    ck_assert_msg(!exists(proj), "%s left behind by a failed create", proj);
    ck_assert_msg(!exists(in_dir("projet.grille-wal")) &&
                      !exists(in_dir("projet.grille-journal")),
                  "SQLite files left behind by a failed create");
}
END_TEST

START_TEST(test_create_unknown_unit)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_create(&st, proj, yaml1, strlen(yaml1), "t.yaml",
                                 (grille_unit)2, &err);
    ck_assert_int_eq(rc, GRILLE_EINVALID);
    ck_assert_msg(strstr(err.message, "unknown unit 2"), "%s", err.message);
    ck_assert_msg(st == NULL, "*out not NULL after a failed create");
    ck_assert_msg(!exists(proj), "a project made with an unknown unit");
    /* the name is still free for a good create */
    ck_assert_int_eq(grille_store_create(&st, proj, yaml1, strlen(yaml1),
                                         "t.yaml", GRILLE_UNIT_SENTENCE, &err),
                     0);
}
END_TEST

START_TEST(test_create_missing_folder)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    const char *path = in_dir("nulle/part/projet.grille");
    int rc = grille_store_create(&st, path, yaml1, strlen(yaml1), "t.yaml",
                                 GRILLE_UNIT_PARAGRAPH, &err);
    ck_assert_msg(rc == GRILLE_EIO,
                  "create in a missing folder gave %d "
                  "(%s), expected GRILLE_EIO",
                  rc, err.message);
    ck_assert_msg(st == NULL, "*out not NULL after a failed create");
}
END_TEST

/* ----------------------------------------------------------------- open */

START_TEST(test_open_missing)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_store *out = (grille_store *)&err; /* must be reset to NULL */
    int rc = grille_store_open(&out, proj, 0, &err);
    ck_assert_msg(rc == GRILLE_ENOTFOUND,
                  "open of a missing file gave %d "
                  "(%s)",
                  rc, err.message);
    ck_assert_msg(out == NULL, "*out not NULL after a failed open");
    ck_assert_msg(strstr(err.message, proj) != NULL,
                  "message does not name %s: %s", proj, err.message);
    ck_assert_msg(!exists(proj), "open created %s", proj);
}
END_TEST

START_TEST(test_open_text_file)
{
    static const char content[] =
        "Entretien avec la DGS de Millau, le 12 mai 2020.\n\n"
        "La santé des agents a été suivie de près ; les masques sont "
        "arrivés tard, le télétravail a été généralisé dès le 16 mars.\n";
    char buf[512];
    grille_error err;
    memset(&err, 0, sizeof(err));
    write_file(proj, content);
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == GRILLE_ENOTPROJECT,
                  "open of a text file gave %d "
                  "(%s), expected GRILLE_ENOTPROJECT",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "not a SQLite database") != NULL,
                  "message does not say 'not a SQLite database': %s",
                  err.message);
    ck_assert_msg(strstr(err.message, proj) != NULL,
                  "message does not name the path: %s", err.message);
    read_file(proj, buf, sizeof(buf));
    ck_assert_msg(strcmp(buf, content) == 0, "the text file was changed");
}
END_TEST

/* Another program's SQLite file, its journal beside it (journal_mode
 * PERSIST keeps one): a reading open rolls back a journal that would need
 * it, as any connection would, but says the file is no project and
 * leaves its journal mode alone (WAL is for grille's projects). */
START_TEST(test_open_other_with_journal)
{
    char journal[PATH_MAX];
    snprintf(journal, sizeof(journal), "%s-journal", proj);
    sqlite3 *db = raw_open(proj, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "PRAGMA journal_mode = PERSIST; CREATE "
                                  "TABLE t (x); INSERT INTO t VALUES (1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    struct stat sb;
    ck_assert_int_eq(stat(journal, &sb), 0);
    ck_assert_int_gt(sb.st_size, 0);
    for (int readonly = 1; readonly >= 0; readonly--) {
        grille_error err;
        memset(&err, 0, sizeof(err));
        int rc = grille_store_open(&st, proj, readonly, &err);
        ck_assert_msg(rc == GRILLE_ENOTPROJECT, "open gave %d (%s)", rc,
                      err.message);
        /* the file format's bytes 18 and 19: 1 for a rollback journal, 2
         * for WAL */
        unsigned char head[20];
        FILE *f = fopen(proj, "rb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fread(head, 1, sizeof(head), f), sizeof(head));
        fclose(f);
        ck_assert_uint_eq(head[18], 1);
        ck_assert_uint_eq(head[19], 1);
    }
    ck_assert_int_eq(raw_int("SELECT x FROM t"), 1);
}
END_TEST

START_TEST(test_open_empty_file)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    write_file(proj, "");
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == GRILLE_ENOTPROJECT,
                  "open of an empty file gave %d "
                  "(%s), expected GRILLE_ENOTPROJECT",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "not a grille project") != NULL,
                  "message: %s", err.message);
}
END_TEST

START_TEST(test_open_folder)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    const char *path = in_dir("dossier");
    ck_assert_msg(mkdir(path, 0700) == 0, "mkdir: %s", strerror(errno));
    int rc = grille_store_open(&st, path, 0, &err);
    ck_assert_msg(rc == GRILLE_ENOTPROJECT, "open of a folder gave %d (%s)", rc,
                  err.message);
    ck_assert_msg(strstr(err.message, "folder") != NULL,
                  "message does not say it is a folder: %s", err.message);
}
END_TEST

START_TEST(test_open_other_application)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    raw_exec("CREATE TABLE carnet (nom TEXT, ville TEXT);"
             "INSERT INTO carnet VALUES ('Dupont', 'Millau');"
             "PRAGMA application_id = 42;");
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == GRILLE_ENOTPROJECT,
                  "open of another application's "
                  "database gave %d (%s)",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "not a grille project") != NULL,
                  "message does not say 'not a grille project': %s",
                  err.message);
    ck_assert_msg(st == NULL, "*out not NULL after a failed open");
    /* and the database was not touched (no migration, no new table) */
    ck_assert_int_eq(raw_int("PRAGMA application_id"), 42);
    ck_assert_msg(raw_int("SELECT count(*) FROM sqlite_schema") == 1,
                  "tables were added to another application's database");
}
END_TEST

START_TEST(test_open_newer_version)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    create(yaml1, GRILLE_UNIT_PARAGRAPH);
    grille_store_close(st);
    st = NULL;
    /* as a newer grille writes it: in the header and in meta */
    raw_exec("PRAGMA user_version = 99; UPDATE meta SET value = '99' WHERE "
             "key = 'schema_version'");
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == GRILLE_EVERSION,
                  "open of a version 99 project gave "
                  "%d (%s), expected GRILLE_EVERSION",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "newer") != NULL,
                  "message does not say newer: %s", err.message);
    ck_assert_msg(st == NULL, "*out not NULL after a failed open");
    ck_assert_msg(raw_int("PRAGMA user_version") == 99,
                  "the newer project was changed by the failed open");
}
END_TEST

START_TEST(test_open_roundtrip)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int64_t id = add_tx("itw-millau.md", "notes/itw-millau.md", millau);
    grille_store_close(st);
    st = NULL;
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == 0, "reopen failed (%d): %s", rc, err.message);
    docs l;
    list_docs(st, &l);
    ck_assert_msg(l.n == 1 && l.d[0].id == id &&
                      strcmp(l.d[0].name, "itw-millau.md") == 0,
                  "after reopen %zu documents, first '%s'", l.n,
                  l.n ? l.d[0].name : "");
}
END_TEST

START_TEST(test_open_readonly)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int64_t id = add_tx("itw-millau.md", "notes/itw-millau.md", millau);
    grille_store_close(st);
    st = NULL;
    int rc = grille_store_open(&st, proj, 1, &err);
    ck_assert_msg(rc == 0, "open readonly failed (%d): %s", rc, err.message);
    ck_assert_msg(count_docs(st) == 1, "readonly: the document is not seen");
    int64_t found = 0;
    rc = grille_store_find(st, "itw-millau.md", &found, &err);
    ck_assert_msg(rc == 0 && found == id, "readonly find gave %d, id %lld", rc,
                  (long long)found);
    memset(&err, 0, sizeof(err));
    rc = grille_store_begin(st, &err);
    if (rc == 0) {
        /* BEGIN may succeed; the write itself must then fail */
        rc =
            grille_store_set_attr(st, id, "type", "EPCI", "command line", &err);
        grille_store_rollback(st);
    }
    /* a misuse of the store, not a damaged or busy file */
    ck_assert_msg(rc == GRILLE_EINVALID,
                  "writing a readonly project gave %d "
                  "(%s), expected GRILLE_EINVALID",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "read-only") != NULL,
                  "message does not say read-only: %s", err.message);
}
END_TEST

/* Misuse of the API is GRILLE_EINVALID, with a message that says what is
 * missing, never a crash nor GRILLE_ESTORE (a damaged or busy file). */
START_TEST(test_misuse_is_einvalid)
{
    grille_error err;
    int64_t id = -1;
    fresh();
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_commit(st, &err), GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "no write transaction"));
    begin(st);
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_begin(st, &err), GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "open already"));
    ck_assert_int_eq(try_add(NULL, "a.md", "a.md", "Le télétravail.\n", &id,
                             &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "no codebook"));
    ck_assert_int_eq(try_add(cb, "a.md", NULL, "Le télétravail.\n", &id,
                             &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "needs a path"));
    /* an empty name, or spaces alone: a document no one could name */
    ck_assert_int_eq(try_add(cb, "", "a.md", "Le télétravail.\n", &id, &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "needs a name"));
    ck_assert_int_eq(try_add(cb, " \t", "a.md", "Le télétravail.\n", &id,
                             &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(try_add(cb, "a.md", "", "Le télétravail.\n", &id, &err),
                     GRILLE_EINVALID);
    /* prepared with the other unit: its segments are not the project's */
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_decode(&t, "Un. Deux.\n", 10, "b.md", &err),
                     0);
    grille_prepared *p = NULL;
    grille_unit other = grille_store_unit(st) == GRILLE_UNIT_PARAGRAPH
                            ? GRILLE_UNIT_SENTENCE
                            : GRILLE_UNIT_PARAGRAPH;
    ck_assert_int_eq(grille_add_prepare(&p, an, cb, other, "b.md", t, &err),
                     0);
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_add_prepared(st, p, "b.md", "b.md", &id,
                                               &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "unit"));
    grille_prepared_free(p);
    ck_assert_int_eq(grille_add_prepare(&p, an, cb, (grille_unit)7, "b.md", t,
                                        &err),
                     GRILLE_EINVALID);
    grille_text_free(t);
    id = add("c.md", "c.md", "Le télétravail.\n");
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_set_attr(st, id, "type", "epci", NULL, &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "origin"));
    /* bytes that are not UTF-8, in a key or a value */
    ck_assert_int_eq(grille_store_set_attr(st, id, "k\xff", "v", "test", &err),
                     GRILLE_EENCODING);
    ck_assert_int_eq(grille_store_set_attr(st, id, "k", "caf\xe9", "test",
                                           &err),
                     GRILLE_EENCODING);
    ck_assert_ptr_nonnull(strstr(err.message, "value is not UTF-8"));
    commit(st);
    ck_assert_int_eq(count_docs(st), 1);
    /* no prepared document; a write asked inside a read snapshot */
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_add_prepared(st, NULL, "d.md", "d.md", &id,
                                               &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_store_read_begin(st, &err), 0);
    ck_assert_int_eq(grille_store_begin(st, &err), GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "read snapshot"));
    grille_store_read_end(st);
}
END_TEST

/* The codebook's name stays valid across transactions that keep it. */
START_TEST(test_codebook_name_lives_on)
{
    fresh();
    const char *name = grille_store_codebook_name(st);
    char *copy = strdup(name);
    ck_assert_ptr_nonnull(copy);
    add_tx("a.md", "a.md", "Le télétravail.\n");
    begin(st);
    grille_store_rollback(st);
    ck_assert_str_eq(name, copy); /* ASan: not freed */
    ck_assert_ptr_eq(grille_store_codebook_name(st), name);
    /* a recode that changes the name and the source, on this connection
     * or another's (seen at the next begin): the strings held before
     * live until the store is closed (another's recode freed the source
     * a caller held, the name kept) */
    const char *source = grille_store_codebook_source(st);
    char *source_copy = strdup(source);
    ck_assert_ptr_nonnull(source_copy);
    changes_list l;
    grille_codebook *c2 = load_cb(yaml2);
    begin(st);
    recode(c2, yaml2, &l);
    commit(st);
    ck_assert_str_eq(name, copy);
    ck_assert_str_eq(source, source_copy);
    ck_assert_str_eq(grille_store_codebook_source(st), "new.yaml");
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_store *other;
    ck_assert_int_eq(grille_store_open(&other, proj, 0, &err), 0);
    ck_assert_int_eq(grille_store_recode(other, an, cb, yaml1, strlen(yaml1),
                                         "again.yaml", NULL, NULL, NULL, &err),
                     0);
    grille_store_close(other);
    const char *source2 = grille_store_codebook_source(st);
    begin(st);
    commit(st);
    ck_assert_str_eq(grille_store_codebook_source(st), "again.yaml");
    ck_assert_str_eq(source2, "new.yaml"); /* ASan: not freed */
    ck_assert_str_eq(name, copy);
    grille_codebook_free(c2);
    free(source_copy);
    free(copy);
}
END_TEST

/* The codebook's source and SHA-256, as created, after a recode with
 * another one, and as read again by another connection. */
START_TEST(test_codebook_source_sha256)
{
    fresh();
    char sha[65];
    snprintf(sha, sizeof(sha), "%s", grille_codebook_sha256(cb));
    ck_assert_uint_eq(strlen(sha), 64);
    ck_assert_str_eq(grille_store_codebook_source(st), "test.yaml");
    ck_assert_str_eq(grille_store_codebook_sha256(st), sha);
    grille_codebook *c2 = load_cb(yaml2);
    ck_assert_str_ne(grille_codebook_sha256(c2), sha);
    changes_list l;
    begin(st);
    recode(c2, yaml2, &l);
    commit(st);
    ck_assert_str_eq(grille_store_codebook_source(st), "new.yaml");
    ck_assert_str_eq(grille_store_codebook_sha256(st),
                     grille_codebook_sha256(c2));
    grille_store_close(st);
    st = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_open(&st, proj, 1, &err), 0);
    ck_assert_str_eq(grille_store_codebook_source(st), "new.yaml");
    ck_assert_str_eq(grille_store_codebook_sha256(st),
                     grille_codebook_sha256(c2));
    grille_codebook_free(c2);
}
END_TEST

START_TEST(test_open_readonly_write_outside_transaction)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int64_t id = add_tx("itw-millau.md", "notes/itw-millau.md", millau);
    grille_store_close(st);
    st = NULL;
    int rc = grille_store_open(&st, proj, 1, &err);
    ck_assert_msg(rc == 0, "open readonly failed (%d): %s", rc, err.message);
    rc = grille_store_remove(st, id, &err);
    ck_assert_msg(rc == GRILLE_EINVALID,
                  "remove through a readonly project "
                  "gave %d (%s), expected GRILLE_EINVALID",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "read-only") != NULL,
                  "message does not say read-only: %s", err.message);
    ck_assert_msg(count_docs(st) == 1, "the document was removed anyway");
    /* set_attr too: the same misuse, the same code as remove and add */
    memset(&err, 0, sizeof(err));
    rc = grille_store_set_attr(st, id, "type", "EPCI", "command line", &err);
    ck_assert_msg(rc == GRILLE_EINVALID,
                  "set_attr through a readonly project gave %d (%s)", rc,
                  err.message);
    ck_assert_msg(strstr(err.message, "read-only") != NULL,
                  "message does not say read-only: %s", err.message);
}
END_TEST

/* ------------------------------------------------------------------ add */

START_TEST(test_add_doc_info)
{
    int64_t m, r;
    two_notes(&m, &r);
    docs l;
    list_docs(st, &l);
    ck_assert_msg(l.n == 2, "%zu documents listed, expected 2", l.n);
    /* listed by name */
    ck_assert_msg(strcmp(l.d[0].name, "itw-millau.md") == 0 &&
                      strcmp(l.d[1].name, "itw-rodez.md") == 0,
                  "documents listed as '%s', '%s'", l.d[0].name, l.d[1].name);
    const char *texts[2] = {millau, rodez};
    const int64_t ids[2] = {m, r};
    for (size_t i = 0; i < 2; i++) {
        const doc_rec *d = &l.d[i];
        const grille_segment *segs;
        const grille_coding *cod;
        analyse(cb, texts[i]);
        size_t nseg = grille_analyser_segments(ref, &segs);
        size_t ncod = grille_analyser_codings(ref, &cod);
        size_t words = grille_analyser_words(ref);
        size_t coded = 0;
        for (size_t s = 0; s < nseg; s++) {
            for (size_t k = 0; k < ncod; k++) {
                if (cod[k].segment == s) {
                    coded++;
                    break;
                }
            }
        }
        ck_assert_msg(ncod > 0 && coded > 0, "test bug: nothing coded");
        ck_assert_msg(d->id == ids[i], "%s: id %lld, add said %lld", d->name,
                      (long long)d->id, (long long)ids[i]);
        ck_assert_msg(strncmp(d->path, "notes/", 6) == 0 &&
                          strcmp(d->path + 6, d->name) == 0,
                      "%s: path '%s'", d->name, d->path);
        ck_assert_msg(d->words == words, "%s: %zu words, the analyser %zu",
                      d->name, d->words, words);
        ck_assert_msg(d->segments == nseg, "%s: %zu segments, the analyser %zu",
                      d->name, d->segments, nseg);
        ck_assert_msg(d->coded_segments == coded,
                      "%s: %zu coded segments, the analyser %zu", d->name,
                      d->coded_segments, coded);
        ck_assert_msg(d->codings == ncod, "%s: %zu codings, the analyser %zu",
                      d->name, d->codings, ncod);
        ck_assert_msg(d->bytes == strlen(texts[i]),
                      "%s: %zu bytes, the text "
                      "%zu",
                      d->name, d->bytes, strlen(texts[i]));
        ck_assert_msg(strcmp(d->encoding, "UTF-8") == 0, "%s: encoding '%s'",
                      d->name, d->encoding);
    }
}
END_TEST

/* foreach_doc's counts of every document against SQL's own. */
static void expect_counts_as_sql(const char *why)
{
    docs l;
    list_docs(st, &l);
    ck_assert_uint_ge(l.n, 2);
    for (size_t i = 0; i < l.n; i++) {
        const doc_rec *d = &l.d[i];
        char sql[3][400];
        snprintf(sql[0], sizeof(sql[0]),
                 "SELECT count(*) FROM segments WHERE document = %lld",
                 (long long)d->id);
        snprintf(sql[1], sizeof(sql[1]),
                 "SELECT count(DISTINCT c.segment) FROM codings c JOIN "
                 "segments g ON g.id = c.segment WHERE g.document = %lld",
                 (long long)d->id);
        snprintf(sql[2], sizeof(sql[2]),
                 "SELECT count(*) FROM codings c JOIN segments g ON g.id = "
                 "c.segment WHERE g.document = %lld",
                 (long long)d->id);
        size_t want[3], got[3] = {d->segments, d->coded_segments, d->codings};
        for (int k = 0; k < 3; k++) {
            want[k] = (size_t)raw_int(sql[k]);
            ck_assert_msg(got[k] == want[k], "%s: %s: %s is %zu, SQL says %zu",
                          why, d->name,
                          k == 0 ? "segments" : k == 1 ? "coded" : "codings",
                          got[k], want[k]);
        }
        ck_assert_msg(want[2] > 0, "test bug: %s has no coding", d->name);
    }
}

START_TEST(test_list_counts_by_hand)
{
    /* the counts of one pass over the codings' ids, and of the
     * subqueries when the segments are not ranges of their own (a file
     * edited by hand): both as SQL counts them */
    int64_t m, r;
    two_notes(&m, &r);
    expect_counts_as_sql("as added");
    char sql[300];
    /* a segment of millau's given to rodez: the ranges interleave */
    snprintf(sql, sizeof(sql),
             "UPDATE segments SET document = %lld, idx = 9999 WHERE id = "
             "(SELECT min(id) + 1 FROM segments WHERE document = %lld)",
             (long long)r, (long long)m);
    raw_exec(sql);
    expect_counts_as_sql("a segment moved");
    /* and one deleted: its codings have no segment */
    snprintf(sql, sizeof(sql),
             "DELETE FROM segments WHERE id = (SELECT max(id) FROM segments "
             "WHERE document = %lld AND id IN (SELECT segment FROM codings))",
             (long long)r);
    raw_exec(sql);
    expect_counts_as_sql("a segment deleted");
}
END_TEST

/* A foreach_doc callback that writes: it removes the other document. */
typedef struct remover {
    int64_t other;
    size_t seen;
    int rc;
} remover;

static int on_doc_remove(const grille_doc_info *d, void *payload)
{
    remover *x = payload;
    (void)d;
    grille_error err;
    memset(&err, 0, sizeof(err));
    if (x->seen++ == 0)
        x->rc = grille_store_remove(st, x->other, &err);
    return 0;
}

START_TEST(test_list_callback_writes)
{
    /* the callbacks run outside any transaction of foreach_doc's: one may
     * write (a remove, in a transaction of its own), as under a plain
     * statement (whether the pass then sees the removed document is
     * SQLite's to say: the same connection wrote it) */
    int64_t m, r;
    two_notes(&m, &r);
    remover x = {r, 0, -1};
    grille_error err;
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_foreach_doc(st, on_doc_remove, &x, &err), 0);
    ck_assert_int_eq(x.rc, 0);
    ck_assert_uint_ge(x.seen, 1);
    ck_assert_uint_eq(count_docs(st), 1);
}
END_TEST

START_TEST(test_list_huge_document_id)
{
    /* a document id set by hand far past the others: counted by the
     * subqueries, not in arrays by id (which would not fit) */
    int64_t m, r;
    two_notes(&m, &r);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "UPDATE documents SET id = 6148914691236517205 WHERE id = %lld",
             (long long)r);
    raw_exec(sql);
    docs l;
    list_docs(st, &l);
    ck_assert_uint_eq(l.n, 2);
    for (size_t i = 0; i < l.n; i++) {
        bool moved = l.d[i].id == 6148914691236517205LL;
        ck_assert_int_eq(moved, strcmp(l.d[i].name, "itw-rodez.md") == 0);
        /* its segments still name the old id: it has none now */
        ck_assert(moved ? l.d[i].segments == 0 : l.d[i].segments > 0);
    }
}
END_TEST

START_TEST(test_add_sha256_and_encoding)
{
    fresh();
    begin(st);
    int64_t id = add("abc.md", "abc.md", "abc");
    /* "caf\xe9" is Windows-1252 for "café" */
    grille_text *t = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    static const char w1252[] = "Le caf\xe9 des agents.";
    int rc = grille_text_decode(&t, w1252, strlen(w1252), "w.md", &err);
    ck_assert_msg(rc == 0, "test bug: decode: %s", err.message);
    int64_t wid = 0;
    rc = grille_store_add(st, an, cb, "w.md", "w.md", t, &wid, &err);
    grille_text_free(t);
    ck_assert_msg(rc == 0, "adding a Windows-1252 note failed: %s",
                  err.message);
    commit(st);
    docs l;
    list_docs(st, &l);
    const doc_rec *d = doc_named(&l, "abc.md");
    ck_assert_msg(d != NULL && d->id == id, "abc.md is not listed");
    ck_assert_msg(strcmp(d->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a3"
                                    "96177a9cb410ff61f20015ad") == 0,
                  "sha256 of 'abc' stored as %s", d->sha256);
    ck_assert_msg(d->bytes == 3, "'abc' stored with %zu bytes", d->bytes);
    d = doc_named(&l, "w.md");
    ck_assert_msg(d != NULL && d->id == wid, "w.md is not listed");
    ck_assert_msg(strcmp(d->encoding, "Windows-1252") == 0,
                  "w.md encoding '%s', expected Windows-1252", d->encoding);
}
END_TEST

START_TEST(test_add_attributes)
{
    int64_t m, r;
    two_notes(&m, &r);
    attrs_list l;
    list_attrs(m, &l);
    ck_assert_msg(l.n == 2, "millau has %zu attributes, expected 2", l.n);
    /* by key */
    ck_assert_msg(strcmp(l.a[0].key, "collectivite") == 0 &&
                      strcmp(l.a[1].key, "type") == 0,
                  "attributes listed as %s, %s", l.a[0].key, l.a[1].key);
    expect_attr(&l, "collectivite", "Millau", "front matter");
    expect_attr(&l, "type", "commune", "front matter");
    list_attrs(r, &l);
    ck_assert_msg(l.n == 2, "rodez has %zu attributes, expected 2", l.n);
    expect_attr(&l, "collectivite", "Rodez", "front matter");
    expect_attr(&l, "type", "agglomération", "front matter");
    /* a note without front matter has none */
    begin(st);
    int64_t a = add("itw-albi.md", "itw-albi.md", albi);
    commit(st);
    list_attrs(a, &l);
    ck_assert_msg(l.n == 0, "albi has %zu attributes, expected none", l.n);
}
END_TEST

/* Lists a document's attributes, and within the first, those of
 * another document (nested). */
typedef struct nested_attrs {
    attrs_list outer, inner;
    int64_t other;
} nested_attrs;

static int on_attr_nested(const grille_attr_info *a, void *payload)
{
    nested_attrs *x = payload;
    on_attr(a, &x->outer);
    if (x->outer.n == 1) {
        grille_error err;
        memset(&err, 0, sizeof(err));
        ck_assert_int_eq(grille_store_foreach_attr(st, x->other, on_attr,
                                                   &x->inner, &err),
                         0);
    }
    return 0;
}

START_TEST(test_attributes_nested)
{
    /* foreach_attr called from its own callback: each lists its own
     * document, whole (the store's statement is in use: the inner call
     * takes one of its own); then again, the store's */
    int64_t m, r;
    two_notes(&m, &r);
    for (int round = 0; round < 2; round++) {
        nested_attrs x;
        memset(&x, 0, sizeof(x));
        x.other = r;
        grille_error err;
        memset(&err, 0, sizeof(err));
        ck_assert_int_eq(
            grille_store_foreach_attr(st, m, on_attr_nested, &x, &err), 0);
        ck_assert_uint_eq(x.outer.n, 2);
        ck_assert_uint_eq(x.inner.n, 2);
        expect_attr(&x.outer, "collectivite", "Millau", "front matter");
        expect_attr(&x.outer, "type", "commune", "front matter");
        expect_attr(&x.inner, "collectivite", "Rodez", "front matter");
        expect_attr(&x.inner, "type", "agglomération", "front matter");
    }
    attrs_list l;
    list_attrs(r, &l);
    ck_assert_uint_eq(l.n, 2);
}
END_TEST

START_TEST(test_add_attribute_list_joined)
{
    static const char note[] = "---\n"
                               "collectivite: Millau\n"
                               "interlocuteurs: [DGS, DRH]\n"
                               "---\n"
                               "La santé des agents.\n";
    fresh();
    int64_t id = add_tx("note.md", "note.md", note);
    attrs_list l;
    list_attrs(id, &l);
    ck_assert_msg(l.n == 2, "%zu attributes, expected 2", l.n);
    expect_attr(&l, "interlocuteurs", "DGS, DRH", "front matter");
}
END_TEST

START_TEST(test_add_codings_as_analysed)
{
    int64_t m, r;
    two_notes(&m, &r);
    codings_list l;
    list_codings(m, &l);
    expect_as_analysed(&l, millau, cb, "itw-millau.md");
    for (size_t k = 0; k < l.n; k++)
        ck_assert_msg(l.c[k].doc == m, "coding %zu of millau is of doc %lld", k,
                      (long long)l.c[k].doc);
    list_codings(r, &l);
    expect_as_analysed(&l, rodez, cb, "itw-rodez.md");
}
END_TEST

START_TEST(test_add_codings_all_documents)
{
    int64_t m, r;
    two_notes(&m, &r);
    codings_list all, one;
    list_codings(0, &all);
    list_codings(m, &one);
    size_t nm = one.n;
    list_codings(r, &one);
    ck_assert_msg(all.n == nm + one.n,
                  "id 0 lists %zu codings, the "
                  "documents %zu + %zu",
                  all.n, nm, one.n);
    /* by document (name), so millau's come first */
    for (size_t k = 0; k < all.n; k++)
        ck_assert_msg(all.c[k].doc == (k < nm ? m : r),
                      "coding %zu is of document %lld", k,
                      (long long)all.c[k].doc);
}
END_TEST

START_TEST(test_add_front_matter_not_coded)
{
    /* "santé" in the front matter is not coded; in the body it is */
    static const char note[] = "---\n"
                               "theme: santé\n"
                               "---\n"
                               "La santé des agents.\n";
    fresh();
    int64_t id = add_tx("note.md", "note.md", note);
    codings_list l;
    list_codings(id, &l);
    size_t body = (size_t)(strstr(note, "La ") - note);
    ck_assert_msg(l.n == 1, "%zu codings, expected 1 (the body's santé)", l.n);
    ck_assert_msg(l.c[0].start >= body, "the front matter was coded at %zu",
                  l.c[0].start);
    expect_as_analysed(&l, note, cb, "note.md");
}
END_TEST

/* err is optional: a document's own error is returned without it, and so
 * is that of a prepared add. */
START_TEST(test_add_null_error)
{
    fresh();
    grille_text *t = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_text_decode(&t, "  \n\t\n", 4, "w.md", &err), 0);
    int64_t id = 7;
    begin(st);
    int rc = grille_store_add(st, an, cb, "w.md", "w.md", t, &id, NULL);
    ck_assert_msg(rc == GRILLE_EINVALID, "white space gave %d", rc);
    ck_assert_msg(id == 0, "id %lld", (long long)id);
    grille_prepared *p = NULL;
    rc = grille_add_prepare(&p, an, cb, GRILLE_UNIT_PARAGRAPH, "w.md", t,
                            NULL);
    ck_assert_msg(rc == 0 && p, "prepare gave %d", rc);
    rc = grille_store_add_prepared(st, p, "w.md", "w.md", &id, NULL);
    ck_assert_msg(rc == GRILLE_EINVALID, "prepared white space gave %d", rc);
    grille_prepared_free(p);
    grille_store_rollback(st);
    grille_text_free(t);
}
END_TEST

/* A prepared document's front matter, keys as the note spells them
 * (grille add warns of a typo of a key the reports read with them). */
START_TEST(test_prepared_attrs)
{
    fresh();
    static const char note[] = "---\nTpye: commune\nRôle: DGS\n---\n"
                               "Le télétravail.\n";
    grille_text *t = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(
        grille_text_decode(&t, note, sizeof(note) - 1, "fm.md", &err), 0);
    grille_prepared *p = NULL;
    ck_assert_int_eq(grille_add_prepare(&p, an, cb, GRILLE_UNIT_PARAGRAPH,
                                        "fm.md", t, &err),
                     0);
    const grille_attrs *at = grille_prepared_attrs(p);
    ck_assert_ptr_nonnull(at);
    ck_assert_uint_eq(grille_attrs_count(at), 2);
    ck_assert_str_eq(grille_attrs_get(at, 0)->key, "Tpye");
    ck_assert_str_eq(grille_attrs_get(at, 0)->value, "commune");
    ck_assert_str_eq(grille_attrs_get(at, 1)->key, "Rôle");
    grille_prepared_free(p);
    ck_assert_ptr_null(grille_prepared_attrs(NULL));
    grille_text_free(t);
}
END_TEST

START_TEST(test_add_same_content_twice)
{
    grille_error err;
    fresh();
    int64_t first = add_tx("itw-millau.md", "notes/itw-millau.md", millau);
    begin(st);
    int64_t id = -1;
    int rc = try_add(cb, "copie.md", "copie/copie.md", millau, &id, &err);
    grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_EEXISTS,
                  "same content again gave %d (%s), "
                  "expected GRILLE_EEXISTS",
                  rc, err.message);
    ck_assert_msg(id == first,
                  "*id is %lld, expected the first document's "
                  "%lld",
                  (long long)id, (long long)first);
    ck_assert_msg(strstr(err.message, "itw-millau.md") != NULL,
                  "message does not name the first document: %s", err.message);
    ck_assert_msg(count_docs(st) == 1, "a copy was added");
}
END_TEST

START_TEST(test_add_same_name_uses_path)
{
    static const char other[] = "---\n"
                                "collectivite: Albi\n"
                                "---\n"
                                "Les masques ont manqué.\n";
    fresh();
    begin(st);
    int64_t a = add("note.md", "millau/note.md", millau);
    int64_t b = add("note.md", "albi/note.md", other);
    commit(st);
    ck_assert_msg(a != b, "two documents, one id");
    docs l;
    list_docs(st, &l);
    ck_assert_msg(l.n == 2, "%zu documents, expected 2", l.n);
    const doc_rec *d = doc_named(&l, "note.md");
    ck_assert_msg(d != NULL && d->id == a, "note.md is not the first one");
    d = doc_named(&l, "albi/note.md");
    ck_assert_msg(d != NULL && d->id == b,
                  "the second note.md is not stored as albi/note.md");
    ck_assert_msg(strcmp(d->path, "albi/note.md") == 0, "its path is '%s'",
                  d->path);
}
END_TEST

START_TEST(test_add_name_and_path_taken)
{
    grille_error err;
    fresh();
    begin(st);
    add("note.md", "millau/note.md", millau);
    add("millau/note.md", "x/note.md", rodez);
    int64_t id = -1;
    int rc = try_add(cb, "note.md", "millau/note.md", albi, &id, &err);
    grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_EEXISTS,
                  "name and path both taken gave %d "
                  "(%s), expected GRILLE_EEXISTS",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "note.md") != NULL,
                  "message does not name it: %s", err.message);
}
END_TEST

START_TEST(test_add_foreign_codebook)
{
    grille_error err;
    fresh();
    cb2 = load_cb(yaml2);
    begin(st);
    int64_t id = -1;
    int rc = try_add(cb2, "itw-millau.md", "itw-millau.md", millau, &id, &err);
    grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_EINVALID,
                  "another codebook gave %d (%s), "
                  "expected GRILLE_EINVALID",
                  rc, err.message);
    ck_assert_msg(id == 0, "*id is %lld after a refusal", (long long)id);
    ck_assert_msg(count_docs(st) == 0, "a document was added");
}
END_TEST

START_TEST(test_recode_yaml_not_the_codebook)
{
    /* the text stored is the codebook's own, or nothing is recoded: the
     * project would read back a codebook that did not make its codings
     * (or none at all, "themes: [") */
    int64_t m, r;
    two_notes(&m, &r);
    cb2 = load_cb(yaml2);
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_recode(st, an, cb2, "themes: [", 9, "new.yaml", NULL,
                                 NULL, NULL, &err);
    ck_assert_msg(rc == GRILLE_EINVALID, "recode gave %d (%s)", rc,
                  err.message);
    ck_assert_msg(strstr(err.message, "not the text of the codebook"), "%s",
                  err.message);
    grille_codebook *back = NULL;
    ck_assert_int_eq(grille_store_codebook(st, &back, &err), 0);
    ck_assert_str_eq(grille_codebook_sha256(back),
                     grille_codebook_sha256(cb));
    grille_codebook_free(back);
}
END_TEST

START_TEST(test_add_same_yaml_codebook)
{
    /* a codebook loaded from the same YAML is the project's */
    fresh();
    cb2 = load_cb(yaml1);
    grille_error err;
    begin(st);
    int64_t id = -1;
    int rc = try_add(cb2, "itw-millau.md", "itw-millau.md", millau, &id, &err);
    ck_assert_msg(rc == 0,
                  "the project's YAML loaded again is refused "
                  "(%d): %s",
                  rc, err.message);
    commit(st);
    codings_list l;
    list_codings(id, &l);
    expect_as_analysed(&l, millau, cb2, "itw-millau.md");
}
END_TEST

START_TEST(test_add_bad_front_matter)
{
    static const char bad[] = "---\n"
                              "collectivite: [Millau\n"
                              "type: commune\n"
                              "---\n"
                              "La santé des agents.\n";
    grille_error err;
    fresh();
    add_tx("itw-rodez.md", "itw-rodez.md", rodez);
    begin(st);
    int64_t id = -1;
    int rc = try_add(cb, "bad.md", "notes/bad.md", bad, &id, &err);
    ck_assert_msg(rc == GRILLE_ESYNTAX,
                  "a broken front matter gave %d (%s), "
                  "expected GRILLE_ESYNTAX",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "bad.md") != NULL,
                  "message does not name the document: %s", err.message);
    ck_assert_msg(count_docs(st) == 1, "a document was added before the "
                                       "rollback");
    grille_store_rollback(st);
    ck_assert_msg(count_docs(st) == 1,
                  "%zu documents after the rollback, "
                  "expected 1",
                  count_docs(st));
    ck_assert_msg(raw_int("SELECT count(*) FROM segments s JOIN documents d "
                          "ON d.id = s.document WHERE d.name = 'bad.md'") == 0,
                  "segments of the bad document were stored");
}
END_TEST

START_TEST(test_add_segments_rows)
{
    /* the segments table holds the analyser's segments, 0-based */
    fresh();
    int64_t id = add_tx("itw-millau.md", "notes/itw-millau.md", millau);
    const grille_segment *segs;
    analyse(cb, millau);
    size_t nseg = grille_analyser_segments(ref, &segs);
    char sql[256];
    for (size_t i = 0; i < nseg; i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT start * 1000000 + \"end\" FROM segments WHERE "
                 "document = %lld AND idx = %zu",
                 (long long)id, i);
        int64_t v = raw_int(sql);
        ck_assert_msg(v == (int64_t)(segs[i].start * 1000000 + segs[i].end),
                      "segment %zu stored as %lld, the analyser %zu-%zu", i,
                      (long long)v, segs[i].start, segs[i].end);
        snprintf(sql, sizeof(sql),
                 "SELECT line FROM segments WHERE document = %lld AND idx = "
                 "%zu",
                 (long long)id, i);
        v = raw_int(sql);
        ck_assert_msg(v == segs[i].line,
                      "segment %zu on line %lld, the "
                      "analyser %u",
                      i, (long long)v, segs[i].line);
    }
    /* the words of the segments add up to the document's */
    snprintf(sql, sizeof(sql),
             "SELECT (SELECT sum(words) FROM segments WHERE document = %lld) "
             "- (SELECT words FROM documents WHERE id = %lld)",
             (long long)id, (long long)id);
    ck_assert_msg(raw_int(sql) == 0,
                  "segment words and document words "
                  "differ by %lld",
                  (long long)raw_int(sql));
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM segments WHERE document = %lld",
             (long long)id);
    ck_assert_msg(raw_int(sql) == (int64_t)nseg,
                  "%lld segments stored, the "
                  "analyser %zu",
                  (long long)raw_int(sql), nseg);
    /* the speaker of the turn "DGS : ..." */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM segments WHERE document = %lld AND "
             "speaker = 'DGS' AND kind = '%s'",
             (long long)id, grille_segment_kind_name(GRILLE_SEG_TURN));
    ck_assert_msg(raw_int(sql) == 1, "the DGS turn is not stored with its "
                                     "speaker");
}
END_TEST

/* --------------------------------------------------------- transactions */

START_TEST(test_tx_rollback)
{
    fresh();
    begin(st);
    add("itw-millau.md", "itw-millau.md", millau);
    ck_assert_msg(count_docs(st) == 1, "the transaction does not see its "
                                       "own document");
    grille_store_rollback(st);
    ck_assert_msg(count_docs(st) == 0, "a document survived the rollback");
    ck_assert_msg(raw_int("SELECT count(*) FROM documents") == 0,
                  "the file holds a document after the rollback");
    ck_assert_msg(raw_int("SELECT count(*) FROM codings") == 0,
                  "the file holds codings after the rollback");
}
END_TEST

START_TEST(test_tx_close_without_commit)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    add_tx("itw-rodez.md", "itw-rodez.md", rodez);
    begin(st);
    add("itw-millau.md", "itw-millau.md", millau);
    grille_store_close(st);
    st = NULL;
    int rc = grille_store_open(&st, proj, 0, &err);
    ck_assert_msg(rc == 0, "reopen failed (%d): %s", rc, err.message);
    docs l;
    list_docs(st, &l);
    ck_assert_msg(l.n == 1 && strcmp(l.d[0].name, "itw-rodez.md") == 0,
                  "after close without commit: %zu documents", l.n);
}
END_TEST

START_TEST(test_tx_add_again_after_rollback)
{
    /* codes created in a rolled-back transaction must not be reused */
    fresh();
    begin(st);
    add("itw-millau.md", "itw-millau.md", millau);
    grille_store_rollback(st);
    int64_t id = add_tx("itw-millau.md", "itw-millau.md", millau);
    codings_list l;
    list_codings(id, &l);
    expect_as_analysed(&l, millau, cb, "itw-millau.md after a rollback");
}
END_TEST

START_TEST(test_tx_commit_other_handle_sees)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int rc = grille_store_open(&st2, proj, 1, &err);
    ck_assert_msg(rc == 0, "second open failed (%d): %s", rc, err.message);
    begin(st);
    add("itw-millau.md", "itw-millau.md", millau);
    ck_assert_msg(count_docs(st2) == 0, "another handle sees uncommitted "
                                        "work");
    commit(st);
    ck_assert_msg(count_docs(st2) == 1, "another handle does not see the "
                                        "commit");
}
END_TEST

/* ---------------------------------------------- find, remove, attributes */

START_TEST(test_find_by_name_path_id)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r, id = 0;
    two_notes(&m, &r);
    int rc = grille_store_find(st, "itw-rodez.md", &id, &err);
    ck_assert_msg(rc == 0 && id == r,
                  "find by name gave %d, id %lld (want "
                  "%lld)",
                  rc, (long long)id, (long long)r);
    rc = grille_store_find(st, "notes/itw-millau.md", &id, &err);
    ck_assert_msg(rc == 0 && id == m,
                  "find by path gave %d, id %lld (want "
                  "%lld)",
                  rc, (long long)id, (long long)m);
    char ref_id[32];
    snprintf(ref_id, sizeof(ref_id), "#%lld", (long long)r);
    rc = grille_store_find(st, ref_id, &id, &err);
    ck_assert_msg(rc == 0 && id == r, "find '%s' gave %d, id %lld", ref_id, rc,
                  (long long)id);
}
END_TEST

START_TEST(test_find_unknown)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r, id = 77;
    two_notes(&m, &r);
    int rc = grille_store_find(st, "itw-paris.md", &id, &err);
    ck_assert_msg(rc == GRILLE_ENOTFOUND, "find of an unknown name gave %d",
                  rc);
    ck_assert_msg(id == 0, "*id is %lld for an unknown name", (long long)id);
    ck_assert_msg(strstr(err.message, "itw-paris.md") != NULL,
                  "message does not name it: %s", err.message);
    rc = grille_store_find(st, "#999", &id, &err);
    ck_assert_msg(rc == GRILLE_ENOTFOUND, "find of #999 gave %d", rc);
    /* "./a.md" is "a.md" when no file is there to say otherwise */
    rc = grille_store_find(st, "./itw-rodez.md", &id, &err);
    ck_assert_msg(rc == 0 && id == r, "find ./itw-rodez.md gave %d (%s)", rc,
                  err.message);
    rc = grille_store_find(st, ".//./notes/itw-millau.md", &id, &err);
    ck_assert_msg(rc == 0 && id == m, "find .//./notes/... gave %d (%s)", rc,
                  err.message);
    rc = grille_store_find(st, "./", &id, &err);
    ck_assert_int_eq(rc, GRILLE_ENOTFOUND);
    rc = grille_store_find(st, "./itw-paris.md", &id, &err);
    ck_assert_int_eq(rc, GRILLE_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "./itw-paris.md") != NULL, "%s",
                  err.message);
}
END_TEST

/* "#N" that is document N and also another document's name: refused,
 * *id 0, not the one the name gives */
START_TEST(test_find_id_and_name)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r, h = 0, id = 77;
    two_notes(&m, &r);
    char ref_id[32];
    snprintf(ref_id, sizeof(ref_id), "#%lld", (long long)m);
    begin(st);
    h = add(ref_id, "notes/hash", "Le maire a appelé.\n");
    commit(st);
    int rc = grille_store_find(st, ref_id, &id, &err);
    ck_assert_int_eq(rc, GRILLE_EINVALID);
    ck_assert_msg(id == 0, "*id is %lld on the error", (long long)id);
    ck_assert_ptr_nonnull(strstr(err.message, "itw-millau.md"));
    char other[32];
    snprintf(other, sizeof(other), "#%lld", (long long)h);
    ck_assert_ptr_nonnull(strstr(err.message, other));
    /* the other by its path; "#N" of the one named so is no clash */
    ck_assert_int_eq(grille_store_find(st, "notes/hash", &id, &err), 0);
    ck_assert_int_eq(id, h);
    ck_assert_int_eq(grille_store_find(st, other, &id, &err), 0);
    ck_assert_int_eq(id, h);
}
END_TEST

START_TEST(test_find_id_with_junk)
{
    /* "#ID" is a number: "#1abc" names no document */
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r, id = 0;
    two_notes(&m, &r);
    char ref_id[32];
    snprintf(ref_id, sizeof(ref_id), "#%lldabc", (long long)m);
    int rc = grille_store_find(st, ref_id, &id, &err);
    ck_assert_msg(rc == GRILLE_ENOTFOUND,
                  "find '%s' gave %d, id %lld; "
                  "expected GRILLE_ENOTFOUND",
                  ref_id, rc, (long long)id);
}
END_TEST

START_TEST(test_find_name_before_path)
{
    /* a document named X wins over another added from path X */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    begin(st);
    int64_t a = add("a.md", "b.md", millau);
    int64_t b = add("b.md", "x/b.md", rodez);
    commit(st);
    int64_t id = 0;
    int rc = grille_store_find(st, "b.md", &id, &err);
    ck_assert_msg(rc == 0 && id == b,
                  "find b.md gave %d, id %lld (named "
                  "%lld, from path %lld)",
                  rc, (long long)id, (long long)b, (long long)a);
}
END_TEST

START_TEST(test_remove_cascade)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM codings c JOIN segments s ON s.id = "
             "c.segment WHERE s.document = %lld",
             (long long)r);
    int64_t rodez_codings = raw_int(sql);
    ck_assert_msg(rodez_codings > 0, "test bug: rodez has no coding");
    begin(st);
    int rc = grille_store_remove(st, m, &err);
    ck_assert_msg(rc == 0, "remove failed (%d): %s", rc, err.message);
    commit(st);
    docs l;
    list_docs(st, &l);
    ck_assert_msg(l.n == 1 && l.d[0].id == r, "after remove: %zu documents",
                  l.n);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM segments WHERE document = %lld",
             (long long)m);
    ck_assert_msg(raw_int(sql) == 0, "segments of the removed document "
                                     "remain");
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM attributes WHERE document = %lld",
             (long long)m);
    ck_assert_msg(raw_int(sql) == 0, "attributes of the removed document "
                                     "remain");
    int64_t left = raw_int("SELECT count(*) FROM codings");
    ck_assert_msg(left == rodez_codings,
                  "%lld codings left, expected "
                  "rodez's %lld",
                  (long long)left, (long long)rodez_codings);
    ck_assert_msg(raw_int("SELECT count(*) FROM codings WHERE segment NOT IN "
                          "(SELECT id FROM segments)") == 0,
                  "codings point at removed segments");
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM attributes WHERE document = %lld",
             (long long)r);
    ck_assert_msg(raw_int(sql) == 2, "the other document lost attributes");
}
END_TEST

/* term_stats rows that are not what the codings say, either way: per
 * code and term, the number of codings and the earliest (by segment, then
 * id). */
static int64_t terms_wrong(void)
{
    return raw_int(
        "WITH t AS (SELECT code, term, count(*) AS hits, min(segment) AS seg "
        "FROM codings GROUP BY code, term), w AS (SELECT code, term, hits, "
        "seg, (SELECT min(id) FROM codings c WHERE c.code = t.code AND "
        "c.term = t.term AND c.segment = t.seg) FROM t) "
        "SELECT (SELECT count(*) FROM (SELECT * FROM w EXCEPT SELECT code, "
        "term, hits, first_segment, first_coding FROM term_stats)) + "
        "(SELECT count(*) FROM (SELECT code, term, hits, first_segment, "
        "first_coding FROM term_stats EXCEPT SELECT * FROM w))");
}

/* The document of the earliest coding of `term`. */
static int64_t first_doc(const char *term)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(max(g.document), 0) FROM term_stats t JOIN "
             "segments g ON g.id = t.first_segment WHERE t.term = '%s'",
             term);
    return raw_int(sql);
}

START_TEST(test_terms_follow_writes)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    ck_assert_msg(raw_int("SELECT count(*) FROM term_stats") >= 5,
                  "after two adds: %lld term rows",
                  (long long)raw_int("SELECT count(*) FROM term_stats"));
    ck_assert_msg(terms_wrong() == 0, "after two adds: %lld rows wrong",
                  (long long)terms_wrong());
    ck_assert_msg(first_doc("télétravail") == m,
                  "the earliest télétravail is in #%lld, not Millau",
                  (long long)first_doc("télétravail"));
    ck_assert_msg(raw_int("SELECT hits FROM term_stats WHERE term = "
                          "'télétravail'") == 2,
                  "télétravail: not 2 hits");

    /* a rolled back add leaves no count */
    begin(st);
    add("albi.txt", "albi.txt", albi);
    grille_store_rollback(st);
    ck_assert_msg(raw_int("SELECT count(*) FROM term_stats WHERE term = "
                          "'visioconférence'") == 0,
                  "a rolled back add was counted");
    ck_assert_msg(terms_wrong() == 0, "after a rollback: rows wrong");

    /* the note with the earliest télétravail goes: Rodez's is next, and
     * Millau's own terms go */
    begin(st);
    int rc = grille_store_remove(st, m, &err);
    ck_assert_msg(rc == 0, "remove failed (%d): %s", rc, err.message);
    commit(st);
    ck_assert_msg(terms_wrong() == 0, "after rm: %lld rows wrong",
                  (long long)terms_wrong());
    ck_assert_msg(first_doc("télétravail") == r,
                  "after rm, the earliest télétravail is in #%lld",
                  (long long)first_doc("télétravail"));
    ck_assert_msg(raw_int("SELECT count(*) FROM term_stats WHERE term = "
                          "'visio'") == 0,
                  "the removed note's visio is still counted");

    /* written outside a transaction: counted at once */
    int64_t id = -1;
    rc = try_add(cb, "albi.txt", "albi.txt", albi, &id, &err);
    ck_assert_msg(rc == 0, "add without a transaction (%d): %s", rc,
                  err.message);
    ck_assert_msg(raw_int("SELECT count(*) FROM term_stats WHERE term = "
                          "'visioconférence'") == 1,
                  "an add without a transaction was not counted");
    ck_assert_msg(terms_wrong() == 0, "after an add without a transaction");

    /* a recode that adds a term and rewrites both notes */
    cb2 = load_cb(yaml2);
    changes_list l;
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    ck_assert_msg(raw_int("SELECT count(*) FROM term_stats WHERE term = "
                          "'blouses'") == 1,
                  "blouses not counted after the recode");
    ck_assert_msg(terms_wrong() == 0, "after a recode: %lld rows wrong",
                  (long long)terms_wrong());
}
END_TEST

/* The count of top term `term` of code `code` in report r (0: none). */
static size_t top_count(const grille_report *r, const char *code,
                        const char *term)
{
    for (size_t c = 0; c < r->ncodes; c++)
        if (strcmp(r->codes[c].id, code) == 0)
            for (size_t k = 0; k < r->codes[c].ntop; k++)
                if (strcmp(r->codes[c].top_terms[k], term) == 0)
                    return r->codes[c].top_counts[k];
    return 0;
}

START_TEST(test_report_misuse)
{
    /* a report of everything from want NULL; an attribute of a document
     * past the last is none, not a read out of bounds */
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r2;
    two_notes(&m, &r2);
    grille_report *r = NULL;
    ck_assert_int_eq(grille_report_build_some(&r, st, NULL, &err), 0);
    ck_assert_uint_eq(r->ndocs, 2);
    ck_assert_ptr_nonnull(grille_report_attr(r, 0, "type"));
    ck_assert_ptr_null(grille_report_attr(r, r->ndocs + 5, "type"));
    /* quotes: a cell past the last, or a report built without them */
    size_t past = r->ndocs * r->ncodes;
    ck_assert_int_eq(grille_report_load_quotes(r, st, &past, 1, &err),
                     GRILLE_EINVALID);
    ck_assert_msg(strstr(err.message, "no cell") != NULL, "%s", err.message);
    grille_report_free(r);
    const grille_report_want counts = {false, false, NULL, false};
    ck_assert_int_eq(grille_report_build_some(&r, st, &counts, &err), 0);
    size_t cell = 0;
    ck_assert_int_eq(grille_report_load_quotes(r, st, &cell, 1, &err),
                     GRILLE_EINVALID);
    ck_assert_msg(strstr(err.message, "without quotes") != NULL, "%s",
                  err.message);
    grille_report_free(r);
    grille_attrs *at = NULL;
    ck_assert_int_eq(grille_attrs_parse(&at, NULL, millau, strlen(millau),
                                        "m.md", &err),
                     0);
    grille_attrs_free(at);
}
END_TEST

START_TEST(test_terms_report_inside_transaction)
{
    /* a report built inside a write transaction counts the terms of its
     * writes, as it counts their segments */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    add_tx("itw-millau.md", "itw-millau.md", millau);
    begin(st);
    add("itw-rodez.md", "itw-rodez.md", rodez);
    grille_report *r = NULL;
    ck_assert_int_eq(grille_report_build(&r, st, &err), 0);
    ck_assert_msg(top_count(r, "teletravail", "télétravail") == 2,
                  "télétravail inside the transaction: %zu, expected 2",
                  top_count(r, "teletravail", "télétravail"));
    grille_report_free(r);
    grille_store_rollback(st);
    ck_assert_int_eq(grille_report_build(&r, st, &err), 0);
    ck_assert_msg(top_count(r, "teletravail", "télétravail") == 1,
                  "télétravail after the rollback: %zu, expected 1",
                  top_count(r, "teletravail", "télétravail"));
    grille_report_free(r);
    ck_assert_msg(terms_wrong() == 0, "after the rollback: rows wrong");
}
END_TEST

START_TEST(test_terms_failed_flush)
{
    /* a flush that fails takes its whole write with it, in a transaction
     * or without one, and the counts stay right for the next writes */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    add_tx("itw-rodez.md", "itw-rodez.md", rodez);
    raw_exec("CREATE TRIGGER boom BEFORE INSERT ON term_stats WHEN "
             "new.term = 'visio' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    begin(st);
    add("itw-millau.md", "itw-millau.md", millau);
    int rc = grille_store_commit(st, &err);
    ck_assert_msg(rc < 0, "the commit did not fail");
    ck_assert_msg(count_docs(st) == 1, "the failed add left its document");
    int64_t id = -1;
    rc = try_add(cb, "itw-millau.md", "itw-millau.md", millau, &id, &err);
    ck_assert_msg(rc < 0, "the add without a transaction did not fail");
    ck_assert_msg(count_docs(st) == 1,
                  "the failed add without a transaction left its document");
    ck_assert_msg(terms_wrong() == 0, "after the failures: rows wrong");
    raw_exec("DROP TRIGGER boom");
    rc = try_add(cb, "itw-millau.md", "itw-millau.md", millau, &id, &err);
    ck_assert_msg(rc == 0, "add after the failures (%d): %s", rc,
                  err.message);
    ck_assert_msg(terms_wrong() == 0, "after the add: %lld rows wrong",
                  (long long)terms_wrong());
    ck_assert_msg(raw_int("SELECT hits FROM term_stats WHERE term = "
                          "'télétravail'") == 2,
                  "télétravail counted more than once");
}
END_TEST

START_TEST(test_remove_unknown)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    begin(st);
    int rc = grille_store_remove(st, m + r + 100, &err);
    grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_ENOTFOUND,
                  "remove of an unknown id gave %d "
                  "(%s)",
                  rc, err.message);
    ck_assert_msg(count_docs(st) == 2, "a document was removed");
}
END_TEST

START_TEST(test_set_attr_override)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    begin(st);
    int rc = grille_store_set_attr(st, m, "type", "EPCI", "cases.csv", &err);
    ck_assert_msg(rc == 0, "set_attr failed (%d): %s", rc, err.message);
    rc = grille_store_set_attr(st, m, "population", "22000", "command line",
                               &err);
    ck_assert_msg(rc == 0, "set_attr of a new key failed (%d): %s", rc,
                  err.message);
    commit(st);
    attrs_list l;
    list_attrs(m, &l);
    ck_assert_msg(l.n == 3, "%zu attributes, expected 3", l.n);
    expect_attr(&l, "type", "EPCI", "cases.csv");
    expect_attr(&l, "collectivite", "Millau", "front matter");
    expect_attr(&l, "population", "22000", "command line");
    /* the other document is untouched */
    list_attrs(r, &l);
    expect_attr(&l, "type", "agglomération", "front matter");
}
END_TEST

START_TEST(test_set_attr_empty_key)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    begin(st);
    int rc = grille_store_set_attr(st, m, "", "x", "command line", &err);
    grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_EINVALID, "an empty key gave %d (%s)", rc,
                  err.message);
}
END_TEST

START_TEST(test_set_attr_unknown_document)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    begin(st);
    int rc = grille_store_set_attr(st, m + r + 100, "type", "EPCI",
                                   "command line", &err);
    grille_store_rollback(st);
    ck_assert_msg(rc < 0, "set_attr on a missing document succeeded");
    ck_assert_msg(raw_int("SELECT count(*) FROM attributes WHERE document "
                          "NOT IN (SELECT id FROM documents)") == 0,
                  "an orphan attribute was stored");
}
END_TEST

/* unset_attr removes a key as set_attr names it ("Type" is type), from
 * that document only; a key it does not have, or an unknown document, is
 * GRILLE_ENOTFOUND naming the key, and an empty key GRILLE_EINVALID. */
START_TEST(test_unset_attr)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    begin(st);
    int rc = grille_store_set_attr(st, m, "tpye", "x", "command line", &err);
    ck_assert_msg(rc == 0, "set_attr failed (%d): %s", rc, err.message);
    rc = grille_store_unset_attr(st, m, "tpye", &err);
    ck_assert_msg(rc == 0, "unset_attr failed (%d): %s", rc, err.message);
    rc = grille_store_unset_attr(st, m, "Type", &err);
    ck_assert_msg(rc == 0, "unset_attr of Type failed (%d): %s", rc,
                  err.message);
    rc = grille_store_unset_attr(st, m, "tpye", &err);
    ck_assert_int_eq(rc, GRILLE_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "'tpye'"), "not named: %s",
                  err.message);
    ck_assert_int_eq(grille_store_unset_attr(st, m + r + 100, "type", &err),
                     GRILLE_ENOTFOUND);
    ck_assert_int_eq(grille_store_unset_attr(st, m, "", &err),
                     GRILLE_EINVALID);
    commit(st);
    attrs_list l;
    list_attrs(m, &l);
    ck_assert_msg(l.n == 1, "%zu attributes, expected 1", l.n);
    expect_attr(&l, "collectivite", "Millau", "front matter");
    list_attrs(r, &l);
    expect_attr(&l, "type", "agglomération", "front matter");
    /* a key stored as written before it was read as another (an
     * "interviewer" from before it was enqueteur): removed by its name */
    char sql[200];
    snprintf(sql, sizeof(sql),
             "INSERT INTO attributes VALUES (%lld, 'interviewer', 'Lou', "
             "'front matter')",
             (long long)m);
    raw_exec(sql);
    begin(st);
    rc = grille_store_unset_attr(st, m, "interviewer", &err);
    ck_assert_msg(rc == 0, "unset of a stored 'interviewer' failed (%d): %s",
                  rc, err.message);
    commit(st);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM attributes WHERE key = "
                             "'interviewer'"),
                     0);
}
END_TEST

static int no_attr(const grille_attr_info *a, void *payload)
{
    (void)a;
    ++*(int *)payload;
    return 0;
}

START_TEST(test_add_keeps_file_read)
{
    /* a text read from a file keeps it (its path from /), a text from
     * memory none, though its path names a file here */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    char path[256], real[PATH_MAX];
    snprintf(path, sizeof(path), "%s/./note.md", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Le t\xc3\xa9l\xc3\xa9travail.\n", f);
    fclose(f);
    ck_assert_ptr_nonnull(realpath(path, real));
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_read_file(&t, path, &err), 0);
    begin(st);
    ck_assert_int_eq(grille_store_add(st, an, cb, "note.md", path, t, NULL,
                                      &err),
                     0);
    grille_text_free(t);
    ck_assert_int_eq(try_add(cb, "mem.md", path, "Les masques.\n", NULL,
                             &err),
                     0);
    commit(st);
    ck_assert_str_eq(raw_text("SELECT file FROM documents WHERE name = "
                              "'note.md'"),
                     real);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM documents WHERE name = "
                             "'mem.md' AND file IS NULL"),
                     1);
    /* edited, read again: refused, whatever path names it */
    f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputs("Ajout.\n", f);
    fclose(f);
    ck_assert_int_eq(grille_text_read_file(&t, real, &err), 0);
    begin(st);
    ck_assert_int_eq(grille_store_add(st, an, cb, "autre.md", "autre.md", t,
                                      NULL, &err),
                     GRILLE_EEXISTS);
    grille_store_rollback(st);
    grille_text_free(t);
    ck_assert_msg(strstr(err.message, "added from this file, as 'note.md'"),
                  "%s", err.message);
}
END_TEST

START_TEST(test_read_unknown_document)
{
    /* an unknown id is not a document without attributes or codings */
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    int calls = 0;
    ck_assert_int_eq(grille_store_foreach_attr(st, m + r + 100, no_attr,
                                               &calls, &err),
                     GRILLE_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "no document #") != NULL, "%s",
                  err.message);
    codings_list l = {0};
    ck_assert_int_eq(grille_store_foreach_coding(st, m + r + 100, on_coding,
                                                 &l, &err),
                     GRILLE_ENOTFOUND);
    ck_assert_int_eq(calls, 0);
    ck_assert_uint_eq(l.n, 0);
    /* a document with none of them is no error */
    const char *bare = "Rien \xc3\xa0 coder ici.\n";
    int64_t id = add_tx("bare.md", "bare.md", bare);
    ck_assert_int_eq(grille_store_foreach_attr(st, id, no_attr, &calls, &err),
                     0);
    /* an add that does not want the new id */
    ck_assert_int_eq(try_add(cb, "other.md", "other.md",
                             "Encore rien \xc3\xa0 coder.\n", NULL, &err),
                     0);
    ck_assert_int_eq(count_docs(st), 4);
    ck_assert_int_eq(
        grille_store_foreach_coding(st, id, on_coding, &l, &err), 0);
    ck_assert_int_eq(calls, 0);
    ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* --------------------------------------------------------------- recode */

START_TEST(test_recode_changes)
{
    int64_t m, r;
    two_notes(&m, &r);
    cb2 = load_cb(yaml2);
    changes_list l;
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    size_t ncodes = grille_codebook_count(cb2);
    ck_assert_msg(l.n == ncodes,
                  "%zu changes reported, the codebook has "
                  "%zu codes",
                  l.n, ncodes);
    const char *texts[2] = {millau, rodez};
    for (size_t i = 0; i < ncodes; i++) {
        grille_code_info ci;
        ck_assert_int_eq(grille_codebook_code(cb2, i, &ci), 0);
        const change_rec *c = &l.c[i];
        ck_assert_msg(strcmp(c->code, ci.id) == 0,
                      "change %zu is for '%s', codebook order says '%s'", i,
                      c->code, ci.id);
        size_t before = 0, after = 0, gained = 0, lost = 0, cb_ = 0, ca = 0;
        for (size_t t = 0; t < 2; t++) {
            uint64_t b = coded_by(cb, ci.id, texts[t]);
            uint64_t a = coded_by(cb2, ci.id, texts[t]);
            before += popcount(b);
            after += popcount(a);
            gained += popcount(a & ~b);
            lost += popcount(b & ~a);
            cb_ += codings_by(cb, ci.id, texts[t]);
            ca += codings_by(cb2, ci.id, texts[t]);
        }
        ck_assert_msg(c->codings_before == cb_ && c->codings_after == ca,
                      "%s: codings %zu -> %zu, expected %zu -> %zu", ci.id,
                      c->codings_before, c->codings_after, cb_, ca);
        ck_assert_msg(c->before == before && c->after == after &&
                          c->gained == gained && c->lost == lost,
                      "%s: before %zu after %zu +%zu -%zu, expected before "
                      "%zu after %zu +%zu -%zu",
                      ci.id, c->before, c->after, c->gained, c->lost, before,
                      after, gained, lost);
    }
    /* "blouses" adds segments to protection, and fewer to its parent,
     * which already held the segment where "santé" is */
    const change_rec *sante = &l.c[(size_t)grille_codebook_find(cb2, "sante")];
    const change_rec *prot =
        &l.c[(size_t)grille_codebook_find(cb2, "sante/protection")];
    ck_assert_msg(prot->gained > 0, "test bug: protection gains nothing");
    ck_assert_msg(sante->gained > 0 && sante->gained < prot->gained,
                  "test bug: sante gains %zu, protection %zu", sante->gained,
                  prot->gained);
    ck_assert_msg(sante->before > prot->before,
                  "children not rolled into sante: %zu, protection %zu",
                  sante->before, prot->before);
}
END_TEST

START_TEST(test_recode_jobs)
{
    /* three analysers: the same changes, progress calls and codings as
     * one; none is refused */
    int64_t m, r;
    two_notes(&m, &r);
    cb2 = load_cb(yaml2);
    changes_list one, three;
    begin(st);
    recode(cb2, yaml2, &one);
    grille_store_rollback(st);
    grille_analyser *more[3] = {an, NULL, NULL};
    grille_error err;
    memset(&err, 0, sizeof(err));
    for (int i = 1; i < 3; i++)
        ck_assert_int_eq(grille_analyser_new(&more[i], &err), 0);
    begin(st);
    memset(&three, 0, sizeof(three));
    int rc = grille_store_recode_jobs(st, more, 3, cb2, yaml2, strlen(yaml2),
                                      "new.yaml", on_progress, on_change,
                                      &three, &err);
    ck_assert_msg(rc == 0, "recode with 3 analysers: %s", err.message);
    commit(st);
    ck_assert_msg(memcmp(&one, &three, sizeof(one)) == 0,
                  "3 analysers: %zu changes, %zu progress calls; 1: %zu, %zu",
                  three.n, three.progress_calls, one.n, one.progress_calls);
    ck_assert_int_eq(three.progress_calls, 2);
    codings_list c;
    list_codings(m, &c);
    expect_as_analysed(&c, millau, cb2, "itw-millau.md recoded, 3 analysers");
    list_codings(r, &c);
    expect_as_analysed(&c, rodez, cb2, "itw-rodez.md recoded, 3 analysers");
    begin(st);
    rc = grille_store_recode_jobs(st, more, 0, cb2, yaml2, strlen(yaml2),
                                  "new.yaml", NULL, NULL, NULL, &err);
    ck_assert_int_eq(rc, GRILLE_EINVALID);
    grille_store_rollback(st);
    for (int i = 1; i < 3; i++)
        grille_analyser_free(more[i]);
}
END_TEST

START_TEST(test_recode_new_code)
{
    /* a theme new in the codebook: nothing before, all gained */
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    cb2 = load_cb(yaml4);
    begin(st);
    recode(cb2, yaml4, &l);
    commit(st);
    size_t after = 0;
    const char *texts[2] = {millau, rodez};
    for (size_t t = 0; t < 2; t++)
        after += popcount(coded_by(cb2, "equipement", texts[t]));
    ck_assert_msg(after > 0, "test bug: equipement codes nothing");
    long e = grille_codebook_find(cb2, "equipement");
    ck_assert_msg(l.n == grille_codebook_count(cb2) && e >= 0,
                  "%zu changes for %zu codes", l.n, grille_codebook_count(cb2));
    const change_rec *c = &l.c[(size_t)e];
    ck_assert_msg(strcmp(c->code, "equipement") == 0, "change %ld is '%s'", e,
                  c->code);
    ck_assert_msg(c->before == 0 && c->after == after && c->gained == after &&
                      c->lost == 0,
                  "equipement: before %zu after %zu +%zu -%zu, expected 0 "
                  "%zu +%zu -0",
                  c->before, c->after, c->gained, c->lost, after, after);
}
END_TEST

START_TEST(test_recode_lost)
{
    /* recoding back to the first codebook loses what "blouses" gave */
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    grille_codebook *cb1 = load_cb(yaml1);
    begin(st);
    recode(cb1, yaml1, &l);
    commit(st);
    long p = grille_codebook_find(cb1, "sante/protection");
    size_t lost = 0, after = 0;
    const char *texts[2] = {millau, rodez};
    for (size_t t = 0; t < 2; t++) {
        uint64_t b = coded_by(cb2, "sante/protection", texts[t]);
        uint64_t a = coded_by(cb1, "sante/protection", texts[t]);
        lost += popcount(b & ~a);
        after += popcount(a);
    }
    grille_codebook_free(cb1);
    ck_assert_msg(p >= 0 && (size_t)p < l.n, "no change for protection");
    ck_assert_msg(lost > 0, "test bug: nothing to lose");
    ck_assert_msg(l.c[p].lost == lost && l.c[p].gained == 0 &&
                      l.c[p].after == after,
                  "protection: after %zu +%zu -%zu, expected after %zu +0 "
                  "-%zu",
                  l.c[p].after, l.c[p].gained, l.c[p].lost, after, lost);
}
END_TEST

START_TEST(test_recode_new_codebook_and_codings)
{
    char *yaml = NULL, *source = NULL;
    size_t len = 0;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    int rc = grille_store_codebook_text(st, &yaml, &len, &source, &err);
    ck_assert_msg(rc == 0, "codebook_text failed (%d): %s", rc, err.message);
    int same = len == strlen(yaml2) && memcmp(yaml, yaml2, len) == 0;
    int named = strcmp(source, "new.yaml") == 0;
    grille_free(yaml);
    grille_free(source);
    ck_assert_msg(same, "the project's codebook is not the new YAML");
    ck_assert_msg(named, "the project's codebook source is not new.yaml");
    codings_list c;
    list_codings(m, &c);
    expect_as_analysed(&c, millau, cb2, "itw-millau.md recoded");
    list_codings(r, &c);
    expect_as_analysed(&c, rodez, cb2, "itw-rodez.md recoded");
    /* new documents are added with the new codebook only */
    project_codebook();
    ck_assert_str_eq(grille_codebook_sha256(cb), grille_codebook_sha256(cb2));
    begin(st);
    int64_t a = add("itw-albi.md", "itw-albi.md", albi);
    commit(st);
    list_codings(a, &c);
    expect_as_analysed(&c, albi, cb2, "itw-albi.md");
}
END_TEST

/* A manual coding of segment `idx` of document `doc` as teletravail,
 * over the whole segment, numbered `number` in it, as another tool would
 * write it (the id says the segment); the only manual one. */
static void manual_coding(int64_t doc, int idx, long long number,
                          const char *term)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO codings (id, segment, code, start, \"end\", term, "
             "rule, origin) SELECT (s.id << 28) + %lld, s.id, k.id, s.start, "
             "s.\"end\", '%s', 'manuel', 'manual' FROM segments s, codes k "
             "WHERE s.document = %lld AND s.idx = %d AND k.code = "
             "'teletravail'",
             number, term, (long long)doc, idx);
    raw_exec(sql);
    ck_assert_msg(raw_int("SELECT count(*) FROM codings WHERE origin = "
                          "'manual'") == 1,
                  "test bug: the manual coding was not inserted");
}

START_TEST(test_recode_keeps_manual)
{
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    /* a manual coding of segment 0 (the heading) as teletravail, as
     * another tool would write it: the id says the segment (number 1000
     * in it, past the automatic ones) */
    manual_coding(m, 0, 1000, "Entretien avec la DGS");
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    codings_list c;
    list_codings(m, &c);
    size_t manual = 0, k_manual = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (strcmp(c.c[k].origin, "manual") == 0) {
            manual++;
            k_manual = k;
        }
    }
    ck_assert_msg(manual == 1, "%zu manual codings after recode, expected 1",
                  manual);
    const coding_rec *x = &c.c[k_manual];
    ck_assert_msg(strcmp(x->code, "teletravail") == 0 && x->segment == 0 &&
                      strcmp(x->rule, "manuel") == 0 &&
                      strcmp(x->term, "Entretien avec la DGS") == 0,
                  "the manual coding came back as %s seg %zu rule '%s' term "
                  "'%s'",
                  x->code, x->segment, x->rule, x->term);
    /* the automatic ones are the analyser's with the new codebook */
    memmove(&c.c[k_manual], &c.c[k_manual + 1],
            (c.n - k_manual - 1) * sizeof(c.c[0]));
    c.n--;
    expect_as_analysed(&c, millau, cb2, "itw-millau.md recoded");
}
END_TEST

/* A coding's id is its segment's id shifted by 28 bits plus its number in
 * the segment: 0, 1, 2... in order as added; after a recode, past the
 * manual codings kept; one that says another segment is refused. */
START_TEST(test_coding_ids_say_segments)
{
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    ck_assert_msg(raw_int("SELECT count(*) FROM (SELECT segment FROM codings "
                          "GROUP BY segment HAVING count(*) >= 2)") >= 1,
                  "test bug: too few codings to prove anything");
    ck_assert_msg(raw_int("SELECT count(*) FROM codings WHERE id >> 28 != "
                          "segment") == 0,
                  "a coding's id does not say its segment");
    /* numbered 0, 1, 2... within each segment */
    ck_assert_msg(raw_int("SELECT count(*) FROM codings c WHERE (c.id & "
                          "268435455) != (SELECT count(*) FROM codings o "
                          "WHERE o.segment = c.segment AND o.id < c.id)") ==
                      0,
                  "the codings of a segment are not numbered from 0");
    ck_assert_msg(raw_int("SELECT count(*) FROM sqlite_master WHERE name = "
                          "'codings_segment'") == 0,
                  "the codings are still indexed by segment");
    manual_coding(m, 1, 5, "x");
    char sql[512];
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    /* the automatic codings of its segment come after the manual one;
     * the other segments' from 0 */
    snprintf(sql, sizeof(sql),
             "SELECT min(id & 268435455) FROM codings WHERE origin = "
             "'automatic' AND segment = (SELECT id FROM segments WHERE "
             "document = %lld AND idx = 1)",
             (long long)m);
    ck_assert_int_eq(raw_int(sql), 6);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM codings WHERE id & 268435455 = 0 AND "
             "segment IN (SELECT id FROM segments WHERE document = %lld "
             "AND idx != 1)",
             (long long)m);
    ck_assert_msg(raw_int(sql) >= 1,
                  "the other segments' codings are not numbered from 0");
    ck_assert_msg(raw_int("SELECT count(*) FROM codings WHERE id >> 28 != "
                          "segment") == 0,
                  "after recode, a coding's id does not say its segment");
    /* another tool that gets the id wrong is told so */
    sqlite3 *db = raw_open(proj, SQLITE_OPEN_READWRITE);
    int rc = sqlite3_exec(db,
                          "INSERT INTO codings (segment, code, start, "
                          "\"end\", term, rule, origin) SELECT id, 1, 0, 1, "
                          "'x', 'manuel', 'manual' FROM segments LIMIT 1",
                          NULL, NULL, NULL);
    ck_assert_msg(rc == SQLITE_CONSTRAINT, "a coding without its id: %s",
                  sqlite3_errstr(rc));
    sqlite3_close(db);
}
END_TEST

/* Codings another tool left with larger ids than the new ones (their
 * segment gone, their ids soon new segments'): the new document's codings
 * are each given their id, numbered after them, and are right.  A segment whose numbers
 * run out: the recode says so and changes nothing. */
START_TEST(test_coding_ids_edges)
{
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    int64_t next = raw_int("SELECT max(id) + 1 FROM segments");
    char sql[512];
    /* two strays: number 0 of the next segment's range, number 1000 of
     * the one after */
    snprintf(sql, sizeof(sql),
             "INSERT INTO codings (id, segment, code, start, \"end\", term, "
             "rule, origin) VALUES (%lld << 28, %lld, 1, 0, 1, 'x', 'r', "
             "'manual'), ((%lld << 28) + 1000, %lld, 1, 0, 1, 'x', 'r', "
             "'manual')",
             (long long)next, (long long)next, (long long)(next + 1),
             (long long)(next + 1));
    raw_exec(sql);
    int64_t a = add_tx("itw-albi.md", "itw-albi.md", albi);
    ck_assert_msg(raw_int("SELECT count(*) FROM codings WHERE segment = (SELECT "
                          "min(id) FROM segments WHERE document = (SELECT "
                          "max(id) FROM documents)) AND origin = "
                          "'automatic'") > 0,
                  "test bug: the first new segment has no coding");
    /* each segment's codings numbered after the stray one there */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM codings c WHERE c.segment IN (SELECT id "
             "FROM segments WHERE document = %lld) AND c.origin = "
             "'automatic' AND (c.id & 268435455) != coalesce((SELECT "
             "max(o.id & 268435455) + 1 FROM codings o WHERE o.segment = "
             "c.segment AND o.rule = 'r'), 0) + (SELECT count(*) FROM "
             "codings o WHERE o.segment = c.segment AND o.origin = "
             "'automatic' AND o.id < c.id)",
             (long long)a);
    ck_assert_msg(raw_int(sql) == 0,
                  "the new document's codings are not numbered after the "
                  "stray ones");
    raw_exec("DELETE FROM codings WHERE rule = 'r'"); /* the strays */
    codings_list c;
    list_codings(a, &c);
    expect_as_analysed(&c, albi, cb, "itw-albi.md beside a stray coding");

    /* the last number of segment 1 of itw-millau.md taken by hand */
    manual_coding(m, 1, 268435455, "x");
    int64_t before = raw_int("SELECT total(id) + count(*) FROM codings");
    cb2 = load_cb(yaml2);
    begin(st);
    grille_error err = {0};
    memset(&l, 0, sizeof(l));
    int rc = grille_store_recode(st, an, cb2, yaml2, strlen(yaml2),
                                 "new.yaml", on_progress, on_change, &l, &err);
    ck_assert_msg(rc < 0, "a recode past a segment's last number succeeded");
    ck_assert_msg(strstr(err.message, "numbered past 268435455") != NULL,
                  "the recode says: %s", err.message);
    grille_store_rollback(st);
    ck_assert_msg(raw_int("SELECT total(id) + count(*) FROM codings") == before,
                  "the failed recode changed the codings");
}
END_TEST

START_TEST(test_recode_progress)
{
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    begin(st);
    add("itw-albi.md", "itw-albi.md", albi);
    commit(st);
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    commit(st);
    ck_assert_msg(l.progress_calls == 3,
                  "progress called %zu times for 3 "
                  "documents",
                  l.progress_calls);
    for (size_t i = 0; i < l.progress_calls; i++)
        ck_assert_msg(l.done[i] == i + 1 && l.total[i] == 3,
                      "progress call %zu: %zu/%zu, expected %zu/3", i,
                      l.done[i], l.total[i], i + 1);
}
END_TEST

START_TEST(test_recode_removed_theme)
{
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    size_t before = 0;
    const char *texts[2] = {millau, rodez};
    for (size_t t = 0; t < 2; t++)
        before += popcount(coded_by(cb, "teletravail", texts[t]));
    ck_assert_msg(before > 0, "test bug: no teletravail coding");
    cb2 = load_cb(yaml3);
    begin(st);
    recode(cb2, yaml3, &l);
    commit(st);
    const change_rec *c = NULL;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.c[i].code, "teletravail") == 0)
            c = &l.c[i];
    ck_assert_msg(c != NULL, "no change reported for the removed theme");
    ck_assert_msg(c == &l.c[l.n - 1], "the removed theme is not reported "
                                      "after the codebook's codes");
    ck_assert_msg(c->before == before && c->after == 0 && c->lost == before &&
                      c->gained == 0,
                  "teletravail: before %zu after %zu +%zu -%zu, expected "
                  "%zu 0 +0 -%zu",
                  c->before, c->after, c->gained, c->lost, before, before);
    codings_list x;
    list_codings(0, &x);
    for (size_t k = 0; k < x.n; k++)
        ck_assert_msg(strcmp(x.c[k].code, "teletravail") != 0,
                      "a teletravail coding survived: '%s'", x.c[k].term);
}
END_TEST

START_TEST(test_recode_dry_run)
{
    /* a recode rolled back leaves the project as it was */
    int64_t m, r;
    changes_list l;
    two_notes(&m, &r);
    codings_list before, after;
    list_codings(0, &before);
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    grille_store_rollback(st);
    list_codings(0, &after);
    ck_assert_msg(after.n == before.n,
                  "%zu codings after a dry run, %zu "
                  "before",
                  after.n, before.n);
    ck_assert_msg(raw_int("SELECT count(*) FROM codebook WHERE yaml LIKE "
                          "'%blouses%'") == 0,
                  "the dry run changed the stored codebook");
}
END_TEST

START_TEST(test_recode_dry_run_then_add)
{
    /* after a dry run, the project's codebook is still the one to add
     * with, and the dry run's is not */
    grille_error err;
    int64_t m, r, id = -1;
    changes_list l;
    two_notes(&m, &r);
    cb2 = load_cb(yaml2);
    begin(st);
    recode(cb2, yaml2, &l);
    grille_store_rollback(st);
    project_codebook();
    begin(st);
    int rc = try_add(cb, "itw-albi.md", "itw-albi.md", albi, &id, &err);
    if (rc == 0)
        commit(st);
    else
        grille_store_rollback(st);
    ck_assert_msg(rc == 0,
                  "after a recode rolled back, adding with the "
                  "project's codebook gave %d: %s",
                  rc, err.message);
    begin(st);
    rc = try_add(cb2, "itw-autre.md", "itw-autre.md", "Les blouses.\n", &id,
                 &err);
    grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_EINVALID,
                  "after a recode rolled back, adding "
                  "with the rolled-back codebook gave %d, expected "
                  "GRILLE_EINVALID",
                  rc);
}
END_TEST

/* ----------------------------------------------------------------- text */

START_TEST(test_text_with_front_matter)
{
    char *text = NULL;
    size_t len = 0, body = 0, ys, ye, want_body = 0;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int64_t m, r;
    two_notes(&m, &r);
    int rc = grille_store_text(st, m, &text, &len, &body, &err);
    ck_assert_msg(rc == 0 && text != NULL, "text failed (%d): %s", rc,
                  err.message);
    int same = len == strlen(millau) && memcmp(text, millau, len) == 0 &&
               text[len] == '\0';
    grille_free(text);
    ck_assert_int_eq(grille_text_front_matter(millau, strlen(millau), &ys, &ye,
                                              &want_body, NULL),
                     1);
    ck_assert_msg(same,
                  "the stored text is not the note (%zu bytes, %zu "
                  "expected)",
                  len, strlen(millau));
    ck_assert_msg(body == want_body && want_body > 0,
                  "body at %zu, expected %zu", body, want_body);
}
END_TEST

START_TEST(test_text_without_front_matter)
{
    char *text = NULL;
    size_t len = 0, body = 99;
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int64_t a = add_tx("itw-albi.md", "itw-albi.md", albi);
    int rc = grille_store_text(st, a, &text, &len, &body, &err);
    ck_assert_msg(rc == 0, "text failed (%d): %s", rc, err.message);
    int same = len == strlen(albi) && memcmp(text, albi, len) == 0;
    grille_free(text);
    ck_assert_msg(same, "the stored text is not the note");
    ck_assert_msg(body == 0, "body at %zu without front matter", body);
    /* a damaged row's body past the text: said, no text */
    raw_exec("UPDATE documents SET body = 1000000");
    rc = grille_store_text(st, a, &text, &len, &body, &err);
    ck_assert_int_eq(rc, GRILLE_ESTORE);
    ck_assert_ptr_null(text);
    ck_assert_msg(strstr(err.message, "document 'itw-albi.md' (#1) has its "
                                      "body at byte 1000000, outside its "
                                      "text of ") != NULL,
                  "%s", err.message);
}
END_TEST

START_TEST(test_text_unknown)
{
    static char dummy[] = "x";
    char *text = dummy;
    size_t len = 0, body = 0;
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int rc = grille_store_text(st, 42, &text, &len, &body, &err);
    ck_assert_msg(rc == GRILLE_ENOTFOUND,
                  "text of a missing document gave "
                  "%d",
                  rc);
    ck_assert_msg(text == NULL, "*text not NULL for a missing document");
}
END_TEST

/* ---------------------------------------------------------- concurrency */

START_TEST(test_busy_second_writer)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int rc = grille_store_open(&st2, proj, 0, &err);
    ck_assert_msg(rc == 0, "second open failed (%d): %s", rc, err.message);
    grille_store_busy_timeout(st2, 100);
    begin(st);
    add("itw-millau.md", "itw-millau.md", millau);
    rc = grille_store_begin(st2, &err);
    ck_assert_msg(rc == GRILLE_ESTORE,
                  "begin while another writes gave %d "
                  "(%s), expected GRILLE_ESTORE",
                  rc, err.message);
    ck_assert_msg(strstr(err.message, "busy") != NULL,
                  "message does not say busy: %s", err.message);
    commit(st);
    memset(&err, 0, sizeof(err));
    rc = grille_store_begin(st2, &err);
    ck_assert_msg(rc == 0, "begin after the other committed gave %d: %s", rc,
                  err.message);
    ck_assert_msg(count_docs(st2) == 1, "the second handle does not see the "
                                        "first's document");
    commit(st2);
}
END_TEST

START_TEST(test_busy_two_writers_in_turn)
{
    /* each handle adds a document in its turn; both are kept */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int rc = grille_store_open(&st2, proj, 0, &err);
    ck_assert_msg(rc == 0, "second open failed (%d): %s", rc, err.message);
    grille_codebook *c2 = NULL;
    rc = grille_store_codebook(st2, &c2, &err);
    ck_assert_msg(rc == 0, "second codebook failed: %s", err.message);
    add_tx("itw-millau.md", "itw-millau.md", millau);
    begin(st2);
    grille_text *t = NULL;
    rc = grille_text_decode(&t, rodez, strlen(rodez), "r.md", &err);
    ck_assert_msg(rc == 0, "test bug: decode");
    int64_t id = 0;
    rc = grille_store_add(st2, ref, c2, "itw-rodez.md", "itw-rodez.md", t, &id,
                          &err);
    grille_text_free(t);
    grille_codebook_free(c2);
    ck_assert_msg(rc == 0, "second handle's add failed (%d): %s", rc,
                  err.message);
    commit(st2);
    ck_assert_msg(count_docs(st) == 2, "%zu documents, expected both",
                  count_docs(st));
}
END_TEST

START_TEST(test_busy_other_recoded_stale_codebook)
{
    /* the first handle loaded the codebook; the second recodes the project
     * and commits; the first's codebook is no longer the project's */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int rc = grille_store_open(&st2, proj, 0, &err);
    ck_assert_msg(rc == 0, "second open failed (%d): %s", rc, err.message);
    cb2 = load_cb(yaml2);
    changes_list l;
    memset(&l, 0, sizeof(l));
    begin(st2);
    rc = grille_store_recode(st2, ref, cb2, yaml2, strlen(yaml2), "new.yaml",
                             NULL, NULL, NULL, &err);
    ck_assert_msg(rc == 0, "recode failed (%d): %s", rc, err.message);
    commit(st2);
    begin(st);
    int64_t id = -1;
    rc = try_add(cb, "itw-millau.md", "itw-millau.md", millau, &id, &err);
    if (rc == 0)
        commit(st);
    else
        grille_store_rollback(st);
    ck_assert_msg(rc == GRILLE_EINVALID,
                  "adding with the codebook the "
                  "project had before another handle recoded it gave %d, "
                  "expected GRILLE_EINVALID",
                  rc);
}
END_TEST

START_TEST(test_busy_other_recoded_reload)
{
    /* the first handle was open while the second recoded; it then loads
     * the project's codebook, which is the new one, and adds with it */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int rc = grille_store_open(&st2, proj, 0, &err);
    ck_assert_msg(rc == 0, "second open failed (%d): %s", rc, err.message);
    cb2 = load_cb(yaml2);
    begin(st2);
    rc = grille_store_recode(st2, ref, cb2, yaml2, strlen(yaml2), "new.yaml",
                             NULL, NULL, NULL, &err);
    ck_assert_msg(rc == 0, "recode failed (%d): %s", rc, err.message);
    commit(st2);
    project_codebook();
    ck_assert_str_eq(grille_codebook_sha256(cb), grille_codebook_sha256(cb2));
    begin(st);
    int64_t id = -1;
    rc = try_add(cb, "itw-millau.md", "itw-millau.md", millau, &id, &err);
    if (rc == 0)
        commit(st);
    else
        grille_store_rollback(st);
    ck_assert_msg(rc == 0,
                  "adding with the project's codebook, recoded by "
                  "another handle, gave %d: %s",
                  rc, err.message);
    codings_list c;
    list_codings(id, &c);
    expect_as_analysed(&c, millau, cb2, "itw-millau.md");
}
END_TEST

/* The POSIX locks this process holds on the file at `path`, from
 * /proc/locks (Linux), all of them or (read_marks) the read locks on the
 * read marks of a unix -shm (bytes 123 to 127, SQLite's
 * WAL_READ_LOCK(0..4), one of which a read transaction holds for as long
 * as it lasts); -1 when that cannot be told.  Opening and closing a file
 * next to SQLite drops them all, which SQLite would not notice. */
static long locks_on(const char *path, bool read_marks)
{
    struct stat sb;
    FILE *f = fopen("/proc/locks", "r");
    if (!f || stat(path, &sb) != 0) {
        if (f)
            fclose(f);
        return -1;
    }
    long n = 0;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        char kind[16], mode[16], end[32];
        long pid;
        unsigned long long ino, start;
        /* "1: POSIX  ADVISORY  READ 1234 fd:01:5678 124 124" (or EOF) */
        if (sscanf(line, "%*s %15s %*s %15s %ld %*x:%*x:%llu %llu %31s", kind,
                   mode, &pid, &ino, &start, end) == 6 &&
            strcmp(kind, "POSIX") == 0 && pid == (long)getpid() &&
            ino == (unsigned long long)sb.st_ino &&
            (!read_marks ||
             (strcmp(mode, "READ") == 0 && start <= 127 &&
              (strcmp(end, "EOF") == 0 || strtoull(end, NULL, 10) >= 123))))
            n++;
    }
    fclose(f);
    return n;
}

static long locks_held(const char *path)
{
    return locks_on(path, false);
}

/* Whether this process holds a read mark of the -shm `shm`: 1, 0, or -1
 * when that cannot be told. */
static int read_mark_held(const char *shm)
{
    long n = locks_on(shm, true);
    return n < 0 ? -1 : n > 0;
}

START_TEST(test_report_snapshot_attributes)
{
    /* A report reads the attributes on a second connection while the
     * first reads the counts.  Inside a read snapshot taken before another
     * handle changed an attribute, it must still show the snapshot's
     * value: the second connection reads another state, and is not used. */
    grille_error err;
    memset(&err, 0, sizeof(err));
    fresh();
    int64_t m = add_tx("itw-millau.md", "itw-millau.md", millau);
    /* enough documents for the second connection to be worth it */
    begin(st);
    for (int i = 0; i < 1000; i++) {
        char name[32], text[64];
        snprintf(name, sizeof(name), "note-%04d.md", i);
        snprintf(text, sizeof(text), "---\ntype: x%d\n---\nsant\xc3\xa9 %d\n",
                 i % 7, i);
        add(name, name, text);
    }
    commit(st);
    int rc = grille_store_open(&st2, proj, 0, &err);
    ck_assert_msg(rc == 0, "second open failed (%d): %s", rc, err.message);
    const char *const keys[] = {"collectivite", "type", NULL};
    const grille_report_want some = {false, false, keys, false};
    const grille_report_want all = {false, false, NULL, false};
    const grille_report_want *wants[] = {&some, &all};
    for (int w = 0; w < 2; w++) {
        ck_assert_int_eq(grille_store_read_begin(st, &err), 0);
        rc = grille_store_set_attr(st2, m, "type",
                                   w ? "commune" : "EPCI", "command line",
                                   &err);
        ck_assert_msg(rc == 0, "set_attr failed (%d): %s", rc, err.message);
        char shm[160];
        snprintf(shm, sizeof(shm), "%s-shm", proj);
        int held = read_mark_held(shm);
        ck_assert_int_ne(held, 0); /* the snapshot's (or -1: not Linux) */
        grille_report *r = NULL;
        ck_assert_int_eq(grille_report_build_some(&r, st, wants[w], &err), 0);
        /* the snapshot's read mark on the -shm is still held (opening and
         * closing the -shm next to SQLite would drop every lock of the
         * process on it; the number of the process's locks is not
         * compared: it moved by one once in a loaded run, with the mark
         * held) */
        ck_assert_int_eq(read_mark_held(shm), held);
        ck_assert_str_eq(grille_report_attr(r, 0, "type"),
                         w ? "EPCI" : "commune");
        ck_assert_str_eq(grille_report_attr(r, 0, "collectivite"), "Millau");
        grille_report_free(r);
        grille_store_read_end(st);
        /* out of the snapshot: the value written since */
        ck_assert_int_eq(grille_report_build_some(&r, st, wants[w], &err), 0);
        ck_assert_str_eq(grille_report_attr(r, 0, "type"),
                         w ? "commune" : "EPCI");
        grille_report_free(r);
    }
}
END_TEST

/* Checks grille_report_attr_values(r, key) against grille_report_attr:
 * every document's value, the values distinct and in the order of their
 * first document; `same` when equal values must be one string (the keys
 * read by name are numbered as they are read). */
static void check_attr_values(const grille_report *r, const char *key,
                              bool same)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    const char **vals = NULL;
    size_t nv = 99, *of = NULL;
    ck_assert_int_eq(grille_report_attr_values(r, key, &vals, &nv, &of, &err),
                     0);
    size_t next = 0; /* the next value met for the first time */
    for (size_t d = 0; d < r->ndocs; d++) {
        const char *v = grille_report_attr(r, d, key);
        if (!v) {
            ck_assert_msg(of[d] == SIZE_MAX, "%s: doc %zu has no value, not "
                          "%zu", key, d, of[d]);
            continue;
        }
        ck_assert_uint_lt(of[d], nv);
        ck_assert_str_eq(vals[of[d]], v);
        if (same)
            ck_assert_ptr_eq(vals[of[d]], v);
        ck_assert_uint_le(of[d], next); /* in the order of first document */
        if (of[d] == next)
            next++;
    }
    ck_assert_uint_eq(next, nv);
    for (size_t i = 0; i < nv; i++)
        for (size_t j = i + 1; j < nv; j++)
            ck_assert_str_ne(vals[i], vals[j]);
    free(vals);
    free(of);
}

START_TEST(test_report_attr_values)
{
    /* The documents grouped by an attribute's value, as the report's
     * grid and compare group them: numbered as the attributes are read
     * (on the report's second connection past 1,000 documents, on its own
     * below), or grouped when asked (every key read).  The documents are
     * added in the reverse of their names' order (the report's), one is
     * removed, and rows of attributes of no document are written as
     * another tool could. */
    grille_error err;
    memset(&err, 0, sizeof(err));
    static const char *const types[] = {"commune", "d\xc3\xa9partement", "",
                                        NULL, "CCAS", "Commune"};
    fresh();
    int removed = 0;
    for (int big = 0; big < 2; big++) {
        begin(st);
        int n = big ? 1100 : 40;
        int64_t gone = -1;
        for (int i = big ? 40 : 0; i < n; i++) {
            char name[32], text[160];
            const char *t = types[(i * 7 + i / 11) % 6];
            snprintf(name, sizeof(name), "note-%04d.md", 9999 - i);
            snprintf(text, sizeof(text),
                     "---\n%s%s%scollectivite: C%d\n---\nsant\xc3\xa9 %d\n",
                     t ? "type: " : "", t ? t : "", t ? "\n" : "",
                     (i * 37) % (big ? 367 : 13), i);
            int64_t id = add(name, name, text);
            if (i == n - 7)
                gone = id;
        }
        commit(st);
        ck_assert_int_eq(grille_store_remove(st, gone, &err), 0);
        removed++;
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO attributes VALUES (%lld, 'type', 'orphan', 'x'), "
                 "(%lld, 'type', 'commune', 'x'), (%lld, 'type', 'far', 'x')",
                 (long long)gone, (long long)gone + 100000,
                 (long long)gone + 100001);
        raw_exec(sql);
        n -= removed;
        /* a key asked twice, in two spellings */
        const char *const keys[] = {"collectivite", "Type", "type", NULL};
        const grille_report_want some = {false, false, keys, false};
        const grille_report_want all = {false, false, NULL, false};
        for (int w = 0; w < 2; w++) {
            grille_report *r = NULL;
            ck_assert_int_eq(
                grille_report_build_some(&r, st, w ? &all : &some, &err), 0);
            ck_assert_uint_eq(r->ndocs, (size_t)n);
            check_attr_values(r, "type", !w);
            check_attr_values(r, "TYPE", !w); /* any case, as stored */
            check_attr_values(r, "collectivite", !w);
            const char **vals = NULL;
            size_t nv = 7, *of = NULL;
            ck_assert_int_eq(
                grille_report_attr_values(r, "type", &vals, &nv, &of, &err),
                0);
            ck_assert_uint_eq(nv, 4); /* "" is none; Commune is not commune */
            free(vals);
            free(of);
            /* a key no document has, or one not read: every document
             * without it */
            ck_assert_int_eq(grille_report_attr_values(r, "region", &vals, &nv,
                                                       &of, &err),
                             0);
            ck_assert_uint_eq(nv, 0);
            for (int d = 0; d < n; d++)
                ck_assert(of[d] == SIZE_MAX);
            free(vals);
            free(of);
            ck_assert_int_eq(grille_report_attr_values(r, NULL, &vals, &nv,
                                                       &of, &err),
                             GRILLE_EINVALID);
            ck_assert_ptr_null(vals);
            ck_assert_ptr_null(of);
            grille_report_free(r);
        }
    }
}
END_TEST

/* ---------------------------------------------------------------- quotes */

typedef struct quote_rec {
    int64_t document, segment_id;
    size_t hits, terms, start, end;
    char text[512];
    bool has_text;
} quote_rec;

typedef struct quote_list {
    quote_rec v[64];
    size_t n;
} quote_list;

static int on_quote_rec(const grille_quote_info *q, void *payload)
{
    quote_list *l = payload;
    ck_assert_msg(l->n < 64, "more than 64 quotes");
    quote_rec *r = &l->v[l->n++];
    r->document = q->document;
    r->segment_id = q->segment_id;
    r->hits = q->hits;
    r->terms = q->terms;
    r->start = q->start;
    r->end = q->end;
    r->has_text = q->text != NULL;
    if (q->text)
        snprintf(r->text, sizeof(r->text), "%.*s", (int)q->len, q->text);
    return 0;
}

/* The quotes of `code` with their texts and ranked without. */
static void both_quotes(const char *code, quote_list *with,
                        quote_list *without)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    memset(with, 0, sizeof(*with));
    memset(without, 0, sizeof(*without));
    ck_assert_int_eq(
        grille_store_foreach_quote(st, code, on_quote_rec, with, &err), 0);
    ck_assert_int_eq(grille_store_foreach_quote_ranked(st, code, on_quote_rec,
                                                       without, &err),
                     0);
    ck_assert_uint_eq(with->n, without->n);
}

/* Six notes added in an order that is not their names', whose segments
 * tie on hits, length class and terms: 24 quotes of sante. */
static void tied_notes(void)
{
    fresh();
    static const char *const names[] = {"n07.md", "n03.md", "n11.md",
                                        "n01.md", "n09.md", "n05.md"};
    static const char *const paras[] = {
        "La santé des agents a été suivie chaque semaine par la direction, "
        "avec un point fixe le lundi matin et un compte rendu envoyé aux "
        "élus, aux chefs de service et aux représentants du personnel, qui "
        "en ont fait un retour écrit dans la semaine suivante pour chaque "
        "service.",
        "Masques et gel pour tous.",
        "Santé : rien de plus à signaler.",
        "Le point santé du jeudi réunissait la DRH, le médecin de prévention "
        "et deux agents tirés au sort, pour entendre ce qui remontait des "
        "équipes de terrain et des services fermés au public depuis mars, "
        "et décider des mesures de la semaine à venir avec les élus."};
    begin(st);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char note[2048];
        size_t o = (size_t)snprintf(note, sizeof(note), "# Entretien %zu\n\n",
                                    i);
        for (size_t k = 0; k < 4; k++)
            o += (size_t)snprintf(note + o, sizeof(note) - o, "%s\n\n",
                                  paras[(i + k) % 4]);
        add(names[i], names[i], note);
    }
    commit(st);
}

START_TEST(test_quotes_ranked_order_with_ties)
{
    /* the score: hits first, then a readable length; no wrap-around */
    ck_assert_uint_eq(grille_quote_score(0, 100), 0);
    ck_assert_uint_gt(grille_quote_score(2, 10), grille_quote_score(1, 300));
    ck_assert_uint_gt(grille_quote_score(1, 45), grille_quote_score(1, 39));
    ck_assert_uint_eq(grille_quote_score(1, 250), grille_quote_score(1, 900));
    ck_assert_uint_eq(grille_quote_score(SIZE_MAX / 10, 100), SIZE_MAX);
    ck_assert_uint_ge(grille_quote_score(SIZE_MAX / 1000 - 1, 300),
                      grille_quote_score(SIZE_MAX / 1000 - 2, 300));
    /* the ranked quotes (sorted in C) come in the order of the quotes
     * with texts (sorted by SQLite) */
    tied_notes();
    quote_list with, without;
    both_quotes("sante", &with, &without);
    ck_assert_msg(with.n == 24, "%zu quotes of sante, expected 24", with.n);
    size_t ties = 0;
    for (size_t i = 0; i < with.n; i++) {
        ck_assert_msg(with.v[i].segment_id == without.v[i].segment_id,
                      "quote %zu: segment #%lld with texts, #%lld ranked", i,
                      (long long)with.v[i].segment_id,
                      (long long)without.v[i].segment_id);
        ties += i && with.v[i].hits == with.v[i - 1].hits &&
                with.v[i].terms == with.v[i - 1].terms;
    }
    ck_assert_msg(ties >= 12, "test bug: only %zu ties", ties);
}
END_TEST

START_TEST(test_quotes_terms_counted_like_sql)
{
    /* the ranked quotes count their hits and distinct terms in C, a
     * segment at a time; foreach_quote with texts in SQL (count(*) and
     * count(DISTINCT grille_fold(term))): the same figures, for short
     * segments and for one of many codings */
    fresh();
    begin(st);
    add("a.md", "a.md",
        "# A\n\nSanté et santé, SANTÉ, Masques, masques, MASQUES, gel, "
        "Gel, GEL, santé, Santé, gel, masques, Masques, Gel, santé, "
        "masques, gel, SANTÉ, Santé.\n\nLa santé des agents.\n\n"
        "Des masques et du gel, la santé.\n");
    add("b.md", "b.md", "# B\n\nGel et GEL, santé et Santé.\n");
    commit(st);
    quote_list with, without;
    both_quotes("sante", &with, &without);
    ck_assert_uint_eq(with.n, 4);
    size_t many = 0;
    for (size_t i = 0; i < with.n; i++) {
        ck_assert_msg(with.v[i].segment_id == without.v[i].segment_id &&
                          with.v[i].hits == without.v[i].hits &&
                          with.v[i].terms == without.v[i].terms,
                      "quote %zu: %zu hits %zu terms with texts, %zu hits "
                      "%zu terms ranked",
                      i, with.v[i].hits, with.v[i].terms, without.v[i].hits,
                      without.v[i].terms);
        if (with.v[i].hits > 16) {
            many++;
            /* santé, masques, gel, whatever their case and accents
             * (SQL's lower() made "SANTÉ" "santÉ", a fourth) */
            ck_assert_uint_eq(with.v[i].hits, 20);
            ck_assert_uint_eq(with.v[i].terms, 3);
        }
    }
    ck_assert_uint_eq(many, 1);
}
END_TEST

/* Records of 72 bytes (more than heap.h's 64-byte swap buffer), ordered
 * by key; seq tells equal keys apart. */
typedef struct heap_rec {
    int key, seq;
    char pad[64];
} heap_rec;

static int by_heap_key(const void *a, const void *b)
{
    const heap_rec *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static int by_key_seq(const void *a, const void *b)
{
    const heap_rec *x = a, *y = b;
    int c = by_heap_key(a, b);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

START_TEST(test_heap_keeps_the_first_k)
{
    /* streams of random keys, many equal: the heap keeps the first k by
     * its order (a total one: those of a sort; with ties: the keys of a
     * sort's first k), its records intact */
    unsigned seed = 7;
    for (int round = 0; round < 400; round++) {
        size_t n = (size_t)(rand_r(&seed) % 300);
        size_t k = 1 + (size_t)(rand_r(&seed) % 40);
        int range = 1 + rand_r(&seed) % (round % 2 ? 20 : 1000);
        heap_rec *all = calloc(n + 1, sizeof(*all));
        ck_assert_ptr_nonnull(all);
        grille__heap h = {0};
        for (size_t i = 0; i < n; i++) {
            all[i].key = rand_r(&seed) % range;
            all[i].seq = (int)i;
            memset(all[i].pad, (int)(i & 0x7F), sizeof(all[i].pad));
            ck_assert_int_eq(
                grille__heap_offer(&h, k, sizeof(heap_rec), &all[i],
                                   round % 3 ? by_key_seq : by_heap_key),
                0);
            ck_assert_uint_le(h.cap, k);
        }
        size_t want = n < k ? n : k;
        ck_assert_uint_eq(h.n, want);
        qsort(all, n, sizeof(*all), by_key_seq);
        heap_rec *kept = (heap_rec *)(void *)h.v;
        if (h.n)
            qsort(kept, h.n, sizeof(*kept), by_key_seq);
        for (size_t i = 0; i < want; i++) {
            ck_assert_int_eq(kept[i].key, all[i].key);
            if (round % 3)
                ck_assert_int_eq(kept[i].seq, all[i].seq);
            for (size_t b = 0; b < sizeof(kept[i].pad); b++)
                ck_assert_int_eq(kept[i].pad[b], kept[i].seq & 0x7F);
        }
        free(h.v);
        free(all);
    }
}
END_TEST

START_TEST(test_best_quotes_per_document)
{
    /* the best n of each document: the ranked quotes without those that
     * come after n others of their document, in the same order, and the
     * count of them all */
    tied_notes();
    grille_error err;
    memset(&err, 0, sizeof(err));
    quote_list all = {0};
    ck_assert_int_eq(
        grille_store_foreach_quote_ranked(st, "sante", on_quote_rec, &all,
                                          &err),
        0);
    ck_assert_uint_eq(all.n, 24);
    for (size_t keep = 0; keep <= 5; keep++) {
        quote_list best = {0}, want = {0};
        size_t total = 0;
        ck_assert_int_eq(grille_store_foreach_best_quote(st, "sante", keep,
                                                         on_quote_rec, &best,
                                                         &total, &err),
                         0);
        ck_assert_uint_eq(total, 24);
        for (size_t i = 0; i < all.n; i++) {
            size_t before = 0;
            for (size_t k = 0; k < i; k++)
                before += all.v[k].document == all.v[i].document;
            if (!keep || before < keep)
                want.v[want.n++] = all.v[i];
        }
        ck_assert_uint_eq(best.n, keep && keep < 4 ? 6 * keep : 24);
        ck_assert_uint_eq(best.n, want.n);
        for (size_t i = 0; i < want.n; i++)
            ck_assert_msg(best.v[i].segment_id == want.v[i].segment_id &&
                              best.v[i].hits == want.v[i].hits &&
                              best.v[i].start == want.v[i].start,
                          "keep %zu, quote %zu: segment #%lld, expected "
                          "#%lld",
                          keep, i, (long long)best.v[i].segment_id,
                          (long long)want.v[i].segment_id);
    }
    ck_assert_int_eq(grille_store_foreach_best_quote(st, "nope", 2,
                                                     on_quote_rec, &all, NULL,
                                                     &err),
                     GRILLE_ENOTFOUND);
}
END_TEST

typedef struct text_pass {
    size_t n, stop_at;
    char names[4][64];
} text_pass;

static int on_text_rec(const grille_text_info *d, void *payload)
{
    text_pass *p = payload;
    grille_error err;
    memset(&err, 0, sizeof(err));
    char *text;
    size_t len, body;
    /* the same as grille_store_text, read while the pass goes on */
    ck_assert_int_eq(grille_store_text(st, d->id, &text, &len, &body, &err),
                     0);
    ck_assert_uint_eq(d->len, len);
    ck_assert_uint_eq(d->body, body);
    ck_assert_int_eq(memcmp(d->text, text, len), 0);
    ck_assert_int_eq(d->text[d->len], 0);
    grille_free(text);
    ck_assert_uint_lt(p->n, 4);
    snprintf(p->names[p->n], sizeof(p->names[0]), "%s", d->name);
    return ++p->n == p->stop_at ? 42 : 0;
}

START_TEST(test_foreach_text)
{
    /* every document's text, by name, as grille_store_text gives it; a
     * callback's non-zero value stops the pass and is returned */
    int64_t m, r;
    two_notes(&m, &r);
    begin(st);
    add("a-first.md", "a-first.md", albi);
    commit(st);
    grille_error err;
    memset(&err, 0, sizeof(err));
    text_pass p = {0};
    ck_assert_int_eq(grille_store_foreach_text(st, on_text_rec, &p, &err), 0);
    ck_assert_uint_eq(p.n, 3);
    ck_assert_str_eq(p.names[0], "a-first.md");
    ck_assert_str_eq(p.names[1], "itw-millau.md");
    ck_assert_str_eq(p.names[2], "itw-rodez.md");
    text_pass q = {.stop_at = 2};
    ck_assert_int_eq(grille_store_foreach_text(st, on_text_rec, &q, &err),
                     42);
    ck_assert_uint_eq(q.n, 2);
}
END_TEST

START_TEST(test_quotes_ranked_then_texts)
{
    /* the ranked quotes without texts come in the same order; each text
     * read afterwards is the one foreach_quote gives */
    int64_t m, r;
    two_notes(&m, &r);
    grille_error err;
    memset(&err, 0, sizeof(err));
    quote_list with, without;
    both_quotes("sante", &with, &without);
    ck_assert_msg(with.n > 1, "test bug: %zu quotes of sante", with.n);
    for (size_t i = 0; i < with.n; i++) {
        const quote_rec *a = &with.v[i], *b = &without.v[i];
        ck_assert_msg(a->segment_id == b->segment_id && a->hits == b->hits &&
                          a->terms == b->terms && a->start == b->start &&
                          a->end == b->end && a->has_text && !b->has_text,
                      "quote %zu differs without its text", i);
        char *text;
        size_t len;
        ck_assert_int_eq(
            grille_store_segment_text(st, b->segment_id, &text, &len, &err),
            0);
        ck_assert_uint_eq(len, b->end - b->start);
        ck_assert_str_eq(text, a->text);
        grille_free(text);
    }
    char *text = NULL;
    size_t len = 1;
    ck_assert_int_eq(grille_store_segment_text(st, 999999, &text, &len, &err),
                     GRILLE_ENOTFOUND);
    ck_assert_ptr_null(text);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(test_report_quote_hit)
{
    /* each best quote says where its code (or one under it) is first
     * coded in it: the excerpts of the grid start from there */
    int64_t m, r;
    two_notes(&m, &r);
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_report *rep = NULL;
    ck_assert_int_eq(grille_report_build(&rep, st, &err), 0);
    size_t checked = 0, inside = 0;
    for (size_t d = 0; d < rep->ndocs; d++)
        for (size_t c = 0; c < rep->ncodes; c++) {
            const grille_report_quote *q = &rep->best[d * rep->ncodes + c];
            if (!q->segment_id)
                continue;
            char sql[640];
            snprintf(sql, sizeof(sql),
                     "WITH RECURSIVE sub(id) AS (SELECT id FROM codes WHERE "
                     "code = '%s' UNION SELECT k.id FROM codes k JOIN sub ON "
                     "k.parent = sub.id) SELECT min(start) FROM codings "
                     "WHERE segment = %lld AND code IN sub",
                     rep->codes[c].id, (long long)q->segment_id);
            int64_t first = raw_int(sql);
            ck_assert_msg((int64_t)(q->start + q->hit) == first,
                          "%s in segment #%lld: hit at %zu + %u, first "
                          "coding at %lld",
                          rep->codes[c].id, (long long)q->segment_id,
                          q->start, q->hit, (long long)first);
            checked++;
            inside += q->hit > 0;
        }
    ck_assert_msg(checked > 3 && inside > 0,
                  "test bug: %zu quotes, %zu with a hit inside", checked,
                  inside);
    grille_report_free(rep);
}
END_TEST

/* Whether this process maps file `path` (-1: /proc/self/maps unread). */
static int maps_file(const char *path)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    char line[4096];
    size_t n = strlen(path);
    int found = 0;
    while (!found && fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\n");
        found = len >= n && memcmp(line + len - n, path, n) == 0 &&
                (len == n || line[len - n - 1] == ' ');
    }
    fclose(f);
    return found;
}

/* The connection's page cache, in KiB (PRAGMA cache_size of -KiB). */
static long cache_kib(void)
{
    sqlite3_stmt *q = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(grille_store__db(st),
                                        "PRAGMA cache_size", -1, &q, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
    long v = -(long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Counts the statements run that set the report's small cache. */
static int count_small_cache(unsigned type, void *payload, void *stmt,
                             void *x)
{
    (void)type;
    (void)x;
    const char *sql = sqlite3_sql(stmt);
    if (sql && strstr(sql, "cache_size = -2048"))
        ++*(int *)payload;
    return 0;
}

START_TEST(test_report_reads_small_cache)
{
    /* A report reads through a small page cache, copying pages rather
     * than mapping the file, and gives the connection its cache back
     * after the counts and after each load of quotes, in the caller's
     * snapshot or not; inside a write transaction it leaves the cache
     * as it is (a small one would spill the transaction's pages). */
    int64_t m, r2;
    two_notes(&m, &r2);
    grille_error err;
    memset(&err, 0, sizeof(err));
    long usual = cache_kib();
    ck_assert_int_eq(usual, 65536);
    /* on, off; on again is nothing to do; in a transaction, nothing */
    grille_store__small_cache(st, true);
    ck_assert_int_eq(cache_kib(), 2048);
    grille_store__small_cache(st, true);
    ck_assert_int_eq(cache_kib(), 2048);
    grille_store__small_cache(st, false);
    ck_assert_int_eq(cache_kib(), usual);
    int smalls = 0;
    sqlite3_trace_v2(grille_store__db(st), SQLITE_TRACE_STMT,
                     count_small_cache, &smalls);
    int mapped = maps_file(proj);
    ck_assert_int_le(mapped, 0);
    const grille_report_want later = {true, true, NULL, true};
    grille_report *r = NULL;
    ck_assert_int_eq(grille_report_build_some(&r, st, &later, &err), 0);
    ck_assert_int_eq(smalls, 1); /* the counts read through it */
    ck_assert_int_eq(cache_kib(), usual);
    grille_report_free(r);
    ck_assert_int_eq(grille_store_read_begin(st, &err), 0);
    ck_assert_int_eq(grille_report_build_some(&r, st, &later, &err), 0);
    ck_assert_int_eq(cache_kib(), usual);
    size_t cells[64], n = 0;
    for (size_t i = 0; i < r->ndocs * r->ncodes && n < 64; i++)
        if (r->rank[i].segment_id)
            cells[n++] = i;
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(grille_report_load_quotes(r, st, cells, n, &err), 0);
    ck_assert_int_eq(smalls, 3); /* and the quotes */
    ck_assert_ptr_nonnull(r->best[cells[0]].text);
    ck_assert_int_eq(cache_kib(), usual);
    if (mapped == 0)
        ck_assert_int_eq(maps_file(proj), 0);
    char *speaker = NULL;
    ck_assert_int_eq(grille_store_segment_speaker(
                         st, r->best[cells[0]].segment_id, &speaker, &err),
                     0);
    grille_free(speaker);
    grille_store_read_end(st);
    /* the quotes read are the report's: still there */
    ck_assert_ptr_nonnull(r->best[cells[0]].text);
    ck_assert_uint_gt(strlen(r->best[cells[0]].text), 0);
    grille_report_free(r);
    /* in a write transaction, the cache it has; the report sees the
     * transaction's writes */
    ck_assert_int_eq(grille_store_begin(st, &err), 0);
    sqlite3_exec(grille_store__db(st), "PRAGMA cache_size = -4096", NULL,
                 NULL, NULL);
    grille_store__small_cache(st, true);
    ck_assert_int_eq(cache_kib(), 4096);
    add("itw-albi.md", "notes/itw-albi.md", "- télétravail à Albi\n");
    ck_assert_int_eq(grille_report_build_some(&r, st, &later, &err), 0);
    ck_assert_uint_eq(r->ndocs, 3);
    ck_assert_int_eq(cache_kib(), 4096);
    ck_assert_int_eq(smalls, 3);
    grille_report_free(r);
    grille_store_rollback(st);
    sqlite3_trace_v2(grille_store__db(st), 0, NULL, NULL);
}
END_TEST

START_TEST(test_report_lazy_quotes)
{
    /* a report with lazy quotes ranks the same best quotes, and has
     * none of them until they are loaded; then the same texts, lines and
     * offsets */
    int64_t m, r;
    two_notes(&m, &r);
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_report *eager = NULL, *lazy = NULL;
    const grille_report_want all = {true, true, NULL, false};
    const grille_report_want later = {true, true, NULL, true};
    ck_assert_int_eq(grille_report_build_some(&eager, st, &all, &err), 0);
    ck_assert_int_eq(grille_report_build_some(&lazy, st, &later, &err), 0);
    size_t n = eager->ndocs * eager->ncodes, quotes = 0;
    ck_assert_uint_eq(n, lazy->ndocs * lazy->ncodes);
    size_t *cells = malloc(n * sizeof(*cells));
    ck_assert_ptr_nonnull(cells);
    for (size_t i = 0; i < n; i++) {
        ck_assert(eager->rank[i].segment_id == lazy->rank[i].segment_id);
        ck_assert_uint_eq(eager->rank[i].hits, lazy->rank[i].hits);
        ck_assert_uint_eq(eager->rank[i].len, lazy->rank[i].len);
        ck_assert(eager->best[i].segment_id == eager->rank[i].segment_id);
        ck_assert_uint_eq(eager->best[i].hits, eager->rank[i].hits);
        ck_assert(lazy->best[i].segment_id == 0);
        ck_assert_ptr_null(lazy->best[i].text);
        if (eager->best[i].segment_id)
            cells[quotes++] = i;
    }
    ck_assert_msg(quotes > 2, "test bug: %zu quotes", quotes);
    /* one first, then all (the first is not read twice) */
    ck_assert_int_eq(grille_report_load_quotes(lazy, st, &cells[1], 1, &err),
                     0);
    ck_assert_ptr_null(lazy->best[cells[0]].text);
    ck_assert(lazy->best[cells[0]].segment_id == 0);
    ck_assert_ptr_nonnull(lazy->best[cells[1]].text);
    ck_assert(lazy->best[cells[1]].segment_id ==
              eager->best[cells[1]].segment_id);
    const char *first = lazy->best[cells[1]].text;
    ck_assert_int_eq(grille_report_load_quotes(lazy, st, cells, quotes, &err),
                     0);
    ck_assert_ptr_eq(lazy->best[cells[1]].text, first);
    for (size_t k = 0; k < quotes; k++) {
        const grille_report_quote *a = &eager->best[cells[k]];
        const grille_report_quote *b = &lazy->best[cells[k]];
        ck_assert(a->segment_id == b->segment_id);
        ck_assert_uint_eq(a->hits, b->hits);
        ck_assert_uint_eq(a->line, b->line);
        ck_assert_uint_eq(a->hit, b->hit);
        ck_assert_uint_eq(a->start, b->start);
        ck_assert_uint_eq(a->end, b->end);
        ck_assert_uint_eq(a->len, b->len);
        ck_assert_msg(memcmp(a->text, b->text, a->len) == 0,
                      "quote %zu: another text", k);
    }
    free(cells);
    grille_report_free(eager);
    grille_report_free(lazy);
}
END_TEST

/* The files open in this process (Linux), or 0 when that cannot be told. */
static size_t open_fds(void)
{
    size_t n = 0;
    for (int fd = 0; fd < 1024; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

/* The files open in this process on `path` (Linux), or 0. */
static size_t open_fds_to(const char *path)
{
    size_t n = 0;
    char link[64], to[PATH_MAX];
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, to, sizeof(to) - 1);
        if (k < 0)
            continue;
        to[k] = '\0';
        n += strcmp(to, path) == 0;
    }
    return n;
}

/* Adds note "n<round>-<d>.md": `line` repeated into text[0..size). */
static void add_large(char *text, size_t size, const char *line, int round,
                      int d)
{
    size_t n = strlen(line);
    int k = snprintf(text, size, "Note %d, tour %d.\n\n", d, round);
    while ((size_t)k + n + 1 < size) {
        memcpy(text + k, line, n);
        k += (int)n;
    }
    text[k] = '\0';
    char name[32];
    snprintf(name, sizeof(name), "n%d-%d.md", round, d);
    add(name, name, text);
}

/* A transaction of more than 8 MB of text has its WAL written back as it
 * grows, through a file of its own that the commit or the rollback
 * closes, without touching the locks on the project; the project is
 * whole either way.  (Into a project that has a document: a first import
 * goes under a rollback journal, test_first_import_journal.) */
START_TEST(test_large_transaction_written_back)
{
    fresh();
    add_tx("first.md", "first.md", "Une note.\n");
    begin(st); /* the WAL and the -shm open again */
    grille_store_rollback(st);
    size_t before = open_fds();
    char wal[PATH_MAX];
    snprintf(wal, sizeof(wal), "%s-wal", proj);
    size_t wal_before = open_fds_to(wal);
    long locks = locks_held(proj);
#ifdef __linux__
    ck_assert_int_gt(locks, 0);
#endif
    enum { DOCS = 9, SIZE = 1 << 20 };
    char *text = malloc(SIZE + 1);
    ck_assert_ptr_nonnull(text);
    static const char line[] = "Le télétravail des agents a duré deux mois, "
                               "puis la reprise.\n\n";
    for (int round = 0; round < 2; round++) {
        begin(st);
        for (int d = 0; d < DOCS; d++)
            add_large(text, SIZE, line, round, d);
#ifdef __linux__
        /* the WAL opened once for the hints */
        ck_assert_uint_eq(open_fds_to(wal), wal_before + 1);
#endif
        if (round == 0)
            grille_store_rollback(st);
        else
            commit(st);
        ck_assert_uint_eq(open_fds(), before);
        /* the connection's lock on the project is still there (closing
         * any descriptor of a file drops the process's POSIX locks on
         * it); SQLite may hold one more range for a moment, as seen once
         * on a loaded machine */
        ck_assert_int_ge(locks_held(proj), locks);
    }
    free(text);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), DOCS + 1);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM doc_stats"), DOCS + 1);
    ck_assert_str_eq(raw_text("PRAGMA integrity_check"), "ok");
    ck_assert_int_eq(raw_int("SELECT count(*) FROM documents WHERE name "
                             "LIKE 'n0-%'"),
                     0);
}
END_TEST

/* A read through the store: its WAL and -shm open, as after any read. */
static void read_once(void)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_store_read_begin(st, &err), 0);
    grille_store_read_end(st);
}

/* A first import of more than 8 MB into an empty project writes the
 * project file itself (under a rollback journal) and has it written back
 * as it grows through SQLite's own descriptor: no descriptor of the
 * project is opened or closed beside SQLite's, which would drop the locks
 * SQLite holds on it mid-transaction; the project is whole after the
 * rollback as after the commit. */
START_TEST(test_first_import_written_back)
{
    fresh();
    read_once();
    size_t before = open_fds();
    enum { DOCS = 10, SIZE = 1 << 20 };
    char *text = malloc(SIZE + 1);
    ck_assert_ptr_nonnull(text);
    static const char line[] = "- les masques et le gel pour les agents\n"
                               "Le maire a parlé de la reprise.\n\n";
    for (int round = 0; round < 2; round++) {
        long locks = -2;
        size_t during = 0;
        begin(st);
        for (int d = 0; d < DOCS; d++) {
            add_large(text, SIZE, line, round, d);
            if (d == 0) {
                locks = locks_held(proj);
                during = open_fds();
            }
        }
        /* the hints (past 8 MB) left SQLite's locks and descriptors be:
         * a descriptor of the file closed would have dropped every lock
         * the process holds on it.  Their number is not compared: the
         * ranges /proc/locks lists move with SQLite's lock state as its
         * cache spills (3 after the first document and 2 at the end in
         * one run of the suite under load, 3 and 3 in others) */
        ck_assert_msg(locks > 0 && locks_held(proj) > 0,
                      "locks on the project: %ld after the first document, "
                      "%ld at the end",
                      locks, locks_held(proj));
        ck_assert_uint_eq(open_fds(), during);
#ifdef __linux__
        /* and they went to a descriptor of the project file */
        int fd = grille_store__hinted_fd(st);
        struct stat a, b;
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &a), 0);
        ck_assert_int_eq(stat(proj, &b), 0);
        ck_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
#endif
        if (round == 0)
            grille_store_rollback(st);
        else
            commit(st);
        read_once();
        ck_assert_uint_eq(open_fds(), before);
        ck_assert_str_eq(raw_text("PRAGMA integrity_check"), "ok");
        ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"),
                         round ? DOCS : 0);
    }
    free(text);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM doc_stats"), DOCS);
    ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
}
END_TEST

/* The size of the file at `path`, or -1 when there is none. */
static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* A first import into an empty project goes under a rollback journal (its
 * pages written once, not to the WAL then again by the checkpoint), and
 * the project is in WAL mode again after its commit or its rollback.  Not
 * when the project has documents, nor when another connection has it
 * open. */
START_TEST(test_first_import_journal)
{
    char journal[PATH_MAX], wal[PATH_MAX];
    snprintf(journal, sizeof(journal), "%s-journal", proj);
    snprintf(wal, sizeof(wal), "%s-wal", proj);
    fresh();
    ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
    for (int round = 0; round < 2; round++) {
        begin(st);
        add("a.md", "a.md", "- masques et gel\n\nLe télétravail.\n");
        ck_assert_int_gt(file_size(journal), 0);
        ck_assert_int_le(file_size(wal), 0);
        /* another connection sees the rollback journal's mode */
        ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "delete");
        if (round == 0)
            grille_store_rollback(st);
        else
            commit(st);
        ck_assert_int_eq(file_size(journal), -1);
        ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
        ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), round);
    }
    ck_assert_str_eq(raw_text("PRAGMA integrity_check"), "ok");
    /* the project has a document: WAL as before */
    begin(st);
    add("b.md", "b.md", "Les élus et la reprise.\n");
    ck_assert_int_eq(file_size(journal), -1);
    commit(st);
    ck_assert_int_gt(file_size(wal), 0);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), 2);

    /* an empty project that another connection has open: WAL too */
    grille_store_close(st);
    st = NULL;
    remove(proj);
    remove(wal);
    snprintf(wal, sizeof(wal), "%s-shm", proj);
    remove(wal);
    snprintf(wal, sizeof(wal), "%s-wal", proj);
    fresh();
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_open(&st2, proj, 1, &err);
    ck_assert_msg(rc == 0, "open failed (%d): %s", rc, err.message);
    begin(st);
    add("a.md", "a.md", "- masques et gel\n");
    ck_assert_int_eq(file_size(journal), -1);
    commit(st);
    ck_assert_int_gt(file_size(wal), 0);
    ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
    ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), 1);
}
END_TEST

/* A writer that opens the project while a first import runs under a
 * rollback journal opens (SQLite refuses it the switch to WAL at once: it
 * works under that journal), and writes after it; the import's commit
 * puts WAL back (a connection under a rollback journal holds no lock
 * between its transactions), and the project stays in WAL mode. */
START_TEST(test_first_import_other_writer)
{
    fresh();
    grille_store_close(st);
    st = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_store *a = NULL;
    int rc = grille_store_open(&a, proj, 0, &err);
    ck_assert_msg(rc == 0, "open a (%d): %s", rc, err.message);
    begin(a);
    st = a; /* add() writes through st */
    add("a.md", "a.md", "- masques et gel\n");
    ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "delete");
    rc = grille_store_open(&st2, proj, 0, &err);
    ck_assert_msg(rc == 0, "open b during the import (%d): %s", rc,
                  err.message);
    commit(a);
    grille_store_close(a);
    st = NULL;
    ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
    st = st2;
    st2 = NULL;
    begin(st);
    add("b.md", "b.md", "Les élus et la reprise.\n");
    commit(st);
    ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
    ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), 2);
    ck_assert_str_eq(raw_text("PRAGMA integrity_check"), "ok");
}
END_TEST

/* A first import killed in its course, once it has written into the file
 * (its cache full, here flushed), leaves a hot rollback journal: a
 * command that only reads the project then rolls it back (a read-only
 * connection could not, and would fail) and sees the project as it was;
 * one that writes does too, and puts WAL back. */
START_TEST(test_first_import_killed)
{
    char journal[PATH_MAX];
    snprintf(journal, sizeof(journal), "%s-journal", proj);
    for (int readonly = 1; readonly >= 0; readonly--) {
        fresh();
        /* the child must be the only connection */
        grille_store_close(st);
        st = NULL;
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            grille_error e;
            grille_store *c = NULL;
            if (grille_store_open(&c, proj, 0, &e) != 0 ||
                grille_store_begin(c, &e) != 0)
                _exit(2);
            for (int d = 0; d < 50; d++) {
                char name[32];
                snprintf(name, sizeof(name), "n%d.md", d);
                grille_text *t = NULL;
                char txt[64];
                snprintf(txt, sizeof(txt), "Le télétravail, note %d.\n", d);
                int64_t id;
                if (grille_text_decode(&t, txt, strlen(txt), name, &e) != 0 ||
                    grille_store_add(c, an, cb, name, name, t, &id, &e) != 0) {
                    fprintf(stderr, "child: %s\n", e.message);
                    _exit(3);
                }
                grille_text_free(t);
            }
            /* what a full cache does: the journal synced, then pages
             * written into the file */
            if (sqlite3_db_cacheflush(grille_store__db(c)) != SQLITE_OK)
                _exit(4);
            /* no commit, no close: killed from outside (valgrind, which
             * runs this child too, would report what a kill of itself
             * leaves unfreed) */
            char cmd[64];
            snprintf(cmd, sizeof(cmd), "kill -9 %d", (int)getpid());
            if (system(cmd) == 0)
                for (;;)
                    pause();
            _exit(5);
        }
        int status = 0;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "child: status %d", status);
        ck_assert_int_gt(file_size(journal), 0);
        /* hot: its header written (a journal never synced starts with
         * zeros, and SQLite ignores it) */
        FILE *jf = fopen(journal, "rb");
        ck_assert_ptr_nonnull(jf);
        ck_assert_int_ne(fgetc(jf), 0);
        fclose(jf);
        grille_error err;
        memset(&err, 0, sizeof(err));
        int rc = grille_store_open(&st, proj, readonly, &err);
        ck_assert_msg(rc == 0, "open after the kill (%d): %s", rc,
                      err.message);
        grille_report *r = NULL;
        rc = grille_report_build(&r, st, &err);
        ck_assert_msg(rc == 0, "report after the kill (%d): %s", rc,
                      err.message);
        grille_report_free(r);
        ck_assert_int_eq(file_size(journal), -1);
        ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), 0);
        ck_assert_str_eq(raw_text("PRAGMA integrity_check"), "ok");
        if (!readonly) {
            ck_assert_str_eq(raw_text("PRAGMA journal_mode"), "wal");
            add_tx("a.md", "a.md", "La reprise.\n");
            ck_assert_int_eq(raw_int("SELECT count(*) FROM documents"), 1);
        }
        grille_store_close(st);
        st = NULL;
        remove(proj);
    }
}
END_TEST

/* What a thread made by grille__thread_create saw of itself. */
typedef struct thread_seen {
    int arg;
    cpu_set_t mask;
    int got;
} thread_seen;

static void *thread_look(void *p)
{
    thread_seen *t = p;
    t->arg++;
    t->got = sched_getaffinity(0, sizeof(t->mask), &t->mask);
    return p;
}

/* A thread made by grille__thread_create runs its function with its
 * argument, and has its creator's affinity back (it was started on the
 * other processors only), whether the creator may run on one processor
 * or on several. */
START_TEST(test_thread_create)
{
    cpu_set_t mine, one;
    ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) { /* a creator held to one processor */
            CPU_ZERO(&one);
            for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &mine)) {
                    CPU_SET(c, &one);
                    break;
                }
            ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
        }
        for (int i = 0; i < 20; i++) {
            thread_seen t = {i, {{0}}, -1};
            pthread_t tid;
            ck_assert_int_eq(grille__thread_create(&tid, thread_look, &t), 0);
            void *ret = NULL;
            ck_assert_int_eq(pthread_join(tid, &ret), 0);
            ck_assert_ptr_eq(ret, &t);
            ck_assert_int_eq(t.arg, i + 1);
            ck_assert_int_eq(t.got, 0);
            ck_assert(CPU_EQUAL(&t.mask, pass ? &one : &mine));
        }
    }
    ck_assert_int_eq(sched_setaffinity(0, sizeof(mine), &mine), 0);
}
END_TEST

/* ---------------------------------------------------------------- suite */

static TCase *tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc;

    tc = tcase(s, "create");
    tcase_add_test(tc, test_create_mode_0600);
    tcase_add_test(tc, test_create_application_id_and_version);
    tcase_add_test(tc, test_create_tables_strict);
    tcase_add_test(tc, test_create_meta);
    tcase_add_test(tc, test_create_keeps_codebook);
    tcase_add_test(tc, test_create_over_existing_file);
    tcase_add_test(tc, test_create_over_existing_project);
    tcase_add_test(tc, test_create_bad_codebook_no_file);
    tcase_add_test(tc, test_create_unknown_unit);
    tcase_add_test(tc, test_create_missing_folder);

    tc = tcase(s, "open");
    tcase_add_test(tc, test_open_missing);
    tcase_add_test(tc, test_open_text_file);
    tcase_add_test(tc, test_open_empty_file);
    tcase_add_test(tc, test_open_other_with_journal);
    tcase_add_test(tc, test_open_folder);
    tcase_add_test(tc, test_open_other_application);
    tcase_add_test(tc, test_open_newer_version);
    tcase_add_test(tc, test_open_roundtrip);
    tcase_add_test(tc, test_open_readonly);
    tcase_add_test(tc, test_open_readonly_write_outside_transaction);
    tcase_add_test(tc, test_misuse_is_einvalid);
    tcase_add_test(tc, test_codebook_name_lives_on);
    tcase_add_test(tc, test_codebook_source_sha256);

    tc = tcase(s, "add");
    tcase_add_test(tc, test_add_doc_info);
    tcase_add_test(tc, test_add_sha256_and_encoding);
    tcase_add_test(tc, test_add_attributes);
    tcase_add_test(tc, test_list_counts_by_hand);
    tcase_add_test(tc, test_list_callback_writes);
    tcase_add_test(tc, test_list_huge_document_id);
    tcase_add_test(tc, test_attributes_nested);
    tcase_add_test(tc, test_add_attribute_list_joined);
    tcase_add_test(tc, test_add_codings_as_analysed);
    tcase_add_test(tc, test_add_codings_all_documents);
    tcase_add_test(tc, test_add_front_matter_not_coded);
    tcase_add_test(tc, test_add_segments_rows);
    tcase_add_test(tc, test_add_same_content_twice);
    tcase_add_test(tc, test_add_same_name_uses_path);
    tcase_add_test(tc, test_add_name_and_path_taken);
    tcase_add_test(tc, test_add_foreign_codebook);
    tcase_add_test(tc, test_add_same_yaml_codebook);
    tcase_add_test(tc, test_add_bad_front_matter);
    tcase_add_test(tc, test_add_null_error);
    tcase_add_test(tc, test_prepared_attrs);

    tc = tcase(s, "transaction");
    tcase_add_test(tc, test_tx_rollback);
    tcase_add_test(tc, test_tx_close_without_commit);
    tcase_add_test(tc, test_tx_add_again_after_rollback);
    tcase_add_test(tc, test_tx_commit_other_handle_sees);

    tc = tcase(s, "find");
    tcase_add_test(tc, test_find_by_name_path_id);
    tcase_add_test(tc, test_find_unknown);
    tcase_add_test(tc, test_find_name_before_path);
    tcase_add_test(tc, test_find_id_and_name);
    tcase_add_test(tc, test_find_id_with_junk);

    tc = tcase(s, "remove");
    tcase_add_test(tc, test_remove_cascade);
    tcase_add_test(tc, test_remove_unknown);
    tcase_add_test(tc, test_terms_follow_writes);
    tcase_add_test(tc, test_terms_report_inside_transaction);
    tcase_add_test(tc, test_terms_failed_flush);

    tc = tcase(s, "set_attr");
    tcase_add_test(tc, test_set_attr_override);
    tcase_add_test(tc, test_set_attr_empty_key);
    tcase_add_test(tc, test_set_attr_unknown_document);
    tcase_add_test(tc, test_unset_attr);
    tcase_add_test(tc, test_read_unknown_document);
    tcase_add_test(tc, test_add_keeps_file_read);

    tc = tcase(s, "recode");
    tcase_add_test(tc, test_recode_changes);
    tcase_add_test(tc, test_recode_jobs);
    tcase_add_test(tc, test_recode_yaml_not_the_codebook);
    tcase_add_test(tc, test_report_misuse);
    tcase_add_test(tc, test_quotes_ranked_then_texts);
    tcase_add_test(tc, test_quotes_ranked_order_with_ties);
    tcase_add_test(tc, test_heap_keeps_the_first_k);
    tcase_add_test(tc, test_foreach_text);
    tcase_add_test(tc, test_best_quotes_per_document);
    tcase_add_test(tc, test_quotes_terms_counted_like_sql);
    tcase_add_test(tc, test_report_lazy_quotes);
    tcase_add_test(tc, test_report_reads_small_cache);
    tcase_add_test(tc, test_report_quote_hit);
    tcase_add_test(tc, test_recode_new_code);
    tcase_add_test(tc, test_recode_lost);
    tcase_add_test(tc, test_recode_new_codebook_and_codings);
    tcase_add_test(tc, test_recode_keeps_manual);
    tcase_add_test(tc, test_coding_ids_say_segments);
    tcase_add_test(tc, test_coding_ids_edges);
    tcase_add_test(tc, test_recode_progress);
    tcase_add_test(tc, test_recode_removed_theme);
    tcase_add_test(tc, test_recode_dry_run);
    tcase_add_test(tc, test_recode_dry_run_then_add);

    tc = tcase(s, "text");
    tcase_add_test(tc, test_text_with_front_matter);
    tcase_add_test(tc, test_text_without_front_matter);
    tcase_add_test(tc, test_text_unknown);

    tc = tcase(s, "concurrency");
    tcase_add_test(tc, test_busy_second_writer);
    tcase_add_test(tc, test_busy_two_writers_in_turn);
    tcase_add_test(tc, test_busy_other_recoded_stale_codebook);
    tcase_add_test(tc, test_busy_other_recoded_reload);
    tcase_add_test(tc, test_report_snapshot_attributes);
    tcase_add_test(tc, test_report_attr_values);
    tcase_add_test(tc, test_large_transaction_written_back);
    tcase_add_test(tc, test_first_import_journal);
    tcase_add_test(tc, test_first_import_written_back);
    tcase_add_test(tc, test_first_import_killed);
    tcase_add_test(tc, test_first_import_other_writer);
    tcase_add_test(tc, test_thread_create);

    return s;
}

int main(void)
{
    snprintf(root, sizeof(root), "/tmp/grille-test-store-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    int rc = run_suite(suite());
    remove_tree(root);
    return rc;
}
