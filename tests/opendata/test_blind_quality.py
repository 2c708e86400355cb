"""Detection quality on blind tables the engine was not tuned on (tests/opendata/blind_set.py).

Cells are scored one by one with the same column flags the scan derives from the header and the values,
so a miss or a false alarm can be named; the real ``scan_file`` must count the same totals per column.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from lianzhang.opendata.deid.detect import TYPES, Hits, cell_names, classify_runs, find_in_text
from lianzhang.opendata.deid.scan import (
    QI_SAMPLE,
    address_header,
    name_column,
    organisation_header,
    passport_header,
    scan_file,
)
from tests.opendata import blind_set

ROWS = 3000
SEED = 20261206
# Checksum-bearing identifiers and the contract's other exact types: both precision and recall.
STRICT = ("id_card", "bank_card", "uscc", "mobile", "email")
FUZZY = ("person_name", "address")
# Floors for the remaining types. Landlines lose precision to 12-digit serial numbers that begin with a
# real-looking area code (0908 93991389); passports of the weak forms (C, W... + digits) need a word such
# as 通行证 or a passport header.
OTHER_FLOORS = {"phone": 0.99, "passport": 0.99, "plate": 0.99, "ip": 0.99}


def cell_counts(table: blind_set.Table) -> list[list[Counter]]:
    """Per row and column, the counts of each type the detector reports for that cell alone."""
    out: list[list[Counter]] = [[] for _ in table.rows]
    for j, header in enumerate(table.header):
        values = [row[j] for row in table.rows]
        names = name_column(header, values[:QI_SAMPLE])
        passport, address = passport_header(header), address_header(header)
        organisation = organisation_header(header)
        for i, value in enumerate(values):
            hits = find_in_text(value, Hits(), passport_column=passport, longest=len(value),
                                address_column=address, organisation_column=organisation)
            if names:
                hits.add("person_name", cell_names(value))
            out[i].append(hits.counts)
    return out


def score(tables: list[blind_set.Table]) -> tuple[dict[str, dict[str, float]], list[tuple]]:
    """Per type precision and recall at cell level, and the cells that disagree with the truth."""
    tp, fp, fn = Counter(), Counter(), Counter()
    wrong: list[tuple] = []
    for table in tables:
        for i, counted in enumerate(cell_counts(table)):
            for j, found in enumerate(counted):
                truth = Counter(kind for kind, _ in table.truth[i][j])
                for kind in TYPES:
                    hit = min(found[kind], truth[kind])
                    tp[kind] += hit
                    fp[kind] += found[kind] - hit
                    fn[kind] += truth[kind] - hit
                    if found[kind] != truth[kind]:
                        wrong.append((kind, found[kind] - truth[kind], table.name, table.header[j],
                                      table.rows[i][j]))
    scores = {}
    for kind in TYPES:
        scores[kind] = {
            "precision": tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0,
            "recall": tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0,
            "planted": tp[kind] + fn[kind],
        }
    return scores, wrong


@pytest.fixture(scope="module")
def tables() -> list[blind_set.Table]:
    return blind_set.generate(ROWS, seed=SEED)


@pytest.fixture(scope="module")
def scored(tables):
    return score(tables)


def _report(wrong: list[tuple], kind: str) -> str:
    """The disagreeing cells of one type, for the assertion message."""
    return "\n".join(repr(w) for w in wrong if w[0] == kind)[:3000]


@pytest.mark.parametrize("kind", STRICT)
def test_exact_identifiers_reach_99_percent(scored, kind):
    scores, wrong = scored
    s = scores[kind]
    assert s["planted"] > 100
    assert s["precision"] >= 0.99 and s["recall"] >= 0.99, (s, _report(wrong, kind))


@pytest.mark.parametrize("kind", FUZZY)
def test_names_and_addresses_reach_90_percent(scored, kind):
    scores, wrong = scored
    s = scores[kind]
    assert s["precision"] >= 0.90 and s["recall"] >= 0.90, (s, _report(wrong, kind))


@pytest.mark.parametrize("kind", sorted(OTHER_FLOORS))
def test_other_types_meet_their_floors(scored, kind):
    scores, wrong = scored
    s = scores[kind]
    floor = OTHER_FLOORS[kind]
    assert s["planted"] > 50
    assert s["precision"] >= floor and s["recall"] >= floor, (s, _report(wrong, kind))


def test_decoy_numbers_are_never_id_cards_or_cards():
    values = blind_set.Values(random.Random(SEED))
    orders = [values.order_number() for _ in range(3000)]
    bad_ids = [values.id_card_bad_check() for _ in range(1500)]
    bad_ids += [values.id_card_bad_date() for _ in range(1500)]
    not_luhn = [values.not_luhn() for _ in range(1500)]
    for decoys in (orders, bad_ids, not_luhn):
        assert "id_card" not in classify_runs(decoys)
    assert "bank_card" not in classify_runs(bad_ids + not_luhn)
    # An 18-digit order number that starts with 62 or 60 and passes Luhn (about 1 in 500) is read as a
    # card: nothing in the digits tells them apart.
    assert classify_runs(orders).count("bank_card") <= len(orders) // 200


def test_scan_file_counts_what_the_cells_count(tables, tmp_path: Path):
    for table in tables:
        report = scan_file(table.write_csv(tmp_path))
        assert report["rows"] == len(table.rows)
        per_cell = [Counter() for _ in table.header]
        for counted in cell_counts(table):
            for j, found in enumerate(counted):
                per_cell[j].update(found)
        for j, column in enumerate(report["columns"]):
            expected = {k: n for k, n in per_cell[j].items() if n}
            assert column["types"] == expected, (table.name, column["name"])


def _credit_code(body: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * w for c, w in zip(body, blind_set.USCC_WEIGHTS, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


def test_credit_codes_count_on_their_own_check_whatever_the_column():
    real = _credit_code("91440101" + "72482175" + "2")  # organisation code 72482175-2 checks
    bare = _credit_code("91440101" + "12345678" + "0")  # passes the code's own check only
    assert find_in_text(real).counts["uscc"] == 1
    assert find_in_text(f"订单备注：供应商{bare}").counts["uscc"] == 1
    assert find_in_text(bare[:-1] + ("0" if bare[-1] != "0" else "1")).counts["uscc"] == 0


def test_redaction_removes_what_the_scan_counts_in_a_names_column():
    from lianzhang.opendata.deid.process import redact

    cells = ["张伟 13812345678", "李娜（母亲）", "王\u3000芳", "吴家豪", "王某某 13800000000", "张江高科"]
    assert redact(cells, "联系人") == [
        "<person_name> <mobile>", "<person_name>（母亲）", "<person_name>", "<person_name>",
        "王某某 <mobile>", "张江高科",
    ]
    assert cell_names("\x1f".join(cells)) == ["张伟", "李娜", "王\u3000芳", "吴家豪"]
