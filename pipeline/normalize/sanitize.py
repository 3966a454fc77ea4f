"""Allow-lists of elements, attributes and URL schemes; everything else is removed."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree

from pipeline.htmldoc import BLOCK_ELEMENTS, INLINE_ELEMENTS
from pipeline.model import NormalizeStep

__all__ = [
    "REMOVED_WITH_CONTENT", "ALLOWED_ATTRIBUTES", "GLOBAL_ATTRIBUTES", "URL_ATTRIBUTES",
    "ALLOWED_URL_SCHEMES", "sanitize_tree", "safe_url",
]

#: Elements removed with everything inside them: code, forms, embedded content
#: and document metadata never belong in an article's text.
REMOVED_WITH_CONTENT = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "applet", "form", "input", "button", "select", "textarea", "option", "optgroup", "label",
    "fieldset", "legend", "svg", "math", "canvas", "audio", "video", "source", "track", "map",
    "area", "link", "meta", "base", "dialog", "nav", "title", "head", "portal", "slot",
})

#: Elements kept. Anything neither kept nor removed (``font``, ``center``,
#: ``main``, custom elements) is unwrapped: its content stays, the tag goes.
_KEPT = (BLOCK_ELEMENTS | INLINE_ELEMENTS) - {"html", "head", "body", "title", "nav", "header", "footer", "main", "aside"}

#: Attributes kept on any element: identity and styling hooks, language and
#: direction, and the translatability switches that extraction respects.
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "lang", "dir", "title", "translate", "aria-label"})

#: Attributes kept on particular elements, beyond the global ones.
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "hreflang", "rel"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "abbr"}),
    "col": frozenset({"span"}), "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "time": frozenset({"datetime"}), "data": frozenset({"value"}),
    "q": frozenset({"cite"}), "blockquote": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}), "ins": frozenset({"cite", "datetime"}),
}

#: Attributes holding a URL: checked against ALLOWED_URL_SCHEMES and made absolute.
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})

#: The only URL schemes a published page may link to. ``javascript:``,
#: ``data:`` and ``vbscript:`` can run code; everything else is of no use to a reader.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Browsers ignore ASCII whitespace and control characters inside a scheme
# ("java\tscript:"), so they are removed before the scheme is read.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def safe_url(url: str, base_url: str = "") -> str | None:
    """Return ``url`` made absolute against ``base_url``, or None if its scheme is not allowed.

    Fragment-only links (``#top``) stay as they are; protocol-relative ones
    (``//host/x``) get https.
    """
    compact = _IGNORED_IN_SCHEME.sub("", url)
    match = _SCHEME.match(compact)
    if match:
        return url.strip() if match.group(1).lower() in ALLOWED_URL_SCHEMES else None
    if compact.startswith("#"):
        return url.strip()
    if compact.startswith("//"):
        return "https:" + url.strip()
    if base_url:
        absolute = _join(base_url, url.strip())
        match = _SCHEME.match(absolute)
        return absolute if match and match.group(1).lower() in ALLOWED_URL_SCHEMES else None
    return url.strip()


#: A file name alone (``000123.htm``): no scheme, folder, query, fragment, parameters, escapes or dots first.
_FILE_NAME = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


def _join(base_url: str, url: str) -> str:
    """``urljoin(base_url, url)``, with the common case -- a file name beside an http(s) page whose
    folders urljoin leaves as they are -- resolved by appending it to the page's folder."""
    folder = _folder_of(base_url) if _FILE_NAME.fullmatch(url) else None
    return folder + url if folder is not None else urljoin(base_url, url)


@lru_cache(maxsize=1024)
def _folder_of(base_url: str) -> str | None:
    """``scheme://host/folders/`` of an http(s) ``base_url``, or None when urljoin would rewrite its
    folders (empty or dot segments) or read parameters (``;``) in them."""
    parts = urlsplit(base_url)
    path = parts.path
    if parts.scheme not in ("http", "https") or not parts.netloc or not path.startswith("/") or ";" in path:
        return None
    folders = path[: path.rfind("/") + 1]
    if any(segment in ("", ".", "..") for segment in folders.split("/")[1:-1]):
        return None
    return f"{parts.scheme}://{parts.netloc}{folders}"


@cache
def _allowed_on(tag: str) -> frozenset[str]:
    return GLOBAL_ATTRIBUTES | ALLOWED_ATTRIBUTES.get(tag, frozenset())


def _drop_disallowed(parent: etree._Element, note: Callable[[str, str], None]) -> None:
    """Below ``parent``: remove the elements dropped with their content, unwrap those not kept (their
    content stays), and ``note`` each. A module function rather than a closure that calls itself,
    which would be a reference cycle holding the tree until the cyclic collector frees it."""
    for child in list(parent):
        tag = child.tag
        if tag in REMOVED_WITH_CONTENT:
            note("remove", tag)
            child.drop_tree()
            continue
        _drop_disallowed(child, note)
        if tag not in _KEPT:
            note("unwrap", str(tag))
            child.drop_tag()


def sanitize_tree(root: etree._Element, base_url: str = "") -> list[NormalizeStep]:
    """Remove from ``root`` (in place) every element, attribute and URL not on the allow-lists.

    Comments and processing instructions go too. Returns a step per removal,
    counted by kind (``("remove", "script", "3 elements")``).
    """
    counts: dict[tuple[str, str], int] = {}

    def note(action: str, target: str) -> None:
        counts[(action, target)] = counts.get((action, target), 0) + 1

    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        note("remove", "comment" if node.tag is etree.Comment else "processing instruction")
        node.drop_tree()

    _drop_disallowed(root, note)

    for element in root.iter():
        names = element.keys()
        if not names:
            continue
        allowed = _allowed_on(element.tag)
        for name in names:
            if name not in allowed:
                note("remove-attribute", "on*" if name.startswith("on") else name)
                del element.attrib[name]
            elif name in URL_ATTRIBUTES:
                url = safe_url(element.get(name), base_url)
                if url is None:
                    scheme = _IGNORED_IN_SCHEME.sub("", element.get(name)).split(":", 1)[0].lower()
                    note("remove-url", scheme + ":")
                    del element.attrib[name]
                else:
                    element.set(name, url)
    return [NormalizeStep(action, target, f"{n} time{'s' if n > 1 else ''}")
            for (action, target), n in sorted(counts.items())]
