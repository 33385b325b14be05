"""Account settings over the API, under /liaison/v1/settings: the activity rules (T2) and the
association by domain (L4).

Activity rules need `crm.schemas.contacts.read` to read and `.write` to change (activities are
in the contacts scope group, as on HubSpot); association by domain needs the same, plus
`crm.schemas.companies.write` to change it (it may create companies).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from liaison.api.deps import Auth, Db
from liaison.domain import scopes
from liaison.domain.email_domains import FREE_MAIL_DOMAINS
from liaison.services import activity_rules, domain_run, domains
from liaison.services.activity_rules import RuleChange, RuleSetting
from liaison.services.domains import DomainSettings

router = APIRouter(tags=["Liaison settings"])

_READ = "crm.schemas.contacts.read"
_WRITE = "crm.schemas.contacts.write"
_COMPANIES_WRITE = "crm.schemas.companies.write"


class Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ActivityRule(Wire):
    record_type: str
    record_type_id: str
    activity_type: str
    activity_type_id: str
    target_type: str
    target_type_id: str
    rule: str
    """none, primary_company, most_recent, five_most_recent or all."""
    default: str


class ActivityRules(Wire):
    results: list[ActivityRule]


class ActivityRuleInput(Wire):
    record_type: str
    """ID (`0-1`), plural or singular name."""
    activity_type: str
    target_type: str
    rule: str


class ActivityRulesInput(Wire):
    inputs: list[ActivityRuleInput]


class DomainAssociation(Wire):
    enabled: bool
    create_companies: bool
    excluded_domains: list[str]
    free_mail_domains: int
    """How many free-mail domains are always left out."""


class DomainAssociationInput(Wire):
    """Fields left out keep their value."""

    enabled: bool | None = None
    create_companies: bool | None = None
    excluded_domains: list[str] | None = None


@router.get("/settings/activity-rules", response_model=ActivityRules)
def get_activity_rules(database: Db, access: Auth) -> ActivityRules:
    """Every (record type, activity type, target type) combination with its rule (T2)."""
    return _rules(activity_rules.list_rules(database, access.need(_READ)))


@router.put("/settings/activity-rules", response_model=ActivityRules)
def put_activity_rules(database: Db, access: Auth, body: ActivityRulesInput) -> ActivityRules:
    """Set the rules of the combinations given, all or nothing; answers every rule."""
    changes = [
        RuleChange(i.record_type, i.activity_type, i.target_type, i.rule) for i in body.inputs
    ]
    return _rules(activity_rules.set_rules(database, access.need(_WRITE), changes))


@router.get("/settings/domain-association", response_model=DomainAssociation)
def get_domain_association(database: Db, access: Auth) -> DomainAssociation:
    """The association-by-domain setting (L4)."""
    return _domain(domains.get_settings(database, access.need(_READ)))


@router.put("/settings/domain-association", response_model=DomainAssociation)
def put_domain_association(
    database: Db, access: Auth, body: DomainAssociationInput
) -> DomainAssociation:
    """Change the association-by-domain setting; each excluded domain must be a domain name."""
    caller = access.need(_WRITE, _COMPANIES_WRITE)
    current = domains.get_settings(database, caller)
    return _domain(
        domains.set_settings(
            database,
            caller,
            enabled=current.enabled if body.enabled is None else body.enabled,
            create_companies=(
                current.create_companies if body.create_companies is None else body.create_companies
            ),
            excluded_domains=(
                current.excluded_domains if body.excluded_domains is None else body.excluded_domains
            ),
        )
    )


class RunStarted(Wire):
    operation_id: str
    """The job's operation: `GET /liaison/v1/operations/{operationId}` shows its progress."""
    kind: str
    state: str
    total: int


@router.post("/settings/domain-association/run", response_model=RunStarted, status_code=202)
def run_domain_association(database: Db, access: Auth) -> RunStarted:
    """Start association by domain over the existing contacts as a job (L4): it never removes
    or replaces an association. Needs the contacts and companies objects write scopes."""
    caller = access.need(
        scopes.objects("contacts", write=True), scopes.objects("companies", write=True)
    )
    job = domain_run.start(database, caller)
    return RunStarted(
        operation_id=str(job.id), kind=job.kind, state=job.state.value, total=job.total
    )


def _rules(settings: list[RuleSetting]) -> ActivityRules:
    return ActivityRules(
        results=[
            ActivityRule(
                record_type=s.record_type.name,
                record_type_id=s.record_type.id,
                activity_type=s.activity_type.name,
                activity_type_id=s.activity_type.id,
                target_type=s.target_type.name,
                target_type_id=s.target_type.id,
                rule=s.rule.value,
                default=s.default.value,
            )
            for s in settings
        ]
    )


def _domain(settings: DomainSettings) -> DomainAssociation:
    return DomainAssociation(
        enabled=settings.enabled,
        create_companies=settings.create_companies,
        excluded_domains=list(settings.excluded_domains),
        free_mail_domains=len(FREE_MAIL_DOMAINS),
    )
