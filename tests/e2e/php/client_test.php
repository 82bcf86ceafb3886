<?php
// End-to-end test of the PHP client (clients/php) against the real
// agora-token-server binary's HTTP API (Connect protocol, JSON), in plain
// PHP with a small assertion helper (Debian's php-cli and php-curl only).
//
// It starts three servers on free loopback ports, reading the ports from the
// "serving" log line: a development-mode one (plaintext HTTP, a temporary
// keyring with a random app whose certificate is a file, plus the public dev
// app that clients/php/example.php uses), one with a config over TLS whose
// callers use API keys, and one with mutual TLS; certificates come from a
// test CA made here with the openssl command. Tokens are checked by Agora's
// official npm package through tests/crosscheck/verify_with_agora_token.js.
// A scripted endpoint (scripted_server.php under `php -S`) checks what the
// client sends and how it retries, gives up and reads error details.
//
// Run: php tests/e2e/php/client_test.php [NAME_FILTER], with
// AGORA_TOKEN_SERVER (default <repo>/build/server/agora-token-server) and
// AGORA_TOKEN_NODE (default node on PATH). Prints TAP; exits 1 if any
// test fails.

declare(strict_types=1);

const REPO_ROOT = __DIR__ . '/../../..';
require REPO_ROOT . '/clients/php/autoload.php';

use Agora\TokenService\DecodedToken;
use Agora\TokenService\IssuedToken;
use Agora\TokenService\Role;
use Agora\TokenService\TokenClient;
use Agora\TokenService\TokenServiceException;

const DEV_APP_ID = '970CA35de60c44645bbae8a215061b33';
const DEV_APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
const SERVER_START_TIMEOUT = 15.0;
const SERVER_STOP_TIMEOUT = 10.0;
const SUBPROCESS_TIMEOUT = 60;

$serverBinary = getenv('AGORA_TOKEN_SERVER') ?: REPO_ROOT . '/build/server/agora-token-server';
$node = getenv('AGORA_TOKEN_NODE') ?: trim((string) shell_exec('command -v node'));
define('SERVER_BINARY', $serverBinary);
define('NODE', $node);
define('VERIFIER', REPO_ROOT . '/tests/crosscheck/verify_with_agora_token.js');
define('SHARED_SERVICE_CONFIG_PATH', realpath(REPO_ROOT . '/clients/service_config.json'));

// --- A tiny harness --------------------------------------------------------------------

final class AssertionFailed extends Exception
{
}

function check(bool $condition, string $what): void
{
    if (!$condition) {
        throw new AssertionFailed($what);
    }
}

function checkSame(mixed $want, mixed $got, string $what = ''): void
{
    if ($want !== $got) {
        throw new AssertionFailed(($what !== '' ? "$what: " : '') . 'want ' . var_export($want, true)
            . ', got ' . var_export($got, true));
    }
}

/** Runs $fn, which must throw a $class; returns what it threw. */
function expectThrows(string $class, callable $fn): Throwable
{
    try {
        $fn();
    } catch (Throwable $e) {
        check($e instanceof $class, "want $class, got " . get_class($e) . ': ' . $e->getMessage());
        return $e;
    }
    throw new AssertionFailed("want $class, nothing was thrown");
}

/** @var array<string, callable> */
$tests = [];
function test(string $name, callable $body): void
{
    $GLOBALS['tests'][$name] = $body;
}

// --- Processes ---------------------------------------------------------------------------

/** Runs argv with a time limit; returns [exit status, stdout and stderr]. */
function runBounded(array $argv, array $env = []): array
{
    $process = proc_open(array_merge(['timeout', '-k', '5', (string) SUBPROCESS_TIMEOUT], $argv),
        [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null,
        $env === [] ? null : array_merge(getenv(), $env));
    $output = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($process), (string) $output];
}

/** A loopback port nobody listens on (a moment ago). */
function freePort(): int
{
    $socket = stream_socket_server('tcp://127.0.0.1:0');
    $name = stream_socket_get_name($socket, false);
    fclose($socket);
    return (int) substr($name, strrpos($name, ':') + 1);
}

/** agora-token-server as a child process; its ports come from the "serving" log line. */
final class ServerProcess
{
    private $process;
    private ?int $exitCode = null;
    public readonly string $logPath;
    /** @var array<string, string> the "serving" log record */
    public array $serving = [];

    public function __construct(string $workDir, string $name, array $flags)
    {
        $this->logPath = "$workDir/$name.log";
        $this->process = proc_open(array_merge([SERVER_BINARY, '--listen=127.0.0.1:0',
            '--http_listen=127.0.0.1:0', '--compression=compatible', '--drain_timeout_ms=2000'], $flags),
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', $this->logPath, 'w']],
            $pipes);
        $deadline = microtime(true) + SERVER_START_TIMEOUT;
        while (microtime(true) < $deadline) {
            foreach (file($this->logPath) ?: [] as $line) {
                $record = json_decode($line, true);
                if (is_array($record) && ($record['msg'] ?? '') === 'serving') {
                    $this->serving = $record;
                    check((int) ($record['http_port'] ?? 0) > 0, "$name: no http_port in the serving line: $line");
                    return;
                }
            }
            if ($this->exited()) {
                throw new RuntimeException("$name exited ($this->exitCode) before serving; log:\n" . $this->log());
            }
            usleep(50000);
        }
        throw new RuntimeException("$name did not log \"serving\" in " . SERVER_START_TIMEOUT . " s; log:\n" . $this->log());
    }

