// Type definitions for @agora-token-service/client, written by hand to match
// proto/agora/token/v1/token_service.proto (field names in lowerCamelCase, as
// @grpc/proto-loader presents them). Units follow the proto: `...Ts` fields
// are absolute unix seconds, `...Seconds` and `...Expire` fields are spans in
// seconds. Responses carry enums as their full names and every field (proto3
// defaults filled in).

import { ChannelCredentials, Metadata, status } from '@grpc/grpc-js'

export { status }

/** Where proto/ is found when the `proto` option is not given: the packed copy, else ../../proto. */
export const DEFAULT_PROTO_DIR: string
/** The deadline of a call without `timeoutMs` or `deadline`, in milliseconds: the shared service config's "timeout". */
export const DEFAULT_TIMEOUT_MS: number
/** The gRPC service config all five clients share (retry policy and default deadline), as read. */
export const SERVICE_CONFIG: Readonly<Record<string, unknown>>
/** Where it was read: the packed copy, else the repository's clients/service_config.json. */
export const SERVICE_CONFIG_PATH: string

export type TokenVersionName = 'TOKEN_VERSION_UNSPECIFIED' | 'TOKEN_VERSION_006' | 'TOKEN_VERSION_007'
/** A token format: full name, number, or '006' / '007'. */
export type TokenVersion = TokenVersionName | '006' | '007' | 0 | 1 | 2

export type RoleName = 'ROLE_UNSPECIFIED' | 'ROLE_PUBLISHER' | 'ROLE_SUBSCRIBER'
/** An RTC role: full name, number (the product document's Role_Publisher = 1, Role_Subscriber = 2), or short name. */
export type Role = RoleName | 'publisher' | 'subscriber' | 0 | 1 | 2

export type ChatTokenKindName = 'CHAT_TOKEN_KIND_UNSPECIFIED' | 'CHAT_TOKEN_KIND_USER' | 'CHAT_TOKEN_KIND_APP'
export type ChatTokenKind = ChatTokenKindName | 'user' | 'app' | 1 | 2

export type ApaasTokenKindName = 'APAAS_TOKEN_KIND_UNSPECIFIED' | 'APAAS_TOKEN_KIND_ROOM_USER' | 'APAAS_TOKEN_KIND_USER' |
    'APAAS_TOKEN_KIND_APP'
export type ApaasTokenKind = ApaasTokenKindName | 'room_user' | 'user' | 'app' | 1 | 2 | 3

export type ServiceTypeName = 'SERVICE_TYPE_UNSPECIFIED' | 'SERVICE_TYPE_RTC' | 'SERVICE_TYPE_RTM' | 'SERVICE_TYPE_STREAMING' |
    'SERVICE_TYPE_FPA' | 'SERVICE_TYPE_CHAT' | 'SERVICE_TYPE_FCDN' | 'SERVICE_TYPE_APAAS' | 'SERVICE_TYPE_RTM2' |
    'SERVICE_TYPE_CONVO_AI' | 'SERVICE_TYPE_STT'
/** A 007 service type: full name, number (the wire type id, 1 to 10), or short name ('rtc', 'convo_ai'). */
export type ServiceType = ServiceTypeName | 'rtc' | 'rtm' | 'streaming' | 'fpa' | 'chat' | 'fcdn' | 'apaas' | 'rtm2' |
    'convo_ai' | 'stt' | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10
export type SignatureStateName = 'SIGNATURE_STATE_UNSPECIFIED' | 'SIGNATURE_STATE_VALID' | 'SIGNATURE_STATE_INVALID' |
    'SIGNATURE_STATE_NOT_CHECKED'
export type ExpiryStateName = 'EXPIRY_STATE_UNSPECIFIED' | 'EXPIRY_STATE_VALID' | 'EXPIRY_STATE_TOKEN_EXPIRED' |
    'EXPIRY_STATE_PRIVILEGE_EXPIRED'

/** 007 per-privilege lifetimes, seconds after issue; 0 = as long as the token. */
export interface RtcPrivilegeExpires {
    joinChannelPrivilegeExpire?: number
    pubAudioPrivilegeExpire?: number
    pubVideoPrivilegeExpire?: number
    pubDataStreamPrivilegeExpire?: number
}

