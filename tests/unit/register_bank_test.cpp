#include <catch2/catch.hpp>

#include <cstring>

#include "ip/common/register_bank.h"

using namespace dynavp;
using reg::Access;

namespace {
constexpr reg::Register A{0x0, "A", 0x1234, Access::RW};
constexpr reg::Register B{0x4, "B", 0xCAFE, Access::RO};
constexpr reg::Register C{0x8, "C", 0x0, Access::W1C};
constexpr reg::Register D{0xC, "D", 0x0, Access::WO};
constexpr reg::Register kAll[] = {A, B, C, D};

uint32_t rd(RegisterBank& b, uint64_t off, RegAccessStatus* st = nullptr) {
    uint32_t v = 0;
    auto s = b.read(off, reinterpret_cast<uint8_t*>(&v), 4);
    if (st) *st = s;
    return v;
}
RegAccessStatus wr(RegisterBank& b, uint64_t off, uint32_t v) { return b.write(off, reinterpret_cast<uint8_t*>(&v), 4); }
} // namespace

TEST_CASE("register bank starts at reset values and applies access rules", "[regs]") {
    RegisterBank b;
    b.declare(kAll);
    CHECK(rd(b, 0x0) == 0x1234);
    CHECK(rd(b, 0x4) == 0xCAFE);
    wr(b, 0x0, 0xDEAD);
    CHECK(rd(b, 0x0) == 0xDEAD);
    wr(b, 0x4, 0);                // RO: ignored, counted
    CHECK(rd(b, 0x4) == 0xCAFE);
    CHECK(b.ignored_writes() == 1);
    b.set(C, 0b1011);
    wr(b, 0x8, 0b0011);           // W1C clears only the ones written
    CHECK(rd(b, 0x8) == 0b1000);
    wr(b, 0xC, 77);               // WO: stored, reads as 0
    CHECK(b.get(D) == 77);
    CHECK(rd(b, 0xC) == 0);
    b.reset();
    CHECK(rd(b, 0x0) == 0x1234);
}

TEST_CASE("register bank callbacks see old and written values", "[regs]") {
    RegisterBank b;
    b.declare(kAll);
    uint32_t seen_old = 0, seen_new = 0;
    b.on_write(A, [&](uint32_t o, uint32_t w) { seen_old = o; seen_new = w; });
    b.on_read(B, [](uint32_t v) { return v + 1; });
    wr(b, 0x0, 5);
    CHECK(seen_old == 0x1234);
    CHECK(seen_new == 5);
    CHECK(rd(b, 0x4) == 0xCAFF);
}

TEST_CASE("register bank rejects misaligned, wrong-size and undeclared accesses", "[regs]") {
    RegisterBank b;
    b.declare(kAll);
    RegAccessStatus st;
    rd(b, 0x2, &st);
    CHECK(st == RegAccessStatus::AddressError);
    rd(b, 0x10, &st);
    CHECK(st == RegAccessStatus::AddressError);
    uint64_t wide = 0;
    CHECK(b.read(0x0, reinterpret_cast<uint8_t*>(&wide), 8) == RegAccessStatus::BurstError);
    CHECK(wr(b, 0x1, 1) == RegAccessStatus::AddressError);
    CHECK(rd(b, 0x0) == 0x1234); // nothing changed
}

TEST_CASE("register bank refuses duplicate offsets", "[regs]") {
    RegisterBank b;
    b.declare(A);
    CHECK_THROWS(b.declare(reg::Register{0x0, "A2", 0, Access::RW}));
}

TEST_CASE("register fields extract and insert their bits", "[regs]") {
    constexpr reg::Field f{4, 3};
    CHECK(f.mask() == 0x70);
    CHECK(f.get(0xFF) == 0x7);
    CHECK(f.make(0xF) == 0x70); // truncated to the field
    CHECK(f.insert(0x0F, 2) == 0x2F);
}
