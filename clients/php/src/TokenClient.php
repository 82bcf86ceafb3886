<?php

declare(strict_types=1);

namespace Agora\TokenService;

/**
 * Calls agora.token.v1.TokenService over HTTP with the Connect protocol and
 * JSON (Debian ships no PHP gRPC extension): each call is one
 * `POST {base}/agora.token.v1.TokenService/{Method}` whose body is the
 * request in proto3 JSON. The methods are named as Agora's PHP builders
 * (RtcTokenBuilder2::buildTokenWithUid, ChatTokenBuilder2::buildUserToken,
 * ...) less the App Certificate, which stays on the token server; they
 * return an IssuedToken, which casts to the token string.
 *
 * Every call has a deadline (default: the "timeout" of the service config
 * all clients share, clients/service_config.json, 5 s), sent as
 * Connect-Timeout-Ms and enforced by curl, retries included. Calls failing
 * with `unavailable` (HTTP 503) or `canceled`, or that cannot reach the
 * server, are retried as that file's retryPolicy says: 4 attempts in all,
 * with a random wait below 0.1 s, then 0.2 s, 0.4 s, at most 1 s. Repeating a
 * call is harmless: it only mints or reads a token.
 *
 * Failures throw TokenServiceException; bad arguments to this class
 * (unknown options, a non-UTF-8 string) throw \InvalidArgumentException
 * before anything is sent. One client reuses its connection; it is not for
 * sharing between processes after a fork.
 */
final class TokenClient
{
    public const SERVICE = 'agora.token.v1.TokenService';

    /** What clients/service_config.json holds, for a copy of this package that lacks the file. */
    private const BUILT_IN_SERVICE_CONFIG = [
        'methodConfig' => [[
            'name' => [['service' => self::SERVICE]],
            'timeout' => '5s',
            'retryPolicy' => [
                'maxAttempts' => 4,
                'initialBackoff' => '0.1s',
                'maxBackoff' => '1s',
                'backoffMultiplier' => 2,
                'retryableStatusCodes' => ['UNAVAILABLE', 'CANCELLED'],
            ],
        ]],
    ];

    /** curl errors that mean the request may not have reached the server: retried as `unavailable`. */
    private const RETRYABLE_CURL_ERRORS = [
        7,  // CURLE_COULDNT_CONNECT
        35, // CURLE_SSL_CONNECT_ERROR (a reset during the handshake)
        52, // CURLE_GOT_NOTHING
        55, // CURLE_SEND_ERROR
        56, // CURLE_RECV_ERROR
    ];

    private const OPTIONS = ['apiKey', 'timeout', 'caFile', 'certFile', 'keyFile', 'keyPassword', 'userAgent'];

    /** Enum fields of every request, and the prefix of their value names. */
    private const ENUM_PREFIXES = [
        'role' => 'ROLE_',
        'tokenVersion' => 'TOKEN_VERSION_',
        'type' => 'SERVICE_TYPE_',
    ];

    /** @var array<string, mixed>|null */
    private static ?array $serviceConfig = null;

    private readonly string $baseUrl;
    private float $timeout;
    /** @var array<string, mixed> */
    private readonly array $options;
    private ?\CurlHandle $curl = null;

