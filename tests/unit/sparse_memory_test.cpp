#include <catch2/catch.hpp>

#include <vector>

#include "ip/common/sparse_memory.h"

using namespace dynavp;

TEST_CASE("sparse memory spans GiBs without allocating untouched pages", "[memory]") {
    SparseMemory m(uint64_t(8) << 30); // 8 GiB of address space
    std::vector<uint8_t> buf(100, 0xAA);
    m.read(uint64_t(7) << 30, buf.data(), buf.size());
    CHECK(buf == std::vector<uint8_t>(100, 0)); // unwritten reads as zero
    CHECK(m.allocated_pages() == 0);              // and allocates nothing
    std::vector<uint8_t> w(10000);
    for (size_t i = 0; i < w.size(); ++i) w[i] = uint8_t(i * 7);
    m.write((uint64_t(5) << 30) + 4000, w.data(), w.size()); // crosses page boundaries
    CHECK(m.allocated_pages() == 4);                         // 4000..14000 touches pages 0..3
    std::vector<uint8_t> r(w.size());
    m.read((uint64_t(5) << 30) + 4000, r.data(), r.size());
    CHECK(r == w);
}
