"""A thin Python client for agora.token.v1.TokenService.

TokenClient wraps the generated gRPC stub: one method per RPC, keyword
arguments named as the request fields, the response message returned as is;
plus the reference builders that are one form of an RPC under their own
names (build_token_with_rtm2, build_rtm_token_with_permissions,
build_room_user_token, build_user_token, build_app_token).
Failed calls raise TokenServiceError, which carries the status code, message,
the google.rpc.BadRequest field violations and the google.rpc.RetryInfo delay
decoded from the grpc-status-details-bin trailer. The channel retries
UNAVAILABLE and server-side CANCELLED within each call's deadline; the retry
policy and the default deadline come from the service config that all five
clients share (SERVICE_CONFIG_PATH: a copy packed into the wheel, else the
repository's clients/service_config.json).

The message classes and stubs are generated at build time (CMake target
agora_token_python_stubs). They are imported from $AGORA_TOKEN_PY_GEN if set,
else from <repo>/build/clients/python/gen, else from wherever they are already
importable.
"""

import json
import os
import sys
from pathlib import Path

import grpc
from google.protobuf.message import DecodeError

_REPO_ROOT = Path(__file__).resolve().parents[3]
_DEFAULT_GEN_DIR = _REPO_ROOT / "build" / "clients" / "python" / "gen"


def _add_generated_stubs_to_path():
    configured = os.environ.get("AGORA_TOKEN_PY_GEN")
    gen_dir = Path(configured) if configured else _DEFAULT_GEN_DIR
    if gen_dir.is_dir() and str(gen_dir) not in sys.path:
        sys.path.insert(0, str(gen_dir))
    return gen_dir


_GEN_DIR = _add_generated_stubs_to_path()
try:
    from agora.token.v1 import token_service_pb2, token_service_pb2_grpc
    from google.rpc import error_details_pb2, status_pb2
except ImportError as import_error:
    raise ImportError(
        f"agora_token_client: cannot import the generated stubs (looked in {_GEN_DIR}); "
        "build the CMake target agora_token_python_stubs, or set AGORA_TOKEN_PY_GEN "
        "to its output directory (<build>/clients/python/gen)"
    ) from import_error

pb = token_service_pb2

# setup.py copies the shared file into the wheel; in the repository it is
# read where it is checked in.
_PACKED_SERVICE_CONFIG = Path(__file__).with_name("service_config.json")
SERVICE_CONFIG_PATH = (_PACKED_SERVICE_CONFIG if _PACKED_SERVICE_CONFIG.is_file()
                       else _REPO_ROOT / "clients" / "service_config.json")
SERVICE_CONFIG = json.loads(SERVICE_CONFIG_PATH.read_text(encoding="utf-8"))


def _seconds(duration):
    """A service config duration ("5s", "0.25s") in seconds."""
    if not duration.endswith("s"):
        raise ValueError(f"{SERVICE_CONFIG_PATH}: {duration!r} is not a duration such as '5s'")
    return float(duration[:-1])


# The default deadline of each call, retries included: the shared "timeout".
DEFAULT_TIMEOUT = _seconds(SERVICE_CONFIG["methodConfig"][0]["timeout"])


def _channel_service_config():
    """SERVICE_CONFIG without its "timeout": each call sets its own deadline,
    because gRPC 1.51's core measures a service config timeout from a stale
    start time (a "2s" timeout expired after about 1 s in our probe)."""
    config = json.loads(json.dumps(SERVICE_CONFIG))
    del config["methodConfig"][0]["timeout"]
    return json.dumps(config)

_STATUS_TRAILER = "grpc-status-details-bin"
_STATUS_CODE_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def _decode_details(status):
    """(field violations, retry delay) from a google.rpc.Status's details;
    detail types this client does not know are skipped."""
    violations = []
    retry_delay = None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend((v.field, v.description) for v in bad_request.field_violations)
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry_info = error_details_pb2.RetryInfo()
            detail.Unpack(retry_info)
            retry_delay = retry_info.retry_delay.ToTimedelta().total_seconds()
    return violations, retry_delay


