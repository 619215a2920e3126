/*
 * cmd_add.c - `grille add`: adds notes to the project, coding them with
 * the project's codebook.  A folder is walked for .txt and .md files.
 * Everything happens in one transaction: a file that cannot be read or
 * decoded is reported and the others still go in; an interruption
 * (Ctrl-C) or a project error leaves the project as it was.
 */
#include "cli.h"
#include "thread.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "Usage: grille add [-d DB] [-a KEY=VALUE]... [-j N] [--replace] "
    "FILE...|DIR...\n"
    "Add interview notes to the project and code them with its codebook.\n"
    "A folder is walked for .txt and .md files (other files are listed as\n"
    "skipped).  The YAML front matter of a note gives its attributes;\n"
    "-a adds or overrides attributes of every file added.  The same content\n"
    "added twice is a no-op that says so (a folder's notes already there\n"
    "as they are, under their names, are counted, not listed).\n\n"
    "  -d, --db FILE          the project (default: $GRILLE_DB, else\n"
    "                         ./grille.db)\n"
    "  -a, --attr KEY=VALUE   set an attribute on the documents added\n"
    "      --replace          a note edited since it was added replaces its\n"
    "                         old version (refused without), which keeps\n"
    "                         the attributes set by hand (attr set, attr\n"
    "                         import, -a) that its front matter does not\n"
    "                         give; its codings are made again\n"
    "  -j, --jobs N           use N threads: one writes the project (and\n"
    "                         codes a file when none is ready) while the\n"
    "                         others read and code the next files\n"
    "                         (default: one per processor, at most 8); the\n"
    "                         project is the same\n"
    "  -h, --help             show this help\n\n"
    "Exit status: 0 when every file was added (or was already there), 1 when\n"
    "some could not be (they are listed; the others are added), 2 for a usage\n"
    "error.\n";

/* The typos of keys said for a note: the reports read seven keys. */
#define TYPOS_MAX 7

/* Reading and coding the files ahead of the thread that writes them to
 * the project, in a ring of slots: file i goes to slot i % nslots once
 * file i - nslots is stored. */
typedef struct slot {
    grille_text *text;
    grille_prepared *prep;
    grille_error err;
    int rc; /* < 0: the file could not be read (or no memory) */
    bool ready;
    /* the front matter keys that are typos of those the reports read
     * (the first TYPOS_MAX), and those: noted by the writer once the
     * note is in */
    char typo[TYPOS_MAX][128];
    const char *typo_of[TYPOS_MAX];
    unsigned typo_line[TYPOS_MAX]; /* its line in the note; 0: not found */
    size_t ntypos;
} slot;

/* The typos of keys in the notes added, each said once at the end. */
typedef struct key_typo {
    char *key, *first; /* as the front matter spells it; its first note */
    const char *of;
    size_t notes;
    unsigned line; /* in the first note; 0: not known */
} key_typo;

typedef struct adder {
    const cli_files *list;
    const grille_codebook *cb;
    grille_unit unit;
    slot *slots;
    size_t nslots;
    size_t next;   /* the next file to prepare */
    size_t stored; /* files taken by the writer */
    size_t done;   /* files prepared (in any order) */
    size_t waiting; /* preparers waiting for free slots */
    /* the writer, waiting for file want_i: woken once it is ready and
     * `want` files are prepared (0: not waiting) */
    size_t want_i, want;
    bool stop;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} adder;

typedef struct preparer {
    adder *ad;
    grille_analyser *a;
    pthread_t tid;
} preparer;

/* The line of the front matter of t (its first lines with text, between
 * '---' lines, after blank lines or not) that starts with `key` and its
 * ':', at the start of the line as a front matter's keys are (a block's
 * "tpye:" is indented), as the warning names it; 0 when none does (a key
 * in quotes, say). */
