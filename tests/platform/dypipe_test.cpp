// The DyPipe accelerator and its context buffer on the dypipe-diannao board,
// driven by firmware over MMIO.
#include <catch2/catch.hpp>

#include <random>

#include "firmware/drivers/dypipe_driver.h"
#include "firmware/firmware_registry.h"
#include "ip/dypipe/dypipe_regs.h"
#include "board_fixture.h"

using namespace dynavp;
using context_buffer::ContextRecord;

namespace {
const PlatformConfig& diannao() {
    static PlatformConfig cfg = load_platform("dypipe-diannao");
    return cfg;
}

ContextRecord random_record(std::mt19937_64& rng) {
    ContextRecord r;
    r.pc = uint16_t(rng() % 4 + 1);
    r.module = uint8_t(rng() % 3);
    r.op = uint32_t(rng() % 1000), r.block = uint32_t(rng() % 100);
    r.src = uint32_t(rng()), r.dst = uint32_t(rng()), r.aux = uint32_t(rng()), r.a = uint32_t(rng()), r.b = uint32_t(rng());
    r.kind = context_buffer::ComputeKind(rng() % 4);
    for (uint64_t d = rng() % 6; d > 0; --d) r.dep_distances.push_back(uint32_t(rng() % 50 + 1));
    return r;
}
} // namespace

TEST_CASE("context buffer: records saved over MMIO come back identical, across the ring's wrap, and an overflow is reported",
          "[platform][context_buffer]") {
    std::vector<ContextRecord> saved, restored;
    uint32_t capacity = 0, overflows_after = 0, irq_status = 0, status = 0;
    bool overflow_save_refused = false;
    Board& b = test::run_board(diannao(), [&](fw::Hal& hal) {
        fw::DyPipeDriver dp(hal);
        if (!dp.init()) return 1;
        capacity = dp.capacity();
        std::mt19937_64 rng(11);
        // Three rounds of fill half, drain: the third wraps around the end of the storage.
        for (int round = 0; round < 3; ++round) {
            std::vector<ContextRecord> batch;
            while (dp.used() < capacity / 2) {
                batch.push_back(random_record(rng));
                if (!dp.save(batch.back())) return 2;
            }
            for (size_t i = 0; i < batch.size(); ++i) {
                auto r = dp.pop();
                if (!r) return 3;
                restored.push_back(*r);
            }
            saved.insert(saved.end(), batch.begin(), batch.end());
        }
        // Fill to the brim: the record that does not fit is dropped and reported.
        ContextRecord big = random_record(rng);
        while (dp.fits(big.words())) dp.save(big);
        overflow_save_refused = !dp.save(big);
        overflows_after = dp.overflows();
        const uint64_t base = hal.board().find("dypipe")->base;
        irq_status = hal.read32(base + dypipe::IRQ_STATUS.offset);
        status = hal.read32(base + dypipe::STATUS.offset);
        dp.reset_buffer();
        return 0;
    });
    REQUIRE(b.host().exit_code() == 0);
    CHECK(capacity == 16 * 1024);
    REQUIRE(restored.size() == saved.size());
    CHECK(restored == saved);
    CHECK(saved.size() > 3 * 100);
    CHECK(overflow_save_refused);
    CHECK(overflows_after == 1);
    CHECK(dypipe::irq::ERROR.get(irq_status) == 1);
    CHECK(dypipe::status::ERR_CODE.get(status) == dypipe::kErrOverflow);
    Stats s;
    b.report(s);
    CHECK(s.u64("context_buffer.overflows") == 1);
    CHECK(s.u64("context_buffer.peak_bytes") <= 16 * 1024);
}

TEST_CASE("dypipe-rnn: none, static and dynamic pipelines give bit-identical final states, and dynamic is the fastest",
          "[platform][dypipe]") {
    const fw::FirmwareInfo* image = fw::find_firmware("dypipe-rnn");
    REQUIRE(image);
    fw::FirmwareArgs args;
    args.seed = 4;
    args.platform = &diannao();
    args.pipelines = {"none", "static", "dynamic"};
    Board& b = test::run_board(diannao(), [&](fw::Hal& hal) { return image->entry(hal, args); });
    for (const auto& line : b.host().log_lines()) INFO(line);
    CHECK(b.host().exit_code() == 0); // every pipeline's states equal the reference and each other
    REQUIRE(b.host().log_lines().size() == 3);
    const auto& m = b.host().metrics();
    CHECK(m.at("dynamic.accelerator_cycles") < m.at("static.accelerator_cycles"));
    CHECK(m.at("dynamic.accelerator_cycles") < m.at("none.accelerator_cycles"));
    CHECK(m.at("static.functions") > m.at("dynamic.functions")); // padded steps
    CHECK(m.at("dynamic.cf_ctx_cycles") > 0);
    CHECK(m.at("static.cf_ctx_cycles") == 0);
    Stats s;
    b.report(s);
    CHECK(s.u64("dypipe.macs_computed") > 0);
    CHECK(s.u64("context_buffer.overflows") == 0);
    // The IO modules' transfers went over the bus to the DRAM device (firmware only used untimed loads and peeks).
    CHECK(s.u64("dram.bytes_read") == s.u64("dypipe.bytes_loaded"));
    CHECK(s.u64("dram.bytes_written") == s.u64("dypipe.bytes_stored"));
}
