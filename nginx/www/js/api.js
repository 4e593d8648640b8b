/*
 * api.js - the one way the pages talk to the REST API.
 *
 * Holds the signed-in session (access + refresh token, role, user) in
 * localStorage, adds the bearer header, and on a 401 for an expired or
 * invalid access token rotates the refresh token once (POST /auth/refresh)
 * and retries.  Concurrent callers share one refresh: the server revokes a
 * refresh token presented twice, so two parallel rotations would sign the
 * user out.  Every failure becomes an ApiError with the server's code and
 * message; showError() is the one place errors are shown (in the page's
 * language: a code the catalogue knows as err.<code> is shown in its words,
 * else the server's message).
 *
 * Tokens are bound to the browser's device key (dpop.js): every call that
 * carries a token, and the sign-in and refresh calls, carry a DPoP proof;
 * a 401 use_dpop_nonce is retried once with the server's nonce.
 */
import { noteNonce, proof, supported as dpopSupported } from "./dpop.js";
import { t } from "./i18n.js";

const KEY = "ehazira.session";

export class ApiError extends Error {
	constructor(status, code, message, body) {
		super(message);
		this.status = status;
		this.code = code;
		this.body = body || null;
	}
}

export function session() {
	try {
		return JSON.parse(localStorage.getItem(KEY) || "null");
	} catch {
		return null;
	}
}

export function saveSession(s) {
	localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
	localStorage.removeItem(KEY);
}

/* Seconds until the access token expires (from its own exp claim). */
function secondsLeft(token) {
	try {
		const p = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
		return JSON.parse(atob(p)).exp - Date.now() / 1000;
	} catch {
		return -1;
	}
}

let refreshing = null;

/* One rotation at a time; resolves to the new access token or throws. */
export function refresh() {
	if (refreshing)
		return refreshing;
	const s = session();
	if (!s || !s.refresh_token)
		return Promise.reject(new ApiError(401, "signed_out",
		    t("err.signed_out")));
	refreshing = (async () => {
		const res = await keyedFetch("/auth/refresh", "POST", null,
		    { "Content-Type": "application/json" },
		    JSON.stringify({ refresh_token: s.refresh_token }));
		const body = await res.json().catch(() => ({}));
		if (!res.ok) {
			if (res.status === 401)
				clearSession();
			throw errorOf(res.status, body);
		}
		const cur = session() || s;
		cur.access_token = body.access_token;
		cur.refresh_token = body.refresh_token;
		saveSession(cur);
		return cur.access_token;
	})().finally(() => { refreshing = null; });
	return refreshing;
}

/*
 * fetch with the device key's proof (when the browser has WebCrypto; the
 * server refuses a bound token without one): "Authorization: DPoP" for a
 * token, a fresh proof per try, one retry when the server wants a nonce.
 */
export async function keyedFetch(path, method, token, headers, body,
    keepalive) {
	const go = async () => {
		const h = Object.assign({}, headers);
		if (dpopSupported()) {
			h.DPoP = await proof(method, path, token);
			if (token)
				h.Authorization = "DPoP " + token;
		} else if (token) {
			h.Authorization = "Bearer " + token;
		}
		return fetch(path, { method, headers: h, body, keepalive });
	};
	let res = await go();
	if (dpopSupported() && noteNonce(res))
		res = await go();
	return res;
}

/* A valid access token, refreshed first when it is about to expire. */
export async function accessToken() {
	const s = session();
	if (!s)
		throw new ApiError(401, "signed_out", t("err.signed_out"));
	if (secondsLeft(s.access_token) < 30)
		return refresh();
	return s.access_token;
}

function errorOf(status, body) {
	const e = body && body.error;
	return new ApiError(status, e ? e.code : "http_" + status,
	    e ? e.message : t("err.http", { status }), body);
}

/*
 * api(path, {method, body, as}) -> parsed JSON (as: "json"), text ("text")
 * or a Response ("response", for downloads).  Throws ApiError.
 */
export async function api(path, opts = {}) {
	const auth = opts.auth !== false;
	const send = async (token) => {
		const headers = {};
		if (opts.body !== undefined)
			headers["Content-Type"] = "application/json";
		const method = opts.method || (opts.body !== undefined ?
		    "POST" : "GET");
		const body = opts.body !== undefined ?
		    JSON.stringify(opts.body) : undefined;
		/* no key for public calls, except the sign-in that binds it */
		if (!token && !opts.bindKey) {
			const res = await fetch(path, { method, headers, body,
			    keepalive: !!opts.keepalive });
			if (dpopSupported())
				noteNonce(res);	/* /app-config hands one out */
			return res;
		}
		return keyedFetch(path, method, token, headers, body,
		    !!opts.keepalive);
	};
	let res;
	try {
		res = await send(auth ? await accessToken() : null);
		if (auth && res.status === 401) {
			const b = await res.clone().json().catch(() => ({}));
			const code = b.error && b.error.code;
			if (code === "token_expired" || code === "invalid_token")
				res = await send(await refresh());
		}
	} catch (e) {
		if (e instanceof ApiError)
			throw e;
		throw new ApiError(0, "network", t("err.network"));
	}
	if (!res.ok) {
		const body = await res.json().catch(() => ({}));
		if (res.status === 401 && auth)
			onSignedOut();
		throw errorOf(res.status, body);
	}
	if (opts.as === "response")
		return res;
	if (opts.as === "text")
		return res.text();
	return res.json();
}

let signedOutHandler = () => {};

export function onSignedOut(fn) {
	if (fn)
		signedOutHandler = fn;
	else
		signedOutHandler();
}

/* An error's text in the page's language where the catalogue has it. */
export function errorText(err) {
	if (err && err.code) {
		const k = "err." + err.code;
		const s = t(k);
		if (s !== k)
			return s;
	}
	return err instanceof ApiError ? err.message :
	    (err && err.message) || String(err);
}

/* The one error display: a dismissable line in #toast (role=alert). */
export function showError(err, where) {
	const box = document.getElementById("toast");
	const text = errorText(err);
	if (!box) {
		console.warn(text);
		return;
	}
	box.textContent = "";
	const p = document.createElement("p");
	p.textContent = (where ? where + ": " : "") + text;
	const close = document.createElement("button");
	close.type = "button";
	close.className = "link";
	close.textContent = t("common.dismiss");
	close.addEventListener("click", () => { box.hidden = true; });
	p.append(" ", close);
	box.append(p);
	box.className = "toast";
	box.setAttribute("role", "alert");
	box.hidden = false;
}

/* A passing note (success), styled as one, in the same line. */
export function showInfo(text) {
	const box = document.getElementById("toast");
	if (!box)
		return;
	box.textContent = text;
	box.className = "toast info";
	box.setAttribute("role", "status");
	box.hidden = false;
	setTimeout(() => { if (box.textContent === text) box.hidden = true; },
	    4000);
}

/* Small DOM helper: el("p.note", {id: "x"}, "text", child...). */
export function el(spec, attrs, ...kids) {
	const [tag, ...cls] = spec.split(".");
	const n = document.createElement(tag);
	if (cls.length)
		n.className = cls.join(" ");
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith("on"))
			n.addEventListener(k.slice(2), v);
		else if (k === "text")
			n.textContent = v;
		else
			n.setAttribute(k, v === true ? "" : v);
	}
	for (const c of kids)
		if (c !== null && c !== undefined && c !== false)
			n.append(c);
	return n;
}
