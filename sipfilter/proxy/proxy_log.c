/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_log.c - the one log line per non-allow verdict, built without
 * printf (three snprintf calls cost more than the rest of a rejection).
 * Untrusted bytes (Call-ID, the presented URI) are escaped, bounded, and
 * never end the line.
 */
#include "proxy_core.h"

#include <string.h>

/* A bounded line builder: one verdict line per non-allow call, so no
 * printf (three snprintf calls cost more than the rest of the reject). */
typedef struct lb {
	char *p, *e; /* e: last byte, kept for the NUL */
} lb_t;

static void lb_put(lb_t *b, const char *s, size_t n)
{
	if (n > (size_t)(b->e - b->p))
		n = (size_t)(b->e - b->p);
	memcpy(b->p, s, n);
	b->p += n;
}

static void lb_puts(lb_t *b, const char *s)
{
	lb_put(b, s, strlen(s));
}

/* At most max bytes of v; bytes outside printable ASCII, '"' and '\\'
 * as \xNN. */
static void lb_safe(lb_t *b, sf_str_t v, size_t max)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < v.len && i < max && b->e - b->p >= 4; i++) {
		unsigned char ch = (unsigned char)v.s[i];

		if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\') {
			b->p[0] = '\\';
			b->p[1] = 'x';
			b->p[2] = hx[ch >> 4];
			b->p[3] = hx[ch & 15];
			b->p += 4;
		} else {
			*b->p++ = (char)ch;
		}
	}
}

void sf_proxy_log_line(const sf_cfg_t *cfg, const sf_verdict_t *v,
		       const sf_call_t *call, char *buf, size_t size)
{
	lb_t b = {buf, buf + (size ? size - 1 : 0)};
	char num[SF_NUM_MAX + 2], code[8];
	size_t cn = sizeof(code);
	unsigned cv = v->code;
	const char *trunk = v->facts.trunk >= 0 &&
					    (size_t)v->facts.trunk < cfg->n_trunks
				    ? cfg->trunks[v->facts.trunk].name
				    : "(unknown)";

	if (!size)
		return;
	do {
		code[--cn] = (char)('0' + cv % 10);
		cv /= 10;
	} while (cv && cn);
	lb_puts(&b, "verdict call-id=\"");
	if (call)
		lb_safe(&b, call->call_id, 128);
	/* the identity the verdict rests on: its text and its header */
	lb_puts(&b, "\" presented=\"");
	if (v->facts.decided >= 0 && v->facts.ids[v->facts.decided].src)
		lb_safe(&b, v->facts.ids[v->facts.decided].src->uri, 128);
	else if (call && call->presented)
		lb_safe(&b, call->presented->uri, 128);
	lb_puts(&b, "\" number=");
	lb_puts(&b, v->facts.number.kind ? sf_num_format(&v->facts.number,
							 num, sizeof(num))
					 : "-");
	lb_puts(&b, " identity=");
	lb_puts(&b, v->facts.decided_by < SF_IDK_COUNT
			    ? sf_idkind_name(v->facts.decided_by)
			    : "-");
	lb_puts(&b, " trunk=");
	lb_puts(&b, trunk);
	lb_puts(&b, " rule=");
	lb_puts(&b, v->rule_name && *v->rule_name ? v->rule_name : "-");
	lb_puts(&b, " action=");
	lb_puts(&b, sf_action_name(v->action));
	lb_puts(&b, " mode=");
	lb_puts(&b, sf_mode_name(v->mode));
	lb_puts(&b, " applied=");
	lb_puts(&b, sf_action_name(v->applied));
	lb_puts(&b, " code=");
	lb_put(&b, code + cn, sizeof(code) - cn);
	*b.p = '\0';
}
