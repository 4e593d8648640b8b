/*
 * config.h - every setting of eHazira, read once at start.
 *
 * CONFIG_KEYS is the one table: key, struct field, type, default, required,
 * range, help.  A key K is read from the file named by EHAZIRA_CONF (there is
 * no default file: without it every program stops) and overridden by the
 * environment variable EHAZIRA_K.  An empty default for a *_SOCKET or path
 * key means "derived from STATE" (see config.c).
 *
 * The range column says what a value may be, and a value outside it stops
 * the program naming the key and the range; nothing falls back to the
 * default:
 *   INT     "LO..HI"        whole number between LO and HI inclusive
 *   ENUM    "A|B|C"         one of the words, exactly
 *   SECRET  "N"             at least N characters, not a published example
 *                           value (config.c's list) nor a CHANGE-ME marker
 *   STR     ""              free text
 * Secrets are what `ehazira-admin init-config` generates.
 */
#ifndef EHZ_CONFIG_H
#define EHZ_CONFIG_H

#include <stdio.h>

#define CONFIG_KEYS(X)                                                        \
	X(STATE, state, STR, "var", 0, "",                                    \
	    "state directory: data, sockets, logs")                           \
	X(HTTP_ADDR, http_addr, STR, "127.0.0.1", 0, "",                      \
	    "nginx listen address")                                           \
	X(HTTP_PORT, http_port, INT, "8080", 0, "1..65535",                   \
	    "nginx listen port")                                              \
	X(HTTPS_PORT, https_port, INT, "8443", 0, "1..65535",                 \
	    "HTTPS listen port when TLS_CERT is set")                         \
	X(TLS_CERT, tls_cert, STR, "", 0, "",                                 \
	    "PEM certificate chain file (empty: plain HTTP)")                 \
	X(TLS_KEY, tls_key, STR, "", 0, "", "PEM private key of TLS_CERT")    \
	X(PUBLIC_URL, public_url, STR, "", 0, "", "URL users open (derived)") \
	X(NGINX_WORKERS, nginx_workers, INT, "2", 0, "1..64",                 \
	    "nginx worker processes")                                         \
	X(NGINX_CONNECTIONS, nginx_connections, INT, "16384", 0,              \
	    "512..1048576", "connections per nginx worker")                   \
	X(NGINX_NOFILE, nginx_nofile, INT, "40000", 0, "1024..1048576",       \
	    "open-file limit of each nginx worker")                           \
	X(REDIS_URL, redis_url, STR, "", 0, "",                               \
	    "nchan's Redis, redis://[:password@]host[:port][/db] "            \
	    "(empty: the stack's private one)")                               \
	X(DB_HOST, db_host, STR, "localhost", 0, "",                          \
	    "MariaDB host; localhost means the unix socket")                  \
	X(DB_PORT, db_port, INT, "3307", 0, "1..65535",                       \
	    "private MariaDB TCP port")                                       \
	X(DB_SOCKET, db_socket, STR, "", 0, "", "MariaDB socket (STATE/run)") \
	X(DB_NAME, db_name, STR, "ehazira", 0, "", "database name")           \
	X(DB_USER, db_user, STR, "ehazira", 0, "", "database user")           \
	X(DB_PASSWORD, db_password, SECRET, "", 1, "16", "database password") \
	X(DB_TIMEOUT, db_timeout, INT, "2", 0, "1..60",                       \
	    "DB connect/read/write timeout, s (nginx waits 4x + 5 s)")        \
	X(DB_REPLICA, db_replica, STR, "", 0, "",                             \
	    "read replica host:port for reports (empty: none)")               \
	X(DB_REPLICA_MAX_LAG, db_replica_max_lag, INT, "10", 0, "0..86400",   \
	    "replica lag past which reports read the primary, s")             \
	X(FCGI_SOCKET, fcgi_socket, STR, "", 0, "",                           \
	    "worker socket (STATE/run)")                                      \
	X(FCGI_PROCESSES, fcgi_processes, INT, "1", 0, "1..64",               \
	    "worker processes")                                               \
	X(FCGI_THREADS, fcgi_threads, INT, "64", 0, "1..512",                 \
	    "threads per worker")                                             \
	X(PUB_SOCKET, pub_socket, STR, "", 0, "", "nchan publisher socket")   \
	X(HOOK_SOCKET, hook_socket, STR, "", 0, "",                           \
	    "nchan hook server socket")                                       \
	X(RELAY_SOCKET, relay_socket, STR, "", 0, "", "relay wake-up socket") \
	X(BODY_MAX, body_max, INT, "65536", 0, "1024..4194304",               \
	    "largest request body, bytes")                                    \
	X(LOG_LEVEL, log_level, ENUM, "info", 0, "debug|info|warn|error",     \
	    "lowest level written to the log")                                \
	X(TIMEZONE, timezone, STR, "Asia/Kolkata", 0, "",                     \
	    "institution time zone (dates)")                                  \
	X(JWT_SECRET, jwt_secret, SECRET, "", 1, "32",                        \
	    "HS256 key of app tokens")                                        \
	X(WS_SUBJECT_KEY, ws_subject_key, SECRET, "", 1, "32",                \
	    "HMAC key of WebSocket identities and channel names")             \
	X(ACCESS_TTL, access_ttl, INT, "900", 0, "60..86400",                 \
	    "access token life, s")                                           \
	X(REFRESH_TTL, refresh_ttl, INT, "2592000", 0, "3600..31536000",      \
	    "refresh token life")                                             \
	X(GOOGLE_CLIENT_IDS, google_client_ids, STR, "", 0, "",               \
	    "accepted ID-token audiences, comma separated")                   \
	X(GOOGLE_JWKS, google_jwks, STR,                                      \
	    "https://www.googleapis.com/oauth2/v3/certs", 0, "",              \
	    "Google signing keys: URL or file")                               \
	X(GOOGLE_HOSTED_DOMAIN, google_hd, STR, "", 0, "",                    \
	    "required hd claim (empty: any)")                                 \
	X(CLOCK_SKEW, clock_skew, INT, "60", 0, "0..600",                     \
	    "allowed clock skew, s")                                          \
	X(INTEGRITY_DECRYPTION_KEY, integrity_dec_key, STR, "", 0, "",        \
	    "Play Integrity AES-256 key (base64) or file")                    \
	X(INTEGRITY_VERIFICATION_KEY, integrity_ver_key, STR, "", 0, "",      \
	    "Play Integrity EC public key PEM file")                          \
	X(INTEGRITY_PACKAGE, integrity_package, STR, "in.ehazira.app", 0, "", \
	    "Android package name")                                           \
	X(INTEGRITY_MIN_LEVEL, integrity_min_level, ENUM, "DEVICE", 0,        \
	    "STRONG|DEVICE|BASIC", "lowest accepted Play Integrity label")    \
	X(IOS_POLICY, ios_policy, ENUM, "approve-first", 0,                   \
	    "refuse|approve-first|allow", "iOS students until App Attest")    \
	X(INTEGRITY_MAX_AGE, integrity_max_age, INT, "300", 0, "10..86400",   \
	    "oldest accepted verdict, s")                                     \
	X(REQUIRE_INTEGRITY, require_integrity, INT, "1", 0, "0..1",          \
	    "Android sign-in needs an integrity token")                       \
	X(CHALLENGE_TTL, challenge_ttl, INT, "300", 0, "10..3600",            \
	    "nonce life, s")                                                  \
	X(WEB_STUDENTS, web_students, INT, "1", 0, "0..1",                    \
	    "students may use WEB")                                           \
	X(DPOP_NONCE, dpop_nonce, INT, "0", 0, "0..1",                        \
	    "DPoP proofs must carry the server's nonce")                      \
	X(OTP_TTL, otp_ttl, INT, "15", 0, "5..600", "OTP life, s")            \
	X(OTP_GRACE, otp_grace, INT, "2", 0, "0..30", "network-lag grace, s") \
	X(OTP_TTL_MIN, otp_ttl_min, INT, "5", 0, "5..600",                    \
	    "shortest window a teacher may choose, s")                        \
	X(OTP_TTL_MAX, otp_ttl_max, INT, "120", 0, "5..600",                  \
	    "longest window a teacher may choose, s")                         \
	X(BACKDATE_DAYS, backdate_days, INT, "7", 0, "0..365",                \
	    "how many days back a class may be taken")                        \
	X(LEAVE_COUNTS, leave_counts, ENUM, "excluded", 0, "excluded|absent", \
	    "an absence on approved leave: left out of held, or absent")      \
	X(SUBMIT_RATE, submit_rate, INT, "10", 0, "1..100000",                \
	    "submits/min per student")                                        \
	X(ADDR_RATE, addr_rate, INT, "3000", 0, "1..1000000000",              \
	    "guessable calls/min per IP")                                     \
	X(TRUSTED_PROXIES, trusted_proxies, STR, "", 0, "",                   \
	    "load balancers whose X-Forwarded-For names the client")          \
	X(FCM_PROJECT_ID, fcm_project_id, STR, "", 0, "", "Firebase project") \
	X(FCM_ENDPOINT, fcm_endpoint, STR, "https://fcm.googleapis.com", 0,   \
	    "", "FCM base URL")                                               \
	X(FCM_CREDENTIALS, fcm_credentials, STR, "", 0, "",                   \
	    "service-account JSON file (empty: no push)")                     \
	X(FCM_MAX_TRIES, fcm_max_tries, INT, "1000", 0, "1..100000",          \
	    "ceiling on tries (a push's expiry ends it first)")               \
	X(FCM_BACKOFF_BASE, fcm_backoff_base, INT, "1000", 0, "1..3600000",   \
	    "first retry delay of a push, ms (doubles per try)")              \
	X(FCM_BACKOFF_CAP, fcm_backoff_cap, INT, "900000", 0, "1..86400000",  \
	    "longest retry delay of a push, ms")                              \
	X(FCM_RETRY_FOR, fcm_retry_for, INT, "86400", 0, "1..2592000",        \
	    "how long a push with no expiry is retried, s")                   \
	X(FCM_PARALLEL, fcm_parallel, INT, "64", 0, "1..1024",                \
	    "pushes in flight")                                               \
	X(FCM_LEASE, fcm_lease, INT, "30", 0, "1..3600",                      \
	    "claim lease of a push batch, s")                                 \
	X(VAPID_PRIVATE_KEY, vapid_private_key, STR, "", 0, "",               \
	    "Web Push: PEM P-256 key file (empty: no Web Push)")              \
	X(VAPID_SUBJECT, vapid_subject, STR, "", 0, "",                       \
	    "Web Push contact: mailto: or https: URL")                        \
	X(WEBPUSH_ALLOW_HTTP, webpush_allow_http, INT, "0", 0, "0..1",        \
	    "accept http:// push endpoints (tests only)")                     \
	X(AT_RISK_PERCENT, at_risk_percent, INT, "75", 0, "1..100",           \
	    "at-risk threshold")                                              \
	X(REPORT_DAYS, report_days, INT, "120", 0, "1..3660",                 \
	    "default report range and warning look-back, days")               \
	X(REPORT_DIR, report_dir, STR, "", 0, "",                             \
	    "cron report output (STATE)")                                     \
	X(WEB_ROOT, web_root, STR, "nginx/www", 0, "", "static pages")        \
	X(DEMO, demo, INT, "0", 0, "0..1",                                    \
	    "demo mode: local sign-in stand-in")                              \
	X(METRICS_ALLOW, metrics_allow, STR, "", 0, "",                       \
	    "CIDRs besides 127.0.0.1 and ::1 that may GET /metrics")          \
	X(SMTP_URL, smtp_url, STR, "", 0, "",                                 \
	    "mail relay, smtp://host:port or smtps://host:port "              \
	    "(empty: no e-mail)")                                             \
	X(SMTP_FROM, smtp_from, STR, "", 0, "",                               \
	    "sender address of the e-mails (with SMTP_URL)")                  \
	X(SMTP_USER, smtp_user, STR, "", 0, "",                               \
	    "SMTP AUTH user (empty: no AUTH; required outside DEMO)")         \
	X(SMTP_PASSWORD, smtp_password, SECRET, "", 0, "8",                   \
	    "SMTP AUTH password (the provider's; not generated)")             \
	X(SMTP_STARTTLS, smtp_starttls, ENUM, "required", 0,                  \
	    "required|optional|none",                                         \
	    "STARTTLS on smtp:// (required outside DEMO)")                    \
	X(SMTP_CA_FILE, smtp_ca_file, STR, "", 0, "",                         \
	    "PEM CAs that sign the relay's certificate (empty: system's)")    \
	X(SMTP_TIMEOUT, smtp_timeout, INT, "30", 0, "1..600",                 \
	    "one SMTP conversation, s")                                       \
	X(SMTP_RETRY_FOR, smtp_retry_for, INT, "172800", 0, "60..2592000",    \
	    "how long an e-mail is retried before it is FAILED, s")           \
	X(SMTP_BACKOFF_BASE, smtp_backoff, INT, "60000", 0, "1..3600000",     \
	    "first retry delay of an e-mail, ms (doubles, at most 1 h)")      \
	X(GUARDIAN_NOTICES, guardian_notices, INT, "0", 0, "0..1",            \
	    "e-mail the guardian when a student crosses below "               \
	    "AT_RISK_PERCENT")

