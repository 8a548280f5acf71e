/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_int.h - private interfaces of the config loader.
 *
 * The loader works in two passes.  cfg_yaml.c turns the bytes into a small
 * tree of nodes (scalars, lists, maps) that remembers the 1-based line and
 * column of every node, refusing what we never want to see in a config
 * (aliases, anchors, tabs in indentation, invalid UTF-8, absurd sizes).
 * The cfg_load*.c files then walk that tree against the schema and fill an
 * sf_cfg_t, reporting every problem with the position of the node at fault.
 * Nothing here is visible outside config/.
 */
#ifndef SF_CFG_INT_H
#define SF_CFG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "sf_config.h"

/* Bounds on what one config may contain; all inputs are untrusted. */
#define CFG_MAX_FILE (1024u * 1024u)   /* bytes */
#define CFG_MAX_DEPTH 16               /* nested lists/maps */
#define CFG_MAX_NODES 100000u
#define CFG_MAX_SCALAR 4096u           /* bytes in one value */
#define CFG_MAX_CIDRS 4096u            /* sources of one trunk */

/* --- the node tree (cfg_yaml.c) ---------------------------------------- */

typedef enum cfg_kind {
	CFG_SCALAR = 0,
	CFG_SEQ,
	CFG_MAP,
} cfg_kind_t;

typedef struct cfg_node cfg_node_t;
struct cfg_node {
	cfg_kind_t kind;
	unsigned line, col;   /* 1-based, from the libyaml start mark */
	bool plain;           /* scalar written without quotes */
	const char *s;        /* scalar text, NUL-terminated copy */
	size_t len;           /* its length (may contain NUL bytes) */
	cfg_node_t *first;    /* children; a map alternates key, value */
	cfg_node_t *last;
	cfg_node_t *next;     /* next sibling */
	size_t n;             /* number of children */
};

typedef struct cfg_tree cfg_tree_t;

/*
 * Parses text (len bytes) into a tree.  Problems go to diag with name as
 * the file; returns 0 and *out (possibly with a NULL root for an empty
 * document), or a negative SF_E* with *out = NULL.  Free with
 * cfg_tree_free.
 */
int cfg_tree_parse(const char *name, const char *text, size_t len,
		   sf_diag_t *diag, cfg_tree_t **out);
cfg_node_t *cfg_tree_root(const cfg_tree_t *t);
void cfg_tree_free(cfg_tree_t *t);

/* A plain empty, "~" or "null" scalar: YAML's null. */
bool cfg_node_is_null(const cfg_node_t *n);

/* --- suggestions and lists (cfg_suggest.c) ----------------------------- */

/* Optimal-string-alignment (Damerau-Levenshtein) distance, bounded by
 * short inputs: strings longer than 64 bytes give a large number. */
unsigned cfg_edit_distance(const char *a, size_t alen, const char *b,
			   size_t blen);

/* The candidate closest to word if it is close enough to be a plausible
 * typo, else NULL.  NULL entries in cands are skipped. */
const char *cfg_suggest(const char *word, size_t len,
			const char *const *cands, size_t n);

/* Joins the non-NULL cands with ", " into buf (truncating). */
void cfg_join(char *buf, size_t size, const char *const *cands, size_t n);

/* --- enum names (cfg_names.c) ------------------------------------------ */

extern const char *const cfg_trunk_kind_names[SF_TRUNK_KIND_COUNT];
extern const char *const cfg_action_names[SF_ACT_COUNT];
extern const char *const cfg_mode_names[2];
extern const char *const cfg_cond_names[SF_COND_COUNT];
extern const char *const cfg_ident_state_names[3];
extern const char *const cfg_scope_names[SF_SCOPE_COUNT];
extern const char *const cfg_id_source_names[SF_CFG_MAX_IDENTITY];


/* --- host:port values (cfg_addr.c) ------------------------------------- */

#define CFG_HP_TRANSPORT 1u   /* "udp:"/"tcp:" prefix allowed */
#define CFG_HP_LITERAL_IP 2u  /* host must be a literal IP address */
#define CFG_HP_NEED_PORT 4u   /* the port may not be left out */

/*
 * Parses "[udp:|tcp:]HOST[:PORT]" (IPv6 in brackets) into out.  Returns 0,
 * or -1 with a short explanation in why (for "bad ... 'x': <why>").
 */
int cfg_hostport_parse(const char *s, size_t len, unsigned flags,
		       sf_hostport_t *out, char *why, size_t whysize);

/* --- the schema walk (cfg_fields.c, cfg_load*.c) ----------------------- */

/* A reference from a rule to a trunk by name, resolved after the whole
 * file is read (the trunks section may follow the rules). */
typedef struct cfg_tref {
	size_t rule;
	size_t cond;
	const cfg_node_t *node;
} cfg_tref_t;

