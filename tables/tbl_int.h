/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_int.h - private plumbing shared by the files of tables/.
 *
 * Nothing here is part of the public API (see sf_tables.h).  It holds:
 *  - the allocation wrapper that every malloc/realloc of this layer goes
 *    through, so sf_tables_fail_after() can inject failures in tests;
 *  - the Judy key encoding of a key-form number;
 *  - the line reader and field splitter used by the table loaders;
 *  - the string interner (one arena per table, strings stored once);
 *  - the shared "core" of a snapshot: the tables, reference-counted so
 *    that live roaming updates can share them between snapshots.
 *
 * Judy is always called through its functions with a PJError_t (or PJE0 for
 * the read-only getters), never through the printing/exiting macros.
 */
#ifndef SF_TBL_INT_H
#define SF_TBL_INT_H

#define JUDYERROR_NOTEST 1
#include <Judy.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/sf_err.h"
#include "../base/sf_num.h"
#include "../base/sf_str.h"
#include "sf_tables.h"

/* --- allocation (tbl_alloc.c) ------------------------------------------ */

/* malloc/realloc/free that honour sf_tables_fail_after().  realloc never
 * frees the old block on failure (as realloc). */
void *sf_tbl_malloc(size_t size);
void *sf_tbl_realloc(void *p, size_t size);
void sf_tbl_free(void *p);

/* Grows *arr (element size elem) so that it holds at least need elements;
 * doubles the capacity.  Returns 0 or SF_ENOMEM (then *arr is unchanged). */
int sf_tbl_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* The same for a load's scratch, freed before the load returns: always
 * the process heap, never the embedder's allocator (sf_tables_set_alloc),
 * still under sf_tables_fail_after(). */
void *sf_tbl_scratch_malloc(size_t size);
void sf_tbl_scratch_free(void *p);
int sf_tbl_scratch_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Around an insertion into a load-time-only Judy array: the embedder's
 * scratch hook (sf_tables_alloc_t), when it set one. */
void sf_tbl_scratch_judy(bool on);

/* --- keys ---------------------------------------------------------------- */

/*
 * A key-form number (up to 16 digits) maps to one Judy index:
 * (digits << 56) | decimal value.  The length in the top byte keeps '0102'
 * (short code 102) and '102' apart, and keeps prefixes of different lengths
 * apart.  10^16 < 2^54, so the two parts never overlap.
 */
#define SF_TBL_KEY(len, val) (((uint64_t)(len) << 56) | (uint64_t)(val))

static inline uint64_t sf_tbl_key(const char *d, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v = v * 10 + (unsigned)(d[i] - '0');
	return SF_TBL_KEY(len, v);
}

/* Judy indexes of every prefix of n: pfx[l] for l = 1..n->len.  Returns
 * false (nothing filled) for a number that cannot be a key. */
static inline bool sf_tbl_prefixes(const sf_num_t *n,
				   uint64_t pfx[SF_NUM_MAX + 1])
{
	uint64_t v = 0;

	if (!n || n->len == 0 || n->len > SF_NUM_MAX)
		return false;
	for (unsigned i = 0; i < n->len; i++) {
		unsigned c = (unsigned)(n->d[i] - '0');

		if (c > 9)
			return false;
		v = v * 10 + c;
		pfx[i + 1] = SF_TBL_KEY(i + 1, v);
	}
	return true;
}

/* Formats a Judy key back to table syntax: "7701", "short:102". */
void sf_tbl_key_format(uint64_t key, char *buf, size_t size);

/*
 * Short prefixes indexed directly: the keys of 1..SF_TBL_DIRECT_LEN digits
 * (10 + 100 + 1000 + 10000 of them) map to slots of one array, so a
 * longest-prefix match over a plan whose prefixes are all short costs a
 * few loads instead of a JudyLGet per length probed.
 */
#define SF_TBL_DIRECT_LEN 4u
#define SF_TBL_DIRECT_SLOTS 11110u

