/*
 * cmd_export.c - `grille export`: the project for other tools.  qdpx is a
 * REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder open it), qdc the
 * codebook alone in REFI-QDA form, csv every coding as one row for a
 * spreadsheet or R.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "Usage: grille export [-d DB] [-c CODEBOOK] [-f qdpx|qdc|csv]\n"
    "                     [--selections hits|segments] -o FILE\n"
    "Export the project for other tools.\n\n"
    "  qdpx  a REFI-QDA project: the codes, one case per document with its\n"
    "        attributes as variables, the texts and every coding; NVivo,\n"
    "        ATLAS.ti, MAXQDA and QualCoder import it\n"
    "  qdc   the codebook alone, REFI-QDA form: the project's, or CODEBOOK's\n"
    "        with -c (then no project is needed)\n"
    "  csv   one row per coding: document, segment, the segment's line, code,\n"
    "        byte start and end, matched term, rule, origin (- as FILE:\n"
    "        standard output);\n"
    "        when FILE is a folder, three files in it: codings.csv,\n"
    "        documents.csv (as 'grille list -f csv') and matrix.csv (coded\n"
    "        segments per document and code, themes counting sub-themes)\n\n"
    "Two exports of the same project are the same bytes (identifiers derive\n"
    "from the content).  FILE is replaced only once the export is complete;\n"
    "a link is written through; a device, a pipe or a folder (but for csv)\n"
    "is refused.\n\n"
    "  -d, --db FILE        the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -c, --codebook FILE  with -f qdc: export this codebook\n"
    "  -f, --format FORMAT  qdpx, qdc or csv (without it: -o's extension)\n"
    "  -o, --output FILE    where to write (for csv, a .csv file or a folder\n"
    "                       that exists)\n"
    "  -s, --selections WHAT\n"
    "                       with -f qdpx, what each coding selects: hits\n"
    "                       (default), the words that made it, or\n"
    "                       segments, its whole segment once per code (the\n"
    "                       passage, as a coder codes it in NVivo or MAXQDA);\n"
    "                       codings made by hand keep their spans\n"
    "  -h, --help           show this help\n";

enum { EX_QDPX, EX_QDC, EX_CSV };

typedef struct csv_out {
    FILE *f;
} csv_out;

static int on_coding(const grille_coding_info *c, void *payload)
{
    FILE *f = ((csv_out *)payload)->f;
    csv_ccell(f, c->document_name, true);
    fputc(',', f);
    put_size(f, c->segment); /* from 0, as tag's */
    fputc(',', f);
    put_size(f, c->line);
    fputc(',', f);
    csv_ccell(f, c->code, true);
    fputc(',', f);
    put_size(f, c->start);
    fputc(',', f);
    put_size(f, c->end);
    fputc(',', f);
    csv_ccell(f, c->term, true);
    fputc(',', f);
    csv_ccell(f, c->rule, true);
    fputc(',', f);
    fputs(c->origin, f);
    fputs("\r\n", f);
    return ferror(f) || cli_interrupted ? 1 : 0;
}

static int write_codings(grille_store *s, FILE *f)
{
    grille_error err = {0};
    csv_out o = {f};
    fputs("document,segment,line,code,start,end,term,rule,origin\r\n", f);
    int rc = grille_store_foreach_coding(s, 0, on_coding, &o, &err);
    if (rc < 0)
        cli_lib_error(&err);
    return rc < 0 ? -1 : 0; /* a write error is seen by the caller */
}

static int write_documents(grille_store *s, FILE *f)
{
    return list_write_csv(s, f);
}

/* Documents x codes: the coded segments of each code in each document, a
 * theme counting the segments of its sub-themes (as in the reports). */
static int write_matrix(grille_store *s, FILE *f)
{
    grille_report *r = NULL;
    grille_error err = {0};
    if (grille_report_build(&r, s, &err) < 0) {
        cli_lib_error(&err);
        return -1;
    }
    fputs("document", f);
    for (size_t c = 0; c < r->ncodes; c++) {
        fputc(',', f);
        /* a theme named 'document' is not the first column twice */
        csv_ccell(f,
                  strcmp(r->codes[c].id, "document") == 0 ? "code.document"
                                                          : r->codes[c].id,
                  true);
    }
    fputs("\r\n", f);
    for (size_t d = 0; d < r->ndocs; d++) {
        csv_ccell(f, r->docs[d].name, true);
        for (size_t c = 0; c < r->ncodes; c++) {
            fputc(',', f);
            put_size(f, r->cell_segments[d * r->ncodes + c]);
        }
        fputs("\r\n", f);
    }
    grille_report_free(r);
    return 0;
}

