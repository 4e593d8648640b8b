# shellcheck shell=bash
# tests/standin/smtp-env.sh - start the SMTP stand-in for a throwaway
# stack.
#
# Sourced (through tests/standin/env.sh) by tests/run and tests/bench/run
# after TEST_STATE is set and before `scripts/stack up`.  Makes a test CA
# and a certificate for 127.0.0.1, starts tests/standin/smtp.py (python3-
# aiosmtpd) on a free loopback port (its pidfile at
# $TEST_STATE/standin-smtp.pid, stopped with the other stand-ins at
# teardown) and exports the settings the stack's relay reads: the
# production ones (STARTTLS required, AUTH) with the test CA, a short
# backoff, and guardian notices on.  EHAZIRA_TEST_SMTP_DIR is where the
# stand-in stores what it received (messages.jsonl, <n>.eml).  Debian's
# python3 runs it (python3-aiosmtpd is its package), not whatever python3
# the PATH finds first.

smtp_standin_start() {
	local dir=$TEST_STATE/smtp t=100 pw
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
		{ echo "smtp-env: no python3-aiosmtpd (scripts/install-deps)" >&2; return 1; }
	mkdir -p "$dir/spool" "$TEST_STATE/log"
	rm -f "$dir/port"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ehazira-test-smtp \
		-addext subjectAltName=IP:127.0.0.1,DNS:localhost \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null ||
		{ echo "smtp-env: cannot make a certificate" >&2; return 1; }
	pw=$(openssl rand -hex 16)
	/usr/bin/python3 tests/standin/smtp.py --port-file "$dir/port" --dir "$dir/spool" \
		--cert "$dir/cert.pem" --key "$dir/key.pem" --user relay --password "$pw" \
		</dev/null >>"$TEST_STATE/log/standin-smtp.log" 2>&1 &
	echo $! >"$TEST_STATE/standin-smtp.pid"
	while [ ! -s "$dir/port" ] && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
	[ -s "$dir/port" ] || { echo "smtp-env: the SMTP stand-in did not start" >&2; return 1; }
	EHAZIRA_SMTP_URL=smtp://127.0.0.1:$(cat "$dir/port")
	export EHAZIRA_SMTP_URL
	export EHAZIRA_SMTP_FROM=attendance@ehazira.test
	export EHAZIRA_SMTP_USER=relay
	export EHAZIRA_SMTP_PASSWORD=$pw
	export EHAZIRA_SMTP_STARTTLS=required
	export EHAZIRA_SMTP_CA_FILE=$dir/cert.pem
	export EHAZIRA_SMTP_BACKOFF_BASE=200
	export EHAZIRA_GUARDIAN_NOTICES=1
	export EHAZIRA_TEST_SMTP_DIR=$dir/spool
}

if [ -n "${TEST_STATE:-}" ]; then
	smtp_standin_start
fi
