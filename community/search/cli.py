"""`flask search ...`: rebuild the index, show its state, run the indexer, edit the dictionary."""

from __future__ import annotations

import os
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select

from community.extensions import db
from community.search.analysis import fold_text
from community.search.documents import current_source, has_source
from community.search.errors import IndexUnavailable
from community.search.indexer import rebuild_index, run_indexer
from community.search.models import DictionaryTerm, IndexState
from community.search.outbox import pending_count
from community.search.service import search_service
from community.search.staleness import stale_since

search_cli = AppGroup("search", help="The search index.")


def require_source() -> None:
    if not has_source():
        raise click.ClickException("No search source is registered (a domain registers one).")


@search_cli.command("reindex")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes that analyse and write documents (Whoosh backend).",
)
def reindex(processes: int) -> None:
    """Rebuild the whole index into a new place and swap it in atomically."""
    require_source()
    total = current_source().count()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        count = rebuild_index(bar.update, processes)
    click.echo(f"Indexed {count} documents.")


@search_cli.command("status")
def status() -> None:
    """Print documents in the index, pending changes and the last applied change."""
    backend = search_service().backend
    try:
        documents = str(backend.document_count())
    except IndexUnavailable:
        documents = "no index (search answers from the database)"
    state = db.session.get(IndexState, backend.name)
    click.echo(f"Backend: {backend.name}")
    stale = stale_since(backend.name)
    if stale is not None:
        click.echo(
            f"STALE: changes went to the {stale[0]} backend (last at {stale[1]:%Y-%m-%d %H:%M} "
            "UTC) after this index was last kept; search answers from the database until it is "
            "rebuilt (the search worker does so on start, or run `flask search reindex`)"
        )
    click.echo(f"Documents: {documents}")
    click.echo(f"Pending changes: {pending_count()}")
    if state and state.applied_at:
        applied = f"{state.applied_at:%Y-%m-%d %H:%M:%S} UTC"
        click.echo(f"Last applied change: #{state.last_change_id} at {applied}")
    else:
        click.echo("Last applied change: none")
    if state and state.rebuilt_at:
        click.echo(f"Last rebuild: {state.rebuilt_at:%Y-%m-%d %H:%M:%S} UTC")


@search_cli.command("worker")
def worker() -> None:
    """Apply committed changes to the index until stopped (production's single indexer)."""
    require_source()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Search worker running; Ctrl-C stops it.")
    run_indexer(current_app._get_current_object(), stop)


@search_cli.group("dictionary")
def dictionary() -> None:
    """The community dictionary: words segmentation keeps whole (淘宝客, 年费, 返利)."""


@dictionary.command("list")
def dictionary_list() -> None:
    for term in db.session.scalars(select(DictionaryTerm.term).order_by(DictionaryTerm.term)):
        click.echo(term)


@dictionary.command("add")
@click.argument("terms", nargs=-1, required=True)
def dictionary_add(terms: tuple[str, ...]) -> None:
    """Add words; run `flask search reindex` afterwards so indexed text uses them too."""
    known = set(db.session.scalars(select(DictionaryTerm.term)))
    for term in {fold_text(term).strip() for term in terms} - known:
        if term:
            db.session.add(DictionaryTerm(term=term))
    db.session.commit()
    click.echo("Dictionary updated; run `flask search reindex` to apply it to indexed text.")


@dictionary.command("remove")
@click.argument("terms", nargs=-1, required=True)
def dictionary_remove(terms: tuple[str, ...]) -> None:
    folded = [fold_text(term).strip() for term in terms]
    db.session.execute(delete(DictionaryTerm).where(DictionaryTerm.term.in_(folded)))
    db.session.commit()
    click.echo("Dictionary updated; run `flask search reindex` to apply it to indexed text.")