typedef int (*csv_writer)(grille_store *s, FILE *f);

/* Where an export goes: FILE, or the file FILE links to (the link stays a
 * link), as a string to free; NULL, with a message, for what an export
 * must not replace: a folder (unless `folder` is allowed: csv), a device
 * or a pipe (replacing /dev/null with a file, as root, is no export).
 * *is_folder says whether it is an existing folder. */
static char *export_target(const char *out, bool folder, bool *is_folder)
{
    struct stat st;
    *is_folder = false;
    if (stat(out, &st) == 0) { /* there (through links) */
        if (S_ISDIR(st.st_mode) && folder) {
            *is_folder = true;
        } else if (!S_ISREG(st.st_mode)) {
            cli_error(S_ISDIR(st.st_mode)
                          ? _("%s is a folder: give the name of the file to "
                              "write")
                          : _("%s is not a regular file (a device or a "
                              "pipe): an export writes a file"),
                      out);
            return NULL;
        }
        struct stat ls;
        bool link = lstat(out, &ls) == 0 && S_ISLNK(ls.st_mode);
        char *path = link ? realpath(out, NULL) : strdup(out);
        if (!path)
            cli_error("%s: %s", out, strerror(link ? errno : ENOMEM));
        return path;
    }
    if (errno != ENOENT) {
        cli_error("%s: %s", out, strerror(errno));
        return NULL;
    }
    if (lstat(out, &st) == 0) {
        cli_error(_("%s: a link to a file that is not there"), out);
        return NULL;
    }
    size_t n = strlen(out);
    if (n && out[n - 1] == '/') {
        cli_error(_("%s: no such folder"), out);
        return NULL;
    }
    const char *slash = strrchr(out, '/');
    if (slash && slash > out) { /* its folder must be there */
        char *dir = strndup(out, (size_t)(slash - out));
        bool there = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
        if (dir && !there)
            cli_error(_("%s: no folder %s to write it in"), out, dir);
        free(dir);
        if (!there)
            return NULL;
    }
    char *path = strdup(out);
    if (!path)
        cli_error(_("out of memory"));
    return path;
}

/* Runs `write` into a temporary file beside `out` (its name to free in
 * *tmp); a failure removes it and says why. */
