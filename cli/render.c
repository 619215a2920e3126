/*
 * render.c - one description of a report (titles, paragraphs, quotes,
 * tables with heat colours) written as aligned text that fits 100
 * columns, Markdown, or a self-contained HTML page (inline CSS, nothing
 * fetched, readable when printed); tables also as CSV.  Every piece of
 * text that comes from a document or a codebook is escaped for the format.
 */
#include "render.h"
#include "stale.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEXT_WIDTH 100

/* The temporary file being written and its target: one output per run.
 * The signal handler removes the temporary file (unlink is safe there). */
static char out_tmp[4096];
static char *out_final;
/* The target is kept (hard links, another owner): the finished output is
 * copied over it, not renamed onto its name. */
static bool out_copy;

static const int out_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void out_on_signal(int sig)
{
    if (out_tmp[0])
        unlink(out_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A command that ends without out_close leaves no temporary file. */
static void out_at_exit(void)
{
    if (out_tmp[0])
        unlink(out_tmp);
}

void cli_out_abandon(void)
{
    out_at_exit();
}

/* -o written as it is: devices, pipes, descriptors (/dev/stdout...), a
 * link to a file not there yet, a file beside which we may not write.
 * The output can then be left cut by an error. */
/* A regular file written in place: an error leaves it cut, which its
 * message then says. */
static bool out_placed;

static FILE *out_in_place(const char *path)
{
    struct stat st;
    FILE *f = fopen(path, "we");
    if (!f)
        cli_error("%s: %s", path, strerror(errno));
    out_placed = f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    return f;
}

/* Whether a file is better written over than replaced: it has other
 * names (hard links) or another owner, whom a rename would change.  The
 * output is still made whole beside it first, so that an error (a full
 * disk) leaves the file as it was. */
static bool keep_in_place(const struct stat *st)
{
    return st->st_nlink > 1 || st->st_uid != geteuid();
}

/* Whether the file at path starts as a SQLite database does. */
static bool is_database(const char *path)
{
    char head[16];
    FILE *f = fopen(path, "rb");
    bool db = f && fread(head, 1, sizeof(head), f) == sizeof(head) &&
              memcmp(head, "SQLite format 3", sizeof(head)) == 0;
    if (f)
        fclose(f);
    return db;
}

/* Whether the regular file at path is one of project s's notes: the file
 * a document was added from, or one with a document's text.  A report
 * written there would replace the interview it codes. */
static bool is_note(grille_store *s, const char *path)
{
    /* by its real path, so that it is found by its text, as the file a
     * document was read from, or at the place one was added from; not
     * by a name (a file named like a document, or "#5"), nor by a
     * relative path stored from another folder (a "synthese.md" of
     * another folder) */
    char *file = realpath(path, NULL);
    if (!file)
        return false;
    int64_t id = 0;
    grille_error err = {0};
    int rc = grille_store_find(s, file, &id, &err);
    free(file);
    if (rc == 0 && id > 0)
        cli_error(_("%s is the note of document #%lld of the project (or "
                    "has its text): write the output to another file"),
                  path, (long long)id);
    else if (rc == GRILLE_EINVALID) /* the file of one, the path of another */
        cli_error(_("%s is a note of the project: write the output to "
                    "another file"),
                  path);
    return (rc == 0 && id > 0) || rc == GRILLE_EINVALID;
}

FILE *out_open(const char *path, const char *db, grille_store *s)
{
    if (!path || strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
        return stdout;
    if (db && cli_same_file(path, db))
        return NULL;
    struct stat st, ls;
    bool there = stat(path, &st) == 0;
    bool link = lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode);
    if (there && S_ISDIR(st.st_mode)) {
        cli_error(_("%s is a folder: give the name of the file to write"),
                  path);
        return NULL;
    }
    if ((there && !S_ISREG(st.st_mode)) || (link && !there) ||
        strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0)
        return out_in_place(path);
    if (there && access(path, W_OK) != 0) { /* as an open would say */
        cli_error("%s: %s", path, strerror(errno));
        return NULL;
    }
    if (there && is_database(path)) {
        /* another project, a slip of -o for -d: a report is never one */
        cli_error(_("%s is a SQLite database (a grille project?): write "
                    "the output to another file, or remove it first"),
                  path);
        return NULL;
    }
    if (there && s && S_ISREG(st.st_mode) && is_note(s, path))
        return NULL;
    out_copy = there && keep_in_place(&st);
    /* through a link, the file it names is replaced */
    char *final = link ? realpath(path, NULL) : strdup(path);
    if (!final) {
        cli_error("%s: %s", path, strerror(link ? errno : ENOMEM));
        return NULL;
    }
    /* no signal between the file's creation and its handler: a Ctrl-C
     * there would leave it */
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t k = 0; k < sizeof(out_signals) / sizeof(*out_signals); k++)
        sigaddset(&block, out_signals[k]);
    sigprocmask(SIG_BLOCK, &block, &old);
    /* named after the run's process, so that the next run beside it
     * removes what a kill -9 left */
    grille__remove_stale(final);
    int n = snprintf(out_tmp, sizeof(out_tmp), "%s.tmp-%ld-XXXXXX", final,
                     (long)getpid());
    int fd = n > 0 && (size_t)n < sizeof(out_tmp)
                 ? mkostemp(out_tmp, O_CLOEXEC)
                 : (errno = ENAMETOOLONG, -1);
    if (fd < 0 && errno == ENAMETOOLONG) {
        /* a name too long for the suffix (a file's name of 240 bytes or
         * more): a short one in the same folder, still renamed onto it,
         * rather than the file emptied at once and left so by an error
         * or a Ctrl-C */
        const char *slash = strrchr(final, '/');
        int dir = slash ? (int)(slash - final + 1) : 0;
        char stem[4096];
        snprintf(stem, sizeof(stem), "%.*s.grille", dir, final);
        grille__remove_stale(stem);
        n = snprintf(out_tmp, sizeof(out_tmp), "%s.tmp-%ld-XXXXXX", stem,
                     (long)getpid());
        fd = n > 0 && (size_t)n < sizeof(out_tmp)
                 ? mkostemp(out_tmp, O_CLOEXEC)
                 : (errno = ENAMETOOLONG, -1);
    }
    if (fd < 0) {
        int e = errno;
        out_tmp[0] = '\0';
        sigprocmask(SIG_SETMASK, &old, NULL);
        free(final);
        /* a folder we may not write in, or a name too long for a
         * suffix: the file written where it is */
        if (e == EACCES || e == EROFS || e == EPERM || e == ENAMETOOLONG)
            return out_in_place(path);
        cli_error("%s: %s", path, strerror(e));
        return NULL;
    }
    /* mkostemp makes it 0600; a file replaced keeps its permissions */
    if (there)
        (void)!fchmod(fd, st.st_mode & 07777);
    out_final = final;
    static bool registered;
    if (!registered)
        registered = atexit(out_at_exit) == 0;
    for (size_t k = 0; k < sizeof(out_signals) / sizeof(*out_signals); k++) {
        struct sigaction sa, was;
        sigaction(out_signals[k], NULL, &was);
        if (was.sa_handler == SIG_IGN)
            continue; /* nohup, a background job: still ignored */
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = out_on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(out_signals[k], &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        close(fd);
        unlink(out_tmp);
        out_tmp[0] = '\0';
        free(out_final);
        out_final = NULL;
    }
    return f;
}

/* Copies file `from` over `to` in place (a rename the system refused:
 * another's file in a sticky folder, a file mounted on its own). */
static int copy_over(const char *from, const char *to)
{
    FILE *in = fopen(from, "re"), *out = in ? fopen(to, "we") : NULL;
    char buf[65536];
    size_t n;
    int bad = !in || !out;
    while (!bad && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        bad = fwrite(buf, 1, n, out) != n;
    bad |= in && ferror(in);
    if (in)
        fclose(in);
    if (out)
        bad |= fclose(out) != 0;
    return bad ? -1 : 0;
}

int out_errno;

int out_close(FILE *f, const char *path)
{
    errno = 0;
    int bad = fflush(f) != 0 || ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    int e = errno ? errno : out_errno ? out_errno : EIO;
    if (!bad && out_tmp[0] && (out_copy || rename(out_tmp, out_final) != 0)) {
        /* a rename refused (another's file in a sticky folder), or a
         * file kept (out_copy): copied over.  No Ctrl-C in the copy: its
         * handler would remove the whole output while the target is half
         * written */
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t k = 0; k < sizeof(out_signals) / sizeof(*out_signals);
             k++)
            sigaddset(&block, out_signals[k]);
        sigprocmask(SIG_BLOCK, &block, &old);
        errno = 0;
        bad = copy_over(out_tmp, out_final) != 0;
        if (bad) {
            /* the file is cut: the whole output stays beside it */
            cli_error(_("%s: cannot write over it: %s; the whole output is "
                        "in %s"),
                      path, strerror(errno ? errno : EIO), out_tmp);
            out_tmp[0] = '\0';
            free(out_final);
            out_final = NULL;
            sigprocmask(SIG_SETMASK, &old, NULL);
            return -1;
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    if (out_tmp[0]) {
        unlink(out_tmp); /* gone if renamed */
        out_tmp[0] = '\0';
        free(out_final);
        out_final = NULL;
    }
    bool placed = out_placed && f != stdout;
    out_placed = false;
    if (bad) {
        if (placed) /* no whole copy beside it to fall back on */
            cli_error(_("%s: cannot write the output: %s; the file is "
                        "left cut (it was written in place, with no whole "
                        "copy beside it)"),
                      path, strerror(e));
        else
            cli_error(_("%s: cannot write the output: %s"),
                      path && f != stdout ? path : "<stdout>", strerror(e));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- tables */

void table_init(table *t, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->head = calloc(ncols, sizeof(char *));
    t->right = calloc(ncols, sizeof(bool));
    t->loose = calloc(ncols, sizeof(bool));
    t->list = calloc(ncols, sizeof(bool));
}

void table_list(table *t, size_t col)
{
    t->list[col] = true;
}

void table_loose(table *t, size_t col)
{
    t->loose[col] = true;
}

void table_head(table *t, size_t col, const char *name, bool right)
{
    free(t->head[col]);
    t->head[col] = strdup(name);
    t->right[col] = right;
}

size_t table_row(table *t)
{
    if (t->nrows == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 32;
        tcell *v = realloc(t->cells, c * t->ncols * sizeof(tcell));
        if (!v)
            cli_nomem(); /* a report's tables are small; no way to go on */
        t->cells = v;
        t->cap = c;
    }
    memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(tcell));
    return t->nrows++;
}

void table_text(table *t, size_t row, size_t col, const char *s, size_t len)
{
    tcell *c = &t->cells[row * t->ncols + col];
    free(c->text);
    c->text = malloc(len + 1);
    if (!c->text)
        cli_nomem();
    memcpy(c->text, s, len);
    c->text[len] = '\0';
}

void table_set(table *t, size_t row, size_t col, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        cli_nomem();
    va_end(ap);
    tcell *c = &t->cells[row * t->ncols + col];
    free(c->text);
    c->text = s;
}

void table_bg(table *t, size_t row, size_t col, const char *color)
{
    tcell *c = &t->cells[row * t->ncols + col];
    free(c->bg);
    c->bg = color ? strdup(color) : NULL;
}

void table_free(table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        free(t->cells[i].text);
        free(t->cells[i].bg);
    }
    for (size_t i = 0; i < t->ncols; i++)
        free(t->head[i]);
    free(t->head);
    free(t->right);
    free(t->loose);
    free(t->list);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

static const char *cell(const table *t, size_t r, size_t c)
{
    const char *s = t->cells[r * t->ncols + c].text;
    return s ? s : "";
}

/* Writes s padded or cut to exactly w columns; the last column of a row
 * (`last`) is not padded on its right: no line ends in spaces. */
/* The bytes of s[0, n) that fit `cols` columns from its start. */
static size_t fit_head(const char *s, size_t n, size_t cols, size_t *used)
{
    size_t i = 0, c;
    *used = 0;
    while (i < n) {
        size_t k = text_step(s, n, i, &c);
        if (*used + c > cols)
            break;
        i += k;
        *used += c;
    }
    return i;
}

static void put_fit(FILE *f, const char *s, size_t w, bool right, bool last,
                    bool mid, bool list);

/* Writes s cut in its middle to exactly w columns: its start, "…", its
 * end (ids that differ at their end: "solidarite/…ves_locales"). */
static void put_mid(FILE *f, const char *s, size_t w, bool last)
{
    size_t n = strlen(s), used, tail_used = 0, cols;
    size_t head = fit_head(s, n, (w - 1) / 2, &used);
    /* the tail: the last code points that fit the columns left */
    size_t from = n;
    for (size_t i = head; i < n;) {
        size_t rest = text_width(s + i, n - i);
        if (rest <= w - 1 - used) {
            from = i;
            tail_used = rest;
            break;
        }
        i += text_step(s, n, i, &cols);
    }
    /* not a combining mark after the "…": it goes with what was cut */
    while (from < n && text_step(s, n, from, &cols) && cols == 0)
        from += text_step(s, n, from, &cols);
    put_safe(f, s, head);
    fputs("\xe2\x80\xa6", f);
    put_safe(f, s + from, n - from);
    if (!last && used + 1 + tail_used < w)
        fprintf(f, "%*s", (int)(w - used - 1 - tail_used), "");
}

void put_name(FILE *f, const char *s, size_t w)
{
    if (text_width(s, strlen(s)) > w && w >= 8)
        put_mid(f, s, w, false);
    else
        put_fit(f, s, w, false, false, false, false);
}

static void put_fit(FILE *f, const char *s, size_t w, bool right, bool last,
                    bool mid, bool list)
{
    size_t n = strlen(s);
    size_t width = text_width(s, n);
    if (width > w && mid && !right && w >= 8) {
        put_mid(f, s, w, last);
        return;
    }
    if (width > w && right && w) {
        /* keep the end: "…" then the last code points, in w - 1 columns */
        size_t i = 0, rest = width, cols;
        while (i < n && rest > w - 1) {
            i += text_step(s, n, i, &cols);
            rest -= cols;
        }
        /* not a combining mark on the "…": it goes with what was cut */
        while (i < n && text_step(s, n, i, &cols) && cols == 0)
            i += text_step(s, n, i, &cols);
        fprintf(f, "%*s", (int)(w - 1 - rest), ""); /* after a wide one */
        fputs("\xe2\x80\xa6", f);
        put_safe(f, s + i, n - i);
        return;
    }
    if (width > w) {
        /* cut on a code point, leave room for "…" */
        size_t i = 0, used = 0, cols;
        while (i < n) {
            size_t k = text_step(s, n, i, &cols);
            if (used + cols + 1 > w)
                break;
            i += k;
            used += cols;
        }
        /* a list's cell ("télétravail 25, à distance 19, visio 7"): after
         * its last whole item, "…" after its comma and a space, rather
         * than in a word ("tea…"), when that keeps a third of the room */
        for (size_t c = i; list && c >= 2 && i < n && c > i / 3; c--)
            if (s[c - 2] == ',' && s[c - 1] == ' ') {
                size_t kept = text_width(s, c);
                if (kept + 1 <= w && 3 * kept >= w) {
                    i = c;
                    used = kept;
                }
                break;
            }
        put_safe(f, s, i);
        if (w) {
            fputs("\xe2\x80\xa6", f);
            if (!last)
                fprintf(f, "%*s", (int)(w - 1 - used), "");
        }
        return;
    }
    if (right)
        fprintf(f, "%*s", (int)(w - width), "");
    put_safe(f, s, n);
    if (!right && !last)
        fprintf(f, "%*s", (int)(w - width), "");
}

static void wrap(FILE *f, const char *s, size_t indent, size_t width);

/* "Columns: 1 a, 2 b." under a table whose heads are numbers, wrapped. */
static void heads_legend(FILE *f, char **names, size_t ncols)
{
    char *s = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&s, &len);
    if (!m)
        cli_nomem();
    fputs(_("Columns:"), m);
    for (size_t c = 1; c < ncols; c++)
        fprintf(m, " %zu %s%s", c, names[c] ? names[c] : "",
                c + 1 < ncols ? "," : ".");
    fclose(m);
    fputc('\n', f);
    wrap(f, s, 0, TEXT_WIDTH);
    free(s);
}

/* A tab or a line end in a cell (a document named "a\tb", an attribute
 * value on two lines) would break its row: a space in a text table. */
static void flatten(char *s)
{
    for (; s && *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' ||
            *s == '\f')
            *s = ' ';
}

typedef struct cut_key {
    const char *s;
    size_t n;
} cut_key;

static int cmp_cut_key(const void *pa, const void *pb)
{
    const cut_key *a = pa, *b = pb;
    int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* The columns of names (left-aligned, not loose) whose cells are cut in
 * their middle rather than at their end: where cut at their end two would
 * look alike ("solidarite/associat…" twice), and in the first column,
 * which names the rows, where a cut one is a path (a sub-theme's id, a
 * document's path: "solidarite/associat…" hides which it is). */
static bool *mid_cuts(const table *t, const size_t *w)
{
    bool *mid = calloc(t->ncols + 1, sizeof(bool));
    cut_key *keys = malloc((t->nrows + 1) * sizeof(*keys));
    if (!mid || !keys)
        cli_nomem();
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->right[c] || t->loose[c] || w[c] < 8)
            continue;
        size_t k = 0, used;
        for (size_t r = 0; r < t->nrows; r++) {
            const char *s = cell(t, r, c);
            size_t n = strlen(s);
            if (text_width(s, n) <= w[c])
                continue;
            keys[k++] = (cut_key){s, fit_head(s, n, w[c] - 1, &used)};
            mid[c] |= c == 0 && memchr(s, '/', n);
        }
        qsort(keys, k, sizeof(*keys), cmp_cut_key);
        for (size_t i = 1; i < k && !mid[c]; i++)
            mid[c] = cmp_cut_key(&keys[i - 1], &keys[i]) == 0 &&
                     strcmp(keys[i - 1].s, keys[i].s) != 0;
    }
    free(keys);
    return mid;
}

static void table_plain(FILE *f, table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        flatten(t->cells[i].text);
    for (size_t c = 0; c < t->ncols; c++)
        flatten(t->head[c]);
    size_t *w = calloc(t->ncols, sizeof(size_t));
    if (!w)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        const char *h = t->head[c] ? t->head[c] : "";
        w[c] = text_width(h, strlen(h));
        for (size_t r = 0; r < t->nrows; r++) {
            size_t x = text_width(cell(t, r, c), strlen(cell(t, r, c)));
            if (x > w[c])
                w[c] = x;
        }
    }
    /* a right-aligned column holds numbers: its cells are never cut (its
     * header may be), unless it is loose (kwic's left context) */
    size_t *keep = calloc(t->ncols, sizeof(size_t));
    if (!keep) {
        free(w);
        return;
    }
    for (size_t c = 1; c < t->ncols; c++)
        for (size_t r = 0; t->right[c] && !t->loose[c] && r < t->nrows;
             r++) {
            size_t x = text_width(cell(t, r, c), strlen(cell(t, r, c)));
            if (x > keep[c])
                keep[c] = x;
        }
    /* the first column names the rows: at most first_max wide, unless
     * the table has room for more (sub-themes cut to "sante/masq…" could
     * not be told apart) */
    size_t first_max = t->first_max ? t->first_max : 40;
    size_t total = 0;
    for (size_t c = 1; c < t->ncols; c++)
        total += w[c] + 2;
    if (w[0] > first_max)
        w[0] = total + first_max < TEXT_WIDTH && w[0] > TEXT_WIDTH - total
                   ? TEXT_WIDTH - total
               : total + first_max < TEXT_WIDTH ? w[0]
                                                : first_max;
    total += w[0];
    /* fit 100 columns: shrink the first, then the widest, column */
    /* The widest column that may shrink gives way first, one character
     * at a time, the first of equals first (top terms, contexts); the
     * first column, which names the row, keeps at least 16, the others 6,
     * and a column of numbers its widest number.  Done a width level at a
     * time: a table of thousands of columns costs a pass per level, not
     * one per character. */
    while (total > TEXT_WIDTH) {
        size_t top = 0;
        for (size_t c = 0; c < t->ncols; c++)
            if (w[c] > top && w[c] > (c ? 6 : 16) && w[c] > keep[c])
                top = w[c];
        if (!top)
            break; /* nothing may shrink: printed in groups, below */
        for (size_t c = 0; c < t->ncols && total > TEXT_WIDTH; c++) {
            if (w[c] != top || w[c] <= (c ? 6 : 16) || w[c] <= keep[c])
                continue;
            w[c]--;
            total--;
        }
    }
    free(keep);
    /* A head cut to fit ("…de communes" for two groups) cannot be told
     * from another: the columns are numbered, and named below. */
    bool cut = false;
    for (size_t c = 1; t->number_heads && c < t->ncols && !cut; c++)
        cut = t->head[c] && text_width(t->head[c], strlen(t->head[c])) > w[c];
    if (cut) {
        free(w);
        char **names = t->head;
        t->head = calloc(t->ncols, sizeof(char *));
        if (!t->head)
            cli_nomem();
        t->head[0] = names[0];
        for (size_t c = 1; c < t->ncols; c++)
            if (asprintf(&t->head[c], "%zu", c) < 0)
                cli_nomem();
        t->number_heads = false;
        table_plain(f, t);
        t->number_heads = true;
        heads_legend(f, names, t->ncols);
        for (size_t c = 1; c < t->ncols; c++)
            free(t->head[c]);
        free(t->head);
        t->head = names;
        return;
    }
    bool *mid = mid_cuts(t, w);
    /* Still too wide (a matrix of many codes): print the columns in
     * groups that fit, each with the first column again. */
    size_t from = 1;
    while (from < t->ncols || t->ncols == 1) {
        size_t to = from, width = w[0];
        while (to < t->ncols && (to == from || width + 2 + w[to] <=
                                                   TEXT_WIDTH)) {
            width += 2 + w[to];
            to++;
        }
        if (from > 1)
            fputc('\n', f);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c && (c < from || c >= to))
                continue;
            if (c)
                fputs("  ", f);
            put_fit(f, t->head[c] ? t->head[c] : "", w[c], t->right[c],
                    c + 1 == to, false, false);
        }
        fputc('\n', f);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c && (c < from || c >= to))
                continue;
            if (c)
                fputs("  ", f);
            for (size_t k = 0; k < w[c]; k++)
                fputc('-', f);
        }
        fputc('\n', f);
        for (size_t r = 0; r < t->nrows; r++) {
            /* empty cells at the end of a row are left out: no line ends
             * in spaces (kwic's empty right context) */
            size_t end = to;
            while (end > from && end > 1 && !*cell(t, r, end - 1))
                end--;
            /* the last cell printed: column 0 alone when this part's
             * cells are all empty */
            size_t lastc = end > from ? end - 1 : 0;
            for (size_t c = 0; c <= lastc; c++) {
                if (c && c < from)
                    continue;
                if (c)
                    fputs("  ", f);
                put_fit(f, cell(t, r, c), w[c], t->right[c], c == lastc,
                        mid[c], t->list[c]);
            }
            fputc('\n', f);
        }
        if (t->ncols == 1)
            break;
        from = to;
    }
    free(mid);
    free(w);
}

