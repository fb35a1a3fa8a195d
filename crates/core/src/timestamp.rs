//! A point in time, to the second, in UTC: audit times, validity periods, renewal dates.

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z (negative before it: some old certificates start in the
/// 1950s). Shown in RFC 3339 form, `2026-06-01T00:00:00Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A time that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an RFC 3339 time (2026-06-01T00:00:00Z) or a date (2026-06-01)")]
pub struct TimeError(pub String);

impl Timestamp {
    /// From Unix seconds.
    pub const fn from_unix(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    /// Midnight UTC of a date (proleptic Gregorian), usable in constants.
    pub const fn from_date(year: i32, month: u32, day: u32) -> Timestamp {
        // Days from civil (Howard Hinnant's algorithm), in const fn form.
        let y = if month <= 2 { year - 1 } else { year } as i64;
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Timestamp((era * 146097 + doe - 719468) * 86400)
    }

    /// The current time.
    pub fn now() -> Timestamp {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        Timestamp(since.map(|d| d.as_secs() as i64).unwrap_or(0))
    }

    /// Reads an RFC 3339 time (`2026-06-01T12:00:00+02:00`) or a date (`2026-06-01`, midnight
    /// UTC).
    pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
        use time::format_description::well_known::Rfc3339;
        if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(Timestamp(t.unix_timestamp()));
        }
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &fmt)
            .map(|d| Timestamp(d.midnight().assume_utc().unix_timestamp()))
            .map_err(|_| TimeError(text.to_string()))
    }

    /// Unix seconds.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// This time plus whole days (minus, for negative `days`).
    pub const fn plus_days(self, days: i64) -> Timestamp {
        Timestamp(self.0 + days * 86_400)
    }

    /// This time plus seconds.
    pub const fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0 + seconds)
    }

    /// Whole days from `self` to `later`, rounded down (negative when `later` is earlier).
    pub const fn days_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(86_400)
    }

    /// The date part, `2026-06-01`.
    pub fn date(self) -> String {
        self.rfc3339()[..10].to_string()
    }

    /// RFC 3339 in UTC: `2026-06-01T00:00:00Z`.
    pub fn rfc3339(self) -> String {
        // Years 0 to 9999 by integer arithmetic (an audit writes several per certificate);
        // anything else through the time crate.
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if (0..=9999).contains(&y) {
            let mut out = String::with_capacity(20);
            // Each number with its separator after it.
            for (n, width, sep) in [
                (y, 4, '-'),
                (m, 2, '-'),
                (d, 2, 'T'),
                (secs / 3600, 2, ':'),
                (secs / 60 % 60, 2, ':'),
                (secs % 60, 2, 'Z'),
            ] {
                for place in (0..width).rev() {
                    let digit = n / 10i64.pow(place) % 10;
                    out.push(char::from(b'0' + digit as u8));
                }
                out.push(sep);
            }
            return out;
        }
        match time::OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(d) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                d.year(),
                d.month() as u8,
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            ),
            Err(_) => self.0.to_string(),
        }
    }
}

/// (year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_days() {
        assert_eq!(Timestamp::from_date(1970, 1, 1).unix(), 0);
        assert_eq!(Timestamp::from_date(2026, 3, 15).unix(), 1_773_532_800);
        assert_eq!(Timestamp::from_date(2000, 3, 1).unix(), 951_868_800);
        let june = Timestamp::parse("2026-06-01").unwrap();
        assert_eq!(june, Timestamp::parse("2026-06-01T02:00:00+02:00").unwrap());
        assert_eq!(june.to_string(), "2026-06-01T00:00:00Z");
        assert_eq!(june.date(), "2026-06-01");
        assert_eq!(june.days_until(june.plus_seconds(86_399)), 0);
        assert_eq!(june.days_until(june.plus_seconds(-1)), -1);
        assert_eq!(june.plus_days(30).date(), "2026-07-01");
        let e = Timestamp::parse("June 1").unwrap_err();
        assert!(e.to_string().contains("'June 1' is not an RFC 3339 time"));
        // The fast path agrees with the time crate, days and seconds alike, across leap years
        // and centuries, before and after 1970.
        for t in (-2_208_988_800i64..=4_102_444_800).step_by(86_400 * 37 + 3_607) {
            let want = time::OffsetDateTime::from_unix_timestamp(t).unwrap();
            let want = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                want.year(),
                want.month() as u8,
                want.day(),
                want.hour(),
                want.minute(),
                want.second()
            );
            assert_eq!(Timestamp(t).rfc3339(), want, "{t}");
        }
        assert_eq!(
            Timestamp::from_date(2000, 2, 29).rfc3339(),
            "2000-02-29T00:00:00Z"
        );
        let json = serde_json::to_string(&june).unwrap();
        assert_eq!(json, "\"2026-06-01T00:00:00Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), june);
    }
}
