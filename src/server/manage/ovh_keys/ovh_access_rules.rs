//! What an OVH consumer key may call: access rules with globs, as OVH writes them.

use super::*;

/// The most access rules one consumer key may carry.
pub const MAX_RULES: usize = 100;
pub(super) const MAX_RULE_PATH: usize = 512;
pub(super) const MAX_APPLICATION_NAME: usize = 64;

/// One access rule: an HTTP method and a path relative to `/1.0`, where `*` matches any run of
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRule {
    pub method: String,
    pub path: String,
}

pub const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

impl AccessRule {
    /// Checks one rule as requested; the message names the problem without echoing the value.
    pub fn parse(method: &str, path: &str) -> Result<Self, String> {
        let method = method.trim().to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Err("Each access rule's method is GET, POST, PUT or DELETE.".to_owned());
        }
        let path = path.trim();
        if !path.starts_with('/')
            || path.len() > MAX_RULE_PATH
            || path.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(format!(
                "Each access rule's path starts with / and has at most {MAX_RULE_PATH} characters, without spaces."
            ));
        }
        Ok(Self {
            method,
            path: path.to_owned(),
        })
    }

    pub fn allows(&self, method: &str, path: &str) -> bool {
        self.method == method && glob(&self.path, path)
    }
}

/// Whether any of `rules` allows `method` on `path` (relative to `/1.0`, without the query).
pub fn allowed(rules: &[AccessRule], method: &str, path: &str) -> bool {
    rules.iter().any(|r| r.allows(method, path))
}

/// `pattern` matches `text` in full, `*` matching any run of characters (empty included).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Every method on every path: what a key made by `createConsumerKey` may do.
pub fn everything() -> Vec<AccessRule> {
    METHODS
        .iter()
        .map(|m| AccessRule {
            method: (*m).to_owned(),
            path: "/*".to_owned(),
        })
        .collect()
}

pub(super) fn rules_json(rules: &[AccessRule]) -> Result<String, AppError> {
    serde_json::to_string(rules).map_err(|e| AppError::from(anyhow::Error::new(e)))
}

/// The stored rules; a row that cannot be read allows nothing.
pub fn rules_from(json: &str) -> Vec<AccessRule> {
    serde_json::from_str(json).unwrap_or_default()
}
