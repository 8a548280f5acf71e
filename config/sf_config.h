/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_config.h - the sipfilter configuration: data model and YAML loader.
 *
 * sf_cfg_load() reads one YAML file (libyaml) into an sf_cfg_t, validating
 * everything it can without reading the table files: types, unknown keys
 * (with a "did you mean" suggestion), CIDRs, rule conditions, duplicate
 * names, that named files exist.  Errors are collected into an sf_diag_t
 * (compiler-style, 1-based "file:line:col: error: ..."), several before
 * giving up.  Relative table paths are resolved against the directory of
 * the config file.
 *
 * The struct is plain data, immutable after loading, safe to share between
 * threads for reading.  This layer knows nothing of Judy or SIP; the names
 * of number classes come from base/sf_class.h.
 */
#ifndef SF_CONFIG_H
#define SF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/sf_addr.h"
#include "../base/sf_class.h"
#include "../base/sf_err.h"
#include "sf_conds.h"

#define SF_CFG_NAME_MAX 64
#define SF_CFG_PATH_MAX 512
#define SF_CFG_PREFIX_MAX 8      /* international/national prefixes */
#define SF_CFG_MAX_TRUNKS 64     /* rules match trunk sets as a 64-bit mask */
#define SF_CFG_MAX_CONDS 16
#define SF_CFG_MAX_EMERGENCY 64
#define SF_CFG_MAX_LISTENERS 16
#define SF_CFG_MAX_IDENTITY 4
#define SF_CFG_MAX_RULES 1024
#define SF_CFG_MAX_METHODS 16    /* out-of-dialog methods per trunk */
#define SF_CFG_MAX_HOME_OPS 16   /* tables.ported.home_operators */
#define SF_CFG_METHOD_MAX 32     /* bytes of a method name, NUL included */
#define SF_CFG_SECRET_MAX 256    /* bytes of serve.secret, NUL included */
#define SF_CFG_SECRET_MIN 16

typedef enum sf_trunk_kind {
	SF_TRUNK_INTERNATIONAL = 0,
	SF_TRUNK_DOMESTIC,
	SF_TRUNK_ROAMING_PARTNER,
	SF_TRUNK_INTERNAL,
	SF_TRUNK_KIND_COUNT
} sf_trunk_kind_t;

typedef enum sf_transport {
	SF_TP_UDP = 0,
	SF_TP_TCP,
	SF_TP_TLS,      /* TCP with TLS (RFC 3261 §26.2.1, RFC 5630) */
} sf_transport_t;

/* TCP and TLS are streams: replies go back over the connection, never
 * by UDP (RFC 3261 §18.2.2; RFC 5630 §3: no downgrade from TLS). */
static inline bool sf_tp_stream(sf_transport_t tp)
{
	return tp != SF_TP_UDP;
}

typedef enum sf_action {
	SF_ACT_ALLOW = 0,
	SF_ACT_TAG,
	SF_ACT_REJECT,
	SF_ACT_WITHHOLD,
	SF_ACT_COUNT
} sf_action_t;

typedef enum sf_mode {
	SF_MODE_ENFORCE = 0,
	SF_MODE_MONITOR,
} sf_mode_t;

/* Where the presented identity is taken from, in configured order. */
typedef enum sf_id_source {
	SF_ID_PAI = 0,  /* P-Asserted-Identity (first usable value) */
	SF_ID_PPI,      /* P-Preferred-Identity */
	SF_ID_RPID,     /* Remote-Party-ID */
	SF_ID_FROM,
} sf_id_source_t;

/* Dialling rules used to normalise numbers to E.164. */
typedef struct sf_dialling {
	char country_code[4];                   /* "7" */
	char national_prefix[4];                /* "8"; "" if none */
	char intl_prefixes[SF_CFG_PREFIX_MAX][6]; /* "810", "00" */
	size_t n_intl_prefixes;
	uint8_t national_length;   /* digits after the country code: 10 */
	uint8_t max_short_length;  /* dialled strings up to this are short codes: 6 */
} sf_dialling_t;

typedef struct sf_hostport {
	char host[256];  /* literal IP (v6 without brackets) or name */
	uint16_t port;   /* the loader fills in 5060 when none is written;
			    0 (= 5060) only in hand-built structs */
	sf_transport_t transport;
} sf_hostport_t;

#define SF_CFG_MAX_CERT_NAMES 8  /* patterns of one trunk's client_cert */
#define SF_CFG_CERT_NAME_MAX 256 /* bytes of a pattern, NUL included */

/* A trunk identified by its TLS client certificate (mTLS): the
 * certificate must chain to `ca` and carry a subjectAltName (DNS, URI or
 * IP) matching one of `san`, or a subject CN matching one of `subject`
 * (pattern syntax: sf_cert_name_match). */
