/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_journal.c - the local journal of live roaming changes (see
 * proxy_journal.h).
 *
 * The file is read whole (stdio, getline) when it is opened and at each
 * replay; appends go through one O_APPEND descriptor.  Compaction writes
 * PATH.tmp, fsyncs it, renames it over PATH and fsyncs the directory, so
 * a crash leaves either the old journal or the new one.
 */
#include "proxy_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/sf_config.h"

struct sf_journal {
	char path[SF_CFG_PATH_MAX];
	int fd;                       /* O_APPEND */
	uint64_t base, last;          /* numbering: next is last + 1 */
	bool dirty;                   /* appended since the last sync */
	atomic_uint_fast64_t entries, appended, replayed, compactions;
	atomic_uint_fast64_t bytes;
};

/* One parsed line. */
typedef struct jline {
	uint64_t seq;
	sf_roaming_change_t ch;
} jline_t;

/* Parses one entry line s[0..len) (no newline) into *x; on error the
 * message in msg and the 1-based column in *col.  Returns 0 or -1. */
static int parse_entry(const char *s, size_t len, jline_t *x, unsigned *col,
		       char *msg, size_t msize)
{
	size_t i = 0, k;

	memset(x, 0, sizeof(*x));
	for (k = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, k++) {
		if (k == 19)
			break;
		x->seq = x->seq * 10 + (uint64_t)(s[i] - '0');
	}
	if (!k || k == 19 || i == len || s[i] != ' ' || !x->seq) {
		*col = (unsigned)i + 1;
		snprintf(msg, msize, "expected a sequence number (1 to 18 "
			 "digits) and a space");
		return -1;
	}
	i++;
	if (len - i >= 4 && !memcmp(s + i, "add ", 4)) {
		x->ch.add = true;
	} else if (len - i < 4 || memcmp(s + i, "del ", 4)) {
		*col = (unsigned)i + 1;
		snprintf(msg, msize, "expected 'add' or 'del' and a space");
		return -1;
	}
	i += 4;
	if (i == len || s[i] != '+') {
		*col = (unsigned)i + 1;
		snprintf(msg, msize, "expected an E.164 number (+digits)");
		return -1;
	}
	for (k = 0, i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, k++)
		if (k < 15)
			x->ch.num.d[k] = s[i];
	if (!k || k > 15 || x->ch.num.d[0] == '0') {
		*col = (unsigned)(i - k) + 1;
		snprintf(msg, msize, "expected an E.164 number (1 to 15 digits, "
			 "not starting with 0)");
		return -1;
	}
	x->ch.num.len = (uint8_t)k;
	x->ch.num.kind = SF_NUM_E164;
	if (i == len)
		return 0;
	if (x->ch.add && len - i == 3 && s[i] == ' ' &&
	    s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 2] >= 'A' &&
	    s[i + 2] <= 'Z') {
		memcpy(x->ch.visited, s + i + 1, 2);
		return 0;
	}
	*col = (unsigned)i + 1;
	snprintf(msg, msize, x->ch.add ? "expected the end of the line or a "
		 "space and a visited country (two capital letters)"
		 : "expected the end of the line");
	return -1;
}

/* "# base: N" (the first line) into *base; false when line is not one. */
static bool parse_base(const char *s, size_t len, uint64_t *base)
{
	static const char key[] = "# base: ";
	uint64_t n = 0;
	size_t i;

	if (len <= sizeof(key) - 1 || memcmp(s, key, sizeof(key) - 1) ||
	    len - (sizeof(key) - 1) > 18)
		return false;
	for (i = sizeof(key) - 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*base = n;
	return true;
}

/* The scan's findings. */
typedef struct scan {
	uint64_t base, last, entries;
	off_t good;            /* bytes up to the end of the last whole line */
	bool torn;             /* a last line without its newline */
	unsigned torn_line;
	/* replay: the changes after `after`, when ch is wanted */
	uint64_t after;
	bool want;
	sf_roaming_change_t *ch;
	size_t n, cap;
} scan_t;

static int keep_change(scan_t *sc, const jline_t *x)
{
	if (!sc->want || x->seq <= sc->after)
		return 0;
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 1024;
		sf_roaming_change_t *ch = realloc(sc->ch, cap * sizeof(*ch));

		if (!ch)
			return SF_ENOMEM;
		sc->ch = ch;
		sc->cap = cap;
	}
	sc->ch[sc->n++] = x->ch;
	return 0;
}

/* One line (newline stripped) of the file, the line_no-th. */
static int scan_line(scan_t *sc, const char *path, unsigned line_no,
		     const char *s, size_t len, sf_err_t *err)
{
	char msg[160];
	unsigned col = 1;
	jline_t x;

	if (line_no == 1 && parse_base(s, len, &sc->base)) {
		sc->last = sc->base;
		return 0;
	}
	if (len == 0 || s[0] == '#')
		return 0;
	if (parse_entry(s, len, &x, &col, msg, sizeof(msg)))
		return sf_err_set(err, SF_EPARSE, path, line_no, col,
				  "roaming journal: %s", msg);
	if (x.seq <= sc->last)
		return sf_err_set(err, SF_EPARSE, path, line_no, 1,
				  "roaming journal: sequence number %llu is "
				  "not above the one before (%llu)",
				  (unsigned long long)x.seq,
				  (unsigned long long)sc->last);
	sc->last = x.seq;
	sc->entries++;
	if (keep_change(sc, &x))
		return sf_err_set(err, SF_ENOMEM, path, line_no, 0,
				  "out of memory");
	return 0;
}

