/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_ws.h - SIP over WebSocket (RFC 7118) as a capture shows it on a TCP
 * stream: the HTTP/1.1 upgrade (RFC 6455 §4), then frames (§5.2) whose
 * payloads are the SIP messages, client frames masked.
 *
 * Stateless, like the rest of stream framing: each call looks at the
 * in-order bytes at the front of a flow.  A frame is recognised by its
 * first byte, which no SIP message can start with (FIN/RSV bits set or
 * a control character), so a flow needs no per-connection state to be
 * read as WebSocket, and SIP over plain TCP is never taken for it.
 * Bounds: a message (frames up to FIN, control frames interleaved) is
 * at most `max` bytes on the wire; an upgrade header block at most
 * SF_WS_MAX_UPGRADE bytes.  Everything is length-checked.
 */
#ifndef SF_WS_H
#define SF_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SF_WS_MAX_UPGRADE 8192

typedef enum sf_ws_kind {
	SF_WS_DATA = 1,     /* a text or binary message: deliver it */
	SF_WS_CONTROL,      /* close, ping or pong: skip it */
	SF_WS_COMPRESSED,   /* permessage-deflate (RSV1): not decoded */
} sf_ws_kind_t;

/* True when b can start a WebSocket frame as read here. */
bool sf_ws_starts_frame(uint8_t b);

/*
 * The wire length of the complete WebSocket unit at the start of
 * buf[0..len): a whole message (its frames up to the one with FIN) or one
 * control frame (> 0, *kind set); 0 when more bytes are needed; -1 when
 * the bytes are not a WebSocket frame that could carry SIP (a data
 * message's first payload byte must be an upper-case letter, as every
 * SIP start line begins) or the unit would exceed max bytes.
 */
long sf_ws_frame(const uint8_t *buf, size_t len, size_t max,
		 sf_ws_kind_t *kind);

/*
 * The payload of the data message unit buf[0..len) (as sf_ws_frame
 * measured it), unmasked and joined across its frames into out (at most
 * cap bytes; cap >= len always suffices).  Returns its length.
 */
size_t sf_ws_payload(const uint8_t *buf, size_t len, uint8_t *out,
		     size_t cap);

/*
 * The length of the HTTP upgrade request or "101 Switching Protocols"
 * answer at the start of buf[0..len), header block and blank line
 * included, when it names websocket (> 0); 0 when it may be one and its
 * end has not arrived; -1 when it is not one.
 */
long sf_ws_upgrade(const uint8_t *buf, size_t len);

#endif