typedef struct sf_trunk_cert {
	bool on;
	char ca[SF_CFG_PATH_MAX];
	char crl[SF_CFG_PATH_MAX];    /* "" none: revocation unchecked */
	char san[SF_CFG_MAX_CERT_NAMES][SF_CFG_CERT_NAME_MAX];
	size_t n_san;
	char subject[SF_CFG_MAX_CERT_NAMES][SF_CFG_CERT_NAME_MAX];
	size_t n_subject;
} sf_trunk_cert_t;

/* How the proxy checks a tls: next hop (and, optionally, proves itself
 * to it): the CA its certificate must chain to and the name it must
 * carry (a DNS name, or the literal IP; "" = the next hop's address). */
typedef struct sf_hop_tls {
	char ca[SF_CFG_PATH_MAX];
	char name[256];
	char cert[SF_CFG_PATH_MAX];   /* our client certificate ("" none) */
	char key[SF_CFG_PATH_MAX];
} sf_hop_tls_t;

typedef struct sf_trunk {
	char name[SF_CFG_NAME_MAX];
	sf_trunk_kind_t kind;
	sf_cidr_t *cidrs;    /* owned by the cfg */
	size_t n_cidrs;      /* 0 only for a client_cert trunk: any source */
	/* client_cert: matched only over TLS, by certificate, and (when it
	 * has sources) from one of its sources too; never by source alone */
	sf_trunk_cert_t cert;
	bool trusted;        /* identity headers from it are trusted (PAI) */
	bool has_next_hop;
	sf_hostport_t next_hop;  /* udp:, tcp: (persistent connection) or
				  * tls: (verified with hop_tls) */
	sf_hop_tls_t hop_tls;
	/* Out-of-dialog request methods the proxy forwards from this trunk
	 * (case-sensitive, RFC 3261 §7.1); default just "INVITE".  CANCEL,
	 * the ACK of a non-2xx and OPTIONS to the proxy itself are always
	 * handled; anything else is answered 405. */
	char methods[SF_CFG_MAX_METHODS][SF_CFG_METHOD_MAX];
	size_t n_methods;
	unsigned line;       /* where it was defined, for messages */
} sf_trunk_t;

/* One condition of a rule; all conditions of a rule must hold.  The
 * kinds, their YAML keys and value types are the rows of sf_conds.h. */
#define SF_COND_ENUM_(e, key, type, level, field, fbit, t, f) SF_COND_##e,
typedef enum sf_cond_kind {
	SF_CONDITIONS(SF_COND_ENUM_)
	SF_COND_COUNT
} sf_cond_kind_t;
#undef SF_COND_ENUM_

/* Which of a call's identities a rule's per-identity conditions test
 * (`when: {identities: ...}`): a spoof must hide behind no header. */
typedef enum sf_scope {
	SF_SCOPE_ANY = 0,     /* some identity satisfies them all (default) */
	SF_SCOPE_ALL,         /* every presented identity does */
	SF_SCOPE_NETWORK,     /* some network identity: PAI, PPI, RPID */
	SF_SCOPE_PRESENTATION,/* the presentation identity: From */
	SF_SCOPE_DISPLAY,     /* some number in a From/PAI display name */
	SF_SCOPE_FIRST,       /* the first usable in identity_order (the
				 behaviour before identities were judged
				 separately) */
	SF_SCOPE_COUNT
} sf_scope_t;

/* Values for SF_COND_IDENTITY. */
typedef enum sf_identity_state {
	SF_IDENT_PRESENT = 0, /* a number was presented */
	SF_IDENT_MISSING,     /* no identity header with a user part */
	SF_IDENT_ANONYMOUS,   /* anonymous / withheld */
} sf_identity_state_t;

typedef struct sf_cond {
	sf_cond_kind_t kind;
	uint64_t mask;  /* for the set-valued kinds */
	bool value;     /* for the boolean kinds */
	uint64_t fmask; /* over the feature word (sf_conds.h) */
} sf_cond_t;

typedef struct sf_rule {
	char name[SF_CFG_NAME_MAX];
	char description[160];
	sf_cond_t conds[SF_CFG_MAX_CONDS];
	size_t n_conds;
	sf_scope_t scope;       /* identities the conditions look at */
	bool per_identity;      /* some condition is about an identity */
	/* the conditions compiled for the engine's loop (sf_conds.h):
	 * call conditions as (word, mask), identity conditions as masks */
	uint64_t call_masks[SF_CFG_MAX_CONDS];
	uint8_t call_words[SF_CFG_MAX_CONDS];
	uint8_t n_call_masks;
	uint64_t id_masks[SF_CFG_MAX_CONDS];
	uint8_t n_id_masks;
	uint64_t id_union;      /* every bit the identity masks touch */
	sf_action_t action;
	uint16_t code;          /* SIP status for reject, 400..699 (default
				   603); 0 for other actions */
	char phrase[64];        /* reason phrase ("Network Blocked"); for
				   reject defaults to the standard phrase of
				   code ("Decline"); "" for other actions */
	char reason[160];       /* text for the Reason header and logs;
				   defaults to description; never contains
				   '"' or '\\' */
	sf_mode_t mode;
	unsigned line;
} sf_rule_t;

