/*
 * page.js - the frame that every signed-in page shares.
 *
 * The skip link, the top bar (logo, the user's name, the connection state,
 * "Sign out") and the toast line that showError() writes to are built here
 * once, in front of the page's own markup, instead of being repeated in
 * student.html and teacher.html.  startPage() also sends a visitor with
 * no session, or the wrong role, to the sign-in page and takes them there
 * again when the session ends (a refresh token refused).  The language
 * switch (i18n.js) sits in the top bar too.
 */
import { api, el, onSignedOut } from "./api.js";
import { requireRole, signOut } from "./auth.js";
import { lang, langSwitch, t } from "./i18n.js";

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
	    el("a.skip", { href: "#main" }, t("common.skip")),
	    el("header.topbar", {},
		el("span.logo", {}, "eHazira"),
		el("span.who", { id: "who" }),
		el("span.conn", { id: "conn", role: "status",
		    "aria-live": "polite" }, t("conn.connecting")),
		langSwitch(),
		el("button.quiet", { type: "button", id: "signout",
		    onclick: () => {
			if (beforeSignOut)
				beforeSignOut();
			signOut();
		    } }, t("common.sign_out"))),
	    el("div.toast", { id: "toast", role: "alert", hidden: true }));
	onSignedOut(() => location.replace("index.html#signed-out"));
	reportLang(me);
	return me;
}

/*
 * The device's pushes and notices in the page's language: POST /me/lang
 * once per user and language (the server keeps it on the device row).
 */
function reportLang(me) {
	const key = "ehazira.lang.sent";
	const mark = `${me.user ? me.user.email || me.user.name : ""}:${lang}`;
	if (localStorage.getItem(key) === mark)
		return;
	api("/me/lang", { body: { lang } })
	    .then(() => localStorage.setItem(key, mark))
	    .catch(() => {});	/* told again on the next page */
}

/* The name in the top bar. */
export function showWho(text) {
	$("who").textContent = text;
	$("who").title = text;	/* the whole name when it is cut short */
}

/* The connection state in the top bar: "open" is live, else reconnecting. */
export function showConn(state) {
	const c = $("conn");
	c.textContent = state === "open" ? t("conn.live") :
	    t("conn.reconnecting");
	c.className = "conn " + state;
}
