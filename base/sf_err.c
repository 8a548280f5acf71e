/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_err.c - the error record and collected diagnostics (see sf_err.h).
 */
#include "sf_err.h"

#include <stdarg.h>
#include <string.h>

void sf_err_clear(sf_err_t *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static void fill(sf_err_t *err, int code, const char *file, unsigned line,
		 unsigned col, const char *fmt, va_list ap)
{
	err->code = code;
	err->sys_errno = 0;
	err->line = line;
	err->col = col;
	if (file)
		snprintf(err->file, sizeof(err->file), "%s", file);
	else
		err->file[0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int sf_err_set(sf_err_t *err, int code, const char *file, unsigned line,
	       unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	fill(err, code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

void sf_err_format(const sf_err_t *err, char *buf, size_t size)
{
	if (err->file[0] && err->line && err->col)
		snprintf(buf, size, "%s:%u:%u: error: %s", err->file,
			 err->line, err->col, err->msg);
	else if (err->file[0] && err->line)
		snprintf(buf, size, "%s:%u: error: %s", err->file, err->line,
			 err->msg);
	else if (err->file[0])
		snprintf(buf, size, "%s: error: %s", err->file, err->msg);
	else
		snprintf(buf, size, "error: %s", err->msg);
}

void sf_err_print(const sf_err_t *err, FILE *fp)
{
	char buf[SF_ERR_MSG_MAX + SF_ERR_FILE_MAX + 64];

	sf_err_format(err, buf, sizeof(buf));
	fprintf(fp, "%s\n", buf);
}

void sf_diag_init(sf_diag_t *d)
{
	d->n = 0;
	d->dropped = 0;
}

int sf_diag_vadd(sf_diag_t *d, int code, const char *file, unsigned line,
		 unsigned col, const char *fmt, va_list ap)
{
	if (d->n >= SF_DIAG_MAX) {
		d->dropped++;
		return code;
	}
	fill(&d->items[d->n++], code, file, line, col, fmt, ap);
	return code;
}

int sf_diag_add(sf_diag_t *d, int code, const char *file, unsigned line,
		unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sf_diag_vadd(d, code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

void sf_diag_push(sf_diag_t *d, const sf_err_t *err)
{
	if (d->n >= SF_DIAG_MAX) {
		d->dropped++;
		return;
	}
	d->items[d->n++] = *err;
}

void sf_diag_print(const sf_diag_t *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++)
		sf_err_print(&d->items[i], fp);
	if (d->dropped)
		fprintf(fp, "%zu more errors not shown\n", d->dropped);
}
