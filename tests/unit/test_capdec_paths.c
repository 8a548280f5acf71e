/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_capdec_paths.c - the capture decoder (capture/sf_capdec.h) on the
 * packets `make coverage` showed no fuzz input or test reaching (issue
 * 15): SCTP fragments that cannot be joined (a second first fragment, a
 * TSN gap, a retransmission, every reassembly slot busy, a message over
 * 64 KiB), IP-in-IP nested past the tunnel depth, a short PPPoE header,
 * a packet without data, a compressed HEP payload, a decoder without a
 * framing function, and the counter and link-type name functions; IP
 * fragment reassembly over its byte budget (another datagram evicted, or
 * the oldest one itself dropped), and TCP reassembly of a first segment
 * over the buffer cap and of a message over 16 KiB (its buffer freed).
 *
 * Packets are built here byte by byte and handed to sf_capdec_packet()
 * as raw IPv4 (LINKTYPE_RAW, 101) or Ethernet (1); test_capture.c covers
 * the capture files and the paths real captures take.
 */
#include "../../capture/sf_capdec.h"
#include "../../capture/sf_hep.h"
#include "../../capture/sf_ipfrag.h"
#include "../../capture/sf_tcpreasm.h"
#include "t.h"

typedef struct seen {
	int n;
	size_t len;
	char data[128];
} seen_t;

static void on_msg(void *user, const sf_cap_msg_t *m)
{
	seen_t *s = user;

	s->n++;
	s->len = m->len;
	memcpy(s->data, m->data, m->len < sizeof(s->data) ? m->len : 0);
}

/* Keeps every byte as one message: enough for the TCP paths here. */
static long frame_all(void *user, const uint8_t *b, size_t n)
{
	(void)user;
	(void)b;
	return (long)n;
}

static uint8_t pkt[70000];

/* An IPv4 header (20 bytes) at p for a payload of n bytes. */
static void ip4(uint8_t *p, uint8_t proto, size_t n)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + n) >> 8);
	p[3] = (uint8_t)(20 + n);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
}

static void feed(sf_capdec_t *d, int linktype, const uint8_t *data,
		 size_t n)
{
	sf_cap_pkt_t k = {linktype, 1000000, data, (uint32_t)n, (uint32_t)n};

	sf_capdec_packet(d, &k);
}

/* One SCTP DATA chunk at p: flags (B = 2, E = 1), TSN, stream, n bytes
 * of data; returns its padded length. */
static size_t chunk(uint8_t *p, uint8_t flags, uint32_t tsn, uint16_t sid,
		    const char *data, size_t n)
{
	size_t cl = 16 + n;

	memset(p, 0, (cl + 3) & ~(size_t)3);
	p[1] = flags;
	p[2] = (uint8_t)(cl >> 8);
	p[3] = (uint8_t)cl;
	p[4] = (uint8_t)(tsn >> 24);
	p[5] = (uint8_t)(tsn >> 16);
	p[6] = (uint8_t)(tsn >> 8);
	p[7] = (uint8_t)tsn;
	p[8] = (uint8_t)(sid >> 8);
	p[9] = (uint8_t)sid;
	memcpy(p + 16, data, n);
	return (cl + 3) & ~(size_t)3;
}

/* Sends the SCTP chunks in chunks[0..clen) as one raw IPv4 packet. */
static void sctp(sf_capdec_t *d, const uint8_t *chunks, size_t clen)
{
	memset(pkt + 20, 0, 12);
	pkt[20] = 0x13; /* ports 5060 -> 5060 */
	pkt[21] = 0xc4;
	pkt[22] = 0x13;
	pkt[23] = 0xc4;
	memmove(pkt + 32, chunks, clen);
	ip4(pkt, 132, 12 + clen);
	feed(d, 101, pkt, 32 + clen);
}

static uint8_t ch[70000];

