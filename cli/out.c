/*
 * out.c - writers shared by the commands: error messages, JSON strings,
 * CSV cells, flattened segment text, and terminal detection.
 */
#include "cli.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

/* A message's text: one line, a line end in it (a file's name may hold
 * one) written as U+FFFD, as the other control characters are. */
static void put_message(FILE *f, const char *s, size_t n)
{
    const char *nl;
    while ((nl = memchr(s, '\n', n)) != NULL) {
        put_safe(f, s, (size_t)(nl - s));
        fputs(REPLACEMENT_CHAR, f);
        n -= (size_t)(nl - s) + 1;
        s = nl + 1;
    }
    put_safe(f, s, n);
}

void cli_put_line(FILE *f, const char *s)
{
    put_message(f, s, strlen(s));
}

/* A message to the terminal: the names and values in it (a file found
 * in a folder, a codebook's name) may hold control characters, written
 * as U+FFFD as in the text outputs; an error or a warning on one line
 * (one_line), its line ends too. */
static void vmessage_as(FILE *f, bool one_line, const char *fmt, va_list ap)
{
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    if (n < 0) {
        fputs(fmt, f); /* out of memory: the message's words */
        return;
    }
    if (one_line)
        put_message(f, s, (size_t)n);
    else
        put_safe(f, s, (size_t)n);
    free(s);
}

static void vmessage(FILE *f, const char *fmt, va_list ap)
{
    vmessage_as(f, false, fmt, ap);
}

static void verror_line(FILE *f, const char *fmt, va_list ap)
{
    vmessage_as(f, true, fmt, ap);
}

void cli_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(stdout, fmt, ap);
    va_end(ap);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("grille: ", stderr);
    va_start(ap, fmt);
    verror_line(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;
    fputs(_("grille: warning: "), stderr);
    va_start(ap, fmt);
    verror_line(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_lib_error(const grille_error *err)
{
    fputs("grille: ", stderr);
    const char *m = err->message[0] ? err->message : grille_strerror(err->code);
    put_message(stderr, m, strlen(m));
    fputc('\n', stderr);
}

void cli_die(const char *what, int errnum)
{
    /* the -o file being written, removed as an exit would */
    cli_out_abandon();
    if (what) {
        /* one line in one write: two threads dying at once do not
         * interleave; on a terminal, the progress line cleared first */
        char line[512];
        const char *why = errnum ? strerror(errnum) : NULL;
        int n = snprintf(line, sizeof(line), "%sgrille: %s%s%s\n",
                         isatty(2) ? "\r\033[K" : "", what, why ? ": " : "",
                         why ? why : "");
        size_t len = n < 0                          ? 0
                     : (size_t)n >= sizeof(line) ? sizeof(line) - 1
                                                 : (size_t)n;
        for (size_t at = 0; at < len;) {
            ssize_t k = write(2, line + at, len - at);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            at += (size_t)k;
        }
    }
    _exit(EXIT_RUNTIME);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("grille: ", stderr);
    va_start(ap, fmt);
    vmessage(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, _("\nTry 'grille %s --help'.\n"), cmd);
    return EXIT_USAGE;
}

size_t cli_typo_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64 || (n > m ? n - m : m - n) > 2)
        return 3;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m] < 3 ? d[n][m] : 3;
}

/* Whether a and b, of one length and one edit apart, are two adjacent
 * letters swapped rather than one letter for another. */
static bool swapped(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    return a[i] && a[i + 1] && a[i] == b[i + 1] && a[i + 1] == b[i];
}

const char *cli_key_typo(const char *key)
{
    static const char *const known[] = {"collectivite", "type",  "region",
                                        "population",   "role",  "date",
                                        "enqueteur",    NULL};
    /* most keys are one, as written: no copy, no folding */
    for (size_t i = 0; known[i]; i++)
        if (strcmp(key, known[i]) == 0)
            return NULL;
    char *k = grille_attr_key(key);
    if (!k)
        return NULL;
    const char *near = NULL;
    bool is_known = false;
    for (size_t i = 0; known[i] && !is_known; i++)
        is_known = strcmp(k, known[i]) == 0;
    char *f = is_known ? NULL : grille_fold(k);
    /* Two edits for a key of six letters or more ("colectivite",
     * "enqueter"); for the short ones, a letter missing, extra or two
     * swapped ("typ", "tpye", "rolle"), not another letter: "data",
     * "pole" or "rate" are keys of their own.  A plural ("types",
     * "dates") is a key of its own too. */
    for (size_t i = 0; f && known[i] && !near; i++) {
        size_t len = strlen(known[i]), fl = strlen(f);
        if (fl == len + 1 && strncmp(f, known[i], len) == 0 && f[len] == 's')
            continue;
        size_t d = cli_typo_distance(f, known[i]);
        if (len > 5 ? d <= 2 : d == 1 && (fl != len || swapped(f, known[i])))
            near = known[i];
    }
    grille_free(f);
    free(k);
    return near;
}

