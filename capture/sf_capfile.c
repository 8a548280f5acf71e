/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_capfile.c - capture file input: one read buffer over a byte source
 * (read(2), zlib or a FILE), format detection, our own classic pcap record
 * reader (the file header is validated by libpcap), sf_pcapng for pcapng,
 * BPF filter.  See sf_capfile.h for the contract.
 *
 * The record reader hands out packets that point into the read buffer, so
 * a packet costs no copy and no call through stdio: ~60 instructions
 * instead of ~600 for pcap_next_ex() on an fopencookie() stream.  It
 * applies libpcap 1.10's rules and error messages (sf-pcap.c): the record
 * header size (16, or 24 for the Kuznetzov magic), byte order, nanosecond
 * timestamps scaled down to microseconds, caplen/len swapped in versions
 * before 2.3 (and in 2.3 when caplen > len), caplen above the link type's
 * maximum is an error, caplen above the file's snaplen is cut to it (the
 * rest skipped), and a short header or body is "truncated dump file".
 * Memory: the buffer holds at least one whole record; it grows only while
 * a record that does not fit is actually being read (capped by the
 * maximum caplen, 256 KiB for every link type replay decodes).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sf_capfile.h"
#include "sf_pcapng.h"

#define FILTER_SLOTS 8
#define BUF_START (256u * 1024)      /* first read buffer size */
/* ... for a FILE stream (tests, fuzzing: small inputs from memory).  A
 * 256 KiB block is an mmap and munmap per input under ASan; 16 KiB also
 * sends the fuzzer through the growth path. */
#define BUF_START_FP (16u * 1024)
#define PCAP_FILE_HDR 24u

/* libpcap's max_snaplen_for_dlt() (pcap-int.h, 1.10). */
#define MAXIMUM_SNAPLEN 262144u
#define DLT_DBUS_ 231
#define DLT_USBPCAP_ 249
#define DLT_EBHSCR_ 279

typedef struct filt {
	int linktype;
	bool ok;            /* compiled; false = pass everything */
	struct bpf_program prog;
} filt_t;

enum { LEN_NOT_SWAPPED, LEN_MAYBE_SWAPPED, LEN_SWAPPED };

struct sf_capfile {
	char name[256];
	/* byte source: exactly one of fd (plain file), gz, fp */
	int fd;
	gzFile gz;
	FILE *fp;           /* borrowed plain stream */
	bool src_eof;
	int src_errno;      /* a read failed (errno, or EIO) */
	uint64_t src_bytes; /* bytes read from fd/fp so far */
	uint64_t size;
	bool compressed;
	/* read buffer: bytes [pos, end) are unread */
	uint8_t *buf;
	size_t cap, pos, end;
	/* reader */
	sf_capfile_format_t fmt;
	int linktype;
	sf_pcapng_t *ng;
	/* classic pcap */
	bool swapped, nsec;
	unsigned hdrsize;
	int lengths;
	uint32_t snapshot, max_caplen;
	/* filter */
	char *bpf;
	filt_t filt[FILTER_SLOTS];
	unsigned n_filt;
	uint64_t filtered;
};

/* ---- byte source and buffer --------------------------------------------- */

/* Reads up to n bytes from the source; 0 at its end, -1 on error. */
static long src_fill(sf_capfile_t *f, uint8_t *dst, size_t n)
{
	long got;

	if (f->src_eof || f->src_errno)
		return 0;
	if (n > (1u << 30))
		n = 1u << 30;
	if (f->gz) {
		int e;

		got = gzread(f->gz, dst, (unsigned)n);
		if (got < 0 || (got == 0 && (gzerror(f->gz, &e), e != Z_OK &&
						      e != Z_BUF_ERROR))) {
			f->src_errno = EIO;
			return -1;
		}
	} else if (f->fp) {
		got = (long)fread(dst, 1, n, f->fp);
		if (got == 0 && ferror(f->fp)) {
			f->src_errno = EIO;
			return -1;
		}
	} else {
		do
			got = read(f->fd, dst, n);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			f->src_errno = errno ? errno : EIO;
			return -1;
		}
	}
	if (got == 0)
		f->src_eof = true;
	f->src_bytes += (uint64_t)got;
	return got;
}

