#pragma once
// Formatting stage (SPEC §5): few-shot records become {instruction, input,
// output} prompts, OASST message trees become chat prompt/response pairs.
//
// A prompt preset is a PromptTemplate (plain data the GUI edits and the
// project saves) plus an ordered list of source rules, the one piece that is
// code: each rule recognises a source dataset by the fields of a record and
// turns the record into the (question, answer) pair the template renders.
// The built-in presets reproduce the reference pipeline's Data V5 output
// byte for byte, quirks included (shared/fixtures/format).
#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/corpus.h"

namespace distill {

class ProgressSink;
class SentencePieceTokenizer;

// ---------------------------------------------------------------------------
// Prompt templates

// How shots are fitted into the length limit.
enum class ShotFit {
    // The reference's math/science rule: the input is split on single spaces
    // into "words"; a record whose query alone has more than word_budget
    // words is dropped, and shots are added in order until the next one would
    // exceed the budget (that shot and all later ones are left out).
    Words,
    // The reference's cnn rule: start with min(max_shots, shots) shots and
    // leave out trailing shots until instruction+input+output, tokenized with
    // EOS, is within the length limit; drop the record when even min_shots
    // shots do not fit (the reference never tried 0). Needs a tokenizer and
    // a maximum sequence length.
    Tokens,
};

// Whether a token count equal to the maximum sequence length still fits.
// The reference kept math/science records at count <= max and cnn/chat
// records only at count < max; the exact presets keep that difference.
enum class LengthLimit {
    AtMost,  // count <= max
    Below,   // count < max
};

// The text parts of a prompt. Each may hold placeholders: {question} and
// {answer} are the pair the source rule made; {NAME} is any other field of
// the record (numbers, booleans and null as Python's str() writes them).
// A '{' that does not start "{identifier}" is plain text.
struct PromptTemplate {
    // The record's "instruction"; used for every record when
    // instruction_trigger is empty, otherwise only when the question of the
    // last shot looked at contains instruction_trigger (the reference decided
    // "multiple choice" that way; "" when no shot was looked at).
    std::string instruction;
    std::string instruction_trigger;
    std::string shot;            // one example, e.g. "Q: {question}\nA: {answer}\n\n"
    std::string shot_separator;  // between consecutive parts of the input (shots, then the query)
    std::string query;           // the origin question, e.g. "Q: {question}\nA:"
    // The record's "output". When it is exactly one placeholder the value
    // keeps its JSON type (the reference wrote BoolQ's answer as true/false).
    std::string output = "{answer}";
    int max_shots = -1;          // at most this many shots; negative: all
    int min_shots = 0;           // ShotFit::Tokens: fewer shots than this drop the record
    ShotFit fit = ShotFit::Words;
    int word_budget = 1500;      // ShotFit::Words only
    LengthLimit length_limit = LengthLimit::AtMost;
    // Key order of the written record. The reference's cnn and chat files put
    // "instruction" after "output"; kept so files diff cleanly against Data V5.
    bool instruction_last = false;
};

// What in a template text looks meant as a placeholder but is not one, and
// so would be written as plain text: "{ question }" or an unclosed
// "{question". One message per occurrence, empty when there is none. A '{'
// not followed by a name ("{}", "{\"key\": 1}") is plain text by design and
// not reported; a placeholder naming a field a record lacks is only known
// when rendering that record.
std::vector<std::string> placeholder_warnings(const std::string& text);

// A source rule as the GUI lists it. The conversion itself is code.
struct SourceRuleInfo {
    std::string name;                        // "math_qa"
    std::string dataset;                     // "allenai/math_qa"
    std::vector<std::string> recognised_by;  // the fields that identify the source
    bool exact_fields = false;               // the record has exactly these fields (gsm8k)
    std::string description;                 // how question and answer are built
};

// Every source rule there is, in no particular order.
const std::vector<SourceRuleInfo>& source_rules();

struct PromptPreset {
    std::string name;                       // "math"
    std::string description;
    PromptTemplate prompt;
    std::vector<std::string> source_rules;  // rule names, tried in order; the first that matches wins
};

// The exact presets: math, science, complexqa, complexqa1, cnn.
const std::vector<PromptPreset>& prompt_presets();
const PromptPreset* find_prompt_preset(const std::string& name);  // nullptr when unknown

// JSON form, as saved in a project or a file passed to `distill format
// --preset FILE.json`. from_json throws distill::Error naming the key for
// unknown keys (typos), wrong types or unknown rule names; `where` (a path)
// starts the message. Placeholders naming other fields are checked per
// record, when rendered.
nlohmann::ordered_json to_json(const PromptPreset& preset);
PromptPreset prompt_preset_from_json(const nlohmann::ordered_json& json, const std::string& where);
// A built-in name, else a JSON file. Throws distill::Error listing the names.
PromptPreset load_prompt_preset(const std::string& name_or_path);

// The (question, answer) pair a source rule makes of a record.
struct QuestionAnswer {
    std::string rule;     // the rule that matched
    std::string question;
    Record answer;        // a string for most rules; BoolQ keeps its boolean
};

// Whether records can be formatted with a preset, as an origin or a shot:
// the preset's source rule makes its (question, answer) pair, and it has
// every field the template's placeholders name besides {question} and
// {answer} (those of the shot text only when shots are used, of a triggered
// instruction never: whether it is used depends on the shots). A run checks
// its whole corpus so before the embedding, not in the format stage.
class PresetFieldCheck {
public:
    explicit PresetFieldCheck(const PromptPreset& preset);
    // Empty when `record` passes; else why not, worded like format()'s error.
    std::string problem(const Record& record) const;

private:
    std::vector<std::string> rules_;
    std::vector<std::string> fields_;  // record fields the template names
};

// Applies the first of `rule_names` that recognises `record`. Throws
// distill::Error when none does (naming the record's fields and what each
// rule looks for) or when the record lacks a field the rule reads.
QuestionAnswer to_question_answer(const Record& record, const std::vector<std::string>& rule_names);

// ---------------------------------------------------------------------------
// Formatting few-shot records

// The version of the source rules' and the formatter's output text, part of
// the pipeline's format key: bump it whenever a change makes the same
// records format to other text, so output folders made by an older build are
// formatted again instead of kept.
inline constexpr const char* kFormatRulesVersion = "format-rules/2";

enum class DropReason {
    None,
    QueryOverWordBudget,  // ShotFit::Words: the query alone has too many words
    NoShotCountFits,      // ShotFit::Tokens: too long even with the fewest shots allowed
    TooFewShots,          // ShotFit::Tokens: the line has fewer shots than the template's min_shots
    OverMaxSeqLen,        // the final length check (ShotFit::Words presets, with a tokenizer)
};
std::string to_string(DropReason reason);

struct FormattedPrompt {
    DropReason dropped = DropReason::None;
    Record record;                  // {"instruction", "input", "output"} unless dropped
    std::size_t shots_used = 0;
    std::size_t shots_cut = 0;      // shots left out for length
    std::size_t token_count = 0;    // instruction+input+output+EOS, when a tokenizer was used
};

class PromptFormatter {
public:
    // `tokenizer` (may be null, must outlive the formatter) with
    // max_seq_len > 0 enables the length check; ShotFit::Tokens presets
    // require both. Throws distill::Error when they are missing.
    explicit PromptFormatter(PromptPreset preset, const SentencePieceTokenizer* tokenizer = nullptr,
                             int max_seq_len = 0);

