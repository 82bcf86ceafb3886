'use strict'
// A thin Node.js client for agora.token.v1.TokenService. It loads the proto
// at run time (@grpc/proto-loader) from the repository's proto/ directory, or
// from the `proto` option, and wraps the generated stub with what every
// caller needs: promise-returning methods, a default deadline and a retry
// policy for UNAVAILABLE (both from the service config all five clients
// share, clients/service_config.json), TLS or mutual TLS, an API key sent as
// "authorization: Bearer" call metadata, and TokenServiceError, which carries
// the google.rpc.BadRequest field violations and google.rpc.RetryInfo delay
// decoded from the grpc-status-details-bin trailer. Request objects use the
// proto's fields in lowerCamelCase (appId, channelName, privilegeExpiredTs);
// unknown fields and enum values are rejected here, because the protobuf
// encoder would otherwise drop them silently (a mistyped role would become
// the default role).

const fs = require('fs')
const path = require('path')
const grpc = require('@grpc/grpc-js')
const protoLoader = require('@grpc/proto-loader')
// protobufjs as @grpc/proto-loader itself resolves it: no dependency of our own.
const protobuf = require(require.resolve('protobufjs', {
    paths: [path.dirname(require.resolve('@grpc/proto-loader/package.json'))],
}))

const SERVICE_NAME = 'agora.token.v1.TokenService'
const SERVICE_PROTO = 'agora/token/v1/token_service.proto'
// A packed package carries its own copy of proto/ (see "prepack" in
// package.json); in the repository the protos are two levels up.
const PACKED_PROTO_DIR = path.join(__dirname, 'proto')
const DEFAULT_PROTO_DIR = fs.existsSync(path.join(PACKED_PROTO_DIR, SERVICE_PROTO))
    ? PACKED_PROTO_DIR : path.resolve(__dirname, '..', '..', 'proto')
const STATUS_TRAILER = 'grpc-status-details-bin'

// The shared service config: the packed copy (see "prepack"), else the
// repository's.
const PACKED_SERVICE_CONFIG = path.join(__dirname, 'service_config.json')
const SERVICE_CONFIG_PATH = fs.existsSync(PACKED_SERVICE_CONFIG)
    ? PACKED_SERVICE_CONFIG : path.resolve(__dirname, '..', 'service_config.json')
const SERVICE_CONFIG = deepFreeze(JSON.parse(fs.readFileSync(SERVICE_CONFIG_PATH, 'utf8')))

function deepFreeze(value) {
    if (value && typeof value === 'object') Object.values(value).forEach(deepFreeze)
    return Object.freeze(value)
}

// A service config duration ("5s", "0.25s") in milliseconds.
function durationMs(duration) {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(duration)
    if (!match) throw new Error(`${SERVICE_CONFIG_PATH}: ${JSON.stringify(duration)} is not a duration such as "5s"`)
    return Math.round(Number(match[1]) * 1000)
}

// The default deadline of each call, retries included: the shared "timeout".
const DEFAULT_TIMEOUT_MS = durationMs(SERVICE_CONFIG.methodConfig[0].timeout)

// SERVICE_CONFIG without its "timeout": each call sets its own deadline, as
// every client does (gRPC 1.51's core, under the C++, Python and Ruby
// clients, measures a service config timeout from a stale start time), and a
// channel timeout would also cap a call's longer timeoutMs.
const CHANNEL_SERVICE_CONFIG = JSON.stringify({
    ...SERVICE_CONFIG,
    methodConfig: SERVICE_CONFIG.methodConfig.map(({ timeout, ...method }) => method),
})

const CODE_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([name, number]) => [number, name]))

// Loaded protos, per proto directory: loading parses every file.
const loadedProtos = new Map()

