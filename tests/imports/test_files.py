"""Import files as people have them (issue 6): BOMs, other delimiters, quoted newlines,
Latin-1, XLSX, duplicate rows, empty and unknown labels, limits, primaries; each with its
documented outcome and error rows. The invariant checker runs after each test."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from liaison.domain.history import Source
from liaison.services import history, imports, labels, limits, records
from liaison.services.database import Database
from liaison.services.imports import ImportFile, ImportInfo
from liaison.services.unit import Caller
from tests.helpers import company, contact, dump, types_between
from tests.imports.files import write_csv

PEOPLE = ["Email", "First name", "Company name", "Company domain", "Association label"]


def run_import(
    db: Database,
    caller: Caller,
    *files: tuple[Path, tuple[str, ...]],
    mapping: dict[str, Any] | None = None,
    chunk_rows: int = 2,
) -> tuple[ImportInfo, list[dict[str, str]]]:
    """Import the files; the summary and the rows of the error file."""
    described = [ImportFile(path.name, path, objects) for path, objects in files]
    started = imports.start(db, caller, described, mapping)
    done = imports.run(db, caller, started.id, chunk_rows=chunk_rows)
    out = io.StringIO()
    imports.write_errors(db, caller, done.id, out)
    out.seek(0)
    return done, list(csv.DictReader(out))


def contacts_by_email(db: Database, caller: Caller) -> dict[str, Any]:
    found = records.list_records(db, caller, "contacts").records
    return {r.properties["email"]: r for r in found}


def companies_by_domain(db: Database, caller: Caller) -> dict[str, Any]:
    found = records.list_records(db, caller, "companies").records
    return {r.properties["domain"]: r for r in found}


BOTH = ("contacts", "companies")


def test_a_bom_and_semicolons_are_read(db: Database, me: Caller, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        [PEOPLE, ["ann@acme.example", "Ann", "Acme", "acme.example", ""]],
        encoding="utf-8-sig",
        delimiter=";",
    )
    done, errors = run_import(db, me, (path, BOTH))
    assert errors == [] and done.counts["contacts.created"] == 1
    ann = contacts_by_email(db, me)["ann@acme.example"]
    acme = companies_by_domain(db, me)["acme.example"]
    assert ann.properties["firstname"] == "Ann" and acme.properties["name"] == "Acme"
    assert types_between(db, me, ann.id, acme.id) == {279, 1}  # a first company is primary (P3)


def test_tabs_and_latin_1_are_read(db: Database, me: Caller, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "people.tsv",
        [PEOPLE, ["grace@granite.example", "Grâce Müller", "Granité", "granite.example", ""]],
        encoding="latin-1",
        delimiter="\t",
    )
    _, errors = run_import(db, me, (path, BOTH))
    assert errors == []
    grace = contacts_by_email(db, me)["grace@granite.example"]
    assert grace.properties["firstname"] == "Grâce Müller"
    assert companies_by_domain(db, me)["granite.example"].properties["name"] == "Granité"


def test_short_and_long_rows_and_a_column_without_a_header(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    """A row with fewer cells than the header has the rest empty; cells past the header and
    under an empty header are left out, in the records as in the error file."""
    path = write_csv(
        tmp_path / "ragged.csv",
        [
            ["Email", "First name", "", "Company domain"],
            ["ann@acme.example", "Ann", "ignored", "acme.example", "past the header"],
            ["bob@acme.example", "Bob"],
            ["not an email", "Cy", "x"],
        ],
    )
    done, errors = run_import(db, me, (path, BOTH))
    people = contacts_by_email(db, me)
    assert people["ann@acme.example"].properties["firstname"] == "Ann"
    assert "acme.example" in companies_by_domain(db, me)
    assert people["bob@acme.example"].properties["firstname"] == "Bob"
    assert done.counts["contacts.created"] == 2 and done.counts["companies.created"] == 1
    assert [(e["Line"], e["Email"], e["First name"], e["Company domain"]) for e in errors] == [
        ("4", "not an email", "Cy", "")
    ]


def test_error_rows_give_the_line_counting_quoted_newlines(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["Email", "First name", "Job title"],
            ["ann@acme.example", "Ann", "Head of\nsales\nEMEA"],  # lines 2-4
            ["not an email", "Bob", "Buyer"],  # line 5
            ["cy@acme.example", "Cy", "Two\nlines"],  # lines 6-7
            ["dee@acme", "Dee", ""],  # line 8
        ],
    )
    done, errors = run_import(db, me, (path, ("contacts",)))
    assert [(e["Line"], e["Error"]) for e in errors] == [
        ("5", "INVALID_PROPERTY"),
        ("8", "INVALID_PROPERTY"),
    ]
    assert errors[0]["First name"] == "Bob" and "email" in errors[0]["Message"]
    assert done.counts == {"rows": 4, "rows_refused": 2, "contacts.created": 2}
    assert contacts_by_email(db, me)["ann@acme.example"].properties["jobtitle"] == (
        "Head of\nsales\nEMEA"
    )


def test_an_xlsx_file_is_read(db: Database, me: Caller, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(PEOPLE)
    sheet.append(["ann@acme.example", "Ann", "Acme", "acme.example", None])
    sheet.append(["bob@acme.example", "Bob", "Acme", "acme.example", None])
    path = tmp_path / "people.xlsx"
    book.save(path)
    done, errors = run_import(db, me, (path, BOTH))
    assert errors == []
    assert done.counts["contacts.created"] == 2 and done.counts["companies.created"] == 1


def test_duplicate_rows_update_the_record_the_first_made(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    row = ["ann@acme.example", "Ann", "Acme", "acme.example", ""]
    path = write_csv(tmp_path / "people.csv", [PEOPLE, row, row, [*row[:1], "Annie", *row[2:]]])
    done, errors = run_import(db, me, (path, BOTH))
    assert errors == []
    assert done.counts["contacts.created"] == 1 and done.counts["contacts.updated"] == 2
    assert done.counts["associations.created"] == 1
    people = contacts_by_email(db, me)
    assert len(people) == 1 and people["ann@acme.example"].properties["firstname"] == "Annie"


def test_labels_are_added_and_unknown_ones_refuse_the_row(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    labels.create_label(db, me, "contacts", "companies", label="Advisor")
    path = write_csv(
        tmp_path / "people.csv",
        [
            PEOPLE,
            ["ann@acme.example", "Ann", "Acme", "acme.example", "advisor ; Primary"],
            ["bob@acme.example", "Bob", "Acme", "acme.example", ""],
            ["cy@acme.example", "Cy", "Acme", "acme.example", "Advisor;Investor"],
        ],
    )
    done, errors = run_import(db, me, (path, BOTH))
    assert [(e["Line"], e["Error"]) for e in errors] == [("4", "ASSOCIATION_TYPE_NOT_FOUND")]
    assert "Investor" in errors[0]["Message"]
    people, acme = contacts_by_email(db, me), companies_by_domain(db, me)["acme.example"]
    ann_labels = associations_labels(db, me, people["ann@acme.example"].id, acme.id)
    assert ann_labels == {"Advisor", "Primary"}
    assert associations_labels(db, me, people["bob@acme.example"].id, acme.id) == {"Primary"}
    # The refused row's records stay (phase 1), without the association it asked for.
    assert types_between(db, me, people["cy@acme.example"].id, acme.id) is None
    assert done.counts["rows_refused"] == 1


def associations_labels(db: Database, caller: Caller, from_id: int, to_id: int) -> set[str]:
    from liaison.services import associations

    view = associations.between(db, caller, from_id, to_id)
    assert view is not None
    return set(view.labels)


def test_a_row_past_a_limit_is_refused_and_the_others_applied(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    limits.set_limits(db, me, "contacts", "companies", {279: 1})
    path = write_csv(
        tmp_path / "people.csv",
        [
            PEOPLE,
            ["ann@acme.example", "Ann", "Acme", "acme.example", ""],
            ["ann@acme.example", "Ann", "Beta", "beta.example", ""],
            ["bob@acme.example", "Bob", "Beta", "beta.example", ""],
        ],
    )
    _, errors = run_import(db, me, (path, BOTH))
    assert [(e["Line"], e["Error"]) for e in errors] == [("3", "LIMIT_EXCEEDED")]
    people, firms = contacts_by_email(db, me), companies_by_domain(db, me)
    assert types_between(db, me, people["ann@acme.example"].id, firms["beta.example"].id) is None
    assert types_between(db, me, people["bob@acme.example"].id, firms["beta.example"].id)


def test_a_primary_label_moves_the_primary_recorded_as_the_import(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    ann = contact(db, me, "Ann", email="ann@acme.example")
    acme = company(db, me, "Acme", domain="acme.example")
    from liaison.services import associations
    from liaison.services.associations import AssociationInput

    associations.associate(db, me, [AssociationInput(ann.id, acme.id)]).check()
    path = write_csv(
        tmp_path / "people.csv",
        [PEOPLE, ["ANN@acme.example", "", "Beta", "beta.example", "Primary"]],
    )
    done, errors = run_import(db, me, (path, BOTH))
    assert errors == [] and done.counts["contacts.updated"] == 1  # email matched, any case
    beta = companies_by_domain(db, me)["beta.example"]
    assert types_between(db, me, ann.id, beta.id) == {279, 1}
    assert types_between(db, me, ann.id, acme.id) == {279}  # P2: the primary moved
    operation = history.operation(db, me, done.id)
    assert (operation.kind, operation.source, operation.actor_id) == (
        "import",
        Source.IMPORT,
        "user-1",
    )
    assert {(e.source, e.operation_id) for e in operation.entries} == {(Source.IMPORT, done.id)}
    assert {e.change.value for e in operation.entries} == {
        "CREATED",
        "PRIMARY_SET",
        "PRIMARY_REMOVED",
    }


def test_existing_records_are_matched_by_email_domain_or_a_chosen_property(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    """Email and domain through their indexes (migration 0012), any case; a chosen property
    without one; archived records and records of another account are never matched."""
    ann = contact(db, me, "Ann", email="Ann@Acme.Example")
    acme = company(db, me, "Acme", domain="ACME.example")
    gone = company(db, me, "Gone", domain="gone.example")
    records.delete(db, me, "companies", gone.id)
    path = write_csv(
        tmp_path / "people.csv",
        [
            PEOPLE,
            ["ann@acme.example", "Annie", "Acme", "acme.example", ""],
            ["bo@gone.example", "Bo", "Gone", "gone.example", ""],
        ],
    )
    done, errors = run_import(db, me, (path, BOTH))
    assert errors == []
    assert (done.counts["contacts.updated"], done.counts["contacts.created"]) == (1, 1)
    assert (done.counts["companies.updated"], done.counts["companies.created"]) == (1, 1)
    assert records.get(db, me, "contacts", ann.id).properties["firstname"] == "Annie"
    assert companies_by_domain(db, me)["gone.example"].id != gone.id
    assert types_between(db, me, ann.id, acme.id) == {279, 1}

    by_name = write_csv(tmp_path / "names.csv", [["Company name", "City"], ["ACME", "Paris"]])
    mapping = {"match": {"companies": "name"}}
    done, errors = run_import(db, me, (by_name, ("companies",)), mapping=mapping)
    assert errors == [] and done.counts["companies.updated"] == 1
    assert records.get(db, me, "companies", acme.id).properties["city"] == "Paris"


def test_missing_required_properties_and_modes(db: Database, me: Caller, tmp_path: Path) -> None:
    contact(db, me, "Ann", email="ann@acme.example")
    path = write_csv(
        tmp_path / "people.csv",
        [["Email", "First name"], ["ann@acme.example", "Annie"], ["new@acme.example", "New"]],
    )
    _, errors = run_import(db, me, (path, ("contacts",)), mapping={"mode": "update"})
    assert [(e["Line"], e["Error"]) for e in errors] == [("3", "RECORD_NOT_FOUND")]
    _, errors = run_import(db, me, (path, ("contacts",)), mapping={"mode": "create"})
    assert [(e["Line"], e["Error"]) for e in errors] == [("2", "INVALID_INPUT")]
    deals = write_csv(tmp_path / "deals.csv", [["Deal name", "Amount"], ["", "12"], ["Big", "x"]])
    _, errors = run_import(db, me, (deals, ("deals",)))
    assert [(e["Line"], e["Error"]) for e in errors] == [
        ("2", "MISSING_REQUIRED_PROPERTY"),
        ("3", "INVALID_PROPERTY"),
    ]


def test_two_files_linked_by_the_company_domain(db: Database, me: Caller, tmp_path: Path) -> None:
    people = write_csv(
        tmp_path / "contacts.csv",
        [["Email", "Company domain"], ["ann@acme.example", "acme.example"]],
    )
    firms = write_csv(
        tmp_path / "companies.csv",
        [["Domain", "Name", "City"], ["acme.example", "Acme", "Oslo"]],
    )
    done, errors = run_import(db, me, (people, ("contacts",)), (firms, ("companies",)))
    assert errors == []
    acme = companies_by_domain(db, me)["acme.example"]
    assert acme.properties["name"] == "Acme" and acme.properties["city"] == "Oslo"
    ann = contacts_by_email(db, me)["ann@acme.example"]
    assert types_between(db, me, ann.id, acme.id) == {279, 1}
    assert done.counts["companies.created"] == 1 and done.counts["companies.updated"] == 1


def test_records_are_matched_by_record_id(db: Database, me: Caller, tmp_path: Path) -> None:
    ann = contact(db, me, "Ann")
    path = write_csv(
        tmp_path / "people.csv", [["Record ID", "Job title"], [str(ann.id), "CEO"], ["999", "x"]]
    )
    _, errors = run_import(db, me, (path, ("contacts",)))
    assert [(e["Line"], e["Error"]) for e in errors] == [("3", "RECORD_NOT_FOUND")]
    assert records.get(db, me, "contacts", ann.id).properties["jobtitle"] == "CEO"


def test_a_dry_run_reports_what_a_run_does_and_writes_nothing(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        [
            PEOPLE,
            ["ann@acme.example", "Ann", "Acme", "acme.example", ""],
            ["bad", "Bob", "Acme", "acme.example", ""],
            ["cy@acme.example", "Cy", "Acme", "acme.example", "Nope"],
        ],
    )
    before = dump(db)
    report = imports.dry_run(db, me, [ImportFile(path.name, path, BOTH)])
    assert dump(db) == before
    done, errors = run_import(db, me, (path, BOTH))
    assert report.counts == done.counts
    assert [(e["line"], e["code"]) for e in report.errors] == [
        (int(e["Line"]), e["Error"]) for e in errors
    ]


def test_a_bad_mapping_is_refused_before_anything_is_written(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    from liaison.domain.errors import LiaisonError

    path = write_csv(tmp_path / "people.csv", [["Email"], ["ann@acme.example"]])
    before = dump(db)
    for mapping in (
        {"files": [{"columns": {"Nope": "contacts.email"}}]},
        {"files": [{"columns": {"Email": "contacts.nope"}}]},
        {"match": {"contacts": "nope"}},
        {"mode": "sometimes"},
    ):
        with pytest.raises(LiaisonError):
            imports.start(db, me, [ImportFile(path.name, path, ("contacts",))], mapping)
    assert dump(db) == before


def test_a_contacts_first_company_in_the_file_is_its_primary_labelled_or_not(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    labels.create_label(db, me, "contacts", "companies", label="Advisor")
    path = write_csv(
        tmp_path / "people.csv",
        [
            PEOPLE,
            ["ann@acme.example", "Ann", "Acme", "acme.example", ""],
            ["bob@beta.example", "Bob", "Beta", "beta.example", "Advisor"],
            ["ann@acme.example", "Ann", "Beta", "beta.example", "Advisor"],
            ["bob@beta.example", "Bob", "Acme", "acme.example", ""],
            ["cy@gamma.example", "Cy", "Gamma", "gamma.example", ""],
        ],
    )
    _, errors = run_import(db, me, (path, BOTH), chunk_rows=100)  # one chunk: set-wise and not
    assert errors == []
    people, firms = contacts_by_email(db, me), companies_by_domain(db, me)
    ann, bob, cy = (
        people[f"{n}@{d}.example"].id
        for n, d in (("ann", "acme"), ("bob", "beta"), ("cy", "gamma"))
    )
    acme, beta, gamma = (firms[f"{d}.example"].id for d in ("acme", "beta", "gamma"))
    assert associations_labels(db, me, ann, acme) == {"Primary"}
    assert associations_labels(db, me, ann, beta) == {"Advisor"}
    assert associations_labels(db, me, bob, beta) == {"Advisor", "Primary"}
    assert associations_labels(db, me, bob, acme) == set()
    assert associations_labels(db, me, cy, gamma) == {"Primary"}


@pytest.mark.parametrize(
    ("passes", "refused_lines"),
    [(1, {"4", "5"}), (2, {"2", "3", "4", "5"})],
    ids=["one-pass", "two-passes"],
)
def test_a_record_deleted_while_the_import_runs_refuses_the_rows_naming_it(
    db: Database, me: Caller, tmp_path: Path, passes: int, refused_lines: set[str]
) -> None:
    """In one pass, the rows before the deletion have their associations already; in two,
    every row's association is refused (phase 2 runs after the deletion)."""
    rows = [["ann@acme.example", "Ann", "Acme", "acme.example", ""]]
    rows += [[f"p{i}@acme.example", f"P{i}", "Acme", "acme.example", ""] for i in range(3)]
    path = write_csv(tmp_path / "people.csv", [PEOPLE, *rows])
    described = [ImportFile(path.name, path, BOTH)]
    if passes == 2:  # a second file: the import reads its files twice
        other = write_csv(
            tmp_path / "other.csv", [PEOPLE, ["cy@c.example", "Cy", "C", "c.example", ""]]
        )
        described.append(ImportFile(other.name, other, BOTH))
    started = imports.start(db, me, described)
    assert started.passes == passes

    def delete_acme(progress: imports.Progress) -> None:
        acme = companies_by_domain(db, me).get("acme.example")
        if progress.phase == 1 and acme is not None:
            records.delete(db, me, "companies", acme.id)

    done = imports.run(db, me, started.id, chunk_rows=2, on_progress=delete_acme)
    out = io.StringIO()
    imports.write_errors(db, me, done.id, out)
    out.seek(0)
    refused = {(e["File"], e["Line"], e["Error"]) for e in csv.DictReader(out)}
    assert refused == {("people.csv", line, "RECORD_ARCHIVED") for line in refused_lines}


