/*
 * policy.mjs - a class's policy set on the teacher's screen and working in
 * the browser (issue 17): rotating codes and the classroom geofence.
 *
 *   node policy.mjs <base URL> <artifacts dir>
 *
 * Farah Khan (CS303 in class 2024/3/B, which no other script uses) sets
 * the policy in the class policy card: a bad radius is refused with the
 * server's message and nothing is stored; then a 30 s window, a new code
 * every 5 s and a 100 m geofence centred on her own position ("Use my
 * position").  Positions are Chromium's emulated geolocation
 * (playwright's context geolocation: Emulation.setGeolocationOverride
 * with the permission granted).  In the window the code on her screen
 * changes; a student in the room who shares the position is present, one
 * 1.1 km away is flagged and the board shows the distance, and a code
 * relayed after it changed twice is refused.  The policy is put back
 * with ehazira-admin at the end.  The last line is "e2e: N passed, M
 * failed".
 */
import { chromium } from "playwright-core";
import { join } from "node:path";
import { admin, assert, harness, launchChromium, signIn as harnessSignIn } from "./harness.mjs";

const BASE = process.argv[2] || "http://127.0.0.1:8080";
const ART = process.argv[3] || "tests/artifacts";
const TEACHER = "farah.khan@demo.ehazira.in";
const CLASS = "2024/3/B";
const CLASS_ID = "2";
const ROOM = { latitude: 12.9716, longitude: 77.5946, accuracy: 10 };
const S = ["student31", "student32", "student33"].map(
    (s) => `${s}@demo.ehazira.in`);
/* in the room, 1.1 km north (good to 20 m), in the room */
const WHERE = [{ latitude: 12.9717, longitude: 77.5946, accuracy: 15 },
	{ latitude: 12.9816, longitude: 77.5946, accuracy: 20 },
	{ latitude: 12.9716, longitude: 77.5947, accuracy: 12 }];

const { log, check, abort, finish } = harness("e2e");

let browser = null;
const errors = [];

async function newPage(label, where, viewport) {
	const ctx = await browser.newContext({ viewport,
	    geolocation: where, permissions: ["geolocation"] });
	const page = await ctx.newPage();
	page.on("pageerror", (e) => errors.push(`${label}: ${e.message}`));
	page.setDefaultTimeout(8000);
	return page;
}

const signIn = (page, email, role) =>
    harnessSignIn(BASE, page, email, role);

const code = async (page) => (await page.locator("#otp").textContent())
    .trim();

/* The teacher's code once it is another than `was`. */
async function nextCode(page, was) {
	await page.locator("#otp").filter({ hasText: /^\d{4}$/ })
	    .filter({ hasNotText: was }).waitFor({ timeout: 9000 });
	return code(page);
}

async function savePolicy(page) {
	const put = page.waitForResponse((r) =>
	    r.url().endsWith(`/classes/${CLASS_ID}/policy`) &&
	    r.request().method() === "PUT");
	await page.locator("#pol-save").click();
	return put;
}