    public function httpPort(): int
    {
        return (int) $this->serving['http_port'];
    }

    public function log(): string
    {
        return (string) @file_get_contents($this->logPath);
    }

    private function exited(): bool
    {
        if ($this->exitCode === null) {
            $status = proc_get_status($this->process);
            if (!$status['running']) {
                $this->exitCode = $status['exitcode']; // reported once only
            }
        }
        return $this->exitCode !== null;
    }

    /** SIGTERM (drain), then SIGKILL if it does not exit in time; returns the exit code. */
    public function stop(): int
    {
        if (!$this->exited()) {
            proc_terminate($this->process, 15);
            $deadline = microtime(true) + SERVER_STOP_TIMEOUT;
            while (!$this->exited() && microtime(true) < $deadline) {
                usleep(20000);
            }
            if (!$this->exited()) {
                proc_terminate($this->process, 9);
                proc_close($this->process);
                throw new RuntimeException('server ignored SIGTERM for ' . SERVER_STOP_TIMEOUT . ' s and was killed');
            }
        }
        proc_close($this->process);
        return $this->exitCode;
    }
}

/** scripted_server.php under `php -S` in one mode; counts the calls it saw. */
final class ScriptedServer
{
    private $process;
    public readonly string $url;
    private readonly string $callLog;

    public function __construct(string $workDir, string $mode)
    {
        $port = freePort();
        $this->callLog = tempnam($workDir, "calls-$mode-");
        $this->process = proc_open([PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/scripted_server.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes, null, array_merge(getenv(), ['SCRIPT_MODE' => $mode, 'SCRIPT_LOG' => $this->callLog]));
        $this->url = "http://127.0.0.1:$port";
        $deadline = microtime(true) + SERVER_START_TIMEOUT;
        while (($socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 1)) === false) {
            if (microtime(true) > $deadline) {
                throw new RuntimeException("php -S on port $port did not start: $error");
            }
            usleep(20000);
        }
        fclose($socket);
    }

    /** @return list<array<string, mixed>> one record per call: method, path, headers, body */
    public function calls(): array
    {
        return array_map(static fn (string $line) => json_decode($line, true), file($this->callLog) ?: []);
    }

    public function stop(): void
    {
        proc_terminate($this->process, 15);
        proc_close($this->process);
    }
}

function withScripted(string $mode, callable $body): array
{
    $server = new ScriptedServer(WORK_DIR, $mode);
    try {
        $body($server->url);
    } finally {
        $server->stop();
    }
    return $server->calls();
}

// --- Certificates ---------------------------------------------------------------------------

function openssl(string ...$args): void
{
    [$status, $output] = runBounded(array_merge(['openssl'], $args));
    check($status === 0, 'openssl ' . implode(' ', $args) . " failed:\n$output");
}

/** A self-signed CA in $dir/$name.{crt,key}. */
function makeCa(string $dir, string $name): void
{
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', "$dir/$name.key", '-out', "$dir/$name.crt", '-days', '2', '-subj', "/CN=$name");
}

/** A leaf certificate signed by CA $ca, in $dir/$name.{crt,key}. */
function makeLeaf(string $dir, string $ca, string $name, string $subjectAltName, string $usage): void
{
    file_put_contents("$dir/$name.ext", "subjectAltName=$subjectAltName\nextendedKeyUsage=$usage\n");
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', "$dir/$name.key", '-out', "$dir/$name.csr", '-subj', "/CN=$name");
    openssl('x509', '-req', '-in', "$dir/$name.csr", '-CA', "$dir/$ca.crt", '-CAkey', "$dir/$ca.key",
        '-CAcreateserial', '-days', '2', '-out', "$dir/$name.crt", '-extfile', "$dir/$name.ext");
    chmod("$dir/$name.key", 0600);
}

// --- Token checks with Agora's package -------------------------------------------------------

/** One line of verify_with_agora_token.js's input: what we asked for plus what the server built. */
function verifierRecord(string $shape, string $kind, IssuedToken $token, array $inputs,
                        string $appId = APP_ID, string $certificate = APP_CERTIFICATE): array
{
    $record = [
        'seed' => 'php-e2e', 'case' => $shape, 'shape' => $shape, 'kind' => $kind, 'app_id' => $appId,
        'app_certificate' => $certificate, 'token' => $token->token, 'issuance' => 'new',
        'issue_ts' => $token->issueTs, 'salt' => $token->salt,
        'built' => ['version' => $token->version(), 'salt' => $token->salt, 'issue_ts' => $token->issueTs,
            'expire_ts' => $token->expireTs],
    ];
    if (!str_ends_with($kind, '006')) {
        $record['compression'] = 'compatible';
    }
    return array_merge($record, $inputs);
}

/** Runs the verifier on $records; returns [exit status, its summary line, all output]. */
function runVerifier(array $records): array
{
    check(NODE !== '', 'Node.js not found; set AGORA_TOKEN_NODE or put node on PATH');
    $path = tempnam(WORK_DIR, 'tokens-');
    file_put_contents($path, implode('', array_map(
        static fn (array $r) => json_encode($r, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR) . "\n", $records)));
    [$status, $output] = runBounded([NODE, VERIFIER, $path]);
    $lines = explode("\n", trim($output));
    return [$status, trim((string) end($lines)), $output];
}

