//! Pattern recognisers: positives and negatives for every family, on news-style sentences.

use dossier_core::EntityLabel;
use dossier_nlp::patterns::{find, PatternMatch};

fn kinds(text: &str) -> Vec<(String, &'static str, Option<String>)> {
    find(text)
        .into_iter()
        .map(|m: PatternMatch| (text[m.start..m.end].to_string(), m.kind, m.normalized))
        .collect()
}

fn has(text: &str, span: &str, kind: &str) -> Option<String> {
    let k = kinds(text);
    match k.iter().find(|(s, kk, _)| s == span && *kk == kind) {
        Some((_, _, n)) => n.clone().or(Some(String::new())),
        None => panic!("{span:?} as {kind} not found in {text:?}: {k:?}"),
    }
}

fn none_of(text: &str, kind: &str) {
    let k = kinds(text);
    assert!(
        !k.iter().any(|(_, kk, _)| *kk == kind),
        "unexpected {kind} in {text:?}: {k:?}"
    );
}

#[test]
fn email_url_handle() {
    assert_eq!(
        has(
            "Write to Press.Office@State.GOV today.",
            "Press.Office@State.GOV",
            "email"
        )
        .as_deref(),
        Some("press.office@state.gov")
    );
    has(
        "See https://www.gov.uk/government/news/syria-update.",
        "https://www.gov.uk/government/news/syria-update",
        "url",
    );
    has(
        "Visit www.centcom.mil for details",
        "www.centcom.mil",
        "url",
    );
    assert_eq!(
        has("Follow (@ABlinken) on Twitter", "@ABlinken", "handle").as_deref(),
        Some("@ablinken")
    );
    none_of(
        "The meeting @ 10 was cancelled; me@home is not an address.",
        "email",
    );
    none_of("The meeting @ 10 was cancelled.", "handle");
}

#[test]
fn phones_but_not_years_or_scores() {
    assert_eq!(
        has("Call +44 20 7946 0958 now", "+44 20 7946 0958", "phone").as_deref(),
        Some("+442079460958")
    );
    assert_eq!(
        has("Tel: (202) 555-0143.", "(202) 555-0143", "phone").as_deref(),
        Some("2025550143")
    );
    assert_eq!(
        has("should dial 888-847-6592.", "888-847-6592", "phone").as_deref(),
        Some("8888476592")
    );
    none_of(
        "In 2016 2017 and 2018, the score was 4-38 on 2016-03-22 with 1,200 troops.",
        "phone",
    );
    none_of("Between 1980-88 some 300 450 fighters left.", "phone");
}

#[test]
fn ip_addresses() {
    assert_eq!(
        has("traffic from 192.168.10.4 and", "192.168.10.4", "ip").as_deref(),
        Some("192.168.10.4")
    );
    assert_eq!(
        has(
            "host 2001:db8::ff00:42:8329 was",
            "2001:db8::ff00:42:8329",
            "ip"
        )
        .as_deref(),
        Some("2001:db8::ff00:42:8329")
    );
    none_of("version 1.2.3 and 300.1.1.1 and 10:30", "ip");
}

#[test]
fn coordinates_decimal_dms_mgrs() {
    assert_eq!(
        has(
            "at 34.8021° N, 38.9968° E near",
            "34.8021° N, 38.9968° E",
            "coordinate"
        )
        .as_deref(),
        Some("34.802100,38.996800")
    );
    let n = has(
        "Coordinates: 36°12′30″N 37°10′E.",
        "36°12′30″N 37°10′E",
        "coordinate",
    )
    .unwrap();
    assert_eq!(n, "36.208333,37.166667");
    has(
        "position 36°12'30\"N, 37°10'W",
        "36°12'30\"N, 37°10'W",
        "coordinate",
    );
    has(
        "GPS coordinates 33.5138, 36.2765 were",
        "33.5138, 36.2765",
        "coordinate",
    );
    assert_eq!(
        has("grid 37S BV 12345 67890 was", "37S BV 12345 67890", "mgrs").as_deref(),
        Some("37SBV1234567890")
    );
    has("target 37SBV1234567890.", "37SBV1234567890", "mgrs");
    none_of(
        "It was 30° outside and prices rose 33.5138, 36.2765 times.",
        "coordinate",
    );
    none_of("The 37S class and 4S BV ran.", "mgrs");
}

#[test]
fn money_extents_follow_re3d() {
    assert_eq!(
        has(
            "responded with over $135 million for aid",
            "$135 million",
            "money"
        )
        .as_deref(),
        Some("135000000 USD")
    );
    assert_eq!(
        has("a £2.5bn deal", "£2.5bn", "money").as_deref(),
        Some("2500000000 GBP")
    );
    assert_eq!(
        has("about €40m was", "€40m", "money").as_deref(),
        Some("40000000 EUR")
    );
    assert_eq!(
        has("gave 500,000 euros to", "500,000 euros", "money").as_deref(),
        Some("500000 EUR")
    );
    assert_eq!(
        has("worth US$ 3 billion in", "US$ 3 billion", "money").as_deref(),
        Some("3000000000 USD")
    );
    has(
        "generated millions of dollars in",
        "millions of dollars",
        "money",
    );
    none_of("He fired 3 shots and 135 people died.", "money");
}

