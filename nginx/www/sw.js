/*
 * sw.js - the student app's service worker.
 *
 * The app shell: the student page, its style, its modules, the manifest and
 * the icons are cached at install, so the installed app opens at once and
 * offline (the page then shows the history it last saw, which it keeps
 * itself: js/pwa.js).  Shell files are answered from the cache and
 * refreshed from the network behind it (a new release shows on the next
 * start; a new sw.js, which nginx serves with no-cache, replaces the cache
 * at once).  Nothing else is touched: API calls, the WebSocket and the
 * other pages always go to the network, never to a cache.
 *
 * Web Push: a push (the relay's, RFC 8291-encrypted; the browser decrypts
 * it) carries {"notification", "data": {type, session_id, subject,
 * expires_at}} and never the code.  It is shown as "Attendance is open -
 * <course>, N s"; a click opens (or focuses) the app at the code entry.
 * When the push service renews or drops the subscription
 * (pushsubscriptionchange) the worker subscribes again with the same
 * VAPID key and tells the open pages, which post it (the worker holds no
 * access token); with none open, the app's next start posts it.
 */
const CACHE = "ehazira-shell-v3";
const SHELL = [
	"/student.html",
	"/css/app.css",
	"/js/student.js",
	"/js/api.js",
	"/js/auth.js",
	"/js/page.js",
	"/js/ws.js",
	"/js/pwa.js",
	"/js/dpop.js",
	"/js/i18n.js",
	"/js/leaveapply.js",
	"/js/presence.js",
	"/i18n/en.json",
	"/i18n/hi.json",
	"/i18n/ur.json",
	"/manifest.json",
	"/icons/icon-192.png",
	"/icons/icon-512.png",
];
const SHELL_SET = new Set(SHELL);

self.addEventListener("install", (ev) => {
	ev.waitUntil(caches.open(CACHE)
	    .then((c) => c.addAll(SHELL.map((u) => new Request(u,
		{ cache: "reload" }))))
	    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (ev) => {
	ev.waitUntil(caches.keys()
	    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE)
		.map((k) => caches.delete(k))))
	    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (ev) => {
	const req = ev.request;
	const url = new URL(req.url);
	if (req.method !== "GET" || url.origin !== self.location.origin ||
	    !SHELL_SET.has(url.pathname))
		return; /* the network, as if there were no worker */
	ev.respondWith(caches.open(CACHE).then(async (cache) => {
		const hit = await cache.match(url.pathname);
		const fresh = fetch(req).then((res) => {
			if (res.ok)
				cache.put(url.pathname, res.clone());
			return res;
		});
		if (hit) {
			ev.waitUntil(fresh.catch(() => null));
			return hit;
		}
		return fresh;
	}));
});

/* "Attendance is open - MA301, 15 s" from a push's data. */
const notice = (msg) => {
	const d = (msg && msg.data) || {};
	const left = Math.max(0, Math.round(Number(d.expires_at) -
	    Date.now() / 1000));
	const course = String(d.subject || "").split(" ")[0] || "your class";
	return {
		title: `Attendance is open \u2014 ${course}, ${left} s`,
		options: {
			body: (msg && msg.notification && msg.notification.body) ||
			    "Open eHazira and enter the code on the board",
			tag: `session-${d.session_id || "0"}`,
			renotify: true,
			requireInteraction: true,
			icon: "/icons/icon-192.png",
			badge: "/icons/icon-192.png",
			data: { url: "/student.html#code",
			    session_id: d.session_id || null },
		},
	};
};

self.addEventListener("push", (ev) => {
	let msg = null;
	try {
		msg = ev.data ? ev.data.json() : null;
	} catch (e) {
		msg = null;
	}
	const n = notice(msg);
	ev.waitUntil(self.registration.showNotification(n.title, n.options));
});

/* base64url text as the bytes applicationServerKey takes. */
const keyBytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, "+")
    .replace(/_/g, "/")), (c) => c.charCodeAt(0));

self.addEventListener("pushsubscriptionchange", (ev) => {
	ev.waitUntil((async () => {
		let sub = ev.newSubscription;
		if (!sub) {
			const old = ev.oldSubscription && ev.oldSubscription.options;
			let key = old && old.applicationServerKey;
			if (!key) {
				/* public: the VAPID key of /app-config */
				const cfg = await (await fetch("/app-config")).json();
				key = keyBytes(cfg.vapid_public_key);
			}
			sub = await self.registration.pushManager.subscribe(
			    { userVisibleOnly: true, applicationServerKey: key });
		}
		for (const c of await self.clients.matchAll({ type: "window",
		    includeUncontrolled: true }))
			c.postMessage({ type: "push-resubscribed",
			    endpoint: sub.endpoint });
	})().catch(() => null));
});

self.addEventListener("notificationclick", (ev) => {
	ev.notification.close();
	const target = new URL((ev.notification.data || {}).url ||
	    "/student.html#code", self.location.origin).href;
	ev.waitUntil(self.clients.matchAll({ type: "window",
	    includeUncontrolled: true }).then(async (list) => {
		for (const c of list) {
			if (new URL(c.url).pathname === "/student.html") {
				c.postMessage({ type: "open-code" });
				return c.focus();
			}
		}
		return self.clients.openWindow(target);
	}));
});
