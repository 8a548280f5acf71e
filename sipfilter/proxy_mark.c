/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_mark.c - what a verdict changes in a forwarded INVITE: the tag
 * header and 3GPP verstat for `tag`, an anonymous From and Privacy: id for
 * `withhold` (RFC 3323), and the removal of a tag header forged upstream.
 * Edits are recorded in the per-thread edit list (proxy_edit.h).
 */
#include "proxy_core.h"

#include <string.h>

static bool name_is(const sf_sip_hdr_t *h, const char *name)
{
	return h->id == SF_HDR_OTHER && sf_str_ieq_c(h->name, name);
}

/* Removes every header line called name (anti-forgery of our tag). */
static void remove_named(sf_pctx_t *c, const char *name)
{
	const sf_sipmsg_t *m = &c->msg;

	for (unsigned i = 0; i < m->n_hdrs; i++)
		if (name_is(&m->hdrs[i], name))
			sf_edit_replace(&c->edit, m->hdrs[i].start,
					m->hdrs[i].end - m->hdrs[i].start,
					NULL, 0);
}

static void remove_id(sf_pctx_t *c, sf_hdr_id_t id)
{
	const sf_sipmsg_t *m = &c->msg;

	for (unsigned i = 0; ; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, id, i);

		if (!h)
			return;
		sf_edit_replace(&c->edit, h->start, h->end - h->start, NULL, 0);
	}
}

/* Finds "verstat=" inside a URI (case-insensitive). */
static const char *find_verstat(sf_str_t uri)
{
	static const char key[] = ";verstat=";
	size_t k = sizeof(key) - 1;

	for (size_t i = 0; i + k <= uri.len; i++)
		if (sf_str_ieq_c(sf_str(uri.s + i, k), key))
			return uri.s + i;
	return NULL;
}

/* 3GPP TS 24.229 §7.2A.20: verstat as a URI parameter of PAI/From;
 * vs is ";verstat=VALUE". */
static void add_verstat(sf_pctx_t *c, const char *vs)
{
	size_t vsl = strlen(vs);
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *h = NULL;
	sf_str_t uri;
	bool angle;
	const char *old;

	if (c->call.presented && c->call.presented_source == SF_ID_PAI)
		h = sf_sip_hdr_nth(m, SF_HDR_PAI, 0);
	if (!h)
		h = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
	if (!h || !sf_hdr_uri(h->value, &uri, &angle))
		return;
	if (!angle && h->id != SF_HDR_PAI)
		return; /* From addr-spec: a param would bind to the header */
	old = find_verstat(uri);
	if (old) {
		/* Replace any upstream claim (it may say "Passed"). */
		const char *e = old + 1, *ue = uri.s + uri.len;

		while (e < ue && *e != ';')
			e++;
		sf_edit_replace(&c->edit, (uint32_t)(old - m->buf),
				(uint32_t)(e - old), vs, (uint32_t)vsl);
		return;
	}
	sf_edit_insert(&c->edit, (uint32_t)(uri.s + uri.len - m->buf), vs,
		       (uint32_t)vsl);
}

/* Withhold (RFC 3323): anonymous From keeping its tag, Privacy: id. */
static void withhold(sf_pctx_t *c)
{
	static const char anon[] =
		"\"Anonymous\" <sip:anonymous@anonymous.invalid>";
	const sf_sipmsg_t *m = &c->msg;
	const sf_sip_hdr_t *f = sf_sip_hdr_nth(m, SF_HDR_FROM, 0);
	sf_str_t uri;
	bool angle;

	if (f && sf_hdr_uri(f->value, &uri, &angle)) {
		const char *params = angle ? uri.s + uri.len + 1
					   : uri.s + uri.len;

		sf_edit_replace(&c->edit, (uint32_t)(f->value.s - m->buf),
				(uint32_t)(params - f->value.s), anon,
				sizeof(anon) - 1);
	}
	remove_id(c, SF_HDR_PRIVACY);
	sf_edit_insert(&c->edit, m->header_end, "Privacy: id\r\n", 13);
}

void sf_proxy_mark(sf_pctx_t *c, sf_outcome_t o, bool degraded)
{
	const sf_cfg_t *cfg = c->p->cfg;
	const char *hn = cfg->tag.header[0] ? cfg->tag.header : "X-Sipfilter";

	/* A tag header from upstream would pass for ours. */
	if (cfg->tag.header[0])
		remove_named(c, cfg->tag.header);
	if (o == SF_OUT_TAG) {
		/* Degraded (no tables): not a suspect, just unchecked;
		 * verstat says so (3GPP TS 24.229: No-TN-Validation). */
		if (degraded)
			sf_edit_replacef(&c->edit, c->msg.header_end, 0,
					 "%s: unverified;reason=no-tables\r\n",
					 hn);
		else
			sf_edit_replacef(&c->edit, c->msg.header_end, 0,
					 "%s: suspect;rule=%s\r\n", hn,
					 c->adm.v.rule_name);
		if (cfg->tag.verstat)
			add_verstat(c, degraded ? ";verstat=No-TN-Validation"
						: ";verstat=TN-Validation-Failed");
	} else if (o == SF_OUT_WITHHOLD) {
		withhold(c);
	}
}
