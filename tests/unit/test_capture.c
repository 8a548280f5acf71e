/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_capture.c - unit tests of capture/: file reading (pcap, pcapng in
 * both byte orders with mixed link types, gzip, truncated and corrupt
 * files, BPF), link layers, IPv4/IPv6, fragment reassembly (incl.
 * overlapping and bogus fragments and the bounds), TCP reassembly
 * (segmentation, reordering, retransmission, gaps), SCTP, IP-in-IP, HEPv3.
 *
 * Captures are built here with the capture writer and sf_cap_synth, then
 * read back through the public API exactly as replay reads them.  This
 * layer knows nothing of SIP, so the framing function used for TCP is a
 * tiny Content-Length framer local to this file.
 */
#include <pcap/pcap.h>
#include <unistd.h>
#include <zlib.h>

#include "../../capture/sf_capdec.h"
#include "../../capture/sf_capfile.h"
#include "../../capture/sf_hep.h"
#include "../../capture/sf_ipfrag.h"
#include "../../capture/sf_pcapw.h"
#include "../../capture/sf_tcpreasm.h"
#include "t.h"

/* ---- helpers ---------------------------------------------------------- */

#define MAXMSG 64

typedef struct got {
	int n;
	char data[MAXMSG][2048];
	size_t len[MAXMSG];
	sf_cap_msg_t m[MAXMSG];
} got_t;

static void on_msg(void *user, const sf_cap_msg_t *m)
{
	got_t *g = user;

	if (g->n >= MAXMSG)
		return;
	g->m[g->n] = *m;
	g->len[g->n] = m->len < 2047 ? m->len : 2047;
	memcpy(g->data[g->n], m->data, g->len[g->n]);
	g->data[g->n][g->len[g->n]] = 0;
	g->n++;
}

/* "header\r\n\r\nbody" framed by a Content-Length header; junk skipped up
 * to the next line starting with 'M' (our test messages start "MSG"). */
static long test_frame(void *user, const uint8_t *b, size_t n)
{
	const char *p = (const char *)b;
	const char *end;
	const char *cl;
	size_t hl;
	long clen;

	(void)user;
	if (n >= 3 && memcmp(p, "MSG", 3)) {
		for (size_t i = 1; i < n; i++)
			if (p[i] == 'M')
				return -(long)i;
		return -(long)n;
	}
	end = memmem(p, n, "\r\n\r\n", 4);
	if (!end)
		return n > 4096 ? -(long)n : 0;
	hl = (size_t)(end - p) + 4;
	cl = memmem(p, hl, "Len: ", 5);
	if (!cl)
		return -(long)hl;
	clen = atol(cl + 5);
	return hl + (size_t)clen <= n ? (long)(hl + (size_t)clen) : 0;
}

static size_t mkmsg(char *buf, size_t cap, int id, const char *body)
{
	return (size_t)snprintf(buf, cap, "MSG %d\r\nLen: %zu\r\n\r\n%s", id,
				strlen(body), body);
}

static sf_ip_t ip4(const char *s)
{
	sf_ip_t ip;

	sf_ip_parse(s, strlen(s), &ip);
	return ip;
}

static const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

/* Wraps an IP packet in a link header for linktype (variant: vlan tags). */
static size_t wrap(int lt, int vlans, const uint8_t *ip, size_t n,
		   uint8_t *out)
{
	size_t h = 0;
	int v6 = (ip[0] >> 4) == 6;
	uint16_t et = v6 ? 0x86DD : 0x0800;

	switch (lt) {
	case 1:
		memcpy(out, mac, 12);
		h = 12;
		for (int i = 0; i < vlans; i++) {
			uint16_t tpid = (vlans == 2 && i == 0) ? 0x88a8 : 0x8100;

			out[h++] = tpid >> 8;
			out[h++] = tpid & 0xff;
			out[h++] = 0;
			out[h++] = (uint8_t)(100 + i);
		}
		out[h++] = et >> 8;
		out[h++] = et & 0xff;
		break;
	case 113:
		memset(out, 0, 16);
		out[3] = 1;
		out[14] = et >> 8;
		out[15] = et & 0xff;
		h = 16;
		break;
	case 276:
		memset(out, 0, 20);
		out[0] = et >> 8;
		out[1] = et & 0xff;
		out[9] = 1;
		h = 20;
		break;
	case 0: { /* little-endian host family */
		uint32_t af = v6 ? 30 : 2;

		memcpy(out, &af, 4);
		h = 4;
		break;
	}
	case 108:
		memset(out, 0, 4);
		out[3] = v6 ? 24 : 2;
		h = 4;
		break;
	default: /* raw */
		break;
	}
	memcpy(out + h, ip, n);
	return h + n;
}

typedef struct cap {
	char *buf;
	size_t len;
	FILE *fp;
	sf_pcapw_t *w;
} cap_t;

static void cap_open(cap_t *c, sf_capfile_format_t fmt, int lt)
{
	sf_err_t err;

	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	T_TRUE(sf_pcapw_open(c->fp, fmt, lt, &c->w, &err) == 0);
}

static void cap_put(cap_t *c, int iface, uint64_t ts, const uint8_t *d,
		    size_t n)
{
	sf_pcapw_write(c->w, iface, ts, d, (uint32_t)n, (uint32_t)n);
}

static void cap_close(cap_t *c)
{
	sf_pcapw_close(c->w);
	fclose(c->fp);
}

/* Reads a capture held in memory through the whole decode path.
 * Returns the sf_capfile_next end code (0 or negative). */
static int decode_mem(const void *buf, size_t len, got_t *g,
		      const sf_capdec_limits_t *lim, sf_capdec_t **keep,
		      const char *bpf, uint64_t *npkts)
{
	FILE *fp = fmemopen((void *)buf, len, "rb");
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	sf_err_t err;
	sf_capdec_t *d;
	int rc;

	memset(g, 0, sizeof(*g));
	if (npkts)
		*npkts = 0;
	if (sf_capfile_open_fp(fp, "mem", &f, &err) < 0) {
		fclose(fp);
		return err.code;
	}
	if (bpf)
		T_EQ_INT(sf_capfile_set_filter(f, bpf, &err), 0);
	d = sf_capdec_new(lim, on_msg, test_frame, g);
	while ((rc = sf_capfile_next(f, &pkt, &err)) == 1) {
		sf_capdec_packet(d, &pkt);
		if (npkts)
			(*npkts)++;
	}
	sf_capdec_finish(d);
	if (keep)
		*keep = d;
	else
		sf_capdec_free(d);
	sf_capfile_close(f);
	fclose(fp);
	return rc;
}

