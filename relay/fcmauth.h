/*
 * fcmauth.h - OAuth2 for a Google service account: the RS256 assertion,
 * its exchange for an access token at token_uri, and the token's cache.
 */
#ifndef EHZ_FCMAUTH_H
#define EHZ_FCMAUTH_H

#include <stddef.h>

#define FCMAUTH_SCOPE "https://www.googleapis.com/auth/firebase.messaging"
#define FCMAUTH_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"

struct fcmauth;

/*
 * Reads a service-account JSON file (client_email, private_key,
 * token_uri, project_id).  NULL with a message in err on failure.
 */
struct fcmauth *fcmauth_new(const char *path, char *err, size_t errlen);
void fcmauth_free(struct fcmauth *fa);
/* The key file's project_id, or "" when it has none. */
const char *fcmauth_project(const struct fcmauth *fa);

/*
 * A signed assertion: iss = client_email, scope, aud = token_uri, iat =
 * now_s, exp = now_s + 3600.  malloc'd; NULL on failure (logged).
 */
char *fcmauth_assertion(const struct fcmauth *fa, long long now_s);

/*
 * The access token, fetched (blocking, bounded by a timeout) when there
 * is none or the cached one is about to expire.  Owned by fa and valid
 * until the next call; NULL when the token endpoint failed (logged).
 */
const char *fcmauth_token(struct fcmauth *fa, long long now_ms);
/*
 * Caches a token endpoint's JSON answer received at now_ms.  0, or -1
 * when it has no usable access_token/expires_in.
 */
int fcmauth_accept(struct fcmauth *fa, const char *body, long long now_ms);
/* Forgets the cached token (FCM said 401). */
void fcmauth_invalidate(struct fcmauth *fa);
/* Bumped on every new token: tells a stale 401 from a fresh one. */
unsigned fcmauth_generation(const struct fcmauth *fa);
/* Token requests made since the last call (for relay_stat). */
long long fcmauth_take_requests(struct fcmauth *fa);

#endif
