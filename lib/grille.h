/*
 * grille.h - the public interface of libgrille.
 *
 * libgrille turns French interview notes into segments and tokens with
 * exact byte offsets, and codes them with a thematic codebook.  This header
 * is the whole contract: it includes no third-party header, and every type
 * that hides a library handle (the stemmer, compiled regexes, the YAML
 * parser) is opaque.
 *
 * Conventions, as in libgit2 and SQLite:
 *  - functions that can fail return int: 0 on success or a negative
 *    GRILLE_E* code; their last argument is an optional grille_error
 *    (caller-allocated, may be NULL) that receives the code and a one-line
 *    message naming the file, line and column where they exist;
 *  - outputs come first; what comes back through a `**out` belongs to the
 *    caller and is freed with the type's own `_free`, which accepts NULL;
 *  - text is UTF-8 passed as (const char *s, size_t len);
 *  - byte offsets are into the decoded UTF-8 text of a document, [start, end).
 *
 * Threads: a grille_codebook is immutable once loaded and may be shared by
 * any number of threads.  A grille_analyser (stemmer, caches, match data)
 * belongs to one thread at a time.  The library keeps no global mutable
 * state but process-wide settings: the interrupt flag
 * (grille_set_interrupt) and, on the first store opened, SQLite's memory
 * statistics turned off and a VFS of its own registered (docs/api.md).
 * SQLite configured single-threaded cannot serve a store: a report may
 * read on a second connection, on a thread of its own.
 */
#ifndef GRILLE_H
#define GRILLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRILLE_VERSION_MAJOR 0
#define GRILLE_VERSION_MINOR 1
#define GRILLE_VERSION_PATCH 0
#define GRILLE_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define GRILLE_API __attribute__((visibility("default")))
#else
#define GRILLE_API
#endif

/* Returns the library's version string, e.g. "0.1.0" (static storage). */
GRILLE_API const char *grille_version(void);

/* ---------------------------------------------------------------- errors */

/* Error codes returned (negated) by every function that can fail. */
enum {
    GRILLE_OK = 0,
    GRILLE_ENOMEM = -1,    /* out of memory */
    GRILLE_EIO = -2,       /* a file could not be read or written */
    GRILLE_EENCODING = -3, /* text is not valid in any accepted encoding */
    GRILLE_EBINARY = -4,   /* input holds NUL bytes: refused as binary */
    GRILLE_ESYNTAX = -5,   /* a codebook or front matter is malformed */
    GRILLE_EINVALID = -6,  /* a value is invalid (argument, key, color) */
    GRILLE_ELIMIT = -7,    /* a resource limit was hit (regex, nesting) */
    GRILLE_ENOTFOUND = -8, /* a named thing does not exist */
    GRILLE_EEXISTS = -9,   /* it is there already (a document, a project) */
    GRILLE_ESTORE = -10,   /* the project file is damaged, busy or full */
    GRILLE_EVERSION = -11, /* a project from a newer grille */
    GRILLE_ENOTPROJECT = -12, /* the file is not a grille project */
    GRILLE_EINTR = -13       /* stopped by grille_set_interrupt's flag */
};

/* Long operations (a recode, an export) look at *flag between steps and,
 * once it is non-zero, stop, undo what they wrote (no temporary file is
 * left) and return GRILLE_EINTR.  A store operation called inside your
 * own transaction (grille_store_begin) cannot undo its part alone: roll
 * the transaction back, as after any failure there, for it may hold part
 * of the work.  A program sets the flag from its SIGINT handler.  NULL
 * (the default) never stops them.  Process-wide. */
GRILLE_API void grille_set_interrupt(const volatile sig_atomic_t *flag);

/* Frees memory that a grille_* function handed over with "free it with
 * grille_free" (accepts NULL). */
GRILLE_API void grille_free(void *p);

/*
 * What went wrong, filled by a failing call when the caller passes one.
 * `message` is one line, starting with the location when there is one
 * ("notes.md:12:4: unknown key 'termz' in theme 'sante'"), without a
 * trailing newline.  `line` and `column` are 1-based, 0 when unknown;
 * `offset` is a byte offset into the input, or SIZE_MAX when unknown.
 * `detail` carries the underlying library's own code when grille has one:
 * PCRE2's for a regex that does not compile or stops, errno for a file
 * or codebook that cannot be read; 0 otherwise.
 */
typedef struct grille_error {
    int code;
    int detail;
    unsigned line;
    unsigned column;
    size_t offset;
    char message[1024];
} grille_error;

/* Returns a static English description of an error code. */
GRILLE_API const char *grille_strerror(int code);

/* ------------------------------------------------------------------ text */

/* The encoding a document was found in. */
typedef enum grille_encoding {
    GRILLE_ENC_UTF8 = 0,     /* UTF-8 without BOM */
    GRILLE_ENC_UTF8_BOM,     /* UTF-8 with a BOM, which was skipped */
    GRILLE_ENC_UTF16LE,      /* UTF-16 little-endian with BOM, converted */
    GRILLE_ENC_UTF16BE,      /* UTF-16 big-endian with BOM, converted */
    GRILLE_ENC_WINDOWS1252,  /* Windows-1252 / ISO-8859-1, converted */
    GRILLE_ENC_MACROMAN      /* Mac OS Roman (a file from a Mac's Word or
                                TextEdit of old), converted */
} grille_encoding;

/* Returns the name of an encoding ("UTF-8", "Windows-1252", ...). */
GRILLE_API const char *grille_encoding_name(grille_encoding enc);

/* A document decoded to UTF-8. */
typedef struct grille_text grille_text;

/*
 * Decodes `len` bytes into UTF-8.  Valid UTF-8 is taken as is (a BOM is
 * skipped); UTF-16 with a BOM is converted; bytes that are not UTF-8 but
 * read as Windows-1252 (every non-ASCII byte invalid as UTF-8) are
 * converted.  `name` (may be NULL) is the file name used in messages.
 * Errors: GRILLE_EBINARY (a NUL byte, offset given), GRILLE_EENCODING
 * (invalid input, byte offset given), GRILLE_ENOMEM.
 * The caller frees *out with grille_text_free().
 */
GRILLE_API int grille_text_decode(grille_text **out, const char *bytes,
                                  size_t len, const char *name,
                                  grille_error *err);

/* Reads the file at `path` (or standard input when path is "-") and
 * decodes it.  Errors as grille_text_decode(), plus GRILLE_EIO when the
 * file cannot be read (a folder, missing, unreadable). */
GRILLE_API int grille_text_read_file(grille_text **out, const char *path,
                                     grille_error *err);
/* The same with up to `jobs` threads: a file of 8 MiB or more is then read
 * and checked in two halves on two threads (jobs <= 1: on the calling
 * thread alone, as grille_text_read_file). */
GRILLE_API int grille_text_read_file_jobs(grille_text **out,
                                          const char *path, int jobs,
                                          grille_error *err);
/* The same for a file the caller has just seen with stat() to be a
 * regular file of `size` bytes, without looking at it again before it is
 * read (a system call per note): the size only sizes the first read, and
 * a file changed since is read whole all the same (one that became a
 * folder or a pipe in between is read as a file).  The file the text was
 * read from (grille_add_document's) is then the one at `path` when it is
 * asked for, not checked against the file read: after a chdir, or a
 * folder of the path linked elsewhere, another one.  size 0: as
 * grille_text_read_file_jobs. */
GRILLE_API int grille_text_read_file_sized(grille_text **out,
                                           const char *path, int jobs,
                                           uint64_t size, grille_error *err);
