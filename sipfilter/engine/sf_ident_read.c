/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_ident_read.c - the identity value readers (see sf_identity.h): one
 * name-addr/addr-spec value or Request-URI into an sf_ident_t, and the
 * comma splitting and display-name numbers they rest on.  The call-level
 * choices (which header, which identity is presented) are sf_identity.c's.
 *
 * This is the only file that includes libosip2.  The strict scanner
 * (sf_sip_scan.c) has already split the message into header views; here
 * each identity header value is cut out (comma lists split by us, outside
 * quotes and <>), copied into a bounded stack buffer with folds blanked,
 * and handed to libosip2 (osip_from_parse for name-addr/addr-spec values,
 * osip_uri_parse for the Request-URI), which decides whether the grammar
 * holds.  libosip2 never sees a whole message or a body.  Values in the
 * plain subset of identity_fast.h are read in place instead: no copy, and
 * the recogniser hands over the user part, host and parameters it found,
 * so nothing is scanned twice (a folded value still takes the copy).
 *
 * The number itself is NOT taken from libosip2: it unescapes the user part
 * into a C string, so "%00" truncates it and a malformed escape silently
 * ends it (reliability.md §1.3: "+33123%00999" reads as "+33123").  We
 * locate the raw, still-escaped user part (or tel number) in our copy
 * ourselves and give that view to sf_normalize(), which decodes with
 * explicit lengths and refuses %00.  Where both readings exist they must
 * agree: if our decoded user part differs from libosip2's username, the
 * value is SF_NORM_BAD_URI, so a message cannot mean one number to us and
 * another to a libosip2-like next hop.
 *
 * Work per value is bounded: at most SF_IDENT_VALUE_MAX bytes.
 */
#include "sf_identity.h"
#include "identity_fast.h"

#include <osipparser2/osip_parser.h>
#include <string.h>

typedef struct scheme_info {
	enum { SCH_OTHER, SCH_SIP, SCH_TEL, SCH_URN } kind;
	sf_str_t rest; /* after "scheme:" */
} scheme_info_t;

void sf_identity_global_init(void)
{
	parser_init();
}

/* --- splitting and locating, on raw bytes --------------------------- */

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* v without SP, HT, CR, LF at either end. */
static sf_str_t trim_lws(sf_str_t v)
{
	while (v.len && is_lws(v.s[0])) {
		v.s++;
		v.len--;
	}
	while (v.len && is_lws(v.s[v.len - 1]))
		v.len--;
	return v;
}

/*
 * The comma-separated elements of v (commas inside "..." or <...> do not
 * count; a backslash quotes the next byte inside "..."), trimmed, empty
 * ones skipped: up to max of them in out.  Returns how many there are.
 */
size_t sf_ident_split(sf_str_t v, sf_str_t *out, size_t max)
{
	size_t n = 0, start = 0, i;
	bool inq = false, ina = false;

	/* The common case: no comma at all, so quotes and <> cannot
	 * matter and the value is one element (or none). */
	if (!v.len || !memchr(v.s, ',', v.len)) {
		sf_str_t e = trim_lws(v);

		if (!e.len)
			return 0;
		if (max)
			out[0] = e;
		return 1;
	}

	for (i = 0; i <= v.len; i++) {
		char c = i < v.len ? v.s[i] : ',';

		if (inq) {
			if (c == '\\' && i + 1 < v.len)
				i++;
			else if (c == '"')
				inq = false;
			if (i < v.len)
				continue;
		} else if (ina) {
			if (c == '>')
				ina = false;
			if (i < v.len)
				continue;
		} else if (c == '"') {
			inq = true;
			continue;
		} else if (c == '<') {
			ina = true;
			continue;
		}
		if (c == ',' || i == v.len) {
			/* folds (CRLF) at the edges count as blanks too */
			sf_str_t e = trim_lws(sf_str(v.s + start, i - start));

			if (e.len) {
				if (n < max)
					out[n] = e;
				n++;
			}
			start = i + 1;
		}
	}
	return n;
}

/*
 * Locates the URI inside one name-addr / addr-spec value (our copy, folds
 * blanked): between the first '<' outside quotes and the next '>', after
 * which only blanks and ";params" may follow (RFC 3261 §20.10); or, with
 * no '<', the addr-spec up to the first ';', which must hold no blank.
 * Returns false if the shape is not one of these.
 */
