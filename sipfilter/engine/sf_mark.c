/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_mark.c - what a verdict changes in a forwarded INVITE: the edits
 * `serve` makes and the Kamailio module applies as lumps (through
 * sipfilter_judge_edits), from one implementation.
 *
 *  - Upstream attestation is not trusted: from a trunk not marked
 *    `trusted`, every `verstat` parameter (3GPP TS 24.229 §7.2A.20) is
 *    removed from every identity header - From, each P-Asserted-Identity
 *    value, P-Preferred-Identity, Remote-Party-ID - on every INVITE,
 *    allowed ones too, so a forged "TN-Validation-Passed" never reaches a
 *    handset.
 *  - `tag`: our tag header (X-Sipfilter: suspect;rule=NAME), and
 *    ;verstat=TN-Validation-Failed on every identity header, not just the
 *    one that was judged (any of them may be what the handset shows).
 *  - `withhold` (RFC 3323, RFC 3325 §9.3): From becomes anonymous (its
 *    tag kept), Privacy gets "id" added to the caller's own values
 *    ("none" dropped), P-Preferred-Identity and Remote-Party-ID are
 *    removed (they carry the number to whoever shows them); the
 *    P-Asserted-Identity stays for the trusted core, which RFC 3325 asks
 *    to remove it before the callee when Privacy: id is set.  The display
 *    name goes with the anonymous From.
 *  - A tag header from upstream would pass for ours: it is removed.
 * Edits are recorded in the caller's edit list (base/sf_edit.h); no two
 * of them touch the same bytes.
 */
#include "sf_mark.h"

#include <string.h>

#include "sf_identity.h"

/* What the helpers below work on. */
typedef struct mark_ctx {
	const sf_sipmsg_t *m;
	sf_edit_t *e;
} mark_ctx_t;

static bool name_is(const sf_sip_hdr_t *h, const char *name)
{
	return h->id == SF_HDR_OTHER && sf_str_ieq_c(h->name, name);
}

/* Removes every header line called name (anti-forgery of our tag). */
static void remove_named(mark_ctx_t *c, const char *name)
{
	const sf_sipmsg_t *m = c->m;
	size_t n = strlen(name);

	for (unsigned i = 0; i < m->n_hdrs; i++)
		if (m->hdrs[i].name.len == n && name_is(&m->hdrs[i], name))
			sf_edit_replace(c->e, m->hdrs[i].start,
					m->hdrs[i].end - m->hdrs[i].start,
					NULL, 0);
}

static void remove_id(mark_ctx_t *c, sf_hdr_id_t id)
{
	const sf_sipmsg_t *m = c->m;

	for (unsigned i = 0;; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, id, i);

		if (!h)
			return;
		sf_edit_replace(c->e, h->start, h->end - h->start, NULL, 0);
	}
}

/* The next ";verstat=" inside uri at or after p (case-insensitive), or
 * NULL; *end is where that parameter ends. */
static const char *next_verstat(sf_str_t uri, const char *p, const char **end)
{
	static const char key[] = ";verstat=";
	const size_t k = sizeof(key) - 1;
	const char *e = uri.s + uri.len;

	for (; p + k <= e; p++) {
		p = memchr(p, ';', (size_t)(e - p) - k + 1);
		if (!p)
			return NULL;
		if (!sf_str_ieq_c(sf_str(p, k), key))
			continue;
		*end = p + 1;
		while (*end < e && **end != ';' && **end != '?')
			(*end)++;
		return p;
	}
	return NULL;
}

/*
 * One identity value's URI: removes every verstat in it, then, when vs is
 * not NULL (";verstat=VALUE"), puts ours at the end of the URI.  An
 * addr-spec From gets none (a parameter there would bind to the header).
 */
static void mark_uri(mark_ctx_t *c, const sf_sip_hdr_t *h, sf_str_t value,
		     const char *vs)
{
	const sf_sipmsg_t *m = c->m;
	sf_str_t uri;
	bool angle;
	const char *p, *e;

	if (!sf_hdr_uri(value, &uri, &angle))
		return;
	for (p = uri.s; (p = next_verstat(uri, p, &e)) != NULL; p = e)
		sf_edit_replace(c->e, (uint32_t)(p - m->buf),
				(uint32_t)(e - p), NULL, 0);
	if (!vs || (!angle && h->id == SF_HDR_FROM))
		return;
	{
		/* before URI headers ('?'), which end the parameters */
		const char *q = memchr(uri.s, '?', uri.len);
		const char *at = q ? q : uri.s + uri.len;

		sf_edit_insert(c->e, (uint32_t)(at - m->buf), vs,
			       strlen(vs));
	}
}

/* Every value of every identity header, except those skip says go
 * anyway (replaced or removed by withhold). */
