// Writes tests/vectors/extra.json: known-answer vectors from Agora's official
// npm package (agora-token), for the token kinds official.json lacks (Chat,
// deprecated 006 roles, per-privilege and with-RTM variants, edge values).
//
// The official builders draw a random salt and read the clock, so each vector
// repeats the builder's few lines with the package's own AccessToken /
// AccessToken2 and Service classes, then fixes salt and time the way the
// builders' constructors set them.
//
// Node's bundled zlib is not the system zlib, so the compressed bytes of a 007
// token can differ from a C++ build's. Each 007 vector carries payload_hex
// (the uncompressed str(signature)+signing_info), and token_matches_system_zlib
// says whether compressing that payload with the system zlib (through
// /usr/bin/python3) gives Node's token; the tests compare the full token only
// then.
//
// Run from the repository root: node tests/vectors/make_extra_vectors.js

'use strict'

const childProcess = require('child_process')
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const packageVersion = require('agora-token/package.json').version
const {
    AccessToken2,
    ServiceRtc,
    ServiceRtm,
    ServiceChat,
    ServiceConvoAI
} = require('agora-token/src/AccessToken2')
const AccessToken006 = require('agora-token/src/AccessToken').AccessToken
const Privileges006 = require('agora-token/src/AccessToken').priviledges

const kTokenLifetime006 = 24 * 3600

const credentials = [
    { app_id: '970CA35de60c44645bbae8a215061b33', app_certificate: '5CFd2fd1755d40ecb72977518be15d3b' },
    { app_id: '0123456789abcdef0123456789ABCDEF', app_certificate: 'fedcba9876543210FEDCBA9876543210' }
]

// Every character the product document allows in names, 89 of them.
const allowedSpecials = ' !#$%&()+-:;<=.>?@[]^_{}|~,'
const allowedChars =
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' + allowedSpecials
if (allowedChars.length !== 89) throw new Error('allowed character set is not 89 characters')

const longChannel = allowedChars.slice(0, 64)  // the maximum length
const specialChannel = allowedSpecials + 'x'
const longAccount = (allowedChars + allowedChars + allowedChars).slice(0, 255)

// ---------------------------------------------------------------------------
// 007: the builders' bodies with a fixed salt and issue time.

function newToken007(cred, v) {
    const token = new AccessToken2(cred.app_id, cred.app_certificate, v.issue_ts, v.token_expire)
    token.salt = v.salt
    return token
}

// RtcTokenBuilder2.buildTokenWithUserAccount (buildTokenWithUid delegates to it).
function rtc007(cred, v, user) {
    const token = newToken007(cred, v)
    const rtc = new ServiceRtc(v.channel_name, user)
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, v.privilege_expire)
    if (v.role === 1) {
        rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, v.privilege_expire)
        rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, v.privilege_expire)
        rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, v.privilege_expire)
    }
    token.add_service(rtc)
    return token.build()
}

// RtcTokenBuilder2.BuildTokenWithUserAccountAndPrivilege.
function rtc007Privilege(cred, v, user) {
    const token = newToken007(cred, v)
    const rtc = new ServiceRtc(v.channel_name, user)
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, v.join_channel_privilege_expire)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, v.pub_audio_privilege_expire)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, v.pub_video_privilege_expire)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, v.pub_data_stream_privilege_expire)
    token.add_service(rtc)
    return token.build()
}

// RtcTokenBuilder2.buildTokenWithRtm: RTC plus RTM login for the same account.
function rtc007WithRtm(cred, v) {
    const token = newToken007(cred, v)
    const rtc = new ServiceRtc(v.channel_name, v.account)
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, v.privilege_expire)
    if (v.role === 1) {
        rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, v.privilege_expire)
        rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, v.privilege_expire)
        rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, v.privilege_expire)
    }
    token.add_service(rtc)
    const rtm = new ServiceRtm(v.account)
    rtm.add_privilege(ServiceRtm.kPrivilegeLogin, v.token_expire)
    token.add_service(rtm)
    return token.build()
}

// RtmTokenBuilder2.buildToken.
function rtm007(cred, v) {
    const token = newToken007(cred, v)
    const rtm = new ServiceRtm(v.user_id)
    rtm.add_privilege(ServiceRtm.kPrivilegeLogin, v.token_expire)
    token.add_service(rtm)
    return token.build()
}

// ChatTokenBuilder.buildUserToken.
function chatUser007(cred, v) {
    const token = newToken007(cred, v)
    const chat = new ServiceChat(v.user_id)
    chat.add_privilege(ServiceChat.kPrivilegeUser, v.token_expire)
    token.add_service(chat)
    return token.build()
}

// ChatTokenBuilder.buildAppToken.
function chatApp007(cred, v) {
    const token = newToken007(cred, v)
    const chat = new ServiceChat()
    chat.add_privilege(ServiceChat.kPrivilegeApp, v.token_expire)
    token.add_service(chat)
    return token.build()
}

