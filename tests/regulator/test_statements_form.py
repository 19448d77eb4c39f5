"""公开声明 (right to reply): a business states its side beside its own listing or penalty; reviewed, then public."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulator.disclosure import services
from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.disclosure.redaction import PHONE_MARK
from regulator.disclosure.statements import TEXT_MAX, own_statements, statement_submit
from tests.regulator.conftest import record_finding
from tests.support import listing_in, page_client, today
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

TEXT = "滞留系暴雨封路所致，已为全部游客安排食宿并退还团费。"


def _penalty(entity, penalty: str = "fine"):
    return record_finding(entity, "forced_shopping", penalty=penalty, severity="general",
                          inspected_on=today() - datetime.timedelta(days=5))


# --- the service -----------------------------------------------------------------------------------------------


def test_a_business_states_its_side_of_its_published_listing_and_it_waits_for_review(business_a, entity_a):
    listing = listing_in("published", entity=entity_a)
    statement = statement_submit(actor=business_a, listing_id=listing.pk, text=f"  {TEXT}  ")
    assert (statement.entity, statement.listing, statement.finding) == (entity_a, listing, None)
    assert statement.status == StatementStatus.PENDING and statement.text == TEXT
    assert statement.submitted_by == business_a


def test_a_listed_person_s_company_may_state_about_the_listing_of_its_legal_representative(business_a, entity_a):
    from entities import codes
    from entities import services as entity_services
    from tests.support.factories import _rng

    person = entity_services.person_create(name="李四", id_number=codes.id_number("140802", datetime.date(1980, 1, 1),
                                                                                  _rng))
    listing = listing_in("published", person=person, related_entity=entity_a, person_role="legal_representative")
    assert statement_submit(actor=business_a, listing_id=listing.pk, text=TEXT).entity == entity_a


@pytest.mark.parametrize(("status", "allowed"), [("notified", False), ("decided", True), ("published", True),
                                                 ("expired", False), ("repaired", False)])
def test_only_a_decided_or_published_listing_takes_a_statement(business_a, entity_a, status, allowed):
    listing = listing_in(status, entity=entity_a)
    if allowed:
        assert statement_submit(actor=business_a, listing_id=listing.pk, text=TEXT).pk
    else:
        with pytest.raises(ValidationError) as refused:
            statement_submit(actor=business_a, listing_id=listing.pk, text=TEXT)
        assert "listing" in refused.value.message_dict
        assert not PublicStatement.objects.exists()


def test_another_business_s_listing_is_not_found(business_b, entity_a):
    listing = listing_in("published", entity=entity_a)
    with pytest.raises(ValidationError) as refused:
        statement_submit(actor=business_b, listing_id=listing.pk, text=TEXT)
    assert refused.value.message_dict == {"listing": ["名单记录不存在或不在权限范围内。"]}


def test_staff_accounts_do_not_write_statements(regulator, entity_a):
    listing = listing_in("published", entity=entity_a)
    with pytest.raises(PermissionDenied):
        statement_submit(actor=regulator, listing_id=listing.pk, text=TEXT)


def test_a_penalty_takes_a_statement_and_a_finding_without_penalty_does_not(business_a, entity_a):
    statement = statement_submit(actor=business_a, finding_id=_penalty(entity_a).pk, text=TEXT)
    assert statement.finding is not None and statement.entity == entity_a
    with pytest.raises(ValidationError) as refused:
        statement_submit(actor=business_a, finding_id=_penalty(entity_a, "none").pk, text=TEXT)
    assert "finding" in refused.value.message_dict


def test_another_business_s_penalty_is_not_found(business_b, entity_a):
    with pytest.raises(ValidationError) as refused:
        statement_submit(actor=business_b, finding_id=_penalty(entity_a).pk, text=TEXT)
    assert "finding" in refused.value.message_dict


def test_a_statement_is_about_exactly_one_record(business_a, entity_a):
    listing, finding = listing_in("published", entity=entity_a), _penalty(entity_a)
    for targets in ({}, {"listing_id": listing.pk, "finding_id": finding.pk}):
        with pytest.raises(ValidationError) as refused:
            statement_submit(actor=business_a, text=TEXT, **targets)
        assert "listing" in refused.value.message_dict


@pytest.mark.parametrize(("length", "allowed"), [(TEXT_MAX, True), (TEXT_MAX + 1, False)])
def test_the_text_is_at_most_2000_characters(business_a, entity_a, length, allowed):
    listing = listing_in("published", entity=entity_a)
    if allowed:
        assert len(statement_submit(actor=business_a, listing_id=listing.pk, text="说" * length).text) == length
    else:
        with pytest.raises(ValidationError) as refused:
            statement_submit(actor=business_a, listing_id=listing.pk, text="说" * length)
        assert "text" in refused.value.message_dict


def test_an_empty_text_is_refused(business_a, entity_a):
    listing = listing_in("published", entity=entity_a)
    with pytest.raises(ValidationError) as refused:
        statement_submit(actor=business_a, listing_id=listing.pk, text="   ")
    assert refused.value.message_dict == {"text": ["声明内容不能为空。"]}


def test_submitting_again_while_pending_amends_and_after_review_starts_a_new_one(business_a, regulator, entity_a):
    listing = listing_in("published", entity=entity_a)
    first = statement_submit(actor=business_a, listing_id=listing.pk, text="初稿")
    again = statement_submit(actor=business_a, listing_id=listing.pk, text=TEXT)
    assert again.pk == first.pk and PublicStatement.objects.get().text == TEXT
    services.statement_review(statement_id=first.pk, actor=regulator, approve=False, review_note="含不实内容")
    later = statement_submit(actor=business_a, listing_id=listing.pk, text="更正后的说明")
    assert later.pk != first.pk and PublicStatement.objects.count() == 2
    assert [s.pk for s in own_statements(business_a, listing_ids=[listing.pk])[("listing", listing.pk)]] == [
        first.pk, later.pk]


def test_own_statements_are_scoped_to_the_caller(business_a, business_b, entity_a):
    listing = listing_in("published", entity=entity_a)
    statement_submit(actor=business_a, listing_id=listing.pk, text=TEXT)
    assert own_statements(business_b, listing_ids=[listing.pk]) == {}


# --- the pages -------------------------------------------------------------------------------------------------


def test_the_page_form_submits_and_the_approved_statement_is_public_beside_the_listing_redacted(
        business_a, regulator, entity_a, web):
    listing = listing_in("published", entity=entity_a)
    client = page_client(business_a)
    page = client.get(f"/business/entities/{entity_a.pk}/").content.decode()
    assert f'action="/business/listings/{listing.pk}/statement/"' in page and "发表公开声明" in page
    response = client.post(f"/business/listings/{listing.pk}/statement/",
                           {f"statement-listing-{listing.pk}-text": f"{TEXT}联系电话 13912345678。"})
    assert response.status_code == 302
    assert response["Location"] == f"/business/entities/{entity_a.pk}/#listing-{listing.pk}"
    statement = PublicStatement.objects.get()
    own = client.get(response["Location"]).content.decode()
    assert "公开声明已提交" in own and "待审核" in own
    operator = f"/operators/{entity_a.credit_code}/"
    assert TEXT not in web.get(operator).content.decode()  # not public before review
    services.statement_review(statement_id=statement.pk, actor=regulator, approve=True)
    for path in (operator, f"{operator}report/"):
        html = web.get(path).content.decode()
        assert TEXT in html and "13912345678" not in html and PHONE_MARK in html
    assert "已公开" in client.get(f"/business/entities/{entity_a.pk}/").content.decode()


def test_the_page_form_for_a_penalty_and_its_public_place(business_a, regulator, entity_a, web):
    finding = _penalty(entity_a)
    client = page_client(business_a)
    page = client.get(f"/business/entities/{entity_a.pk}/").content.decode()
    assert f'action="/business/penalties/{finding.pk}/statement/"' in page
    response = client.post(f"/business/penalties/{finding.pk}/statement/",
                           {f"statement-finding-{finding.pk}-text": TEXT})
    assert response.status_code == 302 and response["Location"].endswith(f"#penalty-{finding.pk}")
    services.statement_review(statement_id=PublicStatement.objects.get().pk, actor=regulator, approve=True)
    html = web.get(f"/operators/{entity_a.credit_code}/").content.decode()
    card = html.split(f'id="penalty-{finding.pk}"', 1)[1].split("</li>", 1)[0]
    assert TEXT in card


def test_an_empty_statement_is_shown_beside_its_box(business_a, entity_a):
    listing = listing_in("published", entity=entity_a)
    response = page_client(business_a).post(f"/business/listings/{listing.pk}/statement/",
                                            {f"statement-listing-{listing.pk}-text": " "})
    assert response.status_code == 400
    assert f'id="id_statement-listing-{listing.pk}-text_error"' in response.content.decode()
    assert not PublicStatement.objects.exists()


def test_another_business_posting_about_a_listing_or_penalty_gets_404(business_b, entity_a):
    listing, finding = listing_in("published", entity=entity_a), _penalty(entity_a)
    client = page_client(business_b)
    assert client.post(f"/business/listings/{listing.pk}/statement/",
                       {f"statement-listing-{listing.pk}-text": TEXT}).status_code == 404
    assert client.post(f"/business/penalties/{finding.pk}/statement/",
                       {f"statement-finding-{finding.pk}-text": TEXT}).status_code == 404
    assert not PublicStatement.objects.exists()


@pytest.fixture
def web():
    return page_client()


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"
