/*
 * test_oom.c - out of memory, allocation by allocation.  The library's
 * calls to malloc, calloc, realloc, aligned_alloc and strdup go through
 * the wrappers below (the link wraps them: -Wl,--wrap=malloc...), which
 * can make the n-th of them fail.  Each test runs one job of the library
 * (load a codebook with every kind of pattern, code notes with it, decode
 * and parse a note, add notes to a project) once to count its
 * allocations, then again with the first, the second... the last of them
 * failing, and checks each time that the job fails with GRILLE_ENOMEM or
 * succeeds (an allocation whose failure has a fallback), never crashes,
 * and frees all it took: the wrappers keep the blocks they handed out.
 * Libraries the library calls (libyaml, PCRE2, SQLite, Snowball's
 * allocations through their own archives or shared objects) are outside
 * the wrap when linked shared: their own failures are theirs.
 */
#include "grille.h"

#include <check.h>
#include <dirent.h>
#include <sqlite3.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
char *__real_strdup(const char *s);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

/* The allocations counted since arm(), the one to fail (0: none), and
 * the blocks handed out meanwhile (an open-addressing set; a freed slot
 * holds TOMB). */
static atomic_size_t calls;
static atomic_size_t fail_at;
static atomic_bool tracking;
#define SLOTS (1u << 20)
#define TOMB ((void *)1)
static void *live[SLOTS];
static size_t nlive;
static atomic_flag set_lock = ATOMIC_FLAG_INIT;

static void lock(void)
{
    while (atomic_flag_test_and_set(&set_lock))
        ;
}

static void unlock(void)
{
    atomic_flag_clear(&set_lock);
}

static size_t slot_of(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 44) & (SLOTS - 1);
}

static void keep(void *p)
{
    if (!p || !atomic_load(&tracking))
        return;
    lock();
    size_t i = slot_of(p);
    while (live[i] && live[i] != TOMB)
        i = (i + 1) & (SLOTS - 1);
    live[i] = p;
    nlive++;
    unlock();
}

static void drop(void *p)
{
    if (!p)
        return;
    lock();
    for (size_t i = slot_of(p); live[i]; i = (i + 1) & (SLOTS - 1))
        if (live[i] == p) {
            live[i] = TOMB;
            nlive--;
            break;
        }
    unlock();
}

/* Called as the allocation made to fail fails: a place for a debugger's
 * breakpoint (gdb -ex 'break oom_here'), to see who asked. */
__attribute__((noinline)) void oom_here(void);
__attribute__((noinline)) void oom_here(void)
{
    __asm__ volatile("");
}

/* Whether this allocation is the one to fail. */
static bool fails(void)
{
    if (!atomic_load(&tracking))
        return false;
    size_t n = atomic_fetch_add(&calls, 1) + 1;
    if (n != atomic_load(&fail_at))
        return false;
    oom_here();
    errno = ENOMEM; /* as glibc's allocator says it */
    return true;
}

/* A wrapper: NULL for the allocation made to fail, else the real
 * function's block, kept. */
#define WRAP(type, name, params, args)                                       \
    type __wrap_##name params                                                \
    {                                                                        \
        if (fails())                                                         \
            return NULL;                                                     \
        type p = __real_##name args;                                         \
        keep(p);                                                             \
        return p;                                                            \
    }

WRAP(void *, malloc, (size_t n), (n))
WRAP(void *, calloc, (size_t n, size_t size), (n, size))
WRAP(void *, aligned_alloc, (size_t align, size_t n), (align, n))
WRAP(char *, strdup, (const char *s), (s))

void *__wrap_realloc(void *p, size_t n)
{
    if (fails())
        return NULL;
    void *q = __real_realloc(p, n);
    if (q || !n) {
        drop(p);
        keep(q);
    }
    return q;
}

void __wrap_free(void *p)
{
    drop(p);
    __real_free(p);
}

/* From here, allocations are counted and the n-th fails (0: none). */
static void arm(size_t n)
{
    lock();
    memset(live, 0, sizeof(live));
    nlive = 0;
    unlock();
    atomic_store(&calls, 0);
    atomic_store(&fail_at, n);
    atomic_store(&tracking, true);
}

/* Stops counting; the blocks still held. */
static size_t disarm(void)
{
    atomic_store(&tracking, false);
    lock();
    size_t n = nlive;
    unlock();
    return n;
}

/* The files the jobs make, in a folder of their own under $TMPDIR or
 * /tmp (dir), which must be empty at the end: the project of a job
 * (project), the one made once for the jobs that read
 * or copy it (pristine), the copy a writing job changes (work), the
 * second note's file (two_path), an empty project to import into, the
 * export and the codebook's .qdc. */
static char dir[200], project[256], pristine[256], work[256],
    two_path[256], empty_project[256], qdpx[256], qdc[256];

