"""Reading import files, streamed: CSV (any common delimiter, BOM, quoted newlines, UTF-8 or
Latin-1) and XLSX (the first sheet, read-only)."""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import IO, NamedTuple

from liaison.domain.errors import ErrorCode, LiaisonError

_SNIFF = 64 * 1024
_DELIMITERS = ",;\t|"


class SourceRow(NamedTuple):
    line: int
    """The row's first line in the file (CSV: counting the newlines inside quoted cells; XLSX:
    the sheet's row number)."""
    values: list[str]
    """Its cells in the header's order, as many as the header has (missing ones empty)."""
    header: tuple[str, ...]
    """The file's header, shared by its rows."""

    @property
    def cells(self) -> dict[str, str]:
        """Header -> cell; a column without a header is left out."""
        return {name: value for name, value in zip(self.header, self.values, strict=True) if name}


def positions(header: Sequence[str]) -> dict[str, int]:
    """Where each header's cells are in a row's values (the last, for a repeated header, as in
    `SourceRow.cells`)."""
    return {name: index for index, name in enumerate(header) if name}


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def fingerprint(path: Path) -> str:
    """SHA-256 of the file: a resumed import refuses a file that changed."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def headers(path: Path) -> list[str]:
    rows = _raw_rows(path)
    try:
        return next(rows)[1]
    except StopIteration:
        raise LiaisonError(ErrorCode.INVALID_INPUT, f"{path.name} is empty.") from None
    finally:
        rows.close()


def read_rows(path: Path) -> Iterator[SourceRow]:
    """The file's rows after its header (empty rows skipped), each as long as the header."""
    rows = _raw_rows(path)
    try:
        _, names = next(rows)
    except StopIteration:
        return
    header, width = tuple(names), len(names)
    make = tuple.__new__  # a NamedTuple's own __new__ costs a Python call per row
    for line, values in rows:
        if not any(values):  # cells come trimmed
            continue
        if len(values) != width:
            values = [*values[:width], *[""] * (width - len(values))]
        yield make(SourceRow, (line, values, header))


def _raw_rows(path: Path) -> Generator[tuple[int, list[str]], None, None]:
    try:
        if is_xlsx(path):
            yield from _xlsx_rows(path)
        else:
            yield from _csv_rows(path)
    except (OSError, csv.Error, ValueError, KeyError) as error:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"Cannot read {path.name}: {error}", file=path.name
        ) from None


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        dialect = _dialect(stream)
        reader = csv.reader(stream, dialect)
        last = 0
        strip = str.strip
        for values in reader:
            yield last + 1, list(map(strip, values))
            last = reader.line_num


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes so, else Latin-1 (Windows-1252
    for the bytes Latin-1 leaves as control characters)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        try:
            for block in iter(lambda: stream.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252" if _is_cp1252(path) else "latin-1"
    return "utf-8-sig"


def _is_cp1252(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                block.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _dialect(stream: IO[str]) -> type[csv.Dialect] | csv.Dialect:
    sample = stream.read(_SNIFF)
    stream.seek(0)
    try:
        return csv.Sniffer().sniff(_whole_lines(sample), delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel


def _whole_lines(sample: str) -> str:
    cut = sample.rfind("\n")
    return sample[:cut] if cut > 0 else sample


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported on use: only XLSX imports need it

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


def write_csv(stream: IO[str], rows: Iterator[list[str]]) -> None:
    """Write rows as CSV (comma, quoted where needed, \\r\\n)."""
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow(row)
