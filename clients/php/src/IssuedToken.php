<?php

declare(strict_types=1);

namespace Agora\TokenService;

/**
 * A token the server built: every Build* response and each successful
 * buildTokens() item (agora.token.v1.IssuedToken). Casts to the token
 * string, so code that used Agora's builders, which return a string, keeps
 * working: `echo $client->buildTokenWithUid(...)`.
 */
final class IssuedToken implements \Stringable
{
    /**
     * @param string                $token             starts with "006" or "007"; a credential
     * @param string                $tokenVersion      "TOKEN_VERSION_006" or "TOKEN_VERSION_007"
     * @param int                   $issueTs           absolute unix seconds (0 for 006 tokens)
     * @param int                   $salt              1 to 99999999
     * @param int                   $expireTs          absolute unix seconds when the token expires
     * @param list<PrivilegeExpiry> $privilegeExpiries every privilege granted, in token order
     */
    public function __construct(
        public readonly string $token,
        public readonly string $tokenVersion,
        public readonly int $issueTs,
        public readonly int $salt,
        public readonly int $expireTs,
        public readonly array $privilegeExpiries,
    ) {
    }

    /**
     * @param array<string, mixed> $json the proto3 JSON form, in which fields
     *                                   at their default value are left out
     */
    public static function fromJson(array $json): self
    {
        return new self(
            (string) ($json['token'] ?? ''),
            (string) ($json['tokenVersion'] ?? 'TOKEN_VERSION_UNSPECIFIED'),
            (int) ($json['issueTs'] ?? 0),
            (int) ($json['salt'] ?? 0),
            (int) ($json['expireTs'] ?? 0),
            PrivilegeExpiry::listFromJson($json['privilegeExpiries'] ?? null),
        );
    }

    /** The format as the token's prefix: "006" or "007". */
    public function version(): string
    {
        return substr($this->tokenVersion, -3);
    }

    public function __toString(): string
    {
        return $this->token;
    }
}
