"""Common Ground: training and continuing education for the peer workforce."""

import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import PROJECT_ROOT, Config
from lms.domain import markdown
from lms.domain.course_loader import load_catalog
from lms.extensions import csrf, db, htmx, limiter, login_manager, migrate
from lms.services.role_card import DEFAULT_ROLE_CARD_PATH
from lms.vault import Vault, new_key, parse_keys
from lms.web.database_ids import DatabaseIdConverter


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
        app.config["SECRET_KEY"] = _instance_secret(app, "SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(48))
    _check_shared_limits(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    keys = parse_keys(app.config.get("ENCRYPTION_KEYS")) or [_instance_secret(app, "ENCRYPTION_KEYS", "encryption_key", new_key)]
    app.extensions["vault"] = Vault(keys)

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            sa.event.listen(db.engine, "connect", _tune_sqlite)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    app.extensions["catalog"] = load_catalog(app.config["COURSES_DIR"])
    # Shown where a lesson has [[role-card]], until an agency writes its own card.
    app.extensions["default_role_card_html"] = markdown.render(DEFAULT_ROLE_CARD_PATH.read_text(encoding="utf-8")).html

    from lms import cli, models  # noqa: F401  (models registers the tables)

    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added: every <int:…> uses it
    from lms.web import (
        account,
        admin,
        auth,
        certificates,
        dev_mail,
        errors,
        filters,
        help,
        kept_pages,
        learn,
        my_data,
        networks,
        public,
        renewal,
        security,
        static_files,
        supervise,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(certificates.verify_bp)
    app.register_blueprint(supervise.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(renewal.bp)
    app.register_blueprint(my_data.bp)
    app.register_blueprint(dev_mail.bp)  # answers 404 outside development
    app.register_blueprint(help.bp)
    app.register_blueprint(networks.bp)
    errors.init_app(app)
    filters.init_app(app)
    help.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    kept_pages.init_app(app)
    cli.init_app(app)
    app.add_url_rule("/", endpoint="index", view_func=learn.index)
    return app


def _check_shared_limits(app: Flask) -> None:
    """In production, limits counted per process would multiply with the workers: refuse."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if app.config["ENVIRONMENT"] == "production" and storage.startswith("memory://") and not app.config["SINGLE_WORKER"]:
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI is memory://, which counts limits in each process separately. Set it to a shared "
            "store (for example redis://127.0.0.1:6379/0), or set COMMON_GROUND_SINGLE_WORKER=true if this is the "
            "only worker process."
        )


def _tune_sqlite(connection, _record):
    """Readers do not wait for writers (WAL); a busy database waits rather than failing."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left in free pages (erasure)
    cursor.close()


def _driver_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(app: Flask, setting: str, file_name: str, generate) -> str:
    """On a laptop, keep a generated key in the instance folder so it survives restarts.

    Production must set the key in the environment: several app servers share one.
    """
    if app.config["ENVIRONMENT"] == "production":
        raise RuntimeError(f"{setting} must be set in production")
    key_file = Path(app.instance_path) / file_name
    if not key_file.exists():
        key_file.write_text(generate())
        key_file.chmod(0o600)
    return key_file.read_text().strip()
