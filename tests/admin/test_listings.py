"""Due process in the admin: each step is an action through regulator.lists.services, guarded exactly as in the API."""

from __future__ import annotations

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from core.models import AuditEntry
from core.workdays import add_working_days
from regulator.disclosure.models import PublicStatement
from regulator.lists import rules
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    Objection,
    PublicChange,
    RepairApplication,
)
from regulator.lists.selectors import rule_set_on
from tests.support import listing_in, page_client, today
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import act, admin_url, messages_of, results

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]


def black_codes() -> list[str]:
    return [measure["code"] for measure in rules.measures_for(rule_set_on(today()).document, "black")]


def snapshot(listing: Listing) -> dict:
    listing.refresh_from_db()
    return {**model_to_dict(listing), "updated_at": listing.updated_at, "events": listing.events.count()}


# --- each step through the service ------------------------------------------------------------------------


def test_notify_issues_the_notice_through_the_service_with_event_and_audit_row(admin_client, staff_regulator, entity):
    listing = listing_in("proposed", entity=entity)
    response = act(admin_client, Listing, "listing_notify", [listing])
    assert response.status_code == 200
    assert "「制发告知书」已完成 1 条。" in messages_of(response)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.NOTIFIED
    assert listing.notice_document.number and not listing.notice_document.served
    assert (listing.notified_on, listing.objection_due) == (None, None)  # the window waits for the service
    event = listing.events.get(action="notify")
    assert (event.from_status, event.to_status, event.actor, event.actor_name) == (
        "proposed", "notified", staff_regulator, "admin_regulator")
    entry = AuditEntry.objects.filter(table_name="regulator_listing", object_id=str(listing.pk),
                                      operation="UPDATE").latest("id")
    assert entry.after["status"] == "notified"
    assert entry.context["username"] == "admin_regulator" and entry.context["role"] == "regulator"
    assert entry.context["endpoint"] == "POST /admin/regulator/listing/"


def test_the_notices_service_is_recorded_and_opens_the_window_from_the_delivery(admin_client, entity):
    listing = listing_in("proposed", entity=entity)
    act(admin_client, Listing, "listing_notify", [listing])
    delivered = today()
    page = act(admin_client, Listing, "listing_notice_delivery", [listing])
    assert [t.name for t in page.templates][0] == "admin/transition_confirmation.html"
    response = act(admin_client, Listing, "listing_notice_delivery", [listing],
                   {"method": "post", "delivered_on": delivered.isoformat(), "note": "EMS 1100"})
    assert "「登记告知书送达」已完成 1 条。" in messages_of(response)
    listing.refresh_from_db()
    assert (listing.notice_document.delivery_method, listing.notice_document.delivered_on) == ("post", delivered)
    assert listing.notified_on == delivered
    assert listing.objection_due == add_working_days(delivered, listing.objection_days)
    again = act(admin_client, Listing, "listing_notice_delivery", [listing],
                {"method": "direct", "delivered_on": delivered.isoformat()})
    assert any("已登记送达" in message for message in messages_of(again))


def test_decide_first_asks_for_the_decision_and_changes_nothing(admin_client, entity):
    listing = listing_in("notified", entity=entity, notified_on=today() - datetime.timedelta(days=40))
    before = snapshot(listing)
    page = act(admin_client, Listing, "listing_decide", [listing])
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "admin/transition_confirmation.html"
    body = page.content.decode()
    codes = [m["code"] for m in rules.measures_for(rule_set_on(today()).document, "black")]
    assert "信用管理措施" in body and f'value="{listing.pk}"' in body and all(code in body for code in codes)
    incomplete = act(admin_client, Listing, "listing_decide", [listing], {"measures": "no_such_measure"})
    assert set(incomplete.context["form"].errors) == {"measures"}
    assert snapshot(listing) == before


