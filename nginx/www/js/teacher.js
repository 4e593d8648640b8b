/*
 * teacher.js - the teacher's dashboard and live attendance screen.
 *
 * Dashboard: today's periods (GET /timetable) with "Start attendance",
 * pending device approvals, and the class report with its charts and the
 * Excel export.  Live screen: the OTP, its QR code, a countdown corrected
 * for clock skew, and the roster filled by WebSocket events.  The session
 * being shown lives in the URL hash (#session=<id>&period=<id>), so a
 * reload or a dropped network rebuilds the screen from
 * GET /attendance/live-status and the socket resumes from the last event
 * id (ws.js), missing nothing.
 */
import { api, el, onSignedOut, showError, showInfo } from "./api.js";
import { requireRole, signOut } from "./auth.js";
import { percentBars, weeklyTrend } from "./charts.js";
import { LiveSocket } from "./ws.js";

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

const $ = (id) => document.getElementById(id);
const me = requireRole("teacher");

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
let socket = null;
let periods = [];

/* ---------- dashboard ---------- */

async function loadTimetable() {
	const box = $("periods");
	try {
		const t = await api("/timetable");
		periods = t.periods;
		$("today-date").textContent = t.date;
		box.textContent = "";
		if (!t.periods.length) {
			box.append(el("p", {}, "No classes today."));
			return;
		}
		const tbody = el("tbody");
		for (const p of t.periods) {
			const cls = p.class ? `${p.class.batch}/${p.class.semester}/` +
			    p.class.section : "";
			const action = p.open ?
			    el("button", { type: "button", class: "primary",
				onclick: () => showLive(p.session_id, p.period_id) },
				"Open live view") :
			    el("button", { type: "button", class: "primary",
				"data-period": p.period_id,
				onclick: (ev) => start(p.period_id, ev.target) },
				p.session_id ? "Start another round" :
				"Start attendance");
			const view = p.session_id && !p.open ?
			    el("button", { type: "button", class: "quiet",
				onclick: () => showLive(p.session_id, p.period_id) },
				"View register") : null;
			tbody.append(el("tr", {},
			    el("td", {}, `P${p.period_no}`),
			    el("td", {}, `${p.start_time}\u2013${p.end_time}`),
			    el("th", { scope: "row" },
				`${p.course_id} ${p.course_name}`),
			    el("td", {}, cls),
			    el("td", {}, p.open ? el("span.badge.open", {}, "open") :
				p.session_id ? el("span.badge", {}, "taken") : ""),
			    el("td", { class: "actions" }, action, view)));
		}
		box.textContent = "";
		box.append(el("table.table", {},
		    el("thead", {}, el("tr", {},
			el("th", { scope: "col" }, "Period"),
			el("th", { scope: "col" }, "Time"),
			el("th", { scope: "col" }, "Subject"),
			el("th", { scope: "col" }, "Class"),
			el("th", { scope: "col" }, "State"),
			el("th", { scope: "col" }, el("span.sr", {}, "Actions")))),
		    tbody));
	} catch (e) {
		box.textContent = "";
		showError(e, "Timetable");
	}
}

async function start(periodId, btn) {
	if (btn)
		btn.disabled = true;
	try {
		const w = await api("/attendance/initiate",
		    { body: { period_id: periodId } });
		await showLive(w.session_id, periodId);
	} catch (e) {
		showError(e, "Could not start attendance");
	} finally {
		if (btn)
			btn.disabled = false;
	}
}

/* Shared phones and unverified iPhones say so: approving them matters. */
function whyPending(d) {
	if (d.reason === "shared_device" && d.shared_with)
		return el("strong.warn", {}, " This phone is the active device " +
		    `of ${d.shared_with.roll_no} ${d.shared_with.name}; ` +
		    "approving moves it to this student.");
	if (d.reason === "ios_unattested")
		return el("span.muted", {}, " iPhone: not verified by Apple.");
	return "";
}

async function loadPending() {
	const box = $("pending");
	try {
		const { devices } = await api("/devices/pending");
		box.textContent = "";
		if (!devices.length) {
			box.append(el("p.muted", {}, "No devices waiting."));
			return;
		}
		const ul = el("ul.plain");
		for (const d of devices) {
			const li = el("li.device", {},
			    el("span", {}, `${d.roll_no} ${d.name} `,
				el("span.muted", {}, `${d.platform}, ` +
				    `${d.integrity_level || "?"}, asked ` +
				    `${(d.requested_at || "").replace("T", " ")
					.slice(0, 16)}`),
				whyPending(d)),
			    el("button", { type: "button", class: "primary",
				onclick: () => decide(d, "approve") }, "Approve"),
			    el("button", { type: "button",
				onclick: () => decide(d, "reject") }, "Reject"));
			ul.append(li);
		}
		box.append(ul);
	} catch (e) {
		box.textContent = "";
		showError(e, "Device approvals");
	}
}

async function decide(d, what) {
	try {
		await api(`/devices/${d.device_id}/${what}`, { method: "POST" });
		showInfo(`${d.name}'s device: ${what === "approve" ?
		    "approved" : "rejected"}.`);
	} catch (e) {
		showError(e, "Device");
	}
	loadPending();
}

async function loadSubjects() {
	const sel = $("rep-subject");
	try {
		const p = await api("/me");
		$("who").textContent = p.name;
		sel.textContent = "";
		for (const s of p.subjects || [])
			sel.append(el("option", { value: s.subject_id },
			    `${s.course_id} ${s.course_name} \u2013 ` +
			    `${s.batch}/${s.semester}/${s.section}`));
	} catch (e) {
		showError(e, "Profile");
	}
}

