"""Networks: a network admin's totals and invitations; an agency admin's answers.

A network admin belongs to no agency. Every page of the site that is about an agency or a
person answers them 404 (keep_network_admins_to_totals, below), whatever its own checks say.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.domain import bar_chart, network_totals
from lms.domain.roles import ADMIN, NETWORK_ADMIN
from lms.extensions import db
from lms.services import networks
from lms.services.invalid_input import InvalidInput
from lms.web.access import role_required
from lms.web.downloads import attachment
from lms.web.networks_forms import FIRST_YEAR, InviteAgencyForm, TotalsFilterForm

bp = Blueprint("networks", __name__)

PRIVATE = "private, no-store"
# What a network admin may reach besides their own pages: logging in and out, password
# reset, and the public pages (certificate verification, credentials' issuer pages, help).
OPEN_BLUEPRINTS = {"auth", "verify", "public", "help"}
NETWORK_ADMIN_ENDPOINTS = {
    "networks.home",
    "networks.totals",
    "networks.totals_csv",
    "networks.agencies",
    "networks.invite_agency",
    "networks.remove_agency",
}


@bp.before_app_request
def keep_network_admins_to_totals():
    if not (current_user.is_authenticated and current_user.has_role(NETWORK_ADMIN)):
        return None
    endpoint = request.endpoint or ""
    if endpoint == "index":
        return redirect(url_for("networks.home"))
    if endpoint in NETWORK_ADMIN_ENDPOINTS or endpoint == "static" or endpoint.split(".")[0] in OPEN_BLUEPRINTS:
        return None
    abort(404)


def _network_or_404(network_id: int):
    network = networks.network_for(current_user, network_id)
    if network is None:
        abort(404)
    return network


def _shared_courses() -> list[tuple[str, str]]:
    return [(course.slug, course.title) for course in current_app.extensions["catalog"]]


def _report(network):
    today = date.today()
    return networks.report(network, _shared_courses(), today, TotalsFilterForm(today, formdata=request.args).checked())


# A network admin's pages


@bp.get("/network/")
@role_required(NETWORK_ADMIN)
def home():
    mine = networks.networks_of(current_user)
    if len(mine) == 1:
        return redirect(url_for("networks.totals", network_id=mine[0].id))
    return render_template("networks/home.html", networks=mine)


@bp.get("/network/<int:network_id>/")
@role_required(NETWORK_ADMIN)
def totals(network_id):
    network = _network_or_404(network_id)
    report = _report(network)
    return render_template(
        "networks/totals.html",
        network=network,
        report=report,
        agencies=networks.member_agencies(network),
        courses=_shared_courses(),
        years=range(date.today().year, FIRST_YEAR - 1, -1),
        month_chart=bar_chart.horizontal_bars((line.label, line.completions) for line in report.by_month[:-1]),
        agency_chart=bar_chart.horizontal_bars((line.label, line.completions) for line in report.by_agency[:-1]),
    )


@bp.get("/network/<int:network_id>/totals.csv")
@role_required(NETWORK_ADMIN)
def totals_csv(network_id):
    network = _network_or_404(network_id)
    report = _report(network)
    name = f"{network.slug}-training-totals-{report.year}.csv"
    return attachment(network_totals.csv_text(report).encode(), "text/csv; charset=utf-8", name, PRIVATE)


def _agencies_page(network, values, errors, status=200):
    return render_template(
        "networks/agencies.html", network=network, memberships=networks.memberships_of(network), values=values, errors=errors
    ), status


@bp.get("/network/<int:network_id>/agencies")
@role_required(NETWORK_ADMIN)
def agencies(network_id):
    return _agencies_page(_network_or_404(network_id), {}, {})


@bp.post("/network/<int:network_id>/agencies")
@role_required(NETWORK_ADMIN)
def invite_agency(network_id):
    network = _network_or_404(network_id)
    try:
        membership = networks.invite(network, current_user, InviteAgencyForm().checked())
    except InvalidInput as error:
        return _agencies_page(network, request.form, error.errors, 422)
    db.session.commit()
    flash(f"{membership.agency.name} is invited. Their admin can accept or decline.", "success")
    return redirect(url_for("networks.agencies", network_id=network.id), code=303)


@bp.post("/network/<int:network_id>/agencies/<int:agency_id>/remove")
@role_required(NETWORK_ADMIN)
def remove_agency(network_id, agency_id):
    network = _network_or_404(network_id)
    membership = networks.remove(network, current_user, agency_id)
    if membership is None:
        abort(404)
    db.session.commit()
    flash(f"{membership.agency.name} is no longer in the network; its totals are no longer counted.", "success")
    return redirect(url_for("networks.agencies", network_id=network.id), code=303)


# An agency admin's page


@bp.get("/admin/networks")
@role_required(ADMIN)
def agency_networks():
    return render_template("networks/agency.html", memberships=networks.networks_of_agency(current_user.agency_id))


def _answer(network_id, accept: bool, message: str):
    if networks.answer(current_user.agency_id, current_user, network_id, accept) is None:
        abort(404)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("networks.agency_networks"), code=303)


@bp.post("/admin/networks/<int:network_id>/accept")
@role_required(ADMIN)
def accept_invitation(network_id):
    return _answer(network_id, True, "You joined the network. Its admins now see your agency's totals, never names.")


@bp.post("/admin/networks/<int:network_id>/decline")
@role_required(ADMIN)
def decline_invitation(network_id):
    return _answer(network_id, False, "You declined the invitation. The network sees nothing of your agency.")


@bp.post("/admin/networks/<int:network_id>/leave")
@role_required(ADMIN)
def leave_network(network_id):
    if networks.leave(current_user.agency_id, current_user, network_id) is None:
        abort(404)
    db.session.commit()
    flash("You left the network. It no longer counts your agency.", "success")
    return redirect(url_for("networks.agency_networks"), code=303)