/* `s` as Markdown text; `line` when it starts a line, where more opens
 * a block (in a table's cell or after "## ", nothing does: 11.1 stays
 * 11.1 there) */
static void md_escape_at(FILE *f, const char *s, bool line)
{
    size_t n = strlen(s);
    /* what would open a block at the start of a line: a fence (~~~), a
     * heading, a list item ("- ", "2020. "), a setext line */
    size_t digits = line ? strspn(s, "0123456789") : 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        /* ~ too: GitHub's ~~strike~~ */
        if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '[' ||
            c == ']' || c == '`' || c == '~' ||
            (line && i == 0 && strchr("#-+=", c)) ||
            (i == digits && i && i < 10 && (c == '.' || c == ')')))
            fputc('\\', f);
        size_t k;
        if (c == '&') {
            fputs("&amp;", f); /* "&amp;" in a note stays as written */
        } else if (c == '<' || c == '>') {
            /* as entities, not \< \>: GitHub's autolinks took a note's
             * "<https://x>" for the link "https://x\>" */
            fputs(c == '<' ? "&lt;" : "&gt;", f);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            fputc(' ', f);
        } else if ((k = control_at(s, n, i)) != 0) {
            fputs(REPLACEMENT_CHAR, f);
            i += k - 1;
        } else {
            k = plain_at(s, n, i);
            fwrite(s + i, 1, k, f);
            i += k - 1;
        }
    }
}

