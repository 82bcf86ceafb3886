"""Python client for the Agora token service (agora.token.v1.TokenService).

    from agora_token_client import TokenClient, TokenServiceError

    with TokenClient("127.0.0.1:50051") as client:
        response = client.build_rtc_token_with_uid(app_id, "my-channel", uid=42,
                                                   role="publisher", token_version="007")
        print(response.token)

See client.py for the methods, request builders for BuildTokens, and how the
generated stubs are found (AGORA_TOKEN_PY_GEN).
"""

from .client import (
    DEFAULT_TIMEOUT,
    SERVICE_CONFIG,
    SERVICE_CONFIG_PATH,
    TokenClient,
    TokenServiceError,
    access_token_request,
    apaas_request,
    chat_request,
    convo_ai_request,
    error_details_pb2,
    fpa_request,
    pb,
    rtc_with_account_request,
    rtc_with_uid_request,
    rtm_request,
    status_pb2,
    stt_request,
    token_service_pb2,
    token_service_pb2_grpc,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SERVICE_CONFIG",
    "SERVICE_CONFIG_PATH",
    "TokenClient",
    "TokenServiceError",
    "access_token_request",
    "apaas_request",
    "chat_request",
    "convo_ai_request",
    "error_details_pb2",
    "fpa_request",
    "pb",
    "rtc_with_account_request",
    "rtc_with_uid_request",
    "rtm_request",
    "status_pb2",
    "stt_request",
    "token_service_pb2",
    "token_service_pb2_grpc",
]
