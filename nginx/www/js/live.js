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
 *
 * The code and its QR are drawn by one renderCode() at a time: the socket's
 * attendance.opened and a click on "second round" may both reload, and
 * only the latest drawing may put its QR on the screen.  Errors show on
 * the screen itself (#live-error), not under it, and a dropped socket says
 * so (#live-offline).  "Code only" hides the roster from the class (the
 * projector mode), remembered per browser.
 */
import { api, el, errorText } from "./api.js";
import { fmtDay, num, t } from "./i18n.js";
import { $ } from "./page.js";

const STATES = ["pending", "present", "wrong_once", "no_tries_left",
	"flagged", "absent", "not_marked"];
const stateText = (st) => STATES.includes(st) ? t("state." + st) : st;
const CODE_ONLY = "ehazira.codeOnly";
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
	drawing: 0,		/* generation of the latest renderCode() */
	announced: null,	/* window whose end was announced */
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
	$("live-error").hidden = true;
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
		$("live-sub").textContent = t("live.sub", { period: s.period_no,
		    date: fmtDay(s.date, true) }) +
		    (s.online ? ` ${t("live.online")}` : "") +
		    (st.window ? `, ${t("live.round", { n: st.window.round })}` :
			"");
		live.students.clear();
		for (const x of st.students)
			live.students.set(x.student_email, { roll_no: x.roll_no,
			    name: x.name, state: x.state, evidence: x.evidence || 0,
			    wrong: x.wrong || 0, slow: !!x.slow,
			    delay_ms: x.delay_ms, geo: x.geo_distance_m });
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
		liveError(e, t("live.status"));
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

/* An error on the live screen itself (it covers the page's toast). */
export function liveError(e, where) {
	const box = $("live-error");
	box.textContent = "";
	box.append(el("p", {}, `${where}: ${errorText(e)} `,
	    el("button", { type: "button", class: "link",
		onclick: () => { box.hidden = true; } }, t("common.dismiss"))));
	box.hidden = false;
}

/* The socket's state on the live screen: offline is said, not guessed. */
export function liveConn(state) {
	$("live-offline").hidden = state !== "closed" && navigator.onLine;
}

/* Announced once per round, not per submission (a status line). */
function announceEnd(w) {
	if (!w || live.announced === w.window_id)
		return;
	live.announced = w.window_id;
	const c = counts();
	$("counts-status").textContent = t("live.round_ended_counts", {
	    n: w.round, present: c.present, absent: c.absent,
	    flagged: c.flagged, total: c.total });
}

async function renderCode() {
	const w = live.window;
	const open = !!(w && w.open);
	const gen = ++live.drawing;
	$("otp").textContent = open ? w.otp : t("live.closed");
	$("otp").classList.toggle("closed", !open);
	$("otp-label").textContent = open ? t("live.enter_code") :
	    t("live.window_closed");
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
		$("countdown").textContent = w ?
		    t("live.round_ended", { n: w.round }) : t("live.no_window");
		announceEnd(w);
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
		/* a later drawing (or none) owns the screen now */
		if (gen !== live.drawing)
			return;
		if (node && node.nodeName.toLowerCase() === "svg") {
			node.querySelectorAll("script").forEach((n) => n.remove());
			node.setAttribute("aria-hidden", "true");
			$("qr").replaceChildren(document.importNode(node, true));
		}
	} catch (e) {
		if (e.code !== "no_open_window" && gen === live.drawing)
			liveError(e, t("live.qr"));
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
		liveError(e, t("live.status"));
	}
}

function tick() {
	const w = live.window;
	if (!w || !w.open)
		return;
	const left = Math.max(0, w.expires_at - (Date.now() + live.skew));
	const s = Math.ceil(left / 1000);
	$("countdown").textContent = left > 0 ? t("live.seconds_left",
	    { n: s }) : t("live.time_up");
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
	for (const [k, key] of [["present", "state.present"],
	    ["flagged", "state.flagged"], ["wrong", "live.count_wrong"],
	    ["pending", "state.pending"], ["absent", "state.absent"],
	    ["total", "live.count_total"]])
		ul.append(el(`li.count.c-${k}`, { "data-count": k },
		    el("strong", { "data-n": c[k] }, num(c[k])), " ", t(key)));
}

/* A roster tile: its accessible name is its visible text (axe's
 * label-content-name-mismatch), with "mark by hand" added for readers. */
function studentTile(email, s) {
	const label = stateText(s.state);
	return el(`li.st.st-${s.state}`, { "data-email": email,
	    "data-state": s.state },
	    el("button", { type: "button", onclick: () => openMark(email) },
		el("span.roll", {}, s.roll_no),
		el("span.name", {}, s.name),
		el("span.state", {}, label),
		s.evidence ? el("span.evidence", {},
		    t("live.left_page", { n: s.evidence })) : null,
		s.slow ? el("span.evidence.slow", { title: t("live.slow_title",
		    { n: Math.round(s.delay_ms / 1000) }) },
		    t("live.slow")) : null,
		/* the geofence's evidence: shown when it flagged the mark */
		s.geo !== undefined && s.geo !== null && s.state === "flagged" ?
		    el("span.evidence.geo", {}, t("live.geo_away",
			{ n: num(s.geo) })) : null,
		el("span.sr", {}, ` \u2013 ${t("live.mark_by_hand")}`)));
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
	/* several submissions of one batch come as one message */
	if (m.type === "attendance.submissions") {
		for (const e of Array.isArray(m.items) ? m.items : [])
			applyEvent(e);
		return;
	}
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
		if (m.geo_distance_m !== undefined)
			s.geo = m.geo_distance_m;
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
		$("live-error").hidden = true;
	} catch (e) {
		liveError(e, t("live.close_failed"));
		$("close-now").disabled = false;	/* to retry */
		return;
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
		liveError(e, t("live.round2_failed"));
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
		liveError(e, t("live.mark_failed"));
	}
}

export function fromHash() {
	const q = new URLSearchParams(location.hash.slice(1));
	const sid = Number(q.get("session"));
	return sid > 0 ? { sid, period: Number(q.get("period")) || null } :
	    null;
}

/* The projector mode: the code alone, no names or states for the class. */
function codeOnly(on) {
	$("live").classList.toggle("code-only", on);
	$("code-only").setAttribute("aria-pressed", on ? "true" : "false");
	localStorage.setItem(CODE_ONLY, on ? "1" : "0");
}

/* Wires the live screen's controls; onHide runs when it is left. */
export function initLive(opts) {
	onHide = opts.onHide;
	$("close-now").addEventListener("click", closeNow);
	$("round2").addEventListener("click", secondRound);
	$("back").addEventListener("click", hideLive);
	$("fullscreen").addEventListener("click", () => {
		$("live").requestFullscreen().catch((e) =>
		    liveError(e, t("live.fullscreen")));
	});
	$("code-only").addEventListener("click", () =>
	    codeOnly(!$("live").classList.contains("code-only")));
	codeOnly(localStorage.getItem(CODE_ONLY) === "1");
	window.addEventListener("online", () => liveConn("online"));
	window.addEventListener("offline", () => liveConn("closed"));
	$("mark-form").addEventListener("submit", saveMark);
	$("mark-cancel").addEventListener("click", () =>
	    $("mark-dialog").close());
}
