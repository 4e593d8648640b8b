/*
 * dpop.js - the browser's device key and its DPoP proofs (RFC 9449).
 *
 * On first sign-in the app makes an ECDSA P-256 key pair with WebCrypto,
 * the private half non-extractable: script can sign with it but never
 * read it, so it cannot be copied off the phone.  The CryptoKey objects
 * live in IndexedDB (structured clone keeps them non-extractable).  The
 * public JWK's RFC 7638 thumbprint is the device's identity on the
 * server: another browser or a lost key is a new device that a teacher
 * approves.  Access tokens are bound to the key (cnf.jkt), so every call
 * carries a fresh proof: an ES256 JWT over the method, the URL, the time
 * and the token's hash, and the server's nonce when it asked for one.
 * WebCrypto's ECDSA signature is already the raw r||s JWS wants.
 */

const DB = "ehazira-keys";
const STORE = "keys";
const NAME = "device";
/* The server's last nonce outlives the page (valid 5 to 10 minutes), so
 * a page load's first calls and its WebSocket need no 401 round first. */
const NONCE_KEY = "ehazira.dpop-nonce";

let keyPromise = null;
let serverNonce = null;

function storedNonce() {
	if (serverNonce === null)
		serverNonce = localStorage.getItem(NONCE_KEY) || "";
	return serverNonce;
}

/* WebCrypto and IndexedDB exist (secure contexts: HTTPS or localhost). */
export function supported() {
	return !!(globalThis.crypto && crypto.subtle && globalThis.indexedDB);
}

/* Opens the key database; a database without the store (made by
 * anything else under this name) is upgraded to one with it. */
function openDb(version) {
	return new Promise((resolve, reject) => {
		const open = version ? indexedDB.open(DB, version) :
		    indexedDB.open(DB);
		open.onupgradeneeded = () => {
			if (!open.result.objectStoreNames.contains(STORE))
				open.result.createObjectStore(STORE);
		};
		open.onerror = () => reject(open.error);
		open.onsuccess = () => resolve(open.result);
	});
}

async function idb(mode, fn) {
	let db = await openDb(0);
	if (!db.objectStoreNames.contains(STORE)) {
		const v = db.version + 1;
		db.close();
		db = await openDb(v);
	}
	return new Promise((resolve, reject) => {
		const tx = db.transaction(STORE, mode);
		const req = fn(tx.objectStore(STORE));
		tx.oncomplete = () => {
			db.close();
			resolve(req.result);
		};
		tx.onerror = () => {
			db.close();
			reject(tx.error);
		};
	});
}

function b64url(bytes) {
	let s = "";
	for (const b of new Uint8Array(bytes))
		s += String.fromCharCode(b);
	return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const text = (s) => new TextEncoder().encode(s);

async function sha256(s) {
	return b64url(await crypto.subtle.digest("SHA-256", text(s)));
}

/* RFC 7638: the required members in lexical order, no whitespace. */
export function thumbprint(jwk) {
	return sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x,
	    y: jwk.y }));
}

async function loadOrMake() {
	let k = await idb("readonly", (s) => s.get(NAME));
	if (!k) {
		const pair = await crypto.subtle.generateKey(
		    { name: "ECDSA", namedCurve: "P-256" }, false,
		    ["sign", "verify"]);
		const full = await crypto.subtle.exportKey("jwk", pair.publicKey);
		const jwk = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
		k = { privateKey: pair.privateKey, jwk, jkt: await thumbprint(jwk) };
		await idb("readwrite", (s) => s.put(k, NAME));
	}
	return k;
}

/* The device key ({privateKey, jwk, jkt}), made on first use. */
export function deviceKey() {
	if (!keyPromise)
		keyPromise = loadOrMake().catch((e) => {
			keyPromise = null;
			throw e;
		});
	return keyPromise;
}

/* The proof for method + url (query and fragment dropped), token's ath. */
export async function proof(method, url, token) {
	const k = await deviceKey();
	const u = new URL(url, location.href);
	const claims = {
		jti: b64url(crypto.getRandomValues(new Uint8Array(16))),
		htm: method,
		htu: u.origin + u.pathname,
		iat: Math.floor(Date.now() / 1000),
	};
	if (token)
		claims.ath = await sha256(token);
	if (storedNonce())
		claims.nonce = serverNonce;
	const head = b64url(text(JSON.stringify({ typ: "dpop+jwt",
	    alg: "ES256", jwk: k.jwk })));
	const input = head + "." + b64url(text(JSON.stringify(claims)));
	const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" },
	    k.privateKey, text(input));
	return input + "." + b64url(sig);
}

/*
 * Keeps the server's nonce from a response; true when the response is
 * the server demanding one (401 use_dpop_nonce): retry with a new proof.
 */
export function noteNonce(res) {
	const n = res.headers.get("DPoP-Nonce");
	if (n && n !== serverNonce) {
		serverNonce = n;
		localStorage.setItem(NONCE_KEY, n);
	}
	return res.status === 401 && !!n &&
	    /use_dpop_nonce/.test(res.headers.get("WWW-Authenticate") || "");
}