class TokenServiceError(grpc.RpcError):
    """A failed TokenService call, or one failed BuildTokens item.

    Attributes:
      code: the grpc.StatusCode.
      message: the server's message (never holds a certificate or a token).
      field_violations: list of (field, description) from google.rpc.BadRequest,
        field paths as in the request message, e.g. "channel_name".
      retry_delay: seconds from google.rpc.RetryInfo, or None if not sent.
    """

    def __init__(self, code, message, field_violations=(), retry_delay=None):
        self.code = code
        self.message = message
        self.field_violations = list(field_violations)
        self.retry_delay = retry_delay
        super().__init__(str(self))

    def __str__(self):
        text = f"{self.code.name}: {self.message}"
        for field, description in self.field_violations:
            text += f"\n  {field}: {description}"
        return text

    @classmethod
    def from_status(cls, status):
        """Builds the error from a google.rpc.Status message (a trailer, or a
        BuildTokensResult.error)."""
        code = _STATUS_CODE_BY_NUMBER.get(status.code, grpc.StatusCode.UNKNOWN)
        return cls(code, status.message, *_decode_details(status))

    @classmethod
    def from_rpc_error(cls, rpc_error):
        """Builds the error from what grpc raised, reading the rich details
        from the trailing metadata when the server sent them."""
        code = rpc_error.code() if hasattr(rpc_error, "code") else grpc.StatusCode.UNKNOWN
        message = (rpc_error.details() if hasattr(rpc_error, "details") else None) or ""
        trailers = rpc_error.trailing_metadata() if hasattr(rpc_error, "trailing_metadata") else None
        for key, value in trailers or ():
            if key != _STATUS_TRAILER:
                continue
            status = status_pb2.Status()
            try:
                status.ParseFromString(value)
            except DecodeError:  # a malformed trailer must not hide the real error
                break
            # The transport's code is authoritative; the trailer adds details.
            return cls(code, status.message or message, *_decode_details(status))
        return cls(code, message)


def _enum_value(enum, prefix, value):
    """Accepts an enum number, its full name ("ROLE_PUBLISHER") or its name
    without the prefix, any case ("publisher", "007")."""
    if isinstance(value, str):
        name = value.upper()
        if not name.startswith(prefix):
            name = prefix + name
        return enum.Value(name)
    return int(value)


def _privilege_expires(value):
    if value is None or isinstance(value, pb.RtcPrivilegeExpires):
        return value
    return pb.RtcPrivilegeExpires(**value)


def _rtm2_resources(resources):
    """Rtm2Resource messages, or dicts of their fields (permissions as dicts
    of Rtm2Permission's fields)."""
    return [r if isinstance(r, pb.Rtm2Resource) else pb.Rtm2Resource(**r) for r in resources]


def _rtc_fields(role, privilege_expired_ts, token_version, token_expire_seconds,
                privilege_expires, with_rtm, rtm_user_id, rtm_token_expire_seconds):
    return dict(
        role=_enum_value(pb.Role, "ROLE_", role),
        privilege_expired_ts=privilege_expired_ts,
        token_version=_enum_value(pb.TokenVersion, "TOKEN_VERSION_", token_version),
        token_expire_seconds=token_expire_seconds,
        privilege_expires=_privilege_expires(privilege_expires),
        with_rtm=with_rtm,
        rtm_user_id=rtm_user_id,
        rtm_token_expire_seconds=rtm_token_expire_seconds,
    )


def _one_rtc_user(method, uid, account):
    """{"uid": uid} or {"account": account}: exactly one must be given."""
    if (uid is None) == (account is None):
        raise ValueError(f"{method}: give exactly one of uid, account")
    return {"uid": uid} if account is None else {"account": account}


# Request builders: the client methods send what these return, and they are
# the items a BuildTokens call takes.

