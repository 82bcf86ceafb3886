<?php

declare(strict_types=1);

namespace Agora\TokenService;

/**
 * RTC roles, numbered as the product document's and Agora's PHP builders'
 * (RtcTokenBuilder2::ROLE_PUBLISHER = 1, ROLE_SUBSCRIBER = 2). Methods also
 * take 'publisher', 'subscriber' or the proto names ('ROLE_PUBLISHER').
 */
final class Role
{
    public const PUBLISHER = 1;
    public const SUBSCRIBER = 2;
}
