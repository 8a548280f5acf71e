/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tables.c - table snapshots: load, free, lookups, stats, the shrink guard
 * and live roaming updates.
 *
 * A snapshot is a small handle on a reference-counted core that holds the
 * five tables (tbl_int.h).  sf_tables_load() builds a fresh core; nothing
 * is reachable from outside until every table has loaded and the shrink
 * guard has passed, and any failure frees the half-built core.
 *
 * Live roaming updates (sf_tables_roaming_update) must not copy a 10^7-row
 * table, and must not modify a snapshot that readers may be using.  So a
 * derived snapshot shares the core of its base (one more reference) and
 * carries its own roaming overlay: a persistent hash trie (tbl_overlay.c)
 * of (number, state) holding exactly the numbers whose state differs from
 * the core's roaming set.  Lookups consult the overlay first, then the
 * core.  An update copies one path of the trie (about log64(k) nodes for
 * k changed numbers) and shares the rest with the base snapshot, so its
 * cost does not grow with the live changes (it was a copy of the whole
 * overlay, O(k): 2.8k updates/s at 10^5 changes; perf/
 * bench_roaming_updates).  A full reload starts again from an empty
 * overlay.  Setting a number back to its state in the file removes it
 * from the overlay, so k counts distinct numbers whose state really
 * differs, not updates.
 *
 * The core's reference count is atomic: snapshots are retired and freed by
 * whichever thread drops the last reader, in any order.
 */
#include "tbl_int.h"

#include <string.h>

struct sf_tables {
	sf_tbl_core_t *core;
	/* number -> 0 (not roaming) or SF_TBL_ROAM_PRESENT | country; one
	 * reference owned */
	sf_tbl_ovl_t *ovl;
	size_t n_ovl;
	size_t roaming_rows;
	uint64_t generation;
};

static sf_tbl_core_t *core_new(void)
{
	sf_tbl_core_t *c = sf_tbl_malloc(sizeof(*c));

	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	atomic_init(&c->refs, 1);
	if (sf_tbl_strs_init(&c->plan_strs) < 0) {
		sf_tbl_free(c);
		return NULL;
	}
	if (sf_tbl_strs_init(&c->subst_strs) < 0) {
		sf_tbl_strs_fini(&c->plan_strs);
		sf_tbl_free(c);
		return NULL;
	}
	if (sf_tbl_strs_init(&c->ported_strs) < 0) {
		sf_tbl_strs_fini(&c->subst_strs);
		sf_tbl_strs_fini(&c->plan_strs);
		sf_tbl_free(c);
		return NULL;
	}
	return c;
}

void sf_tbl_core_free(sf_tbl_core_t *c)
{
	if (!c)
		return;
	JudyLFreeArray(&c->plan, PJE0);
	JudyLFreeArray(&c->roam, PJE0);
	JudyLFreeArray(&c->ported, PJE0);
	JudyLFreeArray(&c->subst_exact, PJE0);
	JudyLFreeArray(&c->subst_prefix, PJE0);
	JudyLFreeArray(&c->pair_index, PJE0);
	for (size_t i = 0; i < c->n_allow_sets; i++) {
		Judy1FreeArray(&c->allow[i].exact, PJE0);
		JudyLFreeArray(&c->allow[i].prefix, PJE0);
	}
	sf_tbl_free(c->allow);
	sf_tbl_free(c->plan_ents);
	sf_tbl_free(c->plan_direct);
	sf_tbl_filter_free(&c->plan_filter);
	sf_tbl_free(c->pairs);
	sf_tbl_strs_fini(&c->plan_strs);
	sf_tbl_strs_fini(&c->subst_strs);
	sf_tbl_strs_fini(&c->ported_strs);
	sf_tbl_free(c);
}

static void core_unref(sf_tbl_core_t *c)
{
	if (c && atomic_fetch_sub_explicit(&c->refs, 1,
					   memory_order_acq_rel) == 1)
		sf_tbl_core_free(c);
}

/* Refuses a table that shrank more than max_shrink allows. */
static int shrink_check(const char *table, const char *path, size_t prev,
			size_t now, double max_shrink, sf_err_t *err)
{
	double floor_rows = (1.0 - max_shrink) * (double)prev;
	size_t need;

	if (max_shrink >= 1.0 || (double)now >= floor_rows)
		return 0;
	need = (size_t)floor_rows;
	if ((double)need < floor_rows)
		need++;
	return sf_err_set(err, SF_ESHRINK, path, 0, 0,
			  "%s table would shrink from %zu to %zu rows; "
			  "max_shrink %.2f requires at least %zu",
			  table, prev, now, max_shrink, need);
}

