/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_scan.c - cost of the strict SIP scanner (sf_sip_scan) per message.
 *
 * Times a realistic ~900-byte INVITE with SDP, then crafted messages at
 * the 16 KiB size cap built to be as expensive as the caps allow (many
 * unknown headers, 4 KiB lines, parameter-heavy headers, heavy folding,
 * HT-dense values that defeat the word-at-a-time search, a From full of
 * quoted-pairs), and prints ns/message, messages/s, bytes/ns and the
 * ratio to the typical INVITE.  For comparison it times libosip2's
 * osip_message_parse + osip_message_free on the same inputs (fewer
 * iterations for the crafted ones: they are slow there).  Also
 * sf_sip_frame on the typical INVITE.  Figures only, no pass/fail;
 * each figure is the median of 5 runs.  SF_BENCH_N scales the count.
 */
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sipfilter/engine/sf_sip.h"

static volatile unsigned long g_sink;
static sf_sipmsg_t g_m;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char INVITE[] =
    "INVITE sip:+77022223333@ims.operator.kz;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.17:5060;branch=z9hG4bK-524287-1-0;"
    "rport\r\n"
    "Max-Forwards: 69\r\n"
    "From: \"+77012345678\" <sip:+77012345678@ipx.example.net;"
    "user=phone>;tag=8f7e6d5c4b\r\n"
    "To: <sip:+77022223333@ims.operator.kz;user=phone>\r\n"
    "Call-ID: 7d1c2a9e-5b44-4c1e-9a3f-2e6c8b0d4f11@198.51.100.17\r\n"
    "CSeq: 102 INVITE\r\n"
    "Contact: <sip:+77012345678@198.51.100.17:5060;transport=udp>\r\n"
    "P-Asserted-Identity: <sip:+77012345678@ipx.example.net;user=phone>\r\n"
    "P-Asserted-Identity: <tel:+77012345678>\r\n"
    "Privacy: none\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO\r\n"
    "Supported: 100rel, timer\r\n"
    "User-Agent: IPX-SBC/4.2\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 240\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 3849392833 3849392833 IN IP4 198.51.100.17\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.17\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 8 0 101\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

#define CAP SF_SIP_DEFAULT_MAX_MESSAGE
#define RL "INVITE sip:+77022223333@ims.operator.kz SIP/2.0\r\n"
#define REQ_HDRS                                                               \
	"Via: SIP/2.0/UDP 198.51.100.17:5060;branch=z9hG4bK-1\r\n"             \
	"From: <sip:+77012345678@ipx.example.net>;tag=1\r\n"                   \
	"To: <sip:+77022223333@ims.operator.kz>\r\n"                           \
	"Call-ID: crafted@198.51.100.17\r\n"                                   \
	"CSeq: 1 INVITE\r\n"                                                   \
	"Content-Length: 0\r\n"

/* Appends fmt to b (bounded by CAP - 2, leaving room for the blank line). */
static size_t add(char *b, size_t n, const char *s, size_t len)
{
	if (n + len > CAP - 2)
		return n;
	memcpy(b + n, s, len);
	return n + len;
}

/* Fills header lines "name: " + filler up to about line bytes each, until
 * the message is as close to CAP as possible, and within the caps. */