static void md_escape(FILE *f, const char *s)
{
    md_escape_at(f, s, true);
}

/* A cell's leading spaces (a sub-theme's indent), which Markdown and HTML
 * would drop, as no-break spaces: their number, the rest after them. */
static size_t indent_of(const char *s)
{
    return strspn(s, " ");
}

static void table_md(FILE *f, table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        fputs("| ", f);
        md_escape_at(f, t->head[c] ? t->head[c] : "", false);
        fputc(' ', f);
    }
    fputs("|\n", f);
    for (size_t c = 0; c < t->ncols; c++)
        fputs(t->right[c] ? "|---:" : "|---", f);
    fputs("|\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *x = cell(t, r, c);
            size_t sp = indent_of(x);
            fputs("| ", f);
            for (size_t k = 0; k < sp; k++)
                fputs("\xc2\xa0", f);
            md_escape_at(f, x + sp, false);
            fputc(' ', f);
        }
        fputs("|\n", f);
    }
}

void html_escape(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        size_t k = s[i] != '\n' && s[i] != '\r' ? control_at(s, len, i) : 0;
        if (k) { /* not allowed in HTML's text */
            fputs(REPLACEMENT_CHAR, f);
            i += k - 1;
            continue;
        }
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            k = plain_at(s, len, i);
            fwrite(s + i, 1, k, f);
            i += k - 1;
        }
    }
}

