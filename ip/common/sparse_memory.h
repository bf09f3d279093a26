// Sparse byte store: GiBs of address space, pages allocated on first write.
// Reads of never-written bytes return zero without allocating.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace dynavp {

class SparseMemory {
public:
    static constexpr uint64_t kPageBytes = 4096;

    explicit SparseMemory(uint64_t size) : size_(size) {}
    uint64_t size() const { return size_; }

    // Offsets are relative to the start of the memory; caller checks bounds.
    void read(uint64_t offset, uint8_t* dst, uint64_t len) const;
    void write(uint64_t offset, const uint8_t* src, uint64_t len);
    // Backing page for DMI (allocates it); page_base receives its offset.
    uint8_t* page_for_dmi(uint64_t offset, uint64_t& page_base);

    uint64_t allocated_pages() const { return pages_.size(); }
    uint64_t allocated_bytes() const { return pages_.size() * kPageBytes; }

private:
    uint8_t* page(uint64_t page_index);
    uint64_t size_;
    std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

} // namespace dynavp
