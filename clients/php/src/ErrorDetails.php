<?php

declare(strict_types=1);

namespace Agora\TokenService;

/**
 * Reads the two error details the server sends, google.rpc.BadRequest and
 * google.rpc.RetryInfo, from their serialized protobuf bytes. Connect puts
 * those bytes, base64, in each detail's "value"; its "debug" JSON is
 * optional, so it is only a fallback. Debian has no PHP protobuf runtime,
 * and these two messages need only a few lines of the wire format:
 *   BadRequest     { repeated FieldViolation field_violations = 1; }
 *   FieldViolation { string field = 1; string description = 2; }
 *   RetryInfo      { google.protobuf.Duration retry_delay = 1; }
 *   Duration       { int64 seconds = 1; int32 nanos = 2; }
 *
 * @internal used by TokenServiceException
 */
final class ErrorDetails
{
    private const WIRE_VARINT = 0;
    private const WIRE_FIXED64 = 1;
    private const WIRE_LEN = 2;
    private const WIRE_FIXED32 = 5;

    /**
     * @param list<FieldViolation> $fieldViolations
     * @param float|null           $retryDelay seconds
     */
    private function __construct(
        public readonly array $fieldViolations,
        public readonly ?float $retryDelay,
    ) {
    }

    /**
     * From a Connect error's "details": [{"type", "value", "debug"?}, ...].
     * A detail that cannot be read is skipped: it must not hide the error.
     */
    public static function fromConnect(mixed $details): self
    {
        $violations = [];
        $retryDelay = null;
        foreach (is_array($details) ? $details : [] as $detail) {
            if (!is_array($detail)) {
                continue;
            }
            $type = (string) ($detail['type'] ?? '');
            $bytes = self::base64(is_string($detail['value'] ?? null) ? $detail['value'] : '');
            $debug = is_array($detail['debug'] ?? null) ? $detail['debug'] : null;
            try {
                if ($type === 'google.rpc.BadRequest') {
                    $violations = array_merge($violations, $bytes !== null
                        ? self::parseBadRequest($bytes)
                        : self::violationsFromJson($debug));
                } elseif ($type === 'google.rpc.RetryInfo') {
                    $retryDelay = $bytes !== null
                        ? self::parseRetryInfo($bytes)
                        : self::durationFromJson($debug['retryDelay'] ?? null);
                }
            } catch (\UnexpectedValueException) {
                if ($type === 'google.rpc.BadRequest') {
                    $violations = array_merge($violations, self::violationsFromJson($debug));
                } elseif ($type === 'google.rpc.RetryInfo') {
                    $retryDelay = self::durationFromJson($debug['retryDelay'] ?? null);
                }
            }
        }
        return new self($violations, $retryDelay);
    }

    /**
     * From the proto3 JSON of a google.rpc.Status's details (a failed
     * buildTokens item): Any values with "@type" and the message's fields.
     */
    public static function fromStatusJson(mixed $details): self
    {
        $violations = [];
        $retryDelay = null;
        foreach (is_array($details) ? $details : [] as $any) {
            if (!is_array($any)) {
                continue;
            }
            $type = (string) ($any['@type'] ?? '');
            $slash = strrpos($type, '/');
            if ($slash !== false) {
                $type = substr($type, $slash + 1); // "type.googleapis.com/google.rpc.BadRequest"
            }
            if ($type === 'google.rpc.BadRequest') {
                $violations = array_merge($violations, self::violationsFromJson($any));
            } elseif ($type === 'google.rpc.RetryInfo') {
                $retryDelay = self::durationFromJson($any['retryDelay'] ?? null);
            }
        }
        return new self($violations, $retryDelay);
    }

    /** Standard or URL-safe base64, padded or not (Connect sends it unpadded). */
    private static function base64(string $text): ?string
    {
        if ($text === '') {
            return null;
        }
        $text = strtr($text, '-_', '+/');
        $text .= str_repeat('=', (4 - strlen($text) % 4) % 4);
        $bytes = base64_decode($text, true);
        return $bytes === false ? null : $bytes;
    }

