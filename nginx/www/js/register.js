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
import { $ } from "./page.js";

let openLive = async () => {};
let settings = null;
let day = "";
let sheetSid = null;

/* "YYYY-MM-DD" plus n days (calendar arithmetic, no time zones). */
function addDays(d, n) {
	const t = new Date(d + "T12:00:00Z");
	t.setUTCDate(t.getUTCDate() + n);
	return t.toISOString().slice(0, 10);
}

function weekday(d) {
	return new Date(d + "T12:00:00Z").toLocaleDateString(undefined,
	    { weekday: "long", day: "numeric", month: "long", year: "numeric",
		timeZone: "UTC" });
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
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
	s.append(`${where} failed: ${err.message || err}`);
	if (retry)
		s.append(" ", el("button", { type: "button", id: "reg-retry",
		    onclick: () => { s.textContent = ""; retry(); } }, "Retry"));
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
		return ["cancelled", "Cancelled"];
	if (off.holiday.has(p.class.class_id))
		return ["holiday", "Holiday"];
	if (p.open)
		return ["open", "Open"];
	if (p.session_id)
		return ["taken", "Taken"];
	return ["", ""];
}

function periodActions(p, off, state) {
	const b = [];
	if (state === "cancelled") {
		const id = off.cancelled.get(p.period_id);
		b.push(el("button", { type: "button", class: "quiet",
		    onclick: () => act("Restoring the class", async () => {
			await api(`/holidays/${id}`, { method: "DELETE" });
			say("The class is back on the timetable.");
			await showDay(day);
		    }) }, "Restore class"));
		return b;
	}
	if (state === "holiday")
		return b;
	if (p.session_id)
		b.push(el("button", { type: "button", class: "primary",
		    onclick: () => showSheet(p.session_id) }, "Register"));
	if (p.open)
		b.push(el("button", { type: "button",
		    onclick: () => openLive(p.session_id, p.period_id) },
		    "Live view"));
	else
		b.push(el("button", { type: "button",
		    class: p.session_id ? "quiet" : "primary",
		    onclick: () => take(p.period_id) },
		    p.session_id ? "Another round" : "Take attendance"));
	if (!p.session_id)
		b.push(el("button", { type: "button", class: "quiet",
		    onclick: () => cancelPeriod(p.period_id) }, "Cancel class"));
	return b;
}

function dayTable(t, off) {
	const tbody = el("tbody");
	for (const p of t.periods) {
		const [state, label] = periodState(p, off);
		tbody.append(el("tr", { "data-period": p.period_id,
		    "data-state": state },
		    el("td", {}, `P${p.period_no}`),
		    el("th", { scope: "row" }, `${p.course_id} ${p.course_name}`),
		    el("td", {}, className(p.class)),
		    el("td", {}, label ? el("span.badge", {}, label) : ""),
		    el("td", { class: "actions" },
			...periodActions(p, off, state))));
	}
	return el("table.table", {},
	    el("thead", {}, el("tr", {},
		el("th", { scope: "col" }, "Period"),
		el("th", { scope: "col" }, "Subject"),
		el("th", { scope: "col" }, "Class"),
		el("th", { scope: "col" }, "State"),
		el("th", { scope: "col" }, el("span.sr", {}, "Actions")))),
	    tbody);
}

/* A holiday button per class of the day (a class the teacher teaches). */
function holidayButtons(t, off) {
	const seen = new Map();
	for (const p of t.periods)
		if (!off.holiday.has(p.class.class_id))
			seen.set(p.class.class_id, p.class);
	return [...seen.values()].map((c) => el("button", { type: "button",
	    class: "quiet", onclick: () => classHoliday(c.class_id) },
	    `Holiday for ${className(c)}`));
}

