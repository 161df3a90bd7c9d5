//! Roles and titles: "Dick Schoof, the Dutch national counterterrorism coordinator",
//! "U.S. President Donald Trump", "Joint Chiefs Chairman General Joe Dunford",
//! "ISIS's late spokesman and Emni chief, Abu Mohammad al-Adnani",
//! "X, who heads Y", "the head of Y, X".
//!
//! Rules over tokens, anchored on person names. Every rule looks at a bounded window
//! around one name, so the whole pass is linear in the number of tokens.
//!
//! This module also holds the token analysis shared with the quote extractor
//! ([`Analysis`]): word classes from a small lexicon, entity labels per token and the
//! person names of the text. The tagger's Person label alone is not enough for names:
//! it misses unseen names or labels them Location, and it includes titles and pronouns,
//! so names are re-derived from capitalisation, titles, first names and the tagger.

use super::FactInput;
use crate::gazetteer::{GazCategory, Gazetteer};
use dossier_core::{Arg, EntityLabel, Facts, Role};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Extractor name recorded on every role.
const EXTRACTOR: &str = "roles/1";

/// Longest appositive or title phrase considered, in tokens.
const MAX_PHRASE: usize = 24;

// Word classes (bit flags).
pub(crate) const CUE: u32 = 1;
/// A role noun that can head a title phrase: president, coordinator, spokesman, head.
pub(crate) const HEAD: u32 = 1 << 1;
/// A title written before a name: General, Judge, Senator, Dr., Mr.
pub(crate) const PRE: u32 = 1 << 2;
/// A word that modifies a title inside it: Foreign, Interior, Deputy, Chief, national.
const TMOD: u32 = 1 << 3;
/// A qualifier: late, former, acting, deputy, interim.
const QUAL: u32 = 1 << 4;
pub(crate) const DET: u32 = 1 << 5;
/// he/she
pub(crate) const PRON: u32 = 1 << 6;
/// A word that ends a noun phrase when walking back: verbs, clause words.
pub(crate) const STOP: u32 = 1 << 7;
/// of, for, at, in, with (a title's prepositional phrase).
pub(crate) const PREP: u32 = 1 << 8;
/// A word that marks an organisation name: Ministry, Council, Front.
pub(crate) const ORGW: u32 = 1 << 9;
/// A military rank.
const RANK: u32 = 1 << 10;
/// An honorific that is not a role: Mr., Mrs., Ms.
const HON: u32 = 1 << 11;
/// Verbs of "X, who heads Y".
const LEADV: u32 = 1 << 12;
/// A capitalised function word that never starts a name: The, In, For.
pub(crate) const FUNC: u32 = 1 << 13;
/// A name particle: al, bin, van, de.
const PART: u32 = 1 << 14;
/// A cue that takes a that-clause or a bare clause (reported speech).
pub(crate) const RCUE: u32 = 1 << 15;
/// A noun for a person (official, resident, lawyer) that can head a speaker phrase.
pub(crate) const PNOUN: u32 = 1 << 16;
/// Plural pronoun: they.
pub(crate) const PRONPL: u32 = 1 << 17;
/// Female pronoun (she) — male is PRON without this bit.
pub(crate) const FEM: u32 = 1 << 18;

#[rustfmt::skip]
const CUES: &[&str] = &[
    "said", "say", "says", "saying", "told", "tell", "tells", "telling", "added", "adds",
    "adding", "warned", "warns", "warning", "argued", "argues", "arguing", "claimed", "claims",
    "insisted", "insists", "stated", "announced", "announces", "acknowledged", "acknowledges",
    "admitted", "admits", "denied", "denies", "deny", "replied", "replies", "asked", "asks",
    "explained", "explains", "noted", "notes", "recalled", "recalls", "wrote", "writes",
    "estimated", "estimates", "estimate", "concluded", "concludes", "urged", "urges", "stressed",
    "stresses", "confirmed", "confirms", "predicted", "predicts", "testified", "responded",
    "answered", "continued", "continues", "laughs", "laughed", "admitted", "declared", "declares",
    "insisted", "conceded", "concedes", "cautioned", "cautions", "suggested", "suggests",
    "alleged", "alleges", "reported", "reports", "announced", "disclosed", "revealed",
    "complained", "complains", "agreed", "agrees", "observed", "observes", "promised",
    "promises", "pledged", "vowed", "vows", "believes", "believed", "thinks", "maintained",
    "maintains", "contended", "contends", "asserted", "asserts", "emphasised", "emphasized",
];

/// Cues that introduce reported speech with or without "that".
#[rustfmt::skip]
const RCUES: &[&str] = &[
    "said", "say", "says", "saying", "told", "tell", "tells", "warned", "warns", "argued",
    "argues", "claimed", "claims", "insisted", "insists", "stated", "announced", "acknowledged",
    "admitted", "admits", "denied", "denies", "deny", "explained", "noted", "estimated",
    "estimates", "estimate", "concluded", "concludes", "stressed", "confirmed", "predicted",
    "testified", "added", "adds", "declared", "conceded", "cautioned", "alleged", "alleges",
    "reported", "reports", "disclosed", "revealed", "complained", "believes", "believed",
    "maintained", "maintains", "contended", "asserted", "recalled", "recalls", "wrote", "writes",
    "urged", "urges", "agreed", "agrees",
];

