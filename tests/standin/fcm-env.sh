# shellcheck shell=bash
# tests/standin/fcm-env.sh - start the FCM stand-in for a throwaway stack.
#
# Sourced (through tests/standin/env.sh) by tests/run and tests/bench/run
# after TEST_STATE is set and before `scripts/stack up`.  Starts
# standin-fcm on a free loopback port with a fresh service-account key,
# its pidfile at $TEST_STATE/standin-fcm.pid (the runners stop every
# $TEST_STATE/*.pid at teardown; fcm_standin_stop does it by hand), and
# exports the settings the stack reads:
#   EHAZIRA_FCM_ENDPOINT, EHAZIRA_FCM_PROJECT_ID, EHAZIRA_FCM_CREDENTIALS,
#   EHAZIRA_FCM_LEASE (short, so a killed relay's rows come back quickly),
#   EHAZIRA_FCM_BACKOFF_BASE/CAP (short, so retries take milliseconds)
# and EHAZIRA_TEST_FCM_RECORD (every send as a JSON line) for tests.

fcm_standin_stop() {
	local pf=$TEST_STATE/standin-fcm.pid
	[ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null
	rm -f "$pf"
}

fcm_standin_start() {
	local dir=$TEST_STATE/fcm bin=${EHAZIRA_BIN:-build}/standin-fcm t=100
	[ -x "$bin" ] || { echo "fcm-env: no $bin" >&2; return 1; }
	mkdir -p "$dir" "$TEST_STATE/log"
	rm -f "$dir/port"
	"$bin" -p 0 -P ehazira-test -k "$dir/service-account.json" \
		-w "$dir/port" -r "$dir/messages.jsonl" \
		</dev/null >>"$TEST_STATE/log/standin-fcm.log" 2>&1 &
	echo $! >"$TEST_STATE/standin-fcm.pid"
	while [ ! -s "$dir/port" ] && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
	[ -s "$dir/port" ] || { echo "fcm-env: standin-fcm did not start" >&2; return 1; }
	EHAZIRA_FCM_ENDPOINT=http://127.0.0.1:$(cat "$dir/port")
	export EHAZIRA_FCM_ENDPOINT
	export EHAZIRA_FCM_PROJECT_ID=ehazira-test
	export EHAZIRA_FCM_CREDENTIALS=$dir/service-account.json
	export EHAZIRA_FCM_LEASE=${EHAZIRA_FCM_LEASE:-3}
	# Fast retries, so an outage of seconds spans many of them.
	export EHAZIRA_FCM_BACKOFF_BASE=${EHAZIRA_FCM_BACKOFF_BASE:-100}
	export EHAZIRA_FCM_BACKOFF_CAP=${EHAZIRA_FCM_BACKOFF_CAP:-400}
	export EHAZIRA_TEST_FCM_RECORD=$dir/messages.jsonl
}

if [ -n "${TEST_STATE:-}" ]; then
	fcm_standin_start
fi
