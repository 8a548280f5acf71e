/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_edit.c - byte-range edit lists applied in one copy pass.
 */
#include "sf_edit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/sf_err.h"

void sf_edit_init(sf_edit_t *e)
{
	e->n = 0;
	e->used = 0;
	e->failed = 0;
}

static int add_op(sf_edit_t *e, uint32_t off, uint32_t del, uint32_t ins_off,
		  uint32_t ins_len)
{
	sf_edit_op_t *op;

	if (e->n >= SF_EDIT_MAX_OPS) {
		e->failed = 1;
		return SF_ERANGE;
	}
	op = &e->ops[e->n];
	op->off = off;
	op->del = del;
	op->ins_off = ins_off;
	op->ins_len = ins_len;
	op->seq = e->n++;
	return 0;
}

int sf_edit_replace(sf_edit_t *e, uint32_t off, uint32_t del,
		    const char *ins, size_t len)
{
	uint32_t at = e->used;

	if (len > SF_EDIT_SCRATCH - e->used) {
		e->failed = 1;
		return SF_ERANGE;
	}
	if (len)
		memcpy(e->scratch + at, ins, len);
	e->used += (uint32_t)len;
	return add_op(e, off, del, at, (uint32_t)len);
}

int sf_edit_replacef(sf_edit_t *e, uint32_t off, uint32_t del,
		     const char *fmt, ...)
{
	va_list ap;
	size_t room = SF_EDIT_SCRATCH - e->used;
	uint32_t at = e->used;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->scratch + at, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		e->failed = 1;
		return SF_ERANGE;
	}
	e->used += (uint32_t)n;
	return add_op(e, off, del, at, (uint32_t)n);
}

void sf_edit_put_u(sf_edit_t *e, unsigned long v)
{
	char d[24];
	size_t n = sizeof(d);

	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n);
	sf_edit_put(e, d + n, sizeof(d) - n);
}

int sf_edit_end(sf_edit_t *e, uint32_t mark, uint32_t off, uint32_t del)
{
	if (e->failed || mark > e->used)
		return SF_ERANGE;
	return add_op(e, off, del, mark, e->used - mark);
}

/* Insertion sort: op lists are short and nearly sorted already. */
void sf_edit_sort(sf_edit_t *e)
{
	for (unsigned i = 1; i < e->n; i++) {
		sf_edit_op_t k = e->ops[i];
		unsigned j = i;

		while (j > 0 && (e->ops[j - 1].off > k.off ||
				 (e->ops[j - 1].off == k.off &&
				  e->ops[j - 1].seq > k.seq))) {
			e->ops[j] = e->ops[j - 1];
			j--;
		}
		e->ops[j] = k;
	}
}

long sf_edit_apply(sf_edit_t *e, const char *src, size_t len, char *out,
		   size_t cap)
{
	size_t pos = 0, o = 0;

	if (e->failed)
		return -1;
	sf_edit_sort(e);
	for (unsigned i = 0; i < e->n; i++) {
		const sf_edit_op_t *op = &e->ops[i];
		size_t keep;

		if (op->off < pos || op->off > len || op->del > len - op->off)
			return -1;
		keep = op->off - pos;
		if (keep + op->ins_len > cap - o)
			return -1;
		memcpy(out + o, src + pos, keep);
		o += keep;
		memcpy(out + o, e->scratch + op->ins_off, op->ins_len);
		o += op->ins_len;
		pos = op->off + op->del;
	}
	if (len - pos > cap - o)
		return -1;
	memcpy(out + o, src + pos, len - pos);
	o += len - pos;
	return (long)o;
}
