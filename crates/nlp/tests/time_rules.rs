//! Normalisation of temporal expressions with a fixed document creation time
//! (Tuesday 2016-03-22 unless stated): extents and TIMEX3 values, TimeML conventions.

use dossier_core::TimeType;
use dossier_nlp::time::extract_times;

const DCT: &str = "2016-03-22";

/// (text, type, value) of every mention.
fn times(text: &str, dct: Option<&str>) -> Vec<(String, TimeType, String)> {
    extract_times(text, dct)
        .into_iter()
        .map(|t| (t.text, t.kind, t.value))
        .collect()
}

/// The single mention expected in `text`.
fn one(text: &str) -> (String, TimeType, String) {
    let t = times(text, Some(DCT));
    assert_eq!(t.len(), 1, "{text:?} gave {t:?}");
    t.into_iter().next().unwrap_or_else(|| unreachable!())
}

fn check(text: &str, span: &str, kind: TimeType, value: &str) {
    let (s, k, v) = one(text);
    assert_eq!(
        (s.as_str(), k, v.as_str()),
        (span, kind, value),
        "in {text:?}"
    );
}

use TimeType::{Date, Duration, Set, Time};

#[test]
fn explicit_dates() {
    check(
        "The report is dated 2016-03-22.",
        "2016-03-22",
        Date,
        "2016-03-22",
    );
    check(
        "It was filed in 2016-03 by the agency.",
        "2016-03",
        Date,
        "2016-03",
    );
    check("The group was founded in 2016.", "2016", Date, "2016");
    check(
        "Elections were held in March 2016.",
        "March 2016",
        Date,
        "2016-03",
    );
    check(
        "He was born on March 26, 1996, in Lyon.",
        "March 26, 1996",
        Date,
        "1996-03-26",
    );
    check(
        "The accord signed Aug. 7 held.",
        "Aug. 7",
        Date,
        "2015-08-07",
    );
    check(
        "He was released on 25 April 2015.",
        "25 April 2015",
        Date,
        "2015-04-25",
    );
    check(
        "Figures for week 45 cover 2015-W45 only.",
        "2015-W45",
        Date,
        "2015-W45",
    );
}

#[test]
fn determiner_of_a_modified_noun_is_left_out() {
    check(
        "the November 2015 attacks in Paris",
        "November 2015",
        Date,
        "2015-11",
    );
    check("since 2014, the group has grown", "2014", Date, "2014");
}

#[test]
fn deictic_dates() {
    check(
        "Officials said yesterday that the border was closed.",
        "yesterday",
        Date,
        "2016-03-21",
    );
    check("The minister arrives today.", "today", Date, "2016-03-22");
    check("Sales fell this month.", "this month", Date, "2016-03");
    check("Sales fell last year.", "last year", Date, "2015");
    check("Sales will rise next year.", "next year", Date, "2017");
    check("Prices were higher a year ago.", "a year ago", Date, "2015");
    check(
        "It happened two weeks ago.",
        "two weeks ago",
        Date,
        "2016-W10",
    );
    check("They met last week.", "last week", Date, "2016-W11");
    check(
        "The cabinet met this morning.",
        "this morning",
        Time,
        "2016-03-22TMO",
    );
    check("The vote is tonight.", "tonight", Time, "2016-03-22TNI");
    check(
        "The party held its congress this summer.",
        "this summer",
        Date,
        "2016-SU",
    );
    check("The deal closed last fall.", "last fall", Date, "2015-FA");
}

#[test]
fn weekdays_follow_tense() {
    // Tuesday 2016-03-22: past narration points back, future cues point forward.
    check(
        "The police said on Wednesday that two men were arrested.",
        "Wednesday",
        Date,
        "2016-03-16",
    );
    check(
        "The minister will travel to Brussels on Wednesday.",
        "Wednesday",
        Date,
        "2016-03-23",
    );
    check(
        "The bomb exploded Friday night.",
        "Friday night",
        Date,
        "2016-03-18",
    );
    check("They met last Friday.", "last Friday", Date, "2016-03-18");
}

#[test]
fn months_without_year() {
    check(
        "The attack took place in September.",
        "September",
        Date,
        "2015-09",
    );
    check(
        "The trial will open in September.",
        "September",
        Date,
        "2016-09",
    );
    check("Troops arrived in mid-March.", "mid-March", Date, "2016-03");
}

