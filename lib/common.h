/*
 * common.h - internal helpers shared by the modules of libgrille: error
 * filling, growable buffers and arrays, UTF-8 decoding and the character
 * classes of French text.  Never installed.
 */
#ifndef GRILLE_COMMON_H
#define GRILLE_COMMON_H

#include "grille.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRILLE_HIDDEN __attribute__((visibility("hidden")))
#define GRILLE_PRINTF(a, b) __attribute__((format(printf, a, b)))

#ifndef _
#define _(s) (s)
#endif

/*
 * Fills `err` (which may be NULL) and returns `code`.  `file` may be NULL;
 * `line`/`col` of 0 leave them out of the message.  The message is
 * "file:line:col: text".
 */
GRILLE_HIDDEN int grille__error(grille_error *err, int code, const char *file,
                                unsigned line, unsigned col, const char *fmt,
                                ...) GRILLE_PRINTF(6, 7);
/* The line and column (code points, from 1) of byte `to` of s, counted
 * from byte `from`: "\n", "\r\n" and a lone "\r" end a line, as the
 * segments count them. */
GRILLE_HIDDEN void grille__line_col(const char *s, size_t from, size_t to,
                                    unsigned *line, unsigned *col);
GRILLE_HIDDEN int grille__error_at(grille_error *err, int code,
                                   const char *file, size_t offset,
                                   const char *fmt, ...) GRILLE_PRINTF(5, 6);
GRILLE_HIDDEN int grille__nomem(grille_error *err);
/* The words that cannot be a theme's id (a theme's keys, skip_speakers),
 * NULL-terminated (codebook.c; refi.c names codes around them). */
GRILLE_HIDDEN extern const char *const grille__reserved_ids[];
/* The file a text was read from (grille_text_read_file: its path from /,
 * links resolved), or NULL (a text from memory, stdin, a pipe).  Resolved
 * at its first call (thread-safe). */
GRILLE_HIDDEN const char *grille__text_file(const grille_text *text);
/* Sets the encoding a text is said to have been found in: a text decoded
 * again from one already decoded (an import's, made LF) keeps the
 * encoding of the first. */
GRILLE_HIDDEN void grille__text_set_encoding(grille_text *text,
                                             grille_encoding enc);
/* Tests of attrs.c: take only its plain front matter path (what it does
 * not take is left empty), or only libyaml. */
GRILLE_HIDDEN extern bool grille__attrs_plain_only;
GRILLE_HIDDEN extern bool grille__attrs_yaml_only;
/* Whether the flag of grille_set_interrupt is up; then
 * grille__interrupt(err, file) fills err and returns GRILLE_EINTR. */
GRILLE_HIDDEN bool grille__interrupted(void);
GRILLE_HIDDEN int grille__interrupt(grille_error *err, const char *file);

/* Writes `s` quoted for a message into buf: control characters escaped,
 * cut at `max` bytes with "..." (on a code point boundary). */
GRILLE_HIDDEN const char *grille__quote(char *buf, size_t size, const char *s,
                                        size_t len);

/* A growable byte buffer; `data` is always NUL terminated when len > 0. */
typedef struct gbuf {
    char *data;
    size_t len, cap;
} gbuf;

GRILLE_HIDDEN int gbuf_grow(gbuf *b, size_t extra);
GRILLE_HIDDEN int gbuf_put(gbuf *b, const void *p, size_t n);
GRILLE_HIDDEN int gbuf_putc(gbuf *b, char c);
GRILLE_HIDDEN int gbuf_puts(gbuf *b, const char *s);
GRILLE_HIDDEN int gbuf_printf(gbuf *b, const char *fmt, ...)
    GRILLE_PRINTF(2, 3);
GRILLE_HIDDEN void gbuf_free(gbuf *b);
/* A new file beside `path`, named PATH.tmp-XXXXXX in *tmp (mkostemp: no
 * one could plant it, mode 0600): its descriptor, or GRILLE_ENOMEM or
 * GRILLE_EIO (errno in detail) with an error that names `path`. */
/* The length of the part of path a temporary file beside it is named
 * after: the whole path, or, when its file's name is too long for a
 * suffix (over 200 bytes), that name cut to 200 bytes (a "~" is then
 * put after it). */
GRILLE_HIDDEN size_t grille__temp_stem(const char *path);
GRILLE_HIDDEN int grille__tmp_beside(gbuf *tmp, const char *path,
                                     grille_error *err);

/* Grows an array of `*cap` elements of `size` bytes to hold `need`,
 * doubling from 16, or from `first` (grille__grow_from). */
GRILLE_HIDDEN int grille__grow(void **p, size_t *cap, size_t need,
                               size_t size);
GRILLE_HIDDEN int grille__grow_from(void **p, size_t *cap, size_t need,
                                    size_t size, size_t first);
/* The capacity is tested inline: most calls (one per token) need no
 * growth. */
