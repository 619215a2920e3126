/*
 * cmd_doc.c - the commands that change documents of a project:
 * `grille rm` and `grille attr set|import`.  Each runs in one transaction:
 * when anything fails, nothing changes.
 */
#include "cli.h"
#include "csv.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char rm_help[] =
    "Usage: grille rm [-d DB] DOC...\n"
    "Remove documents from the project, with their attributes, segments and\n"
    "codings.  DOC is a document's name, the path it was added from, or #ID\n"
    "(see 'grille list').\n\n"
    "  -d, --db FILE  the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -h, --help     show this help\n";

static const char attr_help[] =
    "Usage: grille attr set [-d DB] DOC KEY=VALUE...\n"
    "       grille attr unset [-d DB] DOC KEY...\n"
    "       grille attr import [-d DB] CASES.csv\n"
    "Set attributes of documents.  'set' gives values to one document;\n"
    "'unset' removes some of its attributes (a key given by mistake).\n"
    "'import' reads a cases file (CSV, ',' or ';'): its header names the\n"
    "attributes; the first column of each row names a document (name, path\n"
    "or #ID) or a collectivite (every document whose 'collectivite' is that\n"
    "value); the other columns become attributes (empty cells are left\n"
    "alone).  A row that matches nothing fails the whole import.\n\n"
    "  -d, --db FILE  the project (default: $GRILLE_DB, else ./grille.db)\n"
    "  -h, --help     show this help\n";

/* Parses the -d option and --help common to these commands; returns -1 to
 * go on, else the exit status. */
static int options(int argc, char **argv, const char *cmd, const char *help,
                   const char **db)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option(cmd);
        }
    }
    return -1;
}

/* Opens the project and starts a transaction. */
static int start(grille_store **s, const char *db)
{
    grille_error err = {0};
    if (cli_open_store(s, db, false) < 0)
        return -1;
    /* Ctrl-C from here: the changes rolled back, and said (finish) */
    cli_catch_signals();
    grille_set_interrupt(&cli_interrupted);
    if (grille_store_begin(*s, &err) < 0) {
        if (cli_interrupted) /* while it waited for another writer */
            cli_error(_("interrupted: %s is unchanged"), db);
        else
            cli_lib_error(&err);
        grille_store_close(*s);
        *s = NULL;
        return -1;
    }
    return 0;
}

/* The exit status of a start that failed. */
static int start_failed(void)
{
    return cli_interrupted ? 128 + cli_interrupted : EXIT_RUNTIME;
}

static int finish(grille_store *s, bool ok, const char *db)
{
    grille_error err = {0};
    if (cli_interrupted) {
        grille_store_rollback(s);
        grille_store_close(s);
        cli_error(_("interrupted: %s is unchanged"), db);
        return 128 + cli_interrupted;
    }
    if (!ok) {
        grille_store_rollback(s);
        grille_store_close(s);
        return EXIT_RUNTIME;
    }
    int rc = grille_store_commit(s, &err);
    if (rc < 0)
        cli_lib_error(&err);
    else
        cli_checkpoint(s);
    grille_store_close(s);
    return rc < 0 ? EXIT_RUNTIME : EXIT_OK;
}

/* What a removal takes that no add of the note brings back: attributes
 * set otherwise than by its front matter, codings made by hand. */
typedef struct handmade {
    size_t attrs, manual;
} handmade;

static int count_hand_attr(const grille_attr_info *at, void *payload)
{
    ((handmade *)payload)->attrs += strcmp(at->origin, "front matter") != 0;
    return 0;
}

static int count_manual(const grille_coding_info *c, void *payload)
{
    ((handmade *)payload)->manual += strcmp(c->origin, "manual") == 0;
    return 0;
}

