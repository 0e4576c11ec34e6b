"""Signing and registry options that ``czmc issue`` and ``czmc issue-batch`` share, defined once.

The choices are spelt out here rather than read from the enums that define them
(:class:`~czmc.keys.Algorithm`, :class:`~czmc.vcjwt.Format`, :class:`~czmc.status.StatusPurpose`,
:class:`~czmc.registry.CredentialState`), so that building the command line imports neither the
crypto nor the verification modules; a test keeps both the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

ALGORITHMS = ("EdDSA", "ES256", "RS256", "PS256")
"""The values of :class:`czmc.keys.Algorithm`."""
PROOF_FORMATS = ("ob3", "vc-jose-cose", "vc1")
"""The values of :class:`czmc.vcjwt.Format`; the first is the default."""
STATUS_PURPOSES = ("revocation", "suspension")
"""The values of :class:`czmc.status.StatusPurpose`."""
CREDENTIAL_STATES = ("active", "suspended", "revoked")
"""The values of :class:`czmc.registry.CredentialState`."""
REQUIREMENTS = ("eu-microcredential", "czmc", "ob3")
"""The values of :class:`czmc.profiles.Requirement` (``--require-profile``)."""

PASSWORD_OPTION = click.option(
    "--password-env",
    metavar="VAR",
    help="Name of an environment variable holding the PEM key's password (never pass it as an argument).",
)
"""``--password-env VAR``: a PEM key's password comes only from the environment."""


DATA_INTEGRITY = "data-integrity"
"""The ``--proof-format`` of ``czmc issue`` for a JSON credential with an embedded Data Integrity proof."""


def signing_options(command: F) -> F:
    """``--proof-format`` (with its deprecated hidden alias ``--format``) and ``--alg``: the JWT forms."""
    return _signing_options(command, PROOF_FORMATS, _JWT_HELP)


def issue_signing_options(command: F) -> F:
    """:func:`signing_options` with the Data Integrity form too (``czmc issue``)."""
    return _signing_options(
        command,
        [*PROOF_FORMATS, DATA_INTEGRITY],
        _JWT_HELP.removesuffix("  [default: ob3]")
        + "; data-integrity: JSON credential with an embedded DataIntegrityProof (eddsa-rdfc-2022 for "
        "Ed25519 keys, ecdsa-rdfc-2019 for P-256).  [default: ob3]",
    )


_JWT_HELP = (
    "ob3: OB 3.0 JWT proof; vc-jose-cose: typ vc+jwt; vc1: VC Data Model 1.1 JWT (vc claim) for older "
    "verifiers.  [default: ob3]"
)


def _signing_options(command: F, formats: Sequence[str], help_text: str) -> F:
    for option in reversed(
        (
            click.option(
                "--proof-format",
                type=click.Choice(formats),
                default=None,
                help=help_text,
            ),
            click.option(
                "--format",
                "legacy_format",
                type=click.Choice(formats),
                hidden=True,
                help="Deprecated name of --proof-format.",
            ),
            click.option(
                "--alg",
                type=click.Choice(ALGORITHMS),
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
    return proof_format or legacy_format or PROOF_FORMATS[0]


def output_option(what: str) -> Callable[[F], F]:
    """``-o/--output FILE`` for ``what``, standard output by default ('-')."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        default="-",
        show_default=True,
        help=f"Where to write {what} ('-' for standard output).",
    )


REGISTRY_ENV = "CZMC_REGISTRY"
"""The environment variable that names the registry when ``--registry`` is not given."""


def registry_option(help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """``--registry PATH_OR_URL`` (default: the ``CZMC_REGISTRY`` environment variable)."""
    return click.option(
        "--registry",
        "registry_target",
        metavar="PATH_OR_URL",
        envvar=REGISTRY_ENV,
        show_envvar=True,
        required=required,
        help=help_text,
    )


def registry_options(command: F) -> F:
    """``--registry``, ``--status-url`` and ``--status-purpose`` for issuing into a registry."""
    for option in reversed(
        (
            registry_option(
                "Record what is issued in this registry and give each credential a status-list entry: "
                "a SQLite file (created if missing) or a postgresql:// URL."
            ),
            click.option(
                "--status-url",
                metavar="URL",
                help="With --registry, for an issuer's first credential: the https URL under which its status "
                "lists will be published [default: https://<host>/status for did:web and https issuers].",
            ),
            click.option(
                "--status-purpose",
                type=click.Choice(STATUS_PURPOSES),
                help="With --registry: the credential's status entry; revocation is permanent, suspension can be "
                "lifted (czmc status reinstate).  [default: the issuer's, revocation]",
            ),
        )
    ):
        command = option(command)
    return command


def check_registry_options(registry: str | None, status_url: str | None, status_purpose: str | None) -> None:
    """Refuse status options without a registry: they would silently do nothing."""
    if registry is None and (status_url is not None or status_purpose is not None):
        raise click.UsageError("--status-url and --status-purpose need --registry (or CZMC_REGISTRY)")
