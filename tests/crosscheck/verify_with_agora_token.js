'use strict'
// Checks tokens built by our core (JSON lines from crosscheck_gen) against
// Agora's official npm package, agora-token. For every token it
//   1. decodes it with the package and checks every decoded field against the
//      inputs the generator recorded (the 007 signature through the package's
//      verifySignature; the 006 signature by re-signing the decoded message
//      with the package's AccessToken class for the recorded channel and uid);
//   2. rebuilds it with the package's own builders, pinned to the salt and
//      time read back from our token, and compares: 006 byte for byte, 007 by
//      the inflated payload (Node's bundled zlib deflates some inputs
//      differently from system zlib), and every compatible-mode 007 token
//      byte for byte with the package's payload compressed by the system
//      zlib (one /usr/bin/python3 call for the whole file). Where the package
//      differs from the C++/Python references (docs/token-format.md: the
//      APaaS room-user privilege and role 0), the rebuild composes the
//      package's own Service classes the way the C++/Python builders do.
// Prints one line per failing token (never its certificate or token) and
// ends with "N passed, M failed"; exits non-zero if any token failed.
//
// Usage: node tests/crosscheck/verify_with_agora_token.js TOKENS.jsonl

const childProcess = require('child_process')
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const repoRoot = path.resolve(__dirname, '..', '..')
const agoraSrc = path.join(repoRoot, 'node_modules', 'agora-token', 'src')
if (!fs.existsSync(path.join(agoraSrc, 'AccessToken2.js'))) {
    console.error(`verify_with_agora_token: ${agoraSrc} is missing; run \`npm ci\` at the repo root (${repoRoot})`)
    process.exit(2)
}

const DAY = 24 * 3600

// The official builders draw salt and time themselves. To rebuild our token
// with the official privilege logic we pin both on the official instance
// just before it signs: 006 through a wrapper around the AccessToken
// constructor, installed before the 006 builders load and capture it; 007
// through AccessToken2.prototype.build (official_services.js), which every
// 007 builder calls.
let pinned = null
const accessTokenModule = require(path.join(agoraSrc, 'AccessToken'))
const OfficialAccessToken = accessTokenModule.AccessToken
accessTokenModule.AccessToken = function PinnedAccessToken(...args) {
    OfficialAccessToken.apply(this, args)
    if (pinned) {
        this.salt = pinned.salt
        this.ts = pinned.ts
    }
}
const { RtcTokenBuilder: RtcTokenBuilder006 } = require(path.join(agoraSrc, 'RtcTokenBuilder'))
const { RtmTokenBuilder: RtmTokenBuilder006 } = require(path.join(agoraSrc, 'RtmTokenBuilder'))

const { officialService, officialPermissions, pinAccessToken2 } = require('./official_services')
const accessToken2Lib = require(path.join(agoraSrc, 'AccessToken2'))
const { AccessToken2 } = accessToken2Lib
const withPinned007 = pinAccessToken2(AccessToken2)
const { RtcTokenBuilder: RtcTokenBuilder2, Role: RtcRole2 } = require(path.join(agoraSrc, 'RtcTokenBuilder2'))
const { RtmTokenBuilder: RtmTokenBuilder2 } = require(path.join(agoraSrc, 'RtmTokenBuilder2'))
const { ChatTokenBuilder } = require(path.join(agoraSrc, 'ChatTokenBuilder'))
const { FpaTokenBuilder } = require(path.join(agoraSrc, 'FpaTokenBuilder'))
const { ApaasTokenBuilder } = require(path.join(agoraSrc, 'ApaasTokenBuilder'))
const { ConvoAITokenBuilder } = require(path.join(agoraSrc, 'ConvoAITokenBuilder'))
const { SttTokenBuilder } = require(path.join(agoraSrc, 'SttTokenBuilder'))
// The md5 the package's APaaS builder uses.
const md5 = require(require.resolve('md5', { paths: [agoraSrc] }))

function withPinned(values, build) {
    pinned = values
    try {
        return build()
    } finally {
        pinned = null
    }
}

