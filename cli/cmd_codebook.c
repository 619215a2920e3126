/*
 * cmd_codebook.c - `grille codebook check|show [FILE]`: validates a
 * codebook (every error with file, line and column) or prints its tree of
 * themes with labels and pattern counts.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "Usage: grille codebook check [FILE | -d DB]\n"
    "       grille codebook show [FILE | -d DB]\n"
    "Check a codebook (YAML), or show its themes with their labels and the\n"
    "number of patterns of each.  Without FILE, the bundled codebook; with\n"
    "-d, the codebook of the project DB (its code ids, with those of the\n"
    "codings by hand that an import brought, which it does not list, are\n"
    "the ones report, quotes and compare --codes take).\n\n"
    "  -d, --db FILE  a project's codebook\n"
    "  -h, --help     show this help\n\n"
    "Exit status: 0 when the codebook is valid, 1 when it is not (the error\n"
    "names the file, line and column), 2 for a usage error.\n";

/* The speakers whose turns are not coded, on a line of their own. */
static void skipped(const grille_codebook *cb)
{
    const char *sp = grille_codebook_skip_speaker(cb, 0);
    if (!sp)
        return;
    fputs(_("turns not coded (skip_speakers):"), stdout);
    size_t i = 0;
    /* the first twenty: a list of thousands is a line no one reads */
    for (; sp && i < 20; sp = grille_codebook_skip_speaker(cb, ++i)) {
        fputs(i ? ", " : " ", stdout);
        put_safe_line(stdout, sp);
    }
    size_t more = 0;
    for (; sp; sp = grille_codebook_skip_speaker(cb, ++i))
        more++;
    if (more)
        printf(_(" and %zu more"), more);
    putchar('\n');
}

/* Whether code c is code anc or one of its sub-themes. */
static bool within(const grille_codebook *cb, size_t c, size_t anc)
{
    for (long k = (long)c; k >= 0;) {
        if ((size_t)k == anc)
            return true;
        grille_code_info ci;
        if (grille_codebook_code(cb, (size_t)k, &ci) < 0)
            break;
        k = ci.parent;
    }
    return false;
}

/* Warns of each term (a word, a phrase, an exact form, a glob "x*" by
 * its shortest word) that an exclusion of its theme, or of a theme above
 * it, matches: the theme never codes the term as written ("terms:
 * [santé]" with "exclude: [santé]"). */
/* Whether the one-pattern codebook `one` codes the words of term w[0,
 * n): a glob by its shortest word ("vaccin*" as "vaccin"; one with a
 * wildcard before its end is not looked at). */
static bool term_masked(grille_analyser *a, const grille_codebook *one,
                        const char *w, size_t n, bool exact)
{
    char buf[128];
    if (exact && n) {
        w++; /* "=ARS" */
        n--;
    }
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, w, n);
    buf[n] = '\0';
    if (memchr(buf, '*', n) || memchr(buf, '?', n)) {
        if (n < 2 || buf[n - 1] != '*' || strpbrk(buf, "?") ||
            memchr(buf, '*', n - 1))
            return false;
        buf[--n] = '\0';
    }
    grille_error err = {0};
    const grille_coding *cods;
    return grille_analyser_run(a, buf, n, 0, GRILLE_UNIT_PARAGRAPH, one,
                               "term", &err) == 0 &&
           grille_analyser_codings(a, &cods) > 0;
}

/* Warns of each term (each side of a proximity) that an exclusion of its
 * theme, or of a theme above it, matches: the theme never codes the term
 * as written ("terms: [santé]" with "exclude: [santé]"), nor the
 * proximity ("near: [masques ~3 gel]" with "exclude: [masques]"). */
