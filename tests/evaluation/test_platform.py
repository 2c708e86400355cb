"""Evaluation in the platform: registry indicators, imports, runs, editing, comparison, export, access."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook

from lianzhang.accounts.models import AuditEntry
from lianzhang.evaluation import services
from lianzhang.evaluation.models import EvaluationRun, IndicatorValue

pytestmark = pytest.mark.django_db
GUANGZHOU = "4401"
REPORTED = "id,compute_power,approval_days\n440106,120,15\n440111,40,30\n440103,10,\n"


def _run(actor, year: int = 2024, **overrides) -> EvaluationRun:
    return services.run_evaluation(actor, "district-ai", year, GUANGZHOU, {"draws": 200, **overrides})


def test_district_run_combines_registry_indicators_with_reported_values(personas, enterprise_a):
    chain = personas["chain_office"].actor
    services.import_values(chain, "district", 2024, REPORTED.encode(), "报送.csv")
    run = _run(chain)
    entities = {e["id"]: e for e in run.result["entities"]}
    assert len(entities) == 11  # every district of Guangzhou
    row = run.inputs["ids"].index("440106")
    column = run.inputs["indicators"].index
    assert run.inputs["values"][row][column("compute_power")] == 120
    assert run.inputs["values"][row][column("patents")] == 9  # from enterprise A's 2024 figures
    assert run.inputs["values"][row][column("rd_intensity")] == pytest.approx(16.0)
    assert (
        run.inputs["sources"]["patents"] == "computed"
        and run.inputs["sources"]["compute_power"] == "imported"
    )
    assert entities["440106"]["rank"] == 1
    assert set(entities["440106"]["pillar_scores"]) == {
        "foundation",
        "innovation",
        "application",
        "operation",
        "environment",
    }
    assert run.result["consistency_ratio"] < 0.1 and run.data_sha256 == run.result["data"]["sha256"]
    assert AuditEntry.objects.filter(action="evaluation.run", object_id=str(run.pk)).exists()


def test_same_data_and_seed_reproduce_the_same_result(personas, enterprise_a):
    chain = personas["chain_office"].actor
    first, second = _run(chain), _run(chain)
    assert first.data_sha256 == second.data_sha256
    assert first.result["entities"] == second.result["entities"]


def test_enterprise_merit_ranking_uses_registry_figures(personas, enterprise_a, enterprise_b):
    run = services.run_evaluation(
        personas["chain_office"].actor, "enterprise-merit", 2024, GUANGZHOU, {"draws": 100}
    )
    assert {e["id"] for e in run.result["entities"]} == {enterprise_a.credit_code, enterprise_b.credit_code}
    assert run.inputs["names"][enterprise_a.credit_code] == enterprise_a.name
    assert run.result["method"]["ranking"] == "topsis"


@pytest.mark.parametrize(
    "role", ["department", "district", "other_district", "enterprise_a", "expert", "anonymous"]
)
def test_only_the_chain_office_runs_evaluations(personas, role):
    with pytest.raises(PermissionDenied):
        _run(personas[role].actor)


def test_reported_values_with_a_bad_cell_are_refused_whole_with_the_place(personas):
    chain = personas["chain_office"].actor
    bad = REPORTED.replace("440111,40", "440111,四十").replace("440103,10", "999999,10")
    with pytest.raises(ValidationError) as err:
        services.import_values(chain, "district", 2024, bad.encode(), "报送.csv")
    text = "；".join(err.value.messages)
    assert "第 3 行（id=440111）列 compute_power：'四十' 不是数字" in text
    assert "第 4 行 id '999999'：不是区县区划代码" in text
    assert not IndicatorValue.objects.exists()


def test_unknown_indicator_column_is_named(personas):
    with pytest.raises(ValidationError, match="第 1 行列 parks"):
        services.import_values(
            personas["chain_office"].actor, "district", 2024, b"id,parks\n440106,3\n", "x.csv"
        )


def test_editing_weights_saves_a_new_version_and_runs_cite_it(personas, enterprise_a):
    chain = personas["chain_office"].actor
    stored = services.get_framework(chain, "district-ai")
    fw = services.parsed(stored.current)
    settings = services.FrameworkSettings(
        normalisation="zscore",
        weighting="manual",
        aggregation="arithmetic",
        ranking="weighted_sum",
        allow_inconsistent=False,
        draws=100,
        seed=5,
        weight_spread=0.2,
        pillar_weights={p.id: 1.0 for p in fw.pillars} | {"innovation": 3.0},
    )
    version = services.save_framework_settings(chain, "district-ai", settings, "创新加权", base_number=1)
    assert version.number == 2
    run = services.run_evaluation(chain, "district-ai", 2024, GUANGZHOU)
    assert run.framework_version == version
    # Nothing was reported, so the all-imported 环境保障 pillar is left out and said so.
    assert "environment" not in run.result["weights"]["pillars"]
    assert set(run.result["dropped_indicators"]) >= {"policy_funds", "ai_talent", "approval_days"}
    assert any("没有任何数据" in w for w in run.result["warnings"])
    assert run.result["weights"]["pillars"]["innovation"] == pytest.approx(3 / 6, abs=1e-6)
    assert run.result["method"]["normalisation"] == "zscore" and run.result["method"]["seed"] == 5
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.save_framework_settings(chain, "district-ai", settings, "", base_number=1)


def test_inconsistent_judgements_can_be_saved_but_not_run(personas):
    chain = personas["chain_office"].actor
    fw = services.parsed(services.get_framework(chain, "district-ai").current)
    n = len(fw.pillars)
    circular = [[1.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j:
                circular[i][j] = 9.0 if (j - i) % n <= n // 2 else 1 / 9
    settings = services.FrameworkSettings(
        normalisation="minmax",
        weighting="ahp",
        aggregation="arithmetic",
        ranking="weighted_sum",
        allow_inconsistent=False,
        draws=50,
        seed=1,
        weight_spread=0.25,
        ahp=circular,
    )
    services.save_framework_settings(chain, "district-ai", settings, "", base_number=1)
    with pytest.raises(ValidationError, match="一致性不足"):
        services.run_evaluation(chain, "district-ai", 2024, GUANGZHOU)


def test_yaml_edit_names_every_problem(personas):
    chain = personas["chain_office"].actor
    text = services.get_framework(chain, "district-ai").current.yaml_text
    broken = text.replace("compute: patents", "compute: patent_count").replace(
        "direction: cost", "direction: less"
    )
    with pytest.raises(ValidationError) as err:
        services.save_framework(chain, "district-ai", broken, "", 1)
    text = "；".join(err.value.messages)
    assert "指标 approval_days 的 direction" in text


def test_computed_indicator_must_be_one_the_platform_knows(personas):
    chain = personas["chain_office"].actor
    text = services.get_framework(chain, "district-ai").current.yaml_text
    with pytest.raises(ValidationError, match="patent_count"):
        services.save_framework(
            chain, "district-ai", text.replace("compute: patents", "compute: patent_count"), "", 1
        )


def test_year_over_year_comparison_matches_entities(personas, enterprise_a):
    chain = personas["chain_office"].actor
    services.import_values(chain, "district", 2023, REPORTED.encode(), "2023.csv")
    services.import_values(
        chain, "district", 2024, REPORTED.replace("440111,40", "440111,400").encode(), "2024.csv"
    )
    old, new = _run(chain, 2023), _run(chain, 2024)
    comparison = services.compare(personas["district"].actor, new.pk)
    assert comparison["other"].pk == old.pk
    rows = {r["id"]: r for r in comparison["rows"]}
    before = {e["id"]: e["rank"] for e in old.result["entities"]}
    for ident, row in rows.items():
        assert row["prev_rank"] == before[ident]
        assert row["rank_change"] == before[ident] - row["rank"]


def test_export_has_results_weights_inputs_sensitivity_and_provenance(personas, enterprise_a):
    run = _run(personas["chain_office"].actor)
    content = services.export_run(personas["department"].actor, run.pk)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["评价结果", "权重", "输入数据", "敏感性", "来源"]
    results = list(wb["评价结果"].iter_rows(values_only=True))
    assert results[0][:4] == ("排名", "编号", "名称", "得分") and len(results) == 12
    provenance = dict(wb["来源"].iter_rows(min_row=2, values_only=True))
    assert "第 1 版" in provenance["评价框架"] and provenance["数据摘要"] == run.data_sha256


def test_pages_show_results_charts_and_provenance(personas, enterprise_a):
    chain = personas["chain_office"].actor
    # Districts that lead on different indicators, so that ranks move with weights and methods.
    conflicting = "\n".join(
        [
            "id,compute_power,public_platforms,approval_days",
            "440103,300,2,50",
            "440104,20,30,45",
            "440105,150,12,10",
        ]
    )
    services.import_values(chain, "district", 2024, conflicting.encode(), "报送.csv")
    run = _run(chain)
    assert run.result["uncertainty"]["first_order"]
    body = personas["district"].client.get(f"/evaluation/runs/{run.pk}/").content.decode()
    for needle in (
        "variance-table",
        "支柱权重",
        "result-table",
        "chart-radar",
        "chart-interval",
        "/assets/plotly.min.js",
        "数据摘要",
        run.data_sha256,
    ):
        assert needle in body
    assert "导出 Excel" in body
    index = personas["department"].client.get("/evaluation/").content.decode()
    assert "运行评价" not in index and f"/evaluation/runs/{run.pk}/" in index


def test_chain_office_runs_and_edits_through_the_pages(personas, enterprise_a):
    client = personas["chain_office"].client
    response = client.post(
        "/evaluation/run/", {"framework": "district-ai", "year": "2024", "city": GUANGZHOU, "draws": "50"}
    )
    run = EvaluationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/runs/{run.pk}/"
    page = client.get("/evaluation/frameworks/district-ai/").content.decode()
    assert 'id="ahp-table"' in page and 'name="ahp_0_1"' in page and "evaluation/evaluation.js" in page
    fw = services.parsed(services.get_framework(personas["chain_office"].actor, "district-ai").current)
    form = {
        "section": "settings",
        "base_number": "1",
        "normalisation": "rank",
        "weighting": "ahp",
        "aggregation": "geometric",
        "ranking": "weighted_sum",
        "draws": "100",
        "seed": "3",
        "weight_spread": "0.2",
        "note": "改用排序标准化",
    }
    for i in range(len(fw.pillars)):
        for j in range(i + 1, len(fw.pillars)):
            form[f"ahp_{i}_{j}"] = "1/2" if i == 0 else "1"
    response = client.post("/evaluation/frameworks/district-ai/", form)
    assert response.status_code == 302
    current = services.get_framework(personas["chain_office"].actor, "district-ai").current
    assert current.number == 2 and current.note == "改用排序标准化"
    saved = services.parsed(current)
    assert (
        saved.method.normalisation == "rank"
        and saved.ahp[0][1] == pytest.approx(0.5)
        and saved.ahp[1][0] == 2
    )


def test_bad_run_request_comes_back_as_a_message(personas):
    client = personas["chain_office"].client
    response = client.post(
        "/evaluation/run/", {"framework": "district-ai", "year": "2024", "city": "440106"}, follow=True
    )
    assert "不是地级市区划代码" in response.content.decode()


def test_api_twins(personas, enterprise_a):
    chain = personas["chain_office"].client
    assert {f["key"] for f in chain.get("/api/evaluation/frameworks").json()} == {
        "district-ai",
        "enterprise-merit",
    }
    created = chain.post(
        "/api/evaluation/runs",
        {"framework": "district-ai", "year": 2024, "draws": 50, "seed": 4},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["result"]["method"]["seed"] == 4 and len(body["result"]["entities"]) == 11
    assert {"score", "rank", "pillar_scores", "rank_interval", "name"} <= set(body["result"]["entities"][0])
    detail = personas["district"].client.get(f"/api/evaluation/runs/{body['id']}").json()
    assert detail["provenance"]["数据摘要"] == body["result"]["data"]["sha256"]
    denied = personas["department"].client.post(
        "/api/evaluation/runs", {"framework": "district-ai", "year": 2024}, content_type="application/json"
    )
    assert denied.status_code == 403
    bad = chain.put(
        "/api/evaluation/frameworks/district-ai",
        {"yaml": "id: x", "base_number": 1},
        content_type="application/json",
    )
    assert bad.status_code == 422


ROLES = ("anonymous", "chain_office", "department", "district", "enterprise_a", "expert", "admin")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/evaluation/runs/{run}/", (302, 200, 200, 200, 403, 403, 200)),
        ("/evaluation/runs/{run}/export.xlsx", (302, 200, 200, 200, 403, 403, 200)),
        ("/api/evaluation/runs/{run}", (401, 200, 200, 200, 403, 403, 200)),
    ],
)
def test_each_role_gets_exactly_its_result_pages(personas, enterprise_a, url, expected):
    run = _run(personas["chain_office"].actor)
    for role, status in zip(ROLES, expected, strict=True):
        response = personas[role].client.get(url.format(run=run.pk))
        assert response.status_code == status, f"{role} GET {url}: {response.status_code}"


def test_department_cannot_edit_a_framework_through_the_page(personas):
    response = personas["department"].client.post(
        "/evaluation/frameworks/district-ai/", {"section": "yaml", "base_number": "1", "yaml_text": "id: x"}
    )
    assert response.status_code == 403
    assert services.get_framework(personas["chain_office"].actor, "district-ai").current.number == 1


def test_framework_page_is_read_only_for_readers(personas):
    page = personas["district"].client.get("/evaluation/frameworks/district-ai/").content.decode()
    assert 'name="ahp_0_1"' not in page and "yaml-form" not in page and "ahp-table" in page


def test_district_officer_sees_only_own_district_enterprises_in_a_merit_ranking(
    personas, enterprise_a, enterprise_b
):
    run = services.run_evaluation(
        personas["chain_office"].actor, "enterprise-merit", 2024, GUANGZHOU, {"draws": 50}
    )
    own = services.get_run(personas["district"].actor, run.pk)
    assert [e["id"] for e in own.result["entities"]] == [enterprise_a.credit_code]
    assert (
        own.inputs["ids"] == [enterprise_a.credit_code]
        and enterprise_b.credit_code not in own.inputs["names"]
    )
    body = personas["district"].client.get(f"/api/evaluation/runs/{run.pk}").json()
    assert [e["id"] for e in body["result"]["entities"]] == [enterprise_a.credit_code]
    everyone = services.get_run(personas["department"].actor, run.pk)
    assert len(everyone.result["entities"]) == 2


def test_run_overrides_out_of_range_are_refused(personas):
    chain = personas["chain_office"].actor
    with pytest.raises(ValidationError) as err:
        services.run_evaluation(
            chain, "district-ai", 2024, GUANGZHOU, {"normalisation": "log", "draws": 10**7}
        )
    text = "；".join(err.value.messages)
    assert "normalisation 应为" in text and "draws 应为 0 到 20000" in text
    response = personas["chain_office"].client.post(
        "/api/evaluation/runs",
        {"framework": "district-ai", "year": 2024, "ranking": "vikor"},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_merit_ranking_page_narrows_to_one_district(personas, enterprise_a, enterprise_b):
    run = services.run_evaluation(
        personas["chain_office"].actor, "enterprise-merit", 2024, GUANGZHOU, {"draws": 50}
    )
    body = personas["department"].client.get(f"/evaluation/runs/{run.pk}/?area=440111").content.decode()
    table = body[body.index('id="result-table"') : body.index("</table>", body.index('id="result-table"'))]
    assert enterprise_b.name in table and enterprise_a.name not in table


def test_registry_indicators_are_counted_per_district_and_enterprise(personas, enterprise_a, enterprise_b):
    from lianzhang.evaluation import metrics
    from lianzhang.regions.models import Region

    districts = dict(Region.objects.filter(parent_id=GUANGZHOU, level="county").values_list("code", "name"))
    by_district = metrics.district_metrics(GUANGZHOU, 2024, districts)
    tianhe = by_district["440106"]
    assert tianhe["ai_enterprises"] == 1 and tianhe["high_tech"] == 1 and tianhe["leaders"] == 0
    assert tianhe["patents"] == 9 and tianhe["node_coverage"] >= 1
    # Projects count from their submission date: enterprise A's project was submitted today.
    assert tianhe["projects"] == 0
    assert metrics.district_metrics(GUANGZHOU, date.today().year, districts)["440106"]["projects"] == 1
    assert tianhe["rd_intensity"] == pytest.approx(16.0)
    assert by_district["440103"]["ai_enterprises"] == 0 and by_district["440103"]["rd_intensity"] is None
    values = metrics.enterprise_metrics(GUANGZHOU, 2024)[1]
    a = values[enterprise_a.credit_code]
    assert a["revenue"] == pytest.approx(500.0)  # 5,000,000 yuan = 500 万元
    assert a["rd_intensity"] == pytest.approx(16.0) and a["qualifications"] == 1
    assert a["ai_revenue_share"] is None  # no AI revenue reported
    assert values[enterprise_a.credit_code]["patents"] == 9
    assert metrics.enterprise_metrics(GUANGZHOU, 2023)[1][enterprise_a.credit_code]["revenue"] is None


def test_api_imports_values_and_saves_a_framework_version(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    chain = personas["chain_office"].client
    upload = SimpleUploadedFile("报送.csv", REPORTED.encode(), content_type="text/csv")
    response = chain.post("/api/evaluation/values", {"file": upload, "entity": "district", "year": 2024})
    assert response.status_code == 200, response.content
    assert response.json() == {"values": 5, "entities": 3, "indicators": ["compute_power", "approval_days"]}
    assert IndicatorValue.objects.get(entity_key="440106", indicator="approval_days").value == 15
    current = chain.get("/api/evaluation/frameworks/district-ai").json()
    text = current["yaml"].replace("name: 区人工智能产业综合评价", "name: 区人工智能产业综合评价（试行）")
    saved = chain.put(
        "/api/evaluation/frameworks/district-ai",
        {"yaml": text, "note": "改名", "base_number": current["version"]},
        content_type="application/json",
    )
    assert (
        saved.status_code == 200
        and saved.json()["version"] == 2
        and saved.json()["name"].endswith("（试行）")
    )
    denied = personas["district"].client.put(
        "/api/evaluation/frameworks/district-ai",
        {"yaml": text, "base_number": 2},
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_admin_lists_evaluation_records_without_changing_runs(personas, enterprise_a):
    run = _run(personas["chain_office"].actor)
    admin_client = Client()
    admin_client.force_login(_superuser())
    assert admin_client.get("/admin/evaluation/evaluationrun/").status_code == 200
    assert admin_client.get(f"/admin/evaluation/evaluationrun/{run.pk}/change/").status_code == 200
    assert (
        admin_client.post(f"/admin/evaluation/evaluationrun/{run.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert EvaluationRun.objects.filter(pk=run.pk).exists()


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-1")


def test_bad_judgement_in_the_editor_is_reported_and_nothing_saved(personas):
    client = personas["chain_office"].client
    form = {
        "section": "settings",
        "base_number": "1",
        "normalisation": "minmax",
        "weighting": "ahp",
        "aggregation": "arithmetic",
        "ranking": "weighted_sum",
        "ahp_0_1": "abc",
    }
    for i in range(5):
        for j in range(i + 1, 5):
            form.setdefault(f"ahp_{i}_{j}", "1")
    response = client.post("/evaluation/frameworks/district-ai/", form, follow=True)
    assert "两两比较第 1 行第 2 列：&#x27;abc&#x27; 应为正数或分数" in response.content.decode()
    assert services.get_framework(personas["chain_office"].actor, "district-ai").current.number == 1


def test_accepted_scenarios_are_counted_for_the_district_of_the_scenario(
    personas, enterprise_a, enterprise_b
):
    from lianzhang.evaluation import metrics
    from lianzhang.regions.models import Region
    from lianzhang.scenarios import services as scenarios

    office, owner = personas["chain_office"].actor, personas["enterprise_b"].actor
    districts = dict(Region.objects.filter(parent_id=GUANGZHOU, level="county").values_list("code", "name"))
    demand = scenarios.ScenarioInput(title="外观检测", description="人工目检漏检多，客户投诉。")
    s = scenarios.create_scenario(owner, demand)
    s = scenarios.submit_scenario(owner, s.pk, s.version)
    s = scenarios.review_scenario(office, s.pk, s.version, True)
    s = scenarios.publish_scenario(office, s.pk, s.version)
    bid = scenarios.apply_to_scenario(personas["enterprise_a"].actor, s.pk, "视觉质检方案", 40_000_000)
    scenarios.select_application(office, s.pk, s.version, {bid.pk: 90})
    s.refresh_from_db()
    s = scenarios.contract_scenario(office, s.pk, s.version, [("试运行", date(2025, 6, 30))])
    this_year = date.today().year
    assert (
        metrics.district_metrics(GUANGZHOU, this_year, districts)[s.division_id[:6]]["accepted_scenarios"]
        == 0
    )
    scenarios.complete_milestone(office, s.milestones.get().pk, date(2025, 6, 1))
    with pytest.raises(ValidationError, match="不能早于最后一个里程碑"):
        scenarios.accept_scenario(office, s.pk, s.version, date(2025, 5, 31))
    scenarios.accept_scenario(office, s.pk, s.version, date(2025, 7, 1))
    for year in (2025, this_year):
        counted = metrics.district_metrics(GUANGZHOU, year, districts)
        assert counted[s.division_id[:6]]["accepted_scenarios"] == 1
        assert sum(row["accepted_scenarios"] for row in counted.values()) == 1
    # Accepted in 2025, so it does not count for 2024.
    assert metrics.district_metrics(GUANGZHOU, 2024, districts)[s.division_id[:6]]["accepted_scenarios"] == 0
