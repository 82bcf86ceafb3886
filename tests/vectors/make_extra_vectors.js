// Writes tests/vectors/extra.json: known-answer vectors from Agora's official
// npm package (agora-token), for the token kinds official.json lacks (Chat,
// deprecated 006 roles, per-privilege and with-RTM variants, edge values,
// FPA, APaaS user and app, RTM2 with permissions, RTC with RTM for another
// user, ConvoAI, STT, wildcard channels, and AccessToken2 tokens holding any
// set of services).
//
// The official builders draw a random salt and read the clock. The older
// kinds repeat the builder's few lines with the package's own AccessToken /
// AccessToken2 and Service classes, then fix salt and time the way the
// builders' constructors set them. The newer kinds call the builders
// themselves, with salt and issue time pinned on AccessToken2.prototype.build
// (which every 007 builder calls). AccessToken2 vectors use the package's
// AccessToken2 and Service classes directly: that is the layer they test.
//
// npm 2.0.6's APaaS room-user token differs from the C++/Python references
// (docs/token-format.md), so those vectors are in apaas_reference.json.
//
// Node's bundled zlib is not the system zlib, so the compressed bytes of a 007
// token can differ from a C++ build's. Each 007 vector carries payload_hex
// (the uncompressed str(signature)+signing_info), system_zlib_token (that
// payload compressed with the system zlib at the default level, through
// /usr/bin/python3: the token a C++ build in compatible mode must equal), and
// token_matches_system_zlib (whether that is Node's own token).
//
// Run from the repository root: node tests/vectors/make_extra_vectors.js

'use strict'

const childProcess = require('child_process')
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const packageVersion = require('agora-token/package.json').version
const accessToken2Lib = require('agora-token/src/AccessToken2')
const { AccessToken2, Service, ServiceRtc, ServiceRtm, ServiceChat } = accessToken2Lib
const { officialService, officialPermissions, pinAccessToken2 } = require('../crosscheck/official_services')

// Salt and issue time pinned on every AccessToken2 the official builders make.
const withPinned = pinAccessToken2(AccessToken2)
const { ApaasTokenBuilder } = require('agora-token/src/ApaasTokenBuilder')
const { ConvoAITokenBuilder } = require('agora-token/src/ConvoAITokenBuilder')
const { FpaTokenBuilder } = require('agora-token/src/FpaTokenBuilder')
const { RtcTokenBuilder: RtcTokenBuilder2 } = require('agora-token/src/RtcTokenBuilder2')
const { RtmTokenBuilder: RtmTokenBuilder2 } = require('agora-token/src/RtmTokenBuilder2')
const { SttTokenBuilder } = require('agora-token/src/SttTokenBuilder')
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

// An RTC service followed by a service of a type no reference defines (the
// package's bare Service class): a signed token whose parsing must stop at
// the unknown type.
function unknownService007(cred, v) {
    const token = newToken007(cred, v)
    const rtc = new ServiceRtc(v.channel_name, v.uid)
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, v.privilege_expire)
    token.add_service(rtc)
    const unknown = new Service(v.unknown_service_type)
    unknown.add_privilege(1, v.token_expire)
    token.add_service(unknown)
    return token.build()
}

// The RTC user as the official builders take it: the number for a uid.
function rtcUser(v) {
    return 'uid' in v ? v.uid : v.account
}

// RtcTokenBuilder2.buildTokenWithRtm2 and the ConvoAI and STT builders,
// which take the same parameters.
function rtcWithRtm2Like(builder) {
    return (cred, v) => builder(cred.app_id, cred.app_certificate, v.channel_name, rtcUser(v), v.role,
        v.token_expire, v.join_channel_privilege_expire, v.pub_audio_privilege_expire,
        v.pub_video_privilege_expire, v.pub_data_stream_privilege_expire, v.rtm_user_id, v.rtm_token_expire)
}

// RtmTokenBuilder2.buildTokenWithPermissions.
function rtm2Permissions007(cred, v) {
    return RtmTokenBuilder2.buildTokenWithPermissions(cred.app_id, cred.app_certificate, v.user_id,
        officialPermissions(accessToken2Lib, v.rtm2_resources), v.token_expire)
}

