/*
 * cli.h - what the commands of the grille program share: the command
 * table, error printing, and writers for JSON, CSV and the terminal.
 * The CLI uses libgrille's public API only.
 */
#ifndef GRILLE_CLI_H
#define GRILLE_CLI_H

#include "grille.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#ifndef _
#define _(s) (s)
#endif

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef int (*cmd_fn)(int argc, char **argv);

int cmd_tag(int argc, char **argv);
int cmd_tokens(int argc, char **argv);
int cmd_codebook(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_attr(int argc, char **argv);
int cmd_recode(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_cooc(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_quotes(int argc, char **argv);
int cmd_kwic(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* "grille: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* printf to standard output, controls written as U+FFFD (put_safe): for a
 * line that holds a name or a codebook's words. */
void cli_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The "s" of an English plural after the count n: "1 document",
 * "2 documents", "0 documents". */
static inline const char *cli_s(size_t n)
{
    return n == 1 ? "" : "s";
}
/* Prints a library error ("grille: file:line:col: message"). */
void cli_lib_error(const grille_error *err);
/* Ends the command at once, failed (EXIT_RUNTIME), after "grille: what"
 * (and ": " the reason errnum gives, when not 0) on standard error, with
 * neither malloc nor stdio: memory ran out, or a temporary file was lost.
 * `what` NULL: said already.  A project being written is left as it was
 * (its transaction is never committed; the next command that opens it
 * rolls it back). */
__attribute__((noreturn)) void cli_die(const char *what, int errnum);
/* Removes the temporary file an -o output is being written to, if any
 * (render.c): for a command that ends at once (cli_die). */
void cli_out_abandon(void);
/* cli_die on out of memory. */
#define cli_nomem() cli_die(_("out of memory"), 0)
/* A usage error: message plus a hint to run `grille CMD --help`; returns
 * EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The usage error of an empty -o (-o ''), translated where it is
 * used. */
#define CLI_NO_OUTPUT "-o names no file (an empty name)"

/* The usage error of arguments a command takes none of (or too many of):
 * args[0, n) the positional ones.  One that is a project (an SQLite file,
 * or a name ending in .db) is said to go with -d; otherwise `fallback`,
 * a message, or with `with_arg` a format of one %s, args[0].  Returns
 * EXIT_USAGE. */
int cli_unexpected(const char *cmd, char *const *args, int n,
                   const char *fallback, bool with_arg);

/* The edit distance of a and b (two adjacent letters swapped: one
 * edit), up to 3: more is 3. */
size_t cli_typo_distance(const char *a, const char *b);

/* The attribute key the reports read (collectivite, type, region,
 * population, role, date, enqueteur) that `key` is a typo of ("tpye",
 * "colectivite"), or NULL: for a key that is one, or none near. */
const char *cli_key_typo(const char *key);

/* After getopt's own message on a bad option ("grille tag: unrecognized
 * option '--x'"): the hint to run --help; returns EXIT_USAGE. */
int cli_bad_option(const char *cmd);

/* Whether `fd` is a terminal and colours are wanted (NO_COLOR unset). */
bool cli_color(int fd);

/* A new analyser that keeps only the current segment's tokens (memory
 * that does not grow with the document). */
int cli_analyser(grille_analyser **a, grille_error *err);

/* Loads `path` or, when NULL, the bundled codebook; prints errors. */
int cli_load_codebook(grille_codebook **out, const char *path);
/* The text of codebook `path` (for a project to keep), read as notes are
 * (Windows-1252 converted); a project given for it is named as one. */
int cli_read_codebook(grille_text **out, const char *path,
                      grille_error *err);

/* An output buffer for the hot writers (tag's JSON and CSV): appends
 * without stdio's locking and per-call overhead.  With `spill` set, the
 * buffer is written there whenever it passes OBUF_SPILL bytes, so it stays
 * small however much is rendered. */
typedef struct obuf {
    char *p;
    size_t len, cap;
    FILE *spill;
} obuf;
#define OBUF_SPILL (1u << 20)
/* Makes room for n more bytes (spilling first when it can). */
void ob_grow(obuf *b, size_t n);
/* Writes what is buffered to `spill`. */
void ob_flush(obuf *b);
static inline void ob_put(obuf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n)
        ob_grow(b, n);
    if (n)
        __builtin_memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void ob_putc(obuf *b, char c)
{
    if (b->cap == b->len)
        ob_grow(b, 1);
    b->p[b->len++] = c;
}
/* A string literal. */
#define ob_lit(b, s) ob_put((b), (s), sizeof(s) - 1)
/* s, of n bytes, with 32 bytes more that may be read after it (a name
 * rendered once, then grown by 32: OB_PADDING): copied 32 bytes at a
 * time, not through a call to memcpy. */
#define OB_PADDING 32
static inline void ob_put_padded(obuf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n + OB_PADDING)
        ob_grow(b, n + OB_PADDING);
    char *o = b->p + b->len;
    for (size_t k = 0; k < n; k += OB_PADDING)
        __builtin_memcpy(o + k, s + k, OB_PADDING);
    b->len += n;
}
static inline void ob_cstr(obuf *b, const char *s)
{
    ob_put(b, s, __builtin_strlen(s));
}
/* "00" to "99": two digits at a time. */
static inline const char *ob_pairs(void)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021"
                                "22232425262728293031323334353637383940414243"
                                "44454647484950515253545556575859606162636465"
                                "66676869707172737475767778798081828384858687"
                                "888990919293949596979899";
    return pairs;
}
/* v in decimal ending at buf[24], with 16 bytes of room before its
 * first digit; returns where it starts.  Two digits per division: tag
 * writes an offset or a count for every segment and coding. */
#define OB_DECIMAL 40
static inline size_t ob_decimal(char buf[OB_DECIMAL], size_t v)
{
    const char *pairs = ob_pairs();
    size_t i = 24;
    while (v >= 100) {
        size_t r = v % 100;
        v /= 100;
        i -= 2;
        __builtin_memcpy(buf + i, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        i -= 2;
        __builtin_memcpy(buf + i, pairs + 2 * v, 2);
    } else {
        buf[--i] = (char)('0' + v);
    }
    return i;
}
/* v in decimal: sixteen bytes copied at once (the most a count or an
 * offset of a note has, and more than is kept), not a call to memcpy. */
static inline void ob_size(obuf *b, size_t v)
{
    char buf[OB_DECIMAL];
    size_t i = ob_decimal(buf, v), n = 24 - i;
    if (b->cap - b->len < 24)
        ob_grow(b, 24);
    char *o = b->p + b->len;
    __builtin_memcpy(o, buf + i, 16);
    if (n > 16)
        __builtin_memcpy(o + 16, buf + i + 16, 8);
    b->len += n;
}
void ob_json_str(obuf *b, const char *s, size_t len);

/*
 * Unchecked writers, for a record written at once (tag's JSON): one
 * ob_reserve makes room for the whole of it and gives where it goes, the
 * ob_w* below write there and return where they stopped, and ob_commit
 * ends it.  Nothing that can grow the buffer may come between: ob_grow
 * may spill the buffer and move it, and the pointer with it.
 */
static inline char *ob_reserve(obuf *b, size_t n)
{
    if (b->cap - b->len < n)
        ob_grow(b, n);
    return b->p + b->len;
}
static inline void ob_commit(obuf *b, char *end)
{
    b->len = (size_t)(end - b->p);
}
/* A string literal: sizeof(s) - 1 bytes. */
#define ob_wlit(o, s) ((char *)__builtin_memcpy((o), (s), sizeof(s) - 1) + \
                       sizeof(s) - 1)
/* v in decimal: at most OB_WSIZE bytes of room.  Up to six digits (an
 * offset, a line, a count of a note), by their number, two at a time,
 * in 32 bits; more through ob_decimal. */
#define OB_WSIZE 24
static inline char *ob_wsize(char *o, size_t v)
{
    const char *pairs = ob_pairs();
    if (v < 100) {
        if (v < 10) {
            *o = (char)('0' + v);
            return o + 1;
        }
        __builtin_memcpy(o, pairs + 2 * v, 2);
        return o + 2;
    }
    if (v < 10000) {
        uint32_t hi = (uint32_t)v / 100, lo = (uint32_t)v - hi * 100;
        if (v < 1000) {
            *o = (char)('0' + hi);
            __builtin_memcpy(o + 1, pairs + 2 * lo, 2);
            return o + 3;
        }
        __builtin_memcpy(o, pairs + 2 * hi, 2);
        __builtin_memcpy(o + 2, pairs + 2 * lo, 2);
        return o + 4;
    }
    if (v < 1000000) {
        uint32_t hi = (uint32_t)v / 10000, lo = (uint32_t)v - hi * 10000;
        uint32_t mid = lo / 100;
        lo -= mid * 100;
        size_t n = v < 100000 ? 5 : 6;
        if (n == 5)
            *o = (char)('0' + hi);
        else
            __builtin_memcpy(o, pairs + 2 * hi, 2);
        __builtin_memcpy(o + n - 4, pairs + 2 * mid, 2);
        __builtin_memcpy(o + n - 2, pairs + 2 * lo, 2);
        return o + n;
    }
    char buf[OB_DECIMAL];
    size_t i = ob_decimal(buf, v), n = 24 - i;
    __builtin_memcpy(o, buf + i, 16);
    if (n > 16)
        __builtin_memcpy(o + 16, buf + i + 16, 8);
    return o + n;
}
/* A name rendered with OB_PADDING bytes after it (ob_put_padded): room
 * for n + OB_PADDING bytes. */
static inline char *ob_wpadded(char *o, const char *s, size_t n)
{
    __builtin_memcpy(o, s, OB_PADDING); /* most names: once */
    for (size_t k = OB_PADDING; k < n; k += OB_PADDING)
        __builtin_memcpy(o + k, s + k, OB_PADDING);
    return o + n;
}
/* The room ob_json_raw needs for a text of len bytes: six bytes per byte
 * (\u0000), the quotes, and sixteen bytes written at once past the end. */
#define OB_JSON_ROOM(len) (6 * (size_t)(len) + 26)
/* ob_json_str's string written at o, which has OB_JSON_ROOM(len) bytes
 * of room; returns its end.  `more` bytes after s[len) may be read (the
 * rest of a document): the last bytes are then read sixteen at once. */
char *ob_json_raw(char *o, const char *s, size_t len, size_t more);
#ifdef __SSE2__
/* The bytes of v that a JSON string cannot hold as they are (controls,
 * below 0x20: min(b, 0x1F) == b; '"', '\\', DEL), and C2, the lead byte
 * of the C1 controls, looked at one by one: a mask of 16 bits. */
static inline unsigned ob_json_bad16(__m128i v)
{
    __m128i ctrl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    __m128i bad = _mm_or_si128(
        _mm_or_si128(ctrl, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC2))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))));
    return (unsigned)_mm_movemask_epi8(bad);
}
#endif
/* ob_json_raw, inline for a text shorter than sixteen bytes that needs
 * no escape and has sixteen bytes to read (a term, in a document). */
