/*
 * ws.js - the live socket: GET /ws with the ws+meta.nchan subprotocol, so
 * every frame carries its message id, and the access token offered as a
 * second subprotocol "bearer.<token>" (a browser cannot set headers on a
 * WebSocket, and a token in the URL would land in nginx's error log).  The
 * server picks ws+meta.nchan, so it must come first.  The last id seen is
 * kept (and, with a storage key, survives a reload); a dropped socket
 * reconnects with ?last_event_id=<id> after a growing pause, and the server
 * replays what was published meanwhile, so no event is lost.  A token
 * about to expire is refreshed before each connect (the server checks it
 * only at the upgrade).  The token is bound to the device key: the
 * upgrade's DPoP proof (GET, this origin's /ws) is a third subprotocol
 * entry, "dpop.<proof>", for the same reason as the token.
 */
import { accessToken, refresh } from "./api.js";
import { proof, supported as dpopSupported } from "./dpop.js";

export class LiveSocket {
	/*
	 * onEvent(msg, id) for every JSON event; onState("open"|"closed") for
	 * the connection indicator; storeKey: sessionStorage key of the last id.
	 */
	constructor({ onEvent, onState, storeKey }) {
		this.onEvent = onEvent;
		this.onState = onState || (() => {});
		this.storeKey = storeKey || null;
		this.lastId = storeKey ? sessionStorage.getItem(storeKey) : null;
		this.ws = null;
		this.delay = 500;
		this.timer = null;
		this.stopped = false;
		this.failures = 0;
		this.onOnline = () => this.reconnectNow();
		/* A socket that lived through a network change may be half
		 * dead: drop it and resume from the last id once back. */
		this.onOffline = () => {
			if (this.ws)
				this.ws.close();
		};
		window.addEventListener("online", this.onOnline);
		window.addEventListener("offline", this.onOffline);
	}

	async connect() {
		if (this.stopped)
			return;
		if (!navigator.onLine) {
			this.schedule();	/* "online" will cut the wait short */
			return;
		}
		let token;
		try {
			token = this.failures >= 2 ? await refresh() :
			    await accessToken();
		} catch {
			this.schedule();
			return;
		}
		const proto = location.protocol === "https:" ? "wss:" : "ws:";
		let url = `${proto}//${location.host}/ws`;
		/* the device key's proof for this upgrade: dpop.<proof> */
		const offer = ["ws+meta.nchan", `bearer.${token}`];
		try {
			if (dpopSupported())
				offer.push("dpop." + await proof("GET",
				    `${location.origin}/ws`, token));
		} catch {
			this.schedule();
			return;
		}
		if (this.lastId)
			url += "?last_event_id=" + encodeURIComponent(this.lastId);
		/* a JWT is base64url and dots: a valid subprotocol token */
		const ws = new WebSocket(url, offer);
		this.ws = ws;
		ws.onopen = () => {
			this.delay = 500;
			this.failures = 0;
			this.onState("open");
		};
		ws.onmessage = (ev) => this.frame(ev.data);
		ws.onclose = () => {
			if (this.ws !== ws)
				return;
			this.ws = null;
			this.failures++;
			this.onState("closed");
			this.schedule();
		};
		ws.onerror = () => {};
	}

	/* "id: <msgid>\ncontent-type: ...\n\n<json>" */
	frame(data) {
		if (typeof data !== "string")
			return;
		let id = null, body = data;
		const sep = data.indexOf("\n\n");
		if (data.startsWith("id:") && sep >= 0) {
			for (const line of data.slice(0, sep).split("\n"))
				if (line.startsWith("id:"))
					id = line.slice(3).trim();
			body = data.slice(sep + 2);
		}
		let msg;
		try {
			msg = JSON.parse(body);
		} catch {
			return;
		}
		if (id) {
			this.lastId = id;
			if (this.storeKey)
				sessionStorage.setItem(this.storeKey, id);
		}
		this.onEvent(msg, id);
	}

	schedule() {
		if (this.stopped || this.timer)
			return;
		const wait = this.delay * (0.75 + Math.random() / 2);
		this.delay = Math.min(this.delay * 2, 15000);
		this.timer = setTimeout(() => {
			this.timer = null;
			this.connect();
		}, wait);
	}

	reconnectNow() {
		if (this.ws || this.stopped || !navigator.onLine)
			return;
		clearTimeout(this.timer);
		this.timer = null;
		this.delay = 500;
		this.connect();
	}

	get isOpen() {
		return !!this.ws && this.ws.readyState === WebSocket.OPEN;
	}

	/* Sends a JSON message; false when the socket is not open. */
	send(obj) {
		if (!this.isOpen)
			return false;
		this.ws.send(JSON.stringify(obj));
		return true;
	}

	close() {
		this.stopped = true;
		clearTimeout(this.timer);
		window.removeEventListener("online", this.onOnline);
		window.removeEventListener("offline", this.onOffline);
		if (this.ws) {
			const ws = this.ws;
			this.ws = null;
			ws.close();
		}
	}
}
