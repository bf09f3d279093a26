#include "bench.h"

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>
#include <tlm_utils/simple_initiator_socket.h>

#include "ip/common/tlm_util.h"
#include "ip/dram/dram.h"
#include "platform/config_reader.h"
#include "platform/platform_config.h"

namespace dynavp {
namespace {

// A bus master with `outstanding` reads in flight: request i issues one
// clock after i-1, or when request i-outstanding has returned.
struct TrafficGenerator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<TrafficGenerator> socket;
    bool random = false;
    uint64_t n = 0, span = 0, seed = 1, issue_ps = 2000;
    uint32_t bytes = 64, outstanding = 16;
    uint64_t start_ps = 0, end_ps = 0;
    double host_seconds = 0;
    const sc_core::sc_event* start_after = nullptr; // run cases one after another
    sc_core::sc_event done;

    SC_HAS_PROCESS(TrafficGenerator);
    explicit TrafficGenerator(sc_core::sc_module_name nm) : sc_module(nm), socket("socket") { SC_THREAD(run); }

    void run() {
        if (start_after) wait(*start_after);
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<uint8_t> buf(bytes);
        std::deque<uint64_t> inflight;
        uint64_t x = seed * 0x9E3779B97F4A7C15ull + 7;
        const uint64_t quantum = ps_of(tlm::tlm_global_quantum::instance().get());
        start_ps = now_ps();
        uint64_t issue = start_ps;
        end_ps = start_ps;
        tlm::tlm_generic_payload t;
        for (uint64_t i = 0; i < n; ++i) {
            uint64_t addr;
            if (random) {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                addr = (x * 0x2545F4914F6CDD1Dull) % (span / bytes) * bytes;
            } else {
                addr = (i * bytes) % span;
            }
            if (inflight.size() >= outstanding) {
                issue = std::max(issue, inflight.front());
                inflight.pop_front();
            }
            if (issue - now_ps() >= quantum) wait(ps_time(issue - now_ps()));
            t.set_command(tlm::TLM_READ_COMMAND);
            t.set_address(addr);
            t.set_data_ptr(buf.data());
            t.set_data_length(bytes);
            t.set_streaming_width(bytes);
            t.set_byte_enable_ptr(nullptr);
            t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_core::sc_time delay = ps_time(issue - now_ps());
            socket->b_transport(t, delay);
            if (!t.is_response_ok()) SC_REPORT_FATAL("bench", "DRAM returned an error");
            const uint64_t done = now_ps() + ps_of(delay);
            inflight.push_back(done);
            end_ps = std::max(end_ps, done);
            issue += issue_ps;
        }
        host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (end_ps > now_ps()) wait(ps_time(end_ps - now_ps()));
        done.notify();
    }
};

} // namespace

int bench_dram_command(const BenchOptions& o) {
    const PlatformConfig cfg = load_platform(o.platform);
    const DeviceConfig* d = cfg.first_of(DeviceType::Dram);
    if (o.bytes == 0 || o.transactions == 0 || o.outstanding == 0)
        throw ConfigError("bench", "", "--bytes, --transactions and --outstanding must be > 0");
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(double(cfg.quantum_ns), sc_core::SC_NS));

    struct Case {
        const char* name;
        std::unique_ptr<Dram> dram;
        std::unique_ptr<TrafficGenerator> gen;
    };
    Case cases[2] = {{"sequential", nullptr, nullptr}, {"random", nullptr, nullptr}};
    for (Case& c : cases) {
        c.dram = std::make_unique<Dram>((std::string("dram_") + c.name).c_str(), d->size, d->dram);
        c.gen = std::make_unique<TrafficGenerator>((std::string("gen_") + c.name).c_str());
        c.gen->socket.bind(c.dram->socket);
        c.gen->random = std::string(c.name) == "random";
        c.gen->n = o.transactions;
        c.gen->span = d->size;
        c.gen->seed = o.seed;
        c.gen->bytes = o.bytes;
        c.gen->outstanding = o.outstanding;
        c.gen->issue_ps = period_ps(cfg.clock_mhz);
    }
    cases[1].gen->start_after = &cases[0].gen->done;
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double total_host = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const double peak = d->dram.timing.peak_bytes_per_second() * d->dram.channels;
    nlohmann::json out;
    out["platform"] = cfg.name;
    out["dram_preset"] = d->dram.timing.name;
    out["channels"] = d->dram.channels;
    out["peak_gb_per_s"] = peak / 1e9;
    out["transaction_bytes"] = o.bytes;
    out["outstanding"] = o.outstanding;
    std::printf("dynavp bench dram: %s, %u x %s, %llu reads of %u B per pattern, %u outstanding\n", cfg.name.c_str(),
                d->dram.channels, d->dram.timing.name.c_str(), (unsigned long long)o.transactions, o.bytes, o.outstanding);
    std::printf("  %-11s %10s %10s %8s %10s %12s\n", "pattern", "GB/s", "peak GB/s", "% peak", "row hits", "txn/host-s");
    for (Case& c : cases) {
        Stats s;
        c.dram->report(s, "d");
        const double secs = double(c.gen->end_ps - c.gen->start_ps) * 1e-12;
        const double bw = double(o.transactions) * o.bytes / secs;
        const double hits = s.number("d.row_hits"), misses = s.number("d.row_misses");
        const double rate = double(o.transactions) / c.gen->host_seconds;
        std::printf("  %-11s %10.2f %10.2f %7.1f%% %9.1f%% %12.3g\n", c.name, bw / 1e9, peak / 1e9, 100 * bw / peak,
                    100 * hits / (hits + misses), rate);
        out[c.name] = {{"gb_per_s", bw / 1e9},
                       {"fraction_of_peak", bw / peak},
                       {"row_hit_rate", hits / (hits + misses)},
                       {"seconds_simulated", secs},
                       {"host_seconds", c.gen->host_seconds},
                       {"transactions_per_host_second", rate}};
    }
    std::printf("  total host time %.3f s\n", total_host);
    if (!o.json_out.empty()) {
        std::ofstream f(o.json_out);
        if (!f) throw ConfigError(o.json_out, "", "cannot write the bench file");
        f << out.dump(2) << "\n";
    }
    return 0;
}

} // namespace dynavp