/* Whether `path` is an SQLite file (a project, most likely). */
static bool sqlite_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    char head[16];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool sqlite = fread(head, 1, sizeof(head), f) == sizeof(head) &&
                  memcmp(head, "SQLite format 3", 16) == 0;
    fclose(f);
    return sqlite;
}

/* Whether `arg` names a project: an SQLite file, or a name in .db. */
static bool names_project(const char *arg)
{
    size_t n = strlen(arg);
    return (n > 3 && strcmp(arg + n - 3, ".db") == 0) || sqlite_file(arg);
}

int cli_unexpected(const char *cmd, char *const *args, int n,
                   const char *fallback, bool with_arg)
{
    for (int i = 0; i < n; i++)
        if (names_project(args[i]))
            return cli_usage(cmd,
                             _("'%s' names a project: give it with -d (-d "
                               "%s)"),
                             args[i], args[i]);
    if (n == 0 || !with_arg)
        return cli_usage(cmd, "%s", fallback);
    return cli_usage(cmd, fallback, args[0]);
}

int cli_bad_option(const char *cmd)
{
    fprintf(stderr, _("Try 'grille %s --help'.\n"), cmd);
    return EXIT_USAGE;
}

bool cli_color(int fd)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fd);
}

int cli_load_codebook(grille_codebook **out, const char *path)
{
    grille_error err = {0};
    int rc;
    cli_warm_heap();
    if (path && strcmp(path, "-") == 0) {
        /* standard input, as a note's "-" is: named <stdin> */
        grille_text *t = NULL;
        rc = cli_read_codebook(&t, path, &err);
        if (rc >= 0) {
            size_t len;
            const char *yaml = grille_text_data(t, &len);
            rc = grille_codebook_load(out, yaml, len, "<stdin>", &err);
        }
        grille_text_free(t);
    } else {
        rc = path ? grille_codebook_load_file(out, path, &err)
                  : grille_codebook_load_bundled(out, &err);
    }
    if (rc < 0)
        cli_lib_error(&err);
    return rc;
}

int cli_read_codebook(grille_text **out, const char *path,
                      grille_error *err)
{
    int rc = grille_text_read_file(out, path, err);
    if (rc >= 0) {
        grille_encoding enc = grille_text_encoding(*out);
        if (enc == GRILLE_ENC_UTF8 || enc == GRILLE_ENC_UTF8_BOM)
            return rc;
        /* converted as a note would be: a codebook must be UTF-8, as
         * every other command that reads one says (with the byte) */
        grille_text_free(*out);
        *out = NULL;
        /* a file read again as a codebook, for codebook check's message
         * (with the byte); standard input or a pipe cannot be */
        struct stat st;
        rc = 0;
        if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            grille_codebook *cb = NULL;
            rc = grille_codebook_load_file(&cb, path, err);
            grille_codebook_free(cb);
        }
        if (rc >= 0) { /* not a file, or changed between the two reads */
            err->code = rc = GRILLE_EENCODING;
            snprintf(err->message, sizeof(err->message),
                     _("%s: %s, not UTF-8: a codebook must be UTF-8; save "
                       "it with the encoding UTF-8"),
                     strcmp(path, "-") == 0 ? "<stdin>" : path,
                     grille_encoding_name(enc));
        }
        return rc;
    }
    if (rc == GRILLE_EIO)
        return rc;
    /* refused as a note (its NULs): a project is said to be one, as
     * grille_codebook_load says it, not "a binary file" */
    char head[16];
    FILE *f = fopen(path, "rb");
    if (f && fread(head, 1, sizeof(head), f) == sizeof(head) &&
        memcmp(head, "SQLite format 3", sizeof(head)) == 0) {
        grille_codebook *cb = NULL;
        grille_error why = {0};
        if (grille_codebook_load(&cb, head, sizeof(head), path, &why) < 0)
            *err = why;
        grille_codebook_free(cb);
    }
    if (f)
        fclose(f);
    return rc;
}

void ob_flush(obuf *b)
{
    if (b->spill && b->len) {
        fwrite(b->p, 1, b->len, b->spill);
        b->len = 0;
    }
}

void ob_grow(obuf *b, size_t n)
{
    if (b->spill && b->len >= OBUF_SPILL)
        ob_flush(b);
    if (b->cap - b->len >= n)
        return;
    size_t cap = b->cap ? b->cap : 64; /* small ones stay small */
    while (cap - b->len < n)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        cli_nomem();
    b->p = p;
    b->cap = cap;
}

/* Whether any of the eight bytes of w needs an escape in JSON: a control
 * (< 0x20), '"', '\\' or DEL.  Bytes >= 0x80 (UTF-8) never do. */
static inline bool json_plain8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t ascii = ~w & high;                   /* bytes < 0x80 */
    uint64_t ctrl = (w - ones * 0x20) & ascii;    /* < 0x20 */
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\'),
             del = w ^ (ones * 0x7F);
    uint64_t eq = ((q - ones) & ~q) | ((bs - ones) & ~bs) |
                  ((del - ones) & ~del);
    uint64_t c2 = w ^ (ones * 0xC2); /* the lead byte of U+0080..U+00BF */
    return !((ctrl | eq) & ascii & high) && !((c2 - ones) & ~c2 & high);
}

