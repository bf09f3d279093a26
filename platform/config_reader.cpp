#include "config_reader.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace dynavp {

ConfigError::ConfigError(const std::string& file, const std::string& path, const std::string& reason)
    : std::runtime_error(file + ": " + (path.empty() ? "/" : path) + ": " + reason), file_(file), path_(path), reason_(reason) {}

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::out_of_range& e) { // e.g. a number like 1e400
        throw ConfigError(file, "", std::string("unrepresentable value: ") + e.what());
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann reports a byte offset; people want a line number.
        size_t upto = std::min<size_t>(e.byte, text.size());
        size_t line = 1 + size_t(std::count(text.begin(), text.begin() + long(upto), '\n'));
        std::string what = e.what();
        auto pos = what.find("parse error");
        throw ConfigError(file, "", "malformed JSON near line " + std::to_string(line) + ": " +
                                        (pos == std::string::npos ? what : what.substr(pos)));
    }
}

std::string read_text_file(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file, "", "cannot open file");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ConfigNode::ConfigNode(const nlohmann::json& j, std::string file, std::string path)
    : j_(j), file_(std::move(file)), path_(std::move(path)) {
    if (!j_.is_object()) fail_here("expected an object");
}

void ConfigNode::fail(const std::string& key, const std::string& reason) const { throw ConfigError(file_, path_of(key), reason); }
void ConfigNode::fail_here(const std::string& reason) const { throw ConfigError(file_, path_, reason); }

bool ConfigNode::has(const std::string& key) const { return j_.contains(key); }

const nlohmann::json& ConfigNode::field(const std::string& key) const {
    auto it = j_.find(key);
    if (it == j_.end()) fail(key, "missing required field");
    return *it;
}

ConfigNode ConfigNode::object(const std::string& key) const {
    const auto& v = field(key);
    if (!v.is_object()) fail(key, "expected an object");
    return ConfigNode(v, file_, path_of(key));
}

std::vector<ConfigNode> ConfigNode::array_of_objects(const std::string& key) const {
    const auto& v = field(key);
    if (!v.is_array()) fail(key, "expected an array");
    std::vector<ConfigNode> out;
    for (size_t i = 0; i < v.size(); ++i) {
        std::string p = path_of(key) + "/" + std::to_string(i);
        if (!v[i].is_object()) throw ConfigError(file_, p, "expected an object");
        out.emplace_back(v[i], file_, p);
    }
    return out;
}

std::string ConfigNode::str(const std::string& key) const {
    const auto& v = field(key);
    if (!v.is_string()) fail(key, "expected a string");
    return v.get<std::string>();
}

std::string ConfigNode::str(const std::string& key, const std::string& dflt) const { return has(key) ? str(key) : dflt; }

uint64_t ConfigNode::to_u64(const nlohmann::json& v, const std::string& key) const {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) fail(key, "must not be negative (got " + v.dump() + ")");
    if (v.is_number_float()) fail(key, "expected an integer (got " + v.dump() + ")");
    if (!v.is_string()) fail(key, "expected an integer, a hex string \"0x...\" or a size like \"128KiB\"");
    const std::string s = v.get<std::string>();
    const std::string bad = "cannot read \"" + s + "\" as an integer (use 4096, \"0x1000\" or \"4KiB\")";
    // stoull would accept "-1", "0x-1" and leading blanks: only digits may start a number.
    const size_t digits_at = (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 2 : 0;
    if (s.size() <= digits_at || !std::isxdigit(static_cast<unsigned char>(s[digits_at]))) fail(key, bad);
    try {
        if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            size_t used = 0;
            uint64_t x = std::stoull(s.substr(2), &used, 16);
            if (used != s.size() - 2) fail(key, bad);
            return x;
        }
        size_t used = 0;
        uint64_t x = std::stoull(s, &used, 10);
        std::string unit = s.substr(used);
        uint64_t mult = 1;
        if (unit == "KiB") mult = uint64_t(1) << 10;
        else if (unit == "MiB") mult = uint64_t(1) << 20;
        else if (unit == "GiB") mult = uint64_t(1) << 30;
        else if (!unit.empty()) fail(key, bad);
        if (x > UINT64_MAX / mult) fail(key, "value \"" + s + "\" overflows 64 bits");
        return x * mult;
    } catch (const std::logic_error&) { // stoull: invalid or out of range
        fail(key, bad);
    }
}

uint64_t ConfigNode::u64(const std::string& key) const { return to_u64(field(key), key); }
uint64_t ConfigNode::u64(const std::string& key, uint64_t dflt) const { return has(key) ? u64(key) : dflt; }

uint64_t ConfigNode::u64_in(const std::string& key, uint64_t lo, uint64_t hi) const {
    uint64_t v = u64(key);
    if (v < lo || v > hi)
        fail(key, "value " + std::to_string(v) + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
}

uint64_t ConfigNode::u64_in(const std::string& key, uint64_t dflt, uint64_t lo, uint64_t hi) const {
    return has(key) ? u64_in(key, lo, hi) : dflt;
}

double ConfigNode::number(const std::string& key) const {
    const auto& v = field(key);
    if (!v.is_number()) fail(key, "expected a number");
    return v.get<double>();
}

double ConfigNode::number(const std::string& key, double dflt) const { return has(key) ? number(key) : dflt; }

bool ConfigNode::boolean(const std::string& key, bool dflt) const {
    if (!has(key)) return dflt;
    const auto& v = field(key);
    if (!v.is_boolean()) fail(key, "expected true or false");
    return v.get<bool>();
}

void ConfigNode::allow_only(std::initializer_list<const char*> keys) const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
        bool known = std::any_of(keys.begin(), keys.end(), [&](const char* k) { return it.key() == k; });
        if (!known) {
            std::string list;
            for (const char* k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
            fail(it.key(), "unknown field (expected one of: " + list + ")");
        }
    }
}

} // namespace dynavp