static void test_sctp_fragments(void)
{
	seen_t s = {0};
	sf_capdec_t *d = sf_capdec_new(NULL, on_msg, frame_all, &s);
	size_t n = 0;

	T_TRUE(d != NULL);
	/* a first fragment, then another first fragment on the stream */
	n += chunk(ch + n, 2, 10, 1, "abc", 3);
	n += chunk(ch + n, 2, 11, 1, "def", 3);
	/* a middle fragment after a gap (12 missing): the slot is freed */
	n += chunk(ch + n, 0, 13, 1, "ghi", 3);
	/* ... so the next one finds nothing to join */
	n += chunk(ch + n, 0, 12, 1, "jkl", 3);
	sctp(d, ch, n);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_SCTP_FRAG), 3);
	T_EQ_INT(s.n, 0);

	/* a retransmitted fragment is ignored, not counted */
	n = chunk(ch, 2, 20, 2, "ab", 2);
	n += chunk(ch + n, 0, 21, 2, "cd", 2);
	n += chunk(ch + n, 0, 20, 2, "ab", 2);
	n += chunk(ch + n, 1, 22, 2, "ef", 2);
	sctp(d, ch, n);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_SCTP_FRAG), 3);
	T_EQ_INT(s.n, 1);
	T_TRUE(s.len == 6 && !memcmp(s.data, "abcdef", 6));

	/* every reassembly slot busy (64): the oldest is given up */
	n = 0;
	for (uint16_t sid = 100; sid < 100 + 65; sid++)
		n += chunk(ch + n, 2, 1000u + sid, sid, "x", 1);
	sctp(d, ch, n);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_SCTP_FRAG), 4);
	sf_capdec_free(d);
}

/* A user message over 64 KiB: given up when the fragment that passes
 * the bound arrives. */
static void test_sctp_too_big(void)
{
	static char big[16000];
	seen_t s = {0};
	sf_capdec_t *d = sf_capdec_new(NULL, on_msg, frame_all, &s);

	T_TRUE(d != NULL);
	memset(big, 'x', sizeof(big));
	for (uint32_t i = 0; i < 5; i++) {
		size_t n = chunk(ch, i == 0 ? 2 : (i == 4 ? 1 : 0), 50 + i, 7,
				 big, sizeof(big));

		sctp(d, ch, n);
		T_EQ_INT(sf_capdec_get(d, SF_CD_E_SCTP_FRAG), i == 4);
	}
	T_EQ_INT(s.n, 0);
	sf_capdec_free(d);
}

/* IPv4 in IPv4 six deep: four tunnels are opened, the fifth is not. */
static void test_tunnel_depth(void)
{
	seen_t s = {0};
	sf_capdec_t *d = sf_capdec_new(NULL, on_msg, frame_all, &s);
	const int depth = 6;
	size_t udp = 8 + 3, off = (size_t)depth * 20;

	T_TRUE(d != NULL);
	for (int i = 0; i < depth; i++)
		ip4(pkt + (size_t)i * 20, i + 1 < depth ? 4 : 17,
		    (size_t)(depth - 1 - i) * 20 + udp);
	memset(pkt + off, 0, 8);
	pkt[off + 1] = 1;
	pkt[off + 3] = 2;
	pkt[off + 5] = (uint8_t)udp;
	memcpy(pkt + off + 8, "sip", 3);
	feed(d, 101, pkt, off + udp);
	T_EQ_INT(sf_capdec_get(d, SF_CD_TUNNELS), 4);
	T_EQ_INT(sf_capdec_get(d, SF_CD_U_TUNNEL), 1); /* named, not "other" */
	T_EQ_INT(sf_capdec_get(d, SF_CD_UDP), 0);
	T_EQ_INT(s.n, 0);
	/* five deep: the UDP inside is reached */
	feed(d, 101, pkt + 20, off - 20 + udp);
	T_EQ_INT(sf_capdec_get(d, SF_CD_UDP), 1);
	T_EQ_INT(s.n, 1);
	sf_capdec_free(d);
}

