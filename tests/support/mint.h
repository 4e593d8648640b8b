/*
 * mint.h - test-only minting of the tokens eHazira verifies: RSA keys, a
 * JWKS and Google ID tokens (good and forged), EC + AES keys and Play
 * Integrity tokens.  Linked into tests and stand-ins, never the server.
 */
#ifndef EHZ_MINT_H
#define EHZ_MINT_H

/* DIR/key.pem (RSA private), DIR/pub.pem, DIR/jwks.json with kid. */
int mint_google_keys(const char *dir, const char *kid);

struct mint_google {
	const char *key; /* RSA private key PEM file */
	const char *kid; /* header kid (NULL: none) */
	const char *email;
	const char *aud;
	const char *iss; /* default https://accounts.google.com */
	long exp_in;     /* exp = now + exp_in */
	long iat_in;     /* iat = now + iat_in */
	/*
	 * "RS256" (default), "none" (no signature), "HS256" (signed with the
	 * RSA public PEM as the HMAC secret: algorithm confusion), or any
	 * other name put in the header of an RS256 signature.
	 */
	const char *alg;
	int bad_signature;    /* flip a bit of the signature */
	int email_unverified; /* email_verified: false */
	const char *hd;       /* hd claim or NULL */
	const char *name;     /* name claim or NULL */
};

/* Default options: RS256, 1 h life, verified e-mail. */
void mint_google_init(struct mint_google *o, const char *key, const char *kid,
    const char *email, const char *aud);
/* A compact JWT (malloc'd) or NULL. */
char *mint_google(const struct mint_google *o);

/*
 * DIR/decryption.key (base64 AES-256 key), DIR/signing.pem (EC P-256
 * private key), DIR/verification.pem (its public key).
 */
int mint_integrity_keys(const char *dir);

struct mint_integrity {
	const char *dec_key;  /* base64 AES key, or a file holding it */
	const char *sign_key; /* EC private key PEM file */
	const char *package;
	const char *nonce;       /* NULL: no nonce */
	long long timestamp_ms;  /* 0: now */
	const char *app_verdict; /* PLAY_RECOGNIZED, ... */
	const char *device;      /* comma list of labels; "" for none */
	const char *alg;         /* inner JWS alg: "ES256" (default) */
	const char *enc;         /* JWE enc header: "A256GCM" (default) */
};

void mint_integrity_init(struct mint_integrity *o, const char *dec_key,
    const char *sign_key, const char *package, const char *nonce,
    const char *device);
/* A compact JWE (malloc'd) or NULL. */
char *mint_integrity(const struct mint_integrity *o);

/* base64url without padding, malloc'd. */
char *mint_b64url(const unsigned char *buf, size_t n);

/* The contents of a file (malloc'd, trimmed) or NULL. */
char *mint_slurp(const char *path);

#endif
