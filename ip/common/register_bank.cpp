#include "register_bank.h"

#include <cstring>
#include <stdexcept>

namespace dynavp {

void RegisterBank::declare(const reg::Register& r) {
    if (r.offset % 4) throw std::logic_error(std::string("register ") + r.name + " is not 4-byte aligned");
    if (!regs_.emplace(r.offset, Slot{r, r.reset, nullptr, nullptr}).second)
        throw std::logic_error(std::string("register ") + r.name + " reuses offset of " + regs_.at(r.offset).def.name);
}

RegisterBank::Slot& RegisterBank::slot(const reg::Register& r) {
    auto it = regs_.find(r.offset);
    if (it == regs_.end()) throw std::logic_error(std::string("register ") + r.name + " was not declared");
    return it->second;
}

void RegisterBank::on_read(const reg::Register& r, ReadHook h) { slot(r).on_read = std::move(h); }
void RegisterBank::on_write(const reg::Register& r, WriteHook h) { slot(r).on_write = std::move(h); }

uint32_t RegisterBank::get(const reg::Register& r) const {
    auto it = regs_.find(r.offset);
    if (it == regs_.end()) throw std::logic_error(std::string("register ") + r.name + " was not declared");
    return it->second.value;
}

void RegisterBank::set(const reg::Register& r, uint32_t v) { slot(r).value = v; }

void RegisterBank::reset() {
    for (auto& kv : regs_) kv.second.value = kv.second.def.reset;
}

RegAccessStatus RegisterBank::read(uint64_t offset, uint8_t* data, unsigned len) {
    if (len != 4) return RegAccessStatus::BurstError;
    if (offset % 4) return RegAccessStatus::AddressError;
    auto it = regs_.find(uint32_t(offset));
    if (offset > UINT32_MAX || it == regs_.end()) return RegAccessStatus::AddressError;
    Slot& s = it->second;
    uint32_t v = s.def.access == reg::Access::WO ? 0 : s.value;
    if (s.on_read) v = s.on_read(v);
    std::memcpy(data, &v, 4); // little-endian host, little-endian bus
    return RegAccessStatus::Ok;
}

RegAccessStatus RegisterBank::write(uint64_t offset, const uint8_t* data, unsigned len) {
    if (len != 4) return RegAccessStatus::BurstError;
    if (offset % 4) return RegAccessStatus::AddressError;
    auto it = regs_.find(uint32_t(offset));
    if (offset > UINT32_MAX || it == regs_.end()) return RegAccessStatus::AddressError;
    Slot& s = it->second;
    uint32_t w;
    std::memcpy(&w, data, 4);
    const uint32_t old = s.value;
    switch (s.def.access) {
    case reg::Access::RO: ++ignored_writes_; return RegAccessStatus::Ok;
    case reg::Access::RW:
    case reg::Access::WO: s.value = w; break;
    case reg::Access::W1C: s.value = old & ~w; break;
    }
    if (s.on_write) s.on_write(old, w);
    return RegAccessStatus::Ok;
}

} // namespace dynavp