#[test]
fn percentages_and_quantities() {
    assert_eq!(
        has("retook 30% of territory", "30%", "percent").as_deref(),
        Some("30%")
    );
    has("some 30 percent of", "30 percent", "percent");
    has("from 15 to 20 percent", "15 to 20 percent", "percent");
    assert_eq!(
        has("within 7.5 kilometers of", "7.5 kilometers", "quantity").as_deref(),
        Some("7.5 km")
    );
    has(
        "more than 700 square miles of",
        "700 square miles",
        "quantity",
    );
    has("shipped 15 tonnes of", "15 tonnes", "quantity");
    has("conducted two strikes", "two", "cardinal");
    none_of("In March the 7 April talks", "quantity");
}

#[test]
fn frequencies() {
    assert_eq!(
        has("on 145.500 MHz and", "145.500 MHz", "frequency").as_deref(),
        Some("145500000 Hz")
    );
    assert_eq!(
        has("across 30-88 MHz", "30-88 MHz", "frequency").as_deref(),
        Some("30000000-88000000 Hz")
    );
    has(
        "Frequency: 12130 MHZ Polarization",
        "12130 MHZ",
        "frequency",
    );
    has("using VHF radios", "VHF", "band");
    none_of("He scored 145.5 points", "frequency");
}

#[test]
fn document_references() {
    assert_eq!(
        has(
            "in line with UN Security Council Resolution 2254, the",
            "UN Security Council Resolution 2254",
            "resolution"
        )
        .as_deref(),
        Some("UNSCR 2254")
    );
    has(
        "as agreed in the UN Security Council Resolutions 2254 and 2118.",
        "the UN Security Council Resolutions 2254 and 2118",
        "resolution",
    );
    has(
        "under resolution 2170 (2014) the",
        "resolution 2170 (2014)",
        "resolution",
    );
    has(
        "under Executive Order 13582 without",
        "Executive Order 13582",
        "executive_order",
    );
    has(
        "under section 119.3 of the Criminal Code.",
        "section 119.3 of the Criminal Code",
        "legal",
    );
    none_of("a resolution of the conflict", "resolution");
}

#[test]
fn dates_and_times() {
    assert_eq!(
        has("on 4 February 2015 the", "4 February 2015", "date").as_deref(),
        Some("2015-02-04")
    );
    assert_eq!(
        has("On Nov. 6, 2016, forces", "Nov. 6, 2016", "date").as_deref(),
        Some("2016-11-06")
    );
    assert_eq!(
        has("since December 2014 and", "December 2014", "date").as_deref(),
        Some("2014-12")
    );
    has("between May 15-24 at", "May 15-24", "date");
    has("on Monday 19 December he", "Monday 19 December", "date");
    assert_eq!(
        has("dated 22/03/2016 and", "22/03/2016", "date").as_deref(),
        Some("2016-03-22")
    );
    assert_eq!(
        has("dated 2016-03-22 and", "2016-03-22", "date").as_deref(),
        Some("2016-03-22")
    );
    has("in the last 24 hours", "the last 24 hours", "duration");
    has("said today that", "today", "relative_date");
    has("by early next year", "early next year", "relative_date");
    has("at 10 a.m. local", "10 a.m.", "time");
    has("in 1991 the", "1991", "year");
    // "May" the verb and Theresa May are not dates; "2000 people" is a count.
    none_of("Theresa May said it may rain. May God help us.", "date");
    none_of("More than 2000 people fled.", "year");
}

#[test]
fn hostile_input_does_not_panic() {
    for s in [
        "°°°°",
        "1°",
        "-°",
        "+",
        "(",
        "( 1",
        "$",
        "$ $",
        "@",
        "Resolution",
        "37S BV",
        "1.1.1.1.1",
        "::",
        "1::",
        "1°2′3″N 4°",
        "\u{0}\u{ffff}",
    ] {
        let _ = find(s);
    }
    let long = "1° ".repeat(20_000) + &"+1 ".repeat(20_000) + &"$ ".repeat(20_000);
    let t = std::time::Instant::now();
    let _ = find(&long);
    assert!(t.elapsed().as_secs() < 5);
}

#[test]
fn labels_are_re3d() {
    let m = find("Call +44 20 7946 0958 about $5 million on 12.245 MHz.");
    let labels: Vec<EntityLabel> = m.iter().map(|m| m.label).collect();
    assert_eq!(
        labels,
        [
            EntityLabel::CommsIdentifier,
            EntityLabel::Money,
            EntityLabel::Frequency
        ]
    );
}

/// Random strings over an alphabet of digits, letters and every mark the rules look at:
/// tokenize, sentences, patterns and the gazetteer must not panic, and tokens must be valid,
/// ordered, non-empty char ranges.
#[test]
fn random_text_never_panics() {
    let alphabet: Vec<char> =
        "0123456789 aAzZsSnNtTeEwW.,:;/-+()[]'\"’‘“”«»$£€%°º′″@#_&=*…—–\n\t\u{a0}.٠دمشقÉé"
            .chars()
            .collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let gaz = dossier_nlp::gazetteer::Gazetteer::global();
    for _ in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 60) as usize;
        let mut s = String::new();
        let mut x = seed;
        for _ in 0..len {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s.push(alphabet[(x >> 33) as usize % alphabet.len()]);
        }
        let doc = dossier_nlp::Doc::new(&s);
        let mut last = 0;
        for t in &doc.tokens {
            assert!(
                t.start >= last
                    && t.start < t.end
                    && s.is_char_boundary(t.start)
                    && s.is_char_boundary(t.end),
                "{s:?}"
            );
            last = t.end;
        }
        for m in dossier_nlp::patterns::find_in_doc(&doc) {
            assert!(
                m.start < m.end && s.is_char_boundary(m.start) && s.is_char_boundary(m.end),
                "{s:?}"
            );
        }
        let _ = gaz.matches_doc(&doc);
    }
}
