/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_phrase.h - SIP status codes to reason phrases: RFC 3261 §21 and the
 * later registrations an operator may meet.  One table, shared by the
 * config (a rule's default phrase) and the proxy (its own answers).
 */
#ifndef SF_PHRASE_H
#define SF_PHRASE_H

/* The standard phrase of code, or a generic one for its class ("Global
 * Failure", ...); never NULL. */
const char *sf_status_phrase(unsigned code);

#endif
