/*
 * admin.js - the college dashboard for heads of department and
 * administrators: attendance by department, class, subject or teacher;
 * the weekly trend (charts.js, no CDN); the shortage list with a
 * drill-down to one student's history; periods not marked; devices
 * awaiting approval and blocked accounts; the last imports and cron runs.
 *
 * Every view comes from GET /admin/<view> (aggregated by the server, in
 * the reader's scope: a head sees their department only) and exports as
 * CSV or Excel (the same URL with format=) or prints (admin.css's print
 * stylesheet shows only the chosen section).  Built with DOM calls, never
 * from HTML strings; no inline scripts or styles (CSP).  Every text comes
 * from the catalogue (i18n.js): the columns as admin.col_<name>, numbers,
 * percentages and dates in the page's locale.
 */
import { api, el, showError } from "./api.js";
import { weeklyTrend } from "./charts.js";
import { fmtDay, locale, num, parseDay, pct, t } from "./i18n.js";
import { $, showWho, startPage } from "./page.js";

const me = startPage(["head", "admin"]);
const VIEWS = ["attendance", "trend", "shortage", "not-marked", "accounts",
	"jobs"];
/* Columns shown as numbers (right-aligned). */
const NUMERIC = new Set(["sessions", "marks", "present", "absent", "flagged",
	"percent", "held", "period_no", "subject_id", "ok"]);
/* Columns not worth a column on screen (still in the exports). */
const HIDDEN = new Set(["id", "subject_id", "teacher_email"]);
/* Columns holding a date ("YYYY-MM-DD"), shown in the locale. */
const DATES = new Set(["date", "first_day", "from", "to"]);
/* Marks and sources in words (the exports keep the codes). */
const STATUS = { P: "state.present", A: "state.absent", R: "state.flagged",
	E: "state.excused" };
const SOURCE = { OTP: "admin.src_otp", TIMEOUT: "admin.src_timeout",
	MANUAL: "admin.src_manual" };
const weekdayFmt = new Intl.DateTimeFormat(locale, { weekday: "long" });

function iso(d) {
	return d.toISOString().slice(0, 10);
}

function query(view, format) {
	const p = new URLSearchParams();
	if ($("f-dep").value)
		p.set("department_id", $("f-dep").value);
	if ($("f-from").value)
		p.set("from", $("f-from").value);
	if ($("f-to").value)
		p.set("to", $("f-to").value);
	if (view === "attendance")
		p.set("by", $("f-by").value);
	if (format)
		p.set("format", format);
	return `/admin/${view}?${p}`;
}

async function download(view, format, btn) {
	btn.disabled = true;
	try {
		const res = await api(query(view, format), { as: "response" });
		const blob = await res.blob();
		const cd = res.headers.get("Content-Disposition") || "";
		const m = /filename="?([^";]+)"?/.exec(cd);
		const a = el("a", { href: URL.createObjectURL(blob),
		    download: m ? m[1] : `${view}.${format}` });
		document.body.append(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(a.href), 10000);
	} catch (e) {
		showError(e, t("admin.export"));
	} finally {
		btn.disabled = false;
	}
}

/* Prints one section only (admin.css: body.printing, .print-me). */
function printSection(section) {
	document.body.classList.add("printing");
	section.classList.add("print-me");
	window.addEventListener("afterprint", () => {
		document.body.classList.remove("printing");
		section.classList.remove("print-me");
	}, { once: true });
	window.print();
}

function tools(view, section) {
	return el("div.tools", {},
	    el("button", { type: "button", onclick: (ev) =>
		download(view, "csv", ev.currentTarget) }, t("admin.export_csv")),
	    el("button", { type: "button", onclick: (ev) =>
		download(view, "xlsx", ev.currentTarget) },
		t("admin.export_xlsx")),
	    el("button", { type: "button", onclick: () =>
		printSection(section) }, t("admin.print")));
}

/* A value of a row as shown (row: for the weekday of its date). */
function cell(col, v, row) {
	if (col === "weekday" && row.date)
		return weekdayFmt.format(parseDay(row.date));
	if (v === null || v === undefined)
		return "";
	if (col === "percent")
		return pct(Number(v));
	if (col === "ok")
		return v ? t("admin.ok") : t("admin.failed");
	if (col === "kind" && /^(device_pending|blocked_student|blocked_staff)$/
	    .test(v))
		return t(`admin.kind_${v}`);
	if (col === "status" && STATUS[v])
		return t(STATUS[v]);
	if (col === "source" && SOURCE[v])
		return t(SOURCE[v]);
	if (DATES.has(col))
		return fmtDay(v);
	if (NUMERIC.has(col) && typeof v === "number")
		return num(v);
	return String(v);
}

