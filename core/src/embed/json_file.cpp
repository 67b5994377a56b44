#include "embed/json_file.h"

#include <fstream>
#include <limits>

#include "distill/error.h"

namespace distill::embed {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(located_message(path, 0, "cannot open it", "check that the file exists and is readable"));
    try {
        return json::parse(in);
    } catch (const json::parse_error& e) {
        throw Error(located_message(path, 0, std::string("is not valid JSON (") + e.what() + ")",
                                    "re-download it from the model's repository"));
    }
}

// "model.vocab", or "max_seq_length" at the top level.
std::string at(const std::string& where, const char* key) { return where.empty() ? key : where + "." + key; }

}  // namespace

std::string shown(const json& value) {
    std::string s = value.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

void fail(const std::string& file, const std::string& where, const std::string& problem, const std::string& fix) {
    throw Error(located_message(file, 0, where + " " + problem, fix));
}

JsonFile::JsonFile(std::string path) : path_(std::move(path)), root_(read_json(path_)) {
    if (!root_.is_object()) fail(path_, "the top level", "is " + shown(root_) + ", not an object", fix_);
}

const json* JsonFile::member(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

const json& JsonFile::object_at(const json& object, const std::string& where, const char* key) const {
    const json* v = member(object, key);
    if (!v) fail(path_, at(where, key), "is missing", fix_);
    if (!v->is_object()) fail(path_, at(where, key), "is " + shown(*v) + ", not an object", fix_);
    return *v;
}

std::string JsonFile::string_at(const json& object, const std::string& where, const char* key,
                                const std::string& fallback) const {
    const json* v = member(object, key);
    if (!v) return fallback;
    if (!v->is_string()) fail(path_, at(where, key), "is " + shown(*v) + ", not a string", fix_);
    return v->get<std::string>();
}

bool JsonFile::bool_at(const json& object, const std::string& where, const char* key, bool fallback) const {
    const json* v = member(object, key);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(path_, at(where, key), "is " + shown(*v) + ", not true or false", fix_);
    return v->get<bool>();
}

std::int64_t JsonFile::int_at(const json& object, const std::string& where, const char* key, std::int64_t fallback,
                              std::int64_t least) const {
    const json* v = member(object, key);
    if (!v) return fallback;
    return checked_int(*v, at(where, key), least);
}

double JsonFile::number_at(const json& object, const std::string& where, const char* key, double fallback) const {
    const json* v = member(object, key);
    if (!v) return fallback;
    if (!v->is_number()) fail(path_, at(where, key), "is " + shown(*v) + ", not a number", fix_);
    return v->get<double>();
}

std::int32_t JsonFile::id(const json& v, const std::string& where) const {
    return static_cast<std::int32_t>(checked_int(v, where, 0));
}

std::int64_t JsonFile::checked_int(const json& v, const std::string& where, std::int64_t least) const {
    if (!v.is_number_integer() || v.get<std::int64_t>() < least ||
        v.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max())
        fail(path_, where, "is " + shown(v) + ", not an integer from " + std::to_string(least), fix_);
    return v.get<std::int64_t>();
}

}  // namespace distill::embed