/* The same from descriptor `fd`, open on the file at `path` (the name its
 * messages and grille_add_document use; "-" for standard input), which it
 * closes, failed or not (but fd 0, standard input): a caller that looked
 * at the file (fstat) before reading it opens it once.  Errors as
 * grille_text_read_file_jobs; GRILLE_EINVALID for no path or fd < 0. */
GRILLE_API int grille_text_read_fd(grille_text **out, int fd,
                                   const char *path, int jobs,
                                   grille_error *err);

/* The decoded UTF-8 bytes (borrowed, valid until grille_text_free; NUL
 * terminated for convenience, the terminator is not counted in *len). */
GRILLE_API const char *grille_text_data(const grille_text *text,
                                        size_t *len);

/* The encoding the text was found in. */
GRILLE_API grille_encoding grille_text_encoding(const grille_text *text);

/* Size in bytes of the input before decoding. */
GRILLE_API size_t grille_text_input_size(const grille_text *text);

GRILLE_API void grille_text_free(grille_text *text);

/*
 * Finds a YAML front matter block at the start of `s`: a first line that
 * is "---" (spaces or tabs after it allowed), then YAML, then a line "---" or
 * "..." (the same).  After blank lines, a "---" line opens one only when
 * the block is closed and its first line is a key ("type: commune"), and
 * grille_attrs_parse then reads one that is no YAML mapping, or names none
 * of the seven attributes the reports read, as text (none is found: a
 * Markdown rule, lines, a rule).  `s` is read within `len`,
 * with or without a NUL after it.  On success
 * *yaml_start and *yaml_end delimit the YAML between the fences and *body is
 * the offset of the first byte after the closing fence's line end.
 * Returns 1 when a block is found, 0 when there is none (*body is 0), and
 * GRILLE_ESYNTAX when the block is opened but never closed.
 */
GRILLE_API int grille_text_front_matter(const char *s, size_t len,
                                        size_t *yaml_start, size_t *yaml_end,
                                        size_t *body, grille_error *err);

/* One key: value attribute of a document. */
typedef struct grille_attr {
    const char *key;
    const char *value;
} grille_attr;

/* A list of attributes read from a front matter. */
typedef struct grille_attrs grille_attrs;

/*
 * Parses the YAML front matter of `s` (as found by
 * grille_text_front_matter) into attributes: a flat mapping of scalar keys
 * to scalar values (a list value is joined with ", ").  Returns 0 with an
 * empty list when there is no front matter.  Errors: GRILLE_ESYNTAX with
 * the line and column in the document (not in the block), naming `name`;
 * GRILLE_ELIMIT for YAML nested past 64 levels; GRILLE_EENCODING for a
 * front matter that is not UTF-8 (bytes not decoded: err->offset is the
 * bad byte's in `s`).
 * *body (unless body is NULL) receives the offset where the body starts
 * (0 without front matter).  A block after blank lines that is read as
 * text because it is no YAML mapping returns 0 too, with err->code 0 and
 * err->message (non-empty) saying why, with its line: a caller may warn.
 * err is emptied first, so that one err may serve every note.
 */
GRILLE_API int grille_attrs_parse(grille_attrs **out, size_t *body,
                                  const char *s, size_t len, const char *name,
                                  grille_error *err);
GRILLE_API size_t grille_attrs_count(const grille_attrs *attrs);
/* The i-th attribute (borrowed, valid until grille_attrs_free). */
GRILLE_API const grille_attr *grille_attrs_get(const grille_attrs *attrs,
                                               size_t i);
/* The value of `key`, or NULL: the key as the front matter spells it, or
 * as a project stores it (grille_attr_key: "type" finds "Type:", and
 * "collectivite" finds "Collectivité:"). */
GRILLE_API const char *grille_attrs_find(const grille_attrs *attrs,
                                         const char *key);
GRILLE_API void grille_attrs_free(grille_attrs *attrs);
/* Attribute key `key` as a project stores it (malloc'd; NULL when out of
 * memory): without white space around it, its accents composed, and the
 * keys the reports read (collectivite, type, region, population, role,
 * date, enqueteur) whatever their case and accents ("Type", "Rôle"), as
 * are the interviewer's other names ("Enquêtrice", "interviewer":
 * enqueteur).  Two keys name the same attribute when these are equal. */
GRILLE_API char *grille_attr_key(const char *key);
/* Attribute value `value` (UTF-8) as a project stores it (malloc'd; NULL
 * when out of memory): without white space around it (no-break spaces and
 * line ends included), its accents composed, the control characters XML
 * cannot hold as spaces (as a key too). */
GRILLE_API char *grille_attr_value(const char *value);
/* `s` folded as words are for matching (malloc'd; NULL when out of
 * memory): lowercase, accents removed, ligatures expanded, runs of white
 * space one space: two attribute values equal once folded are spelt
 * alike to a reader ("Commune" and "commune").  A byte that is not UTF-8
 * becomes U+FFFD. */
GRILLE_API char *grille_fold(const char *s);

/* --------------------------------------------------- segments and tokens */

/* The unit a document is cut into. */
typedef enum grille_unit {
    GRILLE_UNIT_PARAGRAPH = 0, /* paragraphs; each bullet and turn alone */
    GRILLE_UNIT_SENTENCE       /* the same, each further cut in sentences */
} grille_unit;

/* Parses "paragraph" or "sentence"; returns -1 for anything else, NULL
 * included (not an error code: test for < 0). */
GRILLE_API int grille_unit_parse(const char *name);
/* "paragraph", "sentence", or "?" for a value that is no unit. */
GRILLE_API const char *grille_unit_name(grille_unit unit);

/* What started a segment. */
typedef enum grille_segment_kind {
    GRILLE_SEG_PARAGRAPH = 0,
    GRILLE_SEG_BULLET,   /* a bullet or numbered item */
    GRILLE_SEG_TURN,     /* a speaker turn ("Q :", "DGS :", "Mme X :") */
    GRILLE_SEG_HEADING,  /* a Markdown heading ("## Contexte") */
    GRILLE_SEG_SENTENCE  /* a sentence after the first of its paragraph */
} grille_segment_kind;

GRILLE_API const char *grille_segment_kind_name(grille_segment_kind kind);

/*
 * A segment: [start, end) is its text without the bullet marker or the
 * speaker label, trimmed of surrounding white space.  A turn's label
 * ("DGS") is [label_start, label_end), and so is that of the later
 * sentences of a turn (GRILLE_UNIT_SENTENCE) and of the later pieces of a
 * turn longer than 64 KiB: the label is then where the turn began, not
 * just before the segment's text.  Empty otherwise.  `line` is the
 * 1-based line of `start`.  Its tokens are tokens[first_token ..
 * first_token + ntokens).
 */
typedef struct grille_segment {
    size_t start, end;
    size_t label_start, label_end;
    unsigned line;
    grille_segment_kind kind;
    size_t first_token;
    size_t ntokens;
    size_t words; /* words of the segment (not elisions nor parts) */
} grille_segment;

/* Kinds of tokens. */
typedef enum grille_token_kind {
    GRILLE_TOK_WORD = 0,
    GRILLE_TOK_ELISION, /* "l’", "qu’": key ends with a straight ' */
    GRILLE_TOK_NUMBER,  /* "1 000", "10,5 %" */
    GRILLE_TOK_DATE,    /* "12/03/2020", "2020-05-11" */
    GRILLE_TOK_TIME,    /* "10:15", "00:12:40" */
    GRILLE_TOK_URL,
    GRILLE_TOK_EMAIL
} grille_token_kind;

GRILLE_API const char *grille_token_kind_name(grille_token_kind kind);

