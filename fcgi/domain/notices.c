/*
 * notices.c - the push and notice texts in English, Hindi and Urdu.
 *
 * The outbox producers (window.c: absent and flagged notices; warnings.c:
 * low attendance) write each message in the language of the device it is
 * for (device.lang, set by the app through POST /me/lang), so the relay
 * sends what was queued and knows nothing of languages.  The web app's
 * own texts are in the catalogues of nginx/www/i18n; these few live here because the
 * server writes them.  Placeholders are {name}, filled by notices_fill()
 * (a format string from a table would be a non-literal printf format).
 */
#include <stdarg.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "notices.h"

const char *const notices_langs[NOTICES_LANGS] = { "en", "hi", "ur" };

static const char *const texts[NOTICE_COUNT][NOTICES_LANGS] = {
	[NOTICE_ABSENT_TITLE] = { "Marked absent", "अनुपस्थित दर्ज",
	    "غیر حاضر درج" },
	[NOTICE_FLAGGED_TITLE] = { "Attendance flagged for review",
	    "हाज़िरी जाँच के लिए चिह्नित", "حاضری جانچ کے لیے نشان زد" },
	[NOTICE_LOW_TITLE] = { "Low attendance", "कम हाज़िरी", "کم حاضری" },
	[NOTICE_LOW_BODY] = { "Your attendance in {course} is {percent}%, below {threshold}%.",
	    "{course} में आपकी हाज़िरी {percent}% है, {threshold}% से कम।",
	    "{course} میں آپ کی حاضری {percent}% ہے، {threshold}% سے کم۔" },
};

static int
lang_index(const char *lang)
{
	int i;

	for (i = 0; lang && i < NOTICES_LANGS; i++)
		if (strcmp(lang, notices_langs[i]) == 0)
			return i;
	return -1;
}

int
notices_lang_valid(const char *lang)
{
	return lang_index(lang) >= 0;
}

const char *
notices_text(const char *lang, enum notice_text which)
{
	int i = lang_index(lang);

	if ((unsigned)which >= NOTICE_COUNT)
		return "";
	return texts[which][i < 0 ? 0 : i];
}

/* The value of {name} (len bytes) among the pairs, or NULL. */
static const char *
lookup(const char *name, size_t len, va_list ap)
{
	const char *k, *v;

	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (strlen(k) == len && memcmp(k, name, len) == 0)
			return v ? v : "";
	}
	return NULL;
}

char *
notices_fill(struct arena *a, const char *tmpl, ...)
{
	struct buf b = { NULL, 0, 0 };
	const char *p = tmpl, *open, *close, *v;
	va_list ap;
	char *out;

	while ((open = strchr(p, '{')) != NULL &&
	    (close = strchr(open, '}')) != NULL) {
		buf_append(&b, p, (size_t)(open - p));
		va_start(ap, tmpl);
		v = lookup(open + 1, (size_t)(close - open - 1), ap);
		va_end(ap);
		if (v)
			buf_append(&b, v, strlen(v));
		else
			buf_append(&b, open, (size_t)(close - open + 1));
		p = close + 1;
	}
	buf_append(&b, p, strlen(p));
	out = arena_strndup(a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return out;
}
