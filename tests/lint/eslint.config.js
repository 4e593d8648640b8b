// eslint.config.js - the JavaScript rules of `make lint` (tests/lint/run).
//
// Two kinds of code: the web app's ES modules in nginx/www/js (browser, no
// build step, no framework) and the browser tests in tests/e2e (node
// scripts whose page.evaluate() callbacks run in the browser).  Both get
// eslint's recommended set plus the few rules the house relies on: strict
// equality, const where nothing is reassigned, no var.
import js from "@eslint/js";
import globals from "globals";

const house = {
	eqeqeq: ["error", "always"],
	"no-var": "error",
	"prefer-const": "error",
	"no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
	"no-implicit-globals": "error",
	"no-shadow": "error",
};

export default [
	{ ignores: ["**/node_modules/**"] },
	js.configs.recommended,
	{
		files: ["nginx/www/js/**/*.js"],
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: "module",
			globals: globals.browser,
		},
		rules: house,
	},
	{
		// the service worker: a classic script in the worker's scope
		files: ["nginx/www/sw.js"],
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: "script",
			globals: globals.serviceworker,
		},
		rules: house,
	},
	{
		files: ["tests/e2e/**/*.mjs", "tests/bench/**/*.mjs", "tests/lint/**/*.js"],
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: "module",
			globals: { ...globals.node, ...globals.browser },
		},
		rules: house,
	},
];
