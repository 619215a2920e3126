/*
 * cmd_tag.c - `grille tag`: codes one or more notes with a codebook and
 * writes, per document, its coded segments (text, for people), one JSON
 * object per line (json, the contract of DESIGN §5) or one CSV row per
 * coding (csv).
 *
 * The work is cut in parts: a document, or, for a large document and
 * several threads, a range of it that starts after a blank line (segments
 * never cross one, so each range codes exactly as the whole would).  Files
 * go by batches: the threads read and decode the batch, the main thread
 * cuts the large documents, the threads code and render every part into
 * memory, and the main thread writes the parts in order.  One thread runs
 * the very same steps, so the output does not depend on -j.
 */
#include "cli.h"
#include "render.h"
#include "thread.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static const char help[] =
    "Usage: grille tag [OPTION]... FILE...|FOLDER...|-\n"
    "Code interview notes with a codebook and show which themes each segment\n"
    "touches, and why.  A folder is walked for its .txt and .md files, as\n"
    "'grille add' walks it.\n\n"
    "  -c, --codebook FILE  the codebook (default: the bundled riposte.yaml)\n"
    "  -u, --unit UNIT      paragraph (default) or sentence\n"
    "  -f, --format FORMAT  text (default), json (JSON Lines) or csv\n"
    "      --coded-only     in json, list only the segments that are coded\n"
    "                       (text and csv show only those)\n"
    "      --color WHEN     highlight matched words: auto (default), always,\n"
    "                       never\n"
    "  -j, --jobs N         code with N threads (default 1); the output is\n"
    "                       the same\n"
    "  -h, --help           show this help\n\n"
    "Exit status: 0 when every file was coded, 1 when one failed (the others\n"
    "are still coded), 2 for a usage error.\n";

#define BATCH 256
#define BATCH_BYTES (32u << 20) /* the input a batch reads at most */
#define PART_BYTES (2u << 20)   /* a document larger than this is cut */

typedef struct tag_opts {
    int format;
    grille_unit unit;
    bool coded_only;
    bool color;
} tag_opts;

/* A document of the batch. */
typedef struct tdoc {
    const char *path;
    const char *name;
    grille_text *text;
    grille_attrs *attrs;
    const char *data;
    size_t len, body;
    char *msgs; /* what to print on stderr, in order */
    size_t msglen;
    bool failed;
    size_t first_part, nparts;
    /* what its parts brought (a document cut in parts: two_passes) */
    size_t parts_done, nsegs, words, coded;
    size_t *segs_count, *hits_count;
    bool part_failed;
} tdoc;

/* A part: a document or a range of one, coded and rendered. */
typedef struct tpart {
    size_t doc;
    size_t start, end;
    unsigned line;   /* of its start: two_passes, for a document in parts */
    unsigned nlines; /* line ends in [start, end): lines_part */
    size_t seg_base; /* index of its first segment in the document */
    size_t nsegs, ncods, words, coded;
    /* per code, parents included: in the batch's counts (tagrun) */
    size_t *segs_count, *hits_count;
    char *out;       /* the rendered part */
    size_t outlen, outcap;
    char *cods;      /* json: the codings, rendered apart */
    size_t codslen, codscap;
    bool failed;
    bool done; /* coded and rendered (under the run's lock) */
    char *msgs;
    size_t msglen;
    FILE *out_spool, *cods_spool; /* instead of out and cods, when big */
    struct kept *kept; /* a document in two passes: its ncods codings, */
    off_t kept_at;     /* or in the run's kept_file from there (kept NULL) */
} tpart;

/* A piece of standard output waiting in a wout: its bytes, and what to
 * free once they are written (a part's buffer, given back with its
 * capacity, or a copy, freed: cap 0). */
typedef struct wpiece {
    const char *p;
    size_t len;
    char *own;
    size_t cap;
} wpiece;

/*
 * Standard output for JSON and CSV when it is not standard error's file:
 * the parts rendered in memory are written from their own buffers by
 * writev, gathered until WOUT_CHUNK bytes wait, rather than copied into
 * stdio's buffer first (40 MB for 2,000 notes).  When both streams are
 * one file (2>&1), where the messages fall among the documents is
 * stdio's buffering's, which stays.  Whatever goes through stdio while
 * pieces wait must come after them: wout_flush first.
 */
#define WOUT_CHUNK (1u << 16)
#if defined(IOV_MAX) && IOV_MAX < 64
#define WOUT_IOV IOV_MAX
#else
#define WOUT_IOV 64
#endif
typedef struct wout {
    bool on;
    wpiece *v;
    size_t n, cap, bytes;
} wout;

typedef struct tagrun {
    const tag_opts *o;
    const grille_codebook *cb;
    size_t ncodes;
    tdoc *docs;
    size_t ndocs;
    tpart *parts;
    size_t nparts;
    grille_analyser **an; /* one per thread */
    size_t threads;
    /* the parts' counts per code, 2 * (ncodes + 1) each, for the batch
     * (room for counts_cap), and summarise's scratch, ncodes + 1 per
     * thread: once for the run rather than three callocs and two frees
     * per note */
    size_t *counts, counts_cap, *last;
    /* each code's parent (-1 for a theme), for summarise: read once for
     * the run rather than through grille_codebook_code, a call that
     * fills nine fields, for each coding and each of its ancestors */
    long *parent;
    size_t next;          /* the next item to take */
    /* reading a batch: the documents from `cut` on are left to the next
     * batch; `reserved` is the size of those taken (read_doc) */
    size_t cut, reserved;
    /* the codes' ids and the rules' texts, rendered once: JSON strings
     * and CSV cells */
    obuf *code_js, *rule_js, *code_csv, *rule_csv;
    /* what every JSON document has between its attributes and its
     * segments (codebook and unit), and the buffer its header and its
     * summary are rendered into by the main thread */
    obuf cb_js, head;
    /* coding parts while the main thread writes them in order: parts
     * [written, next) are taken, at most AHEAD of them */
    size_t written;
    size_t ahead_bytes; /* held() by the parts done and not written */
    pthread_cond_t cond;
    /* rendering buffers given back, for the next parts: a part of a large
     * file renders megabytes, and fresh memory each time cost a page
     * fault per 4 KiB (under the lock) */
    obuf *pool;
    size_t npool, pool_bytes;
    pthread_mutex_t lock;
    bool split; /* a document of the batch is in several parts */
    /* two_passes: the bytes of codings kept in memory, and how many may
     * be; beyond, they wait in one temporary file, up to kept_end */
    size_t kept_bytes, kept_budget;
    FILE *kept_file;
    off_t kept_end;
    wout wo;
} tagrun;

/* fwrite without a null pointer for nothing to write. */
static void put_buf(FILE *f, const char *s, size_t n)
{
    if (n)
        fwrite(s, 1, n, f);
}

static const char *code_id(const grille_codebook *cb, size_t c)
{
    grille_code_info info;
    grille_codebook_code(cb, c, &info);
    return info.id;
}

/* Counts segments and hits per code, parents included. */
static void summarise(const long *parent, const grille_coding *cod,
                      size_t nc, size_t ncodes, size_t *segs, size_t *hits,
                      size_t *last)
{
    for (size_t i = 0; i < ncodes; i++)
        last[i] = SIZE_MAX;
    for (size_t i = 0; i < nc; i++) {
        for (long c = (long)cod[i].code; c >= 0; c = parent[c]) {
            hits[c]++;
            if (last[c] != cod[i].segment) {
                last[c] = cod[i].segment;
                segs[c]++;
            }
        }
    }
}

/* ------------------------------------------------------------ rendering */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The distinct codes of cod[0..n) in increasing order into c (room for
 * n); returns how many. */
static size_t leaf_codes(const grille_coding *cod, size_t n, size_t *c)
{
    size_t m = 0;
    if (n > 16) { /* many (a term a thousand themes list): sorted */
        for (size_t j = 0; j < n; j++)
            c[j] = cod[j].code;
        qsort(c, n, sizeof(*c), cmp_size);
        for (size_t j = 0; j < n; j++)
            if (j == 0 || c[j] != c[m - 1])
                c[m++] = c[j];
        return m;
    }
    for (size_t j = 0; j < n; j++) {
        size_t v = cod[j].code, q = m;
        bool seen = false;
        for (size_t t = 0; t < m && !seen; t++)
            seen = c[t] == v;
        if (seen)
            continue;
        /* insertion: a few codes, moved one by one */
        for (; q > 0 && c[q - 1] > v; q--)
            c[q] = c[q - 1];
        c[q] = v;
        m++;
    }
    return m;
}

/* The bytes of a segment's or a coding's record but its text and names:
 * literals and four numbers, with room to spare. */
#define JSON_RECORD_ROOM (96 + 4 * OB_WSIZE)

/* The segments of a part (JSON): items of the "segments" array, each
 * written after one ob_reserve. */
