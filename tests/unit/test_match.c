/*
 * test_match.c - unit tests of lib/match.c: coding French interview notes
 * with a codebook.  Each test builds a small codebook from a YAML string,
 * runs grille_analyser_run() on a few note-like French sentences (no front
 * matter, paragraph units) and checks every coding: its code id, its exact
 * byte span [start, end) and the rule that made it.  They cover words on
 * their stem (case and accents aside), phrases (both apostrophes, never
 * across punctuation), globs, exact forms, regexes and their match limit,
 * proximity rules, exclusions and what they mask, the collapse of
 * overlapping hits of one code, elisions and hyphenated compounds, the
 * order of the codings and the word count.  Expected offsets are found in
 * the test text with strstr(), so that they stay exact byte offsets while
 * the sentences remain readable.
 */
#include "grille.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"

static grille_analyser *an;
static grille_codebook *cb;
static const grille_coding *cod;
static size_t ncod;

static void setup(void)
{
    grille_error err;
    int rc = grille_analyser_new(&an, &err);
    ck_assert_msg(rc == 0, "analyser: %s", err.message);
    cb = NULL;
    cod = NULL;
    ncod = 0;
}

static void teardown(void)
{
    grille_codebook_free(cb);
    grille_analyser_free(an);
    cb = NULL;
    an = NULL;
}

/* Loads the codebook of the test; fails the test with err.message. */
static void use(const char *yaml)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    grille_codebook_free(cb);
    cb = NULL;
    int rc = grille_codebook_load(&cb, yaml, strlen(yaml), "test.yaml", &err);
    ck_assert_msg(rc == 0, "codebook does not load: %s\n--- yaml:\n%s",
                  err.message, yaml);
}

/* A readable list of the codings of the last run, for failure messages. */
static const char *dump(const char *text)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < ncod && n < sizeof(buf) - 200; k++) {
        grille_code_info c;
        grille_rule_info r;
        grille_codebook_code(cb, cod[k].code, &c);
        grille_codebook_rule(cb, cod[k].rule, &r);
        int len = (int)(cod[k].end - cod[k].start);
        n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                              "\n  [%zu] seg %zu %s %zu-%zu '%.*s' rule '%s'",
                              k, cod[k].segment, c.id, cod[k].start, cod[k].end,
                              len > 60 ? 60 : len, text + cod[k].start, r.text);
    }
    if (ncod == 0)
        snprintf(buf, sizeof(buf), " (none)");
    return buf;
}

/* Codes `text` (body = 0, paragraphs) with the test's codebook. */
static size_t run(const char *text)
{
    grille_error err;
    memset(&err, 0, sizeof(err));
    int rc = grille_analyser_run(an, text, strlen(text), 0,
                                 GRILLE_UNIT_PARAGRAPH, cb, "note.md", &err);
    ck_assert_msg(rc == 0, "run failed (%d): %s", rc, err.message);
    ncod = grille_analyser_codings(an, &cod);
    return ncod;
}

/* The byte offset of the nth (0-based) occurrence of `needle` in text. */
static size_t at(const char *text, const char *needle, int nth)
{
    const char *p = text;
    for (;;) {
        p = strstr(p, needle);
        ck_assert_msg(p != NULL, "test bug: '%s' #%d not in the text", needle,
                      nth);
        if (nth-- == 0)
            return (size_t)(p - text);
        p++;
    }
}

/* Asserts the number of codings of the last run. */
#define expect_count(text, n)                                                  \
    ck_assert_msg(ncod == (size_t)(n), "%zu codings, expected %zu:%s", ncod,   \
                  (size_t)(n), dump(text))

/*
 * Asserts that coding k is code `id` over [start, end) made by the rule
 * written `rule` of kind `kind`.
 */
static void expect(const char *text, size_t k, const char *id, size_t start,
                   size_t end, const char *rule, grille_rule_kind kind)
{
    grille_code_info c;
    grille_rule_info r;
    ck_assert_msg(k < ncod, "no coding %zu:%s", k, dump(text));
    ck_assert_int_eq(grille_codebook_code(cb, cod[k].code, &c), 0);
    ck_assert_int_eq(grille_codebook_rule(cb, cod[k].rule, &r), 0);
    ck_assert_msg(strcmp(c.id, id) == 0, "coding %zu is '%s', not '%s':%s", k,
                  c.id, id, dump(text));
    ck_assert_msg(cod[k].start == start && cod[k].end == end,
                  "coding %zu spans %zu-%zu, expected %zu-%zu ('%.*s'):%s", k,
                  cod[k].start, cod[k].end, start, end, (int)(end - start),
                  text + start, dump(text));
    ck_assert_msg(strcmp(r.text, rule) == 0,
                  "coding %zu comes from rule '%s', not '%s':%s", k, r.text,
                  rule, dump(text));
    ck_assert_msg(r.kind == kind, "rule '%s' is a %s, not a %s", r.text,
                  grille_rule_kind_name(r.kind), grille_rule_kind_name(kind));
    ck_assert_msg(r.code == cod[k].code,
                  "coding %zu: rule '%s' belongs to another code", k, r.text);
}

/* Asserts that coding k covers exactly the nth occurrence of `word`. */
static void expect_word(const char *text, size_t k, const char *id,
                        const char *word, int nth, const char *rule,
                        grille_rule_kind kind)
{
    size_t s = at(text, word, nth);
    expect(text, k, id, s, s + strlen(word), rule, kind);
}

/* The number of codings of code `id` in the last run. */
static size_t count_code(const char *id)
{
    long c = grille_codebook_find(cb, id);
    size_t n = 0;
    ck_assert_msg(c >= 0, "test bug: no code '%s'", id);
    for (size_t k = 0; k < ncod; k++)
        if (cod[k].code == (size_t)c)
            n++;
    return n;
}

/* ---------------------------------------------------------------- words */

START_TEST(test_word_stem_case_accents)
{
    const char *text = "Santé des agents : point SANTE chaque lundi, les "
                       "santés fragiles suivies, la sante mentale aussi.";
    use("themes:\n  sante: {terms: [santé]}\n");
    run(text);
    expect_count(text, 4);
    expect_word(text, 0, "sante", "Santé", 0, "santé", GRILLE_RULE_WORD);
    expect_word(text, 1, "sante", "SANTE", 0, "santé", GRILLE_RULE_WORD);
    expect_word(text, 2, "sante", "santés", 0, "santé", GRILLE_RULE_WORD);
    size_t s = at(text, "sante ", 0);
    expect(text, 3, "sante", s, s + strlen("sante"), "santé", GRILLE_RULE_WORD);
}
END_TEST

/* One analyser, one codebook after another: what its cache learnt of the
 * first (the candidates of each word) is not taken for the second's, even
 * when the second is allocated where the first was. */
START_TEST(test_next_codebook_same_analyser)
{
    const char *text = "La santé des agents, puis le télétravail des agents.";
    for (int round = 0; round < 4; round++) {
        use("themes:\n  sante:\n    label: Santé\n"
            "    terms: [santé, télétravail]\n");
        run(text);
        expect_count(text, 2);
        use("themes:\n  agents:\n    label: Agents\n    terms: [agent]\n"
            "  loin:\n    label: Loin\n    terms: [\"le télétravail\"]\n");
        run(text);
        expect_count(text, 3);
        expect(text, 0, "agents", at(text, "agents", 0),
               at(text, "agents", 0) + 6, "agent", GRILLE_RULE_WORD);
        expect(text, 1, "loin", at(text, "le t", 0),
               at(text, "le t", 0) + strlen("le télétravail"),
               "le télétravail", GRILLE_RULE_PHRASE);
    }
}
END_TEST

START_TEST(test_word_whole_words_only)
{
    const char *text = "La crise sanitaire a désorganisé les services ; "
                       "l'assainissement continue.";
    use("themes:\n  sante: {terms: [santé]}\n");
    run(text);
    expect_count(text, 0);
}
END_TEST

START_TEST(test_word_unaccented_term)
{
    /* A term typed without accents still meets the accented note. */
    const char *text = "Le télétravail a été généralisé en mars.";
    use("themes:\n  teletravail: [teletravail]\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "teletravail", "télétravail", 0, "teletravail",
                GRILLE_RULE_WORD);
}
END_TEST

/* The analyser again, the plain way (GRILLE_REFERENCE): the fast paths
 * must find what it finds. */
static void use_reference_analyser(void)
{
    setenv("GRILLE_REFERENCE", "1", 1);
    grille_analyser_free(an);
    grille_error err;
    ck_assert_int_eq(grille_analyser_new(&an, &err), 0);
    unsetenv("GRILLE_REFERENCE");
}

