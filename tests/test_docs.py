"""docs/: the contracts are the shared DESIGN.md's, word for word, and every `docs/…` the code cites exists.

A citation is a path under docs/ in a code file, optionally followed by `#anchor` (a heading's GitHub
anchor), `§N.M` (a numbered heading of docs/standard.md) or a quoted heading (`docs/contracts.md "Inbox"`,
matched against the start of a heading).

citations: keep — this file names the shared DESIGN.md on purpose; the citation rewrite leaves it alone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DESIGN = ROOT.parent / "shared" / "docs" / "DESIGN.md"
CONTRACTS = ROOT / "docs" / "contracts.md"
CONTRACTS_HEADING = "## Contracts other programs rely on"

CODE_SUFFIXES = {".py", ".json", ".toml", ".sh", ".yaml", ".yml", ".cfg", ".ini"}
CODE_NAMES = {"Makefile"}
SKIP_DIRS = {".git", ".venv", "var", "docs", "node_modules", "__pycache__", ".ruff_cache"}

CITATION = re.compile(
    r"(?<![\w/.-])(docs/[\w./-]*\w)"  # the path
    r"(?:#([\w-]+)"  # an anchor
    r"|,? §(\d+(?:\.\d+)*)"  # a numbered section of docs/standard.md
    r"|,? \"([^\"\n]+)\")?"  # a quoted heading
)
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (not - and _), spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(path: Path) -> list[str]:
    return [m.group(2) for m in HEADING.finditer(path.read_text(encoding="utf-8"))]


def sections(text: str, level: str = "###") -> dict[str, str]:
    """Heading → body (up to the next heading of this level or higher) for every heading of `level`."""
    found: dict[str, str] = {}
    matches = [m for m in HEADING.finditer(text) if len(m.group(1)) <= len(level)]
    for here, after in zip(matches, [*matches[1:], None], strict=True):
        if len(here.group(1)) == len(level):
            end = after.start() if after else len(text)
            found[here.group(2)] = text[here.end() : end].strip("\n")
    return found


def contract_part(text: str) -> str:
    """The text from the contracts heading to the next `## ` heading."""
    start = text.index(CONTRACTS_HEADING)
    following = re.search(r"^## ", text[start + len(CONTRACTS_HEADING) :], re.MULTILINE)
    return text[start : start + len(CONTRACTS_HEADING) + following.start()] if following else text[start:]


def code_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]  # never walk .venv (tens of thousands of files)
        for name in names:
            path = Path(folder) / name
            if path.suffix in CODE_SUFFIXES or name in CODE_NAMES:
                files.append(path)
    return files


def citations() -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(where, path, anchor, section, quoted heading) for every docs/ citation in the code."""
    found = []
    for path in code_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in CITATION.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{path.relative_to(ROOT)}:{line}", *m.groups()))
    return found


@pytest.mark.skipif(not SHARED_DESIGN.is_file(), reason=f"no shared DESIGN.md at {SHARED_DESIGN}")
def test_contracts_are_the_shared_design_word_for_word():
    shared = sections(contract_part(SHARED_DESIGN.read_text(encoding="utf-8")))
    ours = sections(contract_part(CONTRACTS.read_text(encoding="utf-8")))
    assert len(shared) >= 6  # inbox, command line, statistics, bulletin, endpoint, alerts
    assert list(ours) == list(shared)
    for heading, text in shared.items():
        assert ours[heading] == text, f"docs/contracts.md differs from DESIGN.md under “{heading}”"


def test_the_contract_sections_are_all_there():
    # Without the shared file too: the six contracts a newcomer looks for.
    names = " ".join(sections(contract_part(CONTRACTS.read_text(encoding="utf-8"))))
    for name in (
        "Inbox",
        "Command line",
        "Daily statistics",
        "Monthly bulletin",
        "信用湛江 endpoint",
        "Alerts",
    ):
        assert name in names


def test_sections_and_slugs():
    text = "# T\n## A\nx\n### B (`c`)\ny\n### C\nz\n## D\n"
    assert sections(text) == {"B (`c`)": "y", "C": "z"}
    assert slug("Command line: `credit`") == "command-line-credit"
    assert slug("The 信用湛江 endpoint (the contract)") == "the-信用湛江-endpoint-the-contract"


def test_the_citation_pattern():
    text = 'see docs/standard.md §2.4, docs/contracts.md "Inbox" and docs/field-notes.md#prefect.'
    got = [m.groups() for m in CITATION.finditer(text)]
    assert got == [
        ("docs/standard.md", None, "2.4", None),
        ("docs/contracts.md", None, None, "Inbox"),
        ("docs/field-notes.md", "prefect", None, None),
    ]


def test_every_cited_docs_path_exists():
    cited = citations()
    problems = []
    for where, path, anchor, section, quoted in cited:
        target = ROOT / path
        if not target.exists():
            problems.append(f"{where}: {path} does not exist")
            continue
        if target.suffix != ".md" or not (anchor or section or quoted):
            continue
        titles = headings(target)
        if anchor and anchor not in {slug(t) for t in titles}:
            problems.append(f"{where}: {path}#{anchor}: no such heading")
        numbers = {m.group(1) for t in titles if (m := NUMBERED.match(t))}
        if section and section not in numbers:
            problems.append(f"{where}: {path} §{section}: no such section")
        if quoted and not any(t.startswith(quoted) for t in titles):
            problems.append(f"{where}: {path} “{quoted}”: no heading starts so")
    assert not problems, "\n".join(problems)


LINK = re.compile(r"\]\(([\w./-]+\.md)(?:#([^)\s]+))?\)")
GENERATED = {"rules.md"}  # written by `python -m credit.validation.catalogue`, checked by its own test


def test_links_between_the_docs_resolve():
    problems, generated_missing = [], []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for m in LINK.finditer(page.read_text(encoding="utf-8")):
            target = (page.parent / m.group(1)).resolve()
            if not target.is_file():
                (generated_missing if target.name in GENERATED else problems).append(
                    f"{page.name} → {m.group(1)}"
                )
            elif m.group(2) and m.group(2) not in {slug(t) for t in headings(target)}:
                problems.append(f"{page.name} → {m.group(1)}#{m.group(2)}: no such heading")
    assert not problems, "\n".join(problems)
    if generated_missing:
        pytest.skip(f"generated page not in this tree yet: {', '.join(generated_missing)}")


def test_code_cites_no_document_outside_the_repository():
    """A newcomer has only the repository: code cites `docs/…`, never the shared documents or a path outside."""
    outside = re.compile(r"(?<![\w/-])(?:\.\./shared/|(?:DESIGN|STANDARD|FIELD-NOTES|BULLETIN|STYLE)\.md\b)")
    found = [
        str(path.relative_to(ROOT))
        for path in code_files()
        if path.name != "test_docs.py" and outside.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not found, found
