"""Schemathesis hooks for scripts/api-fuzz.sh: a fresh, single-use agency token for every call.

The firewall spends a token's jti once, so a cached token would turn every call after the first into a 401 and
hide what the endpoint really answers. Tokens are minted here, as `firewall token` does (services/cli/src/dev-keys.ts
mintDevToken), from the embedded mode's development key in FIREWALL_DATA_DIR: EdDSA, kid from agencies.json,
iss = sub = agency, aud sanctuary-firewall, iat, exp (5 minutes), a uuid jti and, where the endpoint needs it, a role.
"""

import json
import re
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import jwt
import schemathesis
from cryptography.hazmat.primitives.serialization import load_pem_private_key

DATA_DIR = Path(os.environ["FIREWALL_DATA_DIR"])
AUDIENCE = "sanctuary-firewall"
TTL_SECONDS = 300

# Who calls what: the attorney for the review desk and the audit API, an operator for the exact metrics, city IT
# for dry runs, a requesting agency otherwise.
ATTORNEY = ("CITY_ATTORNEY_DATA_PRACTICES", "CITY_ATTORNEY")
OPERATOR = ("CITY_IT", "OPERATOR")
CITY_IT = ("CITY_IT", "CITY_IT")
REQUESTER = ("CITY_CLERK", None)

_key = None
_kid = None


def _signing_key():
    global _key, _kid
    if _key is None:
        _key = load_pem_private_key((DATA_DIR / "keys" / "dev-agency.key.pem").read_bytes(), password=None)
        registry = json.loads((DATA_DIR / "agencies.json").read_text())
        # Every development agency is registered with the same key; its signing key is listed first.
        _kid = registry["agencies"][REQUESTER[0]]["jwks"]["keys"][0].get("kid")
    return _key, _kid


def caller_for(path: str) -> tuple[str, str | None]:
    if path.startswith("/v1/reviews") or path.startswith("/v1/audit/"):
        return ATTORNEY
    if path == "/metrics":
        return OPERATOR
    if path.startswith("/v1/decisions"):
        return CITY_IT
    return REQUESTER


def mint(agency: str, role: str | None) -> str:
    key, kid = _signing_key()
    now = int(time.time())
    claims = {"iss": agency, "sub": agency, "aud": AUDIENCE, "iat": now, "exp": now + TTL_SECONDS, "jti": str(uuid.uuid4())}
    if role:
        claims["role"] = role
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims, key, algorithm="EdDSA", headers=headers)


# refresh_interval=None: no caching, `get` runs for every call (a token is single-use).
@schemathesis.auth(refresh_interval=None)
class FreshAgencyToken:
    def get(self, case, ctx):
        return mint(*caller_for(case.operation.path))

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


MONTH_OR_DAY = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$")


def _month_index(value: str) -> int:
    return int(value[:4]) * 12 + int(value[5:7]) - 1


# The oversight range has a rule JSON Schema cannot state across two query parameters (documented on them):
# `from` not after `to`, fewer than 120 months. A range that breaks it is refused with 400, as documented; only
# schema-valid ranges that keep it are sent as valid data.
@schemathesis.hook("filter_query").apply_to(path_regex=r"^/(oversight|v1/oversight/summary)$")
def oversight_range_within_rule(ctx, query):
    if not isinstance(query, dict):
        return True
    start, end = query.get("from"), query.get("to")
    if not (isinstance(start, str) and isinstance(end, str) and MONTH_OR_DAY.match(start) and MONTH_OR_DAY.match(end)):
        return True
    return 0 <= _month_index(end) - _month_index(start) < 120


# A legal-process credential is a JWS signed by a registered legal issuer: like a token, it is something a fuzzer
# cannot make up. A random string in its place is refused (400 PF_CREDENTIAL_INVALID, as documented), so in data
# meant to be valid the credential is left out (null = none shown); schema-violating data keeps whatever it drew.
@schemathesis.hook("map_case").apply_to(path="/v1/requests", method="POST")
def no_forged_credential(ctx, case):
    meta = case.meta
    positive = meta is not None and meta.generation.mode.is_positive
    basis = case.body.get("legalBasis") if isinstance(case.body, dict) else None
    if positive and isinstance(basis, dict) and isinstance(basis.get("credential"), str):
        case.body = {**case.body, "legalBasis": {**basis, "credential": None}}
    return case


def _requested_fields(case_id: str) -> list[str] | None:
    """The fields a review case's request asked for, read from the desk as the attorney (None: no such case)."""
    url = f"{os.environ['FIREWALL_BASE_URL']}/v1/reviews/{urllib.parse.quote(case_id, safe='')}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {mint(*ATTORNEY)}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            found = json.load(response)
    except (urllib.error.URLError, ValueError):
        return None
    fields = found.get("requestedFields") if isinstance(found, dict) else None
    return [f for f in fields if isinstance(f, str)] if isinstance(fields, list) else None


# An ALLOW may release only fields the held request asked for: a rule about one case that a schema for every case
# cannot state (documented on the operation: otherwise 400 PF_REVIEW_FIELDS_TOO_WIDE). In data meant to be valid,
# an ALLOW for a case that exists names that case's own first requested field; everything else is sent as drawn.
@schemathesis.hook("map_case").apply_to(path="/v1/reviews/{id}/resolution", method="POST")
def allow_within_request(ctx, case):
    meta = case.meta
    positive = meta is not None and meta.generation.mode.is_positive
    body = case.body if isinstance(case.body, dict) else None
    case_id = (case.path_parameters or {}).get("id")
    if positive and body is not None and body.get("outcome") == "ALLOW" and isinstance(case_id, str):
        requested = _requested_fields(case_id)
        if requested:
            case.body = {**body, "fields": requested[:1]}
    return case