static void test_link_edges(void)
{
	seen_t s = {0};
	sf_capdec_t *d = sf_capdec_new(NULL, on_msg, frame_all, &s);
	sf_cap_pkt_t none = {1, 5, NULL, 0, 0};

	T_TRUE(d != NULL);
	/* PPPoE session header cut short (under its 8 bytes) */
	memset(pkt, 0, 14 + 6);
	pkt[12] = 0x88;
	pkt[13] = 0x64;
	feed(d, 1, pkt, 14 + 6);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_LINK), 1);
	/* no data at all */
	sf_capdec_packet(d, &none);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_LINK), 2);
	T_EQ_INT(sf_capdec_get(d, SF_CD_PACKETS), 2);
	T_EQ_INT(s.n, 0);
	sf_capdec_free(d);
}

/* A HEPv3 packet whose payload chunk is the compressed kind (16). */
static void test_hep_compressed(void)
{
	seen_t s = {0};
	sf_capdec_t *d = sf_capdec_new(NULL, on_msg, frame_all, &s);
	uint8_t hep[512];
	sf_hep_t h;
	size_t hl;
	bool patched = false;

	T_TRUE(d != NULL);
	memset(&h, 0, sizeof(h));
	if (sf_ip_parse("203.0.113.7", 11, &h.src) ||
	    sf_ip_parse("198.51.100.9", 12, &h.dst))
		T_FAIL_AT("bad test address");
	h.sport = 5062;
	h.dport = 5060;
	h.proto = 17;
	h.payload = (const uint8_t *)"INVITE";
	h.payload_len = 6;
	hl = sf_hep_build(&h, hep, sizeof(hep));
	T_TRUE(hl > 6 + 6);
	/* the payload chunk is last: vendor 0, type 15 */
	if (hl >= 12 + 6 && !memcmp(hep + hl - 12, "\0\0\0\x0f", 4)) {
		hep[hl - 9] = 16;
		patched = true;
	}
	T_TRUE(patched);
	ip4(pkt, 17, 8 + hl);
	memset(pkt + 20, 0, 8);
	pkt[21] = 1;
	pkt[23] = 2;
	pkt[24] = (uint8_t)((8 + hl) >> 8);
	pkt[25] = (uint8_t)(8 + hl);
	memcpy(pkt + 28, hep, hl);
	feed(d, 101, pkt, 28 + hl);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_HEP_COMPRESSED), 1);
	T_EQ_INT(s.n, 0);
	/* uncompressed, the same packet delivers its payload */
	hep[hl - 9] = 15;
	memcpy(pkt + 28, hep, hl);
	feed(d, 101, pkt, 28 + hl);
	T_EQ_INT(s.n, 1);
	T_TRUE(s.len == 6 && !memcmp(s.data, "INVITE", 6));
	sf_capdec_free(d);
}

/* Without a framing function TCP segments are counted, never joined. */
static void test_no_framer(void)
{
	seen_t s = {0};
	sf_capdec_t *d = sf_capdec_new(NULL, on_msg, NULL, &s);

	T_TRUE(d != NULL);
	ip4(pkt, 6, 20 + 4);
	memset(pkt + 20, 0, 20);
	pkt[21] = 1;
	pkt[23] = 2;
	pkt[32] = 0x50; /* data offset 5 words */
	pkt[33] = 0x18;
	memcpy(pkt + 40, "sip!", 4);
	feed(d, 101, pkt, 44);
	T_EQ_INT(sf_capdec_get(d, SF_CD_TCP_SEGMENTS), 1);
	T_EQ_INT(sf_capdec_get(d, SF_CD_TCP_FLOWS), 0);
	sf_capdec_finish(d);
	T_EQ_INT(s.n, 0);
	sf_capdec_free(d);
}

/* The byte budget of fragment reassembly: a new fragment that does not
 * fit evicts the oldest other datagram; when the datagram it belongs to
 * is itself the oldest, that datagram is dropped. */
