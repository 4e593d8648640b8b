/*
 * redisping.h - is nchan's Redis answering?  The workers never talk to
 * Redis themselves (nchan does, inside nginx); /healthz and /metrics ask
 * it this one question over a short-lived connection.
 */
#ifndef EHZ_REDISPING_H
#define EHZ_REDISPING_H

#include <stddef.h>

struct redis_addr {
	char host[256];
	char port[8];
	char password[256];
};

/*
 * Splits redis://[[user]:password@]host[:port][/db] (the form nchan takes;
 * %XX escapes in the password decoded, [v6] hosts allowed).  0, or -1 when
 * url is not of that form.
 */
int redisping_parse(const char *url, struct redis_addr *a);
/*
 * Connects, sends AUTH (when the URL has a password) and PING, and waits
 * for +PONG, all within timeout_ms.  1 up, 0 down (or refused), -1 when
 * url does not parse.
 */
int redisping(const char *url, int timeout_ms);

#endif
