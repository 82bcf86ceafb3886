'use strict'
// End-to-end test of the Node.js client (clients/node) against the real
// agora-token-server binary, run with `node --test`. The server is started
// once on 127.0.0.1:0 with a temporary keyring (a random app whose
// certificate is a file, plus the public dev app that clients/node/example.js
// uses); its port comes from the "serving" log line, and it is stopped with
// SIGTERM (then SIGKILL) at the end. Tokens built through the client are
// checked by Agora's official npm package via
// tests/crosscheck/verify_with_agora_token.js. A second group of tests uses a
// scripted in-process grpc-js server to check what the client adds to each
// call: the API key header, the default deadline and the retry policy.
//
// Environment: AGORA_TOKEN_SERVER, the server binary (default
// <repo>/build/server/agora-token-server).

const assert = require('node:assert/strict')
const { after, before, describe, test } = require('node:test')
const { execFile, spawn } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..')
const CLIENT_DIR = path.join(REPO_ROOT, 'clients', 'node')
const SERVER_BINARY = process.env.AGORA_TOKEN_SERVER || path.join(REPO_ROOT, 'build', 'server', 'agora-token-server')
const VERIFIER = path.join(REPO_ROOT, 'tests', 'crosscheck', 'verify_with_agora_token.js')

const { TokenServiceClient, TokenServiceError, status, DEFAULT_TIMEOUT_MS, SERVICE_CONFIG, SERVICE_CONFIG_PATH } = require(CLIENT_DIR)
// Read here rather than through the client, so a client that ignored it fails.
const SHARED_SERVICE_CONFIG_PATH = path.join(REPO_ROOT, 'clients', 'service_config.json')
const SHARED_METHOD_CONFIG = JSON.parse(fs.readFileSync(SHARED_SERVICE_CONFIG_PATH, 'utf8')).methodConfig[0]
const SHARED_TIMEOUT_MS = Number(SHARED_METHOD_CONFIG.timeout.replace(/s$/, '')) * 1000
const SHARED_MAX_ATTEMPTS = SHARED_METHOD_CONFIG.retryPolicy.maxAttempts
// The client's own grpc-js and proto-loader, for the scripted server.
const grpc = require(require.resolve('@grpc/grpc-js', { paths: [CLIENT_DIR] }))
const protoLoader = require(require.resolve('@grpc/proto-loader', { paths: [CLIENT_DIR] }))

const DEV_APP_ID = '970CA35de60c44645bbae8a215061b33'
const DEV_APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b'
const SERVER_START_TIMEOUT_MS = 15000
const SERVER_STOP_TIMEOUT_MS = 10000
const SUBPROCESS_TIMEOUT_MS = 60000

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// RTM2 permissions: read and write on two message channels, read on one user.
// The client's camelCase form, and the verifier's snake_case one.
const RTM2_RESOURCES = [
    { resourceType: 0, permissions: [{ permissionType: 0, names: ['ch-a', 'ch-b'] }, { permissionType: 1, names: ['ch-a'] }] },
    { resourceType: 4, permissions: [{ permissionType: 0, names: ['peer-1'] }] },
]
const RTM2_RECORD = RTM2_RESOURCES.map(r => ({
    resource_type: r.resourceType,
    permissions: r.permissions.map(p => ({ permission_type: p.permissionType, names: p.names })),
}))

// BuildAccessToken's services out of type order (the token sorts them), in
// verify_with_agora_token.js's form: privileges as [id, seconds] pairs.
const ACCESS_TOKEN_SERVICES = [
    { type: 8, privileges: [[1, 0]], user_id: 'multi-user', rtm2_resources: RTM2_RECORD },
    { type: 1, privileges: [[1, 0], [2, 600]], channel_name: 'multi', account: '42' },
    { type: 9, privileges: [] },
    { type: 6, privileges: [[1, 0]], channel_name: 'cdn', account: 'alice' },
    { type: 3, privileges: [[1, 0], [2, 300]], channel_name: 'live', account: '' },
    { type: 7, privileges: [[2, 0]], user_uuid: 'u-1' },
    { type: 2, privileges: [[1, 1200]], user_id: 'multi-user' },
]
// The same as the client's ServiceGrant objects.
const ACCESS_TOKEN_GRANTS = ACCESS_TOKEN_SERVICES.map(s => ({
    type: s.type,
    privileges: s.privileges.map(([privilege, expireSeconds]) => ({ privilege, expireSeconds })),
    channelName: s.channel_name,
    account: s.account,
    userId: s.user_id,
    userUuid: s.user_uuid,
    rtm2Resources: s.rtm2_resources && RTM2_RESOURCES,
}))
// The verifier wants every text field present.
const ACCESS_TOKEN_RECORDS = ACCESS_TOKEN_SERVICES.map(s => ({
    channel_name: '', account: '', user_id: '', room_uuid: '', user_uuid: '', rtm2_resources: [], ...s,
}))