/* Token flags. */
enum {
    GRILLE_TOKF_ACRONYM = 1 << 0,  /* all capitals: "DGS", "EHPAD" */
    GRILLE_TOKF_COMPOUND = 1 << 1, /* hyphenated; key is the joined form */
    GRILLE_TOKF_PART = 1 << 2,     /* one part of the compound before it */
    GRILLE_TOKF_NAME = 1 << 3,     /* a hyphenated proper name, kept whole */
    GRILLE_TOKF_BREAK = 1 << 4     /* punctuation separates it from the
                                      previous token of its segment */
};

/*
 * A token.  [start, end) is its surface form in the text.  `key` is the
 * match key: lowercased, accents folded, ligatures expanded (œ -> oe),
 * apostrophes made straight; for a compound, the parts joined.  `stem` is
 * the Snowball stem of the lowercased word, accent-folded (the key itself
 * for numbers, dates, URLs, names).  `pos` counts words in the segment: the
 * parts of a compound and an elision share the position of their word.
 * key and stem are borrowed from the analyser, valid until its next run.
 */
typedef struct grille_token {
    size_t start, end;
    const char *key;
    const char *stem;
    uint32_t key_len, stem_len;
    uint32_t pos;
    uint16_t kind;
    uint16_t flags;
} grille_token;

/* ------------------------------------------------------------- codebook */

/* A thematic codebook, immutable once loaded; shareable by threads. */
typedef struct grille_codebook grille_codebook;

/*
 * Loads a codebook from YAML text: grille's own format (a mapping with
 * `themes`) or a plain dictionary (nested keys, lists of patterns as
 * leaves).  Every pattern is compiled (regexes JIT-compiled).  `name` is
 * the file name used in messages.  Errors: GRILLE_ESYNTAX or
 * GRILLE_EINVALID with file, line and column (YAML syntax, unknown key,
 * duplicate id, empty theme, bad regex, bad proximity rule, bad color),
 * GRILLE_EENCODING (a text that is not UTF-8: Latin-1, UTF-16),
 * GRILLE_ELIMIT (nesting too deep, too many themes or patterns).
 */
GRILLE_API int grille_codebook_load(grille_codebook **out, const char *yaml,
                                    size_t len, const char *name,
                                    grille_error *err);

/* Reads and loads the codebook file at `path`. */
GRILLE_API int grille_codebook_load_file(grille_codebook **out,
                                         const char *path, grille_error *err);

/* Loads the codebook compiled into the library (codebooks/riposte.yaml). */
GRILLE_API int grille_codebook_load_bundled(grille_codebook **out,
                                            grille_error *err);

/* The YAML text of the bundled codebook (static storage). */
GRILLE_API const char *grille_codebook_bundled_text(size_t *len);

/*
 * Makes a one-code codebook (code "pattern") from a single pattern, for
 * searching: "/REGEX/" is a regex, "A ~N B" a proximity rule, anything else
 * a term (word, phrase, glob or =exact form).  Its name is "pattern '...'".
 * Errors as for grille_codebook_load, naming the pattern; a pattern that
 * is not UTF-8 is GRILLE_EENCODING with err->offset its first bad byte.
 */
GRILLE_API int grille_codebook_from_pattern(grille_codebook **out,
                                            const char *pattern,
                                            grille_error *err);

GRILLE_API void grille_codebook_free(grille_codebook *cb);

/* The codebook's `name` (or the file name), borrowed. */
GRILLE_API const char *grille_codebook_name(const grille_codebook *cb);
/* The file name it was loaded from ("riposte.yaml" for the bundled one,
 * as a project made with it keeps it). */
GRILLE_API const char *grille_codebook_source(const grille_codebook *cb);
/* The SHA-256 of the YAML text, 64 lowercase hex digits, borrowed. */
GRILLE_API const char *grille_codebook_sha256(const grille_codebook *cb);
/* The i-th speaker label of `skip_speakers` as written ("Q",
 * "Enquêt*"), borrowed; NULL past the last.  The turns of these speakers
 * (compared without case, accents or extra spaces; a final '*' takes any
 * label that starts so), their later sentences with -u sentence too, are
 * not coded. */
GRILLE_API const char *grille_codebook_skip_speaker(const grille_codebook *cb,
                                                    size_t i);

/* Number of codes, themes and sub-themes alike, in depth-first order:
 * a parent always comes before its children. */
GRILLE_API size_t grille_codebook_count(const grille_codebook *cb);

/* What a code is; every string is borrowed from the codebook. */
typedef struct grille_code_info {
    const char *id;          /* slash path, "teletravail/outils" */
    const char *label;       /* never NULL: the id's last part if unset */
    const char *description; /* "" when unset */
    const char *color;       /* "#rrggbb", "" when unset */
    long parent;             /* index of the parent, -1 for a theme */
    unsigned depth;          /* 0 for a theme */
    size_t npatterns;        /* patterns (not counting exclusions) */
    size_t nexclusions;
    unsigned line;           /* where it is defined in the YAML */
} grille_code_info;

/* Fills *info for code i; returns GRILLE_ENOTFOUND when i is too large. */
GRILLE_API int grille_codebook_code(const grille_codebook *cb, size_t i,
                                    grille_code_info *info);

/* The index of the code with this id, or -1. */
GRILLE_API long grille_codebook_find(const grille_codebook *cb,
                                     const char *id);

/* Pattern kinds. */
typedef enum grille_rule_kind {
    GRILLE_RULE_WORD = 0,
    GRILLE_RULE_PHRASE,
    GRILLE_RULE_GLOB,
    GRILLE_RULE_EXACT,
    GRILLE_RULE_REGEX,
    GRILLE_RULE_NEAR,
    GRILLE_RULE_EXCLUDE
} grille_rule_kind;

/* "word", "phrase"...: the kind's name, or "?" for no kind. */
GRILLE_API const char *grille_rule_kind_name(grille_rule_kind kind);

/* Number of rules (patterns and exclusions of every code). */
GRILLE_API size_t grille_codebook_rule_count(const grille_codebook *cb);

/* What a rule is: its source text as written in the codebook, its kind and
 * its code; every string is borrowed from the codebook. */
typedef struct grille_rule_info {
    const char *text;
    grille_rule_kind kind;
    size_t code;
    unsigned line, column;
} grille_rule_info;

/* Rule i (0 to grille_codebook_rule_count - 1) into *info; 0, or
 * GRILLE_ENOTFOUND past the last. */
GRILLE_API int grille_codebook_rule(const grille_codebook *cb, size_t i,
                                    grille_rule_info *info);

/* ------------------------------------------------------------- analyser */

/* Per-thread state: the stemmer and its cache, regex match data, and the
 * buffers of the last analysis. */
typedef struct grille_analyser grille_analyser;

GRILLE_API int grille_analyser_new(grille_analyser **out, grille_error *err);
GRILLE_API void grille_analyser_free(grille_analyser *a);

/*
 * A coding: one hit of a rule in a segment.  [start, end) is the matched
 * span in the text; `code` and `rule` index the codebook.
 */
typedef struct grille_coding {
    size_t segment;
    size_t code;
    size_t rule;
    size_t start, end;
} grille_coding;

/*
 * Cuts text[body, len) into segments and tokens (the text before `body`, a
 * front matter, is skipped but still counts for offsets and line numbers)
 * and, when `cb` is not NULL, codes it.  Results stay in the analyser and
 * are valid until its next run or its free; a run that fails leaves none
 * (no segment, token or coding).  Errors: GRILLE_ELIMIT when a
 * regex rule hits its match limit (the message names the rule),
 * GRILLE_ENOMEM, GRILLE_EINVALID for a body past the end or inside a
 * character, no text or no unit, GRILLE_EENCODING for text[body, len)
 * that is not UTF-8 (err->offset: the first bad byte; grille_text_decode
 * makes any text UTF-8).  `text` holds at least `len` bytes: the
 * arguments are checked against `len`, which only the caller knows.
 * `name` is the document name used in messages.
 */
