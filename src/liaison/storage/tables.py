"""The tables. Every table of account data leads its keys and indexes with `account_id` (O5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TextClause,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.visitors import InternalTraversal

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")
"""Record, operation and history IDs; plain INTEGER on SQLite, which is 64-bit there anyway."""
Micros = BigInteger
"""Times are microseconds since 1970, UTC: exact, sortable and the same on both stores."""

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", Micros, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("value", Id, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
)
"""Per-account sequences (records, operations, history, types): IDs are never reused."""

object_types = Table(
    "object_types",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", String(20), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("singular", String(100), nullable=False),
    Column("plural", String(100), nullable=False),
    Column("properties", Json, nullable=False),
    Column("required", Json, nullable=False),
    Column("primary_display_property", String(100)),
    Column("created_at", Micros, nullable=False),
    Column("updated_at", Micros, nullable=False),
    Column("archived", Boolean, nullable=False, server_default=text("false")),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
    Index("ux_object_types_name", "account_id", "name", unique=True),
)
"""Custom object types (O3); the built-in ones live in code."""

association_types = Table(
    "association_types",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Integer, primary_key=True),
    Column("inverse_id", Integer, nullable=False),
    Column("from_type", String(20), nullable=False),
    Column("to_type", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(100), nullable=False),
    Column("label", String(100)),
    Column("exclusive", Boolean, nullable=False),
    Column("created_at", Micros, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
    Index("ix_association_types_pair", "account_id", "from_type", "to_type"),
)
"""An account's own association types, one row per direction: custom pairs' base and Primary
types and user-defined labels. The built-in ones live in code."""

association_limits = Table(
    "association_limits",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("type_id", Integer, primary_key=True),
    Column("max_to", Integer, nullable=False),
    Column("updated_at", Micros, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
)
"""A6: at most `max_to` associations of type `type_id` per record on its from side."""

records = Table(
    "records",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Id, primary_key=True),
    Column("type_id", String(20), nullable=False),
    Column("properties", Json, nullable=False),
    Column("name", Text, nullable=False, comment="the display name, kept with the properties"),
    Column("created_at", Micros, nullable=False),
    Column("updated_at", Micros, nullable=False),
    Column("archived", Boolean, nullable=False, server_default=text("false")),
    Column("archived_at", Micros),
    Column("archived_by", Id, comment="the operation that deleted or merged it away"),
    Column("merged_into", Id),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
    Index("ix_records_type", "account_id", "type_id", "archived", "id"),
    Index("ix_records_type_name", "account_id", "type_id", "archived", "name", "id"),
)


class TextProperty(ColumnElement[str]):
    """A record's property as text: `json_extract(properties, '$.name')` on SQLite,
    `properties ->> 'name'` on PostgreSQL, the path written out (not a bound parameter, as
    SQLAlchemy sends `properties[name]`), so that an index on it serves the queries that use it."""

    inherit_cache = True
    _traverse_internals = [("name", InternalTraversal.dp_string)]  # noqa: RUF012 (SQLAlchemy's)
    type = Text()

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(TextProperty, "sqlite")
def _sqlite_property(element: TextProperty, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_extract({_properties(compiler, kw)}, '$.{element.name}')"


@compiles(TextProperty)
def _property(element: TextProperty, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{_properties(compiler, kw)} ->> '{element.name}'"


def _properties(compiler: SQLCompiler, kw: dict[str, Any]) -> str:
    """The column, qualified or not as the statement wants (not as a column of its result)."""
    return str(compiler.process(records.c.properties, include_table=kw.get("include_table", True)))


COMPANY_DOMAIN = func.lower(TextProperty("domain"))
COMPANY_ADDITIONAL_DOMAINS = TextProperty("hs_additional_domains")
COMPANY_ROWS = text("type_id = '0-2'")
"""The companies' rows, the type written out: the indexes below hold only those."""


def _records_by(name: str, expression: ColumnElement[Any], rows: TextClause) -> Index:
    """An index of the live and deleted `rows` of each account by `expression`."""
    return Index(
        name,
        records.c.account_id,
        records.c.archived,
        expression,
        sqlite_where=rows,
        postgresql_where=rows,
    )


