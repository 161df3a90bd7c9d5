//! Backend-agnostic behaviour tests of the [`Store`] contract.
//!
//! Every backend runs all of them on a fresh, empty store each:
//!
//! ```ignore
//! dossier_store::conformance_suite!(my_backend_tests, {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = SqliteStore::open(&dir.path().join("kb.sqlite")).unwrap();
//!     (dir, Box::new(store) as Box<dyn Store>)
//! });
//! ```
//!
//! The block yields `(guard, Box<dyn Store>)`; the guard (a temporary directory,
//! a scratch schema...) lives as long as the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::*;
use dossier_core::{Arg, Event, EventArgument, EventRole, EventType, Format, Query, SearchFilters};

/// Generates one `#[test]` per conformance check, in a module named `$name`.
#[macro_export]
macro_rules! conformance_suite {
    ($name:ident, $make:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::conformance_suite!(@tests $make;
                put_batch_is_idempotent, same_batch_repeats_are_skipped, existing_reports_stored_ids,
                prefix_lookup_and_ambiguity, document_round_trip, entities_are_upserted_and_ranked,
                near_duplicate_links_both_ways, dup_candidates_share_a_band, documents_newest_first,
                stats_counts, search_title_above_body, search_phrase_vs_terms, search_or_and_not,
                search_prefix, search_filter_source, search_filter_dates, search_filter_entity,
                search_filter_entity_type, search_pagination, search_highlights_non_ascii,
                search_injection_is_inert, search_case_and_accents, empty_store, optimize_keeps_results,
                hostile_text_round_trips, facts_round_trip_with_links, sentence_lookup,
                evidence_graph_from_facts, comention_is_capped_per_sentence, entity_profile_and_lookup,
                claims_by_subject_attribute_and_doc, bulk_import_and_stream,
                decisions_merge_split_rename_replay, many_facts_in_one_batch, hostile_fact_spans,
                event_nodes_resolve_across_documents, decisions_stick_for_later_batches,
                resolution_index_round_trip);
        }
    };
    (@tests $make:block; $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let (_guard, mut store) = $make;
                $crate::conformance::$test(&mut *store);
            }
        )*
    };
}

/// Code point span of the `nth` occurrence of `needle` in `text`.
pub fn span_of(text: &str, needle: &str, nth: usize) -> CharSpan {
    let (byte, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in {text:?}"));
    let start = text[..byte].chars().count();
    CharSpan::new(start, start + needle.chars().count())
}

/// A plain-text document with one sentence per `.`-terminated run.
pub fn doc(
    source: &str,
    title: Option<&str>,
    published: Option<&str>,
    text: &str,
) -> AnalysedDocument {
    let mut d = Document::new(source, Format::Text, text);
    d.title = title.map(str::to_string);
    d.published = published.map(str::to_string);
    d.language = Some("eng".into());
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, c) in text.chars().enumerate() {
        if c == '.' {
            sentences.push(CharSpan::new(start, i + 1));
            start = i + 2;
        }
    }
    AnalysedDocument {
        document: d,
        mentions: Vec::new(),
        sentences,
        facts: Default::default(),
        minhash: Vec::new(),
        near_duplicate_of: None,
        extractor: "test/1".into(),
    }
}

/// Adds a mention of the `nth` occurrence of `needle`.
pub fn mention(
    a: &mut AnalysedDocument,
    needle: &str,
    nth: usize,
    label: EntityLabel,
    canonical: &str,
) {
    let span = span_of(&a.document.text, needle, nth);
    a.mentions.push(ResolvedMention {
        mention: EntityMention {
            start: span.start,
            end: span.end,
            label,
            text: needle.to_string(),
            confidence: 0.875,
            kind: None,
            normalized: None,
            extractor: "test-tagger/1".into(),
        },
        canonical: canonical.to_string(),
    });
}

fn term(w: &str) -> Query {
    Query::Term {
        word: w.into(),
        prefix: false,
    }
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        query: Query::parse(q).unwrap(),
        filters: SearchFilters::default(),
        limit: 50,
        offset: 0,
    }
}

fn filtered(q: &str, filters: SearchFilters) -> SearchRequest {
    SearchRequest { filters, ..req(q) }
}

/// Ids of the hits, as indexes into `corpus`.
fn hit_indexes(store: &dyn Store, corpus: &[AnalysedDocument], r: &SearchRequest) -> Vec<usize> {
    let res = store.search(r).unwrap_or_else(|e| panic!("{r:?}: {e}"));
    assert_eq!(
        res.total,
        res.hits.len() + r.offset.min(res.total),
        "total vs hits for {r:?}"
    );
    res.hits
        .iter()
        .map(|h| {
            corpus
                .iter()
                .position(|a| a.document.id == h.id)
                .unwrap_or_else(|| panic!("unknown hit {}", h.id))
        })
        .collect()
}

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v
}

/// The search corpus: news-like documents with metadata, mentions and a
/// non-ASCII text.
pub fn corpus() -> Vec<AnalysedDocument> {
    use EntityLabel::*;
    let mut v = Vec::new();

    let mut d = doc(
        "news/2017/offensive.txt",
        Some("Raqqa offensive"),
        Some("2017-10-17"),
        "Kurdish forces pressed into Raqqa on Tuesday. The Islamic State group lost ground in the city.",
    );
    d.document.outlet = Some("Reuters".into());
    mention(&mut d, "Raqqa", 0, Location, "Raqqa");
    mention(&mut d, "Islamic State", 0, Organisation, "Islamic State");
    v.push(d); // 0

    let mut d = doc(
        "feeds/world.jsonl#2",
        Some("Budget talks"),
        Some("2017-10-20"),
        "Ministers discussed the budget. A reporter asked about Raqqa only in passing.",
    );
    d.document.url = Some("https://www.BBC.co.uk/news/1".into());
    d.document.format = Format::Json;
    mention(&mut d, "Raqqa", 0, Location, "Raqqa");
    v.push(d); // 1

    let mut d = doc(
        "pdfs/report.pdf",
        Some("Statement"),
        Some("2016-03-01"),
        "The state said that Islamic scholars met. Bombing near the bomber's house was reported.",
    );
    d.document.format = Format::Pdf;
    v.push(d); // 2

    let mut d = doc(
        "mail/box.mbox#1",
        None,
        None,
        "Raqqa — “Daesh” fighters retreated from the city; Daesh leaders fled to Mayadin.",
    );
    d.document.format = Format::Email;
    d.document.language = None;
    mention(&mut d, "Raqqa", 0, Location, "Raqqa");
    mention(&mut d, "Daesh", 0, Organisation, "Islamic State");
    mention(&mut d, "Daesh", 1, Organisation, "Islamic State");
    mention(&mut d, "Mayadin", 0, Location, "Mayadin");
    v.push(d); // 3

    let mut d = doc(
        "news/nl.html",
        Some("Returnees"),
        Some("2017-11-02T09:30:00Z"),
        "Dick Schoof, the Dutch national counterterrorism coordinator, spoke in The Hague about ISIS returnees. \
         Schoof said about 50 had returned.",
    );
    d.document.format = Format::Html;
    mention(&mut d, "Dick Schoof", 0, Person, "Dick Schoof");
    mention(&mut d, "Dutch", 0, Nationality, "Dutch");
    mention(&mut d, "The Hague", 0, Location, "The Hague");
    mention(&mut d, "ISIS", 0, Organisation, "Islamic State");
    mention(&mut d, "Schoof", 1, Person, "Dick Schoof");
    v.push(d); // 4

    let mut d = doc(
        "news/ap.html",
        Some("Blast"),
        Some("2017-07-10"),
        "Bombings in Mosul killed twelve people. Bomb disposal teams arrived in the city.",
    );
    d.document.format = Format::Html;
    mention(&mut d, "Mosul", 0, Location, "Mosul");
    v.push(d); // 5

    let d = doc(
        "notes/cafe.md",
        Some("Reopening"),
        Some("2017-08-01"),
        "The café in Mosul reopened after the liberation of the city.",
    );
    v.push(d); // 6

    let d = doc(
        "notes/mosul.md",
        Some("Mosul after the battle"),
        Some("2017-09-01"),
        "Reconstruction started in the old town.",
    );
    v.push(d); // 7
    v
}

fn load_corpus(store: &mut dyn Store) -> Vec<AnalysedDocument> {
    let c = corpus();
    let out = store.put_batch(&c).unwrap();
    assert_eq!(
        out,
        BatchOutcome {
            inserted: c.len(),
            skipped: 0
        }
    );
    c
}

pub fn put_batch_is_idempotent(store: &mut dyn Store) {
    let c = load_corpus(store);
    let before = store.stats().unwrap();
    let ents = store
        .entities(
            None,
            Page {
                limit: 100,
                offset: 0,
            },
        )
        .unwrap();
    let found = store.search(&req("raqqa")).unwrap();
    // Re-ingest everything, in two batches with a different split.
    let (a, b) = c.split_at(3);
    assert_eq!(
        store.put_batch(b).unwrap(),
        BatchOutcome {
            inserted: 0,
            skipped: b.len()
        }
    );
    assert_eq!(
        store.put_batch(a).unwrap(),
        BatchOutcome {
            inserted: 0,
            skipped: a.len()
        }
    );
    assert_eq!(store.stats().unwrap(), before);
    assert_eq!(
        store
            .entities(
                None,
                Page {
                    limit: 100,
                    offset: 0
                }
            )
            .unwrap(),
        ents
    );
    assert_eq!(store.search(&req("raqqa")).unwrap(), found);
    assert_eq!(before.documents, c.len());
}

pub fn same_batch_repeats_are_skipped(store: &mut dyn Store) {
    let a = doc("a.txt", None, None, "One text.");
    let mut again = a.clone();
    again.document.source = "copy-of-a.txt".into();
    let b = doc("b.txt", None, None, "Another text.");
    assert_eq!(
        store.put_batch(&[a.clone(), again, b]).unwrap(),
        BatchOutcome {
            inserted: 2,
            skipped: 1
        }
    );
    // The first occurrence wins.
    assert_eq!(
        store
            .document(a.document.id.as_str())
            .unwrap()
            .document
            .source,
        "a.txt"
    );
    assert_eq!(store.put_batch(&[]).unwrap(), BatchOutcome::default());
}

pub fn existing_reports_stored_ids(store: &mut dyn Store) {
    let c = load_corpus(store);
    let missing = DocId("0".repeat(32));
    let asked = vec![
        c[2].document.id.clone(),
        missing,
        c[0].document.id.clone(),
        c[2].document.id.clone(),
    ];
    assert_eq!(
        store.existing(&asked).unwrap(),
        vec![c[2].document.id.clone(), c[0].document.id.clone()]
    );
    assert!(store.existing(&[]).unwrap().is_empty());
}

pub fn prefix_lookup_and_ambiguity(store: &mut dyn Store) {
    let mut docs = vec![
        doc("1.txt", None, None, "first"),
        doc("2.txt", None, None, "second"),
        doc("3.txt", None, None, "third"),
    ];
    docs[0].document.id = DocId(format!("abcd0001{}", "0".repeat(24)));
    docs[1].document.id = DocId(format!("abcd0002{}", "0".repeat(24)));
    docs[2].document.id = DocId(format!("ef01{}", "9".repeat(28)));
    store.put_batch(&docs).unwrap();
    assert_eq!(store.document("abcd0001").unwrap().document.source, "1.txt");
    assert_eq!(store.document("ABCD0002").unwrap().document.source, "2.txt");
    assert_eq!(store.document(" ef01 ").unwrap().document.source, "3.txt");
    assert_eq!(
        store
            .document(docs[1].document.id.as_str())
            .unwrap()
            .document
            .id,
        docs[1].document.id
    );
    assert!(matches!(store.document("abcd"), Err(StoreError::AmbiguousId(p)) if p == "abcd"));
    assert!(
        matches!(store.document("abc"), Err(StoreError::AmbiguousId(_))),
        "prefixes under 4 characters"
    );
    assert!(matches!(store.document("ffff"), Err(StoreError::NoSuchDocument(p)) if p == "ffff"));
    assert!(matches!(
        store.document("abcd0001x"),
        Err(StoreError::NoSuchDocument(_))
    ));
    assert!(matches!(
        store.document("%%%%"),
        Err(StoreError::NoSuchDocument(_))
    ));
    assert!(matches!(
        store.document("abcd*"),
        Err(StoreError::NoSuchDocument(_))
    ));
}

