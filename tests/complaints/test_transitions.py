"""投诉流转: every move in complaints.transitions.TRANSITIONS works through the API, every other one is 409."""

from __future__ import annotations

import pytest

from complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from complaints.transitions import ACTIONS, TRANSITIONS
from tests.support import api_client, complaint_in

from .conftest import S, complaint_state

pytestmark = pytest.mark.django_db

ALL_STATES = list(ComplaintStatus.values)
# Everything an action could need, so a refusal can only come from the state.
FULL_BODY = {"reason": "理由充分", "outcome": "substantiated", "department": "运城市市场监督管理局"}
ILLEGAL_PAIRS = [(state, action) for state in ALL_STATES for action in ACTIONS if (state, action) not in TRANSITIONS]


def snapshot(complaint: Complaint) -> tuple[dict, int]:
    return Complaint.objects.values().get(pk=complaint.pk), ComplaintEvent.objects.filter(complaint=complaint).count()


def url(complaint: Complaint, action: str) -> str:
    return f"/api/v1/complaints/{complaint.pk}/{action}/"


def test_the_table_covers_every_action_the_api_exposes():
    assert set(ACTIONS) == {"accept", "reject", "transfer", "start_investigation", "resolve", "close", "withdraw",
                            "override_late_filing"}
    assert len(ILLEGAL_PAIRS) == len(ALL_STATES) * len(ACTIONS) - len(TRANSITIONS)


@pytest.mark.parametrize(("state", "action"), sorted(TRANSITIONS), ids=lambda v: str(v))
def test_every_legal_transition_answers_200_and_writes_an_event(state, action, entity_a, regulator,
                                                               regulator_client):
    complaint = complaint_state(state, entity=entity_a, late=action == "override_late_filing")
    _, events_before = snapshot(complaint)

    response = regulator_client.post(url(complaint, action), FULL_BODY, format="json")

    assert response.status_code == 200, response.content
    target = TRANSITIONS[(state, action)].target
    assert response.json()["status"] == target
    complaint.refresh_from_db()
    assert complaint.status == target
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events_before + 1
    event = ComplaintEvent.objects.filter(complaint=complaint).latest("id")
    assert (event.action, event.from_status, event.to_status) == (action, state, target)
    assert event.actor == regulator
    assert event.actor_name == "regulator"


