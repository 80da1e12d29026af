//! Who may do what in a workspace: roles, permissions and the checks on account input.
//!
//! A user holds one [`Role`] per workspace. Every screen and every state-changing action of
//! the web app names the [`Permission`] it needs, and the server checks it (hiding a button
//! is a courtesy, not the control). The matrix is [`Role::allows`].

use std::fmt;

/// A user's role in one workspace, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including other owners and the workspace itself.
    Owner,
    /// Everything but owners and the workspace's deletion.
    Admin,
    /// Everything but users and keys: surveys, journeys, segments, analyses, responses.
    Analyst,
    /// Responses and contacts: reads them, follows up, exports.
    Agent,
    /// Dashboards only.
    Viewer,
}

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Overview, journey map, analyses.
    ViewDashboards,
    /// The responses inbox, a response's detail, its export.
    ViewResponses,
    /// Contacts: list, read, edit.
    ManageContacts,
    /// Create, edit, publish, close surveys.
    EditSurveys,
    /// Journeys and segments.
    EditJourneys,
    /// Invite users, change their roles, remove them.
    ManageUsers,
    /// API keys and tracking write keys.
    ManageKeys,
    /// The workspace's name and settings.
    ManageWorkspace,
    /// Delete responses and erase people for good.
    EraseData,
    /// Cases: open, take, reply, resolve.
    WorkCases,
    /// Alert rules and the SLA policy.
    ManageRules,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Analyst,
        Role::Agent,
        Role::Viewer,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The permission matrix.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner | Role::Admin => true,
            Role::Analyst => !matches!(p, ManageUsers | ManageKeys | ManageWorkspace | EraseData),
            Role::Agent => matches!(
                p,
                ViewDashboards | ViewResponses | ManageContacts | WorkCases
            ),
            Role::Viewer => matches!(p, ViewDashboards),
        }
    }

    /// Whether a user of this role may give `other` to someone, or change or remove
    /// someone who holds `other`: admins manage everyone but owners.
    pub fn may_manage(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            _ => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest (argon2 takes any length; this bounds the work an attacker can ask for).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    /// Nothing but one repeated character, or the account's own email.
    TooWeak,
}

impl PasswordProblem {
    /// A stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password_too_short",
            PasswordProblem::TooLong => "password_too_long",
            PasswordProblem::TooWeak => "password_too_weak",
        }
    }
}

/// Checks a new password (length in characters, not bytes; NIST 800-63B: length over
/// composition rules).
pub fn check_password(password: &str, email: &str) -> Result<(), PasswordProblem> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) || password.eq_ignore_ascii_case(email.trim()) {
        return Err(PasswordProblem::TooWeak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix() {
        use Permission::*;
        let all = [
            ViewDashboards,
            ViewResponses,
            ManageContacts,
            EditSurveys,
            EditJourneys,
            ManageUsers,
            ManageKeys,
            ManageWorkspace,
        ];
        let allowed = |r: Role| all.iter().filter(|p| r.allows(**p)).count();
        assert_eq!(allowed(Role::Owner), 8);
        assert_eq!(allowed(Role::Admin), 8);
        assert_eq!(allowed(Role::Analyst), 5);
        assert!(!Role::Analyst.allows(ManageUsers) && !Role::Analyst.allows(ManageKeys));
        assert!(Role::Agent.allows(ViewResponses) && Role::Agent.allows(ManageContacts));
        assert!(!Role::Agent.allows(EditSurveys));
        assert!(Role::Viewer.allows(ViewDashboards) && !Role::Viewer.allows(ViewResponses));
        assert!(Role::Admin.may_manage(Role::Admin) && !Role::Admin.may_manage(Role::Owner));
        assert!(!Role::Analyst.may_manage(Role::Viewer));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn passwords() {
        assert_eq!(
            check_password("short", "a@b.cz"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_password("aaaaaaaaaaaa", "a@b.cz"),
            Err(PasswordProblem::TooWeak)
        );
        assert_eq!(
            check_password("ana@shop.cz", "ana@shop.cz"),
            Err(PasswordProblem::TooWeak)
        );
        assert_eq!(
            check_password(&"x".repeat(2000), "a@b.cz"),
            Err(PasswordProblem::TooLong)
        );
        // Ten characters, not ten bytes.
        assert_eq!(check_password("žluťoučkýk", "a@b.cz"), Ok(()));
        assert_eq!(
            check_password("hůl-kůň-č", "a@b.cz"),
            Err(PasswordProblem::TooShort)
        );
    }
}
