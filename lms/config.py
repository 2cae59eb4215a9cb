"""Configuration read from the environment, with safe defaults for a laptop."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    # "production" switches off everything that is only safe on a laptop (demo data,
    # a generated secret key).
    ENVIRONMENT = os.environ.get("COMMON_GROUND_ENV") or os.environ.get("FLASK_ENV") or "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Fernet keys for learners' private writing, comma-separated, newest first.
    ENCRYPTION_KEYS = os.environ.get("ENCRYPTION_KEYS")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # default set in create_app
    # No pre-ping: it costs a round trip on every checkout. Connections are replaced after
    # 30 minutes (idle timeouts in firewalls and proxies), and after a database restart the
    # user loader retries once on a fresh connection (lms.services.signed_in).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    COURSES_DIR = os.environ.get("COURSES_DIR", str(PROJECT_ROOT / "courses"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Uploads (CSV imports, logos) are small; the import's confirm form carries the signed file.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: long lessons must not expire a form
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    # Certificates, credentials, QR codes and emails point here, never at whatever Host a
    # request claimed (lms.public_urls). Required in production.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") or None
    # memory:// counts per process. With several workers or servers use a shared store, e.g.
    # redis://host:6379/0; production refuses memory:// unless this is the only worker.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    SINGLE_WORKER = os.environ.get("COMMON_GROUND_SINGLE_WORKER", "").lower() in ("1", "true", "yes")
    # How many reverse proxies (nginx, Caddy, a load balancer) stand in front of the app and
    # add X-Forwarded-For / X-Forwarded-Proto. 0: trust no such header (direct connections).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    RATELIMIT_HEADERS_ENABLED = True
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")  # per client address
    # Failed logins for one account from one client before it must wait; each further
    # failure doubles the wait (from LOGIN_FIRST_WAIT_SECONDS) up to the window.
    LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "5 per 15 minutes")
    LOGIN_FIRST_WAIT_SECONDS = float(os.environ.get("LOGIN_FIRST_WAIT_SECONDS", "30"))
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute")  # password-reset requests per client
    # PDFs: each render runs in its own process and is stopped after this many seconds; a
    # person may ask for this many PDFs; the reflections PDF holds up to this many characters.
    PDF_TIME_LIMIT_SECONDS = float(os.environ.get("PDF_TIME_LIMIT_SECONDS", "20"))
    PDF_RATE_LIMIT = os.environ.get("PDF_RATE_LIMIT", "10 per minute")
    PDF_MAX_CHARACTERS = int(os.environ.get("PDF_MAX_CHARACTERS", "60000"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "training@common-ground.invalid")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_STARTTLS = os.environ.get("MAIL_STARTTLS", "").lower() in ("1", "true", "yes")
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default, deliberately slow to guess against
    # Lets agency admins point xAPI at an LRS on this machine or a private network (and over
    # plain http there). Off by default: the sender would otherwise reach internal services.
    LRS_ALLOW_PRIVATE_ADDRESSES = os.environ.get("LRS_ALLOW_PRIVATE_ADDRESSES", "").lower() in ("1", "true", "yes")


class TestConfig(Config):
    TESTING = True
    ENVIRONMENT = "test"
    SECRET_KEY = "test-secret-key"
    ENCRYPTION_KEYS = "kJ3n2XUbV4wQm1vYl8bO7zS6Hc9dTq0fRr5aGp2eLiU="
    COURSES_DIR = str(PROJECT_ROOT / "tests" / "fixtures" / "courses")
    # Cheap to make and check: scrypt costs about 0.1 s per user and per log-in, on every test.
    # A test checks that the production configuration keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