pub fn document_round_trip(store: &mut dyn Store) {
    let mut c = corpus();
    c[4].document
        .metadata
        .insert("from".into(), "press@nctv.nl".into());
    c[4].document.author = Some("NCTV".into());
    c[4].mentions[1].mention.kind = Some("demonym".into());
    c[4].mentions[1].mention.normalized = Some("Netherlands".into());
    let mut attachment = doc(
        "news/nl.html#attachment-1",
        Some("annex"),
        None,
        "Annex text.",
    );
    attachment.document.parent = Some(c[4].document.id.clone());
    attachment.document.rehash();
    c.push(attachment.clone());
    store.put_batch(&c).unwrap();

    let got = store.document(c[4].document.id.as_str()).unwrap();
    assert_eq!(got.document, c[4].document);
    let want: Vec<EntityMention> = c[4].mentions.iter().map(|m| m.mention.clone()).collect();
    assert_eq!(
        got.mentions
            .iter()
            .map(|m| m.mention.clone())
            .collect::<Vec<_>>(),
        want
    );
    for m in &got.mentions {
        assert_eq!(
            &got.document
                .text
                .chars()
                .skip(m.mention.start)
                .take(m.mention.end - m.mention.start)
                .collect::<String>(),
            &m.mention.text
        );
    }
    // "Dick Schoof" and "Schoof" are one entity; ISIS resolves to Islamic State.
    assert_eq!(got.mentions[0].entity_id, got.mentions[4].entity_id);
    assert_eq!(got.mentions[0].canonical, "Dick Schoof");
    assert_eq!(got.mentions[3].canonical, "Islamic State");
    assert_ne!(got.mentions[0].entity_id, got.mentions[2].entity_id);
    assert_eq!(got.sentences, c[4].sentences);
    assert_eq!(got.children, vec![attachment.document.id.clone()]);
    assert!(got.near_duplicates.is_empty());
    let child = store.document(attachment.document.id.as_str()).unwrap();
    assert_eq!(child.document.parent.as_ref(), Some(&c[4].document.id));
    assert!(child.children.is_empty());
    // The same entity across documents keeps one id.
    let other = store.document(c[3].document.id.as_str()).unwrap();
    assert_eq!(other.mentions[1].entity_id, got.mentions[3].entity_id);
}

pub fn entities_are_upserted_and_ranked(store: &mut dyn Store) {
    use EntityLabel::*;
    let mut a = doc(
        "a.txt",
        None,
        None,
        "Dick Schoof met Schoof's staff in The Hague.",
    );
    mention(&mut a, "Dick Schoof", 0, Person, "Dick Schoof");
    mention(&mut a, "Schoof", 1, Person, "Dick Schoof");
    mention(&mut a, "The Hague", 0, Location, "The Hague");
    let mut b = doc(
        "b.txt",
        None,
        None,
        "DICK SCHOOF visited The Hague. The Hague welcomed him.",
    );
    mention(&mut b, "DICK SCHOOF", 0, Person, "DICK  SCHOOF ");
    mention(&mut b, "The Hague", 0, Location, "the hague");
    mention(&mut b, "The Hague", 1, Location, "the hague");
    let mut c = doc(
        "c.txt",
        None,
        None,
        "The Hague is a city. The Hague is also an organisation here.",
    );
    mention(&mut c, "The Hague", 0, Location, "The Hague");
    // Same name, other label: another entity.
    mention(&mut c, "The Hague", 1, Organisation, "The Hague");
    store.put_batch(&[a]).unwrap();
    store.put_batch(&[b, c]).unwrap();

    let all = store
        .entities(
            None,
            Page {
                limit: 10,
                offset: 0,
            },
        )
        .unwrap();
    let view: Vec<(&str, EntityLabel, usize, usize)> = all
        .iter()
        .map(|e| (e.name.as_str(), e.label, e.mentions, e.documents))
        .collect();
    assert_eq!(
        view,
        vec![
            ("The Hague", Location, 4, 3),
            ("Dick Schoof", Person, 3, 2),
            ("The Hague", Organisation, 1, 1)
        ]
    );
    let people = store.entities(Some(Person), Page::default()).unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].id, all[1].id);
    assert!(store
        .entities(Some(Weapon), Page::default())
        .unwrap()
        .is_empty());
    let second = store
        .entities(
            None,
            Page {
                limit: 1,
                offset: 1,
            },
        )
        .unwrap();
    assert_eq!(second, vec![all[1].clone()]);
}

pub fn near_duplicate_links_both_ways(store: &mut dyn Store) {
    let a = doc(
        "wire/a.txt",
        None,
        Some("2017-01-01"),
        "The wire story as first filed.",
    );
    let mut b = doc(
        "outlet/b.txt",
        None,
        Some("2017-01-02"),
        "The wire story as first filed, reprinted.",
    );
    b.near_duplicate_of = Some((a.document.id.clone(), 0.8));
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    // c refers to d, which comes after it in the same batch; e to a missing document.
    let d = doc("outlet/d.txt", None, None, "Another story.");
    let mut c = doc("outlet/c.txt", None, None, "Another story, copied.");
    c.near_duplicate_of = Some((d.document.id.clone(), 0.9));
    let mut e = doc("outlet/e.txt", None, None, "Orphan copy.");
    e.near_duplicate_of = Some((DocId("f".repeat(32)), 0.95));
    store
        .put_batch(&[b.clone(), c.clone(), d.clone(), e.clone()])
        .unwrap();

    let ga = store.document(a.document.id.as_str()).unwrap();
    assert_eq!(ga.near_duplicates, vec![(b.document.id.clone(), 0.8)]);
    let gb = store.document(b.document.id.as_str()).unwrap();
    assert_eq!(gb.near_duplicates, vec![(a.document.id.clone(), 0.8)]);
    assert_eq!(
        store
            .document(d.document.id.as_str())
            .unwrap()
            .near_duplicates,
        vec![(c.document.id.clone(), 0.9)]
    );
    assert!(store
        .document(e.document.id.as_str())
        .unwrap()
        .near_duplicates
        .is_empty());
    let list = store
        .documents(Page {
            limit: 10,
            offset: 0,
        })
        .unwrap();
    let of = |id: &DocId| {
        list.iter()
            .find(|s| &s.id == id)
            .unwrap()
            .near_duplicate_of
            .clone()
    };
    assert_eq!(of(&b.document.id), Some(a.document.id.clone()));
    assert_eq!(of(&c.document.id), Some(d.document.id.clone()));
    assert_eq!(of(&a.document.id), None);
    assert_eq!(store.stats().unwrap().near_duplicate_links, 2);
}

pub fn dup_candidates_share_a_band(store: &mut dyn Store) {
    let sig: Vec<u32> = (0..(MINHASH_BANDS * MINHASH_ROWS) as u32)
        .map(|i| i.wrapping_mul(2_654_435_761))
        .collect();
    let mut a = doc("a.txt", None, None, "alpha");
    a.minhash = sig.clone();
    let mut b = doc("b.txt", None, None, "beta");
    b.minhash = sig.iter().map(|v| v ^ 0xffff).collect();
    let c = doc("c.txt", None, None, "no signature");
    store.put_batch(&[a.clone(), b.clone(), c]).unwrap();

    let got = store.dup_candidates(&sig).unwrap();
    assert_eq!(
        got,
        vec![DupCandidate {
            id: a.document.id.clone(),
            minhash: sig.clone()
        }]
    );
    // Only the last band in common is enough.
    let mut probe: Vec<u32> = sig.iter().map(|v| v ^ 0x5555_0000).collect();
    let n = probe.len();
    probe[n - MINHASH_ROWS..].copy_from_slice(&b.minhash[n - MINHASH_ROWS..]);
    let ids: Vec<DocId> = store
        .dup_candidates(&probe)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, vec![b.document.id.clone()]);
    // A band differing in one row does not match.
    let mut one_off = probe.clone();
    one_off[n - 1] ^= 1;
    assert!(store.dup_candidates(&one_off).unwrap().is_empty());
    assert!(store.dup_candidates(&[]).unwrap().is_empty());
    assert!(store.dup_candidates(&sig[..3]).unwrap().is_empty());
}

pub fn documents_newest_first(store: &mut dyn Store) {
    let c = load_corpus(store);
    let list = store
        .documents(Page {
            limit: 100,
            offset: 0,
        })
        .unwrap();
    let order: Vec<usize> = list
        .iter()
        .map(|s| c.iter().position(|a| a.document.id == s.id).unwrap())
        .collect();
    // 4 (2017-11-02T..), 1, 0, 7, 6, 5, 2, then undated 3.
    assert_eq!(order, vec![4, 1, 0, 7, 6, 5, 2, 3]);
    let s = &list[0];
    assert_eq!(
        (s.format.as_str(), s.mentions, s.chars),
        ("html", 5, c[4].document.text.chars().count())
    );
    assert_eq!(s.title.as_deref(), Some("Returnees"));
    assert_eq!(s.language.as_deref(), Some("eng"));
    let page = store
        .documents(Page {
            limit: 3,
            offset: 6,
        })
        .unwrap();
    assert_eq!(page, list[6..].to_vec());
    // Undated documents keep ingest order among themselves.
    store
        .put_batch(&[
            doc("z1.txt", None, None, "zeta one"),
            doc("z2.txt", None, None, "zeta two"),
        ])
        .unwrap();
    let tail: Vec<String> = store
        .documents(Page {
            limit: 3,
            offset: 8,
        })
        .unwrap()
        .into_iter()
        .map(|s| s.source)
        .collect();
    assert_eq!(tail, vec!["z1.txt", "z2.txt"]);
}

pub fn hostile_text_round_trips(store: &mut dyn Store) {
    let long_line = "x".repeat(300_000);
    let text = format!(
        "NUL\u{0}inside \u{FDD0}marker\u{FDD1} \u{202E}rtl\u{202C} 🚀 rocket; \"quoted\" 'single' \
         back\\slash %_ wildcards {long_line} end"
    );
    let mut a = doc(
        "hostile\u{0}source.txt",
        Some("Title \"with\" quotes; DROP TABLE x; --"),
        Some("not a date"),
        &text,
    );
    a.document.metadata.insert("k\u{0}".into(), "v\"\\".into());
    mention(&mut a, "rocket", 0, EntityLabel::Weapon, "Rocket");
    // Broken extractor output: a span past the end and a NaN confidence.
    let mut bad = a.mentions[0].clone();
    bad.mention.start = 10_000_000;
    bad.mention.end = 10_000_005;
    bad.mention.confidence = f32::NAN;
    a.mentions.push(bad);
    a.minhash = vec![u32::MAX; MINHASH_BANDS * MINHASH_ROWS];
    a.near_duplicate_of = Some((a.document.id.clone(), f32::INFINITY)); // itself: ignored
    store.put_batch(std::slice::from_ref(&a)).unwrap();

    let got = store.document(a.document.id.as_str()).unwrap();
    assert_eq!(got.document, a.document);
    assert_eq!(got.mentions.len(), 2);
    assert_eq!(got.mentions[0].mention.text, "rocket");
    assert_eq!(got.mentions[1].mention.start, 10_000_000);
    assert!(got.mentions[1].mention.confidence.is_finite());
    assert!(got.near_duplicates.is_empty());
    let res = store.search(&req("rocket")).unwrap();
    assert_eq!(res.total, 1);
    let hit = &res.hits[0];
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|s| hit.snippet.chars().skip(s.start).take(s.len()).collect())
        .collect();
    assert_eq!(marked, vec!["rocket"]);
    assert_eq!(
        store.search(&req("end")).unwrap().total,
        1,
        "words after a 300,000-character line are indexed"
    );
    assert_eq!(store.dup_candidates(&a.minhash).unwrap().len(), 1);
}

