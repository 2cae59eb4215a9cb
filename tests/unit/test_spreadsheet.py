"""Every CSV export neutralises cells a spreadsheet would run as formulas."""

import pytest

from lms.domain.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert safe_cell(cell) == "'" + cell


def test_plain_cells_are_left_alone():
    assert safe_cell("Jordan Rivera") == "Jordan Rivera" and safe_cell(None) == ""


def test_a_row_is_neutralised_cell_by_cell():
    assert safe_row(["=1+1", "Ana", 3]) == ["'=1+1", "Ana", "3"]
