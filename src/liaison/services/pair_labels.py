"""Setting the whole set of labels of one association (HubSpot's labelled PUT), P-rules kept.

`associations.associate(..., replace_labels=True)` removes every type the request did not list,
including the Primary label the engine itself gives a contact's first company (P3): a plain
`PUT contacts/1/associations/companies/2 [279]` would be refused. Here the labels not listed
are removed one by one, and a Primary label that P3 forbids removing (the contact's only
company) stays; any other refusal (P4: a primary with other companies left) refuses the call.
"""

from __future__ import annotations

from collections.abc import Sequence

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.graph import Graph
from liaison.domain.object_types import ObjectType
from liaison.domain.planner import OnConflict
from liaison.services.associations import AssociationView
from liaison.services.database import Database
from liaison.services.unit import Caller, unit_of_work
from liaison.storage.associations import Needs, load_graph


def set_labels(
    database: Database,
    caller: Caller,
    from_type: str,
    from_id: int,
    to_type: str,
    to_id: int,
    type_ids: Sequence[int],
) -> AssociationView:
    """Associate the two records with exactly these types (plus the base type, and a Primary
    that P3 keeps); a new primary replaces the old one (P2). All or nothing, idempotent (A7)."""
    with unit_of_work(database, caller, "associate") as unit:
        schema = unit.schema
        source, target = schema.object_type(from_type), schema.object_type(to_type)
        graph = load_graph(
            unit.conn,
            unit.account_id,
            schema,
            Needs(
                records={from_id, to_id},
                pairs={(from_id, to_id)},
                primary_rules=True,
                holder_links=True,
            ),
        )
        _check_record(graph, source, from_id)
        _check_record(graph, target, to_id)
        planner = unit.planner(graph)
        planner.associate(from_id, to_id, type_ids, on_conflict=OnConflict.REPLACE)
        base = schema.unlabeled_id(source.id, target.id)
        for type_id in sorted(graph.links[(from_id, to_id)] - set(type_ids) - {base}):
            refused = planner.attempt(planner.remove_types, from_id, to_id, [type_id])
            if isinstance(refused, LiaisonError) and not _primary_p3_keeps(refused):
                raise refused
        unit.save(planner)
        types = schema.ordered(graph.links[(from_id, to_id)])
        return AssociationView(source.id, from_id, target.id, to_id, types)


def _check_record(graph: Graph, kind: ObjectType, record_id: int) -> None:
    record = graph.records.get(record_id)
    if record is None or record.type_id != kind.id:
        raise kind.not_found(record_id)


def _primary_p3_keeps(error: LiaisonError) -> bool:
    """The refusal to take the Primary label off a contact's only company (P3), as opposed to
    P4's "name the new primary" (whose context lists the other companies)."""
    return error.code is ErrorCode.PRIMARY_REQUIRED and "companies" not in error.context
