/*
 * test_text.c - the French text layer: decoding (UTF-8, BOM, UTF-16,
 * Windows-1252, binary and broken input), front matter, segments
 * (paragraphs, bullets, speaker turns, headings, sentences, line numbers)
 * and tokens (elisions, compounds, names, numbers, dates, acronyms, URLs,
 * keys and byte spans), on the kind of text real interview notes hold.
 */
#include "check_main.h"
#include "analyser.h" /* grille_text__is_elision */
#include "common.h" /* grille__attrs_plain_only, grille__attrs_yaml_only */
#include "grille.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static grille_analyser *an;
static const char *cur;
static size_t ntok, nseg;
static const grille_token *toks;
static const grille_segment *segs;

static void setup(void)
{
    ck_assert_int_eq(grille_analyser_new(&an, NULL), 0);
}

static void teardown(void)
{
    grille_analyser_free(an);
    an = NULL;
}

static void run_unit(const char *text, grille_unit unit)
{
    grille_error err = {0};
    cur = text;
    int rc = grille_analyser_run(an, text, strlen(text), 0, unit, NULL, "t",
                                 &err);
    ck_assert_msg(rc == 0, "analyse failed: %s", err.message);
    nseg = grille_analyser_segments(an, &segs);
    ntok = grille_analyser_tokens(an, &toks);
}

static void run(const char *text)
{
    run_unit(text, GRILLE_UNIT_PARAGRAPH);
}

/* The segment's text equals `want`. */
static void seg_is(size_t i, grille_segment_kind kind, unsigned line,
                   const char *want)
{
    ck_assert_msg(i < nseg, "no segment %zu (only %zu)", i, nseg);
    const grille_segment *s = &segs[i];
    size_t n = s->end - s->start;
    ck_assert_msg(n == strlen(want) && memcmp(cur + s->start, want, n) == 0,
                  "segment %zu is '%.*s', want '%s'", i, (int)n,
                  cur + s->start, want);
    ck_assert_msg(s->kind == kind, "segment %zu ('%s') is a %s, want a %s", i,
                  want, grille_segment_kind_name(s->kind),
                  grille_segment_kind_name(kind));
    ck_assert_msg(s->line == line, "segment %zu ('%s') on line %u, want %u",
                  i, want, s->line, line);
}

static void label_is(size_t i, const char *want)
{
    const grille_segment *s = &segs[i];
    size_t n = s->label_end - s->label_start;
    ck_assert_msg(n == strlen(want) && memcmp(cur + s->label_start, want, n) ==
                                           0,
                  "segment %zu speaker '%.*s', want '%s'", i, (int)n,
                  cur + s->label_start, want);
}

/* The first token whose surface is `surface` (-1 if none). */
static const grille_token *tok(const char *surface)
{
    for (size_t i = 0; i < ntok; i++) {
        size_t n = toks[i].end - toks[i].start;
        if (n == strlen(surface) &&
            memcmp(cur + toks[i].start, surface, n) == 0)
            return &toks[i];
    }
    ck_abort_msg("no token '%s'", surface);
    return NULL;
}

static void key_is(const char *surface, grille_token_kind kind,
                   const char *key)
{
    const grille_token *t = tok(surface);
    ck_assert_msg(t->kind == kind, "'%s' is a %s, want %s", surface,
                  grille_token_kind_name(t->kind),
                  grille_token_kind_name(kind));
    ck_assert_msg(t->key_len == strlen(key) &&
                      memcmp(t->key, key, t->key_len) == 0,
                  "'%s' has key '%.*s', want '%s'", surface, (int)t->key_len,
                  t->key, key);
}

