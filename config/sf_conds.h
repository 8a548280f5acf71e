/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_conds.h - the one table of rule conditions.
 *
 * Every condition a rule may use under `when:` is one row of
 * SF_CONDITIONS: its enum name, its YAML key, the type of its value, what
 * it is about (the call, or one identity of the call), the fact it reads,
 * and the words `lookup`/`judge`/logs use to explain it.  The config
 * parser (config/cfg_rules.c), the engine (sipfilter/engine/sf_engine.c: the
 * fact is read at offsetof() the facts struct) and the explanations
 * (sipfilter/engine/sf_explain.c) all expand this table, so a new condition is
 * one new row plus its fact.
 *
 * Row: X(ENUM, "key", TYPE, LEVEL, fact_field, FBIT, "true text",
 *        "false text")
 *  - TYPE: SF_CT_BOOL (true/false), SF_CT_KINDS (trunk kinds), SF_CT_TRUNKS
 *    (trunk names), SF_CT_CLASSES (number classes), SF_CT_CLASS_MASK (any
 *    of the classes a set of numbers has), SF_CT_STATES (identity states),
 *    SF_CT_SCOPE (not a test: which identities the rule looks at);
 *  - LEVEL: SF_CL_CALL (a fact of the call) or SF_CL_IDENTITY (a fact of
 *    each presented identity; the rule's `identities` says which);
 *  - set-valued facts are stored as int, -1 meaning "none" (never matches);
 *    boolean facts as bool;
 *  - FBIT: for identity conditions, where their values sit in the
 *    feature word (below); 0 for call conditions;
 *  - texts: for sets a format with one %s (the value's name), for bools
 *    the sentence when the fact is true and when it is false.
 * Nothing here depends on the engine's types: config/ expands only the
 * names and types, and ignores fact_field.
 */
#ifndef SF_CONDS_H
#define SF_CONDS_H

typedef enum sf_cond_type {
	SF_CT_BOOL = 0,
	SF_CT_KINDS,
	SF_CT_TRUNKS,
	SF_CT_CLASSES,
	SF_CT_CLASS_MASK,
	SF_CT_STATES,
	SF_CT_SCOPE,
} sf_cond_type_t;

typedef enum sf_cond_level {
	SF_CL_CALL = 0,
	SF_CL_IDENTITY,
} sf_cond_level_t;

#define SF_CONDITIONS(X)                                                    \
	X(TRUNK_KIND, "trunk_kind", SF_CT_KINDS, SF_CL_CALL, trunk_kind, 0, \
	  "trunk kind is %s", "")                                           \
	X(TRUNK, "trunk", SF_CT_TRUNKS, SF_CL_CALL, trunk, 64, "trunk is %s", \
	  "")                                                               \
	X(CLASS, "class", SF_CT_CLASSES, SF_CL_IDENTITY, cls, 0,            \
	  "calling number class is %s", "")                                 \
	X(CALLED_CLASS, "called_class", SF_CT_CLASSES, SF_CL_CALL,          \
	  called_cls, 4, "called number class is %s", "")                   \
	X(DIVERSION_CLASS, "diversion_class", SF_CT_CLASS_MASK, SF_CL_CALL, \
	  diversion_cls, 20, "diverted by a %s number", "")                  \
	X(IDENTITY, "identity", SF_CT_STATES, SF_CL_IDENTITY, identity, 16, \
	  "caller identity is %s", "")                                      \
	X(UNPARSEABLE, "unparseable", SF_CT_BOOL, SF_CL_IDENTITY,           \
	  unparseable, 20, "calling number cannot be normalised",           \
	  "calling number normalised")                                      \
	X(LENGTH_VALID, "length_valid", SF_CT_BOOL, SF_CL_IDENTITY,         \
	  length_valid, 22, "length is valid for its range",                \
	  "length is invalid for its range")                                \
	X(ROAMING, "roaming", SF_CT_BOOL, SF_CL_IDENTITY, roaming, 24,      \
	  "subscriber is roaming", "subscriber is not roaming")             \
	X(SUBSTITUTION, "substitution", SF_CT_BOOL, SF_CL_IDENTITY,         \
	  substitution, 26, "number is on the substitution list",           \
	  "number is not on the substitution list")                         \
	X(ALLOW_LISTED, "allow_listed", SF_CT_BOOL, SF_CL_IDENTITY,         \
	  allow_listed, 28, "number is allow-listed for this trunk",        \
	  "number is not allow-listed")                                     \
	X(IDENTITY_MISMATCH, "identity_mismatch", SF_CT_BOOL, SF_CL_CALL,   \
	  identity_mismatch, 36, "From and P-Asserted-Identity differ",      \
	  "From and P-Asserted-Identity agree")                             \
	X(CLI_EQUALS_CALLED, "cli_equals_called", SF_CT_BOOL,               \
	  SF_CL_IDENTITY, cli_equals_called, 30,                            \
	  "calling number equals the called number",                        \
	  "calling number differs from the called number")                  \
	X(DIVERTED, "diverted", SF_CT_BOOL, SF_CL_CALL, diverted, 38,       \
	  "call was diverted", "call was not diverted")                     \
	X(PRIVACY, "privacy", SF_CT_BOOL, SF_CL_CALL, privacy, 40,           \
	  "caller asked for privacy", "no privacy requested")               \
	X(TRUSTED_TRUNK, "trusted_trunk", SF_CT_BOOL, SF_CL_CALL,           \
	  trusted_trunk, 42, "trunk is trusted", "trunk is not trusted")     \
	X(IDENTITY_CONFLICT, "identity_conflict", SF_CT_BOOL, SF_CL_CALL,   \
	  identity_conflict, 44,                                            \
	  "the sip and tel P-Asserted-Identity numbers differ",             \
	  "the P-Asserted-Identity numbers agree")                          \
	X(IDENTITIES, "identities", SF_CT_SCOPE, SF_CL_CALL, trunk, 0,      \
	  "looking at %s identities", "")

/*
 * Every condition is also compiled to one 64-bit mask over a "feature
 * word" the engine computes once: one word per identity (identity
 * conditions), two for the call (call conditions; FBIT 64 and up is the
 * second word, which holds the trunk index).  A set condition's values
 * sit at bit FBIT + value, a boolean at FBIT (false) or FBIT + 1 (true).
 * A condition holds when the word and its mask share a bit - one AND per
 * condition.
 */
#endif
