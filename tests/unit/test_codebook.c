/*
 * test_codebook.c - unit tests of lib/codebook.c: loading a thematic
 * codebook from YAML.  They cover grille's own format (name, labels,
 * descriptions, colors normalised to lowercase "#rrggbb", the hierarchy of
 * slash-path ids with parents before children), a plain quanteda-style
 * dictionary (nested keys, lists of patterns as leaves), the bundled
 * codebook, the kind reported for each rule, every validation error with
 * its exact code, line, column and message ("FILE:LINE:COL: ..." quoting
 * the offending value), and the SHA-256 of the YAML text.  Expected
 * SHA-256 values were computed with `printf ... | sha256sum`, or are
 * FIPS 180-4's examples; the SHA-256 of lib/common.c is tested here too,
 * its fast path against its portable one.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "grille.h"
#include "common.h"

#include <check.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "check_main.h"

#define FILE_NAME "test.yaml"

/* Loads `yaml` and fails the test with the library's message on error. */
static grille_codebook *load_ok(const char *yaml)
{
    grille_codebook *cb = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_codebook_load(&cb, yaml, strlen(yaml), FILE_NAME, &err);
    ck_assert_msg(rc == 0, "loading failed (%d): %s\n--- yaml:\n%s", rc,
                  err.message, yaml);
    ck_assert_ptr_nonnull(cb);
    return cb;
}

/*
 * Loads `yaml`, which must fail with `code` at `line`:`col`; checks that
 * the return value, err.code, err.line and err.column agree, that the
 * message starts with "test.yaml:LINE:COL: " and that nothing came back
 * through *out.
 */
static void load_fails(const char *yaml, size_t len, int code, unsigned line,
                       unsigned col, grille_error *err)
{
    grille_codebook *cb = (grille_codebook *)&cb; /* not NULL on purpose */
    char prefix[64];
    memset(err, 0, sizeof(*err));
    int rc = grille_codebook_load(&cb, yaml, len, FILE_NAME, err);
    if (rc == 0)
        grille_codebook_free(cb);
    ck_assert_msg(rc == code, "expected %d (%s), got %d: '%s'", code,
                  grille_strerror(code), rc, rc ? err->message : "loaded");
    ck_assert_msg(err->code == code, "err.code is %d, expected %d", err->code,
                  code);
    ck_assert_msg(cb == NULL, "*out must be NULL after a failure");
    ck_assert_msg(err->line == line && err->column == col,
                  "location is %u:%u, expected %u:%u: '%s'", err->line,
                  err->column, line, col, err->message);
    snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", FILE_NAME, line, col);
    ck_assert_msg(strncmp(err->message, prefix, strlen(prefix)) == 0,
                  "message '%s' does not start with '%s'", err->message,
                  prefix);
    ck_assert_msg(strchr(err->message, '\n') == NULL,
                  "message '%s' is more than one line", err->message);
}

/* Asserts that `msg` contains `what`. */
#define ck_assert_contains(msg, what)                                          \
    ck_assert_msg(strstr((msg), (what)) != NULL, "message '%s' lacks '%s'",    \
                  (msg), (what))

/* The info of the code `id`, which must exist. */
static grille_code_info code_of(const grille_codebook *cb, const char *id)
{
    grille_code_info info;
    long i = grille_codebook_find(cb, id);
    ck_assert_msg(i >= 0, "code '%s' not found", id);
    ck_assert_int_eq(grille_codebook_code(cb, (size_t)i, &info), 0);
    return info;
}

/* -------------------------------------------------------- grille format */

static const char format_yaml[] =
    "name: Riposte test\n"                               /* 1 */
    "language: french\n"                                 /* 2 */
    "themes:\n"                                          /* 3 */
    "  teletravail:\n"                                   /* 4 */
    "    label: Télétravail et travail à distance\n"     /* 5 */
    "    description: Réunions en visio, équipement.\n"  /* 6 */
    "    color: \"#1F77B4\"\n"                           /* 7 */
    "    terms: [télétravail, travail à distance]\n"     /* 8 */
    "    exclude: [télétravail des élèves]\n"            /* 9 */
    "    children:\n"                                    /* 10 */
    "      outils:\n"                                    /* 11 */
    "        label: Outils numériques\n"                 /* 12 */
    "        color: \"#AbC\"\n"                          /* 13 */
    "        terms: [teams, zoom]\n"                     /* 14 */
    "        children:\n"                                /* 15 */
    "          vpn: {terms: [=VPN]}\n"                   /* 16 */
    "      equipement: {terms: [ordinateur portable]}\n" /* 17 */
    "  sante:\n"                                         /* 18 */
    "    terms: [santé]\n";                              /* 19 */

START_TEST(test_null_empty_inputs)
{
    /* (NULL, 0) is an empty text: an error, not libyaml's assertion */
    grille_codebook *c = NULL;
    grille_error err = {0};
    int rc = grille_codebook_load(&c, NULL, 0, NULL, &err);
    ck_assert_msg(rc < 0, "an empty codebook loaded");
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(grille_text_count_lines("a\nb\n", 3, 1), 0);
    /* a codebook that cannot be read: errno in detail */
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_codebook_load_file(&c, "/nonexistent/x.yaml",
                                               &err),
                     GRILLE_EIO);
    ck_assert_int_eq(err.detail, ENOENT);
    ck_assert_int_eq(grille_codebook_load_file(&c, NULL, &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_null(c);
    /* a regex pattern that does not compile: PCRE2's code in detail */
    memset(&err, 0, sizeof(err));
    ck_assert_int_lt(grille_codebook_from_pattern(&c, "/(/", &err), 0);
    ck_assert_int_ne(err.detail, 0);
    /* a pattern's codebook is named after the whole pattern */
    ck_assert_int_eq(grille_codebook_from_pattern(&c, "/visio(conf)?/", &err),
                     0);
    ck_assert_str_eq(grille_codebook_name(c), "pattern '/visio(conf)?/'");
    grille_codebook_free(c);
    /* a pattern that is not UTF-8: its byte in the pattern (it was its
     * byte in the YAML made of it, 32 further) */
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(grille_codebook_from_pattern(&c, "ab\xff" "cd", &err),
                     GRILLE_EENCODING);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(err.offset, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "at byte 2 (0xFF)"));
    ck_assert_uint_eq(grille_text_count_lines("a\nb\n", 0, 4), 2);
}
END_TEST