#[rustfmt::skip]
const HEADS: &[&str] = &[
    "president", "minister", "secretary", "coordinator", "co-ordinator", "head", "chief",
    "director", "spokesman", "spokeswoman", "spokesperson", "commander", "chairman",
    "chairwoman", "chair", "leader", "general", "colonel", "judge", "prosecutor", "ambassador",
    "envoy", "officer", "official", "inspector", "detective", "superintendent", "commissioner",
    "analyst", "researcher", "fellow", "professor", "lawyer", "counsel", "attorney", "mayor",
    "governor", "senator", "negotiator", "candidate", "founder", "co-founder", "deputy",
    "manager", "editor", "correspondent", "adviser", "advisor", "economist", "emir", "caliph",
    "king", "queen", "prince", "sheikh", "imam", "cleric", "doctor", "surgeon", "worker",
    "chancellor", "premier", "admiral", "captain", "lieutenant", "major", "brigadier",
    "sergeant", "marshal", "representative", "congressman", "congresswoman", "lawmaker", "mp",
    "mufti", "ayatollah", "commandant", "strategist", "expert", "specialist", "scholar",
    "investigator", "agent", "operative", "recruiter", "financier", "treasurer", "organiser",
    "organizer", "ideologue", "propagandist", "administrator", "controller", "registrar",
    "barrister", "solicitor", "magistrate", "justice", "ombudsman", "auditor", "consul",
    "attaché", "diplomat", "delegate", "rapporteur", "chairperson", "boss", "principal",
    "dean", "rector", "bishop", "archbishop", "cardinal", "pope", "rabbi", "pastor", "priest",
    "vicar", "journalist", "reporter", "photographer", "activist", "campaigner", "organizer",
    "member", "co-chair", "head", "ruler", "warlord", "governor-general", "secretary-general",
    "under-secretary", "undersecretary", "psychologist", "physician", "nurse", "engineer",
    "teacher", "farmer", "owner", "executive", "ceo", "chairman", "partner", "aide",
];

/// Titles written before a name (capitalised in text).
#[rustfmt::skip]
const PRES: &[&str] = &[
    "president", "minister", "secretary", "general", "gen.", "colonel", "col.", "lieutenant",
    "lt.", "major", "maj.", "captain", "capt.", "commander", "cmdr.", "admiral", "adm.",
    "brigadier", "sergeant", "sgt.", "marshal", "judge", "justice", "senator", "sen.",
    "representative", "rep.", "governor", "gov.", "mayor", "prosecutor", "ambassador", "amb.",
    "inspector", "detective", "superintendent", "commissioner", "chief", "chairman",
    "chancellor", "premier", "king", "queen", "prince", "emir", "sheikh", "shaikh", "imam",
    "ayatollah", "mufti", "caliph", "dr.", "dr", "prof.", "professor", "director", "counsel",
    "coordinator", "envoy", "spokesman", "spokeswoman", "officer", "constable", "corporal",
    "private", "pfc.", "cpl.", "sgt", "insp.", "det.", "supt.", "cllr", "councillor", "bishop",
    "archbishop", "cardinal", "pope", "rabbi", "father", "rev.", "reverend", "mr.", "mrs.",
    "ms.", "mr", "mrs", "ms", "mullah", "mayor", "deputy", "leader", "head", "congressman",
    "congresswoman", "chairwoman", "magistrate", "commodore",
];

#[rustfmt::skip]
const RANKS: &[&str] = &[
    "general", "gen.", "colonel", "col.", "lieutenant", "lt.", "major", "maj.", "captain",
    "capt.", "admiral", "adm.", "brigadier", "sergeant", "sgt.", "marshal", "corporal", "cpl.",
    "private", "commander", "cmdr.",
];

#[rustfmt::skip]
const TMODS: &[&str] = &[
    "foreign", "interior", "defence", "defense", "home", "prime", "deputy", "assistant", "vice",
    "chief", "senior", "detective", "lieutenant", "major", "brigadier", "attorney", "finance",
    "justice", "health", "national", "federal", "regional", "provincial", "district", "state",
    "military", "police", "security", "intelligence", "counterterrorism", "counter-terrorism",
    "executive", "general", "principal", "special", "joint", "supreme", "first", "second",
    "lead", "press", "army", "naval", "air", "rear", "staff", "managing", "operations",
    "associate", "co", "economy", "education", "transport", "energy", "trade", "labour",
    "labor", "agriculture", "environment", "culture", "information", "immigration",
    "treasury", "parliamentary", "permanent", "political", "field", "top", "chief", "high",
    "grand", "under",
];

#[rustfmt::skip]
const QUALS: &[&str] = &[
    "late", "former", "acting", "deputy", "interim", "assistant", "vice", "outgoing",
    "incoming", "then", "ex", "retired", "self-proclaimed", "self-styled", "erstwhile",
    "caretaker", "designate", "newly", "new", "current", "longtime", "long-time", "de-facto",
];

#[rustfmt::skip]
const DETS: &[&str] = &[
    "the", "a", "an", "his", "her", "its", "their", "our", "another", "one", "this", "that",
    "two", "three", "several", "some", "many",
];

#[rustfmt::skip]
const STOPS: &[&str] = &[
    "is", "was", "are", "were", "be", "been", "being", "has", "had", "have", "who", "whom",
    "which", "that", "when", "while", "after", "before", "because", "but", "if", "as", "than",
    "by", "to", "from", "with", "against", "about", "whether", "where", "although", "though",
    "and", "or", "said", "says", "told", "added", "says", "say", "will", "would", "could",
    "should", "can", "may", "might", "must", "did", "does", "do", "not", "also", "then", "so",
    "i", "we", "you", "me", "us",
    "asked", "during", "since", "until", "into", "onto", "over", "under", "between", "like",
    "said:", "here", "there", "now", "yesterday", "today",
];

