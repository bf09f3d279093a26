// Board bring-up firmware: exercises the bus, DRAM, on-chip SRAM and the DMA
// engine the way a driver on real silicon would, and checks every byte.
#include <algorithm>
#include <cstring>
#include <sstream>
#include <vector>

#include "drivers/dma_driver.h"
#include "firmware_registry.h"
#include "ip/dma/dma_regs.h"

namespace dynavp::fw {
namespace {

class Checker {
public:
    explicit Checker(Hal& hal) : hal_(hal) {}
    // A check whose failure explanation comes from a driver.
    bool driver(bool ok, const std::string& what, const std::string& why) { return (*this)(ok, ok ? what : what + ": " + why); }
    bool operator()(bool ok, const std::string& what) {
        ++(ok ? passed_ : failed_);
        hal_.log(std::string(ok ? "PASS " : "FAIL ") + what);
        return ok;
    }
    unsigned failed() const { return failed_; }
    unsigned passed() const { return passed_; }

private:
    Hal& hal_;
    unsigned passed_ = 0, failed_ = 0;
};

std::string hex(uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}

std::vector<uint8_t> pattern(size_t n, uint64_t seed) {
    std::vector<uint8_t> v(n);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1; // xorshift64*, seeded
    for (size_t i = 0; i < n; i += 8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        const uint64_t r = x * 0x2545F4914F6CDD1Dull;
        std::memcpy(&v[i], &r, std::min<size_t>(8, n - i));
    }
    return v;
}

// First byte where `got` differs from `want`, as text; empty when equal.
std::string first_mismatch(const std::vector<uint8_t>& got, const uint8_t* want, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (got[i] != want[i]) return "byte " + std::to_string(i) + ": got " + hex(got[i]) + ", want " + hex(want[i]);
    return {};
}

bool same_bytes(Checker& check, Hal& hal, uint64_t addr, const uint8_t* want, size_t n, const std::string& what) {
    std::vector<uint8_t> got(n);
    hal.read_block(addr, got.data(), n); // timed CPU loads
    const std::string diff = first_mismatch(got, want, n);
    return check(diff.empty(), what + (diff.empty() ? "" : " (" + diff + ")"));
}

uint64_t unmapped_address(const BoardInfo& b) {
    std::vector<uint64_t> candidates = {0x0};
    for (const auto& d : b.devices) candidates.push_back((d.base + d.size + 0xFFF) & ~uint64_t(0xFFF));
    for (uint64_t a : candidates) {
        bool mapped = std::any_of(b.devices.begin(), b.devices.end(),
                                  [&](const DeviceInfo& d) { return a >= d.base && a < d.base + d.size; });
        if (!mapped) return a;
    }
    return ~uint64_t(0xFFF);
}

} // namespace

int selftest_main(Hal& hal, const FirmwareArgs& args) {
    Checker check(hal);
    const BoardInfo& board = hal.board();
    const DeviceInfo* dram = board.first_of("dram");
    const DeviceInfo* dma_dev = board.first_of("dma");
    const DeviceInfo* sram = board.find("glb") ? board.find("glb") : board.first_of("sram");
    if (!check(dram && dma_dev, "board has a DRAM and a DMA engine")) return 1;
    constexpr uint64_t kMiB = 1 << 20;
    if (!check(dram->size >= 6 * kMiB, "DRAM holds the 6 MiB test layout")) return 1;

    // DRAM layout: ring | src | dst | dst via SRAM | 2-D packed
    const uint64_t ring = dram->base, src = dram->base + kMiB, dst = dram->base + 2 * kMiB;
    const uint64_t dst_sram = dram->base + 3 * kMiB, dst_2d = dram->base + 4 * kMiB;
    const size_t n = kMiB;
    const auto reg = [&](const reg::Register& r) { return dma_dev->base + r.offset; };

    // 1. Registers: identity, reset values, read-back, read-only protection.
    check(hal.read32(reg(dma::ID)) == dma::kIdValue, "DMA ID register reads " + hex(dma::kIdValue));
    check(hal.read32(reg(dma::VERSION)) == dma::kVersionValue, "DMA VERSION register reads its reset value");
    check(hal.read32(reg(dma::RING_SIZE)) == dma::RING_SIZE.reset, "RING_SIZE holds its reset value");
    check(dma::status::IDLE.get(hal.read32(reg(dma::STATUS))) == 1, "DMA STATUS reports IDLE after reset");
    hal.write32(reg(dma::RING_BASE_LO), 0xA5A5A5C0u);
    hal.write32(reg(dma::RING_BASE_HI), 0x5A5A5A5Au);
    check(hal.read32(reg(dma::RING_BASE_LO)) == 0xA5A5A5C0u && hal.read32(reg(dma::RING_BASE_HI)) == 0x5A5A5A5Au,
          "RING_BASE_LO/HI read back what was written");
    hal.write32(reg(dma::ID), 0);
    check(hal.read32(reg(dma::ID)) == dma::kIdValue, "a write to read-only ID is ignored");

    DmaDriver dma(hal, *dma_dev, ring, 64);
    if (!check.driver(dma.init(), "DMA driver init", dma.why())) return 1;

    // 2. 1 MiB DRAM -> DRAM, 1-D.
    const std::vector<uint8_t> data = pattern(n, args.seed);
    hal.write_block(src, data.data(), n);
    const uint64_t t0 = hal.now_ns();
    bool ok = dma.copy(DmaCopy::linear(src, dst, uint32_t(n)));
    check.driver(ok, "DMA 1 MiB DRAM->DRAM completes", dma.why());
    const uint64_t t1 = hal.now_ns();
    hal.log("1 MiB DRAM->DRAM copy took " + std::to_string(t1 - t0) + " ns (" +
            std::to_string(t1 > t0 ? double(n) / double(t1 - t0) : 0.0) + " GB/s)");
    check(dma.descriptor_status(0) == dma::desc::ST_DONE.make(1), "descriptor 0 written back as DONE");
    same_bytes(check, hal, dst, data.data(), n, "DRAM->DRAM copy is byte-exact (1 MiB)");

    // 3. DRAM -> SRAM -> DRAM through the on-chip buffer, window by window.
    if (sram) {
        const uint32_t win = uint32_t(std::min<uint64_t>(sram->size, 128 * 1024));
        bool all_ok = true;
        for (uint64_t off = 0; off < n; off += win) {
            const uint32_t len = uint32_t(std::min<uint64_t>(win, n - off));
            all_ok &= dma.copy(DmaCopy::linear(dst + off, sram->base, len));
            all_ok &= dma.copy(DmaCopy::linear(sram->base, dst_sram + off, len));
        }
        check.driver(all_ok, "DMA DRAM->" + sram->name + "->DRAM in " + std::to_string(win) + "-byte windows", dma.why());
        const uint32_t last = uint32_t((n - 1) % win + 1);
        same_bytes(check, hal, sram->base, data.data() + n - last, last, sram->name + " holds the last window");
        same_bytes(check, hal, dst_sram, data.data(), n, "DRAM->SRAM->DRAM round trip is byte-exact (1 MiB)");
    } else {
        hal.log("SKIP no on-chip SRAM on this board");
    }

    // 4. 2-D: pack a 64 x 1000 B sub-block out of 4 KiB-strided rows, then
    //    scatter it back with a 1536 B stride.
    const uint32_t rows = 64, row_bytes = 1000;
    DmaCopy pack{src + 24, dst_2d, row_bytes, rows, 4096, row_bytes};
    DmaCopy scatter{dst_2d, dst_2d + 128 * 1024, row_bytes, rows, row_bytes, 1536};
    check(dma.post(pack) && dma.post(scatter, true), "two descriptors queued in one batch");
    dma.ring_doorbell();
    ok = dma.wait_all(0);
    check.driver(ok, "DMA 2-D pack + scatter complete", dma.why());
    std::vector<uint8_t> packed(size_t(rows) * row_bytes);
    for (uint32_t r = 0; r < rows; ++r) std::memcpy(&packed[size_t(r) * row_bytes], &data[24 + size_t(r) * 4096], row_bytes);
    same_bytes(check, hal, dst_2d, packed.data(), packed.size(), "2-D strided pack is byte-exact");
    std::string scatter_diff;
    for (uint32_t r = 0; r < rows && scatter_diff.empty(); ++r) {
        std::vector<uint8_t> got(row_bytes);
        hal.read_block(dst_2d + 128 * 1024 + uint64_t(r) * 1536, got.data(), row_bytes);
        const std::string d = first_mismatch(got, &packed[size_t(r) * row_bytes], row_bytes);
        if (!d.empty()) scatter_diff = "row " + std::to_string(r) + " " + d;
    }
    check(scatter_diff.empty(), "2-D strided scatter is byte-exact" + (scatter_diff.empty() ? "" : " (" + scatter_diff + ")"));

    // 5. Functional (DMI) view agrees with the timed bus view.
    std::vector<uint8_t> via_dmi(4096);
    check(hal.peek(dst + 4096, via_dmi.data(), via_dmi.size()) && first_mismatch(via_dmi, data.data() + 4096, 4096).empty(),
          "functional peek (DMI) sees the DMA'd data");

    // 6. Bus errors are reported, not fatal.
    check(!hal.take_fault().has_value(), "no CPU bus faults before the provoked ones");
    const uint64_t hole = unmapped_address(board);
    const uint32_t v = hal.read32(hole);
    auto fault = hal.take_fault();
    check(fault && fault->address == hole && !fault->write && v == 0xFFFFFFFFu,
          "load from unmapped " + hex(hole) + " faults (" + (fault ? fault->response : "no fault") + ")");
    hal.read32(dma_dev->base + 2);
    fault = hal.take_fault();
    check(fault.has_value(), "misaligned MMIO load faults (" + (fault ? fault->response : "no fault") + ")");
    const uint32_t before = dma.errors();
    check(!dma.copy(DmaCopy::linear(hole, dst, 256)), "DMA from unmapped memory reports failure");
    check(dma.errors() == before + 1 && dma.last_error().cause == dma::err_info::kCauseRead && dma.last_error().address == hole,
          "DMA error names the source address and cause");
    ok = dma.copy(DmaCopy::linear(src, dst, 4096));
    check.driver(ok, "DMA keeps working after an error", dma.why());
    check(!hal.take_fault().has_value(), "no unexpected CPU bus faults");

    hal.log("selftest: " + std::to_string(check.passed()) + " checks passed, " + std::to_string(check.failed()) + " failed");
    return check.failed() == 0 ? 0 : 1;
}

} // namespace dynavp::fw
