# Sanitizers and fuzzing for every target of this project; included by the
# root CMakeLists before any target is defined.
# AGORA_TOKEN_SANITIZE instruments every target of this project (Debian's
# gRPC, protobuf and Abseil stay uninstrumented); scripts/test-sanitizers.sh
# runs the tests under it. AGORA_TOKEN_FUZZ needs clang: it adds ASan and
# UBSan everywhere and builds the targets of tests/fuzz (scripts/fuzz.sh),
# which add libFuzzer's coverage instrumentation to the libraries they fuzz. UBSan findings abort, so a test or
# fuzzer cannot pass over undefined behaviour.
set(AGORA_TOKEN_SANITIZE "" CACHE STRING "Sanitizer for every target: address (ASan+UBSan), thread, or empty")
set_property(CACHE AGORA_TOKEN_SANITIZE PROPERTY STRINGS "" address thread)
option(AGORA_TOKEN_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)
set(AGORA_TOKEN_SANITIZER_FLAGS "")
if(AGORA_TOKEN_SANITIZE STREQUAL "address" OR AGORA_TOKEN_FUZZ)
  set(AGORA_TOKEN_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(AGORA_TOKEN_SANITIZE STREQUAL "thread")
  set(AGORA_TOKEN_SANITIZER_FLAGS -fsanitize=thread)
elseif(NOT AGORA_TOKEN_SANITIZE STREQUAL "")
  message(FATAL_ERROR "AGORA_TOKEN_SANITIZE must be address, thread or empty, not '${AGORA_TOKEN_SANITIZE}'")
endif()
if(AGORA_TOKEN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AGORA_TOKEN_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(AGORA_TOKEN_SANITIZE STREQUAL "thread")
    message(FATAL_ERROR "AGORA_TOKEN_FUZZ runs under ASan and UBSan; it cannot be combined with AGORA_TOKEN_SANITIZE=thread")
  endif()
endif()
if(AGORA_TOKEN_SANITIZER_FLAGS)
  add_compile_options(${AGORA_TOKEN_SANITIZER_FLAGS} -fno-omit-frame-pointer)
  add_link_options(${AGORA_TOKEN_SANITIZER_FLAGS})
endif()
