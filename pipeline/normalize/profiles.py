"""Site profiles (selectors, as data in profiles.toml) and the generic fallback."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import cssselect
from lxml import etree
from lxml.cssselect import CSSSelector

__all__ = ["Profile", "DumpProfile", "load_profiles", "load_dump_profiles", "choose_profile", "choose_dump_profile",
           "select_content", "select_drop", "densest_block"]


@dataclass(frozen=True)
class Profile:
    """Where a site keeps its article: detect, content and drop selectors (see profiles.toml)."""

    name: str
    detect: tuple[str, ...]
    content: tuple[str, ...]
    pick: str
    drop: tuple[str, ...]


@dataclass(frozen=True)
class DumpProfile:
    """Which blocks of a rendered text dump are the article (see profiles.toml, ``[[dump]]``)."""

    name: str
    link: str
    title: str
    end_after: str
    drop_text: tuple[str, ...]
    drop_alt: tuple[str, ...]


@cache
def _data() -> dict:
    return tomllib.loads(resources.files("pipeline.normalize").joinpath("profiles.toml").read_text("utf-8"))


@cache
def load_dump_profiles() -> tuple[DumpProfile, ...]:
    """Return the text-dump profiles in the order they are tried; the last applies to any dump."""
    return tuple(DumpProfile(d["name"], d.get("link", ""), d.get("title", "{h1}"), d.get("end_after", ""),
                             tuple(d.get("drop_text", ())), tuple(d.get("drop_alt", ())))
                 for d in _data()["dump"])


def choose_dump_profile(url: str, name: str | None = None) -> DumpProfile:
    """Return the dump profile named ``name``, or the first whose ``link`` pattern matches the dump's URL."""
    profiles = load_dump_profiles()
    for profile in profiles:
        if (name is not None and profile.name == name) or (name is None and re.search(profile.link, url or "")):
            return profile
    if name is not None:
        raise KeyError(name)
    return profiles[-1]


@cache
def load_profiles() -> tuple[Profile, ...]:
    """Return the shipped HTML profiles in the order they are tried; the generic one matches any page."""
    data = _data()
    return tuple(
        Profile(
            name=entry["name"],
            detect=tuple(entry["detect"]),
            content=tuple(entry["content"]),
            pick=entry.get("pick", "all"),
            drop=tuple(entry.get("drop", ())),
        )
        for entry in data["profile"]
    )


@cache
def _selector(css: str) -> CSSSelector:
    return CSSSelector(css, translator="html")


@cache
def _union(selectors: tuple[str, ...]) -> etree.XPath:
    """One XPath for several CSS selectors: what any of them selects, once, in document order."""
    return etree.XPath(" | ".join(_selector(css).path for css in selectors))


def choose_profile(root: etree._Element, name: str | None = None) -> Profile:
    """Return the profile named ``name``, or else the first whose detect selectors match ``root``."""
    profiles = load_profiles()
    if name is not None:
        for profile in profiles:
            if profile.name == name:
                return profile
        raise KeyError(name)
    for profile in profiles:
        if any(_detects(css, root) for css in profile.detect):
            return profile
    return profiles[-1]


#: The element with an id, from the table of ids libxml2's HTML parser keeps (the first, when several share it).
_BY_ID = etree.XPath("id($name)")


def _detects(css: str, root: etree._Element) -> bool:
    """Whether ``css`` selects an element of the page ``root``, as parsed (its table of ids is whole)."""
    simple = _simple_selector(css)
    if simple is not None and simple[0] == "id" and simple[1] and not any(c.isspace() for c in simple[1]):
        return bool(_BY_ID(root, name=simple[1]))  # a lookup, where the selector visits every element
    return bool(_selector(css)(root))


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def select_content(root: etree._Element, profile: Profile) -> list[etree._Element]:
    """Return the elements of ``root`` that hold the article, in document order, none inside another."""
    if profile.pick == "first":
        for css in profile.content:
            found = _selector(css)(root)
            if found:
                return _outermost(found)[:1]
        return []
    return _outermost(_union(profile.content)(root))


def select_drop(root: etree._Element, profile: Profile) -> list[tuple[str, etree._Element]]:
    """Return ``(selector, element)`` pairs for the chrome to remove from inside ``root``.

    Selectors of one class or one id (most chrome rules) are answered from one pass over the
    elements that have a class or an id; cssselect's XPath, which libxml2 evaluates element by
    element for each selector, answers the others.
    """
    simple = [_simple_selector(css) for css in profile.drop]
    index = _class_and_id_index(root) if any(simple) else None
    found = []
    for css, kind_and_name in zip(profile.drop, simple):
        elements = index.get(kind_and_name, ()) if kind_and_name else _selector(css)(root)
        found += [(css, element) for element in elements]
    return found


@cache
def _simple_selector(css: str) -> tuple[str, str] | None:
    """``("class", name)`` for ``.name``, ``("id", name)`` for ``#name`` (as cssselect parses them), else None."""
    parsed = cssselect.parse(css)
    if len(parsed) != 1 or parsed[0].pseudo_element is not None:
        return None
    tree = parsed[0].parsed_tree
    inner = getattr(tree, "selector", None)
    if not (isinstance(inner, cssselect.parser.Element) and inner.element is None and inner.namespace is None):
        return None
    if isinstance(tree, cssselect.parser.Class):
        return ("class", tree.class_name)
    if isinstance(tree, cssselect.parser.Hash):
        return ("id", tree.id)
    return None


# XPath's normalize-space, which cssselect's class test uses, splits at these four.
_CLASS_SEPARATORS = re.compile(r"[ \t\n\r]+")


def _class_and_id_index(root: etree._Element) -> dict[tuple[str, str], list[etree._Element]]:
    """``root`` and its descendants by each of their class names and by their id, in document order."""
    index: dict[tuple[str, str], list[etree._Element]] = {}
    for element in _WITH_CLASS_OR_ID(root):
        classes = element.get("class")
        if classes:
            for name in dict.fromkeys(_CLASS_SEPARATORS.split(classes.strip(" \t\n\r"))):
                index.setdefault(("class", name), []).append(element)
        identifier = element.get("id")
        if identifier is not None:
            index.setdefault(("id", identifier), []).append(element)
    return index


_WITH_CLASS_OR_ID = etree.XPath("descendant-or-self::*[@class or @id]")


def densest_block(root: etree._Element) -> etree._Element | None:
    """Return the element holding the most paragraph text, as readability tools do.

    Each ``<p>`` adds the length of its non-link text to its parent and half of
    it to its grandparent; the highest scorer wins. None when there is no text.
    """
    scores: dict[etree._Element, float] = {}
    for paragraph in root.iter("p"):
        text = "".join(paragraph.itertext())
        links = sum(len("".join(a.itertext())) for a in paragraph.iter("a"))
        weight = len(" ".join(text.split())) - links
        if weight <= 0:
            continue
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + weight
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0) + weight / 2
    if not scores:
        return None
    return max(scores, key=scores.__getitem__)
