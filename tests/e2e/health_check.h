// grpc.health.v1.Health/Check for the whole server over a generic stub, so
// tests need no copy of health.proto: the request is empty (service ""), and
// the response's field 1 is the ServingStatus enum (0 UNKNOWN, 1 SERVING,
// 2 NOT_SERVING).
#ifndef AGORA_TOKEN_TESTS_E2E_HEALTH_CHECK_H_
#define AGORA_TOKEN_TESTS_E2E_HEALTH_CHECK_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>

namespace agora_token_e2e {

// The call's status; when OK, *serving_status holds the answer. A response
// that does not parse is INTERNAL.
grpc::Status CheckWholeServerHealth(grpc::GenericStub& stub, std::chrono::milliseconds deadline,
                                    uint32_t* serving_status);

}  // namespace agora_token_e2e

#endif  // AGORA_TOKEN_TESTS_E2E_HEALTH_CHECK_H_
