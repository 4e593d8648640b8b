/*
 * integrity.c - standin-integrity: mints Play Integrity tokens the way
 * Google Play does (JWE A256KW + A256GCM around an ES256 JWS), with
 * chosen verdicts, for tests and manual checks.
 *
 *   standin-integrity keys DIR
 *       DIR/decryption.key (base64 AES-256), DIR/signing.pem (EC P-256),
 *       DIR/verification.pem (the public key the server is given).
 *   standin-integrity mint --dec-key K --sign-key F --package P
 *       [--nonce N] [--device LABELS] [--app VERDICT] [--ts MILLIS]
 *       LABELS is a comma list such as MEETS_DEVICE_INTEGRITY ("" = none).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
main(int argc, char **argv)
{
	struct mint_integrity o;
	const char *dec, *sign, *pkg;
	char *tok;

	if (argc >= 3 && strcmp(argv[1], "keys") == 0) {
		if (mint_integrity_keys(argv[2]) < 0) {
			fprintf(stderr,
			    "standin-integrity: cannot write keys "
			    "in '%s'\n",
			    argv[2]);
			return 1;
		}
		return 0;
	}
	dec = opt(argc, argv, "--dec-key", NULL);
	sign = opt(argc, argv, "--sign-key", NULL);
	pkg = opt(argc, argv, "--package", "in.ehazira.app");
	if (argc < 2 || strcmp(argv[1], "mint") != 0 || !dec || !sign) {
		fprintf(stderr,
		    "usage: standin-integrity keys DIR\n"
		    "       standin-integrity mint --dec-key K --sign-key F\n"
		    "           [--package P] [--nonce N] [--device LABELS]\n"
		    "           [--app VERDICT] [--ts MILLIS]\n");
		return 2;
	}
	mint_integrity_init(&o, dec, sign, pkg,
	    opt(argc, argv, "--nonce", NULL),
	    opt(argc, argv, "--device", "MEETS_DEVICE_INTEGRITY"));
	o.app_verdict = opt(argc, argv, "--app", "PLAY_RECOGNIZED");
	o.timestamp_ms = atoll(opt(argc, argv, "--ts", "0"));
	if ((tok = mint_integrity(&o)) == NULL) {
		fprintf(stderr, "standin-integrity: cannot mint\n");
		return 1;
	}
	printf("%s\n", tok);
	free(tok);
	return 0;
}
