/*
 * register.mjs - a teacher keeps the register in the browser: an extra
 * class on another day with a chosen window length, a manual mark whose
 * reason becomes the remark, a remark edited in the day's register, "mark
 * all remaining present", leave that turns an absence into an excused
 * one, a class's holiday that refuses a class, a class further back than
 * allowed, an action tried offline that fails visibly and succeeds on
 * Retry, and a substitute: the teacher assigns a colleague to one of
 * today's periods, who finds it on their timetable, takes it and closes
 * it, and both see who took it.
 *
 *   node register.mjs <base URL> <artifacts dir>
 *
 * Runs after attendance.mjs on the same demo stack and uses only past
 * days (yesterday and the day before), which that test never touches.
 * The last line is "register: N passed, M failed".
 */
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { axeViolations } from "./i18ncheck.mjs";
import { assert, harness, launchChromium } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const ART = process.argv[3] || "tests/artifacts";
const TEACHER = "meera.iyer@demo.ehazira.in";
const S1 = "student01@demo.ehazira.in";
const S2 = "student02@demo.ehazira.in";
const S3 = "student06@demo.ehazira.in";
const CLASS_A = "2024/3/A";
const SUBSTITUTE = "farah.khan@demo.ehazira.in";

const { check, abort, finish } = harness("register");

/* GET an API path with the page's own session (what the page would see):
 * through the page's api(), as its tokens are bound to its device key
 * (each call needs a DPoP proof of that key). */
function apiGet(page, path) {
	return page.evaluate(async (p) => {
		const { api } = await import("/js/api.js");
		try {
			return { status: 200, body: await api(p) };
		} catch (e) {
			return { status: e.status || 0, body: e.body || {} };
		}
	}, path);
}

const profile = mkdtempSync(join(tmpdir(), "ehazira-e2e-reg-"));
process.env.TMPDIR = profile;
let browser = null;
const consoleErrors = [];

