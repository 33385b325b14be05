"""The settings page offers the run of association by domain over existing contacts when the
setting is turned on, and starts it as a job with a progress bar (L4); admins only."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.services import domains, jobs
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.users import User
from tests.helpers import company, contact, types_between
from tests.web.conftest import post_form


def test_l4_turning_the_setting_on_offers_the_run_which_starts_a_job(
    admin: TestClient, db: Database, ada: User
) -> None:
    domains.set_settings(db, ada.caller, enabled=False, create_companies=False, excluded_domains=[])
    acme = company(db, ada.caller, "Acme", domain="acme.com")
    zoe = contact(db, ada.caller, "Zoe", email="zoe@acme.com")
    turned_on = post_form(admin, "/app/settings/domains", enabled="on", excluded_domains="")
    assert "Associate the contacts you already have too?" in turned_on.text
    started = post_form(admin, "/app/settings/domains/run")
    assert "The run over existing contacts started." in started.text
    assert "<progress" in started.text
    job_id = int(re.findall(r'id="job-(\d+)"', started.text)[0])
    Runner(db, JobSettings(chunk_size=50, pause=0)).run_pending()
    assert jobs.get(db, ada.caller, job_id).result["associated"] == 1
    assert types_between(db, ada.caller, zoe.id, acme.id) == {279, 1}
    again = post_form(admin, "/app/settings/domains", enabled="on", excluded_domains="")
    assert "Associate the contacts you already have too?" not in again.text  # on already


def test_l4_the_run_is_for_admins_only(web: TestClient, db: Database, ann: User) -> None:
    refused = post_form(web, "/app/settings/domains/run")
    assert refused.status_code == 403
    assert jobs.recent(db, ann.caller) == []