static size_t udp_pkt(uint8_t *out, const char *src, const char *dst,
		      const char *payload, size_t n)
{
	sf_ip_t s = ip4(src), d = ip4(dst);

	return sf_cap_synth(out, 70000, &s, 5061, &d, 5060, 17, 0, 7,
			    (const uint8_t *)payload, n);
}

/* ---- tests ------------------------------------------------------------ */

static void test_link_types(void)
{
	static const struct {
		int lt, vlans;
		const char *src;
	} cases[] = {
		{1, 0, "192.0.2.1"},  {1, 1, "192.0.2.2"},
		{1, 2, "192.0.2.3"},  {113, 0, "192.0.2.4"},
		{276, 0, "2001:db8::5"}, {101, 0, "192.0.2.6"},
		{12, 0, "2001:db8::7"}, {228, 0, "192.0.2.8"},
		{229, 0, "2001:db8::9"}, {0, 0, "192.0.2.10"},
		{108, 0, "2001:db8::11"}, {0, 0, "2001:db8::12"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t ip[2048], fr[2100];
		char msg[256], a[64];
		size_t ml = mkmsg(msg, sizeof(msg), (int)i, "body");
		sf_ip_t s = ip4(cases[i].src),
			d = ip4(s.v4 ? "198.51.100.1" : "2001:db8::1");
		size_t n = sf_cap_synth(ip, sizeof(ip), &s, 5061, &d, 5060, 17,
					0, 1, (uint8_t *)msg, ml);
		cap_t c;
		got_t *g = calloc(1, sizeof(*g));

		cap_open(&c, SF_CAPFILE_PCAP, cases[i].lt);
		n = wrap(cases[i].lt, cases[i].vlans, ip, n, fr);
		cap_put(&c, 0, 1700000000000000ull + i, fr, n);
		cap_close(&c);
		T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, NULL, NULL, NULL),
			 0);
		T_EQ_INT(g->n, 1);
		if (g->n == 1) {
			T_EQ_STR(g->data[0], msg);
			T_EQ_STR(sf_ip_format(&g->m[0].src, a, sizeof(a)),
				 cases[i].src);
			T_EQ_INT(g->m[0].sport, 5061);
			T_EQ_INT(g->m[0].dport, 5060);
			T_EQ_INT(g->m[0].proto, SF_CAP_UDP);
			T_EQ_INT(g->m[0].ts_us, 1700000000000000ull + i);
		}
		if (t_cur_failed)
			fprintf(stderr, "    case %zu (linktype %d)\n", i,
				cases[i].lt);
		free(c.buf);
		free(g);
	}
}

static void test_unsupported_linktype(void)
{
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;
	uint8_t junk[40] = {0};
	char name[128];

	cap_open(&c, SF_CAPFILE_PCAP, 105);
	cap_put(&c, 0, 1, junk, sizeof(junk));
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_LINKTYPE), 1);
	T_TRUE(!sf_capdec_linktype_supported(105));
	T_CONTAINS(sf_capfile_linktype_name(105, name, sizeof(name)),
		   "IEEE802_11");
	sf_capdec_free(d);
	free(c.buf);
	free(g);
}

/* Splits an IPv4 UDP packet into fragments of `chunk` payload bytes. */
static int frag4(const uint8_t *ip, size_t n, size_t chunk,
		 uint8_t out[][2048], size_t *lens)
{
	size_t pl = n - 20, off = 0;
	int k = 0;

	while (off < pl) {
		size_t len = pl - off > chunk ? chunk : pl - off;
		bool more = off + len < pl;
		uint16_t fo = (uint16_t)((off / 8) | (more ? 0x2000 : 0));

		memcpy(out[k], ip, 20);
		memcpy(out[k] + 20, ip + 20 + off, len);
		out[k][2] = (uint8_t)((20 + len) >> 8);
		out[k][3] = (uint8_t)(20 + len);
		out[k][6] = (uint8_t)(fo >> 8);
		out[k][7] = (uint8_t)fo;
		lens[k] = 20 + len;
		k++;
		off += len;
	}
	return k;
}

static void test_fragments(void)
{
	char body[1500], msg[1700];
	uint8_t ip[2048], fr[8][2048];
	size_t lens[8], ml, n;
	int k;
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;

	memset(body, 'x', 1200);
	body[1200] = 0;
	ml = mkmsg(msg, sizeof(msg), 1, body);
	n = udp_pkt(ip, "192.0.2.1", "192.0.2.2", msg, ml);
	k = frag4(ip, n, 504, fr, lens);
	T_EQ_INT(k, 3);
	/* last, first, duplicate of first, middle */
	cap_open(&c, SF_CAPFILE_PCAP, 101);
	cap_put(&c, 0, 1, fr[2], lens[2]);
	cap_put(&c, 0, 2, fr[0], lens[0]);
	cap_put(&c, 0, 3, fr[0], lens[0]);
	cap_put(&c, 0, 4, fr[1], lens[1]);
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 1);
	if (g->n)
		T_TRUE(g->len[0] == ml && !memcmp(g->data[0], msg, ml) &&
		       g->m[0].reassembled);
	T_EQ_INT(sf_capdec_get(d, SF_CD_FRAG_REASSEMBLED), 1);
	sf_capdec_free(d);
	free(c.buf);

	/* overlapping fragment with different bytes: datagram dropped */
	cap_open(&c, SF_CAPFILE_PCAP, 101);
	cap_put(&c, 0, 1, fr[0], lens[0]);
	fr[1][30] ^= 1;
	{
		uint8_t ov[2048];

		/* fragment 1 claiming offset 496 (overlaps fragment 0) */
		memcpy(ov, fr[1], lens[1]);
		ov[7] = (uint8_t)(496 / 8);
		cap_put(&c, 0, 2, ov, lens[1]);
	}
	cap_put(&c, 0, 3, fr[1], lens[1]);
	cap_put(&c, 0, 4, fr[2], lens[2]);
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 0);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_FRAG_OVERLAP), 1);
	sf_capdec_free(d);
	free(c.buf);
	free(g);
}

