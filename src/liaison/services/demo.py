"""Demo data: a small, realistic account built through the services only.

It holds the three situations of the product description: a deal with three contacts and
their company; a ticket with two contacts and the deal they are in; a contact who works at one
company (primary) and advises another (labelled Advisor). Loading is idempotent: an account
that already has records is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from liaison.domain.association_types import Kind
from liaison.domain.history import Actor, ActorKind
from liaison.services import associations, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.records import NewAssociation, NewRecord
from liaison.services.unit import Caller, reading
from liaison.storage import records as records_store
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID

DEMO_ACTOR = Actor(ActorKind.IMPORT, "demo", "Demo data")
"""Demo data is recorded in history as an import (source IMPORT) by "Demo data"."""


def demo_caller(account_id: int = DEFAULT_ACCOUNT_ID) -> Caller:
    return Caller(account_id, DEMO_ACTOR)


# -- the data --------------------------------------------------------------------------------
# (key, name, domain, industry, city)
COMPANIES = (
    ("northwind", "Northwind Traders", "northwind.example", "Wholesale", "Seattle"),
    ("northwind_labs", "Northwind Labs", "labs.northwind.example", "Research", "Seattle"),
    ("fjordline", "Fjordline Software", "fjordline.example", "Software", "Oslo"),
    ("bluebird", "Bluebird Analytics", "bluebird-analytics.example", "Software", "Boston"),
    ("granite", "Granite Health", "granitehealth.example", "Healthcare", "Denver"),
    ("harbor", "Harbor Logistics", "harborlogistics.example", "Logistics", "Rotterdam"),
    ("lumen", "Lumen Energy", "lumenenergy.example", "Energy", "Austin"),
    ("maple", "Maple & Birch Legal", "maplebirch.example", "Legal services", "Toronto"),
    ("orchid", "Orchid Hotels", "orchidhotels.example", "Hospitality", "Lisbon"),
    ("pinecrest", "Pinecrest University", "pinecrest.example", "Education", "Portland"),
)

# employer key -> (first name, last name, job title); the employer becomes the primary company
CONTACTS = {
    "northwind": (
        ("Maria", "Anders", "Sales Director"),
        ("Thomas", "Hardy", "Account Executive"),
        ("Hanna", "Moos", "Account Executive"),
        ("Carlos", "Diaz", "Procurement Manager"),
        ("Yoshi", "Tannamuri", "Logistics Coordinator"),
    ),
    "northwind_labs": (
        ("Viktor", "Lindqvist", "Research Lead"),
        ("Mei", "Tanaka", "Lab Engineer"),
    ),
    "fjordline": (
        ("Lars", "Eriksen", "CEO"),
        ("Ingrid", "Solberg", "CTO"),
        ("Sofie", "Berg", "Engineering Manager"),
        ("Jonas", "Lie", "Software Engineer"),
        ("Amina", "Haddad", "Product Designer"),
    ),
    "bluebird": (
        ("Priya", "Raman", "VP Data"),
        ("Daniel", "Okafor", "Data Engineer"),
        ("Emily", "Chen", "Analytics Lead"),
        ("Marcus", "Webb", "Head of Procurement"),
    ),
    "granite": (
        ("Rachel", "Kim", "Operations Director"),
        ("Laura", "Bianchi", "Finance Manager"),
        ("Tomás", "Rivera", "Head of Billing"),
        ("Samuel", "Osei", "IT Manager"),
        ("Grace", "Müller", "Nurse Manager"),
    ),
    "harbor": (
        ("Pieter", "de Vries", "COO"),
        ("Anouk", "Jansen", "Fleet Manager"),
        ("Ravi", "Patel", "IT Lead"),
        ("Sanne", "Bakker", "Customs Specialist"),
    ),
    "lumen": (
        ("Diego", "Alvarez", "CEO"),
        ("Olivia", "Brooks", "Head of Sales"),
        ("Kwame", "Mensah", "Plant Engineer"),
        ("Julia", "Novak", "Sustainability Lead"),
    ),
    "maple": (
        ("Catherine", "Moreau", "Managing Partner"),
        ("Ethan", "Walsh", "Associate"),
        ("Fatima", "Zahra", "Paralegal"),
        ("Noah", "Tremblay", "IT Manager"),
    ),
    "orchid": (
        ("Beatriz", "Costa", "General Manager"),
        ("Miguel", "Santos", "Revenue Manager"),
        ("Leonor", "Alves", "Guest Experience Lead"),
        ("Rui", "Ferreira", "IT Director"),
    ),
    "pinecrest": (
        ("Helen", "Park", "Dean of Engineering"),
        ("Owen", "Gallagher", "Research Administrator"),
        ("Zoe", "Adams", "Procurement Officer"),
    ),
}

# contact first name -> the other company they advise (label "Advisor", not primary)
ADVISORS = {"Ingrid": "lumen", "Helen": "bluebird", "Catherine": "orchid", "Lars": "harbor"}
# (manager, employee) by first name: paired label Manager / Employee
MANAGERS = (
    ("Maria", "Thomas"),
    ("Maria", "Hanna"),
    ("Lars", "Ingrid"),
    ("Ingrid", "Sofie"),
    ("Sofie", "Jonas"),
    ("Priya", "Daniel"),
    ("Priya", "Emily"),
    ("Rachel", "Laura"),
)
COLLEAGUES = (("Daniel", "Emily"), ("Laura", "Tomás"))

# fmt: off
# (name, amount, stage, close in days, primary company, contacts)
DEALS = (
    ("Bluebird Analytics - platform rollout", 48000, "presentationscheduled", 30, "bluebird",
     ("Priya", "Daniel", "Emily")),
    ("Granite Health - scheduling suite", 36500, "contractsent", 14, "granite",
     ("Rachel", "Laura", "Tomás")),
    ("Northwind - warehouse sync", 22000, "qualifiedtobuy", 45, "northwind", ("Maria", "Carlos")),
    ("Harbor Logistics - fleet tracking", 61000, "decisionmakerboughtin", 21, "harbor",
     ("Pieter", "Anouk", "Ravi")),
    ("Lumen Energy - grid dashboard", 75000, "appointmentscheduled", 60, "lumen",
     ("Diego", "Olivia", "Ingrid")),
    ("Orchid Hotels - booking integration", 18500, "closedwon", -10, "orchid",
     ("Beatriz", "Miguel")),
    ("Pinecrest - research licences", 12000, "closedlost", -25, "pinecrest", ("Zoe", "Owen")),
    ("Fjordline - partner programme", 9000, "qualifiedtobuy", 40, "fjordline", ("Lars",)),
)

# (subject, description, priority, status, contacts, deal name prefix or None, company)
TICKETS = (
    ("Invoice charged twice", "The March invoice was charged twice to the same card.", "HIGH",
     "1", ("Laura", "Tomás"), "Granite Health", "granite"),
    ("Export to CSV times out", "Exports of more than 50,000 rows stop after 30 seconds.",
     "MEDIUM", "2", ("Daniel",), "Bluebird Analytics", "bluebird"),
    ("Cannot add new drivers", "The driver form rejects Dutch licence numbers.", "HIGH", "3",
     ("Anouk",), "Harbor Logistics", "harbor"),
    ("Password reset emails not arriving", "Reset emails go to spam for the whole firm.", "LOW",
     "4", ("Noah",), None, "maple"),
    ("Room availability out of sync", "The channel manager shows rooms that are sold out.",
     "MEDIUM", "1", ("Rui", "Miguel"), "Orchid Hotels", "orchid"),
)

# (body, days ago, contacts, companies, deal name prefixes, ticket subjects)
NOTES = (
    ("Kick-off call: Priya, Daniel and Emily want the rollout live before the summer.", 3,
     ("Priya", "Daniel", "Emily"), ("bluebird",), ("Bluebird Analytics",), ()),
    ("Laura confirmed the double charge; finance approved the refund.", 1, ("Laura",),
     ("granite",), (), ("Invoice charged twice",)),
    ("Ingrid advises Lumen Energy on their data platform: a warm intro for the grid dashboard.",
     6, ("Ingrid",), ("lumen",), ("Lumen Energy",), ()),
    ("Maria asked for a volume discount above 500 seats.", 9, ("Maria",), ("northwind",),
     ("Northwind",), ()),
    ("Lost to an in-house solution; revisit next academic year.", 20, ("Zoe",), ("pinecrest",),
     ("Pinecrest",), ()),
)
# fmt: on


@dataclass(frozen=True)
class DemoSummary:
    records: dict[str, int]
    """How many records of each object type (plural name) were created."""
    associations: int
    """How many associations were made."""


@dataclass
class _Ids:
    companies: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    deals: dict[str, int] = field(default_factory=dict)
    tickets: dict[str, int] = field(default_factory=dict)
    associations: int = 0


# -- loading ---------------------------------------------------------------------------------
def load_demo(database: Database, caller: Caller | None = None) -> DemoSummary | None:
    """Fill the caller's account with the demo data; None (and no change) if it has records."""
    caller = caller or demo_caller()
    if has_records(database, caller):
        return None
    ids = _Ids()
    _companies(database, caller, ids)
    _contacts(database, caller, ids)
    _people_links(database, caller, ids)
    _deals(database, caller, ids)
    _tickets(database, caller, ids)
    notes = _notes(database, caller, ids)
    counts = {
        "companies": len(ids.companies),
        "contacts": len(ids.contacts),
        "deals": len(ids.deals),
        "tickets": len(ids.tickets),
        "notes": notes,
    }
    return DemoSummary(counts, ids.associations)


