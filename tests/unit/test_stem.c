/*
 * test_stem.c - the Snowball French wrapper: Debian's snowball-data
 * vocabulary goes through it and must give Snowball's own output, word for
 * word; the cached, accent-folded stems used for matching agree with it.
 */
#include "analyser.h" /* the cache's two lookups */
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

/* The word w (len bytes) zero-padded to a multiple of eight, in buf. */
static const char *padded(uint64_t *buf, const char *w, size_t len)
{
    memset(buf, 0, 6 * sizeof(*buf));
    memcpy(buf, w, len);
    return (const char *)buf;
}

START_TEST(lookups_agree)
{
    /* The tokeniser looks words up as they are, padded with zeros
     * (eight bytes at a time, the first 16 in the entry itself), and up
     * to 16 bytes as two words in registers (lookup16, its own copy of
     * the hash).  Each must find the entry another made, whatever the
     * length, around 8 and 16 bytes above all, and whichever comes
     * first; never two entries for one word. */
    static const char *const words[] = {
        "",          "a",           "l'",           "de",
        "santé",     "abcdefg",     "abcdefgh",     "abcdefghi",
        "télétravail", "abcdefghijklmno", "abcdefghijklmnop",
        "abcdefghijklmnopq", "intercommunalités", "x2026",
        "abcdefghijklmnopqrstuvwxyz0123",
    };
    const size_t nw = sizeof(words) / sizeof(words[0]);
    for (int kind = 0; kind < 2; kind++)
        for (int order = 0; order < 3; order++)
            for (size_t k = 0; k < nw; k++) {
                grille_analyser *b;
                ck_assert_int_eq(grille_analyser_new(&b, NULL), 0);
                const char *w = words[k];
                size_t len = strlen(w);
                uint64_t buf[6];
                stem_entry *e[3] = {NULL, NULL, NULL};
                int ways = len <= 16 ? 3 : 2;
                for (int step = 0; step < ways; step++) {
                    int how = (order + step) % ways;
                    if (how == 0)
                        e[0] = grille_stem__lookup(b, w, len, kind);
                    else if (how == 1)
                        e[1] = grille_stem__lookup_padded(
                            b, padded(buf, w, len), len, kind);
                    else
                        e[2] = grille_stem__lookup16(
                            b, grille_stem__load64(padded(buf, w, len)),
                            len > 8 ? grille_stem__load64(
                                          padded(buf, w, len) + 8)
                                    : 0,
                            len, kind);
                }
                ck_assert_ptr_nonnull(e[0]);
                ck_assert_msg(e[0] == e[1], "'%s' (kind %d, order %d): %p %p",
                              w, kind, order, (void *)e[0], (void *)e[1]);
                /* the same hash, or lookup16 would find nothing and
                 * go the slow way every time (the same entry still) */
                if (ways == 3) {
                    const char *pw = padded(buf, w, len);
                    ck_assert_uint_eq(
                        grille_stem__hash16(
                            grille_stem__load64(pw),
                            len > 8 ? grille_stem__load64(pw + 8) : 0, len,
                            kind),
                        grille_stem__hash(w, len, kind, false));
                }
                ck_assert_msg(ways == 2 || e[0] == e[2],
                              "'%s' (kind %d, order %d), lookup16: %p %p", w,
                              kind, order, (void *)e[0], (void *)e[2]);
                ck_assert_uint_eq(b->cache.count, 1);
                grille_analyser_free(b);
            }
    /* words that share their first 16 bytes, or differ past them, or only
     * by kind, are different entries */
    grille_analyser *b;
    ck_assert_int_eq(grille_analyser_new(&b, NULL), 0);
    uint64_t buf[6];
    stem_entry *x = grille_stem__lookup(b, "abcdefghijklmnopq", 17, 0);
    stem_entry *y = grille_stem__lookup_padded(
        b, padded(buf, "abcdefghijklmnopr", 17), 17, 0);
    stem_entry *z = grille_stem__lookup_padded(
        b, padded(buf, "abcdefghijklmnop", 16), 16, 0);
    stem_entry *z1 = grille_stem__lookup_padded(
        b, padded(buf, "abcdefghijklmnop", 16), 16, 1);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_ptr_nonnull(z);
    ck_assert_ptr_nonnull(z1);
    ck_assert_ptr_ne(x, y);
    ck_assert_ptr_ne(x, z);
    ck_assert_ptr_ne(y, z);
    ck_assert_ptr_ne(z, z1);
    ck_assert_uint_eq(b->cache.count, 4);
    ck_assert_ptr_eq(grille_stem__lookup(b, "abcdefghijklmnopr", 17, 0), y);
    /* an entry's head is on a cache line of its own */
    ck_assert_uint_eq((uintptr_t)x % 64, 0);
    ck_assert_uint_eq((uintptr_t)z1 % 64, 0);
    grille_analyser_free(b);
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
    tcase_add_test(tc, lookups_agree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
