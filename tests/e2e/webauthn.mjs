/*
 * webauthn.mjs - biometric presence in Debian's chromium with its virtual
 * authenticator (DevTools WebAuthn domain: a platform authenticator with
 * user verification, like a phone's screen lock).  Class 2024/3/B is set
 * to require_uv (ehazira-admin class-policy); a student signs in, the
 * page registers the device's passkey; the teacher opens a window; then
 * the refusals, each a 4xx with its code and nothing marked:
 *   - no user verification: the authenticator's check fails
 *     (isUserVerified false) and the page says so; an assertion without
 *     the UV flag sent anyway is refused by the server (uv_not_verified)
 *   - a passkey the device never registered (uv_unknown_credential)
 *   - an assertion replayed after it was used once (uv_replayed)
 * and the pass: the code with the screen lock marks the student present.
 * The policy is set back at the end.
 *
 *   node webauthn.mjs <base URL> <artifacts dir>
 *
 * WebAuthn refuses an IP address as RP ID: the pages are opened on
 * localhost, which tests/e2e/run makes PUBLIC_URL.  The last line is
 * "e2e: N passed, M failed".
 */
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, harness, launchChromium, signIn as harnessSignIn } from "./harness.mjs";

const BASE = (process.argv[2] || "http://127.0.0.1:8080")
    .replace("//127.0.0.1", "//localhost");
const TEACHER = "farah.khan@demo.ehazira.in";
const STUDENT = "student45@demo.ehazira.in";
const CLASS = "2";	/* 2024/3/B */

const { log, check, fail, abort, finish } = harness("e2e");

function policy(on) {
	const bin = process.env.EHAZIRA_BIN || "build";
	return execFileSync(`${bin}/ehazira-admin`, ["class-policy", "set",
	    CLASS, `require_uv=${on}`], { encoding: "utf8" });
}

const signIn = (page, email, role) =>
    harnessSignIn(BASE, page, email, role);

/*
 * A submit from the student page with an assertion made in the page (the
 * CSP allows no eval, so the ways are named): "discouraged" (no user
 * verification asked), "stranger" (a passkey made but never registered),
 * "registered" (the page's own way, presence.js), "replay" (the last
 * one again).  The error code, or "accepted".
 */
const submitWith = (page, code, way) => page.evaluate(async ({ otp, how }) => {
	const p = await import("/js/presence.js");
	const { api } = await import("/js/api.js");
	const { open } = await api("/attendance/open");
	const sid = open[0].session_id;
	const get = async (verification, only) => {
		const { publicKey } = await p.requestOptions(sid, verification);
		if (only)
			publicKey.allowCredentials = [{ type: "public-key",
			    id: only }];
		return p.assertionJson(await navigator.credentials.get(
		    { publicKey }));
	};
	const rnd = () => crypto.getRandomValues(new Uint8Array(16));
	let uv;
	if (how === "discouraged") {
		uv = await get("discouraged");
	} else if (how === "stranger") {
		const made = await navigator.credentials.create({ publicKey: {
			challenge: rnd(), rp: { id: location.hostname,
			    name: "elsewhere" },
			user: { id: rnd(), name: "x", displayName: "x" },
			pubKeyCredParams: [{ type: "public-key", alg: -7 }],
			authenticatorSelection: { userVerification:
			    "required" } } });
		uv = await get("required", made.rawId);
	} else if (how === "registered") {
		uv = await p.presenceFor(sid);
	} else {
		uv = window.lastUv;
	}
	window.lastUv = uv;
	try {
		await api("/attendance/submit", { body: { session_id: sid, otp,
		    uv } });
		return "accepted";
	} catch (e) {
		return e.code || String(e);
	}
}, { otp: code, how: way });

const profile = mkdtempSync(join(tmpdir(), "ehazira-webauthn-"));
process.env.TMPDIR = profile;
let browser = null;

