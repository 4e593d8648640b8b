/*
 * attendance.mjs - one browser run of a whole attendance: a teacher page
 * and three student pages (separate browser contexts) against a real stack.
 *
 *   node attendance.mjs <base URL> <artifacts dir>
 *
 * The student pages are bound to a device key (DPoP, js/dpop.js): the
 * run checks the key is non-extractable and named by the token, that a
 * copied token without the key is refused, and that the same account in
 * a fresh browser profile is a PENDING device until the teacher approves.
 *
 * Drives Debian's chromium (/usr/bin/chromium, or $EHAZIRA_CHROMIUM) with
 * playwright-core; never downloads a browser.  Each check is counted; the
 * last line is "e2e: N passed, M failed".
 */
import { chromium } from "playwright-core";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, harness, launchChromium, signIn as harnessSignIn } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const ART = process.argv[3] || "tests/artifacts";
const TEACHER = "meera.iyer@demo.ehazira.in";
const S = ["student01", "student02", "student03"].map(
    (s) => `${s}@demo.ehazira.in`);

const { log, check, abort, finish } = harness("e2e");

/*
 * Playwright gives every launch a fresh temporary user-data-dir of its own
 * (it refuses --user-data-dir with separate contexts); TMPDIR points it at
 * a directory we remove afterwards.
 */
const profile = mkdtempSync(join(tmpdir(), "ehazira-e2e-"));
process.env.TMPDIR = profile;
let ctxBrowser = null;

const consoleErrors = [];
const departures = {};
async function newPage(label, viewport) {
	const ctx = await ctxBrowser.newContext({ viewport,
	    acceptDownloads: true, hasTouch: viewport.width < 500 });
	const page = await ctx.newPage();
	page.on("console", (m) => {
		if (m.type() === "error")
			consoleErrors.push(`${label}: ${m.text()} ` +
			    `(${m.location().url || "?"})`);
	});
	page.on("pageerror", (e) => consoleErrors.push(`${label}: ${e.message}`));
	page.setDefaultTimeout(8000);
	/* departures the page reports (socket frames or HTTP telemetry) */
	departures[label] = 0;
	const isDeparture = (t) => /"type":"(focus_lost|blur|visibility_hidden)"/
	    .test(String(t));
	page.on("websocket", (ws) => ws.on("framesent", (f) => {
		if (isDeparture(f.payload))
			departures[label]++;
	}));
	page.on("request", (r) => {
		if (r.url().includes("/attendance/telemetry") &&
		    isDeparture(r.postData()))
			departures[label]++;
	});
	return { ctx, page };
}

const signIn = (page, email, role) =>
    harnessSignIn(BASE, page, email, role);

const tile = (page, email) =>
    page.locator(`#roster li[data-email="${email}"]`);

async function stateWithin(page, email, state, ms) {
	await page.locator(`#roster li[data-email="${email}"]` +
	    `[data-state="${state}"]`).waitFor({ timeout: ms });
}

let teacher;
const studs = [];
let otp = null, course = null, periodRow = null;

