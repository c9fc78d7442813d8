//! Words and terms: how identifiers and prose become index terms. The same
//! path is used for documents and questions, so `orderLineItems`,
//! `order_line_items` and "order line items" meet on the same terms.

use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

/// The name the analyzer is registered under in the index.
pub(crate) const ANALYZER: &str = "carta_en";

/// Lower case, then the English (Porter 2) stemmer: "rated" and "ratings" meet at "rate".
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The lower-case words of `text`, splitting identifiers at `_`, `-`, `.`,
/// quotes and other punctuation, at camelCase humps (`HTTPServer` -> http
/// server) and between letters and digits (`utf8` -> utf 8).
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower)
                || (prev.is_numeric() != cur.is_numeric());
            if boundary {
                out.push(lower(&chars[start..i]));
                start = i;
            }
        }
        if start < chars.len() {
            out.push(lower(&chars[start..]));
        }
    }
    out
}

fn lower(chars: &[char]) -> String {
    chars.iter().collect::<String>().to_lowercase()
}

/// The analyzed terms of already split words, in order, duplicates kept.
pub(crate) fn terms(analyzer: &mut TextAnalyzer, words: &[String]) -> Vec<String> {
    let joined = words.join(" ");
    let mut stream = analyzer.token_stream(&joined);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The distinct terms of a question: its words without stop words and bare
/// numbers, stemmed, in first-seen order.
pub(crate) fn question_terms(analyzer: &mut TextAnalyzer, question: &str) -> Vec<String> {
    let kept: Vec<String> = words(question)
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_numeric()) && !is_stop_word(w))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    terms(analyzer, &kept)
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// English function words and the words questions to a database are
/// phrased with ("show me how many ..."), which name no table.
fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as",
        "at", "be", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "could", "did", "do", "does", "doing", "each", "ever", "every", "few", "for", "from",
        "get", "give", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
        "how", "i", "if", "in", "into", "is", "it", "its", "just", "list", "many", "me", "more",
        "most", "much", "my", "no", "nor", "not", "of", "on", "once", "only", "or", "other", "our",
        "out", "over", "per", "please", "she", "should", "show", "so", "some", "such", "than",
        "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
        "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what",
        "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "would",
        "you", "your",
    ];
    STOP.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_into_words() {
        assert_eq!(words("orderLineItems"), ["order", "line", "items"]);
        assert_eq!(words("order_line_items"), ["order", "line", "items"]);
        assert_eq!(
            words("HTTPServerLog2024"),
            ["http", "server", "log", "2024"]
        );
        assert_eq!(words("utf8_name"), ["utf", "8", "name"]);
        assert_eq!(words("\"Weird\".\"näme-Ünit\""), ["weird", "näme", "ünit"]);
        assert!(words("").is_empty());
        assert!(words("__ \"\" ..").is_empty());
    }

    #[test]
    fn stemming_joins_word_forms() {
        let mut a = analyzer();
        let rated = question_terms(&mut a, "Which users rated it?");
        let ratings = terms(&mut a, &words("user_ratings"));
        assert_eq!(rated, ratings);
        assert_eq!(
            terms(&mut a, &words("categories")),
            terms(&mut a, &words("category"))
        );
    }

    #[test]
    fn questions_lose_stop_words_and_numbers() {
        let mut a = analyzer();
        assert_eq!(
            question_terms(
                &mut a,
                "Show me how many orders were paid in 2024 and orders"
            ),
            ["order", "paid"]
        );
        assert!(question_terms(&mut a, "").is_empty());
    }
}
