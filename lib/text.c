/*
 * text.c - the French text layer: decoding a file to UTF-8, finding its
 * front matter, cutting it into segments and segments into tokens.
 *
 * A worked example.  The note (after a front matter ending on line 7)
 *
 *     line 8   ITW DGS – 14/05
 *     line 9   • Télé-travail : 60 % des agents
 *     line 10    dès le 17 mars, l’accueil fermé
 *     line 11  DGS : on a repris aujourd’hui
 *
 * gives three segments: a paragraph on line 8 ("ITW DGS – 14/05"), a bullet
 * on line 9 whose text starts after "• " and runs to the end of line 10
 * (the indented line continues the bullet), and a speaker turn on line 11
 * labelled "DGS" whose text is "on a repris aujourd’hui".  The bullet's
 * tokens are
 *
 *     Télé-travail  word, compound: key "teletravail", stem "teletravail"
 *       Télé        its first part, key "tele"
 *       travail     its second part, key and stem "travail"
 *     60 %          number, key "60%", flagged BREAK (":" before it)
 *     des agents dès le   words
 *     17            number
 *     mars          word
 *     l’            elision, key "l'", flagged BREAK ("," before it)
 *     accueil fermé words, keys "accueil" and "ferme"
 *
 * and "aujourd’hui" stays one word (key "aujourd'hui").  Offsets are bytes
 * into the decoded text; the front matter and bullet markers are skipped
 * but keep their place, so every offset and line number is that of the
 * file as decoded.
 *
 * Rules, in short: blank lines end paragraphs; a bullet (• ‣ ◦ ▪ ■ ● ○ · −
 * – — → -> - * + ❖ ◆ and Word's pasted ones, "o" or "§" and a tab, and
 * 1. 1) a) (a)) starts its own segment and indented
 * lines below it continue it; a speaker label at a line start ("Q :",
 * "DGS :", "Mme Lefèvre :", "Enquêtrice :", with an optional [00:12:40]
 * timestamp before it) starts a turn; "## Titre" is a heading of its own.
 * Elisions split after l d j m n s t c qu jusqu lorsqu puisqu quoiqu and
 * the three apostrophes ' ’ ʼ; other words keep their apostrophe
 * (aujourd’hui, presqu’île, quelqu’un).  A hyphenated word is a compound
 * (joined key plus its parts) unless two of its parts are capitalised, in
 * which case it is a name kept whole (Castelnau-le-Lez, Saint-Étienne),
 * but after a prefix of word formation (Post-Covid, Vice-Président).
 */
#include "analyser.h"
#include "thread.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Files from this size are read into a mapping made present at once. */
#define BIG_READ (4u << 20)

struct grille_text {
    char *data;
    size_t len;
    size_t input_size;
    grille_encoding enc;
    size_t big; /* data is from grille__big_calloc(big, 1); 0: malloc */
    char *path;  /* read from this regular file by this path, or NULL */
    char *file;  /* its realpath, once grille__text_file asked for it */
    dev_t dev;   /* the file read (a relative path may name another */
    ino_t ino;   /* one by then, after a chdir) */
};

/*
 * The folder of the last file resolved, as given and resolved: the notes
 * of an add come folder by folder, and realpath() is a readlink per part
 * of the path (9 system calls for a note of the benchmark, 170,000 for
 * its add).  A file in that folder is resolved by the folder's real path
 * and one lstat() of the file: not a link, and the very file read (its
 * device and inode), it is that path.  A folder moved, linked elsewhere
 * or a chdir meanwhile name another file, or none: the full realpath()
 * then.
 */
static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;
static char dir_given[PATH_MAX], dir_real[PATH_MAX];

/* dir_real + "/" + base, malloc'd, if dir_given is `dir` (dl bytes);
 * called with dir_lock held. */
static char *in_cached_dir(const char *dir, size_t dl, const char *base)
{
    if (memcmp(dir_given, dir, dl) != 0 || dir_given[dl] != '\0')
        return NULL;
    size_t rl = strlen(dir_real), bl = strlen(base);
    char *f = malloc(rl + 1 + bl + 1);
    if (f) {
        memcpy(f, dir_real, rl);
        if (rl != 1) /* the root, "/": no second slash */
            f[rl++] = '/';
        memcpy(f + rl, base, bl + 1);
    }
    return f;
}

/* The real path of `path`, the file (dev, ino), by the real path of its
 * folder, cached: malloc'd, or NULL to resolve it in full. */
static char *by_folder(const char *path, dev_t dev, ino_t ino)
{
    const char *slash = strrchr(path, '/');
    if (slash == path)
        return NULL; /* in the root */
    /* a bare name is in ".", the current folder */
    const char *base = slash ? slash + 1 : path, *from = slash ? path : ".";
    size_t dl = slash ? (size_t)(slash - path) : 1;
    if (dl >= PATH_MAX || !*base || strcmp(base, ".") == 0 ||
        strcmp(base, "..") == 0)
        return NULL;
    char dir[PATH_MAX];
    memcpy(dir, from, dl);
    dir[dl] = '\0';
    pthread_mutex_lock(&dir_lock);
    char *f = in_cached_dir(dir, dl, base);
    pthread_mutex_unlock(&dir_lock);
    /* the folder cached, then (not cached, or no longer that folder) the
     * folder resolved again */
    for (int fresh = 0; fresh < 2; fresh++) {
        struct stat st;
        bool there = f && lstat(f, &st) == 0;
        if (there && S_ISREG(st.st_mode) && st.st_dev == dev &&
            st.st_ino == ino)
            return f;
        free(f);
        f = NULL;
        if (fresh || (there && S_ISLNK(st.st_mode)))
            break; /* a link: resolved in full */
        char *real = realpath(dir, NULL);
        if (!real || strlen(real) >= PATH_MAX) {
            free(real);
            break;
        }
        pthread_mutex_lock(&dir_lock);
        memcpy(dir_given, dir, dl + 1);
        strcpy(dir_real, real);
        f = in_cached_dir(dir, dl, base);
        pthread_mutex_unlock(&dir_lock);
        free(real);
    }
    return NULL;
}

const char *grille__text_file(const grille_text *text)
{
    if (!text || !text->path)
        return NULL;
    /* resolved on first use: tag never asks, and realpath() is a
     * readlink per part of the path and a getcwd, 4 system calls per
     * note that were a twentieth of tag's time.  A text is const to its
     * users, who may share it between threads: the first to resolve it
     * stores it, atomically. */
    grille_text *t = (grille_text *)(uintptr_t)text;
    char *f = __atomic_load_n(&t->file, __ATOMIC_ACQUIRE);
    if (f)
        return f;
    /* read by a size seen beforehand (grille_text_read_file_sized): its
     * device and inode not known, those of the file at its path now (a
     * folder linked elsewhere since, or a chdir, give that file's) */
    dev_t dev = t->dev;
    ino_t ino = t->ino;
    if (!dev && !ino) {
        struct stat now;
        if (stat(t->path, &now) != 0 || !S_ISREG(now.st_mode))
            return NULL;
        dev = now.st_dev;
        ino = now.st_ino;
    }
    f = by_folder(t->path, dev, ino);
    if (!f) {
        f = realpath(t->path, NULL);
        struct stat st;
        if (f && (stat(f, &st) != 0 || st.st_dev != dev ||
                  st.st_ino != ino)) {
            /* not the file read: unknown rather than another's */
            free(f);
            f = NULL;
        }
    }
    if (!f)
        return NULL;
    char *was = NULL;
    if (!__atomic_compare_exchange_n(&t->file, &was, f, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(f);
        return was;
    }
    return f;
}

const char *grille_encoding_name(grille_encoding enc)
{
    switch (enc) {
    case GRILLE_ENC_UTF8: return "UTF-8";
    case GRILLE_ENC_UTF8_BOM: return "UTF-8 with BOM";
    case GRILLE_ENC_UTF16LE: return "UTF-16LE";
    case GRILLE_ENC_UTF16BE: return "UTF-16BE";
    case GRILLE_ENC_WINDOWS1252: return "Windows-1252";
    case GRILLE_ENC_MACROMAN: return "Mac OS Roman";
    }
    return "unknown";
}

/* ------------------------------------------------------------- decoding */

/* Windows-1252's 0x80..0x9F; 0 where the code page has no character. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* Mac OS Roman's 0x80..0xFF (0xDB: the euro sign, as since Mac OS 8.5). */
static const uint16_t macroman_high[128] = {
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
    0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
    0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
    0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
    0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
    0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8,
    0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
    0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA,
    0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
    0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
    0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
    0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
    0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7};

/* Whether an 8-bit text (no UTF-8) is French written in Mac OS Roman
 * rather than Windows-1252: more bytes that are French letters and marks
 * there (é 0x8E, è 0x8F, à 0x88, ç 0x8D, ê 0x90, ’ 0xD5, « 0xC7...) than
 * bytes that are ones in Windows-1252 (é 0xE9, è 0xE8, à 0xE0, ’ 0x92,
 * « 0xAB, the bullet • 0x95...).  Each is a rare sign in the other (0x8E is Ž there, 0xE9
 * È here), so French text leans clearly one way. */
static bool looks_macroman(const unsigned char *u, size_t len)
{
    /* a bit per byte 0x80..0xFF: 1 where it is a French letter or mark */
    static const uint8_t mac[16] = {
        /* 0x80 */ 0x08 | 0x04, /* É 0x83, Ç 0x82 */
        /* 0x88 */ 0x01 | 0x02 | 0x20 | 0x40 | 0x80, /* à â ç é è */
        /* 0x90 */ 0x01, /* ê (not ë, î, ï: 0x91, 0x94, 0x95 are ‘, ”
                            and the bullet • in Windows-1252) */
        /* 0x98 */ 0x02 | 0x20 | 0x40 | 0x80, /* ô ù û ü */
        0, 0, 0, 0,
        /* 0xC0 */ 0x80, /* « 0xC7 */
        /* 0xC8 */ 0x01 | 0x02 | 0x08 | 0x80, /* » … À œ */
        /* 0xD0 */ 0x01 | 0x02 | 0x04 | 0x08 | 0x20, /* – — “ ” ’ */
        0, 0, 0, 0, 0};
    static const uint8_t win[16] = {
        /* 0x80 */ 0x01 | 0x20, /* € 0x80, … 0x85 */
        0, /* 0x88 */
        /* 0x90 */ 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40 | 0x80,
        /* ‘ ’ “ ” • – — */
        /* 0x98 */ 0x10, /* œ 0x9C */
        /* 0xA0 */ 0x01, /* no-break space */
        /* 0xA8 */ 0x08, /* « 0xAB */
        0,
        /* 0xB8 */ 0x08, /* » 0xBB */
        /* 0xC0 */ 0x01 | 0x80, /* À Ç */
        /* 0xC8 */ 0x02, /* É */
        0, 0,
        /* 0xE0 */ 0x01 | 0x04 | 0x80, /* à â ç */
        /* 0xE8 */ 0x01 | 0x02 | 0x04 | 0x08 | 0x40 | 0x80, /* è é ê ë î ï */
        /* 0xF0 */ 0x10, /* ô */
        /* 0xF8 */ 0x02 | 0x08 | 0x10, /* ù û ü */
    };
    size_t m = 0, w = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = u[i];
        if (c < 0x80)
            continue;
        c -= 0x80;
        m += (mac[c >> 3] >> (c & 7)) & 1;
        w += (win[c >> 3] >> (c & 7)) & 1;
    }
    return m > w;
}

/* Whether the bytes of u that are no UTF-8 outnumber four to one its
 * sequences that French in UTF-8 is made of (Latin-1's letters, C2 and
 * C3 xx; typography's punctuation, E2 xx xx): an 8-bit text whose
 * letters sometimes make another sequence by chance (Mac OS Roman's
 * "l’école", D5 8E, is U+054E), not UTF-8 with a damaged byte here and
 * there. */
static bool mostly_invalid(const unsigned char *u, size_t len)
{
    size_t french = 0, invalid = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC0 ? 2 : 1;
        if (n > 1 && n <= len - i && utf8_check((const char *)u + i, n) == n) {
            french += u[i] == 0xC2 || u[i] == 0xC3 || u[i] == 0xE2;
            i += n;
        } else {
            invalid++;
            i++;
        }
    }
    return invalid > 4 * french;
}

static int decode_utf16(grille_text *t, const unsigned char *u, size_t len,
                        bool le, const char *name, grille_error *err)
{
    gbuf b = {0};
    size_t i = 2;
    if (gbuf_grow(&b, len + len / 2) < 0)
        return grille__nomem(err);
    while (i < len) {
        if (i + 1 >= len) {
            gbuf_free(&b);
            return grille__error_at(err, GRILLE_EENCODING, name, i,
                                    _("truncated UTF-16 code unit at byte %zu"),
                                    i);
        }
        uint32_t c = le ? (uint32_t)(u[i] | u[i + 1] << 8)
                        : (uint32_t)(u[i] << 8 | u[i + 1]);
        size_t at = i;
        i += 2;
        if (c >= 0xD800 && c <= 0xDBFF) {
            uint32_t d = 0;
            if (i + 1 < len)
                d = le ? (uint32_t)(u[i] | u[i + 1] << 8)
                       : (uint32_t)(u[i] << 8 | u[i + 1]);
            if (d < 0xDC00 || d > 0xDFFF) {
                gbuf_free(&b);
                return grille__error_at(
                    err, GRILLE_EENCODING, name, at,
                    _("unpaired UTF-16 surrogate at byte %zu"), at);
            }
            i += 2;
            c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            gbuf_free(&b);
            return grille__error_at(err, GRILLE_EENCODING, name, at,
                                    _("unpaired UTF-16 surrogate at byte %zu"),
                                    at);
        } else if (c == 0) {
            gbuf_free(&b);
            return grille__error_at(
                err, GRILLE_EBINARY, name, at,
                _("NUL character at byte %zu: refusing a binary file"), at);
        }
        char tmp[4];
        size_t n = utf8_put(tmp, c);
        if (gbuf_put(&b, tmp, n) < 0) {
            gbuf_free(&b);
            return grille__nomem(err);
        }
    }
    /* the terminator, written also when there was no code unit (a BOM
     * alone: the buffer was grown, never written) */
    if (gbuf_put(&b, "", 0) < 0) {
        gbuf_free(&b);
        return grille__nomem(err);
    }
    t->data = b.data;
    t->len = b.len;
    t->enc = le ? GRILLE_ENC_UTF16LE : GRILLE_ENC_UTF16BE;
    return 0;
}

/*
 * Tells broken UTF-8 from a legacy 8-bit file.  A file with at least one
 * well-formed multibyte sequence is UTF-8 with damage; so is one whose only
 * fault is a sequence cut by the end of the file.  Otherwise, when every
 * byte has a Windows-1252 meaning, it is Windows-1252.
 */
/* Whether the invalid byte at `bad` starts a UTF-8 sequence that the end
 * of the file cut: a lead byte followed, to the end, by continuation
 * bytes only.  "report\xe9\n" is not one (Windows-1252, an é before the
 * line end). */
static bool cut_at_end(const unsigned char *u, size_t len, size_t bad)
{
    if (u[bad] < 0xC2 || u[bad] > 0xF4)
        return false;
    size_t n = u[bad] >= 0xF0 ? 4 : u[bad] >= 0xE0 ? 3 : 2;
    if (bad + n <= len)
        return false;
    for (size_t i = bad + 1; i < len; i++)
        if ((u[i] & 0xC0) != 0x80)
            return false;
    return true;
}

/* Whether u looks like Windows-1252 rather than broken UTF-8; when only
 * a byte that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
 * 0x9D) says no, its offset goes to *undefined (else len). */
static bool looks_cp1252(const unsigned char *u, size_t len,
                         size_t *undefined)
{
    *undefined = len;
    size_t first_bad = utf8_check((const char *)u, len);
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t ok = utf8_check((const char *)u + i, len - i < 4 ? len - i : 4);
        size_t n = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC0 ? 2 : 1;
        if (n > 1 && ok >= n)
            return false; /* a valid multibyte sequence */
        i++;
    }
    /* a sequence begun and cut by the end: UTF-8; a lone lead byte at the
     * very end ("caf\xe9") is as likely a Windows-1252 letter */
    if (cut_at_end(u, len, first_bad) && first_bad + 1 < len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (u[i] >= 0x80 && u[i] <= 0x9F && !cp1252_high[u[i] - 0x80]) {
            *undefined = i;
            return false;
        }
    return true;
}

int grille_text_decode(grille_text **out, const char *bytes, size_t len,
                       const char *name, grille_error *err)
{
    if (!bytes && len == 0) /* (NULL, 0): an empty text */
        bytes = "";
    const unsigned char *u = (const unsigned char *)bytes;
    grille_text *t = calloc(1, sizeof(*t));
    int rc = 0;
    *out = NULL;
    if (!t)
        return grille__nomem(err);
    t->input_size = len;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                     (u[0] == 0xFE && u[1] == 0xFF))) {
        rc = decode_utf16(t, u, len, u[0] == 0xFF, name, err);
        goto done;
    }
    const char *nul = len ? memchr(bytes, 0, len) : NULL;
    if (nul) {
        size_t at = (size_t)(nul - bytes);
        /* text in UTF-16 without its byte order mark: a NUL every other
         * byte, from the start */
        size_t zeros = 0, others = 0, n = len < 64 ? len & ~(size_t)1 : 64;
        for (size_t i = 0; i < n; i++) {
            if ((i & 1) == (at & 1))
                zeros += u[i] == 0;
            else
                others += u[i] != 0;
        }
        /* three quarters of the one kind of bytes NUL, of the other not
         * (not a run of NULs, nor UTF-32) */
        if (at <= 1 && n >= 8 && zeros * 8 >= n * 3 && others * 8 >= n * 3)
            rc = grille__error_at(
                err, GRILLE_EBINARY, name, at,
                _("NUL byte at byte %zu: this looks like UTF-16 without "
                  "its byte order mark; save the file as UTF-8 (or "
                  "UTF-16 with its mark)"),
                at);
        else
            rc = grille__error_at(
                err, GRILLE_EBINARY, name, at,
                _("NUL byte at byte %zu: refusing a binary file"), at);
        goto done;
    }
    size_t skip = 0;
    t->enc = GRILLE_ENC_UTF8;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        skip = 3;
        t->enc = GRILLE_ENC_UTF8_BOM;
    }
    size_t bad = skip + utf8_check(bytes + skip, len - skip);
    if (bad == len) {
        t->len = len - skip;
        t->data = grille__strndup(bytes + skip, t->len);
        if (!t->data)
            rc = grille__nomem(err);
        goto done;
    }
    size_t undefined = len;
    bool cp1252 = !skip && looks_cp1252(u, len, &undefined);
    /* an 8-bit text: Windows-1252, or with a byte it leaves undefined
     * (0x8D, 0x8F, 0x90, 0x9D: ç, è, ê, ù in Mac OS Roman) and no UTF-8;
     * in French, Mac OS Roman's letters tell it apart */
    bool mac = (cp1252 || undefined < len || mostly_invalid(u, len)) &&
               looks_macroman(u, len);
    if (!mac && !cp1252) {
        bool cut = cut_at_end(u, len, bad);
        /* the line and column, for an editor, and the byte offset */
        unsigned line, col;
        grille__line_col((const char *)u, skip, bad, &line, &col);
        if (undefined == bad)
            rc = grille__error(
                err, GRILLE_EENCODING, name, line, col,
                _("invalid UTF-8 at byte %zu (0x%02X), which is no "
                  "character in Windows-1252 either; save the file as "
                  "UTF-8"),
                bad, u[bad]);
        else if (undefined < len) /* Latin-1 or Windows-1252 but a byte */
            rc = grille__error(
                err, GRILLE_EENCODING, name, line, col,
                _("invalid UTF-8 at byte %zu (0x%02X), and not "
                  "Windows-1252 either: byte %zu (0x%02X) is no character "
                  "there; save the file as UTF-8"),
                bad, u[bad], undefined, u[undefined]);
        else
            rc = grille__error(
                err, GRILLE_EENCODING, name, line, col,
                cut ? _("truncated UTF-8 sequence at byte %zu (0x%02X)")
                    : _("invalid UTF-8 at byte %zu (0x%02X)"),
                bad, u[bad]);
        if (err)
            err->offset = bad;
        goto done;
    }
    gbuf b = {0};
    /* 0x80..0x9F become U+2013, U+2026...: three bytes in UTF-8 */
    if (len > SIZE_MAX / 3 - 1 || gbuf_grow(&b, len * 3) < 0) {
        rc = grille__nomem(err);
        goto done;
    }
    for (size_t i = 0; i < len; i++) {
        uint32_t c = u[i];
        if (mac && c >= 0x80)
            c = macroman_high[c - 0x80];
        else if (c >= 0x80 && c <= 0x9F)
            c = cp1252_high[c - 0x80];
        b.len += utf8_put(b.data + b.len, c);
    }
    b.data[b.len] = '\0';
    t->data = b.data;
    t->len = b.len;
    t->enc = mac ? GRILLE_ENC_MACROMAN : GRILLE_ENC_WINDOWS1252;
