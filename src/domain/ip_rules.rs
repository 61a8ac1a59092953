//! IP rules: which client addresses an account (or a sub-account) lets in. An ordered list of
//! IPv4 and IPv6 ranges, each accepted or denied, and a default for addresses no rule names.
//! The first rule whose range holds the address decides, as in a firewall.
//!
//! Rules are written one per line, `ACCEPT 203.0.113.0/24 Office` or `DENY 2001:db8::/32`: the
//! action, the range (a bare address is a range of one), and an optional description. A text
//! box of lines keeps the order visible, pastes from a firewall's export, and works without
//! JavaScript.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// The most rules one account keeps: every request is judged against them.
pub const MAX_RULES: usize = 100;

/// The longest description of a rule.
pub const MAX_DESCRIPTION: usize = 255;

/// What a rule, or the default, does with an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum IpAction {
    #[default]
    Accept,
    Deny,
}

impl IpAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Accept => "ACCEPT",
            Self::Deny => "DENY",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        if code.eq_ignore_ascii_case("ACCEPT") {
            Some(Self::Accept)
        } else if code.eq_ignore_ascii_case("DENY") {
            Some(Self::Deny)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRule {
    pub action: IpAction,
    pub range: IpNet,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// An account's rules and default. The empty policy (no rule, accept) lets everyone in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IpPolicy {
    #[serde(default)]
    pub default: IpAction,
    #[serde(default)]
    pub rules: Vec<IpRule>,
}

/// Why an address was refused: by rule number `n` (from 1), or by the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Rule { number: usize, description: String },
    Default,
}

impl Refusal {
    /// For the activity log: which rule refused.
    pub fn detail(&self) -> String {
        match self {
            Self::Rule {
                number,
                description,
            } if description.is_empty() => format!("IP rule {number}"),
            Self::Rule {
                number,
                description,
            } => format!("IP rule {number} ({description})"),
            Self::Default => "IP rules: default deny".to_owned(),
        }
    }
}

/// A line of the rules that cannot be read, by number (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Not `ACCEPT` or `DENY`.
    Action(usize),
    /// Not an address or a range in CIDR notation.
    Range(usize),
    Description(usize),
    TooMany,
}

