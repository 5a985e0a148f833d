# Image checks end to end: a driver over the library, real images built with podman at test
# time (cached by a hash of their inputs), the no-noise checks on clean Debian and Alpine
# images, and the hygiene numbers against an independent count from the layer tars.
add_executable(imgcheck_driver ${CMAKE_CURRENT_LIST_DIR}/imgcheck_driver.c)
target_link_libraries(imgcheck_driver PRIVATE drydock_lib)

set(DD_IMGCHECK_ENV
    "DD_TEST_IMAGES=${DD_TEST_IMAGES};DD_SHARED=${PROJECT_SOURCE_DIR}/../shared")

add_test(NAME imgcheck/build
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/build.sh ${DD_TEST_IMAGES}/imgcheck
                 ${PROJECT_SOURCE_DIR}/../shared/fixtures/alpine/3.20.3)
set_tests_properties(imgcheck/build PROPERTIES FIXTURES_SETUP imgcheck_images TIMEOUT 600)

foreach(name leaky noise hygiene)
  add_test(NAME imgcheck/${name}
           COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.sh
                   $<TARGET_FILE:imgcheck_driver> ${DD_TEST_IMAGES})
  set_tests_properties(imgcheck/${name} PROPERTIES
    ENVIRONMENT "${DD_IMGCHECK_ENV}"
    FIXTURES_REQUIRED "images;imgcheck_images" TIMEOUT 300)
endforeach()
