/*
 * screens.mjs - the teacher's screens on a laptop, a projector and a
 * phone, axe on every page, and each language (issue 19).
 *
 *   node screens.mjs <base URL> <artifacts dir>
 *
 * Runs after attendance.mjs on the same stack, as another teacher (Arjun
 * Nair, CS302 in class 2024/3/A) so its sessions are its own.  Drives
 * Debian's chromium with playwright-core.  axe-core (npm) runs in each
 * page (bypassCSP: the page's CSP refuses an injected script) and any
 * serious or critical violation fails, label-content-name-mismatch
 * included (axe ships it disabled).  The language checks: the three
 * catalogues have the same keys, and in Hindi and Urdu no visible text
 * equals an English catalogue text (nor a bare key).  The last line is
 * "e2e: N passed, M failed".
 */
import { chromium } from "playwright-core";
import { join } from "node:path";
import { axeViolations, CAT, untranslated } from "./i18ncheck.mjs";
import { assert, harness, launchChromium } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const ART = process.argv[3] || "tests/artifacts";
const TEACHER = "arjun.nair@demo.ehazira.in";
const STUDENT = "student05@demo.ehazira.in";
const CLASS = "2024/3/A";

const { log, check, abort, finish } = harness("e2e");

let browser = null;
const errors = [];

async function newPage(label, opts) {
	const ctx = await browser.newContext({ bypassCSP: true,
	    viewport: { width: 1366, height: 768 }, ...opts });
	const page = await ctx.newPage();
	page.on("pageerror", (e) => errors.push(`${label}: ${e.message}`));
	page.setDefaultTimeout(8000);
	return page;
}

async function signIn(page, email, role) {
	await page.goto(BASE + "/");
	await page.locator("#demo-email").fill(email);
	await page.locator("#demo-submit").click();
	await page.waitForURL(`**/${role}.html*`);
	await page.locator("#conn.open").waitFor();
}

/* axe in the page; fails on a serious or critical violation. */
async function axeCheck(page, what) {
	const v = await axeViolations(page);
	log(`  axe ${what}: ${v.length} serious/critical`);
	assert(v.length === 0, `${what}: ${v.join("; ")}`);
}

/*
 * The elements that widen the page past width: those whose hiding brings
 * the page back within it, innermost first (an absolutely placed element
 * escapes a scrolling card, so edges alone do not tell).
 */
async function overflowing(page, width) {
	return page.evaluate((wd) => {
		const root = document.documentElement;
		const name = (e) => `${e.tagName.toLowerCase()}` +
		    `${e.id ? "#" + e.id : ""}` +
		    `${typeof e.className === "string" && e.className.trim() ?
			"." + e.className.trim().replace(/\s+/g, ".") : ""}` +
		    ` (${Math.round(e.getBoundingClientRect().left)}..` +
		    `${Math.round(e.getBoundingClientRect().right)})`;
		const culprits = [];
		for (const e of document.body.querySelectorAll("*")) {
			const was = e.style.display;
			e.style.display = "none";
			const fits = root.scrollWidth <= wd;
			e.style.display = was;
			if (fits)
				culprits.push(e);
		}
		return culprits.filter((e) => !culprits.some((c) => c !== e &&
		    e.contains(c))).slice(0, 8).map(name);
	}, width);
}

async function setLang(page, lang) {
	await page.evaluate((l) => localStorage.setItem("ehazira.lang", l),
	    lang);
	/* without a live screen's hash: a failed check leaves no trace */
	await page.goto(page.url().split("#")[0]);
}

const qrCount = (page) => page.locator("#qr svg").count();

