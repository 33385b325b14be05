"""Settings: Activity rules (T2): per record type, a table of activity types by target types,
each cell the rule an activity logged on such a record follows toward that type. Admins only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.activity_rules import Rule
from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import COMPANIES, ObjectType
from liaison.services import activity_rules
from liaison.services.activity_rules import RuleChange, RuleSetting
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import urls
from liaison.web.pages.settings_shared import Notice, chrome_of, form_of
from liaison.web.session import Admin, Db
from liaison.web.templating import Chrome, render

router = APIRouter()
PATH = "/settings/activity-rules"


@dataclass(frozen=True)
class RuleTable:
    """The rules of one record type: rows are activity types, columns target types."""

    record_type: ObjectType
    activity_types: list[ObjectType]
    target_types: list[ObjectType]
    cells: dict[tuple[str, str], RuleSetting]

    def cell(self, activity: ObjectType, target: ObjectType) -> RuleSetting | None:
        return self.cells.get((activity.id, target.id))

    @staticmethod
    def field(setting: RuleSetting) -> str:
        return f"rule:{setting.record_type.id}:{setting.activity_type.id}:{setting.target_type.id}"

    @staticmethod
    def choices(setting: RuleSetting) -> list[Rule]:
        primary = (
            setting.target_type.id == COMPANIES and setting.record_type.can_have_primary_company
        )
        return [r for r in Rule if r is not Rule.PRIMARY_COMPANY or primary]


@dataclass(frozen=True)
class RulesPage:
    chrome: Chrome
    tables: list[RuleTable]
    notice: Notice | None = None
    url: str = urls.settings("activity-rules")


def tables_of(settings: Sequence[RuleSetting]) -> list[RuleTable]:
    by_record: dict[str, list[RuleSetting]] = {}
    for s in settings:
        by_record.setdefault(s.record_type.id, []).append(s)
    tables = []
    for group in by_record.values():
        activities = list({s.activity_type.id: s.activity_type for s in group}.values())
        targets = list({s.target_type.id: s.target_type for s in group}.values())
        cells = {(s.activity_type.id, s.target_type.id): s for s in group}
        tables.append(RuleTable(group[0].record_type, activities, targets, cells))
    return tables


def _page(database: Database, user: User, notice: Notice | None = None) -> RulesPage:
    settings = activity_rules.list_rules(database, user.caller)
    return RulesPage(chrome_of(database, user), tables_of(settings), notice)


@router.get(PATH, response_class=HTMLResponse)
def rules_page(request: Request, database: Db, user: Admin) -> Response:
    return render(request, "activity_rules.html", page=_page(database, user))


@router.post(PATH, response_class=HTMLResponse)
async def save_rules(request: Request, database: Db, user: Admin) -> Response:
    """Save every rule of the form at once; a refused one changes nothing."""
    changes = []
    for name, value in (await form_of(request)).items():
        parts = name.split(":")
        if len(parts) == 4 and parts[0] == "rule":
            changes.append(RuleChange(parts[1], parts[2], parts[3], value))
    try:
        activity_rules.set_rules(database, user.caller, changes)
    except LiaisonError as error:
        page = _page(database, user, Notice(error.message, True))
        return render(request, "activity_rules.html", page=page, status_code=400)
    page = _page(database, user, Notice("Activity rules saved."))
    return render(request, "activity_rules.html", page=page)
