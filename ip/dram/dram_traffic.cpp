#include "dram_traffic.h"

#include <chrono>
#include <cstdlib>
#include <deque>
#include <unordered_map>

namespace dynavp {

bool parse_trace_line(const std::string& line, DramRequest& r, bool& blank, std::string& why) {
    blank = false;
    size_t i = 0;
    auto skip = [&] {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    };
    auto word = [&] {
        skip();
        const size_t s = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        return line.substr(s, i - s);
    };
    skip();
    if (i == line.size() || line[i] == '#') {
        blank = true;
        return true;
    }
    const std::string a = word(), op = word(), cyc = word(), extra = word();
    if (a.size() < 3 || a[0] != '0' || (a[1] != 'x' && a[1] != 'X') || a.size() > 18 ||
        a.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos) {
        why = "address \"" + a + "\" is not a hexadecimal 0x... number of at most 64 bits";
        return false;
    }
    // READ / WRITE, and the spellings DRAMSim2/3 traces use for them.
    static const char* const reads[] = {"READ", "read", "P_MEM_RD", "P_FETCH", "P_LOCK_RD"};
    static const char* const writes[] = {"WRITE", "write", "P_MEM_WR", "P_LOCK_WR", "BOFF"};
    bool is_read = false, is_write = false;
    for (const char* k : reads) is_read |= op == k;
    for (const char* k : writes) is_write |= op == k;
    if (!is_read && !is_write) {
        why = op.empty() ? "missing READ or WRITE" : "\"" + op + "\" is neither READ nor WRITE";
        return false;
    }
    if (cyc.empty() || cyc.size() > 19 || cyc.find_first_not_of("0123456789") != std::string::npos) {
        why = cyc.empty() ? "missing the clock" : "clock \"" + cyc + "\" is not a non-negative integer below 10^19";
        return false;
    }
    if (!extra.empty()) {
        why = "unexpected \"" + extra + "\" after the clock";
        return false;
    }
    r.addr = std::strtoull(a.c_str() + 2, nullptr, 16);
    r.write = is_write;
    r.cycle = std::strtoull(cyc.c_str(), nullptr, 10);
    return true;
}

std::string format_trace_line(const DramRequest& r) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%llx %s %llu", (unsigned long long)r.addr, r.write ? "WRITE" : "READ", (unsigned long long)r.cycle);
    return buf;
}

DramTraceFile::DramTraceFile(const std::string& path) : path_(path), in_(path) {}

bool DramTraceFile::next(DramRequest& r) {
    std::string line;
    while (error_.empty() && std::getline(in_, line)) {
        ++line_;
        bool blank = false;
        std::string why;
        if (!parse_trace_line(line, r, blank, why)) {
            error_line_ = line_;
            why_ = why;
            error_ = path_ + ":" + std::to_string(line_) + ": " + why;
            return false;
        }
        if (!blank) return true;
    }
    if (error_.empty() && in_.bad()) {
        error_line_ = line_ + 1;
        why_ = "read error";
        error_ = path_ + ":" + std::to_string(line_ + 1) + ": read error";
    }
    return false;
}

bool parse_pattern(const std::string& spec, DramPattern& p, std::string& why) {
    p = DramPattern{};
    p.name = spec;
    const size_t colon = spec.find(':');
    const std::string kind = spec.substr(0, colon), arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
    auto number = [&](uint64_t& v, uint64_t lo, uint64_t hi) {
        if (arg.empty() || arg.size() > 12 || arg.find_first_not_of("0123456789") != std::string::npos) return false;
        v = std::strtoull(arg.c_str(), nullptr, 10);
        return v >= lo && v <= hi;
    };
    if (kind == "stream" && arg.empty()) p.kind = DramPattern::Kind::Stream;
    else if (kind == "random" && arg.empty()) p.kind = DramPattern::Kind::Random;
    else if (kind == "strided") {
        p.kind = DramPattern::Kind::Strided;
        if (!number(p.stride, 1, uint64_t(1) << 40)) {
            why = "\"" + spec + "\": strided:N takes a stride of 1 .. 2^40 bytes";
            return false;
        }
    } else if (kind == "mixed") {
        p.kind = DramPattern::Kind::Mixed;
        uint64_t r = 0;
        if (!number(r, 1, 1000)) {
            why = "\"" + spec + "\": mixed:R takes 1 .. 1000 reads per write";
            return false;
        }
        p.reads_per_write = uint32_t(r);
    } else {
        why = "\"" + spec + "\" (known: stream, random, strided:N, mixed:R)";
        return false;
    }
    return true;
}

