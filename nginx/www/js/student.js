/*
 * student.js - the student's page (mobile first).
 *
 * An open window arrives live (attendance.started on the class channel) or
 * on load (GET /attendance/open).  The code is submitted over the socket
 * ({"type":"submit"}, answered by submit.result) or, when the socket is
 * down or silent, by POST /attendance/submit - the same code path on the
 * server.  While a window is open and the student is not yet marked,
 * leaving the page (visibilitychange, blur, copy) is sent as telemetry and
 * the page says so: that is what the teacher's "flagged" means.  One
 * departure is one event: the blur and the visibilitychange that leaving
 * fires together count once, until the student is back.  A class with a
 * geofence gets the device's position with the code when the student
 * ticked the consent box (remembered on the device); the browser's
 * permission prompt does not count as leaving.
 */
import { api, el, showError } from "./api.js";
import { fmtDay, pct, t } from "./i18n.js";
import { $, showConn, showWho, startPage } from "./page.js";
import { lastHistory, saveHistory, showOffline, startPwa } from "./pwa.js";
import { LiveSocket } from "./ws.js";
import { initLeaveApply } from "./leaveapply.js";
import { presenceFor, presenceRequired, startPresence } from "./presence.js";

const me = startPage("student", () => socket.close());

/* The window shown: {session_id, expires_at, course_id, ...} or null. */
let win = null;
let skew = 0;
let timer = null;
let marked = false;	/* final answer for this window (P/R/no tries) */
let socket = null;
let waiter = null;	/* resolves the pending socket submit */
const lastSent = {};
/* sessions this student is marked present in: a later round of one of
 * them never shows the code entry again */
const presentIn = new Set();
let away = false;	/* left the page; reported once until back */
/* asking the browser for the position: its prompt is not leaving */
let locating = false;
const GEO_KEY = "ehazira.geoConsent";

/* What to do after a missed window: the teacher can still mark by hand. */

function show(w, serverTime) {
	const changed = !win || win.window_id !== w.window_id;
	win = w;
	if (serverTime)
		skew = serverTime - Date.now();
	if (changed) {
		marked = (!!w.my_status && w.my_status !== "A") ||
		    presentIn.has(w.session_id);
		$("otp-input").value = "";
		$("spotted").hidden = true;
		$("result").hidden = true;
		setTries(w.wrong ? 1 : 2);
	}
	$("banner-what").textContent = `${w.course_id} ${w.course_name}, ` +
	    t("student.period", { n: w.period_no }) + (w.round > 1 ?
	    `, ${t("live.round", { n: w.round })}` : "");
	$("banner").hidden = false;
	$("idle").hidden = true;
	$("otp-form").hidden = marked;
	showGeo(!!w.geofence);
	if (changed && !marked)
		$("otp-input").focus();
	clearInterval(timer);
	tick();
	timer = setInterval(tick, 250);
}

function hide() {
	win = null;
	clearInterval(timer);
	$("banner").hidden = true;
	$("idle").hidden = false;
}

function tick() {
	if (!win)
		return;
	const left = win.expires_at - (Date.now() + skew);
	$("s-countdown").textContent = left > 0 ?
	    t("live.seconds_left", { n: Math.ceil(left / 1000) }) :
	    t("student.time_up");
	if (left < -3000) {
		/* the close event may be late; the server decides */
		clearInterval(timer);
		loadOpen();
	}
}

function setTries(n) {
	const box = $("tries");
	/* the one place the wrong-code message is shown */
	box.textContent = n >= 2 ? t("student.tries_two") :
	    n === 1 ? t("student.tries_one") : t("student.tries_none");
	box.setAttribute("aria-live", "polite");
	box.className = "tries" + (n === 1 ? " warn" : n <= 0 ? " bad" : "");
	$("otp-form").hidden = n <= 0 || marked;
}

function result(kind, title, text) {
	const r = $("result");
	r.textContent = "";
	r.className = "result " + kind;
	r.append(el("h2", {}, title), text ? el("p", {}, text) : null);
	r.hidden = false;
}

/* A window missed: what happened and what to do next. */
function missed(title, what) {
	result("bad", title, `${what} ${t("student.missed_next")}`);
}

async function loadOpen() {
	try {
		const { open } = await api("/attendance/open");
		if (!open.length) {
			if (win && !marked)
				missed(t("student.closed"),
				    t("student.closed_note"));
			hide();
			loadHistory();
			return;
		}
		if (open[0].my_status === "P" || open[0].my_status === "R")
			presentIn.add(open[0].session_id);
		show(open[0], open[0].server_time);
		if (marked)
			result(open[0].my_status === "R" ? "warn" : "ok",
			    open[0].my_status === "R" ? t("student.flagged_short") :
			    t("student.present"), t("student.nothing_more"));
	} catch (e) {
		showError(e, t("student.open_windows"));
	}
}

/* ---------- submitting ---------- */

