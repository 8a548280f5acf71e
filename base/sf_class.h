/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_class.h - the vocabulary of number-range classes.
 *
 * The numbering-plan table labels each prefix with one of these classes;
 * config rules test them by name.  Both sides share this list so that a
 * class named in a rule but unknown to the tables is caught at load time.
 * Classes are bits so a rule can match a set of them in one AND.
 */
#ifndef SF_CLASS_H
#define SF_CLASS_H

#include <stdint.h>
#include <stddef.h>

typedef enum sf_class {
	SF_CLASS_UNLISTED = 0,   /* no numbering-plan prefix matched */
	SF_CLASS_HOME_MOBILE,    /* our own mobile ranges */
	SF_CLASS_HOME_FIXED,     /* fixed-line ranges of the home country */
	SF_CLASS_HOME_MSRN,      /* our own roaming numbers (MSRN/MSISDN ranges) */
	SF_CLASS_DOMESTIC_OTHER, /* other domestic operators' mobile ranges */
	SF_CLASS_SERVICE,        /* short codes, hotlines, police, banks */
	SF_CLASS_PREMIUM,        /* premium-rate */
	SF_CLASS_TOLL_FREE,      /* freephone, inbound only */
	SF_CLASS_FOREIGN,        /* other countries */
	SF_CLASS_UNALLOCATED,    /* known unallocated / reserved ranges */
	SF_CLASS_COUNT
} sf_class_t;

/* "home-mobile", ... ; never NULL. */
const char *sf_class_name(sf_class_t c);

/* Parses a class name (exact, lower case).  Returns the class or -1. */
int sf_class_parse(const char *name, size_t len);

/* The names joined by ", " for "did you mean"/help texts. */
const char *sf_class_all_names(void);

#endif