_records_by("ix_records_company_domain", COMPANY_DOMAIN, COMPANY_ROWS)
_records_by(
    "ix_records_company_additional_domains", Grouping(COMPANY_ADDITIONAL_DOMAINS), COMPANY_ROWS
)
"""Companies by domain (L4, decision 0017): a query must spell these expressions and
`COMPANY_ROWS` for the indexes to serve it (`storage/domain_settings.py`)."""
CONTACT_EMAIL = func.lower(TextProperty("email"))
CONTACT_ROWS = text("type_id = '0-1'")
"""The contacts' rows, the type written out: the index below holds only those."""
_records_by("ix_records_contact_email", CONTACT_EMAIL, CONTACT_ROWS)
"""Contacts by email, for the records an import matches (migration 0012, decision 0020); the
companies it matches by domain are found by ix_records_company_domain."""

associations = Table(
    "associations",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("from_id", Id, primary_key=True),
    Column("to_type", String(20), primary_key=True),
    Column("to_id", Id, primary_key=True),
    Column("created_at", Micros, nullable=False),
    sqlite_with_rowid=False,
)
"""One row per direction (A1): reading from either side is one index range scan (A9). On
SQLite the primary key is the table (WITHOUT ROWID, docs/decisions/0009)."""

association_labels = Table(
    "association_labels",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("from_id", Id, primary_key=True),
    Column("to_type", String(20), primary_key=True),
    Column("to_id", Id, primary_key=True),
    Column("type_id", Integer, primary_key=True),
    Column("exclusive", Boolean, nullable=False),
    Index(
        "ux_association_labels_exclusive",
        "account_id",
        "from_id",
        "type_id",
        unique=True,
        sqlite_where=text("exclusive"),
        postgresql_where=text("exclusive"),
    ),
    sqlite_with_rowid=False,
)
"""The labels (and Primary) on each direction; the base type is implied by the association row.
The partial unique index makes "one primary per record" (P1, P6) hold in the database too."""

operations = Table(
    "operations",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Id, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("source", String(20), nullable=False),
    Column("actor_kind", String(20), nullable=False),
    Column("actor_id", String(200), nullable=False),
    Column("actor_name", String(200)),
    Column("started_at", Micros, nullable=False),
    Column("first_history_id", Id, comment="its history rows are this ID range"),
    Column("last_history_id", Id),
    Column("summary", Json),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
)
"""H6: each API request, UI save, import, bulk action, merge or deletion that changed something."""

