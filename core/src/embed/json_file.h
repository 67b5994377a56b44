#pragma once
// The JSON files of a model directory (tokenizer.json, config.json,
// modules.json...), read so that whatever is refused names the file and the
// JSON path in it: "DIR/config.json: hidden_size is "64", not an integer".
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace distill::embed {

// A JSON value as it would be quoted in a message, kept short.
std::string shown(const nlohmann::json& value);

// Throws distill::Error "FILE: WHERE PROBLEM; FIX".
[[noreturn]] void fail(const std::string& file, const std::string& where, const std::string& problem,
                       const std::string& fix);

class JsonFile {
public:
    explicit JsonFile(std::string path);  // must hold a JSON object
    const std::string& path() const { return path_; }
    const nlohmann::json& root() const { return root_; }

    // nullptr when absent or null.
    static const nlohmann::json* member(const nlohmann::json& object, const char* key);
    // `where` is the JSON path of `object` ("" for the top level); each
    // returns `fallback` when the key is absent and refuses another type.
    const nlohmann::json& object_at(const nlohmann::json& object, const std::string& where, const char* key) const;
    std::string string_at(const nlohmann::json& object, const std::string& where, const char* key,
                          const std::string& fallback) const;
    bool bool_at(const nlohmann::json& object, const std::string& where, const char* key, bool fallback) const;
    std::int64_t int_at(const nlohmann::json& object, const std::string& where, const char* key,
                        std::int64_t fallback, std::int64_t least = 0) const;
    double number_at(const nlohmann::json& object, const std::string& where, const char* key, double fallback) const;
    std::int32_t id(const nlohmann::json& v, const std::string& where) const;

private:
    std::int64_t checked_int(const nlohmann::json& v, const std::string& where, std::int64_t least) const;

    std::string path_;
    nlohmann::json root_;
    std::string fix_ = "re-download the file from the model's repository";
};

}  // namespace distill::embed
