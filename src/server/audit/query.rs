//! Reading the activity log: what a caller may see, checked filters, one page at a time.

use crate::domain::AccountId;
use crate::domain::activity_query::ActivityQuery;
use crate::domain::event::Action;
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::identity::caller::Caller;
use crate::server::web::state::AppState;

/// What `caller` may read: an Administrator of a top-level account sees it and its
/// sub-accounts, an Administrator of a sub-account (or acting in one) sees that account, and
/// everyone else sees their own events.
pub fn scope_of(caller: &Caller) -> db::activity_store::Scope {
    use db::activity_store::Scope;
    if !caller.role().can_manage_users() {
        Scope::User(caller.user_id())
    } else if caller.parent_pk().is_none() {
        Scope::Root(caller.account_pk())
    } else {
        Scope::Account(caller.account_pk())
    }
}

/// How many events a page of the Activity page shows.
pub const PAGE_SIZE: i64 = 50;

/// One page of events, and where the next one starts.
pub struct Page {
    pub events: Vec<db::activity_store::Row>,
    pub next: Option<String>,
}

/// The filter form, checked: every bad field is reported beside itself, and nothing is read. A
/// bare login in the actor field means a user of `reader_account`, the reader's own account.
pub fn narrowing(
    reader_account: &AccountId,
    query: &ActivityQuery,
) -> Result<
    (
        db::activity_store::Narrowing,
        Option<db::activity_store::Cursor>,
    ),
    AppError,
> {
    let mut errors = FieldErrors::default();
    let mut refuse = |field: &str, key: &str| errors.add(field, key);
    let actor = query.actor.trim();
    let actor = (!actor.is_empty()).then(|| {
        // A bare login means a user of the reader's own account.
        if actor.contains('/') || AccountId::parse(actor).is_ok() {
            actor.to_lowercase()
        } else {
            format!("{}/{}", reader_account.as_str(), actor.to_lowercase())
        }
    });
    let action = match query.action.trim() {
        "" => None,
        code => match Action::from_code(code) {
            Some(action) => Some(action.code()),
            None => {
                refuse("action", crate::key!("activity.error.action"));
                None
            }
        },
    };
    let target = query.target.trim();
    let target = (!target.is_empty()).then(|| target.to_lowercase());
    let from = match crate::server::infra::format::day_start(&query.from) {
        Ok(day) => day,
        Err(_) => {
            refuse("from", crate::key!("activity.error.date"));
            None
        }
    };
    let until = match crate::server::infra::format::day_start(&query.to) {
        Ok(day) => day.map(|start| start + 86_400),
        Err(_) => {
            refuse("to", crate::key!("activity.error.date"));
            None
        }
    };
    if let (Some(from), Some(until)) = (from, until)
        && until <= from
    {
        refuse("to", crate::key!("activity.error.range"));
    }
    let after = match query.after.trim() {
        "" => None,
        text => {
            let parsed = text
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)));
            if parsed.is_none() {
                refuse("form", crate::key!("activity.error.cursor"));
            }
            parsed
        }
    };
    errors.into_result()?;
    Ok((
        db::activity_store::Narrowing {
            actor,
            action,
            target,
            from,
            until,
        },
        after,
    ))
}

/// The page of events `caller` may see that `query` asks for.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    query: &ActivityQuery,
) -> Result<Page, AppError> {
    let (narrowing, after) = narrowing(caller.account_id(), query)?;
    let scope = scope_of(caller);
    let mut events =
        db::activity_store::list(&state.db, scope, &narrowing, after, PAGE_SIZE + 1).await?;
    let more = events.len() > PAGE_SIZE as usize;
    events.truncate(PAGE_SIZE as usize);
    let next = more
        .then(|| events.last().map(|e| format!("{}.{}", e.at, e.id)))
        .flatten();
    Ok(Page { events, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ActivityQuery {
        let mut query = ActivityQuery::default();
        for (field, value) in pairs {
            let value = (*value).to_owned();
            match *field {
                "actor" => query.actor = value,
                "action" => query.action = value,
                "target" => query.target = value,
                "from" => query.from = value,
                "to" => query.to = value,
                "after" => query.after = value,
                other => panic!("no field {other}"),
            }
        }
        query
    }

    fn reader() -> AccountId {
        AccountId::parse("1234-567-89").expect("an account ID")
    }

    fn refused_fields(pairs: &[(&str, &str)]) -> Vec<String> {
        match narrowing(&reader(), &query(pairs)) {
            Err(AppError::Invalid(fields)) => fields.into_iter().map(|f| f.field).collect(),
            Err(other) => panic!("not a field error: {other:?}"),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn a_bare_login_means_a_user_of_the_readers_own_account() {
        let (bare, _) = narrowing(&reader(), &query(&[("actor", " John.Smith ")])).unwrap();
        assert_eq!(bare.actor.as_deref(), Some("1234-567-89/john.smith"));
        let (full, _) = narrowing(&reader(), &query(&[("actor", "9876-543-21/Kim")])).unwrap();
        assert_eq!(full.actor.as_deref(), Some("9876-543-21/kim"));
        let (holder, _) = narrowing(&reader(), &query(&[("actor", "9876-543-21")])).unwrap();
        assert_eq!(holder.actor.as_deref(), Some("9876-543-21"));
        let (none, _) = narrowing(&reader(), &query(&[("actor", "   ")])).unwrap();
        assert_eq!(none.actor, None);
    }

    #[test]
    fn the_last_day_is_included_and_a_range_must_move_forward() {
        let (days, _) = narrowing(
            &reader(),
            &query(&[("from", "2026-01-01"), ("to", "2026-01-01")]),
        )
        .unwrap();
        let from = days.from.unwrap();
        assert_eq!(days.until, Some(from + 86_400));
        assert_eq!(
            refused_fields(&[("from", "2026-01-02"), ("to", "2026-01-01")]),
            ["to"]
        );
    }

    #[test]
    fn every_bad_field_is_reported_beside_itself() {
        assert_eq!(
            refused_fields(&[
                ("action", "no.such.action"),
                ("from", "yesterday"),
                ("to", "2026-13-45"),
                ("after", "not-a-cursor"),
            ]),
            ["action", "from", "to", "form"]
        );
    }

    #[test]
    fn a_cursor_is_the_time_and_id_of_the_last_event_seen() {
        let (_, after) = narrowing(&reader(), &query(&[("after", "1700000000.42")])).unwrap();
        assert_eq!(after, Some((1_700_000_000, 42)));
        let (_, none) = narrowing(&reader(), &query(&[])).unwrap();
        assert_eq!(none, None);
    }
}
