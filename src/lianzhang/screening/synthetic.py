"""Synthetic registry records for benchmarks and tests: realistic business scopes of about 150 characters.

The scopes are built the way registries print them (一般项目：…；…（除依法须经批准的项目外…）) from
ordinary trade items and AI-chain items; about one record in five carries chain items.
benchmarks/classify_speed.py uses the same generator, so the screening and engine figures are measured on
the same kind of record.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyarrow as pa

ORDINARY = (
    "软件开发",
    "信息系统集成服务",
    "信息技术咨询服务",
    "计算机软硬件及辅助设备批发",
    "电子产品销售",
    "通讯设备销售",
    "办公设备销售",
    "会议及展览服务",
    "企业管理咨询",
    "五金产品批发",
    "机械设备销售",
    "日用百货销售",
    "家用电器销售",
    "市场营销策划",
    "广告设计、代理",
    "物联网技术服务",
    "数据处理服务",
    "建筑材料销售",
    "服装服饰零售",
    "普通货物仓储服务",
    "国内货物运输代理",
    "餐饮管理",
    "物业管理",
    "园林绿化工程施工",
    "塑料制品制造",
    "金属制品销售",
    "化工产品销售（不含许可类化工产品）",
    "手机零售",
    "保安服务",
    "智能电网设备制造",
    "建筑智能化工程施工",
    "财务软件销售",
    "玩具销售",
)
AI_ITEMS = (
    "人工智能应用软件开发",
    "计算机视觉算法研发",
    "智能语音识别软件开发",
    "服务消费机器人制造",
    "工业机器人制造",
    "智能无人飞行器制造",
    "可穿戴智能设备制造",
    "智能车载设备制造",
    "自动驾驶系统研发",
    "人工智能芯片研发",
    "激光雷达研发",
    "伺服电机制造",
    "大模型训练服务",
    "数据标注服务",
    "智能安防系统集成",
    "智慧医疗系统开发",
    "智能家居系统集成",
    "知识图谱平台开发",
    "人脸识别算法研发",
    "算力租赁",
)
HEAD = "一般项目："
TAIL = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
TECH = "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广"
_NAME_STEMS = ("智瞳", "云帆", "华禾", "启明", "星河", "正通", "远图", "嘉和", "海纳", "天衡")
_NAME_TRADES = ("科技", "信息技术", "智能科技", "贸易", "电子", "机器人", "实业", "网络科技")
# Main products follow the business: chain products for chain records, ordinary goods (or none) otherwise.
_AI_PRODUCTS = ("视觉检测平台", "智能语音助手", "巡检机器人", "激光雷达模组", "")
_PRODUCTS = ("办公耗材", "服装", "五金配件", "日用百货", "", "")


def synthetic_scopes(n: int, seed: int = 2024) -> Iterator[tuple[str, bool]]:
    """Yield (scope, has_chain_item) pairs of about 150 characters."""
    rng = random.Random(seed)
    for _ in range(n):
        ai = rng.random() < 0.2
        items = [TECH] if rng.random() < 0.6 else []
        if ai:
            items += rng.sample(AI_ITEMS, rng.randint(1, 3))
        items += rng.sample(ORDINARY, rng.randint(3, 6))
        text = HEAD + "；".join(items)
        while len(text) < 115:
            text += "；" + rng.choice(ORDINARY)
        yield text + TAIL, ai


def synthetic_records(n: int, seed: int = 2024, start: int = 0) -> Iterator[dict[str, str]]:
    """Yield registry records: id (credit-code shaped), name, scope (经营范围) and products (主要产品)."""
    names = random.Random(seed + 1)
    for offset, (scope, ai) in enumerate(synthetic_scopes(n, seed)):
        number = start + offset
        name = f"广州{names.choice(_NAME_STEMS)}{names.choice(_NAME_TRADES)}有限公司"
        yield {
            "id": f"91440101MA{number:08d}",
            "name": name,
            "scope": scope,
            "products": names.choice(_AI_PRODUCTS if ai else _PRODUCTS),
        }


def write_parquet(path: str, n: int, seed: int = 2024, batch_rows: int = 100_000) -> int:
    """Write n synthetic records to Parquet (columns 统一社会信用代码, 企业名称, 经营范围, 主要产品)."""
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("统一社会信用代码", pa.string()),
            ("企业名称", pa.string()),
            ("经营范围", pa.string()),
            ("主要产品", pa.string()),
        ]
    )
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        while written < n:
            size = min(batch_rows, n - written)
            # Each batch has its own seed, so memory stays flat however many records are asked for.
            rows = list(synthetic_records(size, seed * 1_000_003 + written, start=written))
            writer.write_table(
                pa.table(
                    [
                        [r["id"] for r in rows],
                        [r["name"] for r in rows],
                        [r["scope"] for r in rows],
                        [r["products"] for r in rows],
                    ],
                    schema=schema,
                )
            )
            written += size
    return written