static inline size_t sf_tbl_direct_slot(uint64_t key)
{
	static const uint32_t base[SF_TBL_DIRECT_LEN + 1] = {0, 0, 10, 110,
							     1110};
	unsigned len = (unsigned)(key >> 56);
	uint64_t v = key & (((uint64_t)1 << 56) - 1);

	/* callers pass keys of 1..SF_TBL_DIRECT_LEN digits only */
	return base[len] + (size_t)v;
}

/*
 * A set of prefixes of mixed lengths in one JudyL (value != 0) with a
 * bitmask of the lengths present, so longest-prefix match probes only
 * lengths that exist, longest first.  Returns the value or 0; *plen gets
 * the matched length.
 */
static inline Word_t sf_tbl_lpm(Pcvoid_t judyl, uint32_t mask,
				const uint64_t pfx[SF_NUM_MAX + 1],
				unsigned len, unsigned *plen)
{
	mask &= (uint32_t)((2u << len) - 1); /* lengths 1..len */
	while (mask) {
		unsigned l = 31u - (unsigned)__builtin_clz(mask);
		PWord_t pv = (PWord_t)JudyLGet(judyl, pfx[l], PJE0);

		if (pv && pv != (PWord_t)PPJERR) {
			if (plen)
				*plen = l;
			return *pv;
		}
		mask &= ~(1u << l);
	}
	return 0;
}

/*
 * A one-hash bit filter of the keys in a JudyL: a clear bit means the key
 * is absent, so a longest-prefix probe skips the JudyLGet (most probes of
 * a number miss).  2^bits bits, about 16 per key (between 2^12 and 2^24
 * bits), so about 6% of the bits are set; built once the table is loaded
 * (tables are immutable then; a reload builds a new core).  A NULL filter
 * lets every probe through.
 */
#define SF_TBL_FILTER_MIN_BITS 12u
#define SF_TBL_FILTER_MAX_BITS 24u

typedef struct sf_tbl_filter {
	uint64_t *w;   /* 2^bits bits, or NULL */
	unsigned bits;
} sf_tbl_filter_t;

static inline size_t sf_tbl_filter_bit(const sf_tbl_filter_t *f,
				       uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - f->bits));
}

static inline bool sf_tbl_filter_maybe(const sf_tbl_filter_t *f,
				       uint64_t key)
{
	size_t b;

	if (!f->w)
		return true;
	b = sf_tbl_filter_bit(f, key);
	return (f->w[b >> 6] >> (b & 63)) & 1;
}

/* Builds f over every key of judyl (n keys); on allocation failure f
 * stays NULL (no filtering).  sf_tbl_filter_free releases it. */
void sf_tbl_filter_build(sf_tbl_filter_t *f, Pcvoid_t judyl, size_t n);
void sf_tbl_filter_free(sf_tbl_filter_t *f);

/* sf_tbl_lpm over a JudyL whose keys are all in filter f. */
static inline Word_t sf_tbl_lpm_filtered(Pcvoid_t judyl,
					 const sf_tbl_filter_t *f,
					 uint32_t mask,
					 const uint64_t pfx[SF_NUM_MAX + 1],
					 unsigned len, unsigned *plen)
{
	mask &= (uint32_t)((2u << len) - 1); /* lengths 1..len */
	while (mask) {
		unsigned l = 31u - (unsigned)__builtin_clz(mask);

		if (sf_tbl_filter_maybe(f, pfx[l])) {
			PWord_t pv = (PWord_t)JudyLGet(judyl, pfx[l], PJE0);

			if (pv && pv != (PWord_t)PPJERR) {
				if (plen)
					*plen = l;
				return *pv;
			}
		}
		mask &= ~(1u << l);
	}
	return 0;
}

/* --- line reader (tbl_reader.c) ---------------------------------------- */

typedef struct sf_tbl_batch sf_tbl_batch_t;

#define SF_TBL_LINE_MAX 65536     /* longest accepted line, bytes */
#define SF_TBL_CHUNK (1u << 20)   /* read size */

