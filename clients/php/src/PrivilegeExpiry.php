<?php

declare(strict_types=1);

namespace Agora\TokenService;

/** When one privilege of a token stops working (agora.token.v1.PrivilegeExpiry). */
final class PrivilegeExpiry
{
    /**
     * @param string $service   the 007 service, such as "SERVICE_TYPE_RTC";
     *                          "SERVICE_TYPE_UNSPECIFIED" for 006 tokens
     * @param int    $privilege the privilege id (per service for 007, global for 006)
     * @param int    $expireTs  absolute unix seconds, never after the token's expireTs
     */
    public function __construct(
        public readonly string $service,
        public readonly int $privilege,
        public readonly int $expireTs,
    ) {
    }

    /** @param array<string, mixed> $json the proto3 JSON form */
    public static function fromJson(array $json): self
    {
        return new self(
            (string) ($json['service'] ?? 'SERVICE_TYPE_UNSPECIFIED'),
            (int) ($json['privilege'] ?? 0),
            (int) ($json['expireTs'] ?? 0),
        );
    }

    /**
     * @param mixed $list a JSON list of PrivilegeExpiry objects, or null
     * @return list<self>
     */
    public static function listFromJson(mixed $list): array
    {
        return array_map([self::class, 'fromJson'], is_array($list) ? array_values($list) : []);
    }
}
