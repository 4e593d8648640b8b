/*
 * substitute.js - substitutes on the teacher's page: another teacher takes
 * one of the caller's periods on a date (POST /substitutes); the list of
 * those that concern the caller (GET /substitutes: the ones they take and
 * the ones they assigned or whose subject they teach), each removable by
 * who may assign it.  The substitute finds the period on their timetable
 * (dashboard.js marks it) and starts it there like their own.
 */
import { api, el, showError, showInfo } from "./api.js";
import { fmtDay, parseDay, t } from "./i18n.js";
import { $ } from "./page.js";

let me = "";
/* the caller's periods (GET /register/settings) */
let periods = [];
const className = (c) => c ? `${c.batch}/${c.semester}/${c.section}` : "";

/* The caller's periods on the weekday of the date in the form. */
function fillPeriods() {
	const sel = $("sub-period");
	const d = $("sub-date").value;
	const dow = d ? (parseDay(d).getDay() + 6) % 7 + 1 : 0;
	const mine = periods.filter((p) => p.day_of_week === dow);
	sel.textContent = "";
	for (const p of mine)
		sel.append(el("option", { value: String(p.period_id) },
		    `${t("dash.period_short", { n: p.period_no })} ` +
		    `${p.course_id} ${className(p.class)}`));
	$("sub-none").hidden = mine.length > 0 || !d;
	$("sub-save").disabled = mine.length === 0;
}

function subRow(s) {
	const mine = s.teacher_email === me;
	const removable = s.regular_teacher === me || s.assigned_by === me;
	return el("tr", { "data-substitute": s.substitute_id },
	    el("td", {}, fmtDay(s.date, true)),
	    el("td", {}, t("dash.period_short", { n: s.period_no })),
	    el("th", { scope: "row" }, `${s.course_id} ${s.class}`),
	    el("td", {}, mine ? t("sub.you") : s.teacher || s.teacher_email),
	    el("td", {}, s.reason || ""),
	    el("td", { class: "actions" }, removable ? el("button",
		{ type: "button", onclick: (ev) => remove(s, ev.currentTarget) },
		t("sub.remove")) : null));
}

export async function loadSubstitutes() {
	const box = $("sub-list");
	try {
		const r = await api("/substitutes");
		box.textContent = "";
		if (!r.substitutes.length) {
			box.append(el("p.muted", {}, t("sub.none")));
			return;
		}
		box.append(el("table.table", {},
		    el("caption", { class: "sr" }, t("sub.list")),
		    el("thead", {}, el("tr", {},
			el("th", { scope: "col" }, t("sub.col_date")),
			el("th", { scope: "col" }, t("dash.col_period")),
			el("th", { scope: "col" }, t("dash.col_subject")),
			el("th", { scope: "col" }, t("sub.col_teacher")),
			el("th", { scope: "col" }, t("sub.col_reason")),
			el("th", { scope: "col" },
			    el("span.sr", {}, t("dash.col_actions"))))),
		    el("tbody", {}, ...r.substitutes.map(subRow))));
	} catch (e) {
		showError(e, t("sub.title"));
	}
}

async function remove(s, btn) {
	btn.disabled = true;
	try {
		await api(`/substitutes/${s.substitute_id}`,
		    { method: "DELETE" });
		showInfo(t("sub.removed"));
		await loadSubstitutes();
	} catch (e) {
		btn.disabled = false;
		showError(e, t("sub.remove"));
	}
}

async function assign(ev) {
	ev.preventDefault();
	const btn = $("sub-save");
	btn.disabled = true;
	try {
		const body = { period_id: Number($("sub-period").value),
			date: $("sub-date").value,
			teacher_email: $("sub-teacher").value.trim() };
		if ($("sub-reason").value.trim())
			body.reason = $("sub-reason").value.trim();
		await api("/substitutes", { body });
		showInfo(t("sub.assigned"));
		$("sub-teacher").value = "";
		$("sub-reason").value = "";
		await loadSubstitutes();
	} catch (e) {
		showError(e, t("sub.failed"));
	} finally {
		btn.disabled = false;
	}
}

/* caller: the signed-in teacher's e-mail; today: "YYYY-MM-DD". */
export async function initSubstitutes(caller, today) {
	me = caller || "";
	$("sub-form").addEventListener("submit", assign);
	$("sub-date").addEventListener("change", fillPeriods);
	$("sub-date").value = today;
	try {
		periods = (await api("/register/settings")).periods || [];
	} catch (e) {
		showError(e, t("sub.title"));
	}
	fillPeriods();
	await loadSubstitutes();
}