/* Writes the byte of s at i, one that json_plain8 or ob_json_bad16
 * flagged (or any other), at *o as JSON has it; returns the offset after
 * what it wrote: a C1 control (U+0080..U+009F: CSI would start an escape
 * sequence in a terminal that shows the JSON) is escaped, its two bytes
 * at once. */
static inline size_t json_escape(char **out, const char *s, size_t len,
                                 size_t i)
{
    static const char hex[] = "0123456789abcdef";
    char *o = *out;
    unsigned char c = (unsigned char)s[i++];
    if (c == 0xC2 && i < len && (unsigned char)s[i] <= 0x9F &&
        (unsigned char)s[i] >= 0x80) {
        unsigned char d = (unsigned char)s[i++];
        memcpy(o, "\\u00", 4);
        o[4] = hex[d >> 4];
        o[5] = hex[d & 15];
        *out = o + 6;
        return i;
    }
    /* what a JSON string cannot hold as it is: controls, '"', '\\',
     * DEL */
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
        *o++ = (char)c;
    } else {
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *out = o;
    return i;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Whether the processor has AVX2 (and the system saves its registers):
 * libgcc's constructor has asked the processor before main, and the
 * answer is a load. */
static bool has_avx2(void)
{
    return __builtin_cpu_supports("avx2") != 0;
}

/* The plain bytes of s from i (as ob_json_bad16 tells them) copied to *o
 * thirty-two at a time, while thirty-two are left: a segment's text is
 * mostly such runs.  Returns where it stopped, at a byte to look at or
 * fewer than 32 bytes before len; the buffer has room, six bytes per
 * byte. */
__attribute__((target("avx2"))) static size_t
json_run_avx2(char **out, const char *s, size_t i, size_t len)
{
    char *o = *out;
    const __m256i c1f = _mm256_set1_epi8(0x1F);
    const __m256i c2 = _mm256_set1_epi8((char)0xC2);
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i bs = _mm256_set1_epi8('\\');
    const __m256i del = _mm256_set1_epi8(0x7F);
    for (; i + 32 <= len; i += 32, o += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        __m256i bad = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_cmpeq_epi8(_mm256_min_epu8(v, c1f), v),
                _mm256_cmpeq_epi8(v, c2)),
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote),
                                            _mm256_cmpeq_epi8(v, bs)),
                            _mm256_cmpeq_epi8(v, del)));
        unsigned m = (unsigned)_mm256_movemask_epi8(bad);
        _mm256_storeu_si256((__m256i *)(void *)o, v);
        if (m) {
            unsigned k = (unsigned)__builtin_ctz(m);
            o += k;
            i += k;
            break;
        }
    }
    *out = o;
    return i;
}
#endif

char *ob_json_raw(char *o, const char *s, size_t len, size_t more)
{
    *o++ = '"';
    size_t i = 0;
#ifdef __SSE2__
#if defined(__x86_64__) && defined(__GNUC__)
    bool wide = len >= 64 && has_avx2();
#endif
    /* sixteen bytes at a time, stored as they are (the buffer has room for
     * six times the text and sixteen more), the plain ones before the
     * first to look at counted; the last bytes too when sixteen may be
     * read from them (`more`), those past the end out of the mask */
    for (;;) {
#if defined(__x86_64__) && defined(__GNUC__)
        if (wide && len - i >= 32)
            i = json_run_avx2(&o, s, i, len);
#endif
        size_t n = 16;
        if (i + 16 > len) {
            if (i >= len || len - i + more < 16)
                break;
            n = len - i;
        }
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = ob_json_bad16(v) & (unsigned)((1ul << n) - 1);
        _mm_storeu_si128((__m128i *)(void *)o, v);
        if (!m) {
            o += n;
            i += n;
            continue;
        }
        size_t k = (size_t)__builtin_ctz(m);
        o += k;
        i = json_escape(&o, s, len, i + k);
    }
#endif
    while (i < len) {
        /* eight plain bytes at a time, the common case */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!json_plain8(w))
                break;
            memcpy(o, &w, 8);
            o += 8;
            i += 8;
        }
        if (i >= len)
            break;
        if (len - i < 8) {
            /* the last bytes (most terms are shorter than eight), read
             * with plain bytes after them and written eight at a time */
            uint64_t w = 0x6161616161616161u;
            memcpy(&w, s + i, len - i);
            if (json_plain8(w)) {
                memcpy(o, &w, 8);
                o += len - i;
                break;
            }
        }
        i = json_escape(&o, s, len, i);
    }
    *o++ = '"';
    return o;
}

void ob_json_str(obuf *b, const char *s, size_t len)
{
    /* the worst case reserved once */
    char *o = ob_reserve(b, OB_JSON_ROOM(len));
    ob_commit(b, ob_json_raw(o, s, len, 0));
}

/* Whether s starts with apostrophes, then =, +, - or @: as a cell the
 * formula guard marks ('+x), which an import reads without its first
 * mark; such a value is marked once more, to come back whole. */
