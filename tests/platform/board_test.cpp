// Board-level tests: a real board elaborated from a preset, driven by
// firmware through the HAL. Firmware records what it saw; the assertions
// run after sc_start() returns (Catch must not throw inside an SC_THREAD).
#include <catch2/catch.hpp>

#include "ip/dram/dram_address.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "firmware/drivers/dma_driver.h"
#include "firmware/firmware_registry.h"
#include "ip/common/tlm_util.h"
#include "ip/dma/dma_regs.h"
#include "platform/board.h"
#include "board_fixture.h"

using namespace dynavp;
using test::run_board;

namespace {

std::vector<uint8_t> bytes(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = uint8_t(x >> 24);
    }
    return v;
}

} // namespace

TEST_CASE("firmware selftest passes on the dna-16c board", "[platform]") {
    const fw::FirmwareInfo* image = fw::find_firmware("selftest");
    REQUIRE(image);
    fw::FirmwareArgs args;
    args.seed = 7;
    Board& b = run_board([&](fw::Hal& hal) { return image->entry(hal, args); });
    for (const auto& line : b.host().log_lines()) INFO(line);
    CHECK(b.host().exit_code() == 0);
    CHECK(b.bus().errors() == 3); // the three the selftest provokes on purpose
    Stats s;
    b.report(s);
    CHECK(s.u64("dram.bytes_written") >= 3 * (1u << 20));
    CHECK(s.u64("dram.row_hits") > 0);
}

TEST_CASE("bus errors reach the initiator as error responses, are counted, and the board keeps running", "[platform]") {
    std::vector<std::string> responses;
    uint32_t after = 0, unmapped_value = 0;
    Board& b = run_board([&](fw::Hal& hal) {
        const auto* glb = hal.board().find("glb");
        const auto* dma = hal.board().find("dma0");
        unmapped_value = hal.read32(0x0);                 // unmapped load
        hal.write32(0x0, 1);                              // unmapped store
        hal.read64(glb->base + glb->size - 4);            // runs off the end of glb
        hal.read32(dma->base + 0x2);                      // misaligned register
        hal.read32(dma->base + 0x800);                    // undeclared register
        while (auto f = hal.take_fault()) responses.push_back(f->response);
        hal.write32(glb->base, 0x12345678);
        after = hal.read32(glb->base);                    // the bus still works
        return 0;
    });
    CHECK(unmapped_value == 0xFFFFFFFFu);
    REQUIRE(responses.size() == 5);
    CHECK(responses[0] == "TLM_ADDRESS_ERROR_RESPONSE");
    CHECK(responses[1] == "TLM_ADDRESS_ERROR_RESPONSE");
    CHECK(responses[2] == "TLM_BURST_ERROR_RESPONSE");
    CHECK(responses[3] == "TLM_ADDRESS_ERROR_RESPONSE");
    CHECK(responses[4] == "TLM_ADDRESS_ERROR_RESPONSE");
    CHECK(after == 0x12345678u);
    Stats s;
    b.report(s);
    CHECK(s.u64("bus.errors") == 5);
    CHECK(s.u64("bus.errors_unmapped") == 2);
    CHECK(s.u64("bus.errors_crossing") == 1);
    CHECK(s.u64("bus.errors_from_targets") == 2);
    CHECK(s.u64("host.bus_faults") == 5);
    REQUIRE(b.bus().error_log().size() == 5);
    CHECK(b.bus().error_log()[1].write);
    CHECK(b.bus().error_log()[0].initiator == "host");
}

TEST_CASE("DMA 1-D copies DRAM to SRAM and back byte-exact, no faster than the DRAM allows", "[platform][dma]") {
    const size_t n = 100000; // not a multiple of the chunk size
    const auto data = bytes(n, 1);
    std::vector<uint8_t> in_sram(n), back(n);
    bool ok1 = false, ok2 = false;
    uint64_t t_copy = 0;
    Board& b = run_board([&](fw::Hal& hal) {
        const auto* dram = hal.board().find("dram");
        const auto* glb = hal.board().find("glb");
        fw::DmaDriver dma(hal, *hal.board().find("dma0"), dram->base, 16);
        if (!dma.init()) return 1;
        hal.load(dram->base + 0x10003, data.data(), n); // odd source alignment
        const uint64_t t0 = hal.now_ns();
        ok1 = dma.copy(fw::DmaCopy::linear(dram->base + 0x10003, glb->base + 8, uint32_t(n)));
        t_copy = hal.now_ns() - t0;
        ok2 = dma.copy(fw::DmaCopy::linear(glb->base + 8, dram->base + 0x200000, uint32_t(n)));
        hal.peek(glb->base + 8, in_sram.data(), n);
        hal.peek(dram->base + 0x200000, back.data(), n);
        return 0;
    });
    CHECK(ok1);
    CHECK(ok2);
    CHECK(in_sram == data);
    CHECK(back == data);
    // Reading n bytes from DRAM cannot beat the channel's peak rate.
    const double peak = load_platform("dna-16c").first_of(DeviceType::Dram)->dram.timing.peak_bytes_per_second();
    CHECK(double(t_copy) * 1e-9 >= double(n) / peak);
    Stats s;
    b.report(s);
    CHECK(s.u64("devices.dma0.bytes") == 2 * n);
    CHECK(s.u64("devices.dma0.descriptors") == 2);
}