def rtc_with_uid_request(app_id, channel_name, uid, role=0, privilege_expired_ts=0,
                         token_version=0, token_expire_seconds=0, privilege_expires=None,
                         with_rtm=False, rtm_user_id="", rtm_token_expire_seconds=0):
    """A BuildRtcTokenWithUidRequest. privilege_expires is a RtcPrivilegeExpires
    or a dict of its fields."""
    return pb.BuildRtcTokenWithUidRequest(
        app_id=app_id, channel_name=channel_name, uid=uid,
        **_rtc_fields(role, privilege_expired_ts, token_version, token_expire_seconds,
                      privilege_expires, with_rtm, rtm_user_id, rtm_token_expire_seconds))


def rtc_with_account_request(app_id, channel_name, account, role=0, privilege_expired_ts=0,
                             token_version=0, token_expire_seconds=0, privilege_expires=None,
                             with_rtm=False, rtm_user_id="", rtm_token_expire_seconds=0):
    """A BuildRtcTokenWithAccountRequest; see rtc_with_uid_request."""
    return pb.BuildRtcTokenWithAccountRequest(
        app_id=app_id, channel_name=channel_name, account=account,
        **_rtc_fields(role, privilege_expired_ts, token_version, token_expire_seconds,
                      privilege_expires, with_rtm, rtm_user_id, rtm_token_expire_seconds))


def rtm_request(app_id, user_id, token_version=0, privilege_expired_ts=0, token_expire_seconds=0,
                rtm2_resources=()):
    """A BuildRtmTokenRequest. rtm2_resources (007 only) makes it an RTM2
    token; see _rtm2_resources for the forms it takes."""
    return pb.BuildRtmTokenRequest(
        app_id=app_id, user_id=user_id,
        token_version=_enum_value(pb.TokenVersion, "TOKEN_VERSION_", token_version),
        privilege_expired_ts=privilege_expired_ts,
        token_expire_seconds=token_expire_seconds,
        rtm2_resources=_rtm2_resources(rtm2_resources))


def chat_request(app_id, kind, user_id="", token_expire_seconds=0):
    """A BuildChatTokenRequest. kind ("user" or "app") has no default, as in
    the API, so a forgotten user id never yields an app token."""
    return pb.BuildChatTokenRequest(
        app_id=app_id, kind=_enum_value(pb.ChatTokenKind, "CHAT_TOKEN_KIND_", kind),
        user_id=user_id, token_expire_seconds=token_expire_seconds)


def _service_grant(grant):
    """A ServiceGrant, or a dict of its fields: type as in _enum_value
    ("rtc", "SERVICE_TYPE_APAAS", 7), privileges as PrivilegeGrant or dicts,
    rtm2_resources as for rtm_request."""
    if isinstance(grant, pb.ServiceGrant):
        return grant
    fields = dict(grant)
    fields["type"] = _enum_value(pb.ServiceType, "SERVICE_TYPE_", fields.get("type", 0))
    fields["privileges"] = [p if isinstance(p, pb.PrivilegeGrant) else pb.PrivilegeGrant(**p)
                            for p in fields.get("privileges", ())]
    fields["rtm2_resources"] = _rtm2_resources(fields.get("rtm2_resources", ()))
    return pb.ServiceGrant(**fields)


def access_token_request(app_id, services, token_expire_seconds=0):
    """A BuildAccessTokenRequest; services are ServiceGrant or dicts (see
    _service_grant)."""
    return pb.BuildAccessTokenRequest(app_id=app_id, token_expire_seconds=token_expire_seconds,
                                      services=[_service_grant(s) for s in services])


def fpa_request(app_id):
    """A BuildFpaTokenRequest."""
    return pb.BuildFpaTokenRequest(app_id=app_id)


def apaas_request(app_id, kind, room_uuid="", user_uuid="", role=0, expire_seconds=0):
    """A BuildApaasTokenRequest. kind ("room_user", "user" or "app") has no
    default, as in the API, so a caller never gets the app token by accident."""
    return pb.BuildApaasTokenRequest(
        app_id=app_id, kind=_enum_value(pb.ApaasTokenKind, "APAAS_TOKEN_KIND_", kind),
        room_uuid=room_uuid, user_uuid=user_uuid, role=role, expire_seconds=expire_seconds)