static char *utf8_clean(const char *s, size_t len, size_t *out_len);

static bool marked_like(const char *s, size_t len)
{
    size_t k = 0;
    while (k < len && s[k] == '\'')
        k++;
    return k > 0 && k < len && strchr("=+-@", s[k]) && s[k];
}

void ob_csv_cell(obuf *b, const char *s, size_t len, bool text)
{
    /* a name that is not UTF-8 (a file name in Latin-1): its bytes as
     * U+FFFD, as in the other formats, so that the file stays UTF-8 */
    size_t n;
    char *clean = utf8_clean(s, len, &n);
    if (clean) {
        ob_csv_cell(b, clean, n, text);
        free(clean);
        return;
    }
    /* a guard before what a spreadsheet would take for a formula, and
     * before a value that starts as a guarded one does ('+x), which a
     * cases file's import would read as guarded: it comes back whole */
    bool formula = text && len > 0 &&
                   (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                    s[0] == '\t' || s[0] == '\r' || marked_like(s, len));
    bool quote = formula;
    for (size_t i = 0; i < len && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = true;
    if (!quote) {
        ob_put(b, s, len);
        return;
    }
    ob_putc(b, '"');
    if (formula)
        ob_putc(b, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            ob_putc(b, '"');
        ob_putc(b, s[i]);
    }
    ob_putc(b, '"');
}

/* The FILE writers go through a buffer spilled to the file, so both kinds
 * of output escape alike. */
bool cli_utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t k = cli_utf8_seq(s, len, i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static char *utf8_clean(const char *s, size_t len, size_t *out_len);

void json_attr_key(FILE *f, const char *key)
{
    char *k = grille_attr_key(key);
    if (!k)
        cli_nomem();
    json_cstr(f, k);
    free(k);
}

char *cli_utf8_cleaned(const char *s)
{
    size_t n;
    char *c = utf8_clean(s, strlen(s), &n);
    if (c) {
        c[n] = '\0';
        return c;
    }
    c = strdup(s);
    if (!c)
        cli_nomem();
    return c;
}

/* s[0..len) with each byte that is not UTF-8 as U+FFFD, in a new string
 * of *out_len bytes; NULL when it is valid UTF-8 already. */
static char *utf8_clean(const char *s, size_t len, size_t *out_len)
{
    if (cli_utf8_valid(s, len))
        return NULL;
    char *clean = malloc(len * 3 + 1);
    if (!clean)
        cli_nomem();
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t k = cli_utf8_seq(s, len, i);
        if (k) {
            memcpy(clean + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(clean + o, REPLACEMENT_CHAR, 3);
            o += 3;
            i++;
        }
    }
    *out_len = o;
    return clean;
}

void ob_json_text(obuf *b, const char *s, size_t len)
{
    size_t n;
    char *clean = utf8_clean(s, len, &n);
    ob_json_str(b, clean ? clean : s, clean ? n : len);
    free(clean);
}

void json_str(FILE *f, const char *s, size_t len)
{
    obuf b = {.spill = f};
    ob_json_text(&b, s, len);
    ob_flush(&b);
    free(b.p);
}

void csv_cell(FILE *f, const char *s, size_t len, bool text)
{
    obuf b = {.spill = f};
    ob_csv_cell(&b, s, len, text);
    ob_flush(&b);
    free(b.p);
}

void put_size(FILE *f, size_t v)
{
    char buf[OB_DECIMAL];
    size_t i = ob_decimal(buf, v);
    fwrite(buf + i, 1, 24 - i, f);
}

void put_safe(FILE *f, const char *s, size_t len)
{
    obuf b = {.spill = f};
    ob_safe(&b, s, len);
    ob_flush(&b);
    free(b.p);
}

void put_safe_str(FILE *f, const char *s)
{
    put_safe(f, s, strlen(s));
}

void ob_safe(obuf *b, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len;) {
        size_t k = control_at(s, len, i);
        if (!k) {
            i += plain_at(s, len, i);
            continue;
        }
        ob_put(b, s + from, i - from);
        ob_put(b, REPLACEMENT_CHAR, 3);
        i += k;
        from = i;
    }
    ob_put(b, s + from, len - from);
}

void ob_safe_line(obuf *b, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f')
            continue;
        ob_safe(b, s + from, i - from);
        ob_putc(b, ' ');
        from = i + 1;
    }
    ob_safe(b, s + from, len - from);
}

void put_safe_line(FILE *f, const char *s)
{
    obuf b = {.spill = f};
    ob_safe_line(&b, s, strlen(s));
    ob_flush(&b);
    free(b.p);
}

/* At s[i], the white space after a hyphen that ends a line ("télé-"
 * then "travail" on the next): its bytes when a letter follows it on
 * the next line, the word then shown whole (télé-travail, as it is
 * read); else 0. */