static void test_fragment_v6_and_bogus(void)
{
	char body[1500], msg[1700];
	uint8_t ip[2048], f1[2048], f2[2048];
	sf_ip_t s = ip4("2001:db8::1"), dd = ip4("2001:db8::2");
	size_t ml, n, half;
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;

	memset(body, 'y', 900);
	body[900] = 0;
	ml = mkmsg(msg, sizeof(msg), 2, body);
	n = sf_cap_synth(ip, sizeof(ip), &s, 5060, &dd, 5060, 17, 0, 0,
			 (uint8_t *)msg, ml);
	/* IPv6 fragment header after the fixed header; payload split at 504 */
	half = 504;
	for (int i = 0; i < 2; i++) {
		uint8_t *f = i ? f2 : f1;
		size_t off = i ? half : 0, len = i ? n - 40 - half : half;

		memcpy(f, ip, 40);
		f[6] = 44;
		f[4] = (uint8_t)((len + 8) >> 8);
		f[5] = (uint8_t)(len + 8);
		f[40] = 17;
		f[41] = 0;
		f[42] = (uint8_t)((off >> 8) & 0xff);
		f[43] = (uint8_t)((off & 0xf8) | (i ? 0 : 1));
		memcpy(f + 44, "\0\0\0\x2a", 4);
		memcpy(f + 48, ip + 40 + off, len);
	}
	cap_open(&c, SF_CAPFILE_PCAP, 229);
	cap_put(&c, 0, 1, f2, 48 + n - 40 - half);
	cap_put(&c, 0, 2, f1, 48 + half);
	/* bogus: a non-final fragment whose length is not a multiple of 8 */
	{
		uint8_t b[2048];

		memcpy(b, f1, 48 + half);
		b[47] = 0x2b;   /* another datagram id */
		b[4] = (uint8_t)((half + 8 - 3) >> 8);
		b[5] = (uint8_t)(half + 8 - 3);
		cap_put(&c, 0, 3, b, 48 + half - 3);
	}
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 1);
	if (g->n)
		T_TRUE(g->len[0] == ml && !memcmp(g->data[0], msg, ml));
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_FRAG_BOGUS), 1);
	sf_capdec_free(d);
	free(c.buf);
	free(g);
}

static void test_fragment_bounds(void)
{
	sf_ipfrag_t *t = sf_ipfrag_new(4, 3, 4096, 1000000);
	sf_ipfrag_key_t k;
	uint8_t data[1024] = {0};
	const uint8_t *out;
	uint32_t ol;

	memset(&k, 0, sizeof(k));
	/* 10 incomplete datagrams into a table of 4: 6 evicted */
	for (uint32_t i = 0; i < 10; i++) {
		k.id = i;
		T_EQ_INT(sf_ipfrag_add(t, &k, 1, 0, data, 512, true, &out,
				       &ol), SF_FRAG_PENDING);
	}
	T_EQ_INT(sf_ipfrag_stats(t)->limit, 6);
	/* byte cap: 4 x 512 = 2048 held; another 3 x 1024 forces evictions */
	k.id = 100;
	sf_ipfrag_add(t, &k, 2, 0, data, 1024, true, &out, &ol);
	sf_ipfrag_add(t, &k, 2, 1024, data, 1024, true, &out, &ol);
	T_TRUE(sf_ipfrag_stats(t)->limit > 6);
	/* fragments per datagram: the 4th is refused */
	k.id = 200;
	sf_ipfrag_add(t, &k, 3, 0, data, 8, true, &out, &ol);
	sf_ipfrag_add(t, &k, 3, 8, data, 8, true, &out, &ol);
	sf_ipfrag_add(t, &k, 3, 16, data, 8, true, &out, &ol);
	T_EQ_INT(sf_ipfrag_add(t, &k, 3, 24, data, 8, true, &out, &ol),
		 SF_FRAG_DROPPED);
	/* timeout in capture time */
	k.id = 300;
	sf_ipfrag_add(t, &k, 10, 0, data, 8, true, &out, &ol);
	{
		uint64_t before = sf_ipfrag_stats(t)->timeout;

		k.id = 301;
		sf_ipfrag_add(t, &k, 5000000, 0, data, 8, true, &out, &ol);
		T_TRUE(sf_ipfrag_stats(t)->timeout > before);
	}
	/* past 65535 */
	k.id = 400;
	T_EQ_INT(sf_ipfrag_add(t, &k, 5000000, 65530, data, 16, false, &out,
			       &ol), SF_FRAG_DROPPED);
	sf_ipfrag_free(t);
}

/* Writes TCP segments of stream bytes [a,b) with seq base isn. */
static void tcp_seg(cap_t *c, uint64_t ts, const char *stream, size_t a,
		    size_t b, uint32_t isn, int flags)
{
	uint8_t ip[4096], fr[4200];
	sf_ip_t s = ip4("192.0.2.1"), d = ip4("192.0.2.2");
	size_t n = sf_cap_synth(ip, sizeof(ip), &s, 40000, &d, 5060, 6,
				isn + (uint32_t)a, 0,
				(const uint8_t *)stream + a, b - a);

	ip[33] = (uint8_t)(0x10 | flags);
	n = wrap(1, 0, ip, n, fr);
	cap_put(c, 0, ts, fr, n);
}

static void test_tcp_reassembly(void)
{
	char stream[4096];
	size_t l1, l2, l3, tot;
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;
	char body[600];

	memset(body, 'b', 500);
	body[500] = 0;
	l1 = mkmsg(stream, sizeof(stream), 1, body);
	l2 = mkmsg(stream + l1, sizeof(stream) - l1, 2, "two");
	l3 = mkmsg(stream + l1 + l2, sizeof(stream) - l1 - l2, 3, "three");
	tot = l1 + l2 + l3;
	cap_open(&c, SF_CAPFILE_PCAP, 1);
	tcp_seg(&c, 1, stream, 0, 0, 999, 0x02);  /* SYN, isn 999 -> 1000 */
	/* message 1 over three segments; segment 3 carries msg 2 and 3 too */
	tcp_seg(&c, 2, stream, 300, l1, 1000, 0);       /* out of order */
	tcp_seg(&c, 3, stream, 0, 150, 1000, 0);
	tcp_seg(&c, 4, stream, 0, 150, 1000, 0);        /* retransmission */
	tcp_seg(&c, 5, stream, 100, 300, 1000, 0);      /* overlapping */
	tcp_seg(&c, 6, stream, l1, tot, 1000, 0);       /* two messages */
	tcp_seg(&c, 7, stream, l1, tot, 1000, 0x01);    /* retrans + FIN */
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 3);
	if (g->n == 3) {
		T_TRUE(g->len[0] == l1 && !memcmp(g->data[0], stream, l1));
		T_TRUE(g->len[1] == l2 &&
		       !memcmp(g->data[1], stream + l1, l2));
		T_TRUE(g->len[2] == l3 &&
		       !memcmp(g->data[2], stream + l1 + l2, l3));
		T_EQ_INT(g->m[0].proto, SF_CAP_TCP);
		T_EQ_INT(g->m[1].stream_off, l1);
		T_EQ_INT(g->m[0].frame, 5);
	}
	T_TRUE(sf_capdec_get(d, SF_CD_TCP_RETRANS) >= 2);
	T_EQ_INT(sf_capdec_get(d, SF_CD_TCP_OOO), 1);
	sf_capdec_free(d);
	free(c.buf);
	free(g);
}

