/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_capfile.h - reading capture files: classic pcap and pcapng, plain or
 * gzip-compressed, from a path, stdin ("-") or any FILE stream.
 *
 * Every input is read into one buffer (256 KiB, 16 KiB from a FILE
 * stream; grown only for a record that does not fit) from one byte
 * source: read(2) for a plain regular
 * file; a zlib gzFile for a gzip file and for pipes (zlib reads
 * uncompressed input transparently, so a .gz is recognised by its
 * content, not its name, and `zcat x.gz | sipfilter replay -` and
 * `sipfilter replay - < x.pcap.gz` both work); or a plain FILE (fuzzing,
 * fmemopen).  The first four bytes decide the format:
 *  - classic pcap (all four magics, both byte orders, micro/nano,
 *    Kuznetzov): the file header is handed to libpcap
 *    (pcap_fopen_offline on a copy), so files are accepted or refused and
 *    link types mapped exactly as libpcap does; the records are read
 *    here, in place in the buffer, by libpcap 1.10's rules and with its
 *    error sentences (see sf_capfile.c);
 *  - pcapng is read by our own block reader (sf_pcapng.h), always: libpcap
 *    1.10 refuses sections whose interfaces have different link types, and
 *    analysts do capture across an Ethernet and a raw-IP interface at once.
 *    Ours reports the link type per packet.
 * A packet is handed out with its link type, so one file may mix them.
 *
 * An optional BPF filter (-f) is compiled once per link type seen
 * (pcap_open_dead + pcap_compile) and applied with pcap_offline_filter().
 *
 * Errors: a file that is not a capture, or that is cut short or corrupt in
 * the middle, ends with SF_EPARSE and a message naming the file and the
 * problem; every packet before that point has been handed out.  Nothing
 * here crashes or reads past a length on any input.
 */
#ifndef SF_CAPFILE_H
#define SF_CAPFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../base/sf_err.h"
#include "sf_cappkt.h"

typedef struct sf_capfile sf_capfile_t;

typedef enum sf_capfile_format {
	SF_CAPFILE_PCAP = 1,
	SF_CAPFILE_PCAPNG,
} sf_capfile_format_t;

/*
 * Opens path ("-" = stdin) for reading.  Returns 0 and a new *out (free
 * with sf_capfile_close), or SF_EIO (cannot open; err->sys_errno) or
 * SF_EPARSE (not a pcap/pcapng file, bad header) with err filled.
 */
int sf_capfile_open(const char *path, sf_capfile_t **out, sf_err_t *err);

/*
 * The same over an open stream (not closed by us; no gzip detection).
 * name is used in messages.  For fuzzing and tests (fmemopen).
 */
int sf_capfile_open_fp(FILE *fp, const char *name, sf_capfile_t **out,
		       sf_err_t *err);

/*
 * Installs a BPF filter (tcpdump syntax); packets it rejects are skipped
 * by sf_capfile_next() and counted in sf_capfile_filtered().  The filter
 * is compiled for the first link type now (a syntax error is SF_EINVAL
 * with the libpcap message) and for each further link type when it shows
 * up; a link type it cannot be compiled for passes every packet.
 * The string is copied.
 */
int sf_capfile_set_filter(sf_capfile_t *f, const char *bpf, sf_err_t *err);

/*
 * Reads the next packet.  Returns 1 with *pkt filled, 0 at a clean end of
 * file, or SF_EPARSE/SF_EIO with err filled (truncated or corrupt file;
 * the file cannot be read further).
 */
int sf_capfile_next(sf_capfile_t *f, sf_cap_pkt_t *pkt, sf_err_t *err);

/* Closes the file; NULL is a no-op. */
void sf_capfile_close(sf_capfile_t *f);

sf_capfile_format_t sf_capfile_format(const sf_capfile_t *f);
const char *sf_capfile_name(const sf_capfile_t *f);
/* Link type of the file (classic pcap) or of its first interface (pcapng;
 * -1 before any interface was read). */
int sf_capfile_linktype(const sf_capfile_t *f);
/* Compressed bytes consumed so far, and the file size (0 if unknown, e.g.
 * a pipe).  For progress lines. */
uint64_t sf_capfile_offset(const sf_capfile_t *f);
uint64_t sf_capfile_size(const sf_capfile_t *f);
bool sf_capfile_compressed(const sf_capfile_t *f);
uint64_t sf_capfile_filtered(const sf_capfile_t *f);

/* "EN10MB (Ethernet)" style name of a link type, for messages. */
const char *sf_capfile_linktype_name(int linktype, char *buf, size_t size);

#endif
