"""Long random sequences of association changes, checked step by step against a small model.

The model below is written from SPEC.md alone (A1, A3, A4, A7, A8, P1-P5, L1-L3): a dict of
pairs -> labels, the live / deleted / merged records, and each record's primary company (the
Primary label on its pair). After every step the database must hold exactly what the model
holds, refusals must agree, the invariant checker must find nothing, and the new history rows
must carry the step's source (or be absent when nothing changed, A7).

Where the spec allows several outcomes, the model accepts any of them and follows Liaison's
choice: L1's "most recently associated" company when several were associated in the same
operation (by a merge or a restore), and P3's "first company" when a restored contact gets
several companies back at once and its former primary is gone.

Where the spec is silent, the model follows docs/rules.md: a merged record's ID is refused for
deletion and association writes; an ID merged into B follows B into A; when the survivor of a
merge has no primary company, the merged record's primary becomes its primary; a record whose
primary company is merged away gets the survivor as primary; a successor named when no
contact loses its primary is ignored.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Source
from liaison.services import associations, invariants, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database, ensure_default_account
from liaison.services.unit import Caller
from liaison.storage.tables import association_history, association_labels, metadata
from liaison.storage.tables import associations as association_rows
from liaison.storage.tables import operations as operation_rows
from liaison.storage.tables import records as record_rows

CONTACT, COMPANY, DEAL = "0-1", "0-2", "0-3"
PLURAL = {CONTACT: "contacts", COMPANY: "companies", DEAL: "deals"}
PRIMARY = {CONTACT: 1, DEAL: 5}
"""The built-in Primary type from contacts and from deals to companies (P1, P5)."""
REPLACE, REFUSE, SKIP = "replace", "refuse", "skip"
CHECKED_CODES = {
    ErrorCode.PRIMARY_REQUIRED,
    ErrorCode.PRIMARY_EXISTS,
    ErrorCode.INVALID_SUCCESSOR,
    ErrorCode.SELF_ASSOCIATION,
    ErrorCode.MERGE_INVALID,
    ErrorCode.NOT_ASSOCIATED,
}
"""Refusals whose reason the model must get right too; for the others, refused is enough."""

ACCOUNT = 1
POOL = {CONTACT: 4, COMPANY: 3, DEAL: 2}


@dataclass(frozen=True)
class TypeInfo:
    from_kind: str
    to_kind: str
    inverse: int
    base: bool = False
    exclusive: bool = False


BUILTIN_TYPES = {
    279: TypeInfo(CONTACT, COMPANY, 280, base=True),
    280: TypeInfo(COMPANY, CONTACT, 279, base=True),
    1: TypeInfo(CONTACT, COMPANY, 2, exclusive=True),
    2: TypeInfo(COMPANY, CONTACT, 1),
    449: TypeInfo(CONTACT, CONTACT, 449, base=True),
    4: TypeInfo(CONTACT, DEAL, 3, base=True),
    3: TypeInfo(DEAL, CONTACT, 4, base=True),
    341: TypeInfo(DEAL, COMPANY, 342, base=True),
    342: TypeInfo(COMPANY, DEAL, 341, base=True),
    5: TypeInfo(DEAL, COMPANY, 6, exclusive=True),
    6: TypeInfo(COMPANY, DEAL, 5),
    450: TypeInfo(COMPANY, COMPANY, 450, base=True),
    13: TypeInfo(COMPANY, COMPANY, 14),
    14: TypeInfo(COMPANY, COMPANY, 13),
    451: TypeInfo(DEAL, DEAL, 451, base=True),
}


class Refused(Exception):
    def __init__(self, code: ErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


Chooser = Callable[[int, set[int]], int]
"""(record, the companies the spec allows equally) -> the one that became its primary."""


def _lowest(_: int, options: set[int]) -> int:
    return min(options)


# -- the model --------------------------------------------------------------------------------
@dataclass
class Model:
    types: dict[int, TypeInfo]
    kinds: dict[int, str]
    live: set[int]
    links: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    """Both directions of every association, with their labels (base type left out)."""
    since: dict[frozenset[int], int] = field(default_factory=dict)
    deleted: dict[int, dict[int, set[int]]] = field(default_factory=dict)
    """Deleted record -> what its deletion removed: other record -> labels seen from the record."""
    merged: dict[int, int] = field(default_factory=dict)
    clock: int = 0
    changes: int = 0
    """How many history rows the changes so far must have written (H1)."""
    choose: Chooser = field(default=_lowest, repr=False)
    """Picks among companies the spec allows equally; the step makes it follow Liaison."""

    # -- reading
    def companies_of(self, record: int) -> set[int]:
        return {b for (a, b) in self.links if a == record and self.kinds[b] == COMPANY}

    def primary_of(self, record: int) -> int | None:
        primary = PRIMARY.get(self.kinds[record])
        found = [c for c in self.companies_of(record) if primary in self.links[(record, c)]]
        assert len(found) <= 1
        return found[0] if found else None

    # -- small edits
    # -- small edits, each one history row (H1): created, removed, label or primary added or
    # removed; removing an association first removes each of its labels
    def _link(self, x: int, y: int) -> None:
        self.links[(x, y)], self.links[(y, x)] = set(), set()
        self.since[frozenset((x, y))] = self.clock
        self.changes += 1

    def _unlink(self, x: int, y: int) -> None:
        self.changes += 1 + len(self.links[(x, y)])
        del self.links[(x, y)], self.links[(y, x)]

    def _add(self, x: int, y: int, type_id: int) -> None:
        assert type_id not in self.links[(x, y)]
        self.links[(x, y)].add(type_id)
        self.links[(y, x)].add(self.types[type_id].inverse)
        self.changes += 1

    def _drop(self, x: int, y: int, type_id: int) -> None:
        assert type_id in self.links[(x, y)]
        self.links[(x, y)].discard(type_id)
        self.links[(y, x)].discard(self.types[type_id].inverse)
        self.changes += 1

    def _require_live(self, *ids: int) -> None:
        for record in ids:
            if record not in self.live:
                raise Refused(ErrorCode.RECORD_ARCHIVED)

    def _check_types(self, x: int, y: int, type_ids: Iterable[int]) -> None:
        for type_id in type_ids:
            info = self.types.get(type_id)
            if info is None or (info.from_kind, info.to_kind) != (self.kinds[x], self.kinds[y]):
                raise Refused(ErrorCode.LABEL_NOT_FOR_PAIR)

    def _holder(self, x: int, y: int, type_id: int) -> tuple[int, int] | None:
        """(record, company) when `type_id` on x->y is someone's Primary."""
        if self.types[type_id].exclusive:
            return x, y
        if self.types[self.types[type_id].inverse].exclusive:
            return y, x
        return None

    def _put_primary(self, record: int, company: int, policy: str) -> None:
        """P2: a new primary replaces the old one, which stays associated."""
        primary = PRIMARY[self.kinds[record]]
        current = self.primary_of(record)
        if current == company:
            return
        if current is not None:
            if policy == SKIP:
                return
            if policy == REFUSE:
                raise Refused(ErrorCode.PRIMARY_EXISTS)
            self._drop(record, current, primary)
        self._add(record, company, primary)

    def _add_label(self, x: int, y: int, type_id: int, policy: Callable[[int], str]) -> None:
        if self.types[type_id].base or type_id in self.links[(x, y)]:
            return
        holder = self._holder(x, y, type_id)
        if holder is None:
            self._add(x, y, type_id)
        else:
            self._put_primary(*holder, policy(holder[0]))

    def _first_company(self, record: int, company: int) -> None:
        """P3: a contact's first company becomes its primary."""
        if (
            self.kinds[record] == CONTACT
            and self.kinds[company] == COMPANY
            and self.primary_of(record) is None
        ):
            self._add(record, company, PRIMARY[CONTACT])

    def _repair(
        self,
        record: int,
        successor: int | None,
        *,
        keeps: int | None,
        vanishing: int | None = None,
        automatic: bool = False,
    ) -> None:
        """P4, L1: a contact lost its primary company; `keeps` lost only the label."""
        companies = self.companies_of(record)
        candidates = companies - {keeps}
        if successor is not None:
            if successor not in candidates:
                raise Refused(ErrorCode.INVALID_SUCCESSOR)
            self._put_primary(record, successor, REPLACE)
        elif record == vanishing or not companies:
            return
        elif not candidates:
            raise Refused(ErrorCode.PRIMARY_REQUIRED)  # P3: the only company stays primary
        elif automatic:  # L1: the most recently associated one
            newest = max(self.since[frozenset((record, c))] for c in candidates)
            tied = {c for c in candidates if self.since[frozenset((record, c))] == newest}
            self._put_primary(record, self.choose(record, tied), REPLACE)
        elif keeps is None and len(candidates) == 1:  # P4: exactly one company remains
            self._put_primary(record, candidates.pop(), REPLACE)
        else:  # P4: several companies, none named
            raise Refused(ErrorCode.PRIMARY_REQUIRED)

    def _lost_primary(self, x: int, y: int, type_ids: Iterable[int]) -> tuple[int, int] | None:
        """(contact, company) when x->y losing these types takes a contact's primary."""
        for type_id in type_ids:
            holder = self._holder(x, y, type_id)
            if holder is not None and self.kinds[holder[0]] == CONTACT:
                return holder
        return None

    # -- requests
    def associate(
        self,
        x: int,
        y: int,
        type_ids: Iterable[int],
        policy: Callable[[int], str] = lambda _: REPLACE,
        *,
        first_company: bool = True,
    ) -> bool:
        type_ids = list(type_ids)
        self._require_live(x, y)
        if x == y:
            raise Refused(ErrorCode.SELF_ASSOCIATION)
        self._check_types(x, y, type_ids)
        created = (x, y) not in self.links
        if created:
            self._link(x, y)
        for type_id in type_ids:
            self._add_label(x, y, type_id, policy)
        if created and first_company:
            self._first_company(x, y)
            self._first_company(y, x)
        return created

    def remove(
        self,
        x: int,
        y: int,
        successor: int | None,
        *,
        vanishing: int | None = None,
        automatic: bool = False,
    ) -> None:
        if (x, y) not in self.links:
            return
        lost = self._lost_primary(x, y, self.links[(x, y)])
        self._unlink(x, y)
        if lost is not None:
            self._repair(lost[0], successor, keeps=None, vanishing=vanishing, automatic=automatic)

    def remove_labels(self, x: int, y: int, type_ids: list[int], successor: int | None) -> None:
        self._check_types(x, y, type_ids)
        if any(self.types[t].base for t in type_ids):
            self.remove(x, y, successor)
            return
        for type_id in type_ids:
            if type_id not in self.links.get((x, y), set()):
                continue
            lost = self._lost_primary(x, y, [type_id])
            self._drop(x, y, type_id)
            if lost is not None:
                self._repair(lost[0], successor, keeps=lost[1])

    def batch(
        self, apply: Callable[[Model, AssociationInput], object], inputs: list[AssociationInput]
    ) -> list[tuple[int, ErrorCode | None]]:
        """A6: in a batch each input is all or nothing; returns the refused ones."""
        refused = []
        for index, item in enumerate(inputs):
            attempt = copy.deepcopy(self)
            try:
                apply(attempt, item)
            except Refused as error:
                refused.append((index, _checked(error.code)))
                continue
            self.__dict__.update(attempt.__dict__)
        return refused

    def set_primary(self, record: int, company: int, replace: bool) -> None:
        self._require_live(record)
        if self.kinds[record] not in PRIMARY:
            raise Refused(ErrorCode.LABEL_NOT_FOR_PAIR)
        policy = REPLACE if replace else REFUSE
        self.associate(record, company, [PRIMARY[self.kinds[record]]], lambda _: policy)

    def remove_primary(self, record: int, company: int, successor: int | None) -> None:
        if self.kinds[record] not in PRIMARY:
            raise Refused(ErrorCode.LABEL_NOT_FOR_PAIR)
        if (record, company) not in self.links:
            raise Refused(ErrorCode.NOT_ASSOCIATED)
        self.remove_labels(record, company, [PRIMARY[self.kinds[record]]], successor)

    def delete(self, record: int) -> None:
        """L1: archive, remove every association; other contacts get a new primary.
        A merged record's ID is refused (docs/rules.md): it must not delete the survivor."""
        if record in self.merged:
            raise Refused(ErrorCode.RECORD_ARCHIVED)
        if record not in self.live:
            raise Refused(ErrorCode.RECORD_NOT_FOUND)
        mine = {b: set(types) for (a, b), types in self.links.items() if a == record}
        for other in sorted(mine):
            self.remove(record, other, None, vanishing=record, automatic=True)
        self.deleted[record] = mine
        self.live.discard(record)

    def restore(self, record: int) -> tuple[int, int]:
        """L2: exactly what the deletion removed, where the other record is live; a primary
        that would now conflict comes back without the label."""
        if record in self.merged:
            raise Refused(ErrorCode.RECORD_ARCHIVED)
        if record not in self.deleted:
            raise Refused(ErrorCode.RECORD_NOT_FOUND)
        self.live.add(record)
        back = set()
        removed = self.deleted.pop(record)
        for other, type_ids in removed.items():
            if other not in self.live:
                continue
            back.add(other)
            self.associate(record, other, type_ids, lambda _: SKIP, first_company=False)
            self._first_company(other, record)
        companies = back & self.companies_of(record)
        if self.kinds[record] == CONTACT and companies and self.primary_of(record) is None:
            # P3, all of them came back at once: any one of them may be the first
            self._put_primary(record, self.choose(record, companies), REPLACE)
        return len(back), len(removed) - len(back)

    def merge(self, survivor: int, merged: int) -> None:
        """L3: B's associations move to A (labels unite), A's primary wins, A-B is dropped."""
        self._require_live(survivor, merged)
        if survivor == merged:
            raise Refused(ErrorCode.MERGE_INVALID)
        mine = {b: set(types) for (a, b), types in self.links.items() if a == merged}
        created = []
        for other, type_ids in mine.items():
            if other == survivor:
                continue
            if (survivor, other) not in self.links:
                self._link(survivor, other)
                created.append(other)
            for type_id in type_ids:
                # A keeps its own primary; a record whose primary was B now has A instead
                self._add_label(
                    survivor, other, type_id, lambda holder: SKIP if holder == survivor else REPLACE
                )
        for other in created:
            self._first_company(survivor, other)
            self._first_company(other, survivor)
        for other in sorted(mine):
            self.remove(merged, other, None, vanishing=merged, automatic=True)
        self.live.discard(merged)
        self.merged[merged] = survivor
        for record, into in self.merged.items():  # what was merged into B now reads A
            if into == merged:
                self.merged[record] = survivor


