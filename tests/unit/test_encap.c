/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_encap.c - tunnel headers (capture/sf_encap.c) and WebSocket framing
 * (capture/sf_ws.c): every GRE form (checksum/key/sequence, PPTP's
 * enhanced GRE with PPP, ERSPAN I/II/III), VXLAN, VXLAN-GPE and Geneve,
 * headers cut short, what is recognised but unsupported, SIP sent to a
 * tunnel's port; WebSocket frames masked and not, 16- and 64-bit
 * lengths, a message in fragments with a control frame between them,
 * every prefix of a unit asking for more, the bound, and SIP on plain TCP
 * (an ACK or BYE starts with 'A'/'B', RSV1-flagged frame bytes) never
 * taken for a frame.
 */
#include "t.h"

#include "capture/sf_encap.h"
#include "capture/sf_ws.h"

static void test_gre(void)
{
	/* checksum, key, sequence: 16 bytes of header, then IPv4 */
	static const uint8_t full[] = {0xB0, 0x00, 0x08, 0x00, 0, 0, 0, 0,
				       0, 0, 0, 7, 0, 0, 0, 1, 0x45};
	static const uint8_t eth[] = {0x00, 0x00, 0x65, 0x58, 1};
	static const uint8_t pptp[] = {0x30, 0x81, 0x88, 0x0B, 0, 4, 0, 5,
				       0, 0, 0, 1, 0, 0, 0, 0, 0xFF, 0x03,
				       0x00, 0x21, 0x45};
	static const uint8_t e1[] = {0x00, 0x00, 0x88, 0xBE, 1};
	static const uint8_t e2[] = {0x10, 0x00, 0x88, 0xBE, 0, 0, 0, 1,
				     0x10, 0x64, 0, 1, 0, 0, 0, 0, 1};
	static const uint8_t e2bad[] = {0x10, 0x00, 0x88, 0xBE, 0, 0, 0, 1,
					0x30, 0x64, 0, 1, 0, 0, 0, 0, 1};
	static const uint8_t routing[] = {0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0};
	static const uint8_t v3[] = {0x00, 0x03, 0x08, 0x00};
	static const uint8_t other[] = {0x00, 0x00, 0x12, 0x34};
	sf_encap_t e;

	sf_encap_gre(full, sizeof(full), &e);
	T_EQ_INT(e.inner, SF_INNER_IPV4);
	T_EQ_INT(e.off, 16);
	sf_encap_gre(full, 15, &e); /* cut inside the sequence number */
	T_EQ_INT(e.inner, SF_INNER_SHORT);
	sf_encap_gre(eth, sizeof(eth), &e);
	T_EQ_INT(e.inner, SF_INNER_ETHERNET);
	T_EQ_INT(e.off, 4);
	sf_encap_gre(pptp, sizeof(pptp), &e);
	T_EQ_INT(e.inner, SF_INNER_IPV4);
	T_EQ_INT(e.off, 20);
	T_TRUE(e.ppp);
	sf_encap_gre(e1, sizeof(e1), &e);
	T_EQ_INT(e.inner, SF_INNER_ETHERNET);
	T_EQ_INT(e.erspan, 1);
	sf_encap_gre(e2, sizeof(e2), &e);
	T_EQ_INT(e.inner, SF_INNER_ETHERNET);
	T_EQ_INT(e.off, 16);
	T_EQ_INT(e.erspan, 2);
	sf_encap_gre(e2bad, sizeof(e2bad), &e);
	T_EQ_INT(e.inner, SF_INNER_UNSUPPORTED);
	sf_encap_gre(routing, sizeof(routing), &e);
	T_EQ_INT(e.inner, SF_INNER_UNSUPPORTED);
	sf_encap_gre(v3, sizeof(v3), &e);
	T_EQ_INT(e.inner, SF_INNER_UNSUPPORTED);
	sf_encap_gre(other, sizeof(other), &e);
	T_EQ_INT(e.inner, SF_INNER_UNSUPPORTED);
	T_EQ_INT(e.unsup, SF_UNSUP_TUNNEL);
	T_EQ_INT(e.proto, 0x1234);
	sf_encap_gre(other, 3, &e);
	T_EQ_INT(e.inner, SF_INNER_SHORT);
}

