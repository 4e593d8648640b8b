/*
 * pwa.mjs - the student page as an installed app, in Debian's chromium:
 * the manifest and its icons, the service worker (no-cache, the CSP lets
 * it run), the app shell cached and opening offline with the last history
 * and the "offline" line, no API answer in any cache, no layout shift
 * (CLS < 0.1) when the banner and the history arrive, and a Web Push
 * delivered to the real service worker (DevTools
 * ServiceWorker.deliverPushMessage) shown as "Attendance is open -
 * MA301, N s", with its click leading to the code entry.
 *
 *   node pwa.mjs <base URL> <artifacts dir>
 *
 * The last line is "pwa: N passed, M failed".
 */
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, harness, launchChromium } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const STUDENT = "student04@demo.ehazira.in";

const { log, check, abort, finish } = harness("pwa");

const profile = mkdtempSync(join(tmpdir(), "ehazira-pwa-"));
process.env.TMPDIR = profile;
let browser = null;

/* CLS of the page's load so far (layout-shift entries, buffered). */
const clsOf = (page) => page.evaluate(() => new Promise((done) => {
	let cls = 0;
	new PerformanceObserver((l) => {
		for (const e of l.getEntries())
			if (!e.hadRecentInput)
				cls += e.value;
	}).observe({ type: "layout-shift", buffered: true });
	setTimeout(() => done(cls), 300);
}));

