#include <catch2/catch.hpp>

#include "platform/stats.h"

using namespace dynavp;

TEST_CASE("stats nest dotted names into JSON objects", "[stats]") {
    Stats s;
    s.set("cycles", uint64_t(42));
    s.set("dram.row_hits", uint64_t(3));
    s.set("dram.preset", std::string("DDR4-2400"));
    s.add("dram.row_hits", 2);
    auto j = s.to_json();
    CHECK(j["cycles"] == 42);
    CHECK(j["dram"]["row_hits"] == 5);
    CHECK(j["dram"]["preset"] == "DDR4-2400");
}
