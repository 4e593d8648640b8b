/*
 * mailmsg.c - e-mail addresses and the text of one message.
 *
 * The relay sends what this builds, so it is the one place that decides
 * what a header may contain.  Names and subjects come from CSV files and
 * translations, so they are never trusted as header text: control
 * characters (CR and LF above all: a name "x\r\nBcc: ..." must not add a
 * header) become spaces, and anything that is not short printable ASCII
 * is written as RFC 2047 base64 encoded-words of whole UTF-8 characters
 * (a Hindi or Urdu subject).  The body is base64 in 76-character lines,
 * so no body line can be too long or look like the end of DATA, whatever
 * the text.  Addresses are checked, never encoded: an address that fails
 * mailmsg_addr_valid is refused at import and never reaches a header.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "mailmsg.h"

#define LINE_MAX_CHARS 78
/* Input bytes per encoded-word: base64 of 42 bytes is 56 characters, so
 * "Subject: =?UTF-8?B?<56>?=" is 77 columns. */
#define WORD_BYTES 42

static int
atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* Dot-atoms: no leading, trailing or double dot. */
static int
local_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!(atext((unsigned char)s[i]) ||
			(s[i] == '.' && s[i + 1] != '.')))
			return 0;
	return 1;
}

static int
domain_valid(const char *s)
{
	size_t len = 0, labels = 0;
	const char *p;

	if (strlen(s) > 253)
		return 0;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (len == 0 || len > 63 || p[-1] == '-' ||
			    p[-(long)len] == '-')
				return 0;
			labels++;
			len = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
		len++;
	}
	return labels >= 2;
}

int
mailmsg_addr_valid(const char *addr)
{
	const char *at;

	if (addr == NULL || strlen(addr) > MAILMSG_ADDR_MAX)
		return 0;
	at = strchr(addr, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	return local_valid(addr, (size_t)(at - addr)) && domain_valid(at + 1);
}

/* Control characters (CR, LF, TAB, DEL ...) become spaces. */
static char *
clean(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s ? s : "");
	char *p;

	for (p = out; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

static int
plain_ascii(const char *s, size_t name_len)
{
	const char *p;

	if (strlen(s) + name_len + 2 > LINE_MAX_CHARS)
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	/* "=?" would read as the start of an encoded-word */
	return strstr(s, "=?") == NULL;
}

/* Bytes of s (n left) that make whole UTF-8 characters within max. */
static size_t
whole_chars(const unsigned char *s, size_t n, size_t max)
{
	size_t k = n < max ? n : max;

	/* back off while the next byte continues a character */
	while (k < n && k > 0 && (s[k] & 0xc0) == 0x80)
		k--;
	return k ? k : (n < max ? n : max);
}

char *
mailmsg_header_value(struct arena *a, const char *value, size_t name_len)
{
	const unsigned char *s;
	unsigned char b64[4 * ((WORD_BYTES + 2) / 3) + 1];
	struct buf b = { NULL, 0, 0 };
	size_t n, k;
	char *v = clean(a, value), *out;

	if (v == NULL)
		return NULL;
	if (plain_ascii(v, name_len))
		return v;
	s = (const unsigned char *)v;
	n = strlen(v);
	while (n > 0) {
		k = whole_chars(s, n, WORD_BYTES);
		EVP_EncodeBlock(b64, s, (int)k);
		if (b.n)
			buf_append(&b, "\r\n ", 3);
		buf_append(&b, "=?UTF-8?B?", 10);
		buf_append(&b, b64, strlen((char *)b64));
		buf_append(&b, "?=", 2);
		s += k;
		n -= k;
	}
	out = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return out;
}

/* The text with CRLF line ends (LF, CR and CRLF in), base64 in lines. */
static int
body(struct buf *out, const char *text)
{
	struct buf t = { NULL, 0, 0 };
	unsigned char line[77];
	const char *p;
	size_t off, k;

	for (p = text; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\r' || *p == '\n')
			buf_append(&t, "\r\n", 2);
		else
			buf_append(&t, p, 1);
	}
	for (off = 0; off < t.n; off += k) {
		k = t.n - off < 57 ? t.n - off : 57; /* 57 bytes: 76 chars */
		EVP_EncodeBlock(line, (const unsigned char *)t.p + off, (int)k);
		buf_append(out, line, strlen((char *)line));
		buf_append(out, "\r\n", 2);
	}
	buf_release(&t);
	return 0;
}

static void
date_header(char *out, size_t len, long long when)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	/* by hand: strftime's names follow the locale */
	snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    wd[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
id_valid(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static void
header(struct buf *b, const char *name, const char *value)
{
	buf_append(b, name, strlen(name));
	buf_append(b, ": ", 2);
	buf_append(b, value, strlen(value));
	buf_append(b, "\r\n", 2);
}

char *
mailmsg_build(struct arena *a, const struct mailmsg *m)
{
	struct buf b = { NULL, 0, 0 };
	char date[64], *out = NULL, *v;

	if (!mailmsg_addr_valid(m->from) || !mailmsg_addr_valid(m->to) ||
	    !id_valid(m->message_id))
		return NULL;
	date_header(date, sizeof(date), m->date_s);
	header(&b, "Date", date);
	if (m->from_name && *m->from_name) {
		v = mailmsg_header_value(a, m->from_name, 4);
		v = arena_printf(a, "%s <%s>", v ? v : "", m->from);
	} else
		v = arena_strdup(a, m->from);
	if (v == NULL)
		goto out;
	header(&b, "From", v);
	header(&b, "To", m->to);
	if ((v = mailmsg_header_value(a, m->subject, 7)) == NULL)
		goto out;
	header(&b, "Subject", v);
	v = arena_printf(a, "<%s@%s>", m->message_id, strchr(m->from, '@') + 1);
	header(&b, "Message-ID", v ? v : "");
	header(&b, "MIME-Version", "1.0");
	header(&b, "Content-Type", "text/plain; charset=UTF-8");
	header(&b, "Content-Transfer-Encoding", "base64");
	if (m->lang && id_valid(m->lang))
		header(&b, "Content-Language", m->lang);
	/* RFC 3834: auto-replies and vacation notices stay quiet */
	header(&b, "Auto-Submitted", "auto-generated");
	buf_append(&b, "\r\n", 2);
	body(&b, m->text ? m->text : "");
	out = arena_strndup(a, b.p ? b.p : "", b.n);
out:
	buf_release(&b);
	return out;
}
