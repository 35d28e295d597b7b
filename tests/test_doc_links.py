"""Every relative link of README.md and docs/*.md names a file or folder of this repository
(issue 22: the README links only to what a clone holds)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# [text](target) and [text](target "title"); images too. Code spans and fenced blocks are
# removed first, so a link-like text inside code is not a link.
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def links(text: str) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    return INLINE.findall(text) + REFERENCE.findall(text)


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith(("#", "//"))


def relative_links() -> list[tuple[Path, str]]:
    found = []
    for doc in DOCS:
        for target in links(doc.read_text(encoding="utf-8")):
            if not is_external(target):
                found.append((doc, target))
    return found


def test_the_docs_have_relative_links():
    # The scanner finds links at all (a broken pattern would make the next test pass vacuously).
    assert ("README.md", "docs/api.md") in {(doc.name, target) for doc, target in relative_links()}


@pytest.mark.parametrize("doc, target", relative_links(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_relative_link_names_a_file_of_the_repository(doc: Path, target: str):
    path = target.split("#", 1)[0].split("?", 1)[0]
    resolved = (doc.parent / path).resolve()
    assert resolved.is_relative_to(ROOT), f"{doc.relative_to(ROOT)}: {target} points outside the repository"
    assert resolved.exists(), f"{doc.relative_to(ROOT)}: {target} does not exist"


def test_the_scanner_reads_markdown_links():
    text = 'See [a](docs/a.md), ![i](img.png "t"), `[no](code.md)` and [r].\n\n[r]: ref.md\n'
    text += "```\n[no](fenced.md)\n```\n[web](https://example.com) [top](#anchor)\n"
    found = [t for t in links(text) if not is_external(t)]
    assert found == ["docs/a.md", "img.png", "ref.md"]
