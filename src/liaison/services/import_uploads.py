"""Files uploaded for an import from the web UI, and what the mapping page shows of them: kept
in `LIAISON_IMPORT_DIR` (as the imports API keeps its files), named `{account}-{random}-{name}`
so a file is only ever found again for its own account; their columns with the importer's
guesses, and the targets a column may be given."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO

from liaison.domain import import_mapping
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.id_properties import RECORD_ID
from liaison.services import import_files
from liaison.services.database import Database
from liaison.services.unit import Caller, reading

IMPORT_DIR_ENV = "LIAISON_IMPORT_DIR"
MAX_BYTES = 50 * 1024 * 1024
"""The largest file the web UI takes (50 MB); larger imports go through `liaison import`."""
SAMPLE_ROWS = 3
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KEY = re.compile(r"^(\d+)-[0-9a-f]{16}-[A-Za-z0-9._-]{1,100}$")
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def folder() -> Path:
    return Path(os.environ.get(IMPORT_DIR_ENV) or Path(tempfile.gettempdir()) / "liaison-imports")


def save(caller: Caller, file_name: str, stream: IO[bytes]) -> str:
    """Keep the upload; its key names it for the next steps. Refused (nothing kept): a file
    that is empty, larger than MAX_BYTES, or not CSV or XLSX by its name."""
    name = _SAFE.sub("_", Path(file_name or "upload.csv").name)[-100:]
    if not name.lower().endswith(SUFFIXES):
        raise _invalid("Upload a CSV or XLSX file (.csv, .tsv, .txt, .xlsx, .xlsm).")
    place = folder()
    place.mkdir(parents=True, exist_ok=True)
    key = f"{caller.account_id}-{secrets.token_hex(8)}-{name}"
    path = place / key
    size = 0
    with path.open("wb") as out:
        while block := stream.read(1 << 20):
            size += len(block)
            if size > MAX_BYTES:
                break
            out.write(block)
    if size == 0 or size > MAX_BYTES:
        path.unlink(missing_ok=True)
        limit = MAX_BYTES // (1024 * 1024)
        raise _invalid("The file is empty." if size == 0 else f"The file is over {limit} MB.")
    return key


def path_of(caller: Caller, key: str) -> Path:
    """The kept upload of this key, for this account only."""
    found = _KEY.match(key)
    path = folder() / key
    if found is None or int(found.group(1)) != caller.account_id or not path.is_file():
        raise _invalid("This upload is not there any more: upload the file again.")
    return path


def display_name(key: str) -> str:
    return key.split("-", 2)[-1]


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    guess: str | None
    """The importer's guess, as a mapping target (`contacts.email`, `labels`), or None."""
    samples: list[str]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def columns(database: Database, caller: Caller, path: Path, objects: list[str]) -> list[Column]:
    """The file's columns, each with the importer's guess and its first cells."""
    headers = _headers(path)
    with reading(database, caller) as unit:
        found = import_mapping.build(unit.schema, [headers], [objects])
        guessed = found.files[0].columns
        targets = {h: t.describe(unit.schema) for h, t in guessed.items()}
    rows = list(islice(import_files.read_rows(path), SAMPLE_ROWS))
    return [
        Column(i, h, targets.get(h), [r.cells.get(h, "") for r in rows])
        for i, h in enumerate(headers)
    ]


def choices(database: Database, caller: Caller, objects: list[str]) -> list[Choice]:
    """What a column may hold: each property (and the Record ID) of the chosen objects, the
    labels between the first two, associations of the main one with the others."""
    with reading(database, caller) as unit:
        kinds = [unit.schema.object_type(o) for o in objects]
    found: list[Choice] = []
    for kind in kinds:
        found.append(Choice(f"{kind.name}.{RECORD_ID}", f"{kind.singular}: Record ID"))
        found += [
            Choice(f"{kind.name}.{name}", f"{kind.singular}: {p.label}")
            for name, p in sorted(kind.properties.items(), key=lambda i: i[1].label.lower())
        ]
    if len(kinds) > 1:
        found.append(Choice(import_mapping.LABELS, "Association labels"))
        found += [
            Choice(f"{import_mapping.ASSOCIATIONS}{k.name}", f"Associated {k.plural.lower()}")
            for k in kinds[1:]
        ]
    return found


def _headers(path: Path) -> list[str]:
    try:
        headers = import_files.headers(path)
    except LiaisonError:
        raise
    except Exception as error:  # a file that is no CSV or XLSX at all
        raise _invalid(f"This file cannot be read as CSV or XLSX ({error}).") from None
    if not headers:
        raise _invalid("The file has no header row.")
    return headers


def _invalid(message: str) -> LiaisonError:
    return LiaisonError(ErrorCode.INVALID_INPUT, message)