    /**
     * @param string               $baseUrl where the server's HTTP API listens, such as
     *                                      "https://tokens.internal:8443" or, on the same host,
     *                                      "http://127.0.0.1:8080"
     * @param array<string, mixed> $options apiKey: sent as "Authorization: Bearer <key>" (use
     *                                      https off-host); timeout: seconds per call, retries
     *                                      included (default defaultTimeout()); caFile: PEM CA
     *                                      bundle the server's certificate must chain to (default:
     *                                      the system's); certFile, keyFile (and keyPassword):
     *                                      PEM client certificate and key, for mutual TLS;
     *                                      userAgent
     */
    public function __construct(string $baseUrl, array $options = [])
    {
        if (!extension_loaded('curl')) {
            throw new \LogicException('Agora\TokenService\TokenClient needs the curl extension (Debian: php-curl)');
        }
        $scheme = strtolower((string) parse_url($baseUrl, PHP_URL_SCHEME));
        if (!in_array($scheme, ['http', 'https'], true) || parse_url($baseUrl, PHP_URL_HOST) === null) {
            throw new \InvalidArgumentException("baseUrl must be an http:// or https:// URL, got \"$baseUrl\"");
        }
        $unknown = array_diff(array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw new \InvalidArgumentException('unknown option(s) ' . implode(', ', $unknown)
                . '; known: ' . implode(', ', self::OPTIONS));
        }
        if (isset($options['certFile']) !== isset($options['keyFile'])) {
            throw new \InvalidArgumentException('certFile and keyFile go together (mutual TLS)');
        }
        foreach (['caFile', 'certFile', 'keyFile'] as $file) {
            if (isset($options[$file]) && !is_readable($options[$file])) {
                throw new \InvalidArgumentException("$file {$options[$file]} is not a readable file");
            }
        }
        $this->baseUrl = rtrim($baseUrl, '/');
        $this->timeout = self::positiveSeconds($options['timeout'] ?? self::defaultTimeout());
        $this->options = $options;
    }

    /** A client like this one whose calls have a different deadline, in seconds. */
    public function withTimeout(float $seconds): self
    {
        $copy = clone $this;
        $copy->timeout = self::positiveSeconds($seconds);
        $copy->curl = null; // its own connection
        return $copy;
    }

    public function timeout(): float
    {
        return $this->timeout;
    }

    // --- RTC (RtcTokenBuilder / RtcTokenBuilder2) ------------------------------------

    /**
     * An RTC token for an int uid: the product document's buildTokenWithUid.
     * $privilegeExpiredTs is absolute unix seconds, 0 = as long as the token
     * (24 hours unless tokenExpireSeconds says less). $options are further
     * BuildRtcTokenWithUidRequest fields, such as ['tokenVersion' => '006']
     * or ['tokenExpireSeconds' => 3600]; the format is otherwise the server's
     * default (007 unless configured).
     *
     * @param int|string           $role    Role::PUBLISHER (1), Role::SUBSCRIBER (2), 'publisher', ...
     * @param array<string, mixed> $options
     */
    public function buildTokenWithUid(
        string $appId,
        string $channelName,
        int $uid,
        int|string $role = Role::PUBLISHER,
        int $privilegeExpiredTs = 0,
        array $options = [],
    ): IssuedToken {
        return $this->issue('BuildRtcTokenWithUid', array_merge([
            'appId' => $appId, 'channelName' => $channelName, 'uid' => $uid,
            'role' => $role, 'privilegeExpiredTs' => $privilegeExpiredTs,
        ], $options));
    }

    /**
     * An RTC token for a string user account: the product document's
     * buildTokenWithUserAccount. As buildTokenWithUid otherwise.
     *
     * @param array<string, mixed> $options
     */
    public function buildTokenWithUserAccount(
        string $appId,
        string $channelName,
        string $account,
        int|string $role = Role::PUBLISHER,
        int $privilegeExpiredTs = 0,
        array $options = [],
    ): IssuedToken {
        return $this->issue('BuildRtcTokenWithAccount', array_merge([
            'appId' => $appId, 'channelName' => $channelName, 'account' => $account,
            'role' => $role, 'privilegeExpiredTs' => $privilegeExpiredTs,
        ], $options));
    }

    /**
     * A 007 RTC token that also logs the same user in to RTM, for as long as
     * the token (RtcTokenBuilder2::buildTokenWithRtm). $user: an int uid
     * (not 0) or a string account, which is also the RTM user id.
     *
     * @param array<string, mixed> $options
     */
    public function buildTokenWithRtm(
        string $appId,
        string $channelName,
        int|string $user,
        int|string $role = Role::PUBLISHER,
        int $privilegeExpiredTs = 0,
        array $options = [],
    ): IssuedToken {
        $fields = ['appId' => $appId, 'channelName' => $channelName, 'role' => $role,
            'privilegeExpiredTs' => $privilegeExpiredTs, 'withRtm' => true, 'tokenVersion' => '007'];
        return $this->issueRtc($user, array_merge($fields, $options));
    }