typedef struct cfg_ctx {
	const char *name;     /* file name for messages */
	const char *base_dir; /* for relative table paths; NULL = as is */
	unsigned flags;       /* SF_CFG_* parse flags */
	sf_diag_t *diag;
	size_t nerr;          /* errors reported by this parse */
	bool oom;
	sf_cfg_t *cfg;
	cfg_tref_t *trefs;
	size_t n_trefs, cap_trefs;
} cfg_ctx_t;

void cfg_err(cfg_ctx_t *c, const cfg_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "'ten'" (escaped, shortened), "a list", "a map" or "nothing". */
const char *cfg_desc(const cfg_node_t *n, char *buf, size_t size);

/* The scalar text escaped for a message (no quotes added). */
const char *cfg_show(const cfg_node_t *n, char *buf, size_t size);

/*
 * Names the idx-th item of a list for messages, before the item is fully
 * checked: "<what> 'NAME'" when the map has a usable scalar `name`, else
 * "<what> #N" (1-based).  Writes into buf.
 */
void cfg_item_label(const cfg_node_t *map, size_t idx, const char *what,
		    char *buf, size_t size);

/*
 * Checks that map is a map whose keys are among keys[0..nkeys) (at most
 * 32) and fills vals[i] (NULL when absent) and, if keynodes is not NULL,
 * keynodes[i].  Unknown keys ("unknown <noun> 'x' in <where>"), duplicate
 * keys and non-scalar keys are reported.  A null node counts as an empty
 * map.  Returns false when map is not a map at all (reported as "'what'
 * must be a map").
 */
bool cfg_map_fields(cfg_ctx_t *c, const cfg_node_t *map, const char *what,
		    const char *where, const char *noun,
		    const char *const *keys, size_t nkeys,
		    const cfg_node_t **vals, const cfg_node_t **keynodes);

/* Lists: a sequence, or a single non-null scalar standing for a one-item
 * list.  cfg_list_check reports a map (returning false) and each item that
 * is not a plain value (returning true); cfg_list_first/next visit only
 * the scalar items, so the good ones are still checked.  cfg_list_len
 * counts every item. */
bool cfg_list_check(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		    const char *of);
const cfg_node_t *cfg_list_first(const cfg_node_t *list);
const cfg_node_t *cfg_list_next(const cfg_node_t *list,
				const cfg_node_t *item);
size_t cfg_list_len(const cfg_node_t *list);

/* Scalar getters: each reports its own error and returns false. */
bool cfg_scalar(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		const char *expect);
bool cfg_get_uint(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  unsigned long min, unsigned long max, unsigned long *out);
bool cfg_get_bool(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  bool *out);
bool cfg_get_double(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		    double min, double max, double *out);
/* Text of at most size-1 bytes without control characters. */
bool cfg_get_text(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  char *buf, size_t size);
/* 1..size-1 decimal digits (min digits via minlen). */
bool cfg_get_digits(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		    size_t minlen, char *buf, size_t size);
/* One of names[0..n); "unknown <what> 'x'; expected one of ...". */
bool cfg_get_enum(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  const char *const *names, size_t count, int *out);
/* A name of [A-Za-z0-9_.-]+ shorter than SF_CFG_NAME_MAX. */
bool cfg_get_name(cfg_ctx_t *c, const cfg_node_t *n, const char *what,
		  char *buf, size_t size);

/* A file name value resolved against the config's directory into out
 * (SF_CFG_PATH_MAX bytes); reports and returns false when empty, with a
 * NUL, or too long.  Does not look at the file. */
bool cfg_path_resolve(cfg_ctx_t *c, const cfg_node_t *n, const char *key,
		      char *out);

/* Sections (cfg_load.c, cfg_tables.c, cfg_trunks.c, cfg_rules.c,
 * cfg_serve.c). */
void cfg_load_tables(cfg_ctx_t *c, const cfg_node_t *n);
void cfg_load_trunks(cfg_ctx_t *c, const cfg_node_t *n);
/* TLS (cfg_tls.c): serve.tls into *t (have_listener: a tls: listener
 * needs cert and key), a trunk's client_cert into t->cert. */
void cfg_tls_defaults(sf_tls_cfg_t *t);
void cfg_load_tls(cfg_ctx_t *c, const cfg_node_t *n, sf_tls_cfg_t *t,
		  bool have_listener);
void cfg_load_client_cert(cfg_ctx_t *c, const cfg_node_t *n, sf_trunk_t *t,
			  const char *label);
void cfg_load_hop_tls(cfg_ctx_t *c, const cfg_node_t *n, sf_trunk_t *t,
		      const char *label);
void cfg_load_rules(cfg_ctx_t *c, const cfg_node_t *n);
void cfg_resolve_trunk_refs(cfg_ctx_t *c);
/* Compiles every rule's conditions to feature-word masks (sf_conds.h);
 * after cfg_resolve_trunk_refs. */
void cfg_compile_rules(cfg_ctx_t *c);
void cfg_load_serve(cfg_ctx_t *c, const cfg_node_t *n);
void cfg_serve_defaults(sf_serve_cfg_t *s);

#endif
