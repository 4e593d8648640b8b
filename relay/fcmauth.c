/*
 * fcmauth.c - the service-account flow of Google OAuth2, for FCM.
 *
 * The relay signs a JWT with the account's private key (libjwt, RS256)
 * and trades it at token_uri for an access token of about an hour.  The
 * token is cached and reused for every send until shortly before it
 * expires, so a batch of a thousand pushes costs one token request, not
 * a thousand.  The exchange is a blocking request with a short timeout:
 * it happens about once an hour, and the relay has nothing else to send
 * without it.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fcmauth.h"
#include "log.h"

#define TOKEN_TIMEOUT_S 10
#define ASSERTION_LIFE_S 3600
#define ANSWER_MAX (64 * 1024)

struct fcmauth {
	char *email, *key, *token_uri, *project;
	char *token;
	long long token_until_ms; /* refresh from here on */
	unsigned gen;
	long long requests;
};

static char *
dup_field(json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v && *v ? strdup(v) : NULL;
}

struct fcmauth *
fcmauth_new(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	struct fcmauth *fa;

	if (o == NULL) {
		snprintf(err, errlen, "cannot read '%s': %s (line %d)", path,
		    je.text, je.line);
		return NULL;
	}
	fa = calloc(1, sizeof(*fa));
	if (fa == NULL) {
		json_decref(o);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fa->email = dup_field(o, "client_email");
	fa->key = dup_field(o, "private_key");
	fa->token_uri = dup_field(o, "token_uri");
	fa->project = dup_field(o, "project_id");
	json_decref(o);
	if (fa->token_uri == NULL)
		fa->token_uri = strdup("https://oauth2.googleapis.com/token");
	if (fa->email == NULL || fa->key == NULL) {
		snprintf(err, errlen, "'%s' has no client_email or private_key",
		    path);
		fcmauth_free(fa);
		return NULL;
	}
	return fa;
}

void
fcmauth_free(struct fcmauth *fa)
{
	if (fa == NULL)
		return;
	free(fa->email);
	if (fa->key)
		memset(fa->key, 0, strlen(fa->key));
	free(fa->key);
	free(fa->token_uri);
	free(fa->project);
	free(fa->token);
	free(fa);
}

const char *
fcmauth_project(const struct fcmauth *fa)
{
	return fa->project ? fa->project : "";
}

char *
fcmauth_assertion(const struct fcmauth *fa, long long now_s)
{
	jwt_t *jwt = NULL;
	char *out = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "iss", fa->email) != 0 ||
	    jwt_add_grant(jwt, "scope", FCMAUTH_SCOPE) != 0 ||
	    jwt_add_grant(jwt, "aud", fa->token_uri) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now_s) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)(now_s + ASSERTION_LIFE_S)) !=
		0 ||
	    jwt_set_alg(jwt, JWT_ALG_RS256, (const unsigned char *)fa->key,
		(int)strlen(fa->key)) != 0) {
		log_error("fcm: cannot build the OAuth2 assertion (is "
			  "private_key an RSA PEM?)");
		goto out;
	}
	if ((out = jwt_encode_str(jwt)) == NULL)
		log_error("fcm: cannot sign the OAuth2 assertion");
out:
	jwt_free(jwt);
	return out;
}

int
fcmauth_accept(struct fcmauth *fa, const char *body, long long now_ms)
{
	json_t *o = json_loads(body, 0, NULL);
	const char *tok = json_string_value(json_object_get(o, "access_token"));
	json_int_t life = json_integer_value(json_object_get(o, "expires_in"));
	long long margin;

	if (tok == NULL || *tok == '\0' || life <= 0) {
		json_decref(o);
		return -1;
	}
	free(fa->token);
	fa->token = strdup(tok);
	json_decref(o);
	/* Refresh a tenth early (at most 5 min): no send races the expiry. */
	margin = life / 10;
	if (margin > 300)
		margin = 300;
	fa->token_until_ms = now_ms + (life - margin) * 1000;
	fa->gen++;
	return fa->token ? 0 : -1;
}

void
fcmauth_invalidate(struct fcmauth *fa)
{
	free(fa->token);
	fa->token = NULL;
	fa->token_until_ms = 0;
}

unsigned
fcmauth_generation(const struct fcmauth *fa)
{
	return fa->gen;
}

long long
fcmauth_take_requests(struct fcmauth *fa)
{
	long long n = fa->requests;

	fa->requests = 0;
	return n;
}

/* One exchange at token_uri; 0 when a token was cached. */
static int
fetch(struct fcmauth *fa, long long now_ms)
{
	CURL *c = curl_easy_init();
	struct buf a = { .max = ANSWER_MAX };
	char *assertion = fcmauth_assertion(fa, now_ms / 1000), *form = NULL;
	long status = 0;
	CURLcode cc;
	int rc = -1;

	if (c == NULL || assertion == NULL)
		goto out;
	/* base64url and dots: nothing in the assertion needs escaping. */
	if (asprintf(&form, "grant_type=%s&assertion=%s",
		"urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer",
		assertion) < 0) {
		form = NULL;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, fa->token_uri);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TOKEN_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	fa->requests++;
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		log_error("fcm: token endpoint %s: %s", fa->token_uri,
		    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 || a.p == NULL ||
	    fcmauth_accept(fa, a.p, now_ms) < 0) {
		log_error("fcm: token endpoint %s answered %ld: %.200s",
		    fa->token_uri, status, a.p ? a.p : "");
		goto out;
	}
	log_info("fcm: new access token (valid %lld s)",
	    (fa->token_until_ms - now_ms) / 1000);
	rc = 0;
out:
	if (c)
		curl_easy_cleanup(c);
	free(assertion);
	free(form);
	free(a.p);
	return rc;
}

const char *
fcmauth_token(struct fcmauth *fa, long long now_ms)
{
	if (fa->token == NULL || now_ms >= fa->token_until_ms) {
		fcmauth_invalidate(fa);
		if (fetch(fa, now_ms) < 0)
			return NULL;
	}
	return fa->token;
}
