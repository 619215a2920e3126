/*
 * check_main.h - runs a Check suite with TAP on standard output, so that
 * meson counts each test, and nothing else there.
 */
#ifndef GRILLE_CHECK_MAIN_H
#define GRILLE_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
