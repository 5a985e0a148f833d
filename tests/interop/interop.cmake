# Interop: SBOMs written by Trivy's core and by cdxgen for the test images, read with
# dd_sbom_read and scanned with `drydock scan-sbom`, against drydock's own catalog and findings
# of the same images (tests/interop/README.md). Included from tests/CMakeLists.txt after
# scan/scan.cmake; DD_TEST_IMAGES, the "images" fixture (tests/images/build.sh) and the
# "bullseye" fixture (tests/images/bullseye.sh, registered in scan.cmake) come from there.
add_executable(sbom_tsv ${CMAKE_CURRENT_LIST_DIR}/sbom_tsv.c)
target_link_libraries(sbom_tsv PRIVATE drydock_lib)

# fetch-tools.sh exits 77 (skipped) when node/npm are missing or the npm registry is unreachable.
add_test(NAME interop/sbom_tools
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/interop.sh $<TARGET_FILE:sbom_tsv>
                 ${DD_TEST_IMAGES} $<TARGET_FILE:drydock> ${PROJECT_SOURCE_DIR}/../shared/vulndata)
set_tests_properties(interop/sbom_tools PROPERTIES
  FIXTURES_REQUIRED "images;bullseye" SKIP_RETURN_CODE 77 TIMEOUT 1800 RUN_SERIAL ON
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")
