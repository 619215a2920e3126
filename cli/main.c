/*
 * main.c - the grille program: a table of commands, each in its own
 * cmd_<name>.c, dispatched on the first argument.
 */
#include "cli.h"
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
    const char *name;
    cmd_fn fn;
    const char *summary;
} commands[] = {
    {"tag", cmd_tag, "code interview notes with a codebook and show the codings"},
    {"tokens", cmd_tokens, "show the segments and tokens of a file, with stems and offsets"},
    {"codebook", cmd_codebook, "check a codebook, or show its themes"},
    {"eval", cmd_eval, "score a codebook against a gold standard coded by hand"},
    {"init", cmd_init, "create a project"},
    {"add", cmd_add, "add notes (files or folders) to the project and code them"},
    {"list", cmd_list, "list the project's documents with their attributes"},
    {"rm", cmd_rm, "remove documents from the project"},
    {"attr", cmd_attr, "set or unset document attributes, or import them from a cases file"},
    {"recode", cmd_recode, "code the whole project again after a codebook edit"},
    {"report", cmd_report, "the theme report of the project (text, md, html, json, csv)"},
    {"cooc", cmd_cooc, "theme x theme co-occurrence: counts, Jaccard, lift"},
    {"compare", cmd_compare, "themes x groups of documents, with Lafon's specificities"},
    {"quotes", cmd_quotes, "the most representative verbatims of a theme"},
    {"kwic", cmd_kwic, "a concordance of a pattern in the project's documents"},
    {"import", cmd_import, "import REFI-QDA projects (qdpx) with their hand codings, or codebooks (qdc)"},
    {"export", cmd_export, "export to REFI-QDA (qdpx, qdc) or CSV for other tools"},
    {NULL, NULL, NULL}};

static void usage(FILE *f)
{
    fputs(_("Usage: grille COMMAND [OPTION]... [ARG]...\n"
            "Qualitative coding and synthesis of French interview notes.\n\n"
            "Commands:\n"),
          f);
    for (const struct command *c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, _(c->summary));
    fputs(_("\nOptions:\n"
            "  -h, --help     show this help\n"
            "  -V, --version  show the version\n\n"
            "Run 'grille COMMAND --help' (or 'grille help COMMAND') for a "
            "command's options.\n"),
          f);
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    int st = dispatch(argc, argv);
    /* what a command wrote and did not check (tokens, codebook show, eval,
     * the helps): an output lost to a full disk is a failure */
    if (st == EXIT_OK && out_close(stdout, NULL) < 0)
        st = EXIT_RUNTIME;
    return st;
}

/* Standard descriptors the caller closed ("grille tag big.md >&-") are
 * taken by /dev/null, the wrong way round (stdin write-only, stdout and
 * stderr read-only): a file the program opens next (a spool, a project)
 * would otherwise get fd 1 or 2, and the output or a warning be written
 * into it.  Reads and writes on them still fail (EBADF), as they would
 * have, and are reported. */
static void hold_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int n = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (n >= 0 && n != fd) { /* a lower one was closed too: taken */
            dup2(n, fd);
            close(n);
        }
    }
}

/*
 * A long option written with one dash: "-by type" reads as -b y (an
 * attribute 'y'), "-format html" as -f ormat.  Every long option of
 * grille's commands, as getopt_long's tables name them, with whether it
 * takes a value; a word of one dash that is one of them (or one of them
 * and "=value") is refused, with the spelling meant.  The word after an
 * option that takes a value ("-o", "--codes", "-jd": a bundle whose last
 * letter may take one) is that value, and is not looked at, nor are the
 * words after "--".  Returns the offending word, or NULL.
 */
