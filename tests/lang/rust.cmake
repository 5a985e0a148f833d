# Rust: real Cargo.lock files against Python's tomllib, and cargo-auditable .dep-v0 sections
# built in its exact format into real ELF files. Included from tests/CMakeLists.txt.
add_test(NAME lang/rust_vs_tomllib
         COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/test_rust.sh $<TARGET_FILE:drydock>)
set_tests_properties(lang/rust_vs_tomllib PROPERTIES TIMEOUT 300)