function reportQuery(format) {
	const q = new URLSearchParams({ subject_id: $("rep-subject").value });
	if ($("rep-from").value)
		q.set("from", $("rep-from").value);
	if ($("rep-to").value)
		q.set("to", $("rep-to").value);
	if (format)
		q.set("format", format);
	return "/attendance/class-summary?" + q;
}

async function showReport(ev) {
	ev.preventDefault();
	const out = $("report-out");
	out.textContent = "Loading\u2026";
	try {
		const r = await api(reportQuery());
		out.textContent = "";
		const t = r.totals;
		out.append(el("p", {},
		    `${r.subject.course_id} ${r.subject.course_name}, ` +
		    `${r.from} to ${r.to}: ${t.sessions_held} ` +
		    `session${t.sessions_held === 1 ? "" : "s"} held, ` +
		    `overall ${t.percent === null ? "-" : t.percent + "%"}, ` +
		    `${t.at_risk} at risk (below ${r.threshold}%).`));
		if (!r.students.length)
			return;
		out.append(el("h3", {}, "Attendance per student"),
		    el("div.chart-box", {}, percentBars(r.students, r.threshold,
			"Attendance percentage per student")));
		out.append(el("h3", {}, "Weekly trend"),
		    r.weekly.length ? el("div.chart-box", {},
			weeklyTrend(r.weekly, "Attendance per week")) :
			el("p.muted", {}, "No weeks with marks yet."));
		const tbody = el("tbody");
		for (const s of r.students)
			tbody.append(el(s.at_risk ? "tr.risk" : "tr", {},
			    el("td", {}, s.roll_no),
			    el("th", { scope: "row" }, s.name),
			    el("td", {}, String(s.held)),
			    el("td", {}, String(s.present)),
			    el("td", {}, String(s.absent)),
			    el("td", {}, String(s.flagged)),
			    el("td", {}, s.percent === null ? "-" : s.percent + "%"),
			    el("td", {}, s.at_risk ? "at risk" : "")));
		out.append(el("h3", {}, "Register"), el("table.table", {},
		    el("thead", {}, el("tr", {}, ...["Roll", "Name", "Held",
			"Present", "Absent", "Flagged", "%", ""].map((h) =>
			el("th", { scope: "col" }, h)))), tbody));
	} catch (e) {
		out.textContent = "";
		showError(e, "Report");
	}
}

async function exportXlsx() {
	if (!$("rep-subject").value)
		return;
	const btn = $("rep-export");
	btn.disabled = true;
	try {
		const res = await api(reportQuery("xlsx"), { as: "response" });
		const blob = await res.blob();
		const cd = res.headers.get("Content-Disposition") || "";
		const m = /filename="?([^";]+)"?/.exec(cd);
		const a = el("a", { href: URL.createObjectURL(blob),
		    download: m ? m[1] : "attendance.xlsx" });
		document.body.append(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(a.href), 10000);
	} catch (e) {
		showError(e, "Export");
	} finally {
		btn.disabled = false;
	}
}

/* ---------- live screen ---------- */

function setHash() {
	const h = live.sid ? `#session=${live.sid}` +
	    (live.period ? `&period=${live.period}` : "") : "";
	history.replaceState(null, "", location.pathname + h);
}

async function showLive(sid, period) {
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
	setHash();
	if (document.fullscreenElement)
		document.exitFullscreen().catch(() => {});
	$("live").hidden = true;
	$("main").hidden = false;
	loadTimetable();
}

/* Rebuilds the whole screen from the server's picture. */
async function reloadLive() {
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
			    wrong: x.wrong || 0 });
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
		    ". Mark by hand.",
		onclick: () => openMark(email) },
		el("span.roll", {}, s.roll_no),
		el("span.name", {}, s.name),
		el("span.state", {}, label),
		s.evidence ? el("span.evidence", { title: "left the page" },
		    `left page \u00d7${s.evidence}`) : null));
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

function applyEvent(m) {
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

function onEvent(m) {
	if (m.type === "attendance.opened" && !live.sid)
		loadTimetable();
	applyEvent(m);
}

function onSocketState(st) {
	const c = $("conn");
	c.textContent = st === "open" ? "live" : "reconnecting\u2026";
	c.className = "conn " + st;
	/* (back) online: what the replay buffer cannot cover comes from here */
	if (st === "open")
		reloadLive();
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

function fromHash() {
	const q = new URLSearchParams(location.hash.slice(1));
	const sid = Number(q.get("session"));
	return sid > 0 ? { sid, period: Number(q.get("period")) || null } :
	    null;
}

function main() {
	if (!me)
		return;
	onSignedOut(() => location.replace("index.html#signed-out"));
	$("who").textContent = me.user ? me.user.name : "";
	$("signout").addEventListener("click", () => {
		if (socket)
			socket.close();
		signOut();
	});
	$("report-form").addEventListener("submit", showReport);
	$("rep-export").addEventListener("click", exportXlsx);
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
	socket = new LiveSocket({ onEvent, onState: onSocketState,
	    storeKey: "ehazira.teacher.lastEventId" });
	socket.connect();
	loadSubjects();
	loadPending();
	const h = fromHash();
	if (h)
		showLive(h.sid, h.period);
	else
		loadTimetable();
	window.addEventListener("hashchange", () => {
		const x = fromHash();
		if (x && x.sid !== live.sid)
			showLive(x.sid, x.period);
	});
}

main();