    /**
     * A 007 RTC token with per-privilege lifetimes plus RTM login for another
     * user id (RtcTokenBuilder2::buildTokenWithRtm2). Every span is seconds
     * after issue, 0 = as long as the token. A subscriber gets join channel
     * only; the server takes its join lifetime from the token's, so give it
     * 0 (or call buildAccessToken for a shorter one).
     */
    public function buildTokenWithRtm2(
        string $appId,
        string $channelName,
        int|string $user,
        int|string $role,
        int $tokenExpire,
        int $joinChannelPrivilegeExpire,
        int $pubAudioPrivilegeExpire,
        int $pubVideoPrivilegeExpire,
        int $pubDataStreamPrivilegeExpire,
        string $rtmUserId,
        int $rtmTokenExpire,
    ): IssuedToken {
        $fields = ['appId' => $appId, 'channelName' => $channelName, 'tokenVersion' => '007',
            'tokenExpireSeconds' => $tokenExpire, 'rtmUserId' => $rtmUserId,
            'rtmTokenExpireSeconds' => $rtmTokenExpire];
        if (self::roleNumber($role) === Role::SUBSCRIBER) {
            if ($joinChannelPrivilegeExpire !== 0 && $joinChannelPrivilegeExpire !== $tokenExpire) {
                throw new \InvalidArgumentException('a subscriber\'s joinChannelPrivilegeExpire must be 0 or '
                    . '$tokenExpire here; build other lifetimes with buildAccessToken');
            }
            $fields['role'] = Role::SUBSCRIBER;
        } else {
            // The per-privilege form grants all four privileges; role must stay unset.
            $fields['privilegeExpires'] = self::privilegeExpires($joinChannelPrivilegeExpire,
                $pubAudioPrivilegeExpire, $pubVideoPrivilegeExpire, $pubDataStreamPrivilegeExpire);
        }
        return $this->issueRtc($user, $fields);
    }

    // --- RTM, Chat, FPA, Flexible Classroom ---------------------------------------------

    /**
     * An RTM login token (RtmTokenBuilder2::buildToken): $tokenExpire seconds
     * after issue, 0 = 24 hours. $options: tokenVersion ('006' takes
     * privilegeExpiredTs instead), rtm2Resources (RTM 2.x permissions,
     * RtmTokenBuilder2::buildTokenWithPermissions).
     *
     * @param array<string, mixed> $options
     */
    public function buildRtmToken(string $appId, string $userId, int $tokenExpire = 0, array $options = []): IssuedToken
    {
        return $this->issue('BuildRtmToken', array_merge(
            ['appId' => $appId, 'userId' => $userId, 'tokenExpireSeconds' => $tokenExpire],
            $options,
        ));
    }

    /** A Chat user token (ChatTokenBuilder2::buildUserToken); $expire seconds, 0 = 24 hours. */
    public function buildChatUserToken(string $appId, string $userId, int $expire = 0): IssuedToken
    {
        return $this->issue('BuildChatToken', ['appId' => $appId, 'kind' => 'CHAT_TOKEN_KIND_USER',
            'userId' => $userId, 'tokenExpireSeconds' => $expire]);
    }

    /** A Chat app token for the app's own servers (ChatTokenBuilder2::buildAppToken). */
    public function buildChatAppToken(string $appId, int $expire = 0): IssuedToken
    {
        return $this->issue('BuildChatToken', ['appId' => $appId, 'kind' => 'CHAT_TOKEN_KIND_APP',
            'tokenExpireSeconds' => $expire]);
    }

    /** An FPA login token for 24 hours (FpaTokenBuilder::buildToken). */
    public function buildFpaToken(string $appId): IssuedToken
    {
        return $this->issue('BuildFpaToken', ['appId' => $appId]);
    }

    /**
     * A Flexible Classroom room-user token (ApaasTokenBuilder::buildRoomUserToken):
     * the room user, RTM login for $userUuid and a Chat user token. $role as
     * the app defines it (Flexible Classroom: 1 teacher, 2 student, 3
     * assistant); $expire seconds, 0 = 24 hours.
     */
    public function buildRoomUserToken(string $appId, string $roomUuid, string $userUuid, int $role, int $expire = 0): IssuedToken
    {
        return $this->issue('BuildApaasToken', ['appId' => $appId, 'kind' => 'APAAS_TOKEN_KIND_ROOM_USER',
            'roomUuid' => $roomUuid, 'userUuid' => $userUuid, 'role' => $role, 'expireSeconds' => $expire]);
    }

