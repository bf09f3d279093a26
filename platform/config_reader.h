// Reading JSON configuration with errors that name the file, the JSON path
// of the field and the reason -- never a crash and never a silent default.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dynavp {

// "file: /json/path: reason" -- one line, suitable for the CLI as is.
class ConfigError : public std::runtime_error {
public:
    ConfigError(const std::string& file, const std::string& path, const std::string& reason);
    const std::string& file() const { return file_; }
    const std::string& path() const { return path_; }
    const std::string& reason() const { return reason_; }

private:
    std::string file_, path_, reason_;
};

// Parses text as JSON; a syntax error becomes a ConfigError naming the line.
nlohmann::json parse_json_text(const std::string& text, const std::string& file);
// Whole file as text; an unreadable file is a ConfigError.
std::string read_text_file(const std::string& file);

// A view of one JSON object with its location, for typed field access.
class ConfigNode {
public:
    ConfigNode(const nlohmann::json& j, std::string file, std::string path);

    const std::string& file() const { return file_; }
    const std::string& path() const { return path_; }
    std::string path_of(const std::string& key) const { return path_ + "/" + key; }
    const nlohmann::json& json() const { return j_; }

    bool has(const std::string& key) const;
    ConfigNode object(const std::string& key) const; // required object
    std::vector<ConfigNode> array_of_objects(const std::string& key) const;

    std::string str(const std::string& key) const;
    std::string str(const std::string& key, const std::string& dflt) const;
    // Integers may be written 4096, "0x1000" or "4KiB" / "1MiB" / "4GiB".
    uint64_t u64(const std::string& key) const;
    uint64_t u64(const std::string& key, uint64_t dflt) const;
    uint64_t u64_in(const std::string& key, uint64_t lo, uint64_t hi) const;
    uint64_t u64_in(const std::string& key, uint64_t dflt, uint64_t lo, uint64_t hi) const;
    double number(const std::string& key) const;
    double number(const std::string& key, double dflt) const;
    bool boolean(const std::string& key, bool dflt) const;

    // Unknown keys are typos until proven otherwise: reject them by name.
    void allow_only(std::initializer_list<const char*> keys) const;

    [[noreturn]] void fail(const std::string& key, const std::string& reason) const;
    [[noreturn]] void fail_here(const std::string& reason) const;

private:
    const nlohmann::json& field(const std::string& key) const;
    uint64_t to_u64(const nlohmann::json& v, const std::string& key) const;

    const nlohmann::json& j_;
    std::string file_, path_;
};

} // namespace dynavp
