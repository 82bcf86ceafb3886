<?php
// A scripted Connect endpoint for `php -S HOST:PORT scripted_server.php`,
// for what the real server cannot be made to do on demand: fail with
// `unavailable`, answer slowly, or send details in exactly one form. It
// appends one JSON line per call (headers and body) to $SCRIPT_LOG and
// answers as $SCRIPT_MODE says:
//   ok                  200 with a stub token
//   unavailable-twice   503 `unavailable` for the first two calls, then ok
//   unavailable-always  503 `unavailable`
//   invalid-argument    400 with a BadRequest (two violations) as base64 bytes only
//   debug-only          400 with a BadRequest in "debug" only (no usable "value")
//   resource-exhausted  429 with a RetryInfo of 1.5 s as bytes and Retry-After: 2
//   not-connect         503 with an HTML body, as a proxy would send
//   slow                sleeps 3 s, then ok

declare(strict_types=1);

$mode = getenv('SCRIPT_MODE') ?: 'ok';
$log = getenv('SCRIPT_LOG');
$headers = array_change_key_case(getallheaders(), CASE_LOWER);
$line = json_encode(['method' => $_SERVER['REQUEST_METHOD'], 'path' => $_SERVER['REQUEST_URI'],
    'headers' => $headers, 'body' => file_get_contents('php://input')]);
file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX);
$calls = count(file($log));

function varint(int $value): string
{
    $out = '';
    while ($value > 0x7f) {
        $out .= chr(($value & 0x7f) | 0x80);
        $value >>= 7;
    }
    return $out . chr($value);
}

function lengthDelimited(int $field, string $bytes): string
{
    return varint($field << 3 | 2) . varint(strlen($bytes)) . $bytes;
}

function violation(string $field, string $description): string
{
    return lengthDelimited(1, lengthDelimited(1, $field) . lengthDelimited(2, $description));
}

function answer(int $status, array $body, array $extraHeaders = []): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    foreach ($extraHeaders as $header) {
        header($header);
    }
    echo json_encode($body, JSON_UNESCAPED_SLASHES);
}

$ok = ['token' => '007stub', 'tokenVersion' => 'TOKEN_VERSION_007', 'issueTs' => 1700000000, 'salt' => 7,
    'expireTs' => 1700003600];
$unavailable = ['code' => 'unavailable', 'message' => 'draining'];
switch ($mode) {
    case 'unavailable-twice':
        $calls <= 2 ? answer(503, $unavailable) : answer(200, $ok);
        break;
    case 'unavailable-always':
        answer(503, $unavailable);
        break;
    case 'invalid-argument':
        $badRequest = violation('channel_name', 'must not be empty') . violation('uid', 'must be nonzero with with_rtm');
        // Unpadded, as Connect servers send it.
        answer(400, ['code' => 'invalid_argument', 'message' => 'bad request', 'details' => [
            ['type' => 'google.rpc.BadRequest', 'value' => rtrim(base64_encode($badRequest), '=')],
        ]]);
        break;
    case 'debug-only':
        answer(400, ['code' => 'invalid_argument', 'message' => 'bad request', 'details' => [
            ['type' => 'google.rpc.BadRequest', 'value' => '!!!',
                'debug' => ['fieldViolations' => [['field' => 'account', 'description' => 'too long']]]],
        ]]);
        break;
    case 'resource-exhausted':
        $duration = varint(1 << 3) . varint(1) . varint(2 << 3) . varint(500000000); // 1 s + 0.5e9 ns
        answer(429, ['code' => 'resource_exhausted', 'message' => 'rate limit', 'details' => [
            ['type' => 'google.rpc.RetryInfo', 'value' => base64_encode(lengthDelimited(1, $duration))],
        ]], ['Retry-After: 2']);
        break;
    case 'not-connect':
        http_response_code(503);
        header('Content-Type: text/html');
        echo '<html><body>503 Service Temporarily Unavailable</body></html>';
        break;
    case 'slow':
        sleep(3);
        answer(200, $ok);
        break;
    default:
        answer(200, $ok);
}