typedef struct sf_tag_cfg {
	char header[64];        /* "X-Sipfilter" */
	bool verstat;           /* add verstat=TN-Validation-Failed */
} sf_tag_cfg_t;

typedef struct sf_listener {
	sf_hostport_t addr;     /* host is a literal IP */
} sf_listener_t;

/* What to do with INVITEs from a source no trunk matches. */
typedef enum sf_unknown_policy {
	SF_UNKNOWN_REJECT = 0,         /* answer 403 */
	SF_UNKNOWN_AS_INTERNATIONAL,   /* judge as an international trunk */
} sf_unknown_policy_t;

/* What to do when the tables cannot be loaded at start. */
typedef enum sf_no_tables_policy {
	SF_NO_TABLES_REFUSE = 0,  /* refuse to start */
	SF_NO_TABLES_DEGRADED,    /* pass calls tagged unverified */
} sf_no_tables_policy_t;

/* serve.tls: the TLS listeners' identity and policy (proxy_tls.c). */
typedef struct sf_tls_cfg {
	char cert[SF_CFG_PATH_MAX];   /* PEM chain, leaf first ("" = none) */
	char key[SF_CFG_PATH_MAX];    /* PEM private key */
	char ca[SF_CFG_PATH_MAX];     /* extra CAs accepted for client
				       * certificates (beside the trunks') */
	char ciphers[512];            /* TLS 1.2 cipher list */
	char ciphersuites[256];       /* TLS 1.3 suites */
	char groups[128];             /* key exchange groups */
	bool tls13_only;              /* min_version "1.3" (default "1.2") */
	bool session_tickets;         /* default true */
	unsigned handshake_timeout_ms;    /* default 3000 */
	unsigned handshakes_per_second;   /* default 200; 0 = no cap */
} sf_tls_cfg_t;

typedef struct sf_serve_cfg {
	sf_listener_t listeners[SF_CFG_MAX_LISTENERS];
	size_t n_listeners;
	unsigned workers;             /* 0 = one per core (max 1024) */
	char control_socket[SF_CFG_PATH_MAX]; /* "" = none (default); <108 B */
	char metrics_addr[128];       /* "127.0.0.1:9090" or "[::1]:9090" as
					 written; "" = off (default) */
	sf_unknown_policy_t unknown_source;
	sf_no_tables_policy_t no_tables;
	double max_shrink;            /* reload guard, 0..1 (default 0.5) */
	unsigned max_message;         /* bytes, 1024..65535 (default 16384) */
	unsigned tcp_max_connections; /* 1..1000000, default 1024 */
	unsigned tcp_idle_timeout_ms; /* 1000..86400000, default 60000 */
	unsigned tcp_partial_timeout_ms; /* 100..600000, default 5000 */
	/* Connections from sources no trunk matches: at most this many per
	 * address (an IPv6 source counts per /64), and closed when no
	 * complete message came within unknown_idle of connecting. */
	unsigned tcp_max_per_source;  /* 1..1000000, default 32 */
	unsigned tcp_unknown_idle_timeout_ms; /* 100..86400000, default 5000 */
	char log_target[16];          /* "stderr" (default) | "syslog" */
	sf_tls_cfg_t tls;
	/* The key of branches, To-tags and Record-Route tokens comes from
	 * this secret (serve.secret, or the first line of serve.secret_file);
	 * every node behind one load balancer needs the same.  secret_len 0 =
	 * none given: serve generates one, replay/judge cannot verify tokens. */
	char secret[SF_CFG_SECRET_MAX];
	size_t secret_len;
} sf_serve_cfg_t;