static void test_tcp_midstream_and_gap(void)
{
	char stream[8192];
	size_t l[6], off[7], i;
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;
	sf_capdec_limits_t lim;

	/* junk first (joined mid-message), then messages; no SYN */
	off[0] = (size_t)snprintf(stream, sizeof(stream), "tail of a body ");
	for (i = 0; i < 6; i++) {
		l[i] = mkmsg(stream + off[i], sizeof(stream) - off[i], (int)i,
			     "abcdefgh");
		off[i + 1] = off[i] + l[i];
	}
	sf_capdec_limits_default(&lim);
	lim.tcp_max_ooo = 2;
	cap_open(&c, SF_CAPFILE_PCAP, 1);
	tcp_seg(&c, 1, stream, 0, off[1], 5000, 0);        /* junk + msg 0 */
	/* msg 1 is lost; msgs 2..4 arrive: the queue of 2 overflows */
	tcp_seg(&c, 2, stream, off[2], off[3], 5000, 0);
	tcp_seg(&c, 3, stream, off[3], off[4], 5000, 0);
	tcp_seg(&c, 4, stream, off[4], off[5], 5000, 0);
	tcp_seg(&c, 5, stream, off[5], off[6], 5000, 0);
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, &lim, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 5); /* 0, 2, 3, 4, 5 */
	if (g->n == 5) {
		T_TRUE(!memcmp(g->data[0], stream + off[0], l[0]));
		T_TRUE(!memcmp(g->data[1], stream + off[2], l[2]));
		T_TRUE(!memcmp(g->data[4], stream + off[5], l[5]));
	}
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_TCP_GAP), 1);
	T_TRUE(sf_capdec_get(d, SF_CD_TCP_SKIPPED) >= off[0]);
	sf_capdec_free(d);
	free(c.buf);
	free(g);
}

static void deliver_nop(void *u, const sf_tcp_key_t *k, uint64_t ts,
			const uint8_t *data, size_t len, uint64_t off)
{
	(void)u, (void)k, (void)ts, (void)data, (void)len, (void)off;
}

static void test_tcp_bounds(void)
{
	sf_tcp_limits_t lim = {.max_flows = 8, .max_buffer = 4096,
			       .max_ooo = 4, .max_ooo_bytes = 4096,
			       .max_bytes = 16384, .idle_us = 1000000};
	sf_tcp_t *t = sf_tcp_new(&lim, deliver_nop, test_frame, NULL);
	sf_tcp_key_t k;
	uint8_t data[1000];

	memset(data, 'M', sizeof(data)); /* never completes: buffered */
	memcpy(data, "MSG", 3);
	memset(&k, 0, sizeof(k));
	for (uint16_t i = 0; i < 100; i++) {
		k.sport = i;
		for (uint32_t s = 0; s < 3; s++)
			sf_tcp_segment(t, &k, 10, 1 + s * 1000, 0, data,
				       sizeof(data));
		T_TRUE(sf_tcp_buffered(t) <= lim.max_bytes + 1000);
	}
	T_EQ_INT(sf_tcp_stats(t)->flows, 100);
	T_TRUE(sf_tcp_stats(t)->limit >= 92);
	/* idle expiry */
	k.sport = 9999;
	sf_tcp_segment(t, &k, 5000000, 1, 0, data, 10);
	T_TRUE(sf_tcp_buffered(t) <= 10);
	sf_tcp_free(t);
}

/* A segment exactly 2^31 bytes behind the next expected one is old data
 * (retransmission), not UB: -INT32_MIN overflowed here (UBSan in
 * fuzz_pcap; regression input tests/fuzz/corpus/pcap/regress-tcp-seq-
 * 2pow31-behind).  Same for a queued segment drained at that distance. */
static void test_tcp_half_window(void)
{
	sf_tcp_limits_t lim = {.max_flows = 8, .max_buffer = 4096,
			       .max_ooo = 4, .max_ooo_bytes = 4096,
			       .max_bytes = 16384, .idle_us = 1000000};
	sf_tcp_t *t = sf_tcp_new(&lim, deliver_nop, test_frame, NULL);
	sf_tcp_key_t k;
	uint8_t data[10];

	memset(data, 'M', sizeof(data));
	memset(&k, 0, sizeof(k));
	sf_tcp_segment(t, &k, 1, 999, SF_TCP_SYN, NULL, 0); /* next: 1000 */
	sf_tcp_segment(t, &k, 2, 1000u + 0x80000000u, 0, data, sizeof(data));
	T_EQ_INT(sf_tcp_stats(t)->retrans, 1);
	T_EQ_INT(sf_tcp_buffered(t), 0);
	sf_tcp_free(t);
}

static void test_hep(void)
{
	char msg[256];
	size_t ml = mkmsg(msg, sizeof(msg), 7, "hep body");
	sf_hep_t h, back;
	uint8_t hep[1024], ip[2048], fr[2100];
	size_t hl, n;
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_ip_t cs = ip4("10.0.0.9"), cd = ip4("10.0.0.10");
	char a[64];

	memset(&h, 0, sizeof(h));
	h.src = ip4("203.0.113.7");
	h.dst = ip4("198.51.100.9");
	h.sport = 5062;
	h.dport = 5060;
	h.proto = 17;
	h.ts_sec = 1700000001;
	h.ts_usec = 250;
	h.payload_type = 1;
	h.payload = (uint8_t *)msg;
	h.payload_len = ml;
	hl = sf_hep_build(&h, hep, sizeof(hep));
	T_TRUE(hl > 0);
	T_EQ_INT(sf_hep_parse(hep, hl, &back), 0);
	T_EQ_INT(back.sport, 5062);
	T_EQ_INT(sf_hep_parse(hep, hl - 1, &back), SF_EPARSE);
	hep[5] ^= 0x40; /* total length lies */
	T_EQ_INT(sf_hep_parse(hep, hl, &back), SF_EPARSE);
	hep[5] ^= 0x40;

	cap_open(&c, SF_CAPFILE_PCAP, 1);
	n = sf_cap_synth(ip, sizeof(ip), &cs, 40000, &cd, 9060, 17, 0, 0, hep,
			 hl);
	n = wrap(1, 0, ip, n, fr);
	cap_put(&c, 0, 5, fr, n);
	/* the same over TCP, two HEP packets in one segment */
	{
		uint8_t two[2048];

		memcpy(two, hep, hl);
		memcpy(two + hl, hep, hl);
		n = sf_cap_synth(ip, sizeof(ip), &cs, 40001, &cd, 9060, 6, 1,
				 0, two, 2 * hl);
		n = wrap(1, 0, ip, n, fr);
		cap_put(&c, 0, 6, fr, n);
	}
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, NULL, NULL, NULL), 0);
	T_EQ_INT(g->n, 3);
	for (int i = 0; i < g->n; i++) {
		T_TRUE(g->m[i].hep);
		T_EQ_STR(sf_ip_format(&g->m[i].src, a, sizeof(a)),
			 "203.0.113.7");
		T_EQ_INT(g->m[i].ts_us, 1700000001000250ull);
		T_TRUE(g->len[i] == ml && !memcmp(g->data[i], msg, ml));
	}
	free(c.buf);
	free(g);
}