/* A term typed without accents whose stem is not its accented form's
 * ("securite" is securit, "sécurité" secur; "fermee" ferme, "fermée"
 * ferm): it meets the accented note all the same, as a word, in a phrase,
 * an exclusion and a proximity rule; and the plain way (GRILLE_REFERENCE)
 * finds the same. */
START_TEST(test_word_unaccented_term_stems_apart)
{
    const char *text = "La sécurité sanitaire. La mairie est fermée. La santé "
                       "financière. Les sécurités.";
    use("themes:\n"
        "  securite: {terms: [securite sanitaire, securite]}\n"
        "  fermeture: {terms: [fermee]}\n"
        "  sante: {terms: [santé], exclude: [sante financiere]}\n"
        "  prox: {near: [\"mairie ~2 fermee\"]}\n");
    for (int ref = 0; ref < 2; ref++) {
        if (ref)
            use_reference_analyser();
        run(text);
        expect_count(text, 4);
        expect(text, 0, "securite", at(text, "sécurité", 0),
               at(text, " sanitaire", 0) + strlen(" sanitaire"),
               "securite sanitaire", GRILLE_RULE_PHRASE);
        expect(text, 1, "prox", at(text, "mairie", 0),
               at(text, "fermée", 0) + strlen("fermée"), "mairie ~2 fermee",
               GRILLE_RULE_NEAR);
        expect_word(text, 2, "fermeture", "fermée", 0, "fermee",
                    GRILLE_RULE_WORD);
        expect_word(text, 3, "securite", "sécurités", 0, "securite",
                    GRILLE_RULE_WORD);
        ck_assert_uint_eq(count_code("sante"), 0);
    }
}
END_TEST

/* A regex runs only on the segments that hold the literal all its
 * matches hold ("cadres" of \bcadres\b, "collecte" of collectes?,
 * "11/" of \b11/0?5): found in any case, at a segment's start and end,
 * after accented letters; a pattern it cannot read (an alternative, a
 * class, \p{L}) always runs.  The plain way finds the same. */
START_TEST(test_regex_literal_prefilter)
{
    const char *text =
        "CADRES. Les Cadres du service. \xc3\xa9t\xc3\xa9 cadres\n\n"
        "Le cadre national.\n\ncollectes et collecte, pas collectif.\n\n"
        "Le 11/05 puis le 11/5, non le 11/06.\n\nb\xc3\xa9" "b\xc3\xa9 "
        "ou maman.\n\ncad";
    use("themes:\n"
        "  m: {regex: ['\\bcadres\\b']}\n"
        "  c: {regex: ['\\bcollectes?\\b']}\n"
        "  d: {regex: ['\\b11/0?5\\b']}\n"
        "  a: {regex: ['\\b(b\\p{L}b\\p{L}|maman)\\b']}\n");
    for (int ref = 0; ref < 2; ref++) {
        if (ref)
            use_reference_analyser();
        run(text);
        ck_assert_uint_eq(count_code("m"), 3);
        ck_assert_uint_eq(count_code("c"), 2);
        ck_assert_uint_eq(count_code("d"), 2);
        ck_assert_uint_eq(count_code("a"), 2);
    }
}
END_TEST

/* An exclusion between a proximity's A and B masks no side of it: the
 * pair is kept (an exclusion written for "santé" dropped an unrelated
 * masques/gel pair around it); a masked A or B is no side.  The plain
 * way finds the same. */
START_TEST(test_near_exclusion_between)
{
    use("themes:\n"
        "  s: {terms: [sant\xc3\xa9], near: ['masques ~10 gel'],\n"
        "      exclude: [sant\xc3\xa9 financi\xc3\xa8re, gel des postes,\n"
        "                masques chirurgicaux]}\n");
    const char *texts[] = {
        "Les masques, la sant\xc3\xa9 financi\xc3\xa8re, le gel.",
        "Des masques, le gel des postes, et du gel.",
        "Des masques chirurgicaux et du gel.",
        "Des masques, le gel des postes."};
    const size_t want[] = {1, 1, 0, 0};
    for (int ref = 0; ref < 2; ref++) {
        if (ref)
            use_reference_analyser();
        for (size_t t = 0; t < 4; t++) {
            run(texts[t]);
            ck_assert_msg(count_code("s") == want[t], "text %zu%s: %s", t,
                          ref ? " (plain)" : "", dump(texts[t]));
        }
    }
}
END_TEST

/* Escapes with an argument (\pL, \x45, \351, \x20): no text after them
 * is taken for a literal the matches need ("\pLlus" needs no "llus": the
 * prefilter skipped every segment, élus too, and "\bpr\xe9fecture" coded
 * no préfecture).  The plain way finds the same. */
START_TEST(test_regex_escape_prefilter)
{
    const char *esc =
        "la pr\xc3\xa9" "fecture, les \xc3\xa9lus, Elus, des masques";
    use("themes:\n"
        "  p: {regex: ['\\bpr\\xe9fecture']}\n"
        "  l: {regex: ['\\pLlus']}\n"
        "  x: {regex: ['\\x45lus']}\n"
        "  o: {regex: ['pr\\351fecture']}\n"
        "  s: {regex: ['\\x20masques']}\n");
    for (int ref = 0; ref < 2; ref++) {
        if (ref)
            use_reference_analyser();
        run(esc);
        ck_assert_uint_eq(count_code("p"), 1);
        ck_assert_uint_eq(count_code("l"), 2);
        ck_assert_uint_eq(count_code("x"), 1);
        ck_assert_uint_eq(count_code("o"), 1);
        ck_assert_uint_eq(count_code("s"), 1);
    }
}
END_TEST

/* The stem without accents is taken only when no shorter: Snowball cuts
 * "communique" to commun, the stem of commune, and "repera" to rep; so
 * "commune" codes no communiqué, nor "communiqué" a commune, nor "repas"
 * a repéra. */
START_TEST(test_word_unaccented_stem_no_shorter)
{
    const char *text = "Un communiqué de presse. Il repéra. La commune.";
    use("themes:\n  c: {terms: [commune]}\n  r: {terms: [repas]}\n"
        "  q: {terms: [communiqué]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "q", "communiqué", 0, "communiqué",
                GRILLE_RULE_WORD);
    expect_word(text, 1, "c", "commune", 0, "commune", GRILLE_RULE_WORD);
}
END_TEST

/* A word written without its accents whose stem is shorter than the
 * accented word's ("acces" acce, "accès" acces; "apres" apre; "deces"
 * dec): it meets the accented term, and an accented word meets the term
 * typed without them, as a word and inside a phrase, when its key starts
 * as the accented word's stem; "accent" (accent) and "commune" (commun,
 * the stem of "communique") meet neither, nor two words both written
 * with their accents.  The plain way (GRILLE_REFERENCE) finds the same. */
START_TEST(test_word_unaccented_shorter_stem)
{
    const char *text = "Le monde d'apres. Les DECES en hausse. Acces aux "
                       "services. Deux associes. Un accent. Les acc\xc3\xa8s. "
                       "La commune. Au-del\xc3\xa0 des chiffres, des "
                       "agents humili\xc3\xa9s.";
    use("themes:\n"
        "  apres: {terms: [\"monde d'apr\xc3\xa8s\"]}\n"
        "  deces: {terms: [d\xc3\xa9\x63\xc3\xa8s]}\n"
        "  acces: {terms: [acc\xc3\xa8s aux services]}\n"
        "  assoc: {terms: [associ\xc3\xa9]}\n"
        "  acc2: {terms: [acces]}\n"
        "  q: {terms: [communiqu\xc3\xa9]}\n"
        "  dl: {terms: [d\xc3\xa9lais, humilit\xc3\xa9]}\n");
    for (int ref = 0; ref < 2; ref++) {
        if (ref)
            use_reference_analyser();
        run(text);
        expect_count(text, 6);
        ck_assert_uint_eq(count_code("apres"), 1);
        ck_assert_uint_eq(count_code("deces"), 1);
        ck_assert_uint_eq(count_code("acces"), 1);
        ck_assert_uint_eq(count_code("assoc"), 1);
        ck_assert_uint_eq(count_code("acc2"), 2);
        ck_assert_uint_eq(count_code("q"), 0);
        /* both written with their accents: délais (del) is not delà
         * (delà, del without it), humilité not humiliés */
        ck_assert_uint_eq(count_code("dl"), 0);
        expect(text, 0, "apres", at(text, "monde", 0),
               at(text, "apres", 0) + strlen("apres"), "monde d'apr\xc3\xa8s",
               GRILLE_RULE_PHRASE);
        for (size_t k = 0; k < ncod; k++)
            ck_assert_msg(cod[k].start != at(text, "accent", 0),
                          "accent coded");
    }
}
END_TEST

