/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_pcapw.h - writing captures (classic pcap or pcapng), and building
 * synthetic IPv4/IPv6 + UDP/TCP packets around a payload.
 *
 * Used by `replay --write-pcap` (each SIP message of a selected call as one
 * clean raw-IP packet, reassembled and decapsulated, so Wireshark shows it
 * whole) and by the tests, fuzz seeds and benchmark generator, which build
 * every link type, fragments and reordered TCP from these pieces.
 * Classic pcap files are microsecond, little-endian, one link type;
 * pcapng files may declare several interfaces of different link types.
 */
#ifndef SF_PCAPW_H
#define SF_PCAPW_H

#include <stdint.h>
#include <stdio.h>

#include "../base/sf_addr.h"
#include "../base/sf_err.h"
#include "sf_capfile.h"

typedef struct sf_pcapw sf_pcapw_t;

/*
 * Starts a capture on fp (borrowed: not closed by us) with one interface
 * of linktype (LINKTYPE_* values; 101 = raw IP).  Returns 0, SF_ENOMEM or
 * SF_EIO.
 */
int sf_pcapw_open(FILE *fp, sf_capfile_format_t fmt, int linktype,
		  sf_pcapw_t **out, sf_err_t *err);

/* pcapng only: declares another interface; returns its index (>= 1) or
 * SF_EINVAL for classic pcap. */
int sf_pcapw_add_iface(sf_pcapw_t *w, int linktype);

/* Writes one packet on interface iface (0 for classic pcap).  caplen bytes
 * of data are written; len is the length on the wire (>= caplen normally,
 * anything is accepted so tests can write bogus records). 0 or SF_EIO. */
int sf_pcapw_write(sf_pcapw_t *w, int iface, uint64_t ts_us,
		   const uint8_t *data, uint32_t caplen, uint32_t len);

/* Flushes and frees the writer (not the stream).  0 or SF_EIO. */
int sf_pcapw_close(sf_pcapw_t *w);

/*
 * Builds an IPv4 (src->v4) or IPv6 packet carrying payload over UDP
 * (proto 17) or TCP (proto 6: seq given, flags PSH|ACK) into out.  The IP
 * identification is ip_id.  Checksums are computed.  Returns the packet
 * length, or 0 if cap is too small or the packet exceeds 65535 bytes.
 */
size_t sf_cap_synth(uint8_t *out, size_t cap, const sf_ip_t *src,
		    uint16_t sport, const sf_ip_t *dst, uint16_t dport,
		    uint8_t proto, uint32_t seq, uint16_t ip_id,
		    const uint8_t *payload, size_t len);

#endif
