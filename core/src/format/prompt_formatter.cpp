// Few-shot records to prompts (SPEC §5): render the shots and the query with
// the preset's template, fit the shots into the word budget or the token
// limit, and stream the kept records out.
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corpus/text.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "distill/progress.h"
#include "format/format_text.h"
#include "io/parallel_for.h"

namespace distill {
namespace {

// One record turned into its pair, with what the template's other
// placeholders need.
struct Example {
    const Record* record;
    QuestionAnswer qa;
};

std::string placeholder_value(const Example& e, const std::string& name) {
    if (name == "question") return e.qa.question;
    if (name == "answer") return python_str(e.qa.answer);
    const auto it = e.record->find(name);
    if (it == e.record->end())
        throw Error("the template uses {" + name + "}, but the record has no field " + corpus::json_quoted(name) +
                    " (it has " + format::field_list(*e.record) + ")");
    return python_str(*it);
}

std::string render(const std::string& text, const Example& e) {
    return format::PlaceholderText(text).render([&](const std::string& name) { return placeholder_value(e, name); });
}

// The output keeps the JSON type of a value it is made of alone.
Record render_output(const std::string& text, const Example& e) {
    const format::PlaceholderText output(text);
    if (const std::string* name = output.sole_placeholder()) {
        const Record* alone = *name == "answer" ? &e.qa.answer
                              : *name != "question" && e.record->contains(*name) ? &e.record->at(*name)
                                                                                  : nullptr;
        // A null output would reach train.pt as no response at all.
        if (alone && alone->is_null())
            throw Error("the output {" + *name + "} is null; give the record its " + *name +
                        ", or leave the record out");
        if (alone) return *alone;
    }
    return output.render([&](const std::string& name) { return placeholder_value(e, name); });
}

Example example_of(const Record& record, const std::vector<std::string>& rules, const std::string& which) {
    try {
        return {&record, to_question_answer(record, rules)};
    } catch (const Error& e) {
        throw Error(which + " " + e.what());
    }
}

// The input: the rendered parts joined by the separator, and its word count
// without building it.
struct Parts {
    const std::string& separator;
    std::vector<std::string> texts;
    std::size_t spaces = 0;

