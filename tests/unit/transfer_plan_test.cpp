#include <catch2/catch.hpp>

#include "ip/dma/transfer_plan.h"

using namespace dynavp;

TEST_CASE("1-D transfer is cut into aligned chunks that cover every byte once", "[dma]") {
    DmaTransfer t{0x1010, 0x9000, 1000, 1, 0, 0};
    auto chunks = plan_chunks(t, 256);
    REQUIRE(!chunks.empty());
    CHECK(chunks.front().src == 0x1010);
    CHECK(chunks.front().len == 256 - 0x10); // stops at the source's 256-byte boundary
    uint64_t next_src = t.src, next_dst = t.dst, total = 0;
    for (const auto& c : chunks) {
        CHECK(c.src == next_src);
        CHECK(c.dst == next_dst);
        CHECK(c.len <= 256);
        next_src += c.len;
        next_dst += c.len;
        total += c.len;
    }
    CHECK(total == 1000);
}

TEST_CASE("2-D transfer walks rows with independent source and destination strides", "[dma]") {
    DmaTransfer t{0x0, 0x100000, 100, 3, 4096, 128};
    auto chunks = plan_chunks(t, 64);
    uint64_t total = 0;
    for (const auto& c : chunks) {
        const uint64_t row = c.src / 4096;
        CHECK(c.src % 4096 < 100);                                   // never outside a row
        CHECK(c.dst == 0x100000 + row * 128 + c.src % 4096);        // same position in the packed row
        total += c.len;
    }
    CHECK(total == 300);
    CHECK(chunks.back().src + chunks.back().len == 2 * 4096 + 100);
}

TEST_CASE("stride 0 repeats the source row (broadcast)", "[dma]") {
    auto chunks = plan_chunks(DmaTransfer{0x40, 0x1000, 32, 4, 0, 32}, 256);
    REQUIRE(chunks.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
        CHECK(chunks[i].src == 0x40);
        CHECK(chunks[i].dst == 0x1000 + 32 * i);
    }
}

TEST_CASE("empty transfers produce no chunks", "[dma]") {
    CHECK(plan_chunks(DmaTransfer{0, 0, 0, 4, 0, 0}, 64).empty());
    CHECK(plan_chunks(DmaTransfer{0, 0, 64, 0, 0, 0}, 64).empty());
}