static inline char *ob_wjson(char *o, const char *s, size_t len, size_t more)
{
#ifdef __SSE2__
    if (len < 16 && len + more >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        if (!(ob_json_bad16(v) & ((1u << len) - 1))) {
            *o = '"';
            _mm_storeu_si128((__m128i *)(void *)(o + 1), v);
            o[len + 1] = '"';
            return o + len + 2;
        }
    }
#endif
    return ob_json_raw(o, s, len, more);
}
/* printf into the buffer. */
void ob_printf(obuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ob_csv_cell(obuf *b, const char *s, size_t len, bool text);

/* JSON: a string with escapes (ob_json_text: invalid UTF-8 becomes
 * U+FFFD), valid JSON out whatever comes in. */
void json_str(FILE *f, const char *s, size_t len);
static inline void json_cstr(FILE *f, const char *s)
{
    json_str(f, s, __builtin_strlen(s));
}
/* An attribute's key as the project stores it ("TYPE", "Rôle": type,
 * role), which --by may spell otherwise: JSON names it so. */
void json_attr_key(FILE *f, const char *key);
/* CSV (RFC 4180): a cell quoted when needed; text cells that a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR first) get a leading '. */
void csv_cell(FILE *f, const char *s, size_t len, bool text);
static inline void csv_ccell(FILE *f, const char *s, bool text)
{
    csv_cell(f, s, __builtin_strlen(s), text);
}

/* The folder of temporary files: $TMPDIR, else /tmp. */
const char *cli_temp_dir(void);
/* A temporary file in cli_temp_dir(), mode 0600, with no name (O_TMPFILE;
 * else made and unlinked at once): nothing is left of it, even after a
 * kill.  NULL (errno set) when it cannot be made. */
FILE *cli_temp_file(void);
/* A temporary file for output that waits, of about `bytes`, deleted when
 * closed: in memory (memfd) where the system has it and it takes at most
 * a sixteenth of the RAM, so that hundreds of MB written and dropped do
 * not go through the file system; else cli_temp_file(), which can go to
 * disk.  Either is tried when the other cannot be made.  NULL (errno set
 * by the first) when neither can. */
FILE *cli_spool_file(size_t bytes);

/* qsort comparator of C strings (an array of char * or const char *). */
int cli_cmp_str(const void *a, const void *b);

/* Distinct strings numbered in the order they first come: a hash table,
 * so that the collectivités of a national consultation cost a lookup each
 * rather than a sort.  The strings are not copied. */
typedef struct strindex_slot {
    size_t hash;   /* of its key: another key's string is not read */
    size_t number; /* number + 1, 0 for free */
} strindex_slot;
typedef struct strindex {
    const char **keys; /* by number */
    size_t n, cap;
    strindex_slot *slots;
    size_t nslots;
} strindex;

/* The number of s: a new string gets the next one.  Aborts when out of
 * memory, like the rest of the renderers. */
size_t strindex_get(strindex *x, const char *s);
void strindex_free(strindex *x);

/* Writes a number in decimal (faster than printf in hot loops). */
void put_size(FILE *f, size_t v);

/*
 * Text for a terminal.  A note, a name or a codebook may hold bytes that a
 * terminal takes for commands (ESC starts the sequences that move the
 * cursor, recolour or retitle the window): C0 controls but tab and line
 * feed, DEL, and the C1 controls U+0080..U+009F; and the bidirectional
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069), which make
 * a terminal show text in another order than it has; the line and
 * paragraph separators (U+2028, U+2029), which some terminals and editors
 * take for a line end; and a byte that is not UTF-8 (a file name written
 * in Latin-1).  The text formats write each as U+FFFD (�).  control_at
 * gives the bytes of such a character at s[i] of s[0..n), or 0.
 */
#define REPLACEMENT_CHAR "\xef\xbf\xbd"
/* The length of the valid UTF-8 sequence at s[i] of s[0..n), or 0. */
static inline size_t cli_utf8_seq(const char *str, size_t n, size_t i)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (i + k > n || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t j = 2; j < k; j++)
        if ((s[i + j] & 0xC0) != 0x80)
            return 0;
    return k;
}
static inline size_t control_at(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20)
        return c == '\t' || c == '\n' ? 0 : 1;
    if (c == 0x7F)
        return 1;
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
        (unsigned char)s[i + 1] <= 0x9F)
        return 2;
    if (c == 0xE2 && i + 2 < n) {
        unsigned char d = (unsigned char)s[i + 1], e = (unsigned char)s[i + 2];
        if ((d == 0x80 && e >= 0xA8 && e <= 0xAE) ||
            (d == 0x81 && e >= 0xA6 && e <= 0xA9))
            return 3;
    }
    /* a byte that is not UTF-8 (a file name in Latin-1) */
    return c >= 0x80 && !cli_utf8_seq(s, n, i);
}
/* The bytes written as they are at s[i], when control_at is 0 there: a
 * whole character, so that its continuation bytes are not looked at as
 * bytes of their own. */