typedef struct sf_tbl_reader {
	const char *path;
	int fd;
	char *buf;
	size_t len;       /* bytes valid in buf */
	size_t pos;       /* start of the next line */
	bool eof;
	bool borrowed;    /* buf is the caller's text: never written or freed */
	unsigned line_no; /* of the line last returned */
	/* the feed format (tbl_fields.c) */
	char sep;         /* ',' or ';'; 0 = not known yet (detect) */
	uint8_t header;   /* sf_table_header_t */
	bool seen_data;   /* a line other than comments was seen */
	char *scratch;    /* unquoted fields with doubled quotes; lazily */
	size_t scratch_used;
	/* "# stream-id: ID" in the comments before the data: the position
	 * in the live feed's stream the file was written at ("" none) */
	char stream_id[SF_TABLES_STREAM_ID_MAX];
	/* "# journal-seq: N": the local roaming journal's last entry the
	 * file includes (0 none) */
	uint64_t journal_seq;
} sf_tbl_reader_t;

/* Opens path.  SF_EIO (with strerror text and sys_errno) or SF_ENOMEM.
 * With text.s non-NULL, reads text instead (no read buffer, no I/O; the
 * whole text is "read" at once) and path only names it in messages.
 * fmt says how fields are separated and whether a header row comes first
 * (zero: detect both). */
int sf_tbl_reader_open(sf_tbl_reader_t *r, const char *path, sf_str_t text,
		       sf_table_format_t fmt, sf_err_t *err);

/*
 * Next data line: not blank, not a whole-line '#' comment, not the
 * header row (declared, or detected on the first such line: see
 * sf_tbl_is_header), with a UTF-8 byte order mark at the start of the
 * file, the newline and a CR before it removed and blanks trimmed.
 * Detects the separator on the first line holding ',' or ';' outside
 * quotes when it was not declared.  Returns 1 with *line set (a view
 * into the reader's buffer, valid until the next call), 0 at end of
 * file, or SF_EIO / SF_EPARSE (line too long, NUL byte).
 */
int sf_tbl_reader_next(sf_tbl_reader_t *r, sf_str_t *line, sf_err_t *err);

/* Line callback of sf_tbl_load_lines: one data line. */
typedef int (*sf_tbl_line_fn)(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
			      sf_err_t *err);

/*
 * The loop every loader runs: opens path (or text) with fmt, hands each
 * data line to fn, closes, and when b is not NULL flushes its sorted
 * batch (then finishes it, also on failure).  Returns 0 or the first
 * negative SF_E* (err filled).
 */
int sf_tbl_load_lines(const char *path, sf_str_t text, sf_table_format_t fmt,
		      sf_tbl_line_fn fn, void *ctx, sf_tbl_batch_t *b,
		      sf_err_t *err);

/* The stream id of the file the last sf_tbl_load_lines on this thread
 * read ("" when it had none): the roaming loader keeps it. */
const char *sf_tbl_last_stream_id(void);
/* ... and its "# journal-seq:" (0 when it had none). */
uint64_t sf_tbl_last_journal_seq(void);

/* --- feed format (tbl_fields.c) ----------------------------------------- */

/* Called by the reader on a data candidate line: sets r->sep when it is
 * not known and the line shows it; true when the line is a header row
 * (no field looks like a number: see tbl_fields.c). */
void sf_tbl_detect_sep(sf_tbl_reader_t *r, sf_str_t line);
bool sf_tbl_is_header(const sf_tbl_reader_t *r, sf_str_t line);

void sf_tbl_reader_close(sf_tbl_reader_t *r);

/* Fills err with "path:line: msg" (SF_EPARSE) for the current line.
 * col is 1-based, 0 if unknown.  Returns SF_EPARSE. */
