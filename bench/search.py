"""Search benchmark: index and tokenise throughput, query latency next to SQLite FTS5, memory.

Generates a deterministic Chinese-heavy corpus of 100,000 questions (override with
`--documents N`), indexes it with the Whoosh backend in a temporary directory and prints:
bulk index throughput (in `--processes` processes, default one per CPU) next to raw tokenisation
throughput of the same text in one process; p50/p95 of 200 queries, matched as a member (the
whole text) and as a visitor (what is open to all), next to SQLite FTS5 (trigram tokenizer) on
the same corpus; the resident memory of a fresh worker process with the dictionary loaded and the
index open. With `--postgres URL` (a database of your own: the bench creates and drops its
`search_documents` and `search_state` tables there) it also indexes and queries the PostgreSQL
backend;
`--postgres-only` skips the rest, `--postgres-results FILE` writes every query's totals, pages
(ids and scores) and facets as JSON, to compare two versions of the backend.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import rjieba

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from community.search.analysis import bigram_tuples, use_dictionary, word_tuples  # noqa: E402
from community.search.documents import AnswerText, SearchDocument  # noqa: E402
from community.search.query import parse_query, plan_query  # noqa: E402
from community.search.whoosh_backend import WhooshBackend  # noqa: E402

SEED = 20261125
DICTIONARY = ["淘宝客", "年费", "返利", "比特币", "百亿补贴", "价保", "组合贷", "零钱通"]
TOPIC_TEXT = """
比特币 钱包 交易所 区块链 理财 基金 定投 指数 股票 券商 佣金 港股 美股 银行 信用卡 年费 积分 里程
征信 逾期 房贷 公积金 组合贷 利率 提前还款 个税 退税 社保 医保 保险 重疾险 医疗险 车险 淘宝 京东
拼多多 天猫 百亿补贴 价保 退款 快递 优惠券 返利 淘宝客 提现 会员 续费 路由器 宽带 手机 套餐
电脑 显卡 相机 镜头 无人机 耳机 手表 平板 签证 护照 机票 酒店 高铁 自驾 租房 押金 装修 家电 洗碗机
空调 冰箱 净化器 扫地机器人 猫粮 狗粮 疫苗 体检 跑步 健身 减肥 咖啡 茶叶 英语 雅思 考研 留学 幼儿园
学区 育儿 奶粉 电动车 充电桩 二手车 驾照 支付宝 微信 零钱通 数字人民币 外汇 黄金
"""
FILLER_TEXT = """
请问 大家 有没有 推荐 经验 觉得 怎么样 最近 准备 打算 因为 所以 但是 还是 比较 非常 已经 现在
之前 之后 如果 的话 可以 需要 应该 问题 方法 情况 时候 一般 其实 建议 注意 关键 价格 预算
划算 靠谱 安全 方便 麻烦 便宜 贵 好用 质量 服务 售后 流程 材料 时间 一年 每个月 第一次
"""
LATIN_TEXT = "iPhone WiFi Python Docker Linux Mac Windows NAS ChatGPT App VPN Excel PDF USB CPU"
TOPICS = TOPIC_TEXT.split()
FILLER = FILLER_TEXT.split()
LATIN = LATIN_TEXT.split()
PUNCTUATION = "，。？！、"


def sentence(rng: random.Random, words: int, topics: list[str]) -> str:
    """Mostly everyday words, a few words of the question's own topics, some Latin words."""
    parts = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.15:
            parts.append(rng.choice(topics))
        elif roll < 0.18:
            parts.append(rng.choice(TOPICS))
        elif roll < 0.96:
            parts.append(rng.choice(FILLER))
        else:
            parts.append(f" {rng.choice(LATIN)} ")
        if rng.random() < 0.12:
            parts.append(rng.choice(PUNCTUATION))
    return "".join(parts).strip() + "。"


def corpus(count: int) -> list[SearchDocument]:
    rng = random.Random(SEED)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    documents = []
    for number in range(1, count + 1):
        topics = rng.sample(TOPICS, 2)
        answers = [
            AnswerText(
                sentence(rng, rng.randint(20, 80), topics),
                accepted=index == 0 and rng.random() < 0.5,
            )
            for index in range(rng.choice((0, 1, 1, 2, 2, 3)))
        ]
        created = start + timedelta(minutes=number * 7)
        documents.append(
            SearchDocument(
                id=number,
                title=sentence(rng, rng.randint(4, 9), topics).rstrip("。") + "？",
                body=sentence(rng, rng.randint(15, 70), topics),
                answers=answers,
                tags=topics[: rng.randint(1, 2)],
                author=f"user{rng.randint(1, 5000)}",
                featured=rng.random() < 0.03,
                votes=rng.randint(-2, 30),
                created_at=created,
                updated_at=created,
            )
        )
    return documents


def texts_of(doc: SearchDocument) -> list[str]:
    return [doc.title, doc.body, *(answer.body for answer in doc.answers)]