static void test_erspan3_and_ppp(void)
{
	/* ERSPAN III, FT 0 with the platform subheader (O), then FT 2 (IP) */
	uint8_t p[40] = {0x00, 0x00, 0x22, 0xEB, 0x20, 0x64, 0, 1};
	static const uint8_t lcp[] = {0xFF, 0x03, 0xC0, 0x21, 1, 1, 0, 4};
	static const uint8_t pfc6[] = {0x57, 0x60};
	sf_encap_t e;

	p[4 + 11] = 0x01;
	sf_encap_gre(p, sizeof(p), &e);
	T_EQ_INT(e.inner, SF_INNER_ETHERNET);
	T_EQ_INT(e.off, 4 + 12 + 8);
	T_EQ_INT(e.erspan, 3);
	sf_encap_gre(p, 4 + 12 + 7, &e);
	T_EQ_INT(e.inner, SF_INNER_SHORT);
	p[4 + 11] = 0;
	p[4 + 10] = 2 << 2;
	sf_encap_gre(p, sizeof(p), &e);
	T_EQ_INT(e.inner, SF_INNER_IP);
	T_EQ_INT(e.off, 16);
	memset(&e, 0, sizeof(e));
	sf_encap_ppp(lcp, sizeof(lcp), &e);
	T_EQ_INT(e.inner, SF_INNER_UNSUPPORTED);
	T_EQ_INT(e.unsup, SF_UNSUP_PPP);
	sf_encap_ppp(pfc6, sizeof(pfc6), &e);
	T_EQ_INT(e.inner, SF_INNER_IPV6);
	T_EQ_INT(e.off, 1);
}

static void test_udp_tunnels(void)
{
	static const uint8_t vx[] = {0x08, 0, 0, 0, 0, 0x13, 0x89, 0, 1};
	static const uint8_t gpe[] = {0x0C, 0, 0, 2, 0, 0, 7, 0, 0x60};
	static const uint8_t gen[] = {0x01, 0, 0x65, 0x58, 0, 0, 77, 0,
				      1, 4, 1, 1, 0, 0, 0, 1, 0xAA};
	static const uint8_t sip[] = "INVITE sip:a@b SIP/2.0\r\n";
	sf_udp_tunnel_t t;
	sf_encap_t e;

	sf_encap_udp(4789, vx, sizeof(vx), &t, &e);
	T_EQ_INT(t, SF_UDPT_VXLAN);
	T_EQ_INT(e.inner, SF_INNER_ETHERNET);
	T_EQ_INT(e.off, 8);
	sf_encap_udp(4790, gpe, sizeof(gpe), &t, &e);
	T_EQ_INT(t, SF_UDPT_VXLAN_GPE);
	T_EQ_INT(e.inner, SF_INNER_IPV6);
	sf_encap_udp(6081, gen, sizeof(gen), &t, &e);
	T_EQ_INT(t, SF_UDPT_GENEVE);
	T_EQ_INT(e.inner, SF_INNER_ETHERNET);
	T_EQ_INT(e.off, 12);
	sf_encap_udp(6081, gen, 10, &t, &e);
	T_EQ_INT(e.inner, SF_INNER_SHORT);
	/* SIP sent to a tunnel's port stays SIP */
	for (unsigned i = 0; i < 4; i++) {
		static const uint16_t ports[] = {4789, 4790, 6081, 8472};

		sf_encap_udp(ports[i], sip, sizeof(sip) - 1, &t, &e);
		T_EQ_INT(t, SF_UDPT_NONE);
		T_EQ_INT(e.inner, SF_INNER_NONE);
	}
	sf_encap_udp(5060, vx, sizeof(vx), &t, &e);
	T_EQ_INT(t, SF_UDPT_NONE);
}

/* One frame into out (mask NULL: unmasked); its length. */
static size_t frame(uint8_t *out, uint8_t b0, const uint8_t *mask,
		    const char *payload, size_t n)
{
	size_t h = 2;

	out[0] = b0;
	if (n < 126) {
		out[1] = (uint8_t)n;
	} else if (n < 65536) {
		out[1] = 126;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	} else {
		out[1] = 127;
		memset(out + 2, 0, 8);
		out[7] = (uint8_t)(n >> 16);
		out[8] = (uint8_t)(n >> 8);
		out[9] = (uint8_t)n;
		h = 10;
	}
	if (mask) {
		out[1] |= 0x80;
		memcpy(out + h, mask, 4);
		h += 4;
	}
	for (size_t i = 0; i < n; i++)
		out[h + i] = (uint8_t)payload[i] ^ (mask ? mask[i & 3] : 0);
	return h + n;
}

