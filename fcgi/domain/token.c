/*
 * token.c - app access tokens (HS256 JWT) and the role names in them.
 *
 * libjwt 1.10 takes the algorithm from the token header and checks no
 * claims, so verification here pins HS256, refuses anything else (alg:none,
 * RS256, ...) and checks exp and the claim types itself.  A token bound
 * to a device key carries cnf.jkt (RFC 9449): the router then wants a
 * DPoP proof signed by that key with every call.
 */
#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

static const struct {
	enum role role;
	const char *name, *short_name;
} role_names[] = {
	{ ROLE_STUDENT, "student", "s" },
	{ ROLE_TEACHER, "teacher", "t" },
	{ ROLE_HEAD, "head", "h" },
	{ ROLE_ADMIN, "admin", "a" },
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

const char *
token_role_name(enum role r)
{
	size_t i;

	for (i = 0; i < NROLES; i++)
		if (role_names[i].role == r)
			return role_names[i].name;
	return "none";
}

const char *
token_role_name_short(enum role r)
{
	size_t i;

	for (i = 0; i < NROLES; i++)
		if (role_names[i].role == r)
			return role_names[i].short_name;
	return "-";
}

enum role
token_role_from_short(const char *s)
{
	size_t i;

	for (i = 0; s && i < NROLES; i++)
		if (strcmp(s, role_names[i].short_name) == 0)
			return role_names[i].role;
	return ROLE_NONE;
}

enum role
token_role_from_name(const char *s)
{
	size_t i;

	for (i = 0; s && i < NROLES; i++)
		if (strcmp(s, role_names[i].name) == 0)
			return role_names[i].role;
	return ROLE_NONE;
}

/* cnf: {"jkt": <thumbprint>} (base64url: nothing to escape). */
static int
add_cnf(jwt_t *jwt, const char *jkt)
{
	char js[128];

	if (strlen(jkt) > 64 || strpbrk(jkt, "\"\\") != NULL)
		return -1;
	snprintf(js, sizeof(js), "{\"cnf\":{\"jkt\":\"%s\"}}", jkt);
	return jwt_add_grants_json(jwt, js);
}

/* cnf.jkt of a verified token: NULL when absent, "" when ill-typed. */
static const char *
get_cnf(jwt_t *jwt, struct arena *ar)
{
	char *js = jwt_get_grants_json(jwt, "cnf");
	json_t *j;
	const char *jkt, *out = NULL;

	if (js == NULL)
		return NULL;
	j = json_loads(js, 0, NULL);
	jkt = json_string_value(json_object_get(j, "jkt"));
	out = arena_strdup(ar, jkt && *jkt ? jkt : "");
	json_decref(j);
	free(js);
	return out;
}

int
token_role_is_staff(enum role r)
{
	return r == ROLE_TEACHER || r == ROLE_HEAD || r == ROLE_ADMIN;
}

char *
token_issue(const char *secret, const struct auth *a, long ttl,
    struct arena *ar)
{
	jwt_t *jwt = NULL;
	char *s = NULL, *out = NULL;
	long long now = (long long)time(NULL);

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "sub", a->email) ||
	    jwt_add_grant(jwt, "role", token_role_name(a->role)) ||
	    jwt_add_grant_int(jwt, "dev", a->device_id) ||
	    jwt_add_grant(jwt, "jti", a->jti) ||
	    jwt_add_grant(jwt, "typ", "access") ||
	    jwt_add_grant_int(jwt, "iat", now) ||
	    jwt_add_grant_int(jwt, "exp", now + ttl) ||
	    (a->jkt && add_cnf(jwt, a->jkt)) ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
		(int)strlen(secret)))
		goto out;
	if ((s = jwt_encode_str(jwt)) != NULL)
		out = arena_strdup(ar, s);
out:
	free(s);
	jwt_free(jwt);
	return out;
}

int
token_verify(const char *secret, const char *tok, long long now,
    struct auth *out, struct arena *ar)
{
	jwt_t *jwt = NULL;
	const char *sub, *role, *jti, *typ;
	long long exp, dev;
	int rc = TOKEN_MALFORMED;

	memset(out, 0, sizeof(*out));
	if (tok == NULL || *tok == '\0' || strlen(tok) > 4096)
		return TOKEN_MALFORMED;
	/* Never hand libjwt a NULL key: it would accept alg:none. */
	if (jwt_decode(&jwt, tok, (const unsigned char *)secret,
		(int)strlen(secret)) != 0)
		return TOKEN_MALFORMED;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	rc = TOKEN_CLAIMS;
	sub = jwt_get_grant(jwt, "sub");
	role = jwt_get_grant(jwt, "role");
	jti = jwt_get_grant(jwt, "jti");
	typ = jwt_get_grant(jwt, "typ");
	errno = 0;
	exp = jwt_get_grant_int(jwt, "exp");
	if (errno)
		goto out;
	dev = jwt_get_grant_int(jwt, "dev");
	if (errno || !sub || !jti || !typ || strcmp(typ, "access") != 0 ||
	    token_role_from_name(role) == ROLE_NONE)
		goto out;
	if (exp <= now) {
		rc = TOKEN_EXPIRED;
		goto out;
	}
	out->email = arena_strdup(ar, sub);
	out->role = token_role_from_name(role);
	out->device_id = dev;
	out->jti = arena_strdup(ar, jti);
	out->exp = exp;
	out->jkt = get_cnf(jwt, ar);
	if (out->jkt && *out->jkt == '\0')
		goto out; /* a cnf without a usable jkt binds to nothing */
	rc = TOKEN_OK;
out:
	jwt_free(jwt);
	return rc;
}