TEST_CASE("DMA 2-D strided copy gathers and scatters rows byte-exact", "[platform][dma]") {
    const uint32_t rows = 37, row_bytes = 300, src_stride = 1024, dst_stride = 512;
    const auto data = bytes(size_t(rows) * src_stride, 2);
    std::vector<uint8_t> out(size_t(rows) * dst_stride);
    bool ok = false;
    run_board([&](fw::Hal& hal) {
        const auto* dram = hal.board().find("dram");
        fw::DmaDriver dma(hal, *hal.board().find("dma0"), dram->base, 16);
        if (!dma.init()) return 1;
        hal.load(dram->base + 0x100000, data.data(), data.size());
        std::vector<uint8_t> zeros(out.size(), 0xEE);
        hal.load(dram->base + 0x300000, zeros.data(), zeros.size());
        ok = dma.copy(fw::DmaCopy{dram->base + 0x100000 + 5, dram->base + 0x300000, row_bytes, rows, src_stride, dst_stride});
        hal.peek(dram->base + 0x300000, out.data(), out.size());
        return 0;
    });
    REQUIRE(ok);
    for (uint32_t r = 0; r < rows; ++r) {
        INFO("row " << r);
        CHECK(std::memcmp(&out[size_t(r) * dst_stride], &data[size_t(r) * src_stride + 5], row_bytes) == 0);
        // Bytes between rows are untouched.
        CHECK(out[size_t(r) * dst_stride + row_bytes] == 0xEE);
    }
}

TEST_CASE("DMA reports a bad descriptor and a faulting destination through ERR registers and IRQ", "[platform][dma]") {
    uint32_t info_bad = 0, info_wr = 0, st_bad = 0, head = 0;
    uint64_t err_addr = 0;
    bool irq_seen = false;
    run_board([&](fw::Hal& hal) {
        using namespace dynavp::dma;
        const auto* dram = hal.board().find("dram");
        const auto* dev = hal.board().find("dma0");
        const auto r = [&](const reg::Register& x) { return dev->base + x.offset; };
        // Program the engine by hand, register by register.
        hal.write32(r(RING_BASE_LO), uint32_t(dram->base));
        hal.write32(r(RING_BASE_HI), uint32_t(dram->base >> 32));
        hal.write32(r(RING_SIZE), 4);
        hal.write32(r(CTRL), ctrl::ENABLE.make(1) | ctrl::IRQ_ERR_EN.make(1));
        uint8_t d[desc::kBytes] = {};
        const uint64_t src = dram->base + 0x1000;
        std::memcpy(d + desc::SRC, &src, 8);
        std::memcpy(d + desc::DST, &src, 8); // rows == 0: invalid
        hal.write_block(dram->base, d, sizeof d);
        hal.write32(r(RING_TAIL), 1);
        irq_seen = hal.wait_irq(unsigned(dev->irq), 100000);
        info_bad = hal.read32(r(ERR_INFO));
        st_bad = hal.read32(dram->base + desc::STATUS);
        hal.write32(r(IRQ_STATUS), irq::ERROR.make(1));
        const uint64_t bad_dst = 0x0; // unmapped
        const uint32_t one = 1, len = 64;
        std::memcpy(d + desc::DST, &bad_dst, 8);
        std::memcpy(d + desc::ROWS, &one, 4);
        std::memcpy(d + desc::ROW_BYTES, &len, 4);
        hal.write_block(dram->base + desc::kBytes, d, sizeof d);
        hal.write32(r(RING_TAIL), 2);
        hal.wait_irq(unsigned(dev->irq), 100000);
        info_wr = hal.read32(r(ERR_INFO));
        err_addr = (uint64_t(hal.read32(r(ERR_ADDR_HI))) << 32) | hal.read32(r(ERR_ADDR_LO));
        head = hal.read32(r(RING_HEAD));
        return 0;
    });
    using namespace dynavp::dma;
    CHECK(irq_seen);
    CHECK(err_info::CAUSE.get(info_bad) == err_info::kCauseBadDesc);
    CHECK(err_info::DESC_INDEX.get(info_bad) == 0);
    CHECK(desc::ST_ERROR.get(st_bad) == 1);
    CHECK(err_info::CAUSE.get(info_wr) == err_info::kCauseWrite);
    CHECK(err_info::DESC_INDEX.get(info_wr) == 1);
    CHECK(err_addr == 0x0);
    CHECK(head == 2); // both retired; the engine moves on
}

