/*
 * itauth.h - integration-test helpers for sign-in: fixtures (a class with
 * a teacher and students), ID tokens and integrity verdicts minted with
 * the test stack's keys (tests/standin/env.sh), and one-call sign-in.
 */
#ifndef EHZ_ITAUTH_H
#define EHZ_ITAUTH_H

#include "it.h"
#include "mint.h"

/* A department and a class named after tag; the class id. */
long long itauth_class(const char *tag);
/* A teacher teaching a subject of class_id (if > 0). */
void itauth_teacher(const char *email, long long class_id, int verified);
void itauth_student(const char *email, long long class_id, int verified);
/* "<what>.<it_uniq>.<counter>@t.ehazira.in" (static buffer per call). */
char *itauth_email(const char *what);

/* Options for the test key, aud and kid; then mint with mint_google. */
void itauth_google_opts(struct mint_google *o, const char *email);
char *itauth_id_token(const char *email);
/*
 * A fresh nonce from GET /auth/challenge.  These strings are the tests'
 * arena's (it_arena(), freed at exit): never free() them.
 */
char *itauth_nonce(void);
/* A verdict for nonce with the given device labels. */
char *itauth_integrity(const char *nonce, const char *labels);
/* A random v4 UUID / a random SHA-256 hex. */
char *itauth_uuid(void);
char *itauth_fp(void);

/*
 * POST /auth/google.  integrity: NULL for none, "" to make a BASIC one
 * with a fresh nonce, else the token to send.
 */
int itauth_signin(const char *id_token, const char *platform, const char *uuid,
    const char *fp, const char *integrity, struct it_resp *resp);
/* Signs in an ANDROID device with a fresh BASIC verdict. */
int itauth_android(const char *email, const char *uuid, const char *fp,
    struct it_resp *resp);
/* A string member of resp->json (or of its "device" object); "" if none. */
const char *itauth_str(const struct it_resp *resp, const char *key);
long long itauth_device_id(const struct it_resp *resp);

#endif
