# Go binaries against `go version -m` (Debian's golang-1.19-go): go_bins.sh gathers the real
# binaries once under DD_TEST_IMAGES/go, test_go.sh compares. Included from tests/CMakeLists.txt.
add_test(NAME lang/go_bins COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/go_bins.sh ${DD_TEST_IMAGES})
set_tests_properties(lang/go_bins PROPERTIES FIXTURES_SETUP go_bins TIMEOUT 1200 RUN_SERIAL ON)
add_test(NAME lang/go_vs_go_version
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_go.sh $<TARGET_FILE:drydock> ${DD_TEST_IMAGES})
set_tests_properties(lang/go_vs_go_version PROPERTIES FIXTURES_REQUIRED go_bins TIMEOUT 600)
