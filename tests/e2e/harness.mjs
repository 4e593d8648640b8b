/*
 * harness.mjs - what every e2e script needs to be a test: named checks
 * that count and log their outcome with the time since the start, an
 * assert, and the summary line ("LABEL: N passed, M failed") that
 * tests/e2e/run reads, with the exit status to match.
 */

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
