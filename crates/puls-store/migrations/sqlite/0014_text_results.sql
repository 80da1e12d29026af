-- What text analysis read in each open answer (issue 16): the open text of a question, or
-- the "other" text of a choice, one row per response and question. A row names the
-- analysis that wrote it (model, heads and rules) and a hash of the text it read: when
-- either changes, the answer is read again and its row replaced. Rows go with their
-- response (erasure, deletion of the response or its survey).
CREATE TABLE text_results (
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    touchpoint TEXT NOT NULL,
    -- The response's channel and locale, so reports filter results as they filter responses.
    channel TEXT NOT NULL,
    locale TEXT NOT NULL,
    -- When the response was created (Unix ms): periods and trends count by it.
    response_at BIGINT NOT NULL,
    analysis_version TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    -- `pl`, `cs` or `en`.
    language TEXT NOT NULL,
    -- `neg`, `neu` or `pos` (as the API says), and its probability in thousandths.
    sentiment TEXT NOT NULL,
    score_milli BIGINT NOT NULL,
    -- A JSON list of {"name", "sentiment"}.
    aspects TEXT NOT NULL,
    emotion TEXT NOT NULL,
    -- The text's distinct stemmed words (stop words left out), each with the word it came
    -- as (`stem|word`), space-separated: what trending topics count.
    terms TEXT NOT NULL,
    analysed_at BIGINT NOT NULL,
    -- The node that analysed it.
    node TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX text_results_period ON text_results(workspace_id, response_at);