try {
	browser = await launchChromium(chromium);

	await check("the three catalogues have the same keys", async () => {
		const keys = (l) => Object.keys(CAT[l]).sort().join("\n");
		for (const l of ["hi", "ur"])
			assert(keys(l) === keys("en"), `${l}.json differs from ` +
			    "en.json in its keys");
		for (const l of ["hi", "ur"])
			for (const [k, v] of Object.entries(CAT[l]))
				assert(typeof v === "string" && v.trim(),
				    `${l}.json ${k} is empty`);
	});

	const index = await newPage("index");
	await index.goto(BASE + "/");
	await index.locator("#demo-form").waitFor();
	await check("axe: the sign-in page", () => axeCheck(index, "index.html"));

	const teacher = await newPage("teacher");
	await signIn(teacher, TEACHER, "teacher");
	await teacher.locator("#periods table").waitFor();

	await check("the dashboard shows the day with its weekday and moves " +
	    "between days", async () => {
		const shown = (await teacher.locator("#today-date").textContent())
		    .trim();
		const wd = new Date().toLocaleDateString("en-IN",
		    { weekday: "long" });
		assert(shown.includes(wd), `"${shown}" has no ${wd}`);
		assert(!/\d{4}-\d\d-\d\d/.test(shown), `ISO date "${shown}"`);
		await teacher.locator("#day-next").click();
		await teacher.locator("#today-date", { hasNotText: shown })
		    .waitFor();
		/* another day: registers only, no Start */
		assert(await teacher.locator("#periods button",
		    { hasText: "Start attendance" }).count() === 0,
		    "Start offered on another day");
		await teacher.locator("#day-today").click();
		await teacher.locator("#today-date", { hasText: shown }).waitFor();
	});

	/* A zone whose date is not the college's right now (UTC-12 is a day
	 * behind Kolkata until 17:30 there, UTC+14 a day ahead from 15:30). */
	await check("a device in another time zone is offered Start on the " +
	    "college's today", async () => {
		const dayIn = (timeZone) => new Date().toLocaleDateString(
		    "en-CA", { timeZone });
		const zone = ["Etc/GMT+12", "Pacific/Kiritimati"].find((z) =>
		    dayIn(z) !== dayIn(process.env.TZ || "Asia/Kolkata"));
		const away = await newPage("away", { timezoneId: zone });
		try {
			await signIn(away, TEACHER, "teacher");
			await away.locator("#periods table").waitFor();
			const shown = (await away.locator("#today-date")
			    .textContent()).trim();
			const wd = new Date().toLocaleDateString("en-IN",
			    { weekday: "long" });
			assert(shown.includes(wd), `${zone}: "${shown}" has no ${wd}`);
			await away.locator("#periods button[data-period]").first()
			    .waitFor();
		} finally {
			await away.context().close();
		}
	});

	/*
	 * The page's clock cannot be frozen in a period any more: the device
	 * key's proofs carry the page's time, and the server refuses a proof
	 * hours off.  So: only periods of the slot running now are marked
	 * (the demo's teachers have two classes in some slots), and a marked
	 * one says so to screen readers (at night none is).
	 */
	await check("only the periods running now are marked", async () => {
		await teacher.locator("#periods table").waitFor();
		const { slots, now } = await teacher.evaluate(() => ({
			slots: [...document.querySelectorAll("#periods tr.now")]
			    .map((tr) => tr.children[1].textContent),
			now: new Date().toTimeString().slice(0, 5) }));
		for (const slot of slots) {
			const [from, to] = slot.split("\u2013");
			/* <= to: the minute may turn after the page drew */
			assert(from.slice(0, 5) <= now && now <= to.slice(0, 5),
			    `${slot} marked as now at ${now}`);
		}
		assert(new Set(slots).size <= 1, `slots ${slots} marked as now`);
		assert(await teacher.locator("#periods tr[aria-current=time]")
		    .count() === slots.length, "aria-current does not match");
	});

	await check("axe: the teacher's dashboard", () =>
	    axeCheck(teacher, "teacher.html dashboard"));

	let row = null;
	await check("live screen: one QR code in round 1 and round 2, the " +
	    "countdown on a 768-px screen", async () => {
		row = teacher.locator("#periods tr", { hasText: CLASS })
		    .filter({ has: teacher.getByRole("button",
			{ name: "Start attendance" }) }).first();
		await row.getByRole("button", { name: "Start attendance" })
		    .click();
		await teacher.locator("#otp").filter({ hasText: /^\d{4}$/ })
		    .waitFor();
		await teacher.locator("#qr svg").waitFor();
		assert(await qrCount(teacher) === 1, "round 1: not one QR");
		await teacher.getByRole("button", { name: "Close now" }).click();
		await teacher.locator("#otp", { hasText: "Closed" }).waitFor();
		await teacher.getByRole("button",
		    { name: "Open a second round for the missing" }).click();
		await teacher.locator("#otp").filter({ hasText: /^\d{4}$/ })
		    .waitFor();
		await teacher.locator("#qr svg").waitFor();
		/* the socket's attendance.opened reloads too: let it land */
		await teacher.waitForTimeout(1500);
		assert(await qrCount(teacher) === 1,
		    `round 2: ${await qrCount(teacher)} QR codes`);
		const box = await teacher.locator("#countdown").boundingBox();
		assert(box && box.y + box.height <= 768,
		    `the countdown ends at ${box && box.y + box.height} px`);
		await teacher.screenshot({ path: join(ART, "screens-live-768.png") });
	});

	await check("axe: the live screen (open window)", () =>
	    axeCheck(teacher, "teacher.html live"));

	await check("a failed Close now shows on the live screen, and a " +
	    "retry works", async () => {
		await teacher.route("**/attendance/close", (r) => r.fulfill({
		    status: 503, contentType: "application/json",
		    body: '{"error":{"code":"unavailable","message":' +
			'"the service is unavailable"}}' }));
		await teacher.getByRole("button", { name: "Close now" }).click();
		const err = teacher.locator("#live-error");
		await err.waitFor();
		const b = await err.boundingBox();
		const onTop = await teacher.evaluate(([x, y]) => {
			const n = document.elementFromPoint(x, y);
			return !!(n && n.closest("#live-error"));
		}, [b.x + b.width / 2, b.y + b.height / 2]);
		assert(onTop, "the error is covered");
		await teacher.unroute("**/attendance/close");
		assert(await teacher.locator("#close-now").isEnabled(),
		    "Close now cannot be retried");
		await teacher.getByRole("button", { name: "Close now" }).click();
		await teacher.locator("#otp", { hasText: "Closed" }).waitFor();
	});

	await check("the live screen says when it is offline", async () => {
		await teacher.context().setOffline(true);
		await teacher.locator("#live-offline").waitFor({ timeout: 5000 });
		await teacher.context().setOffline(false);
		await teacher.locator("#live-offline").waitFor({ state: "hidden",
		    timeout: 8000 });
	});

	await check("code only: the projector shows no names, remembered; " +
	    "the 1080p screen is used", async () => {
		await teacher.setViewportSize({ width: 1920, height: 1080 });
		await teacher.getByRole("button", { name: "Code only" }).click();
		assert(!await teacher.locator("#roster").isVisible(),
		    "the roster is still shown");
		assert(await teacher.locator("#code-only[aria-pressed=true]")
		    .count() === 1, "aria-pressed not set");
		await teacher.reload();
		await teacher.locator("#live").waitFor();
		assert(!await teacher.locator("#roster").isVisible(),
		    "code only is not remembered");
		await teacher.getByRole("button", { name: "Code only" }).click();
		await teacher.locator("#roster").waitFor();
		const grid = await teacher.locator(".live-grid").boundingBox();
		assert(grid.y + grid.height > 1080 * 0.8,
		    `the screen ends at ${grid.y + grid.height} of 1080 px`);
		await teacher.screenshot({ path: join(ART, "screens-live-1080.png") });
		await teacher.setViewportSize({ width: 1366, height: 768 });
	});

	await check("the roster has one live summary, not one per submission",
	    async () => {
		assert(await teacher.locator("#counts[aria-live]").count() === 0,
		    "the counts are a live region");
		const s = await teacher.locator("#counts-status").textContent();
		assert(/Round 2 ended/.test(s), `status "${s}"`);
	});

	await check("the report: at risk only after enough sessions, the " +
	    "range shown, a session's register and one student", async () => {
		await teacher.getByRole("button", { name: "Back to dashboard" })
		    .click();
		await teacher.locator("#rep-subject option", { hasText: CLASS })
		    .first().waitFor({ state: "attached" });
		const label = await teacher.locator("#rep-subject option",
		    { hasText: "CS302" }).filter({ hasText: CLASS }).first()
		    .textContent();
		await teacher.locator("#rep-subject").selectOption({ label });
		await teacher.getByRole("button", { name: "Show report" }).click();
		await teacher.locator("#report-out table").waitFor();
		assert(await teacher.locator("#report-out tr.risk").count() === 0,
		    "students at risk after one session");
		assert(/^\d{4}-\d\d-\d\d$/.test(await teacher.locator("#rep-from")
		    .inputValue()), "the From field is empty");
		await teacher.locator("#report-out th button.link").first()
		    .click();
		await teacher.locator("#student-dialog[open] .days li").first()
		    .waitFor();
		await axeCheck(teacher, "teacher.html report + student");
		await teacher.locator("#student-close").click();
		await teacher.locator("#report-out .sessions button").first()
		    .click();
		await teacher.locator("#live").waitFor();
		await teacher.locator("#roster li").first().waitFor();
		await teacher.locator("#back").click();
	});

	await check("on a 360-px phone the dashboard fits and Start is in reach",
	    async () => {
		const phone = await newPage("phone", { viewport: { width: 360,
		    height: 740 }, hasTouch: true, isMobile: true });
		await signIn(phone, TEACHER, "teacher");
		await phone.locator("#periods table").waitFor();
		/* in each language: Hindi and Urdu words are longer */
		for (const lang of ["hi", "ur", "en"]) {
			await setLang(phone, lang);
			await phone.locator("#periods table").waitFor();
			const w = await phone.evaluate(() =>
			    document.documentElement.scrollWidth);
			assert(w <= 360, `${lang}: the page is ${w} px wide: ` +
			    (await overflowing(phone, 360)).join(" | "));
		}
		const btn = phone.locator("#periods td.actions button").first();
		const b = await btn.boundingBox();
		assert(b && b.x >= 0 && b.x + b.width <= 360,
		    `a period's button at ${b && b.x}..${b && b.x + b.width}`);
		await phone.screenshot({ path: join(ART, "screens-phone.png"),
		    fullPage: true });
		await phone.context().close();
	});

	const student = await newPage("student", { viewport: { width: 360,
	    height: 740 } });
	await signIn(student, STUDENT, "student");
	await student.locator("#idle").waitFor();
	await check("axe: the student's page", () => axeCheck(student, "student.html"));

	await check("the language follows the browser (hi-IN): Hindi, nothing " +
	    "left in English", async () => {
		const p = await newPage("hindi", { locale: "hi-IN" });
		await signIn(p, TEACHER, "teacher");
		await p.locator("#periods table").waitFor();
		assert(await p.evaluate(() => document.documentElement.lang) ===
		    "hi", "not Hindi");
		const left = await untranslated(p, "hi");
		assert(left.length === 0, `English left: ${left.join(" | ")}`);
		await axeCheck(p, "teacher.html (hi)");
		await p.screenshot({ path: join(ART, "screens-hi.png") });
		await p.context().close();
	});

	for (const lang of ["hi", "ur"])
		await check(`every page in ${lang}: ${lang === "ur" ?
		    "right to left, " : ""}nothing left in English`, async () => {
			const bad = [];
			for (const pg of [index, teacher, student]) {
				await setLang(pg, lang);
				await pg.locator("body").waitFor();
				await pg.waitForTimeout(700);
				const l = await pg.evaluate(() => [
				    document.documentElement.lang,
				    document.documentElement.dir]);
				assert(l[0] === lang, `lang ${l[0]}`);
				assert(l[1] === (lang === "ur" ? "rtl" : "ltr"),
				    `dir ${l[1]}`);
				bad.push(...await untranslated(pg, lang));
			}
			/* the live screen of a taken session, and the report */
			await teacher.locator("#periods button", { hasText:
			    CAT[lang]["dash.view_register"] }).first().click();
			await teacher.locator("#roster li").first().waitFor();
			bad.push(...await untranslated(teacher, lang));
			await axeCheck(teacher, `live (${lang})`);
			await teacher.locator("#back").click();
			await teacher.locator("#rep-show").click();
			await teacher.locator("#report-out table").waitFor();
			bad.push(...await untranslated(teacher, lang));
			await teacher.screenshot({ path: join(ART,
			    `screens-${lang}.png`), fullPage: true });
			assert(bad.length === 0, `English left: ${[...new Set(bad)]
			    .join(" | ")}`);
		});

	await check("the switch is remembered: back to English", async () => {
		await teacher.locator("#lang-switch").selectOption("en");
		await teacher.waitForLoadState("load");
		await teacher.locator("#periods table").waitFor();
		assert(await teacher.evaluate(() =>
		    localStorage.getItem("ehazira.lang")) === "en", "not kept");
		assert(await teacher.evaluate(() =>
		    document.documentElement.dir) === "ltr", "still rtl");
	});

	await check("no script errors on any page", async () => {
		assert(errors.length === 0, errors.join(" | "));
	});
} catch (e) {
	abort(e);
} finally {
	if (browser)
		await browser.close().catch(() => {});
}

finish();
