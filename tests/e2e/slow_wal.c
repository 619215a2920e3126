/*
 * slow_wal.c - a test shim, loaded with LD_PRELOAD into grille by
 * tests/e2e/store.py: it waits 60 ms before each statement that puts a
 * project back in WAL mode, as a process that the system does not run
 * for a moment would, so that the readers of the test take the project
 * in that window every time instead of once in many runs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n,
                       sqlite3_stmt **st, const char **tail);

int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n,
                       sqlite3_stmt **st, const char **tail)
{
    static int (*real)(sqlite3 *, const char *, int, sqlite3_stmt **,
                       const char **);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "sqlite3_prepare_v2");
    if (sql && strncmp(sql, "PRAGMA journal_mode = wal", 25) == 0) {
        struct timespec t = {0, 60 * 1000 * 1000};
        nanosleep(&t, NULL);
        /* the test's proof that the shim ran (a program that carries its
         * own SQLite never calls this one) */
        const char *mark = getenv("SLOW_WAL_MARK");
        FILE *f = mark ? fopen(mark, "a") : NULL;
        if (f)
            fclose(f);
    }
    return real(db, sql, n, st, tail);
}
