'use strict'
// The Node.js peer of the benchmark: what a team would otherwise deploy. One
// Node process serving OUR proto (agora.token.v1.TokenService) with
// @grpc/grpc-js and @grpc/proto-loader, minting tokens with Agora's official
// npm builders (agora-token: RtcTokenBuilder2 for 007, RtcTokenBuilder for
// 006). It implements BuildRtcTokenWithUid and grpc.health.v1.Health/Check,
// the two calls bench/run.sh compares; the app and its certificate come from
// a keyring file (deploy/dev/keyring.textproto by default), never from flags.
//
// Usage: node bench/peers/node_token_server.js [PORT] [KEYRING]
//   PORT 0 (default) picks a free port. Once listening it prints one JSON
//   line to stdout: {"msg":"serving","port":"NNNN"}.

const fs = require('fs')
const path = require('path')

const repoRoot = path.resolve(__dirname, '..', '..')
const grpc = require(path.join(repoRoot, 'node_modules', '@grpc', 'grpc-js'))
const protoLoader = require(path.join(repoRoot, 'node_modules', '@grpc', 'proto-loader'))
const { RtcTokenBuilder: RtcTokenBuilder2, Role: Role2 } =
    require(path.join(repoRoot, 'node_modules', 'agora-token', 'src', 'RtcTokenBuilder2'))
const { RtcTokenBuilder: RtcTokenBuilder006, Role: Role006 } =
    require(path.join(repoRoot, 'node_modules', 'agora-token', 'src', 'RtcTokenBuilder'))

const port = Number(process.argv[2] || 0)
const keyringPath = process.argv[3] || path.join(repoRoot, 'deploy', 'dev', 'keyring.textproto')

// app_id -> certificate, from the keyring's text format: each `apps { ... }`
// block names its app_id and its primary_certificate's value. A regular
// expression is enough for the files this repository ships.
function loadKeyring(file) {
    const text = fs.readFileSync(file, 'utf8').replace(/#.*$/gm, '')
    const apps = new Map()
    const appPattern = /app_id:\s*"([0-9a-fA-F]{32})"\s*primary_certificate\s*\{\s*value:\s*"([0-9a-fA-F]{32})"/g
    for (const match of text.matchAll(appPattern)) apps.set(match[1], match[2])
    if (apps.size === 0) throw new Error(`no apps in ${file}`)
    return apps
}
const apps = loadKeyring(keyringPath)

const definition = protoLoader.loadSync('agora/token/v1/token_service.proto', {
    includeDirs: [path.join(repoRoot, 'proto')],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
})
const v1 = grpc.loadPackageDefinition(definition).agora.token.v1

const DAY_SECONDS = 86400
const CHANNEL_PATTERN = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/

function fail(callback, code, details) {
    callback({ code, details })
}

function buildRtcTokenWithUid(call, callback) {
    const request = call.request
    const certificate = apps.get(request.app_id)
    if (certificate === undefined) return fail(callback, grpc.status.NOT_FOUND, 'app_id: not in the keyring')
    if (!CHANNEL_PATTERN.test(request.channel_name)) {
        return fail(callback, grpc.status.INVALID_ARGUMENT, 'channel_name: 1 to 64 allowed characters')
    }
    const now = Math.floor(Date.now() / 1000)
    const privilegeExpiredTs = request.privilege_expired_ts
    if (privilegeExpiredTs !== 0 && privilegeExpiredTs <= now) {
        return fail(callback, grpc.status.INVALID_ARGUMENT, 'privilege_expired_ts: must be in the future')
    }
    const subscriber = request.role === 'ROLE_SUBSCRIBER'
    if (request.token_version === 'TOKEN_VERSION_006') {
        const token = RtcTokenBuilder006.buildTokenWithUid(request.app_id, certificate, request.channel_name,
            request.uid, subscriber ? Role006.SUBSCRIBER : Role006.PUBLISHER, privilegeExpiredTs)
        return callback(null, { token, token_version: 'TOKEN_VERSION_006', expire_ts: now + DAY_SECONDS })
    }
    // 007, the default: spans after now, as the proto's comments describe.
    const privilegeSpan = privilegeExpiredTs === 0 ? 0 : privilegeExpiredTs - now
    let tokenExpire = request.token_expire_seconds || privilegeSpan || DAY_SECONDS
    if (tokenExpire > DAY_SECONDS) tokenExpire = DAY_SECONDS
    const token = RtcTokenBuilder2.buildTokenWithUid(request.app_id, certificate, request.channel_name,
        request.uid, subscriber ? Role2.SUBSCRIBER : Role2.PUBLISHER, tokenExpire, privilegeSpan)
    callback(null, { token, token_version: 'TOKEN_VERSION_007', issue_ts: now, expire_ts: now + tokenExpire })
}

function unimplemented(call, callback) {
    fail(callback, grpc.status.UNIMPLEMENTED, 'the Node peer serves BuildRtcTokenWithUid only')
}

// grpc.health.v1.Health/Check without a proto: the request is ignored and the
// response is HealthCheckResponse{status: SERVING}, field 1 = varint 1.
const healthService = {
    Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: () => Buffer.alloc(0),
        requestDeserialize: bytes => bytes,
        responseSerialize: () => Buffer.from([0x08, 0x01]),
        responseDeserialize: bytes => bytes,
    },
}

const server = new grpc.Server()
server.addService(v1.TokenService.service, {
    BuildRtcTokenWithUid: buildRtcTokenWithUid,
    BuildRtcTokenWithAccount: unimplemented,
    BuildRtmToken: unimplemented,
    BuildChatToken: unimplemented,
    BuildTokens: unimplemented,
    DecodeToken: unimplemented,
})
server.addService(healthService, { Check: (call, callback) => callback(null, {}) })
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
    if (error) {
        console.error(`node_token_server: cannot listen on 127.0.0.1:${port}: ${error.message}`)
        process.exit(1)
    }
    console.log(JSON.stringify({ msg: 'serving', port: String(boundPort) }))
})

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => server.tryShutdown(() => process.exit(0)))
}