static size_t craft(char *b, const char *name, size_t line, int kind)
{
	size_t n = 0;
	int hdrs = 6;

	n = add(b, n, RL REQ_HDRS, sizeof(RL REQ_HDRS) - 1);
	while (hdrs < SF_SIP_MAX_HEADERS && n + 16 < CAP - 2) {
		char l[SF_SIP_MAX_LINE + 8];
		size_t k = (size_t)snprintf(l, sizeof(l), "%s%d: ", name, hdrs);
		size_t room = CAP - 2 - n;
		size_t want = line < room ? line : room;

		if (want < k + 4)
			break;
		while (k + 2 < want) {
			size_t r = want - 2 - k;

			switch (kind) {
			case 0: /* plain text */
				l[k] = (char)('a' + (int)(k % 26));
				k++;
				break;
			case 1: /* ;pN=v parameters */
				if (r < 8) {
					l[k++] = 'x';
					break;
				}
				k += (size_t)snprintf(l + k, 9, ";p%04d=v",
						      (int)(k % 10000));
				break;
			case 2: /* fold every 2 bytes: "\r\n a" */
				if (r < 4) {
					l[k++] = 'x';
					break;
				}
				memcpy(l + k, "\r\n a", 4);
				k += 4;
				break;
			case 3: /* HT-dense: a special byte every other byte */
				l[k] = (k & 1) ? '\t' : 'a';
				k++;
				break;
			}
		}
		memcpy(l + k, "\r\n", 2);
		k += 2;
		n = add(b, n, l, k);
		hdrs++;
	}
	memcpy(b + n, "\r\n", 2);
	return n + 2;
}

/* A From header of ~4 KiB of quoted-pairs and commas inside quotes: the
 * From/To single-value check walks it byte by byte. */
static size_t craft_from(char *b)
{
	size_t n = 0, k;
	char l[SF_SIP_MAX_LINE];

	n = add(b, n, RL "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n",
		sizeof(RL "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n") - 1);
	k = (size_t)snprintf(l, sizeof(l), "From: \"");
	while (k < SF_SIP_MAX_LINE - 64) {
		memcpy(l + k, "\\\",a", 4);
		k += 4;
	}
	k += (size_t)snprintf(l + k, sizeof(l) - k,
			      "\" <sip:+77012345678@x>;tag=1\r\n");
	n = add(b, n, l, k);
	n = add(b, n, "To: <sip:a@b>\r\nCall-ID: c@d\r\nCSeq: 1 INVITE\r\n",
		sizeof("To: <sip:a@b>\r\nCall-ID: c@d\r\nCSeq: 1 INVITE\r\n") -
		    1);
	/* pad with 4 KiB Via lines to reach the cap */
	while (n < CAP - SF_SIP_MAX_LINE) {
		size_t j =
		    (size_t)snprintf(l, sizeof(l), "Via: SIP/2.0/UDP h;x=");
		memset(l + j, 'v', SF_SIP_MAX_LINE - 2 - j);
		memcpy(l + SF_SIP_MAX_LINE - 2, "\r\n", 2);
		n = add(b, n, l, SF_SIP_MAX_LINE);
	}
	memcpy(b + n, "\r\n", 2);
	return n + 2;
}

typedef struct {
	const char *name;
	char *buf;
	size_t len;
	int expect_ok; /* 1: scanner accepts it (sanity check) */
} input_t;

/* ns per sf_sip_scan call, median of 5 runs of n calls. */
static double time_scan(const input_t *in, long n)
{
	double r[5];
	sf_sip_limits_t lim = {0, false};

	for (int k = 0; k < 5; k++) {
		double t0 = now();

		for (long i = 0; i < n; i++) {
			sf_sip_scan(in->buf, in->len, &lim, &g_m);
			g_sink += g_m.n_hdrs;
		}
		r[k] = (now() - t0) / (double)n * 1e9;
	}
	qsort(r, 5, sizeof(double), cmp_double);
	return r[2];
}

static double time_frame(const input_t *in, long n)
{
	double r[5];

	for (int k = 0; k < 5; k++) {
		double t0 = now();

		for (long i = 0; i < n; i++)
			g_sink +=
			    (unsigned long)sf_sip_frame(in->buf, in->len, 0);
		r[k] = (now() - t0) / (double)n * 1e9;
	}
	qsort(r, 5, sizeof(double), cmp_double);
	return r[2];
}

/* ns per osip_message_init + parse + free; NUL-terminated copy as the
 * library expects. */
static double time_osip(const input_t *in, long n, int *rc_out)
{
	double r[5];

	for (int k = 0; k < 5; k++) {
		double t0 = now();

		for (long i = 0; i < n; i++) {
			osip_message_t *sip;

			if (osip_message_init(&sip) != 0)
				abort();
			*rc_out = osip_message_parse(sip, in->buf, in->len);
			osip_message_free(sip);
		}
		r[k] = (now() - t0) / (double)n * 1e9;
	}
	qsort(r, 5, sizeof(double), cmp_double);
	return r[2];
}