START_TEST(test_format_name_and_source)
{
    grille_codebook *cb = load_ok(format_yaml);
    ck_assert_str_eq(grille_codebook_name(cb), "Riposte test");
    ck_assert_str_eq(grille_codebook_source(cb), FILE_NAME);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_format_name_defaults_to_file)
{
    const char *yaml = "themes:\n  sante: [santé]\n";
    grille_codebook *cb = NULL;
    grille_error err;
    int rc = grille_codebook_load(&cb, yaml, strlen(yaml),
                                  "codebooks/mine.yaml", &err);
    ck_assert_msg(rc == 0, "load failed: %s", err.message);
    ck_assert_str_eq(grille_codebook_name(cb), "mine.yaml");
    ck_assert_str_eq(grille_codebook_source(cb), "codebooks/mine.yaml");
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_format_labels_and_descriptions)
{
    grille_codebook *cb = load_ok(format_yaml);
    grille_code_info t = code_of(cb, "teletravail");
    ck_assert_str_eq(t.label, "Télétravail et travail à distance");
    ck_assert_str_eq(t.description, "Réunions en visio, équipement.");
    ck_assert_uint_eq(t.npatterns, 2);
    ck_assert_uint_eq(t.nexclusions, 1);
    ck_assert_uint_eq(t.line, 4);
    /* unset: the label is the id's last part, the rest empty */
    grille_code_info e = code_of(cb, "teletravail/equipement");
    ck_assert_str_eq(e.label, "equipement");
    ck_assert_str_eq(e.description, "");
    ck_assert_str_eq(e.color, "");
    ck_assert_uint_eq(e.npatterns, 1);
    ck_assert_uint_eq(e.nexclusions, 0);
    ck_assert_uint_eq(e.line, 17);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_format_colors_normalised)
{
    grille_codebook *cb = load_ok(format_yaml);
    ck_assert_str_eq(code_of(cb, "teletravail").color, "#1f77b4");
    ck_assert_str_eq(code_of(cb, "teletravail/outils").color, "#aabbcc");
    ck_assert_str_eq(code_of(cb, "sante").color, "");
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_format_hierarchy)
{
    static const struct {
        const char *id;
        const char *parent; /* NULL for a theme */
        unsigned depth;
    } want[] = {
        {"teletravail", NULL, 0},
        {"teletravail/outils", "teletravail", 1},
        {"teletravail/outils/vpn", "teletravail/outils", 2},
        {"teletravail/equipement", "teletravail", 1},
        {"sante", NULL, 0},
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    grille_codebook *cb = load_ok(format_yaml);
    ck_assert_uint_eq(grille_codebook_count(cb), n);
    for (size_t i = 0; i < n; i++) {
        grille_code_info info;
        ck_assert_int_eq(grille_codebook_code(cb, i, &info), 0);
        ck_assert_msg(strcmp(info.id, want[i].id) == 0,
                      "code %zu is '%s', expected '%s' (depth-first order)", i,
                      info.id, want[i].id);
        ck_assert_msg(info.depth == want[i].depth, "'%s': depth %u, not %u",
                      info.id, info.depth, want[i].depth);
        long p = want[i].parent ? grille_codebook_find(cb, want[i].parent) : -1;
        ck_assert_msg(info.parent == p, "'%s': parent %ld, expected %ld",
                      info.id, info.parent, p);
        ck_assert_msg(info.parent < (long)i,
                      "'%s' (%zu) comes before its parent (%ld)", info.id, i,
                      info.parent);
        ck_assert_msg(grille_codebook_find(cb, want[i].id) == (long)i,
                      "find('%s') is not %zu", want[i].id, i);
    }
    ck_assert_int_eq(grille_codebook_find(cb, "outils"), -1);
    ck_assert_int_eq(grille_codebook_find(cb, "teletravail/"), -1);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_format_code_out_of_range)
{
    grille_codebook *cb = load_ok(format_yaml);
    grille_code_info info;
    grille_rule_info rule;
    size_t n = grille_codebook_count(cb);
    ck_assert_int_eq(grille_codebook_code(cb, n, &info), GRILLE_ENOTFOUND);
    ck_assert_int_eq(
        grille_codebook_rule(cb, grille_codebook_rule_count(cb), &rule),
        GRILLE_ENOTFOUND);
    grille_codebook_free(cb);
}
END_TEST

/* ----------------------------------------------------------- dictionary */

static const char dict_yaml[] = "economie:\n"                       /* 1 */
                                "  finances: [budget, dotation*]\n" /* 2 */
                                "  emploi:\n"                       /* 3 */
                                "    - chômage\n"                   /* 4 */
                                "    - =DGF\n"                      /* 5 */
                                "sante: [santé, hôpital]\n";        /* 6 */

START_TEST(test_dict_nested_keys)
{
    grille_codebook *cb = load_ok(dict_yaml);
    ck_assert_uint_eq(grille_codebook_count(cb), 4);
    static const char *const ids[] = {"economie", "economie/finances",
                                      "economie/emploi", "sante"};
    static const long parents[] = {-1, 0, 0, -1};
    for (size_t i = 0; i < 4; i++) {
        grille_code_info info;
        ck_assert_int_eq(grille_codebook_code(cb, i, &info), 0);
        ck_assert_str_eq(info.id, ids[i]);
        ck_assert_msg(info.parent == parents[i], "'%s': parent %ld not %ld",
                      info.id, info.parent, parents[i]);
        ck_assert_uint_eq(info.depth, parents[i] < 0 ? 0 : 1);
    }
    /* a name-less dictionary is named after its file */
    ck_assert_str_eq(grille_codebook_name(cb), FILE_NAME);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_dict_lists_are_leaves)
{
    grille_codebook *cb = load_ok(dict_yaml);
    grille_code_info eco = code_of(cb, "economie");
    ck_assert_uint_eq(eco.npatterns, 0);
    ck_assert_str_eq(eco.label, "economie");
    ck_assert_uint_eq(code_of(cb, "economie/finances").npatterns, 2);
    ck_assert_uint_eq(code_of(cb, "economie/emploi").npatterns, 2);
    ck_assert_uint_eq(code_of(cb, "sante").npatterns, 2);
    ck_assert_uint_eq(grille_codebook_rule_count(cb), 6);
    grille_rule_info r;
    ck_assert_int_eq(grille_codebook_rule(cb, 1, &r), 0);
    ck_assert_str_eq(r.text, "dotation*");
    ck_assert_int_eq(r.kind, GRILLE_RULE_GLOB);
    ck_assert_int_eq(r.code, grille_codebook_find(cb, "economie/finances"));
    ck_assert_int_eq(grille_codebook_rule(cb, 3, &r), 0);
    ck_assert_str_eq(r.text, "=DGF");
    ck_assert_int_eq(r.kind, GRILLE_RULE_EXACT);
    ck_assert_uint_eq(r.line, 5);
    ck_assert_uint_eq(r.column, 7);
    grille_codebook_free(cb);
}
END_TEST

/* -------------------------------------------------------------- bundled */

START_TEST(test_bundled_mandated_ids)
{
    static const char *const ids[] = {"teletravail", "sante", "reprise", "elus",
                                      "accueil"};
    grille_codebook *cb = NULL;
    grille_error err;
    int rc = grille_codebook_load_bundled(&cb, &err);
    ck_assert_msg(rc == 0, "bundled codebook: %s", err.message);
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        long k = grille_codebook_find(cb, ids[i]);
        ck_assert_msg(k >= 0, "bundled codebook lacks theme '%s'", ids[i]);
        grille_code_info info;
        ck_assert_int_eq(grille_codebook_code(cb, (size_t)k, &info), 0);
        ck_assert_msg(info.depth == 0 && info.parent == -1,
                      "'%s' is not a top-level theme", ids[i]);
        ck_assert_msg(info.npatterns > 0, "'%s' has no pattern", ids[i]);
    }
    ck_assert_str_eq(grille_codebook_source(cb), "riposte.yaml");
    ck_assert_str_eq(grille_codebook_name(cb), "Riposte créative territoriale");
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_bundled_theme_count)
{
    grille_codebook *cb = NULL;
    grille_error err;
    int rc = grille_codebook_load_bundled(&cb, &err);
    ck_assert_msg(rc == 0, "bundled codebook: %s", err.message);
    size_t themes = 0;
    for (size_t i = 0; i < grille_codebook_count(cb); i++) {
        grille_code_info info;
        ck_assert_int_eq(grille_codebook_code(cb, i, &info), 0);
        if (info.depth == 0)
            themes++;
        ck_assert_msg(info.label[0] != '\0', "'%s' has an empty label",
                      info.id);
    }
    ck_assert_msg(themes >= 13, "only %zu top-level themes", themes);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_bundled_text_is_the_bundled_codebook)
{
    size_t len = 0;
    const char *text = grille_codebook_bundled_text(&len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_gt(len, 0);
    grille_codebook *a = NULL, *b = load_ok(text);
    grille_error err;
    ck_assert_int_eq(grille_codebook_load_bundled(&a, &err), 0);
    ck_assert_str_eq(grille_codebook_sha256(a), grille_codebook_sha256(b));
    ck_assert_uint_eq(grille_codebook_count(a), grille_codebook_count(b));
    grille_codebook_free(a);
    grille_codebook_free(b);
}
END_TEST

/* ---------------------------------------------------------------- rules */

START_TEST(test_rule_kinds)
{
    static const char yaml[] =
        "themes:\n"                                       /* 1 */
        "  teletravail:\n"                                /* 2 */
        "    terms:\n"                                    /* 3 */
        "      - télétravail\n"                           /* 4 */
        "      - travail à distance\n"                    /* 5 */
        "      - visio*\n"                                /* 6 */
        "      - =VPN\n"                                  /* 7 */
        "    regex: ['\\bréunions? (à|a) distance\\b']\n" /* 8 */
        "    near: [\"réunion* ~5 distance\"]\n"          /* 9 */
        "    exclude: [télétravail des élèves]\n";        /* 10 */
    static const struct {
        const char *text;
        grille_rule_kind kind;
        unsigned line, column;
    } want[] = {
        {"télétravail", GRILLE_RULE_WORD, 4, 9},
        {"travail à distance", GRILLE_RULE_PHRASE, 5, 9},
        {"visio*", GRILLE_RULE_GLOB, 6, 9},
        {"=VPN", GRILLE_RULE_EXACT, 7, 9},
        {"\\bréunions? (à|a) distance\\b", GRILLE_RULE_REGEX, 8, 13},
        {"réunion* ~5 distance", GRILLE_RULE_NEAR, 9, 12},
        {"télétravail des élèves", GRILLE_RULE_EXCLUDE, 10, 15},
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    grille_codebook *cb = load_ok(yaml);
    ck_assert_uint_eq(grille_codebook_rule_count(cb), n);
    for (size_t i = 0; i < n; i++) {
        grille_rule_info r;
        ck_assert_int_eq(grille_codebook_rule(cb, i, &r), 0);
        ck_assert_msg(strcmp(r.text, want[i].text) == 0,
                      "rule %zu is '%s', expected '%s'", i, r.text,
                      want[i].text);
        ck_assert_msg(r.kind == want[i].kind, "'%s' is a %s, not a %s", r.text,
                      grille_rule_kind_name(r.kind),
                      grille_rule_kind_name(want[i].kind));
        ck_assert_msg(r.code == 0, "'%s' belongs to code %zu", r.text, r.code);
        ck_assert_msg(r.line == want[i].line && r.column == want[i].column,
                      "'%s' at %u:%u, expected %u:%u", r.text, r.line, r.column,
                      want[i].line, want[i].column);
    }
    grille_code_info info = code_of(cb, "teletravail");
    ck_assert_uint_eq(info.npatterns, 6);
    ck_assert_uint_eq(info.nexclusions, 1);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_rule_kind_names)
{
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_WORD), "word");
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_PHRASE), "phrase");
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_GLOB), "glob");
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_EXACT), "exact");
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_REGEX), "regex");
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_NEAR), "near");
    ck_assert_str_eq(grille_rule_kind_name(GRILLE_RULE_EXCLUDE), "exclude");
}
END_TEST