done:
    if (rc < 0) {
        grille_text_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* A range of a file read with pread, or of a buffer checked. */
typedef struct chunk {
    int fd;
    char *buf;
    size_t off, len;
    size_t got;   /* bytes read */
    int err;      /* errno of a failed read */
    bool check;   /* check buf[off, off + len) rather than read it */
    bool valid;
} chunk;

static void *read_chunk(void *arg)
{
    chunk *c = arg;
    if (c->check) {
        c->valid = grille__utf8_text(c->buf + c->off, c->len) == c->len;
        return NULL;
    }
    while (c->got < c->len) {
        ssize_t n = pread(c->fd, c->buf + c->off + c->got, c->len - c->got,
                          (off_t)(c->off + c->got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            c->err = errno;
        if (n <= 0)
            break;
        c->got += (size_t)n;
    }
    return NULL;
}

/* Whether s[0, len) is UTF-8 without a NUL; a large text in two halves
 * on two threads, cut before a byte that starts a character. */
static bool text_valid(const char *s, size_t len, bool large)
{
    if (!large || len < 2 * BIG_READ)
        return grille__utf8_text(s, len) == len;
    size_t cut = len / 2, k = 0;
    while (k < 3 && ((unsigned char)s[cut] & 0xC0) == 0x80) {
        cut++;
        k++;
    }
    chunk second = {0, (char *)s, cut, len - cut, 0, 0, true, false};
    pthread_t tid;
    bool two = grille__thread_create(&tid, read_chunk, &second) == 0;
    bool first = grille__utf8_text(s, cut) == cut;
    if (two)
        pthread_join(tid, NULL);
    else
        read_chunk(&second);
    return first && second.valid;
}

/*
 * A large regular file read into a mapping made present in one call
 * (faulting 100 MB in 4 KiB pages cost a third of its reading), its second half on another thread
 * when `jobs` allows and the file can be read by position.  *big is the
 * buffer's size (the file's + 2).  0 with b filled; 0 with *big = 0 when
 * the file grew meanwhile (what was read moved to a plain buffer, the
 * reading to go on); an errno; or GRILLE_ENOMEM.  b is empty on an error.
 */
static int read_big(int fd, bool positional, int jobs, gbuf *b, size_t *big)
{
    size_t size = *big;
    if (!(b->data = grille__big_calloc_full(size, 1))) {
        *big = 0; /* a plain buffer, then */
        return 0;
    }
    b->cap = size;
    ssize_t n = 1;
    if (positional && jobs > 1 && size >= 2 * BIG_READ) {
        size_t half = (size - 1) / 2;
        chunk second = {fd, b->data, half, size - 1 - half, 0, 0, 0, 0};
        pthread_t tid;
        bool two = grille__thread_create(&tid, read_chunk, &second) == 0;
        chunk first = {fd, b->data, 0, half, 0, 0, 0, 0};
        read_chunk(&first);
        if (!two)
            read_chunk(&second);
        else
            pthread_join(tid, NULL);
        if (first.err || second.err) {
            n = -1;
            errno = first.err ? first.err : second.err;
        } else if (first.got < half) { /* shorter than it was */
            b->len = first.got;
            n = 0;
        } else {
            b->len = half + second.got;
            n = second.got < size - 1 - half ? 0 : 1;
            if (n && lseek(fd, (off_t)b->len, SEEK_SET) < 0)
                n = -1;
        }
    }
    while (b->len + 1 < b->cap && n > 0) {
        n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            n = 1;
        else if (n > 0)
            b->len += (size_t)n;
    }
    char probe;
    ssize_t more = n >= 0 && b->len + 1 == b->cap ? read(fd, &probe, 1) : 0;
    int r = n < 0 || more < 0 ? errno : 0;
    if (r == 0 && more > 0) { /* it grew */
        gbuf moved = {0};
        if (gbuf_put(&moved, b->data, b->len) < 0 ||
            gbuf_put(&moved, &probe, 1) < 0) {
            gbuf_free(&moved);
            r = GRILLE_ENOMEM;
        } else {
            grille__big_free(b->data, size, 1);
            *b = moved;
            *big = 0;
            return 0;
        }
    }
    if (r != 0) {
        grille__big_free(b->data, size, 1);
        memset(b, 0, sizeof(*b));
        *big = 0;
    }
    return r;
}

int grille_text_read_file(grille_text **out, const char *path,
                          grille_error *err)
{
    return grille_text_read_file_jobs(out, path, 1, err);
}

static int read_fd(grille_text **out, int fd, const char *path, int jobs,
                   const struct stat *seen, grille_error *err);

/* Opens the note at `path` for reading: its descriptor, or -1 with the
 * error said in err. */
static int open_note(const char *path, grille_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        grille__error(err, GRILLE_EIO, path, 0, 0, "%s", strerror(e));
        if (err)
            err->detail = e;
    }
    return fd;
}

int grille_text_read_file_jobs(grille_text **out, const char *path,
                               int jobs, grille_error *err)
{
    int fd = 0;
    *out = NULL;
    if (!path)
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             _("no file given"));
    if (strcmp(path, "-") != 0 && (fd = open_note(path, err)) < 0)
        return GRILLE_EIO;
    return read_fd(out, fd, path, jobs, NULL, err);
}

int grille_text_read_file_sized(grille_text **out, const char *path,
                                int jobs, uint64_t size, grille_error *err)
{
    *out = NULL;
    if (!path || !strcmp(path, "-") || !size || size > (uint64_t)SIZE_MAX / 2)
        return grille_text_read_file_jobs(out, path, jobs, err);
    int fd = open_note(path, err);
    if (fd < 0)
        return GRILLE_EIO;
    /* a regular file of that size; its device and inode not known (0:
     * looked at when its file is asked for, grille__text_file) */
    struct stat seen;
    memset(&seen, 0, sizeof(seen));
    seen.st_mode = S_IFREG;
    seen.st_size = (off_t)size;
    return read_fd(out, fd, path, jobs, &seen, err);
}

int grille_text_read_fd(grille_text **out, int fd, const char *path,
                        int jobs, grille_error *err)
{
    *out = NULL;
    if (!path || fd < 0) {
        if (fd > 0)
            close(fd);
        return grille__error(err, GRILLE_EINVALID, NULL, 0, 0, "%s",
                             path ? _("no file given (a negative descriptor)")
                                  : _("no file given"));
    }
    return read_fd(out, fd, path, jobs, NULL, err);
}

/* Reads and decodes descriptor fd of the file at `path` ("-": standard
 * input, fd 0), which it closes (but standard input); `seen`: the file's
 * stat, taken by the caller (NULL: fstat of fd). */
static int read_fd(grille_text **out, int fd, const char *path, int jobs,
                   const struct stat *seen, grille_error *err)
{
    /* standard input is fd 0, never closed; "-" names it */
    bool is_stdin = fd == 0;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct stat st;
    bool regular = false; /* a file the text can be said to come from */
    if (seen) {
        st = *seen;
    } else if (fstat(fd, &st) != 0) {
        int e = errno;
        if (!is_stdin)
            close(fd);
        grille__error(err, GRILLE_EIO, name, 0, 0, "%s", strerror(e));
        if (err)
            err->detail = e;
        return GRILLE_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!is_stdin)
            close(fd);
        int r = grille__error(err, GRILLE_EIO, name, 0, 0, "%s",
                              _("is a folder, not a file"));
        if (err) /* as a codebook's file says it */
            err->detail = EISDIR;
        return r;
    } else if (!is_stdin) {
        regular = S_ISREG(st.st_mode);
    }
    gbuf b = {0};
    /* a file of known size: room for one byte more than it holds (and
     * the NUL), so that a first read that stops short at that size is
     * the end, with no read more to see it (a system call per note,
     * 3 us on a VM; files under BIG_READ: read_big reads its own way).
     * A read short of it ends the file only at the size seen: one that
     * stops earlier (a network file system's chunk) is read on. */
    size_t known = S_ISREG(st.st_mode) && st.st_size > 0
                       ? (size_t)st.st_size
                       : SIZE_MAX;
    size_t want = known != SIZE_MAX ? known + 2 : 65536;
    size_t big = want >= BIG_READ ? want : 0;
    int r = big ? read_big(fd, !is_stdin, jobs, &b, &big) : 0;
    /* a pipe or a device has no end known before it comes (/dev/zero
     * none at all): Ctrl-C is heard between reads, and the first NUL
     * byte ends it, refused below as in a file, unless a UTF-16 BOM
     * opens it */
    bool stream = !S_ISREG(st.st_mode);
    while (r == 0 && !big) {
        if (stream && grille__interrupted()) {
            r = GRILLE_EINTR;
            break;
        }
        /* room for `want` more bytes once the buffer is full, then twice
         * as much each time (it grew at every read, and a pipe gives 64 KiB
         * a read: 1 MB of standard input asked for gigabytes) */
        if (b.len + 1 >= b.cap) {
            if (gbuf_grow(&b, want) < 0) {
                r = GRILLE_ENOMEM;
                break;
            }
            want = b.cap;
        }
        size_t ask = b.cap - b.len - 1;
        ssize_t n = read(fd, b.data + b.len, ask);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            r = errno;
        if (n <= 0)
            break;
        b.len += (size_t)n;
        if (!stream && (size_t)n < ask && b.len == known)
            break; /* all of it, read short of the byte more */
        if (stream && memchr(b.data + b.len - (size_t)n, 0, (size_t)n) &&
            !(b.len >= 2 && (((unsigned char)b.data[0] == 0xFF &&
                              (unsigned char)b.data[1] == 0xFE) ||
                             ((unsigned char)b.data[0] == 0xFE &&
                              (unsigned char)b.data[1] == 0xFF))))
            break;
    }
    if (r != 0) {
        if (!is_stdin)
            close(fd);
        size_t got = b.len;
        gbuf_free(&b);
        if (r == GRILLE_EINTR)
            return grille__interrupt(err, name);
        if (r == GRILLE_ENOMEM)
            return grille__error(err, GRILLE_ENOMEM, name, 0, 0,
                                 _("out of memory after reading %zu MB of "
                                   "it"),
                                 got >> 20);
        grille__error(err, GRILLE_EIO, name, 0, 0, "%s", strerror(r));
        if (err)
            err->detail = r;
        return GRILLE_EIO;
    }
    if (!is_stdin)
        close(fd);
    if (b.data)
        b.data[b.len] = '\0'; /* read() left room for it, not the byte */
    /* Valid UTF-8 (the common case) keeps the buffer it was read into:
     * a large note is not held twice in memory. */
    if (b.data) {
        size_t skip = b.len >= 3 && memcmp(b.data, "\xEF\xBB\xBF", 3) == 0;
        skip *= 3;
        /* valid UTF-8 without a NUL (binary), in one pass (two halves on
         * two threads for a large file) */
        if (text_valid(b.data + skip, b.len - skip, big && jobs > 1) &&
            !(b.len >= 2 && (((unsigned char)b.data[0] == 0xFF &&
                              (unsigned char)b.data[1] == 0xFE) ||
                             ((unsigned char)b.data[0] == 0xFE &&
                              (unsigned char)b.data[1] == 0xFF)))) {
            grille_text *t = calloc(1, sizeof(*t));
            if (!t) {
                if (big)
                    grille__big_free(b.data, big, 1);
                else
                    gbuf_free(&b);
                return grille__nomem(err);
            }
            t->input_size = b.len;
            t->big = big;
            t->enc = skip ? GRILLE_ENC_UTF8_BOM : GRILLE_ENC_UTF8;
            if (skip)
                memmove(b.data, b.data + skip, b.len - skip + 1);
            t->len = b.len - skip;
            t->data = b.data;
            t->path = regular ? grille__strndup(path, strlen(path)) : NULL;
            t->dev = st.st_dev;
            t->ino = st.st_ino;
            if (regular && !t->path) { /* the file it came from, unknown */
                grille_text_free(t);
                return grille__nomem(err);
            }
            *out = t;
            return 0;
        }
    }
    int rc = grille_text_decode(out, b.data ? b.data : "", b.len, name, err);
    if (big)
        grille__big_free(b.data, big, 1);
    else
        gbuf_free(&b);
    if (rc == 0 && regular) {
        (*out)->path = grille__strndup(path, strlen(path));
        (*out)->dev = st.st_dev;
        (*out)->ino = st.st_ino;
        if (!(*out)->path) {
            grille_text_free(*out);
            *out = NULL;
            return grille__nomem(err);
        }
    }
    return rc;
}

const char *grille_text_data(const grille_text *text, size_t *len)
{
    if (len)
        *len = text->len;
    return text->data;
}

grille_encoding grille_text_encoding(const grille_text *text)
{
    return text->enc;
}

void grille__text_set_encoding(grille_text *text, grille_encoding enc)
{
    text->enc = enc;
}

size_t grille_text_input_size(const grille_text *text)
{
    return text->input_size;
}

void grille_text_free(grille_text *text)
{
    if (!text)
        return;
    if (text->big)
        grille__big_free(text->data, text->big, 1);
    else
        free(text->data);
    free(text->file);
    free(text->path);
    free(text);
}

/* ------------------------------------------------------------------ lines */

/* The offset of the first byte below 0x0E from k (a line end, a form
 * feed, a tab...), or len: sixteen bytes at a time with SSE2 (a byte b is
 * below 0x0E when min(b, 0x0D) == b, unsigned), else eight.  The
 * eight-byte mask flags every such byte, and may flag others after one (a
 * borrow): the first flagged is at or before the first such byte, and the
 * bytes from there are looked at one by one. */
static inline size_t low_byte(const char *s, size_t len, size_t k)
{
#ifdef __SSE2__
    const __m128i top = _mm_set1_epi8(0x0D);
    for (; k + 16 <= len; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        int m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, top), v));
        if (m)
            return k + (size_t)__builtin_ctz((unsigned)m);
    }
#else
    const uint64_t ones = 0x0101010101010101ULL;
    for (; k + 8 <= len; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        uint64_t m = (w - ones * 0x0E) & ~w & (ones * 0x80);
        if (m) {
            k += grille__first_high(m);
            break;
        }
    }
#endif
    while (k < len && (unsigned char)s[k] >= 0x0E)
        k++; /* the last bytes, or those after a borrow */
    return k;
}

/* The line from i: its end (a '\n', a '\r' or len) in *end, and the
 * offset of the next line.  *ff tells whether the line has a form feed.
 * One pass to each byte below 0x0E (the three of them are; tabs are too,
 * and are stepped over). */
static inline size_t line_at(const char *s, size_t len, size_t i,
                             size_t *end, bool *ff)
{
    *ff = false;
    for (size_t k = i;; k++) {
        k = low_byte(s, len, k);
        if (k >= len) {
            *end = len;
            return len;
        }
        char c = s[k];
        if (c == '\n' || c == '\r') {
            *end = k;
            if (c == '\r' && k + 1 < len && s[k + 1] == '\n')
                return k + 2;
            return k + 1;
        }
        if (c == '\f')
            *ff = true;
    }
}

static size_t next_line(const char *s, size_t len, size_t i, size_t *end)
{
    bool ff;
    return line_at(s, len, i, end, &ff);
}

static bool fence(const char *s, size_t a, size_t b, const char *mark)
{
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    return b - a == 3 && memcmp(s + a, mark, 3) == 0;
}

int grille_text_front_matter(const char *s, size_t len, size_t *yaml_start,
                             size_t *yaml_end, size_t *body,
                             grille_error *err)
{
    size_t end;
    size_t i = next_line(s, len, 0, &end), open = 0;
    *body = 0;
    *yaml_start = *yaml_end = 0;
    /* after blank lines, a block is a front matter only when it is
     * closed and starts with a key ("type: commune"): a rule "---" under
     * a blank line is Markdown's, and its text is text (and
     * grille_attrs_parse asks more of it) */
    bool after_blank = false;
    for (;;) {
        size_t k = open; /* s need not end with a NUL: bounded by end */
        while (k < end && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k < end || i <= open || i >= len)
            break;
        open = i;
        i = next_line(s, len, open, &end);
        after_blank = true;
    }
    if (!fence(s, open, end, "---"))
        return 0;
    if (after_blank) {
        size_t k = i;
        while (k < len && ((s[k] >= 'a' && s[k] <= 'z') ||
                           (s[k] >= 'A' && s[k] <= 'Z') ||
                           (s[k] >= '0' && s[k] <= '9') || s[k] == '_' ||
                           s[k] == '-' || (unsigned char)s[k] >= 0x80))
            k++;
        size_t key_end = k;
        while (k < len && (s[k] == ' ' || s[k] == '\t'))
            k++; /* "Collectivité : Brest", as French is typed */
        if (key_end == i || k >= len || s[k] != ':' ||
            (k + 1 < len && s[k + 1] != ' ' && s[k + 1] != '\t' &&
             s[k + 1] != '\n' && s[k + 1] != '\r'))
            return 0;
    }
    size_t start = i;
    while (i < len) {
        size_t line = i;
        i = next_line(s, len, i, &end);
        if ((s[line] == '-' || s[line] == '.') &&
            (fence(s, line, end, "---") || fence(s, line, end, "..."))) {
            *yaml_start = start;
            *yaml_end = line;
            *body = i;
            return 1;
        }
    }
    if (after_blank)
        return 0;
    return grille__error(err, GRILLE_ESYNTAX, NULL, 1, 1, "%s",
                         _("front matter opened with '---' is never closed "
                           "(a line '---' must end it)"));
}

/* ------------------------------------------------------------ segmenting */

const char *grille_unit_name(grille_unit unit)
{
    return unit == GRILLE_UNIT_SENTENCE    ? "sentence"
           : unit == GRILLE_UNIT_PARAGRAPH ? "paragraph"
                                           : "?";
}

int grille_unit_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "paragraph") == 0)
        return GRILLE_UNIT_PARAGRAPH;
    if (strcmp(name, "sentence") == 0)
        return GRILLE_UNIT_SENTENCE;
    return -1;
}

const char *grille_segment_kind_name(grille_segment_kind kind)
{
    switch (kind) {
    case GRILLE_SEG_PARAGRAPH: return "paragraph";
    case GRILLE_SEG_BULLET: return "bullet";
    case GRILLE_SEG_TURN: return "turn";
    case GRILLE_SEG_HEADING: return "heading";
    case GRILLE_SEG_SENTENCE: return "sentence";
    }
    return "?";
}

const char *grille_token_kind_name(grille_token_kind kind)
{
    switch (kind) {
    case GRILLE_TOK_WORD: return "word";
    case GRILLE_TOK_ELISION: return "elision";
    case GRILLE_TOK_NUMBER: return "number";
    case GRILLE_TOK_DATE: return "date";
    case GRILLE_TOK_TIME: return "time";
    case GRILLE_TOK_URL: return "url";
    case GRILLE_TOK_EMAIL: return "email";
    }
    return "?";
}

static uint32_t cp_at(const char *s, size_t len, size_t i, size_t *n)
{
    if (i >= len) {
        *n = 0;
        return 0;
    }
    return utf8_get(s, len, i, n);
}

/* The classes of grille__is_space, grille__is_letter, grille__is_upper
 * and grille__is_apostrophe, decided here for an ASCII code point (the
 * most of them), without a call: the ASCII spaces are ' ', tab, VT and
 * FF; the one ASCII apostrophe is '\''. */
static inline bool space_cp(uint32_t c)
{
    return c < 0x80 ? c == ' ' || c == '\t' || c == '\v' || c == '\f'
                    : grille__is_space(c);
}

static inline bool letter_cp(uint32_t c)
{
    return c < 0x80 ? (c | 0x20) >= 'a' && (c | 0x20) <= 'z'
                    : grille__is_letter(c);
}

static inline bool upper_cp(uint32_t c)
{
    return c < 0x80 ? c >= 'A' && c <= 'Z' : grille__is_upper(c);
}

static inline bool apostrophe_cp(uint32_t c)
{
    return c < 0x80 ? c == '\'' : grille__is_apostrophe(c);
}

/* Skips spaces (not line ends) from i; returns the new offset and adds the
 * width in columns to *col when col is not NULL. */
static inline size_t skip_spaces(const char *s, size_t end, size_t i,
                                 unsigned *col)
{
    while (i < end) {
        unsigned char b = (unsigned char)s[i];
        size_t n = 1;
        uint32_t c = b;
        if (b >= 0x80)
            c = utf8_get(s, end, i, &n);
        if (!space_cp(c))
            break;
        if (col)
            *col += c == '\t' ? 4 : 1;
        i += n;
    }
    return i;
}