static void html_cstr(FILE *f, const char *s)
{
    html_escape(f, s, strlen(s));
}

static void table_html(FILE *f, table *t)
{
    if (t->klass)
        fprintf(f, "<table class=\"%s\">\n<thead><tr>", t->klass);
    else
        fputs("<table>\n<thead><tr>", f);
    for (size_t c = 0; c < t->ncols; c++) {
        fputs(t->right[c] ? "<th class=\"n\">" : "<th>", f);
        html_cstr(f, t->head[c] ? t->head[c] : "");
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < t->ncols; c++) {
            const tcell *x = &t->cells[r * t->ncols + c];
            fputs(c == 0 ? "<th scope=\"row\"" : "<td", f);
            if (t->right[c])
                fputs(" class=\"n\"", f);
            if (x->bg)
                fprintf(f, " style=\"background:%s\"", x->bg);
            fputc('>', f);
            const char *v = cell(t, r, c);
            size_t sp = indent_of(v);
            for (size_t k = 0; k < sp; k++)
                fputs("&nbsp;", f);
            html_cstr(f, v + sp);
            fputs(c == 0 ? "</th>" : "</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

void table_csv(FILE *f, table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', f);
        csv_ccell(f, t->head[c] ? t->head[c] : "", true);
    }
    fputs("\r\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', f);
            csv_ccell(f, cell(t, r, c), !t->right[c] || t->loose[c]);
        }
        fputs("\r\n", f);
    }
}

/* -------------------------------------------------------------- documents */

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222;"
    "line-height:1.45}"
    "h1{font-size:1.7rem;border-bottom:3px solid #1f4e79;padding-bottom:.3rem}"
    "h2{font-size:1.3rem;color:#1f4e79;margin-top:2.2rem;"
    "border-bottom:1px solid #ccc}"
    "h3{font-size:1.05rem;margin-bottom:.3rem}"
    "table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.85rem}"
    "th,td{border:1px solid #d0d0d0;padding:.25rem .45rem;vertical-align:top}"
    "thead th{background:#f0f3f7;position:sticky;top:0}"
    "th[scope=row]{text-align:left;font-weight:600;background:#fafafa}"
    ".n{text-align:right;font-variant-numeric:tabular-nums}"
    "blockquote{margin:.5rem 0 .9rem;padding:.3rem .8rem;"
    "border-left:4px solid #9ecae1;background:#f7fbff}"
    "blockquote p{margin:.1rem 0}"
    ".src{color:#555;font-size:.85rem}"
    ".legend{font-size:.8rem;color:#444}"
    ".legend span{display:inline-block;width:1.2rem;height:.8rem;"
    "vertical-align:middle;border:1px solid #ccc;margin:0 .15rem}"
    ".grid{overflow-x:auto}"
    ".grid table{font-size:.72rem}"
    ".grid td{min-width:7.5rem;max-width:9rem}"
    "svg text{font-family:inherit;font-size:12px}"
    "table.matrix thead th:not(:first-child){writing-mode:vertical-rl;"
    "transform:rotate(180deg);white-space:nowrap;text-align:left;"
    "padding:.4rem .15rem}"
    "table.matrix td{min-width:1.6rem}"
    "@media print{body{max-width:none;margin:0}h2{break-after:avoid}"
    "table,blockquote{break-inside:avoid}thead th{position:static}"
    ".grid{overflow:visible}.grid table{font-size:6pt}"
    ".grid td{min-width:0}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

void doc_begin(doc *d, const char *title)
{
    if (d->fmt == FMT_HTML) {
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
              "<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width\">\n"
              "<title>",
              d->f);
        html_cstr(d->f, title);
        fprintf(d->f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>",
                css);
        html_cstr(d->f, title);
        fputs("</h1>\n", d->f);
    } else if (d->fmt == FMT_MD) {
        fputs("# ", d->f);
        md_escape(d->f, title);
        fputs("\n\n", d->f);
    } else {
        size_t w = text_width(title, strlen(title));
        put_safe_line(d->f, title);
        fputc('\n', d->f);
        for (size_t i = 0; i < w; i++)
            fputc('=', d->f);
        fputs("\n\n", d->f);
    }
}