async function showDay(d) {
	day = d;
	$("reg-date").value = d;
	$("reg-weekday").textContent = weekday(d);
	const box = $("reg-day");
	const [t, h, taken] = await Promise.all([
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
		for (const p of t.periods)
			off.holiday.add(p.class.class_id);
	box.textContent = "";
	if (all)
		box.append(el("p.banner", {}, `Holiday: ${all.reason || d}`));
	if (!t.periods.length)
		box.append(el("p", {}, "No periods on this day's timetable."));
	else
		box.append(dayTable(t, off), el("div.row", {},
		    ...holidayButtons(t, off)));
	const extra = extraTable(t, taken.sessions);
	if (extra)
		box.append(extra);
}

/* Sessions of the day whose period is not on its timetable. */
function extraTable(t, sessions) {
	const regular = new Set(t.periods.map((p) => p.period_id));
	const rows = sessions.filter((s) => !regular.has(s.period_id));
	if (!rows.length)
		return null;
	return el("table.table", { id: "reg-extra-sessions" },
	    el("caption", {}, "Extra classes taken this day"),
	    el("tbody", {}, ...rows.map((s) => el("tr",
		{ "data-session": s.session_id },
		el("td", {}, `P${s.period_no}`),
		el("th", { scope: "row" }, s.course_id),
		el("td", {}, `${s.batch}/${s.semester}/${s.section}`),
		el("td", {}, el("span.badge", {}, "Extra")),
		el("td", { class: "actions" },
		    el("button", { type: "button", class: "primary",
			onclick: () => showSheet(s.session_id) }, "Register"),
		    s.open ? el("button", { type: "button",
			onclick: () => openLive(s.session_id, s.period_id) },
			"Live view") : null)))));
}

function goDay(d) {
	return act("Loading the day", () => showDay(d));
}

/* --- actions of the day -------------------------------------------- */

function ttl() {
	const v = parseInt($("reg-ttl").value, 10);
	return Number.isFinite(v) ? v : undefined;
}

function take(periodId) {
	return act("Taking attendance", async () => {
		const w = await api("/attendance/initiate", { body: {
		    period_id: periodId, date: day, ttl: ttl(),
		    online: $("reg-online").checked } });
		say(`Attendance open for ${w.course_id} on ${w.date}.`);
		/* back from the live screen, its register is shown */
		sheetSid = w.session_id;
		await openLive(w.session_id, periodId);
	});
}

function cancelPeriod(periodId) {
	return act("Cancelling the class", async () => {
		await api("/holidays", { body: { date: day,
		    period_id: periodId, reason: reason() } });
		say("The class is cancelled on this day.");
		await showDay(day);
	});
}

function classHoliday(classId) {
	return act("Declaring the holiday", async () => {
		await api("/holidays", { body: { date: day, class_id: classId,
		    reason: reason() } });
		say("Holiday recorded.");
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

const STATUS = { P: "Present", A: "Absent", R: "Flagged" };

function remarkCell(sid, s) {
	const td = el("td", { class: "remark" }, s.remark || "");
	if (!s.status)
		return td;
	const edit = el("button", { type: "button", class: "link",
	    "aria-label": `Remark for ${s.name}`, onclick: () => {
		const input = el("input", { type: "text", maxlength: 500,
		    "aria-label": `Remark for ${s.name}`,
		    value: s.remark || "" });
		const save = el("button", { type: "button", class: "primary",
		    onclick: () => act("Saving the remark", async () => {
			await api("/attendance/remark", { body: {
			    session_id: sid, student_email: s.student_email,
			    remark: input.value.trim() } });
			say("Remark saved.");
			await showSheet(sid);
		    }) }, "Save remark");
		td.textContent = "";
		td.append(input, " ", save);
		input.focus();
	    } }, "Remark");
	td.append(" ", edit);
	return td;
}

async function showSheet(sid) {
	const box = $("reg-sheet");
	const ls = await act("Loading the register", () =>
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
		    el("td", {}, s.status ? STATUS[s.status] : "not marked"),
		    remarkCell(sid, s)));
	box.textContent = "";
	box.append(el("h3", { id: "reg-sheet-h" },
	    `${se.course_id} P${se.period_no} \u2013 ${weekday(se.date)}`),
	    el("table.table", { "aria-labelledby": "reg-sheet-h" },
		el("thead", {}, el("tr", {},
		    el("th", { scope: "col" }, "Roll"),
		    el("th", { scope: "col" }, "Name"),
		    el("th", { scope: "col" }, "Mark"),
		    el("th", { scope: "col" }, "Remark"))), tbody),
	    markAllForm(sid, ls));
}

function markAllForm(sid, ls) {
	const open = ls.window && ls.window.open;
	const why = el("input", { type: "text", id: "reg-markall-reason",
	    maxlength: 500, required: true });
	const go = (status) => act("Marking the rest", async () => {
		if (!why.value.trim()) {
			why.focus();
			throw new Error("give a reason first");
		}
		const r = await api("/attendance/mark-all", { body: {
		    session_id: sid, status, reason: why.value.trim() } });
		say(`${r.marked} student(s) marked ` +
		    `${status === "P" ? "present" : "absent"}.`);
		await showSheet(sid);
	});
	return el("div.row", {},
	    el("label", { for: "reg-markall-reason" },
		"Reason for marking all remaining", why),
	    el("button", { type: "button", disabled: open,
		onclick: () => go("P") }, "Mark all remaining present"),
	    el("button", { type: "button", disabled: open,
		onclick: () => go("A") }, "Mark all remaining absent"));
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
	const decide = (how) => act("Deciding the leave", async () => {
		await api(`/leave/${l.leave_id}/${how}`, { body: {} });
		say(`Leave ${how === "approve" ? "approved" : "rejected"}.`);
		await loadLeave();
	});
	return el("tr", { "data-leave": l.leave_id, "data-state": l.state },
	    el("td", {}, l.roll_no),
	    el("th", { scope: "row" }, l.name),
	    el("td", {}, l.kind),
	    el("td", {}, l.from === l.to ? l.from : `${l.from} \u2013 ${l.to}`),
	    el("td", {}, l.reason),
	    el("td", {}, l.state),
	    el("td", { class: "actions" }, ...(l.state === "PENDING" ? [
		el("button", { type: "button", class: "primary",
		    onclick: () => decide("approve") }, "Approve"),
		el("button", { type: "button", class: "quiet",
		    onclick: () => decide("reject") }, "Reject")] : [])));
}

async function loadLeave() {
	const r = await api("/leave");
	const box = $("leave-list");
	box.textContent = "";
	if (!r.leave.length) {
		box.append(el("p", {}, "No leave recorded."));
		return;
	}
	box.append(el("table.table", {},
	    el("thead", {}, el("tr", {},
		...["Roll", "Name", "Kind", "Days", "Reason", "State"].map(
		    (h) => el("th", { scope: "col" }, h)),
		el("th", { scope: "col" }, el("span.sr", {}, "Actions")))),
	    el("tbody", {}, ...r.leave.map(leaveRow))));
}

function saveLeave(ev) {
	ev.preventDefault();
	act("Recording the leave", async () => {
		await api("/leave", { body: {
		    student_email: $("leave-student").value,
		    kind: $("leave-kind").value,
		    from: $("leave-from").value, to: $("leave-to").value,
		    reason: $("leave-reason").value.trim() } });
		say("Leave recorded.");
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
		    `(${DAYS[p.day_of_week - 1]} P${p.period_no})`));
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
	    () => act("Loading the students", loadStudents));
	try {
		settings = await api("/register/settings");
	} catch (e) {
		showError(e, "Register");
		return;
	}
	fillChoices(settings);
	await goDay(settings.today);
	await act("Loading the students", loadStudents);
	await act("Loading leave", loadLeave);
}

/* After the live screen: the day's states and an open sheet changed. */
export function refreshRegister() {
	if (!day)
		return;
	goDay(day);
	if (sheetSid)
		showSheet(sheetSid);
}