int cmd_rm(int argc, char **argv)
{
    const char *db = NULL;
    optind = 1;
    int st = options(argc, argv, "rm", rm_help, &db);
    if (st >= 0)
        return st;
    if (optind >= argc)
        return cli_usage("rm", "%s", _("name the documents to remove"));
    db = cli_db_path(db);
    grille_store *s;
    if (start(&s, db) < 0)
        return start_failed();
    grille_error err = {0};
    bool ok = true;
    /* every name first (all or nothing), each document once however
     * often it is named (by name, path or #id) */
    int64_t *ids = calloc((size_t)(argc - optind), sizeof(*ids));
    const char **named = calloc((size_t)(argc - optind), sizeof(*named));
    handmade *hand = calloc((size_t)(argc - optind), sizeof(*hand));
    size_t n = 0;
    if (!ids || !named || !hand) {
        cli_error("%s", _("out of memory"));
        ok = false;
    }
    for (int i = optind; i < argc && ok; i++) {
        int64_t id;
        if (grille_store_find(s, argv[i], &id, &err) < 0) {
            cli_lib_error(&err);
            ok = false;
            break;
        }
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = ids[k] == id;
        if (!seen) {
            named[n] = argv[i];
            ids[n++] = id;
        }
    }
    for (size_t k = 0; k < n && ok; k++) {
        /* what goes with it that adding the note again would not bring
         * back, said once it is gone */
        if (grille_store_foreach_attr(s, ids[k], count_hand_attr, &hand[k],
                                      &err) < 0 ||
            grille_store_foreach_coding(s, ids[k], count_manual, &hand[k],
                                        &err) < 0 ||
            grille_store_remove(s, ids[k], &err) < 0) {
            cli_lib_error(&err);
            ok = false;
        }
    }
    int rc = finish(s, ok, db);
    if (rc == EXIT_OK) {
        cli_printf(_("removed %zu document%s from %s\n"), n,
                   n == 1 ? "" : "s", db);
        for (size_t k = 0; k < n; k++) {
            if (!hand[k].attrs && !hand[k].manual)
                continue;
            fputs("  ", stdout);
            put_safe_str(stdout, named[k]);
            printf(_(": with %zu attribute%s set by hand and %zu manual "
                     "coding%s (an add of the note does not bring them "
                     "back; add --replace keeps the attributes of a note "
                     "edited since)\n"),
                   hand[k].attrs, cli_s(hand[k].attrs), hand[k].manual,
                   cli_s(hand[k].manual));
        }
    } else {
        cli_error(_("nothing was removed from %s"), db);
    }
    free(ids);
    free(named);
    free(hand);
    return rc;
}

/* Whether keys a and b name the same attribute once stored ("type" and
 * "Type", "role" and "Rôle"). */
static bool same_attr_key(const char *a, const char *b)
{
    char *x = grille_attr_key(a), *y = grille_attr_key(b);
    if (!x || !y)
        cli_nomem();
    bool same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

int cli_attr_args_once(const char *cmd, char *const *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t kl = (size_t)(strchr(kv[i], '=') - kv[i]);
        /* a key of spaces alone (a no-break space too) is none: said as
         * for '=x', not by the project */
        char *raw = strndup(kv[i], kl), *key = raw ? grille_attr_key(raw) : NULL;
        if (!key)
            cli_nomem();
        bool blank = !*key;
        free(key);
        free(raw);
        if (blank)
            return cli_usage(cmd, _("expected KEY=VALUE, not '%s' (the key "
                                    "is blank)"),
                             kv[i]);
        for (size_t j = 0; j < i; j++) {
            size_t jl = (size_t)(strchr(kv[j], '=') - kv[j]);
            if (jl == kl && strncmp(kv[j], kv[i], kl) == 0)
                return cli_usage(cmd, _("'%.*s' given twice"), (int)kl,
                                 kv[i]);
            char *a = strndup(kv[j], jl), *b = strndup(kv[i], kl);
            if (!a || !b)
                cli_nomem();
            bool same = same_attr_key(a, b);
            free(a);
            free(b);
            if (same)
                return cli_usage(cmd, _("'%.*s' and '%.*s' name the same "
                                        "attribute: give it once"),
                                 (int)jl, kv[j], (int)kl, kv[i]);
        }
    }
    /* a typo of a key the reports read ("tpye=commune"), given alone:
     * set all the same, and said */
    for (size_t i = 0; i < n; i++) {
        size_t kl = (size_t)(strchr(kv[i], '=') - kv[i]);
        char *raw = strndup(kv[i], kl);
        if (!raw)
            cli_nomem();
        const char *near = cli_key_typo(raw);
        for (size_t j = 0; near && j < n; j++) {
            size_t jl = (size_t)(strchr(kv[j], '=') - kv[j]);
            char *other = strndup(kv[j], jl);
            char *ok = other ? grille_attr_key(other) : NULL;
            if (!ok)
                cli_nomem();
            if (strcmp(ok, near) == 0)
                near = NULL;
            free(ok);
            free(other);
        }
        if (near)
            cli_warning(_("key '%s' is none the reports read: did you mean "
                          "'%s'?"),
                        raw, near);
        free(raw);
    }
    return 0;
}

/* Documents known by name, path and collectivite, for matching rows. */
typedef struct docref {
    int64_t id;
    char *name, *path, *collectivite;
    char **attrs; /* "key\0value", as stored */
    size_t nattrs;
} docref;

typedef struct docrefs {
    grille_store *s;
    docref *v;
    size_t n, cap;
} docrefs;

static int on_doc(const grille_doc_info *d, void *payload)
{
    docrefs *r = payload;
    if (r->n == r->cap) {
        size_t c = r->cap ? r->cap * 2 : 64;
        docref *v = realloc(r->v, c * sizeof(*v));
        if (!v)
            return -1;
        r->v = v;
        r->cap = c;
    }
    docref *x = &r->v[r->n++];
    x->id = d->id;
    x->name = strdup(d->name);
    x->path = strdup(d->path);
    x->collectivite = NULL;
    x->attrs = NULL;
    x->nattrs = 0;
    return x->name && x->path ? 0 : -1;
}

