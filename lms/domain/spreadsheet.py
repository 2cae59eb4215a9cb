"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection")."""

# A cell starting with one of these is read as a formula (or a hidden one) by Excel,
# LibreOffice and Google Sheets: `=HYPERLINK(…)` in a name would become a live link.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values) -> list[str]:
    return [safe_cell(value) for value in values]