def queries(count: int = 200) -> list[str]:
    rng = random.Random(SEED + 1)
    made = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            made.append(" ".join(rng.sample(TOPICS, 2)))
        elif kind < 0.8:
            made.append(rng.choice(TOPICS) + rng.choice(FILLER))
        elif kind < 0.9:
            made.append(f'"{rng.choice(TOPICS)}{rng.choice(FILLER)}"')
        else:
            made.append(f"{rng.choice(LATIN)} {rng.choice(TOPICS)}")
    return made


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_tokenisation(documents: list[SearchDocument]) -> tuple[float, float, int]:
    """Characters per second: raw jieba (rjieba) and our whole analyzer (words and bigrams)."""
    texts = [text for doc in documents for text in texts_of(doc)]
    characters = sum(map(len, texts))
    started = time.perf_counter()
    for text in texts:
        rjieba.cut_for_search(text, True)
    raw = characters / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in texts:
        word_tuples(text)
        bigram_tuples(text)
    ours = characters / (time.perf_counter() - started)
    return raw, ours, characters


def build_whoosh(directory: Path, documents: list[SearchDocument], processes: int) -> float:
    backend = WhooshBackend(str(directory))
    started = time.perf_counter()
    backend.rebuild(iter(documents), lambda count: None, processes)
    return time.perf_counter() - started


def backend_latencies(backend, made: list[str], open_only: bool) -> tuple[list[float], int]:
    """Milliseconds per query and how many found something, for a member (the whole text) or
    for a visitor (`open_only`: what is open to all)."""
    backend.search(
        plan_query(parse_query("预热")), page=1, per_page=20, sort="relevance", open_only=False
    )
    latencies, found = [], 0
    for text in made:
        started = time.perf_counter()
        results = backend.search(
            plan_query(parse_query(text)),
            page=1,
            per_page=20,
            sort="relevance",
            open_only=open_only,
        )
        latencies.append((time.perf_counter() - started) * 1000)
        found += bool(results.total)
    return latencies, found


def postgres_figures(
    url: str, documents: list[SearchDocument], made: list[str], processes: int, results: str | None
) -> None:
    """Index and query the PostgreSQL backend in `url`, in a table the bench creates and drops."""
    from community import create_app
    from community.extensions import db
    from community.search.models import IndexedDocument, IndexState
    from community.search.postgres_backend import PostgresBackend

    with tempfile.TemporaryDirectory() as instance:
        config = {"ENV_NAME": "testing", "SECRET_KEY": "bench", "INSTANCE_PATH": instance}
        app = create_app(config | {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_BACKEND": "postgres"})
        with app.app_context():
            table = IndexedDocument.__table__
            table.create(db.engine)
            # Where a rebuild records the format of the table it made.
            IndexState.__table__.create(db.engine)
            try:
                backend = PostgresBackend()
                started = time.perf_counter()
                backend.rebuild(iter(documents), lambda count: None, processes)
                seconds = time.perf_counter() - started
                queried = {
                    who: backend_latencies(backend, made, open_only=who == "visitors")
                    for who in ("members", "visitors")
                }
                if results:
                    Path(results).write_text(
                        json.dumps(result_pages(backend, made), indent=1, ensure_ascii=False)
                    )
            finally:
                db.session.rollback()
                table.drop(db.engine)
                IndexState.__table__.drop(db.engine)
    report(
        f"bulk index (PostgreSQL, {processes} processes)",
        f"{len(documents) / seconds:,.0f} questions/s",
    )
    for who, (latencies, found) in queried.items():
        report(
            f"queries x{len(made)}, PostgreSQL, {who}",
            f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms,"
            f" {found} with results",
        )


def result_pages(backend, made: list[str]) -> dict:
    """Per query: total, facets, and ids and scores of relevance pages 1-2, newest and votes."""
    pages = {"relevance": (1, 2), "newest": (1,), "votes": (1,)}
    found = {}
    for text in made:
        plan = plan_query(parse_query(text))
        entry = {}
        for sort, numbers in pages.items():
            for page in numbers:
                results = backend.search(plan, page=page, per_page=20, sort=sort, open_only=False)
                entry[f"{sort} {page}"] = [
                    (int(values["id"]), round(score, 6)) for values, score in results.entries
                ]
        entry["total"], entry["facets"] = results.total, results.facets
        found[text] = entry
    return found


def build_fts5(path: Path, documents: list[SearchDocument]) -> float:
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE VIRTUAL TABLE questions USING fts5(title, body, answers, tokenize='trigram')"
    )
    started = time.perf_counter()
    connection.executemany(
        "INSERT INTO questions(rowid, title, body, answers) VALUES (?, ?, ?, ?)",
        (
            (doc.id, doc.title, doc.body, "\n".join(answer.body for answer in doc.answers))
            for doc in documents
        ),
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def fts5_query(text: str) -> str:
    """FTS5 trigram: every word of three characters or more as a quoted string, OR-ed."""
    words = [word.strip('"') for word in text.split()]
    return " OR ".join(f'"{word}"' for word in words if len(word) >= 3)


def fts5_latencies(path: Path, made: list[str]) -> tuple[list[float], int]:
    connection = sqlite3.connect(path)
    latencies, found = [], 0
    for text in made:
        words = [word.strip('"') for word in text.split()]
        started = time.perf_counter()
        match = fts5_query(text)
        if match:
            rows = connection.execute(
                "SELECT rowid, snippet(questions, 1, '<mark>', '</mark>', '…', 20) FROM questions"
                " WHERE questions MATCH ? ORDER BY rank LIMIT 20",
                (match,),
            ).fetchall()
        else:
            like = " OR ".join("title LIKE ? OR body LIKE ?" for _ in words)
            rows = connection.execute(
                f"SELECT rowid FROM questions WHERE {like} LIMIT 20",  # noqa: S608
                [f"%{word}%" for word in words for _ in range(2)],
            ).fetchall()
        latencies.append((time.perf_counter() - started) * 1000)
        found += bool(rows)
    connection.close()
    return latencies, found


def measure_worker(directory: str) -> None:
    """Run inside a fresh process: the whole app, the dictionary, the index, 50 queries; RSS."""
    from community import create_app
    from community.search.service import search_service

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "INSTANCE_PATH": instance,
                "SEARCH_INDEX_DIR": directory,
            }
        )
        with app.app_context():
            use_dictionary(DICTIONARY)
            backend = search_service().backend
            for text in queries()[:50]:
                backend.search(
                    plan_query(parse_query(text)),
                    page=1,
                    per_page=20,
                    sort="relevance",
                    open_only=False,
                )
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    print(json.dumps({key: int(status[key].split()[0]) for key in ("VmRSS", "VmHWM", "RssAnon")}))