void doc_end(doc *d)
{
    if (d->fmt == FMT_HTML)
        fputs("</body>\n</html>\n", d->f);
}

void doc_h2(doc *d, const char *title)
{
    if (d->fmt == FMT_HTML) {
        fputs("<h2>", d->f);
        html_cstr(d->f, title);
        fputs("</h2>\n", d->f);
    } else if (d->fmt == FMT_MD) {
        fputs("## ", d->f);
        md_escape_at(d->f, title, false);
        fputs("\n\n", d->f);
    } else {
        /* a long name (a collectivité's, a role's) cut to the page */
        char *cut = flat_cut(title, strlen(title), TEXT_WIDTH - 1);
        size_t w = text_width(cut, strlen(cut));
        put_safe_line(d->f, cut);
        fputc('\n', d->f);
        for (size_t i = 0; i < w; i++)
            fputc('-', d->f);
        fputs("\n\n", d->f);
        free(cut);
    }
}

void doc_h3(doc *d, const char *title)
{
    if (d->fmt == FMT_HTML) {
        fputs("<h3>", d->f);
        html_cstr(d->f, title);
        fputs("</h3>\n", d->f);
    } else if (d->fmt == FMT_MD) {
        fputs("### ", d->f);
        md_escape_at(d->f, title, false);
        fputs("\n\n", d->f);
    } else {
        char *cut = flat_cut(title, strlen(title), TEXT_WIDTH - 1);
        put_safe_line(d->f, cut);
        fputs("\n\n", d->f);
        free(cut);
    }
}

