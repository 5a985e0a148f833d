# Language catalogs against each ecosystem's own tools (npm ls, importlib.metadata) on the
# image tests/images/lang.sh builds from build.sh's Debian root. Included from
# tests/CMakeLists.txt, which defines DD_TEST_IMAGES and the "images" fixture.
add_test(NAME lang/build
         COMMAND ${BASH} ${PROJECT_SOURCE_DIR}/tests/images/lang.sh ${DD_TEST_IMAGES})
set_tests_properties(lang/build PROPERTIES
  FIXTURES_SETUP lang FIXTURES_REQUIRED images TIMEOUT 900 RUN_SERIAL ON)
foreach(name npm_vs_npm_ls python_vs_importlib layers bad_input)
  add_test(NAME lang/${name}
           COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.sh
                   $<TARGET_FILE:drydock> ${DD_TEST_IMAGES})
  set_tests_properties(lang/${name} PROPERTIES FIXTURES_REQUIRED "images;lang" TIMEOUT 600)
endforeach()
