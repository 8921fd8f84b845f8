"""Writing the audit result: JSON (with its JSON Schema), CSV per facility, the QĐ 2733 six-monthly
report table and an HTML scorecard per facility, all from the one result mapping."""

from __future__ import annotations

import csv
import html
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from lienthong.conformance.audit.dimensions import DIMENSIONS
from lienthong.conformance.audit.labels import labels

FORMATS = ("json", "csv", "html")
RESULT = "audit.json"
SCHEMA = "audit-result.schema.json"
FACILITY_COLUMNS = (
    "rank",
    "facility",
    "name",
    "province",
    "level",
    "score",
    *DIMENSIONS,
    "episodes",
    "sent",
    "interconnection",
)
REPORT_COLUMNS = (
    "facility",
    "period",
    "visit_type",
    "bhyt_visits",
    "bhyt_sent",
    "non_bhyt_visits",
    "non_bhyt_sent",
)


def schema_text() -> str:
    """The published JSON Schema of ``audit.json``."""
    return resources.files("lienthong.conformance.audit").joinpath(SCHEMA).read_text(encoding="utf-8")


def write_json(result: dict[str, Any], out: Path) -> Path:
    path = out / RESULT
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    (out / SCHEMA).write_text(schema_text(), encoding="utf-8")
    return path


def write_csv(result: dict[str, Any], out: Path, lang: str) -> list[Path]:
    """``facilities.csv`` (a row per facility) and ``report-2733.csv`` (the six-monthly table)."""
    words = labels(lang)
    facilities = out / "facilities.csv"
    with facilities.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([words.get(c, c) for c in FACILITY_COLUMNS] + [words["rules"]])
        for row in result["facilities"]:
            rules = "; ".join(f"{r} ×{n}" for r, n in row["rules"].items())
            writer.writerow([_cell(row.get(c)) for c in FACILITY_COLUMNS] + [rules])
    report = out / "report-2733.csv"
    write_report(result, report, lang)
    return [facilities, report]


def write_report(result: dict[str, Any], path: Path, lang: str) -> Path:
    """The QĐ 2733 PL01 Đ8 table: per facility and half-year, visits and visits interconnected by
    visit type × BHYT / non-BHYT."""
    words = labels(lang)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([words.get(c, c) for c in REPORT_COLUMNS])
        for line in result["report_2733"]:
            writer.writerow(
                [
                    words.get(f"type:{line[c]}", line[c]) if c == "visit_type" else line[c]
                    for c in REPORT_COLUMNS
                ]
            )
    return path


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _e(value: object) -> str:
    return html.escape(_cell(value))


