// DRAM traffic for `dynavp bench dram` and the tests (pure C++): DRAMSim3's
// trace format, DRAMSim3-style generators, and a replay of either through
// the channel controllers in queue mode (DRAMSim3's semantics) or call mode
// (what the board's loosely-timed masters see).
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "dram_address.h"
#include "dram_controller.h"

namespace dynavp {

// One line of a DRAMSim3 trace: "0x1f40 READ 120" (address, READ or WRITE,
// DRAM clock at which the request is ready). Blank lines and '#' comments
// are allowed; read/write and DRAMSim2's P_MEM_RD/P_MEM_WR (P_FETCH,
// P_LOCK_RD/WR, BOFF) are accepted, anything else is an error (DRAMSim3
// would silently read it as a read).
struct DramRequest {
    uint64_t addr = 0;
    bool write = false;
    uint64_t cycle = 0;
};
// False with `why` set when the line is malformed; `blank` when it holds no request.
bool parse_trace_line(const std::string& line, DramRequest& r, bool& blank, std::string& why);
std::string format_trace_line(const DramRequest& r);

class DramRequestSource {
public:
    virtual ~DramRequestSource() = default;
    // False at the end. Errors (a malformed trace line) become `error()`.
    virtual bool next(DramRequest& r) = 0;
    virtual const std::string& error() const { return error_; }

protected:
    std::string error_;
};

// Reads a trace file line by line (memory stays flat); errors name file:line.
class DramTraceFile : public DramRequestSource {
public:
    explicit DramTraceFile(const std::string& path);
    bool ok() const { return in_.is_open(); }
    bool next(DramRequest& r) override;
    uint64_t error_line() const { return error_line_; }
    const std::string& error_reason() const { return why_; }

private:
    std::string path_;
    std::ifstream in_;
    uint64_t line_ = 0, error_line_ = 0;
    std::string why_;
};

// Generators, as DRAMSim3's CPUs make them: every request ready at clock 0
// (the replay paces them). stream: consecutive bursts; random: uniform over
// the span; strided:N: every N bytes; mixed:R: random with R reads per write
// (DRAMSim3's RandomCPU is mixed:2). Addresses are burst aligned.
struct DramPattern {
    enum class Kind { Stream, Random, Strided, Mixed } kind = Kind::Random;
    uint64_t stride = 64;
    uint32_t reads_per_write = 0; // 0: reads only
    std::string name;
};
bool parse_pattern(const std::string& spec, DramPattern& p, std::string& why);

class DramPatternSource : public DramRequestSource {
public:
    DramPatternSource(const DramPattern& p, uint64_t span, uint32_t burst_bytes, uint64_t count, uint64_t seed);
    bool next(DramRequest& r) override;

private:
    DramPattern p_;
    uint64_t span_, burst_, count_, i_ = 0, x_;
    uint64_t rand();
};

struct DramReplayOptions {
    bool call_mode = false;      // schedule each request as it arrives (the board); else queue mode (DRAMSim3)
    bool as_fast_as_possible = false; // ignore the trace's clocks
    uint32_t outstanding = 0;    // reads in flight at most (0: only the queues limit them)
    std::function<void(uint64_t)> progress; // called with the requests done so far, every 2^20
};

struct DramReplayResult {
    uint64_t requests = 0, reads = 0, writes = 0, bytes = 0;
    uint64_t first_cycle = 0, end_cycle = 0; // first acceptance .. last data beat
    double host_seconds = 0;
    std::vector<DramChannel> channels;       // finished
    std::string error;                       // a malformed source line
    double bytes_per_second(const DramTimingParams& p) const {
        return end_cycle > first_cycle ? double(bytes) / (double(end_cycle - first_cycle) * double(p.tCK_ps) * 1e-12) : 0.0;
    }
};

// Requests enter in order, at most one per clock, each when its clock has
// come, its channel's queue has room and fewer than `outstanding` reads are
// in flight (DRAMSim3's TraceBasedCPU, plus the in-flight limit).
DramReplayResult dram_replay(const DramTimingParams& p, const DramControllerConfig& c, const DramAddressMap& map, uint32_t channels,
                             DramRequestSource& src, const DramReplayOptions& o);

} // namespace dynavp