static void test_sctp_and_ipip(void)
{
	char msg[256];
	size_t ml = mkmsg(msg, sizeof(msg), 8, "sctp");
	uint8_t pkt[1024], ip[2048], outer[2100];
	size_t cl = 16 + ml, n;
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;

	/* IPv4 + SCTP common header + one DATA chunk (B|E) */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	n = 20 + 12 + ((cl + 3) & ~(size_t)3);
	pkt[2] = (uint8_t)(n >> 8);
	pkt[3] = (uint8_t)n;
	pkt[8] = 64;
	pkt[9] = 132;
	memcpy(pkt + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	pkt[20] = 0x13;
	pkt[21] = 0xc4;
	pkt[22] = 0x13;
	pkt[23] = 0xc4;
	pkt[32] = 0;
	pkt[33] = 3;
	pkt[34] = (uint8_t)(cl >> 8);
	pkt[35] = (uint8_t)cl;
	memcpy(pkt + 48, msg, ml);
	cap_open(&c, SF_CAPFILE_PCAP, 1);
	cap_put(&c, 0, 1, outer, wrap(1, 0, pkt, n, outer));
	/* IP-in-IP: the same SCTP packet inside an outer IPv4 header */
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((n + 20) >> 8);
	ip[3] = (uint8_t)(n + 20);
	ip[8] = 64;
	ip[9] = 4;
	memcpy(ip + 20, pkt, n);
	cap_put(&c, 0, 2, outer, wrap(1, 0, ip, n + 20, outer));
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 2);
	for (int i = 0; i < g->n; i++) {
		T_EQ_INT(g->m[i].proto, SF_CAP_SCTP);
		T_TRUE(g->len[i] == ml && !memcmp(g->data[i], msg, ml));
	}
	T_EQ_INT(sf_capdec_get(d, SF_CD_TUNNELS), 1);
	sf_capdec_free(d);
	free(c.buf);
	free(g);
}

static void test_pcapng_mixed(void)
{
	char msg[256];
	size_t ml = mkmsg(msg, sizeof(msg), 9, "ng");
	uint8_t ip[2048], fr[2100];
	sf_ip_t s = ip4("192.0.2.1"), d = ip4("192.0.2.2");
	size_t n = sf_cap_synth(ip, sizeof(ip), &s, 1, &d, 2, 17, 0, 0,
				(uint8_t *)msg, ml);
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	int raw;

	cap_open(&c, SF_CAPFILE_PCAPNG, 1);
	raw = sf_pcapw_add_iface(c.w, 101);
	T_EQ_INT(raw, 1);
	cap_put(&c, 0, 10, fr, wrap(1, 0, ip, n, fr));
	cap_put(&c, raw, 11, ip, n);
	cap_put(&c, 0, 12, fr, wrap(1, 0, ip, n, fr));
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, NULL, NULL, NULL), 0);
	T_EQ_INT(g->n, 3);
	T_EQ_INT(g->m[1].ts_us, 11);
	/* truncated pcapng: the last block cut short -> error after 2 */
	{
		uint64_t np;

		T_EQ_INT(decode_mem(c.buf, c.len - 10, g, NULL, NULL, NULL,
				    &np), SF_EPARSE);
		T_EQ_INT(np, 2);
		T_EQ_INT(g->n, 2);
	}
	/* corrupt block length in the second EPB */
	{
		char *bad = malloc(c.len);
		size_t epb2 = 28 + 32 + 32 + (32 + ((14 + n + 3) & ~3u));

		memcpy(bad, c.buf, c.len);
		bad[epb2 + 4] = 7;
		T_EQ_INT(decode_mem(bad, c.len, g, NULL, NULL, NULL, NULL),
			 SF_EPARSE);
		T_EQ_INT(g->n, 1);
		free(bad);
	}
	free(c.buf);
	free(g);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_pcapng_big_endian(void)
{
	char msg[128];
	size_t ml = mkmsg(msg, sizeof(msg), 10, "be");
	uint8_t ip[512], f[1024];
	sf_ip_t s = ip4("192.0.2.1"), d = ip4("192.0.2.2");
	size_t n = sf_cap_synth(ip, sizeof(ip), &s, 1, &d, 2, 17, 0, 0,
				(uint8_t *)msg, ml);
	size_t o = 0, pad = (4 - (n & 3)) & 3, epb = 32 + n + pad;
	got_t *g = calloc(1, sizeof(*g));

	memset(f, 0, sizeof(f));
	put_be32(f + o, 0x0A0D0D0A); put_be32(f + o + 4, 28);
	put_be32(f + o + 8, 0x1A2B3C4D);
	f[o + 13] = 1; /* major 1 */
	put_be32(f + o + 16, 0xffffffff); put_be32(f + o + 20, 0xffffffff);
	put_be32(f + o + 24, 28);
	o += 28;
	/* IDB: linktype 228, tsresol 9 (ns) */
	put_be32(f + o, 1); put_be32(f + o + 4, 28);
	f[o + 9] = 228;
	put_be32(f + o + 12, 65535);
	f[o + 17] = 9; f[o + 19] = 1; f[o + 20] = 9;
	put_be32(f + o + 24, 28);
	o += 28;
	put_be32(f + o, 6); put_be32(f + o + 4, (uint32_t)epb);
	put_be32(f + o + 12, 0);
	put_be32(f + o + 16, 1500000123); /* ns */
	put_be32(f + o + 20, (uint32_t)n); put_be32(f + o + 24, (uint32_t)n);
	memcpy(f + o + 28, ip, n);
	put_be32(f + o + epb - 4, (uint32_t)epb);
	o += epb;
	T_EQ_INT(decode_mem(f, o, g, NULL, NULL, NULL, NULL), 0);
	T_EQ_INT(g->n, 1);
	T_EQ_INT(g->m[0].ts_us, 1500000);
	free(g);
}