/* Writes `s` wrapped at `width` columns with `indent` spaces. */
static void wrap(FILE *f, const char *s, size_t indent, size_t width)
{
    size_t col = 0;
    const char *p = s;
    /* a tab or a line end (in a document's name) is a space too */
    static const char blank[] = " \t\n\r\v\f";
    while (*p) {
        p += strspn(p, blank);
        if (!*p)
            break;
        const char *e = p + strcspn(p, blank);
        size_t w = text_width(p, (size_t)(e - p));
        /* French typography's marks that stand apart (« word », "word :")
         * go on the line of the word they belong to: the room for both */
        size_t need = w;
        const char *q = e + strspn(e, blank);
        const char *qe = q + strcspn(q, blank);
        if (qe > q && !(e - p == 2 && memcmp(p, "\xc2\xab", 2) == 0) &&
            ((qe - q == 2 && memcmp(q, "\xc2\xbb", 2) == 0) ||
             (qe - q == 1 && strchr(":;!?", *q))))
            need += 1 + text_width(q, (size_t)(qe - q));
        else if (e - p == 2 && memcmp(p, "\xc2\xab", 2) == 0 && qe > q) {
            /* « and its word, and the » or the colon after that word */
            need += 1 + text_width(q, (size_t)(qe - q));
            const char *r = qe + strspn(qe, blank);
            const char *re = r + strcspn(r, blank);
            if ((re - r == 2 && memcmp(r, "\xc2\xbb", 2) == 0) ||
                (re - r == 1 && strchr(":;!?", *r)))
                need += 1 + text_width(r, (size_t)(re - r));
        }
        if (col && (col + 1 + w > width ||
                    (col + 1 + need > width && need <= width - indent))) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0) {
            fprintf(f, "%*s", (int)indent, "");
            col = indent;
        } else {
            fputc(' ', f);
            col++;
        }
        /* a word wider than the line (a URL, a run of CJK) is broken
         * where the line ends, between characters */
        while (col + w > width && width > indent + 1) {
            size_t i = 0, used = 0, cols;
            size_t n = (size_t)(e - p);
            while (i < n) {
                size_t k = text_step(p, n, i, &cols);
                if (cols && col + used + cols > width)
                    break;
                i += k;
                used += cols;
            }
            if (i == 0) /* one character wider than the room left */
                i = text_step(p, n, 0, &cols), used = cols;
            put_safe(f, p, i);
            fputc('\n', f);
            fprintf(f, "%*s", (int)indent, "");
            col = indent;
            p += i;
            w -= used;
        }
        put_safe(f, p, (size_t)(e - p));
        col += w;
        p = e;
    }
    fputc('\n', f);
}