// A failed check; the message names the field, never a secret.
class Mismatch extends Error {}

function expectEqual(what, got, want) {
    if (got !== want) throw new Mismatch(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`)
}

function expectMap(what, got, want) {
    const normalize = m => JSON.stringify(Object.keys(m).map(Number).sort((a, b) => a - b).map(k => [k, Number(m[k])]))
    expectEqual(what, normalize(got), normalize(want))
}

// The 006 fromString logs parse errors to stdout; keep our output readable.
function quietly(fn) {
    const log = console.log
    console.log = () => {}
    try {
        return fn()
    } finally {
        console.log = log
    }
}

function decode006(token) {
    const decoded = new OfficialAccessToken('', '', '', 0)
    if (!quietly(() => decoded.fromString(token))) throw new Mismatch('official AccessToken.fromString rejected the token')
    return decoded
}

// The account string a uid or account is signed as (decimal, "" for uid 0).
function accountString(c) {
    if ('account' in c) return c.account
    return c.uid === 0 ? '' : String(c.uid)
}

// What the official builder is given as the RTC user: the number for a uid,
// the string for an account.
function officialUser(c) {
    return 'account' in c ? c.account : c.uid
}

function effectiveExpire(tokenExpire) {
    return tokenExpire === 0 || tokenExpire > DAY ? DAY : tokenExpire
}

function check006(c) {
    const isRtc = c.kind === 'rtc006'
    const decoded = decode006(c.token)
    expectEqual('app_id', decoded.appID, c.app_id)
    expectEqual('salt', decoded.salt, c.salt)
    expectEqual('ts', decoded.ts, c.issue_ts + DAY)

    const pet = c.privilege_expired_ts
    const want = {}
    if (isRtc) {
        want[1] = pet
        // The official C++/Node/Python builders: attendee and admin act as publisher.
        if ([0, 1, 101].includes(c.role)) want[2] = want[3] = want[4] = pet
    } else {
        want[1000] = pet
    }
    expectMap('privileges', decoded.messages, want)

    // Re-sign the decoded message with the official class for the recorded
    // subject: proves the signature and both CRCs independently of the
    // builders' privilege logic.
    const signedChannel = isRtc ? c.channel_name : c.user_id
    const resigner = new OfficialAccessToken(c.app_id, c.app_certificate, signedChannel, isRtc ? officialUser(c) : '')
    resigner.salt = decoded.salt
    resigner.ts = decoded.ts
    resigner.messages = Object.assign({}, decoded.messages)
    const reference = decode006(resigner.build())
    if (!Buffer.from(decoded.signature).equals(Buffer.from(reference.signature))) throw new Mismatch('signature does not verify')
    expectEqual('crc_channel_name', decoded.crc_channel_name, reference.crc_channel_name)
    expectEqual('crc_uid', decoded.crc_uid, reference.crc_uid)

    const official = withPinned({ salt: decoded.salt, ts: decoded.ts }, () => {
        if (!isRtc) return RtmTokenBuilder006.buildToken(c.app_id, c.app_certificate, c.user_id, 1, pet)
        if ('account' in c) return RtcTokenBuilder006.buildTokenWithAccount(c.app_id, c.app_certificate, c.channel_name, c.account, c.role, pet)
        return RtcTokenBuilder006.buildTokenWithUid(c.app_id, c.app_certificate, c.channel_name, c.uid, c.role, pet)
    })
    if (official !== c.token) throw new Mismatch('token differs from the official builder\'s')

    expectEqual('built.version', c.built.version, '006')
    expectEqual('built.salt', c.built.salt, c.salt)
    expectEqual('built.issue_ts', c.built.issue_ts, c.issue_ts)
    expectEqual('built.expire_ts', c.built.expire_ts, c.issue_ts + DAY)
    return { byteIdentical007: false }
}

function inflate007(token, whose) {
    try {
        return zlib.inflateSync(Buffer.from(token.substring(3), 'base64'))
    } catch (e) {
        throw new Mismatch(`${whose} token does not inflate`)
    }
}

// A privilege list of our JSON form ([[id, value], ...]) as a map.
function privilegeMap(list) {
    const map = {}
    for (const [id, value] of list) map[id] = value
    return map
}

// Our JSON services in token order: by type, stable within a type.
function packedOrder(services) {
    return services.map((s, i) => ({ s, i })).sort((a, b) => a.s.type - b.s.type || a.i - b.i).map(e => e.s)
}

// What a service of our JSON form must decode to.
function expectedOfGrant(g) {
    const w = { type: g.type, privileges: privilegeMap(g.privileges) }
    if ([1, 3, 6].includes(g.type)) Object.assign(w, { channel_name: g.channel_name, account: g.account })
    if ([2, 5, 8].includes(g.type)) w.user_id = g.user_id
    if (g.type === 7) Object.assign(w, { room_uuid: g.room_uuid, user_uuid: g.user_uuid, role: 'role' in g ? g.role : -1 })
    if (g.type === 8) w.rtm2 = g.rtm2_resources
    return w
}

// The RTC service of buildTokenWithRtm2 and the ConvoAI and STT builders.
function rtcOfRtm2Kinds(c) {
    const p = c.privilege_expires
    const privileges = { 1: p.join_channel }
    if (c.role === 1) Object.assign(privileges, { 2: p.publish_audio, 3: p.publish_video, 4: p.publish_data_stream })
    return { type: 1, privileges, channel_name: c.channel_name, account: accountString(c) }
}

// The services our core must have encoded, in token order.
function expectedServices(c, expire) {
    if (c.kind === 'rtm007') return [{ type: 2, privileges: { 1: expire }, user_id: c.user_id }]
    if (c.kind === 'fpa007') return [{ type: 4, privileges: { 1: 0 } }]
    if (c.kind === 'apaas007_room_user') {
        return [
            { type: 2, privileges: { 1: expire }, user_id: c.user_uuid },
            { type: 5, privileges: { 1: expire }, user_id: md5(c.user_uuid) },
            { type: 7, privileges: { 1: expire }, room_uuid: c.room_uuid, user_uuid: c.user_uuid, role: c.role }
        ]
    }
    if (c.kind === 'apaas007_user') return [{ type: 7, privileges: { 2: expire }, room_uuid: '', user_uuid: c.user_uuid, role: -1 }]
    if (c.kind === 'apaas007_app') return [{ type: 7, privileges: { 3: expire }, room_uuid: '', user_uuid: '', role: -1 }]
    if (c.kind === 'rtm2_007') return [{ type: 8, privileges: { 1: expire }, user_id: c.user_id, rtm2: c.rtm2_resources }]
    if (['rtc007_rtm2', 'convoai007', 'stt007'].includes(c.kind)) {
        const services = [rtcOfRtm2Kinds(c), { type: 2, privileges: { 1: c.rtm_token_expire }, user_id: c.rtm_user_id }]
        if (c.kind === 'convoai007') services.push({ type: 9, privileges: {} })
        if (c.kind === 'stt007') services.push({ type: 10, privileges: {} })
        return services
    }
    if (c.kind === 'access_token2_007') return packedOrder(c.services).map(expectedOfGrant)
    if (c.kind === 'chat007') {
        const privilege = c.user_id === '' ? 2 : 1
        return [{ type: 5, privileges: { [privilege]: expire }, user_id: c.user_id }]
    }
    let privileges
    if (c.privilege_expires) {
        const p = c.privilege_expires
        privileges = { 1: p.join_channel, 2: p.publish_audio, 3: p.publish_video, 4: p.publish_data_stream }
    } else {
        privileges = { 1: c.privilege_expire }
        if (c.role === 1) privileges[2] = privileges[3] = privileges[4] = c.privilege_expire
    }
    const services = [{ type: 1, privileges, channel_name: c.channel_name, account: accountString(c) }]
    // The official "with RTM" builders log in for as long as the token.
    if (c.with_rtm) services.push({ type: 2, privileges: { 1: expire }, user_id: accountString(c) })
    return services
}

// The C++/Python buildRoomUserToken, composed from the package's classes:
// npm 2.0.6's own builder leaves the APaaS room-user privilege out.
function apaasRoomUser(app, cert, c, expire) {
    const token = new accessToken2Lib.AccessToken2(app, cert, 0, expire)
    for (const s of [
        { type: 7, privileges: [[1, expire]], room_uuid: c.room_uuid, user_uuid: c.user_uuid, role: c.role },
        { type: 2, privileges: [[1, expire]], user_id: c.user_uuid },
        { type: 5, privileges: [[1, expire]], user_id: md5(c.user_uuid) }
    ]) token.add_service(officialService(accessToken2Lib, s))
    return token.build()
}

function officialBuild007(c, expire) {
    const app = c.app_id
    const cert = c.app_certificate
    if (c.kind === 'rtm007') return RtmTokenBuilder2.buildToken(app, cert, c.user_id, expire)
    if (c.kind === 'fpa007') return FpaTokenBuilder.buildToken(app, cert)
    if (c.kind === 'apaas007_room_user') return apaasRoomUser(app, cert, c, expire)
    if (c.kind === 'apaas007_user') return ApaasTokenBuilder.buildUserToken(app, cert, c.user_uuid, expire)
    if (c.kind === 'apaas007_app') return ApaasTokenBuilder.buildAppToken(app, cert, expire)
    if (c.kind === 'rtm2_007') {
        return RtmTokenBuilder2.buildTokenWithPermissions(app, cert, c.user_id,
            officialPermissions(accessToken2Lib, c.rtm2_resources), expire)
    }
    if (['rtc007_rtm2', 'convoai007', 'stt007'].includes(c.kind)) {
        const builder = { rtc007_rtm2: RtcTokenBuilder2.buildTokenWithRtm2, convoai007: ConvoAITokenBuilder.buildToken,
            stt007: SttTokenBuilder.buildToken }[c.kind]
        const p = c.privilege_expires
        return builder(app, cert, c.channel_name, officialUser(c), c.role, expire, p.join_channel, p.publish_audio,
            p.publish_video, p.publish_data_stream, c.rtm_user_id, c.rtm_token_expire)
    }
    if (c.kind === 'access_token2_007') {
        const token = new accessToken2Lib.AccessToken2(app, cert, 0, expire)
        for (const s of c.services) token.add_service(officialService(accessToken2Lib, s))
        return token.build()
    }
    if (c.kind === 'chat007') {
        return c.user_id === '' ? ChatTokenBuilder.buildAppToken(app, cert, expire)
            : ChatTokenBuilder.buildUserToken(app, cert, c.user_id, expire)
    }
    const p = c.privilege_expires
    if (c.with_rtm) {
        // These builders put the RTC user into the RTM service too, which only
        // takes a string: give a nonzero uid as its decimal text (signed the
        // same), and uid 0 as 0 so the RTC account stays "".
        const user = 'account' in c ? c.account : (c.uid === 0 ? 0 : String(c.uid))
        if (p) {
            return RtcTokenBuilder2.buildTokenWithRtm2(app, cert, c.channel_name, user, RtcRole2.PUBLISHER, expire,
                p.join_channel, p.publish_audio, p.publish_video, p.publish_data_stream, accountString(c), expire)
        }
        return RtcTokenBuilder2.buildTokenWithRtm(app, cert, c.channel_name, user, c.role, expire, c.privilege_expire)
    }
    if (p) {
        const args = [app, cert, c.channel_name, officialUser(c), expire,
            p.join_channel, p.publish_audio, p.publish_video, p.publish_data_stream]
        return 'account' in c ? RtcTokenBuilder2.BuildTokenWithUserAccountAndPrivilege(...args)
            : RtcTokenBuilder2.buildTokenWithUidAndPrivilege(...args)
    }
    if ('account' in c) {
        return RtcTokenBuilder2.buildTokenWithUserAccount(app, cert, c.channel_name, c.account, c.role, expire, c.privilege_expire)
    }
    return RtcTokenBuilder2.buildTokenWithUid(app, cert, c.channel_name, c.uid, c.role, expire, c.privilege_expire)
}

// RTM2 permissions as sorted [resource, [[permission, names]]] for comparing
// the package's parsed details with our JSON list.
function normalizeRtm2(details) {
    return JSON.stringify(Object.keys(details).map(Number).sort((a, b) => a - b).map(r =>
        [r, Object.keys(details[r]).map(Number).sort((a, b) => a - b).map(p => [p, details[r][p].map(String)])]))
}

function expectService(where, s, w) {
    expectEqual(`${where}.type`, s.service_type(), w.type)
    expectMap(`${where}.privileges`, s.__privileges, w.privileges)
    if ('channel_name' in w) expectEqual(`${where}.channel_name`, s.__channel_name.toString(), w.channel_name)
    // RTC keeps its account as __uid, Streaming and FCDN as __account.
    if ('account' in w) expectEqual(`${where}.account`, (w.type === 1 ? s.__uid : s.__account).toString(), w.account)
    if ('user_id' in w) expectEqual(`${where}.user_id`, s.__user_id.toString(), w.user_id)
    if ('room_uuid' in w) expectEqual(`${where}.room_uuid`, s.__room_uuid.toString(), w.room_uuid)
    if ('user_uuid' in w) expectEqual(`${where}.user_uuid`, s.__user_uuid.toString(), w.user_uuid)
    // The package reads the i16 role back as unsigned.
    if ('role' in w) expectEqual(`${where}.role`, (s.__role << 16) >> 16, w.role)
    if ('rtm2' in w) {
        expectEqual(`${where}.rtm2_resources`, normalizeRtm2(s.__permissions.details),
            normalizeRtm2(officialPermissions(accessToken2Lib, w.rtm2).details))
    }
}

function check007(c) {
    const decoded = new AccessToken2()
    if (!decoded.from_string(c.token)) throw new Mismatch('official AccessToken2.from_string rejected the token')
    if (!decoded.verifySignature(c.app_certificate)) throw new Mismatch('official verifySignature rejected the signature')
    // A certificate one digit off must fail, or the check above proves nothing.
    const otherCert = (c.app_certificate[0] === '0' ? '1' : '0') + c.app_certificate.substring(1)
    if (decoded.verifySignature(otherCert)) throw new Mismatch('verifySignature accepts a different certificate')

    const expire = effectiveExpire(c.token_expire)
    expectEqual('app_id', decoded.appId.toString(), c.app_id)
    expectEqual('issue_ts', decoded.issueTs, c.issue_ts)
    expectEqual('salt', decoded.salt, c.salt)
    expectEqual('expire', decoded.expire, expire)

    const want = expectedServices(c, expire)
    expectEqual('service count', decoded.services.length, want.length)
    want.forEach((w, i) => expectService(`services[${i}]`, decoded.services[i], w))

    const ours = inflate007(c.token, 'our')
    const compressed = Buffer.from(c.token.substring(3), 'base64')
    if (c.compression === 'fast') {
        // A stored deflate block: BTYPE (bits 1-2 of the first block byte) is 00.
        expectEqual('fast mode deflate block type', (compressed[2] >> 1) & 3, 0)
    } else {
        // zlib's stream header for its default level.
        expectEqual('compatible mode zlib header', compressed.subarray(0, 2).toString('hex'), '789c')
    }

    // Rebuild with the expiry read back from our token: the core stores 0 and
    // anything beyond 24 h as 24 h, which the official builders do not.
    const official = withPinned007({ issueTs: decoded.issueTs, salt: decoded.salt }, () => officialBuild007(c, decoded.expire))
    if (!official) throw new Mismatch('the official builder refused the inputs')
    const officialPayload = inflate007(official, 'official')
    if (!ours.equals(officialPayload)) throw new Mismatch('payload differs from the official builder\'s')

    expectEqual('built.version', c.built.version, '007')
    expectEqual('built.salt', c.built.salt, c.salt)
    expectEqual('built.issue_ts', c.built.issue_ts, c.issue_ts)
    expectEqual('built.expire_ts', c.built.expire_ts, c.issue_ts + expire)
    return {
        byteIdentical007: c.compression === 'compatible' && official === c.token,
        // Compared with the system zlib's token of the official payload after the loop.
        systemZlibCheck: c.compression === 'compatible' ? officialPayload.toString('hex') : null
    }
}

// The system zlib (default level) token of each payload, in one python3 call.
function systemZlibTokens(payloadHexes) {
    if (payloadHexes.length === 0) return []
    const out = childProcess.execFileSync('/usr/bin/python3', ['-c',
        'import base64, json, sys, zlib\n' +
        'for h in json.load(sys.stdin):\n' +
        '    print("007" + base64.b64encode(zlib.compress(bytes.fromhex(h))).decode())'],
    { input: JSON.stringify(payloadHexes), maxBuffer: 64 * 1024 * 1024 })
    return out.toString().trim().split('\n')
}

function checkIssuance(c) {
    if (c.issuance !== 'new') return
    // NewIssuance: the official builders' salt range, and the current time.
    if (!(c.salt >= 1 && c.salt <= 99999999)) throw new Mismatch(`salt ${c.salt} outside [1, 99999999]`)
    const now = Math.floor(Date.now() / 1000)
    if (Math.abs(now - c.issue_ts) > 3600) throw new Mismatch(`issue_ts ${c.issue_ts} is not near now (${now})`)
}

const kinds007 = ['rtc007', 'rtm007', 'chat007', 'fpa007', 'apaas007_room_user', 'apaas007_user', 'apaas007_app',
    'rtm2_007', 'rtc007_rtm2', 'convoai007', 'stt007', 'access_token2_007']

function main() {
    const file = process.argv[2]
    if (!file) {
        console.error('usage: node verify_with_agora_token.js TOKENS.jsonl')
        process.exit(2)
    }
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(line => line.trim() !== '')
    let passed = 0
    let failed = 0
    let compatibleTotal = 0
    let compatibleIdentical = 0
    const pending = []  // compatible-mode 007 tokens awaiting the system zlib comparison
    lines.forEach((text, lineIndex) => {
        let c = null
        try {
            try {
                c = JSON.parse(text)
            } catch (e) {
                // V8 quotes the text in its message, and the line holds a certificate.
                throw new Mismatch('line is not valid JSON')
            }
            if (c.compression === 'compatible') compatibleTotal++
            checkIssuance(c)
            let result
            if (c.kind === 'rtc006' || c.kind === 'rtm006') result = check006(c)
            else if (kinds007.includes(c.kind)) result = check007(c)
            else throw new Mismatch(`unknown kind ${JSON.stringify(c.kind)}`)
            if (result.byteIdentical007) compatibleIdentical++
            if (result.systemZlibCheck) pending.push({ c, hex: result.systemZlibCheck })
            passed++
        } catch (e) {
            failed++
            const where = c ? `seed=${c.seed} case=${c.case} shape=${c.shape}` : `line=${lineIndex + 1}`
            // Unexpected exceptions print their message only: a stack could
            // quote an argument.
            const reason = e instanceof Mismatch ? e.message : `unexpected ${e.name}: ${e.message}`
            console.log(`FAIL ${where}: ${reason}`)
        }
    })
    const systemTokens = systemZlibTokens(pending.map(p => p.hex))
    let systemIdentical = 0
    pending.forEach(({ c }, i) => {
        if (systemTokens[i] === c.token) {
            systemIdentical++
            return
        }
        passed--
        failed++
        console.log(`FAIL seed=${c.seed} case=${c.case} shape=${c.shape}: token differs from the official payload through the system zlib`)
    })
    console.log(`007 compatible-mode tokens byte-identical to agora-token's payload through the system zlib: ${systemIdentical} of ${pending.length}`)
    console.log(`007 compatible-mode tokens byte-identical to agora-token: ${compatibleIdentical} of ${compatibleTotal}`)
    console.log(`${passed} passed, ${failed} failed`)
    process.exit(failed > 0 || passed === 0 ? 1 : 0)
}

main()
