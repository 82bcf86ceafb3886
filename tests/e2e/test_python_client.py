#!/usr/bin/env python3
"""End-to-end test of the Python client (clients/python) against the real
server binary, with every token it returns checked by Agora's official npm
package (agora-token) through tests/crosscheck/verify_with_agora_token.js.

Each test starts agora-token-server on 127.0.0.1:0 with a temporary keyring
(a random app whose certificate is a file, plus the public dev app that
clients/python/example.py uses), reads the bound port from its "serving" log
line, and stops it with SIGTERM in tearDown.

Run by ctest (target e2e_python_client), or by hand with /usr/bin/python3 and
these environment variables (defaults in parentheses):
  AGORA_TOKEN_SERVER     the server binary (<repo>/build/server/agora-token-server)
  AGORA_TOKEN_PY_GEN     the generated stubs (<repo>/build/clients/python/gen)
  AGORA_TOKEN_REPO_ROOT  the repository root (two levels above this file)
  AGORA_TOKEN_NODE       Node.js 20 (node on PATH)
"""

import concurrent.futures
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile
from pathlib import Path

REPO_ROOT = Path(os.environ.get("AGORA_TOKEN_REPO_ROOT") or Path(__file__).resolve().parents[2])
SERVER_BINARY = Path(os.environ.get("AGORA_TOKEN_SERVER")
                     or REPO_ROOT / "build" / "server" / "agora-token-server")
GEN_DIR = Path(os.environ.get("AGORA_TOKEN_PY_GEN")
               or REPO_ROOT / "build" / "clients" / "python" / "gen")
NODE = os.environ.get("AGORA_TOKEN_NODE") or shutil.which("node") or ""
VERIFIER = REPO_ROOT / "tests" / "crosscheck" / "verify_with_agora_token.js"
EXAMPLE = REPO_ROOT / "clients" / "python" / "example.py"
# Read here rather than through the client, so a client that ignored it fails.
SHARED_SERVICE_CONFIG_PATH = REPO_ROOT / "clients" / "service_config.json"
SHARED_METHOD_CONFIG = json.loads(SHARED_SERVICE_CONFIG_PATH.read_text())["methodConfig"][0]
SHARED_TIMEOUT = float(SHARED_METHOD_CONFIG["timeout"].rstrip("s"))
SHARED_MAX_ATTEMPTS = SHARED_METHOD_CONFIG["retryPolicy"]["maxAttempts"]

# The client finds the stubs through this variable; set it before importing.
os.environ["AGORA_TOKEN_PY_GEN"] = str(GEN_DIR)
sys.path.insert(0, str(REPO_ROOT / "clients" / "python"))

try:
    import grpc
except ImportError:
    sys.exit(f"{sys.executable} has no grpc module: run this test with /usr/bin/python3 "
             "(Debian's python3-grpcio)")

from agora_token_client import (  # noqa: E402
    DEFAULT_TIMEOUT,
    SERVICE_CONFIG,
    SERVICE_CONFIG_PATH,
    TokenClient,
    TokenServiceError,
    access_token_request,
    apaas_request,
    chat_request,
    convo_ai_request,
    fpa_request,
    pb,
    rtc_with_account_request,
    rtc_with_uid_request,
    rtm_request,
    stt_request,
    token_service_pb2_grpc,
)

# The public sample app of deploy/dev/keyring.textproto, served so that
# example.py (which uses it) works against the test server.
DEV_APP_ID = "970CA35de60c44645bbae8a215061b33"
DEV_APP_CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b"

DAY = 86400
SERVER_START_TIMEOUT = 15.0
SERVER_STOP_TIMEOUT = 10.0
SUBPROCESS_TIMEOUT = 60.0

VERSION_NAMES = {pb.TOKEN_VERSION_006: "006", pb.TOKEN_VERSION_007: "007"}

# RTM2 permissions, in the form of the request and of the verifier's input:
# read and write on two message channels, read on one user.
RTM2_RESOURCES = [
    {"resource_type": 0, "permissions": [{"permission_type": 0, "names": ["ch-a", "ch-b"]},
                                         {"permission_type": 1, "names": ["ch-a"]}]},
    {"resource_type": 4, "permissions": [{"permission_type": 0, "names": ["peer-1"]}]},
]

