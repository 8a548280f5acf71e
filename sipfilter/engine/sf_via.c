/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_via.c - Via and header-parameter parsing for the proxy.
 *
 * Grammar (RFC 3261 §20.42 and §25.1, RFC 3581):
 *   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by = host [ COLON port ]
 * SLASH, SEMI, COLON and EQUAL allow LWS around them; we accept SP, HT and
 * CRLF-fold bytes there.  Parameter values must be tokens or an IPv6
 * reference (received=[..] is seen in the wild); quoted strings are
 * refused: no proxy parameter we read is ever quoted.
 */
#include "sf_via.h"

#include "base/sf_err.h"

/* Character classes, one table lookup per byte: Via values are parsed
 * for every message the proxy handles. */
enum { C_TOK = 1, C_LWS = 2, C_HOST = 4, C_V6 = 8 };
static const unsigned char cls[256] = {
	[' '] = C_LWS, ['\t'] = C_LWS, ['\r'] = C_LWS, ['\n'] = C_LWS,
	/* RFC 3261 token characters */
	['0' ... '9'] = C_TOK | C_HOST | C_V6,
	['A' ... 'F'] = C_TOK | C_HOST | C_V6,
	['a' ... 'f'] = C_TOK | C_HOST | C_V6,
	['G' ... 'Z'] = C_TOK | C_HOST, ['g' ... 'z'] = C_TOK | C_HOST,
	['-'] = C_TOK | C_HOST, ['.'] = C_TOK | C_HOST | C_V6,
	[':'] = C_V6,
	['!'] = C_TOK, ['%'] = C_TOK, ['*'] = C_TOK, ['_'] = C_TOK,
	['+'] = C_TOK, ['`'] = C_TOK, ['\''] = C_TOK, ['~'] = C_TOK,
};

static inline bool is_lws(char c)
{
	return cls[(unsigned char)c] & C_LWS;
}

static inline bool is_token(char c)
{
	return cls[(unsigned char)c] & C_TOK;
}

typedef struct cur {
	const char *p, *e;
} cur_t;

/* The scans keep the cursor in a register (a store per byte otherwise). */
static inline void skip_lws(cur_t *c)
{
	const char *p = c->p, *e = c->e;

	while (p < e && is_lws(*p))
		p++;
	c->p = p;
}

static inline sf_str_t take_token(cur_t *c)
{
	const char *s = c->p, *p = s, *e = c->e;

	/* four bytes a test while they last (fewer branches), then one */
	while (e - p >= 4 && is_token(p[0]) && is_token(p[1]) &&
	       is_token(p[2]) && is_token(p[3]))
		p += 4;
	while (p < e && is_token(*p))
		p++;
	c->p = p;
	return sf_str(s, (size_t)(p - s));
}

/* t equals lit, a lower-case letters-only literal, case-insensitively. */
static inline bool ieq_alpha(sf_str_t t, const char *lit, size_t n)
{
	if (t.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)t.s[i] | 0x20) != (unsigned char)lit[i])
			return false;
	return true;
}

static bool expect(cur_t *c, char ch)
{
	skip_lws(c);
	if (c->p >= c->e || *c->p != ch)
		return false;
	c->p++;
	skip_lws(c);
	return true;
}