@pytest.mark.parametrize(("state", "action"), ILLEGAL_PAIRS, ids=lambda v: str(v))
def test_every_transition_not_in_the_table_is_409_and_changes_nothing(state, action, entity_a,
                                                                      regulator_client):
    complaint = complaint_state(state, entity=entity_a, late=state == S.REJECTED)
    before = snapshot(complaint)

    response = regulator_client.post(url(complaint, action), FULL_BODY, format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "illegal_transition"
    assert snapshot(complaint) == before  # status, updated_at, every field and the event count


def test_accept_sets_the_next_deadlines_on_the_complaint(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    body = regulator_client.post(url(complaint, "accept"), {}, format="json").json()
    assert body["accepted_on"] is not None
    for field in ("notify_due", "resolve_due"):
        assert body[field] is not None and body[field] > body["accepted_on"]
    # the business is not assumed notified: its 10 days run from the delivery of its notice
    assert body["business_notified_on"] is None and body["reply_due"] is None


def test_reject_without_reason_is_400_naming_reason_and_changes_nothing(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    before = snapshot(complaint)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = regulator_client.post(url(complaint, "reject"), body, format="json")
        assert response.status_code == 400, response.content
        assert "reason" in response.json()
    assert snapshot(complaint) == before


def test_reject_with_reason_records_the_reason(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = regulator_client.post(url(complaint, "reject"), {"reason": "已向法院起诉"}, format="json")
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "已向法院起诉"
    assert ComplaintEvent.objects.filter(complaint=complaint).latest("id").reason == "已向法院起诉"


def test_resolve_without_outcome_is_400_naming_outcome_and_changes_nothing(complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    before = snapshot(complaint)
    response = regulator_client.post(url(complaint, "resolve"), {"reason": "双方和解"}, format="json")
    assert response.status_code == 400, response.content
    assert "outcome" in response.json()
    assert snapshot(complaint) == before


def test_resolve_with_an_unknown_outcome_is_400_naming_outcome(complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    before = snapshot(complaint)
    response = regulator_client.post(url(complaint, "resolve"), {"outcome": "won", "reason": "x"}, format="json")
    assert response.status_code == 400
    assert "outcome" in response.json()
    assert snapshot(complaint) == before


def test_resolve_without_reason_is_400_naming_reason(complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    response = regulator_client.post(url(complaint, "resolve"), {"outcome": "mediated"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Complaint.objects.get(pk=complaint.pk).status == S.INVESTIGATING


def test_resolve_records_outcome_and_resolution(complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    response = regulator_client.post(url(complaint, "resolve"), {"outcome": "unsubstantiated", "reason": "证据不足"},
                                     format="json")
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert (complaint.outcome, complaint.resolution) == ("unsubstantiated", "证据不足")
    assert complaint.resolved_on is not None


# --- who may act -------------------------------------------------------------------------------


def test_inspector_in_scope_may_handle_a_complaint(complaint_factory, inspector, inspector_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = inspector_client.post(url(complaint, "accept"), {}, format="json")
    assert response.status_code == 200
    assert ComplaintEvent.objects.filter(complaint=complaint).latest("id").actor == inspector


@pytest.mark.parametrize("action", ["accept", "reject", "transfer", "start_investigation", "resolve", "close",
                                    "withdraw", "override_late_filing", "business_notice", "mediation", "link"])
def test_business_cannot_act_on_a_complaint_against_itself(action, complaint_factory, business_a):
    state = {"accept": S.SUBMITTED, "reject": S.SUBMITTED, "transfer": S.SUBMITTED, "start_investigation": S.ACCEPTED,
             "resolve": S.INVESTIGATING, "close": S.RESOLVED, "withdraw": S.SUBMITTED,
             "override_late_filing": S.REJECTED, "business_notice": S.ACCEPTED, "mediation": S.INVESTIGATING,
             "link": S.SUBMITTED}[action]
    complaint = complaint_factory(state, late=state == S.REJECTED)
    before = snapshot(complaint)
    response = api_client(business_a).post(url(complaint, action), FULL_BODY, format="json")
    assert response.status_code == 403
    assert snapshot(complaint) == before


def test_other_business_cannot_act_on_someone_elses_complaint(complaint_factory, business_b):
    complaint = complaint_factory(S.SUBMITTED)
    before = snapshot(complaint)
    response = api_client(business_b).post(url(complaint, "accept"), {}, format="json")
    assert response.status_code in (403, 404)  # refused by role before the object is even looked up
    assert snapshot(complaint) == before


def test_inspector_out_of_region_cannot_act(complaint_factory, inspector_taiyuan):
    complaint = complaint_factory(S.SUBMITTED)
    before = snapshot(complaint)
    response = api_client(inspector_taiyuan).post(url(complaint, "accept"), {}, format="json")
    assert response.status_code in (403, 404)
    assert snapshot(complaint) == before


def test_inspector_out_of_sector_cannot_act(entity_wellness, inspector_client):
    complaint = complaint_in(S.SUBMITTED, entity=entity_wellness)
    before = snapshot(complaint)
    response = inspector_client.post(url(complaint, "reject"), {"reason": "x"}, format="json")
    assert response.status_code in (403, 404)
    assert snapshot(complaint) == before


def test_inspector_cannot_withdraw_on_the_complainants_behalf(complaint_factory, inspector_client):
    complaint = complaint_factory(S.SUBMITTED)
    before = snapshot(complaint)
    assert inspector_client.post(url(complaint, "withdraw"), {}, format="json").status_code == 403
    assert snapshot(complaint) == before


def test_anonymous_cannot_act_through_the_staff_endpoints(complaint_factory, anon_client):
    complaint = complaint_factory(S.SUBMITTED)
    before = snapshot(complaint)
    assert anon_client.post(url(complaint, "accept"), {}, format="json").status_code == 401
    assert snapshot(complaint) == before


@pytest.mark.parametrize("state", [S.SUBMITTED, S.ACCEPTED, S.INVESTIGATING])
def test_public_may_withdraw_an_open_complaint_with_its_tracking_code(state, complaint_factory, anon_client):
    complaint = complaint_factory(state)
    response = anon_client.post(f"/api/v1/complaints/track/{complaint.tracking_code}/withdraw/",
                                {"reason": "已与商家协商解决"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.WITHDRAWN
    complaint.refresh_from_db()
    assert complaint.status == S.WITHDRAWN
    event = ComplaintEvent.objects.filter(complaint=complaint).latest("id")
    assert (event.action, event.from_status, event.actor) == ("withdraw", state, None)
    assert event.reason == "已与商家协商解决"


@pytest.mark.parametrize("state", [S.REJECTED, S.RESOLVED, S.CLOSED, S.WITHDRAWN, S.TRANSFERRED])
def test_public_withdraw_of_a_finished_complaint_is_409(state, complaint_factory, anon_client):
    complaint = complaint_factory(state)
    before = snapshot(complaint)
    response = anon_client.post(f"/api/v1/complaints/track/{complaint.tracking_code}/withdraw/", {}, format="json")
    assert response.status_code == 409
    assert snapshot(complaint) == before


def test_public_withdraw_with_an_unknown_tracking_code_is_404(complaint_factory, anon_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = anon_client.post("/api/v1/complaints/track/not-a-real-code-123/withdraw/", {}, format="json")
    assert response.status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).status == S.SUBMITTED


# --- the business's written reply ------------------------------------------------------------------


def test_business_may_respond_to_an_accepted_complaint_against_it(complaint_factory, business_a):
    complaint = complaint_factory(S.ACCEPTED)
    response = api_client(business_a).post(url(complaint, "respond"), {"statement": "已全额退款"}, format="json")
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.business_response == "已全额退款" and complaint.business_responded_at is not None
    assert ComplaintEvent.objects.filter(complaint=complaint).latest("id").action == "respond"


def test_business_respond_before_acceptance_is_409(complaint_factory, business_a):
    complaint = complaint_factory(S.SUBMITTED)
    before = snapshot(complaint)
    response = api_client(business_a).post(url(complaint, "respond"), {"statement": "x"}, format="json")
    assert response.status_code == 409
    assert snapshot(complaint) == before


def test_only_the_complained_about_business_may_respond(complaint_factory, business_b, inspector_client):
    complaint = complaint_factory(S.ACCEPTED)
    assert api_client(business_b).post(url(complaint, "respond"), {"statement": "x"}, format="json").status_code == 404
    assert inspector_client.post(url(complaint, "respond"), {"statement": "x"}, format="json").status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).business_response == ""
