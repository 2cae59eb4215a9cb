"""YAML loading that remembers the line of every mapping key, for error messages."""

import yaml


class LineDict(dict):
    """A dict from YAML that knows the 1-based line of itself and of each key."""

    line: int = 1
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


# libyaml's parser (C) when PyYAML has it: about ten times quicker than the pure-Python one,
# which made reading the courses most of the time the app takes to start.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {self.construct_object(key_node, deep=deep): key_node.start_mark.line + 1 for key_node, _ in node.value}
        return mapping


# SafeLoader resolves mappings through this constructor; point it at ours.
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node, deep=True),
)


def load_yaml(text: str):
    """Parse YAML safely; raise yaml.YAMLError (with problem_mark) when malformed."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506  (_LineLoader is a SafeLoader)