int sf_tbl_bad(const sf_tbl_reader_t *r, sf_err_t *err, unsigned col,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

typedef struct sf_tbl_field {
	sf_str_t v;   /* trimmed */
	unsigned col; /* 1-based column of v in the line */
} sf_tbl_field_t;

/*
 * Splits line at the first max-1 separators outside quotes (the last
 * field is the rest of the line, separators included).  A field in double
 * quotes (RFC 4180) may hold separators, and "" inside it stands for one
 * quote; the quotes are removed.  Fields are trimmed.  Returns the number
 * found (1..max), or SF_EPARSE with err at the line and column of a quote
 * left open or text after a closing quote.  line must be a view returned
 * by sf_tbl_reader_next on r; the fields are valid until its next call.
 */
int sf_tbl_split(sf_tbl_reader_t *r, sf_str_t line, sf_tbl_field_t *f,
		 size_t max, sf_err_t *err);

/*
 * Parses a number field with sf_num_parse_key().  allow_prefix: a trailing
 * '*' makes a prefix (*is_prefix set).  what names the table in messages
 * about a '*' that is not allowed.  On a bad number fills err with a reason
 * a person can act on and returns SF_EPARSE.
 */
int sf_tbl_parse_num(const sf_tbl_reader_t *r, sf_err_t *err,
		     const sf_tbl_field_t *f, bool allow_prefix,
		     const char *what, sf_num_t *out, bool *is_prefix);

/* Edit distance capped at 3 (for "did you mean"). */
unsigned sf_tbl_distance(const char *a, size_t alen, const char *b,
			 size_t blen);

/* --- batched sorted insertion (tbl_batch.c) ---------------------------- */

#define SF_TBL_BATCH ((size_t)1 << 20) /* rows per sorted batch */

typedef struct sf_tbl_row {
	uint64_t key;
	Word_t val;
} sf_tbl_row_t;

/*
 * Rows collected and handed to put() in ascending key order, a batch at a
 * time (equal keys in the order they were added).  put() returns 0 or a
 * negative SF_E*.  Set put/ctx, zero the rest.  The tmp buffer (scratch
 * for the sort, same size as rows) is allocated only for an unsorted batch.
 */
struct sf_tbl_batch {
	int (*put)(void *ctx, uint64_t key, Word_t val);
	void *ctx;
	sf_tbl_row_t *rows, *tmp;
	size_t n, cap, tmp_cap;
	bool unsorted;
};

int sf_tbl_batch_add(sf_tbl_batch_t *b, uint64_t key, Word_t val);
int sf_tbl_batch_flush(sf_tbl_batch_t *b);
void sf_tbl_batch_fini(sf_tbl_batch_t *b);

/* --- strings (tbl_strings.c) ------------------------------------------- */

/*
 * Interned strings of one table: an arena of NUL-terminated strings, each
 * stored once, addressed by 32-bit offset.  Offset 0 is "".  The hash
 * index that finds duplicates lives only while loading (sf_tbl_strs_seal).
 */
typedef struct sf_tbl_strs {
	char *arena;
	size_t len, cap;
	Pvoid_t index;     /* JudyL: hash of string -> offset */
	uint32_t last_off; /* one-entry cache: rows often repeat a string */
} sf_tbl_strs_t;

int sf_tbl_strs_init(sf_tbl_strs_t *s);
/* Interns v (no NUL bytes inside).  SF_ENOMEM or SF_ERANGE (arena > 4 GiB). */
int sf_tbl_strs_intern(sf_tbl_strs_t *s, sf_str_t v, uint32_t *off);
/* Drops the load-time index and trims the arena. */
void sf_tbl_strs_seal(sf_tbl_strs_t *s);
void sf_tbl_strs_fini(sf_tbl_strs_t *s);
size_t sf_tbl_strs_bytes(const sf_tbl_strs_t *s);

static inline const char *sf_tbl_str(const sf_tbl_strs_t *s, uint32_t off)
{
	return s->arena ? s->arena + off : "";
}

/* --- the shared core ----------------------------------------------------- */

typedef struct sf_tbl_plan_ent {
	uint32_t op;   /* operator, offset in plan_strs */
	uint32_t line; /* where it was defined, for duplicate messages */
	uint8_t cls, min_len, max_len, prefix_len;
} sf_tbl_plan_ent_t;

typedef struct sf_tbl_pair {
	uint32_t source, reason; /* offsets in subst_strs */
} sf_tbl_pair_t;

/* One allow set: the entries for one trunk (or for every trunk). */
typedef struct sf_tbl_allow_set {
	Pvoid_t exact;  /* Judy1 */
	Pvoid_t prefix; /* JudyL, value 1 (JudyL so sf_tbl_lpm applies) */
	uint32_t mask;  /* prefix lengths present */
} sf_tbl_allow_set_t;

typedef struct sf_tbl_core {
	atomic_size_t refs;

	/* numbering plan: JudyL key -> entry index + 1; prefixes of up to
	 * SF_TBL_DIRECT_LEN digits also in plan_direct (NULL if none) */
	Pvoid_t plan;
	uint32_t plan_mask;
	uint32_t *plan_direct;
	sf_tbl_filter_t plan_filter; /* of every key in plan */
	sf_tbl_plan_ent_t *plan_ents;
	size_t plan_n, plan_cap;
	sf_tbl_strs_t plan_strs;

	/* roaming: JudyL key -> SF_TBL_ROAM_PRESENT | packed country */
	Pvoid_t roam;
	size_t roam_n;
	char roam_stream_id[SF_TABLES_STREAM_ID_MAX]; /* "" none */
	uint64_t roam_journal_seq;                     /* 0 none */

	/* ported numbers: JudyL key -> (operator offset << 2) | 2 | home
	 * (tbl_ported.c) */
	Pvoid_t ported;
	size_t ported_n;
	sf_tbl_strs_t ported_strs;
	uint8_t ported_out_cls; /* sf_class_t of a number ported out */

	/* substitution: JudyL key -> pair index + 1 */
	Pvoid_t subst_exact, subst_prefix;
	uint32_t subst_mask;
	size_t subst_n;
	sf_tbl_pair_t *pairs;
	size_t n_pairs, pairs_cap;
	Pvoid_t pair_index; /* load-time only: (source<<32|reason) -> pair+1 */
	sf_tbl_strs_t subst_strs;

	/* allow: sets[0] = every trunk, sets[1 + id] = trunk id */
	sf_tbl_allow_set_t *allow;
	size_t n_allow_sets;
	size_t allow_n;
} sf_tbl_core_t;

/* Roaming values: bit 16 = present, low 16 bits = country letters. */
#define SF_TBL_ROAM_PRESENT ((Word_t)1 << 16)

static inline Word_t sf_tbl_country_pack(const char *cc)
{
	if (!cc || !cc[0])
		return 0;
	return ((Word_t)(unsigned char)cc[0] << 8) | (unsigned char)cc[1];
}

static inline void sf_tbl_country_unpack(Word_t v, char out[3])
{
	out[0] = (char)((v >> 8) & 0xff);
	out[1] = (char)(v & 0xff);
	out[2] = '\0';
}

/* Per-table loaders (each fills its part of core; on failure the caller
 * frees the whole core). */
/* text.s non-NULL: parse text, path only names it (sf_tables_src_t). */
/* fmt: the file's feed format (sf_tables_src_t). */
int sf_tbl_plan_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		     sf_table_format_t fmt, sf_err_t *err);
int sf_tbl_roaming_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
			sf_table_format_t fmt, sf_err_t *err);