def _rtc_with_rtm_fields(method, channel_name, rtm_user_id, uid, account, role,
                         token_expire_seconds, privilege_expires, rtm_token_expire_seconds):
    return dict(channel_name=channel_name, rtm_user_id=rtm_user_id, **_one_rtc_user(method, uid, account),
                role=_enum_value(pb.Role, "ROLE_", role), token_expire_seconds=token_expire_seconds,
                privilege_expires=_privilege_expires(privilege_expires),
                rtm_token_expire_seconds=rtm_token_expire_seconds)


def convo_ai_request(app_id, channel_name, rtm_user_id, uid=None, account=None, role=0,
                     token_expire_seconds=0, privilege_expires=None, rtm_token_expire_seconds=0):
    """A BuildConvoAiTokenRequest: give exactly one of uid and account."""
    return pb.BuildConvoAiTokenRequest(app_id=app_id, **_rtc_with_rtm_fields(
        "convo_ai_request", channel_name, rtm_user_id, uid, account, role, token_expire_seconds,
        privilege_expires, rtm_token_expire_seconds))


def stt_request(app_id, channel_name, rtm_user_id, uid=None, account=None, role=0,
                token_expire_seconds=0, privilege_expires=None, rtm_token_expire_seconds=0):
    """A BuildSttTokenRequest; see convo_ai_request."""
    return pb.BuildSttTokenRequest(app_id=app_id, **_rtc_with_rtm_fields(
        "stt_request", channel_name, rtm_user_id, uid, account, role, token_expire_seconds,
        privilege_expires, rtm_token_expire_seconds))


_ITEM_FIELD_BY_REQUEST_TYPE = {
    pb.BuildRtcTokenWithUidRequest: "rtc_with_uid",
    pb.BuildRtcTokenWithAccountRequest: "rtc_with_account",
    pb.BuildRtmTokenRequest: "rtm",
    pb.BuildChatTokenRequest: "chat",
    pb.BuildAccessTokenRequest: "access_token",
    pb.BuildFpaTokenRequest: "fpa",
    pb.BuildApaasTokenRequest: "apaas",
    pb.BuildConvoAiTokenRequest: "convo_ai",
    pb.BuildSttTokenRequest: "stt",
}


def _batch_item(item):
    if isinstance(item, pb.BuildTokensRequestItem):
        return item
    field = _ITEM_FIELD_BY_REQUEST_TYPE.get(type(item))
    if field is None:
        raise TypeError(f"build_tokens: cannot batch a {type(item).__name__}")
    return pb.BuildTokensRequestItem(**{field: item})


