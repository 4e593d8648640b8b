/*
 * charts.js - two small hand-drawn SVG charts for the class report: the
 * attendance percentage of each student (bars, the at-risk threshold as a
 * line) and the weekly trend (a line over ISO weeks).  Built with DOM
 * calls, never from HTML strings, so names cannot inject markup.
 */
import { pct as fmtPct, t as tr } from "./i18n.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
	const n = document.createElementNS(NS, tag);
	for (const [k, v] of Object.entries(attrs || {}))
		n.setAttribute(k, v);
	if (text !== undefined)
		n.textContent = text;
	return n;
}

/* students: [{roll_no, name, percent, at_risk}], threshold in percent. */
export function percentBars(students, threshold, title) {
	const row = 20, left = 170, width = 560, top = 24;
	const h = top + students.length * row + 24;
	const root = svg("svg", { viewBox: `0 0 ${left + width + 60} ${h}`,
	    class: "chart", role: "img", "aria-labelledby": "bars-t" });
	root.append(svg("title", { id: "bars-t" }, title));
	const x = (p) => left + (width * p) / 100;
	for (const p of [0, 25, 50, 75, 100]) {
		root.append(svg("line", { x1: x(p), x2: x(p), y1: top - 4,
		    y2: h - 20, class: "grid" }));
		root.append(svg("text", { x: x(p), y: h - 6,
		    "text-anchor": "middle", class: "axis" }, fmtPct(p)));
	}
	students.forEach((s, i) => {
		const y = top + i * row;
		const pct = s.percent === null ? 0 : s.percent;
		root.append(svg("text", { x: left - 8, y: y + 14,
		    "text-anchor": "end", class: "label" },
		    `${s.roll_no} ${s.name}`));
		root.append(svg("rect", { x: left, y: y + 3,
		    width: Math.max(1, (width * pct) / 100), height: row - 6,
		    class: s.at_risk ? "bar risk" : "bar" }));
		root.append(svg("text", { x: x(pct) + 6, y: y + 14,
		    class: "value" },
		    fmtPct(s.percent)));
	});
	root.append(svg("line", { x1: x(threshold), x2: x(threshold),
	    y1: top - 8, y2: h - 20, class: "threshold" }));
	root.append(svg("text", { x: x(threshold), y: top - 10,
	    "text-anchor": "middle", class: "axis" },
	    tr("rep.risk_line", { threshold: fmtPct(threshold) })));
	return root;
}

/* weekly: [{week: "2025-W03", percent, marks, present}] */
export function weeklyTrend(weekly, title) {
	const w = 760, h = 240, l = 48, r = 20, t = 16, b = 40;
	const root = svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart",
	    role: "img", "aria-labelledby": "trend-t" });
	root.append(svg("title", { id: "trend-t" }, title));
	const y = (p) => t + ((100 - p) * (h - t - b)) / 100;
	const n = weekly.length;
	const x = (i) => n < 2 ? (l + w - r) / 2 :
	    l + (i * (w - l - r)) / (n - 1);
	for (const p of [0, 25, 50, 75, 100]) {
		root.append(svg("line", { x1: l, x2: w - r, y1: y(p), y2: y(p),
		    class: "grid" }));
		root.append(svg("text", { x: l - 6, y: y(p) + 4,
		    "text-anchor": "end", class: "axis" }, fmtPct(p)));
	}
	const pts = weekly.map((wk, i) => `${x(i)},${y(wk.percent || 0)}`);
	if (n > 1)
		root.append(svg("polyline", { points: pts.join(" "),
		    class: "trend" }));
	weekly.forEach((wk, i) => {
		const c = svg("circle", { cx: x(i), cy: y(wk.percent || 0), r: 4,
		    class: "dot" });
		c.append(svg("title", {}, `${wk.week}: ` + tr("rep.week_point",
		    { percent: fmtPct(wk.percent), present: wk.present,
			marks: wk.marks })));
		root.append(c);
		root.append(svg("text", { x: x(i), y: h - b + 18,
		    "text-anchor": "middle", class: "axis" }, wk.week));
		root.append(svg("text", { x: x(i), y: y(wk.percent || 0) - 8,
		    "text-anchor": "middle", class: "value" },
		    fmtPct(wk.percent)));
	});
	return root;
}
