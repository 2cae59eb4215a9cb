"""An audit export: many certificates' PDFs in one ZIP, with a manifest.csv, streamed.

The ZIP is written in pieces as it goes: one certificate is loaded, its PDF rendered (or
taken from the cache, and cached when new), written, handed out and let go before the
next, so memory stays flat however many certificates there are. Flushes each newly cached
PDF; the caller commits after each piece it hands on, so a cut-off download keeps the work
already done.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from lms.domain.certificates import export_file_name, licence_line, unique_names
from lms.domain.spreadsheet import safe_row
from lms.extensions import db
from lms.models import Certificate
from lms.services import certificates

MANIFEST_COLUMNS = ("file", "name", "licence", "course", "hours", "completed_on", "issued_on", "expires_on", "code", "status")


@dataclass(frozen=True)
class ExportFilters:
    team_ids: list[int] | None = None  # None: the whole agency
    course_slug: str = ""
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    # Admins see licence numbers; a supervisor's manifest only says whether there is one.
    licence_details: bool = True


class ZipPieces(io.RawIOBase):
    """A write-only, unseekable sink: zipfile then writes data descriptors and never seeks back."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream_zip(agency_id: int, filters: ExportFilters, render: Callable[[Certificate], bytes]) -> Iterator[bytes]:
    rows = certificates.export_rows(
        agency_id,
        team_ids=filters.team_ids,
        course_slug=filters.course_slug,
        date_from=filters.date_from,
        date_to=filters.date_to,
        wanted_status=filters.status,
    )
    sink = ZipPieces()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_COLUMNS)
    with zipfile.ZipFile(sink, "w") as archive:
        names = unique_names(export_file_name(row.learner_name, row.course_slug, row.completed_on) for row in rows)
        for row, name in zip(rows, names):
            certificate = db.session.get(Certificate, row.id)
            pdf = certificates.cached_pdf(certificate, render)
            archive.writestr(
                zipfile.ZipInfo(name, date_time=_zip_time(certificate.completed_on)), pdf, compress_type=zipfile.ZIP_STORED
            )  # a PDF is compressed already
            writer.writerow(safe_row(_manifest_row(name, certificate, filters.licence_details)))
            db.session.expunge(certificate)  # let the PDF bytes go
            yield sink.take()
        # stored, not compressed: small, and readable to anything that scans the download
        archive.writestr("manifest.csv", manifest.getvalue().encode("utf-8"), compress_type=zipfile.ZIP_STORED)
    yield sink.take()


def _zip_time(day: date) -> tuple:
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)


def _manifest_row(name: str, certificate: Certificate, licence_details: bool) -> list:
    licences = certificate.licences or []
    return [
        name,
        certificate.learner_name,
        "; ".join(licence_line(item) for item in licences) if licence_details else ("on file" if licences else ""),
        certificate.course_title,
        f"{certificate.ce_hours:g}",
        certificate.completed_on.isoformat(),
        certificate.issued_at.date().isoformat(),
        certificate.expires_on.isoformat() if certificate.expires_on else "",
        certificate.code,
        certificates.status(certificate),
    ]
