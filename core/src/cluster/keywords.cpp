// Keywords for the cluster map: class-based TF-IDF (BERTopic's c-TF-IDF)
// over the questions of each cluster, with a deliberately small tokenizer.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "distill/cluster_map.h"
#include "distill/error.h"

namespace distill {
namespace {

// Function words that would top every class: articles, pronouns, auxiliary
// verbs, prepositions, conjunctions and question words. Short on purpose
// (sklearn's list has 318 and drops words such as "system" and "fire");
// c-TF-IDF's idf already pushes the remaining common words down.
constexpr const char* kEnglishStopWords[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "if", "in",
    "into", "is", "it", "it's", "its", "itself", "just", "me", "might", "more", "most", "must", "my", "myself",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
    "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves",
};

bool is_stop_word(const std::string& token) {
    static const std::unordered_set<std::string> words(std::begin(kEnglishStopWords), std::end(kEnglishStopWords));
    return words.count(token) > 0;
}

bool is_ascii_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool in_word(unsigned char c) { return is_ascii_letter(c) || is_digit(c) || c >= 0x80; }

}  // namespace

std::vector<std::string> keyword_tokens(std::string_view text) {
    std::vector<std::string> tokens;
    std::string token;
    const auto flush = [&] {
        // An apostrophe only joins letters ("don't"); trailing ones go.
        while (!token.empty() && token.back() == '\'') token.pop_back();
        const bool has_letter = std::any_of(token.begin(), token.end(),
                                            [](unsigned char c) { return is_ascii_letter(c) || c >= 0x80; });
        if (token.size() > 1 && has_letter && !is_stop_word(token)) tokens.push_back(token);
        token.clear();
    };
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (in_word(c)) {
            token.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
        } else if (c == '\'' && !token.empty()) {
            token.push_back('\'');
        } else {
            flush();
        }
    }
    flush();
    return tokens;
}

std::vector<std::vector<Keyword>> class_keywords(const std::vector<std::string>& texts,
                                                 const std::vector<Community>& classes, std::size_t top_n) {
    // Term ids in order of first appearance; counts per class.
    std::unordered_map<std::string, std::uint32_t> ids;
    std::vector<std::string> terms;
    const auto count_terms = [&](std::string_view text, std::unordered_map<std::uint32_t, double>& counts) {
        double words = 0;
        for (auto& token : keyword_tokens(text)) {
            const auto [it, added] = ids.try_emplace(std::move(token), static_cast<std::uint32_t>(terms.size()));
            if (added) terms.push_back(it->first);
            counts[it->second] += 1;
            words += 1;
        }
        return words;
    };
    std::vector<std::uint8_t> in_class(texts.size(), 0);
    std::vector<std::unordered_map<std::uint32_t, double>> tf(classes.size() + 1);  // the last: rows in none
    std::vector<double> words(classes.size() + 1, 0);
    for (std::size_t c = 0; c < classes.size(); ++c)
        for (const RowId row : classes[c]) {
            if (row >= texts.size())
                throw Error("cluster " + std::to_string(c) + " names row " + std::to_string(row) + " but there are " +
                            std::to_string(texts.size()) + " questions");
            in_class[row] = 1;
            words[c] += count_terms(texts[row], tf[c]);
        }
    bool any_outlier = false;
    for (std::size_t row = 0; row < texts.size(); ++row)
        if (!in_class[row]) {
            any_outlier = true;
            words.back() += count_terms(texts[row], tf.back());
        }
    if (!any_outlier) {
        tf.pop_back();
        words.pop_back();
    }
    std::vector<double> frequency(terms.size(), 0);  // f(t), over all classes
    double total_words = 0;
    for (std::size_t c = 0; c < tf.size(); ++c) {
        total_words += words[c];
        for (const auto& [term, count] : tf[c]) frequency[term] += count;
    }
    const double average = tf.empty() ? 0 : std::floor(total_words / static_cast<double>(tf.size()));

    std::vector<std::vector<Keyword>> out(classes.size());
    for (std::size_t c = 0; c < classes.size(); ++c) {
        std::vector<Keyword> scored;
        for (const auto& [term, count] : tf[c])
            scored.push_back({terms[term], count / words[c] * std::log(1.0 + average / frequency[term])});
        const std::size_t keep = std::min(top_n, scored.size());
        std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                          [](const Keyword& a, const Keyword& b) {
                              return a.score > b.score || (a.score == b.score && a.term < b.term);
                          });
        scored.resize(keep);
        out[c] = std::move(scored);
    }
    return out;
}

}  // namespace distill
