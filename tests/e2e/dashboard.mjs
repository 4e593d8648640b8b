/*
 * dashboard.mjs - the college dashboard in a browser: a head of
 * department and an institution administrator walk through the views,
 * the drill-down to a student's history and leave, the shortage and
 * not-marked lists, the exports and the print stylesheet; then the page in English,
 * Hindi and Urdu (i18ncheck.mjs: nothing left untranslated, axe clean).
 *
 *   node dashboard.mjs <base URL> <artifacts dir>
 *
 * Runs after attendance.mjs on the same stack, once
 * tests/e2e/dashboard-seed.sql has loaded three weeks of history.  The
 * last line is "e2e: N passed, M failed".
 */
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { axeViolations, untranslated } from "./i18ncheck.mjs";
import { assert, harness, launchChromium } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const ART = process.argv[3] || "tests/artifacts";
const HEAD = "hod.cs@demo.ehazira.in";
const ADMIN = "principal@demo.ehazira.in";

const { check, abort, finish } = harness("e2e");

const profile = mkdtempSync(join(tmpdir(), "ehazira-e2e-dash-"));
process.env.TMPDIR = profile;
const consoleErrors = [];
let browser = null;

async function signedIn(label, email) {
	const ctx = await browser.newContext({ viewport: { width: 1366,
	    height: 900 }, acceptDownloads: true });
	const page = await ctx.newPage();
	page.on("console", (m) => {
		if (m.type() === "error")
			consoleErrors.push(`${label}: ${m.text()}`);
	});
	page.on("pageerror", (e) => consoleErrors.push(`${label}: ${e.message}`));
	page.setDefaultTimeout(10000);
	await page.goto(BASE + "/");
	await page.getByLabel("College e-mail").fill(email);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.waitForURL("**/admin.html*");
	return page;
}

async function download(page, section, button) {
	const [dl] = await Promise.all([page.waitForEvent("download"),
	    page.locator(`#${section} .tools`).getByRole("button",
		{ name: button }).click()]);
	const file = join(ART, "e2e-dash-" + dl.suggestedFilename());
	await dl.saveAs(file);
	return { name: dl.suggestedFilename(), buf: readFileSync(file) };
}

