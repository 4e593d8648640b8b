/*
 * token.h - app access tokens (HS256 JWT): who is calling, and the role
 * names in the token.
 */
#ifndef EHZ_TOKEN_H
#define EHZ_TOKEN_H

#include <stddef.h>

#include "arena.h"

/*
 * A head of department and an administrator are teachers with a wider
 * read scope (teacher.role; fcgi/domain/scope.c decides what they see).
 */
enum role {
	ROLE_NONE = 0,
	ROLE_STUDENT = 1,
	ROLE_TEACHER = 2,
	ROLE_HEAD = 3,
	ROLE_ADMIN = 4,
};

/* Who is calling: filled by the router from a verified access token. */
struct auth {
	const char *email;
	enum role role;
	long long device_id;
	const char *jti;
	long long exp;
	/* cnf.jkt: the device key's thumbprint the token is bound to
	 * (DPoP, dpop.h), or NULL for a bearer token. */
	const char *jkt;
};

enum token_rc {
	TOKEN_OK = 0,
	TOKEN_MALFORMED = -1, /* not a JWT, bad signature, wrong alg */
	TOKEN_EXPIRED = -2,
	TOKEN_CLAIMS = -3, /* missing or ill-typed claims */
};

/* A signed access token for a; NULL on failure.  Arena memory. */
char *token_issue(const char *secret, const struct auth *a, long ttl,
    struct arena *ar);
/* Verifies signature (HS256 only), exp and claims into *out (arena). */
int token_verify(const char *secret, const char *tok, long long now,
    struct auth *out, struct arena *ar);
const char *token_role_name(enum role r);
/* "s", "t", "h" or "a", and back (ROLE_NONE when unknown). */
const char *token_role_name_short(enum role r);
enum role token_role_from_short(const char *s);
/* "student", "teacher", "head", "admin" to the role; ROLE_NONE otherwise. */
enum role token_role_from_name(const char *s);
/* Teachers, heads and administrators: the accounts of the teacher table. */
int token_role_is_staff(enum role r);

#endif
