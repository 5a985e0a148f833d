# Ruby, PHP, .NET and pnpm catalogs against RubyGems, Bundler, pnpm ls and the files' own
# formats, on dir: roots the scripts assemble in a temp folder (no test image needed). Included
# from tests/CMakeLists.txt, which defines BASH and DD_TEST_IMAGES (the cache: Debian ruby-*
# packages and pnpm installs go to DD_TEST_IMAGES/other).
foreach(name ruby_vs_rubygems pnpm_vs_pnpm_ls)
  add_test(NAME lang/${name}
           COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.sh
                   $<TARGET_FILE:drydock> ${DD_TEST_IMAGES})
  set_tests_properties(lang/${name} PROPERTIES
    TIMEOUT 900 SKIP_RETURN_CODE 77 RESOURCE_LOCK lang_other_cache)
endforeach()
foreach(name composer_dotnet_fixtures other_bad_input)
  add_test(NAME lang/${name}
           COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.sh $<TARGET_FILE:drydock>)
  set_tests_properties(lang/${name} PROPERTIES TIMEOUT 300)
endforeach()
