//! HTML rendering for respondent pages.
