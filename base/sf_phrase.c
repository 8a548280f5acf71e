/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_phrase.c - the one table of SIP reason phrases (see sf_phrase.h).
 */
#include "sf_phrase.h"

#include <stddef.h>

struct phrase {
	unsigned short code;
	const char *text;
};

/* RFC 3261 §21 plus the later registrations an operator may use. */
static const struct phrase phrases[] = {
	{100, "Trying"},
	{180, "Ringing"},
	{181, "Call Is Being Forwarded"},
	{182, "Queued"},
	{183, "Session Progress"},
	{199, "Early Dialog Terminated"},      /* RFC 6228 */
	{200, "OK"},
	{202, "Accepted"},
	{204, "No Notification"},              /* RFC 5839 */
	{300, "Multiple Choices"},
	{301, "Moved Permanently"},
	{302, "Moved Temporarily"},
	{305, "Use Proxy"},
	{380, "Alternative Service"},
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

const char *sf_status_phrase(unsigned code)
{
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (phrases[i].code == code)
			return phrases[i].text;
	if (code >= 600)
		return "Global Failure";
	if (code >= 500)
		return "Server Failure";
	if (code >= 400)
		return "Request Failure";
	if (code >= 300)
		return "Redirection";
	if (code >= 200)
		return "OK";
	return "Trying";
}
