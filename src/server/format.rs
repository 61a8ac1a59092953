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

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_in_utc_to_the_minute() {
        assert_eq!(super::datetime(1_795_000_000), "2026-11-18 11:06 UTC");
        assert_eq!(super::rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(super::date(1_795_000_000), "2026-11-18");
    }
}
