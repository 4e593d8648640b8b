/*
 * register.js - the register a teacher keeps beyond the live screen.
 *
 * A day at a time (a calendar and previous / next day): that day's periods
 * with their state (taken, open, holiday, cancelled), "Take attendance" on
 * any day back to BACKDATE_DAYS with a chosen window length and an online
 * flag, an extra class on the day from any of the teacher's periods,
 * cancelling a period or declaring a class's holiday; the register of a
 * taken session with its remarks and "mark all remaining"; and leave:
 * recording a student's leave and deciding students' applications.
 *
 * Every action that fails (offline, refused) says so in the section's
 * status line with a Retry button; nothing is assumed done until the
 * server answered.  The live screen stays live.js's: taking attendance
 * hands over through the openLive callback of initRegister().
 */
import { api, el, showError } from "./api.js";
import { fmtDay, t } from "./i18n.js";
import { $ } from "./page.js";

let openLive = async () => {};
let settings = null;
let day = "";
let sheetSid = null;

/* "YYYY-MM-DD" plus n days (calendar arithmetic, no time zones). */
function addDays(d, n) {
	const x = new Date(d + "T12:00:00Z");
	x.setUTCDate(x.getUTCDate() + n);
	return x.toISOString().slice(0, 10);
}

function weekday(d) {
	return fmtDay(d, true);
}

/* A weekday's short name (1 = Monday) in the page's language. */
function dayName(dow) {
	return new Intl.DateTimeFormat(document.documentElement.lang || "en",
	    { weekday: "short", timeZone: "UTC" })
	    .format(new Date(Date.UTC(2024, 0, dow)));
}

const KIND = { MEDICAL: "leave.medical", DUTY: "leave.duty",
	OTHER: "leave.other" };
const LSTATE = { PENDING: "reg.pending", APPROVED: "leave.approved",
	REJECTED: "leave.rejected" };
const className = (c) => c ? `${c.batch}/${c.semester}/${c.section}` : "";

/* The status line: a success, or a failure with Retry. */
function say(text) {
	const s = $("reg-status");
	s.textContent = text;
	s.className = "note";
}

function failed(where, err, retry) {
	const s = $("reg-status");
	s.textContent = "";
	s.className = "result bad";
	s.append(t("reg.failed", { where, error: err.message || err }));
	if (retry)
		s.append(" ", el("button", { type: "button", id: "reg-retry",
		    onclick: () => { s.textContent = ""; retry(); } },
		    t("reg.retry")));
}

/* Runs fn; on failure shows where + Retry (which runs it again). */
async function act(where, fn) {
	try {
		return await fn();
	} catch (e) {
		failed(where, e, () => act(where, fn));
		return undefined;
	}
}

function reason() {
	return $("reg-reason").value.trim();
}

/* --- the day ------------------------------------------------------- */

function periodState(p, off) {
	if (off.cancelled.has(p.period_id))
		return ["cancelled", t("reg.cancelled")];
	if (off.holiday.has(p.class.class_id))
		return ["holiday", t("reg.holiday")];
	if (p.open)
		return ["open", t("reg.open")];
	if (p.session_id)
		return ["taken", t("reg.taken")];
	return ["", ""];
}

function periodActions(p, off, state) {
	const b = [];
	if (state === "cancelled") {
		const id = off.cancelled.get(p.period_id);
		b.push(el("button", { type: "button", class: "quiet",
		    onclick: () => act(t("reg.restoring"), async () => {
			await api(`/holidays/${id}`, { method: "DELETE" });
			say(t("reg.restored"));
			await showDay(day);
		    }) }, t("reg.restore")));
		return b;
	}
	if (state === "holiday")
		return b;
	if (p.session_id)
		b.push(el("button", { type: "button", class: "primary",
		    onclick: () => showSheet(p.session_id) },
		    t("rep.register")));
	if (p.open)
		b.push(el("button", { type: "button",
		    onclick: () => openLive(p.session_id, p.period_id) },
		    t("reg.live_view")));
	else
		b.push(el("button", { type: "button",
		    class: p.session_id ? "quiet" : "primary",
		    onclick: () => take(p.period_id) },
		    t(p.session_id ? "reg.another_round" : "reg.take")));
	/* a substitute takes the class; cancelling it is its teacher's */
	if (!p.session_id && !(p.substitute && p.substitute.me))
		b.push(el("button", { type: "button", class: "quiet",
		    onclick: () => cancelPeriod(p.period_id) },
		    t("reg.cancel_class")));
	return b;
}