static void name_files(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/grille-oom-XXXXXX",
             tmp && *tmp && strlen(tmp) < 150 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror(dir);
        exit(EXIT_FAILURE);
    }
    snprintf(project, sizeof(project), "%s/n.db", dir);
    snprintf(pristine, sizeof(pristine), "%s/p.db", dir);
    snprintf(work, sizeof(work), "%s/w.db", dir);
    snprintf(two_path, sizeof(two_path), "%s/two.md", dir);
    snprintf(empty_project, sizeof(empty_project), "%s/e.db", dir);
    snprintf(qdpx, sizeof(qdpx), "%s/x.qdpx", dir);
    snprintf(qdc, sizeof(qdc), "%s/x.qdc", dir);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The names of the files in dir, one string ("a/b/c/"); "" when it
 * cannot be read.  A project's -shm and empty -wal are not listed: a
 * reader leaves them, as the command does (what must not be left is a
 * journal, or a WAL that holds pages). */
static void dir_list(char *out, size_t size)
{
    out[0] = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return;
    static char names[64][256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        char path[512];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        bool shm = len > 4 && !strcmp(e->d_name + len - 4, "-shm");
        bool empty_wal = len > 4 && !strcmp(e->d_name + len - 4, "-wal") &&
                         stat(path, &st) == 0 && st.st_size == 0;
        if (e->d_name[0] != '.' && !shm && !empty_wal)
            snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s/",
                                names[i]);
}

/* Allocations neither counted nor failed meanwhile: the test's own
 * checks. */
static bool paused_was;

static void pause_tracking(void)
{
    paused_was = atomic_exchange(&tracking, false);
}

static void resume_tracking(void)
{
    atomic_store(&tracking, paused_was);
}

/* The last error a job said, for GRILLE_OOM. */
static char last_message[1024];

/* What a job made, said by the job when it succeeds: a run that succeeds
 * with an allocation failing must make what the clean run made. */
static char result[8192];

static void fingerprint(const char *path, char *out, size_t size);

/* FNV-1a of file `path`'s bytes, as text in out; "" when unreadable. */
static void file_sum(const char *path, char *out, size_t size)
{
    pause_tracking();
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f) {
        uint64_t h = 0xcbf29ce484222325u, n = 0;
        int c;
        while ((c = getc(f)) != EOF) {
            h = (h ^ (uint64_t)c) * 0x100000001b3u;
            n++;
        }
        fclose(f);
        snprintf(out, size, "%llu bytes, %016llx", (unsigned long long)n,
                 (unsigned long long)h);
    }
    resume_tracking();
}

/* A job of the library: 0 done, else its GRILLE_E* code; it frees what
 * it made before returning. */
typedef int (*job_fn)(void);

/* Runs `job` with no failure (it must succeed), then with each of its
 * allocations failing in turn (every `step`-th of them when there are
 * many, and the last ones): each run either succeeds or says
 * GRILLE_ENOMEM, and holds no block once done. */
static void every_failure(job_fn job, const char *what)
{
    ck_assert_int_eq(job(), 0); /* caches and one-time setup, untracked */
    result[0] = '\0';
    arm(0);
    int rc = job();
    size_t total = atomic_load(&calls);
    size_t held = disarm();
    ck_assert_msg(rc == 0, "%s: fails with no allocation failing: %d", what,
                  rc);
    ck_assert_msg(held == 0, "%s: %zu blocks held after a clean run", what,
                  held);
    ck_assert_msg(total > 0, "%s: no allocation seen (the wrap is off)",
                  what);
    static char want[sizeof(result)];
    memcpy(want, result, sizeof(want));
    ck_assert_msg(want[0], "%s: the job says nothing of what it made", what);
    size_t step = total > 1500 ? total / 1500 : 1;
    size_t failed = 0;
    char files[4096], now[4096];
    dir_list(files, sizeof(files));
    for (size_t n = 1; n <= total; n += n + 20 > total ? 1 : step) {
        result[0] = '\0';
        arm(n);
        rc = job();
        held = disarm();
        ck_assert_msg(rc != 0 || !strcmp(result, want),
                      "%s: allocation %zu of %zu failing: done, but made "
                      "'%.300s', not '%.300s'",
                      what, n, total, result, want);
        dir_list(now, sizeof(now));
        ck_assert_msg(!strcmp(files, now),
                      "%s: allocation %zu of %zu failing leaves files: "
                      "'%s', not '%s'",
                      what, n, total, now, files);
        ck_assert_msg(rc == 0 || rc == GRILLE_ENOMEM,
                      "%s: allocation %zu of %zu failing gives %d, not "
                      "GRILLE_ENOMEM: %.400s",
                      what, n, total, rc, last_message);
        ck_assert_msg(held == 0,
                      "%s: allocation %zu of %zu failing leaves %zu "
                      "blocks held",
                      what, n, total, held);
        failed += rc != 0;
    }
    /* most failures are said: a job that never failed did not allocate
     * where it was thought to */
    ck_assert_msg(failed > 0, "%s: no failure ever said", what);
}