START_TEST(test_rule_codes_follow_themes)
{
    grille_codebook *cb = load_ok(format_yaml);
    size_t n = grille_codebook_rule_count(cb);
    /* 2 terms + 1 exclusion, 2 + 1 + 1 terms below, 1 for sante */
    ck_assert_uint_eq(n, 8);
    static const char *const owner[] = {"teletravail",
                                        "teletravail",
                                        "teletravail",
                                        "teletravail/outils",
                                        "teletravail/outils",
                                        "teletravail/outils/vpn",
                                        "teletravail/equipement",
                                        "sante"};
    for (size_t i = 0; i < n; i++) {
        grille_rule_info r;
        grille_code_info c;
        ck_assert_int_eq(grille_codebook_rule(cb, i, &r), 0);
        ck_assert_int_eq(grille_codebook_code(cb, r.code, &c), 0);
        ck_assert_msg(strcmp(c.id, owner[i]) == 0,
                      "rule '%s' belongs to '%s', expected '%s'", r.text, c.id,
                      owner[i]);
    }
    grille_codebook_free(cb);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(test_error_yaml_syntax)
{
    /* the '}' at column 24 should have been ']' */
    static const char yaml[] = "themes:\n"
                               "  sante: {terms: [santé}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 2, 24, &err);
    ck_assert_contains(err.message, "YAML");
    ck_assert_contains(err.message, "flow sequence");
}
END_TEST

START_TEST(test_error_unknown_theme_key)
{
    static const char yaml[] = "themes:\n"
                               "  sante:\n"
                               "    label: Santé\n"
                               "    termz: [santé]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 4, 5, &err);
    ck_assert_contains(err.message,
                       "test.yaml:4:5: unknown key 'termz' in theme 'sante'");
}
END_TEST

START_TEST(test_error_unknown_child_key)
{
    static const char yaml[] = "themes:\n"
                               "  teletravail:\n"
                               "    children:\n"
                               "      outils: {terms: [zoom], colour: red}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 4, 31, &err);
    ck_assert_contains(err.message,
                       "unknown key 'colour' in theme 'teletravail/outils'");
}
END_TEST

START_TEST(test_error_unknown_top_key)
{
    static const char yaml[] = "name: Essai\n"
                               "nom: Essai\n"
                               "themes:\n"
                               "  sante: [santé]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 2, 1, &err);
    ck_assert_contains(err.message, "unknown key 'nom'");
}
END_TEST

/* An exact form with a second '=' after a first word: refused, and the
 * words compiled before it freed (valgrind's run of this suite sees a
 * leak). */
START_TEST(test_error_exact_second_equals)
{
    static const char yaml[] = "themes:\n"
                               "  t: {terms: [\"=ab =cd\"]}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 2, 15, &err);
    ck_assert_contains(err.message, "has a second '='");
}
END_TEST

/* YAML's !!binary would be read as its base64 text: refused, at the
 * value. */
START_TEST(test_error_yaml_binary_tag)
{
    static const char yaml[] = "themes:\n"
                               "  t: {terms: [!!binary c2FudMOp]}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 2, 15, &err);
    ck_assert_contains(err.message, "YAML tag '!!binary' is not read here");
}
END_TEST

/* A control character YAML refuses (a form feed pasted into a label, a
 * NUL) is placed where it is, not at 1:1. */
START_TEST(test_error_control_character_placed)
{
    static const char ff[] = "themes:\n"
                             "  sante:\n"
                             "    label: \"Sant\fe\"\n"
                             "    terms: [santé]\n";
    grille_error err;
    load_fails(ff, strlen(ff), GRILLE_ESYNTAX, 3, 17, &err);
    ck_assert_contains(err.message, "control characters are not allowed");
    ck_assert_contains(err.message, "U+000C");
    ck_assert_int_eq(err.offset, 33);
    static const char nul[] = "themes:\n  sante: {terms: [sant\0e]}\n";
    load_fails(nul, sizeof(nul) - 1, GRILLE_ESYNTAX, 2, 23, &err);
    ck_assert_contains(err.message, "U+0000");
}
END_TEST

/* "\0" in a double-quoted string: refused, not cut short (the term
 * "santé\0x" used to be "santé") */
START_TEST(test_error_nul_in_string)
{
    static const char yaml[] = "themes:\n"
                               "  sante: {terms: [masque, \"santé\\u0000x\"]}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 2, 27, &err);
    ck_assert_contains(err.message, "NUL character");
}
END_TEST

START_TEST(test_error_skip_speakers)
{
    /* each bad value of skip_speakers, at its line and column */
    static const struct {
        const char *value;
        int code;
        unsigned col;
        const char *what;
    } bad[] = {
        {"Q", GRILLE_ESYNTAX, 16, "must be a list of speaker labels"},
        {"[Q, [R]]", GRILLE_ESYNTAX, 20, "must be a string"},
        {"[\"\"]", GRILLE_EINVALID, 17, "empty speaker label ''"},
        {"[\" * \"]", GRILLE_EINVALID, 17, "empty speaker label"},
        {"[\"Q :\"]", GRILLE_EINVALID, 17, "without its colon"},
        {"[\"En*q\"]", GRILLE_EINVALID, 17, "'*' may only end it"},
        {"[Enquêtrice, ENQUETRICE]", GRILLE_EINVALID, 29,
         "'ENQUETRICE' given twice"},
        {"[Une étiquette bien trop longue pour un locuteur]", GRILLE_EINVALID,
         17, "never starts a turn"},
        /* a name is 40 bytes at most, a label with its role in brackets
         * 83 */
        {"[AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA]", GRILLE_EINVALID, 17,
         "never starts a turn"},
        {"[\"Mme Roux (directrice des ressources humaines et des relations "
         "sociales du département)\"]",
         GRILLE_EINVALID, 17, "longer than any label"},
        {"[\"Q\\nR\"]", GRILLE_EINVALID, 17, "'Q\\x0aR' in 'skip_speakers' holds a line end"},
        {"[\"Q\\u0000R\"]", GRILLE_ESYNTAX, 17, "NUL character"},
        {"[Q: ]", GRILLE_ESYNTAX, 17, "without its colon (Q, not Q :)"},
        {"[Q, \"Q/R\"]", GRILLE_EINVALID, 20,
         "'Q/R' in 'skip_speakers' never starts a turn"},
        {"[\"Une longue liste de mots\"]", GRILLE_EINVALID, 17,
         "never starts a turn"},
        /* written in both cases: "Marie :" is no turn, though "MARIE :"
         * is one */
        {"[Q, Marie]", GRILLE_EINVALID, 20,
         "'Marie' in 'skip_speakers' never starts a turn"},
        {"[Claire]", GRILLE_EINVALID, 17, "not one capitalised word"},
        {"[Mme]", GRILLE_EINVALID, 17, "never starts a turn"},
        {"[Intervenant]", GRILLE_EINVALID, 17, "never starts a turn"},
        {"[Interlocutrice]", GRILLE_EINVALID, 17, "never starts a turn"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char yaml[300];
        snprintf(yaml, sizeof(yaml),
                 "name: Essai\nskip_speakers: %s\nthemes:\n  sante: [santé]\n",
                 bad[i].value);
        grille_error err;
        load_fails(yaml, strlen(yaml), bad[i].code, 2, bad[i].col, &err);
        ck_assert_contains(err.message, bad[i].what);
    }
    /* the labels as written, in order; an empty list is allowed */
    static const char ok[] = "skip_speakers: [Q, \"Enquêt*\", mme  lefèvre,\n"
                             "  r, enquêtrice, jean dupont, Locuteur 2, dgs,\n"
                             "  ENQUÊTÉE, SOPHIE, Sophie Martin,\n"
                             "  Enqueteur, Reponse, Elu 2]\n"
                             "themes:\n  sante: [santé]\n";
    grille_codebook *cb = load_ok(ok);
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 0), "Q");
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 1), "Enquêt*");
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 2), "mme  lefèvre");
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 10), "Sophie Martin");
    /* role words written without their accents, compared folded */
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 13), "Elu 2");
    ck_assert_ptr_null(grille_codebook_skip_speaker(cb, 14));
    grille_codebook_free(cb);
    /* spaces around or inside, decomposed accents: checked as compared */
    static const char spaced[] =
        "skip_speakers: [\"Q \", \"Enquêtrice\\u00a0\", \" Mme   Lefèvre \",\n"
        "  \"Mme He\xcc\x81" "le\xcc\x80" "ne-Be\xcc\x81" "ne\xcc\x81" "dicte "
        "Lefe\xcc\x80" "vre-E\xcc\x81" "on\"]\n"
        "themes:\n  sante: [santé]\n";
    cb = load_ok(spaced);
    ck_assert_ptr_nonnull(grille_codebook_skip_speaker(cb, 3));
    grille_codebook_free(cb);
    /* in a plain dictionary, skip_speakers is the key, not a theme */
    static const char dict[] = "skip_speakers: [Q]\nsante: [santé]\n";
    cb = load_ok(dict);
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 0), "Q");
    ck_assert_uint_eq(grille_codebook_count(cb), 1);
    ck_assert_int_lt(grille_codebook_find(cb, "skip_speakers"), 0);
    grille_codebook_free(cb);
    grille_error err;
    static const char only[] = "skip_speakers: [Q]\n";
    load_fails(only, strlen(only), GRILLE_EINVALID, 1, 1, &err);
    ck_assert_contains(err.message, "no themes");
    static const char twice[] =
        "skip_speakers: [Q]\nskip_speakers: [R]\nsante: [santé]\n";
    load_fails(twice, strlen(twice), GRILLE_ESYNTAX, 2, 16, &err);
    ck_assert_contains(err.message, "'skip_speakers' given twice");
    /* the limit is on the label as compared: 40 bytes, a final '*' aside,
     * a long decomposed or spaced spelling of a label of 40 included */
    static const char longest[] =
        "skip_speakers: [AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*,\n"
        "  \"Mme      He\xcc\x81" "le\xcc\x80" "ne-E\xcc\x81" "dme\xcc\x81"
        "e Lefe\xcc\x80" "vre\"]\n"
        "themes:\n  sante: [santé]\n";
    cb = load_ok(longest);
    ck_assert_ptr_nonnull(grille_codebook_skip_speaker(cb, 1));
    grille_codebook_free(cb);
    /* indented under themes or a theme, it would be a theme coding the
     * words of its labels */
    static const char nested[] =
        "themes:\n  skip_speakers: [Q]\n  sante: [santé]\n";
    load_fails(nested, strlen(nested), GRILLE_ESYNTAX, 2, 3, &err);
    ck_assert_contains(err.message, "goes at the top of the codebook");
    static const char nested_dict[] = "sante:\n  skip_speakers: [Q]\n";
    load_fails(nested_dict, strlen(nested_dict), GRILLE_ESYNTAX, 2, 3, &err);
    static const char none[] = "skip_speakers: []\nthemes:\n  sante: [santé]\n";
    cb = load_ok(none);
    ck_assert_ptr_null(grille_codebook_skip_speaker(cb, 0));
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_error_duplicate_id)
{
    static const char yaml[] = "themes:\n"
                               "  sante: [santé]\n"
                               "  reprise: [reprise]\n"
                               "  sante: [hôpital]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 4, 3, &err);
    ck_assert_contains(err.message, "duplicate id 'sante'");
}
END_TEST