#[rustfmt::skip]
const ORGWS: &[&str] = &[
    "ministry", "council", "commission", "front", "service", "services", "institute",
    "university", "bureau", "brotherhood", "alliance", "party", "agency", "office",
    "department", "committee", "nations", "union", "army", "police", "force", "forces", "court",
    "hospital", "group", "network", "observatory", "international", "militia", "organisation",
    "organization", "corporation", "company", "bank", "foundation", "association", "centre",
    "center", "directorate", "command", "navy", "guard", "brigade", "brigades", "battalion",
    "government", "parliament", "assembly", "senate", "congress", "state", "states",
    "republic", "kingdom", "league", "movement", "authority", "coalition", "inc.", "ltd",
    "corp.", "times", "news", "press", "reuters", "tribunal", "prosecution", "ministries",
    "school", "college", "academy", "mission", "embassy", "consulate", "federation",
    "secretariat", "club", "society", "trust", "fund", "programme", "program", "project",
    "station", "unit", "division", "squad", "cell", "caliphate", "emirate", "province",
    "valley", "street", "road", "city", "town", "village", "district", "county", "region",
    "river", "sea", "bay", "island", "islands", "lake", "mountains", "camp", "base", "airport",
    "port", "square", "palais", "des", "hall", "orchestra", "battery", "regiment", "corps",
    "squadron", "fleet", "council's", "board", "institution", "chamber", "house", "museum",
];

#[rustfmt::skip]
const FUNCS: &[&str] = &[
    "the", "a", "an", "in", "on", "at", "for", "of", "to", "from", "by", "with", "after",
    "before", "when", "while", "but", "and", "or", "if", "as", "it", "its", "this", "that",
    "these", "those", "there", "they", "we", "i", "he", "she", "you", "his", "her", "our",
    "their", "my", "your", "asked", "sentencing", "speaking", "according", "then", "now",
    "one", "two", "three", "some", "many", "most", "all", "every", "each", "no", "not",
    "nobody", "everyone", "someone", "what", "who", "why", "how", "where", "which", "yes",
    "so", "still", "even", "also", "only", "just", "because", "since", "until", "although",
    "though", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "today", "yesterday", "tomorrow", "media", "statement",
    "police", "officials", "residents", "neighbours", "neighbors", "prosecutors",
    "investigators", "analysts", "diplomats", "local", "top", "several", "another", "other",
    "hmm", "please", "let", "during", "under", "over", "without", "within", "despite",
    "among", "through", "here", "not", "never", "always", "god", "allah", "ends", "for",
    "further", "few", "more", "less", "once", "twice", "first", "last", "next", "later",
];

#[rustfmt::skip]
const PARTS: &[&str] = &[
    "al", "bin", "ibn", "bint", "van", "von", "de", "der", "den", "da", "dos", "du", "el",
    "la", "le", "ter", "ten", "di", "del", "y",
];

#[rustfmt::skip]
const PNOUNS: &[&str] = &[
    "official", "officials", "spokesman", "spokeswoman", "spokesperson", "resident",
    "residents", "man", "woman", "men", "women", "lawyer", "source", "sources", "officer",
    "officers", "diplomat", "diplomats", "analyst", "analysts", "expert", "experts", "witness",
    "witnesses", "member", "members", "neighbour", "neighbours", "neighbor", "neighbors",
    "doctor", "doctors", "police", "prosecutors", "investigators", "authorities", "government",
    "ministry", "commission", "council", "group", "organisation", "organization", "statement",
    "report", "office", "delegation", "committee", "army", "military", "coordinator",
    "colonel", "general", "judge", "envoy", "minister", "president", "commander", "detective",
    "inspector", "victim", "survivor", "father", "mother", "son", "daughter", "brother",
    "sister", "friend", "colleague", "colleagues", "student", "teacher", "farmer", "driver",
    "soldier", "soldiers", "fighter", "fighters", "leader", "leaders", "chief", "head",
    "director", "secretary", "worker", "workers", "crew", "prosecution", "defence", "defense",
    "ministry", "mayor", "governor", "senator", "ambassador", "researcher", "journalist",
    "reporter", "user", "users", "people", "parents", "family", "relatives", "villagers",
    "locals", "citizens", "voters", "protesters", "activists", "critics", "supporters",
    "lawmakers", "legislators", "senators", "negotiator", "negotiators", "mediator", "agency",
    "service", "bureau", "department", "force", "forces", "navy", "spokesmen", "aide",
    "aides", "adviser", "advisers", "advisor", "advisors", "counsel", "attorney", "prosecutor",
    "chairman", "professor", "scientist", "scientists", "engineer", "owner", "shopkeeper",
    "businessman", "official's", "elders", "elder", "observers", "monitors", "campaigners",
    "group's", "commissioner", "superintendent", "constable", "captain", "major",
];

/// Pronouns that can be a speaker.
const PRONS: &[(&str, u32)] = &[("he", PRON), ("she", PRON | FEM), ("they", PRONPL)];

#[rustfmt::skip]
const LEADVS: &[&str] = &[
    "heads", "headed", "leads", "led", "runs", "ran", "commands", "commanded", "chairs",
    "chaired", "directs", "directed", "coordinates", "manages", "oversees", "oversaw",
];

fn lexicon() -> &'static FxHashMap<&'static str, u32> {
    static LEX: OnceLock<FxHashMap<&'static str, u32>> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut m: FxHashMap<&'static str, u32> = FxHashMap::default();
        let mut add = |words: &[&'static str], f: u32| {
            for w in words {
                *m.entry(w).or_insert(0) |= f;
            }
        };
        add(CUES, CUE);
        add(RCUES, RCUE | CUE);
        add(HEADS, HEAD);
        add(PRES, PRE);
        add(RANKS, RANK);
        add(TMODS, TMOD);
        add(QUALS, QUAL);
        add(DETS, DET);
        add(STOPS, STOP);
        add(&["of", "for", "at", "in", "with", "on"], PREP);
        add(ORGWS, ORGW);
        add(
            &[
                "mr.", "mrs.", "ms.", "mr", "mrs", "ms", "dr.", "dr", "prof.",
            ],
            HON,
        );
        add(LEADVS, LEADV);
        add(FUNCS, FUNC);
        add(PARTS, PART);
        add(PNOUNS, PNOUN);
        for (w, f) in PRONS {
            *m.entry(w).or_insert(0) |= f;
        }
        m
    })
}