int sf_tables_load(const sf_tables_src_t *src, sf_tables_t **out,
		   sf_err_t *err)
{
	sf_tbl_core_t *c;
	sf_tables_t *t;
	int rc = 0;

	if (out)
		*out = NULL;
	if (!src || !out)
		return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
				  "sf_tables_load: no source or output");
	if (src->previous && !(src->max_shrink >= 0.0 &&
			       src->max_shrink <= 1.0))
		return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
				  "max_shrink %g is outside [0, 1]",
				  src->max_shrink);
	c = core_new();
	if (!c)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	if (src->plan)
		rc = sf_tbl_plan_load(c, src->plan, src->plan_text,
				      src->plan_fmt, err);
	if (rc == 0 && src->ported)
		rc = sf_tbl_ported_load(c, src->ported, src->ported_text,
					src->ported_fmt, src->home_operators,
					src->n_home_operators,
					src->ported_out_class, err);
	if (rc == 0 && src->roaming)
		rc = sf_tbl_roaming_load(c, src->roaming, src->roaming_text,
					 src->roaming_fmt, err);
	if (rc == 0 && src->substitution)
		rc = sf_tbl_subst_load(c, src->substitution,
				       src->substitution_text,
				       src->substitution_fmt, err);
	if (rc == 0 && src->allow)
		rc = sf_tbl_allow_load(c, src->allow, src->allow_text,
				       src->allow_fmt, src->trunk_names,
				       src->n_trunks, err);
	if (rc == 0 && src->previous) {
		sf_tables_stats_t ps;
		double ms = src->max_shrink;

		sf_tables_stats(src->previous, &ps);
		rc = shrink_check("numbering plan", src->plan, ps.plan_rows,
				  c->plan_n, ms, err);
		if (rc == 0)
			rc = shrink_check("ported", src->ported,
					  ps.ported_rows, c->ported_n, ms, err);
		if (rc == 0)
			rc = shrink_check("roaming", src->roaming,
					  ps.roaming_rows, c->roam_n, ms, err);
		if (rc == 0)
			rc = shrink_check("substitution", src->substitution,
					  ps.subst_rows, c->subst_n, ms, err);
		if (rc == 0)
			rc = shrink_check("allow", src->allow, ps.allow_rows,
					  c->allow_n, ms, err);
	}
	t = rc == 0 ? sf_tbl_malloc(sizeof(*t)) : NULL;
	if (rc == 0 && !t)
		rc = sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	if (rc < 0 || !t) {
		sf_tbl_core_free(c);
		return rc;
	}
	memset(t, 0, sizeof(*t));
	t->core = c;
	t->roaming_rows = c->roam_n;
	*out = t;
	return 0;
}

void sf_tables_free(sf_tables_t *t)
{
	if (!t)
		return;
	core_unref(t->core);
	sf_tbl_ovl_unref(t->ovl);
	sf_tbl_free(t);
}

static Word_t core_roam(const sf_tbl_core_t *c, uint64_t key)
{
	PWord_t pv;

	if (!c->roam)
		return 0;
	pv = (PWord_t)JudyLGet(c->roam, key, PJE0);
	return pv && pv != (PWord_t)PPJERR ? *pv : 0;
}

static Word_t roam_state(const sf_tables_t *t, uint64_t key)
{
	Word_t v;

	if (t->ovl && sf_tbl_ovl_get(t->ovl, key, &v))
		return v;
	return core_roam(t->core, key);
}

/* The plan's answer for n, overridden by the ported table's (the whole
 * number's key is pfx[len]). */
static bool classify(const sf_tbl_core_t *c,
		     const uint64_t pfx[SF_NUM_MAX + 1], const sf_num_t *n,
		     sf_plan_entry_t *out)
{
	sf_plan_entry_t e;
	bool in_plan = sf_tbl_plan_lookup_keys(c, pfx, n->len, &e);

	if (n->kind == SF_NUM_E164 &&
	    sf_tbl_ported_apply(c, pfx[n->len], n->len, in_plan, &e))
		in_plan = true;
	if (in_plan && out)
		*out = e;
	return in_plan;
}