// Per-privilege lifetimes: the request's names, and the verifier's.
const RTC_EXPIRES = { joinChannelPrivilegeExpire: 3600, pubAudioPrivilegeExpire: 1800, pubVideoPrivilegeExpire: 900, pubDataStreamPrivilegeExpire: 0 }
const RTC_EXPIRES_RECORD = { join_channel: 3600, publish_audio: 1800, publish_video: 900, publish_data_stream: 0 }
const NO_RTC_EXPIRES_RECORD = { join_channel: 0, publish_audio: 0, publish_video: 0, publish_data_stream: 0 }

// agora-token-server as a child process on a free loopback port.
class ServerProcess {
    constructor(workDir, keyringPath) {
        this.logPath = path.join(workDir, 'server.log')
        const log = fs.openSync(this.logPath, 'w')
        this.child = spawn(SERVER_BINARY, ['--listen=127.0.0.1:0', `--keyring=${keyringPath}`,
            '--compression=compatible', '--drain_timeout_ms=2000'], { stdio: ['ignore', 'ignore', log] })
        fs.closeSync(log)
        this.exit = new Promise(resolve => this.child.once('exit', (code, signal) => resolve({ code, signal })))
        this.exited = null
        this.exit.then(result => { this.exited = result })
    }

    log() {
        return fs.readFileSync(this.logPath, 'utf8')
    }

    async waitForPort() {
        const deadline = Date.now() + SERVER_START_TIMEOUT_MS
        while (Date.now() < deadline) {
            for (const line of this.log().split('\n')) {
                let record
                try {
                    record = JSON.parse(line)
                } catch (e) {
                    continue
                }
                if (record.msg === 'serving') return Number(record.port)
            }
            if (this.exited) throw new Error(`server exited (${JSON.stringify(this.exited)}) before serving; log:\n${this.log()}`)
            await sleep(50)
        }
        throw new Error(`server did not log "serving" within ${SERVER_START_TIMEOUT_MS} ms; log:\n${this.log()}`)
    }

    // SIGTERM (drain), then SIGKILL if it does not exit in time.
    async stop() {
        if (!this.exited) this.child.kill('SIGTERM')
        const timedOut = Symbol('timeout')
        let timer
        const result = await Promise.race([this.exit, new Promise(resolve => { timer = setTimeout(() => resolve(timedOut), SERVER_STOP_TIMEOUT_MS) })])
        clearTimeout(timer)
        if (result !== timedOut) return result
        this.child.kill('SIGKILL')
        await this.exit
        throw new Error(`server ignored SIGTERM for ${SERVER_STOP_TIMEOUT_MS} ms and was killed`)
    }
}

function runNode(args) {
    return new Promise(resolve => {
        execFile(process.execPath, args, { timeout: SUBPROCESS_TIMEOUT_MS }, (error, stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr })
        })
    })
}