void doc_para(doc *d, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        cli_nomem();
    va_end(ap);
    if (d->fmt == FMT_HTML) {
        fputs("<p>", d->f);
        html_cstr(d->f, s);
        fputs("</p>\n", d->f);
    } else if (d->fmt == FMT_MD) {
        md_escape(d->f, s);
        fputs("\n\n", d->f);
    } else {
        wrap(d->f, s, 0, TEXT_WIDTH);
        fputc('\n', d->f);
    }
    free(s);
}

char *flat_cut(const char *s, size_t len, size_t max)
{
    return flat_cut_mark(s, len, max, true);
}

char *flat_cut_mark(const char *s, size_t len, size_t max, bool mark)
{
    char *out = malloc(len + 4);
    size_t o = 0, cols = 0;
    bool space = false;
    if (!out)
        cli_nomem();
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v') {
            space = o > 0;
            i++;
            continue;
        }
        /* a character and its combining marks (a decomposed accent) are
         * one, and never cut apart */
        size_t w, k = text_step(s, len, i, &w);
        if (w || space) {
            if (cols + (space ? 1 : 0) >= max) {
                if (mark) {
                    memcpy(out + o, "\xe2\x80\xa6", 3);
                    o += 3;
                }
                out[o] = '\0';
                return out;
            }
            if (space) {
                out[o++] = ' ';
                cols++;
            }
            space = false;
            cols += w ? 1 : 0;
        }
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    return out;
}

