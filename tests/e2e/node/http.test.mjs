// End-to-end test of the HTTP transport against the real agora-token-server
// binary: a Connect client from npm @connectrpc/connect-node, with code that
// @bufbuild/protoc-gen-es generates from proto/ at test time; curl over
// every route; the drop-in routes of agora-token-service in its documented
// shapes; a drain under load with SIGTERM; and the secret scan over the
// server's log and audit log. The server runs with a config (API keys, an
// audit log) on free loopback ports.
//
// Environment: AGORA_TOKEN_SERVER (the binary), AGORA_TOKEN_ES_GEN_DIR (where
// to generate the code: inside the repository, so @bufbuild/protobuf in its
// node_modules resolves), AGORA_TOKEN_REPO_ROOT.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = process.env.AGORA_TOKEN_REPO_ROOT ||
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const SERVER_BINARY = process.env.AGORA_TOKEN_SERVER || path.join(REPO_ROOT, 'build/server/agora-token-server')
const GEN_DIR = process.env.AGORA_TOKEN_ES_GEN_DIR || path.join(REPO_ROOT, 'build/tests/e2e/connect_es')

const { createClient, ConnectError, Code } = await import('@connectrpc/connect')
const { createConnectTransport } = await import('@connectrpc/connect-node')

// Generated per run, so the test always speaks the proto in the tree.
fs.mkdirSync(GEN_DIR, { recursive: true })
execFileSync('protoc', [`-I${path.join(REPO_ROOT, 'proto')}`,
    `--plugin=protoc-gen-es=${path.join(REPO_ROOT, 'node_modules/.bin/protoc-gen-es')}`,
    `--es_out=${GEN_DIR}`, '--es_opt=target=js,import_extension=js',
    path.join(REPO_ROOT, 'proto/agora/token/v1/token_service.proto'),
    path.join(REPO_ROOT, 'proto/google/rpc/error_details.proto'),
    path.join(REPO_ROOT, 'proto/google/rpc/status.proto')])
fs.writeFileSync(path.join(GEN_DIR, 'package.json'), '{"type": "module"}\n')
const pb = await import(path.join(GEN_DIR, 'agora/token/v1/token_service_pb.js'))
const { BadRequestSchema } = await import(path.join(GEN_DIR, 'google/rpc/error_details_pb.js'))

const API_KEY = crypto.randomBytes(24).toString('hex')
const APP_ID = crypto.randomBytes(16).toString('hex')
const APP_CERTIFICATE = crypto.randomBytes(16).toString('hex')
const sha256 = text => crypto.createHash('sha256').update(text).digest('hex')
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// The real binary with a config: one caller (API key), one app, the HTTP
// API on a free loopback port.
class Server {
    constructor(dir, extraFlags = []) {
        fs.writeFileSync(path.join(dir, 'keyring.textproto'),
            `apps { app_id: "${APP_ID}" primary_certificate { value: "${APP_CERTIFICATE}" } }\n`)
        fs.writeFileSync(path.join(dir, 'config.textproto'), [
            'keyring_path: "keyring.textproto"',
            'audit_log { path: "audit.log" }',
            `callers { name: "web" api_key_sha256: "${sha256(API_KEY)}" policy { app_ids: "*" ` +
            'token_kinds: [TOKEN_KIND_RTC_007, TOKEN_KIND_RTM, TOKEN_KIND_CHAT_USER, TOKEN_KIND_CHAT_APP, ' +
            'TOKEN_KIND_FPA, TOKEN_KIND_APAAS, TOKEN_KIND_STREAMING, TOKEN_KIND_CONVO_AI, TOKEN_KIND_STT] ' +
            'allow_decode: true max_token_lifetime_seconds: 86400 } }',
            'http { cors { allowed_origins: "https://app.test" } }', ''].join('\n'))
        this.dir = dir
        this.logPath = path.join(dir, 'server.log')
        const log = fs.openSync(this.logPath, 'w')
        this.child = spawn(SERVER_BINARY, ['--listen=127.0.0.1:0', '--http_listen=127.0.0.1:0',
            `--config=${path.join(dir, 'config.textproto')}`, ...extraFlags],
        { stdio: ['ignore', 'ignore', log] })
        fs.closeSync(log)
        this.exit = new Promise(resolve => this.child.once('exit', (code, signal) => resolve({ code, signal })))
    }