def has_records(database: Database, caller: Caller) -> bool:
    """Whether the account has any record, deleted ones included."""
    with reading(database, caller) as unit:
        return records_store.any_in_account(unit.conn, unit.account_id)


def _companies(database: Database, caller: Caller, ids: _Ids) -> None:
    inputs = [
        NewRecord({"name": name, "domain": domain, "industry": industry, "city": city})
        for _, name, domain, industry, city in COMPANIES
    ]
    created = records.create_many(database, caller, "companies", inputs)
    ids.companies = {c[0]: r.id for c, r in zip(COMPANIES, created, strict=True)}


def _contacts(database: Database, caller: Caller, ids: _Ids) -> None:
    """Each contact is created with its employer, which becomes its primary company (P3)."""
    domains = {key: domain for key, _, domain, _, _ in COMPANIES}
    people = [(key, person) for key, staff in CONTACTS.items() for person in staff]
    inputs = [
        NewRecord(
            {
                "firstname": first,
                "lastname": last,
                "jobtitle": title,
                "email": f"{_ascii(first)}.{_ascii(last)}@{domains[key]}",
                "phone": f"+1 555 01{index:02d}",
            },
            [NewAssociation(ids.companies[key])],
        )
        for index, (key, (first, last, title)) in enumerate(people)
    ]
    created = records.create_many(database, caller, "contacts", inputs)
    ids.contacts = {p[1][0]: r.id for p, r in zip(people, created, strict=True)}
    ids.associations += len(inputs)