// An RTC service followed by a ConvoAI service (type 9, which the C++ core
// does not know): a signed token whose parsing must stop at the unknown type.
function unknownService007(cred, v) {
    const token = newToken007(cred, v)
    const rtc = new ServiceRtc(v.channel_name, v.uid)
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, v.privilege_expire)
    token.add_service(rtc)
    const convo = new ServiceConvoAI()
    convo.add_privilege(1, v.token_expire)
    token.add_service(convo)
    return token.build()
}

// ---------------------------------------------------------------------------
// 006: RtcTokenBuilder / RtmTokenBuilder (src/) with a fixed salt and ts.

function newToken006(cred, v, channelName, uid) {
    const token = new AccessToken006(cred.app_id, cred.app_certificate, channelName, uid)
    token.salt = v.salt
    token.ts = v.ts
    return token
}

// RtcTokenBuilder.buildTokenWithAccount (buildTokenWithUid delegates to it).
function rtc006(cred, v, user) {
    const token = newToken006(cred, v, v.channel_name, user)
    token.addPriviledge(Privileges006.kJoinChannel, v.privilege_expire_ts)
    if (v.role === 0 || v.role === 1 || v.role === 101) {
        token.addPriviledge(Privileges006.kPublishAudioStream, v.privilege_expire_ts)
        token.addPriviledge(Privileges006.kPublishVideoStream, v.privilege_expire_ts)
        token.addPriviledge(Privileges006.kPublishDataStream, v.privilege_expire_ts)
    }
    return token.build()
}

// RtmTokenBuilder.buildToken: the account takes the channel's place.
function rtm006(cred, v) {
    const token = newToken006(cred, v, v.account, '')
    token.addPriviledge(Privileges006.kRtmLogin, v.privilege_expire_ts)
    return token.build()
}

// ---------------------------------------------------------------------------

function payloadHex(token007) {
    return zlib.inflateSync(Buffer.from(token007.slice(3), 'base64')).toString('hex')
}

// Whether the system zlib at the default level compresses `hex` to the same
// bytes Node's zlib produced for `token007`.
function matchesSystemZlib(hex, token007) {
    const systemB64 = childProcess.execFileSync('/usr/bin/python3', [
        '-c',
        'import base64, sys, zlib; ' +
            'sys.stdout.write(base64.b64encode(zlib.compress(bytes.fromhex(sys.argv[1]))).decode())',
        hex
    ]).toString()
    return '007' + systemB64 === token007
}

const vectors = []

function add(id, kind, cred, fields, build) {
    const v = Object.assign({ id, kind }, cred, fields)
    v.token = build(cred, v)
    if (!v.token) throw new Error(`the official builder refused vector ${id}`)
    if (v.token.startsWith('007')) {
        v.payload_hex = payloadHex(v.token)
        v.token_matches_system_zlib = matchesSystemZlib(v.payload_hex, v.token)
    }
    vectors.push(v)
}

const [credA, credB] = credentials
const t007 = { salt: 12345678, issue_ts: 1700000000 }
const t006 = { salt: 87654321, ts: 1700086400 }  // ts = issue time + 24 h
const channel = 'room-42'

// 007 RTC, role-based form.
add('rtc007_uid_publisher_b', 'rtc007_uid', credB,
    { channel_name: channel, uid: 1234567, role: 1, token_expire: 3600, privilege_expire: 1800, ...t007 },
    (c, v) => rtc007(c, v, v.uid))
add('rtc007_uid_subscriber', 'rtc007_uid', credA,
    { channel_name: channel, uid: 1234567, role: 2, token_expire: 3600, privilege_expire: 3600, ...t007 },
    (c, v) => rtc007(c, v, v.uid))
add('rtc007_uid_max', 'rtc007_uid', credA,
    { channel_name: longChannel, uid: 4294967295, role: 1, token_expire: 86400, privilege_expire: 86400, ...t007 },
    (c, v) => rtc007(c, v, v.uid))
add('rtc007_uid_zero_privilege_zero', 'rtc007_uid', credA,
    { channel_name: specialChannel, uid: 0, role: 1, token_expire: 600, privilege_expire: 0, ...t007 },
    (c, v) => rtc007(c, v, v.uid))
add('rtc007_privilege_beyond_token', 'rtc007_uid', credA,
    { channel_name: channel, uid: 7, role: 1, token_expire: 600, privilege_expire: 7200, ...t007 },
    (c, v) => rtc007(c, v, v.uid))
add('rtc007_account_publisher', 'rtc007_account', credA,
    { channel_name: channel, account: 'alice@example.com', role: 1, token_expire: 600, privilege_expire: 600, ...t007 },
    (c, v) => rtc007(c, v, v.account))
add('rtc007_account_long', 'rtc007_account', credB,
    { channel_name: longChannel, account: longAccount, role: 2, token_expire: 86400, privilege_expire: 0, ...t007 },
    (c, v) => rtc007(c, v, v.account))