static void json_segments(obuf *f, const tagrun *r, const tdoc *d,
                          const tpart *p, const grille_segment *segs,
                          const grille_coding *cod, bool coded_only)
{
    size_t k = 0;
    bool first = true;
    size_t small[32], *codes = small, cap = 32;
    for (size_t i = 0; i < p->nsegs; i++) {
        size_t k0 = k;
        while (k < p->ncods && cod[k].segment == i)
            k++;
        if (coded_only && k == k0)
            continue;
        if (k - k0 > cap) {
            cap = k - k0;
            codes = codes == small ? malloc(cap * sizeof(*codes))
                                   : realloc(codes, cap * sizeof(*codes));
            if (!codes)
                cli_nomem();
        }
        /* distinct leaf codes in codebook order */
        size_t nc = leaf_codes(cod + k0, k - k0, codes);
        const grille_segment *s = &segs[i];
        size_t len = s->end - s->start, room = JSON_RECORD_ROOM,
               ln = s->label_end > s->label_start
                        ? s->label_end - s->label_start
                        : 0;
        for (size_t j = 0; j < nc; j++)
            room += r->code_js[codes[j]].len + OB_PADDING + 2;
        if (ln)
            room += 16 + OB_JSON_ROOM(ln);
        char *o = ob_reserve(f, room + OB_JSON_ROOM(len));
        if (!first)
            o = ob_wlit(o, ", ");
        first = false;
        o = ob_wlit(o, "{\"index\": ");
        o = ob_wsize(o, p->seg_base + i);
        o = ob_wlit(o, ", \"start\": ");
        o = ob_wsize(o, s->start);
        o = ob_wlit(o, ", \"end\": ");
        o = ob_wsize(o, s->end);
        o = ob_wlit(o, ", \"line\": ");
        o = ob_wsize(o, s->line);
        if (ln) { /* a turn's, and its sentences': who speaks */
            o = ob_wlit(o, ", \"speaker\": ");
            o = ob_json_raw(o, d->data + s->label_start, ln,
                            d->len - s->label_end);
        }
        o = ob_wlit(o, ", \"text\": ");
        o = ob_json_raw(o, d->data + s->start, len, d->len - s->end);
        o = ob_wlit(o, ", \"codes\": [");
        for (size_t j = 0; j < nc; j++) {
            if (j)
                o = ob_wlit(o, ", ");
            o = ob_wpadded(o, r->code_js[codes[j]].p,
                           r->code_js[codes[j]].len);
        }
        o = ob_wlit(o, "]}");
        ob_commit(f, o);
    }
    if (codes != small)
        free(codes);
}

/* The codings of a part (JSON), each written after one ob_reserve. */
static void json_codings(obuf *f, const tagrun *r, const tdoc *d,
                         const tpart *p, const grille_coding *cod)
{
    for (size_t i = 0; i < p->ncods; i++) {
        const obuf *code = &r->code_js[cod[i].code];
        const obuf *rule = &r->rule_js[cod[i].rule];
        size_t len = cod[i].end - cod[i].start;
        char *o = ob_reserve(f, JSON_RECORD_ROOM + code->len + rule->len +
                                    2 * OB_PADDING + OB_JSON_ROOM(len));
        if (i)
            o = ob_wlit(o, ", ");
        o = ob_wlit(o, "{\"segment\": ");
        o = ob_wsize(o, p->seg_base + cod[i].segment);
        o = ob_wlit(o, ", \"code\": ");
        o = ob_wpadded(o, code->p, code->len);
        o = ob_wlit(o, ", \"start\": ");
        o = ob_wsize(o, cod[i].start);
        o = ob_wlit(o, ", \"end\": ");
        o = ob_wsize(o, cod[i].end);
        o = ob_wlit(o, ", \"term\": ");
        o = ob_wjson(o, d->data + cod[i].start, len, d->len - cod[i].end);
        o = ob_wlit(o, ", \"rule\": ");
        o = ob_wpadded(o, rule->p, rule->len);
        *o++ = '}';
        ob_commit(f, o);
    }
}

static void csv_codings(obuf *f, const tagrun *r, const tdoc *d,
                        const tpart *p, const grille_segment *segs,
                        const grille_coding *cod)
{
    for (size_t i = 0; i < p->ncods; i++) {
        ob_csv_cell(f, d->name, strlen(d->name), true);
        ob_putc(f, ',');
        ob_size(f, p->seg_base + cod[i].segment);
        ob_putc(f, ',');
        ob_size(f, segs[cod[i].segment].line);
        ob_putc(f, ',');
        ob_put(f, r->code_csv[cod[i].code].p, r->code_csv[cod[i].code].len);
        ob_putc(f, ',');
        ob_size(f, cod[i].start);
        ob_putc(f, ',');
        ob_size(f, cod[i].end);
        ob_putc(f, ',');
        ob_csv_cell(f, d->data + cod[i].start, cod[i].end - cod[i].start,
                    true);
        ob_putc(f, ',');
        ob_put(f, r->rule_csv[cod[i].rule].p, r->rule_csv[cod[i].rule].len);
        ob_lit(f, "\r\n");
    }
}

/* The segment's text on one line, matched spans in bold when `color`. */
static void put_highlighted(FILE *f, const tdoc *d, const grille_segment *s,
                            const grille_coding *cod, size_t n, bool color)
{
    if (!color) {
        put_flat(f, d->data + s->start, s->end - s->start);
        return;
    }
    size_t at = s->start;
    bool space = false;
    for (size_t j = 0; j < n; j++) {
        size_t st = cod[j].start > at ? cod[j].start : at;
        size_t en = cod[j].end;
        /* merge spans that overlap this one */
        while (j + 1 < n && cod[j + 1].start < en) {
            if (cod[j + 1].end > en)
                en = cod[j + 1].end;
            j++;
        }
        if (en <= st)
            continue;
        /* whitespace is folded across the pieces, as put_flat folds the
         * whole text (a piece's last space comes before the next word) */
        put_flat_run(f, d->data + at, st - at, &space);
        /* a space that waits goes before the highlight, unless the
         * match starts with whitespace of its own (folded into it) */
        unsigned char c0 = (unsigned char)d->data[st];
        bool lead = c0 == ' ' || c0 == '\t' || c0 == '\n' || c0 == '\r' ||
                    c0 == '\f' || c0 == '\v';
        if (space && !lead) {
            putc(' ', f);
            space = false;
        }
        fputs("\033[1;33m", f);
        put_flat_run(f, d->data + st, en - st, &space);
        fputs("\033[0m", f);
        at = en;
    }
    put_flat_run(f, d->data + at, s->end - at, &space);
}

/* Many codings in one segment (a term that a thousand themes list): each
 * code's codings chained, in the segment's order, so that the codes are
 * listed in linear time; `first[c]` is code c's first coding in the
 * segment, `last[c]` its last, `seg[c]` the segment they are of. */
typedef struct code_chains {
    size_t *first, *last, *seg, *next;
} code_chains;

/* Codes cod[k0, k) of segment si chained; false when out of memory. */
static bool chain_codes(code_chains *ch, const grille_codebook *cb,
                        const grille_coding *cod, size_t ncod, size_t k0,
                        size_t k, size_t si)
{
    if (!ch->next) {
        size_t nc = grille_codebook_count(cb);
        ch->first = malloc(nc * sizeof(size_t));
        ch->last = malloc(nc * sizeof(size_t));
        ch->seg = malloc(nc * sizeof(size_t));
        ch->next = malloc(ncod * sizeof(size_t));
        if (!ch->first || !ch->last || !ch->seg || !ch->next)
            return false;
        for (size_t c = 0; c < nc; c++)
            ch->seg[c] = SIZE_MAX;
    }
    for (size_t j = k0; j < k; j++) {
        size_t c = cod[j].code;
        ch->next[j] = SIZE_MAX;
        if (ch->seg[c] != si) {
            ch->seg[c] = si;
            ch->first[c] = j;
        } else {
            ch->next[ch->last[c]] = j;
        }
        ch->last[c] = j;
    }
    return true;
}

/* The coded segments of a part, for people. */
static void text_segments(FILE *f, const tdoc *d, const tpart *p,
                          const grille_codebook *cb,
                          const grille_segment *segs,
                          const grille_coding *cod, bool color)
{
    code_chains ch = {0};
    for (size_t k = 0; k < p->ncods;) {
        size_t si = cod[k].segment, k0 = k;
        while (k < p->ncods && cod[k].segment == si)
            k++;
        const grille_segment *s = &segs[si];
        fprintf(f, "\nl.%-4u ", s->line);
        if (s->label_end > s->label_start) { /* who speaks */
            put_flat(f, d->data + s->label_start,
                     s->label_end - s->label_start);
            fputs(" : ", f);
        }
        put_highlighted(f, d, s, cod + k0, k - k0, color);
        putc('\n', f);
        /* a few codings (most segments): compared with each other */
        bool chained = k - k0 > 8;
        if (chained && !chain_codes(&ch, cb, cod, p->ncods, k0, k, si))
            cli_nomem();
        for (size_t j = k0; j < k; j++) {
            bool seen = false;
            if (chained)
                seen = ch.first[cod[j].code] != j;
            for (size_t q = k0; !chained && q < j && !seen; q++)
                seen = cod[q].code == cod[j].code;
            if (seen)
                continue;
            fprintf(f, color ? "       \033[36m%s\033[0m:" : "       %s:",
                    code_id(cb, cod[j].code));
            for (size_t q = j; q < k && q != SIZE_MAX;) {
                if (cod[q].code == cod[j].code) {
                    fputs(" \xc2\xab", f);
                    put_flat(f, d->data + cod[q].start,
                             cod[q].end - cod[q].start);
                    fputs("\xc2\xbb", f);
                }
                q = chained ? ch.next[q] : q + 1;
            }
            putc('\n', f);
        }
    }
    free(ch.first);
    free(ch.last);
    free(ch.seg);
    free(ch.next);
}