static inline size_t plain_at(const char *s, size_t n, size_t i)
{
    return (unsigned char)s[i] < 0x80 ? 1 : cli_utf8_seq(s, n, i);
}
/* Whether s[0..len) is valid UTF-8. */
bool cli_utf8_valid(const char *s, size_t len);
/* A copy of s (malloc'd) with each byte that is not UTF-8 as U+FFFD, as
 * the outputs write it. */
char *cli_utf8_cleaned(const char *s);
/* Checks that no key of the KEY=VALUE arguments kv[0..n) is given twice,
 * in one spelling or two that name one attribute ("type" and "Type"):
 * 0, or the usage error of `cmd` (exit status 2) after saying which. */
int cli_attr_args_once(const char *cmd, char *const *kv, size_t n);
/* A JSON string of s[0..len), which may not be UTF-8 (a file name, an
 * attribute typed in another encoding): its invalid bytes become U+FFFD,
 * so that the output stays JSON.  ob_json_str is for texts known valid. */
void ob_json_text(obuf *b, const char *s, size_t len);

/* Writes s[0..len) with its controls replaced. */
void put_safe(FILE *f, const char *s, size_t len);
void put_safe_str(FILE *f, const char *s);
/* s on one line: its line ends, as its other control characters, written
 * as U+FFFD (a file's name in a message or a list of failures). */