static bool has_token(const char *surface)
{
    for (size_t i = 0; i < ntok; i++) {
        size_t n = toks[i].end - toks[i].start;
        if (n == strlen(surface) &&
            memcmp(cur + toks[i].start, surface, n) == 0)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------- decoding */

static grille_text *decode_ok(const char *bytes, size_t len,
                              grille_encoding enc, const char *want)
{
    grille_text *t = NULL;
    grille_error err = {0};
    int rc = grille_text_decode(&t, bytes, len, "note.txt", &err);
    ck_assert_msg(rc == 0, "decode failed: %s", err.message);
    size_t n;
    const char *d = grille_text_data(t, &n);
    ck_assert_msg(n == strlen(want) && memcmp(d, want, n) == 0,
                  "decoded '%.*s', want '%s'", (int)n, d, want);
    ck_assert_int_eq(grille_text_encoding(t), enc);
    ck_assert_uint_eq(grille_text_input_size(t), len);
    ck_assert_int_eq(d[n], '\0'); /* grille.h: NUL-terminated */
    return t;
}

static void decode_fails(const char *bytes, size_t len, int code,
                         size_t offset, const char *words)
{
    grille_text *t = NULL;
    grille_error err = {0};
    int rc = grille_text_decode(&t, bytes, len, "note.txt", &err);
    ck_assert_int_eq(rc, code);
    ck_assert_ptr_null(t);
    ck_assert_uint_eq(err.offset, offset);
    ck_assert_msg(strncmp(err.message, "note.txt:", 9) == 0,
                  "message does not name the file: %s", err.message);
    ck_assert_msg(strstr(err.message, words) != NULL,
                  "message '%s' lacks '%s'", err.message, words);
}

START_TEST(decode_utf8)
{
    grille_text_free(decode_ok("Élus et santé", 15, GRILLE_ENC_UTF8,
                               "Élus et santé"));
    grille_text_free(decode_ok("\xEF\xBB\xBF---\nx", 8, GRILLE_ENC_UTF8_BOM,
                               "---\nx"));
    grille_text_free(decode_ok("", 0, GRILLE_ENC_UTF8, ""));
}
END_TEST

START_TEST(decode_utf16)
{
    /* "élu’" in UTF-16LE and BE with BOM */
    grille_text_free(decode_ok("\xFF\xFE\xE9\x00l\x00u\x00\x19\x20", 10,
                               GRILLE_ENC_UTF16LE, "élu’"));
    grille_text_free(decode_ok("\xFE\xFF\x00\xE9\x00l\x00u\x20\x19", 10,
                               GRILLE_ENC_UTF16BE, "élu’"));
    /* a BOM alone: an empty text, terminated all the same */
    grille_text_free(decode_ok("\xFF\xFE", 2, GRILLE_ENC_UTF16LE, ""));
    grille_text_free(decode_ok("\xFE\xFF", 2, GRILLE_ENC_UTF16BE, ""));
    decode_fails("\xFF\xFE\xE9\x00l", 5, GRILLE_EENCODING, 4, "truncated");
    decode_fails("\xFF\xFE\x00\xD8\x41\x00", 6, GRILLE_EENCODING, 2,
                 "surrogate");
}
END_TEST

START_TEST(decode_windows1252)
{
    /* l’œuvre déjà : ’ is 0x92 and œ 0x9C in Windows-1252 */
    grille_text_free(decode_ok("l\x92\x9cuvre d\xe9j\xe0 \x96 ok", 17,
                               GRILLE_ENC_WINDOWS1252,
                               "l’œuvre déjà – ok"));
    /* an é in the last three bytes, before a line end: not a UTF-8
     * sequence cut by the end of the file */
    grille_text_free(decode_ok("report\xe9\n", 8, GRILLE_ENC_WINDOWS1252,
                               "reporté\n"));
    grille_text_free(decode_ok("caf\xe9 ", 5, GRILLE_ENC_WINDOWS1252,
                               "café "));
    grille_text_free(decode_ok("caf\xe9", 4, GRILLE_ENC_WINDOWS1252,
                               "café"));
    /* (NULL, 0) is an empty text */
    grille_text_free(decode_ok(NULL, 0, GRILLE_ENC_UTF8, ""));
    /* 0x81 has no meaning in Windows-1252: not text */
    decode_fails("caf\xe9 \x81", 6, GRILLE_EENCODING, 3, "invalid UTF-8");
}
END_TEST

START_TEST(decode_macroman)
{
    /* French from a Mac of old: é 0x8E, è 0x8F (undefined in
     * Windows-1252), à 0x88, « 0xC7, » 0xC8, ’ 0xD5, … 0xC9; read as
     * Windows-1252 it was "rŽouverture", and nothing coded */
    grille_text_free(decode_ok("la r\x8eouverture \xc7 tr\x8fs bien \xc8 "
                               "\x88 l\xd5\x8e" "cole\xc9",
                               39, GRILLE_ENC_MACROMAN,
                               "la réouverture « très bien » à l’école…"));
    ck_assert_str_eq(grille_encoding_name(GRILLE_ENC_MACROMAN),
                     "Mac OS Roman");
    /* as many Windows-1252 letters (é 0xE9) as Mac ones: Windows-1252 */
    grille_text_free(decode_ok("d\xe9j\xe0 \x8e", 6, GRILLE_ENC_WINDOWS1252,
                               "déjà Ž"));
    /* Windows-1252's bullets and quotes (0x95, 0x93, 0x94: ï, ì, î in
     * Mac OS Roman) in a note without accents: Windows-1252 */
    grille_text_free(decode_ok("\x95 Reunion\n\x95 \x93ok\x94\n", 17,
                               GRILLE_ENC_WINDOWS1252,
                               "• Reunion\n• “ok”\n"));
    /* UTF-8 with bullets pasted from Windows-1252: refused as before, not
     * read as Mac OS Roman */
    decode_fails("l\xe2\x80\x99"
                 "accueil\n\x95 a\n\x95 b\n\x95 c\n\x95 d\n\x95 e\n",
                 32, GRILLE_EENCODING, 12, "invalid UTF-8");
    /* a byte undefined in Windows-1252 with no French letter of Mac OS
     * Roman's: refused as before */
    decode_fails("caf\xe9 \x81", 6, GRILLE_EENCODING, 3, "invalid UTF-8");
}
END_TEST

START_TEST(decode_refusals)
{
    decode_fails("abc\0def", 7, GRILLE_EBINARY, 3, "binary");
    /* a broken byte in otherwise good UTF-8 */
    decode_fails("élus \xff santé", 13, GRILLE_EENCODING, 6, "byte 6");
    /* a sequence cut by the end of the file */
    decode_fails("santé \xc3", 8, GRILLE_EENCODING, 7, "truncated");
    decode_fails("sant\xe2\x80", 6, GRILLE_EENCODING, 4, "truncated");
    /* a BOM says UTF-8: no guessing after it */
    decode_fails("\xEF\xBB\xBF" "caf\xe9 ok", 10, GRILLE_EENCODING, 6,
                 "invalid UTF-8");
}
END_TEST

START_TEST(read_file_errors)
{
    grille_text *t = NULL;
    grille_error err = {0};
    ck_assert_int_eq(grille_text_read_file(&t, "/", &err), GRILLE_EIO);
    ck_assert_msg(strstr(err.message, "folder") != NULL, "%s", err.message);
    ck_assert_int_eq(grille_text_read_file(&t, "/nonexistent/note.md", &err),
                     GRILLE_EIO);
    ck_assert_msg(strncmp(err.message, "/nonexistent/note.md: ", 22) == 0,
                  "%s", err.message);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(grille_text_read_file(&t, NULL, &err), GRILLE_EINVALID);
    ck_assert_ptr_null(t);
    /* a path of thousands of bytes leaves room for the reason */
    char path[6001];
    for (size_t i = 0; i < 6000; i++)
        path[i] = i % 100 == 0 ? '/' : 'd';
    path[6000] = '\0';
    ck_assert_int_eq(grille_text_read_file(&t, path, &err), GRILLE_EIO);
    ck_assert_msg(strstr(err.message, "\xe2\x80\xa6") &&
                      strlen(err.message) < 600 &&
                      strstr(err.message, "ddd: ") != NULL,
                  "%s", err.message);
}
END_TEST

/* A text read by a relative path keeps the file it was read from: after
 * a chdir, where that path names another file, its file is unknown, not
 * the other one (add would have taken that one's for it). */
START_TEST(read_file_keeps_its_file)
{
    char tmpl[] = "/tmp/grille-textfile-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(dir);
    char a[256], b[256], fa[300], fb[300], old[4096];
    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/b", dir);
    ck_assert_int_eq(mkdir(a, 0700), 0);
    ck_assert_int_eq(mkdir(b, 0700), 0);
    snprintf(fa, sizeof(fa), "%s/note.md", a);
    snprintf(fb, sizeof(fb), "%s/note.md", b);
    FILE *f = fopen(fa, "w");
    fputs("Le maire.\n", f);
    fclose(f);
    f = fopen(fb, "w");
    fputs("La santé.\n", f);
    fclose(f);
    ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
    ck_assert_int_eq(chdir(a), 0);
    grille_text *t = NULL;
    grille_error err = {0};
    ck_assert_int_eq(grille_text_read_file(&t, "note.md", &err), 0);
    ck_assert_int_eq(chdir(b), 0);
    ck_assert_ptr_null(grille__text_file(t));
    grille_text_free(t);
    /* from a descriptor: the same text, the descriptor closed */
    int fd = open("note.md", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(grille_text_read_fd(&t, fd, "note.md", 1, &err), 0);
    size_t n;
    ck_assert_str_eq(grille_text_data(t, &n), "La santé.\n");
    ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
    grille_text_free(t);
    ck_assert_int_eq(grille_text_read_fd(&t, -1, "note.md", 1, &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_null(t);
    fd = open(".", O_RDONLY);
    ck_assert_int_eq(grille_text_read_fd(&t, fd, ".", 1, &err), GRILLE_EIO);
    ck_assert_msg(strstr(err.message, "folder") != NULL, "%s", err.message);
    ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
    /* read and asked in the same folder: its own path from / */
    ck_assert_int_eq(grille_text_read_file(&t, "note.md", &err), 0);
    const char *file = grille__text_file(t);
    ck_assert_ptr_nonnull(file);
    char *want = realpath(fb, NULL);
    ck_assert_str_eq(file, want);
    free(want);
    grille_text_free(t);
    ck_assert_int_eq(chdir(old), 0);
    unlink(fa);
    unlink(fb);
    rmdir(a);
    rmdir(b);
    rmdir(dir);
}
END_TEST

/* The file of a text read from path p, resolved (grille__text_file):
 * its real path, or NULL. */
static char *file_of(const char *p)
{
    grille_text *t = NULL;
    grille_error err = {0};
    ck_assert_int_eq(grille_text_read_file(&t, p, &err), 0);
    const char *f = grille__text_file(t);
    char *copy = f ? strdup(f) : NULL;
    grille_text_free(t);
    return copy;
}

/* The file of a text read from path p is `want`. */
static void file_is(const char *p, const char *want)
{
    char *f = file_of(p);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f, want);
    free(f);
}

static void write_note(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The notes of a folder are resolved by the folder's real path, kept from
 * one to the next: through a linked folder, a note that is a link, and a
 * folder replaced meanwhile, each is its realpath(), as resolved alone. */
START_TEST(text_file_by_folder)
{
    char tmpl[] = "/tmp/grille-byfolder-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(dir);
    char real[300], other[300], link[300], p[400], q[400];
    snprintf(real, sizeof(real), "%s/real", dir);
    snprintf(other, sizeof(other), "%s/other", dir);
    snprintf(link, sizeof(link), "%s/link", dir);
    ck_assert_int_eq(mkdir(real, 0700), 0);
    ck_assert_int_eq(mkdir(other, 0700), 0);
    ck_assert_int_eq(symlink("real", link), 0);
    const char *names[] = {"a.md", "b.md", "c.md"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", real, names[i]);
        write_note(p, names[i]);
        snprintf(p, sizeof(p), "%s/%s", other, names[i]);
        write_note(p, "autre");
    }
    /* d.md in the linked folder is a link to other/d.md */
    snprintf(p, sizeof(p), "%s/d.md", other);
    write_note(p, "lien");
    snprintf(p, sizeof(p), "%s/d.md", real);
    ck_assert_int_eq(symlink("../other/d.md", p), 0);
    char *rdir = realpath(dir, NULL);
    ck_assert_ptr_nonnull(rdir);
    for (size_t i = 0; i < 2; i++) { /* the second by the folder kept */
        snprintf(p, sizeof(p), "%s/%s", link, names[i]);
        snprintf(q, sizeof(q), "%s/real/%s", rdir, names[i]);
        file_is(p, q);
    }
    snprintf(p, sizeof(p), "%s/d.md", link);
    snprintf(q, sizeof(q), "%s/other/d.md", rdir);
    file_is(p, q);
    /* the link now names the other folder: link/c.md is other/c.md */
    ck_assert_int_eq(unlink(link), 0);
    ck_assert_int_eq(symlink("other", link), 0);
    snprintf(p, sizeof(p), "%s/c.md", link);
    snprintf(q, sizeof(q), "%s/other/c.md", rdir);
    file_is(p, q);
    /* and back: link/b.md is real/b.md again, not other/b.md */
    ck_assert_int_eq(unlink(link), 0);
    ck_assert_int_eq(symlink("real", link), 0);
    snprintf(p, sizeof(p), "%s/b.md", link);
    snprintf(q, sizeof(q), "%s/real/b.md", rdir);
    file_is(p, q);
    /* a bare name, in the current folder */
    char old[4096];
    ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
    ck_assert_int_eq(chdir(other), 0);
    snprintf(q, sizeof(q), "%s/other/a.md", rdir);
    file_is("a.md", q);
    ck_assert_int_eq(chdir(real), 0);
    snprintf(q, sizeof(q), "%s/real/a.md", rdir);
    file_is("a.md", q);
    ck_assert_int_eq(chdir(old), 0);
    free(rdir);
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", real, names[i]);
        unlink(p);
        snprintf(p, sizeof(p), "%s/%s", other, names[i]);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/d.md", real);
    unlink(p);
    snprintf(p, sizeof(p), "%s/d.md", other);
    unlink(p);
    unlink(link);
    rmdir(real);
    rmdir(other);
    rmdir(dir);
}
END_TEST

/* A note read by the size its caller saw: the size only sizes the first
 * read, so a note that grew or shrank since is read whole, and its file
 * is found as a note read by its path is. */
START_TEST(read_file_sized_reads_it_whole)
{
    char tmpl[] = "/tmp/grille-sized-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(dir);
    char p[300];
    snprintf(p, sizeof(p), "%s/note.md", dir);
    write_note(p, "Le maire parle du télétravail.\n");
    size_t want = strlen("Le maire parle du télétravail.\n");
    grille_error err = {0};
    /* the size seen, smaller, larger, none: the same text each time */
    uint64_t sizes[] = {want, 3, want + 100, 0};
    for (size_t i = 0; i < 4; i++) {
        grille_text *t = NULL;
        ck_assert_int_eq(grille_text_read_file_sized(&t, p, 1, sizes[i], &err),
                         0);
        size_t n;
        ck_assert_str_eq(grille_text_data(t, &n),
                         "Le maire parle du télétravail.\n");
        ck_assert_uint_eq(n, want);
        const char *f = grille__text_file(t);
        ck_assert_ptr_nonnull(f);
        char *real = realpath(p, NULL);
        ck_assert_str_eq(f, real);
        free(real);
        grille_text_free(t);
    }
    /* a file of exactly the size seen, then one byte more */
    write_note(p, "abc");
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_read_file_sized(&t, p, 1, 3, &err), 0);
    size_t n;
    ck_assert_str_eq(grille_text_data(t, &n), "abc");
    grille_text_free(t);
    write_note(p, "abcd");
    ck_assert_int_eq(grille_text_read_file_sized(&t, p, 1, 3, &err), 0);
    ck_assert_str_eq(grille_text_data(t, &n), "abcd");
    grille_text_free(t);
    /* the folder resolved for one note, then linked elsewhere: the next
     * note's file is where its text was read, not the folder kept */
    char v1[320], v2[320], lnk[320], q[400];
    snprintf(v1, sizeof(v1), "%s/v1", dir);
    snprintf(v2, sizeof(v2), "%s/v2", dir);
    snprintf(lnk, sizeof(lnk), "%s/cur", dir);
    ck_assert_int_eq(mkdir(v1, 0700), 0);
    ck_assert_int_eq(mkdir(v2, 0700), 0);
    ck_assert_int_eq(symlink("v1", lnk), 0);
    snprintf(q, sizeof(q), "%s/a.md", v1);
    write_note(q, "un\n");
    snprintf(q, sizeof(q), "%s/b.md", v1);
    write_note(q, "deux v1\n");
    snprintf(q, sizeof(q), "%s/b.md", v2);
    write_note(q, "deux v2\n");
    char *rdir = realpath(dir, NULL);
    ck_assert_ptr_nonnull(rdir);
    for (int k = 0; k < 2; k++) {
        snprintf(q, sizeof(q), "%s/%s", lnk, k ? "b.md" : "a.md");
        ck_assert_int_eq(grille_text_read_file_sized(&t, q, 1, 3, &err), 0);
        char at[400];
        snprintf(at, sizeof(at), "%s/%s", rdir, k ? "v2/b.md" : "v1/a.md");
        ck_assert_str_eq(grille_text_data(t, &n), k ? "deux v2\n" : "un\n");
        ck_assert_ptr_nonnull(grille__text_file(t));
        ck_assert_str_eq(grille__text_file(t), at);
        grille_text_free(t);
        if (!k) { /* cur now names v2 */
            ck_assert_int_eq(unlink(lnk), 0);
            ck_assert_int_eq(symlink("v2", lnk), 0);
        }
    }
    free(rdir);
    const char *gone[] = {"v1/a.md", "v1/b.md", "v2/b.md", "cur", "v1", "v2"};
    for (size_t i = 0; i < 6; i++) {
        snprintf(q, sizeof(q), "%s/%s", dir, gone[i]);
        if (i < 4)
            unlink(q);
        else
            rmdir(q);
    }
    /* gone since it was seen: said as a file that cannot be read */
    unlink(p);
    ck_assert_int_eq(grille_text_read_file_sized(&t, p, 1, 4, &err),
                     GRILLE_EIO);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(err.message, "note.md") != NULL, "%s", err.message);
    rmdir(dir);
}
END_TEST

/* ---------------------------------------------------------- front matter */

START_TEST(front_matter_found)
{
    const char *s = "---\ncollectivite: Millau\n---\nCorps";
    size_t ys, ye, body;
    ck_assert_int_eq(grille_text_front_matter(s, strlen(s), &ys, &ye, &body,
                                              NULL),
                     1);
    ck_assert_uint_eq(ys, 4);
    ck_assert_uint_eq(ye, 25);
    ck_assert_uint_eq(body, 29);
    const char *none = "Entretien\n---\n";
    ck_assert_int_eq(grille_text_front_matter(none, strlen(none), &ys, &ye,
                                              &body, NULL),
                     0);
    ck_assert_uint_eq(body, 0);
    const char *open = "---\ntype: commune\nsuite du texte\n";
    ck_assert_int_eq(grille_text_front_matter(open, strlen(open), &ys, &ye,
                                              &body, NULL),
                     GRILLE_ESYNTAX);
}
END_TEST

/* After blank lines, a block closed, opened by a key and a YAML mapping
 * is a front matter; a rule under a blank line, closed or not, is text. */
START_TEST(front_matter_after_blank_lines)
{
    const char *s = "\n \t\r\n---\ntype: commune\n---\nLa santé\n";
    size_t ys, ye, body;
    ck_assert_int_eq(grille_text_front_matter(s, strlen(s), &ys, &ye, &body,
                                              NULL),
                     1);
    ck_assert_uint_eq(ys, 9);
    ck_assert_uint_eq(ye, 23);
    ck_assert_uint_eq(body, 27);
    const char *text[] = {"\n---\nNotes du jour\n---\nLa santé\n",
                          "\n---\nLa santé : 3 cas\n", "\n---\n",
                          "\n\n---\ntype:commune\n---\n", "\n\n\n"};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        ck_assert_int_eq(grille_text_front_matter(text[i], strlen(text[i]),
                                                  &ys, &ye, &body, NULL),
                         0);
        ck_assert_uint_eq(body, 0);
    }
    grille_attrs *a = NULL;
    ck_assert_int_eq(grille_attrs_parse(&a, &body, s, strlen(s), "n.md", NULL),
                     0);
    ck_assert_uint_eq(grille_attrs_count(a), 1);
    ck_assert_str_eq(grille_attrs_get(a, 0)->value, "commune");
    grille_attrs_free(a);
    /* a French colon after the key; a known key in any spelling */
    const char *fr = "\n---\nCollectivité : Brest\nStrate : 3\n---\nLa santé\n";
    ck_assert_int_eq(grille_attrs_parse(&a, &body, fr, strlen(fr), "n.md",
                                        NULL),
                     0);
    ck_assert_uint_eq(grille_attrs_count(a), 2);
    ck_assert_uint_eq(body, strlen(fr) - strlen("La santé\n"));
    grille_attrs_free(a);
    /* after blank lines, a block that is no YAML mapping of strings, or
     * that names none of the reports' attributes, is text (a rule, lines,
     * a rule; notes as "Masques: reçus" lines), not an error */
    const char *texts[] = {"\n\n---\ntype: a\ntype: b\n---\nLa santé\n",
                           "\n---\nDate: 12 mars\n\nLa maire dit.\n\n---\n"
                           "Suite.\n",
                           "\n---\ntype: [a\n---\nLa santé\n",
                           "\n---\nMasques: reçus\nQ: Comment ?\n---\nSuite\n",
                           "\n---\nNB: [visio, tel]\n---\nSuite\n"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        grille_error err = {0};
        body = 99;
        ck_assert_int_eq(grille_attrs_parse(&a, &body, texts[i],
                                            strlen(texts[i]), "n.md", &err),
                         0);
        ck_assert_uint_eq(body, 0);
        ck_assert_uint_eq(grille_attrs_count(a), 0);
        ck_assert_int_eq(err.code, 0);
        grille_attrs_free(a);
    }
    /* raw Latin-1 bytes, quoted or not: refused, at the byte's offset in
     * the note (the plain reader kept "caf\xe9" unquoted) */
    const char *latin[] = {"---\ntype: caf\xe9\n---\nCorps\n",
                           "---\ntype: 'caf\xe9'\n---\nCorps\n"};
    for (size_t i = 0; i < 2; i++) {
        grille_error le = {0};
        ck_assert_int_eq(grille_attrs_parse(&a, &body, latin[i],
                                            strlen(latin[i]), "l.md", &le),
                         GRILLE_EENCODING);
        ck_assert_ptr_null(a);
        ck_assert_uint_eq(le.offset, (size_t)(strchr(latin[i], '\xe9') -
                                              latin[i]));
        ck_assert_msg(strstr(le.message, "front matter"), "%s", le.message);
    }
    /* one err for several notes: a note's warning is not the next's */
    grille_error warned = {0};
    ck_assert_int_eq(grille_attrs_parse(&a, &body, texts[0], strlen(texts[0]),
                                        "a.md", &warned),
                     0);
    grille_attrs_free(a);
    ck_assert(warned.message[0] != '\0');
    ck_assert_int_eq(grille_attrs_parse(&a, &body, fr, strlen(fr), "b.md",
                                        &warned),
                     0);
    grille_attrs_free(a);
    ck_assert_int_eq(warned.code, 0);
    ck_assert_str_eq(warned.message, "");
    /* its errors on the file's lines, when it starts at the top: the
     * YAML's lines are counted from the file's first */
    const char *twice = "---\ntype: a\ntype: b\n---\nLa santé\n";
    grille_error err = {0};
    ck_assert_int_eq(grille_attrs_parse(&a, &body, twice, strlen(twice),
                                        "n.md", &err),
                     GRILLE_ESYNTAX);
    ck_assert_msg(strstr(err.message, "n.md:3:1: key 'type' given twice in "
                                      "the front matter (first on line 2)"),
                  "%s", err.message);
    /* a text of blank lines that need not end with a NUL: read within
     * its length */
    char *blank = malloc(4);
    memcpy(blank, "\n \t ", 4);
    ck_assert_int_eq(grille_text_front_matter(blank, 4, &ys, &ye, &body,
                                              NULL),
                     0);
    free(blank);
}
END_TEST

/* The line of s[0..len) from i, byte by byte: its end in *end, and where
 * the next one starts (a line ends at '\n', '\r' or "\r\n"). */
static size_t slow_line(const char *s, size_t len, size_t i, size_t *end)
{
    while (i < len && s[i] != '\n' && s[i] != '\r')
        i++;
    *end = i;
    if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
        return i + 2;
    return i < len ? i + 1 : len;
}

static bool slow_fence(const char *s, size_t a, size_t b, const char *mark)
{
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    return b - a == 3 && memcmp(s + a, mark, 3) == 0;
}

START_TEST(front_matter_lines_as_bytes)
{
    /* texts of fences, line ends of every kind and the other bytes below
     * 0x0E (a tab, a form feed) on both sides of an eight-byte word: the
     * block found is the one a reading byte by byte finds */
    static const char *const bits[] = {"---", "...", "\n", "\r", "\r\n",
                                       " ", "\t", "\f", "\v", "a",
                                       "k: v", "-", ".", "\xc3\xa9",
                                       "abcdefghijk"};
    const size_t nb = sizeof(bits) / sizeof(bits[0]);
    unsigned long x = 7;
    size_t found = 0;
    for (int round = 0; round < 20000; round++) {
        char s[256];
        size_t len = 0;
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        if ((x >> 60) % 4)
            len = (size_t)snprintf(s, sizeof(s), "---%s",
                                   (x >> 58) % 2 ? "\n" : " \r\n");
        for (size_t n = (x >> 33) % 24; n > 0; n--) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            const char *b = bits[(x >> 33) % nb];
            if (len + strlen(b) < sizeof(s))
                len += (size_t)snprintf(s + len, sizeof(s) - len, "%s", b);
        }
        /* the reference: the first line a fence, then the first fence */
        size_t end, i = slow_line(s, len, 0, &end), want_rc = 0;
        size_t want_ys = 0, want_ye = 0, want_body = 0;
        if (slow_fence(s, 0, end, "---")) {
            size_t start = i;
            want_rc = (size_t)-1;
            while (i < len) {
                size_t line = i;
                i = slow_line(s, len, i, &end);
                if (slow_fence(s, line, end, "---") ||
                    slow_fence(s, line, end, "...")) {
                    want_rc = 1;
                    want_ys = start, want_ye = line, want_body = i;
                    break;
                }
            }
        }
        /* copied to the heap at its length: ASan sees a read past it */
        char *t = malloc(len + 1);
        ck_assert_ptr_nonnull(t);
        memcpy(t, s, len);
        size_t ys = 9, ye = 9, body = 9;
        int rc = grille_text_front_matter(t, len, &ys, &ye, &body, NULL);
        free(t);
        ck_assert_int_eq(rc, want_rc == (size_t)-1 ? GRILLE_ESYNTAX
                                                   : (int)want_rc);
        if (rc == 1) {
            ck_assert_uint_eq(ys, want_ys);
            ck_assert_uint_eq(ye, want_ye);
            ck_assert_uint_eq(body, want_body);
            found++;
        }
    }
    ck_assert_uint_gt(found, 1000);
}
END_TEST

START_TEST(front_matter_attributes)
{
    const char *s = "---\r\ncollectivite: Saint-Jean-de-Fos\r\n"
                    "type: commune\r\npopulation: 1650\r\n"
                    "enqueteurs: [Claire Besson, Karim Haddad]\r\n---\r\n"
                    "Notes";
    grille_attrs *a = NULL;
    size_t body;
    ck_assert_int_eq(grille_attrs_parse(&a, &body, s, strlen(s), "n.md", NULL),
                     0);
    ck_assert_uint_eq(grille_attrs_count(a), 4);
    ck_assert_str_eq(grille_attrs_find(a, "collectivite"),
                     "Saint-Jean-de-Fos");
    ck_assert_str_eq(grille_attrs_find(a, "population"), "1650");
    ck_assert_str_eq(grille_attrs_find(a, "enqueteurs"),
                     "Claire Besson, Karim Haddad");
    ck_assert_ptr_null(grille_attrs_find(a, "region"));
    ck_assert_str_eq(s + body, "Notes");
    grille_attrs_free(a);
}
END_TEST

START_TEST(front_matter_key_of_spaces_only)
{
    /* quoted, a key of spaces (a no-break one too) names no attribute: an
     * error at its line, on tag's path as on add's, not a key "" */
    const char *keys[] = {"\"  \"", "' '", "\"\u00a0\"", "\" \\t\""};
    for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        char s[128];
        snprintf(s, sizeof(s), "---\ntype: commune\n%s: x\n---\nNotes",
                 keys[i]);
        grille_attrs *a = NULL;
        grille_error e = {0};
        ck_assert_int_eq(grille_attrs_parse(&a, NULL, s, strlen(s), "n.md", &e),
                         GRILLE_ESYNTAX);
        ck_assert_ptr_null(a);
        ck_assert_uint_eq(e.line, 3);
        ck_assert_ptr_nonnull(strstr(e.message, "spaces only"));
    }
    /* !!null with a value would be that value, silently: refused; alone,
     * an empty value as YAML means it */
    const char *nul = "---\ntype: !!null commune\n---\nNotes";
    grille_attrs *na = NULL;
    grille_error ne = {0};
    ck_assert_int_eq(grille_attrs_parse(&na, NULL, nul, strlen(nul), "n.md",
                                        &ne),
                     GRILLE_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(ne.message, "'!!null' is not read here"));
    /* YAML's own spellings of null with the tag: an empty value */
    const char *nulls[] = {"~", "null", "NULL", "\"\""};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(*nulls); i++) {
        char fm[96];
        snprintf(fm, sizeof(fm), "---\ntype: !!null %s\n---\nNotes",
                 nulls[i]);
        grille_attrs *za = NULL;
        ck_assert_int_eq(grille_attrs_parse(&za, NULL, fm, strlen(fm),
                                            "n.md", NULL),
                         0);
        ck_assert_str_eq(grille_attrs_find(za, "type"), "");
        grille_attrs_free(za);
    }
    /* an empty key ("") is said so, not "keys must be strings" */
    const char *empty = "---\ntype: commune\n\"\": x\n---\nNotes";
    grille_attrs *ea = NULL;
    grille_error ee = {0};
    ck_assert_int_eq(
        grille_attrs_parse(&ea, NULL, empty, strlen(empty), "n.md", &ee),
        GRILLE_ESYNTAX);
    ck_assert_uint_eq(ee.line, 3);
    ck_assert_ptr_nonnull(strstr(ee.message, "an empty front matter key"));
    /* a key with a word in it is a key */
    const char *s = "---\n\" type \": commune\n---\nNotes";
    grille_attrs *a = NULL;
    ck_assert_int_eq(grille_attrs_parse(&a, NULL, s, strlen(s), "n.md", NULL),
                     0);
    ck_assert_uint_eq(grille_attrs_count(a), 1);
    grille_attrs_free(a);
}
END_TEST