#[test]
fn modified_and_vague_dates() {
    check(
        "Unemployment peaked in the early 1990s.",
        "the early 1990s",
        Date,
        "199X",
    );
    check("The 1990s were quiet.", "The 1990s", Date, "199X");
    check(
        "The plan runs until the end of the year.",
        "the end of the year",
        Date,
        "2016",
    );
    check("Troops are now in the city.", "now", Date, "PRESENT_REF");
    check(
        "He currently lives in Kent.",
        "currently",
        Date,
        "PRESENT_REF",
    );
    check("He recently moved to Kent.", "recently", Date, "PAST_REF");
    check(
        "Such attacks happened in the past.",
        "the past",
        Date,
        "PAST_REF",
    );
    check(
        "It may change in the future.",
        "the future",
        Date,
        "FUTURE_REF",
    );
    check(
        "It was built in the 20th century.",
        "the 20th century",
        Date,
        "19",
    );
}

#[test]
fn quarters_and_fiscal_years() {
    check(
        "Profit rose in the third quarter.",
        "the third quarter",
        Date,
        "2015-Q3",
    );
    check(
        "Third-quarter profit rose.",
        "Third-quarter",
        Date,
        "2015-Q3",
    );
    check(
        "Profit rose 5% in the first quarter of 2014.",
        "the first quarter of 2014",
        Date,
        "2014-Q1",
    );
    check(
        "Sales in fiscal 2015 were flat.",
        "fiscal 2015",
        Date,
        "2015",
    );
    check(
        "Sales in the first half were flat.",
        "the first half",
        Date,
        "2016-H1",
    );
}

#[test]
fn financial_narrative_uses_the_reported_quarter() {
    let t = times(
        "Net income rose in the third quarter, from $3 million a year earlier.",
        Some("2016-10-20"),
    );
    let values: Vec<&str> = t.iter().map(|x| x.2.as_str()).collect();
    assert_eq!(values, ["2016-Q3", "2015-Q3"], "{t:?}");
}

#[test]
fn durations() {
    check("The siege lasted two weeks.", "two weeks", Duration, "P2W");
    check(
        "Prices rose over the last three years.",
        "the last three years",
        Duration,
        "P3Y",
    );
    check(
        "The talks lasted five hours.",
        "five hours",
        Duration,
        "PT5H",
    );
    check("It was a one-day strike.", "one-day", Duration, "P1D");
    check("The war went on for years.", "years", Duration, "PXY");
    check(
        "He was held for more than 18 months.",
        "more than 18 months",
        Duration,
        "P18M",
    );
    check(
        "The war lasted 2 1/2 years.",
        "2 1/2 years",
        Duration,
        "P2Y6M",
    );
    check(
        "Nothing changed in the past decade.",
        "the past decade",
        Duration,
        "P10Y",
    );
    // TimeML marks the measure only: "two weeks later" is the duration "two weeks".
    check(
        "Two weeks later the town fell.",
        "Two weeks",
        Duration,
        "P2W",
    );
}

#[test]
fn sets() {
    check("The magazine is published weekly.", "weekly", Set, "P1W");
    check(
        "The council meets every Monday.",
        "every Monday",
        Set,
        "XXXX-WXX-1",
    );
    check("Prices are updated daily.", "daily", Set, "P1D");
    check("The fee is paid each year.", "each year", Set, "P1Y");
}

#[test]
fn clock_times() {
    check(
        "The blast came at 10:35 a.m. local time.",
        "10:35 a.m.",
        Time,
        "2016-03-22T10:35",
    );
    check(
        "The deadline expires at 5 p.m. EST Friday.",
        "5 p.m. EST Friday",
        Time,
        "2016-03-18T17:00",
    );
}

#[test]
fn holidays() {
    check(
        "The rally was held on Christmas Day.",
        "Christmas Day",
        Date,
        "2015-12-25",
    );
    check(
        "He arrived on Thanksgiving Day.",
        "Thanksgiving Day",
        Date,
        "2015-11-26",
    );
}

#[test]
fn narrative_anchor() {
    let t = times(
        "The group was founded in March 1998. The following year it split.",
        Some(DCT),
    );
    let values: Vec<&str> = t.iter().map(|x| x.2.as_str()).collect();
    assert_eq!(values, ["1998-03", "1999"], "{t:?}");
}

#[test]
fn not_temporal() {
    for text in [
        "The 6-year-old boy was found.",
        "He is 52 years old.",
        "They sold 1990 shares.",
        "A second group of directors resigned.",
        "Qantas adds 700 seats a week.",
        "She may come.",
        "Profits may 10 times exceed costs.",
        "The march on the capital began.",
        "",
    ] {
        assert!(
            times(text, Some(DCT)).is_empty(),
            "{text:?} gave {:?}",
            times(text, Some(DCT))
        );
    }
}