START_TEST(test_error_duplicate_child_id)
{
    static const char yaml[] = "themes:\n"
                               "  teletravail:\n"
                               "    children:\n"
                               "      outils: [zoom]\n"
                               "      outils: [teams]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 5, 7, &err);
    ck_assert_contains(err.message, "duplicate id 'teletravail/outils'");
}
END_TEST

START_TEST(test_error_duplicate_dictionary_key)
{
    static const char yaml[] = "economie:\n"
                               "  budget: [budget]\n"
                               "  budget: [dotation]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 3, 3, &err);
    ck_assert_contains(err.message, "duplicate id 'economie/budget'");
}
END_TEST

START_TEST(test_error_duplicate_theme_key)
{
    static const char yaml[] = "themes:\n"
                               "  sante:\n"
                               "    terms: [santé]\n"
                               "    terms: [hôpital]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 4, 5, &err);
    ck_assert_contains(err.message, "'terms'");
    ck_assert_contains(err.message, "'sante'");
}
END_TEST

START_TEST(test_error_duplicate_top_key)
{
    /* A second `themes` would otherwise be silently ignored. */
    static const char yaml[] = "themes:\n"
                               "  sante: [santé]\n"
                               "themes:\n"
                               "  reprise: [reprise]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 3, 1, &err);
    ck_assert_contains(err.message, "'themes'");
}
END_TEST

