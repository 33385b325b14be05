"""Every job kind and its handler, in one place: a module that adds a kind of job (a retroactive
domain run, an import) lists it here."""

from __future__ import annotations

from liaison.services import bulk_associations, bulk_deletion, domain_run, import_job
from liaison.services.jobs import Handler

KINDS: dict[str, Handler] = {
    **bulk_associations.KINDS,
    **bulk_deletion.KINDS,
    **domain_run.KINDS,
    **import_job.KINDS,
}
