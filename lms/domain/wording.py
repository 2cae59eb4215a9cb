"""Numbers with their nouns, as people write them: "1 line", "6 lines", never "line(s)"."""


def counted(number, singular: str, plural: str | None = None) -> str:
    noun = singular if number == 1 else (plural or singular + "s")
    return f"{number:g} {noun}" if isinstance(number, float) else f"{number} {noun}"