static bool is_ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A bullet marker at s[i] (a line's first non-space): returns the offset
 * after it and the spaces that follow, or 0 when there is none. */
/* Whether a bullet may start at s[c]: not a line's first letter, most
 * lines' (but Word's "o", and "a)"), without a call to bullet_at. */
static inline bool may_bullet(const char *s, size_t c, size_t end)
{
    unsigned char b = (unsigned char)s[c];
    if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
        return b == 'o' || (c + 1 < end && s[c + 1] == ')');
    return true;
}

static size_t bullet_at(const char *s, size_t end, size_t i)
{
    size_t n;
    uint32_t c = cp_at(s, end, i, &n);
    size_t j = i + n;
    switch (c) {
    case 0x2022: case 0x2023: case 0x25E6: case 0x25AA: case 0x25AB:
    case 0x25A0: case 0x25A1: case 0x25CF: case 0x25CB: case 0x00B7:
    case 0x2212: case 0x2013: case 0x2014: case 0x2192: case 0x27A2:
    case 0x27A4: case 0x2713: case 0x2714: case 0x25B8: case 0x25BA:
    case 0x2756: case 0x25C6: case 0x25C7: case 0x2043: case 0x2219:
    case 0x2666:
    /* arrows, stars, boxes and the emoji of notes typed on a phone or in
     * a chat: ▶ ★ ☆ ➡ ➔ ➜ ⇒ ☐ ☑ ✗ ❌ ⚠ ✅ 👉 📌 🔹 🔸 🔴 🟠 🟢 ◾ */
    case 0x25B6: case 0x2605: case 0x2606: case 0x27A1: case 0x2794:
    case 0x279C: case 0x21D2: case 0x2610: case 0x2611: case 0x2717:
    case 0x274C: case 0x26A0: case 0x2705: case 0x1F449: case 0x1F4CC:
    case 0x1F539: case 0x1F538: case 0x1F534: case 0x1F7E0: case 0x1F7E2:
    case 0x25FE:
    /* Word's bullets in the Symbol and Wingdings fonts, pasted as text:
     * code points of the private use area (• ▪ ➢ ❖ ✓) */
    case 0xF0B7: case 0xF0A7: case 0xF0D8: case 0xF076: case 0xF0FC:
        /* A typographic bullet needs no space after it, but a dash does. */
        if (j < end && (c == 0x2013 || c == 0x2014 || c == 0x2212)) {
            size_t m;
            if (!space_cp(cp_at(s, end, j, &m)))
                return 0;
        }
        /* the emoji's presentation selector (U+FE0F) is the mark's */
        if (j + 2 < end && (unsigned char)s[j] == 0xEF &&
            (unsigned char)s[j + 1] == 0xB8 && (unsigned char)s[j + 2] == 0x8F)
            j += 3;
        return skip_spaces(s, end, j, NULL);
    case '=':
        /* "=> la reprise": an arrow, a space after it */
        if (j + 1 < end && s[j] == '>' && (s[j + 1] == ' ' || s[j + 1] == '\t'))
            return skip_spaces(s, end, j + 1, NULL);
        return 0;
    case '-':
        if (j < end && s[j] == '>')
            j++;
        /* fall through */
    case '*':
    case '+':
        if (j < end && (s[j] == ' ' || s[j] == '\t'))
            return skip_spaces(s, end, j, NULL);
        return 0;
    case 'o':
    case 0xA7:
        /* Word's second and third levels of bullets pasted as text: "o"
         * (Courier New) or "§" (Wingdings) and a tab; with a space, a word
         * ("o" alone is none in French) or a section ("§ 3") */
        if (j < end && s[j] == '\t')
            return skip_spaces(s, end, j, NULL);
        return 0;
    default:
        break;
    }
    /* 1. 1) 12. a) A) (a) (1) */
    size_t k = i;
    bool paren = false;
    if (k < end && s[k] == '(') {
        paren = true;
        k++;
    }
    size_t d = k;
    while (d < end && d - k < 3 && is_digit(s[d]))
        d++;
    if (d > k && d < end && !is_digit(s[d]) &&
        (s[d] == ')' || (!paren && (s[d] == '.' || s[d] == '/')))) {
        d++;
    } else if (d == k && k + 1 < end && is_ascii_alpha(s[k]) &&
               s[k + 1] == ')') {
        d = k + 2;
    } else {
        return 0;
    }
    if (d < end && (s[d] == ' ' || s[d] == '\t'))
        return skip_spaces(s, end, d, NULL);
    if (d < end) {
        size_t m;
        if (space_cp(cp_at(s, end, d, &m)))
            return skip_spaces(s, end, d, NULL);
    }
    return 0;
}

/* A Markdown heading: "#" to "######" and a space. */
static size_t heading_at(const char *s, size_t end, size_t i)
{
    size_t k = i;
    while (k < end && s[k] == '#' && k - i < 6)
        k++;
    if (k == i || k >= end || (s[k] != ' ' && s[k] != '\t'))
        return 0;
    return skip_spaces(s, end, k, NULL);
}

/* A word of a list, with its length: a list is looked up in a loop
 * that compares lengths before bytes, and no strlen. */
typedef struct listword {
    const char *w;
    size_t n;
} listword;
#define LW(s) {s, sizeof(s) - 1}

static const listword civilities[] = {
    LW("M."), LW("M"), LW("Mme"), LW("Mme."), LW("Mlle"), LW("Mr"), LW("Mr."),
    LW("Dr"), LW("Dr."), LW("Me"), LW("Pr"), LW("Monsieur"), LW("Madame"),
    LW("Docteur"), LW("Maître"), {NULL, 0}};
/* The small words of a title or a name: "M. le Maire", "Mme la DGS",
 * "M. de La Tour" (each starts with d or l: turn_at looks no further for
 * the others). */
static const listword particles[] = {
    LW("le"), LW("la"), LW("les"), LW("de"), LW("du"), LW("des"), {NULL, 0}};
/* Each with its accents and without them (notes typed on a phone, or in
 * a hurry: "Enqueteur :"); but "Enquete", which is enquête (the survey)
 * as often as enquêté, only with a number (numbered_words). */
static const listword speaker_words[] = {
    LW("Intervieweur"), LW("Intervieweuse"), LW("Interviewer"),
    LW("Interviewé"), LW("Interviewée"), LW("Interviewe"), LW("Interviewee"),
    LW("Enquêteur"), LW("Enquêtrice"), LW("Enquêteuse"), LW("Enquêté"),
    LW("Enquêtée"), LW("Enqueteur"), LW("Enquetrice"), LW("Enqueteuse"),
    LW("Enquetee"), LW("Question"), LW("Réponse"), LW("Reponse"),
    LW("Locuteur"), LW("Locutrice"), LW("Animateur"), LW("Animatrice"),
    LW("Modérateur"), LW("Modératrice"), LW("Moderateur"), LW("Moderatrice"),
    LW("Journaliste"), LW("Consultant"), LW("Consultante"), {NULL, 0}};
/* The roles of the people these interviews are with: a speaker's on the
 * line right after a turn ("Q : Et les masques ?" then "Maire : on a
 * distribué…", the mayor's answer, which was read as a line of the
 * question's turn), and not before a civility ("Directeur : M. Martin");
 * elsewhere the heading of a note's field ("Maire : Jean Dupont",
 * "Responsable : service RH"), as Interlocuteur is. */
static const listword field_roles[] = {
    LW("Maire"), LW("Adjoint"), LW("Adjointe"), LW("Élu"), LW("Élue"),
    LW("Elu"), LW("Elue"), LW("Directeur"), LW("Directrice"),
    LW("Président"), LW("Présidente"), LW("President"), LW("Presidente"),
    LW("Secrétaire"), LW("Secretaire"), LW("Conseiller"),
    LW("Conseillère"), LW("Conseillere"), LW("Responsable"), LW("Chef"),
    LW("Cheffe"), LW("Coordinateur"), LW("Coordinatrice"),
    LW("Coordonnateur"), LW("Coordonnatrice"), LW("Délégué"),
    LW("Déléguée"), LW("Delegue"), LW("Deleguee"), LW("Infirmier"),
    LW("Infirmière"), LW("Infirmiere"), LW("Médecin"), LW("Medecin"),
    {NULL, 0}};
/* The labels a turn written as a list's item may have (bullet_speaker):
 * the interviewer's and the answer's, capitalised or in capitals. */
static const listword qa_words[] = {
    LW("Question"), LW("Réponse"), LW("Reponse"), {NULL, 0}};
/* Not there: Interlocuteur, Intervenant, Participant, Répondant, which
 * notes use as the heading of a field ("Interlocutrice : Mme X, DGA"),
 * but with a number they are a speaker's ("Participant 3 :"). */
static const listword numbered_words[] = {
    LW("Participant"), LW("Participante"), LW("Intervenant"),
    LW("Intervenante"), LW("Interlocuteur"), LW("Interlocutrice"),
    LW("Répondant"), LW("Répondante"), LW("Repondant"), LW("Repondante"),
    LW("Élu"), LW("Élue"), LW("Elu"), LW("Elue"), LW("Speaker"),
    LW("Locuteur"), LW("Locutrice"), LW("Enquete"), {NULL, 0}};

/* Whether a word of no small letter, s[i, j), is an acronym's: two
 * letters or more (ASCII, or a character of two bytes or more), a
 * combining accent (U+0300..U+036F, "E\u0301") being no letter of its
 * own: "DGS", "ÉPCI", not "A", "À" nor "E\u0301". */
static bool acronym(const char *s, size_t i, size_t j)
{
    unsigned letters = 0;
    for (size_t k = i; k < j && letters < 2; k++) {
        unsigned char c = (unsigned char)s[k];
        bool combining = k + 1 < j && (c == 0xCC ||
                                       (c == 0xCD &&
                                        (unsigned char)s[k + 1] < 0xB0));
        letters += is_ascii_alpha((char)c) || (c >= 0xC0 && !combining);
    }
    return letters >= 2;
}

/* The prefixes of French word formation that start a hyphenated word
 * written in title case as a name's parts are (Post-Covid, Pré-Covid,
 * Anti-Covid, Vice-Président, Ex-Maire): not a name then, but a compound
 * whose parts are words (covid, président).  Few places' names start so
 * (Grand-Est, Saint-Denis, Haute-Garonne stay names; Super-Besse's parts
 * are words then, which a term of its own would code). */
static const listword word_prefixes[] = {
    LW("Post"), LW("Pré"), LW("Pre"), LW("Anti"), LW("Non"), LW("Ex"),
    LW("Néo"), LW("Neo"), LW("Semi"), LW("Co"), LW("Multi"), LW("Inter"),
    LW("Super"), LW("Sous"), LW("Vice"), LW("Auto"), LW("Après"),
    LW("Apres"), LW("Avant"), LW("Contre"), LW("Demi"), LW("Mi"),
    LW("Extra"), LW("Hyper"), LW("Micro"), LW("Mini"), LW("Pluri"),
    LW("Pseudo"), LW("Quasi"), LW("Télé"), LW("Tele"), LW("Trans"),
    LW("Ultra"), {NULL, 0}};

/* Whether s[a, b) is a word of `list` (ended by a NULL one), as it is or,
 * when it holds decomposed accents (a macOS file: "Enque\u0302trice"),
 * composed. */
static bool in_list(const char *s, size_t a, size_t b, const listword *list)
{
    size_t len = b - a;
    if (len == 0)
        return false;
    for (size_t k = 0; list[k].w; k++)
        if (list[k].n == len && s[a] == list[k].w[0] &&
            memcmp(s + a, list[k].w, len) == 0)
            return true;
    char buf[64];
    if (len > sizeof(buf) || !memchr(s + a, 0xCC, len))
        return false;
    size_t m = grille__compose(buf, s + a, len);
    for (size_t k = 0; m < len && list[k].w; k++)
        if (list[k].n == m && memcmp(buf, list[k].w, m) == 0)
            return true;
    return false;
}

/* Acronyms that head a topic in notes, never a speaker: an agency, a
 * plan, a piece of equipment or a measure ("ARS : point hebdo", "PCA :
 * activé le 16/03", "EHPAD : 2 résidents hospitalisés").  Not the roles
 * a transcript's turns are labelled with (DGS, DGA, DRH, DSI...), nor
 * those that may be either (CCAS, RH), nor initials (PB). */
static const listword topic_acronyms[] = {
    LW("ARS"),   LW("EHPAD"),  LW("EHPADS"), LW("PCA"),   LW("PRA"),
    LW("CHU"),   LW("SDIS"),   LW("SAMU"),   LW("COVID"), LW("EPI"),
    LW("SHA"),   LW("ASA"),    LW("CHSCT"),  LW("CSE"),   LW("PMI"),
    LW("RSA"),   LW("CAF"),    LW("CPAM"),   LW("URSSAF"), LW("ATSEM"),
    LW("FFP2"),  LW("PPMS"),   LW("DUERP"),  LW("SSIAD"), LW("MDPH"),
    LW("EPCI"),  LW("CNFPT"),  LW("ESAT"),   LW("VPN"),   LW("ENT"),
    LW("PLU"),   LW("DSP"),    {NULL, 0}};

/* Common nouns that head a topic in notes, never a first name: "Réunion
 * ARS :", "Point budget :", "BILAN :" are topics with their colon, not
 * speakers, though written as names and acronyms are (Jean Dupont, DGS).
 * With their accents and without (a hurried note). */
static const listword topic_words[] = {
    LW("Réunion"), LW("Reunion"), LW("Réunions"), LW("Reunions"),
    LW("Point"), LW("Points"), LW("Cellule"), LW("Comité"), LW("Comite"),
    LW("Conseil"), LW("Bilan"), LW("Objectif"), LW("Objectifs"),
    LW("Contexte"), LW("Constat"), LW("Constats"), LW("Enjeu"),
    LW("Enjeux"), LW("Action"), LW("Actions"), LW("Projet"), LW("Projets"),
    LW("Thème"), LW("Theme"), LW("Thèmes"), LW("Themes"), LW("Sujet"),
    LW("Sujets"), LW("Ordre"), LW("Compte"), LW("Relevé"), LW("Releve"),
    LW("Décision"), LW("Decision"), LW("Décisions"), LW("Decisions"),
    LW("Retour"), LW("Retours"), LW("Prochain"), LW("Prochaine"),
    LW("Prochains"), LW("Prochaines"), LW("Suite"), LW("Suites"),
    LW("Note"), LW("Notes"), LW("Remarque"), LW("Remarques"),
    LW("Synthèse"), LW("Synthese"), LW("Conclusion"), LW("Conclusions"),
    LW("Priorité"), LW("Priorite"), LW("Priorités"), LW("Priorites"),
    LW("Difficulté"), LW("Difficulte"), LW("Difficultés"),
    LW("Difficultes"), LW("Besoin"), LW("Besoins"), LW("Attentes"),
    LW("Calendrier"), LW("Planning"), LW("Budget"), LW("Échéance"),
    LW("Echeance"), LW("Échéances"), LW("Echeances"), LW("Mesure"),
    LW("Mesures"), LW("Dispositif"), LW("Dispositifs"), LW("Plan"),
    LW("Plans"), LW("Visite"), LW("Visites"), LW("Visio"), LW("Visios"),
    LW("Appel"), LW("Appels"), LW("Courrier"), LW("Courriers"),
    LW("Séance"), LW("Seance"), LW("Séances"), LW("Seances"),
    LW("Commission"), LW("Commissions"), LW("Crise"), LW("Situation"),
    LW("Effectifs"),
    LW("Organisation"), LW("Date"), LW("Lieu"), LW("Durée"), LW("Duree"),
    LW("Présents"), LW("Presents"), LW("Absents"), LW("Masques"),
    LW("Masque"),
    LW("Thématique"), LW("Thematique"), LW("Chiffres"), LW("Contact"),
    LW("Contacts"), LW("Perspectives"), LW("Présentation"),
    LW("Presentation"), LW("Introduction"), LW("Annexe"), LW("Annexes"),
    LW("Recommandations"), LW("Propositions"), LW("Méthode"),
    LW("Methode"), LW("Méthodologie"), LW("Methodologie"), LW("Résultats"),
    LW("Resultats"),
    /* the field's themes, as headings: "TELETRAVAIL : 900 agents" */
    LW("Télétravail"), LW("Teletravail"), LW("Santé"), LW("Sante"),
    LW("Accueil"), LW("Élus"), LW("Elus"), LW("Reprise"), LW("Numérique"),
    LW("Numerique"), LW("Management"), LW("Finances"), LW("Formation"),
    LW("Communication"), LW("Solidarité"), LW("Solidarite"),
    LW("Solidarités"), LW("Coopération"), LW("Cooperation"),
    LW("Gouvernance"), LW("Ressources"), LW("Personnel"), LW("Agents"),
    LW("Services"), LW("Écoles"), LW("Ecoles"), LW("Transports"),
    LW("Logement"), LW("Culture"), LW("Jeunesse"), LW("Économie"),
    LW("Economie"), LW("Sécurité"), LW("Securite"), LW("Prévention"),
    LW("Prevention"), LW("Protocole"), LW("Protocoles"), LW("Hygiène"),
    LW("Hygiene"), LW("Matériel"), LW("Materiel"), LW("Équipements"),
    LW("Equipements"), LW("Locaux"), {NULL, 0}};

/* Words that start sentences and are no one's name: after a single
 * capital and its dot, they tell a category ("agents de catégorie C. Ils
 * sont 40.") from an initial ("J. Dupont"); "Le" and "La" are not among
 * them (M. Le Goff), nor "De", "Du" and "Des" (J. Des Rosiers). */
static const listword sentence_words[] = {
    LW("Il"), LW("Ils"), LW("Elle"), LW("Elles"), LW("On"), LW("Nous"),
    LW("Vous"), LW("Je"), LW("Tu"), LW("Mais"), LW("Et"), LW("Puis"),
    LW("Donc"), LW("Alors"), LW("Ensuite"), LW("Enfin"), LW("Ce"),
    LW("Cela"), LW("\xc3\x87" "a"), /* Ça */
    LW("Cette"), LW("Ces"), LW("Les"), LW("Un"), LW("Une"),
    LW("Nos"), LW("Notre"), LW("Leur"), LW("Leurs"), LW("Pour"), LW("Dans"),
    LW("Avec"), LW("Sans"), LW("Par"), LW("Quand"), LW("Si"), LW("En"),
    LW("Tous"), LW("Toutes"), {NULL, 0}};

/* The bytes of a dash at s[i] (-, – or —) with a space after it, 0 for
 * none. */
static size_t dash_at(const char *s, size_t end, size_t i)
{
    size_t n = i >= end       ? 0
               : s[i] == '-' ? 1
               : i + 2 < end && (unsigned char)s[i] == 0xE2 &&
                       (unsigned char)s[i + 1] == 0x80 &&
                       ((unsigned char)s[i + 2] == 0x93 ||
                        (unsigned char)s[i + 2] == 0x94)
                   ? 3
                   : 0;
    return n && i + n < end && (s[i + n] == ' ' || s[i + n] == '\t') ? n : 0;
}

/* Whether the line that ends at e ended a statement (a stop, a colon, a
 * closing bracket or quote): an outline's capital may follow it. */
static bool stop_at(const char *s, size_t e)
{
    while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        e--;
    if (e == 0)
        return true;
    unsigned char c = (unsigned char)s[e - 1];
    return c == '.' || c == ':' || c == '!' || c == '?' || c == ';' ||
           c == ')' || (e >= 2 && c == 0xBB && (unsigned char)s[e - 2] == 0xC2);
}

/* An outline's item at s[i]: "1.1", "1.2.3." (numbers of one or two
 * digits, none starting with 0) before a capital ("1.1 Télétravail"),
 * "II." or "IV)" (Roman numerals of two letters or more; "I -" and
 * "IV -" too, a dash before the text as after any item: "1.1 -
 * Télétravail"), "a." to "h."
 * (a small letter), or "A." to "H.", "I.", "V.", "X." before a word that
 * starts sentences ("I. Les constats"; "A. Dupont" is an initial); then a
 * space and a letter.  A date or a time, "12.11 réunion", "9.30 Réunion"
 * (two numbers, the second of two digits), a number ("2.5 millions"),
 * "p. 12", "m. Dupont", "R. Nous" (a transcript's answer) stay text, and
 * so does a capital alone unless there was no line before, or it was an
 * item too (`stop`), or it ended a statement (at prev_end: "agents de
 * catégorie" then "C. Ils sont 40." is one sentence).
 * Where its text starts, 0 for none ("1." and "a)" are bullet_at's). */
static bool in_list_caps(const char *s, size_t a, size_t b,
                         const listword *list, bool caps);
static inline size_t turn_at(const char *s, size_t end, size_t i, size_t *ls,
                             size_t *le, bool *topic, bool after_turn);

static size_t outline_item(const char *s, size_t end, size_t i, bool stop,
                           bool in_item, size_t prev_end, char next_letter)
{
    size_t k = i;
    bool capital = false, number = false;
    /* the second byte of every item: a digit, a dot, a numeral's letter,
     * or a space after one ("I - ") (most lines go no further) */
    char c1 = i + 1 < end ? s[i + 1] : 0;
    if (c1 != '.' && !is_digit(c1) && c1 != 'I' && c1 != 'V' && c1 != 'X' &&
        c1 != 'i' && c1 != 'v' && c1 != 'x' && c1 != ')' &&
        !(c1 == ' ' && (s[i] == 'I' || s[i] == 'V' || s[i] == 'X')))
        return 0;
    if (is_digit(s[k])) {
        size_t groups = 0, last = 0;
        for (;;) {
            size_t d = k;
            if (s[k] == '0')
                return 0;
            while (d < end && d - k < 2 && is_digit(s[d]))
                d++;
            if (d == k || (d < end && is_digit(s[d])))
                return 0;
            groups++;
            last = d - k;
            k = d;
            if (k + 1 < end && s[k] == '.' && is_digit(s[k + 1])) {
                k++;
                continue;
            }
            break;
        }
        if (groups < 2 || (groups == 2 && last == 2))
            return 0;
        if (k < end && s[k] == '.')
            k++;
        number = true;
    } else if (s[k] >= 'a' && s[k] <= 'h' && s[k + 1] == '.') {
        k += 2;
    } else if (s[k] == 'i' || s[k] == 'v' || s[k] == 'x') {
        /* "i.", "ii.", "iv)": a small Roman numeral, "i" or of two
         * letters or more ("v." is voir's, "x." an unknown's) */
        size_t r = k;
        while (r < end && r - k < 6 && (s[r] == 'i' || s[r] == 'v' ||
                                        s[r] == 'x'))
            r++;
        if ((r - k < 2 && s[k] != 'i') || r >= end ||
            (s[r] != '.' && s[r] != ')'))
            return 0;
        k = r + 1;
    } else {
        size_t r = k;
        while (r < end && r - k < 6 && (s[r] == 'I' || s[r] == 'V' ||
                                        s[r] == 'X'))
            r++;
        if (r - k >= 2 && r < end && (s[r] == '.' || s[r] == ')')) {
            k = r + 1;
        } else if (r > k && r + 2 < end && s[r] == ' ' &&
                   dash_at(s, end, r + 1)) {
            k = r; /* "I - Contexte" */
        } else if (next_letter && s[k] == next_letter && s[k + 1] == '.' &&
                   (stop || stop_at(s, prev_end)) &&
                   (in_item ||
                    !turn_at(s, end, k, &(size_t){0}, &(size_t){0}, NULL,
                             false))) {
            /* "B. Gel : …" after "A. Masques : …" (but "catégorie" then
             * "B. Ils sont 40." is one sentence, and "B. Durand : …" a
             * turn, unless it goes on the item before without a blank
             * line: "A. Masques : …" then "B. Gel : …" is no speaker) */
            k += 2;
        } else if (((s[k] >= 'A' && s[k] <= 'H') || s[k] == 'I' ||
                    s[k] == 'V' || s[k] == 'X') &&
                   s[k + 1] == '.' && (stop || stop_at(s, prev_end))) {
            k += 2;
            capital = true;
        } else {
            return 0;
        }
    }
    if (k >= end || (s[k] != ' ' && s[k] != '\t'))
        return 0;
    size_t j = skip_spaces(s, end, k, NULL), n, w;
    size_t dash = dash_at(s, end, j); /* "1.1 - Télétravail" */
    if (dash)
        j = skip_spaces(s, end, j + dash, NULL);
    w = j;
    uint32_t first = j < end ? cp_at(s, end, j, &n) : 0;
    if (j >= end || !letter_cp(first) || (number && !upper_cp(first)))
        return 0;
    if (!capital)
        return j;
    while (w < end && (is_ascii_alpha(s[w]) || (unsigned char)s[w] >= 0x80)) {
        uint32_t d = cp_at(s, end, w, &n);
        if (!n || !letter_cp(d))
            break;
        w += n;
    }
    /* "I. Les constats", "A. Contexte": a word that starts sentences or
     * a topic's noun ("A. Dupont" is an initial) */
    /* in capitals too: "I. CONTEXTE", "A. LES ENJEUX" */
    return in_list_caps(s, j, w, sentence_words, true) ||
                   in_list_caps(s, j, w, topic_words, true)
               ? j
               : 0;
}

/* Byte i of w in capitals: an ASCII letter's, or the second byte of one
 * of Latin-1's letters (C3 A0..BE but the sign ÷: é is É). */
static unsigned char upper_at(const char *w, size_t i)
{
    unsigned char c = (unsigned char)w[i];
    if (c >= 'a' && c <= 'z')
        return (unsigned char)(c - 32);
    if (i && (unsigned char)w[i - 1] == 0xC3 && c >= 0xA0 && c <= 0xBE &&
        c != 0xB7)
        return (unsigned char)(c - 0x20);
    return c;
}

/* Whether s[a, b) is word w of a list in capitals ("ENQUÊTRICE"). */
static bool word_eq_caps(const char *s, size_t a, size_t b,
                         const listword *wd)
{
    char buf[64];
    const char *w = wd->w;
    size_t n = b - a, m = wd->n;
    const char *p = s + a;
    if (n < m || n > sizeof(buf))
        return false;
    if (n > m) { /* decomposed accents */
        if (!memchr(p, 0xCC, n))
            return false;
        n = grille__compose(buf, p, n);
        p = buf;
    }
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++)
        if (upper_at(w, i) != (unsigned char)p[i])
            return false;
    return true;
}