/* home: the operator names that are ours (compared ignoring case);
 * out_class: the class of a number ported to anyone else (UNLISTED =
 * domestic-other). */
int sf_tbl_ported_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		       sf_table_format_t fmt, const char *const *home,
		       size_t n_home,
		       sf_class_t out_class, sf_err_t *err);
int sf_tbl_subst_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		      sf_table_format_t fmt, sf_err_t *err);
int sf_tbl_allow_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
		      sf_table_format_t fmt, const char *const *trunks,
		      size_t n_trunks, sf_err_t *err);

/* Lookups on one core (sf_tables.h has the contracts). */
bool sf_tbl_plan_lookup(const sf_tbl_core_t *c, const sf_num_t *n,
			sf_plan_entry_t *out);
bool sf_tbl_subst_lookup(const sf_tbl_core_t *c, const sf_num_t *n,
			 sf_subst_entry_t *out);
bool sf_tbl_allow_lookup(const sf_tbl_core_t *c, int trunk_id,
			 const sf_num_t *n);

/* The same lookups over prefix keys already computed by
 * sf_tbl_prefixes() for a number of len digits (one computation serves
 * every table). */
bool sf_tbl_plan_lookup_keys(const sf_tbl_core_t *c,
			     const uint64_t pfx[SF_NUM_MAX + 1], unsigned len,
			     sf_plan_entry_t *out);
