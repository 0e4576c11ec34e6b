"""The YAML loader for czmc's inputs: safe, and refusing duplicate keys and aliases.

A module of its own so that reading JSON (tokens, credentials) does not import PyYAML.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["StrictLoader"]


class StrictLoader(yaml.SafeLoader):
    """YAML safe loader that refuses duplicate mapping keys and aliases.

    Aliases are refused because a few hundred bytes of nested aliases expand into billions
    of nodes for whatever walks the document next ("billion laughs").
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not accepted in czmc input", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