START_TEST(front_matter_nulls_are_no_value)
{
    /* YAML's null is nothing, as an empty value is, on both paths: not a
     * group called "~" in compare --by; quoted, it is the text itself */
    const char *plain = "---\ntype: ~\nregion: null\nrole: NULL\n"
                        "date: Null\n---\nNotes";
    const char *yaml = "---\ntype: ~\nregion:\nville: '~'\n"
                       "liste: [Lyon, ~, null, Albi]\nvide: [~]\n---\n";
    for (int yo = 0; yo < 2; yo++) {
        grille__attrs_yaml_only = yo;
        grille_attrs *a = NULL;
        ck_assert_int_eq(grille_attrs_parse(&a, NULL, plain, strlen(plain),
                                            "n.md", NULL),
                         0);
        ck_assert_uint_eq(grille_attrs_count(a), 4);
        for (size_t i = 0; i < 4; i++)
            ck_assert_str_eq(grille_attrs_get(a, i)->value, "");
        grille_attrs_free(a);
    }
    grille__attrs_yaml_only = false;
    grille_attrs *a = NULL;
    ck_assert_int_eq(
        grille_attrs_parse(&a, NULL, yaml, strlen(yaml), "n.md", NULL), 0);
    ck_assert_str_eq(grille_attrs_find(a, "type"), "");
    ck_assert_str_eq(grille_attrs_find(a, "region"), "");
    ck_assert_str_eq(grille_attrs_find(a, "ville"), "~");
    ck_assert_str_eq(grille_attrs_find(a, "liste"), "Lyon, Albi");
    ck_assert_str_eq(grille_attrs_find(a, "vide"), "");
    grille_attrs_free(a);
}
END_TEST

START_TEST(front_matter_find_by_stored_key)
{
    /* the keys as a project stores them find the front matter's */
    const char *s = "---\nType: commune\nCollectivit\xc3\xa9: Albi\n"
                    "Vague: 2\n---\n";
    grille_attrs *a = NULL;
    ck_assert_int_eq(grille_attrs_parse(&a, NULL, s, strlen(s), "n.md", NULL),
                     0);
    ck_assert_str_eq(grille_attrs_find(a, "type"), "commune");
    ck_assert_str_eq(grille_attrs_find(a, "Type"), "commune");
    ck_assert_str_eq(grille_attrs_find(a, "collectivite"), "Albi");
    ck_assert_str_eq(grille_attrs_find(a, " Vague "), "2");
    ck_assert_ptr_null(grille_attrs_find(a, "vague")); /* not a report key */
    ck_assert_ptr_null(grille_attrs_find(a, "region"));
    ck_assert_ptr_null(grille_attrs_find(a, NULL));
    grille_attrs_free(a);
}
END_TEST

START_TEST(attr_value_composes_latin_letters)
{
    /* decomposed letters (a macOS file) stored as they are typed: the
     * accents of French, and the other Latin letters of two bytes */
    static const char *const cases[][2] = {
        {"cafe\xcc\x81", "caf\xc3\xa9"},       /* é */
        {"A\xcc\x8a", "\xc3\x85"},             /* Å */
        {"Dvor\xcc\x8c" "a\xcc\x81k", "Dvo\xc5\x99\xc3\xa1k"}, /* ř á */
        {"z\xcc\x8c", "\xc5\xbe"},             /* ž */
        {"H\xcc\x82", "\xc4\xa4"},             /* Ĥ */
        {"Y\xcc\x88", "\xc5\xb8"},             /* Ÿ */
        {"q\xcc\x81", "q\xcc\x81"},            /* no such letter */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *v = grille_attr_value(cases[i][0]);
        ck_assert_ptr_nonnull(v);
        ck_assert_msg(strcmp(v, cases[i][1]) == 0, "case %zu: %s", i, v);
        free(v);
    }
}
END_TEST

START_TEST(front_matter_errors)
{
    grille_attrs *a = NULL;
    size_t body;
    grille_error err = {0};
    const char *bad = "---\ntype: commune\nrole: [DGS\n---\nNotes\n";
    ck_assert_int_eq(grille_attrs_parse(&a, &body, bad, strlen(bad), "n.md",
                                        &err),
                     GRILLE_ESYNTAX);
    ck_assert_ptr_null(a);
    ck_assert_msg(strncmp(err.message, "n.md:", 5) == 0, "%s", err.message);
    ck_assert_uint_ge(err.line, 3);
    const char *list = "---\n- a\n- b\n---\n";
    ck_assert_int_eq(grille_attrs_parse(&a, &body, list, strlen(list), "n.md",
                                        &err),
                     GRILLE_ESYNTAX);
    ck_assert_msg(strstr(err.message, "n.md:2:1: ") == err.message, "%s",
                  err.message);
    const char *open = "---\ntype: commune\n";
    ck_assert_int_eq(grille_attrs_parse(&a, &body, open, strlen(open), "n.md",
                                        &err),
                     GRILLE_ESYNTAX);
    ck_assert_msg(strstr(err.message, "never closed") != NULL, "%s",
                  err.message);
}
END_TEST

START_TEST(front_matter_attributes_own_their_strings)
{
    /* keys and values are copies held by the list, whatever the path:
     * many of them, null values (stored shorter than they are written),
     * lines as short as they come, and a last line that only libyaml
     * reads (the plain path gives up after all the others) */
    enum { N = 300 };
    for (int variant = 0; variant < 3; variant++) {
        size_t cap = 64 + N * 40, n = 0;
        char *fm = malloc(cap);
        ck_assert_ptr_nonnull(fm);
        n += (size_t)snprintf(fm + n, cap - n, "---\n");
        for (int i = 0; i < N; i++)
            n += (size_t)snprintf(fm + n, cap - n,
                                  i % 7 == 3 ? "k%d: ~\n" : "k%d: v%d\n", i,
                                  i * 31);
        if (variant == 2)
            n += (size_t)snprintf(fm + n, cap - n, "last: 'quoted'\n");
        snprintf(fm + n, cap - n, "a: b\n---\nNotes\n");
        grille__attrs_yaml_only = variant == 1;
        grille_attrs *a = NULL;
        size_t body;
        ck_assert_int_eq(
            grille_attrs_parse(&a, &body, fm, strlen(fm), "n.md", NULL), 0);
        grille__attrs_yaml_only = false;
        ck_assert_str_eq(fm + body, "Notes\n");
        memset(fm, 'x', strlen(fm)); /* the list holds its own copies */
        free(fm);
        size_t want = N + 1 + (variant == 2);
        ck_assert_uint_eq(grille_attrs_count(a), want);
        for (int i = 0; i < N; i++) {
            char k[16], v[16];
            snprintf(k, sizeof(k), "k%d", i);
            snprintf(v, sizeof(v), "v%d", i * 31);
            const grille_attr *x = grille_attrs_get(a, (size_t)i);
            ck_assert_str_eq(x->key, k);
            ck_assert_str_eq(x->value, i % 7 == 3 ? "" : v);
            ck_assert_ptr_eq(grille_attrs_find(a, k), x->value);
        }
        if (variant == 2)
            ck_assert_str_eq(grille_attrs_find(a, "last"), "quoted");
        ck_assert_str_eq(grille_attrs_get(a, want - 1)->key, "a");
        ck_assert_str_eq(grille_attrs_get(a, want - 1)->value, "b");
        ck_assert_ptr_null(grille_attrs_get(a, want));
        grille_attrs_free(a);
    }
    grille_attrs_free(NULL);
}
END_TEST

START_TEST(front_matter_key_twice)
{
    /* the plain path leaves a key given twice to libyaml, which refuses
     * it, and nothing is returned; told to keep to the plain path, the
     * list is empty */
    const char *twice[] = {"---\ntype: commune\nrole: DGS\ntype: epci\n---\n",
                           "---\ntype: commune\nTYPE: epci\n---\n",
                           "---\ntype: commune\nrole: [DGS, DGA]\n"
                           "type: epci\n---\n"};
    for (size_t i = 0; i < sizeof(twice) / sizeof(twice[0]); i++) {
        for (int yo = 0; yo < 2; yo++) {
            grille__attrs_yaml_only = yo;
            grille_error err = {0};
            /* anything but NULL: the call must clear it */
            grille_attrs *a = (grille_attrs *)(void *)&err;
            ck_assert_int_eq(grille_attrs_parse(&a, NULL, twice[i],
                                                strlen(twice[i]), "n.md",
                                                &err),
                             GRILLE_ESYNTAX);
            grille__attrs_yaml_only = false;
            ck_assert_ptr_null(a);
            ck_assert_msg(strstr(err.message, "given twice") != NULL, "%s",
                          err.message);
        }
        grille__attrs_plain_only = true;
        grille_attrs *a = NULL;
        ck_assert_int_eq(grille_attrs_parse(&a, NULL, twice[i],
                                            strlen(twice[i]), "n.md", NULL),
                         0);
        grille__attrs_plain_only = false;
        ck_assert_ptr_nonnull(a);
        ck_assert_uint_eq(grille_attrs_count(a), 0);
        ck_assert_ptr_null(grille_attrs_get(a, 0));
        grille_attrs_free(a);
    }
}
END_TEST

/* Parses front matter fm with the switches given; a printable summary of
 * the result in out (rc, then key=value lines). */
static void attrs_summary(const char *fm, bool plain_only, bool yaml_only,
                          char *out, size_t cap)
{
    grille__attrs_plain_only = plain_only;
    grille__attrs_yaml_only = yaml_only;
    grille_attrs *a = NULL;
    size_t body;
    int rc = grille_attrs_parse(&a, &body, fm, strlen(fm), "n.md", NULL);
    grille__attrs_plain_only = grille__attrs_yaml_only = false;
    size_t n = (size_t)snprintf(out, cap, "rc=%d body=%zu\n", rc, body);
    for (size_t i = 0; i < grille_attrs_count(a) && n < cap; i++) {
        const grille_attr *x = grille_attrs_get(a, i);
        n += (size_t)snprintf(out + n, cap - n, "[%s]=[%s]\n", x->key,
                              x->value);
    }
    grille_attrs_free(a);
}

START_TEST(front_matter_plain_path_is_yaml)
{
    /* front matters of tricky lines: the plain path (no libyaml) gives
     * what libyaml gives, or leaves the front matter to it */
    static const char *const keys[] = {"type", "collectivite", "e-mail",
                                       "code_insee", "k2", "2k", "clé",
                                       "a b", "-x", "_x"};
    static const char *const values[] = {
        "commune", "Saint-Jean-de-Fos", "1650", "12 000", "2020-05-12",
        "Conseil d'administration", "l’accueil", "a  b", " lead", "trail ",
        "12:30", "a # b", "#c", "-d", "[a, b]", "{a: 1}", "'q'", "\"q\"",
        "*x", "&x", "!t", "%p", "@p", "`p", "|", ">", "?", ".5", "yes",
        "null", "~", "Null", "NULL", "nul", "'~'", "a:b", "a\tb", "x\xc2\x85y", "x\xe2\x80\xa8y",
        "x\xef\xbb\xbfy", "caf\xc3\xa9", "x\xc2\xa0y", "", "a,b",
        "Ville de Saint-Denis 1"};
    const size_t nk = sizeof(keys) / sizeof(keys[0]);
    const size_t nv = sizeof(values) / sizeof(values[0]);
    unsigned long x = 2020;
    size_t plain = 0, total = 0;
    for (int round = 0; round < 3000; round++) {
        char fm[1024], a[4096], b[4096], c[4096];
        size_t n = (size_t)snprintf(fm, sizeof(fm), "---\n");
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        size_t lines = 1 + (x >> 33) % 4;
        for (size_t l = 0; l < lines; l++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            const char *k = keys[(x >> 33) % nk];
            const char *v = values[(x >> 40) % nv];
            /* mostly simple keys and values, as in real notes */
            if ((x >> 20) % 3)
                k = keys[(x >> 25) % 5], v = values[(x >> 45) % 7];
            const char *sep = (x >> 50) % 17 == 0 ? ":  " : ": ";
            n += (size_t)snprintf(fm + n, sizeof(fm) - n, "%s%s%s%s", k, sep,
                                  v, (x >> 55) % 23 == 0 ? "\r\n" : "\n");
        }
        snprintf(fm + n, sizeof(fm) - n, "---\nNotes\n");
        attrs_summary(fm, false, true, a, sizeof(a));
        attrs_summary(fm, false, false, b, sizeof(b));
        attrs_summary(fm, true, false, c, sizeof(c));
        ck_assert_msg(strcmp(a, b) == 0, "front matter:\n%s\nlibyaml:\n%s\n"
                      "default:\n%s", fm, a, b);
        bool took = strchr(c, '[') != NULL;
        ck_assert_msg(!took || strcmp(a, c) == 0,
                      "front matter:\n%s\nlibyaml:\n%s\nplain:\n%s", fm, a,
                      c);
        plain += took;
        total++;
    }
    ck_assert_msg(plain * 4 > total, "the plain path took %zu of %zu", plain,
                  total);
}
END_TEST

/* ---------------------------------------------------------- segmentation */

START_TEST(paragraphs)
{
    run("Premier paragraphe\nsur deux lignes.\n\nDeuxième.\n \xc2\xa0\n"
        "Troisième\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Premier paragraphe\nsur deux lignes.");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 4, "Deuxième.");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 6, "Troisième");
}
END_TEST

START_TEST(bullets_of_every_kind)
{
    run("• télétravail\n- masques\n* élus\n– accueil\n— reprise\n"
        "▪ CCAS\n− ARS\n1. premier\n2) second\na) lettre\n(b) entre\n"
        "•collé\n");
    ck_assert_uint_eq(nseg, 12);
    seg_is(0, GRILLE_SEG_BULLET, 1, "télétravail");
    seg_is(1, GRILLE_SEG_BULLET, 2, "masques");
    seg_is(2, GRILLE_SEG_BULLET, 3, "élus");
    seg_is(3, GRILLE_SEG_BULLET, 4, "accueil");
    seg_is(4, GRILLE_SEG_BULLET, 5, "reprise");
    seg_is(5, GRILLE_SEG_BULLET, 6, "CCAS");
    seg_is(6, GRILLE_SEG_BULLET, 7, "ARS");
    seg_is(7, GRILLE_SEG_BULLET, 8, "premier");
    seg_is(8, GRILLE_SEG_BULLET, 9, "second");
    seg_is(9, GRILLE_SEG_BULLET, 10, "lettre");
    seg_is(10, GRILLE_SEG_BULLET, 11, "entre");
    seg_is(11, GRILLE_SEG_BULLET, 12, "collé");

    /* the marks and emoji of a phone or a chat, an arrow "=>", and "1/" */
    run("👉 Télétravail massif\n✅ masques reçus\n▶\xef\xb8\x8f reprise\n"
        "★ accueil\n=> la reprise\n1/ Télétravail\n1/3 des agents\n=>x\n");
    ck_assert_uint_eq(nseg, 7);
    seg_is(0, GRILLE_SEG_BULLET, 1, "Télétravail massif");
    seg_is(1, GRILLE_SEG_BULLET, 2, "masques reçus");
    seg_is(2, GRILLE_SEG_BULLET, 3, "reprise");
    seg_is(3, GRILLE_SEG_BULLET, 4, "accueil");
    seg_is(4, GRILLE_SEG_BULLET, 5, "la reprise");
    seg_is(5, GRILLE_SEG_BULLET, 6, "Télétravail");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 7, "1/3 des agents\n=>x");
}
END_TEST

/* An e-mail's quoted reply: its marks are no text, a quoted blank line
 * ends a paragraph, a quoted list is a list.  A table pasted with tabs:
 * each row a paragraph, but a bullet and a turn with a tab stay so. */
START_TEST(quoted_replies_and_tab_tables)
{
    run("> Le télétravail a bien marché\n> pour tous.\n>\n"
        "> > Le maire a réuni le conseil.\n> - les masques\n> - le gel\n\n"
        "Service\tRéouverture\nÉtat civil\t\t11 mai\n- Cantine\t2 juin\n"
        "Q :\tEt alors ?\n\nLe texte\n\tindenté\nfin\t\n");
    ck_assert_uint_eq(nseg, 9);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1,
           "Le télétravail a bien marché\n> pour tous.");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 4, "Le maire a réuni le conseil.");
    seg_is(2, GRILLE_SEG_BULLET, 5, "les masques");
    seg_is(3, GRILLE_SEG_BULLET, 6, "le gel");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 8, "Service\tRéouverture");
    seg_is(5, GRILLE_SEG_PARAGRAPH, 9, "État civil\t\t11 mai");
    seg_is(6, GRILLE_SEG_BULLET, 10, "Cantine\t2 juin");
    seg_is(7, GRILLE_SEG_TURN, 11, "Et alors ?");
    seg_is(8, GRILLE_SEG_PARAGRAPH, 13, "Le texte\n\tindenté\nfin");

    /* a quoted list's item goes on with a line indented within the quote */
    run("> - les masques\n>   reçus en mars\n> - le gel\n> suite\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_BULLET, 1, "les masques\n>   reçus en mars");
    seg_is(1, GRILLE_SEG_BULLET, 3, "le gel");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 4, "suite");
}
END_TEST

