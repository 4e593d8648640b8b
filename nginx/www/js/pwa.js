/*
 * pwa.js - the student page as an installed app: the service worker
 * (sw.js: the app shell offline, Web Push), the "Install eHazira" hint
 * (Chrome's beforeinstallprompt), the offline state, the last history
 * seen (shown when the API cannot be reached), and the Web Push
 * subscription: PushManager.subscribe with the relay's VAPID key from
 * /app-config, sent to POST /devices/web-push.  The page keeps the history
 * itself (localStorage) rather than the worker caching API answers: an API
 * answer is never served from a cache.
 */
import { api, el } from "./api.js";
import { fmtMoment, t } from "./i18n.js";

const HISTORY_KEY = "ehazira.history";
let installEvent = null;

const $ = (id) => document.getElementById(id);

/* The last history the page saw, with when; null when none. */
export function lastHistory() {
	try {
		return JSON.parse(localStorage.getItem(HISTORY_KEY) || "null");
	} catch {
		return null;
	}
}

export function saveHistory(summary) {
	try {
		localStorage.setItem(HISTORY_KEY, JSON.stringify({
		    saved_at: Date.now(), summary }));
	} catch {
		/* full or private mode: the next start loads it again */
	}
}

/* The offline line: shown while the browser or the API is unreachable. */
export function showOffline(off, savedAt) {
	const p = $("offline");
	if (!p)
		return;
	p.hidden = !off;
	if (off)
		p.textContent = savedAt ? t("pwa.offline_at",
		    { when: fmtMoment(savedAt) }) :
		    t("pwa.offline_last");
}

function bar() {
	return $("pwa-bar");
}

function addAction(id, text, onclick) {
	if ($(id))
		return;
	bar().append(el("button.quiet", { type: "button", id, onclick }, text));
	bar().hidden = false;
}

function dropAction(id) {
	const b = $(id);
	if (b)
		b.remove();
	bar().hidden = !bar().children.length;
}

/* base64url text as the bytes applicationServerKey takes. */
function keyBytes(b64) {
	const s = atob(b64.replace(/-/g, "+").replace(/_/g, "/"));
	return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function subscribe(reg, vapidKey) {
	let sub = await reg.pushManager.getSubscription();
	if (!sub)
		sub = await reg.pushManager.subscribe({ userVisibleOnly: true,
		    applicationServerKey: keyBytes(vapidKey) });
	await api("/devices/web-push", { method: "POST", body: sub.toJSON() });
	dropAction("push-on");
}

/* Subscribes now if allowed; else offers a button (a user gesture). */
async function setUpPush(reg) {
	if (!("PushManager" in window) || !("Notification" in window))
		return;
	const cfg = await api("/app-config");
	if (!cfg.vapid_public_key || Notification.permission === "denied")
		return;
	const go = () => subscribe(reg, cfg.vapid_public_key)
	    .catch(() => null);
	if (Notification.permission === "granted")
		return go();
	addAction("push-on", t("pwa.push_on"), async () => {
		if (await Notification.requestPermission() === "granted")
			go();
		else
			dropAction("push-on");
	});
}

/* The notification's click lands at the code entry. */
function toCode() {
	const input = $("otp-input");
	if (input && !input.closest("[hidden]"))
		input.focus();
	else if ($("banner"))
		$("banner").scrollIntoView();
}

export function startPwa() {
	window.addEventListener("beforeinstallprompt", (ev) => {
		ev.preventDefault();
		installEvent = ev;
		addAction("install", t("pwa.install"), async () => {
			installEvent.prompt();
			await installEvent.userChoice;
			installEvent = null;
			dropAction("install");
		});
	});
	window.addEventListener("appinstalled", () => dropAction("install"));
	window.addEventListener("offline", () =>
	    showOffline(true, (lastHistory() || {}).saved_at));
	window.addEventListener("online", () => showOffline(false));
	if (location.hash === "#code")
		setTimeout(toCode, 0);
	if (!("serviceWorker" in navigator))
		return;
	navigator.serviceWorker.addEventListener("message", (ev) => {
		if (ev.data && ev.data.type === "open-code")
			toCode();
		/* the worker subscribed again (pushsubscriptionchange): the
		 * page holds the token, so it posts the new subscription */
		if (ev.data && ev.data.type === "push-resubscribed")
			navigator.serviceWorker.ready.then(setUpPush)
			    .catch(() => null);
	});
	navigator.serviceWorker.register("/sw.js", { scope: "/" })
	    .then(() => navigator.serviceWorker.ready)
	    .then((reg) => navigator.onLine ? setUpPush(reg) : null)
	    .catch(() => null);
}