pub fn optimize_keeps_results(store: &mut dyn Store) {
    let c = load_corpus(store);
    let before: Vec<SearchResults> = ["raqqa", "bomb*", "\"islamic state\"", "the"]
        .iter()
        .map(|q| store.search(&req(q)).unwrap())
        .collect();
    store.optimize().unwrap();
    let after: Vec<SearchResults> = ["raqqa", "bomb*", "\"islamic state\"", "the"]
        .iter()
        .map(|q| store.search(&req(q)).unwrap())
        .collect();
    assert_eq!(before, after);
    // And writing goes on afterwards.
    store
        .put_batch(&[doc("late.txt", None, None, "A late Raqqa report.")])
        .unwrap();
    assert_eq!(store.search(&req("raqqa")).unwrap().total, 4);
    store.optimize().unwrap();
    assert_eq!(store.stats().unwrap().documents, c.len() + 1);
}

pub fn stats_counts(store: &mut dyn Store) {
    let c = load_corpus(store);
    let s = store.stats().unwrap();
    assert_eq!(s.documents, 8);
    assert_eq!(
        s.characters,
        c.iter()
            .map(|a| a.document.text.chars().count())
            .sum::<usize>()
    );
    assert_eq!(s.mentions, 13);
    // Raqqa, Islamic State, Mayadin, Dick Schoof, Dutch, The Hague, Mosul.
    assert_eq!(s.entities, 7);
    assert_eq!(s.near_duplicate_links, 0);
    let formats: Vec<(String, usize)> = [
        ("text", 3),
        ("html", 2),
        ("email", 1),
        ("json", 1),
        ("pdf", 1),
    ]
    .iter()
    .map(|(f, n)| (f.to_string(), *n))
    .collect();
    assert_eq!(s.by_format, formats);
    assert_eq!(
        s.by_language,
        vec![("eng".to_string(), 7), ("unknown".to_string(), 1)]
    );
    assert_eq!(s.by_label[0], ("Location".to_string(), 6));
    assert!(s.by_label.contains(&("Organisation".to_string(), 4)));
    assert!(s.by_label.contains(&("Person".to_string(), 2)));
    assert!(s.schema_version >= 1);
}

pub fn empty_store(store: &mut dyn Store) {
    let s = store.stats().unwrap();
    assert_eq!(
        (s.documents, s.mentions, s.entities, s.characters),
        (0, 0, 0, 0)
    );
    assert!(store.documents(Page::default()).unwrap().is_empty());
    assert!(store.entities(None, Page::default()).unwrap().is_empty());
    assert_eq!(
        store.search(&req("anything")).unwrap(),
        SearchResults {
            total: 0,
            hits: vec![]
        }
    );
    assert!(matches!(
        store.document("abcdef"),
        Err(StoreError::NoSuchDocument(_))
    ));
}

pub fn search_title_above_body(store: &mut dyn Store) {
    let c = load_corpus(store);
    // 7 has "Mosul" only in its title; 5 and 6 in the body.
    let hits = hit_indexes(store, &c, &req("mosul"));
    assert_eq!(hits.first(), Some(&7), "{hits:?}");
    assert_eq!(sorted(hits), vec![5, 6, 7]);
    let res = store.search(&req("mosul")).unwrap();
    assert!(
        res.hits.windows(2).all(|w| w[0].score >= w[1].score),
        "scores descend"
    );
    assert!(res.hits[0].score > res.hits[1].score);
    assert_eq!(res.hits[0].title.as_deref(), Some("Mosul after the battle"));
    assert_eq!(res.hits[0].published.as_deref(), Some("2017-09-01"));
    assert_eq!(res.hits[0].source, "notes/mosul.md");
}

pub fn search_phrase_vs_terms(store: &mut dyn Store) {
    let c = load_corpus(store);
    assert_eq!(hit_indexes(store, &c, &req("\"islamic state\"")), vec![0]);
    assert_eq!(
        sorted(hit_indexes(store, &c, &req("islamic state"))),
        vec![0, 2]
    );
    assert_eq!(
        hit_indexes(store, &c, &req("\"state islamic\"")),
        Vec::<usize>::new()
    );
    // Hyphenated and dotted words are phrases of their parts.
    assert_eq!(
        hit_indexes(store, &c, &req("coordinator-national")),
        Vec::<usize>::new()
    );
    assert_eq!(
        hit_indexes(store, &c, &req("national-counterterrorism")),
        vec![4]
    );
}

pub fn search_or_and_not(store: &mut dyn Store) {
    let c = load_corpus(store);
    assert_eq!(
        sorted(hit_indexes(store, &c, &req("mayadin OR bombing"))),
        vec![2, 3]
    );
    assert_eq!(sorted(hit_indexes(store, &c, &req("raqqa"))), vec![0, 1, 3]);
    assert_eq!(
        sorted(hit_indexes(store, &c, &req("raqqa NOT budget"))),
        vec![0, 3]
    );
    assert_eq!(
        sorted(hit_indexes(store, &c, &req("raqqa NOT (budget OR daesh)"))),
        vec![0]
    );
    assert_eq!(
        sorted(hit_indexes(store, &c, &req("(raqqa NOT daesh) OR mosul"))),
        vec![0, 1, 5, 6, 7]
    );
    assert_eq!(
        sorted(hit_indexes(store, &c, &req("city AND (raqqa OR mosul)"))),
        vec![0, 3, 5, 6]
    );
    // NOT where it cannot be expressed: a clear error, not wrong results.
    let or_not = SearchRequest {
        query: Query::Or {
            any: vec![
                term("raqqa"),
                Query::Not {
                    inner: Box::new(term("budget")),
                },
            ],
        },
        ..req("x")
    };
    match store.search(&or_not) {
        Err(StoreError::InvalidQuery(m)) => assert!(m.contains("NOT"), "{m}"),
        other => panic!("expected InvalidQuery, got {other:?}"),
    }
    let lone = SearchRequest {
        query: Query::Not {
            inner: Box::new(term("budget")),
        },
        ..req("x")
    };
    assert!(matches!(
        store.search(&lone),
        Err(StoreError::InvalidQuery(_))
    ));
}

pub fn search_prefix(store: &mut dyn Store) {
    let c = load_corpus(store);
    assert_eq!(sorted(hit_indexes(store, &c, &req("bomb*"))), vec![2, 5]);
    assert_eq!(hit_indexes(store, &c, &req("bomb")), vec![5]);
    assert_eq!(sorted(hit_indexes(store, &c, &req("ret*"))), vec![3, 4]);
    assert_eq!(sorted(hit_indexes(store, &c, &req("ra*"))), vec![0, 1, 3]);
    assert_eq!(hit_indexes(store, &c, &req("café*")), vec![6]);
    // One-letter prefixes would expand to a large part of the vocabulary.
    assert!(
        matches!(store.search(&req("r*")), Err(StoreError::InvalidQuery(m)) if m.contains("prefix"))
    );
}

pub fn search_filter_source(store: &mut dyn Store) {
    let c = load_corpus(store);
    let by = |s: &str| SearchFilters {
        source: Some(s.into()),
        ..SearchFilters::default()
    };
    let q = "raqqa OR mosul OR schoof OR bombing";
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, by("REUTERS"))),
        vec![0],
        "outlet"
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, by("bbc.co.uk"))),
        vec![1],
        "url, case-insensitive"
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, by(".mbox"))),
        vec![3],
        "source path"
    );
    assert_eq!(
        sorted(hit_indexes(store, &c, &filtered(q, by("news/")))),
        vec![0, 1, 4, 5],
        "source or url"
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, by("nowhere"))),
        Vec::<usize>::new()
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, by("%"))),
        Vec::<usize>::new(),
        "no wildcards"
    );
}

pub fn search_filter_dates(store: &mut dyn Store) {
    let c = load_corpus(store);
    let q = "raqqa OR mosul OR schoof OR bombing";
    let range = |from: Option<&str>, to: Option<&str>| SearchFilters {
        from: from.map(Into::into),
        to: to.map(Into::into),
        ..SearchFilters::default()
    };
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, range(Some("2017-10-17"), Some("2017-10-20")))
        )),
        vec![0, 1]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, range(Some("2017-10-18"), None))
        )),
        vec![1, 4]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, range(None, Some("2017-11-02")))
        )),
        vec![0, 1, 2, 4, 5, 6, 7]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, range(None, Some("2016")))
        )),
        vec![2]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, range(Some("2017-10"), Some("2017-10")))
        )),
        vec![0, 1]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, range(Some("2017"), None))
        )),
        vec![0, 1, 4, 5, 6, 7]
    );
    for bad in ["yesterday", "2017-1-1", "2017-10-17'--", ""] {
        let r = filtered(q, range(Some(bad), None));
        assert!(
            matches!(store.search(&r), Err(StoreError::InvalidQuery(_))),
            "{bad:?}"
        );
    }
}

pub fn search_filter_entity(store: &mut dyn Store) {
    let c = load_corpus(store);
    let q = "raqqa OR mosul OR schoof OR bombing OR state";
    let ent = |s: &str| SearchFilters {
        entity: Some(s.into()),
        ..SearchFilters::default()
    };
    // By canonical name, and by any mention text of the same entity.
    assert_eq!(
        sorted(hit_indexes(store, &c, &filtered(q, ent("islamic state")))),
        vec![0, 3, 4]
    );
    assert_eq!(
        sorted(hit_indexes(store, &c, &filtered(q, ent("DAESH")))),
        vec![0, 3, 4]
    );
    assert_eq!(
        sorted(hit_indexes(store, &c, &filtered(q, ent("isis")))),
        vec![0, 3, 4]
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, ent("  dick   SCHOOF "))),
        vec![4]
    );
    assert_eq!(hit_indexes(store, &c, &filtered(q, ent("schoof"))), vec![4]);
    assert_eq!(
        sorted(hit_indexes(store, &c, &filtered(q, ent("Raqqa")))),
        vec![0, 1, 3]
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, ent("Raq"))),
        Vec::<usize>::new(),
        "whole names only"
    );
    // Combined with a text query and another filter.
    let both = SearchFilters {
        entity: Some("raqqa".into()),
        from: Some("2017-10-18".into()),
        ..SearchFilters::default()
    };
    assert_eq!(hit_indexes(store, &c, &filtered("raqqa", both)), vec![1]);
}

pub fn search_filter_entity_type(store: &mut dyn Store) {
    let c = load_corpus(store);
    let q = "raqqa OR mosul OR schoof OR bombing OR state";
    let ty = |l: EntityLabel| SearchFilters {
        entity_type: Some(l),
        ..SearchFilters::default()
    };
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, ty(EntityLabel::Person))),
        vec![4]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, ty(EntityLabel::Organisation))
        )),
        vec![0, 3, 4]
    );
    assert_eq!(
        sorted(hit_indexes(
            store,
            &c,
            &filtered(q, ty(EntityLabel::Location))
        )),
        vec![0, 1, 3, 4, 5]
    );
    assert_eq!(
        hit_indexes(store, &c, &filtered(q, ty(EntityLabel::Weapon))),
        Vec::<usize>::new()
    );
}