/* Whether byte b of text is inside a word: not at its start. */
static bool mid_word(const char *text, size_t b)
{
    return b > 0 && text[b - 1] != ' ' && text[b - 1] != '\n' &&
           text[b - 1] != '\t';
}

char *cut_around(const char *text, size_t len, size_t hit, size_t width)
{
    size_t lead = width / 3, cols = 0, at = hit;
    if (at > len)
        return flat_cut(text, len, width);
    for (size_t i = 0; i < at; i++)
        cols += ((unsigned char)text[i] & 0xC0) != 0x80;
    if (cols <= lead)
        return flat_cut(text, len, width);
    /* `lead` code points back from the hit, then to the next word */
    size_t b = at;
    for (size_t c = 0; b > 0 && c < lead; c++) {
        b--;
        while (b > 0 && ((unsigned char)text[b] & 0xC0) == 0x80)
            b--;
    }
    for (size_t e = b; mid_word(text, b) && e < at; e++)
        if (text[e] == ' ' || text[e] == '\n') {
            b = e + 1;
            break;
        }
    /* near the end: back far enough to fill the width */
    size_t rest = 0, word = b;
    for (size_t i = b; i < len; i++)
        rest += ((unsigned char)text[i] & 0xC0) != 0x80;
    for (; b > 0 && rest + 1 < width; rest++) {
        b--;
        while (b > 0 && ((unsigned char)text[b] & 0xC0) == 0x80)
            b--;
    }
    if (b == 0)
        return flat_cut(text, len, width);
    /* not in the middle of a word (where the loop above moved it) */
    for (size_t e = b; b != word && mid_word(text, b) && e < at && e < b + 12;
         e++)
        if (text[e] == ' ' || text[e] == '\n') {
            b = e + 1;
            break;
        }
    /* nor on a combining accent, whose letter was cut */
    size_t mark_cols;
    while (b < at && text_step(text, len, b, &mark_cols) && mark_cols == 0)
        b += text_step(text, len, b, &mark_cols);
    char *cut = flat_cut(text + b, len - b, width - 1);
    char *out = malloc(strlen(cut) + 4);
    if (!out)
        cli_nomem();
    memcpy(out, "\xe2\x80\xa6", 3);
    strcpy(out + 3, cut);
    free(cut);
    return out;
}

void doc_quote(doc *d, const char *text, size_t len, size_t max, size_t hit,
               const char *source)
{
    char *q = cut_around(text, len, hit, max);
    if (d->fmt == FMT_HTML) {
        fputs("<blockquote lang=\"fr\"><p>", d->f);
        html_cstr(d->f, q);
        fputs("</p><p class=\"src\">— ", d->f);
        html_cstr(d->f, source);
        fputs("</p></blockquote>\n", d->f);
    } else if (d->fmt == FMT_MD) {
        fputs("> ", d->f);
        md_escape(d->f, q);
        fputs("\n>\n> — ", d->f);
        md_escape(d->f, source);
        fputs("\n\n", d->f);
    } else {
        char *s = NULL;
        if (asprintf(&s, "\xc2\xab %s \xc2\xbb", q) < 0)
            cli_nomem();
        wrap(d->f, s, 4, TEXT_WIDTH);
        free(s);
        if (asprintf(&s, "\xe2\x80\x94 %s", source) < 0)
            cli_nomem();
        wrap(d->f, s, 6, TEXT_WIDTH);
        free(s);
        fputc('\n', d->f);
    }
    free(q);
}

void doc_table(doc *d, table *t)
{
    if (d->fmt == FMT_HTML)
        table_html(d->f, t);
    else if (d->fmt == FMT_MD) {
        table_md(d->f, t);
        fputc('\n', d->f);
    } else {
        table_plain(d->f, t);
        fputc('\n', d->f);
    }
}

void doc_html(doc *d, const char *html)
{
    if (d->fmt == FMT_HTML)
        fputs(html, d->f);
}

void heat_color(double x, char out[8])
{
    if (x < 0)
        x = 0;
    if (x > 1)
        x = 1;
    /* white (255,255,255) to #2171b5 (33,113,181) */
    int r = (int)(255 - x * (255 - 33) + 0.5);
    int g = (int)(255 - x * (255 - 113) + 0.5);
    int b = (int)(255 - x * (255 - 181) + 0.5);
    snprintf(out, 8, "#%02x%02x%02x", r, g, b);
}

void diverging_color(double score, char out[8])
{
    double x = score / 6.0;
    if (x > 1)
        x = 1;
    if (x < -1)
        x = -1;
    int r, g, b;
    if (x >= 0) { /* white to #1a9850 */
        r = (int)(255 - x * (255 - 26) + 0.5);
        g = (int)(255 - x * (255 - 152) + 0.5);
        b = (int)(255 - x * (255 - 80) + 0.5);
    } else { /* white to #d73027 */
        x = -x;
        r = (int)(255 - x * (255 - 215) + 0.5);
        g = (int)(255 - x * (255 - 48) + 0.5);
        b = (int)(255 - x * (255 - 39) + 0.5);
    }
    snprintf(out, 8, "#%02x%02x%02x", r, g, b);
}