GRILLE_API int grille_analyser_run(grille_analyser *a, const char *text,
                                   size_t len, size_t body, grille_unit unit,
                                   const grille_codebook *cb,
                                   const char *name, grille_error *err);

/*
 * The same on text[start, end) only, whose first line is `line` (0 to
 * count it from the start of `text`): a range that starts after a blank
 * line gives exactly the segments and codings a whole run gives there,
 * with the same offsets and lines, so that a large document can be coded
 * in parts by several analysers (segment indices restart at 0).
 */
GRILLE_API int grille_analyser_run_range(grille_analyser *a, const char *text,
                                         size_t start, size_t end,
                                         unsigned line, grille_unit unit,
                                         const grille_codebook *cb,
                                         const char *name, grille_error *err);

/*
 * grille_analyser_run_range on a decoded text (grille_text_decode,
 * grille_text_read_file): its bytes were checked as UTF-8 then and are
 * not checked again, a pass over the text saved.  The range is checked
 * as grille_analyser_run_range's, except that one that ends inside a
 * character is GRILLE_EINVALID (not GRILLE_EENCODING: the text is UTF-8,
 * the range is wrong), as is one that ends past the text.  `text` NULL
 * with an empty range is an empty text.
 */
GRILLE_API int grille_analyser_run_text(grille_analyser *a,
                                        const grille_text *text, size_t start,
                                        size_t end, unsigned line,
                                        grille_unit unit,
                                        const grille_codebook *cb,
                                        const char *name, grille_error *err);

/* Only cuts text[start, end) into segments (no tokens, no codings),
 * cheaply: grille_analyser_segments then gives them, and how many.  Its
 * arguments are checked as grille_analyser_run_range's. */
GRILLE_API int grille_analyser_segment_range(grille_analyser *a,
                                             const char *text, size_t start,
                                             size_t end, unsigned line,
                                             grille_unit unit,
                                             grille_error *err);

/* Line ends in text[from, to): "\n", "\r\n" and a lone "\r" count once;
 * add 1 for the line number of `to`. */
GRILLE_API unsigned grille_text_count_lines(const char *text, size_t from,
                                            size_t to);

/*
 * Whether runs keep every token (the default) or only those of the segment
 * being coded: then grille_analyser_tokens() gives the last segment's
 * tokens only, and the memory of a run no longer grows with the size of
 * the document.  Each segment's first_token is then 0 and its ntokens
 * its own count: only the last segment's tokens are there to read, and a
 * loop over the segments' tokens must stop at grille_analyser_tokens().
 */
GRILLE_API void grille_analyser_keep_tokens(grille_analyser *a, bool keep);

/* The segments, tokens and codings of the last run (borrowed).  Codings
 * are ordered by segment, then start, then code. */
GRILLE_API size_t grille_analyser_segments(const grille_analyser *a,
                                           const grille_segment **out);
GRILLE_API size_t grille_analyser_tokens(const grille_analyser *a,
                                         const grille_token **out);
/* The second stem of token i of the last run: that of the word without
 * its accents, when it is another ("sécurité": secur, and securit, as
 * "securite"; "accès": acces, and acce); a word meets a term's word when
 * one stem of each agrees, a second stem shorter than the first only
 * against a word written without accents that starts as the first.  Its
 * length, and *out; 0 and NULL when it has none. */
GRILLE_API size_t grille_analyser_token_stem2(const grille_analyser *a,
                                              size_t i, const char **out);
GRILLE_API size_t grille_analyser_codings(const grille_analyser *a,
                                          const grille_coding **out);

/* Number of words of the last run (tokens that are not elisions nor
 * compound parts). */
GRILLE_API size_t grille_analyser_words(const grille_analyser *a);

/*
 * Stems one word as the analyser does (lowercased, accent-folded after
 * stemming).  *out is borrowed, valid until the next call on `a`.
 */
GRILLE_API int grille_analyser_stem(grille_analyser *a, const char *word,
                                    size_t len, const char **out,
                                    size_t *out_len);

/* Stems with the raw Snowball French stemmer: lowercase input in, the
 * stem out (no accent folding); for checking against Snowball's own
 * vocabulary. *out is borrowed until the next call. */
GRILLE_API int grille_analyser_snowball(grille_analyser *a, const char *word,
                                        size_t len, const char **out,
                                        size_t *out_len);

/* ---------------------------------------------------------------- store */

/*
 * A project: one SQLite file holding documents (their decoded text, so
 * offsets stay valid), attributes, segments, codes and codings, and the
 * codebook that made them.  A store is one connection and belongs to one
 * thread at a time.  Every function that writes expects to run inside
 * grille_store_begin() ... grille_store_commit(), so that a command's
 * changes land whole or not at all.
 */
typedef struct grille_store grille_store;

/*
 * Creates a new project at `path` (which must not exist), readable by its
 * owner only, with the given codebook (YAML text; checked by loading it)
 * and unit of segmentation.  `source` names the codebook in messages.
 * Errors: GRILLE_EEXISTS, GRILLE_EIO, the codebook's errors, GRILLE_ESTORE,
 * GRILLE_EINVALID for an unknown unit.
 */
GRILLE_API int grille_store_create(grille_store **out, const char *path,
                                   const char *yaml, size_t len,
                                   const char *source, grille_unit unit,
                                   grille_error *err);

/* Opens an existing project; `readonly` opens it for reading only (the
 * store writes nothing through it).  Errors: GRILLE_ENOTFOUND (no such
 * file), GRILLE_ENOTPROJECT (not SQLite, or SQLite but not grille's),
 * GRILLE_EVERSION (made by a newer grille), GRILLE_ESTORE.  Older
 * projects are migrated forward, read-only opens too when the file may
 * be written (upgraded by a writing connection first, in one
 * transaction, then opened for reading); one that may not be written is
 * read as it is, from schema 2 on. */
GRILLE_API int grille_store_open(grille_store **out, const char *path,
                                 int readonly, grille_error *err);

/* Told before an older project is upgraded (in one transaction; seconds
 * per GB of notes when the codings are renumbered): the project's path,
 * its schema version and the new one. */
typedef void (*grille_upgrade_cb)(const char *path, int from, int to,
                                  void *payload);
/* grille_store_open, calling on_upgrade (when not NULL) before an
 * upgrade, so that a program can say why it waits. */
GRILLE_API int grille_store_open_upgrading(grille_store **out,
                                           const char *path, int readonly,
                                           grille_upgrade_cb on_upgrade,
                                           void *payload, grille_error *err);

/* Closes the project (a transaction still open is rolled back). */
GRILLE_API void grille_store_close(grille_store *s);

/* BEGIN IMMEDIATE: takes the write lock (waiting up to the busy timeout
 * for another writer), COMMIT, and ROLLBACK.  An add, remove, recode or
 * import called outside them runs in a transaction of its own, rolled back
 * when it fails (for many adds, one transaction around them all is much
 * faster).  Inside yours, a call that fails or is interrupted may have
 * written part of its work: roll the transaction back (grille does).
 * GRILLE_EINVALID: begin with a transaction open already, or on a store
 * opened read-only; commit with none open. */
GRILLE_API int grille_store_begin(grille_store *s, grille_error *err);
GRILLE_API int grille_store_commit(grille_store *s, grille_error *err);
GRILLE_API void grille_store_rollback(grille_store *s);
/* Writes what the commits so far left in the project's -wal into its file,
 * as closing the store does, silently, when it can (SQLite's passive
 * checkpoint: the readers still in the -wal are not waited for, and what
 * they hold is written later).  GRILLE_ESTORE when the disk is full or a
 * write fails: the changes are committed, in the -wal, which must stay
 * beside the file until a later command writes it back. */
