/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_yaml.c - a small YAML node tree built from libyaml events.
 *
 * libyaml's document API keeps marks but expands aliases and has no bounds;
 * building our own tree from the event stream lets us refuse anchors and
 * aliases outright (no "billion laughs"), cap depth, node count and value
 * length, and keep a 1-based line:col on every node for messages.
 * Before libyaml sees the bytes we check them for invalid UTF-8 and control
 * characters ourselves, because libyaml reports those by byte offset only.
 * All nodes and strings live in one arena freed at once.
 */
#include "cfg_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define ARENA_BLOCK 16384u

typedef struct arena_blk {
	struct arena_blk *next;
	size_t used, size;
	max_align_t data[];
} arena_blk_t;

struct cfg_tree {
	arena_blk_t *blocks;
	cfg_node_t *root;
	size_t nodes;
};

static void *arena_alloc(cfg_tree_t *t, size_t n)
{
	arena_blk_t *b = t->blocks;
	size_t a = _Alignof(max_align_t);

	n = (n + a - 1) / a * a;
	if (!b || b->size - b->used < n) {
		size_t sz = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = malloc(sizeof(*b) + sz);
		if (!b)
			return NULL;
		b->size = sz;
		b->used = 0;
		b->next = t->blocks;
		t->blocks = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

void cfg_tree_free(cfg_tree_t *t)
{
	if (!t)
		return;
	while (t->blocks) {
		arena_blk_t *b = t->blocks;

		t->blocks = b->next;
		free(b);
	}
	free(t);
}

cfg_node_t *cfg_tree_root(const cfg_tree_t *t)
{
	return t->root;
}

bool cfg_node_is_null(const cfg_node_t *n)
{
	if (!n || n->kind != CFG_SCALAR || !n->plain)
		return false;
	return n->len == 0 || (n->len == 1 && n->s[0] == '~') ||
	       (n->len == 4 && (!memcmp(n->s, "null", 4) ||
				!memcmp(n->s, "Null", 4) ||
				!memcmp(n->s, "NULL", 4)));
}

/* --- byte-level checks --------------------------------------------------- */

/* Length of the UTF-8 sequence at p (1..4) and its code point, or 0. */
static size_t utf8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
	uint32_t c = p[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/* YAML 1.1 §5.1 printable set. */
static bool yaml_printable(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0x7e) ||
	       c == 0x85 || (c >= 0xa0 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* True when all 8 bytes of w are printable ASCII (0x20..0x7e): no byte
 * under 0x20, none over 0x7e (bit 7 clear after adding 1). */
static bool printable8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80u;

	return (((w - ones * 0x20u) | (w + ones) | w) & high) == 0;
}

/* Reports the first invalid UTF-8 sequence or forbidden character. */
static int check_bytes(const char *name, const char *text, size_t len,
		       sf_diag_t *diag)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned line = 1, col = 1;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;
		uint64_t w;

		/* Printable ASCII, nearly every byte of a config: eight at a
		 * time while they last (one test per word, not per byte). */
		while (len - i >= 8 && (memcpy(&w, p + i, 8), printable8(w))) {
			col += 8;
			i += 8;
		}
		if (i == len)
			break;
		if (p[i] - 0x20u < 0x5fu) {
			col++;
			i++;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);

		if (n == 0)
			return sf_diag_add(diag, SF_EPARSE, name, line, col,
					   "invalid UTF-8 (byte 0x%02x); save "
					   "the file as UTF-8 text", p[i]);
		if (!yaml_printable(cp))
			return sf_diag_add(diag, SF_EPARSE, name, line, col,
					   "control character U+%04X is not "
					   "allowed in YAML; remove it",
					   (unsigned)cp);
		if (cp == '\n' || (cp == '\r' && (i + 1 >= len ||
						  p[i + 1] != '\n'))) {
			line++;
			col = 1;
		} else if (cp != '\r') {
			col++;
		}
		i += n;
	}
	return 0;
}

/*
 * libyaml answers a tab in indentation with "found character that cannot
 * start any token", which sends people looking in the wrong place.  When
 * it fails, look for a tab in the leading white space of a line up to the
 * failure and report that instead.
 */
static bool find_indent_tab(const char *text, size_t len, unsigned upto,
			    unsigned *line, unsigned *col)
{
	unsigned ln = 1;
	size_t i = 0;

	while (i < len && ln <= upto) {
		unsigned c = 1;

		while (i < len && text[i] == ' ') {
			i++;
			c++;
		}
		if (i < len && text[i] == '\t') {
			*line = ln;
			*col = c;
			return true;
		}
		while (i < len && text[i] != '\n')
			i++;
		i++;
		ln++;
	}
	return false;
}

/* --- tree building -------------------------------------------------------- */

typedef struct builder {
	cfg_tree_t *t;
	const char *name;
	sf_diag_t *diag;
	cfg_node_t *stack[CFG_MAX_DEPTH + 1];
	size_t depth;
	int rc;
	bool seen_doc;
} builder_t;

static cfg_node_t *new_node(builder_t *b, cfg_kind_t kind,
			    const yaml_mark_t *m)
{
	cfg_node_t *n;

	if (++b->t->nodes > CFG_MAX_NODES) {
		b->rc = sf_diag_add(b->diag, SF_ERANGE, b->name,
				    (unsigned)m->line + 1,
				    (unsigned)m->column + 1,
				    "too many values (over %u); a config "
				    "this large is not supported",
				    CFG_MAX_NODES);
		return NULL;
	}
	n = arena_alloc(b->t, sizeof(*n));
	if (!n) {
		b->rc = sf_diag_add(b->diag, SF_ENOMEM, b->name, 0, 0,
				    "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	n->s = "";
	return n;
}

/* Hangs n under the innermost open collection (or makes it the root). */
static void attach(builder_t *b, cfg_node_t *n)
{
	cfg_node_t *p;

	if (b->depth == 0) {
		b->t->root = n;
		return;
	}
	p = b->stack[b->depth - 1];
	if (p->last)
		p->last->next = n;
	else
		p->first = n;
	p->last = n;
	p->n++;
}

static void refuse_anchor(builder_t *b, const yaml_char_t *anchor,
			  const yaml_mark_t *m)
{
	if (!anchor)
		return;
	b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name,
			    (unsigned)m->line + 1, (unsigned)m->column + 1,
			    "YAML anchor '&%.40s' refused: anchors and "
			    "aliases are not supported; write the value out",
			    (const char *)anchor);
}

/* Handles one event; returns false to stop parsing. */
static bool on_event(builder_t *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	cfg_node_t *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->seen_doc) {
			b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name,
					    (unsigned)m->line + 1,
					    (unsigned)m->column + 1,
					    "a second YAML document; the config "
					    "must be one document (remove the "
					    "'---' or what follows it)");
			return false;
		}
		b->seen_doc = true;
		return true;
	case YAML_ALIAS_EVENT:
		b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name,
				    (unsigned)m->line + 1,
				    (unsigned)m->column + 1,
				    "YAML alias '*%.40s' refused: anchors and "
				    "aliases are not supported; write the value "
				    "out", (const char *)ev->data.alias.anchor);
		/* Keep the shape so later messages still make sense. */
		n = new_node(b, CFG_SCALAR, m);
		if (!n)
			return false;
		n->plain = true;
		attach(b, n);
		return true;
	case YAML_SCALAR_EVENT:
		refuse_anchor(b, ev->data.scalar.anchor, m);
		n = new_node(b, CFG_SCALAR, m);
		if (!n)
			return false;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (ev->data.scalar.length > CFG_MAX_SCALAR) {
			b->rc = sf_diag_add(b->diag, SF_ERANGE, b->name,
					    n->line, n->col,
					    "value longer than %u bytes",
					    CFG_MAX_SCALAR);
			n->plain = true; /* continue with it as null */
		} else if (memchr(ev->data.scalar.value, '\0',
				  ev->data.scalar.length)) {
			/* Only a "\0" escape gets here; C strings downstream
			 * would silently cut the value short. */
			b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name,
					    n->line, n->col,
					    "value contains a NUL character "
					    "(\\0); remove it");
			n->plain = true;
		} else {
			char *s = arena_alloc(b->t, ev->data.scalar.length + 1);

			if (!s) {
				b->rc = sf_diag_add(b->diag, SF_ENOMEM,
						    b->name, 0, 0,
						    "out of memory");
				return false;
			}
			memcpy(s, ev->data.scalar.value,
			       ev->data.scalar.length);
			s[ev->data.scalar.length] = '\0';
			n->s = s;
			n->len = ev->data.scalar.length;
		}
		attach(b, n);
		return true;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		refuse_anchor(b, ev->type == YAML_SEQUENCE_START_EVENT ?
					 ev->data.sequence_start.anchor :
					 ev->data.mapping_start.anchor, m);
		if (b->depth >= CFG_MAX_DEPTH) {
			b->rc = sf_diag_add(b->diag, SF_ERANGE, b->name,
					    (unsigned)m->line + 1,
					    (unsigned)m->column + 1,
					    "lists and maps nested deeper than "
					    "%u levels", CFG_MAX_DEPTH);
			return false;
		}
		n = new_node(b, ev->type == YAML_SEQUENCE_START_EVENT ?
					CFG_SEQ : CFG_MAP, m);
		if (!n)
			return false;
		attach(b, n);
		b->stack[b->depth++] = n;
		return true;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth)
			b->depth--;
		return true;
	default:
		return true;
	}
}

