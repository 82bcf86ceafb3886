'use strict'
// Writes the body h2load sends to cross-check the loadgen: one gRPC message
// frame (a 0 byte for "not compressed", the big-endian 4-byte length, then a
// BuildRtcTokenWithUidRequest in protobuf wire format, encoded by hand here
// so the script needs no protobuf library), and prints the h2load command.
// h2load repeats this one body; it counts HTTP 200s, which gRPC sends even
// for failed calls, so grpc-status is checked separately (bench/run.sh runs
// the loadgen, which checks every status, against the same server).
//
// Usage: node bench/h2load_body.js OUT.bin [--version=006|007] [--port=PORT]
//          [--app-id=ID] [--channel=NAME] [--uid=N]

const fs = require('fs')

const out = process.argv[2]
if (!out || out.startsWith('--')) {
    console.error('usage: node bench/h2load_body.js OUT.bin [--version=006|007] [--port=PORT] ' +
        '[--app-id=ID] [--channel=NAME] [--uid=N]')
    process.exit(2)
}
function flag(name, fallback) {
    const arg = process.argv.find(a => a.startsWith(`--${name}=`))
    return arg ? arg.slice(name.length + 3) : fallback
}
const version = flag('version', '007')
if (version !== '006' && version !== '007') {
    console.error('--version must be 006 or 007')
    process.exit(2)
}
const appId = flag('app-id', '970CA35de60c44645bbae8a215061b33')
const channel = flag('channel', 'h2load-room')
const uid = Number(flag('uid', '2882341273'))
const port = flag('port', 'PORT')

function varint(value) {
    const bytes = []
    let v = value
    while (v >= 0x80) {
        bytes.push((v % 0x80) | 0x80)
        v = Math.floor(v / 0x80)
    }
    bytes.push(v)
    return Buffer.from(bytes)
}
// A field's tag: (number << 3) | wire type (0 varint, 2 length-delimited).
const tag = (number, wireType) => varint(number * 8 + wireType)
const stringField = (number, text) => {
    const bytes = Buffer.from(text, 'utf8')
    return Buffer.concat([tag(number, 2), varint(bytes.length), bytes])
}
const varintField = (number, value) => Buffer.concat([tag(number, 0), varint(value)])

// BuildRtcTokenWithUidRequest: app_id = 1, channel_name = 2, uid = 3,
// role = 4 (ROLE_PUBLISHER = 1), token_version = 6 (006 = 1, 007 = 2).
const message = Buffer.concat([
    stringField(1, appId),
    stringField(2, channel),
    varintField(3, uid),
    varintField(4, 1),
    varintField(6, version === '006' ? 1 : 2),
])
const header = Buffer.alloc(5)
header.writeUInt8(0, 0)
header.writeUInt32BE(message.length, 1)
fs.writeFileSync(out, Buffer.concat([header, message]))

console.log(`h2load -n 200000 -c 4 -m 64 -H 'content-type: application/grpc' -H 'te: trailers' ` +
    `-d ${out} http://127.0.0.1:${port}/agora.token.v1.TokenService/BuildRtcTokenWithUid`)
