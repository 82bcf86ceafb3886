#!/usr/bin/env python3
"""The real image (deploy/Dockerfile), run the way deploy/k8s runs it.

Needs a daemon with the image built (tests/container/run.sh does both) and:
  DOCKER_HOST            the private daemon (tests/container/docker_env.sh)
  AGORA_TOKEN_IMAGE      the image tag (agora-token-server)
  AGORA_TOKEN_PY_GEN     the generated Python stubs
  AGORA_TOKEN_NODE       Node.js, for Agora's npm agora-token
  AGORA_TOKEN_REPO_ROOT  the repository root

The server container runs read-only as uid 10001 with every capability
dropped, the shipped config (deploy/k8s/base/config.textproto) mounted as one
file and the keyring and TLS directories mounted read-only beside it, as the
Deployment mounts its ConfigMap and Secrets. Host networking (there is no
bridge here), so its ports are free loopback ports given as flags. The HTTP
API (--http-listen) is called over HTTPS with the same TLS files and client
certificates as gRPC.
"""

import concurrent.futures
import datetime
import hashlib
import http.client
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import types
import unittest
import urllib.request
from pathlib import Path

REPO_ROOT = Path(os.environ.get("AGORA_TOKEN_REPO_ROOT") or Path(__file__).resolve().parents[2])
IMAGE = os.environ.get("AGORA_TOKEN_IMAGE", "agora-token-server")
DOCKER = "/usr/bin/docker"
NODE = os.environ.get("AGORA_TOKEN_NODE") or shutil.which("node") or ""
VERIFIER = REPO_ROOT / "tests" / "crosscheck" / "verify_with_agora_token.js"
CONFIG = REPO_ROOT / "deploy" / "k8s" / "base" / "config.textproto"
# The app the shipped config's callers may use (with a random certificate).
APP_ID = "970CA35de60c44645bbae8a215061b33"
CALL_BACKEND = "spiffe://example.com/ns/calls/sa/call-backend"
CHAT_BACKEND = "chat-backend.chat.svc.cluster.local"
# A certificate from the CA that names no caller: the support console's,
# which identifies itself with its API key.
SUPPORT_CONSOLE = "support-console.example.com"
# The fake hash the shipped config carries for the support console's key.
SHIPPED_KEY_HASH = "3f0a1c5e9b7d2468ace0135792468ace0135792468ace0135792468ace013579"
ORIGIN = "https://app.example.com"
# Above this the image has grown past its libraries: fail, and look.
MAX_IMAGE_BYTES = 64 * 1024 * 1024

sys.path.insert(0, str(REPO_ROOT / "clients" / "python"))
import grpc  # noqa: E402
from agora_token_client import TokenClient, TokenServiceError, pb, rtc_with_uid_request  # noqa: E402