interface RtcTokenRequestCommon {
    /** 32 hexadecimal characters, present in the server's keyring. */
    appId: string
    /** 1 to 64 bytes from the 89 allowed characters. */
    channelName: string
    /** Default ROLE_UNSPECIFIED = publisher. */
    role?: Role
    /** Absolute unix seconds when the role's privileges expire; 0 = as long as the token. */
    privilegeExpiredTs?: number
    /** Default: the server's configured format. */
    tokenVersion?: TokenVersion
    /** 007 only: token lifetime in seconds; 0 or above 86400 means 86400. */
    tokenExpireSeconds?: number
    /** 007 only: replaces role and privilegeExpiredTs. */
    privilegeExpires?: RtcPrivilegeExpires
    /** 007 only: also grant RTM login to the same user. */
    withRtm?: boolean
    /** 007 only: also grant RTM login to this user id (1 to 64 bytes), as buildTokenWithRtm2; not with withRtm. */
    rtmUserId?: string
    /** 007 only, with rtmUserId: the RTM login's lifetime in seconds after issue; 0 = as long as the token. */
    rtmTokenExpireSeconds?: number
}

export interface BuildRtcTokenWithUidRequest extends RtcTokenRequestCommon {
    /** Any 32-bit unsigned value; 0 admits every uid. */
    uid?: number
}

export interface BuildRtcTokenWithAccountRequest extends RtcTokenRequestCommon {
    /** 1 to 255 bytes from the 89 allowed characters. */
    account: string
}

export interface BuildRtmTokenRequest {
    appId: string
    userId: string
    tokenVersion?: TokenVersion
    /** 006 only: absolute unix seconds when login expires. */
    privilegeExpiredTs?: number
    /** 007 only: token lifetime in seconds. */
    tokenExpireSeconds?: number
    /** 007 only: resource permissions; the token is then RTM2 (buildTokenWithPermissions). */
    rtm2Resources?: Rtm2Resource[]
}

/** buildRtmTokenWithPermissions: always 007, with permissions. */
export interface BuildRtmTokenWithPermissionsRequest {
    appId: string
    /** 1 to 64 bytes from the 89 allowed characters. */
    userId: string
    rtm2Resources: Rtm2Resource[]
    tokenExpireSeconds?: number
}

/** buildTokenWithRtm2: always 007; exactly one of uid and account. */
export type BuildTokenWithRtm2Request = Omit<RtcTokenRequestCommon, 'tokenVersion' | 'withRtm'> & {
    /** 1 to 64 bytes from the 89 allowed characters. */
    rtmUserId: string
} & ({ uid: number, account?: never } | { account: string, uid?: never })

export interface BuildChatTokenRequest {
    appId: string
    /** Required: 'user' (needs userId) or 'app' (userId empty). */
    kind: ChatTokenKind
    userId?: string
    tokenExpireSeconds?: number
}

/** One privilege of a BuildAccessToken service. */
export interface PrivilegeGrant {
    /** The privilege id of the service's type. */
    privilege: number
    /** Seconds after issue; 0 = as long as the token. */
    expireSeconds?: number
}

/** One service of a BuildAccessToken token; each type takes only its own fields (see the proto). */
export interface ServiceGrant {
    type: ServiceType
    privileges?: PrivilegeGrant[]
    /** RTC, Streaming, FCDN. */
    channelName?: string
    /** RTC, Streaming, FCDN: a decimal uid or an account; empty = any user. */
    account?: string
    /** RTM, RTM2, Chat. */
    userId?: string
    /** APaaS. */
    roomUuid?: string
    userUuid?: string
    /** APaaS: -1 to 32767; unset = -1. */
    role?: number
    /** RTM2. */
    rtm2Resources?: Rtm2Resource[]
}

export interface BuildAccessTokenRequest {
    appId: string
    /** 0 or above 86400 means 86400. */
    tokenExpireSeconds?: number
    /** 1 to 16, encoded in ascending type. */
    services: ServiceGrant[]
}

export interface BuildFpaTokenRequest {
    appId: string
}

export interface BuildApaasTokenRequest {
    appId: string
    /** Required: no default, so a caller never gets the app token by accident. */
    kind: ApaasTokenKind
    /** APAAS_TOKEN_KIND_ROOM_USER only. */
    roomUuid?: string
    /** APAAS_TOKEN_KIND_ROOM_USER and _USER. */
    userUuid?: string
    /** APAAS_TOKEN_KIND_ROOM_USER only: -1 to 32767. */
    role?: number
    /** 0 or above 86400 means 86400. */
    expireSeconds?: number
}

/** The same request without kind: the method names it. */
export type BuildRoomUserTokenRequest = Omit<BuildApaasTokenRequest, 'kind'> & { roomUuid: string, userUuid: string, role: number }
export type BuildUserTokenRequest = Pick<BuildApaasTokenRequest, 'appId' | 'expireSeconds'> & { userUuid: string }
export type BuildAppTokenRequest = Pick<BuildApaasTokenRequest, 'appId' | 'expireSeconds'>

