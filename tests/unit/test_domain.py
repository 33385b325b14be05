"""Pure domain rules: type tables, properties, the graph's undo log."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.association_types import BUILTIN_ASSOCIATION_TYPES, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.graph import Graph
from liaison.domain.history import Change
from liaison.domain.object_types import BUILTIN_TYPES, COMPANIES, CONTACTS
from liaison.domain.properties import PropertyDefinition, PropertyType
from liaison.domain.schema import Schema

SCHEMA = Schema.build()


def test_a2_every_pair_of_builtin_types_is_defined_both_ways() -> None:
    for x in BUILTIN_TYPES:
        for y in BUILTIN_TYPES:
            assert SCHEMA.is_defined(x.id, y.id), (x.name, y.name)


def test_a3_builtin_type_ids_are_unique_and_each_inverse_points_back() -> None:
    ids = [t.id for t in BUILTIN_ASSOCIATION_TYPES]
    assert len(ids) == len(set(ids))
    for t in BUILTIN_ASSOCIATION_TYPES:
        back = SCHEMA.types[t.inverse_id]
        assert back.inverse_id == t.id
        assert (back.from_type, back.to_type) == (t.to_type, t.from_type)
        assert back.kind is t.kind


@pytest.mark.parametrize(
    ("from_type", "to_type", "unlabeled", "primary"),
    [
        ("0-1", "0-2", 279, 1),
        ("0-2", "0-1", 280, None),
        ("0-3", "0-2", 341, 5),
        ("0-5", "0-2", 339, 26),
        ("0-1", "0-3", 4, None),
        ("0-3", "0-1", 3, None),
        ("0-48", "0-1", 194, None),
        ("0-1", "0-46", 201, None),
    ],
)
def test_p1_hubspot_defined_ids(
    from_type: str, to_type: str, unlabeled: int, primary: int | None
) -> None:
    assert SCHEMA.unlabeled_id(from_type, to_type) == unlabeled
    if to_type == "0-2":
        assert SCHEMA.primary_id(from_type) == primary
    assert SCHEMA.types[2].inverse_id == 1 and SCHEMA.types[6].inverse_id == 5


def test_p1_only_the_record_side_of_primary_is_exclusive() -> None:
    exclusive = {t.id for t in BUILTIN_ASSOCIATION_TYPES if t.exclusive}
    assert exclusive == {1, 5, 26}
    assert {t.id for t in BUILTIN_ASSOCIATION_TYPES if t.kind is Kind.PRIMARY} == {
        1,
        2,
        5,
        6,
        25,
        26,
    }


def test_h1_every_change_has_an_opposite() -> None:
    for change in Change:
        assert change.opposite.opposite is change


@pytest.mark.parametrize(
    ("definition", "raw", "stored"),
    [
        (PropertyDefinition("n", "N", PropertyType.NUMBER), "010.50", "10.5"),
        (PropertyDefinition("n", "N", PropertyType.NUMBER), 1500, "1500"),
        (PropertyDefinition("d", "D", PropertyType.DATE), "2026-01-31", "2026-01-31"),
        (PropertyDefinition("b", "B", PropertyType.BOOL), "True", "true"),
        (PropertyDefinition("b", "B", PropertyType.BOOL), False, "false"),
        (PropertyDefinition("s", "S"), "  text ", "text"),
        (PropertyDefinition("s", "S"), "", None),
    ],
)
def test_o4_values_are_normalized(
    definition: PropertyDefinition, raw: object, stored: str | None
) -> None:
    assert definition.normalize(raw) == stored


@pytest.mark.parametrize(
    ("definition", "raw"),
    [
        (PropertyDefinition("n", "N", PropertyType.NUMBER), "ten"),
        (PropertyDefinition("n", "N", PropertyType.NUMBER), "NaN"),
        (PropertyDefinition("d", "D", PropertyType.DATE), "31/01/2026"),
        (PropertyDefinition("b", "B", PropertyType.BOOL), "maybe"),
        (PropertyDefinition("e", "E", PropertyType.ENUMERATION, ("a", "b")), "c"),
    ],
)
def test_o4_wrong_values_name_the_property(definition: PropertyDefinition, raw: object) -> None:
    with pytest.raises(LiaisonError) as refused:
        definition.normalize(raw)
    assert refused.value.code is ErrorCode.INVALID_PROPERTY
    assert f"'{definition.name}'" in refused.value.message


def test_o2_contact_display_name_falls_back_to_email() -> None:
    contacts = SCHEMA.object_types[CONTACTS]
    assert contacts.display_name({"firstname": "Ann", "email": "a@b.c"}) == "Ann"
    assert contacts.display_name({"email": "a@b.c"}) == "a@b.c"


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.booleans()), max_size=30),
    st.integers(0, 30),
)
def test_graph_rollback_restores_exactly_the_marked_state(
    edits: list[tuple[int, int, bool]], cut: int
) -> None:
    graph = Graph()
    snapshots = []
    for i, (a, b, add) in enumerate(edits):
        if i == cut:
            snapshots.append((graph.mark(), dict(graph.links)))
        graph.set_link((a, b), frozenset({a + b}) if add else None)
    if snapshots:
        mark, links = snapshots[0]
        graph.rollback(mark)
        assert graph.links == links


def test_o4_an_update_that_repeats_the_stored_values_is_the_stored_properties() -> None:
    contacts = next(t for t in BUILTIN_TYPES if t.id == CONTACTS)
    companies = next(t for t in BUILTIN_TYPES if t.id == COMPANIES)
    stored = {"email": "ann@example.com", "firstname": "Ann"}
    assert contacts.validate_update(stored, {"firstname": "Ann"}) is stored
    assert contacts.validate_update(stored, {"firstname": " Bea "}) == {
        **stored,
        "firstname": "Bea",
    }
    assert contacts.validate_update(stored, {"lastname": None}) == {**stored, "lastname": None}
    with pytest.raises(LiaisonError) as refused:
        contacts.validate_update({**stored, "nickname": "A"}, {"nickname": "A"})
    assert refused.value.code is ErrorCode.UNKNOWN_PROPERTY
    with pytest.raises(LiaisonError) as missing:
        companies.validate_update({"name": None}, {"name": None})
    assert missing.value.code is ErrorCode.MISSING_REQUIRED_PROPERTY
