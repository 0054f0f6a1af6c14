//! Personal data at rest: ID numbers and names sealed (SM4-GCM) with the
//! key that was current, found again by their blind index (HMAC-SM3).

use crate::error::{AppError, Result};
use crate::keys::Keys;
use dingdian_core::crypto::PersonalDataKey;
use dingdian_core::registry::{self as rules, IdNumber};
use rand::RngCore;

pub(crate) const AAD_ID: &[u8] = b"member.id_number";
pub(crate) const AAD_NAME: &[u8] = b"member.name";
const INDEX_DOMAIN: &str = "id_number";

pub(crate) fn seal(key: &PersonalDataKey, aad: &[u8], text: &str) -> Vec<u8> {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    key.seal(nonce, aad, text.as_bytes())
}

/// The blind index of a name: of its normal form, in the names' own domain.
pub fn name_index(key: &PersonalDataKey, name: &str) -> Vec<u8> {
    key.blind_index(rules::NAME_INDEX_DOMAIN, &rules::normalise_name(name))
        .to_vec()
}

/// The blind index of an ID number (normalised by parsing).
pub fn id_index(key: &PersonalDataKey, id: &IdNumber) -> Vec<u8> {
    key.blind_index(INDEX_DOMAIN, id.as_str()).to_vec()
}

/// The key that sealed a row (it may have been rotated away from since).
pub(crate) fn sealed_by(keys: &Keys, key_id: &str) -> Result<std::sync::Arc<PersonalDataKey>> {
    keys.by_id(key_id)
        .ok_or_else(|| AppError::Internal(format!("no personal-data key {key_id} in the key ring")))
}

pub(crate) fn open_text(key: &PersonalDataKey, aad: &[u8], sealed: &[u8]) -> Result<String> {
    key.open(aad, sealed)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|m| AppError::internal("cannot decrypt a member", &m.en))
}
