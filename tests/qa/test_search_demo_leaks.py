"""Leak test over the demo knowledge base: a visitor searching for words that appear only in the
answers of a members-only question gets the question, and not a word of its answers."""

from __future__ import annotations

import html
import json
import re

import pytest

from community.demo import DEMO_THREADS
from community.qa.markdown import plain_text
from tests.qa.search_helpers import (  # noqa: F401 (search_index is an autouse fixture)
    BACKENDS,
    backend_config,
    search_index,
)


@pytest.fixture(params=BACKENDS)
def app_config(app_config, request, database_url):
    return backend_config(app_config, request.param, database_url)


CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
WINDOW = 8


def answer_only_runs(thread: dict) -> list[str]:
    """Chinese runs of the answers that the title and body never contain."""
    question = thread["title"] + plain_text(thread["body"])
    runs = []
    for answer in thread["answers"]:
        for run in CJK_RUN.findall(plain_text(answer["body"])):
            if run[:4] not in question:
                runs.append(run)
    return runs


def windows(text: str) -> set[str]:
    return {text[i : i + WINDOW] for i in range(max(1, len(text) - WINDOW + 1))}


def test_visitors_never_get_answer_text_for_demo_questions(runner, client):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    threads = [json.loads(line) for line in DEMO_THREADS.read_text("utf-8").splitlines()]
    gated = [thread for thread in threads if not thread.get("public") and thread["answers"]]
    checked = 0
    for thread in gated[:15]:
        runs = answer_only_runs(thread)
        if not runs:
            continue
        question_text = thread["title"] + plain_text(thread["body"])
        secret = {
            window
            for answer in thread["answers"]
            for window in windows(plain_text(answer["body"]))
            if window not in question_text
        }
        for query in runs[:2]:
            data = client.get("/api/v1/search", query_string={"q": query[:6]}).get_json()
            page = client.get("/search", query_string={"q": query[:6]}).get_data(as_text=True)
            hits = {hit["external_id"]: hit for hit in data["results"]}
            assert thread["id"] in hits, f"{thread['id']} not found by {query[:6]}"
            hit = hits[thread["id"]]
            snippet = re.sub("</?mark>", "", hit["snippet"])
            row = page.split(f'data-question-id="{hit["id"]}"', 1)[1].split("</li>", 1)[0]
            row = html.unescape(re.sub("</?mark>", "", row))
            leaked = [w for w in secret if w in snippet or w in row]
            assert not leaked, f"{thread['id']}: answer text {leaked[:3]} reached a visitor"
            checked += 1
    assert checked >= 10
