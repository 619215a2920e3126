/*
 * fuzz_refi.c - libFuzzer target: the REFI-QDA import on arbitrary
 * project.qde XML, in a .qdpx that also holds a fixed source text.  Each
 * input is imported into one scratch project inside a transaction that is
 * rolled back.  After an import that succeeds, every manual coding must lie
 * within its segment and the document's text, on code point boundaries.
 */
#include "grille.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

static grille_analyser *an;
static grille_codebook *cb;
static grille_store *st;
static char dir[64], qdpx[96];

static const char source[] =
    "\xEF\xBB\xBFQ : et la sant\xC3\xA9 des agents ?\r\n\r\n"
    "R : des masques, puis le t\xC3\xA9l\xC3\xA9travail.\r\n";

static int check_coding(const grille_coding_info *c, void *payload)
{
    (void)payload;
    if (strcmp(c->origin, "manual") != 0)
        return 0;
    char *text = NULL;
    size_t len, body;
    if (grille_store_text(st, c->document, &text, &len, &body, NULL) < 0)
        abort();
    if (c->start >= c->end || c->end > len ||
        ((unsigned char)text[c->start] & 0xC0) == 0x80 ||
        (c->end < len && ((unsigned char)text[c->end] & 0xC0) == 0x80) ||
        strlen(c->term) != c->end - c->start)
        abort();
    grille_free(text);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!st) {
        size_t ylen;
        const char *yaml = grille_codebook_bundled_text(&ylen);
        snprintf(dir, sizeof(dir), "/tmp/grille-fuzz-refi-XXXXXX");
        char db[96];
        if (!mkdtemp(dir) || grille_codebook_load_bundled(&cb, NULL) < 0 ||
            grille_analyser_new(&an, NULL) < 0)
            abort();
        snprintf(db, sizeof(db), "%s/p.db", dir);
        snprintf(qdpx, sizeof(qdpx), "%s/x.qdpx", dir);
        if (grille_store_create(&st, db, yaml, ylen, "<bundled>",
                                GRILLE_UNIT_PARAGRAPH, NULL) < 0)
            abort();
    }
    unlink(qdpx);
    int zerr;
    zip_t *z = zip_open(qdpx, ZIP_CREATE | ZIP_EXCL, &zerr);
    if (!z)
        abort();
    zip_source_t *a = zip_source_buffer(z, data, size, 0);
    zip_source_t *b = zip_source_buffer(z, source, sizeof(source) - 1, 0);
    if (!a || zip_file_add(z, "project.qde", a, 0) < 0 || !b ||
        zip_file_add(z, "sources/s1.txt", b, 0) < 0 || zip_close(z) < 0)
        abort();
    if (grille_store_begin(st, NULL) < 0)
        abort();
    grille_refi_import_stats stats;
    if (grille_refi_import_qdpx(st, an, cb, qdpx, &stats, NULL) == 0 &&
        grille_store_foreach_coding(st, 0, check_coding, NULL, NULL) != 0)
        abort();
    grille_store_rollback(st);
    return 0;
}
