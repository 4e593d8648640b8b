/*
 * harness.mjs - what every e2e script needs to be a test: named checks
 * that count and log their outcome with the time since the start, an
 * assert, and the summary line ("LABEL: N passed, M failed") that
 * tests/e2e/run reads, with the exit status to match.
 */

import { spawnSync } from "node:child_process";
import { join } from "node:path";

export function assert(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

function firstLine(e) {
	return (e && e.message || String(e)).split("\n")[0];
}

/* label starts the summary line; tag, if any, follows PASS/FAIL */
export function harness(label, tag = "") {
	const t0 = Date.now();
	const h = { passed: 0, failed: 0 };
	const pre = tag ? ` ${tag}` : "";

	h.log = (...a) =>
		console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
	h.fail = (...a) => {
		h.failed++;
		h.log(`FAIL${pre}`, ...a);
	};
	/* a check's failure is counted and logged; the script goes on */
	h.check = async (name, fn) => {
		try {
			await fn();
			h.passed++;
			h.log(`PASS${pre}`, name);
			return true;
		} catch (e) {
			h.fail(name, "-", firstLine(e));
			return false;
		}
	};
	/* an exception outside any check ends the script's checks */
	h.abort = (e) => h.fail("(aborted)", e && e.stack || e);
	h.finish = () => {
		h.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		console.log(`${label}: ${h.passed} passed, ${h.failed} failed`);
		process.exit(h.failed ? 1 : 0);
	};
	return h;
}

/* Chromium as every script runs it: headless, and no sandbox, since the
 * tests run as root too. */
export function launchChromium(chromium) {
	return chromium.launch({
		executablePath: process.env.EHAZIRA_CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		    "--no-first-run", "--disable-background-networking",
		    "--disable-component-update", "--disable-sync"],
	});
}

/* The demo sign-in on the landing page, up to the role's page with its
 * live connection open. */
export async function signIn(base, page, email, role) {
	await page.goto(base + "/");
	await page.getByLabel("College e-mail").fill(email);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.waitForURL(`**/${role}.html*`);
	await page.locator("#conn.open").waitFor();
}

/* ehazira-admin of the build under test (EHAZIRA_BIN): its exit status
 * and everything it printed. */
export function admin(...args) {
	const bin = process.env.EHAZIRA_BIN || "build";
	const r = spawnSync(join(bin, "ehazira-admin"), args,
	    { encoding: "utf8" });
	return { status: r.status, out: (r.stdout || "") + (r.stderr || "") };
}
