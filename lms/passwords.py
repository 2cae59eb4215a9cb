"""Password hashes, made with the configured method (PASSWORD_HASH_METHOD: scrypt, except in
the test configuration). A hash made with any werkzeug method verifies."""

from flask import current_app
from werkzeug import security

_no_account_hashes: dict[str, str] = {}


def hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


def hash_password(password: str) -> str:
    return security.generate_password_hash(password, method=hash_method())


def password_matches(password_hash: str, password: str) -> bool:
    return security.check_password_hash(password_hash, password)


def no_account_hash() -> str:
    """A hash no password matches, made like real ones, so a login for no account costs the same."""
    method = hash_method()
    if method not in _no_account_hashes:
        _no_account_hashes[method] = security.generate_password_hash("no account has this password", method=method)
    return _no_account_hashes[method]