bool sf_tables_plan_lookup(const sf_tables_t *t, const sf_num_t *n,
			   sf_plan_entry_t *out)
{
	uint64_t pfx[SF_NUM_MAX + 1];

	return t && sf_tbl_prefixes(n, pfx) && classify(t->core, pfx, n, out);
}

bool sf_tables_is_roaming(const sf_tables_t *t, const sf_num_t *n,
			  char visited[3])
{
	Word_t v = 0;

	if (visited)
		visited[0] = '\0';
	if (!t || !n || n->kind != SF_NUM_E164 || n->len == 0 ||
	    n->len > 15)
		return false;
	v = roam_state(t, sf_tbl_key(n->d, n->len));
	if (!v)
		return false;
	if (visited && (v & 0xffff))
		sf_tbl_country_unpack(v, visited);
	return true;
}

bool sf_tables_subst_lookup(const sf_tables_t *t, const sf_num_t *n,
			    sf_subst_entry_t *out)
{
	return t && sf_tbl_subst_lookup(t->core, n, out);
}

bool sf_tables_allowed(const sf_tables_t *t, int trunk_id,
		       const sf_num_t *n)
{
	return t && sf_tbl_allow_lookup(t->core, trunk_id, n);
}

void sf_tables_number_facts(const sf_tables_t *t, int trunk_id,
			    const sf_num_t *n, sf_number_facts_t *out)
{
	uint64_t pfx[SF_NUM_MAX + 1];
	Word_t v;

	memset(out, 0, sizeof(*out));
	if (!t || !sf_tbl_prefixes(n, pfx))
		return;
	out->in_plan = classify(t->core, pfx, n, &out->plan);
	if (n->kind == SF_NUM_E164 && n->len <= 15) {
		v = roam_state(t, pfx[n->len]);
		out->roaming = v != 0;
		if (v & 0xffff)
			sf_tbl_country_unpack(v, out->visited);
	}
	out->substitution = sf_tbl_subst_lookup_keys(t->core, pfx, n->len,
						     &out->subst);
	out->allow_listed = sf_tbl_allow_lookup_keys(t->core, trunk_id, pfx,
						     n->len);
}

void sf_tables_stats(const sf_tables_t *t, sf_tables_stats_t *out)
{
	const sf_tbl_core_t *c;

	memset(out, 0, sizeof(*out));
	if (!t)
		return;
	c = t->core;
	out->plan_rows = c->plan_n;
	out->roaming_rows = t->roaming_rows;
	out->subst_rows = c->subst_n;
	out->allow_rows = c->allow_n;
	out->ported_rows = c->ported_n;
	out->ported_bytes = sf_tbl_ported_bytes(c);
	out->plan_bytes = sf_tbl_plan_bytes(c);
	/* the overlay: its slots and about a third as much in nodes */
	out->roaming_bytes = sf_tbl_roaming_bytes(c) +
			     t->n_ovl * sf_tbl_ovl_slot_bytes() * 4 / 3;
	out->subst_bytes = sf_tbl_subst_bytes(c);
	out->allow_bytes = sf_tbl_allow_bytes(c);
	out->generation = t->generation;
}

void sf_tables_set_generation(sf_tables_t *t, uint64_t gen)
{
	if (t)
		t->generation = gen;
}

const char *sf_tables_roaming_stream_id(const sf_tables_t *t)
{
	return t ? t->core->roam_stream_id : "";
}

uint64_t sf_tables_roaming_journal_seq(const sf_tables_t *t)
{
	return t ? t->core->roam_journal_seq : 0;
}

size_t sf_tables_roaming_overlay(const sf_tables_t *t)
{
	return t ? t->n_ovl : 0;
}

