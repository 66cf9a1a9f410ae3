"""Charts for the monthly bulletin (matplotlib, Agg, no pyplot state), with Chinese text that renders.

The CJK font is found on the machine (WenQuanYi Micro Hei from scripts/setup-system.sh, or any other CJK
font fontconfig or matplotlib knows); without one the bulletin fails with a message saying what to install,
rather than printing boxes in place of 汉字.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from credit import escape

PREFERRED = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
_CJK_NAME_HINTS = ("wqy", "wenquanyi", "notosanscjk", "notoserifcjk", "sourcehan", "simsun", "simhei", "msyh")


class MissingCJKFont(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "未找到中文（CJK）字体，图表和 PDF 中的汉字将无法显示。请以 root 运行 scripts/setup-system.sh"
            "（apt-get install fonts-wqy-microhei fontconfig）。 / No CJK font found: run scripts/setup-system.sh "
            "as root (apt-get install fonts-wqy-microhei fontconfig)."
        )


@dataclass(frozen=True)
class CJKFont:
    path: Path
    family: str  # the family name matplotlib knows it by


def _fc_list_zh() -> list[Path]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()]


@cache
def find_cjk_font() -> CJKFont:
    """The CJK TrueType font to use, registered with matplotlib; MissingCJKFont if there is none."""
    candidates = [p for p in PREFERRED if p.is_file()]
    candidates += [p for p in _fc_list_zh() if p.suffix.lower() in (".ttc", ".ttf", ".otf")]
    candidates += [
        Path(p)
        for p in font_manager.findSystemFonts()
        if any(h in Path(p).name.lower().replace("-", "").replace("_", "") for h in _CJK_NAME_HINTS)
    ]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
        except Exception:  # an unreadable font file: try the next one
            continue
        return CJKFont(path, family)
    raise MissingCJKFont()


def _rc() -> dict:
    font = find_cjk_font()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [font.family],
        "axes.unicode_minus": False,  # U+2212 is not in every CJK font
        "text.parse_math": False,  # a name with `$…$` is text, not mathtext
    }


MM = 1 / 25.4  # inches per mm


def _save(fig: Figure, path: Path) -> Path:
    """At the figure's own size (it is placed at 100 %, so its type sizes are the printed ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=200)
    return path


def rate_limits(values: Sequence[float | None], *, floor_pad: float = 2.0) -> tuple[float, float]:
    """Axis limits in % that show the differences between rates: from a little below the lowest to a little
    above the highest, never below 0 nor more than half a point above 100, at least one point wide, the
    lower limit on a round step."""
    known = [v * 100 for v in values if v is not None]
    if not known:
        return 0.0, 100.0
    lo, hi = min(known), max(known)
    pad = max((hi - lo) * 0.15, floor_pad)
    lower, upper = max(0.0, lo - pad), hi + pad
    if hi <= 100:
        upper = min(upper, 100.5)
    if upper - lower < 1:
        lower = max(0.0, upper - 1)
        upper = max(upper, lower + 1)
    span = upper - lower
    step = 0.5 if span <= 3 else 1 if span <= 10 else 5 if span <= 40 else 10
    return float(int(lower / step) * step), float(upper)


def unit_rates_chart(
    names: Sequence[str],
    compliance: Sequence[float | None],
    timely: Sequence[float | None],
    path: Path,
    title: str,
    *,
    width_mm: float = 150.0,
    max_height_mm: float = 190.0,
) -> Path:
    """One row per unit: 达标率 (dot) and 及时率 (ring) in %, on an axis scaled to the values (dots, not bars,
    because the axis does not start at 0); a unit without data is labelled 无数据."""
    with matplotlib.rc_context(_rc()):
        row = min(4.2, max(2.6, (max_height_mm - 22) / max(1, len(names))))
        height = min(max_height_mm, 22 + row * len(names))
        fig = Figure(figsize=(width_mm * MM, height * MM), layout="constrained")
        ax = fig.add_subplot()
        ys = list(range(len(names)))
        lower, upper = rate_limits([*compliance, *timely])
        for y, c, t in zip(ys, compliance, timely, strict=True):
            if c is None and t is None:
                ax.text(lower + (upper - lower) * 0.01, y, "无数据", va="center", fontsize=6, color="#7F7F7F")
        ax.scatter(
            [v * 100 for v in timely if v is not None],
            [y for y, v in zip(ys, timely, strict=True) if v is not None],
            s=16,
            facecolors="none",
            edgecolors="#70AD47",
            linewidths=1,
            label="及时率",
        )
        ax.scatter([v * 100 for v in compliance if v is not None], [y for y, v in zip(ys, compliance, strict=True)
                   if v is not None], s=9, color="#2F5597", label="达标率", zorder=3)  # fmt: skip
        fontsize = 6.5 if row >= 3.2 else 5.5
        ax.set_yticks(ys, labels=[escape.document(n) for n in names], fontsize=fontsize)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_xlim(lower, upper)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel("百分比（%）", fontsize=7)
        ax.set_title(escape.document(title), fontsize=9)
        if lower < 100 < upper:
            ax.axvline(100, color="#C00000", linewidth=0.6, linestyle="--")
        ax.legend(loc="lower left", fontsize=7, frameon=True)
        ax.grid(axis="both", alpha=0.25, linewidth=0.5)
        return _save(fig, path)


def trend_chart(
    months: Sequence[str],
    series: dict[str, Sequence[float | None]],
    received: Sequence[int],
    path: Path,
    title: str,
    *,
    width_mm: float = 150.0,
    height_mm: float = 95.0,
) -> Path:
    """Rates by month as lines (in %): 达标率 and 及时率 above, the problem rates below, each panel on an axis
    scaled to its values; new records (条) written under the month names."""
    high = {k: v for k, v in series.items() if k in ("达标率", "及时率")}
    low = {k: v for k, v in series.items() if k not in high}
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(width_mm * MM, height_mm * MM), layout="constrained")
        panels = [p for p in (high, low) if p]
        axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
        xs = list(range(len(months)))
        for ax, panel in zip(axes, panels, strict=True):
            for name, values in panel.items():
                ys = [v * 100 if v is not None else float("nan") for v in values]
                ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2, label=name)
            ax.set_ylim(*rate_limits([v for values in panel.values() for v in values], floor_pad=0.5))
            ax.set_ylabel("比率（%）", fontsize=7)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3, linewidth=0.5)
            ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
        labels = [f"{escape.document(m)}\n新增{n}条" for m, n in zip(months, received, strict=True)]
        axes[-1].set_xticks(xs, labels=labels, fontsize=7)
        axes[0].set_title(escape.document(title), fontsize=9)
        return _save(fig, path)
