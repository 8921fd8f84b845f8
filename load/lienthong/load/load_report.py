"""The load verdict in the report formats of the conformance verdict: JSON, JUnit XML (one test
case per gate, so CI shows each broken gate), and HTML with inline SVG charts (p95 per group
against its gate, achieved against target rate per stream). No network access, no scripts."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from lienthong.load.gates import GateResult, gates_from
from lienthong.load.summary import RunSummary

read_gates = gates_from


def as_json(summary: RunSummary, results: list[GateResult], plan: dict[str, Any]) -> dict[str, Any]:
    judged = [r for r in results if r.status != "skipped"]
    return {
        "kind": "lienthong-load-verdict",
        "passed": bool(judged) and all(r.status == "held" for r in judged),
        "gates": [
            {
                "id": r.gate.id,
                "group": r.gate.group,
                "metric": r.gate.metric,
                "limit": r.gate.limit,
                "ties": list(r.gate.ties),
                "why": r.gate.why,
                "status": r.status,
                "figure": r.figure,
                "detail": r.detail,
            }
            for r in results
        ],
        "summary": summary.as_json(),
        "plan": plan,
    }


def junit(summary: RunSummary, results: list[GateResult]) -> ET.Element:
    broken = sum(r.status == "broken" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    suite = ET.Element(
        "testsuite",
        name=f"lienthong load {summary.scenario}/{summary.shape}",
        tests=str(len(results)),
        failures=str(broken),
        skipped=str(skipped),
        errors="0",
        time=f"{summary.duration_s:.1f}",
    )
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"load.{r.gate.group}",
            name=f"{r.gate.id} {r.gate.label} [{', '.join(r.gate.ties)}]",
        )
        if r.status == "broken":
            ET.SubElement(case, "failure", message=r.line).text = r.gate.why
        elif r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.detail)
    return suite


def _bars(title: str, rows: Sequence[tuple[str, float, float | None]], unit: str) -> str:
    """A horizontal bar chart: each row's value, with its limit or target drawn as a mark."""
    width, left, bar_h, gap = 640, 230, 16, 8
    top = 28
    height = top + len(rows) * (bar_h + gap) + 10
    biggest = max([v for _, v, _ in rows] + [m for _, _, m in rows if m is not None] + [1e-9])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{html.escape(title)}</title>',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>',
    ]
    scale = (width - left - 70) / biggest
    for i, (label, value, mark) in enumerate(rows):
        y = top + i * (bar_h + gap)
        over = mark is not None and unit == "ms" and value > mark
        short = mark is not None and unit == "req/s" and value < mark * 0.9
        colour = "#c62828" if over or short else "#2e7d32"
        out.append(f'<text x="0" y="{y + 12}" font-size="11">{html.escape(label)}</text>')
        out.append(
            f'<rect x="{left}" y="{y}" width="{max(1.0, value * scale):.1f}" '
            f'height="{bar_h}" fill="{colour}"/>'
        )
        out.append(
            f'<text x="{left + value * scale + 4:.1f}" y="{y + 12}" font-size="11">{value:,.1f} {unit}</text>'
        )
        if mark is not None:
            x = left + mark * scale
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" stroke="#000" '
                'stroke-width="2" stroke-dasharray="3,2"/>'
            )
    out.append("</svg>")
    return "".join(out)


def page(summary: RunSummary, results: list[GateResult]) -> str:
    judged = [r for r in results if r.status != "skipped"]
    ok = bool(judged) and all(r.status == "held" for r in judged)
    p95_limits = {r.gate.group: r.gate.limit for r in results if r.gate.metric == "p95_ms"}
    latency = [(name, f.p95_ms, p95_limits.get(name)) for name, f in summary.groups.items() if f.requests]
    rates = [(name, s.achieved_rps, s.scheduled_rps or s.target_rps) for name, s in summary.streams.items()]
    rows = "".join(
        f"<tr class='{r.status}'><td>{r.gate.id}</td><td>{html.escape(r.gate.label)}</td>"
        f"<td>{html.escape(r.line.split(' ', 3)[3])}</td><td>{html.escape(', '.join(r.gate.ties))}</td>"
        f"<td>{html.escape(r.gate.why)}</td></tr>"
        for r in results
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in summary.notes)
    return f"""<!doctype html><html lang="en"><meta charset="utf-8">
<title>lienthong load {summary.scenario}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto}}
td,th{{padding:3px 8px;border-bottom:1px solid #ddd}}
tr.broken td{{background:#ffebee}}tr.skipped td{{color:#888}}</style>
<h1>Load run: {"PASSED" if ok else "FAILED"}</h1>
<p>Scenario <b>{summary.scenario}</b>, shape <b>{summary.shape}</b>, scale {summary.scale:g} of the
population (rates scaled by the same factor), {summary.duration_s:.0f} s,
{summary.workers or "one process, no"} workers.</p>
<ul>{notes}</ul>
{_bars("p95 per endpoint group (dashed: gate)", latency, "ms")}
{_bars("achieved vs scheduled rate per stream (dashed: scheduled)", rates, "req/s")}
<p>Plan rates (req/s): {", ".join(f"{n} {s.target_rps:,.1f}" for n, s in summary.streams.items())}.</p>
<h2>Gates</h2><table><tr><th>gate</th><th>objective</th><th>figure</th><th>ties</th><th>why</th></tr>{rows}</table>
</html>"""


def write_all(
    summary: RunSummary, results: list[GateResult], plan: dict[str, Any], directory: Path
) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": directory / "load.json",
        "junit": directory / "load-junit.xml",
        "html": directory / "load.html",
    }
    paths["json"].write_text(
        json.dumps(as_json(summary, results, plan), ensure_ascii=False, indent=2), "utf-8"
    )
    ET.ElementTree(junit(summary, results)).write(paths["junit"], encoding="utf-8", xml_declaration=True)
    paths["html"].write_text(page(summary, results), encoding="utf-8")
    return paths