try {
	browser = await launchChromium(chromium);
	const ctx = await browser.newContext({ viewport: { width: 360,
	    height: 740 }, hasTouch: true });
	await ctx.grantPermissions(["notifications"], { origin: BASE });
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);

	await check("a student signs in and the service worker takes over",
	    async () => {
		await page.goto(BASE + "/");
		await page.getByLabel("College e-mail").fill(STUDENT);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL("**/student.html*");
		await page.evaluate(() => navigator.serviceWorker.ready);
		await page.reload();
		assert(await page.evaluate(() =>
		    !!navigator.serviceWorker.controller), "no controller");
		await page.locator("#subjects li, #subjects p.muted").first()
		    .waitFor();
	});

	await check("the manifest and its PNG icons make it installable",
	    async () => {
		const href = await page.locator("link[rel=manifest]")
		    .getAttribute("href");
		const m = await (await page.request.get(`${BASE}/${href}`)).json();
		assert(m.display === "standalone" && m.short_name === "eHazira" &&
		    m.start_url && m.theme_color, "manifest fields");
		for (const i of m.icons) {
			const r = await page.request.get(BASE + i.src);
			const b = await r.body();
			assert(r.status() === 200 && b.subarray(1, 4)
			    .toString() === "PNG", `icon ${i.src}`);
		}
		assert(m.icons.some((i) => i.sizes === "512x512") &&
		    m.icons.some((i) => i.sizes === "192x192"), "icon sizes");
	});

	await check("sw.js is no-cache and the CSP allows the worker",
	    async () => {
		const r = await page.request.get(BASE + "/sw.js");
		assert(/no-cache/.test(r.headers()["cache-control"]),
		    `sw.js Cache-Control: ${r.headers()["cache-control"]}`);
		const csp = r.headers()["content-security-policy"];
		assert(/worker-src 'self'/.test(csp) &&
		    /manifest-src 'self'/.test(csp), `CSP: ${csp}`);
		assert(!/unsafe-inline/.test(csp), "inline allowed");
	});

	await check("the app shell is cached and no API answer is",
	    async () => {
		const keys = await page.evaluate(async () => {
			const out = [];
			for (const n of await caches.keys())
				for (const k of await (await caches.open(n)).keys())
					out.push(new URL(k.url).pathname);
			return out;
		});
		for (const f of ["/student.html", "/js/student.js",
		    "/js/pwa.js", "/css/app.css"])
			assert(keys.includes(f), `${f} not cached`);
		const api = keys.filter((k) => !/\.(html|js|css|json|png)$/
		    .test(k));
		assert(api.length === 0, `cached API paths: ${api}`);
	});

	await check("no layout shift as the page loads (CLS < 0.1)",
	    async () => {
		await page.reload();
		await page.locator("#subjects li, #subjects p.muted").first()
		    .waitFor();
		await page.locator("#conn.open").waitFor();
		const cls = await clsOf(page);
		log(`  CLS ${cls.toFixed(4)}`);
		assert(cls < 0.1, `CLS ${cls}`);
	});

	await check("offline the app opens with its last history and says so",
	    async () => {
		const before = await page.locator("#subjects").innerText();
		await ctx.setOffline(true);
		await page.reload();
		await page.locator("#offline:not([hidden])").waitFor();
		assert(/Offline/.test(await page.locator("#offline")
		    .textContent()), "no offline line");
		const after = await page.locator("#subjects").innerText();
		assert(after === before, `history differs offline: ${after}`);
		await ctx.setOffline(false);
		await page.reload();
		await page.locator("#offline").waitFor({ state: "hidden" });
	});

	await check("a Web Push reaches the service worker and shows the " +
	    "notice, never the code", async () => {
		const cdp = await ctx.newCDPSession(page);
		/* The latest state of each registration: an earlier event may
		 * still list one a later event deleted. */
		const regs = new Map();
		cdp.on("ServiceWorker.workerRegistrationUpdated",
		    (e) => e.registrations.forEach((r) =>
			regs.set(r.registrationId, r)));
		await cdp.send("ServiceWorker.enable");
		const live = () => [...regs.values()].find((r) =>
		    !r.isDeleted && r.scopeURL.startsWith(BASE));
		for (let i = 0; i < 50 && !live(); i++)
			await page.waitForTimeout(100);
		const reg = live();
		assert(reg, "no service worker registration over DevTools");
		const exp = Math.floor(Date.now() / 1000) + 15;
		const push = () => cdp.send("ServiceWorker.deliverPushMessage", {
			origin: BASE, registrationId: reg.registrationId,
			data: JSON.stringify({ notification: {
			    title: "Attendance is open",
			    body: "Open eHazira and enter the code on the board" },
			    data: { type: "attendance.started", session_id: "41",
				subject: "MA301 Discrete Mathematics",
				expires_at: String(exp) } }),
		});
		/* DevTools drops a push that arrives while the worker is being
		 * started on a loaded machine; the same tag replaces the notice,
		 * so delivering again cannot show two. */
		let shown = [];
		for (let i = 0; i < 60 && !shown.length; i++) {
			if (i % 20 === 0)
				await push();
			shown = await page.evaluate(async () =>
			    (await (await navigator.serviceWorker.ready)
				.getNotifications()).map((n) => ({ title: n.title,
				    body: n.body, tag: n.tag, url: n.data.url })));
			if (!shown.length)
				await page.waitForTimeout(100);
		}
		assert(shown.length === 1, `notifications: ${JSON.stringify(shown)}`);
		const n = shown[0];
		log(`  "${n.title}"`);
		assert(/^Attendance is open \u2014 MA301, 1[0-5] s$/.test(n.title),
		    `title ${n.title}`);
		assert(n.tag === "session-41", `tag ${n.tag}`);
		assert(n.url === "/student.html#code", `click goes to ${n.url}`);
	});

	await check("the notification's target opens the app at the code " +
	    "entry", async () => {
		await page.goto(BASE + "/student.html#code");
		await page.locator("#idle:not([hidden]), #banner:not([hidden])")
		    .first().waitFor();
		assert(await page.evaluate(() => location.hash) === "#code",
		    "hash lost");
	});
} catch (e) {
	abort(e);
} finally {
	if (browser)
		await browser.close().catch(() => {});
	rmSync(profile, { recursive: true, force: true });
}
finish();
