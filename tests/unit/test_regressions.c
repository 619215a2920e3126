/*
 * test_regressions.c - every input the fuzzers ever found a crash, a leak
 * or a hang with, kept in tests/fuzz/regressions/, run again through the
 * code it broke: files named codebook-* are loaded as codebooks and used
 * to code a note; files named qdc-* are converted from REFI-QDA codebooks
 * to YAML, which must then load; the others are decoded and coded with the
 * bundled codebook.  Under valgrind (./run test) a leak fails the test too.
 */
#include "check_main.h"
#include "grille.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    char chunk[4096];
    while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (n + r + 1 > cap) {
            cap = (n + r + 1) * 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        memcpy(buf + n, chunk, r);
        n += r;
    }
    fclose(f);
    *len = n;
    return buf ? buf : calloc(1, 1);
}

static void check_note(const char *data, size_t size, grille_codebook *cb,
                       const char *name)
{
    grille_analyser *an = NULL;
    ck_assert_int_eq(grille_analyser_new(&an, NULL), 0);
    grille_text *t = NULL;
    if (grille_text_decode(&t, data, size, name, NULL) == 0) {
        size_t len, body = 0;
        const char *s = grille_text_data(t, &len);
        ck_assert_msg(s[len] == '\0', "%s: decoded text not terminated",
                      name);
        grille_attrs *attrs = NULL;
        if (grille_attrs_parse(&attrs, &body, s, len, name, NULL) < 0)
            body = 0;
        grille_attrs_free(attrs);
        /* the analyser reads text[0, len) only, NUL or not: in a buffer
         * of that size (ASan sees a byte past it), and as decoded */
        char *exact = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(exact);
        memcpy(exact, s, len);
        for (int u = 0; u < 4; u++) {
            int rc = grille_analyser_run(an, u < 2 ? exact : s, len, body,
                                         (grille_unit)(u % 2), cb, name,
                                         NULL);
            ck_assert_msg(rc == 0 || rc == GRILLE_ELIMIT, "%s: run gave %d",
                          name, rc);
            const grille_segment *segs;
            const grille_token *toks;
            size_t ns = grille_analyser_segments(an, &segs);
            size_t nt = grille_analyser_tokens(an, &toks);
            for (size_t i = 0; i < ns; i++) {
                ck_assert_msg(segs[i].start < segs[i].end &&
                                  segs[i].end <= len &&
                                  segs[i].first_token + segs[i].ntokens <= nt,
                              "%s: segment %zu out of the text", name, i);
                /* every token within its segment, and not empty */
                for (size_t k = 0; k < segs[i].ntokens; k++) {
                    const grille_token *x = &toks[segs[i].first_token + k];
                    ck_assert_msg(x->start >= segs[i].start &&
                                      x->end <= segs[i].end &&
                                      x->end > x->start,
                                  "%s: token [%zu, %zu) of segment %zu", name,
                                  x->start, x->end, i);
                }
            }
        }
        free(exact);
        grille_text_free(t);
    }
    grille_analyser_free(an);
}

START_TEST(every_regression)
{
    const char *src = getenv("GRILLE_SOURCE_DIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions",
             src ? src : ".");
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    size_t seen = 0;
    grille_codebook *bundled = NULL;
    ck_assert_int_eq(grille_codebook_load_bundled(&bundled, NULL), 0);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t len;
        char *data = slurp(path, &len);
        ck_assert_msg(data != NULL, "cannot read %s", path);
        if (strncmp(e->d_name, "qdc-", 4) == 0) {
            char *yaml = NULL;
            size_t ylen;
            grille_error err = {0};
            if (grille_refi_qdc_to_yaml(path, &yaml, &ylen, &err) == 0) {
                grille_codebook *cb = NULL;
                ck_assert_msg(grille_codebook_load(&cb, yaml, ylen, "y",
                                                   &err) == 0,
                              "%s: the YAML made does not load: %s",
                              e->d_name, err.message);
                grille_codebook_free(cb);
            }
            grille_free(yaml);
        } else if (strncmp(e->d_name, "codebook-", 9) == 0) {
            grille_codebook *cb = NULL;
            grille_error err = {0};
            if (grille_codebook_load(&cb, data, len, e->d_name, &err) == 0) {
                static const char note[] =
                    "- Télétravail et santé des agents, masques.\n";
                check_note(note, sizeof(note) - 1, cb, e->d_name);
                grille_codebook_free(cb);
            } else {
                ck_assert_msg(err.message[0] && cb == NULL,
                              "%s: an error without a message", e->d_name);
            }
        } else {
            check_note(data, len, bundled, e->d_name);
        }
        free(data);
        seen++;
    }
    closedir(d);
    grille_codebook_free(bundled);
    ck_assert_uint_ge(seen, 3);
}
END_TEST

/* The association of two codes: the formulas of DESIGN (Jaccard, lift),
 * 0 where undefined, and 0 for counts no units can have (both > na wrapped
 * around: a Jaccard of 5). */
START_TEST(association_counts)
{
    double j, l;
    grille_stat_association(2, 4, 6, 20, &j, &l);
    ck_assert_double_eq_tol(j, 2.0 / 8.0, 1e-12);
    ck_assert_double_eq_tol(l, 2.0 * 20.0 / (4.0 * 6.0), 1e-12);
    grille_stat_association(0, 0, 0, 20, &j, &l);
    ck_assert(j == 0.0 && l == 0.0);
    static const uint64_t bad[][4] = {
        {5, 1, 6, 20}, {5, 6, 1, 20}, {1, 30, 6, 20}, {1, 6, 30, 20},
        {1, 15, 15, 20}};
    for (size_t k = 0; k < 5; k++) {
        grille_stat_association(bad[k][0], bad[k][1], bad[k][2], bad[k][3],
                                &j, &l);
        ck_assert_msg(j == 0.0 && l == 0.0, "case %zu: %g %g", k, j, l);
    }
    /* and Lafon's specificity, the same way: impossible counts give 0 */
    ck_assert(grille_stat_specificity(5, 3, 10, 100) == 0.0);
    ck_assert(grille_stat_specificity(0, 30, 10, 100) < 0.0);
    ck_assert(grille_stat_specificity(9, 30, 10, 100) > 2.0);
}
END_TEST

START_TEST(cp1252_punctuation_grows)
{
    /* 0x85 (…) is one byte in Windows-1252 and three in UTF-8: a note of
     * nothing else must not overflow the converted buffer. */
    char in[300];
    memset(in, 0x85, sizeof(in));
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_decode(&t, in, sizeof(in), "n", NULL), 0);
    size_t len;
    grille_text_data(t, &len);
    ck_assert_uint_eq(len, 3 * sizeof(in));
    grille_text_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("regressions");
    TCase *tc = tcase_create("fuzzer findings");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_regression);
    tcase_add_test(tc, cp1252_punctuation_grows);
    tcase_add_test(tc, association_counts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