/*
 * Makes at least n unread bytes contiguous at buf + pos, reading as
 * needed; returns how many unread bytes there are (less than n only at
 * the end of the source or on a read error).  Moves the unread bytes to
 * the start of the buffer, so earlier pointers into it become invalid.
 */
static size_t ensure(sf_capfile_t *f, size_t n)
{
	while (f->end - f->pos < n && !f->src_eof && !f->src_errno) {
		long got;

		if (f->pos && f->cap - f->pos < n) {
			memmove(f->buf, f->buf + f->pos, f->end - f->pos);
			f->end -= f->pos;
			f->pos = 0;
		}
		if (f->end == f->cap) {
			/* full and still short: the record is larger than
			 * the buffer; grow towards n, doubling */
			size_t ncap = f->cap * 2 < n ? n : f->cap * 2;
			uint8_t *nb = realloc(f->buf, ncap);

			if (!nb) {
				f->src_errno = ENOMEM;
				break;
			}
			f->buf = nb;
			f->cap = ncap;
		}
		got = src_fill(f, f->buf + f->end, f->cap - f->end);
		if (got <= 0)
			break;
		f->end += (size_t)got;
	}
	return f->end - f->pos;
}

/* Byte source for the pcapng reader: the buffer first, then the source. */
static long src_read(void *cookie, void *buf, size_t n)
{
	sf_capfile_t *f = cookie;
	size_t done = f->end - f->pos;

	if (done >= n) {
		memcpy(buf, f->buf + f->pos, n);
		f->pos += n;
		return (long)n;
	}
	memcpy(buf, f->buf + f->pos, done);
	f->pos = f->end = 0;
	while (done < n) {
		long got = src_fill(f, (uint8_t *)buf + done, n - done);

		if (got < 0)
			return -1;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (long)done;
}

/* ---- classic pcap ------------------------------------------------------- */

static uint32_t rd32(const sf_capfile_t *f, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return f->swapped ? __builtin_bswap32(v) : v;
}

/*
 * The file header (the first min(avail, 24) bytes) is handed to libpcap,
 * so a file is accepted or refused, and its link type and snapshot length
 * mapped, exactly as libpcap does; the rest is read here.
 */
static int rec_start(sf_capfile_t *f, sf_err_t *err)
{
	size_t avail = ensure(f, PCAP_FILE_HDR);
	uint8_t hdr[PCAP_FILE_HDR];
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	uint32_t magic;
	uint16_t vmaj, vmin;
	FILE *mem;
	pcap_t *p;

	if (avail > PCAP_FILE_HDR)
		avail = PCAP_FILE_HDR;
	memcpy(hdr, f->buf + f->pos, avail);
	mem = fmemopen(hdr, avail, "rb");
	if (!mem)
		return sf_err_set(err, SF_ENOMEM, f->name, 0, 0,
				  "out of memory");
	p = pcap_fopen_offline(mem, ebuf);
	if (!p) {
		fclose(mem);
		return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
				  "bad pcap file header: %s", ebuf);
	}
	f->linktype = pcap_datalink(p);
	f->snapshot = (uint32_t)pcap_snapshot(p);
	pcap_close(p); /* closes mem */
	if (avail < PCAP_FILE_HDR) /* libpcap accepted a short header? */
		return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
				  "bad pcap file header: truncated");
	f->pos += PCAP_FILE_HDR;

	memcpy(&magic, hdr, 4);
	f->swapped = magic != 0xa1b2c3d4u && magic != 0xa1b23c4du &&
		     magic != 0xa1b2cd34u;
	if (f->swapped)
		magic = __builtin_bswap32(magic);
	f->nsec = magic == 0xa1b23c4du;
	f->hdrsize = magic == 0xa1b2cd34u ? 24 : 16;
	memcpy(&vmaj, hdr + 4, 2);
	memcpy(&vmin, hdr + 6, 2);
	if (f->swapped) {
		vmaj = __builtin_bswap16(vmaj);
		vmin = __builtin_bswap16(vmin);
	}
	if (vmaj == 543)
		f->lengths = LEN_SWAPPED;
	else if (vmin < 3)
		f->lengths = LEN_SWAPPED;
	else if (vmin == 3)
		f->lengths = LEN_MAYBE_SWAPPED;
	else
		f->lengths = LEN_NOT_SWAPPED;
	switch (f->linktype) {
	case DLT_DBUS_: f->max_caplen = 128u * 1024 * 1024; break;
	case DLT_USBPCAP_: f->max_caplen = 1024u * 1024; break;
	case DLT_EBHSCR_: f->max_caplen = 8u * 1024 * 1024; break;
	default: f->max_caplen = MAXIMUM_SNAPLEN;
	}
	return 0;
}