static int on_attr(const grille_attr_info *a, void *payload)
{
    docref *x = payload;
    if (strcmp(a->key, "collectivite") == 0) {
        free(x->collectivite);
        x->collectivite = strdup(a->value);
    }
    size_t kl = strlen(a->key), vl = strlen(a->value);
    char **v = realloc(x->attrs, (x->nattrs + 1) * sizeof(*v));
    char *kv = malloc(kl + vl + 2);
    if (!v || !kv) {
        free(kv);
        if (v)
            x->attrs = v;
        return 1;
    }
    x->attrs = v;
    memcpy(kv, a->key, kl + 1);
    memcpy(kv + kl + 1, a->value, vl + 1);
    x->attrs[x->nattrs++] = kv;
    return 0;
}

/* Whether document x has attribute `key` (as stored) with `value`. */
static bool has_value(const docref *x, const char *key, const char *value)
{
    for (size_t i = 0; i < x->nattrs; i++)
        if (strcmp(x->attrs[i], key) == 0 &&
            strcmp(x->attrs[i] + strlen(key) + 1, value) == 0)
            return true;
    return false;
}

/* start, then the document `doc` looked for: *ok whether it was found
 * (err says why not).  -1 when the project could not be opened for
 * writing, as start. */
static int start_doc(const char *db, const char *doc, grille_store **s,
                     int64_t *id, bool *ok, grille_error *err)
{
    if (start(s, db) < 0)
        return -1;
    *ok = grille_store_find(*s, doc, id, err) == 0;
    return 0;
}

static int attr_set(int argc, char **argv, const char *db)
{
    if (argc - optind < 2)
        return cli_usage("attr", "%s", _("give DOC and KEY=VALUE..."));
    for (int i = optind + 1; i < argc; i++) {
        if (!strchr(argv[i], '=') || argv[i][0] == '=')
            return cli_usage("attr", _("expected KEY=VALUE, not '%s'"),
                             argv[i]);
        if (!cli_utf8_valid(argv[i], strlen(argv[i])))
            return cli_usage("attr", _("KEY=VALUE number %d is not UTF-8 "
                                       "text (typed in another encoding?)"),
                             i - optind);
    }
    int bad = cli_attr_args_once("attr", argv + optind + 1,
                                 (size_t)(argc - optind - 1));
    if (bad)
        return bad;
    grille_store *s;
    grille_error err = {0};
    int64_t id;
    bool ok;
    if (start_doc(db, argv[optind], &s, &id, &ok, &err) < 0)
        return start_failed();
    /* the values it has: one given again keeps its origin (the front
     * matter's), as attr import keeps it, and is not counted */
    docref had = {0};
    if (ok)
        ok = grille_store_foreach_attr(s, id, on_attr, &had, &err) == 0;
    int set = 0, same = 0;
    for (int i = optind + 1; i < argc && ok; i++) {
        char *eq = strchr(argv[i], '=');
        *eq = '\0';
        char *key = grille_attr_key(argv[i]), *value = grille_attr_value(eq + 1);
        if (!key || !value)
            cli_nomem();
        if (has_value(&had, key, value))
            same++;
        else if ((ok = grille_store_set_attr(s, id, argv[i], eq + 1,
                                             "command line", &err) == 0))
            set++;
        free(key);
        free(value);
        *eq = '=';
    }
    for (size_t k = 0; k < had.nattrs; k++)
        free(had.attrs[k]);
    free(had.attrs);
    free(had.collectivite);
    if (!ok)
        cli_lib_error(&err);
    int rc = finish(s, ok, db);
    if (rc == EXIT_OK && same)
        cli_printf(_("set %d attribute%s of %s (%d with the value it had "
                     "already, left as it was)\n"),
                   set, set == 1 ? "" : "s", argv[optind], same);
    else if (rc == EXIT_OK)
        cli_printf(_("set %d attribute%s of %s\n"), set, set == 1 ? "" : "s",
                   argv[optind]);
    return rc;
}

/* attr unset DOC KEY...: every key removed, or none (a key the document
 * does not have fails the whole command, named). */
