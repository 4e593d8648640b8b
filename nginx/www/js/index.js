/*
 * index.js - the landing page: sign in (demo stand-in or Google's button),
 * then on to the page of the role.  A still-valid session goes straight on.
 */
import { session, showError } from "./api.js";
import { appConfig, demoSignIn, googleButton, pageFor } from "./auth.js";
import { langSwitch, t } from "./i18n.js";

function go(result) {
	location.assign(pageFor(result.role));
}

async function main() {
	document.getElementById("lang-slot").append(langSwitch());
	const s = session();
	if (s && s.role && location.hash !== "#signed-out") {
		location.replace(pageFor(s.role));
		return;
	}
	let cfg;
	try {
		cfg = await appConfig();
	} catch (e) {
		showError(e, t("index.no_settings"));
		return;
	}
	document.getElementById("signin-loading").hidden = true;
	document.getElementById("students-note").hidden = cfg.web_students;
	if (cfg.demo) {
		const form = document.getElementById("demo-form");
		const email = document.getElementById("demo-email");
		const btn = document.getElementById("demo-submit");
		form.hidden = false;
		/* the demo accounts' labels in the page's language */
		for (const o of document.querySelectorAll("option[data-demo]"))
			o.textContent = t(`index.demo_${o.dataset.demo}`,
			    { name: o.dataset.name });
		email.focus();
		form.addEventListener("submit", async (ev) => {
			ev.preventDefault();
			btn.disabled = true;
			btn.textContent = t("index.signing_in");
			try {
				go(await demoSignIn(email.value.trim()));
			} catch (e) {
				showError(e, t("index.failed"));
				btn.disabled = false;
				btn.textContent = t("index.sign_in");
			}
		});
		return;
	}
	document.getElementById("google-signin").hidden = false;
	googleButton(document.getElementById("google-button"),
	    cfg.google_client_id, go, (e) => showError(e, t("index.failed")));
}

main();
