/*
 * presence.js - biometric presence: a class may ask for the phone's own
 * screen lock (fingerprint, face or PIN) at each submit.
 *
 * After the device is bound (the DPoP key, dpop.js), the page registers a
 * passkey for it (navigator.credentials.create: ES256, a platform
 * authenticator, user verification required, attestation "none") and
 * posts it to /webauthn/register.  At a submit in such a class it asks
 * for an assertion (navigator.credentials.get, user verification
 * required) over the open window's challenge (/webauthn/challenge: a
 * server HMAC of the session, the round and this device, so it fits no
 * other window) and sends it with the code as "uv".  The fingerprint or
 * face never leaves the phone: the server sees only a signature and the
 * authenticator's "user verified" flag.
 */
import { api } from "./api.js";

let status = null;

export const b64u = (buf) => btoa(String.fromCharCode(
    ...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");

export const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, "+")
    .replace(/_/g, "/") + "===".slice((s.length + 3) % 4)),
(c) => c.charCodeAt(0));

export function supported() {
	return !!(window.PublicKeyCredential && navigator.credentials &&
	    navigator.credentials.create);
}

/* {require_uv, registered, rp_id} of this student's class and device. */
export async function presenceStatus() {
	status = await api("/webauthn/status");
	return status;
}

/* Makes this device's passkey and registers it. */
export async function registerPasskey() {
	const o = await api("/webauthn/register/options", { body: {} });
	const sel = o.authenticator_selection;
	const cred = await navigator.credentials.create({ publicKey: {
		challenge: unb64u(o.challenge),
		rp: o.rp,
		user: { id: new TextEncoder().encode(o.user.id),
		    name: o.user.name, displayName: o.user.display_name },
		pubKeyCredParams: o.pub_key_cred_params,
		timeout: o.timeout_ms,
		attestation: o.attestation,
		authenticatorSelection: {
			authenticatorAttachment: sel.authenticator_attachment,
			userVerification: sel.user_verification,
			residentKey: sel.resident_key,
		},
	} });
	await api("/webauthn/register", { body: {
		attestation_object: b64u(cred.response.attestationObject),
		client_data_json: b64u(cred.response.clientDataJSON),
	} });
	if (status)
		status.registered = true;
}

/* After sign-in: a class that asks for the screen lock gets the passkey
 * made now, not at the first submit (errors wait for the submit). */
export async function startPresence() {
	try {
		const s = await presenceStatus();
		if (s.require_uv && !s.registered && supported())
			await registerPasskey();
	} catch {
		/* the submit asks again */
	}
}

/* An assertion as the submit's "uv" member. */
export function assertionJson(a) {
	return {
		credential_id: b64u(a.rawId),
		authenticator_data: b64u(a.response.authenticatorData),
		client_data_json: b64u(a.response.clientDataJSON),
		signature: b64u(a.response.signature),
	};
}

/* The window's challenge and the options for navigator.credentials.get. */
export async function requestOptions(sessionId, verification = "required") {
	const c = await api(`/webauthn/challenge?session_id=${sessionId}`);
	return { c, publicKey: {
		challenge: unb64u(c.challenge),
		rpId: c.rp_id,
		allowCredentials: c.credential_ids.map((id) =>
		    ({ type: "public-key", id: unb64u(id) })),
		userVerification: verification,
		timeout: 60000,
	} };
}

/* The "uv" member for a submit to sessionId, or null when not asked. */
export async function presenceFor(sessionId) {
	if (!status)
		await presenceStatus().catch(() => null);
	if (!status || !status.require_uv)
		return null;
	if (!status.registered)
		await registerPasskey();
	const { c, publicKey } = await requestOptions(sessionId);
	if (!c.require_uv)
		return null;
	return assertionJson(await navigator.credentials.get({ publicKey }));
}

/* A submit refused with uv_required: the policy changed under the page. */
export function presenceRequired() {
	if (status)
		status.require_uv = true;
}