/// Flags of a word (case-insensitive, curly apostrophes folded).
fn word_flags(w: &str, buf: &mut String) -> u32 {
    if w.len() > 40 {
        return 0;
    }
    if w.is_ascii() {
        let mut b = [0u8; 40];
        let low = &mut b[..w.len()];
        low.copy_from_slice(w.as_bytes());
        low.make_ascii_lowercase();
        return std::str::from_utf8(low)
            .ok()
            .and_then(|k| lexicon().get(k).copied())
            .unwrap_or(0);
    }
    buf.clear();
    for c in w.chars() {
        match c {
            '\u{2019}' | '\u{2018}' => buf.push('\''),
            c => buf.extend(c.to_lowercase()),
        }
    }
    lexicon().get(buf.as_str()).copied().unwrap_or(0)
}

/// A person name over tokens `a..b`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Name {
    pub a: usize,
    pub b: usize,
}

/// Token-level view of one text shared by the role and quote extractors.
pub(crate) struct Analysis<'a> {
    pub text: &'a str,
    /// Byte span of each token.
    pub tb: Vec<(usize, usize)>,
    pub flags: Vec<u32>,
    /// Starts with an upper-case letter and has a lower-case one (not a headline word).
    pub cap: Vec<bool>,
    /// Sentence index of each token.
    pub sent: Vec<u32>,
    /// True when a line break precedes the token (a new paragraph or line).
    pub line_start: Vec<bool>,
    /// Paragraph (line) number of each token.
    pub para: Vec<u32>,
    /// Entity label of each token, if inside an entity.
    pub label: Vec<Option<EntityLabel>>,
    pub names: Vec<Name>,
    /// Index into `names` for tokens inside a name.
    pub name_of: Vec<u32>,
    map: &'a dossier_core::OffsetMap,
}

pub(crate) const NONE: u32 = u32::MAX;

impl<'a> Analysis<'a> {
    pub fn new(input: &FactInput<'a>) -> Analysis<'a> {
        let doc = input.doc;
        let text = input.text;
        let n = doc.tokens.len();
        let tb: Vec<(usize, usize)> = doc.tokens.iter().map(|t| (t.start, t.end)).collect();
        let mut buf = String::new();
        let mut flags = Vec::with_capacity(n);
        let mut cap = Vec::with_capacity(n);
        for &(s, e) in &tb {
            let w = text.get(s..e).unwrap_or("");
            flags.push(word_flags(w, &mut buf));
            let mut ch = w.chars();
            let first_up = ch.next().is_some_and(char::is_uppercase);
            let lower = w.chars().any(char::is_lowercase);
            // "al-Adnani": a particle joined to a capitalised name.
            let joined = !first_up
                && w.len() > 3
                && (w.starts_with("al-") || w.starts_with("el-"))
                && w.chars().nth(3).is_some_and(char::is_uppercase);
            cap.push((first_up && lower) || joined);
        }
        let mut sent = vec![0u32; n];
        let mut k = 0usize;
        for (i, t) in tb.iter().enumerate() {
            while k + 1 < doc.sentences.len() && doc.sentences[k].1 <= t.0 {
                k += 1;
            }
            sent[i] = k as u32;
        }
        let mut line_start = vec![false; n];
        let mut para = vec![0u32; n];
        let mut prev_end = 0usize;
        let mut p = 0u32;
        for (i, &(s, e)) in tb.iter().enumerate() {
            let gap = text.get(prev_end..s).unwrap_or("");
            line_start[i] = i == 0 || gap.contains('\n');
            if line_start[i] && i > 0 {
                p += 1;
            }
            para[i] = p;
            prev_end = e;
        }
        // Entity label per token: entities are sorted, non-overlapping code point spans.
        let mut label = vec![None; n];
        let mut j = 0usize;
        let ents = input.entities;
        for (i, &(s, e)) in tb.iter().enumerate() {
            let cs = input.map.to_char(s);
            let ce = input.map.to_char(e);
            while j < ents.len() && ents[j].end <= cs {
                j += 1;
            }
            if let Some(m) = ents.get(j) {
                if m.start < ce && cs < m.end {
                    label[i] = Some(m.label);
                }
            }
        }
        let mut a = Analysis {
            text,
            tb,
            flags,
            cap,
            sent,
            line_start,
            para,
            label,
            names: Vec::new(),
            name_of: vec![NONE; n],
            map: input.map,
        };
        a.find_names();
        a
    }

    pub fn len(&self) -> usize {
        self.tb.len()
    }

    pub fn word(&self, i: usize) -> &'a str {
        self.tb
            .get(i)
            .and_then(|&(s, e)| self.text.get(s..e))
            .unwrap_or("")
    }

    /// Capitalised word (false past the end).
    pub fn capital(&self, i: usize) -> bool {
        self.cap.get(i).copied().unwrap_or(false)
    }

    /// A line break precedes token `i` (true past the end: nothing follows).
    pub fn ls(&self, i: usize) -> bool {
        self.line_start.get(i).copied().unwrap_or(true)
    }

    /// Name index of token `i`, or [`NONE`].
    pub fn nm(&self, i: usize) -> u32 {
        self.name_of.get(i).copied().unwrap_or(NONE)
    }

    /// Entity label of token `i`.
    pub fn lab(&self, i: usize) -> Option<EntityLabel> {
        self.label.get(i).copied().flatten()
    }

    pub fn has(&self, i: usize, f: u32) -> bool {
        self.flags.get(i).is_some_and(|x| x & f != 0)
    }

    pub fn is(&self, i: usize, w: &str) -> bool {
        self.word(i).eq_ignore_ascii_case(w)
    }

    /// True when token `i` is punctuation only (no letter or digit).
    pub fn punct(&self, i: usize) -> bool {
        !self.word(i).chars().any(char::is_alphanumeric)
    }

