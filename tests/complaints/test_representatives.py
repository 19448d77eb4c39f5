"""代表人: optional; 4 or more complainants may elect 1 to 3 (旅游投诉处理办法, cited from the catalogue)."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import Complaint
from tests.support import today

pytestmark = pytest.mark.django_db


def file(client, entity, **fields):
    body = {"entity": entity.pk, "category": "contract", "description": "团队行程缩水",
            "incident_date": str(today() - datetime.timedelta(days=3)), **fields}
    return client.post("/api/v1/complaints/", body, format="json")


@pytest.mark.parametrize("count", [1, 3, 4, 40])
def test_no_representatives_are_needed_whatever_the_number(count, anon_client, entity_a):
    assert file(anon_client, entity_a, complainant_count=count).status_code == 201


@pytest.mark.parametrize(("names", "status"), [
    ("张三", 201), ("张三、李四", 201), ("张三、李四、王五", 201),  # 1 to 3
    ("张三、李四、王五、赵六", 400),  # 4 is one too many
], ids=["1", "2", "3", "4"])
def test_four_complainants_may_elect_one_to_three(names, status, anon_client, entity_a):
    response = file(anon_client, entity_a, complainant_count=4, representatives=names)
    assert response.status_code == status, response.content
    if status == 400:
        assert "representatives" in response.json() and not Complaint.objects.exists()


def test_three_complainants_elect_no_representative(anon_client, entity_a):
    response = file(anon_client, entity_a, complainant_count=3, representatives="张三")
    assert response.status_code == 400 and "representatives" in response.json()


def test_representatives_are_stored_as_a_list_and_the_regulator_reads_both_shapes(anon_client, regulator_client,
                                                                                  entity_a):
    filed = file(anon_client, entity_a, complainant_count=6, representatives="张三，李四; 王五").json()
    complaint = Complaint.objects.get(pk=filed["id"])
    assert complaint.representatives == ["张三", "李四", "王五"]
    body = regulator_client.get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert body["representatives"] == "张三、李四、王五"
    assert body["representative_names"] == ["张三", "李四", "王五"]


def test_a_list_may_be_given_and_four_in_it_are_refused(anon_client, entity_a):
    assert file(anon_client, entity_a, complainant_count=5, representative_names=["张三", "李四"]).status_code == 201
    response = file(anon_client, entity_a, complainant_count=5, representative_names=["甲", "乙", "丙", "丁"])
    assert response.status_code == 400 and "representatives" in response.json()


def test_the_two_shapes_must_agree(anon_client, entity_a):
    response = file(anon_client, entity_a, complainant_count=5, representatives="张三",
                    representative_names=["李四"])
    assert response.status_code == 400 and "representatives" in response.json()


@pytest.mark.parametrize("who", ["inspector", "business_a"])
def test_nobody_but_the_regulator_sees_the_representatives(who, request, anon_client, entity_a):
    from tests.support import api_client

    filed = file(anon_client, entity_a, complainant_count=5, representatives="张三、李四").json()
    body = api_client(request.getfixturevalue(who)).get(f"/api/v1/complaints/{filed['id']}/").json()
    assert "representatives" not in body and "representative_names" not in body and "张三" not in repr(body)