GRILLE_API int grille_store_checkpoint(grille_store *s, grille_error *err);

/* Sets how long, in milliseconds, a command waits for another writer
 * (default 600000, ten minutes). */
GRILLE_API void grille_store_busy_timeout(grille_store *s, int ms);
/* Calls `cb` (NULL: none) once in each wait for another writer that lasts
 * a second: a program can say why it seems to hang. */
GRILLE_API void grille_store_on_wait(grille_store *s,
                                     void (*cb)(const char *path,
                                                void *payload),
                                     void *payload);

/* The project's unit of segmentation. */
GRILLE_API grille_unit grille_store_unit(const grille_store *s);

/* The name of the project's codebook, as it was when the project was
 * opened or its last transaction began (a recode, or another program's,
 * seen at the next begin, changes it).  The string stays valid until the
 * store is closed, whatever changes. */
GRILLE_API const char *grille_store_codebook_name(const grille_store *s);

/* The SHA-256 (64 hex digits) of the project's codebook text, and the
 * file it was read from ("riposte.yaml" for the bundled one), as they were
 * when the project was opened or its last transaction began; valid until
 * the store is closed, as grille_store_codebook_name's string is (the
 * hash's string is rewritten in place). */
GRILLE_API const char *grille_store_codebook_sha256(const grille_store *s);
GRILLE_API const char *grille_store_codebook_source(const grille_store *s);

/* The project's codebook as YAML text (yaml and len are required) and the
 * name of its source (source may be NULL when not wanted); free both with
 * grille_free. */
GRILLE_API int grille_store_codebook_text(grille_store *s, char **yaml,
                                          size_t *len, char **source,
                                          grille_error *err);

/* Loads the project's codebook; the caller frees it. */
GRILLE_API int grille_store_codebook(grille_store *s, grille_codebook **out,
                                     grille_error *err);

/*
 * Adds a document: its decoded text (front matter included: its attributes
 * are stored with origin "front matter" and it is not coded), segmented
 * with the project's unit and coded with `cb` (the project's codebook,
 * grille_store_codebook: another is refused) using analyser `a`.  `name`
 * is the name the document is known by; when another document has it,
 * `path` (required: give the name again for a text from memory) is tried,
 * then an error.  A text read by grille_text_read_file keeps its file
 * (its path from /, links resolved; unknown, as a text from memory, when
 * its relative path names another file by the time it is added, after a
 * chdir): a text from the file of a document
 * already there, with another text (the note edited since), is refused
 * with GRILLE_EEXISTS, whatever `path` says, and *id 0 even when another
 * document has that text (the file saved over with it).
 * *id (when id is not NULL) receives the new document's id.  Errors:
 * GRILLE_EEXISTS when a document with the same content is there already
 * (*id is then its id and the message names it), GRILLE_EINVALID for a
 * document with no text (empty or white space only), the front matter's
 * errors, GRILLE_ESTORE (the file: damaged, busy, full); GRILLE_EINVALID
 * too for a misuse (no
 * codebook, name or path; another codebook; no write transaction possible
 * on a store opened read-only).
 */
GRILLE_API int grille_store_add(grille_store *s, grille_analyser *a,
                                const grille_codebook *cb, const char *name,
                                const char *path, const grille_text *text,
                                int64_t *id, grille_error *err);

/*
 * grille_store_add in two steps, so that documents can be coded on other
 * threads while one thread writes to the project.  grille_add_prepare does
 * what needs no project: the content hash, the front matter, and the
 * coding with the project's unit (grille_store_unit) by analyser `a`,
 * whose results it copies (`a` may run again at once).  It may run on
 * several threads at once, each with its own analyser, while another
 * writes to the store.  Its errors are GRILLE_ENOMEM and GRILLE_EINVALID
 * (no codebook, text or analyser; no unit), and grille_store_add_prepared
 * refuses a document prepared with another unit than the project's or
 * another codebook (GRILLE_EINVALID).  The document's own problems (too
 * large, front matter, no text, coding) are kept and
 * returned by grille_store_add_prepared, in the order grille_store_add
 * returns them.  `text` and `cb` must live until then (the add stores
 * the codings under `cb`'s codes).  Free with grille_prepared_free.
 */
typedef struct grille_prepared grille_prepared;
GRILLE_API int grille_add_prepare(grille_prepared **out, grille_analyser *a,
                                  const grille_codebook *cb, grille_unit unit,
                                  const char *path, const grille_text *text,
                                  grille_error *err);
GRILLE_API int grille_store_add_prepared(grille_store *s, grille_prepared *p,
                                         const char *name, const char *path,
                                         int64_t *id, grille_error *err);
/*
 * grille_store_add_prepared, but a note that the add would refuse as a
 * new version of a document already there (read from the same file, or
 * added by the same path, with another text; a document that keeps its
 * file) replaces it, in the same transaction: the old version is removed
 * with its segments and codings, the new one added, and the old one's
 * attributes that its front matter did not give (grille_store_set_attr's:
 * attr set, attr import, add -a, an import's) are set again on the new
 * one, for the keys its front matter does not give (those it gives are
 * its own, newer).  Its manual codings (imported) are not carried over:
 * their offsets are in the old text.  *rep (when not NULL) says what
 * was replaced: old_id 0 when the note was added as a new document.
 * Errors: grille_store_add_prepared's; when the new version cannot be
 * added (its front matter, no text), the old one stays; after any other
 * error, roll the transaction back (as after an import's).
 */
typedef struct grille_replaced {
    int64_t old_id;          /* the document replaced; 0 for none */
    size_t attrs_kept;       /* its attributes set again on the new one */
    size_t attrs_superseded; /* not: the new front matter gives them */
    size_t manual_dropped;   /* its manual codings, not carried over */
} grille_replaced;
GRILLE_API int grille_store_replace_prepared(grille_store *s,
                                             grille_prepared *p,
                                             const char *name,
                                             const char *path, int64_t *id,
                                             grille_replaced *rep,
                                             grille_error *err);
/* The front matter's attributes of a prepared document, as read (keys
 * as the note spells them), borrowed until grille_prepared_free; NULL
 * when it has none or could not be read (its error is the add's). */
GRILLE_API const grille_attrs *grille_prepared_attrs(const grille_prepared *p);
GRILLE_API void grille_prepared_free(grille_prepared *p);

/* One snapshot of the project for several reads (a report, then the texts
 * of the quotes it shows): what other connections write in between is not
 * seen.  Writers are not held up.  Does nothing inside a write
 * transaction. */
GRILLE_API int grille_store_read_begin(grille_store *s, grille_error *err);
GRILLE_API void grille_store_read_end(grille_store *s);

/* Finds a document by name, by the path it was added from, or by "#ID".
 * A path written another way finds it too: "./a.md" for the name "a.md"
 * when no file a.md is here, or any path to the file it was read from,
 * or to a file with the same text.  Errors: GRILLE_ENOTFOUND (whose
 * message names the document meant when `doc` is one's name without its
 * extension);
 * GRILLE_EINVALID when `doc` names two documents (the name of one that is
 * the file of another here, "#5" that is also another's name), which the
 * message names; *id is then 0. */
GRILLE_API int grille_store_find(grille_store *s, const char *doc,
                                 int64_t *id, grille_error *err);

/* Removes a document with its attributes, segments and codings. */
GRILLE_API int grille_store_remove(grille_store *s, int64_t id,
                                   grille_error *err);