/* Reads path whole into *sc.  A missing file is an empty journal. */
static int scan_file(const char *path, scan_t *sc, sf_err_t *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned line_no = 0;
	int rc = 0;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		rc = sf_err_set(err, SF_EIO, path, 0, 0, "roaming journal: "
				"cannot open: %s", strerror(errno));
		err->sys_errno = errno;
		return rc;
	}
	while (!rc && (got = getline(&buf, &cap, f)) > 0) {
		line_no++;
		if (buf[got - 1] != '\n') {
			sc->torn = true;
			sc->torn_line = line_no;
			break;
		}
		rc = scan_line(sc, path, line_no, buf, (size_t)got - 1, err);
		sc->good += got;
	}
	if (!rc && ferror(f))
		rc = sf_err_set(err, SF_EIO, path, line_no, 0,
				"roaming journal: read error");
	free(buf);
	fclose(f);
	return rc;
}

int sf_journal_open(const char *path, sf_journal_t **out, char *warn,
		    size_t warn_size, sf_err_t *err)
{
	sf_journal_t *j;
	scan_t sc = {0};
	int rc;

	*out = NULL;
	if (warn_size)
		warn[0] = '\0';
	rc = scan_file(path, &sc, err);
	if (rc)
		return rc;
	j = calloc(1, sizeof(*j));
	if (!j)
		return sf_err_set(err, SF_ENOMEM, path, 0, 0, "out of memory");
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (j->fd < 0 || (sc.torn && ftruncate(j->fd, sc.good) < 0)) {
		rc = sf_err_set(err, SF_EIO, path, 0, 0, "roaming journal: "
				"cannot open for writing: %s", strerror(errno));
		err->sys_errno = errno;
		sf_journal_free(j);
		return rc;
	}
	if (sc.torn)
		snprintf(warn, warn_size, "%s:%u: roaming journal: the last "
			 "line has no end of line (the process died while "
			 "writing it; the change was never acknowledged): "
			 "ignored and cut off", path, sc.torn_line);
	j->base = sc.base;
	j->last = sc.last;
	atomic_store(&j->entries, sc.entries);
	atomic_store(&j->bytes, (uint64_t)sc.good);
	*out = j;
	return 0;
}

