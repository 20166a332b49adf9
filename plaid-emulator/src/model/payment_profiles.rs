//! Payment Profiles and their status (docs: `api-products-transfer.txt` `/payment_profile/create`,
//! `/get`, `/remove`; `transfer-payment-profiles.txt`; `link-update-mode.txt`, "Using update
//! mode for Payment Profiles"; `api-sandbox.txt` `/sandbox/payment_profile/reset_login`).
//!
//! A profile is `PENDING` when made ("not ready to be used. You'll need to call
//! /link/token/create and provide the payment_profile_token in the transfer.payment_profile_token
//! field"), `READY` once Link finished with such a token (the Item and the account the user
//! selected are then the profile's), and `REMOVED` after `/payment_profile/remove` ("it can no
//! longer be used to create transfers"). `reset_login` makes its login invalid without changing
//! its status: authorizations are then still approved, with the rationale
//! `PAYMENT_PROFILE_LOGIN_REQUIRED` ("You can proceed with creating the transfer with this
//! Payment Profile"), until update mode for the profile (Link again) restores it.

use std::collections::HashMap;
use std::time::SystemTime;

/// Where a Payment Profile stands (the spec's `PaymentProfileStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProfileStatus {
    Pending,
    Ready,
    Removed,
}

impl ProfileStatus {
    /// As Plaid writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Ready => "READY",
            Self::Removed => "REMOVED",
        }
    }
}

/// The Item and account Link linked a profile to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkedAccount {
    pub(crate) item_id: String,
    pub(crate) account_id: String,
}

/// What an authorization with a profile is decided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// `PENDING` (never linked) or `REMOVED`: it cannot be used.
    NotReady,
    /// Linked, but its login was reset: usable, with `PAYMENT_PROFILE_LOGIN_REQUIRED`.
    LoginRequired,
    /// Linked and its login good.
    Ready,
}

/// One Payment Profile.
#[derive(Debug, Clone)]
pub(crate) struct PaymentProfile {
    pub(crate) status: ProfileStatus,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
    /// When it was removed (`deleted_at`).
    pub(crate) deleted: Option<SystemTime>,
    /// The Item and account Link linked it to, once it has been.
    pub(crate) linked: Option<LinkedAccount>,
    /// `/sandbox/payment_profile/reset_login` invalidated its login; Link restores it.
    pub(crate) login_required: bool,
}

impl PaymentProfile {
    /// Whether an authorization can use it, and how.
    pub(crate) fn readiness(&self) -> Readiness {
        match (self.status, self.login_required) {
            (ProfileStatus::Ready, true) => Readiness::LoginRequired,
            (ProfileStatus::Ready, false) => Readiness::Ready,
            (ProfileStatus::Pending | ProfileStatus::Removed, _) => Readiness::NotReady,
        }
    }

    /// Whether it is still there to use (not removed).
    pub(crate) fn live(&self) -> bool {
        self.status != ProfileStatus::Removed
    }
}

/// The Payment Profiles of the state, by token.
#[derive(Debug, Default)]
pub(crate) struct PaymentProfiles {
    pub(crate) by_token: HashMap<String, PaymentProfile>,
}

impl PaymentProfiles {
    /// A new `PENDING` profile under `token`, made at `at`.
    pub(crate) fn create(&mut self, token: String, at: SystemTime) {
        let profile = PaymentProfile {
            status: ProfileStatus::Pending,
            created: at,
            updated: at,
            deleted: None,
            linked: None,
            login_required: false,
        };
        self.by_token.insert(token, profile);
    }

    /// The live profile `token`, if there is one.
    pub(crate) fn live(&self, token: &str) -> Option<&PaymentProfile> {
        self.by_token.get(token).filter(|p| p.live())
    }

    /// Link finished for the live profile `token` with `account`: `READY`, its login good.
    pub(crate) fn link(&mut self, token: &str, account: LinkedAccount, at: SystemTime) {
        if let Some(profile) = self.by_token.get_mut(token).filter(|p| p.live()) {
            profile.status = ProfileStatus::Ready;
            profile.linked = Some(account);
            profile.login_required = false;
            profile.updated = at;
        }
    }

    /// The live, linked profile `token`'s login made invalid at `at`; `false` if it is not one.
    pub(crate) fn reset_login(&mut self, token: &str, at: SystemTime) -> bool {
        match self.by_token.get_mut(token) {
            Some(p) if p.live() && p.linked.is_some() => {
                p.login_required = true;
                p.updated = at;
                true
            }
            _ => false,
        }
    }

    /// The live profile `token` removed at `at`; `false` if there is none.
    pub(crate) fn remove(&mut self, token: &str, at: SystemTime) -> bool {
        match self.by_token.get_mut(token) {
            Some(p) if p.live() => {
                p.status = ProfileStatus::Removed;
                p.updated = at;
                p.deleted = Some(at);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_ready_only_between_link_and_removal() {
        let at = SystemTime::UNIX_EPOCH;
        let mut profiles = PaymentProfiles::default();
        profiles.create("p".into(), at);
        let readiness = |ps: &PaymentProfiles| ps.by_token["p"].readiness();
        assert_eq!(readiness(&profiles), Readiness::NotReady);
        assert!(!profiles.reset_login("p", at), "not linked yet");
        let account = LinkedAccount {
            item_id: "i".into(),
            account_id: "a".into(),
        };
        profiles.link("p", account.clone(), at);
        assert_eq!(readiness(&profiles), Readiness::Ready);
        assert!(profiles.reset_login("p", at));
        assert_eq!(readiness(&profiles), Readiness::LoginRequired);
        assert_eq!(profiles.by_token["p"].status, ProfileStatus::Ready);
        profiles.link("p", account.clone(), at);
        assert_eq!(readiness(&profiles), Readiness::Ready);
        assert!(profiles.remove("p", at));
        assert!(!profiles.remove("p", at));
        profiles.link("p", account, at);
        assert_eq!(profiles.by_token["p"].status, ProfileStatus::Removed);
        assert_eq!(readiness(&profiles), Readiness::NotReady);
    }
}