static void syntax_error(builder_t *b, const yaml_parser_t *p,
			 const char *text, size_t len)
{
	unsigned line = (unsigned)p->problem_mark.line + 1;
	unsigned col = (unsigned)p->problem_mark.column + 1;
	unsigned tl, tc;

	if (p->error == YAML_MEMORY_ERROR) {
		b->rc = sf_diag_add(b->diag, SF_ENOMEM, b->name, 0, 0,
				    "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* Marks are not set for reader errors; we prescreen the bytes
		 * so this is rare (e.g. a UTF-16 BOM). */
		b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name, 0, 0,
				    "YAML: %s at byte %zu",
				    p->problem ? p->problem : "unreadable input",
				    p->problem_offset);
		return;
	}
	if (find_indent_tab(text, len, line, &tl, &tc)) {
		b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name, tl, tc,
				    "tab character in indentation; YAML "
				    "indents with spaces only");
		return;
	}
	if (p->context)
		b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name, line, col,
				    "YAML syntax error: %s (%s at line %u, "
				    "column %u)",
				    p->problem ? p->problem : "?", p->context,
				    (unsigned)p->context_mark.line + 1,
				    (unsigned)p->context_mark.column + 1);
	else
		b->rc = sf_diag_add(b->diag, SF_EPARSE, b->name, line, col,
				    "YAML syntax error: %s",
				    p->problem ? p->problem : "?");
}