static void test_fragment_bytes(void)
{
	sf_ipfrag_t *t = sf_ipfrag_new(8, 8, 2048, 1000000);
	sf_ipfrag_key_t k;
	static uint8_t data[1024];
	const uint8_t *out;
	uint32_t ol;

	T_TRUE(t != NULL);
	memset(&k, 0, sizeof(k));
	k.id = 1;
	T_EQ_INT(sf_ipfrag_add(t, &k, 1, 0, data, 1024, true, &out, &ol),
		 SF_FRAG_PENDING);
	k.id = 2;
	T_EQ_INT(sf_ipfrag_add(t, &k, 2, 0, data, 512, true, &out, &ol),
		 SF_FRAG_PENDING);
	/* 1536 held + 1024 > 2048: datagram 1 (the oldest) goes */
	k.id = 3;
	T_EQ_INT(sf_ipfrag_add(t, &k, 3, 0, data, 1024, true, &out, &ol),
		 SF_FRAG_PENDING);
	T_EQ_INT(sf_ipfrag_stats(t)->limit, 1);
	/* 1536 held + 1024 for datagram 2, now the oldest: it is dropped */
	k.id = 2;
	T_EQ_INT(sf_ipfrag_add(t, &k, 4, 512, data, 1024, true, &out, &ol),
		 SF_FRAG_DROPPED);
	T_EQ_INT(sf_ipfrag_stats(t)->limit, 2);
	/* datagram 3 is whole and completes */
	k.id = 3;
	T_EQ_INT(sf_ipfrag_add(t, &k, 5, 1024, data, 8, false, &out, &ol),
		 SF_FRAG_DONE);
	T_EQ_INT(ol, 1032);
	sf_ipfrag_free(t);
}

static size_t tcp_got;

static void tcp_deliver(void *u, const sf_tcp_key_t *k, uint64_t ts,
			const uint8_t *data, size_t len, uint64_t off)
{
	(void)u, (void)k, (void)ts, (void)data, (void)off;
	tcp_got = len;
}

/* One message per line: the bytes up to a LF, or more needed. */
static long frame_line(void *user, const uint8_t *b, size_t n)
{
	const uint8_t *lf = memchr(b, '\n', n);

	(void)user;
	return lf ? (long)(lf - b + 1) : 0;
}

static void test_tcp_buffer_edges(void)
{
	sf_tcp_limits_t lim = {.max_flows = 8, .max_buffer = 65536,
			       .max_ooo = 4, .max_ooo_bytes = 4096,
			       .max_bytes = 1 << 20, .idle_us = 1000000};
	sf_tcp_t *t = sf_tcp_new(&lim, tcp_deliver, frame_line, NULL);
	static uint8_t data[70000];
	sf_tcp_key_t k;

	T_TRUE(t != NULL);
	memset(data, 'x', sizeof(data));
	memset(&k, 0, sizeof(k));
	/* a first segment longer than the buffer cap, no message in it:
	 * skipped, nothing buffered */
	k.sport = 1;
	sf_tcp_segment(t, &k, 1, 100, 0, data, 66000);
	T_EQ_INT(sf_tcp_stats(t)->limit, 1);
	T_EQ_INT(sf_tcp_stats(t)->skipped, 66000);
	T_EQ_INT(sf_tcp_buffered(t), 0);
	/* a 20,001-byte message in two segments: buffered, then delivered
	 * (and its 32 KiB buffer given back) */
	k.sport = 2;
	sf_tcp_segment(t, &k, 2, 100, 0, data, 20000);
	T_EQ_INT(sf_tcp_buffered(t), 20000);
	sf_tcp_segment(t, &k, 3, 20100, 0, (const uint8_t *)"\n", 1);
	T_EQ_INT(tcp_got, 20001);
	T_EQ_INT(sf_tcp_buffered(t), 0);
	/* the flow goes on with a fresh buffer */
	sf_tcp_segment(t, &k, 4, 20101, 0, (const uint8_t *)"ab", 2);
	T_EQ_INT(sf_tcp_buffered(t), 2);
	sf_tcp_segment(t, &k, 5, 20103, 0, (const uint8_t *)"\n", 1);
	T_EQ_INT(tcp_got, 3);
	T_EQ_INT(sf_tcp_stats(t)->limit, 1);
	sf_tcp_free(t);
}