/* Sets attribute `key` of a document (replacing its value and origin).
 * Both are stored trimmed of white space (no-break spaces too) with
 * decomposed accents composed; the keys the reports read (collectivite,
 * type, region, population, role, date, enqueteur) are stored in that
 * spelling whatever their case and accents ("Rôle": role), and the
 * interviewer's other names as enqueteur (grille_attr_key).
 * Errors: GRILLE_ENOTFOUND when there is no document `id`,
 * GRILLE_EINVALID in a project opened read-only (as add and remove),
 * GRILLE_EENCODING for a key or a value that is not UTF-8. */
GRILLE_API int grille_store_set_attr(grille_store *s, int64_t id,
                                     const char *key, const char *value,
                                     const char *origin, grille_error *err);

/* Removes attribute `key` of a document (written as set_attr takes it:
 * "Rôle" is role).  Errors: GRILLE_ENOTFOUND when there is no document
 * `id` or it has no such attribute (the message names the key),
 * GRILLE_EINVALID for an empty key or a project opened read-only. */
GRILLE_API int grille_store_unset_attr(grille_store *s, int64_t id,
                                       const char *key, grille_error *err);

/* What a document is, for listings; strings are borrowed for the time of
 * the callback. */
typedef struct grille_doc_info {
    int64_t id;
    const char *name, *path, *sha256, *encoding, *added_at;
    size_t bytes, words, segments, coded_segments, codings;
} grille_doc_info;

/* A callback returns 0 to go on, or non-zero to stop (that value is then
 * returned by the foreach, and `err` is left as it was: return a positive
 * value to stop early, so that it cannot be taken for an error code). */
typedef int (*grille_doc_cb)(const grille_doc_info *doc, void *payload);

/* Calls `cb` for every document, by name. */
GRILLE_API int grille_store_foreach_doc(grille_store *s, grille_doc_cb cb,
                                        void *payload, grille_error *err);

/* An attribute with where its value came from ("front matter",
 * "command line", "cases.csv", ...). */
typedef struct grille_attr_info {
    const char *key, *value, *origin;
} grille_attr_info;

typedef int (*grille_attr_cb)(const grille_attr_info *attr, void *payload);

/* Calls `cb` for each attribute of document `id`, by key.  Errors:
 * GRILLE_ENOTFOUND when there is no document `id`. */
GRILLE_API int grille_store_foreach_attr(grille_store *s, int64_t id,
                                         grille_attr_cb cb, void *payload,
                                         grille_error *err);

/* Calls `cb` for each attribute key the project's documents have, once
 * each, in byte order (a user's --by that none has: the keys to suggest
 * instead).  A non-zero return of cb stops, as with the foreach above. */
typedef int (*grille_key_cb)(const char *key, void *payload);
GRILLE_API int grille_store_foreach_attr_key(grille_store *s,
                                             grille_key_cb cb, void *payload,
                                             grille_error *err);

/* A stored coding. */
typedef struct grille_coding_info {
    int64_t document;
    const char *document_name;
    size_t segment; /* index of the segment in its document */
    unsigned line;  /* line of the segment */
    const char *code;
    size_t start, end;
    const char *term, *rule;
    const char *origin; /* "automatic" or "manual" */
} grille_coding_info;

typedef int (*grille_coding_cb)(const grille_coding_info *c, void *payload);

/* Calls `cb` for every coding of document `id` (0: of every document), by
 * document, start, code.  Errors: GRILLE_ENOTFOUND when there is no
 * document `id`. */
GRILLE_API int grille_store_foreach_coding(grille_store *s, int64_t id,
                                           grille_coding_cb cb, void *payload,
                                           grille_error *err);

/* The stored text of a document; free it with grille_free.  *body is where
 * the text after the front matter starts (at most *len: a damaged project
 * whose body is outside the text gives GRILLE_ESTORE, and no text). */
GRILLE_API int grille_store_text(grille_store *s, int64_t id, char **text,
                                 size_t *len, size_t *body,
                                 grille_error *err);

/* A document's text, for a pass over all of them; strings borrowed for
 * the time of the callback. */
typedef struct grille_text_info {
    int64_t id;
    const char *name;
    const char *text; /* its len bytes, then a NUL */
    size_t len, body; /* body: where the text after the front matter starts */
} grille_text_info;

typedef int (*grille_text_cb)(const grille_text_info *doc, void *payload);

/* Calls `cb` for every document, by name, with its text: one pass over the
 * project in a single snapshot, without the copy of grille_store_text. */
GRILLE_API int grille_store_foreach_text(grille_store *s, grille_text_cb cb,
                                         void *payload, grille_error *err);

/* What a recode changed for one code (its segments, children included). */
/* A code's coded segments before and after a recode, those gained and
 * lost, and its codings before and after (a code counting its children's,
 * manual ones included): a recode that changes the codings of segments
 * that stay coded shows there. */
typedef struct grille_recode_change {
    const char *code;
    size_t before, after, gained, lost;
    size_t codings_before, codings_after;
    bool in_codebook; /* false: a code the new codebook lacks, kept by its
                         manual codings (codings_after of them) */
    bool was_in_codebook; /* in the project's codebook before the recode
                             (false for a code an import made) */
} grille_recode_change;

typedef int (*grille_recode_cb)(const grille_recode_change *c, void *payload);

/*
 * Recodes every document with codebook `cb` (whose YAML text `yaml` becomes
 * the project's codebook): the automatic codings of each document whose
 * codings change are replaced (the others keep their rows), manual ones
 * are kept.  `yaml` must be the text `cb` was loaded from (its SHA-256 is
 * checked: GRILLE_EINVALID otherwise, nothing done).  Stops with
 * GRILLE_EINTR on grille_set_interrupt's flag.  `progress` (may be NULL)
 * is called after each document with the count done and the total.  Then
 * `changes` (may be NULL) is called per code, in codebook order; a
 * non-zero return stops its calls, not the recode.  Outside a transaction
 * it runs in one of its own; inside yours, roll it back for a dry run, or
 * when it fails (see grille_store_begin).
 */
GRILLE_API int grille_store_recode(grille_store *s, grille_analyser *a,
                                   const grille_codebook *cb,
                                   const char *yaml, size_t len,
                                   const char *source,
                                   void (*progress)(size_t done, size_t total,
                                                    void *payload),
                                   grille_recode_cb changes, void *payload,
                                   grille_error *err);
/* The same with `n` analysers (n >= 1): n - 1 threads analyse documents
 * while the calling thread, with a[0], reads, compares and writes them in
 * order (and analyses when it waits).  The project, the progress calls
 * and the changes are the same for every n. */
GRILLE_API int grille_store_recode_jobs(
    grille_store *s, grille_analyser *const *a, size_t n,
    const grille_codebook *cb, const char *yaml, size_t len,
    const char *source, void (*progress)(size_t done, size_t total,
                                         void *payload),
    grille_recode_cb changes, void *payload, grille_error *err);

/* A segment coded with a code, as a quote: `hits` counts the codings of the
 * code (children included) in it, `terms` the distinct matched words.  The
 * strings are borrowed for the time of the callback. */
typedef struct grille_quote_info {
    int64_t document;
    const char *document_name;
    int64_t segment_id;
    size_t segment; /* index in its document */
    unsigned line;
    size_t start, end;
    const char *text;
    size_t len;
    size_t hits, terms;
    size_t hit; /* bytes from start to the code's first coding in it: where
                   an excerpt of a long segment centres */
} grille_quote_info;