    pub fn first_of_sentence(&self, i: usize) -> bool {
        i == 0 || self.sent.get(i - 1) != self.sent.get(i)
    }

    /// Code point span of tokens `a..b`.
    pub fn arg(&self, a: usize, b: usize) -> Option<Arg> {
        if a >= b {
            return None;
        }
        let s = self.tb.get(a)?.0;
        let e = self.tb.get(b - 1)?.1;
        Some(Arg {
            start: self.map.to_char(s),
            end: self.map.to_char(e),
            text: self.text.get(s..e)?.to_string(),
        })
    }

    /// Code point offset of a byte offset.
    pub fn char_of(&self, byte: usize) -> usize {
        self.map.to_char(byte)
    }

    /// Byte offset of a code point offset.
    pub fn byte_of(&self, ch: usize) -> usize {
        self.map.to_byte(ch)
    }

    /// Index of the first token starting at or after code point `ch` (or ending after it).
    pub fn tok_of_char(&self, ch: usize) -> usize {
        let b = self.map.to_byte(ch);
        self.tb.partition_point(|t| t.0 < b)
    }

    fn is_gaz_place_or_org(&self, a: usize, b: usize) -> bool {
        let (Some(&(s, _)), Some(&(_, e))) = (self.tb.get(a), self.tb.get(b.saturating_sub(1)))
        else {
            return false;
        };
        let phrase = self.text.get(s..e).unwrap_or("");
        Gazetteer::global().lookup(phrase).iter().any(|(_, g)| {
            matches!(
                g.category,
                GazCategory::Country
                    | GazCategory::City
                    | GazCategory::Region
                    | GazCategory::Nationality
                    | GazCategory::ArmedGroup
                    | GazCategory::Agency
                    | GazCategory::Org
            )
        })
    }

    fn first_name(&self, i: usize) -> bool {
        Gazetteer::global()
            .lookup(self.word(i))
            .iter()
            .any(|(_, g)| g.category == GazCategory::FirstName)
    }

    /// A token that can be part of a name.
    fn name_tok(&self, i: usize) -> bool {
        self.cap.get(i).copied().unwrap_or(false)
            && !self.has(
                i,
                PRE | FUNC | HON | ORGW | CUE | PRON | PRONPL | DET | TMOD | HEAD,
            )
    }

    /// Person names: capitalised runs confirmed by the tagger's Person label, a title or
    /// honorific before them, a known first name, a speech verb next to them, or a
    /// surname shared with a confirmed name. Runs naming places or organisations in the
    /// gazetteer, or containing organisation words, are not names.
    fn find_names(&mut self) {
        let n = self.len();
        let mut runs: Vec<(usize, usize, bool)> = Vec::new();
        let mut i = 0usize;
        while i < n {
            if !self.name_tok(i) {
                i += 1;
                continue;
            }
            let a = i;
            let mut b = i + 1;
            while b < n {
                if self.name_tok(b) && !self.ls(b) {
                    b += 1;
                } else if self.has(b, PART) && b + 1 < n && self.name_tok(b + 1) {
                    b += 2;
                } else {
                    break;
                }
            }
            i = b;
            if (a..b).any(|k| self.has(k, ORGW)) || b - a > 5 {
                continue;
            }
            let next_org = self.has(b, ORGW) && self.cap.get(b).copied().unwrap_or(false);
            if next_org {
                continue;
            }
            // Possessive "Germany's" is fine; a name followed by an organisation word is not.
            let tagged = (a..b).any(|k| {
                matches!(
                    self.label.get(k),
                    Some(Some(EntityLabel::Person | EntityLabel::Per))
                )
            });
            let other_entity = (a..b).all(|k| {
                matches!(
                    self.label.get(k),
                    Some(Some(
                        EntityLabel::Temporal
                            | EntityLabel::Money
                            | EntityLabel::Quantity
                            | EntityLabel::Weapon
                            | EntityLabel::MilitaryPlatform
                            | EntityLabel::Url
                            | EntityLabel::CommsIdentifier
                    ))
                )
            });
            if other_entity {
                continue;
            }
            let titled = a > 0 && self.has(a - 1, PRE) && !self.punct(a - 1);
            let multi = b - a >= 2;
            let sentence_initial = self.first_of_sentence(a) || self.ls(a);
            let cue_next = self.has(b, CUE)
                || (self.is(b, ",") && self.has(b + 1, DET | QUAL | HEAD | TMOD))
                || (self.is(b, ",")
                    && self.word(b + 1).bytes().all(|c| c.is_ascii_digit())
                    && self.is(b + 2, ","))
                || (a > 0 && self.has(a - 1, CUE))
                || (self.is(b, ",") && self.has(b + 1, CUE))
                || (multi && a > 1 && self.is(a - 1, ",") && self.has(a - 2, HEAD | PNOUN));
            // Gazetteer look-ups last: they cost more than the other signals.
            let confirmed = (titled
                || (tagged && (multi || !sentence_initial))
                || (multi && cue_next)
                || (!sentence_initial && cue_next)
                || (multi && (a..b).take(2).any(|k| self.first_name(k))))
                && !self.is_gaz_place_or_org(a, b);
            runs.push((a, b, confirmed));
        }
        // Surnames of confirmed names confirm single-word runs elsewhere ("Lund" after
        // "Sofie Lund").
        let mut surnames: FxHashMap<String, ()> = FxHashMap::default();
        for &(a, b, c) in &runs {
            if c {
                surnames.insert(self.word(b - 1).to_lowercase(), ());
                if b - a >= 2 {
                    // First names too ("Lars" for "Lars Bergstrom").
                    surnames.insert(self.word(a).to_lowercase(), ());
                }
            }
        }
        for (a, b, c) in runs {
            // A surname of a confirmed name is a name even when a town shares it
            // ("Davis" after "Jeff Davis").
            let ok = c
                || (b - a == 1 && surnames.contains_key(&self.word(a).to_lowercase()))
                || (b - a >= 2
                    && surnames.contains_key(&self.word(b - 1).to_lowercase())
                    && !self.is_gaz_place_or_org(a, b));
            if ok {
                let k = self.names.len() as u32;
                self.names.push(Name { a, b });
                for t in a..b {
                    if let Some(x) = self.name_of.get_mut(t) {
                        *x = k;
                    }
                }
            }
        }
    }

