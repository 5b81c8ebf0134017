-- One wellbeing alert per check-in, and an evaluation that is never lost.

-- The wellbeing flags one alert raised: a flag is not raised again while an alert holding it is open.
CREATE TABLE escalation_flags (
    escalation_id BIGINT NOT NULL REFERENCES escalations(id),
    flag TEXT NOT NULL,
    PRIMARY KEY (escalation_id, flag)
);
-- Alerts raised before this migration held one flag each, as their category.
INSERT INTO escalation_flags (escalation_id, flag) SELECT id, category FROM escalations WHERE kind = 'wellbeing';

-- 1: answered or missed, and the wellbeing rules have not yet run on it. Set in the same transaction as
-- the answer or the miss, cleared in the one that records the alert (or that found nothing to raise).
ALTER TABLE checkins ADD COLUMN evaluation_due BIGINT NOT NULL DEFAULT 0;
CREATE INDEX checkins_evaluation_due ON checkins (volunteer_id) WHERE evaluation_due = 1;