pub fn search_pagination(store: &mut dyn Store) {
    let c = load_corpus(store);
    let all = store.search(&req("the")).unwrap();
    assert_eq!(all.total, 8);
    let mut paged = Vec::new();
    for offset in (0..9).step_by(3) {
        let r = SearchRequest {
            limit: 3,
            offset,
            ..req("the")
        };
        let page = store.search(&r).unwrap();
        assert_eq!(page.total, 8, "total does not depend on the page");
        assert!(page.hits.len() <= 3);
        paged.extend(page.hits);
    }
    assert_eq!(paged, all.hits);
    let none = store
        .search(&SearchRequest {
            limit: 0,
            ..req("the")
        })
        .unwrap();
    assert_eq!((none.total, none.hits.len()), (8, 0));
    let beyond = store
        .search(&SearchRequest {
            offset: 100,
            ..req("the")
        })
        .unwrap();
    assert_eq!((beyond.total, beyond.hits.len()), (8, 0));
    let huge = store
        .search(&SearchRequest {
            limit: usize::MAX,
            offset: usize::MAX,
            ..req("the")
        })
        .unwrap();
    assert!(huge.hits.is_empty());
    drop(c);
}

pub fn search_highlights_non_ascii(store: &mut dyn Store) {
    let c = load_corpus(store);
    let res = store.search(&req("daesh raqqa")).unwrap();
    assert_eq!(res.hits.len(), 1);
    let hit = &res.hits[0];
    assert_eq!(hit.id, c[3].document.id);
    assert!(
        hit.snippet.starts_with("Raqqa — “Daesh” fighters"),
        "{:?}",
        hit.snippet
    );
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|s| hit.snippet.chars().skip(s.start).take(s.len()).collect())
        .collect();
    assert_eq!(marked, vec!["Raqqa", "Daesh", "Daesh"]);
    // A phrase across the em dash and a prefix highlight whole words.
    let res = store.search(&req("caf*")).unwrap();
    let hit = &res.hits[0];
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|s| hit.snippet.chars().skip(s.start).take(s.len()).collect())
        .collect();
    assert_eq!(marked, vec!["café"]);
    assert_eq!(hit.snippet, c[6].document.text);
    // Long texts give a snippet around the match, not the whole text.
    let filler = "Words without the needle fill this long report. ".repeat(40);
    let long = doc(
        "long.txt",
        None,
        None,
        &format!("{filler}Then the Kalashnikov appeared. {filler}"),
    );
    store.put_batch(&[long]).unwrap();
    let res = store.search(&req("kalashnikov")).unwrap();
    let hit = &res.hits[0];
    assert!(
        hit.snippet.split_whitespace().count() <= SNIPPET_WORDS + 2,
        "{:?}",
        hit.snippet
    );
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|s| hit.snippet.chars().skip(s.start).take(s.len()).collect())
        .collect();
    assert_eq!(marked, vec!["Kalashnikov"]);
}

pub fn search_injection_is_inert(store: &mut dyn Store) {
    let c = load_corpus(store);
    let t = |w: &str, prefix: bool| SearchRequest {
        query: Query::Term {
            word: w.into(),
            prefix,
        },
        ..req("x")
    };
    let ok = |r: SearchRequest| -> Vec<usize> { hit_indexes(store, &c, &r) };
    // FTS5 operators and syntax inside a word are just text.
    assert_eq!(
        ok(t("NEAR", false)),
        vec![2],
        "the word \"near\", not the operator"
    );
    assert_eq!(
        ok(t("raqqa\" OR \"mosul", false)),
        Vec::<usize>::new(),
        "not an OR"
    );
    assert_eq!(
        ok(t("title:raqqa", false)),
        Vec::<usize>::new(),
        "not a column filter"
    );
    assert_eq!(
        sorted(ok(t("raqqa*", false))),
        vec![0, 1, 3],
        "* inside the quotes is punctuation"
    );
    assert_eq!(sorted(ok(t("^raqqa", false))), vec![0, 1, 3]);
    assert_eq!(sorted(ok(t("raqqa\"", true))), vec![0, 1, 3]);
    assert_eq!(ok(t("NEAR(raqqa mosul, 2)", false)), Vec::<usize>::new());
    assert_eq!(ok(t("{title text}: raqqa", false)), Vec::<usize>::new());
    assert_eq!(
        ok(t("raqqa'); DROP TABLE documents; --", false)),
        Vec::<usize>::new()
    );
    // Parsed user queries with the same characters.
    for q in [
        "NEAR(raqqa mosul)",
        "title:raqqa",
        "raqqa:*",
        "\"raqqa\"\"\"",
        "AND raqqa",
        "raqqa OR",
        "+raqqa",
    ] {
        // Queries the parser rejects get its own, positioned error instead.
        if let Ok(query) = Query::parse(q) {
            let r = SearchRequest { query, ..req("x") };
            store.search(&r).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        }
    }
    assert_eq!(store.stats().unwrap().documents, c.len());
    assert!(matches!(
        store.search(&t("***", false)),
        Err(StoreError::InvalidQuery(_))
    ));
}

pub fn search_case_and_accents(store: &mut dyn Store) {
    let c = load_corpus(store);
    assert_eq!(hit_indexes(store, &c, &req("CAFE")), vec![6]);
    assert_eq!(hit_indexes(store, &c, &req("café")), vec![6]);
    assert_eq!(hit_indexes(store, &c, &req("Mayadín")), vec![3]);
}

// ---------------------------------------------------------------------------
// Facts, entity profiles and the evidence graph.

/// An argument over the `nth` occurrence of `needle`.
pub fn arg(a: &AnalysedDocument, needle: &str, nth: usize) -> dossier_core::Arg {
    let s = span_of(&a.document.text, needle, nth);
    dossier_core::Arg {
        start: s.start,
        end: s.end,
        text: needle.to_string(),
    }
}

const FACTS_TEXT: &str = "Dick Schoof, the Dutch national counterterrorism coordinator, said \u{201c}Islamic State is losing Raqqa\u{201d} on Monday. \
Schoof met Mark Rutte in The Hague. Islamic State attacked Raqqa. About 300 foreign fighters left the Netherlands.";

/// A document carrying one fact of every kind, hand-built.
pub fn facts_doc() -> AnalysedDocument {
    use dossier_core::*;
    use EntityLabel::*;
    let mut a = doc(
        "news/facts.txt",
        Some("Schoof on Raqqa"),
        Some("2017-10-17T09:30:00Z"),
        FACTS_TEXT,
    );
    mention(&mut a, "Dick Schoof", 0, Person, "Dick Schoof");
    mention(&mut a, "Dutch", 0, Nationality, "Dutch");
    mention(&mut a, "Islamic State", 0, Organisation, "Islamic State");
    mention(&mut a, "Raqqa", 0, Location, "Raqqa");
    mention(&mut a, "Schoof", 1, Person, "Dick Schoof");
    mention(&mut a, "Mark Rutte", 0, Person, "Mark Rutte");
    mention(&mut a, "The Hague", 0, Location, "The Hague");
    mention(&mut a, "Islamic State", 1, Organisation, "Islamic State");
    mention(&mut a, "Raqqa", 1, Location, "Raqqa");
    mention(&mut a, "Netherlands", 0, Location, "Netherlands");
    let t = |needle: &str, nth| arg(&a, needle, nth);
    let span = |needle: &str| span_of(FACTS_TEXT, needle, 0);
    let monday = span("Monday");
    let quote = span("Islamic State is losing Raqqa");
    let role = span("Dick Schoof, the Dutch national counterterrorism coordinator");
    let claim = span("About 300 foreign fighters left the Netherlands");
    a.facts = Facts {
        times: vec![TimeMention {
            start: monday.start,
            end: monday.end,
            text: "Monday".into(),
            kind: TimeType::Date,
            value: "2017-10-16".into(),
            confidence: 0.9,
            extractor: "test-time/1".into(),
        }],
        quotes: vec![Quote {
            start: quote.start,
            end: quote.end,
            text: "Islamic State is losing Raqqa".into(),
            kind: QuoteKind::Direct,
            speaker: Some(t("Dick Schoof", 0)),
            speaker_entity: Some(t("Dick Schoof", 0)),
            speaker_role: Some(t("the Dutch national counterterrorism coordinator", 0)),
            cue: Some(t("said", 0)),
            confidence: 0.8,
            extractor: "test-quotes/1".into(),
        }],
        roles: vec![Role {
            start: role.start,
            end: role.end,
            text: "Dick Schoof, the Dutch national counterterrorism coordinator".into(),
            person: Some(t("Dick Schoof", 0)),
            title: t("national counterterrorism coordinator", 0),
            organisation: None,
            country: Some(t("Dutch", 0)),
            qualifiers: vec![],
            confidence: 0.7,
            extractor: "test-roles/1".into(),
        }],
        relations: vec![
            Relation {
                kind: "CommWith".into(),
                // Target before source: symmetric, stored smaller id first.
                source: t("Mark Rutte", 0),
                target: t("Schoof", 1),
                trigger: Some(t("met", 0)),
                confidence: 0.6,
                extractor: "test-relations/1".into(),
            },
            Relation {
                kind: "LocatedIn".into(),
                source: t("Mark Rutte", 0),
                target: t("The Hague", 0),
                trigger: None,
                confidence: 0.5,
                extractor: "test-relations/1".into(),
            },
        ],
        events: vec![
            Event {
                kind: EventType::Meeting,
                trigger: t("met", 0),
                arguments: vec![
                    EventArgument {
                        role: EventRole::Participant,
                        start: t("Schoof", 1).start,
                        end: t("Schoof", 1).end,
                        text: "Schoof".into(),
                        value: None,
                    },
                    EventArgument {
                        role: EventRole::Participant,
                        start: t("Mark Rutte", 0).start,
                        end: t("Mark Rutte", 0).end,
                        text: "Mark Rutte".into(),
                        value: None,
                    },
                    EventArgument {
                        role: EventRole::Place,
                        start: t("in The Hague", 0).start,
                        end: t("in The Hague", 0).end,
                        text: "in The Hague".into(),
                        value: None,
                    },
                ],
                modality: None,
                confidence: 0.75,
                extractor: "test-events/1".into(),
            },
            Event {
                kind: EventType::Attack,
                trigger: t("attacked", 0),
                arguments: vec![
                    EventArgument {
                        role: EventRole::Agent,
                        start: t("Islamic State", 1).start,
                        end: t("Islamic State", 1).end,
                        text: "Islamic State".into(),
                        value: None,
                    },
                    EventArgument {
                        role: EventRole::Target,
                        start: t("Raqqa", 1).start,
                        end: t("Raqqa", 1).end,
                        text: "Raqqa".into(),
                        value: None,
                    },
                ],
                modality: Some("alleged".into()),
                confidence: 0.65,
                extractor: "test-events/1".into(),
            },
        ],
        claims: vec![Claim {
            start: claim.start,
            end: claim.end,
            text: "About 300 foreign fighters left the Netherlands".into(),
            // "the Netherlands": linked through the longest mention inside.
            subject: Some(t("the Netherlands", 0)),
            attribute: "Foreign Fighters".into(),
            quantity: t("About 300", 0),
            value: 300.0,
            unit: None,
            qualifier: Some("about".into()),
            time: None,
            source: None,
            confidence: 0.55,
            extractor: "test-claims/1".into(),
        }],
    };
    a
}

