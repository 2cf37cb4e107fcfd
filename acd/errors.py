"""Errors the engine raises for users (not bugs)."""


class ConfigError(ValueError):
    """A configuration file a person edits that cannot be used; the message names the
    field. ``acd.tomlfields.Fields`` raises it, as the subclass its caller names."""


class ScenarioError(ConfigError):
    """A scenario or roster file that cannot be used; the message names the field."""