/* The index of the first byte (in memory order) whose high bit is set in
 * `high`, a nonzero mask of high bits of eight bytes read with memcpy. */
static inline size_t grille__first_high(uint64_t high)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(high) >> 3;
#else
    return (size_t)__builtin_ctzll(high) >> 3;
#endif
}

/* w with its first r bytes in memory order kept and the others zero
 * (r < 8). */
static inline uint64_t grille__first_bytes(uint64_t w, size_t r)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return r ? w & ~(~(uint64_t)0 >> (8 * r)) : 0;
#else
    return w & (((uint64_t)1 << (8 * r)) - 1);
#endif
}

#define GROW(arr, cap, need)                                               \
    ((need) <= (cap) ? 0                                                   \
                     : grille__grow((void **)&(arr), &(cap), (need),       \
                                    sizeof(*(arr))))
/* For the many small arrays a codebook keeps (a term's words, a key's
 * sequences: one or two most often), which from 16 slots each held a
 * megabyte of the bundled codebook's unused, a page fault each four
 * kilobytes at every start. */
#define GROW_FROM(arr, cap, need, first)                                   \
    ((need) <= (cap) ? 0                                                   \
                     : grille__grow_from((void **)&(arr), &(cap), (need),  \
                                         sizeof(*(arr)), (first)))

GRILLE_HIDDEN char *grille__strndup(const char *s, size_t n);
/* Chunks that never move, freed whole: the many small blocks of a
 * codebook (its texts) and of a YAML tree (nodes, strings, lists), which
 * as a malloc and a free each were a sixth of loading a codebook.  4 KB
 * at first (a front matter), doubling to 64 KB; a block larger than that
 * has a chunk of its own. */
typedef struct grille_chunk {
    struct grille_chunk *next;
    size_t used, size, pad; /* four words: data aligned as malloc's */
} grille_chunk;
/* n bytes aligned on `align` (1 to 16), or NULL: no memory. */
GRILLE_HIDDEN void *grille__chunk_alloc(grille_chunk **list, size_t n,
                                        size_t align);
/* A copy of s[0, n) and a NUL, or NULL. */
GRILLE_HIDDEN char *grille__chunk_strndup(grille_chunk **list, const char *s,
                                          size_t n);
GRILLE_HIDDEN void grille__chunks_free(grille_chunk *list);
/* calloc(1, size) on cache lines of its own (64 bytes, the size rounded
 * up): for what one thread writes as another reads near it, or what every
 * thread reads as others write near it (false sharing).  free() frees. */
GRILLE_HIDDEN void *grille__calloc_lines(size_t size);
/* An attribute's key or value as stored (malloc'd, NULL when out of
 * memory): without white space around it, and with a Latin letter and a
 * combining accent after it composed into one character, as NFC would for
 * French ("de\u0301partement" is "département"): a macOS export and a
 * typed value are the same group. */
GRILLE_HIDDEN char *grille__attr_clean(const char *s);
/* An attribute key as stored: the keys that the reports read
 * (collectivite, type, region, population, role, date, enqueteur) whatever
 * their case and accents ("Collectivité", "rôle", "Enquêteur"), and the
 * interviewer's other names (Enquêtrice, Intervieweur...: enqueteur), as
 * those static strings; any other key as it is. */
GRILLE_HIDDEN const char *grille__attr_known(const char *key);
/* s[0, n) with the Latin letters followed by a combining accent composed
 * (as grille__attr_clean does) into out, which has room for n bytes;
 * returns the length written. */
GRILLE_HIDDEN size_t grille__compose(char *out, const char *s, size_t n);

/* Makes room for one more entry in an open-addressing index (slots hold
 * entry + 1, 0 when free): past half full, the slots double (`least` at
 * first) and the n entries v[0..n), `size` bytes each with their 64-bit
 * hash `at` bytes in (offsetof), go in again.  0 or GRILLE_ENOMEM. */
GRILLE_HIDDEN int grille__slots_fit(size_t **slots, size_t *nslots, size_t n,
                                    const void *v, size_t size, size_t at,
                                    size_t least);

/* A zeroed array of n elements of `size` bytes, freed by grille__big_free
 * with the same n and size.  A large one (a report's cells: documents x
 * codes) is mapped, its first 64 MiB made present in one call, as
 * faulting tens of MiB in 4 KiB pages cost a fifth of a report; the
 * rest, which a report of thousands of codes touches here and there,
 * comes as touched.  _full makes it all present: a buffer about to be
 * filled whole (a large file read). */
GRILLE_HIDDEN void *grille__big_calloc(size_t n, size_t size);
GRILLE_HIDDEN void *grille__big_calloc_full(size_t n, size_t size);
GRILLE_HIDDEN void grille__big_free(void *p, size_t n, size_t size);

/* A zeroed array of n elements of `size` bytes in pages of its own, each
 * zeroed by the kernel when first touched, in 4 KiB pages: for an array
 * of which few entries are written (a report's quotes, read for the cells
 * shown), whatever the heap is (a heap in huge pages, cli_large_heap,
 * would clear the whole of it).  Freed by grille__lazy_free with the same
 * n and size. */