void cli_put_line(FILE *f, const char *s);
void ob_safe(obuf *b, const char *s, size_t len);
/* ob_safe of a field on one line of a listing (a name, an attribute):
 * a tab or a line end in it is a space. */
void ob_safe_line(obuf *b, const char *s, size_t len);
void put_safe_line(FILE *f, const char *s);

/* Writes s[0..len) on one line: runs of white space become one space, and
 * controls are replaced (put_safe). */
void put_flat(FILE *f, const char *s, size_t len);
/* put_flat of a text written in pieces: *space (false at its start) says
 * that the piece before ended in whitespace, not written yet. */
void put_flat_run(FILE *f, const char *s, size_t len, bool *space);
/* Display width of s[0..len): terminal columns (text_step). */
size_t text_width(const char *s, size_t len);
/* The byte length of the code point at s[i] (one for a byte that is not
 * UTF-8), and in *cols the terminal columns it takes (0, 1 or 2). */
size_t text_step(const char *s, size_t len, size_t i, size_t *cols);

/* A document read for coding: decoded text, attributes, body offset. */
typedef struct cli_doc {
    const char *name; /* as given; "<stdin>" for "-" */
    grille_text *text;
    grille_attrs *attrs;
    const char *data;
    size_t len, body;
} cli_doc;