static const char codebook_yaml[] =
    "name: oom\n"
    "themes:\n"
    "  sante:\n"
    "    label: Sant\xc3\xa9\n"
    "    terms: [sant\xc3\xa9, masques, gel hydroalcoolique, \"=ARS\", "
    "\"vaccin*\"]\n"
    "    regex: ['\\bcovid-?19\\b']\n"
    "    exclude: [sant\xc3\xa9 financi\xc3\xa8re]\n"
    "    children:\n"
    "      protection:\n"
    "        terms: [protection, \"visi\xc3\xa8re*\"]\n"
    "  teletravail:\n"
    "    terms: [t\xc3\xa9l\xc3\xa9travail, travail \xc3\xa0 distance, "
    "l'ordinateur portable]\n"
    "    near: [\"t\xc3\xa9l\xc3\xa9travail ~5 jours\"]\n"
    "  elus:\n"
    "    terms: [\xc3\xa9lu, \xc3\xa9lus, maire, conseil municipal]\n";

static const char note[] =
    "---\n"
    "collectivite: Mairie de Lodève\n"
    "type: commune\n"
    "role: DGS\n"
    "---\n"
    "# Entretien\n"
    "\n"
    "- Télétravail : deux jours par semaine, l'ordinateur portable prêté.\n"
    "- Masques et gel hydroalcoolique reçus de l'ARS, visières en mai.\n"
    "\n"
    "DGS : la santé financière de la commune inquiète le maire et les "
    "élus ; le conseil municipal a voté.\n"
    "Q. : et la covid-19 ? R. : vaccination des agents en juin.\n";

/* What a loaded codebook is: its codes and rules, counted. */
static void say_codebook(const grille_codebook *cb)
{
    pause_tracking();
    snprintf(result, sizeof(result), "%zu codes, %zu rules, %s",
             grille_codebook_count(cb), grille_codebook_rule_count(cb),
             grille_codebook_sha256(cb));
    resume_tracking();
}

static int load_codebook(void)
{
    grille_codebook *cb = NULL;
    grille_error err;
    int rc = grille_codebook_load(&cb, codebook_yaml, sizeof(codebook_yaml) - 1,
                                  "oom.yaml", &err);
    if (rc == 0)
        say_codebook(cb);
    grille_codebook_free(cb);
    return rc;
}

START_TEST(codebook_load)
{
    every_failure(load_codebook, "codebook load");
}
END_TEST

static int load_bundled(void)
{
    grille_codebook *cb = NULL;
    int rc = grille_codebook_load_bundled(&cb, NULL);
    if (rc == 0)
        say_codebook(cb);
    grille_codebook_free(cb);
    return rc;
}

START_TEST(codebook_bundled)
{
    every_failure(load_bundled, "bundled codebook");
}
END_TEST

/* The codebook of the coding tests, loaded once, untracked. */
static grille_codebook *shared_cb;

static int code_note(void)
{
    grille_analyser *a = NULL;
    grille_text *t = NULL;
    grille_attrs *attrs = NULL;
    grille_error err;
    size_t body = 0;
    int rc = grille_analyser_new(&a, &err);
    if (rc == 0)
        rc = grille_text_decode(&t, note, sizeof(note) - 1, "note.md", &err);
    size_t len = 0;
    const char *data = t ? grille_text_data(t, &len) : NULL;
    if (rc == 0)
        rc = grille_attrs_parse(&attrs, &body, data, len, "note.md", &err);
    if (rc == 0)
        rc = grille_analyser_run_text(a, t, body, len, 0,
                                      GRILLE_UNIT_PARAGRAPH, shared_cb,
                                      "note.md", &err);
    if (rc == 0) {
        /* every coding, where and by which rule; the segments, the words
         * and the attributes */
        const grille_coding *c;
        const grille_segment *sg;
        size_t nc = grille_analyser_codings(a, &c);
        size_t ns = grille_analyser_segments(a, &sg);
        pause_tracking();
        size_t at = (size_t)snprintf(result, sizeof(result),
                                     "%zu segments, %zu words, %zu attrs:",
                                     ns, grille_analyser_words(a),
                                     grille_attrs_count(attrs));
        for (size_t i = 0; i < nc && at < sizeof(result); i++)
            at += (size_t)snprintf(result + at, sizeof(result) - at,
                                   " %zu/%zu/%zu-%zu", c[i].code, c[i].rule,
                                   c[i].start, c[i].end);
        resume_tracking();
    }
    grille_attrs_free(attrs);
    grille_text_free(t);
    grille_analyser_free(a);
    return rc;
}

