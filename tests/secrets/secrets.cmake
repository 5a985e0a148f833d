# The secret scanner's driver (tests and bench/secrets.sh) and its end-to-end tests.
add_executable(dd_secrets_scan ${CMAKE_CURRENT_LIST_DIR}/scan_driver.c)
target_link_libraries(dd_secrets_scan PRIVATE drydock_lib)

foreach(t keys_and_tokens no_noise bad_input)
  add_test(NAME secrets/${t}
           COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh $<TARGET_FILE:dd_secrets_scan>)
  set_tests_properties(secrets/${t} PROPERTIES TIMEOUT 120
    ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")
endforeach()