static unsigned key_line(const grille_text *t, const char *key)
{
    size_t len, kl = strlen(key);
    const char *s = grille_text_data(t, &len);
    unsigned line = 1;
    bool open = false;
    size_t i = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && line < 10000) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) : len, e = end;
        while (e > i && (s[e - 1] == '\r' || s[e - 1] == ' ' ||
                         s[e - 1] == '\t'))
            e--;
        bool rule = e - i == 3 && memcmp(s + i, "---", 3) == 0;
        if (!open && rule) {
            open = true;
        } else if (!open && e > i) {
            return 0; /* text before any front matter */
        } else if (open && rule) {
            return 0; /* its end */
        } else if (open && e - i > kl && memcmp(s + i, key, kl) == 0) {
            size_t c = i + kl;
            while (c < e && (s[c] == ' ' || s[c] == '\t'))
                c++;
            if (c < e && s[c] == ':')
                return line;
        }
        i = end + 1;
        line++;
    }
    return 0;
}

/* The front matter keys of `at` that are typos of keys the reports read
 * ("tpye: commune": the note would be in no type's group, silently),
 * where that key is not given too: into sl, each of them ("tpye",
 * "colectivite" and "enquteur" in one note: the first only was said). */
static void key_typos(const grille_attrs *at, const grille_text *t, slot *sl)
{
    for (size_t i = 0; i < grille_attrs_count(at) && sl->ntypos < TYPOS_MAX;
         i++) {
        const char *key = grille_attrs_get(at, i)->key;
        const char *near = cli_key_typo(key);
        if (near && !grille_attrs_find(at, near) &&
            strlen(key) < sizeof(sl->typo[0])) {
            strcpy(sl->typo[sl->ntypos], key);
            sl->typo_line[sl->ntypos] = key_line(t, key);
            sl->typo_of[sl->ntypos++] = near;
        }
    }
}

/* Notes typo `typo` (of key `of`), of the note `path` just added, in
 * *v. */
static void note_typo(key_typo **v, size_t *n, const char *typo,
                      const char *of, const char *path, unsigned line)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].key, typo) == 0) {
            (*v)[i].notes++;
            return;
        }
    key_typo *more = realloc(*v, (*n + 1) * sizeof(**v));
    char *key = strdup(typo), *first = strdup(path);
    if (!more || !key || !first)
        cli_nomem();
    *v = more;
    (*v)[(*n)++] = (key_typo){key, first, of, 1, line};
}

/* What replacing a note did (add --replace), said once the add is
 * committed: into out. */
static int replaced_note(cli_files *out, const char *path,
                         const grille_replaced *rep, int64_t id)
{
    char *msg = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&msg, &len);
    if (!f)
        return -1;
    fputs("  ", f);
    put_safe_str(f, path);
    if (rep->old_id == id)
        fprintf(f, _(": replaced the old version by the new one (#%lld)"),
                (long long)id);
    else
        fprintf(f,
                _(": replaced the old version (#%lld) by the new one "
                  "(#%lld)"),
                (long long)rep->old_id, (long long)id);
    if (rep->attrs_kept)
        fprintf(f, _(", %zu attribute%s set by hand kept"), rep->attrs_kept,
                rep->attrs_kept == 1 ? "" : "s");
    if (rep->attrs_superseded)
        fprintf(f,
                _(", %zu set by hand now given by its front matter (its "
                  "value%s taken)"),
                rep->attrs_superseded, rep->attrs_superseded == 1 ? "" : "s");
    if (rep->manual_dropped)
        fprintf(f,
                _("; %zu manual coding%s of the old version not carried "
                  "over (their places were in the old text: import them "
                  "again)"),
                rep->manual_dropped, rep->manual_dropped == 1 ? "" : "s");
    fputc('\n', f);
    if (fclose(f) != 0) {
        free(msg);
        return -1;
    }
    return cli_files_push(out, msg);
}

