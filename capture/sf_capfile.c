/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_capfile.c - capture file input: byte source (zlib or FILE), format
 * detection, libpcap for classic pcap, sf_pcapng for pcapng, BPF filter.
 * See sf_capfile.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sf_capfile.h"
#include "sf_pcapng.h"

#define FILTER_SLOTS 8

typedef struct filt {
	int linktype;
	bool ok;            /* compiled; false = pass everything */
	struct bpf_program prog;
} filt_t;

struct sf_capfile {
	char name[256];
	/* byte source */
	gzFile gz;
	FILE *fp;           /* borrowed plain stream, when gz is NULL */
	uint8_t push[4];
	size_t n_push, push_pos;
	uint64_t size;
	bool compressed;
	/* reader */
	sf_capfile_format_t fmt;
	FILE *cookie;       /* stream given to libpcap */
	pcap_t *pcap;
	int linktype;
	sf_pcapng_t *ng;
	/* filter */
	char *bpf;
	filt_t filt[FILTER_SLOTS];
	unsigned n_filt;
	uint64_t filtered;
};

static long src_read(void *cookie, void *buf, size_t n)
{
	sf_capfile_t *f = cookie;
	size_t done = 0;

	while (f->push_pos < f->n_push && done < n)
		((uint8_t *)buf)[done++] = f->push[f->push_pos++];
	while (done < n) {
		size_t want = n - done;
		long got;

		if (f->gz) {
			if (want > (1u << 30))
				want = 1u << 30;
			got = gzread(f->gz, (uint8_t *)buf + done,
				     (unsigned)want);
			if (got < 0)
				return -1;
		} else {
			got = (long)fread((uint8_t *)buf + done, 1, want,
					  f->fp);
			if (got == 0 && ferror(f->fp))
				return -1;
		}
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (long)done;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t n)
{
	long got = src_read(cookie, buf, n);

	if (got < 0) {
		errno = EIO;
		return -1;
	}
	return got;
}

static int cookie_close(void *cookie)
{
	(void)cookie; /* the source is closed by sf_capfile_close */
	return 0;
}

static bool is_pcap_magic(uint32_t m)
{
	static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34,
					  0xa1b2c3d4};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (m == magics[i] || m == __builtin_bswap32(magics[i]))
			return true;
	return false;
}

static int start(sf_capfile_t *f, sf_err_t *err)
{
	uint32_t magic_le;
	long got = src_read(f, f->push, 4);

	if (got < 0)
		return sf_err_set(err, SF_EIO, f->name, 0, 0,
				  "cannot read capture file");
	if (got < 4)
		return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
				  "not a pcap or pcapng file (%s)",
				  got ? "shorter than a file header"
				      : "empty");
	f->n_push = 4;
	f->push_pos = 0;
	memcpy(&magic_le, f->push, 4);
	if (magic_le == 0x0A0D0D0Au) {
		f->fmt = SF_CAPFILE_PCAPNG;
		f->linktype = -1;
		return sf_pcapng_open(src_read, f, f->name, &f->ng, err);
	}
	if (is_pcap_magic(magic_le)) {
		static const cookie_io_functions_t io = {
			.read = cookie_read, .close = cookie_close};
		char ebuf[PCAP_ERRBUF_SIZE] = "";

		f->fmt = SF_CAPFILE_PCAP;
		f->cookie = fopencookie(f, "r", io);
		if (!f->cookie)
			return sf_err_set(err, SF_ENOMEM, f->name, 0, 0,
					  "out of memory");
		f->pcap = pcap_fopen_offline(f->cookie, ebuf);
		if (!f->pcap) {
			fclose(f->cookie);
			f->cookie = NULL;
			return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
					  "bad pcap file header: %s", ebuf);
		}
		f->cookie = NULL; /* owned by libpcap now */
		f->linktype = pcap_datalink(f->pcap);
		return 0;
	}
	return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
			  "not a pcap or pcapng file (magic %02x %02x %02x "
			  "%02x)", f->push[0], f->push[1], f->push[2],
			  f->push[3]);
}