# BuildAccessToken's services out of type order (the token sorts them), in
# verify_with_agora_token.js's form: privileges as [id, seconds] pairs and
# every text field present.
ACCESS_TOKEN_SERVICES = [
    {"type": 8, "privileges": [[1, 0]], "user_id": "multi-user", "rtm2_resources": RTM2_RESOURCES},
    {"type": 1, "privileges": [[1, 0], [2, 600]], "channel_name": "multi", "account": "42"},
    {"type": 9, "privileges": []},
    {"type": 6, "privileges": [[1, 0]], "channel_name": "cdn", "account": "alice"},
    {"type": 3, "privileges": [[1, 0], [2, 300]], "channel_name": "live", "account": ""},
    {"type": 7, "privileges": [[2, 0]], "user_uuid": "u-1"},
    {"type": 2, "privileges": [[1, 1200]], "user_id": "multi-user"},
]
ACCESS_TOKEN_GRANTS = [
    dict(service, privileges=[{"privilege": p, "expire_seconds": e} for p, e in service["privileges"]])
    for service in ACCESS_TOKEN_SERVICES
]
ACCESS_TOKEN_SERVICE_RECORDS = [
    dict({"channel_name": "", "account": "", "user_id": "", "room_uuid": "", "user_uuid": "",
          "rtm2_resources": []}, **service)
    for service in ACCESS_TOKEN_SERVICES
]

# Per-privilege lifetimes: the request's names, and the verifier's.
RTC_EXPIRES = {"join_channel_privilege_expire": 3600, "pub_audio_privilege_expire": 1800,
               "pub_video_privilege_expire": 900, "pub_data_stream_privilege_expire": 0}
RTC_EXPIRES_RECORD = {"join_channel": 3600, "publish_audio": 1800, "publish_video": 900,
                      "publish_data_stream": 0}
NO_RTC_EXPIRES_RECORD = dict.fromkeys(RTC_EXPIRES_RECORD, 0)


