/*
 * test_policycheck.c - each class policy value (other than the network
 * list and the focus-loss flag) is stored in one form or refused with a
 * message naming the key and its range.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "policycheck.h"

static const struct value_case {
	const char *key, *value;
	const char *stored;  /* NULL: refused */
	const char *message; /* part of the refusal */
} cases[] = {
	{ "online_default", "yes", "1", NULL },
	{ "flag_slow", "OFF", "0", NULL },
	{ "flag_slow", "maybe", NULL, "flag_slow must be true or false" },
	{ "window_ttl", "0", "0", NULL },
	{ "window_ttl", "30", "30", NULL },
	{ "window_ttl", "4", NULL, "window_ttl must be 0 or 5 to 600" },
	{ "window_ttl", "30s", NULL, "not '30s'" },
	{ "rotate_every", "0", "0", NULL },
	{ "rotate_every", "3", NULL, "rotate_every must be 0 or 5 to 600" },
	{ "rotate_overlap", "0", "0", NULL },
	{ "rotate_overlap", "11", NULL, "rotate_overlap must be 0 to 10" },
	{ "slow_margin_ms", "2500", "2500", NULL },
	{ "slow_margin_ms", "-1", NULL, "slow_margin_ms must be 0 to 600000" },
	{ "geofence_lat", "12.9716", "12.9716", NULL },
	{ "geofence_lat", "-90", "-90", NULL },
	{ "geofence_lat", "90.5", NULL, "geofence_lat must be a number" },
	{ "geofence_lat", "1e2", NULL, "geofence_lat" },
	{ "geofence_lat", "nan", NULL, "geofence_lat" },
	{ "geofence_lon", "77.59460001", NULL, "geofence_lon" },
	{ "geofence_lon", "-180", "-180", NULL },
	{ "geofence_radius", "0", "0", NULL },
	{ "geofence_radius", "19", NULL, "geofence_radius must be 0 or 20" },
	{ "geofence_radius", "5001", NULL, "metres (0: no geofence)" },
	{ "geofence_accuracy", "0", NULL, "geofence_accuracy must be 5 to" },
	{ "geofence_accuracy", "100", "100", NULL },
	{ "geofence_missing", "refuse", "refuse", NULL },
	{ "geofence_missing", "Refuse", NULL, "allow, flag or refuse" },
};

Test(policycheck, each_value_is_stored_in_one_form_or_refused_clearly)
{
	struct arena *ar = arena_new(1 << 14);
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct value_case *c = &cases[i];
		const char *v;

		err[0] = '\0';
		cr_assert(policycheck_owns(c->key), "%s", c->key);
		v = policycheck_value(ar, c->key, c->value, err, sizeof(err));
		if (c->stored) {
			cr_expect_str_eq(v ? v : "(refused)", c->stored,
			    "case %zu: %s", i, err);
			continue;
		}
		cr_expect_null(v, "case %zu", i);
		cr_expect(strstr(err, c->message), "case %zu: %s", i, err);
	}
	cr_expect(!policycheck_owns("allowed_cidrs"));
	arena_free(ar);
}