/* A Markdown table: each row a segment of its own, its rule none; a
 * line that only starts with a pipe is text. */
START_TEST(table_rows)
{
    run("Synthèse :\n\n| Thème | Constat |\n|---|:---:|\n"
        "| Télétravail | généralisé |\n| Santé | masques manquants |\n"
        "Après le tableau.\n\n| seul\n");
    ck_assert_uint_eq(nseg, 6);
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "| Thème | Constat |");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 5, "| Télétravail | généralisé |");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 6, "| Santé | masques manquants |");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 7, "Après le tableau.");
    seg_is(5, GRILLE_SEG_PARAGRAPH, 9, "| seul");
}
END_TEST

/* A Word list pasted as text: its Symbol and Wingdings bullets (code
 * points of the private use area), "o" and "§" with a tab for the lower
 * levels; "o" or "§" with a space is text. */
START_TEST(bullets_pasted_from_word)
{
    run("Constats :\n\xef\x82\xb7\tla santé\no\tle télétravail\n"
        "\xc2\xa7\tla reprise\n\xe2\x9d\x96 les élus\n\xef\x83\x98\tl'accueil\n"
        "\no les agents\n\xc2\xa7 3 du règlement\n");
    ck_assert_uint_eq(nseg, 7);
    seg_is(1, GRILLE_SEG_BULLET, 2, "la santé");
    seg_is(2, GRILLE_SEG_BULLET, 3, "le télétravail");
    seg_is(3, GRILLE_SEG_BULLET, 4, "la reprise");
    seg_is(4, GRILLE_SEG_BULLET, 5, "les élus");
    seg_is(5, GRILLE_SEG_BULLET, 6, "l'accueil");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 8, "o les agents\n§ 3 du règlement");
}
END_TEST

START_TEST(bullet_continuations)
{
    run("- masques arrivés tard,\n  distribués aux agents\n"
        "    - sous-point\n      suite du sous-point\n"
        "Ligne sans retrait\n-5 % de recettes\n**Gras** ici\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_BULLET, 1,
           "masques arrivés tard,\n  distribués aux agents");
    seg_is(1, GRILLE_SEG_BULLET, 3, "sous-point\n      suite du sous-point");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 5,
           "Ligne sans retrait\n-5 % de recettes\n**Gras** ici");
}
END_TEST

/* An outline's items are paragraphs of their own, their numbers kept,
 * which the lines after them continue (hard-wrapped text): "1.1", "2.3."
 * before a capital, "II.", "IV)", "a." to "h.", and "A." to "H.", "I."
 * before a word that starts sentences; a date, a time, a decimal, a page,
 * an initial, a transcript's "R." stay text; within a turn, the turn's. */
START_TEST(outline_items)
{
    run("1.1 Teletravail : 900 agents\n1.2. Sante : 3 cas, la mairie a\n"
        "fermé\n2.1.3 Elus\nII. Les constats\nIV) Reprise\nI. Les agents\n"
        "b. le CCAS\n\nTexte\nA. Dupont a dit\np. 12 du rapport\n1.5 %\n"
        "12.11 réunion\n9.30 Réunion\n2.5 millions\n1.a b\n0.5 ETP\n"
        "I. Dupont\nR. Nous avons\nm. Dupont\n\n"
        "Q : Deux points :\na. les masques ?\nb. le télétravail ?\n\n"
        "- Q : Deux points :\n  a. les masques ?\n- R : Oui.\n\n"
        "agents de catégorie\nC. Ils sont 40.\n\n"
        "Plan :\nA. Les agents\nsuite\nB. Les élus\n\n"
        "1.1 - Télétravail\n1.2 – Santé\nI - Contexte\nII - Suite\n"
        "1.3 - santé\nV-Y\n");
    ck_assert_uint_eq(nseg, 20);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "1.1 Teletravail : 900 agents");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2,
           "1.2. Sante : 3 cas, la mairie a\nfermé");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 4, "2.1.3 Elus");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 5, "II. Les constats");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 6, "IV) Reprise");
    seg_is(5, GRILLE_SEG_PARAGRAPH, 7, "I. Les agents");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 8, "b. le CCAS");
    seg_is(7, GRILLE_SEG_PARAGRAPH, 10,
           "Texte\nA. Dupont a dit\np. 12 du rapport\n1.5 %\n"
           "12.11 réunion\n9.30 Réunion\n2.5 millions\n1.a b\n0.5 ETP\n"
           "I. Dupont");
    /* a transcript's answer, before a word that starts sentences */
    seg_is(8, GRILLE_SEG_TURN, 20, "Nous avons\nm. Dupont");
    label_is(8, "R");
    seg_is(9, GRILLE_SEG_TURN, 23,
           "Deux points :\na. les masques ?\nb. le télétravail ?");
    label_is(9, "Q");
    /* within a list's turn too, indented */
    seg_is(10, GRILLE_SEG_TURN, 27, "Deux points :\n  a. les masques ?");
    label_is(10, "Q");
    seg_is(11, GRILLE_SEG_TURN, 29, "Oui.");
    /* a capital alone after a line that ended no statement: text */
    seg_is(12, GRILLE_SEG_PARAGRAPH, 31, "agents de catégorie\nC. Ils sont 40.");
    /* after one that did, or after another item */
    seg_is(13, GRILLE_SEG_PARAGRAPH, 34, "Plan :");
    seg_is(14, GRILLE_SEG_PARAGRAPH, 35, "A. Les agents\nsuite");
    seg_is(15, GRILLE_SEG_PARAGRAPH, 37, "B. Les élus");
    /* a dash between an item's number and its text */
    seg_is(16, GRILLE_SEG_PARAGRAPH, 39, "1.1 - Télétravail");
    seg_is(17, GRILLE_SEG_PARAGRAPH, 40, "1.2 – Santé");
    seg_is(18, GRILLE_SEG_PARAGRAPH, 41, "I - Contexte");
    seg_is(19, GRILLE_SEG_PARAGRAPH, 42, "II - Suite\n1.3 - santé\nV-Y");

    /* a capital's item before a topic's noun, as before a word that
     * starts sentences; small Roman numerals ("v." is voir's) */
    run("Plan :\nA. Contexte\nB. Enjeux et constats\nI. Synthèse\n"
        "i. les agents\nii. les élus\niv) la reprise\n"
        "v. annexe\nx. inconnu\nvi.x\nA. Dupont\n");
    ck_assert_uint_eq(nseg, 7);
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "A. Contexte");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 3, "B. Enjeux et constats");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 4, "I. Synthèse");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 5, "i. les agents");
    seg_is(5, GRILLE_SEG_PARAGRAPH, 6, "ii. les élus");
    /* and after an item, a capital before a name is an initial */
    seg_is(6, GRILLE_SEG_PARAGRAPH, 7,
           "iv) la reprise\nv. annexe\nx. inconnu\nvi.x\nA. Dupont");

    /* a theme's noun is a topic's, and once a capital's item was read,
     * the next letter is the next item whatever its word, paragraphs
     * later too; a label of capitals that starts with a topic's noun is
     * no speaker's */
    run("Synthèse.\nA. Télétravail : 600 agents.\nB. Gel hydroalcoolique : "
        "fabriqué.\nC. Santé : masques.\nparce que\nD. Ils sont 40\n\nTexte.\n\n"
        "E. Accueil : fermé.\n\nTELETRAVAIL : 900 AGENTS.\n\n"
        "RESSOURCES HUMAINES : 12 arrêts.\n\nJ. Dupont : oui.\n\n"
        "I. Les constats\n\nJ. Martin : non.\n\nF. Durand : oui.\n");
    ck_assert_uint_eq(nseg, 13);
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "A. Télétravail : 600 agents.");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 3, "B. Gel hydroalcoolique : fabriqué.");
    /* "B. Santé :" is a topic's, where "B. Durand :" is a name */
    seg_is(3, GRILLE_SEG_PARAGRAPH, 4, "C. Santé : masques.\nparce que");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 6, "D. Ils sont 40");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 10, "E. Accueil : fermé.");
    seg_is(7, GRILLE_SEG_PARAGRAPH, 12, "TELETRAVAIL : 900 AGENTS.");
    seg_is(8, GRILLE_SEG_PARAGRAPH, 14, "RESSOURCES HUMAINES : 12 arrêts.");
    /* a Roman I. is no letter whose next is J., and a name after the
     * next letter is a speaker's (F. Durand after E.) */
    seg_is(11, GRILLE_SEG_TURN, 20, "non.");
    label_is(11, "J. Martin");
    seg_is(12, GRILLE_SEG_TURN, 22, "oui.");
    label_is(12, "F. Durand");
    seg_is(9, GRILLE_SEG_TURN, 16, "oui.");
    /* after a line that ended no statement, the next letter is text */
    run("A. Contexte\n\nLes agents de catégorie\nB. Ils sont 40.\n");
    ck_assert_uint_eq(nseg, 2);
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3,
           "Les agents de catégorie\nB. Ils sont 40.");

    /* the next letter on the line after an item's, with no blank line
     * between, is the next item even where its word could be a name's;
     * after a blank line, "B. Durand :" is a speaker's */
    run("A. Masques : commandés.\nB. Gel : livré.\nC. Durand : reçu.\n\n"
        "A. Masques : 40.\n\nB. Durand : oui.\n");
    ck_assert_uint_eq(nseg, 5);
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "B. Gel : livré.");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 3, "C. Durand : reçu.");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 5, "A. Masques : 40.");
    seg_is(4, GRILLE_SEG_TURN, 7, "oui.");
    label_is(4, "B. Durand");
}
END_TEST

/* A transcript's Q. and R. (or Q - and R -): a question's turn when its
 * line ends with "?" or follows an answer's turn, an answer's after a
 * question's; "R. Martin" alone is an initial.  An e-mail's "À :" is no
 * speaker's. */
START_TEST(transcript_letters)
{
    run("Q. Et les élus ?\nR. Le maire était là.\nsuite de la réponse\n\n"
        "Q. Et la santé ?\n\nR. Les masques.\nQ - Et la reprise ?\n"
        "R \xe2\x80\x93 En juin.\nQ. Et après\nR. Rien.\n\nTexte.\n"
        "R. Martin a dit non.\n");
    ck_assert_uint_eq(nseg, 9);
    seg_is(0, GRILLE_SEG_TURN, 1, "Et les élus ?");
    label_is(0, "Q");
    seg_is(1, GRILLE_SEG_TURN, 2, "Le maire était là.\nsuite de la réponse");
    label_is(1, "R");
    seg_is(3, GRILLE_SEG_TURN, 7, "Les masques.");
    seg_is(4, GRILLE_SEG_TURN, 8, "Et la reprise ?");
    seg_is(5, GRILLE_SEG_TURN, 9, "En juin.");
    label_is(5, "R");
    /* after an answer, a question needs no "?" */
    seg_is(6, GRILLE_SEG_TURN, 10, "Et après");
    seg_is(7, GRILLE_SEG_TURN, 11, "Rien.");
    seg_is(8, GRILLE_SEG_PARAGRAPH, 13, "Texte.\nR. Martin a dit non.");

    run("De : Paul Martin\n\xc3\x80 : Sylvie Roche\n\nA : oui.\n"
        "R. Dupont est venu.\n");
    ck_assert_uint_eq(nseg, 2);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "De : Paul Martin\n\xc3\x80 : Sylvie Roche");
    seg_is(1, GRILLE_SEG_TURN, 4, "oui.\nR. Dupont est venu.");
    label_is(1, "A");
}
END_TEST

/* A rule, a table's border or a page's number ends a paragraph, as a
 * blank line does, and is no segment: a segment without a word would
 * count in every share. */
START_TEST(separators)
{
    run("Le maire.\n---\nLa santé.\n\n* * *\n\n- 12 -\n\n+------+-----+\n"
        "____\n\xe2\x80\x94 3 \xe2\x80\x94\n\xe2\x95\x90\xe2\x95\x90"
        "\xe2\x95\x90\nLes élus.\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Le maire.");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "La santé.");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 13, "Les élus.");
    /* but a bullet, a number, a minus sign, two dashes, a dash and two
     * numbers, and dots stay text */
    run("- 12 agents\n\n-- 12\n\n-10 %\n\n--\n\n\xe2\x80\x93 3 \xe2\x80\x93 4\n\n"
        "...\n\n-- 12 --\n");
    ck_assert_uint_eq(nseg, 7);
    seg_is(0, GRILLE_SEG_BULLET, 1, "12 agents");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "-- 12");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 13, "-- 12 --");
}
END_TEST

/* A turn written as a list's item, when its label is the interviewer's
 * or the answer's (Q, R, Question, Réponse); a topic before a colon
 * ("- CCAS : 430 agents", "- DGS : …", "- A : 120 agents"), who attended
 * ("- Mme Durand : DGS") or a header's field ("- Enquêtrice : …") is a
 * bullet's text. */
START_TEST(turns_as_list_items)
{
    run("- Q : Et la reprise ?\n- DGS : arrivés fin mars.\n"
        "* Mme Durand : la santé\n1. R : le télétravail\n"
        "- **Q** : la reprise ?\n- CCAS : 430 agents\n"
        "• Enquêtrice : Claire Besson\n- Question : les élus ?\n"
        "  suite de la question\n- A : 120 agents\n"
        "- [00:12:40] RÉPONSE : oui\n"
        "- Q : Et les masques ?\nOn en a reçu 500.\n");
    ck_assert_uint_eq(nseg, 12);
    seg_is(0, GRILLE_SEG_TURN, 1, "Et la reprise ?");
    label_is(0, "Q");
    seg_is(1, GRILLE_SEG_BULLET, 2, "DGS : arrivés fin mars.");
    seg_is(2, GRILLE_SEG_BULLET, 3, "Mme Durand : la santé");
    seg_is(3, GRILLE_SEG_TURN, 4, "le télétravail");
    label_is(3, "R");
    seg_is(4, GRILLE_SEG_TURN, 5, "la reprise ?");
    label_is(4, "Q");
    seg_is(5, GRILLE_SEG_BULLET, 6, "CCAS : 430 agents");
    seg_is(6, GRILLE_SEG_BULLET, 7, "Enquêtrice : Claire Besson");
    seg_is(7, GRILLE_SEG_TURN, 8, "les élus ?\n  suite de la question");
    label_is(7, "Question");
    seg_is(8, GRILLE_SEG_BULLET, 10, "A : 120 agents");
    seg_is(9, GRILLE_SEG_TURN, 11, "oui");
    label_is(9, "RÉPONSE");
    /* the answer on the next line, not indented, is not the question's */
    seg_is(10, GRILLE_SEG_TURN, 12, "Et les masques ?");
    seg_is(11, GRILLE_SEG_PARAGRAPH, 13, "On en a reçu 500.");

    /* but a question hard-wrapped there goes on: its line ended no
     * statement, and the next starts with a small letter */
    run("- Q : Et les masques, vous en avez reçu combien depuis le début\n"
        "de la crise, à peu près, et pour les agents du CCAS aussi,\net quand ?\n"
        "On en a reçu 500.\n- R : Oui, et pour le reste on verra bien plus tard avec eux,\n"
        "et le télétravail\n- Q : la reprise :\nen juin.\n");
    ck_assert_uint_eq(nseg, 5);
    seg_is(0, GRILLE_SEG_TURN, 1,
           "Et les masques, vous en avez reçu combien depuis le début\n"
           "de la crise, à peu près, et pour les agents du CCAS aussi,\n"
           "et quand ?");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 4, "On en a reçu 500.");
    seg_is(2, GRILLE_SEG_TURN, 5,
           "Oui, et pour le reste on verra bien plus tard avec eux,\n"
           "et le télétravail");
    label_is(2, "R");
    seg_is(3, GRILLE_SEG_TURN, 7, "la reprise :");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 8, "en juin.");

    /* a plain bullet hard-wrapped goes on the same way; after a short
     * item, or one that ends with a mark, the next line is a paragraph */
    run("- le plan de continuité a été revu en comité de direction avec\n"
        "les élus et la DGS\n- masques\nles élus ont décidé\n"
        "- le plan de continuité a été revu en comité de direction.\n"
        "les élus ont suivi\n");
    ck_assert_uint_eq(nseg, 5);
    seg_is(0, GRILLE_SEG_BULLET, 1,
           "le plan de continuité a été revu en comité de direction avec\n"
           "les élus et la DGS");
    seg_is(1, GRILLE_SEG_BULLET, 3, "masques");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 4, "les élus ont décidé");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 6, "les élus ont suivi");
    /* a line that ends with an elision goes on too; a Word list's lower
     * level pasted with spaces does not */
    run("- le comité de direction a validé le plan de continuité d’\n"
        "activité avec les élus\n"
        "- le comité de direction a validé le plan de travail et puis\n"
        "o   livraison des masques\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_BULLET, 1,
           "le comité de direction a validé le plan de continuité d’\n"
           "activité avec les élus");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 4, "o   livraison des masques");

    /* an answer after a short question, or after one that ends with a
     * mark (an annotation, a quote, an ellipsis, a no-break space), is
     * not the question's */
    run("- Q : Et le télétravail, ça a marché, pour les agents ? [rires]\n"
        "bah oui, le télétravail a tenu.\n"
        "- Q : Vous disiez que vous aviez parlé de “télétravail”\n"
        "non, on disait travail à distance.\n"
        "- Q : Et les masques, comment avez-vous fait à la mairie…\n"
        "bon, on en a eu peu.\n"
        "- Q : Et les masques, comment avez-vous fait à la mairie ?\xc2\xa0\n"
        "bon, on en a eu peu.\n"
        "- Q : Et les masques\non en a reçu 500 fin mars.\n");
    ck_assert_uint_eq(nseg, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_int_eq(segs[i].kind, i % 2 ? GRILLE_SEG_PARAGRAPH
                                             : GRILLE_SEG_TURN);
}
END_TEST

