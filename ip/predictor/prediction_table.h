// The two-level prediction table of DNA sec. VI-A (Fig. 10), without
// SystemC: entries indexed by TileID and the recent access trace (RAT) of the
// current sample, each a 2-bit saturating state; 10 and 11 predict "useful".
// Update: +1 where the tile was used, -1 where it was not; the actual trace
// then becomes the next RAT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dynavp::predictor {

class PredictionTable {
public:
    // initial_state: what every entry holds after reset (0..3). DNA does not
    // say; the platform JSON chooses (default 1, "weakly not useful").
    PredictionTable(uint32_t tiles, uint32_t rat_bits, uint8_t initial_state);

    uint32_t tiles() const { return tiles_; }
    uint32_t rat_bits() const { return rat_bits_; }
    uint32_t rat_values() const { return 1u << rat_bits_; }
    size_t bytes() const { return (entries() * 2 + 7) / 8; }
    size_t entries() const { return size_t(tiles_) << rat_bits_; }

    uint8_t state(uint32_t tile, uint32_t rat) const;
    void set_state(uint32_t tile, uint32_t rat, uint8_t s);
    static bool useful(uint8_t state) { return state >= 2; } // 10, 11

    // Tiles base .. base+n-1 predicted useful under `rat` (DNA Fig. 10a
    // steps 1-2); element i of the result is TileID base + i. `base` lets
    // several operators (layers) own disjoint rows of one table.
    std::vector<bool> predict(uint32_t rat, uint32_t n, uint32_t base = 0) const;
    // Step 3: +1 / -1 (saturating) for TileIDs base .. base+actual.size()-1 under `rat`.
    void update(uint32_t rat, const std::vector<bool>& actual, uint32_t base = 0);
    // The RAT an actual trace leaves behind: bit b is tile b's use, b < RAT_BITS
    // (DNA Fig. 11: the first four experts' status form a 4-bit RAT).
    uint32_t rat_of(const std::vector<bool>& trace) const;
    void reset();

    // Packed view for the MMIO window: 16 states per word, entry e = tile * 2^rat_bits + rat.
    uint32_t word(size_t i) const;
    void set_word(size_t i, uint32_t w);
    size_t words() const { return (entries() + 15) / 16; }

private:
    uint32_t tiles_, rat_bits_;
    uint8_t initial_;
    std::vector<uint8_t> s_; // one state per entry
};

} // namespace dynavp::predictor
