/*
 * cmd_init.c - `grille init`: creates a project file with its codebook.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Usage: grille init [-d DB] [-c CODEBOOK] [-u UNIT]\n"
    "Create a new project: a SQLite file, readable by you only, that will\n"
    "hold documents, their attributes and codings, and the codebook.\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -c, --codebook FILE  the project's codebook (default: the bundled one)\n"
    "  -u, --unit UNIT      paragraph (default) or sentence\n"
    "  -h, --help           show this help\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"codebook", required_argument, 0, 'c'},
        {"unit", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL, *cbpath = NULL;
    grille_unit unit = GRILLE_UNIT_PARAGRAPH;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:c:u:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c': cbpath = optarg; break;
        case 'u': {
            int u = grille_unit_parse(optarg);
            if (u < 0)
                return cli_usage("init",
                                 _("unknown unit '%s' (paragraph or "
                                   "sentence)"),
                                 optarg);
            unit = (grille_unit)u;
            break;
        }
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("init");
        }
    }
    if (optind < argc)
        return cli_unexpected("init", argv + optind, argc - optind,
                              _("unexpected argument '%s'"), true);
    db = cli_db_path(db);
    grille_error err = {0};
    grille_text *text = NULL;
    const char *yaml;
    size_t len;
    const char *source = "riposte.yaml";
    if (cbpath) {
        if (cli_read_codebook(&text, cbpath, &err) < 0) {
            cli_lib_error(&err);
            return EXIT_RUNTIME;
        }
        yaml = grille_text_data(text, &len);
        source = strcmp(cbpath, "-") == 0 ? "<stdin>" : cbpath;
    } else {
        yaml = grille_codebook_bundled_text(&len);
    }
    grille_store *s = NULL;
    int rc = grille_store_create(&s, db, yaml, len, source, unit, &err);
    grille_text_free(text);
    if (rc < 0) {
        cli_lib_error(&err);
        return EXIT_RUNTIME;
    }
    grille_codebook *cb = NULL;
    if (grille_store_codebook(s, &cb, &err) == 0)
        cli_printf(_("created project %s (codebook '%s', %zu code%s, unit "
                     "%s)\n"),
               db, grille_codebook_name(cb), grille_codebook_count(cb),
               cli_s(grille_codebook_count(cb)), grille_unit_name(unit));
    grille_codebook_free(cb);
    grille_store_close(s);
    return EXIT_OK;
}
