/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_cappkt.h - one captured packet: the record every capture reader
 * (sf_capfile.h for pcap through libpcap, sf_pcapng.h for pcapng) yields,
 * in its own header so the readers need not include each other.
 */
#ifndef SF_CAPPKT_H
#define SF_CAPPKT_H

#include <stdint.h>

/* One packet as read.  data stays valid until the next call on the file. */
typedef struct sf_cap_pkt {
	int linktype;      /* DLT_* for classic pcap, LINKTYPE_* for pcapng */
	uint64_t ts_us;    /* microseconds since the epoch (UTC) */
	const uint8_t *data;
	uint32_t caplen;   /* bytes in data */
	uint32_t len;      /* length on the wire (may exceed caplen) */
} sf_cap_pkt_t;

#endif
