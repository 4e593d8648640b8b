# shellcheck shell=bash
# tests/standin/webpush-env.sh - start the Web Push stand-in for a
# throwaway stack.
#
# Sourced (through tests/standin/env.sh) by tests/run and tests/bench/run
# after TEST_STATE is set and before `scripts/stack up`.  Makes a fresh
# VAPID key (P-256, PEM), starts standin-webpush on a free loopback port
# (its pidfile at $TEST_STATE/standin-webpush.pid, stopped with the other
# stand-ins at teardown) and exports the settings the stack reads:
#   EHAZIRA_VAPID_PRIVATE_KEY, EHAZIRA_VAPID_SUBJECT,
#   EHAZIRA_WEBPUSH_ALLOW_HTTP (the stand-in speaks plain http)
# and EHAZIRA_TEST_WEBPUSH_URL (the stand-in's control surface) for tests.

webpush_standin_start() {
	local dir=$TEST_STATE/webpush bin=${EHAZIRA_BIN:-build}/standin-webpush t=100
	[ -x "$bin" ] || { echo "webpush-env: no $bin" >&2; return 1; }
	mkdir -p "$dir" "$TEST_STATE/log"
	rm -f "$dir/port"
	openssl ecparam -name prime256v1 -genkey -noout -out "$dir/vapid.pem" 2>/dev/null ||
		{ echo "webpush-env: cannot make a VAPID key" >&2; return 1; }
	chmod 600 "$dir/vapid.pem"
	"$bin" -p 0 -w "$dir/port" -r "$dir/pushes.jsonl" \
		</dev/null >>"$TEST_STATE/log/standin-webpush.log" 2>&1 &
	echo $! >"$TEST_STATE/standin-webpush.pid"
	while [ ! -s "$dir/port" ] && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
	[ -s "$dir/port" ] || { echo "webpush-env: standin-webpush did not start" >&2; return 1; }
	EHAZIRA_TEST_WEBPUSH_URL=http://127.0.0.1:$(cat "$dir/port")
	export EHAZIRA_TEST_WEBPUSH_URL
	export EHAZIRA_VAPID_PRIVATE_KEY=$dir/vapid.pem
	export EHAZIRA_VAPID_SUBJECT=mailto:ops@ehazira.test
	export EHAZIRA_WEBPUSH_ALLOW_HTTP=1
}

if [ -n "${TEST_STATE:-}" ]; then
	webpush_standin_start
fi
