//! Publication dates from metadata → ISO 8601.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Normalises a date as found in metadata (ISO 8601, RFC 2822, "March 5, 2017",
/// "5 March 2017", "2017/03/05") to `YYYY-MM-DD`, or to RFC 3339 when a time is
/// given. `None` if it is not recognisably a date.
pub fn normalize_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.to_rfc3339());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.to_rfc3339());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.to_rfc3339());
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
    let date_formats = [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%Y.%m.%d",
        "%Y%m%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%B %d %Y",
        "%b %d %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%d %B, %Y",
        "%A, %B %d, %Y",
        "%A %d %B %Y",
        "%a, %d %b %Y",
        "%d.%m.%Y",
    ];
    for fmt in date_formats {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    // A leading ISO date followed by anything else ("2017-10-25T10:00:00 GMT").
    if let Some(head) = s.get(..10) {
        if let Ok(d) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::normalize_date as n;

    #[test]
    fn normalises_common_shapes() {
        assert_eq!(n("2017-10-25").as_deref(), Some("2017-10-25"));
        assert_eq!(
            n("2017-10-25T08:30:00Z").as_deref(),
            Some("2017-10-25T08:30:00+00:00")
        );
        assert_eq!(
            n("Wed, 25 Oct 2017 08:30:00 +0200").as_deref(),
            Some("2017-10-25T08:30:00+02:00")
        );
        assert_eq!(n("October 25, 2017").as_deref(), Some("2017-10-25"));
        assert_eq!(n("25 October 2017").as_deref(), Some("2017-10-25"));
        assert_eq!(
            n("2017-10-25T08:30:00").as_deref(),
            Some("2017-10-25T08:30:00")
        );
        assert_eq!(n("2017-10-25 garbage").as_deref(), Some("2017-10-25"));
        assert_eq!(n("yesterday"), None);
        assert_eq!(n("2017-13-45"), None);
    }
}
