/*
 * common.c - the small pieces every module uses: filling a grille_error,
 * growable buffers, UTF-8 validation and encoding, the character classes
 * of French text (letters, the spaces a word processor leaves, apostrophes
 * and hyphens), lowercasing with accent folding, and SHA-256 (FIPS 180-4)
 * for the codebook and content hashes.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *grille_version(void)
{
    return GRILLE_VERSION_STRING;
}

const char *grille_strerror(int code)
{
    switch (code) {
    case GRILLE_OK: return "success";
    case GRILLE_ENOMEM: return "out of memory";
    case GRILLE_EIO: return "input/output error";
    case GRILLE_EENCODING: return "invalid text encoding";
    case GRILLE_EBINARY: return "binary input";
    case GRILLE_ESYNTAX: return "syntax error";
    case GRILLE_EINVALID: return "invalid value";
    case GRILLE_ELIMIT: return "limit exceeded";
    case GRILLE_ENOTFOUND: return "not found";
    case GRILLE_EEXISTS: return "already there";
    case GRILLE_ESTORE: return "project file damaged, busy or full";
    case GRILLE_EVERSION: return "project from a newer grille";
    case GRILLE_ENOTPROJECT: return "not a grille project";
    case GRILLE_EINTR: return "interrupted";
    default: return "unknown error";
    }
}

static const volatile sig_atomic_t *interrupt_flag;

void grille_set_interrupt(const volatile sig_atomic_t *flag)
{
    interrupt_flag = flag;
}

bool grille__interrupted(void)
{
    return interrupt_flag && *interrupt_flag;
}

int grille__interrupt(grille_error *err, const char *file)
{
    return grille__error(err, GRILLE_EINTR, file, 0, 0, "%s",
                         _("interrupted"));
}

static int verror(grille_error *err, int code, const char *file,
                  unsigned line, unsigned col, size_t offset,
                  const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    err->line = line;
    err->column = col;
    err->offset = offset;
    size_t n = 0;
    char *m = err->message;
    size_t size = sizeof(err->message);
    /* a path of thousands of bytes would leave no room for the reason:
     * its two ends, cut between characters */
    char shortened[420];
    size_t flen = file ? strlen(file) : 0;
    if (flen > 400) {
        size_t head = 190, tail = flen - 190;
        while (head && ((unsigned char)file[head] & 0xC0) == 0x80)
            head--;
        while (tail < flen && ((unsigned char)file[tail] & 0xC0) == 0x80)
            tail++;
        snprintf(shortened, sizeof(shortened), "%.*s\u2026%s", (int)head,
                 file, file + tail);
        file = shortened;
    }
    if (file && !*file)
        file = "''"; /* an empty name given (grille add ''): said so */
    if (file) {
        int w;
        if (line && col)
            w = snprintf(m, size, "%s:%u:%u: ", file, line, col);
        else if (line)
            w = snprintf(m, size, "%s:%u: ", file, line);
        else
            w = snprintf(m, size, "%s: ", file);
        n = w < 0 ? 0 : ((size_t)w < size ? (size_t)w : size - 1);
    }
    vsnprintf(m + n, size - n, fmt, ap);
    return code;
}

int grille__error(grille_error *err, int code, const char *file,
                  unsigned line, unsigned col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(err, code, file, line, col, SIZE_MAX, fmt, ap);
    va_end(ap);
    if (err)
        err->detail = 0;
    return code;
}

