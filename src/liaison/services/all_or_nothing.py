"""Associating several records as one change: the first refused input refuses them all and
nothing is written. The web UI's *Add existing* saves with it, so that a refusal in the panel
changes nothing; the API's batches (`services.associations.associate`) keep HubSpot's
per-input behaviour instead (each input all or nothing on its own, a 207 for the rest)."""

from __future__ import annotations

from collections.abc import Sequence

from liaison.domain.errors import LiaisonError
from liaison.domain.planner import OnConflict, Planner
from liaison.services.associations import (
    AssociationInput,
    AssociationView,
    _apply_checked,
    _needs,
    _view,
)
from liaison.services.database import Database
from liaison.services.unit import Caller, unit_of_work
from liaison.storage.associations import load_graph


def associate(
    database: Database,
    caller: Caller,
    inputs: Sequence[AssociationInput],
    *,
    from_type: str,
    to_type: str,
) -> list[AssociationView]:
    """Associate every pair with its types (a Primary type replaces the current primary, P2),
    in one transaction and one operation; raise the first input's refusal, writing nothing."""
    with unit_of_work(database, caller, "associate") as unit:
        schema = unit.schema
        expected = (schema.object_type(from_type).id, schema.object_type(to_type).id)
        graph = load_graph(unit.conn, unit.account_id, schema, _needs(inputs, False))
        planner = unit.planner(graph)
        for item in inputs:
            error = planner.attempt(_apply_checked, planner, item, expected, _apply)
            if isinstance(error, LiaisonError):
                raise error
        unit.save(planner)
        return [_view(schema, graph, i.from_id, i.to_id) for i in inputs]


def _apply(planner: Planner, item: AssociationInput) -> None:
    if item.types:
        planner.associate(item.from_id, item.to_id, item.types, on_conflict=OnConflict.REPLACE)
    else:
        planner.associate_plain(item.from_id, item.to_id)