function viaSocket(body) {
	return new Promise((resolve) => {
		if (!socket || !socket.send({ type: "submit", ...body })) {
			resolve(null);
			return;
		}
		const wait = setTimeout(() => { waiter = null; resolve(null); },
		    4000);
		waiter = (m) => { clearTimeout(wait); waiter = null;
			resolve(m); };
	});
}

async function viaHttp(body) {
	try {
		const r = await api("/attendance/submit", { body });
		return { status_code: 200, ...r };
	} catch (e) {
		if (e.status === 0)
			throw e;
		return { status_code: e.status, ...(e.body || {}),
		    error: { code: e.code, message: e.message } };
	}
}

function answer(m) {
	const code = m.error && m.error.code;
	if (m.status_code === 200) {
		marked = true;
		if (win)
			presentIn.add(win.session_id);
		$("otp-form").hidden = true;
		if (m.status === "R" || m.flagged)
			result("warn", t("student.flagged"),
			    t("student.flagged_note"));
		else
			result("ok", t("student.present"),
			    m.already_marked ? t("student.already") :
			    t("student.thanks"));
		loadHistory();
		return;
	}
	switch (code) {
	case "wrong_otp":
		/* said once, by the tries line under the input */
		$("result").hidden = true;
		setTries(m.tries_left || 0);
		$("otp-input").value = "";
		$("otp-input").focus();
		break;
	case "no_tries_left":
		marked = true;
		setTries(0);
		missed(t("state.no_tries_left"), t("student.twice_wrong"));
		break;
	case "position_required":
		showGeo(true);
		result("warn", t("student.geo_needed"),
		    t("student.geo_needed_note"));
		break;
	case "uv_required":
		presenceRequired();
		result("bad", t("student.not_recorded"), m.error.message);
		break;
	case "window_closed":
	case "no_window":
		missed(t("student.too_late"), t("student.too_late_note"));
		hide();
		break;
	default:
		result("bad", t("student.not_recorded"), (m.error &&
		    m.error.message) || t("student.try_again"));
	}
}

/* The consent box; absent from a page cached before it existed. */
function showGeo(on) {
	if ($("geo-row"))
		$("geo-row").hidden = !on;
}

/*
 * The device's position for a geofenced window, with the student's
 * consent (the box, remembered on this device); null without it or when
 * the browser cannot tell within a few seconds: the server then applies
 * the class's policy for a missing position.
 */
function position() {
	if (!win || !win.geofence || !$("geo-consent") ||
	    !$("geo-consent").checked ||
	    !navigator.geolocation)
		return Promise.resolve(null);
	locating = true;
	return new Promise((resolve) => {
		navigator.geolocation.getCurrentPosition((p) => resolve({
		    lat: p.coords.latitude, lon: p.coords.longitude,
		    accuracy: Math.max(p.coords.accuracy, 1) }),
		() => resolve(null),
		{ enableHighAccuracy: true, timeout: 5000,
		    maximumAge: 30000 });
	}).finally(() => { locating = false; });
}

async function submit(ev) {
	ev.preventDefault();
	const input = $("otp-input");
	const otp = input.value.trim();
	if (!/^[0-9]{4}$/.test(otp)) {
		result("warn", t("student.four_digits"),
		    t("student.four_digits_note"));
		input.focus();
		return;
	}
	if (!win)
		return;
	const btn = $("otp-submit");
	btn.disabled = true;
	const body = { session_id: win.session_id, otp };
	try {
		const pos = await position();
		if (pos)
			body.position = pos;
		/* a class that asks for the screen lock: the phone's
		 * fingerprint, face or PIN first (presence.js) */
		const uv = await presenceFor(win.session_id);
		if (uv)
			body.uv = uv;
		answer((await viaSocket(body)) || (await viaHttp(body)));
	} catch (e) {
		showError(e, t("student.submit"));
	} finally {
		btn.disabled = false;
	}
}

/* ---------- "spotted by the system" ---------- */

/* Leaving the page (blur, hidden, or both at once) is one event. */
function leftPage(detail) {
	if (away || locating)
		return;
	away = true;
	report("focus_lost", detail);
}

function backOnPage() {
	away = false;
}

function report(type, detail) {
	if (!win || marked)
		return;
	const now = Date.now();
	if (lastSent[type] && now - lastSent[type] < 2000)
		return;
	lastSent[type] = now;
	$("spotted").hidden = false;
	const msg = { type, session_id: win.session_id, detail };
	if (!socket || !socket.send(msg))
		api("/attendance/telemetry", { body: msg, keepalive: true })
		    .catch(() => {});
}

/* ---------- history ---------- */

/* The bar of a meter.  Its width goes through the CSSOM: the page's CSP
 * (no 'unsafe-inline' styles) refuses a style="" attribute. */
function meterBar(percent) {
	const bar = el("span");
	bar.style.width = `${percent}%`;
	return bar;
}

