# Compose, .dockerignore and build-context tests (included from tests/CMakeLists.txt): the KICS
# dockerCompose conformance runner (through the real `drydock lint -f json`) and the comparison
# of .dockerignore semantics with a real `podman build`, which needs lint_helper to list the
# files of a context that the builder receives (the CLI has no such listing).
add_executable(lint_helper ${CMAKE_CURRENT_LIST_DIR}/lint_helper.c)
target_include_directories(lint_helper PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_link_libraries(lint_helper PRIVATE drydock_lib)

find_package(Python3 COMPONENTS Interpreter)
set(DD_KICS_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance/kics" CACHE PATH
    "KICS query test cases (dockerfile/ and dockerCompose/)")
if(Python3_FOUND AND EXISTS "${DD_KICS_DIR}/dockerCompose")
  add_test(NAME lint/kics_compose
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/kics_compose.py
                   --drydock $<TARGET_FILE:drydock> --kics ${DD_KICS_DIR})
endif()

# Needs podman; the script exits 77 (skipped) without it.
add_test(NAME lint/dockerignore_podman
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_dockerignore_podman.sh
                 $<TARGET_FILE:lint_helper>)
set_tests_properties(lint/dockerignore_podman PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL ON
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")
