/*
 * cmd_import.c - `grille import`: a REFI-QDA project from NVivo, ATLAS.ti,
 * MAXQDA or QualCoder into the grille project, in one transaction: its
 * texts become documents (coded by the project's codebook), its cases'
 * variables attributes, and the codings made by hand manual codings.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char help[] =
    "Usage: grille import [-d DB] FILE.qdpx...\n"
    "   or: grille import FILE.qdc [-o CODEBOOK.yaml]\n"
    "Import REFI-QDA projects (.qdpx, as NVivo, ATLAS.ti, MAXQDA, QualCoder\n"
    "and 'grille export' write them) into the project: each text source is\n"
    "added as a document and coded with the project's codebook, each case's\n"
    "variables become attributes, each coding made by hand a manual coding\n"
    "(its user as coder).  Codes are matched to the project's by name, level\n"
    "by level, ignoring case and accents; the others are created.  Texts\n"
    "already in the project are kept and receive the codings.  Everything is\n"
    "imported in one transaction: on an error, the project is unchanged.\n\n"
    "A REFI-QDA codebook (.qdc) becomes the start of a grille codebook: its\n"
    "codes as themes and children, each with its own name as its only term,\n"
    "written to standard output or to a new file with -o.\n\n"
    "  -d, --db FILE      the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -o, --output FILE  with a .qdc: the codebook to write (never replaced)\n"
    "  -h, --help         show this help\n";

static bool is_qdc(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcasecmp(path + n - 4, ".qdc") == 0;
}

/* A .qdc to the YAML of a codebook, on stdout or in a new file. */
static int import_qdc(const char *path, const char *out)
{
    grille_error err = {0};
    char *yaml = NULL;
    size_t len = 0;
    if (grille_refi_qdc_to_yaml(path, &yaml, &len, &err) < 0) {
        cli_lib_error(&err);
        return EXIT_RUNTIME;
    }
    int status = EXIT_OK;
    if (!out) {
        if (fwrite(yaml, 1, len, stdout) != len || fflush(stdout) != 0) {
            cli_error("%s: %s", _("standard output"), strerror(errno));
            status = EXIT_RUNTIME;
        }
    } else {
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
            cli_error(errno == EEXIST ? _("%s: exists already; not replaced")
                                      : "%s: %s",
                      out, strerror(errno));
            if (fd >= 0)
                close(fd);
            status = EXIT_RUNTIME;
        } else {
            bool bad = fwrite(yaml, 1, len, f) != len;
            if (fclose(f) != 0 || bad) {
                cli_error("%s: %s", out, strerror(errno));
                unlink(out);
                status = EXIT_RUNTIME;
            } else {
                cli_printf(_("wrote %s from %s; check it with 'grille "
                             "codebook check %s'\n"),
                       out, path, out);
            }
        }
    }
    grille_free(yaml);
    return status;
}