/* A feminine past participle typed without its accents ("fermee",
 * "isolees", "creee"): Snowball stems it as another word (ferme), so the
 * term "fermé" (ferm) missed it.  Its final "ee" read as "ée" gives the
 * word a second stem: it meets "fermé", "isolé", "créé", as a word and in
 * a phrase, and the term typed so meets the accented words.  The plain
 * way finds the same. */
START_TEST(test_word_unaccented_feminine)
{
    const char *text = "La mairie fermee au public. Agents isolees. "
                       "Cellule creee. Arrivee des agents. Ferm\xc3\xa9 et "
                       "ferm\xc3\xa9" "e.";
    use("themes:\n"
        "  f: {terms: [ferm\xc3\xa9]}\n"
        "  i: {terms: [isol\xc3\xa9]}\n"
        "  c: {terms: [cr\xc3\xa9\xc3\xa9]}\n"
        "  a: {terms: [arriv\xc3\xa9" "e des agents]}\n"
        "  t: {terms: [fermee]}\n");
    for (int ref = 0; ref < 2; ref++) {
        if (ref)
            use_reference_analyser();
        run(text);
        ck_assert_uint_eq(count_code("f"), 3);
        ck_assert_uint_eq(count_code("i"), 1);
        ck_assert_uint_eq(count_code("c"), 1);
        ck_assert_uint_eq(count_code("a"), 1);
        ck_assert_uint_eq(count_code("t"), 3);
        expect_word(text, 0, "f", "fermee", 0, "ferm\xc3\xa9",
                    GRILLE_RULE_WORD);
    }
}
END_TEST

/* A codebook saved with decomposed accents (macOS: "e" and U+0301) codes
 * a note written with composed ones, by a word, a phrase, an exact form,
 * a regex and an exclusion alike. */
START_TEST(test_decomposed_codebook)
{
    const char *text = "La sécurité. La reprise d'activité. L'État. Les Élus. "
                       "La santé financière.";
    use("themes:\n"
        "  s: {terms: [se\xcc\x81" "curite\xcc\x81" ", \"reprise d'activite"
        "\xcc\x81" "\", \"=E\xcc\x81" "tat\"], regex: ['\\bE\xcc\x81" "lus\\b']}\n"
        "  sante: {terms: [sante\xcc\x81" "], exclude: [sante\xcc\x81"
        " financie\xcc\x80" "re]}\n");
    run(text);
    expect_count(text, 4);
    ck_assert_uint_eq(count_code("s"), 4);
    ck_assert_uint_eq(count_code("sante"), 0);
}
END_TEST

/* -------------------------------------------------------------- phrases */

START_TEST(test_phrase_both_apostrophes)
{
    const char *text = "La reprise d’activités est prévue le 11 mai ; les "
                       "reprises d'activité partielles ont déjà commencé.";
    use("themes:\n  reprise: {terms: [\"reprise d'activité\"]}\n");
    run(text);
    expect_count(text, 2);
    size_t s0 = at(text, "reprise d’", 0);
    size_t e0 = at(text, "activités", 0) + strlen("activités");
    expect(text, 0, "reprise", s0, e0, "reprise d'activité",
           GRILLE_RULE_PHRASE);
    size_t s1 = at(text, "reprises", 0);
    size_t e1 = at(text, "activité ", 0) + strlen("activité");
    expect(text, 1, "reprise", s1, e1, "reprise d'activité",
           GRILLE_RULE_PHRASE);
}
END_TEST

START_TEST(test_phrase_not_across_punctuation)
{
    const char *text = "On parle de reprise. Activité partielle en juin ; "
                       "la reprise, d’activité il n’y en a guère.\n"
                       "\n"
                       "La reprise activité se fera par étapes, après la "
                       "reprise d’activité des écoles.";
    use("themes:\n"
        "  reprise: {terms: [reprise activité]}\n"
        "  redemarrage: {terms: [\"reprise d'activité\"]}\n");
    run(text);
    /* nothing in the first paragraph, where punctuation separates the
     * words; in the second, both terms meet "reprise d’activité" */
    expect_count(text, 3);
    size_t s0 = at(text, "reprise activité", 0);
    expect(text, 0, "reprise", s0, s0 + strlen("reprise activité"),
           "reprise activité", GRILLE_RULE_PHRASE);
    size_t s1 = at(text, "reprise d’activité", 0);
    size_t e1 = s1 + strlen("reprise d’activité");
    expect(text, 1, "reprise", s1, e1, "reprise activité", GRILLE_RULE_PHRASE);
    expect(text, 2, "redemarrage", s1, e1, "reprise d'activité",
           GRILLE_RULE_PHRASE);
    for (size_t k = 0; k < ncod; k++)
        ck_assert_msg(cod[k].segment == 1, "coding %zu in segment %zu:%s", k,
                      cod[k].segment, dump(text));
}
END_TEST

START_TEST(test_phrase_needs_every_word)
{
    const char *text = "Le travail reprend ; la distance entre agents "
                       "reste de mise, le travail à la maison aussi.";
    use("themes:\n  teletravail: {terms: [travail à distance]}\n");
    run(text);
    expect_count(text, 0);
}
END_TEST

/* ---------------------------------------------------------------- globs */

START_TEST(test_glob_prefix)
{
    const char *text = "Réunions en visioconférence, la Visio du lundi, trop "
                       "de visios ; la télévision locale en a parlé.";
    use("themes:\n  outils: {terms: [visio*]}\n");
    run(text);
    expect_count(text, 3);
    expect_word(text, 0, "outils", "visioconférence", 0, "visio*",
                GRILLE_RULE_GLOB);
    expect_word(text, 1, "outils", "Visio", 0, "visio*", GRILLE_RULE_GLOB);
    expect_word(text, 2, "outils", "visios", 0, "visio*", GRILLE_RULE_GLOB);
}
END_TEST

START_TEST(test_glob_folded)
{
    /* the glob is folded like the note: "téléconsult*" meets both */
    const char *text = "Téléconsultations et TELECONSULTATION, mais pas "
                       "la consultation.";
    use("themes:\n  sante: {terms: [téléconsult*]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "sante", "Téléconsultations", 0, "téléconsult*",
                GRILLE_RULE_GLOB);
    expect_word(text, 1, "sante", "TELECONSULTATION", 0, "téléconsult*",
                GRILLE_RULE_GLOB);
}
END_TEST

START_TEST(test_glob_punctuation_at_ends)
{
    /* punctuation at a glob's ends is no part of it, as at a word's (a
     * list pasted without its brackets), nor a soft hyphen pasted from
     * Word: each glob meets its word */
    const char *text = "La visio, puis un webinaire et des téléconsultations.";
    use("themes:\n  outils: {terms: [\"visio*,\", \"web\u00adinaire*\", "
        "\"(télé*)\"]}\n");
    run(text);
    expect_count(text, 3);
    expect_word(text, 0, "outils", "visio", 0, "visio*,", GRILLE_RULE_GLOB);
    expect_word(text, 1, "outils", "webinaire", 0, "web\u00adinaire*",
                GRILLE_RULE_GLOB);
    expect_word(text, 2, "outils", "téléconsultations", 0, "(télé*)",
                GRILLE_RULE_GLOB);
}
END_TEST

/* --------------------------------------------------------------- exacts */

START_TEST(test_exact_case_sensitive)
{
    const char *text = "L’ARS a appelé la DGS. Les ars du dictionnaire et "
                       "la ville d’Ars ne comptent pas.";
    use("themes:\n  sante: {terms: [=ARS]}\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "sante", "ARS", 0, "=ARS", GRILLE_RULE_EXACT);
}
END_TEST

/* -------------------------------------------------------------- regexes */

START_TEST(test_regex_span)
{
    const char *text = "Les Réunions à distance fatiguent ; une réunion a "
                       "distance hier, des téléréunions à distance aussi.";
    const char *re = "\\bréunions? (à|a) distance\\b";
    use("themes:\n"
        "  teletravail:\n"
        "    regex: ['\\bréunions? (à|a) distance\\b']\n");
    run(text);
    expect_count(text, 2);
    size_t s0 = at(text, "Réunions à distance", 0);
    expect(text, 0, "teletravail", s0, s0 + strlen("Réunions à distance"), re,
           GRILLE_RULE_REGEX);
    size_t s1 = at(text, "réunion a distance", 0);
    expect(text, 1, "teletravail", s1, s1 + strlen("réunion a distance"), re,
           GRILLE_RULE_REGEX);
}
END_TEST

START_TEST(test_regex_offsets_in_document)
{
    /* Regexes run on each segment's text; their spans are still byte
     * offsets into the whole document. */
    const char *text = "Point d’étape avec la DGS.\n"
                       "\n"
                       "- Les réunions à distance sont la norme\n"
                       "DGS : une réunion a distance par semaine.";
    const char *re = "\\bréunions? (à|a) distance\\b";
    const grille_segment *segs;
    use("themes:\n"
        "  teletravail:\n"
        "    regex: ['\\bréunions? (à|a) distance\\b']\n");
    run(text);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 3);
    expect_count(text, 2);
    expect_word(text, 0, "teletravail", "réunions à distance", 0, re,
                GRILLE_RULE_REGEX);
    ck_assert_uint_eq(cod[0].segment, 1);
    expect_word(text, 1, "teletravail", "réunion a distance", 0, re,
                GRILLE_RULE_REGEX);
    ck_assert_uint_eq(cod[1].segment, 2);
}
END_TEST

