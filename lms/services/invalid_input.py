"""The one error for input a person can correct."""


class InvalidInput(ValueError):
    """Bad input, one message per form field (safe to show beside that field)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
