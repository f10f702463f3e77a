"""Chinese typography on a page as Chromium lays it out: the catalog's rules over the visible
text, and dates and counts that stay on one line on a phone."""

from __future__ import annotations

from tests.typography import typography_faults

# Dates and counts marked to keep together (inline `.nowrap`): an inline box that wraps has one
# client rectangle per line it lies on.
_SPLIT_SCRIPT = """
() => [...document.querySelectorAll('.nowrap')]
  .filter((element) => getComputedStyle(element).display === 'inline')
  .filter((element) => element.getClientRects().length > 1)
  .map((element) => element.textContent.trim())
"""


def assert_chinese_typography(page) -> None:
    """The page's visible text has no typography fault and nothing kept together wraps."""
    faults = typography_faults(page.inner_text("body"))
    assert not faults, f"{page.url}:\n" + "\n".join(faults)
    split = page.evaluate(_SPLIT_SCRIPT)
    assert not split, f"{page.url}: split across lines: {split}"