static void test_ws_frames(void)
{
	static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
	static char big[70000];
	uint8_t buf[80000], out[80000];
	sf_ws_kind_t kind;
	size_t n, m;

	/* masked text frame: the unit, then the SIP unmasked */
	n = frame(buf, 0x81, key, "INVITE sip:x SIP/2.0\r\n\r\n", 24);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), (long)n);
	T_EQ_INT(kind, SF_WS_DATA);
	m = sf_ws_payload(buf, n, out, sizeof(out));
	T_EQ_INT(m, 24);
	T_TRUE(!memcmp(out, "INVITE sip:x SIP/2.0\r\n\r\n", 24));
	/* every prefix asks for more */
	for (size_t i = 0; i < n; i++)
		T_EQ_INT(sf_ws_frame(buf, i, 4096, &kind), 0);
	/* in two fragments with a ping between: one unit, payload joined */
	n = frame(buf, 0x01, key, "INVITE sip", 10);
	n += frame(buf + n, 0x89, key, "p", 1);
	n += frame(buf + n, 0x80, NULL, ":y SIP/2.0\r\n\r\n", 15);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), (long)n);
	m = sf_ws_payload(buf, n, out, sizeof(out));
	T_EQ_INT(m, 25);
	T_TRUE(!memcmp(out, "INVITE sip:y SIP/2.0\r\n\r\n", 25));
	T_EQ_INT(sf_ws_frame(buf, n - 1, 4096, &kind), 0);
	/* a control frame alone is a unit of its own kind */
	n = frame(buf, 0x8A, NULL, "", 0);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), (long)n);
	T_EQ_INT(kind, SF_WS_CONTROL);
	/* 16- and 64-bit lengths; the bound */
	memset(big, 'A', sizeof(big));
	n = frame(buf, 0x82, NULL, big, 300);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), (long)n);
	n = frame(buf, 0x82, key, big, 66000);
	T_EQ_INT(sf_ws_frame(buf, n, 70000, &kind), (long)n);
	T_EQ_INT(sf_ws_frame(buf, n, 65536, &kind), -1);
	T_EQ_INT(sf_ws_frame(buf, 20, 65536, &kind), -1);
	/* compressed (RSV1): measured, marked, not read */
	n = frame(buf, 0xC1, NULL, "\x01\x02", 2);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), (long)n);
	T_EQ_INT(kind, SF_WS_COMPRESSED);
	/* a payload that cannot be SIP; a new message before FIN */
	n = frame(buf, 0x82, NULL, "\x16\x03\x01", 3);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), -1);
	n = frame(buf, 0x01, NULL, "INV", 3);
	n += frame(buf + n, 0x81, NULL, "ITE", 3);
	T_EQ_INT(sf_ws_frame(buf, n, 4096, &kind), -1);
	/* SIP on plain TCP never starts a frame */
	T_TRUE(!sf_ws_starts_frame('A'));
	T_TRUE(!sf_ws_starts_frame('B'));
	T_TRUE(!sf_ws_starts_frame('I'));
	T_TRUE(!sf_ws_starts_frame('S'));
	T_EQ_INT(sf_ws_frame((const uint8_t *)"ACK sip:a SIP/2.0", 17, 4096,
			     &kind), -1);
}

static void test_ws_upgrade(void)
{
	static const char up[] = "GET /sip HTTP/1.1\r\nHost: h\r\n"
				 "Upgrade: WebSocket\r\n\r\nxx";
	static const char ok[] = "HTTP/1.1 101 Switching Protocols\r\n"
				 "Upgrade: websocket\r\n\r\n";
	static const char plain[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	const uint8_t *u = (const uint8_t *)up;

	T_EQ_INT(sf_ws_upgrade(u, sizeof(up) - 1), (long)sizeof(up) - 3);
	for (size_t i = 0; i < sizeof(up) - 3; i++)
		T_EQ_INT(sf_ws_upgrade(u, i), 0);
	T_EQ_INT(sf_ws_upgrade((const uint8_t *)ok, sizeof(ok) - 1),
		 (long)sizeof(ok) - 1);
	T_EQ_INT(sf_ws_upgrade((const uint8_t *)plain, sizeof(plain) - 1), -1);
	T_EQ_INT(sf_ws_upgrade((const uint8_t *)"INVITE ", 7), -1);
	T_EQ_INT(sf_ws_upgrade((const uint8_t *)"HEP3", 4), -1);
}

int main(void)
{
	T_RUN(test_gre);
	T_RUN(test_erspan3_and_ppp);
	T_RUN(test_udp_tunnels);
	T_RUN(test_ws_frames);
	T_RUN(test_ws_upgrade);
	return T_DONE();
}