try {
	browser = await launchChromium(chromium);
	const teacher = await newPage("teacher", ROOM,
	    { width: 1366, height: 900 });
	const studs = [];
	for (let i = 0; i < S.length; i++)
		studs.push(await newPage(`student${i + 1}`, WHERE[i],
		    { width: 360, height: 740 }));
	await Promise.all([signIn(teacher, TEACHER, "teacher"),
	    ...studs.map((p, i) => signIn(p, S[i], "student"))]);

	await check("the teacher's policy card shows the class's policy",
	    async () => {
		await teacher.locator("#policy").waitFor();
		const got = teacher.waitForResponse((r) =>
		    r.url().endsWith(`/classes/${CLASS_ID}/policy`));
		await teacher.locator("#pol-class").selectOption(
		    { label: CLASS });
		await got;
		await teacher.locator("#pol-bounds").filter(
		    { hasText: /120/ }).waitFor();
		assert(await teacher.locator("#pol-rotate").inputValue() === "0",
		    "rotation already on");
	});

	await check("a bad radius is refused with the server's reason, " +
	    "nothing stored", async () => {
		await teacher.locator("#pol-here").click();
		await teacher.locator("#pol-status", { hasText: "Centre set" })
		    .waitFor();
		assert(await teacher.locator("#pol-lat").inputValue() ===
		    "12.971600", "the centre is not this device's position");
		await teacher.locator("#pol-radius").fill("10");
		const r = await savePolicy(teacher);
		assert(r.status() === 422, `PUT answered ${r.status()}`);
		await teacher.locator("#pol-status.bad", { hasText:
		    "geofence_radius must be 0 or 20 to 5000" }).waitFor();
		const s = admin("class-policy", "show", CLASS_ID);
		assert(/geofence_radius=0\n/.test(s.out) &&
		    /geofence_lat=0\n/.test(s.out), s.out);
	});

	await check("the teacher sets rotation and a geofence; the server " +
	    "stores them", async () => {
		await teacher.locator("#pol-ttl").fill("30");
		await teacher.locator("#pol-rotate").fill("5");
		await teacher.locator("#pol-overlap").fill("2");
		await teacher.locator("#pol-radius").fill("100");
		await teacher.locator("#pol-accuracy").fill("50");
		await teacher.locator("#pol-missing").selectOption("flag");
		const r = await savePolicy(teacher);
		assert(r.status() === 200, `PUT answered ${r.status()}`);
		await teacher.locator("#pol-status", { hasText: "Saved." })
		    .waitFor();
		const s = admin("class-policy", "show", CLASS_ID).out;
		for (const want of ["window_ttl=30", "rotate_every=5",
		    "geofence_radius=100", "geofence_lat=12.9716",
		    "geofence_lon=77.5946", "geofence_missing=flag"])
			assert(s.includes(want + "\n"), `${want} not in ${s}`);
		await teacher.screenshot({ path: join(ART, "e2e-policy.png"),
		    fullPage: true });
	});

	let first = null, second = null;
	await check("the code on the teacher's screen changes every 5 s",
	    async () => {
		/* a new session, or a new round of the one webauthn.mjs took:
		 * either opens a window with the policy just saved */
		const start = /^(Start attendance|Start another round)$/;
		const row = teacher.locator("#periods tr", { hasText: CLASS })
		    .filter({ has: teacher.getByRole("button",
			{ name: start }) }).first();
		await row.getByRole("button", { name: start }).click();
		await teacher.locator("#live").waitFor();
		await teacher.locator("#otp").filter({ hasText: /^\d{4}$/ })
		    .waitFor();
		first = await code(teacher);
		const at = Date.now();
		second = await nextCode(teacher, first);
		log(`  ${first} -> ${second} after ${Date.now() - at} ms`);
		assert(second !== first, "the code did not change");
	});

	for (const [i, state, box] of [[0, "present", "#result.ok"],
	    [1, "flagged", "#result.warn"]])
		await check(`a student ${i ? "1.1 km away" : "in the room"} ` +
		    `who shares the position is ${state}`, async () => {
			const p = studs[i];
			await p.locator("#geo-row").waitFor();
			await p.locator("#geo-consent").check();
			await p.locator("#otp-input").fill(await code(teacher));
			await p.getByRole("button", { name: "Submit code" })
			    .click();
			await p.locator(box).waitFor();
			await teacher.locator(`#roster li[data-email="${S[i]}"]` +
			    `[data-state="${state}"]`).waitFor({ timeout: 3000 });
		});

	await check("the board shows how far the flagged student was",
	    async () => {
		const tile = teacher.locator(`#roster li[data-email="${S[1]}"]`);
		await tile.locator(".geo").waitFor();
		const txt = await tile.locator(".geo").textContent();
		const m = /([\d,]+) m from the room/.exec(txt);
		assert(m, `no distance: ${txt}`);
		const n = Number(m[1].replace(/,/g, ""));
		assert(n > 1000 && n < 1200, `distance ${n}`);
		assert(await teacher.locator(`#roster li[data-email="${S[0]}"] ` +
		    ".geo").count() === 0, "a present student shows a distance");
	});

	await check("a code relayed after it changed twice is refused; the " +
	    "code of the moment is taken", async () => {
		const p = studs[2];
		await nextCode(teacher, second);
		await p.locator("#geo-row").waitFor();
		await p.locator("#geo-consent").check();
		await p.locator("#otp-input").fill(first);
		await p.getByRole("button", { name: "Submit code" }).click();
		await p.locator("#tries", { hasText: "Wrong code" }).waitFor();
		await p.locator("#otp-input").fill(await code(teacher));
		await p.getByRole("button", { name: "Submit code" }).click();
		await p.locator("#result.ok").waitFor();
		await studs[1].screenshot({ path: join(ART,
		    "e2e-policy-student-far.png"), fullPage: true });
	});

	await check("no script errors on any page", async () => {
		assert(errors.length === 0, errors.join(" | "));
	});
	await teacher.locator("#close-now").click().catch(() => {});
} catch (e) {
	abort(e);
} finally {
	/* the demo class as it was, for whatever runs next on this stack */
	admin("class-policy", "set", CLASS_ID, "window_ttl=0",
	    "rotate_every=0", "geofence_radius=0", "geofence_lat=0",
	    "geofence_lon=0", "geofence_missing=allow", "geofence_accuracy=100");
	if (browser)
		await browser.close();
}
finish();