/* A word of `list` in its spelling or, when `caps`, in capitals. */
static bool in_list_caps(const char *s, size_t a, size_t b,
                         const listword *list, bool caps)
{
    if (in_list(s, a, b, list))
        return true;
    for (size_t k = 0; caps && list[k].w; k++)
        if (word_eq_caps(s, a, b, &list[k]))
            return true;
    return false;
}

/* A role word in its spelling or in capitals. */
static bool role_word(const char *s, size_t a, size_t b, bool caps)
{
    return in_list_caps(s, a, b, speaker_words, caps);
}

/* Whether the text after a label's colon, from k, starts with a
 * civility ("M. Martin", "Mme Le Goff"): a field's value. */
static bool civility_after(const char *s, size_t end, size_t k)
{
    k = skip_spaces(s, end, k, NULL);
    size_t w = k;
    while (w < end && (is_ascii_alpha(s[w]) || s[w] == '.' ||
                       (unsigned char)s[w] >= 0x80))
        w++;
    return w > k && in_list(s, k, w, civilities);
}

/* Scans a word made of letters, hyphens, apostrophes and dots from i;
 * returns its end and whether it is all capitals / starts with one. */
static size_t label_word(const char *s, size_t end, size_t i, bool *caps,
                         bool *initial)
{
    size_t j = i;
    bool all = true, any = false;
    *initial = false;
    while (j < end) {
        unsigned char b = (unsigned char)s[j];
        if (b < 0x80) { /* the same tests on ASCII, the most bytes */
            if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
                if (j == i)
                    *initial = b <= 'Z';
                any = true;
                if (b >= 'a')
                    all = false;
            } else if (!(b >= '0' && b <= '9') &&
                       !(j > i && (b == '-' || b == '.' || b == '\''))) {
                break;
            }
            j++;
            continue;
        }
        size_t n;
        uint32_t c = utf8_get(s, end, j, &n);
        bool letter = letter_cp(c);
        if (letter || (c >= '0' && c <= '9')) {
            if (j == i)
                *initial = upper_cp(c);
            if (letter) {
                any = true;
                /* a decomposed accent is neither case */
                if (!upper_cp(c) &&
                    !(c >= 0x300 && grille__is_combining(c)))
                    all = false;
            }
        } else if (!(j > i && (c == '-' || c == '.' ||
                               apostrophe_cp(c)))) {
            break;
        }
        j += n;
    }
    *caps = any && all;
    return j;
}

/*
 * A speaker turn at s[i]: "Q :", "DGS :", "PB:", "Mme Lefèvre :",
 * "Enquêtrice :", "Jean Dupont :", optionally after a "[00:12:40]"
 * timestamp.  Returns the offset of the turn's text (after the colon and
 * spaces) and the label's span, or 0.
 */
/* Whether s[0, n) holds a time to the second: two colons ("00:12:40",
 * "[1:02:03]"). */
static bool seconds(const char *s, size_t n)
{
    const char *c = memchr(s, ':', n);
    return c && memchr(c + 1, ':', n - (size_t)(c + 1 - s)) != NULL;
}

/* Whether the `mark` bytes `mc` at s[k] close an emphasis ("**", "_"),
 * and no more of them follow. */
static bool closes(const char *s, size_t end, size_t k, char mc, size_t mark)
{
    for (size_t j = 0; j < mark; j++)
        if (k + j >= end || s[k + j] != mc)
            return false;
    return k + mark >= end || s[k + mark] != mc;
}

static size_t turn_label(const char *s, size_t end, size_t i, size_t *ls,
                         size_t *le, bool *topic, bool after_turn)
{
    size_t k = i;
    /* [00:12:40], (00:12:40), {00:12:40} or 00:12:40, and maybe a dash
     * after it ("00:12:40 - R :", as transcription tools write) */
    size_t stamp = k;
    if (k < end && (s[k] == '[' || s[k] == '(' || s[k] == '{')) {
        char close = s[k] == '[' ? ']' : s[k] == '(' ? ')' : '}';
        size_t c = k + 1;
        while (c < end && (is_digit(s[c]) || s[c] == ':' || s[c] == '.'))
            c++;
        /* in brackets, any digits; in others a time to the second, as
         * transcription tools write it ("(2020)", "(10:30)" are none) */
        if (c < end && s[c] == close && c > k + 1 &&
            (close == ']' || seconds(s + k + 1, c - k - 1)))
            k = skip_spaces(s, end, c + 1, NULL);
    } else if (k + 4 < end && is_digit(s[k]) && is_digit(s[k + 1]) &&
               s[k + 2] == ':') {
        size_t c = k;
        while (c < end && (is_digit(s[c]) || s[c] == ':'))
            c++;
        if (c < end && (s[c] == ' ' || s[c] == '\t'))
            k = skip_spaces(s, end, c, NULL);
    }
    /* a dash after a time to the second: "09:30 - ARS : réunion" is an
     * agenda's line, whose words are coded */
    if (k > stamp && k < end && seconds(s + stamp, k - stamp)) {
        size_t n, m;
        uint32_t d = cp_at(s, end, k, &n);
        if ((d == '-' || d == 0x2013 || d == 0x2014) && k + n < end &&
            space_cp(cp_at(s, end, k + n, &m)))
            k = skip_spaces(s, end, k + n, NULL);
    }
    /* **Q :** or **Q** : (Markdown bold), and *Q* :, __R__ :, _R_ :
     * (emphasis): `mark` bytes of `mc` open it, and close it after the
     * label or after its colon */
    char mc = k + 1 < end && (s[k] == '*' || s[k] == '_') ? s[k] : 0;
    size_t mark = !mc ? 0 : k + 2 < end && s[k + 1] == mc ? 2 : 1;
    if (mark && (k + mark >= end || s[k + mark] == ' ' ||
                 s[k + mark] == '\t' || s[k + mark] == mc))
        mark = 0; /* "* élus" is a bullet's, "***" a rule */
    bool bold = mark != 0;
    k += mark;
    size_t start = k, last_end = k;
    unsigned words = 0, capitalised = 0;
    bool all_caps = true, first_caps = false;
    size_t first_end = k; /* the first word, looked up in the lists only
                             when the label is otherwise a turn's */
    bool number = false; /* the second word is a number: "Participant 3" */
    size_t second = 0, second_end = 0; /* the second word */
    unsigned small = 0;  /* particles: le, la, de... */
    while (k < end && words < 5) {
        bool caps, initial;
        size_t w = label_word(s, end, k, &caps, &initial);
        if (w == k)
            break;
        if (!initial && (s[k] == 'd' || s[k] == 'l')) {
            /* d'Arcy, l'Hôpital: capitalised after their elision; le,
             * la, de...: the small words of a name (all start so) */
            size_t n, m;
            uint32_t c0 = cp_at(s, end, k, &n);
            uint32_t ap = k + n < w ? cp_at(s, end, k + n, &m) : 0;
            if ((c0 == 'd' || c0 == 'l') && apostrophe_cp(ap) &&
                k + n + m < w)
                initial = upper_cp(cp_at(s, end, k + n + m, &m));
            else if (in_list(s, k, w, particles))
                small++;
        }
        if (words == 0) {
            first_end = w;
            first_caps = caps;
        }
        if (words == 1) {
            number = w - k <= 3;
            for (size_t d = k; d < w && number; d++)
                number = is_digit(s[d]);
            second = k;
            second_end = w;
        }
        if (!caps)
            all_caps = false;
        if (initial)
            capitalised++;
        words++;
        last_end = w;
        k = skip_spaces(s, end, w, NULL);
        if (k < end && s[k] == ':')
            break;
        if (k == w)
            break; /* not a space: not a label */
    }
    /* the label's length composed: a decomposed accent (macOS) is a
     * byte longer */
    /* the speaker's role after the name: "Mme Roux (DRH) :", part of
     * the label (its words are not coded) */
    size_t name_end = last_end; /* the rules below are the name's */
    bool comma = false;
    /* **Mme Roux** (DRH) : the emphasis closed after the name */
    bool closed = bold && closes(s, end, k, mc, mark);
    if (closed)
        k = skip_spaces(s, end, k + mark, NULL);
    if (words && k < end && s[k] == ',') {
        /* or after a comma, in capitals: "Mme Durand, DGS :", "Jean
         * Dupont, DGA ARS :"; a role in small letters would be read in
         * sentences that end with a colon ("En Bretagne, deux constats :",
         * "Madame la Présidente, quelques questions :") */
        size_t c = skip_spaces(s, end, k + 1, NULL), role = c, role_end = 0;
        bool caps = c < end;
        while (c < end && c - role <= 12 && s[c] != ':' && caps &&
               !(bold && s[c] == mc)) {
            if (s[c] >= 'A' && s[c] <= 'Z')
                role_end = c + 1;
            else if (s[c] != ' ')
                caps = false;
            c++;
        }
        c = role_end ? skip_spaces(s, end, role_end, NULL) : c;
        if (bold && !closed && role_end && closes(s, end, c, mc, mark))
            c = skip_spaces(s, end, c + mark, NULL); /* **Mme X, DGS** : */
        if (caps && role_end && c < end && s[c] == ':') {
            last_end = role_end;
            k = c;
            comma = true;
        }
    } else if (words && k < end && s[k] == '(') {
        size_t c = k + 1;
        while (c < end && c - k <= GRILLE_SPEAKER_NAME_MAX && s[c] != ')' &&
               s[c] != '(' && s[c] != ':' && s[c] != '\n' && s[c] != '\r')
            c++;
        if (c < end && s[c] == ')' && c > k + 1) {
            if (!closed) /* past "**": the label is the name alone */
                last_end = c + 1;
            k = skip_spaces(s, end, c + 1, NULL);
        }
    }
    if (bold && !closed && closes(s, end, k, mc, mark))
        k = skip_spaces(s, end, k + mark, NULL); /* **Mme Roux (DRH)** : */
    if (words == 0 || k >= end || s[k] != ':')
        return 0;
    size_t label_len = name_end - start;
    for (size_t j = start; j + 1 < name_end; j++)
        if (((unsigned char)s[j] == 0xCC || (unsigned char)s[j] == 0xCD) &&
            ((unsigned char)s[j + 1] & 0xC0) == 0x80)
            label_len--;
    if (label_len > GRILLE_SPEAKER_NAME_MAX)
        return 0;
    size_t after = k + 1;
    if (bold && closes(s, end, after, mc, mark))
        after += mark; /* **Q :** */
    if (after < end) {
        size_t n;
        if (!space_cp(cp_at(s, end, after, &n)))
            return 0; /* "10:30", "http:" */
    }
    bool ok = false;
    /* a civility first: looked up only where a rule asks */
    bool civility =
        (comma || (words >= 2 && capitalised >= 2 &&
                   capitalised + small == words)) &&
        in_list(s, start, first_end, civilities);
    if (comma && !(civility || (words == 2 && capitalised == 2)))
        return 0; /* "Selon Mme Durand, DGS :" is no turn */
    if (all_caps && words <= 2 && label_len <= 12 &&
        !(words == 1 && name_end - start == 2 &&
          (unsigned char)s[start] == 0xC3 &&
          (unsigned char)s[start + 1] == 0x80) &&
        !(words == 1 && name_end - start == 3 && s[start] == 'A' &&
          (unsigned char)s[start + 1] == 0xCC &&
          (unsigned char)s[start + 2] == 0x80))
        ok = true; /* Q, R, DGS, PB, DGA ARS; not an e-mail's "À :" */
    else if (words >= 2 && capitalised >= 2 && capitalised + small == words &&
             civility)
        ok = true; /* Mme Lefèvre, M. le Maire, Mme la DGS */
    else if (words <= 2 && role_word(s, start, first_end, first_caps))
        ok = true; /* Enquêtrice */
    else if (words == 2 && number &&
             in_list_caps(s, start, first_end, numbered_words, first_caps))
        ok = true; /* Participant 3, PARTICIPANT 3 */
    else if (words <= 2 && after_turn &&
             in_list_caps(s, start, first_end, field_roles, first_caps) &&
             !civility_after(s, end, after))
        ok = true; /* Maire, Directrice générale: right after a turn, and
                      not a field's heading before its value (elsewhere
                      the rules below, as for any word) */
    else if (words >= 2 && words <= 3 && capitalised == words)
        ok = true; /* Jean Dupont, SOPHIE DURAND, DGA RESSOURCES (and a
                      heading in capitals with a colon: RESSOURCES
                      HUMAINES, which names are too often written alike
                      to be told apart) */
    /* an acronym that heads a topic (ARS, PCA, EHPAD), alone or before
     * the name of its place ("ARS Bretagne", "EHPAD Les Lilas"): a
     * paragraph, as a topic's noun is below; "DGA ARS" is a role's */
    if (ok && !comma && !civility &&
        in_list(s, start, first_end, topic_acronyms)) {
        if (topic)
            *topic = true;
        return 0;
    }
    /* a topic (Réunion ARS, BILAN), unless the line says it is a
     * role's or a name's by a comma or a civility: looked up only for a
     * label otherwise taken, of four bytes or more (Q, R, DGS: not) */
    /* the topic's noun first, or after an outline's letter ("B. Santé :",
     * where "B. Durand :" is a name) */
    size_t ts = start, te = first_end;
    if (words == 2 && first_end - start == 2 && s[start + 1] == '.') {
        ts = second;
        te = second_end;
    }
    if (ok && !comma && !civility && te - ts >= 4 &&
        in_list_caps(s, ts, te, topic_words, first_caps && ts == start)) {
        if (topic) /* a paragraph of its own all the same, as a turn was */
            *topic = true;
        return 0;
    }
    if (!ok)
        return 0;
    *ls = start;
    *le = last_end;
    return skip_spaces(s, end, after, NULL);
}

static inline size_t turn_at(const char *s, size_t end, size_t i, size_t *ls,
                             size_t *le, bool *topic, bool after_turn)
{
    /* every turn has its colon: most lines have none, and are not read
     * word by word (nor is turn_label called for them) */
    if (!memchr(s + i, ':', end - i))
        return 0;
    return turn_label(s, end, i, ls, le, topic, after_turn);
}

/* Whether fa, a folded word, is one of `list` folded. */
static bool folded_in(const gbuf *fa, const listword *list)
{
    bool found = false;
    for (size_t k = 0; list[k].w && !found; k++) {
        gbuf fw = {0};
        found = grille__fold(&fw, list[k].w, list[k].n) == 0 &&
                fw.len == fa->len && memcmp(fw.data, fa->data, fa->len) == 0;
        gbuf_free(&fw);
    }
    return found;
}

/* Whether a label written without its accents names a role word as the
 * labels are compared, folded ("Enqueteur", "Reponse", "Elu 2"): the
 * turns "Enquêteur :" are its. */
static bool folded_role(const char *label, size_t n)
{
    size_t m = n, d = 0;
    while (m && d < 4 && label[m - 1] >= '0' && label[m - 1] <= '9') {
        m--;
        d++;
    }
    bool number = d > 0 && d <= 3 && m > 1 && label[m - 1] == ' ';
    if (d && !number)
        return false;
    if (number)
        m--;
    gbuf fa = {0};
    bool ok = grille__fold(&fa, label, m) == 0 &&
              (folded_in(&fa, speaker_words) ||
               (number && folded_in(&fa, numbered_words)));
    gbuf_free(&fa);
    return ok;
}

bool grille_text__speaker_label(const char *label, size_t n)
{
    char buf[3 * GRILLE_SPEAKER_MAX + 8];
    if (n == 0 || n > GRILLE_SPEAKER_MAX * 2)
        return false;
    /* as written, capitalised, in capitals: a codebook's labels are
     * compared without case.  A label written in both cases (Marie,
     * Maire) means the turns written so, which "Marie :" never is: that
     * its capitals (MARIE :) would be one does not count. */
    bool lower = false, upper = false;
    for (size_t i = 0, cn; i < n; i += cn) {
        uint32_t c = utf8_get(label, n, i, &cn);
        if (letter_cp(c)) {
            upper |= upper_cp(c);
            lower |= !upper_cp(c);
        }
    }
    int variants = lower && upper ? 2 : 3;
    for (int v = 0; v < variants; v++) {
        memcpy(buf, label, n);
        for (size_t i = 0; i < n && v; i++) {
            /* the code point of byte i starts at i, or at i - 1 for the
             * second byte of a Latin-1 letter */
            size_t cp = i && ((unsigned char)buf[i] & 0xC0) == 0x80 ? i - 1
                                                                    : i;
            bool first = cp == 0 || buf[cp - 1] == ' ' || buf[cp - 1] == '-';
            if (v == 2 || first)
                buf[i] = (char)upper_at(buf, i);
        }
        memcpy(buf + n, " : x", 4);
        size_t ls = 0, le = 0;
        /* (as right after a turn: a role of the people interviewed
         * labels turns there) */
        if (turn_at(buf, n + 4, 0, &ls, &le, NULL, true) && ls == 0 &&
            le == n)
            return true;
    }
    return lower && upper && folded_role(label, n);
}

static inline int push_segment(grille_analyser *a, const grille_segment *seg)
{
    if (GROW(a->segs, a->segs_cap, a->nsegs + 1) < 0)
        return GRILLE_ENOMEM;
    a->segs[a->nsegs++] = *seg;
    return 0;
}