/* How representative a coded segment of `len` bytes with `hits` hits of a
 * code is as a quote: the more hits the better, then a readable length (40
 * bytes or more first, a heading or a two-word bullet says little; then
 * the longer, up to 250 bytes, past which a longer one is not better).
 * 0 for no hits.  The report, doc_stats and grille quotes rank by it. */
GRILLE_API size_t grille_quote_score(size_t hits, size_t len);

typedef int (*grille_quote_cb)(const grille_quote_info *q, void *payload);

/* Calls `cb` for every segment coded with `code` or one of its children,
 * the most representative first: most hits, then a readable length (40
 * bytes or more, longer up to 250), as the report's quotes, then most
 * distinct terms, then the document and position.  Errors: GRILLE_ENOTFOUND for an unknown
 * code. */
GRILLE_API int grille_store_foreach_quote(grille_store *s, const char *code,
                                          grille_quote_cb cb, void *payload,
                                          grille_error *err);
/* The same without the texts (`text` is NULL, `len` is end - start): on a
 * large project, fetch only the ones you show with
 * grille_store_segment_text. */
GRILLE_API int grille_store_foreach_quote_ranked(grille_store *s,
                                                 const char *code,
                                                 grille_quote_cb cb,
                                                 void *payload,
                                                 grille_error *err);
/* The same as grille_store_foreach_quote_ranked, but only the best
 * `per_document` quotes of each document (all of them with 0), in the same
 * order; *total, unless `total` is NULL, gets the number of all the coded
 * segments.  Its memory grows with the documents, not with the segments:
 * the one to use for a theme of millions of segments when you show the
 * first few of each document, or of the corpus. */
GRILLE_API int grille_store_foreach_best_quote(grille_store *s,
                                               const char *code,
                                               size_t per_document,
                                               grille_quote_cb cb,
                                               void *payload, size_t *total,
                                               grille_error *err);
/* The text of segment `segment_id` (a copy: free it with grille_free).
 * Errors: GRILLE_ENOTFOUND. */
GRILLE_API int grille_store_segment_text(grille_store *s, int64_t segment_id,
                                         char **text, size_t *len,
                                         grille_error *err);
/* The speaker of segment `segment_id` ("Q", "Mme Lefèvre") when it is a
 * turn or one of a turn's sentences (a copy: free it with grille_free),
 * else NULL.  Errors: GRILLE_ENOTFOUND. */
GRILLE_API int grille_store_segment_speaker(grille_store *s,
                                            int64_t segment_id,
                                            char **speaker,
                                            grille_error *err);

/* -------------------------------------------------------------- reports */

/*
 * Lafon's specificity (DESIGN §6) of a code in a group: f coded segments in
 * the group, F in the corpus, t segments in the group, T in the corpus;
 * X is hypergeometric (F, T - F, t draws).  Returns -log10 P(X >= f) when
 * f >= F t / T, else log10 P(X <= f): positive when the code is
 * over-represented, negative when under-represented; |score| >= 2 is
 * "specific".  Computed in log space, fast for millions of segments and
 * exact to about 1e-9 up to a million segments, 2e-8 at ten million
 * (lgamma's error grows with T); the reports show four decimals.
 */
GRILLE_API double grille_stat_specificity(uint64_t f, uint64_t F, uint64_t t,
                                          uint64_t T);

/* Association of codes A and B over n units: `both` units coded with both,
 * `na` with A, `nb` with B.  Jaccard a / (a + b + c) (ATLAS.ti's
 * c-coefficient) and lift a N / ((a + b)(a + c)); 0 when undefined, and
 * for counts no units can have (both > na or nb, na or nb > n, more
 * units coded than n). */
GRILLE_API void grille_stat_association(uint64_t both, uint64_t na,
                                        uint64_t nb, uint64_t n,
                                        double *jaccard, double *lift);

/* A code in a report: counts include its children. */
typedef struct grille_report_code {
    const char *id, *label, *description, *color;
    long parent;     /* index in codes, -1 for a theme */
    unsigned depth;
    bool in_codebook; /* false for a code kept by manual codings only */
    size_t documents; /* documents with a coded segment */
    size_t segments;  /* coded segments */
    size_t hits;      /* codings */
    size_t ntop;
    const char *top_terms[8]; /* the words that triggered it most (counted
                                 without case and accents, shown in
                                 lowercase in their commonest spelling) */
    size_t top_counts[8];
} grille_report_code;

/* A document in a report. */
typedef struct grille_report_doc {
    int64_t id;
    const char *name;
    size_t words, segments, coded_segments;
    size_t nattrs;
    const grille_attr_info *attrs;
} grille_report_doc;

/* The most representative coded segment of a code in a document: the
 * most hits, then a readable length (40 bytes or more, longer up to 250). */
typedef struct grille_report_quote {
    int64_t segment_id; /* 0 when the code does not occur there */
    unsigned line;
    unsigned hit; /* bytes from start to the code's first coding (or one
                     under it) in the segment: where an excerpt centres */
    size_t start, end;
    size_t hits;
    const char *text;
    size_t len;
} grille_report_quote;

/*
 * The aggregates of a whole project, computed in one pass over its codings.
 * Arrays indexed [doc * ncodes + code] hold per document figures; pairs
 * [a * ncodes + b] the segments coded with both a and b.  Everything is
 * owned by the report and freed by grille_report_free.
 */
/* How the best quote of a code in a document ranks, before any text is
 * read: its segment (0: none), the code's hits there and the segment's
 * length in bytes (both at most UINT32_MAX). */
typedef struct grille_report_rank {
    int64_t segment_id;
    uint32_t hits, len;
} grille_report_rank;

typedef struct grille_report {
    size_t ncodes;
    const grille_report_code *codes;
    size_t ndocs;
    const grille_report_doc *docs;
    size_t segments, words, hits, coded_segments;
    const size_t *cell_segments;
    const size_t *cell_hits;
    const size_t *pair_segments;
    /* with quotes; with lazy_quotes, only the quotes read by
     * grille_report_load_quotes are filled in (the others are zeros):
     * choose them by rank[] */
    const grille_report_quote *best;
    void *priv;
    /* with quotes: every best quote's rank, [doc * ncodes + code] */
    const grille_report_rank *rank;
} grille_report;

/* Builds the report of project `s` (a read-only snapshot). */
GRILLE_API int grille_report_build(grille_report **out, grille_store *s,
                                   grille_error *err);

/* What a report needs beyond the counts.  The counts and best quotes come
 * from each document's aggregates (one row per document) and the top terms
 * from each code's term counts (a row per code and term) when every
 * document has its row, else from a pass over every coding. */
typedef struct grille_report_want {
    bool terms;  /* codes' top_terms */
    bool quotes; /* the best quotes (report.best is NULL without) */
    const char *const *attrs; /* the attribute keys to read (NULL-ended);
                                 NULL: all of them */
    bool lazy_quotes; /* with quotes: best[] empty, rank[] filled;
                         grille_report_load_quotes reads the quotes you
                         show (a large project has millions), chosen by
                         rank[] */
} grille_report_want;
/* grille_report_build with only what `want` asks for (NULL: everything);
 * the counts are the same. */
GRILLE_API int grille_report_build_some(grille_report **out, grille_store *s,
                                        const grille_report_want *want,
                                        grille_error *err);
/* Reads the texts, lines and offsets of the best quotes best[cells[i]]
 * (doc * ncodes + code) of a report built with lazy_quotes, from `s`;
 * those read already are skipped, and a quote whose segment is gone
 * becomes empty (segment_id 0).  Errors: GRILLE_EINVALID for a report
 * built without quotes, or a cell past the last. */
GRILLE_API int grille_report_load_quotes(grille_report *r, grille_store *s,
                                         const size_t *cells, size_t n,
                                         grille_error *err);
