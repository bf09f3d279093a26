// What a DMA descriptor moves: the list of bus-sized chunks (pure C++).
#pragma once

#include <cstdint>
#include <vector>

namespace dynavp {

struct DmaTransfer {
    uint64_t src = 0, dst = 0;
    uint32_t row_bytes = 0, rows = 1;
    uint32_t src_stride = 0, dst_stride = 0;
    uint64_t total_bytes() const { return uint64_t(row_bytes) * rows; }
    bool valid() const { return row_bytes > 0 && rows > 0; }
};

struct DmaChunk {
    uint64_t src, dst;
    uint32_t len;
};

// Iterates the chunks of a transfer in order: row by row, each row cut into
// pieces of at most chunk_bytes that do not cross a chunk_bytes boundary of
// the source address (bursts stay aligned, as a bus master's would).
class TransferPlan {
public:
    TransferPlan(const DmaTransfer& t, uint32_t chunk_bytes);
    bool next(DmaChunk& out);

private:
    DmaTransfer t_;
    uint32_t chunk_;
    uint32_t row_ = 0;
    uint32_t in_row_ = 0;
};

std::vector<DmaChunk> plan_chunks(const DmaTransfer& t, uint32_t chunk_bytes);

} // namespace dynavp
