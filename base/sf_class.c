/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_class.c - names of the number-range classes (see sf_class.h).
 */
#include "sf_class.h"

#include <string.h>

static const char *const names[SF_CLASS_COUNT] = {
	[SF_CLASS_UNLISTED] = "unlisted",
	[SF_CLASS_HOME_MOBILE] = "home-mobile",
	[SF_CLASS_HOME_FIXED] = "home-fixed",
	[SF_CLASS_HOME_MSRN] = "home-msrn",
	[SF_CLASS_DOMESTIC_OTHER] = "domestic-other",
	[SF_CLASS_SERVICE] = "service",
	[SF_CLASS_PREMIUM] = "premium",
	[SF_CLASS_TOLL_FREE] = "toll-free",
	[SF_CLASS_FOREIGN] = "foreign",
	[SF_CLASS_UNALLOCATED] = "unallocated",
};

const char *sf_class_name(sf_class_t c)
{
	if ((unsigned)c >= SF_CLASS_COUNT)
		return "?";
	return names[c];
}

int sf_class_parse(const char *name, size_t len)
{
	for (int i = 0; i < SF_CLASS_COUNT; i++) {
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return i;
	}
	return -1;
}

const char *sf_class_all_names(void)
{
	return "unlisted, home-mobile, home-fixed, home-msrn, domestic-other, "
	       "service, premium, toll-free, foreign, unallocated";
}
