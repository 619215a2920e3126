/* minimal - the simplest C loop that looks up each word of some files.
 *
 * Usage: minimal FILE...   (prints the words and distinct words read)
 *
 * The benchmark times it beside wc -w and grille tag, to show what the
 * targets ask of a tagger on the machine at hand: it does a part of what
 * any tagger must do, and nothing else.  It reads each file whole, splits
 * it into words (runs of ASCII letters and digits and of bytes >= 0x80),
 * lowercases their ASCII letters, hashes each word and finds it (or adds
 * it) in an open-addressing table of the distinct words, counting it.  It
 * neither checks nor decodes UTF-8, finds no paragraph nor elision, stems
 * nothing, matches no codebook and writes no output.  It is no lower bound
 * (a vectorised split would be faster): it is what a C programmer writes
 * first for the lookups alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORD_MAX 47 /* longer words are cut: still one lookup each */

typedef struct word {
    uint64_t hash;
    uint32_t len, count;
    char w[WORD_MAX + 1];
} word;

static word *table;
static size_t nslots = 1 << 12, used;

/* 1: part of a word; 0x20 too: an ASCII capital, lowercased by OR. */
static unsigned char cls[256];

static void grow(void)
{
    size_t n = nslots * 2;
    word *t = calloc(n, sizeof(*t));
    if (!t) {
        perror("minimal");
        exit(1);
    }
    for (size_t i = 0; i < nslots; i++) {
        if (!table[i].len)
            continue;
        size_t j = table[i].hash & (n - 1);
        while (t[j].len)
            j = (j + 1) & (n - 1);
        t[j] = table[i];
    }
    free(table);
    table = t;
    nslots = n;
}

static void look_up(const unsigned char *s, size_t n)
{
    char lw[WORD_MAX];
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    if (n > WORD_MAX)
        n = WORD_MAX;
    for (size_t i = 0; i < n; i++) {
        lw[i] = (char)(s[i] | (cls[s[i]] & 0x20));
        h = (h ^ (unsigned char)lw[i]) * 0x100000001b3ULL;
    }
    size_t j = h & (nslots - 1);
    for (;; j = (j + 1) & (nslots - 1)) {
        word *e = &table[j];
        if (!e->len) {
            if (2 * (used + 1) > nslots) {
                grow();
                look_up(s, n);
                return;
            }
            e->hash = h;
            e->len = (uint32_t)n;
            memcpy(e->w, lw, n);
            e->count = 1;
            used++;
            return;
        }
        if (e->hash == h && e->len == n && memcmp(e->w, lw, n) == 0) {
            e->count++;
            return;
        }
    }
}

int main(int argc, char **argv)
{
    for (int c = 0; c < 256; c++)
        cls[c] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c >= 0x80
                     ? 1
                 : c >= 'A' && c <= 'Z' ? 0x21
                                        : 0;
    table = calloc(nslots, sizeof(*table));
    size_t cap = 1 << 16;
    unsigned char *buf = malloc(cap);
    if (!table || !buf) {
        perror("minimal");
        return 1;
    }
    uint64_t words = 0;
    for (int a = 1; a < argc; a++) {
        int fd = open(argv[a], O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
            fprintf(stderr, "minimal: %s: %s\n", argv[a], strerror(errno));
            return 1;
        }
        if ((size_t)st.st_size > cap) {
            cap = (size_t)st.st_size;
            free(buf);
            if (!(buf = malloc(cap))) {
                perror("minimal");
                return 1;
            }
        }
        size_t len = 0;
        ssize_t r;
        while (len < cap && (r = read(fd, buf + len, cap - len)) > 0)
            len += (size_t)r;
        close(fd);
        for (size_t i = 0; i < len;) {
            while (i < len && !(cls[buf[i]] & 1))
                i++;
            size_t b = i;
            while (i < len && (cls[buf[i]] & 1))
                i++;
            if (i > b) {
                look_up(buf + b, i - b);
                words++;
            }
        }
    }
    printf("%llu words, %zu distinct\n", (unsigned long long)words, used);
    return 0;
}
