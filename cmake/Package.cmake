# The Debian package, agora-token-server_<version>_amd64.deb (`cpack -G DEB`
# in the build tree): the server and the CLI in /usr/bin, the systemd unit
# of deploy/systemd (pointed at /usr/bin), its sysusers.d file, and
# /etc/agora-token/ with the example config (no secrets; keyring/ and tls/
# are left for the operator). postinst creates the agora-token system user
# (uid 10001 when free, as in the image); purge removes it and the folder.
# Only the "deb" component goes in: the libraries and headers that
# cmake/Install.cmake installs are for `cmake --install`, not for the package.
# tests/container/deb_test.sh installs, runs and removes it in a container.
if(NOT TARGET agora-token-server OR NOT TARGET agora-token)
  return()
endif()

install(TARGETS agora-token-server agora-token RUNTIME DESTINATION bin COMPONENT deb)

# The unit as deploy/systemd ships it, with the binary where a package
# puts it; fails the configure if that line ever changes shape.
file(READ ${PROJECT_SOURCE_DIR}/deploy/systemd/agora-token-server.service _agora_token_unit)
string(REPLACE "ExecStart=/usr/local/bin/agora-token-server" "ExecStart=/usr/bin/agora-token-server"
  _agora_token_packaged_unit "${_agora_token_unit}")
if(_agora_token_packaged_unit STREQUAL _agora_token_unit)
  message(FATAL_ERROR "deploy/systemd/agora-token-server.service: no ExecStart=/usr/local/bin/agora-token-server to repoint")
endif()
file(WRITE ${PROJECT_BINARY_DIR}/deb/agora-token-server.service "${_agora_token_packaged_unit}")
install(FILES ${PROJECT_BINARY_DIR}/deb/agora-token-server.service
  DESTINATION lib/systemd/system COMPONENT deb)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/agora-token-server.sysusers.conf
  DESTINATION lib/sysusers.d RENAME agora-token-server.conf COMPONENT deb)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/k8s/base/config.textproto
  DESTINATION /etc/agora-token RENAME config.textproto.example COMPONENT deb)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME agora-token-server)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Agora token service maintainers <agora-token@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "gRPC service that mints Agora access tokens")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_COMPONENTS_ALL deb)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# useradd/userdel for the maintainer scripts; /bin/kill for the unit's ExecReload.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/cmake/deb/conffiles
  ${PROJECT_SOURCE_DIR}/cmake/deb/postinst
  ${PROJECT_SOURCE_DIR}/cmake/deb/prerm
  ${PROJECT_SOURCE_DIR}/cmake/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
