//! Text spellings of dates, times and uuids that PostgreSQL, MySQL and
//! SQLite all read: `YYYY-MM-DD`, `HH:MM:SS.ffffff`, `YYYY-MM-DD HH:MM:SS.ffffff`.

use std::fmt::Write;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// A civil date: (year, month 1..=12, day 1..=31).
pub type Civil = (i64, u32, u32);

/// The calendar date `days` after 1970-01-01 (proleptic Gregorian; Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> Civil {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Splits microseconds since the epoch into (days since the epoch, microseconds into that day).
pub fn split_micros(micros: i64) -> (i64, i64) {
    (
        micros.div_euclid(MICROS_PER_DAY),
        micros.rem_euclid(MICROS_PER_DAY),
    )
}

/// (hour, minute, second, microsecond) of microseconds since midnight.
pub fn clock(micros_of_day: i64) -> (u32, u32, u32, u32) {
    let seconds = micros_of_day.div_euclid(MICROS_PER_SECOND);
    (
        (seconds / 3600) as u32,
        (seconds / 60 % 60) as u32,
        (seconds % 60) as u32,
        micros_of_day.rem_euclid(MICROS_PER_SECOND) as u32,
    )
}

pub fn write_date(out: &mut String, days: i64) {
    let (year, month, day) = civil_from_days(days);
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
}

/// `HH:MM:SS`, with `.ffffff` only when there are microseconds.
pub fn write_time(out: &mut String, micros_of_day: i64) {
    let (hour, minute, second, micro) = clock(micros_of_day);
    let _ = write!(out, "{hour:02}:{minute:02}:{second:02}");
    if micro != 0 {
        let _ = write!(out, ".{micro:06}");
    }
}

pub fn write_timestamp(out: &mut String, micros: i64) {
    let (days, micros_of_day) = split_micros(micros);
    write_date(out, days);
    out.push(' ');
    write_time(out, micros_of_day);
}

/// The hyphenated lower-case form, `8-4-4-4-12`.
pub fn write_uuid(out: &mut String, bytes: &[u8; 16]) {
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{byte:02x}");
    }
}

pub fn uuid_string(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    write_uuid(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_around_the_epoch_and_leap_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(10_957), (2000, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn timestamps_show_microseconds_only_when_present() {
        let mut out = String::new();
        write_timestamp(&mut out, 1_700_000_000_123_456);
        assert_eq!(out, "2023-11-14 22:13:20.123456");
        out.clear();
        write_timestamp(&mut out, -1_000_000);
        assert_eq!(out, "1969-12-31 23:59:59");
    }

    #[test]
    fn uuids_are_hyphenated() {
        let bytes = [
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            0xcd, 0xef,
        ];
        assert_eq!(uuid_string(&bytes), "12345678-9abc-def0-0123-456789abcdef");
    }
}