/* Who took a session, when not the subject's teacher (a substitute). */
function takenBy(p, sessions) {
	const s = sessions.find((x) => x.session_id === p.session_id);
	return s && s.taken_by && s.taken_by !== p.teacher ?
	    el("span.note", {}, " " + t("reg.taken_by", { name: s.taken_by })) :
	    null;
}

function dayTable(tt, off, sessions) {
	const tbody = el("tbody");
	for (const p of tt.periods) {
		const [state, label] = periodState(p, off);
		tbody.append(el("tr", { "data-period": p.period_id,
		    "data-state": state },
		    el("td", {}, t("dash.period_short", { n: p.period_no })),
		    el("th", { scope: "row" }, `${p.course_id} ${p.course_name}`),
		    el("td", {}, className(p.class)),
		    el("td", {}, label ? el("span.badge", {}, label) : "",
			takenBy(p, sessions)),
		    el("td", { class: "actions" },
			...periodActions(p, off, state))));
	}
	return el("table.table", {},
	    el("thead", {}, el("tr", {},
		el("th", { scope: "col" }, t("dash.col_period")),
		el("th", { scope: "col" }, t("dash.col_subject")),
		el("th", { scope: "col" }, t("dash.col_class")),
		el("th", { scope: "col" }, t("dash.col_state")),
		el("th", { scope: "col" }, el("span.sr", {}, t("reg.actions"))))),
	    tbody);
}

/* A holiday button per class of the day (a class the teacher teaches). */
function holidayButtons(tt, off) {
	const seen = new Map();
	for (const p of tt.periods)
		if (!off.holiday.has(p.class.class_id))
			seen.set(p.class.class_id, p.class);
	return [...seen.values()].map((c) => el("button", { type: "button",
	    class: "quiet", onclick: () => classHoliday(c.class_id) },
	    t("reg.holiday_for", { cls: className(c) })));
}

async function showDay(d) {
	day = d;
	$("reg-date").value = d;
	$("reg-weekday").textContent = weekday(d);
	const box = $("reg-day");
	const [tt, h, taken] = await Promise.all([
		api(`/timetable?date=${d}`),
		api(`/holidays?from=${d}&to=${d}`),
		api(`/register/day?date=${d}`)]);
	const off = { holiday: new Set(), cancelled: new Map() };
	let all = null;
	for (const x of h.days) {
		if (x.kind === "CANCELLED")
			off.cancelled.set(x.period_id, x.no_class_id);
		else if (x.class_id === null)
			all = x;
		else
			off.holiday.add(x.class_id);
	}
	if (all)
		for (const p of tt.periods)
			off.holiday.add(p.class.class_id);
	box.textContent = "";
	if (all)
		box.append(el("p.banner", {},
		    t("reg.holiday_banner", { reason: all.reason || fmtDay(d) })));
	if (!tt.periods.length)
		box.append(el("p", {}, t("reg.no_periods")));
	else
		box.append(dayTable(tt, off, taken.sessions), el("div.row", {},
		    ...holidayButtons(tt, off)));
	const extra = extraTable(tt, taken.sessions);
	if (extra)
		box.append(extra);
}

/* Sessions of the day whose period is not on its timetable. */
function extraTable(tt, sessions) {
	const regular = new Set(tt.periods.map((p) => p.period_id));
	const rows = sessions.filter((s) => !regular.has(s.period_id));
	if (!rows.length)
		return null;
	return el("table.table", { id: "reg-extra-sessions" },
	    el("caption", {}, t("reg.extra_taken")),
	    el("tbody", {}, ...rows.map((s) => el("tr",
		{ "data-session": s.session_id },
		el("td", {}, t("dash.period_short", { n: s.period_no })),
		el("th", { scope: "row" }, s.course_id),
		el("td", {}, `${s.batch}/${s.semester}/${s.section}`),
		el("td", {}, el("span.badge", {}, t("reg.extra"))),
		el("td", { class: "actions" },
		    el("button", { type: "button", class: "primary",
			onclick: () => showSheet(s.session_id) },
			    t("rep.register")),
		    s.open ? el("button", { type: "button",
			onclick: () => openLive(s.session_id, s.period_id) },
			t("reg.live_view")) : null)))));
}

function goDay(d) {
	return act(t("reg.loading_day"), () => showDay(d));
}

/* --- actions of the day -------------------------------------------- */

function ttl() {
	const v = parseInt($("reg-ttl").value, 10);
	return Number.isFinite(v) ? v : undefined;
}