/// A later document: Islamic State and Raqqa again, and a claim that
/// conflicts with the first one.
pub fn facts_doc_later() -> AnalysedDocument {
    use EntityLabel::*;
    let mut b = doc(
        "news/later.txt",
        Some("Raqqa falls"),
        Some("2018-03-01"),
        "Islamic State lost Raqqa. The Netherlands counted 280 foreign fighters.",
    );
    mention(&mut b, "Islamic State", 0, Organisation, "Islamic State");
    mention(&mut b, "Raqqa", 0, Location, "Raqqa");
    mention(&mut b, "Netherlands", 0, Location, "Netherlands");
    let q = arg(&b, "280", 0);
    b.facts.claims.push(dossier_core::Claim {
        start: arg(&b, "The Netherlands", 0).start,
        end: q.end + " foreign fighters".len(),
        text: "The Netherlands counted 280 foreign fighters".into(),
        subject: Some(arg(&b, "Netherlands", 0)),
        attribute: "foreign fighters".into(),
        quantity: q,
        value: 280.0,
        unit: None,
        qualifier: None,
        time: None,
        source: Some(arg(&b, "Islamic State", 0)),
        confidence: 0.5,
        extractor: "test-claims/1".into(),
    });
    b
}

fn entity_named(store: &dyn Store, name: &str) -> i64 {
    let found = store.find_entities(name, None).unwrap();
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    found[0].id
}

fn all_edges() -> EdgeFilter {
    EdgeFilter::default()
}

fn big_page() -> Page {
    Page {
        limit: 1000,
        offset: 0,
    }
}

pub fn facts_round_trip_with_links(store: &mut dyn Store) {
    let a = facts_doc();
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let id = a.document.id.as_str();
    assert_eq!(store.facts(id).unwrap(), a.facts);
    assert_eq!(store.facts(&id[..8]).unwrap(), a.facts, "prefix lookup");
    assert!(matches!(
        store.facts("ffffffffffff"),
        Err(StoreError::NoSuchDocument(_))
    ));
    // A document without facts has none.
    let plain = doc("plain.txt", None, None, "Nothing here.");
    store.put_batch(std::slice::from_ref(&plain)).unwrap();
    assert!(store.facts(plain.document.id.as_str()).unwrap().is_empty());

    let schoof = entity_named(store, "Dick Schoof");
    let netherlands = entity_named(store, "netherlands");
    let dutch = entity_named(store, "Dutch");
    let hague = entity_named(store, "The Hague");
    // Facts linked to Schoof: the quote, the role, the CommWith relation and
    // the meeting (the LocatedIn relation is Rutte's).
    let facts = store.entity_facts(schoof, None, big_page()).unwrap();
    let kinds: Vec<FactKind> = facts.iter().map(|f| f.fact.kind()).collect();
    assert_eq!(
        kinds,
        vec![
            FactKind::Quote,
            FactKind::Role,
            FactKind::Relation,
            FactKind::Event
        ]
    );
    let role = &facts[1];
    assert_eq!(role.doc, a.document.id);
    assert_eq!(role.title.as_deref(), Some("Schoof on Raqqa"));
    assert_eq!(role.entity("person"), Some(schoof));
    assert_eq!(role.entity("country"), Some(dutch));
    assert_eq!(role.links.len(), 2);
    let sentence = role.sentence.as_ref().unwrap();
    assert!(
        sentence.text.starts_with("Dick Schoof, the Dutch"),
        "{sentence:?}"
    );
    assert!(sentence.text.ends_with("on Monday."), "{sentence:?}");
    // "in The Hague" is linked to the mention inside it.
    let meeting = &facts[3];
    assert_eq!(meeting.entity("place"), Some(hague));
    assert_eq!(meeting.entities("participant").len(), 2);
    // Only-kind listing, and paging.
    let events = store
        .entity_facts(schoof, Some(FactKind::Event), big_page())
        .unwrap();
    assert_eq!(events.len(), 1);
    let second = store
        .entity_facts(
            schoof,
            None,
            Page {
                limit: 1,
                offset: 1,
            },
        )
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].fact.kind(), FactKind::Role);
    // The claim's subject "the Netherlands" links through its mention.
    let claims = store
        .entity_facts(netherlands, Some(FactKind::Claim), big_page())
        .unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].entity("subject"), Some(netherlands));
    assert_eq!(
        claims[0].links[0].span,
        span_of(FACTS_TEXT, "the Netherlands", 0)
    );
    // Re-storing the document changes nothing.
    assert_eq!(
        store.put_batch(std::slice::from_ref(&a)).unwrap().skipped,
        1
    );
    assert_eq!(
        store.entity_facts(schoof, None, big_page()).unwrap().len(),
        4
    );
}

pub fn sentence_lookup(store: &mut dyn Store) {
    let a = facts_doc();
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let id = a.document.id.as_str();
    let pos = span_of(FACTS_TEXT, "Mark Rutte", 0).start;
    let s = store.sentence(id, pos).unwrap().unwrap();
    assert_eq!(s.text, "Schoof met Mark Rutte in The Hague.");
    assert_eq!(
        FACTS_TEXT
            .chars()
            .skip(s.span.start)
            .take(s.span.end - s.span.start)
            .collect::<String>(),
        s.text
    );
    // Non-ASCII before the sentence: offsets are code points.
    let first = store.sentence(id, 0).unwrap().unwrap();
    assert!(first.text.contains('\u{201c}'));
    // The space between sentences and positions past the end: none.
    let gap = s.span.end;
    assert_eq!(store.sentence(id, gap).unwrap(), None);
    assert_eq!(store.sentence(id, 100_000).unwrap(), None);
    assert!(matches!(
        store.sentence("0000000000", 0),
        Err(StoreError::NoSuchDocument(_))
    ));
    // NUL and U+FFFF before the sentence (PostgreSQL escapes them).
    let mut odd = doc(
        "odd.txt",
        None,
        None,
        "a\0b\u{FFFF}. Second \u{FFFF} \0 one.",
    );
    mention(&mut odd, "Second", 0, EntityLabel::Person, "Second");
    store.put_batch(std::slice::from_ref(&odd)).unwrap();
    let s = store
        .sentence(
            odd.document.id.as_str(),
            span_of(&odd.document.text, "one", 0).start,
        )
        .unwrap()
        .unwrap();
    assert_eq!(s.text, "Second \u{FFFF} \0 one.");
}

fn neighbour_set(ns: &[Neighbour]) -> Vec<(String, String, Direction, usize, usize)> {
    let mut v: Vec<_> = ns
        .iter()
        .map(|n| {
            (
                n.entity.name.clone(),
                n.kind.clone(),
                n.direction,
                n.sentences,
                n.documents,
            )
        })
        .collect();
    v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    v
}

pub fn evidence_graph_from_facts(store: &mut dyn Store) {
    use Direction::*;
    let a = facts_doc();
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let schoof = entity_named(store, "Schoof");
    let rutte = entity_named(store, "Mark Rutte");
    let is = entity_named(store, "Islamic State");
    let raqqa = entity_named(store, "Raqqa");
    let hague = entity_named(store, "The Hague");
    let s = |n: &str| n.to_string();
    let meeting_dir = if schoof < rutte { Out } else { In };
    assert_eq!(
        neighbour_set(&store.neighbours(schoof, &all_edges(), big_page()).unwrap()),
        vec![
            (s("Dutch"), s("comention"), Both, 1, 1),
            (s("Dutch"), s("role"), Out, 1, 1),
            (s("Islamic State"), s("comention"), Both, 1, 1),
            (s("Islamic State"), s("quote"), Out, 1, 1),
            (s("Mark Rutte"), s("comention"), Both, 1, 1),
            (s("Mark Rutte"), s("event:Meeting"), meeting_dir, 1, 1),
            (s("Mark Rutte"), s("relation:CommWith"), Both, 1, 1),
            (s("Raqqa"), s("comention"), Both, 1, 1),
            (s("Raqqa"), s("quote"), Out, 1, 1),
            (s("The Hague"), s("comention"), Both, 1, 1),
        ],
        "the meeting has no agent: participants pairwise only, no edge to its place"
    );
    // Directed relation, seen from its target.
    let from_hague = store.neighbours(hague, &all_edges(), big_page()).unwrap();
    assert!(from_hague
        .iter()
        .any(|n| n.entity.id == rutte && n.kind == "relation:LocatedIn" && n.direction == In));
    // Islamic State and Raqqa share two sentences of one document.
    let is_raqqa = |store: &dyn Store| {
        store
            .neighbours(is, &all_edges(), big_page())
            .unwrap()
            .into_iter()
            .find(|n| n.entity.id == raqqa && n.kind == "comention")
            .unwrap()
    };
    let n = is_raqqa(store);
    assert_eq!((n.sentences, n.documents), (2, 1));
    assert_eq!(n.first_seen.as_deref(), Some("2017-10-17"));
    assert_eq!(n.last_seen.as_deref(), Some("2017-10-17"));

    // A second batch adds to the aggregates incrementally.
    let b = facts_doc_later();
    store.put_batch(std::slice::from_ref(&b)).unwrap();
    let n = is_raqqa(store);
    assert_eq!((n.sentences, n.documents), (3, 2));
    assert_eq!(n.first_seen.as_deref(), Some("2017-10-17"));
    assert_eq!(n.last_seen.as_deref(), Some("2018-03-01"));

    // Evidence: the sentences, newest document first.
    let ev = store.evidence(raqqa, is, None, 10).unwrap();
    let got: Vec<(&str, &str)> = ev
        .iter()
        .map(|e| (e.kind.as_str(), e.sentence.as_str()))
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0], ("comention", "Islamic State lost Raqqa."));
    assert_eq!(ev[0].doc, b.document.id);
    assert_eq!(ev[0].published.as_deref(), Some("2018-03-01"));
    assert!(got[1..].contains(&("event:Attack", "Islamic State attacked Raqqa.")));
    assert!(got[1..].contains(&("comention", "Islamic State attacked Raqqa.")));
    assert!(got[1..]
        .iter()
        .any(|g| g.0 == "comention" && g.1.contains("is losing Raqqa")));
    assert_eq!(store.evidence(raqqa, is, None, 2).unwrap().len(), 2);
    let attack = store.evidence(is, raqqa, Some("event:Attack"), 10).unwrap();
    assert_eq!(attack.len(), 1);
    assert_eq!((attack[0].src, attack[0].dst), (is, raqqa));
    assert_eq!(attack[0].title.as_deref(), Some("Schoof on Raqqa"));
    assert!(store
        .evidence(raqqa, is, Some("no-such-kind"), 10)
        .unwrap()
        .is_empty());
    let quote = store.evidence(schoof, is, Some("quote"), 10).unwrap();
    assert_eq!(quote.len(), 1);
    assert!(quote[0].sentence.starts_with("Dick Schoof, the Dutch"));

    // Filters.
    let only = |f: EdgeFilter| {
        neighbour_set(&store.neighbours(is, &f, big_page()).unwrap())
            .into_iter()
            .map(|n| (n.0, n.1))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        only(EdgeFilter {
            kinds: vec![s("event")],
            ..all_edges()
        }),
        vec![(s("Raqqa"), s("event:Attack"))]
    );
    assert_eq!(
        only(EdgeFilter {
            from: Some(s("2018")),
            ..all_edges()
        }),
        vec![(s("Raqqa"), s("comention"))],
        "only edges seen in 2018 or later"
    );
    assert_eq!(
        only(EdgeFilter {
            to: Some(s("2017-10")),
            label: Some(EntityLabel::Person),
            ..all_edges()
        }),
        vec![
            (s("Dick Schoof"), s("comention")),
            (s("Dick Schoof"), s("quote"))
        ]
    );
    assert!(only(EdgeFilter {
        to: Some(s("2016")),
        ..all_edges()
    })
    .is_empty());
    assert_eq!(
        only(EdgeFilter {
            min_evidence: 2,
            ..all_edges()
        }),
        vec![(s("Raqqa"), s("comention"))]
    );
    assert!(only(EdgeFilter {
        kinds: vec![s("relation:Nope")],
        ..all_edges()
    })
    .is_empty());
    assert!(matches!(
        store.neighbours(
            is,
            &EdgeFilter {
                from: Some(s("last week")),
                ..all_edges()
            },
            big_page()
        ),
        Err(StoreError::InvalidQuery(_))
    ));
    // Most evidence first, then paging.
    let ranked = store.neighbours(is, &all_edges(), big_page()).unwrap();
    assert_eq!(ranked[0].entity.id, raqqa);
    assert!(ranked.windows(2).all(|w| w[0].sentences >= w[1].sentences));
    let page2 = store
        .neighbours(
            is,
            &all_edges(),
            Page {
                limit: 2,
                offset: 1,
            },
        )
        .unwrap();
    assert_eq!(page2, ranked[1..3].to_vec());

    // Streaming every edge: undirected ones once, smaller id first.
    let mut edges = Vec::new();
    store
        .for_each_edge(&mut |e| edges.push((e.src, e.dst, e.kind.to_string(), e.sentences)))
        .unwrap();
    assert!(edges.contains(&(is.min(raqqa), is.max(raqqa), s("comention"), 3)));
    assert!(edges.contains(&(is, raqqa, s("event:Attack"), 1)));
    assert!(edges.contains(&(
        schoof.min(rutte),
        schoof.max(rutte),
        s("relation:CommWith"),
        1
    )));
    assert!(edges
        .iter()
        .filter(|e| e.2 == "comention")
        .all(|e| e.0 < e.1));
    let mut keys: Vec<_> = edges.iter().map(|e| (e.0, e.1, e.2.clone())).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), edges.len(), "each edge once");
}

