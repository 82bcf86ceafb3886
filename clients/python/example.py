#!/usr/bin/env python3
"""Builds one 007 RTC token with a running token server and prints it.

Usage: example.py [HOST:PORT]   (default 127.0.0.1:50051; serve
deploy/dev/keyring.textproto, whose public sample app id is used here)
"""
import sys

from agora_token_client import TokenClient, TokenServiceError

DEV_APP_ID = "970CA35de60c44645bbae8a215061b33"

target = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
with TokenClient(target) as client:
    try:
        response = client.build_rtc_token_with_uid(
            DEV_APP_ID, "demo-channel", uid=2882341273, role="publisher",
            token_version="007", token_expire_seconds=3600)
    except TokenServiceError as error:
        sys.exit(f"token service error: {error}")
print(response.token)
print(f"expires at unix time {response.expire_ts}", file=sys.stderr)