static void prepare_file(adder *ad, size_t i, grille_analyser *a)
{
    slot *sl = &ad->slots[i % ad->nslots];
    const char *path = ad->list->v[i];
    sl->rc = grille_text_read_file(&sl->text, path, &sl->err);
    if (sl->rc == 0)
        sl->rc = grille_add_prepare(&sl->prep, a, ad->cb, ad->unit, path,
                                    sl->text, &sl->err);
    sl->ntypos = 0;
    if (sl->rc == 0)
        key_typos(grille_prepared_attrs(sl->prep), sl->text, sl);
}

/* Free slots that wake a preparer waiting on a full ring. */
static size_t resume_free(const adder *ad)
{
    return ad->nslots / 2 ? ad->nslots / 2 : 1;
}

static void *preparing(void *arg)
{
    preparer *w = arg;
    adder *ad = w->ad;
    pthread_mutex_lock(&ad->lock);
    for (;;) {
        /* a full ring is waited on until half of it is free: a wake-up
         * for every few files, not one for each (the writer is the
         * slower side) */
        if (!ad->stop && ad->next < ad->list->n &&
            ad->next >= ad->stored + ad->nslots) {
            ad->waiting++;
            while (!ad->stop && ad->next < ad->list->n &&
                   ad->next + resume_free(ad) > ad->stored + ad->nslots)
                pthread_cond_wait(&ad->cond, &ad->lock);
            ad->waiting--;
        }
        if (ad->stop || ad->next >= ad->list->n)
            break;
        size_t i = ad->next++;
        pthread_mutex_unlock(&ad->lock);
        prepare_file(ad, i, w->a);
        pthread_mutex_lock(&ad->lock);
        ad->slots[i % ad->nslots].ready = true;
        ad->done++;
        if (ad->want && ad->done >= ad->want &&
            ad->slots[ad->want_i % ad->nslots].ready)
            pthread_cond_broadcast(&ad->cond);
    }
    pthread_mutex_unlock(&ad->lock);
    return NULL;
}

/* The slot of file i, once ready; without preparers, prepared here.
 * Waiting, the writer is woken once half of the ring is ready, not for
 * each file: where the preparers are the slower side, each file's
 * wake-up was a system call of theirs, a tenth of their time on this
 * VM (the benchmark's add: 5,500 context switches, 3,600 since). */
static slot *take_slot(adder *ad, size_t i, size_t npreparers,
                       grille_analyser *a)
{
    slot *sl = &ad->slots[i % ad->nslots];
    if (!npreparers) {
        prepare_file(ad, i, a);
        return sl;
    }
    pthread_mutex_lock(&ad->lock);
    while (!sl->ready) {
        /* nothing to write yet: the writer prepares the next file no
         * thread has taken, where the ring has room for it (file i - 1
         * is stored), as tag's main thread codes when it has nothing to
         * write.  The preparers became the slower side once the writer's
         * page faults went (cli_large_heap): the writer waited for them
         * a third of the time */
        if (!ad->stop && !cli_interrupted && ad->next < ad->list->n &&
            ad->next < ad->stored + ad->nslots) {
            size_t j = ad->next++;
            pthread_mutex_unlock(&ad->lock);
            prepare_file(ad, j, a);
            pthread_mutex_lock(&ad->lock);
            ad->slots[j % ad->nslots].ready = true;
            ad->done++;
            continue;
        }
        /* every file of the ring taken: files i to i + nslots - 1 are
         * all prepared in the end, so that many are always reached */
        size_t batch = resume_free(ad), n = ad->list->n;
        ad->want_i = i;
        ad->want = n - i < batch ? n : i + batch;
        while (!sl->ready || ad->done < ad->want)
            pthread_cond_wait(&ad->cond, &ad->lock);
        ad->want = 0;
    }
    pthread_mutex_unlock(&ad->lock);
    return sl;
}

static void free_slot(slot *sl)
{
    grille_prepared_free(sl->prep);
    grille_text_free(sl->text);
    sl->prep = NULL;
    sl->text = NULL;
    sl->ready = false;
}

