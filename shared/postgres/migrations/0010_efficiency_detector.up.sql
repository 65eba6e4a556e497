-- Two detectors beside the streaming one. The efficiency detector of a
-- service (a streaming detector over CPU per request) catches a deploy that
-- makes every request cost more even when CPU alone still moves inside its
-- usual range. The hourly level check of a series compares each hour with
-- the same hour of earlier days, and keeps a lasting step visible after the
-- streaming detector has learned it as the new normal.
ALTER TABLE service_detector_state
    ADD COLUMN ratio_state     bytea,
    ADD COLUMN ratio_fed_until timestamptz,
    ALTER COLUMN scored_until DROP NOT NULL;
ALTER TABLE detector_state
    ADD COLUMN level_checked_until timestamptz;