static bool parse_port(sf_str_t t, uint16_t *out)
{
	unsigned v = 0;

	if (t.len == 0 || t.len > 5)
		return false;
	for (size_t i = 0; i < t.len; i++) {
		if (!sf_isdigit((unsigned char)t.s[i]))
			return false;
		v = v * 10 + (unsigned)(t.s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* host = hostname / IPv4address / IPv6reference */
static bool parse_host(cur_t *c, sf_str_t *host)
{
	const char *s;

	if (c->p < c->e && *c->p == '[') {
		s = ++c->p;
		while (c->p < c->e && (cls[(unsigned char)*c->p] & C_V6))
			c->p++;
		if (c->p >= c->e || *c->p != ']' || c->p == s)
			return false;
		*host = sf_str(s, (size_t)(c->p - s));
		c->p++;
		return true;
	}
	s = c->p;
	{
		const char *p = s, *e = c->e;

		while (p < e && (cls[(unsigned char)*p] & C_HOST))
			p++;
		c->p = p;
	}
	*host = sf_str(s, (size_t)(c->p - s));
	return host->len > 0 && host->len <= 255;
}

int sf_via_parse(sf_str_t v, sf_via_t *out)
{
	cur_t c = {v.s, v.s + v.len};
	sf_str_t t;

	memset(out, 0, sizeof(*out));
	if (!v.s)
		return SF_EPARSE;
	skip_lws(&c);
	if (c.e - c.p > 8 && !memcmp(c.p, "SIP/2.0/", 8)) {
		c.p += 8; /* the usual spelling: no LWS, upper case */
		skip_lws(&c);
	} else {
		t = take_token(&c);
		if (!ieq_alpha(t, "sip", 3) || !expect(&c, '/'))
			return SF_EPARSE;
		t = take_token(&c);
		if (!sf_str_eq(t, SF_STR_LIT("2.0")) || !expect(&c, '/'))
			return SF_EPARSE;
	}
	out->transport = take_token(&c);
	if (!out->transport.len)
		return SF_EPARSE;
	/* LWS between sent-protocol and sent-by is mandatory. */
	if (c.p >= c.e || !is_lws(*c.p))
		return SF_EPARSE;
	skip_lws(&c);
	if (!parse_host(&c, &out->host))
		return SF_EPARSE;
	skip_lws(&c);
	if (c.p < c.e && *c.p == ':') {
		c.p++;
		skip_lws(&c);
		t = take_token(&c);
		if (!parse_port(t, &out->port))
			return SF_EPARSE;
	}
	out->end = c.p;
	for (;;) {
		const char *pstart;
		sf_str_t name, val = SF_STR_NULL;
		bool has_val = false;

		skip_lws(&c);
		if (c.p >= c.e)
			break;
		if (*c.p == ',') {
			c.p++;
			skip_lws(&c);
			if (c.p >= c.e)
				return SF_EPARSE;
			out->next = c.p;
			break;
		}
		if (*c.p != ';')
			return SF_EPARSE;
		c.p++;
		skip_lws(&c);
		pstart = c.p;
		name = take_token(&c);
		if (!name.len)
			return SF_EPARSE;
		skip_lws(&c);
		if (c.p < c.e && *c.p == '=') {
			c.p++;
			skip_lws(&c);
			has_val = true;
			if (c.p < c.e && *c.p == '[') {
				if (!parse_host(&c, &val))
					return SF_EPARSE;
			} else {
				val = take_token(&c);
				if (!val.len)
					return SF_EPARSE;
			}
		}
		out->end = c.p;
		if (ieq_alpha(name, "branch", 6)) {
			if (!has_val || out->has_branch)
				return SF_EPARSE;
			out->has_branch = true;
			out->branch = val;
		} else if (ieq_alpha(name, "received", 8)) {
			if (!has_val || out->has_received)
				return SF_EPARSE;
			out->has_received = true;
			out->received = val;
		} else if (ieq_alpha(name, "rport", 5)) {
			if (out->has_rport)
				return SF_EPARSE;
			out->has_rport = true;
			out->rport_param = sf_str(pstart,
						  (size_t)(c.p - pstart));
			if (has_val) {
				if (!parse_port(val, &out->rport))
					return SF_EPARSE;
				out->rport_has_value = true;
			}
		}
	}
	return 0;
}

bool sf_via_is_tcp(const sf_via_t *v)
{
	return sf_str_ieq_c(v->transport, "TCP");
}

sf_transport_t sf_via_transport(const sf_via_t *v)
{
	if (sf_str_ieq_c(v->transport, "TLS"))
		return SF_TP_TLS;
	return sf_via_is_tcp(v) ? SF_TP_TCP : SF_TP_UDP;
}

int sf_via_nth(const sf_sipmsg_t *m, unsigned i, sf_via_t *out)
{
	unsigned seen = 0;

	for (unsigned h = 0; ; h++) {
		const sf_sip_hdr_t *hd = sf_sip_hdr_nth(m, SF_HDR_VIA, h);
		sf_str_t v;

		if (!hd)
			return SF_ENOENT;
		v = hd->value;
		for (;;) {
			int rc = sf_via_parse(v, out);

			if (rc)
				return rc;
			if (seen++ == i)
				return 0;
			if (!out->next)
				break;
			v = sf_str(out->next,
				   (size_t)(v.s + v.len - out->next));
		}
	}
}

/*
 * Skips a quoted string starting at p (which points at '"').  Returns the
 * pointer past the closing quote, or NULL.
 */
static const char *skip_quoted(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

bool sf_hdr_uri(sf_str_t value, sf_str_t *uri, bool *angle)
{
	const char *p = value.s, *e = value.s + value.len;

	for (; p < e; p++) {
		if (*p == '"') {
			p = skip_quoted(p, e);
			if (!p)
				return false;
			p--;
		} else if (*p == '<') {
			const char *s = p + 1, *q = memchr(s, '>',
							   (size_t)(e - s));

			if (!q)
				return false;
			*uri = sf_str(s, (size_t)(q - s));
			*angle = true;
			return true;
		} else if (*p == ';') {
			break;
		}
	}
	/* addr-spec: everything up to the first ';' is the URI. */
	p = value.s;
	while (p < e && *p != ';')
		p++;
	*uri = sf_str_trim(sf_str(value.s, (size_t)(p - value.s)));
	*angle = false;
	return uri->len > 0;
}

/* sf_hdr_param and sf_hdr_param_span: val is the value, span the whole
 * ";name[=value]" from the ';' on. */
static bool find_param(sf_str_t value, const char *name, sf_str_t *val,
		       sf_str_t *span)
{
	sf_str_t uri;
	bool angle;
	cur_t c;

	if (!sf_hdr_uri(value, &uri, &angle))
		return false;
	c.p = angle ? uri.s + uri.len + 1 : uri.s + uri.len;
	c.e = value.s + value.len;
	while (c.p < c.e) {
		sf_str_t n, v = SF_STR_NULL;
		const char *semi;

		skip_lws(&c);
		if (c.p >= c.e || *c.p != ';')
			return false;
		semi = c.p;
		c.p++;
		skip_lws(&c);
		n = take_token(&c);
		skip_lws(&c);
		if (c.p < c.e && *c.p == '=') {
			c.p++;
			skip_lws(&c);
			if (c.p < c.e && *c.p == '"') {
				const char *q = skip_quoted(c.p, c.e);

				if (!q)
					return false;
				v = sf_str(c.p, (size_t)(q - c.p));
				c.p = q;
			} else {
				v = take_token(&c);
			}
		}
		if (!n.len)
			return false;
		if (sf_str_ieq_c(n, name)) {
			*val = v;
			*span = sf_str(semi, (size_t)((v.s ? v.s + v.len
							 : n.s + n.len) -
						       semi));
			return true;
		}
	}
	return false;
}

bool sf_hdr_param(sf_str_t value, const char *name, sf_str_t *val)
{
	sf_str_t span;

	return find_param(value, name, val, &span);
}

bool sf_hdr_param_span(sf_str_t value, const char *name, sf_str_t *span)
{
	sf_str_t val;

	return find_param(value, name, &val, span);
}
