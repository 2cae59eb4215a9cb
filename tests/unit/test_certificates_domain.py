"""Certificate rules without Flask: wording, expiry, status, transcript totals, export names
and cells, the recipient hash and the revocation bitstring."""

import base64
import gzip
import hashlib
from datetime import date

import pytest

from lms.domain import certificates as c
from lms.domain.open_badges import STATUS_LIST_BITS, encoded_bitstring, status_position, vc_jwt_claims


@pytest.mark.parametrize(
    "hours, approval, expected",
    [
        (1, None, "1 estimated contact hour"),
        (1.0, {"x": 1}, "1 contact hour"),
        (0.5, None, "0.5 estimated contact hours"),
        (2, {"x": 1}, "2 contact hours"),
    ],
)
def test_hours_are_singular_only_for_exactly_one(hours, approval, expected):
    assert c.hours_phrase(hours, approval) == expected


def test_plain_hours():
    assert (c.plain_hours(1), c.plain_hours(0), c.plain_hours(2.5)) == ("1 hour", "0 hours", "2.5 hours")


def test_kind_follows_the_approval():
    assert c.certificate_title(None) == "Certificate of Completion"
    assert c.certificate_title({"provider": "P"}) == "Certificate of Continuing Education"


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 5, 1), 24, date(2028, 5, 1)),
    ],
)
def test_expiry_adds_calendar_months(start, months, expected):
    assert c.expiry_for(start, months) == expected
    assert c.expiry_for(start, None) is None


def test_status_order_and_the_last_valid_day():
    day = date(2027, 3, 31)
    assert c.status_of(revoked=False, replaced=False, expires_on=day, today=day) == c.VALID
    assert c.status_of(revoked=False, replaced=False, expires_on=day, today=date(2027, 4, 1)) == c.EXPIRED
    assert c.status_of(revoked=True, replaced=False, expires_on=day, today=date(2030, 1, 1)) == c.REVOKED
    assert c.status_of(revoked=True, replaced=True, expires_on=None, today=day) == c.REPLACED


def test_transcript_counts_only_valid_certificates():
    rows = [
        c.TranscriptRow(date(2026, 3, 1), "A", 1.0, "X", None, c.VALID),
        c.TranscriptRow(date(2025, 3, 1), "B", 0.5, "Y", date(2026, 3, 1), c.EXPIRED),
        c.TranscriptRow(date(2026, 5, 1), "C", 0.5, "Z", date(2027, 5, 1), c.VALID),
    ]
    result = c.transcript(rows)
    assert [r.code for r in result.rows] == ["Z", "X", "Y"]
    assert result.total_hours == 1.5 and result.hours_by_year == ((2026, 1.5),)


def test_recipient_hash_follows_open_badges():
    assert c.identity_hash("pat@example.org", "abc") == "sha256$" + hashlib.sha256(b"pat@example.orgabc").hexdigest()
    assert c.new_salt() != c.new_salt()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Jordan Rivera", "Rivera_Jordan_self-care_2026-03-01.pdf"),
        ("Ana María Núñez", "Nunez_Ana-Maria_self-care_2026-03-01.pdf"),
        ("Cher", "Cher_self-care_2026-03-01.pdf"),
        ("../../etc/passwd x", "x_etc-passwd_self-care_2026-03-01.pdf"),
    ],
)
def test_export_file_names_are_last_name_first_and_safe(name, expected):
    assert c.export_file_name(name, "self-care", date(2026, 3, 1)) == expected


def test_clashing_names_get_a_number():
    assert list(c.unique_names(["A_B.pdf", "a_b.pdf", "C.pdf", "A_B.pdf"])) == ["A_B.pdf", "a_b_2.pdf", "C.pdf", "A_B_3.pdf"]


def test_bitstring_sets_exactly_the_given_positions():
    encoded = encoded_bitstring([0, 9, STATUS_LIST_BITS - 1])
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 == STATUS_LIST_BITS
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01 and sum(bin(b).count("1") for b in bits) == 3
    assert status_position(STATUS_LIST_BITS + 5) == (1, 5)


def test_vc_jwt_claims_come_from_the_credential():
    claims = vc_jwt_claims(
        {
            "id": "https://x/verify/A",
            "issuer": {"id": "https://x/agencies/1"},
            "validFrom": "2026-01-01T00:00:00Z",
            "validUntil": "2027-01-01T23:59:59Z",
        }
    )
    assert claims["iss"] == "https://x/agencies/1" and claims["jti"] == "https://x/verify/A"
    assert claims["nbf"] == 1767225600 and claims["exp"] == 1798847999