    async httpPort() {
        for (const deadline = Date.now() + 15000; Date.now() < deadline; await sleep(50)) {
            for (const line of fs.readFileSync(this.logPath, 'utf8').split('\n')) {
                try {
                    const record = JSON.parse(line)
                    if (record.msg === 'serving') return Number(record.http_port)
                } catch (e) { /* not a JSON line yet */ }
            }
        }
        throw new Error('server did not start')
    }

    async stop() {
        this.child.kill('SIGTERM')
        return this.exit
    }
}

// curl's status and body; the API key goes in a header file, not argv.
function curl(url, { method = 'GET', headers = {}, body } = {}) {
    const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', method, '--max-time', '10']
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`)
    if (body !== undefined) args.push('--data-binary', body)
    const out = execFileSync('curl', [...args, url], { encoding: 'utf8' })
    const newline = out.lastIndexOf('\n')
    return { status: Number(out.slice(newline + 1)), body: out.slice(0, newline) }
}

describe('the HTTP transport of agora-token-server', () => {
    let dir, server, base, client
    const auth = { Authorization: `Bearer ${API_KEY}` }

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-http-e2e-'))
        server = new Server(dir)
        base = `http://127.0.0.1:${await server.httpPort()}`
        const transport = createConnectTransport({
            baseUrl: base,
            httpVersion: '1.1',
            interceptors: [next => req => { req.header.set('authorization', `Bearer ${API_KEY}`); return next(req) }],
        })
        client = createClient(pb.TokenService, transport)
    })

    after(async () => {
        if (server) await server.stop()
        if (dir) fs.rmSync(dir, { recursive: true, force: true })
    })

    test('connect-node calls every RPC, in JSON and in binary', async () => {
        const rtc = await client.buildRtcTokenWithUid({ appId: APP_ID, channelName: 'room-1', uid: 42 })
        assert.match(rtc.token, /^007/)
        assert.equal(rtc.tokenVersion, pb.TokenVersion.TOKEN_VERSION_007)
        const account = await client.buildRtcTokenWithAccount({ appId: APP_ID, channelName: 'room-1', account: 'alice' })
        assert.match(account.token, /^007/)
        const rtm = await client.buildRtmToken({ appId: APP_ID, userId: 'alice' })
        assert.match(rtm.token, /^007/)
        const chat = await client.buildChatToken({ appId: APP_ID, kind: pb.ChatTokenKind.USER, userId: 'alice' })
        assert.match(chat.token, /^007/)
        const batch = await client.buildTokens({
            items: [{ request: { case: 'rtm', value: { appId: APP_ID, userId: 'bob' } } },
                { request: { case: 'rtcWithUid', value: { appId: APP_ID, channelName: '', uid: 1 } } }],
        })
        assert.equal(batch.results.length, 2)
        const decoded = await client.decodeToken({ token: rtc.token })
        assert.ok(decoded)

        const binary = createClient(pb.TokenService, createConnectTransport({
            baseUrl: base, httpVersion: '1.1', useBinaryFormat: true,
            interceptors: [next => req => { req.header.set('authorization', `Bearer ${API_KEY}`); return next(req) }],
        }))
        assert.match((await binary.buildRtmToken({ appId: APP_ID, userId: 'carol' })).token, /^007/)
    })

    test('connect-node reads each error code and the BadRequest details', async () => {
        await assert.rejects(client.buildRtcTokenWithUid({ appId: APP_ID, channelName: '', uid: 42 }), err => {
            assert.ok(err instanceof ConnectError)
            assert.equal(err.code, Code.InvalidArgument)
            const [details] = err.findDetails(BadRequestSchema)
            assert.equal(details.fieldViolations[0].field, 'channel_name')
            return true
        })
        await assert.rejects(client.buildRtcTokenWithUid({ appId: 'ab'.repeat(16), channelName: 'c', uid: 1 }),
            err => err.code === Code.NotFound)
        const anonymous = createClient(pb.TokenService, createConnectTransport({ baseUrl: base, httpVersion: '1.1' }))
        await assert.rejects(anonymous.buildRtmToken({ appId: APP_ID, userId: 'alice' }),
            err => err.code === Code.Unauthenticated)
    })

    test('curl reaches every route with its status', () => {
        const json = { 'Content-Type': 'application/json', ...auth }
        const connect = m => `${base}/agora.token.v1.TokenService/${m}`
        const cases = [
            ['GET', '/healthz', {}, undefined, 200],
            ['GET', '/readyz', {}, undefined, 200],
            ['GET', '/ping', {}, undefined, 200],
            ['POST', connect('BuildRtcTokenWithUid'), json, `{"appId":"${APP_ID}","channelName":"c","uid":7}`, 200],
            ['POST', connect('BuildRtcTokenWithAccount'), json, `{"appId":"${APP_ID}","channelName":"c","account":"a"}`, 200],
            ['POST', connect('BuildRtmToken'), json, `{"appId":"${APP_ID}","userId":"u"}`, 200],
            ['POST', connect('BuildChatToken'), json, `{"appId":"${APP_ID}","kind":"CHAT_TOKEN_KIND_APP"}`, 200],
            ['POST', connect('BuildFpaToken'), json, `{"appId":"${APP_ID}"}`, 200],
            ['POST', connect('BuildAccessToken'), json,
                `{"appId":"${APP_ID}","services":[{"type":"SERVICE_TYPE_STREAMING","channelName":"c","account":"7","privileges":[{"privilege":1}]}]}`, 200],
            ['POST', connect('BuildApaasToken'), json, `{"appId":"${APP_ID}","kind":"APAAS_TOKEN_KIND_USER","userUuid":"u"}`, 200],
            ['POST', connect('BuildConvoAiToken'), json, `{"appId":"${APP_ID}","channelName":"c","uid":7,"rtmUserId":"7"}`, 200],
            ['POST', connect('BuildSttToken'), json, `{"appId":"${APP_ID}","channelName":"c","account":"a","rtmUserId":"a"}`, 200],
            ['POST', connect('BuildTokens'), json, '{"items":[]}', 400],
            ['POST', connect('DecodeToken'), json, '{"token":"x"}', 400],
            ['POST', connect('BuildRtmToken'), { 'Content-Type': 'application/json' }, `{"appId":"${APP_ID}","userId":"u"}`, 401],
            ['POST', connect('BuildRtmToken'), json, `{"appId":"${'cd'.repeat(16)}","userId":"u"}`, 404],
            ['POST', connect('BuildRtmToken'), { ...json, Origin: 'https://evil.test' }, `{"appId":"${APP_ID}","userId":"u"}`, 403],
            ['OPTIONS', connect('BuildRtmToken'), { Origin: 'https://app.test', 'Access-Control-Request-Method': 'POST' }, undefined, 204],
            ['POST', connect('BuildRtmToken'), { ...auth, 'Content-Type': 'text/plain' }, '{}', 415],
            ['GET', '/rtc/room/publisher/uid/42/', auth, undefined, 200],
            ['GET', '/rtc/room/publisher/uid/4294967296/', auth, undefined, 400],
            ['GET', '/rtm/alice/', auth, undefined, 200],
            ['GET', '/rte/room/publisher/uid/42/', auth, undefined, 200],
            ['GET', '/rte/room/publisher/uid/42/alice/', auth, undefined, 200],
            ['GET', '/chat/app/', auth, undefined, 200],
            ['GET', '/chat/account/alice/', auth, undefined, 200],
            ['POST', '/getToken', json, '{"tokenType":"rtc","channel":"room","role":"publisher","uid":"42","expire":600}', 200],
            ['GET', '/nowhere', {}, undefined, 404],
        ]
        for (const [method, route, headers, body, status] of cases) {
            const url = route.startsWith('http') ? route : `${base}${route}`
            const response = curl(url, { method, headers, body })
            assert.equal(response.status, status, `${method} ${route}: ${response.body.slice(0, 200)}`)
        }
    })

    test('the drop-in routes answer in the shapes agora-token-service documents', async () => {
        const get = async route => (await fetch(`${base}${route}`, { headers: auth })).json()
        assert.deepEqual(Object.keys(await get('/rtc/room/subscriber/userAccount/alice/?expiry=600')), ['rtcToken'])
        assert.deepEqual(Object.keys(await get('/rtm/alice/?expiry=600')), ['rtmToken'])
        assert.deepEqual(Object.keys(await get('/rte/room/publisher/uid/42/')).sort(), ['rtcToken', 'rtmToken'])
        assert.deepEqual(Object.keys(await get('/chat/account/alice/')), ['chatToken'])
        assert.deepEqual(await (await fetch(`${base}/ping`)).json(), { message: 'pong' })
        const post = await fetch(`${base}/getToken`, {
            method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
            body: JSON.stringify({ tokenType: 'rtm', channel: '', role: 'publisher', uid: 'alice', expire: 600 }),
        })
        assert.deepEqual(Object.keys(await post.json()), ['token'])
        const refused = await (await fetch(`${base}/rtc/room/publisher/uid/4294967296/`, { headers: auth })).json()
        assert.equal(refused.parameter, 'rtcuid')
    })

    test('audit lines carry the transport and no secret reaches the logs', async () => {
        await sleep(300)  // the audit log writes in the background
        const audit = fs.readFileSync(path.join(dir, 'audit.log'), 'utf8').trim().split('\n').map(l => JSON.parse(l))
        assert.ok(audit.length > 10)
        for (const line of audit) assert.equal(line.transport, 'http')
        for (const file of ['server.log', 'audit.log']) {
            const text = fs.readFileSync(path.join(dir, file), 'utf8')
            assert.ok(!text.includes(API_KEY), `${file} holds the API key`)
            assert.ok(!text.includes(APP_CERTIFICATE), `${file} holds the certificate`)
        }
        execFileSync('/usr/bin/python3', [path.join(REPO_ROOT, 'scripts/scan-secrets.py'),
            path.join(dir, 'server.log'), path.join(dir, 'audit.log')], { stdio: 'pipe' })
    })
})