#[test]
fn without_publication_date() {
    assert_eq!(one_nodct("They met yesterday."), "XXXX-XX-XX");
    assert_eq!(one_nodct("They met on Friday."), "XXXX-WXX-5");
    assert_eq!(one_nodct("They met in 1998."), "1998");
    assert_eq!(one_nodct("They met in September."), "XXXX-09");
}

fn one_nodct(text: &str) -> String {
    let t = times(text, None);
    assert_eq!(t.len(), 1, "{text:?} gave {t:?}");
    t[0].2.clone()
}

#[test]
fn offsets_are_code_points() {
    let text = "«Réunion» à Paris — le 3 janvier? No: on March 3, 2016 – “today”.";
    let found = extract_times(text, Some(DCT));
    assert!(found.len() >= 2, "{found:?}");
    for t in &found {
        let got: String = text.chars().skip(t.start).take(t.end - t.start).collect();
        assert_eq!(got, t.text);
        assert_eq!(t.extractor, "time-rules");
    }
    assert!(found
        .iter()
        .any(|t| t.text == "March 3, 2016" && t.value == "2016-03-03"));
}

#[test]
fn hostile_input_does_not_panic() {
    let long_digits = "9".repeat(5000);
    let inputs = [
        "\u{0}\u{ffff}🚀 12:99 a.m. 31/31/31 9999-99-99 0000-01-01",
        long_digits.as_str(),
        "the the the the the last next this that of the end of the the",
        "Feb. 30, 2015 and Feb. 29, 2015 and Feb. 29, 2016",
        "nineteen ninety- twenty - one hundred years ago 99999999 years ago",
        "'80s '8 ' 1990-",
        "Monday Mondays Monday nights every every each other",
        "2015-W 2015-W99 1999-12-",
    ];
    for dct in [
        Some("2016-03-22"),
        Some("9999-12-31T23:59"),
        Some("0001-01-01"),
        Some("garbage"),
        None,
    ] {
        for text in &inputs {
            let found = extract_times(text, dct);
            for t in found {
                assert!(t.start < t.end && t.end <= text.chars().count());
            }
        }
    }
    // time-boxed: a long document is linear
    let big = "On Friday the company said profit fell 5% in the third quarter. ".repeat(20_000);
    let t0 = std::time::Instant::now();
    let n = extract_times(&big, Some(DCT)).len();
    assert_eq!(n, 40_000);
    assert!(t0.elapsed().as_secs() < 20);
}

/// Random sequences over a temporal vocabulary reach deep rule paths: no panic, spans valid.
#[test]
fn random_temporal_word_salad_does_not_panic() {
    const VOCAB: &[&str] = &[
        "the",
        "a",
        "last",
        "next",
        "this",
        "that",
        "past",
        "coming",
        "following",
        "first",
        "third",
        "quarter",
        "-",
        "year",
        "years",
        "'",
        "s",
        "ago",
        "earlier",
        "later",
        "of",
        "end",
        "Friday",
        "Fridays",
        "night",
        "nights",
        "morning",
        "March",
        "May",
        "Sept",
        ".",
        ",",
        "1998",
        "2016",
        "31",
        "0",
        "12:30",
        "a.m.",
        "p",
        "m",
        "noon",
        "midnight",
        "every",
        "each",
        "other",
        "daily",
        "now",
        "nineteen",
        "ninety",
        "five",
        "twenty",
        "couple",
        "few",
        "1",
        "/",
        "2",
        "half",
        "fiscal",
        "week",
        "weekend",
        "W",
        "45",
        "99",
        "century",
        "20th",
        "th",
        "Christmas",
        "Day",
        "Election",
        "New",
        "Year",
        "mid",
        "early",
        "late",
        "more",
        "than",
        "at",
        "least",
        "year-earlier",
        "long",
        "old",
        "9999",
        "0001",
        "é",
        "🚀",
        "\n",
        "EST",
        "today",
        "yesterday",
        "tonight",
        "will",
        "said",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let dcts = [
        Some("2016-03-22"),
        Some("9999-12-31"),
        Some("0001-01-01T00:00"),
        None,
    ];
    for round in 0..4000 {
        let len = 1 + next() % 14;
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(VOCAB[next() % VOCAB.len()]);
            if next() % 3 != 0 {
                text.push(' ');
            }
        }
        let n_chars = text.chars().count();
        for t in extract_times(&text, dcts[round % dcts.len()]) {
            assert!(t.start < t.end && t.end <= n_chars, "{text:?}: {t:?}");
            assert!(!t.value.is_empty(), "{text:?}: {t:?}");
        }
    }
}
