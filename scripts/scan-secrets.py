#!/usr/bin/env python3
"""Fails if any secret used by the test suite shows up in what the suite
printed: every log line and error message of every test (CTest's
Testing/Temporary/LastTest.log holds the stdout and stderr of each test,
in-process servers and server binaries included).

What counts as a secret:
  - every App Certificate and API key the tests and the development keyring
    name (string constants and keyring entries in tests/ and deploy/dev/,
    certificates in tests/vectors), unless the same string is also an
    app id, which logs may carry;
  - any full token (006 or 007), whatever minted it;
  - any PEM private key, and any "Bearer <key>" header value.

Before scanning, it checks itself: a planted secret of each kind must be
found, so a broken pattern cannot pass silently.

Usage: scan-secrets.py LOG [LOG...]
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# A token: "006" + 32-character app id + base64, or "007" + base64. Real
# ones are 100+ characters; 60 keeps room for the shortest.
TOKEN = re.compile(r"(?<![A-Za-z0-9+/=])00[67][A-Za-z0-9+/]{60,}={0,2}")
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
BEARER = re.compile(r"Bearer [A-Za-z0-9._~+/=-]{8,}")

CONSTANT = re.compile(r'k\w*(?:Certificate|ApiKey|Key)\[\] = "([^"]{16,})"')
KEYRING_VALUE = re.compile(r'(?:certificate\s*\{\s*value|value):\s*"([0-9A-Za-z]{32})"')
APP_ID = re.compile(r'(?:app_id:\s*|AppId\[\] = )"([0-9A-Za-z]{32})"')


def named_secrets():
    """Certificates and API keys that tests and the dev keyring name."""
    secrets, app_ids = set(), set()
    sources = list((ROOT / "tests").rglob("*")) + list((ROOT / "deploy" / "dev").rglob("*"))
    for path in sources:
        if path.suffix not in {".cc", ".h", ".py", ".js", ".mjs", ".go", ".rb", ".textproto"}:
            continue
        text = path.read_text(errors="replace")
        secrets.update(m for m in CONSTANT.findall(text) if " " not in m)
        secrets.update(KEYRING_VALUE.findall(text))
        app_ids.update(APP_ID.findall(text))
    for path in (ROOT / "tests" / "vectors").glob("*.json"):
        for cert in re.findall(r'"app_?[cC]ertificate"\s*:\s*"([^"]+)"', path.read_text()):
            secrets.add(cert)
    return secrets - app_ids


def findings(text, secrets):
    """(kind, excerpt) for every secret in text; excerpts are cut short."""
    found = []
    for line_number, line in enumerate(text.splitlines(), 1):
        for secret in secrets:
            if secret in line:
                found.append((line_number, "named secret", secret[:4] + "..."))
        for kind, pattern in (("token", TOKEN), ("private key", PRIVATE_KEY), ("bearer", BEARER)):
            for match in pattern.finditer(line):
                found.append((line_number, kind, match.group(0)[:12] + "..."))
    return found


def self_check(secrets):
    sample = sorted(secrets)[0] if secrets else None
    planted = "\n".join(
        [
            f"log: certificate {sample}" if sample else "",
            "log: 007eJxTYBBb9mTLnLMTA3NjI3MjI3NjY0MDA0NDAwNDI3NDE0MDA0MDI3NjA0MjY0",
            "-----BEGIN EC PRIVATE KEY-----",
            "authorization: Bearer backend-key-0123456789",
        ]
    )
    kinds = {kind for _, kind, _ in findings(planted, secrets)}
    want = {"token", "private key", "bearer"} | ({"named secret"} if sample else set())
    if kinds != want:
        sys.exit(f"scan-secrets: self-check failed: found {sorted(kinds)}, want {sorted(want)}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    secrets = named_secrets()
    if len(secrets) < 5:
        sys.exit(f"scan-secrets: only {len(secrets)} named secrets found; the patterns are stale")
    self_check(secrets)
    total_lines, failed = 0, False
    for log in sys.argv[1:]:
        text = pathlib.Path(log).read_text(errors="replace")
        total_lines += text.count("\n")
        for line_number, kind, excerpt in findings(text, secrets):
            failed = True
            print(f"{log}:{line_number}: {kind} {excerpt}", file=sys.stderr)
    if failed:
        sys.exit("scan-secrets: secrets found in test output (above)")
    print(f"scan-secrets: {total_lines} lines, {len(secrets)} named secrets, "
          "no secret, token, private key or bearer key found")


if __name__ == "__main__":
    main()
