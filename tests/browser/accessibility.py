"""Accessibility checks any browser flow can call: axe-core's rules and touch-target sizes.

axe-core (bundled by axe-playwright-python) runs inside the page, so the page's context must
be opened with `bypass_csp=True` (the `axe_page` fixtures do); the site's CSP stays as it is.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = frozenset({"critical", "serious"})
# Rules axe rates below serious that the site holds itself to all the same.
ALSO_REQUIRED = frozenset(
    {"heading-order", "landmark-unique", "empty-table-header", "empty-heading", "label"}
)
MIN_TARGET_PX = 44

_axe = Axe()

# Controls a thumb must hit; links inside running text are exempt (WCAG 2.5.5, "inline"). A
# checkbox's target is the box together with its label, which toggles it too.
_TARGETS_SCRIPT = """
(minimum) => {
  const selector = [
    'button', 'input:not([type=hidden])', 'select', 'summary', '[role=button]',
    'header a', 'nav a', 'a.button', '.post-actions a',
  ].join(',');
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    const own = element.getBoundingClientRect();
    if (own.width === 0 || own.height === 0) continue;
    if (getComputedStyle(element).visibility === 'hidden') continue;
    let [left, top, right, bottom] = [own.left, own.top, own.right, own.bottom];
    if (['checkbox', 'radio'].includes(element.type)) {
      for (const label of element.labels) {
        const box = label.getBoundingClientRect();
        [left, top] = [Math.min(left, box.left), Math.min(top, box.top)];
        [right, bottom] = [Math.max(right, box.right), Math.max(bottom, box.bottom)];
      }
    }
    const [width, height] = [right - left, bottom - top];
    if (height < minimum - 0.5 || width < minimum - 0.5) {
      const html = element.outerHTML.slice(0, 120);
      small.push(`${html} is ${width.toFixed(0)}×${height.toFixed(0)}`);
    }
  }
  return small;
}
"""


def blocking_violations(page) -> list[str]:
    """axe-core's violations the site does not accept on the page as it is now, one line each."""
    lines = []
    for violation in _axe.run(page).response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS or violation["id"] in ALSO_REQUIRED:
            lines.extend(
                f"{violation['id']} ({violation['impact']}): {node['html'][:160]}"
                for node in violation["nodes"]
            )
    return lines


def small_targets(page) -> list[str]:
    """Visible controls smaller than 44×44 CSS pixels, with their size."""
    return page.evaluate(_TARGETS_SCRIPT, MIN_TARGET_PX)


def assert_accessible(page, touch: bool = False) -> None:
    """No violation the site refuses; with `touch` (a phone viewport), every control ≥ 44 px."""
    violations = blocking_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)
    if touch:
        small = small_targets(page)
        assert not small, f"{page.url}: targets under {MIN_TARGET_PX} px:\n" + "\n".join(small)