static void masked_terms(const grille_codebook *cb, const char *path)
{
    size_t n = grille_codebook_rule_count(cb), nx = 0, nt = 0;
    size_t ncodes = grille_codebook_count(cb), pairs = 0;
    /* the terms under each code, its sub-themes' included: an
     * exclusion meets those of its own code */
    size_t *under = calloc(ncodes + 1, sizeof(*under));
    if (!under)
        return;
    for (size_t i = 0; i < n; i++) {
        grille_rule_info r;
        if (grille_codebook_rule(cb, i, &r) < 0 ||
            r.kind == GRILLE_RULE_EXCLUDE || r.kind == GRILLE_RULE_REGEX)
            continue;
        nt++;
        for (long k = (long)r.code; k >= 0 && (size_t)k < ncodes;) {
            under[k]++;
            grille_code_info ci;
            if (grille_codebook_code(cb, (size_t)k, &ci) < 0)
                break;
            k = ci.parent;
        }
    }
    for (size_t i = 0; i < n; i++) {
        grille_rule_info r;
        if (grille_codebook_rule(cb, i, &r) == 0 &&
            r.kind == GRILLE_RULE_EXCLUDE && r.code < ncodes) {
            nx++;
            pairs += under[r.code];
        }
    }
    free(under);
    /* each exclusion against each term of its theme: a few hundred
     * thousand pairs for the largest codebooks written by hand; past
     * 4 million (10,000 exclusions over 10,000 terms of one theme took
     * 16 s), said rather than checked */
    if (pairs > 4000000) {
        cli_warning(_("%s: %zu exclusions over %zu terms of their themes "
                      "(%zu pairs): whether an exclusion masks a term of its "
                      "theme is not checked"),
                    path, nx, nt, pairs);
        return;
    }
    grille_analyser *a = NULL;
    grille_error err = {0};
    if (grille_analyser_new(&a, &err) < 0)
        return;
    for (size_t j = 0; j < n; j++) {
        grille_rule_info x;
        grille_codebook *one = NULL;
        if (grille_codebook_rule(cb, j, &x) < 0 ||
            x.kind != GRILLE_RULE_EXCLUDE ||
            grille_codebook_from_pattern(&one, x.text, &err) < 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            grille_rule_info t;
            if (grille_codebook_rule(cb, i, &t) < 0 ||
                (t.kind != GRILLE_RULE_WORD && t.kind != GRILLE_RULE_PHRASE &&
                 t.kind != GRILLE_RULE_EXACT && t.kind != GRILLE_RULE_GLOB &&
                 t.kind != GRILLE_RULE_NEAR) ||
                !within(cb, t.code, x.code))
                continue;
            grille_code_info ci;
            grille_codebook_code(cb, t.code, &ci);
            if (t.kind != GRILLE_RULE_NEAR) {
                if (term_masked(a, one, t.text, strlen(t.text),
                                t.kind == GRILLE_RULE_EXACT))
                    cli_warning(_("%s:%u:%u: term '%s' of '%s' is masked by "
                                  "the exclusion '%s' (line %u): the theme "
                                  "never codes it as written"),
                                path, t.line, t.column, t.text, ci.id, x.text,
                                x.line);
                continue;
            }
            /* "A ~N B": a pair is masked where either side is */
            const char *tilde = strchr(t.text, '~');
            if (!tilde)
                continue;
            size_t al = (size_t)(tilde - t.text);
            while (al && t.text[al - 1] == ' ')
                al--;
            const char *bs = tilde + 1;
            while (*bs == ' ' || (*bs >= '0' && *bs <= '9'))
                bs++;
            const char *side =
                term_masked(a, one, t.text, al, t.text[0] == '=') ? t.text
                : term_masked(a, one, bs, strlen(bs), bs[0] == '=') ? bs
                                                                    : NULL;
            if (side)
                cli_warning(_("%s:%u:%u: proximity '%s' of '%s' never codes: "
                              "its side '%.*s' is masked by the exclusion "
                              "'%s' (line %u)"),
                            path, t.line, t.column, t.text, ci.id,
                            (int)(side == t.text ? al : strlen(bs)), side,
                            x.text, x.line);
        }
        grille_codebook_free(one);
    }
    grille_analyser_free(a);
}

/* Warns of the globs that find what their author did not mean: a '?'
 * at the end after an s or an x, written as a regex's optional plural
 * ("masques?" is masques and one more character, which finds neither
 * masque nor masques); a hyphen before the '*' ("télé-*", "co-*"), no
 * part of a word's form (a compound is read joined): "télé*" finds
 * télévision too, and "e-*" every word that starts with an e. */
