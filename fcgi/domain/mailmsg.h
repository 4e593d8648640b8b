/*
 * mailmsg.h - e-mail addresses and messages: the check every address
 * passes before it is stored or sent, and the RFC 5322 text of one
 * notice (plain text, UTF-8), built so that nothing a user typed can add
 * a header.
 */
#ifndef EHZ_MAILMSG_H
#define EHZ_MAILMSG_H

#include <stddef.h>

struct arena;

/* Longest address eHazira stores (the e-mail columns). */
#define MAILMSG_ADDR_MAX 190

/*
 * 1 when addr is a plain addr-spec eHazira accepts: local@domain, the
 * local part dot-atoms of the RFC 5322 atext characters (no quoted
 * strings), the domain two or more DNS labels, at most MAILMSG_ADDR_MAX
 * bytes; never a space, CR, LF, '<', '>' or ','.
 */
int mailmsg_addr_valid(const char *addr);

struct mailmsg {
	const char *from;       /* addr-spec (SMTP_FROM) */
	const char *from_name;  /* display name, or NULL */
	const char *to;         /* addr-spec */
	const char *subject;    /* UTF-8, any characters */
	const char *text;       /* UTF-8 body, LF or CRLF lines */
	const char *lang;       /* Content-Language, or NULL */
	const char *message_id; /* the part left of '@', [A-Za-z0-9.-] */
	long long date_s;       /* the Date header, Unix seconds */
};

/*
 * The whole message, CRLF lines, no line over 78 characters: Date, From,
 * To, Subject, Message-ID (<message_id@from's domain>), MIME-Version,
 * Content-Type text/plain UTF-8, base64 body, Content-Language,
 * Auto-Submitted: auto-generated.  A subject or display name that is not
 * plain printable ASCII, or is long, becomes RFC 2047 encoded-words
 * ("=?UTF-8?B?...?=", whole characters each, folded); CR, LF and other
 * control characters in them become spaces first.  In a; NULL when from
 * or to is not a valid address or message_id has other characters.
 */
char *mailmsg_build(struct arena *a, const struct mailmsg *m);

/*
 * The value of a header as it would be written: ASCII as is, else RFC
 * 2047 encoded-words separated by CRLF SP, the first fitting after a
 * header name of name_len characters plus ": ".  In a.  (For the tests.)
 */
char *mailmsg_header_value(struct arena *a, const char *value, size_t name_len);

#endif
