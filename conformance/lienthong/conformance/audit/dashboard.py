"""``lienthong dashboard``: the audit results as one offline web page (no external asset: the data,
the style and the script are inside the page), served on 127.0.0.1.

Filters by province, facility, period (month) and rule; drill-down from the provinces to a
province's facilities to one facility's failing records with the validator's message. The view is
kept in the address's fragment (``#province=79&facility=79010&rule=XML0-06&month=2026-02``), so a
view can be bookmarked, and opened directly by the tests.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from lienthong.conformance.audit.labels import labels
from lienthong.conformance.audit.outputs import RESULT

_PAGE = """<!doctype html>
<html lang="__LANG__"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f7f8fa}
header{background:#0b4f6c;color:#fff;padding:.6rem 1.2rem}header h1{font-size:1.2rem;margin:0}
main{padding:1rem 1.2rem;max-width:90rem}
#filters{display:flex;gap:.8rem;flex-wrap:wrap;margin-bottom:1rem}
#filters label{display:flex;flex-direction:column;font-size:.8rem}
table{border-collapse:collapse;background:#fff;margin-bottom:1rem;width:100%}
th,td{border:1px solid #d5d9de;padding:.3rem .5rem;text-align:left;font-size:.9rem}
th{background:#e9eef2}td.n{text-align:right}a{color:#0b4f6c;cursor:pointer}
.bad{color:#a30000}.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin:.5rem 0 1rem}
.card{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:.5rem .9rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}#crumbs{margin:.3rem 0 .8rem}
</style></head>
<body><header><h1>__TITLE__</h1></header><main>
<div id="filters">
<label>__L_PROVINCE__<select id="f-province"></select></label>
<label>__L_FACILITY__<select id="f-facility"></select></label>
<label>__L_MONTH__<select id="f-month"></select></label>
<label>__L_RULE__<select id="f-rule"></select></label>
</div>
<div id="crumbs"></div><div id="view"></div>
</main>
<script id="data" type="application/json">__DATA__</script>
<script id="words" type="application/json">__WORDS__</script>
<script>
"use strict";
const R = JSON.parse(document.getElementById("data").textContent);
const W = JSON.parse(document.getElementById("words").textContent);
const DIMS = ["dung", "du", "sach", "song"];
const state = {province: "", facility: "", month: "", rule: ""};
function esc(v) {
  return String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g,
    c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function num(v) { return v === null || v === undefined ? W.no_data : esc(v); }
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const key of Object.keys(state)) { state[key] = params.get(key) || ""; }
}
function writeHash() {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) { if (v) { params.set(k, v); } }
  const text = params.toString();
  if (location.hash.slice(1) !== text) { history.replaceState(null, "", "#" + text); }
}
function options(select, values, current, label) {
  select.innerHTML = "<option value=''>" + esc(W.all) + "</option>" + values.map(v =>
    "<option value='" + esc(v[0]) + "'" + (v[0] === current ? " selected" : "") + ">" + esc(v[1]) +
    "</option>"
  ).join("");
  select.setAttribute("aria-label", label);
}
function facilities() {
  return R.facilities.filter(f => (!state.province || f.province === state.province) &&
    (!state.rule || (f.rules[state.rule] || 0) > 0));
}
function fillFilters() {
  const provinces = R.provinces.map(p => [p.province, p.province]);
  options(document.getElementById("f-province"), provinces, state.province, W.province);
  const inProvince = R.facilities.filter(f => !state.province || f.province === state.province);
  options(document.getElementById("f-facility"),
    inProvince.map(f => [f.facility, f.facility + " " + f.name]), state.facility, W.facility);
  const months = new Set();
  R.facilities.forEach(f => f.months.forEach(m => months.add(m.month)));
  options(document.getElementById("f-month"), [...months].sort().map(m => [m, m]), state.month, W.month);
  options(document.getElementById("f-rule"),
    Object.keys(R.rules).map(r => [r, r + " " + R.rules[r].title]), state.rule, W.rule);
}
function scoresOf(f) {
  if (!state.month) { return f; }
  return f.months.find(m => m.month === state.month) || {score: null, dung: null, du: null, sach: null,
    song: null, episodes: 0, sent: 0};
}
function link(kind, value, text) {
  return "<a data-" + kind + "='" + esc(value) + "'>" + esc(text) + "</a>";
}
function provincesView() {
  const rows = R.provinces.filter(p => facilities().some(f => f.province === p.province)).map(p =>
    "<tr><td>" + link("province", p.province, p.province) + "</td><td class='n'>" + p.facilities +
    "</td><td class='n'>" + p.episodes + "</td><td class='n'>" + num(p.interconnection) +
    "</td><td class='n'>" + num(p.score) + "</td></tr>").join("");
  return "<h2>" + esc(W.provinces) + "</h2><table id='provinces'><tr><th>" + esc(W.province) + "</th><th>" +
    esc(W.facility) + "</th><th>" + esc(W.episodes) + "</th><th>" + esc(W.interconnection) + "</th><th>" +
    esc(W.score) + "</th></tr>" + rows + "</table>" + leagueView();
}
function leagueView() {
  const rows = facilities().map(f => {
    const s = scoresOf(f);
    return "<tr><td class='n'>" + f.rank + "</td><td>" + link("facility", f.facility, f.facility) +
      "</td><td>" + esc(f.name) + "</td><td>" + esc(f.province) + "</td><td class='n'>" + num(s.score) +
      "</td>" +
      DIMS.map(d => "<td class='n'>" + num(s[d]) + "</td>").join("") + "<td class='n'>" +
      num(f.interconnection) + "</td><td>" + Object.keys(f.rules).map(esc).join(", ") + "</td></tr>";
  }).join("");
  return "<h2>" + esc(W.league) + "</h2><table id='league'><tr><th>" + esc(W.rank) + "</th><th>" +
    esc(W.facility) + "</th><th>" + esc(W.name) + "</th><th>" + esc(W.province) + "</th><th>" +
    esc(W.score) + "</th>" + DIMS.map(d => "<th>" + esc(W[d]) + "</th>").join("") + "<th>" +
    esc(W.interconnection) + "</th><th>" + esc(W.rules) + "</th></tr>" + rows + "</table>";
}
function facilityView(f) {
  const s = scoresOf(f);
  const cards = "<div class='cards'><div class='card' id='score'>" + esc(W.score) + "<b>" + num(s.score) +
    "</b></div>" + DIMS.map(d => "<div class='card' title='" + esc(W[d + "_text"]) + "'>" + esc(W[d]) +
    "<b>" + num(s[d]) + "</b>" + esc(W.lost) + ": " + f.lost[d].points + "</div>").join("") + "</div>";
  const months = f.months.map(m => "<tr><td>" + esc(m.month) + "</td><td class='n'>" + m.episodes +
    "</td><td class='n'>" + m.sent + "</td><td class='n'>" + num(m.score) + "</td></tr>").join("");
  const records = [];
  for (const [rule, list] of Object.entries(f.worst)) {
    if (state.rule && rule !== state.rule) { continue; }
    for (const r of list) {
      if (state.month && r.month !== state.month) { continue; }
      records.push("<tr class='record'><td>" + esc(rule) + "</td><td>" + esc(r.ma_lk) + "</td><td>" +
        esc(r.table) + "</td><td class='n'>" + esc(r.record) + "</td><td>" + esc(r.field) + "</td><td>" +
        esc(r.value) + "</td><td class='bad message'>" + esc(r.message) + "</td></tr>");
    }
  }
  const types = f.by_type.filter(t => t.bhyt_visits + t.non_bhyt_visits > 0).map(t => "<tr><td>" +
    esc(W["type:" + t.visit_type]) + "</td><td class='n'>" + t.bhyt_visits + "</td><td class='n'>" +
    t.bhyt_sent + "</td><td class='n'>" + t.non_bhyt_visits + "</td><td class='n'>" + t.non_bhyt_sent +
    "</td></tr>").join("");
  return "<h2 id='facility'>" + esc(f.facility) + " " + esc(f.name) + "</h2>" + cards +
    "<h3>" + esc(W.worst) + "</h3><table id='records'><tr><th>" + esc(W.rule) + "</th><th>MA_LK</th><th>" +
    esc(W.table) + "</th><th>" + esc(W.record) + "</th><th>" + esc(W.field) + "</th><th>" + esc(W.value) +
    "</th><th>" + esc(W.message) + "</th></tr>" + records.join("") + "</table>" +
    "<h3>" + esc(W.report_2733) + "</h3><table><tr><th>" + esc(W.visit_type) + "</th><th>" +
    esc(W.bhyt_visits) + "</th><th>" + esc(W.bhyt_sent) + "</th><th>" + esc(W.non_bhyt_visits) +
    "</th><th>" + esc(W.non_bhyt_sent) + "</th></tr>" + types + "</table>" +
    "<h3>" + esc(W.month) + "</h3><table><tr><th>" + esc(W.month) + "</th><th>" + esc(W.episodes) +
    "</th><th>" + esc(W.sent) + "</th><th>" + esc(W.score) + "</th></tr>" + months + "</table>";
}
function render() {
  writeHash();
  fillFilters();
  const crumbs = [link("home", "1", W.provinces)];
  if (state.province) { crumbs.push(link("province", state.province, W.province + " " + state.province)); }
  const f = R.facilities.find(x => x.facility === state.facility);
  if (f) { crumbs.push(esc(f.facility)); }
  document.getElementById("crumbs").innerHTML = crumbs.join(" › ");
  document.getElementById("view").innerHTML = f ? facilityView(f) :
    (state.province ? leagueView() : provincesView());
  document.body.setAttribute("data-ready", "1");
}
document.addEventListener("click", event => {
  const a = event.target.closest("a");
  if (!a) { return; }
  if (a.dataset.home) { state.province = ""; state.facility = ""; }
  if (a.dataset.province) { state.province = a.dataset.province; state.facility = ""; }
  if (a.dataset.facility) { state.facility = a.dataset.facility; }
  render();
});
for (const key of Object.keys(state)) {
  document.getElementById("f-" + key).addEventListener("change", e => {
    state[key] = e.target.value;
    if (key === "province") { state.facility = ""; }
    render();
  });
}
window.addEventListener("hashchange", () => { readHash(); render(); });
readHash();
render();
</script></body></html>
"""


def _embedded(value: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def page(result: dict[str, Any], lang: str) -> str:
    """The dashboard page for ``result`` with ``lang`` labels."""
    words = labels(lang)
    slim = {
        **result,
        "rules": {r: {k: v for k, v in row.items() if k != "worst"} for r, row in result["rules"].items()},
    }
    text = _PAGE
    for key, value in {
        "__LANG__": lang,
        "__TITLE__": words["title"],
        "__L_PROVINCE__": words["province"],
        "__L_FACILITY__": words["facility"],
        "__L_MONTH__": words["month"],
        "__L_RULE__": words["rule"],
    }.items():
        text = text.replace(key, value)
    return text.replace("__WORDS__", _embedded(words)).replace("__DATA__", _embedded(slim))


class ResultsProblem(Exception):
    """A results folder the dashboard cannot show."""


def load_results(folder: Path) -> dict[str, Any]:
    path = folder / RESULT
    if not path.is_file():
        raise ResultsProblem(f"{folder} holds no {RESULT}: run `lienthong audit SOURCE --out {folder}` first")
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsProblem(f"{path} is not an audit result: {exc}") from None
    if "facilities" not in loaded:
        raise ResultsProblem(f"{path} is not an audit result (no facilities)")
    return loaded


def serve(folder: Path, *, port: int = 0, lang: str = "vi") -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve the dashboard of ``folder`` on 127.0.0.1:``port`` (0: a free port) in a thread."""
    body = page(load_results(folder), lang).encode("utf-8")
    raw = (folder / RESULT).read_bytes()

    class Handler(BaseHTTPRequestHandler):
        requests: ClassVar[list[str]] = []

        def do_GET(self) -> None:
            Handler.requests.append(self.path)
            if self.path in ("/", "/index.html"):
                self._answer(200, "text/html; charset=utf-8", body)
            elif self.path == "/" + RESULT:
                self._answer(200, "application/json", raw)
            else:
                self._answer(404, "text/plain; charset=utf-8", b"not found")

        def _answer(self, status: int, kind: str, content: bytes) -> None:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(content)))
            self.send_header(
                "content-security-policy",
                "default-src 'none'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
            )
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, name="lienthong-dashboard", daemon=True)
    thread.start()
    return server, thread
