/*
 * test_mailmsg.c - e-mail addresses, the text of a message (headers,
 * RFC 2047 subjects in Hindi and Urdu, line lengths, no header injection
 * from names), the e-mail texts, and the relay's verdict on an SMTP
 * outcome and its settings' check.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "mail.h"
#include "mailmsg.h"
#include "mailtext.h"
#include "notices.h"

static struct arena *A;

static void
setup(void)
{
	A = arena_new(8u << 20);
}

static void
teardown(void)
{
	arena_free(A);
}

TestSuite(mailmsg, .init = setup, .fini = teardown);

Test(mailmsg, addresses_are_accepted_or_refused_as_the_table_says)
{
	static const struct {
		const char *addr;
		int ok;
	} cases[] = {
		{ "parent@example.org", 1 },
		{ "first.last+school@mail.example.co.in", 1 },
		{ "a_b-c'd@x-y.example", 1 },
		{ "", 0 },
		{ "plain", 0 },
		{ "@example.org", 0 },
		{ "parent@", 0 },
		{ "parent@localhost", 0 },
		{ "two@@example.org", 0 },
		{ "a@b@example.org", 0 },
		{ ".dot@example.org", 0 },
		{ "dot.@example.org", 0 },
		{ "do..t@example.org", 0 },
		{ "sp ace@example.org", 0 },
		{ "Name <p@example.org>", 0 },
		{ "p@example.org\r\nBcc: x@evil.test", 0 },
		{ "p@example.org\n", 0 },
		{ "p@exa_mple.org", 0 },
		{ "p@-example.org", 0 },
		{ "p@example-.org", 0 },
		{ "p@example..org", 0 },
		{ "p,q@example.org", 0 },
		{ "\"quoted\"@example.org", 0 },
		{ "अभिभावक@example.org", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(mailmsg_addr_valid(cases[i].addr), cases[i].ok,
		    "%s", cases[i].addr);
	cr_expect_not(mailmsg_addr_valid(NULL));
}

Test(mailmsg, an_address_longer_than_the_column_is_refused)
{
	char addr[MAILMSG_ADDR_MAX + 10];

	memset(addr, 'a', 60);
	strcpy(addr + 60, "@");
	memset(addr + 61, 'b', MAILMSG_ADDR_MAX - 61 - 4);
	strcpy(addr + MAILMSG_ADDR_MAX - 4, ".org");
	cr_assert_eq(strlen(addr), MAILMSG_ADDR_MAX);
	cr_expect_not(mailmsg_addr_valid(addr)); /* a label over 63 */
}

/* Decodes one word's base64 (n characters) into out; its length. */
static int
decode_b64(const char *b64, int n, unsigned char *out)
{
	int len = EVP_DecodeBlock(out, (const unsigned char *)b64, n);

	cr_assert(len >= 0, "bad base64 %.*s", n, b64);
	while (n > 0 && b64[n - 1] == '=') /* padding decodes to zeros */
		n--, len--;
	return len;
}

/* Decodes "=?UTF-8?B?...?=" words (folded with CRLF SP) back to text. */
static char *
decode_words(const char *v)
{
	static char out[4096];
	const char *p = v, *q;
	size_t n = 0;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		p += 10;
		q = strstr(p, "?=");
		cr_assert(q, "unterminated word in %s", v);
		n += (size_t)decode_b64(p, (int)(q - p),
		    (unsigned char *)out + n);
		p = q + 2;
	}
	out[n] = '\0';
	return out;
}

/* Each line of s (CRLF separated) at most max characters. */
static void
assert_lines_at_most(const char *s, size_t max)
{
	const char *p = s, *e;

	while (*p) {
		e = strstr(p, "\r\n");
		if (e == NULL)
			e = p + strlen(p);
		cr_assert_leq((size_t)(e - p), max, "line too long: %.*s",
		    (int)(e - p), p);
		p = *e ? e + 2 : e;
	}
}

Test(mailmsg, subjects_in_hindi_and_urdu_are_encoded_words_of_whole_characters)
{
	static const char *const subjects[] = {
		"eHazira साप्ताहिक सारांश, 2026-W49",
		"eHazira ہفتہ وار خلاصہ، 2026-W49",
		"कम हाज़िरी: अनन्या शर्मा",
		"کم حاضری: محمد عمران خان صاحب، رول نمبر ۱۲۳۴۵، شعبہ کمپیوٹر",
		"Plain ASCII subject",
		"A long ASCII subject that will not fit on one header line with "
		"its name, so it is encoded too",
		"has =?UTF-8?B?x?= inside",
	};
	size_t i;

	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		char *v = mailmsg_header_value(A, subjects[i], 7);
		char *line = arena_printf(A, "Subject: %s", v);

		cr_assert(v);
		assert_lines_at_most(line, 78);
		if (strncmp(v, "=?", 2) != 0) {
			cr_expect_str_eq(v, subjects[i]);
			continue;
		}
		/* every word decodes on its own to valid UTF-8 ... */
		cr_expect_str_eq(decode_words(v), subjects[i]);
	}
}

