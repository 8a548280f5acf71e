/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_frozen.c - frozen copies of the table files for the Kamailio
 * module (see sf_kam_frozen.h).  Plain files and libsipfilter only: no
 * Kamailio header, so it needs none of Kamailio's build flags.
 */
#include "sf_kam_frozen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Generation gen's folder; -1 when the path does not fit. */
static int frozen_dir(const char *base, int pid, uint64_t gen, char *out,
		      size_t n)
{
	int k = snprintf(out, n, "%s/sipfilter-%d-g%lu", base, pid,
			 (unsigned long)gen);

	return k < 0 || (size_t)k >= n ? -1 : 0;
}

static void frozen_file(const char *dir, int t, const char *src, char *out,
			size_t n)
{
	const char *b = strrchr(src, '/');

	snprintf(out, n, "%s/%d-%s", dir, t, b ? b + 1 : src);
}

void sf_kam_remove_frozen(sipfilter_t *sf, const char *base, int pid,
			  uint64_t gen)
{
	char dir[SF_PATH], f[SF_PATH * 2];

	if (gen < 2 || frozen_dir(base, pid, gen, dir, sizeof(dir)) < 0)
		return;
	for (int t = 0; t < SIPFILTER_TABLES; t++) {
		const char *src = sf ? sipfilter_table_file(sf, t) : NULL;

		if (!src)
			continue;
		frozen_file(dir, t, src, f, sizeof(f));
		unlink(f);
	}
	rmdir(dir);
}

static int copy_file(const char *from, const char *to, char *why, size_t n)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
	ssize_t r = 0;

	if (in < 0) {
		snprintf(why, n, "%s: %s", from, strerror(errno));
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(why, n, "%s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	while ((r = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t w = 0; w < r;) {
			ssize_t k = write(out, buf + w, (size_t)(r - w));

			if (k < 0) {
				snprintf(why, n, "%s: %s", to, strerror(errno));
				close(in);
				close(out);
				return -1;
			}
			w += k;
		}
	}
	if (r < 0)
		snprintf(why, n, "%s: %s", from, strerror(errno));
	close(in);
	if (close(out) < 0 && r >= 0) {
		snprintf(why, n, "%s: %s", to, strerror(errno));
		r = -1;
	}
	return r < 0 ? -1 : 0;
}

int sf_kam_freeze(sipfilter_t *sf, const char *base, int pid, uint64_t gen,
		  char files[SIPFILTER_TABLES][SF_PATH], char *why, size_t n)
{
	char dir[SF_PATH];

	if (frozen_dir(base, pid, gen, dir, sizeof(dir)) < 0) {
		snprintf(why, n, "%s: path too long for a table copy", base);
		return -1;
	}
	/* a leftover of a failed attempt */
	sf_kam_remove_frozen(sf, base, pid, gen);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, n, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int t = 0; t < SIPFILTER_TABLES; t++) {
		const char *src = sipfilter_table_file(sf, t);

		files[t][0] = '\0';
		if (!src)
			continue;
		frozen_file(dir, t, src, files[t], SF_PATH);
		if (copy_file(src, files[t], why, n) < 0) {
			sf_kam_remove_frozen(sf, base, pid, gen);
			return -1;
		}
	}
	return 0;
}

void sf_kam_unfreeze_names(sipfilter_t *sf, sipfilter_errors_t *errs,
			   char files[SIPFILTER_TABLES][SF_PATH])
{
	for (size_t i = 0; i < errs->n; i++)
		for (int t = 0; t < SIPFILTER_TABLES; t++)
			if (files[t][0] && !strcmp(errs->items[i].file, files[t]))
				snprintf(errs->items[i].file,
					 sizeof(errs->items[i].file), "%s",
					 sipfilter_table_file(sf, t));
}