static void test_truncated_and_snaplen(void)
{
	char msg[256];
	size_t ml = mkmsg(msg, sizeof(msg), 11, "snap");
	uint8_t ip[2048], fr[2100];
	size_t n = udp_pkt(ip, "192.0.2.1", "192.0.2.2", msg, ml);
	cap_t c;
	got_t *g = calloc(1, sizeof(*g));
	sf_capdec_t *d;
	uint64_t np;

	n = wrap(1, 0, ip, n, fr);
	cap_open(&c, SF_CAPFILE_PCAP, 1);
	cap_put(&c, 0, 1, fr, n);
	sf_pcapw_write(c.w, 0, 2, fr, 60, (uint32_t)n); /* snaplen 60 */
	sf_pcapw_write(c.w, 0, 3, fr, 20, 10);           /* caplen > len */
	cap_put(&c, 0, 4, fr, n);
	cap_close(&c);
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, &d, NULL, NULL), 0);
	T_EQ_INT(g->n, 2);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_TRUNCATED), 1);
	T_EQ_INT(sf_capdec_get(d, SF_CD_E_CAPLEN), 1);
	sf_capdec_free(d);
	/* file cut in the middle of the last record */
	T_EQ_INT(decode_mem(c.buf, c.len - 5, g, NULL, NULL, NULL, &np),
		 SF_EPARSE);
	T_EQ_INT(np, 3);
	/* not a capture at all, and an empty input */
	T_EQ_INT(decode_mem("hello world", 11, g, NULL, NULL, NULL, NULL),
		 SF_EPARSE);
	T_EQ_INT(decode_mem("", 0, g, NULL, NULL, NULL, NULL), SF_EPARSE);
	free(c.buf);
	free(g);
}

/* ---- classic pcap records, byte by byte ------------------------------- */

typedef struct raw {
	uint8_t b[8192];
	size_t n;
	bool be;
	unsigned hdr; /* record header size: 16, or 24 (Kuznetzov) */
} raw_t;

static void raw_u32(raw_t *r, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		r->b[r->n++] = (uint8_t)(r->be ? v >> (24 - 8 * i)
					       : v >> (8 * i));
}

static void raw_u16(raw_t *r, uint16_t v)
{
	r->b[r->n++] = (uint8_t)(r->be ? v >> 8 : v);
	r->b[r->n++] = (uint8_t)(r->be ? v : v >> 8);
}

static void raw_start(raw_t *r, bool be, uint32_t magic, uint16_t vmaj,
		      uint16_t vmin, uint32_t snaplen, uint32_t lt)
{
	r->n = 0;
	r->be = be;
	r->hdr = magic == 0xa1b2cd34u ? 24 : 16;
	raw_u32(r, magic);
	raw_u16(r, vmaj);
	raw_u16(r, vmin);
	raw_u32(r, 0);
	raw_u32(r, 0);
	raw_u32(r, snaplen);
	raw_u32(r, lt);
}

/* A record header with the given fields and `data` bytes of 'a'..'z'. */
static void raw_rec(raw_t *r, uint32_t sec, uint32_t frac, uint32_t caplen,
		    uint32_t len, size_t data)
{
	raw_u32(r, sec);
	raw_u32(r, frac);
	raw_u32(r, caplen);
	raw_u32(r, len);
	for (unsigned i = 16; i < r->hdr; i++)
		r->b[r->n++] = (uint8_t)i;
	for (size_t i = 0; i < data && r->n < sizeof(r->b); i++)
		r->b[r->n++] = (uint8_t)('a' + i % 26);
}

/* Every packet (ts, caplen, len, bytes) and the end ("end" or the error
 * text) as one string, read (a) by libpcap, (b) by sf_capfile from a
 * file and (c) from a FILE stream. */
static void raw_read(const raw_t *r, char *lib, char *file, char *mem,
		     size_t cap)
{
	char path[] = "/tmp/sf_test_rawcap_XXXXXX", ebuf[PCAP_ERRBUF_SIZE];
	int fd = mkstemp(path);
	pcap_t *p;
	size_t o;

	T_TRUE(fd >= 0 && write(fd, r->b, r->n) == (ssize_t)r->n);
	close(fd);
	o = 0;
	p = pcap_open_offline(path, ebuf);
	if (!p) {
		snprintf(lib, cap, "open: %s", ebuf);
	} else {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc;

		while ((rc = pcap_next_ex(p, &h, &d)) == 1 && o < cap - 64)
			o += (size_t)snprintf(
				lib + o, cap - o, "%llu/%u/%u/%.*s;",
				(unsigned long long)((uint64_t)h->ts.tv_sec *
							     1000000u +
						     (uint64_t)h->ts.tv_usec),
				h->caplen, h->len, (int)h->caplen, d);
		snprintf(lib + o, cap - o, "%s",
			 rc == -1 ? pcap_geterr(p) : "end");
		pcap_close(p);
	}
	for (int k = 0; k < 2; k++) {
		char *out = k ? mem : file;
		FILE *fp = k ? fmemopen((void *)r->b, r->n, "rb") : NULL;
		sf_capfile_t *f;
		sf_cap_pkt_t pkt;
		sf_err_t err;
		int rc;

		o = 0;
		rc = k ? sf_capfile_open_fp(fp, "mem", &f, &err)
		       : sf_capfile_open(path, &f, &err);
		if (rc < 0) {
			snprintf(out, cap, "open: %s", err.msg);
		} else {
			while ((rc = sf_capfile_next(f, &pkt, &err)) == 1 &&
			       o < cap - 64)
				o += (size_t)snprintf(
					out + o, cap - o, "%llu/%u/%u/%.*s;",
					(unsigned long long)pkt.ts_us,
					pkt.caplen, pkt.len, (int)pkt.caplen,
					pkt.data);
			/* ours prefixes libpcap's sentence */
			snprintf(out + o, cap - o, "%s",
				 rc < 0 ? (strncmp(err.msg, "corrupt pcap "
							    "file: ", 19)
					   ? err.msg : err.msg + 19)
					: "end");
			sf_capfile_close(f);
		}
		if (fp)
			fclose(fp);
	}
	unlink(path);
}

/* Reads r three ways; all must agree, and with `want` when given. */
static void raw_check(const raw_t *r, const char *want, const char *what)
{
	static char lib[16384], file[16384], mem[16384];

	raw_read(r, lib, file, mem, sizeof(lib));
	if (!strncmp(lib, "open: ", 6)) {
		/* refused by both; ours words a file under 4 bytes itself
		 * and prefixes libpcap's sentence otherwise */
		T_TRUE(!strncmp(file, "open: ", 6));
		T_TRUE(!strncmp(mem, "open: ", 6));
		if (strstr(file, "bad pcap file header: "))
			T_EQ_STR(strstr(file, "header: ") + 8, lib + 6);
	} else {
		T_EQ_STR(file, lib);
		T_EQ_STR(mem, lib);
	}
	if (want)
		T_EQ_STR(file, want);
	if (t_cur_failed)
		fprintf(stderr, "    case: %s\n", what);
}

