#include "sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace dynavp {

uint8_t* SparseMemory::page(uint64_t index) {
    auto& p = pages_[index];
    if (!p) p.reset(new uint8_t[kPageBytes]()); // zero-filled
    return p.get();
}

void SparseMemory::read(uint64_t offset, uint8_t* dst, uint64_t len) const {
    while (len > 0) {
        const uint64_t in_page = offset % kPageBytes;
        const uint64_t n = std::min(len, kPageBytes - in_page);
        auto it = pages_.find(offset / kPageBytes);
        if (it == pages_.end()) std::memset(dst, 0, n);
        else std::memcpy(dst, it->second.get() + in_page, n);
        dst += n;
        offset += n;
        len -= n;
    }
}

void SparseMemory::write(uint64_t offset, const uint8_t* src, uint64_t len) {
    while (len > 0) {
        const uint64_t in_page = offset % kPageBytes;
        const uint64_t n = std::min(len, kPageBytes - in_page);
        std::memcpy(page(offset / kPageBytes) + in_page, src, n);
        src += n;
        offset += n;
        len -= n;
    }
}

uint8_t* SparseMemory::page_for_dmi(uint64_t offset, uint64_t& page_base) {
    page_base = offset - offset % kPageBytes;
    return page(offset / kPageBytes);
}

} // namespace dynavp
