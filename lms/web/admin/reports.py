"""Agency administration: the agency's home page, compliance reports, course file health and evaluation results."""

from datetime import date

from flask import abort, render_template
from flask_login import current_user

from lms.domain import compliance_report
from lms.domain.evaluation import MIN_RESPONSES_TO_SHOW
from lms.domain.roles import ADMIN
from lms.services import team_matrix
from lms.services.agency_dashboard import agency_counts
from lms.services.evaluations import response_counts, summary_for
from lms.web.access import catalog, role_required
from lms.web.admin import bp
from lms.web.downloads import attachment, pdf_from_template


@bp.get("/")
@role_required(ADMIN)
def home():
    today = date.today()
    return render_template(
        "admin/index.html",
        counts=agency_counts(current_user.agency_id, today),
        compliance=team_matrix.agency_matrix(current_user.agency_id, catalog(), today),
    )


@bp.get("/compliance.csv")
@role_required(ADMIN)
def compliance_csv():
    today = date.today()
    report = team_matrix.agency_matrix(current_user.agency_id, catalog(), today)
    body = compliance_report.csv_text(report)
    return attachment(body.encode("utf-8"), "text/csv; charset=utf-8", f"required-training-{today.isoformat()}.csv", "private, no-store")


@bp.get("/compliance.pdf")
@role_required(ADMIN)
def compliance_pdf():
    today = date.today()
    report = team_matrix.agency_matrix(current_user.agency_id, catalog(), today)
    pdf = pdf_from_template(
        "admin/print/compliance.html",
        agency=current_user.agency,
        report=report,
        lines=list(compliance_report.lines(report)),
        today=today,
    )
    return attachment(pdf, "application/pdf", f"required-training-{today.isoformat()}.pdf", "private, no-store")


@bp.get("/courses")
@role_required(ADMIN)
def course_health():
    return render_template("admin/courses.html", catalog=catalog())


@bp.get("/evaluations")
@role_required(ADMIN)
def evaluations():
    return render_template(
        "admin/evaluations.html",
        courses=list(catalog()),
        counts=response_counts(current_user.agency_id),
        minimum=MIN_RESPONSES_TO_SHOW,
    )


@bp.get("/evaluations/<slug>")
@role_required(ADMIN)
def evaluation_summary(slug):
    course = catalog().get(slug)
    if course is None:
        abort(404)
    responses, summary = summary_for(current_user.agency_id, course)
    return render_template(
        "admin/evaluation_summary.html", course=course, responses=responses, summary=summary, minimum=MIN_RESPONSES_TO_SHOW
    )
