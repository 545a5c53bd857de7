"""E-mail bodies from jinja2 templates: a plain-text and an HTML body per notification type.

Templates live in `templates/<locale>/`: `<type>.txt` and `<type>.html`, named after the type
(lms.notifications.catalog `template`), extending the locale's `_layout`, and `digest.*` for the
daily and weekly digests. A recipient's locale is tried from the most specific to English
(`fr-CA`, `fr`, `en`) template by template, so a locale may translate only the layout. HTML is
autoescaped and plain text is not (it is never interpreted); a missing variable is an error, not
an empty string, so a template and the code it is rendered by cannot silently drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_LOCALE = "en"
DIGEST_TEMPLATE = "digest"


@dataclass(frozen=True)
class Body:
    text: str
    html: str


def locale_chain(locale: str | None) -> tuple[str, ...]:
    """The locales to look in, most specific first, English last: `pt-BR` → pt-BR, pt, en."""
    chain: list[str] = []
    if locale:
        parts = locale.replace("_", "-").split("-")
        chain = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return tuple(dict.fromkeys([*[c for c in chain if _is_locale(c)], DEFAULT_LOCALE]))


def _is_locale(candidate: str) -> bool:
    # A locale names a folder: letters, digits and hyphens only, never a path.
    return 0 < len(candidate) <= 16 and all(part.isalnum() for part in candidate.split("-"))


@cache
def _environment(chain: tuple[str, ...]) -> Environment:
    folders = [FileSystemLoader(TEMPLATES / locale) for locale in chain if (TEMPLATES / locale).is_dir()]
    return Environment(
        # The root loader lets a locale's layout extend the English one ("en/_layout.html").
        loader=ChoiceLoader([*folders, FileSystemLoader(TEMPLATES)]),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        lstrip_blocks=True,
    )


def has_template(name: str) -> bool:
    """Whether the English templates (text and HTML) of `name` exist: every type needs them."""
    return all((TEMPLATES / DEFAULT_LOCALE / f"{name}.{ext}").is_file() for ext in ("txt", "html"))


def render(name: str, locale: str | None, context: Mapping[str, Any]) -> Body:
    """Both bodies of template `name` in the recipient's locale (or the nearest one there is)."""
    environment = _environment(locale_chain(locale))
    return Body(
        text=environment.get_template(f"{name}.txt").render(context),
        html=environment.get_template(f"{name}.html").render(context),
    )


def locales() -> Sequence[str]:
    """Every locale with templates of its own."""
    return sorted(path.name for path in TEMPLATES.iterdir() if path.is_dir())
