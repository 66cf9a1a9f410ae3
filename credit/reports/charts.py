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


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def unit_rates_chart(
    names: Sequence[str],
    compliance: Sequence[float | None],
    timely: Sequence[float | None],
    path: Path,
    title: str,
) -> Path:
    """Horizontal bars per unit: 达标率 and 及时率 in %; a unit without data is labelled 无数据."""
    with matplotlib.rc_context(_rc()):
        height = max(4.0, 0.24 * len(names) + 1.5)
        fig = Figure(figsize=(8.0, height))
        ax = fig.add_subplot()
        ys = list(range(len(names)))
        comp = [v * 100 if v is not None else 0 for v in compliance]
        tim = [v * 100 if v is not None else 0 for v in timely]
        ax.barh([y - 0.2 for y in ys], comp, height=0.4, color="#2F5597", label="达标率")
        ax.barh([y + 0.2 for y in ys], tim, height=0.4, color="#70AD47", label="及时率")
        for y, c in zip(ys, compliance, strict=True):
            if c is None:
                ax.text(1, y, "无数据", va="center", fontsize=7, color="#7F7F7F")
        ax.set_yticks(ys, labels=[escape.document(n) for n in names], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 105)
        ax.set_xlabel("百分比（%）")
        ax.set_title(title, fontsize=11)
        ax.axvline(100, color="#C00000", linewidth=0.8, linestyle="--")
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        return _save(fig, path)


def trend_chart(
    months: Sequence[str],
    series: dict[str, Sequence[float | None]],
    received: Sequence[int],
    path: Path,
    title: str,
) -> Path:
    """Rates by month as lines (in %), new records as bars on a second axis."""
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(8.0, 4.2))
        ax = fig.add_subplot()
        xs = list(range(len(months)))
        bars = ax.twinx()
        bars.bar(xs, list(received), color="#D9D9D9", width=0.5, label="新增（条）", zorder=0)
        bars.set_ylabel("新增数据（条）")
        ax.set_zorder(bars.get_zorder() + 1)
        ax.patch.set_visible(False)
        for name, values in series.items():
            ys = [v * 100 if v is not None else float("nan") for v in values]
            ax.plot(xs, ys, marker="o", label=name)
        ax.set_xticks(xs, labels=list(months))
        ax.set_ylim(0, 105)
        ax.set_ylabel("比率（%）")
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3)
        lines, labels = ax.get_legend_handles_labels()
        b_lines, b_labels = bars.get_legend_handles_labels()
        ax.legend(
            lines + b_lines, labels + b_labels, loc="center left", bbox_to_anchor=(1.12, 0.5), fontsize=8
        )
        return _save(fig, path)
