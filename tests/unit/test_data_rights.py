"""The pure rules of erasure and retention."""

from datetime import date, datetime, timezone

from lms.domain.data_rights import (
    KEEP,
    WITHDRAW,
    certificate_kept_until,
    erased_email,
    keeps_certificate,
    names_match,
    scrubbed,
    writing_deleted_before,
)


def test_the_typed_name_must_be_the_persons_name_case_and_spacing_aside():
    assert names_match("  robin   QUILL ", "Robin Quill")
    assert not names_match("Robin", "Robin Quill")
    assert not names_match("", "")


def test_scrubbing_replaces_whole_words_in_keys_and_values_at_any_depth():
    details = {
        "name": "Al Stone",
        "changes": {"email": {"from": "AL.STONE@example.org", "to": "new@example.org"}},
        "note": "Alice met Al Stone",
        "Al Stone": 3,
        "count": 2,
    }
    clean = scrubbed(details, ["Al Stone", "al.stone@example.org"], "erased-1")
    assert clean == {
        "name": "erased-1",
        "changes": {"email": {"from": "erased-1", "to": "new@example.org"}},
        "note": "Alice met erased-1",
        "erased-1": 3,
        "count": 2,
    }
    assert scrubbed("Alice and Al", ["Al"], "x") == "Alice and x"  # "Alice" is not "Al"


def test_kept_certificates_last_their_years_after_completion():
    assert certificate_kept_until(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert keeps_certificate(KEEP, date(2020, 5, 1), 6, date(2026, 5, 1))
    assert not keeps_certificate(KEEP, date(2020, 5, 1), 6, date(2026, 5, 2))
    assert not keeps_certificate(WITHDRAW, date(2026, 5, 1), 6, date(2026, 5, 2))


def test_private_writing_lapses_after_the_days_set():
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    assert writing_deleted_before(now, 90) == datetime(2026, 8, 30, tzinfo=timezone.utc)


def test_an_erased_persons_address_can_never_receive_mail():
    assert erased_email("erased-abc").endswith(".invalid")
