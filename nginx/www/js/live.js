/*
 * live.js - the teacher's live attendance screen (laptop or projector).
 *
 * The OTP, its QR code, a countdown corrected for clock skew, and the
 * roster filled by WebSocket events; close now, a second round for the
 * missing, and marking a student by hand.  The session being shown lives
 * in the URL hash (#session=<id>&period=<id>), so a reload or a dropped
 * network rebuilds the screen from GET /attendance/live-status and the
 * socket resumes from the last event id (ws.js), missing nothing.  Events
 * that arrive while the picture loads are buffered and applied after it.
 * Leaving the screen calls the onHide callback of initLive() (teacher.js:
 * back to the dashboard's timetable).
 */
import { api, el, showError } from "./api.js";
import { $ } from "./page.js";

const STATES = {
	pending: "Waiting",
	present: "Present",
	wrong_once: "Wrong once",
	no_tries_left: "No tries left",
	flagged: "Flagged",
	absent: "Absent",
	not_marked: "Not marked",
};
const FROM_STATUS = { P: "present", R: "flagged", A: "absent",
	wrong_once: "wrong_once", no_tries_left: "no_tries_left" };

/* The live screen's state. */
const live = {
	sid: null,		/* session shown, or null on the dashboard */
	period: null,		/* its period (for a second round) */
	students: new Map(),	/* email -> {roll_no, name, state, evidence} */
	window: null,		/* {otp, expires_at, open, round} */
	skew: 0,		/* server clock - our clock, ms */
	loading: false,
	buffered: [],
	loadedAt: 0,		/* server time of the picture, ms */
	timer: null,
	closeCheck: null,
};
let onHide = () => {};

/* The session on the screen, or null on the dashboard. */
export function liveSession() {
	return live.sid;
}

function setHash() {
	const h = live.sid ? `#session=${live.sid}` +
	    (live.period ? `&period=${live.period}` : "") : "";
	history.replaceState(null, "", location.pathname + h);
}

export async function showLive(sid, period) {
	live.sid = Number(sid);
	live.period = period ? Number(period) : null;
	setHash();
	$("main").hidden = true;
	$("live").hidden = false;
	await reloadLive();
	$("close-now").focus();
}

function hideLive() {
	live.sid = null;
	live.window = null;
	clearInterval(live.timer);
	clearTimeout(live.closeCheck);
	clearTimeout(live.rotateTimer);
	setHash();
	if (document.fullscreenElement)
		document.exitFullscreen().catch(() => {});
	$("live").hidden = true;
	$("main").hidden = false;
	onHide();
}

/* Rebuilds the whole screen from the server's picture. */
export async function reloadLive() {
	if (!live.sid)
		return;
	live.loading = true;
	live.buffered = [];
	const sid = live.sid;
	try {
		const st = await api(`/attendance/live-status?session_id=${sid}`);
		if (live.sid !== sid)
			return;
		const s = st.session;
		$("live-title").textContent = `${s.course_id} ${s.course_name}`;
		$("live-sub").textContent = `Period ${s.period_no}, ${s.date}` +
		    (s.online ? " (online)" : "") +
		    (st.window ? `, round ${st.window.round}` : "");
		live.students.clear();
		for (const x of st.students)
			live.students.set(x.student_email, { roll_no: x.roll_no,
			    name: x.name, state: x.state, evidence: x.evidence || 0,
			    wrong: x.wrong || 0, slow: !!x.slow,
			    delay_ms: x.delay_ms });
		live.window = st.window;
		if (st.window) {
			live.skew = st.window.server_time - Date.now();
			live.loadedAt = st.window.server_time;
		} else {
			live.loadedAt = Date.now() + live.skew;
		}
		renderRoster();
		await renderCode();
	} catch (e) {
		showError(e, "Live status");
		if (e.status === 404 || e.status === 403)
			hideLive();
	} finally {
		live.loading = false;
		const evs = live.buffered;
		live.buffered = [];
		for (const m of evs)
			applyEvent(m);
	}
}

