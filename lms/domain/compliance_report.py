"""The agency-wide report of required training: one line per person and required course."""

from __future__ import annotations

import csv
import io

from lms.domain.assignments import STATE_LABELS
from lms.domain.matrix import Matrix
from lms.domain.spreadsheet import safe_row

HEADER = ("name", "email", "team", "course", "status", "due on", "completed on", "lessons done")


def lines(report: Matrix):
    for row in report.rows:
        for column, cell in zip(report.columns, row.cells):
            if not cell.required:
                continue
            status = cell.standing
            yield (
                row.name,
                row.email,
                row.team_name,
                column.title,
                STATE_LABELS[status.state],
                status.due_on.isoformat() if status.due_on else "",
                status.completed_on.isoformat() if status.completed_on else "",
                f"{cell.done} of {cell.total}",
            )


def csv_text(report: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(safe_row(line) for line in lines(report))
    return out.getvalue()
