//! Link tokens as the state holds them (docs: `api-tokens.txt` `/link/token/create`,
//! `link-update-mode.txt`): what a token was made for, and how long it lasts. A token for a
//! new Item lasts 4 hours, one for an existing Item (update mode: `access_token`) 30 minutes.

use std::time::{Duration, SystemTime};

use super::clock::since;

/// A link token for a new Item (docs: "expires after 4 hours").
const NEW_ITEM_LIFETIME: Duration = Duration::from_secs(4 * 3600);
/// A link token for an existing Item (docs: "expires after 30 minutes").
const UPDATE_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// What a link token was created for.
pub(crate) struct LinkToken {
    pub(crate) products: Vec<String>,
    pub(crate) webhook: Option<String>,
    pub(crate) institution_id: Option<String>,
    /// Update mode: the Item to repair.
    pub(crate) item_id: Option<String>,
    /// The Payment Profile Link links (`transfer.payment_profile_token`).
    pub(crate) payment_profile_token: Option<String>,
    /// The app's name Link shows (`client_name`).
    pub(crate) client_name: String,
    /// The language Link's panes are in (`language`).
    pub(crate) language: String,
    /// When it was made, on the emulator's clock.
    pub(crate) created: SystemTime,
    /// The user (`user_token` or `user_id`) whose Items Link makes with it.
    pub(crate) user_id: Option<String>,
}

impl LinkToken {
    /// How long the token can be used.
    pub(crate) fn lifetime(&self) -> Duration {
        if self.item_id.is_some() {
            UPDATE_LIFETIME
        } else {
            NEW_ITEM_LIFETIME
        }
    }

    /// Whether the token is still usable at `now`.
    pub(crate) fn live_at(&self, now: SystemTime) -> bool {
        since(now, self.created) < self.lifetime()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_token_expires_after_its_documented_lifetime() {
        let created = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let token = |item_id: Option<&str>| LinkToken {
            products: vec!["auth".into()],
            webhook: None,
            institution_id: None,
            item_id: item_id.map(str::to_string),
            payment_profile_token: None,
            client_name: "App".into(),
            language: "en".into(),
            created,
            user_id: None,
        };
        let minute = Duration::from_secs(60);
        let new_item = token(None);
        assert!(new_item.live_at(created + 239 * minute));
        assert!(!new_item.live_at(created + 240 * minute));
        let update = token(Some("item"));
        assert!(update.live_at(created + 29 * minute));
        assert!(!update.live_at(created + 30 * minute));
    }
}
