/*
 * dashboard.js - the teacher's dashboard.
 *
 * A day's periods (GET /timetable?date=, today by default; previous/next
 * day and a date picker move between days) with the period running now
 * marked, pending device approvals, and the class report with its charts,
 * the register of each held session, one student's days (a dialog) and
 * the Excel export.  Starting a period, or opening one that is running or
 * taken, hands over to the live screen through the openLive callback of
 * initDashboard(): teacher.js joins the two screens, so neither imports
 * the other.  Every text comes from the catalogue (i18n.js).
 */
import { api, el, showError, showInfo } from "./api.js";
import { percentBars, weeklyTrend } from "./charts.js";
import { fmtDay, fmtMoment, isoDay, num, parseDay, pct, t }
    from "./i18n.js";
import { $ } from "./page.js";

/* (sid, period) -> Promise: show the live screen of a session. */
let openLive = async () => {};
/* The day shown ("YYYY-MM-DD"), null for today. */
let day = null;
/* class_id -> "batch/semester/section" of the teacher's classes (/me). */
const classes = new Map();

/*
 * Minutes to add to the device's clock to read the college's date and
 * time (TIMEZONE): /timetable says both, so a device in another time
 * zone, or with its clock off, still offers Start on the college's today.
 */
let skew = 0;
const collegeNow = () => new Date(Date.now() + skew * 60000);
const today = () => isoDay(collegeNow());
const hhmm = (d) => `${String(d.getHours()).padStart(2, "0")}:` +
    String(d.getMinutes()).padStart(2, "0");

/* The skew that makes the device's clock read date at hm ("HH:MM"). */
function skewTo(date, hm) {
	const d = parseDay(date);
	const [h, m] = String(hm).split(":").map(Number);
	d.setHours(h, m, 0, 0);
	return Math.round((d.getTime() - Date.now()) / 60000);
}

/* Is period p (of the day shown) running now? */
function isNow(p, date) {
	if (date !== today())
		return false;
	const now = hhmm(collegeNow());
	return p.start_time <= now && now < p.end_time;
}

function periodActions(p, date) {
	const view = () => openLive(p.session_id, p.period_id);
	if (p.open)
		return [el("button", { type: "button", class: "primary",
		    onclick: view }, t("dash.open_live"))];
	const acts = [];
	/* a taken period: its register first, another round second */
	if (p.session_id)
		acts.push(el("button", { type: "button", class: "primary",
		    onclick: view }, t("dash.view_register")));
	if (date === today())
		acts.push(el("button", { type: "button",
		    class: p.session_id || !isNow(p, date) ? "" : "primary",
		    "data-period": p.period_id,
		    onclick: (ev) => start(p.period_id, ev.currentTarget) },
		    p.session_id ? t("dash.another_round") : t("dash.start")));
	return acts;
}

function periodRow(p, date) {
	const cls = p.class ? `${p.class.batch}/${p.class.semester}/` +
	    p.class.section : "";
	const now = isNow(p, date);
	const state = p.open ? el("span.badge.open", {}, t("dash.state_open")) :
	    p.session_id ? el("span.badge", {}, t("dash.state_taken")) : "";
	/* another teacher takes it that day (substitute.js) */
	const sub = !p.substitute ? null : el("span.badge.sub", {},
	    p.substitute.me ? t("sub.you_take", { teacher: p.teacher }) :
		t("sub.taken_by", { name: p.substitute.name ||
		    p.substitute.email }));
	return el(now ? "tr.now" : "tr", { "data-period-row": p.period_id,
	    "aria-current": now ? "time" : null },
	    el("td", { "data-label": t("dash.col_period") },
		t("dash.period_short", { n: p.period_no }),
		now ? el("span.badge.now", {}, t("dash.now")) : null),
	    el("td", { "data-label": t("dash.col_time") },
		`${p.start_time}\u2013${p.end_time}`),
	    el("th", { scope: "row" }, `${p.course_id} ${p.course_name}`),
	    el("td", { "data-label": t("dash.col_class") }, cls),
	    el("td", { "data-label": t("dash.col_state") }, state,
		sub ? " " : null, sub),
	    el("td", { class: "actions" }, ...periodActions(p, date)));
}