/** BuildConvoAiToken and BuildSttToken: always 007; exactly one of uid and account. */
export type BuildConvoAiTokenRequest = {
    appId: string
    /** 1 to 64 bytes from the 89 allowed characters, or '*' with a named user. */
    channelName: string
    /** Default publisher; a subscriber gets join channel only. */
    role?: Role
    tokenExpireSeconds?: number
    privilegeExpires?: RtcPrivilegeExpires
    /** 1 to 64 bytes from the 89 allowed characters. */
    rtmUserId: string
    /** Seconds after issue; 0 = as long as the token. */
    rtmTokenExpireSeconds?: number
} & ({ uid: number, account?: never } | { account: string, uid?: never })
export type BuildSttTokenRequest = BuildConvoAiTokenRequest

/** Exactly one of the single-token requests. */
export type BuildTokensRequestItem =
    | { rtcWithUid: BuildRtcTokenWithUidRequest }
    | { rtcWithAccount: BuildRtcTokenWithAccountRequest }
    | { rtm: BuildRtmTokenRequest }
    | { chat: BuildChatTokenRequest }
    | { accessToken: BuildAccessTokenRequest }
    | { fpa: BuildFpaTokenRequest }
    | { apaas: BuildApaasTokenRequest }
    | { convoAi: BuildConvoAiTokenRequest }
    | { stt: BuildSttTokenRequest }

export interface BuildTokensRequest {
    /** 1 to 1000 items. */
    items: BuildTokensRequestItem[]
}

export interface DecodeTokenRequest {
    token: string
    /** 006 only, with a subject: the channel the token was built for. */
    channelName?: string
    /** 006 only: at most one of uid, account, rtmUserId. */
    uid?: number
    account?: string
    rtmUserId?: string
}

export interface PrivilegeExpiry {
    service: ServiceTypeName
    privilege: number
    /** Absolute unix seconds. */
    expireTs: number
}

/** Every build response (BuildRtcTokenWithUidResponse, ..., BuildSttTokenResponse) and a BuildTokens item's token. */
export interface IssuedToken {
    /** A credential: hand it only to the user it was built for. */
    token: string
    tokenVersion: TokenVersionName
    issueTs: number
    salt: number
    expireTs: number
    privilegeExpiries: PrivilegeExpiry[]
}
export type BuildRtcTokenWithUidResponse = IssuedToken
export type BuildRtcTokenWithAccountResponse = IssuedToken
export type BuildRtmTokenResponse = IssuedToken
export type BuildChatTokenResponse = IssuedToken
export type BuildAccessTokenResponse = IssuedToken
export type BuildFpaTokenResponse = IssuedToken
export type BuildApaasTokenResponse = IssuedToken
export type BuildConvoAiTokenResponse = IssuedToken
export type BuildSttTokenResponse = IssuedToken

/** A google.rpc.Status as decoded by the client (details still packed). */
export interface RpcStatus {
    code: number
    message: string
    details: Array<{ type_url: string, value: Uint8Array }>
}

export interface BuildTokensResult {
    outcome: 'token' | 'error'
    token?: IssuedToken | null
    /** Turn it into a TokenServiceError with TokenServiceError.fromStatus. */
    error?: RpcStatus | null
}

export interface BuildTokensResponse {
    /** One per request item, in order. */
    results: BuildTokensResult[]
}

export interface DecodedPrivilege {
    privilege: number
    value: number
    expireTs: number
}

/** RTM2 permissions on one resource type (0 message channels ... 4 users); permission types 0 read, 1 write. */
export interface Rtm2Resource {
    resourceType: number
    permissions: Array<{ permissionType: number, names: string[] }>
}

export interface DecodedService {
    type: ServiceTypeName
    privileges: DecodedPrivilege[]
    channelName: string
    account: string
    userId: string
    roomUuid: string
    userUuid: string
    role: number
    rtm2Resources: Rtm2Resource[]
}

export interface DecodeTokenResponse {
    tokenVersion: TokenVersionName
    appId: string
    salt: number
    issueTs: number
    expireTs: number
    details: 'token006' | 'token007'
    token006?: { ts: number, crcChannelName: number, crcUid: number, privileges: DecodedPrivilege[] } | null
    token007?: { expireSeconds: number, services: DecodedService[] } | null
    unknownServiceType: number
    signature: SignatureStateName
    expiry: ExpiryStateName
    expiredPrivileges: PrivilegeExpiry[]
}

export interface FieldViolation {
    /** Path of the bad field in the request, e.g. "channel_name". */
    field: string
    description: string
}

/** How a failed call rejects. */
export class TokenServiceError extends Error {
    constructor(code: number, message: string, extra?: { fieldViolations?: FieldViolation[], retryDelayMs?: number | null, metadata?: Metadata | null })
    name: 'TokenServiceError'
    /** The gRPC status code (see `status`). */
    code: number
    /** Its name, e.g. 'INVALID_ARGUMENT'. */
    codeName: string
    /** From google.rpc.BadRequest; empty if none. */
    fieldViolations: FieldViolation[]
    /** From google.rpc.RetryInfo; null if none. */
    retryDelayMs: number | null
    /** The trailing metadata, if the error came from a call. */
    metadata: Metadata | null
    static fromStatus(status: RpcStatus): TokenServiceError
    static fromGrpcError(error: Error): TokenServiceError
}