START_TEST(test_error_empty_theme)
{
    static const char yaml[] = "themes:\n"
                               "  sante: [santé]\n"
                               "  elus:\n"
                               "    label: Élus\n"
                               "    description: Le rôle des élus.\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 3, 3, &err);
    ck_assert_contains(err.message,
                       "theme 'elus' has neither patterns nor children");
    ck_assert_msg(strstr(err.message, "empty") == NULL, "%s", err.message);
    /* an empty list of terms: said so */
    static const char empty[] = "themes:\n  elus:\n    terms: []\n";
    load_fails(empty, strlen(empty), GRILLE_EINVALID, 2, 3, &err);
    ck_assert_contains(err.message, "theme 'elus' has neither patterns nor "
                                    "children: its 'terms' list is empty");
}
END_TEST

START_TEST(test_error_empty_children)
{
    static const char yaml[] = "themes:\n"
                               "  elus:\n"
                               "    children: {}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 2, 3, &err);
    ck_assert_contains(err.message, "'elus'");
}
END_TEST

START_TEST(test_error_bad_regex)
{
    static const char yaml[] = "themes:\n"
                               "  elus:\n"
                               "    regex: ['conseil (municipal']\n";
    const char *re = "conseil (municipal";
    int code;
    PCRE2_SIZE off;
    PCRE2_UCHAR msg[256];
    char want[300];
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, strlen(re),
                                  PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code,
                                  &off, NULL);
    ck_assert_msg(c == NULL, "'%s' compiles", re);
    pcre2_get_error_message(code, msg, sizeof(msg));
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 3, 13, &err);
    ck_assert_contains(err.message, "'conseil (municipal'");
    ck_assert_contains(err.message, "'elus'");
    ck_assert_contains(err.message, (const char *)msg);
    snprintf(want, sizeof(want), "at offset %zu", (size_t)off);
    ck_assert_contains(err.message, want);
    ck_assert_contains(err.message, "at offset 18");
    ck_assert_int_eq(err.detail, code);
}
END_TEST

START_TEST(test_error_near_no_distance)
{
    static const char yaml[] = "themes:\n"
                               "  teletravail:\n"
                               "    near: [\"réunion ~ distance\"]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 3, 12, &err);
    ck_assert_contains(err.message, "'réunion ~ distance'");
}
END_TEST

START_TEST(test_error_near_zero)
{
    static const char yaml[] = "themes:\n"
                               "  teletravail:\n"
                               "    near:\n"
                               "      - a ~0 b\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 4, 9, &err);
    ck_assert_contains(err.message, "'a ~0 b'");
}
END_TEST

START_TEST(test_error_near_no_left)
{
    static const char yaml[] = "themes:\n"
                               "  teletravail:\n"
                               "    near: [\"~3 b\"]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 3, 12, &err);
    ck_assert_contains(err.message, "'~3 b'");
}
END_TEST

START_TEST(test_error_near_two_tildes)
{
    static const char yaml[] = "themes:\n"
                               "  teletravail:\n"
                               "    near: [\"réunion ~3 visio ~2 distance\"]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 3, 12, &err);
    ck_assert_contains(err.message, "'réunion ~3 visio ~2 distance'");
}
END_TEST

START_TEST(test_error_color_name)
{
    static const char yaml[] = "themes:\n"
                               "  sante:\n"
                               "    terms: [santé]\n"
                               "    color: blue\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 4, 12, &err);
    ck_assert_contains(err.message, "bad color 'blue' in theme 'sante'");
}
END_TEST

START_TEST(test_error_color_bad_digit)
{
    static const char yaml[] = "themes:\n"
                               "  sante:\n"
                               "    terms: [santé]\n"
                               "    color: \"#12345g\"\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 4, 12, &err);
    ck_assert_contains(err.message, "bad color '#12345g' in theme 'sante'");
}
END_TEST

/* An anchor is refused where it stands, an alias without one where it
 * stands; tags of one's own too (most often a pattern that starts with
 * & * or ! and wanted quotes), not YAML's (!!str). */
