/*
 * project.c - what the project commands share: finding the project file
 * (-d, $GRILLE_DB, ./grille.db), opening it with clear errors, a progress
 * line on a terminal, and catching Ctrl-C so that a long command can roll
 * back and say so.
 */
#include "cli.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_interrupted;

static volatile sig_atomic_t patient;

static void on_signal(int sig)
{
    cli_interrupted = sig;
    /* a second Ctrl-C ends the program at once; SQLite's journal still
     * leaves the project as it was (unless patient: an export stops
     * within a moment and cleans up) */
    if (!patient)
        signal(sig, SIG_DFL);
}

void cli_catch_signals_patient(void)
{
    patient = 1;
    cli_catch_signals();
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void cli_checkpoint(grille_store *s)
{
    grille_error err;
    if (grille_store_checkpoint(s, &err) < 0)
        cli_warning("%s", err.message);
}

/* Both below are glibc's and Linux's: elsewhere they do nothing. */
#if defined(__GLIBC__) && defined(__linux__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; EINVAL before: no harm */
#endif

void cli_warm_heap(void)
{
    /* below malloc's threshold for a mapping of its own (128 KiB): from
     * the heap, one after the other */
    enum { PIECE = 120 << 10, PIECES = 8 };
    static void *pin;
    void *piece[PIECES];
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (size_t i = 0; i < PIECES; i++) {
        piece[i] = malloc(PIECE);
        uintptr_t at = (uintptr_t)piece[i];
        if (piece[i] && at < lo)
            lo = at;
        if (piece[i] && at + PIECE > hi)
            hi = at + PIECE;
    }
    /* a block after them (never touched, never freed: a page of memory),
     * so that once freed they are one free block that malloc uses again,
     * not the heap's top, which free gives back to the system; as large
     * as they are, so that it is not cut from a smaller free block below
     * them (on a second call, the first one's, below: no use then) */
    if (!pin)
        pin = malloc(PIECE);
    /* only pieces side by side in the heap grown with brk, the pin above
     * them: nothing else is in that range (another malloc, or a mapping
     * of their own, would leave other memory between them) */
    char *top = sbrk(0);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    bool heap = top != (char *)-1 && hi <= (uintptr_t)top &&
                hi - lo <= (size_t)PIECES * (PIECE + 64) &&
                (uintptr_t)pin >= hi;
    lo = (lo + page - 1) & ~(page - 1);
    hi &= ~(page - 1);
    if (heap && hi > lo)
        madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
    for (size_t i = 0; i < PIECES; i++)
        free(piece[i]);
}

void cli_large_heap(bool one_arena, size_t populate)
{
    /* big blocks from the heap, not mapped one by one in 4 KiB pages, and
     * the heap never given back in the command's short life */
    if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) ||
        !mallopt(M_TRIM_THRESHOLD, 512 << 20) ||
        !mallopt(M_TOP_PAD, 256 << 20))
        return;
    /* the heap grown by 256 MiB at once (address space: the pages come
     * when touched), then by malloc's usual steps again: a limit on the
     * address space (ulimit -v) is met by this one growth, not by each */
    char *before = sbrk(0);
    void *volatile grow = malloc((size_t)1 << 20);
    free(grow);
    char *after = sbrk(0);
    mallopt(M_TOP_PAD, 128 << 10);
    if (before == (char *)-1 || after == (char *)-1 || after <= before)
        return;
    /* one arena, the main one, for the threads too */
    if (one_arena)
        mallopt(M_ARENA_MAX, 1);
    /* the first pages of the new heap made present in one call, as many
     * as the command is expected to use: free memory, part of the heap
     * malloc hands out next; in 4 KiB pages, even where the kernel gives
     * huge pages unasked (transparent huge pages "always"), whose
     * clearing on a first touch is what this avoids */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)before + page - 1) & ~(page - 1);
    uintptr_t hi = (uintptr_t)after & ~(page - 1);
    if (populate && hi > lo) {
        size_t n = (populate + page - 1) & ~(page - 1);
        n = n < hi - lo ? n : hi - lo;
#ifdef MADV_NOHUGEPAGE
        madvise((void *)lo, n, MADV_NOHUGEPAGE);
#endif
        madvise((void *)lo, n, MADV_POPULATE_WRITE);
    }
}

size_t cli_heap_share(const char *path, size_t part, size_t most)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return 0;
    size_t n = (size_t)st.st_size / part;
    return n < most ? n : most;
}

#else
void cli_warm_heap(void)
{
}

void cli_large_heap(bool one_arena, size_t populate)
{
    (void)one_arena;
    (void)populate;
}

size_t cli_heap_share(const char *path, size_t part, size_t most)
{
    (void)path;
    (void)part;
    (void)most;
    return 0;
}
#endif

const char *cli_db_path(const char *opt)
{
    if (opt && !*opt) {
        /* -d "$DB" with DB unset: not ./grille.db, which may be another
         * project */
        cli_error("%s", _("-d names no project (an empty name)"));
        exit(EXIT_USAGE);
    }
    if (opt)
        return opt;
    const char *env = getenv("GRILLE_DB");
    if (env && *env)
        return env;
    return "grille.db";
}