    /// Country-like span (Location/Nationality entity or gazetteer country/demonym).
    fn is_country(&self, a: usize, b: usize) -> bool {
        if (a..b).all(|k| {
            matches!(
                self.label.get(k),
                Some(Some(
                    EntityLabel::Location | EntityLabel::Nationality | EntityLabel::Loc
                ))
            )
        }) && !(a..b).any(|k| self.has(k, ORGW))
        {
            return true;
        }
        let (Some(&(s, _)), Some(&(_, e))) = (self.tb.get(a), self.tb.get(b.saturating_sub(1)))
        else {
            return false;
        };
        Gazetteer::global()
            .lookup(self.text.get(s..e).unwrap_or(""))
            .iter()
            .any(|(_, g)| matches!(g.category, GazCategory::Country | GazCategory::Nationality))
    }
}

/// A role under construction (token ranges).
#[derive(Default)]
struct Draft {
    a: usize,
    b: usize,
    person: Option<(usize, usize)>,
    title: Option<(usize, usize)>,
    org: Option<(usize, usize)>,
    country: Option<(usize, usize)>,
    quals: Vec<String>,
    conf: f32,
}

/// The roles stated in one piece of text.
pub fn extract(input: &FactInput<'_>, _so_far: &Facts) -> Vec<Role> {
    let an = Analysis::new(input);
    extract_with(&an)
}

pub(crate) fn extract_with(an: &Analysis<'_>) -> Vec<Role> {
    let mut drafts: Vec<Draft> = Vec::new();
    for &name in &an.names {
        prenominal(an, name, &mut drafts);
        appositive_after(an, name, &mut drafts);
        appositive_before(an, name, &mut drafts);
        who_heads(an, name, &mut drafts);
    }
    drafts.sort_by_key(|d| (d.a, d.b));
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let Some((ta, tb)) = d.title else { continue };
        let (Some(whole), Some(title)) = (an.arg(d.a, d.b), an.arg(ta, tb)) else {
            continue;
        };
        let opt = |r: Option<(usize, usize)>| r.and_then(|(x, y)| an.arg(x, y));
        out.push(Role {
            start: whole.start,
            end: whole.end,
            text: whole.text,
            person: opt(d.person),
            title,
            organisation: opt(d.org),
            country: opt(d.country),
            qualifiers: d.quals,
            confidence: d.conf,
            extractor: EXTRACTOR.to_string(),
        });
    }
    out
}

/// Splits modifier tokens `a..b` (before a title, or before an appositive's title head)
/// into possessor/country/organisation/qualifiers; returns where the title starts.
fn modifiers(an: &Analysis<'_>, a: usize, b: usize, d: &mut Draft) -> usize {
    let mut i = a;
    // Possessor: "ISIS's", "Germany's", "the ministry's", "Open Hands'".
    if let Some(p) = (a..b).find(|&k| {
        let w = an.word(k);
        w == "'s" || w == "\u{2019}s" || w == "'" || w == "\u{2019}"
    }) {
        let s = if an.has(a, DET) { a + 1 } else { a };
        if s < p {
            if an.is_country(s, p) {
                d.country = Some((s, p));
            } else if (s..p).any(|k| an.word(k).chars().any(char::is_uppercase)) {
                d.org = Some((s, p));
            }
        }
        i = p + 1;
    }
    while i < b && an.has(i, DET) {
        i += 1;
    }
    // Qualifiers and countries before the title core.
    loop {
        if i >= b {
            break;
        }
        if an.has(i, QUAL) && !an.capital(i) || (an.has(i, QUAL) && !an.has(i, TMOD)) {
            d.quals.push(an.word(i).to_lowercase());
            if an.has(i, TMOD) {
                // deputy, assistant, vice stay in the title too
                break;
            }
            i += 1;
            continue;
        }
        // "U.S." or "Dutch" or "Germany"
        let mut j = i;
        while j < b
            && (an.lab(j).is_some() || an.capital(j) || an.word(j).contains('.'))
            && !an.has(j, HEAD | TMOD | QUAL)
        {
            j += 1;
        }
        if j > i {
            if an.is_country(i, j) {
                d.country.get_or_insert((i, j));
                i = j;
                continue;
            }
            if j < b
                && (an.has(j, HEAD | TMOD))
                && (i..j).all(|k| an.capital(k) || an.word(k).contains('.'))
            {
                d.org.get_or_insert((i, j));
                i = j;
                continue;
            }
        }
        // "U.S." tokens are not `cap` (no lower-case letter); try the gazetteer.
        if an.word(i).chars().all(|c| c.is_uppercase() || c == '.') && an.is_country(i, i + 1) {
            d.country.get_or_insert((i, i + 1));
            i += 1;
            continue;
        }
        break;
    }
    i
}