def test_history_names_the_records_a_chunk_made_or_matched_as_they_are_then(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    """The set-wise path takes the records a chunk made, and the companies it matched, as the
    import knows them instead of reading them back (decision 0020): the history names each as
    the records table does at that moment, a company renamed by a later row included."""
    rows = [
        ["ann@acme.example", "Ann", "Acme", "acme.example", ""],  # chunk 1 makes both
        ["bob@beta.example", "Bob", "Beta", "beta.example", ""],
        ["cy@acme.example", "Cy", "Acme", "acme.example", ""],  # chunk 2 matches Acme as it is
        ["di@beta.example", "Di", "Beta Corp", "beta.example", ""],  # and renames Beta
    ]
    path = write_csv(tmp_path / "people.csv", [PEOPLE, *rows])
    done, errors = run_import(db, me, (path, BOTH), chunk_rows=2)
    assert errors == [] and done.counts["companies.updated"] == 2
    created = {
        (e.record_name, e.other_name)
        for e in history.operation(db, me, done.id).entries
        if e.change.value == "CREATED"
    }
    assert created == {("Ann", "Acme"), ("Bob", "Beta"), ("Cy", "Acme"), ("Di", "Beta Corp")}
    assert {c.name for c in companies_by_domain(db, me).values()} == {"Acme", "Beta Corp"}
