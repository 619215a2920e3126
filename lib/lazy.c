/*
 * lazy.c - loads libxml2 and libzip on first use (see lazy.h).
 */
#include "lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

grille_lazy grille__lz;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512]; /* empty when both are loaded */

/* Fills the table from the library `soname`; false, with the reason in
 * `failure`, when it or one of its functions is missing. */
static bool open_lib(const char *soname, const char *dir,
                     const char *const *names, void **slots, size_t n)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h && *dir) {
        /* where the build found it (pkg-config), when the loader's paths
         * do not have it */
        char path[4096];
        snprintf(failure, sizeof(failure), "%s", dlerror());
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, soname) <
            sizeof(path))
            h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h) /* found there: the first try's error is none */
            failure[0] = '\0';
    }
    if (!h) {
        if (!failure[0])
            snprintf(failure, sizeof(failure), "%s", dlerror());
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        slots[i] = dlsym(h, names[i]);
        if (!slots[i]) {
            snprintf(failure, sizeof(failure), "%s: no %s", soname,
                     names[i]);
            return false;
        }
    }
    return true; /* kept open for the life of the process */
}

static void load(void)
{
#define NAME(f) #f,
    static const char *const xml[] = {
        GRILLE_LAZY_FREE(NAME) GRILLE_LAZY_XML(NAME)};
    static const char *const zip[] = {GRILLE_LAZY_ZIP(NAME)};
#undef NAME
    void *slots[sizeof(xml) / sizeof(xml[0]) + sizeof(zip) / sizeof(zip[0])];
    size_t nx = sizeof(xml) / sizeof(xml[0]), nz = sizeof(zip) / sizeof(zip[0]);
    if (!open_lib(GRILLE_XML_SONAME, GRILLE_XML_DIR, xml, slots, nx) ||
        !open_lib(GRILLE_ZIP_SONAME, GRILLE_ZIP_DIR, zip, slots + nx, nz))
        return;
    /* the table's members, in the order of the lists */
    size_t i = 0;
#define SET(f) memcpy(&grille__lz.f, &slots[i++], sizeof(void *));
    GRILLE_LAZY_FREE(SET)
    GRILLE_LAZY_XML(SET)
    GRILLE_LAZY_ZIP(SET)
#undef SET
}

int grille__lazy_load(grille_error *err)
{
    pthread_once(&once, load);
    if (!failure[0])
        return 0;
    return grille__error(err, GRILLE_EIO, NULL, 0, 0,
                         _("REFI-QDA export and import need libxml2 and "
                           "libzip: %s"),
                         failure);
}
