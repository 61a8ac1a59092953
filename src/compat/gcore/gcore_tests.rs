//! Tests of the Gcore dialect: bad input, token expiry times.

use super::*;

#[test]
fn expiry_times_are_read_as_rfc_3339() {
    assert_eq!(parse_time("2026-11-22T12:00:00Z"), Ok(1_795_348_800));
    assert_eq!(parse_time("2026-11-22T12:00:00.123456Z"), Ok(1_795_348_800));
    assert_eq!(parse_time("2026-11-22T14:00:00+02:00"), Ok(1_795_348_800));
    assert_eq!(parse_time("2026-11-22T10:00:00-02:00"), Ok(1_795_348_800));
    for bad in [
        "",
        "2026-11-22",
        "2026-02-30T00:00:00Z",
        "2026-11-22T25:00:00Z",
        "soon",
        "2026-11-22T12:00:00",
    ] {
        assert!(parse_time(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn gcore_roles_map_both_ways() {
    for role in Role::ALL {
        let body: RoleBody = serde_json::from_value(role_json(role)).unwrap();
        assert_eq!(role_from(&body).unwrap(), role);
    }
    assert!(
        role_from(&RoleBody {
            id: Some(3009),
            name: None
        })
        .is_err()
    );
    assert_eq!(login_from_email("jo.smith+x@example.com"), "jo.smithx");
    assert_eq!(login_from_email("@example.com"), "user");
}

/// Bad input: bodies and expiry times are read without panicking, refusals never repeat a
/// value, and what Steward writes it reads back.
mod properties {
    use super::*;
    use crate::compat::kit::bad_input;
    use crate::domain::LoginName;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bodies_are_accepted_or_refused_without_repeating_them(
            (secret, bytes) in bad_input::body(&[
                "company", "client_user", "role", "id", "name", "exp_date", "description",
                "email", "phone", "lang", "auth_types", "client_id", "user_role",
            ]),
        ) {
            bad_input::check_body::<CreateClientBody>(&secret, &bytes)?;
            bad_input::check_body::<CreateTokenBody>(&secret, &bytes)?;
            bad_input::check_body::<UpdateUserBody>(&secret, &bytes)?;
            bad_input::check_body::<InviteBody>(&secret, &bytes)?;
            bad_input::check_body::<RoleBody>(&secret, &bytes)?;
            if let Ok(body) = parse_body::<CreateTokenBody>(Ok(Bytes::from(bytes.clone()))) {
                let _ = role_from(&body.client_user.role);
                if let Some(Err(message)) = body.exp_date.as_deref().map(parse_time) {
                    bad_input::check_message(&secret, message)?;
                }
            }
            if let Ok(body) = parse_body::<InviteBody>(Ok(Bytes::from(bytes))) {
                let _ = role_from(&body.user_role);
                let login = login_from_email(body.email.as_deref().unwrap_or_default());
                prop_assert!(LoginName::parse(&login).is_ok(), "{:?}", login);
            }
        }

        #[test]
        fn any_expiry_text_is_read_without_panicking(
            input in prop_oneof![
                any::<String>(),
                "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}[Tt ][0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(\\.[0-9]{0,9})?([Zz]|[+-][0-9]{0,3}:?[0-9]{0,3})?",
            ],
        ) {
            let _ = parse_time(&input);
        }

        #[test]
        fn an_expiry_time_reads_back_whatever_its_offset(
            at in -62_000_000_000i64..250_000_000_000,
            offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i64),
        ) {
            prop_assert_eq!(parse_time(&rfc3339(at)), Ok(at));
            let local = rfc3339(at + offset_minutes * 60);
            let sign = if offset_minutes < 0 { '-' } else { '+' };
            let shifted = format!(
                "{}{sign}{:02}:{:02}",
                local.trim_end_matches('Z'),
                offset_minutes.abs() / 60,
                offset_minutes.abs() % 60
            );
            prop_assert_eq!(parse_time(&shifted), Ok(at), "{}", shifted);
        }

        #[test]
        fn an_invited_user_always_gets_a_valid_login(email in any::<String>()) {
            let login = login_from_email(&email);
            prop_assert!(LoginName::parse(&login).is_ok(), "{:?}", login);
        }
    }
}