def _people_links(database: Database, caller: Caller, ids: _Ids) -> None:
    """Advisors at a second company, managers and colleagues, a parent company."""
    advisor = _new_label(database, caller, "contacts", "companies", "Advisor")
    manager = _new_label(database, caller, "contacts", "contacts", "Manager", "Employee")
    colleague = _new_label(database, caller, "contacts", "contacts", "Colleague")
    child = _label_id(database, caller, "companies", "companies", "Child company")
    person, company = ids.contacts, ids.companies
    inputs = [AssociationInput(person[p], company[c], (advisor,)) for p, c in ADVISORS.items()]
    # The row from the employee to the manager carries Manager: "this is my manager" (A4).
    inputs += [AssociationInput(person[e], person[m], (manager,)) for m, e in MANAGERS]
    inputs += [AssociationInput(person[a], person[b], (colleague,)) for a, b in COLLEAGUES]
    inputs.append(AssociationInput(company["northwind"], company["northwind_labs"], (child,)))
    inputs.append(AssociationInput(person["Viktor"], company["northwind"]))
    associations.associate(database, caller, inputs).check()
    ids.associations += len(inputs)


def _deals(database: Database, caller: Caller, ids: _Ids) -> None:
    """Deals with their contacts and a primary company (P5: chosen, never automatic)."""
    primary = _label_id(database, caller, "deals", "companies", "Primary")
    inputs = [
        NewRecord(
            {"dealname": name, "amount": amount, "dealstage": stage, "closedate": _days(days)},
            [
                NewAssociation(ids.companies[company], (primary,)),
                *(NewAssociation(ids.contacts[p]) for p in people),
            ],
        )
        for name, amount, stage, days, company, people in DEALS
    ]
    created = records.create_many(database, caller, "deals", inputs)
    ids.deals = {d[0]: r.id for d, r in zip(DEALS, created, strict=True)}
    ids.associations += sum(len(i.associations) for i in inputs)


