//! Completion rate, drop-off per question and response rate, from counts a store rolls up
//! over partial and complete responses.

use super::{Options, Proportion, StatsError, percent, proportion};

/// What happened at one question, counted over all responses (partial and complete).
///
/// With skip logic a question can be skipped by respondents who go on, so `reached` need not
/// fall from one question to the next; drop-off is therefore counted directly (`abandoned`),
/// not derived from the difference of neighbouring `reached` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuestionProgress {
    /// Responses that were shown this question.
    pub reached: u64,
    /// Responses that answered it (`≤ reached`).
    pub answered: u64,
    /// Partial responses whose last shown question is this one: respondents who left here
    /// (`≤ reached`). Which partial responses count as abandoned rather than still in progress
    /// (for example: untouched for a day) is the caller's choice.
    pub abandoned: u64,
}

/// Rates for one question, all in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuestionDropOff {
    pub progress: QuestionProgress,
    /// `answered / reached`: how many who saw the question answered it.
    pub answer_rate: Option<f64>,
    /// `abandoned / reached`: how many who saw the question left the survey there.
    pub drop_off_rate: Option<f64>,
    /// `abandoned / Σ abandoned`: this question's part of all drop-offs.
    pub share_of_drop_offs: Option<f64>,
}

/// Rates per question, in the order given (the survey's order). Rates are `None` where
/// their denominator is 0.
pub fn drop_off(questions: &[QuestionProgress]) -> Result<Vec<QuestionDropOff>, StatsError> {
    let mut total_abandoned: u64 = 0;
    for q in questions {
        for part in [q.answered, q.abandoned] {
            if part > q.reached {
                return Err(StatsError::PartExceedsTotal {
                    part,
                    total: q.reached,
                });
            }
        }
        total_abandoned = total_abandoned
            .checked_add(q.abandoned)
            .ok_or(StatsError::CountOverflow)?;
    }
    Ok(questions
        .iter()
        .map(|&q| QuestionDropOff {
            progress: q,
            answer_rate: percent(q.answered, q.reached),
            drop_off_rate: percent(q.abandoned, q.reached),
            share_of_drop_offs: percent(q.abandoned, total_abandoned),
        })
        .collect())
}

/// The completion rate: `completed` of `started` responses (every response, partial or
/// complete, counts as started), with its Wilson interval.
pub fn completion(started: u64, completed: u64, o: &Options) -> Result<Proportion, StatsError> {
    proportion(completed, started, o)
}

/// The response rate where invitations are known: responses that came through an invitation
/// out of invitations sent, with its Wilson interval. Responses from shared links do not
/// belong in `responses`; more responses than invitations is an error.
pub fn response_rate(
    responses: u64,
    invitations: u64,
    o: &Options,
) -> Result<Proportion, StatsError> {
    proportion(responses, invitations, o)
}