void sf_journal_free(sf_journal_t *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

int sf_journal_replay(sf_journal_t *j, uint64_t after,
		      const sf_tables_t *base, sf_tables_t **out,
		      size_t *applied, sf_err_t *err)
{
	scan_t sc = {.after = after, .want = true};
	int rc = scan_file(j->path, &sc, err);

	*out = NULL;
	*applied = 0;
	if (!rc && sc.n && base)
		rc = sf_tables_roaming_update_many(base, sc.ch, sc.n, out,
						   applied, err);
	free(sc.ch);
	if (!rc)
		atomic_fetch_add(&j->replayed, *applied);
	return rc;
}

int sf_journal_append_many(sf_journal_t *j, const sf_roaming_change_t *ch,
			   size_t n, uint64_t *last, char *why,
			   size_t why_size)
{
	char one[64], *buf = n > 1 ? malloc(n * 48) : one;
	size_t len = 0;
	struct stat st;
	ssize_t w;

	if (!buf) {
		snprintf(why, why_size, "roaming journal: out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* the country as the tables keep it: upper case */
		char cc[3] = {(char)(ch[i].visited[0] & ~0x20),
			      (char)(ch[i].visited[1] & ~0x20), 0};

		len += (size_t)sprintf(buf + len, "%llu %s +%.*s%s%s\n",
				       (unsigned long long)(j->last + 1 + i),
				       ch[i].add ? "add" : "del",
				       (int)ch[i].num.len, ch[i].num.d,
				       ch[i].add && ch[i].visited[0] ? " " : "",
				       ch[i].add && ch[i].visited[0] ? cc : "");
	}
	w = write(j->fd, buf, len);
	if (buf != one)
		free(buf);
	if (w == (ssize_t)len) {
		j->last += n;
		*last = j->last;
		j->dirty = true;
		atomic_fetch_add(&j->entries, n);
		atomic_fetch_add(&j->appended, n);
		atomic_fetch_add(&j->bytes, (uint64_t)len);
		return 0;
	}
	snprintf(why, why_size, "roaming journal %s: %s", j->path,
		 w < 0 ? strerror(errno) : "short write");
	/* a part of the lines: cut it off, the changes are refused */
	if (w > 0 && !fstat(j->fd, &st) &&
	    ftruncate(j->fd, st.st_size - w) < 0)
		snprintf(why, why_size, "roaming journal %s: short write, "
			 "and cutting it off failed: %s", j->path,
			 strerror(errno));
	return -1;
}

int sf_journal_append(sf_journal_t *j, bool add, const sf_num_t *num,
		      const char *visited, uint64_t *seq, char *why,
		      size_t why_size)
{
	sf_roaming_change_t c = {.num = *num, .add = add};

	if (add && visited && visited[0])
		memcpy(c.visited, visited, 2);
	return sf_journal_append_many(j, &c, 1, seq, why, why_size);
}

void sf_journal_sync(sf_journal_t *j)
{
	if (j && j->dirty) {
		(void)fdatasync(j->fd);
		j->dirty = false;
	}
}

/* Writes the entries after upto (from the current file) into tmp, with
 * "# base: B" first. */
static int write_compacted(sf_journal_t *j, uint64_t upto, uint64_t base,
			   const char *tmp, uint64_t *entries, sf_err_t *err)
{
	FILE *in = fopen(j->path, "re"), *out = fopen(tmp, "we");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	int rc = 0;

	*entries = 0;
	if (!in || !out) {
		rc = sf_err_set(err, SF_EIO, in ? tmp : j->path, 0, 0,
				"roaming journal compaction: %s",
				strerror(errno));
		goto out;
	}
	fprintf(out, "# base: %llu\n", (unsigned long long)base);
	while ((got = getline(&buf, &cap, in)) > 0) {
		uint64_t seq = strtoull(buf, NULL, 10);

		if (buf[0] < '0' || buf[0] > '9' || seq <= upto)
			continue;
		fwrite(buf, 1, (size_t)got, out);
		(*entries)++;
	}
	if (fflush(out) || ferror(out) || ferror(in) || fsync(fileno(out)))
		rc = sf_err_set(err, SF_EIO, tmp, 0, 0, "roaming journal "
				"compaction: write failed: %s",
				strerror(errno));
out:
	free(buf);
	if (in)
		fclose(in);
	if (out && fclose(out) && !rc)
		rc = sf_err_set(err, SF_EIO, tmp, 0, 0, "roaming journal "
				"compaction: %s", strerror(errno));
	return rc;
}

/* fsync of path's directory (the rename is durable). */
static void sync_dir(const char *path)
{
	char dir[SF_CFG_PATH_MAX], *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int sf_journal_compact(sf_journal_t *j, uint64_t upto, sf_err_t *err)
{
	char tmp[SF_CFG_PATH_MAX + 8];
	uint64_t base = upto, entries;
	int fd, rc;

	if (upto <= j->base)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", j->path);
	rc = write_compacted(j, upto, base, tmp, &entries, err);
	if (!rc && rename(tmp, j->path) < 0)
		rc = sf_err_set(err, SF_EIO, j->path, 0, 0, "roaming journal "
				"compaction: rename: %s", strerror(errno));
	if (rc) {
		unlink(tmp);
		return rc;
	}
	sync_dir(j->path);
	fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return sf_err_set(err, SF_EIO, j->path, 0, 0, "roaming journal:"
				  " cannot reopen after compaction: %s",
				  strerror(errno));
	close(j->fd);
	j->fd = fd;
	j->base = base;
	if (j->last < base)
		j->last = base;
	atomic_store(&j->entries, entries);
	atomic_fetch_add(&j->compactions, 1);
	{
		struct stat st;

		if (!fstat(fd, &st))
			atomic_store(&j->bytes, (uint64_t)st.st_size);
	}
	return 0;
}

uint64_t sf_journal_last(const sf_journal_t *j)
{
	return j->last;
}

uint64_t sf_journal_entries(const sf_journal_t *j)
{
	return atomic_load(&j->entries);
}

void sf_journal_json(const sf_journal_t *j, sf_jw_t *w)
{
	sf_jw_obj_open_key(w, "roaming_journal");
	sf_jw_str(w, "path", j->path);
	sf_jw_uint(w, "seq", j->last);
	sf_jw_uint(w, "entries", atomic_load(&j->entries));
	sf_jw_uint(w, "bytes", atomic_load(&j->bytes));
	sf_jw_uint(w, "appended", atomic_load(&j->appended));
	sf_jw_uint(w, "replayed", atomic_load(&j->replayed));
	sf_jw_uint(w, "compactions", atomic_load(&j->compactions));
	sf_jw_obj_close(w);
}

size_t sf_journal_metrics(const sf_journal_t *j, char *buf, size_t size)
{
	int n = snprintf(
		buf, size,
		"# HELP sipfilter_roaming_journal_entries Live roaming changes "
		"in the local journal (tables.roaming_journal).\n"
		"# TYPE sipfilter_roaming_journal_entries gauge\n"
		"sipfilter_roaming_journal_entries %llu\n"
		"# HELP sipfilter_roaming_journal_appended_total Live roaming "
		"changes written to the local journal.\n"
		"# TYPE sipfilter_roaming_journal_appended_total counter\n"
		"sipfilter_roaming_journal_appended_total %llu\n",
		(unsigned long long)atomic_load(&j->entries),
		(unsigned long long)atomic_load(&j->appended));

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