    std::size_t words_with(const std::string& more, const std::string& query) const {
        const std::size_t joins = texts.size() + 1;
        return spaces + format::count_spaces(more) + format::count_spaces(query) +
               joins * format::count_spaces(separator) + 1;
    }
    void add(std::string text) {
        spaces += format::count_spaces(text);
        texts.push_back(std::move(text));
    }
    std::string joined_with(const std::string& query, std::size_t count) const {
        std::string out;
        for (std::size_t i = 0; i < count; ++i) out += texts[i] + separator;
        return out + query;
    }
};

Record make_record(const PromptTemplate& t, std::string instruction, std::string input, Record output) {
    Record record = Record::object();
    if (!t.instruction_last) record["instruction"] = std::move(instruction);
    record["input"] = std::move(input);
    record["output"] = std::move(output);
    if (t.instruction_last) record["instruction"] = std::move(instruction);
    return record;
}

bool within(std::size_t count, int max, LengthLimit limit) {
    const auto m = static_cast<std::size_t>(max);
    return limit == LengthLimit::AtMost ? count <= m : count < m;
}

}  // namespace

std::string to_string(DropReason reason) {
    switch (reason) {
        case DropReason::None: return "kept";
        case DropReason::QueryOverWordBudget: return "the question alone is over the word budget";
        case DropReason::NoShotCountFits: return "too long even with the fewest shots allowed";
        case DropReason::TooFewShots: return "fewer shots than the template's minimum";
        case DropReason::OverMaxSeqLen: return "over the maximum sequence length";
    }
    return "";
}

PromptFormatter::PromptFormatter(PromptPreset preset, const SentencePieceTokenizer* tokenizer, int max_seq_len)
    : preset_(std::move(preset)), tokenizer_(tokenizer), max_seq_len_(max_seq_len) {
    if ((tokenizer_ != nullptr) != (max_seq_len_ > 0))
        throw Error("the length check needs both a tokenizer and a maximum sequence length above 0");
    if (preset_.prompt.fit == ShotFit::Tokens && !tokenizer_)
        throw Error("the " + preset_.name +
                    " preset fits its shots by tokens: give the LLM's tokenizer.model and the maximum sequence "
                    "length (--tokenizer, --max-seq-len)");
}

std::size_t PromptFormatter::count_tokens(const Record& record) const {
    const std::string text = record.at("instruction").get_ref<const std::string&>() +
                             record.at("input").get_ref<const std::string&>() + python_str(record.at("output"));
    return tokenizer_->encode(text, /*bos=*/false, /*eos=*/true).size();
}

FormattedPrompt PromptFormatter::format(const Record& fewshot) const {
    if (!fewshot.is_object() || !fewshot.contains("origin") || !fewshot.contains("shot"))
        throw Error("a few-shot line is {\"origin\": {...}, \"shot\": [...]}; this one has " +
                    (fewshot.is_object() ? format::field_list(fewshot) : corpus::describe_type(fewshot)));
    const Record& shots = fewshot["shot"];
    if (!shots.is_array()) throw Error("\"shot\" holds " + corpus::describe_type(shots) + ", not a list of records");

    const PromptTemplate& t = preset_.prompt;
    const Example origin = example_of(fewshot["origin"], preset_.source_rules, "origin");
    const std::string query = render(t.query, origin);
    const Record output = render_output(t.output, origin);
    const std::size_t available =
        t.max_shots < 0 ? shots.size() : std::min(shots.size(), static_cast<std::size_t>(t.max_shots));

    const auto instruction_after = [&](const std::string* last_shot_question) {
        if (t.instruction_trigger.empty()) return render(t.instruction, origin);
        const bool triggered = last_shot_question && last_shot_question->find(t.instruction_trigger) != std::string::npos;
        return triggered ? render(t.instruction, origin) : std::string();
    };

    FormattedPrompt result;
    Parts parts{t.shot_separator, {}};
    if (t.fit == ShotFit::Words) {
        if (format::count_single_space_words(query) > static_cast<std::size_t>(t.word_budget)) {
            result.dropped = DropReason::QueryOverWordBudget;
            return result;
        }
        // As the reference: each shot is converted when looked at, and the
        // instruction follows the last one looked at, even one left out.
        std::optional<std::string> last_question;
        for (std::size_t i = 0; i < available; ++i) {
            const Example shot = example_of(shots[i], preset_.source_rules, "shot " + std::to_string(i + 1));
            last_question = shot.qa.question;
            std::string text = render(t.shot, shot);
            if (parts.words_with(text, query) > static_cast<std::size_t>(t.word_budget)) {
                result.shots_cut = available - i;
                break;
            }
            parts.add(std::move(text));
        }
        result.shots_used = parts.texts.size();
        result.record = make_record(t, instruction_after(last_question ? &*last_question : nullptr),
                                    parts.joined_with(query, parts.texts.size()), output);
        if (tokenizer_) {
            result.token_count = count_tokens(result.record);
            if (!within(result.token_count, max_seq_len_, t.length_limit)) {
                result.dropped = DropReason::OverMaxSeqLen;
                result.record = Record();
            }
        }
        return result;
    }

    // ShotFit::Tokens: all shots first, then fewer until it fits, down to min_shots.
    std::vector<std::string> questions;
    for (std::size_t i = 0; i < available; ++i) {
        const Example shot = example_of(shots[i], preset_.source_rules, "shot " + std::to_string(i + 1));
        questions.push_back(shot.qa.question);
        parts.add(render(t.shot, shot));
    }
    const auto fewest = static_cast<std::size_t>(t.min_shots);
    if (available < fewest) {  // never tokenized: no count of its shots is allowed
        result.dropped = DropReason::TooFewShots;
        return result;
    }
    for (std::size_t used = available + 1; used-- > fewest;) {
        Record record = make_record(t, instruction_after(used ? &questions[used - 1] : nullptr),
                                    parts.joined_with(query, used), output);
        const std::size_t tokens = count_tokens(record);
        if (within(tokens, max_seq_len_, t.length_limit)) {
            result.record = std::move(record);
            result.token_count = tokens;
            result.shots_used = used;
            result.shots_cut = available - used;
            return result;
        }
    }
    result.dropped = DropReason::NoShotCountFits;
    result.shots_cut = available;
    return result;
}

std::size_t FormatReport::dropped() const {
    return dropped_query_over_words + dropped_no_shot_count_fits + dropped_too_few_shots + dropped_over_max_seq_len;
}

std::vector<std::string> FormatReport::summary() const {
    std::vector<std::string> lines;
    lines.push_back("read " + std::to_string(read) + " few-shot lines, wrote " + std::to_string(written) +
                    " records, dropped " + std::to_string(dropped()));
    const auto add = [&](std::size_t n, const std::string& why) {
        if (n) lines.push_back("  " + std::to_string(n) + " " + why);
    };
    add(dropped_query_over_words, "dropped: the question alone is over the word budget");
    add(dropped_no_shot_count_fits, "dropped: over the maximum sequence length even with the fewest shots allowed");
    add(dropped_too_few_shots, "dropped: fewer shots than the template's minimum (min_shots)");
    add(dropped_over_max_seq_len, "dropped: over the maximum sequence length");
    add(records_with_shots_cut, "records lost trailing shots to the length limit (" + std::to_string(shots_cut) +
                                    " shots in all)");
    add(skipped, "bad lines skipped");
    return lines;
}

nlohmann::ordered_json to_json(const FormatReport& r) {
    return {{"read", r.read},
            {"written", r.written},
            {"dropped",
             {{"query_over_word_budget", r.dropped_query_over_words},
              {"no_shot_count_fits", r.dropped_no_shot_count_fits},
              {"too_few_shots", r.dropped_too_few_shots},
              {"over_max_seq_len", r.dropped_over_max_seq_len}}},
            {"records_with_shots_cut", r.records_with_shots_cut},
            {"shots_cut", r.shots_cut},
            {"skipped", r.skipped},
            {"problems", to_json(r.problems)}};
}

FormatReport format_stream(std::istream& in, std::ostream& out, const PromptFormatter& formatter,
                           const std::string& input_name, BadInputPolicy policy, ProgressSink* progress,
                           int threads) {
    const unsigned workers = thread_count(threads);
    // Formatting is nearly all the time (mostly tokenizing for the length
    // check) and lines are independent: each run of lines between two cancel
    // polls is formatted on all threads, then counted and written in line
    // order. An exception stays with its line, so the first bad line in the
    // file is the one reported, whichever thread met it first.
    struct Made {
        DropReason dropped = DropReason::None;
        std::size_t shots_cut = 0;
        std::string json;  // the kept record's line
        std::exception_ptr error;
    };
    std::vector<Made> made;
    std::size_t next = 0;
    const auto format_all = [&](const std::vector<Record>& lines) {
        made.assign(lines.size(), Made{});
        next = 0;
        parallel_for(lines.size(), workers, [&](std::size_t i) {
            try {
                const FormattedPrompt prompt = formatter.format(lines[i]);
                made[i].dropped = prompt.dropped;
                made[i].shots_cut = prompt.shots_cut;
                if (prompt.dropped == DropReason::None) made[i].json = python_json_dumps(prompt.record);
            } catch (...) {
                made[i].error = std::current_exception();
            }
        });
    };
    FormatReport report;
    format::for_each_json_line(
        in, input_name, policy, progress, "format", report.read, report.skipped, report.problems,
        [&](const Record&, std::size_t) {
            const Made& prompt = made[next++];
            if (prompt.error) std::rethrow_exception(prompt.error);
            switch (prompt.dropped) {
                case DropReason::QueryOverWordBudget: ++report.dropped_query_over_words; return;
                case DropReason::NoShotCountFits: ++report.dropped_no_shot_count_fits; return;
                case DropReason::TooFewShots: ++report.dropped_too_few_shots; return;
                case DropReason::OverMaxSeqLen: ++report.dropped_over_max_seq_len; return;
                case DropReason::None: break;
            }
            if (prompt.shots_cut) {
                ++report.records_with_shots_cut;
                report.shots_cut += prompt.shots_cut;
            }
            out << prompt.json << '\n';
            ++report.written;
        },
        format_all);
    return report;
}

FormatReport format_file(const std::string& input_path, const std::string& output_path,
                         const PromptFormatter& formatter, BadInputPolicy policy, ProgressSink* progress,
                         int threads) {
    std::ifstream in(input_path, std::ios::binary);
    if (!in) throw Error(input_path + ": cannot open the few-shot file; check the path");
    FormatReport report;
    write_file_atomically(output_path, [&](std::ostream& out) {
        report = format_stream(in, out, formatter, input_path, policy, progress, threads);
        // Thrown before the commit: an empty input is a wrong file, and its
        // empty output would only fail the export. Lines that were all
        // dropped are a result, which the report explains.
        if (report.read == 0)
            throw Error(input_path + ": the file holds no few-shot lines (it is empty or blank); give the fewshot "
                                     "stage's JSONL, one {\"origin\": {...}, \"shot\": [...]} per line");
    });
    return report;
}

}  // namespace distill
