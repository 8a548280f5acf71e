/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_json.h - a small JSON writer into a caller-provided buffer.
 *
 * Used for `--json` outputs, replay's JSON lines and the control socket.
 * Strings are escaped for untrusted bytes: quotes, backslash and control
 * characters are escaped, bytes that are not valid UTF-8 become \ufffd, so
 * a hostile header can never break the record or the terminal.  Writing
 * never allocates; when the buffer is too small the output is cut and
 * `overflow` is set (callers size buffers generously and check it).
 */
#ifndef SF_JSON_H
#define SF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sf_jw {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
	bool need_comma; /* a value was written at the current level */
} sf_jw_t;

void sf_jw_init(sf_jw_t *w, char *buf, size_t cap);
void sf_jw_obj_open(sf_jw_t *w);
void sf_jw_obj_close(sf_jw_t *w);
void sf_jw_arr_open(sf_jw_t *w, const char *key); /* key NULL in arrays */
void sf_jw_arr_close(sf_jw_t *w);
/* key: value pairs; key NULL writes a bare value (inside an array). */
void sf_jw_str(sf_jw_t *w, const char *key, const char *s);
void sf_jw_strn(sf_jw_t *w, const char *key, const char *s, size_t n);
void sf_jw_int(sf_jw_t *w, const char *key, long long v);
void sf_jw_uint(sf_jw_t *w, const char *key, unsigned long long v);
void sf_jw_double(sf_jw_t *w, const char *key, double v);
void sf_jw_bool(sf_jw_t *w, const char *key, bool v);
void sf_jw_null(sf_jw_t *w, const char *key);
/* Starts a nested object value under key. */
void sf_jw_obj_open_key(sf_jw_t *w, const char *key);

/* Appends raw bytes escaped as a JSON string body (no quotes). */
void sf_jw_escape(sf_jw_t *w, const char *s, size_t n);

#endif