DramPatternSource::DramPatternSource(const DramPattern& p, uint64_t span, uint32_t burst_bytes, uint64_t count, uint64_t seed)
    : p_(p), span_(std::max<uint64_t>(span / burst_bytes, 1)), burst_(burst_bytes), count_(count), x_(seed * 0x9E3779B97F4A7C15ull + 7) {}

uint64_t DramPatternSource::rand() { // xorshift64*
    x_ ^= x_ >> 12;
    x_ ^= x_ << 25;
    x_ ^= x_ >> 27;
    return x_ * 0x2545F4914F6CDD1Dull;
}

bool DramPatternSource::next(DramRequest& r) {
    if (i_ >= count_) return false;
    r.cycle = 0;
    r.write = false;
    switch (p_.kind) {
    case DramPattern::Kind::Stream: r.addr = (i_ % span_) * burst_; break;
    case DramPattern::Kind::Strided: r.addr = ((i_ * p_.stride) / burst_ % span_) * burst_; break;
    case DramPattern::Kind::Random: r.addr = (rand() >> 8) % span_ * burst_; break;
    case DramPattern::Kind::Mixed:
        r.addr = (rand() >> 8) % span_ * burst_;
        r.write = rand() % (p_.reads_per_write + 1) == 0;
        break;
    }
    ++i_;
    return true;
}

DramReplayResult dram_replay(const DramTimingParams& p, const DramControllerConfig& c, const DramAddressMap& map, uint32_t channels,
                             DramRequestSource& src, const DramReplayOptions& o) {
    DramReplayResult res;
    std::vector<DramChannel> ch(channels, DramChannel(p, c));
    const uint64_t bb = p.burst_bytes();
    std::deque<std::pair<uint64_t, uint32_t>> inflight; // (tag, channel) of reads in flight, oldest first
    std::unordered_map<uint64_t, uint64_t> done_at;     // completions of reads still in `inflight`
    auto collect = [&](DramChannel& k) {
        for (const auto& d : k.q_done()) {
            if (!d.write && o.outstanding) done_at[d.tag] = d.done;
            res.end_cycle = std::max(res.end_cycle, d.done);
        }
        k.q_done().clear();
    };
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t prev = 0;
    bool any = false;
    DramRequest r;
    while (src.next(r)) {
        const uint64_t tag = res.requests;
        uint64_t a = o.as_fast_as_possible ? 0 : r.cycle;
        if (any) a = std::max(a, prev + 1); // one request enters per clock, in order
        const DramCoord k = map.decode(r.addr & ~(bb - 1));
        DramChannel& chan = ch[k.channel];
        const DramChannel::Burst b{k.rank, k.bank_group, k.bank, k.row, k.column, r.addr & ~(bb - 1)};
        if (!r.write && o.outstanding) {
            while (inflight.size() >= o.outstanding) { // wait for the oldest read in flight
                const auto [t, cn] = inflight.front();
                uint64_t when;
                if (o.call_mode) {
                    when = done_at.at(t);
                } else {
                    while (!done_at.count(t)) {
                        if (!ch[cn].q_step()) break;
                        collect(ch[cn]);
                    }
                    when = done_at.count(t) ? done_at[t] : a;
                }
                a = std::max(a, when);
                done_at.erase(t);
                inflight.pop_front();
            }
        }
        if (o.call_mode) {
            chan.retire(a);
            const uint64_t done = r.write ? chan.lt_write(b, a) : chan.lt_read(b, a);
            if (!r.write && o.outstanding) done_at[tag] = done;
            res.end_cycle = std::max(res.end_cycle, done);
        } else {
            a = chan.q_room(r.write, a);
            chan.q_run(a);
            chan.q_push(b, r.write, a, tag);
            collect(chan);
        }
        if (!r.write && o.outstanding) inflight.emplace_back(tag, k.channel);
        if (!any) res.first_cycle = a;
        any = true;
        prev = a;
        ++res.requests;
        if (o.progress && (res.requests & ((1u << 20) - 1)) == 0) o.progress(res.requests);
        (r.write ? res.writes : res.reads) += 1;
        res.bytes += bb;
    }
    res.error = src.error();
    for (DramChannel& k : ch) {
        if (!o.call_mode) {
            k.q_run(DramChannel::kNever);
            collect(k);
        }
        k.finish(prev);
        res.end_cycle = std::max(res.end_cycle, k.last_data());
    }
    res.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res.channels = std::move(ch);
    return res;
}

} // namespace dynavp
