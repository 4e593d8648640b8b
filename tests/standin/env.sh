# tests/standin/env.sh - sourced by tests/run before the integration stack
# starts: each stand-in adds its own line.
source tests/standin/fcm-env.sh
