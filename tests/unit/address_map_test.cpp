#include <catch2/catch.hpp>

#include "ip/bus/address_map.h"

using namespace dynavp;

TEST_CASE("address map decodes each address to the region that owns it", "[bus]") {
    AddressMap m;
    m.add({"dram", 0x80000000, 0x40000000, 0});
    m.add({"glb", 0x10000000, 0x20000, 1});
    m.add({"dma", 0x40000000, 0x1000, 2});
    auto d = m.decode(0x10000010, 4);
    REQUIRE(d.status == DecodeStatus::Ok);
    CHECK(d.region->name == "glb");
    CHECK(d.region->target == 1);
    CHECK(d.offset == 0x10);
    d = m.decode(0xBFFFFFFC, 4); // last word of DRAM
    REQUIRE(d.status == DecodeStatus::Ok);
    CHECK(d.region->name == "dram");
    CHECK(d.offset == 0x3FFFFFFC);
    CHECK(m.decode(0x40000FFC, 4).region->name == "dma");
}

TEST_CASE("address map reports unmapped addresses and region-crossing accesses", "[bus]") {
    AddressMap m;
    m.add({"a", 0x1000, 0x1000, 0});
    m.add({"b", 0x2000, 0x1000, 1});
    CHECK(m.decode(0x0, 4).status == DecodeStatus::Unmapped);
    CHECK(m.decode(0xFFF, 1).status == DecodeStatus::Unmapped);
    CHECK(m.decode(0x3000, 4).status == DecodeStatus::Unmapped);
    CHECK(m.decode(0x1FFC, 8).status == DecodeStatus::CrossesRegion); // a into b: still an error
    CHECK(m.decode(0x1FFC, 4).status == DecodeStatus::Ok);
}

TEST_CASE("address map rejects overlapping regions naming both", "[bus]") {
    AddressMap m;
    m.add({"dram", 0x80000000, 0x1000, 0});
    try {
        m.add({"sram", 0x80000800, 0x1000, 1});
        FAIL("overlap accepted");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("'sram'") != std::string::npos);
        CHECK(std::string(e.what()).find("'dram'") != std::string::npos);
    }
    CHECK_THROWS_AS(m.add({"below", 0x7FFFF000, 0x1001, 1}), std::invalid_argument); // overlaps from below
    CHECK_THROWS_AS(m.add({"empty", 0x0, 0, 1}), std::invalid_argument);
    CHECK_NOTHROW(m.add({"adjacent", 0x80001000, 0x1000, 1}));
}
