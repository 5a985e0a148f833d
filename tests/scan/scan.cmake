# End-to-end vulnerability scan tests on a real Debian 11 image (tests/scan/README.md).
# Included from tests/CMakeLists.txt after DD_TEST_IMAGES and BASH are set.
set(DD_SCAN_DIR ${CMAKE_CURRENT_LIST_DIR})
set(DD_VULNDATA ${PROJECT_SOURCE_DIR}/../shared/vulndata)

# The image: debootstrap bullseye plus relabelled packages installed by dpkg in a second layer;
# cached in DD_TEST_IMAGES/bullseye/, 1.5 to 4 minutes cold, a second warm.
add_test(NAME images/bullseye
         COMMAND ${BASH} ${DD_SCAN_DIR}/../images/bullseye.sh ${DD_TEST_IMAGES})
set_tests_properties(images/bullseye PROPERTIES
  FIXTURES_SETUP bullseye TIMEOUT 1800 RUN_SERIAL ON)

# The image is what the tests assume, and the oracle holds the hand-pinned facts.
add_test(NAME scan/bullseye-oracle
         COMMAND ${BASH} ${DD_SCAN_DIR}/test_oracle.sh ${DD_TEST_IMAGES} ${DD_VULNDATA})
set_tests_properties(scan/bullseye-oracle PROPERTIES
  FIXTURES_REQUIRED bullseye TIMEOUT 300
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")

# drydock image on every form of the image against the oracle; skipped (77) while drydock has
# no `image` or `db` command.
add_test(NAME scan/bullseye-compare
         COMMAND ${BASH} ${DD_SCAN_DIR}/compare.sh $<TARGET_FILE:drydock> ${DD_TEST_IMAGES}
                 ${DD_VULNDATA})
set_tests_properties(scan/bullseye-compare PROPERTIES
  FIXTURES_REQUIRED bullseye TIMEOUT 900 SKIP_RETURN_CODE 77
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")

# CLI cases on the bullseye-vuln image (tests/scan/cases/scan_*.case, run by tests/cli/run_case.sh
# as the cases of tests/cli/cases/ are): suppression, --ignore-unfixed and the CI gate's exit
# codes on a real image, and scan-sbom on unusable input. They need the image, so they are
# registered here with the "bullseye" fixture rather than by tests/CMakeLists.txt.
file(GLOB DD_SCAN_CASES CONFIGURE_DEPENDS ${DD_SCAN_DIR}/cases/scan_*.case)
foreach(case IN LISTS DD_SCAN_CASES)
  get_filename_component(name ${case} NAME_WE)
  add_test(NAME cli/${name}
           COMMAND ${BASH} ${DD_SCAN_DIR}/../cli/run_case.sh $<TARGET_FILE:drydock> ${case})
  set_tests_properties(cli/${name} PROPERTIES
    ENVIRONMENT "DD_TEST_DATA=${DD_SCAN_DIR}/../data;DD_TEST_IMAGES=${DD_TEST_IMAGES};DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp"
    FIXTURES_REQUIRED bullseye TIMEOUT 300)
endforeach()

# drydock image --scanners secret,config,hygiene on the leaky image of tests/imgcheck/build.sh:
# every class of issue with its layer, no secret in any format, the gate on issues.
add_test(NAME scan/image_scanners
         COMMAND ${BASH} ${DD_SCAN_DIR}/test_image_scanners.sh $<TARGET_FILE:drydock>
                 ${DD_TEST_IMAGES} ${PROJECT_SOURCE_DIR}/../shared/schemas
                 ${PROJECT_SOURCE_DIR}/docs/scan-report.schema.json)
set_tests_properties(scan/image_scanners PROPERTIES
  FIXTURES_REQUIRED "images;imgcheck_images" TIMEOUT 300
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")