/* Trims white space at both ends of [*st, *en). */
static inline void trim(const char *s, size_t *st, size_t *en)
{
    *st = skip_spaces(s, *en, *st, NULL);
    while (*en > *st) {
        size_t k = *en - 1;
        while (k > *st && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        size_t n;
        uint32_t c = utf8_get(s, *en, k, &n);
        if (!space_cp(c) && c != '\n' && c != '\r')
            break;
        *en = k;
    }
}

/* Counts line ends in [from, to), "\r\n" once. */
static unsigned count_lines(const char *s, size_t from, size_t to)
{
    unsigned n = 0;
    const char *p = s + from, *e = s + to;
    /* LF by memchr; a CR counts only when no LF follows it */
    bool cr = memchr(p, '\r', (size_t)(e - p)) != NULL;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    if (cr)
        for (const char *q = s + from; q < e; q++)
            if (*q == '\r' && !(q + 1 < e && q[1] == '\n'))
                n++;
    return n;
}

unsigned grille_text__count_lines(const char *s, size_t from, size_t to)
{
    return count_lines(s, from, to);
}

unsigned grille_text_count_lines(const char *text, size_t from, size_t to)
{
    return text && from < to ? count_lines(text, from, to) : 0;
}

typedef struct open_seg {
    bool open;
    grille_segment seg;
    unsigned indent; /* of the bullet marker */
    bool listed;     /* a list's item (a bullet, or a turn written as one):
                        a line goes on with it when indented more */
    bool outline;    /* an outline's item: another may follow it */
    size_t last_end;
} open_seg;

/* A paragraph longer than this (a whole file on one line, a transcript
 * without a blank line) is cut at a space into segments of at most this
 * size, which keeps the tokens of one segment, and the work on them,
 * bounded. */
#define MAX_SEGMENT (64u * 1024)

static int push_cut(grille_analyser *a, const char *s, grille_segment seg)
{
    while (seg.end - seg.start > MAX_SEGMENT) {
        size_t cut = seg.start + MAX_SEGMENT;
        while (cut > seg.start && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        /* back to a space: ASCII, a line end, or a no-break one (C2 A0,
         * narrow E2 80 AF), which text.md counts as spaces */
        size_t at = cut;
        while (at > seg.start && s[at] != ' ' &&
               s[at] != '\n' && s[at] != '\t' && s[at] != '\r' &&
               !((unsigned char)s[at] == 0xC2 &&
                 (unsigned char)s[at + 1] == 0xA0) &&
               !((unsigned char)s[at] == 0xE2 &&
                 (unsigned char)s[at + 1] == 0x80 &&
                 (unsigned char)s[at + 2] == 0xAF))
            at--;
        if (at > seg.start)
            cut = at;
        grille_segment piece = seg;
        piece.end = cut;
        trim(s, &piece.start, &piece.end);
        if (piece.end > piece.start && push_segment(a, &piece) < 0)
            return GRILLE_ENOMEM;
        /* the next piece starts after the spaces and line ends at the
         * cut, on the line of its first character; a turn's later
         * pieces keep its speaker */
        size_t next = cut;
        for (;;) {
            next = skip_spaces(s, seg.end, next, NULL);
            if (next >= seg.end || (s[next] != '\n' && s[next] != '\r'))
                break;
            next++;
        }
        seg.line += count_lines(s, seg.start, next);
        seg.start = next;
        trim(s, &seg.start, &seg.end);
    }
    return seg.end > seg.start ? push_segment(a, &seg) : 0;
}

/* Trims the open segment and adds it (cut when too long). */
static int push_open(grille_analyser *a, const char *s, open_seg *o)
{
    o->seg.end = o->last_end;
    trim(s, &o->seg.start, &o->seg.end);
    if (o->seg.end <= o->seg.start)
        return 0;
    /* most segments need no cut: no copy of the segment for it */
    return o->seg.end - o->seg.start > MAX_SEGMENT ? push_cut(a, s, o->seg)
                                                   : push_segment(a, &o->seg);
}

/* Ends the open segment, if any: inline, as most lines close none. */
static inline int close_seg(grille_analyser *a, const char *s, open_seg *o)
{
    int rc = 0;
    if (o->open && o->seg.start != SIZE_MAX)
        rc = push_open(a, s, o);
    o->open = false;
    return rc;
}

static void start_seg(open_seg *o, grille_segment_kind kind, size_t start,
                      size_t end, unsigned line)
{
    memset(o, 0, sizeof(*o));
    o->open = true;
    o->seg.kind = kind;
    o->seg.line = line;
    o->seg.start = start < end ? start : SIZE_MAX;
    o->last_end = end;
}

/* Whether the line at s[c, end) goes on with a statement hard-wrapped
 * at prev_end: this line starts with a small letter, and the line before
 * is as long as a wrapped line is (50 bytes or more) and ends with a
 * letter, a digit or a comma ("- Q : Et les masques, vous en avez reçu
 * combien depuis le début" then "de la crise ?").  An answer on the
 * line after a short question, or after one that ends with a mark
 * ("?", "…", "]", a quote), is no part of it: under skip_speakers it
 * would be lost. */
static bool wrapped_line(const char *s, size_t end, size_t c, size_t prev_end)
{
    size_t n;
    uint32_t d = cp_at(s, end, c, &n);
    if (!n || !letter_cp(d) || upper_cp(d))
        return false;
    /* a Word list's lower level pasted with spaces ("o   livraison") */
    if (s[c] == 'o' && c + 2 < end &&
        ((s[c + 1] == ' ' && s[c + 2] == ' ') || s[c + 1] == '\t'))
        return false;
    size_t e = prev_end;
    while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        e--;
    size_t b = e;
    while (b > 0 && s[b - 1] != '\n' && s[b - 1] != '\r')
        b--;
    if (e - b < 50)
        return false;
    unsigned char last = (unsigned char)s[e - 1];
    if (last == ',' || is_ascii_alpha((char)last) || is_digit((char)last))
        return true;
    /* an elision, its word on this line ("plan de continuité d’" then
     * "activité") */
    size_t apo = last == '\'' ? 1
                 : e - b >= 3 && last == 0x99 &&
                           (unsigned char)s[e - 2] == 0x80 &&
                           (unsigned char)s[e - 3] == 0xE2
                     ? 3
                     : 0;
    if (apo) {
        size_t we = e - apo, wb = we;
        while (wb > b && is_ascii_alpha(s[wb - 1]) && we - wb < 8)
            wb--;
        char lw[8];
        if (wb < we && we - wb < 8 &&
            (wb == b || s[wb - 1] == ' ' || s[wb - 1] == '\t')) {
            for (size_t k = wb; k < we; k++)
                lw[k - wb] = (char)(s[k] | 0x20);
            return grille_text__is_elision(lw, we - wb);
        }
        return false;
    }
    /* a letter of two bytes or more (é, à); not a no-break space, a
     * quote or an ellipsis */
    size_t k = e - 1;
    while (k > b && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    uint32_t l = cp_at(s, e, k, &n);
    return n && letter_cp(l);
}

/* A code point a rule is drawn with: - * _ = ~ + and the dashes and
 * lines of Unicode (– — ― ─ ━ ═). */
static bool rule_cp(uint32_t c)
{
    return c == '-' || c == '*' || c == '_' || c == '=' || c == '~' ||
           c == '+' || c == 0x2013 || c == 0x2014 || c == 0x2015 ||
           c == 0x2500 || c == 0x2501 || c == 0x2550;
}

/* Whether the line s[c, end) (c its first non-space) separates and says
 * nothing: a rule of three marks or more (---, * * *, ____, ═══), a
 * table's border (+-----+----+, |---|:--|), or a page's number between
 * dashes (- 12 -, — 3 —). */
static bool separator_at(const char *s, size_t c, size_t end)
{
    unsigned char b = (unsigned char)s[c];
    /* most lines: a letter or a digit, two tests */
    if ((unsigned)((b | 0x20) - 'a') < 26 || (unsigned)(b - '0') < 10)
        return false;
    if (b != '-' && b != '*' && b != '_' && b != '=' && b != '~' &&
        b != '+' && b != '|' && b != 0xE2)
        return false;
    unsigned marks = 0, digits = 0, dashes = 0;
    bool digit_run_ended = false;
    for (size_t k = c; k < end;) {
        size_t n;
        uint32_t d = cp_at(s, end, k, &n);
        if (!n)
            return false;
        k += n;
        if (d == ' ' || d == '\t' || d == '\r' || d == 0xA0)
            continue;
        if (d >= '0' && d <= '9') {
            if (digit_run_ended || !dashes)
                return false; /* one number, after a dash */
            digits++;
            continue;
        }
        if (digits)
            digit_run_ended = true;
        if (rule_cp(d))
            marks++;
        else if (d != '|' && d != ':')
            return false;
        if (d == '-' || d == 0x2013 || d == 0x2014)
            dashes++;
        if (digits && dashes != 2)
            return false;
    }
    if (digits) /* - 12 -: a dash on each side, and those alone */
        return digits <= 4 && digit_run_ended && dashes == 2 && marks == 2;
    return marks >= 3;
}

/* Whether the line s[c, end) (c its first non-space) is a table's row
 * pasted with tabs: text, a tab, text ("État civil\t11 mai"). (A
 * bullet, "o\t" of Word's too, or a turn, is looked for first.) */
static bool tab_row(const char *s, size_t c, size_t end)
{
    const char *t = memchr(s + c, '\t', end - c);
    if (!t)
        return false;
    size_t k = (size_t)(t - s);
    while (k < end && (s[k] == '\t' || s[k] == ' '))
        k++;
    return k < end && s[k] != '\r';
}

/* Whether the line that starts at s[i] (of the text's len bytes) is a
 * table's row pasted with tabs too: a row alone is no table (a tab in a
 * sentence). */
static bool next_tab_row(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return false;
    size_t end = i;
    while (end < len && s[end] != '\n' && s[end] != '\r')
        end++; /* a Mac's lone CR ends a line too */
    size_t c = skip_spaces(s, end, i, NULL);
    return c < end && tab_row(s, c, end);
}

/* Whether s[c, end) is the rule under a Markdown table's head:
 * "|---|:---:|", pipes, dashes, colons and spaces only, a dash in it. */
static bool table_rule(const char *s, size_t c, size_t end)
{
    bool dash = false;
    for (size_t k = c; k < end; k++) {
        if (s[k] == '-')
            dash = true;
        else if (s[k] != '|' && s[k] != ':' && s[k] != ' ' && s[k] != '\t' &&
                 s[k] != '\r')
            return false;
    }
    return dash;
}

/* Whether a list's item at s[m] may start with a label bullet_speaker
 * takes, by its first word (a timestamp or emphasis first: maybe): most
 * items are not read word by word for a label then. */
static bool may_be_speaker(const char *s, size_t m)
{
    unsigned char c = (unsigned char)s[m];
    if (c == '[' || c == '(' || c == '{' || c == '*' || c == '_' ||
        is_digit((char)c))
        return true;
    /* Q, R, Question, Réponse (bullet_speaker) */
    return c == 'Q' || c == 'R';
}

/* Whether the label s[ls, le) of a turn after a bullet names the
 * interviewer or the answer beyond doubt: Q or R alone, Question,
 * Réponse (capitalised or in capitals).  A list's "- DGS : a validé le PCA", "- A : 120
 * agents" (a category), "- Mme Durand : DGS" (who attended),
 * "- Enquêtrice : Claire Besson" (a header's field) are a topic and what
 * is said of it, bullets whose words are coded. */
static bool bullet_speaker(const char *s, size_t ls, size_t le)
{
    if (le - ls == 1)
        return s[ls] == 'Q' || s[ls] == 'R';
    return in_list_caps(s, ls, le, qa_words, true);
}

/* A transcript's turn written "Q. Et les élus ?", "R. Les masques…", "Q
 * - …" or "R – …" at s[c, end): a question's when its line ends with "?"
 * or the line before was an answer's turn, an answer's when the line
 * before was a question's turn or its first word starts sentences or is
 * in small letters (`last`, 'Q' or 'R', the line before's: "R. Martin a
 * dit" is an initial's).  Its label is the letter; returns where its
 * text starts, or 0. */
static size_t qr_turn(const char *s, size_t end, size_t c, char last,
                      size_t *ls, size_t *le)
{
    if ((s[c] != 'Q' && s[c] != 'R') || c + 3 >= end)
        return 0;
    size_t t;
    if (s[c + 1] == '.' && (s[c + 2] == ' ' || s[c + 2] == '\t'))
        t = skip_spaces(s, end, c + 2, NULL);
    else if (s[c + 1] == ' ' && dash_at(s, end, c + 2))
        t = skip_spaces(s, end, c + 2 + dash_at(s, end, c + 2), NULL);
    else
        return 0;
    if (t >= end)
        return 0;
    if (s[c] == 'R' && last != 'Q') {
        /* an answer's first word: a small letter, or one that starts
         * sentences ("R. Les masques", where "R. Martin" is an initial) */
        size_t w = t, n;
        uint32_t d = cp_at(s, end, t, &n);
        if (!n || !letter_cp(d))
            return 0;
        if (upper_cp(d)) {
            while (w < end && (is_ascii_alpha(s[w]) ||
                               (unsigned char)s[w] >= 0x80)) {
                d = cp_at(s, end, w, &n);
                if (!n || !letter_cp(d))
                    break;
                w += n;
            }
            if (!in_list(s, t, w, sentence_words))
                return 0;
        }
    } else if (s[c] == 'Q' && last != 'R') {
        size_t e = end;
        while (e > t && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
                         s[e - 1] == '\r'))
            e--;
        if (s[e - 1] != '?')
            return 0;
    }
    *ls = c;
    *le = c + 1;
    return t;
}

/* 'Q' or 'R' for a turn labelled so, else `last` unchanged. */
static char qr_label(const char *s, size_t ls, size_t le, char last)
{
    return le - ls == 1 && (s[ls] == 'Q' || s[ls] == 'R') ? s[ls] : last;
}

static int segment_lines(grille_analyser *a, const char *s, size_t len,
                         size_t body, unsigned line)
{
    open_seg o = {0};
    size_t i = body;
    int rc = 0;
    char letter = 0; /* the last capital's item of an outline: A, B… */
    char last_qr = 0; /* the line before's turn, if labelled Q or R */
    bool prev_tab = false; /* the line before was a table's row */
    while (i < len && rc == 0) {
        size_t end;
        bool ff;
        size_t next = line_at(s, len, i, &end, &ff);
        unsigned indent = 0;
        size_t c = skip_spaces(s, end, i, &indent);
        /* an e-mail's quoted reply ("> ", "> > "): the line after its
         * marks, so that a quoted blank line ends a paragraph and a
         * quoted list is a list */
        if (c < end && s[c] == '>') {
            size_t q = c, mark = c;
            unsigned in = 0;
            while (q < end && s[q] == '>') {
                mark = q;
                q = skip_spaces(s, end, q + 1, NULL);
            }
            if (q >= end || !is_digit(s[q])) {
                c = q; /* but "> 50 %" is more than 50 % */
                /* the indent within the quote, after the mark's space:
                 * "> - les masques" then ">   reçus en mars" goes on */
                in = 0;
                skip_spaces(s, end, mark + 1, &in);
                indent = in ? in - 1 : 0;
            }
        }
        size_t m, ls = 0, le = 0;
        bool topic = false, tab = false;
        /* A form feed (a page break in a PDF copy) ends the paragraph
         * before it: at the start of a line (pdftotext puts it before a
         * page's first line), the paragraph before the line; at its end,
         * the line's; inside its text, both. */
        bool ff_before = false, ff_after = false;
        if (ff) {
            size_t last = end;
            while (last > c && (s[last - 1] == ' ' || s[last - 1] == '\t' ||
                                s[last - 1] == '\f' || s[last - 1] == '\v'))
                last--;
            for (size_t k = i; k < end; k++)
                if (s[k] == '\f') {
                    ff_before |= k < last;
                    ff_after |= k >= c;
                }
        }
        if (ff_before)
            rc = close_seg(a, s, &o);
        if (rc < 0)
            break;
        if (c >= end) { /* blank: skip_spaces stops at a non-space */
            rc = close_seg(a, s, &o);
        } else if (separator_at(s, c, end)) {
            /* a rule (---, ***, ____, +----+) or a page's number (- 12 -):
             * it ends the paragraph, as a blank line does, and is no
             * segment (a segment without a word counted in every share) */
            rc = close_seg(a, s, &o);
        } else if ((m = heading_at(s, end, c)) != 0) {
            rc = close_seg(a, s, &o);
            /* a closing run of #, after a space, is Markdown's, not the
             * heading's ("# Santé #") */
            size_t e = end, h;
            while (e > m && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
                             s[e - 1] == '\r'))
                e--;
            for (h = e; h > m && s[h - 1] == '#'; h--)
                ;
            if (h < e && (h == m || s[h - 1] == ' ' || s[h - 1] == '\t'))
                e = h;
            start_seg(&o, GRILLE_SEG_HEADING, m, e, line);
            if (rc == 0)
                rc = close_seg(a, s, &o);
        } else if (s[c] == '|' && memchr(s + c + 1, '|', end - c - 1)) {
            /* a row of a Markdown table: a paragraph of its own (a table
             * made one segment whose every row co-occurred with every
             * other); its rule (|---|:--|) is none */
            rc = close_seg(a, s, &o);
            if (rc == 0 && !table_rule(s, c, end)) {
                start_seg(&o, GRILLE_SEG_PARAGRAPH, c, end, line);
                rc = close_seg(a, s, &o);
            }
        } else if (may_bullet(s, c, end) && (m = bullet_at(s, end, c)) != 0) {
            rc = close_seg(a, s, &o);
            size_t t = memchr(s + m, ':', end - m) &&
                               may_be_speaker(s, m)
                           ? turn_label(s, end, m, &ls, &le, NULL, false)
                           : 0;
            if (t && bullet_speaker(s, ls, le)) {
                /* "- Q : …", "1. R : …": a turn written as a
                 * list's item (an answer on the next line, not indented,
                 * is none of it) */
                start_seg(&o, GRILLE_SEG_TURN, t, end, line);
                o.seg.label_start = ls;
                o.seg.label_end = le;
                last_qr = qr_label(s, ls, le, last_qr);
            } else {
                start_seg(&o, GRILLE_SEG_BULLET, m, end, line);
            }
            o.indent = indent;
            o.listed = true;
        } else if (!(o.open && ((o.seg.kind == GRILLE_SEG_TURN && !o.listed) ||
                                (o.listed && indent > o.indent))) &&
                   outline_item(s, end, c, !o.open || o.outline,
                                o.open && o.outline, o.last_end,
                                letter ? (char)(letter + 1) : 0) != 0) {
            /* "1.2 La mairie…", "II. Les élus…": a paragraph of its own,
             * its number kept (a date, an amount, an initial read as one
             * loses nothing), which the lines after it continue
             * (hard-wrapped text); within a turn, the turn's ("Q : Deux
             * points :" then "a. les masques ?"), and within a list's
             * item when indented more */
            rc = close_seg(a, s, &o);
            start_seg(&o, GRILLE_SEG_PARAGRAPH, c, end, line);
            o.outline = true;
            /* a capital's item: the next letter is the next item, whatever
             * its word ("A. Masques", then "B. Gel hydroalcoolique") */
            if (s[c + 1] == '.' && ((s[c] >= 'A' && s[c] <= 'H') ||
                                    (letter && s[c] == letter + 1)))
                letter = s[c]; /* not a Roman I., V. or X. of its own */
        } else if ((m = qr_turn(s, end, c, last_qr, &ls, &le)) != 0 ||
                   (m = turn_at(s, end, c, &ls, &le, &topic,
                                o.open && o.seg.kind == GRILLE_SEG_TURN &&
                                    !o.listed)) != 0) {
            rc = close_seg(a, s, &o);
            start_seg(&o, GRILLE_SEG_TURN, m, end, line);
            o.seg.label_start = ls;
            o.seg.label_end = le;
            last_qr = qr_label(s, ls, le, last_qr);
        } else if (topic) {
            /* "Réunion ARS : …", "Point RH : …": a topic and what is said
             * of it, each a paragraph (a list of them is no one segment
             * whose themes all co-occur) */
            rc = close_seg(a, s, &o);
            start_seg(&o, GRILLE_SEG_PARAGRAPH, c, end, line);
        } else if (!(o.open && (o.seg.kind == GRILLE_SEG_TURN || o.listed)) &&
                   tab_row(s, c, end) &&
                   (prev_tab || next_tab_row(s, len, next))) {
            /* a row of a table pasted from Word or a spreadsheet, its
             * cells between tabs: a paragraph of its own, as a Markdown
             * table's row */
            rc = close_seg(a, s, &o);
            if (rc == 0) {
                start_seg(&o, GRILLE_SEG_PARAGRAPH, c, end, line);
                rc = close_seg(a, s, &o);
            }
            tab = true;
        } else if (o.open && (!o.listed || indent > o.indent ||
                              wrapped_line(s, end, c, o.last_end))) {
            if (o.seg.start == SIZE_MAX) {
                o.seg.start = c;
                o.seg.line = line;
            }
            o.last_end = end;
        } else {
            rc = close_seg(a, s, &o);
            start_seg(&o, GRILLE_SEG_PARAGRAPH, c, end, line);
        }
        if (rc == 0 && ff_after)
            rc = close_seg(a, s, &o);
        /* a transcript's exchange, and an outline's letters, go on only
         * from line to line: a range of lines after a blank one
         * (grille_analyser_run_range, tag's parts of a large file) reads
         * as in the whole text */
        if (!(o.open && o.seg.kind == GRILLE_SEG_TURN))
            last_qr = 0;
        if (c >= end)
            letter = 0;
        prev_tab = tab;
        i = next;
        line++;
    }
    if (rc == 0)
        rc = close_seg(a, s, &o);
    return rc;
}

/* In lowercase, compared without the case of their ASCII letters ("Env.",
 * "env.", "ENV."); single capitals are initials (M., J.). */
static const listword abbreviations[] = {
    LW("mme"), LW("mlle"), LW("mm"), LW("mmes"), LW("mlles"), LW("mr"),
    LW("dr"), LW("pr"), LW("st"), LW("ste"), LW("cf"), LW("p"),
    LW("ex"), LW("env"), LW("av"), LW("bd"), LW("vs"), LW("art"), LW("chap"),
    LW("fig"), LW("n"), LW("no"), LW("tel"), LW("tél"), LW("resp"), LW("dir"),
    LW("coll"), LW("réf"), LW("ref"), {NULL, 0}};

/* Months cut short, an abbreviation after a day only ("le 3 janv. 2020";
 * "nous étions sept." ends its sentence). */
static const listword months[] = {
    LW("janv"), LW("févr"), LW("fevr"), LW("fév"), LW("fev"), LW("avr"),
    LW("juil"), LW("juill"), LW("sept"), LW("oct"), LW("nov"), LW("déc"),
    LW("dec"), {NULL, 0}};

/* Whether the word ending at s[i] (exclusive) is an abbreviation or an
 * initial, so that a period after it does not end a sentence. */
/* The start of the run of letters that ends at s[i] (exclusive), not
 * before `from`: a no-break space or a dash before a word is no letter. */
static size_t letters_start(const char *s, size_t from, size_t i)
{
    size_t k = i;
    while (k > from) {
        if (is_ascii_alpha(s[k - 1])) {
            k--;
            continue;
        }
        if (!((unsigned char)s[k - 1] & 0x80))
            break;
        size_t lead = k - 1; /* back to the lead byte of a code point */
        while (lead > from && k - lead < 4 &&
               ((unsigned char)s[lead] & 0xC0) == 0x80)
            lead--;
        size_t n;
        uint32_t c = utf8_get(s, k, lead, &n);
        if (lead + n != k || !letter_cp(c))
            break;
        k = lead;
    }
    return k;
}

static bool abbreviation_before(const char *s, size_t from, size_t i)
{
    size_t k = letters_start(s, from, i);
    if (k == i)
        return false;
    if (i - k == 1 && s[k] >= 'A' && s[k] <= 'Z')
        return true; /* an initial: "J. Dupont" */
    if (i - k == 1 && s[k] >= 'a' && s[k] <= 'z' && k > from + 1) {
        /* the last letter of "i.e." or of "c.-à-d." */
        if (s[k - 1] == '.')
            return true;
        for (size_t b = k - 1; s[k - 1] == '-' && b > from && k - b <= 6; b--)
            if (s[b] == '-' && s[b - 1] == '.')
                return true;
    }
    if ((unsigned char)s[k] >= 0xC0) { /* "É. Marchal", "Œ." */
        size_t n;
        uint32_t c = utf8_get(s, i, k, &n);
        if (k + n == i && upper_cp(c))
            return true;
    }
    char low[8];
    if (i - k >= sizeof(low))
        return false; /* longer than any of them */
    for (size_t j = k; j < i; j++) /* É as é too (DÉC.): C3 89, C3 A9 */
        low[j - k] = (char)(s[j] >= 'A' && s[j] <= 'Z' ? s[j] + 32
                            : j > k && (unsigned char)s[j - 1] == 0xC3 &&
                                    (unsigned char)s[j] >= 0x80 &&
                                    (unsigned char)s[j] <= 0x9E &&
                                    (unsigned char)s[j] != 0x97
                                ? s[j] | 0x20
                                : s[j]);
    if (!in_list(low, 0, i - k, abbreviations)) {
        /* a month only after a day (3, 1er), then a space: looked at
         * before the list of months, which it spares most words */
        size_t d = k;
        if (d > from && (s[d - 1] == ' ' || s[d - 1] == '\t'))
            d--;
        else if (d >= from + 2 && (unsigned char)s[d - 2] == 0xC2 &&
                 (unsigned char)s[d - 1] == 0xA0)
            d -= 2; /* a no-break space */
        else
            return false;
        if (d >= from + 3 && s[d - 1] == 'r' && s[d - 2] == 'e')
            d -= 2;
        return d > from && is_digit(s[d - 1]) &&
               in_list(low, 0, i - k, months);
    }
    /* the plural titles as titles are written: MM. (30 mm. is a length
     * that may end a sentence), Mmes., Mlles. */
    if (low[0] == 'm' && low[1] == 'm' && i - k == 2)
        return s[k] == 'M' && s[k + 1] == 'M';
    if (i - k >= 4 && low[0] == 'm' && (low[1] == 'm' || low[1] == 'l') &&
        low[i - k - 1] == 's')
        return s[k] == 'M';
    return true;
}

/* Whether the word that ends at s[i] has at most 4 bytes, as every
 * abbreviation of the list and an initial: a cheap test before the list
 * at every sentence's end. */
static inline bool short_word_before(const char *s, size_t i)
{
    /* five ASCII letters before the dot: no abbreviation; anything else
     * (an accent, a no-break space) is left to the list */
    size_t k = i;
    while (k > 0 && i - k < 5 && is_ascii_alpha(s[k - 1]))
        k--;
    return i - k < 5;
}


/* Whether the dot at s[i] follows a single capital ("C.", "É.") and the
 * word after it, at k, is one that starts sentences (sentence_words, or
 * "C'est", "J'ai", "Qu'il": c, j or qu elided): the dot then ends a
 * sentence after all. */
static bool initial_ends_sentence(const char *s, size_t from, size_t i,
                                  size_t k, size_t end)
{
    size_t st = letters_start(s, from, i);
    /* at the sentence's start, an outline's letter ("## I. Les
     * constats", "- B. Les agents"), as outline_at keeps a number */
    if (st == i || st == from)
        return false;
    size_t n;
    uint32_t c = utf8_get(s, i, st, &n);
    if (st + n != i || !upper_cp(c))
        return false;
    size_t w = k;
    while (w < end && (is_ascii_alpha(s[w]) || (unsigned char)s[w] >= 0x80)) {
        size_t m;
        uint32_t d = utf8_get(s, end, w, &m);
        if (!letter_cp(d))
            break;
        w += m;
    }
    if (in_list(s, k, w, sentence_words))
        return true;
    bool apo = w < end && (s[w] == '\'' ||
                           (w + 2 < end && (unsigned char)s[w] == 0xE2 &&
                            (unsigned char)s[w + 1] == 0x80 &&
                            (unsigned char)s[w + 2] == 0x99));
    return apo && ((w - k == 1 && (s[k] == 'C' || s[k] == 'J')) ||
                   (w - k == 2 && s[k] == 'Q' && s[k + 1] == 'u'));
}

/* Cuts segment `seg` into sentences, pushing them. */
/* Whether s[from, i) is only an outline's number before its dot ("1",
 * "2.1"), as in the heading "## 1. Le choc du confinement": no sentence
 * of its own ("Réponse : 150. Et le reste ?" is two). */
static bool outline_number(const char *s, size_t from, size_t i)
{
    if (i - from > 8) /* tested first: "1.1.1.1…" asks at each dot */
        return false;
    bool digit = false;
    for (size_t k = from; k < i; k++) {
        if (is_digit(s[k]))
            digit = true;
        else if (s[k] != '.')
            return false;
    }
    return digit && i - from <= 8;
}

/* An outline's number at s[from, i), before a dot: in a heading, any
 * ("## 2. Le choc"); at the start of a paragraph, one of several levels
 * ("2.1. Le choc", a title in a plain text); not "150." after a turn's
 * label ("Réponse : 150. Et le reste ?" is two sentences). */
static bool outline_at(const char *s, const grille_segment *seg, size_t from,
                       size_t i)
{
    size_t n = i - from, r = from;
    while (r < i && (s[r] == 'I' || s[r] == 'V' || s[r] == 'X'))
        r++;
    if (r == i && n >= 2 && n <= 6) /* "II. Les constats" */
        return seg->kind == GRILLE_SEG_HEADING ||
               (seg->kind == GRILLE_SEG_PARAGRAPH && from == seg->start);
    if (!outline_number(s, from, i))
        return false;
    return seg->kind == GRILLE_SEG_HEADING ||
           (seg->kind == GRILLE_SEG_PARAGRAPH && from == seg->start &&
            memchr(s + from, '.', i - from) != NULL);
}

static int split_sentences(grille_analyser *a, const char *s,
                           const grille_segment *seg)
{
    grille_segment cur = *seg;
    size_t i = seg->start;
    unsigned line = seg->line;
    size_t line_at = seg->start;
    while (i < seg->end) {
        size_t n;
        uint32_t c = utf8_get(s, seg->end, i, &n);
        size_t j = i + n;
        if (c == '.' || c == '!' || c == '?' || c == 0x2026) {
            if (c == '.' && (abbreviation_before(s, cur.start, i) ||
                             outline_at(s, seg, cur.start, i))) {
                size_t k = j;
                while (k < seg->end &&
                       (s[k] == ' ' || s[k] == '\n' || s[k] == '\r' ||
                        s[k] == '\t'))
                    k++;
                if (!initial_ends_sentence(s, cur.start, i, k, seg->end)) {
                    i = j;
                    continue;
                }
            }
            /* closing marks stay with the sentence, a French closing
             * quote after its space too ("c'est bien. »") */
            for (;;) {
                size_t m;
                uint32_t d = cp_at(s, seg->end, j, &m);
                if (d == '.' || d == '!' || d == '?' || d == 0x2026 ||
                    d == ')' || d == ']' || d == '"' || d == 0xBB ||
                    d == 0x201D) {
                    j += m;
                    continue;
                }
                size_t q = j;
                while (q < seg->end && space_cp(d) && d != '\n') {
                    q += m;
                    d = cp_at(s, seg->end, q, &m);
                }
                if (q > j && (d == 0xBB || d == 0x201D)) {
                    j = q + m;
                    continue;
                }
                break;
            }
            size_t k = j;
            bool space = false;
            while (k < seg->end) {
                size_t m;
                uint32_t d = utf8_get(s, seg->end, k, &m);
                if (!space_cp(d) && d != '\n' && d != '\r')
                    break;
                space = true;
                k += m;
            }
            if (space && k < seg->end) {
                size_t m;
                uint32_t d = utf8_get(s, seg->end, k, &m);
                /* "(rire) je dors mal" goes on: a bracket starts a
                 * sentence when what it holds does, or what follows it
                 * ("pas. (inaudible) Ensuite") */
                uint32_t in = d;
                if (d == '(' && k + m < seg->end) {
                    size_t m2;
                    in = utf8_get(s, seg->end, k + m, &m2);
                    const char *close =
                        memchr(s + k, ')', seg->end - k < 120 ? seg->end - k
                                                              : 120);
                    size_t after = close ? (size_t)(close - s) + 1 : 0;
                    uint32_t next = 0;
                    while (after && after < seg->end) {
                        next = utf8_get(s, seg->end, after, &m2);
                        if (!space_cp(next) && next != '\n' &&
                            next != '\r')
                            break;
                        after += m2;
                    }
                    if (after && after < seg->end &&
                        (upper_cp(next) || next == 0xAB ||
                         next == '"' || next == 0x201C))
                        in = 'A';
                }
                if (upper_cp(d) || (d >= '0' && d <= '9') ||
                    d == 0xAB || d == '"' || d == 0x201C ||
                    (d == '(' && (upper_cp(in) ||
                                  (in >= '0' && in <= '9') || in == '(' ||
                                  !letter_cp(in)))) {
                    cur.end = j;
                    if (push_segment(a, &cur) < 0)
                        return GRILLE_ENOMEM;
                    line += count_lines(s, line_at, k);
                    line_at = k;
                    cur.kind = GRILLE_SEG_SENTENCE;
                    cur.start = k;
                    cur.line = line;
                    /* the turn's later sentences keep its speaker */
                    i = k;
                    continue;
                }
            }
        }
        i = j;
    }
    cur.end = seg->end;
    return cur.end > cur.start ? push_segment(a, &cur) : 0;
}

/* ------------------------------------------------------------ tokenising */

/* l d j m n s t c qu jusqu lorsqu puisqu quoiqu: by length, compared in
 * place (a loop over the list, with a strlen and a memcmp call each, was
 * a hundred instructions for every word before an apostrophe) */
bool grille_text__is_elision(const char *lower, size_t n)
{
    switch (n) {
    case 1: {
        /* l d j m n s t c, a bit each from 'a' */
        unsigned d = (unsigned char)lower[0] - 'a';
        return d < 26 && ((0xC3A0CU >> d) & 1);
    }
    case 2:
        return lower[0] == 'q' && lower[1] == 'u';
    case 5:
        return memcmp(lower, "jusqu", 5) == 0;
    case 6:
        return memcmp(lower, "lorsqu", 6) == 0 ||
               memcmp(lower, "puisqu", 6) == 0 ||
               memcmp(lower, "quoiqu", 6) == 0;
    default:
        return false;
    }
}

/* Appends the lowercased form of s[a, b) to buf (accents kept, ligatures
 * spelt out, apostrophes straight, hyphens dropped when `join`). */
/* Whether the word that goes on at s[i] has a hyphen or an apostrophe
 * before its end ("à-vis" after "vis-" and a line end, "d'œuvre" after
 * "main-"): then the hyphen was the compound's own. */
static bool hyphen_after(const char *s, size_t end, size_t i)
{
    while (i < end) {
        size_t n;
        uint32_t c = cp_at(s, end, i, &n);
        if (!n)
            return false;
        if (grille__is_hyphen(c) || apostrophe_cp(c))
            return true; /* à-vis; d'œuvre, an elided part */
        if (!grille__is_letter(c) && !(c >= '0' && c <= '9'))
            return false;
        i += n;
    }
    return false;
}

/* The line end after a hyphen at s[i] (spaces, "\n" or "\r\n", then
 * the next line's indent) when a letter follows it: its bytes, else 0. */
static size_t hyphen_break(const char *s, size_t end, size_t i)
{
    size_t k = i;
    while (k < end && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k < end && s[k] == '\r')
        k++;
    if (k >= end || s[k] != '\n')
        return 0;
    k++;
    while (k < end && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k >= end)
        return 0;
    size_t m; /* a letter after it, decoded: not a "‹", nor a digit */
    uint32_t d = cp_at(s, end, k, &m);
    return m && grille__is_letter(d) ? k - i : 0;
}

/* Whether s[0, n), a piece of a word in inclusive writing after its
 * first middle dot, is a feminine ending that replaces the masculine's
 * (ère, rice, euse, ale, le, ne, te, fe, se, ive, esse...), its plural's s
 * with it when `last` (usager·ères); not "e" nor "es", which add to it. */
static bool feminine_ending(const char *s, size_t n, bool last)
{
    static const char *const endings[] = {
        "ere",  "\xc3\xa8re", "rice", "trice", "euse", "eure", "ale",
        "le",   "ne",          "te",   "fe",    "se",   "ive",  "lle",
        "nne",  "tte",         "sse",  "esse",  "ice",  "enne", "ienne",
        "ve",   "che",         NULL};
    char low[16];
    if (n == 0 || n >= sizeof(low))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (i && (unsigned char)s[i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E)
            low[i] = (char)(c + 0x20); /* È: è */
    }
    if (last && n > 1 && low[n - 1] == 's')
        n--;
    for (size_t k = 0; endings[k]; k++)
        if (strlen(endings[k]) == n && memcmp(low, endings[k], n) == 0)
            return true;
    return false;
}

static int lower_into(gbuf *buf, const char *s, size_t a, size_t b, bool join,
                      bool fold)
{
    char tmp[8];
    if (gbuf_grow(buf, (b - a) * 2) < 0)
        return GRILLE_ENOMEM;
    /* Inclusive writing whose feminine replaces the masculine's ending
     * (usager·ère·s, directeur·rice·s, travailleur·euse·s, sociaux·ales):
     * the masculine, with the plural's s when the last piece has one
     * (usagers, directeurs, sociaux), where the pieces joined would be no
     * word (usagereres).  A feminine that adds an e (agent·e·s,
     * élu·e·s, salarié·e·s, agent·es) is the pieces joined, as before:
     * agentes, élues; and so is any other middle dot between letters
     * (Catalan's col·legi), the piece after it no feminine ending. */
    const char *dot = memmem(s + a, b - a, "\xc2\xb7", 2);
    if (dot && dot > s + a && !memchr(s + a, '-', b - a) &&
        !memchr(s + a, '\'', b - a) && !memmem(s + a, b - a, "\xe2\x80", 2)) {
        size_t d1 = (size_t)(dot - s), f = d1 + 2;
        const char *dot2 = memmem(s + f, b - f, "\xc2\xb7", 2);
        size_t fe = dot2 ? (size_t)(dot2 - s) : b;
        if (!dot2 || memmem(s + fe + 2, b - fe - 2, "\xc2\xb7", 2) == NULL) {
            if (feminine_ending(s + f, fe - f, !dot2) &&
                !(s[d1 - 1] == 'l' && s[f] == 'l')) { /* Catalan's l·l */
                int rc = lower_into(buf, s, a, d1, join, fold);
                char last = s[b - 1], end = s[d1 - 1];
                if (rc == 0 && (last == 's' || last == 'S') && end != 's' &&
                    end != 'S' && end != 'x' && end != 'X') {
                    if (gbuf_putc(buf, 's') < 0)
                        return GRILLE_ENOMEM;
                    buf->data[buf->len] = '\0';
                }
                return rc;
            }
        }
    }
    for (size_t i = a; i < b;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            i++;
            if (ch == '-' && join)
                continue;
            if (ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t')
                continue; /* a word hyphenated at a line's end
                             (hyphen_break): the spaces, the line end and
                             the next line's indent are none of it */
            buf->data[buf->len++] =
                (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            continue;
        }
        size_t n;
        uint32_t cp = utf8_get(s, b, i, &n);
        i += n;
        size_t m;
        if (grille__is_invisible(cp) || cp == 0xB7)
            continue; /* télé<U+00AD>travail is télétravail, agent·e·s
                         agentes (a middle dot only inside a word) */
        if (apostrophe_cp(cp)) {
            tmp[0] = '\'';
            m = 1;
        } else if (grille__is_hyphen(cp)) {
            if (join)
                continue;
            tmp[0] = '-';
            m = 1;
        } else {
            m = grille__lower(cp, fold, tmp);
        }
        if (buf->len + m + 1 > buf->cap && gbuf_grow(buf, m) < 0)
            return GRILLE_ENOMEM;
        memcpy(buf->data + buf->len, tmp, m);
        buf->len += m;
    }
    buf->data[buf->len] = '\0';
    return 0;
}

typedef struct tok_ctx {
    grille_analyser *a;
    const char *s;
    size_t end;       /* end of the segment */
    size_t prev_end;  /* end of the previous main token; SIZE_MAX before
                         the first, which no gap comes before */
    uint32_t pos;     /* next word position */
    bool at;          /* the segment has an '@' (e-mail addresses) */
    bool fast;        /* the fast paths (not GRILLE_REFERENCE) */
    size_t room;      /* tokens the two arrays have room for */
} tok_ctx;

static inline __attribute__((always_inline)) int
emit(tok_ctx *t, size_t start, size_t end, grille_token_kind kind,
     uint16_t flags, stem_entry *e, bool main)
{
    grille_analyser *a = t->a;
    if (!e)
        return GRILLE_ENOMEM;
    /* the two arrays grow together, and have room for the segment's
     * tokens (tokenise): one test, never true */
    if (__builtin_expect(a->ntoks >= t->room, 0)) {
        if (GROW(a->toks, a->toks_cap, a->ntoks + 1) < 0 ||
            GROW(a->tok_entry, a->tok_entry_cap, a->ntoks + 1) < 0)
            return GRILLE_ENOMEM;
        t->room = a->toks_cap < a->tok_entry_cap ? a->toks_cap
                                                 : a->tok_entry_cap;
    }
    a->tok_entry[a->ntoks] = e;
    grille_token *k = &a->toks[a->ntoks++];
    k->start = start;
    k->end = end;
    k->key = e->key;
    k->key_len = e->key_len;
    k->stem = e->stem;
    k->stem_len = e->stem_len;
    k->kind = (uint16_t)kind;
    k->flags = flags;
    if (!(flags & GRILLE_TOKF_PART)) {
        /* one space since the last word, the most common gap, is no
         * break */
        if (start > t->prev_end &&
            !(start == t->prev_end + 1 && t->s[t->prev_end] == ' ')) {
            bool spaced = false, under = false;
            for (size_t i = t->prev_end; i < start; i++) {
                unsigned char c = (unsigned char)t->s[i];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    spaced = true;
                    continue;
                }
                /* Markdown's emphasis (le **plan** de continuité,
                 * _gestes_ barrières) and quotes around a word of a
                 * phrase (les gestes « barrières »): no break; but an
                 * underscore between two words without a space is a
                 * name's (plan_de_continuite.docx) */
                if (c == '*' || c == '"')
                    continue;
                if (c == '_') {
                    under = true;
                    continue;
                }
                /* the dot of an abbreviation or an initial ("M. Dupont",
                 * "p. 12"), which ends no sentence, breaks no phrase */
                if (c == '.' && i == t->prev_end && short_word_before(t->s, i) &&
                    abbreviation_before(t->s, 0, i))
                    continue;
                if (c >= 0x80) {
                    size_t n;
                    uint32_t cp = utf8_get(t->s, start, i, &n);
                    /* a soft hyphen at a word's end breaks no phrase,
                     * nor do guillemets and curly double quotes */
                    if (grille__is_space(cp) || grille__is_invisible(cp) ||
                        cp == 0xAB || cp == 0xBB || cp == 0x201C ||
                        cp == 0x201D || cp == 0x201E) {
                        i += n - 1;
                        continue;
                    }
                }
                k->flags |= GRILLE_TOKF_BREAK;
                break;
            }
            if (under && !spaced)
                k->flags |= GRILLE_TOKF_BREAK;
        }
        t->prev_end = end;
    }
    k->pos = t->pos;
    /* a segment's words are its positions: counted once, at its end
     * (tokenise), not in the analyser at every word */
    if (main)
        t->pos++;
    return 0;
}

/* grille_stem__lookup_padded of the word of n bytes in lw, zero-padded
 * for eight bytes after it: the commonest inline. */
static inline __attribute__((always_inline)) stem_entry *
lookup_lw(grille_analyser *a, const unsigned char *lw, size_t n, int kind)
{
    if (n > 16)
        return grille_stem__lookup_padded(a, (const char *)lw, n, kind);
    uint64_t w0, w1 = 0;
    memcpy(&w0, lw, 8);
    if (n > 8)
        memcpy(&w1, lw + 8, 8);
    return grille_stem__lookup16(a, w0, w1, n, kind);
}

/* Longest word (lowercased bytes) that word_fast and emit_verbatim take. */
#define FAST_WORD_MAX 64

/* A token kept as it is (numbers, dates, URLs): its key is its folded
 * surface form without its spaces.  Short ASCII ones (numbers, dates)
 * are folded into a padded buffer and looked up eight bytes at a time. */
static int emit_verbatim(tok_ctx *t, size_t start, size_t end,
                         grille_token_kind kind)
{
    const unsigned char *u = (const unsigned char *)t->s;
    if (t->fast && end - start < FAST_WORD_MAX) {
        uint64_t buf[FAST_WORD_MAX / 8 + 2];
        unsigned char *lw = (unsigned char *)buf;
        size_t n = 0, i = start;
        for (; i < end && u[i] < 0x80; i++) {
            unsigned char c = u[i];
            if (c == ' ' || c == '\t' || c == '\v' || c == '\f')
                continue; /* grille__is_space's ASCII ones */
            lw[n++] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (i == end) {
            memset(lw + n, 0, 8);
            return emit(t, start, end, kind, 0,
                        lookup_lw(t->a, lw, n,
                                                   1),
                        true);
        }
    }
    gbuf *b = &t->a->scratch;
    b->len = 0;
    for (size_t i = start; i < end;) {
        size_t n;
        uint32_t cp = utf8_get(t->s, end, i, &n);
        i += n;
        if (grille__is_space(cp))
            continue;
        if (i == start + n && kind == GRILLE_TOK_NUMBER &&
            (cp == 0x2212 || cp == 0x2013))
            cp = '-'; /* a number's minus sign, however typed */
        char tmp[8];
        size_t m = grille__lower(cp, true, tmp);
        if (gbuf_put(b, tmp, m) < 0)
            return GRILLE_ENOMEM;
    }
    if (gbuf_put(b, "", 0) < 0)
        return GRILLE_ENOMEM;
    return emit(t, start, end, kind, 0,
                grille_stem__lookup(t->a, b->data, b->len, 1), true);
}

static bool url_at(const char *s, size_t end, size_t i)
{
    /* every word that starts with h or w comes here (C_ALPHA): the
     * prefixes' lengths are known, and their second letter is tested
     * before the call, which few of those words pass */
    static const listword prefixes[] = {LW("http://"), LW("https://"),
                                        LW("www."), {NULL, 0}};
    for (size_t k = 0; prefixes[k].w; k++) {
        size_t n = prefixes[k].n;
        if (end - i > n && (s[i + 1] | 0x20) == prefixes[k].w[1] &&
            strncasecmp(s + i, prefixes[k].w, n) == 0)
            return true;
    }
    return false;
}

static bool email_char(char c)
{
    return is_ascii_alpha(c) || is_digit(c) || c == '.' || c == '_' ||
           c == '%' || c == '+' || c == '-';
}

/* An e-mail address starting at i: returns its end or 0. */
static size_t email_at(const char *s, size_t end, size_t i)
{
    size_t k = i;
    while (k < end && email_char(s[k]))
        k++;
    if (k == i || k + 1 >= end || s[k] != '@' ||
        !(is_ascii_alpha(s[k + 1]) || is_digit(s[k + 1])))
        return 0;
    size_t at = ++k;
    while (k < end && (is_ascii_alpha(s[k]) || is_digit(s[k]) ||
                       s[k] == '.' || s[k] == '-'))
        k++;
    while (k > at && (s[k - 1] == '.' || s[k - 1] == '-'))
        k--;
    /* the domain needs a dot: "x@ville.fr", not "x@ville" */
    return k > at && memchr(s + at, '.', k - at) ? k : 0;
}

static size_t url_end(const char *s, size_t end, size_t i)
{
    size_t k = i;
    while (k < end) {
        unsigned char c = (unsigned char)s[k];
        if (c <= ' ' || c == '<' || c == '>' || c == '"')
            break;
        if (c >= 0x80) {
            size_t n;
            uint32_t cp = utf8_get(s, end, k, &n);
            if (grille__is_space(cp) || cp == 0xAB || cp == 0xBB)
                break;
            k += n;
            continue;
        }
        k++;
    }
    while (k > i && strchr(".,;:!?)]'", s[k - 1]))
        k--;
    return k;
}

static size_t digits(const char *s, size_t end, size_t i)
{
    while (i < end && is_digit(s[i]))
        i++;
    return i;
}

/* A space inside a number: " ", NBSP or narrow NBSP; returns its length. */
static size_t number_space(const char *s, size_t end, size_t i)
{
    if (i < end && s[i] == ' ')
        return 1;
    if (i + 1 < end && (unsigned char)s[i] == 0xC2 &&
        (unsigned char)s[i + 1] == 0xA0)
        return 2;
    /* narrow no-break space (U+202F, French typography), thin space
     * (U+2009) and figure space (U+2007), which word processors put
     * between groups of digits too */
    if (i + 2 < end && (unsigned char)s[i] == 0xE2 &&
        (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0xAF || (unsigned char)s[i + 2] == 0x89 ||
         (unsigned char)s[i + 2] == 0x87))
        return 3;
    return 0;
}

/* Numbers, dates and times at a digit; returns the end of what it took,
 * or 0 when the digits start a word ("2e", "1er", "COVID19"). */
/* A number from i, its minus sign the `sign` bytes before it (0: none; a
 * date or a time takes none). */
static int number(tok_ctx *t, size_t i, size_t sign, size_t *out)
{
    const char *s = t->s;
    size_t end = t->end;
    size_t j = digits(s, end, i);
    size_t n = j - i;
    /* 2020-05-11 */
    if (n == 4 && j + 5 < end && s[j] == '-' && is_digit(s[j + 1]) &&
        is_digit(s[j + 2]) && s[j + 3] == '-' && is_digit(s[j + 4]) &&
        is_digit(s[j + 5]) && (j + 6 >= end || !is_digit(s[j + 6]))) {
        *out = j + 6;
        return emit_verbatim(t, i, j + 6, GRILLE_TOK_DATE);
    }
    /* 12/03/2020, 14/05 */
    if (n <= 2 && j + 1 < end && s[j] == '/' && is_digit(s[j + 1])) {
        size_t k = digits(s, end, j + 1);
        if (k - j - 1 <= 2) {
            if (k + 1 < end && s[k] == '/' && is_digit(s[k + 1])) {
                size_t y = digits(s, end, k + 1);
                if (y - k - 1 == 2 || y - k - 1 == 4)
                    k = y;
            }
            *out = k;
            return emit_verbatim(t, i, k, GRILLE_TOK_DATE);
        }
    }
    /* 10:15, 00:12:40, 14h30 */
    if (n <= 2 && j + 2 < end && (s[j] == ':' || s[j] == 'h') &&
        is_digit(s[j + 1]) && is_digit(s[j + 2]) &&
        (j + 3 >= end || !is_digit(s[j + 3]))) {
        size_t k = j + 3;
        if (k + 2 < end && s[k] == ':' && is_digit(s[k + 1]) &&
            is_digit(s[k + 2]))
            k += 3;
        if (k >= end || !is_ascii_alpha(s[k])) {
            *out = k;
            return emit_verbatim(t, i, k, GRILLE_TOK_TIME);
        }
    }
    if (j < end && (is_ascii_alpha(s[j]) || (unsigned char)s[j] >= 0xC0)) {
        size_t m;
        if (grille__is_letter(cp_at(s, end, j, &m))) {
            *out = 0;
            return 0; /* a word that starts with digits */
        }
    }
    /* 1 000 000 */
    if (n <= 3) {
        for (;;) {
            size_t sp = number_space(s, end, j);
            if (!sp)
                break;
            size_t k = digits(s, end, j + sp);
            if (k - j - sp != 3 || (k < end && is_digit(s[k])))
                break;
            j = k;
        }
    }
    /* 10,5 and 3.14 */
    if (j + 1 < end && (s[j] == ',' || s[j] == '.') && is_digit(s[j + 1]))
        j = digits(s, end, j + 1);
    /* 60 % and 60% */
    size_t sp = number_space(s, end, j);
    if (j < end && s[j] == '%')
        j++;
    else if (sp && j + sp < end && s[j + sp] == '%')
        j += sp + 1;
    *out = j;
    return emit_verbatim(t, i - sign, j, GRILLE_TOK_NUMBER);
}

/*
 * The bytes of a minus sign at i that is a number's: '-', U+2212 or an
 * en dash, a digit right after it, and before it the start of the
 * segment, a space or an opening mark ("baisse de -10 %", "(−5 %)");
 * not the hyphen of COVID-19 nor of 2019-2020.  0: none.
 */
static size_t minus_at(const char *s, size_t from, size_t end, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[i] == '-' ? 1
               : i + 2 < end && u[i] == 0xE2 &&
                       ((u[i + 1] == 0x88 && u[i + 2] == 0x92) ||
                        (u[i + 1] == 0x80 && u[i + 2] == 0x93))
                   ? 3
                   : 0;
    if (!n || i + n >= end || !is_digit(s[i + n]))
        return 0;
    if (i == from)
        return n;
    size_t p = i - 1;
    while (p > from && (u[p] & 0xC0) == 0x80)
        p--;
    size_t m;
    uint32_t c = utf8_get(s, i, p, &m);
    return c == '\n' || c == '\r' || grille__is_space(c) || c == '(' ||
                   c == '[' || c == '"' || c == 0xAB /* « */ || c == '/' ||
                   c == 0x201C || c == 0x201E || c == 0x2018 /* “ „ ‘ */
               ? n
               : 0;
}

/* Byte classes for the ASCII fast path. */
enum {
    C_OTHER,
    C_SPACE,
    C_DIGIT,
    C_HIGH,
    C_ALPHA, /* h, H, w, W: the letters an URL may start with */
    C_WORD   /* the other ASCII letters: what most words start with */
};
#define C_HIGH16                                                               \
    C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH,    \
        C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH
static const unsigned char byte_class[256] = {
    ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE,
    ['\r'] = C_SPACE, [' '] = C_SPACE,
    ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT,
    ['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT,
    ['8'] = C_DIGIT, ['9'] = C_DIGIT,
    ['A'] = C_WORD, ['B'] = C_WORD, ['C'] = C_WORD, ['D'] = C_WORD,
    ['E'] = C_WORD, ['F'] = C_WORD, ['G'] = C_WORD, ['H'] = C_ALPHA,
    ['I'] = C_WORD, ['J'] = C_WORD, ['K'] = C_WORD, ['L'] = C_WORD,
    ['M'] = C_WORD, ['N'] = C_WORD, ['O'] = C_WORD, ['P'] = C_WORD,
    ['Q'] = C_WORD, ['R'] = C_WORD, ['S'] = C_WORD, ['T'] = C_WORD,
    ['U'] = C_WORD, ['V'] = C_WORD, ['W'] = C_ALPHA, ['X'] = C_WORD,
    ['Y'] = C_WORD, ['Z'] = C_WORD,
    ['a'] = C_WORD, ['b'] = C_WORD, ['c'] = C_WORD, ['d'] = C_WORD,
    ['e'] = C_WORD, ['f'] = C_WORD, ['g'] = C_WORD, ['h'] = C_ALPHA,
    ['i'] = C_WORD, ['j'] = C_WORD, ['k'] = C_WORD, ['l'] = C_WORD,
    ['m'] = C_WORD, ['n'] = C_WORD, ['o'] = C_WORD, ['p'] = C_WORD,
    ['q'] = C_WORD, ['r'] = C_WORD, ['s'] = C_WORD, ['t'] = C_WORD,
    ['u'] = C_WORD, ['v'] = C_WORD, ['w'] = C_ALPHA, ['x'] = C_WORD,
    ['y'] = C_WORD, ['z'] = C_WORD,
    /* bytes of UTF-8 sequences: C_HIGH, without a test */
    [0x80] = C_HIGH16, C_HIGH16, C_HIGH16, C_HIGH16, C_HIGH16, C_HIGH16,
    C_HIGH16, C_HIGH16};
#undef C_HIGH16

#define MAX_PARTS 16

/* What word_fast does with a byte: F_LOWER, F_UPPER and F_DIGIT are
 * copied (uppercase ASCII letters lowercased by setting 0x20), F_END ends
 * the word, anything else is looked at more closely. */
enum { F_LOWER = 1, F_UPPER = 2, F_DIGIT = 4, F_END = 8 };
static const unsigned char fast_class[256] = {
#define L F_LOWER
#define U F_UPPER
#define D F_DIGIT
#define E F_END
    E, E, E, E, E, E, E, E,
    E, E, E, E, E, E, E, E,
    E, E, E, E, E, E, E, E,
    E, E, E, E, E, E, E, E,
    E, E, E, E, E, E, E, 0,
    E, E, E, E, E, 0, E, E,
    D, D, D, D, D, D, D, D,
    D, D, E, E, E, E, E, E,
    E, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
    U, U, U, E, E, E, E, E,
    E, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L,
    L, L, L, E, E, E, E, E,
    /* 0x80..0xFF (0): UTF-8, looked at more closely */
#undef L
#undef U
#undef D
#undef E
};

/* The top-level domains of the addresses French notes give without
 * http:// nor www. (ameli.fr, service-public.fr, ars.sante.fr). */
static const listword domain_tlds[] = {
    LW("fr"), LW("com"), LW("org"), LW("net"), LW("eu"), LW("info"),
    LW("gouv"), LW("re"), LW("be"), LW("ch"), LW("io"), {NULL, 0}};

/* A web address without its scheme from i, the start of a word: ASCII
 * labels (letters, digits, inner hyphens) joined by dots, the last a
 * known top-level domain, and maybe a path after it ("ameli.fr",
 * "ars.sante.fr/covid"): returns its end, or 0.  Its words are no
 * words of the text: "sante" of ars.sante.fr is no santé. */
static size_t domain_at(const char *s, size_t end, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned alnum = F_LOWER | F_UPPER | F_DIGIT;
    size_t k = i, last = i, dots = 0;
    for (;;) {
        size_t l = k;
        while (k < end && ((fast_class[u[k]] & alnum) ||
                           (u[k] == '-' && k > l)))
            k++;
        if (k == l || s[k - 1] == '-')
            return 0;
        last = l;
        if (k + 1 < end && s[k] == '.' && (fast_class[u[k + 1]] & alnum)) {
            dots++;
            k++;
            continue;
        }
        break;
    }
    if (!dots)
        return 0;
    /* what follows: the end, a space or a mark; not a letter (ars.santé),
     * an address's @ nor another word's apostrophe */
    if (k < end && ((unsigned char)s[k] >= 0x80 || s[k] == '@' ||
                    s[k] == '\'' || s[k] == '_'))
        return 0;
    char tld[8];
    size_t n = k - last;
    if (n > 4)
        return 0;
    for (size_t m = 0; m < n; m++)
        tld[m] = (char)(s[last + m] | 0x20);
    bool known = false;
    for (size_t m = 0; domain_tlds[m].w && !known; m++)
        known = domain_tlds[m].n == n && memcmp(domain_tlds[m].w, tld, n) == 0;
    if (!known)
        return 0;
    return k < end && s[k] == '/' ? url_end(s, end, i) : k;
}

/* The letters U+00C0..U+00FF by the second byte of their UTF-8 form
 * (C3 80..BF): F_UPPER (lowercased by setting 0x20), F_LOWER, or 0 for
 * the ligatures and the signs (Æ × æ ÷) that word() takes. */
static const unsigned char c3_class[64] = {
#define L F_LOWER
#define U F_UPPER
    U, U, U, U, U, U, 0, U,
    U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, 0,
    U, U, U, U, U, U, U, L,
    L, L, L, L, L, L, 0, L,
    L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, 0,
    L, L, L, L, L, L, L, L,
#undef L
#undef U
};

/* The bytes of w that are a..z, as their high bit. */
static uint64_t lower_ascii8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t low7 = w & (ones * 0x7F); /* no carry between bytes below */
    return (low7 + ones * (0x80 - 'a')) & ~(low7 + ones * (0x7F - 'z')) &
           ~w & (ones * 0x80);
}

/*
 * An apostrophe of `apo` bytes at j, after the word s[i, j) that
 * word_fast lowercased into lw: "l'", "qu’" and the other elisions
 * before a letter are a token of their own; anything else (aujourd'hui,
 * an apostrophe before something else) is word()'s.  Returns 1 when it
 * did nothing.
 */
/* Whether a dot and a letter or a digit follow a word at k, as in an
 * address without its scheme (ameli.fr): word_slow's, which looks. */
static inline bool dot_word(const unsigned char *s, size_t end, size_t k)
{
    if (k + 1 >= end || s[k] != '.')
        return false;
    unsigned char c = s[k + 1];
    return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

static int elision_fast(tok_ctx *t, size_t i, size_t j, size_t apo,
                        unsigned char *lw, size_t *out)
{
    const unsigned char *s = (const unsigned char *)t->s;
    size_t n = j - i, k = j + apo;
    if (n > 6 || k >= t->end || !grille_text__is_elision((char *)lw, n))
        return 1;
    unsigned char d = s[k];
    bool letter = d < 0x80 ? (fast_class[d] & (F_LOWER | F_UPPER)) != 0
                           : d == 0xC3 && k + 1 < t->end &&
                                 c3_class[s[k + 1] & 0x3F] != 0;
    if (!letter)
        return 1;
    lw[n] = '\'';
    memset(lw + n + 1, 0, 8);
    *out = k;
    return emit(t, i, k, GRILLE_TOK_ELISION, 0,
                lookup_lw(t->a, lw, n + 1, 1),
                false);
}

/*
 * The common word, without decoding: ASCII letters and digits and the
 * letters of U+00C0..U+00FF (é, È, ç: two bytes, C3 xx, lowercased by
 * setting 0x20 in the second), ended by an ASCII byte that is neither an
 * apostrophe nor a hyphen, or by a no-break space.  It is lowercased into
 * a buffer padded with zeros as it is scanned (the same number of bytes),
 * and looked up in the stem cache eight bytes at a time.  Returns 1,
 * having done nothing, for any other word (elisions, compounds,
 * ligatures, other scripts, words of FAST_WORD_MAX bytes or more):
 * word() takes those, and gives the same token for these.
 */
static inline __attribute__((always_inline)) int
word_fast(tok_ctx *t, size_t i, size_t *out)
{
    const unsigned char *s = (const unsigned char *)t->s;
    size_t end = t->end, j = i;
    if (i + 16 <= end) {
        /* the commonest word of all: a..z only, at most 16 bytes, ended
         * by an ASCII byte that ends words, taken in two reads and
         * stored whole: the buffer below, written in pieces and read
         * back whole, costs a load that cannot be forwarded from the
         * stores and waits for them. */
        uint64_t w0, w1;
        memcpy(&w0, s + i, 8);
        memcpy(&w1, s + i + 8, 8);
        size_t r, n = 0;
#ifdef __SSE2__
        /* the sixteen bytes tested at once (signed: the bytes >= 0x80
         * are below 'a'); r, the first that is not a letter of the word,
         * 16 for none: a..z, A..Z (lowercased by setting 0x20), and the
         * small accented letters C3 A0..BF (é, à, ç: their bytes are
         * their lowercase; not æ nor ÷), so that "président" or "Les"
         * are taken here too.  A word without a small letter (DGS, A) is
         * an acronym's, word()'s below. */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i lo = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
        __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                   _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
        /* the second bytes of the small accented letters, then their
         * first bytes, C3, before one of them (one in the 16th byte,
         * whose second is not read, is left to the loop below) */
        __m128i acc = _mm_andnot_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xA6)),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xB7))),
            _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0x9F)),
                          _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0))));
        __m128i c3 = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC3)),
                                   _mm_srli_si128(acc, 1));
        __m128i small = _mm_or_si128(lo, c3);
        unsigned ok = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(small, up), _mm_slli_si128(c3, 1)));
        r = (size_t)__builtin_ctz(~ok);
        unsigned has_small = (unsigned)_mm_movemask_epi8(small) &
                             ((1u << r) - 1);
        if (r && has_small && (r < 16 || i + 16 < end) &&
            (fast_class[s[i + r]] & F_END)) {
            n = r;
            v = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
            w0 = (uint64_t)_mm_cvtsi128_si64(v);
            w1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
            if (r < 8) {
                w0 = grille__first_bytes(w0, r);
                w1 = 0;
            } else if (r == 8) {
                w1 = 0;
            } else if (r < 16) {
                w1 = grille__first_bytes(w1, r - 8);
            }
        }
