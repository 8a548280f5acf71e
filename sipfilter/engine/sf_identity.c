/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_identity.c - the identities of one call (see sf_identity.h).
 *
 * Walks the scanned message's headers once, hands each identity value to
 * the readers (sf_ident_read.c, the only file that includes libosip2),
 * and decides what the engine judges: the presented identity (in
 * identity_order), the called one (the Request-URI), the diverting
 * numbers, privacy, and whether the P-Asserted-Identity values hold
 * together (RFC 3325 §9.1).
 *
 * Work per message is bounded: a fixed number of values (From, To,
 * Request-URI, SF_CALL_MAX_PAI, PPI, RPID, SF_CALL_MAX_DIVERSION), each
 * read within SF_IDENT_VALUE_MAX bytes.
 */
#include "sf_identity.h"

#include <string.h>

/* Up to this many comma-separated elements are located per header line;
 * H-I needs the total count, which is kept separately. */
#define MAX_ELEMS 8

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* --- the call ---------------------------------------------------------- */

/* RFC 3323 §4.2 priv-value list; RFC 3325 §9.3 "id". */
static bool privacy_requests_id(sf_str_t v)
{
	size_t i = 0;

	while (i < v.len) {
		size_t j = i;
		sf_str_t tok;

		while (j < v.len && v.s[j] != ';' && v.s[j] != ',')
			j++;
		tok = sf_str(v.s + i, j - i);
		while (tok.len && is_lws(tok.s[0])) {
			tok.s++;
			tok.len--;
		}
		while (tok.len && is_lws(tok.s[tok.len - 1]))
			tok.len--;
		if (sf_str_ieq_c(tok, "id") || sf_str_ieq_c(tok, "header") ||
		    sf_str_ieq_c(tok, "user"))
			return true;
		i = j + 1;
	}
	return false;
}

/* The candidate of one source: PAI's first number, else its first value. */
static const sf_ident_t *source_ident(const sf_call_t *c, sf_id_source_t s)
{
	switch (s) {
	case SF_ID_PAI:
		for (unsigned i = 0; i < c->n_pai; i++)
			if (c->pai[i].status == SF_NORM_OK)
				return &c->pai[i];
		return c->n_pai ? &c->pai[0] : NULL;
	case SF_ID_PPI:
		return c->ppi.present ? &c->ppi : NULL;
	case SF_ID_RPID:
		return c->rpid.present ? &c->rpid : NULL;
	case SF_ID_FROM:
		return c->from.present ? &c->from : NULL;
	}
	return NULL;
}

static void pick_presented(const sf_cfg_t *cfg, sf_call_t *c)
{
	static const sf_id_source_t dflt[] = {SF_ID_PAI, SF_ID_RPID,
					      SF_ID_FROM};
	const sf_id_source_t *order = cfg->identity_order;
	size_t n = cfg->n_identity_order;
	const sf_ident_t *first = NULL;
	sf_id_source_t first_src = SF_ID_FROM;

	if (n == 0 || n > SF_CFG_MAX_IDENTITY) {
		order = dflt;
		n = sizeof(dflt) / sizeof(dflt[0]);
	}
	c->presented = NULL;
	c->presented_source = SF_ID_FROM;
	for (size_t i = 0; i < n; i++) {
		const sf_ident_t *id = source_ident(c, order[i]);

		if (!id)
			continue;
		if (id->status == SF_NORM_OK) {
			c->presented = id;
			c->presented_source = order[i];
			return;
		}
		if (!first) {
			first = id;
			first_src = order[i];
		}
	}
	c->presented = first;
	c->presented_source = first_src;
}

/* Exemptions are decided where the core routes: the Request-URI, never
 * To (a spoofed call with To: 112 must not pass as an emergency call). */
static void pick_called(sf_call_t *c)
{
	c->called = c->ruri.present ? &c->ruri : NULL;
}

