//! Sandbox's multi-factor challenges (docs, `sandbox-test-credentials.txt`: `mfa_device`,
//! `mfa_questions_<n>_<m>`, `mfa_selections`; `sandbox-user-custom.txt`: a custom user's `mfa`)
//! and their right answers: what an `mfa_*` password (`sandbox_users.rs`) or a custom user's
//! configuration (`custom_user.rs`) asks Link for.

/// A multi-factor challenge and its answers (docs, `sandbox-test-credentials.txt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mfa {
    /// A one-time code sent to a device; the code is `1234`.
    Device,
    /// `rounds` rounds of `per_round` questions; question `j` of round `i` is answered
    /// `answer_<i>_<j>`.
    Questions {
        /// How many rounds.
        rounds: u8,
        /// Questions per round.
        per_round: u8,
    },
    /// `mfa_selections`: one question, answered `Yes`.
    YesNo,
    /// `rounds` rounds of `per_round` questions with `options` answers each; question `m` of
    /// round `n` (both from 1) is answered `answer_<n>_<m>_0`, its first option.
    Selections {
        /// How many rounds.
        rounds: u8,
        /// Questions per round.
        per_round: u8,
        /// Answers offered per question.
        options: u8,
    },
}

/// The device code of every MFA device in Sandbox.
pub(crate) const MFA_DEVICE_CODE: &str = "1234";

impl Mfa {
    /// The right answer to question `question` of round `round` (both from 0).
    pub(crate) fn answer(&self, round: u8, question: u8) -> String {
        match self {
            Self::Device => MFA_DEVICE_CODE.to_string(),
            Self::Questions { .. } => format!("answer_{round}_{question}"),
            Self::YesNo => "Yes".into(),
            Self::Selections { .. } => format!("answer_{}_{}_0", round + 1, question + 1),
        }
    }

    /// The choices offered for a selection question (the first is right).
    pub(crate) fn options(&self, round: u8, question: u8) -> Vec<String> {
        match self {
            Self::YesNo => vec!["Yes".into(), "No".into()],
            Self::Selections { options, .. } => (0..*options)
                .map(|o| format!("answer_{}_{}_{o}", round + 1, question + 1))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `(rounds, questions per round)`: a device code is one round of one question.
    pub(crate) fn shape(&self) -> (u8, u8) {
        match self {
            Self::Device | Self::YesNo => (1, 1),
            Self::Questions { rounds, per_round }
            | Self::Selections {
                rounds, per_round, ..
            } => (*rounds, *per_round),
        }
    }
}
