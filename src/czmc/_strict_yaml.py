"""The YAML loader for czmc's inputs: safe, refusing duplicate keys, aliases and deep nesting.

A module of its own so that reading JSON (tokens, credentials) does not import PyYAML.
"""

from __future__ import annotations

from typing import Any

import yaml

from czmc._limits import MAX_DEPTH

__all__ = ["StrictLoader", "TooDeepError"]


class TooDeepError(yaml.composer.ComposerError):
    """A YAML document nested deeper than :data:`MAX_DEPTH` (refused while composing)."""


class StrictLoader(yaml.SafeLoader):
    """YAML safe loader that refuses duplicate mapping keys, aliases and deep nesting.

    Aliases are refused because a few hundred bytes of nested aliases expand into billions
    of nodes for whatever walks the document next ("billion laughs"). Nesting is counted while
    composing, so a deep document stops at :data:`MAX_DEPTH` levels instead of exhausting
    Python's recursion (PyYAML's composer recurses once per level; its scanner and parser
    do not).
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not accepted in czmc input", event.start_mark
            )
        if self.check_event(yaml.events.CollectionStartEvent) and self._depth >= MAX_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise TooDeepError(None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError:  # Python refuses to convert integers of more than 4300 digits
        raise yaml.constructor.ConstructorError(
            None, None, f"the integer is too long ({len(str(node.value))} characters)", node.start_mark
        ) from None


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
