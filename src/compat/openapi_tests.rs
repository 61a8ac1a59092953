//! The OpenAPI document against the dialects' routers: every route served is documented.

use super::openapi::ROUTES;

/// The routes a dialect's `routes()` declares, as (path with `{}` for each parameter,
/// method), read from its source: `.route(PATH, get(..).post(..))`, where PATH is a literal
/// or a `const` of the same file.
fn declared(source: &str) -> Vec<(String, String)> {
    let constant = |name: &str| {
        let marker = format!("const {name}: &str = \"");
        source
            .split_once(&marker)
            .and_then(|(_, rest)| rest.split_once('"').map(|(value, _)| value.to_owned()))
    };
    let mut found = Vec::new();
    for call in source.split(".route(").skip(1) {
        let call = call.trim_start();
        // The arguments up to the call's closing parenthesis.
        let mut depth = 1;
        let end = call
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(call.len(), |(i, _)| i);
        let call = &call[..end];
        let (path, methods) = call.split_once(',').unwrap_or((call, ""));
        let path = path.trim();
        let path = match path.strip_prefix('"') {
            Some(literal) => literal.trim_end_matches('"').to_owned(),
            None => constant(path).unwrap_or_else(|| panic!("unknown path {path}")),
        };
        let path = normalise(&path);
        for method in ["get", "post", "put", "patch", "delete"] {
            let called =
                methods.contains(&format!("{method}(")) || methods.contains(&format!(".{method}("));
            if called {
                found.push((path.clone(), method.to_owned()));
            }
        }
    }
    found
}

/// `/iam/users/{user_id}` and `/iam/users/{userId}` alike: `/iam/users/{}`.
fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.trim_end_matches('/').chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

/// SECURITY.md rule 17: every route a dialect serves is documented, and so is called by
/// every kind of caller in the integration tests that walk the document
/// (`compat::the_openapi_document_lists_routes_that_exist`, anonymous; the dialects' own
/// tests and the isolation matrix, with credentials).
#[test]
fn every_route_a_dialect_serves_is_in_the_document() {
    let documented: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(path, method, ..)| (normalise(path), (*method).to_owned()))
        .collect();
    let mut undocumented = Vec::new();
    for (dialect, source) in [
        ("gcore", include_str!("gcore/mod.rs")),
        ("vobiz", include_str!("vobiz/mod.rs")),
        ("ovh", include_str!("ovh/mod.rs")),
        ("tencent", include_str!("tencent/mod.rs")),
    ] {
        let routes = declared(source);
        assert!(!routes.is_empty(), "{dialect}: no routes read");
        undocumented.extend(
            routes
                .into_iter()
                .filter(|route| !documented.contains(route))
                .map(|(path, method)| format!("{dialect}: {method} {path}")),
        );
    }
    assert!(
        undocumented.is_empty(),
        "routes served but missing from the OpenAPI document: {undocumented:?}"
    );
}
