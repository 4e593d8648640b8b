/*
 * i18ncheck.mjs - what the browser tests check on every page in every
 * language: no visible text left in English or shown as a bare catalogue
 * key, and no serious or critical axe violation.
 *
 * The catalogues are nginx/www/i18n/<lang>.json.  A visible text is
 * "untranslated" in lang when it equals an English catalogue text whose
 * lang text differs (names such as eHazira are the same everywhere), or
 * looks like a key of the catalogue ("area.key").  axe-core (npm) is
 * injected into the page (the test's context bypasses the page's CSP) with
 * label-content-name-mismatch switched on (axe ships it off).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const WWW = new URL("../../nginx/www/", import.meta.url).pathname;
const AXE = readFileSync(createRequire(import.meta.url)
    .resolve("axe-core/axe.min.js"), "utf8");
export const CAT = Object.fromEntries(["en", "hi", "ur"].map((l) => [l,
    JSON.parse(readFileSync(join(WWW, "i18n", `${l}.json`), "utf8"))]));
/* Shown as they are in every language. */
const PROPER = new Set(["eHazira", "English"]);
const AREAS = [...new Set(Object.keys(CAT.en).map((k) => k.split(".")[0]))];
const KEY = new RegExp(`^(${AREAS.join("|")})\\.[a-z0-9_.]+$`);

/* Visible texts of the page that are English catalogue texts or keys. */
export async function untranslated(page, lang) {
	const english = new Set(Object.entries(CAT.en)
	    .filter(([k, v]) => !/\{\w+\}/.test(v) && CAT[lang][k] !== v &&
		!PROPER.has(v))
	    .map(([, v]) => v.trim()));
	const texts = await page.evaluate(() => {
		const out = [];
		const w = document.createTreeWalker(document.body,
		    NodeFilter.SHOW_TEXT);
		for (let n = w.nextNode(); n; n = w.nextNode()) {
			const s = n.nodeValue.replace(/\s+/g, " ").trim();
			const p = n.parentElement;
			if (s && p && p.checkVisibility() &&
			    p.closest("option, script, style") === null)
				out.push(s);
		}
		return out;
	});
	return texts.filter((s) => english.has(s) || KEY.test(s));
}

/* axe in the page: its serious and critical violations, as text. */
export async function axeViolations(page) {
	if (!await page.evaluate(() => !!window.axe))
		await page.addScriptTag({ content: AXE });
	return page.evaluate(async () => {
		/* global axe */
		const r = await axe.run(document, { rules: {
		    "label-content-name-mismatch": { enabled: true } } });
		return r.violations.filter((x) =>
		    x.impact === "serious" || x.impact === "critical")
		    .map((x) => `${x.id} (${x.impact}, ${x.nodes.length}: ` +
			`${x.nodes[0].target.join(" ")})`);
	});
}