    /** @return list<FieldViolation> */
    private static function parseBadRequest(string $bytes): array
    {
        $violations = [];
        foreach (self::fields($bytes) as [$number, $wireType, $value]) {
            if ($number !== 1 || $wireType !== self::WIRE_LEN) {
                continue;
            }
            $field = '';
            $description = '';
            foreach (self::fields($value) as [$inner, $innerType, $text]) {
                if ($innerType !== self::WIRE_LEN) {
                    continue;
                }
                if ($inner === 1) {
                    $field = $text;
                } elseif ($inner === 2) {
                    $description = $text;
                }
            }
            $violations[] = new FieldViolation($field, $description);
        }
        return $violations;
    }

    private static function parseRetryInfo(string $bytes): ?float
    {
        foreach (self::fields($bytes) as [$number, $wireType, $duration]) {
            if ($number !== 1 || $wireType !== self::WIRE_LEN) {
                continue;
            }
            $seconds = 0;
            $nanos = 0;
            foreach (self::fields($duration) as [$inner, $innerType, $value]) {
                if ($innerType === self::WIRE_VARINT && $inner === 1) {
                    $seconds = $value;
                } elseif ($innerType === self::WIRE_VARINT && $inner === 2) {
                    $nanos = $value;
                }
            }
            return $seconds + $nanos / 1e9;
        }
        return null;
    }

    /**
     * The fields of one serialized message as [number, wire type, value]:
     * an int for varints, the bytes otherwise.
     *
     * @return list<array{int, int, int|string}>
     */
    private static function fields(string $bytes): array
    {
        $fields = [];
        $offset = 0;
        $length = strlen($bytes);
        while ($offset < $length) {
            $key = self::varint($bytes, $offset);
            $number = $key >> 3;
            $wireType = $key & 7;
            switch ($wireType) {
                case self::WIRE_VARINT:
                    $value = self::varint($bytes, $offset);
                    break;
                case self::WIRE_LEN:
                    $size = self::varint($bytes, $offset);
                    if ($size < 0 || $size > $length - $offset) {
                        throw new \UnexpectedValueException('truncated length-delimited field');
                    }
                    $value = substr($bytes, $offset, $size);
                    $offset += $size;
                    break;
                case self::WIRE_FIXED64:
                case self::WIRE_FIXED32:
                    $size = $wireType === self::WIRE_FIXED64 ? 8 : 4;
                    if ($size > $length - $offset) {
                        throw new \UnexpectedValueException('truncated fixed-size field');
                    }
                    $value = substr($bytes, $offset, $size);
                    $offset += $size;
                    break;
                default:
                    throw new \UnexpectedValueException("wire type $wireType is not readable here");
            }
            if ($number === 0) {
                throw new \UnexpectedValueException('field number 0');
            }
            $fields[] = [$number, $wireType, $value];
        }
        return $fields;
    }

    /** Reads a base-128 varint at $offset and moves past it. */
    private static function varint(string $bytes, int &$offset): int
    {
        $value = 0;
        for ($shift = 0; $shift < 64; $shift += 7) {
            if ($offset >= strlen($bytes)) {
                throw new \UnexpectedValueException('truncated varint');
            }
            $byte = ord($bytes[$offset++]);
            $value |= ($byte & 0x7f) << $shift;
            if ($byte < 0x80) {
                return $value;
            }
        }
        throw new \UnexpectedValueException('varint longer than 10 bytes');
    }

    /**
     * @param array<string, mixed>|null $badRequest a BadRequest in proto3 JSON
     * @return list<FieldViolation>
     */
    private static function violationsFromJson(?array $badRequest): array
    {
        $violations = [];
        foreach ((array) ($badRequest['fieldViolations'] ?? []) as $violation) {
            if (is_array($violation)) {
                $violations[] = new FieldViolation(
                    (string) ($violation['field'] ?? ''),
                    (string) ($violation['description'] ?? ''),
                );
            }
        }
        return $violations;
    }

    /** A proto3 JSON Duration ("1.500s") in seconds. */
    private static function durationFromJson(mixed $duration): ?float
    {
        if (!is_string($duration) || preg_match('/^(-?\d+(?:\.\d+)?)s$/', $duration, $match) !== 1) {
            return null;
        }
        return (float) $match[1];
    }
}
