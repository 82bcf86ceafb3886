# Install: the AgoraToken CMake package and agora-token.pc.
# core/, proto/ and clients/cpp/ add their libraries and headers to the
# AgoraTokenTargets export set; this block turns it into a package that
# find_package(AgoraToken CONFIG) finds, plus a pkg-config file.
# tests/install builds an out-of-tree consumer against both.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(AGORA_TOKEN_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/AgoraToken)
install(EXPORT AgoraTokenTargets
  NAMESPACE AgoraToken::
  FILE AgoraTokenTargets.cmake
  DESTINATION ${AGORA_TOKEN_CMAKE_INSTALL_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/AgoraTokenConfig.cmake.in
  ${PROJECT_BINARY_DIR}/AgoraTokenConfig.cmake
  INSTALL_DESTINATION ${AGORA_TOKEN_CMAKE_INSTALL_DIR})
# 0.x: a minor release may change the API.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/AgoraTokenConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/AgoraTokenConfig.cmake
    ${PROJECT_BINARY_DIR}/AgoraTokenConfigVersion.cmake
  DESTINATION ${AGORA_TOKEN_CMAKE_INSTALL_DIR})

# The libraries are static, so everything they call goes in Requires/Libs
# (not the .private fields): `pkg-config --libs agora-token` must link.
file(RELATIVE_PATH AGORA_TOKEN_PC_PREFIX_FROM_PCDIR
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" AGORA_TOKEN_PC_PREFIX_FROM_PCDIR "${AGORA_TOKEN_PC_PREFIX_FROM_PCDIR}")
set(AGORA_TOKEN_PC_REQUIRES "absl_status absl_statusor absl_strings zlib")
set(AGORA_TOKEN_PC_LIBS "-lagora_token_core")
if(AGORA_TOKEN_CRYPTO STREQUAL "openssl")
  string(APPEND AGORA_TOKEN_PC_REQUIRES " libcrypto")
else()
  get_filename_component(_agora_token_boringssl_dir ${BORINGSSL_CRYPTO_LIBRARY} DIRECTORY)
  string(APPEND AGORA_TOKEN_PC_LIBS
    " ${BORINGSSL_CRYPTO_LIBRARY} -Wl,-rpath,${_agora_token_boringssl_dir}")
endif()
if(AGORA_TOKEN_BUILD_SERVER)
  set(AGORA_TOKEN_PC_DESCRIPTION "Agora access tokens: offline core and gRPC client")
  set(AGORA_TOKEN_PC_REQUIRES "grpc++ protobuf absl_cord ${AGORA_TOKEN_PC_REQUIRES}")
  set(AGORA_TOKEN_PC_LIBS "-lagora_token_client -lagora_token_proto ${AGORA_TOKEN_PC_LIBS}")
else()
  set(AGORA_TOKEN_PC_DESCRIPTION "Agora access tokens: offline core")
endif()
# A sanitized build's libraries need the sanitizer runtimes in every program
# that links them (tests/install builds such programs).
if(AGORA_TOKEN_SANITIZER_FLAGS)
  foreach(_agora_token_lib agora_token_core agora_token_proto agora_token_client)
    if(TARGET ${_agora_token_lib})
      target_link_options(${_agora_token_lib} INTERFACE ${AGORA_TOKEN_SANITIZER_FLAGS})
    endif()
  endforeach()
  list(JOIN AGORA_TOKEN_SANITIZER_FLAGS " " _agora_token_sanitizer_flags_text)
  string(APPEND AGORA_TOKEN_PC_LIBS " ${_agora_token_sanitizer_flags_text}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/agora-token.pc.in
  ${PROJECT_BINARY_DIR}/agora-token.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/agora-token.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