/* The warning of what a project does not hold: "2 memos, 1 set". */
static void warn_left_out(const char *path, const grille_refi_import_stats *st)
{
    const struct {
        size_t n;
        const char *one, *many;
    } kinds[] = {{st->memos, _("memo"), _("memos")},
                 {st->notes, _("note"), _("notes")},
                 {st->sets, _("set"), _("sets")},
                 {st->graphs, _("graph"), _("graphs")},
                 {st->links, _("link"), _("links")}};
    char list[200] = "";
    size_t len = 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (!kinds[i].n || len >= sizeof(list))
            continue;
        int w = snprintf(list + len, sizeof(list) - len, "%s%zu %s",
                         len ? ", " : "", kinds[i].n,
                         kinds[i].n == 1 ? kinds[i].one : kinds[i].many);
        if (w > 0)
            len += (size_t)w;
    }
    cli_warning(_("%s: left out what a grille project does not hold: %s"),
                path, list);
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o':
            if (!*optarg)
                return cli_usage("import", "%s", _(CLI_NO_OUTPUT));
            out = optarg;
            break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("import");
        }
    }
    if (optind >= argc)
        return cli_usage("import", "%s", _("which file? grille import FILE.qdpx"));
    bool qdc = false;
    for (int i = optind; i < argc; i++)
        qdc |= is_qdc(argv[i]);
    if (qdc && argc - optind > 1)
        return cli_usage("import", "%s", _("one .qdc at a time"));
    if (qdc && db)
        return cli_usage("import", "%s",
                         _("a .qdc becomes a codebook file (-o), not part "
                           "of a project: -d goes with a .qdpx (then "
                           "'grille recode -c CODEBOOK' gives it to a "
                           "project)"));
    if (qdc)
        return import_qdc(argv[optind], out);
    if (out)
        return cli_usage("import", "%s", _("-o goes with a .qdc"));
    db = cli_db_path(db);
    grille_error err = {0};
    grille_store *s = NULL;
    grille_codebook *cb = NULL;
    grille_analyser *a = NULL;
    int status = EXIT_RUNTIME;
    char *said = NULL; /* what each archive brought, said after the commit */
    size_t said_len = 0;
    FILE *sum = NULL;
    int read_ok = 0;
    bool archive_failed = false; /* an archive after others failed */
    if (cli_open_store(&s, db, false) < 0)
        return EXIT_RUNTIME;
    if (grille_store_begin(s, &err) < 0 ||
        grille_store_codebook(s, &cb, &err) < 0 || cli_analyser(&a, &err) < 0)
        goto fail;
    cli_catch_signals();
    /* Ctrl-C is seen between the sources of an archive, not only after
     * the whole of it */
    grille_set_interrupt(&cli_interrupted);
    /* the archives go in one transaction: what each one brought is said
     * once it is in, and an error in a later one leaves every one out */
    sum = open_memstream(&said, &said_len);
    if (!sum) {
        cli_error("%s", _("out of memory"));
        grille_store_rollback(s);
        goto done;
    }
    for (int i = optind; i < argc; i++) {
        grille_refi_import_stats st;
        if (grille_refi_import_qdpx(s, a, cb, argv[i], &st, &err) < 0) {
            archive_failed = read_ok > 0;
            goto fail;
        }
        if (cli_interrupted) {
            grille_store_rollback(s);
            cli_error(_("interrupted: %s is unchanged"), db);
            status = 128 + cli_interrupted;
            goto done;
        }
        read_ok++;
        fprintf(sum,
                _("%s: %zu document%s added, %zu already there, "
                  "%zu attribute%s, %zu manual coding%s, %zu new code%s\n"),
                argv[i], st.documents, cli_s(st.documents), st.existing,
                st.attributes, cli_s(st.attributes), st.codings,
                cli_s(st.codings), st.codes_created, cli_s(st.codes_created));
        if (st.automatic)
            fprintf(sum,
                    _("  %zu coding%s made by grille left to the codebook\n"),
                    st.automatic, cli_s(st.automatic));
        if (st.automatic && st.recoded)
            cli_warning(_("%s: in %zu of the documents added, the codings "
                          "grille made in the archive are not those of this "
                          "project's codebook (%s), which coded them again: "
                          "the archive was coded with another codebook; to "
                          "keep its codings, import it into a project made "
                          "with that codebook (grille init -c FILE)"),
                        argv[i], st.recoded,
                        grille_store_codebook_source(s));
        if (st.dropped)
            cli_warning(_("%s: %zu coding%s dropped (empty selection, "
                          "unknown code or outside the text); the first: "
                          "%s"),
                        argv[i], st.dropped, cli_s(st.dropped),
                        st.first_dropped);
        if (st.converted)
            cli_warning(_("%s: %zu source%s converted to UTF-8; the first: "
                          "%s"),
                        argv[i], st.converted, cli_s(st.converted),
                        st.first_converted);
        if (st.merged)
            cli_warning(_("%s: %zu %s the text of a document of another "
                          "name: %s codings went to it, %s case variables "
                          "were left out"),
                        argv[i], st.merged,
                        st.merged == 1 ? _("source has") : _("sources have"),
                        st.merged == 1 ? _("its") : _("their"),
                        st.merged == 1 ? _("its") : _("their"));
        if (st.memos + st.notes + st.sets + st.graphs + st.links)
            warn_left_out(argv[i], &st);
        if (st.not_codable)
            cli_warning(_("%s: %zu code%s marked not codable (folders) "
                          "imported as codes like the others"),
                        argv[i], st.not_codable, cli_s(st.not_codable));
        if (st.unknown_refs)
            cli_warning(_("%s: %zu reference%s to nothing in the archive "
                          "left out (a case's source, a value's variable); "
                          "the first: %s"),
                        argv[i], st.unknown_refs, cli_s(st.unknown_refs),
                        st.first_unknown_ref);
        if (st.irregular)
            cli_warning(st.irregular == 1
                            ? _("%s: %zu irregularity read as best it could "
                                "be: %s")
                            : _("%s: %zu irregularities read as best they "
                                "could be; the first: %s"),
                        argv[i], st.irregular, st.first_irregular);
        if (st.sources_skipped)
            cli_warning(_("%s: %zu source%s skipped (without text, or not "
                          "plain text in the archive)"),
                        argv[i], st.sources_skipped, cli_s(st.sources_skipped));
    }
    if (grille_store_commit(s, &err) < 0)
        goto fail;
    cli_checkpoint(s);
    fclose(sum);
    sum = NULL;
    put_safe(stdout, said, said_len);
    status = EXIT_OK;
    goto done;
fail:
    grille_store_rollback(s);
    if (cli_interrupted) {
        cli_error(_("interrupted: %s is unchanged"), db);
        status = 128 + cli_interrupted;
        goto done;
    }
    cli_lib_error(&err);
    if (s && archive_failed)
        cli_error(_("%s is unchanged: the archives before it are not "
                    "imported either"),
                  db);
    else if (s)
        cli_error(_("%s is unchanged"), db);
done:
    if (sum)
        fclose(sum);
    free(said);
    grille_analyser_free(a);
    grille_codebook_free(cb);
    grille_store_close(s);
    return status;
}