def worker_memory(directory: Path) -> dict:
    output = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, __file__, "--measure-worker", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def report(label: str, value: str) -> None:
    print(f"{label:<44} {value}")


def local_figures(documents: list[SearchDocument], made: list[str], processes: int) -> None:
    """Tokenisation, Whoosh and SQLite FTS5 figures, and a Whoosh worker's memory."""
    raw, ours, characters = measure_tokenisation(documents)
    report(
        "text", f"{characters / 1e6:.1f} M chars, {characters / len(documents):.0f} per question"
    )
    report("raw tokenisation (rjieba, search mode)", f"{raw / 1e6:.2f} M chars/s")
    report("our analyzer (fold, words, stems, bigrams)", f"{ours / 1e6:.2f} M chars/s")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        seconds = build_whoosh(scratch / "whoosh", documents, processes)
        indexed = characters / seconds
        report(
            f"bulk index (Whoosh, {processes} processes)",
            f"{len(documents) / seconds:,.0f} questions/s, {indexed / 1e6:.2f} M chars/s"
            f" = {indexed / raw:.3f}x raw tokenisation in one process"
            f" ({indexed / raw / processes:.3f}x per process), {indexed / ours:.2f}x our analyzer"
            " (goal >= 0.5x raw)",
        )
        fts_seconds = build_fts5(scratch / "fts.db", documents)
        report(
            "bulk index (SQLite FTS5 trigram)", f"{len(documents) / fts_seconds:,.0f} questions/s"
        )

        whoosh, p95s = WhooshBackend(str(scratch / "whoosh")), []
        for who in ("members", "visitors"):
            latencies, found = backend_latencies(whoosh, made, open_only=who == "visitors")
            p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
            p95s.append(p95)
            report(
                f"queries x{len(made)}, Whoosh in-process, {who}",
                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, {found} with results (goal p95 <= 50 ms)",
            )
        fts, fts_found = fts5_latencies(scratch / "fts.db", made)
        f50, f95 = statistics.median(fts), percentile(fts, 0.95)
        report(
            f"queries x{len(made)}, SQLite FTS5 trigram",
            f"p50 {f50:.1f} ms, p95 {f95:.1f} ms, {fts_found} with results",
        )
        report("p95 Whoosh (slower reader) / FTS5", f"{max(p95s) / f95:.1f}x (goal <= 3x)")

        memory = worker_memory(scratch / "whoosh")
        report(
            "worker RSS (app, dictionary, index, queries)",
            f"{memory['VmRSS'] / 1024:.0f} MB (peak {memory['VmHWM'] / 1024:.0f} MB,"
            f" anonymous {memory['RssAnon'] / 1024:.0f} MB; goal <= 200 MB)",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--postgres", metavar="URL", help="also bench the PostgreSQL backend")
    parser.add_argument(
        "--postgres-only", action="store_true", help="bench the PostgreSQL backend alone"
    )
    parser.add_argument("--postgres-results", metavar="FILE", help="write PostgreSQL results")
    parser.add_argument("--measure-worker", metavar="INDEX_DIR", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure_worker:
        measure_worker(arguments.measure_worker)
        return
    if arguments.postgres_only and not arguments.postgres:
        parser.error("--postgres-only needs --postgres URL")
    use_dictionary(DICTIONARY)
    started = time.perf_counter()
    documents = corpus(arguments.documents)
    made = queries()
    report("corpus", f"{len(documents):,} questions ({time.perf_counter() - started:.1f} s)")
    if not arguments.postgres_only:
        local_figures(documents, made, arguments.processes)
    if arguments.postgres:
        postgres_figures(
            arguments.postgres, documents, made, arguments.processes, arguments.postgres_results
        )


if __name__ == "__main__":
    main()
