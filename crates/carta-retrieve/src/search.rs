//! The tantivy side: an in-RAM index of documents with three weighted text
//! fields, searched with a disjunction of analyzed terms (BM25).

use crate::text::{analyzer, ANALYZER};
use crate::RetrieveError;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{Index, IndexReader, TantivyDocument, Term};

/// The writer's arena; tantivy refuses less than 15 MB per thread.
const WRITER_MEMORY: usize = 32_000_000;

/// One document to index; the words are already split (see [`crate::text::words`]).
pub(crate) struct Document {
    /// A table's name or a doc's title: matches here count most.
    pub name: Vec<String>,
    /// Column names.
    pub columns: Vec<String>,
    /// Comments, enum labels, check expressions, doc text.
    pub text: Vec<String>,
}

/// How much a term found in each field counts, relative to `text`.
const NAME_BOOST: f32 = 3.0;
const COLUMNS_BOOST: f32 = 1.5;

pub(crate) struct TextIndex {
    reader: IndexReader,
    name: Field,
    columns: Field,
    text: Field,
    len: usize,
}

impl TextIndex {
    pub(crate) fn build(documents: &[Document]) -> Result<TextIndex, RetrieveError> {
        let mut schema = Schema::builder();
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let name = schema.add_text_field("name", options.clone());
        let columns = schema.add_text_field("columns", options.clone());
        let text = schema.add_text_field("text", options);
        let ord = schema.add_u64_field("ord", FAST);
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER, analyzer());
        // One thread keeps document order, segment layout and so scores the same on every run.
        let mut writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        for (i, d) in documents.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(name, d.name.join(" "));
            doc.add_text(columns, d.columns.join(" "));
            doc.add_text(text, d.text.join(" "));
            doc.add_u64(ord, i as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(TextIndex {
            reader,
            name,
            columns,
            text,
            len: documents.len(),
        })
    }

    /// Documents matching any of `terms`, as (document position, score),
    /// best first, ties in document order.
    pub(crate) fn search(&self, terms: &[String]) -> Result<Vec<(usize, f32)>, RetrieveError> {
        if terms.is_empty() || self.len == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in terms {
            for (field, boost) in [
                (self.name, NAME_BOOST),
                (self.columns, COLUMNS_BOOST),
                (self.text, 1.0),
            ] {
                let query = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost)),
                ));
            }
        }
        let searcher = self.reader.searcher();
        let hits = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(self.len).order_by_score(),
        )?;
        let mut out = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let ords = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("ord")?;
            if let Some(ord) = ords.first(address.doc_id) {
                out.push((ord as usize, score));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }
}