def test_decide_after_the_window_records_the_decision(admin_client, entity):
    listing = listing_in("notified", entity=entity, notified_on=today() - datetime.timedelta(days=40))
    codes = black_codes()[:2]
    response = act(admin_client, Listing, "listing_decide", [listing], {"measures": codes, "period_days": "200"})
    assert "「作出认定决定」已完成 1 条。" in messages_of(response)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DECIDED
    assert listing.decided_on == today()
    assert listing.expires_on == today() + datetime.timedelta(days=200)
    assert listing.measure_codes == codes
    assert listing.decision_number == listing.decision_document.number != ""
    page = admin_client.get(admin_url(Listing, "change", listing.pk)).content.decode()
    for document in (listing.notice_document, listing.decision_document):
        assert document.number in page
        assert reverse("admin:core_serveddocument_pdf", args=[document.pk]) in page
        pdf = admin_client.get(reverse("admin:core_serveddocument_pdf", args=[document.pk]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert listing.rule_set == rule_set_on(today())
    assert listing.events.filter(action="decide", to_status="decided").exists()


def test_deciding_inside_the_objection_window_is_refused_and_changes_nothing(admin_client, entity):
    listing = listing_in("notified", entity=entity, notified_on=today())
    before = snapshot(listing)
    response = act(admin_client, Listing, "listing_decide", [listing], {"measures": black_codes()})
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("「作出认定决定」未执行——")
    assert f"陈述申辩期至 {listing.objection_due} 届满前不得认定或公示。" in message
    assert snapshot(listing) == before


def test_a_period_longer_than_the_rule_set_allows_is_refused_by_the_service(admin_client, entity):
    listing = listing_in("notified", entity=entity, notified_on=today() - datetime.timedelta(days=40))
    before = snapshot(listing)
    response = act(admin_client, Listing, "listing_decide", [listing], {"measures": black_codes(),
                                                                         "period_days": "3000"})
    [message] = messages_of(response)
    assert "期限不得超过规则集规定的 1095 天。" in message
    assert snapshot(listing) == before


def test_an_unanswered_objection_blocks_the_decision(admin_client, entity):
    listing = listing_in("notified", entity=entity, notified_on=today() - datetime.timedelta(days=40))
    Objection.objects.create(listing=listing, statement="我们不同意", received_on=listing.notified_on)
    before = snapshot(listing)
    response = act(admin_client, Listing, "listing_decide", [listing], {"measures": black_codes()})
    assert any("尚有陈述申辩未答复。" in message for message in messages_of(response))
    assert snapshot(listing) == before


def test_a_step_the_table_does_not_allow_is_refused_with_the_reason(admin_client, entity):
    listing = listing_in("proposed", entity=entity)
    before = snapshot(listing)
    response = act(admin_client, Listing, "listing_publish", [listing])
    assert messages_of(response) == [f"「公示」未执行——{listing}：不能对状态为「拟列入」的名单记录执行「公示」。"]
    assert snapshot(listing) == before


def test_publish_makes_a_decided_listing_public(admin_client, entity):
    listing = listing_in("decided", entity=entity)
    changes = PublicChange.objects.count()
    act(admin_client, Listing, "listing_publish", [listing])
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED and listing.published_on == today()
    assert PublicChange.objects.count() == changes + 1
    assert PublicChange.objects.latest("id").listing == listing


def test_remove_needs_a_reason_and_ends_a_published_listing(admin_client, entity):
    listing = listing_in("published", entity=entity)
    page = act(admin_client, Listing, "listing_remove", [listing], {"reason": ""})
    assert page.context["form"].errors == {"reason": ["该字段是必填项。"]}
    assert snapshot(listing)["status"] == ListingStatus.PUBLISHED
    act(admin_client, Listing, "listing_remove", [listing], {"reason": "行政处罚决定已被撤销"})
    listing.refresh_from_db()
    assert listing.status == ListingStatus.REMOVED
    assert (listing.ended_on, listing.end_reason) == (today(), "行政处罚决定已被撤销")
    assert listing.events.get(action="remove").reason == "行政处罚决定已被撤销"


def test_withdraw_before_publication_only(admin_client, entity):
    proposed, public = listing_in("proposed", entity=entity), listing_in("published", entity=EntityFactory())
    response = act(admin_client, Listing, "listing_withdraw", [proposed, public], {"reason": "事实不清"})
    messages = messages_of(response)
    assert f"「撤回」未执行——{public}：不能对状态为「已公示」的名单记录执行「撤回」。" in messages
    assert "「撤回」已完成 1 条。" in messages
    proposed.refresh_from_db()
    public.refresh_from_db()
    assert (proposed.status, public.status) == (ListingStatus.WITHDRAWN, ListingStatus.PUBLISHED)


def test_more_than_a_hundred_rows_at_once_are_refused(admin_client, entity):
    many = [listing_in("proposed", entity=EntityFactory()) for _ in range(101)]
    response = act(admin_client, Listing, "listing_notify", many)
    assert messages_of(response) == ["一次最多处理 100 条记录，请缩小范围。"]
    assert not Listing.objects.filter(status=ListingStatus.NOTIFIED).exists()


# --- the object's page -------------------------------------------------------------------------------------


def test_the_page_offers_only_the_steps_open_to_the_listing(admin_client, entity):
    listing = listing_in("proposed", entity=entity)
    body = admin_client.get(admin_url(Listing, "change", listing.pk)).content.decode()
    assert 'value="制发告知书"' in body and 'value="撤回"' in body and 'value="修改拟列入事由"' in body
    assert 'value="公示"' not in body and 'value="作出认定决定"' not in body
    assert 'value="登记告知书送达"' not in body and 'value="登记书面陈述申辩"' not in body


def test_a_button_on_the_page_runs_the_step_and_comes_back_to_the_page(admin_client, entity):
    listing = listing_in("proposed", entity=entity)
    response = admin_client.post(admin_url(Listing), {"action": "listing_notify", "_selected_action": listing.pk,
                                                      "_from_object": "1"})
    assert response.status_code == 302
    assert response["Location"] == admin_url(Listing, "change", listing.pk)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.NOTIFIED


def test_the_status_cannot_be_edited_on_the_page(admin_client, entity):
    listing = listing_in("proposed", entity=entity)
    page = admin_client.get(admin_url(Listing, "change", listing.pk))
    body = page.content.decode()
    assert 'name="status"' not in body and 'name="_save"' not in body
    response = admin_client.post(admin_url(Listing, "change", listing.pk), {"status": "published"})
    assert response.status_code == 403
    assert snapshot(listing)["status"] == ListingStatus.PROPOSED
    assert admin_client.post(admin_url(Listing, "delete", listing.pk), {"post": "yes"}).status_code == 403


def test_a_regulator_proposes_through_the_service(admin_client, staff_regulator, entity):
    response = admin_client.post(admin_url(Listing, "add"), {
        "list_type": "watch", "subject_type": "entity", "entity": entity.pk, "reason": "拒绝检查", "legal_basis": ""})
    assert response.status_code == 302
    listing = Listing.objects.get(entity=entity)
    rule_set = rule_set_on(today())
    assert (listing.status, listing.source_type, listing.created_by) == ("proposed", "manual", staff_regulator)
    assert listing.rule_set == rule_set and listing.period_days == rule_set.document["periods_days"]["watch"]
    assert listing.legal_basis == rule_set.document["criteria"]["legal_basis"]["watch"]
    assert listing.events.get().action == "propose"


def test_a_proposal_naming_both_subjects_is_refused_on_the_form(admin_client, entity, world):
    response = admin_client.post(admin_url(Listing, "add"), {
        "list_type": "black", "subject_type": "entity", "entity": entity.pk, "person": world["person"].pk,
        "reason": "甩团"})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Listing.objects.filter(list_type="black").exists()


# --- search and filters ----------------------------------------------------------------------------------------


def test_search_by_subject_name_credit_code_or_decision_number_and_filter_by_status(admin_client, entity):
    mine = listing_in("published", entity=entity)
    other = listing_in("proposed", entity=EntityFactory(name="太原市某某旅行社", region_code="140105"))
    assert results(admin_client.get(admin_url(Listing), {"q": "丙旅行社"})) == [mine]
    assert results(admin_client.get(admin_url(Listing), {"q": entity.credit_code})) == [mine]
    assert results(admin_client.get(admin_url(Listing), {"q": mine.decision_number})) == [mine]
    assert results(admin_client.get(admin_url(Listing), {"q": str(other.pk)})) == [other]
    assert results(admin_client.get(admin_url(Listing), {"status__exact": "proposed"})) == [other]
    assert results(admin_client.get(admin_url(Listing), {"region": "1408"})) == [mine]
    assert results(admin_client.get(admin_url(Listing), {"region": "1401", "list_type__exact": "black"})) == [other]
    assert results(admin_client.get(admin_url(Listing), {"list_type__exact": "red"})) == []


def test_listing_events_are_read_only_and_found_by_listing(admin_client, entity):
    listing = listing_in("published", entity=entity)
    found = results(admin_client.get(admin_url(ListingEvent), {"q": str(listing.pk)}))
    assert [event.action for event in sorted(found, key=lambda e: e.pk)] == [
        "propose", "notify", "notice_served", "decide", "publish"]
    event = found[0]
    assert admin_client.get(admin_url(ListingEvent, "add")).status_code == 403
    assert admin_client.post(admin_url(ListingEvent, "change", event.pk), {"reason": "x"}).status_code == 403
    assert admin_client.post(admin_url(ListingEvent, "delete", event.pk), {"post": "yes"}).status_code == 403


# --- objections, repair, statements ----------------------------------------------------------------------------


def test_answering_an_objection_goes_through_the_service_once(admin_client, staff_regulator, entity):
    listing = listing_in("notified", entity=entity, notified_on=today())
    objection = Objection.objects.create(listing=listing, statement="我们不同意", received_on=today())
    no_outcome = act(admin_client, Objection, "objection_answer", [objection],
                     {"answer": "申辩成立，撤回拟列入", "upheld": "1"})
    assert any("申辩成立时须选择处理" in message for message in messages_of(no_outcome))
    act(admin_client, Objection, "objection_answer", [objection],
        {"answer": "申辩成立，撤回拟列入", "upheld": "1", "outcome": "withdraw"})
    objection.refresh_from_db()
    assert (objection.answer, objection.upheld, objection.answered_by) == ("申辩成立，撤回拟列入", True, staff_regulator)
    assert objection.outcome == "withdraw"
    assert listing.events.filter(action="objection_answer").exists()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.WITHDRAWN
    response = act(admin_client, Objection, "objection_answer", [objection], {"answer": "再答一次", "upheld": "0"})
    assert any("该申辩已答复。" in message for message in messages_of(response))
    objection.refresh_from_db()
    assert objection.answer == "申辩成立，撤回拟列入"


def test_granting_repair_ends_the_listing_through_the_service(admin_client, world):
    repair, listing = world["repair"], world["listing"]
    act(admin_client, RepairApplication, "repair_grant", [repair], {"reason": "已履行义务并完成培训"})
    repair.refresh_from_db()
    listing.refresh_from_db()
    assert (repair.status, repair.decision_reason) == ("granted", "已履行义务并完成培训")
    assert listing.status == ListingStatus.REPAIRED
    assert listing.events.filter(action="repair", to_status="repaired").exists()
    response = act(admin_client, RepairApplication, "repair_refuse", [repair], {"reason": "再决定一次"})
    assert any("该申请已作出决定。" in message for message in messages_of(response))


def test_refusing_repair_leaves_the_listing_published(admin_client, world):
    repair, listing = world["repair"], world["listing"]
    act(admin_client, RepairApplication, "repair_refuse", [repair], {"reason": "整改材料不足"})
    repair.refresh_from_db()
    listing.refresh_from_db()
    assert repair.status == "refused" and listing.status == ListingStatus.PUBLISHED


def test_statements_are_reviewed_once(admin_client, staff_regulator, world):
    statement = world["statement"]
    other = PublicStatement.objects.create(entity=statement.entity, listing=statement.listing, text="辱骂内容")
    act(admin_client, PublicStatement, "statement_approve", [statement])
    act(admin_client, PublicStatement, "statement_reject", [other], {"review_note": "含不当内容"})
    statement.refresh_from_db()
    other.refresh_from_db()
    assert (statement.status, statement.reviewed_by) == ("approved", staff_regulator)
    assert (other.status, other.review_note) == ("rejected", "含不当内容")
    response = act(admin_client, PublicStatement, "statement_reject", [statement], {"review_note": ""})
    assert any("该声明已审核。" in message for message in messages_of(response))
    statement.refresh_from_db()
    assert statement.status == "approved"


def test_a_business_cannot_answer_through_the_admin_even_as_staff(entity):
    business = UserFactory(username="staff_business", role="business", is_staff=True, entities=[entity])
    listing = listing_in("notified", entity=entity, notified_on=today())
    objection = Objection.objects.create(listing=listing, statement="我们不同意", received_on=today())
    response = page_client(business).post(admin_url(Objection), {
        "action": "objection_answer", "_selected_action": objection.pk, "_confirm": "1", "answer": "自己答",
        "upheld": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    objection.refresh_from_db()
    assert objection.answered_at is None


def test_a_listings_history_reads_in_words_not_codes(admin_client, entity):
    listing = listing_in("decided", entity=entity)
    page = admin_client.get(f"/admin/regulator/listing/{listing.pk}/change/").content.decode()
    for words in ("拟列入", "制发告知书", "告知书送达", "作出认定决定", "已告知", "已认定"):
        assert words in page
    history = admin_client.get(f"/admin/regulator/listingevent/?listing={listing.pk}").content.decode()
    assert "作出认定决定" in history and '<td class="field-action_label">decide</td>' not in history
