"""Theme templates for jinja: loaded from the theme's folders, checked for edits once per book."""

from __future__ import annotations

from collections.abc import Callable

import jinja2

_BOOK = [0]  # which book is being rendered, as a count


def check_templates_again() -> None:
    """Templates are checked for edits once per book from now on (render() calls this)."""
    _BOOK[0] += 1


class TemplateLoader(jinja2.FileSystemLoader):
    """Checks a template file for edits once per book, not once per page as jinja does (a
    thousand-page anthology stat'ed 2,000 files); a later book, or `build --watch`'s next
    rebuild, still sees an edit."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        checked = _BOOK[0]

        def once_per_book() -> bool:
            nonlocal checked
            if checked == _BOOK[0]:
                return True
            checked = _BOOK[0]
            return uptodate()

        return source, filename, once_per_book
