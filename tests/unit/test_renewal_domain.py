"""Renewal arithmetic: periods, what counts, category progress, reminders, attachments."""

from datetime import date

import pytest

from lms.domain import renewal
from lms.domain.renewal import (
    EXTERNAL,
    IN_PERSON,
    OURS,
    PENDING,
    REJECTED,
    SELF_PACED_ONLINE,
    VERIFIED,
    Entry,
    Requirement,
    attachment_problem,
    attachment_type,
    categories_problem,
    period_ending,
    progress,
    renewal_notices,
)

BOARD = Requirement("Demo State Board: peer specialist", 24, 20.0, {"ethics": 3.0, "suicide-prevention": 2.0})
PERIOD = period_ending(date(2027, 6, 30), 24)
TODAY = date(2027, 1, 1)


def ours(day, hours=1.0, categories=None, status="valid", fmt=SELF_PACED_ONLINE):
    return Entry(OURS, "Course", day, hours, categories or {}, fmt, status, "CODE")


def external(day, hours=1.0, categories=None, status=VERIFIED, fmt=IN_PERSON):
    return Entry(EXTERNAL, "Workshop", day, hours, categories or {}, fmt, status, "Provider")


def test_the_period_runs_from_the_day_after_the_last_one_to_its_end_day():
    assert PERIOD.starts_on == date(2025, 7, 1)
    assert PERIOD.ends_on == date(2027, 6, 30)
    following = period_ending(date(2029, 6, 30), 24)
    assert following.starts_on == date(2027, 7, 1)


def test_an_hour_on_the_last_day_counts_and_the_day_after_counts_for_the_next_period():
    last_day, day_after = ours(date(2027, 6, 30), 2.0, {"ethics": 2.0}), ours(date(2027, 7, 1), 1.5, {"ethics": 1.5})
    this = progress(BOARD, PERIOD, [last_day, day_after], TODAY)
    assert this.hours == 2.0 and this.hours_by_category == {"ethics": 2.0}
    following = progress(BOARD, period_ending(date(2029, 6, 30), 24), [last_day, day_after], TODAY)
    assert following.hours == 1.5


def test_the_first_day_counts_and_the_day_before_does_not():
    found = progress(BOARD, PERIOD, [ours(date(2025, 7, 1)), ours(date(2025, 6, 30), 5.0)], TODAY)
    assert found.hours == 1.0


@pytest.mark.parametrize("status", ["expired", "revoked", "replaced"])
def test_expired_revoked_and_replaced_certificates_do_not_count(status):
    found = progress(BOARD, PERIOD, [ours(date(2026, 1, 5), 3.0, {"ethics": 3.0}, status), ours(date(2026, 2, 1))], TODAY)
    assert found.hours == 1.0
    assert [c.earned for c in found.categories if c.name == "ethics"] == [0.0]
    [left_out] = found.not_counted
    assert renewal.not_counted_reason(left_out, BOARD) == f"the certificate is {status}"


def test_external_hours_count_only_once_verified_when_the_template_says_so():
    entries = [
        external(date(2026, 3, 1), 2.0, status=PENDING),
        external(date(2026, 3, 2), 3.0, status=VERIFIED),
        external(date(2026, 3, 3), 4.0, status=REJECTED),
    ]
    assert progress(BOARD, PERIOD, entries, TODAY).hours == 3.0
    trusting = Requirement("Trusting board", 24, 20.0, outside_hours_need_verification=False)
    assert progress(trusting, PERIOD, entries, TODAY).hours == 5.0  # rejected never counts


def test_external_hours_do_not_count_when_the_template_refuses_outside_hours():
    closed = Requirement("Own hours only", 24, 10.0, outside_hours_count=False)
    assert progress(closed, PERIOD, [external(date(2026, 3, 2), 3.0)], TODAY).hours == 0


def test_only_the_delivery_formats_the_template_names_count():
    in_person_only = Requirement("In person", 24, 10.0, delivery_formats=frozenset({IN_PERSON}))
    found = progress(in_person_only, PERIOD, [ours(date(2026, 1, 1), 2.0), external(date(2026, 1, 2), 3.0)], TODAY)
    assert found.hours == 3.0


def test_category_progress_what_is_met_and_what_is_missing():
    entries = [ours(date(2026, 1, 1), 10.0, {"ethics": 3.0}), external(date(2026, 2, 1), 8.0, {"suicide-prevention": 1.0})]
    found = progress(BOARD, PERIOD, entries, TODAY)
    assert found.hours == 18.0 and found.hours_missing == 2.0
    by_name = {c.name: c for c in found.categories}
    assert by_name["ethics"].met and not by_name["suicide-prevention"].met
    assert by_name["suicide-prevention"].missing == 1.0
    assert found.missing_categories == ("suicide-prevention",) and not found.met
    assert found.days_left == (date(2027, 6, 30) - TODAY).days