START_TEST(test_error_alias)
{
    static const char yaml[] = "themes:\n"
                               "  sante:\n"
                               "    terms: &soins [santé, hôpital]\n"
                               "  accueil:\n"
                               "    terms: *soins\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 3, 12, &err);
    ck_assert_contains(err.message, "anchors");
    ck_assert_contains(err.message, "&soins");
    static const char alias[] = "themes:\n"
                                "  accueil:\n"
                                "    terms: [visio, *tion]\n";
    load_fails(alias, strlen(alias), GRILLE_ESYNTAX, 3, 20, &err);
    ck_assert_contains(err.message, "aliases");
    ck_assert_contains(err.message, "goes in quotes: \"*tion\"");
    static const char tag[] = "themes:\n"
                              "  accueil:\n"
                              "    terms: [!urgent santé]\n";
    load_fails(tag, strlen(tag), GRILLE_ESYNTAX, 3, 13, &err);
    ck_assert_contains(err.message, "'!urgent'");
    static const char str[] = "themes:\n"
                              "  accueil:\n"
                              "    terms: [!!str 1000]\n";
    grille_codebook *cb = NULL;
    ck_assert_int_eq(grille_codebook_load(&cb, str, strlen(str), "t.yaml", &err),
                     0);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_error_nesting_too_deep)
{
    /* 40 levels of children in flow style: the block mapping at the root
     * is the first collection, so the 64th '{' opens the 65th level. */
    char yaml[2048];
    size_t n = 0;
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "themes: ");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "{a: {children: ");
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "{a: [x]}");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "}}");
    ck_assert_uint_lt(n, sizeof(yaml) - 1);
    unsigned col = 0, braces = 0;
    for (size_t i = 0; i < n && !col; i++)
        if (yaml[i] == '{' && ++braces == 64)
            col = (unsigned)i + 1;
    grille_error err;
    load_fails(yaml, n, GRILLE_ELIMIT, 1, col, &err);
    ck_assert_contains(err.message, "nesting");
}
END_TEST

START_TEST(test_nesting_within_limit)
{
    /* 20 levels of sub-themes load, with ids as long slash paths */
    char yaml[1024];
    size_t n = 0;
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "themes: ");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "{a: {children: ");
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "{a: [x]}");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "}}");
    grille_codebook *cb = load_ok(yaml);
    size_t count = grille_codebook_count(cb);
    ck_assert_uint_eq(count, 21);
    grille_code_info info;
    ck_assert_int_eq(grille_codebook_code(cb, count - 1, &info), 0);
    ck_assert_uint_eq(info.depth, 20);
    ck_assert_uint_eq(strlen(info.id), 2 * 21 - 1);
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_error_not_utf8)
{
    /* "santé" in Latin-1: 0xE9 is byte 22, on line 2, column 15 */
    static const char yaml[] = "themes:\n"
                               "  sante: [sant\xe9]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EENCODING, 2, 15, &err);
    ck_assert_contains(err.message, "UTF-8");
    ck_assert_contains(err.message, "0xE9");
    ck_assert_contains(err.message, "byte 22");
    ck_assert_uint_eq(err.offset, 22);
    /* after a BOM, the byte of the file still */
    static const char bom[] = "\xef\xbb\xbfthemes:\n"
                              "  sante: [sant\xe9]\n";
    load_fails(bom, strlen(bom), GRILLE_EENCODING, 2, 15, &err);
    ck_assert_contains(err.message, "byte 25");
    ck_assert_uint_eq(err.offset, 25);
}
END_TEST

START_TEST(test_error_term_ends_with_elision)
{
    /* "l'" alone was the word "l", in no text: refused, both apostrophes;
     * an apostrophe inside a word is no elision */
    static const char yaml[] = "themes:\n"
                               "  t: {terms: [\"de l'\"]}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 2, 15, &err);
    ck_assert_contains(err.message, "ends with an elision");
    static const char curly[] = "themes:\n"
                                "  t: {terms: [\"qu\xe2\x80\x99\"]}\n";
    load_fails(curly, strlen(curly), GRILLE_EINVALID, 2, 15, &err);
    grille_codebook *c = NULL;
    static const char ok[] = "themes:\n"
                             "  t: {terms: [\"l'\xc3\xa9" "cole\", "
                             "\"aujourd'hui\", \"parents\xe2\x80\x99\", "
                             "\"rock'n'\"]}\n";
    ck_assert_int_eq(grille_codebook_load(&c, ok, strlen(ok), "ok.yaml", &err),
                     0);
    grille_codebook_free(c);
}
END_TEST

START_TEST(test_error_regex_one_byte)
{
    /* \C would end a match inside a character */
    static const char yaml[] = "themes:\n"
                               "  t: {regex: ['sant\\C']}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 2, 15, &err);
    ck_assert_contains(err.message, "\\C");
}
END_TEST

/* "thèmes:", "Themes:", "theme:" or "themse:" over the themes, with no
 * other key: one theme holding all the others, silently, before */
START_TEST(test_error_themes_miswritten)
{
    static const char *const keys[] = {"th\xc3\xa8mes", "Themes", "THEMES",
                                       "theme", "themse", "thems"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char yaml[200];
        snprintf(yaml, sizeof(yaml),
                 "%s:\n  sante: {label: Sant\xc3\xa9, terms: [masques]}\n"
                 "  elus: [maire]\n",
                 keys[i]);
        grille_error err;
        load_fails(yaml, strlen(yaml), GRILLE_ESYNTAX, 1, 1, &err);
        ck_assert_contains(err.message, "the key is 'themes'");
    }
    /* a word one letter off is a dictionary's theme all the same, and
     * so is a theme with its own keys */
    grille_codebook *cb = load_ok("thermes:\n  cures: [cure]\n");
    ck_assert_int_eq(grille_codebook_find(cb, "thermes/cures"), 1);
    grille_codebook_free(cb);
    cb = load_ok("th\xc3\xa8ses:\n  terms: [doctorat]\nfinancement: [budget]\n");
    ck_assert_int_eq((int)grille_codebook_count(cb), 2);
    grille_codebook_free(cb);
    cb = load_ok("Thames:\n  ponts: [pont]\n");
    grille_codebook_free(cb);
}
END_TEST

/* A block scalar's final line break is no part of its value: a regex
 * written "- |" looked for it, a label printed it. */
START_TEST(test_block_scalar_no_line_break)
{
    grille_codebook *cb = load_ok("themes:\n  sante:\n    label: |\n"
                                  "      Sant\xc3\xa9\n    regex:\n"
                                  "      - |\n        \\bmasques?\\b\n"
                                  "      - >\n        gel\n\n");
    grille_code_info ci;
    ck_assert_int_eq(grille_codebook_code(cb, 0, &ci), 0);
    ck_assert_str_eq(ci.label, "Sant\xc3\xa9");
    grille_rule_info ri;
    ck_assert_int_eq(grille_codebook_rule(cb, 0, &ri), 0);
    ck_assert_str_eq(ri.text, "\\bmasques?\\b");
    ck_assert_int_eq(grille_codebook_rule(cb, 1, &ri), 0);
    ck_assert_str_eq(ri.text, "gel");
    grille_codebook_free(cb);
}
END_TEST

/* An id that prints like another: a no-break or zero-width space, a
 * direction mark; an unquoted colour, read as a comment; label "" */
