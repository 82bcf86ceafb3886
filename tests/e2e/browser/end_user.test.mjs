// Tokens for signed-in users in a real browser: headless Chromium loads a
// page from one origin that fetches an Agora token from the server's HTTP
// API on another origin, across CORS, with a test-signed ID token (an ES256
// key made for this run, never stored). The token must decode to that
// user's uid on an allowed channel and verify with the app certificate; the
// same page asking for another user's uid must be refused (403).
//
// Environment: AGORA_TOKEN_SERVER and AGORA_TOKEN_CLI (the binaries),
// AGORA_TOKEN_CHROMIUM (the browser).
import assert from 'node:assert/strict'
import { execFile, execFileSync, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'

const SERVER_BINARY = process.env.AGORA_TOKEN_SERVER
const CLI_BINARY = process.env.AGORA_TOKEN_CLI
const CHROMIUM = process.env.AGORA_TOKEN_CHROMIUM || 'chromium'
const APP_ID = crypto.randomBytes(16).toString('hex')
const APP_CERTIFICATE = crypto.randomBytes(16).toString('hex')
const ISSUER = 'https://login.test'
const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
const base64url = data => Buffer.from(data).toString('base64url')

// An ID token as an OIDC provider would sign it (JWS ES256 is r || s).
function idToken(claims) {
    const signed = `${base64url(JSON.stringify({ alg: 'ES256', kid: 'browser-test', typ: 'JWT' }))}.` +
        base64url(JSON.stringify(claims))
    const signature = crypto.sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    return `${signed}.${base64url(signature)}`
}

// The page: asks for an RTC token for the uid in its query and shows what
// came back.
const PAGE = `<!doctype html><pre id="out">pending</pre><script>
const q = new URLSearchParams(location.search)
fetch(q.get('api') + '/agora.token.v1.TokenService/BuildRtcTokenWithUid', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'Connect-Protocol-Version': '1',
             'Authorization': 'Bearer ' + q.get('jwt') },
  body: JSON.stringify({ appId: q.get('app'), channelName: 'room-1', uid: Number(q.get('uid')),
                         role: 'ROLE_SUBSCRIBER', tokenExpireSeconds: 600 }),
}).then(async r => { out.textContent = JSON.stringify({ status: r.status, body: await r.json() }) })
  .catch(e => { out.textContent = JSON.stringify({ error: String(e) }) })
</script>`

let dir, page, server, apiBase, pageBase

before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-browser-'))
    page = http.createServer((_, response) => response.end(PAGE))
    await new Promise(resolve => page.listen(0, '127.0.0.1', resolve))
    pageBase = `http://127.0.0.1:${page.address().port}`
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'browser-test', alg: 'ES256', use: 'sig' }
    fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }))
    fs.writeFileSync(path.join(dir, 'keyring.textproto'),
        `apps { app_id: "${APP_ID}" primary_certificate { value: "${APP_CERTIFICATE}" } }\n`)
    fs.writeFileSync(path.join(dir, 'config.textproto'), `
        keyring_path: "keyring.textproto"
        http { cors { allowed_origins: "${pageBase}" } }
        trusted_issuers {
          issuer: "${ISSUER}" audiences: "web-app" jwks_path: "jwks.json"
          end_user_policy {
            app_ids: "${APP_ID}" token_kinds: TOKEN_KIND_RTC_007 uid_claim: "agora_uid"
            channels_claim: "rooms" max_token_lifetime_seconds: 3600
          }
        }`)
    const log = path.join(dir, 'server.log')
    const fd = fs.openSync(log, 'w')
    server = spawn(SERVER_BINARY, ['--listen=127.0.0.1:0', '--http_listen=127.0.0.1:0',
        `--config=${path.join(dir, 'config.textproto')}`], { stdio: ['ignore', 'ignore', fd] })
    fs.closeSync(fd)
    for (const deadline = Date.now() + 15000; !apiBase && Date.now() < deadline;) {
        await new Promise(resolve => setTimeout(resolve, 50))
        for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
            if (line.includes('"msg":"serving"')) apiBase = `http://127.0.0.1:${JSON.parse(line).http_port}`
        }
    }
    assert.ok(apiBase, 'the server started')
})

after(() => {
    server?.kill('SIGTERM')
    page?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

// What the page shows after loading in headless Chromium (asynchronously:
// this process serves the page).
async function browse(jwt, uid) {
    const url = `${pageBase}/?${new URLSearchParams({ api: apiBase, jwt, app: APP_ID, uid: String(uid) })}`
    const { stdout: dom } = await promisify(execFile)(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu',
        '--disable-dev-shm-usage', `--user-data-dir=${path.join(dir, 'chromium')}`,
        '--virtual-time-budget=10000', '--dump-dom', url], { encoding: 'utf8', timeout: 60000 })
    const match = dom.match(/<pre id="out">(.*?)<\/pre>/s)
    assert.ok(match, dom)
    return JSON.parse(match[1].replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'))
}

test('the signed-in user gets a token for itself across CORS, and only for itself', async () => {
    const now = Math.floor(Date.now() / 1000)
    const jwt = idToken({ iss: ISSUER, aud: 'web-app', sub: 'user-81', iat: now, exp: now + 600,
        agora_uid: 81, rooms: ['room-1'] })

    const own = await browse(jwt, 81)
    assert.equal(own.status, 200, JSON.stringify(own))
    const decoded = JSON.parse(execFileSync(CLI_BINARY, ['decode', own.body.token],
        { encoding: 'utf8', env: { ...process.env, AGORA_APP_CERTIFICATE: APP_CERTIFICATE } }))
    assert.equal(decoded.signature, 'valid')
    assert.equal(decoded.services[0].channel_name, 'room-1')
    assert.equal(decoded.services[0].account, '81')

    const other = await browse(jwt, 82)
    assert.equal(other.status, 403, JSON.stringify(other))
    assert.equal(other.body.code, 'permission_denied')
})