static void glob_warnings(const grille_codebook *cb, const char *path)
{
    size_t n = grille_codebook_rule_count(cb);
    for (size_t i = 0; i < n; i++) {
        grille_rule_info t;
        if (grille_codebook_rule(cb, i, &t) < 0 ||
            t.kind != GRILLE_RULE_GLOB)
            continue;
        size_t len = strlen(t.text);
        const char *h = strstr(t.text, "-*");
        /* "sant?" for santé and sante is meant: only a plural's s or x
         * before it reads as a regex's "masques?" */
        bool question = len >= 3 && t.text[len - 1] == '?' &&
                        strcspn(t.text, "*?") == len - 1 &&
                        (t.text[len - 2] == 's' || t.text[len - 2] == 'x');
        bool hyphen = h && h != t.text;
        if (!question && !hyphen)
            continue;
        grille_code_info ci;
        grille_codebook_code(cb, t.code, &ci);
        if (question)
            cli_warning(_("%s:%u:%u: glob '%s' of '%s' needs one more "
                          "character after '%.*s' ('?' stands for one, as in "
                          "a file name, not for an optional letter): a word "
                          "finds its plural, and '%.*s*' any ending"),
                        path, t.line, t.column, t.text, ci.id, (int)(len - 1),
                        t.text, (int)(len - 1), t.text);
        if (hyphen)
            cli_warning(_("%s:%u:%u: glob '%s' of '%s' is '%.*s*': a hyphen "
                          "is no part of a word's form (a compound is read "
                          "joined), so it finds every word that starts with "
                          "'%.*s', compound or not; list the compounds, or "
                          "use a regex"),
                        path, t.line, t.column, t.text, ci.id,
                        (int)(h - t.text), t.text, (int)(h - t.text), t.text);
    }
}

/* s (flattened) in exactly w columns: padded, or cut with a "…". */
static void put_cut(const char *s, size_t w)
{
    size_t n = strlen(s), width = text_width(s, n);
    if (width <= w) {
        put_safe_line(stdout, s);
        printf("%*s", (int)(w - width), "");
        return;
    }
    size_t i = 0, used = 0, cols;
    while (i < n) {
        size_t k = text_step(s, n, i, &cols);
        if (cols && used + cols + 1 > w)
            break;
        i += k;
        used += cols;
    }
    char *cut = strndup(s, i);
    if (!cut)
        cli_nomem();
    put_safe_line(stdout, cut);
    free(cut);
    fputs("\xe2\x80\xa6", stdout);
    printf("%*s", (int)(w - used - 1), "");
}

static void show(const grille_codebook *cb)
{
    size_t n = grille_codebook_count(cb);
    size_t nr = grille_codebook_rule_count(cb);
    put_safe_line(stdout, grille_codebook_name(cb));
    putchar('\n');
    cli_printf(_("source %s, sha256 %.12s, %zu code%s, %zu rule%s\n"),
               grille_codebook_source(cb), grille_codebook_sha256(cb), n,
               cli_s(n), nr, cli_s(nr));
    skipped(cb);
    putchar('\n');
    /* the columns as wide as their widest, within 100 columns: a label
     * past its share is cut, with a "…"; an id, on a line of its own */
    size_t idw = 24, labw = 44;
    size_t idmax = 0, labmax = 0;
    for (size_t i = 0; i < n; i++) {
        grille_code_info c;
        grille_codebook_code(cb, i, &c);
        const char *slash = strrchr(c.id, '/');
        const char *shown = slash ? slash + 1 : c.id;
        size_t w = 2 * c.depth + text_width(shown, strlen(shown));
        idmax = w > idmax ? w : idmax;
        w = text_width(c.label, strlen(c.label));
        labmax = w > labmax ? w : labmax;
    }
    idw = idmax > idw ? (idmax < 40 ? idmax : 40) : idw;
    /* "  " between them, and " 999 patterns, 99 exclusions" after */
    size_t room = 100 - idw - 2 - 30;
    labw = labmax > labw ? labmax : labw;
    labw = labw < room ? labw : room;
    for (size_t i = 0; i < n; i++) {
        grille_code_info c;
        grille_codebook_code(cb, i, &c);
        const char *slash = strrchr(c.id, '/');
        const char *shown = slash ? slash + 1 : c.id;
        /* deep ids keep 12 columns of their own */
        size_t pad = 2 * c.depth < idw - 12 ? 2 * c.depth : idw - 12;
        printf("%*s", (int)pad, "");
        if (text_width(shown, strlen(shown)) > idw - pad) {
            /* an id too long for its column, whole (it is what --codes
             * takes), and the rest of its row under it */
            put_safe_line(stdout, shown);
            printf("\n%*s", (int)idw, "");
        } else {
            put_cut(shown, idw - pad);
        }
        fputs("  ", stdout);
        put_cut(c.label, labw);
        printf(_(" %3zu pattern%s"), c.npatterns, cli_s(c.npatterns));
        if (c.nexclusions)
            printf(_(", %zu exclusion%s"), c.nexclusions,
                   cli_s(c.nexclusions));
        putchar('\n');
    }
}

