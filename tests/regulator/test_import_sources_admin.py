"""定时导入 in the admin and the API: sources with their mapping checked, run now, the runs' per-row report."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from core.models import UserRole
from regulator.lists.import_sources import ImportRun, ImportSource
from regulator.lists.models import Listing
from tests.admin.fixtures_rawcodes import code_list, raw_codes, visible_text
from tests.regulator.test_scheduled_imports import (
    AUTHORITY,
    DEFAULTS,
    MAPPING,
    csv_bytes,
    drop,
    drop_root,  # noqa: F401 (a fixture)
    record,
    source_,
)
from tests.regulator.test_scheduled_imports import code_list as credit_codes  # noqa: F401 (a fixture)
from tests.support import api_client, page_client
from tests.support.factories import UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]


@pytest.fixture
def staff(db):
    return UserFactory(username="regulator_staff", role=UserRole.REGULATOR, is_staff=True)


@pytest.fixture
def admin(staff):
    return page_client(staff)


def _form(**overrides) -> dict:
    return {"name": "法院失信被执行人", "source_authority": AUTHORITY, "kind": "drop_dir", "location": "court",
            "format": "csv", "encoding": "", "column_mapping": json.dumps(MAPPING, ensure_ascii=False),
            "defaults": json.dumps(DEFAULTS, ensure_ascii=False), "mode": "snapshot", "interval_minutes": "60",
            "enabled": "on", "runs-TOTAL_FORMS": "0", "runs-INITIAL_FORMS": "0", "runs-MIN_NUM_FORMS": "0",
            "runs-MAX_NUM_FORMS": "0", **overrides}


# ------------------------------------------------------------------ admin


def test_the_admin_saves_a_source_with_a_valid_mapping(admin, staff):
    response = admin.post(reverse("admin:regulator_importsource_add"), _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    source = ImportSource.objects.get()
    assert source.column_mapping == MAPPING and source.created_by == staff and source.mode == "snapshot"


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"column_mapping": json.dumps({**MAPPING, "fax": "传真"})}, "column_mapping", "fax"),
    ({"column_mapping": json.dumps({k: v for k, v in MAPPING.items() if k != "reason"})}, "column_mapping", "reason"),
    ({"defaults": json.dumps({"list_type": "grey", "legal_basis": "x"})}, "defaults", "list_type"),
    ({"column_mapping": "{not json"}, "column_mapping", ""),
    ({"kind": "url", "location": "file:///etc/passwd"}, "location", "http"),
    ({"location": "../../etc"}, "location", ".."),
])
def test_the_admin_refuses_a_wrong_mapping_or_location_naming_it(admin, overrides, field, words):
    response = admin.post(reverse("admin:regulator_importsource_add"), _form(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and words in " ".join(errors[field])
    assert not ImportSource.objects.exists()


def test_run_now_in_the_admin_imports_and_the_run_page_reports_each_row(
        admin, drop_root, credit_codes, django_capture_on_commit_callbacks):  # noqa: F811
    source = source_(mode="snapshot")
    drop(drop_root, "court_list.csv", csv_bytes([record(credit_codes[0], "（2026）晋08执01"),
                                        record(credit_codes[1], "（2026）晋08执02")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("admin:regulator_importsource_changelist"),
                              {"action": "run_now", "_selected_action": [source.pk]}, follow=True)
    assert response.status_code == 200
    assert any("立即运行" in str(message) for message in response.context["messages"])
    run = ImportRun.objects.get()
    assert run.state == "done" and run.trigger == "manual" and run.new_count == 2
    assert run.requested_by.username == "regulator_staff"
    assert Listing.objects.filter(source_authority=AUTHORITY).count() == 2

    page = admin.get(reverse("admin:regulator_importrun_change", args=[run.pk]))
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "逐行报告" in text and "新增" in text and "（2026）晋08执01" in text and "已完成" in text
    assert "北京时间" in text
    assert raw_codes(text, code_list()) == []
    listing_page = admin.get(reverse("admin:regulator_importsource_change", args=[source.pk]))
    assert listing_page.status_code == 200 and "立即运行" in listing_page.content.decode()
    assert raw_codes(visible_text(listing_page.content.decode()), code_list()) == []
    for url in (reverse("admin:regulator_importsource_changelist"), reverse("admin:regulator_importrun_changelist"),
                reverse("admin:regulator_importsource_add")):
        answer = admin.get(url)
        assert answer.status_code == 200 and raw_codes(visible_text(answer.content.decode()), code_list()) == []


def test_a_refused_run_shows_its_reasons_in_the_admin(admin, drop_root, credit_codes):  # noqa: F811
    from regulator.lists import import_source_services as services

    source = source_()
    drop(drop_root, "bad.csv", csv_bytes([record("91140802MA0XXXXXXX", "（2026）晋08执09")]))
    run = services.import_source_run(source=source)
    page = admin.get(reverse("admin:regulator_importrun_change", args=[run.pk]))
    text = visible_text(page.content.decode())
    assert "被拒" in text and "统一社会信用代码（文件列「统一社会信用代码」）" in text and "整份文件未导入" in text


def test_only_regulators_reach_the_import_source_admin(db):
    inspector = UserFactory(username="staff_inspector", role=UserRole.INSPECTOR, is_staff=True)
    response = page_client(inspector).get(reverse("admin:regulator_importsource_changelist"))
    assert response.status_code in (302, 403)


# ------------------------------------------------------------------ API


def test_regulators_create_and_list_sources_through_the_api(regulator_client):
    body = {"name": "省外名单", "source_authority": "陕西省文化和旅游厅", "kind": "url",
            "location": "https://credit.example.gov.cn/lists/black.json", "format": "json",
            "column_mapping": MAPPING, "defaults": DEFAULTS, "mode": "delta", "interval_minutes": 1440}
    created = regulator_client.post("/api/v1/import-sources/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["column_mapping"] == MAPPING and created.json()["last_run_at"] is None
    listed = regulator_client.get("/api/v1/import-sources/")
    assert listed.status_code == 200 and [item["name"] for item in listed.json()["results"]] == ["省外名单"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"column_mapping": {**MAPPING, "fax": "传真"}}, "column_mapping"),
    ({"column_mapping": {k: v for k, v in MAPPING.items() if k != "source_reference"}}, "column_mapping"),
    ({"column_mapping": ["name"]}, "column_mapping"),
    ({"location": "file:///etc/passwd"}, "location"),
    ({"kind": "ftp"}, "kind"),
    ({"format": "xml"}, "format"),
    ({"mode": "mirror"}, "mode"),
    ({"interval_minutes": 0}, "interval_minutes"),
])
def test_a_bad_source_is_a_400_naming_the_field(regulator_client, overrides, field):
    body = {"name": "省外名单", "source_authority": "陕西省文化和旅游厅", "kind": "url",
            "location": "https://credit.example.gov.cn/black.json", "format": "json", "column_mapping": MAPPING,
            "defaults": DEFAULTS, "mode": "delta", "interval_minutes": 60, **overrides}
    response = regulator_client.post("/api/v1/import-sources/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json(), ensure_ascii=False)
    assert not ImportSource.objects.exists()


def test_run_answers_202_and_runs_lists_the_report(regulator_client, drop_root, credit_codes,  # noqa: F811
                                                   django_capture_on_commit_callbacks):
    source = source_()
    drop(drop_root, "1.csv", csv_bytes([record(credit_codes[0], "（2026）晋08执01")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = regulator_client.post(f"/api/v1/import-sources/{source.pk}/run/")
    assert response.status_code == 202, response.content
    run_id = response.json()["run"]["id"]
    assert response.json()["run"]["state"] == "queued"
    runs = regulator_client.get(f"/api/v1/import-sources/{source.pk}/runs/")
    assert runs.status_code == 200
    first = runs.json()["results"][0]
    assert first["id"] == run_id and first["state"] == "done" and first["new_count"] == 1
    assert first["report"][0]["outcome"] == "new" and first["report"][0]["reference"] == "（2026）晋08执01"


def test_a_second_run_request_while_one_is_queued_returns_the_same_run(regulator_client):
    source = source_()
    first = regulator_client.post(f"/api/v1/import-sources/{source.pk}/run/").json()["run"]["id"]
    second = regulator_client.post(f"/api/v1/import-sources/{source.pk}/run/")
    assert second.status_code == 202 and second.json()["run"]["id"] == first
    assert ImportRun.objects.count() == 1


def test_others_are_refused_and_unknown_sources_are_not_found(regulator_client, inspector_client, anon_client):
    source = source_()
    assert inspector_client.get("/api/v1/import-sources/").status_code == 403
    assert inspector_client.post(f"/api/v1/import-sources/{source.pk}/run/").status_code == 403
    assert anon_client.get(f"/api/v1/import-sources/{source.pk}/runs/").status_code in (401, 403)
    missing = regulator_client.post("/api/v1/import-sources/99999/run/")
    assert missing.status_code == 404 and "detail" in missing.json()
    assert not ImportRun.objects.exists()


def test_the_runs_list_makes_a_fixed_number_of_queries(regulator_client, django_assert_max_num_queries):
    source = source_()
    for _ in range(5):
        ImportRun.objects.create(source=source, state="no_file")
    with django_assert_max_num_queries(12):
        response = regulator_client.get(f"/api/v1/import-sources/{source.pk}/runs/")
    assert response.status_code == 200 and response.json()["count"] == 5


def test_api_client_helper_is_the_one_the_suite_uses(regulator):
    assert api_client(regulator).get("/api/v1/import-sources/").status_code == 200
