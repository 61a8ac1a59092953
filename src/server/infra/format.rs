//! How times are shown.

/// `2026-11-22 09:15 UTC` for Unix seconds; the epoch itself for an impossible value.
pub fn datetime(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// `2026-11-22T09:15:00Z` (RFC 3339, UTC), as the compatible APIs answer.
pub fn rfc3339(unix_seconds: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// `2026-11-22`.
pub fn date(unix_seconds: i64) -> String {
    rfc3339(unix_seconds).chars().take(10).collect()
}

/// A date typed as `YYYY-MM-DD` that is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidDay;

/// The Unix time at which the day typed as `YYYY-MM-DD` starts (UTC); `None` for an empty field.
pub fn day_start(text: &str) -> Result<Option<i64>, InvalidDay> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let mut parts = text.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(InvalidDay);
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return Err(InvalidDay);
    };
    let month = time::Month::try_from(m).map_err(|_| InvalidDay)?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| InvalidDay)?;
    Ok(Some(date.midnight().assume_utc().unix_timestamp()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_in_utc_to_the_minute() {
        assert_eq!(super::datetime(1_795_000_000), "2026-11-18 11:06 UTC");
        assert_eq!(super::rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(super::date(1_795_000_000), "2026-11-18");
    }
}
