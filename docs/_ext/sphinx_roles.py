"""Griffe extension used by the documentation build (not part of the czmc package).

czmc's docstrings use Sphinx cross-reference roles (``:class:`~czmc.errors.ModelError```).
mkdocstrings renders Markdown, so this extension rewrites each role before the docstrings
are rendered: into an mkdocstrings cross-reference when the target is rendered on one of
the reference pages, into plain inline code otherwise. It also drops reST's ``::``
literal-block markers, which Markdown would print, and turns reST simple tables of two
columns without a header (``====  ====`` borders) into Markdown lists.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

# Modules rendered by docs/reference/*.md; links to anything else would not resolve.
DOCUMENTED = (
    "model",
    "vocab",
    "ob3",
    "jsonld",
    "schema",
    "validation",
    "render",
    "catalogue",
    "roster",
    "batch",
    "report",
    "errors",
    "keys",
    "jws",
    "vcjwt",
    "did",
    "http",
    "status",
    "registry",
)

_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj|const):`(~?)([\w.]+)`")
_LITERAL_MARKER = re.compile(r"(?m)^([ \t]*)::[ \t]*$")
_TRAILING_MARKER = re.compile(r"(?m)(\S)::[ \t]*$")
_TABLE_BORDER = re.compile(r"^[ \t]*=+[ \t]+=+[ \t]*$")
_TABLE_ROW = re.compile(r"^(\S+(?: \S+)*)\s{2,}(.*)$")


def _simple_tables(text: str) -> str:
    """Two-column reST simple tables without a header as Markdown lists (``- first: second``)."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        end = None
        if _TABLE_BORDER.match(line):
            end = next((j for j in range(index + 1, len(lines)) if _TABLE_BORDER.match(lines[j])), None)
        if end is None:
            out.append(line)
            index += 1
            continue
        items: list[list[str]] = []
        for row in lines[index + 1 : end]:
            match = _TABLE_ROW.match(row)
            if match is not None:
                items.append([match.group(1), match.group(2).strip()])
            elif row.strip() and items:
                items[-1][1] += " " + row.strip()
        if out and out[-1].strip():
            out.append("")
        out.extend(f"- {first}: {second}" for first, second in items)
        index = end + 1
    return "\n".join(out)


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if member.is_alias:
            continue
        if member.is_module or member.is_class:
            found.extend(_objects(member))  # type: ignore[arg-type]
        else:
            found.append(member)  # type: ignore[arg-type]
    return found


def _rendered(target: griffe.Object) -> bool:
    """Whether mkdocstrings renders ``target`` (with the options in mkdocs.yml)."""
    parts = target.path.split(".")
    if parts[0] != "czmc" or len(parts) < 2 or parts[1] not in DOCUMENTED:
        return False
    if any(part.startswith("_") for part in parts[1:]):
        return False
    if target.is_module:
        return True
    # mkdocs.yml shows public members with or without a docstring, but not inherited ones.
    return target.parent is None or _rendered(target.parent)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in czmc docstrings into mkdocstrings cross-references."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "czmc":
            return
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = self._rewrite(obj, pkg, obj.docstring.value)

    def _rewrite(self, obj: griffe.Object, pkg: griffe.Module, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            short, name = match.group(1) == "~", match.group(2)
            shown = name.rsplit(".", 1)[-1] if short else name
            target = self._resolve(obj, pkg, name)
            if target is None or not _rendered(target):
                return f"`{shown}`"
            return f"[`{shown}`][{target.path}]"

        text = _ROLE.sub(replace, text)
        text = _LITERAL_MARKER.sub("", text)
        text = _TRAILING_MARKER.sub(r"\1:", text)
        return _simple_tables(text)

    @staticmethod
    def _resolve(obj: griffe.Object, pkg: griffe.Module, name: str) -> griffe.Object | None:
        if name.startswith("czmc."):
            path = name
        else:
            head, _, rest = name.partition(".")
            scope = obj if obj.is_module or obj.is_class else obj.parent
            try:
                path = scope.resolve(head) if scope is not None else name
            except griffe.NameResolutionError:
                try:
                    path = pkg.resolve(head)
                except griffe.NameResolutionError:
                    return None
            if rest:
                path = f"{path}.{rest}"
        try:
            target = pkg[path.removeprefix("czmc.")] if path != "czmc" else pkg
        except (KeyError, ValueError):
            return None
        while target.is_alias:
            try:
                target = target.target
            except griffe.AliasResolutionError:
                return None
        return target