class ServerProcess:
    """agora-token-server as a child process on a free loopback port."""

    def __init__(self, work_dir, keyring_path):
        self.log_path = Path(work_dir) / "server.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(SERVER_BINARY), "--listen=127.0.0.1:0", f"--keyring={keyring_path}",
             "--compression=compatible", "--drain_timeout_ms=2000"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log)
        self.port = None

    def log_lines(self):
        return self.log_path.read_text(errors="replace").splitlines()

    def log_records(self):
        records = []
        for line in self.log_lines():
            try:
                records.append(json.loads(line))
            except ValueError:
                pass  # not one of the server's JSON lines
        return records

    def wait_until_serving(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            for record in self.log_records():
                if record.get("msg") == "serving":
                    self.port = int(record["port"])
                    return self.port
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode} before serving; "
                                     "log:\n" + "\n".join(self.log_lines()))
            time.sleep(0.05)
        raise AssertionError(f"server did not log 'serving' within {SERVER_START_TIMEOUT}s; "
                             "log:\n" + "\n".join(self.log_lines()))

    def stop(self):
        """SIGTERM (drain), then SIGKILL if it does not exit in time. Returns
        the exit status. Safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=SERVER_STOP_TIMEOUT)
        self._log.close()
        return self.process.returncode


class PythonClientAgainstServerTest(unittest.TestCase):

    def setUp(self):
        self.assertTrue(SERVER_BINARY.is_file(),
                        f"server binary {SERVER_BINARY} is missing; build agora-token-server")
        self.assertTrue((GEN_DIR / "agora" / "token" / "v1" / "token_service_pb2.py").is_file(),
                        f"no generated stubs in {GEN_DIR}; build agora_token_python_stubs")
        work = tempfile.TemporaryDirectory(prefix="agora-token-py-e2e-")
        self.addCleanup(work.cleanup)
        self.work_dir = Path(work.name)

        # A fresh app per run, its certificate in a file as production does.
        self.app_id = secrets.token_hex(16)
        self.app_certificate = secrets.token_hex(16)
        (self.work_dir / "test_app.certificate").write_text(self.app_certificate + "\n")
        keyring_path = self.work_dir / "keyring.textproto"
        keyring_path.write_text(
            "apps {\n"
            f'  app_id: "{self.app_id}"\n'
            '  primary_certificate { path: "test_app.certificate" }\n'
            "}\n"
            "apps {\n"
            f'  app_id: "{DEV_APP_ID}"\n'
            f'  primary_certificate {{ value: "{DEV_APP_CERTIFICATE}" }}\n'
            "}\n")

        self.server = ServerProcess(self.work_dir, keyring_path)
        # Registered before waiting, so a server that fails to start is still
        # stopped (tearDown does not run when setUp raises).
        self.addCleanup(self.server.stop)
        self.target = f"127.0.0.1:{self.server.wait_until_serving()}"
        self.client = TokenClient(self.target, timeout=5.0)

    def tearDown(self):
        self.client.close()
        self.server.stop()

    # --- helpers -----------------------------------------------------------

    def _record(self, shape, kind, response, **inputs):
        """One JSON line in verify_with_agora_token.js's input format: the
        inputs we sent, plus what the server says it built."""
        record = {
            "seed": "python-e2e", "case": shape, "shape": shape, "kind": kind,
            "app_id": self.app_id, "app_certificate": self.app_certificate,
            "token": response.token, "issuance": "new",
            "issue_ts": response.issue_ts, "salt": response.salt,
            "built": {"version": VERSION_NAMES.get(response.token_version, "unknown"),
                      "salt": response.salt, "issue_ts": response.issue_ts,
                      "expire_ts": response.expire_ts},
        }
        if "007" in kind:  # rtc007, apaas007_user, rtm2_007, ...
            record["compression"] = "compatible"
        record.update(inputs)
        return record

    def _run_verifier(self, records):
        self.assertTrue(NODE and Path(NODE).is_file(),
                        "Node.js not found; set AGORA_TOKEN_NODE or put node on PATH")
        path = self.work_dir / f"tokens-{secrets.token_hex(4)}.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records))
        result = subprocess.run([NODE, str(VERIFIER), str(path)], capture_output=True, text=True,
                                timeout=SUBPROCESS_TIMEOUT)
        lines = result.stdout.strip().splitlines()
        return result.returncode, (lines[-1] if lines else ""), result.stdout + result.stderr

    def _build_every_kind(self):
        """Builds RTC (uid and account), RTM and Chat tokens in 006 and 007
        through every single-token method and BuildTokens; returns the
        verifier records."""
        client = self.client
        app = self.app_id
        now = int(time.time())
        records = []

        pet = 0
        r = client.build_rtc_token_with_uid(app, "e2e channel!", 2882341273, role="publisher",
                                            privilege_expired_ts=pet, token_version="006")
        records.append(self._record("rtc006_uid_publisher", "rtc006", r, channel_name="e2e channel!",
                                    uid=2882341273, role=1, privilege_expired_ts=pet))

        pet = now + 3600
        r = client.build_rtc_token_with_uid(app, "any-uid", 0, role=pb.ROLE_SUBSCRIBER,
                                            privilege_expired_ts=pet, token_version=pb.TOKEN_VERSION_006)
        records.append(self._record("rtc006_uid0_subscriber", "rtc006", r, channel_name="any-uid",
                                    uid=0, role=2, privilege_expired_ts=pet))

        pet = now + 7200
        r = client.build_rtc_token_with_account(app, "room[1]", "user@example.com", role="publisher",
                                                privilege_expired_ts=pet, token_version="006")
        records.append(self._record("rtc006_account_publisher", "rtc006", r, channel_name="room[1]",
                                    account="user@example.com", role=1, privilege_expired_ts=pet))

        r = client.build_rtc_token_with_uid(app, "e2e channel!", 12345, role="publisher",
                                            token_version="007", token_expire_seconds=7200)
        records.append(self._record("rtc007_uid_publisher", "rtc007", r, channel_name="e2e channel!",
                                    uid=12345, role=1, privilege_expire=0, token_expire=7200,
                                    with_rtm=False))

        # With token_expire_seconds 0, the token expires at privilege_expired_ts
        # too: both become spans after the token's issue time.
        pet = now + 1800
        r = client.build_rtc_token_with_account(app, "room[1]", "Alice_01", role="subscriber",
                                                privilege_expired_ts=pet, token_version="007")
        records.append(self._record("rtc007_account_subscriber", "rtc007", r, channel_name="room[1]",
                                    account="Alice_01", role=2, privilege_expire=pet - r.issue_ts,
                                    token_expire=pet - r.issue_ts, with_rtm=False))

        expires = {"join_channel_privilege_expire": 3600, "pub_audio_privilege_expire": 1800,
                   "pub_video_privilege_expire": 900, "pub_data_stream_privilege_expire": 600}
        r = client.build_rtc_token_with_uid(app, "stage", 777, token_version="007",
                                            privilege_expires=expires, with_rtm=True)
        records.append(self._record("rtc007_uid_per_privilege_with_rtm", "rtc007", r, channel_name="stage",
                                    uid=777, token_expire=0, with_rtm=True,
                                    privilege_expires={"join_channel": 3600, "publish_audio": 1800,
                                                       "publish_video": 900, "publish_data_stream": 600}))

        pet = now + 600
        r = client.build_rtm_token(app, "rtm-user", token_version="006", privilege_expired_ts=pet)
        records.append(self._record("rtm006", "rtm006", r, user_id="rtm-user", privilege_expired_ts=pet))

        r = client.build_rtm_token(app, "rtm-user", token_version="007", token_expire_seconds=900)
        records.append(self._record("rtm007", "rtm007", r, user_id="rtm-user", token_expire=900))

        r = client.build_chat_token(app, "user", user_id="chat_user", token_expire_seconds=0)
        records.append(self._record("chat007_user", "chat007", r, user_id="chat_user", token_expire=0))

        r = client.build_chat_token(app, pb.CHAT_TOKEN_KIND_APP, token_expire_seconds=3000)
        records.append(self._record("chat007_app", "chat007", r, user_id="", token_expire=3000))

        batch = client.build_tokens([
            rtc_with_uid_request(app, "batch", 42, role="publisher", token_version="006"),
            rtc_with_account_request(app, "batch", "bob", role="publisher", token_version="007",
                                     with_rtm=True, token_expire_seconds=5000),
            chat_request(app, "user", user_id="carol"),
        ])
        self.assertEqual(len(batch.results), 3)
        for result in batch.results:
            self.assertEqual(result.WhichOneof("outcome"), "token", str(result.error))
        first, second, third = (result.token for result in batch.results)
        records.append(self._record("batch_rtc006_uid", "rtc006", first, channel_name="batch", uid=42,
                                    role=1, privilege_expired_ts=0))
        records.append(self._record("batch_rtc007_account_with_rtm", "rtc007", second, channel_name="batch",
                                    account="bob", role=1, privilege_expire=0, token_expire=5000,
                                    with_rtm=True))
        records.append(self._record("batch_chat007_user", "chat007", third, user_id="carol", token_expire=0))
        return records

    def _build_new_kinds(self):
        """Builds every token kind of issue 15 through its client method, and
        some through BuildTokens; returns {shape: (response, verifier record)}."""
        client = self.client
        app = self.app_id
        built = {}

        def keep(shape, kind, response, **inputs):
            built[shape] = (response, self._record(shape, kind, response, **inputs))

        keep("access_token", "access_token2_007",
             client.build_access_token(app, ACCESS_TOKEN_GRANTS, token_expire_seconds=3600),
             services=ACCESS_TOKEN_SERVICE_RECORDS, token_expire=3600)
        keep("fpa", "fpa007", client.build_fpa_token(app), token_expire=DAY)
        keep("room_user", "apaas007_room_user",
             client.build_room_user_token(app, "room-42", "teacher-1", 1, expire_seconds=1800),
             room_uuid="room-42", user_uuid="teacher-1", role=1, token_expire=1800)
        keep("apaas_user", "apaas007_user", client.build_user_token(app, "student-7"),
             user_uuid="student-7", token_expire=0)
        keep("apaas_app", "apaas007_app", client.build_app_token(app, expire_seconds=600), token_expire=600)
        keep("rtm_with_permissions", "rtm2_007",
             client.build_rtm_token_with_permissions(app, "rtm2-user", RTM2_RESOURCES, token_expire_seconds=1200),
             user_id="rtm2-user", rtm2_resources=RTM2_RESOURCES, token_expire=1200)
        # Per-privilege lifetimes grant all four RTC privileges: the
        # reference's publisher.
        keep("rtc_with_rtm2_uid", "rtc007_rtm2",
             client.build_token_with_rtm2(app, "rtm2 chan", "agent-x", uid=4242, token_expire_seconds=3600,
                                          privilege_expires=RTC_EXPIRES, rtm_token_expire_seconds=900),
             channel_name="rtm2 chan", uid=4242, role=1, token_expire=3600, privilege_expires=RTC_EXPIRES_RECORD,
             rtm_user_id="agent-x", rtm_token_expire=900)
        keep("rtc_with_rtm2_account", "rtc007_rtm2",
             client.build_token_with_rtm2(app, "rtm2 chan", "agent-y", account="viewer", role="subscriber"),
             channel_name="rtm2 chan", account="viewer", role=2, token_expire=0,
             privilege_expires=NO_RTC_EXPIRES_RECORD, rtm_user_id="agent-y", rtm_token_expire=0)
        keep("convo_ai", "convoai007",
             client.build_convo_ai_token(app, "agent-room", "agent-1001", uid=1001, role="publisher",
                                         token_expire_seconds=3600, privilege_expires=RTC_EXPIRES,
                                         rtm_token_expire_seconds=3600),
             channel_name="agent-room", uid=1001, role=1, token_expire=3600, privilege_expires=RTC_EXPIRES_RECORD,
             rtm_user_id="agent-1001", rtm_token_expire=3600)
        keep("stt", "stt007",
             client.build_stt_token(app, "meeting", "stt-bot-rtm", account="stt-bot", role="subscriber",
                                    privilege_expires={"join_channel_privilege_expire": 600}),
             channel_name="meeting", account="stt-bot", role=2, token_expire=0,
             privilege_expires=dict(NO_RTC_EXPIRES_RECORD, join_channel=600), rtm_user_id="stt-bot-rtm",
             rtm_token_expire=0)

        batch = client.build_tokens([
            access_token_request(app, ACCESS_TOKEN_GRANTS[:2]),
            fpa_request(app),
            apaas_request(app, "room_user", room_uuid="room-b", user_uuid="pupil", role=2),
            rtm_request(app, "rtm2-batch", token_version="007", rtm2_resources=RTM2_RESOURCES),
            convo_ai_request(app, "batch-room", "agent-b", account="agent", privilege_expires=RTC_EXPIRES),
            stt_request(app, "batch-room", "stt-b", uid=7, role="publisher"),
        ])
        self.assertEqual(len(batch.results), 6)
        for result in batch.results:
            self.assertEqual(result.WhichOneof("outcome"), "token", str(result.error))
        tokens = [result.token for result in batch.results]
        keep("batch_access_token", "access_token2_007", tokens[0], services=ACCESS_TOKEN_SERVICE_RECORDS[:2],
             token_expire=0)
        keep("batch_fpa", "fpa007", tokens[1], token_expire=DAY)
        keep("batch_room_user", "apaas007_room_user", tokens[2], room_uuid="room-b", user_uuid="pupil", role=2,
             token_expire=0)
        keep("batch_rtm2", "rtm2_007", tokens[3], user_id="rtm2-batch", rtm2_resources=RTM2_RESOURCES,
             token_expire=0)
        keep("batch_convo_ai", "convoai007", tokens[4], channel_name="batch-room", account="agent", role=1,
             token_expire=0, privilege_expires=RTC_EXPIRES_RECORD, rtm_user_id="agent-b", rtm_token_expire=0)
        keep("batch_stt", "stt007", tokens[5], channel_name="batch-room", uid=7, role=1, token_expire=0,
             privilege_expires=NO_RTC_EXPIRES_RECORD, rtm_user_id="stt-b", rtm_token_expire=0)
        return built

    # --- tests -------------------------------------------------------------

    def test_every_token_passes_agora_official_package(self):
        records = self._build_every_kind()
        for record in records:
            want = "006" if record["kind"].endswith("006") else "007"
            self.assertTrue(record["token"].startswith(want), record["shape"])

        status, summary, output = self._run_verifier(records)
        self.assertEqual(summary, f"{len(records)} passed, 0 failed", output)
        self.assertEqual(status, 0, output)

        # The same check must notice one damaged token (else it proves nothing).
        victim = dict(records[3])
        token = victim["token"]
        middle = len(token) // 2
        victim["token"] = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
        status, summary, output = self._run_verifier(records[:3] + [victim] + records[4:])
        self.assertEqual(summary, f"{len(records) - 1} passed, 1 failed", output)
        self.assertNotEqual(status, 0, output)
        self.assertIn(f"case={victim['shape']} ", output)

    def test_every_new_kind_passes_agora_official_package(self):
        records = [record for _, record in self._build_new_kinds().values()]
        for record in records:
            self.assertTrue(record["token"].startswith("007"), record["shape"])
        status, summary, output = self._run_verifier(records)
        self.assertEqual(summary, f"{len(records)} passed, 0 failed", output)
        self.assertEqual(status, 0, output)

    def test_every_new_kind_decodes_to_its_services(self):
        S = pb.ServiceType
        want_types = {
            "access_token": ["RTC", "RTM", "STREAMING", "FCDN", "APAAS", "RTM2", "CONVO_AI"],
            "fpa": ["FPA"], "room_user": ["RTM", "CHAT", "APAAS"], "apaas_user": ["APAAS"],
            "apaas_app": ["APAAS"], "rtm_with_permissions": ["RTM2"], "rtc_with_rtm2_uid": ["RTC", "RTM"],
            "rtc_with_rtm2_account": ["RTC", "RTM"], "convo_ai": ["RTC", "RTM", "CONVO_AI"],
            "stt": ["RTC", "RTM", "STT"],
        }
        built = self._build_new_kinds()
        for shape, types in want_types.items():
            response, _ = built[shape]
            decoded = self.client.decode_token(response.token)
            self.assertEqual((decoded.signature, decoded.expiry),
                             (pb.SIGNATURE_STATE_VALID, pb.EXPIRY_STATE_VALID), shape)
            self.assertEqual([S.Name(s.type) for s in decoded.token007.services],
                             ["SERVICE_TYPE_" + t for t in types], shape)
            # The response lists every privilege the token holds.
            self.assertEqual(sorted((e.service, e.privilege) for e in response.privilege_expiries),
                             sorted((s.type, p.privilege) for s in decoded.token007.services
                                    for p in s.privileges), shape)

        def services(shape):
            return {S.Name(s.type): s for s in self.client.decode_token(built[shape][0].token).token007.services}

        apaas = services("room_user")["SERVICE_TYPE_APAAS"]
        self.assertEqual((apaas.room_uuid, apaas.user_uuid, apaas.role, [p.privilege for p in apaas.privileges]),
                         ("room-42", "teacher-1", 1, [1]))
        self.assertEqual([p.privilege for p in services("apaas_app")["SERVICE_TYPE_APAAS"].privileges], [3])
        rtm2 = services("rtm_with_permissions")["SERVICE_TYPE_RTM2"]
        self.assertEqual(rtm2.user_id, "rtm2-user")
        self.assertEqual([[r.resource_type, [[p.permission_type, list(p.names)] for p in r.permissions]]
                          for r in rtm2.rtm2_resources],
                         [[0, [[0, ["ch-a", "ch-b"]], [1, ["ch-a"]]]], [4, [[0, ["peer-1"]]]]])
        rtc_with_rtm2 = services("rtc_with_rtm2_uid")
        self.assertEqual((rtc_with_rtm2["SERVICE_TYPE_RTC"].account, rtc_with_rtm2["SERVICE_TYPE_RTM"].user_id),
                         ("4242", "agent-x"))
        self.assertEqual([p.privilege for p in services("stt")["SERVICE_TYPE_RTC"].privileges], [1])

    def test_new_requests_raise_field_violations(self):
        with self.assertRaises(TokenServiceError) as raised:
            self.client.build_room_user_token(self.app_id, "room/1", "teacher-1", 1)
        self.assertEqual(raised.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual([field for field, _ in raised.exception.field_violations], ["room_uuid"])

        with self.assertRaises(TokenServiceError) as raised:
            self.client.build_access_token(self.app_id, [{"type": "rtc", "channel_name": "c",
                                                          "privileges": [{"privilege": 1}], "room_uuid": "r"}])
        self.assertEqual(raised.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual([field for field, _ in raised.exception.field_violations], ["services[0].room_uuid"])

        with self.assertRaises(ValueError):
            self.client.build_convo_ai_token(self.app_id, "c", "agent")  # neither uid nor account

    def test_decode_token_checks_signatures_of_built_tokens(self):
        built = self.client.build_rtc_token_with_account(self.app_id, "decode-me", "dave", role="publisher",
                                                         token_version="007")
        decoded = self.client.decode_token(built.token)
        self.assertEqual(decoded.token_version, pb.TOKEN_VERSION_007)
        self.assertEqual(decoded.app_id, self.app_id)
        self.assertEqual(decoded.salt, built.salt)
        self.assertEqual(decoded.signature, pb.SIGNATURE_STATE_VALID)
        self.assertEqual(decoded.expiry, pb.EXPIRY_STATE_VALID)
        rtc = decoded.token007.services[0]
        self.assertEqual((rtc.type, rtc.channel_name, rtc.account),
                         (pb.SERVICE_TYPE_RTC, "decode-me", "dave"))

        built006 = self.client.build_rtc_token_with_uid(self.app_id, "decode-me", 9, token_version="006")
        self.assertEqual(self.client.decode_token(built006.token).signature, pb.SIGNATURE_STATE_NOT_CHECKED)
        self.assertEqual(self.client.decode_token(built006.token, channel_name="decode-me", uid=9).signature,
                         pb.SIGNATURE_STATE_VALID)
        self.assertEqual(self.client.decode_token(built006.token, channel_name="decode-me", uid=10).signature,
                         pb.SIGNATURE_STATE_INVALID)
        with self.assertRaises(ValueError):
            self.client.decode_token(built006.token, channel_name="decode-me", uid=9, account="x")

    def test_invalid_channel_name_raises_field_violation(self):
        with self.assertRaises(TokenServiceError) as raised:
            self.client.build_rtc_token_with_uid(self.app_id, "bad*name", 1, token_version="007")
        error = raised.exception
        self.assertIsInstance(error, grpc.RpcError)
        self.assertEqual(error.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(error.message)
        self.assertIn("channel_name", [field for field, _ in error.field_violations], str(error))
        self.assertTrue(all(description for _, description in error.field_violations))
        self.assertNotIn(self.app_certificate, str(error))

    def test_batch_item_error_converts_to_token_service_error(self):
        batch = self.client.build_tokens([
            rtc_with_uid_request(self.app_id, "fine", 1),
            rtc_with_uid_request(self.app_id, "bad*name", 1),
        ])
        self.assertEqual(batch.results[0].WhichOneof("outcome"), "token")
        self.assertEqual(batch.results[1].WhichOneof("outcome"), "error")
        error = TokenServiceError.from_status(batch.results[1].error)
        self.assertEqual(error.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("channel_name", [field for field, _ in error.field_violations])

    def test_unknown_app_is_not_found(self):
        unknown_app = secrets.token_hex(16)
        with self.assertRaises(TokenServiceError) as raised:
            self.client.build_rtm_token(unknown_app, "someone")
        self.assertEqual(raised.exception.code, grpc.StatusCode.NOT_FOUND)

    def test_example_script_prints_a_007_token(self):
        env = dict(os.environ, AGORA_TOKEN_PY_GEN=str(GEN_DIR))
        result = subprocess.run([sys.executable, str(EXAMPLE), self.target], capture_output=True, text=True,
                                env=env, timeout=SUBPROCESS_TIMEOUT)
        self.assertEqual(result.returncode, 0, result.stderr)
        token = result.stdout.strip()
        self.assertTrue(token.startswith("007"), "example.py did not print a 007 token")
        decoded = self.client.decode_token(token)
        self.assertEqual(decoded.app_id.lower(), DEV_APP_ID.lower())
        self.assertEqual(decoded.signature, pb.SIGNATURE_STATE_VALID)

    def test_sigterm_drains_and_exits_zero(self):
        self.client.build_rtm_token(self.app_id, "before-stop")
        self.assertEqual(self.server.stop(), 0)
        self.assertIn("stopped", [record.get("msg") for record in self.server.log_records()])
        # No log line may carry the certificate.
        self.assertFalse(any(self.app_certificate in line for line in self.server.log_lines()))


class FlakyTokenService(token_service_pb2_grpc.TokenServiceServicer):
    """Fails the first `failures` calls with UNAVAILABLE, then succeeds."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = 0

    def BuildRtmToken(self, request, context):
        self.calls += 1
        self.authorization = [v for k, v in context.invocation_metadata() if k == "authorization"]
        self.time_remaining = context.time_remaining()
        if self.calls <= self.failures:
            context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")
        return pb.BuildRtmTokenResponse(token="007fake", token_version=pb.TOKEN_VERSION_007)


