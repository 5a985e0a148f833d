# `drydock db update` against a loopback HTTP server laid out like osv.dev's bucket, with
# archives built from ../shared/vulndata (tests/vulndb/update/README.md). Included from
# tests/CMakeLists.txt; the script exits 77 (skipped) without python3 or the data.
find_package(Python3 COMPONENTS Interpreter)
set(DD_VULNDATA_DIR "${PROJECT_SOURCE_DIR}/../shared/vulndata" CACHE PATH
    "OSV test data: one <source>.osv.jsonl per source")
add_test(NAME vulndb/update
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_update.sh $<TARGET_FILE:drydock>
                 ${DD_VULNDATA_DIR})
set_tests_properties(vulndb/update PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 600
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp;PYTHON3=${Python3_EXECUTABLE}")
