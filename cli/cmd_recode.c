/*
 * cmd_recode.c - `grille recode`: after a codebook edit, codes every
 * document again in one transaction, rewrites the automatic codings of
 * those that changed and prints what changed per theme.  Manual codings
 * are never touched.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "Usage: grille recode [-d DB] [-c CODEBOOK] [--dry-run] [-j N]\n"
    "Code every document of the project again: with CODEBOOK, which then\n"
    "becomes the project's codebook, or with the project's own.  The\n"
    "automatic codings of the documents whose codings change are replaced,\n"
    "all in one transaction; manual codings are kept.  Prints, per theme\n"
    "(children counted in their parents), the coded segments before and\n"
    "after, how many were gained and lost, and the codings before and after\n"
    "(a term removed from a theme whose segments stay coded changes only\n"
    "those); the totals add up the top-level themes.\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -c, --codebook FILE  the new codebook\n"
    "  -n, --dry-run        show the changes, write nothing\n"
    "  -j, --jobs N         use N threads to code the documents (default:\n"
    "                       one per processor, at most 8); the result is\n"
    "                       the same\n"
    "  -h, --help           show this help\n";

typedef struct recode_run {
    cli_progress prog;
    size_t gained, lost, codings_before, codings_after;
    bool header;
    char *stranded; /* the codes the codebook had and has no longer, kept
                       by manual codings, with their counts, for a warning */
    size_t nstranded;
    char *rows; /* the table, printed once the changes are written */
    size_t rows_len;
    FILE *out;
} recode_run;

static void on_progress(size_t done, size_t total, void *payload)
{
    recode_run *r = payload;
    r->prog.total = total;
    cli_progress_step(&r->prog, done);
}

static int on_change(const grille_recode_change *c, void *payload)
{
    recode_run *r = payload;
    if (!r->header) {
        cli_progress_end(&r->prog);
        fprintf(r->out, "%-32s %7s %7s %7s %7s  %s\n", _("theme"),
                _("before"), _("after"), _("gained"), _("lost"),
                _("codings"));
        r->header = true;
    }
    int w = 32 - (int)text_width(c->code, strlen(c->code));
    char gained[32], lost[32], codings[64];
    snprintf(gained, sizeof(gained), c->gained ? "+%zu" : "0", c->gained);
    snprintf(lost, sizeof(lost), c->lost ? "-%zu" : "0", c->lost);
    /* the codings too: a term removed from a theme whose segments stay
     * coded by others changes no segment, but its codings */
    if (c->codings_before == c->codings_after)
        snprintf(codings, sizeof(codings), "%zu", c->codings_after);
    else
        snprintf(codings, sizeof(codings), "%zu -> %zu", c->codings_before,
                 c->codings_after);
    fprintf(r->out, "%s%*s %7zu %7zu %7s %7s  %s\n", c->code, w > 0 ? w : 0,
            "", c->before, c->after, gained, lost, codings);
    /* a code of an import that was never in the codebook is not one
     * this recode strands: no warning at each recode */
    if (!c->in_codebook && c->codings_after && c->was_in_codebook) {
        char *more = NULL;
        if (asprintf(&more, "%s%s%s (%zu)", r->stranded ? r->stranded : "",
                     r->stranded ? ", " : "", c->code, c->codings_after) < 0)
            cli_nomem();
        free(r->stranded);
        r->stranded = more;
        r->nstranded++;
    }
    /* the totals over the themes: a sub-theme's changes are in its
     * theme's row already */
    if (!strchr(c->code, '/')) {
        r->gained += c->gained;
        r->lost += c->lost;
        r->codings_before += c->codings_before;
        r->codings_after += c->codings_after;
    }
    return 0;
}

/* recode without -c codes with the project's copy of its codebook: a
 * file by the name it was read from (edited since: the usual slip is to
 * edit, then recode) is said to differ, with the way to use it.  The
 * name may be relative to another folder, or be the bundled codebook's
 * (init without -c names it riposte.yaml, as the copy a user starts
 * from is named): the warning says "here", and asks. */
static void warn_if_edited(const char *source, const char *stored,
                           size_t len)
{
    grille_text *t = NULL;
    grille_error err = {0};
    struct stat st;
    if (!source || !*source ||
        stat(source, &st) != 0 || !S_ISREG(st.st_mode) ||
        grille_text_read_file(&t, source, &err) < 0)
        return;
    size_t n, bn;
    const char *now = grille_text_data(t, &n);
    const char *bundled = grille_codebook_bundled_text(&bn);
    if (n == len && memcmp(now, stored, len) == 0)
        ; /* the same */
    else if (bn == len && memcmp(bundled, stored, len) == 0)
        /* init without -c: the bundled one, which this file may be the
         * user's copy of */
        cli_warning(_("%s here is not the project's codebook, which is "
                      "the bundled one's text (init without -c, or a copy "
                      "of it): this recode codes with it; to code with the "
                      "file, give it: grille recode -c %s"),
                    source, source);
    else
        cli_warning(_("%s here is not the project's codebook, which was read "
                      "from a file of that name (edited since?): this recode "
                      "codes with the project's copy; to code with the file, "
                      "give it: grille recode -c %s"),
                    source, source);
    grille_text_free(t);
}