def docker(*args, check=True, timeout=120):
    result = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: exit {result.returncode}\n{result.stderr}")
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_pki(directory):
    """A CA, a server certificate for 127.0.0.1 and two client certificates
    with the identities the shipped config names. Returns {name: path}."""
    d = Path(directory)
    files = {}
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "2", "-subj", "/CN=agora-token test CA", "-keyout", d / "ca.key", "-out", d / "ca.crt")
    for name, san in (("server", "IP:127.0.0.1,DNS:localhost"), ("call", f"URI:{CALL_BACKEND}"),
                      ("chat", f"DNS:{CHAT_BACKEND}"), ("support", f"DNS:{SUPPORT_CONSOLE}")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", f"/CN={name}", "-keyout", d / f"{name}.key", "-out", d / f"{name}.csr")
        (d / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        openssl("x509", "-req", "-in", d / f"{name}.csr", "-CA", d / "ca.crt", "-CAkey", d / "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", d / f"{name}.ext", "-out", d / f"{name}.crt")
        files[name] = (d / f"{name}.key", d / f"{name}.crt")
    files["ca"] = d / "ca.crt"
    return files


def health_status(address, timeout=2.0):
    """grpc.health.v1.Health/Check for the whole server: 1 is SERVING."""
    with grpc.insecure_channel(address) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                    request_serializer=lambda b: b, response_deserializer=lambda b: b)
        response = check(b"", timeout=timeout)
    # HealthCheckResponse { ServingStatus status = 1; }: 08 <varint>.
    return response[1] if len(response) == 2 and response[0] == 0x08 else 0


class ImageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = Path(tempfile.mkdtemp(prefix="agora-token-image-"))
        cls.pki = make_pki(cls.work)
        cls.certificate = secrets.token_hex(16)
        # The Secrets: directories owned by the pod's user, files 0400.
        keyring = cls.work / "keyring"
        tls = cls.work / "tls"
        for d in (keyring, tls):
            d.mkdir()
        (keyring / "keyring.textproto").write_text(
            f'apps {{ app_id: "{APP_ID}" primary_certificate {{ value: "{cls.certificate}" }} }}\n')
        shutil.copy(cls.pki["server"][1], tls / "tls.crt")
        shutil.copy(cls.pki["server"][0], tls / "tls.key")
        shutil.copy(cls.pki["ca"], tls / "ca.crt")
        for d in (keyring, tls):
            os.chown(d, 10001, 10001)
            os.chmod(d, 0o500)
            for f in d.iterdir():
                os.chown(f, 10001, 10001)
                os.chmod(f, 0o400)
        cls.secret_mounts = ["-v", f"{keyring}:/etc/agora-token/keyring:ro",
                             "-v", f"{tls}:/etc/agora-token/tls:ro"]
        cls.mounts = ["-v", f"{CONFIG}:/etc/agora-token/config.textproto:ro", *cls.secret_mounts]
        cls.hardening = ["--read-only", "--tmpfs", "/tmp", "--user", "10001:10001",
                         "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
        cls.containers = []

    @classmethod
    def tearDownClass(cls):
        for name in cls.containers:
            docker("rm", "-f", name, check=False)
        shutil.rmtree(cls.work, ignore_errors=True)

    def start_server(self, extra_flags=(), config=CONFIG):
        """The image on free loopback ports; returns (name, api, health, metrics, http)."""
        mounts = ["-v", f"{config}:/etc/agora-token/config.textproto:ro", *self.secret_mounts]
        api, health, metrics, http_port = free_port(), free_port(), free_port(), free_port()
        name = f"agora-token-image-test-{secrets.token_hex(4)}"
        self.containers.append(name)
        docker("run", "-d", "--name", name, "--network", "host", *self.hardening, *mounts, IMAGE,
               "--config=/etc/agora-token/config.textproto", f"--listen=127.0.0.1:{api}",
               f"--http-listen=127.0.0.1:{http_port}", f"--health-listen=127.0.0.1:{health}",
               f"--metrics-listen=127.0.0.1:{metrics}", *extra_flags)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if '"msg":"serving"' in docker("logs", name).stderr:
                return (name, f"127.0.0.1:{api}", f"127.0.0.1:{health}", f"127.0.0.1:{metrics}",
                        f"127.0.0.1:{http_port}")
            if docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() != "true":
                break
            time.sleep(0.1)
        self.fail(f"container did not serve; log:\n{docker('logs', name).stderr}")

    def client(self, address, who):
        key, chain = self.pki[who]
        credentials = grpc.ssl_channel_credentials(
            root_certificates=self.pki["ca"].read_bytes(), private_key=key.read_bytes(),
            certificate_chain=chain.read_bytes())
        return TokenClient(address, credentials=credentials, timeout=10.0)

    def record(self, shape, kind, response, **inputs):
        """One line of verify_with_agora_token.js's input."""
        record = {"seed": "image-test", "case": shape, "shape": shape, "kind": kind,
                  "app_id": APP_ID, "app_certificate": self.certificate, "token": response.token,
                  "issuance": "new", "issue_ts": response.issue_ts, "salt": response.salt,
                  "built": {"version": "006" if kind.endswith("006") else "007", "salt": response.salt,
                            "issue_ts": response.issue_ts, "expire_ts": response.expire_ts}}
        if kind.endswith("007"):
            record["compression"] = "compatible"
        record.update(inputs)
        return record

    def https(self, address, method, path, who="call", body=None, headers=None):
        """One HTTP/1.1 request over TLS with `who`'s client certificate (None:
        without one); returns (status, headers with lowercase names, body)."""
        context = ssl.create_default_context(cafile=str(self.pki["ca"]))
        if who:
            key, chain = self.pki[who]
            context.load_cert_chain(chain, key)
        host, port = address.rsplit(":", 1)
        connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read().decode())
        finally:
            connection.close()

    def connect_call(self, address, method, request, who="call", headers=None):
        """A Connect unary call with a JSON body; returns (status, decoded JSON)."""
        status, _, body = self.https(address, "POST", f"/agora.token.v1.TokenService/{method}", who,
                                     json.dumps(request), {"Content-Type": "application/json",
                                                           "Connect-Protocol-Version": "1",
                                                           "Connect-Timeout-Ms": "5000", **(headers or {})})
        return status, json.loads(body) if body else {}

    def verify(self, records):
        path = self.work / f"tokens-{secrets.token_hex(4)}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        result = subprocess.run([NODE, str(VERIFIER), str(path)], capture_output=True, text=True, timeout=60)
        lines = result.stdout.strip().splitlines()
        return result.returncode, lines[-1] if lines else "", result.stdout + result.stderr

    # ------------------------------------------------------------------ tests

    def test_image_is_small_and_has_no_shell(self):
        size = int(docker("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout)
        print(f"\n[image] {IMAGE}: {size} bytes ({size / 1e6:.1f} MB)", flush=True)
        self.assertLess(size, MAX_IMAGE_BYTES)
        config = json.loads(docker("image", "inspect", "-f", "{{json .Config}}", IMAGE).stdout)
        self.assertEqual(config["User"], "10001:10001")
        for tool in ("/bin/sh", "/usr/bin/apt-get", "/usr/bin/dpkg"):
            ran = docker("run", "--rm", "--network", "none", "--entrypoint", tool, IMAGE, "--version",
                         check=False)
            self.assertNotEqual(ran.returncode, 0, f"{tool} is in the image")
        # The Deployment's preStop hook runs /bin/sleep.
        docker("run", "--rm", "--network", "none", "--entrypoint", "/bin/sleep", IMAGE, "0")

    def test_tls_calls_mint_tokens_that_agora_token_verifies(self):
        name, api, _, _, _ = self.start_server()
        now = int(time.time())
        records = []
        with self.client(api, "call") as call:
            r = call.build_rtc_token_with_uid(APP_ID, "call-1", 2882341273, role="publisher",
                                              token_version="006", privilege_expired_ts=now + 3600)
            records.append(self.record("rtc006_uid", "rtc006", r, channel_name="call-1", uid=2882341273,
                                       role=1, privilege_expired_ts=now + 3600))
            r = call.build_rtc_token_with_account(APP_ID, "call-2", "alice", role="subscriber",
                                                  token_version="007", token_expire_seconds=7200)
            records.append(self.record("rtc007_account", "rtc007", r, channel_name="call-2",
                                       account="alice", role=2, privilege_expire=0, token_expire=7200,
                                       with_rtm=False))
            batch = call.build_tokens([rtc_with_uid_request(APP_ID, "call-3", 7, role="publisher",
                                                            token_version="007", token_expire_seconds=600)])
            self.assertEqual(batch.results[0].WhichOneof("outcome"), "token")
            records.append(self.record("batch_rtc007_uid", "rtc007", batch.results[0].token,
                                       channel_name="call-3", uid=7, role=1, privilege_expire=0,
                                       token_expire=600, with_rtm=False))
            # The shipped policy holds: this caller may not mint outside "call-".
            with self.assertRaises(TokenServiceError) as denied:
                call.build_rtc_token_with_uid(APP_ID, "other", 1, token_version="007")
            self.assertEqual(denied.exception.code, grpc.StatusCode.PERMISSION_DENIED)
        with self.client(api, "chat") as chat:
            r = chat.build_rtm_token(APP_ID, "rtm-user", token_version="007", token_expire_seconds=900)
            records.append(self.record("rtm007", "rtm007", r, user_id="rtm-user", token_expire=900))
            r = chat.build_chat_token(APP_ID, "user", user_id="chat_user", token_expire_seconds=1800)
            records.append(self.record("chat007_user", "chat007", r, user_id="chat_user", token_expire=1800))
        status, summary, output = self.verify(records)
        self.assertEqual(summary, f"{len(records)} passed, 0 failed", output)
        self.assertEqual(status, 0, output)

        # Without a client certificate the TLS handshake is refused.
        plain_tls = grpc.ssl_channel_credentials(root_certificates=self.pki["ca"].read_bytes())
        with TokenClient(api, credentials=plain_tls, timeout=5.0) as anonymous:
            with self.assertRaises(TokenServiceError) as refused:
                anonymous.build_rtc_token_with_uid(APP_ID, "call-1", 1)
            self.assertEqual(refused.exception.code, grpc.StatusCode.UNAVAILABLE)
        # Every decision is one audit line on stdout (the container's log).
        audit = [json.loads(line) for line in docker("logs", name).stdout.splitlines() if line.startswith("{")]
        self.assertGreaterEqual(len(audit), len(records) + 1, audit)

    def test_https_api_connect_dropin_cors_and_probes(self):
        # The shipped config with the http block its comment shows, and a
        # known API key for the support console in place of the fake hash.
        shipped = CONFIG.read_text()
        lines = shipped.splitlines()
        start = lines.index("#   http {")
        end = lines.index("#   }", start)
        snippet = "\n".join(line[4:] for line in lines[start:end + 1])
        api_key = secrets.token_urlsafe(24)
        self.assertIn(SHIPPED_KEY_HASH, shipped)
        config = self.work / "http.textproto"
        config.write_text(shipped.replace(SHIPPED_KEY_HASH, hashlib.sha256(api_key.encode()).hexdigest())
                          + snippet + "\n")
        os.chmod(config, 0o444)
        name, _, _, metrics, address = self.start_server(config=config)

        # The probes' routes, over HTTPS like everything on this port.
        for path in ("/healthz", "/readyz"):
            status, _, _ = self.https(address, "GET", path)
            self.assertEqual(status, 200, path)

        # A Connect call as the call backend (mTLS); npm agora-token verifies it.
        status, r = self.connect_call(address, "BuildRtcTokenWithUid", {
            "appId": APP_ID, "channelName": "call-http", "uid": 2882341273, "role": "ROLE_PUBLISHER",
            "tokenVersion": "TOKEN_VERSION_007", "tokenExpireSeconds": 600})
        self.assertEqual(status, 200, r)
        response = types.SimpleNamespace(token=r["token"], issue_ts=r["issueTs"], salt=r["salt"],
                                         expire_ts=r["expireTs"])
        record = self.record("http_rtc007_uid", "rtc007", response, channel_name="call-http",
                             uid=2882341273, role=1, privilege_expire=0, token_expire=600, with_rtm=False)
        status_code, summary, output = self.verify([record])
        self.assertEqual(summary, "1 passed, 0 failed", output)
        self.assertEqual(status_code, 0, output)
        # The shipped policy holds over HTTP too.
        status, r = self.connect_call(address, "BuildRtcTokenWithUid",
                                      {"appId": APP_ID, "channelName": "other", "uid": 1})
        self.assertEqual((status, r.get("code")), (403, "permission_denied"), r)

        # A drop-in route of agora-token-service, for the app the snippet names.
        status, _, body = self.https(address, "GET", "/rtc/call-dropin/publisher/uid/7/?expiry=600")
        self.assertEqual(status, 200, body)
        dropin_token = json.loads(body)["rtcToken"]
        # The support console: a certificate that names no caller, and its
        # API key as a Bearer token; it may only decode.
        status, decoded = self.connect_call(address, "DecodeToken",
                                            {"token": dropin_token, "channelName": "call-dropin", "uid": 7},
                                            who="support", headers={"Authorization": f"Bearer {api_key}"})
        self.assertEqual(status, 200, decoded)
        self.assertEqual((decoded["appId"], decoded["signature"]), (APP_ID, "SIGNATURE_STATE_VALID"), decoded)
        status, r = self.connect_call(address, "DecodeToken", {"token": dropin_token}, who="support")
        self.assertEqual((status, r.get("code")), (401, "unauthenticated"), r)

        # CORS as the snippet configures it: the listed origin's preflight
        # is answered, another origin is refused and nothing is minted.
        preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization, content-type"}
        status, headers, _ = self.https(address, "OPTIONS", "/agora.token.v1.TokenService/BuildRtcTokenWithUid",
                                        headers=preflight)
        self.assertEqual(status, 204, headers)
        self.assertEqual(headers.get("access-control-allow-origin"), ORIGIN, headers)
        status, r = self.connect_call(address, "BuildRtcTokenWithUid",
                                      {"appId": APP_ID, "channelName": "call-cors", "uid": 1},
                                      headers={"Origin": "https://elsewhere.example.com"})
        self.assertEqual(status, 403, r)
        self.assertNotIn("token", r)

        # Without a client certificate the TLS handshake is refused, as on gRPC.
        with self.assertRaises(OSError):
            self.https(address, "GET", "/readyz", who=None)

        # Audit lines and metrics say which transport.
        audit = [json.loads(line) for line in docker("logs", name).stdout.splitlines() if line.startswith("{")]
        self.assertTrue(any(line.get("transport") == "http" for line in audit), audit)
        with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5) as answer:
            text = answer.read().decode()
        self.assertTrue(any(line.startswith("agora_token_rpc_requests_total{") and 'transport="http"' in line
                            for line in text.splitlines()), text)

    def test_health_port_metrics_and_healthcheck(self):
        name, api, health, metrics, _ = self.start_server()
        self.assertEqual(health_status(health), 1)
        # The image's own probe, as its HEALTHCHECK and a kubelet would run it.
        docker("exec", name, "/usr/local/bin/agora-token-server", f"--health-probe={health}")
        with self.client(api, "call") as call:
            # Named users (1 to 5): the shipped policy does not allow uid 0.
            for i in range(1, 6):
                call.build_rtc_token_with_uid(APP_ID, f"call-{i}", i, token_version="007")
        with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5) as response:
            self.assertEqual(response.status, 200)
            text = response.read().decode()
        ok_calls = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                       if line.startswith("agora_token_rpc_requests_total{")
                       and "BuildRtcTokenWithUid" in line and '"OK"' in line)
        self.assertEqual(ok_calls, 5, text)
        self.assertIn("agora_token_build_info{", text)

        # The image's HEALTHCHECK as shipped: default arguments and ports, in
        # a network namespace of its own (its 8081 is fixed), only the
        # interval shortened.
        probe = f"agora-token-image-healthcheck-{secrets.token_hex(4)}"
        self.containers.append(probe)
        docker("run", "-d", "--name", probe, "--network", "none", "--health-interval=1s",
               "--health-start-period=1s", *self.hardening, *self.mounts, IMAGE)
        deadline = time.monotonic() + 30
        state = ""
        while time.monotonic() < deadline:
            state = docker("inspect", "-f", "{{.State.Health.Status}}", probe).stdout.strip()
            if state == "healthy":
                break
            time.sleep(0.5)
        self.assertEqual(state, "healthy", docker("inspect", "-f", "{{json .State.Health}}", probe).stdout)
        docker("stop", probe)

    def test_docker_stop_lets_calls_in_flight_finish(self):
        # The shipped config with call-backend's rate limit lifted, so that
        # big batches keep the server busy.
        shipped = CONFIG.read_text()
        limit = "rate_limit { tokens_per_second: 2000 burst: 4000 }"
        self.assertIn(limit, shipped)
        config = self.work / "unlimited.textproto"
        config.write_text(shipped.replace(limit, "rate_limit { tokens_per_second: 10000000 burst: 10000000 }"))
        os.chmod(config, 0o444)
        name, api, health, _, _ = self.start_server(["--drain-timeout-ms=20000"], config=config)
        stop_sent = threading.Event()
        results = []  # (sent before the stop, finished after it, outcome)
        lock = threading.Lock()

        # Eight callers keep calling through the stop, so that calls keep
        # arriving as it lands; each stops at its first call that is not OK
        # (refused once the drain began).
        def caller(index):
            with self.client(api, "call") as call:
                # uids 1 to 1000: the shipped policy does not allow uid 0.
                items = [rtc_with_uid_request(APP_ID, f"call-{index}", uid, token_version="007")
                         for uid in range(1, 1001)]
                outcome = "OK"
                while outcome == "OK":
                    before = not stop_sent.is_set()
                    try:
                        response = call.build_tokens(items, timeout=30)
                        outcome = "OK" if all(r.WhichOneof("outcome") == "token" for r in response.results) \
                            else "item error"
                    except TokenServiceError as error:
                        outcome = error.code.name
                    with lock:
                        results.append((before, stop_sent.is_set(), outcome))

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            workers = [pool.submit(caller, i) for i in range(8)]
            time.sleep(2)
            stop_sent.set()
            started = time.monotonic()
            docker("stop", "-t", "30", name, timeout=60)
            stopped_in = time.monotonic() - started
            for worker in workers:
                worker.result(timeout=60)
        exit_code = int(docker("inspect", "-f", "{{.State.ExitCode}}", name).stdout)
        logs = docker("logs", name)
        self.assertEqual(exit_code, 0, logs.stderr)
        self.assertIn('"msg":"stopped"', logs.stderr)
        # The server's account, to the millisecond: when the drain began, and
        # the audit lines of the calls it accepted (one per token of a batch,
        # each stamped when the server recorded it).
        drain_ms = next(millis(json.loads(line)["time"]) for line in logs.stderr.splitlines()
                        if '"msg":"draining"' in line)
        accepted = [json.loads(line) for line in logs.stdout.splitlines() if line.startswith("{")]
        accepted = [line for line in accepted if line.get("rpc") == "BuildTokens"]
        # Every call it accepted finished OK, and those are the callers' OKs
        # (a batch is audited one line per token).
        self.assertEqual({line["code"] for line in accepted}, {"OK"}, accepted[:3])
        self.assertEqual(len(accepted), 1000 * sum(outcome == "OK" for _, _, outcome in results),
                         results)
        # Tokens made after the drain began (strictly later to the
        # millisecond): calls accepted before it and let finish. Whether one
        # is mid-run at the instant SIGTERM lands is timing, so it is printed,
        # not required; tests/e2e/graceful_shutdown_test.cc drives the drain
        # itself against the binary. This test is about the image's signal
        # path: docker stop, SIGTERM to PID 1, a drain, exit 0, and no
        # accepted call lost.
        after_drain = [line for line in accepted if millis(line["time"]) > drain_ms]
        after_stop = [outcome for _, after, outcome in results if after]
        print(f"\n[image] docker stop: exited 0 in {stopped_in:.2f} s; {len(after_drain)} tokens of "
              f"accepted calls were made after the drain began; callers' outcomes after the stop: "
              f"{after_stop.count('OK')} OK, then {sorted(set(after_stop) - {'OK'})}", flush=True)
        self.assertIn("OK", after_stop, "no call finished after the stop: the test proves nothing")
        # Calls sent once the drain began were never run: gRPC refuses them
        # (UNAVAILABLE), or cancels one that races the start of the shutdown
        # (CANCELLED, gRPC 1.51; see graceful_shutdown_test.cc); the audit
        # checks above show that no call the server ran is among them. Every
        # call that finished before the stop is OK.
        self.assertTrue(set(after_stop) <= {"OK", "UNAVAILABLE", "CANCELLED"}, results)
        self.assertTrue(all(outcome == "OK" for _, after, outcome in results if not after), results)


def millis(rfc3339):
    """Milliseconds since the epoch of the server's "2026-12-08T01:02:03.456Z"."""
    moment = datetime.datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%fZ")
    return round(moment.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
