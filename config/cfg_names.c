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

const char *const cfg_cond_names[SF_COND_COUNT] = {
	[SF_COND_TRUNK_KIND] = "trunk_kind",
	[SF_COND_TRUNK] = "trunk",
	[SF_COND_CLASS] = "class",
	[SF_COND_CALLED_CLASS] = "called_class",
	[SF_COND_DIVERSION_CLASS] = "diversion_class",
	[SF_COND_IDENTITY] = "identity",
	[SF_COND_UNPARSEABLE] = "unparseable",
	[SF_COND_LENGTH_VALID] = "length_valid",
	[SF_COND_ROAMING] = "roaming",
	[SF_COND_SUBSTITUTION] = "substitution",
	[SF_COND_ALLOW_LISTED] = "allow_listed",
	[SF_COND_IDENTITY_MISMATCH] = "identity_mismatch",
	[SF_COND_CLI_EQUALS_CALLED] = "cli_equals_called",
	[SF_COND_DIVERTED] = "diverted",
	[SF_COND_PRIVACY] = "privacy",
	[SF_COND_TRUSTED_TRUNK] = "trusted_trunk",
};

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

/* Kept in step with base/sf_class.c by the unit test. */
const char *const cfg_class_names[SF_CLASS_COUNT] = {
	[SF_CLASS_UNLISTED] = "unlisted",
	[SF_CLASS_HOME_MOBILE] = "home-mobile",
	[SF_CLASS_HOME_FIXED] = "home-fixed",
	[SF_CLASS_HOME_MSRN] = "home-msrn",
	[SF_CLASS_DOMESTIC_OTHER] = "domestic-other",
	[SF_CLASS_SERVICE] = "service",
	[SF_CLASS_PREMIUM] = "premium",
	[SF_CLASS_TOLL_FREE] = "toll-free",
	[SF_CLASS_FOREIGN] = "foreign",
	[SF_CLASS_UNALLOCATED] = "unallocated",
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

const char *sf_identity_state_name(sf_identity_state_t s)
{
	return name_of(cfg_ident_state_names, 3, s);
}

const char *sf_id_source_name(sf_id_source_t s)
{
	return name_of(cfg_id_source_names, SF_CFG_MAX_IDENTITY, s);
}

struct phrase {
	unsigned short code;
	const char *text;
};

/* RFC 3261 §21 plus the later registrations an operator may use. */
static const struct phrase phrases[] = {
	{400, "Bad Request"},
	{401, "Unauthorized"},
	{402, "Payment Required"},
	{403, "Forbidden"},
	{404, "Not Found"},
	{405, "Method Not Allowed"},
	{406, "Not Acceptable"},
	{407, "Proxy Authentication Required"},
	{408, "Request Timeout"},
	{410, "Gone"},
	{412, "Conditional Request Failed"},     /* RFC 3903 */
	{413, "Request Entity Too Large"},
	{414, "Request-URI Too Long"},
	{415, "Unsupported Media Type"},
	{416, "Unsupported URI Scheme"},
	{417, "Unknown Resource-Priority"},      /* RFC 4412 */
	{420, "Bad Extension"},
	{421, "Extension Required"},
	{422, "Session Interval Too Small"},     /* RFC 4028 */
	{423, "Interval Too Brief"},
	{424, "Bad Location Information"},       /* RFC 6442 */
	{425, "Bad Alert Message"},              /* RFC 8876 */
	{428, "Use Identity Header"},            /* RFC 8224 */
	{429, "Provide Referrer Identity"},      /* RFC 3892 */
	{430, "Flow Failed"},                    /* RFC 5626 */
	{433, "Anonymity Disallowed"},           /* RFC 5079 */
	{436, "Bad Identity Info"},              /* RFC 8224 */
	{437, "Unsupported Credential"},         /* RFC 8224 */
	{438, "Invalid Identity Header"},        /* RFC 8224 */
	{439, "First Hop Lacks Outbound Support"}, /* RFC 5626 */
	{440, "Max-Breadth Exceeded"},           /* RFC 5393 */
	{469, "Bad Info Package"},               /* RFC 6086 */
	{470, "Consent Needed"},                 /* RFC 5360 */
	{480, "Temporarily Unavailable"},
	{481, "Call/Transaction Does Not Exist"},
	{482, "Loop Detected"},
	{483, "Too Many Hops"},
	{484, "Address Incomplete"},
	{485, "Ambiguous"},
	{486, "Busy Here"},
	{487, "Request Terminated"},
	{488, "Not Acceptable Here"},
	{489, "Bad Event"},                      /* RFC 6665 */
	{491, "Request Pending"},
	{493, "Undecipherable"},
	{494, "Security Agreement Required"},    /* RFC 3329 */
	{500, "Server Internal Error"},
	{501, "Not Implemented"},
	{502, "Bad Gateway"},
	{503, "Service Unavailable"},
	{504, "Server Time-out"},
	{505, "Version Not Supported"},
	{513, "Message Too Large"},
	{555, "Push Notification Service Not Supported"}, /* RFC 8599 */
	{580, "Precondition Failure"},           /* RFC 3312 */
	{600, "Busy Everywhere"},
	{603, "Decline"},
	{604, "Does Not Exist Anywhere"},
	{606, "Not Acceptable"},
	{607, "Unwanted"},                       /* RFC 8197 */
	{608, "Rejected"},                       /* RFC 8688 */
};

const char *cfg_status_phrase(unsigned code)
{
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (phrases[i].code == code)
			return phrases[i].text;
	if (code >= 600)
		return "Global Failure";
	if (code >= 500)
		return "Server Failure";
	return "Request Failure";
}
