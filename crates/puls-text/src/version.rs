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

/// The version of an analysis with a workspace's own aspects: `base` (an
/// [`analysis_version`]) alone when there are none, else with a digest of their names and
/// keywords (labels do not change what is found). A workspace that edits its aspects gets a
/// new version, and its answers are looked at again.
pub fn workspace_version(base: &str, own: &[crate::AspectDef]) -> String {
    if own.is_empty() {
        return base.to_string();
    }
    let mut defs: Vec<&crate::AspectDef> = own.iter().collect();
    defs.sort_by(|a, b| a.name.cmp(&b.name));
    let json = serde_json::to_string(&defs).expect("aspect definitions serialize");
    format!("{base}+aspects-{:08x}", fnv1a(json.as_bytes()) as u32)
}

/// The [`analysis_version`] a [`workspace_version`] extends.
pub fn base_version(version: &str) -> &str {
    version
        .split_once("+aspects-")
        .map_or(version, |(base, _)| base)
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

    #[test]
    fn a_workspace_version_extends_the_base_and_names_the_keywords() {
        use crate::AspectDef;
        let base = super::analysis_version("e5");
        assert_eq!(super::workspace_version(&base, &[]), base);
        let def = |name: &str, kw: &str| AspectDef {
            name: name.into(),
            keywords: crate::aspects::PerLang {
                pl: vec![kw.into()],
                ..Default::default()
            },
        };
        let a =
            super::workspace_version(&base, &[def("parking", "parking*"), def("delivery", "dpd")]);
        let b =
            super::workspace_version(&base, &[def("delivery", "dpd"), def("parking", "parking*")]);
        let c =
            super::workspace_version(&base, &[def("delivery", "dpd"), def("parking", "parkow*")]);
        assert_eq!(a, b, "order does not matter");
        assert_ne!(a, c, "keywords do");
        assert!(a.starts_with(&base));
        assert_eq!(super::base_version(&a), base);
        assert_eq!(super::base_version(&base), base);
    }
}
