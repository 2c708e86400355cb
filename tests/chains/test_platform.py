"""The chain map, stored weak-link analysis, Excel list and the investment pipeline on the platform."""

from __future__ import annotations

import io
from datetime import date

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from typer.testing import CliRunner

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.chains import services
from lianzhang.chains.cli import chain_app
from lianzhang.chains.models import Candidate, GapAnalysis, ReferencePopulation
from lianzhang.chains.synthetic import population_batch
from lianzhang.common.chains import platform_chain
from lianzhang.enterprises import services as registry_services
from lianzhang.enterprises.models import NodeAssignment
from lianzhang.enterprises.records import YearFigures
from tests.conftest import HOME_DISTRICT, OTHER_DISTRICT, enterprise_record


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "data_dir", lambda: tmp_path)
    return tmp_path


@pytest.fixture
def reference(db, data_dir, tmp_path):
    """A small screened province registry imported as the reference."""
    source = tmp_path / "province.parquet"
    pq.write_table(
        population_batch(platform_chain("ai"), 3000, seed=7, districts=("440305", "440604")), source
    )
    return services.import_reference(SYSTEM, source, "全省（测试）")


def vision_count(data: dict) -> int:
    return next(n["count"] for n in data["nodes"] if n["id"] == "vision")


def test_the_map_counts_stored_node_assignments_by_district(personas, enterprise_a, enterprise_b):
    actor = personas["chain_office"].actor
    nodes_a = set(NodeAssignment.objects.filter(enterprise=enterprise_a).values_list("node", flat=True))
    assert "vision" in nodes_a
    city = services.chain_map(actor)
    home = services.chain_map(actor, district=HOME_DISTRICT)
    assert vision_count(city) >= vision_count(home) == 1
    assert {d["code"] for d in city["heatmap"]["districts"]} == {HOME_DISTRICT, OTHER_DISTRICT}
    assert len(city["edges"]) == len(platform_chain("ai").edges())


def test_lenses_place_nodes_in_their_columns(personas, enterprise_a):
    actor = personas["district"].actor
    by_segment = services.chain_map(actor, lens="segment")
    chip = next(n for n in by_segment["nodes"] if n["id"] == "chip")
    assert by_segment["columns"][chip["column"]].startswith("芯")
    national = services.chain_map(actor, lens="national")
    vision = next(n for n in national["nodes"] if n["id"] == "vision")
    assert national["columns"][vision["column"]].startswith("1.5.1")


def test_two_districts_side_by_side(personas, enterprise_a, enterprise_b):
    data = services.chain_map(personas["department"].actor, district=HOME_DISTRICT, compare=OTHER_DISTRICT)
    comparison = data["comparison"]
    assert (
        len(comparison["labels"]) == 2
        and comparison["measure"] == "企业数"
        and len(comparison["nodes"]) == len(platform_chain("ai").nodes)
    )
    vision = next(n for n in comparison["nodes"] if n["id"] == "vision")
    assert vision["a"] == 1


def test_node_detail_lists_only_enterprises_the_district_officer_may_see(
    personas, enterprise_a, enterprise_b
):
    shared = set(NodeAssignment.objects.filter(enterprise=enterprise_a).values_list("node", flat=True)) & set(
        NodeAssignment.objects.filter(enterprise=enterprise_b).values_list("node", flat=True)
    )
    node = sorted(shared)[0] if shared else "vision"
    seen = {e["name"] for e in services.node_detail(personas["district"].actor, node)["enterprises"]}
    assert enterprise_b.name not in seen
    everyone = {e["name"] for e in services.node_detail(personas["chain_office"].actor, node)["enterprises"]}
    assert enterprise_a.name in everyone


def test_enterprise_users_cannot_open_the_map(personas):
    with pytest.raises(PermissionDenied):
        services.chain_map(personas["enterprise_a"].actor)


def test_map_page_and_its_json_twin_render(personas, enterprise_a):
    client = personas["chain_office"].client
    page = client.get("/chains/?lens=segment")
    assert page.status_code == 200 and "plotly" in page.content.decode()
    assert client.get("/chains/?format=json").json()["lens"] == "layer"
    node = client.get("/chains/nodes/vision/").json()
    assert node["name"] == "计算机视觉" or node["id"] == "vision"


# ------------------------------------------------------------------------------------ analysis


def test_a_reference_is_kept_as_parquet_in_the_data_folder(reference, data_dir):
    assert reference.records == 3000 and 0 < reference.on_chain < 3000
    assert (data_dir / reference.file).is_file() and reference.file.startswith("reference/")
    assert "revenue_fen" in reference.fields


