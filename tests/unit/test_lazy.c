/*
 * test_lazy.c - lazy.c, built for this test with libzip under a name the
 * loader's paths do not have, in the folder the build gives: found there
 * (as a library installed under a prefix of its own is), and the failed
 * first try is no error.
 */
#include "check_main.h"
#include "lazy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* lazy.c's one need of the library, here alone */
int grille__error(grille_error *err, int code, const char *file,
                  unsigned line, unsigned col, const char *fmt, ...)
{
    (void)file;
    (void)line;
    (void)col;
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

START_TEST(found_in_the_build_folder)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille__lazy_load(&err);
    ck_assert_msg(rc == 0, "lazy load failed (%d): %s", rc, err.message);
    ck_assert(grille__lz.zip_close != NULL);
    ck_assert(grille__lz.xmlFreeDoc != NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lazy");
    TCase *tc = tcase_create("fallback");
    tcase_add_test(tc, found_in_the_build_folder);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite());
}
