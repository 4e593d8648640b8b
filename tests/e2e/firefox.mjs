/*
 * firefox.mjs - the student's side of an attendance in Firefox: Debian's
 * firefox-esr driven over WebDriver BiDi by puppeteer-core (no browser
 * download).  The teacher acts through the API, the student in the page:
 * sign in, the live "attendance open" banner, the code, "present".
 *
 *   node firefox.mjs <base URL> <artifacts dir>
 *
 * The last line is "firefox: N passed, M failed".
 */
import puppeteer from "puppeteer-core";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { harness } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const ART = process.argv[3] || "tests/artifacts";
const FIREFOX = process.env.EHAZIRA_FIREFOX || "/usr/bin/firefox-esr";
/* Another teacher and student than the Chromium run uses. */
const TEACHER = "arjun.nair@demo.ehazira.in";
const STUDENT = "student10@demo.ehazira.in";

const { check, fail, finish } = harness("firefox", "firefox:");

async function api(method, path, token, body) {
	const res = await fetch(BASE + path, {
		method,
		headers: Object.assign({ "Content-Type": "application/json" },
		    token ? { Authorization: `Bearer ${token}` } : {}),
		body: body ? JSON.stringify(body) : undefined,
	});
	const json = await res.json();
	if (!res.ok)
		throw new Error(`${method} ${path}: ${res.status} ` +
		    JSON.stringify(json));
	return json;
}

/* The teacher signs in the way the web page does (demo stand-in). */
async function teacherToken() {
	const { id_token } = await api("POST", "/demo/google/token", null,
	    { email: TEACHER });
	const fp = createHash("sha256").update(randomBytes(16)).digest("hex");
	const r = await api("POST", "/auth/google", null, { id_token,
		device: { uuid: "DUMMY", platform: "WEB", fingerprint_hash: fp } });
	return r.access_token;
}

let browser, profile, page, token, otp, sessionId;
try {
	profile = mkdtempSync(join(tmpdir(), "ehz-firefox-"));
	browser = await puppeteer.launch({
		browser: "firefox",
		executablePath: FIREFOX,
		headless: true,
		userDataDir: profile,
		protocol: "webDriverBiDi",
		extraPrefsFirefox: {
			"browser.shell.checkDefaultBrowser": false,
			"datareporting.policy.dataSubmissionEnabled": false,
			"app.update.enabled": false,
			"network.dns.disableIPv6": true,
		},
	});
	page = await browser.newPage();
	await page.setViewport({ width: 360, height: 780 });
	const errors = [];
	page.on("pageerror", (e) => errors.push(String(e)));

	await check("a student signs in", async () => {
		await page.goto(BASE + "/");
		await page.waitForSelector("#demo-email", { visible: true });
		await page.type("#demo-email", STUDENT);
		await Promise.all([page.waitForNavigation(),
		    page.click("#demo-submit")]);
		if (!page.url().includes("/student.html"))
			throw new Error(`landed on ${page.url()}`);
		await page.waitForSelector("#conn.open", { timeout: 10000 });
	});

	await check("the attendance banner arrives live", async () => {
		token = await teacherToken();
		const day = await api("GET", "/timetable", token);
		const p = day.periods.find((x) => x.class.section === "A" &&
		    x.class.batch === "2024" && !x.open);
		if (!p)
			throw new Error("no period of 2024/3/A for the teacher today");
		const w = await api("POST", "/attendance/initiate", token,
		    { period_id: p.period_id });
		otp = w.otp;
		sessionId = w.session_id;
		await page.waitForSelector("#banner:not([hidden])",
		    { timeout: 5000 });
	});

	await check("the code marks the student present", async () => {
		await page.type("#otp-input", otp);
		await page.click("#otp-submit");
		await page.waitForFunction(() => {
			const r = document.getElementById("result");
			return r && !r.hidden &&
			    /marked present/i.test(r.textContent);
		}, { timeout: 5000 });
		const live = await api("GET",
		    `/attendance/live-status?session_id=${sessionId}`, token);
		const me = live.students.find((s) => s.student_email === STUDENT);
		if (!me || me.state !== "present")
			throw new Error(`server says ${me && me.state}`);
		await page.screenshot({ path: join(ART, "e2e-firefox-student.png") });
	});

	await check("no script errors in Firefox", async () => {
		if (errors.length)
			throw new Error(errors.join("; "));
	});
} catch (e) {
	fail("setup -", (e && e.message || String(e)).split("\n")[0]);
} finally {
	if (token && sessionId)
		await api("POST", "/attendance/close", token,
		    { session_id: sessionId }).catch(() => {});
	if (browser)
		await browser.close().catch(() => {});
	if (profile)
		rmSync(profile, { recursive: true, force: true });
}
finish();
