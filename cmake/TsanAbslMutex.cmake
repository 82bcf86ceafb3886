# Included by the root CMakeLists after every target is defined.
# TSan cannot see the locks inside Debian's uninstrumented absl::Mutex, which
# gRPC uses for every hand-off between its threads; every executable of a
# thread build gets tests/sanitizers/tsan_absl_mutex.cc, which tells it.
if(AGORA_TOKEN_SANITIZE STREQUAL "thread")
  add_library(agora_token_tsan_absl_mutex OBJECT tests/sanitizers/tsan_absl_mutex.cc)
  target_link_libraries(agora_token_tsan_absl_mutex PRIVATE absl::synchronization)
  function(agora_token_add_tsan_absl_mutex dir)
    get_property(_targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(_target IN LISTS _targets)
      get_target_property(_type ${_target} TYPE)
      if(_type STREQUAL "EXECUTABLE")
        target_sources(${_target} PRIVATE $<TARGET_OBJECTS:agora_token_tsan_absl_mutex>)
        # Exported, so libgrpc's calls bind to these definitions.
        target_link_options(${_target} PRIVATE -rdynamic)
      endif()
    endforeach()
    get_property(_subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    foreach(_subdir IN LISTS _subdirs)
      agora_token_add_tsan_absl_mutex(${_subdir})
    endforeach()
  endfunction()
  agora_token_add_tsan_absl_mutex(${PROJECT_SOURCE_DIR})
endif()