static bool locate_uri(const char *s, size_t len, sf_str_t *uri)
{
	bool inq = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (inq) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				inq = false;
		} else if (c == '"') {
			inq = true;
		} else if (c == '<') {
			const char *gt = memchr(s + i + 1, '>', len - i - 1);
			size_t j;

			if (!gt)
				return false;
			*uri = sf_str(s + i + 1, (size_t)(gt - s) - i - 1);
			for (j = (size_t)(gt - s) + 1; j < len && is_lws(s[j]);
			     j++)
				;
			return j == len || s[j] == ';';
		}
	}
	if (inq)
		return false;
	/* addr-spec: the URI ends at the first ';' (RFC 3261 §20), LWS may
	 * come before it (SEMI = SWS ";" SWS), but none inside. */
	{
		const char *semi = memchr(s, ';', len);
		size_t end = semi ? (size_t)(semi - s) : len;

		while (end > 0 && is_lws(s[end - 1]))
			end--;
		for (i = 0; i < end; i++)
			if (is_lws(s[i]))
				return false;
		*uri = sf_str(s, end);
	}
	return uri->len > 0;
}

static scheme_info_t scheme_of(sf_str_t uri)
{
	scheme_info_t si = {SCH_OTHER, SF_STR_NULL};
	const char *colon = memchr(uri.s, ':', uri.len);
	sf_str_t name;

	if (!colon)
		return si;
	name = sf_str(uri.s, (size_t)(colon - uri.s));
	si.rest = sf_str(colon + 1, uri.len - name.len - 1);
	if (sf_str_ieq_c(name, "sip") || sf_str_ieq_c(name, "sips"))
		si.kind = SCH_SIP;
	else if (sf_str_ieq_c(name, "tel"))
		si.kind = SCH_TEL;
	else if (sf_str_ieq_c(name, "urn"))
		si.kind = SCH_URN;
	return si;
}

/* The scheme of an identity's URI, for RFC 3325 §9.1's one sip + one
 * tel rule. */
static uint8_t uri_scheme(sf_str_t uri)
{
	if (uri.len >= 4 && sf_str_ieq_c(sf_str(uri.s, 4), "sip:"))
		return SF_SCHEME_SIP;
	if (uri.len >= 5 && sf_str_ieq_c(sf_str(uri.s, 5), "sips:"))
		return SF_SCHEME_SIP;
	if (uri.len >= 4 && sf_str_ieq_c(sf_str(uri.s, 4), "tel:"))
		return SF_SCHEME_TEL;
	return uri.len ? SF_SCHEME_OTHER : SF_SCHEME_NONE;
}