GRILLE_API void grille_report_free(grille_report *r);

/* The value of attribute `key` of document `doc` of the report, or NULL
 * when it has none, or an empty one (or doc is past the last).  A key the
 * reports read is taken whatever its case and accents ("Rôle": role), as
 * grille_store_set_attr stores it. */
GRILLE_API const char *grille_report_attr(const grille_report *r, size_t doc,
                                          const char *key);

/* The documents of the report grouped by their value of attribute `key`:
 * *values[0..*nvalues) its distinct values (the report's strings, as
 * grille_report_attr gives them), in the order of their first document,
 * and (*of)[doc] the number of each document's value, SIZE_MAX when
 * grille_report_attr says it has none.  Both arrays are yours to free
 * with grille_free (not the strings, which are the report's).
 * The keys the report was built for (grille_report_want.attrs) come
 * numbered as they were read; any other key is grouped here.  Errors:
 * GRILLE_EINVALID (no report or no key), GRILLE_ENOMEM. */
GRILLE_API int grille_report_attr_values(const grille_report *r,
                                         const char *key,
                                         const char ***values,
                                         size_t *nvalues, size_t **of,
                                         grille_error *err);

/* ------------------------------------------------------------ agreement */

/* A 2x2 table of one code against a reference (a human gold): units coded
 * by both, by the codebook only, by the gold only, by neither. */
typedef struct grille_confusion {
    size_t tp, fp, fn, tn;
} grille_confusion;

/* Scores of a confusion table. */
typedef struct grille_scores {
    double precision; /* tp / (tp + fp) */
    double recall;    /* tp / (tp + fn) */
    double f1;        /* 2pr / (p + r) */
    double kappa;     /* Cohen: (Po - Pe) / (1 - Pe) */
} grille_scores;

/*
 * Computes precision, recall, F1 and Cohen's kappa of `c`.  With no
 * positive on one side the ratio it would divide by zero is 1 when the
 * other side has none either (nothing to find, nothing found) and 0
 * otherwise; kappa is 1 when both sides agree on every unit and the chance
 * agreement is 1, 0 when they do not.  `grille eval` shows a table with no
 * positive at all (tp + fp + fn == 0) as without scores, and leaves it out
 * of its macro average.
 */
GRILLE_API void grille_scores_compute(const grille_confusion *c,
                                      grille_scores *out);

/* ------------------------------------------------------------ REFI-QDA */

/*
 * Export to REFI-QDA, the exchange standard of NVivo, ATLAS.ti, MAXQDA and
 * QualCoder.  grille_refi_export_qdc writes codebook `cb` as a .qdc file
 * (urn:QDA-XML:codebook:1.0); grille_refi_export_qdpx writes project `s` as
 * a .qdpx ZIP: project.qde (urn:QDA-XML:project:1.0) with the codes, one
 * case per document carrying its attributes as variables, one text source
 * per document with its codings, and the texts as sources/<GUID>.txt.
 * Positions are code points of the document's body, end exclusive.  GUIDs
 * derive from the content (code ids, document hashes, spans): exporting
 * the same project twice gives the same bytes.  The qdpx is written beside
 * `path` and renamed over it once complete.
 */
GRILLE_API int grille_refi_export_qdc(const grille_codebook *cb,
                                      const char *path, grille_error *err);
GRILLE_API int grille_refi_export_qdpx(grille_store *s, const char *path,
                                       grille_error *err);
/* What the selections of a .qdpx are: the words that made each coding
 * (GRILLE_SELECT_HITS, as grille_refi_export_qdpx writes them), or each
 * coded segment once per code (GRILLE_SELECT_SEGMENTS: the passage, as a
 * coder codes it in NVivo or MAXQDA, whose counts of references are then
 * grille's counts of segments).  Codings made by hand keep their own
 * spans either way. */
typedef enum grille_selections {
    GRILLE_SELECT_HITS,
    GRILLE_SELECT_SEGMENTS
} grille_selections;
GRILLE_API int grille_refi_export_qdpx_as(grille_store *s, const char *path,
                                          grille_selections sel,
                                          grille_error *err);

/*
 * Converts a REFI-QDA codebook (.qdc) into the YAML of a grille codebook:
 * the tree of codes as themes and children (ids from the names, without
 * accents; label, description, colour), each code starting with its own
 * name as its only term.  *yaml is freed with grille_free.
 */
GRILLE_API int grille_refi_qdc_to_yaml(const char *path, char **yaml,
                                       size_t *len, grille_error *err);

/* What an import did. */
typedef struct grille_refi_import_stats {
    size_t documents;       /* added */
    size_t existing;        /* already in the project (same text) */
    size_t attributes;      /* case variables set as attributes */
    size_t codes_created;   /* codes not found in the project */
    size_t codings;         /* manual codings imported */
    size_t automatic;       /* grille's own codings, left to the codebook */
    size_t dropped;         /* empty, impossible or out-of-text selections */
    size_t sources_skipped; /* not plain text, or outside the archive */
    size_t merged; /* of existing: the text of a document of another name;
                      their codings went to it, not their variables */
    char first_dropped[256]; /* the first dropped coding, its source, its
                                selection and why ("" when none) */
    size_t converted; /* sources not in UTF-8 (Windows-1252, UTF-16),
                         converted to it; their documents keep the
                         encoding they were found in */
    char first_converted[256]; /* the first of them and its encoding:
                                  "'n.txt', from Windows-1252" ("" when
                                  none) */
    /* what a project does not hold, left out: memos (a Description but a
     * code's), notes (Note), sets (Set), graphs (Graph) and links (Link) */
    size_t memos, notes, sets, graphs, links;
    size_t not_codable; /* codes marked isCodable="false" (folders),
                           imported as codes like the others */
    /* references to nothing in the archive, left out: a case's SourceRef
     * to no source, a VariableRef to no variable */
    size_t unknown_refs;
    char first_unknown_ref[256]; /* the first of them ("" when none) */
    /* irregularities read as best they could be: a project in another
     * namespace, a source with its text both inline and in a file (the
     * file's taken, where the schema allows one), a source renamed
     * "name (2)" for another of its name */
    size_t irregular;
    char first_irregular[256]; /* the first of them ("" when none) */
    /* of documents: those added whose codings grille made in the archive
     * are not the ones the project's codebook made (the archive was coded
     * with another codebook, whose codings are gone) */
    size_t recoded;
} grille_refi_import_stats;

/*
 * Imports a .qdpx written by NVivo, ATLAS.ti, MAXQDA, QualCoder or grille,
 * tolerating their known deviations (any .qde name, "Sources/", a BOM,
 * CR LF, cases without a name, empty selections).  Each text source is
 * added as a document (its text with LF line ends; coded with `cb` by
 * `a`; one already there is kept), its cases' variables become attributes
 * (origin: the file's name), and its codings manual codings (with their
 * user as coder), mapped to the project's codes by name, path by path
 * (case and accents ignored), or to new codes.  Codings made by grille
 * itself are skipped: `cb` finds them again (stats->recoded counts the
 * documents added where it does not: another codebook's archive).  Call
 * it inside a
 * transaction: on an error, roll back and the project is as it was.
 * `stats` (may be NULL) is filled in.  `cb` must be the project's codebook
 * (grille_store_codebook) and `a` an analyser: GRILLE_EINVALID otherwise.
 */
GRILLE_API int grille_refi_import_qdpx(grille_store *s, grille_analyser *a,
                                       const grille_codebook *cb,
                                       const char *path,
                                       grille_refi_import_stats *stats,
                                       grille_error *err);

#ifdef __cplusplus
}
#endif

#endif /* GRILLE_H */
