//! Plaid's surface: the operations the emulator answers, over the model.

pub(crate) mod plaid_error;