static int write_temp(grille_store *s, const char *out, csv_writer write,
                      char **tmp)
{
    size_t n = strlen(out) + 32;
    *tmp = malloc(n);
    if (!*tmp) {
        cli_error(_("out of memory"));
        return -1;
    }
    snprintf(*tmp, n, "%s.tmp-%d", out, (int)getpid());
    FILE *f = fopen(*tmp, "wbx");
    if (!f) {
        cli_error("%s: %s", out, strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    errno = 0;
    int rc = write(s, f);
    if (cli_interrupted)
        rc = -1; /* said by the caller */
    if (rc == 0 && (fflush(f) != 0 || ferror(f))) {
        cli_error("%s: %s", out, strerror(errno ? errno : EIO));
        rc = -1;
    }
    if (fclose(f) != 0 && rc == 0) {
        cli_error("%s: %s", out, strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
    }
    return rc;
}

/* Renames the n temporary files to their targets, unless Ctrl-C came:
 * then all are removed and every target is as it was. */
static int rename_all(char **tmp, const char *const *out, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (cli_interrupted || rename(tmp[i], out[i]) != 0) {
            if (!cli_interrupted)
                cli_error("%s: %s", out[i], strerror(errno));
            rc = -1;
        }
    for (size_t i = 0; i < n; i++) {
        if (rc < 0)
            unlink(tmp[i]);
        free(tmp[i]);
    }
    return rc;
}

/* Runs `write` into `out` ("-": standard output) through a temporary file
 * beside it, renamed at the end: a failure leaves `out` as it was. */
static int write_atomic(grille_store *s, const char *out, csv_writer write)
{
    if (strcmp(out, "-") == 0) {
        int rc = write(s, stdout);
        if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
            cli_error("%s: %s", _("standard output"), strerror(errno));
            rc = -1;
        }
        return rc;
    }
    char *tmp;
    if (write_temp(s, out, write, &tmp) < 0)
        return -1;
    return rename_all(&tmp, &out, 1);
}

/* -f csv: to a folder, the three tables (all written, then all renamed:
 * the folder never mixes old and new tables); else the codings. */
static int export_csv(grille_store *s, const char *db, const char *out,
                      bool folder)
{
    if (!folder)
        return write_atomic(s, out, write_codings);
    static const struct {
        const char *name;
        csv_writer write;
    } tables[] = {{"codings.csv", write_codings},
                  {"documents.csv", write_documents},
                  {"matrix.csv", write_matrix}};
    enum { N = sizeof(tables) / sizeof(tables[0]) };
    char *path[N] = {0}, *tmp[N] = {0};
    size_t done = 0;
    int rc = 0;
    /* each table as -o FILE would be: through a link, never over a
     * folder, a device, a pipe or the project (a project named
     * documents.csv, or a link to it); all checked before anything is
     * written */
    for (size_t i = 0; i < N && rc == 0; i++) {
        size_t n = strlen(out) + 32;
        char *name = malloc(n);
        bool dir;
        if (!name) {
            cli_error(_("out of memory"));
            rc = -1;
            break;
        }
        snprintf(name, n, "%s/%s", out, tables[i].name);
        path[i] = export_target(name, false, &dir);
        free(name);
        if (!path[i] || cli_same_file(path[i], db))
            rc = -1;
    }
    /* the three tables from one snapshot of the project */
    grille_error err = {0};
    if (rc == 0 && grille_store_read_begin(s, &err) < 0) {
        cli_lib_error(&err);
        rc = -1;
    }
    for (size_t i = 0; i < N && rc == 0; i++) {
        rc = write_temp(s, path[i], tables[i].write, &tmp[i]);
        done += rc == 0;
    }
    grille_store_read_end(s);
    if (rc == 0)
        rc = rename_all(tmp, (const char *const *)path, N);
    else
        for (size_t i = 0; i < done; i++) {
            unlink(tmp[i]);
            free(tmp[i]);
        }
    for (size_t i = 0; i < N; i++)
        free(path[i]);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"codebook", required_argument, 0, 'c'},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"selections", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL, *cbpath = NULL, *out = NULL, *fmt = NULL;
    grille_selections as = GRILLE_SELECT_HITS;
    bool as_given = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:c:f:o:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (strcmp(optarg, "hits") == 0)
                as = GRILLE_SELECT_HITS;
            else if (strcmp(optarg, "segments") == 0)
                as = GRILLE_SELECT_SEGMENTS;
            else
                return cli_usage("export",
                                 _("--selections takes hits or segments, "
                                   "not '%s'"),
                                 optarg);
            as_given = true;
            break;
        case 'd': db = optarg; break;
        case 'c': cbpath = optarg; break;
        case 'f': fmt = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("export");
        }
    }
    if (optind < argc)
        return cli_unexpected("export", argv + optind, argc - optind,
                              _("unexpected argument '%s'"), true);
    if (!fmt && out) { /* -o synthese.qdpx says which */
        const char *dot = strrchr(out, '.');
        fmt = !dot || strchr(dot, '/')   ? NULL
              : !strcasecmp(dot, ".qdpx") ? "qdpx"
              : !strcasecmp(dot, ".qdc")  ? "qdc"
              : !strcasecmp(dot, ".csv")  ? "csv"
                                          : NULL;
    }
    if (!fmt && !out)
        return cli_usage("export", "%s",
                         _("which format, and where to? -o FILE, its "
                           "extension the format (.qdpx, .qdc or .csv), or "
                           "-f qdpx, qdc or csv as well"));
    if (!fmt)
        return cli_usage("export", _("which format? -f qdpx, qdc or csv"));
    int kind = strcmp(fmt, "qdpx") == 0  ? EX_QDPX
               : strcmp(fmt, "qdc") == 0 ? EX_QDC
               : strcmp(fmt, "csv") == 0 ? EX_CSV
                                         : -1;
    if (kind < 0)
        return cli_usage("export",
                         _("unknown format '%s' (qdpx, qdc or csv)"), fmt);
    if (!out || !*out)
        return cli_usage("export", _("where to? -o FILE"));
    if (cbpath && kind != EX_QDC)
        return cli_usage("export", _("-c goes with -f qdc only"));
    if (as_given && kind != EX_QDPX)
        return cli_usage("export", _("--selections goes with -f qdpx only"));
    struct stat so, sf;
    if (strcmp(out, "-") != 0 && stat(out, &so) == 0 &&
        fstat(STDOUT_FILENO, &sf) == 0 && so.st_dev == sf.st_dev &&
        so.st_ino == sf.st_ino)
        out = "-"; /* /dev/stdout and the like: written to, not replaced */
    if (strcmp(out, "-") == 0 && kind != EX_CSV)
        return cli_usage("export",
                         _("-f %s writes a file, not standard output"), fmt);

    /* -o tableaux, a folder not made yet (the guide's mkdir forgotten):
     * not one file of codings named like the folder meant */
    if (kind == EX_CSV && strcmp(out, "-") != 0 && access(out, F_OK) != 0 &&
        errno == ENOENT) {
        const char *b = strrchr(out, '/'), *name = b ? b + 1 : out;
        if (!*name || !strchr(name, '.')) {
            cli_error(_("%s: no such folder: make it for the three tables "
                        "(mkdir), or name a file ending in .csv for the "
                        "codings alone"),
                      out);
            return EXIT_RUNTIME;
        }
    }

    grille_error err = {0};
    grille_store *s = NULL;
    grille_codebook *cb = NULL;
    int status = EXIT_RUNTIME;
    if (kind == EX_QDC && cbpath) {
        if (cli_load_codebook(&cb, cbpath) < 0)
            return EXIT_RUNTIME;
    } else {
        db = cli_db_path(db);
        if (cli_open_store(&s, db, true) < 0)
            return EXIT_RUNTIME;
        if (kind == EX_QDC && grille_store_codebook(s, &cb, &err) < 0) {
            cli_lib_error(&err);
            goto done;
        }
    }
    bool folder = false;
    char *target = strcmp(out, "-") == 0
                       ? strdup(out)
                       : export_target(out, kind == EX_CSV, &folder);
    if (!target)
        goto done; /* said */
    if (s && !folder && strcmp(target, "-") != 0 &&
        cli_same_file(target, db)) {
        free(target);
        goto done;
    }
    /* the codebook read, written over by its own export (-c cb.yaml -o
     * cb.yaml: the YAML lost) */
    if (cbpath && !folder && strcmp(target, "-") != 0 &&
        cli_project_file(target, cbpath)) {
        cli_error(_("%s is the codebook being exported: write the output "
                    "to another file (a .qdc)"),
                  out);
        free(target);
        goto done;
    }
    /* Ctrl-C: stop, remove what was begun; a second one too (it would
     * otherwise kill the program and leave libzip's temporary file) */
    cli_catch_signals_patient();
    bool existed = strcmp(target, "-") != 0 && access(target, F_OK) == 0;
    grille_set_interrupt(&cli_interrupted);
    int rc;
    switch (kind) {
    case EX_QDC: rc = grille_refi_export_qdc(cb, target, &err); break;
    case EX_QDPX: rc = grille_refi_export_qdpx_as(s, target, as, &err); break;
    default: rc = export_csv(s, db, target, folder) < 0 ? 1 : 0; break;
    }
    free(target);
    /* the export tells whether it stopped: a Ctrl-C after it was complete
     * changes nothing */
    bool stopped = kind == EX_CSV ? rc != 0 && cli_interrupted
                                  : rc == GRILLE_EINTR;
    if (stopped) {
        if (existed)
            cli_error(_("interrupted: %s is as it was"), out);
        else
            cli_error(_("interrupted: nothing was written to %s"), out);
        status = 128 + (cli_interrupted ? cli_interrupted : SIGINT);
    } else if (rc < 0) {
        cli_lib_error(&err);
    } else if (rc == 0) {
        status = EXIT_OK;
    }
done:
    grille_codebook_free(cb);
    grille_store_close(s);
    return status;
}