static int rec_trunc(sf_capfile_t *f, sf_err_t *err, const char *what,
		      unsigned want, size_t got)
{
	f->pos = f->end; /* nothing further is read */
	if (f->src_errno)
		return sf_err_set(err, SF_EIO, f->name, 0, 0,
				  "corrupt pcap file: error reading dump "
				  "file: %s", strerror(f->src_errno));
	return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
			  "corrupt pcap file: truncated dump file; tried to "
			  "read %u %s bytes, only got %zu", want, what, got);
}

static int rec_next(sf_capfile_t *f, sf_cap_pkt_t *pkt, sf_err_t *err)
{
	const uint8_t *h;
	size_t avail = f->end - f->pos;
	uint32_t caplen, len, keep;
	int64_t sec, usec;

	if (avail < f->hdrsize) {
		avail = ensure(f, f->hdrsize);
		if (avail == 0 && !f->src_errno)
			return 0;
		if (avail < f->hdrsize)
			return rec_trunc(f, err, "header", f->hdrsize, avail);
	}
	h = f->buf + f->pos;
	/* as libpcap: signed in the file's own byte order, unsigned when
	 * byte-swapped (its SWAPLONG yields an unsigned value) */
	if (f->swapped) {
		sec = rd32(f, h);
		usec = rd32(f, h + 4);
	} else {
		sec = (int32_t)rd32(f, h);
		usec = (int32_t)rd32(f, h + 4);
	}
	caplen = rd32(f, h + 8);
	len = rd32(f, h + 12);
	if (f->nsec)
		usec /= 1000;
	if (f->lengths == LEN_SWAPPED ||
	    (f->lengths == LEN_MAYBE_SWAPPED && caplen > len)) {
		uint32_t t = caplen;

		caplen = len;
		len = t;
	}
	if (caplen > f->max_caplen) {
		f->pos = f->end;
		if (caplen > f->snapshot)
			return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
					  "corrupt pcap file: invalid packet "
					  "capture length %u, bigger than "
					  "snaplen of %u", caplen, f->snapshot);
		return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
				  "corrupt pcap file: invalid packet capture "
				  "length %u, bigger than maximum of %u",
				  caplen, f->max_caplen);
	}
	/* caplen above the snaplen: keep snaplen bytes, skip the rest */
	keep = caplen > f->snapshot ? f->snapshot : caplen;
	if (avail < f->hdrsize + (size_t)caplen) {
		avail = ensure(f, f->hdrsize + (size_t)caplen);
		if (avail < f->hdrsize + (size_t)caplen) {
			/* libpcap names the snaplen while the kept part is
			 * short, the caplen while the skipped part is */
			size_t got = avail - f->hdrsize;

			return rec_trunc(f, err, "captured",
					 got < keep ? keep : caplen, got);
		}
		h = f->buf + f->pos;
	}
	pkt->linktype = f->linktype;
	pkt->ts_us = (uint64_t)sec * 1000000u + (uint64_t)usec;
	pkt->data = h + f->hdrsize;
	pkt->caplen = keep;
	pkt->len = len;
	f->pos += f->hdrsize + (size_t)caplen;
	return 1;
}

