# The fleet server end to end (tests/fleet/README.md): drydock serve, push and fleet against
# real images' SBOMs and the OSV data, each test once per backend (a SQLite file, and a database
# on a PostgreSQL 15 that the "pg" fixture starts with initdb and pg_ctl on a loopback port).
# Included from tests/CMakeLists.txt after DD_TEST_IMAGES and BASH are set.
set(DD_FLEET_DIR ${CMAKE_CURRENT_LIST_DIR})
set(DD_FLEET_PG ${CMAKE_CURRENT_BINARY_DIR}/fleet-pg)
set(DD_FLEET_VULNDATA ${PROJECT_SOURCE_DIR}/../shared/vulndata)

add_test(NAME fleet/pg-start COMMAND ${BASH} ${DD_FLEET_DIR}/pg.sh start ${DD_FLEET_PG})
set_tests_properties(fleet/pg-start PROPERTIES FIXTURES_SETUP pg TIMEOUT 120)
add_test(NAME fleet/pg-stop COMMAND ${BASH} ${DD_FLEET_DIR}/pg.sh stop ${DD_FLEET_PG})
set_tests_properties(fleet/pg-stop PROPERTIES FIXTURES_CLEANUP pg TIMEOUT 120)

set(DD_FLEET_TESTS e2e dt reliability)
foreach(name IN LISTS DD_FLEET_TESTS)
  foreach(backend sqlite postgresql)
    add_test(NAME fleet/${name}-${backend}
             COMMAND ${BASH} ${DD_FLEET_DIR}/test_${name}.sh $<TARGET_FILE:drydock> ${backend}
                     ${DD_TEST_IMAGES} ${DD_FLEET_VULNDATA} ${DD_FLEET_PG})
    set_tests_properties(fleet/${name}-${backend} PROPERTIES
      FIXTURES_REQUIRED "pg;images;lang" TIMEOUT 600
      ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")
  endforeach()
endforeach()

# Two servers sharing one database: PostgreSQL only (SQLite is one server's file).
add_test(NAME fleet/two_servers-postgresql
         COMMAND ${BASH} ${DD_FLEET_DIR}/test_two_servers.sh $<TARGET_FILE:drydock> postgresql
                 ${DD_TEST_IMAGES} ${DD_FLEET_VULNDATA} ${DD_FLEET_PG})
set_tests_properties(fleet/two_servers-postgresql PROPERTIES
  FIXTURES_REQUIRED "pg;images;lang" TIMEOUT 600
  ENVIRONMENT "DD_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")

# The store's unit test runs on the fixture's PostgreSQL too (tests/unit/fleet/test_fleet.c
# reads the URL from the file pg.sh writes once the server listens).
set_property(TEST unit/fleet/test_fleet APPEND PROPERTY FIXTURES_REQUIRED pg)
set_property(TEST unit/fleet/test_fleet APPEND PROPERTY ENVIRONMENT
             "DD_TEST_PG_URL_FILE=${DD_FLEET_PG}/pg.url")
