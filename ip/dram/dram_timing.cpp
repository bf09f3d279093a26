#include "dram_timing.h"

#include <algorithm>

namespace dynavp {
namespace {
bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }
} // namespace

std::string DramTimingParams::validate() const {
    if (tCK_ps == 0) return "tCK_ps must be > 0";
    // Plausibility caps keep every derived product far inside 64 bits and
    // the controller's command encoding (2 rank bits, 3 bank-group bits).
    if (burst_length > 32) return "burst_length must be <= 32";
    if (bus_bytes > 128) return "bus_bytes must be <= 128";
    if (ranks == 0 || ranks > 4 || !is_pow2(ranks)) return "ranks must be 1, 2 or 4";
    if (bank_groups > 8 || banks_per_group > 32) return "bank_groups must be <= 8 and banks_per_group <= 32";
    if (rows > (1u << 20) || columns > (1u << 16)) return "rows must be <= 2^20 and columns <= 2^16";
    if (burst_length < 2 || burst_length % 2) return "burst_length must be an even number >= 2";
    if (!is_pow2(bus_bytes)) return "bus_bytes must be a power of two";
    if (!is_pow2(bank_groups)) return "bank_groups must be a power of two";
    if (!is_pow2(banks_per_group)) return "banks_per_group must be a power of two";
    if (!is_pow2(rows)) return "rows must be a power of two";
    if (!is_pow2(columns)) return "columns must be a power of two";
    if (!is_pow2(burst_length) || columns < burst_length) return "columns must be a multiple of burst_length (both powers of two)";
    if (CL == 0 || CWL == 0) return "CL and CWL must be > 0";
    if (tRCD == 0 || tRP == 0 || tRAS == 0) return "tRCD, tRP and tRAS must be > 0";
    if (tCCD_S == 0 || tCCD_L < tCCD_S) return "tCCD_S must be > 0 and tCCD_L >= tCCD_S";
    if (tRRD_L < tRRD_S) return "tRRD_L must be >= tRRD_S";
    if (tWTR_L < tWTR_S) return "tWTR_L must be >= tWTR_S";
    if (tREFI == 0 || tRFC == 0 || tRFC >= tREFI) return "need 0 < tRFC < tREFI";
    if ((tRFCpb == 0) != (tREFIpb == 0)) return "tRFCpb and tREFIpb are both 0 (no per-bank refresh) or both > 0";
    if (tRFCpb && tRFCpb >= uint64_t(tREFIpb) * banks()) return "need tRFCpb < tREFIpb x banks";
    // Every window the controller scans must stay far below its timeline.
    for (uint32_t v : {CL, CWL, tRCD, tRCDWR, tRP, tRAS, tWR, tWTR_L, tRTP, tRTW, tRTRS, tCCD_L, tRRD_L, tFAW})
        if (v > 4096) return "a timing other than tRFC/tREFI exceeds 4096 clocks";
    // After a refresh a burst needs ACT + column + data before the next one.
    if (uint64_t(tRFC) + tRP + std::max(tRCD, tRCDWR) + std::max(CL, CWL) + tBURST() >= tREFI)
        return "tREFI too short: tRFC + tRP + tRCD + CL + tBURST must fit between refreshes";
    if (devices > 0 && (VDD <= 0 || IDD0 <= 0 || IDD3N <= 0 || IDD2N <= 0 || IDD4R <= 0 || IDD4W <= 0 || IDD5AB <= 0))
        return "power: with devices > 0, VDD and IDD0, IDD2N, IDD3N, IDD4R, IDD4W, IDD5AB must be > 0";
    if (devices > 0 && IDD0 * (tRAS + tRP) < IDD3N * tRAS + IDD2N * tRP)
        return "power: IDD0 x tRC must be >= IDD3N x tRAS + IDD2N x tRP (an ACT costs energy)";
    if (devices > 0 && (IDD4R < IDD3N || IDD4W < IDD3N || IDD5AB < IDD3N)) return "power: IDD4R, IDD4W and IDD5AB must be >= IDD3N";
    return {};
}

} // namespace dynavp