function take(periodId) {
	return act(t("reg.taking"), async () => {
		const w = await api("/attendance/initiate", { body: {
		    period_id: periodId, date: day, ttl: ttl(),
		    online: $("reg-online").checked } });
		say(t("reg.opened", { course: w.course_id,
		    date: fmtDay(w.date) }));
		/* back from the live screen, its register is shown */
		sheetSid = w.session_id;
		await openLive(w.session_id, periodId);
	});
}

function cancelPeriod(periodId) {
	return act(t("reg.cancelling"), async () => {
		await api("/holidays", { body: { date: day,
		    period_id: periodId, reason: reason() } });
		say(t("reg.cancelled_done"));
		await showDay(day);
	});
}

function classHoliday(classId) {
	return act(t("reg.declaring"), async () => {
		await api("/holidays", { body: { date: day, class_id: classId,
		    reason: reason() } });
		say(t("reg.holiday_done"));
		await showDay(day);
	});
}

function extraClass(ev) {
	ev.preventDefault();
	const id = parseInt($("reg-extra-period").value, 10);
	if (id)
		take(id);
}

/* --- the register of one session ----------------------------------- */

const STATUS = { P: "state.present", A: "state.absent",
	R: "state.flagged", E: "state.excused" };

function remarkCell(sid, s) {
	const td = el("td", { class: "remark" }, s.remark || "");
	if (!s.status)
		return td;
	const edit = el("button", { type: "button", class: "link",
	    "aria-label": t("reg.remark_for", { name: s.name }), onclick: () => {
		const input = el("input", { type: "text", maxlength: 500,
		    "aria-label": t("reg.remark_for", { name: s.name }),
		    value: s.remark || "" });
		const save = el("button", { type: "button", class: "primary",
		    onclick: () => act(t("reg.saving_remark"), async () => {
			await api("/attendance/remark", { body: {
			    session_id: sid, student_email: s.student_email,
			    remark: input.value.trim() } });
			say(t("reg.remark_saved"));
			await showSheet(sid);
		    }) }, t("reg.save_remark"));
		td.textContent = "";
		td.append(input, " ", save);
		input.focus();
	    } }, t("reg.remark"));
	td.append(" ", edit);
	return td;
}

async function showSheet(sid) {
	const box = $("reg-sheet");
	const ls = await act(t("reg.loading_register"), () =>
	    api(`/attendance/live-status?session_id=${sid}`));
	if (!ls)
		return;
	sheetSid = sid;
	const se = ls.session;
	const tbody = el("tbody");
	for (const s of ls.students)
		tbody.append(el("tr", { "data-email": s.student_email },
		    el("td", {}, s.roll_no),
		    el("th", { scope: "row" }, s.name),
		    el("td", {}, t(STATUS[s.status] || "state.not_marked")),
		    remarkCell(sid, s)));
	box.textContent = "";
	box.append(el("h3", { id: "reg-sheet-h" },
	    `${se.course_id} ${t("dash.period_short", { n: se.period_no })} ` +
	    `\u2013 ${weekday(se.date)}`),
	    el("table.table", { "aria-labelledby": "reg-sheet-h" },
		el("thead", {}, el("tr", {},
		    el("th", { scope: "col" }, t("rep.col_roll")),
		    el("th", { scope: "col" }, t("rep.col_name")),
		    el("th", { scope: "col" }, t("mark.title")),
		    el("th", { scope: "col" }, t("reg.remark")))), tbody),
	    markAllForm(sid, ls));
}

function markAllForm(sid, ls) {
	const open = ls.window && ls.window.open;
	const why = el("input", { type: "text", id: "reg-markall-reason",
	    maxlength: 500, required: true });
	const go = (status) => act(t("reg.marking_rest"), async () => {
		if (!why.value.trim()) {
			why.focus();
			throw new Error(t("reg.reason_first"));
		}
		const r = await api("/attendance/mark-all", { body: {
		    session_id: sid, status, reason: why.value.trim() } });
		say(t(status === "P" ? "reg.marked_present" : "reg.marked_absent",
		    { n: r.marked }));
		await showSheet(sid);
	});
	return el("div.row", {},
	    el("label", { for: "reg-markall-reason" },
		t("reg.markall_reason"), why),
	    el("button", { type: "button", disabled: open,
		onclick: () => go("P") }, t("reg.markall_present")),
	    el("button", { type: "button", disabled: open,
		onclick: () => go("A") }, t("reg.markall_absent")));
}

/* --- leave ---------------------------------------------------------- */

async function loadStudents() {
	const sel = $("leave-student");
	const sub = $("leave-class").value;
	if (!sub)
		return;
	const r = await api(`/attendance/class-summary?subject_id=${sub}`);
	sel.textContent = "";
	for (const s of r.students)
		sel.append(el("option", { value: s.email },
		    `${s.roll_no} ${s.name}`));
}

