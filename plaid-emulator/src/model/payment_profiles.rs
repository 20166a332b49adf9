//! Payment Profiles (docs: `api-products-transfer.txt` `/payment_profile/create`, `/get`,
//! `/remove`; `api-sandbox.txt` `/sandbox/payment_profile/reset_login`). The emulator has no
//! Payment Profile Link session, so a profile stands `READY` once made, as Sandbox has it after
//! Link ("you must first create a Payment Profile and go through the Link flow");
//! `reset_login` puts it back to `PENDING` ("not ready to be used. You'll need to call
//! /link/token/create ..."), and `/payment_profile/remove` makes it `REMOVED`.

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

/// One Payment Profile.
#[derive(Debug, Clone)]
pub(crate) struct PaymentProfile {
    pub(crate) status: ProfileStatus,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
    /// When it was removed (`deleted_at`).
    pub(crate) deleted: Option<SystemTime>,
}

/// The Payment Profiles of the state, by token.
#[derive(Debug, Default)]
pub(crate) struct PaymentProfiles {
    pub(crate) by_token: HashMap<String, PaymentProfile>,
}

impl PaymentProfiles {
    /// A new `READY` profile under `token`, made at `at`.
    pub(crate) fn create(&mut self, token: String, at: SystemTime) {
        let profile = PaymentProfile {
            status: ProfileStatus::Ready,
            created: at,
            updated: at,
            deleted: None,
        };
        self.by_token.insert(token, profile);
    }

    /// The profile `token` moved to `status` at `at`; `None` if there is none.
    pub(crate) fn set(
        &mut self,
        token: &str,
        status: ProfileStatus,
        at: SystemTime,
    ) -> Option<&PaymentProfile> {
        let profile = self.by_token.get_mut(token)?;
        profile.status = status;
        profile.updated = at;
        if status == ProfileStatus::Removed {
            profile.deleted = Some(at);
        }
        Some(profile)
    }
}
