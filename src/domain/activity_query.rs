//! The Activity page's filter, as the address bar carries it.

use serde::{Deserialize, Serialize};

/// The filter form as the address bar carries it: text as typed. The same fields narrow the
/// page and the CSV download.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub target: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub to: String,
    /// Where the page starts: the `cursor` of the last event of the page before.
    #[serde(default)]
    pub after: String,
}

impl ActivityQuery {
    /// The query string of this filter (without `after`), for links to other pages and to the
    /// CSV file.
    pub fn to_query_string(&self) -> String {
        use crate::domain::navigation::encode_query_value;
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}