static int attr_unset(int argc, char **argv, const char *db)
{
    if (argc - optind < 2)
        return cli_usage("attr", "%s", _("give DOC and KEY..."));
    for (int i = optind + 1; i < argc; i++) {
        if (strchr(argv[i], '='))
            return cli_usage("attr", _("'%s': unset takes keys, not "
                                       "KEY=VALUE (attr set gives a value)"),
                             argv[i]);
        if (!cli_utf8_valid(argv[i], strlen(argv[i])))
            return cli_usage("attr", _("KEY number %d is not UTF-8 text "
                                       "(typed in another encoding?)"),
                             i - optind);
        for (int j = optind + 1; j < i; j++)
            if (same_attr_key(argv[j], argv[i]))
                return cli_usage("attr", _("'%s' and '%s' name the same "
                                           "attribute: give it once"),
                                 argv[j], argv[i]);
    }
    grille_store *s;
    grille_error err = {0};
    int64_t id;
    bool ok;
    if (start_doc(db, argv[optind], &s, &id, &ok, &err) < 0)
        return start_failed();
    if (!ok)
        cli_lib_error(&err);
    int removed = 0;
    for (int i = optind + 1; i < argc && ok; i++) {
        int r = grille_store_unset_attr(s, id, argv[i], &err);
        if (r == GRILLE_ENOTFOUND)
            cli_error(_("%s has no attribute '%s' (see 'grille list'): "
                        "nothing was removed"),
                      argv[optind], argv[i]);
        else if (r < 0)
            cli_lib_error(&err);
        if ((ok = r == 0))
            removed++;
    }
    int rc = finish(s, ok, db);
    if (rc == EXIT_OK)
        cli_printf(_("removed %d attribute%s of %s\n"), removed,
                   removed == 1 ? "" : "s", argv[optind]);
    return rc;
}

/* Room for one more row in rowvals and rowlines (their capacity cap). */
static int grow_rows(char ****vals, size_t **lines, size_t n, size_t *cap)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    char ***v = realloc(*vals, c * sizeof(*v));
    if (!v)
        return -1;
    *vals = v;
    size_t *l = realloc(*lines, c * sizeof(*l));
    if (!l)
        return -1;
    *lines = l;
    *cap = c;
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Whether a row has nothing in it: empty cells, spaces, or a cell of
 * the other separator's empty row (",," read with ';'), as
 * csv_guess_separator skips it. */
static bool blank_row(const csv_row *r)
{
    for (size_t k = 0; k < r->n; k++)
        for (const char *c = r->fields[k]; *c; c++)
            if (!csv_blank_char(*c))
                return false;
    return true;
}

/* Whether a cell starts with the mark grille's CSV puts before what a
 * spreadsheet would take for a formula ('+100k), or before a value that
 * starts as a marked one does (''+x for '+x): apostrophes, then =, +, -
 * or @.  The value follows its first mark. */
static bool guarded(const char *v)
{
    size_t k = 0;
    while (v[k] == '\'')
        k++;
    return k > 0 && v[k] && strchr("=+-@", v[k]);
}


/* The bytes of an apostrophe at s (' ’ ‘ ʼ), 0 for none. */
static size_t apostrophe_len(const unsigned char *s)
{
    if (s[0] == '\'')
        return 1;
    if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x99 || s[2] == 0x98))
        return 3;
    if (s[0] == 0xCA && s[1] == 0xBC)
        return 2;
    return 0;
}

/* Whether two collectivités are one, their apostrophes aside: "l'Hérault"
 * typed by one interviewer is "l’Hérault" typed by another, as grille
 * reads both in a text. */
static bool same_collectivite(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a,
                        *y = (const unsigned char *)b;
    while (*x && *y) {
        size_t m = apostrophe_len(x), n = apostrophe_len(y);
        if (m && n) {
            x += m;
            y += n;
            continue;
        }
        if (*x != *y)
            return false;
        x++;
        y++;
    }
    return !*x && !*y;
}

/* A collectivite of the project that `who` names with other case, accents
 * or spaces (a row's spelling to correct), or NULL. */
static const char *near_collectivite(const docrefs *refs, const char *who)
{
    char *f = grille_fold(who);
    const char *near = NULL;
    for (size_t i = 0; f && i < refs->n && !near; i++) {
        if (!refs->v[i].collectivite)
            continue;
        char *g = grille_fold(refs->v[i].collectivite);
        if (g && strcmp(f, g) == 0)
            near = refs->v[i].collectivite;
        free(g);
    }
    free(f);
    return near;
}