START_TEST(speaker_turns)
{
    run("Q : Comment avez-vous organisé l’accueil ?\n"
        "R : On a fermé les guichets\nle 16 mars.\n"
        "DGS\xc2\xa0: les élus ont suivi.\n"
        "Mme Lefèvre : euh, les masques…\n"
        "PB: d’accord.\n"
        "[00:12:40] Enquêtrice : et ensuite ?\n"
        "Jean-Marc Dupuis : la reprise.\n");
    ck_assert_uint_eq(nseg, 7);
    seg_is(0, GRILLE_SEG_TURN, 1, "Comment avez-vous organisé l’accueil ?");
    label_is(0, "Q");
    seg_is(1, GRILLE_SEG_TURN, 2, "On a fermé les guichets\nle 16 mars.");
    label_is(1, "R");
    seg_is(2, GRILLE_SEG_TURN, 4, "les élus ont suivi.");
    label_is(2, "DGS");
    seg_is(3, GRILLE_SEG_TURN, 5, "euh, les masques…");
    label_is(3, "Mme Lefèvre");
    seg_is(4, GRILLE_SEG_TURN, 6, "d’accord.");
    label_is(4, "PB");
    seg_is(5, GRILLE_SEG_TURN, 7, "et ensuite ?");
    label_is(5, "Enquêtrice");
    seg_is(6, GRILLE_SEG_TURN, 8, "la reprise.");
    label_is(6, "Jean-Marc Dupuis");

    /* the role words and civilities with decomposed accents (a macOS
     * file): "Enquêtrice", "Réponse", "Maître Durand" */
    run("Enque\xcc\x82trice : et ensuite ?\n"
        "Re\xcc\x81ponse : on verra.\n"
        "Mai\xcc\x82tre Durand : bien.\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_TURN, 1, "et ensuite ?");
    label_is(0, "Enque\xcc\x82trice");
    seg_is(1, GRILLE_SEG_TURN, 2, "on verra.");
    label_is(1, "Re\xcc\x81ponse");
    seg_is(2, GRILLE_SEG_TURN, 3, "bien.");

    /* a role in brackets after the name, and labels in Markdown bold */
    run("Mme Roux (DRH) : Difficile au début.\n"
        "Intervieweur (I) : Et ensuite ?\n"
        "**Q :** Et les masques ?\n"
        "**R** : Oui, reçus.\n"
        "Réunion (ARS) : un point.\n\n"
        "**Note** : rien\n");
    ck_assert_uint_eq(nseg, 5);
    seg_is(0, GRILLE_SEG_TURN, 1, "Difficile au début.");
    label_is(0, "Mme Roux (DRH)");
    seg_is(1, GRILLE_SEG_TURN, 2, "Et ensuite ?");
    label_is(1, "Intervieweur (I)");
    seg_is(2, GRILLE_SEG_TURN, 3, "Et les masques ?");
    label_is(2, "Q");
    seg_is(3, GRILLE_SEG_TURN, 4, "Oui, reçus.\nRéunion (ARS) : un point.");
    label_is(3, "R");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 7, "**Note** : rien");

    /* the interviewee's role words, and the role words in capitals, long
     * ones (past the 12 bytes of an acronym label) included */
    run("ENQUÊTRICE : et la santé ?\n"
        "Enquêtée : les masques.\n"
        "INTERVIEWEUSE : et après ?\n"
        "ENQUE\xcc\x82" "TE\xcc\x81" "E : la reprise.\n"
        "Locuteur 2 : oui.\n"
        "DE\xcc\x81" "LE\xcc\x81" "GUE\xcc\x81" "E : non.\n");
    ck_assert_uint_eq(nseg, 6);
    /* the 12 bytes of a label in capitals, counted composed */
    label_is(5, "DE\xcc\x81" "LE\xcc\x81" "GUE\xcc\x81" "E");
    label_is(0, "ENQUÊTRICE");
    label_is(1, "Enquêtée");
    label_is(2, "INTERVIEWEUSE");
    label_is(3, "ENQUE\xcc\x82" "TE\xcc\x81" "E");
    label_is(4, "Locuteur 2");
    for (size_t i = 0; i < 6; i++)
        ck_assert_int_eq(segs[i].kind, GRILLE_SEG_TURN);

    /* a title with its small words, a name after an elision, a role
     * after a comma */
    run("M. le Maire : On a commandé des masques.\n"
        "Mme la Présidente : oui.\n"
        "M. de La Tour : bien.\n"
        "Jean-Marc d’Arcy : non.\n"
        "Mme Durand, DGS : la santé.\n"
        "M. Dupont, DGA : les élus.\n"
        "Claire Besson, DRH ARS : enfin.\n");
    ck_assert_uint_eq(nseg, 7);
    label_is(0, "M. le Maire");
    seg_is(0, GRILLE_SEG_TURN, 1, "On a commandé des masques.");
    label_is(1, "Mme la Présidente");
    label_is(2, "M. de La Tour");
    label_is(3, "Jean-Marc d’Arcy");
    label_is(4, "Mme Durand, DGS");
    seg_is(4, GRILLE_SEG_TURN, 5, "la santé.");
    label_is(5, "M. Dupont, DGA");
    label_is(6, "Claire Besson, DRH ARS");

    /* the timestamps of transcription tools, and their role words typed
     * without accents, and "Speaker 2" */
    run("(00:03:15) R : La santé.\n"
        "00:03:20 - Q : Les élus ?\n"
        "[00:12:31] \xe2\x80\x93 Enqueteur : la reprise ?\n"
        "{00:12:40} Reponse : oui.\n"
        "Elu 2 : non.\n"
        "Speaker 2: plus tard.\n"
        "(2020) R : rien\n");
    ck_assert_uint_eq(nseg, 6);
    label_is(0, "R");
    seg_is(0, GRILLE_SEG_TURN, 1, "La santé.");
    label_is(1, "Q");
    seg_is(1, GRILLE_SEG_TURN, 2, "Les élus ?");
    label_is(2, "Enqueteur");
    label_is(3, "Reponse");
    label_is(4, "Elu 2");
    label_is(5, "Speaker 2");
    /* "(2020)" is no time: the line goes on the turn before */
    seg_is(5, GRILLE_SEG_TURN, 6, "plus tard.\n(2020) R : rien");

    /* Markdown's emphasis around the label, a role after a comma or in
     * brackets; a bullet and a word in italics are none */
    run("**Mme Durand, DGS** : La santé.\n"
        "**Mme Roux** (DRH) : Les élus.\n"
        "__Mme Roux__ : La reprise.\n"
        "*Q* : et ?\n"
        "_R_ : oui\n"
        "* élus\n"
        "*important* : non\n");
    ck_assert_uint_eq(nseg, 7);
    label_is(0, "Mme Durand, DGS");
    seg_is(0, GRILLE_SEG_TURN, 1, "La santé.");
    label_is(1, "Mme Roux");
    seg_is(1, GRILLE_SEG_TURN, 2, "Les élus.");
    label_is(2, "Mme Roux");
    label_is(3, "Q");
    label_is(4, "R");
    seg_is(5, GRILLE_SEG_BULLET, 6, "élus");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 7, "*important* : non");
}
END_TEST

/* Runs text, which must be n segments, every one a speaker turn. */
static void turns_only(const char *text, size_t n)
{
    run(text);
    ck_assert_uint_eq(nseg, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(segs[i].kind, GRILLE_SEG_TURN);
}

START_TEST(not_turns)
{
    /* A capitalised word and a colon is a heading-like line, not a
     * speaker; a time is not a label either. */
    run("Objectif : rouvrir en juin\n\n10:30 réunion avec l’ARS\n\n"
        "Points clés : télétravail\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Objectif : rouvrir en juin");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "10:30 réunion avec l’ARS");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 5, "Points clés : télétravail");

    /* an agenda's lines: a time to the minute, a dash, then what (a
     * transcript's times are to the second) */
    run("09:30 - ARS : réunion de crise.\n\n14:00 – DGS : point budget\n\n"
        "(10:30) DGS : le point.\n\n[2020] - DGS : bilan.\n\n"
        "Enquete : menée auprès des DGS\n");
    ck_assert_uint_eq(nseg, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(segs[i].kind, GRILLE_SEG_PARAGRAPH);

    /* a comma before the colon makes a role only after a name: a
     * sentence that ends with a colon stays a sentence; small words
     * without a title make no name */
    run("Selon Mme Durand, les priorités :\n\n"
        "Pour Jean Dupont, DGS : rien.\n\n"
        "Objectif, priorité : rouvrir.\n\n"
        "Point de la situation : calme.\n\n"
        "En Bretagne, deux constats :\n\n"
        "Madame la Présidente, quelques questions :\n\n"
        "M. Dupont, maire : non.\n");
    ck_assert_uint_eq(nseg, 7);
    for (size_t i = 0; i < 7; i++)
        ck_assert_int_eq(segs[i].kind, GRILLE_SEG_PARAGRAPH);

    /* the heading of a field in a note's header, not a speaker */
    run("Interlocutrice : Mme Gaëlle Le Goff, DGA\n\n"
        "Intervenant : M. Paul Roux, DGS\n");
    ck_assert_uint_eq(nseg, 2);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1,
           "Interlocutrice : Mme Gaëlle Le Goff, DGA");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "Intervenant : M. Paul Roux, DGS");

    /* the roles of the people interviewed, alone: a speaker's on the
     * line right after a turn (the mayor's answer under a question was
     * read as a line of the question's turn), not before a civility;
     * elsewhere, or as a list's item, a note's field or line */
    run("Q : Et les masques ?\nMaire : on a distribué 2000 masques.\n"
        "Enquêtrice : et les écoles ?\nDirectrice : rouvertes.\n"
        "Q : qui décide ?\nMaire : M. Dupont, avec le DGS.\n\n"
        "Directrice : oui.\n\nElue : le conseil.\n\n"
        "Maire : Jean Dupont\nResponsable : service RH\n\n"
        "Le maire : très présent.\n\n- Maire : présent\n");
    ck_assert_uint_eq(nseg, 10);
    label_is(0, "Q");
    seg_is(1, GRILLE_SEG_TURN, 2, "on a distribué 2000 masques.");
    label_is(1, "Maire");
    label_is(2, "Enquêtrice");
    label_is(3, "Directrice");
    /* a civility after it: a line of the question's turn */
    seg_is(4, GRILLE_SEG_TURN, 5,
           "qui décide ?\nMaire : M. Dupont, avec le DGS.");
    seg_is(5, GRILLE_SEG_PARAGRAPH, 8, "Directrice : oui.");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 10, "Elue : le conseil.");
    seg_is(7, GRILLE_SEG_PARAGRAPH, 12,
           "Maire : Jean Dupont\nResponsable : service RH");
    seg_is(8, GRILLE_SEG_PARAGRAPH, 15, "Le maire : très présent.");
    seg_is(9, GRILLE_SEG_BULLET, 17, "Maire : présent");

    /* with a number, the same words are a speaker's */
    run("Participant 3 : oui.\n\nIntervenante 1 : non.\n\n"
        "Élu 2 : le conseil.\n\nParticipant 1234 : non.\n");
    ck_assert_uint_eq(nseg, 4);
    seg_is(0, GRILLE_SEG_TURN, 1, "oui.");
    label_is(0, "Participant 3");
    seg_is(1, GRILLE_SEG_TURN, 3, "non.");
    label_is(1, "Intervenante 1");
    seg_is(2, GRILLE_SEG_TURN, 5, "le conseil.");
    label_is(2, "Élu 2");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 7, "Participant 1234 : non.");

    /* in capitals too, and with a decomposed accent (macOS) */
    turns_only("PARTICIPANT 3 : oui.\n\n\xc3\x89LU 2 : non.\n\n"
               "E\xcc\x81lu 2 : le conseil.\n",
               3);
    label_is(1, "\xc3\x89LU 2");

    /* names and roles in capitals, of any length a name may have */
    turns_only("MARIE-CLAIRE DURAND : bien.\n\nSOPHIE DURAND, DGS : oui.\n\n"
               "DGA RESSOURCES : non.\n\nJean DUPONT : oui.\n",
               4);
    label_is(0, "MARIE-CLAIRE DURAND");

    /* a topic written as a name or an acronym is: its words are coded */
    run("Réunion ARS : point masques.\n\nPlan Blanc : déclenché.\n\n"
        "BILAN : positif.\n\nPOINT ARS : hebdomadaire.\n\n"
        "Reunion Prefecture : lundi.\n\nMasques FFP2 : reçus.\n\n"
        "Prochaine Réunion : jeudi.\n");
    ck_assert_uint_eq(nseg, 7);
    for (size_t i = 0; i < 7; i++)
        ck_assert_int_eq(segs[i].kind, GRILLE_SEG_PARAGRAPH);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Réunion ARS : point masques.");

    /* each a paragraph of its own, as a turn would be: a list of topics
     * is no one segment whose themes all co-occur */
    run("Réunion ARS : masques.\nPoint RH : télétravail.\n"
        "Masque FFP2 : reçus.\nI. CONTEXTE\nsuite\n");
    ck_assert_uint_eq(nseg, 4);
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "Point RH : télétravail.");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 3, "Masque FFP2 : reçus.");
    /* an item in capitals after a topic's line */
    seg_is(3, GRILLE_SEG_PARAGRAPH, 4, "I. CONTEXTE\nsuite");
    /* topics' nouns in the plural */
    run("Dispositifs Mis : aide alimentaire.\nVisites Prévues : EHPAD.\n");
    ck_assert_uint_eq(nseg, 2);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Dispositifs Mis : aide alimentaire.");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "Visites Prévues : EHPAD.");

    /* an acronym that heads a topic (an agency, a plan, equipment) is
     * a paragraph of its own, its acronym coded; the roles' acronyms
     * and initials stay speakers */
    run("ARS : point hebdo.\nPCA : activ\xc3\xa9.\n**EHPAD** : 2 cas.\n"
        "DGS : bien.\nPB: oui.\n");
    ck_assert_uint_eq(nseg, 5);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "ARS : point hebdo.");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "PCA : activ\xc3\xa9.");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 3, "**EHPAD** : 2 cas.");
    seg_is(3, GRILLE_SEG_TURN, 4, "bien.");
    label_is(3, "DGS");
    seg_is(4, GRILLE_SEG_TURN, 5, "oui.");
    label_is(4, "PB");
    /* and so does one before its place's name; a role at an agency is a
     * speaker */
    run("ARS Bretagne : pas de retour.\nEHPAD Les Lilas : 2 cas.\n"
        "DGA ARS : oui.\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "ARS Bretagne : pas de retour.");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "EHPAD Les Lilas : 2 cas.");
    seg_is(2, GRILLE_SEG_TURN, 3, "oui.");
    label_is(2, "DGA ARS");

    /* names, roles and acronyms around them stay speakers, and so does
     * a civility before a word of the list (Mme Point) */
    turns_only("Jean Point : oui.\n\nMme Point : non.\n\nDGS : bien.\n\n"
               "Conseil Dupont, DGS : non.\n",
               4);
    label_is(1, "Mme Point");
}
END_TEST

START_TEST(headings_and_turn_on_next_line)
{
    run("## Organisation du travail\nLe PCA a été activé.\n\nQ :\n"
        "Et les élus ?\n");
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_HEADING, 1, "Organisation du travail");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 2, "Le PCA a été activé.");
    seg_is(2, GRILLE_SEG_TURN, 5, "Et les élus ?");
    label_is(2, "Q");

    /* Markdown's closing run of #, after a space, is no part of the
     * heading; a # inside a word is ("C#") */
    run("# Santé #\n\n## Reprise ##  \r\n\n### C# et F#\n\n# ##\n\nfin\n");
    ck_assert_uint_eq(nseg, 4);
    seg_is(0, GRILLE_SEG_HEADING, 1, "Santé");
    seg_is(1, GRILLE_SEG_HEADING, 3, "Reprise");
    seg_is(2, GRILLE_SEG_HEADING, 5, "C# et F#");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 9, "fin");
}
END_TEST

