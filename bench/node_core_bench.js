'use strict'
// The npm side of core_bench.sh: single-thread ns/op of Agora's official
// builders (agora-token) for the operations core_bench measures, on the same
// pool of channels and uids (keep the pool in sync with core_bench.cc).
// Prints one JSON object: { node, agora_token, results: { op: CPU ns/op } }.
//
// Usage: node bench/node_core_bench.js [--min-run-ms=300] [--runs=5]

const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const repoRoot = path.resolve(__dirname, '..')
const agoraDir = path.join(repoRoot, 'node_modules', 'agora-token')
if (!fs.existsSync(path.join(agoraDir, 'package.json'))) {
    console.error(`node_core_bench: ${agoraDir} is missing; run \`npm ci\` at the repo root`)
    process.exit(2)
}
const { AccessToken } = require(path.join(agoraDir, 'src', 'AccessToken'))
const { AccessToken2 } = require(path.join(agoraDir, 'src', 'AccessToken2'))
const { RtcTokenBuilder: RtcTokenBuilder006, Role: Role006 } = require(path.join(agoraDir, 'src', 'RtcTokenBuilder'))
const { RtcTokenBuilder: RtcTokenBuilder2, Role: Role2 } = require(path.join(agoraDir, 'src', 'RtcTokenBuilder2'))

function flag(name, fallback) {
    const arg = process.argv.find(a => a.startsWith(`--${name}=`))
    return arg ? Number(arg.split('=')[1]) : fallback
}
const MIN_RUN_MS = flag('min-run-ms', 300)
const RUNS = flag('runs', 5)

// Same made-up credentials and pool as core_bench.cc.
const APP_ID = '3f2b9c1d4e5a60718293a4b5c6d7e8f9'
const APP_CERTIFICATE = 'a1B2c3D4e5F60718293A4b5C6d7E8f90'
const SUBJECTS = [
    ['lobby', 0],
    ['room-4821', 1],
    ['Team Standup (daily)', 42],
    ['game:match#88231', 10001],
    ['class_2024_spring_physics_101', 2882341273],
    ['support-ticket-771203', 123456789],
    ['live|concert|stage-B', 4294967295],
    ['7d72365eb983485397e3e3f9d460bdda', 987654],
].map(([channel, uid]) => ({ channel, uid }))
const POOL_MASK = SUBJECTS.length - 1
const ISSUE_TS_BASE = 1700000000
const TOKEN_EXPIRE = 3600
const PRIVILEGE_EXPIRE = 3600

// The official builders take the salt and time themselves, so their build
// cost includes that draw; ours is measured without it (BM_NewIssuance).
const build006 = k => RtcTokenBuilder006.buildTokenWithUid(APP_ID, APP_CERTIFICATE, SUBJECTS[k].channel,
    SUBJECTS[k].uid, Role006.PUBLISHER, ISSUE_TS_BASE + k + PRIVILEGE_EXPIRE)
const build007 = k => RtcTokenBuilder2.buildTokenWithUid(APP_ID, APP_CERTIFICATE, SUBJECTS[k].channel,
    SUBJECTS[k].uid, Role2.PUBLISHER, TOKEN_EXPIRE, PRIVILEGE_EXPIRE)

// The same token as our fast mode: the payload in a stored deflate block.
function toFast(token) {
    const payload = zlib.inflateSync(Buffer.from(token.substring(3), 'base64'))
    return '007' + zlib.deflateSync(payload, { level: 0 }).toString('base64')
}

const tokens006 = SUBJECTS.map((_, k) => build006(k))
const tokens007 = SUBJECTS.map((_, k) => build007(k))
const tokens007Fast = tokens007.map(toFast)

function decode006(token) {
    const decoded = new AccessToken('', '', '', 0)
    if (!decoded.fromString(token)) throw new Error('official 006 decode failed')
    return decoded
}
function decode007(token) {
    const decoded = new AccessToken2()
    if (!decoded.from_string(token)) throw new Error('official 007 decode failed')
    return decoded
}
const decoded006 = tokens006.map(decode006)
const decoded007 = tokens007.map(decode007)

// The package has no 006 verifier: re-signing the decoded message for the
// known channel and uid and comparing tokens is how its users check one.
function verify006(k) {
    const d = decoded006[k]
    const resigned = new AccessToken(APP_ID, APP_CERTIFICATE, SUBJECTS[k].channel, SUBJECTS[k].uid)
    resigned.salt = d.salt
    resigned.ts = d.ts
    resigned.messages = d.messages
    return resigned.build() === tokens006[k]
}

const operations = {
    build006: k => build006(k),
    build007: k => build007(k),
    decode006: k => decode006(tokens006[k]),
    decode007: k => decode007(tokens007[k]),
    decode007fast: k => decode007(tokens007Fast[k]),
    verify006: k => verify006(k),
    verify007: k => decoded007[k].verifySignature(APP_CERTIFICATE),
    // What the official 007 builder does inline instead of NewIssuance.
    new_issuance: () => ({ issueTs: Math.floor(Date.now() / 1000), salt: Math.floor(Math.random() * 99999999) + 1 }),
}

// Sanity: every verify must succeed, or the timing measures a failure path.
SUBJECTS.forEach((_, k) => {
    if (!verify006(k) || !decoded007[k].verifySignature(APP_CERTIFICATE)) throw new Error('official verify failed')
})

let sink = 0
// CPU time (all of the process's threads, so V8's GC and compiler count) in
// ns: on a shared machine it is steadier than wall time, and core_bench.sh
// takes CPU time from core_bench too.
function timeRun(fn, iterations) {
    const start = process.cpuUsage()
    for (let i = 0; i < iterations; i++) {
        if (fn(i & POOL_MASK)) sink++
    }
    const used = process.cpuUsage(start)
    return (used.user + used.system) * 1000
}

// Median ns/op over RUNS runs of at least MIN_RUN_MS each, after a warm-up
// that lets V8 optimise the code.
function measure(fn) {
    let iterations = 1000
    for (;;) {
        const ns = timeRun(fn, iterations)
        if (ns >= MIN_RUN_MS * 1e6 / 4) break
        iterations *= 2
    }
    const perRun = iterations * 4  // about MIN_RUN_MS per run
    const samples = []
    for (let r = 0; r < RUNS; r++) samples.push(timeRun(fn, perRun) / perRun)
    samples.sort((a, b) => a - b)
    return samples[Math.floor(samples.length / 2)]
}

const results = {}
for (const [name, fn] of Object.entries(operations)) results[name] = Number(measure(fn).toFixed(1))
const version = JSON.parse(fs.readFileSync(path.join(agoraDir, 'package.json'), 'utf8')).version
console.log(JSON.stringify({ node: process.version, agora_token: version, results, sink: sink > 0 }))
