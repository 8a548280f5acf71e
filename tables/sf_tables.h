/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_tables.h - the number tables, kept in Judy arrays, as one immutable
 * snapshot.
 *
 * A snapshot holds five tables loaded from text files:
 *  - numbering plan: prefix -> class, allowed total length, operator label;
 *    longest-prefix match;
 *  - ported numbers (mobile number portability): number -> the operator
 *    serving it now; consulted before the plan, it makes a number ported
 *    to one of our operators home-mobile and one ported away the
 *    configured class (domestic-other by default);
 *  - roaming: the set of home subscribers now roaming abroad, each with an
 *    optional visited country (ISO 3166 alpha-2);
 *  - substitution / do-not-originate (DNO): exact numbers and prefixes
 *    known to be spoofed or never to originate calls, with source + reason;
 *  - allow lists: numbers and prefixes exempt per trunk (or on all trunks).
 * Numbers are in key form (base/sf_num.h): E.164 digits, short codes as '0'
 * + digits.
 *
 * Life cycle: sf_tables_load() builds a complete snapshot beside whatever is
 * serving; nothing is reachable until it returns 0.  A snapshot is then
 * read-only and safe to read from any number of threads without locks.
 * Publishing/retiring snapshots across threads is the caller's business
 * (see sipfilter's reload code); this layer only builds, reads, derives and
 * frees.  Judy errors (PJERR) are checked: Judy never prints-and-exits here,
 * an allocation failure is SF_ENOMEM and the half-built snapshot is freed.
 *
 * This layer knows nothing of config or SIP: the trunk names it needs for
 * allow lists are handed in as plain strings.
 */
#ifndef SF_TABLES_H
#define SF_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/sf_class.h"
#include "../base/sf_err.h"
#include "../base/sf_num.h"
#include "../base/sf_str.h"

typedef struct sf_tables sf_tables_t;

/* Bytes of a Redis stream entry id ("1700000000000-0"), NUL included. */
#define SF_TABLES_STREAM_ID_MAX 48

/*
 * How a table file is written, as feeds come: fields separated by ',' or
 * ';', a header row or none.  Zero values mean detect: the separator is
 * the first ',' or ';' outside quotes on the first line that has one; the
 * first non-comment line is a header when none of its fields looks like
 * a number (starts with a digit, '+' and a digit, or "short:").  A UTF-8
 * byte order mark at the start and RFC 4180 quoted fields ("" for a
 * quote inside) are always accepted.
 */
typedef enum sf_table_sep {
	SF_TABLE_SEP_AUTO = 0, SF_TABLE_SEP_COMMA, SF_TABLE_SEP_SEMICOLON
} sf_table_sep_t;
typedef enum sf_table_header {
	SF_TABLE_HEADER_AUTO = 0, SF_TABLE_HEADER_YES, SF_TABLE_HEADER_NO
} sf_table_header_t;
typedef struct sf_table_format {
	uint8_t sep;    /* sf_table_sep_t */
	uint8_t header; /* sf_table_header_t */
} sf_table_format_t;

/* Where to load from.  Any path may be NULL: that table is then empty. */
typedef struct sf_tables_src {
	const char *plan;
	const char *ported;
	const char *roaming;
	const char *substitution;
	const char *allow;
	/* Trunk names known to the config, index = trunk id. */
	const char *const *trunk_names;
	size_t n_trunks;
	/* Ported table: the operator names that are ours (a number ported
	 * to one of them is ported in; names compare ignoring case) and the
	 * class of a number ported to any other (SF_CLASS_UNLISTED, i.e. 0,
	 * means domestic-other). */
	const char *const *home_operators;
	size_t n_home_operators;
	sf_class_t ported_out_class;
	/*
	 * Reload guard: when `previous` is given, a table whose row count
	 * falls below (1 - max_shrink) of the previous snapshot's is refused
	 * with SF_ESHRINK (a broken feed must not empty the roaming or
	 * substitution table).  max_shrink in [0,1]; 1 disables the guard.
	 */
	const sf_tables_t *previous;
	double max_shrink;
	/*
	 * Contents in memory instead of a file (tests, fuzzing, a library
	 * user whose feed is not a file): when a *_text.s is non-NULL that
	 * table is parsed from it, under the same rules, and its path (which
	 * must still be given) only names it in messages.  Borrowed for the
	 * call; lines are views into it while loading, nothing is kept.
	 */
	sf_str_t plan_text, roaming_text, substitution_text, allow_text;
	sf_str_t ported_text;
	/* Feed format per table (zero: detect). */
	sf_table_format_t plan_fmt, roaming_fmt, substitution_fmt, allow_fmt,
		ported_fmt;
} sf_tables_src_t;

/* A number's portability status, by one name table (sf_ported_name). */
typedef enum sf_ported {
	SF_PORTED_NONE = 0, /* "no": not in the ported table */
	SF_PORTED_IN,       /* "in": ported to one of our operators */
	SF_PORTED_OUT,      /* "out": ported to another operator */
	SF_PORTED_COUNT
} sf_ported_t;

/* "no", "in", "out"; never NULL. */
const char *sf_ported_name(sf_ported_t p);

/*
 * min_len/max_len are the file's values: allowed digits of the whole number
 * as people write it (E.164 digits without '+', or a short code as dialled,
 * i.e. without the key form's leading '0').  prefix_len counts key digits
 * of the matching prefix (so it includes the '0' of a short code).
 */
typedef struct sf_plan_entry {
	sf_class_t cls;
	uint8_t min_len, max_len; /* allowed visible digits, see above */
	uint8_t prefix_len;       /* key digits of the matching prefix */
	const char *operator_name; /* owned by the snapshot; "" if none */
	sf_ported_t ported;       /* IN/OUT: the ported table decided cls
				     and operator_name (the lengths are
				     still the plan's range's) */
} sf_plan_entry_t;

typedef struct sf_subst_entry {
	bool prefix;              /* matched a prefix entry, not exact */
	const char *source;       /* e.g. "bank", "police", "regulator-dno" */
	const char *reason;       /* free text; owned by the snapshot */
} sf_subst_entry_t;

typedef struct sf_tables_stats {
	size_t plan_rows, roaming_rows, subst_rows, allow_rows, ported_rows;
	size_t plan_bytes, roaming_bytes, subst_bytes, allow_bytes;
	size_t ported_bytes;
	uint64_t generation; /* set by the caller (sf_tables_set_generation) */
} sf_tables_stats_t;

/*
 * Loads every table named in src into a new snapshot *out (caller owns it;
 * free with sf_tables_free).  Returns 0, or a negative SF_E* with err
 * filled: for a bad line "file:line: reason" (err->file/line set, col when
 * known), SF_EIO for an unreadable file, SF_ENOMEM, SF_ESHRINK, SF_EINVAL
 * (max_shrink outside [0,1]).  On failure *out is NULL and nothing leaks.
 * The first bad line stops the load (one error is reported).
 *
 * Files: one entry per line; blank lines and whole-line '#' comments are
 * skipped; fields are separated by ',' or ';' (sf_table_format_t) and
 * trimmed, may be quoted, and a header row and a UTF-8 BOM are skipped;
 * CRLF is accepted; the last field (operator, reason, comment) is the rest
 * of the line and may contain separators; lines are at most 64 KiB and
 * may not contain NUL.
 * Duplicates: a plan prefix defined twice is an error; a roaming number
 * listed twice counts once and the later line's country wins (a ported
 * number: the later line's operator); a
 * substitution number or prefix listed twice counts once and the first
 * line wins; allow entries count once.  Load time is linear; unsorted big
 * files cost ~30% more than sorted ones (rows are radix-sorted in bounded
 * batches of 1 Mi rows, 32 MiB of scratch at most).
 */
int sf_tables_load(const sf_tables_src_t *src, sf_tables_t **out,
		   sf_err_t *err);

/* Frees a snapshot.  NULL is a no-op.  Only call when no reader is left.
 * Tables shared with snapshots from sf_tables_roaming_update() are freed
 * with the last snapshot that uses them. */
void sf_tables_free(sf_tables_t *t);

/* The class of a number: the ported table first (a ported number gets
 * home-mobile or the ported-out class, and its current operator), then the
 * longest-prefix match in the numbering plan.  Returns true when either
 * knows the number. */
bool sf_tables_plan_lookup(const sf_tables_t *t, const sf_num_t *n,
			   sf_plan_entry_t *out);

/* True if n is a roaming home subscriber; visited (3 bytes, may be NULL)
 * receives the country code or "". */
bool sf_tables_is_roaming(const sf_tables_t *t, const sf_num_t *n,
			  char visited[3]);

/* Exact match first, then longest prefix.  True on a match. */
bool sf_tables_subst_lookup(const sf_tables_t *t, const sf_num_t *n,
			    sf_subst_entry_t *out);

/* True if n (exact or by prefix) is allow-listed for trunk_id or for all
 * trunks.  trunk_id < 0 means "unknown trunk": only all-trunk entries. */
bool sf_tables_allowed(const sf_tables_t *t, int trunk_id,
		       const sf_num_t *n);

/* What every table says about one number. */
typedef struct sf_number_facts {
	bool in_plan;
	sf_plan_entry_t plan;         /* when in_plan */
	bool roaming;
	char visited[3];              /* when roaming; "" if not recorded */
	bool substitution;
	sf_subst_entry_t subst;       /* when substitution */
	bool allow_listed;            /* for trunk_id, or for all trunks */
} sf_number_facts_t;

/* The lookups above for n at once (its prefix keys computed once):
 * the same answers as sf_tables_plan_lookup(), sf_tables_is_roaming(),
 * sf_tables_subst_lookup() and sf_tables_allowed().  t NULL or a number
 * that cannot be a key: everything false. */
void sf_tables_number_facts(const sf_tables_t *t, int trunk_id,
			    const sf_num_t *n, sf_number_facts_t *out);

/* Rows (distinct entries) and bytes (Judy arrays via Judy*MemUsed, plus
 * our arrays and interned strings) per table.  Snapshots that share tables
 * through live roaming updates each report the shared bytes.  t may be
 * NULL (all zero). */
void sf_tables_stats(const sf_tables_t *t, sf_tables_stats_t *out);
void sf_tables_set_generation(sf_tables_t *t, uint64_t gen);

/*
 * Live roaming update: builds a new snapshot *out that shares the plan,
 * substitution and allow tables of base (reference-counted internally) and
 * has a roaming set equal to base's with n added (add=true) or removed.
 * base is not modified and stays valid.  The cost does not grow with the
 * table nor with the changes made since the last full load (about log64
 * of them: a few microseconds at 10^6).  Returns 0 or SF_ENOMEM/SF_EINVAL.
 *
 * n must be E.164; visited is NULL/"" or two ASCII letters (stored upper
 * case; ignored when removing).  Changes live in an overlay - a
 * persistent hash trie of the numbers whose state differs from the last
 * full load, about 32 bytes each - that the new snapshot shares with its
 * base except for the one path the update copies; lookups walk it first
 * (a few pointers).  Snapshots derived from one another
 * may be freed in any order and from any thread (the shared tables carry an
 * atomic reference count); the generation is copied from base.
 */
int sf_tables_roaming_update(const sf_tables_t *base, const sf_num_t *n,
			     bool add, const char *visited,
			     sf_tables_t **out, sf_err_t *err);

/* One change of a batch (sf_tables_roaming_update_many). */
typedef struct sf_roaming_change {
	sf_num_t num;       /* E.164 */
	bool add;
	char visited[3];    /* "" or two letters */
} sf_roaming_change_t;

/*
 * sf_tables_roaming_update for a batch: n changes applied in order on
 * base, one new snapshot *out.  Nodes the batch makes are changed in
 * place by its later changes instead of copied again, so a batch costs
 * less than n single updates (the live feed applies thousands at once).
 * A change with a bad number or country is skipped; *applied counts the
 * others.  Returns 0 or SF_ENOMEM/SF_EINVAL (then *out is NULL).
 */
int sf_tables_roaming_update_many(const sf_tables_t *base,
				  const sf_roaming_change_t *ch, size_t n,
				  sf_tables_t **out, size_t *applied,
				  sf_err_t *err);

/*
 * The live feed's stream id the roaming file was written at: a comment
 * "# stream-id: ID" before its first row (digits and one '-'), so a node
 * applies only the stream's entries after it.  "" when the file has none
 * (or t is NULL).  Valid while t is.
 */
const char *sf_tables_roaming_stream_id(const sf_tables_t *t);

/*
 * The local roaming journal's position the roaming file was written at: a
 * comment "# journal-seq: N" before its first row, meaning the file
 * already holds the journal's entries up to N (sipfilter/proxy/
 * proxy_journal.h), so only those after N are replayed on it.  0 when the
 * file has none (or t is NULL).
 */
uint64_t sf_tables_roaming_journal_seq(const sf_tables_t *t);

/*
 * Number of numbers in t's live-update roaming overlay (numbers whose state
 * differs from the last full load).  0 for a freshly loaded snapshot.
 */
size_t sf_tables_roaming_overlay(const sf_tables_t *t);

/*
 * Start-up self-test of the linked libJudy (reliability.md section 2.5):
 * inserts cascades of consecutive keys and pseudo-random keys into Judy1 and
 * JudyL and checks that every key is found, no absent neighbour is found,
 * counts match and iteration is ordered.  Takes 0.1-0.2 s.
 * Returns 0; SF_EINVAL with err naming the lost key when the library is
 * broken (refuse to run: lookups would silently miss); SF_ENOMEM.
 * Thread-safe (no shared state).
 */
int sf_tables_selftest(sf_err_t *err);

/*
 * Where snapshots live.  By default the C library's malloc/realloc/free.
 * An embedder that shares snapshots between processes (the Kamailio
 * module builds them in Kamailio's shared memory) sets its own before any
 * snapshot exists and keeps it set while any exists: every block a
 * snapshot keeps (its handle, overlay, arrays, strings) is then
 * allocated, grown and freed through it, whichever process frees it.  A
 * load's scratch (read buffer, sort batches: up to 33 MiB, freed before
 * the load returns) stays on the process heap.  Judy's own nodes are not
 * covered: the embedder routes them by defining JudyMalloc, JudyFree,
 * JudyMallocVirtual and JudyFreeVirtual (libJudy calls them through its
 * PLT); scratch (may be NULL) is called with true before and false after
 * each insertion into a load-time-only Judy array (the string and pair
 * indexes, freed before the load returns), so the embedder can put those
 * nodes on the heap.  NULL, or a struct with a NULL malloc, realloc or
 * free, restores the C library's.  Process-wide; not thread-safe against
 * concurrent loads.
 */
typedef struct sf_tables_alloc {
	void *(*malloc)(size_t size);
	void *(*realloc)(void *p, size_t size);
	void (*free)(void *p);
	void (*scratch)(bool on);
} sf_tables_alloc_t;

void sf_tables_set_alloc(const sf_tables_alloc_t *a);

/*
 * TEST ONLY.  After n more successful allocations made by this layer's own
 * code (buffers, arrays, strings, snapshots), every further one fails, so a
 * test can check that each failure point returns SF_ENOMEM and leaks
 * nothing.  n < 0 turns the hook off (the default).  Judy's internal
 * allocations are not affected.  The countdown is per thread.
 */
void sf_tables_fail_after(long n);

#endif