// 007 RTC, per-privilege form.
add('rtc007_uid_privileges_mixed', 'rtc007_uid_privilege', credA,
    {
        channel_name: channel, uid: 99, token_expire: 3600, join_channel_privilege_expire: 3600,
        pub_audio_privilege_expire: 0, pub_video_privilege_expire: 7200, pub_data_stream_privilege_expire: 60, ...t007
    },
    (c, v) => rtc007Privilege(c, v, v.uid))
add('rtc007_account_privileges', 'rtc007_account_privilege', credB,
    {
        channel_name: specialChannel, account: 'bob', token_expire: 600, join_channel_privilege_expire: 500,
        pub_audio_privilege_expire: 400, pub_video_privilege_expire: 300, pub_data_stream_privilege_expire: 200, ...t007
    },
    (c, v) => rtc007Privilege(c, v, v.account))

// 007 RTC with RTM.
add('rtc007_with_rtm_subscriber', 'rtc007_rtm', credB,
    { channel_name: channel, account: 'carol', role: 2, token_expire: 1200, privilege_expire: 0, ...t007 },
    rtc007WithRtm)
add('rtc007_with_rtm_numeric_account', 'rtc007_rtm', credA,
    { channel_name: channel, account: '2882341273', role: 1, token_expire: 86400, privilege_expire: 600, ...t007 },
    rtc007WithRtm)

// 007 RTM.
add('rtm007_b', 'rtm007', credB, { user_id: 'dave', token_expire: 3600, ...t007 }, rtm007)
add('rtm007_long_user', 'rtm007', credA, { user_id: longAccount, token_expire: 86400, ...t007 }, rtm007)

// 007 Chat.
add('chat007_user', 'chat007_user', credA, { user_id: 'test_user', token_expire: 600, ...t007 }, chatUser007)
add('chat007_user_b', 'chat007_user', credB, { user_id: longAccount, token_expire: 86400, ...t007 }, chatUser007)
add('chat007_app', 'chat007_app', credA, { token_expire: 600, ...t007 }, chatApp007)
add('chat007_app_b', 'chat007_app', credB, { token_expire: 86400, salt: 1, issue_ts: 1111111 }, chatApp007)

// 007 with a service type the core does not know.
add('unknown_service007', 'unknown_service007', credA,
    { channel_name: channel, uid: 42, token_expire: 600, privilege_expire: 300, unknown_service_type: 9, ...t007 },
    unknownService007)

// 006 RTC: every role, including the deprecated attendee (0) and admin (101).
for (const role of [0, 1, 2, 101]) {
    add(`rtc006_uid_role${role}`, 'rtc006_uid', credA,
        { channel_name: channel, uid: 2882341273, role, privilege_expire_ts: 1700003600, ...t006 },
        (c, v) => rtc006(c, v, v.uid))
    add(`rtc006_account_role${role}`, 'rtc006_account', credB,
        { channel_name: specialChannel, account: 'erin', role, privilege_expire_ts: 0, ...t006 },
        (c, v) => rtc006(c, v, v.account))
}
add('rtc006_uid_max_long_channel', 'rtc006_uid', credB,
    { channel_name: longChannel, uid: 4294967295, role: 1, privilege_expire_ts: 1800000000, ...t006 },
    (c, v) => rtc006(c, v, v.uid))
add('rtc006_uid_zero_subscriber', 'rtc006_uid', credA,
    { channel_name: channel, uid: 0, role: 2, privilege_expire_ts: 1700000600, ...t006 },
    (c, v) => rtc006(c, v, v.uid))
add('rtc006_account_long', 'rtc006_account', credA,
    { channel_name: channel, account: longAccount, role: 1, privilege_expire_ts: 1700086400, ...t006 },
    (c, v) => rtc006(c, v, v.account))

// 006 RTM.
add('rtm006_b', 'rtm006', credB, { account: 'frank', privilege_expire_ts: 1700003600, ...t006 }, rtm006)
add('rtm006_zero_expire', 'rtm006', credA, { account: longAccount, privilege_expire_ts: 0, ...t006 }, rtm006)

const out = {
    about:
        `Produced by tests/vectors/make_extra_vectors.js with agora-token ${packageVersion} (Agora's official npm ` +
        'builders) and a fixed salt and time. Fields mean what they mean in official.json: 006 ts is the ' +
        "token's own timestamp (issue time + 24 h), 007 issue_ts is the issue time and expiries are seconds " +
        'after it. payload_hex is the uncompressed str(signature)+signing_info of a 007 token; ' +
        "token_matches_system_zlib says whether the system zlib at the default level reproduces Node's " +
        'compressed token byte for byte.',
    vectors
}
const outPath = path.join(__dirname, 'extra.json')
fs.writeFileSync(outPath, JSON.stringify(out, null, 1) + '\n')
console.log(`wrote ${vectors.length} vectors to ${outPath}`)
