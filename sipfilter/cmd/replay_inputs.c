/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_inputs.c - reading `sipfilter replay`'s inputs (replay_inputs.h):
 * directory expansion, the time-ordered merge of up to MERGE_MAX files
 * into one decoder, the progress line, and the errors of files that
 * cannot be opened or stop being readable.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/sf_capfile.h"
#include "replay_inputs.h"
#include "sf_cmds.h"

/* ---- inputs ------------------------------------------------------------ */


static int add_path(inputs_t *in, const char *p)
{
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;
		char **np = realloc(in->paths, cap * sizeof(*np));

		if (!np)
			return -1;
		in->paths = np;
		in->cap = cap;
	}
	in->paths[in->n] = strdup(p);
	return in->paths[in->n++] ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int replay_inputs_expand(inputs_t *in, const char *p)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	size_t first = in->n;

	if (strcmp(p, "-") == 0 || stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		return add_path(in, p);
	d = opendir(p);
	if (!d)
		return add_path(in, p); /* the open error is reported later */
	while ((e = readdir(d)) != NULL) {
		char full[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", p, e->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    add_path(in, full) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	qsort(in->paths + first, in->n - first, sizeof(char *), cmp_str);
	return 0;
}

/* ---- merge ----------------------------------------------------------------- */

typedef struct src {
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	size_t idx;
} src_t;

static bool before(const src_t *a, const src_t *b)
{
	return a->pkt.ts_us < b->pkt.ts_us ||
	       (a->pkt.ts_us == b->pkt.ts_us && a->idx < b->idx);
}

static void sift_down(src_t *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && before(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && before(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		src_t t = h[i];

		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}


static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress(run_t *rn, src_t *h, size_t n, bool force)
{
	struct timespec now;
	uint64_t done = rn->done_bytes, pk;
	double el, rate;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && secs(&rn->last, &now) < 0.5)
		return;
	rn->last = now;
	for (size_t i = 0; i < n; i++)
		done += sf_capfile_offset(h[i].f);
	pk = sf_capdec_get(rn->dec, SF_CD_PACKETS);
	el = secs(&rn->t0, &now);
	rate = el > 0 ? (double)pk / el : 0;
	fprintf(stderr, "\r\033[Kreplay: %.1f MB", (double)done / 1e6);
	if (rn->total_bytes) {
		double frac = (double)done / (double)rn->total_bytes;

		fprintf(stderr, " of %.1f MB (%.0f%%)",
			(double)rn->total_bytes / 1e6, frac * 100);
		if (frac > 0.01 && frac < 1)
			fprintf(stderr, ", ETA %.0fs", el / frac - el);
	}
	fprintf(stderr, ", %llu packets, %.0f packets/s",
		(unsigned long long)pk, rate);
	fflush(stderr);
}

static void note_linktype(run_t *rn, int lt)
{
	for (size_t i = 0; i < rn->n_bad_lt; i++)
		if (rn->bad_lt[i] == lt)
			return;
	if (rn->n_bad_lt < 8)
		rn->bad_lt[rn->n_bad_lt++] = lt;
}

static int open_one(run_t *rn, const char *path, const char *bpf,
		    sf_capfile_t **f)
{
	sf_err_t err;
	char lt[160];

	sf_err_clear(&err);
	if (!strcmp(path, "-")) {
		if (rn->stdin_used) {
			fprintf(stderr, "sipfilter: '-' (stdin) given twice\n");
			rn->rc = SF_EXIT_USAGE;
			return -1;
		}
		rn->stdin_used = true;
	}
	if (sf_capfile_open(path, f, &err) < 0) {
		fprintf(stderr, "sipfilter: ");
		sf_err_print(&err, stderr);
		rn->rc = SF_EXIT_FAIL;
		return -1;
	}
	if (sf_capfile_format(*f) == SF_CAPFILE_PCAP &&
	    !sf_capdec_linktype_supported(sf_capfile_linktype(*f))) {
		fprintf(stderr, "sipfilter: %s: unsupported link type %s\n",
			path, sf_capfile_linktype_name(sf_capfile_linktype(*f),
						       lt, sizeof(lt)));
		sf_capfile_close(*f);
		rn->rc = SF_EXIT_FAIL;
		return -1;
	}
	if (bpf && sf_capfile_set_filter(*f, bpf, &err) < 0) {
		fprintf(stderr, "sipfilter: ");
		sf_err_print(&err, stderr);
		sf_capfile_close(*f);
		rn->rc = SF_EXIT_USAGE;
		return -2;
	}
	return 0;
}

/* Reads the next packet of h[0]; on end or error closes it. */
static bool advance(run_t *rn, src_t *s)
{
	sf_err_t err;
	int rc;

	err.code = 0; /* filled in full only on an error */
	err.file[0] = err.msg[0] = 0;
	err.line = err.col = 0;
	rc = sf_capfile_next(s->f, &s->pkt, &err);
	if (rc == 1)
		return true;
	if (rc < 0) {
		if (rn->progress)
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "sipfilter: ");
		sf_err_print(&err, stderr);
		fprintf(stderr, "sipfilter: %s: stopped there; results "
			"include the packets before that point\n",
			sf_capfile_name(s->f));
		rn->rc = SF_EXIT_FAIL;
	}
	rn->done_bytes += sf_capfile_size(s->f) ? sf_capfile_size(s->f)
						: sf_capfile_offset(s->f);
	sf_capfile_close(s->f);
	s->f = NULL;
	return false;
}

/* Merges paths[0..n) (n <= MERGE_MAX).  Returns -2 on a usage error. */
static int merge_group(run_t *rn, char **paths, size_t n, const char *bpf)
{
	src_t h[MERGE_MAX];
	size_t k = 0;
	uint64_t since = 0;

	for (size_t i = 0; i < n; i++) {
		int rc = open_one(rn, paths[i], bpf, &h[k].f);

		if (rc == -2) {
			for (size_t j = 0; j < k; j++)
				sf_capfile_close(h[j].f);
			return -2;
		}
		if (rc < 0)
			continue;
		h[k].idx = i;
		if (advance(rn, &h[k]))
			k++;
	}
	for (size_t i = k / 2; i-- > 0;)
		sift_down(h, k, i);
	while (k) {
		if (!sf_capdec_linktype_supported(h[0].pkt.linktype))
			note_linktype(rn, h[0].pkt.linktype);
		sf_capdec_packet(rn->dec, &h[0].pkt);
		if (rn->progress && ++since >= 8192) {
			since = 0;
			progress(rn, h, k, false);
		}
		if (!advance(rn, &h[0]))
			h[0] = h[--k];
		sift_down(h, k, 0);
	}
	return 0;
}


int replay_run_inputs(run_t *rn, const inputs_t *in, const char *bpf)
{
	for (size_t i = 0; i < in->n; i++) {
		struct stat st;

		if (strcmp(in->paths[i], "-") &&
		    stat(in->paths[i], &st) == 0)
			rn->total_bytes += (uint64_t)st.st_size;
	}
	clock_gettime(CLOCK_MONOTONIC, &rn->t0);
	rn->last = rn->t0;
	for (size_t i = 0; i < in->n; i += MERGE_MAX) {
		size_t n = in->n - i < MERGE_MAX ? in->n - i : MERGE_MAX;

		if (merge_group(rn, in->paths + i, n, bpf) == -2)
			return -2;
	}
	sf_capdec_finish(rn->dec);
	if (rn->progress) {
		progress(rn, NULL, 0, true);
		fprintf(stderr, "\n");
	}
	return 0;
}
