"""Small generated policy documents (deterministic), so ingest tests need no real corpus or model."""

from __future__ import annotations

import random
from pathlib import Path

SUBJECTS = ["国家网络安全部门", "人工智能安全研究所", "数据保护机构", "标准化委员会", "行业主管部门", "地方人民政府"]
VERBS = ["应当建立", "负责制定", "定期评估", "依法监督", "组织开展", "统筹推进"]
OBJECTS = ["风险管理框架", "模型安全评测", "数据跨境流动规则", "算法备案制度", "应急响应机制", "个人信息保护措施"]
EN = ["The institute publishes evaluation results each quarter.",
      "Providers must report serious incidents within fifteen days.",
      "Agencies shall designate a chief AI officer."]


def policy_text(number: int, sentences: int = 6, english: bool = False) -> str:
    """A short document unique to ``number``: a heading and ``sentences`` Chinese sentences."""
    rng = random.Random(number)
    lines = [f"# 第{number}号政策文件", ""]
    for i in range(sentences):
        lines.append(
            f"第{i + 1}条 {rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
            f"编号{number}-{i}，并{rng.choice(VERBS)}{rng.choice(OBJECTS)}。"
        )
    if english:
        lines.append(rng.choice(EN))
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, count: int, start: int = 0, sentences: int = 6) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        path = folder / f"doc_{number:03d}.txt"
        path.write_text(policy_text(number, sentences, english=number % 3 == 0), encoding="utf-8")
        paths.append(path)
    return paths
