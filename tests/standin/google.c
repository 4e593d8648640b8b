/*
 * google.c - standin-google: a local stand-in for Google Sign-In, for
 * tests and the demo.  It holds its own RSA key; the API trusts its tokens
 * only when GOOGLE_JWKS points at this key's JWKS, exactly as it trusts
 * Google's (there is no other way in).
 *
 *   standin-google keys DIR [--kid K]
 *       RSA key DIR/key.pem, DIR/pub.pem and DIR/jwks.json (kid K).
 *   standin-google mint --key F --kid K --email E [--aud A] [--iss I]
 *       [--exp-in S] [--iat-in S] [--alg RS256|none|HS256|...]
 *       [--bad-signature] [--no-email-verified] [--hd H] [--name N]
 *       Prints an ID token.  HS256 is the algorithm-confusion forgery
 *       (HMAC keyed with the RSA public PEM).
 *   standin-google serve (--port P | --socket PATH) --key F --kid K --aud A
 *       Answers POST /demo/google/token {"email":...} with
 *       {"id_token":...}: the demo page's "Sign in with Google".
 */
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "mint.h"

static const char *
opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 2; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return def;
}

static int
flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: standin-google keys DIR [--kid K]\n"
	    "       standin-google mint --key F --kid K --email E [--aud A]\n"
	    "           [--iss I] [--exp-in S] [--iat-in S] [--alg A]\n"
	    "           [--bad-signature] [--no-email-verified] [--hd H]\n"
	    "       standin-google serve (--port P|--socket PATH) --key F\n"
	    "           --kid K --aud A\n");
	return 2;
}

static int
reply(int fd, int status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	    status, status == 200 ? "OK" : "Error", strlen(body));

	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		perror("standin-google: write");
	return status;
}

static int
handle(int fd, const char *key, const char *kid, const char *aud, long exp_in)
{
	char buf[65536], *end, *cl, *tok, *out;
	size_t got = 0, want;
	ssize_t n;
	json_t *j;
	const char *email;
	struct mint_google o;

	for (;;) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			return 0;
		got += (size_t)n;
		buf[got] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL) {
			if (got == sizeof(buf) - 1)
				return 0;
			continue;
		}
		cl = strcasestr(buf, "\r\ncontent-length:");
		want = (size_t)(end + 4 - buf) +
		    (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		if (want >= sizeof(buf))
			return reply(fd, 413,
			    "{\"error\":{\"code\":"
			    "\"payload_too_large\"}}");
		if (got >= want)
			break;
	}
	if (strncmp(buf, "POST /demo/google/token ", 24) != 0)
		return reply(fd, 404,
		    "{\"error\":{\"code\":\"not_found\","
		    "\"message\":\"POST /demo/google/token\"}}");
	j = json_loads(end + 4, 0, NULL);
	email = json_string_value(json_object_get(j, "email"));
	if (email == NULL || strchr(email, '@') == NULL ||
	    strlen(email) > 190) {
		json_decref(j);
		return reply(fd, 400,
		    "{\"error\":{\"code\":\"bad_request\","
		    "\"message\":\"an e-mail is required\"}}");
	}
	mint_google_init(&o, key, kid, email, aud);
	o.exp_in = exp_in;
	tok = mint_google(&o);
	json_decref(j);
	if (tok == NULL)
		return reply(fd, 500, "{\"error\":{\"code\":\"internal\"}}");
	j = json_pack("{s:s}", "id_token", tok);
	out = json_dumps(j, JSON_COMPACT);
	reply(fd, 200, out);
	free(out);
	free(tok);
	json_decref(j);
	return 200;
}

static int
serve(int argc, char **argv)
{
	const char *port = opt(argc, argv, "--port", NULL);
	const char *path = opt(argc, argv, "--socket", NULL);
	const char *key = opt(argc, argv, "--key", NULL);
	const char *kid = opt(argc, argv, "--kid", "standin-1");
	const char *aud = opt(argc, argv, "--aud", NULL);
	long exp_in = atol(opt(argc, argv, "--exp-in", "3600"));
	struct sockaddr_in in = { 0 };
	struct sockaddr_un un = { 0 };
	struct timeval tv = { 5, 0 };
	int fd, c, one = 1;

	if (key == NULL || aud == NULL || (port == NULL) == (path == NULL))
		return usage();
	signal(SIGPIPE, SIG_IGN);
	if (path) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		un.sun_family = AF_UNIX;
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
		unlink(path);
		if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0)
			goto fail;
	} else {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		in.sin_family = AF_INET;
		in.sin_port = htons((unsigned short)atoi(port));
		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0)
			goto fail;
	}
	if (listen(fd, 64) < 0)
		goto fail;
	fprintf(stderr, "standin-google: serving on %s (demo only)\n",
	    path ? path : port);
	for (;;) {
		if ((c = accept(fd, NULL, NULL)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		handle(c, key, kid, aud, exp_in);
		close(c);
	}
fail:
	perror("standin-google");
	return 1;
}

int
main(int argc, char **argv)
{
	struct mint_google o;
	const char *key, *email;
	char *tok;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "keys") == 0 && argc >= 3) {
		if (mint_google_keys(argv[2],
			opt(argc, argv, "--kid", "standin-1")) < 0) {
			fprintf(stderr,
			    "standin-google: cannot write keys "
			    "in '%s'\n",
			    argv[2]);
			return 1;
		}
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (strcmp(argv[1], "mint") != 0)
		return usage();
	key = opt(argc, argv, "--key", NULL);
	email = opt(argc, argv, "--email", NULL);
	if (key == NULL || email == NULL)
		return usage();
	mint_google_init(&o, key, opt(argc, argv, "--kid", "standin-1"), email,
	    opt(argc, argv, "--aud", ""));
	o.iss = opt(argc, argv, "--iss", o.iss);
	o.exp_in = atol(opt(argc, argv, "--exp-in", "3600"));
	o.iat_in = atol(opt(argc, argv, "--iat-in", "0"));
	o.alg = opt(argc, argv, "--alg", "RS256");
	o.hd = opt(argc, argv, "--hd", NULL);
	o.name = opt(argc, argv, "--name", NULL);
	o.bad_signature = flag(argc, argv, "--bad-signature");
	o.email_unverified = flag(argc, argv, "--no-email-verified");
	if ((tok = mint_google(&o)) == NULL) {
		fprintf(stderr, "standin-google: cannot mint (key '%s')\n",
		    key);
		return 1;
	}
	printf("%s\n", tok);
	free(tok);
	return 0;
}
