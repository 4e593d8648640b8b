/*
 * i18n.js - the languages of the web app: English, Hindi and Urdu.
 *
 * Every string a page shows comes from one catalogue per language
 * (i18n/<lang>.json, flat "area.key": "text {param}" pairs; all three have
 * the same keys, which tests/e2e checks).  The language is the one chosen
 * with the switch in the top bar (kept in localStorage), else the first of
 * the browser's languages we have, else English.  The catalogue is loaded
 * before any page module runs (top-level await), so t() is synchronous.
 * Markup carries data-i18n="key" (text) and data-i18n-attr="attr:key,..."
 * and is translated by translateDom(); Urdu turns the page right-to-left
 * (dir="rtl"; app.css uses logical properties).  Dates and numbers go
 * through Intl in the language's Indian locale.
 */

export const LANGS = { en: "English", hi: "\u0939\u093f\u0928\u094d\u0926\u0940",
	ur: "\u0627\u0631\u062f\u0648" };
const LOCALE = { en: "en-IN", hi: "hi-IN", ur: "ur-IN" };
const RTL = new Set(["ur"]);
const KEY = "ehazira.lang";

function pick() {
	let saved = null;
	try {
		saved = localStorage.getItem(KEY);
	} catch {
		/* storage blocked: the browser's language */
	}
	if (saved && LANGS[saved])
		return saved;
	for (const l of navigator.languages || [navigator.language || "en"]) {
		const base = String(l).toLowerCase().split("-")[0];
		if (LANGS[base])
			return base;
	}
	return "en";
}

export const lang = pick();
export const locale = LOCALE[lang];

async function load(l) {
	const res = await fetch(`i18n/${l}.json`, { cache: "no-cache" });
	if (!res.ok)
		throw new Error(`i18n/${l}.json: ${res.status}`);
	return res.json();
}

let cat = {};
try {
	cat = await load(lang);
} catch (e) {
	console.warn("catalogue", lang, e.message);
}

const nf = new Intl.NumberFormat(locale);

/* A number in the locale's digits and grouping. */
export function num(n, opts) {
	if (n === null || n === undefined || Number.isNaN(n))
		return "-";
	return opts ? new Intl.NumberFormat(locale, opts).format(n) :
	    nf.format(n);
}

/* A percentage given as 0..100 (one decimal at most). */
export function pct(p) {
	if (p === null || p === undefined)
		return "-";
	return new Intl.NumberFormat(locale, { style: "percent",
	    maximumFractionDigits: 1 }).format(p / 100);
}

/*
 * The text of key with {name} replaced by params.name (numbers in the
 * locale).  A key missing from the catalogue shows as itself: visible,
 * and caught by the browser test.
 */
export function t(key, params) {
	const s = Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : key;
	if (!params)
		return s;
	return s.replace(/\{(\w+)\}/g, (m, k) => {
		const v = params[k];
		if (v === undefined || v === null)
			return m;
		return typeof v === "number" ? num(v) : String(v);
	});
}

/* "2026-12-05" (a local date) as a Date at local noon (no DST edge). */
export function parseDay(iso) {
	const [y, m, d] = String(iso).split("-").map(Number);
	return new Date(y, m - 1, d, 12);
}

/* A local date string "YYYY-MM-DD" of a Date. */
export function isoDay(d) {
	const p = (n) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/* A local date (ISO "YYYY-MM-DD") in the locale, with weekday if asked. */
export function fmtDay(iso, weekday) {
	if (!iso)
		return "";
	return new Intl.DateTimeFormat(locale, { day: "numeric",
	    month: "short", year: "numeric",
	    weekday: weekday ? "long" : undefined }).format(parseDay(iso));
}

/* A moment (ISO with zone, or ms) in the browser's zone and locale. */
export function fmtMoment(v) {
	const d = new Date(typeof v === "string" && !/[Zz]|[+-]\d\d:?\d\d$/
	    .test(v) ? v.replace(" ", "T") + "Z" : v);
	if (Number.isNaN(d.getTime()))
		return String(v || "");
	return new Intl.DateTimeFormat(locale, { dateStyle: "medium",
	    timeStyle: "short" }).format(d);
}

/* Translates the markup under root (data-i18n, data-i18n-attr). */
export function translateDom(root = document) {
	for (const n of root.querySelectorAll("[data-i18n]"))
		n.textContent = t(n.dataset.i18n);
	for (const n of root.querySelectorAll("[data-i18n-attr]"))
		for (const pair of n.dataset.i18nAttr.split(",")) {
			const [attr, key] = pair.split(":").map((x) => x.trim());
			n.setAttribute(attr, t(key));
		}
	if (root === document) {
		document.documentElement.lang = lang;
		document.documentElement.dir = RTL.has(lang) ? "rtl" : "ltr";
		const title = document.querySelector("title[data-i18n]");
		if (title)
			document.title = t(title.dataset.i18n);
	}
}

/* Remembers a language and shows the page in it. */
export function setLang(l) {
	if (!LANGS[l])
		return;
	try {
		localStorage.setItem(KEY, l);
	} catch {
		/* not remembered; this page still changes */
	}
	location.reload();
}

/* The language switch: a labelled <select> (each name in its language). */
export function langSwitch() {
	const id = "lang-switch";
	const wrap = document.createElement("span");
	wrap.className = "lang";
	const label = document.createElement("label");
	label.htmlFor = id;
	label.className = "sr";
	label.textContent = t("common.language");
	const sel = document.createElement("select");
	sel.id = id;
	for (const [code, name] of Object.entries(LANGS)) {
		const o = document.createElement("option");
		o.value = code;
		o.lang = code;
		o.textContent = name;
		o.selected = code === lang;
		sel.append(o);
	}
	sel.addEventListener("change", () => setLang(sel.value));
	wrap.append(label, sel);
	return wrap;
}

translateDom();