static void test_pcap_records(void)
{
	static const uint32_t magics[] = {0xa1b2c3d4u, 0xa1b23c4du,
					  0xa1b2cd34u};
	raw_t *r = calloc(1, sizeof(*r));
	char what[128];

	/* both byte orders x micro / nano / Kuznetzov: timestamps (signed
	 * in the file's order, unsigned when swapped, as libpcap), caplen >
	 * len passed through, caplen > snaplen cut to snaplen */
	for (int be = 0; be < 2; be++) {
		for (int m = 0; m < 3; m++) {
			raw_start(r, be, magics[m], 2, 4, 64, 1);
			raw_rec(r, 1700000000, 123456789, 5, 5, 5);
			raw_rec(r, 0xffffffffu, 0xfffffff0u, 4, 2, 4);
			raw_rec(r, 0x80000000u, 2999999999u, 3, 3, 3);
			raw_rec(r, 7, 8, 100, 100, 100); /* > snaplen 64 */
			raw_rec(r, 9, 10, 0, 60, 0);
			snprintf(what, sizeof(what), "%s magic %08x",
				 be ? "big-endian" : "little-endian",
				 magics[m]);
			raw_check(r, NULL, what);
		}
	}
	raw_start(r, false, 0xa1b23c4du, 2, 4, 0, 1);
	raw_rec(r, 1, 999999999, 2, 2, 2);
	raw_check(r, "1999999/2/2/ab;end", "nanoseconds scaled down");
	raw_start(r, true, 0xa1b2c3d4u, 2, 4, 0, 1);
	raw_rec(r, 2, 5, 3, 40, 3);
	raw_check(r, "2000005/3/40/abc;end", "big-endian micro");

	/* versions before 2.3 store len before caplen; 2.3 when caplen >
	 * len; 543.0 (DG/UX) always */
	raw_start(r, false, 0xa1b2c3d4u, 2, 2, 0, 1);
	raw_rec(r, 1, 0, 90, 3, 3);
	raw_check(r, "1000000/3/90/abc;end", "version 2.2 swapped lengths");
	raw_start(r, false, 0xa1b2c3d4u, 2, 3, 0, 1);
	raw_rec(r, 1, 0, 90, 3, 3);
	raw_rec(r, 1, 0, 2, 90, 2);
	raw_check(r, NULL, "version 2.3 maybe-swapped lengths");
	raw_start(r, true, 0xa1b2c3d4u, 543, 0, 0, 1);
	raw_rec(r, 1, 0, 90, 3, 3);
	raw_check(r, NULL, "version 543.0");
	raw_start(r, false, 0xa1b2c3d4u, 2, 5, 0, 1);
	raw_check(r, NULL, "unsupported version");
	raw_start(r, false, 0xa1b2c3d4u, 1, 0, 0, 1);
	raw_check(r, NULL, "archaic version");

	/* bounded record sizes: above the link type's maximum (256 KiB) is
	 * an error naming the snaplen or the maximum */
	raw_start(r, false, 0xa1b2c3d4u, 2, 4, 0, 1);
	raw_rec(r, 1, 0, 3, 3, 3);
	raw_rec(r, 1, 0, 262145, 262145, 10);
	raw_check(r, "1000000/3/3/abc;invalid packet capture length 262145, "
		     "bigger than snaplen of 262144", "caplen > maximum");
	raw_start(r, false, 0xa1b2c3d4u, 2, 4, 300000, 1);
	raw_rec(r, 1, 0, 262145, 262145, 10);
	raw_check(r, NULL, "caplen > maximum, snaplen above the maximum");
	raw_start(r, true, 0xa1b2c3d4u, 2, 4, 0, 1);
	raw_rec(r, 1, 0, 0xffffffffu, 1, 10);
	raw_check(r, NULL, "caplen 2^32-1");

	/* truncation: in the last record's header, in its data, in the
	 * part beyond the snaplen, and in the file header */
	raw_start(r, false, 0xa1b2c3d4u, 2, 4, 8, 1);
	raw_rec(r, 1, 0, 3, 3, 3);
	raw_rec(r, 1, 0, 20, 20, 20);
	for (size_t cut = 0; cut < 24 + 19 + 36; cut++) {
		size_t n = r->n;

		r->n = cut;
		snprintf(what, sizeof(what), "cut at %zu", cut);
		raw_check(r, NULL, what);
		r->n = n;
	}
	r->n -= 5;
	raw_check(r, "1000000/3/3/abc;truncated dump file; tried to read 20 "
		     "captured bytes, only got 15", "cut beyond the snaplen");
	r->n -= 10;
	raw_check(r, "1000000/3/3/abc;truncated dump file; tried to read 8 "
		     "captured bytes, only got 5", "cut inside the snaplen");
	r->n -= 10;
	raw_check(r, "1000000/3/3/abc;truncated dump file; tried to read 16 "
		     "header bytes, only got 11", "cut in a record header");
	free(r);
}

/* A record larger than the initial read buffer, then small ones. */
static void test_pcap_big_record(void)
{
	char path[] = "/tmp/sf_test_bigrec_XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "wb");
	uint8_t *big = malloc(262144);
	raw_t *r = calloc(1, sizeof(*r));
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	sf_err_t err;

	for (size_t i = 0; i < 262144; i++)
		big[i] = (uint8_t)(i * 7);
	raw_start(r, false, 0xa1b2c3d4u, 2, 4, 0, 1);
	for (int i = 0; i < 3; i++)
		raw_rec(r, 1, (uint32_t)i, 4, 4, 4);
	raw_rec(r, 2, 0, 262144, 262144, 0);
	fwrite(r->b, 1, r->n, fp);
	fwrite(big, 1, 262144, fp);
	r->n = 0;
	raw_rec(r, 3, 0, 5, 5, 5);
	fwrite(r->b, 1, r->n, fp);
	fclose(fp);
	T_EQ_INT(sf_capfile_open(path, &f, &err), 0);
	for (int i = 0; i < 3; i++) {
		T_EQ_INT(sf_capfile_next(f, &pkt, &err), 1);
		T_EQ_INT(pkt.caplen, 4);
		T_EQ_INT(pkt.ts_us, 1000000u + (uint64_t)i);
	}
	T_EQ_INT(sf_capfile_next(f, &pkt, &err), 1);
	T_EQ_INT(pkt.caplen, 262144);
	T_TRUE(!memcmp(pkt.data, big, 262144));
	T_EQ_INT(sf_capfile_next(f, &pkt, &err), 1);
	T_EQ_INT(pkt.ts_us, 3000000);
	T_EQ_INT(pkt.caplen, 5);
	T_EQ_INT(sf_capfile_next(f, &pkt, &err), 0);
	T_EQ_INT(sf_capfile_offset(f), sf_capfile_size(f));
	sf_capfile_close(f);
	unlink(path);
	free(big);
	free(r);
}