int cfg_tree_parse(const char *name, const char *text, size_t len,
		   sf_diag_t *diag, cfg_tree_t **out)
{
	builder_t b;
	yaml_parser_t p;
	bool done = false;

	*out = NULL;
	if (len > CFG_MAX_FILE)
		return sf_diag_add(diag, SF_ERANGE, name, 0, 0,
				   "file is larger than %u bytes; is this "
				   "really the config?", CFG_MAX_FILE);
	if (check_bytes(name, text, len, diag) < 0)
		return SF_EPARSE;

	memset(&b, 0, sizeof(b));
	b.name = name;
	b.diag = diag;
	b.t = calloc(1, sizeof(*b.t));
	if (!b.t)
		return sf_diag_add(diag, SF_ENOMEM, name, 0, 0,
				   "out of memory");
	if (!yaml_parser_initialize(&p)) {
		cfg_tree_free(b.t);
		return sf_diag_add(diag, SF_ENOMEM, name, 0, 0,
				   "out of memory");
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(&b, &p, text, len);
			if (b.rc == 0)
				b.rc = SF_EPARSE;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (!on_event(&b, &ev)) {
			if (b.rc == 0)
				b.rc = SF_EPARSE;
			done = true;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (b.rc < 0) {
		cfg_tree_free(b.t);
		return b.rc;
	}
	*out = b.t;
	return 0;
}
