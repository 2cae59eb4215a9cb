"""The rules for a CSV file of people, without a database."""

import pytest

from lms.domain.user_import import (
    CREATE,
    ERROR,
    MAX_FILE_BYTES,
    MAX_ROWS,
    UPDATE,
    Directory,
    FileProblem,
    Person,
    clean_email,
    plan_import,
    read_rows,
    read_text,
)

HEADER = "name,email,roles,team,supervisor_email\n"
DIRECTORY = Directory(
    teams=["North", "South"],
    inactive_teams=["Old Team"],
    people={
        "sam@example.org": Person("Sam Lee", frozenset({"peer"}), "North"),
        "sue@example.org": Person("Sue Park", frozenset({"supervisor"}), None),
        "gone@example.org": Person("Gone Away", frozenset({"supervisor"}), None, active=False),
        "admin@example.org": Person("Ada Admin", frozenset({"admin"}), None),
    },
    other_agency_emails=frozenset({"elsewhere@example.org"}),
    actor_email="admin@example.org",
)


def plan(body: str, directory: Directory = DIRECTORY):
    return plan_import(read_rows(read_text((HEADER + body).encode())), directory)


def only_row(body: str):
    [row] = plan(body).rows
    return row


def test_a_good_new_person_is_created_with_clean_values():
    row = only_row(" Pat Jones , Pat.Jones@Example.ORG , Peer ; Supervisor , north ,\n")
    assert (row.result, row.name, row.email, row.roles, row.team) == (
        CREATE,
        "Pat Jones",
        "pat.jones@example.org",
        {"peer", "supervisor"},
        "North",
    )


def test_a_known_email_is_an_update_listing_what_changes():
    row = only_row("Sam Lee-Ortiz,sam@example.org,peer;clinician,South,\n")
    assert row.result == UPDATE
    assert row.described_changes() == [
        "Name: Sam Lee → Sam Lee-Ortiz",
        "Roles: peer → peer, clinician",
        "Team: North → South",
    ]
    assert only_row("Sam Lee,sam@example.org,peer,North,\n").described_changes() == []


@pytest.mark.parametrize(
    "line, reason",
    [
        ("Pat,pat(at)example.org,peer,,", "is not a valid email address"),
        ("Pat,,peer,,", "The email is missing"),
        (",pat@example.org,peer,,", "The name is missing"),
        ("Pat,pat@example.org,peer;counselor,,", "Unknown role: counselor"),
        ("Pat,pat@example.org,,,", "The roles are missing"),
        ("Pat,pat@example.org,peer,Night Shift,", "There is no team called “Night Shift”"),
        ("Pat,pat@example.org,peer,Old Team,", "The team “Old Team” is deactivated"),
        ("Pat,elsewhere@example.org,peer,,", "belongs to an account in another agency"),
        ("Pat,pat@example.org,peer,North,nobody@example.org", "No one in your agency or in this file has the email nobody@example.org"),
        ("Pat,pat@example.org,peer,North,sam@example.org", "sam@example.org is not a supervisor"),
        ("Pat,pat@example.org,peer,North,gone@example.org", "gone@example.org is deactivated"),
        ("Pat,pat@example.org,peer,,sue@example.org", "needs a team on the same line"),
        ("Pat,pat@example.org,peer,North,sue(at)example.org", "Supervisor: “sue(at)example.org” is not a valid email address"),
        ("Pat,pat@example.org,peer,North,,extra", "more values than there are columns"),
        ("Ada Admin,admin@example.org,peer,,", "You cannot remove the admin role from your own account"),
        ("P" * 201 + ",pat@example.org,peer,,", "longer than 200 characters"),
    ],
)
def test_each_bad_row_says_why(line, reason):
    row = only_row(line + "\n")
    assert row.result == ERROR
    assert any(reason in problem for problem in row.problems), row.problems


def test_problems_are_listed_in_the_order_of_the_columns():
    row = only_row(",pat(at)example.org,counselor,Night Shift,sue(at)example.org,extra\n")
    assert [problem.split(" ")[:3] for problem in row.problems] == [
        ["This", "line", "has"],
        ["The", "name", "is"],
        ["“pat(at)example.org”", "is", "not"],
        ["Unknown", "role:", "counselor."],
        ["There", "is", "no"],
        ["Supervisor:", "“sue(at)example.org”", "is"],
    ]
    problems = only_row("Pat,pat@example.org,peer,,sue(at)example.org\n").problems
    assert len(problems) == 2 and problems[0].startswith("Supervisor:") and problems[1].startswith("A supervisor_email needs a team")