int main(void)
{
	const char *e = getenv("SF_BENCH_N");
	long n = e && *e ? atol(e) : 200000;
	static char bufs[8][CAP + 1];
	input_t in[8];
	int ni = 0;
	double base = 0, obase = 0;

	parser_init();

	in[ni] =
	    (input_t){"typical INVITE+SDP", bufs[ni], sizeof(INVITE) - 1, 1};
	memcpy(bufs[ni], INVITE, sizeof(INVITE) - 1);
	ni++;
	in[ni] = (input_t){"95 unknown headers", bufs[ni], 0, 1};
	in[ni].len = craft(bufs[ni], "X-Unknown-Header-", 180, 0);
	ni++;
	in[ni] = (input_t){"4 KiB lines", bufs[ni], 0, 1};
	in[ni].len = craft(bufs[ni], "X-Long-", SF_SIP_MAX_LINE, 0);
	ni++;
	in[ni] = (input_t){";pN=v params, 4 KiB", bufs[ni], 0, 1};
	in[ni].len = craft(bufs[ni], "X-Params-", SF_SIP_MAX_LINE, 1);
	ni++;
	in[ni] = (input_t){"params, 95 headers", bufs[ni], 0, 1};
	in[ni].len = craft(bufs[ni], "X-P-", 172, 1);
	ni++;
	in[ni] = (input_t){"fold every 4 bytes", bufs[ni], 0, 1};
	in[ni].len = craft(bufs[ni], "X-Fold-", SF_SIP_MAX_LINE, 2);
	ni++;
	in[ni] = (input_t){"HT every 2nd byte", bufs[ni], 0, 1};
	in[ni].len = craft(bufs[ni], "X-Tab-", SF_SIP_MAX_LINE, 3);
	ni++;
	in[ni] = (input_t){"From of quoted-pairs", bufs[ni], 0, 1};
	in[ni].len = craft_from(bufs[ni]);
	ni++;

	printf("sf_sip_scan, median of 5 x %ld (crafted: x %ld)\n", n, n / 20);
	printf("%-22s %6s %4s %10s %12s %8s %8s | %12s %8s %7s\n", "input",
	       "bytes", "hdrs", "ns/msg", "msgs/s", "B/ns", "x typ",
	       "osip ns/msg", "x typ", "osip/us");
	for (int i = 0; i < ni; i++) {
		long iters = i == 0 ? n : n / 20;
		long oiters = i == 0 ? n / 10 : 20;
		int rc = sf_sip_scan(in[i].buf, in[i].len, NULL, &g_m);
		unsigned hdrs = g_m.n_hdrs;
		int orc = 0;
		double ns, ons;

		if ((rc == 0) != in[i].expect_ok) {
			printf("%-22s unexpected verdict: %s at %u\n",
			       in[i].name, sf_sip_error_name(g_m.error),
			       g_m.error_offset);
			continue;
		}
		ns = time_scan(&in[i], iters < 10 ? 10 : iters);
		ons = time_osip(&in[i], oiters < 5 ? 5 : oiters, &orc);
		if (i == 0) {
			base = ns;
			obase = ons;
		}
		printf(
		    "%-22s %6zu %4u %10.1f %12.0f %8.2f %8.1f | %12.0f %8.1f "
		    "%7.1f%s\n",
		    in[i].name, in[i].len, hdrs, ns, 1e9 / ns,
		    (double)in[i].len / ns, ns / base, ons, ons / obase,
		    ons / ns, orc ? " (osip rc!=0)" : "");
	}
	printf("sf_sip_frame, typical INVITE: %.1f ns\n",
	       time_frame(&in[0], n));
	printf("osip/us column: libosip2 parse+free time / scan time, same "
	       "input\n");
	return g_sink == 42 ? 1 : 0;
}