bool sf_tbl_subst_lookup_keys(const sf_tbl_core_t *c,
			      const uint64_t pfx[SF_NUM_MAX + 1],
			      unsigned len, sf_subst_entry_t *out);
bool sf_tbl_allow_lookup_keys(const sf_tbl_core_t *c, int trunk_id,
			      const uint64_t pfx[SF_NUM_MAX + 1],
			      unsigned len);

/*
 * Ported-table lookup of the whole number key (len digits).  When the
 * number is ported, overrides *out's class, operator and ported status
 * (and, when in_plan is false - no plan prefix matched - its lengths and
 * prefix_len) and returns true; otherwise leaves *out alone.
 */
bool sf_tbl_ported_apply(const sf_tbl_core_t *c, uint64_t key,
			 unsigned len, bool in_plan, sf_plan_entry_t *out);

/* Frees every table of the core and the core itself. */
void sf_tbl_core_free(sf_tbl_core_t *c);

/* Bytes used by each table (Judy + arrays + strings). */
size_t sf_tbl_plan_bytes(const sf_tbl_core_t *c);
size_t sf_tbl_roaming_bytes(const sf_tbl_core_t *c);
size_t sf_tbl_ported_bytes(const sf_tbl_core_t *c);
size_t sf_tbl_subst_bytes(const sf_tbl_core_t *c);
size_t sf_tbl_allow_bytes(const sf_tbl_core_t *c);

/* --- live roaming overlay (tbl_overlay.c) ------------------------------ */

/* A persistent map key -> value (NULL = empty): an update returns a new
 * map sharing all but one path with the old, which stays valid. */
typedef struct sf_tbl_ovl sf_tbl_ovl_t;

/* Sets key to val (del: removes it) in root; *out gets a new reference
 * (NULL when the map is empty), *delta +1 / -1 / 0 entries.  root is not
 * changed.  Returns 0 or SF_ENOMEM (then nothing was made). */
int sf_tbl_ovl_set(const sf_tbl_ovl_t *root, uint64_t key, Word_t val,
		   bool del, sf_tbl_ovl_t **out, int *delta);
bool sf_tbl_ovl_get(const sf_tbl_ovl_t *root, uint64_t key, Word_t *val);
/* Reference counting (atomic; NULL is a no-op). */
void sf_tbl_ovl_ref(sf_tbl_ovl_t *x);
void sf_tbl_ovl_unref(sf_tbl_ovl_t *x);
/*
 * Batches: a token (sf_tbl_ovl_token, never reused) marks the nodes one
 * batch makes; sf_tbl_ovl_set_owned changes those in place and copies
 * the rest.  The first call takes a root the batch does not own (not
 * consumed; *out is a new reference); later calls pass the *out of the
 * previous one, which they consume.  Nothing made by a batch may be
 * published until the batch is done.  SF_ENOMEM leaves *out unusable
 * only for the batch (the caller drops what it made).  *prev gets key's
 * value before the call when the map had it (else it is left as it was),
 * so the caller needs no lookup of its own.
 */
uint32_t sf_tbl_ovl_token(void);
int sf_tbl_ovl_set_owned(sf_tbl_ovl_t *root, uint32_t token, uint64_t key,
			 Word_t val, bool del, sf_tbl_ovl_t **out, int *delta,
			 Word_t *prev);

/* Bytes of one entry's slot (for the memory estimate). */
size_t sf_tbl_ovl_slot_bytes(void);

/* Fills err for a Judy error returned by an insert. */
int sf_tbl_judy_err(sf_err_t *err, const char *path, const JError_t *je);

#endif
