/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_class.c - names of the number-range classes (see sf_class.h).
 */
#include "sf_class.h"

#include <string.h>

#define NAME(e, name) [SF_CLASS_##e] = name,
const char *const sf_class_names[SF_CLASS_COUNT] = {SF_CLASS_LIST(NAME)};
#undef NAME

const char *sf_class_name(sf_class_t c)
{
	if ((unsigned)c >= SF_CLASS_COUNT)
		return "?";
	return sf_class_names[c];
}

int sf_class_parse(const char *name, size_t len)
{
	for (int i = 0; i < SF_CLASS_COUNT; i++) {
		const char *n = sf_class_names[i];

		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return i;
	}
	return -1;
}

const char *sf_class_all_names(void)
{
#define JOINED(e, name) ", " name
	return &(SF_CLASS_LIST(JOINED))[2]; /* without the first ", " */
#undef JOINED
}
