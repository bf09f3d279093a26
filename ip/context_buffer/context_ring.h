// The context buffer's bookkeeping (pure C++): a ring of word-granular
// records over `capacity` bytes of storage. A record is a header word plus
// its context words, and may wrap around the end of the storage.
#pragma once

#include <cstdint>
#include <deque>

namespace dynavp::context_buffer {

class ContextRing {
public:
    explicit ContextRing(uint32_t capacity_bytes) : words_(capacity_bytes / 4) {}
    uint32_t capacity_bytes() const { return words_ * 4; }
    uint32_t tail_offset() const { return tail_ * 4; }              // where the next header goes
    uint32_t head_offset() const { return records_.empty() ? tail_ * 4 : records_.front().start * 4; }
    uint32_t used_bytes() const { return used_ * 4; }
    uint32_t peak_bytes() const { return peak_ * 4; }
    uint32_t count() const { return uint32_t(records_.size()); }
    uint64_t overflows() const { return overflows_; }
    // Word offset (in words) of the i-th word after `start`, wrapping.
    uint32_t word_at(uint32_t start_word, uint32_t i) const { return (start_word + i) % words_; }

    // A record of 1 + n words at the tail. False (and counted) if it does not fit.
    bool commit(uint32_t context_words);
    struct Record {
        uint32_t start = 0, words = 0; // in words; words includes the header
    };
    // The oldest record, removed. False if empty.
    bool pop(Record& r);
    const std::deque<Record>& pending() const { return records_; }
    void reset();

private:
    uint32_t words_, tail_ = 0, used_ = 0, peak_ = 0;
    uint64_t overflows_ = 0;
    std::deque<Record> records_;
};

} // namespace dynavp::context_buffer
