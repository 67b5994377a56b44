// Chat (SPEC §5): OASST message trees become conversations (every English
// root-to-leaf path) and conversations become prompt/response records with a
// conversation template, as the reference's prepare_chat.py,
// chat_2_seq2seq.py and chat.py did.
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "corpus/text.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "format/format_text.h"
#include "format/json_fields.h"

namespace distill {
namespace {

constexpr const char* kReferenceSystemMessage = "You are a helpful, respectful and honest assistant.";
constexpr std::size_t kMinTurns = 4;

// `text` with {placeholder} filled; any other {name} stays as written.
std::string render(const std::string& text, const char* placeholder, const std::string& value) {
    return format::PlaceholderText(text).render(
        [&](const std::string& name) { return name == placeholder ? value : "{" + name + "}"; });
}

// Only the placeholders a part can fill: a typo such as {mesage} would
// otherwise silently render as the message.
void check_placeholders(const std::string& text, const char* allowed, const std::string& where, const char* key) {
    const format::PlaceholderText parsed(text);
    for (const auto& name : parsed.placeholders())
        if (name != allowed)
            throw Error(where + ": " + key + " uses {" + name + "}; it may only use {" + allowed + "}");
}

std::string id_text(const Record& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string tree_name(const Record& tree) {
    if (tree.is_object()) {
        if (const auto it = tree.find("message_tree_id"); it != tree.end()) return "tree " + id_text(*it);
        if (const auto p = tree.find("prompt"); p != tree.end() && p->is_object())
            if (const auto id = p->find("message_id"); id != p->end()) return "tree " + id_text(*id);
    }
    return "a tree without an id";
}

const std::string& text_of(const Record& node, const char* key, const std::string& where) {
    const auto it = node.find(key);
    if (it == node.end()) throw Error(where + " has no " + corpus::json_quoted(key) + " (it has " +
                                      format::field_list(node) + ")");
    if (!it->is_string())
        throw Error(where + ": " + corpus::json_quoted(key) + " holds " + corpus::describe_type(*it) +
                    ", not a string");
    return it->get_ref<const std::string&>();
}

}  // namespace

const std::vector<ChatTemplate>& chat_templates() {
    static const std::vector<ChatTemplate> templates{
        // FastChat's llama-2 as the reference rendered it.
        {"llama-2", kReferenceSystemMessage, "[INST] <<SYS>>\n{system_message}\n<</SYS>>\n\n", "{message} ",
         "[INST] {message} ", "[/INST]", " {message} </s><s>", "{message} </s><s>", ""},
        // The reference's mistral rendering: no system prompt, the odd double
        // spaces and all.
        {"mistral", "", "", "{message} ", "[INST]  {message}", " [/INST]", " {message} </s>", "{message} </s>", ""},
        {"chatml", kReferenceSystemMessage, "<|im_start|>system\n{system_message}<|im_end|>\n",
         "<|im_start|>user\n{message}<|im_end|>\n", "<|im_start|>user\n{message}<|im_end|>\n",
         "<|im_start|>assistant\n", "{message}<|im_end|>\n", "{message}<|im_end|>", ""},
        {"zephyr", kReferenceSystemMessage, "<|system|>\n{system_message}</s>\n", "<|user|>\n{message}</s>\n",
         "<|user|>\n{message}</s>\n", "<|assistant|>\n", "{message}</s>\n", "{message}</s>", ""},
        {"vicuna",
         "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
         "detailed, and polite answers to the user's questions.",
         "{system_message} ", "USER: {message} ", "USER: {message} ", "ASSISTANT:", " {message}</s>", "{message}</s>",
         ""},
    };
    return templates;
}

const ChatTemplate* find_chat_template(const std::string& name) {
    for (const auto& t : chat_templates())
        if (t.name == name) return &t;
    return nullptr;
}

nlohmann::ordered_json to_json(const ChatTemplate& t) {
    return {{"name", t.name},           {"system_message", t.system_message}, {"system", t.system},
            {"first_user", t.first_user}, {"user", t.user},                   {"assistant_cue", t.assistant_cue},
            {"assistant", t.assistant}, {"output", t.output},                 {"instruction", t.instruction}};
}

ChatTemplate chat_template_from_json(const nlohmann::ordered_json& json, const std::string& where) {
    format::JsonFields f(json, where,
                         {"name", "system_message", "system", "first_user", "user", "assistant_cue", "assistant",
                          "output", "instruction"});
    ChatTemplate t;
    f.required("name", t.name);
    f.optional("system_message", t.system_message);
    f.optional("system", t.system);
    f.required("first_user", t.first_user);
    f.required("user", t.user);
    f.optional("assistant_cue", t.assistant_cue);
    f.required("assistant", t.assistant);
    f.required("output", t.output);
    f.optional("instruction", t.instruction);
    check_placeholders(t.system, "system_message", where, "system");
    for (const auto& [key, text] : {std::pair{"first_user", &t.first_user}, std::pair{"user", &t.user},
                                    std::pair{"assistant", &t.assistant}, std::pair{"output", &t.output}})
        check_placeholders(*text, "message", where, key);
    check_placeholders(t.assistant_cue, "", where, "assistant_cue");
    check_placeholders(t.instruction, "", where, "instruction");
    return t;
}

ChatTemplate load_chat_template(const std::string& name_or_path) {
    if (const ChatTemplate* t = find_chat_template(name_or_path)) return *t;
    std::ifstream in(name_or_path);
    if (!in) {
        std::string names;
        for (const auto& t : chat_templates()) names += (names.empty() ? "" : ", ") + t.name;
        throw Error(name_or_path + ": no such chat template or file; the templates are " + names +
                    ", or give a template JSON file");
    }
    return chat_template_from_json(format::parse_json_file(in, name_or_path), name_or_path);
}

std::vector<Conversation> conversations_of_tree(const Record& tree) {
    const std::string name = tree_name(tree);
    if (!tree.is_object()) throw Error(name + " is " + corpus::describe_type(tree) + ", not an object");
    const auto root = tree.find("prompt");
    if (root == tree.end() || !root->is_object())
        throw Error(name + " has no \"prompt\" message (it has " + format::field_list(tree) +
                    ")");
    if (text_of(*root, "lang", name + ": the first message") != "en") return {};

    // Depth-first, iteratively: a deep tree cannot overflow the stack.
    struct Frame {
        const Record* node;
        std::size_t next_reply = 0;
    };
    std::vector<Frame> stack;
    Conversation path;
    std::vector<std::string> ids;
    std::vector<Conversation> out;
    const auto enter = [&](const Record& node) {
        const std::string where = name + ": message " + std::to_string(path.size() + 1) + " of a path";
        if (!node.is_object()) throw Error(where + " is " + corpus::describe_type(node));
        if (const auto id = node.find("message_id"); id != node.end()) {
            const std::string text = id_text(*id);
            for (const auto& seen : ids)
                if (seen == text)
                    throw Error(name + ": message " + text +
                                " is its own ancestor (a cycle)");
            ids.push_back(text);
        } else {
            ids.emplace_back();
        }
        path.push_back(text_of(node, "text", where));
        if (const auto replies = node.find("replies"); replies != node.end() && !replies->is_array())
            throw Error(where + ": \"replies\" holds " + corpus::describe_type(*replies) +
                        ", not a list");
        stack.push_back({&node});
    };
    enter(*root);
    while (!stack.empty()) {
        Frame& top = stack.back();
        const auto replies = top.node->find("replies");
        const std::size_t count = replies == top.node->end() ? 0 : replies->size();
        if (count == 0) out.push_back(path);
        if (top.next_reply < count) {
            enter((*replies)[top.next_reply++]);
            continue;
        }
        stack.pop_back();
        path.pop_back();
        ids.pop_back();
    }
    return out;
}

std::optional<Record> chat_record(const Conversation& conversation, const ChatTemplate& t) {
    if (conversation.size() < kMinTurns) return std::nullopt;
    const std::size_t turns = conversation.size() - conversation.size() % 2;  // an odd trailing prompt is cut
    std::string input = render(t.system, "system_message", t.system_message);
    input += render(t.first_user, "message", conversation[0]) + t.assistant_cue;
    for (std::size_t i = 1; i + 1 < turns; ++i)
        input += i % 2 ? render(t.assistant, "message", conversation[i])
                       : render(t.user, "message", conversation[i]) + t.assistant_cue;
    // The reference's chat.py added "instruction" after reading input and output.
    Record record = Record::object();
    record["input"] = std::move(input);
    record["output"] = render(t.output, "message", conversation[turns - 1]);
    record["instruction"] = t.instruction;
    return record;
}

nlohmann::ordered_json to_json(const ChatReport& r) {
    return {{"trees", r.trees},
            {"trees_not_english", r.trees_not_english},
            {"trees_malformed", r.trees_malformed},
            {"conversations", r.conversations},
            {"conversations_too_short", r.conversations_too_short},
            {"trailing_prompts_cut", r.trailing_prompts_cut},
            {"dropped_over_max_seq_len", r.dropped_over_max_seq_len},
            {"written", r.written},
            {"skipped_lines", r.skipped_lines},
            {"problems", to_json(r.problems)}};
}

std::vector<std::string> ChatReport::summary() const {
    std::vector<std::string> lines;
    lines.push_back("read " + std::to_string(trees) + " trees, " + std::to_string(conversations) +
                    " conversations; wrote " + std::to_string(written) + " records");
    const auto add = [&](std::size_t n, const std::string& why) {
        if (n) lines.push_back("  " + std::to_string(n) + " " + why);
    };
    add(trees_not_english, "trees skipped: not English");
    add(trees_malformed, "trees skipped: malformed (see the messages above)");
    add(conversations_too_short, "conversations dropped: fewer than 4 turns");
    add(trailing_prompts_cut, "conversations had a trailing prompt cut");
    add(dropped_over_max_seq_len, "records dropped: over the maximum sequence length");
    add(skipped_lines, "lines skipped: not JSON");
    return lines;
}

ChatReport chat_stream(std::istream& trees, std::ostream& out, std::ostream* conversations,
                       const ChatOptions& options, const std::string& input_name, ProgressSink* progress) {
    if ((options.tokenizer != nullptr) != (options.max_seq_len > 0))
        throw Error("the length check needs both a tokenizer and a maximum sequence length above 0");
    ChatReport report;
    // A malformed tree is a bad line as one that is not JSON: it stops the
    // run, or with Skip it is left out and its id and reason are reported.
    format::for_each_json_line(
        trees, input_name, options.on_bad_line, progress, "chat", report.trees, report.skipped_lines,
        report.problems, [&](const Record& tree, std::size_t line) {
            std::vector<Conversation> paths;
            try {
                paths = conversations_of_tree(tree);
            } catch (const Error& e) {
                if (options.on_bad_line == BadInputPolicy::Abort)  // for_each_json_line adds the file and line
                    throw Error(std::string(e.what()) + "; fix the tree, or run with --on-bad-line skip to leave it out");
                ++report.trees_malformed;
                format::keep_problem(report.problems,
                                     {input_name, line, std::string(e.what()) + "; the tree is skipped"});
                return;
            }
            if (paths.empty()) ++report.trees_not_english;
            for (const Conversation& conversation : paths) {
                ++report.conversations;
                if (conversations) *conversations << python_json_dumps(Record{{"chat", conversation}}) << '\n';
                const auto record = chat_record(conversation, options.chat_template);
                if (!record) {
                    ++report.conversations_too_short;
                    continue;
                }
                if (conversation.size() % 2) ++report.trailing_prompts_cut;
                if (options.tokenizer) {
                    const std::string text = record->at("instruction").get<std::string>() +
                                             record->at("input").get<std::string>() +
                                             record->at("output").get<std::string>();
                    if (options.tokenizer->encode(text, false, true).size() >=
                        static_cast<std::size_t>(options.max_seq_len)) {
                        ++report.dropped_over_max_seq_len;
                        continue;
                    }
                }
                out << python_json_dumps(*record) << '\n';
                ++report.written;
            }
        });
    return report;
}

ChatReport chat_file(const std::string& trees_path, const std::string& output_path,
                     const std::string& conversations_path, const ChatOptions& options, ProgressSink* progress) {
    std::ifstream in(trees_path, std::ios::binary);
    if (!in) throw Error(trees_path + ": cannot open the OASST trees file; check the path");
    ChatReport report;
    // Thrown before either commit: an input with no lines is a wrong file,
    // whose empty outputs would only fail the export.
    const auto chat = [&](std::ostream& out, std::ostream* conversations) {
        report = chat_stream(in, out, conversations, options, trees_path, progress);
        if (report.trees == 0)  // every line read, bad ones too
            throw Error(trees_path + ": the file holds no OASST trees (it is empty or blank); give the trees JSONL, "
                                     "e.g. 2023-04-12_oasst_ready.trees.jsonl");
    };
    write_file_atomically(output_path, [&](std::ostream& out) {
        if (conversations_path.empty()) return chat(out, nullptr);
        write_file_atomically(conversations_path, [&](std::ostream& conversations) { chat(out, &conversations); });
    });
    return report;
}

}  // namespace distill
