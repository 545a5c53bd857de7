"""The rich-text sanitiser keeps what an editor makes and nothing a browser could run."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from lms.richtext import (
    MAX_RICH_TEXT_LENGTH,
    RichText,
    preview,
    sanitize,
)
from lms.schemas import SANITIZED, SANITIZED_HTML
from tests.support.richtext import HOSTILE, assert_harmless


@pytest.mark.parametrize("hostile", HOSTILE)
def test_nothing_runnable_survives_sanitising(hostile: str) -> None:
    assert_harmless(sanitize(hostile))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sanitising_twice_changes_nothing_more(hostile: str) -> None:
    once = sanitize(hostile)
    assert sanitize(once) == once


@pytest.mark.parametrize("hostile", HOSTILE)
def test_stored_text_read_back_without_the_sanitiser_is_what_the_sanitiser_would_answer(hostile: str) -> None:
    field: TypeAdapter[str] = TypeAdapter(Annotated[str, SANITIZED_HTML])
    stored = field.validate_python(hostile)
    assert field.validate_python(stored, context=SANITIZED) == field.validate_python(stored) == stored
    assert field.validate_python(hostile, context=None) == stored


def test_what_an_editor_makes_is_kept() -> None:
    body = (
        "<h2>Week 3</h2><p>Read <strong>chapter 4</strong> and <em>try</em> the "
        '<a href="https://example.org/notes" title="notes">notes</a>.</p>'
        "<ul><li>one</li><li>two</li></ul><blockquote>quote</blockquote><pre><code>x = 1</code></pre>"
    )

    clean = sanitize(body)

    assert clean == body.replace('title="notes"', 'title="notes" rel="noopener noreferrer nofollow"')


def test_a_mailto_link_is_kept_and_every_link_opens_without_an_opener() -> None:
    assert sanitize('<a href="mailto:tutor@example.org">mail</a>') == (
        '<a href="mailto:tutor@example.org" rel="noopener noreferrer nofollow">mail</a>'
    )


def test_escaped_markup_stays_text() -> None:
    assert sanitize("1 &lt; 2 &amp;&amp; <b>x</b>") == "1 &lt; 2 &amp;&amp; <b>x</b>"


def test_a_preview_is_plain_words_without_angle_brackets() -> None:
    assert preview("<p>Exam   <b>moved</b></p><script>alert(1)</script> &amp; &lt;b&gt;") == "Exam moved & b"


def test_a_long_preview_is_cut_with_an_ellipsis() -> None:
    cut = preview("<p>" + "word " * 100 + "</p>", length=20)

    assert len(cut) == 20
    assert cut.endswith("…")


RICH_TEXT: TypeAdapter[str] = TypeAdapter(RichText)


def test_a_rich_text_field_is_stored_sanitised() -> None:
    assert RICH_TEXT.validate_python('<p onclick="x()">Hi <script>alert(1)</script></p>') == "<p>Hi </p>"


@pytest.mark.parametrize(
    "empty", ["", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<p> </p>"]
)
def test_a_rich_text_field_without_text_is_refused(empty: str) -> None:
    with pytest.raises(ValidationError):
        RICH_TEXT.validate_python(empty)


def test_a_rich_text_field_over_the_size_limit_is_refused() -> None:
    RICH_TEXT.validate_python("x" * MAX_RICH_TEXT_LENGTH)
    with pytest.raises(ValidationError):
        RICH_TEXT.validate_python("x" * (MAX_RICH_TEXT_LENGTH + 1))