try {
	browser = await launchChromium(chromium);
	let head = null, admin = null;

	await check("a head of department signs in to the dashboard", async () => {
		head = await signedIn("head", HEAD);
		await head.locator("#v-attendance table").waitFor();
		const note = await head.locator("#scope-note").textContent();
		assert(/head of department/.test(note), note);
		const opts = await head.locator("#f-dep option").count();
		assert(opts === 1, `${opts} departments offered to a head`);
	});

	await check("attendance by class and subject", async () => {
		await head.locator("#f-by").selectOption("subject");
		await head.getByRole("button", { name: "Show" }).click();
		await head.locator("#v-attendance td",
		    { hasText: "Data Structures" }).first().waitFor();
	});

	await check("the weekly trend is drawn without a CDN", async () => {
		await head.locator("#v-trend svg.chart").waitFor();
		const pts = await head.locator("#v-trend svg.chart circle, " +
		    "#v-trend svg.chart polyline, #v-trend svg.chart path").count();
		assert(pts > 0, "an empty chart");
	});

	await check("the shortage list and a drill-down to one student",
	    async () => {
		const rows = head.locator("#v-shortage tbody tr");
		await rows.first().waitFor();
		assert(await rows.count() >= 10, `${await rows.count()} rows`);
		await rows.first().getByRole("button").click();
		await head.locator("#drill table").first().waitFor();
		const txt = await head.locator("#drill").textContent();
		assert(/Per subject/.test(txt) && /Day by day/.test(txt) &&
		    /Data Structures/.test(txt), "no history");
		assert(/Leave/.test(txt) && /Medical/.test(txt) &&
		    /Approved/.test(txt) && /fever/.test(txt), "no leave");
	});

	await check("the not-marked list names teachers and days", async () => {
		await head.locator("#v-not-marked tbody tr").first().waitFor();
		const txt = await head.locator("#v-not-marked tbody").textContent();
		assert(/Meera Iyer|Arjun Nair|Farah Khan/.test(txt), "no teacher");
		assert(/day/.test(txt), "no weekday");
	});

	await check("the shortage list exports as CSV", async () => {
		const f = await download(head, "v-shortage", "Export CSV");
		assert(/\.csv$/.test(f.name), f.name);
		assert(f.buf.toString().startsWith("roll_no,name,student_email"),
		    f.buf.toString().slice(0, 40));
	});

	await check("the print stylesheet drops the page's chrome", async () => {
		await head.emulateMedia({ media: "print" });
		assert(!(await head.locator(".topbar").isVisible()),
		    "the top bar prints");
		assert(!(await head.locator("#filter").isVisible()),
		    "the filter prints");
		assert(await head.locator("#v-shortage table").isVisible(),
		    "the list does not print");
		await head.emulateMedia({ media: "screen" });
	});

	await check("an administrator sees every department and the runs",
	    async () => {
		admin = await signedIn("admin", ADMIN);
		await admin.locator("#v-jobs tbody tr").first().waitFor();
		const txt = await admin.locator("#v-jobs").textContent();
		assert(/import/.test(txt), "no import run");
		const first = await admin.locator("#f-dep option").first()
		    .textContent();
		assert(/All departments/.test(first), first);
		await admin.locator("#v-accounts .out p.count").waitFor();
	});

	await check("the administrator exports attendance to Excel", async () => {
		const f = await download(admin, "v-attendance", "Export Excel");
		assert(/\.xlsx$/.test(f.name), f.name);
		assert(f.buf.subarray(0, 2).toString() === "PK", "not a zip");
	});

	await check("another department is out of the head's scope", async () => {
		/* through the page's api() (its token is bound to the page's
		 * device key, DPoP), which logs nothing to the console */
		const r = await head.evaluate(async () => {
			const { api } = await import("/js/api.js");
			try {
				await api("/admin/shortage?department_id=999999");
				return { status: 200, code: "" };
			} catch (e) {
				return { status: e.status, code: e.code };
			}
		});
		assert(r.status === 404, `status ${r.status}`);
		assert(r.code === "not_found", r.code);
	});

	await check("the dashboard in English, Hindi and Urdu: nothing left " +
	    "untranslated, Urdu right to left, axe clean", async () => {
		/* its own context: axe is injected (bypassing the CSP the
		 * other checks keep) */
		const ctx = await browser.newContext({ bypassCSP: true,
		    viewport: { width: 1366, height: 900 } });
		const page = await ctx.newPage();
		page.setDefaultTimeout(10000);
		page.on("pageerror", (e) =>
			consoleErrors.push(`lang: ${e.message}`));
		await page.goto(BASE + "/");
		await page.getByLabel("College e-mail").fill(ADMIN);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL("**/admin.html*");
		const bad = [];
		for (const lang of ["en", "hi", "ur"]) {
			await page.evaluate((l) =>
				localStorage.setItem("ehazira.lang", l), lang);
			await page.reload();
			/* every view answered, and one student's history open */
			await page.waitForFunction(() => document
			    .querySelectorAll(".view .out p.count").length === 6);
			await page.locator("#v-shortage tbody tr").first()
			    .getByRole("button").click();
			await page.locator("#drill table").first().waitFor();
			const [l, dir] = await page.evaluate(() => [
				document.documentElement.lang,
				document.documentElement.dir]);
			if (l !== lang || dir !== (lang === "ur" ? "rtl" : "ltr"))
				bad.push(`${lang}: lang=${l} dir=${dir}`);
			if (lang !== "en")
				bad.push(...(await untranslated(page, lang))
				    .map((x) => `${lang}: "${x}"`));
			bad.push(...(await axeViolations(page))
			    .map((x) => `${lang}: axe ${x}`));
			await page.screenshot({ path: join(ART,
			    `e2e-dash-${lang}.png`) });
		}
		await ctx.close();
		assert(bad.length === 0, bad.join(" | "));
	});

	await check("no console errors on the dashboard", async () => {
		/* the one 404 is the out-of-scope probe above */
		const errs = consoleErrors.filter((e) =>
		    !/status of 404 \(Not Found\)/.test(e));
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
