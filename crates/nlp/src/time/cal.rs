//! Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01),
//! enough for TIMEX3 values: weekdays, ISO weeks, month and year shifts.

/// A calendar day. Only valid dates are constructed (see [`Day::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn month_len(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

impl Day {
    /// A valid date, or none (years limited to 1..=9999 so values stay 4 digits).
    pub fn new(y: i32, m: u32, d: u32) -> Option<Day> {
        if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > month_len(y, m) {
            return None;
        }
        Some(Day { y, m, d })
    }

    /// Days since 1970-01-01 (Hinnant's days_from_civil).
    pub fn num(self) -> i64 {
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.m);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Inverse of [`Day::num`]; none outside years 1..=9999.
    pub fn from_num(z: i64) -> Option<Day> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Day::new(
            i32::try_from(y).ok()?,
            u32::try_from(m).ok()?,
            u32::try_from(d).ok()?,
        )
    }

    /// 1 = Monday ... 7 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        (self.num() + 3).rem_euclid(7) as u32 + 1
    }

    pub fn add_days(self, n: i64) -> Option<Day> {
        Day::from_num(self.num().checked_add(n)?)
    }

    /// Shift by whole months, clamping the day to the target month's length.
    pub fn add_months(self, n: i64) -> Option<Day> {
        let total = i64::from(self.y) * 12 + i64::from(self.m) - 1 + n;
        let y = i32::try_from(total.div_euclid(12)).ok()?;
        let m = u32::try_from(total.rem_euclid(12)).ok()? + 1;
        if !(1..=9999).contains(&y) {
            return None;
        }
        Day::new(y, m, self.d.min(month_len(y, m)))
    }

    /// ISO 8601 week (year, week number).
    pub fn iso_week(self) -> (i32, u32) {
        let thursday = self.add_days(4 - i64::from(self.weekday())).unwrap_or(self);
        let jan1 = Day {
            y: thursday.y,
            m: 1,
            d: 1,
        };
        let doy = thursday.num() - jan1.num();
        (thursday.y, (doy / 7 + 1) as u32)
    }

    pub fn quarter(self) -> u32 {
        (self.m - 1) / 3 + 1
    }

    pub fn ymd(self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }

    pub fn ym(self) -> String {
        format!("{:04}-{:02}", self.y, self.m)
    }

    pub fn week(self) -> String {
        let (y, w) = self.iso_week();
        format!("{y:04}-W{w:02}")
    }
}

/// Parse `YYYY-MM-DD` (anything after the day, e.g. `T10:30`, is ignored) and the
/// optional `hh:mm` after a `T`.
pub fn parse_dct(s: &str) -> Option<(Day, Option<(u32, u32)>)> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> { s.get(r)?.parse::<u32>().ok() };
    if b.len() < 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let day = Day::new(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let time = if b.get(10) == Some(&b'T') && b.get(13) == Some(&b':') {
        match (num(11..13), num(14..16)) {
            (Some(h), Some(m)) if h < 24 && m < 60 => Some((h, m)),
            _ => None,
        }
    } else {
        None
    };
    Some((day, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_weekdays() {
        let d = Day::new(2016, 3, 22).unwrap();
        assert_eq!(Day::from_num(d.num()), Some(d));
        assert_eq!(d.weekday(), 2); // a Tuesday
        assert_eq!(Day::new(1970, 1, 1).unwrap().num(), 0);
        assert_eq!(Day::new(2015, 11, 13).unwrap().week(), "2015-W46");
        assert_eq!(Day::new(2021, 1, 3).unwrap().week(), "2020-W53");
        assert_eq!(
            Day::new(2016, 3, 31).unwrap().add_months(-1).unwrap().ymd(),
            "2016-02-29"
        );
        assert_eq!(Day::new(9999, 12, 31).unwrap().add_days(1), None);
        assert_eq!(Day::new(2015, 2, 29), None);
    }

    #[test]
    fn dct_forms() {
        assert_eq!(parse_dct("1998-02-27T17:07").unwrap().1, Some((17, 7)));
        assert_eq!(
            parse_dct("1998-08-07T06:18:00").unwrap().0.ymd(),
            "1998-08-07"
        );
        assert!(parse_dct("1998-13-01").is_none());
        assert!(parse_dct("19").is_none());
        assert!(parse_dct("1998-é1-01").is_none());
    }
}