test('SIGTERM drains HTTP under load: readyz 503, every started request answered, exit 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-http-drain-'))
    try {
        const server = new Server(dir, ['--shutdown_delay_ms=400', '--drain_timeout_ms=3000'])
        const base = `http://127.0.0.1:${await server.httpPort()}`
        const body = JSON.stringify({ appId: APP_ID, channelName: 'room', uid: 42 })
        let stop = false
        const statuses = new Map()
        let networkErrors = 0
        const worker = async () => {
            while (!stop) {
                try {
                    const response = await fetch(`${base}/agora.token.v1.TokenService/BuildRtcTokenWithUid`, {
                        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` }, body,
                    })
                    await response.arrayBuffer()
                    statuses.set(response.status, (statuses.get(response.status) || 0) + 1)
                } catch (e) {
                    networkErrors++  // refused or closed connections once the drain closes the port
                    await sleep(5)
                }
            }
        }
        const workers = Array.from({ length: 8 }, worker)
        await sleep(300)
        server.child.kill('SIGTERM')
        await sleep(150)
        const ready = await fetch(`${base}/readyz`).then(r => r.status, () => 'closed')
        assert.equal(ready, 503)
        const exit = await server.exit
        stop = true
        await Promise.all(workers)
        assert.deepEqual(exit, { code: 0, signal: null })
        assert.ok((statuses.get(200) || 0) > 0)
        assert.deepEqual([...statuses.keys()], [200], `statuses ${JSON.stringify([...statuses])}, network errors ${networkErrors}`)
    } finally {
        fs.rmSync(dir, { recursive: true, force: true })
    }
})
