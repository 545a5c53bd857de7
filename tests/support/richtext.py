"""Hostile markup, and the check that what the sanitiser kept could run nothing in a browser."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from lms.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<p onclick='alert(1)' onmouseover=alert(1)>hi</p>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="jav&#97;script&colon;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<p style="background:url(javascript:alert(1))">s</p>',
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<iframe srcdoc='&lt;script&gt;alert(1)&lt;/script&gt;'></iframe>",
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<div><a href="https://ok.example" onfocus="alert(1)" autofocus>x</a></div>',
    "<template><script>alert(1)</script></template>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


class _Markup(HTMLParser):
    """Every tag and attribute a browser would build from the output."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def markup_of(text: str) -> _Markup:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser


def assert_harmless(text: str) -> None:
    found = markup_of(text)
    assert set(found.tags) <= ALLOWED_TAGS, found.tags
    for tag, name, value in found.attributes:
        assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
        if name == "href":
            scheme = html.unescape(value).split(":", 1)[0].strip().lower()
            assert ":" not in html.unescape(value) or scheme in ALLOWED_URL_SCHEMES, value
    lowered = text.lower()
    for needle in ("<script", "onerror", "onload", "javascript:", "data:", "style=", "<svg", "<iframe"):
        assert needle not in lowered, needle
