"""Gap analysis and the investment-attraction list: pure Python over DuckDB, no Django.

``analyse_files`` is what the command line, the benchmark and the platform's reference import call:
it reads a local and a reference population (outputs of ``lianzhang screen``), finds the weak links
and ranks outside candidates for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from lianzhang.chains.engine.gaps import GapReport, GapSettings, GroupPattern, NodeGap, analyse
from lianzhang.chains.engine.population import Population, PopulationError, connect, population_sql
from lianzhang.chains.engine.targets import Candidate, rank, yuan_text
from lianzhang.taxonomy import Chain, get_chain

__all__ = [
    "Analysis",
    "Candidate",
    "GapReport",
    "GapSettings",
    "GroupPattern",
    "NodeGap",
    "Population",
    "PopulationError",
    "analyse",
    "analyse_files",
    "population_sql",
    "rank",
    "yuan_text",
]


@dataclass
class Analysis:
    """The gap report and, when asked for, the ranked candidates."""

    report: GapReport
    candidates: list[Candidate]


def analyse_files(
    local: Path,
    reference: Path,
    *,
    chain_id: str = "ai",
    chain: Chain | None = None,
    top: int = 0,
    district: str | None = None,
    settings: GapSettings | None = None,
    threads: int | None = None,
) -> Analysis:
    """Weak links of local against reference, and the top candidates (top=0: none); district filters local.

    chain: an already loaded chain (the platform's, with its extra folders); otherwise chain_id is loaded.
    """
    chain = chain or get_chain(chain_id)
    connection = connect(threads)
    try:
        loc = population_sql(Path(local), "本地名录", connection)
        ref = population_sql(Path(reference), "参照名录", connection)
        if district is not None and not loc.has("district"):
            raise PopulationError("本地名录没有区划列（district、区划代码等），不能按区筛选")
        # The local population is small and read several times: hold it as a table.
        connection.execute(f"CREATE TEMP TABLE local_all AS SELECT * FROM ({loc.sql})")
        if district is not None:
            # Districts are filtered by code prefix, so 4401 keeps the whole city and 440106 one district.
            connection.execute(
                "CREATE TEMP TABLE local_population AS SELECT * FROM local_all WHERE district LIKE ? || '%'",
                [district],
            )
        analysed = "local_population" if district is not None else "local_all"
        report = analyse(chain, loc, ref, connection, settings, local_relation=analysed)
        # Candidates are never local, whichever district is analysed: a district does not recruit from
        # its neighbours in the same city.
        candidates = rank(chain, report, loc, ref, connection, top, local_relation="local_all") if top else []
        return Analysis(report=report, candidates=candidates)
    except duckdb.Error as exc:
        # A cell DuckDB cannot convert, a file cut short: one line for the user, not a trace.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PopulationError(f"读取名录时出错：{first}") from None
    finally:
        connection.close()