describe('Node.js client against agora-token-server', () => {
    let workDir
    let server
    let target
    let client
    const appId = crypto.randomBytes(16).toString('hex')
    const appCertificate = crypto.randomBytes(16).toString('hex')

    before(async () => {
        assert.ok(fs.existsSync(SERVER_BINARY), `server binary ${SERVER_BINARY} is missing; build agora-token-server`)
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-token-node-e2e-'))
        fs.writeFileSync(path.join(workDir, 'test_app.certificate'), `${appCertificate}\n`, { mode: 0o600 })
        const keyringPath = path.join(workDir, 'keyring.textproto')
        fs.writeFileSync(keyringPath,
            `apps {\n  app_id: "${appId}"\n  primary_certificate { path: "test_app.certificate" }\n}\n` +
            `apps {\n  app_id: "${DEV_APP_ID}"\n  primary_certificate { value: "${DEV_APP_CERTIFICATE}" }\n}\n`)
        server = new ServerProcess(workDir, keyringPath)
        target = `127.0.0.1:${await server.waitForPort()}`
        client = new TokenServiceClient(target, { timeoutMs: 10000 })
    })

    after(async () => {
        if (client) client.close()
        try {
            if (server) {
                const result = await server.stop()
                assert.equal(result.code, 0, `server exit ${JSON.stringify(result)}`)
            }
        } finally {
            if (workDir) fs.rmSync(workDir, { recursive: true, force: true })
        }
    })

    // One line of verify_with_agora_token.js's input: the inputs we sent plus
    // what the server says it built.
    function verifierRecord(shape, kind, response, inputs) {
        const record = {
            seed: 'node-e2e', case: shape, shape, kind, app_id: appId, app_certificate: appCertificate,
            token: response.token, issuance: 'new', issue_ts: response.issueTs, salt: response.salt,
            built: {
                version: { TOKEN_VERSION_006: '006', TOKEN_VERSION_007: '007' }[response.tokenVersion],
                salt: response.salt, issue_ts: response.issueTs, expire_ts: response.expireTs,
            },
            ...inputs,
        }
        if (kind.includes('007')) record.compression = 'compatible' // rtc007, apaas007_user, rtm2_007, ...
        return record
    }

    // Every token kind of issue 15, through its client method and some
    // through buildTokens: { shape: [response, verifier record] }. Built once.
    let newKinds = null
    function buildNewKinds() {
        newKinds = newKinds || (async () => {
            const built = {}
            const keep = (shape, kind, response, inputs) => { built[shape] = [response, verifierRecord(shape, kind, response, inputs)] }

            keep('access_token', 'access_token2_007',
                await client.buildAccessToken({ appId, services: ACCESS_TOKEN_GRANTS, tokenExpireSeconds: 3600 }),
                { services: ACCESS_TOKEN_RECORDS, token_expire: 3600 })
            keep('fpa', 'fpa007', await client.buildFpaToken({ appId }), { token_expire: 86400 })
            keep('room_user', 'apaas007_room_user',
                await client.buildRoomUserToken({ appId, roomUuid: 'room-42', userUuid: 'teacher-1', role: 1, expireSeconds: 1800 }),
                { room_uuid: 'room-42', user_uuid: 'teacher-1', role: 1, token_expire: 1800 })
            keep('apaas_user', 'apaas007_user', await client.buildUserToken({ appId, userUuid: 'student-7' }),
                { user_uuid: 'student-7', token_expire: 0 })
            keep('apaas_app', 'apaas007_app', await client.buildAppToken({ appId, expireSeconds: 600 }), { token_expire: 600 })
            keep('rtm_with_permissions', 'rtm2_007',
                await client.buildRtmTokenWithPermissions({ appId, userId: 'rtm2-user', rtm2Resources: RTM2_RESOURCES, tokenExpireSeconds: 1200 }),
                { user_id: 'rtm2-user', rtm2_resources: RTM2_RECORD, token_expire: 1200 })
            // Per-privilege lifetimes grant all four RTC privileges: the
            // reference's publisher.
            keep('rtc_with_rtm2_uid', 'rtc007_rtm2',
                await client.buildTokenWithRtm2({
                    appId, channelName: 'rtm2 chan', uid: 4242, tokenExpireSeconds: 3600, privilegeExpires: RTC_EXPIRES,
                    rtmUserId: 'agent-x', rtmTokenExpireSeconds: 900,
                }),
                { channel_name: 'rtm2 chan', uid: 4242, role: 1, token_expire: 3600, privilege_expires: RTC_EXPIRES_RECORD, rtm_user_id: 'agent-x', rtm_token_expire: 900 })
            keep('rtc_with_rtm2_account', 'rtc007_rtm2',
                await client.buildTokenWithRtm2({ appId, channelName: 'rtm2 chan', account: 'viewer', role: 'subscriber', rtmUserId: 'agent-y' }),
                { channel_name: 'rtm2 chan', account: 'viewer', role: 2, token_expire: 0, privilege_expires: NO_RTC_EXPIRES_RECORD, rtm_user_id: 'agent-y', rtm_token_expire: 0 })
            keep('convo_ai', 'convoai007',
                await client.buildConvoAiToken({
                    appId, channelName: 'agent-room', uid: 1001, role: 'publisher', tokenExpireSeconds: 3600,
                    privilegeExpires: RTC_EXPIRES, rtmUserId: 'agent-1001', rtmTokenExpireSeconds: 3600,
                }),
                { channel_name: 'agent-room', uid: 1001, role: 1, token_expire: 3600, privilege_expires: RTC_EXPIRES_RECORD, rtm_user_id: 'agent-1001', rtm_token_expire: 3600 })
            keep('stt', 'stt007',
                await client.buildSttToken({
                    appId, channelName: 'meeting', account: 'stt-bot', role: 'subscriber',
                    privilegeExpires: { joinChannelPrivilegeExpire: 600 }, rtmUserId: 'stt-bot-rtm',
                }),
                { channel_name: 'meeting', account: 'stt-bot', role: 2, token_expire: 0, privilege_expires: { ...NO_RTC_EXPIRES_RECORD, join_channel: 600 }, rtm_user_id: 'stt-bot-rtm', rtm_token_expire: 0 })

            const batch = await client.buildTokens({
                items: [
                    { accessToken: { appId, services: ACCESS_TOKEN_GRANTS.slice(0, 2) } },
                    { fpa: { appId } },
                    { apaas: { appId, kind: 'room_user', roomUuid: 'room-b', userUuid: 'pupil', role: 2 } },
                    { rtm: { appId, userId: 'rtm2-batch', tokenVersion: '007', rtm2Resources: RTM2_RESOURCES } },
                    { convoAi: { appId, channelName: 'batch-room', account: 'agent', privilegeExpires: RTC_EXPIRES, rtmUserId: 'agent-b' } },
                    { stt: { appId, channelName: 'batch-room', uid: 7, role: 'publisher', rtmUserId: 'stt-b' } },
                ],
            })
            assert.deepEqual(batch.results.map(r => r.outcome), Array(6).fill('token'), JSON.stringify(batch.results))
            const tokens = batch.results.map(r => r.token)
            keep('batch_access_token', 'access_token2_007', tokens[0], { services: ACCESS_TOKEN_RECORDS.slice(0, 2), token_expire: 0 })
            keep('batch_fpa', 'fpa007', tokens[1], { token_expire: 86400 })
            keep('batch_room_user', 'apaas007_room_user', tokens[2], { room_uuid: 'room-b', user_uuid: 'pupil', role: 2, token_expire: 0 })
            keep('batch_rtm2', 'rtm2_007', tokens[3], { user_id: 'rtm2-batch', rtm2_resources: RTM2_RECORD, token_expire: 0 })
            keep('batch_convo_ai', 'convoai007', tokens[4],
                { channel_name: 'batch-room', account: 'agent', role: 1, token_expire: 0, privilege_expires: RTC_EXPIRES_RECORD, rtm_user_id: 'agent-b', rtm_token_expire: 0 })
            keep('batch_stt', 'stt007', tokens[5],
                { channel_name: 'batch-room', uid: 7, role: 1, token_expire: 0, privilege_expires: NO_RTC_EXPIRES_RECORD, rtm_user_id: 'stt-b', rtm_token_expire: 0 })
            return built
        })()
        return newKinds
    }

    async function runVerifier(records) {
        const file = path.join(workDir, `tokens-${crypto.randomBytes(4).toString('hex')}.jsonl`)
        fs.writeFileSync(file, records.map(record => JSON.stringify(record) + '\n').join(''))
        const result = await runNode([VERIFIER, file])
        const lines = result.stdout.trim().split('\n')
        return { ...result, summary: lines[lines.length - 1], output: result.stdout + result.stderr }
    }

    test('RTC tokens with uid and account pass Agora\'s official package', async () => {
        const now = Math.floor(Date.now() / 1000)
        const records = []

        let r = await client.buildRtcTokenWithUid({
            appId, channelName: 'node e2e!', uid: 2882341273, role: 'ROLE_PUBLISHER', privilegeExpiredTs: 0,
            tokenVersion: 'TOKEN_VERSION_006',
        })
        assert.equal(r.tokenVersion, 'TOKEN_VERSION_006')
        records.push(verifierRecord('rtc006_uid', 'rtc006', r,
            { channel_name: 'node e2e!', uid: 2882341273, role: 1, privilege_expired_ts: 0 }))

        let expiredTs = now + 3600
        r = await client.buildRtcTokenWithAccount({
            appId, channelName: 'room[1]', account: 'user@example.com', role: 2, privilegeExpiredTs: expiredTs,
            tokenVersion: '006',
        })
        records.push(verifierRecord('rtc006_account', 'rtc006', r,
            { channel_name: 'room[1]', account: 'user@example.com', role: 2, privilege_expired_ts: expiredTs }))

        r = await client.buildRtcTokenWithUid({
            appId, channelName: 'node e2e!', uid: 12345, role: 'publisher', tokenVersion: 'TOKEN_VERSION_007',
            tokenExpireSeconds: 7200,
        })
        assert.equal(r.tokenVersion, 'TOKEN_VERSION_007')
        assert.equal(r.expireTs - r.issueTs, 7200)
        records.push(verifierRecord('rtc007_uid', 'rtc007', r,
            { channel_name: 'node e2e!', uid: 12345, role: 1, privilege_expire: 0, token_expire: 7200, with_rtm: false }))

        // With tokenExpireSeconds 0 the token expires at privilegeExpiredTs
        // too: both become spans after the issue time.
        expiredTs = now + 1800
        r = await client.buildRtcTokenWithAccount({
            appId, channelName: 'room[1]', account: 'Alice_01', role: 'ROLE_SUBSCRIBER', privilegeExpiredTs: expiredTs,
            tokenVersion: 'TOKEN_VERSION_007',
        })
        const span = expiredTs - r.issueTs
        records.push(verifierRecord('rtc007_account', 'rtc007', r,
            { channel_name: 'room[1]', account: 'Alice_01', role: 2, privilege_expire: span, token_expire: span, with_rtm: false }))

        for (const record of records) assert.ok(record.token.startsWith(record.kind.slice(3)), record.shape)
        let result = await runVerifier(records)
        assert.equal(result.summary, `${records.length} passed, 0 failed`, result.output)
        assert.equal(result.code, 0, result.output)

        // The same check must notice a damaged token, or it proves nothing.
        const damaged = { ...records[2] }
        const middle = damaged.token.length >> 1
        damaged.token = damaged.token.slice(0, middle) + (damaged.token[middle] === 'A' ? 'B' : 'A') + damaged.token.slice(middle + 1)
        result = await runVerifier([records[0], records[1], damaged, records[3]])
        assert.equal(result.summary, '3 passed, 1 failed', result.output)
        assert.notEqual(result.code, 0, result.output)
        assert.match(result.output, /case=rtc007_uid /)
    })

    test('every new token kind passes Agora\'s official package', async () => {
        const records = Object.values(await buildNewKinds()).map(([, record]) => record)
        for (const record of records) assert.ok(record.token.startsWith('007'), record.shape)
        const result = await runVerifier(records)
        assert.equal(result.summary, `${records.length} passed, 0 failed`, result.output)
        assert.equal(result.code, 0, result.output)
    })

    test('every new token kind decodes to its services', async () => {
        const wantTypes = {
            access_token: ['RTC', 'RTM', 'STREAMING', 'FCDN', 'APAAS', 'RTM2', 'CONVO_AI'],
            fpa: ['FPA'], room_user: ['RTM', 'CHAT', 'APAAS'], apaas_user: ['APAAS'], apaas_app: ['APAAS'],
            rtm_with_permissions: ['RTM2'], rtc_with_rtm2_uid: ['RTC', 'RTM'], rtc_with_rtm2_account: ['RTC', 'RTM'],
            convo_ai: ['RTC', 'RTM', 'CONVO_AI'], stt: ['RTC', 'RTM', 'STT'],
        }
        const built = await buildNewKinds()
        const services = {}
        for (const [shape, types] of Object.entries(wantTypes)) {
            const [response] = built[shape]
            const decoded = await client.decodeToken({ token: response.token })
            assert.deepEqual([decoded.signature, decoded.expiry], ['SIGNATURE_STATE_VALID', 'EXPIRY_STATE_VALID'], shape)
            assert.deepEqual(decoded.token007.services.map(s => s.type), types.map(t => `SERVICE_TYPE_${t}`), shape)
            // The response lists every privilege the token holds.
            const pairs = list => list.map(([service, privilege]) => `${service}/${privilege}`).sort()
            assert.deepEqual(pairs(response.privilegeExpiries.map(e => [e.service, e.privilege])),
                pairs(decoded.token007.services.flatMap(s => s.privileges.map(p => [s.type, p.privilege]))), shape)
            services[shape] = Object.fromEntries(decoded.token007.services.map(s => [s.type.replace('SERVICE_TYPE_', ''), s]))
        }
        const apaas = services.room_user.APAAS
        assert.deepEqual([apaas.roomUuid, apaas.userUuid, apaas.role, apaas.privileges.map(p => p.privilege)], ['room-42', 'teacher-1', 1, [1]])
        assert.deepEqual(services.apaas_app.APAAS.privileges.map(p => p.privilege), [3])
        const rtm2 = services.rtm_with_permissions.RTM2
        assert.equal(rtm2.userId, 'rtm2-user')
        assert.deepEqual(rtm2.rtm2Resources.map(r => [r.resourceType, r.permissions.map(p => [p.permissionType, p.names])]),
            [[0, [[0, ['ch-a', 'ch-b']], [1, ['ch-a']]]], [4, [[0, ['peer-1']]]]])
        assert.deepEqual([services.rtc_with_rtm2_uid.RTC.account, services.rtc_with_rtm2_uid.RTM.userId], ['4242', 'agent-x'])
        assert.deepEqual(services.stt.RTC.privileges.map(p => p.privilege), [1])
    })

    test('the new requests reject with field violations', async () => {
        const rejection = promise => promise.then(() => assert.fail('accepted'), e => e)
        let error = await rejection(client.buildRoomUserToken({ appId, roomUuid: 'room/1', userUuid: 'teacher-1', role: 1 }))
        assert.ok(error instanceof TokenServiceError, String(error))
        assert.equal(error.code, status.INVALID_ARGUMENT)
        assert.deepEqual(error.fieldViolations.map(v => v.field), ['room_uuid'])

        error = await rejection(client.buildAccessToken({
            appId, services: [{ type: 'rtc', channelName: 'c', privileges: [{ privilege: 1 }], roomUuid: 'r' }],
        }))
        assert.equal(error.code, status.INVALID_ARGUMENT)
        assert.deepEqual(error.fieldViolations.map(v => v.field), ['services[0].room_uuid'])

        await assert.rejects(client.buildTokenWithRtm2({ appId, channelName: 'c', rtmUserId: 'r' }), /exactly one of uid, account/)
        await assert.rejects(client.buildAccessToken({ appId, services: [{ type: 'SERVICE_TYPE_VIDEO' }] }), TypeError)
    })

    test('an invalid channel name rejects with a TokenServiceError naming channel_name', async () => {
        const error = await client.buildRtcTokenWithUid({ appId, channelName: 'bad*name', uid: 1, tokenVersion: '007' })
            .then(() => assert.fail('a channel name with "*" was accepted'), e => e)
        assert.ok(error instanceof TokenServiceError, String(error))
        assert.ok(error instanceof Error)
        assert.equal(error.code, status.INVALID_ARGUMENT)
        assert.equal(error.codeName, 'INVALID_ARGUMENT')
        assert.ok(error.message)
        assert.ok(error.fieldViolations.some(v => v.field === 'channel_name'), JSON.stringify(error.fieldViolations))
        assert.ok(error.fieldViolations.every(v => v.description))
        assert.ok(!String(error).includes(appCertificate))
    })

    test('an unknown app is NOT_FOUND without field violations', async () => {
        const error = await client.buildRtcTokenWithAccount({ appId: '0'.repeat(32), channelName: 'c', account: 'a' })
            .then(() => assert.fail('an app outside the keyring was served'), e => e)
        assert.ok(error instanceof TokenServiceError, String(error))
        assert.equal(error.code, status.NOT_FOUND)
        assert.deepEqual(error.fieldViolations, [])
    })

    test('a failed batch item converts to a TokenServiceError', async () => {
        const response = await client.buildTokens({
            items: [
                { rtcWithAccount: { appId, channelName: 'fine', account: 'erin' } },
                { rtcWithUid: { appId, channelName: 'bad*name', uid: 5 } },
            ],
        })
        assert.equal(response.results.length, 2)
        assert.equal(response.results[0].outcome, 'token')
        assert.ok(response.results[0].token.token.startsWith('007'))
        assert.equal(response.results[1].outcome, 'error')
        const error = TokenServiceError.fromStatus(response.results[1].error)
        assert.equal(error.code, status.INVALID_ARGUMENT)
        assert.deepEqual(error.fieldViolations.map(v => v.field), ['channel_name'])
    })

    test('requests with unknown fields or enum values are refused before sending', async () => {
        assert.throws(() => new TokenServiceClient(target, { proto: path.join(workDir, 'no-such-proto-dir') }), /no such file/i)
        const explicitProto = new TokenServiceClient(target, { proto: path.join(REPO_ROOT, 'proto') })
        try {
            const built = await explicitProto.buildRtcTokenWithAccount({ appId, channelName: 'c', account: 'a' })
            assert.equal(built.tokenVersion, 'TOKEN_VERSION_007')
        } finally {
            explicitProto.close()
        }
        await assert.rejects(client.buildRtcTokenWithUid({ app_id: appId, channelName: 'c' }), /no field "app_id" \(did you mean appId\?\)/)
        await assert.rejects(client.buildRtcTokenWithUid({ appId, channelName: 'c', role: 'ROLE_ADMIN' }), TypeError)
        await assert.rejects(client.buildRtcTokenWithUid({ appId, channelName: 'c', role: 7 }), TypeError)
        await assert.rejects(client.buildTokens({ items: [{ rtcWithUid: { appId, channelName: 'c', tokenVersion: '008' } }] }),
            /request\.items\[0\]\.rtcWithUid\.tokenVersion/)
    })

    test('example.js prints a token that the server decodes as valid', async () => {
        const result = await runNode([path.join(CLIENT_DIR, 'example.js'), target])
        assert.equal(result.code, 0, result.stderr)
        const token = result.stdout.trim()
        assert.ok(token.startsWith('007'), token.slice(0, 3))
        const decoded = await client.decodeToken({ token })
        assert.equal(decoded.appId, DEV_APP_ID)
        assert.equal(decoded.signature, 'SIGNATURE_STATE_VALID')
        assert.equal(decoded.details, 'token007')
        const rtc = decoded.token007.services[0]
        assert.deepEqual([rtc.type, rtc.channelName, rtc.account], ['SERVICE_TYPE_RTC', 'demo-channel', '2882341273'])
        assert.equal(decoded.expireTs - decoded.issueTs, 3600)
    })
})