typedef struct sf_cfg {
	char path[SF_CFG_PATH_MAX];   /* the file loaded */
	sf_dialling_t dialling;
	sf_trunk_t *trunks;           /* owned */
	size_t n_trunks;
	sf_id_source_t identity_order[SF_CFG_MAX_IDENTITY];
	size_t n_identity_order;
	/* Table files, resolved paths; "" = not configured. */
	char plan_path[SF_CFG_PATH_MAX];
	char roaming_path[SF_CFG_PATH_MAX];
	char substitution_path[SF_CFG_PATH_MAX];
	char allow_path[SF_CFG_PATH_MAX];
	char ported_path[SF_CFG_PATH_MAX];
	/* Feed format per table (tables.X.separator / header), indexed
	 * plan, roaming, substitution, allow, ported: sep 0 detect, 1 ',',
	 * 2 ';'; header 0 detect, 1 yes, 2 no. */
	struct sf_cfg_table_fmt {
		uint8_t sep, header;
	} table_fmt[5];
	/* tables.ported: the operator names (as the ported file writes them)
	 * that are ours, and the class of a number ported to another one
	 * (sf_class_t; default domestic-other). */
	char home_operators[SF_CFG_MAX_HOME_OPS][SF_CFG_NAME_MAX * 2];
	size_t n_home_operators;
	int ported_out_class;
	/* tables.roaming_live: the Redis server ("unix:/path" or
	 * "HOST:PORT") and the stream key of the live roaming feed; "" =
	 * none.  Read at start (restart to change). */
	char live_redis[SF_CFG_PATH_MAX];
	char live_stream[SF_CFG_NAME_MAX * 2];
	/* tables.roaming_journal: the local journal of `ctl roaming add/del`
	 * when there is no roaming_live (resolved path; "" = none: such
	 * changes last until the next reload).  Read at start. */
	char roaming_journal[SF_CFG_PATH_MAX];
	unsigned live_line, live_col; /* where roaming_live is; 0 = none */
	sf_rule_t *rules;             /* owned, in order */
	size_t n_rules;
	sf_tag_cfg_t tag;
	/* Called numbers never blocked, as dialled digits ("112", "102"). */
	char emergency[SF_CFG_MAX_EMERGENCY][16];
	size_t n_emergency;
	sf_serve_cfg_t serve;
} sf_cfg_t;

/*
 * Loads and validates path into a new *out (caller frees with
 * sf_cfg_free).  Returns 0, or SF_EPARSE/SF_EIO/SF_ENOMEM with every
 * problem found appended to diag (which the caller prints; messages name
 * the file as path was given), sorted by line and column.  On failure *out
 * is NULL: a config with any error is never returned.  Relative table
 * paths are resolved against the config file's directory made absolute,
 * so they survive a chdir.  Bounded: files over 1 MiB, nesting deeper than
 * 16, over 100000 values or values over 4096 bytes are refused, and YAML
 * anchors/aliases are refused outright.  Reentrant; no globals.
 */
int sf_cfg_load(const char *path, sf_cfg_t **out, sf_diag_t *diag);

/* The same from memory (len bytes, need not be NUL-terminated); name is
 * used in messages and base_dir resolves relative table paths (NULL or ""
 * = leave them relative, i.e. to the cwd). */
int sf_cfg_parse(const char *name, const char *text, size_t len,
		 const char *base_dir, sf_cfg_t **out, sf_diag_t *diag);

/*
 * Flags for sf_cfg_parse_flags.  SF_CFG_SKIP_FILE_CHECKS leaves out the
 * checks that named table files exist and are readable (paths are still
 * resolved and length-checked); for fuzzing and for validating a config
 * on a machine other than the one it will run on.
 */
#define SF_CFG_SKIP_FILE_CHECKS 1u

/* sf_cfg_parse with flags (0 = the same as sf_cfg_parse). */
int sf_cfg_parse_flags(const char *name, const char *text, size_t len,
		       const char *base_dir, unsigned flags, sf_cfg_t **out,
		       sf_diag_t *diag);

/* Frees cfg and everything it owns.  NULL is a no-op. */
void sf_cfg_free(sf_cfg_t *cfg);

/* Index of the trunk called name, or -1. */
int sf_cfg_trunk_find(const sf_cfg_t *cfg, const char *name);

/* Index of the first trunk whose CIDRs contain ip, or -1.  Trunks with
 * a client_cert never match by source alone. */
int sf_cfg_trunk_match(const sf_cfg_t *cfg, const sf_ip_t *ip);

/* Does t accept a connection from ip (its sources, or any when it has
 * none)? */
bool sf_cfg_trunk_source_ok(const sf_trunk_t *t, const sf_ip_t *ip);

/* Does the config use TLS (a tls: listener or a client_cert trunk)? */
bool sf_cfg_uses_tls(const sf_cfg_t *cfg);

/* Index of the rule called name, or -1. */
int sf_cfg_rule_find(const sf_cfg_t *cfg, const char *name);

/* Names for printing: "international", "tag", "monitor", "pai", ... */
const char *sf_trunk_kind_name(sf_trunk_kind_t k);
const char *sf_action_name(sf_action_t a);
const char *sf_mode_name(sf_mode_t m);
const char *sf_cond_name(sf_cond_kind_t k);
const char *sf_identity_state_name(sf_identity_state_t s);
const char *sf_scope_name(sf_scope_t s);
sf_cond_type_t sf_cond_type(sf_cond_kind_t k);
sf_cond_level_t sf_cond_level(sf_cond_kind_t k);
unsigned sf_cond_fbit(sf_cond_kind_t k);
const char *sf_id_source_name(sf_id_source_t s);

#endif
