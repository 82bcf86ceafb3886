<?php

declare(strict_types=1);

namespace Agora\TokenService;

/** One bad field of a request (google.rpc.BadRequest.FieldViolation). */
final class FieldViolation
{
    /**
     * @param string $field       the field's path in the request, such as "channel_name"
     * @param string $description the rule it breaks
     */
    public function __construct(
        public readonly string $field,
        public readonly string $description,
    ) {
    }
}