/* libosip2 must have read the same scheme name. */
static bool same_scheme(sf_str_t uri, const char *osip_scheme)
{
	const char *colon = memchr(uri.s, ':', uri.len);
	size_t n = colon ? (size_t)(colon - uri.s) : 0;

	return osip_scheme && n && strlen(osip_scheme) == n &&
	       strncasecmp(uri.s, osip_scheme, n) == 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = sf_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Our user part, decoded, equals libosip2's username.  Only called when
 * sf_normalize() accepted the number, so the number's escapes are valid;
 * an invalid escape in a user parameter makes the readings differ, which
 * counts as disagreement (libosip2 stops at it).
 */
static bool same_user(sf_str_t raw, const char *osip_user)
{
	size_t i = 0, j = 0;

	if (!osip_user)
		return raw.len == 0;
	while (i < raw.len) {
		int c = (unsigned char)raw.s[i];

		if (c == '%') {
			int hi = i + 2 < raw.len ? hexval(raw.s[i + 1]) : -1;
			int lo = i + 2 < raw.len ? hexval(raw.s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return false;
			c = hi * 16 + lo;
			i += 3;
		} else {
			i++;
		}
		if (c == 0 || (unsigned char)osip_user[j] != c)
			return false;
		j++;
	}
	return osip_user[j] == '\0';
}

/* --- one identity ----------------------------------------------------- */

/*
 * Reads the URI at uri (a view into our NUL-terminated copy) whose
 * libosip2 reading is u, and fills id->status and id->num.  u == NULL
 * means the plain-shape fast path (identity_fast.h) vouched for the URI,
 * so there is no libosip2 reading to cross-check.  sos, if not NULL, is
 * set for an emergency service URN (Request-URI only).
 */
static void read_uri(const sf_dialling_t *d, sf_str_t uri,
		     const osip_uri_t *u, sf_ident_t *id, bool *sos)
{
	scheme_info_t si = scheme_of(uri);

	if (u && !same_scheme(uri, u->scheme)) {
		id->status = SF_NORM_BAD_URI;
		return;
	}
	switch (si.kind) {
	case SCH_SIP: {
		/* userinfo ends at the first '@' (RFC 3261 §19.1.1: neither
		 * user nor password may hold a raw '@'); libosip2 agrees. */
		const char *at = memchr(si.rest.s, '@', si.rest.len);
		sf_str_t user = SF_STR_NULL, host;
		const char *colon;

		if (!at) {
			id->status = u && u->username ? SF_NORM_BAD_URI
						      : SF_NORM_EMPTY;
			return;
		}
		user = sf_str(si.rest.s, (size_t)(at - si.rest.s));
		host = sf_str(at + 1, si.rest.len - user.len - 1);
		colon = memchr(user.s, ':', user.len);
		if (colon)
			user.len = (size_t)(colon - user.s); /* :password */
		for (size_t i = 0; i < host.len; i++)
			if (host.s[i] == ':' || host.s[i] == ';' ||
			    host.s[i] == '?') {
				host.len = i;
				break;
			}
		id->status = sf_normalize(d, user, SF_STR_NULL, &id->num);
		if (u && id->status == SF_NORM_OK &&
		    !same_user(user, u->username))
			id->status = SF_NORM_BAD_URI;
		/* RFC 3325 §9.3 anonymous From: a host of anonymous.invalid
		 * hides the caller, unless a number is actually shown. */
		if (id->status != SF_NORM_OK &&
		    sf_str_ieq_c(host, "anonymous.invalid"))
			id->status = SF_NORM_ANONYMOUS;
		break;
	}
	case SCH_TEL: {
		/* RFC 3966: tel:number;params; libosip2 keeps it all in
		 * url->string, verbatim. */
		const char *semi = memchr(si.rest.s, ';', si.rest.len);
		sf_str_t number = si.rest, ctx = SF_STR_NULL;

		/* libosip2 keeps the blanks before an addr-spec's ';' in
		 * url->string; they are LWS, not part of the number. */
		size_t ul = u && u->string ? strlen(u->string) : 0;

		while (ul && u->string[ul - 1] == ' ')
			ul--;
		if (u && (!u->string || ul != si.rest.len ||
			  memcmp(u->string, si.rest.s, ul) != 0)) {
			id->status = SF_NORM_BAD_URI;
			return;
		}
		if (semi) {
			number.len = (size_t)(semi - si.rest.s);
			sf_str_t params = sf_str(semi + 1,
						 si.rest.len - number.len - 1);

			if (sf_norm_find_context(params, &ctx) < 0) {
				id->status = SF_NORM_BAD_CONTEXT;
				return;
			}
		}
		id->status = sf_normalize(d, number, ctx, &id->num);
		break;
	}
	case SCH_URN:
		/* RFC 5031: urn:service:sos and its sub-services */
		if (sos && si.rest.len >= 11 &&
		    sf_str_ieq_c(sf_str(si.rest.s, 11), "service:sos") &&
		    (si.rest.len == 11 || si.rest.s[11] == '.'))
			*sos = true;
		id->status = SF_NORM_EMPTY;
		break;
	default:
		id->status = SF_NORM_BAD_URI;
		break;
	}
	if (id->status != SF_NORM_OK)
		memset(&id->num, 0, sizeof(id->num));
}

/*
 * The reading of a URI the fast grammar has taken apart: what read_uri()
 * does with u == NULL, without looking at the bytes again (the grammar
 * guarantees a lower-case sip:/sips:/tel: scheme, a user part without
 * ':' or '@', and no '?').
 */
static void read_parts(const sf_dialling_t *d, const sf_idfast_parts_t *p,
		       sf_ident_t *id)
{
	if (p->tel) {
		sf_str_t ctx = SF_STR_NULL;

		if (p->tparams.s && sf_norm_find_context(p->tparams, &ctx) < 0)
			id->status = SF_NORM_BAD_CONTEXT;
		else
			id->status = sf_normalize(d, p->user, ctx, &id->num);
	} else {
		id->status = sf_normalize(d, p->user, SF_STR_NULL, &id->num);
		if (id->status != SF_NORM_OK &&
		    sf_str_ieq_c(p->host, "anonymous.invalid"))
			id->status = SF_NORM_ANONYMOUS;
	}
	if (id->status != SF_NORM_OK)
		memset(&id->num, 0, sizeof(id->num));
}

/*
 * Copies v into buf (SF_IDENT_VALUE_MAX) with CR, LF and HT turned into
 * SP, so the copy is NUL-terminated, unfolded for libosip2 (RFC 3261
 * §7.3.1 lets a fold be read as SP) and offset-compatible with v.  HT
 * becomes SP because libosip2 5.3 refuses `"Name"<HT><sip:...>`, which
 * RFC 3261 LWS allows; inside a quoted display name the change is
 * invisible to us.  Refuses values that are too long or hold a NUL.
 */
static bool copy_value(sf_str_t v, char *buf)
{
	static const char blanks[] = "\r\n\t";

	if (v.len >= SF_IDENT_VALUE_MAX || memchr(v.s, '\0', v.len))
		return false;
	memcpy(buf, v.s, v.len);
	/* memchr is vectorised; folds and tabs are rare */
	for (size_t k = 0; k < 3; k++) {
		char *p = buf, *end = buf + v.len;

		while ((p = memchr(p, blanks[k], (size_t)(end - p))))
			*p++ = ' ';
	}
	buf[v.len] = '\0';
	return true;
}

static bool param_is(const osip_list_t *l, const char *name,
		     const char *const *values)
{
	osip_list_iterator_t it;
	osip_generic_param_t *p;

	p = osip_list_get_first((osip_list_t *)l, &it);
	for (; p; p = osip_list_get_next(&it)) {
		if (!p->gname || strcasecmp(p->gname, name) != 0 || !p->gvalue)
			continue;
		for (size_t i = 0; values[i]; i++)
			if (strcasecmp(p->gvalue, values[i]) == 0)
				return true;
	}
	return false;
}

/* The same over ";name=value" text the fast grammar has vetted (no
 * blanks, quotes or escapes that matter). */
static bool text_param_is(sf_str_t t, const char *name,
			  const char *const *values)
{
	size_t nl = strlen(name);

	while (t.len) {
		const char *e = memchr(t.s, ';', t.len);
		size_t n = e ? (size_t)(e - t.s) : t.len;
		sf_str_t p = sf_str(t.s, n);

		if (p.len > nl && p.s[nl] == '=' &&
		    sf_str_ieq_c(sf_str(p.s, nl), name)) {
			sf_str_t v = sf_str(p.s + nl + 1, p.len - nl - 1);

			for (size_t i = 0; values[i]; i++)
				if (sf_str_ieq_c(v, values[i]))
					return true;
		}
		t.s += n + (e != NULL);
		t.len -= n + (e != NULL);
	}
	return false;
}

static const char *const privacy_on[] = {"full", "name", "uri", NULL};
static const char *const party_called[] = {"called", NULL};

static void read_value(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id,
		       sf_ident_extra_t *x, bool allow_fast);

void sf_ident_read_value(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id,
			 sf_ident_extra_t *x, bool allow_fast)
{
	read_value(d, v, id, x, allow_fast);
	id->scheme = uri_scheme(id->uri);
}

static void read_value(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id,
		       sf_ident_extra_t *x, bool allow_fast)
{
	char buf[SF_IDENT_VALUE_MAX];
	osip_from_t *f = NULL;
	sf_idfast_parts_t parts;
	sf_str_t uri;

	memset(id, 0, sizeof(*id));
	if (x)
		*x = (sf_ident_extra_t){false, false};
	id->present = true;
	id->status = SF_NORM_BAD_URI;
	/* Both readings see the value without edge blanks: libosip2 reads
	 * "sip:1@h:50" followed by blanks as an error. */
	v = trim_lws(v);
	/* The plain shapes, read in place: the grammar refuses every
	 * control byte, so on a value with no fold or tab this is exactly
	 * what the copy below would give (same length cap as copy_value). */
	if (allow_fast && v.len < SF_IDENT_VALUE_MAX &&
	    sf_idfast_value_parse(v.s, v.len, &parts)) {
		id->uri = parts.uri;
		read_parts(d, &parts, id);
		if (x) {
			x->rpid_privacy = text_param_is(parts.hparams,
							"privacy", privacy_on);
			x->party_called = text_param_is(parts.hparams,
							"party", party_called);
		}
		return;
	}
	if (!copy_value(v, buf) || !locate_uri(buf, v.len, &uri))
		return;
	id->uri = sf_str(v.s + (uri.s - buf), uri.len);
	if (allow_fast && sf_idfast_value_ok(buf, v.len)) {
		const char *pe = uri.s + uri.len;
		sf_str_t hp;

		read_uri(d, uri, NULL, id, NULL);
		/* header params: after '>' and blanks, or at the ';' that
		 * ends an addr-spec */
		if (pe < buf + v.len && *pe == '>')
			pe++;
		while (pe < buf + v.len && *pe == ' ')
			pe++;
		hp = sf_str(pe, (size_t)(buf + v.len - pe));
		if (x) {
			x->rpid_privacy =
				text_param_is(hp, "privacy", privacy_on);
			x->party_called =
				text_param_is(hp, "party", party_called);
		}
		return;
	}
	if (osip_from_init(&f) != 0)
		return;
	if (osip_from_parse(f, buf) == 0 && f->url) {
		read_uri(d, uri, f->url, id, NULL);
		if (x) {
			x->rpid_privacy = param_is(&f->gen_params, "privacy",
						   privacy_on);
			x->party_called = param_is(&f->gen_params, "party",
						   party_called);
		}
	}
	osip_from_free(f);
}

void sf_ident_read_ruri(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id,
			bool *sos, bool allow_fast)
{
	char buf[SF_IDENT_VALUE_MAX];
	osip_uri_t *u = NULL;
	sf_idfast_parts_t parts;

	memset(id, 0, sizeof(*id));
	v = trim_lws(v);
	id->present = true;
	id->uri = v;
	id->status = SF_NORM_BAD_URI;
	if (allow_fast && v.len < SF_IDENT_VALUE_MAX &&
	    sf_idfast_ruri_parse(v.s, v.len, &parts)) {
		read_parts(d, &parts, id);
		return;
	}
	if (!copy_value(v, buf))
		return;
	if (allow_fast && sf_idfast_ruri_ok(buf, v.len)) {
		read_uri(d, sf_str(buf, v.len), NULL, id, sos);
		return;
	}
	if (osip_uri_init(&u) != 0)
		return;
	if (osip_uri_parse(u, buf) == 0)
		read_uri(d, sf_str(buf, v.len), u, id, sos);
	osip_uri_free(u);
}

/* --- numbers in display names ------------------------------------------ */

static bool visual_sep(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
	       c == '/';
}

/* The display name of a name-addr: a quoted string's contents (NULL view
 * when it holds an escape: not a plain number), or the words before '<'. */
static sf_str_t display_name(sf_str_t v)
{
	const char *p, *e;

	v = trim_lws(v);
	p = v.s;
	e = v.s + v.len;
	if (p < e && *p == '"') {
		const char *q = p + 1;

		while (q < e && *q != '"' && *q != '\\')
			q++;
		if (q >= e || *q != '"')
			return SF_STR_NULL;
		return sf_str(p + 1, (size_t)(q - p - 1));
	}
	{
		const char *lt = memchr(p, '<', v.len);

		if (!lt)
			return SF_STR_NULL;
		return trim_lws(sf_str(p, (size_t)(lt - p)));
	}
}

/* The digits (with a leading '+') of the telephone number in name, or 0:
 * the whole name when it is only digits, separators and a leading '+'
 * (3 digits or more), else its longest such run with 7 digits or more. */
static size_t display_digits(sf_str_t name, char out[20])
{
	size_t best = 0, best_start = 0, best_end = 0, i = 0;
	bool whole = true;

	while (i < name.len) {
		size_t start = i, digits = 0;

		while (i < name.len &&
		       (sf_isdigit((unsigned char)name.s[i]) ||
			visual_sep(name.s[i]) ||
			(name.s[i] == '+' && digits == 0 &&
			 (i == start || visual_sep(name.s[i - 1])))))
			digits += sf_isdigit((unsigned char)name.s[i++]);
		if (i == start) {
			whole = false;
			i++;
			continue;
		}
		if (digits > best) {
			best = digits;
			best_start = start;
			best_end = i;
		}
		if (i < name.len)
			whole = false;
	}
	if (best > 15 || best < (whole ? 3u : 7u))
		return 0;
	{
		size_t n = 0;

		for (size_t k = best_start; k < best_end; k++)
			if (sf_isdigit((unsigned char)name.s[k]) ||
			    (name.s[k] == '+' && n == 0))
				out[n++] = name.s[k];
		return n;
	}
}

void sf_ident_read_display(const sf_dialling_t *d, sf_str_t value,
			   sf_ident_t *id)
{
	sf_str_t name = display_name(value);
	char digits[20];
	size_t n;

	memset(id, 0, sizeof(*id));
	id->status = SF_NORM_EMPTY;
	if (!name.len || !(n = display_digits(name, digits)))
		return;
	if (sf_normalize(d, sf_str(digits, n), SF_STR_NULL, &id->num) !=
	    SF_NORM_OK) {
		memset(&id->num, 0, sizeof(id->num));
		return;
	}
	id->present = true;
	id->status = SF_NORM_OK;
	id->uri = name;
	id->scheme = SF_SCHEME_NONE;
}
