#!/usr/bin/env bash
# The Debian package in a fresh Debian 12 container (the bare debootstrap
# base): `apt-get install ./agora-token-server_<version>_amd64.deb` pulls its
# dependencies from Debian; the system user and /etc/agora-token exist; the
# example config holds no secret; the unit serves gRPC and HTTP; the packaged
# server, run as the unit's user, serves a keyring from /etc/agora-token/keyring
# and the packaged CLI gets a token from it that verifies, over gRPC and over
# an HTTP drop-in route; `systemd-analyze verify` passes on the
# installed unit; `apt-get purge` leaves no file, user or folder behind.
#
#   tests/container/deb_test.sh BUILD_DIR     (under docker_env.sh)
#
# Builds the package with `cpack -G DEB` in BUILD_DIR (the server and the
# CLI must be built there).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DOCKER_HOST:?run under tests/container/docker_env.sh}"
build_dir=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
docker=/usr/bin/docker
name=agora-token-deb-$$
trap '"$docker" rm -f "$name" >/dev/null 2>&1 || true' EXIT

(cd "$build_dir" && cpack -G DEB -B "$build_dir/package" >/dev/null 2>&1) ||
  (cd "$build_dir" && cpack -G DEB -B "$build_dir/package")
version=$(sed -n 's/^CPACK_PACKAGE_VERSION:.*=//p; s/^CMAKE_PROJECT_VERSION:.*=//p' "$build_dir/CMakeCache.txt" | head -n1)
deb=$build_dir/package/agora-token-server_${version}_amd64.deb
[ -f "$deb" ] || { echo "no $deb" >&2; ls "$build_dir/package" >&2; exit 1; }
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

"$docker" create --name "$name" --network host -i debian:bookworm bash -s >/dev/null
"$docker" cp "$deb" "$name:/root/"
"$docker" start -i "$name" <<SCRIPT
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd /root
apt-get update -qq
apt-get install -y -qq ./$(basename "$deb") >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }

# The user and folders postinst made; the example config and no secret.
[ "\$(id -u agora-token)" = 10001 ] || { id agora-token; exit 1; }
[ "\$(stat -c '%U:%G %a' /etc/agora-token)" = "root:agora-token 750" ]
test -f /etc/agora-token/config.textproto.example
! grep -Eq 'value: *"[0-9a-fA-F]{32}"|PRIVATE KEY' /etc/agora-token/config.textproto.example
[ -z "\$(find /etc/agora-token/keyring /etc/agora-token/tls -mindepth 1)" ]
grep -q '^ExecStart=/usr/bin/agora-token-server ' /usr/lib/systemd/system/agora-token-server.service
grep -q -- '--http-listen=0.0.0.0:8443 ' /usr/lib/systemd/system/agora-token-server.service

# The packaged server as the unit's user, on a keyring where the unit's
# config would name it, plaintext on a free loopback port (no TLS files
# here); the packaged CLI calls it and verifies what it got.
app_id=\$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >/etc/agora-token/keyring/app.certificate
printf 'apps { app_id: "%s" primary_certificate { path: "app.certificate" } }\n' "\$app_id" \
  >/etc/agora-token/keyring/keyring.textproto
chgrp agora-token /etc/agora-token/keyring/*
chmod 0640 /etc/agora-token/keyring/*
setpriv --reuid agora-token --regid agora-token --clear-groups \
  /usr/bin/agora-token-server --keyring /etc/agora-token/keyring/keyring.textproto \
  --listen=127.0.0.1:0 --http-listen=127.0.0.1:0 2>/tmp/server.log &
server=\$!
for _ in \$(seq 100); do grep -q '"msg":"serving"' /tmp/server.log && break; sleep 0.1; done
port=\$(grep '"msg":"serving"' /tmp/server.log | sed 's/.*"port":"\([0-9]*\)".*/\1/')
http_port=\$(grep '"msg":"serving"' /tmp/server.log | sed 's/.*"http_port":"\([0-9]*\)".*/\1/')
[ -n "\$port" ] && [ -n "\$http_port" ] || { cat /tmp/server.log; exit 1; }
agora-token call --target 127.0.0.1:\$port BuildRtcTokenWithUid \
  "app_id: \"\$app_id\" channel_name: \"deb\" uid: 7" >/tmp/call.json
token=\$(sed -n 's/.*"token": *"\(007[^"]*\)".*/\1/p' /tmp/call.json)
[ -n "\$token" ] || { cat /tmp/call.json; exit 1; }
agora-token decode "\$token" \
  --app-certificate-file /etc/agora-token/keyring/app.certificate >/tmp/decoded.json
grep -q '"signature": "valid"' /tmp/decoded.json && grep -q '"channel_name": "deb"' /tmp/decoded.json ||
  { cat /tmp/decoded.json; exit 1; }
# The same server over HTTP (no curl in a bare Debian: bash's /dev/tcp).
http_get() {
  exec 3<>/dev/tcp/127.0.0.1/\$http_port
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "\$1" >&3
  cat <&3
  exec 3<&-
}
answer=\$(http_get /readyz)
[[ "\$answer" == "HTTP/1.1 200 "* ]] || { printf '%s\n' "\$answer"; exit 1; }
answer=\$(http_get '/rtc/deb-http/publisher/uid/8/?expiry=600')
token=\$(printf '%s\n' "\$answer" | sed -n 's/.*"rtcToken":"\(007[^"]*\)".*/\1/p')
[ -n "\$token" ] || { printf '%s\n' "\$answer"; exit 1; }
agora-token decode "\$token" \
  --app-certificate-file /etc/agora-token/keyring/app.certificate >/tmp/decoded.json
grep -q '"signature": "valid"' /tmp/decoded.json && grep -q '"channel_name": "deb-http"' /tmp/decoded.json ||
  { cat /tmp/decoded.json; exit 1; }
kill -TERM \$server
wait \$server
grep -q '"msg":"stopped"' /tmp/server.log
echo "deb: installed, served and called (gRPC and HTTP) from the packaged paths"

apt-get install -y -qq --no-install-recommends systemd >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
systemd-analyze verify /usr/lib/systemd/system/agora-token-server.service
echo "deb: systemd-analyze verify passed"

apt-get purge -y -qq agora-token-server >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
! getent passwd agora-token
! getent group agora-token
[ ! -e /etc/agora-token ] && [ ! -e /usr/bin/agora-token-server ] && [ ! -e /usr/bin/agora-token ]
[ ! -e /usr/lib/systemd/system/agora-token-server.service ]
! dpkg-query -W -f='\${Status}' agora-token-server 2>/dev/null | grep -q installed
echo "deb: purged, nothing left"
SCRIPT