/* Reads, decodes and parses the front matter of `path`; prints a warning
 * when the file was converted and the error when it fails. */
int cli_doc_read(cli_doc *doc, const char *path);
void cli_doc_free(cli_doc *doc);
/* Whether text s[0, len) of document `name`, whose front matter was not
 * read (body 0), opens after blank lines with a block between two '---'
 * lines that the front matter's rules read as text, and that looks like
 * a front matter all the same: YAML keys (`commune: Brest`, none of the
 * seven the reports read), or a YAML error.  Then msg (of cap bytes)
 * receives a warning that names the file and line, and why: the note's
 * attributes would otherwise be lost unsaid.  Lines of notes between two
 * rules (`Masques : reçus fin mars`) get none.  So does a note whose
 * first line is one of the seven keys with its value, without the '---'
 * lines ("collectivite: Auray"). */
bool cli_front_matter_aside(const char *s, size_t len, const char *name,
                            char *msg, size_t cap);

/* Paths, each malloc'd. */
typedef struct cli_files {
    char **v;
    size_t n, cap;
    uint64_t bytes; /* the sizes of the files listed, as stat saw them */
} cli_files;
/* Appends path (malloc'd; NULL: out of memory), or frees it and returns
 * -1. */
int cli_files_push(cli_files *f, char *path);
void cli_files_free(cli_files *f);
/* Whether a file's name ends in .txt or .md (any case): a note's. */
bool cli_note_name(const char *name);
/* The .txt and .md files under folder `dir`, sorted, depth first, into
 * out; a subfolder that cannot be read is said and goes to unread (with
 * a '/' after it); other files, links to folders and the like are said
 * skipped and counted in *skipped; the project `db` and its side files
 * (NULL: none) are left out unsaid.  Links to files are followed.  -1
 * when out of memory or `dir` cannot be read (said). */
int cli_walk(const char *dir, const char *db, cli_files *out,
             cli_files *unread, size_t *skipped);

/* The schema an older project was upgraded to when cli_open_store
 * opened it; 0 when none was. */
extern int cli_upgraded_to;

/* project.c: the project file named by -d, else $GRILLE_DB, else
 * ./grille.db. */