#else
        uint64_t stop = ~lower_ascii8(w0) & 0x8080808080808080ULL;
        if (stop) {
            r = grille__first_high(stop);
            if (r && (fast_class[s[i + r]] & F_END)) {
                n = r;
                w0 = grille__first_bytes(w0, r);
                w1 = 0;
            }
        } else {
            stop = ~lower_ascii8(w1) & 0x8080808080808080ULL;
            r = stop ? grille__first_high(stop) : 8;
            if (i + 8 + r < end && (fast_class[s[i + 8 + r]] & F_END)) {
                n = 8 + r;
                w1 = r < 8 ? grille__first_bytes(w1, r) : w1;
            }
        }
#endif
        if (n && !dot_word(s, end, i + n)) {
            *out = i + n;
            return emit(t, i, i + n, GRILLE_TOK_WORD, 0,
                        grille_stem__lookup16(t->a, w0, w1, n, 0), true);
        }
    }
    size_t lim = end - i < FAST_WORD_MAX ? end : i + FAST_WORD_MAX;
    unsigned seen = 0;
    uint64_t buf[FAST_WORD_MAX / 8 + 3];
    unsigned char *lw = (unsigned char *)buf; /* lw[j - i]: byte j */
    while (j < lim) {
        if (j + 8 <= end) {
            /* eight bytes at a time while they are a..z, the most of
             * every word: copied as they are */
            uint64_t w;
            memcpy(&w, s + j, 8);
            uint64_t stop = ~lower_ascii8(w) & 0x8080808080808080ULL;
            memcpy(lw + (j - i), &w, 8);
            if (!stop) {
                seen |= F_LOWER;
                j += 8;
                continue;
            }
            size_t r = grille__first_high(stop);
            seen |= r ? F_LOWER : 0;
            j += r;
            if (j >= lim)
                break;
        }
        unsigned char ch = s[j];
        unsigned k = fast_class[ch];
        if (k & (F_LOWER | F_UPPER | F_DIGIT)) {
            seen |= k;
            lw[j - i] = (unsigned char)(ch | (k & F_UPPER) << 4);
            j++;
            continue;
        }
        if (k & F_END)
            break;
        if (j + 1 >= end)
            return 1;
        unsigned char c2 = s[j + 1];
        size_t apo = ch == '\'' ? 1
                     : ch == 0xE2 && c2 == 0x80 && j + 2 < end &&
                               (s[j + 2] == 0x99 || s[j + 2] == 0x98)
                         ? 3 /* ’ ‘ */
                         : 0;
        if (apo)
            return elision_fast(t, i, j, apo, lw, out);
        if (ch < 0x80)
            return 1; /* a hyphen */
        if (ch == 0xC2 && c2 == 0xA0) /* a no-break space ends it */
            break;
        k = ch == 0xC3 ? c3_class[c2 & 0x3F] : 0;
        if (!k)
            return 1;
        seen |= k;
        lw[j - i] = ch;
        lw[j - i + 1] = (unsigned char)(c2 | (k & F_UPPER) << 4);
        j += 2;
    }
    if (j == i || (j >= lim && lim < end) || dot_word(s, end, j))
        return 1;
    size_t n = j - i;
    uint16_t flags = 0;
    if (!(seen & F_LOWER) && acronym((const char *)s, i, j))
        flags = GRILLE_TOKF_ACRONYM;
    *out = j;
    memset(lw + n, 0, 8);
    return emit(t, i, j, GRILLE_TOK_WORD, flags,
                lookup_lw(t->a, lw, n, 0),
                true);
}