    /** A Flexible Classroom user token (ApaasTokenBuilder::buildUserToken). */
    public function buildApaasUserToken(string $appId, string $userUuid, int $expire = 0): IssuedToken
    {
        return $this->issue('BuildApaasToken', ['appId' => $appId, 'kind' => 'APAAS_TOKEN_KIND_USER',
            'userUuid' => $userUuid, 'expireSeconds' => $expire]);
    }

    /** A Flexible Classroom app token for the app's own servers (ApaasTokenBuilder::buildAppToken). */
    public function buildApaasAppToken(string $appId, int $expire = 0): IssuedToken
    {
        return $this->issue('BuildApaasToken', ['appId' => $appId, 'kind' => 'APAAS_TOKEN_KIND_APP',
            'expireSeconds' => $expire]);
    }

    // --- Conversational AI, speech-to-text, any services --------------------------------

    /**
     * A Conversational AI agent token: RTC, RTM login for $rtmUserId and the
     * ConvoAI service (ConvoAITokenBuilder::buildToken's parameters). Spans
     * are seconds after issue, 0 = as long as the token.
     */
    public function buildConvoAiToken(
        string $appId,
        string $channelName,
        int|string $user,
        int|string $role,
        int $tokenExpire,
        int $joinChannelPrivilegeExpire,
        int $pubAudioPrivilegeExpire,
        int $pubVideoPrivilegeExpire,
        int $pubDataStreamPrivilegeExpire,
        string $rtmUserId,
        int $rtmTokenExpire,
    ): IssuedToken {
        return $this->issue('BuildConvoAiToken', self::agentRequest(...func_get_args()));
    }

    /** A real-time speech-to-text token (SttTokenBuilder::buildToken); as buildConvoAiToken. */
    public function buildSttToken(
        string $appId,
        string $channelName,
        int|string $user,
        int|string $role,
        int $tokenExpire,
        int $joinChannelPrivilegeExpire,
        int $pubAudioPrivilegeExpire,
        int $pubVideoPrivilegeExpire,
        int $pubDataStreamPrivilegeExpire,
        string $rtmUserId,
        int $rtmTokenExpire,
    ): IssuedToken {
        return $this->issue('BuildSttToken', self::agentRequest(...func_get_args()));
    }

    /**
     * A 007 token of any services (BuildAccessTokenRequest: appId,
     * tokenExpireSeconds, services: [['type' => 'rtc', 'channelName' => ...,
     * 'privileges' => [['privilege' => 1]]], ...]): the AccessToken2 layer
     * under every builder, and the only way to Streaming and FCDN tokens.
     *
     * @param array<string, mixed> $request
     */
    public function buildAccessToken(array $request): IssuedToken
    {
        return $this->issue('BuildAccessToken', $request);
    }

    // --- Batches and decoding ------------------------------------------------------------

    /**
     * Up to 1000 tokens in one call. Each item names one request, as
     * BuildTokensRequestItem does: ['rtcWithUid' => [...]], ['rtcWithAccount'
     * => [...]], 'rtm', 'chat', 'accessToken', 'fpa', 'apaas', 'convoAi' or
     * 'stt'. Returns one result per item, in order: the IssuedToken, or the
     * TokenServiceException that item failed with (returned, not thrown).
     *
     * @param list<array<string, array<string, mixed>>> $items
     * @return list<IssuedToken|TokenServiceException>
     */
    public function buildTokens(array $items): array
    {
        $response = $this->invoke('BuildTokens', ['items' => array_values($items)]);
        $results = [];
        foreach ((array) ($response['results'] ?? []) as $result) {
            $results[] = isset($result['error'])
                ? TokenServiceException::fromStatus((array) $result['error'])
                : IssuedToken::fromJson((array) ($result['token'] ?? []));
        }
        return $results;
    }

