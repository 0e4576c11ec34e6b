"""Where a JSON Pointer points in the text of a JSON or YAML file: its line and column.

Issues carry JSON Pointers (RFC 6901) into the parsed document; editors and CI annotations
want lines. :class:`Locator` maps a pointer back to the text: for an object member, the
position of its key; for an array element, the element's first character; for a pointer that
names nothing in the file (a missing required member, say), its nearest ancestor that exists.

JSON is read by a small tolerant tokenizer (it never raises: on text that is not JSON it maps
what it can read); YAML by PyYAML's composer, whose nodes carry their marks. Lines and
columns count from 1; columns count characters, not bytes.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from dataclasses import dataclass

import yaml

from czmc._limits import MAX_DEPTH
from czmc._strict_yaml import StrictLoader as _StrictLoader

__all__ = ["Location", "Locator", "parse_pointer"]

Location = tuple[int, int]
"""A 1-based (line, column)."""

_SPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SCALAR = re.compile(r'[^ \t\r\n,:\[\]{}"]+')
_INDEX = re.compile(r"0|[1-9][0-9]*")


def parse_pointer(text: str) -> list[str]:
    """The reference tokens of a JSON Pointer (``""`` is the whole document: no tokens)."""
    if not text:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in text.split("/")[1:]]


@dataclass
class _Frame:
    node: int | None  # None: a container whose own place is unknown (malformed text)
    is_object: bool
    index: int = 0
    member: int | None = None  # the node of the member whose key was read last
    expect_key: bool = True


class _Tree:
    """The values of a JSON text as a tree of nodes: each node's character offset, children by token.

    Memory is linear in the number of values whatever the depth, and small per value: a node
    is its offset in an array; an object member is found by (parent, key), an array element in
    its parent's array of nodes. No node stores its whole pointer (the pointers of a deep
    document add up to quadratic size). Containers deeper than :data:`~czmc.inputs.MAX_DEPTH`
    are only counted: czmc refuses such documents, so nothing inside them is looked up.
    """

    ROOT = 0

    def __init__(self) -> None:
        self.offsets = array("q")
        self.members: dict[tuple[int, str], int] = {}
        self.elements: dict[int, array[int]] = {}

    def _new(self, position: int) -> int:
        self.offsets.append(position)
        return len(self.offsets) - 1

    def root(self, position: int) -> int:
        if not self.offsets:
            self._new(position)
        return self.ROOT

    def member(self, parent: int, key: str, position: int) -> int:
        """The node of member ``key`` of object ``parent``; the first occurrence wins."""
        node = self.members.get((parent, key))
        if node is None:
            node = self.members[parent, key] = self._new(position)
        return node

    def element(self, parent: int, index: int, position: int) -> int:
        """The node of element ``index`` of array ``parent``."""
        nodes = self.elements.get(parent)
        if nodes is None:
            nodes = self.elements[parent] = array("q")
        while len(nodes) <= index:  # one step, unless malformed text skipped an element
            nodes.append(self._new(position))
        return nodes[index]

    def find(self, tokens: list[str]) -> int | None:
        """The offset of the deepest node along ``tokens`` (None for an empty tree)."""
        if not self.offsets:
            return None
        node = self.ROOT
        for token in tokens:
            below = self.members.get((node, token))
            if below is None and _INDEX.fullmatch(token):
                nodes = self.elements.get(node)
                if nodes is not None and int(token) < len(nodes):
                    below = nodes[int(token)]
            if below is None:
                break
            node = below
        return self.offsets[node]


def _json_tree(text: str) -> _Tree:
    """The nodes of every value in JSON ``text``, with their offsets; tolerant of malformed text."""
    tree = _Tree()
    frames: list[_Frame] = []
    hidden = 0  # containers open below MAX_DEPTH levels: counted, not tracked (czmc refuses them)

    def value_at(position: int) -> int | None:
        if hidden:
            return None
        if not frames:
            return tree.root(position)
        frame = frames[-1]
        if frame.node is None:
            return None
        if frame.is_object:  # the member's place (its key) was recorded when the key was read
            return frame.member
        return tree.element(frame.node, frame.index, position)

    position = 1 if text.startswith("\ufeff") else 0
    end = len(text)
    while True:
        match = _SPACE.match(text, position)
        position = match.end() if match else position
        if position >= end:
            break
        char = text[position]
        if char == '"':
            string = _STRING.match(text, position)
            if string is None:  # unterminated string: nothing after it can be placed reliably
                break
            frame = frames[-1] if frames and not hidden else None
            if frame is not None and frame.is_object and frame.expect_key:
                try:
                    key = json.loads(string.group())
                except ValueError:
                    key = string.group()[1:-1]
                frame.expect_key = False
                frame.member = None if frame.node is None else tree.member(frame.node, str(key), position)
            else:
                value_at(position)
            position = string.end()
        elif char in "{[":
            if hidden or len(frames) >= MAX_DEPTH:
                hidden += 1
            else:
                frames.append(_Frame(value_at(position), is_object=char == "{"))
            position += 1
        elif char in "}]":
            if hidden:
                hidden -= 1
            elif frames:
                frames.pop()
            position += 1
        elif char == ",":
            if frames and not hidden:
                frame = frames[-1]
                if frame.is_object:
                    frame.member, frame.expect_key = None, True
                else:
                    frame.index += 1
            position += 1
        elif char == ":":
            if frames and not hidden and frames[-1].is_object:
                frames[-1].expect_key = False
            position += 1
        else:
            value_at(position)
            scalar = _SCALAR.match(text, position)
            position = scalar.end() if scalar else position + 1
    return tree


class Locator:
    """Finds the line and column of JSON Pointers in one file's text.

    ``Locator(text)`` reads JSON, ``Locator(text, yaml_syntax=True)`` YAML. :meth:`find`
    never raises; it returns None only when not even the document's start can be placed.
    """

    def __init__(self, text: str, *, yaml_syntax: bool = False) -> None:
        self._text = text
        self._yaml: yaml.Node | None = None
        self._tree: _Tree | None = None  # JSON: built on the first pointer below the root
        self._line_starts = array("q")
        if yaml_syntax:
            try:
                self._yaml = yaml.compose(text, Loader=_StrictLoader)
            except yaml.YAMLError:
                self._yaml = None

    def find(self, pointer: str) -> Location | None:
        """The (line, column) of ``pointer``, or of its nearest ancestor present in the text."""
        if self._yaml is not None:
            return self._find_yaml(self._yaml, parse_pointer(pointer))
        if not pointer and self._tree is None:  # the whole document (e.g. one too deep): no need to map it
            start = _SPACE.match(self._text, 1 if self._text.startswith("\ufeff") else 0)
            first = start.end() if start else 0
            if first < len(self._text) and self._text[first] not in ",:]}":
                return self._text.count("\n", 0, first) + 1, first - (self._text.rfind("\n", 0, first) + 1) + 1
        if self._tree is None:
            self._tree = _json_tree(self._text)
            self._line_starts = array("q", [0])
            self._line_starts.extend(match.end() for match in re.finditer("\n", self._text))
        found = self._tree.find(parse_pointer(pointer))
        if found is None:
            return None
        line = bisect.bisect_right(self._line_starts, found)
        return line, found - self._line_starts[line - 1] + 1

    @staticmethod
    def _find_yaml(node: yaml.Node, tokens: list[str]) -> Location:
        mark = node.start_mark
        for token in tokens:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == token:
                        mark, node = key_node.start_mark, value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1