START_TEST(code_a_note)
{
    grille_error err;
    ck_assert_int_eq(grille_codebook_load(&shared_cb, codebook_yaml,
                                          sizeof(codebook_yaml) - 1,
                                          "oom.yaml", &err),
                     0);
    every_failure(code_note, "coding a note");
    grille_codebook_free(shared_cb);
    shared_cb = NULL;
}
END_TEST

/* A note in Windows-1252 and one in UTF-16: decoded into UTF-8. */
static int decode_notes(void)
{
    static const char cp1252[] = "- t\xe9l\xe9travail \x93ici\x94 \x85\n";
    static const char utf16[] = "\xff\xfe" "d\0" "\xe9\0" "j\0" "\xe0\0"
                                "\n\0";
    grille_text *a = NULL, *b = NULL;
    int rc = grille_text_decode(&a, cp1252, sizeof(cp1252) - 1, "a.txt",
                                NULL);
    if (rc == 0)
        rc = grille_text_decode(&b, utf16, sizeof(utf16) - 1, "b.txt", NULL);
    if (rc == 0) {
        size_t na, nb;
        const char *da = grille_text_data(a, &na), *db = grille_text_data(b, &nb);
        pause_tracking();
        snprintf(result, sizeof(result), "%s %s | %s %s",
                 grille_encoding_name(grille_text_encoding(a)), da,
                 grille_encoding_name(grille_text_encoding(b)), db);
        resume_tracking();
    }
    grille_text_free(a);
    grille_text_free(b);
    return rc;
}

START_TEST(decode)
{
    every_failure(decode_notes, "decoding");
}
END_TEST


/* Removes project `path` and the files SQLite keeps beside it. */
static void remove_project(const char *path)
{
    static const char *const side[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
        char p[300];
        snprintf(p, sizeof(p), "%s%s", path, side[i]);
        unlink(p);
    }
}

/* rc, its message kept for GRILLE_OOM. */
static int said(int rc, const grille_error *err)
{
    snprintf(last_message, sizeof(last_message), "%s", err->message);
    return rc;
}

/* rc, with SQLite's own out of memory (said as the project's error)
 * as GRILLE_ENOMEM; the message kept for GRILLE_OOM. */

/* Adding two notes to a new project, in one transaction (rolled back
 * when a step fails, as the command does). */

static int add_notes_to(const char *path, bool keep_it);

/* The file of the second note of the project kept for other jobs. */

static int write_file_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int add_notes(void)
{
    return add_notes_to(project, false);
}

/* The project the other jobs read or copy: its second note from a file,
 * which a newer version can replace. */
static int make_pristine_project(void)
{
    return add_notes_to(pristine, true);
}

static int add_notes_to(const char *path, bool keep_it)
{
    grille_store *s = NULL;
    grille_analyser *a = NULL;
    grille_codebook *cb = NULL;
    grille_text *one = NULL, *two = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    static const char second[] = "- Le t\xc3\xa9l\xc3\xa9travail, encore.\n";
    remove_project(path);
    int rc = grille_store_create(&s, path, codebook_yaml,
                                 sizeof(codebook_yaml) - 1, "oom.yaml",
                                 GRILLE_UNIT_PARAGRAPH, &err);
    if (rc == 0)
        rc = grille_store_codebook(s, &cb, &err);
    if (rc == 0)
        rc = grille_analyser_new(&a, &err);
    if (rc == 0)
        rc = grille_text_decode(&one, note, sizeof(note) - 1, "one.md", &err);
    /* the project kept for other jobs has its second note from a file,
     * which a newer version can replace */
    if (rc == 0 && keep_it)
        rc = write_file_text(two_path, second) < 0
                 ? GRILLE_EIO
                 : grille_text_read_file(&two, two_path, &err);
    else if (rc == 0)
        rc = grille_text_decode(&two, second, sizeof(second) - 1, "two.md",
                                &err);
    bool open_tx = false;
    if (rc == 0)
        rc = grille_store_begin(s, &err);
    open_tx = rc == 0;
    int64_t id = 0;
    if (rc == 0)
        rc = grille_store_add(s, a, cb, "one.md", "one.md", one, &id, &err);
    if (rc == 0)
        rc = grille_store_add(s, a, cb, "two.md", keep_it ? two_path : "two.md",
                              two, &id, &err);
    if (rc == 0) {
        rc = grille_store_commit(s, &err);
        open_tx = rc != 0 && open_tx;
    }
    if (open_tx)
        grille_store_rollback(s);
    grille_text_free(one);
    grille_text_free(two);
    grille_codebook_free(cb);
    grille_analyser_free(a);
    grille_store_close(s);
    if (rc == 0)
        fingerprint(path, result, sizeof(result));
    if (!keep_it)
        remove_project(path);
    return said(rc, &err);
}

START_TEST(store_add)
{
    every_failure(add_notes, "adding notes");
}
END_TEST