try {
	ctxBrowser = await launchChromium(chromium);
	const tp = await newPage("teacher", { width: 1366, height: 900 });
	teacher = tp.page;
	for (let i = 0; i < 3; i++)
		studs.push((await newPage(`student${i + 1}`,
		    { width: 360, height: 740 })).page);

	await check("everyone signs in through the demo stand-in", async () => {
		await Promise.all([signIn(teacher, TEACHER, "teacher"),
		    ...studs.map((p, i) => signIn(p, S[i], "student"))]);
		await teacher.locator("#periods table").waitFor();
		for (const p of studs)
			await p.locator("#idle").waitFor();
	});

	await check("the student's key is non-extractable and binds the token",
	    async () => {
		const r = await studs[0].evaluate(async () => {
			const db = await new Promise((ok, ko) => {
				const o = indexedDB.open("ehazira-keys");
				o.onsuccess = () => ok(o.result);
				o.onerror = () => ko(o.error);
			});
			if (!db.objectStoreNames.contains("keys"))
				return { missing: true };
			const k = await new Promise((ok) => {
				const q = db.transaction("keys").objectStore("keys")
				    .get("device");
				q.onsuccess = () => ok(q.result);
			});
			db.close();
			if (!k)
				return { missing: true };
			let exported = true;
			await crypto.subtle.exportKey("jwk", k.privateKey)
			    .catch(() => { exported = false; });
			const tok = JSON.parse(localStorage.getItem(
			    "ehazira.session")).access_token;
			const b = tok.split(".")[1].replace(/-/g, "+")
			    .replace(/_/g, "/");
			return { jkt: k.jkt, exported, curve: k.jwk.crv,
			    cnf: JSON.parse(atob(b)).cnf, tok,
			    nonce: localStorage.getItem("ehazira.dpop-nonce") };
		});
		assert(!r.missing, "no device key in IndexedDB");
		assert(!r.exported, "the private key could be exported");
		assert(r.curve === "P-256", `curve ${r.curve}`);
		/* tests/e2e/run sets DPOP_NONCE=1: the page keeps the nonce */
		assert(/^\d+\.[0-9a-f]+$/.test(r.nonce || ""),
		    `no server nonce kept: ${r.nonce}`);
		assert(r.cnf && r.cnf.jkt === r.jkt,
		    `token cnf ${JSON.stringify(r.cnf)} is not the key ${r.jkt}`);
		/* the same token copied off the phone, without the key */
		const res = await fetch(BASE + "/me",
		    { headers: { Authorization: "Bearer " + r.tok } });
		const body = await res.json().catch(() => ({}));
		assert(res.status === 401 && body.error &&
		    body.error.code === "dpop_required",
		    `a copied token got ${res.status} ${JSON.stringify(body)}`);
	});

	await check("the header keeps the student's name on one line",
	    async () => {
		const h = await studs[0].evaluate(() => {
			const w = document.getElementById("who");
			return { who: w.getBoundingClientRect().height,
			    line: parseFloat(getComputedStyle(w).lineHeight) ||
				24 };
		});
		assert(h.who <= h.line * 1.5, `#who is ${h.who}px high`);
	});

	await check("the teacher starts attendance: OTP, QR code, countdown",
	    async () => {
		periodRow = teacher.locator("#periods tr",
		    { hasText: "2024/3/A" }).filter({ has: teacher.getByRole(
		    "button", { name: "Start attendance" }) }).first();
		course = (await periodRow.locator("th").textContent()).trim();
		await periodRow.getByRole("button",
		    { name: "Start attendance" }).click();
		await teacher.locator("#live").waitFor();
		await teacher.locator("#otp").filter({ hasText: /^\d{4}$/ })
		    .waitFor();
		otp = (await teacher.locator("#otp").textContent()).trim();
		await teacher.locator("#qr svg").waitFor();
		assert(/\d+ s left/.test(await teacher.locator("#countdown")
		    .textContent()), "no countdown");
		assert(await teacher.locator("#roster li").count() === 30,
		    "the roster is not the class of 30");
		log("course", course, "otp", otp);
	});

	await check("every student sees the window open live", async () => {
		for (const p of studs)
			await p.locator("#banner").waitFor({ timeout: 3000 });
	});

	await check("a student who leaves the page is spotted", async () => {
		const p = studs[1];
		/* a real tab switch first; dispatch if headless hides nothing */
		const other = await p.context().newPage();
		await other.goto(BASE + "/index.html#other-tab").catch(() => {});
		await other.bringToFront();
		const real = await p.locator("#spotted").waitFor({ timeout: 1000 })
		    .then(() => true, () => false);
		if (!real)
			await p.evaluate(() => {
				Object.defineProperty(document, "visibilityState",
				    { value: "hidden", configurable: true });
				document.dispatchEvent(new Event("visibilitychange"));
				delete document.visibilityState;
			});
		await other.close();
		await p.bringToFront();
		log("tab switch seen by the page:", real ? "real" : "dispatched");
		await p.locator("#spotted").waitFor({ timeout: 2000 });
		await tile(teacher, S[1]).locator(".evidence").waitFor(
		    { timeout: 2000 });
		await new Promise((r) => setTimeout(r, 500));
		assert(departures.student2 === 1,
		    `one departure reported ${departures.student2} times`);
		/* blur and visibilitychange of one departure: one event (on
		 * student 3, who reported nothing yet: no throttle involved) */
		await studs[2].evaluate(() => {
			window.dispatchEvent(new Event("blur"));
			Object.defineProperty(document, "visibilityState",
			    { value: "hidden", configurable: true });
			document.dispatchEvent(new Event("visibilitychange"));
			delete document.visibilityState;
			window.dispatchEvent(new Event("focus"));
		});
		await new Promise((r) => setTimeout(r, 500));
		assert(departures.student3 === 1, "one departure (blur and " +
		    `hidden together) reported ${departures.student3} times`);
	});

	await check("a wrong code: one try left, the teacher sees it",
	    async () => {
		const p = studs[0];
		const wrong = String((Number(otp) + 1) % 10000).padStart(4, "0");
		await p.getByLabel("The 4-digit code on the board").fill(wrong);
		await p.getByRole("button", { name: "Submit code" }).click();
		await p.locator("#tries", { hasText: "Wrong code" }).waitFor();
		assert(/one try left/.test(await p.locator("#tries").textContent()),
		    "the retry is not shown");
		const said = await p.getByText(/wrong code/i).count();
		assert(said === 1, `"wrong code" is said ${said} times`);
		await stateWithin(teacher, S[0], "wrong_once", 1000);
	});

	for (const [i, state] of [[0, "present"], [1, "flagged"]]) {
		await check(`student ${i + 1} enters the code; the roster shows ` +
		    `${state} within a second`, async () => {
			const p = studs[i];
			await p.getByLabel("The 4-digit code on the board").fill(otp);
			const start = Date.now();
			await p.getByRole("button", { name: "Submit code" }).click();
			await stateWithin(teacher, S[i], state, 1000);
			const ms = Date.now() - start;
			log(`  ${S[i]} ${state} on the teacher's screen after ${ms} ms`);
			assert(ms < 1000, `took ${ms} ms`);
			await p.locator(state === "present" ? "#result.ok" :
			    "#result.warn", { hasText: state === "present" ?
			    "marked present" : "flagged" }).waitFor();
		});
	}

	await check("counts on the projector", async () => {
		const c = async (k) => Number(await teacher.locator(
		    `#counts [data-count=${k}] strong`).textContent());
		assert(await c("present") === 1, "present != 1");
		assert(await c("flagged") === 1, "flagged != 1");
		assert(await c("total") === 30, "total != 30");
	});

	await teacher.screenshot({ path: join(ART, "e2e-teacher-live.png") });
	await studs[0].screenshot({ path: join(ART, "e2e-student-present.png"),
	    fullPage: true });
	await studs[1].screenshot({ path: join(ART, "e2e-student-flagged.png"),
	    fullPage: true });

	await check("the student who did nothing is absent after the window",
	    async () => {
		await stateWithin(teacher, S[2], "absent", 25000);
		await studs[2].locator("#result.bad",
		    { hasText: "window closed" }).waitFor({ timeout: 5000 });
		assert(/mark you present by hand/.test(await studs[2]
		    .locator("#result").textContent()), "no next step given");
		assert((await teacher.locator("#otp").textContent()) === "Closed",
		    "the OTP is still shown");
		const absent = Number(await teacher.locator(
		    "#counts [data-count=absent] strong").textContent());
		assert(absent === 28, `absent ${absent} != 28`);
	});

	await check("the teacher's screen survives a reload", async () => {
		await teacher.reload();
		await teacher.locator("#live").waitFor();
		await stateWithin(teacher, S[0], "present", 5000);
		await stateWithin(teacher, S[1], "flagged", 1000);
		await stateWithin(teacher, S[2], "absent", 1000);
		await teacher.locator("#conn.open").waitFor();
	});

	await check("a second round for the missing; the projector drops " +
	    "off the network and catches up", async () => {
		await teacher.getByRole("button",
		    { name: "Open a second round for the missing" }).click();
		await teacher.locator("#otp").filter({ hasText: /^\d{4}$/ })
		    .waitFor();
		const otp2 = (await teacher.locator("#otp").textContent()).trim();
		const p = studs[2];
		await p.locator("#otp-input").waitFor({ timeout: 3000 });
		/* student 1 is present already: the banner, never the entry */
		await studs[0].locator("#banner").waitFor({ timeout: 3000 });
		assert(await studs[0].locator("#otp-form").isHidden(),
		    "a present student is asked for the code again");
		/* the projector drops off the network while the student submits */
		await teacher.context().setOffline(true);
		await teacher.locator("#conn.closed").waitFor({ timeout: 3000 });
		await p.getByLabel("The 4-digit code on the board").fill(otp2);
		await p.getByRole("button", { name: "Submit code" }).click();
		await p.locator("#result.ok").waitFor();
		await new Promise((r) => setTimeout(r, 300));
		assert(await teacher.locator(`#roster li[data-email="${S[2]}"]` +
		    `[data-state="present"]`).count() === 0,
		    "an offline screen cannot have seen it");
		await teacher.context().setOffline(false);
		const back = Date.now();
		await stateWithin(teacher, S[2], "present", 5000);
		log(`  back online: the missed submission shown after ` +
		    `${Date.now() - back} ms`);
		await teacher.getByRole("button", { name: "Close now" }).click();
		await teacher.locator("#otp", { hasText: "Closed" }).waitFor();
	});

	await check("a manual mark with a reason", async () => {
		await tile(teacher, S[1]).getByRole("button").click();
		await teacher.locator("#mark-dialog[open]").waitFor();
		const dlg = teacher.locator("#mark-dialog");
		await dlg.getByLabel("Present", { exact: true }).check();
		await dlg.getByLabel("Reason (kept in the audit log)")
		    .fill("seen in class; the phone rang");
		await dlg.getByRole("button", { name: "Save" }).click();
		await stateWithin(teacher, S[1], "present", 2000);
	});

	await check("the student's history has the day and a percentage",
	    async () => {
		const p = studs[0];
		const id = course.split(" ")[0];
		await p.reload();
		await p.locator(`.subjects li[data-course="${id}"] .pct`,
		    { hasText: "100%" }).waitFor();
		await p.locator(".days li.m-P").first().waitFor();
		const ids = await p.locator(".subjects li").evaluateAll((l) =>
		    l.map((x) => x.dataset.course));
		assert(ids.join() === [...ids].sort((a, b) =>
		    a.localeCompare(b)).join(), `subjects not sorted: ${ids}`);
		/* the subjects without a class held say so, with no 0% */
		const none = p.locator(".subjects li.none");
		assert(await none.count() > 0, "no subject without classes");
		assert(await none.filter({ hasText: "no classes yet" }).count() ===
		    await none.count(), "a subject without classes lacks the words");
		assert(await none.filter({ hasText: /\d%/ }).count() === 0,
		    "a subject without classes shows a percentage");
		await p.screenshot({ path: join(ART, "e2e-student-history.png"),
		    fullPage: true });
	});

	await check("the class report draws both charts", async () => {
		await teacher.getByRole("button", { name: "Back to dashboard" })
		    .click();
		const sel = teacher.getByLabel("Subject");
		const label = await sel.locator("option", { hasText: course })
		    .filter({ hasText: "2024/3/A" }).first().textContent();
		await sel.selectOption({ label });
		await teacher.getByRole("button", { name: "Show report" }).click();
		await teacher.locator("#report-out svg.chart").nth(1).waitFor();
		await teacher.locator("#report-out .bar").first().waitFor();
		await teacher.screenshot({ path: join(ART, "e2e-teacher-report.png"),
		    fullPage: true });
	});

	await check("Export to Excel downloads an xlsx that opens", async () => {
		const [dl] = await Promise.all([teacher.waitForEvent("download"),
		    teacher.getByRole("button", { name: "Export to Excel" }).click()]);
		const file = join(ART, "e2e-export.xlsx");
		await dl.saveAs(file);
		assert(/\.xlsx$/.test(dl.suggestedFilename()),
		    `file name ${dl.suggestedFilename()}`);
		const buf = readFileSync(file);
		assert(buf.subarray(0, 2).toString() === "PK", "not a zip");
		const z = spawnSync("unzip", ["-l", file], { encoding: "utf8" });
		const listing = z.status === 0 ? z.stdout : buf.toString("latin1");
		assert(listing.includes("xl/worksheets/sheet1.xml"),
		    "no xl/worksheets/sheet1.xml");
		log("  downloaded", dl.suggestedFilename(), buf.length, "bytes");
	});

	await check("device approvals load", async () => {
		await teacher.locator("#pending", { hasText: /No devices waiting|Approve/ })
		    .waitFor();
	});

	await check("the same student in a fresh browser is PENDING until " +
	    "the teacher approves", async () => {
		/* a new context is a new profile: no key, so a new device */
		const ctx = await ctxBrowser.newContext(
		    { viewport: { width: 360, height: 740 } });
		const p = await ctx.newPage();
		p.setDefaultTimeout(8000);
		await studs[2].context().close();	/* the old phone */
		await p.goto(BASE + "/");
		await p.getByLabel("College e-mail").fill(S[2]);
		await p.getByRole("button", { name: "Sign in" }).click();
		await p.locator("#toast", { hasText: "must approve" }).waitFor();
		await teacher.reload();
		await teacher.locator("#pending li.device",
		    { hasText: "Ishaan Reddy" }).getByRole("button",
		    { name: "Approve" }).click();
		await teacher.locator("#pending", { hasText: /No devices waiting/ })
		    .waitFor();
		await p.getByRole("button", { name: "Sign in" }).click();
		await p.waitForURL("**/student.html*");
		await p.locator("#conn.open").waitFor();
		await ctx.close();
	});

	await check("no console errors on any page", async () => {
		/* the browser's own line for a connect tried while the test
		 * had the network off is not an error of the page */
		const errs = consoleErrors.filter((e) =>
		    !e.includes("net::ERR_INTERNET_DISCONNECTED"));
		assert(errs.length === 0, errs.join(" | "));
	});
} catch (e) {
	abort(e);
} finally {
	if (ctxBrowser)
		await ctxBrowser.close().catch(() => {});
	rmSync(profile, { recursive: true, force: true });
}

finish();