function checkVerified(array $records): void
{
    foreach ($records as $record) {
        check(str_starts_with($record['token'], $record['built']['version']), "{$record['shape']}: token prefix");
    }
    [$status, $summary, $output] = runVerifier($records);
    checkSame(count($records) . ' passed, 0 failed', $summary, $output);
    checkSame(0, $status, $output);
}

// --- Set-up -------------------------------------------------------------------------------------

foreach (['curl' => 'php-curl'] as $extension => $package) {
    if (!extension_loaded($extension)) {
        fwrite(STDERR, "PHP extension $extension is missing; apt-get install $package (scripts/install-deps.sh)\n");
        exit(1);
    }
}
if (trim((string) shell_exec('command -v openssl')) === '') {
    fwrite(STDERR, "the openssl command is missing; apt-get install openssl\n");
    exit(1);
}
if (!is_executable(SERVER_BINARY)) {
    fwrite(STDERR, 'server binary ' . SERVER_BINARY . " is missing; build agora-token-server\n");
    exit(1);
}
define('WORK_DIR', sys_get_temp_dir() . '/agora-token-php-e2e-' . bin2hex(random_bytes(4)));
mkdir(WORK_DIR, 0700);
// Removed however the run ends, a failed set-up included.
register_shutdown_function(static fn () => exec('rm -rf ' . escapeshellarg(WORK_DIR)));
define('APP_ID', bin2hex(random_bytes(16)));
define('APP_CERTIFICATE', bin2hex(random_bytes(16)));
define('API_KEY', 'php-e2e-key-' . bin2hex(random_bytes(16)));
file_put_contents(WORK_DIR . '/test_app.certificate', APP_CERTIFICATE . "\n");
chmod(WORK_DIR . '/test_app.certificate', 0600);
file_put_contents(WORK_DIR . '/keyring.textproto', sprintf(<<<'TEXTPROTO'
    apps {
      app_id: "%s"
      primary_certificate { path: "test_app.certificate" }
    }
    apps {
      app_id: "%s"
      primary_certificate { value: "%s" }
    }

    TEXTPROTO, APP_ID, DEV_APP_ID, DEV_APP_CERTIFICATE));

makeCa(WORK_DIR, 'ca');
makeCa(WORK_DIR, 'other-ca');
makeLeaf(WORK_DIR, 'ca', 'server', 'IP:127.0.0.1,DNS:localhost', 'serverAuth');
makeLeaf(WORK_DIR, 'ca', 'php-backend', 'DNS:php-backend.test', 'clientAuth');
makeLeaf(WORK_DIR, 'ca', 'stranger', 'DNS:stranger.test', 'clientAuth');

/** A --config file: TLS, mutual TLS when $mutual, and two callers (by certificate, by API key). */
function writeConfig(string $name, bool $mutual): string
{
    $policy = 'policy { app_ids: "*" token_kinds: [TOKEN_KIND_RTC_006, TOKEN_KIND_RTC_007, TOKEN_KIND_RTM] '
        . 'allow_decode: true max_token_lifetime_seconds: 86400 }';
    $config = "keyring_path: \"keyring.textproto\"\n"
        . "tls {\n  certificate_chain_path: \"server.crt\"\n  private_key_path: \"server.key\"\n"
        . ($mutual ? "  client_ca_path: \"ca.crt\"\n" : '') . "}\n"
        . ($mutual ? "callers { name: \"php-backend\" certificate_identities: \"php-backend.test\" $policy }\n" : '')
        . 'callers { name: "php-key" api_key_sha256: "' . hash('sha256', API_KEY) . "\" $policy }\n"
        . "audit_log { path: \"$name-audit.log\" }\n";
    file_put_contents(WORK_DIR . "/$name.textproto", $config);
    return WORK_DIR . "/$name.textproto";
}