START_TEST(line_ends)
{
    /* CRLF, a lone CR and a form feed are all line ends. */
    run("a\r\n\r\nb\rc\r\rd\n\fe\n");
    ck_assert_uint_eq(nseg, 4);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "a");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "b\rc");
    seg_is(2, GRILLE_SEG_PARAGRAPH, 6, "d");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 7, "e");

    /* A form feed ends the paragraph where it stands: before a page's
     * first line (pdftotext), the turn that starts there goes on to its
     * next line; after a line's text, that line ends its paragraph;
     * inside it, the line is a paragraph of its own. */
    run("R : Oui.\n\fQ : Et pour les agents,\npour les masques ?\nR : Rien.\n\n"
        "Fin de\npage\f\nDébut\nsuite\n\nun\ndeux\ftrois\nquatre\n");
    ck_assert_uint_eq(nseg, 8);
    seg_is(0, GRILLE_SEG_TURN, 1, "Oui.");
    seg_is(1, GRILLE_SEG_TURN, 2, "Et pour les agents,\npour les masques ?");
    label_is(1, "Q");
    seg_is(2, GRILLE_SEG_TURN, 4, "Rien.");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 6, "Fin de\npage");
    seg_is(4, GRILLE_SEG_PARAGRAPH, 8, "Début\nsuite");
    seg_is(5, GRILLE_SEG_PARAGRAPH, 11, "un");
    seg_is(6, GRILLE_SEG_PARAGRAPH, 12, "deux\ftrois");
    seg_is(7, GRILLE_SEG_PARAGRAPH, 13, "quatre");
}
END_TEST

START_TEST(body_after_front_matter)
{
    const char *s = "---\ntype: ccas\n---\n\n- aide alimentaire\n";
    grille_error err = {0};
    cur = s;
    ck_assert_int_eq(grille_analyser_run(an, s, strlen(s), 19,
                                         GRILLE_UNIT_PARAGRAPH, NULL, "t",
                                         &err),
                     0);
    nseg = grille_analyser_segments(an, &segs);
    ck_assert_uint_eq(nseg, 1);
    seg_is(0, GRILLE_SEG_BULLET, 5, "aide alimentaire");
    ck_assert_uint_eq(segs[0].start, 22);
}
END_TEST

