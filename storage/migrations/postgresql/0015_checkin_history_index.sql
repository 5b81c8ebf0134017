-- Issue 14: the overview and the monthly report read the recent check-ins of a few hundred volunteers at a time
-- (their memory is a page of records, not everyone's): a range of each volunteer's counting moment, the same
-- expression and states as checkins_belongs_to, which stays for the report's month over everyone.
CREATE INDEX checkins_volunteer_belongs_to ON checkins (volunteer_id, COALESCE(period_at, answered_at, created_at))
    WHERE state IN ('answered', 'missed', 'excused');