/// "U.S. President Donald Trump", "Joint Chiefs Chairman General Joe Dunford",
/// "Interior Minister Soraya Rahimi", "commission president Elena Quiroga".
fn prenominal(an: &Analysis<'_>, name: Name, out: &mut Vec<Draft>) {
    let p = name.a;
    if p == 0 || !an.has(p - 1, PRE | HEAD) || an.has(p - 1, HON) && !an.has(p - 1, HEAD) {
        // "Mr." alone is an honorific, not a role; "Dr." neither.
        if !(p > 0 && an.has(p - 1, PRE) && !an.has(p - 1, HON)) {
            return;
        }
    }
    if an.has(p - 1, HON) {
        return;
    }
    // The title core: title words and title modifiers directly before the name.
    let mut t = p;
    while t > 0
        && p - t < 6
        && (an.has(t - 1, PRE | HEAD) || (an.has(t - 1, TMOD) && an.capital(t - 1)))
        && !an.has(t - 1, HON)
        && !an.ls(t)
    {
        t -= 1;
        if an.first_of_sentence(t) {
            break;
        }
    }
    // Lower-case core words must be title heads ("commission president"), not stray words.
    while t < p && !an.capital(t) && !an.has(t, HEAD) {
        t += 1;
    }
    if t >= p {
        return;
    }
    // Modifiers before the core: country, organisation, qualifiers, possessor.
    let mut m = t;
    while m > 0 && t - m < 8 && !an.ls(m) && !an.first_of_sentence(m) {
        let k = m - 1;
        let w = an.word(k);
        let is_poss = w == "'s" || w == "\u{2019}s";
        let ok = an.has(k, QUAL)
            || is_poss
            || (an.capital(k) && !an.has(k, FUNC | CUE | PRON))
            || (w.contains('.') && w.chars().any(char::is_uppercase))
            || (an.lab(k).is_some() && !an.has(k, FUNC | CUE | STOP) && !an.punct(k));
        if !ok {
            break;
        }
        m = k;
    }
    if m < t && an.first_of_sentence(m) && an.has(m, DET) {
        m += 1;
    }
    let mut d = Draft {
        a: m,
        b: name.b,
        person: Some((name.a, name.b)),
        conf: 0.85,
        ..Default::default()
    };
    let rest = modifiers(an, m, t, &mut d).min(t);
    // Capitalised words left between the modifiers and the core name the organisation:
    // "Joint Chiefs Chairman".
    if rest < t && d.org.is_none() && (rest..t).all(|k| an.capital(k) || an.word(k).contains('.')) {
        d.org = Some((rest, t));
    }
    let core_start = t;
    // An office title followed by military ranks gives two roles: "Chairman General".
    let mut r = p;
    while r > core_start && an.has(r - 1, RANK) {
        r -= 1;
    }
    if r > core_start && r < p && !an.has(r - 1, TMOD) {
        out.push(Draft {
            a: r,
            b: name.b,
            person: Some((name.a, name.b)),
            title: Some((r, p)),
            conf: 0.85,
            ..Default::default()
        });
        d.title = Some((core_start, r));
    } else {
        d.title = Some((core_start, p));
    }
    out.push(d);
}

/// Where an appositive or title phrase starting at `s` ends: at a comma, full stop,
/// colon, semicolon, quote mark, bracket, speech verb or relative pronoun.
fn phrase_end(an: &Analysis<'_>, s: usize) -> usize {
    let mut e = s;
    let n = an.len();
    while e < n && e - s < MAX_PHRASE {
        let w = an.word(e);
        if an.ls(e) && e > s {
            break;
        }
        if an.punct(e)
            && w != "'s"
            && w != "'"
            && w != "\u{2019}"
            && w != "\u{2019}s"
            && w != "-"
            && w != "&"
        {
            break;
        }
        if an.has(e, CUE) || an.is(e, "who") || an.is(e, "which") || an.is(e, "that") {
            break;
        }
        if an.has(e, STOP) && !an.is(e, "and") {
            break;
        }
        e += 1;
    }
    e
}

/// Fills title/org/country of a title phrase `s..e` (after determiners): the title runs
/// to the last role noun before a prepositional phrase; the phrase's organisation is its
/// last capitalised run. Returns false when the phrase holds no role noun.
fn title_phrase(an: &Analysis<'_>, s: usize, e: usize, d: &mut Draft) -> bool {
    // The head: the last role noun before the first preposition (or phrase end).
    let prep = (s..e).find(|&k| an.has(k, PREP) && k > s).unwrap_or(e);
    let Some(head) = (s..prep).rev().find(|&k| an.has(k, HEAD)) else {
        return false;
    };
    // Nothing but a possessive may follow the head before the preposition.
    if head + 1 < prep {
        return false;
    }
    // The prepositional phrase ends after its proper name or its noun phrase:
    // "Minister for the Middle East | welcomes ...".
    let e = if prep < e {
        let pe = pp_end(an, prep, e);
        if d.b == e {
            d.b = pe;
        }
        pe
    } else {
        e
    };
    let ts = modifiers(an, s, head, d).min(head);
    let mut te = head + 1;
    if prep < e {
        // "of border security": a bare lower-case phrase is part of the title;
        // "of the ... directorate for Germany's Federal Intelligence Service" names the
        // organisation.
        let np = prep + 1;
        let bare =
            np < e && !an.has(np, DET) && (np..e).all(|k| !an.capital(k) && an.lab(k).is_none());
        if bare {
            te = e;
        } else {
            // The last capitalised run in the phrase.
            let mut k = e;
            while k > np && !an.capital(k - 1) && !an.word(k - 1).contains('.') {
                k -= 1;
            }
            let mut j = k;
            while j > np && (an.capital(j - 1) || an.has(j - 1, PART) || an.word(j - 1) == "&") {
                j -= 1;
            }
            if j < k {
                // "Germany's Federal Intelligence Service": the possessor is a country.
                if j >= np + 2 && an.word(j - 1) == "'s" && an.is_country(j - 2, j - 1) {
                    d.country.get_or_insert((j - 2, j - 1));
                }
                if an.is_country(j, k) {
                    d.country.get_or_insert((j, k));
                } else {
                    d.org = Some((j, k));
                }
            } else {
                let s2 = if an.has(np, DET) { np + 1 } else { np };
                if s2 < e {
                    d.org.get_or_insert((np, e));
                }
            }
        }
    }
    d.title = Some((ts, te));
    true
}