/* Zero limits mean one: a table of one datagram of one fragment, one
 * flow with a one-segment out-of-order queue. */
static void test_zero_limits(void)
{
	sf_ipfrag_t *f = sf_ipfrag_new(0, 0, 4096, 1000000);
	sf_tcp_limits_t lim = {.max_buffer = 4096, .max_ooo_bytes = 4096,
			       .max_bytes = 8192, .idle_us = 1000000};
	sf_tcp_t *t = sf_tcp_new(&lim, tcp_deliver, frame_line, NULL);
	static uint8_t data[64];
	sf_ipfrag_key_t k;
	sf_tcp_key_t tk;
	const uint8_t *out;
	uint32_t ol;

	T_TRUE(f != NULL && t != NULL);
	memset(&k, 0, sizeof(k));
	T_EQ_INT(sf_ipfrag_add(f, &k, 1, 0, data, 8, true, &out, &ol),
		 SF_FRAG_PENDING);
	/* a second fragment of the datagram: over its one */
	T_EQ_INT(sf_ipfrag_add(f, &k, 1, 8, data, 8, true, &out, &ol),
		 SF_FRAG_DROPPED);
	/* a second datagram evicts the first */
	T_EQ_INT(sf_ipfrag_add(f, &k, 1, 0, data, 8, true, &out, &ol),
		 SF_FRAG_PENDING);
	k.id = 2;
	T_EQ_INT(sf_ipfrag_add(f, &k, 1, 0, data, 8, true, &out, &ol),
		 SF_FRAG_PENDING);
	T_EQ_INT(sf_ipfrag_stats(f)->limit, 2);
	memset(&tk, 0, sizeof(tk));
	tk.sport = 1;
	sf_tcp_segment(t, &tk, 1, 1, 0, (const uint8_t *)"a", 1);
	tk.sport = 2; /* a second flow evicts the first */
	sf_tcp_segment(t, &tk, 1, 1, 0, (const uint8_t *)"b", 1);
	T_EQ_INT(sf_tcp_stats(t)->flows, 2);
	T_EQ_INT(sf_tcp_buffered(t), 1);
	sf_ipfrag_free(f);
	sf_tcp_free(t);
}

static void test_names(void)
{
	for (int c = 0; c < SF_CD_COUNT; c++) {
		const char *name = sf_capdec_ctr_name((sf_capdec_ctr_t)c);

		T_TRUE(name && name[0] && strcmp(name, "?"));
		T_EQ_INT(sf_capdec_ctr_is_error((sf_capdec_ctr_t)c),
			 c >= SF_CD_E_TRUNCATED);
	}
	T_EQ_STR(sf_capdec_ctr_name(SF_CD_E_HEP_COMPRESSED), "hep-compressed");
	T_EQ_STR(sf_capdec_ctr_name(SF_CD_COUNT), "?");
	T_TRUE(!sf_capdec_ctr_is_error(SF_CD_COUNT));
	T_TRUE(sf_capdec_linktype_supported(1));
	T_TRUE(sf_capdec_linktype_supported(276));
	T_TRUE(!sf_capdec_linktype_supported(2));
	T_TRUE(!sf_capdec_linktype_supported(-1));
}

int main(void)
{
	T_RUN(test_sctp_fragments);
	T_RUN(test_sctp_too_big);
	T_RUN(test_tunnel_depth);
	T_RUN(test_link_edges);
	T_RUN(test_hep_compressed);
	T_RUN(test_no_framer);
	T_RUN(test_fragment_bytes);
	T_RUN(test_tcp_buffer_edges);
	T_RUN(test_zero_limits);
	T_RUN(test_names);
	return T_DONE();
}