static size_t hyphen_wrap(const char *s, size_t len, size_t i)
{
    if (i < 2 || s[i - 1] != '-' || s[i - 2] == ' ' || s[i - 2] == '\t' ||
        s[i - 2] == '\n')
        return 0;
    size_t k = i;
    unsigned ends = 0;
    for (; k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' ||
                       s[k] == '\n');
         k++)
        ends += s[k] == '\n' || (s[k] == '\r' && (k + 1 >= len ||
                                                   s[k + 1] != '\n'));
    unsigned char b = k < len ? (unsigned char)s[k] : 0;
    bool letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
    return ends == 1 && (letter || b >= 0xC3) ? k - i : 0;
}

void put_flat_run(FILE *f, const char *s, size_t len, bool *space)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v') {
            size_t w = hyphen_wrap(s, len, i);
            if (w) {
                i += w - 1;
                continue;
            }
            *space = true;
            continue;
        }
        if (*space)
            putc(' ', f);
        *space = false;
        size_t k = control_at(s, len, i);
        if (k) {
            fputs(REPLACEMENT_CHAR, f);
            i += k - 1;
            continue;
        }
        k = plain_at(s, len, i);
        fwrite(s + i, 1, k, f);
        i += k - 1;
    }
}

void put_flat(FILE *f, const char *s, size_t len)
{
    bool space = false;
    put_flat_run(f, s, len, &space);
}

/* C.UTF-8, whatever the user's locale, for its character widths (the C
 * locale has none past ASCII); NULL where the C library has no such
 * locale. */
static locale_t width_locale;
static pthread_once_t width_once = PTHREAD_ONCE_INIT;

