#include "prediction_table.h"

#include <stdexcept>
#include <string>

#include "predictor_regs.h"

namespace dynavp::predictor {

const char* err_name(uint32_t code) {
    switch (code) {
    case kErrNone: return "none";
    case kErrLayer: return "LAYER_TILES out of range";
    case kErrPlace: return "tiles do not fit the prefetch buffer or its directory";
    case kErrBus: return "tile transfer bus error";
    case kErrCommand: return "unknown command";
    }
    return "unknown";
}

PredictionTable::PredictionTable(uint32_t tiles, uint32_t rat_bits, uint8_t initial_state)
    : tiles_(tiles), rat_bits_(rat_bits), initial_(initial_state) {
    if (tiles == 0 || tiles > kMaxTiles) throw std::invalid_argument("prediction table: tiles must be in [1, 256]");
    if (rat_bits > 16) throw std::invalid_argument("prediction table: at most 16 RAT bits");
    if (initial_state > 3) throw std::invalid_argument("prediction table: a state has 2 bits");
    s_.assign(entries(), initial_);
}

uint8_t PredictionTable::state(uint32_t tile, uint32_t rat) const { return s_.at((size_t(tile) << rat_bits_) | (rat & (rat_values() - 1))); }

void PredictionTable::set_state(uint32_t tile, uint32_t rat, uint8_t s) {
    s_.at((size_t(tile) << rat_bits_) | (rat & (rat_values() - 1))) = uint8_t(s & 3);
}

std::vector<bool> PredictionTable::predict(uint32_t rat, uint32_t n, uint32_t base) const {
    std::vector<bool> p(n);
    for (uint32_t t = 0; t < n && uint64_t(base) + t < tiles_; ++t) p[t] = useful(state(base + t, rat));
    return p;
}

void PredictionTable::update(uint32_t rat, const std::vector<bool>& actual, uint32_t base) {
    for (uint32_t t = 0; t < actual.size() && uint64_t(base) + t < tiles_; ++t) {
        const uint8_t s = state(base + t, rat);
        set_state(base + t, rat, actual[t] ? uint8_t(s < 3 ? s + 1 : 3) : uint8_t(s > 0 ? s - 1 : 0));
    }
}

uint32_t PredictionTable::rat_of(const std::vector<bool>& trace) const {
    uint32_t r = 0;
    for (uint32_t b = 0; b < rat_bits_ && b < trace.size(); ++b) r |= uint32_t(trace[b]) << b;
    return r;
}

void PredictionTable::reset() { s_.assign(entries(), initial_); }

uint32_t PredictionTable::word(size_t i) const {
    uint32_t w = 0;
    for (size_t k = 0; k < 16 && i * 16 + k < s_.size(); ++k) w |= uint32_t(s_[i * 16 + k]) << (2 * k);
    return w;
}

void PredictionTable::set_word(size_t i, uint32_t w) {
    for (size_t k = 0; k < 16 && i * 16 + k < s_.size(); ++k) s_[i * 16 + k] = uint8_t((w >> (2 * k)) & 3);
}

} // namespace dynavp::predictor