GRILLE_HIDDEN void *grille__lazy_calloc(size_t n, size_t size);
GRILLE_HIDDEN void grille__lazy_free(void *p, size_t n, size_t size);

/*
 * Decodes the code point at s[i] (i < len) of text already known to be
 * valid UTF-8; stores its length in *n.
 */
static inline uint32_t utf8_get(const char *s, size_t len, size_t i,
                                size_t *n)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = len - i;
    if (u[0] < 0x80) {
        *n = 1;
        return u[0];
    }
    if (u[0] < 0xE0 && left >= 2) {
        *n = 2;
        return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    }
    if (u[0] < 0xF0 && left >= 3) {
        *n = 3;
        return ((uint32_t)(u[0] & 0x0F) << 12) |
               ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    }
    if (left >= 4) {
        *n = 4;
        return ((uint32_t)(u[0] & 0x07) << 18) |
               ((uint32_t)(u[1] & 0x3F) << 12) |
               ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    }
    *n = 1;
    return 0xFFFD;
}

/* Encodes cp in UTF-8 into out (4 bytes at least); returns the length. */
GRILLE_HIDDEN size_t utf8_put(char *out, uint32_t cp);

/*
 * Checks that s[0..len) is valid UTF-8 (no overlong form, no surrogate,
 * nothing above U+10FFFF).  Returns len when valid, else the offset of the
 * first invalid byte.
 */
GRILLE_HIDDEN size_t utf8_check(const char *s, size_t len);
/* The same, a NUL byte ending the valid part too: text as a note holds. */
GRILLE_HIDDEN size_t grille__utf8_text(const char *s, size_t len);

/* Character classes for French text. */
GRILLE_HIDDEN bool grille__is_letter(uint32_t cp);
/* The longest name of a turn's speaker ("Mme Lefèvre"), in bytes
 * composed, and the longest label with a role in brackets after it
 * ("Mme Roux (DRH)"): a name, a space and a role as long. */
#define GRILLE_SPEAKER_NAME_MAX 40
#define GRILLE_SPEAKER_MAX (2 * GRILLE_SPEAKER_NAME_MAX + 3)
GRILLE_HIDDEN bool grille__is_space(uint32_t cp); /* not line ends */
/* Runs of white space (line ends, no-break spaces...) in b->data[from,
 * len): one space, none at the ends (a term that spans a line end is the
 * same term); invisible characters (a soft hyphen) dropped. */
GRILLE_HIDDEN void grille__squeeze(gbuf *b, size_t from);
GRILLE_HIDDEN bool grille__is_apostrophe(uint32_t cp);
/* Whether s is a code's colour as a project keeps it: "#rrggbb" (hex
 * digits), or "" (none). */
GRILLE_HIDDEN bool grille__color_ok(const char *s);
/* The project file is damaged: code `code` has colour `color`. */
GRILLE_HIDDEN int grille__bad_color(grille_error *err, const char *path,
                                    const char *code, const char *color);
GRILLE_HIDDEN bool grille__is_hyphen(uint32_t cp);
/* Invisible within a word, and no part of it: the soft hyphen (Word's
 * optional hyphen), the zero-width space and the word joiner (copied from
 * web pages), a BOM pasted in the middle of a text. */
static inline bool grille__is_invisible(uint32_t cp)
{
    return cp == 0xAD || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF;
}
GRILLE_HIDDEN bool grille__is_upper(uint32_t cp);
GRILLE_HIDDEN bool grille__is_combining(uint32_t cp);

/*
 * Lowercases cp and, when `fold`, strips its accents; writes the result
 * (possibly two letters for ligatures: œ -> "oe") to out and returns its
 * length in bytes (0 for a combining mark, which is dropped).
 */
GRILLE_HIDDEN size_t grille__lower(uint32_t cp, bool fold, char *out);

/* Lowercases a whole UTF-8 string into b (appending), apostrophes made
 * straight, accents stripped when `fold`. */
GRILLE_HIDDEN int grille__lower_str(gbuf *b, const char *s, size_t len,
                                    bool fold);
/* The same, folded. */
GRILLE_HIDDEN int grille__fold(gbuf *b, const char *s, size_t len);
/* s[0, len) with its apostrophes made straight, appended to b. */
GRILLE_HIDDEN int grille__straight_str(gbuf *b, const char *s, size_t len);

/* SHA-256 of data, as 64 lowercase hex digits and a NUL into hex[65]. */
GRILLE_HIDDEN void grille__sha256_hex(const void *data, size_t len,
                                      char hex[65]);
/* The same without the processor's SHA instructions, whatever it has: what
 * the tests compare the fast path with. */
GRILLE_HIDDEN void grille__sha256_hex_plain(const void *data, size_t len,
                                            char hex[65]);

#endif
