'use strict'
// Builds one 007 RTC token with a running token server and prints it.
//
// Usage: node example.js [HOST:PORT]   (default 127.0.0.1:50051; serve
// deploy/dev/keyring.textproto, whose public sample app id is used here)

const { TokenServiceClient, TokenServiceError } = require('.')

const DEV_APP_ID = '970CA35de60c44645bbae8a215061b33'

async function main() {
    const client = new TokenServiceClient(process.argv[2] || '127.0.0.1:50051')
    try {
        const response = await client.buildRtcTokenWithUid({
            appId: DEV_APP_ID,
            channelName: 'demo-channel',
            uid: 2882341273,
            role: 'ROLE_PUBLISHER',
            tokenVersion: 'TOKEN_VERSION_007',
            tokenExpireSeconds: 3600,
        })
        console.log(response.token)
        console.error(`expires at unix time ${response.expireTs}`)
    } catch (error) {
        if (!(error instanceof TokenServiceError)) throw error
        console.error(`token service error: ${error}`)
        process.exitCode = 1
    } finally {
        client.close()
    }
}

main()
