'use strict'
// A scripted TokenService for the Ruby client's retry test. Ruby's own gRPC
// server sends response headers before an error status, and a client may not
// retry a call once headers arrived; grpc-js (like the real server) sends a
// trailers-only response, which the retry policy is for.
//
// Usage: node flaky_token_server.js MODE
//   MODE unavailable-twice: BuildRtcTokenWithUid fails UNAVAILABLE twice, then
//        returns token "007stub"; unavailable-always: always UNAVAILABLE;
//        invalid-argument: always INVALID_ARGUMENT.
// Prints "port N" once listening and "call N" for each call; exits when its
// stdin closes or after 60 seconds.

const path = require('path')
const grpc = require('@grpc/grpc-js')
const protoLoader = require('@grpc/proto-loader')

const mode = process.argv[2]
if (!['unavailable-twice', 'unavailable-always', 'invalid-argument'].includes(mode)) {
    console.error('usage: node flaky_token_server.js unavailable-twice|unavailable-always|invalid-argument')
    process.exit(2)
}
const definition = protoLoader.loadSync('agora/token/v1/token_service.proto',
    { includeDirs: [path.resolve(__dirname, '..', '..', '..', 'proto')] })
const service = grpc.loadPackageDefinition(definition).agora.token.v1.TokenService.service

let calls = 0
const server = new grpc.Server()
server.addService(service, {
    BuildRtcTokenWithUid(call, callback) {
        calls++
        console.log(`call ${calls}`)
        if (mode === 'invalid-argument') callback({ code: grpc.status.INVALID_ARGUMENT, details: 'bad' })
        else if (mode === 'unavailable-always' || calls < 3) callback({ code: grpc.status.UNAVAILABLE, details: 'draining' })
        else callback(null, { token: '007stub' })
    },
})
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
        console.error(error.message)
        process.exit(1)
    }
    console.log(`port ${port}`)
})
const stop = () => {
    server.forceShutdown()
    process.exit(0)
}
process.stdin.on('end', stop)
process.stdin.resume()
setTimeout(stop, 60000).unref()
