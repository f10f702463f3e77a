"""Leak test over the demo knowledge base: words that appear only in the answers of a
members-only question find it for a member; a visitor searching for them does not get that
question, nor a word of its answers from any result."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.tokens import create_api_token
from community.demo import DEMO_THREADS
from community.extensions import db
from community.qa.markdown import plain_text, teaser
from community.search.analysis import analyze, bigrams, query_bigrams, query_words
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
    """Chinese runs of the answers (their first six characters) that share no term and no
    bigram with what a visitor may read of the question: title, teaser and tags."""
    shown = " ".join([thread["title"], teaser(thread["body"]), *thread.get("tags", [])])
    open_terms = {term.text for term in analyze(shown)} | {term.text for term in bigrams(shown)}
    runs = []
    for answer in thread["answers"]:
        for run in CJK_RUN.findall(plain_text(answer["body"])):
            terms = set(query_words(run[:6])) | set(query_bigrams(run[:6]))
            if not terms & open_terms:
                runs.append(run[:6])
    return runs


def windows(text: str) -> set[str]:
    return {text[i : i + WINDOW] for i in range(max(1, len(text) - WINDOW + 1))}


def member_headers() -> dict:
    member = db.session.scalar(select(User).where(User.email == "member@example.com"))
    _token, raw = create_api_token(member, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_visitors_never_get_answer_text_for_demo_questions(runner, client):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    headers = member_headers()
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
            words = {"q": query}
            members = client.get("/api/v1/search", query_string=words, headers=headers).get_json()
            found = {hit["external_id"] for hit in members["results"]}
            assert thread["id"] in found, f"{thread['id']} not found by {query} for a member"
            data = client.get("/api/v1/search", query_string=words).get_json()
            page = client.get("/search", query_string=words).get_data(as_text=True)
            hits = {hit["external_id"]: hit for hit in data["results"]}
            assert thread["id"] not in hits, f"{thread['id']} found by {query} for a visitor"
            shown = html.unescape(re.sub("</?mark>", "", page.split("<main", 1)[1]))
            snippets = " ".join(re.sub("</?mark>", "", hit["snippet"]) for hit in hits.values())
            leaked = [w for w in secret if w in snippets or w in shown.replace(query, "")]
            assert not leaked, f"{thread['id']}: answer text {leaked[:3]} reached a visitor"
            checked += 1
    assert checked >= 10