static const char *one_dash_long(int argc, char **argv)
{
    static const struct {
        const char *name;
        bool value;
    } names[] = {{"all", false},       {"attr", true},
                 {"by", true},         {"codebook", true},
                 {"coded-only", false}, {"codes", true},
                 {"color", true},      {"db", true},
                 {"dry-run", false},   {"format", true},
                 {"gold", true},       {"gold-project", true},
                 {"help", false},      {"jobs", true},
                 {"level", true},      {"number", true},
                 {"output", true},     {"quotes", true},
                 {"root", true},       {"rows", true},
                 {"selections", true}, {"show-errors", false},
                 {"unit", true},       {"version", false},
                 {"width", true},      {NULL, false}};
    /* the short options that take a value in some command's optstring */
    static const char short_values[] = "abcdfgjlnorsuwG";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *p = argv[i - 1];
        if (strcmp(a, "--") == 0)
            break;
        if (i > 2 && p[0] == '-' && p[1] == '-' && p[2] && !strchr(p, '=')) {
            bool value = false;
            for (size_t k = 0; names[k].name && !value; k++)
                value = names[k].value && strcmp(p + 2, names[k].name) == 0;
            if (value)
                continue; /* the option's value */
        } else if (i > 2 && p[0] == '-' && p[1] && p[1] != '-' &&
                   strchr(short_values, p[strlen(p) - 1])) {
            continue; /* maybe the value of the bundle's last option */
        }
        if (a[0] != '-' || a[1] == '-' || !a[1] || !a[2])
            continue;
        size_t n = strcspn(a + 1, "=");
        for (size_t k = 0; names[k].name; k++)
            if (strlen(names[k].name) == n &&
                strncmp(a + 1, names[k].name, n) == 0)
                return a;
    }
    return NULL;
}

static int dispatch(int argc, char **argv)
{
    hold_std_fds();
    /* the user's character set (the system's messages in it, the case
     * of letters for strcasecmp) and language (strerror's messages), and
     * nothing else (the width of what a terminal shows comes from a
     * C.UTF-8 locale of its own, out.c): numbers as
     * JSON, CSV and the docs write them (a French locale's decimal comma
     * made "lift": [[5,94, ...]], not JSON, and shifted CSV columns).
     * The other categories, which grille does not use, were each a file
     * to look for, open and map at every start. */
    setlocale(LC_CTYPE, "");
    setlocale(LC_MESSAGES, "");
    /* A file grown past `ulimit -f` is a write error to report, not a
     * signal that kills the program before it can roll back. */
    signal(SIGXFSZ, SIG_IGN);
    /* Projects and exports hold interview notes: owner only. */
    umask(077);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
        strcmp(name, "help") == 0) {
        if (argc > 2 && strcmp(name, "help") == 0 &&
            strcmp(argv[2], "help") != 0 && strcmp(argv[2], "-h") != 0 &&
            strcmp(argv[2], "--help") != 0) {
            for (const struct command *c = commands; c->name; c++) {
                if (strcmp(c->name, argv[2]) == 0) {
                    char *args[] = {argv[2], "--help", NULL};
                    return c->fn(2, args);
                }
            }
            cli_error(_("unknown command '%s'"), argv[2]);
            fputs(_("Run 'grille --help' for the list of commands.\n"),
                  stderr);
            return EXIT_USAGE;
        }
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        if (argc > 2) {
            cli_error(_("%s takes no argument ('%s')"), name, argv[2]);
            return EXIT_USAGE;
        }
        printf("grille %s\n", grille_version());
        return EXIT_OK;
    }
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            /* getopt names the program in its messages: "grille: tag:
             * invalid option -- 'x'", starting as every error does */
            const char *bad = one_dash_long(argc, argv);
            if (bad)
                return cli_usage(c->name,
                                 _("'%s' is no option: a long option takes "
                                   "two dashes (-%s)"),
                                 bad, bad);
            static char prog[64];
            snprintf(prog, sizeof(prog), "grille: %s", c->name);
            argv[1] = prog;
            return c->fn(argc - 1, argv + 1);
        }
    }
    if (name[0] == '-')
        /* an option before the command: "grille -d p.db report" */
        cli_error(_("unknown option '%s': the command comes first, its "
                    "options after it (grille report -d p.db)"),
                  name);
    else {
        /* a typo: the nearest command, two edits away at most */
        const char *near = NULL;
        size_t best = 3;
        for (const struct command *c = commands; c->name; c++) {
            size_t d = cli_typo_distance(name, c->name);
            if (d < best && (d < 2 || strlen(name) > 4)) {
                best = d;
                near = c->name;
            }
        }
        if (near)
            cli_error(_("unknown command '%s': did you mean '%s'?"), name,
                      near);
        else
            cli_error(_("unknown command '%s'"), name);
    }
    fputs(_("Run 'grille --help' for the list of commands.\n"), stderr);
    return EXIT_USAGE;
}
