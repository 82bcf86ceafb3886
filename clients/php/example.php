<?php
// Builds one 007 RTC token with a running token server and prints it.
//
// Usage: php example.php [BASE_URL]   (default http://127.0.0.1:8080: a server
// started with --http_listen=127.0.0.1:8080 on deploy/dev/keyring.textproto,
// whose public sample app id is used here). TOKEN_API_KEY, if set, is sent
// as the API key.

declare(strict_types=1);

require __DIR__ . '/autoload.php'; // or Composer's vendor/autoload.php

use Agora\TokenService\Role;
use Agora\TokenService\TokenClient;
use Agora\TokenService\TokenServiceException;

const DEV_APP_ID = '970CA35de60c44645bbae8a215061b33';

$options = getenv('TOKEN_API_KEY') ? ['apiKey' => getenv('TOKEN_API_KEY')] : [];
$client = new TokenClient($argv[1] ?? 'http://127.0.0.1:8080', $options);
try {
    // As RtcTokenBuilder::buildTokenWithUid($appId, $appCertificate, ...), less the certificate.
    $token = $client->buildTokenWithUid(DEV_APP_ID, 'demo-channel', 2882341273, Role::PUBLISHER, 0,
        ['tokenVersion' => '007', 'tokenExpireSeconds' => 3600]);
} catch (TokenServiceException $e) {
    fwrite(STDERR, "token service error: {$e->getMessage()}\n");
    exit(1);
}
echo $token, "\n";