#define CFG_TYPE_STR const char *
#define CFG_TYPE_INT long
#define CFG_TYPE_ENUM const char *
#define CFG_TYPE_SECRET const char *

struct config {
#define X(key, field, type, def, req, range, help) CFG_TYPE_##type field;
	CONFIG_KEYS(X)
#undef X
	const char *path; /* the file read, or NULL */
};

/*
 * Fills cfg from the file EHAZIRA_CONF names and the environment.  Returns
 * 0, or -1 with a message naming the key (or EHAZIRA_CONF) in err.
 */
int config_load(struct config *cfg, char *err, size_t errlen);
/*
 * Writes a new config file at path (mode 0600, never over an existing
 * file): the lines of template that set no secret (template may be NULL),
 * then every SECRET key with a fresh random value.  0, or -1 and err.
 */
int config_write_new(const char *path, const char *template, char *err,
    size_t errlen);
/* Checks one value of key against its range column: 0, or -1 and err. */
int config_check(const char *key, const char *value, char *err, size_t errlen);
/*
 * Splits "host:port" (a name or IPv4 address, or [IPv6]:port) into host
 * and port 1..65535: 0, or -1 when v is not of that form.
 */
int config_hostport(const char *v, char *host, size_t hostlen, long *port);
/* Prints every key as KEY='value' lines a shell can eval. */
void config_print(const struct config *cfg, FILE *fp);

#endif
