#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/.

token_decoder_fuzz/: every token of tests/vectors/official.json and
extra.json (Agora's official builders' output), the raw 007 payloads of
official.json, plus a few near-misses.
request_validation_fuzz/: one selector byte (request_validation_fuzz.cc:
low 3 bits pick the RPC, 0x08 makes 006 the default version, 0x10 picks fast
compression, 0x40 adds the audit log, 0x80 the restricted caller) followed
by a serialized request, encoded from the text-format
requests below with `protoc --encode`. The apps are the fuzzer's keyring
(the official sample app and the rotating app); one is in no keyring.

deflate_differential_fuzz/: the raw 007 payloads of official.json (what
the deflater compresses in production), and a few edge inputs: empty, one
byte, a long run, and just over SmallDeflate's 8 KiB limit.

The output is committed; rerun after changing the vectors or the requests:
    python3 tests/fuzz/make_corpus.py
Needs protoc (Debian protobuf-compiler), which the build uses anyway.
"""
import json
import pathlib
import shutil
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "fuzz" / "corpus"
PROTO_FILE = "agora/token/v1/token_service.proto"

SAMPLE_APP = "970CA35de60c44645bbae8a215061b33"
ROTATING_APP = "fedcba9876543210fedcba9876543210"
UNKNOWN_APP = "abcdefabcdefabcdefabcdefabcdef12"
NOW = 1700000000  # the fuzzer's fixed clock

# The RPCs in the selector's order.
RPC_MESSAGES = [
    "BuildRtcTokenWithUidRequest",
    "BuildRtcTokenWithAccountRequest",
    "BuildRtmTokenRequest",
    "BuildChatTokenRequest",
    "BuildTokensRequest",
    "DecodeTokenRequest",
    "BuildAccessTokenRequest",
    "BuildConvoAiTokenRequest",
]
DEFAULT_006 = 0x08
FAST = 0x10
AUDITED = 0x40     # development mode with an audit log
RESTRICTED = 0x80  # the restricted caller: sample app, RTC 007 + RTM, "room*", 1 h


# DecodeToken seeds: the official vectors and these kinds from extra.json.
EXTRA_DECODE_IDS = {"chat007_user", "chat007_app", "unknown_service007", "rtc006_account_long"}


def load_vectors(name):
    with open(REPO / "tests" / "vectors" / name) as f:
        return json.load(f)["vectors"]


def encode(message, text):
    return subprocess.run(
        ["protoc", "-I", str(REPO / "proto"), f"--encode=agora.token.v1.{message}", PROTO_FILE],
        input=text.encode(), stdout=subprocess.PIPE, check=True).stdout


def build_requests():
    """(name, rpc index, extra selector bits, text-format request)."""
    uid = [
        ("rtc_uid_007", 0, f'app_id: "{SAMPLE_APP}" channel_name: "room-1" uid: 42'),
        ("rtc_uid_006_default", DEFAULT_006,
         f'app_id: "{SAMPLE_APP}" channel_name: "room-1" uid: 2882341273 role: ROLE_SUBSCRIBER'),
        ("rtc_uid_007_fast_rtm", FAST,
         f'app_id: "{ROTATING_APP}" channel_name: "a b!#$%&()+-:;<=.>?@[]^_{{}}|~," uid: 7 '
         f'token_version: TOKEN_VERSION_007 token_expire_seconds: 600 with_rtm: true'),
        ("rtc_uid_007_privileges", 0,
         f'app_id: "{SAMPLE_APP}" channel_name: "c" uid: 0 privilege_expires {{ '
         f'join_channel_privilege_expire: 3600 pub_audio_privilege_expire: 60 '
         f'pub_video_privilege_expire: 90000 }}'),
        ("rtc_uid_006_expiry", 0,
         f'app_id: "{SAMPLE_APP}" channel_name: "room" uid: 1 token_version: TOKEN_VERSION_006 '
         f'privilege_expired_ts: {NOW + 3600}'),
        ("rtc_uid_007_expired_ts", 0,
         f'app_id: "{SAMPLE_APP}" channel_name: "room" uid: 1 privilege_expired_ts: {NOW}'),
        ("rtc_uid_unknown_app", 0, f'app_id: "{UNKNOWN_APP}" channel_name: "room" uid: 1'),
        ("rtc_uid_bad_channel", 0, f'app_id: "{SAMPLE_APP}" channel_name: "caf\\303\\251" uid: 1'),
        ("rtc_uid_wildcard_rtm2", 0,
         f'app_id: "{SAMPLE_APP}" channel_name: "*" uid: 9 rtm_user_id: "other" '
         f'rtm_token_expire_seconds: 60'),
    ]
    account = [
        ("rtc_account_007", 0,
         f'app_id: "{SAMPLE_APP}" channel_name: "room-1" account: "alice@example.com"'),
        ("rtc_account_006", 0,
         f'app_id: "{ROTATING_APP}" channel_name: "room-1" account: "2882341273" '
         f'token_version: TOKEN_VERSION_006 role: ROLE_PUBLISHER'),
        ("rtc_account_007_rtm_fast", FAST,
         f'app_id: "{SAMPLE_APP}" channel_name: "x" account: "bob" with_rtm: true '
         f'privilege_expired_ts: {NOW + 100}'),
        ("rtc_account_006_with_007_field", DEFAULT_006,
         f'app_id: "{SAMPLE_APP}" channel_name: "x" account: "bob" token_expire_seconds: 5'),
    ]
    rtm = [
        ("rtm_007", 0, f'app_id: "{SAMPLE_APP}" user_id: "test_user" token_expire_seconds: 3600'),
        ("rtm_006", 0,
         f'app_id: "{ROTATING_APP}" user_id: "test_user" token_version: TOKEN_VERSION_006 '
         f'privilege_expired_ts: {NOW + 60}'),
        ("rtm_006_default", DEFAULT_006, f'app_id: "{SAMPLE_APP}" user_id: "u"'),
        ("rtm2_permissions", 0,
         f'app_id: "{SAMPLE_APP}" user_id: "u" token_version: TOKEN_VERSION_007 '
         f'rtm2_resources {{ resource_type: 0 permissions {{ permission_type: 1 names: "room-1" }} }} '
         f'rtm2_resources {{ resource_type: 4 permissions {{ names: "bob" names: "carol" }} }}'),
    ]
    chat = [
        ("chat_user", 0,
         f'app_id: "{SAMPLE_APP}" kind: CHAT_TOKEN_KIND_USER user_id: "u1" token_expire_seconds: 600'),
        ("chat_app_fast", FAST, f'app_id: "{ROTATING_APP}" kind: CHAT_TOKEN_KIND_APP'),
        ("chat_unspecified", 0, f'app_id: "{SAMPLE_APP}" user_id: "u1"'),
    ]
    batch = [
        ("batch_mixed", 0,
         f'items {{ rtc_with_uid {{ app_id: "{SAMPLE_APP}" channel_name: "r" uid: 3 }} }} '
         f'items {{ rtc_with_account {{ app_id: "{ROTATING_APP}" channel_name: "r" account: "a" '
         f'token_version: TOKEN_VERSION_006 }} }} '
         f'items {{ rtm {{ app_id: "{SAMPLE_APP}" user_id: "u" }} }} '
         f'items {{ chat {{ app_id: "{SAMPLE_APP}" kind: CHAT_TOKEN_KIND_APP }} }} '
         f'items {{ rtc_with_uid {{ app_id: "{UNKNOWN_APP}" channel_name: "r" }} }} '
         f'items {{ }}'),
        ("batch_new_kinds", 0,
         f'items {{ fpa {{ app_id: "{SAMPLE_APP}" }} }} '
         f'items {{ apaas {{ app_id: "{SAMPLE_APP}" kind: APAAS_TOKEN_KIND_ROOM_USER '
         f'room_uuid: "room-1" user_uuid: "u" role: 2 expire_seconds: 600 }} }} '
         f'items {{ apaas {{ app_id: "{ROTATING_APP}" kind: APAAS_TOKEN_KIND_APP }} }} '
         f'items {{ stt {{ app_id: "{SAMPLE_APP}" channel_name: "room-2" account: "bot" '
         f'rtm_user_id: "bot" }} }} '
         f'items {{ access_token {{ app_id: "{SAMPLE_APP}" services {{ type: SERVICE_TYPE_CHAT '
         f'privileges {{ privilege: 2 }} }} }} }}'),
        ("batch_one_006", DEFAULT_006,
         f'items {{ rtm {{ app_id: "{ROTATING_APP}" user_id: "u" privilege_expired_ts: {NOW + 5} }} }}'),
    ]
    access = [
        ("access_streaming_fcdn", 0,
         f'app_id: "{SAMPLE_APP}" token_expire_seconds: 900 '
         f'services {{ type: SERVICE_TYPE_FCDN channel_name: "room-1" account: "5" '
         f'privileges {{ privilege: 2 }} }} '
         f'services {{ type: SERVICE_TYPE_STREAMING channel_name: "room-1" account: "5" '
         f'privileges {{ privilege: 1 expire_seconds: 60 }} }}'),
        ("access_rtc_rtm", 0,
         f'app_id: "{SAMPLE_APP}" token_expire_seconds: 600 '
         f'services {{ type: SERVICE_TYPE_RTC channel_name: "room-1" account: "7" '
         f'privileges {{ privilege: 1 }} }} '
         f'services {{ type: SERVICE_TYPE_RTM user_id: "7" privileges {{ privilege: 1 }} }}'),
        ("access_apaas_mistyped", 0,
         f'app_id: "{SAMPLE_APP}" services {{ type: SERVICE_TYPE_APAAS channel_name: "x" }}'),
    ]
    convo_ai = [
        ("convo_ai", 0,
         f'app_id: "{SAMPLE_APP}" channel_name: "room-ai" uid: 1001 token_expire_seconds: 600 '
         f'privilege_expires {{ join_channel_privilege_expire: 300 }} rtm_user_id: "1001" '
         f'rtm_token_expire_seconds: 300'),
    ]
    requests = []
    for rpc, group in [(0, uid), (1, account), (2, rtm), (3, chat), (4, batch), (6, access),
                       (7, convo_ai)]:
        requests += [(name, rpc, bits, text) for name, bits, text in group]
    # The same requests through the audit log and the restricted caller.
    gated = {
        "rtc_uid_007": RESTRICTED,          # allowed: its app, a "room" channel
        "rtc_uid_006_default": RESTRICTED,  # refused: 006
        "rtc_uid_007_fast_rtm": RESTRICTED,  # refused: another app
        "rtc_account_007_rtm_fast": AUDITED,
        "rtm_007": RESTRICTED,              # refused: lives longer than an hour
        "chat_user": RESTRICTED,            # refused: Chat
        "batch_mixed": AUDITED,
        "batch_one_006": RESTRICTED,
        "batch_new_kinds": RESTRICTED,      # refused: every item's kind
        "rtm2_permissions": RESTRICTED,     # refused: RTM2
        "access_rtc_rtm": RESTRICTED,       # allowed: RTC for a named user in "room", RTM
        "access_streaming_fcdn": AUDITED,
        "convo_ai": AUDITED,
    }
    requests += [(f"{name}_{'restricted' if gated[name] == RESTRICTED else 'audited'}",
                  rpc, bits | gated[name], text)
                 for name, rpc, bits, text in list(requests) if name in gated]
    return requests


def decode_requests(vectors):
    """DecodeToken requests for the vectors, with the subject a 006 token needs."""
    requests = []
    for v in vectors:
        token = v["token"]
        if not token.startswith("006"):
            requests.append((f"decode_{v['id']}", 5, 0, f'token: "{token}"'))
            continue
        if v["kind"] == "rtm006":
            subject = f'rtm_user_id: "{v["account"]}"'
        elif "account" in v:
            subject = f'channel_name: "{v["channel_name"]}" account: "{v["account"]}"'
        else:
            subject = f'channel_name: "{v["channel_name"]}" uid: {v["uid"]}'
        requests.append((f"decode_{v['id']}", 5, 0, f'token: "{token}" {subject}'))
    requests.append(("decode_garbage", 5, 0, 'token: "007eJxTYDh" uid: 1'))
    # Through the audit log, and refused to the restricted caller.
    by_name = {name: text for name, _, _, text in requests}
    requests.append(("decode_rtc006_uid_audited", 5, AUDITED, by_name["decode_rtc006_uid"]))
    requests.append(("decode_rtc007_uid_restricted", 5, RESTRICTED, by_name["decode_rtc007_uid"]))
    return requests


def main():
    official = load_vectors("official.json")
    vectors = official + load_vectors("extra.json")
    decode_seeds = official + [v for v in vectors if v["id"] in EXTRA_DECODE_IDS]
    decoder_dir = OUT / "token_decoder_fuzz"
    request_dir = OUT / "request_validation_fuzz"
    deflate_dir = OUT / "deflate_differential_fuzz"
    for d in (decoder_dir, request_dir, deflate_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)

    for v in vectors:
        (decoder_dir / v["id"]).write_text(v["token"])
    # Raw 007 payloads: the fuzzer also feeds its input in deflated behind "007".
    for v in official:
        if "payload_hex" in v:
            (decoder_dir / f"payload_{v['id']}").write_bytes(bytes.fromhex(v["payload_hex"]))
    first_007 = next(v["token"] for v in vectors if v["token"].startswith("007"))
    near_misses = {
        "truncated_007": first_007[:40],
        "unpadded_007": first_007.rstrip("="),
        "wrong_version": "008" + first_007[3:],
        "bare_prefix": "006",
    }
    for name, token in near_misses.items():
        (decoder_dir / name).write_text(token)

    for v in official:
        if "payload_hex" in v:
            (deflate_dir / f"payload_{v['id']}").write_bytes(bytes.fromhex(v["payload_hex"]))
    edge_inputs = {
        "empty": b"",
        "one_byte": b"a",
        "run": b"z" * 600,
        "over_limit": bytes(range(256)) * 32 + b"x",  # 8193 bytes
    }
    for name, data in edge_inputs.items():
        (deflate_dir / name).write_bytes(data)

    for name, rpc, bits, text in build_requests() + decode_requests(decode_seeds):
        selector = bytes([rpc | bits])
        (request_dir / name).write_bytes(selector + encode(RPC_MESSAGES[rpc], text))

    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    count = sum(1 for f in OUT.rglob("*") if f.is_file())
    print(f"wrote {count} files, {total} bytes, under {OUT}")


if __name__ == "__main__":
    main()
