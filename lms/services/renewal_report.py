"""The renewal report for one certification and period: what a learner sends their board.

The facts are gathered here; the view renders the PDF (lms.web.downloads) and this module
writes the CSV and the ZIP with the external certificates' files.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from lms.domain.certificates import unique_names
from lms.domain.renewal import DELIVERY_FORMATS, OURS, Entry, Progress, categories_line, report_file_name
from lms.domain.spreadsheet import safe_row
from lms.extensions import db
from lms.models import ExternalCeEntry, LearnerCertification, User
from lms.services import licences, renewal


@dataclass(frozen=True)
class Report:
    learner_name: str
    agency_name: str
    certification_number: str
    licences: tuple[str, ...]
    progress: Progress
    made_on: date

    @property
    def requirement(self):
        return self.progress.requirement

    def file_name(self, extension: str) -> str:
        return report_file_name(self.learner_name, self.requirement.name, self.progress.period.ends_on, extension)


def build(certification: LearnerCertification, learner: User, today: date, ends_on: date | None = None) -> Report:
    found = renewal.progress_of(certification, today, ends_on=ends_on)
    return Report(
        learner_name=learner.name,
        agency_name=learner.agency.name,
        certification_number=certification.number,
        licences=tuple(f"{row.kind} {row.number}, {row.issuer}" for row in licences.licences_of(learner.id)),
        progress=found,
        made_on=today,
    )


def source_text(entry: Entry) -> str:
    """Our verification code, or who verified an external entry and when."""
    if entry.source == OURS:
        return f"verification code {entry.reference}"
    if entry.reviewer_name and entry.reviewed_on:
        return f"external ({entry.reference}), verified by {entry.reviewer_name} on {entry.reviewed_on.isoformat()}"
    return f"external ({entry.reference}), not verified"


def statements(found: Progress) -> list[tuple[str, bool]]:
    """(what, met) lines: total hours, then each category minimum."""
    lines = [(f"Total: {found.hours:g} of {found.requirement.total_hours:g} hours", found.hours_missing == 0)]
    lines += [(f"{c.name}: {c.earned:g} of {c.minimum:g} hours", c.met) for c in found.categories]
    return lines


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    found = report.progress

    def row(*cells):
        writer.writerow(safe_row(cells))

    row("learner", report.learner_name)
    row("certification", report.requirement.name, report.certification_number)
    for licence in report.licences:
        row("licence", licence)
    row("period", found.period.starts_on.isoformat(), found.period.ends_on.isoformat())
    row()
    row("date", "title", "hours", "categories", "delivery format", "source")
    for entry in found.counted:
        row(
            entry.earned_on.isoformat(),
            entry.title,
            f"{entry.hours:g}",
            categories_line(entry.categories),
            DELIVERY_FORMATS.get(entry.delivery_format, entry.delivery_format),
            source_text(entry),
        )
    row()
    row("category", "hours")
    for name, hours in found.hours_by_category.items():
        row(name, f"{hours:g}")
    row()
    row("requirement", "met")
    for text, met in statements(found):
        row(text, "met" if met else "not met")
    return out.getvalue()


def zip_bytes(report: Report, pdf: bytes) -> bytes:
    """The PDF, the CSV and each counted external entry's certificate file."""
    ids = [entry.entry_id for entry in report.progress.counted if entry.entry_id is not None]
    files = (
        db.session.execute(
            sa.select(ExternalCeEntry.id, ExternalCeEntry.file_name, ExternalCeEntry.file).where(ExternalCeEntry.id.in_(ids))
        ).all()
        if ids
        else []
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(report.file_name("pdf"), pdf)
        archive.writestr(report.file_name("csv"), csv_text(report))
        names = unique_names(f"external/{name}" for _, name, _ in files)
        for (_, _, data), name in zip(files, names):
            archive.writestr(name, data)
    return buffer.getvalue()