describe('what the client adds to each call (scripted server)', () => {
    let scripted
    let target
    const seen = []
    let reply = () => ({ token: '007stub' })

    before(async () => {
        const definition = protoLoader.loadSync('agora/token/v1/token_service.proto',
            { includeDirs: [path.join(REPO_ROOT, 'proto')], keepCase: false, longs: Number, enums: String, defaults: true })
        const service = grpc.loadPackageDefinition(definition).agora.token.v1.TokenService.service
        scripted = new grpc.Server()
        scripted.addService(service, {
            BuildRtcTokenWithUid(call, callback) {
                seen.push({ authorization: call.metadata.get('authorization'), deadline: call.getDeadline() })
                const outcome = reply(seen.length)
                if (outcome instanceof Error) callback(outcome)
                else callback(null, outcome)
            },
        })
        const port = await new Promise((resolve, reject) => scripted.bindAsync('127.0.0.1:0',
            grpc.ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort))))
        target = `127.0.0.1:${port}`
    })

    after(() => scripted.forceShutdown())

    async function callOnce(options, request = { appId: 'a', channelName: 'c' }, callOptions) {
        seen.length = 0
        const scriptedClient = new TokenServiceClient(target, options)
        try {
            return await scriptedClient.buildRtcTokenWithUid(request, callOptions)
        } finally {
            scriptedClient.close()
        }
    }

    test('the API key travels as "authorization: Bearer <key>", and nothing without one', async () => {
        reply = () => ({ token: '007stub' })
        assert.equal((await callOnce({ apiKey: 'k-123' })).token, '007stub')
        assert.deepEqual(seen[0].authorization, ['Bearer k-123'])
        await callOnce({})
        assert.deepEqual(seen[0].authorization, [])
    })

    test('every call has the default deadline unless the call sets its own', async () => {
        reply = () => ({ token: '007stub' })
        let before = Date.now()
        await callOnce({ timeoutMs: 3000 })
        let left = new Date(seen[0].deadline).getTime() - before
        assert.ok(left > 2000 && left <= 3100, `deadline ${left} ms after the call, want about 3000`)
        before = Date.now()
        await callOnce({ timeoutMs: 3000 }, undefined, { timeoutMs: 800 })
        left = new Date(seen[0].deadline).getTime() - before
        assert.ok(left > 0 && left <= 900, `deadline ${left} ms after the call, want about 800`)
    })

    test('the default deadline is the shared timeout', async () => {
        reply = () => ({ token: '007stub' })
        const before = Date.now()
        await callOnce({})
        const left = new Date(seen[0].deadline).getTime() - before
        assert.ok(left > SHARED_TIMEOUT_MS - 1000 && left <= SHARED_TIMEOUT_MS + 100,
            `deadline ${left} ms after the call, want about ${SHARED_TIMEOUT_MS}`)
    })

    test('a call may set a deadline longer than the client\'s', async () => {
        reply = () => ({ token: '007stub' })
        const before = Date.now()
        await callOnce({ timeoutMs: 1000 }, undefined, { timeoutMs: 8000 })
        const left = new Date(seen[0].deadline).getTime() - before
        assert.ok(left > 7000 && left <= 8100, `deadline ${left} ms after the call, want about 8000`)
    })

    test('UNAVAILABLE is retried up to the shared maxAttempts', async () => {
        const failure = (code, details) => Object.assign(new Error(details), { code, details })
        reply = () => failure(grpc.status.UNAVAILABLE, 'draining')
        const error = await callOnce({}).then(() => assert.fail('no error'), e => e)
        assert.equal(error.code, grpc.status.UNAVAILABLE)
        assert.equal(SHARED_MAX_ATTEMPTS, 4) // the README states it
        assert.equal(seen.length, SHARED_MAX_ATTEMPTS)
    })

    test('UNAVAILABLE is retried and other errors are not', async () => {
        const failure = (code, details) => Object.assign(new Error(details), { code, details })
        reply = attempt => (attempt < 3 ? failure(grpc.status.UNAVAILABLE, 'draining') : { token: '007stub' })
        assert.equal((await callOnce({})).token, '007stub')
        assert.equal(seen.length, 3)

        reply = () => failure(grpc.status.INVALID_ARGUMENT, 'bad')
        const error = await callOnce({}).then(() => assert.fail('no error'), e => e)
        assert.equal(error.code, grpc.status.INVALID_ARGUMENT)
        assert.equal(seen.length, 1)
    })
})