class ClientRetryTest(unittest.TestCase):
    """The client's service config, against an in-process fake server (the
    real one cannot be made to answer UNAVAILABLE on demand)."""

    def _serve(self, servicer, api_key=None, timeout=None):
        server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=2))
        token_service_pb2_grpc.add_TokenServiceServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self.addCleanup(lambda: server.stop(grace=None).wait(SERVER_STOP_TIMEOUT))
        client = TokenClient(f"127.0.0.1:{port}", timeout=timeout, api_key=api_key)
        self.addCleanup(client.close)
        return client

    def test_unavailable_is_retried(self):
        service = FlakyTokenService(failures=2)
        response = self._serve(service).build_rtm_token("00" * 16, "user")
        self.assertEqual(response.token, "007fake")
        self.assertEqual(service.calls, 3)

    def test_gives_up_after_max_attempts(self):
        service = FlakyTokenService(failures=100)
        with self.assertRaises(TokenServiceError) as raised:
            self._serve(service).build_rtm_token("00" * 16, "user")
        self.assertEqual(raised.exception.code, grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(raised.exception.message, "restarting")
        self.assertEqual(raised.exception.field_violations, [])
        self.assertEqual(SHARED_MAX_ATTEMPTS, 4)  # the README states it
        self.assertEqual(service.calls, SHARED_MAX_ATTEMPTS)

    def test_default_deadline_is_the_shared_timeout(self):
        service = FlakyTokenService(failures=0)
        self._serve(service).build_rtm_token("00" * 16, "user")
        self.assertLessEqual(service.time_remaining, SHARED_TIMEOUT + 0.1)  # grpc-timeout rounds up
        self.assertGreater(service.time_remaining, SHARED_TIMEOUT - 1)

    def test_client_and_call_timeouts_override_the_default(self):
        service = FlakyTokenService(failures=0)
        client = self._serve(service, timeout=SHARED_TIMEOUT + 3)
        client.build_rtm_token("00" * 16, "user")
        self.assertGreater(service.time_remaining, SHARED_TIMEOUT + 2)
        # Longer than the client's as well as shorter: the channel imposes none.
        client.build_rtm_token("00" * 16, "user", timeout=SHARED_TIMEOUT + 10)
        self.assertGreater(service.time_remaining, SHARED_TIMEOUT + 9)
        client.build_rtm_token("00" * 16, "user", timeout=0.8)
        self.assertLessEqual(service.time_remaining, 0.9)  # grpc-timeout rounds up

    def test_api_key_travels_as_bearer_authorization(self):
        service = FlakyTokenService(failures=0)
        self._serve(service, api_key="k-123").build_rtm_token("00" * 16, "user")
        self.assertEqual(service.authorization, ["Bearer k-123"])
        self._serve(service).build_rtm_token("00" * 16, "user")
        self.assertEqual(service.authorization, [])


class SharedServiceConfigTest(unittest.TestCase):
    """The retry policy and default deadline are those of
    clients/service_config.json, which all five clients share."""

    def test_client_reads_the_shared_file(self):
        self.assertEqual(SERVICE_CONFIG_PATH.resolve(), SHARED_SERVICE_CONFIG_PATH.resolve())
        self.assertEqual(SERVICE_CONFIG, json.loads(SHARED_SERVICE_CONFIG_PATH.read_text()))
        self.assertEqual(DEFAULT_TIMEOUT, SHARED_TIMEOUT)
        self.assertEqual(SHARED_TIMEOUT, 5.0)  # the README states it
        self.assertEqual(SHARED_METHOD_CONFIG["retryPolicy"]["retryableStatusCodes"],
                         ["UNAVAILABLE", "CANCELLED"])
        with TokenClient("127.0.0.1:1") as client:
            self.assertEqual(client.timeout, SHARED_TIMEOUT)

    def test_wheel_packs_the_shared_file(self):
        # Built from a copy of clients/ so the checkout gets no build output.
        work = Path(tempfile.mkdtemp(prefix="agora-token-wheel-"))
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        shutil.copytree(REPO_ROOT / "clients" / "python", work / "clients" / "python")
        shutil.copyfile(SHARED_SERVICE_CONFIG_PATH, work / "clients" / "service_config.json")
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "-w", str(work / "dist"), str(work / "clients" / "python")],
            capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
        self.assertEqual(built.returncode, 0, built.stdout + built.stderr)
        (wheel,) = (work / "dist").glob("*.whl")
        with zipfile.ZipFile(wheel) as packed:
            self.assertEqual(packed.read("agora_token_client/service_config.json"),
                             SHARED_SERVICE_CONFIG_PATH.read_bytes())


if __name__ == "__main__":
    unittest.main()
