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
/* A short reason for people. */
const char *integrity_reason(int rc);

#endif
