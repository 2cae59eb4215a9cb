"""Logging in and out."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from lms.extensions import db, login_manager
from lms.models import User
from lms.web.access import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired(), Email(check_deliverability=False)], filters=[lambda v: v.strip() if v else v]
    )
    password = PasswordField("Password", validators=[DataRequired()])


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.get("/login")
def login_form():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    return render_template("auth/login.html", form=LoginForm())


@bp.post("/login")
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400
    user = db.session.scalar(sa.select(User).where(User.email == form.email.data.strip().lower()))
    # One message for every failure, so the form does not reveal who has an account.
    if user is None or not user.check_password(form.password.data) or not user.is_active:
        flash("That email and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    session.clear()  # a fresh session at login, so a planted session id is useless
    login_user(user)
    return redirect(safe_next(request.args.get("next"), url_for("index")), code=303)


@bp.post("/logout")
@login_required
def logout():
    # CSRFProtect has already refused a post without a valid token.
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login_form"), code=303)
