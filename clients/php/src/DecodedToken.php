<?php

declare(strict_types=1);

namespace Agora\TokenService;

/**
 * What decodeToken() found in a token (agora.token.v1.DecodeTokenResponse).
 * The format-specific parts stay in their proto3 JSON form (lowerCamelCase
 * keys, fields at their default left out).
 */
final class DecodedToken
{
    /**
     * @param string                    $tokenVersion       "TOKEN_VERSION_006" or "TOKEN_VERSION_007"
     * @param string                    $appId              the 32-character App ID
     * @param int                       $salt               as encoded
     * @param int                       $issueTs            absolute unix seconds (0 for 006)
     * @param int                       $expireTs           absolute unix seconds
     * @param string                    $signature          "SIGNATURE_STATE_VALID", "_INVALID" or "_NOT_CHECKED"
     * @param string                    $expiry             "EXPIRY_STATE_VALID", "_TOKEN_EXPIRED" or "_PRIVILEGE_EXPIRED"
     * @param int                       $unknownServiceType 007: the first service type the server does not know, or 0
     * @param list<PrivilegeExpiry>     $expiredPrivileges  privileges expired while the token has not
     * @param array<string, mixed>|null $token006           Token006Details, for 006 tokens
     * @param array<string, mixed>|null $token007           Token007Details (expireSeconds, services), for 007 tokens
     */
    public function __construct(
        public readonly string $tokenVersion,
        public readonly string $appId,
        public readonly int $salt,
        public readonly int $issueTs,
        public readonly int $expireTs,
        public readonly string $signature,
        public readonly string $expiry,
        public readonly int $unknownServiceType,
        public readonly array $expiredPrivileges,
        public readonly ?array $token006,
        public readonly ?array $token007,
    ) {
    }

    /** @param array<string, mixed> $json the proto3 JSON form */
    public static function fromJson(array $json): self
    {
        return new self(
            (string) ($json['tokenVersion'] ?? 'TOKEN_VERSION_UNSPECIFIED'),
            (string) ($json['appId'] ?? ''),
            (int) ($json['salt'] ?? 0),
            (int) ($json['issueTs'] ?? 0),
            (int) ($json['expireTs'] ?? 0),
            (string) ($json['signature'] ?? 'SIGNATURE_STATE_UNSPECIFIED'),
            (string) ($json['expiry'] ?? 'EXPIRY_STATE_UNSPECIFIED'),
            (int) ($json['unknownServiceType'] ?? 0),
            PrivilegeExpiry::listFromJson($json['expiredPrivileges'] ?? null),
            isset($json['token006']) && is_array($json['token006']) ? $json['token006'] : null,
            isset($json['token007']) && is_array($json['token007']) ? $json['token007'] : null,
        );
    }

    /** Whether Agora would accept the token now: a matching signature, nothing expired. */
    public function isValid(): bool
    {
        return $this->signature === 'SIGNATURE_STATE_VALID' && $this->expiry === 'EXPIRY_STATE_VALID';
    }

    /**
     * A 007 token's services in token order (DecodedService in proto3 JSON:
     * type, privileges, channelName, account, userId, ...); empty for 006.
     *
     * @return list<array<string, mixed>>
     */
    public function services(): array
    {
        return array_values($this->token007['services'] ?? []);
    }
}
