/*
 * notices.h - the texts of pushes and notices in the recipient's language.
 */
#ifndef EHZ_NOTICES_H
#define EHZ_NOTICES_H

struct arena;

/* The languages of the app; a device row's `lang` is one of them. */
#define NOTICES_LANGS 3
extern const char *const notices_langs[NOTICES_LANGS];

enum notice_text {
	NOTICE_ABSENT_TITLE,  /* marked absent at the end of a window */
	NOTICE_FLAGGED_TITLE, /* a mark flagged for the teacher */
	NOTICE_LOW_TITLE,     /* low attendance */
	NOTICE_LOW_BODY,      /* {course} {percent} {threshold} */
	NOTICE_COUNT
};

/* 1 if lang is a language of the app ("en", "hi", "ur"). */
int notices_lang_valid(const char *lang);

/* The text in lang; English for NULL or an unknown language. */
const char *notices_text(const char *lang, enum notice_text which);

/*
 * The text with {name} replaced: pairs of name, value, then NULL.  In a;
 * an unknown {name} stays as it is.
 */
char *notices_fill(struct arena *a, const char *tmpl, ...);

#endif
