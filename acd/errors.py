"""Errors the engine raises for users (not bugs)."""


class ScenarioError(ValueError):
    """A scenario or roster file that cannot be used; the message names the field."""
