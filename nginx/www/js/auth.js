/*
 * auth.js - sign-in for the web pages.
 *
 * Production: Google Identity Services renders its button (Google's own
 * script, loaded only when not in demo mode) and hands us an ID token.
 * Demo mode: the local stand-in (POST /demo/google/token {email}) signs an
 * ID token with the demo key.  Either way the token goes to POST
 * /auth/google as a WEB device and the API verifies it; there is no other
 * way in.  The WEB device is the browser's device key (dpop.js): the
 * sign-in carries a DPoP proof, the server takes the key's thumbprint as
 * the device and binds the tokens to it.  A browser without WebCrypto
 * (plain http off localhost) signs in the old way: "DUMMY" and a
 * per-browser random fingerprint; the server then refuses students.
 */
import { api, ApiError, clearSession, saveSession, session } from "./api.js";
import { deviceKey, supported as keySupported } from "./dpop.js";
import { t } from "./i18n.js";

let config = null;

export async function appConfig() {
	if (!config)
		config = await api("/app-config", { auth: false });
	return config;
}

function hex(bytes) {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
	    .join("");
}

/* 64 hex characters, kept per browser: SHA-256 of a random value. */
async function fingerprint() {
	let fp = localStorage.getItem("ehazira.fp");
	if (fp && /^[0-9a-f]{64}$/.test(fp))
		return fp;
	const seed = crypto.getRandomValues(new Uint8Array(32));
	if (crypto.subtle)
		fp = hex(new Uint8Array(await crypto.subtle.digest("SHA-256",
		    seed)));
	else
		fp = hex(seed);	/* plain-http LAN demo: no SubtleCrypto */
	localStorage.setItem("ehazira.fp", fp);
	return fp;
}

/* Exchanges a Google ID token for our tokens; stores the session. */
export async function signInWithIdToken(idToken) {
	const device = { platform: "WEB" };
	if (keySupported()) {
		await deviceKey();	/* made here, on the first sign-in */
	} else {
		device.uuid = "DUMMY";
		device.fingerprint_hash = await fingerprint();
	}
	const body = await api("/auth/google", {
		auth: false,
		bindKey: keySupported(),
		body: { id_token: idToken, device },
	});
	saveSession({
		access_token: body.access_token,
		refresh_token: body.refresh_token,
		role: body.role,
		user: body.user,
	});
	return body;
}

/* Demo mode: the local stand-in plays Google for the given e-mail. */
export async function demoSignIn(email) {
	const res = await fetch("/demo/google/token", {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ email }),
	});
	const body = await res.json().catch(() => ({}));
	if (!res.ok || !body.id_token)
		throw new ApiError(res.status, "demo_signin",
		    (body.error && body.error.message) ||
		    t("err.demo_signin"));
	return signInWithIdToken(body.id_token);
}

/* Production: Google's button in container; onDone(result) or onError. */
export function googleButton(container, clientId, onDone, onError) {
	const s = document.createElement("script");
	s.src = "https://accounts.google.com/gsi/client";
	s.async = true;
	s.onerror = () => onError(new Error(t("err.google_load")));
	s.onload = () => {
		/* global google */
		google.accounts.id.initialize({
			client_id: clientId,
			callback: (resp) => signInWithIdToken(resp.credential)
			    .then(onDone, onError),
		});
		google.accounts.id.renderButton(container,
		    { theme: "outline", size: "large", text: "signin_with" });
	};
	document.head.append(s);
}

export function pageFor(role) {
	if (role === "head" || role === "admin")
		return "admin.html";
	return role === "teacher" ? "teacher.html" : "student.html";
}

/* On a role's page (one role or a list): the session, or off to sign in. */
export function requireRole(role) {
	const s = session();
	const roles = Array.isArray(role) ? role : [role];
	if (!s || !roles.includes(s.role)) {
		location.replace("index.html" + (s ? "" : "#signed-out"));
		return null;
	}
	return s;
}

export async function signOut() {
	try {
		await api("/auth/logout", { method: "POST" });
	} catch {
		/* signing out locally is what matters */
	}
	clearSession();
	location.replace("index.html");
}