/* A table of rows; rowHook(tr, row) may add to a row. */
function table(r, rowHook) {
	const cols = r.columns.filter((c) => !HIDDEN.has(c));
	const tbody = el("tbody");
	for (const row of r.rows) {
		const tr = el(row.percent !== undefined && row.percent !== null &&
		    row.percent < r.threshold ? "tr.low" : "tr");
		for (const c of cols)
			tr.append(el(NUMERIC.has(c) ? "td.num" : "td", {},
			    cell(c, row[c], row)));
		if (rowHook)
			rowHook(tr, row);
		tbody.append(tr);
	}
	return el("div.table-wrap", {}, el("table.table", {},
	    el("thead", {}, el("tr", {}, ...cols.map((c) =>
		el(NUMERIC.has(c) ? "th.num" : "th", { scope: "col" },
		    t(`admin.col_${c}`))))), tbody));
}

function shortageRow(tr, row) {
	/* the name opens the drill-down */
	const name = tr.children[1];
	name.textContent = "";
	name.append(el("button.link", { type: "button",
	    onclick: () => drill(row.student_email) }, row.name));
}

async function loadView(view) {
	const section = $("v-" + view);
	const out = section.querySelector(".out");
	out.textContent = t("common.loading");
	try {
		const r = await api(query(view));
		out.textContent = "";
		const when = view === "accounts" || view === "jobs" ?
		    t("admin.now") :
		    t("admin.range", { from: fmtDay(r.from), to: fmtDay(r.to) });
		const n = r.rows.length;
		out.append(tools(view, section),
		    el("p.muted.small", {}, when),
		    el("p.count", {}, t(n === 1 ? "admin.rows_one" :
			"admin.rows", { n })));
		if (view === "trend" && n)
			out.append(el("div.chart-box", {}, weeklyTrend(r.rows,
			    t("admin.chart"))));
		if (n)
			out.append(table(r, view === "shortage" ? shortageRow :
			    null));
		else
			out.append(el("p.muted", {}, t("admin.nothing")));
	} catch (e) {
		out.textContent = "";
		showError(e, section.querySelector("h2").textContent);
	}
}

/* One student's full history: per subject and day by day. */
async function drill(email) {
	const box = $("drill"), out = box.querySelector(".out");
	box.hidden = false;
	out.textContent = t("common.loading");
	const p = new URLSearchParams({ student_email: email });
	if ($("f-from").value)
		p.set("from", $("f-from").value);
	if ($("f-to").value)
		p.set("to", $("f-to").value);
	try {
		const r = await api(`/attendance/student-summary?${p}`);
		out.textContent = "";
		const s = r.student;
		out.append(el("p", {}, t("admin.drill_line", {
			roll: s.roll_no || "", name: s.name || "", email: s.email,
			from: fmtDay(r.from), to: fmtDay(r.to),
			percent: pct(r.totals.percent) })));
		out.append(el("h3", {}, t("admin.per_subject")), table({
			columns: ["course_id", "course_name", "held", "present",
			    "absent", "flagged", "percent"],
			rows: r.subjects, threshold: r.threshold }));
		out.append(el("h3", {}, t("admin.day_by_day")), table({
			columns: ["date", "period_no", "course_name", "status",
			    "source"],
			rows: r.days, threshold: r.threshold }));
		out.append(el("h3", {}, t("admin.leave")), r.leave.length ?
		    table({ columns: ["from", "to", "leave_kind", "state",
			"reason"], rows: r.leave.map((l) => ({ ...l,
			leave_kind: t(`leave.${l.kind.toLowerCase()}`),
			state: t(`admin.state_${l.state.toLowerCase()}`) })) }) :
		    el("p.muted", {}, t("admin.no_leave")));
		box.scrollIntoView();
	} catch (e) {
		out.textContent = "";
		showError(e, t("admin.history"));
	}
}

async function loadDepartments() {
	const sel = $("f-dep");
	const r = await api("/admin/departments");
	sel.textContent = "";
	if (me.role === "admin")
		sel.append(el("option", { value: "" }, t("admin.all_departments")));
	for (const d of r.rows)
		sel.append(el("option", { value: String(d.id) }, d.name));
	$("scope-note").textContent = me.role === "admin" ?
	    t("admin.scope_admin") : t("admin.scope_head");
}

function showAll(ev) {
	if (ev)
		ev.preventDefault();
	for (const v of VIEWS)
		loadView(v);
}

async function main() {
	if (!me)
		return;
	showWho(me.user ? me.user.name : "");
	$("conn").hidden = true; /* no live socket on this page */
	const to = new Date(), from = new Date();
	from.setDate(from.getDate() - 120);
	$("f-from").value = iso(from);
	$("f-to").value = iso(to);
	$("filter").addEventListener("submit", showAll);
	$("drill-close").addEventListener("click", () => {
		$("drill").hidden = true;
	});
	$("drill-print").addEventListener("click", () =>
		printSection($("drill")));
	try {
		await loadDepartments();
	} catch (e) {
		showError(e, t("admin.departments"));
	}
	showAll();
}

main();
