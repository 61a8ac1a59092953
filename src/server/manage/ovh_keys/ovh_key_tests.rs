//! Tests of the OVH key services.

use super::*;

#[test]
fn rules_match_with_stars() {
    assert!(glob("/me/*", "/me/identity/user"));
    assert!(glob("/me/*", "/me/"));
    assert!(!glob("/me/*", "/me"));
    assert!(glob("/*", "/anything/at/all"));
    assert!(glob("/me", "/me"));
    assert!(!glob("/me", "/me/x"));
    assert!(glob(
        "/me/identity/user/*/enable",
        "/me/identity/user/bob/enable"
    ));
    assert!(!glob(
        "/me/identity/user/*/enable",
        "/me/identity/user/bob/disable"
    ));
    assert!(glob("*", ""));
    assert!(glob("/a*b*c", "/aXbYbZc"));
    let rule = AccessRule::parse("get", "/me/identity/*").unwrap();
    assert!(rule.allows("GET", "/me/identity/user"));
    assert!(!rule.allows("POST", "/me/identity/user"));
    assert!(AccessRule::parse("PATCH", "/me").is_err());
    assert!(AccessRule::parse("GET", "me").is_err());
    assert!(AccessRule::parse("GET", "/me x").is_err());
    assert!(allowed(&everything(), "DELETE", "/me/subAccount/1"));
}

#[test]
fn stored_rules_round_trip_and_bad_ones_allow_nothing() {
    let json = rules_json(&everything()).unwrap();
    assert_eq!(rules_from(&json), everything());
    assert!(rules_from("not json").is_empty());
}