/* ---- opening ------------------------------------------------------------ */

static bool is_pcap_magic(uint32_t m)
{
	static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (m == magics[i] || m == __builtin_bswap32(magics[i]))
			return true;
	return false;
}

static int start(sf_capfile_t *f, size_t cap, sf_err_t *err)
{
	uint32_t magic_le;
	size_t got;

	f->buf = malloc(cap);
	if (!f->buf)
		return sf_err_set(err, SF_ENOMEM, f->name, 0, 0,
				  "out of memory");
	f->cap = cap;
	got = ensure(f, 4);
	if (got < 4 && f->src_errno)
		return sf_err_set(err, SF_EIO, f->name, 0, 0,
				  "cannot read capture file");
	if (got < 4)
		return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
				  "not a pcap or pcapng file (%s)",
				  got ? "shorter than a file header"
				      : "empty");
	memcpy(&magic_le, f->buf + f->pos, 4);
	if (magic_le == 0x0A0D0D0Au) {
		f->fmt = SF_CAPFILE_PCAPNG;
		f->linktype = -1;
		return sf_pcapng_open(src_read, f, f->name, &f->ng, err);
	}
	if (is_pcap_magic(magic_le)) {
		f->fmt = SF_CAPFILE_PCAP;
		return rec_start(f, err);
	}
	return sf_err_set(err, SF_EPARSE, f->name, 0, 0,
			  "not a pcap or pcapng file (magic %02x %02x %02x "
			  "%02x)", f->buf[f->pos], f->buf[f->pos + 1],
			  f->buf[f->pos + 2], f->buf[f->pos + 3]);
}

static sf_capfile_t *alloc_file(const char *name)
{
	sf_capfile_t *f = calloc(1, sizeof(*f));

	if (f) {
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->fd = -1;
	}
	return f;
}

int sf_capfile_open(const char *path, sf_capfile_t **out, sf_err_t *err)
{
	sf_capfile_t *f;
	struct stat st;
	uint8_t gzmagic[2];
	bool plain = false;
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
			ssize_t k = pread(fd, gzmagic, 2, 0);

			f->size = (uint64_t)st.st_size;
			if (k == 2 && gzmagic[0] == 0x1f && gzmagic[1] == 0x8b)
				f->compressed = true;
			else if (k >= 0 && lseek(fd, 0, SEEK_CUR) == 0)
				plain = true;
		}
	}
	if (plain) {
		/* a plain regular file: read(2) straight into the buffer */
		f->fd = fd;
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	} else {
		/* gzip, or a pipe that may carry either: zlib decides */
		f->gz = gzdopen(fd, "rb");
		if (!f->gz) {
			close(fd);
			free(f);
			return sf_err_set(err, SF_ENOMEM, path, 0, 0,
					  "out of memory");
		}
		gzbuffer(f->gz, 128 * 1024);
	}
	rc = start(f, BUF_START, err);
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
	rc = start(f, BUF_START_FP, err);
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
	sf_pcapng_close(f->ng);
	if (f->gz)
		gzclose(f->gz);
	if (f->fd >= 0)
		close(f->fd);
	for (unsigned i = 0; i < f->n_filt; i++)
		if (f->filt[i].ok)
			pcap_freecode(&f->filt[i].prog);
	free(f->bpf);
	free(f->buf);
	free(f);
}

/* ---- BPF filter --------------------------------------------------------- */

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

		if (f->fmt == SF_CAPFILE_PCAP) {
			rc = rec_next(f, pkt, err);
			if (rc <= 0)
				return rc;
		} else {
			rc = sf_pcapng_next(f->ng, pkt, err);
			if (rc <= 0)
				return rc;
			if (f->linktype < 0)
				f->linktype = pkt->linktype;
		}
		if (!f->bpf || pass(f, pkt))
			return 1;
		f->filtered++;
	}
}

/* ---- accessors ---------------------------------------------------------- */

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
	return f->src_bytes - (f->end - f->pos);
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