    // One few-shot line {"origin": record, "shot": [record, ...]} (other
    // keys are ignored). Throws distill::Error for a malformed line or a
    // record no rule recognises; the message names "origin" or "shot N".
    // Safe to call from several threads at once (the tokenizer is).
    FormattedPrompt format(const Record& fewshot) const;

    const PromptPreset& preset() const { return preset_; }

private:
    std::size_t count_tokens(const Record& record) const;

    PromptPreset preset_;
    const SentencePieceTokenizer* tokenizer_;
    int max_seq_len_;
};

struct FormatReport {
    std::size_t read = 0;                     // few-shot lines
    std::size_t written = 0;
    std::size_t dropped_query_over_words = 0;
    std::size_t dropped_no_shot_count_fits = 0;
    std::size_t dropped_too_few_shots = 0;
    std::size_t dropped_over_max_seq_len = 0;
    std::size_t records_with_shots_cut = 0;   // what the reference printed as num_over_lens
    std::size_t shots_cut = 0;
    std::size_t skipped = 0;                  // bad lines left out under BadInputPolicy::Skip
    std::vector<InputProblem> problems;       // the first CorpusReport::kMaxKeptProblems of them

    std::size_t dropped() const;
    // One line per non-zero count, for stderr and logs.
    std::vector<std::string> summary() const;
};
// Every count and the kept problems, for reports and manifests.
nlohmann::ordered_json to_json(const FormatReport& report);

// Reads few-shot JSONL from `in` line by line and writes each kept record as
// one JSON line to `out` as soon as its run of 256 lines is made: memory
// stays constant. Lines are written the way the reference's json.dumps did
// (", " and ": " separators, non-ASCII as \u escapes), so raw files diff
// cleanly against Data V5. `input_name` prefixes problem messages
// ("PATH:LINE: ..."). `threads` format at once (0: one per usable CPU); output,
// report and errors are the same for any count.
FormatReport format_stream(std::istream& in, std::ostream& out, const PromptFormatter& formatter,
                           const std::string& input_name, BadInputPolicy policy = BadInputPolicy::Abort,
                           ProgressSink* progress = nullptr, int threads = 0);

// format_stream from a file to a file written atomically: on any error no
// partial output is left behind. An input with no lines is an Error (a wrong
// file); lines that were all dropped are a result, which the report counts.
FormatReport format_file(const std::string& input_path, const std::string& output_path,
                         const PromptFormatter& formatter, BadInputPolicy policy = BadInputPolicy::Abort,
                         ProgressSink* progress = nullptr, int threads = 0);

// ---------------------------------------------------------------------------
// Chat: OASST trees -> conversations -> prompt/response pairs

// A conversation template, FastChat style but spelled out as data. The
// input is system, first_user(turn 1), assistant_cue, assistant(turn 2),
// user(turn 3), assistant_cue, ... user(turn n-1), assistant_cue; the
// output is output(turn n). Placeholders: {system_message} in system,
// {message} in the turn parts.
struct ChatTemplate {
    std::string name;
    std::string system_message;
    std::string system;         // rendered once at the start
    std::string first_user;     // the first user turn (follows system)
    std::string user;           // every later user turn
    std::string assistant_cue;  // after every user turn; the input ends with it
    std::string assistant;      // an earlier assistant turn, after the cue
    std::string output;         // the last assistant turn: the record's output
    std::string instruction;    // the record's "instruction" (the reference: "")
};

// llama-2 and mistral as the reference rendered them (system message "You
// are a helpful, respectful and honest assistant." for llama-2), plus
// chatml, zephyr and vicuna.
const std::vector<ChatTemplate>& chat_templates();
const ChatTemplate* find_chat_template(const std::string& name);  // nullptr when unknown
nlohmann::ordered_json to_json(const ChatTemplate& chat_template);
ChatTemplate chat_template_from_json(const nlohmann::ordered_json& json, const std::string& where);
ChatTemplate load_chat_template(const std::string& name_or_path);  // a name, else a JSON file

// A conversation: the texts of its turns; the first is the user's, and
// turns alternate by position.
using Conversation = std::vector<std::string>;

// Every root-to-leaf path of one OASST tree ({"message_tree_id", "prompt":
// {text, role, lang, replies: [...]}}) in depth-first order. Returns
// nothing for a tree whose root is not English ("lang" != "en"). Like the
// reference's prepare_chat.py, it never reads "role": a path's turns are
// user and assistant by position, whatever the messages say. Throws
// distill::Error naming the tree and message for a missing or mistyped
// field, or a message id repeated on its own path (a cycle).
std::vector<Conversation> conversations_of_tree(const Record& tree);

// The reference's rule: conversations of fewer than 4 turns give nothing;
// an odd trailing user turn is cut; the last assistant turn is the output
// and everything before it is rendered into the input.
std::optional<Record> chat_record(const Conversation& conversation, const ChatTemplate& chat_template);

struct ChatOptions {
    ChatTemplate chat_template;
    const SentencePieceTokenizer* tokenizer = nullptr;  // with max_seq_len: keep count < max
    int max_seq_len = 0;
    BadInputPolicy on_bad_line = BadInputPolicy::Abort;  // a line that is not JSON, or a malformed tree
};

struct ChatReport {
    std::size_t trees = 0;
    std::size_t trees_not_english = 0;
    std::size_t trees_malformed = 0;          // skipped; their ids and reasons are in problems
    std::size_t conversations = 0;
    std::size_t conversations_too_short = 0;  // fewer than 4 turns
    std::size_t trailing_prompts_cut = 0;
    std::size_t dropped_over_max_seq_len = 0;
    std::size_t written = 0;
    std::size_t skipped_lines = 0;            // lines that are not JSON, under BadInputPolicy::Skip
    std::vector<InputProblem> problems;       // the first CorpusReport::kMaxKeptProblems

    std::vector<std::string> summary() const;
};
nlohmann::ordered_json to_json(const ChatReport& report);

// Streams trees line by line: each kept record goes to `out` as made, each
// conversation to `conversations` ({"chat": [...]} per line) when not null.
ChatReport chat_stream(std::istream& trees, std::ostream& out, std::ostream* conversations,
                       const ChatOptions& options, const std::string& input_name,
                       ProgressSink* progress = nullptr);

// chat_stream between files written atomically; conversations_path may be "".
// An input with no lines is an Error, with neither file written.
ChatReport chat_file(const std::string& trees_path, const std::string& output_path,
                     const std::string& conversations_path, const ChatOptions& options,
                     ProgressSink* progress = nullptr);

// ---------------------------------------------------------------------------
// Python-compatible text, shared by the stage and its tests

// What Python's str() gives for a JSON value ("True", "None", "3", a
// string unchanged, lists and dicts as their repr).
std::string python_str(const Record& value);
// What Python's json.dumps(value) gives with its defaults.
std::string python_json_dumps(const Record& value);

}  // namespace distill