/* Subjects in a stable order: by course code, then name. */
function sortedSubjects(list) {
	return [...list].sort((a, b) =>
	    String(a.course_id).localeCompare(String(b.course_id)) ||
	    String(a.course_name).localeCompare(String(b.course_name)));
}

/* One subject; one with no session held yet has no percentage. */
function subjectItem(x, threshold) {
	const title = el("strong", {}, `${x.course_id} ${x.course_name}`);
	if (!x.held || x.percent === null)
		return el("li.none", { "data-course": x.course_id },
		    el("div.row.between", {}, title,
			el("span.pct.muted", {}, t("student.no_classes_yet"))));
	return el(x.at_risk ? "li.risk" : "li", { "data-course": x.course_id },
	    el("div.row.between", {}, title,
		el("span.pct", {}, pct(x.percent))),
	    el("div.meter", { role: "img",
		"aria-label": `${x.course_id}: ${pct(x.percent)}` },
		meterBar(x.percent)),
	    el("p.muted.small", {},
		t("student.counts", { present: x.present, absent: x.absent,
		    flagged: x.flagged, held: x.held }) +
		(x.at_risk ? ` \u2013 ${t("student.below",
		    { threshold: pct(threshold) })}` : "")));
}

/* The history from the API, or offline the last one this phone saw. */
async function loadHistory() {
	let s;
	try {
		s = await api("/attendance/student-summary");
		saveHistory(s);
		showOffline(false);
	} catch (e) {
		const last = lastHistory();
		if (!last || (e.status && e.status < 500))
			return showError(e, t("student.history"));
		s = last.summary;
		showOffline(true, last.saved_at);
	}
	renderHistory(s);
}

function renderHistory(s) {
	try {
		const sub = $("subjects");
		sub.textContent = "";
		if (!s.subjects.length) {
			sub.append(el("p.muted", {}, t("student.no_classes")));
		} else {
			const ul = el("ul.plain.subjects");
			for (const x of sortedSubjects(s.subjects))
				ul.append(subjectItem(x, s.threshold));
			sub.append(ul);
		}
		const days = $("days");
		days.textContent = "";
		const ol = el("ol.plain.days");
		for (const d of [...s.days].reverse().slice(0, 60))
			ol.append(el(`li.day.m-${d.status}`, {},
			    el("span.date", {}, fmtDay(d.date)),
			    el("span", {}, `${t("dash.period_short",
				{ n: d.period_no })} ${d.course_id}`),
			    el("span.mark", {}, t({ P: "state.present",
				A: "state.absent", R: "state.flagged",
				E: "state.excused" }[d.status] ||
				"state.not_marked")),
			    d.remark ? el("span.muted", {}, d.remark) : null));
		days.append(s.days.length ? ol :
		    el("p.muted", {}, t("common.nothing_yet")));
	} catch (e) {
		showError(e, t("student.history"));
	}
}

/* ---------- socket ---------- */

function onEvent(m) {
	switch (m.type) {
	case "attendance.started":
		show({ session_id: m.session_id, window_id: m.window_id,
		    round: m.round, expires_at: m.expires_at,
		    course_id: m.course_id, course_name: m.course_name,
		    period_no: m.period_no, my_status: null, wrong: 0 }, null);
		/* exact server time, and whether we are already marked */
		loadOpen();
		break;
	case "attendance.closed":
		if (win && m.session_id === win.session_id) {
			if (!marked)
				missed(t("student.closed"),
				    t("student.closed_note"));
			hide();
			loadHistory();
		}
		break;
	case "submit.result":
		if (waiter)
			waiter(m);
		break;
	}
}

function onSocketState(st) {
	showConn(st);
	/* whatever started while the socket was away (or connecting) */
	if (st === "open")
		loadOpen();
}

function main() {
	if (!me)
		return;
	showWho(me.user ? `${me.user.name} (${me.user.roll_no})` : "");
	$("otp-form").addEventListener("submit", submit);
	if ($("geo-consent")) {
		$("geo-consent").checked =
		    localStorage.getItem(GEO_KEY) === "1";
		$("geo-consent").addEventListener("change", (ev) =>
		    localStorage.setItem(GEO_KEY, ev.target.checked ? "1" :
			"0"));
	}
	$("otp-input").addEventListener("input", (ev) => {
		ev.target.value = ev.target.value.replace(/[^0-9]/g, "")
		    .slice(0, 4);
	});
	document.addEventListener("visibilitychange", () => {
		if (document.visibilityState === "hidden")
			leftPage("visibilitychange");
		else
			backOnPage();
	});
	window.addEventListener("blur", () => leftPage("window blur"));
	window.addEventListener("focus", backOnPage);
	document.addEventListener("copy", () => report("copy", "copy"));
	socket = new LiveSocket({ onEvent, onState: onSocketState });
	socket.connect();
	startPwa();
	startPresence();
	loadOpen();
	loadHistory();
	initLeaveApply();
}

main();