def test_nothing_earned_reads_zero_of_the_total():
    found = progress(BOARD, PERIOD, [], TODAY)
    assert (found.hours, found.requirement.total_hours, found.hours_missing) == (0, 20.0, 20.0)


def test_at_risk_only_within_ninety_days_and_when_short():
    short = progress(BOARD, PERIOD, [], date(2027, 4, 1))
    assert renewal.at_risk(short, date(2027, 4, 1))
    assert not renewal.at_risk(short, date(2027, 3, 1))  # 121 days left
    assert not renewal.at_risk(short, date(2027, 7, 1))  # the period is over
    done = progress(Requirement("Small", 24, 1.0), PERIOD, [ours(date(2026, 1, 1))], date(2027, 4, 1))
    assert not renewal.at_risk(done, date(2027, 4, 1))


def test_reminders_at_ninety_then_thirty_days_each_once():
    def notices(today, sent=frozenset()):
        found = progress(BOARD, PERIOD, [], today)
        return renewal_notices([(7, 3, "Demo", found)], set(sent), today)

    assert notices(date(2027, 3, 1)) == []  # 121 days left
    first = notices(date(2027, 4, 1))
    assert [n.within_days for n in first] == [90]
    sent = {(7, kind, key) for n in first for kind, key in n.records}
    assert notices(date(2027, 4, 2), sent) == []
    second = notices(date(2027, 6, 1), sent)
    assert [n.within_days for n in second] == [30]
    assert notices(date(2027, 7, 1)) == []  # over


def test_no_reminder_when_the_hours_are_met():
    found = progress(Requirement("Small", 24, 1.0), PERIOD, [ours(date(2026, 1, 1))], date(2027, 6, 1))
    assert renewal_notices([(7, 3, "Small", found)], set(), date(2027, 6, 1)) == []


def test_categories_must_be_lowercase_words_and_fit_in_the_hours():
    assert categories_problem({"ethics": 1.0}, 1.0) is None
    assert categories_problem({"ethics": 0.5, "cultural-responsiveness": 0.5}, 1.0) is None
    assert "more than" in categories_problem({"ethics": 1.0, "law": 0.5}, 1.0)
    assert "lowercase" in categories_problem({"Ethics": 1.0}, 1.0)
    assert "lowercase" in categories_problem({"ethics_law": 1.0}, 1.0)
    assert "above 0" in categories_problem({"ethics": 0}, 1.0)
    assert categories_problem(["ethics"], 1.0) is not None


def test_attachments_are_typed_by_their_first_bytes_not_their_name():
    assert attachment_type(b"%PDF-1.7 ...") == ("application/pdf", "pdf")
    assert attachment_type(b"\x89PNG\r\n\x1a\n....") == ("image/png", "png")
    assert attachment_type(b"\xff\xd8\xff\xe0....") == ("image/jpeg", "jpg")
    assert attachment_problem(b"MZ\x90\x00 an executable called cert.pdf") is not None
    assert attachment_problem(b"<html>cert.pdf</html>") is not None
    assert attachment_problem(b"") is not None
    assert "too large" in attachment_problem(b"%PDF-" + b"0" * renewal.MAX_ATTACHMENT_BYTES)
    assert attachment_problem(b"%PDF-" + b"0" * 1000) is None


def test_courses_that_close_the_gap_carry_a_missing_category():
    class Course:
        def __init__(self, slug, categories):
            self.slug, self.title, self.ce_categories = slug, slug.title(), categories

    found = progress(BOARD, PERIOD, [ours(date(2026, 1, 1), 3.0, {"ethics": 3.0})], TODAY)
    catalog = [Course("boundaries", {"ethics": 1.0}), Course("crisis", {"suicide-prevention": 1.5}), Course("other", {})]
    assert [c.slug for c in renewal.courses_for_gap(found, catalog)] == ["crisis"]


def test_categories_are_read_from_what_an_admin_or_learner_types():
    assert renewal.parse_categories("Ethics: 3, suicide prevention: 1.5\ncultural-responsiveness: 2") == {
        "ethics": 3.0,
        "suicide-prevention": 1.5,
        "cultural-responsiveness": 2.0,
    }
    assert renewal.parse_categories("") == {}
    for bad in ("ethics", "ethics: lots", "ethics: -1", "law_and_order: 1", "ethics: nan", "ethics: inf"):
        with pytest.raises(ValueError):
            renewal.parse_categories(bad)
    assert renewal.parse_categories(renewal.categories_text({"ethics": 1.0, "law": 0.5})) == {"ethics": 1.0, "law": 0.5}


def test_report_file_names_are_safe_in_a_header_and_a_file_system():
    name = renewal.report_file_name('José "Jo" Núñez', "Demo State Board: CPS/II", date(2027, 6, 30), "pdf")
    assert name == "renewal_Jose-Jo-Nunez_Demo-State-Board-CPS-II_2027-06-30.pdf"
