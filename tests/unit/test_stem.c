/*
 * test_stem.c - the Snowball French wrapper: Debian's snowball-data
 * vocabulary goes through it and must give Snowball's own output, word for
 * word; the cached, accent-folded stems used for matching agree with it.
 */
#include "check_main.h"
#include "grille.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOC "/usr/share/snowball/data/french/voc.txt"
#define OUT "/usr/share/snowball/data/french/output.txt"

static grille_analyser *an;

static void setup(void)
{
    ck_assert_int_eq(grille_analyser_new(&an, NULL), 0);
}

static void teardown(void)
{
    grille_analyser_free(an);
    an = NULL;
}

static void chomp(char *s)
{
    s[strcspn(s, "\r\n")] = '\0';
}

START_TEST(snowball_vocabulary)
{
    FILE *voc = fopen(VOC, "r"), *out = fopen(OUT, "r");
    ck_assert_msg(voc && out, "snowball-data is not installed (%s)", VOC);
    char w[256], want[256];
    size_t n = 0;
    while (fgets(w, sizeof(w), voc)) {
        ck_assert_msg(fgets(want, sizeof(want), out) != NULL,
                      "output.txt shorter than voc.txt");
        chomp(w);
        chomp(want);
        const char *got;
        size_t len;
        ck_assert_int_eq(grille_analyser_snowball(an, w, strlen(w), &got,
                                                  &len), 0);
        ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0,
                      "stem of '%s': got '%.*s', Snowball says '%s'", w,
                      (int)len, got, want);
        n++;
    }
    fclose(voc);
    fclose(out);
    ck_assert_uint_gt(n, 20000);
}
END_TEST

static void stem_is(const char *word, const char *want)
{
    const char *got;
    size_t len;
    ck_assert_int_eq(grille_analyser_stem(an, word, strlen(word), &got, &len),
                     0);
    ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0,
                  "stem of '%s': got '%.*s', want '%s'", word, (int)len, got,
                  want);
}

START_TEST(folded_stems)
{
    /* Lowercased before stemming, accents folded after. */
    stem_is("santé", "sant");
    stem_is("Santés", "sant");
    stem_is("SANTÉ", "sant");
    stem_is("sante", "sant");
    stem_is("activités", "activ");
    stem_is("Déconfinement", "deconfin");
    stem_is("accueillir", "accueil");
    stem_is("reprises", "repris");
    /* œ is spelt out before stemming: cœur and coeur are one word. */
    stem_is("cœur", "coeur");
    stem_is("coeur", "coeur");
    /* apostrophes are made straight */
    stem_is("aujourd’hui", "aujourd'hui");
}
END_TEST

START_TEST(cache_is_stable)
{
    /* The same word twice gives the same answer, and the pointer handed
     * out before a thousand other words still holds its stem. */
    const char *first;
    size_t len;
    ck_assert_int_eq(grille_analyser_stem(an, "médecins", 9, &first, &len), 0);
    char word[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(word, sizeof(word), "mot%dinvente", i);
        const char *s;
        size_t l;
        ck_assert_int_eq(grille_analyser_stem(an, word, strlen(word), &s, &l),
                         0);
    }
    ck_assert_msg(len == 7 && memcmp(first, "medecin", 7) == 0,
                  "stem of 'médecins' moved or changed: '%.*s'", (int)len,
                  first);
    const char *again;
    size_t l2;
    ck_assert_int_eq(grille_analyser_stem(an, "médecins", 9, &again, &l2), 0);
    ck_assert_ptr_eq(first, again);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stem");
    TCase *tc = tcase_create("snowball");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, snowball_vocabulary);
    suite_add_tcase(s, tc);
    tc = tcase_create("folding");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, folded_stems);
    tcase_add_test(tc, cache_is_stable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