void grille__line_col(const char *s, size_t from, size_t to,
                      unsigned *line, unsigned *col)
{
    const unsigned char *u = (const unsigned char *)s;
    *line = *col = 1;
    for (size_t i = from; i < to; i++) {
        if (u[i] == '\n' || (u[i] == '\r' && (i + 1 >= to || u[i + 1] != '\n'))) {
            ++*line;
            *col = 1;
        } else if ((u[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

int grille__error_at(grille_error *err, int code, const char *file,
                     size_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(err, code, file, 0, 0, offset, fmt, ap);
    va_end(ap);
    if (err)
        err->detail = 0;
    return code;
}

size_t grille__temp_stem(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n <= 200)
        return strlen(path);
    n = 200;
    while (n > 0 && ((unsigned char)base[n] & 0xC0) == 0x80)
        n--; /* not inside a character */
    return (size_t)(base - path) + n;
}

int grille__tmp_beside(gbuf *tmp, const char *path, grille_error *err)
{
    tmp->len = 0;
    size_t stem = grille__temp_stem(path);
    if (gbuf_printf(tmp, "%.*s%s.tmp-XXXXXX", (int)stem, path,
                    path[stem] ? "~" : "") < 0)
        return grille__nomem(err);
    int fd = mkostemp(tmp->data, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        int rc = grille__error(err, GRILLE_EIO, path, 0, 0, "%s",
                               strerror(e));
        if (err)
            err->detail = e;
        return rc;
    }
    return fd;
}

int grille__nomem(grille_error *err)
{
    return grille__error(err, GRILLE_ENOMEM, NULL, 0, 0, "%s",
                         _("out of memory"));
}

const char *grille__quote(char *buf, size_t size, const char *s, size_t len)
{
    size_t o = 0, i = 0;
    size_t max = size > 8 ? size - 8 : 0;
    while (i < len && o < max) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
            i++;
            continue;
        }
        size_t n = 1;
        if (c >= 0xF0)
            n = 4;
        else if (c >= 0xE0)
            n = 3;
        else if (c >= 0xC0)
            n = 2;
        if (i + n > len || o + n > max)
            break;
        memcpy(buf + o, s + i, n);
        o += n;
        i += n;
    }
    if (i < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ------------------------------------------------------------- buffers */

int grille__grow(void **p, size_t *cap, size_t need, size_t size)
{
    return grille__grow_from(p, cap, need, size, 16);
}

int grille__grow_from(void **p, size_t *cap, size_t need, size_t size,
                      size_t first)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : first ? first : 1;
    while (n < need) {
        if (n > SIZE_MAX / 2 / size)
            return GRILLE_ENOMEM;
        n *= 2;
    }
    void *q = realloc(*p, n * size);
    if (!q)
        return GRILLE_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

int gbuf_grow(gbuf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return GRILLE_ENOMEM;
    return grille__grow((void **)&b->data, &b->cap, b->len + extra + 1, 1);
}

int gbuf_put(gbuf *b, const void *p, size_t n)
{
    /* room for n bytes and the NUL tested here: most calls need no
     * growth (a codebook's words lowercased a character at a time) */
    if (b->cap - b->len <= n && gbuf_grow(b, n) < 0)
        return GRILLE_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int gbuf_putc(gbuf *b, char c)
{
    if (b->len + 1 >= b->cap && gbuf_grow(b, 1) < 0)
        return GRILLE_ENOMEM;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int gbuf_puts(gbuf *b, const char *s)
{
    return gbuf_put(b, s, strlen(s));
}

int gbuf_printf(gbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || gbuf_grow(b, (size_t)n) < 0)
        return GRILLE_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void gbuf_free(gbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int grille__slots_fit(size_t **slots, size_t *nslots, size_t n,
                      const void *v, size_t size, size_t at, size_t least)
{
    if (2 * (n + 1) <= *nslots)
        return 0;
    size_t cap = *nslots ? 2 * *nslots : least;
    size_t *s = calloc(cap, sizeof(*s));
    if (!s)
        return GRILLE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint64_t h;
        memcpy(&h, (const char *)v + i * size + at, sizeof(h));
        size_t j = h & (cap - 1);
        while (s[j])
            j = (j + 1) & (cap - 1);
        s[j] = i + 1;
    }
    free(*slots);
    *slots = s;
    *nslots = cap;
    return 0;
}

/* Arrays from 1 MiB are mapped, and made present in one call (the
 * counts of 18,771 documents x 18 codes, 2.7 MB each, took 700 page
 * faults each in 4 KiB pages: a sixth of cooc, where a fault cost 13
 * us), their first BIG_PRESENT bytes only: a report of a codebook of
 * thousands of codes has arrays of documents x codes that its codings
 * touch here and there.  They were hinted for huge pages: on a machine
 * whose free memory the host takes back, a report run just after an
 * add (which freed 80 MB) spent half its time clearing fresh 2 MiB
 * pages, 41 to 79 ms against 27 to 29 ms in 4 KiB pages made present. */
#define BIG_MIN (1u << 20)
#define BIG_PAGE ((size_t)4096)
#define BIG_PRESENT ((size_t)64 << 20)

static size_t big_bytes(size_t n, size_t size, bool *mapped)
{
    size_t bytes = n && size > SIZE_MAX / n ? 0 : (n ? n : 1) * size;
#ifdef __SANITIZE_ADDRESS__
    *mapped = false; /* AddressSanitizer checks the bounds of malloc's */
#else
    *mapped = bytes >= BIG_MIN && bytes <= SIZE_MAX - BIG_PAGE;
#endif
    return *mapped ? (bytes + BIG_PAGE - 1) / BIG_PAGE * BIG_PAGE : bytes;
}

static void *big_map(size_t n, size_t size, size_t present)
{
    bool mapped;
    size_t bytes = big_bytes(n, size, &mapped);
    if (!bytes)
        return NULL;
    if (!mapped)
        return calloc(1, bytes);
    char *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED)
        return NULL;
#if defined(__linux__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; EINVAL before: faults then */
#endif
#ifdef MADV_NOHUGEPAGE
    madvise(a, bytes, MADV_NOHUGEPAGE); /* where huge pages come unasked */
#endif
    madvise(a, bytes < present ? bytes : present, MADV_POPULATE_WRITE);
#endif
    return a;
}

void *grille__big_calloc(size_t n, size_t size)
{
    return big_map(n, size, BIG_PRESENT);
}

void *grille__big_calloc_full(size_t n, size_t size)
{
    return big_map(n, size, SIZE_MAX);
}

void grille__big_free(void *p, size_t n, size_t size)
{
    bool mapped;
    size_t bytes = big_bytes(n, size, &mapped);
    if (!p)
        return;
    if (mapped)
        munmap(p, bytes);
    else
        free(p);
}

void *grille__lazy_calloc(size_t n, size_t size)
{
    if (!n || !size || n > SIZE_MAX / size)
        return NULL;
    void *p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void grille__lazy_free(void *p, size_t n, size_t size)
{
    if (p)
        munmap(p, n * size);
}

void *grille__chunk_alloc(grille_chunk **list, size_t n, size_t align)
{
    grille_chunk *k = *list;
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t pad = k ? -k->used & (align - 1) : 0;
    if (!k || k->size - k->used < n + pad) {
        size_t size = k && k->size < 65536 ? 2 * k->size : 4096;
        if (size < n)
            size = n;
        grille_chunk *c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->next = k;
        c->used = 0;
        c->size = size;
        *list = k = c;
        pad = 0;
    }
    void *p = (char *)(k + 1) + k->used + pad;
    k->used += pad + n;
    return p;
}

char *grille__chunk_strndup(grille_chunk **list, const char *s, size_t n)
{
    char *p = n < SIZE_MAX ? grille__chunk_alloc(list, n + 1, 1) : NULL;
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void grille__chunks_free(grille_chunk *list)
{
    while (list) {
        grille_chunk *next = list->next;
        free(list);
        list = next;
    }
}

char *grille__strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* The precomposed letter of ASCII letter c and combining mark U+0300 + m,
 * or 0: the Latin letters of two bytes in UTF-8 (those of French, and
 * Å, Č, Ł, Ő, Ž...), which the mark's three bytes make room for. */
static uint32_t compose(char c, unsigned m)
{
    static const char *const base[] = {
        [0x00] = "AaEeIiNnOoUu", /* grave */
        [0x01] = "AaCcEeGgIiLlNnOoRrSsUuYyZz", /* acute */
        [0x02] = "AaCcEeGgHhIiJjOoSsUuWwYy", /* circumflex */
        [0x03] = "AaIiNnOoUu", /* tilde */
        [0x04] = "AaEeIiOoUuYy", /* macron */
        [0x06] = "AaEeGgIiOoUu", /* breve */
        [0x07] = "AaCcEeGgIOoZz", /* dot above */
        [0x08] = "AaEeIiOoUuYy", /* diaeresis */
        [0x0A] = "AaUu", /* ring above */
        [0x0B] = "OoUu", /* double acute */
        [0x0C] = "AaCcDdEeGgHhIijKkLlNnOoRrSsTtUuZz", /* caron */
        [0x27] = "CcEeGgKkLlNnRrSsTt", /* cedilla */
        [0x28] = "AaEeIiOoUu", /* ogonek */
    };
    static const uint16_t made[][33] = {
        [0x00] = {0xC0, 0xE0, 0xC8, 0xE8, 0xCC, 0xEC, 0x1F8, 0x1F9, 0xD2,
                  0xF2, 0xD9, 0xF9},
        [0x01] = {0xC1, 0xE1, 0x106, 0x107, 0xC9, 0xE9, 0x1F4, 0x1F5, 0xCD,
                  0xED, 0x139, 0x13A, 0x143, 0x144, 0xD3, 0xF3, 0x154, 0x155,
                  0x15A, 0x15B, 0xDA, 0xFA, 0xDD, 0xFD, 0x179, 0x17A},
        [0x02] = {0xC2, 0xE2, 0x108, 0x109, 0xCA, 0xEA, 0x11C, 0x11D, 0x124,
                  0x125, 0xCE, 0xEE, 0x134, 0x135, 0xD4, 0xF4, 0x15C, 0x15D,
                  0xDB, 0xFB, 0x174, 0x175, 0x176, 0x177},
        [0x03] = {0xC3, 0xE3, 0x128, 0x129, 0xD1, 0xF1, 0xD5, 0xF5, 0x168,
                  0x169},
        [0x04] = {0x100, 0x101, 0x112, 0x113, 0x12A, 0x12B, 0x14C, 0x14D,
                  0x16A, 0x16B, 0x232, 0x233},
        [0x06] = {0x102, 0x103, 0x114, 0x115, 0x11E, 0x11F, 0x12C, 0x12D,
                  0x14E, 0x14F, 0x16C, 0x16D},
        [0x07] = {0x226, 0x227, 0x10A, 0x10B, 0x116, 0x117, 0x120, 0x121,
                  0x130, 0x22E, 0x22F, 0x17B, 0x17C},
        [0x08] = {0xC4, 0xE4, 0xCB, 0xEB, 0xCF, 0xEF, 0xD6, 0xF6, 0xDC, 0xFC,
                  0x178, 0xFF},
        [0x0A] = {0xC5, 0xE5, 0x16E, 0x16F},
        [0x0B] = {0x150, 0x151, 0x170, 0x171},
        [0x0C] = {0x1CD, 0x1CE, 0x10C, 0x10D, 0x10E, 0x10F, 0x11A, 0x11B,
                  0x1E6, 0x1E7, 0x21E, 0x21F, 0x1CF, 0x1D0, 0x1F0, 0x1E8,
                  0x1E9, 0x13D, 0x13E, 0x147, 0x148, 0x1D1, 0x1D2, 0x158,
                  0x159, 0x160, 0x161, 0x164, 0x165, 0x1D3, 0x1D4, 0x17D,
                  0x17E},
        [0x27] = {0xC7, 0xE7, 0x228, 0x229, 0x122, 0x123, 0x136, 0x137,
                  0x13B, 0x13C, 0x145, 0x146, 0x156, 0x157, 0x15E, 0x15F,
                  0x162, 0x163},
        [0x28] = {0x104, 0x105, 0x118, 0x119, 0x12E, 0x12F, 0x1EA, 0x1EB,
                  0x172, 0x173},
    };
    if (m >= sizeof(base) / sizeof(base[0]) || !base[m])
        return 0;
    const char *p = strchr(base[m], c);
    return p && c ? made[m][p - base[m]] : 0;
}

size_t grille__compose(char *out, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        /* a combining mark U+0300..U+036F is CC 80..CD AF */
        unsigned char b1 = i + 2 < n ? (unsigned char)s[i + 1] : 0,
                      b2 = i + 2 < n ? (unsigned char)s[i + 2] : 0;
        if ((b1 == 0xCC || b1 == 0xCD) && (b2 & 0xC0) == 0x80) {
            unsigned m = ((unsigned)(b1 & 0x1F) << 6 | (b2 & 0x3F)) - 0x300;
            uint32_t cp = compose(s[i], m);
            if (cp) {
                o += utf8_put(out + o, cp); /* two bytes, as the three read */
                i += 2;
                continue;
            }
        }
        out[o++] = s[i];
    }
    return o;
}

/* The feminine and the English-looking names of the interviewer, the key
 * enqueteur: "Enquêtrice: Claire" is the same attribute (a note filed
 * under (none) in compare --by enqueteur otherwise).  `f` folded. */
static const char *interviewer_alias(const char *f)
{
    static const char *const alias[] = {"enquetrice", "enqueteuse",
                                        "intervieweur", "intervieweuse",
                                        "interviewer", NULL};
    if (f[0] != 'e' && f[0] != 'i')
        return NULL;
    for (size_t i = 0; alias[i]; i++)
        if (strcmp(f, alias[i]) == 0)
            return "enqueteur";
    return NULL;
}

const char *grille__attr_known(const char *key)
{
    static const char *const known[] = {"collectivite", "type",  "region",
                                        "population",   "role",  "date",
                                        "enqueteur",    NULL};
    /* Latin-1's letters U+00C0..U+00FF without their accents, lowercase */
    static const char base[] = "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
                               "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
    char f[16];
    size_t n = 0, len = strlen(key);
    bool plain = true;
    for (size_t i = 0; i < len;) {
        size_t k;
        uint32_t c = utf8_get(key, len, i, &k);
        i += k;
        if (c >= 'a' && c <= 'z') {
            /* as it is */
        } else if (c >= 'A' && c <= 'Z') {
            c += 32;
            plain = false;
        } else if (c >= 0xC0 && c <= 0xFF) {
            c = (unsigned char)base[c - 0xC0];
            plain = false;
        } else if (grille__is_combining(c)) {
            plain = false; /* a decomposed accent */
            continue;
        } else if (c == '\n' || c == '\r' || grille__is_space(c)) {
            plain = false; /* a space, as grille__attr_clean trims them */
            if (!n || f[n - 1] == ' ')
                continue;
            c = ' ';
        } else {
            return key; /* not one of the seven */
        }
        if (n >= sizeof(f) - 1)
            return key;
        f[n++] = (char)c;
    }
    const char *alias;
    if (plain) /* the common case: as it is */
        return (alias = interviewer_alias(key)) ? alias : key;
    while (n && f[n - 1] == ' ')
        n--;
    f[n] = '\0';
    for (size_t i = 0; known[i]; i++)
        if (strcmp(f, known[i]) == 0)
            return known[i];
    return (alias = interviewer_alias(f)) ? alias : key;
}

void *grille__calloc_lines(size_t size)
{
    size_t n = (size + 63) / 64 * 64;
    void *p = aligned_alloc(64, n ? n : 64);
    if (p)
        memset(p, 0, n ? n : 64);
    return p;
}

char *grille_attr_key(const char *key)
{
    return grille__attr_clean(grille__attr_known(key));
}

char *grille_attr_value(const char *value)
{
    return grille__attr_clean(value);
}

static char *attr_trim(const char *s);

/* Whether code point c is one XML 1.0 cannot hold (a control character
 * other than tab, line feed and carriage return; U+FFFE, U+FFFF). */
static bool xml_forbidden(uint32_t c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
           c == 0xFFFE || c == 0xFFFF;
}

char *grille__attr_clean(const char *s)
{
    /* control characters (pasted from a PDF or Word) are spaces, as the
     * REFI-QDA export writes them: a value comes back from it the same */
    char *spaced = NULL;
    for (size_t i = 0, len = strlen(s), k; i < len; i += k) {
        if (!xml_forbidden(utf8_get(s, len, i, &k)))
            continue;
        if (!spaced && !(spaced = strdup(s)))
            return NULL;
        spaced[i] = ' ';
        memmove(spaced + i + 1, spaced + i + k, strlen(spaced + i + k) + 1);
        s = spaced;
        len -= k - 1;
        k = 1;
    }
    char *out = attr_trim(s);
    free(spaced);
    return out;
}

static char *attr_trim(const char *s)
{
    /* white space around it: line ends, and the spaces of text.md (a
     * no-break space that French autocorrect puts before a colon) */
    size_t len = strlen(s), first = len, last = 0;
    for (size_t i = 0; i < len;) {
        size_t k;
        uint32_t c = utf8_get(s, len, i, &k);
        if (!(c == '\n' || c == '\r' || grille__is_space(c))) {
            if (first == len)
                first = i;
            last = i + k;
        }
        i += k;
    }
    s += first < len ? first : len;
    size_t n = first < len ? last - first : 0;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    out[grille__compose(out, s, n)] = '\0';
    return out;
}

/* --------------------------------------------------------------- UTF-8 */

size_t utf8_put(char *out, uint32_t cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The two: with `nul`, a NUL byte ends the valid part too. */
static size_t utf8_valid(const char *s, size_t len, bool nul)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* Fast path: eight ASCII bytes at a time, then straight to the
         * first byte that is not (or is a NUL) */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            uint64_t stop = (w | (nul ? (w - ones) & ~w : 0)) & high;
            if (stop) {
                i += grille__first_high(stop);
                break;
            }
            i += 8;
        }
        if (i >= len)
            break;
        unsigned c = u[i];
        if (c < 0x80) {
            if (nul && c == 0)
                return i;
            i++;
            continue;
        }
        /* two bytes (é, à, no-break space): valid with any continuation */
        if (c >= 0xC2 && c <= 0xDF && i + 1 < len &&
            (u[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return i;
        }
        if (i + n > len)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * Thirty-two bytes at a time with AVX2, after Keiser and Lemire's
 * "Validating UTF-8 in less than one instruction per byte" (2021): each
 * byte is classified with the one before it through three 16-entry tables
 * (the high and low nibbles of the byte before, the high nibble of the
 * byte), whose bits are the errors the pair may make; their AND is the
 * pair's errors.  A continuation after a continuation is right only as
 * the third or fourth byte of a sequence, which the bytes two and three
 * back tell.  French text has a two-byte letter every few words, so the
 * scalar loop below, quick on ASCII runs, fell out of them that often.
 *
 * Returns where the scalar loop is to go on: the end of the last block
 * found right, moved back to the first byte of a sequence that may
 * continue past it.  Everything before is valid UTF-8 without a NUL (when
 * `nul`); the scalar loop finds the first error itself.
 */
enum {
    U8_TOO_SHORT = 1 << 0,  /* 11______ then 0_______ or 11______ */
    U8_TOO_LONG = 1 << 1,   /* 0_______ then 10______ */
    U8_OVERLONG_3 = 1 << 2, /* 11100000 100_____ */
    U8_TOO_LARGE = 1 << 3,  /* 11110100 1001____ and above */
    U8_SURROGATE = 1 << 4,  /* 11101101 101_____ */
    U8_OVERLONG_2 = 1 << 5, /* 1100000_ 10______ */
    U8_TOO_LARGE_1000 = 1 << 6, /* 11110101 1000____ and above */
    U8_OVERLONG_4 = 1 << 6, /* 11110000 1000____ */
    U8_TWO_CONTS = 1 << 7,  /* 10______ 10______ */
    U8_CARRY = U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS,
};

static inline __attribute__((target("avx2"))) __m256i
u8_table(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7,
         int a8, int a9, int a10, int a11, int a12, int a13, int a14, int a15)
{
    return _mm256_setr_epi8(
        (char)a0, (char)a1, (char)a2, (char)a3, (char)a4, (char)a5, (char)a6,
        (char)a7, (char)a8, (char)a9, (char)a10, (char)a11, (char)a12,
        (char)a13, (char)a14, (char)a15, (char)a0, (char)a1, (char)a2,
        (char)a3, (char)a4, (char)a5, (char)a6, (char)a7, (char)a8, (char)a9,
        (char)a10, (char)a11, (char)a12, (char)a13, (char)a14, (char)a15);
}

__attribute__((target("avx2"))) static size_t
utf8_valid_avx2(const unsigned char *u, size_t len, bool nul)
{
    const __m256i b1_high = u8_table(
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TWO_CONTS, U8_TWO_CONTS,
        U8_TWO_CONTS, U8_TWO_CONTS, U8_TOO_SHORT | U8_OVERLONG_2,
        U8_TOO_SHORT, U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
        U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4);
    const int big = U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000;
    const __m256i b1_low = u8_table(
        U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4,
        U8_CARRY | U8_OVERLONG_2, U8_CARRY, U8_CARRY,
        U8_CARRY | U8_TOO_LARGE, big, big, big, big, big, big, big, big,
        big | U8_SURROGATE, big, big);
    const int cont = U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS;
    const __m256i b2_high = u8_table(
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        cont | U8_OVERLONG_3 | U8_TOO_LARGE_1000 | U8_OVERLONG_4,
        cont | U8_OVERLONG_3 | U8_TOO_LARGE, cont | U8_SURROGATE | U8_TOO_LARGE,
        cont | U8_SURROGATE | U8_TOO_LARGE, U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i prev = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(const void *)(u + i));
        /* the block's bytes one, two and three back: the last bytes of
         * the block before, then this one's */
        __m256i cross = _mm256_permute2x128_si256(prev, in, 0x21);
        __m256i p1 = _mm256_alignr_epi8(in, cross, 15);
        __m256i p2 = _mm256_alignr_epi8(in, cross, 14);
        __m256i p3 = _mm256_alignr_epi8(in, cross, 13);
        __m256i sc = _mm256_and_si256(
            _mm256_and_si256(
                _mm256_shuffle_epi8(
                    b1_high, _mm256_and_si256(_mm256_srli_epi16(p1, 4), nib)),
                _mm256_shuffle_epi8(b1_low, _mm256_and_si256(p1, nib))),
            _mm256_shuffle_epi8(
                b2_high, _mm256_and_si256(_mm256_srli_epi16(in, 4), nib)));
        /* third or fourth byte of a sequence: its high bit set */
        __m256i must23 = _mm256_or_si256(
            _mm256_subs_epu8(p2, _mm256_set1_epi8((char)(0xE0 - 0x80))),
            _mm256_subs_epu8(p3, _mm256_set1_epi8((char)(0xF0 - 0x80))));
        __m256i err = _mm256_xor_si256(
            _mm256_and_si256(must23, _mm256_set1_epi8((char)0x80)), sc);
        if (nul)
            err = _mm256_or_si256(
                err, _mm256_cmpeq_epi8(in, _mm256_setzero_si256()));
        if (!_mm256_testz_si256(err, err))
            break;
        prev = in;
    }
    /* back to the first byte of a sequence that may go on past i */
    for (size_t k = 1; k <= 3 && k <= i; k++) {
        unsigned char c = u[i - k];
        if (c >= 0xC0)
            return i - k;
        if (c < 0x80)
            break;
    }
    return i;
}

/* Whether the processor has AVX2 (and the system saves its registers),
 * asked once. */
static bool has_avx2(void)
{
    static int avx2 = -1; /* -1: not known yet */
    int v = __atomic_load_n(&avx2, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx2") != 0;
        __atomic_store_n(&avx2, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif

/* utf8_valid, from the vector loop where the processor has one. */
static size_t utf8_valid_fast(const char *s, size_t len, bool nul)
{
    size_t from = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (len >= 64 && has_avx2())
        from = utf8_valid_avx2((const unsigned char *)s, len, nul);
#endif
    return from + utf8_valid(s + from, len - from, nul);
}

size_t utf8_check(const char *s, size_t len)
{
    return utf8_valid_fast(s, len, false);
}

size_t grille__utf8_text(const char *s, size_t len)
{
    return utf8_valid_fast(s, len, true);
}

/* ------------------------------------------------------ character classes */

bool grille__is_combining(uint32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

bool grille__is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp <= 0x24F)
        return cp != 0xD7 && cp != 0xF7;
    return (cp >= 0x250 && cp <= 0x2AF) || (cp >= 0x370 && cp <= 0x3FF &&
                                            cp != 0x37E && cp != 0x387) ||
           (cp >= 0x400 && cp <= 0x52F) || (cp >= 0x531 && cp <= 0x587) ||
           (cp >= 0x5D0 && cp <= 0x5EA) || (cp >= 0x620 && cp <= 0x64A) ||
           (cp >= 0x1E00 && cp <= 0x1FFF) || (cp >= 0x3040 && cp <= 0x9FFF) ||
           (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFB00 && cp <= 0xFB06) || grille__is_combining(cp);
}

bool grille__is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f' ||
           cp == 0xA0 || cp == 0x85 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000 || cp == 0xFEFF;
}

bool grille__is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == 0x2018 ||
           cp == 0xB4;
}

bool grille__color_ok(const char *s)
{
    if (!s[0])
        return true;
    if (s[0] != '#' || strlen(s) != 7)
        return false;
    for (int i = 1; i < 7; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

int grille__bad_color(grille_error *err, const char *path, const char *code,
                      const char *color)
{
    return grille__error(err, GRILLE_ESTORE, path, 0, 0,
                         _("the project file is damaged: code '%s' has the "
                           "color '%.40s', not #rrggbb"),
                         code, color);
}

bool grille__is_hyphen(uint32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2011;
}

/* Base letters of U+00C0..U+00FF and U+0100..U+017F, for folding; '#'
 * marks a letter written with two (æ, œ, ß, þ, ĳ) or a non-letter. */
static const char latin1_base[64] =
    "aaaaaa#ceeeeiiii"
    "dnooooo#ouuuuy##"
    "aaaaaa#ceeeeiiii"
    "dnooooo#ouuuuy#y";
static const char latin_a_base[128] =
    "aaaaaaccccccccdd"
    "ddeeeeeeeeeegggg"
    "gggghhhhiiiiiiii"
    "ii##jjkkklllllll"
    "lllnnnnnnnnnoooo"
    "oo##rrrrrrssssss"
    "ssttttttuuuuuuuu"
    "uuuuwwyyyzzzzzzs";

bool grille__is_upper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    if (cp >= 0xC0 && cp <= 0xDE)
        return cp != 0xD7;
    if (cp >= 0x100 && cp <= 0x137)
        return cp % 2 == 0;
    if (cp >= 0x139 && cp <= 0x148)
        return cp % 2 == 1;
    if (cp >= 0x14A && cp <= 0x177)
        return cp % 2 == 0;
    if (cp == 0x178)
        return true;
    if (cp >= 0x179 && cp <= 0x17E)
        return cp % 2 == 1;
    return (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x400 && cp <= 0x42F);
}

static uint32_t lower_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 0x20;
    if (cp >= 0x100 && cp <= 0x17E) {
        if (cp == 0x130)
            return 'i';
        if (cp == 0x178)
            return 0xFF;
        return grille__is_upper(cp) ? cp + 1 : cp;
    }
    if (cp >= 0x391 && cp <= 0x3A9)
        return cp + 0x20;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    return cp;
}

size_t grille__lower(uint32_t cp, bool fold, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
        return 1;
    }
    if (grille__is_combining(cp))
        return 0;
    /* Ligatures are spelt out in both modes, so that œ matches oe. */
    switch (cp) {
    case 0xC6: case 0xE6: memcpy(out, "ae", 2); return 2;
    case 0x152: case 0x153: memcpy(out, "oe", 2); return 2;
    case 0x132: case 0x133: memcpy(out, "ij", 2); return 2;
    case 0xFB00: memcpy(out, "ff", 2); return 2;
    case 0xFB01: memcpy(out, "fi", 2); return 2;
    case 0xFB02: memcpy(out, "fl", 2); return 2;
    case 0xFB03: memcpy(out, "ffi", 3); return 3;
    case 0xFB04: memcpy(out, "ffl", 3); return 3;
    default: break;
    }
    if (fold) {
        if (cp == 0xDF) {
            memcpy(out, "ss", 2);
            return 2;
        }
        if (cp == 0xDE || cp == 0xFE) {
            memcpy(out, "th", 2);
            return 2;
        }
        if (cp >= 0xC0 && cp <= 0xFF && latin1_base[cp - 0xC0] != '#') {
            out[0] = latin1_base[cp - 0xC0];
            return 1;
        }
        if (cp >= 0x100 && cp <= 0x17F && latin_a_base[cp - 0x100] != '#') {
            out[0] = latin_a_base[cp - 0x100];
            return 1;
        }
    }
    return utf8_put(out, lower_cp(cp));
}

int grille__lower_str(gbuf *b, const char *s, size_t len, bool fold)
{
    char tmp[8];
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) { /* as grille__lower: A-Z lowered, the rest kept */
            if (gbuf_putc(b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c)) < 0)
                return GRILLE_ENOMEM;
            i++;
            continue;
        }
        size_t n;
        uint32_t cp = utf8_get(s, len, i, &n);
        i += n;
        if (grille__is_apostrophe(cp)) {
            if (gbuf_putc(b, '\'') < 0)
                return GRILLE_ENOMEM;
            continue;
        }
        size_t m = grille__lower(cp, fold, tmp);
        if (m && gbuf_put(b, tmp, m) < 0)
            return GRILLE_ENOMEM;
    }
    return 0;
}

int grille__straight_str(gbuf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = utf8_get(s, len, i, &n);
        if (grille__is_apostrophe(cp) ? gbuf_putc(b, '\'') < 0
                                      : gbuf_put(b, s + i, n) < 0)
            return GRILLE_ENOMEM;
        i += n;
    }
    return 0;
}

int grille__fold(gbuf *b, const char *s, size_t len)
{
    return grille__lower_str(b, s, len, true);
}

void grille__squeeze(gbuf *b, size_t from)
{
    size_t o = from, len = b->len;
    bool space = false;
    unsigned line_ends = 0;
    for (size_t i = from; i < len;) {
        size_t n;
        uint32_t c = utf8_get(b->data, len, i, &n);
        if (grille__is_invisible(c)) { /* a soft hyphen: no part of it */
            i += n;
            continue;
        }
        if (c == '\n' || c == '\r' || grille__is_space(c)) {
            space = o > from;
            line_ends += c == '\n' || (c == '\r' && (i + 1 >= len ||
                                                     b->data[i + 1] != '\n'));
            i += n;
            continue;
        }
        /* a word hyphenated at a line's end is one again: télé-travail
         * (as the tokeniser reads it), but "agents -" keeps its space,
         * and a blank line stays one */
        if (space && line_ends == 1 && o - from >= 2 &&
            b->data[o - 1] == '-' && b->data[o - 2] != ' ' &&
            grille__is_letter(c))
            space = false;
        if (space)
            b->data[o++] = ' ';
        space = false;
        line_ends = 0;
        memmove(b->data + o, b->data + i, n);
        o += n;
        i += n;
    }
    b->len = o;
}

char *grille_fold(const char *s)
{
    gbuf b = {0}, clean = {0};
    size_t n = strlen(s), bad = utf8_check(s, n);
    if (bad < n) {
        /* bytes that are not UTF-8 (a program's, not a note's): each is
         * U+FFFD, rather than eaten as a continuation ("\xc3(" was "e") */
        for (size_t i = 0; i < n;) {
            size_t ok = utf8_check(s + i, n - i);
            if (gbuf_put(&clean, s + i, ok) < 0 ||
                (i + ok < n && gbuf_put(&clean, "\xef\xbf\xbd", 3) < 0)) {
                gbuf_free(&clean);
                return NULL;
            }
            i += ok + (i + ok < n);
        }
        s = clean.data ? clean.data : "";
        n = clean.len;
    }
    int rc = grille__fold(&b, s, n);
    gbuf_free(&clean);
    if (rc < 0 ||
        (grille__squeeze(&b, 0), gbuf_put(&b, "", 1)) < 0) {
        gbuf_free(&b);
        return NULL;
    }
    return b.data;
}

/* --------------------------------------------------------------- SHA-256 */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
                      (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5],
             g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
                      ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
                      ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* n blocks of 64 bytes, one at a time. */
static void sha_blocks_plain(uint32_t h[8], const unsigned char *p, size_t n)
{
    for (; n; n--, p += 64)
        sha_block(h, p);
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The same with the SHA extensions of x86-64 (Intel since Goldmont and Ice
 * Lake, AMD since Zen): four to five times the speed of sha_block, which
 * `add` feels, since every document is hashed.  The state is kept as the
 * instructions want it, ABEF and CDGH; each group of four rounds takes
 * four message words, the first four groups from the block (big-endian),
 * the others from the four groups before them.
 */
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("sha,sse4.1,ssse3"))) static void
sha_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
                                         0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; n; n--, p += 64) {
        __m128i abef0 = abef, cdgh0 = cdgh, w[4];
        for (int g = 0; g < 16; g++) {
            __m128i m;
            if (g < 4) {
                m = _mm_shuffle_epi8(
                    _mm_loadu_si128((const __m128i *)(const void *)(p +
                                                                    16 * g)),
                    bswap);
            } else {
                /* w[t-16] + s0(w[t-15]) + w[t-7], then + s1(w[t-2]) */
                m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[(g + 3) & 3],
                                                     w[(g + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);
            }
            w[g & 3] = m;
            __m128i wk = _mm_add_epi32(
                m, _mm_loadu_si128((const __m128i *)(const void *)&sha_k[4 *
                                                                         g]));
            /* two rounds with the low words, two with the high: the
             * ABEF before each pair is the CDGH after it */
            __m128i abef2 = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            cdgh = abef;
            abef = _mm_sha256rnds2_epu32(cdgh, abef2,
                                         _mm_shuffle_epi32(wk, 0x0E));
            cdgh = abef2;
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    hgfe = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128((__m128i *)(void *)&h[0], dcba);
    _mm_storeu_si128((__m128i *)(void *)&h[4], hgfe);
}

static bool sha_ni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) ||
        !(c & bit_SSSE3))
        return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    return (b & bit_SHA) != 0;
}
#endif

/* The blocks function for this processor, chosen at the first call (a
 * race between threads chooses the same). */
static void sha_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    static int ni = -1; /* -1: not known yet */
    int v = __atomic_load_n(&ni, __ATOMIC_RELAXED);
    if (v < 0) {
        v = sha_ni();
        __atomic_store_n(&ni, v, __ATOMIC_RELAXED);
    }
    if (v) {
        sha_blocks_ni(h, p, n);
        return;
    }
#endif
    sha_blocks_plain(h, p, n);
}

static void sha256_hex(const void *data, size_t len, char hex[65],
                       void (*blocks)(uint32_t *, const unsigned char *,
                                      size_t))
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t left = len;
    if (left >= 64) {
        blocks(h, p, left / 64);
        p += left / 64 * 64;
        left %= 64;
    }
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tl = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
    blocks(h, tail, tl / 64);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        unsigned char byte = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
    hex[64] = '\0';
}

void grille__sha256_hex(const void *data, size_t len, char hex[65])
{
    sha256_hex(data, len, hex, sha_blocks);
}

void grille__sha256_hex_plain(const void *data, size_t len, char hex[65])
{
    sha256_hex(data, len, hex, sha_blocks_plain);
}