pub fn comention_is_capped_per_sentence(store: &mut dyn Store) {
    let names: Vec<String> = (0..40).map(|i| format!("Person{i:02}")).collect();
    let mut a = doc("list.txt", None, None, &format!("{}.", names.join(", ")));
    for n in &names {
        mention(&mut a, n, 0, EntityLabel::Person, n);
    }
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let mut count = 0;
    store.for_each_edge(&mut |_| count += 1).unwrap();
    assert_eq!(count, COMENTION_ENTITY_CAP * (COMENTION_ENTITY_CAP - 1) / 2);
    let last = entity_named(store, "Person39");
    assert!(store
        .neighbours(last, &all_edges(), big_page())
        .unwrap()
        .is_empty());
}

pub fn entity_profile_and_lookup(store: &mut dyn Store) {
    store.put_batch(&[facts_doc()]).unwrap();
    store.put_batch(&[facts_doc_later()]).unwrap();
    let schoof = entity_named(store, "schoof");
    assert_eq!(
        store.find_entities("DICK  schoof", None).unwrap()[0].id,
        schoof
    );
    assert_eq!(
        store
            .find_entities("Dick Schoof", Some(EntityLabel::Person))
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .find_entities("Dick Schoof", Some(EntityLabel::Location))
        .unwrap()
        .is_empty());
    assert!(store.find_entities("  ", None).unwrap().is_empty());

    let p = store.entity(schoof, Page::default()).unwrap();
    assert_eq!(p.summary.name, "Dick Schoof");
    assert_eq!((p.summary.mentions, p.summary.documents), (2, 1));
    assert_eq!(
        p.aliases,
        vec![
            Alias {
                text: "Dick Schoof".into(),
                count: 1
            },
            Alias {
                text: "Schoof".into(),
                count: 1
            }
        ]
    );
    assert_eq!(p.documents.len(), 1);
    assert_eq!(p.documents[0].title.as_deref(), Some("Schoof on Raqqa"));
    assert_eq!(p.first_seen.as_deref(), Some("2017-10-17T09:30:00Z"));
    assert_eq!(p.roles.len(), 1);
    assert_eq!(
        p.roles[0].fact.title.text,
        "national counterterrorism coordinator"
    );
    assert_eq!(p.quotes_by.len(), 1);
    assert!(p.quotes_about.is_empty());
    assert_eq!(p.relations.len(), 1);
    assert_eq!(p.relations[0].fact.kind, "CommWith");
    assert_eq!(p.events.len(), 1);
    assert!(p.claims.is_empty());

    let raqqa = entity_named(store, "Raqqa");
    let p = store.entity(raqqa, Page::default()).unwrap();
    assert_eq!(p.documents.len(), 2);
    assert_eq!(
        p.documents[0].title.as_deref(),
        Some("Raqqa falls"),
        "newest first"
    );
    assert_eq!(p.first_seen.as_deref(), Some("2017-10-17T09:30:00Z"));
    assert_eq!(p.last_seen.as_deref(), Some("2018-03-01"));
    assert_eq!(
        p.aliases,
        vec![Alias {
            text: "Raqqa".into(),
            count: 3
        }]
    );
    assert_eq!(p.quotes_about.len(), 1, "mentioned inside Schoof's quote");
    assert_eq!(p.quotes_about[0].entity("speaker"), Some(schoof));
    assert!(p.quotes_by.is_empty());
    assert_eq!(p.events.len(), 1);
    let paged = store
        .entity(
            raqqa,
            Page {
                limit: 1,
                offset: 1,
            },
        )
        .unwrap();
    assert_eq!(paged.documents.len(), 1);
    assert_eq!(paged.documents[0].title.as_deref(), Some("Schoof on Raqqa"));
    assert!(matches!(
        store.entity(999_999, Page::default()),
        Err(StoreError::NoSuchEntity(999_999))
    ));
    assert_eq!(store.entity_summary(999_999).unwrap(), None);
}

pub fn claims_by_subject_attribute_and_doc(store: &mut dyn Store) {
    let a = facts_doc();
    let b = facts_doc_later();
    store.put_batch(&[a.clone(), b.clone()]).unwrap();
    let nl = entity_named(store, "Netherlands");
    let is = entity_named(store, "Islamic State");
    let all = store
        .claims(&ClaimFilter {
            subject: Some(nl),
            ..ClaimFilter::default()
        })
        .unwrap();
    let values: Vec<(f64, &str, Option<&str>)> = all
        .iter()
        .map(|c| (c.fact.value, c.doc.as_str(), c.fact.qualifier.as_deref()))
        .collect();
    // Newest document first: the two conflicting counts, each with its doc.
    assert_eq!(
        values,
        vec![
            (280.0, b.document.id.as_str(), None),
            (300.0, a.document.id.as_str(), Some("about"))
        ]
    );
    assert_eq!(all[0].entity("source"), Some(is));
    assert_eq!(all[1].entity("source"), None);
    assert!(all.iter().all(|c| c.entity("subject") == Some(nl)));
    // The attribute is compared lower-cased ("Foreign Fighters" was stored).
    let by_attr = store
        .claims(&ClaimFilter {
            attribute: Some("FOREIGN fighters".into()),
            ..ClaimFilter::default()
        })
        .unwrap();
    assert_eq!(by_attr.len(), 2);
    let in_doc = store
        .claims(&ClaimFilter {
            doc: Some(a.document.id.as_str()[..10].to_string()),
            ..ClaimFilter::default()
        })
        .unwrap();
    assert_eq!(in_doc.len(), 1);
    assert_eq!(in_doc[0].fact.value, 300.0);
    assert!(store
        .claims(&ClaimFilter {
            subject: Some(is),
            ..ClaimFilter::default()
        })
        .unwrap()
        .is_empty());
    assert!(store
        .claims(&ClaimFilter {
            attribute: Some("casualties".into()),
            ..ClaimFilter::default()
        })
        .unwrap()
        .is_empty());
}

pub fn bulk_import_and_stream(store: &mut dyn Store) {
    // A stored entity is reused by name and label.
    store.put_batch(&[facts_doc()]).unwrap();
    let raqqa = entity_named(store, "Raqqa");
    let before = {
        let mut n = 0;
        store.for_each_edge(&mut |_| n += 1).unwrap();
        n
    };
    let entities = vec![
        ("RAQQA".to_string(), EntityLabel::Location),
        ("Alpha Group".to_string(), EntityLabel::Organisation),
        ("Beta Person".to_string(), EntityLabel::Person),
    ];
    let e = |src, dst, kind, weight| ImportEdge {
        src,
        dst,
        kind,
        weight,
    };
    // An index out of range fails before anything is written.
    assert!(matches!(
        store.bulk_import_graph(&["comention"], &entities, &[e(0, 7, 0, 1)]),
        Err(StoreError::Invalid(_))
    ));
    assert!(store.find_entities("Alpha Group", None).unwrap().is_empty());

    let out = store
        .bulk_import_graph(
            &["comention", "relation:MemberOf"],
            &entities,
            &[e(1, 0, 0, 2), e(0, 1, 0, 3), e(2, 1, 1, 1), e(2, 2, 1, 5)],
        )
        .unwrap();
    assert_eq!(out.entity_ids.len(), 3);
    assert_eq!(out.entity_ids[0], raqqa);
    assert_eq!(out.edges, 2);
    let alpha = out.entity_ids[1];
    let beta = out.entity_ids[2];
    let ns = store.neighbours(alpha, &all_edges(), big_page()).unwrap();
    let got: Vec<(i64, &str, Direction, usize)> = ns
        .iter()
        .map(|n| (n.entity.id, n.kind.as_str(), n.direction, n.sentences))
        .collect();
    assert_eq!(
        got,
        vec![
            (raqqa, "comention", Direction::Both, 5),
            (beta, "relation:MemberOf", Direction::In, 1)
        ]
    );
    let mut after = 0;
    store.for_each_edge(&mut |_| after += 1).unwrap();
    assert_eq!(after, before + 2);
    // Importing again adds weights.
    store
        .bulk_import_graph(&["comention"], &entities[..2], &[e(0, 1, 0, 1)])
        .unwrap();
    let ns = store.neighbours(alpha, &all_edges(), big_page()).unwrap();
    assert_eq!(ns[0].sentences, 6);
}

/// "Dik Schoof said “Raqqa is calm”." with a quote, as its own entity.
fn d_schoof_doc() -> AnalysedDocument {
    let mut c = doc(
        "news/c.txt",
        Some("Calm"),
        Some("2019-01-01"),
        "Dik Schoof said \u{201c}Raqqa is calm\u{201d} today.",
    );
    mention(&mut c, "Dik Schoof", 0, EntityLabel::Person, "Dik Schoof");
    mention(&mut c, "Raqqa", 0, EntityLabel::Location, "Raqqa");
    let q = arg(&c, "Raqqa is calm", 0);
    c.facts.quotes.push(dossier_core::Quote {
        start: q.start,
        end: q.end,
        text: q.text.clone(),
        kind: dossier_core::QuoteKind::Direct,
        speaker: Some(arg(&c, "Dik Schoof", 0)),
        speaker_entity: Some(arg(&c, "Dik Schoof", 0)),
        speaker_role: None,
        cue: Some(arg(&c, "said", 0)),
        confidence: 0.8,
        extractor: "test-quotes/1".into(),
    });
    c
}

fn edge_between(store: &dyn Store, a: i64, b: i64, kind: &str) -> Option<(usize, usize)> {
    store
        .neighbours(a, &all_edges(), big_page())
        .unwrap()
        .into_iter()
        .find(|n| n.entity.id == b && n.kind == kind)
        .map(|n| (n.sentences, n.documents))
}

