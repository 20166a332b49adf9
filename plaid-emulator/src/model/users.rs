//! Users as the state holds them (docs: `api-products-income.txt` `/user/create`; the spec's
//! `UserCreateRequest`/`UserCreateResponse`, `/user/remove`, `/user/items/get`): one user per
//! `client_user_id`, named by its `user_id` and its legacy `user_token`, and the Items Link
//! (or `/sandbox/public_token/create`) made for it. The tokens are secrets: no `Debug` here.

use std::collections::HashMap;
use std::time::SystemTime;

/// One user made by `/user/create`.
pub(crate) struct User {
    pub(crate) user_id: String,
    pub(crate) client_user_id: String,
    /// When it was made (`/user/get`'s `created_at`).
    pub(crate) created: SystemTime,
    /// Its Items, in the order they joined.
    pub(crate) items: Vec<String>,
    /// Where Cash Flow Updates webhooks go (`/cra/monitoring_insights/subscribe`'s `webhook`).
    pub(crate) monitoring_webhook: Option<String>,
}

/// How a request names a user: the spec lets every `/user/*` and Sandbox user operation take
/// either field ("If this field is included, then the user_token object field is ignored").
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserRef<'a> {
    /// `user_id` (the New User APIs).
    Id(&'a str),
    /// `user_token` (integrations from before December 10, 2025).
    Token(&'a str),
}

/// Why a user could not be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UserError {
    /// No user has this `user_id`.
    #[error("no user has this user_id")]
    UnknownId,
    /// No user has this `user_token`.
    #[error("no user has this user_token")]
    UnknownToken,
}

/// The users of the state.
#[derive(Default)]
pub(crate) struct Users {
    by_id: HashMap<String, User>,
    /// `user_token` → `user_id`.
    tokens: HashMap<String, String>,
    /// `client_user_id` → `user_id`.
    clients: HashMap<String, String>,
    /// How many were ever made (ids are derived from it).
    pub(crate) created: u64,
}

impl Users {
    /// The `user_id` and `user_token` of `client_user_id`'s user, if it has one.
    pub(crate) fn of_client(&self, client_user_id: &str) -> Option<(String, String)> {
        let user_id = self.clients.get(client_user_id)?;
        let token = self.tokens.iter().find(|(_, id)| *id == user_id)?.0;
        Some((user_id.clone(), token.clone()))
    }

    /// A new user for `client_user_id` under these ids.
    pub(crate) fn insert(&mut self, user: User, user_token: String) {
        self.created += 1;
        self.tokens.insert(user_token, user.user_id.clone());
        self.clients
            .insert(user.client_user_id.clone(), user.user_id.clone());
        self.by_id.insert(user.user_id.clone(), user);
    }

    /// The `user_id` a reference names.
    pub(crate) fn resolve(&self, user: UserRef<'_>) -> Result<String, UserError> {
        match user {
            UserRef::Id(id) if self.by_id.contains_key(id) => Ok(id.to_string()),
            UserRef::Id(_) => Err(UserError::UnknownId),
            UserRef::Token(token) => self
                .tokens
                .get(token)
                .cloned()
                .ok_or(UserError::UnknownToken),
        }
    }

    /// The user a reference names.
    pub(crate) fn get(&self, user: UserRef<'_>) -> Result<&User, UserError> {
        let id = self.resolve(user)?;
        self.by_id.get(&id).ok_or(UserError::UnknownId)
    }

    /// The user a reference names, to change.
    pub(crate) fn get_mut(&mut self, user: UserRef<'_>) -> Result<&mut User, UserError> {
        let id = self.resolve(user)?;
        self.by_id.get_mut(&id).ok_or(UserError::UnknownId)
    }

    /// `item_id` joins the user `user_id` (a Link session made with its token), if there is one.
    pub(crate) fn join(&mut self, user_id: Option<&str>, item_id: &str) {
        if let Some(user) = user_id.and_then(|id| self.by_id.get_mut(id)) {
            user.items.push(item_id.to_string());
        }
    }

    /// The user removed, with its tokens; what it was.
    pub(crate) fn remove(&mut self, user: UserRef<'_>) -> Result<User, UserError> {
        let id = self.resolve(user)?;
        self.tokens.retain(|_, user_id| *user_id != id);
        let user = self.by_id.remove(&id).ok_or(UserError::UnknownId)?;
        self.clients.remove(&user.client_user_id);
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, client: &str) -> User {
        User {
            user_id: id.into(),
            client_user_id: client.into(),
            created: SystemTime::UNIX_EPOCH,
            items: Vec::new(),
            monitoring_webhook: None,
        }
    }

    #[test]
    fn a_user_is_found_by_its_id_or_its_token_until_it_is_removed() {
        let mut users = Users::default();
        users.insert(user("usr_1", "client-1"), "user-sandbox-1".into());
        assert_eq!(
            users.resolve(UserRef::Token("user-sandbox-1")),
            Ok("usr_1".into())
        );
        assert_eq!(users.resolve(UserRef::Id("usr_1")), Ok("usr_1".into()));
        assert_eq!(
            users.of_client("client-1"),
            Some(("usr_1".into(), "user-sandbox-1".into()))
        );
        users.join(Some("usr_1"), "item-a");
        assert_eq!(
            users.get(UserRef::Id("usr_1")).map(|u| u.items.len()),
            Ok(1)
        );
        assert!(users.remove(UserRef::Token("user-sandbox-1")).is_ok());
        assert_eq!(
            users.resolve(UserRef::Token("user-sandbox-1")),
            Err(UserError::UnknownToken)
        );
        assert_eq!(
            users.resolve(UserRef::Id("usr_1")),
            Err(UserError::UnknownId)
        );
        assert_eq!(users.of_client("client-1"), None);
    }
}
