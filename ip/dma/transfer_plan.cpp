#include "transfer_plan.h"

#include <algorithm>

namespace dynavp {

TransferPlan::TransferPlan(const DmaTransfer& t, uint32_t chunk_bytes) : t_(t), chunk_(chunk_bytes ? chunk_bytes : 1) {}

bool TransferPlan::next(DmaChunk& out) {
    if (!t_.valid() || row_ >= t_.rows) return false;
    const uint64_t src = t_.src + uint64_t(row_) * t_.src_stride + in_row_;
    const uint64_t dst = t_.dst + uint64_t(row_) * t_.dst_stride + in_row_;
    const uint64_t to_boundary = chunk_ - src % chunk_;
    const uint32_t len = uint32_t(std::min<uint64_t>({to_boundary, uint64_t(t_.row_bytes - in_row_)}));
    out = DmaChunk{src, dst, len};
    in_row_ += len;
    if (in_row_ == t_.row_bytes) {
        in_row_ = 0;
        ++row_;
    }
    return true;
}

std::vector<DmaChunk> plan_chunks(const DmaTransfer& t, uint32_t chunk_bytes) {
    std::vector<DmaChunk> v;
    TransferPlan p(t, chunk_bytes);
    DmaChunk c;
    while (p.next(c)) v.push_back(c);
    return v;
}

} // namespace dynavp
