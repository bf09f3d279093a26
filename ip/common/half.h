// IEEE 754 binary16 <-> float (round to nearest even), for fp16 models.
#pragma once

#include <cstdint>
#include <cstring>

namespace dynavp {

inline float half_to_float(uint16_t h) {
    const uint32_t s = uint32_t(h >> 15) << 31, e = (h >> 10) & 0x1F, m = h & 0x3FF;
    uint32_t bits;
    if (e == 0) {
        if (m == 0) bits = s;
        else { // subnormal: normalise
            uint32_t mm = m, ee = 113;
            while (!(mm & 0x400)) {
                mm <<= 1;
                --ee;
            }
            bits = s | (ee << 23) | ((mm & 0x3FF) << 13);
        }
    } else if (e == 31) {
        bits = s | 0x7F800000u | (m << 13);
    } else {
        bits = s | ((e + 112) << 23) | (m << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline uint16_t float_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t s = uint16_t((x >> 16) & 0x8000);
    const uint32_t e = (x >> 23) & 0xFF, m = x & 0x7FFFFF;
    if (e == 0xFF) return uint16_t(s | 0x7C00 | (m ? 0x200 : 0)); // inf / nan
    int32_t ne = int32_t(e) - 127 + 15;
    if (ne >= 31) return uint16_t(s | 0x7C00); // overflow -> inf
    if (ne <= 0) { // subnormal or zero
        if (ne < -10) return s;
        const uint32_t mm = m | 0x800000, shift = uint32_t(14 - ne);
        uint32_t h = mm >> shift;
        const uint32_t rem = mm & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) ++h;
        return uint16_t(s | h);
    }
    uint32_t h = (uint32_t(ne) << 10) | (m >> 13);
    const uint32_t rem = m & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h; // may carry into the exponent: still correct
    return uint16_t(s | h);
}

} // namespace dynavp
