// Model-side register file built from an IP's register table (regdef.h).
// Side effects hang off on_read/on_write callbacks; bus-facing accesses
// return a status the TLM wrapper turns into a response (pure C++).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "regdef.h"

namespace dynavp {

enum class RegAccessStatus { Ok, AddressError, BurstError };

class RegisterBank {
public:
    using ReadHook = std::function<uint32_t(uint32_t stored)>;          // returns the value the bus sees
    using WriteHook = std::function<void(uint32_t old, uint32_t written)>; // runs after the value is stored

    template <size_t N> void declare(const reg::Register (&table)[N]) {
        for (const auto& r : table) declare(r);
    }
    void declare(const reg::Register& r); // throws std::logic_error on duplicate / misaligned offsets
    void on_read(const reg::Register& r, ReadHook h);
    void on_write(const reg::Register& r, WriteHook h);

    // Bus side: 4-byte aligned 32-bit accesses to declared offsets only.
    RegAccessStatus read(uint64_t offset, uint8_t* data, unsigned len);
    RegAccessStatus write(uint64_t offset, const uint8_t* data, unsigned len);

    // Hardware side: no access rules, no hooks.
    uint32_t get(const reg::Register& r) const;
    void set(const reg::Register& r, uint32_t v);
    void reset();

    uint64_t ignored_writes() const { return ignored_writes_; }

private:
    struct Slot {
        reg::Register def;
        uint32_t value;
        ReadHook on_read;
        WriteHook on_write;
    };
    Slot& slot(const reg::Register& r);
    std::map<uint32_t, Slot> regs_;
    uint64_t ignored_writes_ = 0;
};

} // namespace dynavp
