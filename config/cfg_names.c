/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_names.c - the names of the config enums, in one place.
 *
 * The same tables serve parsing (YAML values and keys), "expected one of"
 * lists, suggestions, and printing (sf_*_name for logs and `lookup`), so a
 * name can never be accepted under one spelling and printed under another.
 * Also the standard SIP reason phrases used as the default `phrase` of a
 * reject rule.
 */
#include "cfg_int.h"

const char *const cfg_trunk_kind_names[SF_TRUNK_KIND_COUNT] = {
	[SF_TRUNK_INTERNATIONAL] = "international",
	[SF_TRUNK_DOMESTIC] = "domestic",
	[SF_TRUNK_ROAMING_PARTNER] = "roaming-partner",
	[SF_TRUNK_INTERNAL] = "internal",
};

const char *const cfg_action_names[SF_ACT_COUNT] = {
	[SF_ACT_ALLOW] = "allow",
	[SF_ACT_TAG] = "tag",
	[SF_ACT_REJECT] = "reject",
	[SF_ACT_WITHHOLD] = "withhold",
};

const char *const cfg_mode_names[2] = {
	[SF_MODE_ENFORCE] = "enforce",
	[SF_MODE_MONITOR] = "monitor",
};

#define COND_NAME_(e, key, type, level, field, fbit, t, f) [SF_COND_##e] = key,
const char *const cfg_cond_names[SF_COND_COUNT] = {
	SF_CONDITIONS(COND_NAME_)
};
#undef COND_NAME_

#define COND_TYPE_(e, key, type, level, field, fbit, t, f) [SF_COND_##e] = type,
static const sf_cond_type_t cond_types[SF_COND_COUNT] = {
	SF_CONDITIONS(COND_TYPE_)
};
#undef COND_TYPE_

#define COND_LEVEL_(e, key, type, level, field, fbit, t, f) [SF_COND_##e] = level,
static const sf_cond_level_t cond_levels[SF_COND_COUNT] = {
	SF_CONDITIONS(COND_LEVEL_)
};
#undef COND_LEVEL_

#define COND_FBIT_(e, key, type, level, field, fbit, t, f) [SF_COND_##e] = fbit,
static const uint8_t cond_fbits[SF_COND_COUNT] = { /* 0..127 */
	SF_CONDITIONS(COND_FBIT_)
};
#undef COND_FBIT_

unsigned sf_cond_fbit(sf_cond_kind_t k)
{
	return (unsigned)k < SF_COND_COUNT ? cond_fbits[k] : 0;
}

const char *const cfg_scope_names[SF_SCOPE_COUNT] = {
	[SF_SCOPE_ANY] = "any",
	[SF_SCOPE_ALL] = "all",
	[SF_SCOPE_NETWORK] = "network",
	[SF_SCOPE_PRESENTATION] = "presentation",
	[SF_SCOPE_DISPLAY] = "display",
	[SF_SCOPE_FIRST] = "first",
};

sf_cond_type_t sf_cond_type(sf_cond_kind_t k)
{
	return (unsigned)k < SF_COND_COUNT ? cond_types[k] : SF_CT_BOOL;
}

sf_cond_level_t sf_cond_level(sf_cond_kind_t k)
{
	return (unsigned)k < SF_COND_COUNT ? cond_levels[k] : SF_CL_CALL;
}


const char *const cfg_ident_state_names[3] = {
	[SF_IDENT_PRESENT] = "present",
	[SF_IDENT_MISSING] = "missing",
	[SF_IDENT_ANONYMOUS] = "anonymous",
};

const char *const cfg_id_source_names[SF_CFG_MAX_IDENTITY] = {
	[SF_ID_PAI] = "pai",
	[SF_ID_PPI] = "ppi",
	[SF_ID_RPID] = "rpid",
	[SF_ID_FROM] = "from",
};

static const char *name_of(const char *const *names, size_t n, unsigned i)
{
	return i < n && names[i] ? names[i] : "?";
}

const char *sf_trunk_kind_name(sf_trunk_kind_t k)
{
	return name_of(cfg_trunk_kind_names, SF_TRUNK_KIND_COUNT, k);
}

const char *sf_action_name(sf_action_t a)
{
	return name_of(cfg_action_names, SF_ACT_COUNT, a);
}

const char *sf_mode_name(sf_mode_t m)
{
	return name_of(cfg_mode_names, 2, m);
}

const char *sf_cond_name(sf_cond_kind_t k)
{
	return name_of(cfg_cond_names, SF_COND_COUNT, k);
}

const char *sf_scope_name(sf_scope_t s)
{
	return name_of(cfg_scope_names, SF_SCOPE_COUNT, s);
}

const char *sf_identity_state_name(sf_identity_state_t s)
{
	return name_of(cfg_ident_state_names, 3, s);
}

const char *sf_id_source_name(sf_id_source_t s)
{
	return name_of(cfg_id_source_names, SF_CFG_MAX_IDENTITY, s);
}