/* A project made once with the two notes (untracked), copied afresh
 * for each run of a job that writes. */

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    return rc;
}

/* every_failure of a job that reads or copies the pristine project */
static void on_pristine(job_fn job, const char *what)
{
    ck_assert_int_eq(make_pristine_project(), 0);
    every_failure(job, what);
    remove_project(pristine);
    unlink(two_path);
}

/* What project `path` holds, as one string: its documents (name and
 * hash), their attributes, the counts and spans of its segments and
 * codings, its codebook's hash; "" when it cannot be read. */
static void fingerprint(const char *path, char *out, size_t size)
{
    static const char sql[] =
        "SELECT (SELECT ifnull(group_concat(name || ':' || sha256, ','), '') "
        "FROM (SELECT name, sha256 FROM documents ORDER BY name)) || ' | ' || "
        "(SELECT ifnull(group_concat(n || '.' || key || '=' || value || '@' "
        "|| origin, ','), '') FROM (SELECT d.name AS n, a.key, a.value, "
        "a.origin FROM attributes a JOIN documents d ON d.id = a.document "
        "ORDER BY d.name, a.key)) || ' | ' || "
        "(SELECT count(*) || ' ' || total(start) || ' ' || total(\"end\") "
        "FROM segments) || ' | ' || "
        "(SELECT count(*) || ' ' || total(start) || ' ' || total(\"end\") || "
        "' ' || total(code) FROM codings) || ' | ' || "
        "ifnull((SELECT sha256 FROM codebook), '')";
    pause_tracking();
    out[0] = '\0';
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    resume_tracking();
}

/* Whether a failed job left the work copy as the pristine project;
 * GRILLE_EINVALID (and why, in last_message) when not. */
static int unchanged_from(const char *base, int rc)
{
    if (rc == 0)
        return 0;
    static char before[4096], after[4096];
    fingerprint(base, before, sizeof(before));
    fingerprint(work, after, sizeof(after));
    if (strcmp(before, after) != 0 || !before[0]) {
        snprintf(last_message, sizeof(last_message),
                 "the project changed: '%.400s' -> '%.400s'", before, after);
        return GRILLE_EINVALID;
    }
    return rc;
}

static int unchanged(int rc)
{
    return unchanged_from(pristine, rc);
}

/* A fresh work copy of project `from`, opened for writing; err cleared
 * first.  GRILLE_EIO when it cannot be copied. */
static int open_work(const char *from, grille_store **s, grille_error *err)
{
    memset(err, 0, sizeof(*err));
    if (copy_file(from, work) < 0)
        return GRILLE_EIO;
    return grille_store_open(s, work, 0, err);
}

/* The end of a job that wrote to the work copy: a failure must leave it
 * as the pristine project was (nothing lost, nothing half done), a
 * success says what it holds; the copy removed. */
static int work_done(int rc, const grille_error *err)
{
    rc = unchanged(said(rc, err));
    if (rc == 0)
        fingerprint(work, result, sizeof(result));
    remove_project(work);
    return rc;
}

static int build_report(void)
{
    grille_store *s = NULL;
    grille_report *r = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_open(&s, pristine, 1, &err);
    if (rc == 0)
        rc = grille_report_build(&r, s, &err);
    if (rc == 0) {
        size_t cells = 0;
        for (size_t i = 0; i < r->ndocs * r->ncodes; i++)
            cells += r->cell_hits[i] * (i + 1);
        pause_tracking();
        snprintf(result, sizeof(result),
                 "%zu docs, %zu codes, %zu segments, %zu words, %zu hits, "
                 "%zu coded, cells %zu",
                 r->ndocs, r->ncodes, r->segments, r->words, r->hits,
                 r->coded_segments, cells);
        resume_tracking();
    }
    grille_report_free(r);
    grille_store_close(s);
    return said(rc, &err);
}

START_TEST(report)
{
    on_pristine(build_report, "report");
}
END_TEST


static int export_qdpx(void)
{
    grille_store *s = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_store_open(&s, pristine, 1, &err);
    if (rc == 0)
        rc = grille_refi_export_qdpx(s, qdpx, &err);
    grille_store_close(s);
    if (rc == 0) /* the same project, the same bytes */
        file_sum(qdpx, result, sizeof(result));
    unlink(qdpx);
    return said(rc, &err);
}

START_TEST(export)
{
    on_pristine(export_qdpx, "export");
}
END_TEST

/* A recode with a codebook of one term more: done, or failed with the
 * project as it was. */