try {
	browser = await launchChromium(chromium);
	const ctx = await browser.newContext(
	    { viewport: { width: 1366, height: 900 } });
	const page = await ctx.newPage();
	page.setDefaultTimeout(8000);
	page.on("pageerror", (e) => consoleErrors.push(e.message));
	page.on("console", (m) => {
		if (m.type() === "error")
			consoleErrors.push(m.text());
	});
	const status = page.locator("#reg-status");
	let today = "", d1 = "", d2 = "", sid = 0;

	await check("the teacher signs in and the register shows today",
	    async () => {
		await page.goto(BASE + "/");
		await page.getByLabel("College e-mail").fill(TEACHER);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL("**/teacher.html*");
		await page.locator("#reg-day table").first().waitFor();
		today = await page.locator("#reg-date").inputValue();
		assert(/^\d{4}-\d{2}-\d{2}$/.test(today), `day ${today}`);
		assert((await page.locator("#reg-weekday").textContent())
		    .length > 6, "no weekday shown");
	});

	await check("the calendar moves to yesterday", async () => {
		await page.locator("#register")
		    .getByRole("button", { name: "Previous day" }).click();
		await page.waitForFunction((t) =>
		    document.getElementById("reg-date").value !== t, today);
		d1 = await page.locator("#reg-date").inputValue();
		assert(d1 < today, `${d1} is not before ${today}`);
		await page.locator("#reg-day table").first().waitFor();
	});

	await check("an extra class on yesterday with a 20 s window opens " +
	    "the live screen", async () => {
		await page.locator("#reg-ttl").fill("20");
		/* a period of another weekday: an extra class, not a regular one */
		const dow = (new Date(d1 + "T12:00:00Z").getUTCDay() + 6) % 7 + 1;
		const sel = page.locator("#reg-extra-period");
		const value = await sel.locator("option", { hasText: CLASS_A })
		    .and(page.locator(`option:not([data-dow="${dow}"])`))
		    .first().getAttribute("value");
		await sel.selectOption(value);
		await page.getByRole("button", { name: "Take an extra class" })
		    .click();
		await page.locator("#live:not([hidden])").waitFor();
		await page.locator("#roster li").first().waitFor();
		sid = parseInt(new URL(page.url()).hash.replace(/\D+/g, " ")
		    .trim().split(" ")[0], 10);
		const ls = await apiGet(page,
		    `/attendance/live-status?session_id=${sid}`);
		assert(ls.status === 200, `live-status ${ls.status}`);
		assert(ls.body.session.date === d1,
		    `session on ${ls.body.session.date}, not ${d1}`);
		const w = ls.body.window;
		assert(w.expires_at - w.server_time > 15000,
		    "the window is not about 20 s long");
	});

	await check("a manual mark's reason becomes its remark", async () => {
		await page.getByRole("button", { name: "Close now" }).click();
		await page.locator("#otp", { hasText: "Closed" }).waitFor();
		await page.locator(`#roster li[data-email="${S1}"]`)
		    .getByRole("button").click();
		const dlg = page.locator("#mark-dialog");
		await page.locator("#mark-dialog[open]").waitFor();
		await dlg.getByLabel("Absent", { exact: true }).check();
		await dlg.locator("#mark-reason").fill("away; parent called");
		await dlg.getByRole("button", { name: "Save" }).click();
		await page.locator(`#roster li[data-email="${S1}"]` +
		    "[data-state=\"absent\"]").waitFor();
		await page.getByRole("button", { name: "Back to dashboard" })
		    .click();
		const row = page.locator(`#reg-sheet tr[data-email="${S1}"]`);
		await row.filter({ hasText: "away; parent called" }).waitFor();
		/* the day lists the extra class (its period is another day's) */
		await page.locator(`#reg-extra-sessions tr[data-session="${sid}"]`)
		    .waitFor();
	});

	await check("a remark edited in the day's register", async () => {
		const row = page.locator(`#reg-sheet tr[data-email="${S2}"]`);
		await row.getByRole("button", { name: /Remark for/ }).click();
		await row.locator("input").fill("left after the break");
		await row.getByRole("button", { name: "Save remark" }).click();
		await page.locator(`#reg-sheet tr[data-email="${S2}"]`,
		    { hasText: "left after the break" }).waitFor();
		const h = await apiGet(page, "/attendance/student-summary?" +
		    `student_email=${encodeURIComponent(S2)}&from=${d1}&to=${d1}`);
		assert(h.body.days.some((d) =>
		    d.remark === "left after the break"),
		    "not in the student's history");
	});

	await check("mark all remaining present, with one reason", async () => {
		await page.locator("#reg-markall-reason").fill("taken on paper");
		await page.getByRole("button",
		    { name: "Mark all remaining present" }).click();
		await status.filter({ hasText: /29 student\(s\) marked present/ })
		    .waitFor();
		const ls = await apiGet(page,
		    `/attendance/live-status?session_id=${sid}`);
		const marks = ls.body.students.map((s) => s.status);
		assert(marks.filter((m) => m === "P").length === 29 &&
		    marks.filter((m) => m === "A").length === 1,
		    `marks ${marks.join("")}`);
		await page.screenshot({ path: join(ART, "e2e-register-sheet.png"),
		    fullPage: true });
	});

	await check("leave for the absent student excuses the absence",
	    async () => {
		const cls = page.locator("#leave-class");
		await cls.selectOption({ label: CLASS_A });
		await page.locator(`#leave-student option[value="${S1}"]`)
		    .waitFor({ state: "attached" });
		await page.locator("#leave-student").selectOption(S1);
		await page.locator("#leave-kind").selectOption("MEDICAL");
		await page.locator("#leave-from").fill(d1);
		await page.locator("#leave-to").fill(d1);
		await page.locator("#leave-reason").fill("fever");
		await page.getByRole("button", { name: "Record leave" }).click();
		await page.locator("#leave-list tr[data-state=\"APPROVED\"]",
		    { hasText: "fever" }).waitFor();
		const h = await apiGet(page, "/attendance/student-summary?" +
		    `student_email=${encodeURIComponent(S1)}&from=${d1}&to=${d1}`);
		const day = h.body.days.find((d) => d.session_id === sid);
		assert(day && day.status === "E" && day.leave === "MEDICAL",
		    `history says ${JSON.stringify(day)}`);
		/* overlapping leave is refused and says so */
		await page.getByRole("button", { name: "Record leave" }).click();
		await status.filter({ hasText: /Recording the leave failed/ })
		    .waitFor();
	});

	await check("a holiday for the class refuses a class that day",
	    async () => {
		await page.locator("#register")
		    .getByRole("button", { name: "Previous day" }).click();
		await page.waitForFunction((t) =>
		    document.getElementById("reg-date").value !== t, d1);
		d2 = await page.locator("#reg-date").inputValue();
		await page.locator("#reg-day table").first().waitFor();
		await page.locator("#reg-reason").fill("founders' day");
		await page.getByRole("button",
		    { name: `Holiday for ${CLASS_A}` }).click();
		await status.filter({ hasText: "Holiday recorded." }).waitFor();
		await page.locator("#reg-day tr[data-state=\"holiday\"]").first()
		    .waitFor();
		await page.getByRole("button", { name: "Take an extra class" })
		    .click();
		await status.filter({ hasText: /Taking attendance failed: .*holiday/ })
		    .waitFor();
		const t = await apiGet(page, `/timetable?date=${d2}`);
		assert(!t.body.periods.some((p) => p.session_id &&
		    p.class.section === "A" && p.class.semester === 3),
		    "a session was created on the holiday");
	});

	await check("a class further back than allowed is refused", async () => {
		const min = await page.locator("#reg-date").getAttribute("min");
		const t = new Date(min + "T12:00:00Z");
		t.setUTCDate(t.getUTCDate() - 1);
		const old = t.toISOString().slice(0, 10);
		await page.locator("#reg-date").fill(old);
		await page.locator("#reg-weekday").filter({ hasText: /\d/ })
		    .waitFor();
		await page.waitForFunction((o) =>
		    document.getElementById("reg-date").value === o, old);
		await page.getByRole("button", { name: "Take an extra class" })
		    .click();
		await status.filter({ hasText: /failed: a class may be taken at most/ })
		    .waitFor();
	});

	await check("offline, moving a day fails visibly; Retry works online",
	    async () => {
		await page.locator("#register")
		    .getByRole("button", { name: "Today" }).click();
		await page.waitForFunction((t) =>
		    document.getElementById("reg-date").value === t, today);
		await ctx.setOffline(true);
		await page.locator("#register")
		    .getByRole("button", { name: "Previous day" }).click();
		await status.filter({ hasText: /Loading the day failed/ })
		    .waitFor();
		await ctx.setOffline(false);
		await page.locator("#reg-retry").click();
		await page.waitForFunction((d) =>
		    document.getElementById("reg-date").value === d, d1);
		await page.locator("#reg-day table").first().waitFor();
		await page.screenshot({ path: join(ART, "e2e-register-day.png"),
		    fullPage: true });
	});

	await check("a student applies for on-duty leave; the teacher " +
	    "approves it", async () => {
		const sctx = await browser.newContext(
		    { viewport: { width: 360, height: 740 }, hasTouch: true });
		const sp = await sctx.newPage();
		sp.setDefaultTimeout(8000);
		sp.on("pageerror", (e) => consoleErrors.push(e.message));
		await sp.goto(BASE + "/");
		await sp.getByLabel("College e-mail").fill(S3);
		await sp.getByRole("button", { name: "Sign in" }).click();
		await sp.waitForURL("**/student.html*");
		await sp.locator("#la-kind").selectOption("DUTY");
		await sp.locator("#la-from").fill(today);
		await sp.locator("#la-to").fill(today);
		await sp.locator("#la-reason").fill("inter-college quiz");
		await sp.getByRole("button", { name: "Apply" }).click();
		await sp.locator("#leave-mine li[data-state=\"PENDING\"]").waitFor();
		await page.reload();
		const row = page.locator("#leave-list tr[data-state=\"PENDING\"]",
		    { hasText: "inter-college quiz" });
		await row.getByRole("button", { name: "Approve" }).click();
		await page.locator("#leave-list tr[data-state=\"APPROVED\"]",
		    { hasText: "inter-college quiz" }).waitFor();
		await sp.reload();
		await sp.locator("#leave-mine li[data-state=\"APPROVED\"]").waitFor();
		await sctx.close();
	});

	let subPeriod = 0;
	await check("the teacher assigns a substitute for a period today",
	    async () => {
		await page.reload();
		await page.locator("#periods table").waitFor();
		/* one of today's periods nobody has taken yet */
		const tt = await apiGet(page, "/timetable");
		const free = tt.body.periods.find((p) => !p.session_id);
		assert(free, "no untaken period today");
		subPeriod = free.period_id;
		const form = page.locator("#substitutes");
		assert(await page.locator("#sub-date").inputValue() === today,
		    "the date is not today");
		await page.locator("#sub-period").selectOption(String(subPeriod));
		await form.getByLabel("Substitute's college e-mail")
		    .fill(SUBSTITUTE);
		await form.getByLabel("Reason (optional)").fill("exam duty");
		await form.getByRole("button", { name: "Assign substitute" })
		    .click();
		await page.locator("#sub-list tr", { hasText: "Farah Khan" })
		    .waitFor();
		await page.reload();
		await page.locator(`#periods tr[data-period-row="${subPeriod}"]`,
		    { hasText: "Substitute: Farah Khan" }).waitFor();
	});

	await check("the substitute finds the period, takes it and closes it; " +
	    "the register names who took it", async () => {
		const sctx = await browser.newContext({ bypassCSP: true,
		    viewport: { width: 1366, height: 900 } });
		const sp = await sctx.newPage();
		sp.setDefaultTimeout(8000);
		sp.on("pageerror", (e) => consoleErrors.push(e.message));
		await sp.goto(BASE + "/");
		await sp.getByLabel("College e-mail").fill(SUBSTITUTE);
		await sp.getByRole("button", { name: "Sign in" }).click();
		await sp.waitForURL("**/teacher.html*");
		const row = sp.locator(`#periods tr[data-period-row="${subPeriod}"]`);
		await row.filter({ hasText: "You substitute for Dr. Meera Iyer" })
		    .waitFor();
		await sp.locator("#sub-list tr", { hasText: "exam duty" }).waitFor();
		const v = await axeViolations(sp);
		assert(v.length === 0, `axe: ${v.join("; ")}`);
		await row.getByRole("button", { name: "Start attendance" }).click();
		await sp.locator("#live:not([hidden])").waitFor();
		await sp.locator("#roster li").first().waitFor();
		await sp.locator("#close-now").click();
		await sp.locator("#otp.closed").waitFor();
		await sp.locator("#back").click();
		const day = await apiGet(sp, `/register/day?date=${today}`);
		const mine = day.body.sessions.find((x) =>
		    x.period_id === subPeriod);
		assert(mine && mine.taken_by === "Farah Khan",
		    `register/day: ${JSON.stringify(day.body.sessions)}`);
		await sctx.close();
		/* the subject's teacher's register names the substitute */
		await page.locator("#reg-today").click();
		await page.locator(`#reg-day tr[data-period="${subPeriod}"]`,
		    { hasText: "Taken by Farah Khan" }).waitFor();
	});

	await check("no page errors", async () => {
		const errs = consoleErrors.filter((e) =>
		    !e.includes("net::ERR_INTERNET_DISCONNECTED") &&
		    !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));
		assert(errs.length === 0, errs.join(" | "));
	});
} catch (e) {
	abort(e);
} finally {
	if (browser)
		await browser.close().catch(() => {});
	rmSync(profile, { recursive: true, force: true });
}

finish();