export interface TlsFiles {
    /** PEM CA bundle; system roots if null. */
    rootCerts?: Buffer | null
    /** Client key and certificate chain, for mutual TLS. */
    privateKey?: Buffer | null
    certChain?: Buffer | null
}

export interface ClientOptions {
    /** The proto/ directory (default: the repository's, ../../proto from this package). */
    proto?: string
    /** Default deadline of each call in milliseconds (default DEFAULT_TIMEOUT_MS, 5000). */
    timeoutMs?: number
    /** Default 'insecure' (a server on the same host only). */
    credentials?: 'insecure' | 'ssl' | TlsFiles | ChannelCredentials
    /** Sent as "authorization: Bearer <apiKey>" with every call; use TLS off-host. */
    apiKey?: string
    /** Extra grpc-js channel options; they override the client's own. */
    channelOptions?: Record<string, unknown>
}

export interface CallOptions {
    /** This call's timeout in milliseconds, instead of the client's. */
    timeoutMs?: number
    /** An absolute deadline; wins over timeoutMs. */
    deadline?: Date
    /** Extra metadata to send. */
    metadata?: Metadata
}

/**
 * Calls one token server. Methods reject with TokenServiceError for a failed
 * call, and with TypeError for a request with an unknown field or enum value.
 */
export class TokenServiceClient {
    constructor(target: string, options?: ClientOptions)
    close(): void
    buildRtcTokenWithUid(request: BuildRtcTokenWithUidRequest, options?: CallOptions): Promise<BuildRtcTokenWithUidResponse>
    buildRtcTokenWithAccount(request: BuildRtcTokenWithAccountRequest, options?: CallOptions): Promise<BuildRtcTokenWithAccountResponse>
    buildRtmToken(request: BuildRtmTokenRequest, options?: CallOptions): Promise<BuildRtmTokenResponse>
    buildChatToken(request: BuildChatTokenRequest, options?: CallOptions): Promise<BuildChatTokenResponse>
    /** RtcTokenBuilder2.buildTokenWithRtm2, through BuildRtcTokenWithUid or BuildRtcTokenWithAccount. */
    buildTokenWithRtm2(request: BuildTokenWithRtm2Request, options?: CallOptions): Promise<BuildRtcTokenWithUidResponse>
    /** RtmTokenBuilder2.buildTokenWithPermissions, through BuildRtmToken. */
    buildRtmTokenWithPermissions(request: BuildRtmTokenWithPermissionsRequest, options?: CallOptions): Promise<BuildRtmTokenResponse>
    /** The general AccessToken2 builder: any services. */
    buildAccessToken(request: BuildAccessTokenRequest, options?: CallOptions): Promise<BuildAccessTokenResponse>
    /** FpaTokenBuilder.buildToken. */
    buildFpaToken(request: BuildFpaTokenRequest, options?: CallOptions): Promise<BuildFpaTokenResponse>
    buildApaasToken(request: BuildApaasTokenRequest, options?: CallOptions): Promise<BuildApaasTokenResponse>
    /** ApaasTokenBuilder.buildRoomUserToken: BuildApaasToken with APAAS_TOKEN_KIND_ROOM_USER. */
    buildRoomUserToken(request: BuildRoomUserTokenRequest, options?: CallOptions): Promise<BuildApaasTokenResponse>
    /** ApaasTokenBuilder.buildUserToken: BuildApaasToken with APAAS_TOKEN_KIND_USER. */
    buildUserToken(request: BuildUserTokenRequest, options?: CallOptions): Promise<BuildApaasTokenResponse>
    /** ApaasTokenBuilder.buildAppToken: BuildApaasToken with APAAS_TOKEN_KIND_APP. */
    buildAppToken(request: BuildAppTokenRequest, options?: CallOptions): Promise<BuildApaasTokenResponse>
    /** ConvoAITokenBuilder.buildToken. */
    buildConvoAiToken(request: BuildConvoAiTokenRequest, options?: CallOptions): Promise<BuildConvoAiTokenResponse>
    /** SttTokenBuilder.buildToken. */
    buildSttToken(request: BuildSttTokenRequest, options?: CallOptions): Promise<BuildSttTokenResponse>
    buildTokens(request: BuildTokensRequest, options?: CallOptions): Promise<BuildTokensResponse>
    decodeToken(request: DecodeTokenRequest, options?: CallOptions): Promise<DecodeTokenResponse>
}