/// End of the prepositional phrases from the preposition at `p`, within `e`: each is a
/// determiner and either a capitalised name or lower-case words, chained by "'s" or
/// further prepositions.
fn pp_end(an: &Analysis<'_>, p: usize, e: usize) -> usize {
    let mut k = p;
    while k < e && an.has(k, PREP) {
        k += 1;
        while k < e && an.has(k, DET) {
            k += 1;
        }
        loop {
            if k < e && (an.capital(k) || an.word(k).contains('.')) {
                while k < e
                    && (an.capital(k)
                        || an.has(k, PART)
                        || an.word(k).contains('.')
                        || an.word(k) == "&")
                {
                    k += 1;
                }
            } else {
                while k < e && !an.capital(k) && !an.has(k, PREP) && !an.punct(k) {
                    k += 1;
                }
            }
            // "Germany's Federal Intelligence Service"
            if k < e && matches!(an.word(k), "'s" | "\u{2019}s") {
                k += 1;
                continue;
            }
            break;
        }
    }
    k.max(p + 1).min(e)
}

/// "Dick Schoof, the Dutch national counterterrorism coordinator";
/// "Friedrich Grommes, head of the ... directorate for Germany's Federal Intelligence Service".
fn appositive_after(an: &Analysis<'_>, name: Name, out: &mut Vec<Draft>) {
    let c = name.b;
    if !an.is(c, ",") {
        return;
    }
    let s = c + 1;
    if s >= an.len() || an.ls(s) {
        return;
    }
    // An appositive starts with a determiner, qualifier, possessor or title word.
    let w = an.word(s);
    if !(an.has(s, DET | QUAL | HEAD | TMOD)
        || an.capital(s)
        || w.chars().all(|c| c.is_uppercase() || c == '.'))
    {
        return;
    }
    if an.has(s, PRON) || an.is(s, "who") {
        return;
    }
    let e = phrase_end(an, s);
    if e <= s {
        return;
    }
    let mut d = Draft {
        a: name.a,
        b: e,
        person: Some((name.a, name.b)),
        conf: 0.8,
        ..Default::default()
    };
    if title_phrase(an, s, e, &mut d) {
        out.push(d);
    }
}

/// "ISIS's late spokesman and Emni chief, Abu Mohammad al-Adnani";
/// "the head of Y, X"; "A spokesman for the provincial council, Layla Nasser".
fn appositive_before(an: &Analysis<'_>, name: Name, out: &mut Vec<Draft>) {
    let p = name.a;
    if p < 2 || !an.is(p - 1, ",") || an.ls(p) {
        return;
    }
    let e = p - 1;
    let mut s = e;
    while s > 0 && e - s < MAX_PHRASE {
        let k = s - 1;
        let w = an.word(k);
        let poss = w == "'s" || w == "'" || w == "\u{2019}s" || w == "\u{2019}";
        if (an.punct(k) && !poss && w != "-")
            || (an.has(k, STOP) && !an.is(k, "and"))
            || an.has(k, CUE)
        {
            break;
        }
        s = k;
        if an.first_of_sentence(s) || an.ls(s) {
            break;
        }
        // A determiner opens the phrase unless it follows a preposition ("head of the").
        if an.has(s, DET) && !(s > 0 && an.has(s - 1, PREP)) {
            break;
        }
    }
    if s >= e {
        return;
    }
    // Drop a leading word that cannot start a noun phrase ("Sentencing", "Asked").
    while s < e && an.capital(s) && an.has(s, FUNC) && !an.has(s, DET) {
        s += 1;
    }
    let mut d = Draft {
        a: s,
        b: name.b,
        person: Some((name.a, name.b)),
        conf: 0.75,
        ..Default::default()
    };
    // The phrase must end on its head or on the head's prepositional phrase.
    if title_phrase(an, s, e, &mut d) {
        // Another name inside the phrase means it is not about this one.
        // (A name used as a modifier, "Emni chief", "ISIS's", does not count.)
        let inner = (s..e).any(|k| {
            an.nm(k) != NONE
                && !an.is_country(k, k + 1)
                && !an.has(k + 1, HEAD | TMOD)
                && an.nm(k + 1) == NONE
                && !an.word(k + 1).starts_with('\'')
                && !an.word(k + 1).starts_with('\u{2019}')
        });
        if inner {
            let inner_org = d.org.is_some_and(|(x, y)| (x..y).any(|k| an.nm(k) != NONE));
            if !inner_org {
                return;
            }
        }
        out.push(d);
    }
}

/// "Inspector Helena Varga, who leads the city's counterterrorism unit".
fn who_heads(an: &Analysis<'_>, name: Name, out: &mut Vec<Draft>) {
    let c = name.b;
    if !(an.is(c, ",") && an.is(c + 1, "who") && an.has(c + 2, LEADV)) {
        return;
    }
    let v = c + 2;
    let s = v + 1;
    let mut e = s;
    while e < an.len() && e - s < MAX_PHRASE && !an.ls(e) {
        let w = an.word(e);
        if an.punct(e) && w != "'s" && w != "'" && w != "\u{2019}s" && w != "-" {
            break;
        }
        if an.has(e, STOP | CUE) && !an.is(e, "and") {
            break;
        }
        e += 1;
    }
    if e <= s {
        return;
    }
    let mut d = Draft {
        a: name.a,
        b: e,
        person: Some((name.a, name.b)),
        title: Some((v, v + 1)),
        conf: 0.7,
        ..Default::default()
    };
    // The organisation: the noun phrase up to a preposition ("the UN reconstruction
    // office in Qasrin").
    let pe = (s + 1..e).find(|&k| an.has(k, PREP)).unwrap_or(e);
    if an.is_country(s, pe) {
        d.country = Some((s, pe));
    } else {
        d.org = Some((s, pe));
    }
    out.push(d);
}
