/*
 * teacher.js - the teacher's page: the dashboard (dashboard.js) and the
 * live attendance screen (live.js), one WebSocket for both; the register
 * (register.js) and the class policy card (policy.js) beside them.
 *
 * Events of the teacher's channels go to the live screen (live.js drops
 * those of other sessions); a window opened elsewhere refreshes the
 * timetable when the dashboard is showing.  Whenever the socket is (back)
 * open the live screen reloads its picture: what the replay buffer cannot
 * cover comes from the server.  A session in the URL hash opens its live
 * screen at load and on hashchange.
 */
import { initDashboard, loadPending, loadSubjects, loadTimetable }
    from "./dashboard.js";
import { applyEvent, fromHash, initLive, liveConn, liveSession, reloadLive,
    showLive } from "./live.js";
import { showConn, showWho, startPage } from "./page.js";
import { initPolicy } from "./policy.js";
import { initRegister, refreshRegister } from "./register.js";
import { isoDay } from "./i18n.js";
import { initSubstitutes } from "./substitute.js";
import { LiveSocket } from "./ws.js";

let socket = null;
const me = startPage("teacher", () => {
	if (socket)
		socket.close();
});

function onEvent(m) {
	if (m.type === "attendance.opened" && !liveSession())
		loadTimetable();
	applyEvent(m);
}

function onSocketState(st) {
	showConn(st);
	liveConn(st);
	/* (back) online: what the replay buffer cannot cover comes from here */
	if (st === "open")
		reloadLive();
}

function main() {
	if (!me)
		return;
	showWho(me.user ? me.user.name : "");
	initDashboard({ openLive: showLive });
	initLive({ onHide: () => {
		loadTimetable();
		refreshRegister();
	} });
	initRegister({ openLive: showLive });
	initPolicy();
	initSubstitutes(me.user ? me.user.email : "", isoDay(new Date()));
	socket = new LiveSocket({ onEvent, onState: onSocketState,
	    storeKey: "ehazira.teacher.lastEventId" });
	socket.connect();
	loadSubjects();
	loadPending();
	const h = fromHash();
	if (h)
		showLive(h.sid, h.period);
	else
		loadTimetable();
	window.addEventListener("hashchange", () => {
		const x = fromHash();
		if (x && x.sid !== liveSession())
			showLive(x.sid, x.period);
	});
}

main();
