"""The official OB 3.0 examples of both generations: `czmc validate` and `czmc verify` give the same content verdict.

Each example (tests/vectors/ob3-examples, byte-exact) is secured as a JWT by a test key its issuer
is trusted with, so that verification reaches the content steps; its embedded example proof, whose
signature is not real, is set aside. Validation of the same credential as a file must then agree
with verification on every JSON-LD and schema finding, on the profile, and on the verdict.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from czmc import vcdm
from czmc.checks import CheckStatus
from czmc.keys import Algorithm, Key
from czmc.validation import validate_text
from czmc.vcjwt import Format, sign
from czmc.verification import Verdict, verify

VECTORS = Path(__file__).parent / "vectors" / "ob3-examples"
EXAMPLES = sorted(path for path in VECTORS.glob("*.json"))
KEY = Key.generate(Algorithm.EDDSA)


def _signed(credential: dict[str, Any]) -> str:
    fmt = Format.VC1 if vcdm.generation(credential) is vcdm.Generation.VC11 else Format.VC_JOSE_COSE
    return sign(credential, KEY, format=fmt, embed_jwk=True)


def _issuer(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_validate_and_verify_agree(path: Path) -> None:
    credential = json.loads(path.read_text(encoding="utf-8"))
    credential.pop("proof", None)
    issuer = _issuer(credential)
    if not isinstance(issuer, str) or not isinstance(credential.get("id"), str):
        pytest.skip("no issuer id or credential id to put in the JWT claims")
    start = vcdm.parse_datetime(vcdm.start_of(credential))
    now = start + timedelta(seconds=1) if start is not None else None
    result = verify(_signed(credential), now=now, trusted_keys={issuer: [KEY.public]}, check_status=False)
    for name in ("signature", "claims"):
        assert result.check(name).status is CheckStatus.PASSED, result.check(name)
    timely = result.check("time").status is CheckStatus.PASSED
    assert timely or path.stem == "validator-simple-err-expired", result.check("time")
    report = validate_text(json.dumps(credential), path.name)
    profile_findings = set(result.profile.issues) if result.profile else set()
    content = sorted((issue.code, issue.path) for issue in result.issues if issue not in profile_findings)
    validated = sorted((issue.code, issue.path) for issue in report.issues if issue not in report.profile_issues)
    assert validated == content
    assert report.profile == result.profile
    if timely:
        assert report.verdict is result.verdict
    else:
        assert result.verdict is Verdict.INVALID