function loadProtos(protoDir) {
    let loaded = loadedProtos.get(protoDir)
    if (loaded) return loaded
    const packageDefinition = protoLoader.loadSync(SERVICE_PROTO, {
        includeDirs: [protoDir],
        keepCase: false,
        enums: String,
        longs: Number,
        defaults: true,
        oneofs: true,
    })
    // The same files through protobufjs, for checking requests and decoding
    // google.rpc.Status; google/protobuf/*.proto are bundled with it.
    const root = new protobuf.Root()
    root.resolvePath = (origin, target) => path.join(protoDir, target)
    root.loadSync([SERVICE_PROTO, 'google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: false })
    root.resolveAll()
    loaded = {
        ServiceClient: grpc.loadPackageDefinition(packageDefinition).agora.token.v1.TokenService,
        root,
        Status: root.lookupType('google.rpc.Status'),
        BadRequest: root.lookupType('google.rpc.BadRequest'),
        RetryInfo: root.lookupType('google.rpc.RetryInfo'),
    }
    loadedProtos.set(protoDir, loaded)
    return loaded
}

// The default protos, for TokenServiceError.fromStatus without a client.
function defaultProtos() {
    return loadProtos(DEFAULT_PROTO_DIR)
}

function decodeDetails(details, protos) {
    const fieldViolations = []
    let retryDelayMs = null
    for (const any of details || []) {
        const typeUrl = any.typeUrl || any.type_url || ''
        const typeName = typeUrl.substring(typeUrl.lastIndexOf('/') + 1)
        try {
            if (typeName === 'google.rpc.BadRequest') {
                const badRequest = protos.BadRequest.decode(any.value)
                for (const violation of badRequest.fieldViolations) {
                    fieldViolations.push({ field: violation.field, description: violation.description })
                }
            } else if (typeName === 'google.rpc.RetryInfo') {
                const delay = protos.RetryInfo.decode(any.value).retryDelay
                if (delay) retryDelayMs = Number(delay.seconds || 0) * 1000 + Math.round((delay.nanos || 0) / 1e6)
            }
        } catch (e) {
            // A malformed detail must not hide the error it came with.
        }
    }
    return { fieldViolations, retryDelayMs }
}

/** A failed call, or one failed BuildTokens item. */
class TokenServiceError extends Error {
    constructor(code, message, { fieldViolations = [], retryDelayMs = null, metadata = null } = {}) {
        super(message)
        this.name = 'TokenServiceError'
        this.code = code
        this.codeName = CODE_NAMES[code] || 'UNKNOWN'
        this.fieldViolations = fieldViolations
        this.retryDelayMs = retryDelayMs
        this.metadata = metadata
    }

    toString() {
        let text = `${this.name}: ${this.codeName}: ${this.message}`
        for (const violation of this.fieldViolations) text += `\n  ${violation.field}: ${violation.description}`
        return text
    }

    /** From a google.rpc.Status object, such as a BuildTokensResult's error. */
    static fromStatus(status, protos = defaultProtos()) {
        return new TokenServiceError(status.code, status.message || '', decodeDetails(status.details, protos))
    }

    /** From the error grpc-js rejected with; rich details come from the trailer. */
    static fromGrpcError(error, protos = defaultProtos()) {
        if (error instanceof TokenServiceError) return error
        const code = typeof error.code === 'number' ? error.code : grpc.status.UNKNOWN
        let message = typeof error.details === 'string' ? error.details : error.message
        let details = {}
        const trailer = error.metadata instanceof grpc.Metadata ? error.metadata.get(STATUS_TRAILER)[0] : undefined
        if (trailer) {
            try {
                const status = protos.Status.decode(trailer)
                message = status.message || message
                details = decodeDetails(status.details, protos)
            } catch (e) {
                // A malformed trailer must not hide the real error; the
                // transport's code stays authoritative either way.
            }
        }
        return new TokenServiceError(code, message, { ...details, metadata: error.metadata || null })
    }
}

// Accepts an enum number, its full name ("ROLE_PUBLISHER") or the name
// without the enum's prefix in any case ("publisher", "007").
function enumValue(enumType, value, where) {
    const unspecified = Object.keys(enumType.values).find(name => name.endsWith('_UNSPECIFIED'))
    const prefix = unspecified ? unspecified.replace(/UNSPECIFIED$/, '') : ''
    if (typeof value === 'number' && Object.values(enumType.values).includes(value)) return value
    if (typeof value === 'string') {
        const upper = value.toUpperCase()
        const name = upper.startsWith(prefix) ? upper : prefix + upper
        if (name in enumType.values) return name
    }
    throw new TypeError(`${where}: ${JSON.stringify(value)} is not a ${enumType.name} (one of ${Object.keys(enumType.values).join(', ')})`)
}

// Returns a copy of request with enum values normalized; throws TypeError for
// a field the message does not have, or a value of the wrong kind.
function checkRequest(type, request, where) {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
        throw new TypeError(`${where}: expected an object of ${type.name}`)
    }
    const checked = {}
    for (const [key, value] of Object.entries(request)) {
        const field = type.fields[key]
        if (!field) {
            const camel = Object.keys(type.fields).find(name => name.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`) === key)
            throw new TypeError(`${where}: ${type.name} has no field ${JSON.stringify(key)}` + (camel ? ` (did you mean ${camel}?)` : ''))
        }
        if (value === undefined || value === null) continue
        const at = `${where}.${key}`
        const checkOne = (item, itemWhere) => {
            if (field.resolvedType instanceof protobuf.Enum) return enumValue(field.resolvedType, item, itemWhere)
            if (field.resolvedType instanceof protobuf.Type) return checkRequest(field.resolvedType, item, itemWhere)
            return item
        }
        if (field.repeated) {
            if (!Array.isArray(value)) throw new TypeError(`${at}: expected an array`)
            checked[key] = value.map((item, index) => checkOne(item, `${at}[${index}]`))
        } else {
            checked[key] = checkOne(value, at)
        }
    }
    return checked
}

function channelCredentials(credentials) {
    if (credentials === undefined || credentials === null || credentials === 'insecure') {
        return grpc.credentials.createInsecure()
    }
    if (credentials === 'ssl') return grpc.credentials.createSsl()
    if (credentials instanceof grpc.ChannelCredentials) return credentials
    if (typeof credentials === 'object') {
        const { rootCerts = null, privateKey = null, certChain = null } = credentials
        return grpc.credentials.createSsl(rootCerts, privateKey, certChain)
    }
    throw new TypeError('credentials: expected "insecure", "ssl", {rootCerts, privateKey, certChain} or grpc.ChannelCredentials')
}

// The eleven RPCs: client method name -> [stub method, request type].
const METHODS = {
    buildRtcTokenWithUid: ['BuildRtcTokenWithUid', 'BuildRtcTokenWithUidRequest'],
    buildRtcTokenWithAccount: ['BuildRtcTokenWithAccount', 'BuildRtcTokenWithAccountRequest'],
    buildRtmToken: ['BuildRtmToken', 'BuildRtmTokenRequest'],
    buildChatToken: ['BuildChatToken', 'BuildChatTokenRequest'],
    buildAccessToken: ['BuildAccessToken', 'BuildAccessTokenRequest'],
    buildFpaToken: ['BuildFpaToken', 'BuildFpaTokenRequest'],
    buildApaasToken: ['BuildApaasToken', 'BuildApaasTokenRequest'],
    buildConvoAiToken: ['BuildConvoAiToken', 'BuildConvoAiTokenRequest'],
    buildSttToken: ['BuildSttToken', 'BuildSttTokenRequest'],
    buildTokens: ['BuildTokens', 'BuildTokensRequest'],
    decodeToken: ['DecodeToken', 'DecodeTokenRequest'],
}

// The reference builders that are one kind of an RPC above: client method
// name -> [RPC method, fields it fixes]. The fixed fields win over the
// caller's.
const REFERENCE_BUILDERS = {
    // RtmTokenBuilder2.buildTokenWithPermissions (the request has rtm2Resources).
    buildRtmTokenWithPermissions: ['buildRtmToken', { tokenVersion: 'TOKEN_VERSION_007' }],
    // ApaasTokenBuilder.buildRoomUserToken, buildUserToken, buildAppToken.
    buildRoomUserToken: ['buildApaasToken', { kind: 'APAAS_TOKEN_KIND_ROOM_USER' }],
    buildUserToken: ['buildApaasToken', { kind: 'APAAS_TOKEN_KIND_USER' }],
    buildAppToken: ['buildApaasToken', { kind: 'APAAS_TOKEN_KIND_APP' }],
}

/** Calls one token server; see index.d.ts for the options and methods. */
class TokenServiceClient {
    constructor(target, options = {}) {
        const { proto = DEFAULT_PROTO_DIR, timeoutMs = DEFAULT_TIMEOUT_MS, credentials, apiKey, channelOptions = {} } = options
        if (!(timeoutMs > 0)) throw new TypeError('timeoutMs must be a positive number')
        this._protos = loadProtos(path.resolve(proto))
        this._timeoutMs = timeoutMs
        this._apiKey = apiKey || null
        this._stub = new this._protos.ServiceClient(target, channelCredentials(credentials), {
            'grpc.service_config': CHANNEL_SERVICE_CONFIG,
            ...channelOptions,
        })
    }

    /** Closes the channel; calls after this fail. */
    close() {
        this._stub.close()
    }

    _call(stubMethod, requestType, request, callOptions = {}) {
        return new Promise((resolve, reject) => {
            const type = this._protos.root.lookupType(`agora.token.v1.${requestType}`)
            const checked = checkRequest(type, request, 'request')
            const metadata = callOptions.metadata instanceof grpc.Metadata ? callOptions.metadata.clone() : new grpc.Metadata()
            if (this._apiKey) metadata.set('authorization', `Bearer ${this._apiKey}`)
            // An explicit deadline wins; else the per-call or default timeout.
            const deadline = callOptions.deadline || new Date(Date.now() + (callOptions.timeoutMs || this._timeoutMs))
            this._stub[stubMethod](checked, metadata, { deadline }, (error, response) => {
                if (error) reject(TokenServiceError.fromGrpcError(error, this._protos))
                else resolve(response)
            })
        })
    }
}

for (const [clientMethod, [stubMethod, requestType]] of Object.entries(METHODS)) {
    TokenServiceClient.prototype[clientMethod] = function (request, callOptions) {
        return this._call(stubMethod, requestType, request, callOptions)
    }
}

for (const [clientMethod, [rpcMethod, fixed]] of Object.entries(REFERENCE_BUILDERS)) {
    TokenServiceClient.prototype[clientMethod] = function (request, callOptions) {
        return this[rpcMethod]({ ...request, ...fixed }, callOptions)
    }
}

/**
 * RtcTokenBuilder2.buildTokenWithRtm2: a 007 RTC token for `uid` or
 * `account` (exactly one) that also logs `rtmUserId` in to RTM, through
 * BuildRtcTokenWithUid or BuildRtcTokenWithAccount.
 */
TokenServiceClient.prototype.buildTokenWithRtm2 = function (request, callOptions) {
    if (request === null || typeof request !== 'object' || ('uid' in request) === ('account' in request)) {
        return Promise.reject(new TypeError('buildTokenWithRtm2: give exactly one of uid, account'))
    }
    const rpcMethod = 'account' in request ? 'buildRtcTokenWithAccount' : 'buildRtcTokenWithUid'
    return this[rpcMethod]({ ...request, tokenVersion: 'TOKEN_VERSION_007' }, callOptions)
}

module.exports = {
    TokenServiceClient,
    TokenServiceError,
    DEFAULT_PROTO_DIR,
    DEFAULT_TIMEOUT_MS,
    SERVICE_CONFIG,
    SERVICE_CONFIG_PATH,
    status: grpc.status,
}