/* RFC 3325 §9.1: at most two values, one sip/sips and one tel. */
static void check_pai(sf_call_t *c)
{
	if (c->n_pai_values > 2 ||
	    (c->n_pai_values == 2 &&
	     !((c->pai[0].scheme == SF_SCHEME_SIP &&
		c->pai[1].scheme == SF_SCHEME_TEL) ||
	       (c->pai[0].scheme == SF_SCHEME_TEL &&
		c->pai[1].scheme == SF_SCHEME_SIP))))
		c->pai_malformed = true;
	c->identity_conflict = c->n_pai == 2 &&
			       c->pai[0].status == SF_NORM_OK &&
			       c->pai[1].status == SF_NORM_OK &&
			       !sf_num_eq(&c->pai[0].num, &c->pai[1].num);
}

/* Absent identities read as SF_NORM_EMPTY, never as a zeroed SF_NORM_OK. */
static void clear_call(sf_call_t *c)
{
	sf_ident_t *all[] = {&c->from, &c->ruri, &c->ppi, &c->rpid,
			     &c->from_display, &c->pai_display};

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		all[i]->status = SF_NORM_EMPTY;
	for (size_t i = 0; i < SF_CALL_MAX_PAI; i++)
		c->pai[i].status = SF_NORM_EMPTY;
	for (size_t i = 0; i < SF_CALL_MAX_DIVERSION; i++)
		c->diversion[i].status = SF_NORM_EMPTY;
}

/* Total H-I entries across every History-Info header. */
static size_t count_hi(const sf_sipmsg_t *m)
{
	sf_str_t tmp[1];
	size_t n = 0;

	for (unsigned i = 0; i < m->n_hdrs; i++)
		if (m->hdrs[i].id == SF_HDR_HISTORY_INFO)
			n += sf_ident_split(m->hdrs[i].value, tmp, 0);
	return n;
}

/* One value into *id by the production path (fast shape or libosip2). */
static void read_one(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id)
{
	sf_ident_read_value(d, v, id, NULL, true);
}

/* RFC 5806 Diversion: each value is one diverting party, most recent
 * first; all of them are diverting numbers. */
static void read_diversion(const sf_dialling_t *d, sf_str_t v, sf_call_t *c)
{
	sf_str_t el[MAX_ELEMS];
	size_t n = sf_ident_split(v, el, MAX_ELEMS);

	for (size_t k = 0; k < n && k < MAX_ELEMS &&
			   c->n_diversion < SF_CALL_MAX_DIVERSION;
	     k++)
		read_one(d, el[k], &c->diversion[c->n_diversion++]);
}

/* RFC 3325 §9.1: one or two values (sip/sips and tel), on one line or
 * several; we keep the first SF_CALL_MAX_PAI. */
static void read_pai(const sf_dialling_t *d, sf_str_t v, sf_call_t *c)
{
	sf_str_t el[MAX_ELEMS];
	size_t n = sf_ident_split(v, el, MAX_ELEMS);

	for (size_t k = 0; k < n && k < MAX_ELEMS && c->n_pai < SF_CALL_MAX_PAI;
	     k++) {
		if (c->n_pai == 0)
			sf_ident_read_display(d, el[k], &c->pai_display);
		read_one(d, el[k], &c->pai[c->n_pai++]);
	}
	c->n_pai_values += (unsigned)n;
}

/* Remote-Party-ID (draft-ietf-sip-privacy-04): the first value about the
 * calling party (party=calling or no party); privacy=full|name|uri on it
 * hides the caller like Privacy: id. */
static void read_rpid(const sf_dialling_t *d, sf_str_t v, sf_call_t *c)
{
	sf_str_t el[MAX_ELEMS];
	size_t n = sf_ident_split(v, el, MAX_ELEMS);

	for (size_t k = 0; k < n && k < MAX_ELEMS && !c->rpid.present; k++) {
		sf_ident_extra_t x;
		sf_ident_t id;

		sf_ident_read_value(d, el[k], &id, &x, true);
		if (x.party_called)
			continue;
		c->rpid = id;
		c->privacy_id |= x.rpid_privacy;
	}
}