/* Checks one change; *key and *want (the overlay value) for it. */
static int change_of(const sf_num_t *n, bool add, const char *visited,
		     uint64_t *key, Word_t *want, sf_err_t *err)
{
	char cc[3] = "";

	if (n->kind != SF_NUM_E164 || n->len == 0 || n->len > 15)
		return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
				  "roaming update: not an E.164 number");
	for (unsigned j = 0; j < n->len; j++)
		if (!sf_isdigit((unsigned char)n->d[j]))
			return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
					  "roaming update: bad number");
	if (add && visited && visited[0]) {
		if (!sf_isalpha((unsigned char)visited[0]) ||
		    !sf_isalpha((unsigned char)visited[1]) || visited[2])
			return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
					  "visited country '%.8s' is not an "
					  "ISO 3166 alpha-2 code (two letters)",
					  visited);
		cc[0] = (char)(visited[0] & ~0x20);
		cc[1] = (char)(visited[1] & ~0x20);
	}
	*key = sf_tbl_key(n->d, n->len);
	*want = add ? SF_TBL_ROAM_PRESENT | sf_tbl_country_pack(cc) : 0;
	return 0;
}

int sf_tables_roaming_update(const sf_tables_t *base, const sf_num_t *n,
			     bool add, const char *visited,
			     sf_tables_t **out, sf_err_t *err)
{
	uint64_t key;
	Word_t want, cur, in_core;
	int delta;
	sf_tables_t *t;

	if (out)
		*out = NULL;
	if (!base || !n || !out)
		return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
				  "roaming update: missing argument");
	if (change_of(n, add, visited, &key, &want, err) < 0)
		return err ? err->code : SF_EINVAL;
	cur = roam_state(base, key);
	in_core = core_roam(base->core, key);

	t = sf_tbl_malloc(sizeof(*t));
	if (!t)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	memset(t, 0, sizeof(*t));
	/* the overlay holds only states that differ from the file's */
	if (sf_tbl_ovl_set(base->ovl, key, want, want == in_core, &t->ovl,
			   &delta) < 0) {
		sf_tbl_free(t);
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	}
	t->n_ovl = (size_t)((ptrdiff_t)base->n_ovl + delta);
	t->roaming_rows = base->roaming_rows - (cur ? 1 : 0) + (want ? 1 : 0);
	t->generation = base->generation;
	t->core = base->core;
	atomic_fetch_add_explicit(&t->core->refs, 1, memory_order_relaxed);
	*out = t;
	return 0;
}

int sf_tables_roaming_update_many(const sf_tables_t *base,
				  const sf_roaming_change_t *ch, size_t n,
				  sf_tables_t **out, size_t *applied,
				  sf_err_t *err)
{
	uint32_t token = sf_tbl_ovl_token();
	sf_tbl_ovl_t *root = base ? base->ovl : NULL;
	bool owned = false; /* root is the batch's (else base's) */
	ptrdiff_t rows = 0, n_ovl = 0;
	sf_tables_t *t;

	*out = NULL;
	*applied = 0;
	if (!base)
		return sf_err_set(err, SF_EINVAL, NULL, 0, 0,
				  "roaming update: missing argument");
	for (size_t i = 0; i < n; i++) {
		uint64_t key;
		Word_t want, cur, in_core;
		sf_tbl_ovl_t *next;
		int delta;
		sf_err_t e;

		if (change_of(&ch[i].num, ch[i].add, ch[i].visited, &key,
			      &want, &e) < 0)
			continue; /* a bad entry: skipped */
		in_core = core_roam(base->core, key);
		cur = in_core; /* unless the overlay had the key */
		if (sf_tbl_ovl_set_owned(root, token, key, want,
					 want == in_core, &next, &delta,
					 &cur) < 0) {
			if (owned)
				sf_tbl_ovl_unref(root);
			return sf_err_set(err, SF_ENOMEM, NULL, 0, 0,
					  "out of memory");
		}
		root = next;
		owned = true;
		n_ovl += delta;
		rows += (want ? 1 : 0) - (cur ? 1 : 0);
		(*applied)++;
	}
	t = sf_tbl_malloc(sizeof(*t));
	if (!t) {
		if (owned)
			sf_tbl_ovl_unref(root);
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(t, 0, sizeof(*t));
	if (!owned)
		sf_tbl_ovl_ref(root); /* nothing changed: share base's */
	t->ovl = root;
	t->n_ovl = (size_t)((ptrdiff_t)base->n_ovl + n_ovl);
	t->roaming_rows = (size_t)((ptrdiff_t)base->roaming_rows + rows);
	t->generation = base->generation;
	t->core = base->core;
	atomic_fetch_add_explicit(&t->core->refs, 1, memory_order_relaxed);
	*out = t;
	return 0;
}
