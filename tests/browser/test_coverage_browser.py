"""A household-service firm uploads its workers on a 375 px phone (JavaScript on and off) and sees its coverage
(全覆盖): the shares, which workers lack what, and the share rising once it verifies a worker's identity."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from core.models import UserRole
from entities.workers import Employment
from tests.entities.worker_fixtures import firm, id_number
from tests.support import today
from tests.support.factories import UserFactory

from .conftest import PHONE, check_page, login, new_page

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_firm_uploads_workers_and_sees_its_coverage(browser, live_server, tmp_path, javascript):
    company = firm("盐湖区乙家政服务有限公司")
    UserFactory(username="jiazheng_b", role=UserRole.BUSINESS, entities=[company])
    start, checked = (today() - 20 * DAY).isoformat(), (today() - 10 * DAY).isoformat()
    expires = (today() + 20 * DAY).isoformat()  # inside 30 days: listed as expiring
    upload = tmp_path / "workers.csv"
    upload.write_text(
        "姓名,身份证号码,入职日期,服务类型,体检日期,体检有效期至,体检机构,培训类型,培训机构,学时,结业日期\n"
        f"王秀英,{id_number()},{start},育婴员,{checked},{expires},运城市中心医院,岗前培训,运城市家政培训学校,40,{start}\n"
        f"李娟,{id_number()},{start},保洁,,,,,,,\n", encoding="utf-8-sig")
    suffix = "js" if javascript else "nojs"
    page = new_page(browser, PHONE, javascript=javascript)
    try:
        login(page, live_server.url, "jiazheng_b")
        page.goto(f"{live_server.url}/business/workers/upload/")
        page.get_by_label("CSV 或 XLSX 文件").set_input_files(str(upload))
        page.get_by_role("button", name="上传并导入").click()
        expect(page.locator("#upload-result")).to_contain_text("导入完成：新增 2 行")
        assert Employment.objects.filter(entity=company).count() == 2

        page.goto(f"{live_server.url}/business/workers/")
        shares = page.locator(f"#coverage-firm-{company.pk}")
        expect(shares.locator("[data-share=workers]")).to_have_text("在职人员：2 人")
        expect(shares.locator("[data-share=complete]")).to_have_text("档案完整：0 人（0%）")  # no identity verified yet
        expect(shares.locator("[data-share=health]")).to_have_text("健康体检有效：1 人（50%）")
        expect(shares.locator("[data-share=training]")).to_have_text("已完成岗前或回炉培训：1 人（50%）")
        expect(shares.locator("[data-share=cards]")).to_have_text("服务证有效：0 人（0%）")
        gaps = page.locator("#coverage-gaps")
        expect(gaps.locator("li")).to_have_count(2)
        expect(gaps).to_contain_text("李娟（盐湖区乙家政服务有限公司）：身份未核验、无有效健康体检、未完成岗前或回炉培训")
        expect(gaps).to_contain_text("王秀英（盐湖区乙家政服务有限公司）：身份未核验；健康体检将于")
        expect(page.locator("main")).to_contain_text("本企业暂无须完成的回炉培训批次")
        check_page(page, f"business-workers-coverage-{suffix}")

        gaps.get_by_role("link", name="王秀英").click()
        page.get_by_label("核验方式").select_option("id_card")
        page.get_by_label("核验日期").fill(start)
        page.get_by_role("button", name="登记身份核验").click()
        expect(page.locator("main")).to_contain_text("身份核验已登记")

        page.goto(f"{live_server.url}/business/workers/")
        expect(page.locator(f"#coverage-firm-{company.pk} [data-share=complete]")).to_have_text("档案完整：1 人（50%）")
        expect(page.locator("#coverage-gaps")).to_contain_text("王秀英（盐湖区乙家政服务有限公司）：健康体检将于")
        check_page(page, f"business-workers-coverage-after-{suffix}")
    finally:
        page.context.close()
