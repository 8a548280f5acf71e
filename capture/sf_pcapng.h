/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_pcapng.h - a small, bounds-checked pcapng block reader.
 *
 * Reads Section Header, Interface Description, Enhanced Packet, Simple
 * Packet and (obsolete) Packet blocks in either byte order, several
 * sections per file, and skips every other block type.  Unlike libpcap
 * 1.10 it accepts interfaces of different link types in one section: each
 * packet carries the link type of its interface.  Timestamps honour
 * if_tsresol (decimal and binary) and if_tsoffset.
 *
 * Limits: a block may not exceed SF_PCAPNG_MAX_BLOCK bytes and a section
 * may not declare more than SF_PCAPNG_MAX_IFACES interfaces; beyond either
 * the file is reported corrupt.  A packet naming an interface that was not
 * described gets link type -1 (the decoder counts it as unsupported).
 * Every length is checked against the block before use.
 */
#ifndef SF_PCAPNG_H
#define SF_PCAPNG_H

#include <stddef.h>

#include "../base/sf_err.h"
#include "sf_cappkt.h"

#define SF_PCAPNG_MAX_BLOCK (16u * 1024 * 1024)
#define SF_PCAPNG_MAX_IFACES 256

typedef struct sf_pcapng sf_pcapng_t;

/*
 * Byte source: reads up to n bytes into buf; returns the count (less than
 * n only at end of input) or -1 on an I/O error.
 */
typedef long (*sf_pcapng_read_fn)(void *src, void *buf, size_t n);

/*
 * Starts reading a pcapng stream whose first byte is the first byte of a
 * Section Header Block.  name is copied for messages.  Returns 0 and a new
 * *out, SF_ENOMEM, or SF_EPARSE with err filled.
 */
int sf_pcapng_open(sf_pcapng_read_fn rd, void *src, const char *name,
		   sf_pcapng_t **out, sf_err_t *err);

/* Next packet: 1 with *pkt filled (data valid until the next call), 0 at
 * the end, or SF_EPARSE/SF_EIO with err filled. */
int sf_pcapng_next(sf_pcapng_t *r, sf_cap_pkt_t *pkt, sf_err_t *err);

/* Link type of the first interface seen, or -1. */
int sf_pcapng_first_linktype(const sf_pcapng_t *r);

void sf_pcapng_close(sf_pcapng_t *r);

#endif
