/*
 * thread.h - threads started on another processor than their creator's.
 * Header only: the library and the command line use it.  Never
 * installed.
 *
 * Linux puts a new thread on its creator's processor and leaves it to the
 * load balancing to move it: while the creator keeps working, the new
 * thread waited 0.5 to 4 ms to start on this 2-processor machine (the idle
 * processor looks for work at its next tick), 2.6 ms in most reports of
 * the benchmark's project (its attributes' thread), against 0.1 ms when
 * it is created with the other processors as its affinity.  The thread
 * then takes its creator's affinity back, free to move as any other.
 */
#ifndef GRILLE_THREAD_H
#define GRILLE_THREAD_H

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

typedef struct grille__thread_start {
    void *(*fn)(void *);
    void *arg;
#ifdef __linux__
    cpu_set_t mask; /* the creator's affinity */
#endif
} grille__thread_start;

static inline void *grille__thread_run(void *p)
{
    grille__thread_start s = *(grille__thread_start *)p;
    free(p);
#ifdef __linux__
    sched_setaffinity(0, sizeof(s.mask), &s.mask);
#endif
    return s.fn(s.arg);
}

/* pthread_create(t, NULL, fn, arg), the thread started on one of the
 * processors its creator may run on but is not running on, when there is
 * one; else (or when any of that fails) as pthread_create would. */
static inline int grille__thread_create(pthread_t *t, void *(*fn)(void *),
                                        void *arg)
{
#ifdef __linux__
    grille__thread_start *s = malloc(sizeof(*s));
    int cpu = sched_getcpu();
    if (s && cpu >= 0 && cpu < CPU_SETSIZE &&
        sched_getaffinity(0, sizeof(s->mask), &s->mask) == 0) {
        cpu_set_t other = s->mask;
        CPU_CLR(cpu, &other);
        pthread_attr_t at;
        if (CPU_COUNT(&other) > 0 && pthread_attr_init(&at) == 0) {
            s->fn = fn;
            s->arg = arg;
            int rc = pthread_attr_setaffinity_np(&at, sizeof(other), &other);
            if (rc == 0)
                rc = pthread_create(t, &at, grille__thread_run, s);
            pthread_attr_destroy(&at);
            if (rc == 0)
                return 0;
        }
    }
    free(s);
#endif
    return pthread_create(t, NULL, fn, arg);
}

#endif