impl IpPolicy {
    /// Reads `text`, one rule per line; blank lines and lines starting with `#` are skipped. A
    /// range with host bits set is narrowed to its network (`10.0.0.7/24` is `10.0.0.0/24`).
    pub fn parse(default: IpAction, text: &str) -> Result<Self, Vec<LineError>> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.splitn(3, char::is_whitespace);
            let action = words.next().and_then(IpAction::from_code);
            let range = words.next().and_then(parse_range);
            let description = words.next().unwrap_or("").trim().to_owned();
            match (action, range) {
                (None, _) => errors.push(LineError::Action(number)),
                (_, None) => errors.push(LineError::Range(number)),
                (Some(_), Some(_)) if description.chars().count() > MAX_DESCRIPTION => {
                    errors.push(LineError::Description(number));
                }
                (Some(action), Some(range)) => rules.push(IpRule {
                    action,
                    range,
                    description,
                }),
            }
        }
        if rules.len() > MAX_RULES {
            errors.push(LineError::TooMany);
        }
        if errors.is_empty() {
            Ok(Self { default, rules })
        } else {
            Err(errors)
        }
    }

    /// The rules as [`Self::parse`] reads them back.
    pub fn to_text(&self) -> String {
        self.rules
            .iter()
            .map(|rule| {
                let mut line = format!("{} {}", rule.action.code(), rule.range);
                if !rule.description.is_empty() {
                    line.push(' ');
                    line.push_str(&rule.description);
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether the policy lets every address in (nothing to check).
    pub fn is_open(&self) -> bool {
        self.rules.is_empty() && self.default == IpAction::Accept
    }

    /// Whether `address` may come in: the first rule whose range holds it decides, else the
    /// default. An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) is judged as IPv4.
    pub fn judge(&self, address: IpAddr) -> Result<(), Refusal> {
        let address = address.to_canonical();
        let matched = self
            .rules
            .iter()
            .enumerate()
            .find(|(_, rule)| rule.range.contains(&address));
        match matched {
            Some((_, rule)) if rule.action == IpAction::Accept => Ok(()),
            Some((index, rule)) => Err(Refusal::Rule {
                number: index + 1,
                description: rule.description.clone(),
            }),
            None if self.default == IpAction::Accept => Ok(()),
            None => Err(Refusal::Default),
        }
    }

    /// The stored form (`None` for the open policy, which is stored as nothing).
    pub fn to_stored(&self) -> Option<String> {
        (!self.is_open()).then(|| serde_json::to_string(self).unwrap_or_default())
    }

    /// The policy stored as [`Self::to_stored`] wrote it; what cannot be read denies everyone
    /// (a damaged rule set must not open the account).
    pub fn from_stored(stored: Option<&str>) -> Self {
        match stored {
            None => Self::default(),
            Some(text) => serde_json::from_str(text).unwrap_or(Self {
                default: IpAction::Deny,
                rules: Vec::new(),
            }),
        }
    }
}

impl IpPolicy {
    /// The policy of a credential limited to `text`: ranges separated by commas, spaces or
    /// lines (`203.0.113.0/24, 2001:db8::/32`). `None` when `text` names none (anywhere); `Err`
    /// with the ranges that cannot be read.
    pub fn only_from(text: &str) -> Result<Option<Self>, Vec<String>> {
        let entries: Vec<&str> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(None);
        }
        let bad: Vec<String> = entries
            .iter()
            .filter(|e| parse_range(e).is_none())
            .map(|e| e.chars().take(64).collect())
            .collect();
        if !bad.is_empty() {
            return Err(bad);
        }
        if entries.len() > MAX_RULES {
            return Err(vec![String::new()]);
        }
        let rules = entries
            .iter()
            .filter_map(|e| parse_range(e))
            .map(|range| IpRule {
                action: IpAction::Accept,
                range,
                description: String::new(),
            })
            .collect();
        Ok(Some(Self {
            default: IpAction::Deny,
            rules,
        }))
    }

    /// The accepted ranges, as [`Self::only_from`] reads them.
    pub fn ranges(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter(|r| r.action == IpAction::Accept)
            .map(|r| r.range.to_string())
            .collect()
    }
}

/// `203.0.113.0/24`, `2001:db8::/32`, or a bare address (a range of one).
fn parse_range(text: &str) -> Option<IpNet> {
    if let Ok(range) = text.parse::<IpNet>() {
        return Some(range.trunc());
    }
    text.parse::<IpAddr>().ok().map(IpNet::from)
}

/// Several lists of addresses, each judged: an address must pass them all (an account's own
/// rules and, for a sub-account managed from its parent, the sub-account's).
pub fn judge_all<'a>(
    policies: impl IntoIterator<Item = &'a IpPolicy>,
    address: IpAddr,
) -> Result<(), Refusal> {
    policies
        .into_iter()
        .try_for_each(|policy| policy.judge(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_first_rule_that_holds_the_address_decides() {
        let policy = IpPolicy::parse(
            IpAction::Deny,
            "# office first\nDENY 203.0.113.7 Printer\naccept 203.0.113.0/24 Office\n\nACCEPT 2001:db8::/32",
        )
        .unwrap();
        assert_eq!(
            policy.judge(ip("203.0.113.7")),
            Err(Refusal::Rule {
                number: 1,
                description: "Printer".into()
            })
        );
        assert_eq!(policy.judge(ip("203.0.113.8")), Ok(()));
        assert_eq!(policy.judge(ip("2001:db8::1")), Ok(()));
        assert_eq!(policy.judge(ip("198.51.100.1")), Err(Refusal::Default));
        assert_eq!(
            policy.judge(ip("::ffff:203.0.113.9")),
            Ok(()),
            "mapped IPv4"
        );
    }

    #[test]
    fn the_open_policy_lets_everyone_in_and_is_stored_as_nothing() {
        let open = IpPolicy::parse(IpAction::Accept, " \n# nothing yet\n").unwrap();
        assert!(open.is_open());
        assert_eq!(open.judge(ip("192.0.2.1")), Ok(()));
        assert_eq!(open.to_stored(), None);
        assert_eq!(IpPolicy::from_stored(None), open);
    }

    #[test]
    fn rules_read_back_as_they_were_written_and_host_bits_are_dropped() {
        let policy =
            IpPolicy::parse(IpAction::Deny, "ACCEPT 10.0.0.7/24 VPN users\nDENY ::1").unwrap();
        assert_eq!(
            policy.to_text(),
            "ACCEPT 10.0.0.0/24 VPN users\nDENY ::1/128"
        );
        let stored = policy.to_stored().unwrap();
        assert_eq!(IpPolicy::from_stored(Some(&stored)), policy);
        assert_eq!(
            IpPolicy::parse(IpAction::Deny, &policy.to_text()).unwrap(),
            policy
        );
    }

    #[test]
    fn a_bad_line_is_named_and_nothing_is_kept() {
        let errors = IpPolicy::parse(
            IpAction::Accept,
            "ALLOW 10.0.0.0/8\nACCEPT 10.0.0.0/33\nDENY\nACCEPT 1.2.3.4 ok",
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                LineError::Action(1),
                LineError::Range(2),
                LineError::Range(3)
            ]
        );
        let long = format!("ACCEPT 1.2.3.4 {}", "x".repeat(MAX_DESCRIPTION + 1));
        assert_eq!(
            IpPolicy::parse(IpAction::Accept, &long).unwrap_err(),
            [LineError::Description(1)]
        );
        let many = "DENY 10.0.0.1\n".repeat(MAX_RULES + 1);
        assert_eq!(
            IpPolicy::parse(IpAction::Accept, &many).unwrap_err(),
            [LineError::TooMany]
        );
    }

    #[test]
    fn a_credential_limited_to_some_ranges_refuses_the_rest() {
        assert_eq!(IpPolicy::only_from(" ,\n "), Ok(None));
        let only = IpPolicy::only_from("203.0.113.0/24, 2001:db8::1\n10.0.0.0/8")
            .unwrap()
            .unwrap();
        assert_eq!(only.judge(ip("203.0.113.5")), Ok(()));
        assert_eq!(only.judge(ip("2001:db8::1")), Ok(()));
        assert_eq!(only.judge(ip("192.0.2.1")), Err(Refusal::Default));
        assert_eq!(
            only.ranges(),
            ["203.0.113.0/24", "2001:db8::1/128", "10.0.0.0/8"]
        );
        assert_eq!(
            IpPolicy::only_from("10.0.0.0/8 office 1.2.3.4/40"),
            Err(vec!["office".to_owned(), "1.2.3.4/40".to_owned()])
        );
    }

    #[test]
    fn a_damaged_stored_policy_denies_everyone() {
        let damaged = IpPolicy::from_stored(Some("{not json"));
        assert_eq!(damaged.judge(ip("192.0.2.1")), Err(Refusal::Default));
    }

    #[test]
    fn every_list_must_let_the_address_in() {
        let office = IpPolicy::parse(IpAction::Deny, "ACCEPT 10.0.0.0/8").unwrap();
        let lab = IpPolicy::parse(IpAction::Accept, "DENY 10.9.0.0/16 Lab").unwrap();
        assert_eq!(judge_all([&office, &lab], ip("10.1.2.3")), Ok(()));
        assert!(judge_all([&office, &lab], ip("10.9.2.3")).is_err());
        assert!(judge_all([&office, &lab], ip("192.0.2.1")).is_err());
    }
}
