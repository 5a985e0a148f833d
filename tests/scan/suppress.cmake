# Suppression tests beyond the unit tests (included from tests/CMakeLists.txt): the VEX test
# documents validate against the official CycloneDX 1.6 and OpenVEX 0.2.0 schemas.
add_test(NAME scan/vex_schemas COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/vex_schemas.sh)
set_tests_properties(scan/vex_schemas PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