START_TEST(test_regex_match_limit)
{
    /* 30000 'a' then 'b': "(a+)+$" backtracks exponentially; the match
     * limit must stop it and the run must name the rule. */
    size_t n = 30000;
    char *text = malloc(n + 2);
    ck_assert_ptr_nonnull(text);
    memset(text, 'a', n);
    text[n] = 'b';
    text[n + 1] = '\0';
    use("themes:\n"
        "  sante: {terms: [santé]}\n"
        "  piege:\n"
        "    regex: ['(a+)+$']\n");
    grille_error err;
    memset(&err, 0, sizeof(err));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = grille_analyser_run(an, text, n + 1, 0, GRILLE_UNIT_PARAGRAPH, cb,
                                 "note.md", &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(text);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(rc == GRILLE_ELIMIT, "run returned %d, not ELIMIT: '%s'", rc,
                  err.message);
    ck_assert_int_eq(err.code, GRILLE_ELIMIT);
    ck_assert_msg(strstr(err.message, "'(a+)+$'") != NULL,
                  "message '%s' does not name the rule", err.message);
    ck_assert_msg(strstr(err.message, "piege") != NULL,
                  "message '%s' does not name the theme", err.message);
    ck_assert_msg(strncmp(err.message, "note.md:", 8) == 0,
                  "message '%s' does not name the document", err.message);
    const char *mult = getenv("CK_TIMEOUT_MULTIPLIER");
    double limit = 1.0 * (mult && atof(mult) > 0 ? atof(mult) : 1.0);
    ck_assert_msg(secs < limit, "matching took %.2f s", secs);
}
END_TEST

/* ------------------------------------------------------------ proximity */

static const char near_yaml[] = "themes:\n"
                                "  teletravail:\n"
                                "    near: [\"réunion* ~5 distance\"]\n";

START_TEST(test_near_within)
{
    /* réunions (1) se (2) tiennent (3) souvent (4) à (5) distance (6) */
    const char *text = "Les réunions se tiennent souvent à distance.";
    use(near_yaml);
    run(text);
    expect_count(text, 1);
    size_t s = at(text, "réunions", 0);
    size_t e = at(text, "distance", 0) + strlen("distance");
    expect(text, 0, "teletravail", s, e, "réunion* ~5 distance",
           GRILLE_RULE_NEAR);
}
END_TEST

START_TEST(test_near_too_far)
{
    /* six words apart: réunions (1) ... distance (7) */
    const char *text = "Les réunions se tiennent désormais souvent à "
                       "distance.";
    use(near_yaml);
    run(text);
    expect_count(text, 0);
}
END_TEST

START_TEST(test_near_either_order)
{
    const char *text = "La distance rend les réunions pénibles.";
    use(near_yaml);
    run(text);
    expect_count(text, 1);
    size_t s = at(text, "distance", 0);
    size_t e = at(text, "réunions", 0) + strlen("réunions");
    expect(text, 0, "teletravail", s, e, "réunion* ~5 distance",
           GRILLE_RULE_NEAR);
}
END_TEST

START_TEST(test_near_each_pair_its_own)
{
    /* each mairie with its nearest fermée: two statements, two codings,
     * not one span from the first fermée to the second mairie */
    const char *text = "La mairie du bourg ferm\xc3\xa9" "e exceptionnellement, "
                       "mairie ferm\xc3\xa9" "e aussi.";
    use("themes:\n  t: {near: ['mairie* ~4 ferm*']}\n");
    run(text);
    expect_count(text, 2);
    expect(text, 0, "t", at(text, "mairie", 0),
           at(text, "exceptionnellement", 0) - 1, "mairie* ~4 ferm*",
           GRILLE_RULE_NEAR);
    expect(text, 1, "t", at(text, "mairie", 1), at(text, " aussi", 0),
           "mairie* ~4 ferm*", GRILLE_RULE_NEAR);
}
END_TEST

/* Two B at the same distance from an A: the one of A's own statement,
 * not the one across a comma (which joined the two statements into one
 * span, the longest, and lost both pairs). */
START_TEST(test_near_tie_same_statement)
{
    const char *text = "R\xc3\xa9union \xc3\xa0 distance, puis "
                       "r\xc3\xa9unions \xc3\xa0 distance.";
    use("themes:\n  t: {near: ['r\xc3\xa9union* ~5 distance']}\n");
    run(text);
    expect_count(text, 2);
    expect(text, 0, "t", 0, at(text, ",", 0), "r\xc3\xa9union* ~5 distance",
           GRILLE_RULE_NEAR);
    expect(text, 1, "t", at(text, "r\xc3\xa9unions", 0), at(text, ".", 0),
           "r\xc3\xa9union* ~5 distance", GRILLE_RULE_NEAR);
    /* a dash, an ellipsis, a bracket or a slash ends the first statement
     * too: not the span across it, which took the first's place */
    static const char *const marks[] = {" \xe2\x80\x93", " \xe2\x80\x94",
                                        "\xe2\x80\xa6", " (puis)", " /",
                                        " -", " [puis]"};
    for (size_t k = 0; k < sizeof(marks) / sizeof(*marks); k++) {
        char t[128];
        snprintf(t, sizeof(t),
                 "R\xc3\xa9union \xc3\xa0 distance%s puis "
                 "r\xc3\xa9unions \xc3\xa0 distance.",
                 marks[k]);
        run(t);
        expect_count(t, 2);
        expect(t, 0, "t", 0, at(t, "distance", 0) + strlen("distance"),
               "r\xc3\xa9union* ~5 distance", GRILLE_RULE_NEAR);
        expect(t, 1, "t", at(t, "r\xc3\xa9unions", 0), at(t, ".", 0),
               "r\xc3\xa9union* ~5 distance", GRILLE_RULE_NEAR);
    }
    /* a compound's hyphen between them is no mark: the nearest B after
     * it, as with no mark, the first found of two as near */
    run("R\xc3\xa9union en visio-conf\xc3\xa9rence puis distance");
    expect_count("R\xc3\xa9union en visio-conf\xc3\xa9rence puis distance", 1);
}
END_TEST

/* A B that an exclusion of the theme masks is no partner: the A pairs
 * with the nearest B that is not masked, within the distance. */
START_TEST(test_near_skips_masked_partner)
{
    const char *text = "fermée a b mairie fermée définitivement";
    use("themes:\n  p: {near: [\"mairie ~3 fermée\"], exclude: [fermée "
        "définitivement]}\n");
    run(text);
    expect_count(text, 1);
    expect(text, 0, "p", 0, at(text, "mairie", 0) + strlen("mairie"),
           "mairie ~3 fermée", GRILLE_RULE_NEAR);
}
END_TEST

START_TEST(test_near_not_across_segments)
{
    const char *text = "Point sur les réunions\n"
                       "\n"
                       "La distance reste un problème.";
    const grille_segment *segs;
    use(near_yaml);
    run(text);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 2);
    expect_count(text, 0);
}
END_TEST

START_TEST(test_near_elision_shares_position)
{
    /* "l’" is not a word: réunion (1) de (2) l’équipe (3) à (4)
     * distance (5) */
    const char *text = "Une réunion de l’équipe à distance.";
    use(near_yaml);
    run(text);
    expect_count(text, 1);
    size_t s = at(text, "réunion", 0);
    size_t e = at(text, "distance", 0) + strlen("distance");
    expect(text, 0, "teletravail", s, e, "réunion* ~5 distance",
           GRILLE_RULE_NEAR);
}
END_TEST

/* ----------------------------------------------------------- exclusions */

