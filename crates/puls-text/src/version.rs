//! The name of an analysis: the model's version, the heads trained on it and the revision
//! of the rules (aspect keywords, emotion cues, terms). Stored results carry it; when any
//! part changes, the pipeline reads every answer again.

/// Bumped whenever the rules change what they find (keywords, cue words, polarity cues,
/// stop words).
pub const RULES_REVISION: u32 = 1;

/// `model_version` (the installed model's, from its manifest) with the digest of the
/// committed heads and the rules' revision.
pub fn analysis_version(model_version: &str) -> String {
    format!(
        "{model_version}+heads-{:08x}+rules-{RULES_REVISION}",
        fnv1a(crate::analyzer::HEADS.as_bytes()) as u32
    )
}

/// FNV-1a, 64 bits: a stable digest (std's hashers promise no stability across releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_the_model_and_changes_with_the_heads() {
        let v = super::analysis_version("e5");
        assert!(v.starts_with("e5+heads-") && v.ends_with("+rules-1"), "{v}");
        assert_ne!(super::fnv1a(b"a"), super::fnv1a(b"b"));
    }
}