async function renderCode() {
	const w = live.window;
	const open = !!(w && w.open);
	$("otp").textContent = open ? w.otp : "Closed";
	$("otp").classList.toggle("closed", !open);
	$("otp-label").textContent = open ? "Enter this code" :
	    "The window is closed";
	$("close-now").disabled = !open;
	$("round2").disabled = open || !live.period;
	$("qr").textContent = "";
	clearInterval(live.timer);
	clearTimeout(live.closeCheck);
	clearTimeout(live.rotateTimer);
	/* A rotating code: ask for the next one when it changes. */
	if (open && w.rotate_every && w.next_code_ms > 0)
		live.rotateTimer = setTimeout(refreshCode, w.next_code_ms + 50);
	if (!open) {
		$("countdown").textContent = w ? `Round ${w.round} ended.` :
		    "No window yet.";
		return;
	}
	tick();
	live.timer = setInterval(tick, 250);
	try {
		const svgText = await api(`/attendance/qr?session_id=${live.sid}`,
		    { as: "text" });
		const doc = new DOMParser().parseFromString(svgText,
		    "image/svg+xml");
		const node = doc.documentElement;
		if (node && node.nodeName.toLowerCase() === "svg") {
			node.querySelectorAll("script").forEach((n) => n.remove());
			node.setAttribute("aria-hidden", "true");
			$("qr").append(document.importNode(node, true));
		}
	} catch (e) {
		if (e.code !== "no_open_window")
			showError(e, "QR code");
	}
}

/* The code of the moment, for a window whose code rotates. */
async function refreshCode() {
	const sid = live.sid;
	if (!sid || live.loading)
		return;
	try {
		const st = await api(`/attendance/live-status?session_id=${sid}`);
		if (live.sid !== sid || !st.window)
			return;
		live.window = st.window;
		live.skew = st.window.server_time - Date.now();
		await renderCode();
	} catch (e) {
		showError(e, "Live status");
	}
}

function tick() {
	const w = live.window;
	if (!w || !w.open)
		return;
	const left = Math.max(0, w.expires_at - (Date.now() + live.skew));
	const s = Math.ceil(left / 1000);
	$("countdown").textContent = left > 0 ? `${s} s left` :
	    "Time is up \u2013 closing\u2026";
	$("countdown").classList.toggle("urgent", left > 0 && s <= 5);
	if (left <= 0) {
		clearInterval(live.timer);
		/* The relay closes at expiry + grace; if its event is late,
		 * ask the server. */
		live.closeCheck = setTimeout(reloadLive, 4000);
	}
}

function counts() {
	const c = { present: 0, flagged: 0, wrong: 0, pending: 0, absent: 0,
		total: 0 };
	for (const s of live.students.values()) {
		c.total++;
		if (s.state === "present")
			c.present++;
		else if (s.state === "flagged")
			c.flagged++;
		else if (s.state === "absent")
			c.absent++;
		else if (s.state === "wrong_once" || s.state === "no_tries_left")
			c.wrong++;
		else
			c.pending++;
	}
	return c;
}

function renderCounts() {
	const c = counts();
	const ul = $("counts");
	ul.textContent = "";
	for (const [k, label] of [["present", "Present"],
	    ["flagged", "Flagged"], ["wrong", "Wrong code"],
	    ["pending", "Waiting"], ["absent", "Absent"], ["total", "Total"]])
		ul.append(el(`li.count.c-${k}`, { "data-count": k },
		    el("strong", {}, String(c[k])), " ", label));
}

function studentTile(email, s) {
	const label = STATES[s.state] || s.state;
	return el(`li.st.st-${s.state}`, { "data-email": email,
	    "data-state": s.state },
	    el("button", { type: "button",
		"aria-label": `${s.roll_no} ${s.name}: ${label}` +
		    (s.evidence ? `, left the page ${s.evidence} times` : "") +
		    (s.slow ? ", slow \u2013 possibly relayed" : "") +
		    ". Mark by hand.",
		onclick: () => openMark(email) },
		el("span.roll", {}, s.roll_no),
		el("span.name", {}, s.name),
		el("span.state", {}, label),
		s.evidence ? el("span.evidence", { title: "left the page" },
		    `left page \u00d7${s.evidence}`) : null,
		s.slow ? el("span.evidence.slow", { title:
		    `${Math.round(s.delay_ms / 1000)} s after the code was ` +
		    "shown: far slower than the class" },
		    "slow \u2013 possibly relayed") : null));
}

