"""Import files written for tests."""

from __future__ import annotations

import csv
from pathlib import Path


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out, delimiter=delimiter).writerows(rows)
    return path


def people_and_companies(path: Path, rows: int, companies: int = 50) -> Path:
    """Contacts with their company and, every seventh row, the label Advisor."""
    header = [
        "Email",
        "First name",
        "Last name",
        "Company name",
        "Company domain",
        "Association label",
    ]
    body = [
        [
            f"person{i}@example.com",
            f"Person{i}",
            "Test",
            f"Company {i % companies}",
            f"company{i % companies}.example",
            "Advisor" if i % 7 == 0 else "",
        ]
        for i in range(rows)
    ]
    return write_csv(path, [header, *body])