static int recode(void)
{
    static const char more[] = "  acces:\n    terms: [accueil, guichet]\n";
    char yaml[sizeof(codebook_yaml) + sizeof(more)];
    memcpy(yaml, codebook_yaml, sizeof(codebook_yaml) - 1);
    memcpy(yaml + sizeof(codebook_yaml) - 1, more, sizeof(more));
    size_t len = strlen(yaml);
    grille_store *s = NULL;
    grille_analyser *a = NULL;
    grille_codebook *cb = NULL;
    grille_error err;
    int rc = open_work(pristine, &s, &err);
    if (rc == 0)
        rc = grille_analyser_new(&a, &err);
    if (rc == 0)
        rc = grille_codebook_load(&cb, yaml, len, "more.yaml", &err);
    if (rc == 0)
        rc = grille_store_recode(s, a, cb, yaml, len, "more.yaml", NULL, NULL,
                                 NULL, &err);
    grille_codebook_free(cb);
    grille_analyser_free(a);
    grille_store_close(s);
    return work_done(rc, &err);
}

START_TEST(store_recode)
{
    on_pristine(recode, "recode");
}
END_TEST

/* Attributes set and unset, then a document removed, in one
 * transaction: rolled back on a failure, which leaves the project as it
 * was. */
static int edit(void)
{
    grille_store *s = NULL;
    grille_error err;
    int rc = open_work(pristine, &s, &err);
    bool tx = false;
    if (rc == 0)
        tx = (rc = grille_store_begin(s, &err)) == 0;
    int64_t id = 0;
    if (rc == 0)
        rc = grille_store_find(s, "two.md", &id, &err);
    if (rc == 0)
        rc = grille_store_set_attr(s, id, "R\xc3\xb4le", " DGA ",
                                   "command line", &err);
    if (rc == 0)
        rc = grille_store_unset_attr(s, id, "role", &err);
    if (rc == 0)
        rc = grille_store_find(s, "one.md", &id, &err);
    if (rc == 0)
        rc = grille_store_remove(s, id, &err);
    if (rc == 0)
        rc = grille_store_commit(s, &err);
    if (rc != 0 && tx)
        grille_store_rollback(s);
    grille_store_close(s);
    return work_done(rc, &err);
}

START_TEST(store_edit)
{
    on_pristine(edit, "edits");
}
END_TEST

static int count_quote(const grille_quote_info *q, void *payload)
{
    (void)q;
    (*(size_t *)payload)++;
    return 0;
}

static int quotes(void)
{
    grille_store *s = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    size_t n = 0, m = 0, total = 0;
    int rc = grille_store_open(&s, pristine, 1, &err);
    if (rc == 0)
        rc = grille_store_foreach_quote(s, "sante", count_quote, &n, &err);
    if (rc == 0)
        rc = grille_store_foreach_best_quote(s, "teletravail", 1, count_quote,
                                             &m, &total, &err);
    if (rc == 0) {
        pause_tracking();
        snprintf(result, sizeof(result), "%zu quotes, %zu best of %zu", n, m,
                 total);
        resume_tracking();
    }
    grille_store_close(s);
    return said(rc, &err);
}

START_TEST(store_quotes)
{
    on_pristine(quotes, "quotes");
}
END_TEST

/* An export of the pristine project imported into a new one, and its
 * codebook made YAML. */
static int import_qdpx(void)
{
    grille_store *s = NULL;
    grille_analyser *a = NULL;
    grille_codebook *cb = NULL;
    grille_error err;
    grille_refi_import_stats st;
    int rc = open_work(empty_project, &s, &err);
    if (rc == 0)
        rc = grille_store_codebook(s, &cb, &err);
    if (rc == 0)
        rc = grille_analyser_new(&a, &err);
    bool tx = false;
    if (rc == 0)
        tx = (rc = grille_store_begin(s, &err)) == 0;
    if (rc == 0)
        rc = grille_refi_import_qdpx(s, a, cb, qdpx, &st, &err);
    if (rc == 0)
        rc = grille_store_commit(s, &err);
    if (rc != 0 && tx)
        grille_store_rollback(s);
    grille_codebook_free(cb);
    grille_analyser_free(a);
    grille_store_close(s);
    /* a failed import leaves the project empty, as it was */
    rc = unchanged_from(empty_project, said(rc, &err));
    if (rc == 0) {
        char f[sizeof(result) - 100];
        fingerprint(work, f, sizeof(f));
        pause_tracking();
        snprintf(result, sizeof(result), "%zu documents, %zu codings: %s",
                 st.documents, st.codings, f);
        resume_tracking();
    }
    remove_project(work);
    return rc;
}

/* The export of the pristine project, and an empty project to import it
 * into; 0 done. */
static int setup_import(void)
{
    grille_store *s = NULL;
    int rc = make_pristine_project();
    if (rc == 0)
        rc = grille_store_open(&s, pristine, 1, NULL);
    if (rc == 0)
        rc = grille_refi_export_qdpx(s, qdpx, NULL);
    grille_store_close(s);
    s = NULL;
    remove_project(empty_project);
    if (rc == 0)
        rc = grille_store_create(&s, empty_project, codebook_yaml,
                                 sizeof(codebook_yaml) - 1, "oom.yaml",
                                 GRILLE_UNIT_PARAGRAPH, NULL);
    grille_store_close(s);
    return rc;
}

