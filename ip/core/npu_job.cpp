#include <array>
#include <cstring>
#include <type_traits>

#include "npu_regs.h"

namespace dynavp::npu {
namespace {

struct Writer {
    uint8_t* p;
    size_t at = 0;
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) p[at++] = uint8_t(v >> (8 * i));
    }
    void u64(uint64_t v) {
        u32(uint32_t(v));
        u32(uint32_t(v >> 32));
    }
    void f32(float f) {
        uint32_t v;
        std::memcpy(&v, &f, 4);
        u32(v);
    }
};

struct Reader {
    const uint8_t* p;
    size_t at = 0;
    uint32_t u32() {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= uint32_t(p[at++]) << (8 * i);
        return v;
    }
    uint64_t u64() {
        const uint64_t lo = u32();
        return lo | (uint64_t(u32()) << 32);
    }
    float f32() {
        const uint32_t v = u32();
        float f;
        std::memcpy(&f, &v, 4);
        return f;
    }
};

// One field list for both directions keeps encode and decode in step.
template <class IO, class D> void fields(IO& io, D& d) {
    auto u32 = [&](auto& v) {
        if constexpr (std::is_const_v<std::remove_reference_t<decltype(v)>>) io.u32(v);
        else v = io.u32();
    };
    auto u64 = [&](auto& v) {
        if constexpr (std::is_const_v<std::remove_reference_t<decltype(v)>>) io.u64(v);
        else v = io.u64();
    };
    auto f32 = [&](auto& v) {
        if constexpr (std::is_const_v<std::remove_reference_t<decltype(v)>>) io.f32(v);
        else v = io.f32();
    };
    u32(d.kind);
    for (auto& x : d.dims) u32(x);
    u32(d.stride);
    u32(d.dilation);
    u32(d.groups);
    u32(d.dtype);
    u32(d.out_format);
    f32(d.scale);
    u32(d.slot);
    u32(d.slots);
    u32(d.group);
    u64(d.in_addr);
    u64(d.w_addr);
    u64(d.out_addr);
    u64(d.sched_addr);
    u32(d.sched_bytes);
    u64(d.psum_addr);
    u32(d.w_layout);
    u32(d.pool_kind);
    u32(d.pad);
    u32(d.in_h);
    u32(d.in_w);
    u32(d.nl_op);
    u32(d.nl_n);
    u32(d.nl_k);
    f32(d.nl_threshold);
    u32(d.policy);
    u32(d.rt_address);
    u64(d.nl_src);
    u64(d.nl_dst);
    u32(d.nl_rows);
    u32(d.nl_in_format);
}

} // namespace

const char* err_name(uint32_t code) {
    switch (code) {
    case kErrNone: return "none";
    case kErrBusy: return "busy";
    case kErrBusFault: return "bus fault";
    case kErrBadDescriptor: return "bad job descriptor";
    case kErrBadSchedule: return "malformed schedule";
    case kErrShape: return "schedule does not cover the operator";
    case kErrR1: return "R1 violated (tile exceeds a buffer)";
    case kErrR2: return "R2 violated (more spatial instances than PEs/cores)";
    case kErrSlot: return "slot does not match the schedule's spatial loops";
    case kErrGroup: return "cores of one launch disagree on the job, or another of its cores failed";
    case kErrRange: return "a tensor does not fit the memory it is placed in";
    }
    return "unknown error";
}

void encode_job(const JobDescriptor& d, uint8_t out[kJobBytes]) {
    std::memset(out, 0, kJobBytes);
    Writer w{out};
    w.u32(kJobMagic);
    fields(w, d);
    static_assert(4 + 4 * 31 + 8 * 7 <= kJobBytes, "descriptor fields overflow kJobBytes");
}

bool decode_job(const uint8_t in[kJobBytes], JobDescriptor& d) {
    Reader r{in};
    if (r.u32() != kJobMagic) return false;
    fields(r, d);
    return true;
}

std::vector<uint8_t> encode_schedule(const sched::Schedule& s) {
    const size_t n = 8 + 8 * s.factors.size() + ((s.order.size() * sched::kDims + 3) & ~size_t(3));
    std::vector<uint8_t> out(n, 0);
    Writer w{out.data()};
    w.u32(kSchedMagic);
    w.u32(uint32_t(s.levels()) | (uint32_t(s.factors.size()) << 16));
    for (const auto& f : s.factors) {
        out[w.at++] = uint8_t(f.dim);
        out[w.at++] = uint8_t(f.level);
        out[w.at++] = f.spatial ? 1 : 0;
        out[w.at++] = 0;
        w.u32(f.value);
    }
    for (const auto& o : s.order)
        for (sched::Dim d : o) out[w.at++] = uint8_t(d);
    return out;
}

std::string decode_schedule(const uint8_t* bytes, size_t len, sched::Schedule& s) {
    if (len < 8) return "shorter than its 8-byte header";
    Reader r{bytes};
    if (r.u32() != kSchedMagic) return "bad magic (expected \"SCHD\")";
    const uint32_t hdr = r.u32(), levels = hdr & 0xFFFF, nf = hdr >> 16;
    if (levels == 0 || levels > 16) return "level count " + std::to_string(levels) + " outside [1, 16]";
    if (len < 8 + 8 * size_t(nf) + size_t(levels) * sched::kDims) return "truncated: header promises " + std::to_string(nf) + " factors";
    s.factors.clear();
    s.order.assign(levels, sched::LoopOrder{});
    std::array<uint64_t, sched::kDims> product;
    product.fill(1);
    for (uint32_t i = 0; i < nf; ++i) {
        sched::FactorSlot f;
        const uint8_t dim = bytes[r.at], level = bytes[r.at + 1], spatial = bytes[r.at + 2];
        r.at += 4;
        f.value = r.u32();
        if (dim >= sched::kDims) return "factor " + std::to_string(i) + ": dimension index " + std::to_string(dim) + " >= 7";
        if (level >= levels) return "factor " + std::to_string(i) + ": level " + std::to_string(level) + " does not exist";
        if (spatial > 1) return "factor " + std::to_string(i) + ": spatial flag " + std::to_string(spatial);
        if (f.value < 2) return "factor " + std::to_string(i) + ": value " + std::to_string(f.value) + " < 2";
        product[dim] *= f.value; // both <= 2^20 here: no overflow
        if (product[dim] > sched::kMaxDim)
            return std::string("factors of ") + sched::dim_name(sched::Dim(dim)) + " multiply past " + std::to_string(sched::kMaxDim);
        f.dim = sched::Dim(dim);
        f.level = level;
        f.spatial = spatial == 1;
        s.factors.push_back(f);
    }
    for (uint32_t l = 0; l < levels; ++l) {
        bool seen[sched::kDims] = {};
        for (int k = 0; k < sched::kDims; ++k) {
            const uint8_t d = bytes[r.at++];
            if (d >= sched::kDims || seen[d]) return "loop order of level " + std::to_string(l) + " is not a permutation of the 7 dims";
            seen[d] = true;
            s.order[l][size_t(k)] = sched::Dim(d);
        }
    }
    return {};
}

} // namespace dynavp::npu
