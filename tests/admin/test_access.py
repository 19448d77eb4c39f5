"""Who gets into the admin, and that every model of the service is there with its list and its page."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import TokenProxy

from complaints.models import Complaint, ComplaintEvent, Finding
from core.models import AuditEntry, User, UserRole
from ratings.models import CreditEvent
from ratings.services import entity_rescore
from regulator.disclosure.models import PublicStatement
from regulator.lists.models import Listing, ListingEvent, Objection
from tests.support import complaint_in, listing_in, page_client
from tests.support.factories import EntityFactory, UserFactory

from .conftest import admin_models, admin_url

pytestmark = pytest.mark.django_db


def test_every_model_of_the_project_apps_is_registered():
    missing = [model.__name__ for model in admin_models() if not admin.site.is_registered(model)]
    assert missing == []
    # RecomputeChunk joined in the per-chunk recompute; Authority, DocumentSeries, ServedDocument and LegalCitation
    # with the served documents and the citation catalogue
    # DepartmentClient, ClientKey, ClientQuery (department clients); Employment, IdentityVerification, HealthCheck,
    # TrainingRecord, SkillCertificate, ServiceCard (worker files); ComplaintAttachment, ComplaintSubscription,
    # ComplaintNotification (complaint filing); RectificationEvidence, RectificationEvidenceFile,
    # RectificationEvidenceEvent (整改材料); ServiceOrder, ServiceReview, ComplaintSatisfaction (reviews and
    # satisfaction); RetrainingCampaign, RetrainingPhase, RetrainingPhaseFirm, RetrainingTarget (回炉培训); Campaign
    # (专项行动); AwardRound, AwardApplication, AwardEvent, AwardObjection (诚信评选); ImportSource, ImportRun
    # (定时导入); PublicityRecord (双公示); FeedEvent, FeedSubscription, FeedDelivery, DeadLetter (push feed)
    assert len(admin_models()) == 69


def test_groups_and_api_tokens_are_not_on_the_site():
    # Roles decide access, not groups; DRF's token admin would list every account's credential.
    assert not admin.site.is_registered(Group)
    assert not admin.site.is_registered(TokenProxy)


def test_every_changelist_and_change_page_answers_200_for_a_regulator(admin_client, every_row):
    for model, row in every_row.items():
        changelist = admin_client.get(admin_url(model))
        assert changelist.status_code == 200, model.__name__
        assert changelist.context["cl"].result_count >= 1, model.__name__
        for spec in changelist.context["cl"].filter_specs:
            assert _has_chinese(str(spec.title)), f"{model.__name__} filter {spec.title}"
        page = admin_client.get(admin_url(model, "change", row.pk))
        assert page.status_code == 200, model.__name__


def test_add_pages_open_only_where_the_api_lets_a_regulator_create(admin_client, every_row):
    creatable = {model.__name__ for model in every_row if admin_client.get(admin_url(model, "add")).status_code == 200}
    # RepairApplication: a regulator records an application received on paper (a natural person's, too);
    # Authority and LegalCitation: the issuing authorities and the citation catalogue are the regulators' data;
    # DepartmentClient: a regulator registers another department's client (its keys are issued on its page);
    # FeedSubscription: and that client's push subscription (its secret shown once on the page that makes it);
    # Campaign: a regulator sets up a 专项行动 (saved through campaign_services, as the API does);
    # ImportSource: and another authority's list to import on a schedule (its mapping validated fail-closed)
    assert creatable == {"User", "CalendarDay", "RuleSet", "Listing", "Entity", "Person", "PersonRole", "Licence",
                         "ViolationType", "ScoringModel", "RepairApplication", "Authority", "LegalCitation",
                         "DepartmentClient", "FeedSubscription", "Campaign", "ImportSource"}
    for model in every_row:
        if model.__name__ not in creatable:
            assert admin_client.get(admin_url(model, "add")).status_code == 403, model.__name__


def test_every_object_history_page_answers(admin_client, every_row):
    for model, row in every_row.items():
        assert admin_client.get(admin_url(model, "history", row.pk)).status_code == 200, model.__name__


def test_the_index_lists_the_apps_in_chinese(admin_client, world):
    body = admin_client.get("/admin/").content.decode()
    for heading in ("名单记录", "审计日志", "投诉", "市场主体", "评分模型", "工作日历"):
        assert heading in body


@pytest.mark.parametrize("role", [UserRole.INSPECTOR, UserRole.BUSINESS])
def test_staff_without_the_regulator_role_is_refused_everywhere(role, every_row):
    user = UserFactory(username=f"staff_{role}", role=role, is_staff=True, region_codes=["14"], sectors=["tourism"])
    client = page_client(user)
    index = client.get("/admin/")
    assert index.status_code == 302 and index["Location"].startswith("/admin/login/")
    for model, row in every_row.items():
        for url in (admin_url(model), admin_url(model, "change", row.pk)):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    listing = every_row[next(m for m in every_row if m.__name__ == "Listing")]
    response = client.post(admin_url(type(listing)), {"action": "listing_publish", "_selected_action": [listing.pk]})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_model_admins_refuse_a_non_regulator_even_past_the_site_gate(rf, every_row):
    inspector = UserFactory(username="staff_inspector", role=UserRole.INSPECTOR, is_staff=True)
    request = rf.get("/admin/")
    request.user = inspector
    for model in every_row:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_module_permission(request), model.__name__
        assert not model_admin.has_view_permission(request), model.__name__
        assert not model_admin.has_add_permission(request), model.__name__
        assert not model_admin.has_change_permission(request), model.__name__
        assert not model_admin.has_delete_permission(request), model.__name__


def test_a_regulator_without_staff_status_is_refused(world):
    regulator = UserFactory(username="plain_regulator", role=UserRole.REGULATOR, is_staff=False)
    response = page_client(regulator).get(admin_url(User))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_superuser_is_let_in_whatever_its_role(world):
    root = UserFactory(username="root", role=UserRole.BUSINESS, is_staff=True, is_superuser=True)
    assert page_client(root).get(admin_url(User)).status_code == 200


def test_the_login_page_tells_a_signed_in_inspector_it_has_no_access(world):
    inspector = UserFactory(username="staff_inspector2", role=UserRole.INSPECTOR, is_staff=True)
    body = page_client(inspector).get("/admin/login/").content.decode()
    assert "staff_inspector2" in body and "没有这个页面的访问权限" in body


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def test_every_column_field_and_filter_is_labelled_in_chinese(rf, staff_regulator, every_row):
    request = rf.get("/admin/")
    request.user = staff_regulator
    untranslated = []
    with translation.override("zh-hans"):
        for model, row in every_row.items():
            model_admin = admin.site._registry[model]
            names = [*model_admin.get_list_display(request), *flatten_fieldsets(model_admin.get_fieldsets(request, row))]
            for inline in model_admin.get_inline_instances(request, row):
                names += [(inline, name) for name in flatten_fieldsets(inline.get_fieldsets(request, row))]
            for name in names:
                owner, field = name if isinstance(name, tuple) else (model_admin, name)
                label = str(label_for_field(field, owner.model, owner))
                if not _has_chinese(label) and label not in {"ID", "IP"}:
                    untranslated.append(f"{owner.model.__name__}.{field}: {label}")
            for action, (_func, _name, description) in model_admin.get_actions(request).items():
                if not _has_chinese(str(description)):
                    untranslated.append(f"{model.__name__} action {action}: {description}")
    assert untranslated == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_make_a_fixed_number_of_queries_however_many_rows(admin_client, world):
    models = [Listing, ListingEvent, Objection, PublicStatement, Complaint, ComplaintEvent, Finding, CreditEvent,
              AuditEntry]
    before = {model: _queries(admin_client, admin_url(model)) for model in models}
    for name in ("戊", "己", "庚"):
        other = EntityFactory(name=f"盐湖区{name}旅行社")
        listing = listing_in("published", entity=other)
        Objection.objects.create(listing=listing, statement="异议")
        PublicStatement.objects.create(entity=other, listing=listing, text="声明")
        complaint_in(entity=other)
        entity_rescore(entity_id=other.pk)
    assert {model: _queries(admin_client, admin_url(model)) for model in models} == before