/*
 * RFC 7044 History-Info: entries in order across every H-I header, the
 * last one being the current target (normally the Request-URI itself);
 * every entry before it is a target the call left, i.e. a diverting
 * number.  Read after Diversion so Diversion values come first.
 */
static void read_history_info(const sf_dialling_t *d, const sf_sipmsg_t *m,
			      sf_call_t *c)
{
	size_t total = 0, seen = 0;

	for (unsigned i = 0; i < m->n_hdrs && i < SF_SIP_MAX_HEADERS; i++) {
		const sf_sip_hdr_t *h = &m->hdrs[i];
		sf_str_t el[MAX_ELEMS];
		size_t n;

		if (h->id != SF_HDR_HISTORY_INFO)
			continue;
		if (total == 0)
			total = count_hi(m);
		n = sf_ident_split(h->value, el, MAX_ELEMS);
		for (size_t k = 0; k < n; k++, seen++) {
			if (seen + 1 >= total ||
			    c->n_diversion >= SF_CALL_MAX_DIVERSION)
				return;
			if (k < MAX_ELEMS)
				read_one(d, el[k],
					 &c->diversion[c->n_diversion++]);
		}
	}
}

int sf_call_extract(const sf_cfg_t *cfg, const sf_sipmsg_t *m,
		    sf_call_t *call)
{
	const sf_dialling_t *d = &cfg->dialling;
	bool has_hi = false;

	clear_call(call);
	if (!m->is_request)
		return -1;
	sf_ident_read_ruri(d, m->ruri, &call->ruri, &call->emergency_urn,
			   true);
	for (unsigned i = 0; i < m->n_hdrs && i < SF_SIP_MAX_HEADERS; i++) {
		const sf_sip_hdr_t *h = &m->hdrs[i];
		sf_str_t el[1];

		switch (h->id) {
		case SF_HDR_FROM:
			if (!call->from.present) {
				read_one(d, h->value, &call->from);
				sf_ident_read_display(d, h->value,
						      &call->from_display);
			}
			break;
		case SF_HDR_CALL_ID:
			if (!call->call_id.s)
				call->call_id = h->value;
			break;
		case SF_HDR_PAI:
			read_pai(d, h->value, call);
			break;
		case SF_HDR_PPI:
			if (!call->ppi.present &&
			    sf_ident_split(h->value, el, 1) > 0)
				read_one(d, el[0], &call->ppi);
			break;
		case SF_HDR_RPID:
			if (!call->rpid.present)
				read_rpid(d, h->value, call);
			break;
		case SF_HDR_PRIVACY:
			call->privacy_id |= privacy_requests_id(h->value);
			break;
		case SF_HDR_DIVERSION:
			read_diversion(d, h->value, call);
			break;
		case SF_HDR_HISTORY_INFO:
			has_hi = true;
			break;
		default:
			break;
		}
	}
	if (has_hi)
		read_history_info(d, m, call);
	check_pai(call);
	pick_presented(cfg, call);
	pick_called(call);
	return 0;
}

static void from_text(const sf_cfg_t *cfg, const char *text, sf_ident_t *id)
{
	id->present = true;
	id->uri = sf_str_c(text);
	id->status = sf_normalize_text(&cfg->dialling, text, &id->num);
	id->scheme = SF_SCHEME_NONE;
}

void sf_call_from_identities(const sf_cfg_t *cfg, const char *presented,
			     const char *network, const char *called,
			     sf_call_t *call)
{
	clear_call(call);
	if (presented)
		from_text(cfg, presented, &call->from);
	if (network) {
		from_text(cfg, network, &call->pai[0]);
		call->n_pai = call->n_pai_values = 1;
	}
	if (called) {
		from_text(cfg, called, &call->ruri);
		call->called = &call->ruri;
	}
	if (network) {
		pick_presented(cfg, call);
	} else {
		call->presented = presented ? &call->from : NULL;
		call->presented_source = SF_ID_FROM;
	}
}

void sf_call_from_numbers(const sf_cfg_t *cfg, const char *presented,
			  const char *called, sf_call_t *call)
{
	sf_call_from_identities(cfg, presented, NULL, called, call);
}