const char *cli_db_path(const char *opt);
/* Before a command that builds large tables of a project in memory (the
 * report's documents, attributes and cells, add's page cache of SQLite):
 * the heap grows once by 256 MiB of address space and is never given
 * back, and its first `populate` bytes, what the command is expected to
 * use, are made present in one call, in 4 KiB pages.  A fault at each
 * page first touched cost 13 us on one benchmark machine: the report's
 * 3,400 of them were most of its time, add's 19,500 a sixth of its.  The
 * heap was hinted for 2 MiB pages instead: on another machine of the
 * kind, whose free memory the host seemed to take back, each was cleared
 * at a cost (a tenth of add's writing thread; half of a report run just
 * after an add).  With `one_arena` (report, cooc, compare), the
 * command's threads share the one heap; add's and recode's preparing
 * threads keep arenas of their own (one lock for all was slower: 2.33 s
 * against 2.16 s). */
void cli_large_heap(bool one_arena, size_t populate);
/* The size of file `path` divided by `part`, at most `most`; 0 when it
 * is no file: what a command reading a project of that size is expected
 * to keep in memory. */
size_t cli_heap_share(const char *path, size_t part, size_t most);
/* Before loading a codebook: the heap's next MiB made present in one
 * call (MADV_POPULATE_WRITE) rather than a page fault per 4 KiB page as
 * the codebook's many small allocations first touch it (some 220 faults,
 * 13 us each on the benchmark's machine: a fifth of tagging a 1 KB
 * note).  The memory is freed for them to use, and stays in the heap. */
void cli_warm_heap(void);
/* Opens the project, printing the error. */
int cli_open_store(grille_store **out, const char *path, bool readonly);
/* Whether file `out` is the project `db` itself (or its -wal, -shm or
 * -journal file), through any path or link: an -o there would destroy
 * it.  Says so when it is. */
bool cli_same_file(const char *out, const char *db);
/* The same, unsaid. */
bool cli_project_file(const char *out, const char *db);
/* The files of project `db` that are there when taken (the project, its
 * -wal, -shm and -journal), by device and inode: a folder of 18,000 notes
 * is walked with one look at them, not eight system calls per note. */
typedef struct cli_project_ids {
    size_t n;
    dev_t dev[4];
    ino_t ino[4];
} cli_project_ids;
void cli_project_ids_take(cli_project_ids *ids, const char *db);
/* Whether the file `st` describes is one of them. */
bool cli_project_ids_has(const cli_project_ids *ids, const struct stat *st);

/* Set by SIGINT/SIGTERM/SIGHUP once cli_catch_signals() was called. */
#include <signal.h>
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_signals(void);
/* After a commit: a warning when its -wal could not be written back into
 * the project (a full disk), which must then stay beside it. */
void cli_checkpoint(grille_store *s);
/* The same, but a second signal does not kill either: for work that
 * stops within a moment and removes its files. */
void cli_catch_signals_patient(void);

/* A progress line on stderr, only when stderr is a terminal. */
typedef struct cli_progress {
    const char *what;
    size_t total;
    double start, last;
    bool shown;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *what, size_t total);
void cli_progress_step(cli_progress *p, size_t done);
void cli_progress_end(cli_progress *p);

/* cmd_list.c: the documents of the project with their attributes as
 * CSV (what `grille list -f csv` prints); prints errors. */
int list_write_csv(grille_store *s, FILE *f);

/* Parses "-f" values; returns -1 for an unknown one. */
enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_MD, FMT_HTML };
int parse_format(const char *s, unsigned allowed);
/* The format an output file's name asks for (rapport.html: html), when
 * no -f gives one; -1 for none of `allowed`. */
int format_of_name(const char *path, unsigned allowed);
/* The format of output `out` (NULL: stdout): `fmt` when -f gave it, else
 * the one its name asks for, else `fmt` with a warning when its name has
 * an extension, which asks for none of `allowed` (rapport.pdf). */
int output_format(const char *out, unsigned allowed, int fmt, bool given);

/* The default number of threads of add and recode: one per processor,
 * at most 8. */
long cli_default_jobs(void);
/* -j N of command `cmd`: a number of threads from 1 to 64 into *jobs;
 * else prints the usage error and returns EXIT_USAGE (0 when fine). */
int cli_jobs(const char *cmd, const char *arg, long *jobs);

#endif