def test_a_deactivated_person_is_updated_and_stays_deactivated():
    row = only_row("Gone Away,gone@example.org,supervisor,,\n")
    assert row.result == UPDATE and row.details() == ["No changes.", "This person is deactivated and stays deactivated."]


def test_every_line_with_a_repeated_email_is_an_error():
    result = plan("A,pat@example.org,peer,,\nB,bo@example.org,peer,,\nC,PAT@example.org,clinician,,\n")
    assert [row.result for row in result.rows] == [ERROR, CREATE, ERROR]
    assert "also on line 4" in result.rows[0].problems[0] and "also on line 2" in result.rows[2].problems[0]


def test_a_supervisor_may_be_added_in_the_same_file():
    result = plan("Pat,pat@example.org,peer,North,new.boss@example.org\nNew Boss,new.boss@example.org,supervisor,,\n")
    assert [row.result for row in result.rows] == [CREATE, CREATE]


def test_the_file_decides_the_supervisors_roles():
    result = plan("Pat,pat@example.org,peer,North,sue@example.org\nSue Park,sue@example.org,peer,,\n")
    assert result.rows[0].result == ERROR and "line 3 does not give them the supervisor role" in result.rows[0].problems[0]


def test_an_error_on_the_supervisors_line_spreads_to_the_lines_that_name_them():
    result = plan(
        "Pat,pat@example.org,peer,North,boss@example.org\n"
        "Boss,boss@example.org,supervisor,North,big.boss@example.org\n"
        "Big Boss,big.boss@example.org,supervisor,Nowhere,\n"
    )
    assert [row.result for row in result.rows] == [ERROR, ERROR, ERROR]
    assert result.rows[0].problems == ["The supervisor’s own line (3) has an error."]
    assert result.rows[1].problems == ["The supervisor’s own line (4) has an error."]


def test_blank_lines_are_skipped_and_line_numbers_match_the_spreadsheet():
    result = plan('\nPat,pat@example.org,peer,,\n,,,,\n"Jones, Bo",bo@example.org,peer,,\n')
    assert [(row.line, row.name) for row in result.rows] == [(3, "Pat"), (5, "Jones, Bo")]


def test_a_missing_last_value_counts_as_empty():
    assert only_row("Pat,pat@example.org,peer,North\n").result == CREATE


def test_columns_may_come_in_any_order():
    rows = read_rows("email,name,team,roles,supervisor_email\npat@example.org,Pat,,peer,\n")
    assert plan_import(rows, DIRECTORY).rows[0].name == "Pat"


def test_a_byte_order_mark_is_fine():
    assert read_text(b"\xef\xbb\xbf" + HEADER.encode()).startswith("name,")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf \n", "The file is empty"),
        (
            HEADER.encode() + "Zoë,zoe@example.org,peer,,\n".encode("latin-1"),
            "not saved as UTF-8 text (the first character we cannot read is on line 2)",
        ),
        (b"x" * (MAX_FILE_BYTES + 1), "larger than 1 MB"),
        (b"PK\x03\x04\x00\x00", "not a CSV text file"),
    ],
)
def test_unreadable_files_are_refused(data, message):
    with pytest.raises(FileProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_text(data)


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,email,role,team\nPat,pat@example.org,peer,\n", "missing: roles, supervisor_email; not expected: role"),
        ("Pat,pat@example.org,peer,North,\n", "The first line must name exactly these columns"),
        (HEADER.strip() + ",email\n", "more than once: email"),
        (HEADER, "no people under them"),
        (HEADER + 'Pat,pat@example.org,peer,,"' + "x" * 200_000 + '"\n', "cannot be read as CSV"),
        (HEADER + "Pat,p@example.org,peer,,\n" * (MAX_ROWS + 1), "more than 5,000 people"),
    ],
)
def test_unusable_contents_are_refused(text, message):
    with pytest.raises(FileProblem, match=message):
        read_rows(text)


def test_exactly_the_row_limit_is_fine():
    assert len(read_rows(HEADER + "Pat,p@example.org,peer,,\n" * MAX_ROWS)) == MAX_ROWS


def test_clean_email():
    assert clean_email("  Pat@Example.ORG ") == "pat@example.org"
    for bad in ("", "pat", "pat@example", "pat @example.org", "zoë@example.org"):
        with pytest.raises(ValueError):
            clean_email(bad)
