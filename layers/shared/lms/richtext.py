"""Rich text (post, message and description bodies): one allow-list HTML sanitiser for every context.

A body is stored and answered as the sanitiser's output, so what a client renders never holds a
script, an event handler, a `javascript:` or `data:` URL, inline style, or markup an editor does
not produce. nh3 (the Rust `ammonia` sanitiser) parses like a browser (html5ever), so nested,
malformed and entity-encoded tricks are judged as a browser would read them, not by pattern.
"""

from __future__ import annotations

import html
import re
from typing import Annotated

import nh3
from pydantic import AfterValidator, Field

MAX_RICH_TEXT_LENGTH = 20_000
"""Characters a rich-text field may hold as sent (markup included)."""

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "i", "li",
        "ol", "p", "pre", "s", "strong", "sub", "sup", "u", "ul",
    }
)  # fmt: skip
"""What a rich-text editor produces; no images or embeds (tracking pixels, remote content)."""

ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Removed with their content, not unwrapped: their text is code or styling, never prose.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "textarea"})

_SPACE = re.compile(r"\s+")
# A preview is rendered as text, but a consumer that renders it as HTML must find no markup either.
_MARKUP = re.compile(r"[<>]")


def sanitize(text: str) -> str:
    """The body with only allowed tags, attributes and URL schemes; links open with no opener."""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """The body's words without markup or angle brackets, whitespace collapsed: for previews."""
    words = nh3.clean(text, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    return _SPACE.sub(" ", _MARKUP.sub(" ", html.unescape(words))).strip()


def preview(text: str, length: int = 140) -> str:
    """The first `length` characters of the body's words (an ellipsis when cut), for notifications."""
    words = plain_text(text)
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


def _sanitized_with_content(text: str) -> str:
    clean = sanitize(text)
    if not plain_text(clean):
        raise ValueError("has no text once unsafe markup is removed")
    return clean


RichText = Annotated[
    str, Field(min_length=1, max_length=MAX_RICH_TEXT_LENGTH), AfterValidator(_sanitized_with_content)
]
"""A required rich-text field of a request body: sanitised on the way in, refused when empty after."""
