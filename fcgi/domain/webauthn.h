/*
 * webauthn.h - WebAuthn for biometric presence: the window-derived and
 * registration challenges, the parsers of what the browser hands over
 * (clientDataJSON, the attestationObject's CBOR, authenticator data, the
 * COSE_Key) and the verifier of an assertion (ES256 on P-256 with user
 * verification).  CBOR by libcbor, signatures by OpenSSL.
 */
#ifndef EHZ_WEBAUTHN_H
#define EHZ_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* Bounds on what is parsed (a platform passkey's are far below). */
#define WEBAUTHN_MAX_INPUT 4096
#define WEBAUTHN_MAX_CRED_ID 255
#define WEBAUTHN_MAX_COSE 255

enum webauthn_rc {
	WA_OK = 0,
	WA_MALFORMED = -1, /* bad CBOR, JSON, length or base64url */
	WA_TYPE = -2,      /* clientData type is not the ceremony's */
	WA_CHALLENGE = -3, /* not the challenge issued */
	WA_ORIGIN = -4,    /* not the configured public origin */
	WA_RP = -5,        /* rpIdHash is not SHA-256 of the RP ID */
	WA_NO_UP = -6,     /* user presence flag missing */
	WA_NO_UV = -7,     /* user verification flag missing */
	WA_KEY = -8,       /* not an ES256 P-256 COSE_Key, or off the curve */
	WA_SIGNATURE = -9, /* the signature does not verify */
	WA_REPLAY = -10,   /* the sign count did not grow */
	WA_NO_CRED = -11,  /* no attested credential in the authData */
	WA_EXPIRED = -12,  /* a registration challenge past its life */
};

/* What a ceremony must match. */
struct webauthn_expect {
	const char *type;      /* "webauthn.create" or "webauthn.get" */
	const char *challenge; /* base64url, as issued */
	const char *origin;    /* e.g. "https://attendance.college.edu" */
	const char *rp_id;     /* the origin's host */
};

/* A registered credential, from an attestationObject. */
struct webauthn_cred {
	unsigned char id[WEBAUTHN_MAX_CRED_ID];
	size_t id_len;
	unsigned char cose[WEBAUTHN_MAX_COSE]; /* the COSE_Key as sent */
	size_t cose_len;
	uint32_t sign_count;
	uint8_t flags;
};

/* The client's part of an assertion (raw bytes). */
struct webauthn_assertion {
	const unsigned char *auth_data, *client_data, *sig;
	size_t auth_len, client_len, sig_len;
};

/* The machine code of rc for a JSON refusal ("uv_invalid" ...). */
const char *webauthn_code(int rc);
/* A sentence for people. */
const char *webauthn_reason(int rc);
/* The HTTP status of a refusal with rc: 400 for malformed, else 403. */
int webauthn_status(int rc);

/*
 * The assertion challenge of one window for one device: base64url of
 * HMAC-SHA256(key, "webauthn.get:<session>:<window>:<device>"), so an
 * assertion made for one window, round or phone fits no other.
 */
char *webauthn_window_challenge(const char *key, long long session_id,
    long long window_id, long long device_id, struct arena *ar);
/*
 * A registration challenge, stateless: base64url of an 8-byte time and
 * an HMAC over it and the device.  webauthn_reg_challenge_ok checks one
 * is ours, for this device and at most ttl seconds old (WA_OK,
 * WA_CHALLENGE or WA_EXPIRED).
 */
char *webauthn_reg_challenge(const char *key, long long device_id,
    long long now, struct arena *ar);
int webauthn_reg_challenge_ok(const char *key, long long device_id,
    const char *challenge, long long now, long long ttl, struct arena *ar);

/* The RP ID and the origin of a public URL (scheme://host[:port]/...). */
int webauthn_origin(const char *url, const char **origin, const char **rp_id,
    struct arena *ar);

/* clientDataJSON: type, challenge and origin as e says; no crossOrigin. */
int webauthn_client_data(const unsigned char *cd, size_t n,
    const struct webauthn_expect *e, struct arena *ar);
/* A COSE_Key that must be EC2, ES256, P-256: the point 0x04||x||y. */
int webauthn_cose_es256(const unsigned char *cose, size_t n,
    unsigned char point[65]);
/*
 * The attestationObject of a registration (the clientData is checked
 * apart): authData with rpIdHash, UP, UV and an attested ES256 credential.
 * The attestation statement is not checked (attestation "none": the key
 * is trusted because the DPoP-bound, approved device registers it).
 */
int webauthn_attestation(const unsigned char *att, size_t n, const char *rp_id,
    struct webauthn_cred *out);
/*
 * An assertion against the stored COSE_Key and sign count: clientData,
 * rpIdHash, UP and UV, the signature over authData || SHA-256(clientData),
 * then a sign count above the stored one (0 after 0: an authenticator
 * without a counter).  WA_OK and *new_count, or an enum webauthn_rc.
 */
int webauthn_verify(const struct webauthn_assertion *a,
    const unsigned char *cose, size_t cose_len, uint32_t stored_count,
    const struct webauthn_expect *e, uint32_t *new_count, struct arena *ar);

#endif
