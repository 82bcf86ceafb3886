<?php

declare(strict_types=1);

namespace Agora\TokenService;

/**
 * A failed call, or one failed buildTokens() item. getCode() is the gRPC
 * status code (3 for invalid_argument, the numbering google.rpc.Code and
 * every other client use); $connectCode is the Connect protocol's name of
 * it. The message is the server's and never holds a certificate or a token.
 */
class TokenServiceException extends \RuntimeException
{
    /** Connect code names and their gRPC status codes. */
    public const CODES = [
        'canceled' => 1,
        'unknown' => 2,
        'invalid_argument' => 3,
        'deadline_exceeded' => 4,
        'not_found' => 5,
        'already_exists' => 6,
        'permission_denied' => 7,
        'resource_exhausted' => 8,
        'failed_precondition' => 9,
        'aborted' => 10,
        'out_of_range' => 11,
        'unimplemented' => 12,
        'internal' => 13,
        'unavailable' => 14,
        'data_loss' => 15,
        'unauthenticated' => 16,
    ];

    /**
     * @param string               $connectCode     a key of CODES, such as "invalid_argument"
     * @param string               $details         the server's message
     * @param list<FieldViolation> $fieldViolations from google.rpc.BadRequest
     * @param float|null           $retryDelay      seconds to wait before retrying (google.rpc.RetryInfo)
     * @param int|null             $httpStatus      the HTTP status, when one came back
     * @param int|null             $curlError       curl's error number, when no response came back
     */
    public function __construct(
        public readonly string $connectCode,
        public readonly string $details,
        public readonly array $fieldViolations = [],
        public readonly ?float $retryDelay = null,
        public readonly ?int $httpStatus = null,
        public readonly ?int $curlError = null,
        ?\Throwable $previous = null,
    ) {
        $text = "$connectCode: $details";
        foreach ($fieldViolations as $violation) {
            $text .= "\n  {$violation->field}: {$violation->description}";
        }
        parent::__construct($text, self::CODES[$connectCode] ?? 2, $previous);
    }

    /** The gRPC code's name, such as "INVALID_ARGUMENT". */
    public function codeName(): string
    {
        return strtoupper(isset(self::CODES[$this->connectCode]) ? $this->connectCode : 'unknown');
    }

    /** The violated fields' paths, such as ["channel_name"]. */
    public function fields(): array
    {
        return array_map(static fn (FieldViolation $v): string => $v->field, $this->fieldViolations);
    }

    /**
     * From a Connect error response: a non-200 status whose JSON body is
     * {"code", "message", "details"}. A body that is not one (a proxy's error
     * page) gets the code the Connect spec derives from the HTTP status.
     */
    public static function fromHttpResponse(int $httpStatus, string $body, ?string $retryAfter = null): self
    {
        try {
            $json = json_decode($body, true, 64, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        } catch (\JsonException) {
            $json = null;
        }
        $code = is_array($json) && is_string($json['code'] ?? null) && isset(self::CODES[$json['code']])
            ? $json['code'] : self::codeOfHttpStatus($httpStatus);
        $message = is_array($json) && is_string($json['message'] ?? null)
            ? $json['message'] : "HTTP $httpStatus";
        $details = ErrorDetails::fromConnect(is_array($json) ? ($json['details'] ?? null) : null);
        $retryDelay = $details->retryDelay;
        if ($retryDelay === null && $retryAfter !== null && ctype_digit(trim($retryAfter))) {
            $retryDelay = (float) trim($retryAfter);
        }
        return new self($code, $message, $details->fieldViolations, $retryDelay, $httpStatus);
    }

    /**
     * From a google.rpc.Status in proto3 JSON ({"code": 3, "message",
     * "details"}), such as a failed buildTokens() item's error.
     *
     * @param array<string, mixed> $status
     */
    public static function fromStatus(array $status): self
    {
        $number = (int) ($status['code'] ?? 2);
        $code = array_search($number, self::CODES, true);
        $details = ErrorDetails::fromStatusJson($status['details'] ?? null);
        return new self(
            is_string($code) ? $code : 'unknown',
            (string) ($status['message'] ?? ''),
            $details->fieldViolations,
            $details->retryDelay,
        );
    }

    /** The Connect spec's code for an HTTP status without a Connect body. */
    private static function codeOfHttpStatus(int $status): string
    {
        return match ($status) {
            400 => 'internal',
            401 => 'unauthenticated',
            403 => 'permission_denied',
            404 => 'unimplemented',
            429, 502, 503, 504 => 'unavailable',
            default => 'unknown',
        };
    }
}