static void width_init(void)
{
    width_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* The columns a code point takes on a terminal: none for combining marks
 * (a macOS file name's decomposed accents) and zero-width characters, two
 * for East Asian wide ones (CJK, Hangul, fullwidth forms) and emoji, one
 * otherwise: the C library's Unicode tables, else the main blocks. */
static size_t cp_cols(uint32_t c)
{
    if (c < 0x300)
        return 1;
    pthread_once(&width_once, width_init);
    if (width_locale) {
        locale_t old = uselocale(width_locale);
        int w = wcwidth((wchar_t)c);
        uselocale(old);
        return w < 0 ? 1 : (size_t)w;
    }
    if ((c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
        (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x200B && c <= 0x200F) ||
        (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
        (c >= 0xFE20 && c <= 0xFE2F) || c == 0x2060 || c == 0xFEFF)
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
        (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

size_t text_step(const char *s, size_t len, size_t i, size_t *cols)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = control_at(s, len, i);
    if (k) { /* a control, a bidi override, a byte that is not UTF-8:
              * shown as one replacement sign */
        *cols = 1;
        return k;
    }
    k = cli_utf8_seq(s, len, i);
    uint32_t c = k == 1   ? u[i]
                 : k == 2 ? (uint32_t)(u[i] & 0x1F) << 6 | (u[i + 1] & 0x3F)
                 : k == 3 ? (uint32_t)(u[i] & 0x0F) << 12 |
                                (uint32_t)(u[i + 1] & 0x3F) << 6 |
                                (u[i + 2] & 0x3F)
                          : (uint32_t)(u[i] & 0x07) << 18 |
                                (uint32_t)(u[i + 1] & 0x3F) << 12 |
                                (uint32_t)(u[i + 2] & 0x3F) << 6 |
                                (u[i + 3] & 0x3F);
    *cols = cp_cols(c);
    return k;
}

size_t text_width(const char *s, size_t len)
{
    size_t w = 0, cols;
    for (size_t i = 0; i < len;) {
        i += text_step(s, len, i, &cols);
        w += cols;
    }
    return w;
}

int parse_format(const char *s, unsigned allowed)
{
    static const char *const names[] = {"text", "json", "csv", "md", "html"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0 && (allowed & (1u << i)))
            return i;
    if (strcmp(s, "markdown") == 0 && (allowed & (1u << FMT_MD)))
        return FMT_MD;
    return -1;
}

int format_of_name(const char *path, unsigned allowed)
{
    static const struct {
        const char *ext;
        int fmt;
    } exts[] = {{".html", FMT_HTML}, {".htm", FMT_HTML}, {".md", FMT_MD},
                {".markdown", FMT_MD},
                {".csv", FMT_CSV},   {".json", FMT_JSON}, {".jsonl", FMT_JSON},
                {".txt", FMT_TEXT}};
    const char *dot = path ? strrchr(path, '.') : NULL;
    for (size_t i = 0; dot && i < sizeof(exts) / sizeof(exts[0]); i++)
        if (strcasecmp(dot, exts[i].ext) == 0 &&
            (allowed & (1u << exts[i].fmt)))
            return exts[i].fmt;
    return -1;
}

int output_format(const char *out, unsigned allowed, int fmt, bool given)
{
    static const char *const names[] = {"text", "JSON", "CSV", "Markdown",
                                        "HTML"};
    if (given || !out)
        return fmt;
    int f = format_of_name(out, allowed);
    if (f >= 0)
        return f;
    const char *slash = strrchr(out, '/');
    const char *dot = strrchr(slash ? slash + 1 : out, '.');
    /* not for a project (-o for -d), which the output refuses */
    if (dot && dot[1] && dot != (slash ? slash + 1 : out) &&
        strncmp(out, "/dev/", 5) != 0 && !sqlite_file(out))
        cli_warning(_("%s: '%s' is no format this command writes: writing "
                      "%s (-f chooses one)"),
                    out, dot, names[fmt]);
    return fmt;
}

int cli_doc_read(cli_doc *doc, const char *path)
{
    grille_error err = {0};
    memset(doc, 0, sizeof(*doc));
    doc->name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    int rc = grille_text_read_file(&doc->text, path, &err);
    if (rc < 0) {
        cli_lib_error(&err);
        return rc;
    }
    doc->data = grille_text_data(doc->text, &doc->len);
    grille_encoding enc = grille_text_encoding(doc->text);
    if (enc != GRILLE_ENC_UTF8 && enc != GRILLE_ENC_UTF8_BOM)
        cli_warning(_("%s: converted from %s to UTF-8"), doc->name,
                    grille_encoding_name(enc));
    rc = grille_attrs_parse(&doc->attrs, &doc->body, doc->data, doc->len,
                            doc->name, &err);
    if (rc < 0) {
        cli_lib_error(&err);
        cli_doc_free(doc);
        return rc;
    }
    char msg[1400];
    if (!doc->body && cli_front_matter_aside(doc->data, doc->len, doc->name,
                                             msg, sizeof(msg)))
        cli_warning("%s", msg);
    return 0;
}

/* Whether every key line of the YAML s[a, b) is written as a front
 * matter's (`commune: Brest`: a small letter first, no space before the
 * colon), not as a note's (`Masques : reçus fin mars`). */
static bool yaml_keys(const char *s, size_t a, size_t b)
{
    bool any = false;
    for (size_t i = a; i < b;) {
        const char *nl = memchr(s + i, '\n', b - i);
        size_t e = nl ? (size_t)(nl - s) : b;
        if (i < e && s[i] != ' ' && s[i] != '\t' && s[i] != '#' &&
            s[i] != '\r') {
            const char *colon = memchr(s + i, ':', e - i);
            if (!colon || colon == s + i || colon[-1] == ' ' ||
                colon[-1] == '\t' || !(s[i] >= 'a' && s[i] <= 'z'))
                return false;
            any = true;
        }
        i = e + 1;
    }
    return any;
}

/* Whether the key of line s[a, e) ("Collectivité: Auray") is one of the
 * seven attributes the reports read, as a project stores keys. */
static bool report_key_line(const char *s, size_t a, size_t e)
{
    static const char *const seven[] = {"collectivite", "type", "region",
                                        "population",   "role", "date",
                                        "enqueteur",    NULL};
    const char *colon = memchr(s + a, ':', e - a);
    size_t kn = colon ? (size_t)(colon - s) - a : 0;
    if (!kn || kn > 40 || colon[-1] == ' ' || colon[-1] == '\t' ||
        (colon + 1 < s + e && colon[1] != ' ' && colon[1] != '\t'))
        return false;
    char key[41];
    memcpy(key, s + a, kn);
    key[kn] = '\0';
    char *k = grille_attr_key(key);
    bool known = false;
    for (size_t i = 0; k && seven[i] && !known; i++)
        known = strcmp(k, seven[i]) == 0;
    free(k);
    return known;
}

/* A note that opens with the lines of a front matter without its '---'
 * lines ("collectivite: Auray", "type: commune"): its attributes would
 * be read as text, unsaid. */
static bool bare_front_matter(const char *s, size_t len, const char *name,
                              char *msg, size_t cap)
{
    size_t i = 0;
    unsigned line = 1;
    while (i < len && (s[i] == '\n' || s[i] == '\r')) {
        line += s[i] == '\n';
        i++;
    }
    size_t e = i;
    while (e < len && s[e] != '\n' && s[e] != '\r')
        e++;
    if (i == e || !report_key_line(s, i, e))
        return false;
    size_t n = e - i;
    if (n > 60) { /* cut at a character's start */
        n = 60;
        while (n && ((unsigned char)s[i + n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(msg, cap,
             _("%s:%u: '%.*s%s' opens the note as a front matter does, but "
               "without its '---' lines: read as text, and the note has no "
               "attributes (put a line '---' before the front matter and "
               "one after it)"),
             name, line, (int)n, s + i, n < e - i ? "\u2026" : "");
    return true;
}

bool cli_front_matter_aside(const char *s, size_t len, const char *name,
                            char *msg, size_t cap)
{
    /* most notes start with their front matter or their text: one test */
    if (len && s[0] >= 'A' && s[0] != '-')
        return bare_front_matter(s, len, name, msg, cap);
    if (len >= 4 && memcmp(s, "----", 4) == 0) {
        /* "----" then keys: a front matter fenced with four dashes (or
         * more), which is none: its attributes would be text, unsaid */
        size_t i = 4;
        while (i < len && (s[i] == '-' || s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i < len && s[i] == '\r')
            i++;
        if (i >= len || s[i] != '\n')
            return false;
        size_t e = ++i;
        while (e < len && s[e] != '\n' && s[e] != '\r')
            e++;
        if (i == e || !report_key_line(s, i, e))
            return false;
        snprintf(msg, cap,
                 _("%s:1: the note opens with '%.*s', not '---': the lines "
                   "after it are read as text, and the note has no "
                   "attributes (a front matter's lines are three dashes, "
                   "'---')"),
                 name, (int)(i - 1 > 40 ? 40 : i - 1 - (s[i - 2] == '\r')),
                 s);
        return true;
    }
    if (!len || (s[0] != '\n' && s[0] != '\r' && s[0] != ' ' && s[0] != '\t'))
        return false;
    size_t ys, ye, body = 0;
    if (grille_text_front_matter(s, len, &ys, &ye, &body, NULL) <= 0)
        return bare_front_matter(s, len, name, msg, cap);
    grille_attrs *at = NULL;
    grille_error e = {0};
    body = 0;
    int rc = grille_attrs_parse(&at, &body, s, len, name, &e);
    grille_attrs_free(at);
    if (rc < 0 || body > 0)
        return false;
    unsigned fence = grille_text_count_lines(s, 0, ys); /* its line */
    if (e.message[0]) { /* a YAML error: the block is text */
        snprintf(msg, cap,
                 _("%s (the block between '---' lines after the blank lines "
                   "is read as text, not as the front matter)"),
                 e.message);
        return true;
    }
    if (!yaml_keys(s, ys, ye))
        return false;
    snprintf(msg, cap,
             _("%s:%u: the block between '---' lines after the blank lines "
               "names none of the attributes the reports read (collectivite, "
               "type, region, population, role, date, enqueteur): read as "
               "text; to read it as the front matter, start the file with its "
               "'---' line"),
             name, fence);
    return true;
}

void cli_doc_free(cli_doc *doc)
{
    grille_attrs_free(doc->attrs);
    grille_text_free(doc->text);
    doc->attrs = NULL;
    doc->text = NULL;
}

int cli_analyser(grille_analyser **a, grille_error *err)
{
    int rc = grille_analyser_new(a, err);
    if (rc == 0)
        grille_analyser_keep_tokens(*a, false);
    return rc;
}

long cli_default_jobs(void)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    return ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu;
}

int cli_jobs(const char *cmd, const char *arg, long *jobs)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (!*arg || *end || n < 1 || n > 64)
        return cli_usage(cmd,
                         _("-j takes a number of threads from 1 to 64, not "
                           "'%s'"),
                         arg);
    *jobs = n;
    return 0;
}

int cli_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A hash of s eight bytes at a time (the values of attributes are short:
 * one to three rounds). */
static size_t str_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return (size_t)(h ^ (h >> 29));
}

size_t strindex_get(strindex *x, const char *s)
{
    if (2 * (x->n + 1) > x->nslots) {
        size_t n = x->nslots ? 2 * x->nslots : 64;
        strindex_slot *slots = calloc(n, sizeof(*slots));
        if (!slots)
            cli_nomem();
        for (size_t i = 0; i < x->nslots; i++) {
            if (!x->slots[i].number)
                continue;
            size_t j = x->slots[i].hash & (n - 1);
            while (slots[j].number)
                j = (j + 1) & (n - 1);
            slots[j] = x->slots[i];
        }
        free(x->slots);
        x->slots = slots;
        x->nslots = n;
    }
    size_t len = strlen(s);
    size_t h = str_hash(s, len);
    size_t j = h & (x->nslots - 1);
    for (; x->slots[j].number; j = (j + 1) & (x->nslots - 1)) {
        size_t i = x->slots[j].number - 1;
        if (x->slots[j].hash == h && strcmp(x->keys[i], s) == 0)
            return i;
    }
    if (x->n == x->cap) {
        size_t c = x->cap ? 2 * x->cap : 64;
        const char **k = realloc(x->keys, c * sizeof(*k));
        if (!k)
            cli_nomem();
        x->keys = k;
        x->cap = c;
    }
    x->keys[x->n] = s;
    x->slots[j].hash = h;
    x->slots[j].number = ++x->n;
    return x->n - 1;
}

void strindex_free(strindex *x)
{
    free(x->keys);
    free(x->slots);
    memset(x, 0, sizeof(*x));
}

/* A memfd as a FILE, or NULL. */
static FILE *memory_file(void)
{
#ifdef MFD_CLOEXEC
    int fd = memfd_create("grille-spool", MFD_CLOEXEC);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w+");
        if (f)
            return f;
        close(fd);
    }
#endif
    return NULL;
}

const char *cli_temp_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

FILE *cli_temp_file(void)
{
    const char *dir = cli_temp_dir();
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
#endif
    if (fd < 0) {
        size_t n = strlen(dir) + 32;
        char *name = malloc(n);
        if (!name)
            return NULL;
        snprintf(name, n, "%s/grille-XXXXXX", dir);
        fd = mkostemp(name, O_CLOEXEC);
        if (fd >= 0)
            unlink(name);
        free(name);
    }
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

FILE *cli_spool_file(size_t bytes)
{
    bool memory = false;
#ifdef MFD_CLOEXEC
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    memory = pages > 0 && size > 0 &&
             bytes <= (size_t)pages / 16 * (size_t)size;
#endif
    FILE *f = memory ? memory_file() : cli_temp_file();
    if (!f) {
        int e = errno;
        f = memory ? cli_temp_file() : memory_file();
        if (!f)
            errno = e; /* the first one's reason */
    }
    return f;
}

void ob_printf(obuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        ob_put(b, small, (size_t)n);
        return;
    }
    ob_grow(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ------------------------------------------------------------- folders */

int cli_files_push(cli_files *f, char *path)
{
    if (!path)
        return -1;
    if (f->n == f->cap) {
        size_t c = f->cap ? f->cap * 2 : 64;
        char **v = realloc(f->v, c * sizeof(*v));
        if (!v) {
            free(path);
            return -1;
        }
        f->v = v;
        f->cap = c;
    }
    f->v[f->n++] = path;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool cli_note_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".txt") == 0 || strcasecmp(dot, ".md") == 0);
}

/* Walks `dir` (sorted, depth first).  Symbolic links to files are
 * followed; links to folders are not (so a link loop cannot trap the
 * walk). */
static int walk(const char *dir, const cli_project_ids *db, cli_files *out,
                cli_files *unread, size_t *skipped, int depth)
{
    if (depth > 64) {
        /* its notes not read: a failure, listed at the end, as a folder
         * that cannot be read is */
        cli_error(_("%s: folders nested too deep (more than 64 levels)"),
                  dir);
        char *p = NULL;
        return asprintf(&p, "%s/", dir) >= 0 && cli_files_push(unread, p) == 0
                   ? 0
                   : -1;
    }
    DIR *d = opendir(dir);
    if (!d && depth > 0) {
        /* a subfolder that cannot be read fails as a note that cannot be
         * read does: said, listed at the end, and the others go in */
        cli_error("%s: %s", dir, strerror(errno));
        char *p = NULL; /* listed with a '/': a folder */
        return asprintf(&p, "%s/", dir) >= 0 && cli_files_push(unread, p) == 0 ? 0
                                                                      : -1;
    }
    if (!d) {
        cli_error("%s: %s", dir, strerror(errno));
        return -1;
    }
    cli_files here = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p || cli_files_push(&here, p) < 0) {
            closedir(d);
            return -1;
        }
        snprintf(p, n, "%s%s%s", dir,
                 dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
    }
    closedir(d);
    if (here.n)
        qsort(here.v, here.n, sizeof(char *), by_name);
    int rc = 0;
    for (size_t i = 0; i < here.n; i++) {
        char *p = here.v[i];
        struct stat lst, st;
        if (rc < 0) {
            free(p);
            continue;
        }
        if (lstat(p, &lst) != 0) {
            /* a folder that can be listed but not entered, a path too
             * long: a note there fails as one that cannot be read does
             * (said, listed at the end); anything else (a subfolder
             * too) is said skipped, as a broken link is */
            if (cli_note_name(p) || errno == ENAMETOOLONG) {
                /* a folder's name too long may hold notes: failed too */
                cli_error("%s: %s", p, strerror(errno));
                if (cli_files_push(unread, p) < 0)
                    rc = -1;
            } else {
                cli_warning(_("skipped %s: %s"), p, strerror(errno));
                (*skipped)++;
                free(p);
            }
            continue;
        }
        if (S_ISLNK(lst.st_mode)) {
            if (stat(p, &st) != 0) {
                cli_warning(_("skipped %s: %s"), p, strerror(errno));
                (*skipped)++;
                free(p);
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                cli_warning(_("skipped %s: a link to a folder is not "
                              "followed"),
                            p);
                (*skipped)++;
                free(p);
                continue;
            }
        } else {
            st = lst;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk(p, db, out, unread, skipped, depth + 1);
            free(p);
        } else if (S_ISREG(st.st_mode) && db && cli_project_ids_has(db, &st)) {
            free(p); /* the project itself (grille add ., a project named
                        notes.md): unsaid */
        } else if (S_ISREG(st.st_mode) && cli_note_name(p)) {
            rc = cli_files_push(out, p);
            out->bytes += (uint64_t)st.st_size;
        } else if (!S_ISREG(st.st_mode)) {
            cli_warning(_("skipped %s: not a regular file (a pipe, a device "
                          "or a socket)"),
                        p);
            (*skipped)++;
            free(p);
        } else {
            cli_warning(_("skipped %s: not a .txt or .md file"), p);
            (*skipped)++;
            free(p);
        }
    }
    free(here.v);
    return rc;
}

int cli_walk(const char *dir, const char *db, cli_files *out,
             cli_files *unread, size_t *skipped)
{
    cli_project_ids ids;
    if (db)
        cli_project_ids_take(&ids, db);
    return walk(dir, db ? &ids : NULL, out, unread, skipped, 0);
}

void cli_files_free(cli_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
    memset(f, 0, sizeof(*f));
}