/* The entry of lower_into's key of s[a, b) (without its hyphens when
 * join), for a span of ASCII bytes and letters C3 xx only: lowercased
 * into a padded buffer and looked up as word_fast does, without decoding
 * nor the general lookup's hashing (a compound and its parts: three
 * lookups).  *took false, having done nothing, for any other span, or
 * one of FAST_WORD_MAX bytes or more: lower_into's then. */
static stem_entry *lookup_plain(tok_ctx *t, size_t a, size_t b, bool join,
                                bool *took)
{
    const unsigned char *s = (const unsigned char *)t->s;
    uint64_t buf[FAST_WORD_MAX / 8 + 2];
    unsigned char *lw = (unsigned char *)buf;
    size_t n = 0;
    *took = false;
    if (!t->fast || b - a >= FAST_WORD_MAX)
        return NULL;
    for (size_t i = a; i < b; i++) {
        unsigned char ch = s[i];
        if (ch < 0x80) {
            if ((ch == '-' && join) || ch == '\r' || ch == '\n' ||
                ch == ' ' || ch == '\t')
                continue; /* as lower_into leaves them out */
            lw[n++] = (unsigned char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            continue;
        }
        unsigned k = ch == 0xC3 && i + 1 < b ? c3_class[s[i + 1] & 0x3F] : 0;
        if (!k)
            return NULL;
        lw[n++] = ch;
        lw[n++] = (unsigned char)(s[i + 1] | (k & F_UPPER) << 4);
        i++;
    }
    memset(lw + n, 0, 8);
    *took = true;
    return lookup_lw(t->a, lw, n, 0);
}

/* The entry of s[a, b) lowercased (lower_into, join, no folding). */
static int lookup_lower(tok_ctx *t, size_t a, size_t b, stem_entry **e)
{
    bool took;
    *e = lookup_plain(t, a, b, true, &took);
    if (took)
        return 0;
    gbuf *buf = &t->a->scratch;
    buf->len = 0;
    if (lower_into(buf, t->s, a, b, true, false) < 0)
        return GRILLE_ENOMEM;
    *e = grille_stem__lookup(t->a, buf->data, buf->len, 0);
    return 0;
}

/* Whether an elision's word comes after what stands at k, right after
 * its apostrophe, though not right there: after spaces, as notes typed
 * in haste or read by OCR have it ("l' école"), the line's end
 * ("continuité d’" then "activité", maybe after spaces and indented),
 * Markdown's emphasis or double quotes ("d’**activité**", "la démarche
 * d’« aller vers »"), which break no phrase either (emit). */
static bool elision_gap(const char *s, size_t end, size_t k)
{
    bool line_end = false;
    size_t lim = end - k < 24 ? end : k + 24;
    while (k < lim) {
        unsigned char c = (unsigned char)s[k];
        if (c == ' ' || c == '\t' || c == '*' || c == '"') {
            k++;
        } else if ((c == '\n' || c == '\r') && !line_end) {
            line_end = true;
            k += c == '\r' && k + 1 < end && s[k + 1] == '\n' ? 2 : 1;
        } else if (c >= 0x80) {
            size_t n;
            uint32_t cp = utf8_get(s, end, k, &n);
            if (grille__is_letter(cp))
                return true;
            if (!(cp == 0xA0 || cp == 0x202F || cp == 0xAB ||
                  cp == 0x201C || cp == 0x201E) || !n)
                return false;
            k += n;
        } else {
            return is_ascii_alpha((char)c);
        }
    }
    return false;
}

/* Whether s[a, b) is one of word_prefixes, capitalised or not (Post,
 * post, Pré, pré). */
static bool word_prefix(const char *s, size_t a, size_t b)
{
    char w[8];
    size_t n = b - a;
    if (n == 0 || n > sizeof(w))
        return false;
    memcpy(w, s + a, n);
    if (w[0] >= 'a' && w[0] <= 'z')
        w[0] = (char)(w[0] - 'a' + 'A');
    return in_list(w, 0, n, word_prefixes);
}

/* A word from i: letters and digits, with elisions split off, kept
 * apostrophes, and hyphenated parts; after word_fast, for the words it
 * does not take. */
static int word_slow(tok_ctx *t, size_t i, size_t *out)
{
    const char *s = t->s;
    size_t end = t->end;
    size_t dom = domain_at(s, end, i);
    if (dom) {
        *out = dom;
        return emit_verbatim(t, i, dom, GRILLE_TOK_URL);
    }
    size_t ps[MAX_PARTS], pe[MAX_PARTS];
    size_t np = 0;
    size_t j = i, part = i;
    bool any_lower = false;
    /* an apostrophe kept inside the word (aujourd'hui, main-d'œuvre): only
     * then may a compound's part start with an elision, looked for below */
    bool kept_apo = false;
    unsigned upper_parts = 0;
    gbuf *b = &t->a->scratch;
    const bool fast = t->fast;
    /* ASCII lowercase letters and digits only: the word is its own
     * lowercase form, looked up without a copy */
    bool plain = fast;
    for (;;) {
        /* ASCII letters and digits, the common case, without decoding */
        while (fast && j < end) {
            unsigned char ch = (unsigned char)s[j];
            unsigned cls = byte_class[ch];
            if (cls == C_DIGIT) {
                j++;
                continue;
            }
            if (cls < C_ALPHA) /* not a letter */
                break;
            if (ch <= 'Z') {
                plain = false;
                if (j == part)
                    upper_parts++;
            } else {
                any_lower = true;
            }
            j++;
        }
        /* the end, or an ASCII byte that is not an apostrophe nor a
         * hyphen (letters and digits were taken above): the word ends
         * there, as the general tests below would find */
        if (fast && (j >= end || ((unsigned char)s[j] < 0x80 &&
                                  s[j] != '\'' && s[j] != '-')))
            break;
        size_t n;
        uint32_t c = cp_at(s, end, j, &n);
        plain = false;
        if (n && (grille__is_letter(c) || (c >= '0' && c <= '9'))) {
            if (j == part && grille__is_upper(c))
                upper_parts++;
            if (grille__is_letter(c) && !grille__is_upper(c) &&
                !grille__is_combining(c))
                any_lower = true;
            j += n;
            continue;
        }
        if (n == 2 && c == 0xB7 && j > part) {
            /* inclusive writing's middle dot between two letters,
             * "agent·e·s", "élu·e·s": one word, its dots left out
             * (lower_into), "agentes" and "élues", whose stems are the
             * masculine's */
            size_t m;
            uint32_t d = cp_at(s, end, j + n, &m);
            if (m && grille__is_letter(d) && !grille__is_combining(d)) {
                j += n;
                continue;
            }
        }
        if (n && grille__is_invisible(c) && j > part) {
            /* soft hyphens or zero-width spaces between two letters: no
             * part of the word (lower_into leaves them out) */
            size_t m, k = j + n;
            uint32_t d = cp_at(s, end, k, &m);
            while (m && grille__is_invisible(d)) {
                k += m;
                d = cp_at(s, end, k, &m);
            }
            if (m && (grille__is_letter(d) || (d >= '0' && d <= '9'))) {
                j = k;
                continue;
            }
            size_t brk = hyphen_break(s, end, k); /* a soft hyphen at a
                                                     line's end */
            if (brk) {
                j = k + brk;
                continue;
            }
        }
        if (n && grille__is_apostrophe(c) && j > part) {
            size_t m;
            uint32_t d = cp_at(s, end, j + n, &m);
            /* an elision only at the word's start, before any other
             * apostrophe: lowering the word so far at each one of
             * "aujourd'aujourd'…" took 4 s a megabyte */
            bool spaced = m && !grille__is_letter(d) &&
                          elision_gap(s, end, j + n);
            if (m && (grille__is_letter(d) || spaced) && np == 0 &&
                part == i && !kept_apo) {
                b->len = 0;
                if (lower_into(b, s, part, j, false, true) < 0)
                    return GRILLE_ENOMEM;
                if (grille_text__is_elision(b->data, b->len)) {
                    if (gbuf_putc(b, '\'') < 0)
                        return GRILLE_ENOMEM;
                    *out = j + n;
                    return emit(t, i, j + n, GRILLE_TOK_ELISION, 0,
                                grille_stem__lookup(t->a, b->data, b->len, 1),
                                false);
                }
            }
            if (m && grille__is_letter(d)) {
                j += n; /* aujourd’hui: the apostrophe stays in */
                kept_apo = true;
                continue;
            }
        }
        /* a word hyphenated at the line's end (télé-, then travail on
         * the next line, maybe indented): one word, as a soft hyphen
         * makes it, not a compound whose halves would be words of their
         * own (be- then soin is besoin, not soin); lower_into leaves the
         * hyphen, the line end and the indent out of its key */
        size_t brk = n && grille__is_hyphen(c) && j > part
                         ? hyphen_break(s, end, j + n)
                         : 0;
        if (brk && np == 0 && !hyphen_after(s, end, j + n + brk)) {
            j += n + brk;
            continue;
        }
        if (brk && np + 1 < MAX_PARTS) {
            /* a compound's own hyphen at the line's end (arc-en- then
             * ciel, vis- then à-vis): its parts as on one line */
            ps[np] = part;
            pe[np] = j;
            np++;
            j += n + brk;
            part = j;
            continue;
        }
        if (n && grille__is_hyphen(c) && j > part && np + 1 < MAX_PARTS) {
            size_t m;
            uint32_t d = cp_at(s, end, j + n, &m);
            if (m && (grille__is_letter(d) || (d >= '0' && d <= '9'))) {
                ps[np] = part;
                pe[np] = j;
                np++;
                j += n;
                part = j;
                continue;
            }
        }
        break;
    }
    ps[np] = part;
    pe[np] = j;
    np++;
    *out = j;
    uint16_t flags = 0;
    if (!any_lower && acronym(s, i, j))
        flags |= GRILLE_TOKF_ACRONYM;
    if (plain && np == 1 && j - i >= FAST_WORD_MAX)
        /* see above: lower_into would copy it as is */
        return emit(t, i, j, GRILLE_TOK_WORD, flags,
                    grille_stem__lookup(t->a, s + i, j - i, 0), true);
    stem_entry *we;
    if (lookup_lower(t, i, j, &we) < 0)
        return GRILLE_ENOMEM;
    if (np > 1 && upper_parts >= 2 && any_lower &&
        !word_prefix(s, ps[0], pe[0]))
        /* A name: Castelnau-le-Lez, Saint-Étienne.  Its key and stem are
         * those of the same word in lowercase (saint-étienne, a compound),
         * so that case does not change what matches it; but its parts
         * are not words of their own ("le" never comes out of it). */
        return emit(t, i, j, GRILLE_TOK_WORD, flags | GRILLE_TOKF_NAME, we,
                    true);
    if (np > 1)
        flags |= GRILLE_TOKF_COMPOUND;
    int rc = emit(t, i, j, GRILLE_TOK_WORD, flags, we, true);
    if (rc < 0 || np == 1)
        return rc;
    uint32_t pos = t->a->toks[t->a->ntoks - 1].pos;
    for (size_t k = 0; k < np && rc == 0; k++) {
        /* a part elided (main-d'œuvre, Villeneuve-d'Ascq): the word after
         * its elision, as a word of its own would be */
        size_t st = ps[k];
        for (size_t q = ps[k]; kept_apo && q < pe[k];) {
            size_t n;
            uint32_t c = utf8_get(s, pe[k], q, &n);
            if (grille__is_apostrophe(c)) {
                b->len = 0;
                if (lower_into(b, s, ps[k], q, false, true) < 0)
                    return GRILLE_ENOMEM;
                if (q > ps[k] && q + n < pe[k] &&
                    grille_text__is_elision(b->data, b->len))
                    st = q + n;
                break;
            }
            q += n;
        }
        stem_entry *pe_entry;
        if (lookup_lower(t, st, pe[k], &pe_entry) < 0)
            return GRILLE_ENOMEM;
        rc = emit(t, st, pe[k], GRILLE_TOK_WORD, GRILLE_TOKF_PART, pe_entry,
                  false);
        if (rc == 0)
            t->a->toks[t->a->ntoks - 1].pos = pos;
    }
    return rc;
}

/* A word from i, the common ones by word_fast, inline. */
static inline __attribute__((always_inline)) int word(tok_ctx *t, size_t i,
                                                      size_t *out)
{
    if (t->fast) {
        int rc = word_fast(t, i, out);
        if (rc <= 0)
            return rc;
    }
    return word_slow(t, i, out);
}

static int tokenise(grille_analyser *a, const char *s, grille_segment *seg)
{
    tok_ctx t = {a, s, seg->end, SIZE_MAX, 0, true, !a->reference, 0};
    /* room for a token per byte: each has one at least (a compound's
     * parts too: n parts, n + 1 tokens, 2n - 1 bytes at least) */
    size_t room = a->ntoks + (seg->end - seg->start) + 1;
    if (GROW(a->toks, a->toks_cap, room) < 0 ||
        GROW(a->tok_entry, a->tok_entry_cap, room) < 0)
        return GRILLE_ENOMEM;
    t.room = a->toks_cap < a->tok_entry_cap ? a->toks_cap : a->tok_entry_cap;
    if (!a->reference)
        t.at = a->text_at &&
               memchr(s + seg->start, '@', seg->end - seg->start) != NULL;
    size_t i = seg->start;
    seg->first_token = a->ntoks;
    int rc = 0;
    while (i < seg->end && rc == 0) {
        unsigned char ch = (unsigned char)s[i];
        unsigned cls = byte_class[ch];
        size_t next = 0, sign = 0;
        if ((cls == C_WORD ||
             (ch == 0xC3 && c3_class[(unsigned char)s[i + 1] & 0x3F])) &&
            !t.at) {
            /* most words: a letter that starts no URL (é, à too), and no
             * address in the segment (s[i + 1] is a continuation byte of
             * valid UTF-8, or the text's NUL) */
            rc = word(&t, i, &next);
            i = next > i ? next : i + 1;
            while (i < seg->end && s[i] == ' ')
                i++;
            continue;
        }
        if (cls == C_SPACE) {
            i++;
            continue;
        }
        if (cls == C_OTHER) {
            if (ch != '-' || !(sign = minus_at(s, seg->start, seg->end, i))) {
                i++;
                continue;
            }
        } else if (cls == C_HIGH) {
            size_t n;
            uint32_t cp = utf8_get(s, seg->end, i, &n);
            if ((!grille__is_letter(cp) || grille__is_combining(cp)) &&
                (ch != 0xE2 || !(sign = minus_at(s, seg->start, seg->end, i)))) {
                i += n;
                continue;
            }
        }
        if (sign) {
            /* -10 %: the sign is the number's; before a word made of
             * digits and letters (-3e), or an address (-5@ville.fr), it
             * is no part of it */
            if (t.at && email_at(s, seg->end, i + sign)) {
                i++;
                continue;
            }
            rc = number(&t, i + sign, sign, &next);
            if (rc == 0 && next == 0)
                rc = word(&t, i + sign, &next);
            i = next > i ? next : i + 1;
            while (i < seg->end && s[i] == ' ')
                i++;
            continue;
        }
        if (cls == C_ALPHA && url_at(s, seg->end, i)) {
            next = url_end(s, seg->end, i);
            rc = emit_verbatim(&t, i, next, GRILLE_TOK_URL);
        } else if (cls != C_HIGH && t.at &&
                   (next = email_at(s, seg->end, i)) != 0) {
            rc = emit_verbatim(&t, i, next, GRILLE_TOK_EMAIL);
        } else if (cls == C_DIGIT) {
            rc = number(&t, i, 0, &next);
            if (rc == 0 && next == 0)
                rc = word(&t, i, &next);
        } else {
            rc = word(&t, i, &next);
        }
        if (next <= i)
            next = i + 1;
        i = next;
        /* the spaces after a word, most often one */
        while (i < seg->end && s[i] == ' ')
            i++;
    }
    seg->ntokens = a->ntoks - seg->first_token;
    a->words += t.pos; /* one position per word (emit) */
    return rc;
}

int grille_text__segment(grille_analyser *a, const char *text, size_t len,
                         size_t body, unsigned line, grille_unit unit,
                         grille_error *err)
{
    a->nsegs = a->ntoks = a->ncodings = a->words = 0;
    grille_stem__trim(a);
    if (body > len)
        body = len;
    /* once for the text: most have no address, and a memchr per segment
     * cost its call for each (78,000 on 2,000 notes) */
    a->text_at = memchr(text + body, '@', len - body) != NULL;
    if (!line)
        line = 1 + count_lines(text, 0, body);
    if (segment_lines(a, text, len, body, line) < 0)
        return grille__nomem(err);
    if (unit == GRILLE_UNIT_SENTENCE) {
        /* Split in place: move the paragraphs aside first. */
        size_t n = a->nsegs;
        grille_segment *paras = malloc(n * sizeof(*paras) + 1);
        if (!paras)
            return grille__nomem(err);
        if (n)
            memcpy(paras, a->segs, n * sizeof(*paras));
        a->nsegs = 0;
        for (size_t k = 0; k < n; k++) {
            if (split_sentences(a, text, &paras[k]) < 0) {
                free(paras);
                return grille__nomem(err);
            }
        }
        free(paras);
    }
    return 0;
}

int grille_text__tokenise(grille_analyser *a, const char *text, size_t si,
                          grille_error *err)
{
    size_t words = a->words;
    if (tokenise(a, text, &a->segs[si]) < 0)
        return grille__nomem(err);
    a->segs[si].words = a->words - words;
    return 0;
}

int grille_text__analyse(grille_analyser *a, const char *text, size_t len,
                         size_t body, grille_unit unit, grille_error *err)
{
    int rc = grille_text__segment(a, text, len, body, 0, unit, err);
    for (size_t k = 0; k < a->nsegs && rc == 0; k++)
        rc = grille_text__tokenise(a, text, k, err);
    return rc;
}
