"""The signed-in reader's home: a feed made of sections that domains add.

A domain registers `register_home_section(app, name, order, render)`, where `render(user)` gives
the section's HTML, or None when it has nothing to show that reader. The Q&A adds its
notifications, followed, newest and 精华 questions; a deal feed adds its live deals the same way,
so neither the home page nor core ever imports a domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from markupsafe import Markup

EXTENSION = "home_sections"


@dataclass(frozen=True)
class HomeSection:
    name: str
    order: int
    render: Callable[[Any], Markup | None]


def register_home_section(
    app: Flask, name: str, order: int, render: Callable[[Any], Markup | None]
) -> None:
    """Add (or replace) the section `name`; sections show by ascending `order`."""
    app.extensions.setdefault(EXTENSION, {})[name] = HomeSection(name, order, render)


def section_html(template: str, **context) -> Markup:
    """A section rendered from its template (autoescaped, so safe to place in the page)."""
    return Markup(render_template(template, **context))  # noqa: S704 - autoescaped template


def home_sections(user) -> list[Markup]:
    """Every registered section rendered for `user`, in order, leaving out the empty ones."""
    sections = sorted(current_app.extensions.get(EXTENSION, {}).values(), key=lambda s: s.order)
    shown = (section.render(user) for section in sections)
    return [html for html in shown if html]
