/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_err.h - error codes and the caller-owned error record.
 *
 * Every fallible function in sipfilter returns 0 or a negative SF_E* code
 * and, when given one, fills an sf_err_t owned by the caller.  The record
 * needs no allocation, so it can be filled on the out-of-memory path too.
 * Detect once, report once: the code that finally prints an error is the
 * top-level command, never the layer that found it.
 *
 * sf_diag_t collects several errors (config and table loaders report as many
 * problems as they can before giving up) and prints them compiler-style:
 *     sipfilter.yaml:14:7: error: unknown key 'roamng' in 'tables'; ...
 */
#ifndef SF_ERR_H
#define SF_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum {
	SF_OK = 0,
	SF_ENOMEM = -1,   /* allocation failed (malloc or Judy) */
	SF_EIO = -2,      /* a system call failed; see sys_errno */
	SF_EPARSE = -3,   /* bad syntax in a file or message */
	SF_EINVAL = -4,   /* bad value or argument */
	SF_ERANGE = -5,   /* value or size out of bounds */
	SF_ENOENT = -6,   /* a named thing does not exist */
	SF_EEXIST = -7,   /* duplicate */
	SF_ESHRINK = -8,  /* a table shrank more than allowed */
};

#define SF_ERR_MSG_MAX 512
#define SF_ERR_FILE_MAX 256

typedef struct sf_err {
	int code;                   /* SF_E* */
	int sys_errno;              /* errno when code == SF_EIO, else 0 */
	char file[SF_ERR_FILE_MAX]; /* "" when not about a file */
	unsigned line;              /* 1-based; 0 = unknown */
	unsigned col;               /* 1-based; 0 = unknown */
	char msg[SF_ERR_MSG_MAX];   /* human sentence, no trailing newline */
} sf_err_t;

/* Clears the record.  NULL is accepted. */
void sf_err_clear(sf_err_t *err);

/*
 * Fills err (if not NULL) and returns code, so callers can write
 * `return sf_err_set(err, SF_EPARSE, file, line, col, "bad %s", x);`.
 * file may be NULL.  Never allocates.
 */
int sf_err_set(sf_err_t *err, int code, const char *file, unsigned line,
	       unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Formats err as "file:line:col: error: msg" (parts omitted when unknown). */
void sf_err_format(const sf_err_t *err, char *buf, size_t size);

/* Prints the formatted error and a newline on fp. */
void sf_err_print(const sf_err_t *err, FILE *fp);

/* --- collected diagnostics --------------------------------------------- */

#define SF_DIAG_MAX 32

typedef struct sf_diag {
	sf_err_t items[SF_DIAG_MAX];
	size_t n;        /* stored (<= SF_DIAG_MAX) */
	size_t dropped;  /* reported after the array was full */
} sf_diag_t;

void sf_diag_init(sf_diag_t *d);

/* Adds one error (printf-style message).  Returns SF_EPARSE, or code. */
int sf_diag_add(sf_diag_t *d, int code, const char *file, unsigned line,
		unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The same with a va_list.  Past SF_DIAG_MAX the message is only counted
 * (dropped), not formatted. */
int sf_diag_vadd(sf_diag_t *d, int code, const char *file, unsigned line,
		 unsigned col, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* Adds a copy of an existing record. */
void sf_diag_push(sf_diag_t *d, const sf_err_t *err);

/* Prints every stored error, one per line, and "N more errors" if dropped. */
void sf_diag_print(const sf_diag_t *d, FILE *fp);

#endif
