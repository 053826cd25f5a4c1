-- Live walkthrough events: several replicas number their events from one
-- sequence, so that the id a browser resumes from means the same change on
-- every replica. The events themselves travel with NOTIFY and are not
-- stored.
CREATE SEQUENCE live_event_ids AS BIGINT;