/* The absolute name of `path`, through links, whether or not the file is
 * there (its folder must be); NULL when it cannot say. */
static char *full_name(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash > path ? (size_t)(slash - path)
                                                   : 1)
                      : strdup(".");
    char *rdir = dir ? realpath(dir, NULL) : NULL;
    char *out = NULL;
    if (rdir && asprintf(&out, "%s/%s", rdir, slash ? slash + 1 : path) < 0)
        out = NULL;
    free(dir);
    free(rdir);
    return out;
}

/* The project's own name, links resolved (SQLite's files are beside the
 * file a link names, not beside the link), with side[i] after it; false
 * when it does not fit. */
static const char *const side[] = {"", "-wal", "-shm", "-journal"};
enum { NSIDE = sizeof(side) / sizeof(side[0]) };

static bool side_name(char *path, size_t size, const char *db,
                      const char *dbname, size_t i)
{
    int n = snprintf(path, size, "%s%s", dbname ? dbname : db, side[i]);
    return n > 0 && (size_t)n < size;
}

bool cli_project_file(const char *out, const char *db)
{
    struct stat o, d;
    bool there = stat(out, &o) == 0;
    char *name = there ? NULL : full_name(out);
    char *dbname = full_name(db);
    bool same = false;
    for (size_t i = 0; i < NSIDE && !same; i++) {
        char path[4096];
        if ((!there && !dbname) ||
            !side_name(path, sizeof(path), db, dbname, i))
            continue;
        if (there) /* the same file, by any name */
            same = stat(path, &d) == 0 && d.st_dev == o.st_dev &&
                   d.st_ino == o.st_ino;
        else /* a file SQLite makes beside the project when it needs it */
            same = name && strcmp(name, path) == 0;
    }
    free(name);
    free(dbname);
    return same;
}

void cli_project_ids_take(cli_project_ids *ids, const char *db)
{
    memset(ids, 0, sizeof(*ids));
    char *dbname = full_name(db);
    for (size_t i = 0; i < NSIDE; i++) {
        char path[4096];
        struct stat d;
        if (side_name(path, sizeof(path), db, dbname, i) &&
            stat(path, &d) == 0) {
            ids->dev[ids->n] = d.st_dev;
            ids->ino[ids->n++] = d.st_ino;
        }
    }
    free(dbname);
}

bool cli_project_ids_has(const cli_project_ids *ids, const struct stat *st)
{
    for (size_t i = 0; i < ids->n; i++)
        if (ids->dev[i] == st->st_dev && ids->ino[i] == st->st_ino)
            return true;
    return false;
}

bool cli_same_file(const char *out, const char *db)
{
    bool same = cli_project_file(out, db);
    if (same)
        cli_error(_("%s is the project %s itself: write the output to "
                    "another file"),
                  out, db);
    return same;
}

/* An older project is upgraded once, in one transaction: said, since it
 * takes seconds on a large one and the command waits. */
int cli_upgraded_to;

static void on_upgrade(const char *path, int from, int to, void *payload)
{
    (void)payload;
    cli_upgraded_to = to;
    /* from 3, the codings are renumbered; from 4, doc_stats computed
     * again; from 5, the attributes cleaned */
    cli_error(_("%s: upgrading the project from schema %d to %d (once; "
                "about %s s per 100 MB of notes)"),
              path, from, to, from < 4 ? "2.5" : from < 5 ? "1" : "0.2");
}

/* A wait for another command's write lock that lasts: said on a
 * terminal, where it would otherwise look like a hang. */
static void on_wait(const char *path, void *payload)
{
    (void)payload;
    cli_error(_("%s is in use by another command: waiting for it (up to "
                "10 minutes; Ctrl-C stops)"),
              path);
}

int cli_open_store(grille_store **out, const char *path, bool readonly)
{
    grille_error err = {0};
    int rc = grille_store_open_upgrading(out, path, readonly, on_upgrade,
                                         NULL, &err);
    if (rc < 0)
        cli_lib_error(&err);
    else if (isatty(2))
        grille_store_on_wait(*out, on_wait, NULL);
    return rc;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(cli_progress *p, const char *what, size_t total)
{
    p->what = what;
    p->total = total;
    p->start = now_seconds();
    p->last = 0;
    p->shown = isatty(2) != 0;
}

void cli_progress_step(cli_progress *p, size_t done)
{
    if (!p->shown)
        return;
    double t = now_seconds();
    if (done < p->total && t - p->last < 0.1)
        return;
    p->last = t;
    double rate = t > p->start ? (double)done / (t - p->start) : 0;
    int width = 30;
    int fill = p->total ? (int)((double)width * (double)done /
                                (double)p->total)
                        : width;
    fprintf(stderr, "\r%s [", p->what);
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %zu/%zu, %.0f/s ", done, p->total, rate);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
}
