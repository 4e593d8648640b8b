/*
 * policy.js - the class policy card on the teacher's page: for each class
 * the teacher teaches (GET /me), its anti-proxy policy (GET
 * /classes/:id/policy) in a form, saved with PUT /classes/:id/policy.
 *
 * The server checks every value and the whole (a rotation that does not
 * fit the window, a geofence without a centre, a bad network) and refuses
 * with a message; the form shows it and keeps what the teacher typed.
 * The inputs take their bounds from the answer (OTP_TTL_MIN..MAX and the
 * rest), so the browser's own checks match the server's.  A window open
 * now keeps the policy it opened with: the status line says so.
 * "Use my position" fills the classroom's centre from this device's
 * position (the teacher stands in the room).
 */
import { api, el, showError } from "./api.js";
import { num, t } from "./i18n.js";
import { $ } from "./page.js";

const BOOLS = { "pol-focus": "flag_on_focus_loss",
	"pol-online": "online_default", "pol-flag-slow": "flag_slow" };
const NUMBERS = { "pol-ttl": "window_ttl", "pol-rotate": "rotate_every",
	"pol-overlap": "rotate_overlap", "pol-lat": "geofence_lat",
	"pol-lon": "geofence_lon", "pol-radius": "geofence_radius",
	"pol-accuracy": "geofence_accuracy" };

function status(text, bad) {
	const p = $("pol-status");
	p.textContent = text;
	p.className = bad ? "result bad" : "note";
}

function setBounds(b) {
	const range = (id, min, max) => {
		$(id).min = min;
		$(id).max = max;
	};
	range("pol-ttl", 0, b.ttl_max);
	range("pol-rotate", 0, b.ttl_max);
	range("pol-overlap", 0, b.overlap_max);
	range("pol-radius", 0, b.radius_max);
	range("pol-accuracy", b.accuracy_min, b.accuracy_max);
	$("pol-bounds").textContent = t("pol.bounds", { def: num(b.otp_ttl),
	    min: num(b.ttl_min), max: num(b.ttl_max),
	    rmin: num(b.radius_min), rmax: num(b.radius_max) });
}

function fill(r) {
	const p = r.policy;
	$("pol-cidrs").value = p.allowed_cidrs;
	for (const [id, k] of Object.entries(BOOLS))
		$(id).checked = !!p[k];
	for (const [id, k] of Object.entries(NUMBERS))
		$(id).value = p[k];
	$("pol-margin").value = p.slow_margin_ms / 1000;
	$("pol-missing").value = p.geofence_missing;
	setBounds(r.bounds);
	status(r.open_window ? t("pol.open_window") : "", false);
}

async function load() {
	const id = $("pol-class").value;
	if (!id)
		return;
	try {
		fill(await api(`/classes/${id}/policy`));
	} catch (e) {
		showError(e, t("pol.title"));
	}
}

/* The form as the PUT body: every key, the server keeps what is equal. */
function body() {
	const b = { allowed_cidrs: $("pol-cidrs").value.trim(),
		slow_margin_ms: Math.round(Number($("pol-margin").value) *
		    1000),
		geofence_missing: $("pol-missing").value };
	for (const [id, k] of Object.entries(BOOLS))
		b[k] = $(id).checked;
	for (const [id, k] of Object.entries(NUMBERS))
		b[k] = Number($(id).value || 0);
	return b;
}

async function save(ev) {
	ev.preventDefault();
	const btn = $("pol-save");
	btn.disabled = true;
	status(t("pol.saving"), false);
	try {
		const r = await api(`/classes/${$("pol-class").value}/policy`,
		    { method: "PUT", body: body() });
		fill(r);
		status(r.open_window ? t("pol.saved_next") : t("pol.saved"),
		    false);
	} catch (e) {
		/* the server's reason; what was typed stays */
		status(t("pol.refused", { error: e.message }), true);
	} finally {
		btn.disabled = false;
	}
}

function here() {
	if (!navigator.geolocation) {
		status(t("pol.no_position"), true);
		return;
	}
	status(t("pol.locating"), false);
	navigator.geolocation.getCurrentPosition((p) => {
		$("pol-lat").value = p.coords.latitude.toFixed(6);
		$("pol-lon").value = p.coords.longitude.toFixed(6);
		status(t("pol.located", { n: num(Math.round(
		    p.coords.accuracy)) }), false);
	}, () => status(t("pol.no_position"), true),
	{ enableHighAccuracy: true, timeout: 10000 });
}

export async function initPolicy() {
	if (!$("policy"))
		return;
	$("policy-form").addEventListener("submit", save);
	$("pol-class").addEventListener("change", load);
	$("pol-here").addEventListener("click", here);
	try {
		const me = await api("/me");
		const sel = $("pol-class");
		const seen = new Set();
		for (const s of me.subjects || []) {
			if (!s.class_id || seen.has(s.class_id))
				continue;
			seen.add(s.class_id);
			sel.append(el("option", { value: s.class_id },
			    `${s.batch}/${s.semester}/${s.section}`));
		}
		$("policy").hidden = seen.size === 0;
		await load();
	} catch (e) {
		showError(e, t("pol.title"));
	}
}
