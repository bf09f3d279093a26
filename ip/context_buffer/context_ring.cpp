#include "context_ring.h"

#include <algorithm>

namespace dynavp::context_buffer {

bool ContextRing::commit(uint32_t context_words) {
    const uint32_t n = 1 + context_words;
    if (used_ + n > words_) {
        ++overflows_;
        return false;
    }
    records_.push_back({tail_, n});
    tail_ = (tail_ + n) % words_;
    used_ += n;
    peak_ = std::max(peak_, used_);
    return true;
}

bool ContextRing::pop(Record& r) {
    if (records_.empty()) return false;
    r = records_.front();
    records_.pop_front();
    used_ -= r.words;
    return true;
}

void ContextRing::reset() {
    records_.clear();
    tail_ = used_ = 0;
}

} // namespace dynavp::context_buffer