class TokenClient:
    """A connection to a TokenService server.

    target: "host:port". credentials: grpc.ChannelCredentials for TLS, or None
    for plaintext (loopback, or behind a trusted proxy). timeout: the default
    deadline of each call in seconds, retries included (DEFAULT_TIMEOUT if
    None); each method's timeout= overrides it for one call. api_key: sent as
    "authorization: Bearer <key>" on every call, for servers whose config
    identifies callers by API key (use it over TLS).
    """

    def __init__(self, target, credentials=None, timeout=None, api_key=None):
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        options = [
            ("grpc.service_config", _channel_service_config()),
            ("grpc.enable_retries", 1),
        ]
        if credentials is None:
            self._channel = grpc.insecure_channel(target, options=options)
        else:
            self._channel = grpc.secure_channel(target, credentials, options=options)
        self._stub = token_service_pb2_grpc.TokenServiceStub(self._channel)
        self._timeout = timeout
        self._metadata = (("authorization", f"Bearer {api_key}"),) if api_key else None

    @property
    def timeout(self):
        """The default deadline of each call, in seconds."""
        return self._timeout

    def close(self):
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _call(self, method, request, timeout):
        try:
            return method(
                request,
                timeout=self._timeout if timeout is None else timeout,
                metadata=self._metadata,
            )
        except grpc.RpcError as rpc_error:
            raise TokenServiceError.from_rpc_error(rpc_error) from rpc_error

    def build_rtc_token_with_uid(self, app_id, channel_name, uid, role=0, privilege_expired_ts=0,
                                 token_version=0, token_expire_seconds=0, privilege_expires=None,
                                 with_rtm=False, rtm_user_id="", rtm_token_expire_seconds=0,
                                 timeout=None):
        """BuildRtcTokenWithUid; returns a BuildRtcTokenWithUidResponse."""
        request = rtc_with_uid_request(app_id, channel_name, uid, role, privilege_expired_ts,
                                       token_version, token_expire_seconds, privilege_expires,
                                       with_rtm, rtm_user_id, rtm_token_expire_seconds)
        return self._call(self._stub.BuildRtcTokenWithUid, request, timeout)

    def build_rtc_token_with_account(self, app_id, channel_name, account, role=0,
                                     privilege_expired_ts=0, token_version=0,
                                     token_expire_seconds=0, privilege_expires=None,
                                     with_rtm=False, rtm_user_id="", rtm_token_expire_seconds=0,
                                     timeout=None):
        """BuildRtcTokenWithAccount; returns a BuildRtcTokenWithAccountResponse."""
        request = rtc_with_account_request(app_id, channel_name, account, role,
                                           privilege_expired_ts, token_version,
                                           token_expire_seconds, privilege_expires, with_rtm,
                                           rtm_user_id, rtm_token_expire_seconds)
        return self._call(self._stub.BuildRtcTokenWithAccount, request, timeout)

    def build_token_with_rtm2(self, app_id, channel_name, rtm_user_id, uid=None, account=None,
                              role=0, token_expire_seconds=0, privilege_expires=None,
                              rtm_token_expire_seconds=0, timeout=None):
        """The reference RtcTokenBuilder2.build_token_with_rtm2: a 007 RTC token
        for uid or account (exactly one) that also logs rtm_user_id in to RTM.
        Calls BuildRtcTokenWithUid or BuildRtcTokenWithAccount and returns its
        response."""
        user = _one_rtc_user("build_token_with_rtm2", uid, account)
        fields = dict(role=role, token_version=pb.TOKEN_VERSION_007,
                      token_expire_seconds=token_expire_seconds, privilege_expires=privilege_expires,
                      rtm_user_id=rtm_user_id, rtm_token_expire_seconds=rtm_token_expire_seconds,
                      timeout=timeout)
        if "uid" in user:
            return self.build_rtc_token_with_uid(app_id, channel_name, uid, **fields)
        return self.build_rtc_token_with_account(app_id, channel_name, account, **fields)

    def build_rtm_token(self, app_id, user_id, token_version=0, privilege_expired_ts=0,
                        token_expire_seconds=0, rtm2_resources=(), timeout=None):
        """BuildRtmToken; returns a BuildRtmTokenResponse."""
        request = rtm_request(app_id, user_id, token_version, privilege_expired_ts,
                              token_expire_seconds, rtm2_resources)
        return self._call(self._stub.BuildRtmToken, request, timeout)

    def build_rtm_token_with_permissions(self, app_id, user_id, rtm2_resources,
                                         token_expire_seconds=0, timeout=None):
        """The reference RtmTokenBuilder2.buildTokenWithPermissions: a 007 RTM2
        token (BuildRtmToken with rtm2_resources); returns a BuildRtmTokenResponse."""
        return self.build_rtm_token(app_id, user_id, token_version=pb.TOKEN_VERSION_007,
                                    token_expire_seconds=token_expire_seconds,
                                    rtm2_resources=rtm2_resources, timeout=timeout)

    def build_chat_token(self, app_id, kind, user_id="", token_expire_seconds=0, timeout=None):
        """BuildChatToken; returns a BuildChatTokenResponse."""
        request = chat_request(app_id, kind, user_id, token_expire_seconds)
        return self._call(self._stub.BuildChatToken, request, timeout)

    def build_access_token(self, app_id, services, token_expire_seconds=0, timeout=None):
        """BuildAccessToken: a 007 token holding any services (ServiceGrant or
        dicts, see access_token_request); returns a BuildAccessTokenResponse."""
        request = access_token_request(app_id, services, token_expire_seconds)
        return self._call(self._stub.BuildAccessToken, request, timeout)

    def build_fpa_token(self, app_id, timeout=None):
        """BuildFpaToken (the reference FpaTokenBuilder.build_token); returns a
        BuildFpaTokenResponse."""
        return self._call(self._stub.BuildFpaToken, fpa_request(app_id), timeout)

    def build_apaas_token(self, app_id, kind, room_uuid="", user_uuid="", role=0, expire_seconds=0,
                          timeout=None):
        """BuildApaasToken; returns a BuildApaasTokenResponse. The three
        methods below are its kinds under the reference ApaasTokenBuilder's
        names."""
        request = apaas_request(app_id, kind, room_uuid, user_uuid, role, expire_seconds)
        return self._call(self._stub.BuildApaasToken, request, timeout)

    def build_room_user_token(self, app_id, room_uuid, user_uuid, role, expire_seconds=0,
                              timeout=None):
        """ApaasTokenBuilder.build_room_user_token: APaaS room user, RTM login
        for user_uuid and Chat for its MD5."""
        return self.build_apaas_token(app_id, "room_user", room_uuid=room_uuid, user_uuid=user_uuid,
                                      role=role, expire_seconds=expire_seconds, timeout=timeout)

    def build_user_token(self, app_id, user_uuid, expire_seconds=0, timeout=None):
        """ApaasTokenBuilder.build_user_token: an APaaS user token."""
        return self.build_apaas_token(app_id, "user", user_uuid=user_uuid,
                                      expire_seconds=expire_seconds, timeout=timeout)

    def build_app_token(self, app_id, expire_seconds=0, timeout=None):
        """ApaasTokenBuilder.build_app_token: an APaaS app token, for the app's
        own servers."""
        return self.build_apaas_token(app_id, "app", expire_seconds=expire_seconds, timeout=timeout)

    def build_convo_ai_token(self, app_id, channel_name, rtm_user_id, uid=None, account=None, role=0,
                             token_expire_seconds=0, privilege_expires=None,
                             rtm_token_expire_seconds=0, timeout=None):
        """BuildConvoAiToken (the reference ConvoAITokenBuilder.build_token): RTC
        for uid or account (exactly one), RTM for rtm_user_id and the ConvoAI
        service; returns a BuildConvoAiTokenResponse."""
        request = convo_ai_request(app_id, channel_name, rtm_user_id, uid, account, role,
                                   token_expire_seconds, privilege_expires, rtm_token_expire_seconds)
        return self._call(self._stub.BuildConvoAiToken, request, timeout)

    def build_stt_token(self, app_id, channel_name, rtm_user_id, uid=None, account=None, role=0,
                        token_expire_seconds=0, privilege_expires=None, rtm_token_expire_seconds=0,
                        timeout=None):
        """BuildSttToken (the reference SttTokenBuilder.build_token): as
        build_convo_ai_token with the STT service; returns a BuildSttTokenResponse."""
        request = stt_request(app_id, channel_name, rtm_user_id, uid, account, role,
                              token_expire_seconds, privilege_expires, rtm_token_expire_seconds)
        return self._call(self._stub.BuildSttToken, request, timeout)

    def build_tokens(self, items, timeout=None):
        """BuildTokens; items are request messages (from the *_request
        functions) or BuildTokensRequestItem. Returns a BuildTokensResponse;
        a failed item's result.error converts with
        TokenServiceError.from_status."""
        request = pb.BuildTokensRequest(items=[_batch_item(item) for item in items])
        return self._call(self._stub.BuildTokens, request, timeout)

    def decode_token(self, token, channel_name="", uid=None, account=None, rtm_user_id=None,
                     timeout=None):
        """DecodeToken; returns a DecodeTokenResponse. For a 006 token, give the
        subject (uid or account with channel_name, or rtm_user_id) to have
        its signature checked."""
        subjects = {"uid": uid, "account": account, "rtm_user_id": rtm_user_id}
        given = {name: value for name, value in subjects.items() if value is not None}
        if len(given) > 1:
            raise ValueError("decode_token: give at most one of uid, account, rtm_user_id "
                             f"(got {sorted(given)})")
        request = pb.DecodeTokenRequest(token=token, channel_name=channel_name, **given)
        return self._call(self._stub.DecodeToken, request, timeout)
