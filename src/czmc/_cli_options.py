"""Signing options that ``czmc issue`` and ``czmc issue-batch`` share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from czmc.keys import Algorithm
from czmc.vcjwt import Format

F = TypeVar("F", bound=Callable[..., Any])

_PROOF_FORMATS = [fmt.value for fmt in Format]


def signing_options(command: F) -> F:
    """``--proof-format`` (with its deprecated hidden alias ``--format``) and ``--alg``."""
    for option in reversed(
        (
            click.option(
                "--proof-format",
                type=click.Choice(_PROOF_FORMATS),
                default=None,
                help="ob3: OB 3.0 JWT proof; vc-jose-cose: typ vc+jwt; vc1: legacy vc-claim JWT.  [default: ob3]",
            ),
            click.option(
                "--format",
                "legacy_format",
                type=click.Choice(_PROOF_FORMATS),
                hidden=True,
                help="Deprecated name of --proof-format.",
            ),
            click.option(
                "--alg",
                type=click.Choice([alg.value for alg in Algorithm]),
                help="Signing algorithm; needed only for PS256 with a PEM key "
                "(PEM stores none; RSA keys default to RS256).",
            ),
        )
    ):
        command = option(command)
    return command


def chosen_proof_format(command: str, proof_format: str | None, legacy_format: str | None) -> str:
    """The proof format the options ask for; warns about the old ``--format`` name."""
    if legacy_format is not None:
        if proof_format is not None and proof_format != legacy_format:
            raise click.UsageError("--format is the old name of --proof-format; give one of them")
        click.echo(f"warning: czmc {command} --format is deprecated; use --proof-format", err=True)
    return proof_format or legacy_format or Format.OB3.value
