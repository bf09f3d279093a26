#include "address_map.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace dynavp {
namespace {
std::string describe(const AddressRegion& r) {
    std::ostringstream os;
    os << "'" << r.name << "' [0x" << std::hex << r.base << ", 0x" << r.end() << ")";
    return os.str();
}
} // namespace

void AddressMap::add(const AddressRegion& r) {
    if (r.size == 0) throw std::invalid_argument("region " + describe(r) + " is empty");
    if (r.base + r.size < r.base) throw std::invalid_argument("region '" + r.name + "' wraps around the address space");
    auto it = std::lower_bound(regions_.begin(), regions_.end(), r.base,
                               [](const AddressRegion& a, uint64_t b) { return a.base < b; });
    if (it != regions_.end() && it->base < r.end())
        throw std::invalid_argument("region " + describe(r) + " overlaps " + describe(*it));
    if (it != regions_.begin() && std::prev(it)->end() > r.base)
        throw std::invalid_argument("region " + describe(r) + " overlaps " + describe(*std::prev(it)));
    regions_.insert(it, r);
}

DecodeResult AddressMap::decode(uint64_t addr, uint64_t len) const {
    DecodeResult res;
    // Last region whose base <= addr (binary search: the map is sorted).
    auto it = std::upper_bound(regions_.begin(), regions_.end(), addr,
                               [](uint64_t a, const AddressRegion& r) { return a < r.base; });
    if (it == regions_.begin()) return res;
    const AddressRegion& r = *std::prev(it);
    if (addr >= r.end()) return res;
    res.region = &r;
    res.offset = addr - r.base;
    res.status = (len > r.end() - addr) ? DecodeStatus::CrossesRegion : DecodeStatus::Ok;
    return res;
}

} // namespace dynavp