static int attr_import(int argc, char **argv, const char *db)
{
    if (argc - optind != 1)
        return cli_usage("attr", "%s", _("give one CASES.csv file"));
    const char *path = argv[optind];
    grille_error err = {0};
    grille_text *t = NULL;
    if (grille_text_read_file(&t, path, &err) < 0) {
        cli_lib_error(&err);
        return EXIT_RUNTIME;
    }
    size_t len;
    const char *data = grille_text_data(t, &len);
    grille_encoding enc = grille_text_encoding(t);
    if (enc != GRILLE_ENC_UTF8 && enc != GRILLE_ENC_UTF8_BOM)
        /* as for a note: a spreadsheet's export in Windows-1252 is read
         * right, and said, should a cell read otherwise than typed */
        cli_warning(_("%s: converted from %s to UTF-8"), path,
                    grille_encoding_name(enc));
    grille_store *s;
    if (start(&s, db) < 0) {
        grille_text_free(t);
        return start_failed();
    }
    docrefs refs = {s, NULL, 0, 0};
    bool ok = grille_store_foreach_doc(s, on_doc, &refs, &err) == 0;
    for (size_t i = 0; i < refs.n && ok; i++)
        ok = grille_store_foreach_attr(s, refs.v[i].id, on_attr, &refs.v[i],
                                       &err) == 0;
    if (!ok)
        cli_lib_error(&err);
    const char *slash = strrchr(path, '/');
    char origin[300];
    snprintf(origin, sizeof(origin), "%s", slash ? slash + 1 : path);
    char sep = csv_guess_separator(data, len);
    csv_row head = {0}, row = {0};
    size_t pos = 0, line = 1, set = 0, docs = 0, bad = 0;
    /* which row (from 1) set each document's key, and which documents
     * got a value: counted once each */
    size_t *setby = NULL, nrowvals = 0, caprowvals = 0, *rowlines = NULL;
    char ***rowvals = NULL;
    bool *doc_touched = NULL;
    const char *why = NULL;
    char *rawname = NULL; /* a listing row's name as written */
    char *rawfirst = NULL; /* a row's first cell as written */
    if ((pos = csv_sep_line(data, len, &sep)) != 0)
        line++; /* Excel's "sep=;": the header is on the next line */
    /* the header: the first row with a name in it (a spreadsheet's
     * empty rows above it skipped, as below it) */
    int hr;
    size_t blanks = 0;
    while (ok && (hr = csv_next(data, len, &pos, sep, &head, &line, &why)) ==
                     1 &&
           blank_row(&head))
        blanks++;
    if (ok && hr != 1) {
        cli_error("%s:%zu: %s", path, hr < 0 ? head.line : (size_t)1,
                  why      ? why
                  : blanks ? _("no header row (only empty rows)")
                           : _("no header row"));
        ok = false;
    }
    size_t hl = ok ? head.line : 1; /* the header's line, for messages */
    /* the layout of 'grille list -f csv' (its columns of figures left
     * out, its attr.KEY columns the attributes KEY, its ids #ID): a
     * listing edited in a spreadsheet comes back */
    static const char *const listing[] = {
        "id",    "name",     "path",           "encoding", "bytes",
        "words", "segments", "coded_segments", "codings",  "added_at"};
    enum { NLISTING = sizeof(listing) / sizeof(listing[0]) };
    bool from_list = ok && head.n >= NLISTING;
    for (size_t k = 0; from_list && k < NLISTING; k++)
        from_list = strcmp(trim(head.fields[k]), listing[k]) == 0;
    /* a listing whose columns were moved or deleted in a spreadsheet:
     * its figures (words...) and attr.KEY columns would be stored as
     * attributes named so; refused, said how to bring it back */
    for (size_t k = 1, figures = 0; ok && !from_list && k < head.n; k++) {
        const char *h = trim(head.fields[k]);
        for (size_t j = 3; j < NLISTING; j++)
            figures += strcmp(h, listing[j]) == 0;
        if (figures >= 2 || !strncmp(h, "attr.", 5)) {
            cli_error(_("%s:%zu: column '%s' is one of 'grille list -f "
                        "csv': its listing comes back only with its first "
                        "ten columns (id to added_at) as they were; delete "
                        "the figures and the 'attr.' of the names, or keep "
                        "those ten"),
                      path, hl, h);
            ok = false;
        }
    }
    bool *ignored = calloc(head.n + 1, sizeof(*ignored));
    if (!ignored)
        cli_nomem();
    for (size_t k = 1; from_list && k < head.n; k++) {
        if (k < NLISTING) {
            ignored[k] = true;
            continue;
        }
        /* attr.KEY for the keys list names so: those of its columns,
         * and those that start with attr. themselves */
        const char *h = trim(head.fields[k]);
        bool prefixed = !strncmp(h, "attr.", 5) && !strncmp(h + 5, "attr.", 5);
        for (size_t j = 0; j < NLISTING && !prefixed && !strncmp(h, "attr.", 5);
             j++)
            prefixed = strcmp(h + 5, listing[j]) == 0;
        if (prefixed)
            memmove(head.fields[k], h + 5, strlen(h + 5) + 1);
    }
    /* a column with no name (a spreadsheet's empty trailing columns) is
     * left out, unless a row gives it a value; a name grille's CSV marked
     * ('-score) is read without its mark, as values are */
    for (size_t k = 1; ok && k < head.n; k++) {
        if (ignored[k])
            continue;
        char *h = trim(head.fields[k]);
        if (guarded(h))
            memmove(head.fields[k], h + 1, strlen(h + 1) + 1);
        char *clean = grille_attr_value(head.fields[k]);
        if (!clean)
            cli_nomem();
        bool unnamed = !*clean;
        free(clean);
        if (unnamed) {
            head.fields[k][0] = '\0';
            continue;
        }
        for (size_t j = 1; ok && j < k; j++) {
            const char *a = trim(head.fields[j]), *b = trim(head.fields[k]);
            if (!*a || ignored[j])
                continue;
            if (strcmp(a, b) == 0) {
                cli_error(_("%s:%zu: column '%s' given twice in the header "
                            "(columns %zu and %zu)"),
                          path, hl, b, j + 1, k + 1);
                ok = false;
            } else if (same_attr_key(a, b)) {
                cli_error(_("%s:%zu: columns '%s' and '%s' (%zu and %zu) "
                            "name the same attribute: keep one"),
                          path, hl, a, b, j + 1, k + 1);
                ok = false;
            }
        }
    }
    /* a column spelt otherwise than an attribute the project has
     * ("Strate", "strate"): a new attribute, which compare --by strate
     * would not see; said, with the spelling to use */
    for (size_t k = 1; ok && k < head.n; k++) {
        if (ignored[k] || !*head.fields[k])
            continue;
        char *key = grille_attr_key(head.fields[k]);
        char *fk = key ? grille_fold(key) : NULL;
        if (!key || !fk)
            cli_nomem();
        const char *other = NULL;
        bool exact = false; /* the project has this very key: it is set */
        for (size_t i = 0; i < refs.n && !exact; i++)
            for (size_t j = 0; j < refs.v[i].nattrs && !exact; j++)
                exact = strcmp(refs.v[i].attrs[j], key) == 0;
        for (size_t i = 0; i < refs.n && !other && !exact; i++)
            for (size_t j = 0; j < refs.v[i].nattrs && !other; j++) {
                const char *have = refs.v[i].attrs[j];
                if (strcmp(have, key) == 0)
                    continue;
                char *fh = grille_fold(have);
                if (!fh)
                    cli_nomem();
                if (strcmp(fh, fk) == 0)
                    other = have;
                free(fh);
            }
        const char *near = other || exact ? NULL : cli_key_typo(key);
        for (size_t j = 1; near && j < head.n; j++) {
            char *hj = grille_attr_key(head.fields[j]);
            if (!hj)
                cli_nomem();
            if (strcmp(hj, near) == 0)
                near = NULL; /* the file has the key too */
            free(hj);
        }
        if (other)
            cli_warning(_("%s:%zu: column '%s' is an attribute of its own: "
                          "the project has '%s' (name the column so to "
                          "set that one)"),
                        path, hl, head.fields[k], other);
        else if (near)
            cli_warning(_("%s:%zu: column '%s' is none of the attributes the "
                          "reports read: did you mean '%s'?"),
                        path, hl, head.fields[k], near);
        free(fk);
        free(key);
    }
    if (ok && head.n < 2) {
        cli_error(_("%s:%zu: the header needs a first column and at least "
                    "one attribute%s"),
                  path, hl,
                  head.n == 1 && strchr(head.fields[0], '\t')
                      ? _(" (columns are separated by ',' or ';', not by "
                          "tabs)")
                      : "");
        ok = false;
    }
    if (ok && (!(setby = calloc(refs.n * head.n + 1, sizeof(*setby))) ||
               !(doc_touched = calloc(refs.n + 1, sizeof(*doc_touched))))) {
        cli_error("%s", _("out of memory"));
        ok = false;
    }
    int r;
    while (ok && (r = csv_next(data, len, &pos, sep, &row, &line, &why)) != 0) {
        if (r < 0) {
            cli_error("%s:%zu: %s", path, row.line,
                      why ? why : _("out of memory"));
            ok = false;
            break;
        }
        if (blank_row(&row))
            continue; /* a blank line, an empty row (";;;" too) */
        if (row.n != head.n) {
            cli_error(_("%s:%zu: %zu field%s, the header has %zu"), path,
                      row.line, row.n, cli_s(row.n), head.n);
            bad++;
            continue;
        }
        /* a listing's name as written (a name is not trimmed, nor its
         * accents composed: "Se\xcc\x81bastien.md" from macOS), without
         * the formula guard */
        free(rawname);
        rawname = NULL;
        if (from_list) {
            const char *n = row.fields[1];
            if (guarded(n))
                n++;
            if (!(rawname = strdup(n)))
                cli_nomem();
        }
        /* the first cell as written too: a name with spaces at its ends,
         * or decomposed accents, is a document's as the file was named */
        free(rawfirst);
        if (!(rawfirst = strdup(guarded(row.fields[0]) ? row.fields[0] + 1
                                                        : row.fields[0])))
            cli_nomem();
        /* every cell as it would be stored: a no-break space alone is an
         * empty cell, and "Montpellier " (autocorrect) names Montpellier */
        bool blank = true;
        for (size_t k = 0; k < row.n; k++) {
            char *clean = grille_attr_value(row.fields[k]);
            if (!clean)
                cli_nomem();
            /* '+100k: the mark that keeps a spreadsheet from reading a
             * formula, which grille's own CSV (a listing) puts before
             * =, +, - and @; the value is what follows it */
            const char *v = clean;
            if (guarded(v))
                v++;
            snprintf(row.fields[k], strlen(row.fields[k]) + 1, "%s", v);
            free(clean);
            blank &= !*row.fields[k];
        }
        if (blank)
            continue; /* a spreadsheet's empty row: ";;" */
        for (size_t k = 1; k < head.n; k++)
            if (!ignored[k] && !*head.fields[k] && *row.fields[k]) {
                cli_error(_("%s:%zu: '%s' is in column %zu, which has no "
                            "name in the header"),
                          path, row.line, row.fields[k], k + 1);
                bad++;
            }
        char idref[32];
        if (from_list && *row.fields[0] &&
            strspn(row.fields[0], "0123456789") == strlen(row.fields[0]) &&
            strlen(row.fields[0]) < 20) {
            snprintf(idref, sizeof(idref), "#%s", row.fields[0]);
        } else {
            idref[0] = '\0';
        }
        const char *who = *idref ? idref : row.fields[0];
        size_t matched = 0;
        int64_t id = 0;
        grille_error ferr = {0};
        int found;
        if (from_list && *row.fields[1]) {
            /* a listing's row names its document: ids come back after an
             * rm, and differ in another project of the same notes */
            const char *name = rawname;
            found = GRILLE_ENOTFOUND;
            for (size_t i = 0; i < refs.n && found; i++)
                if (strcmp(refs.v[i].name, name) == 0) {
                    id = refs.v[i].id;
                    found = 0;
                }
            /* a name that is not UTF-8 is written with U+FFFD for its
             * bytes: the document whose name reads so (the listing's id
             * first, when two do) */
            size_t alike = 0;
            bool by_id = false;
            int64_t listed = idref[0] ? strtoll(idref + 1, NULL, 10) : 0;
            for (size_t i = 0; i < refs.n && found == GRILLE_ENOTFOUND &&
                               strstr(name, "\xef\xbf\xbd");
                 i++) {
                if (cli_utf8_valid(refs.v[i].name, strlen(refs.v[i].name)))
                    continue;
                char *c = cli_utf8_cleaned(refs.v[i].name);
                bool same = strcmp(c, name) == 0;
                free(c);
                if (same && !by_id) {
                    alike++;
                    by_id = listed && refs.v[i].id == listed;
                    id = refs.v[i].id;
                }
            }
            if (by_id || alike == 1) {
                found = 0;
            } else if (alike > 1) {
                cli_error(_("%s:%zu: '%s' reads as the name of %zu documents "
                          "(their names are not UTF-8) and the listing's id "
                          "is none of theirs: give the document as #ID"),
                          path, row.line, name, alike);
                bad++;
                continue;
            }
            if (found) {
                if (*row.fields[0])
                    cli_error(_("%s:%zu: no document '%s' in the project "
                                "(the listing's #%s): was it removed?"),
                              path, row.line, name, row.fields[0]);
                else
                    cli_error(_("%s:%zu: no document '%s' in the project: "
                                "was it removed?"),
                              path, row.line, name);
                bad++;
                continue;
            }
        } else {
            found = grille_store_find(s, who, &id, &ferr);
            /* a name as written (spaces at its ends, decomposed accents:
             * as macOS names files), then the one document whose name
             * reads as the cell once both are cleaned alike */
            if (found == GRILLE_ENOTFOUND && !*idref && *rawfirst &&
                strcmp(rawfirst, who) != 0)
                found = grille_store_find(s, rawfirst, &id, &ferr);
            for (size_t i = 0, n = 0; found == GRILLE_ENOTFOUND && !*idref &&
                                      i < refs.n;
                 i++) {
                char *c = grille_attr_value(refs.v[i].name);
                if (!c)
                    cli_nomem();
                if (strcmp(c, who) == 0 && ++n == 1)
                    id = refs.v[i].id;
                free(c);
                if (i + 1 == refs.n && n == 1)
                    found = 0;
            }
        }
        bool by_doc = found == 0;
        if (by_doc && !from_list && !*idref && *row.fields[0] != '#') {
            /* a name that is a document's and a collectivite's too (a
             * note named after its commune): the first column's name says
             * which, else the row is refused, as rm refuses a name that is
             * two documents' */
            bool coll = false;
            for (size_t i = 0; i < refs.n && !coll; i++)
                coll = refs.v[i].collectivite && refs.v[i].id != id &&
                       same_collectivite(refs.v[i].collectivite, who);
            char *h = coll ? grille_attr_key(head.fields[0]) : NULL;
            if (coll && h && strcmp(h, "collectivite") == 0) {
                by_doc = false;
            } else if (coll && !(h && (strcmp(h, "document") == 0 ||
                                       strcmp(h, "name") == 0 ||
                                       strcmp(h, "file") == 0))) {
                cli_error(_("%s:%zu: '%s' is a document's name and a "
                            "collectivite: name the first column "
                            "'collectivite' or 'document', or give the "
                            "document as #%lld"),
                          path, row.line, who, (long long)id);
                free(h);
                bad++;
                continue;
            }
            free(h);
        }
        if (found < 0 && found != GRILLE_ENOTFOUND) {
            /* a name that is two documents', say: said as attr set says it */
            cli_error("%s:%zu: %s", path, row.line, ferr.message);
            bad++;
            continue;
        }
        /* the row's values, kept: a later row that gives the same
         * document another value for a key is a conflict */
        char **vals = calloc(head.n, sizeof(*vals));
        if (!vals ||
            grow_rows(&rowvals, &rowlines, nrowvals, &caprowvals) < 0) {
            free(vals);
            cli_error("%s", _("out of memory"));
            ok = false;
            break;
        }
        rowvals[nrowvals] = vals;
        rowlines[nrowvals] = row.line;
        size_t me = ++nrowvals; /* this row, from 1 */
        for (size_t k = 1; k < head.n && ok; k++)
            if (!(vals[k] = strdup(*head.fields[k] && !ignored[k]
                                       ? row.fields[k]
                                       : ""))) {
                cli_error("%s", _("out of memory"));
                ok = false;
            }
        for (size_t i = 0; i < refs.n && ok; i++) {
            bool hit = by_doc ? refs.v[i].id == id
                              : refs.v[i].collectivite &&
                                    same_collectivite(refs.v[i].collectivite,
                                                      who);
            if (!hit)
                continue;
            matched++;
            bool touched = false;
            for (size_t k = 1; k < head.n && ok; k++) {
                const char *v = vals[k];
                if (!*v)
                    continue;
                size_t *by = &setby[i * head.n + k];
                if (*by && strcmp(rowvals[*by - 1][k], v) != 0) {
                    cli_error(_("%s:%zu: '%s' of %s is '%s' here and '%s' "
                                "on line %zu"),
                              path, row.line, head.fields[k], refs.v[i].name,
                              v, rowvals[*by - 1][k], rowlines[*by - 1]);
                    bad++;
                    continue;
                }
                if (*by)
                    continue; /* the same value again */
                *by = me;
                /* the value it has already keeps its origin (the front
                 * matter's, a listing's round trip) */
                char *key = grille_attr_key(head.fields[k]);
                if (!key)
                    cli_nomem();
                bool same = has_value(&refs.v[i], key, v);
                free(key);
                if (same)
                    continue;
                if (grille_store_set_attr(s, refs.v[i].id, head.fields[k], v,
                                          origin, &err) < 0) {
                    cli_lib_error(&err);
                    ok = false;
                }
                set++;
                touched = true;
            }
            if (touched && !doc_touched[i]) {
                doc_touched[i] = true;
                docs++;
            }
        }
        if (!matched) {
            const char *near = near_collectivite(&refs, who);
            if (near)
                cli_error(_("%s:%zu: no document and no collectivite '%s' in "
                            "the project, which has '%s': write it so"),
                          path, row.line, who, near);
            else
                cli_error(_("%s:%zu: no document and no collectivite '%s' in "
                            "the project"),
                          path, row.line, who);
            bad++;
        }
    }
    for (size_t v = 0; v < nrowvals; v++) {
        for (size_t k = 1; k < head.n; k++)
            free(rowvals[v][k]);
        free(rowvals[v]);
    }
    free(rowvals);
    free(rowlines);
    free(setby);
    free(doc_touched);
    free(ignored);
    free(rawfirst);
    free(rawname);
    if (bad)
        ok = false;
    csv_row_free(&head);
    csv_row_free(&row);
    for (size_t i = 0; i < refs.n; i++) {
        free(refs.v[i].name);
        free(refs.v[i].path);
        free(refs.v[i].collectivite);
        for (size_t k = 0; k < refs.v[i].nattrs; k++)
            free(refs.v[i].attrs[k]);
        free(refs.v[i].attrs);
    }
    free(refs.v);
    grille_text_free(t);
    int rc = finish(s, ok, db);
    if (rc == EXIT_OK)
        cli_printf(_("set %zu attribute %s on %zu %s from %s\n"), set,
                   set == 1 ? _("value") : _("values"), docs,
                   docs == 1 ? _("document") : _("documents"), path);
    else if (rc == EXIT_RUNTIME) /* an interrupt said its own */
        cli_error(_("nothing was changed in %s"), db);
    return rc;
}

int cmd_attr(int argc, char **argv)
{
    const char *db = NULL;
    optind = 1;
    /* "grille attr --help" and "grille attr set --help" alike */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(_(attr_help), stdout);
            return EXIT_OK;
        }
    if (argc < 2)
        return cli_usage("attr", "%s", _("say set, unset or import"));
    const char *verb = argv[1];
    if (strcmp(verb, "set") && strcmp(verb, "unset") &&
        strcmp(verb, "import"))
        return cli_usage("attr",
                         _("unknown action '%s' (set, unset or import)"),
                         verb);
    optind = 2;
    int st = options(argc, argv, "attr", attr_help, &db);
    if (st >= 0)
        return st;
    db = cli_db_path(db);
    return strcmp(verb, "set") == 0     ? attr_set(argc, argv, db)
           : strcmp(verb, "unset") == 0 ? attr_unset(argc, argv, db)
                                        : attr_import(argc, argv, db);
}