START_TEST(test_error_id_invisible_and_color)
{
    static const char *const ids[] = {"sante\xc2\xa0", "sante\xe2\x80\x8b",
                                      "sant\xc3\xa9\xe2\x80\x8bpublique",
                                      "\xe2\x80\xaesante"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char yaml[200];
        snprintf(yaml, sizeof(yaml), "themes:\n  sante: [gel]\n  \"%s\": [x]\n",
                 ids[i]);
        grille_error err;
        load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 3, 3, &err);
        ck_assert_contains(err.message, "prints as nothing or as a space");
    }
    static const char color[] = "themes:\n  sante:\n    color: #1f77b4\n"
                                "    terms: [x]\n";
    grille_error err;
    load_fails(color, strlen(color), GRILLE_EINVALID, 3, 11, &err);
    ck_assert_contains(err.message, "in quotes");
    /* inside an id, French typography's no-break spaces are the id's */
    grille_codebook *typo = load_ok("themes:\n  \"\xc2\xab\xc2\xa0" "aller vers"
                                    "\xc2\xa0\xc2\xbb\": [x]\n");
    grille_codebook_free(typo);
    grille_codebook *cb = load_ok("themes:\n  sante:\n    color: ~\n"
                                  "    label: \"\"\n    terms: [x]\n");
    grille_code_info ci;
    ck_assert_int_eq(grille_codebook_code(cb, 0, &ci), 0);
    ck_assert_str_eq(ci.label, "sante");
    ck_assert_str_eq(ci.color, "");
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_error_glob_every_word)
{
    static const char yaml[] = "themes:\n"
                               "  sante: {terms: [santé, \"*\"]}\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 2, 26, &err);
    ck_assert_contains(err.message, "'*'");
}
END_TEST

/* A punctuation mark between two words of a term: a phrase never spans
 * one in a text; a list whose brackets were forgotten most often. */
