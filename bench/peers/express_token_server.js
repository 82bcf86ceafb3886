'use strict'
// The HTTP peer of the benchmark: what Agora-Node-TokenServer users run, an
// Express server minting with Agora's npm builders (agora-token). It serves
// the same JSON request on the same path as our Connect route, so one wrk
// script drives both: POST /agora.token.v1.TokenService/BuildRtcTokenWithUid
// {"appId","channelName","uid","tokenExpireSeconds"} -> {"token"}, and
// GET /ping -> {"message":"pong"}. No authentication, as in the original.
//
// Usage: node bench/peers/express_token_server.js [PORT] [KEYRING]
//   PORT 0 (default) picks a free port; prints {"msg":"serving","port":"N"}.

const fs = require('fs')
const path = require('path')

const repoRoot = path.resolve(__dirname, '..', '..')
const express = require(path.join(repoRoot, 'node_modules', 'express'))
const { RtcTokenBuilder, Role } =
    require(path.join(repoRoot, 'node_modules', 'agora-token', 'src', 'RtcTokenBuilder2'))

const port = Number(process.argv[2] || 0)
const keyringPath = process.argv[3] || path.join(repoRoot, 'deploy', 'dev', 'keyring.textproto')
const apps = new Map()
const text = fs.readFileSync(keyringPath, 'utf8').replace(/#.*$/gm, '')
for (const m of text.matchAll(/app_id:\s*"([0-9a-fA-F]{32})"\s*primary_certificate\s*\{\s*value:\s*"([0-9a-fA-F]{32})"/g)) {
    apps.set(m[1], m[2])
}

const app = express()
app.use(express.json({ limit: '1mb' }))
app.get('/ping', (req, res) => res.json({ message: 'pong' }))
app.post('/agora.token.v1.TokenService/BuildRtcTokenWithUid', (req, res) => {
    const { appId, channelName, uid = 0, tokenExpireSeconds = 86400 } = req.body || {}
    const certificate = apps.get(appId)
    if (certificate === undefined) return res.status(404).json({ code: 'not_found', message: 'appId' })
    if (typeof channelName !== 'string' || channelName.length === 0) {
        return res.status(400).json({ code: 'invalid_argument', message: 'channelName' })
    }
    const token = RtcTokenBuilder.buildTokenWithUid(appId, certificate, channelName, uid, Role.PUBLISHER,
        tokenExpireSeconds, tokenExpireSeconds)
    res.json({ token })
})
const server = app.listen(port, '127.0.0.1', () => {
    console.log(JSON.stringify({ msg: 'serving', port: String(server.address().port) }))
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
