// Catch2 runner for tests that elaborate a SystemC board. libsystemc owns
// main() and calls sc_main; ctest runs one test case per process.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <systemc>

int sc_main(int argc, char* argv[]) {
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    return Catch::Session().run(argc, argv);
}