def test_importing_a_file_without_screening_columns_is_refused(db, data_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("统一社会信用代码,企业名称\n1,甲\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        services.import_reference(SYSTEM, bad, "坏文件")
    assert "缺少列 id、nodes" in caught.value.messages[0]


def test_only_the_chain_office_runs_the_analysis(personas, reference):
    with pytest.raises(PermissionDenied):
        services.run_analysis(personas["district"].actor, reference.pk)


def test_the_stored_analysis_has_explanations_and_outside_candidates(personas, reference, enterprise_a):
    analysis = services.run_analysis(personas["chain_office"].actor, reference.pk, top=10)
    assert analysis.local_records == 2
    assert len(analysis.report["nodes"]) == len(platform_chain("ai").nodes)
    assert all(n["explanation"] for n in analysis.report["nodes"])
    assert analysis.candidates and all(c["id"] != enterprise_a.credit_code for c in analysis.candidates)
    assert AuditEntry.objects.filter(model="chains.gapanalysis", action="analyse").exists()
    page = personas["district"].client.get("/chains/gaps/").content.decode()
    assert analysis.candidates[0]["name"] in page and "建立线索" in page


def test_the_list_exports_to_excel_with_the_team_already_chasing(personas, reference):
    analysis = services.run_analysis(SYSTEM, reference.pk, top=5)
    first = analysis.candidates[0]
    services.claim_candidate(
        personas["district"].actor,
        services.CandidateInput(first["id"], first["name"], first["node"], HOME_DISTRICT),
    )
    response = personas["department"].client.get("/chains/targets.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook["招商清单"].iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "统一社会信用代码", "企业名称", "补链环节")
    assert rows[1][1] == first["id"] and rows[1][-1] == "天河区"
    assert len(rows) == 1 + len(analysis.candidates)
    assert workbook["薄弱环节"].max_row == 1 + len(platform_chain("ai").nodes)


def test_export_before_any_analysis_is_not_found(personas):
    assert personas["chain_office"].client.get("/chains/targets.xlsx").status_code == 404


# ------------------------------------------------------------------------------------ pipeline


def lead(external_id: str = "91440300X1", team: str = HOME_DISTRICT) -> services.CandidateInput:
    return services.CandidateInput(
        external_id, "外地芯片有限公司", "chip", team, score=80.0, reason="补 AI芯片"
    )


def test_a_district_claims_a_lead_for_its_own_team_only(personas):
    actor = personas["district"].actor
    candidate = services.claim_candidate(actor, lead())
    assert (candidate.team_id, candidate.stage) == (HOME_DISTRICT, "lead")
    with pytest.raises(ValidationError, match="只能为本区"):
        services.claim_candidate(actor, lead("91440300X2", OTHER_DISTRICT))


def test_a_second_district_learns_who_chases_the_company(personas):
    services.claim_candidate(personas["district"].actor, lead())
    with pytest.raises(ValidationError) as caught:
        services.claim_candidate(personas["other_district"].actor, lead(team=OTHER_DISTRICT))
    assert "天河区" in caught.value.messages[0]
    assert Candidate.objects.count() == 1


def test_the_pipeline_moves_forward_and_every_step_is_audited(personas):
    actor = personas["district"].actor
    candidate = services.claim_candidate(actor, lead())
    candidate = services.advance_candidate(actor, candidate.pk, candidate.version, "contact", "首次拜访")
    candidate = services.advance_candidate(actor, candidate.pk, candidate.version, "negotiation")
    with pytest.raises(ValidationError, match="只能向后推进"):
        services.advance_candidate(actor, candidate.pk, candidate.version, "contact")
    assert [h.to_stage for h in candidate.history.all()] == ["lead", "contact", "negotiation"]
    actions = list(
        AuditEntry.objects.filter(model="chains.candidate", object_id=str(candidate.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "transition", "transition"]


def test_another_district_cannot_move_a_candidate_it_does_not_own(personas):
    candidate = services.claim_candidate(personas["district"].actor, lead())
    with pytest.raises(PermissionDenied):
        services.advance_candidate(
            personas["other_district"].actor, candidate.pk, candidate.version, "contact"
        )
    with pytest.raises(PermissionDenied):
        services.record_referral(
            personas["other_district"].actor, candidate.pk, ambassador="张三", referred_on=date(2025, 3, 1)
        )


def test_the_chain_office_hands_a_candidate_to_another_team(personas):
    candidate = services.claim_candidate(personas["district"].actor, lead())
    with pytest.raises(PermissionDenied):
        services.reassign_candidate(
            personas["district"].actor, candidate.pk, candidate.version, OTHER_DISTRICT
        )
    moved = services.reassign_candidate(
        personas["chain_office"].actor, candidate.pk, candidate.version, OTHER_DISTRICT, "白云区有对口园区"
    )
    assert moved.team_id == OTHER_DISTRICT
    assert moved.history.last().from_team == HOME_DISTRICT
    # The new team may now work it, the old one no longer.
    services.advance_candidate(personas["other_district"].actor, moved.pk, moved.version, "contact")
    with pytest.raises(PermissionDenied):
        services.advance_candidate(personas["district"].actor, moved.pk, moved.version + 1, "negotiation")


def test_referrals_record_the_ambassador_and_outcome(personas):
    candidate = services.claim_candidate(personas["district"].actor, lead())
    referral = services.record_referral(
        personas["district"].actor,
        candidate.pk,
        ambassador="李四",
        organisation="某商会",
        referred_on=date(2025, 3, 1),
        outcome="signed",
    )
    assert referral.get_outcome_display() == "已签约"
    assert AuditEntry.objects.filter(model="chains.referral").count() == 1
    with pytest.raises(ValidationError):
        services.record_referral(
            personas["district"].actor, candidate.pk, ambassador=" ", referred_on=date.today()
        )


def test_departments_read_the_pipeline_but_cannot_claim(personas):
    services.claim_candidate(personas["district"].actor, lead())
    assert services.list_candidates(personas["department"].actor).count() == 1
    with pytest.raises(PermissionDenied):
        services.claim_candidate(personas["department"].actor, lead("91440300X9"))


def test_pipeline_pages_show_the_team_and_accept_the_forms(personas):
    client = personas["district"].client
    response = client.post(
        "/chains/pipeline/claim/",
        {"external_id": "91440300X1", "name": "外地芯片有限公司", "node": "chip", "score": "80"},
    )
    candidate = Candidate.objects.get()
    assert response.status_code == 302 and candidate.team_id == HOME_DISTRICT
    client.post(
        f"/chains/pipeline/{candidate.pk}/advance/", {"version": candidate.version, "stage": "contact"}
    )
    candidate.refresh_from_db()
    assert candidate.stage == "contact"
    listing = personas["other_district"].client.get("/chains/pipeline/").content.decode()
    assert "外地芯片有限公司" in listing and "天河区" in listing and "AI芯片与智能计算芯片" in listing
    detail = personas["other_district"].client.get(f"/chains/pipeline/{candidate.pk}/").content.decode()
    assert "推进到" not in detail


def test_the_map_follows_registry_changes(personas, enterprise_a):
    actor = personas["chain_office"].actor
    before = vision_count(services.chain_map(actor))
    registry_services.create_enterprise(SYSTEM, enterprise_record("丙视觉科技有限公司", "440106001", 3))
    assert vision_count(services.chain_map(actor)) == before + 1


def test_the_command_line_imports_a_reference_and_stores_an_analysis(db, data_dir, tmp_path, enterprise_a):
    source = tmp_path / "province.csv"
    parquet = tmp_path / "province.parquet"
    pq.write_table(population_batch(platform_chain("ai"), 500, seed=3, districts=("440305",)), parquet)
    # The CSV form of a screening output: nodes joined by semicolons.
    joined = "SELECT * REPLACE (array_to_string(nodes, ';') AS nodes)"
    duckdb.sql(f"COPY ({joined} FROM read_parquet('{parquet}')) TO '{source}' (HEADER)")
    runner = CliRunner()
    imported = runner.invoke(chain_app, ["import-reference", str(source), "--name", "全省"])
    assert imported.exit_code == 0, imported.output
    reference = ReferencePopulation.objects.get()
    assert reference.records == 500 and (data_dir / reference.file).suffix == ".parquet"
    analysed = runner.invoke(chain_app, ["analyse", "--top", "5"])
    assert analysed.exit_code == 0, analysed.output
    assert "分析完成" in analysed.output and GapAnalysis.objects.get().reference == reference
    missing = runner.invoke(chain_app, ["import-reference", str(tmp_path / "nope.csv"), "--name", "无"])
    assert missing.exit_code == 1 and "不存在" in missing.output


def test_two_years_side_by_side_by_revenue(personas, enterprise_a):
    registry_services.create_enterprise(
        SYSTEM,
        enterprise_record(
            "丁视觉科技有限公司",
            "440106001",
            4,
            figures=[
                YearFigures(year=2023, revenue_fen=100_000_000),
                YearFigures(year=2024, revenue_fen=300_000_000),
            ],
        ),
    )
    data = services.chain_map(personas["chain_office"].actor, years=(2023, 2024))
    vision = next(n for n in data["comparison"]["nodes"] if n["id"] == "vision")
    # 甲 and 乙 (both on the vision node) report 500 万元 for 2024 only; 丁 100 then 300 万元.
    assert (vision["a"], vision["b"]) == (100.0, 1300.0)
    assert data["comparison"]["labels"] == ["2023 年", "2024 年"] and 2024 in data["years"]
