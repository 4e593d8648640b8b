/*
 * leaveapply.js - a student applies for leave or on-duty days and sees
 * their applications: POST /leave and GET /leave (the server takes the
 * student from the token).  A teacher of the class approves or rejects
 * it on the dashboard (register.js).  A failed send says so and keeps
 * the form filled, so the student can send it again.
 */
import { api, el } from "./api.js";
import { t } from "./i18n.js";
import { $ } from "./page.js";

const KIND = { MEDICAL: "leave.medical", DUTY: "leave.duty",
	OTHER: "leave.other" };
const STATE = { PENDING: "leave.pending", APPROVED: "leave.approved",
	REJECTED: "leave.rejected" };

async function loadMine() {
	const box = $("leave-mine");
	const r = await api("/leave");
	box.textContent = "";
	if (!r.leave.length) {
		box.append(el("p.muted", {}, t("leave.none")));
		return;
	}
	box.append(el("ul.plain", {}, ...r.leave.map((l) => el("li",
	    { "data-state": l.state },
	    `${KIND[l.kind] ? t(KIND[l.kind]) : l.kind}: ` +
	    (l.from === l.to ? l.from : `${l.from} \u2013 ${l.to}`) +
	    ` \u2013 ${STATE[l.state] ? t(STATE[l.state]) : l.state}`))));
}

async function apply(ev) {
	ev.preventDefault();
	const out = $("leave-out");
	out.className = "note";
	out.textContent = t("leave.sending");
	try {
		await api("/leave", { body: { kind: $("la-kind").value,
		    from: $("la-from").value, to: $("la-to").value,
		    reason: $("la-reason").value.trim() } });
		out.textContent = t("leave.sent");
		$("la-reason").value = "";
		await loadMine();
	} catch (e) {
		out.className = "result bad";
		out.textContent = t("leave.not_sent", { error: e.message });
	}
}

export function initLeaveApply() {
	if (!$("leave-apply"))
		return;
	const d = new Date();
	const today = `${d.getFullYear()}-` +
	    `${String(d.getMonth() + 1).padStart(2, "0")}-` +
	    `${String(d.getDate()).padStart(2, "0")}`;
	$("la-from").value = today;
	$("la-to").value = today;
	$("leave-apply").addEventListener("submit", apply);
	loadMine().catch(() => {});
}
