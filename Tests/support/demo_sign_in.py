"""The demo's sign-ins for the scripts under Tests/: the shared password and, for the staff whose
roles see confidential records, the code their authenticator app would show (RFC 6238 TOTP)."""
import hashlib
import hmac
import json
import struct
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "demo.json"
ROLES_NEEDING_CODE = {"administrator", "liaison-officer", "mentor", "educational-supervisor"}


def seeds():
    return json.loads(SEEDS.read_text())


def totp(secret: str | bytes, at: float | None = None) -> str:
    """Six digits for the 30-second step holding `at`; the key is the secret's bytes (UTF-8 for text)."""
    step = int((time.time() if at is None else at) // 30)
    key = secret if isinstance(secret, bytes) else secret.encode()
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def needs_code(email: str) -> bool:
    return any(user["email"] == email and user["role"] in ROLES_NEEDING_CODE for user in seeds()["users"])


def code_for(email: str) -> str | None:
    """The current code for a demo sign-in that needs one, else None."""
    return totp(seeds()["secondFactorSecret"]) if needs_code(email) else None


def api_body(email: str) -> dict:
    """The JSON body of `POST /api/v1/session` for a demo sign-in."""
    body = {"email": email, "password": seeds()["password"]}
    code = code_for(email)
    if code:
        body["code"] = code
    return body