Test(mailmsg, each_encoded_word_holds_whole_utf8_characters)
{
	/* 3-byte characters: a 42-byte cut would split one */
	const char *s = "हाज़िरीहाज़िरीहाज़िरीहाज़िरीहाज़िरी";
	char *v = mailmsg_header_value(A, s, 7), *p = v;
	unsigned char tmp[256];
	int len;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *q = strstr(p + 10, "?=");

		len = decode_b64(p + 10, (int)(q - p - 10), tmp);
		/* the word starts on a lead byte and ends on a whole char */
		cr_assert_neq(tmp[0] & 0xc0, 0x80);
		cr_assert(len > 0);
		p = (char *)q;
		if (strstr(p, "=?UTF-8?B?") != NULL) {
			const char *r = strstr(p, "=?UTF-8?B?") + 10;
			unsigned char nx[256];

			decode_b64(r, (int)(strstr(r, "?=") - r), nx);
			cr_assert_neq(nx[0] & 0xc0, 0x80,
			    "the next word starts mid-character");
		}
	}
	cr_expect_str_eq(decode_words(v), s);
}

Test(mailmsg, cr_and_lf_in_a_name_never_make_a_header)
{
	static const char *const names[] = {
		"Ravi\r\nBcc: all@evil.test",
		"Ravi\nBcc: all@evil.test",
		"Ravi\rBcc: all@evil.test",
		"रवि\r\nBcc: all@evil.test",
		"Ravi\r\n\r\nfake body",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct mailmsg m = { .from = "attendance@college.example",
			.from_name = names[i],
			.to = "p@example.org",
			.subject = notices_fill(A,
			    mailtext_get("en", MAIL_GUARDIAN_SUBJECT), "name",
			    names[i], (char *)NULL),
			.text = "body",
			.message_id = "ehazira.mail.1",
			.date_s = 0 };
		char *msg = mailmsg_build(A, &m), *end;

		cr_assert(msg);
		end = strstr(msg, "\r\n\r\n");
		cr_assert(end);
		*end = '\0'; /* the header block */
		cr_expect_null(strstr(msg, "\r\nBcc:"), "%s", msg);
		cr_expect_null(strstr(msg, "\nBcc:"), "%s", msg);
		cr_expect_null(strstr(msg, "\r\nfake"), "%s", msg);
		/* no bare CR or LF: every line break is a CRLF fold */
		for (end = msg; *end; end++)
			if (*end == '\n')
				cr_assert_eq(end[-1], '\r');
			else if (*end == '\r')
				cr_assert_eq(end[1], '\n');
	}
}