try {
	policy(true);
	browser = await launchChromium(chromium);
	const sctx = await browser.newContext({ viewport: { width: 360,
	    height: 740 }, hasTouch: true });
	const page = await sctx.newPage();
	page.setDefaultTimeout(10000);
	const cdp = await sctx.newCDPSession(page);
	await cdp.send("WebAuthn.enable", { enableUI: false });
	const { authenticatorId } = await cdp.send(
	    "WebAuthn.addVirtualAuthenticator", { options: {
		protocol: "ctap2", transport: "internal", hasResidentKey: true,
		hasUserVerification: true, isUserVerified: true,
		automaticPresenceSimulation: true } });
	const tctx = await browser.newContext({ viewport: { width: 1366,
	    height: 900 } });
	const teacher = await tctx.newPage();
	teacher.setDefaultTimeout(10000);
	let otp = null;

	await check("the student signs in and the page registers a passkey",
	    async () => {
		await signIn(page, STUDENT, "student");
		let st = null;
		for (let i = 0; i < 50 && !(st && st.registered); i++) {
			st = await page.evaluate(async () => (await import(
			    "/js/api.js")).api("/webauthn/status"));
			if (!st.registered)
				await page.waitForTimeout(200);
		}
		assert(st.require_uv && st.registered,
		    `status ${JSON.stringify(st)}`);
		const { credentials } = await cdp.send("WebAuthn.getCredentials",
		    { authenticatorId });
		assert(credentials.length === 1 && credentials[0].rpId ===
		    "localhost", `credentials ${JSON.stringify(credentials)}`);
		log(`  passkey for ${credentials[0].rpId}, count ` +
		    credentials[0].signCount);
	});

	await check("the teacher opens a window for 2024/3/B", async () => {
		await signIn(teacher, TEACHER, "teacher");
		await teacher.locator("#periods table").waitFor();
		const row = teacher.locator("#periods tr", { hasText: "2024/3/B" })
		    .filter({ has: teacher.getByRole("button",
			{ name: "Start attendance" }) }).first();
		await row.getByRole("button", { name: "Start attendance" })
		    .click();
		await teacher.locator("#otp").filter({ hasText: /^\d{4}$/ })
		    .waitFor();
		otp = (await teacher.locator("#otp").textContent()).trim();
		await page.locator("#banner").waitFor({ timeout: 5000 });
	});

	await check("no user verification: the phone refuses and nothing " +
	    "is sent", async () => {
		await cdp.send("WebAuthn.setUserVerified", { authenticatorId,
		    isUserVerified: false });
		let sent = 0;
		const count = (r) => {
			if (r.url().includes("/attendance/submit"))
				sent++;
		};
		page.on("request", count);
		await page.getByLabel("The 4-digit code on the board").fill(otp);
		await page.getByRole("button", { name: "Submit code" }).click();
		await page.getByRole("button", { name: "Submit code" })
		    .and(page.locator(":enabled")).waitFor();
		page.off("request", count);
		assert(sent === 0, `${sent} submits sent without the lock`);
		/* nor over the socket: the server saw no try */
		const w = await page.evaluate(async () => (await (await import(
		    "/js/api.js")).api("/attendance/open")).open[0]);
		assert(!w.my_status && !w.wrong, `server saw ${JSON.stringify(w)}`);
		assert(await page.locator("#result.ok").count() === 0,
		    "marked without the screen lock");
	});

	await check("an assertion without the UV flag: 403 uv_not_verified",
	    async () => {
		const code = await submitWith(page, otp, "discouraged");
		assert(code === "uv_not_verified", `answer ${code}`);
	});

	await check("a passkey the device never registered: 403 " +
	    "uv_unknown_credential", async () => {
		await cdp.send("WebAuthn.setUserVerified", { authenticatorId,
		    isUserVerified: true });
		const code = await submitWith(page, otp, "stranger");
		assert(code === "uv_unknown_credential", `answer ${code}`);
	});

	await check("a replayed assertion: 403 uv_replayed", async () => {
		const wrong = String((Number(otp) + 1) % 10000).padStart(4, "0");
		const first = await submitWith(page, wrong, "registered");
		assert(first === "wrong_otp", `first answer ${first}`);
		const again = await submitWith(page, otp, "replay");
		assert(again === "uv_replayed", `replay answer ${again}`);
	});

	await check("with the screen lock the code marks the student present",
	    async () => {
		await page.getByLabel("The 4-digit code on the board").fill(otp);
		await page.getByRole("button", { name: "Submit code" }).click();
		await page.locator("#result.ok").waitFor({ timeout: 5000 });
		assert(/marked present/.test(await page.locator("#result")
		    .textContent()), "no 'present'");
		const { credentials } = await cdp.send("WebAuthn.getCredentials",
		    { authenticatorId });
		log(`  sign count now ${credentials[0].signCount}`);
	});

	/* policy.mjs takes this class's period next: leave it closed */
	await check("the teacher closes the window", async () => {
		const r = teacher.waitForResponse((x) =>
		    x.url().endsWith("/attendance/close"));
		await teacher.locator("#close-now:enabled").click();
		assert((await r).ok(), "close refused");
	});
} catch (e) {
	abort(e);
} finally {
	if (browser)
		await browser.close().catch(() => {});
	try {
		policy(false);
	} catch (e) {
		fail("could not set the policy back", e.message);
	}
	rmSync(profile, { recursive: true, force: true });
}
finish();