export async function loadTimetable() {
	const box = $("periods");
	try {
		const tt = await api("/timetable" +
		    (day ? `?date=${encodeURIComponent(day)}` : ""));
		if (tt.today && tt.now)
			skew = skewTo(tt.today, tt.now);
		const date = day || today();
		$("today-date").textContent = fmtDay(tt.date, true);
		$("day-pick").value = tt.date;
		box.textContent = "";
		if (!tt.periods.length) {
			box.append(el("p", {}, date === today() ?
			    t("dash.no_classes_today") : t("dash.no_classes")));
			return;
		}
		const tbody = el("tbody");
		for (const p of tt.periods)
			tbody.append(periodRow(p, tt.date));
		box.append(el("table.table.tt", {},
		    el("thead", {}, el("tr", {},
			el("th", { scope: "col" }, t("dash.col_period")),
			el("th", { scope: "col" }, t("dash.col_time")),
			el("th", { scope: "col" }, t("dash.col_subject")),
			el("th", { scope: "col" }, t("dash.col_class")),
			el("th", { scope: "col" }, t("dash.col_state")),
			el("th", { scope: "col" },
			    el("span.sr", {}, t("dash.col_actions"))))),
		    tbody));
	} catch (e) {
		box.textContent = "";
		showError(e, t("dash.timetable"));
	}
}

function moveDay(delta) {
	const d = parseDay(day || today());
	d.setDate(d.getDate() + delta);
	goDay(isoDay(d));
}

function goDay(iso) {
	day = !iso || iso === today() ? null : iso;
	loadTimetable();
}

async function start(periodId, btn) {
	if (btn)
		btn.disabled = true;
	try {
		const w = await api("/attendance/initiate",
		    { body: { period_id: periodId } });
		await openLive(w.session_id, periodId);
	} catch (e) {
		showError(e, t("dash.start_failed"));
	} finally {
		if (btn)
			btn.disabled = false;
	}
}

/* A device platform and integrity level in words. */
function deviceWords(d) {
	const plat = t("dev.platform." + String(d.platform || "").toLowerCase());
	const lvl = t("dev.level." + String(d.integrity_level || "none")
	    .toLowerCase());
	return `${plat.startsWith("dev.") ? d.platform : plat}, ` +
	    (lvl.startsWith("dev.") ? d.integrity_level : lvl);
}

/* Shared phones and unverified iPhones say so: approving them matters. */
function whyPending(d) {
	if (d.reason === "shared_device" && d.shared_with)
		return el("strong.warn", {}, " " + t("dev.shared", {
		    who: `${d.shared_with.roll_no} ${d.shared_with.name}` }));
	if (d.reason === "ios_unattested")
		return el("span.muted", {}, " " + t("dev.ios_unattested"));
	return "";
}

export async function loadPending() {
	const box = $("pending");
	try {
		const { devices } = await api("/devices/pending");
		box.textContent = "";
		if (!devices.length) {
			box.append(el("p.muted", {}, t("dev.none")));
			return;
		}
		const ul = el("ul.plain");
		for (const d of devices) {
			const cls = classes.get(d.class_id);
			ul.append(el("li.device", {},
			    el("div.who", {},
				el("strong", {}, `${d.roll_no} ${d.name}`),
				cls ? el("span.muted", {}, ` \u00b7 ${cls}`) : null,
				el("p.muted.small", {}, t("dev.asked", {
				    what: deviceWords(d),
				    when: fmtMoment(d.requested_at) })),
				whyPending(d)),
			    el("button", { type: "button", class: "primary",
				onclick: () => decide(d, "approve") },
				t("dev.approve")),
			    el("button", { type: "button",
				onclick: () => decide(d, "reject") },
				t("dev.reject"))));
		}
		box.append(ul);
	} catch (e) {
		box.textContent = "";
		showError(e, t("dev.title"));
	}
}

async function decide(d, what) {
	try {
		await api(`/devices/${d.device_id}/${what}`, { method: "POST" });
		showInfo(t(what === "approve" ? "dev.approved" : "dev.rejected",
		    { name: d.name }));
	} catch (e) {
		showError(e, t("dev.title"));
	}
	loadPending();
}