START_TEST(import)
{
    ck_assert_int_eq(setup_import(), 0);
    every_failure(import_qdpx, "import");
    unlink(qdpx);
    remove_project(empty_project);
    remove_project(pristine);
    unlink(two_path);
}
END_TEST

static int qdc_yaml(void)
{
    char *yaml = NULL;
    size_t len = 0;
    int rc = grille_refi_qdc_to_yaml(qdc, &yaml, &len, NULL);
    if (rc == 0) {
        pause_tracking();
        snprintf(result, sizeof(result), "%zu bytes: %s", len, yaml);
        resume_tracking();
    }
    grille_free(yaml);
    return rc;
}

/* The codebook written as a .qdc; 0 done. */
static int setup_qdc(void)
{
    grille_codebook *cb = NULL;
    int rc = grille_codebook_load(&cb, codebook_yaml,
                                  sizeof(codebook_yaml) - 1, "oom.yaml", NULL);
    if (rc == 0)
        rc = grille_refi_export_qdc(cb, qdc, NULL);
    grille_codebook_free(cb);
    return rc;
}

START_TEST(qdc_to_yaml)
{
    ck_assert_int_eq(setup_qdc(), 0);
    every_failure(qdc_yaml, "qdc to YAML");
    unlink(qdc);
}
END_TEST

/* A front matter libyaml reads (quotes, a list, a comment), not the
 * plain key: value lines read without it. */
static int front_matter(void)
{
    static const char fm[] = "---\n"
                             "collectivite: \"Mairie de S\xc3\xa8te\"\n"
                             "type: 'commune'  # une commune\n"
                             "roles: [DGS, DGA]\n"
                             "date: 2020-05-11\n"
                             "---\n"
                             "- Le t\xc3\xa9l\xc3\xa9travail.\n";
    grille_attrs *attrs = NULL;
    size_t body = 0;
    int rc = grille_attrs_parse(&attrs, &body, fm, sizeof(fm) - 1, "fm.md",
                                NULL);
    if (rc == 0) {
        pause_tracking();
        size_t at = (size_t)snprintf(result, sizeof(result), "body %zu:", body);
        for (size_t i = 0; i < grille_attrs_count(attrs) &&
                           at < sizeof(result);
             i++) {
            const grille_attr *x = grille_attrs_get(attrs, i);
            at += (size_t)snprintf(result + at, sizeof(result) - at,
                                   " %s=%s", x->key, x->value);
        }
        resume_tracking();
    }
    grille_attrs_free(attrs);
    return rc;
}

START_TEST(front_matter_yaml)
{
    every_failure(front_matter, "front matter");
}
END_TEST

/* A note prepared (as add's threads do), then added in place of the
 * one of its path with another text (add --replace), and a recode on two
 * analysers: each done, or failed with the project as it was. */
static int replace_and_recode(void)
{
    static const char newer[] = "- Le t\xc3\xa9l\xc3\xa9travail, encore, et "
                                "les masques.\n";
    grille_store *s = NULL;
    grille_analyser *a[2] = {NULL, NULL};
    grille_codebook *cb = NULL;
    grille_text *t = NULL;
    grille_prepared *p = NULL;
    grille_error err;
    int rc = open_work(pristine, &s, &err);
    if (rc == 0)
        rc = grille_store_codebook(s, &cb, &err);
    for (size_t i = 0; i < 2 && rc == 0; i++)
        rc = grille_analyser_new(&a[i], &err);
    if (rc == 0) {
        pause_tracking();
        rc = write_file_text(two_path, newer) < 0 ? GRILLE_EIO : 0;
        resume_tracking();
    }
    if (rc == 0)
        rc = grille_text_read_file(&t, two_path, &err);
    if (rc == 0)
        rc = grille_add_prepare(&p, a[1], cb, grille_store_unit(s), two_path,
                                t, &err);
    bool tx = false;
    if (rc == 0)
        tx = (rc = grille_store_begin(s, &err)) == 0;
    int64_t id = 0;
    grille_replaced rep;
    if (rc == 0)
        rc = grille_store_replace_prepared(s, p, "two.md", two_path, &id,
                                           &rep, &err);
    if (rc == 0 && rep.old_id == 0)
        rc = GRILLE_EINVALID;
    if (rc == 0)
        rc = grille_store_commit(s, &err);
    if (rc != 0 && tx)
        grille_store_rollback(s);
    /* the project once replaced: a recode that fails leaves it so */
    static char replaced[4096];
    bool committed = rc == 0;
    if (committed)
        fingerprint(work, replaced, sizeof(replaced));
    if (rc == 0)
        rc = grille_store_recode_jobs(s, a, 2, cb, codebook_yaml,
                                      sizeof(codebook_yaml) - 1, "oom.yaml",
                                      NULL, NULL, NULL, &err);
    grille_prepared_free(p);
    grille_text_free(t);
    grille_codebook_free(cb);
    grille_analyser_free(a[0]);
    grille_analyser_free(a[1]);
    grille_store_close(s);
    rc = said(rc, &err);
    static char now[4096];
    fingerprint(work, now, sizeof(now));
    if (!committed) { /* nothing replaced */
        rc = unchanged(rc);
    } else if (strcmp(now, replaced) != 0) { /* replaced, recoded alike */
        snprintf(last_message, sizeof(last_message),
                 "the recode changed the project: '%.400s' -> '%.400s'",
                 replaced, now);
        rc = GRILLE_EINVALID;
    }
    if (rc == 0) {
        pause_tracking();
        snprintf(result, sizeof(result), "%s", now);
        resume_tracking();
    }
    remove_project(work);
    return rc;
}