# -- reading Liaison's state ------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    links: dict[tuple[int, int], set[int]]
    records: dict[int, tuple[bool, int | None]]
    history: int
    sources: list[str]
    operations: int


def snapshot(database: Database, after_history: int) -> Snapshot:
    with database.engine.connect() as conn:
        links: dict[tuple[int, int], set[int]] = {
            (int(f), int(t)): set()
            for f, t in conn.execute(
                select(association_rows.c.from_id, association_rows.c.to_id).where(
                    association_rows.c.account_id == ACCOUNT
                )
            )
        }
        for f, t, type_id in conn.execute(
            select(
                association_labels.c.from_id,
                association_labels.c.to_id,
                association_labels.c.type_id,
            ).where(association_labels.c.account_id == ACCOUNT)
        ):
            links.setdefault((int(f), int(t)), {-1}).add(int(type_id))  # -1: label without row
        rows = conn.execute(
            select(record_rows.c.id, record_rows.c.archived, record_rows.c.merged_into).where(
                record_rows.c.account_id == ACCOUNT
            )
        )
        state = {int(i): (bool(a), int(m) if m is not None else None) for i, a, m in rows}
        h = association_history.c
        history = list(
            conn.execute(
                select(h.id, h.source, h.primary_type_id)
                .where(
                    association_history.c.account_id == ACCOUNT,
                    association_history.c.id > after_history,
                )
                .order_by(association_history.c.id)
            )
        )
        operations = conn.execute(
            select(func.count())
            .select_from(operation_rows)
            .where(operation_rows.c.account_id == ACCOUNT)
        ).scalar_one()
    # A row holding a CREATED and its PRIMARY_SET is two events, its ID and the next (0029).
    events = [
        (row.id + half, row.source)
        for row in history
        for half in range(1 + (row.primary_type_id is not None))
    ]
    last = int(events[-1][0]) if events else after_history
    sources = [str(source) for _, source in events]
    return Snapshot(links, state, last, sources, int(operations))


