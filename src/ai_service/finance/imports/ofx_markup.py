"""OFX markup, read as leniently as its meaning allows: version 1 (SGML, end tags optional for
elements) and version 2 (XML) alike, into a small tree.

Banks write OFX that validating readers (ofxtools) refuse although its meaning is plain: no
header block, a header naming a charset the body does not use, empty elements, end tags of
elements re-nested by a pretty-printer, comments, elements longer than the specification allows.
This reader keeps only what the markup means:
- an element is a tag followed by text (`<TRNAMT>-5.00`), its end tag optional;
- an aggregate is a tag followed by another tag, and always has an end tag further on (the
  specification requires it in both versions); a tag without text whose next mention is another
  start tag is an empty element (`<CURDEF>` with nothing after it);
- an end tag closes the innermost open aggregate of that name and whatever is open inside it;
  an end tag with no open aggregate of its name (an element's, placed anywhere) is ignored.
Nothing is converted here: texts stay as written (dates keep their local time zone).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_IGNORED = re.compile(r"<!--.*?-->|<\?.*?\?>|<!(?!\[CDATA\[)[^>]*>", re.DOTALL)  # comments, <?xml
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_NAME = re.compile(r"\s*(/?)\s*([A-Za-z][A-Za-z0-9._:-]*)")
_START, _END = 0, 1
_CHARSET = re.compile(rb"(?:CHARSET:|encoding=[\"'])\s*([A-Za-z0-9_-]+)", re.IGNORECASE)
_CHARSETS = {"1252": "cp1252", "8859-1": "latin-1", "ISO-8859-1": "latin-1",
             "LATIN1": "latin-1", "ISO-8859-15": "iso8859-15", "UTF-8": "utf-8"}


@dataclass(eq=False, slots=True)
class Node:
    tag: str
    text: str | None = None  # an element's text (stripped, possibly empty); None: an aggregate
    children: list[Node] = field(default_factory=list)

    def child(self, *path: str) -> Node | None:
        node: Node | None = self
        for tag in path:
            node = next((c for c in node.children if c.tag == tag), None) if node else None
        return node

    def value(self, *path: str) -> str | None:
        """The text of the element at `path`, or None when it is absent or empty."""
        node = self.child(*path)
        return node.text or None if node is not None else None

    def elements(self) -> dict[str, str]:
        """The texts of the elements directly inside, by tag (the first of a tag; empty ones
        left out)."""
        found: dict[str, str] = {}
        for c in self.children:
            if c.text:
                found.setdefault(c.tag, c.text)
        return found

    def descendants(self) -> Iterator[Node]:
        stack = list(reversed(self.children))  # not recursive: nesting depth is the file's
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 when the bytes are UTF-8 (whatever the header says),
    else the charset the header names, else Windows-1252 (the usual OFX 1 charset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:2048])
    name = _CHARSETS.get(declared.group(1).decode().upper(), "cp1252") if declared else "cp1252"
    try:
        return data.decode(name), name
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"  # every byte is a character in latin-1


def parse_markup(text: str, elements: frozenset[str] = frozenset()) -> Node:
    """The tree of `text`; its root holds the top-level nodes (normally one, OFX). Tags named in
    `elements` are elements even when empty and closed further on (a pretty-printer may have
    moved their end tag past their siblings)."""
    tokens = _tokens(text)
    following = _next_mention(tokens)
    root = Node("")
    stack = [root]
    skip = -1  # the end tag of an element, already read with it
    for index, (kind, tag, value, closed) in enumerate(tokens):
        if index == skip:
            continue
        if kind == _END:
            depth = next((d for d in range(len(stack) - 1, 0, -1) if stack[d].tag == tag), 0)
            if depth:
                del stack[depth:]
            continue
        later = following[index]
        aggregate = later >= 0 and tokens[later][0] == _END  # its next mention closes it
        if value or closed or tag in elements or not aggregate:
            stack[-1].children.append(Node(tag, value))
            if later == index + 1 and aggregate:
                skip = later
        else:
            node = Node(tag)
            stack[-1].children.append(node)
            stack.append(node)
    return root


def _tokens(text: str) -> list[tuple[int, str, str, bool]]:
    """Each tag as (start or end, NAME, the text after it, self-closed), comments dropped."""
    text = _IGNORED.sub("", text)
    if "<![CDATA[" in text:
        text = _CDATA.sub(lambda found: html.escape(found.group(1), quote=False), text)
    tokens: list[tuple[int, str, str, bool]] = []
    pending = ""  # text of a "<" that opens no tag, kept with the text before it
    for piece in reversed(text.split("<")[1:]):  # backwards: a stray "<" joins what precedes
        body, closes, after = piece.partition(">")
        found = _NAME.match(body) if closes else None
        if found is None:
            pending = "<" + piece + pending
            continue
        after = (after + pending).strip()
        pending = ""
        if "&" in after:
            after = html.unescape(after)
        tokens.append((_END if found.group(1) else _START, found.group(2).upper(), after,
                       body.rstrip().endswith("/")))
    tokens.reverse()
    return tokens


def _next_mention(tokens: list[tuple[int, str, str, bool]]) -> list[int]:
    """For each tag, the index of the next tag of the same name (-1: none)."""
    following = [-1] * len(tokens)
    seen: dict[str, int] = {}
    for index in range(len(tokens) - 1, -1, -1):
        tag = tokens[index][1]
        following[index] = seen.get(tag, -1)
        seen[tag] = index
    return following
