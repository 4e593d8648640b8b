/*
 * mailtext.h - the texts of the e-mails (weekly digest, guardian notice)
 * in English, Hindi and Urdu, and the recipient's language.
 */
#ifndef EHZ_MAILTEXT_H
#define EHZ_MAILTEXT_H

struct arena;
struct db;

enum mail_text {
	MAIL_DIGEST_SUBJECT,    /* {week} */
	MAIL_DIGEST_HELLO,      /* {name} {week} {from} {to} */
	MAIL_DIGEST_SHORTAGE,   /* {threshold} */
	MAIL_DIGEST_NOT_MARKED, /* heading */
	MAIL_DIGEST_NONE,       /* an empty list */
	MAIL_DIGEST_FOOTER,     /* {url} */
	MAIL_GUARDIAN_SUBJECT,  /* {name} */
	MAIL_GUARDIAN_BODY, /* {name} {roll} {course} {percent} {threshold} */
	MAIL_TEXT_COUNT
};

/* The text in lang ("en", "hi", "ur"); English for NULL or unknown. */
const char *mailtext_get(const char *lang, enum mail_text which);

/*
 * The language the app knows for user_email: that of their most recently
 * seen active device (device.lang, set through POST /me/lang), else
 * "en".  In a.
 */
const char *
mailtext_lang(struct db *db, struct arena *a, const char *user_email);

#endif