_STYLE = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:72rem}
table{border-collapse:collapse;margin:.5rem 0 1.2rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left}th{background:#eef2f5}.score{font-size:2rem;font-weight:700}.bad{color:#a30000}
.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem}"""


def scorecard(row: dict[str, Any], lang: str) -> str:
    """One facility's HTML scorecard (self-contained: no external asset)."""
    w = labels(lang)
    cards = "".join(
        f'<div class="card"><div>{_e(w[d])}</div><div class="score">{_e(row[d])}</div>'
        f"<small>{_e(w[d + '_text'])}</small><br><small>{_e(w['lost'])}: {_e(row['lost'][d]['points'])}"
        f"</small></div>"
        for d in DIMENSIONS
    )
    types = "".join(
        f"<tr><td>{_e(w['type:' + t['visit_type']])}</td><td>{t['bhyt_visits']}</td><td>{t['bhyt_sent']}</td>"
        f"<td>{t['non_bhyt_visits']}</td><td>{t['non_bhyt_sent']}</td></tr>"
        for t in row["by_type"]
    )
    implied = "".join(
        f"<tr><td>{_e(w[table])}</td><td>{v['implied']}</td><td>{v['sent']}</td></tr>"
        for table, v in row["implied"].items()
    )
    timely = "".join(
        f"<tr><td>{_e(w[k])}</td><td>{v['judged']}</td><td>{v['late']}</td><td>{_e(v['on_time'])}</td></tr>"
        for k, v in row["timeliness"].items()
    )
    months = "".join(
        f"<tr><td>{_e(m['month'])}</td><td>{m['episodes']}</td><td>{m['sent']}</td><td>{_e(m['score'])}</td>"
        + "".join(f"<td>{_e(m[d])}</td>" for d in DIMENSIONS)
        + "</tr>"
        for m in row["months"]
    )
    worst = "".join(
        f"<tr><td>{_e(f['requirement'])}</td><td>{_e(f['ma_lk'])}</td><td>{_e(f['table'])}</td>"
        f"<td>{_e(f['record'])}</td><td>{_e(f['field'])}</td><td>{_e(f['value'])}</td>"
        f'<td class="bad">{_e(f["message"])}</td></tr>'
        for records in row["worst"].values()
        for f in records
    )
    head = (
        f"<th>{_e(w['visit_type'])}</th><th>{_e(w['bhyt_visits'])}</th><th>{_e(w['bhyt_sent'])}</th>"
        f"<th>{_e(w['non_bhyt_visits'])}</th><th>{_e(w['non_bhyt_sent'])}</th>"
    )
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{_e(w["scorecard"])} {_e(row["facility"])}</title><style>{_STYLE}</style></head><body>
<h1>{_e(w["scorecard"])}: {_e(row["facility"])} {_e(row["name"])}</h1>
<p>{_e(w["province"])}: {_e(row["province"])} · {_e(w["rank"])}: {row["rank"]} ·
{_e(w["episodes"])}: {row["episodes"]} · {_e(w["interconnection"])}: {_e(row["interconnection"])}</p>
<p>{_e(w["score"])}: <span class="score" id="score">{_e(row["score"])}</span><br>
<small>{_e(w["weights_note"])}</small></p>
<div class="cards">{cards}</div>
<h2>{_e(w["report_2733"])}</h2><table><tr>{head}</tr>{types}</table>
<h2>{_e(w["implied"])}</h2><table><tr><th></th><th>{_e(w["expected"])}</th><th>{_e(w["sent"])}</th></tr>{implied}</table>
<h2>{_e(w["timeliness"])}</h2><table><tr><th></th><th>{_e(w["episodes"])}</th><th>{_e(w["late"])}</th>
<th>{_e(w["on_time"])}</th></tr>{timely}</table>
<h2>{_e(w["month"])}</h2><table><tr><th>{_e(w["month"])}</th><th>{_e(w["episodes"])}</th><th>{_e(w["sent"])}</th>
<th>{_e(w["score"])}</th>{"".join(f"<th>{_e(w[d])}</th>" for d in DIMENSIONS)}</tr>{months}</table>
<h2>{_e(w["worst"])}</h2><table><tr><th>{_e(w["rule"])}</th><th>MA_LK</th><th>{_e(w["table"])}</th>
<th>{_e(w["record"])}</th><th>{_e(w["field"])}</th><th>{_e(w["value"])}</th><th>{_e(w["message"])}</th></tr>{worst}</table>
</body></html>
"""


def write_html(result: dict[str, Any], out: Path, lang: str) -> list[Path]:
    folder = out / "scorecards"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for row in result["facilities"]:
        path = folder / f"{row['facility']}.html"
        path.write_text(scorecard(row, lang), encoding="utf-8")
        paths.append(path)
    return paths


def write_outputs(result: dict[str, Any], out: Path, formats: list[str], lang: str) -> list[Path]:
    """Every requested format; ``audit.json`` is always written (the dashboard reads it)."""
    out.mkdir(parents=True, exist_ok=True)
    written = [write_json(result, out)]
    if "csv" in formats:
        written += write_csv(result, out, lang)
    else:
        written.append(write_report(result, out / "report-2733.csv", lang))
    if "html" in formats:
        written += write_html(result, out, lang)
    return written