static void test_gzip_and_filter(void)
{
	char msg[256], path[] = "/tmp/sf_test_capture_XXXXXX";
	size_t ml = mkmsg(msg, sizeof(msg), 12, "gz");
	uint8_t ip[2048], fr[2100];
	sf_ip_t s = ip4("192.0.2.1"), d = ip4("192.0.2.2");
	size_t n;
	cap_t c;
	gzFile gz;
	int fd = mkstemp(path);
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	sf_err_t err;
	int count = 0;
	got_t *g = calloc(1, sizeof(*g));

	cap_open(&c, SF_CAPFILE_PCAP, 1);
	n = sf_cap_synth(ip, sizeof(ip), &s, 5060, &d, 5060, 17, 0, 0,
			 (uint8_t *)msg, ml);
	cap_put(&c, 0, 1, fr, wrap(1, 0, ip, n, fr));
	n = sf_cap_synth(ip, sizeof(ip), &s, 5070, &d, 5070, 17, 0, 0,
			 (uint8_t *)msg, ml);
	cap_put(&c, 0, 2, fr, wrap(1, 0, ip, n, fr));
	cap_close(&c);
	gz = gzdopen(fd, "wb");
	gzwrite(gz, c.buf, (unsigned)c.len);
	gzclose(gz);
	T_EQ_INT(sf_capfile_open(path, &f, &err), 0);
	T_TRUE(sf_capfile_compressed(f));
	T_EQ_INT(sf_capfile_set_filter(f, "udp port 5060", &err), 0);
	while (sf_capfile_next(f, &pkt, &err) == 1)
		count++;
	T_EQ_INT(count, 1);
	T_EQ_INT(sf_capfile_filtered(f), 1);
	T_EQ_INT(sf_capfile_set_filter(f, "udp prot 5060", &err), SF_EINVAL);
	sf_capfile_close(f);
	unlink(path);
	T_TRUE(sf_capfile_open(path, &f, &err) == SF_EIO);
	/* BPF through the in-memory path, on a pcapng */
	T_EQ_INT(decode_mem(c.buf, c.len, g, NULL, NULL, "udp port 5070",
			    NULL), 0);
	T_EQ_INT(g->n, 1);
	free(c.buf);
	free(g);
}

/* Feeds a whole capture to d (which is not reset first) and finishes. */
static void feed_capture(sf_capdec_t *d, const cap_t *c)
{
	FILE *fp = fmemopen(c->buf, c->len, "rb");
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	sf_err_t err;

	T_EQ_INT(sf_capfile_open_fp(fp, "mem", &f, &err), 0);
	while (sf_capfile_next(f, &pkt, &err) == 1)
		sf_capdec_packet(d, &pkt);
	sf_capdec_finish(d);
	sf_capfile_close(f);
	fclose(fp);
}

/* sf_capdec_reset: a decoder that has decoded something else and is reset
 * decodes a capture exactly as a new one does (messages, frame numbers,
 * every counter), with tables small enough that slots are evicted and
 * reused in between. */
static void test_reset(void)
{
	char stream[4096], body[600];
	size_t l1, l2, tot;
	cap_t a, b;
	got_t *g1 = calloc(1, sizeof(*g1)), *g2 = calloc(1, sizeof(*g2));
	sf_capdec_limits_t lim;
	sf_capdec_t *d1, *d2;

	memset(body, 'b', 500);
	body[500] = 0;
	l1 = mkmsg(stream, sizeof(stream), 1, body);
	l2 = mkmsg(stream + l1, sizeof(stream) - l1, 2, "two");
	tot = l1 + l2;
	cap_open(&a, SF_CAPFILE_PCAP, 1);
	tcp_seg(&a, 1, stream, 0, 0, 999, 0x02);
	tcp_seg(&a, 2, stream, 300, tot, 1000, 0);  /* out of order */
	tcp_seg(&a, 3, stream, 0, 300, 1000, 0);
	cap_close(&a);
	cap_open(&b, SF_CAPFILE_PCAP, 1);
	tcp_seg(&b, 1, stream, 0, 200, 5000, 0);    /* left unfinished */
	tcp_seg(&b, 2, stream, 250, 400, 5000, 0);
	cap_close(&b);
	sf_capdec_limits_default(&lim);
	lim.tcp_max_flows = 1;
	lim.frag_max_datagrams = 1;
	d1 = sf_capdec_new(&lim, on_msg, test_frame, g1);
	d2 = sf_capdec_new(&lim, on_msg, test_frame, g2);
	feed_capture(d1, &a);
	feed_capture(d2, &b);
	feed_capture(d2, &b);
	sf_capdec_reset(d2);
	memset(g2, 0, sizeof(*g2));
	feed_capture(d2, &a);
	T_EQ_INT(g1->n, 2);
	T_EQ_INT(g2->n, g1->n);
	for (int i = 0; i < g1->n && i < g2->n; i++) {
		T_EQ_INT(g2->len[i], g1->len[i]);
		T_EQ_STR(g2->data[i], g1->data[i]);
		T_EQ_INT(g2->m[i].frame, g1->m[i].frame);
		T_EQ_INT(g2->m[i].stream_off, g1->m[i].stream_off);
	}
	for (int c = 0; c < SF_CD_COUNT; c++)
		T_EQ_INT(sf_capdec_get(d2, (sf_capdec_ctr_t)c),
			 sf_capdec_get(d1, (sf_capdec_ctr_t)c));
	sf_capdec_free(d1);
	sf_capdec_free(d2);
	free(a.buf);
	free(b.buf);
	free(g1);
	free(g2);
}

int main(void)
{
	T_RUN(test_link_types);
	T_RUN(test_unsupported_linktype);
	T_RUN(test_fragments);
	T_RUN(test_fragment_v6_and_bogus);
	T_RUN(test_fragment_bounds);
	T_RUN(test_tcp_reassembly);
	T_RUN(test_tcp_midstream_and_gap);
	T_RUN(test_tcp_bounds);
	T_RUN(test_tcp_half_window);
	T_RUN(test_hep);
	T_RUN(test_sctp_and_ipip);
	T_RUN(test_pcapng_mixed);
	T_RUN(test_pcapng_big_endian);
	T_RUN(test_truncated_and_snaplen);
	T_RUN(test_gzip_and_filter);
	T_RUN(test_pcap_records);
	T_RUN(test_pcap_big_record);
	T_RUN(test_reset);
	return T_DONE();
}
