"""Production hashes passwords with scrypt; only the test configuration uses a cheap method."""

from lms import create_app
from lms.config import Config, TestConfig
from lms.passwords import hash_password, no_account_hash, password_matches


def test_production_configuration_hashes_passwords_with_scrypt(tmp_path):
    production = type(
        "Production",
        (Config,),
        {
            "ENVIRONMENT": "production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite'}",
            "SECRET_KEY": "a-production-secret",
            "ENCRYPTION_KEYS": TestConfig.ENCRYPTION_KEYS,
            "SINGLE_WORKER": True,
        },
    )
    app = create_app(production)
    with app.app_context():
        made = hash_password("correct-horse-battery")
        assert made.startswith("scrypt:") and no_account_hash().startswith("scrypt:")
        assert password_matches(made, "correct-horse-battery") and not password_matches(made, "wrong")


def test_a_hash_made_by_the_test_configuration_still_verifies_in_production(tmp_path):
    app = create_app(type("Test", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite'}"}))
    with app.app_context():
        cheap = hash_password("correct-horse-battery")
    assert not cheap.startswith("scrypt:") and password_matches(cheap, "correct-horse-battery")