jobs = Table(
    "jobs",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("operation_id", Id, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("params", Json, nullable=False),
    Column("state", String(20), nullable=False),
    Column("done", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("cursor", Json, comment="where the next chunk starts"),
    Column("result", Json, nullable=False),
    Column("error", Text),
    Column("runner", String(200), comment="host:pid:tag"),
    Column("heartbeat_at", Micros),
    Column("created_at", Micros, nullable=False),
    Column("started_at", Micros),
    Column("updated_at", Micros, nullable=False),
    Column("finished_at", Micros),
    ForeignKeyConstraint(
        ["account_id", "operation_id"], ["operations.account_id", "operations.id"]
    ),
    Index("ix_jobs_state", "state", "created_at"),
)
"""Long operations run in chunks by the job runner (decision 0013): a job IS its operation, so
its history rows carry the job's ID. Each chunk's transaction advances `cursor` and `done`."""

association_history = Table(
    "association_history",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Id, primary_key=True),
    Column("operation_id", Id, nullable=False),
    Column("at", Micros, nullable=False),
    Column("change", String(20), nullable=False),
    Column("from_type", String(20), nullable=False),
    Column("from_id", Id, nullable=False),
    Column("to_type", String(20), nullable=False),
    Column("to_id", Id, nullable=False),
    Column("type_id", Integer, nullable=False),
    Column("label", String(100)),
    Column("inverse_type_id", Integer, nullable=False),
    Column("inverse_label", String(100)),
    Column("from_name", Text),
    Column("to_name", Text),
    Column("source", String(20), nullable=False),
    Column("detail", Json),
    Column("primary_type_id", Integer, comment="set: the row is also the PRIMARY_SET of id + 1"),
    Column("primary_label", String(100)),
    Column("primary_inverse_type_id", Integer),
    Column("primary_inverse_label", String(100)),
    ForeignKeyConstraint(
        ["account_id", "operation_id"], ["operations.account_id", "operations.id"]
    ),
    Index("ix_association_history_from", "account_id", "from_id", "id"),
    Index("ix_association_history_to", "account_id", "to_id", "id").ddl_if(dialect="postgresql"),
)
"""Append-only (H5). One row per change, seen from `from_id`; both records find their rows
newest first by index. An operation's rows are the ID range noted on the operation. On SQLite
the `to_id` side is found through the two levels below instead of an index (decision 0023).
A new association's CREATED and the PRIMARY_SET made with it share one row: the `primary_*`
columns are the PRIMARY_SET's, whose ID is the row's plus one (decision 0029)."""


def _history_by_to(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("account_id", Integer, primary_key=True),
        Column("to_id", Id, primary_key=True),
        Column("id", Id, primary_key=True),
        sqlite_with_rowid=False,
    )


history_to_recent = _history_by_to("history_to_recent")
"""SQLite only (empty on PostgreSQL, which indexes `to_id`): each history row's `(account_id,
to_id, id)` as it is appended. Small, so a batch dirties few of its pages (decision 0023)."""
history_to = _history_by_to("history_to")
"""SQLite only: `history_to_recent`'s entries, moved here in one sorted pass each time an
account's history IDs pass a multiple of `storage.history.MERGE_EVERY`."""
HISTORY_TO_LEVELS = (history_to_recent, history_to)
"""Where SQLite finds a history row from its `to_id` side: both levels, read together."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False, comment="SHA-256 of the token, hex"),
    Column("scopes", Json, nullable=False),
    Column("created_at", Micros, nullable=False),
    Column("revoked_at", Micros),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
    Index("ix_api_tokens_account_id_secret_hash", "account_id", "secret_hash", unique=True),
)
"""S2: API tokens. A token reads `lia_{account}_{secret}`; only its hash is kept."""

users = Table(
    "users",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("email", String(254), nullable=False, comment="lower-cased"),
    Column("name", String(200)),
    Column("password_hash", String(200), nullable=False, comment="Argon2id, PHC string"),
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", Micros, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
    Index("ux_users_email", "account_id", "email", unique=True),
)
"""S1: people who sign in to the web UI, one account each; only a hash of the password."""

activity_rules = Table(
    "activity_rules",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("record_type", String(20), primary_key=True),
    Column("activity_type", String(20), primary_key=True),
    Column("target_type", String(20), primary_key=True),
    Column("rule", String(20), nullable=False),
    Column("updated_at", Micros, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
)
"""T2: an account's own choice of rule per (record type, activity type, target type); a
combination without a row follows the default in code (domain/activity_rules.py)."""

domain_settings = Table(
    "domain_settings",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("create_companies", Boolean, nullable=False),
    Column("excluded_domains", Json, nullable=False),
    Column("updated_at", Micros, nullable=False),
    ForeignKeyConstraint(["account_id"], ["accounts.id"]),
)
"""L4: the account's association-by-domain setting; no row means the defaults (on, no company
created, nothing excluded)."""

instance_secrets = Table(
    "instance_secrets",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", Micros, nullable=False),
)
"""Secrets of the installation, not of an account: the web sessions' signing key when
LIAISON_SECRET_KEY is not set."""

imports = Table(
    "imports",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("id", Id, primary_key=True, autoincrement=False, comment="its operation's ID"),
    Column("files", Json, nullable=False, comment="[{name, path, sha256}]"),
    Column("mapping", Json, nullable=False),
    Column("state", String(20), nullable=False, comment="RUNNING, DONE"),
    Column("phase", Integer, nullable=False, comment="1 records, 2 associations"),
    Column("file_index", Integer, nullable=False),
    Column("rows_done", Integer, nullable=False, comment="rows of that file done in that phase"),
    Column("counts", Json, nullable=False),
    Column("watermark", Id, nullable=False, comment="records above it were made meanwhile"),
    Column("created_at", Micros, nullable=False),
    Column("updated_at", Micros, nullable=False),
    ForeignKeyConstraint(["account_id", "id"], ["operations.account_id", "operations.id"]),
)
"""An import (issue 6): its files, mapping and options, and how far it got; each chunk moves
the cursor (phase, file_index, rows_done) in the transaction that writes the chunk."""

import_errors = Table(
    "import_errors",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("import_id", Id, primary_key=True),
    Column("file_index", Integer, primary_key=True),
    Column("line", Integer, primary_key=True, comment="the row's first line in its file"),
    Column("phase", Integer, nullable=False),
    Column("code", String(40), nullable=False),
    Column("message", Text, nullable=False),
    Column("cells", Json, nullable=False, comment="the row as read"),
)
"""Each refused row of an import, written with the chunk that refused it."""

import_keys = Table(
    "import_keys",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("import_id", Id, primary_key=True),
    Column("type_id", String(20), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("record_id", Id, nullable=False),
    sqlite_with_rowid=False,
)
"""The records an import made or matched, by the key that named them in its files."""
