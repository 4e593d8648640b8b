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
 * fires together count once, until the student is back.
 */
import { api, el, showError } from "./api.js";
import { $, showConn, showWho, startPage } from "./page.js";
import { lastHistory, saveHistory, showOffline, startPwa } from "./pwa.js";
import { LiveSocket } from "./ws.js";
import { initLeaveApply } from "./leaveapply.js";

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

/* What to do after a missed window: the teacher can still mark by hand. */
const MISSED_NEXT = "Ask your teacher: they can mark you present by hand.";

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
	    `period ${w.period_no}` + (w.round > 1 ? `, round ${w.round}` : "");
	$("banner").hidden = false;
	$("idle").hidden = true;
	$("otp-form").hidden = marked;
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
	    `${Math.ceil(left / 1000)} s left` : "Time is up";
	if (left < -3000) {
		/* the close event may be late; the server decides */
		clearInterval(timer);
		loadOpen();
	}
}

function setTries(n) {
	const t = $("tries");
	/* the one place the wrong-code message is shown */
	t.textContent = n >= 2 ? "You have 2 tries." :
	    n === 1 ? "Wrong code: one try left. Check the code on the board." :
	    "No tries left for this round.";
	t.setAttribute("aria-live", "polite");
	t.className = "tries" + (n === 1 ? " warn" : n <= 0 ? " bad" : "");
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
	result("bad", title, what + " " + MISSED_NEXT);
}

async function loadOpen() {
	try {
		const { open } = await api("/attendance/open");
		if (!open.length) {
			if (win && !marked)
				missed("The window closed",
				    "You were not marked present in time.");
			hide();
			loadHistory();
			return;
		}
		if (open[0].my_status === "P" || open[0].my_status === "R")
			presentIn.add(open[0].session_id);
		show(open[0], open[0].server_time);
		if (marked)
			result(open[0].my_status === "R" ? "warn" : "ok",
			    open[0].my_status === "R" ? "Recorded, flagged" :
			    "You are marked present",
			    "Nothing more to do for this window.");
	} catch (e) {
		showError(e, "Open windows");
	}
}

/* ---------- submitting ---------- */

function viaSocket(body) {
	return new Promise((resolve) => {
		if (!socket || !socket.send({ type: "submit", ...body })) {
			resolve(null);
			return;
		}
		const t = setTimeout(() => { waiter = null; resolve(null); },
		    4000);
		waiter = (m) => { clearTimeout(t); waiter = null; resolve(m); };
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
			result("warn", "Recorded, but flagged",
			    "You left the page during the window, so your " +
			    "teacher will review this mark.");
		else
			result("ok", "You are marked present",
			    m.already_marked ? "You were already marked." :
			    "Thank you. You can close this page.");
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
		missed("No tries left", "You entered a wrong code twice.");
		break;
	case "window_closed":
	case "no_window":
		missed("Too late", "The attendance window has closed.");
		hide();
		break;
	default:
		result("bad", "Not recorded", (m.error && m.error.message) ||
		    "Something went wrong; try again.");
	}
}

async function submit(ev) {
	ev.preventDefault();
	const input = $("otp-input");
	const otp = input.value.trim();
	if (!/^[0-9]{4}$/.test(otp)) {
		result("warn", "Four digits, please",
		    "The code on the board has four digits.");
		input.focus();
		return;
	}
	if (!win)
		return;
	const btn = $("otp-submit");
	btn.disabled = true;
	const body = { session_id: win.session_id, otp };
	try {
		answer((await viaSocket(body)) || (await viaHttp(body)));
	} catch (e) {
		showError(e, "Submit");
	} finally {
		btn.disabled = false;
	}
}

/* ---------- "spotted by the system" ---------- */

/* Leaving the page (blur, hidden, or both at once) is one event. */
function leftPage(detail) {
	if (away)
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
function meterBar(pct) {
	const bar = el("span");
	bar.style.width = `${pct}%`;
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
			el("span.pct.muted", {}, "no classes yet")));
	return el(x.at_risk ? "li.risk" : "li", { "data-course": x.course_id },
	    el("div.row.between", {}, title,
		el("span.pct", {}, x.percent + "%")),
	    el("div.meter", { role: "img",
		"aria-label": `${x.course_id}: ${x.percent}%` },
		meterBar(x.percent)),
	    el("p.muted.small", {},
		`${x.present} present, ${x.absent} absent, ` +
		`${x.flagged} flagged of ${x.held}` +
		(x.at_risk ? ` \u2013 below ${threshold}%` : "")));
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
			return showError(e, "History");
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
			sub.append(el("p.muted", {}, "No classes held yet."));
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
			    el("span.date", {}, d.date),
			    el("span", {}, `P${d.period_no} ${d.course_id}`),
			    el("span.mark", {}, { P: "Present", A: "Absent",
				R: "Flagged", E: "Excused (leave)" }[d.status] ||
				d.status),
			    d.remark ? el("span.muted", {}, d.remark) : null));
		days.append(s.days.length ? ol :
		    el("p.muted", {}, "Nothing yet."));
	} catch (e) {
		showError(e, "History");
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
				missed("The window closed",
				    "You were not marked present in time.");
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
	loadOpen();
	loadHistory();
	initLeaveApply();
}

main();
