/*
 * page.js - the frame that every signed-in page shares.
 *
 * The skip link, the top bar (logo, the user's name, the connection state,
 * "Sign out") and the toast line that showError() writes to are built here
 * once, in front of the page's own markup, instead of being repeated in
 * student.html and teacher.html.  startPage() also sends a visitor with
 * no session, or the wrong role, to the sign-in page and takes them there
 * again when the session ends (a refresh token refused).
 */
import { el, onSignedOut } from "./api.js";
import { requireRole, signOut } from "./auth.js";

export const $ = (id) => document.getElementById(id);

/*
 * The session of a user of role, with the frame in place and "Sign out"
 * wired (beforeSignOut runs first: close the socket); null when the page
 * is on its way to the sign-in page.
 */
export function startPage(role, beforeSignOut) {
	const me = requireRole(role);
	if (!me)
		return null;
	document.body.prepend(
	    el("a.skip", { href: "#main" }, "Skip to content"),
	    el("header.topbar", {},
		el("span.logo", {}, "eHazira"),
		el("span.who", { id: "who" }),
		el("span.conn", { id: "conn", role: "status",
		    "aria-live": "polite" }, "connecting\u2026"),
		el("button.quiet", { type: "button", id: "signout",
		    onclick: () => {
			if (beforeSignOut)
				beforeSignOut();
			signOut();
		    } }, "Sign out")),
	    el("div.toast", { id: "toast", role: "alert", hidden: true }));
	onSignedOut(() => location.replace("index.html#signed-out"));
	return me;
}

/* The name in the top bar. */
export function showWho(text) {
	$("who").textContent = text;
	$("who").title = text;	/* the whole name when it is cut short */
}

/* The connection state in the top bar: "open" is live, else reconnecting. */
export function showConn(state) {
	const c = $("conn");
	c.textContent = state === "open" ? "live" : "reconnecting\u2026";
	c.className = "conn " + state;
}