describe('the service config all five clients share', () => {
    test('the client reads clients/service_config.json', () => {
        assert.equal(fs.realpathSync(SERVICE_CONFIG_PATH), fs.realpathSync(SHARED_SERVICE_CONFIG_PATH))
        assert.deepEqual(SERVICE_CONFIG, JSON.parse(fs.readFileSync(SHARED_SERVICE_CONFIG_PATH, 'utf8')))
        assert.equal(DEFAULT_TIMEOUT_MS, SHARED_TIMEOUT_MS)
        assert.equal(SHARED_TIMEOUT_MS, 5000) // the README states it
        assert.deepEqual(SHARED_METHOD_CONFIG.retryPolicy.retryableStatusCodes, ['UNAVAILABLE', 'CANCELLED'])
    })

    test('npm pack packs an identical copy', async () => {
        // Packed from a copy of the tree, so the checkout gets no prepack output.
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-token-node-pack-'))
        try {
            fs.cpSync(CLIENT_DIR, path.join(work, 'clients', 'node'), { recursive: true })
            fs.cpSync(path.join(REPO_ROOT, 'proto'), path.join(work, 'proto'), { recursive: true })
            fs.copyFileSync(SHARED_SERVICE_CONFIG_PATH, path.join(work, 'clients', 'service_config.json'))
            const npm = path.join(path.dirname(process.execPath), 'npm')
            const packed = await new Promise((resolve, reject) => execFile(npm,
                ['pack', '--silent', '--pack-destination', work], { cwd: path.join(work, 'clients', 'node'), timeout: SUBPROCESS_TIMEOUT_MS },
                (error, stdout, stderr) => (error ? reject(new Error(`npm pack: ${error.message}\n${stderr}`)) : resolve(stdout.trim()))))
            const extracted = path.join(work, 'extracted')
            fs.mkdirSync(extracted)
            await new Promise((resolve, reject) => execFile('tar', ['-xzf', path.join(work, packed), '-C', extracted],
                error => (error ? reject(error) : resolve())))
            assert.deepEqual(fs.readFileSync(path.join(extracted, 'package', 'service_config.json')),
                fs.readFileSync(SHARED_SERVICE_CONFIG_PATH))
            assert.ok(!fs.existsSync(path.join(work, 'clients', 'node', 'service_config.json')), 'postpack left the copy behind')
        } finally {
            fs.rmSync(work, { recursive: true, force: true })
        }
    })
})