int cmd_recode(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"codebook", required_argument, 0, 'c'},
        {"dry-run", no_argument, 0, 'n'},
        {"jobs", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL, *cbpath = NULL;
    bool dry = false;
    long jobs = cli_default_jobs();
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:c:nj:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c': cbpath = optarg; break;
        case 'n': dry = true; break;
        case 'j':
            if (cli_jobs("recode", optarg, &jobs) != 0)
                return EXIT_USAGE;
            break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("recode");
        }
    }
    if (optind < argc)
        return cli_unexpected("recode", argv + optind, argc - optind,
                              _("unexpected argument '%s'"), true);
    db = cli_db_path(db);
    grille_error err = {0};
    grille_text *text = NULL;
    grille_codebook *cb = NULL;
    grille_analyser *a[64] = {0};
    grille_store *s = NULL;
    char *stored = NULL, *source = NULL;
    const char *yaml;
    size_t len;
    int status = EXIT_RUNTIME;
    recode_run run = {0}; /* before the first goto: done frees it */
    if (dry && access(db, F_OK) == 0 && access(db, W_OK) != 0) {
        /* the dry run recodes in a transaction it rolls back */
        cli_error(_("%s: recode --dry-run needs the right to write the "
                    "project, though it changes nothing: it recodes in a "
                    "transaction that it then rolls back; to try a codebook "
                    "on a project you may only read, recode a copy of it"),
                  db);
        return EXIT_RUNTIME;
    }
    /* SQLite's page cache, as add's (18,000 faults of 4 KiB pages in a
     * recode of the benchmark's project of 270 MB) */
    cli_large_heap(false, cli_heap_share(db, 3, 72u << 20));
    if (cli_open_store(&s, db, false) < 0)
        return EXIT_RUNTIME;
    /* Ctrl-C caught before the transaction begins (see cmd_add.c) */
    cli_catch_signals();
    grille_set_interrupt(&cli_interrupted); /* stops between documents */
    if (grille_store_begin(s, &err) < 0)
        goto fail;
    if (cbpath) {
        if (cli_read_codebook(&text, cbpath, &err) < 0)
            goto fail;
        yaml = grille_text_data(text, &len);
    } else {
        if (grille_store_codebook_text(s, &stored, &len, &source, &err) < 0)
            goto fail;
        yaml = stored;
        warn_if_edited(source, stored, len);
    }
    /* its name, as the project keeps it */
    const char *name = !cbpath                     ? source
                       : strcmp(cbpath, "-") == 0 ? "<stdin>"
                                                   : cbpath;
    if (grille_codebook_load(&cb, yaml, len, name, &err) < 0) {
        /* the project's own: its error said as the project says it, in
         * the project, with the way out (loaded under the name of its
         * source above: a codebook without a name takes it from there) */
        grille_codebook *again = NULL;
        if (!cbpath && grille_store_codebook(s, &again, &err) == 0)
            grille_codebook_free(again);
        goto fail;
    }
    for (long i = 0; i < jobs; i++)
        if (cli_analyser(&a[i], &err) < 0)
            goto fail;
    /* the table waits for the commit: a recode that fails (a full disk)
     * prints no changes it did not make */
    run.out = open_memstream(&run.rows, &run.rows_len);
    if (!run.out)
        cli_nomem();
    cli_progress_start(&run.prog, _("recoding"), 0);
    int rc = grille_store_recode_jobs(s, a, (size_t)jobs, cb, yaml, len,
                                      name, on_progress,
                                      on_change, &run, &err);
    cli_progress_end(&run.prog);
    if (rc < 0 && !cli_interrupted) {
        grille_store_rollback(s);
        goto fail;
    }
    if (cli_interrupted) {
        grille_store_rollback(s);
        cli_error(_("interrupted: %s is unchanged"), db);
        status = 128 + cli_interrupted;
        goto done;
    }
    if (!dry && grille_store_commit(s, &err) < 0)
        goto fail;
    if (dry)
        grille_store_rollback(s);
    else
        cli_checkpoint(s);
    fclose(run.out);
    run.out = NULL;
    fwrite(run.rows, 1, run.rows_len, stdout);
    if (run.stranded) {
        /* a theme renamed, moved or removed: its codings by hand stay on
         * the old id, reported apart from the codebook's themes */
        fflush(stdout);
        cli_warning(_("manual codings stay on %zu code%s the codebook no "
                      "longer has: %s; give the theme its old id back to "
                      "keep them with it"),
                    run.nstranded, cli_s(run.nstranded), run.stranded);
    }
    if (dry && cli_upgraded_to) {
        /* opening it upgraded it, as any command does; the dry run
         * itself wrote nothing */
        printf(_("dry run: %zu segment coding%s would be gained and %zu "
                 "lost (codings: %zu -> %zu); nothing was recoded (the "
                 "project was upgraded to schema %d as it was opened)\n"),
               run.gained, cli_s(run.gained), run.lost, run.codings_before,
               run.codings_after, cli_upgraded_to);
        status = EXIT_OK;
        goto done;
    }
    if (dry) {
        printf(_("dry run: %zu segment coding%s would be gained and %zu "
                 "lost (codings: %zu -> %zu); nothing was written\n"),
               run.gained, cli_s(run.gained), run.lost, run.codings_before,
               run.codings_after);
        status = EXIT_OK;
        goto done;
    }
    cli_printf(_("recoded %s with '%s': %zu segment coding%s gained, %zu "
                 "lost (codings: %zu -> %zu)\n"),
               db, grille_codebook_name(cb), run.gained, cli_s(run.gained),
               run.lost, run.codings_before, run.codings_after);
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
    cli_error(_("%s is unchanged"), db);
done:
    if (run.out)
        fclose(run.out);
    free(run.rows);
    free(run.stranded);
    free(stored);
    free(source);
    for (long i = 0; i < jobs; i++)
        grille_analyser_free(a[i]);
    grille_codebook_free(cb);
    grille_text_free(text);
    grille_store_close(s);
    return status;
}
