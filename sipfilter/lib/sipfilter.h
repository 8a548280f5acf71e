/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sipfilter.h - libsipfilter, the spoofed caller-ID engine as a library:
 * the one public header.
 *
 * A program that embeds sipfilter (a proxy module, a test harness, an
 * analyst's tool) opens a handle from a sipfilter config file, hands it
 * raw SIP messages with the address they came from, and gets back what the
 * edge does with each: the same admission and verdict as `sipfilter
 * serve`, `replay` and `judge`, from the same config, tables and rules.
 *
 *     sipfilter_errors_t errs;
 *     sipfilter_t *sf = sipfilter_open("/etc/sipfilter/sipfilter.yaml",
 *                                      &errs);
 *     if (!sf) { sipfilter_errors_print(&errs, stderr); exit(2); }
 *     sipfilter_result_t r;
 *     sipfilter_judge(sf, buf, len, (struct sockaddr *)&from,
 *                     SIPFILTER_UDP, NULL, &r);
 *     if (r.action == SIPFILTER_REJECT) answer(r.code, r.phrase);
 *     sipfilter_close(sf);
 *
 * Contracts common to every function:
 *  - Nothing here does network I/O, and only open/reload/roaming read
 *    files.  A judgement allocates nothing and is O(message length).
 *  - Threads: any number of threads may judge, explain, look up and read
 *    stats on one handle at once; reload and roaming updates may run at
 *    the same time from other threads (they build the new tables first,
 *    then swap them in under a short write lock, so a judgement sees the
 *    old tables or the new ones, never a mix).  close must not race with
 *    anything.
 *  - Strings in results are copies, valid after any later call.
 *  - A failed reload or update keeps the tables that were serving.
 *  - Symbols outside this header are private: only sipfilter_* is
 *    exported from the shared library.
 *
 * Link with `pkg-config --cflags --libs sipfilter`.
 */
#ifndef SIPFILTER_H
#define SIPFILTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPFILTER_API_VERSION 1

#if defined(__GNUC__)
#define SIPFILTER_API __attribute__((visibility("default")))
#else
#define SIPFILTER_API
#endif

struct sockaddr;

/* An open engine: config, tables, counters.  Opaque. */
typedef struct sipfilter sipfilter_t;

/* One problem found while loading: where, and what to do about it. */
typedef struct sipfilter_error {
	char file[256];      /* "" when not about a file */
	unsigned line;       /* 1-based; 0 = unknown */
	unsigned col;        /* 1-based; 0 = unknown */
	char message[512];   /* one sentence, no trailing newline */
} sipfilter_error_t;

/* Every problem a load found (a config is read to the end, so an
 * operator sees all its mistakes at once). */
typedef struct sipfilter_errors {
	size_t n;                    /* stored in items */
	size_t dropped;              /* found after items was full */
	sipfilter_error_t items[32];
} sipfilter_errors_t;

/* What the edge does with a message (serve's and replay's `applied`). */
typedef enum sipfilter_action {
	SIPFILTER_ALLOW = 0,   /* forward it */
	SIPFILTER_TAG,         /* forward with the verdict header */
	SIPFILTER_REJECT,      /* answer code/phrase; do not forward */
	SIPFILTER_WITHHOLD,    /* forward with the caller ID withheld */
	SIPFILTER_REFUSE,      /* answer 400: malformed */
	SIPFILTER_DROP,        /* send nothing */
	SIPFILTER_ANSWER       /* answer 200 (OPTIONS to the proxy) */
} sipfilter_action_t;

typedef enum sipfilter_transport {
	SIPFILTER_UDP = 0,     /* a datagram: one message, no framing */
	SIPFILTER_TCP          /* a stream message: Content-Length required */
} sipfilter_transport_t;

/* The outcome for one message.  Strings are "" when not applicable. */
typedef struct sipfilter_result {
	sipfilter_action_t action;      /* what the edge does */
	sipfilter_action_t rule_action; /* the rule's action: differs from
					   action in monitor mode */
	int monitor;                    /* 1: the rule is in monitor mode */
	int judged;                     /* 1: an INVITE got a verdict */
	int malformed;                  /* 1: not a usable request */
	unsigned code;                  /* our answer's status; 0 = none */
	char phrase[64];                /* its reason phrase */
	char rule[64];                  /* the rule, or why ("emergency",
					   "unknown-source", "in-dialog") */
	char reason[160];               /* the rule's reason text */
	char number[24];                /* deciding number, "+E164" or "" */
	char number_class[24];          /* its class ("home-mobile", ...) */
	char identity[16];              /* deciding identity ("pai", "from") */
	char trunk[64];                 /* ingress trunk, "" = unknown */
} sipfilter_result_t;

/* Counters since open (judgements of every handle's thread). */
typedef struct sipfilter_stats {
	uint64_t messages;          /* judged or admitted */
	uint64_t by_action[7];      /* indexed by sipfilter_action_t */
	uint64_t malformed;
	uint64_t reloads_ok, reloads_failed;
	uint64_t roaming_updates;
	uint64_t generation;        /* tables generation: 1 after open */
	uint64_t plan_rows, roaming_rows, substitution_rows, allow_rows;
	uint64_t ported_rows;
} sipfilter_stats_t;

/*
 * Opens the engine of the config at path: reads and validates the config,
 * loads its tables.  Returns the handle, or NULL with every problem in
 * *errors (may be NULL; each names file:line:col when it is about a file).
 */
SIPFILTER_API sipfilter_t *sipfilter_open(const char *path,
					  sipfilter_errors_t *errors);

/* Frees the handle (NULL is accepted). */
SIPFILTER_API void sipfilter_close(sipfilter_t *sf);

/*
 * Admits and judges one raw SIP message (the bytes as received), sent
 * from src (struct sockaddr_in or sockaddr_in6) over tp.  The ingress
 * trunk is the one whose sources hold src, as serve picks it; trunk
 * (may be NULL) names it instead.  Fills *r; returns 0, or -1 when trunk
 * names no trunk or src is not an IPv4/IPv6 address (*r is then a drop).
 */
SIPFILTER_API int sipfilter_judge(sipfilter_t *sf, const char *buf,
				  size_t len, const struct sockaddr *src,
				  sipfilter_transport_t tp, const char *trunk,
				  sipfilter_result_t *r);

/* One byte-range edit of a judged message: at off, delete del bytes and
 * insert the ins_len bytes at text + ins_off of the sipfilter_edits_t. */
typedef struct sipfilter_edit {
	uint32_t off;
	uint32_t del;
	uint32_t ins_off;
	uint32_t ins_len;
} sipfilter_edit_t;

/* The edits serve makes to a forwarded INVITE for its verdict (the tag
 * header and verstat for tag; anonymous From, Privacy: id and no
 * P-Preferred-Identity/Remote-Party-ID for withhold; verstat from an
 * untrusted trunk and a forged tag header removed on every INVITE).
 * Routing edits (Via, Record-Route, Max-Forwards) are not among them:
 * they are the forwarding proxy's own. */
typedef struct sipfilter_edits {
	size_t n;                     /* in items, sorted by off; inserts at
					 one offset in the order to write */
	sipfilter_edit_t items[64];
	char text[2048];              /* the inserted bytes */
} sipfilter_edits_t;

/*
 * sipfilter_judge, and into *edits the edits for the result's action
 * (none when it is not forwarded or not an INVITE).  Ranges never
 * overlap and lie in buf[0..len).  Returns 0; -1 as sipfilter_judge (no
 * edits then), or -1 with r filled when the edits did not fit in
 * *edits (cannot happen with the limits the scanner enforces; the
 * caller should then not forward the message unedited).
 */
SIPFILTER_API int sipfilter_judge_edits(sipfilter_t *sf, const char *buf,
					size_t len, const struct sockaddr *src,
					sipfilter_transport_t tp,
					const char *trunk,
					sipfilter_result_t *r,
					sipfilter_edits_t *edits);

/*
 * The same judgement explained: one JSON object (the facts of every
 * identity, the rule, the action; `sipfilter judge --json`'s fields)
 * into out.  Returns its length, or -1 as sipfilter_judge, or when out
 * is too small (4096 bytes always suffice).
 */
SIPFILTER_API long sipfilter_explain(sipfilter_t *sf, const char *buf,
				     size_t len, const struct sockaddr *src,
				     sipfilter_transport_t tp,
				     const char *trunk, char *out,
				     size_t size);

/*
 * The verdict for a call presenting number (as From) to called (may be
 * NULL) on trunk (NULL: the first international trunk), without SIP:
 * `sipfilter lookup --json`.  JSON into out as sipfilter_explain.
 */
SIPFILTER_API long sipfilter_lookup(sipfilter_t *sf, const char *number,
				    const char *called, const char *trunk,
				    char *out, size_t size);

/*
 * Reloads the tables the config names (the config itself is kept), with
 * the config's shrink guard.  Returns 0, or -1 with the problem in
 * *errors; the old tables keep serving then.
 */
SIPFILTER_API int sipfilter_reload(sipfilter_t *sf,
				   sipfilter_errors_t *errors);

/* The tables a config names, in this order (sipfilter_table_file). */
typedef enum sipfilter_table {
	SIPFILTER_TABLE_PLAN = 0,      /* tables.numbering_plan */
	SIPFILTER_TABLE_ROAMING,       /* tables.roaming */
	SIPFILTER_TABLE_SUBSTITUTION,  /* tables.substitution */
	SIPFILTER_TABLE_ALLOW,         /* tables.allow */
	SIPFILTER_TABLE_PORTED,        /* tables.ported */
	SIPFILTER_TABLES
} sipfilter_table_t;

/* The file the config names for table t (resolved against the config's
 * folder), or NULL when it names none.  Valid until close. */
SIPFILTER_API const char *sipfilter_table_file(sipfilter_t *sf,
					       sipfilter_table_t t);

/*
 * sipfilter_reload, reading table t from files[t] instead of the
 * config's file when files[t] is not NULL (and the config names that
 * table).  For embedders that validate a frozen copy once and then load
 * the same bytes in several processes (the Kamailio module).  Errors
 * name the file read.
 */
SIPFILTER_API int sipfilter_reload_from(sipfilter_t *sf,
					const char *const files[SIPFILTER_TABLES],
					sipfilter_errors_t *errors);

/*
 * Marks number (any form the config's dialling plan reads) as roaming
 * abroad, in visited (two letters, or NULL), or no longer roaming: live,
 * until the next reload.  Returns 0, or -1 with the reason in *err (may
 * be NULL).
 */
SIPFILTER_API int sipfilter_roaming_add(sipfilter_t *sf, const char *number,
					const char *visited,
					sipfilter_error_t *err);
SIPFILTER_API int sipfilter_roaming_del(sipfilter_t *sf, const char *number,
					sipfilter_error_t *err);

/* The counters and table sizes, at one moment. */
SIPFILTER_API void sipfilter_stats(sipfilter_t *sf, sipfilter_stats_t *out);

/* "allow", "tag", "reject", "withhold", "refuse", "drop", "answer". */
SIPFILTER_API const char *sipfilter_action_name(sipfilter_action_t a);

/* Prints each error compiler-style ("file:line:col: error: message"). */
SIPFILTER_API void sipfilter_errors_print(const sipfilter_errors_t *errors,
					  FILE *fp);

/* The library's version ("0.1.0"). */
SIPFILTER_API const char *sipfilter_version(void);

#ifdef __cplusplus
}
#endif

#endif
