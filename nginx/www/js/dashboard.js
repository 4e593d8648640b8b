/*
 * dashboard.js - the teacher's dashboard.
 *
 * Today's periods (GET /timetable) with "Start attendance", pending device
 * approvals, and the class report with its charts and the Excel export.
 * Starting a period, or opening one that is running or taken, hands over
 * to the live screen through the openLive callback of initDashboard():
 * teacher.js joins the two screens, so neither imports the other.
 */
import { api, el, showError, showInfo } from "./api.js";
import { percentBars, weeklyTrend } from "./charts.js";
import { $ } from "./page.js";

/* (sid, period) -> Promise: show the live screen of a session. */
let openLive = async () => {};

export async function loadTimetable() {
	const box = $("periods");
	try {
		const t = await api("/timetable");
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
				onclick: () => openLive(p.session_id, p.period_id) },
				"Open live view") :
			    el("button", { type: "button", class: "primary",
				"data-period": p.period_id,
				onclick: (ev) => start(p.period_id, ev.target) },
				p.session_id ? "Start another round" :
				"Start attendance");
			const view = p.session_id && !p.open ?
			    el("button", { type: "button", class: "quiet",
				onclick: () => openLive(p.session_id, p.period_id) },
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
		await openLive(w.session_id, periodId);
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

export async function loadPending() {
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

export async function loadSubjects() {
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

/* Wires the dashboard's controls; openLive shows a session's live screen. */
export function initDashboard(opts) {
	openLive = opts.openLive;
	$("report-form").addEventListener("submit", showReport);
	$("rep-export").addEventListener("click", exportXlsx);
}