$servers = [];
try {
    $servers['dev'] = new ServerProcess(WORK_DIR, 'dev', ['--keyring=' . WORK_DIR . '/keyring.textproto']);
    $servers['tls'] = new ServerProcess(WORK_DIR, 'tls', ['--config=' . writeConfig('tls', false)]);
    $servers['mtls'] = new ServerProcess(WORK_DIR, 'mtls', ['--config=' . writeConfig('mtls', true)]);
} catch (Throwable $e) {
    foreach ($servers as $server) {
        $server->stop();
    }
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
define('DEV_URL', 'http://127.0.0.1:' . $servers['dev']->httpPort());
define('TLS_URL', 'https://127.0.0.1:' . $servers['tls']->httpPort());
define('MTLS_URL', 'https://localhost:' . $servers['mtls']->httpPort());

function client(array $options = []): TokenClient
{
    return new TokenClient(DEV_URL, $options + ['timeout' => 10]);
}

// --- Tokens of every kind, checked by Agora's package --------------------------------------------

test('rtc_rtm_and_chat_tokens_pass_agora_official_package', function (): void {
    $client = client();
    $now = time();
    $records = [];

    // The product document's builder arguments, less the certificate.
    $token = $client->buildTokenWithUid(APP_ID, 'php e2e!', 2882341273, Role::PUBLISHER, 0, ['tokenVersion' => '006']);
    checkSame('TOKEN_VERSION_006', $token->tokenVersion);
    $records[] = verifierRecord('rtc006_uid', 'rtc006', $token,
        ['channel_name' => 'php e2e!', 'uid' => 2882341273, 'role' => 1, 'privilege_expired_ts' => 0]);

    $expiredTs = $now + 3600;
    $token = $client->buildTokenWithUserAccount(APP_ID, 'room[1]', 'user@example.com', Role::SUBSCRIBER, $expiredTs,
        ['token_version' => 'TOKEN_VERSION_006']);
    $records[] = verifierRecord('rtc006_account', 'rtc006', $token, ['channel_name' => 'room[1]',
        'account' => 'user@example.com', 'role' => 2, 'privilege_expired_ts' => $expiredTs]);

    $token = $client->buildTokenWithUid(APP_ID, 'php e2e!', 12345, 'publisher', 0,
        ['tokenVersion' => '007', 'tokenExpireSeconds' => 7200]);
    checkSame(7200, $token->expireTs - $token->issueTs, 'token lifetime');
    checkSame(4, count($token->privilegeExpiries), 'a publisher\'s privileges');
    checkSame('SERVICE_TYPE_RTC', $token->privilegeExpiries[0]->service);
    $records[] = verifierRecord('rtc007_uid', 'rtc007', $token, ['channel_name' => 'php e2e!', 'uid' => 12345,
        'role' => 1, 'privilege_expire' => 0, 'token_expire' => 7200, 'with_rtm' => false]);

    // With tokenExpireSeconds 0 the token expires at privilegeExpiredTs too.
    $expiredTs = $now + 1800;
    $token = $client->buildTokenWithUserAccount(APP_ID, 'room[1]', 'Alice_01', 'ROLE_SUBSCRIBER', $expiredTs,
        ['tokenVersion' => '007']);
    $span = $expiredTs - $token->issueTs;
    $records[] = verifierRecord('rtc007_account', 'rtc007', $token, ['channel_name' => 'room[1]',
        'account' => 'Alice_01', 'role' => 2, 'privilege_expire' => $span, 'token_expire' => $span, 'with_rtm' => false]);

    $token = $client->buildTokenWithRtm(APP_ID, 'rtm-room', 'Alice_01', Role::PUBLISHER);
    $records[] = verifierRecord('rtc007_with_rtm', 'rtc007', $token, ['channel_name' => 'rtm-room',
        'account' => 'Alice_01', 'role' => 1, 'privilege_expire' => 0, 'token_expire' => 0, 'with_rtm' => true]);

    $token = $client->buildTokenWithRtm2(APP_ID, 'rtm2-room', 4242, Role::PUBLISHER, 3600, 600, 1200, 1800, 2400,
        'agent-7', 900);
    $records[] = verifierRecord('rtc007_rtm2', 'rtc007_rtm2', $token, ['channel_name' => 'rtm2-room', 'uid' => 4242,
        'role' => 1, 'token_expire' => 3600, 'privilege_expires' => ['join_channel' => 600, 'publish_audio' => 1200,
            'publish_video' => 1800, 'publish_data_stream' => 2400], 'rtm_user_id' => 'agent-7', 'rtm_token_expire' => 900]);

    $token = $client->buildRtmToken(APP_ID, 'rtm-user-1', 3000);
    $records[] = verifierRecord('rtm007', 'rtm007', $token, ['user_id' => 'rtm-user-1', 'token_expire' => 3000]);

    $token = $client->buildRtmToken(APP_ID, 'rtm-user-1', 0, ['tokenVersion' => '006']);
    $records[] = verifierRecord('rtm006', 'rtm006', $token, ['user_id' => 'rtm-user-1', 'privilege_expired_ts' => 0]);

    $token = $client->buildChatUserToken(APP_ID, 'chat_user', 600);
    $records[] = verifierRecord('chat007_user', 'chat007', $token, ['user_id' => 'chat_user', 'token_expire' => 600]);
    $token = $client->buildChatAppToken(APP_ID, 900);
    $records[] = verifierRecord('chat007_app', 'chat007', $token, ['user_id' => '', 'token_expire' => 900]);

    checkVerified($records);

    // The same check must notice a damaged token, or it proves nothing.
    $damaged = $records[2];
    $middle = intdiv(strlen($damaged['token']), 2);
    $damaged['token'][$middle] = $damaged['token'][$middle] === 'A' ? 'B' : 'A';
    [$status, $summary, $output] = runVerifier([$records[0], $damaged]);
    checkSame('1 passed, 1 failed', $summary, $output);
    check($status !== 0 && str_contains($output, 'case=rtc007_uid '), $output);
});

test('newer_kinds_pass_agora_official_package', function (): void {
    $client = client();
    $records = [];
    $records[] = verifierRecord('fpa007', 'fpa007', $client->buildFpaToken(APP_ID), ['token_expire' => 0]);
    $records[] = verifierRecord('apaas007_room_user', 'apaas007_room_user',
        $client->buildRoomUserToken(APP_ID, 'room-uuid-1', 'user-uuid-1', 2, 3600),
        ['room_uuid' => 'room-uuid-1', 'user_uuid' => 'user-uuid-1', 'role' => 2, 'token_expire' => 3600]);
    $records[] = verifierRecord('apaas007_user', 'apaas007_user', $client->buildApaasUserToken(APP_ID, 'user-uuid-2', 1800),
        ['user_uuid' => 'user-uuid-2', 'token_expire' => 1800]);
    $records[] = verifierRecord('apaas007_app', 'apaas007_app', $client->buildApaasAppToken(APP_ID, 1200),
        ['token_expire' => 1200]);
    $agent = ['channel_name' => 'agents', 'role' => 1, 'token_expire' => 3600, 'privilege_expires' =>
        ['join_channel' => 0, 'publish_audio' => 600, 'publish_video' => 0, 'publish_data_stream' => 0],
        'rtm_user_id' => 'agent-1', 'rtm_token_expire' => 0];
    $records[] = verifierRecord('convoai007', 'convoai007',
        $client->buildConvoAiToken(APP_ID, 'agents', 1001, Role::PUBLISHER, 3600, 0, 600, 0, 0, 'agent-1', 0),
        $agent + ['uid' => 1001]);
    $records[] = verifierRecord('stt007', 'stt007',
        $client->buildSttToken(APP_ID, 'agents', 'stt-bot', 'publisher', 3600, 0, 600, 0, 0, 'agent-1', 0),
        $agent + ['account' => 'stt-bot']);
    $resources = [['resource_type' => 0, 'permissions' => [['permission_type' => 0, 'names' => ['lobby']]]]];
    $records[] = verifierRecord('rtm2_007', 'rtm2_007',
        $client->buildRtmToken(APP_ID, 'rtm2-user', 2400, ['rtm2Resources' => $resources]),
        ['user_id' => 'rtm2-user', 'token_expire' => 2400, 'rtm2_resources' => $resources]);
    $token = $client->buildAccessToken(['appId' => APP_ID, 'tokenExpireSeconds' => 3600, 'services' => [
        ['type' => 'rtc', 'channelName' => 'mixed', 'account' => '77', 'privileges' => [['privilege' => 1],
            ['privilege' => 2, 'expireSeconds' => 600]]],
        ['type' => 'SERVICE_TYPE_RTM', 'userId' => 'mixed-user', 'privileges' => [['privilege' => 1]]],
    ]]);
    $records[] = verifierRecord('access_token2_007', 'access_token2_007', $token, ['token_expire' => 3600, 'services' => [
        ['type' => 1, 'channel_name' => 'mixed', 'account' => '77', 'privileges' => [[1, 0], [2, 600]]],
        ['type' => 2, 'user_id' => 'mixed-user', 'privileges' => [[1, 0]]],
    ]]);
    checkVerified($records);
});

test('batch_items_come_back_as_tokens_and_exceptions', function (): void {
    $results = client()->buildTokens([
        ['rtcWithAccount' => ['appId' => APP_ID, 'channelName' => 'fine', 'account' => 'erin', 'role' => 'subscriber']],
        ['rtc_with_uid' => ['app_id' => APP_ID, 'channel_name' => 'bad*name', 'uid' => 5]],
        ['chat' => ['appId' => APP_ID, 'kind' => 'user', 'userId' => 'frank']],
    ]);
    checkSame(3, count($results));
    check($results[0] instanceof IssuedToken && str_starts_with($results[0]->token, '007'), 'item 0 is a token');
    check($results[1] instanceof TokenServiceException, 'item 1 failed');
    checkSame(3, $results[1]->getCode());
    checkSame('invalid_argument', $results[1]->connectCode);
    checkSame(['channel_name'], $results[1]->fields());
    check($results[2] instanceof IssuedToken, 'item 2 is a token');
    checkSame('SERVICE_TYPE_CHAT', $results[2]->privilegeExpiries[0]->service);
    checkVerified([verifierRecord('batch_rtc007', 'rtc007', $results[0], ['channel_name' => 'fine',
        'account' => 'erin', 'role' => 2, 'privilege_expire' => 0, 'token_expire' => 0, 'with_rtm' => false])]);
});

test('decode_token_checks_signature_and_lists_services', function (): void {
    $client = client();
    $token = $client->buildTokenWithUid(APP_ID, 'decode-me', 99, Role::PUBLISHER, 0, ['tokenVersion' => '006']);
    $decoded = $client->decodeToken((string) $token);
    check($decoded instanceof DecodedToken, 'a DecodedToken');
    checkSame('SIGNATURE_STATE_NOT_CHECKED', $decoded->signature, 'a 006 token without its subject');
    $decoded = $client->decodeToken($token->token, ['channelName' => 'decode-me', 'uid' => 99]);
    checkSame('SIGNATURE_STATE_VALID', $decoded->signature);
    check($decoded->isValid(), 'valid');
    checkSame(APP_ID, $decoded->appId);
    check($decoded->token006 !== null && $decoded->token007 === null, '006 details');
    checkSame('SIGNATURE_STATE_INVALID', $client->decodeToken($token->token,
        ['channelName' => 'decode-me', 'uid' => 100])->signature, 'another uid');

    $token = $client->buildTokenWithUserAccount(APP_ID, 'acct', 'bob@example', Role::SUBSCRIBER);
    $decoded = $client->decodeToken($token->token);
    check($decoded->isValid(), 'valid');
    checkSame($token->issueTs, $decoded->issueTs);
    $rtc = $decoded->services()[0];
    checkSame(['SERVICE_TYPE_RTC', 'acct', 'bob@example'], [$rtc['type'], $rtc['channelName'], $rtc['account']]);
    checkSame([1], array_column($rtc['privileges'], 'privilege'), 'a subscriber may only join');
});

test('example_prints_a_token_the_server_decodes_as_valid', function (): void {
    [$status, $output] = runBounded([PHP_BINARY, REPO_ROOT . '/clients/php/example.php', DEV_URL]);
    checkSame(0, $status, $output);
    $lines = explode("\n", trim($output));
    $token = end($lines);
    check(str_starts_with($token, '007'), 'a 007 token: ' . substr($token, 0, 3));
    $decoded = client()->decodeToken($token);
    checkSame(DEV_APP_ID, $decoded->appId);
    check($decoded->isValid(), 'valid');
    $rtc = $decoded->services()[0];
    checkSame(['demo-channel', '2882341273'], [$rtc['channelName'], $rtc['account']]);
    checkSame(3600, $decoded->expireTs - $decoded->issueTs);
});

// --- Errors from the real server -----------------------------------------------------------------

test('invalid_channel_name_throws_with_field_violation', function (): void {
    $e = expectThrows(TokenServiceException::class,
        fn () => client()->buildTokenWithUid(APP_ID, 'bad*name', 1, Role::PUBLISHER, 0));
    checkSame('invalid_argument', $e->connectCode);
    checkSame(3, $e->getCode());
    checkSame('INVALID_ARGUMENT', $e->codeName());
    checkSame(400, $e->httpStatus);
    checkSame(['channel_name'], $e->fields(), $e->getMessage());
    check($e->fieldViolations[0]->description !== '', 'a description');
    check(!str_contains($e->getMessage(), APP_CERTIFICATE), 'no certificate in the message');
});

test('unknown_app_and_misspelt_field_are_refused', function (): void {
    $e = expectThrows(TokenServiceException::class,
        fn () => client()->buildTokenWithUid(str_repeat('ab', 16), 'room', 1));
    checkSame('not_found', $e->connectCode);
    checkSame(5, $e->getCode());
    // A field the request does not have is an error, not a default.
    $e = expectThrows(TokenServiceException::class,
        fn () => client()->invoke('BuildRtcTokenWithUid', ['appId' => APP_ID, 'channelNmae' => 'room']));
    checkSame('invalid_argument', $e->connectCode);
});

// --- TLS, API keys and mutual TLS --------------------------------------------------------------

test('https_with_a_test_ca_and_an_api_key', function (): void {
    $client = new TokenClient(TLS_URL, ['caFile' => WORK_DIR . '/ca.crt', 'apiKey' => API_KEY]);
    $token = $client->buildTokenWithUid(APP_ID, 'tls-room', 31337, Role::PUBLISHER, 0, ['tokenVersion' => '007']);
    checkVerified([verifierRecord('tls_rtc007', 'rtc007', $token, ['channel_name' => 'tls-room', 'uid' => 31337,
        'role' => 1, 'privilege_expire' => 0, 'token_expire' => 0, 'with_rtm' => false])]);
    check($client->decodeToken($token->token)->isValid(), 'decoded as valid');
});

test('refused_api_keys_are_unauthenticated', function (): void {
    foreach (['wrong key' => ['apiKey' => 'not-the-key-' . str_repeat('x', 32)], 'no key' => []] as $what => $key) {
        $client = new TokenClient(TLS_URL, ['caFile' => WORK_DIR . '/ca.crt'] + $key);
        $e = expectThrows(TokenServiceException::class, fn () => $client->buildTokenWithUid(APP_ID, 'room', 1));
        checkSame('unauthenticated', $e->connectCode, $what);
        checkSame(16, $e->getCode(), $what);
        checkSame(401, $e->httpStatus, $what);
        check(!str_contains($e->getMessage(), 'not-the-key'), "$what: the key is not echoed");
    }
});

test('tls_with_an_unknown_ca_fails_without_retries', function (): void {
    $client = new TokenClient(TLS_URL, ['caFile' => WORK_DIR . '/other-ca.crt', 'apiKey' => API_KEY]);
    $e = expectThrows(TokenServiceException::class, fn () => $client->buildTokenWithUid(APP_ID, 'room', 1));
    checkSame('unavailable', $e->connectCode);
    checkSame(null, $e->httpStatus);
    // CURLE_PEER_FAILED_VERIFICATION: not among the errors that are retried.
    checkSame(60, $e->curlError, $e->getMessage());
    // Plain HTTP to the TLS port reaches nothing either.
    $plain = new TokenClient(str_replace('https:', 'http:', TLS_URL), ['timeout' => 3]);
    expectThrows(TokenServiceException::class, fn () => $plain->buildTokenWithUid(APP_ID, 'room', 1));
});

test('mutual_tls_client_certificate_names_the_caller', function (): void {
    $client = new TokenClient(MTLS_URL, ['caFile' => WORK_DIR . '/ca.crt',
        'certFile' => WORK_DIR . '/php-backend.crt', 'keyFile' => WORK_DIR . '/php-backend.key']);
    $token = $client->buildTokenWithUserAccount(APP_ID, 'mtls-room', 'carol', Role::PUBLISHER, 0,
        ['tokenVersion' => '006']);
    checkVerified([verifierRecord('mtls_rtc006', 'rtc006', $token, ['channel_name' => 'mtls-room',
        'account' => 'carol', 'role' => 1, 'privilege_expired_ts' => 0])]);

    // A certificate that names no caller needs the API key too.
    $stranger = ['caFile' => WORK_DIR . '/ca.crt', 'certFile' => WORK_DIR . '/stranger.crt',
        'keyFile' => WORK_DIR . '/stranger.key'];
    $e = expectThrows(TokenServiceException::class,
        fn () => (new TokenClient(MTLS_URL, $stranger))->buildTokenWithUid(APP_ID, 'room', 1));
    checkSame('unauthenticated', $e->connectCode);
    $token = (new TokenClient(MTLS_URL, $stranger + ['apiKey' => API_KEY]))->buildTokenWithUid(APP_ID, 'room', 1);
    check(str_starts_with($token->token, '007'), 'the API key caller builds');

    // Without a client certificate the server ends the handshake.
    $e = expectThrows(TokenServiceException::class, fn () => (new TokenClient(MTLS_URL,
        ['caFile' => WORK_DIR . '/ca.crt', 'apiKey' => API_KEY, 'timeout' => 3]))->buildTokenWithUid(APP_ID, 'room', 1));
    check($e->curlError !== null, 'a transport error: ' . $e->getMessage());
});

// --- What the client sends, retries, deadlines (scripted endpoint) -------------------------------

test('requests_are_connect_json_with_key_and_timeout_headers', function (): void {
    $calls = withScripted('ok', function (string $url): void {
        $token = (new TokenClient($url, ['apiKey' => 'k-123', 'timeout' => 3]))
            ->buildTokenWithUid(APP_ID, 'room', 7, 'subscriber', 0, ['token_version' => '006', 'with_rtm' => null]);
        checkSame('007stub', (string) $token);
        checkSame([], $token->privilegeExpiries);
        (new TokenClient($url))->buildChatAppToken(APP_ID);
    });
    checkSame(2, count($calls));
    [$first, $second] = $calls;
    checkSame('POST', $first['method']);
    checkSame('/agora.token.v1.TokenService/BuildRtcTokenWithUid', $first['path']);
    checkSame('application/json', $first['headers']['content-type']);
    checkSame('1', $first['headers']['connect-protocol-version']);
    checkSame('Bearer k-123', $first['headers']['authorization']);
    $timeoutMs = (int) $first['headers']['connect-timeout-ms'];
    check($timeoutMs > 1000 && $timeoutMs <= 3000, "Connect-Timeout-Ms $timeoutMs for a 3 s timeout");
    checkSame(['appId' => APP_ID, 'channelName' => 'room', 'uid' => 7, 'role' => 'ROLE_SUBSCRIBER',
        'privilegeExpiredTs' => 0, 'tokenVersion' => 'TOKEN_VERSION_006'], json_decode($first['body'], true));
    check(!isset($second['headers']['authorization']), 'no key, no header');
    $timeoutMs = (int) $second['headers']['connect-timeout-ms'];
    check($timeoutMs > 3000 && $timeoutMs <= 5000, "Connect-Timeout-Ms $timeoutMs by default (5 s)");
    checkSame(['appId' => APP_ID, 'kind' => 'CHAT_TOKEN_KIND_APP', 'tokenExpireSeconds' => 0],
        json_decode($second['body'], true));
});

test('unavailable_is_retried_and_invalid_argument_is_not', function (): void {
    $calls = withScripted('unavailable-twice', function (string $url): void {
        checkSame('007stub', (new TokenClient($url))->buildFpaToken(APP_ID)->token);
    });
    checkSame(3, count($calls), 'two 503s, then the answer');

    $calls = withScripted('invalid-argument', function (string $url): void {
        $e = expectThrows(TokenServiceException::class, fn () => (new TokenClient($url))->buildFpaToken(APP_ID));
        checkSame('invalid_argument', $e->connectCode);
        // Read from the base64 protobuf bytes: there is no "debug".
        checkSame(['channel_name', 'uid'], $e->fields());
        checkSame('must be nonzero with with_rtm', $e->fieldViolations[1]->description);
    });
    checkSame(1, count($calls));
});

test('gives_up_after_the_shared_max_attempts', function (): void {
    $started = microtime(true);
    $calls = withScripted('unavailable-always', function (string $url): void {
        $e = expectThrows(TokenServiceException::class, fn () => (new TokenClient($url))->buildFpaToken(APP_ID));
        checkSame('unavailable', $e->connectCode);
        checkSame(14, $e->getCode());
        checkSame(503, $e->httpStatus);
    });
    checkSame(4, TokenClient::retryPolicy()['maxAttempts'], 'the README states it');
    checkSame(4, count($calls));
    // Three waits below 0.1, 0.2 and 0.4 s.
    check(microtime(true) - $started < 5.0, 'backoff stays small');

    // A proxy's 503 page is `unavailable` too, and retried.
    $calls = withScripted('not-connect', function (string $url): void {
        $e = expectThrows(TokenServiceException::class, fn () => (new TokenClient($url))->buildFpaToken(APP_ID));
        checkSame('unavailable', $e->connectCode);
        checkSame('HTTP 503', $e->details);
    });
    checkSame(4, count($calls));
});

test('error_details_fall_back_to_debug_and_carry_retry_delay', function (): void {
    withScripted('debug-only', function (string $url): void {
        $e = expectThrows(TokenServiceException::class, fn () => (new TokenClient($url))->buildFpaToken(APP_ID));
        checkSame(['account'], $e->fields());
    });
    $calls = withScripted('resource-exhausted', function (string $url): void {
        $e = expectThrows(TokenServiceException::class, fn () => (new TokenClient($url))->buildFpaToken(APP_ID));
        checkSame('resource_exhausted', $e->connectCode);
        checkSame(8, $e->getCode());
        checkSame(1.5, $e->retryDelay, 'from RetryInfo, not Retry-After');
    });
    checkSame(1, count($calls), 'resource_exhausted is not retried');
});

test('connection_refused_is_retried_then_unavailable', function (): void {
    $port = freePort();
    $e = expectThrows(TokenServiceException::class,
        fn () => (new TokenClient("http://127.0.0.1:$port"))->buildFpaToken(APP_ID));
    checkSame('unavailable', $e->connectCode);
    checkSame(7, $e->curlError, 'CURLE_COULDNT_CONNECT');
});

test('the_deadline_covers_the_call', function (): void {
    $calls = withScripted('slow', function (string $url): void {
        $started = microtime(true);
        $e = expectThrows(TokenServiceException::class,
            fn () => (new TokenClient($url, ['timeout' => 5]))->withTimeout(0.5)->buildFpaToken(APP_ID));
        checkSame('deadline_exceeded', $e->connectCode);
        checkSame(4, $e->getCode());
        $elapsed = microtime(true) - $started;
        check($elapsed >= 0.45 && $elapsed < 2.5, "gave up after $elapsed s, before the 3 s answer");
    });
    checkSame(1, count($calls), 'a deadline is not retried');
});

// --- Configuration and arguments -------------------------------------------------------------------

test('client_reads_the_shared_service_config', function (): void {
    checkSame(SHARED_SERVICE_CONFIG_PATH, realpath((string) TokenClient::serviceConfigPath()));
    $shared = json_decode((string) file_get_contents(SHARED_SERVICE_CONFIG_PATH), true);
    checkSame($shared, TokenClient::serviceConfig());
    checkSame(5.0, TokenClient::defaultTimeout(), 'the README states it');
    checkSame(5.0, (new TokenClient(DEV_URL))->timeout());
    checkSame(['maxAttempts' => 4, 'initialBackoff' => 0.1, 'maxBackoff' => 1.0, 'multiplier' => 2.0,
        'codes' => ['unavailable', 'canceled']], TokenClient::retryPolicy());
    // The built-in copy, for a package without the file, must say the same.
    $builtIn = (new ReflectionClass(TokenClient::class))->getConstant('BUILT_IN_SERVICE_CONFIG');
    checkSame($shared, $builtIn);
});

test('bad_arguments_are_refused_before_sending', function (): void {
    expectThrows(InvalidArgumentException::class, fn () => new TokenClient('127.0.0.1:8080'));
    expectThrows(InvalidArgumentException::class, fn () => new TokenClient(DEV_URL, ['api_key' => 'k']));
    expectThrows(InvalidArgumentException::class, fn () => new TokenClient(DEV_URL, ['timeout' => 0]));
    expectThrows(InvalidArgumentException::class, fn () => new TokenClient(DEV_URL, ['certFile' => __FILE__]));
    expectThrows(InvalidArgumentException::class, fn () => client()->buildTokenWithUid(APP_ID, "\xff", 1));
    expectThrows(InvalidArgumentException::class,
        fn () => client()->buildTokenWithRtm2(APP_ID, 'c', 1, Role::SUBSCRIBER, 3600, 60, 0, 0, 0, 'r', 0));
});

// --- Run -------------------------------------------------------------------------------------------

$filter = $argv[1] ?? '';
$failed = 0;
$number = 0;
$selected = array_filter($tests, static fn (string $name) => $filter === '' || str_contains($name, $filter),
    ARRAY_FILTER_USE_KEY);
echo '1..' . count($selected) . "\n";
$started = microtime(true);
foreach ($selected as $name => $body) {
    ++$number;
    $t = microtime(true);
    try {
        $body();
        printf("ok %d - %s (%.2f s)\n", $number, $name, microtime(true) - $t);
    } catch (Throwable $e) {
        ++$failed;
        printf("not ok %d - %s\n", $number, $name);
        $where = $e instanceof AssertionFailed ? '' : get_class($e) . ' at ' . basename($e->getFile()) . ':' . $e->getLine() . ': ';
        echo preg_replace('/^/m', '#   ', $where . $e->getMessage()), "\n";
    }
}
foreach ($servers as $name => $server) {
    $code = $server->stop();
    if ($code !== 0) {
        ++$failed;
        echo "# $name server exited with $code; log:\n", preg_replace('/^/m', '#   ', $server->log()), "\n";
    }
}
printf("# %d passed, %d failed in %.1f s\n", count($selected) - $failed, $failed, microtime(true) - $started);
exit($failed > 0 ? 1 : 0);
