/*
 * project.c - what the project commands share: finding the project file
 * (-d, $GRILLE_DB, ./grille.db), opening it with clear errors, a progress
 * line on a terminal, and catching Ctrl-C so that a long command can roll
 * back and say so.
 */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

const char *cli_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("GRILLE_DB");
    if (env && *env)
        return env;
    return "grille.db";
}

bool cli_same_file(const char *out, const char *db)
{
    struct stat o, d;
    if (stat(out, &o) != 0)
        return false;
    static const char *const side[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
        char path[4096];
        int n = snprintf(path, sizeof(path), "%s%s", db, side[i]);
        if (n > 0 && (size_t)n < sizeof(path) && stat(path, &d) == 0 &&
            d.st_dev == o.st_dev && d.st_ino == o.st_ino) {
            cli_error(_("%s is the project %s itself: write the output "
                        "to another file"),
                      out, db);
            return true;
        }
    }
    return false;
}

int cli_open_store(grille_store **out, const char *path, bool readonly)
{
    grille_error err = {0};
    int rc = grille_store_open(out, path, readonly, &err);
    if (rc < 0)
        cli_lib_error(&err);
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