pub fn decisions_merge_split_rename_replay(store: &mut dyn Store) {
    store.put_batch(&[facts_doc()]).unwrap();
    let c = d_schoof_doc();
    store.put_batch(std::slice::from_ref(&c)).unwrap();
    let schoof = entity_named(store, "Dick Schoof");
    let d = entity_named(store, "Dik Schoof");
    let raqqa = entity_named(store, "Raqqa");
    assert_ne!(schoof, d);
    assert_eq!(
        edge_between(store, schoof, raqqa, "comention"),
        Some((1, 1))
    );

    // Not-same blocks a later merge of the pair.
    store
        .add_decision(&Decision::NotSame { a: d, b: raqqa })
        .unwrap();
    assert!(matches!(
        store.add_decision(&Decision::Merge {
            from: raqqa,
            into: d
        }),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.add_decision(&Decision::Merge {
            from: d,
            into: 424_242
        }),
        Err(StoreError::NoSuchEntity(424_242))
    ));

    // Merge: mentions, names, fact links and edges move to the survivor.
    store
        .add_decision(&Decision::Merge {
            from: d,
            into: schoof,
        })
        .unwrap();
    let s = store.entity_summary(schoof).unwrap().unwrap();
    assert_eq!((s.mentions, s.documents), (3, 2));
    assert_eq!(
        store
            .find_entities("dik schoof", None)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>(),
        vec![schoof]
    );
    assert!(store
        .entities(None, big_page())
        .unwrap()
        .iter()
        .all(|e| e.id != d));
    assert_eq!(
        edge_between(store, schoof, raqqa, "comention"),
        Some((2, 2))
    );
    assert_eq!(edge_between(store, schoof, raqqa, "quote"), Some((2, 2)));
    assert!(store
        .neighbours(d, &all_edges(), big_page())
        .unwrap()
        .is_empty());
    let quotes = store
        .entity_facts(schoof, Some(FactKind::Quote), big_page())
        .unwrap();
    assert_eq!(quotes.len(), 2, "the merged entity's quote is linked anew");
    assert!(store.entity_facts(d, None, big_page()).unwrap().is_empty());
    let ev = store
        .evidence(schoof, raqqa, Some("comention"), 10)
        .unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(
        ev[0].sentence,
        "Dik Schoof said \u{201c}Raqqa is calm\u{201d} today."
    );

    // Replay: a new document naming the merged-away entity goes to the survivor.
    let mut e = doc(
        "news/e.txt",
        None,
        Some("2019-02-01"),
        "Dik Schoof met Mark Rutte.",
    );
    mention(&mut e, "Dik Schoof", 0, EntityLabel::Person, "Dik Schoof");
    mention(&mut e, "Mark Rutte", 0, EntityLabel::Person, "Mark Rutte");
    store.put_batch(std::slice::from_ref(&e)).unwrap();
    let got = store.document(e.document.id.as_str()).unwrap();
    assert_eq!(got.mentions[0].entity_id, schoof);
    let s = store.entity_summary(schoof).unwrap().unwrap();
    assert_eq!((s.mentions, s.documents), (4, 3));
    let rutte = entity_named(store, "Mark Rutte");
    assert_eq!(
        edge_between(store, schoof, rutte, "comention"),
        Some((2, 2))
    );

    // Split the mention of document c off again, under a new name.
    let span = span_of(&c.document.text, "Dik Schoof", 0);
    let split = store
        .add_decision(&Decision::Split {
            entity: schoof,
            mentions: vec![(c.document.id.clone(), span)],
            name: "Dirk Schoof".into(),
        })
        .unwrap();
    let dirk = entity_named(store, "Dirk Schoof");
    assert!(split.note.contains(&dirk.to_string()), "{}", split.note);
    let s = store.entity_summary(dirk).unwrap().unwrap();
    assert_eq!((s.mentions, s.documents), (1, 1));
    assert_eq!(edge_between(store, dirk, raqqa, "quote"), Some((1, 1)));
    assert_eq!(
        edge_between(store, schoof, raqqa, "comention"),
        Some((1, 1))
    );
    assert_eq!(
        store
            .entity_facts(dirk, Some(FactKind::Quote), big_page())
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.add_decision(&Decision::Split {
            entity: schoof,
            mentions: vec![(c.document.id.clone(), span)],
            name: "Someone Else".into(),
        }),
        Err(StoreError::Invalid(_))
    ));

    // Rename keeps the id and answers to the new name.
    store
        .add_decision(&Decision::Rename {
            entity: schoof,
            name: "Dick Schoof (NCTV)".into(),
        })
        .unwrap();
    assert_eq!(
        store.entity_summary(schoof).unwrap().unwrap().name,
        "Dick Schoof (NCTV)"
    );
    assert_eq!(entity_named(store, "dick schoof (nctv)"), schoof);

    let ops: Vec<&str> = store
        .decisions()
        .unwrap()
        .iter()
        .map(|d| match d.decision {
            Decision::Merge { .. } => "merge",
            Decision::Split { .. } => "split",
            Decision::Rename { .. } => "rename",
            Decision::NotSame { .. } => "not-same",
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    assert_eq!(ops, vec!["not-same", "merge", "split", "rename"]);
}

/// Later batches after a rename and a split: mentions of the new name join the
/// renamed entity, and a name only split-off mentions had answers for the new
/// entity alone.
pub fn decisions_stick_for_later_batches(store: &mut dyn Store) {
    let mut a = doc(
        "news/ferhat.txt",
        None,
        Some("2025-09-20"),
        "Rachid Ferhat fired. Ferhat wrote the report.",
    );
    mention(
        &mut a,
        "Rachid Ferhat",
        0,
        EntityLabel::Person,
        "Rachid Ferhat",
    );
    mention(&mut a, "Ferhat", 1, EntityLabel::Person, "Rachid Ferhat");
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let rachid = entity_named(store, "Rachid Ferhat");
    assert_eq!(entity_named(store, "Ferhat"), rachid);

    // Split the lone "Ferhat" off: "Ferhat" now answers for the new entity only.
    let span = span_of(&a.document.text, "Ferhat", 1);
    store
        .add_decision(&Decision::Split {
            entity: rachid,
            mentions: vec![(a.document.id.clone(), span)],
            name: "Leila Ferhat".into(),
        })
        .unwrap();
    let leila = entity_named(store, "Leila Ferhat");
    assert_eq!(entity_named(store, "Ferhat"), leila);
    assert_eq!(entity_named(store, "Rachid Ferhat"), rachid);

    // Rename: the old and the new name both reach the entity in later batches.
    store
        .add_decision(&Decision::Rename {
            entity: rachid,
            name: "Rachid Ferhat (Lyon)".into(),
        })
        .unwrap();
    let mut b = doc(
        "news/later.txt",
        None,
        Some("2025-10-01"),
        "Rachid Ferhat (Lyon) and Rachid Ferhat and Leila Ferhat.",
    );
    mention(
        &mut b,
        "Rachid Ferhat (Lyon)",
        0,
        EntityLabel::Person,
        "Rachid Ferhat (Lyon)",
    );
    mention(
        &mut b,
        "Rachid Ferhat",
        1,
        EntityLabel::Person,
        "Rachid Ferhat",
    );
    mention(
        &mut b,
        "Leila Ferhat",
        0,
        EntityLabel::Person,
        "Leila Ferhat",
    );
    store.put_batch(std::slice::from_ref(&b)).unwrap();
    let got = store.document(b.document.id.as_str()).unwrap();
    let ids: Vec<i64> = got.mentions.iter().map(|m| m.entity_id).collect();
    assert_eq!(ids, vec![rachid, rachid, leila]);
    let s = store.entity_summary(rachid).unwrap().unwrap();
    assert_eq!(s.name, "Rachid Ferhat (Lyon)");
    assert_eq!((s.mentions, s.documents), (3, 2));
    assert!(
        store
            .entities(None, big_page())
            .unwrap()
            .iter()
            .filter(|e| e.name.starts_with("Rachid"))
            .count()
            == 1,
        "the renamed entity is listed once"
    );
    // Renaming to a name another entity has leaves that entity alone.
    store
        .add_decision(&Decision::Rename {
            entity: rachid,
            name: "Leila Ferhat".into(),
        })
        .unwrap();
    assert_eq!(store.entity_summary(leila).unwrap().unwrap().mentions, 2);
}

pub fn resolution_index_round_trip(store: &mut dyn Store) {
    let mut a = doc("news/k.txt", None, None, "Karim Velasco-Oduya left.");
    mention(
        &mut a,
        "Karim Velasco-Oduya",
        0,
        EntityLabel::Person,
        "Karim Velasco-Oduya",
    );
    let block = |b: &str, name: &str| NameBlock {
        block: b.into(),
        label: EntityLabel::Person,
        name: name.into(),
    };
    let rows = vec![
        block("p:valasca", "Karim Velasco-Oduya"),
        block("p:valasca", "Ana Velasco"),
        block("p:valasca", "Karim Velasco-Oduya"),
        block("p:karam", "Karim Velasco-Oduya \u{0}"),
    ];
    let why = ResolutionReason {
        doc: a.document.id.clone(),
        label: EntityLabel::Person,
        name: "K. Velasco-Oduja".into(),
        into: "Karim Velasco-Oduya".into(),
        rule: "compatible-full-name".into(),
        detail: "context 1.0: org:maradan karga".into(),
    };
    store
        .put_resolution(&rows, std::slice::from_ref(&why))
        .unwrap();
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let got = store
        .name_blocks(
            EntityLabel::Person,
            &["p:valasca".into(), "p:karam".into(), "p:none".into()],
            10,
        )
        .unwrap();
    let names: Vec<(&str, &str)> = got
        .iter()
        .map(|b| (b.block.as_str(), b.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("p:valasca", "Karim Velasco-Oduya"),
            ("p:valasca", "Ana Velasco"),
            ("p:karam", "Karim Velasco-Oduya \u{0}"),
        ]
    );
    assert_eq!(
        store
            .name_blocks(EntityLabel::Person, &["p:valasca".into()], 1)
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .name_blocks(EntityLabel::Organisation, &["p:valasca".into()], 10)
        .unwrap()
        .is_empty());
    let karim = entity_named(store, "Karim Velasco-Oduya");
    assert_eq!(
        store.resolution_reasons(karim, big_page()).unwrap(),
        vec![why]
    );
}

pub fn many_facts_in_one_batch(store: &mut dyn Store) {
    // More rows than one multi-row INSERT holds, over several documents.
    let docs: Vec<AnalysedDocument> = (0..3)
        .map(|i| {
            let mut a = doc(
                &format!("many/{i}.txt"),
                None,
                None,
                &format!("Alpha Group met Beta Group {i} times."),
            );
            mention(
                &mut a,
                "Alpha Group",
                0,
                EntityLabel::Organisation,
                "Alpha Group",
            );
            mention(
                &mut a,
                "Beta Group",
                0,
                EntityLabel::Organisation,
                "Beta Group",
            );
            for n in 0..50 {
                a.facts.relations.push(dossier_core::Relation {
                    kind: format!("Kind{}", n % 7),
                    source: arg(&a, "Alpha Group", 0),
                    target: arg(&a, "Beta Group", 0),
                    trigger: None,
                    confidence: 0.5,
                    extractor: "test/1".into(),
                });
            }
            a
        })
        .collect();
    store.put_batch(&docs).unwrap();
    for d in &docs {
        assert_eq!(store.facts(d.document.id.as_str()).unwrap(), d.facts);
    }
    let alpha = entity_named(store, "Alpha Group");
    let beta = entity_named(store, "Beta Group");
    let rel = store
        .entity_facts(
            beta,
            Some(FactKind::Relation),
            Page {
                limit: 1000,
                offset: 0,
            },
        )
        .unwrap();
    assert_eq!(rel.len(), 150);
    assert!(rel.iter().all(|r| r.entity("source") == Some(alpha)));
    // 7 relation kinds, 3 sentences each (one per document).
    let ns = store
        .neighbours(
            alpha,
            &EdgeFilter {
                kinds: vec!["relation".into()],
                ..EdgeFilter::default()
            },
            big_page(),
        )
        .unwrap();
    assert_eq!(ns.len(), 7);
    assert!(ns.iter().all(|n| (n.sentences, n.documents) == (3, 3)));
}

pub fn hostile_fact_spans(store: &mut dyn Store) {
    // Spans reversed, empty or far past the text: stored and returned as
    // given, never a panic or a failed batch.
    let mut a = doc("hostile-facts.txt", None, None, "Alpha met Beta.");
    a.sentences.push(CharSpan::new(0, 1 << 40));
    mention(&mut a, "Alpha", 0, EntityLabel::Person, "Alpha");
    mention(&mut a, "Beta", 0, EntityLabel::Person, "Beta");
    let far = dossier_core::Arg {
        start: 1 << 40,
        end: (1 << 40) + 3,
        text: "far".into(),
    };
    let reversed = dossier_core::Arg {
        start: 9,
        end: 2,
        text: "reversed".into(),
    };
    a.facts.relations.push(dossier_core::Relation {
        kind: String::new(),
        source: reversed,
        target: far.clone(),
        trigger: None,
        confidence: f32::NAN,
        extractor: "hostile/1".into(),
    });
    a.facts.relations.push(dossier_core::Relation {
        kind: "CommWith".into(),
        source: arg(&a, "Alpha", 0),
        target: dossier_core::Arg {
            start: 0,
            end: usize::MAX / 4,
            text: "everything".into(),
        },
        trigger: None,
        confidence: 0.5,
        extractor: "hostile/1".into(),
    });
    store.put_batch(std::slice::from_ref(&a)).unwrap();
    let id = a.document.id.as_str();
    let facts = store.facts(id).unwrap();
    assert_eq!(facts.relations.len(), 2);
    assert_eq!(facts.relations[1].target.end, usize::MAX / 4);
    assert_eq!(facts.relations[0].confidence, 0.0, "NaN has no JSON form");
    let s = store.sentence(id, 1).unwrap().unwrap();
    assert!(s.text.starts_with("Alpha"), "{s:?}");
    assert!(store.sentence(id, 1 << 41).unwrap().is_none());
    let alpha = entity_named(store, "Alpha");
    let beta = entity_named(store, "Beta");
    // The second relation's target covers both mentions: the longest wins.
    let rel = store
        .entity_facts(alpha, Some(FactKind::Relation), big_page())
        .unwrap();
    assert_eq!(rel.len(), 1);
    assert_eq!(rel[0].entity("target"), Some(alpha));
    let ev = store.evidence(alpha, beta, None, 10).unwrap();
    assert!(!ev.is_empty());
    assert!(ev.iter().all(|e| e.sentence.starts_with("Alpha")));
}

/// A report of an event: `text` with the place `place` (placed in `country`
/// by the gazetteer, as ingest does), `others` named in it (person or
/// organisation), and one event of `kind` triggered by `trigger` with the
/// place and, when given, a time (`time` text, `value` normalised).
pub fn event_report(
    source: &str,
    text: &str,
    kind: EventType,
    trigger: &str,
    place: Option<(&str, &str)>,
    time: Option<(&str, &str)>,
    others: &[(&str, EntityLabel)],
) -> AnalysedDocument {
    let mut d = doc(source, Some(source), None, text);
    let mut arguments = Vec::new();
    if let Some((name, country)) = place {
        mention(&mut d, name, 0, EntityLabel::Location, name);
        if let Some(m) = d.mentions.last_mut() {
            m.mention.kind = Some(format!("place:{country}"));
        }
        let s = span_of(text, name, 0);
        arguments.push(EventArgument {
            role: EventRole::Place,
            start: s.start,
            end: s.end,
            text: name.into(),
            value: None,
        });
    }
    if let Some((t, value)) = time {
        let s = span_of(text, t, 0);
        arguments.push(EventArgument {
            role: EventRole::Time,
            start: s.start,
            end: s.end,
            text: t.into(),
            value: Some(value.into()),
        });
    }
    for (name, label) in others {
        mention(&mut d, name, 0, *label, name);
    }
    let tr = span_of(text, trigger, 0);
    d.facts.events.push(Event {
        kind,
        trigger: Arg {
            start: tr.start,
            end: tr.end,
            text: trigger.into(),
        },
        arguments,
        modality: None,
        confidence: 0.8,
        extractor: "test-events/1".into(),
    });
    d
}

/// Five reports: two of one bombing in Raqqa (a day apart in their dates),
/// one of a bombing in Mosul the same day, one of a later bombing in Raqqa,
/// and one naming only the day (which fits Raqqa and Mosul alike).
pub fn event_reports() -> Vec<AnalysedDocument> {
    use EntityLabel::{Organisation, Person};
    vec![
        event_report(
            "ev/raqqa-1.txt",
            "A car bomb exploded in Raqqa on 14 March 2025. Police arrested Ali Hassan near the square.",
            EventType::Bombing,
            "car bomb",
            Some(("Raqqa", "SY")),
            Some(("14 March 2025", "2025-03-14")),
            &[("Ali Hassan", Person)],
        ),
        event_report(
            "ev/mosul.txt",
            "A bomb exploded in Mosul on 14 March 2025.",
            EventType::Bombing,
            "bomb",
            Some(("Mosul", "IQ")),
            Some(("14 March 2025", "2025-03-14")),
            &[],
        ),
        event_report(
            "ev/raqqa-2.txt",
            "Islamic State claimed the explosion in Raqqa on 15 March 2025.",
            EventType::Attack,
            "explosion",
            Some(("Raqqa", "SY")),
            Some(("15 March 2025", "2025-03-15")),
            &[("Islamic State", Organisation)],
        ),
        event_report(
            "ev/raqqa-2026.txt",
            "Another bomb exploded in Raqqa on 20 April 2026.",
            EventType::Bombing,
            "bomb",
            Some(("Raqqa", "SY")),
            Some(("20 April 2026", "2026-04-20")),
            &[],
        ),
        event_report(
            "ev/ambiguous.txt",
            "Abu Bakr ordered the attack of 14 March 2025.",
            EventType::Attack,
            "attack",
            None,
            Some(("14 March 2025", "2025-03-14")),
            &[("Abu Bakr", Person)],
        ),
    ]
}

/// Event nodes: reports of one event join one node across batches, other
/// events (another country, another date) get their own, an ambiguous
/// report joins none; lists filter and page; profiles carry participants,
/// reasons and evidence.
pub fn event_nodes_resolve_across_documents(store: &mut dyn Store) {
    let docs = event_reports();
    store.put_batch(&docs[..2]).unwrap();
    store.put_batch(&docs[2..]).unwrap();
    let all = store
        .events(&EventFilter {
            page: Page {
                limit: 50,
                offset: 0,
            },
            ..EventFilter::default()
        })
        .unwrap();
    assert_eq!(all.len(), 3, "{all:#?}");
    let raqqa = &all[0];
    assert_eq!(
        (
            raqqa.kind.as_str(),
            raqqa.date.as_deref(),
            raqqa.mentions,
            raqqa.documents
        ),
        ("Bombing", Some("2025-03-14"), 2, 2),
        "{all:#?}"
    );
    assert_eq!(raqqa.name, "bombing · Raqqa · 2025-03-14");
    assert_eq!(raqqa.countries, vec!["SY".to_string()]);
    let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"bombing · Mosul · 2025-03-14"), "{names:?}");
    assert!(names.contains(&"bombing · Raqqa · 2026-04-20"), "{names:?}");

    // The profile: participants with roles, both reports with their reasons.
    let p = store.event(raqqa.id, Page::default()).unwrap();
    let role_of = |name: &str| {
        p.participants
            .iter()
            .find(|x| x.entity.name == name)
            .map(|x| x.role.clone())
    };
    assert_eq!(role_of("Raqqa").as_deref(), Some("place"));
    assert_eq!(role_of("Islamic State").as_deref(), Some(MENTIONED_ROLE));
    assert_eq!(role_of("Ali Hassan"), None, "named in another sentence");
    assert_eq!(
        role_of("Abu Bakr"),
        None,
        "the ambiguous report joined no node"
    );
    assert_eq!(p.mentions.len(), 2);
    assert!(p.mentions.iter().any(|m| m.reason == "new node"));
    assert!(
        p.mentions
            .iter()
            .any(|m| m.reason.contains("same place") && m.reason.contains("same day")),
        "{:?}",
        p.mentions
    );
    assert!(p.mentions.iter().all(|m| m
        .sentence
        .as_ref()
        .is_some_and(|s| s.text.contains("Raqqa"))));
    let paged = store
        .event(
            raqqa.id,
            Page {
                limit: 1,
                offset: 1,
            },
        )
        .unwrap();
    assert_eq!(paged.mentions.len(), 1);

    // Evidence of a participation edge: the sentences, both reports.
    let place = entity_named(store, "Raqqa");
    let ev = store
        .event_evidence(place, raqqa.id, Some("place"), 10)
        .unwrap();
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert!(ev
        .iter()
        .all(|e| e.sentence.contains("Raqqa") && e.kind == "in_event:place" && e.dst == raqqa.id));

    // The stream has every participation edge once.
    let mut streamed = 0;
    store
        .for_each_event_edge(&mut |r| {
            assert!(r.sentences >= 1 && r.documents >= 1);
            streamed += 1;
        })
        .unwrap();
    let listed: usize = all
        .iter()
        .map(|e| {
            store
                .event(e.id, Page::default())
                .unwrap()
                .participants
                .len()
        })
        .sum();
    assert_eq!(streamed, listed);

    // Filters and pages.
    let list = |f: EventFilter| store.events(&f).unwrap();
    let page = Page {
        limit: 50,
        offset: 0,
    };
    let by_type = |t: &str| {
        list(EventFilter {
            types: vec![t.into()],
            page,
            ..EventFilter::default()
        })
        .len()
    };
    assert_eq!(by_type("attack"), 3, "attack takes the bombings");
    assert_eq!(by_type("Bombing"), 3);
    assert_eq!(by_type("shooting"), 0);
    assert!(matches!(
        store.events(&EventFilter {
            types: vec!["picnic".into()],
            ..EventFilter::default()
        }),
        Err(StoreError::Invalid(_))
    ));
    let later = list(EventFilter {
        from: Some("2026".into()),
        page,
        ..EventFilter::default()
    });
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].date.as_deref(), Some("2026-04-20"));
    let to_2025 = list(EventFilter {
        to: Some("2025".into()),
        page,
        ..EventFilter::default()
    });
    assert_eq!(to_2025.len(), 2);
    let at_mosul = list(EventFilter {
        places: vec![entity_named(store, "Mosul")],
        page,
        ..EventFilter::default()
    });
    assert_eq!(at_mosul.len(), 1);
    let with_is = list(EventFilter {
        participant: Some(entity_named(store, "Islamic State")),
        page,
        ..EventFilter::default()
    });
    assert_eq!(with_is.len(), 1);
    assert_eq!(with_is[0].id, raqqa.id);
    let second = list(EventFilter {
        page: Page {
            limit: 1,
            offset: 1,
        },
        ..EventFilter::default()
    });
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, all[1].id);
    assert!(matches!(
        store.event(999_999, Page::default()),
        Err(StoreError::NoSuchEvent(999_999))
    ));

    // Re-ingesting changes nothing.
    store.put_batch(&docs).unwrap();
    let again = store
        .events(&EventFilter {
            page,
            ..EventFilter::default()
        })
        .unwrap();
    assert_eq!(again, all);
}
