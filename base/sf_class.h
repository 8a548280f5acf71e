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

/* The one list: enum suffix and name.  Adding a class is one row. */
#define SF_CLASS_LIST(X)                                                     \
	X(UNLISTED, "unlisted")        /* no numbering-plan prefix matched */ \
	X(HOME_MOBILE, "home-mobile")  /* our own mobile ranges */           \
	X(HOME_FIXED, "home-fixed")    /* home country fixed-line ranges */  \
	X(HOME_MSRN, "home-msrn")      /* our own roaming numbers (MSRN) */  \
	X(DOMESTIC_OTHER, "domestic-other") /* other domestic operators */   \
	X(SERVICE, "service")          /* short codes, hotlines, police */   \
	X(PREMIUM, "premium")          /* premium-rate */                    \
	X(TOLL_FREE, "toll-free")      /* freephone, inbound only */         \
	X(FOREIGN, "foreign")          /* other countries */                 \
	X(UNALLOCATED, "unallocated")  /* unallocated / reserved ranges */

#define SF_CLASS_ENUM(e, name) SF_CLASS_##e,
typedef enum sf_class {
	SF_CLASS_LIST(SF_CLASS_ENUM)
	SF_CLASS_COUNT
} sf_class_t;
#undef SF_CLASS_ENUM

/* The names, indexed by class. */
extern const char *const sf_class_names[SF_CLASS_COUNT];

/* "home-mobile", ... ; never NULL. */
const char *sf_class_name(sf_class_t c);

/* Parses a class name (exact, lower case).  Returns the class or -1. */
int sf_class_parse(const char *name, size_t len);

/* The names joined by ", " for "did you mean"/help texts. */
const char *sf_class_all_names(void);

#endif