int cmd_codebook(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
        if (c == 'd') { /* before the verb too: codebook -d DB show */
            db = optarg;
            continue;
        }
        if (c == 'h') {
            fputs(_(help), stdout);
            return EXIT_OK;
        }
        return cli_bad_option("codebook");
    }
    if (optind >= argc)
        return cli_usage("codebook", "%s", _("say check or show"));
    const char *verb = argv[optind++];
    if (strcmp(verb, "check") && strcmp(verb, "show"))
        return cli_usage("codebook", _("unknown action '%s' (check or show)"),
                         verb);
    /* the options after the verb, in any order ("check FILE -d DB" too):
     * parsed from the verb on, getopt made anew (optind 0) since the loop
     * above stopped at the verb ("+") */
    char *name = argv[0]; /* "grille: codebook", getopt's messages' */
    argc -= optind - 1;
    argv += optind - 1;
    argv[0] = name; /* the verb's slot: it is in `verb` */
    optind = 0;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        if (c == 'd') {
            db = optarg;
            continue;
        }
        if (c == 'h') {
            fputs(_(help), stdout);
            return EXIT_OK;
        }
        return cli_bad_option("codebook");
    }
    if (argc - optind > 1)
        return cli_usage("codebook", "%s", _("give at most one FILE"));
    const char *path = optind < argc ? argv[optind] : NULL;
    if (path && db)
        return cli_usage("codebook", "%s",
                         _("give a FILE or a project (-d), not both"));
    grille_codebook *cb = NULL;
    if (db) {
        grille_store *s;
        grille_error err = {0};
        db = cli_db_path(db); /* an empty -d is a usage error */
        if (cli_open_store(&s, db, true) < 0)
            return EXIT_RUNTIME;
        int rc = grille_store_codebook(s, &cb, &err);
        if (rc < 0)
            cli_lib_error(&err);
        grille_store_close(s);
        if (rc < 0)
            return EXIT_RUNTIME;
        path = db;
    } else if (cli_load_codebook(&cb, path) < 0) {
        return EXIT_RUNTIME;
    }
    struct stat pst;
    const char *here = cli_db_path(NULL);
    if (!path && !db && strcmp(verb, "show") == 0 &&
        stat(here, &pst) == 0 && S_ISREG(pst.st_mode)) {
        /* the bundled one, where a project is at hand whose codebook is
         * another: said (quietly read; a file that is no project is
         * none of this command's business) */
        grille_store *s = NULL;
        grille_error err = {0};
        if (grille_store_open(&s, here, 1, &err) == 0) { /* read-only */
            const char *sha = grille_store_codebook_sha256(s);
            if (sha && strcmp(sha, grille_codebook_sha256(cb)) != 0)
                cli_warning(_("this is the bundled codebook; the project "
                              "%s's is another: 'grille codebook show -d "
                              "%s'"),
                            here, here);
            grille_store_close(s);
        }
    }
    if (strcmp(verb, "show") == 0) {
        show(cb);
    } else {
        size_t themes = 0;
        for (size_t i = 0; i < grille_codebook_count(cb); i++) {
            grille_code_info ci;
            grille_codebook_code(cb, i, &ci);
            if (ci.parent < 0)
                themes++;
        }
        size_t codes = grille_codebook_count(cb);
        size_t rules = grille_codebook_rule_count(cb);
        cli_printf(_("%s: ok (%zu %s, %zu %s, %zu %s)\n"),
               path && strcmp(path, "-") != 0 ? path
                                              : grille_codebook_source(cb),
               themes,
               themes == 1 ? _("theme") : _("themes"), codes,
               codes == 1 ? _("code") : _("codes"), rules,
               rules == 1 ? _("rule") : _("rules"));
        skipped(cb);
        const char *where = path && strcmp(path, "-") != 0
                                ? path
                                : grille_codebook_source(cb);
        masked_terms(cb, where);
        glob_warnings(cb, where);
    }
    grille_codebook_free(cb);
    return EXIT_OK;
}
