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
from dataclasses import dataclass

import yaml

from czmc._strict_yaml import StrictLoader as _StrictLoader
from czmc.report import pointer as make_pointer

__all__ = ["Location", "Locator", "parse_pointer"]

Location = tuple[int, int]
"""A 1-based (line, column)."""

_SPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SCALAR = re.compile(r'[^ \t\r\n,:\[\]{}"]+')


def parse_pointer(text: str) -> list[str]:
    """The reference tokens of a JSON Pointer (``""`` is the whole document: no tokens)."""
    if not text:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in text.split("/")[1:]]


@dataclass
class _Frame:
    pointer: str | None  # None: a container whose own pointer is unknown (malformed text)
    is_object: bool
    index: int = 0
    key: str | None = None
    expect_key: bool = True


def _json_offsets(text: str) -> dict[str, int]:
    """Character offsets of every pointer in JSON ``text``; tolerant of malformed text."""
    offsets: dict[str, int] = {}
    frames: list[_Frame] = []

    def value_at(position: int) -> str | None:
        if not frames:
            offsets.setdefault("", position)
            return ""
        frame = frames[-1]
        if frame.pointer is None:
            return None
        if frame.is_object:
            # the member's position (its key) was recorded when the key was read
            return None if frame.key is None else frame.pointer + make_pointer(frame.key)
        here = frame.pointer + make_pointer(frame.index)
        offsets.setdefault(here, position)
        return here

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
            frame = frames[-1] if frames else None
            if frame is not None and frame.is_object and frame.expect_key:
                try:
                    key = json.loads(string.group())
                except ValueError:
                    key = string.group()[1:-1]
                frame.key, frame.expect_key = str(key), False
                if frame.pointer is not None:
                    offsets.setdefault(frame.pointer + make_pointer(frame.key), position)
            else:
                value_at(position)
            position = string.end()
        elif char in "{[":
            frames.append(_Frame(value_at(position), is_object=char == "{"))
            position += 1
        elif char in "}]":
            if frames:
                frames.pop()
            position += 1
        elif char == ",":
            if frames:
                frame = frames[-1]
                if frame.is_object:
                    frame.key, frame.expect_key = None, True
                else:
                    frame.index += 1
            position += 1
        elif char == ":":
            if frames and frames[-1].is_object:
                frames[-1].expect_key = False
            position += 1
        else:
            value_at(position)
            scalar = _SCALAR.match(text, position)
            position = scalar.end() if scalar else position + 1
    return offsets


class Locator:
    """Finds the line and column of JSON Pointers in one file's text.

    ``Locator(text)`` reads JSON, ``Locator(text, yaml_syntax=True)`` YAML. :meth:`find`
    never raises; it returns None only when not even the document's start can be placed.
    """

    def __init__(self, text: str, *, yaml_syntax: bool = False) -> None:
        self._text = text
        self._yaml: yaml.Node | None = None
        self._offsets: dict[str, int] = {}
        self._line_starts: list[int] = []
        if yaml_syntax:
            try:
                self._yaml = yaml.compose(text, Loader=_StrictLoader)
            except yaml.YAMLError:
                self._yaml = None
        else:
            self._offsets = _json_offsets(text)
            self._line_starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def find(self, pointer: str) -> Location | None:
        """The (line, column) of ``pointer``, or of its nearest ancestor present in the text."""
        if self._yaml is not None:
            return self._find_yaml(self._yaml, parse_pointer(pointer))
        while True:
            offset = self._offsets.get(pointer)
            if offset is not None:
                line = bisect.bisect_right(self._line_starts, offset)
                return line, offset - self._line_starts[line - 1] + 1
            if not pointer:
                return None
            pointer = pointer[: pointer.rfind("/")]

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
