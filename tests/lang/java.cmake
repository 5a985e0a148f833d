# Java archives (jar, war, ear, hpi, nested) against what their own pom.properties say, on a
# root assembled from Debian's lib*-java jars (maven in scripts/install-deps.sh), as a dir: root
# and a docker-archive; bad archives, ownership by dpkg and max RSS. Included from
# tests/CMakeLists.txt; needs no image fixture.
add_test(NAME lang/java
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_java.sh $<TARGET_FILE:drydock>)
set_tests_properties(lang/java PROPERTIES TIMEOUT 600
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")
