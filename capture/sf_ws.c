/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_ws.c - WebSocket framing as captured (see sf_ws.h; RFC 6455 §5.2).
 */
#include "sf_ws.h"

#include <string.h>

/* Frames in one message: bounds the work of each (repeated) look at a
 * message still arriving. */
#define MAX_FRAMES 64

typedef struct frame {
	unsigned fin, rsv, op;
	bool masked;
	uint8_t key[4];
	size_t hdr;
	uint64_t plen;
} frame_t;

bool sf_ws_starts_frame(uint8_t b)
{
	switch (b) {
	case 0x01: case 0x02:             /* text/binary, more to come */
	case 0x81: case 0x82:             /* text/binary, whole */
	case 0x88: case 0x89: case 0x8A: /* close, ping, pong */
	case 0xC1: case 0xC2:             /* compressed (RSV1), whole */
		return true;
	default:
		/* 0x41/0x42 (compressed, more to come) are 'A'/'B': an ACK
		 * or BYE on plain TCP starts so; never taken for a frame */
		return false;
	}
}

/* The frame header at b[0..len): 1 read, 0 more bytes needed, -1 bad. */
static int frame_hdr(const uint8_t *b, size_t len, frame_t *f)
{
	size_t hl = 2;
	unsigned p7;

	if (len < 2)
		return 0;
	f->fin = b[0] >> 7;
	f->rsv = (b[0] >> 4) & 7;
	f->op = b[0] & 15;
	f->masked = (b[1] & 0x80) != 0;
	p7 = b[1] & 127;
	if (p7 == 126) {
		if (len < 4)
			return 0;
		f->plen = (uint64_t)b[2] << 8 | b[3];
		hl = 4;
	} else if (p7 == 127) {
		if (len < 10)
			return 0;
		f->plen = 0;
		for (int i = 2; i < 10; i++)
			f->plen = f->plen << 8 | b[i];
		if (f->plen >> 63)
			return -1;
		hl = 10;
	} else {
		f->plen = p7;
	}
	if (f->masked) {
		if (len < hl + 4)
			return 0;
		memcpy(f->key, b + hl, 4);
		hl += 4;
	}
	f->hdr = hl;
	return 1;
}

/* A control frame as RFC 6455 §5.5 allows it. */
static bool control_ok(const frame_t *f)
{
	return f->fin && f->rsv == 0 && f->plen <= 125 && f->op <= 10;
}

/* The first frame of a data message: text or binary, no RSV but RSV1
 * (compression), and a payload that can start a SIP message. */
static int first_data(const uint8_t *b, size_t len, const frame_t *f,
		      sf_ws_kind_t *kind)
{
	if (f->op != 1 && f->op != 2)
		return -1;
	if (f->rsv == 4) {
		*kind = SF_WS_COMPRESSED;
		return 1;
	}
	if (f->rsv || f->plen == 0)
		return -1;
	*kind = SF_WS_DATA;
	if (len > f->hdr) {
		uint8_t c = b[f->hdr] ^ (f->masked ? f->key[0] : 0);

		if (c < 'A' || c > 'Z')
			return -1;
	}
	return 1;
}

long sf_ws_frame(const uint8_t *buf, size_t len, size_t max,
		 sf_ws_kind_t *kind)
{
	size_t pos = 0;

	if (len == 0)
		return 0;
	if (!sf_ws_starts_frame(buf[0]))
		return -1;
	for (int n = 0; n < MAX_FRAMES; n++) {
		frame_t f;
		int r = frame_hdr(buf + pos, len - pos, &f);

		if (r <= 0)
			return r;
		if (f.plen > max || pos + f.hdr + f.plen > max)
			return -1;
		if (f.op >= 8) {
			if (!control_ok(&f))
				return -1;
			if (n == 0)
				*kind = SF_WS_CONTROL;
		} else if (n == 0) {
			if (first_data(buf, len, &f, kind) < 0)
				return -1;
		} else if (f.op != 0 || f.rsv) {
			return -1; /* a new message before this one's FIN */
		}
		if (len - pos < f.hdr + f.plen)
			return 0;
		pos += f.hdr + (size_t)f.plen;
		if (f.fin && (f.op < 8 || n == 0))
			return (long)pos;
	}
	return -1;
}

size_t sf_ws_payload(const uint8_t *buf, size_t len, uint8_t *out,
		     size_t cap)
{
	size_t pos = 0, n = 0;

	while (pos < len) {
		frame_t f;

		if (frame_hdr(buf + pos, len - pos, &f) <= 0 ||
		    f.hdr + f.plen > len - pos)
			break;
		if (f.op < 8) {
			const uint8_t *p = buf + pos + f.hdr;

			for (size_t i = 0; i < f.plen && n < cap; i++)
				out[n++] = p[i] ^ (f.masked ? f.key[i & 3] : 0);
		}
		pos += f.hdr + (size_t)f.plen;
	}
	return n;
}

/* True when the n bytes at p contain s, ignoring ASCII case. */
static bool has_word(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;

		while (j < k && (p[i + j] | 0x20) == s[j])
			j++;
		if (j == k)
			return true;
	}
	return false;
}

long sf_ws_upgrade(const uint8_t *buf, size_t len)
{
	static const char *const starts[] = {"GET ", "HTTP/1.1 101"};
	size_t lim = len < SF_WS_MAX_UPGRADE ? len : SF_WS_MAX_UPGRADE;
	const uint8_t *end;
	bool prefix = false;

	for (int i = 0; i < 2; i++) {
		size_t k = strlen(starts[i]), m = len < k ? len : k;

		if (!memcmp(buf, starts[i], m)) {
			if (len < k)
				return 0;
			prefix = true;
		}
	}
	if (!prefix)
		return -1;
	end = memmem(buf, lim, "\r\n\r\n", 4);
	if (!end)
		return lim < SF_WS_MAX_UPGRADE ? 0 : -1;
	lim = (size_t)(end - buf) + 4;
	return has_word(buf, lim, "websocket") ? (long)lim : -1;
}