/* File i is stored: its slot is free for file i + nslots. */
static void release_slot(adder *ad, size_t i)
{
    free_slot(&ad->slots[i % ad->nslots]);
    pthread_mutex_lock(&ad->lock);
    ad->stored = i + 1;
    if (ad->waiting && ad->next + resume_free(ad) <= ad->stored + ad->nslots)
        pthread_cond_broadcast(&ad->cond);
    pthread_mutex_unlock(&ad->lock);
}

/* Whether i is in one of the n / 2 ranges [r[2k], r[2k + 1]). */
static bool in_ranges(const size_t *r, size_t n, size_t i)
{
    for (size_t k = 0; k + 1 < n; k += 2)
        if (i >= r[k] && i < r[k + 1])
            return true;
    return false;
}

static const char *base(const char *p);

/* A note found in a folder (`walked`) that is document #id as it is, by
 * its name and with its very text: the folder added again, counted among
 * those already there without a line each (which hid the one line that
 * mattered, an edited note's).  A copy under another name, a note given
 * by its path, or the same body with another front matter is still
 * said. */
static bool unchanged(grille_store *s, int64_t id, const char *path,
                      const grille_text *text, bool walked)
{
    int64_t named = 0;
    if (!walked || grille_store_find(s, base(path), &named, NULL) < 0 ||
        named != id)
        return false;
    char *stored = NULL;
    size_t len, slen, body;
    const char *data = grille_text_data(text, &len);
    bool same = grille_store_text(s, id, &stored, &slen, &body, NULL) == 0 &&
                slen == len && memcmp(stored, data, len) == 0;
    grille_free(stored);
    return same;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int cmd_add(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"attr", required_argument, 0, 'a'},
        {"jobs", required_argument, 0, 'j'},
        {"replace", no_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = NULL;
    char **attrs = calloc((size_t)argc + 1, sizeof(char *));
    size_t nattrs = 0;
    long jobs = cli_default_jobs();
    bool replace = false;
    int c;
    if (!attrs)
        return EXIT_RUNTIME;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:a:j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': replace = true; break;
        case 'a':
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                free(attrs);
                return cli_usage("add",
                                 _("-a takes KEY=VALUE, not '%s'"), optarg);
            }
            if (!cli_utf8_valid(optarg, strlen(optarg))) {
                free(attrs);
                return cli_usage("add", "%s",
                                 _("-a KEY=VALUE is not UTF-8 text (typed "
                                   "in another encoding?)"));
            }
            attrs[nattrs++] = optarg;
            break;
        case 'j':
            if (cli_jobs("add", optarg, &jobs) != 0) {
                free(attrs);
                return EXIT_USAGE;
            }
            break;
        case 'h': free(attrs); fputs(_(help), stdout); return EXIT_OK;
        default: free(attrs); return cli_bad_option("add");
        }
    }
    if (optind >= argc) {
        free(attrs);
        return cli_usage("add", "%s", _("no file or folder to add"));
    }
    int twice = cli_attr_args_once("add", attrs, nattrs);
    if (twice) {
        free(attrs);
        return twice;
    }
    /* tag reads '-' as standard input; a document of the project is
     * named after its file and found again by its path (rm, attr set,
     * add again), which standard input has not */
    for (int i = optind; i < argc; i++)
        if (strcmp(argv[i], "-") == 0) {
            free(attrs);
            return cli_usage("add", "%s",
                             _("'-' (standard input) cannot be added: a "
                               "document of the project is named after its "
                               "file; save the note to a file and add that "
                               "(a file named '-': ./-)"));
        }
    db = cli_db_path(db);
    cli_files list = {0}, failures = {0}, replacements = {0};
    size_t skipped = 0, failed = 0, added = 0, present = 0, replaced = 0;
    key_typo *typos = NULL;
    size_t ntypos = 0;
    int status = EXIT_OK;
    /* the notes found in folders, [walked[2k], walked[2k + 1]) of list:
     * a pair for each argument at most */
    size_t *walked = malloc(2 * (size_t)argc * sizeof(*walked)), nwalked = 0;
    if (!walked)
        cli_nomem();
    for (int i = optind; i < argc; i++) {
        struct stat st;
        /* once per argument: tens of thousands of notes are named on the
         * command line, before any is read */
        bool known = stat(argv[i], &st) == 0;
        if (known && S_ISDIR(st.st_mode)) {
            size_t before = list.n, unread = failures.n;
            if (cli_walk(argv[i], db, &list, &failures, &skipped) < 0)
                status = EXIT_RUNTIME;
            else if (list.n == before && failures.n == unread)
                cli_warning(_("%s: no .txt or .md file in this folder"),
                            argv[i]);
            if (list.n > before) {
                walked[nwalked++] = before;
                walked[nwalked++] = list.n;
            }
        } else if (known && !S_ISREG(st.st_mode)) {
            /* <(iconv ...) is /dev/fd/63, another path each time: as
             * with '-', the document would have no file to be found
             * again by */
            cli_error(_("%s: not a regular file (a pipe, a device or a "
                        "socket) and cannot be added: a document of the "
                        "project is named after its file and found again "
                        "by it; save the note to a file and add that"),
                      argv[i]);
            if (cli_files_push(&failures, strdup(argv[i])) < 0)
                status = EXIT_RUNTIME;
        } else if (cli_files_push(&list, strdup(argv[i])) < 0) {
            status = EXIT_RUNTIME;
        } else if (known) {
            list.bytes += (uint64_t)st.st_size;
        }
    }
    grille_store *s = NULL;
    grille_codebook *cb = NULL;
    grille_analyser *a = NULL;
    grille_error err = {0};
    /* the subfolders that could not be read come first */
    failed = failures.n;
    if (status != EXIT_OK || cli_open_store(&s, db, false) < 0) {
        status = EXIT_RUNTIME;
        goto done;
    }
    /* SQLite's page cache (64 MiB) and the writer's other memory (the
     * preparers keep arenas of their own): 19,500 faults of 4 KiB pages
     * in the benchmark's add, a sixth of its time.  Its heap reached 17
     * MB for 11 MB of notes, 79 MB (holes included) for 105 MB; no more
     * than the cache and a little are made present, so that its peak
     * memory stays as it was (82 MB for all the notes, 78 MB for a
     * quarter of them).  Notes already in the project count too: telling
     * them apart would read them first. */
    uint64_t expect = list.bytes + list.bytes / 2 + (2u << 20);
    cli_large_heap(false, expect < (68u << 20) ? (size_t)expect : 68u << 20);
    /* Ctrl-C is caught before the transaction begins (none can come in
     * between: the default action would kill the program mid-write), and
     * ends the wait for a project another command holds */
    cli_catch_signals();
    grille_set_interrupt(&cli_interrupted);
    /* the codebook is read once the write lock is held: a recode running
     * meanwhile may change it */
    if (grille_store_begin(s, &err) < 0) {
        if (cli_interrupted)
            cli_error(_("interrupted: nothing was added to %s"), db);
        else
            cli_lib_error(&err);
        status = cli_interrupted ? 128 + cli_interrupted : EXIT_RUNTIME;
        goto done;
    }
    if (grille_store_codebook(s, &cb, &err) < 0 ||
        cli_analyser(&a, &err) < 0) {
        cli_lib_error(&err);
        status = EXIT_RUNTIME;
        goto done;
    }
    /* -j 1: everything on this thread; else jobs - 1 threads read and
     * code the files ahead while this one writes them to the project */
    size_t npre = jobs > 1 && list.n > 1 ? (size_t)jobs - 1 : 0;
    adder ad = {.list = &list,
                .cb = cb,
                .unit = grille_store_unit(s),
                .nslots = 4 * npre + 2,
                .lock = PTHREAD_MUTEX_INITIALIZER,
                .cond = PTHREAD_COND_INITIALIZER};
    preparer pre[64];
    size_t started = 0;
    ad.slots = calloc(ad.nslots, sizeof(slot));
    if (!ad.slots) {
        cli_error("%s", _("out of memory"));
        status = EXIT_RUNTIME;
        goto done;
    }
    for (; started < npre; started++) {
        pre[started] = (preparer){&ad, NULL, 0};
        if (cli_analyser(&pre[started].a, &err) < 0 ||
            grille__thread_create(&pre[started].tid, preparing,
                                  &pre[started]) != 0) {
            grille_analyser_free(pre[started].a);
            break;
        }
    }
    npre = started; /* fewer threads if some could not start */
    cli_progress prog;
    cli_progress_start(&prog, _("adding"), list.n);
    bool abort_all = false;
    for (size_t i = 0; i < list.n && !abort_all; release_slot(&ad, i++)) {
        if (cli_interrupted)
            break;
        const char *path = list.v[i];
        slot *sl = take_slot(&ad, i, npre, a);
        if (sl->rc < 0) {
            cli_progress_end(&prog);
            if (sl->rc == GRILLE_ENOMEM && !strstr(sl->err.message, path))
                cli_error("%s: %s", path, /* the note it stopped at */
                          sl->err.message[0] ? sl->err.message
                                             : _("out of memory"));
            else
                cli_lib_error(&sl->err);
            if (sl->rc == GRILLE_ENOMEM) {
                abort_all = true;
                break;
            }
            failed++;
            cli_files_push(&failures, strdup(path));
            continue;
        }
        int64_t id = 0;
        grille_replaced rep = {0, 0, 0, 0};
        int rc = replace ? grille_store_replace_prepared(s, sl->prep,
                                                         base(path), path, &id,
                                                         &rep, &err)
                         : grille_store_add_prepared(s, sl->prep, base(path),
                                                     path, &id, &err);
        if (rc == GRILLE_EEXISTS && id > 0) { /* the same text */
            if (!unchanged(s, id, path, sl->text,
                           in_ranges(walked, nwalked, i))) {
                cli_progress_end(&prog);
                cli_lib_error(&err);
            }
            present++;
            continue;
        }
        if (rc == 0) {
            /* said of a note added, not of one already there (added
             * again with its folder, it was said each time) */
            grille_encoding enc = grille_text_encoding(sl->text);
            if (enc != GRILLE_ENC_UTF8 && enc != GRILLE_ENC_UTF8_BOM) {
                cli_progress_end(&prog);
                cli_warning(_("%s: converted from %s to UTF-8"), path,
                            grille_encoding_name(enc));
            }
            size_t dlen;
            const char *data = grille_text_data(sl->text, &dlen);
            char msg[1400];
            if (cli_front_matter_aside(data, dlen, path, msg, sizeof(msg))) {
                cli_progress_end(&prog);
                cli_warning("%s", msg);
            }
        }
        if (rc == GRILLE_ESTORE || rc == GRILLE_ENOMEM) {
            cli_progress_end(&prog);
            if (rc == GRILLE_ENOMEM && !strstr(err.message, path))
                cli_error("%s: %s", path,
                          err.message[0] ? err.message : _("out of memory"));
            else
                cli_lib_error(&err);
            abort_all = true;
            break;
        }
        if (rc < 0) {
            cli_progress_end(&prog);
            cli_lib_error(&err);
            failed++;
            cli_files_push(&failures, strdup(path));
            continue;
        }
        for (size_t k = 0; k < nattrs && rc == 0; k++) {
            char *eq = strchr(attrs[k], '=');
            *eq = '\0';
            rc = grille_store_set_attr(s, id, attrs[k], eq + 1,
                                       "command line", &err);
            *eq = '=';
        }
        if (rc < 0) {
            cli_progress_end(&prog);
            cli_lib_error(&err);
            abort_all = true;
            break;
        }
        for (size_t t = 0; t < sl->ntypos; t++)
            note_typo(&typos, &ntypos, sl->typo[t], sl->typo_of[t], path,
                      sl->typo_line[t]);
        if (rep.old_id) {
            if (replaced_note(&replacements, path, &rep, id) < 0)
                cli_nomem();
            replaced++;
        } else {
            added++;
        }
        cli_progress_step(&prog, i + 1);
    }
    pthread_mutex_lock(&ad.lock);
    ad.stop = true;
    pthread_cond_broadcast(&ad.cond);
    pthread_mutex_unlock(&ad.lock);
    for (size_t t = 0; t < npre; t++) {
        pthread_join(pre[t].tid, NULL);
        grille_analyser_free(pre[t].a);
    }
    for (size_t k = 0; k < ad.nslots; k++)
        free_slot(&ad.slots[k]);
    free(ad.slots);
    cli_progress_end(&prog);
    if (cli_interrupted || abort_all) {
        grille_store_rollback(s);
        if (cli_interrupted)
            cli_error(_("interrupted: nothing was added to %s"), db);
        else
            cli_error(_("nothing was added to %s"), db);
        status = cli_interrupted ? 128 + cli_interrupted : EXIT_RUNTIME;
        goto done;
    }
    if (grille_store_commit(s, &err) < 0) {
        cli_lib_error(&err);
        cli_error(_("nothing was added to %s"), db);
        status = EXIT_RUNTIME;
        goto done;
    }
    cli_checkpoint(s);
    cli_printf(_("added %zu document%s to %s"), added, added == 1 ? "" : "s",
               db);
    if (replaced)
        printf(_(", %zu replaced"), replaced);
    if (present)
        printf(_(", %zu already there"), present);
    if (skipped)
        printf(_(", %zu skipped"), skipped);
    if (failed)
        printf(_(", %zu failed"), failed);
    printf("\n");
    for (size_t i = 0; i < replacements.n; i++)
        fputs(replacements.v[i], stdout);
    for (size_t i = 0; i < ntypos; i++) {
        /* "note.md:3", its line when found */
        char at[32] = "";
        if (typos[i].line)
            snprintf(at, sizeof(at), ":%u", typos[i].line);
        if (typos[i].notes == 1)
            cli_warning(_("%s%s: front matter key '%s' is none the reports "
                          "read: did you mean '%s'?"),
                        typos[i].first, at, typos[i].key, typos[i].of);
        else
            cli_warning(_("front matter key '%s' (%zu notes, the first "
                          "%s%s) is none the reports read: did you mean "
                          "'%s'?"),
                        typos[i].key, typos[i].notes, typos[i].first, at,
                        typos[i].of);
    }
    if (failed) {
        cli_error(_("%zu file%s could not be added:"), failed,
                  failed == 1 ? "" : "s");
        for (size_t i = 0; i < failures.n; i++) {
            /* one line each, as list shows them; an empty name as '' */
            fputs("  ", stderr);
            if (failures.v[i][0])
                cli_put_line(stderr, failures.v[i]);
            else
                fputs("''", stderr);
            fputc('\n', stderr);
        }
        status = EXIT_RUNTIME;
    }
done:
    for (size_t i = 0; i < ntypos; i++) {
        free(typos[i].key);
        free(typos[i].first);
    }
    free(typos);
    for (size_t i = 0; i < list.n; i++)
        free(list.v[i]);
    free(list.v);
    for (size_t i = 0; i < failures.n; i++)
        free(failures.v[i]);
    free(failures.v);
    cli_files_free(&replacements);
    free(walked);
    free(attrs);
    grille_analyser_free(a);
    grille_codebook_free(cb);
    grille_store_close(s);
    return status;
}