// AccessToken2 with any list of services, in the order given.
function accessToken2(cred, v) {
    const token = newToken007(cred, v)
    for (const s of v.services) token.add_service(officialService(accessToken2Lib, s))
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

// The token the system zlib at the default level makes of `hex` (what a C++
// build against system zlib produces), through /usr/bin/python3's zlib.
function systemZlibToken(hex) {
    return '007' + childProcess.execFileSync('/usr/bin/python3', [
        '-c',
        'import base64, sys, zlib; ' +
            'sys.stdout.write(base64.b64encode(zlib.compress(bytes.fromhex(sys.argv[1]))).decode())',
        hex
    ]).toString()
}

const vectors = []

function add(id, kind, cred, fields, build) {
    const v = Object.assign({ id, kind }, cred, fields)
    v.token = withPinned({ issueTs: v.issue_ts, salt: v.salt }, () => build(cred, v))
    if (!v.token) throw new Error(`the official builder refused vector ${id}`)
    if (v.token.startsWith('007')) {
        v.payload_hex = payloadHex(v.token)
        v.system_zlib_token = systemZlibToken(v.payload_hex)
        v.token_matches_system_zlib = v.system_zlib_token === v.token
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
    { channel_name: channel, uid: 42, token_expire: 600, privilege_expire: 300, unknown_service_type: 11, ...t007 },
    unknownService007)

// 007 RTC with the wildcard channel "*" (a user must be named).
add('rtc007_wildcard_uid', 'rtc007_uid', credA,
    { channel_name: '*', uid: 1234567, role: 1, token_expire: 3600, privilege_expire: 3600, ...t007 },
    (c, v) => rtc007(c, v, v.uid))
add('rtc007_wildcard_account', 'rtc007_account', credB,
    { channel_name: '*', account: 'alice', role: 2, token_expire: 600, privilege_expire: 0, ...t007 },
    (c, v) => rtc007(c, v, v.account))

// FpaTokenBuilder.buildToken: no inputs but the app.
add('fpa007', 'fpa007', credA, { token_expire: 86400, ...t007 },
    c => FpaTokenBuilder.buildToken(c.app_id, c.app_certificate))
add('fpa007_b', 'fpa007', credB, { token_expire: 86400, salt: 1, issue_ts: 1111111 },
    c => FpaTokenBuilder.buildToken(c.app_id, c.app_certificate))

// ApaasTokenBuilder user and app tokens (npm agrees with C++/Python here).
add('apaas007_user', 'apaas007_user', credA, { user_uuid: 'student-7', token_expire: 600, ...t007 },
    (c, v) => ApaasTokenBuilder.buildUserToken(c.app_id, c.app_certificate, v.user_uuid, v.token_expire))
add('apaas007_user_utf8', 'apaas007_user', credB,
    { user_uuid: 'Zoë-学生-' + 'x'.repeat(40), token_expire: 86400, ...t007 },
    (c, v) => ApaasTokenBuilder.buildUserToken(c.app_id, c.app_certificate, v.user_uuid, v.token_expire))
add('apaas007_app', 'apaas007_app', credA, { token_expire: 3600, ...t007 },
    (c, v) => ApaasTokenBuilder.buildAppToken(c.app_id, c.app_certificate, v.token_expire))

// RtmTokenBuilder2.buildTokenWithPermissions, resources given out of order
// (the builder sorts resource and permission types).
const rtm2Resources = [
    { resource_type: 4, permissions: [{ permission_type: 1, names: ['bob', 'carol'] }] },
    {
        resource_type: 0,
        permissions: [
            { permission_type: 1, names: ['lobby'] },
            { permission_type: 0, names: ['lobby', 'news', longChannel] }
        ]
    },
    { resource_type: 2, permissions: [{ permission_type: 0, names: [specialChannel] }] }
]
add('rtm2_007_permissions', 'rtm2_007', credA,
    { user_id: 'alice', rtm2_resources: rtm2Resources, token_expire: 3600, ...t007 }, rtm2Permissions007)
add('rtm2_007_no_permissions', 'rtm2_007', credB,
    { user_id: longAccount.slice(0, 64), rtm2_resources: [], token_expire: 86400, ...t007 }, rtm2Permissions007)
add('rtm2_007_every_type', 'rtm2_007', credB,
    {
        user_id: 'dave',
        rtm2_resources: [0, 1, 2, 3, 4].map(t => ({
            resource_type: t,
            permissions: [{ permission_type: 0, names: [`r${t}`] }, { permission_type: 1, names: [`w${t}`, `x${t}`] }]
        })),
        token_expire: 600,
        ...t007
    }, rtm2Permissions007)

// RtcTokenBuilder2.buildTokenWithRtm2, ConvoAITokenBuilder.buildToken and
// SttTokenBuilder.buildToken: RTC for one user, RTM for another.
const rtm2Privileges = {
    join_channel_privilege_expire: 3600, pub_audio_privilege_expire: 1800,
    pub_video_privilege_expire: 0, pub_data_stream_privilege_expire: 7200
}
for (const [kind, builder] of [['rtc007_rtm2', RtcTokenBuilder2.buildTokenWithRtm2],
    ['convoai007', ConvoAITokenBuilder.buildToken], ['stt007', SttTokenBuilder.buildToken]]) {
    const build = rtcWithRtm2Like(builder)
    add(`${kind}_uid_publisher`, kind, credA,
        { channel_name: channel, uid: 1234567, role: 1, token_expire: 3600, ...rtm2Privileges,
            rtm_user_id: 'agent-1', rtm_token_expire: 600, ...t007 }, build)
    add(`${kind}_account_subscriber`, kind, credB,
        { channel_name: longChannel, account: 'bob', role: 2, token_expire: 86400, ...rtm2Privileges,
            rtm_user_id: longAccount.slice(0, 64), rtm_token_expire: 0, ...t007 }, build)
    add(`${kind}_uid_zero`, kind, credA,
        { channel_name: specialChannel, uid: 0, role: 1, token_expire: 600, ...rtm2Privileges,
            rtm_user_id: 'listener', rtm_token_expire: 86400, ...t007 }, build)
}
add('convoai007_wildcard', 'convoai007', credB,
    { channel_name: '*', uid: 42, role: 1, token_expire: 600, ...rtm2Privileges,
        rtm_user_id: 'agent-2', rtm_token_expire: 300, ...t007 }, rtcWithRtm2Like(ConvoAITokenBuilder.buildToken))

// AccessToken2 with any set of services: each type alone, all ten in one
// token, and repeated types given out of order (packed by type, stable).
const rtcGrant = { type: 1, privileges: [[4, 60], [1, 3600]], channel_name: channel, account: '1234567' }
const serviceOfType = {
    1: rtcGrant,
    2: { type: 2, privileges: [[1, 3600]], user_id: 'alice' },
    3: { type: 3, privileges: [[2, 600], [1, 0]], channel_name: channel, account: 'alice' },
    4: { type: 4, privileges: [[1, 0]] },
    5: { type: 5, privileges: [[1, 600]], user_id: 'alice' },
    6: { type: 6, privileges: [[1, 1200], [2, 86400]], channel_name: longChannel, account: '' },
    7: { type: 7, privileges: [[1, 600]], room_uuid: 'room-1', user_uuid: 'Zoë', role: 2 },
    8: { type: 8, privileges: [[1, 3600]], user_id: 'alice', rtm2_resources: rtm2Resources },
    9: { type: 9, privileges: [] },
    10: { type: 10, privileges: [] }
}
for (let type = 1; type <= 10; type++) {
    add(`access_token2_type${type}`, 'access_token2_007', type % 2 ? credA : credB,
        { token_expire: 3600, services: [serviceOfType[type]], ...t007 }, accessToken2)
}
add('access_token2_all_types', 'access_token2_007', credA,
    { token_expire: 86400, services: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map(t => serviceOfType[t]), ...t007 },
    accessToken2)
add('access_token2_repeated_types', 'access_token2_007', credB,
    {
        token_expire: 600,
        services: [
            { type: 6, privileges: [[2, 0]], channel_name: 'cdn-b', account: '' },
            rtcGrant,
            { type: 6, privileges: [[1, 300]], channel_name: 'cdn-a', account: '9' },
            { type: 1, privileges: [[1, 0]], channel_name: '*', account: 'bob' },
            { type: 3, privileges: [[1, 100]], channel_name: 'mix', account: '' },
            { type: 1, privileges: [[1, 120], [2, 120]], channel_name: 'second', account: '' },
            { type: 7, privileges: [[3, 600]], room_uuid: '', user_uuid: '' },
            { type: 7, privileges: [[2, 600]], room_uuid: '', user_uuid: 'u-2' }
        ],
        ...t007
    }, accessToken2)

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
        'system_zlib_token is that payload compressed with the system zlib at the default level; ' +
        "token_matches_system_zlib says whether that reproduces Node's compressed token byte for byte.",
    vectors
}
const outPath = path.join(__dirname, 'extra.json')
fs.writeFileSync(outPath, JSON.stringify(out, null, 1) + '\n')
console.log(`wrote ${vectors.length} vectors to ${outPath}`)
