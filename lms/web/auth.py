"""Logging in and out; setting a password through an emailed link."""

import math

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_url, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from lms.domain.throttle import BackoffPolicy
from lms.extensions import db, limiter, login_manager
from lms.services import account_links, accounts, login_throttle
from lms.services.accounts import MIN_PASSWORD_LENGTH, authenticate
from lms.services.signed_in import signed_in_user
from lms.web.access import safe_next
from lms.web.errors import render_error
from lms.web.htmx import client_redirect, current_url, is_htmx

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)], filters=[lambda v: v.strip() if v else v])
    password = PasswordField("Password", validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "Your email",
        validators=[
            DataRequired("Enter your email."),
            Email("Enter a whole email address, like name@agency.org.", check_deliverability=False),
        ],
        filters=[lambda v: v.strip().lower() if v else v],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
    )
    confirmation = PasswordField("Type the new password again", validators=[EqualTo("password", "The two passwords are not the same.")])


@login_manager.unauthorized_handler
def send_to_login():
    """Not logged in: to the login page, then back to where the person was going."""
    flash(login_manager.login_message, login_manager.login_message_category)
    if not is_htmx():
        return redirect(login_url("auth.login_form", request.url))
    # htmx would follow a redirect and swap the whole login page into part of this page:
    # move the whole window instead, back to the page the person was on.
    back = request.url if request.method == "GET" else current_url()
    return client_redirect(login_url("auth.login_form", back), 401)


@login_manager.user_loader
def load_user(session_user_id: str):
    """The person a session belongs to, while that session has not been ended (see User.get_id).

    One query brings the user, their roles and agency; the session version is checked on
    the row it returns, so ending sessions costs no extra statement."""
    user_id, _, version = session_user_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = signed_in_user(int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.get("/login")
def login_form():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    return render_template("auth/login.html", form=LoginForm())


def _backoff_policy() -> BackoffPolicy:
    return BackoffPolicy.parse(current_app.config["LOGIN_FAILURE_LIMIT"], current_app.config["LOGIN_FIRST_WAIT_SECONDS"])


def _wait_page(seconds: int):
    minutes = math.ceil(seconds / 60)
    wait = f"{seconds} seconds" if seconds < 60 else f"{minutes} minute{'s' if minutes > 1 else ''}"
    html, status = render_error(
        429,
        f"There were too many wrong passwords for this account from here. Wait {wait}, "
        "then try again, or choose “Forgot your password?” to set a new one.",
    )
    response = make_response(html, status)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def login():
    form = LoginForm()  # reads a form post or a JSON body alike
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400
    # Per account and client (OWASP): guesses from one place slow down that place only.
    key = login_throttle.throttle_key(current_app.config["SECRET_KEY"], form.email.data, request.remote_addr)
    wait = login_throttle.seconds_to_wait(key)
    if wait:
        return _wait_page(wait)
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        # One message for every failure, so the form does not reveal who has an account.
        login_throttle.record_failure(key, _backoff_policy())
        db.session.commit()
        flash("That email and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    login_throttle.forget(key)
    db.session.commit()
    session.clear()  # a fresh session at login, so a planted session id is useless
    login_user(user)
    return redirect(safe_next(request.args.get("next"), url_for("index")), code=303)


@bp.post("/logout")
@login_required
def logout():
    # CSRFProtect has already refused a post without a valid token. Every session of the
    # account ends, on every device and server: a copied cookie is worthless from now on.
    accounts.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out, on this device and every other.", "info")
    return redirect(url_for("auth.login_form"), code=303)


# The same answer whether or not the account exists, so no one learns who has one.
RESET_SENT = (
    "If there is an active account with that email, we have sent it a link to choose a password. "
    "If nothing arrives in a few minutes, check your spam folder."
)


@bp.get("/reset")
def reset_request_form():
    return render_template("auth/reset.html", form=ResetRequestForm())


@bp.post("/reset")
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"])  # each request may send a mail: no mail flooding
def request_reset():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("auth/reset.html", form=form), 422
    flash(RESET_SENT, "info")
    response = redirect(url_for("auth.reset_request_form"), code=303)
    # Look up and queue the mail only once the answer has gone out, so its timing tells no one who has an account.
    app, email = current_app._get_current_object(), form.email.data

    def mail_a_link():
        with app.app_context():
            account_links.request_password_reset(email)
            db.session.commit()

    response.call_on_close(mail_a_link)
    return response


def _user_from_link(token, purpose):
    """The person the link is for, or a page explaining why the link no longer works."""
    try:
        return account_links.user_from_link(token, purpose)
    except account_links.LinkRefused as refused:
        page = render_template("auth/reset_link_refused.html", reason=refused.reason, purpose=purpose.name, form=ResetRequestForm())
        abort(make_response(page, 410 if refused.reason != account_links.BROKEN else 400))


def _password_page(template, form, user, status=200):
    return render_template(template, form=form, user=user, min_length=MIN_PASSWORD_LENGTH), status


@bp.get("/reset/<token>")
def reset_password_form(token):
    return _password_page("auth/reset_password.html", NewPasswordForm(), _user_from_link(token, account_links.PASSWORD_RESET))


@bp.post("/reset/<token>")
def reset_password(token):
    user = _user_from_link(token, account_links.PASSWORD_RESET)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        return _password_page("auth/reset_password.html", form, user, 422)
    user.set_password(form.password.data)
    db.session.commit()
    flash("Your new password is set. Log in with it now.", "success")
    return redirect(url_for("auth.login_form"), code=303)


@bp.get("/invitation/<token>")
def invitation_form(token):
    return _password_page("auth/invitation.html", NewPasswordForm(), _user_from_link(token, account_links.INVITATION))


@bp.post("/invitation/<token>")
def accept_invitation(token):
    user = _user_from_link(token, account_links.INVITATION)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        return _password_page("auth/invitation.html", form, user, 422)
    user.set_password(form.password.data)
    db.session.commit()
    session.clear()  # whoever was logged in on this browser before is logged out
    login_user(user)
    flash(f"Welcome, {user.name}. Your password is set and you are logged in.", "success")
    return redirect(url_for("index"), code=303)
