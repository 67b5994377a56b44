#pragma once
// Reading the JSON form of templates and presets strictly: unknown keys
// (typos) and wrong types are errors that name the file and the key.
#include <istream>
#include <string>
#include <vector>

#include "distill/corpus.h"

namespace distill::format {

class JsonFields {
public:
    // Throws distill::Error when `json` is not an object or has a key
    // outside `known`.
    JsonFields(const Record& json, std::string where, const std::vector<std::string>& known);

    void required(const char* key, std::string& out) const;
    void optional(const char* key, std::string& out) const;
    void optional(const char* key, int& out) const;
    void optional(const char* key, bool& out) const;
    void optional(const char* key, std::vector<std::string>& out) const;
    const Record& object(const char* key) const;  // required

private:
    const Record* find(const char* key) const;
    [[noreturn]] void wrong_type(const char* key, const char* expected) const;

    const Record& json_;
    std::string where_;
};

// The whole stream as one JSON document; errors name `path`.
Record parse_json_file(std::istream& in, const std::string& path);

}  // namespace distill::format