START_TEST(store_replace)
{
    on_pristine(replace_and_recode, "replace and recode");
}
END_TEST

static Suite *oom_suite(void)
{
    Suite *s = suite_create("oom");
    TCase *tc = tcase_create("oom");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, codebook_load);
    tcase_add_test(tc, codebook_bundled);
    tcase_add_test(tc, code_a_note);
    tcase_add_test(tc, decode);
    tcase_add_test(tc, store_add);
    tcase_add_test(tc, report);
    tcase_add_test(tc, export);
    tcase_add_test(tc, store_recode);
    tcase_add_test(tc, store_edit);
    tcase_add_test(tc, store_quotes);
    tcase_add_test(tc, import);
    tcase_add_test(tc, qdc_to_yaml);
    tcase_add_test(tc, front_matter_yaml);
    tcase_add_test(tc, store_replace);
    suite_add_tcase(s, tc);
    return s;
}

/* GRILLE_OOM="job n" runs job (codebook, bundled, code, decode, store,
 * report, export, recode, replace, edit, quotes, front, import, qdc)
 * once with its n-th allocation failing (the same n as the test's, but
 * for the recode on two threads, whose allocations come in any order), and leaves what it holds for
 * valgrind --leak-check=full to show where it was taken; under gdb, a
 * breakpoint on oom_here shows who asked for the allocation. */
static int one_failure(const char *spec)
{
    static const struct {
        const char *name;
        job_fn job;
    } jobs[] = {{"codebook", load_codebook}, {"bundled", load_bundled},
                {"code", code_note},         {"decode", decode_notes},
                {"store", add_notes},        {"report", build_report},
                {"export", export_qdpx},     {"recode", recode},
                {"replace", replace_and_recode}, {"edit", edit},
                {"quotes", quotes},          {"front", front_matter},
                {"import", import_qdpx},     {"qdc", qdc_yaml}};
    char name[16];
    size_t n;
    if (sscanf(spec, "%15s %zu", name, &n) != 2)
        return EXIT_FAILURE;
    if (!strcmp(name, "report") || !strcmp(name, "export") ||
        !strcmp(name, "recode") || !strcmp(name, "replace") ||
        !strcmp(name, "edit") || !strcmp(name, "quotes")) {
        if (make_pristine_project() < 0)
            return EXIT_FAILURE;
    }
    if ((!strcmp(name, "import") && setup_import() < 0) ||
        (!strcmp(name, "qdc") && setup_qdc() < 0))
        return EXIT_FAILURE;
    if (!strcmp(name, "code") &&
        grille_codebook_load(&shared_cb, codebook_yaml,
                             sizeof(codebook_yaml) - 1, "oom.yaml", NULL) < 0)
        return EXIT_FAILURE;
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
        if (!strcmp(name, jobs[i].name)) {
            jobs[i].job(); /* as every_failure: caches and one-time setup */
            arm(n);
            int rc = jobs[i].job();
            size_t held = disarm();
            printf("%s, allocation %zu failing: %d (%s), %zu blocks held; "
                   "made: %.200s\n",
                   name, n, rc, last_message, held, result);
            /* the blocks held forgotten: valgrind --leak-check=full then
             * says where each was taken ("definitely lost") */
            memset(live, 0, sizeof(live));
            remove_project(pristine);
            remove_project(empty_project);
            unlink(two_path);
            unlink(qdpx);
            unlink(qdc);
            return EXIT_SUCCESS;
        }
    return EXIT_FAILURE;
}

int main(void)
{
    name_files();
    const char *one = getenv("GRILLE_OOM");
    int rc = one ? one_failure(one) : run_suite(oom_suite());
    if (rmdir(dir) != 0) {
        char left[4096];
        dir_list(left, sizeof(left));
        fprintf(stderr, "%s: left behind: %s\n", dir, left);
        rc = EXIT_FAILURE;
    }
    return rc;
}