function leaveRow(l) {
	const decide = (how) => act(t("reg.deciding"), async () => {
		await api(`/leave/${l.leave_id}/${how}`, { body: {} });
		say(t(how === "approve" ? "reg.leave_approved" :
		    "reg.leave_rejected"));
		await loadLeave();
	});
	return el("tr", { "data-leave": l.leave_id, "data-state": l.state },
	    el("td", {}, l.roll_no),
	    el("th", { scope: "row" }, l.name),
	    el("td", {}, KIND[l.kind] ? t(KIND[l.kind]) : l.kind),
	    el("td", {}, l.from === l.to ? fmtDay(l.from) :
		`${fmtDay(l.from)} \u2013 ${fmtDay(l.to)}`),
	    el("td", {}, l.reason),
	    el("td", {}, LSTATE[l.state] ? t(LSTATE[l.state]) : l.state),
	    el("td", { class: "actions" }, ...(l.state === "PENDING" ? [
		el("button", { type: "button", class: "primary",
		    onclick: () => decide("approve") }, t("dev.approve")),
		el("button", { type: "button", class: "quiet",
		    onclick: () => decide("reject") }, t("dev.reject"))] :
		[])));
}

async function loadLeave() {
	const r = await api("/leave");
	const box = $("leave-list");
	box.textContent = "";
	if (!r.leave.length) {
		box.append(el("p", {}, t("reg.no_leave")));
		return;
	}
	box.append(el("table.table", {},
	    el("thead", {}, el("tr", {},
		...["rep.col_roll", "rep.col_name", "leave.kind", "reg.days",
		    "reg.reason", "dash.col_state"].map(
		    (h) => el("th", { scope: "col" }, t(h))),
		el("th", { scope: "col" }, el("span.sr", {}, t("reg.actions"))))),
	    el("tbody", {}, ...r.leave.map(leaveRow))));
}

function saveLeave(ev) {
	ev.preventDefault();
	act(t("reg.recording_leave"), async () => {
		await api("/leave", { body: {
		    student_email: $("leave-student").value,
		    kind: $("leave-kind").value,
		    from: $("leave-from").value, to: $("leave-to").value,
		    reason: $("leave-reason").value.trim() } });
		say(t("reg.leave_recorded"));
		await loadLeave();
	});
}

/* --- start ---------------------------------------------------------- */

function fillChoices(s) {
	const ttlIn = $("reg-ttl");
	ttlIn.min = s.ttl_min;
	ttlIn.max = s.ttl_max;
	ttlIn.value = s.ttl_default;
	$("reg-date").max = s.today;
	$("reg-date").min = addDays(s.today, -s.backdate_days);
	const extra = $("reg-extra-period");
	const cls = $("leave-class");
	const seen = new Set();
	for (const p of s.periods) {
		extra.append(el("option", { value: p.period_id,
		    "data-dow": p.day_of_week },
		    `${p.course_id} ${className(p.class)} ` +
		    `(${dayName(p.day_of_week)} ` +
		    `${t("dash.period_short", { n: p.period_no })})`));
		if (!seen.has(p.class.class_id)) {
			seen.add(p.class.class_id);
			cls.append(el("option", { value: p.subject_id },
			    className(p.class)));
		}
	}
	$("leave-from").value = s.today;
	$("leave-to").value = s.today;
}

export async function initRegister(opts) {
	openLive = opts.openLive || openLive;
	$("reg-prev").addEventListener("click", () => goDay(addDays(day, -1)));
	$("reg-next").addEventListener("click", () => goDay(addDays(day, 1)));
	$("reg-today").addEventListener("click", () => goDay(settings.today));
	$("reg-date").addEventListener("change", (e) => {
		if (e.target.value)
			goDay(e.target.value);
	});
	$("reg-extra").addEventListener("submit", extraClass);
	$("leave-form").addEventListener("submit", saveLeave);
	$("leave-class").addEventListener("change",
	    () => act(t("reg.loading_students"), loadStudents));
	try {
		settings = await api("/register/settings");
	} catch (e) {
		showError(e, t("rep.register"));
		return;
	}
	fillChoices(settings);
	await goDay(settings.today);
	await act(t("reg.loading_students"), loadStudents);
	await act(t("reg.loading_leave"), loadLeave);
}

/* After the live screen: the day's states and an open sheet changed. */
export function refreshRegister() {
	if (!day)
		return;
	goDay(day);
	if (sheetSid)
		showSheet(sheetSid);
}