START_TEST(sentences)
{
    run_unit("M. Dupont est arrivé en mars. Il a dit : « on rouvre ». "
             "Puis 3 agents sont partis ! J. Martin reste…\n\n- Puce. Deux.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 6);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "M. Dupont est arrivé en mars.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Il a dit : « on rouvre ».");
    seg_is(2, GRILLE_SEG_SENTENCE, 1, "Puis 3 agents sont partis !");
    seg_is(3, GRILLE_SEG_SENTENCE, 1, "J. Martin reste…");
    seg_is(4, GRILLE_SEG_BULLET, 3, "Puce.");
    seg_is(5, GRILLE_SEG_SENTENCE, 3, "Deux.");
}
END_TEST

/* Abbreviations whatever their case; a French closing quote after its
 * space stays with its sentence. */
START_TEST(sentences_abbreviations_quotes)
{
    run_unit("Env. 30 agents. Ex. La DSI. Il dit : « c'est bien. » Et "
             "ensuite ?\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 4);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Env. 30 agents.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Ex. La DSI.");
    seg_is(2, GRILLE_SEG_SENTENCE, 1, "Il dit : « c'est bien. »");
    seg_is(3, GRILLE_SEG_SENTENCE, 1, "Et ensuite ?");

    /* plural titles (as titles are written: 30 mm. is a length) and a
     * reference */
    run_unit("Avec MM. Dupont et Martin. Avec Mmes. Roux et Blanc. Réf. 12 "
             "du dossier. Fin.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 4);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Avec MM. Dupont et Martin.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Avec Mmes. Roux et Blanc.");
    seg_is(2, GRILLE_SEG_SENTENCE, 1, "Réf. 12 du dossier.");
    seg_is(3, GRILLE_SEG_SENTENCE, 1, "Fin.");
    run_unit("Il est tombé 30 mm. Les routes sont coupées.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 2);

    /* "etc." ends its sentence before a capital only; a single capital
     * is an initial before a name ("M. Le Goff"), a category before a
     * word that starts sentences */
    run_unit("Masques, gel, etc. Ensuite la reprise. Du gel, etc. sont "
             "arrivés. Agents de catégorie C. Ils sont 40. J. Dupont et "
             "M. Le Goff. Niveau B. C’est tout. Plan A. Qu'en dire ?\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 10);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Masques, gel, etc.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Ensuite la reprise.");
    seg_is(2, GRILLE_SEG_SENTENCE, 1, "Du gel, etc. sont arrivés.");
    seg_is(3, GRILLE_SEG_SENTENCE, 1, "Agents de catégorie C.");
    seg_is(4, GRILLE_SEG_SENTENCE, 1, "Ils sont 40.");
    seg_is(5, GRILLE_SEG_SENTENCE, 1, "J. Dupont et M. Le Goff.");
    seg_is(6, GRILLE_SEG_SENTENCE, 1, "Niveau B.");
    seg_is(7, GRILLE_SEG_SENTENCE, 1, "C’est tout.");
    seg_is(8, GRILLE_SEG_SENTENCE, 1, "Plan A.");
    seg_is(9, GRILLE_SEG_SENTENCE, 1, "Qu'en dire ?");
    /* an outline's letter starts its sentence; Des names (J. Des
     * Rosiers) */
    run_unit("## I. Les constats\n\n- B. Les agents. Vu par J. Des "
             "Rosiers.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_HEADING, 1, "I. Les constats");
    seg_is(1, GRILLE_SEG_BULLET, 3, "B. Les agents.");
    seg_is(2, GRILLE_SEG_SENTENCE, 3, "Vu par J. Des Rosiers.");

    /* a month cut short after a day; "sept" after no day is the number */
    run_unit("Le 3 janv. 2020 ça repart. Nous étions sept. Le 1er\xc2\xa0"
             "déc. 2020 fin.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Le 3 janv. 2020 ça repart.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Nous étions sept.");
    seg_is(2, GRILLE_SEG_SENTENCE, 1,
           "Le 1er\xc2\xa0" "déc. 2020 fin.");
    run_unit("Le 3 DÉC. 2020 fin. Le 2 juill. 2020 et le 4 fév. 2021.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 2);

    /* an accented initial, c.-à-d. and i.e., a bracket that goes on in
     * small letters, an outline's number before a heading's words */
    run_unit("Notes de É. Marchal ce jour. Voir c.-à-d. Le maire. Ex : i.e. "
             "La mairie. Moi… (rire) je dors mal. (Rire) Oui.\n\n"
             "## 2.1. Le choc du confinement\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 6);
    /* but a number ends a sentence out of a heading, and a bracket
     * before a capital starts one */
    run_unit("Réponse : 150. Et le reste ? Je ne sais pas. (inaudible) "
             "Ensuite on a fermé.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 4);
    seg_is(0, GRILLE_SEG_TURN, 1, "150.");
    seg_is(3, GRILLE_SEG_SENTENCE, 1, "(inaudible) Ensuite on a fermé.");
    /* a title numbered in plain text; a capital after the bracket on the
     * next line, after a no-break space, a quote after it */
    run_unit("2.1. Le choc du confinement\n\nPas. (inaudible)\nEnsuite. Non. "
             "(hésite)\xc2\xa0Oui. Bon. (il hésite) « Oui ».\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 7);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "2.1. Le choc du confinement");
    seg_is(2, GRILLE_SEG_SENTENCE, 3, "(inaudible)\nEnsuite.");
    seg_is(4, GRILLE_SEG_SENTENCE, 4, "(hésite)\xc2\xa0Oui.");
    seg_is(6, GRILLE_SEG_SENTENCE, 4, "(il hésite) « Oui ».");
    run_unit("Notes de É. Marchal ce jour. Voir c.-à-d. Le maire. Ex : i.e. "
             "La mairie. Moi… (rire) je dors mal. (Rire) Oui.\n\n"
             "## 2.1. Le choc du confinement\n",
             GRILLE_UNIT_SENTENCE);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "Notes de É. Marchal ce jour.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Voir c.-à-d. Le maire.");
    seg_is(2, GRILLE_SEG_SENTENCE, 1, "Ex : i.e. La mairie.");
    seg_is(3, GRILLE_SEG_SENTENCE, 1, "Moi… (rire) je dors mal.");
    seg_is(4, GRILLE_SEG_SENTENCE, 1, "(Rire) Oui.");
    seg_is(5, GRILLE_SEG_HEADING, 3, "2.1. Le choc du confinement");
    /* a Roman numeral's dot is its item's, as a number's is */
    run_unit("II. Les constats sont clairs. Ensuite la suite.\n\n"
             "## IV. Les perspectives\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "II. Les constats sont clairs.");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Ensuite la suite.");
    seg_is(2, GRILLE_SEG_HEADING, 3, "IV. Les perspectives");
}
END_TEST

/* The later sentences of a speaker turn keep its speaker; those of a
 * paragraph after it have none. */
START_TEST(sentences_of_a_turn_keep_its_speaker)
{
    run_unit("DGS : On a fermé. Puis on a rouvert.\nEt le reste suivait.\n\n"
             "Une note. Une autre.\n",
             GRILLE_UNIT_SENTENCE);
    ck_assert_uint_eq(nseg, 5);
    seg_is(0, GRILLE_SEG_TURN, 1, "On a fermé.");
    label_is(0, "DGS");
    seg_is(1, GRILLE_SEG_SENTENCE, 1, "Puis on a rouvert.");
    label_is(1, "DGS");
    seg_is(2, GRILLE_SEG_SENTENCE, 2, "Et le reste suivait.");
    label_is(2, "DGS");
    seg_is(3, GRILLE_SEG_PARAGRAPH, 4, "Une note.");
    label_is(3, "");
    seg_is(4, GRILLE_SEG_SENTENCE, 4, "Une autre.");
    label_is(4, "");
}
END_TEST

START_TEST(segments_keep_code_points_whole)
{
    run("\xc2\xa0\xc2\xa0• élu·e·s\xe2\x80\xaf!\n\n\xe2\x80\x94 œuvre\xc2\xa0\n");
    for (size_t i = 0; i < nseg; i++) {
        ck_assert((cur[segs[i].start] & 0xC0) != 0x80);
        ck_assert((cur[segs[i].end] & 0xC0) != 0x80);
    }
    seg_is(1, GRILLE_SEG_BULLET, 3, "œuvre");
}
END_TEST

/* A paragraph over 64 KiB is cut at its last space within 64 KiB, even
 * one near its start (text.md: between two characters only when 64 KiB
 * hold no space); the next piece starts after the spaces and line ends
 * at the cut, with that character's line. */
START_TEST(long_paragraph_cut_at_a_space)
{
    size_t n = 30000 + 7 + 40000;
    char *text = malloc(n + 16);
    ck_assert_ptr_nonnull(text);
    memset(text, 'a', 30000);
    memcpy(text + 30000, " sant\xc3\xa9 ", 8);
    memset(text + 30008, 'b', 40000);
    text[30008 + 40000] = '\0';
    run(text);
    ck_assert_uint_eq(nseg, 2);
    ck_assert_uint_eq(segs[0].end, 30007);
    ck_assert_uint_eq(segs[1].start, 30008);
    ck_assert_uint_eq(segs[1].end, 70008);
    ck_assert_uint_eq(segs[1].line, 1);
    /* lines of 99 bytes: the cut is at a line end, which the next piece
     * does not start with */
    size_t lines = 1000;
    free(text);
    text = malloc(lines * 100 + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t k = 0; k < lines; k++) {
        memset(text + k * 100, 'x', 99);
        text[k * 100 + 99] = '\n';
    }
    text[lines * 100] = '\0';
    run(text);
    ck_assert_uint_ge(nseg, 2);
    for (size_t i = 1; i < nseg; i++) {
        ck_assert_uint_eq(segs[i].start % 100, 0);
        ck_assert_uint_eq(segs[i].line, 1 + segs[i].start / 100);
        ck_assert_uint_le(segs[i].end - segs[i].start, 65536);
    }
    free(text);
}
END_TEST

/* A line of nothing but spaces ends a paragraph, whichever spaces: ASCII
 * (tab, VT, FF) or Unicode (no-break, narrow no-break, thin, ideographic,
 * BOM); spaces at a segment's ends are trimmed, and an indentation of
 * such spaces is still one (a bullet's continuation). */
START_TEST(blank_lines_of_every_space)
{
    static const char *const spaces[] = {
        " ", "\t", "\v", "\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x89",
        "\xe3\x80\x80", "\xef\xbb\xbf", "\xc2\x85"};
    for (size_t k = 0; k < sizeof(spaces) / sizeof(spaces[0]); k++) {
        char text[128], want[64];
        const char *sp = spaces[k];
        snprintf(text, sizeof(text), "un%s%s\n%s%s\ndeux\n%sfin%s\n", sp, sp,
                 sp, sp, sp, sp);
        snprintf(want, sizeof(want), "deux\n%sfin", sp);
        run(text);
        ck_assert_msg(nseg == 2, "space %zu: %zu segments", k, nseg);
        seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "un");
        seg_is(1, GRILLE_SEG_PARAGRAPH, 3, want);
    }
    run("- masques\n\xc2\xa0\xc2\xa0suite\n\xe2\x80\x83\tencore\nhors\n");
    ck_assert_uint_eq(nseg, 2);
    seg_is(0, GRILLE_SEG_BULLET, 1,
           "masques\n\xc2\xa0\xc2\xa0suite\n\xe2\x80\x83\tencore");
    seg_is(1, GRILLE_SEG_PARAGRAPH, 4, "hors");
    /* a letter that is no space after a space that is: the line is text */
    run("un\n\xc2\xa0\xc3\xa9t\xc3\xa9\n\n\xe2\x80\x8b\n");
    ck_assert_uint_eq(nseg, 1);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "un\n\xc2\xa0\xc3\xa9t\xc3\xa9");
}
END_TEST

/* Line ends found at every offset, inside and across the blocks of
 * bytes a line is scanned by, and a last line without its end. */
START_TEST(line_ends_at_every_offset)
{
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    for (size_t e = 0; e < 3; e++) {
        for (size_t n = 1; n < 70; n++) {
            char text[256];
            size_t at = 0;
            /* n bytes of text, a tab among them past the first 16 */
            for (size_t k = 0; k < n; k++)
                text[at++] =
                    k == 20 && k + 1 < n ? '\t' : (char)('a' + k % 26);
            at += (size_t)sprintf(text + at, "%s%s", ends[e], ends[e]);
            memcpy(text + at, "fin", 4);
            run(text);
            ck_assert_msg(nseg == 2, "end %zu after %zu bytes: %zu segments",
                          e, n, nseg);
            ck_assert_uint_eq(segs[0].start, 0);
            ck_assert_uint_eq(segs[0].end, n);
            seg_is(1, GRILLE_SEG_PARAGRAPH, 3, "fin");
            /* a form feed at n, the line end's first byte: the line ends
             * its paragraph, "fin" is one of its own ("\f\n\r\n" has a
             * blank line) */
            text[n] = '\f';
            run(text);
            ck_assert_uint_eq(nseg, 2);
            ck_assert_uint_eq(segs[0].end, n);
            ck_assert_uint_eq(segs[1].line, e == 1 ? 3 : 2);
        }
    }
    /* a last line of any length, without its line end */
    for (size_t n = 1; n < 40; n++) {
        char text[64];
        memset(text, 'x', n);
        text[n] = '\0';
        run(text);
        ck_assert_uint_eq(nseg, 1);
        ck_assert_uint_eq(segs[0].end, n);
    }
}
END_TEST

/* The words of a speaker's label, ASCII and not: an apostrophe, a
 * hyphen or a dot inside a word but not first, digits, a capital with an
 * accent; a civility or a particle whole, not a word it starts. */
START_TEST(turn_label_words)
{
    turns_only("Jean-Marc O'Neil : oui.\n\nQ2 : non.\n\n"
               "\xc3\x89lodie Martin : bien.\n\nMme. Durand : enfin.\n\n"
               "M. des Roches : plus tard.\n\nDr Martin : non.\n\n"
               "\xc3\x89LODIE : oui.\n\nR.D. : non.\n",
               8);
    label_is(0, "Jean-Marc O'Neil");
    label_is(1, "Q2");
    label_is(2, "\xc3\x89lodie Martin");
    label_is(3, "Mme. Durand");
    label_is(4, "M. des Roches");
    label_is(7, "R.D.");
    /* none of these: a word that starts with an apostrophe, a label
     * in small letters, digits alone, a small word that is no particle
     * ("dans"), an accented capital after a small letter */
    run("'Q : non.\n\nq : non.\n\n12 : non.\n\nM. dans Roches : non.\n\n"
        "\xc3\xa9lodie Martin : non.\n\nMmes la Roche : non.\n");
    ck_assert_uint_eq(nseg, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(segs[i].kind == GRILLE_SEG_PARAGRAPH,
                      "segment %zu is a turn", i);
}
END_TEST

/* ------------------------------------------------------------ tokenising */

START_TEST(elisions_and_apostrophes)
{
    run("l'accueil, l’accueil, lʼaccueil, L’Accueil");
    size_t el = 0, acc = 0;
    for (size_t i = 0; i < ntok; i++) {
        size_t n = toks[i].key_len;
        if (toks[i].kind == GRILLE_TOK_ELISION && n == 2 &&
            memcmp(toks[i].key, "l'", 2) == 0)
            el++;
        if (toks[i].kind == GRILLE_TOK_WORD && n == 7 &&
            memcmp(toks[i].key, "accueil", 7) == 0)
            acc++;
    }
    ck_assert_uint_eq(el, 4);
    ck_assert_uint_eq(acc, 4);
    ck_assert_uint_eq(ntok, 8);

    /* an elision at a line's end, its word on the next line (maybe
     * indented, after a CRLF) */
    run("la continuité d’\nactivité, l'\r\n  accueil, qu’\n");
    key_is("d’", GRILLE_TOK_ELISION, "d'");
    key_is("activité", GRILLE_TOK_WORD, "activite");
    key_is("l'", GRILLE_TOK_ELISION, "l'");
    key_is("accueil", GRILLE_TOK_WORD, "accueil");
    key_is("qu", GRILLE_TOK_WORD, "qu");
    /* and after spaces before the line's end (Markdown's line break),
     * emphasis or quotes: the word carries no break */
    run("la reprise d’  \nactivité, d’**accueil**, d’« aller vers », "
        "l'  école");
    key_is("d’", GRILLE_TOK_ELISION, "d'");
    ck_assert(!(tok("activité")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("accueil")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("aller")->flags & GRILLE_TOKF_BREAK));
    key_is("l'", GRILLE_TOK_ELISION, "l'");
    ck_assert(!has_token("d"));
}
END_TEST

START_TEST(every_elided_word)
{
    run("d’élus j’ai m’a n’a s’est t’as c’est qu’il jusqu’à lorsqu’on "
        "puisqu’elle quoiqu’il");
    key_is("d’", GRILLE_TOK_ELISION, "d'");
    key_is("j’", GRILLE_TOK_ELISION, "j'");
    key_is("m’", GRILLE_TOK_ELISION, "m'");
    key_is("n’", GRILLE_TOK_ELISION, "n'");
    key_is("s’", GRILLE_TOK_ELISION, "s'");
    key_is("t’", GRILLE_TOK_ELISION, "t'");
    key_is("c’", GRILLE_TOK_ELISION, "c'");
    key_is("qu’", GRILLE_TOK_ELISION, "qu'");
    key_is("jusqu’", GRILLE_TOK_ELISION, "jusqu'");
    key_is("lorsqu’", GRILLE_TOK_ELISION, "lorsqu'");
    key_is("puisqu’", GRILLE_TOK_ELISION, "puisqu'");
    key_is("quoiqu’", GRILLE_TOK_ELISION, "quoiqu'");
    key_is("élus", GRILLE_TOK_WORD, "elus");
    key_is("à", GRILLE_TOK_WORD, "a");
    ck_assert_uint_eq(grille_analyser_words(an), 12);
}
END_TEST

START_TEST(lexicalised_apostrophes)
{
    run("aujourd’hui, la presqu’île et quelqu’un d'autre");
    key_is("aujourd’hui", GRILLE_TOK_WORD, "aujourd'hui");
    key_is("presqu’île", GRILLE_TOK_WORD, "presqu'ile");
    key_is("quelqu’un", GRILLE_TOK_WORD, "quelqu'un");
    key_is("d'", GRILLE_TOK_ELISION, "d'");
}
END_TEST

START_TEST(compounds_and_names)
{
    run("le télé-travail, la co-construction à Castelnau-le-Lez et "
        "Saint-Étienne, COVID-19");
    const grille_token *t = tok("télé-travail");
    key_is("télé-travail", GRILLE_TOK_WORD, "teletravail");
    ck_assert(t->flags & GRILLE_TOKF_COMPOUND);
    ck_assert(!(t->flags & GRILLE_TOKF_PART));
    /* its parts follow it, at the same position */
    ck_assert(t[1].flags & GRILLE_TOKF_PART);
    ck_assert(t[2].flags & GRILLE_TOKF_PART);
    ck_assert_uint_eq(t[1].pos, t->pos);
    key_is("travail", GRILLE_TOK_WORD, "travail");
    key_is("co-construction", GRILLE_TOK_WORD, "coconstruction");
    key_is("construction", GRILLE_TOK_WORD, "construction");
    const grille_token *n = tok("Castelnau-le-Lez");
    ck_assert(n->flags & GRILLE_TOKF_NAME);
    /* the key of the same word in lowercase, without its parts */
    key_is("Castelnau-le-Lez", GRILLE_TOK_WORD, "castelnaulelez");
    ck_assert(!has_token("Lez"));
    key_is("Saint-Étienne", GRILLE_TOK_WORD, "saintetienne");
    key_is("COVID-19", GRILLE_TOK_WORD, "covid19");

    /* in title case after a prefix of word formation, a compound, not a
     * name: its parts are words (a term covid codes Post-Covid) */
    run("le plan Post-Covid, l'ère Pré-Covid, le Vice-Président, "
        "l'ex-Vice-Président et la région Grand-Est");
    t = tok("Post-Covid");
    ck_assert(t->flags & GRILLE_TOKF_COMPOUND);
    ck_assert(!(t->flags & GRILLE_TOKF_NAME));
    key_is("Post-Covid", GRILLE_TOK_WORD, "postcovid");
    ck_assert(tok("Covid") == t + 2);
    ck_assert(t[2].flags & GRILLE_TOKF_PART);
    key_is("Covid", GRILLE_TOK_WORD, "covid");
    ck_assert(tok("Pré-Covid")->flags & GRILLE_TOKF_COMPOUND);
    ck_assert(tok("Vice-Président")->flags & GRILLE_TOKF_COMPOUND);
    key_is("Président", GRILLE_TOK_WORD, "president");
    ck_assert(tok("ex-Vice-Président")->flags & GRILLE_TOKF_COMPOUND);
    ck_assert(tok("Grand-Est")->flags & GRILLE_TOKF_NAME);
    ck_assert(!has_token("Est"));

    /* a word hyphenated at a line's end (a copy from a PDF) is one word,
     * the hyphen, the line end and the next line's indent none of it,
     * and no compound whose halves would be words (be- soin is besoin,
     * not soin); a soft hyphen there too; a dash after a space, or
     * before a blank line, stays a dash */
    run("les agents en télé-\n  travail, la co-\r\nconstruction à Saint-\n"
        "Étienne, les agents -\ntous, be- \nsoin d'in-\nformation, "
        "télé\xc2\xad\ntravail");
    t = tok("télé-\n  travail");
    key_is("télé-\n  travail", GRILLE_TOK_WORD, "teletravail");
    ck_assert(!(t->flags & GRILLE_TOKF_COMPOUND));
    ck_assert(!has_token("travail"));
    key_is("co-\r\nconstruction", GRILLE_TOK_WORD, "coconstruction");
    key_is("Saint-\nÉtienne", GRILLE_TOK_WORD, "saintetienne");
    key_is("agents", GRILLE_TOK_WORD, "agents");
    key_is("tous", GRILLE_TOK_WORD, "tous");
    key_is("be- \nsoin", GRILLE_TOK_WORD, "besoin");
    ck_assert(!has_token("soin"));
    key_is("in-\nformation", GRILLE_TOK_WORD, "information");
    key_is("télé\xc2\xad\ntravail", GRILLE_TOK_WORD, "teletravail");
    /* but a compound's own hyphen at the line's end: its parts as on one
     * line (no "avis" out of vis-à-vis, "ciel" kept) */
    run("vis-à-\nvis, arc-en-\nciel, vis-\nà-vis");
    t = tok("vis-à-\nvis");
    ck_assert(t->flags & GRILLE_TOKF_COMPOUND);
    key_is("vis-à-\nvis", GRILLE_TOK_WORD, "visavis");
    ck_assert(!has_token("à-\nvis"));
    key_is("ciel", GRILLE_TOK_WORD, "ciel");
    key_is("vis-\nà-vis", GRILLE_TOK_WORD, "visavis");
    ck_assert(tok("vis-\nà-vis")->flags & GRILLE_TOKF_COMPOUND);
    run("la visio-\n\nconférence");
    ck_assert_uint_eq(nseg, 2);
    ck_assert(has_token("visio"));
    ck_assert(!has_token("visio-\n\nconférence"));

    /* and so its folded form, as the report counts top terms */
    char *f = grille_fold("Télé-\n  travail");
    ck_assert_str_eq(f, "tele-travail");
    free(f);
    f = grille_fold("les agents -\ntous, mi-\n 12, visio-\n\nconférence, co-\r\nconstruction");
    ck_assert_str_eq(f, "les agents - tous, mi- 12, visio- conference, co-construction");
    free(f);
    /* bytes that are not UTF-8: each one U+FFFD, the next kept */
    f = grille_fold("\xc3(");
    ck_assert_str_eq(f, "\xef\xbf\xbd(");
    free(f);
    f = grille_fold("a\xe9Z");
    ck_assert_str_eq(f, "a\xef\xbf\xbdz");
    free(f);
}
END_TEST

START_TEST(numbers_dates_times)
{
    run("1 000 agents, 10,5 %, 60%, 1\xc2\xa0" "200 repas, 2\xe2\x80\xaf"
        "500 masques, le 12/03/2020, le 2020-05-11, à 10:15 puis 14h30, "
        "le 1er et 2 agents");
    key_is("1 000", GRILLE_TOK_NUMBER, "1000");
    key_is("10,5 %", GRILLE_TOK_NUMBER, "10,5%");
    key_is("60%", GRILLE_TOK_NUMBER, "60%");
    key_is("1\xc2\xa0" "200", GRILLE_TOK_NUMBER, "1200");
    key_is("2\xe2\x80\xaf" "500", GRILLE_TOK_NUMBER, "2500");
    key_is("12/03/2020", GRILLE_TOK_DATE, "12/03/2020");
    key_is("2020-05-11", GRILLE_TOK_DATE, "2020-05-11");
    key_is("10:15", GRILLE_TOK_TIME, "10:15");
    key_is("14h30", GRILLE_TOK_TIME, "14h30");
    key_is("1er", GRILLE_TOK_WORD, "1er");
    key_is("2", GRILLE_TOK_NUMBER, "2");
    /* a thin space and a figure space between groups of digits */
    run("1\xe2\x80\x89" "000 masques et 2\xe2\x80\x87" "500 agents");
    key_is("1\xe2\x80\x89" "000", GRILLE_TOK_NUMBER, "1000");
    key_is("2\xe2\x80\x87" "500", GRILLE_TOK_NUMBER, "2500");
}
END_TEST

START_TEST(minus_sign)
{
    /* a minus sign before a number is the number's, however typed; a
     * hyphen inside a word or between numbers, or a dash then a space,
     * is not */
    run("Recettes : -10 %, (\xe2\x88\x92" "5 %) et \xe2\x80\x93" "3 ; "
        "+10 %, COVID-19, 2019-2020, - 4 agents, -3e");
    key_is("-10 %", GRILLE_TOK_NUMBER, "-10%");
    key_is("\xe2\x88\x92" "5 %", GRILLE_TOK_NUMBER, "-5%");
    key_is("\xe2\x80\x93" "3", GRILLE_TOK_NUMBER, "-3");
    key_is("10 %", GRILLE_TOK_NUMBER, "10%"); /* +10 %: the same value */
    key_is("COVID-19", GRILLE_TOK_WORD, "covid19");
    key_is("2019", GRILLE_TOK_NUMBER, "2019");
    key_is("2020", GRILLE_TOK_NUMBER, "2020");
    key_is("4", GRILLE_TOK_NUMBER, "4");
    key_is("3e", GRILLE_TOK_WORD, "3e");
    ck_assert(!has_token("-3e"));
    /* after a curly opening quote too; not before an address */
    run("Il dit \xe2\x80\x9c-5 %\xe2\x80\x9d, jean -5@exemple.fr");
    key_is("-5 %", GRILLE_TOK_NUMBER, "-5%");
    key_is("5@exemple.fr", GRILLE_TOK_EMAIL, "5@exemple.fr");
}
END_TEST

START_TEST(acronyms_urls_emails)
{
    run("Le DGS et le CCAS, l’Etat et l’ARS : voir https://www.ville.fr/covid. "
        "ou www.cnfpt.fr, écrire à jean.dupont@ville-millau.fr.");
    ck_assert(tok("DGS")->flags & GRILLE_TOKF_ACRONYM);
    ck_assert(tok("CCAS")->flags & GRILLE_TOKF_ACRONYM);
    ck_assert(tok("ARS")->flags & GRILLE_TOKF_ACRONYM);
    ck_assert(!(tok("Etat")->flags & GRILLE_TOKF_ACRONYM));
    ck_assert(!(tok("Le")->flags & GRILLE_TOKF_ACRONYM));
    /* a capital and its combining accent is one letter, no acronym, as
     * the composed one; an acronym with one is still one */
    run("A\xcc\x80 Paris, E\xcc\x81 la, \xc3\x80 Paris, \xc3\x89PCI et "
        "E\xcc\x81PCI.");
    ck_assert(!(tok("A\xcc\x80")->flags & GRILLE_TOKF_ACRONYM));
    ck_assert(!(tok("E\xcc\x81")->flags & GRILLE_TOKF_ACRONYM));
    ck_assert(!(tok("\xc3\x80")->flags & GRILLE_TOKF_ACRONYM));
    ck_assert(tok("\xc3\x89PCI")->flags & GRILLE_TOKF_ACRONYM);
    ck_assert(tok("E\xcc\x81PCI")->flags & GRILLE_TOKF_ACRONYM);
    run("Le DGS et le CCAS, l’Etat et l’ARS : voir https://www.ville.fr/covid. "
        "ou www.cnfpt.fr, écrire à jean.dupont@ville-millau.fr.");
    key_is("https://www.ville.fr/covid", GRILLE_TOK_URL,
           "https://www.ville.fr/covid");
    key_is("www.cnfpt.fr", GRILLE_TOK_URL, "www.cnfpt.fr");
    key_is("jean.dupont@ville-millau.fr", GRILLE_TOK_EMAIL,
           "jean.dupont@ville-millau.fr");

    /* an address without its scheme, its last label a known top-level
     * domain: one token, its words none of the text's (the sante of
     * ars.sante.fr is no santé); a dot between two words is not one */
    run("voir ars.sante.fr, Ameli.fr/covid et service-public.fr. "
        "Les agents.les masques, la santé.fr2 et ars.santé.fr");
    key_is("ars.sante.fr", GRILLE_TOK_URL, "ars.sante.fr");
    key_is("Ameli.fr/covid", GRILLE_TOK_URL, "ameli.fr/covid");
    key_is("service-public.fr", GRILLE_TOK_URL, "service-public.fr");
    ck_assert(!has_token("sante"));
    key_is("agents", GRILLE_TOK_WORD, "agents");
    key_is("les", GRILLE_TOK_WORD, "les");
    key_is("fr2", GRILLE_TOK_WORD, "fr2");
    key_is("ars", GRILLE_TOK_WORD, "ars");
    key_is("santé", GRILLE_TOK_WORD, "sante");
}
END_TEST

START_TEST(keys_fold_case_accents_ligatures)
{
    run("Elus ÉLUS élus, vœux Œuvre ex æquo, Hôpital");
    const grille_token *a = tok("Elus"), *b = tok("ÉLUS"), *c = tok("élus");
    ck_assert_uint_eq(a->key_len, 4);
    ck_assert(memcmp(a->key, "elus", 4) == 0);
    ck_assert(memcmp(b->key, "elus", 4) == 0 && b->key_len == 4);
    ck_assert(memcmp(c->key, "elus", 4) == 0 && c->key_len == 4);
    ck_assert(a->stem_len == b->stem_len &&
              memcmp(a->stem, b->stem, a->stem_len) == 0);
    key_is("vœux", GRILLE_TOK_WORD, "voeux");
    key_is("Œuvre", GRILLE_TOK_WORD, "oeuvre");
    key_is("æquo", GRILLE_TOK_WORD, "aequo");
    key_is("Hôpital", GRILLE_TOK_WORD, "hopital");
}
END_TEST

/* Word's soft hyphen, a zero-width space or a word joiner inside a word
 * (invisible on screen) are no part of it: one word, its key without
 * them; between words, they are nothing of a word. */
START_TEST(invisible_characters_inside_words)
{
    run("le télé\xc2\xadtravail, le télé\xe2\x80\x8btravail, la "
        "san\xe2\x81\xa0té, TÉLÉ\xc2\xadTRAVAIL, co\xc2\xadop\xc3\xa9ration "
        "\xe2\x80\x8b fin\xc2\xad");
    key_is("télé\xc2\xadtravail", GRILLE_TOK_WORD, "teletravail");
    key_is("télé\xe2\x80\x8btravail", GRILLE_TOK_WORD, "teletravail");
    key_is("san\xe2\x81\xa0té", GRILLE_TOK_WORD, "sante");
    key_is("TÉLÉ\xc2\xadTRAVAIL", GRILLE_TOK_WORD, "teletravail");
    key_is("co\xc2\xadop\xc3\xa9ration", GRILLE_TOK_WORD, "cooperation");
    key_is("fin", GRILLE_TOK_WORD, "fin");
    ck_assert(!has_token("travail") && !has_token("télé"));
    /* two in a row, and one at a word's end, which breaks no phrase */
    run("a\xc2\xad\xc2\xad" "bc, le travail\xc2\xad à distance");
    key_is("a\xc2\xad\xc2\xad" "bc", GRILLE_TOK_WORD, "abc");
    ck_assert(!(tok("à")->flags & GRILLE_TOKF_BREAK));
    run("le télé\xc2\xadtravail, le télé\xe2\x80\x8btravail");
    const grille_token *a = tok("télé\xc2\xadtravail");
    const grille_token *b = tok("télé\xe2\x80\x8btravail");
    ck_assert(a->stem_len == b->stem_len &&
              memcmp(a->stem, b->stem, a->stem_len) == 0);
}
END_TEST

/* Inclusive writing's middle dot: a feminine that adds an e is the
 * pieces joined (agentes, élues); one that replaces the ending is the
 * masculine, with its plural's s (usagers, not usagereres), so that the
 * terms of the masculine find it. */
START_TEST(inclusive_writing)
{
    run("les usager·ère·s, directeur·rice·s et travailleur·euse·s "
        "sociaux·ales, agent·e·s, élu·e·s, agent·es, conseiller·ère, "
        "Usager·ères, chef·fe·s ; Paris · Lyon ; col·legi, x·yz");
    key_is("usager·ère·s", GRILLE_TOK_WORD, "usagers");
    key_is("directeur·rice·s", GRILLE_TOK_WORD, "directeurs");
    key_is("travailleur·euse·s", GRILLE_TOK_WORD, "travailleurs");
    key_is("sociaux·ales", GRILLE_TOK_WORD, "sociaux");
    key_is("agent·e·s", GRILLE_TOK_WORD, "agentes");
    key_is("élu·e·s", GRILLE_TOK_WORD, "elues");
    key_is("agent·es", GRILLE_TOK_WORD, "agentes");
    key_is("conseiller·ère", GRILLE_TOK_WORD, "conseiller");
    key_is("Usager·ères", GRILLE_TOK_WORD, "usagers");
    key_is("chef·fe·s", GRILLE_TOK_WORD, "chefs");
    key_is("Paris", GRILLE_TOK_WORD, "paris");
    key_is("Lyon", GRILLE_TOK_WORD, "lyon");
    /* a middle dot before no feminine ending: the pieces joined, as
     * Catalan's geminate l (col·legi) */
    key_is("col·legi", GRILLE_TOK_WORD, "collegi");
    key_is("x·yz", GRILLE_TOK_WORD, "xyz");
    /* the word's stem is the masculine plural's */
    const grille_token *u = tok("usager·ère·s");
    char stem[32];
    ck_assert_uint_lt(u->stem_len, sizeof(stem));
    memcpy(stem, u->stem, u->stem_len);
    stem[u->stem_len] = '\0';
    run("les usagers");
    const grille_token *v = tok("usagers");
    ck_assert_uint_eq(v->stem_len, strlen(stem));
    ck_assert(memcmp(v->stem, stem, v->stem_len) == 0);
}
END_TEST

START_TEST(spaces_spans_and_breaks)
{
    run("santé\xc2\xa0: élus\xe2\x80\xaf; accueil public, reprise");
    const grille_token *s = tok("santé");
    ck_assert_uint_eq(s->start, 0);
    ck_assert_uint_eq(s->end, 6);
    const grille_token *e = tok("élus");
    ck_assert_uint_eq(e->start, 10);
    ck_assert(e->flags & GRILLE_TOKF_BREAK);
    ck_assert(tok("accueil")->flags & GRILLE_TOKF_BREAK);
    ck_assert(!(tok("public")->flags & GRILLE_TOKF_BREAK));
    ck_assert(tok("reprise")->flags & GRILLE_TOKF_BREAK);
    ck_assert(!(s->flags & GRILLE_TOKF_BREAK));
    for (size_t i = 0; i < ntok; i++)
        ck_assert(toks[i].end > toks[i].start);

    /* Markdown's emphasis and quotes around a word break no phrase;
     * brackets and the other marks do */
    run("le **plan** de _continuité_, les gestes « barrières » et "
        "“masques” \"gel\" (ARS) ou [PCA]");
    ck_assert(!(tok("plan")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("de")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("continuité")->flags & GRILLE_TOKF_BREAK));
    ck_assert(tok("les")->flags & GRILLE_TOKF_BREAK);
    ck_assert(!(tok("barrières")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("et")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("masques")->flags & GRILLE_TOKF_BREAK));
    ck_assert(!(tok("gel")->flags & GRILLE_TOKF_BREAK));
    ck_assert(tok("ARS")->flags & GRILLE_TOKF_BREAK);
    ck_assert(tok("ou")->flags & GRILLE_TOKF_BREAK);
    ck_assert(tok("PCA")->flags & GRILLE_TOKF_BREAK);
    /* an underscore between two words without a space is a name's */
    run("plan_de_continuite.docx");
    ck_assert(tok("de")->flags & GRILLE_TOKF_BREAK);
}
END_TEST

START_TEST(positions)
{
    run("l’accueil du télé-travail");
    /* l’ and accueil share position 0; du is 1; télé-travail and its parts
     * are 2 */
    ck_assert_uint_eq(tok("l’")->pos, 0);
    ck_assert_uint_eq(tok("accueil")->pos, 0);
    ck_assert_uint_eq(tok("du")->pos, 1);
    ck_assert_uint_eq(tok("télé-travail")->pos, 2);
    ck_assert_uint_eq(tok("travail")->pos, 2);
    ck_assert_uint_eq(grille_analyser_words(an), 3);
}
END_TEST

START_TEST(mixed_note)
{
    /* The acceptance example: CRLF, ’, NBSP before a colon, bullets, a
     * speaker turn and a Windows-1252 byte. */
    const char raw[] = "ITW DGS\r\n\r\n\x95 T\xe9l\xe9travail\xa0: 60 %\r\n"
                       "  l\x92" "accueil ferm\xe9\r\nDGS : on reprend\r\n";
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_decode(&t, raw, sizeof(raw) - 1, "n", NULL),
                     0);
    ck_assert_int_eq(grille_text_encoding(t), GRILLE_ENC_WINDOWS1252);
    size_t len;
    const char *d = grille_text_data(t, &len);
    grille_error err = {0};
    cur = d;
    ck_assert_int_eq(grille_analyser_run(an, d, len, 0, GRILLE_UNIT_PARAGRAPH,
                                         NULL, "n", &err),
                     0);
    nseg = grille_analyser_segments(an, &segs);
    ntok = grille_analyser_tokens(an, &toks);
    ck_assert_uint_eq(nseg, 3);
    seg_is(0, GRILLE_SEG_PARAGRAPH, 1, "ITW DGS");
    seg_is(1, GRILLE_SEG_BULLET, 3,
           "Télétravail\xc2\xa0: 60 %\r\n  l’accueil fermé");
    seg_is(2, GRILLE_SEG_TURN, 5, "on reprend");
    key_is("Télétravail", GRILLE_TOK_WORD, "teletravail");
    key_is("l’", GRILLE_TOK_ELISION, "l'");
    key_is("fermé", GRILLE_TOK_WORD, "ferme");
    grille_text_free(t);
}
END_TEST

/* UTF-8 checked the plain way (RFC 3629), one sequence at a time: where
 * the valid part ends (a NUL ends it too with `nul`). */
static size_t utf8_plain(const unsigned char *u, size_t len, bool nul)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        if (c < 0x80) {
            if (nul && c == 0)
                return i;
            i++;
            continue;
        }
        size_t n = c >= 0xC2 && c <= 0xDF   ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (!n || i + n > len)
            return i;
        uint32_t cp = c & (0x7F >> n);
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (u[i + k] & 0x3F);
        }
        uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

/* The validator (eight ASCII bytes at a time, then a sequence) agrees
 * with the plain check, wherever a sequence of any kind, a bad one or a
 * NUL falls against the edges of its words. */
START_TEST(utf8_check_equals_plain)
{
    static const char *const pieces[] = {
        "a",        "é",        "\xc2\xa0",         "’",
        "\xf0\x9f\x98\x80", "\xc3", "\x80",             "\xe2\x80",
        "\xc0\xaf", "\xed\xa0\x80", "\xe0\x80\x80",     "\xf5\x80\x80\x80",
        "\xff",     "e",        "ç",                "\xdf\xbf"};
    unsigned char buf[128 + 8];
    uint32_t x = 2463534242u; /* xorshift32 */
    size_t cases = 0;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        /* mostly letters and two-byte ones, now and then anything */
        while (n < 100) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            size_t k = x % 64;
            const char *p = k < 40 ? "a" : k < 56 ? "é" : pieces[k % 16];
            if (k == 63 && round % 3 == 0)
                p = "\0";
            size_t m = *p ? strlen(p) : 1;
            memcpy(buf + n, p, m);
            n += m;
        }
        size_t len = 64 + x % 40;
        for (size_t off = 0; off < 3; off++) {
            const char *s = (const char *)buf + off;
            ck_assert_uint_eq(utf8_check(s, len - off),
                              utf8_plain(buf + off, len - off, false));
            ck_assert_uint_eq(grille__utf8_text(s, len - off),
                              utf8_plain(buf + off, len - off, true));
            cases++;
        }
    }
    ck_assert_uint_eq(cases, 60000);
}
END_TEST

/* The same on longer texts that are mostly right: the vector loop
 * (32 bytes at a time, where the processor has one) takes most of them,
 * and a single bad sequence, a NUL or a cut sequence falls anywhere,
 * against the edges of its blocks included. */
START_TEST(utf8_check_long_texts)
{
    static const char *const good[] = {"a", "a", "a", " ", "é", "ç",
                                       "\xc2\xa0", "’", "\xf0\x9f\x98\x80",
                                       "\xdf\xbf", "\xef\xbf\xbf",
                                       "\xf4\x8f\xbf\xbf", "\n", "Z"};
    static const char *const bad[] = {
        "\xc3",         "\x80",         "\xe2\x80",     "\xc0\xaf",
        "\xc1\xbf",     "\xed\xa0\x80", "\xed\xbf\xbf", "\xe0\x80\x80",
        "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\xfe",
        "\x80\x80", "\xf0\x9f\x98", "\xc3\xa9\xa9", "\0"};
    static unsigned char buf[4200];
    uint32_t x = 88172645u;
    size_t nbad = sizeof(bad) / sizeof(bad[0]), errors = 0;
    for (int round = 0; round < 6000; round++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        size_t want = 32 + x % 4000, n = 0;
        /* where the bad piece goes, in two rounds of three: none else */
        size_t at = round % 3 == 0 ? SIZE_MAX : (x >> 12) % want;
        while (n < want) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            const char *p = good[x % 14];
            if (n >= at) {
                p = bad[(x >> 8) % nbad];
                at = SIZE_MAX;
            }
            size_t m = *p ? strlen(p) : 1;
            memcpy(buf + n, p, m);
            n += m;
        }
        /* cut anywhere near the end: a sequence may be left unfinished */
        size_t len = n - (round % 5 == 0 ? (x >> 20) % 4 : 0);
        for (size_t off = 0; off < 2; off++) {
            const char *s = (const char *)buf + off;
            size_t want_plain = utf8_plain(buf + off, len - off, false);
            ck_assert_uint_eq(utf8_check(s, len - off), want_plain);
            ck_assert_uint_eq(grille__utf8_text(s, len - off),
                              utf8_plain(buf + off, len - off, true));
            errors += want_plain < len - off;
        }
    }
    /* both kinds of text were met, many times (a text read from its
     * second byte may start inside a sequence) */
    ck_assert_uint_gt(errors, 4000);
    ck_assert_uint_gt(12000 - errors, 2000);
}
END_TEST