START_TEST(test_exclude_masks_its_span)
{
    const char *text = "J’ai relancé la préfecture à plusieurs reprises ; "
                       "la reprise est prévue en juin.";
    use("themes:\n"
        "  reprise:\n"
        "    terms: [reprise]\n"
        "    exclude: [à plusieurs reprises]\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "reprise", "reprise", 1, "reprise", GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_exclude_masks_children)
{
    const char *text = "L’accueil de loisirs a rouvert ; l’accueil en "
                       "mairie se fait sur rendez-vous.";
    use("themes:\n"
        "  accueil:\n"
        "    terms: [guichet]\n"
        "    exclude: [accueil de loisirs]\n"
        "    children:\n"
        "      physique: {terms: [accueil]}\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "accueil/physique", "accueil", 1, "accueil",
                GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_exclude_of_child_spares_parent)
{
    const char *text = "L’accueil de loisirs a rouvert.";
    use("themes:\n"
        "  accueil:\n"
        "    terms: [accueil]\n"
        "    children:\n"
        "      physique:\n"
        "        terms: [accueil]\n"
        "        exclude: [accueil de loisirs]\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "accueil", "accueil", 0, "accueil", GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_exclude_spares_other_themes)
{
    const char *text = "Le maire a relancé l’ARS à plusieurs reprises.";
    use("themes:\n"
        "  reprise:\n"
        "    terms: [reprise]\n"
        "    exclude: [à plusieurs reprises]\n"
        "  relances:\n"
        "    terms: [plusieurs reprises]\n");
    run(text);
    expect_count(text, 1);
    ck_assert_uint_eq(count_code("reprise"), 0);
    expect_word(text, 0, "relances", "plusieurs reprises", 0,
                "plusieurs reprises", GRILLE_RULE_PHRASE);
}
END_TEST

/* -------------------------------------------------------------- overlap */

START_TEST(test_overlap_collapses_to_longest)
{
    const char *text = "Le travail à distance est généralisé ; garder ses "
                       "distances reste la règle.";
    use("themes:\n"
        "  teletravail: {terms: [distance, travail à distance]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "teletravail", "travail à distance", 0,
                "travail à distance", GRILLE_RULE_PHRASE);
    expect_word(text, 1, "teletravail", "distances", 0, "distance",
                GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_span_codes_two_themes)
{
    const char *text = "Le conseil municipal s’est tenu en visioconférence.";
    use("themes:\n"
        "  elus: {terms: [conseil municipal]}\n"
        "  teletravail: {terms: [visioconférence]}\n"
        "  numerique: {terms: [visio*]}\n");
    run(text);
    expect_count(text, 3);
    expect_word(text, 0, "elus", "conseil municipal", 0, "conseil municipal",
                GRILLE_RULE_PHRASE);
    expect_word(text, 1, "teletravail", "visioconférence", 0, "visioconférence",
                GRILLE_RULE_WORD);
    expect_word(text, 2, "numerique", "visioconférence", 0, "visio*",
                GRILLE_RULE_GLOB);
}
END_TEST

START_TEST(test_overlap_sub_theme_stands_for_theme)
{
    /* "masques FFP2" is one hit of sante, through sante/ffp2, not two:
     * the theme's own "masques" overlaps its sub-theme's phrase */
    const char *text = "Des masques FFP2 pour les agents, des masques "
                       "simples pour le public.";
    use("themes:\n"
        "  sante:\n"
        "    terms: [masques]\n"
        "    children:\n"
        "      ffp2: {terms: [masques ffp2]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "sante/ffp2", "masques FFP2", 0, "masques ffp2",
                GRILLE_RULE_PHRASE);
    expect_word(text, 1, "sante", "masques", 1, "masques", GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_overlap_sub_theme_keeps_coverage)
{
    /* a theme's hit within its sub-theme's is dropped, down the levels;
     * one that reaches past it is kept (dropped, it would leave words
     * uncoded); another theme on the same words keeps its hit */
    const char *text = "Les masques FFP2 certifiés arrivent ; le plan de "
                       "reprise des crèches aussi.";
    use("themes:\n"
        "  sante:\n"
        "    terms: [masques]\n"
        "    children:\n"
        "      protection:\n"
        "        terms: [masques ffp2]\n"
        "        children:\n"
        "          certifie: {terms: [masques ffp2 certifiés]}\n"
        "  achats: {terms: [masques]}\n"
        "  reprise:\n"
        "    terms: [reprise des crèches]\n"
        "    children:\n"
        "      creches: {terms: [crèches]}\n");
    run(text);
    expect_count(text, 4);
    ck_assert_uint_eq(count_code("sante"), 0);
    ck_assert_uint_eq(count_code("sante/protection"), 0);
    expect_word(text, 0, "sante/protection/certifie",
                "masques FFP2 certifiés", 0, "masques ffp2 certifiés",
                GRILLE_RULE_PHRASE);
    ck_assert_uint_eq(count_code("achats"), 1);
    ck_assert_uint_eq(count_code("reprise"), 1);
    ck_assert_uint_eq(count_code("reprise/creches"), 1);
}
END_TEST

START_TEST(test_overlap_sub_theme_before_collapse)
{
    /* the theme's longer hit lies within its sub-theme's and goes; its
     * shorter one, overlapping it, reaches past the sub-theme's: kept,
     * not collapsed away first ("pour" stays coded) */
    const char *text = "Une commande de masques FFP2 pour les agents.";
    use("themes:\n"
        "  sante:\n"
        "    terms: [de masques ffp2, ffp2 pour]\n"
        "    children:\n"
        "      achats: {terms: [commande de masques ffp2]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "sante/achats", "commande de masques FFP2", 0,
                "commande de masques ffp2", GRILLE_RULE_PHRASE);
    expect_word(text, 1, "sante", "FFP2 pour", 0, "ffp2 pour",
                GRILLE_RULE_PHRASE);
}
END_TEST

START_TEST(test_overlap_sub_theme_partial_kept)
{
    /* overlapping without lying within: both kept */
    const char *text = "Des masques FFP2 certifiés.";
    use("themes:\n"
        "  sante:\n"
        "    terms: [masques ffp2]\n"
        "    children:\n"
        "      certifie: {terms: [ffp2 certifiés]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "sante", "masques FFP2", 0, "masques ffp2",
                GRILLE_RULE_PHRASE);
    expect_word(text, 1, "sante/certifie", "FFP2 certifiés", 0,
                "ffp2 certifiés", GRILLE_RULE_PHRASE);
}
END_TEST

/* ------------------------------------------------------------- elisions */

START_TEST(test_elision_other_words_not_transparent)
{
    const char *text = "L’accueil du public reprend lundi ; l’accueil "
                       "public en mairie aussi.";
    use("themes:\n  accueil: {terms: [accueil public]}\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "accueil", "accueil public", 0, "accueil public",
                GRILLE_RULE_PHRASE);
}
END_TEST

START_TEST(test_elision_transparent_in_phrase)
{
    const char *text = "Le plan de reprise d'activité et la reprise "
                       "d’activités partielles.";
    use("themes:\n  reprise: {terms: [reprise activité]}\n");
    run(text);
    expect_count(text, 2);
    size_t s0 = at(text, "reprise", 0);
    size_t e0 = at(text, "activité", 0) + strlen("activité");
    expect(text, 0, "reprise", s0, e0, "reprise activité", GRILLE_RULE_PHRASE);
    size_t s1 = at(text, "reprise", 1);
    size_t e1 = at(text, "activités", 0) + strlen("activités");
    expect(text, 1, "reprise", s1, e1, "reprise activité", GRILLE_RULE_PHRASE);
}
END_TEST

START_TEST(test_elision_in_term)
{
    const char *text = "Un accueil provisoire, puis l’accueil rouvre ; "
                       "la salle d’accueil reste fermée.";
    use("themes:\n  accueil: {terms: [\"l'accueil\"]}\n");
    run(text);
    expect_count(text, 1);
    size_t s = at(text, "l’accueil", 0);
    expect(text, 0, "accueil", s, s + strlen("l’accueil"), "l'accueil",
           GRILLE_RULE_PHRASE);
}
END_TEST

/* ------------------------------------------------------------ compounds */

START_TEST(test_compound_joined)
{
    const char *text = "Le télé-travail puis le télétravail ont été "
                       "généralisés.";
    use("themes:\n  teletravail: {terms: [télétravail]}\n");
    run(text);
    expect_count(text, 2);
    expect_word(text, 0, "teletravail", "télé-travail", 0, "télétravail",
                GRILLE_RULE_WORD);
    expect_word(text, 1, "teletravail", "télétravail", 0, "télétravail",
                GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_compound_part)
{
    const char *text = "Le télé-travail fatigue les équipes.";
    use("themes:\n  travail: {terms: [travail]}\n");
    run(text);
    expect_count(text, 1);
    expect_word(text, 0, "travail", "travail", 0, "travail", GRILLE_RULE_WORD);
}
END_TEST

/* ---------------------------------------------------- order and counts */

START_TEST(test_codings_order)
{
    const char *text = "La santé d’abord, des masques partout.\n"
                       "\n"
                       "Reprise et masques en mairie.";
    use("themes:\n"
        "  protection: {terms: [masques]}\n"
        "  sante: {terms: [santé, masques]}\n"
        "  reprise: {terms: [reprise]}\n");
    run(text);
    expect_count(text, 6);
    expect_word(text, 0, "sante", "santé", 0, "santé", GRILLE_RULE_WORD);
    expect_word(text, 1, "protection", "masques", 0, "masques",
                GRILLE_RULE_WORD);
    expect_word(text, 2, "sante", "masques", 0, "masques", GRILLE_RULE_WORD);
    expect_word(text, 3, "reprise", "Reprise", 0, "reprise", GRILLE_RULE_WORD);
    expect_word(text, 4, "protection", "masques", 1, "masques",
                GRILLE_RULE_WORD);
    expect_word(text, 5, "sante", "masques", 1, "masques", GRILLE_RULE_WORD);
    for (size_t k = 0; k < ncod; k++)
        ck_assert_msg(cod[k].segment == (k < 3 ? 0u : 1u),
                      "coding %zu is in segment %zu", k, cod[k].segment);
}
END_TEST

START_TEST(test_codings_within_their_segment)
{
    const char *text = "- Santé : masques en rupture\n"
                       "- Reprise le 11 mai\n"
                       "DGS : la santé des agents d’abord.";
    const grille_segment *segs;
    use("themes:\n"
        "  sante: {terms: [santé, masques]}\n"
        "  reprise: {terms: [reprise]}\n");
    run(text);
    size_t nseg = grille_analyser_segments(an, &segs);
    ck_assert_uint_eq(nseg, 3);
    expect_count(text, 4);
    for (size_t k = 0; k < ncod; k++) {
        const grille_segment *s = &segs[cod[k].segment];
        ck_assert_msg(cod[k].segment < nseg, "coding %zu: bad segment", k);
        ck_assert_msg(cod[k].start >= s->start && cod[k].end <= s->end,
                      "coding %zu (%zu-%zu) outside its segment (%zu-%zu)", k,
                      cod[k].start, cod[k].end, s->start, s->end);
        if (k > 0)
            ck_assert_msg(cod[k].segment >= cod[k - 1].segment,
                          "coding %zu is out of order:%s", k, dump(text));
    }
    expect_word(text, 3, "sante", "santé", 0, "santé", GRILLE_RULE_WORD);
    ck_assert_uint_eq(cod[3].segment, 2);
}
END_TEST

START_TEST(test_words_count)
{
    /* Le, télé-travail, a, repris, à, 60 %, aujourd’hui, accueil, aussi:
     * neither "l’" nor the parts of "télé-travail" count. */
    const char *text = "Le télé-travail a repris à 60 % aujourd’hui, "
                       "l’accueil aussi.";
    use("themes:\n  accueil: {terms: [accueil]}\n");
    run(text);
    ck_assert_msg(grille_analyser_words(an) == 9, "%zu words, not 9",
                  grille_analyser_words(an));
    expect_count(text, 1);
    expect_word(text, 0, "accueil", "accueil", 0, "accueil", GRILLE_RULE_WORD);
}
END_TEST

START_TEST(test_rerun_replaces_codings)
{
    const char *first = "La santé des agents.";
    const char *second = "Rien à signaler.";
    use("themes:\n  sante: {terms: [santé]}\n");
    run(first);
    expect_count(first, 1);
    run(second);
    expect_count(second, 0);
    ck_assert_uint_eq(grille_analyser_words(an), 3);
    /* no codebook: segments and tokens only */
    grille_error err;
    ck_assert_int_eq(grille_analyser_run(an, first, strlen(first), 0,
                                         GRILLE_UNIT_PARAGRAPH, NULL, "note.md",
                                         &err),
                     0);
    ck_assert_uint_eq(grille_analyser_codings(an, &cod), 0);
}
END_TEST

/* ------------------------------------------------------------- speakers */

/* skip_speakers: the interviewer's turns are not coded, whatever the case,
 * accents and spaces of their label; the other turns and paragraphs are.
 * A final '*' takes the labels that start so. */
START_TEST(test_skip_speakers_turns)
{
    const char *text = "Q : Et les masques ?\n"
                       "R : Les masques sont arrivés fin mars.\n"
                       "ENQUETRICE : Et les masques pour les agents ?\n"
                       "Enquêteur 2 : Des masques, encore ?\n"
                       "Mme  Lefèvre : Des masques pour tous.\n"
                       "DGS : Des masques, oui.\n\n"
                       "Masques : une note sans locuteur.\n";
    use("skip_speakers: [q, Enquêtrice, \"enquêt*\", Mme Lefevre]\n"
        "themes:\n  sante: {terms: [masque]}\n");
    run(text);
    expect_count(text, 3);
    expect_word(text, 0, "sante", "masques", 1, "masque", GRILLE_RULE_WORD);
    expect_word(text, 1, "sante", "masques", 5, "masque", GRILLE_RULE_WORD);
    expect_word(text, 2, "sante", "Masques", 0, "masque", GRILLE_RULE_WORD);
    /* every word still counts (the labels are not words) */
    ck_assert_uint_eq(grille_analyser_words(an), 30);
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 0), "q");
    ck_assert_str_eq(grille_codebook_skip_speaker(cb, 2), "enquêt*");
    ck_assert_ptr_null(grille_codebook_skip_speaker(cb, 4));
    ck_assert_ptr_null(grille_codebook_skip_speaker(NULL, 0));

    /* a letter and its dot, as a transcript's "R. Nous avons…" writes
     * it: the turns labelled with the letter (it skipped none) */
    const char *qr = "Q. Et les masques ?\nR. Nous avons des masques.\n";
    use("skip_speakers: [R.]\nthemes:\n  sante: {terms: [masque]}\n");
    run(qr);
    expect_count(qr, 1);
    expect_word(qr, 0, "sante", "masques", 0, "masque", GRILLE_RULE_WORD);
    /* the letter and its dot both listed (as an older codebook may):
     * one speaker, not a label given twice */
    use("skip_speakers: [R, R.]\nthemes:\n  sante: {terms: [masque]}\n");
    run(qr);
    expect_count(qr, 1);
    ck_assert_ptr_null(grille_codebook_skip_speaker(cb, 1));
    /* a prefix after the letter's dot skips them too */
    use("skip_speakers: [\"R.*\"]\nthemes:\n  sante: {terms: [masque]}\n");
    run(qr);
    expect_count(qr, 1);
    expect_word(qr, 0, "sante", "masques", 0, "masque", GRILLE_RULE_WORD);
    /* a label written twice the same is still said */
    {
        const char *twice = "skip_speakers: [Q, q]\nthemes:\n  s: {terms: [a]}\n";
        grille_codebook *c2 = NULL;
        grille_error err;
        ck_assert_int_lt(grille_codebook_load(&c2, twice, strlen(twice),
                                              "cb.yaml", &err), 0);
        ck_assert_ptr_nonnull(strstr(err.message, "given twice"));
        ck_assert_ptr_null(c2);
    }

    /* without skip_speakers, every turn is coded */
    use("themes:\n  sante: {terms: [masque]}\n");
    run(text);
    expect_count(text, 7);
    ck_assert_uint_eq(grille_analyser_words(an), 30);
    ck_assert_ptr_null(grille_codebook_skip_speaker(cb, 0));
}
END_TEST

/* With -u sentence, the later sentences of a skipped turn are not coded
 * either: they keep their turn's speaker. */
START_TEST(test_skip_speakers_sentences)
{
    const char *text = "Q : Parlons santé. Et les masques ? Les élus aussi.\n"
                       "R : La santé d'abord. Les masques ensuite.\n";
    use("skip_speakers: [Q]\n"
        "themes:\n  sante: {terms: [masque, santé]}\n");
    grille_error err;
    int rc = grille_analyser_run(an, text, strlen(text), 0,
                                 GRILLE_UNIT_SENTENCE, cb, "note.md", &err);
    ck_assert_msg(rc == 0, "run failed: %s", err.message);
    ncod = grille_analyser_codings(an, &cod);
    expect_count(text, 2);
    expect_word(text, 0, "sante", "santé", 1, "santé", GRILLE_RULE_WORD);
    expect_word(text, 1, "sante", "masques", 1, "masque", GRILLE_RULE_WORD);
}
END_TEST

/* A turn past 64 KiB is cut into pieces: each keeps the speaker, and is
 * skipped with it. */
START_TEST(test_skip_speakers_long_turn)
{
    size_t n = 20000 * 4 + 64;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "Q : ");
    for (int i = 0; i < 20000; i++)
        strcat(text + 4 * i, "bla ");
    strcat(text, "les masques.\nR : masques\n");
    use("skip_speakers: [Q]\nthemes:\n  sante: {terms: [masque]}\n");
    run(text);
    const grille_segment *segs;
    size_t nseg = grille_analyser_segments(an, &segs);
    ck_assert_uint_eq(nseg, 3);
    for (size_t i = 0; i < 2; i++)
        ck_assert_msg(segs[i].label_end - segs[i].label_start == 1 &&
                          text[segs[i].label_start] == 'Q',
                      "piece %zu of the turn lost its speaker", i);
    expect_count(text, 1);
    expect_word(text, 0, "sante", "masques", 1, "masque", GRILLE_RULE_WORD);
    free(text);
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

/* A body past the end, no text or no unit: GRILLE_EINVALID, not a run
 * over memory that is not the text's. */
START_TEST(test_run_bad_arguments)
{
    use("themes:\n  sante: {terms: [santé]}\n");
    grille_error err;
    memset(&err, 0, sizeof(err));
    const char *text = "La santé.\n";
    ck_assert_int_eq(grille_analyser_run(an, text, 4, 9, GRILLE_UNIT_PARAGRAPH,
                                         cb, "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "past the end"));
    ck_assert_int_eq(grille_analyser_run(an, NULL, 4, 0, GRILLE_UNIT_PARAGRAPH,
                                         cb, "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_run(an, text, strlen(text), 0,
                                         (grille_unit)7, cb, "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_run(an, NULL, 0, 0, GRILLE_UNIT_PARAGRAPH,
                                         cb, "n.md", &err),
                     0);
    ck_assert_int_eq(grille_analyser_run(an, text, strlen(text), 0,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     0);
    /* a body inside "é" would make a segment that cuts a character */
    ck_assert_int_eq(grille_analyser_run(an, text, strlen(text), 8,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "inside a character"));
    /* a byte that is not UTF-8 took the bytes after it ("masques \xff ARS"
     * coded "s" of ARS): refused, the byte named; and a range that ends
     * inside a character */
    const char *bad = "masques \xff ARS";
    ck_assert_int_eq(grille_analyser_run(an, bad, strlen(bad), 0,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     GRILLE_EENCODING);
    ck_assert_ptr_nonnull(strstr(err.message, "byte 8 (0xFF)"));
    ck_assert_int_eq(err.offset, 8);
    /* with its line and column, as grille_text_decode gives them */
    const char *lines = "abc\r\nd\xc3\xa9\r\xff\n";
    ck_assert_int_eq(grille_analyser_run(an, lines, strlen(lines), 0,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     GRILLE_EENCODING);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_uint_eq(err.column, 1);
    ck_assert_msg(strncmp(err.message, "n.md:3:1: invalid UTF-8 at byte 9",
                          33) == 0,
                  "%s", err.message);
    ck_assert_int_eq(grille_analyser_run_range(an, text, 0, 8, 0,
                                               GRILLE_UNIT_PARAGRAPH, cb,
                                               "n.md", &err),
                     GRILLE_EENCODING);
    ck_assert_int_eq(grille_analyser_segment_range(an, bad, 0, strlen(bad), 0,
                                                   GRILLE_UNIT_PARAGRAPH,
                                                   &err),
                     GRILLE_EENCODING);
    /* segment_range takes the same arguments, checked the same way */
    ck_assert_int_eq(grille_analyser_segment_range(an, text, 9, 4, 0,
                                                   GRILLE_UNIT_PARAGRAPH,
                                                   &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_segment_range(an, text, 0, strlen(text),
                                                   0, (grille_unit)7, &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_segment_range(an, NULL, 0, 4, 0,
                                                   GRILLE_UNIT_PARAGRAPH,
                                                   &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_segment_range(an, NULL, 0, 0, 0,
                                                   GRILLE_UNIT_PARAGRAPH,
                                                   &err),
                     0);
    const grille_segment *segs;
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
    ck_assert_int_eq(grille_analyser_segment_range(an, text, 0, strlen(text),
                                                   0, GRILLE_UNIT_PARAGRAPH,
                                                   &err),
                     0);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 1);
}
END_TEST

/* A range that starts after a blank line gives the segments a whole run
 * gives there, whatever the rules that read a line after another (a
 * transcript's Q. then R., an outline's A. then B., a table's rows, a
 * wrapped question, quoted replies, topics): tag codes a large file in
 * parts cut at blank lines. */
START_TEST(test_range_after_blank_line_as_whole)
{
    use("themes:\n  sante: {terms: [santé, masques]}\n");
    const char *text =
        "Q. Et la santé ?\n\nR. La santé, on a tenu.\n\nR. Les masques.\n"
        "\nA. Masques : 40.\n\nTexte ici.\nB. Gel hydroalcoolique : reçu.\n\n"
        "Service\tDate\nCantine\t2 juin\n\n- Q : Et les masques, vous en avez "
        "reçu combien depuis le début\nde la crise ?\n\n> quoted\n>\n> reply\n"
        "\n---\n\nRéunion ARS : masques.\nPoint RH : santé.\nQ. Et après ?\n"
        "R. Les masques.\n\nII. Les constats\n\nJ. Martin : non.\n";
    size_t len = strlen(text);
    grille_error err;
    ck_assert_int_eq(grille_analyser_run(an, text, len, 0,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     0);
    const grille_segment *w;
    size_t nw = grille_analyser_segments(an, &w);
    grille_segment *whole = malloc((nw + 1) * sizeof(*whole));
    ck_assert_ptr_nonnull(whole);
    memcpy(whole, w, nw * sizeof(*whole));
    size_t ranges = 0;
    for (size_t b = 2; b < len; b++) {
        if (text[b - 1] != '\n' || text[b - 2] != '\n')
            continue;
        ranges++;
        ck_assert_int_eq(grille_analyser_run_range(an, text, b, len, 0,
                                                   GRILLE_UNIT_PARAGRAPH, cb,
                                                   "n.md", &err),
                         0);
        const grille_segment *r;
        size_t nr = grille_analyser_segments(an, &r);
        size_t k = 0;
        while (k < nw && whole[k].start < b)
            k++;
        ck_assert_msg(nr == nw - k, "from byte %zu: %zu segments, want %zu",
                      b, nr, nw - k);
        for (size_t i = 0; i < nr; i++) {
            const grille_segment *x = &r[i], *y = &whole[k + i];
            ck_assert_msg(x->start == y->start && x->end == y->end &&
                              x->kind == y->kind && x->line == y->line &&
                              x->label_start == y->label_start &&
                              x->label_end == y->label_end,
                          "from byte %zu, segment %zu: [%zu, %zu) kind %d, "
                          "want [%zu, %zu) kind %d",
                          b, i, x->start, x->end, (int)x->kind, y->start,
                          y->end, (int)y->kind);
        }
    }
    ck_assert_uint_ge(ranges, 10);
    free(whole);
}
END_TEST

/* A decoded text is coded as its bytes are by run_range (its bytes are
 * not checked again, its range is): the same codings, Windows-1252 made
 * UTF-8 included; a range past the text or that cuts a character is
 * refused. */
START_TEST(test_run_text)
{
    use("themes:\n  sante: {terms: [santé, ARS]}\n");
    grille_error err;
    memset(&err, 0, sizeof(err));
    /* "La santé. L'ARS appelle." in Windows-1252: é is 0xE9 */
    const char *cp = "La sant\xe9.\n\nL'ARS appelle.\n";
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_decode(&t, cp, strlen(cp), "n.md", &err), 0);
    size_t len;
    const char *s = grille_text_data(t, &len);
    ck_assert_str_eq(s, "La santé.\n\nL'ARS appelle.\n");
    ck_assert_int_eq(grille_analyser_run_text(an, t, 0, len, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     0);
    const grille_coding *c1;
    size_t n1 = grille_analyser_codings(an, &c1);
    ck_assert_uint_eq(n1, 2);
    grille_coding first[2];
    memcpy(first, c1, sizeof(first));
    ck_assert_int_eq(grille_analyser_run_range(an, s, 0, len, 0,
                                               GRILLE_UNIT_PARAGRAPH, cb,
                                               "n.md", &err),
                     0);
    ck_assert_uint_eq(grille_analyser_codings(an, &c1), n1);
    for (size_t k = 0; k < n1; k++) {
        ck_assert_uint_eq(c1[k].start, first[k].start);
        ck_assert_uint_eq(c1[k].end, first[k].end);
        ck_assert_uint_eq(c1[k].segment, first[k].segment);
    }
    /* the second paragraph alone, from its line */
    size_t p2 = (size_t)(strstr(s, "L'ARS") - s);
    ck_assert_int_eq(grille_analyser_run_text(an, t, p2, len, 3,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     0);
    ck_assert_uint_eq(grille_analyser_codings(an, &c1), 1);
    ck_assert_uint_eq(c1[0].start, p2 + 2);
    const grille_segment *segs;
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 1);
    ck_assert_uint_eq(segs[0].line, 3);
    /* "santé" ends at byte 9: byte 8 is inside é */
    ck_assert_int_eq(grille_analyser_run_text(an, t, 0, 8, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "inside a character"));
    ck_assert_uint_eq(err.offset, 8);
    ck_assert_int_eq(grille_analyser_run_text(an, t, 8, len, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_run_text(an, t, 0, len + 1, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "past the end"));
    ck_assert_int_eq(grille_analyser_run_text(an, t, 4, 2, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_run_text(an, t, 0, len, 0,
                                              (grille_unit)7, cb, "n.md",
                                              &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_run_text(an, NULL, 0, 3, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     GRILLE_EINVALID);
    ck_assert_int_eq(grille_analyser_run_text(an, NULL, 0, 0, 0,
                                              GRILLE_UNIT_PARAGRAPH, cb,
                                              "n.md", &err),
                     0);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
    grille_text_free(t);
}
END_TEST

/* A run that fails leaves no results: not the previous run's, whose
 * offsets are another text's (a caller that missed the error read past
 * the new text), nor a part of its own. */
START_TEST(test_failed_run_leaves_nothing)
{
    use("themes:\n  sante: {terms: [santé]}\n  r: {regex: ['(a+)+$']}\n");
    grille_error err;
    memset(&err, 0, sizeof(err));
    const grille_segment *segs;
    const grille_token *toks;
    const char *good = "La santé d'abord.\n\nEt la santé encore.\n";
    ck_assert_uint_eq(run(good), 2);
    const char *bad[] = {"x\xff", "La santé.\n"};
    ck_assert_int_eq(grille_analyser_run(an, bad[0], 2, 0,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     GRILLE_EENCODING);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
    ck_assert_uint_eq(grille_analyser_codings(an, &cod), 0);
    ck_assert_uint_eq(grille_analyser_tokens(an, &toks), 0);
    ck_assert_uint_eq(grille_analyser_words(an), 0);
    ck_assert_uint_eq(run(good), 2);
    ck_assert_int_eq(grille_analyser_run(an, bad[1], 5, 9,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     GRILLE_EINVALID);
    ck_assert_uint_eq(grille_analyser_codings(an, &cod), 0);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
    /* a regex stopped by its limit: the codings found before it go too */
    char *longline = malloc(40000);
    ck_assert_ptr_nonnull(longline);
    strcpy(longline, "La santé.\n\n");
    size_t at = strlen(longline);
    memset(longline + at, 'a', 30000);
    strcpy(longline + at + 30000, "b\n");
    ck_assert_int_eq(grille_analyser_run(an, longline, strlen(longline), 0,
                                         GRILLE_UNIT_PARAGRAPH, cb, "n.md",
                                         &err),
                     GRILLE_ELIMIT);
    ck_assert_uint_eq(grille_analyser_codings(an, &cod), 0);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
    free(longline);
    ck_assert_uint_eq(run(good), 2);
    ck_assert_int_eq(grille_analyser_segment_range(an, bad[0], 0, 2, 0,
                                                   GRILLE_UNIT_PARAGRAPH,
                                                   &err),
                     GRILLE_EENCODING);
    ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
    /* run_text's own checks of the range: past the text, inside é */
    grille_text *t = NULL;
    ck_assert_int_eq(grille_text_decode(&t, good, strlen(good), "n.md", &err),
                     0);
    size_t len;
    grille_text_data(t, &len);
    const size_t ends[] = {len + 5, 8};
    for (size_t k = 0; k < 2; k++) {
        ck_assert_uint_eq(run(good), 2);
        ck_assert_int_eq(grille_analyser_run_text(an, t, 0, ends[k], 0,
                                                  GRILLE_UNIT_PARAGRAPH, cb,
                                                  "n.md", &err),
                         GRILLE_EINVALID);
        ck_assert_uint_eq(grille_analyser_segments(an, &segs), 0);
        ck_assert_uint_eq(grille_analyser_codings(an, &cod), 0);
    }
    grille_text_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("match");
    TCase *tc;

    tc = tcase(s, "word");
    tcase_add_test(tc, test_word_stem_case_accents);
    tcase_add_test(tc, test_run_bad_arguments);
    tcase_add_test(tc, test_run_text);
    tcase_add_test(tc, test_failed_run_leaves_nothing);
    tcase_add_test(tc, test_word_whole_words_only);
    tcase_add_test(tc, test_word_unaccented_term);
    tcase_add_test(tc, test_word_unaccented_term_stems_apart);
    tcase_add_test(tc, test_decomposed_codebook);
    tcase_add_test(tc, test_word_unaccented_stem_no_shorter);
    tcase_add_test(tc, test_word_unaccented_shorter_stem);
    tcase_add_test(tc, test_word_unaccented_feminine);
    tcase_add_test(tc, test_regex_literal_prefilter);
    tcase_add_test(tc, test_regex_escape_prefilter);
    tcase_add_test(tc, test_near_exclusion_between);
    tcase_add_test(tc, test_next_codebook_same_analyser);

    tc = tcase(s, "phrase");
    tcase_add_test(tc, test_phrase_both_apostrophes);
    tcase_add_test(tc, test_phrase_not_across_punctuation);
    tcase_add_test(tc, test_phrase_needs_every_word);

    tc = tcase(s, "glob");
    tcase_add_test(tc, test_glob_prefix);
    tcase_add_test(tc, test_glob_folded);
    tcase_add_test(tc, test_glob_punctuation_at_ends);

    tc = tcase(s, "exact");
    tcase_add_test(tc, test_exact_case_sensitive);

    tc = tcase(s, "regex");
    tcase_add_test(tc, test_regex_span);
    tcase_add_test(tc, test_regex_offsets_in_document);

    tc = tcase(s, "regex_limit");
    tcase_set_timeout(tc, 2);
    tcase_add_test(tc, test_regex_match_limit);

    tc = tcase(s, "near");
    tcase_add_test(tc, test_near_within);
    tcase_add_test(tc, test_near_too_far);
    tcase_add_test(tc, test_near_either_order);
    tcase_add_test(tc, test_near_each_pair_its_own);
    tcase_add_test(tc, test_near_tie_same_statement);
    tcase_add_test(tc, test_near_not_across_segments);
    tcase_add_test(tc, test_near_skips_masked_partner);
    tcase_add_test(tc, test_near_elision_shares_position);

    tc = tcase(s, "exclude");
    tcase_add_test(tc, test_exclude_masks_its_span);
    tcase_add_test(tc, test_exclude_masks_children);
    tcase_add_test(tc, test_exclude_of_child_spares_parent);
    tcase_add_test(tc, test_exclude_spares_other_themes);

    tc = tcase(s, "overlap");
    tcase_add_test(tc, test_overlap_collapses_to_longest);
    tcase_add_test(tc, test_span_codes_two_themes);
    tcase_add_test(tc, test_overlap_sub_theme_stands_for_theme);
    tcase_add_test(tc, test_overlap_sub_theme_keeps_coverage);
    tcase_add_test(tc, test_overlap_sub_theme_partial_kept);
    tcase_add_test(tc, test_overlap_sub_theme_before_collapse);

    tc = tcase(s, "elision");
    tcase_add_test(tc, test_elision_other_words_not_transparent);
    tcase_add_test(tc, test_elision_transparent_in_phrase);
    tcase_add_test(tc, test_elision_in_term);

    tc = tcase(s, "compound");
    tcase_add_test(tc, test_compound_joined);
    tcase_add_test(tc, test_compound_part);

    tc = tcase(s, "order");
    tcase_add_test(tc, test_codings_order);
    tcase_add_test(tc, test_codings_within_their_segment);
    tcase_add_test(tc, test_range_after_blank_line_as_whole);
    tcase_add_test(tc, test_words_count);
    tcase_add_test(tc, test_rerun_replaces_codings);

    tc = tcase(s, "speakers");
    tcase_add_test(tc, test_skip_speakers_turns);
    tcase_add_test(tc, test_skip_speakers_sentences);
    tcase_add_test(tc, test_skip_speakers_long_turn);

    return s;
}

int main(void)
{
    return run_suite(suite());
}
