"""Common Ground: training and continuing education for the peer workforce."""

import secrets
from pathlib import Path

from flask import Flask

from lms.config import PROJECT_ROOT, Config
from lms.domain import markdown
from lms.domain.courses import load_catalog
from lms.extensions import csrf, db, htmx, login_manager, migrate


def create_app(config=None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(config or Config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'common-ground.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _driver_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)

    app.extensions["catalog"] = load_catalog(app.config["COURSES_DIR"])
    # Shown where a lesson has [[role-card]], until an agency writes its own card.
    app.extensions["default_role_card_html"] = markdown.render(
        (Path(__file__).parent / "default_role_card.md").read_text(encoding="utf-8")
    ).html

    from lms import cli, models  # noqa: F401  (models registers the tables)
    from lms.web import admin, auth, errors, learn

    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(admin.bp)
    errors.init_app(app)
    cli.init_app(app)
    app.add_url_rule("/", endpoint="index", view_func=learn.index)
    return app


def _driver_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret_key(app: Flask) -> str:
    """On a laptop, keep a generated key in the instance folder so logins survive restarts.

    Production must set SECRET_KEY: several app servers have to share one key.
    """
    if app.config["ENVIRONMENT"] == "production":
        raise RuntimeError("SECRET_KEY must be set in production")
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