Test(mailmsg, a_message_has_its_headers_and_a_base64_body_in_short_lines)
{
	char text[6000];
	struct mailmsg m = { .from = "attendance@college.example",
		.from_name = "eHazira",
		.to = "teacher@college.example",
		.subject = "eHazira साप्ताहिक सारांश, 2026-W49",
		.text = text,
		.lang = "hi",
		.message_id = "ehazira.mail.42",
		.date_s = 1764892800 /* 2025-12-05 00:00:00 UTC, a Friday */ };
	char *msg;
	size_t i;

	for (i = 0; i < sizeof(text) - 1; i++)
		text[i] = i % 97 == 96 ? '\n' : "abc हि"[i % 8];
	text[sizeof(text) - 1] = '\0';
	text[sizeof(text) - 2] = 'x'; /* no split character at the end */
	msg = mailmsg_build(A, &m);
	cr_assert(msg);
	cr_expect(strstr(msg, "Date: Fri, 05 Dec 2025 00:00:00 +0000\r\n"));
	cr_expect(
	    strstr(msg, "From: eHazira <attendance@college.example>\r\n"));
	cr_expect(strstr(msg, "To: teacher@college.example\r\n"));
	cr_expect(strstr(msg, "Subject: =?UTF-8?B?"));
	cr_expect(
	    strstr(msg, "Message-ID: <ehazira.mail.42@college.example>\r\n"));
	cr_expect(strstr(msg, "MIME-Version: 1.0\r\n"));
	cr_expect(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
	cr_expect(strstr(msg, "Content-Transfer-Encoding: base64\r\n"));
	cr_expect(strstr(msg, "Content-Language: hi\r\n"));
	cr_expect(strstr(msg, "Auto-Submitted: auto-generated\r\n"));
	assert_lines_at_most(msg, 78);
	/* ends with CRLF, and no line of the body begins with a dot */
	cr_expect_eq(strcmp(msg + strlen(msg) - 2, "\r\n"), 0);
	cr_expect_null(strstr(msg, "\r\n."));
}

Test(mailmsg, invalid_addresses_or_ids_build_no_message)
{
	static const struct mailmsg bad[] = {
		{ .from = "nobody", .to = "p@example.org", .message_id = "x" },
		{ .from = "a@example.org",
		    .to = "p@example.org\r\nBcc: x@y.z",
		    .message_id = "x" },
		{ .from = "a@example.org",
		    .to = "p@example.org",
		    .message_id = "x>\r\nBcc: q@y.z" },
		{ .from = "a@example.org",
		    .to = "p@example.org",
		    .message_id = "" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_null(mailmsg_build(A, &bad[i]), "case %zu", i);
}

Test(mailmsg, every_mail_text_exists_in_every_language)
{
	int k, l;

	for (k = 0; k < MAIL_TEXT_COUNT; k++)
		for (l = 0; l < NOTICES_LANGS; l++) {
			const char *s = mailtext_get(notices_langs[l], k);

			cr_assert(s && *s, "text %d in %s", k,
			    notices_langs[l]);
			if (l > 0)
				cr_expect_str_neq(s, mailtext_get("en", k),
				    "text %d left in English in %s", k,
				    notices_langs[l]);
		}
	cr_expect_str_eq(mailtext_get("fr", MAIL_DIGEST_NONE), "None.");
}

Test(mailmsg, smtp_outcomes_are_sent_retried_or_failed)
{
	static const struct {
		int curl;
		long code;
		enum mail_verdict want;
	} cases[] = {
		{ CURLE_OK, 250, MAIL_SENT },
		{ CURLE_SEND_ERROR, 451, MAIL_RETRY },        /* RCPT 451 */
		{ CURLE_SEND_ERROR, 421, MAIL_RETRY },        /* closing */
		{ CURLE_SEND_ERROR, 452, MAIL_RETRY },        /* storage */
		{ CURLE_SEND_ERROR, 550, MAIL_FAIL },         /* no mailbox */
		{ CURLE_SEND_ERROR, 553, MAIL_FAIL },         /* bad address */
		{ CURLE_WEIRD_SERVER_REPLY, 554, MAIL_FAIL }, /* DATA refused */
		{ CURLE_LOGIN_DENIED, 535, MAIL_RETRY },      /* our password */
		{ CURLE_SEND_ERROR, 530, MAIL_RETRY },   /* AUTH required */
		{ CURLE_USE_SSL_FAILED, 0, MAIL_RETRY }, /* no STARTTLS */
		{ CURLE_COULDNT_CONNECT, 0, MAIL_RETRY },
		{ CURLE_OPERATION_TIMEDOUT, 0, MAIL_RETRY },
		{ CURLE_PEER_FAILED_VERIFICATION, 0, MAIL_RETRY },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(mail_classify(cases[i].curl, cases[i].code),
		    cases[i].want, "curl %d smtp %ld", cases[i].curl,
		    cases[i].code);
}

Test(mailmsg, production_settings_need_starttls_and_auth)
{
	static const struct {
		const char *url, *from, *tls, *user, *pw;
		long demo;
		const char *problem; /* a key it names, or NULL */
	} cases[] = {
		{ "", "", "none", "", "", 0, NULL }, /* mail off */
		{ "smtp://mx:587", "a@b.example", "required", "u", "pw", 0,
		    NULL },
		{ "smtps://mx:465", "a@b.example", "none", "u", "pw", 0, NULL },
		{ "smtp://mx:587", "a@b.example", "optional", "u", "pw", 0,
		    "SMTP_STARTTLS" },
		{ "smtp://mx:587", "a@b.example", "none", "u", "pw", 0,
		    "SMTP_STARTTLS" },
		{ "smtp://mx:587", "a@b.example", "required", "", "", 0,
		    "SMTP_USER" },
		{ "smtp://mx:587", "a@b.example", "required", "u", "", 0,
		    "SMTP_PASSWORD" },
		{ "smtp://mx:25", "a@b.example", "none", "", "", 1, NULL },
		{ "http://mx", "a@b.example", "required", "u", "pw", 0,
		    "SMTP_URL" },
		{ "smtp://mx:587", "not an address", "required", "u", "pw", 0,
		    "SMTP_FROM" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c = { .smtp_url = cases[i].url,
			.smtp_from = cases[i].from,
			.smtp_starttls = cases[i].tls,
			.smtp_user = cases[i].user,
			.smtp_password = cases[i].pw,
			.demo = cases[i].demo };
		const char *p = mail_settings_problem(&c);

		if (cases[i].problem == NULL)
			cr_expect_null(p, "case %zu: %s", i, p);
		else
			cr_expect(p && strstr(p, cases[i].problem),
			    "case %zu: %s", i, p ? p : "(none)");
	}
}
