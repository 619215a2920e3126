/*
 * stale.h - removing the temporary files a killed run left beside its
 * output.  Header only: the library (export) and the command line (-o)
 * use it.  Never installed.
 *
 * A temporary file beside an output is named STEM.tmp-PID then anything
 * after a '.' or a '-' (STEM.tmp-PID, STEM.tmp-PID.qde, STEM.tmp-PID-
 * XXXXXX), PID the process that writes it: a kill -9 gives no handler the
 * chance to remove it, and the next run that writes beside STEM does,
 * once that process is gone.  A live PID (another run writing there, or
 * a PID used again) keeps its files.
 */
#ifndef GRILLE_STALE_H
#define GRILLE_STALE_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static inline void grille__remove_stale(const char *stem)
{
    const char *slash = strrchr(stem, '/');
    char *dir = slash ? strndup(stem, slash > stem ? (size_t)(slash - stem)
                                                   : 1)
                      : strdup(".");
    const char *base = slash ? slash + 1 : stem;
    size_t bl = strlen(base);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp-", 5) != 0)
            continue;
        char *end;
        long pid = strtol(n + bl + 5, &end, 10);
        if (end == n + bl + 5 || (*end && *end != '.' && *end != '-') ||
            pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        size_t m = strlen(dir) + strlen(n) + 2;
        char *full = malloc(m);
        if (full) {
            snprintf(full, m, "%s/%s", dir, n);
            unlink(full);
        }
        free(full);
    }
    if (d)
        closedir(d);
    free(dir);
}

#endif