    /**
     * Decodes a token and checks its signature and expiry on the server. A
     * 006 token's signature is only checked with its subject: ['channelName'
     * => ..., 'uid' => ...] or 'account', or ['rtmUserId' => ...] for RTM.
     *
     * @param array<string, mixed> $subject
     */
    public function decodeToken(string $token, array $subject = []): DecodedToken
    {
        return DecodedToken::fromJson($this->invoke('DecodeToken', array_merge($subject, ['token' => $token])));
    }

    /**
     * Calls any TokenService method with a request in proto3 JSON form
     * (lowerCamelCase or snake_case keys; enums as names, short names such
     * as 'publisher' or '007', or numbers) and returns the response's proto3
     * JSON, in which fields at their default value are left out.
     *
     * @param array<string, mixed> $request
     * @return array<string, mixed>
     */
    public function invoke(string $method, array $request): array
    {
        if (preg_match('/^[A-Z][A-Za-z0-9]*$/', $method) !== 1) {
            throw new \InvalidArgumentException("\"$method\" is not a method name such as BuildRtcTokenWithUid");
        }
        $kindPrefix = ['BuildChatToken' => 'CHAT_TOKEN_KIND_', 'BuildApaasToken' => 'APAAS_TOKEN_KIND_'][$method] ?? null;
        $normalized = self::normalize($request, $kindPrefix);
        try {
            $body = json_encode($normalized === [] ? new \stdClass() : $normalized,
                JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        } catch (\JsonException $e) {
            throw new \InvalidArgumentException("the $method request cannot be JSON: " . $e->getMessage(), 0, $e);
        }

        $policy = self::retryPolicy();
        $deadline = microtime(true) + $this->timeout;
        for ($attempt = 1; ; ++$attempt) {
            try {
                return $this->post($method, $body, $deadline);
            } catch (TokenServiceException $e) {
                if ($attempt >= $policy['maxAttempts'] || !self::isRetryable($e, $policy['codes'])) {
                    throw $e;
                }
                // gRPC's backoff: a uniformly random wait below the current cap.
                $cap = min($policy['initialBackoff'] * $policy['multiplier'] ** ($attempt - 1), $policy['maxBackoff']);
                $wait = $cap * mt_rand() / mt_getrandmax();
                if (microtime(true) + $wait >= $deadline) {
                    throw $e;
                }
                usleep((int) ($wait * 1e6));
            }
        }
    }

    // --- The shared service config -------------------------------------------------------

    /** The service config file in use: a copy packed beside src/, else the repository's; null: built in. */
    public static function serviceConfigPath(): ?string
    {
        foreach ([dirname(__DIR__) . '/service_config.json', dirname(__DIR__, 2) . '/service_config.json'] as $path) {
            if (is_file($path)) {
                return $path;
            }
        }
        return null;
    }

    /** @return array<string, mixed> the shared service config (clients/service_config.json) */
    public static function serviceConfig(): array
    {
        if (self::$serviceConfig === null) {
            $path = self::serviceConfigPath();
            self::$serviceConfig = $path === null ? self::BUILT_IN_SERVICE_CONFIG
                : json_decode((string) file_get_contents($path), true, 64, JSON_THROW_ON_ERROR);
        }
        return self::$serviceConfig;
    }

    /** The default deadline of a call in seconds, retries included: the shared "timeout" (5 s). */
    public static function defaultTimeout(): float
    {
        return self::duration(self::serviceConfig()['methodConfig'][0]['timeout']);
    }

    /**
     * The shared retryPolicy: maxAttempts, initialBackoff, maxBackoff (seconds),
     * multiplier, and codes (Connect code names, such as "unavailable").
     *
     * @return array{maxAttempts: int, initialBackoff: float, maxBackoff: float, multiplier: float, codes: list<string>}
     */
    public static function retryPolicy(): array
    {
        $policy = self::serviceConfig()['methodConfig'][0]['retryPolicy'];
        // The Connect names of gRPC's codes are lower case, and "CANCELLED" is spelt "canceled".
        $codes = array_map(static fn (string $code): string => $code === 'CANCELLED' ? 'canceled' : strtolower($code),
            $policy['retryableStatusCodes']);
        return [
            'maxAttempts' => (int) $policy['maxAttempts'],
            'initialBackoff' => self::duration($policy['initialBackoff']),
            'maxBackoff' => self::duration($policy['maxBackoff']),
            'multiplier' => (float) $policy['backoffMultiplier'],
            'codes' => $codes,
        ];
    }

    // --- Internals ------------------------------------------------------------------------

    /** @param array<string, mixed> $fields */
    private function issue(string $method, array $fields): IssuedToken
    {
        return IssuedToken::fromJson($this->invoke($method, $fields));
    }

    /**
     * BuildRtcTokenWithUid for an int, BuildRtcTokenWithAccount for a string.
     *
     * @param array<string, mixed> $fields
     */
    private function issueRtc(int|string $user, array $fields): IssuedToken
    {
        return is_int($user)
            ? $this->issue('BuildRtcTokenWithUid', ['uid' => $user] + $fields)
            : $this->issue('BuildRtcTokenWithAccount', ['account' => $user] + $fields);
    }

    /** One attempt; returns the response's JSON or throws. */
    private function post(string $method, string $body, float $deadline): array
    {
        $leftMs = (int) ceil(($deadline - microtime(true)) * 1000);
        if ($leftMs <= 0) {
            throw new TokenServiceException('deadline_exceeded', "$method: the deadline passed before the call");
        }
        $headers = [
            'Content-Type: application/json',
            'Connect-Protocol-Version: 1',
            "Connect-Timeout-Ms: $leftMs",
            'Expect:', // no 100-continue round trip for larger bodies
        ];
        if (isset($this->options['apiKey'])) {
            $headers[] = 'Authorization: Bearer ' . $this->options['apiKey'];
        }
        $retryAfter = null;
        $curl = $this->curl ??= curl_init();
        curl_reset($curl);
        $settings = [
            CURLOPT_URL => $this->baseUrl . '/' . self::SERVICE . '/' . $method,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTP_VERSION => CURL_HTTP_VERSION_1_1,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT_MS => $leftMs,
            CURLOPT_CONNECTTIMEOUT_MS => $leftMs,
            CURLOPT_NOSIGNAL => true, // timeouts below a second without SIGALRM
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_USERAGENT => $this->options['userAgent'] ?? 'agora-token-service-php/0.1 curl/' . curl_version()['version'],
            CURLOPT_HEADERFUNCTION => static function ($handle, string $line) use (&$retryAfter): int {
                if (stripos($line, 'retry-after:') === 0) {
                    $retryAfter = trim(substr($line, strlen('retry-after:')));
                }
                return strlen($line);
            },
        ];
        if (isset($this->options['caFile'])) {
            $settings[CURLOPT_CAINFO] = $this->options['caFile'];
        }
        if (isset($this->options['certFile'])) {
            $settings[CURLOPT_SSLCERT] = $this->options['certFile'];
            $settings[CURLOPT_SSLKEY] = $this->options['keyFile'];
            if (isset($this->options['keyPassword'])) {
                $settings[CURLOPT_KEYPASSWD] = $this->options['keyPassword'];
            }
        }
        curl_setopt_array($curl, $settings);
        $response = curl_exec($curl);
        $errno = curl_errno($curl);
        if ($response === false || $errno !== 0) {
            $code = $errno === CURLE_OPERATION_TIMEDOUT ? 'deadline_exceeded' : 'unavailable';
            throw new TokenServiceException($code, "$method: " . curl_error($curl) . " (curl error $errno)",
                curlError: $errno);
        }
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        if ($status !== 200) {
            throw TokenServiceException::fromHttpResponse($status, (string) $response, $retryAfter);
        }
        try {
            $json = json_decode((string) $response, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        } catch (\JsonException) {
            $json = null;
        }
        if (!is_array($json)) {
            throw new TokenServiceException('internal', "$method: the response is not a JSON object", httpStatus: 200);
        }
        return $json;
    }

    /** @param list<string> $codes */
    private static function isRetryable(TokenServiceException $e, array $codes): bool
    {
        if ($e->curlError !== null) {
            return in_array($e->curlError, self::RETRYABLE_CURL_ERRORS, true);
        }
        return in_array($e->connectCode, $codes, true);
    }

    /**
     * The request as the server's JSON parser wants it: keys in lowerCamelCase,
     * enum short names made full, nulls and empty arrays left out (an empty
     * message must be written `new \stdClass()`).
     *
     * @param array<mixed> $fields
     * @return array<mixed>
     */
    private static function normalize(array $fields, ?string $kindPrefix): array
    {
        $out = [];
        foreach ($fields as $key => $value) {
            if ($value === null) {
                continue;
            }
            $name = is_string($key) ? lcfirst(str_replace('_', '', ucwords($key, '_'))) : $key;
            if (is_array($value)) {
                // A BuildTokens item's key says which request, and so which "kind" enum.
                $inner = match ($name) {
                    'chat' => 'CHAT_TOKEN_KIND_',
                    'apaas' => 'APAAS_TOKEN_KIND_',
                    default => $kindPrefix,
                };
                $value = array_is_list($value)
                    ? array_map(static fn ($item) => is_array($item) ? self::normalize($item, $inner) : $item, $value)
                    : self::normalize($value, $inner);
                if ($value === []) {
                    continue;
                }
            } elseif (is_string($value) && is_string($name)) {
                $prefix = $name === 'kind' ? $kindPrefix : (self::ENUM_PREFIXES[$name] ?? null);
                if ($prefix !== null) {
                    $value = self::enumName($value, $prefix);
                }
            }
            $out[$name] = $value;
        }
        return $out;
    }

    /** 'publisher' → 'ROLE_PUBLISHER', '007' → 'TOKEN_VERSION_007', '2' → 2; full names stay. */
    private static function enumName(string $value, string $prefix): int|string
    {
        if (ctype_digit($value) && $prefix !== 'TOKEN_VERSION_') {
            return (int) $value;
        }
        $upper = strtoupper($value);
        return str_starts_with($upper, $prefix) ? $upper : $prefix . $upper;
    }

    private static function roleNumber(int|string $role): int
    {
        if (is_int($role)) {
            return $role;
        }
        $name = self::enumName($role, 'ROLE_');
        return is_int($name) ? $name : match ($name) {
            'ROLE_PUBLISHER' => Role::PUBLISHER,
            'ROLE_SUBSCRIBER' => Role::SUBSCRIBER,
            default => 0,
        };
    }

    /** RtcPrivilegeExpires in JSON; the zero spans are its defaults. */
    private static function privilegeExpires(int $join, int $audio, int $video, int $data): \stdClass
    {
        return (object) array_filter([
            'joinChannelPrivilegeExpire' => $join,
            'pubAudioPrivilegeExpire' => $audio,
            'pubVideoPrivilegeExpire' => $video,
            'pubDataStreamPrivilegeExpire' => $data,
        ]);
    }

    /** The BuildConvoAiToken / BuildSttToken request of the reference builders' parameters. */
    private static function agentRequest(
        string $appId,
        string $channelName,
        int|string $user,
        int|string $role,
        int $tokenExpire,
        int $join,
        int $audio,
        int $video,
        int $data,
        string $rtmUserId,
        int $rtmTokenExpire,
    ): array {
        return [
            'appId' => $appId,
            'channelName' => $channelName,
            (is_int($user) ? 'uid' : 'account') => $user,
            'role' => $role,
            'tokenExpireSeconds' => $tokenExpire,
            'privilegeExpires' => self::privilegeExpires($join, $audio, $video, $data),
            'rtmUserId' => $rtmUserId,
            'rtmTokenExpireSeconds' => $rtmTokenExpire,
        ];
    }

    /** A service config duration ("5s", "0.1s") in seconds. */
    private static function duration(string $text): float
    {
        if (preg_match('/^(\d+(?:\.\d+)?)s$/', $text, $match) !== 1) {
            throw new \UnexpectedValueException("service config: \"$text\" is not a duration such as \"5s\"");
        }
        return (float) $match[1];
    }

    private static function positiveSeconds(mixed $seconds): float
    {
        if (!is_int($seconds) && !is_float($seconds) || $seconds <= 0) {
            throw new \InvalidArgumentException('timeout must be a positive number of seconds');
        }
        return (float) $seconds;
    }
}
