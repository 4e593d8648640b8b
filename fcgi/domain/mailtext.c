/*
 * mailtext.c - the e-mail texts in English, Hindi and Urdu.
 *
 * As with the pushes (notices.c), the producer writes each e-mail in the
 * recipient's language when it queues it, so the relay sends what was
 * queued and knows nothing of languages.  The language is the one the
 * person chose in the app (device.lang of their latest device); a
 * guardian has no device, so their notice follows the student's.  Names,
 * courses and dates stay as they are in the data.
 */
#include <string.h>

#include "arena.h"
#include "db.h"
#include "mailtext.h"
#include "notices.h"

static const char *const texts[MAIL_TEXT_COUNT][NOTICES_LANGS] = {
	[MAIL_DIGEST_SUBJECT] = { "eHazira weekly digest, {week}",
	    "eHazira साप्ताहिक सारांश, {week}",
	    "eHazira ہفتہ وار خلاصہ، {week}" },
	[MAIL_DIGEST_HELLO] = { "Dear {name},\n\nyour attendance digest for "
				"the week {week} ({from} to {to}).",
	    "प्रिय {name},\n\nसप्ताह {week} ({from} से {to}) का आपका हाज़िरी "
	    "सारांश।",
	    "محترم {name}،\n\nہفتہ {week} ({from} تا {to}) کا آپ کا حاضری "
	    "خلاصہ۔" },
	[MAIL_DIGEST_SHORTAGE] = { "Students below {threshold}% (shortage list):",
	    "{threshold}% से कम हाज़िरी वाले छात्र (कमी सूची):",
	    "{threshold}% سے کم حاضری والے طلبہ (کمی کی فہرست):" },
	[MAIL_DIGEST_NOT_MARKED] = { "Periods where no attendance was taken:",
	    "पीरियड जिनमें हाज़िरी नहीं ली गई:",
	    "پیریڈ جن میں حاضری نہیں لی گئی:" },
	[MAIL_DIGEST_NONE] = { "None.", "कोई नहीं।", "کوئی نہیں۔" },
	[MAIL_DIGEST_FOOTER] = { "The dashboard: {url}\n\nThis message was "
				 "sent automatically by eHazira.",
	    "डैशबोर्ड: {url}\n\nयह संदेश eHazira ने स्वतः भेजा है।",
	    "ڈیش بورڈ: {url}\n\nیہ پیغام eHazira نے خودکار طور پر بھیجا ہے۔" },
	[MAIL_GUARDIAN_SUBJECT] = { "Low attendance: {name}",
	    "कम हाज़िरी: {name}", "کم حاضری: {name}" },
	[MAIL_GUARDIAN_BODY] = { "Dear guardian,\n\nthe attendance of {name} (roll no. {roll}) in "
				 "{course} is {percent}%, below the required {threshold}%.\n\n"
				 "This message was sent automatically by eHazira.",
	    "आदरणीय अभिभावक,\n\n{name} (रोल नं. {roll}) की {course} में "
	    "हाज़िरी {percent}% है, जो आवश्यक {threshold}% से कम है।\n\n"
	    "यह संदेश eHazira ने स्वतः भेजा है।",
	    "محترم سرپرست،\n\n{name} (رول نمبر {roll}) کی {course} میں حاضری "
	    "{percent}% ہے، جو مطلوبہ {threshold}% سے کم ہے۔\n\n"
	    "یہ پیغام eHazira نے خودکار طور پر بھیجا ہے۔" },
};

const char *
mailtext_get(const char *lang, enum mail_text which)
{
	int i;

	if ((unsigned)which >= MAIL_TEXT_COUNT)
		return "";
	for (i = 0; lang && i < NOTICES_LANGS; i++)
		if (strcmp(lang, notices_langs[i]) == 0)
			return texts[which][i];
	return texts[which][0];
}

const char *
mailtext_lang(struct db *db, struct arena *a, const char *user_email)
{
	struct db_rows r;

	if (db_query_one(db, a, &r,
		"SELECT lang FROM device WHERE user_email = ? AND active = 1 "
		"ORDER BY COALESCE(last_seen_at, created_at) DESC, "
		"device_id DESC LIMIT 1",
		"s", user_email) != DB_OK)
		return "en";
	return notices_lang_valid(db_get(&r, 0, 0)) ? db_get(&r, 0, 0) : "en";
}