/* The elided words, by their list: every word of one to three letters,
 * and every word one letter away from the longer ones, agree. */
START_TEST(elisions_by_list)
{
    static const char *const list[] = {"l", "d", "j", "m", "n", "s", "t",
                                       "c", "qu", "jusqu", "lorsqu",
                                       "puisqu", "quoiqu"};
    size_t nlist = sizeof(list) / sizeof(list[0]), yes = 0;
    char w[8];
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < nlist; k++) {
            size_t n = strlen(list[k]);
            for (size_t at = 0; at < n; at++) {
                for (int c = 'a' - round; c <= 'z'; c++) {
                    memcpy(w, list[k], n);
                    w[at] = (char)c; /* round 1: '`' too, not a letter */
                    bool want = false;
                    for (size_t q = 0; q < nlist; q++)
                        want = want || (strlen(list[q]) == n &&
                                        memcmp(list[q], w, n) == 0);
                    ck_assert_msg(grille_text__is_elision(w, n) == want,
                                  "'%.*s'", (int)n, w);
                    yes += want;
                }
            }
        }
    }
    for (int a = 'a'; a <= 'z'; a++)
        for (int b = 'a'; b <= 'z'; b++)
            for (int c = 'a'; c <= 'z'; c++) {
                w[0] = (char)a;
                w[1] = (char)b;
                w[2] = (char)c;
                ck_assert(!grille_text__is_elision(w, 3));
                ck_assert(grille_text__is_elision(w, 2) ==
                          (a == 'q' && b == 'u'));
            }
    ck_assert(!grille_text__is_elision("", 0));
    ck_assert(!grille_text__is_elision("lorsque", 7));
    ck_assert(yes > 100);
}
END_TEST

/* grille__lower_str's ASCII path gives what grille__lower gives code
 * point by code point, and gbuf_put's inline room test grows a buffer
 * at each of its boundaries. */
START_TEST(lower_str_by_code_point)
{
    char all[128 + 40];
    for (int c = 0; c < 128; c++)
        all[c] = (char)c;
    static const char tail[] = "\xc3\x89t\xc3\xa9 \xe2\x80\x99\xc5\x92uvre\xc3\x9f'";
    memcpy(all + 128, tail, sizeof(tail) - 1);
    size_t len = 128 + sizeof(tail) - 1;
    for (int fold = 0; fold < 2; fold++) {
        gbuf got = {0}, want = {0};
        ck_assert_int_eq(grille__lower_str(&got, all, len, fold), 0);
        for (size_t i = 0; i < len;) {
            size_t n;
            uint32_t cp = utf8_get(all, len, i, &n);
            char tmp[8];
            size_t m = grille__is_apostrophe(cp)
                           ? (tmp[0] = '\'', 1)
                           : grille__lower(cp, fold, tmp);
            for (size_t k = 0; k < m; k++)
                ck_assert_int_eq(gbuf_putc(&want, tmp[k]), 0);
            i += n;
        }
        ck_assert_uint_eq(got.len, want.len);
        ck_assert(memcmp(got.data, want.data, got.len) == 0);
        ck_assert_int_eq(got.data[got.len], '\0');
        gbuf_free(&got);
        gbuf_free(&want);
    }
    gbuf b = {0};
    char expect[3000];
    size_t n = 0;
    for (size_t step = 1; n + step < sizeof(expect); step = step % 7 + 1) {
        for (size_t k = 0; k < step; k++)
            expect[n + k] = (char)('a' + (n + k) % 26);
        ck_assert_int_eq(gbuf_put(&b, expect + n, step), 0);
        n += step;
        ck_assert_uint_eq(b.len, n);
        ck_assert(b.cap > b.len);
        ck_assert_int_eq(b.data[n], '\0');
    }
    ck_assert(memcmp(b.data, expect, n) == 0);
    gbuf_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("text");
    struct {
        const char *name;
        const TTest *tests[16];
    } cases[] = {
        {"decoding", {decode_utf8, decode_utf16, decode_windows1252, decode_macroman,
                      decode_refusals, read_file_errors, read_file_keeps_its_file,
                      text_file_by_folder, read_file_sized_reads_it_whole,
                      utf8_check_equals_plain, utf8_check_long_texts}},
        {"front matter", {front_matter_found, front_matter_after_blank_lines,
                          front_matter_lines_as_bytes,
                          front_matter_attributes,
                          front_matter_errors, front_matter_nulls_are_no_value,
                          front_matter_key_of_spaces_only,
                          front_matter_find_by_stored_key,
                          attr_value_composes_latin_letters,
                          front_matter_plain_path_is_yaml,
                          front_matter_attributes_own_their_strings,
                          front_matter_key_twice}},
        {"segments", {paragraphs, bullets_of_every_kind,
                      bullets_pasted_from_word, table_rows,
                      quoted_replies_and_tab_tables,
                      bullet_continuations,
                      speaker_turns, not_turns, headings_and_turn_on_next_line,
                      line_ends, body_after_front_matter, sentences,
                      sentences_abbreviations_quotes,
                      sentences_of_a_turn_keep_its_speaker,
                      segments_keep_code_points_whole,
                      long_paragraph_cut_at_a_space}},
        {"segments, lists", {outline_items, turns_as_list_items, separators,
                             transcript_letters}},
        {"segments, line by line", {blank_lines_of_every_space,
                                    line_ends_at_every_offset,
                                    turn_label_words}},
        {"tokens", {elisions_and_apostrophes, every_elided_word,
                    lexicalised_apostrophes, compounds_and_names,
                    numbers_dates_times, minus_sign, acronyms_urls_emails,
                    keys_fold_case_accents_ligatures, spaces_spans_and_breaks,
                    positions, mixed_note, elisions_by_list,
                    invisible_characters_inside_words, inclusive_writing,
                    lower_str_by_code_point}},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        TCase *tc = tcase_create(cases[c].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        for (size_t k = 0; k < 16 && cases[c].tests[k]; k++)
            tcase_add_test(tc, cases[c].tests[k]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return run_suite(suite());
}