def _tickets(database: Database, caller: Caller, ids: _Ids) -> None:
    primary = _label_id(database, caller, "tickets", "companies", "Primary")
    inputs = []
    for subject, content, priority, stage, people, deal, company in TICKETS:
        links = [NewAssociation(ids.companies[company], (primary,))]
        links += [NewAssociation(ids.contacts[p]) for p in people]
        links += [NewAssociation(_deal(ids, deal))] if deal else []
        properties = {
            "subject": subject,
            "content": content,
            "hs_ticket_priority": priority,
            "hs_pipeline_stage": stage,
        }
        inputs.append(NewRecord(properties, links))
    created = records.create_many(database, caller, "tickets", inputs)
    ids.tickets = {t[0]: r.id for t, r in zip(TICKETS, created, strict=True)}
    ids.associations += sum(len(i.associations) for i in inputs)


def _notes(database: Database, caller: Caller, ids: _Ids) -> int:
    inputs = []
    for body, days_ago, people, companies, deals, tickets in NOTES:
        targets = [ids.contacts[p] for p in people] + [ids.companies[c] for c in companies]
        targets += [_deal(ids, d) for d in deals] + [ids.tickets[t] for t in tickets]
        properties = {"hs_note_body": body, "hs_timestamp": _days(-days_ago)}
        inputs.append(NewRecord(properties, [NewAssociation(t) for t in targets]))
    records.create_many(database, caller, "notes", inputs)
    ids.associations += sum(len(i.associations) for i in inputs)
    return len(inputs)


# -- helpers ---------------------------------------------------------------------------------
def _new_label(
    database: Database,
    caller: Caller,
    from_type: str,
    to_type: str,
    label: str,
    inverse_label: str | None = None,
) -> int:
    """Create a label and return its type ID in the from -> to direction."""
    created = labels.create_label(
        database, caller, from_type, to_type, label=label, inverse_label=inverse_label
    )
    return next(t.id for t in created if t.label == label)


def _label_id(database: Database, caller: Caller, from_type: str, to_type: str, label: str) -> int:
    for assoc_type in labels.list_types(database, caller, from_type, to_type):
        if assoc_type.kind is not Kind.UNLABELED and assoc_type.label == label:
            return assoc_type.id
    raise LookupError(f"no label {label!r} from {from_type} to {to_type}")


def _deal(ids: _Ids, prefix: str) -> int:
    return next(i for name, i in ids.deals.items() if name.startswith(prefix))


def _days(offset: int) -> str:
    """A date and time `offset` days from today, at 10:00 UTC."""
    day = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    return (day + timedelta(days=offset)).isoformat()


def _ascii(name: str) -> str:
    return name.lower().replace(" ", "").translate(str.maketrans("áéíóúüøå", "aeiouuoa"))