/* ------------------------------------------------------------- the work */

static size_t take(tagrun *r, size_t total)
{
    pthread_mutex_lock(&r->lock);
    size_t i = r->next < total && r->next < r->cut ? r->next++ : SIZE_MAX;
    pthread_mutex_unlock(&r->lock);
    return i;
}

typedef struct worker {
    tagrun *r;
    size_t first, total, thread;
    void (*fn)(tagrun *, size_t, size_t);
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    size_t i;
    while ((i = take(w->r, w->total)) != SIZE_MAX)
        w->fn(w->r, w->first + i, w->thread);
    return NULL;
}

/* Runs fn(r, item, thread) for items first .. first + count - 1 on
 * r->threads threads (the calling one included). */
static void parallel(tagrun *r, size_t first, size_t count,
                     void (*fn)(tagrun *, size_t, size_t))
{
    size_t n = r->threads < count ? r->threads : count;
    pthread_t tid[64];
    worker w[64];
    r->next = 0;
    size_t started = 0;
    for (size_t t = 1; t < n && t < 64; t++) {
        w[t] = (worker){r, first, count, t, fn};
        if (grille__thread_create(&tid[t], work, &w[t]) != 0)
            break;
        started = t;
    }
    w[0] = (worker){r, first, count, 0, fn};
    work(&w[0]);
    for (size_t t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
}

/* Phase 3 on threads 1.., taking parts in order, never more than AHEAD
 * beyond the one the main thread writes next: a part being coded per
 * thread and one waiting, plus some slack for parts of unequal sizes.
 * What is rendered ahead stays in memory (2 MB parts of a large file
 * give about 7 MB of JSON each). */
#define AHEAD(r) (2 * (r)->threads + 12)
/* ...and while what they rendered and wait to write is below this, past
 * the one the main thread writes next: a codebook that codes most words
 * renders 35 MB for a part, and threads that only render (two_passes)
 * ran ahead of the writing of a pipe by 16 of them.  Small: each thread
 * renders into a buffer of 8 MB besides, and the pool keeps 16 MB */
#define AHEAD_BYTES (4u << 20)

/* Whether the part after those taken may be taken (under the lock). */
static bool may_take(const tagrun *r)
{
    return r->next < r->nparts && r->next < r->written + AHEAD(r) &&
           (r->next == r->written || r->ahead_bytes < AHEAD_BYTES);
}

/* The bytes a rendered part holds in memory until it is written. */
static size_t held(const tpart *p)
{
    return p->outlen + p->codslen;
}

static void *code_parts(void *arg)
{
    worker *w = arg;
    tagrun *r = w->r;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (r->next < r->nparts && !may_take(r))
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->next >= r->nparts)
            break;
        size_t i = r->next++;
        pthread_mutex_unlock(&r->lock);
        w->fn(r, i, w->thread);
        pthread_mutex_lock(&r->lock);
        r->parts[i].done = true;
        r->ahead_bytes += held(&r->parts[i]);
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Codes all the parts of the batch with code(), and hands each in order, on the main thread, as soon as it and those before
 * it are coded, with put().  The main thread codes too when it has
 * nothing to write, so that no core waits for another. */
static void pipeline(tagrun *r, void (*code)(tagrun *, size_t, size_t),
                     void (*put)(tagrun *, size_t, void *), void *ctx)
{
    size_t n = r->threads < r->nparts ? r->threads : r->nparts;
    pthread_t tid[64];
    worker w[64];
    r->next = r->written = 0;
    r->ahead_bytes = 0;
    size_t started = 0;
    for (size_t t = 1; t < n && t < 64; t++) {
        w[t] = (worker){r, 0, r->nparts, t, code};
        if (grille__thread_create(&tid[t], code_parts, &w[t]) != 0)
            break;
        started = t;
    }
    pthread_mutex_lock(&r->lock);
    while (r->written < r->nparts) {
        if (r->parts[r->written].done) {
            size_t k = r->written, bytes = held(&r->parts[k]);
            pthread_mutex_unlock(&r->lock);
            put(r, k, ctx);
            pthread_mutex_lock(&r->lock);
            r->written++;
            r->ahead_bytes -= bytes;
            pthread_cond_broadcast(&r->cond);
        } else if (may_take(r)) {
            size_t i = r->next++;
            pthread_mutex_unlock(&r->lock);
            code(r, i, 0);
            pthread_mutex_lock(&r->lock);
            r->parts[i].done = true;
            r->ahead_bytes += held(&r->parts[i]);
        } else {
            pthread_cond_wait(&r->cond, &r->lock);
        }
    }
    pthread_mutex_unlock(&r->lock);
    for (size_t t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
}

/* Phase 1: read, decode and parse the front matter of a document. */
/* Appends a message to *buf (*len bytes; NULL while there is none): most
 * documents have none, and a memory stream each cost 3% of tag. */
static void add_msg(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_msg(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *p = realloc(*buf, *len + (size_t)n + 1);
    if (!p)
        cli_nomem();
    va_start(ap, fmt);
    vsnprintf(p + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *buf = p;
    *len += (size_t)n;
}

/* Whether s[0, n) is only spaces and line ends, as the project sees
 * them (grille__is_space: the no-break spaces, the ideographic one, a
 * stray BOM...): a note with nothing to code. */
static bool blank(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t k = 0;
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            k = 1;
        else if (c == 0xC2 && i + 1 < n && (u[i + 1] == 0xA0 || u[i + 1] == 0x85))
            k = 2;
        else if (i + 2 < n &&
                 ((c == 0xE2 && u[i + 1] == 0x80 &&
                   (u[i + 2] <= 0x8B || u[i + 2] == 0xAF)) ||
                  (c == 0xE2 && u[i + 1] == 0x81 && u[i + 2] == 0x9F) ||
                  (c == 0xE1 && u[i + 1] == 0x9A && u[i + 2] == 0x80) ||
                  (c == 0xE3 && u[i + 1] == 0x80 && u[i + 2] == 0x80) ||
                  (c == 0xEF && u[i + 1] == 0xBB && u[i + 2] == 0xBF)))
            k = 3;
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static void read_doc(tagrun *r, size_t i, size_t thread)
{
    (void)thread;
    tdoc *d = &r->docs[i];
    grille_error err = {0};
    /* The batch's bounds, from the files' sizes: no more documents once
     * BATCH_BYTES of them are taken, and a document to cut in parts in a
     * batch of its own (two_passes).  Looked at here, by every thread: a
     * stat of each path by the main thread before the batch was time no
     * other thread could share. */
    struct stat st;
    /* a stat, not an open: a pipe opened and not taken would lose what
     * its writer wrote (and a second open of it would wait forever) */
    bool known = strcmp(d->path, "-") != 0 && stat(d->path, &st) == 0;
    /* standard input, a pipe or a device: a size not known before it is
     * read, taken as large (a batch of its own, and never read by a
     * thread past a cut: it could not be read again) */
    size_t size = strcmp(d->path, "-") == 0 || (known && !S_ISREG(st.st_mode))
                      ? PART_BYTES + 1
                  : known ? (size_t)st.st_size
                          : 0;
    pthread_mutex_lock(&r->lock);
    bool take = i < r->cut;
    if (take && i > 0 && (size > PART_BYTES || r->reserved >= BATCH_BYTES)) {
        r->cut = i;
        take = false;
    } else if (take) {
        r->reserved += size;
        if (size > PART_BYTES)
            r->cut = 1;
    }
    pthread_mutex_unlock(&r->lock);
    if (!take)
        return;
    /* the file's size seen: not looked at again (a system call per
     * note) */
    uint64_t seen = known && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    if (grille_text_read_file_sized(&d->text, d->path, (int)r->threads, seen,
                                    &err) < 0) {
        add_msg(&d->msgs, &d->msglen, "grille: %s\n", err.message);
        d->failed = true;
        return;
    }
    d->data = grille_text_data(d->text, &d->len);
    grille_encoding enc = grille_text_encoding(d->text);
    if (enc != GRILLE_ENC_UTF8 && enc != GRILLE_ENC_UTF8_BOM)
        add_msg(&d->msgs, &d->msglen,
                _("grille: warning: %s: converted from %s to UTF-8\n"),
                d->name, grille_encoding_name(enc));
    char msg[1400];
    if (grille_attrs_parse(&d->attrs, &d->body, d->data, d->len, d->name,
                           &err) < 0) {
        add_msg(&d->msgs, &d->msglen, "grille: %s\n", err.message);
        d->failed = true;
    } else if (!d->body && cli_front_matter_aside(d->data, d->len, d->name,
                                                  msg, sizeof(msg))) {
        add_msg(&d->msgs, &d->msglen, "%s%s\n", _("grille: warning: "), msg);
    }
    /* nothing but spaces to code: add refuses such a note, said here */
    if (!d->failed && blank(d->data + d->body, d->len - d->body))
        add_msg(&d->msgs, &d->msglen,
                _("grille: warning: %s: no text to code (%s); 'grille add' "
                  "refuses it\n"),
                d->name,
                !d->len    ? _("empty file")
                : d->body ? _("only white space after the front matter")
                           : _("only white space"));
}

/* Rendering buffers kept for the next parts: enough for the parts in
 * flight, and at most POOL_BYTES of them (a 2 MB part of a large file
 * renders 7 MB of JSON). */
#define POOL(r) (2 * AHEAD(r) + 4)
#define POOL_BYTES (16u << 20)

/* An empty rendering buffer, from the pool when it has one, else one of
 * `hint` bytes (growing one from nothing cost a copy at each doubling). */
static obuf take_buf(tagrun *r, size_t hint)
{
    obuf b = {0};
    pthread_mutex_lock(&r->lock);
    if (r->npool) {
        b = r->pool[--r->npool];
        r->pool_bytes -= b.cap;
    }
    pthread_mutex_unlock(&r->lock);
    if (!b.p && hint && (b.p = malloc(hint)))
        b.cap = hint;
    b.len = 0;
    return b;
}

/* A buffer done with: into the pool, or freed when the pool is full. */
static void give_buf(tagrun *r, char *p, size_t cap)
{
    if (!p)
        return;
    pthread_mutex_lock(&r->lock);
    /* (a memory stream's buffer, of the text format, has no capacity
     * known: not kept) */
    if (r->pool && cap && r->npool < POOL(r) &&
        r->pool_bytes + cap <= POOL_BYTES) {
        r->pool[r->npool++] = (obuf){p, 0, cap, NULL};
        r->pool_bytes += cap;
        p = NULL;
    }
    pthread_mutex_unlock(&r->lock);
    free(p);
}

/* Whether standard output may be written by wout: JSON or CSV, to
 * another file than standard error's (or none: closed, it shows
 * nothing), stdout itself open. */
static bool wout_can(const tag_opts *o)
{
    struct stat so, se;
    if (o->format != FMT_JSON && o->format != FMT_CSV)
        return false;
    if (fstat(STDOUT_FILENO, &so) != 0)
        return false;
    return fstat(STDERR_FILENO, &se) != 0 || so.st_dev != se.st_dev ||
           so.st_ino != se.st_ino;
}

static void wout_release(tagrun *r, wpiece *w)
{
    if (w->cap)
        give_buf(r, w->own, w->cap);
    else
        free(w->own);
}

/* Writes the pieces that wait, after what stdio holds: all of them, or
 * as stdio writes its buffer of WOUT_CHUNK bytes, the most whole chunks
 * (a pipe takes 64 KiB at a time: a write of another size made its
 * reader and writer wait on each other, a fifth of the time of tag).
 * A write that fails leaves the rest to stdio, which tries again and
 * keeps the error for out_close to tell; stdio has standard output from
 * then on. */
static void wout_flush(tagrun *r, bool all)
{
    wout *w = &r->wo;
    size_t want = all ? w->bytes : w->bytes / WOUT_CHUNK * WOUT_CHUNK;
    size_t k = 0, skip = 0; /* the first piece not written, and its bytes
                               written */
    bool ok = !want || fflush(stdout) == 0;
    while (ok && want) {
        struct iovec iov[WOUT_IOV];
        int c = 0;
        for (size_t j = k, room = want; j < w->n && c < WOUT_IOV && room;
             j++, c++) {
            size_t from = j == k ? skip : 0;
            iov[c].iov_base = (void *)(w->v[j].p + from);
            iov[c].iov_len = w->v[j].len - from < room ? w->v[j].len - from
                                                         : room;
            room -= iov[c].iov_len;
        }
        ssize_t n = writev(STDOUT_FILENO, iov, c);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        size_t done = (size_t)n;
        want -= done;
        w->bytes -= done;
        while (done && done >= w->v[k].len - skip) {
            done -= w->v[k].len - skip;
            skip = 0;
            k++;
        }
        skip += done;
    }
    if (!ok) { /* to stdio, and stdio from now on */
        for (size_t j = k; j < w->n; j++)
            put_buf(stdout, w->v[j].p + (j == k ? skip : 0),
                    w->v[j].len - (j == k ? skip : 0));
        k = w->n;
        skip = 0;
        w->bytes = 0;
        w->on = false;
    }
    for (size_t j = 0; j < k; j++)
        wout_release(r, &w->v[j]);
    w->n -= k;
    if (w->n) { /* what waits still, the first in part written */
        memmove(w->v, w->v + k, w->n * sizeof(*w->v));
        w->v[0].p += skip;
        w->v[0].len -= skip;
    }
}

/* Standard output gets p[0..len): waits in r->wo when it is on, with
 * `own` (capacity cap, or 0 for a copy) freed once written; else through
 * stdio, `own` freed at once. */
static void wout_put(tagrun *r, const char *p, size_t len, char *own,
                     size_t cap)
{
    wout *w = &r->wo;
    wpiece piece = {p, len, own, cap};
    if (!w->on || !len) {
        put_buf(stdout, p, len);
        wout_release(r, &piece);
        return;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        if (!(w->v = realloc(w->v, w->cap * sizeof(*w->v))))
            cli_nomem();
    }
    w->v[w->n++] = piece;
    w->bytes += len;
    if (w->bytes > WOUT_CHUNK) /* as stdio: a full buffer waits */
        wout_flush(r, false);
}

/* The same for bytes that do not stay (a head rendered in r->head): a
 * copy waits. */
static void wout_copy(tagrun *r, const char *p, size_t len)
{
    char *c = NULL;
    if (r->wo.on && len) {
        if (!(c = malloc(len)))
            cli_nomem();
        memcpy(c, p, len);
        p = c;
    }
    wout_put(r, p, len, c, 0);
}

/* Codes part i on the thread's analyser, and counts what it found;
 * false, with the error in the part's messages, when that failed. */
static bool analyse_part(tagrun *r, tpart *p, size_t thread,
                         const grille_segment **segs,
                         const grille_coding **cod)
{
    grille_analyser *a = r->an[thread];
    tdoc *d = &r->docs[p->doc];
    grille_error err = {0};
    if (grille_analyser_run_text(a, d->text, p->start, p->end, p->line,
                                 r->o->unit, r->cb, d->name, &err) < 0) {
        add_msg(&p->msgs, &p->msglen, "grille: %s\n", err.message);
        p->failed = true;
        return false;
    }
    p->nsegs = grille_analyser_segments(a, segs);
    p->ncods = grille_analyser_codings(a, cod);
    p->words = grille_analyser_words(a);
    for (size_t k = 0; k < p->ncods; k++)
        if (k == 0 || (*cod)[k].segment != (*cod)[k - 1].segment)
            p->coded++;
    size_t w = r->ncodes + 1;
    p->segs_count = r->counts + (size_t)(p - r->parts) * 2 * w;
    p->hits_count = p->segs_count + w;
    memset(p->segs_count, 0, 2 * w * sizeof(size_t));
    summarise(r->parent, *cod, p->ncods, r->ncodes, p->segs_count,
              p->hits_count, r->last + thread * w);
    return true;
}

/* Phase 3: code a part and render it. */
static void code_part(tagrun *r, size_t i, size_t thread)
{
    tpart *p = &r->parts[i];
    tdoc *d = &r->docs[p->doc];
    const tag_opts *o = r->o;
    const grille_segment *segs;
    const grille_coding *cod;
    if (!analyse_part(r, p, thread, &segs, &cod))
        return;
    /* A part that could not be cut (one paragraph of megabytes) is
     * rendered to temporary files rather than memory. */
    bool big = p->end - p->start > PART_BYTES;
    if (o->format == FMT_TEXT) {
        FILE *f = big ? (p->out_spool = cli_spool_file(4 * (p->end - p->start)))
                      : open_memstream(&p->out, &p->outlen);
        if (!f)
            cli_die(big ? _("cannot make a temporary file")
                        : _("out of memory"),
                    big ? errno : 0);
        text_segments(f, d, p, r->cb, segs, cod, o->color);
        if (!big)
            fclose(f);
        return;
    }
    /* JSON is about 3.6 times the text it holds */
    size_t bytes = p->end - p->start;
    obuf out = take_buf(r, big ? 0 : 4 * bytes + 1024),
         cods = take_buf(r, big ? 0 : bytes / 2 + 256);
    if (big && !(out.spill = p->out_spool = cli_spool_file(4 * (p->end - p->start))))
        cli_die(_("cannot make a temporary file"), errno);
    if (o->format == FMT_JSON) {
        json_segments(&out, r, d, p, segs, cod, o->coded_only);
        if (big && !(cods.spill = p->cods_spool = cli_spool_file(p->end - p->start)))
            cli_die(_("cannot make a temporary file"), errno);
        json_codings(&cods, r, d, p, cod);
    } else {
        csv_codings(&out, r, d, p, segs, cod);
    }
    if (big) {
        ob_flush(&out);
        ob_flush(&cods);
        give_buf(r, out.p, out.cap);
        give_buf(r, cods.p, cods.cap);
    } else {
        p->out = out.p;
        p->outlen = out.len;
        p->outcap = out.cap;
        p->cods = cods.p;
        p->codslen = cods.len;
        p->codscap = cods.cap;
    }
}

/* Phase 2: cut the documents into parts: a large one, at blank lines,
 * when it is alone in its batch (two_passes; read_doc gives a batch of
 * its own to a file whose size is past PART_BYTES, and to standard
 * input).  A document that is larger than its file said (decoded from
 * Windows-1252, or grown since) and shares a batch is one part. */
static void cut(tagrun *r)
{
    size_t cap = r->ndocs * 2 + 8, n = 0;
    r->split = false;
    r->parts = calloc(cap, sizeof(tpart));
    if (!r->parts)
        cli_nomem();
    for (size_t i = 0; i < r->ndocs; i++) {
        tdoc *d = &r->docs[i];
        d->first_part = n;
        if (d->failed)
            continue;
        size_t size = d->len - d->body;
        size_t want = size > PART_BYTES && r->ndocs == 1
                          ? (size + PART_BYTES - 1) / PART_BYTES
                          : 1;
        size_t start = d->body;
        unsigned line = 1 + grille_text_count_lines(d->data, 0, d->body);
        for (size_t k = 0; k < want; k++) {
            size_t end = d->len;
            if (k + 1 < want) {
                /* the first blank line after the target: "\n" then only
                 * spaces up to the next "\n" */
                size_t target = d->body + size / want * (k + 1);
                end = d->len;
                for (size_t q = target > start ? target : start;
                     q + 1 < d->len; q++) {
                    if (d->data[q] != '\n')
                        continue;
                    size_t e = q + 1;
                    while (e < d->len && (d->data[e] == ' ' ||
                                          d->data[e] == '\t' ||
                                          d->data[e] == '\r'))
                        e++;
                    if (e < d->len && d->data[e] == '\n') {
                        end = e + 1;
                        break;
                    }
                }
            }
            if (n == cap) {
                cap *= 2;
                tpart *v = realloc(r->parts, cap * sizeof(tpart));
                if (!v)
                    cli_nomem();
                r->parts = v;
            }
            memset(&r->parts[n], 0, sizeof(tpart));
            r->parts[n].doc = i;
            r->parts[n].start = start;
            r->parts[n].end = end;
            r->parts[n].line = line;
            n++;
            if (end >= d->len)
                break;
            line = 0; /* counted by two_passes, on every thread */
            start = end;
        }
        d->nparts = n - d->first_part;
        if (d->nparts > 1)
            r->split = true;
    }
    r->nparts = n;
    if (n * 2 * (r->ncodes + 1) > r->counts_cap) {
        free(r->counts);
        r->counts_cap = n * 2 * (r->ncodes + 1);
        if (!(r->counts = malloc(r->counts_cap * sizeof(size_t))))
            cli_nomem();
    }
}

static void copy_spool(FILE *to, FILE *spool)
{
    char buf[1 << 16];
    size_t n;
    if (!spool)
        return;
    fflush(spool);
    /* in the kernel when it can (a large document's output is several
     * times its size, and this copy is the one step no other thread can
     * share), else through a buffer */
    off_t size = ftello(spool), off = 0;
    if (size > 0 && fflush(to) == 0) {
        while (off < size) {
            ssize_t w = sendfile(fileno(to), fileno(spool), &off,
                                 (size_t)(size - off));
            if (w <= 0)
                break;
        }
    }
    if (fseeko(spool, off, SEEK_SET) != 0)
        return;
    while ((n = fread(buf, 1, sizeof(buf), spool)) > 0)
        fwrite(buf, 1, n, to);
}

/* Adds the counts per code of a part to its document's. */
static void add_counts(tagrun *r, tdoc *d, const tpart *p)
{
    if (!d->segs_count) {
        d->segs_count = calloc(r->ncodes + 1, sizeof(size_t));
        d->hits_count = calloc(r->ncodes + 1, sizeof(size_t));
        if (!d->segs_count || !d->hits_count)
            cli_nomem();
    }
    for (size_t c = 0; c < r->ncodes; c++) {
        d->segs_count[c] += p->segs_count[c];
        d->hits_count[c] += p->hits_count[c];
    }
}

/* Phase 4a: takes what its part brought into its document (a document
 * of the pipeline is one part). */
static void drain(tagrun *r, tpart *p)
{
    tdoc *d = &r->docs[p->doc];
    d->parts_done++;
    d->nsegs += p->nsegs;
    d->words += p->words;
    d->coded += p->coded;
    if (p->failed)
        d->part_failed = true;
}

/* Writes a piece of a document's body: its part's buffer, or its
 * temporary file for a part too large to be rendered in memory.  The
 * buffer goes to r->wo, which gives it back once written. */
static void body(tagrun *r, tpart *p, bool cods)
{
    FILE *spool = cods ? p->cods_spool : p->out_spool;
    if (spool) {
        wout_flush(r, true); /* as copy_spool flushes stdio */
        copy_spool(stdout, spool);
    } else if (cods) {
        wout_put(r, p->cods, p->codslen, p->cods, p->codscap);
        p->cods = NULL;
    } else {
        wout_put(r, p->out, p->outlen, p->out, p->outcap);
        p->out = NULL;
    }
}

/* Appends s[0..n) as a JSON string when it is as a project stores it
 * (add, list, the reports: "Rôle" is role, " commune" commune), and
 * returns true; false, with nothing appended, when it must be cleaned
 * first.  Most are so already: no space at their ends, a key in small
 * ASCII letters, a value of printable ASCII and letters of U+00C0..U+00FF
 * (Félix, Rhône), which have nothing to trim, compose or replace.  Such a
 * text is valid UTF-8 and holds nothing JSON escapes but '"' and '\\':
 * checked and written in one pass, it is what ob_json_text writes, at a
 * fraction of the cost (fourteen of them in every document). */
static bool json_plain_part(obuf *h, const char *s, size_t n, bool key)
{
    if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
        return false;
    if (h->cap - h->len < 2 * n + 2)
        ob_grow(h, 2 * n + 2);
    char *o = h->p + h->len;
    *o++ = '"';
    if (key) {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.'))
                return false;
            *o++ = (char)c;
        }
        /* "enquetrice", "interviewer": stored as enqueteur (the
         * interviewer's other names, of ten letters or more) */
        if (n >= 10 && (s[0] == 'e' || s[0] == 'i'))
            return false;
    } else {
        const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
        for (size_t i = 0; i < n; i++) {
            /* eight bytes of printable ASCII but '"' and '\\' at a time
             * (the tests of bytes below 0x20 and of equal bytes hold for
             * bytes below 0x80; 0x7F + 1 is the one to reach 0x80) */
            for (uint64_t w; i + 8 <= n; i += 8, o += 8) {
                memcpy(&w, s + i, 8);
                uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
                if ((w & high) ||
                    (((w - ones * 0x20) | (q - ones) | (b - ones)) & high) ||
                    ((w + ones) & high))
                    break;
                memcpy(o, &w, 8);
            }
            if (i >= n)
                break;
            unsigned char c = (unsigned char)s[i];
            if ((unsigned char)(c - 0x20) < 0x5F) { /* printable ASCII */
                if (c == '"' || c == '\\')
                    *o++ = '\\';
            } else if (c == 0xC3 && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
                *o++ = (char)c; /* s[n] is its NUL: not a continuation */
                c = (unsigned char)s[++i];
            } else {
                return false;
            }
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    h->len = (size_t)(o - h->p);
    return true;
}

/* Appends an attribute's key or value as a project stores it, with
 * `clean` (grille_attr_key or grille_attr_value) when it is not so
 * already (json_plain_part). */
static void json_attr_part(obuf *h, const char *s, bool key,
                           char *(*clean)(const char *))
{
    if (json_plain_part(h, s, strlen(s), key))
        return;
    char *c = clean(s);
    const char *v = c ? c : s;
    ob_json_text(h, v, strlen(v));
    free(c);
}

/* A document's JSON object up to its "segments" array, and from the end
 * of its "codings" array: rendered in memory, each written with one call.
 * The summary counts segments and hits per code (nc codes). */
static void put_json_head(tagrun *r, const tdoc *d)
{
    obuf *h = &r->head;
    h->len = 0;
    ob_lit(h, "{\"document\": {\"name\": ");
    ob_json_text(h, d->name, strlen(d->name));
    ob_lit(h, ", \"bytes\": ");
    ob_size(h, d->len);
    ob_lit(h, ", \"words\": ");
    ob_size(h, d->words);
    ob_lit(h, ", \"attributes\": {");
    for (size_t k = 0; k < grille_attrs_count(d->attrs); k++) {
        const grille_attr *a = grille_attrs_get(d->attrs, k);
        if (k)
            ob_lit(h, ", ");
        json_attr_part(h, a->key, true, grille_attr_key);
        ob_lit(h, ": ");
        json_attr_part(h, a->value, false, grille_attr_value);
    }
    ob_putc(h, '}');
    ob_put(h, r->cb_js.p, r->cb_js.len);
    wout_copy(r, h->p, h->len);
}

static void put_json_summary(tagrun *r, const size_t *segs,
                             const size_t *hits, size_t nc)
{
    obuf *h = &r->head;
    h->len = 0;
    ob_lit(h, "], \"summary\": {");
    bool first = true;
    for (size_t c = 0; c < nc; c++) {
        if (!hits[c])
            continue;
        /* one reserve per code: its name padded, literals, two numbers */
        const obuf *code = &r->code_js[c];
        char *o = ob_reserve(h, code->len + OB_PADDING + 32 + 2 * OB_WSIZE);
        if (!first)
            o = ob_wlit(o, ", ");
        first = false;
        o = ob_wpadded(o, code->p, code->len);
        o = ob_wlit(o, ": {\"segments\": ");
        o = ob_wsize(o, segs[c]);
        o = ob_wlit(o, ", \"hits\": ");
        o = ob_wsize(o, hits[c]);
        *o++ = '}';
        ob_commit(h, o);
    }
    ob_lit(h, "}}\n");
    wout_copy(r, h->p, h->len);
}

/* The same for the text format: a document's title line, and its table
 * of themes. */
static void put_text_head(tagrun *r, const tdoc *d)
{
    FILE *f = stdout;
    fputs(r->o->color ? "\033[1m== " : "== ", f);
    put_safe_line(f, d->name); /* a name with a line end: one line */
    if (r->o->color)
        fputs("\033[0m", f);
    fprintf(f, " (%zu %s, %zu %s, %zu %s)\n", d->nsegs,
            d->nsegs == 1 ? _("segment") : _("segments"), d->words,
            d->words == 1 ? _("word") : _("words"), d->coded, _("coded"));
}

static void put_text_summary(tagrun *r, const size_t *segs,
                             const size_t *hits, size_t nc)
{
    FILE *f = stdout;
    fprintf(f, _("\n%-34s %8s %6s\n"), _("theme"), _("segments"), _("hits"));
    for (size_t c = 0; c < nc; c++) {
        if (!hits[c])
            continue;
        grille_code_info info;
        grille_codebook_code(r->cb, c, &info);
        int pad = 2 * (int)info.depth;
        const char *shown = info.id;
        const char *slash = strrchr(info.id, '/');
        if (slash)
            shown = slash + 1;
        int w = 34 - pad - (int)text_width(shown, strlen(shown));
        fprintf(f, "%*s", pad, "");
        put_safe_str(f, shown);
        fprintf(f, "%*s %8zu %6zu\n", w > 0 ? w : 0, "", segs[c], hits[c]);
    }
    fputs("\n", f);
}

/* Phase 4b: writes a document once all its parts are in; returns false
 * when it failed. */
static bool finish(tagrun *r, size_t i)
{
    tdoc *d = &r->docs[i];
    const tag_opts *o = r->o;
    put_safe(stderr, d->msgs, d->msglen);
    if (d->failed)
        return false;
    /* a document that was read is one part here (documents in parts are
     * two_passes') */
    tpart *p = &r->parts[d->first_part];
    put_safe(stderr, p->msgs, p->msglen);
    if (d->part_failed)
        return false;
    if (o->format == FMT_JSON) {
        static const char mid[] = "], \"codings\": [";
        put_json_head(r, d);
        body(r, p, false);
        wout_put(r, mid, sizeof(mid) - 1, NULL, 0);
        body(r, p, true);
        put_json_summary(r, p->segs_count, p->hits_count, r->ncodes);
    } else if (o->format == FMT_CSV) {
        body(r, p, false);
    } else {
        put_text_head(r, d);
        body(r, p, false);
        put_text_summary(r, p->segs_count, p->hits_count, r->ncodes);
    }
    /* written, or waiting in r->wo: its buffers go back for the next
     * parts */
    give_buf(r, p->out, p->outcap);
    give_buf(r, p->cods, p->codscap);
    p->out = p->cods = NULL;
    p->outlen = p->codslen = 0;
    return true;
}

/* Phase 4: the documents before a part's (they had no part: they
 * failed), then the part, then its document once all its parts are in. */
typedef struct writing {
    size_t next_doc;
    int status;
} writing;

static void write_part(tagrun *r, size_t k, void *ctx)
{
    writing *w = ctx;
    tpart *p = &r->parts[k];
    for (; w->next_doc < p->doc; w->next_doc++)
        if (!finish(r, w->next_doc))
            w->status = EXIT_RUNTIME;
    drain(r, p);
    tdoc *d = &r->docs[p->doc];
    if (d->parts_done == d->nparts) {
        if (!finish(r, p->doc))
            w->status = EXIT_RUNTIME;
        w->next_doc = p->doc + 1;
    }
}

/* ------------------------------------ a large document, in two passes */

/*
 * A document cut in parts has its counts in its header (JSON, text),
 * known once every part is coded, and its segments before its codings
 * (JSON): its parts were rendered as they came and spooled (3.6 times
 * the text, in memory or in /tmp), then copied out.  The pages of that
 * spool, cleared, filled, copied and freed, were a third of the time of a
 * 100 MB file, and the whole of its serial end with -j.  A document is
 * cut in parts only when it is alone in its batch, and coded in two
 * passes: the first codes every part and keeps its codings, 24 bytes
 * each; the header written, the second renders the parts, segments then
 * codings, and writes each in turn.  The segments are found again (a
 * tenth of the coding's time, as the pass that counted them before did);
 * the words are not read again.
 */
#define KEPT_MIN (16u << 20) /* codings kept in memory whatever the size */

typedef struct kept {
    uint32_t segment, code, rule, len; /* a segment is at most 64 KiB */
    size_t start;
} kept;

/* Phase 2b: the line ends of a part, for the line of the next. */
static void lines_part(tagrun *r, size_t i, size_t thread)
{
    (void)thread;
    tpart *p = &r->parts[i];
    p->nlines = grille_text_count_lines(r->docs[p->doc].data, p->start,
                                        p->end);
}

/* The first pass: codes part i and keeps its codings and counts. */
static void keep_part(tagrun *r, size_t i, size_t thread)
{
    tpart *p = &r->parts[i];
    const grille_segment *segs;
    const grille_coding *cod;
    if (!analyse_part(r, p, thread, &segs, &cod))
        return;
    size_t bytes = p->ncods * sizeof(kept);
    p->kept = malloc(bytes + 1);
    if (!p->kept)
        cli_nomem();
    for (size_t k = 0; k < p->ncods; k++)
        p->kept[k] = (kept){(uint32_t)cod[k].segment, (uint32_t)cod[k].code,
                            (uint32_t)cod[k].rule,
                            (uint32_t)(cod[k].end - cod[k].start),
                            cod[k].start};
    /* a codebook that codes most words keeps more bytes than the text
     * has: past the budget, the codings wait in one file for the run
     * (where it cannot be made or written, they stay in memory) */
    if (!bytes)
        return;
    pthread_mutex_lock(&r->lock);
    bool fits = r->kept_bytes + bytes <= r->kept_budget;
    if (fits)
        r->kept_bytes += bytes;
    else if (!r->kept_file)
        r->kept_file = cli_spool_file(4 * r->docs[p->doc].len);
    off_t at = r->kept_end;
    if (!fits && r->kept_file)
        r->kept_end += (off_t)bytes;
    pthread_mutex_unlock(&r->lock);
    if (fits || !r->kept_file)
        return;
    for (size_t put = 0; put < bytes;) {
        ssize_t n = pwrite(fileno(r->kept_file), (char *)p->kept + put,
                           bytes - put, at + (off_t)put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the file is full: they stay in memory */
        put += (size_t)n;
    }
    free(p->kept);
    p->kept = NULL;
    p->kept_at = at;
}

/* The codings part i kept, read back from the run's file when they wait
 * there (*owned: to be freed). */
static const kept *kept_of(tagrun *r, tpart *p, bool *owned)
{
    *owned = false;
    if (p->kept || !p->ncods)
        return p->kept;
    size_t bytes = p->ncods * sizeof(kept), got = 0;
    kept *k = malloc(bytes + 1);
    if (!k)
        cli_nomem();
    while (got < bytes) {
        ssize_t n = pread(fileno(r->kept_file), (char *)k + got, bytes - got,
                          p->kept_at + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) /* what was written there is gone */
            cli_die(_("cannot read back a temporary file"),
                    n < 0 ? errno : EIO);
        got += (size_t)n;
    }
    *owned = true;
    return k;
}

/* The second pass: renders part i's segments (JSON, CSV or text), or
 * with `cods` its codings (JSON), from the codings the first pass kept. */
static void render_kept(tagrun *r, size_t i, size_t thread, bool cods)
{
    tpart *p = &r->parts[i];
    tdoc *d = &r->docs[p->doc];
    grille_coding *cod = malloc(p->ncods * sizeof(*cod) + 1);
    bool owned;
    const kept *kc = kept_of(r, p, &owned);
    if (!cod)
        cli_nomem();
    for (size_t k = 0; k < p->ncods; k++)
        cod[k] = (grille_coding){kc[k].segment, kc[k].code, kc[k].rule,
                                 kc[k].start, kc[k].start + kc[k].len};
    if (owned)
        free((void *)kc);
    size_t bytes = p->end - p->start;
    bool big = bytes > PART_BYTES; /* a part that could not be cut */
    const grille_segment *segs = NULL;
    /* the segments the first pass found: the same text, line and unit give
     * the same ones */
    if (!cods) {
        int rc = grille_analyser_segment_range(r->an[thread], d->data,
                                               p->start, p->end, p->line,
                                               r->o->unit, NULL);
        if (rc == GRILLE_ENOMEM)
            cli_nomem();
        if (rc < 0 || grille_analyser_segments(r->an[thread], &segs) !=
                          p->nsegs)
            cli_die(_("internal error: a part of a large file did not cut "
                      "into the segments it had a moment before"),
                    0);
    }
    if (r->o->format == FMT_TEXT) {
        FILE *f = big ? (p->out_spool = cli_spool_file(4 * bytes))
                      : open_memstream(&p->out, &p->outlen);
        if (!f)
            cli_die(big ? _("cannot make a temporary file")
                        : _("out of memory"),
                    big ? errno : 0);
        text_segments(f, d, p, r->cb, segs, cod, r->o->color);
        if (!big)
            fclose(f);
        free(cod);
        return;
    }
    obuf out = take_buf(r, big ? 0 : cods ? bytes / 2 + 256 : 4 * bytes + 1024);
    if (big && !(out.spill = p->out_spool = cli_spool_file(4 * bytes)))
        cli_die(_("cannot make a temporary file"), errno);
    if (cods)
        json_codings(&out, r, d, p, cod);
    else if (r->o->format == FMT_JSON)
        json_segments(&out, r, d, p, segs, cod, r->o->coded_only);
    else
        csv_codings(&out, r, d, p, segs, cod);
    free(cod);
    if (big) {
        ob_flush(&out);
        give_buf(r, out.p, out.cap);
    } else {
        p->out = out.p;
        p->outlen = out.len;
        p->outcap = out.cap;
    }
}

static void render_segments(tagrun *r, size_t i, size_t thread)
{
    render_kept(r, i, thread, false);
}

static void render_codings(tagrun *r, size_t i, size_t thread)
{
    render_kept(r, i, thread, true);
}

/* Writes a rendered part, after ", " when a part before it wrote
 * something into the same JSON array (*any). */
static void write_kept(tagrun *r, size_t k, void *any)
{
    tpart *p = &r->parts[k];
    bool *wrote = any;
    bool has = p->out_spool ? ftello(p->out_spool) > 0 : p->outlen > 0;
    if (has && r->o->format == FMT_JSON && *wrote)
        fputs(", ", stdout);
    if (p->out_spool) {
        copy_spool(stdout, p->out_spool);
        fclose(p->out_spool);
        p->out_spool = NULL;
    } else {
        put_buf(stdout, p->out, p->outlen);
    }
    *wrote = *wrote || has;
    give_buf(r, p->out, p->outcap);
    p->out = NULL;
    p->outlen = p->outcap = 0;
}

/* Renders every part with fn and writes them in order. */
static void render_all(tagrun *r, void (*fn)(tagrun *, size_t, size_t))
{
    bool wrote = false;
    for (size_t k = 0; k < r->nparts; k++)
        r->parts[k].done = false;
    pipeline(r, fn, write_kept, &wrote);
}

/* The batch of one document cut in parts: both passes; false when it
 * failed. */
static bool two_passes(tagrun *r)
{
    tdoc *d = &r->docs[0];
    tpart *parts = &r->parts[d->first_part];
    /* peak memory: the text, half its size of codings, what is rendered */
    r->kept_bytes = 0;
    r->kept_budget = d->len / 2 > KEPT_MIN ? d->len / 2 : KEPT_MIN;
    parallel(r, d->first_part, d->nparts, lines_part);
    for (size_t k = 1; k < d->nparts; k++)
        parts[k].line = parts[k - 1].line + parts[k - 1].nlines;
    parallel(r, d->first_part, d->nparts, keep_part);
    put_safe(stderr, d->msgs, d->msglen);
    bool failed = false;
    for (size_t k = 0; k < d->nparts; k++) {
        tpart *p = &parts[k];
        put_safe(stderr, p->msgs, p->msglen);
        failed = failed || p->failed;
        if (p->failed)
            continue;
        p->seg_base = d->nsegs;
        d->nsegs += p->nsegs;
        d->words += p->words;
        d->coded += p->coded;
        add_counts(r, d, p);
    }
    if (failed)
        return false;
    if (r->o->format == FMT_JSON) {
        put_json_head(r, d);
        render_all(r, render_segments);
        fputs("], \"codings\": [", stdout);
        render_all(r, render_codings);
        put_json_summary(r, d->segs_count, d->hits_count, r->ncodes);
    } else if (r->o->format == FMT_CSV) {
        render_all(r, render_segments);
    } else {
        put_text_head(r, d);
        render_all(r, render_segments);
        put_text_summary(r, d->segs_count, d->hits_count, r->ncodes);
    }
    return true;
}

/* The codes' ids and the rules' texts as JSON strings or CSV cells, in
 * the format asked for (the text format uses neither: rendering both for
 * each of the bundled codebook's 942 rules was a tenth of tagging a 1 KB
 * note). */
static void render_names(tagrun *r)
{
    size_t nr = grille_codebook_rule_count(r->cb);
    const char *cbname = grille_codebook_name(r->cb);
    bool js = r->o->format == FMT_JSON, csv = r->o->format == FMT_CSV;
    ob_lit(&r->cb_js, "}, \"codebook\": {\"name\": ");
    ob_json_text(&r->cb_js, cbname, strlen(cbname));
    ob_lit(&r->cb_js, ", \"sha256\": \"");
    ob_cstr(&r->cb_js, grille_codebook_sha256(r->cb));
    ob_lit(&r->cb_js, "\"}, \"unit\": \"");
    ob_cstr(&r->cb_js, grille_unit_name(r->o->unit));
    ob_lit(&r->cb_js, "\", \"segments\": [");
    if (js) {
        r->code_js = calloc(r->ncodes + 1, sizeof(obuf));
        r->rule_js = calloc(nr + 1, sizeof(obuf));
        if (!r->code_js || !r->rule_js)
            cli_nomem();
    } else if (csv) {
        r->code_csv = calloc(r->ncodes + 1, sizeof(obuf));
        r->rule_csv = calloc(nr + 1, sizeof(obuf));
        if (!r->code_csv || !r->rule_csv)
            cli_nomem();
    }
    for (size_t c = 0; c < r->ncodes && (js || csv); c++) {
        const char *id = code_id(r->cb, c);
        if (js) {
            ob_json_str(&r->code_js[c], id, strlen(id));
            ob_grow(&r->code_js[c], OB_PADDING);
        } else {
            ob_csv_cell(&r->code_csv[c], id, strlen(id), true);
        }
    }
    for (size_t k = 0; k < nr && (js || csv); k++) {
        grille_rule_info info;
        grille_codebook_rule(r->cb, k, &info);
        if (js) {
            ob_json_str(&r->rule_js[k], info.text, strlen(info.text));
            ob_grow(&r->rule_js[k], OB_PADDING);
        } else {
            ob_csv_cell(&r->rule_csv[k], info.text, strlen(info.text), true);
        }
    }
}

static void free_names(tagrun *r)
{
    size_t nr = grille_codebook_rule_count(r->cb);
    for (size_t c = 0; c < r->ncodes; c++) {
        if (r->code_js)
            free(r->code_js[c].p);
        if (r->code_csv)
            free(r->code_csv[c].p);
    }
    for (size_t k = 0; k < nr; k++) {
        if (r->rule_js)
            free(r->rule_js[k].p);
        if (r->rule_csv)
            free(r->rule_csv[k].p);
    }
    free(r->code_js);
    free(r->code_csv);
    free(r->rule_js);
    free(r->rule_csv);
    free(r->cb_js.p);
    free(r->head.p);
}

static void free_batch(tagrun *r)
{
    for (size_t i = 0; i < r->ndocs; i++) {
        tdoc *d = &r->docs[i];
        grille_attrs_free(d->attrs);
        grille_text_free(d->text);
        free(d->msgs);
        free(d->segs_count);
        free(d->hits_count);
    }
    for (size_t k = 0; k < r->nparts; k++) {
        if (r->parts[k].out_spool)
            fclose(r->parts[k].out_spool);
        if (r->parts[k].cods_spool)
            fclose(r->parts[k].cods_spool);
        give_buf(r, r->parts[k].out, r->parts[k].outcap);
        give_buf(r, r->parts[k].cods, r->parts[k].codscap);
        free(r->parts[k].msgs);
        free(r->parts[k].kept);
    }
    free(r->parts);
    r->parts = NULL;
    r->nparts = 0;
    if (r->kept_file)
        fclose(r->kept_file);
    r->kept_file = NULL;
    r->kept_end = 0;
}

/* Whether argument `path` names a folder (a note's name is taken for a
 * file's without a look). */
static bool is_folder(const char *path)
{
    struct stat st;
    return strcmp(path, "-") != 0 && !cli_note_name(path) &&
           stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cmd_tag(int argc, char **argv)
{
    static const struct option opts[] = {
        {"codebook", required_argument, 0, 'c'},
        {"unit", required_argument, 0, 'u'},
        {"format", required_argument, 0, 'f'},
        {"coded-only", no_argument, 0, 'C'},
        {"color", required_argument, 0, 'K'},
        {"jobs", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    tag_opts o = {FMT_TEXT, GRILLE_UNIT_PARAGRAPH, false, false};
    const char *cbpath = NULL, *color = "auto";
    long jobs = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:u:f:j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cbpath = optarg; break;
        case 'u': {
            int u = grille_unit_parse(optarg);
            if (u < 0)
                return cli_usage("tag",
                                 _("unknown unit '%s' (paragraph or "
                                   "sentence)"),
                                 optarg);
            o.unit = (grille_unit)u;
            break;
        }
        case 'f':
            o.format = parse_format(optarg, 1u << FMT_TEXT | 1u << FMT_JSON |
                                                1u << FMT_CSV);
            if (o.format < 0)
                return cli_usage("tag",
                                 _("unknown format '%s' (text, json or csv)"),
                                 optarg);
            break;
        case 'C': o.coded_only = true; break;
        case 'K':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
                strcmp(optarg, "never"))
                return cli_usage("tag",
                                 _("--color takes auto, always or never, not "
                                   "'%s'"),
                                 optarg);
            color = optarg;
            break;
        case 'j':
            if (cli_jobs("tag", optarg, &jobs) != 0)
                return EXIT_USAGE;
            break;
        case 'h': fputs(_(help), stdout); return EXIT_OK;
        default: return cli_bad_option("tag");
        }
    }
    if (optind >= argc)
        return cli_usage("tag", "%s",
                         _("no file to tag (give FILE..., or - for stdin)"));
    /* standard input is read once: a second '-' would be an empty
     * document, said to be a note of no segment */
    for (int i = optind, seen = cbpath && strcmp(cbpath, "-") == 0;
         i < argc; i++)
        if (strcmp(argv[i], "-") == 0 && seen++)
            return cli_usage("tag", "%s",
                             _("'-' (standard input) given twice: it can "
                               "be read once (a file named '-': ./-)"));
    /* a folder: its .txt and .md files, as add takes them.  A name of a
     * note is taken for a file without a look (a stat of each of 18,000
     * notes named was 20 ms before the first was read) */
    cli_files walked = {0}, unread = {0};
    size_t skipped = 0;
    bool folders = false;
    int status = EXIT_OK;
    for (int i = optind; i < argc && !folders; i++)
        folders = is_folder(argv[i]);
    for (int i = optind; folders && i < argc; i++) {
        if (is_folder(argv[i])) {
            size_t before = walked.n, nunread = unread.n;
            /* the project of the folder (grille tag .) unsaid, as add */
            if (cli_walk(argv[i], cli_db_path(NULL), &walked, &unread,
                         &skipped) < 0)
                status = EXIT_RUNTIME;
            else if (walked.n == before && unread.n == nunread)
                cli_warning(_("%s: no .txt or .md file in this folder"),
                            argv[i]);
        } else if (cli_files_push(&walked, strdup(argv[i])) < 0) {
            status = EXIT_RUNTIME;
        }
    }
    if (unread.n)
        status = EXIT_RUNTIME;
    cli_files_free(&unread);
    if (folders) {
        if (walked.n > INT_MAX - 1) {
            cli_error("%s", _("out of memory"));
            cli_files_free(&walked);
            return EXIT_RUNTIME;
        }
        argv = walked.v;
        argc = (int)walked.n;
        optind = 0;
    }
    o.color = o.format == FMT_TEXT &&
              (strcmp(color, "always") == 0 ||
               (strcmp(color, "auto") == 0 && cli_color(1)));
    grille_codebook *cb = NULL;
    if (cli_load_codebook(&cb, cbpath) < 0) {
        cli_files_free(&walked);
        return EXIT_RUNTIME;
    }
    tagrun r;
    memset(&r, 0, sizeof(r));
    r.o = &o;
    r.cb = cb;
    r.ncodes = grille_codebook_count(cb);
    r.threads = (size_t)jobs;
    r.cut = SIZE_MAX;
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    render_names(&r);
    grille_error err = {0};
    r.an = calloc(r.threads, sizeof(*r.an));
    r.last = calloc(r.threads * (r.ncodes + 1), sizeof(size_t));
    r.parent = malloc((r.ncodes + 1) * sizeof(long));
    r.docs = calloc(BATCH, sizeof(tdoc));
    r.pool = calloc(POOL(&r), sizeof(obuf));
    for (size_t k = 0; r.parent && k < r.ncodes; k++) {
        grille_code_info info;
        grille_codebook_code(cb, k, &info);
        r.parent[k] = info.parent;
    }
    if (!r.an || !r.last || !r.parent || !r.docs || !r.pool) {
        cli_error("%s", _("out of memory"));
        status = EXIT_RUNTIME;
        goto done;
    }
    for (size_t t = 0; t < r.threads; t++) {
        if (cli_analyser(&r.an[t], &err) < 0) {
            cli_lib_error(&err);
            status = EXIT_RUNTIME;
            goto done;
        }
    }
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof(buf));
    r.wo.on = wout_can(&o);
    static const char csv_head[] =
        "document,segment,line,code,start,end,term,rule\r\n";
    if (o.format == FMT_CSV)
        wout_put(&r, csv_head, sizeof(csv_head) - 1, NULL, 0);
    int first = optind;
    while (first < argc) {
        /* a batch: up to BATCH files, or fewer (read_doc) */
        r.ndocs = 0;
        memset(r.docs, 0, BATCH * sizeof(tdoc));
        while (first + (int)r.ndocs < argc && r.ndocs < BATCH) {
            tdoc *d = &r.docs[r.ndocs++];
            d->path = argv[first + (int)r.ndocs - 1];
            d->name = strcmp(d->path, "-") == 0 ? "<stdin>" : d->path;
        }
        r.cut = r.ndocs;
        r.reserved = 0;
        parallel(&r, 0, r.ndocs, read_doc);
        /* read by a thread before another cut the batch before them: for
         * the next batch */
        for (size_t k = r.cut; k < r.ndocs; k++) {
            grille_attrs_free(r.docs[k].attrs);
            grille_text_free(r.docs[k].text);
            free(r.docs[k].msgs);
        }
        r.ndocs = r.cut;
        r.cut = SIZE_MAX;
        first += (int)r.ndocs;
        cut(&r);
        if (r.split && r.ndocs == 1) {
            /* its parts go through stdio, after what waits */
            wout_flush(&r, true);
            bool wo = r.wo.on;
            r.wo.on = false;
            if (!two_passes(&r))
                status = EXIT_RUNTIME;
            r.wo.on = wo;
            free_batch(&r);
            continue;
        }
        /* code the documents, one part each, and write them in order */
        writing wr = {0, EXIT_OK};
        pipeline(&r, code_part, write_part, &wr);
        for (; wr.next_doc < r.ndocs; wr.next_doc++)
            if (!finish(&r, wr.next_doc))
                wr.status = EXIT_RUNTIME;
        if (wr.status != EXIT_OK)
            status = wr.status;
        free_batch(&r);
    }
    wout_flush(&r, true);
    if (out_close(stdout, NULL) < 0)
        status = EXIT_RUNTIME;
done:
    for (size_t t = 0; r.an && t < r.threads; t++)
        grille_analyser_free(r.an[t]);
    free(r.an);
    free(r.last);
    free(r.parent);
    free(r.counts);
    free(r.docs);
    free_names(&r);
    for (size_t k = 0; k < r.npool; k++)
        free(r.pool[k].p);
    free(r.pool);
    free(r.wo.v);
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.cond);
    grille_codebook_free(cb);
    cli_files_free(&walked);
    return status;
}