TEST_CASE("DRAM row hits are faster than row misses when seen from the host", "[platform][dram]") {
    uint64_t hit_ns = 0, miss_ns = 0;
    // The next row of the same bank, wherever the mapping puts the row bits.
    const PlatformConfig board_cfg = load_platform("dna-16c");
    const DramDeviceConfig& dc = board_cfg.first_of(DeviceType::Dram)->dram;
    DramAddressMap map;
    REQUIRE(map.configure(dc.address_mapping, dc.timing, dc.channels, dc.interleave_bytes).empty());
    uint64_t next_row = 64;
    while (map.decode(next_row).row != 1) next_row <<= 1;
    const DramCoord nr = map.decode(next_row);
    REQUIRE((nr.rank == 0 && nr.bank == 0 && nr.bank_group == 0 && nr.channel == 0));
    run_board([&](fw::Hal& hal) {
        const auto* dram = hal.board().find("dram");
        hal.read32(dram->base);                       // opens row 0 of bank 0
        hal.delay_ns(2000);
        uint64_t t = hal.now_ns();
        hal.read32(dram->base + 64 * 4);              // same row
        hit_ns = hal.now_ns() - t;
        hal.delay_ns(2000);
        t = hal.now_ns();
        hal.read32(dram->base + next_row);           // next row, same bank
        miss_ns = hal.now_ns() - t;
        return 0;
    });
    const PlatformConfig cfg = load_platform("dna-16c");
    const DramTimingParams& p = cfg.first_of(DeviceType::Dram)->dram.timing;
    // The difference is tRP + tRCD: bus and CPU costs cancel (now_ns() truncates: +-1 ns).
    const int64_t expected_ns = int64_t(uint64_t(p.tRP + p.tRCD) * p.tCK_ps / 1000);
    CHECK(std::llabs(int64_t(miss_ns) - int64_t(hit_ns) - expected_ns) <= 1);
}

TEST_CASE("DMA soft reset while a descriptor is in flight leaves a usable engine", "[platform][dma]") {
    uint32_t ring_error_after_reset = 0, head_after_reset = 99;
    bool copy_after = false;
    std::vector<uint8_t> got(4096);
    const auto data = bytes(4096, 3);
    run_board([&](fw::Hal& hal) {
        using namespace dynavp::dma;
        const auto* dram = hal.board().find("dram");
        const auto* dev = hal.board().find("dma0");
        fw::DmaDriver dma(hal, *dev, dram->base, 8);
        if (!dma.init()) return 1;
        dma.post(fw::DmaCopy::linear(dram->base + 0x100000, dram->base + 0x200000, 1 << 20), true);
        dma.ring_doorbell();
        hal.delay_ns(5000); // mid-copy
        hal.write32(dev->base + CTRL.offset, ctrl::SOFT_RESET.make(1));
        ring_error_after_reset = status::RING_ERROR.get(hal.read32(dev->base + STATUS.offset)); // RING_SIZE is 0 again
        hal.delay_ns(1000000); // the aborted descriptor retires meanwhile
        head_after_reset = hal.read32(dev->base + RING_HEAD.offset);
        if (!dma.init()) return 1;
        hal.load(dram->base + 0x300000, data.data(), data.size());
        copy_after = dma.copy(fw::DmaCopy::linear(dram->base + 0x300000, dram->base + 0x400000, 4096));
        hal.peek(dram->base + 0x400000, got.data(), got.size());
        return 0;
    });
    CHECK(ring_error_after_reset == 1);
    CHECK(head_after_reset == 0);
    CHECK(copy_after);
    CHECK(got == data);
}

TEST_CASE("DMA driver completes a batch whose last descriptor asks for no interrupt", "[platform][dma]") {
    bool ok = false;
    uint64_t waited_ns = 0;
    run_board([&](fw::Hal& hal) {
        const auto* dram = hal.board().find("dram");
        fw::DmaDriver dma(hal, *hal.board().find("dma0"), dram->base, 8);
        if (!dma.init()) return 1;
        dma.post(fw::DmaCopy::linear(dram->base + 0x100000, dram->base + 0x200000, 65536), false);
        dma.ring_doorbell();
        const uint64_t t0 = hal.now_ns();
        ok = dma.wait_all(0);
        waited_ns = hal.now_ns() - t0;
        return 0;
    });
    CHECK(ok);
    CHECK(waited_ns < 1000000); // finished by polling, well before the 1 ms+ timeout
}
