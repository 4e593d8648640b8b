/*
 * integrity.h - local verification of Play Integrity tokens.
 */
#ifndef EHZ_INTEGRITY_H
#define EHZ_INTEGRITY_H

#include "arena.h"

struct config;

/* Ordered: a higher level is a stronger device. */
enum integrity_level {
	INTEGRITY_FAIL = 0,
	INTEGRITY_BASIC = 1,
	INTEGRITY_STRONG = 2,
};

/*
 * Play Integrity's own device labels, ordered the same way.  The seed's
 * enum (integrity_level) keeps three values; the label says which of
 * Google's tiers the device reached: MEETS_STRONG_INTEGRITY (hardware
 * backed), MEETS_DEVICE_INTEGRITY (a certified, unmodified phone: what
 * ordinary phones get), MEETS_BASIC_INTEGRITY (typically rooted or with an
 * unlocked boot loader) or none of them.
 */
enum integrity_label {
	INTEGRITY_LABEL_NONE = 0,
	INTEGRITY_LABEL_BASIC = 1,
	INTEGRITY_LABEL_DEVICE = 2,
	INTEGRITY_LABEL_STRONG = 3,
};

enum integrity_rc {
	INTEGRITY_OK = 0,
	INTEGRITY_MALFORMED = -1, /* not a JWE, cannot decrypt, bad JSON */
	INTEGRITY_SIGNATURE = -2, /* inner JWS not ES256 or does not verify */
	INTEGRITY_KEYS = -3,      /* keys not configured or unreadable */
	INTEGRITY_PACKAGE = -4,   /* requestPackageName is not ours */
	INTEGRITY_STALE = -5,     /* timestampMillis older than MAX_AGE */
};

/* What a genuine token says; arena memory. */
struct integrity_verdict {
	const char *nonce;          /* requestDetails.nonce (may be NULL) */
	const char *package;        /* requestDetails.requestPackageName */
	long long timestamp_ms;     /* requestDetails.timestampMillis */
	int app_recognized;         /* appRecognitionVerdict PLAY_RECOGNIZED */
	enum integrity_level level; /* from deviceRecognitionVerdict */
	enum integrity_label label; /* the strongest label present */
};

/*
 * Decrypts token (JWE A256KW + A256GCM, INTEGRITY_DECRYPTION_KEY), verifies
 * the inner ES256 JWS (INTEGRITY_VERIFICATION_KEY) and checks the package
 * and the verdict's age against now_ms.  INTEGRITY_OK and *out filled, or
 * an integrity_rc.  The nonce is the caller's to check (it needs the
 * database).  An unrecognised app makes out->level INTEGRITY_FAIL.
 */
int integrity_verify(const struct config *cfg, const char *token,
    long long now_ms, struct integrity_verdict *out, struct arena *ar);
/* "STRONG", "BASIC" or "FAIL". */
const char *integrity_level_name(enum integrity_level l);
/* The level named s (case-sensitive); -1 if none. */
int integrity_level_parse(const char *s);
/* "STRONG", "DEVICE", "BASIC" or "NONE" (the device.integrity_verdict). */
const char *integrity_label_name(enum integrity_label l);
/* STRONG, DEVICE or BASIC (INTEGRITY_MIN_LEVEL's values); -1 if none. */
int integrity_label_parse(const char *s);
/* The seed's level of a label: STRONG; DEVICE and BASIC are BASIC. */
enum integrity_level integrity_label_level(enum integrity_label l);
/* A short reason for people. */
const char *integrity_reason(int rc);

#endif
