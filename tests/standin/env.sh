# shellcheck shell=bash
# tests/standin/env.sh - sourced by tests/run before the integration stack
# starts: throwaway Google and Play Integrity keys in $TEST_STATE, and the
# EHAZIRA_* settings that make the test stack trust exactly those keys.
# The EHAZIRA_TEST_* variables tell the integration tests where the signing
# halves are (tests/support/mint.c mints with them).
_keys=$TEST_STATE/keys
mkdir -p "$_keys"
"$EHAZIRA_BIN/standin-google" keys "$_keys/google" --kid test-kid-1
"$EHAZIRA_BIN/standin-integrity" keys "$_keys/integrity"

export EHAZIRA_GOOGLE_JWKS=$_keys/google/jwks.json
export EHAZIRA_GOOGLE_CLIENT_IDS="test-web-client.apps.googleusercontent.com,test-android-client.apps.googleusercontent.com"
export EHAZIRA_GOOGLE_HOSTED_DOMAIN=
export EHAZIRA_INTEGRITY_DECRYPTION_KEY=$_keys/integrity/decryption.key
export EHAZIRA_INTEGRITY_VERIFICATION_KEY=$_keys/integrity/verification.pem
export EHAZIRA_INTEGRITY_PACKAGE=in.ehazira.app
export EHAZIRA_INTEGRITY_MIN_LEVEL=DEVICE
export EHAZIRA_REQUIRE_INTEGRITY=1
export EHAZIRA_WEB_STUDENTS=0

export EHAZIRA_TEST_GOOGLE_KEY=$_keys/google/key.pem
export EHAZIRA_TEST_GOOGLE_KID=test-kid-1
export EHAZIRA_TEST_GOOGLE_AUD=test-android-client.apps.googleusercontent.com
export EHAZIRA_TEST_INTEGRITY_SIGN_KEY=$_keys/integrity/signing.pem
unset _keys

# FCM stand-in
source tests/standin/fcm-env.sh

# Web Push stand-in and a VAPID key
source tests/standin/webpush-env.sh

# SMTP stand-in (python3-aiosmtpd) with STARTTLS and AUTH
source tests/standin/smtp-env.sh