def reset(database: Database) -> None:
    """An empty database with the default account, for each example."""
    tables = list(reversed(metadata.sorted_tables))
    with database.engine.begin() as conn:
        if database.is_postgres:
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    ensure_default_account(database)


# -- the state machine ------------------------------------------------------------------------
class AssociationMachine(RuleBasedStateMachine):
    database: Database
    caller: Caller

    def __init__(self) -> None:
        super().__init__()
        db, me = self.database, self.caller
        reset(db)
        made = labels.create_label(db, me, "contacts", "companies", label="Decision maker")
        paired = labels.create_label(
            db, me, "contacts", "contacts", label="Manager", inverse_label="Employee"
        )
        types = dict(BUILTIN_TYPES)
        for t in [*made, *paired]:
            types[t.id] = TypeInfo(t.from_type, t.to_type, t.inverse_id)
        kinds: dict[int, str] = {}
        for kind, n in POOL.items():
            for i in range(n):
                values = {
                    CONTACT: {"firstname": f"C{i}", "lastname": "Lee"},
                    COMPANY: {"name": f"Company {i}"},
                    DEAL: {"dealname": f"Deal {i}"},
                }[kind]
                kinds[records.create(db, me, PLURAL[kind], values).id] = kind
        self.ids = sorted(kinds)
        self.by_kind = {k: [i for i in self.ids if kinds[i] == k] for k in POOL}
        self.model = Model(types, kinds, live=set(kinds))
        self.seen = snapshot(db, 0)
        self.compare(self.seen)

    # -- drawing inputs
    def valid_types(self, x: int, y: int) -> list[int]:
        kx, ky = self.model.kinds[x], self.model.kinds[y]
        return sorted(
            t for t, i in self.model.types.items() if (i.from_kind, i.to_kind) == (kx, ky)
        )

    def draw_types(self, data: Any, x: int, y: int, *, base: bool) -> list[int]:
        usable = [t for t in self.valid_types(x, y) if base or not self.model.types[t].base]
        if data.draw(st.integers(0, 9), label="invalid type?") == 0:
            usable = sorted(self.model.types)  # now and then, a type of another pair
        if not usable:
            return []
        return data.draw(st.lists(st.sampled_from(usable), max_size=2, unique=True), label="types")

    def draw_record(
        self, data: Any, kinds: Iterable[str] = POOL, label: str = "record", besides: int = 0
    ) -> int:
        """A record of these kinds; mostly a live one, so that changes mostly apply."""
        kinds = set(kinds)
        pool = [r for r in self.ids if self.model.kinds[r] in kinds and r != besides]
        live = [r for r in pool if r in self.model.live]
        return data.draw(st.sampled_from(live * 4 + pool), label=label)

    def draw_pair(self, data: Any) -> tuple[int, int]:
        how = data.draw(st.sampled_from(["existing", "contact-company", "any"]), label="pair")
        existing = sorted(self.model.links)
        if how == "existing" and existing:
            return data.draw(st.sampled_from(existing), label="existing pair")
        if how == "contact-company":
            pair = (
                self.draw_record(data, [CONTACT], "contact"),
                self.draw_record(data, [COMPANY], "company"),
            )
            return pair if data.draw(st.booleans(), label="from the contact?") else pair[::-1]
        x = self.draw_record(data, label="x")
        return x, self.draw_record(data, label="y", besides=x)

    def draw_successor(self, data: Any, x: int, y: int) -> int | None:
        """None, one of the contact's other companies, or any company."""
        record, company = (y, x) if self.model.kinds[y] == CONTACT else (x, y)
        others = sorted(
            c
            for (a, c) in self.model.links
            if a == record and c != company and self.model.kinds[c] == COMPANY
        )
        how = data.draw(st.integers(0, 4), label="successor?")
        if how == 0 or (how <= 2 and not others):
            return None
        if how <= 2:
            return data.draw(st.sampled_from(others), label="successor")
        return data.draw(st.sampled_from(self.by_kind[COMPANY]), label="any successor")

    def draw_holder(self, data: Any) -> int:
        """A record that may have a primary company, or now and then any record."""
        if data.draw(st.integers(0, 9), label="any record?") == 0:
            return self.draw_record(data)
        return self.draw_record(data, [CONTACT, DEAL])

    # -- one step
    def step(
        self,
        what: str,
        call: Callable[[], object],
        expect: Callable[[Model], object],
        source: Source,
        *,
        involved: Iterable[int] = (),
        agree: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        result: object = None
        try:
            result = call()
            error: LiaisonError | None = None
        except LiaisonError as refused:
            error = refused
        actual = snapshot(self.database, self.seen.history)
        trial = copy.deepcopy(self.model)
        trial.clock += 1

        trial.choose = lambda record, options: _chosen(trial, actual, record, options)
        try:
            promised = expect(trial)
            expected: Refused | None = None
        except Refused as refused:
            expected = refused
        trial.choose = _lowest
        assert (error is None) == (expected is None), (
            f"{what}: Liaison {'refused: ' + repr(error) if error else 'accepted'}, "
            f"the model {'refused: ' + expected.code if expected else 'accepted'}"
        )
        if error is not None and expected is not None and expected.code in CHECKED_CODES:
            assert error.code == expected.code, f"{what}: {error!r}, the model said {expected.code}"
        before = self.model
        if expected is None:
            self.model = trial
            if agree is not None:
                assert agree(result, promised), f"{what}: Liaison said {result}, model {promised}"
        else:
            self.model.clock += 1
        self.compare(actual, what)
        changes = self.model.changes - before.changes
        assert len(actual.sources) == changes, (
            f"{what}: {len(actual.sources)} history rows for {changes} changes (H1, A7)"
        )
        assert set(actual.sources) <= {source.value}, f"{what}: sources {actual.sources}"
        if not changes and before.live == self.model.live:
            assert actual.operations == self.seen.operations, f"{what}: left an operation (A7)"
        involved = list(dict.fromkeys(involved))
        if len(involved) == 2 and involved[0] != involved[1]:  # each side of the pair (A1)
            x, y = involved
            self.compare_reads(x, [self.model.kinds[y]], what)
            self.compare_reads(y, [self.model.kinds[x]], what)
        else:
            for record in involved:
                self.compare_reads(record, list(POOL), what)
        problems = invariants.check(self.database)
        assert problems == [], f"{what}: invariants broken:\n" + "\n".join(problems)
        self.seen = actual

    def compare(self, actual: Snapshot, what: str = "setup") -> None:
        model = self.model
        expected = {pair: set(types) for pair, types in model.links.items()}
        if actual.links != expected:
            diff = {
                pair: (sorted(actual.links.get(pair, {-9})), sorted(expected.get(pair, {-9})))
                for pair in sorted(set(actual.links) | set(expected))
                if actual.links.get(pair) != expected.get(pair)
            }
            raise AssertionError(f"{what}: (Liaison, model) differ, -9 = absent: {diff}")
        states = {r: (r not in model.live, model.merged.get(r)) for r in model.kinds}
        assert actual.records == states, f"{what}: records {actual.records} != {states}"

    def compare_reads(self, record: int, targets: list[str], what: str) -> None:
        """A1, A3: each side reads the association with all its types, the base type first."""
        model, kind = self.model, self.model.kinds[record]
        for target in targets:
            page = associations.list_associations(
                self.database, self.caller, PLURAL[kind], record, PLURAL[target]
            )
            assert page.next_after is None
            read = {
                v.to_id: (v.types[0].id, sorted(t.id for t in v.types[1:])) for v in page.results
            }
            base = next(
                t
                for t, i in model.types.items()
                if i.base and i.from_kind == kind and i.to_kind == target
            )
            expected = {
                b: (base, sorted(types))
                for (a, b), types in model.links.items()
                if a == record and model.kinds[b] == target
            }
            assert read == expected, f"{what}: {record} reads {read}, the model has {expected}"

    # -- rules
    @initialize(data=st.data())
    def give_contacts_companies(self, data: Any) -> None:
        """Start with contacts that have some companies, so that P4 and L1 have choices."""
        for contact in self.by_kind[CONTACT]:
            companies = data.draw(
                st.lists(st.sampled_from(self.by_kind[COMPANY]), unique=True), label="companies"
            )
            for company in companies:
                self.step(
                    f"associate({contact}, {company})",
                    lambda c=contact, o=company: associations.associate(
                        self.database, self.caller, [AssociationInput(c, o)]
                    ).single(),
                    lambda m, c=contact, o=company: m.associate(c, o, []),
                    Source.USER,
                )

    @rule(data=st.data())
    def associate(self, data: Any) -> None:
        x, y = self.draw_pair(data)
        if data.draw(st.sampled_from([False] * 9 + [True]), label="itself?"):
            y = x  # A8: never with itself
        types = self.draw_types(data, x, y, base=True)
        replace = data.draw(st.booleans(), label="replace primary")
        self.step(
            f"associate({x}, {y}, {types}, replace_primary={replace})",
            lambda: associations.associate(
                self.database,
                self.caller,
                [AssociationInput(x, y, tuple(types))],
                replace_primary=replace,
            ).single(),
            lambda m: m.associate(x, y, types, lambda _: REPLACE if replace else REFUSE),
            Source.USER,
            involved=(x, y),
        )

    @rule(data=st.data())
    def associate_company(self, data: Any) -> None:
        """Contacts and deals with several companies, where the primary rules bite."""
        record = self.draw_record(data, [CONTACT, DEAL], "record")
        company = self.draw_record(data, [COMPANY], "company")
        types = data.draw(
            st.sampled_from([[], [], [PRIMARY[self.model.kinds[record]]]]), label="primary?"
        )
        self.step(
            f"associate({record}, {company}, {types})",
            lambda: associations.associate(
                self.database, self.caller, [AssociationInput(record, company, tuple(types))]
            ).single(),
            lambda m: m.associate(record, company, types),
            Source.USER,
            involved=(record, company),
        )

    @precondition(lambda self: bool(self.model.links))
    @rule(data=st.data())
    def add_labels(self, data: Any) -> None:
        x, y = data.draw(st.sampled_from(sorted(self.model.links)), label="pair")
        types = self.draw_types(data, x, y, base=False)
        self.step(
            f"add labels({x}, {y}, {types})",
            lambda: associations.associate(
                self.database, self.caller, [AssociationInput(x, y, tuple(types))]
            ).single(),
            lambda m: m.associate(x, y, types),
            Source.USER,
            involved=(x, y),
        )

    @rule(data=st.data())
    def remove_labels(self, data: Any) -> None:
        x, y = self.draw_pair(data)
        types = self.draw_types(data, x, y, base=data.draw(st.integers(0, 4), label="base?") == 0)
        successor = self.draw_successor(data, x, y)
        self.step(
            f"remove labels({x}, {y}, {types}, successor={successor})",
            lambda: _raise_first(
                associations.remove_labels(
                    self.database,
                    self.caller,
                    [AssociationInput(x, y, tuple(types), successor=successor)],
                )
            ),
            lambda m: m.remove_labels(x, y, types, successor),
            Source.USER,
            involved=(x, y),
        )

    @rule(data=st.data())
    def set_primary(self, data: Any) -> None:
        record = self.draw_holder(data)
        any_record = data.draw(st.integers(0, 9), label="any record?") == 0
        company = self.draw_record(data, POOL if any_record else [COMPANY], "company")
        replace = data.draw(st.booleans(), label="replace")
        self.step(
            f"set_primary({record}, {company}, replace={replace})",
            lambda: associations.set_primary(
                self.database, self.caller, record, company, replace=replace
            ),
            lambda m: m.set_primary(record, company, replace),
            Source.USER,
            involved=(record, company),
        )

    @rule(data=st.data())
    def remove_primary(self, data: Any) -> None:
        record = self.draw_holder(data)
        current = self.model.primary_of(record) if record in self.model.live else None
        if current is not None and data.draw(st.integers(0, 4), label="its primary?") > 0:
            company = current
        else:
            company = self.draw_record(data, [COMPANY], "company")
        successor = self.draw_successor(data, record, company)
        self.step(
            f"remove_primary({record}, {company}, successor={successor})",
            lambda: self.remove_primary_call(record, company, successor),
            lambda m: m.remove_primary(record, company, successor),
            Source.USER,
            involved=(record, company),
        )

    def remove_primary_call(self, record: int, company: int, successor: int | None) -> None:
        associations.remove_primary(
            self.database, self.caller, record, company, successor=successor
        )

    @rule(data=st.data())
    def remove(self, data: Any) -> None:
        x, y = self.draw_pair(data)
        successor = self.draw_successor(data, x, y)
        self.step(
            f"remove({x}, {y}, successor={successor})",
            lambda: _raise_first(
                associations.remove(
                    self.database, self.caller, [AssociationInput(x, y, successor=successor)]
                )
            ),
            lambda m: m.remove(x, y, successor),
            Source.USER,
            involved=(x, y),
        )

    @rule(data=st.data())
    def batch(self, data: Any) -> None:
        """Several inputs in one call: each is all or nothing, the others go on (A6)."""
        how = data.draw(st.sampled_from(["associate", "remove", "remove_labels"]), label="batch")
        inputs = []
        for _ in range(data.draw(st.integers(2, 4), label="inputs")):
            x, y = self.draw_pair(data)
            types = self.draw_types(data, x, y, base=False) if how != "remove" else []
            successor = self.draw_successor(data, x, y) if how != "associate" else None
            inputs.append(AssociationInput(x, y, tuple(types), successor=successor))
        service, apply = {
            "associate": (
                associations.associate,
                lambda m, i: m.associate(i.from_id, i.to_id, i.types),
            ),
            "remove": (
                associations.remove,
                lambda m, i: m.remove(i.from_id, i.to_id, i.successor),
            ),
            "remove_labels": (
                associations.remove_labels,
                lambda m, i: m.remove_labels(i.from_id, i.to_id, list(i.types), i.successor),
            ),
        }[how]
        self.step(
            f"{how}({inputs})",
            lambda: [
                (e.index, _checked(e.error.code))
                for e in service(self.database, self.caller, inputs).errors
            ],
            lambda m: m.batch(apply, inputs),
            Source.USER,
            agree=lambda done, promised: done == promised,
        )

    @rule(data=st.data())
    def delete(self, data: Any) -> None:
        record = self.draw_record(data)
        kind = PLURAL[self.model.kinds[record]]
        self.step(
            f"delete({record})",
            lambda: records.delete(self.database, self.caller, kind, record),
            lambda m: m.delete(record),
            Source.OBJECT_DELETION,
            involved=(record,),
        )

    @rule(data=st.data())
    def restore(self, data: Any) -> None:
        deleted = sorted(self.model.deleted)
        if deleted and data.draw(st.integers(0, 7), label="a deleted one?") > 0:
            record = data.draw(st.sampled_from(deleted), label="record")
        else:
            record = data.draw(st.sampled_from(self.ids), label="any record")
        kind = PLURAL[self.model.kinds[record]]
        self.step(
            f"restore({record})",
            lambda: records.restore(self.database, self.caller, kind, record),
            lambda m: m.restore(record),
            Source.OBJECT_RESTORE,
            involved=(record,),
            agree=lambda done, counts: (done.associations_restored, len(done.skipped)) == counts,
        )

    @rule(data=st.data())
    def merge(self, data: Any) -> None:
        kind = data.draw(st.sampled_from([CONTACT, CONTACT, COMPANY, DEAL]), label="kind")
        survivor = self.draw_record(data, [kind], "survivor")
        merged = self.draw_record(data, [kind], "merged", besides=survivor)
        if data.draw(st.sampled_from([False] * 9 + [True]), label="itself?"):
            merged = survivor
        if {survivor, merged} & set(self.model.merged):
            return
        self.step(
            f"merge({survivor} <- {merged})",
            lambda: records.merge(self.database, self.caller, PLURAL[kind], survivor, merged),
            lambda m: m.merge(survivor, merged),
            Source.OBJECT_MERGE,
            involved=(survivor, merged),
        )

    @rule(data=st.data())
    def read_merged(self, data: Any) -> None:
        """L3: reading a merged record's ID returns the record it was merged into."""
        merged = sorted(self.model.merged)
        if not merged:
            return
        record = data.draw(st.sampled_from(merged), label="merged record")
        into = self.model.merged[record]
        kind = PLURAL[self.model.kinds[record]]
        if into in self.model.live:
            assert records.get(self.database, self.caller, kind, record).id == into
            return
        try:
            records.get(self.database, self.caller, kind, record)
        except LiaisonError as refused:
            assert refused.code is ErrorCode.RECORD_NOT_FOUND
        else:
            raise AssertionError(f"{record} reads a record although {into} is deleted")


def _checked(code: ErrorCode) -> ErrorCode | None:
    return code if code in CHECKED_CODES else None


def _raise_first(result: associations.BatchResult[Any]) -> None:
    if result.errors:
        raise result.errors[0].error


def _chosen(model: Model, actual: Snapshot, record: int, options: set[int]) -> int:
    """Of the companies the spec allows equally, the one Liaison made primary."""
    primary = PRIMARY[model.kinds[record]]
    picked = [c for c in sorted(options) if primary in actual.links.get((record, c), set())]
    return picked[0] if picked else min(options)


def test_stateful_associations_follow_the_spec(db: Database, me: Caller) -> None:
    """A1, A3, A4, A7, P1-P5, L1-L3 over long random sequences, against an independent model."""

    class Machine(AssociationMachine):
        database = db
        caller = me

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
