"""Render a :class:`QualityReport` as one self-contained HTML page.

Plots are drawn with matplotlib's Agg canvas (no pyplot, no display) and embedded as base64
PNG ``<img>`` tags, so the page needs no other file. This module imports matplotlib; it is
only imported by :meth:`QualityReport.to_html`.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from synthohive.metrics._frames import rows_of

if TYPE_CHECKING:
    from synthohive.metrics._report import QualityReport

__all__ = ["render"]

_REAL, _SYNTHETIC = "#1f77b4", "#ff7f0e"
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:90%}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}.plots{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:0;border:1px solid #eee}figcaption{font-size:85%;text-align:center}
"""


def _png(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="plot">'


def _distribution_plot(plot: dict[str, Any]) -> str:
    figure = Figure(figsize=(4.0, 2.6))
    axes = figure.subplots()
    real, synthetic = np.asarray(plot["real"]), np.asarray(plot["synthetic"])
    if plot["metric"] == "KS":
        edges = np.asarray(plot["edges"])
        if plot.get("datetime"):
            edges = pd.to_datetime(edges.astype(np.int64)).to_numpy()
        axes.stairs(real, edges, label="real", color=_REAL, fill=True, alpha=0.4)
        axes.stairs(synthetic, edges, label="synthetic", color=_SYNTHETIC, linewidth=1.5)
        figure.autofmt_xdate()
    else:
        positions = np.arange(len(plot["labels"]))
        axes.bar(positions - 0.2, real, 0.4, label="real", color=_REAL)
        axes.bar(positions + 0.2, synthetic, 0.4, label="synthetic", color=_SYNTHETIC)
        axes.set_xticks(
            positions, [label[:14] for label in plot["labels"]], rotation=60, fontsize=7
        )
    figure.subplots_adjust(left=0.14, right=0.98, top=0.95, bottom=0.32)
    axes.set_ylabel("share", fontsize=8)
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=7)
    return _png(figure)


def _heatmaps(report: QualityReport, table: Any) -> str:
    panels = (
        ("pair score (1 - distance)", "score"),
        ("real NMI", "real_nmi"),
        ("synthetic NMI", "synthetic_nmi"),
    )
    matrices = [report.pair_matrix(field, table) for _, field in panels]
    labels = [str(c)[:12] for c in matrices[0].columns]
    size = max(3.0, 0.3 * len(labels))
    figure = Figure(figsize=(3 * size + 1.5, size + 1.0), layout="tight")
    for axes, (title, _), matrix in zip(figure.subplots(1, 3), panels, matrices, strict=True):
        image = axes.imshow(matrix.to_numpy(), vmin=0.0, vmax=1.0, cmap="viridis")
        axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        axes.set_yticks(range(len(labels)), labels, fontsize=6)
        axes.set_title(title, fontsize=9)
        figure.colorbar(image, ax=axes, fraction=0.046)
    return _png(figure)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="")


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render(report: QualityReport) -> str:
    """Return the HTML page of ``report`` (see :meth:`QualityReport.to_html`)."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>SynthoHive quality report</title><style>{_STYLE}</style></head><body>",
        "<h1>SynthoHive quality report</h1>",
        "<p>Distances are in [0, 1], lower is better; scores are 1 - distance, higher is "
        "better. Columns use KS (numeric, datetime) or TVD (categorical).</p>",
        "<table><tr><th>score</th><th>column shapes</th><th>column pairs</th>"
        "<th>relational</th></tr>",
        f"<tr><td>{_score(report.score)}</td><td>{_score(report.column_shapes_score)}</td>"
        f"<td>{_score(report.column_pair_score)}</td><td>{_score(report.relational_score)}"
        "</td></tr></table>",
    ]
    if len(report.tables) > 1:
        parts += ["<h2>Tables</h2>", _table(report.tables)]
    for table in dict.fromkeys(report.details["table"].tolist()):
        title = "Columns" if table is None else f"Table {table}"
        parts += [f"<h2>{html.escape(title)}</h2>", _table(rows_of(report.details, table))]
        plots = [p for p in report.distributions if p.get("table") == table]
        parts.append("<div class='plots'>")
        for plot in plots:
            caption = html.escape(str(plot["column"]))
            parts.append(
                f"<figure>{_distribution_plot(plot)}<figcaption>{caption}</figcaption></figure>"
            )
        parts.append("</div>")
        pairs = rows_of(report.pairs, table)
        if not pairs.empty:
            parts += ["<h3>Column pairs</h3>", _heatmaps(report, table), _table(pairs)]
    if not report.relational.empty:
        parts += ["<h2>Referential integrity</h2>", _table(report.relational)]
    if not report.privacy.empty:
        parts += ["<h2>Privacy</h2>",
                  "<p>exact_copy_share: synthetic rows equal to a real row (0 is ideal); "
                  "pii_reuse: real personal values in the output (must be 0); dcr_share: "
                  "synthetic rows closer to a training than to a holdout row (0.5 is "
                  "ideal); nn_distance_ratio: median nearest / second-nearest real-row "
                  "distance (higher is more private).</p>", _table(report.privacy)]
    parts.append("</body></html>")
    return "\n".join(parts)
