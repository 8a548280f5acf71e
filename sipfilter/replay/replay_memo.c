/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_memo.c - timestamp texts, address texts and trunk matches of
 * replay records, remembered.  See replay_memo.h.
 */
#include <string.h>
#include <time.h>

#include "replay_copy.h"
#include "replay_memo.h"

size_t replay_memo_ts(replay_memo_t *m, uint64_t us, char *buf, size_t cap)
{
	uint64_t sec = us / 1000000;
	unsigned frac = (unsigned)(us % 1000000);
	size_t n;

	if (sec != m->ts_sec || !m->ts_prefix[0]) {
		time_t t = (time_t)sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		m->ts_prefix_len = strftime(m->ts_prefix, sizeof(m->ts_prefix),
					    "%Y-%m-%dT%H:%M:%S.", &tm);
		m->ts_sec = sec;
	}
	if (cap < sizeof(m->ts_prefix) + 8) {
		buf[0] = 0;
		return 0;
	}
	n = m->ts_prefix_len;
	memcpy(buf, m->ts_prefix, n);
	for (int i = 5; i >= 0; i--, frac /= 10)
		buf[n + (size_t)i] = (char)('0' + frac % 10);
	buf[n + 6] = 'Z';
	buf[n + 7] = 0;
	return n + 7;
}

static void addr_text(const sf_ip_t *ip, uint16_t port, char *buf,
		      size_t cap)
{
	char a[48], p[8];
	size_t n, k = 0;
	int i = 7;

	sf_ip_format(ip, a, sizeof(a));
	n = strlen(a);
	if (n + 10 > cap) {
		buf[0] = 0;
		return;
	}
	if (!ip->v4)
		buf[k++] = '[';
	memcpy(buf + k, a, n);
	k += n;
	if (!ip->v4)
		buf[k++] = ']';
	buf[k++] = ':';
	do {
		p[i--] = (char)('0' + port % 10);
		port /= 10;
	} while (port && i >= 0);
	memcpy(buf + k, p + i + 1, (size_t)(7 - i));
	k += (size_t)(7 - i);
	buf[k] = 0;
}

size_t replay_memo_addr(replay_memo_t *m, const sf_ip_t *ip, uint16_t port,
			char *buf, size_t cap)
{
	replay_addr_memo_t *w = &m->addr[replay_memo_slot(ip, port)], *a;
	int k;

	for (k = 0; k < 2; k++)
		if (w[k].used && w[k].port == port &&
		    replay_memo_same_ip(&w[k].ip, ip))
			break;
	if (k == 2) {
		k = w[0].mru ^ 1;
		a = &w[k];
		addr_text(ip, port, a->text, sizeof(a->text));
		a->ip = *ip;
		a->port = port;
		a->len = (uint8_t)strlen(a->text);
		a->used = 1;
	}
	a = &w[k];
	w[0].mru = (uint8_t)k;
	if ((size_t)a->len + 1 > cap) {
		addr_text(ip, port, buf, cap);
		return strlen(buf);
	}
	replay_cpy(buf, a->text, a->len);
	buf[a->len] = 0;
	return a->len;
}

int replay_memo_trunk_miss(replay_trunk_memo_t *w, const sf_cfg_t *cfg,
			   const sf_ip_t *ip)
{
	int k = w[0].mru ^ 1;

	w[k].trunk = sf_cfg_trunk_match(cfg, ip);
	w[k].ip = *ip;
	w[k].used = 1;
	w[0].mru = (uint8_t)k;
	return w[k].trunk;
}
