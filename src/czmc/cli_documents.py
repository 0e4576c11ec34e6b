"""``czmc documents`` (add, list): the pinned document store of :mod:`czmc.documents`.

The store is ``--store DIR``, else ``$CZMC_DOCUMENTS``, else ``./.czmc-documents``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from czmc.documents import DEFAULT_STORE, KINDS, STORE_ENV, DocumentStore, Kind
from czmc.errors import DocumentStoreError

__all__ = ["documents_group"]

EXIT_OK = 0
EXIT_INVALID = 1

_STORE_OPTION = click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    help=f"The document store directory (or ${STORE_ENV}).",
)


def _fail(error: DocumentStoreError) -> NoReturn:
    click.echo(f"error: {error.message} [{error.code}]", err=True)
    sys.exit(EXIT_INVALID)


@click.group("documents")
def documents_group() -> None:
    """Pinned JSON-LD contexts and JSON Schemas that czmc does not bundle.

    A lock file records each URL's SHA-256; a document changed after it was pinned is refused.
    """


@documents_group.command("add")
@click.argument("url")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@_STORE_OPTION
@click.option("--kind", type=click.Choice(KINDS), default="context", show_default=True, help="What the document is.")
def add_command(url: str, file: Path, store: Path, kind: Kind) -> None:
    """Pin FILE as the document published at URL (an https URL)."""
    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    try:
        pinned = DocumentStore(store).add(url, data, kind=kind, source=f"file:{file.name or 'stdin'}")
    except DocumentStoreError as error:
        _fail(error)
    click.echo(f"pinned {pinned.url} ({pinned.kind}) sha256 {pinned.sha256} in {store}")
    sys.exit(EXIT_OK)


@documents_group.command("list")
@_STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per document).")
def list_command(store: Path, as_json: bool) -> None:
    """List the pinned documents and check each file's SHA-256 (exit 1 if one changed)."""
    documents = DocumentStore(store)
    try:
        entries = documents.list()
    except DocumentStoreError as error:
        _fail(error)
    rows: list[dict[str, str]] = []
    for pinned in entries:
        try:
            documents.verify(pinned)
            state = "ok"
        except DocumentStoreError as error:
            state = "tampered"
            click.echo(f"error: {error.message} [{error.code}]", err=True)
        rows.append({**pinned.to_json(), "state": state})
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            click.echo(f"{row['state']:8} {row['kind']:7} {row['sha256'][:16]}  {row['added']}  {row['url']}")
        if not rows:
            click.echo(f"no documents pinned in {store}")
    sys.exit(EXIT_OK if all(row["state"] == "ok" for row in rows) else EXIT_INVALID)