START_TEST(test_error_punctuation_in_term)
{
    static const struct {
        const char *yaml;
        unsigned line, col;
        const char *what;
    } cases[] = {
        {"themes:\n  sante:\n    terms: santé, masques, gel\n", 3, 12,
         "has ',' between 'santé' and 'masques': a character that is "
         "not part of a word"},
        {"themes:\n  sante:\n    terms: [santé]\n"
         "    exclude: santé financière, santé des finances\n",
         4, 14, "list them"},
        {"themes:\n  b: [\"reprise ; activité\"]\n", 2, 7, "';'"},
        {"themes:\n  b: [\"reprise\u00a0; activité\"]\n", 2, 7, "';'"},
        {"themes:\n  b: [\"santé (ARS)\"]\n", 2, 7, "'('"},
        {"themes:\n  b: [\"Q/R\"]\n", 2, 7, "'/'"},
        {"themes:\n  b: [\"visio* ; équipe\"]\n", 2, 7, "';'"},
        {"themes:\n  b: [\"c.-à-d. santé\"]\n", 2, 7, "'.'"},
        {"themes:\n  b: [\"santé [publique]\"]\n", 2, 7, "'['"},
        /* the bracket named, not the apostrophe of l' before it */
        {"themes:\n  b: [\"l'(accueil)\"]\n", 2, 7,
         "has '(' between 'l' and 'accueil'"},
        /* no punctuation, but what a text reads as a mark or a break:
         * Word's bullet "o" and a tab, a combining accent at a word's
         * start (a phrase of letters alone is not read again) */
        {"themes:\n  b: [\"o\tgel\"]\n", 2, 7, "list's item"},
        {"themes:\n  b: [\"masque \xcc\x81gel\"]\n", 2, 7,
         "between 'masque' and 'gel'"},
        {"themes:\n  b: [\"l'\xcc\x81\xc3\xa9" "cole\"]\n", 2, 7,
         "between 'l'' and"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        grille_error err;
        load_fails(cases[i].yaml, strlen(cases[i].yaml), GRILLE_EINVALID,
                   cases[i].line, cases[i].col, &err);
        ck_assert_contains(err.message, cases[i].what);
    }
    /* punctuation that is part of a word, or ends no phrase: accepted */
    grille_codebook *cb = load_ok(
        "themes:\n  b: [\"M. Dupont\", \"60 % des agents\", \"1 000 "
        "agents\", \"l’ARS\", \"aujourd'hui\", \"santé.\", \"visio* "
        "équipe\", \"(ARS)\", \"plan de relance-emploi\", \"gestes "
        "barrières\", \"santé !\", \"santé « publique »\", "
        "\"le **plan** de relance\", \"l'« accueil »\"]\n");
    grille_codebook_free(cb);
}
END_TEST

/* The codebook's own texts: a mapping there is refused, a list of
 * authors is not. */
START_TEST(test_error_meta_types)
{
    static const struct {
        const char *yaml;
        unsigned line, col;
        const char *what;
    } cases[] = {
        {"version: {a: 1}\nthemes:\n  s: [santé]\n", 1, 10,
         "'version' must be a string"},
        {"description: [a, b]\nthemes:\n  s: [santé]\n", 1, 14,
         "'description' must be a string"},
        {"author: [A, {b: 1}]\nthemes:\n  s: [santé]\n", 1, 9,
         "'author' must be a string, or a list of strings"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        grille_error err;
        load_fails(cases[i].yaml, strlen(cases[i].yaml), GRILLE_ESYNTAX,
                   cases[i].line, cases[i].col, &err);
        ck_assert_contains(err.message, cases[i].what);
    }
    grille_codebook_free(load_ok("author: [Claire Martin, Karim Haddad]\n"
                                 "version: 2\ndescription: Grille.\n"
                                 "themes:\n  s: [santé]\n"));
}
END_TEST

START_TEST(test_error_language)
{
    static const char yaml[] = "language: english\n"
                               "themes:\n"
                               "  sante: [santé]\n";
    grille_error err;
    load_fails(yaml, strlen(yaml), GRILLE_EINVALID, 1, 11, &err);
    ck_assert_contains(err.message, "'english'");
}
END_TEST

START_TEST(test_error_empty_codebook)
{
    grille_codebook *cb = NULL;
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_codebook_load(&cb, "", 0, FILE_NAME, &err);
    ck_assert_msg(rc < 0, "an empty codebook loads");
    ck_assert_int_eq(err.code, rc);
    ck_assert_ptr_null(cb);
    ck_assert_msg(strncmp(err.message, FILE_NAME ":", 10) == 0,
                  "message '%s' does not name the file", err.message);
}
END_TEST

START_TEST(test_error_null_err_is_allowed)
{
    static const char yaml[] = "themes:\n  sante: {termz: [santé]}\n";
    grille_codebook *cb = NULL;
    int rc = grille_codebook_load(&cb, yaml, strlen(yaml), FILE_NAME, NULL);
    ck_assert_int_eq(rc, GRILLE_ESYNTAX);
    ck_assert_ptr_null(cb);
}
END_TEST

/* --------------------------------------------------------------- sha256 */

START_TEST(test_sha256_known_text)
{
    /* printf 'sante: [santé, hôpital]\n' | sha256sum */
    static const char yaml[] = "sante: [santé, hôpital]\n";
    grille_codebook *cb = load_ok(yaml);
    ck_assert_str_eq(grille_codebook_sha256(cb),
                     "7e6fe0ece7b8cda7fe79a94eb28907cc"
                     "0a93ae000dbc6116f1551f0ac82e0c9b");
    grille_codebook_free(cb);
}
END_TEST

START_TEST(test_sha256_of_whole_text)
{
    /* printf 'name: Essai\nthemes:\n  sante: {terms: [santé]}\n' |
     * sha256sum; a comment changes the text, so the hash too. */
    static const char yaml[] = "name: Essai\n"
                               "themes:\n"
                               "  sante: {terms: [santé]}\n";
    static const char commented[] = "name: Essai\n"
                                    "themes:\n"
                                    "  sante: {terms: [santé]}\n"
                                    "# fin\n";
    grille_codebook *a = load_ok(yaml), *b = load_ok(commented);
    ck_assert_str_eq(grille_codebook_sha256(a),
                     "2b9958c39e2b3d494b07ee81ee6f1be9"
                     "cfbbde49b88d8d7247245d90ee905f9f");
    ck_assert_str_ne(grille_codebook_sha256(a), grille_codebook_sha256(b));
    ck_assert_uint_eq(strlen(grille_codebook_sha256(b)), 64);
    grille_codebook_free(a);
    grille_codebook_free(b);
}
END_TEST

/* The bundled codebook's hash is computed when it is embedded: the same
 * as its text's, loaded from a copy (the hash then computed at load). */
START_TEST(test_sha256_bundled_embedded)
{
    size_t len;
    const char *text = grille_codebook_bundled_text(&len);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len + 1);
    grille_codebook *a = NULL, *b = NULL;
    grille_error err = {0};
    ck_assert_int_eq(grille_codebook_load_bundled(&a, &err), 0);
    ck_assert_int_eq(grille_codebook_load(&b, copy, len, "riposte.yaml",
                                          &err), 0);
    char hex[65];
    grille__sha256_hex(text, len, hex);
    ck_assert_str_eq(grille_codebook_sha256(a), hex);
    ck_assert_str_eq(grille_codebook_sha256(b), hex);
    grille_codebook_free(a);
    grille_codebook_free(b);
    free(copy);
}
END_TEST

/* The FIPS 180-4 examples, then every length from 0 to 1,100 bytes at
 * three alignments: the processor's SHA instructions, where it has them,
 * give what the portable rounds give. */
START_TEST(test_sha256_fast_path_equals_plain)
{
    char hex[65], plain[65];
    grille__sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                          "27ae41e4649b934ca495991b7852b855");
    grille__sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
                          "b00361a396177a9cb410ff61f20015ad");
    static const char two[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    grille__sha256_hex(two, strlen(two), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039"
                          "a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    ck_assert_ptr_nonnull(million);
    memset(million, 'a', 1000000);
    grille__sha256_hex(million, 1000000, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
                          "f1809a48a497200e046d39ccc7112cd0");
    free(million);
    unsigned char buf[1104];
    uint32_t x = 2463534242u; /* xorshift32 */
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    for (size_t n = 0; n <= 1100; n++) {
        grille__sha256_hex(buf + n % 3, n, hex);
        grille__sha256_hex_plain(buf + n % 3, n, plain);
        ck_assert_msg(strcmp(hex, plain) == 0, "length %zu: %s, not %s", n,
                      hex, plain);
    }
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *suite(void)
{
    Suite *s = suite_create("codebook");
    TCase *tc;

    tc = tcase_create("format");
    tcase_add_test(tc, test_null_empty_inputs);
    tcase_add_test(tc, test_format_name_and_source);
    tcase_add_test(tc, test_format_name_defaults_to_file);
    tcase_add_test(tc, test_format_labels_and_descriptions);
    tcase_add_test(tc, test_format_colors_normalised);
    tcase_add_test(tc, test_format_hierarchy);
    tcase_add_test(tc, test_format_code_out_of_range);
    tcase_add_test(tc, test_nesting_within_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("dictionary");
    tcase_add_test(tc, test_dict_nested_keys);
    tcase_add_test(tc, test_dict_lists_are_leaves);
    suite_add_tcase(s, tc);

    tc = tcase_create("bundled");
    tcase_add_test(tc, test_bundled_mandated_ids);
    tcase_add_test(tc, test_bundled_theme_count);
    tcase_add_test(tc, test_bundled_text_is_the_bundled_codebook);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_test(tc, test_rule_kinds);
    tcase_add_test(tc, test_rule_kind_names);
    tcase_add_test(tc, test_rule_codes_follow_themes);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_error_yaml_syntax);
    tcase_add_test(tc, test_error_unknown_theme_key);
    tcase_add_test(tc, test_error_unknown_child_key);
    tcase_add_test(tc, test_error_unknown_top_key);
    tcase_add_test(tc, test_error_exact_second_equals);
    tcase_add_test(tc, test_error_yaml_binary_tag);
    tcase_add_test(tc, test_error_control_character_placed);
    tcase_add_test(tc, test_error_skip_speakers);
    tcase_add_test(tc, test_error_nul_in_string);
    tcase_add_test(tc, test_error_duplicate_id);
    tcase_add_test(tc, test_error_duplicate_child_id);
    tcase_add_test(tc, test_error_duplicate_dictionary_key);
    tcase_add_test(tc, test_error_duplicate_theme_key);
    tcase_add_test(tc, test_error_duplicate_top_key);
    tcase_add_test(tc, test_error_empty_theme);
    tcase_add_test(tc, test_error_empty_children);
    tcase_add_test(tc, test_error_bad_regex);
    tcase_add_test(tc, test_error_near_no_distance);
    tcase_add_test(tc, test_error_near_zero);
    tcase_add_test(tc, test_error_near_no_left);
    tcase_add_test(tc, test_error_near_two_tildes);
    tcase_add_test(tc, test_error_color_name);
    tcase_add_test(tc, test_error_color_bad_digit);
    tcase_add_test(tc, test_error_alias);
    tcase_add_test(tc, test_error_nesting_too_deep);
    tcase_add_test(tc, test_error_not_utf8);
    tcase_add_test(tc, test_error_glob_every_word);
    tcase_add_test(tc, test_error_term_ends_with_elision);
    tcase_add_test(tc, test_error_regex_one_byte);
    tcase_add_test(tc, test_error_themes_miswritten);
    tcase_add_test(tc, test_block_scalar_no_line_break);
    tcase_add_test(tc, test_error_id_invisible_and_color);
    tcase_add_test(tc, test_error_language);
    tcase_add_test(tc, test_error_meta_types);
    tcase_add_test(tc, test_error_punctuation_in_term);
    tcase_add_test(tc, test_error_empty_codebook);
    tcase_add_test(tc, test_error_null_err_is_allowed);
    suite_add_tcase(s, tc);

    tc = tcase_create("sha256");
    tcase_add_test(tc, test_sha256_known_text);
    tcase_add_test(tc, test_sha256_of_whole_text);
    tcase_add_test(tc, test_sha256_bundled_embedded);
    tcase_add_test(tc, test_sha256_fast_path_equals_plain);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return run_suite(suite());
}
