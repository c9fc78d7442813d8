//! Calendar arithmetic for dates and timestamps (UTC, proleptic Gregorian).

pub(crate) const MICROS_PER_SECOND: i64 = 1_000_000;
pub(crate) const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of days since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|+HH[:MM]|-HH[:MM]]` into microseconds since the epoch.
pub(crate) fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        text.get(range)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))?
            .parse()
            .ok()
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut micros = days_from_civil(year, month, day) * MICROS_PER_DAY;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(micros);
    }
    let rest = rest.strip_prefix([' ', 'T'])?;
    let (clock, zone) = match rest.find(['Z', '+', '-']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut parts = clock.split(':');
    let hour: i64 = parts.next()?.parse().ok()?;
    let minute: i64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
    micros += hour * 3_600 * MICROS_PER_SECOND + minute * 60 * MICROS_PER_SECOND;
    micros += (seconds * MICROS_PER_SECOND as f64).round() as i64;
    if let Some(offset) = zone.strip_prefix(['+', '-']) {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let mut parts = offset.split(':');
        let hours: i64 = parts.next()?.parse().ok()?;
        let minutes: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
        micros -= sign * (hours * 3_600 + minutes * 60) * MICROS_PER_SECOND;
    }
    Some(micros)
}

/// Writes `YYYY-MM-DD`.
pub(crate) fn write_date(out: &mut String, days: i64) {
    let (year, month, day) = civil_from_days(days);
    push_padded(out, year, 4);
    out.push('-');
    push_padded(out, i64::from(month), 2);
    out.push('-');
    push_padded(out, i64::from(day), 2);
}

/// Writes `HH:MM:SS[.ffffff]` of microseconds since midnight.
pub(crate) fn write_time(out: &mut String, micros: i64) {
    let seconds = micros.div_euclid(MICROS_PER_SECOND);
    let fraction = micros.rem_euclid(MICROS_PER_SECOND);
    push_padded(out, seconds / 3_600, 2);
    out.push(':');
    push_padded(out, seconds / 60 % 60, 2);
    out.push(':');
    push_padded(out, seconds % 60, 2);
    if fraction != 0 {
        out.push('.');
        push_padded(out, fraction, 6);
    }
}

/// Writes a timestamp with `separator` between date and time (`' '` for SQL, `'T'` for ISO 8601).
pub(crate) fn write_timestamp(out: &mut String, micros: i64, separator: char) {
    write_date(out, micros.div_euclid(MICROS_PER_DAY));
    out.push(separator);
    write_time(out, micros.rem_euclid(MICROS_PER_DAY));
}

/// Appends `value` with at least `width` digits, without allocating.
fn push_padded(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = value.unsigned_abs();
    let mut start = digits.len();
    while rest > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    for _ in digits.len() - start..width {
        out.push('0');
    }
    // ASCII digits only: always valid UTF-8.
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_089, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn parses_and_writes_timestamps() {
        let micros = parse_timestamp("2024-02-29 13:45:06.5+02").unwrap();
        let mut out = String::new();
        write_timestamp(&mut out, micros, 'T');
        assert_eq!(out, "2024-02-29T11:45:06.500000");
        assert_eq!(parse_timestamp("2020-01-01"), Some(18_262 * MICROS_PER_DAY));
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