static sf_capfile_t *alloc_file(const char *name)
{
	sf_capfile_t *f = calloc(1, sizeof(*f));

	if (f)
		snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

int sf_capfile_open(const char *path, sf_capfile_t **out, sf_err_t *err)
{
	sf_capfile_t *f;
	struct stat st;
	uint8_t gzmagic[2];
	int fd, rc;

	*out = NULL;
	f = alloc_file(strcmp(path, "-") ? path : "(stdin)");
	if (!f)
		return sf_err_set(err, SF_ENOMEM, path, 0, 0, "out of memory");
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC)
			       : dup(STDIN_FILENO);
	if (fd < 0) {
		rc = sf_err_set(err, SF_EIO, f->name, 0, 0, "cannot open: %s",
				strerror(errno));
		if (err)
			err->sys_errno = errno;
		free(f);
		return rc;
	}
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			free(f);
			return sf_err_set(err, SF_EIO, path, 0, 0,
					  "is a directory");
		}
		if (S_ISREG(st.st_mode)) {
			f->size = (uint64_t)st.st_size;
			if (pread(fd, gzmagic, 2, 0) == 2 &&
			    gzmagic[0] == 0x1f && gzmagic[1] == 0x8b)
				f->compressed = true;
		}
	}
	f->gz = gzdopen(fd, "rb");
	if (!f->gz) {
		close(fd);
		free(f);
		return sf_err_set(err, SF_ENOMEM, path, 0, 0, "out of memory");
	}
	gzbuffer(f->gz, 128 * 1024);
	rc = start(f, err);
	if (rc < 0) {
		sf_capfile_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

int sf_capfile_open_fp(FILE *fp, const char *name, sf_capfile_t **out,
		       sf_err_t *err)
{
	sf_capfile_t *f = alloc_file(name);
	int rc;

	*out = NULL;
	if (!f)
		return sf_err_set(err, SF_ENOMEM, name, 0, 0, "out of memory");
	f->fp = fp;
	rc = start(f, err);
	if (rc < 0) {
		sf_capfile_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

void sf_capfile_close(sf_capfile_t *f)
{
	if (!f)
		return;
	if (f->pcap)
		pcap_close(f->pcap); /* fcloses the cookie stream */
	if (f->cookie)
		fclose(f->cookie);
	sf_pcapng_close(f->ng);
	if (f->gz)
		gzclose(f->gz);
	for (unsigned i = 0; i < f->n_filt; i++)
		if (f->filt[i].ok)
			pcap_freecode(&f->filt[i].prog);
	free(f->bpf);
	free(f);
}

static filt_t *compile(sf_capfile_t *f, int linktype, sf_err_t *err)
{
	filt_t *ft;
	pcap_t *dead;
	int dlt = linktype;

	for (unsigned i = 0; i < f->n_filt; i++)
		if (f->filt[i].linktype == linktype)
			return &f->filt[i];
	if (f->n_filt == FILTER_SLOTS)
		return NULL; /* pathological: pass */
	ft = &f->filt[f->n_filt++];
	ft->linktype = linktype;
	ft->ok = false;
	/* pcapng carries LINKTYPE_* values; libpcap wants DLT_* here. */
	if (linktype == 101)
		dlt = DLT_RAW;
	dead = pcap_open_dead(dlt < 0 ? DLT_RAW : dlt, 262144);
	if (!dead)
		return ft;
	if (pcap_compile(dead, &ft->prog, f->bpf, 1, PCAP_NETMASK_UNKNOWN) ==
	    0)
		ft->ok = true;
	else if (err)
		sf_err_set(err, SF_EINVAL, NULL, 0, 0, "bad filter '%s': %s",
			   f->bpf, pcap_geterr(dead));
	pcap_close(dead);
	return ft;
}

int sf_capfile_set_filter(sf_capfile_t *f, const char *bpf, sf_err_t *err)
{
	filt_t *ft;
	sf_err_t e;

	for (unsigned i = 0; i < f->n_filt; i++)
		if (f->filt[i].ok)
			pcap_freecode(&f->filt[i].prog);
	f->n_filt = 0;
	free(f->bpf);
	f->bpf = strdup(bpf);
	if (!f->bpf)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	sf_err_clear(&e);
	ft = compile(f, f->linktype >= 0 ? f->linktype : 1, &e);
	if (ft && !ft->ok && e.code) {
		if (err)
			*err = e;
		return e.code;
	}
	return 0;
}

static bool pass(sf_capfile_t *f, const sf_cap_pkt_t *pkt)
{
	struct pcap_pkthdr h;
	filt_t *ft;

	if (!f->bpf)
		return true;
	ft = compile(f, pkt->linktype, NULL);
	if (!ft || !ft->ok)
		return true;
	memset(&h, 0, sizeof(h));
	h.caplen = pkt->caplen;
	h.len = pkt->len;
	return pcap_offline_filter(&ft->prog, &h, pkt->data) != 0;
}

int sf_capfile_next(sf_capfile_t *f, sf_cap_pkt_t *pkt, sf_err_t *err)
{
	for (;;) {
		int rc;

		if (f->fmt == SF_CAPFILE_PCAPNG) {
			rc = sf_pcapng_next(f->ng, pkt, err);
			if (rc <= 0)
				return rc;
			if (f->linktype < 0)
				f->linktype = pkt->linktype;
		} else {
			struct pcap_pkthdr *h;
			const u_char *d;

			rc = pcap_next_ex(f->pcap, &h, &d);
			if (rc == PCAP_ERROR_BREAK)
				return 0;
			if (rc != 1)
				return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
						  "corrupt pcap file: %s",
						  pcap_geterr(f->pcap));
			pkt->linktype = f->linktype;
			pkt->ts_us = (uint64_t)h->ts.tv_sec * 1000000u +
				     (uint64_t)h->ts.tv_usec;
			pkt->data = d;
			pkt->caplen = h->caplen;
			pkt->len = h->len;
		}
		if (pass(f, pkt))
			return 1;
		f->filtered++;
	}
}

sf_capfile_format_t sf_capfile_format(const sf_capfile_t *f)
{
	return f->fmt;
}

const char *sf_capfile_name(const sf_capfile_t *f)
{
	return f->name;
}

int sf_capfile_linktype(const sf_capfile_t *f)
{
	if (f->fmt == SF_CAPFILE_PCAPNG && f->linktype < 0)
		return sf_pcapng_first_linktype(f->ng);
	return f->linktype;
}

uint64_t sf_capfile_offset(const sf_capfile_t *f)
{
	if (f->gz) {
		long off = f->compressed ? gzoffset(f->gz) : gztell(f->gz);

		return off > 0 ? (uint64_t)off : 0;
	}
	return 0;
}

uint64_t sf_capfile_size(const sf_capfile_t *f)
{
	return f->size;
}

bool sf_capfile_compressed(const sf_capfile_t *f)
{
	return f->compressed;
}

uint64_t sf_capfile_filtered(const sf_capfile_t *f)
{
	return f->filtered;
}

const char *sf_capfile_linktype_name(int linktype, char *buf, size_t size)
{
	const char *n = NULL, *d = NULL;

	switch (linktype) {
	case 101: n = "RAW"; d = "Raw IP"; break;
	case 228: n = "IPV4"; d = "Raw IPv4"; break;
	case 229: n = "IPV6"; d = "Raw IPv6"; break;
	default:
		if (linktype >= 0) {
			n = pcap_datalink_val_to_name(linktype);
			d = pcap_datalink_val_to_description(linktype);
		}
	}
	if (n)
		snprintf(buf, size, "%d (%s%s%s%s)", linktype, n,
			 d ? ", " : "", d ? d : "", "");
	else
		snprintf(buf, size, "%d (unknown)", linktype);
	return buf;
}