function renderRoster() {
	const ol = $("roster");
	ol.textContent = "";
	const list = [...live.students.entries()].sort((a, b) =>
	    a[1].roll_no.localeCompare(b[1].roll_no, undefined,
		{ numeric: true }));
	for (const [email, s] of list)
		ol.append(studentTile(email, s));
	renderCounts();
}

function updateStudent(email) {
	const s = live.students.get(email);
	const old = $("roster").querySelector(`li[data-email="${CSS.escape(
	    email)}"]`);
	if (!s || !old) {
		renderRoster();
		return;
	}
	old.replaceWith(studentTile(email, s));
	renderCounts();
}

export function applyEvent(m) {
	if (!live.sid || m.session_id !== live.sid)
		return;
	if (live.loading) {
		live.buffered.push(m);
		return;
	}
	switch (m.type) {
	case "attendance.submission": {
		const s = live.students.get(m.student_email);
		const st = FROM_STATUS[m.status];
		if (!s || !st) {
			reloadLive();
			return;
		}
		s.state = st;
		updateStudent(m.student_email);
		break;
	}
	case "attendance.evidence": {
		const s = live.students.get(m.student_email);
		/* already counted in the picture we loaded */
		if (!s || m.at <= live.loadedAt)
			return;
		s.evidence++;
		updateStudent(m.student_email);
		break;
	}
	case "attendance.opened":
		if (!live.window || !live.window.open ||
		    m.window_id !== live.window.window_id)
			reloadLive();
		break;
	case "attendance.closed":
		if (live.window && live.window.open)
			reloadLive();
		break;
	}
}


async function closeNow() {
	$("close-now").disabled = true;
	try {
		await api("/attendance/close", { body: { session_id: live.sid } });
	} catch (e) {
		showError(e, "Close");
	}
	reloadLive();
}

async function secondRound() {
	if (!live.period)
		return;
	$("round2").disabled = true;
	try {
		await api("/attendance/initiate",
		    { body: { period_id: live.period } });
	} catch (e) {
		showError(e, "Second round");
	}
	reloadLive();
}

let marking = null;

function openMark(email) {
	const s = live.students.get(email);
	if (!s)
		return;
	marking = email;
	$("mark-who").textContent = `${s.roll_no} ${s.name}`;
	$("mark-reason").value = "";
	$("mark-dialog").showModal();
	$("mark-reason").focus();
}

async function saveMark(ev) {
	ev.preventDefault();
	const reason = $("mark-reason").value.trim();
	if (!reason) {
		$("mark-reason").focus();
		return;
	}
	const status = new FormData($("mark-form")).get("status");
	try {
		await api("/attendance/manual-mark", { body: { session_id: live.sid,
		    student_email: marking, status, reason } });
		const s = live.students.get(marking);
		if (s) {
			s.state = FROM_STATUS[status];
			updateStudent(marking);
		}
		$("mark-dialog").close();
	} catch (e) {
		showError(e, "Manual mark");
	}
}

export function fromHash() {
	const q = new URLSearchParams(location.hash.slice(1));
	const sid = Number(q.get("session"));
	return sid > 0 ? { sid, period: Number(q.get("period")) || null } :
	    null;
}

/* Wires the live screen's controls; onHide runs when it is left. */
export function initLive(opts) {
	onHide = opts.onHide;
	$("close-now").addEventListener("click", closeNow);
	$("round2").addEventListener("click", secondRound);
	$("back").addEventListener("click", hideLive);
	$("fullscreen").addEventListener("click", () => {
		$("live").requestFullscreen().catch((e) =>
		    showError(e, "Full screen"));
	});
	$("mark-form").addEventListener("submit", saveMark);
	$("mark-cancel").addEventListener("click", () =>
	    $("mark-dialog").close());
}