static void mark_identities(mark_ctx_t *c, const char *vs, bool skip_from,
			    bool skip_ppi_rpid)
{
	const sf_sipmsg_t *m = c->m;

	for (unsigned i = 0; i < m->n_hdrs; i++) {
		const sf_sip_hdr_t *h = &m->hdrs[i];
		sf_str_t el[8];
		size_t n;

		if (h->id == SF_HDR_FROM) {
			if (!skip_from)
				mark_uri(c, h, h->value, vs);
			continue;
		}
		if (h->id != SF_HDR_PAI && h->id != SF_HDR_PPI &&
		    h->id != SF_HDR_RPID)
			continue;
		if (h->id != SF_HDR_PAI && skip_ppi_rpid)
			continue;
		n = sf_ident_split(h->value, el, 8);
		for (size_t k = 0; k < n && k < 8; k++)
			mark_uri(c, h, el[k], vs);
	}
}

/* The caller's Privacy values with "id" added ("none" dropped), RFC 3323
 * §4.2: one line replacing every Privacy line. */
static void privacy_id(mark_ctx_t *c)
{
	const sf_sipmsg_t *m = c->m;
	uint32_t mk;

	remove_id(c, SF_HDR_PRIVACY);
	mk = sf_edit_begin(c->e);
	sf_edit_put(c->e, "Privacy: ", 9);
	for (unsigned i = 0;; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_PRIVACY, i);
		const char *p, *e;

		if (!h)
			break;
		for (p = h->value.s, e = p + h->value.len; p < e;) {
			const char *q = p;
			sf_str_t tok;

			while (q < e && *q != ';' && *q != ',')
				q++;
			tok = sf_str_trim(sf_str(p, (size_t)(q - p)));
			p = q + 1;
			if (!tok.len || sf_str_ieq_c(tok, "none") ||
			    sf_str_ieq_c(tok, "id") ||
			    tok.len > 32 || memchr(tok.s, '\r', tok.len))
				continue;
			sf_edit_put(c->e, tok.s, tok.len);
			sf_edit_put(c->e, ";", 1);
		}
	}
	sf_edit_put(c->e, "id\r\n", 4);
	sf_edit_end(c->e, mk, m->header_end, 0);
}

/* Withhold: anonymous From keeping its tag (and any other parameter). */
static void anonymous_from(mark_ctx_t *c)
{
	static const char anon[] =
		"\"Anonymous\" <sip:anonymous@anonymous.invalid>";
	const sf_sipmsg_t *m = c->m;
	const sf_sip_hdr_t *f = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
	sf_str_t uri;
	bool angle;

	if (f && sf_hdr_uri(f->value, &uri, &angle)) {
		const char *params = angle ? uri.s + uri.len + 1
					   : uri.s + uri.len;

		sf_edit_replace(c->e, (uint32_t)(f->value.s - m->buf),
				(uint32_t)(params - f->value.s), anon,
				sizeof(anon) - 1);
	}
}

void sf_mark(const sf_cfg_t *cfg, const sf_sipmsg_t *m, int trunk,
	     const char *rule_name, sf_outcome_t o, bool degraded,
	     sf_edit_t *e)
{
	const char *hn = cfg->tag.header[0] ? cfg->tag.header : "X-Sipfilter";
	bool trusted = trunk >= 0 && cfg->trunks[trunk].trusted;
	const char *vs = NULL;
	mark_ctx_t ctx = {m, e};
	mark_ctx_t *c = &ctx;

	/* A tag header from upstream would pass for ours. */
	if (cfg->tag.header[0])
		remove_named(c, cfg->tag.header);
	if (o == SF_OUT_TAG) {
		/* Degraded (no tables): not a suspect, just unchecked;
		 * verstat says so (3GPP TS 24.229: No-TN-Validation). */
		if (degraded)
			sf_edit_replacef(e, m->header_end, 0,
					 "%s: unverified;reason=no-tables\r\n",
					 hn);
		else
			sf_edit_replacef(e, m->header_end, 0,
					 "%s: suspect;rule=%s\r\n", hn,
					 rule_name ? rule_name : "");
		if (cfg->tag.verstat)
			vs = degraded ? ";verstat=No-TN-Validation"
				      : ";verstat=TN-Validation-Failed";
	}
	if (o == SF_OUT_WITHHOLD) {
		anonymous_from(c);
		remove_id(c, SF_HDR_PPI);
		remove_id(c, SF_HDR_RPID);
		privacy_id(c);
	}
	/* Attestation from an untrusted peer is dropped; ours replaces any
	 * when tagging.  From and PPI/RPID are left alone when withhold
	 * replaced or removed them. */
	if (vs || !trusted)
		mark_identities(c, vs, o == SF_OUT_WITHHOLD,
				o == SF_OUT_WITHHOLD);
}