export async function loadSubjects() {
	const sel = $("rep-subject");
	try {
		const p = await api("/me");
		$("who").textContent = p.name;
		sel.textContent = "";
		for (const s of p.subjects || []) {
			const cls = `${s.batch}/${s.semester}/${s.section}`;
			if (s.class_id)
				classes.set(s.class_id, cls);
			sel.append(el("option", { value: s.subject_id },
			    `${s.course_id} ${s.course_name} \u2013 ${cls}`));
		}
	} catch (e) {
		showError(e, t("common.profile"));
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

function reportHeadline(r) {
	const tt = r.totals;
	return t("rep.headline", { subject: `${r.subject.course_id} ` +
	    r.subject.course_name, from: fmtDay(r.from), to: fmtDay(r.to),
	    held: t(tt.sessions_held === 1 ? "rep.sessions_one" :
		"rep.sessions_many", { n: tt.sessions_held }),
	    percent: pct(tt.percent), risk: num(tt.at_risk),
	    threshold: pct(r.threshold) });
}

/* The held sessions, each a button to its register (the live screen). */
function sessionList(r) {
	const ul = el("ul.plain.sessions");
	for (const s of r.sessions)
		ul.append(el("li", {}, el("button", { type: "button",
		    class: "quiet", onclick: () => openLive(s.session_id, null) },
		    `${fmtDay(s.date, true)}, ` +
		    t("dash.period_short", { n: s.period_no }))));
	return ul;
}

function studentRows(r) {
	const tbody = el("tbody");
	for (const s of r.students)
		tbody.append(el(s.at_risk ? "tr.risk" : "tr", {},
		    el("td", {}, s.roll_no),
		    el("th", { scope: "row" }, el("button", { type: "button",
			class: "link", onclick: () => showStudent(r, s) },
			s.name)),
		    el("td", {}, num(s.held)),
		    el("td", {}, num(s.present)),
		    el("td", {}, num(s.absent)),
		    el("td", {}, num(s.flagged)),
		    el("td", {}, pct(s.percent)),
		    el("td", {}, s.at_risk ? t("rep.at_risk") : "")));
	return el("table.table", {}, el("thead", {}, el("tr", {},
	    ...["rep.col_roll", "rep.col_name", "rep.col_held",
		"state.present", "state.absent", "state.flagged", "rep.col_pct",
		"rep.col_risk"].map((k) => el("th", { scope: "col" }, t(k))))),
	    tbody);
}

async function showReport(ev) {
	ev.preventDefault();
	const out = $("report-out");
	out.textContent = t("common.loading");
	try {
		const r = await api(reportQuery());
		out.textContent = "";
		/* the fields show the range in use (the server's default) */
		$("rep-from").value = r.from;
		$("rep-to").value = r.to;
		out.append(el("p", {}, reportHeadline(r)),
		    el("p.muted.small", {}, t("rep.risk_rule",
			{ threshold: pct(r.threshold), min: 3 })));
		$("report-status").textContent = reportHeadline(r);
		if (!r.students.length)
			return;
		out.append(el("h3", {}, t("rep.per_student")),
		    el("div.chart-box", {}, percentBars(r.students, r.threshold,
			t("rep.per_student"))));
		out.append(el("h3", {}, t("rep.weekly")),
		    r.weekly.length ? el("div.chart-box", {},
			weeklyTrend(r.weekly, t("rep.weekly"))) :
			el("p.muted", {}, t("rep.no_weeks")));
		out.append(el("h3", {}, t("rep.sessions")), r.sessions.length ?
		    sessionList(r) : el("p.muted", {}, t("rep.no_sessions")));
		out.append(el("h3", {}, t("rep.register")),
		    el("div.chart-box", {}, studentRows(r)));
	} catch (e) {
		out.textContent = "";
		showError(e, t("rep.title"));
	}
}

/* One student's days in the subject (GET /attendance/student-summary). */
async function showStudent(r, s) {
	const dlg = $("student-dialog");
	const out = $("student-out");
	$("student-h").textContent = `${s.roll_no} ${s.name}`;
	out.textContent = t("common.loading");
	dlg.showModal();
	try {
		const q = new URLSearchParams({ student_email: s.email,
		    subject_id: r.subject.subject_id, from: r.from, to: r.to });
		const x = await api("/attendance/student-summary?" + q);
		out.textContent = "";
		out.append(el("p", {}, t("rep.student_line", {
		    present: num(s.present), absent: num(s.absent),
		    flagged: num(s.flagged), held: num(s.held),
		    percent: pct(s.percent) })));
		const ol = el("ol.plain.days");
		for (const d of [...x.days].reverse())
			ol.append(el(`li.day.m-${d.status}`, {},
			    el("span.date", {}, fmtDay(d.date, true)),
			    el("span", {}, t("dash.period_short",
				{ n: d.period_no })),
			    el("span.mark", {}, t({ P: "state.present",
				A: "state.absent", R: "state.flagged" }[d.status] ||
				"state.not_marked"))));
		out.append(x.days.length ? ol : el("p.muted", {},
		    t("common.nothing_yet")));
	} catch (e) {
		out.textContent = "";
		dlg.close();
		showError(e, t("rep.title"));
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
		showError(e, t("rep.export"));
	} finally {
		btn.disabled = false;
	}
}

/* Wires the dashboard's controls; openLive shows a session's live screen. */
export function initDashboard(opts) {
	openLive = opts.openLive;
	$("report-form").addEventListener("submit", showReport);
	$("rep-export").addEventListener("click", exportXlsx);
	$("day-prev").addEventListener("click", () => moveDay(-1));
	$("day-next").addEventListener("click", () => moveDay(1));
	$("day-today").addEventListener("click", () => goDay(null));
	$("day-pick").addEventListener("change", (ev) =>
	    goDay(ev.target.value));
	$("student-close").addEventListener("click", () =>
	    $("student-dialog").close());
}
